"""Magento -> Odoo products: a batch of logs, one outcome per product.

Each log names one Magento product: a pull's log holds its raw payload, an event's log
`{"sku", "event", "deleted"}` (the product is read from Magento then). The batch reads
Magento first (products, a configurable's children and attributes, a bundle's parts),
decides what each log means, then writes Odoo (`product_upsert`):

- a simple or virtual product -> a storable template with the SKU as Internal Reference;
- a configurable -> one template with attribute lines, each child a variant named by its
  SKU; a child's own log (an event, a pull) imports its configurable instead, so children
  never arrive as loose products;
- a bundle -> a combo product, one combo choice per option, after its parts;
- a deleted product -> its template archived; a deleted child -> its configurable again.

No echo: the template's Binding keeps the fingerprint of the values synced as Odoo holds
them (`odoo_priced`; the description as Odoo stored it, read back), which is what the
Odoo -> Magento export reads back, and as Magento held them (`magento_fingerprint`): a
product whose Magento values have not changed is not written ("unchanged"). The
description Odoo stored is also kept on its own (entity `product_description`): the export
sends a description back only when it changed in Odoo since, so Odoo's sanitised copy of
a Page Builder layout never replaces the layout (the log's notes say what Odoo dropped).
A product that cannot be imported fails its own log with the reason; the rest of the
batch goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.clients.magento_search import SearchCriteria
from bridge.clients.odoo import m2o_id
from bridge.mappers.errors import MappingError
from bridge.mappers.odoo_html import dropped_by_odoo
from bridge.mappers.product import from_odoo, odoo_priced, product_fingerprint
from bridge.models import Binding, SyncLog, utcnow
from bridge.sync import bindings, logbook, pull
from bridge.sync.locks import lock_keys
from bridge.sync.products import odoo_write as ow
from bridge.sync.products.odoo_read import read_products
from bridge.sync.products.upsert import ImportContext, Item, natural_template, write_items

#: One log per Magento product (key: its SKU); pages of them; the pull's cursor stream.
ENTITY = "product.import"
PAGE_ENTITY = "products.import_page"
STREAM = "products"
SEARCH_PATH = "products"
PAGE_SIZE = 50

__all__ = [
    "ENTITY",
    "PAGE_ENTITY",
    "PAGE_SIZE",
    "SEARCH_PATH",
    "STREAM",
    "ImportContext",
    "import_products",
    "plan_import",
    "product_logs",
    "product_search",
]


def product_search(skus: list[str] | None = None) -> SearchCriteria:
    """The Magento search of a pull: every product, or only the SKUs asked for."""
    criteria = SearchCriteria()
    return criteria.where("sku", skus, "in") if skus else criteria


def product_logs(session: Session, connection_id: int, products: list[dict[str, Any]]) -> list[int]:
    """One queued log per product with its raw payload; a log not yet run takes the newer one."""
    keyed = [(str(p.get("sku") or p.get("id") or "?"), p) for p in products]
    return logbook.record_logs(session, connection_id, ENTITY, keyed)


@dataclass
class _Ask:
    """What one log asks for."""

    log: SyncLog
    sku: str
    payload: dict[str, Any] | None  # the raw Magento product a pull read
    deleted: bool


def _asks(logs: list[SyncLog]) -> list[_Ask]:
    asks = []
    for log in logs:
        payload = log.payload or {}
        is_event = "deleted" in payload or "event" in payload
        sku = str(payload.get("sku") or log.key or "").strip()
        if not sku:
            logbook.mark_failed(log, "this log names no Magento product SKU")
            continue
        raw = None if is_event else payload
        asks.append(_Ask(log, sku, raw, bool(payload.get("deleted")) if is_event else False))
    return asks


def import_products(ctx: ImportContext, logs: list[SyncLog], *, fresh: bool = False) -> dict:
    """Import the products these logs name and finish every log; returns the counts.

    `fresh` reads every product from Magento again instead of trusting a payload (a retry
    should see the product as it is now).
    """
    odoo_calls, magento_requests = ctx.odoo.calls_made, ctx.magento.requests_made
    asks = _asks(logs)
    if not fresh:
        ctx.source.remember(a.payload for a in asks if a.payload)
    ctx.source.fetch(a.sku for a in asks if not a.deleted)
    parents = _bound_parents(ctx, [a.sku for a in asks])
    items: dict[str, Item] = {}
    gone: list[_Ask] = []
    for ask in asks:
        product = None if ask.deleted else ctx.source.get(ask.sku)
        parent = _parent(ctx, ask.sku, product, parents.get(ask.sku))
        if parent is not None:
            _item(ctx, items, parent).answers.append((ask.log, ask.sku))
        elif product is None:
            gone.append(ask)
        else:
            _item(ctx, items, ask.sku).answers.append((ask.log, ask.sku))
    _add_parts(ctx, items)
    scope = f"product:{ctx.conn.id}"
    keys = sorted({*items, *(a.sku for a in gone)})
    lock_keys(ctx.session, scope, keys)

    def commit() -> None:
        ctx.session.commit()
        lock_keys(ctx.session, scope, keys)

    _evaluate(ctx, list(items.values()))
    write_items(ctx, list(items.values()), commit)
    archived = _delete(ctx, gone)
    counts = _finish(list(items.values()))
    return {
        "products": len(logs),
        **counts,
        "archived": archived,
        "odoo_calls": ctx.odoo.calls_made - odoo_calls,
        "magento_requests": ctx.magento.requests_made - magento_requests,
    }


# -- what each log means -----------------------------------------------------------------------


def _item(ctx: ImportContext, items: dict[str, Item], sku: str) -> Item:
    if sku not in items:
        items[sku] = Item(sku, ctx.source.get(sku) or {})
    return items[sku]


def _bound_parents(ctx: ImportContext, skus: list[str]) -> dict[str, str]:
    """SKU -> the configurable it is bound under as a variant (one Odoo read for all)."""
    own = bindings.by_keys(ctx.session, ctx.conn.id, "product_template", skus)
    variants = bindings.by_keys(
        ctx.session, ctx.conn.id, "product", [s for s in skus if s not in own]
    )
    if not variants:
        return {}
    rows = ctx.odoo.read(
        "product.product",
        sorted({b.odoo_id for b in variants.values()}),
        ["product_tmpl_id"],
        ow.WITH_ARCHIVED,
    )
    template_of = {r["id"]: m2o_id(r["product_tmpl_id"]) or 0 for r in rows}
    owners = {
        b.odoo_id: b.magento_key
        for b in ctx.session.scalars(
            select(Binding).where(
                Binding.connection_id == ctx.conn.id,
                Binding.entity == "product_template",
                Binding.odoo_id.in_(sorted(set(template_of.values()))),
            )
        )
    }
    found = {}
    for sku, binding in variants.items():
        owner = owners.get(template_of.get(binding.odoo_id, 0))
        if owner is not None and owner != sku:
            found[sku] = owner
    return found


def _parent(
    ctx: ImportContext, sku: str, product: dict[str, Any] | None, bound_parent: str | None
) -> str | None:
    """The configurable that holds this SKU as a child, when it is one.

    A bound child's parent is confirmed against Magento's links; a hidden unbound simple
    is looked up in them. A deleted child brings back its bound parent, whose variant of
    it is archived on re-import.
    """
    candidate = bound_parent
    if candidate is None and product is not None:
        candidate = ctx.source.parent_of(product)
    if candidate is None:
        return None
    ctx.source.fetch([candidate])
    parent = ctx.source.get(candidate)
    if parent is None or parent.get("type_id") != "configurable":
        return None
    if product is None:
        return candidate
    return candidate if sku in {str(c.get("sku")) for c in ctx.source.children(candidate)} else None


def _add_parts(ctx: ImportContext, items: dict[str, Item]) -> None:
    """A bundle's parts Odoo does not have yet are imported in the same batch, first."""
    parts = sorted(
        {
            str(link.get("sku"))
            for item in items.values()
            if item.payload.get("type_id") == "bundle"
            for option in (item.payload.get("extension_attributes") or {}).get(
                "bundle_product_options"
            )
            or []
            for link in option.get("product_links") or []
        }
        - set(items)
    )
    bound = bindings.by_keys(ctx.session, ctx.conn.id, "product", parts)
    needed = [s for s in parts if s not in bound]
    ctx.source.fetch(needed)
    for sku in needed:
        product = ctx.source.get(sku)
        if product is None:
            continue  # the bundle fails, naming the part
        parent = _parent(ctx, sku, product, None)
        _item(ctx, items, parent or sku)


def _evaluate(ctx: ImportContext, items: list[Item]) -> None:
    """Map each product, fingerprint it, and skip those their Binding says are unchanged."""
    bound = bindings.by_keys(ctx.session, ctx.conn.id, "product_template", [i.sku for i in items])
    for item in items:
        item.binding = bound.get(item.sku)
        try:
            values = ctx.source.values(item.payload)
        except MappingError as exc:
            item.fail(str(exc))
            continue
        if values["kind"] == "configurable" and not values["variants"]:
            item.fail(
                f"configurable {item.sku} has no child products in Magento, so nothing to "
                "sell; add its children in Magento, then retry this log"
            )
            continue
        item.values = odoo_priced(values)
        if item.values != values:
            item.notes.append(
                "its children's prices do not follow one attribute, so Odoo's price extras "
                "cannot say them: Odoo sells each variant at the template price plus the "
                "extras it can say; Magento keeps its prices"
            )
        item.fingerprint = product_fingerprint(item.values)
        binding = item.binding
        known = binding and (binding.magento_fingerprint or binding.fingerprint)
        if binding is not None and known == item.fingerprint:
            item.action = "unchanged"
            item.template_id = binding.odoo_id
            continue
        dropped = dropped_by_odoo(item.values["description"])
        if dropped:
            item.notes.append(
                f"Odoo holds the description without its {', '.join(dropped)} (Odoo sanitises "
                "html); Magento keeps them: Bridge sends the description back only when it is "
                "edited in Odoo"
            )


# -- deletions -----------------------------------------------------------------------------------


def _delete(ctx: ImportContext, gone: list[_Ask]) -> int:
    """Archive the templates of products Magento no longer has; returns how many."""
    bound = bindings.by_keys(ctx.session, ctx.conn.id, "product_template", [a.sku for a in gone])
    ids = sorted({b.odoo_id for b in bound.values()})
    templates = ow.read_templates(ctx.odoo, ids)
    active = [i for i in ids if templates.get(i, {}).get("active")]
    if active:
        ctx.odoo.write("product.template", active, {"active": False})
    _rebind_as_odoo_reads(ctx, [b for b in bound.values() if b.odoo_id in templates])
    for ask in gone:
        why = "deleted in Magento" if ask.deleted else "Magento no longer has it"
        binding = bound.get(ask.sku)
        if binding is None:
            summary = f"nothing to delete: {ask.sku} was never imported into Odoo ({why})"
        elif binding.odoo_id not in templates:
            summary = f"nothing to archive: product.template {binding.odoo_id} is gone from Odoo"
        else:
            summary = f"archived product.template {binding.odoo_id} ({why})"
        logbook.mark_done(ask.log, {"sku": ask.sku, "action": "deleted", "summary": summary})
    return len(active)


def _rebind_as_odoo_reads(ctx: ImportContext, archived: list[Binding]) -> None:
    """The archived templates' fingerprints as Odoo reads them now, so the export sees no
    change to send back (and does not bring the product back in Magento)."""
    if not archived:
        return
    products = read_products(ctx.odoo, [b.odoo_id for b in archived])
    for binding in archived:
        template = products.templates.get(binding.odoo_id)
        if template is None:
            continue
        try:
            values = from_odoo(
                template,
                products.variants.get(binding.odoo_id, []),
                products.ptavs,
                products.combos.get(binding.odoo_id, []),
                bound_sku=binding.magento_key,
            )
        except MappingError:
            continue  # the export cannot read it either, so it sends nothing
        binding.fingerprint = product_fingerprint(values)
        binding.synced_at = utcnow()


# -- outcome -------------------------------------------------------------------------------------


def _finish(items: list[Item]) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    for item in items:
        counts["failed" if item.error or not item.action else item.action] += 1
        for log, sku in item.answers:
            if item.error is not None:
                reason = item.error
                if sku != item.sku:
                    reason = f"its configurable {item.sku} could not be imported: {reason}"
                logbook.mark_failed(log, reason)
            else:
                logbook.mark_done(log, _result(item, sku))
    return counts


def _result(item: Item, sku: str) -> dict[str, Any]:
    values = item.values or {}
    result: dict[str, Any] = {
        "sku": sku,
        "kind": values.get("kind"),
        "action": item.action,
        "template_id": item.template_id,
    }
    if sku != item.sku:
        result["action"] = f"{item.action} with its configurable {item.sku}"
        result["kind"] = "variant"
        if sku in item.variant_ids:
            result["variant_id"] = item.variant_ids[sku]
    elif values.get("kind") == "configurable":
        result["variants"] = len(values.get("variants") or [])
    elif values.get("kind") == "bundle":
        result["combos"] = len(values.get("components") or [])
    if item.notes:
        result["notes"] = item.notes
    return result


# -- dry run -------------------------------------------------------------------------------------


def plan_import(
    ctx: ImportContext, skus: list[str] | None = None, since: str | None = None
) -> list[dict[str, Any]]:
    """What importing these SKUs (or the products changed since a date) would do in Odoo.

    Reads Magento and Odoo, writes nothing: one row per product with `action` create,
    update, unchanged, archive, fail or via <configurable>, and what it is about.
    """
    if skus:
        ctx.source.fetch(skus)
        wanted = list(dict.fromkeys(skus))
    else:
        wanted = []
        stream = pull.Stream(SEARCH_PATH, id_field="id")
        for page in pull.changed_pages(
            ctx.magento, stream, SearchCriteria(), since, fields=None, page_size=300
        ):
            ctx.source.remember(page)
            wanted += [str(p["sku"]) for p in page]
    parents = _bound_parents(ctx, wanted)
    rows: list[dict[str, Any]] = []
    items: dict[str, Item] = {}
    for sku in wanted:
        product = ctx.source.get(sku)
        parent = _parent(ctx, sku, product, parents.get(sku))
        if parent is not None:
            rows.append({"sku": sku, "action": f"via {parent}", "about": "a configurable's child"})
            _item(ctx, items, parent)
        elif product is None:
            bound = bindings.by_keys(ctx.session, ctx.conn.id, "product_template", [sku])
            action = "archive" if sku in bound else "nothing"
            rows.append({"sku": sku, "action": action, "about": "not in Magento"})
        else:
            _item(ctx, items, sku)
    _evaluate(ctx, list(items.values()))
    _plan_locate(ctx, [i for i in items.values() if i.error is None and not i.action])
    for item in items.values():
        rows.append(_plan_row(item))
    return rows


def _plan_locate(ctx: ImportContext, items: list[Item]) -> None:
    """Where each product would go in Odoo, by the import's own rules (reads only)."""
    codes: list[str] = []
    for item in [i for i in items if i.binding is None]:
        variants = (item.values or {}).get("variants") or []
        codes += [v["sku"] for v in variants] if item.kind == "configurable" else [item.sku]
    hits = ow.variants_by_code(ctx.odoo, codes)
    candidates = {b.odoo_id for i in items if (b := i.binding) is not None}
    templates = ow.read_templates(
        ctx.odoo, candidates | {h.template_id for found in hits.values() for h in found}
    )
    for item in items:
        if item.binding is not None and item.binding.odoo_id in templates:
            item.template_id, item.action = item.binding.odoo_id, "update"
            continue
        item.template_id = natural_template(item, hits, templates)
        item.action = "update" if item.template_id else "create"


def _plan_row(item: Item) -> dict[str, Any]:
    if item.error is not None:
        return {"sku": item.sku, "action": "fail", "about": item.error}
    values = item.values or {}
    about = f"{values.get('kind')} {values.get('name')!r}"
    if values.get("kind") == "configurable":
        attributes = ", ".join(
            f"{a['label']} ({', '.join(a['values'])})" for a in values.get("attributes") or []
        )
        about += f" with {len(values.get('variants') or [])} variants: {attributes}"
    elif values.get("kind") == "bundle":
        about += f" with {len(values.get('components') or [])} combo choices"
    if item.template_id:
        about += f" (product.template {item.template_id})"
    return {"sku": item.sku, "action": item.action, "about": about}
