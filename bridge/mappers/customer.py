"""Customers: Magento customers and guest orders -> our value types -> Odoo partners.

What becomes what in Odoo (`res.partner`):
- customer        -> one partner (customer_rank 1, ref = Magento customer id, the customer
                     group as a tag). It also carries the default billing address, so
                     Odoo shows an address and picks a fiscal position for it.
- company rule    -> a customer is a company when its default billing address has a
                     company name. Then that one partner is the company (named after it,
                     is_company set); the person's name lives on the address contacts.
                     No separate person contact: Magento has one login per company
                     account, so a second partner would only be a duplicate to match.
- addresses       -> child contacts of type "invoice" or "delivery":
                     the default billing address is the invoice contact; the default
                     shipping address and every other address-book entry are delivery
                     contacts (Magento's other addresses are places to ship to). One
                     address that is both default billing and default shipping yields
                     both an invoice and a delivery contact, so Odoo's address lookup
                     finds each type among the children instead of falling back to the
                     parent.
- guest orders    -> a customer without Magento id, keyed by e-mail (lower case), so all
                     the orders of one guest land on one partner. A guest is never a
                     registered customer, even with the same e-mail: guests and accounts
                     are matched apart (see `bridge.sync.partners`), so a guest order never
                     writes over a customer's partner.

An address contact is its content: `address_key` (kept in its `ref`) hashes the
normalized address (not the phone or e-mail) with its kind, whether it comes from the
address book or from an order, so one address is one invoice and one delivery contact
however many orders and re-imports use it. A changed address is a new contact; the old
one stays with the orders that used it (a contact is never rewritten to another address).

Regions: Odoo's state by the region code within the country, else by the region's name
(Magento has no code for countries without a region list, or when typed as text); a
region Odoo does not know is kept in the address text (`street2`), never dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bridge.mappers.errors import MappingError

AddressKind = Literal["invoice", "delivery"]


@dataclass(frozen=True)
class Address:
    magento_id: int | None
    kind: AddressKind
    name: str
    company: str | None
    street: tuple[str, ...]
    city: str | None
    zip: str | None
    country_code: str | None
    region_code: str | None
    region_name: str | None
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class Customer:
    magento_id: int | None
    email: str
    firstname: str | None
    lastname: str | None
    name: str
    company: str | None
    group_id: int | None
    addresses: tuple[Address, ...]
    is_guest: bool

    @property
    def invoice_address(self) -> Address | None:
        return next((a for a in self.addresses if a.kind == "invoice"), None)

    @property
    def delivery_address(self) -> Address | None:
        return next((a for a in self.addresses if a.kind == "delivery"), None)


def _text(value: Any) -> str | None:
    """Trimmed text, None for Magento's empty values."""
    if value is None or value is False:
        return None
    text = " ".join(str(value).split())
    return text or None


def _id(value: Any, what: str) -> int | None:
    """A Magento id; 0 and "0" mean "none" (e.g. `default_billing` "0", guest address id 0)."""
    if value in (None, "", 0, "0"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise MappingError(f"{what} is not a number: {value!r}") from exc


def _group_id(value: Any) -> int | None:
    """A customer group id; 0 is a real group ("NOT LOGGED IN", the guests' group)."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise MappingError(f"customer group id is not a number: {value!r}") from exc


def _person_name(payload: Mapping[str, Any]) -> str:
    parts = (_text(payload.get(k)) for k in ("firstname", "middlename", "lastname"))
    return " ".join(p for p in parts if p)


def _email(value: Any, what: str) -> str:
    email = (_text(value) or "").lower()
    if not email:
        raise MappingError(f"{what} has no e-mail")
    return email


def _region(payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(code, name): customer addresses nest the region, order addresses flatten it."""
    region = payload.get("region")
    if isinstance(region, Mapping):
        return _text(region.get("region_code")), _text(region.get("region"))
    return _text(payload.get("region_code")), _text(region)


def address(payload: Mapping[str, Any], kind: AddressKind, *, magento_id: int | None) -> Address:
    """One Magento address (customer address book or order address) as an `Address`."""
    street = payload.get("street") or ()
    if isinstance(street, str):
        street = street.splitlines()
    region_code, region_name = _region(payload)
    country = _text(payload.get("country_id"))
    return Address(
        magento_id=magento_id,
        kind=kind,
        name=_person_name(payload),
        company=_text(payload.get("company")),
        street=tuple(s for s in (_text(line) for line in street) if s),
        city=_text(payload.get("city")),
        zip=_text(payload.get("postcode")),
        country_code=country.upper() if country else None,
        region_code=region_code,
        region_name=region_name,
        phone=_text(payload.get("telephone")),
        email=(_text(payload.get("email")) or "").lower() or None,
    )


def _book_addresses(payload: Mapping[str, Any]) -> tuple[Address, ...]:
    """The address book in Odoo order: invoice first, then default delivery, then the rest."""
    billing_id = _id(payload.get("default_billing"), "default_billing")
    shipping_id = _id(payload.get("default_shipping"), "default_shipping")
    invoice: list[Address] = []
    default_delivery: list[Address] = []
    other: list[Address] = []
    for raw in payload.get("addresses") or ():
        address_id = _id(raw.get("id"), "address id")
        is_billing = raw.get("default_billing") is True or (
            billing_id is not None and address_id == billing_id
        )
        is_shipping = raw.get("default_shipping") is True or (
            shipping_id is not None and address_id == shipping_id
        )
        if is_billing:
            invoice.append(address(raw, "invoice", magento_id=address_id))
        if is_shipping:
            default_delivery.append(address(raw, "delivery", magento_id=address_id))
        elif not is_billing:
            other.append(address(raw, "delivery", magento_id=address_id))
    return (*invoice[:1], *default_delivery[:1], *invoice[1:], *default_delivery[1:], *other)


def customer(payload: Mapping[str, Any]) -> Customer:
    """A registered Magento customer (`GET /V1/customers/{id}`)."""
    magento_id = _id(payload.get("id"), "customer id")
    if magento_id is None:
        raise MappingError("customer lacks id")
    addresses = _book_addresses(payload)
    billing = next((a for a in addresses if a.kind == "invoice"), None)
    return Customer(
        magento_id=magento_id,
        email=_email(payload.get("email"), f"customer {magento_id}"),
        firstname=_text(payload.get("firstname")),
        lastname=_text(payload.get("lastname")),
        name=_person_name(payload) or _email(payload.get("email"), f"customer {magento_id}"),
        company=billing.company if billing else None,
        group_id=_group_id(payload.get("group_id")),
        addresses=addresses,
        is_guest=False,
    )


def order_addresses(order: Mapping[str, Any]) -> tuple[Address, Address | None]:
    """(billing, shipping) of an order; shipping is None for virtual orders.

    Their `magento_id` is the customer's address-book id (`customer_address_id`), not the
    order address's own id, so the same address on many orders is one contact in Odoo.
    """
    raw_billing = order.get("billing_address")
    if not raw_billing:
        raise MappingError(f"order {order.get('increment_id', '?')} has no billing address")
    billing = address(
        raw_billing,
        "invoice",
        magento_id=_id(raw_billing.get("customer_address_id"), "customer_address_id"),
    )
    shipping = None
    ext = order.get("extension_attributes") or {}
    for assignment in ext.get("shipping_assignments") or ():
        raw = ((assignment or {}).get("shipping") or {}).get("address")
        if raw:
            shipping = address(
                raw,
                "delivery",
                magento_id=_id(raw.get("customer_address_id"), "customer_address_id"),
            )
            break
    return billing, shipping


def guest_customer(order_payload: Mapping[str, Any]) -> Customer:
    """The customer of a guest order: its e-mail is the only identity a guest has."""
    billing, shipping = order_addresses(order_payload)
    what = f"order {order_payload.get('increment_id', '?')}"
    firstname = _text(order_payload.get("customer_firstname"))
    lastname = _text(order_payload.get("customer_lastname"))
    name = " ".join(p for p in (firstname, lastname) if p) or billing.name
    email = _email(order_payload.get("customer_email") or billing.email, what)
    return Customer(
        magento_id=None,
        email=email,
        firstname=firstname,
        lastname=lastname,
        name=name or email,
        company=billing.company,
        group_id=_group_id(order_payload.get("customer_group_id")),
        addresses=(billing, shipping) if shipping else (billing,),
        is_guest=True,
    )


def is_company(c: Customer) -> bool:
    """A company when the default billing address names one (see the module docstring)."""
    return bool(c.company)


def _normalized(parts: Iterable[str | None]) -> str:
    return "\x1f".join(" ".join((p or "").lower().split()) for p in parts)


def address_key(a: Address) -> str:
    """Natural key of an address contact: its content and kind (see the module docstring)."""
    content = _normalized(
        (a.name, a.company, *a.street, a.city, a.zip, a.country_code, a.region_code, a.region_name)
    )
    digest = hashlib.sha256(content.encode()).hexdigest()[:20]
    return f"address-{digest}-{a.kind}"


#: What makes two address contacts of one partner the same contact (see `address_values`).
ADDRESS_IDENTITY = ("type", "name", "street", "street2", "city", "zip", "country_id", "state_id")


def state_key(country_code: str, text: str) -> tuple[str, str]:
    """The key of an Odoo state by code or by name: ("US", "mi"), ("US", "michigan")."""
    return country_code.upper(), " ".join(text.split()).casefold()


def _place_values(
    a: Address | None,
    country_ids: Mapping[str, int],
    state_ids: Mapping[tuple[str, str], int],
) -> dict[str, Any]:
    """The address fields Odoo keeps on any partner.

    `state_ids` holds each Odoo state under `state_key` of its code and of its name.
    """
    if a is None:
        return {}
    country_id: int | bool = False
    state_id: int | bool = False
    unplaced: str | None = None
    if a.country_code:
        if a.country_code not in country_ids:
            raise MappingError(f"country code {a.country_code} not found in Odoo")
        country_id = country_ids[a.country_code]
        for text in (a.region_code, a.region_name):
            if text and not state_id:
                state_id = state_ids.get(state_key(a.country_code, text), False)
    if not state_id:
        unplaced = a.region_name or a.region_code
    extra = [*a.street[1:], *([unplaced] if unplaced else [])]
    return {
        "street": a.street[0] if a.street else False,
        "street2": ", ".join(extra) or False,
        "city": a.city or False,
        "zip": a.zip or False,
        "country_id": country_id,
        "state_id": state_id,
        "phone": a.phone or False,
    }


def partner_values(
    c: Customer,
    *,
    tag_id: int | None,
    country_ids: Mapping[str, int],
    state_ids: Mapping[tuple[str, str], int],
) -> dict[str, Any]:
    """Create/write values of the customer's own partner (the company, or the person)."""
    company = is_company(c)
    values: dict[str, Any] = {
        "name": c.company if company else c.name,
        "email": c.email,
        "is_company": company,
        "company_type": "company" if company else "person",
        "customer_rank": 1,
        "ref": str(c.magento_id) if c.magento_id is not None else False,
        **_place_values(c.invoice_address, country_ids, state_ids),
    }
    if tag_id is not None:
        values["category_id"] = [(4, tag_id)]
    return values


def address_values(
    a: Address,
    *,
    parent_id: int,
    country_ids: Mapping[str, int],
    state_ids: Mapping[tuple[str, str], int],
) -> dict[str, Any]:
    """Create/write values of an address contact; its `ref` is `address_key(a)`."""
    return {
        "parent_id": parent_id,
        "type": a.kind,
        "name": a.name or a.company or False,
        "email": a.email or False,
        "ref": address_key(a),
        **_place_values(a, country_ids, state_ids),
    }
