"""product.template and product.product (Odoo 18: stocked = type 'consu' + is_storable).

A variant delegates the template's fields (`_inherits`), and creating a template
creates its single variant, as Odoo does for products without attributes.
"""

from __future__ import annotations

from typing import Any

from sandbox.odoo.registry import Env, Model, fld

template = Model(
    "product.template",
    "Product",
    {
        "name": fld("char", "Name", required=True),
        "default_code": fld("char", "Internal Reference"),
        "barcode": fld("char", "Barcode"),
        "description_sale": fld("text", "Sales Description"),
        "type": fld(
            "selection",
            "Product Type",
            required=True,
            selection=("consu", "service", "combo"),
            default="consu",
        ),  # fmt: skip
        "is_storable": fld("boolean", "Track Inventory", default=False),
        "list_price": fld("float", "Sales Price", default=1.0),
        "standard_price": fld("float", "Cost", default=0.0),
        "weight": fld("float", "Weight", default=0.0),
        "sale_ok": fld("boolean", "Can be Sold", default=True),
        "purchase_ok": fld("boolean", "Can be Purchased", default=True),
        "taxes_id": fld("many2many", "Sales Taxes", relation="account.tax"),
        "company_id": fld("many2one", "Company", relation="res.company"),
        "active": fld("boolean", "Active", default=True),
        # Variants (models/variants.py): counts and ids are computed when read.
        "attribute_line_ids": fld(
            "one2many",
            "Product Attributes",
            relation="product.template.attribute.line",
            inverse="product_tmpl_id",
        ),
        "product_variant_ids": fld(
            "one2many", "Products", relation="product.product", inverse="product_tmpl_id"
        ),
        "product_variant_count": fld("integer", "# Product Variants", default=0),
        "product_variant_id": fld("many2one", "Product", relation="product.product"),
    },
    order="name, id",
)

variant = Model(
    "product.product",
    "Product Variant",
    {
        "product_tmpl_id": fld(
            "many2one", "Product Template", required=True, relation="product.template"
        ),
        "default_code": fld("char", "Internal Reference"),
        "barcode": fld("char", "Barcode"),
        "active": fld("boolean", "Active", default=True),
        "product_template_attribute_value_ids": fld(
            "many2many", "Attribute Values", relation="product.template.attribute.value"
        ),
        "combination_indices": fld("char", "Combination Indices"),
        # Stock quantities (models/inventory.py): computed when read, per context location.
        "qty_available": fld("float", "Quantity On Hand"),
        "free_qty": fld("float", "Free To Use Quantity"),
        "virtual_available": fld("float", "Forecasted Quantity"),
        "incoming_qty": fld("float", "Incoming"),
        "outgoing_qty": fld("float", "Outgoing"),
    },
    order="default_code, id",
    inherits=("product.template", "product_tmpl_id"),
)


def _variant_display_name(env: Env, rec: dict[str, Any]) -> str:
    name = rec.get("name") or env.value("product.product", rec, "name")
    code = rec.get("default_code")
    if rec.get("product_template_attribute_value_ids"):
        from sandbox.odoo.models import variants  # variants imports this module

        values = variants.combination_name(env, rec)
        name = f"{name} ({values})" if values else name
    return f"[{code}] {name}" if code else str(name)


def _create_variant(env: Env, template_id: int) -> None:
    if env.context.get("_from_child") == "product.product":
        return
    lines = env.table("product.template.attribute.line").values()
    if any(line["product_tmpl_id"] == template_id for line in lines):
        return  # models/variants.py makes one variant per combination
    tmpl = env.table("product.template")[template_id]
    env.create(
        "product.product",
        [
            {
                "product_tmpl_id": template_id,
                "default_code": tmpl.get("default_code"),
                "barcode": tmpl.get("barcode"),
                "active": tmpl.get("active", True),
            }
        ],
    )


def _sync_variants(env: Env, template_id: int, vals: dict[str, Any]) -> None:
    """Keep the variants' own copies in step: active on all, code and barcode on a single one."""
    shared = {k: vals[k] for k in ("default_code", "barcode", "active") if k in vals}
    variants = [
        r for r in env.table("product.product").values() if r["product_tmpl_id"] == template_id
    ]
    if len([r for r in variants if r.get("active")]) > 1:
        shared = {k: v for k, v in shared.items() if k == "active"}
    if not shared:
        return
    for rec in variants:
        env.db.remember("product.product", rec["id"])
        rec.update(shared)


def _sync_template(env: Env, variant_id: int, vals: dict[str, Any]) -> None:
    """A template shows its variant's code and barcode when it has one variant, else none."""
    shared = {k: vals[k] for k in ("default_code", "barcode") if k in vals}
    if env.context.get("_variant_generation"):
        return
    if shared:
        tmpl_id = env.table("product.product")[variant_id]["product_tmpl_id"]
        siblings = [
            r
            for r in env.table("product.product").values()
            if r["product_tmpl_id"] == tmpl_id and r.get("active")
        ]
        if len(siblings) > 1:
            shared = dict.fromkeys(shared, False)
        env.db.remember("product.template", tmpl_id)
        env.table("product.template")[tmpl_id].update(shared)


variant.display_name = _variant_display_name
template.display_name = _variant_display_name
template.on_create.append(_create_variant)
template.on_write.append(_sync_variants)
variant.on_write.append(_sync_template)
variant.on_create.append(
    lambda env, rid: _sync_template(env, rid, env.table("product.product")[rid])
)


pricelist = Model(
    "product.pricelist",
    "Pricelist",
    {
        "name": fld("char", "Pricelist Name", required=True),
        "currency_id": fld("many2one", "Currency", required=True, relation="res.currency"),
        "company_id": fld("many2one", "Company", relation="res.company"),
        "sequence": fld("integer", "Sequence", default=16),
        "active": fld("boolean", "Active", default=True),
    },
    order="sequence, id",
)

MODELS = [template, variant, pricelist]
