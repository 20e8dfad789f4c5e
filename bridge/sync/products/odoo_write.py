"""Magento products into Odoo: the batched look-ups and the variant plan of a configurable.

A configurable becomes one `product.template` whose attribute lines hold the values its
Magento children use. Odoo makes one variant per combination of those values (all of
them); the plan gives each variant whose combination is a Magento child that child's SKU
as Internal Reference, archives the others (Magento does not sell them) and sets price
extras so each variant's price is its child's, where Odoo's extras can say it.

Every look-up here is one call for the whole batch: `search_read` with an `in` domain,
archived records included, so a re-run after a crash finds what the last run created.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bridge.clients.odoo import OdooClient, m2o_id
from bridge.mappers.errors import MappingError
from bridge.mappers.product import Attribute, ProductValues, price_extras

WITH_ARCHIVED = {"active_test": False}
PTAV = "product.template.attribute.value"


@dataclass(frozen=True)
class Hit:
    """An Odoo variant that has a SKU as its Internal Reference."""

    variant_id: int
    template_id: int
    active: bool


def variants_by_code(odoo: OdooClient, skus: Iterable[str]) -> dict[str, list[Hit]]:
    """SKU -> the variants (archived too) whose Internal Reference it is."""
    wanted = sorted(set(skus))
    found: dict[str, list[Hit]] = defaultdict(list)
    if not wanted:
        return found
    rows = odoo.search_read(
        "product.product",
        [("default_code", "in", wanted)],
        ["default_code", "product_tmpl_id", "active"],
        order="id asc",
        context=WITH_ARCHIVED,
    )
    for row in rows:
        hit = Hit(row["id"], m2o_id(row["product_tmpl_id"]) or 0, bool(row["active"]))
        found[str(row["default_code"])].append(hit)
    return found


def read_templates(odoo: OdooClient, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The templates that still exist (archived too), with what the import decides on."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    fields = ["active", "attribute_line_ids", "type", "combo_ids"]
    return {r["id"]: r for r in odoo.read("product.template", wanted, fields, WITH_ARCHIVED)}


# -- attributes and values -----------------------------------------------------------------------


@dataclass
class AttributeIds:
    """Odoo ids of attributes by name (the Magento label) and of values by (name, label)."""

    attributes: dict[str, int] = field(default_factory=dict)
    values: dict[tuple[str, str], int] = field(default_factory=dict)
    #: Attribute name -> why it cannot make variants.
    refused: dict[str, str] = field(default_factory=dict)

    def value_ids(self, attribute: Attribute) -> list[int]:
        return [self.values[(attribute["label"], label)] for label in attribute["values"]]


def attribute_ids(odoo: OdooClient, wanted: list[Attribute]) -> AttributeIds:
    """Find attributes and values by name, creating the missing ones (at most four calls)."""
    ids = AttributeIds()
    names = sorted({a["label"] for a in wanted})
    if not names:
        return ids
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in odoo.search_read(
        "product.attribute", [("name", "in", names)], ["name", "create_variant"], order="id asc"
    ):
        found[row["name"]].append(row)
    missing = []
    for name in names:
        usable = [r for r in found.get(name, []) if r["create_variant"] == "always"]
        if usable:
            ids.attributes[name] = usable[0]["id"]
        elif found.get(name):
            ids.refused[name] = (
                f"the Odoo attribute {name!r} does not make variants (its Variant Creation is "
                f"{found[name][0]['create_variant']!r}); set it to 'Instantly' in Odoo "
                "(Sales > Configuration > Attributes), then retry this log"
            )
        else:
            missing.append(name)
    created = odoo.create(
        "product.attribute", [{"name": n, "create_variant": "always"} for n in missing]
    )
    ids.attributes.update(zip(missing, created, strict=True))
    labels = {(a["label"], v) for a in wanted if a["label"] in ids.attributes for v in a["values"]}
    if not labels:
        return ids
    by_id = {i: name for name, i in ids.attributes.items()}
    for row in odoo.search_read(
        "product.attribute.value",
        [
            ("attribute_id", "in", sorted(by_id)),
            ("name", "in", sorted({v for _, v in labels})),
        ],
        ["name", "attribute_id"],
        order="id asc",
    ):
        key = (by_id[m2o_id(row["attribute_id"]) or 0], row["name"])
        ids.values.setdefault(key, row["id"])
    new = sorted(labels - set(ids.values))
    created = odoo.create(
        "product.attribute.value",
        [{"attribute_id": ids.attributes[name], "name": label} for name, label in new],
    )
    ids.values.update(zip(new, created, strict=True))
    return ids


# -- a configurable's variants -------------------------------------------------------------------


@dataclass
class Lines:
    """What Odoo has of one template's attributes: lines, their values, and the variants."""

    line_of: dict[int, int] = field(default_factory=dict)  # attribute id -> line id
    line_values: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    ptavs: dict[int, dict[str, Any]] = field(default_factory=dict)  # value id -> ptav row
    variants: dict[int, frozenset[int]] = field(default_factory=dict)  # active id -> value ids


def read_lines(odoo: OdooClient, template_ids: Iterable[int]) -> dict[int, Lines]:
    """One call: the active template attribute values of these templates, with their variants."""
    wanted = sorted(set(template_ids))
    out: dict[int, Lines] = {i: Lines() for i in wanted}
    if not wanted:
        return out
    rows = odoo.search_read(
        PTAV,
        [("product_tmpl_id", "in", wanted), ("ptav_active", "=", True)],
        [
            "product_tmpl_id",
            "attribute_id",
            "attribute_line_id",
            "product_attribute_value_id",
            "price_extra",
            "ptav_product_variant_ids",
        ],  # fmt: skip
    )
    members: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        tmpl = m2o_id(row["product_tmpl_id"]) or 0
        attribute, value = (
            m2o_id(row["attribute_id"]) or 0,
            m2o_id(row["product_attribute_value_id"]),
        )
        lines = out[tmpl]
        lines.line_of[attribute] = m2o_id(row["attribute_line_id"]) or 0
        lines.line_values[attribute].add(value or 0)
        lines.ptavs[value or 0] = row
        for variant_id in row.get("ptav_product_variant_ids") or []:
            members[tmpl][variant_id].add(value or 0)
    for tmpl, variants in members.items():
        out[tmpl].variants = {vid: frozenset(values) for vid, values in variants.items()}
    return out


def archived_variants(odoo: OdooClient, lines: dict[int, Lines]) -> dict[int, dict[int, frozenset]]:
    """Template -> archived variant -> its value ids (one call; for variants to bring back)."""
    if not lines:
        return {}
    value_of_ptav = {row["id"]: value for tl in lines.values() for value, row in tl.ptavs.items()}
    out: dict[int, dict[int, frozenset]] = defaultdict(dict)
    for row in odoo.search_read(
        "product.product",
        [("product_tmpl_id", "in", sorted(lines)), ("active", "=", False)],
        ["product_tmpl_id", "product_template_attribute_value_ids"],
        context=WITH_ARCHIVED,
    ):
        ptavs = row["product_template_attribute_value_ids"]
        if all(p in value_of_ptav for p in ptavs):
            combo = frozenset(value_of_ptav[p] for p in ptavs)
            out[m2o_id(row["product_tmpl_id"]) or 0][row["id"]] = combo
    return out


def line_commands(values: ProductValues, ids: AttributeIds, lines: Lines | None) -> list[Any]:
    """`attribute_line_ids` commands: new lines, and values added to existing ones.

    Values Odoo has and Magento no longer uses stay on their line: their variants are
    archived, not deleted, so orders that sold them keep their product.
    """
    commands: list[Any] = []
    for attribute in values["attributes"]:
        attr_id = ids.attributes[attribute["label"]]
        wanted = ids.value_ids(attribute)
        if lines is None or attr_id not in lines.line_of:
            commands.append((0, 0, {"attribute_id": attr_id, "value_ids": [(6, 0, wanted)]}))
            continue
        new = [v for v in wanted if v not in lines.line_values[attr_id]]
        if new:
            commands.append((1, lines.line_of[attr_id], {"value_ids": [(4, v) for v in new]}))
    return commands


def foreign_lines(values: ProductValues, ids: AttributeIds, lines: Lines) -> list[int]:
    """Attribute ids of lines Odoo has that the Magento configurable does not use."""
    used = {ids.attributes[a["label"]] for a in values["attributes"]}
    return sorted(set(lines.line_of) - used)


@dataclass
class VariantPlan:
    """One template write naming and archiving variants, and the price extras to set."""

    commands: list[Any] = field(default_factory=list)
    variant_ids: dict[str, int] = field(default_factory=dict)  # SKU -> product.product id
    extras: dict[float, list[int]] = field(default_factory=dict)  # extra -> ptav ids


def variant_plan(
    values: ProductValues,
    ids: AttributeIds,
    lines: Lines,
    archived: dict[int, frozenset] | None = None,
) -> VariantPlan:
    """Match Odoo's variants to the Magento children by their values (pure)."""
    plan = VariantPlan()
    by_combo = {combo: vid for vid, combo in lines.variants.items()}
    sleeping = {combo: vid for vid, combo in (archived or {}).items()}
    attributes = {a["code"]: a for a in values["attributes"]}
    matched: set[int] = set()
    for variant in values["variants"]:
        combo = frozenset(
            ids.values[(attributes[code]["label"], label)]
            for code, label in variant["options"].items()
        )
        if combo in by_combo:
            vid = by_combo[combo]
            plan.commands.append((1, vid, {"default_code": variant["sku"]}))
        elif combo in sleeping:
            vid = sleeping[combo]
            plan.commands.append((1, vid, {"default_code": variant["sku"], "active": True}))
        else:
            raise MappingError(
                f"configurable {values['sku']}: Odoo has no variant for child {variant['sku']} "
                f"({', '.join(variant['options'].values())}); it was deleted in Odoo: open the "
                "product's Attributes & Variants tab and save it so Odoo makes it again, then "
                "retry this log"
            )
        matched.add(vid)
        plan.variant_ids[variant["sku"]] = vid
    for vid in sorted(set(lines.variants) - matched):
        plan.commands.append((1, vid, {"active": False}))
    wanted = price_extras(values)
    for attribute in values["attributes"]:
        for label in attribute["values"]:
            ptav = lines.ptavs.get(ids.values[(attribute["label"], label)])
            extra = wanted.get((attribute["code"], label), 0.0)
            if ptav is not None and round(float(ptav["price_extra"] or 0), 4) != extra:
                plan.extras.setdefault(extra, []).append(ptav["id"])
    return plan


def set_price_extras(odoo: OdooClient, extras: dict[float, list[int]]) -> None:
    """One write per distinct extra: Odoo writes many records at once only with one value."""
    for extra, ptav_ids in sorted(extras.items()):
        odoo.write(PTAV, sorted(ptav_ids), {"price_extra": extra})


# -- bundles as combo products -------------------------------------------------------------------


@dataclass(frozen=True)
class Combo:
    name: str
    sequence: int
    item_ids: list[int]
    product_ids: list[int]  # in item order


def read_combos(odoo: OdooClient, combo_ids: Iterable[int]) -> dict[int, Combo]:
    """The combos that still exist, with their items; two calls, none when there are none."""
    wanted = sorted(set(combo_ids))
    if not wanted:
        return {}
    combos = odoo.read("product.combo", wanted, ["name", "sequence", "combo_item_ids"])
    item_ids = sorted({i for c in combos for i in c["combo_item_ids"]})
    items = {
        r["id"]: m2o_id(r["product_id"]) or 0
        for r in odoo.read("product.combo.item", item_ids, ["product_id"])
    }
    return {
        c["id"]: Combo(
            str(c["name"]),
            int(c["sequence"] or 0),
            list(c["combo_item_ids"]),
            [items[i] for i in c["combo_item_ids"] if i in items],
        )
        for c in combos
    }
