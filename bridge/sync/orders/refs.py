"""What a page of orders points to in Odoo, looked up in one call per kind.

Products by SKU (`default_code`), sale taxes by rate (included in the price or not),
carriers and journals through the setup bindings, sales teams through the store view's
website, pricelists for orders in another currency than the company's, and the company's
tax rounding method (`tax_calculation_rounding_method`), which decides Odoo's last cent.
`refusal` says why an order cannot be imported yet, in words a merchant can act on.

`rounding_adjustment` finds or makes what an order's rounding lines need (see
`bridge.mappers.order.adjust`): a service product and, per sale tax, two fixed taxes of
+0.01 and -0.01 copied from it, so they keep its tax group and accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.clients.odoo import OdooClient, m2o_id
from bridge.mappers import order as om
from bridge.mappers.odoo_amounts import ROUNDING_METHODS, RoundingMethod, Tax
from bridge.models import PaymentMethod, StoreView
from bridge.sync import bindings

WITH_ARCHIVED = {"active_test": False}
DISCOUNT_PRODUCT_CODE = "MAGENTO-DISCOUNT"
ROUNDING_PRODUCT_CODE = "MAGENTO-ROUNDING"
#: The fixed taxes of rounding lines, named after the tax whose rounding they adjust.
ROUNDING_TAX_NAMES = {1: "{name} rounding +0.01 (Magento)", -1: "{name} rounding -0.01 (Magento)"}


@dataclass
class PageRefs:
    products: dict[str, int]
    #: Magento percent -> the Odoo sale taxes of that rate (included in the price or not).
    tax_candidates: dict[float, list[Tax]]
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
    #: The Odoo company's `tax_calculation_rounding_method`.
    rounding: RoundingMethod = "round_per_line"
    #: The Odoo company prices including tax by default (`account_price_include`, Odoo 18+).
    company_includes_tax: bool = False
    #: Currency code -> its Odoo `rounding` (0.01 for most), the precision of every amount.
    currency_rounding: dict[str, float] = field(default_factory=dict)

    def precision(self, o: om.Order) -> float:
        """The rounding of the currency Odoo will keep this order in."""
        return self.currency_rounding.get(o.currency or self.company_currency) or 0.01

    def taxes_for(self, o: om.Order) -> dict[float, int]:
        """The Odoo sale tax of each of this order's rates (`om.choose_taxes`)."""
        return om.choose_taxes(o, self.tax_candidates, self.company_includes_tax)

    @property
    def tax_details(self) -> dict[int, Tax]:
        return {t.id: t for taxes in self.tax_candidates.values() for t in taxes}

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
        rates = om.missing_tax_rates(o, {r: 0 for r in self.tax_candidates})
        if rates:
            shown = ", ".join(f"{r:g} %" for r in rates)
            return (
                f"no Odoo sale tax of {shown} (a percentage, included in the price or not): "
                "create it, then retry"
            )
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
    company = _company(odoo)
    company_currency, pricelists, currency_rounding = _currencies(odoo, orders, company)
    rounding = company.get("tax_calculation_rounding_method") or "round_per_line"
    if rounding not in ROUNDING_METHODS:
        rounding = "round_per_line"
    return PageRefs(
        products=products,
        tax_candidates=_taxes(odoo, orders),
        carriers=carriers,
        carrier_products=carrier_products,
        payments=payment_methods(session, connection_id, {o.payment_method for o in orders}),
        teams=_teams(session, connection_id, orders),
        company_currency=company_currency,
        pricelists=pricelists,
        rounding=rounding,
        company_includes_tax=company.get("account_price_include") == "tax_included",
        currency_rounding=currency_rounding,
    )


def _company(odoo: OdooClient) -> dict[str, Any]:
    """The company's currency and tax settings (`account_price_include` is Odoo 18's)."""
    fields = ["currency_id", "tax_calculation_rounding_method"]
    if odoo.major_version() >= 18:
        fields.append("account_price_include")
    return odoo.search_read("res.company", [], fields, limit=1, order="id asc")[0]


def _taxes(odoo: OdooClient, orders: list[om.Order]) -> dict[float, list[Tax]]:
    """Odoo's percent sale taxes of the orders' rates, per rate, in Odoo's order."""
    rates = sorted({rate for o in orders for rate in om.tax_rates(o)})
    taxes: dict[float, list[Tax]] = {}
    if rates:
        for r in odoo.search_read(
            "account.tax",
            [
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("amount", "in", rates),
            ],
            ["amount", "price_include"],
            order="sequence, id",
        ):
            rate = round(float(r["amount"]), 4)
            tax = Tax(r["id"], float(r["amount"]), "percent", bool(r["price_include"]))
            taxes.setdefault(rate, []).append(tax)
    return taxes


def _currencies(
    odoo: OdooClient, orders: list[om.Order], company: dict[str, Any]
) -> tuple[str, dict[str, int], dict[str, float]]:
    """The company currency, a pricelist per other currency the orders are in, and each
    of these currencies' rounding.

    Odoo 18 takes an order's currency from its pricelist, so an order in another
    currency than the company's needs a pricelist in that currency.
    """
    [own] = odoo.read("res.currency", [m2o_id(company["currency_id"])], ["name", "rounding"])
    ours = own["name"]
    rounding = {ours: float(own["rounding"] or 0.01)}
    foreign = sorted({o.currency for o in orders if o.currency} - {ours})
    pricelists: dict[str, int] = {}
    if foreign:
        rows = odoo.search_read("res.currency", [("name", "in", foreign)], ["name", "rounding"])
        currencies = {r["id"]: r["name"] for r in rows}
        rounding.update({r["name"]: float(r["rounding"] or 0.01) for r in rows})
        for r in odoo.search_read(
            "product.pricelist",
            [("currency_id", "in", list(currencies))],
            ["currency_id"],
            order="sequence, id",
        ):
            pricelists.setdefault(currencies[m2o_id(r["currency_id"]) or 0], r["id"])
    return ours, pricelists, rounding


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
    return _service_product(odoo, DISCOUNT_PRODUCT_CODE, "Magento discount")


def rounding_adjustment(odoo: OdooClient, tax: Tax | None) -> tuple[om.Adjustment, list[Tax]]:
    """Where an order's rounding lines go: the rounding product and, for `tax`, its fixed
    taxes of +0.01 and -0.01, found by name or made once (copies of `tax`, so they share
    its tax group and accounts). Returns them with the `Tax` details of the two taxes."""
    product = _service_product(odoo, ROUNDING_PRODUCT_CODE, "Magento rounding")
    if tax is None:
        return om.Adjustment(product, None, None), []
    source = odoo.read("account.tax", [tax.id], ["name"])[0]["name"]
    names = {sign: pattern.format(name=source) for sign, pattern in ROUNDING_TAX_NAMES.items()}
    found = {
        r["name"]: r["id"]
        for r in odoo.search_read(
            "account.tax",
            [("name", "in", list(names.values())), ("amount_type", "=", "fixed")],
            ["name"],
            order="id asc",
            context=WITH_ARCHIVED,
        )
    }
    ids: dict[int, int] = {}
    for sign, name in names.items():
        if name in found:
            ids[sign] = found[name]
            continue
        default = {
            "name": name,
            "amount_type": "fixed",
            "amount": 0.01 * sign,
            "price_include_override": "tax_excluded",
            "invoice_label": "Rounding (Magento)",
        }
        copied = odoo.call("account.tax", "copy", [tax.id], default=default)
        # Odoo 18 answers a list of ids, earlier versions the id.
        ids[sign] = int(copied[0] if isinstance(copied, list) else copied)
    details = [Tax(ids[sign], 0.01 * sign, "fixed", False) for sign in (1, -1)]
    return om.Adjustment(product, ids[1], ids[-1]), details


def _service_product(odoo: OdooClient, code: str, name: str) -> int:
    """A service product of Bridge's own lines, found by its code or created once."""
    found = odoo.search(
        "product.product", [("default_code", "=", code)], limit=1, context=WITH_ARCHIVED
    )
    if found:
        return found[0]
    values = {
        "name": name,
        "default_code": code,
        "type": "service",
        "sale_ok": False,
        "purchase_ok": False,
        "list_price": 0.0,
        "taxes_id": [(6, 0, [])],
    }
    return odoo.create("product.product", [values])[0]
