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
tax and needs no Odoo tax. Amounts are in the order's currency (not the base currency).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bridge.mappers.customer import Address, order_addresses
from bridge.mappers.errors import MappingError
from bridge.mappers.setup import payment_method_of_order, shipping_method_of_order

_ITEM_FIELDS = (
    "item_id,parent_item_id,sku,name,product_type,qty_ordered,price,row_total,"
    "discount_amount,discount_tax_compensation_amount,tax_percent"
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
    "shipping_tax_amount,shipping_discount_amount,discount_amount,discount_description,"
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


@dataclass(frozen=True)
class OdooRefs:
    """The Odoo ids an order's values point to, looked up by the use case."""

    partner_id: int
    invoice_partner_id: int
    shipping_partner_id: int
    product_ids: Mapping[str, int]
    #: Magento percent (8.25) -> Odoo sale tax id.
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
    discount = _num(item.get("discount_amount"), f"{what} discount_amount") - _num(
        item.get("discount_tax_compensation_amount"), f"{what} discount_tax_compensation_amount"
    )
    return Line(
        item_id=item_id or 0,
        sku=sku,
        name=_text(named.get("name")) or sku,
        qty=qty,
        price_unit=_num(item.get("price"), f"{what} price", default=None) if priced else 0.0,
        discount_amount=discount if priced else 0.0,
        tax_percent=_num(item.get("tax_percent"), f"{what} tax_percent"),
        product_type=str(named.get("product_type") or "simple"),
        parent_item_id=parent_item_id,
    )


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
        shipping_amount=_num(payload.get("shipping_amount"), f"{what} shipping_amount"),
        shipping_tax_amount=_num(payload.get("shipping_tax_amount"), f"{what} shipping tax"),
        shipping_tax_percent=_shipping_tax_percent(payload, lines),
        shipping_discount_amount=amount("shipping_discount_amount"),
        discount_amount=amount("discount_amount"),
        discount_description=_text(payload.get("discount_description")),
        tax_amount=_num(payload.get("tax_amount"), f"{what} tax_amount"),
        subtotal=_num(payload.get("subtotal"), f"{what} subtotal"),
        grand_total=_num(payload.get("grand_total"), f"{what} grand_total", default=None),
        relation_parent_id=_int(payload.get("relation_parent_id"), "relation_parent_id"),
        lines=lines,
        billing=billing,
        shipping=shipping,
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


def _taxes(rate: float, tax_ids: Mapping[float, int]) -> list[tuple[int, int, list[int]]]:
    """`tax_id` commands; always explicit, so Odoo does not add the product's own taxes."""
    if not rate:
        return [(6, 0, [])]
    by_rate = {_rate(r): tax_id for r, tax_id in tax_ids.items()}
    if _rate(rate) not in by_rate:
        raise MappingError(f"no Odoo sale tax of {rate:g} %")
    return [(6, 0, [by_rate[_rate(rate)]])]


def _discounts(o: Order) -> dict[float, float]:
    """Discount per tax rate, rounded to cents (as Magento charged them)."""
    by_rate: dict[float, float] = {}
    for line in o.lines:
        if line.discount_amount:
            key = _rate(line.tax_percent)
            by_rate[key] = by_rate.get(key, 0.0) + line.discount_amount
    if o.shipping_discount_amount:
        key = _rate(o.shipping_tax_percent)
        by_rate[key] = by_rate.get(key, 0.0) + o.shipping_discount_amount
    return {r: float(_round(_dec(a))) for r, a in by_rate.items() if _round(_dec(a))}


def _discount_name(o: Order, rate: float, several: bool) -> str:
    name = f"Discount ({o.discount_description})" if o.discount_description else "Discount"
    return f"{name}, tax {rate:g} %" if several else name


def sale_order_values(o: Order, refs: OdooRefs) -> dict[str, Any]:
    """`sale.order` create values, with its lines as (0, 0, values) commands."""
    missing = missing_skus(o, refs.product_ids)
    if missing:
        raise MappingError(f"product SKU {missing[0]} not found in Odoo")
    lines: list[tuple[int, int, dict[str, Any]]] = [
        (
            0,
            0,
            {
                "product_id": refs.product_ids[line.sku],
                "name": line.name,
                "product_uom_qty": line.qty,
                "price_unit": line.price_unit,
                "tax_id": _taxes(line.tax_percent, refs.tax_ids),
            },
        )
        for line in o.lines
    ]
    if o.shipping_method:
        if refs.carrier_product_id is None:
            raise MappingError(f"no Odoo carrier for shipping method {o.shipping_method}")
        lines.append(
            (
                0,
                0,
                {
                    "product_id": refs.carrier_product_id,
                    "name": o.shipping_description or o.shipping_method,
                    "product_uom_qty": 1,
                    "price_unit": o.shipping_amount,
                    "is_delivery": True,
                    "tax_id": _taxes(o.shipping_tax_percent, refs.tax_ids),
                },
            )
        )
    discounts = _discounts(o)
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
                    "tax_id": _taxes(rate, refs.tax_ids),
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


# --- Odoo's arithmetic ------------------------------------------------------------


def _dec(value: Any) -> Decimal:
    """A float as the decimal it was written as (0.1 -> 0.1), as Odoo's rounding sees it."""
    return Decimal(repr(float(value)))


def _round(value: Decimal) -> Decimal:
    """Odoo's HALF-UP rounding to the currency's cents."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


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


def expected_total(values: Mapping[str, Any], tax_rates: Mapping[int, float]) -> float:
    """The `amount_total` Odoo 18 computes for these values (taxes rounded per line).

    `price_unit` and `discount` are first rounded to 2 decimals, as Odoo stores them;
    each line's subtotal and each of its taxes (computed on the unrounded base, as Odoo
    18 does) are then rounded to the cent.
    """
    total = Decimal(0)
    for command in values.get("order_line") or ():
        if command[0] != 0:
            raise MappingError(f"order line command {command[0]} is not a create")
        line = command[2]
        price = _round(_dec(line.get("price_unit") or 0))
        discount = _round(_dec(line.get("discount") or 0))
        qty = _dec(line.get("product_uom_qty") or 0)
        base = price * (1 - discount / 100) * qty
        tax = Decimal(0)
        for tax_id in _tax_ids_of(line.get("tax_id")):
            if tax_id not in tax_rates:
                raise MappingError(f"Odoo tax {tax_id} has no known rate")
            tax += _round(base * _dec(tax_rates[tax_id]) / 100)
        subtotal = _round(base)
        total += subtotal + tax
    return float(total)


def totals_match(expected: float, grand_total: float) -> bool:
    """Odoo's total is Magento's `grand_total` within a cent (compared in cents)."""
    return abs(_round(_dec(expected)) - _round(_dec(grand_total))) <= _CENT
