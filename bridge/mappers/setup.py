"""Store structure and setup mappings: Magento payloads -> our rows -> Odoo values.

What becomes what in Odoo:
- website        -> sales team (`crm.team`), so orders can carry their website
- customer group -> partner tag (`res.partner.category`) under a "Magento" tag
- payment method -> journal (`account.journal`): bank, or cash for cash on delivery;
                    marked online (paid at checkout) or offline (paid later)
- shipping method-> delivery carrier (`delivery.carrier`) with its service product
Stores, store views and attribute sets stay in Bridge: Odoo has no such concept,
later syncs read them (store codes for URLs, attribute set ids for products).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bridge.mappers.errors import MappingError

#: Magento's admin scope (website/store/view id 0) is not a sales channel.
ADMIN_ID = 0
#: Magento entity type of products (catalog_product) for attribute sets.
PRODUCT_ENTITY_TYPE_ID = 4
#: Core Magento methods where money is not taken at checkout.
OFFLINE_PAYMENT_METHODS = frozenset(
    {"checkmo", "banktransfer", "cashondelivery", "purchaseorder", "free", "companycredit"}
)
#: Offline methods where cash changes hands, so the Odoo journal is a cash journal.
CASH_PAYMENT_METHODS = frozenset({"cashondelivery"})
#: Name of the parent partner tag under which customer groups are created.
GROUP_TAG_PARENT = "Magento"


def _require(payload: Mapping[str, Any], *keys: str, what: str) -> None:
    missing = [k for k in keys if payload.get(k) in (None, "")]
    if missing:
        raise MappingError(f"{what} lacks {', '.join(missing)}")


def _int(payload: Mapping[str, Any], key: str) -> int | None:
    value = payload.get(key)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise MappingError(f"{key} is not a number: {value!r}") from exc


@dataclass(frozen=True)
class WebsiteRow:
    magento_id: int
    code: str
    name: str
    default_group_id: int | None


@dataclass(frozen=True)
class StoreRow:
    magento_id: int
    website_magento_id: int
    code: str | None
    name: str
    root_category_id: int | None
    default_store_id: int | None


@dataclass(frozen=True)
class StoreViewRow:
    magento_id: int
    website_magento_id: int
    store_magento_id: int
    code: str
    name: str
    is_active: bool
    locale: str | None
    base_currency: str | None
    timezone: str | None
    weight_unit: str | None


@dataclass(frozen=True)
class AttributeSetRow:
    magento_id: int
    name: str
    sort_order: int


@dataclass(frozen=True)
class CustomerGroupRow:
    magento_id: int
    code: str
    tax_class_id: int | None
    tax_class_name: str | None


@dataclass(frozen=True)
class PaymentMethodRow:
    code: str
    title: str
    online: bool
    offered: bool


@dataclass(frozen=True)
class ShippingMethodRow:
    code: str
    carrier_code: str
    title: str


def is_admin_scope(payload: Mapping[str, Any]) -> bool:
    return payload.get("id") == ADMIN_ID


def website(payload: Mapping[str, Any]) -> WebsiteRow:
    _require(payload, "id", "code", "name", what="website")
    return WebsiteRow(
        magento_id=int(payload["id"]),
        code=str(payload["code"]),
        name=str(payload["name"]),
        default_group_id=_int(payload, "default_group_id"),
    )


def team_values(row: WebsiteRow) -> dict[str, Any]:
    return {"name": f"Magento {row.name}"}


def store(payload: Mapping[str, Any]) -> StoreRow:
    _require(payload, "id", "website_id", "name", what="store")
    return StoreRow(
        magento_id=int(payload["id"]),
        website_magento_id=int(payload["website_id"]),
        code=payload.get("code"),
        name=str(payload["name"]),
        root_category_id=_int(payload, "root_category_id"),
        default_store_id=_int(payload, "default_store_id"),
    )


def store_view(payload: Mapping[str, Any], config: Mapping[str, Any] | None) -> StoreViewRow:
    """A store view, with its locale and currency from the matching store config."""
    _require(payload, "id", "code", "name", "website_id", "store_group_id", what="store view")
    config = config or {}
    return StoreViewRow(
        magento_id=int(payload["id"]),
        website_magento_id=int(payload["website_id"]),
        store_magento_id=int(payload["store_group_id"]),
        code=str(payload["code"]),
        name=str(payload["name"]),
        is_active=bool(payload.get("is_active", 1)),
        locale=config.get("locale"),
        base_currency=config.get("base_currency_code"),
        timezone=config.get("timezone"),
        weight_unit=config.get("weight_unit"),
    )


def attribute_set(payload: Mapping[str, Any]) -> AttributeSetRow:
    _require(payload, "attribute_set_id", "attribute_set_name", what="attribute set")
    return AttributeSetRow(
        magento_id=int(payload["attribute_set_id"]),
        name=str(payload["attribute_set_name"]),
        sort_order=_int(payload, "sort_order") or 0,
    )


def is_product_attribute_set(payload: Mapping[str, Any]) -> bool:
    return payload.get("entity_type_id") in (None, PRODUCT_ENTITY_TYPE_ID)


def customer_group(payload: Mapping[str, Any]) -> CustomerGroupRow:
    if payload.get("id") is None:
        raise MappingError("customer group lacks id")
    _require(payload, "code", what="customer group")
    return CustomerGroupRow(
        magento_id=int(payload["id"]),
        code=str(payload["code"]).strip(),
        tax_class_id=_int(payload, "tax_class_id"),
        tax_class_name=payload.get("tax_class_name"),
    )


def partner_tag_values(row: CustomerGroupRow, parent_id: int) -> dict[str, Any]:
    return {"name": row.code, "parent_id": parent_id}


def payment_method(payload: Mapping[str, Any], *, offered: bool = True) -> PaymentMethodRow:
    """A method offered at checkout (`{"code", "title"}`)."""
    _require(payload, "code", what="payment method")
    code = str(payload["code"])
    return PaymentMethodRow(
        code=code,
        title=str(payload.get("title") or code),
        online=code not in OFFLINE_PAYMENT_METHODS,
        offered=offered,
    )


def payment_method_of_order(order: Mapping[str, Any]) -> PaymentMethodRow:
    """The payment method an order was paid with; its title is the first additional info."""
    payment = order.get("payment") or {}
    code = payment.get("method")
    if not code:
        raise MappingError(f"order {order.get('increment_id', '?')} has no payment method")
    info = payment.get("additional_information") or []
    title = info[0] if info and isinstance(info[0], str) else code
    return payment_method({"code": code, "title": title}, offered=False)


def journal_code(method_code: str) -> str:
    """A stable 5-character journal code ("M" + 4 base-36 digits of a CRC of the method code).

    Odoo wants journal codes unique per company and at most 5 characters; deriving
    it from the method code makes it the natural key a retried import finds.
    """
    n = zlib.crc32(method_code.encode()) % 36**4
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = digits[r] + out
    return "M" + out


def journal_values(row: PaymentMethodRow) -> dict[str, Any]:
    return {
        "name": f"Magento {row.title}",
        "code": journal_code(row.code),
        "type": "cash" if row.code in CASH_PAYMENT_METHODS else "bank",
    }


def shipping_method_of_order(order: Mapping[str, Any]) -> ShippingMethodRow | None:
    """The shipping method of an order; None for virtual orders (nothing shipped)."""
    method = None
    ext = order.get("extension_attributes") or {}
    for assignment in ext.get("shipping_assignments") or []:
        method = ((assignment or {}).get("shipping") or {}).get("method") or method
    method = method or order.get("shipping_method")
    if not method:
        return None
    carrier_code = str(method).split("_", 1)[0]
    title = order.get("shipping_description") or str(method)
    return ShippingMethodRow(code=str(method), carrier_code=carrier_code, title=str(title))


def carrier_product_code(row: ShippingMethodRow) -> str:
    """Natural key of the carrier's service product: how a retried import finds it."""
    return f"MAGENTO-SHIP-{row.code}"


def carrier_product_values(row: ShippingMethodRow) -> dict[str, Any]:
    return {
        "name": f"Magento {row.title}",
        "default_code": carrier_product_code(row),
        "type": "service",
        "sale_ok": False,
        "purchase_ok": False,
        "list_price": 0.0,
    }


def carrier_values(row: ShippingMethodRow, product_id: int) -> dict[str, Any]:
    # Fixed at 0: the imported order carries the price Magento charged.
    return {
        "name": f"Magento {row.title}",
        "product_id": product_id,
        "delivery_type": "fixed",
        "fixed_price": 0.0,
    }
