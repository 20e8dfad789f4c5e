"""Combo products, as Odoo 18's `product` module has them: product.combo and its items.

A template of type 'combo' offers one product out of each of its combo choices
(`combo_ids`); a choice (`product.combo`) lists products (`product.combo.item`), each
with an extra price. A choice's `base_price` is the lowest sales price (`lst_price`) of
its products, its `combo_item_count` the number of them: both computed when read.

Odoo checks its combo rules as `@api.constrains`, which run only when a listed field is
among the values created or written, so the checks here look at the values too:

- template (`type`, `combo_ids`, `sale_ok`): "A combo product must contain at least 1
  combo choice." and "A sellable combo product can only contain sellable products.";
  `type` has a default, so every create is checked;
- choice (`combo_item_ids`): "A combo choice can't contain duplicate products." and "A combo
  choice must contain at least 1 product." A choice created without `combo_item_ids` at
  all is accepted, as in Odoo; the create check is the RPC `create` of product.combo, so a
  choice made inside another record's create (`combo_ids: [(0, 0, ...)]`) skips it;
- item (`product_id`): 'A combo choice can't contain products of type "combo".'

Odoo's other combo rules are form onchanges ("Combo products can't have attributes.")
and do not apply over RPC. A combo template is not made non-storable by a rule either:
stock's compute clears `is_storable` when `type` changes (models/product.py).

Deleting a choice deletes its items (`ondelete='cascade'`) and its rows in the templates'
`combo_ids` (a many2many relation). Item prices are the variant's `lst_price`, kept in
step in models/product.py; a value's extra price changing is followed here, as this is
the first module that sees both the variants and their attribute values.
"""

from __future__ import annotations

from typing import Any

from sandbox.odoo.exceptions import ValidationError
from sandbox.odoo.methods import Records
from sandbox.odoo.models import product, variants
from sandbox.odoo.registry import Env, Model, fld

COMBO = "product.combo"
ITEM = "product.combo.item"

combo = Model(
    COMBO,
    "Product Combo",
    {
        "name": fld("char", "Name", required=True),
        "sequence": fld("integer", "Sequence", default=10),
        "company_id": fld("many2one", "Company", relation="res.company"),
        "combo_item_ids": fld("one2many", "Combo Item", relation=ITEM, inverse="combo_id"),
        # Computed when read.
        "combo_item_count": fld("integer", "Product Count", default=0),
        "base_price": fld("float", "Combo Price", default=0.0),
    },
    order="sequence, id",
)

item = Model(
    ITEM,
    "Product Combo Item",
    {
        # Related to the choice's company (stored in Odoo); refreshed when read.
        "company_id": fld("many2one", "Company", relation="res.company"),
        "combo_id": fld("many2one", "Combo", required=True, relation=COMBO),
        "product_id": fld("many2one", "Product", required=True, relation="product.product"),
        # Related to the product's lst_price; refreshed when read.
        "lst_price": fld("float", "Original Price", default=0.0),
        "extra_price": fld("float", "Extra Price", default=0.0),
    },
)


# -- rules -----------------------------------------------------------------------------------


def _product_type(env: Env, product_id: int) -> Any:
    return env.value("product.product", env.table("product.product")[product_id], "type")


def _check_template(env: Env, template_id: int, vals: dict[str, Any] | None = None) -> None:
    """`_check_combo_ids_not_empty` and `_check_sale_combo_ids` (vals None: a create)."""
    if vals is not None and not {"type", "combo_ids", "sale_ok"} & set(vals):
        return
    rec = env.table("product.template")[template_id]
    if rec["type"] != "combo":
        return
    if (vals is None or {"type", "combo_ids"} & set(vals)) and not rec.get("combo_ids"):
        raise ValidationError("A combo product must contain at least 1 combo choice.")
    if rec["sale_ok"]:
        products = {
            i["product_id"] for c in rec["combo_ids"] for i in env.lookup(ITEM, "combo_id", c)
        }
        variants_ = env.table("product.product")
        if any(not env.value("product.product", variants_[p], "sale_ok") for p in products):
            raise ValidationError("A sellable combo product can only contain sellable products.")


def _check_items(env: Env, combo_id: int) -> None:
    """`_check_combo_item_ids_no_duplicates` and `_check_combo_item_ids_not_empty`."""
    products = [i["product_id"] for i in env.lookup(ITEM, "combo_id", combo_id)]
    if len(set(products)) < len(products):
        raise ValidationError("A combo choice can't contain duplicate products.")
    if not products:
        raise ValidationError("A combo choice must contain at least 1 product.")


def _check_item(env: Env, item_id: int, vals: dict[str, Any] | None = None) -> None:
    """`_check_product_id_no_combo`."""
    if vals is not None and "product_id" not in vals:
        return
    if _product_type(env, env.table(ITEM)[item_id]["product_id"]) == "combo":
        raise ValidationError('A combo choice can\'t contain products of type "combo".')


def _combo_written(env: Env, combo_id: int, vals: dict[str, Any]) -> None:
    if "combo_item_ids" in vals:
        _check_items(env, combo_id)


product.template.on_create.append(lambda env, rid: _check_template(env, rid))
product.template.on_write.append(_check_template)
item.on_create.append(lambda env, rid: _check_item(env, rid))
item.on_write.append(_check_item)
combo.on_write.append(_combo_written)


@combo.method("create", api_model=True)
def create(records: Records, vals_list: list[dict[str, Any]] | dict[str, Any]) -> Any:
    env = records.env
    single = isinstance(vals_list, dict)
    ids = []
    for vals in [vals_list] if single else list(vals_list):
        [cid] = env.create(COMBO, [vals])
        if "combo_item_ids" in vals:
            _check_items(env, cid)
        ids.append(cid)
    return ids[0] if single else ids


@combo.method()
def unlink(records: Records) -> bool:
    env = records.env
    ids = env.require(COMBO, records.ids)
    env.unlink(ITEM, [i for c in ids for i in env.db.lookup(ITEM, "combo_id", c)])
    for tmpl_id in {t for c in ids for t in env.db.lookup("product.template", "combo_ids", c)}:
        env.db.remember("product.template", tmpl_id)
        tmpl = env.table("product.template")[tmpl_id]
        tmpl["combo_ids"] = [c for c in tmpl["combo_ids"] if c not in ids]
    env.unlink(COMBO, ids)
    return True


# -- computed when read ----------------------------------------------------------------------


def refresh_combos(env: Env, ids: list[int]) -> None:
    table, prices = env.table(COMBO), env.table("product.product")
    for cid in ids:
        rec = table.get(cid)
        if rec is None:
            continue
        items = env.lookup(ITEM, "combo_id", cid)
        rec["combo_item_count"] = len(items)
        rec["base_price"] = min((prices[i["product_id"]]["lst_price"] for i in items), default=0.0)


def refresh_items(env: Env, ids: list[int]) -> None:
    table, combos = env.table(ITEM), env.table(COMBO)
    for iid in ids:
        rec = table.get(iid)
        if rec is not None:
            rec["company_id"] = combos[rec["combo_id"]]["company_id"]
            rec["lst_price"] = env.table("product.product")[rec["product_id"]]["lst_price"]


variants.computed(combo, ("combo_item_count", "base_price"), refresh_combos)
variants.computed(item, ("company_id", "lst_price"), refresh_items)


# -- variant prices follow their values' extras ----------------------------------------------


def _value_priced(env: Env, ptav_id: int, vals: dict[str, Any]) -> None:
    if "price_extra" in vals:
        having = env.db.lookup("product.product", "product_template_attribute_value_ids", ptav_id)
        product.refresh_prices(env, having)


variants.ptav.on_write.append(_value_priced)

MODELS = [combo, item]
