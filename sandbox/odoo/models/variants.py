"""Product attributes and variant generation, as Odoo 18's `product` module does it.

A template's attribute lines pick values of attributes; each picked value becomes a
template attribute value (ptav), and every combination of the ptavs of lines whose
attribute has `create_variant='always'` is one `product.product`. Changing the lines
creates the missing combinations, reactivates archived ones and unlinks the rest, or
archives them when something still points at them (a stock move, an order line), as
`_create_variant_ids` and `_unlink_or_archive` do. Variant generation runs once the
template exists: lines created inside the template's own `create` wait for it.

Real Odoo 18 has no unique constraint on an attribute value's name (16 had one): two
"Red" values on one attribute are accepted, so none is enforced here.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from sandbox.odoo import methods
from sandbox.odoo.exceptions import UserError, ValidationError
from sandbox.odoo.methods import Records
from sandbox.odoo.models import product
from sandbox.odoo.registry import Env, Model, fld

LINE = "product.template.attribute.line"
PTAV = "product.template.attribute.value"

attribute = Model(
    "product.attribute",
    "Product Attribute",
    {
        "name": fld("char", "Attribute", required=True),
        "display_type": fld(
            "selection",
            "Display Type",
            required=True,
            selection=("radio", "pills", "select", "color", "multi"),
            default="radio",
        ),
        "create_variant": fld(
            "selection",
            "Variant Creation",
            required=True,
            selection=("always", "dynamic", "no_variant"),
            default="always",
        ),
        "sequence": fld("integer", "Sequence", default=20),
        "value_ids": fld(
            "one2many", "Values", relation="product.attribute.value", inverse="attribute_id"
        ),
        "attribute_line_ids": fld("one2many", "Lines", relation=LINE, inverse="attribute_id"),
        "active": fld("boolean", "Active", default=True),
    },
    order="sequence, id",
)


def _check_multi(env: Env, rec: dict[str, Any]) -> None:
    """The `check_multi_checkbox_no_variant` SQL constraint, with Odoo's wording."""
    if rec["display_type"] == "multi" and rec["create_variant"] != "no_variant":
        raise ValidationError(
            "The operation cannot be completed: Multi-checkbox display type is not compatible "
            "with the creation of variants"
        )


attribute.constraints.append(_check_multi)

value = Model(
    "product.attribute.value",
    "Attribute Value",
    {
        "name": fld("char", "Value", required=True),
        "sequence": fld("integer", "Sequence", default=0),
        "attribute_id": fld("many2one", "Attribute", required=True, relation="product.attribute"),
        "default_extra_price": fld("float", "Default Extra Price", default=0.0),
        "is_custom": fld("boolean", "Free text", default=False),
        "html_color": fld("char", "Color"),
        "color": fld("integer", "Color Index", default=lambda env: random.randint(1, 11)),
        "active": fld("boolean", "Active", default=True),
    },
    order="attribute_id, sequence, id",
)


def _attr_value_name(env: Env, rec: dict[str, Any]) -> str:
    return f"{env.display_name('product.attribute', rec['attribute_id'])}: {rec['name']}"


value.display_name = _attr_value_name

line = Model(
    LINE,
    "Product Template Attribute Line",
    {
        "product_tmpl_id": fld(
            "many2one", "Product Template", required=True, relation="product.template"
        ),
        "attribute_id": fld("many2one", "Attribute", required=True, relation="product.attribute"),
        "value_ids": fld("many2many", "Values", relation="product.attribute.value"),
        "value_count": fld("integer", "Value Count", default=0),
        "product_template_value_ids": fld(
            "one2many", "Product Attribute Values", relation=PTAV, inverse="attribute_line_id"
        ),
        "sequence": fld("integer", "Sequence", default=10),
        "active": fld("boolean", "Active", default=True),
    },
    rec_name="attribute_id",
    order="sequence, attribute_id, id",
)
line.display_name = lambda env, rec: env.display_name("product.attribute", rec["attribute_id"])


def _check_line(env: Env, rec: dict[str, Any]) -> None:
    tmpl = env.display_name("product.template", rec["product_tmpl_id"])
    attr = env.display_name("product.attribute", rec["attribute_id"])
    if rec["active"] and not rec["value_ids"]:
        raise ValidationError(
            f"The attribute {attr} must have at least one value for the product {tmpl}."
        )
    for vid in rec["value_ids"]:
        if env.table("product.attribute.value")[vid]["attribute_id"] != rec["attribute_id"]:
            raise ValidationError(
                f"On the product {tmpl} you cannot associate the value "
                f"{env.display_name('product.attribute.value', vid)} with the attribute {attr} "
                "because they do not match."
            )


line.constraints.append(_check_line)

ptav = Model(
    PTAV,
    "Product Template Attribute Value",
    {
        "name": fld("char", "Value"),
        "product_attribute_value_id": fld(
            "many2one", "Attribute Value", required=True, relation="product.attribute.value"
        ),
        "attribute_line_id": fld("many2one", "Attribute Line", required=True, relation=LINE),
        "product_tmpl_id": fld("many2one", "Product Template", relation="product.template"),
        "attribute_id": fld("many2one", "Attribute", relation="product.attribute"),
        "price_extra": fld("float", "Extra Price", default=0.0),
        "ptav_active": fld("boolean", "Active", default=True),
        # Computed when read: the active variants having this value.
        "ptav_product_variant_ids": fld(
            "many2many", "Related Variants", relation="product.product"
        ),
    },
    order="attribute_line_id, id",
    uniques=[
        (
            ("attribute_line_id", "product_attribute_value_id"),
            "The operation cannot be completed: Each value should be defined only once per "
            "attribute per product.",
        )
    ],
)
ptav.display_name = lambda env, rec: _attr_value_name(
    env, env.table("product.attribute.value")[rec["product_attribute_value_id"]]
)


# -- generation ------------------------------------------------------------------------------


def _lines_of(env: Env, tmpl_id: int) -> list[dict[str, Any]]:
    recs = [r for r in env.table(LINE).values() if r["product_tmpl_id"] == tmpl_id and r["active"]]
    return sorted(recs, key=lambda r: (r["sequence"], r["attribute_id"], r["id"]))


def _ptavs_of_line(env: Env, line_id: int, active: bool = True) -> list[dict[str, Any]]:
    pavs = env.table("product.attribute.value")
    recs = [
        r
        for r in env.table(PTAV).values()
        if r["attribute_line_id"] == line_id and (r["ptav_active"] or not active)
    ]
    return sorted(recs, key=lambda r: (pavs[r["product_attribute_value_id"]]["sequence"], r["id"]))


def _variants_of(env: Env, tmpl_id: int) -> list[dict[str, Any]]:
    return [r for r in env.table("product.product").values() if r["product_tmpl_id"] == tmpl_id]


def _referenced(env: Env, variant_id: int) -> bool:
    """Would the FK (ondelete restrict) refuse the unlink? Then Odoo archives instead."""
    for name, m in env.db.models.items():
        if name in ("product.template", "product.product"):
            continue  # product_variant_id is computed, not a foreign key
        links = [
            f
            for f, spec in m.fields.items()
            if spec.type == "many2one" and spec.relation == "product.product"
        ]
        if links and any(r.get(f) == variant_id for r in env.table(name).values() for f in links):
            return True
    return False


def unlink_or_archive(env: Env, variant_ids: list[int]) -> None:
    for vid in variant_ids:
        if _referenced(env, vid):
            env.write("product.product", [vid], {"active": False})
        else:
            env.unlink("product.product", [vid])


def update_values(env: Env, line_id: int) -> None:
    """`_update_product_template_attribute_values`: one active ptav per value of the line."""
    ln = env.table(LINE)[line_id]
    wanted = list(ln["value_ids"]) if ln["active"] else []
    gone = []
    for rec in _ptavs_of_line(env, line_id, active=False):
        pav = rec["product_attribute_value_id"]
        if pav not in wanted:
            if rec["ptav_active"]:
                gone.append(rec["id"])
        else:
            wanted.remove(pav)
            if not rec["ptav_active"]:
                env.write(PTAV, [rec["id"]], {"ptav_active": True})
    for pav in wanted:
        archived = [
            r
            for r in env.table(PTAV).values()
            if not r["ptav_active"]
            and r["product_tmpl_id"] == ln["product_tmpl_id"]
            and r["attribute_id"] == ln["attribute_id"]
            and r["product_attribute_value_id"] == pav
        ]
        if archived:
            env.write(
                PTAV, [archived[0]["id"]], {"ptav_active": True, "attribute_line_id": line_id}
            )
            continue
        pav_rec = env.table("product.attribute.value")[pav]
        env.create(
            PTAV,
            [
                {
                    "name": pav_rec["name"],
                    "product_attribute_value_id": pav,
                    "attribute_line_id": line_id,
                    "product_tmpl_id": ln["product_tmpl_id"],
                    "attribute_id": ln["attribute_id"],
                    "price_extra": pav_rec["default_extra_price"],
                }
            ],
        )
    env.write("product.template.attribute.line", [line_id], {"value_count": len(ln["value_ids"])})
    unlink_values(env, gone)


def unlink_values(env: Env, ptav_ids: list[int]) -> None:
    """ptav.unlink: unlink or archive their variants, then drop or archive the values."""
    if not ptav_ids:
        return
    variants = [
        r["id"]
        for r in env.table("product.product").values()
        if r.get("active") and set(r["product_template_attribute_value_ids"]) & set(ptav_ids)
    ]
    unlink_or_archive(env, variants)
    for pid in ptav_ids:
        used = any(
            pid in r["product_template_attribute_value_ids"]
            for r in env.table("product.product").values()
        )
        if used:
            env.write(PTAV, [pid], {"ptav_active": False})
        else:
            env.unlink(PTAV, [pid])


def create_variant_ids(env: Env, tmpl_id: int, creating: bool = False) -> None:
    """`product.template._create_variant_ids`."""
    gen = Env(env.db, env.uid, {**env.context, "_variant_generation": True})
    lines = [
        ln
        for ln in _lines_of(env, tmpl_id)
        if env.table("product.attribute")[ln["attribute_id"]]["create_variant"] != "no_variant"
    ]
    dynamic = any(
        env.table("product.attribute")[ln["attribute_id"]]["create_variant"] == "dynamic"
        for ln in lines
    )
    variants = sorted(_variants_of(env, tmpl_id), key=lambda r: (r["active"], -r["id"]))
    existing = {frozenset(r["product_template_attribute_value_ids"]): r for r in variants}
    keep: list[int] = []
    to_create: list[list[int]] = []
    if not dynamic:
        per_line = [[p["id"] for p in _ptavs_of_line(env, ln["id"])] for ln in lines]
        for combo in itertools.product(*per_line):
            found = existing.get(frozenset(combo))
            if found is not None:
                keep.append(found["id"])
            else:
                to_create.append(list(combo))
    else:
        keep = [r["id"] for r in variants]
    for vid in keep:
        if not env.table("product.product")[vid]["active"]:
            gen.write("product.product", [vid], {"active": True})
    tmpl = env.table("product.template")[tmpl_id]
    single = len(keep) + len(to_create) == 1
    gen.create(
        "product.product",
        [
            {
                "product_tmpl_id": tmpl_id,
                "product_template_attribute_value_ids": [(6, 0, combo)],
                "combination_indices": ",".join(str(i) for i in sorted(combo)),
                # The template's code goes to its variant only when it has just one.
                "default_code": tmpl.get("default_code") if single and creating else False,
                "barcode": tmpl.get("barcode") if single and creating else False,
                "active": tmpl.get("active", True),
            }
            for combo in to_create
        ],
    )
    unlink_or_archive(gen, [r["id"] for r in variants if r["id"] not in keep])
    if not creating:
        active = [r for r in _variants_of(env, tmpl_id) if r["active"]]
        code = active[0].get("default_code") if len(active) == 1 else False
        if tmpl.get("default_code") != code:
            env.db.remember("product.template", tmpl_id)
            tmpl["default_code"] = code


def combination_name(env: Env, rec: dict[str, Any]) -> str:
    """ "Red, S": the variant's values, leaving out lines with a single value, as Odoo does."""
    names = []
    table = env.table(PTAV)
    for pid in rec.get("product_template_attribute_value_ids") or []:
        p = table.get(pid)
        if p is not None and len(_ptavs_of_line(env, p["attribute_line_id"])) > 1:
            names.append((p["attribute_line_id"], p["name"]))
    order = {ln["id"]: i for i, ln in enumerate(_lines_of(env, rec["product_tmpl_id"]))}
    return ", ".join(n for _, n in sorted(names, key=lambda x: order.get(x[0], 0)))


# -- hooks -----------------------------------------------------------------------------------


def _has_variants(env: Env, tmpl_id: int) -> bool:
    return any(r["product_tmpl_id"] == tmpl_id for r in env.table("product.product").values())


def _line_created(env: Env, line_id: int) -> None:
    update_values(env, line_id)
    tmpl_id = env.table(LINE)[line_id]["product_tmpl_id"]
    if _has_variants(env, tmpl_id):  # else the template is being created: it generates once
        create_variant_ids(env, tmpl_id)


def _line_written(env: Env, line_id: int, vals: dict[str, Any]) -> None:
    ln = env.table(LINE)[line_id]
    if "active" in vals and not ln["active"] and ln["value_ids"]:
        ln["value_ids"] = []
    if {"value_ids", "active"} & set(vals):
        update_values(env, line_id)
        create_variant_ids(env, ln["product_tmpl_id"])


def _template_created(env: Env, tmpl_id: int) -> None:
    if env.context.get("_from_child") == "product.product":
        return
    if not _has_variants(env, tmpl_id):
        create_variant_ids(env, tmpl_id, creating=True)


def _template_written(env: Env, tmpl_id: int, vals: dict[str, Any]) -> None:
    """A line removed by an x2many command leaves its values behind: clean them up."""
    if "attribute_line_ids" not in vals:
        return
    lines = env.table(LINE)
    orphans = [
        r["id"]
        for r in env.table(PTAV).values()
        if r["product_tmpl_id"] == tmpl_id
        and r["ptav_active"]
        and r["attribute_line_id"] not in lines
    ]
    if orphans:
        unlink_values(env, orphans)
        create_variant_ids(env, tmpl_id)


line.on_create.append(_line_created)
line.on_write.append(_line_written)
product.template.on_create.append(_template_created)
product.template.on_write.append(_template_written)


@line.method()
def unlink(records: Records) -> bool:
    env = records.env
    templates = {env.table(LINE)[i]["product_tmpl_id"] for i in env.require(LINE, records.ids)}
    env.unlink(LINE, records.ids)
    for tmpl_id in templates:
        _template_written(env, tmpl_id, {"attribute_line_ids": True})
    return True


@ptav.method()
def write(records: Records, vals: dict[str, Any]) -> bool:
    if "ptav_product_variant_ids" in vals:
        raise UserError(
            "You cannot update related variants from the values. Please update related values "
            "from the variants."
        )
    return methods.write(records, vals)


# -- computed when read ----------------------------------------------------------------------


def refresh_templates(env: Env, ids: list[int]) -> None:
    by_tmpl: dict[int, list[int]] = {}
    for r in env.table("product.product").values():
        if r.get("active"):
            by_tmpl.setdefault(r["product_tmpl_id"], []).append(r["id"])
    table = env.table("product.template")
    for tid in ids:
        rec = table.get(tid)
        if rec is not None:
            variants = sorted(by_tmpl.get(tid, []))
            rec["product_variant_count"] = len(variants)
            rec["product_variant_id"] = variants[0] if variants else False


def refresh_values(env: Env, ids: list[int]) -> None:
    table = env.table(PTAV)
    wanted = {i for i in ids if i in table}
    found: dict[int, list[int]] = {i: [] for i in wanted}
    for r in env.table("product.product").values():
        if r.get("active"):
            for pid in r["product_template_attribute_value_ids"]:
                if pid in found:
                    found[pid].append(r["id"])
    for pid, variants in found.items():
        table[pid]["ptav_product_variant_ids"] = sorted(variants)


def active_variants(env: Env, row: dict[str, Any]) -> None:
    """o2m reads honour active_test: archived variants are not listed."""
    if isinstance(row.get("product_variant_ids"), list) and env.context.get("active_test", True):
        table = env.table("product.product")
        row["product_variant_ids"] = [
            i for i in row["product_variant_ids"] if table.get(i, {}).get("active")
        ]


def computed(
    model: Model,
    names: tuple[str, ...],
    refresh: Any,
    post: Any = None,
) -> None:
    """Fields Odoo computes on the fly: refreshed on the records just before they are read.

    A domain naming one of them refreshes the whole table first, so searches see fresh values.
    """

    def mentioned(domain: Any) -> bool:
        return any(
            isinstance(t, list | tuple) and t and str(t[0]).split(".")[0] in names
            for t in domain or []
        )

    def before_search(env: Env, domain: Any) -> None:
        if mentioned(domain):
            refresh(env, list(env.table(model.name)))

    def finish(env: Env, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for row in rows:
            if post is not None:
                post(env, row)
        return rows

    @model.method("read")
    def read(records: Records, fields: list[str] | None = None, load: str = "_classic_read") -> Any:
        refresh(records.env, records.ids)
        return finish(records.env, records.env.read(model.name, records.ids, fields))

    @model.method("search_read", api_model=True)
    def search_read(
        records: Records,
        domain: list[Any] | None = None,
        fields: list[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        **read_kwargs: Any,
    ) -> list[dict[str, Any]]:
        env = records.env
        before_search(env, domain)
        ids = env.search(model.name, domain or [], offset, limit, order)
        refresh(env, ids)
        return finish(env, env.read(model.name, ids, fields))

    @model.method("search", api_model=True)
    def search(
        records: Records,
        domain: list[Any],
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[int]:
        before_search(records.env, domain)
        return methods.search(records, domain, offset, limit, order)

    @model.method("search_count", api_model=True)
    def search_count(records: Records, domain: list[Any], limit: int | None = None) -> int:
        before_search(records.env, domain)
        return methods.search_count(records, domain, limit)


computed(
    product.template,
    ("product_variant_count", "product_variant_id"),
    refresh_templates,
    active_variants,
)
computed(ptav, ("ptav_product_variant_ids",), refresh_values)

MODELS = [attribute, value, line, ptav]
