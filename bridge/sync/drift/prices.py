"""Price drift: each bound SKU's Magento price against Odoo's sale price of that variant.

Per page of `PAGE` SKUs: one Odoo read (`lst_price`: the template price plus the
variant's extras, what the product export sends) and one Magento product search
(`items[sku,price,type_id]`). Compared to the cent. Configurable parents and bundles
have no price of their own in Magento and are not compared (their children are).

Which side is right follows the connection's catalog direction: while the Odoo ->
Magento product sync is scheduled (`sync_products`), Odoo's price list is the price of
record and a Magento price that differs is drift to undo; with only the Magento ->
Odoo import scheduled, Magento's price is.
"""

from __future__ import annotations

from sqlalchemy import select

from bridge.clients.magento_search import SearchCriteria
from bridge.clients.odoo import m2o_id
from bridge.models import Schedule
from bridge.sync.drift import PAGE, DriftContext, number
from bridge.sync.drift.stock import bound_pages

KIND = "price"
#: Magento types whose price is their children's (or computed), not their own.
NOT_PRICED = ("configurable", "bundle", "grouped")


def price_truth(ctx: DriftContext) -> tuple[str, str]:
    enabled = set(
        ctx.session.scalars(
            select(Schedule.job).where(
                Schedule.connection_id == ctx.connection.id, Schedule.enabled.is_(True)
            )
        )
    )
    if "sync_products" in enabled or "import_products" not in enabled:
        return (
            "odoo",
            "Odoo -> Magento product sync is on: Odoo's price list is the price of record",
        )
    return (
        "magento",
        "only the Magento -> Odoo product import is on: Magento's price is the price of record",
    )


def compare(ctx: DriftContext) -> int:
    truth, note = price_truth(ctx)
    compared = 0
    for page in bound_pages(ctx):
        rows = ctx.odoo.read(
            "product.product", sorted(page.values()), ["lst_price", "product_tmpl_id"]
        )
        odoo = {r["id"]: r for r in rows}
        criteria = SearchCriteria().where("sku", sorted(page), "in")
        magento: dict[str, dict] = {}
        for items in ctx.magento.search(
            "products", criteria, fields="items[sku,price,type_id]", page_size=PAGE
        ):
            magento.update({str(p.get("sku")): p for p in items})
        out = []
        for sku, pid in sorted(page.items()):
            product, record = magento.get(sku), odoo.get(pid)
            if product is None or record is None or product.get("type_id") in NOT_PRICED:
                continue
            compared += 1
            m_price = round(float(product.get("price") or 0), 2)
            o_price = round(float(record.get("lst_price") or 0), 2)
            if m_price == o_price:
                continue
            out.append(
                {
                    "kind": KIND,
                    "key": sku,
                    "magento_value": number(m_price, 2),
                    "odoo_value": number(o_price, 2),
                    "truth": truth,
                    "note": note,
                    "odoo_id": pid,
                    "odoo_template_id": m2o_id(record.get("product_tmpl_id")),
                }
            )
        ctx.add(out)
    return compared
