"""Reading a page of Odoo products in a fixed number of calls, whatever the page size.

Templates, their variants, the variants' attribute values and, for combo products, the
combo choices with their products' SKUs: one batched call each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from bridge.clients.odoo import OdooClient, m2o_id
from bridge.mappers.product import PTAV_FIELDS, TEMPLATE_FIELDS, VARIANT_FIELDS

WITH_ARCHIVED = {"active_test": False}


@dataclass
class OdooProducts:
    templates: dict[int, dict[str, Any]] = field(default_factory=dict)
    variants: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    ptavs: dict[int, dict[str, Any]] = field(default_factory=dict)
    combos: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    def variant_ids(self, template_id: int) -> dict[str, int]:
        """SKU -> product.product id of a template's variants."""
        return {
            str(v["default_code"]): v["id"]
            for v in self.variants.get(template_id, [])
            if v.get("default_code")
        }


def read_products(odoo: OdooClient, template_ids: list[int]) -> OdooProducts:
    found = OdooProducts()
    if not template_ids:
        return found
    for row in odoo.read("product.template", template_ids, TEMPLATE_FIELDS, WITH_ARCHIVED):
        found.templates[row["id"]] = row
    rows = odoo.search_read(
        "product.product",
        [("product_tmpl_id", "in", sorted(found.templates))],
        VARIANT_FIELDS,
        order="id asc",
    )
    for row in rows:
        found.variants.setdefault(m2o_id(row["product_tmpl_id"]) or 0, []).append(row)
    ptav_ids = sorted({i for r in rows for i in r.get("product_template_attribute_value_ids", [])})
    if ptav_ids:
        for row in odoo.read("product.template.attribute.value", ptav_ids, PTAV_FIELDS):
            found.ptavs[row["id"]] = row
    _read_combos(odoo, found)
    return found


def _read_combos(odoo: OdooClient, found: OdooProducts) -> None:
    combo_ids = sorted(
        {
            c
            for t in found.templates.values()
            if t.get("type") == "combo"
            for c in t.get("combo_ids") or []
        }
    )
    if not combo_ids:
        return
    combos = {c["id"]: c for c in odoo.read("product.combo", combo_ids, ["name", "combo_item_ids"])}
    item_ids = sorted({i for c in combos.values() for i in c["combo_item_ids"]})
    items = {i["id"]: i for i in odoo.read("product.combo.item", item_ids, ["product_id"])}
    product_ids = sorted({m2o_id(i["product_id"]) or 0 for i in items.values()})
    skus = {
        p["id"]: p.get("default_code") or ""
        for p in odoo.read("product.product", product_ids, ["default_code"], WITH_ARCHIVED)
    }
    by_template: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for tmpl_id, template in found.templates.items():
        for combo_id in template.get("combo_ids") or []:
            combo = combos.get(combo_id)
            if combo is None:
                continue
            picked = [
                skus.get(m2o_id(items[i]["product_id"]) or 0, "") for i in combo["combo_item_ids"]
            ]
            by_template[tmpl_id].append({"name": combo["name"], "skus": picked})
    found.combos = dict(by_template)
