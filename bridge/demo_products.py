"""The demo's product round: products and stock both ways, each step through the queue.

Odoo -> Magento: a simple product and a configurable product (Color x Size) made in Odoo.
Magento -> Odoo: a product made in Magento, and the seeded configurable MH01 with its
15 children. Then a poll that finds only Bridge's own writes (nothing bounces back), and
a stock change each way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridge.cli.common import console
from bridge.clients.magento import MagentoClient
from bridge.clients.odoo import OdooClient, m2o_id
from tasks.dispatch import product_export_job as export_job
from tasks.dispatch import pull_job, stock_poll_job, stock_pull_job

Runner = Callable[..., Any]
MUG, TEE, BAG = "BR-DEMO-MUG", "BR-DEMO-TEE", "DEMO-BAG"


def _attribute(odoo: OdooClient, name: str, labels: list[str]) -> tuple[int, list[int]]:
    found = odoo.search_read("product.attribute", [("name", "=", name)], ["id"])
    attr_id = found[0]["id"] if found else odoo.create("product.attribute", [{"name": name}])[0]
    ids = []
    for label in labels:
        hit = odoo.search_read(
            "product.attribute.value", [("attribute_id", "=", attr_id), ("name", "=", label)], []
        )
        ids.append(
            hit[0]["id"]
            if hit
            else odoo.create("product.attribute.value", [{"attribute_id": attr_id, "name": label}])[
                0
            ]
        )
    return attr_id, ids


def make_in_odoo(odoo: OdooClient) -> list[int]:
    """A mug, and a tee in Black/Teal x S/M whose variants are named TEE-<color>-<size>."""
    mug = odoo.create(
        "product.template",
        [
            {
                "name": "Bridge Demo Mug",
                "default_code": MUG,
                "list_price": 14.9,
                "standard_price": 5.2,
                "weight": 0.35,
                "description_sale": "Stoneware, 300 ml",
                "is_storable": True,
            }
        ],
    )[0]
    lines = [
        (0, 0, {"attribute_id": attr, "value_ids": [(6, 0, values)]})
        for attr, values in (
            _attribute(odoo, "Color", ["Black", "Teal"]),
            _attribute(odoo, "Size", ["S", "M"]),
        )
    ]
    tee = odoo.create(
        "product.template",
        [
            {
                "name": "Bridge Demo Tee",
                "list_price": 24.0,
                "is_storable": True,
                "attribute_line_ids": lines,
            }
        ],
    )[0]
    names = {
        p["id"]: p["name"]
        for p in odoo.search_read(
            "product.template.attribute.value", [("product_tmpl_id", "=", tee)], ["name"]
        )
    }
    variants = odoo.search_read(
        "product.product", [("product_tmpl_id", "=", tee)], ["product_template_attribute_value_ids"]
    )
    codes = [
        (
            1,
            v["id"],
            {
                "default_code": "-".join(
                    [TEE, *(names[i] for i in v["product_template_attribute_value_ids"])]
                )
            },
        )
        for v in variants
    ]
    odoo.write("product.template", [tee], {"product_variant_ids": codes})
    return [mug, tee]


def _follow(run_job: Runner, conn_id: int, log_ids: list[int]) -> list[Any] | None:
    entries = [run_job(None, conn_id, log_id=i) for i in log_ids]
    return None if any(e is None for e in entries) else entries


def _magento_line(magento: MagentoClient, sku: str) -> str:
    product = magento.product(sku)
    ext = product.get("extension_attributes") or {}
    line = f"  Magento {sku}: {product['type_id']} {product['name']!r}, price {product['price']}"
    if product["type_id"] == "configurable":
        labels = [o["label"] for o in ext.get("configurable_product_options") or []]
        line += f", {len(ext.get('configurable_product_links') or [])} children by {labels}"
    return line


def _odoo_line(odoo: OdooClient, sku: str) -> str:
    rows = odoo.search_read(
        "product.product", [("default_code", "=", sku)], ["product_tmpl_id", "lst_price"]
    )
    if not rows:
        return f"  Odoo {sku}: [red]missing[/red]"
    tmpl_id = m2o_id(rows[0]["product_tmpl_id"]) or 0
    [template] = odoo.read("product.template", [tmpl_id], ["name", "product_variant_count", "type"])
    return (
        f"  Odoo {sku}: product.template {tmpl_id} {template['name']!r} "
        f"({template['product_variant_count']} variant(s)), price {rows[0]['lst_price']}"
    )


def run(
    conn_id: int, odoo: OdooClient, magento: MagentoClient, run_job: Runner, set_auto_apply: Any
) -> bool:
    console.print("[bold]Odoo -> Magento[/bold]: a mug and a tee (Color x Size) made in Odoo")
    poll = run_job(export_job(make_in_odoo(odoo)), conn_id)
    if poll is None or _follow(run_job, conn_id, poll.result.get("pages", [])) is None:
        return False
    console.print(_magento_line(magento, MUG))
    console.print(_magento_line(magento, TEE))

    console.print("[bold]Magento -> Odoo[/bold]: a bag made in Magento, and configurable MH01")
    magento.post(
        "products",
        {
            "product": {
                "sku": BAG,
                "name": "Demo Weekender Bag",
                "price": 59.0,
                "attribute_set_id": 4,
                "type_id": "simple",
                "weight": 1.1,
                "status": 1,
                "visibility": 4,
            }
        },
    )
    pull = run_job(pull_job("products", keys=[BAG, "MH01"]), conn_id)
    if pull is None or _follow(run_job, conn_id, pull.result.get("page_logs", [])) is None:
        return False
    console.print(_odoo_line(odoo, BAG))
    console.print(_odoo_line(odoo, "MH01-XS-Black"))

    console.print("[bold]No echo[/bold]: Odoo's poll sees Bridge's own writes and sends nothing")
    poll = run_job(export_job(), conn_id)
    pages = _follow(run_job, conn_id, poll.result.get("pages", [])) if poll else None
    if pages is None:
        return False
    sent = sum(p.result.get("exported", 0) for p in pages)
    same = sum(p.result.get("unchanged", 0) for p in pages)
    console.print(f"  {same} product(s) unchanged, {sent} sent to Magento")

    console.print(f"[bold]Stock[/bold]: 25 {MUG} counted in Odoo; 7 {BAG} set in Magento")
    set_auto_apply(True)
    [mug] = odoo.search_read("product.product", [("default_code", "=", MUG)], ["id"])
    [stock] = odoo.search_read("stock.warehouse", [], ["lot_stock_id"], limit=1)
    odoo.create(
        "stock.quant",
        [
            {
                "product_id": mug["id"],
                "location_id": m2o_id(stock["lot_stock_id"]),
                "inventory_quantity_auto_apply": 25,
            }
        ],
        context={"inventory_mode": True},
    )
    magento.post(
        "inventory/source-items",
        {"sourceItems": [{"sku": BAG, "source_code": "default", "quantity": 7, "status": 1}]},
    )
    for job in (stock_poll_job(), stock_pull_job()):
        if run_job(job, conn_id) is None:
            return False
    items = magento.get(
        "inventory/source-items",
        {
            "searchCriteria[filterGroups][0][filters][0][field]": "sku",
            "searchCriteria[filterGroups][0][filters][0][value]": MUG,
        },
    )["items"]
    console.print(f"  Magento {MUG}: source default holds {items[0]['quantity']:g}")
    [bag] = odoo.search_read("product.product", [("default_code", "=", BAG)], ["qty_available"])
    console.print(f"  Odoo {BAG}: {bag['qty_available']:g} on hand (count applied at once)")
    return True
