"""Orders: a Magento order -> our `Order` -> Odoo `sale.order` create values.

Lines (Magento puts parent and child items side by side in `items`):
- configurable -> ONE line on the child's SKU at the parent's price, discount and tax:
                  Magento prices the parent and gives the child the same qty at row total 0.
- bundle       -> its children are lines. A dynamic-price bundle prices its children
                  (some child has a price), so the parent is dropped. A fixed-price bundle
                  prices the parent only: the parent becomes a line on its own SKU with
                  that price, and the children follow at price 0 so their stock still
                  moves. Any other item with children follows the bundle rule.
- anything else (simple, virtual, downloadable, gift card) -> a line as itself.
- a zero-qty item is skipped: it adds nothing to Odoo but a line to ignore.

Discounts are separate negative lines on a discount product, one per tax rate (item
discounts plus the shipping discount at the shipping rate), priced at Magento's
discount amounts, which are cents. Why not a percent on each line: Odoo keeps
`discount` with 2 decimals, so 13.33 % of 69.00 would not give Magento's cents, and Odoo
would round every line's discounted subtotal on its own. Why not a price net of
discount: `price_unit` has 2 decimals too (off by cents once qty > 1) and the invoice
would hide the discount. The cost: product lines show list prices, so per-product margin
and partial refunds see the discount only as its own line. That is also how Magento's
own invoice shows it (a "Discount" total row), and how Odoo's global-discount action
builds it. On every seeded and recorded order the Odoo total equals Magento's `grand_total`
to the cent this way (the 20 % orders would be 0.01 short with percents, from per-line
tax rounding).

Taxes map by rate (Magento percent, e.g. 8.25) to an Odoo sale tax; rate 0 means no
tax and needs no Odoo tax. A rate may have a tax included in the price in Odoo, a tax
excluded, or both: `choose_taxes` prefers the kind the store's rows show (a
tax-included catalog: EU VAT), and a line on a tax-included Odoo tax carries Magento's
price including tax, so Odoo takes the tax out of what the customer paid as Magento did.
Amounts are in the order's currency (not the base currency).

Money is exact: `check_totals` computes the amounts Odoo 18 will store for the values
(`bridge.mappers.odoo_amounts`, per line or global rounding as the Odoo company is set)
against Magento's `tax_amount` and `grand_total`. Odoo and Magento round tax differently
(per line or once per tax in Odoo, per row with the remainder carried to the next row in
Magento), so they can be cents apart on the same order. A gap rounding can explain is
closed by `adjust` (rounding lines with a fixed +/-0.01 tax; see its docstring); a larger
one refuses the order with both amounts (`totals_refusal`). Never an import at a different
total.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bridge.mappers.customer import Address, order_addresses
from bridge.mappers.errors import MappingError
from bridge.mappers.fingerprint import fingerprint
from bridge.mappers.odoo_amounts import Amounts, BaseLine, RoundingMethod, Tax, amounts
from bridge.mappers.setup import payment_method_of_order, shipping_method_of_order

_ITEM_FIELDS = (
    "item_id,parent_item_id,sku,name,product_type,qty_ordered,price,price_incl_tax,row_total,"
    "row_total_incl_tax,tax_amount,discount_amount,discount_tax_compensation_amount,tax_percent"
)
_ADDRESS_FIELDS = (
    "customer_address_id,firstname,middlename,lastname,company,street,city,postcode,"
    "country_id,region,region_code,telephone,email"
)
#: Magento `fields` expression for an order search: exactly what these mappers read.
ORDER_FIELDS = (
    "items[entity_id,increment_id,state,status,created_at,updated_at,order_currency_code,"
    "customer_email,customer_id,customer_is_guest,customer_firstname,customer_lastname,"
    "customer_group_id,store_id,shipping_method,shipping_description,shipping_amount,"
    "shipping_incl_tax,shipping_tax_amount,shipping_discount_amount,"
    "shipping_discount_tax_compensation_amount,discount_amount,discount_description,"
    "tax_amount,subtotal,grand_total,relation_parent_id,"
    f"items[{_ITEM_FIELDS}],billing_address[{_ADDRESS_FIELDS}],"
    "payment[method,additional_information],"
    "extension_attributes[shipping_assignments[shipping[method,"
    f"address[{_ADDRESS_FIELDS}]]],item_applied_taxes[type,applied_taxes[percent]]]],"
    "total_count"
)
#: Odoo's default precision of `price_unit` ("Product Price") and `discount` ("Discount").
ODOO_DIGITS = 2
_CENT = Decimal(1).scaleb(-ODOO_DIGITS)


@dataclass(frozen=True)
class Line:
    item_id: int
    sku: str
    name: str
    qty: float
    #: Excluding tax: Magento's `price` of the priced item.
    price_unit: float
    #: Excluding tax (Magento's discount minus its discount tax compensation), positive.
    discount_amount: float
    tax_percent: float
    product_type: str
    parent_item_id: int | None
    #: Including tax: Magento's `price_incl_tax` (the catalog price in a tax-included store).
    price_incl_tax: float = 0.0
    #: Magento's row amounts: excluding tax, including tax, and the row's tax after discount.
    row_total: float = 0.0
    row_total_incl_tax: float = 0.0
    tax_amount: float = 0.0
    #: The discount including its tax, positive (what a tax-included Odoo line subtracts).
    discount_incl_tax: float = 0.0


@dataclass(frozen=True)
class Order:
    increment_id: str
    entity_id: int | None
    state: str | None
    status: str | None
    #: UTC, "YYYY-MM-DD HH:MM:SS" (what Magento's REST API and Odoo both use).
    created_at: str
    updated_at: str | None
    currency: str | None
    customer_email: str | None
    customer_id: int | None
    is_guest: bool
    store_id: int | None
    payment_method: str
    shipping_method: str | None
    shipping_description: str | None
    shipping_amount: float
    shipping_tax_amount: float
    shipping_tax_percent: float
    #: Positive amounts, as is `discount_amount` (Magento's is negative).
    shipping_discount_amount: float
    discount_amount: float
    discount_description: str | None
    tax_amount: float
    subtotal: float
    grand_total: float
    relation_parent_id: int | None
    lines: tuple[Line, ...]
    billing: Address
    shipping: Address | None
    #: Shipping including tax, and the shipping discount excluding and including its tax.
    shipping_incl_tax: float = 0.0
    shipping_discount_excl_tax: float = 0.0
    shipping_discount_incl_tax: float = 0.0
    #: Catalog prices include tax (True), exclude it (False), or the rows cannot tell (None:
    #: e.g. single units without discount, where both readings give the same amounts).
    prices_include_tax: bool | None = None


@dataclass(frozen=True)
class OdooRefs:
    """The Odoo ids an order's values point to, looked up by the use case."""

    partner_id: int
    invoice_partner_id: int
    shipping_partner_id: int
    product_ids: Mapping[str, int]
    #: Magento percent (8.25) -> Odoo sale tax id (`choose_taxes` picks one per rate).
    tax_ids: Mapping[float, int]
    carrier_id: int | None = None
    carrier_product_id: int | None = None
    #: Product of the negative discount lines (a service product, no taxes of its own).
    discount_product_id: int | None = None
    payment_term_id: int | None = None
    team_id: int | None = None
    currency_id: int | None = None
    #: Odoo 18 takes an order's currency from its pricelist: one in the order's currency.
    pricelist_id: int | None = None
    #: What Odoo's arithmetic reads of the taxes in `tax_ids`; a tax missing here is a
    #: percent tax excluded from the price, at the rate `tax_ids` maps to it.
    taxes: Mapping[int, Tax] = field(default_factory=dict)


# --- parsing ----------------------------------------------------------------------


def _num(value: Any, what: str, *, default: float | None = 0.0) -> float:
    if value is None or value == "":
        if default is None:
            raise MappingError(f"{what} is missing")
        return default
    if isinstance(value, bool):
        raise MappingError(f"{what} is not a number: {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise MappingError(f"{what} is not a number: {value!r}") from exc
    if not math.isfinite(number):
        raise MappingError(f"{what} is not a number: {value!r}")
    return number


def _int(value: Any, what: str) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise MappingError(f"{what} is not a number: {value!r}") from exc


def _text(value: Any) -> str | None:
    text = " ".join(str(value).split()) if value not in (None, False) else ""
    return text or None


def _utc(value: Any, what: str) -> str:
    """Magento's UTC timestamp as Odoo's datetime string."""
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(text, fmt).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
    raise MappingError(f"{what} is not a date: {value!r}")


def _rate(value: float) -> float:
    """A tax rate as a lookup key: 8.25 and 8.2500001 are the same rate."""
    return round(value, 4)


# --- lines ------------------------------------------------------------------------


def _line(
    item: Mapping[str, Any],
    *,
    sku_item: Mapping[str, Any] | None = None,
    parent_item_id: int | None = None,
    priced: bool = True,
) -> Line:
    """A line priced by `item`; `sku_item` names the product when it is another item."""
    item_id = _int(item.get("item_id"), "item_id")
    what = f"item {item_id if item_id is not None else item.get('sku', '?')}"
    named = sku_item or item
    sku = _text(named.get("sku"))
    if not sku:
        raise MappingError(f"{what} has no sku")
    qty = _num(item.get("qty_ordered"), f"{what} qty_ordered", default=None)
    if qty < 0:
        raise MappingError(f"{what} has a negative qty_ordered: {qty:g}")
    gross_discount = _num(item.get("discount_amount"), f"{what} discount_amount")
    compensation = _num(
        item.get("discount_tax_compensation_amount"), f"{what} discount_tax_compensation_amount"
    )
    discount = gross_discount - compensation
    rate = _num(item.get("tax_percent"), f"{what} tax_percent")
    price = _num(item.get("price"), f"{what} price", default=None) if priced else 0.0
    if not priced:
        return Line(item_id or 0, sku, _text(named.get("name")) or sku, qty, 0.0, 0.0, rate,
                    str(named.get("product_type") or "simple"), parent_item_id)  # fmt: skip
    return Line(
        item_id=item_id or 0,
        sku=sku,
        name=_text(named.get("name")) or sku,
        qty=qty,
        price_unit=price,
        discount_amount=discount,
        tax_percent=rate,
        product_type=str(named.get("product_type") or "simple"),
        parent_item_id=parent_item_id,
        # A row without the tax-included figures (older payloads) reads as untaxed amounts.
        price_incl_tax=_num(item.get("price_incl_tax"), f"{what} price_incl_tax", default=price),
        row_total=_num(item.get("row_total"), f"{what} row_total", default=price * qty),
        row_total_incl_tax=_num(item.get("row_total_incl_tax"), f"{what} row_total_incl_tax"),
        tax_amount=_num(item.get("tax_amount"), f"{what} tax_amount"),
        discount_incl_tax=_gross(discount, compensation, gross_discount, rate),
    )


def _gross(net: float, compensation: float, gross: float, rate: float) -> float:
    """A discount including its tax.

    Magento states it itself when the discount applies to prices including tax (then a
    discount tax compensation is set): the discount amount is that gross figure. On prices
    excluding tax, its tax is the net discount at the rate, rounded.
    """
    if compensation or not rate:
        return gross
    return float(_round(_dec(net) * (1 + _dec(rate) / 100)))


def _prices_include_tax(lines: Iterable[Line]) -> bool | None:
    """Whether the store's catalog prices include tax, as the rows show it.

    Excluding tax, Magento's row total is price x qty; including tax, the row total
    including tax is the catalog price x qty and the row total is what its tax leaves.
    A row where only one of the two holds says which; rows where both hold say nothing.
    """
    votes = set()
    for line in lines:
        if not line.tax_percent or not line.price_unit or not line.row_total_incl_tax:
            continue
        excluded = _round(_dec(line.price_unit) * _dec(line.qty)) == _round(_dec(line.row_total))
        included = _round(_dec(line.price_incl_tax) * _dec(line.qty)) == _round(
            _dec(line.row_total_incl_tax)
        )
        if included != excluded:
            votes.add(included)
    return votes.pop() if len(votes) == 1 else None


def _carries_price(item: Mapping[str, Any]) -> bool:
    what = f"item {item.get('item_id', '?')}"
    return bool(_num(item.get("price"), f"{what} price") or _num(item.get("row_total"), what))


def _lines(items: Sequence[Mapping[str, Any]]) -> tuple[Line, ...]:
    children: dict[int, list[Mapping[str, Any]]] = {}
    tops: list[Mapping[str, Any]] = []
    ids = {_int(i.get("item_id"), "item_id") for i in items}
    for item in items:
        parent = _int(item.get("parent_item_id"), "parent_item_id")
        if parent is None:
            tops.append(item)
        elif parent not in ids:
            raise MappingError(f"item {item.get('item_id')} belongs to missing item {parent}")
        else:
            children.setdefault(parent, []).append(item)
    lines: list[Line] = []
    for item in tops:
        item_id = _int(item.get("item_id"), "item_id")
        kids = children.get(item_id, []) if item_id is not None else []
        if not kids:
            lines.append(_line(item))
        elif item.get("product_type") == "configurable":
            lines.append(_line(item, sku_item=kids[0]))
        elif any(_carries_price(k) for k in kids):
            lines.extend(_line(k, parent_item_id=item_id) for k in kids)
        else:
            lines.append(_line(item))
            lines.extend(_line(k, parent_item_id=item_id, priced=False) for k in kids)
    return tuple(line for line in lines if line.qty)


def _shipping_tax_percent(payload: Mapping[str, Any], lines: Iterable[Line]) -> float:
    """Magento says the shipping rate only in `item_applied_taxes`; else it is derived.

    Derived: the order's line rate that reproduces the shipping tax to the cent (on the
    shipping amount, with or without its discount), else the plain ratio.
    """
    what = f"order {payload.get('increment_id', '?')}"
    for entry in (payload.get("extension_attributes") or {}).get("item_applied_taxes") or ():
        if (entry or {}).get("type") == "shipping":
            taxes = entry.get("applied_taxes") or ()
            return _rate(sum(_num(t.get("percent"), f"{what} shipping tax") for t in taxes))
    tax = _num(payload.get("shipping_tax_amount"), f"{what} shipping_tax_amount")
    if not tax:
        return 0.0
    amount = _num(payload.get("shipping_amount"), f"{what} shipping_amount")
    discount = abs(_num(payload.get("shipping_discount_amount"), f"{what} shipping discount"))
    bases = [b for b in (amount - discount, amount) if b > 0]
    for rate in sorted({line.tax_percent for line in lines if line.tax_percent}):
        if any(_round(_dec(b) * _dec(rate) / 100) == _round(_dec(tax)) for b in bases):
            return rate
    if not bases:
        raise MappingError(f"{what} has shipping tax {tax:g} on no shipping amount")
    return round(tax / bases[0] * 100, 2)


def order(payload: Mapping[str, Any]) -> Order:
    """A Magento order (`GET /V1/orders/{id}` or one `items[]` entry of a search)."""
    increment_id = _text(payload.get("increment_id"))
    if not increment_id:
        raise MappingError(f"order {payload.get('entity_id', '?')} has no increment_id")
    what = f"order {increment_id}"
    items = payload.get("items") or []
    if not items:
        raise MappingError(f"{what} has no items")
    lines = _lines(items)
    if not lines:
        raise MappingError(f"{what} has no items with a quantity")
    billing, shipping = order_addresses(payload)
    shipping_method = shipping_method_of_order(payload)
    customer_id = _int(payload.get("customer_id"), "customer_id")
    guest_flag = _num(payload.get("customer_is_guest"), f"{what} customer_is_guest")
    email = _text(payload.get("customer_email"))

    def amount(key: str) -> float:
        return abs(_num(payload.get(key), f"{what} {key}"))

    shipping_amount = _num(payload.get("shipping_amount"), f"{what} shipping_amount")
    shipping_rate = _shipping_tax_percent(payload, lines)
    ship_discount = amount("shipping_discount_amount")
    ship_compensation = amount("shipping_discount_tax_compensation_amount")
    ship_discount_excl = ship_discount - ship_compensation
    return Order(
        increment_id=increment_id,
        entity_id=_int(payload.get("entity_id"), "entity_id"),
        state=_text(payload.get("state")),
        status=_text(payload.get("status")),
        created_at=_utc(payload.get("created_at"), f"{what} created_at"),
        updated_at=(
            _utc(payload["updated_at"], f"{what} updated_at") if payload.get("updated_at") else None
        ),
        currency=_text(payload.get("order_currency_code")),
        customer_email=email.lower() if email else None,
        customer_id=None if guest_flag else customer_id,
        is_guest=bool(guest_flag) or customer_id is None,
        store_id=_int(payload.get("store_id"), "store_id"),
        payment_method=payment_method_of_order(payload).code,
        shipping_method=shipping_method.code if shipping_method else None,
        shipping_description=_text(payload.get("shipping_description")),
        shipping_amount=shipping_amount,
        shipping_tax_amount=_num(payload.get("shipping_tax_amount"), f"{what} shipping tax"),
        shipping_tax_percent=shipping_rate,
        shipping_discount_amount=ship_discount_excl,
        discount_amount=amount("discount_amount"),
        discount_description=_text(payload.get("discount_description")),
        tax_amount=_num(payload.get("tax_amount"), f"{what} tax_amount"),
        subtotal=_num(payload.get("subtotal"), f"{what} subtotal"),
        grand_total=_num(payload.get("grand_total"), f"{what} grand_total", default=None),
        relation_parent_id=_int(payload.get("relation_parent_id"), "relation_parent_id"),
        lines=lines,
        billing=billing,
        shipping=shipping,
        shipping_incl_tax=_num(
            payload.get("shipping_incl_tax"), f"{what} shipping_incl_tax", default=shipping_amount
        ),
        shipping_discount_excl_tax=ship_discount_excl,
        shipping_discount_incl_tax=_gross(
            ship_discount_excl, ship_compensation, ship_discount, shipping_rate
        ),
        prices_include_tax=_prices_include_tax(lines),
    )


def is_online(o: Order, online_codes: set[str] | frozenset[str]) -> bool:
    """Paid at checkout: the invoice is posted and the payment registered on import."""
    return o.payment_method in online_codes


# --- Odoo values ------------------------------------------------------------------


def tax_rates(o: Order) -> list[float]:
    rates = [line.tax_percent for line in o.lines]
    if o.shipping_method:
        rates.append(o.shipping_tax_percent)
    return list(dict.fromkeys(_rate(r) for r in rates if r))


def missing_skus(o: Order, product_ids: Mapping[str, int]) -> list[str]:
    """SKUs with no Odoo product, in order: "product SKU X not found in Odoo"."""
    return list(dict.fromkeys(line.sku for line in o.lines if line.sku not in product_ids))


def missing_tax_rates(o: Order, tax_ids: Mapping[float, int]) -> list[float]:
    """Rates with no Odoo sale tax: "no Odoo sale tax of 8.25 %"."""
    known = {_rate(r) for r in tax_ids}
    return [r for r in tax_rates(o) if r not in known]


def choose_taxes(
    o: Order, candidates: Mapping[float, Sequence[Tax]], company_includes_tax: bool
) -> dict[float, int]:
    """The Odoo sale tax per rate of this order, among Odoo's taxes of that rate.

    Either kind can carry Magento's amounts (a tax-included line gets Magento's price
    including tax), but the kind the store prices in reproduces them best: the one the
    rows show (`prices_include_tax`), else the Odoo company's default, else the other.
    """
    prefer = o.prices_include_tax if o.prices_include_tax is not None else company_includes_tax
    chosen: dict[float, int] = {}
    for rate, taxes in candidates.items():
        ranked = sorted(taxes, key=lambda t: t.price_include != prefer)
        if ranked:
            chosen[_rate(rate)] = ranked[0].id
    return chosen


def _tax_of(rate: float, refs: OdooRefs) -> Tax | None:
    """The Odoo tax lines of this rate get, with what Odoo's arithmetic reads of it."""
    if not rate:
        return None
    by_rate = {_rate(r): tax_id for r, tax_id in refs.tax_ids.items()}
    tax_id = by_rate.get(_rate(rate))
    if tax_id is None:
        raise MappingError(f"no Odoo sale tax of {rate:g} %")
    return refs.taxes.get(tax_id) or Tax(tax_id, rate)


def _taxes(tax: Tax | None) -> list[tuple[int, int, list[int]]]:
    """`tax_id` commands; always explicit, so Odoo does not add the product's own taxes."""
    return [(6, 0, [tax.id] if tax else [])]


def _included(tax: Tax | None) -> bool:
    return bool(tax and tax.price_include)


def _discounts(o: Order, refs: OdooRefs) -> dict[float, float]:
    """Discount per tax rate, rounded to cents (as Magento charged them), including tax
    where the rate's Odoo tax is included in the price."""
    by_rate: dict[float, float] = {}
    for line in o.lines:
        if line.discount_amount:
            key = _rate(line.tax_percent)
            gross = _included(_tax_of(line.tax_percent, refs))
            amount = line.discount_incl_tax if gross else line.discount_amount
            by_rate[key] = by_rate.get(key, 0.0) + amount
    if o.shipping_discount_excl_tax:
        key = _rate(o.shipping_tax_percent)
        gross = _included(_tax_of(o.shipping_tax_percent, refs))
        amount = o.shipping_discount_incl_tax if gross else o.shipping_discount_excl_tax
        by_rate[key] = by_rate.get(key, 0.0) + amount
    return {r: float(_round(_dec(a))) for r, a in by_rate.items() if _round(_dec(a))}


def _discount_name(o: Order, rate: float, several: bool) -> str:
    name = f"Discount ({o.discount_description})" if o.discount_description else "Discount"
    return f"{name}, tax {rate:g} %" if several else name


def sale_order_values(o: Order, refs: OdooRefs) -> dict[str, Any]:
    """`sale.order` create values, with its lines as (0, 0, values) commands.

    A line whose Odoo tax is included in the price carries Magento's price including tax
    (`price_incl_tax`, `shipping_incl_tax`, the discount including its tax), so Odoo
    takes the tax out of the amount the customer paid, as Magento did.
    """
    missing = missing_skus(o, refs.product_ids)
    if missing:
        raise MappingError(f"product SKU {missing[0]} not found in Odoo")
    lines: list[tuple[int, int, dict[str, Any]]] = []
    for line in o.lines:
        tax = _tax_of(line.tax_percent, refs)
        lines.append(
            (
                0,
                0,
                {
                    "product_id": refs.product_ids[line.sku],
                    "name": line.name,
                    "product_uom_qty": line.qty,
                    "price_unit": line.price_incl_tax if _included(tax) else line.price_unit,
                    "tax_id": _taxes(tax),
                },
            )
        )
    if o.shipping_method:
        if refs.carrier_product_id is None:
            raise MappingError(f"no Odoo carrier for shipping method {o.shipping_method}")
        tax = _tax_of(o.shipping_tax_percent, refs)
        lines.append(
            (
                0,
                0,
                {
                    "product_id": refs.carrier_product_id,
                    "name": o.shipping_description or o.shipping_method,
                    "product_uom_qty": 1,
                    "price_unit": o.shipping_incl_tax if _included(tax) else o.shipping_amount,
                    "is_delivery": True,
                    "tax_id": _taxes(tax),
                },
            )
        )
    discounts = _discounts(o, refs)
    if discounts and refs.discount_product_id is None:
        raise MappingError(f"order {o.increment_id} has a discount but no discount product is set")
    for rate, discount in sorted(discounts.items()):
        lines.append(
            (
                0,
                0,
                {
                    "product_id": refs.discount_product_id,
                    "name": _discount_name(o, rate, len(discounts) > 1),
                    "product_uom_qty": 1,
                    "price_unit": -discount,
                    "tax_id": _taxes(_tax_of(rate, refs)),
                },
            )
        )
    values: dict[str, Any] = {
        "partner_id": refs.partner_id,
        "partner_invoice_id": refs.invoice_partner_id,
        "partner_shipping_id": refs.shipping_partner_id,
        "client_order_ref": o.increment_id,
        "origin": f"Magento {o.increment_id}",
        "date_order": o.created_at,
        "order_line": lines,
    }
    optional = {
        "carrier_id": refs.carrier_id if o.shipping_method else None,
        "payment_term_id": refs.payment_term_id,
        "team_id": refs.team_id,
        "pricelist_id": refs.pricelist_id,
        "currency_id": refs.currency_id,
    }
    values.update({k: v for k, v in optional.items() if v is not None})
    return values


def content_fingerprint(o: Order) -> str:
    """What an import takes from an order besides its addresses: lines, shipping and totals
    (a later difference means the order was changed in Magento after import)."""
    return fingerprint(
        {
            "lines": [
                [
                    ln.sku,
                    ln.qty,
                    ln.price_unit,
                    ln.price_incl_tax,
                    ln.discount_amount,
                    ln.tax_percent,
                ]
                for ln in o.lines
            ],  # fmt: skip
            "shipping": [o.shipping_method, o.shipping_amount, o.shipping_discount_amount],
            "totals": [o.currency, o.grand_total, o.tax_amount],
        }
    )


# --- Odoo's arithmetic ------------------------------------------------------------


def _dec(value: Any) -> Decimal:
    """A float as the decimal it was written as (0.1 -> 0.1), as Odoo's rounding sees it."""
    return Decimal(repr(float(value)))


def _round(value: Decimal) -> Decimal:
    """Odoo's HALF-UP rounding to the currency's cents."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _cents(value: float) -> float:
    return float(_round(_dec(value)))


def _tax_ids_of(commands: Iterable[Sequence[Any]]) -> list[int]:
    ids: list[int] = []
    for command in commands or ():
        if command[0] == 6:
            ids = list(command[2])
        elif command[0] == 4:
            ids.append(command[1])
        elif command[0] == 5:
            ids = []
    return ids


def base_lines(values: Mapping[str, Any]) -> list[BaseLine]:
    """The order's lines as Odoo stores them: `price_unit` and `discount` to 2 digits."""
    out = []
    for command in values.get("order_line") or ():
        if command[0] != 0:
            raise MappingError(f"order line command {command[0]} is not a create")
        line = command[2]
        out.append(
            BaseLine(
                price_unit=_cents(line.get("price_unit") or 0),
                quantity=float(line.get("product_uom_qty") or 0),
                tax_ids=tuple(_tax_ids_of(line.get("tax_id"))),
                discount=_cents(line.get("discount") or 0),
            )
        )
    return out


def odoo_amounts(
    values: Mapping[str, Any],
    taxes: Mapping[int, Tax | float],
    rounding: RoundingMethod = "round_per_line",
    precision: float = 0.01,
) -> Amounts:
    """`amount_untaxed`, `amount_tax`, `amount_total` Odoo 18 stores for these values.

    `taxes` maps the Odoo tax ids on the lines to their `Tax`, or to a plain percent for
    a tax excluded from the price. See `bridge.mappers.odoo_amounts` for the arithmetic.
    """
    known = {
        tax_id: tax if isinstance(tax, Tax) else Tax(tax_id, float(tax))
        for tax_id, tax in taxes.items()
    }
    lines = base_lines(values)
    for line in lines:
        for tax_id in line.tax_ids:
            if tax_id not in known:
                raise MappingError(f"Odoo tax {tax_id} has no known rate")
    return amounts(lines, known, rounding, precision)


def expected_total(
    values: Mapping[str, Any],
    taxes: Mapping[int, Tax | float],
    rounding: RoundingMethod = "round_per_line",
) -> float:
    """The `amount_total` Odoo 18 computes for these values."""
    return odoo_amounts(values, taxes, rounding).total


def totals_match(expected: float, grand_total: float) -> bool:
    """Odoo's total is Magento's `grand_total` to the cent (compared in cents)."""
    return _round(_dec(expected)) == _round(_dec(grand_total))


# --- Magento's totals in Odoo ---------------------------------------------------------

#: Half a cent: the most one rounding can move an amount.
_HALF_CENT = 0.005


@dataclass(frozen=True)
class TotalsCheck:
    """Odoo's amounts for an order's values, against what Magento charged.

    The gaps are what Odoo's rounding (per line or global, `rounding`) leaves apart from
    Magento's (per row, carrying remainders); the slack is the most that rounding can
    explain for these lines, so a larger gap is a real difference, not a rounding.
    """

    odoo: Amounts
    rounding: RoundingMethod
    magento_tax: float
    magento_total: float
    tax_gap: float
    untaxed_gap: float
    tax_slack: float
    untaxed_slack: float
    #: The Odoo tax whose group takes the tax adjustment: the one with the most tax.
    main_tax_id: int | None
    #: The Odoo currency's rounding.
    precision: float = 0.01

    @property
    def exact(self) -> bool:
        return not self.tax_gap and not self.untaxed_gap

    @property
    def adjustable(self) -> bool:
        """Rounding explains the gaps (and a tax gap has a tax to adjust)."""
        within = (
            abs(self.tax_gap) <= self.tax_slack + 1e-9
            and abs(self.untaxed_gap) <= self.untaxed_slack + 1e-9
        )
        return within and (not self.tax_gap or self.main_tax_id is not None)


def _slack(o: Order, refs: OdooRefs) -> tuple[float, float]:
    """(tax, untaxed): the most rounding can move each, Odoo's and Magento's together.

    Odoo rounds each taxed line's tax (and, for a tax included in the price, the base it
    leaves); Magento rounds once per rate chain. A line priced in the other kind than the
    store's (a tax-included Odoo tax on a tax-excluded catalog, or the reverse) carries a
    unit price Magento rounded, so up to half a cent per unit.
    """
    tax = untaxed = 0.0
    rates: set[float] = set()
    included_rates: set[float] = set()

    def line(rate: float, qty: float) -> None:
        nonlocal tax, untaxed
        odoo_tax = _tax_of(rate, refs)
        if odoo_tax is None:
            return
        rates.add(_rate(rate))
        tax += _HALF_CENT
        if odoo_tax.price_include:
            untaxed += _HALF_CENT
            included_rates.add(_rate(rate))
        if o.prices_include_tax is not None and odoo_tax.price_include != o.prices_include_tax:
            tax += _HALF_CENT * abs(qty)
            untaxed += _HALF_CENT * abs(qty)

    for item in o.lines:
        line(item.tax_percent, item.qty)
    if o.shipping_method:
        line(o.shipping_tax_percent, 1)
    for rate in _discounts(o, refs):
        line(rate, 1)
    tax += _HALF_CENT * len(rates)
    # Magento's row totals excluding tax are what its rounded row taxes leave.
    untaxed += _HALF_CENT * len(rates if o.prices_include_tax else included_rates)
    return tax, untaxed


def check_totals(
    o: Order,
    values: Mapping[str, Any],
    refs: OdooRefs,
    rounding: RoundingMethod,
    precision: float = 0.01,
) -> TotalsCheck:
    """What Odoo would store for `values`, against Magento's `tax_amount` and `grand_total`;
    `precision`: the Odoo currency's rounding."""
    used = {tax_id for line in base_lines(values) for tax_id in line.tax_ids}
    taxes: dict[int, Tax | float] = {}
    for rate, tax_id in refs.tax_ids.items():
        taxes[tax_id] = refs.taxes.get(tax_id) or Tax(tax_id, rate)
    taxes.update({k: v for k, v in refs.taxes.items() if k in used})
    odoo = odoo_amounts(values, taxes, rounding, precision)
    magento_untaxed = float(_round(_dec(o.grand_total)) - _round(_dec(o.tax_amount)))
    percent = {k: v for k, v in odoo.by_tax.items() if _is_percent(taxes.get(k))}
    tax_slack, untaxed_slack = _slack(o, refs)
    return TotalsCheck(
        odoo=odoo,
        rounding=rounding,
        magento_tax=_cents(o.tax_amount),
        magento_total=_cents(o.grand_total),
        tax_gap=_cents(o.tax_amount - odoo.tax),
        untaxed_gap=_cents(magento_untaxed - odoo.untaxed),
        tax_slack=tax_slack,
        untaxed_slack=untaxed_slack,
        main_tax_id=max(percent, key=lambda k: abs(percent[k])) if percent else None,
        precision=precision,
    )


def _is_percent(tax: Tax | float | None) -> bool:
    return tax is not None and (not isinstance(tax, Tax) or tax.amount_type == "percent")


@dataclass(frozen=True)
class Adjustment:
    """Where an order's rounding adjustment goes in Odoo (see `adjust`).

    `plus_tax_id` / `minus_tax_id`: fixed taxes of +0.01 and -0.01 per unit, excluded
    from the price, in the group (and on the accounts) of the order's main tax.
    """

    product_id: int
    plus_tax_id: int | None = None
    minus_tax_id: int | None = None


def adjust(values: dict[str, Any], check: TotalsCheck, where: Adjustment) -> dict[str, Any]:
    """`values` with the lines that make Odoo's amounts Magento's to the cent.

    Odoo rounds a percent tax the way it does and no RPC-settable field on a sale order
    overrides it, so the difference is added as lines of its own: a tax gap of n cents is
    n units of a fixed tax of +/-0.01 (a fixed tax counts per unit, on no base), and an
    untaxed gap is the price of those units or a line of its own. The tax adjustment
    lands in the group of the order's tax, so Odoo's tax per group is Magento's too.
    """
    extra: list[tuple[int, int, dict[str, Any]]] = []
    cents = round(abs(check.tax_gap) * 100)
    untaxed = check.untaxed_gap
    if cents:
        per_unit = _round(_dec(untaxed) / cents)
        fits = per_unit * cents == _round(_dec(untaxed))
        tax_id = where.plus_tax_id if check.tax_gap > 0 else where.minus_tax_id
        if tax_id is None:
            raise MappingError("a tax rounding line needs the fixed rounding taxes")
        extra.append((0, 0, {
            "product_id": where.product_id,
            "name": f"Tax rounding (Magento): {check.tax_gap:+.2f}",
            "product_uom_qty": cents,
            "price_unit": float(per_unit) if fits else 0.0,
            "tax_id": [(6, 0, [tax_id])],
        }))  # fmt: skip
        untaxed = 0.0 if fits else untaxed
    if untaxed:
        extra.append((0, 0, {
            "product_id": where.product_id,
            "name": f"Rounding (Magento): {untaxed:+.2f}",
            "product_uom_qty": 1,
            "price_unit": untaxed,
            "tax_id": [(6, 0, [])],
        }))  # fmt: skip
    return {**values, "order_line": [*values["order_line"], *extra]}


def adjustment_note(check: TotalsCheck) -> str:
    """What was adjusted, for the order's chatter."""
    parts = []
    if check.tax_gap:
        parts.append(f"tax {check.tax_gap:+.2f}")
    if check.untaxed_gap:
        parts.append(f"untaxed amount {check.untaxed_gap:+.2f}")
    return (
        f"Magento's totals kept to the cent: with its tax rounding ({check.rounding}) Odoo "
        f"computes tax {check.odoo.tax:.2f} and total {check.odoo.total:.2f}, Magento charged "
        f"tax {check.magento_tax:.2f} and total {check.magento_total:.2f}. Rounding lines "
        f"added: {', '.join(parts)}."
    )


def _precision_note(check: TotalsCheck) -> str:
    if check.precision == 0.01:
        return ""
    return f"; the Odoo currency rounds to {check.precision:g}, Magento to the cent"


def totals_refusal(o: Order, check: TotalsCheck) -> str:
    """Why an order is refused on its totals, with both amounts and what to change."""
    return (
        f"Odoo would total {check.odoo.total:.2f} (tax {check.odoo.tax:.2f}) but Magento's "
        f"grand_total is {o.grand_total:.2f} (tax {o.tax_amount:.2f}); that is more than "
        f"rounding can explain ({check.rounding}{_precision_note(check)}): check that each "
        "Odoo tax has the rate "
        "Magento applied and that the order's discounts, shipping and fees are all in Magento's "
        "items, then retry this log"
    )
