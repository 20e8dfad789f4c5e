"""product.template and product.product (Odoo 18: stocked = type 'consu' + is_storable).

A variant delegates the template's fields (`_inherits`), and creating a template
creates its single variant, as Odoo does for products without attributes.

A variant's `price_extra` (the sum of its attribute values' extras) and `lst_price`
(`list_price` + `price_extra`) are computed fields in Odoo; here they are kept in step
whenever a template's price, a variant's values or a value's extra changes, because
product.product's read is already the stock quantities' (models/inventory.py). Writing
`lst_price` sets the template's `list_price` to it less the extras, Odoo's inverse.
"""

from __future__ import annotations

from typing import Any

from sandbox.odoo.methods import Records
from sandbox.odoo.registry import Env, Model, fld

#: Odoo 18's fresh database has one category, "All" (product.product_category_all).
category = Model(
    "product.category",
    "Product Category",
    {
        "name": fld("char", "Name", required=True),
        "parent_id": fld("many2one", "Parent Category", relation="product.category"),
        "complete_name": fld("char", "Complete Name"),
    },
    order="complete_name, id",
)

template = Model(
    "product.template",
    "Product",
    {
        "name": fld("char", "Name", required=True),
        "default_code": fld("char", "Internal Reference"),
        "barcode": fld("char", "Barcode"),
        "description": fld("html", "Description"),
        "categ_id": fld("many2one", "Product Category", relation="product.category", default=1),
        "description_sale": fld("text", "Sales Description"),
        "type": fld(
            "selection",
            "Product Type",
            required=True,
            selection=("consu", "service", "combo"),
            default="consu",
        ),  # fmt: skip
        # stock's compute: clears itself when `type` turns to anything but 'consu' (not forced).
        "is_storable": fld("boolean", "Track Inventory", default=False),
        "list_price": fld("float", "Sales Price", default=1.0),
        "standard_price": fld("float", "Cost", default=0.0),
        "weight": fld("float", "Weight", default=0.0),
        "is_favorite": fld("boolean", "Favorite", default=False),
        "sale_ok": fld("boolean", "Can be Sold", default=True),
        "purchase_ok": fld("boolean", "Can be Purchased", default=True),
        "taxes_id": fld("many2many", "Sales Taxes", relation="account.tax"),
        "company_id": fld("many2one", "Company", relation="res.company"),
        "active": fld("boolean", "Active", default=True),
        # Combo products (models/combo.py): the choices a product of type 'combo' offers.
        "combo_ids": fld("many2many", "Combo Choices", relation="product.combo"),
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
        # Kept in step (see the module docstring): list_price + the values' extras.
        "price_extra": fld("float", "Variant Price Extra", default=0.0),
        "lst_price": fld("float", "Sales Price", default=0.0),
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


def refresh_prices(env: Env, variant_ids: list[int]) -> None:
    """Set `price_extra` and `lst_price` on these variants from their template and values.

    Journalled for rollback, but `write_date` is left alone: in Odoo these are computed,
    not stored, so a price change does not touch the variant.
    """
    variants = env.table("product.product")
    templates = env.table("product.template")
    values = env.table("product.template.attribute.value")
    for vid in variant_ids:
        rec = variants.get(vid)
        if rec is None:
            continue
        extra = sum(
            values[v]["price_extra"]
            for v in rec.get("product_template_attribute_value_ids") or []
            if v in values
        )
        lst_price = templates[rec["product_tmpl_id"]]["list_price"] + extra
        if (rec.get("price_extra"), rec.get("lst_price")) != (extra, lst_price):
            stamp = rec.get("write_date")
            env.db.remember("product.product", vid)
            rec.update(price_extra=extra, lst_price=lst_price, write_date=stamp)


def _template_priced(env: Env, template_id: int, vals: dict[str, Any]) -> None:
    if "list_price" in vals:
        refresh_prices(env, env.db.lookup("product.product", "product_tmpl_id", template_id))


def _variant_priced(env: Env, variant_id: int, vals: dict[str, Any]) -> None:
    """`_set_product_lst_price`: a written lst_price moves the template's list_price."""
    rec = env.table("product.product")[variant_id]
    if "lst_price" in vals:
        list_price = float(vals["lst_price"] or 0.0) - rec["price_extra"]
        env.write("product.template", [rec["product_tmpl_id"]], {"list_price": list_price})
    elif {"product_template_attribute_value_ids", "price_extra"} & set(vals):
        refresh_prices(env, [variant_id])  # a written price_extra does not hold, as in Odoo


def _type_written(env: Env, template_id: int, vals: dict[str, Any]) -> None:
    """stock's `compute_is_storable`: only goods track inventory, unless set in the same write."""
    rec = env.table("product.template")[template_id]
    if "type" in vals and "is_storable" not in vals and rec["type"] != "consu":
        rec["is_storable"] = False  # already journalled by this write


@variant.method("create", api_model=True)
def create(records: Records, vals_list: list[dict[str, Any]] | dict[str, Any]) -> Any:
    """An `lst_price` given at creation goes through its inverse once the variant exists."""
    env = records.env
    single = isinstance(vals_list, dict)
    ids = []
    for vals in [vals_list] if single else list(vals_list):
        own = {k: v for k, v in vals.items() if k != "lst_price"}
        [vid] = env.create("product.product", [own])
        if "lst_price" in vals:
            env.write("product.product", [vid], {"lst_price": vals["lst_price"]})
        ids.append(vid)
    return ids[0] if single else ids


variant.display_name = _variant_display_name
template.display_name = _variant_display_name
template.on_create.append(_create_variant)
template.on_write.append(_sync_variants)
template.on_write.append(_template_priced)
template.on_write.append(_type_written)
variant.on_write.append(_sync_template)
variant.on_write.append(_variant_priced)
variant.on_create.append(
    lambda env, rid: _sync_template(env, rid, env.table("product.product")[rid])
)
variant.on_create.append(lambda env, rid: refresh_prices(env, [rid]))


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

MODELS = [category, template, variant, pricelist]
