"""The Odoo side of a product import: find each product, create or update it, bind it.

A product is found by its Binding, else by a natural key with archived records included
(the simple's or bundle's SKU as a variant's Internal Reference; for a configurable, any
child SKU's variant on a template with attributes), so a run that crashed after Odoo
answered finds its own work instead of making it twice. New templates are bound (without
a fingerprint) and committed as soon as Odoo created them: a configurable's variants get
their SKUs only in a later call, and until then nothing else in Odoo says whose they are.
The fingerprint is stored last, so a crash in between leaves a product that the retry
updates instead of skipping it. It is of the values as Odoo holds them: Odoo sanitises a
description's html (entities decoded, `<br />` as `<br>`, scripts and `data-*` gone), so
the descriptions written are read back (one call) and the export, which reads Odoo,
sees no change; the Magento values' own fingerprint is kept beside it for the next import.

Per batch, Odoo sees batched look-ups (variants by SKU, templates, attributes and values,
template attribute values), one `create` for the new templates, and per changed product
one `write` (plus, for a configurable, one naming its variants).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bridge.clients.errors import PermanentError
from bridge.clients.magento import MagentoClient
from bridge.clients.odoo import OdooClient, m2o_id
from bridge.mappers.errors import MappingError
from bridge.mappers.product import (
    ProductValues,
    as_odoo_holds,
    combo_name,
    description_fingerprint,
    odoo_template_values,
    product_fingerprint,
)
from bridge.models import Binding, Connection, SyncLog
from bridge.sync import bindings
from bridge.sync.products import odoo_write as ow
from bridge.sync.products.source import MagentoProducts

#: Binding entity whose fingerprint is of the description Odoo held at the last sync
#: (`product_export` reads it).
DESCRIPTION = "product_description"


@dataclass
class ImportContext:
    session: Session
    conn: Connection
    magento: MagentoClient
    odoo: OdooClient
    source: MagentoProducts = field(init=False)

    def __post_init__(self) -> None:
        self.source = MagentoProducts(self.magento)


@dataclass
class Item:
    """One top-level Magento product on its way to Odoo, and the logs it answers."""

    sku: str
    payload: dict[str, Any]
    #: (log, the SKU it asked for): its own, and its children's for a configurable.
    answers: list[tuple[SyncLog, str]] = field(default_factory=list)
    values: ProductValues | None = None
    #: Of the values as Magento holds them (what the import compares with).
    fingerprint: str = ""
    #: Of the values as Odoo holds them once written (what the export compares with).
    odoo_fingerprint: str = ""
    #: The description Odoo stored, read back (Odoo sanitises html).
    odoo_description: str = ""
    binding: Binding | None = None
    template_id: int | None = None
    archived: bool = False
    #: created, updated or unchanged; empty until decided.
    action: str = ""
    variant_ids: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.values["kind"] if self.values else ""

    def fail(self, reason: str) -> None:
        if self.error is None:
            self.error = reason


Commit = Callable[[], None]


def write_items(ctx: ImportContext, items: list[Item], commit: Commit) -> None:
    """Create or update the changed items in Odoo and bind them; failures stay on each item."""
    todo = [i for i in items if i.error is None and not i.action]
    _locate(ctx, todo)
    configurables = [i for i in todo if i.error is None and i.kind == "configurable"]
    ids, existing, line_changes = _plan_lines(ctx, configurables)
    simple_like = [i for i in todo if i.error is None and i.kind != "bundle"]
    _create(ctx, [i for i in simple_like if i.template_id is None], line_changes)
    commit()
    for item in [i for i in simple_like if i.action == "updated"]:
        _update(ctx, item, line_changes.get(item.sku) or [])
    _name_variants(ctx, [i for i in configurables if i.error is None], ids, existing, line_changes)
    _simple_variants(ctx, [i for i in simple_like if i.error is None and i.kind == "simple"])
    bundles = [i for i in todo if i.error is None and i.kind == "bundle"]
    if bundles:
        _bundles(ctx, bundles, items, commit)
    written = [i for i in todo if i.error is None]
    _read_back(ctx, written)
    for item in written:
        _bind(ctx, item)


def _read_back(ctx: ImportContext, items: list[Item]) -> None:
    """The fingerprint of what Odoo holds: its descriptions are read back (one call)."""
    described = [i for i in items if i.template_id and _values(i)["description"]]
    for item in items:
        item.odoo_fingerprint = item.fingerprint
        item.odoo_description = _values(item)["description"]
    if not described:
        return
    ids = [i.template_id or 0 for i in described]
    held = {r["id"]: r for r in ctx.odoo.read("product.template", ids, ["description"])}
    for item in described:
        row = held.get(item.template_id or 0)
        if row is not None:
            stored = as_odoo_holds(_values(item), row.get("description"))
            item.odoo_fingerprint = product_fingerprint(stored)
            item.odoo_description = stored["description"]


def _plan_lines(
    ctx: ImportContext, configurables: list[Item]
) -> tuple[ow.AttributeIds, dict[int, ow.Lines], dict[str, list[Any]]]:
    """Attribute and value ids, what existing templates have, and each one's line commands."""
    ids = ow.attribute_ids(ctx.odoo, [a for i in configurables for a in _values(i)["attributes"]])
    for item in configurables:
        labels = [a["label"] for a in _values(item)["attributes"] if a["label"] in ids.refused]
        if labels:
            item.fail(f"configurable {item.sku}: {ids.refused[labels[0]]}")
    existing = ow.read_lines(
        ctx.odoo, [i.template_id for i in configurables if i.template_id and i.error is None]
    )
    line_changes: dict[str, list[Any]] = {}
    for item in [i for i in configurables if i.error is None]:
        lines = existing.get(item.template_id or 0)
        foreign = ow.foreign_lines(_values(item), ids, lines) if lines is not None else []
        if foreign:
            item.fail(
                f"configurable {item.sku}: its Odoo product (product.template "
                f"{item.template_id}) has attributes (ids {foreign}) its Magento children "
                "do not use; remove those attribute lines in Odoo, then retry this log"
            )
            continue
        line_changes[item.sku] = ow.line_commands(_values(item), ids, lines)
    return ids, existing, line_changes


def _values(item: Item) -> ProductValues:
    assert item.values is not None
    return item.values


# -- finding what Odoo has -------------------------------------------------------------------------


def _locate(ctx: ImportContext, items: list[Item]) -> None:
    """Set each item's template (binding, else natural key) or leave it to be created."""
    codes: list[str] = []
    for item in [i for i in items if i.binding is None]:
        if item.kind == "configurable":
            codes += [v["sku"] for v in _values(item)["variants"]]
        else:
            codes.append(item.sku)
    hits = ow.variants_by_code(ctx.odoo, codes)
    candidates = {b.odoo_id for i in items if (b := i.binding) is not None}
    candidates |= {h.template_id for found in hits.values() for h in found}
    templates = ow.read_templates(ctx.odoo, candidates)
    for item in items:
        if item.binding is not None and item.binding.odoo_id not in templates:
            item.notes.append(
                f"its Odoo product (product.template {item.binding.odoo_id}) was deleted; "
                "made again"
            )
            ctx.session.delete(item.binding)
            ctx.session.flush()
            item.binding = None
        template_id = (
            item.binding.odoo_id if item.binding else natural_template(item, hits, templates)
        )
        if item.error is not None:
            continue
        item.template_id = template_id
        item.action = "updated" if template_id else "created"
        if template_id:
            item.archived = not templates[template_id]["active"]


def natural_template(
    item: Item, hits: dict[str, list[ow.Hit]], templates: dict[int, dict[str, Any]]
) -> int | None:
    """The template a crashed run or the merchant made for this product, if any."""
    if item.kind != "configurable":
        found = [h for h in hits.get(item.sku, []) if h.template_id in templates]
        alone = [h for h in found if not templates[h.template_id]["attribute_line_ids"]]
        if alone:
            return alone[0].template_id
        if any(h.active for h in found):
            h = next(h for h in found if h.active)
            item.fail(
                f"{item.kind} {item.sku}: Odoo has {item.sku} as a variant of product.template "
                f"{h.template_id}, a product with attributes; Magento has it as a product of "
                "its own. Change that variant's Internal Reference in Odoo, then retry this log"
            )
        return None
    children = [v["sku"] for v in _values(item)["variants"]]
    found = [h for s in children for h in hits.get(s, []) if h.template_id in templates]
    configured = sorted(
        {h.template_id for h in found if templates[h.template_id]["attribute_line_ids"]}
    )
    loose = sorted({h.template_id for h in found if h.active and h.template_id not in configured})
    if loose:
        item.fail(
            f"configurable {item.sku}: Odoo already has some of its children as products of "
            f"their own (product.template {', '.join(map(str, loose))}); Odoo cannot turn "
            "them into variants of one product. Archive them in Odoo or change their "
            "Internal References, then retry this log"
        )
        return None
    return configured[0] if configured else None


# -- templates -------------------------------------------------------------------------------------


def _template_values(item: Item, lines: list[Any]) -> dict[str, Any]:
    vals = odoo_template_values(_values(item))
    if lines:
        vals["attribute_line_ids"] = lines
    if item.archived:
        vals["active"] = True
    return vals


def _create(ctx: ImportContext, items: list[Item], line_changes: dict[str, list[Any]]) -> None:
    """One `create` for all new templates; on a refusal, one by one so only the bad one fails."""
    if not items:
        return
    vals = [_template_values(i, line_changes.get(i.sku) or []) for i in items]
    try:
        created = list(zip(items, ctx.odoo.create("product.template", vals), strict=True))
    except PermanentError:
        created = []
        for item, one in zip(items, vals, strict=True):
            try:
                created.append((item, ctx.odoo.create("product.template", [one])[0]))
            except PermanentError as exc:
                item.fail(f"Odoo refused {item.kind} {item.sku}: {exc.message}")
    for item, template_id in created:
        item.template_id = template_id
        item.binding = bindings.upsert(
            ctx.session, ctx.conn.id, "product_template", item.sku, "product.template",
            template_id, fingerprint=None,
        )  # fmt: skip


def _update(ctx: ImportContext, item: Item, lines: list[Any], **extra: Any) -> None:
    vals = _template_values(item, lines)
    if item.kind != "bundle":
        # Inventory tracking is the merchant's choice once the product exists, and Odoo
        # refuses to change it while a move reserves the product (a delivery of an order).
        vals.pop("is_storable", None)
    try:
        ctx.odoo.write("product.template", [item.template_id or 0], {**vals, **extra})
    except PermanentError as exc:
        item.fail(f"Odoo refused the update of {item.kind} {item.sku}: {exc.message}")


def _name_variants(
    ctx: ImportContext,
    items: list[Item],
    ids: ow.AttributeIds,
    before: dict[int, ow.Lines],
    line_changes: dict[str, list[Any]],
) -> None:
    """Give each variant its Magento SKU, archive the rest, set price extras."""
    # Lines changed or an archived template woke up: Odoo made or brought back variants.
    fresh = [i.template_id or 0 for i in items if line_changes.get(i.sku) or i.archived]
    lines = {**before, **ow.read_lines(ctx.odoo, fresh)}
    unmatched = [
        i.template_id or 0
        for i in items
        if not _all_active(_values(i), ids, lines[i.template_id or 0])
    ]
    archived = ow.archived_variants(ctx.odoo, {t: lines[t] for t in unmatched})
    for item in items:
        tmpl = item.template_id or 0
        try:
            plan = ow.variant_plan(_values(item), ids, lines[tmpl], archived.get(tmpl))
            ctx.odoo.write("product.template", [tmpl], {"product_variant_ids": plan.commands})
            ow.set_price_extras(ctx.odoo, plan.extras)
        except MappingError as exc:
            item.fail(str(exc))
            continue
        except PermanentError as exc:
            item.fail(f"Odoo refused the variants of configurable {item.sku}: {exc.message}")
            continue
        item.variant_ids = plan.variant_ids


def _all_active(values: ProductValues, ids: ow.AttributeIds, lines: ow.Lines) -> bool:
    """Does every Magento child have an active Odoo variant already?"""
    codes = {a["code"]: a["label"] for a in values["attributes"]}
    combos = set(lines.variants.values())
    return all(
        frozenset(ids.values[(codes[c], label)] for c, label in v["options"].items()) in combos
        for v in values["variants"]
    )


def _simple_variants(ctx: ImportContext, items: list[Item]) -> None:
    """The variant of each simple template, where its SKU is not bound to it yet."""
    known = bindings.by_keys(ctx.session, ctx.conn.id, "product", [i.sku for i in items])
    wanted = [i for i in items if i.sku not in known or i.action == "created"]
    for item in items:
        if item not in wanted:
            item.variant_ids = {item.sku: known[item.sku].odoo_id}
    if not wanted:
        return
    by_template: dict[int, int] = {}
    for row in ctx.odoo.search_read(
        "product.product",
        [("product_tmpl_id", "in", sorted({i.template_id or 0 for i in wanted}))],
        ["product_tmpl_id", "default_code"],
        order="active desc, id asc",
        context=ow.WITH_ARCHIVED,
    ):
        by_template.setdefault(m2o_id(row["product_tmpl_id"]) or 0, row["id"])
    for item in wanted:
        variant = by_template.get(item.template_id or 0)
        if variant is None:
            item.fail(f"Odoo made no variant for product.template {item.template_id}")
        else:
            item.variant_ids = {item.sku: variant}


# -- bundles ---------------------------------------------------------------------------------------


def _bundles(ctx: ImportContext, bundles: list[Item], items: list[Item], commit: Commit) -> None:
    """One combo choice per bundle option, holding its selections' products; then the template."""
    variants = {s: v for i in items if i.error is None for s, v in i.variant_ids.items()}
    wanted = sorted({s for b in bundles for c in _values(b)["components"] for s in c["skus"]})
    for sku, binding in bindings.by_keys(ctx.session, ctx.conn.id, "product", wanted).items():
        variants.setdefault(sku, binding.odoo_id)
    keys = {b.sku: _combo_keys(b) for b in bundles}
    bound = bindings.by_keys(
        ctx.session, ctx.conn.id, "product_combo", [k for ks in keys.values() for k in ks]
    )
    current = ow.read_combos(ctx.odoo, [b.odoo_id for b in bound.values()])
    new: list[tuple[Item, str, dict[str, Any]]] = []
    for bundle in bundles:
        missing = [s for c in _values(bundle)["components"] for s in c["skus"] if s not in variants]
        if missing:
            bundle.fail(_missing_parts(bundle, missing, items))
            continue
        for key, body in zip(keys[bundle.sku], _combo_bodies(bundle, variants), strict=True):
            binding = bound.get(key)
            combo = current.get(binding.odoo_id) if binding is not None else None
            if binding is None or combo is None:
                new.append((bundle, key, body))
            elif (combo.name, combo.sequence, combo.product_ids) != _combo_state(body):
                _rewrite_combo(ctx, bundle, binding.odoo_id, combo, body)
    _create_combos(ctx, new)
    commit()
    for bundle in [b for b in bundles if b.error is None]:
        _bundle_template(ctx, bundle, keys[bundle.sku])


def _combo_bodies(bundle: Item, variants: dict[str, int]) -> list[dict[str, Any]]:
    """`product.combo` values per option; the sequence keeps Magento's option order in Odoo."""
    return [
        {
            "name": combo_name(component),
            "sequence": position,
            "combo_item_ids": [(0, 0, {"product_id": variants[s]}) for s in component["skus"]],
        }
        for position, component in enumerate(_values(bundle)["components"], start=1)
    ]


def _combo_state(body: dict[str, Any]) -> tuple[str, int, list[int]]:
    return body["name"], body["sequence"], [cmd[2]["product_id"] for cmd in body["combo_item_ids"]]


def _combo_keys(bundle: Item) -> list[str]:
    """`<bundle SKU>#<option id>`, in the order the mapper lists the options (by position)."""
    options = (bundle.payload.get("extension_attributes") or {}).get("bundle_product_options")
    ordered = sorted(options or [], key=lambda o: int(o.get("position") or 0))
    return [f"{bundle.sku}#{o.get('option_id')}" for o in ordered]


def _missing_parts(bundle: Item, missing: list[str], items: list[Item]) -> str:
    reasons: dict[str, str] = {}
    for item in [i for i in items if i.error]:
        for sku in [item.sku, *(v["sku"] for v in (item.values or {}).get("variants", []))]:
            reasons[sku] = str(item.error)
    told = [f"{s} ({reasons[s]})" if s in reasons else s for s in missing]
    return (
        f"bundle {bundle.sku}: its parts {', '.join(told)} could not be imported into Odoo; "
        "fix them in Magento, then retry this log"
    )


def _rewrite_combo(
    ctx: ImportContext, bundle: Item, combo_id: int, combo: ow.Combo, body: dict[str, Any]
) -> None:
    """Items are replaced (their order is the selections'), the name set again."""
    drop = [(2, i) for i in combo.item_ids]
    try:
        ctx.odoo.write(
            "product.combo", [combo_id], {**body, "combo_item_ids": drop + body["combo_item_ids"]}
        )
    except PermanentError as exc:
        bundle.fail(
            f"Odoo refused to change combo {combo_id} of bundle {bundle.sku}: {exc.message}"
        )


def _create_combos(ctx: ImportContext, new: list[tuple[Item, str, dict[str, Any]]]) -> None:
    if not new:
        return
    try:
        ids = ctx.odoo.create("product.combo", [body for _, _, body in new])
    except PermanentError as exc:
        for bundle, _, _ in new:
            bundle.fail(f"Odoo refused the combo choices of bundle {bundle.sku}: {exc.message}")
        return
    for (_, key, _), combo_id in zip(new, ids, strict=True):
        bindings.upsert(ctx.session, ctx.conn.id, "product_combo", key, "product.combo", combo_id)


def _bundle_template(ctx: ImportContext, bundle: Item, keys: list[str]) -> None:
    bound = bindings.by_keys(ctx.session, ctx.conn.id, "product_combo", keys)
    combo_ids = [bound[k].odoo_id for k in keys]
    extra = {"combo_ids": [(6, 0, combo_ids)]}
    if bundle.template_id is None:
        vals = {**_template_values(bundle, []), **extra}
        try:
            bundle.template_id = ctx.odoo.create("product.template", [vals])[0]
        except PermanentError as exc:
            bundle.fail(f"Odoo refused bundle {bundle.sku}: {exc.message}")
            return
    else:
        _update(ctx, bundle, [], **extra)
    _drop_old_combos(ctx, bundle, set(keys))


def _drop_old_combos(ctx: ImportContext, bundle: Item, keep: set[str]) -> None:
    """Combos of options Magento no longer has: unbound, and deleted when Odoo lets us."""
    prefix = f"{bundle.sku}#"
    old = [
        b
        for b in ctx.session.query(Binding).filter_by(
            connection_id=ctx.conn.id, entity="product_combo"
        )
        if b.magento_key.startswith(prefix) and b.magento_key not in keep
    ]
    for binding in old:
        try:
            ctx.odoo.unlink("product.combo", [binding.odoo_id])
        except PermanentError as exc:
            bundle.notes.append(f"kept old combo {binding.odoo_id}: {exc.message}")
        ctx.session.delete(binding)
    ctx.session.flush()


# -- bindings --------------------------------------------------------------------------------------


def _bind(ctx: ImportContext, item: Item) -> None:
    """The template with the fingerprint of what was synced; each sellable SKU to its variant;
    the description Odoo holds now, which the export tells Odoo's own edits from."""
    item.binding = bindings.upsert(
        ctx.session, ctx.conn.id, "product_template", item.sku, "product.template",
        item.template_id or 0, fingerprint=item.odoo_fingerprint or item.fingerprint,
        magento_fingerprint=item.fingerprint,
    )  # fmt: skip
    bindings.upsert(
        ctx.session, ctx.conn.id, DESCRIPTION, item.sku, "product.template",
        item.template_id or 0, fingerprint=description_fingerprint(item.odoo_description),
    )  # fmt: skip
    variants = {sku: (variant_id, None) for sku, variant_id in item.variant_ids.items()}
    bindings.upsert_many(ctx.session, ctx.conn.id, "product", "product.product", variants)
