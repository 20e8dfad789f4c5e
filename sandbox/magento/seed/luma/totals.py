"""An order's money as Magento 2.4 computes it, so seeded orders add up like real ones.

Settings modelled: tax calculated on the row total after discount ("Apply Customer Tax:
after discount"), algorithm "Total" (`Tax\\Model\\Calculation\\TotalBaseCalculator`),
and one of two catalog set-ups:
- Luma's defaults, catalog and shipping prices EXCLUDING tax, discounts on prices
  excluding tax (`AbstractAggregateCalculator::calculateWithTaxNotInPrice`);
- an EU-style store, catalog and shipping prices INCLUDING tax, discounts on prices
  including tax (`calculateWithTaxInPrice`, `prices_include_tax=True`).

Why a module of its own: the totals are what Bridge checks to the cent, so they must come
from the rules Magento applies, not be typed in. The rules that matter:
- Tax is rounded by `AbstractCalculator::deltaRound`: each rate's remainder is carried to
  the next amount of the same rate, starting from 0.000001 "to avoid non-deterministic
  behavior with rounding of 0.5". 55.20 and 179.20 at 8.25 % give 4.55 + 14.79, not
  4.55 + 14.78; 69.00 and 49.00 give 5.69 + 4.05. Tax before and after discount are two
  separate chains, and shipping is the last item of the same calculation (its tax joins
  the chain of its rate).
- Excluding tax: row total = price x qty; row tax on (row total - discount);
  `row_total_incl_tax` is the row total plus that tax (as recorded orders show it), while
  `subtotal_incl_tax` adds the tax BEFORE discount (Magento's "Subtotal (Incl. Tax)").
- Including tax: row total incl. tax = price x qty; the row tax is taken out of it
  (x rate / (1 + rate)), row total = the rest, `price` = row total / qty rounded; the
  tax after discount comes out of (row total incl. tax - discount), and the difference
  is the discount tax compensation, which the grand total adds back.
- A percent cart rule discounts each row by round(row price x percent) (`ByPercent`), on
  the price including tax when prices include tax.
Shipping is untaxed unless a shipping tax rate is given; a shipping discount (free
shipping by rule, or a 100 % rule applied to shipping) is part of `discount_amount`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
#: `deltaRound`'s starting remainder.
FIRST_DELTA = Decimal("0.000001")


def money(value: Decimal) -> Decimal:
    """PHP's round($x, 2): half away from zero (amounts here are never negative)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Row:
    """One priced order item as the cart holds it, before Magento's totals."""

    qty: int
    #: The catalog price: including tax when the order's prices include tax.
    price: Decimal
    tax_percent: Decimal = Decimal(0)
    discount_percent: Decimal = Decimal(0)


@dataclass
class RowTotals:
    price: Decimal  # excluding tax
    row_total: Decimal  # excluding tax
    discount_amount: Decimal  # on the price as the catalog states it
    tax_amount: Decimal  # after discount
    tax_before_discount: Decimal
    discount_tax_compensation: Decimal
    price_incl_tax: Decimal
    row_total_incl_tax: Decimal


@dataclass
class OrderTotals:
    rows: list[RowTotals]
    subtotal: Decimal
    subtotal_incl_tax: Decimal
    shipping_amount: Decimal  # excluding tax
    shipping_tax_amount: Decimal
    shipping_incl_tax: Decimal
    shipping_discount_amount: Decimal
    shipping_discount_tax_compensation: Decimal
    discount_amount: Decimal  # negative, as Magento stores it on the order
    discount_tax_compensation: Decimal
    tax_amount: Decimal
    grand_total: Decimal
    #: rate -> tax amount, for `applied_taxes`
    tax_by_rate: dict[Decimal, Decimal] = field(default_factory=dict)


class _DeltaRounder:
    """One `deltaRound` chain: rounds amounts, carrying each rate's remainder to the next."""

    def __init__(self) -> None:
        self._delta: dict[Decimal, Decimal] = {}

    def round(self, amount: Decimal, rate: Decimal) -> Decimal:
        if not amount:  # deltaRound leaves a zero alone, remainder included
            return Decimal(0)
        exact = amount + self._delta.get(rate, FIRST_DELTA)
        rounded = money(exact)
        self._delta[rate] = exact - rounded
        return rounded


@dataclass
class _Item:
    """What the calculator returns for one item (a product row or the shipping)."""

    price: Decimal
    row_total: Decimal
    row_total_incl_tax: Decimal
    price_incl_tax: Decimal
    tax: Decimal
    tax_before: Decimal


class _Calculator:
    """`TotalBaseCalculator` for one quote: the two delta chains shared by all items."""

    def __init__(self, prices_include_tax: bool) -> None:
        self.included = prices_include_tax
        self.before, self.after = _DeltaRounder(), _DeltaRounder()

    def item(self, qty: int, price: Decimal, percent: Decimal, discount: Decimal) -> _Item:
        rate = percent / 100
        if self.included:  # calculateWithTaxInPrice
            row_incl = price * qty
            tax_before = self.before.round(row_incl * rate / (1 + rate), percent)
            row_total = row_incl - tax_before
            tax = self.after.round(max(row_incl - discount, Decimal(0)) * rate / (1 + rate),
                                   percent)  # fmt: skip
            return _Item(money(row_total / qty), row_total, row_incl, price, tax, tax_before)
        row_total = price * qty  # calculateWithTaxNotInPrice
        tax_before = self.before.round(row_total * rate, percent)
        tax = self.after.round(max(row_total - discount, Decimal(0)) * rate, percent)
        row_incl = row_total + tax_before
        return _Item(price, row_total, row_incl, money(row_incl / qty), tax, tax_before)


def compute(
    rows: Sequence[Row],
    shipping: Decimal = Decimal(0),
    shipping_tax_percent: Decimal = Decimal(0),
    shipping_discount_percent: Decimal = Decimal(0),
    *,
    prices_include_tax: bool = False,
) -> OrderTotals:
    """The order's totals; `shipping` is including tax when `prices_include_tax`."""
    calc = _Calculator(prices_include_tax)
    out: list[RowTotals] = []
    by_rate: dict[Decimal, Decimal] = {}
    for row in rows:
        discount = money(row.price * row.qty * row.discount_percent / 100)
        item = calc.item(row.qty, row.price, row.tax_percent, discount)
        compensation = item.tax_before - item.tax if prices_include_tax else Decimal(0)
        out.append(
            RowTotals(
                price=item.price,
                row_total=item.row_total,
                discount_amount=discount,
                tax_amount=item.tax,
                tax_before_discount=item.tax_before,
                discount_tax_compensation=compensation,
                price_incl_tax=item.price_incl_tax,
                row_total_incl_tax=(
                    item.row_total_incl_tax if prices_include_tax else item.row_total + item.tax
                ),
            )
        )
        if row.tax_percent:
            by_rate[row.tax_percent] = by_rate.get(row.tax_percent, Decimal(0)) + item.tax
    ship_discount = money(shipping * shipping_discount_percent / 100)
    ship = calc.item(1, shipping, shipping_tax_percent, ship_discount)
    ship_compensation = ship.tax_before - ship.tax if prices_include_tax else Decimal(0)
    if shipping_tax_percent:
        by_rate[shipping_tax_percent] = by_rate.get(shipping_tax_percent, Decimal(0)) + ship.tax
    subtotal = sum((r.row_total for r in out), Decimal(0))
    discount = sum((r.discount_amount for r in out), Decimal(0)) + ship_discount
    compensation = sum((r.discount_tax_compensation for r in out), Decimal(0))
    tax = sum((r.tax_amount for r in out), Decimal(0)) + ship.tax
    if prices_include_tax:
        subtotal_incl = sum((r.row_total_incl_tax for r in out), Decimal(0))
    else:
        subtotal_incl = subtotal + sum((r.tax_before_discount for r in out), Decimal(0))
    return OrderTotals(
        rows=out,
        subtotal=subtotal,
        subtotal_incl_tax=subtotal_incl,
        shipping_amount=ship.row_total,
        shipping_tax_amount=ship.tax,
        shipping_incl_tax=ship.row_total_incl_tax,
        shipping_discount_amount=ship_discount,
        shipping_discount_tax_compensation=ship_compensation,
        discount_amount=-discount,
        discount_tax_compensation=compensation,
        tax_amount=tax,
        grand_total=(subtotal - discount + ship.row_total + tax + compensation + ship_compensation),
        tax_by_rate=by_rate,
    )
