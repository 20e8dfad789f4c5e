"""An order's money as Magento 2.4 computes it, so seeded orders add up like real ones.

Settings modelled: Luma's defaults, catalog prices EXCLUDING tax, tax calculated on the
row total after discount ("Apply Customer Tax: after discount", "Apply Discount on Prices:
excluding tax"), algorithm "Total" (`Tax\\Model\\Calculation\\TotalBaseCalculator`).

Why a module of its own: the totals are what Bridge checks to the cent, so they must come
from the rules Magento applies, not be typed in. Two rules matter:
- Row tax is rounded with the remainder carried to the next row of the same rate
  (`AbstractAggregateCalculator::roundAmount` with `$deltaRound`): 55.20 and 179.20 at
  8.25 % give 4.55 + 14.79, not 4.55 + 14.78.
- `subtotal_incl_tax` is the subtotal plus the tax BEFORE discount (Magento's own
  figure for the "Subtotal (Incl. Tax)" row), while `row_total_incl_tax` is
  row total plus the row's tax after discount.
Shipping is untaxed unless a shipping tax rate is given; a shipping discount (free
shipping by rule, or a 100 % rule applied to shipping) is part of `discount_amount`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """PHP's round($x, 2): half away from zero (amounts here are never negative)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Row:
    """One priced order item as the cart holds it, before Magento's totals."""

    qty: int
    price: Decimal  # excluding tax
    tax_percent: Decimal = Decimal(0)
    discount_percent: Decimal = Decimal(0)


@dataclass
class RowTotals:
    row_total: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    tax_before_discount: Decimal
    price_incl_tax: Decimal
    row_total_incl_tax: Decimal


@dataclass
class OrderTotals:
    rows: list[RowTotals]
    subtotal: Decimal
    subtotal_incl_tax: Decimal
    shipping_amount: Decimal
    shipping_tax_amount: Decimal
    shipping_incl_tax: Decimal
    shipping_discount_amount: Decimal
    discount_amount: Decimal  # negative, as Magento stores it on the order
    tax_amount: Decimal
    grand_total: Decimal
    #: rate -> tax amount, for `applied_taxes`
    tax_by_rate: dict[Decimal, Decimal] = field(default_factory=dict)


class _DeltaRounder:
    """Rounds amounts of one kind, carrying each rate's remainder to the next amount."""

    def __init__(self) -> None:
        self._delta: dict[Decimal, Decimal] = {}

    def round(self, amount: Decimal, rate: Decimal) -> Decimal:
        exact = amount + self._delta.get(rate, Decimal(0))
        rounded = money(exact)
        self._delta[rate] = exact - rounded
        return rounded


def compute(
    rows: Sequence[Row],
    shipping: Decimal = Decimal(0),
    shipping_tax_percent: Decimal = Decimal(0),
    shipping_discount_percent: Decimal = Decimal(0),
) -> OrderTotals:
    after, before = _DeltaRounder(), _DeltaRounder()
    out: list[RowTotals] = []
    by_rate: dict[Decimal, Decimal] = {}
    for row in rows:
        row_total = money(row.price * row.qty)
        discount = money(row_total * row.discount_percent / 100)
        rate = row.tax_percent / 100
        tax = after.round((row_total - discount) * rate, row.tax_percent)
        tax_before = before.round(row_total * rate, row.tax_percent)
        out.append(
            RowTotals(
                row_total=row_total,
                discount_amount=discount,
                tax_amount=tax,
                tax_before_discount=tax_before,
                price_incl_tax=money((row_total + tax_before) / row.qty),
                row_total_incl_tax=row_total + tax,
            )
        )
        if row.tax_percent:
            by_rate[row.tax_percent] = by_rate.get(row.tax_percent, Decimal(0)) + tax
    ship_discount = money(shipping * shipping_discount_percent / 100)
    ship_tax = money((shipping - ship_discount) * shipping_tax_percent / 100)
    if shipping_tax_percent:
        by_rate[shipping_tax_percent] = by_rate.get(shipping_tax_percent, Decimal(0)) + ship_tax
    subtotal = sum((r.row_total for r in out), Decimal(0))
    discount = sum((r.discount_amount for r in out), Decimal(0)) + ship_discount
    tax = sum((r.tax_amount for r in out), Decimal(0)) + ship_tax
    return OrderTotals(
        rows=out,
        subtotal=subtotal,
        subtotal_incl_tax=subtotal + sum((r.tax_before_discount for r in out), Decimal(0)),
        shipping_amount=shipping,
        shipping_tax_amount=ship_tax,
        shipping_incl_tax=shipping + money(shipping * shipping_tax_percent / 100),
        shipping_discount_amount=ship_discount,
        discount_amount=-discount,
        tax_amount=tax,
        grand_total=subtotal - discount + shipping + tax,
        tax_by_rate=by_rate,
    )
