"""What a page of orders points to in Odoo, looked up in one call per kind.

Products by SKU (`default_code`), sale taxes by rate, carriers and journals through
the setup bindings, sales teams through the store view's website, and pricelists for
orders in another currency than the company's. `refusal` says why an order cannot
be imported yet, in words a merchant can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.clients.odoo import OdooClient, m2o_id
from bridge.mappers import order as om
from bridge.models import PaymentMethod, StoreView
from bridge.sync import bindings

WITH_ARCHIVED = {"active_test": False}
DISCOUNT_PRODUCT_CODE = "MAGENTO-DISCOUNT"


@dataclass
class PageRefs:
    products: dict[str, int]
    #: Magento percent -> Odoo sale tax id.
    taxes: dict[float, int]
    #: Magento shipping method code -> Odoo carrier id, and carrier id -> its product id.
    carriers: dict[str, int]
    carrier_products: dict[int, int]
    #: Magento payment method code -> {"online": bool, "journal_id": int}.
    payments: dict[str, dict[str, Any]]
    #: Magento store view id -> Odoo sales team id.
    teams: dict[int, int]
    company_currency: str
    #: Currency code -> Odoo pricelist id, for the currencies other than the company's.
    pricelists: dict[str, int]

    def refusal(self, o: om.Order) -> str | None:
        """Why an order cannot be imported yet, or None."""
        if o.payment_method not in self.payments:
            return (
                f"unknown payment method {o.payment_method!r}: run `bridge import "
                "payment-methods` so it maps to an Odoo journal"
            )
        if o.shipping_method and o.shipping_method not in self.carriers:
            return (
                f"unknown shipping method {o.shipping_method!r}: run `bridge import "
                "shipping-methods` so it maps to an Odoo carrier"
            )
        missing = om.missing_skus(o, self.products)
        if missing:
            return (
                f"product SKU {', '.join(missing)} not found in Odoo (no product with that "
                "internal reference): import or create it, then retry this log"
            )
        if o.currency and o.currency != self.company_currency and o.currency not in self.pricelists:
            return (
                f"order in {o.currency}, Odoo's company currency is {self.company_currency}: "
                f"create an active Odoo pricelist in {o.currency} (and activate the currency), "
                "then retry"
            )
        rates = om.missing_tax_rates(o, self.taxes)
        if rates:
            shown = ", ".join(f"{r:g} %" for r in rates)
            return f"no Odoo sale tax of {shown} (percent, tax excluded): create it, then retry"
        return None


def load(
    session: Session, connection_id: int, odoo: OdooClient, orders: list[om.Order]
) -> PageRefs:
    """Everything these orders point to in Odoo."""
    skus = sorted({line.sku for o in orders for line in o.lines})
    products = {
        r["default_code"]: r["id"]
        for r in odoo.search_read(
            "product.product", [("default_code", "in", skus)], ["default_code"], order="id asc"
        )
    }
    methods = {o.shipping_method for o in orders if o.shipping_method}
    carriers = {
        k: b.odoo_id
        for k, b in bindings.by_keys(session, connection_id, "shipping_method", methods).items()
    }
    carrier_products: dict[int, int] = {}
    if carriers:
        for r in odoo.read("delivery.carrier", sorted(set(carriers.values())), ["product_id"]):
            carrier_products[r["id"]] = m2o_id(r["product_id"]) or 0
    company_currency, pricelists = _currencies(odoo, orders)
    return PageRefs(
        products=products,
        taxes=_taxes(odoo, orders),
        carriers=carriers,
        carrier_products=carrier_products,
        payments=payment_methods(session, connection_id, {o.payment_method for o in orders}),
        teams=_teams(session, connection_id, orders),
        company_currency=company_currency,
        pricelists=pricelists,
    )


def _taxes(odoo: OdooClient, orders: list[om.Order]) -> dict[float, int]:
    rates = sorted({rate for o in orders for rate in om.tax_rates(o)})
    taxes: dict[float, int] = {}
    if rates:
        for r in odoo.search_read(
            "account.tax",
            [
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("price_include", "=", False),
                ("amount", "in", rates),
            ],
            ["amount"],
            order="sequence, id",
        ):
            taxes.setdefault(round(float(r["amount"]), 4), r["id"])
    return taxes


def _currencies(odoo: OdooClient, orders: list[om.Order]) -> tuple[str, dict[str, int]]:
    """The company currency, and a pricelist per other currency the orders are in.

    Odoo 18 takes an order's currency from its pricelist, so an order in another
    currency than the company's needs a pricelist in that currency.
    """
    company = odoo.search_read("res.company", [], ["currency_id"], limit=1, order="id asc")
    ours = odoo.read("res.currency", [m2o_id(company[0]["currency_id"])], ["name"])[0]["name"]
    foreign = sorted({o.currency for o in orders if o.currency} - {ours})
    pricelists: dict[str, int] = {}
    if foreign:
        currencies = {
            r["id"]: r["name"]
            for r in odoo.search_read("res.currency", [("name", "in", foreign)], ["name"])
        }
        for r in odoo.search_read(
            "product.pricelist",
            [("currency_id", "in", list(currencies))],
            ["currency_id"],
            order="sequence, id",
        ):
            pricelists.setdefault(currencies[m2o_id(r["currency_id"]) or 0], r["id"])
    return ours, pricelists


def payment_methods(
    session: Session, connection_id: int, codes: set[str]
) -> dict[str, dict[str, Any]]:
    """Online flag and Odoo journal of the mapped payment methods among `codes`."""
    rows = session.scalars(
        select(PaymentMethod).where(
            PaymentMethod.connection_id == connection_id, PaymentMethod.code.in_(codes)
        )
    )
    journals = bindings.by_keys(session, connection_id, "payment_method", codes)
    return {
        r.code: {"online": r.online, "journal_id": journals[r.code].odoo_id}
        for r in rows
        if r.code in journals
    }


def _teams(session: Session, connection_id: int, orders: list[om.Order]) -> dict[int, int]:
    stores = {o.store_id for o in orders if o.store_id is not None}
    websites = {
        v.magento_id: str(v.website_magento_id)
        for v in session.scalars(
            select(StoreView).where(
                StoreView.connection_id == connection_id, StoreView.magento_id.in_(stores)
            )
        )
    }
    teams = bindings.by_keys(session, connection_id, "website", set(websites.values()))
    return {store: teams[w].odoo_id for store, w in websites.items() if w in teams}


def discount_product(odoo: OdooClient) -> int:
    """The service product of discount lines, found by its code or created once."""
    found = odoo.search(
        "product.product",
        [("default_code", "=", DISCOUNT_PRODUCT_CODE)],
        limit=1,
        context=WITH_ARCHIVED,
    )
    if found:
        return found[0]
    values = {
        "name": "Magento discount",
        "default_code": DISCOUNT_PRODUCT_CODE,
        "type": "service",
        "sale_ok": False,
        "purchase_ok": False,
        "list_price": 0.0,
        "taxes_id": [(6, 0, [])],
    }
    return odoo.create("product.product", [values])[0]
