"""Odoo -> Magento products: a page of export logs, one outcome per product.

A page reads Odoo in a fixed number of calls (`product_odoo_read`), maps each template to
the neutral shape, skips those whose fingerprint matches their Binding (unchanged, or our
own import coming back), and writes the rest to Magento either one save per product or,
for a big page, through the asynchronous bulk API, then per product for what must wait for
ids (a configurable links its children by Magento id; a bundle needs its parts to exist).

Simple products and configurable children go in the bulk; each bulk operation's outcome
lands on its product's log. The bulk uuids are committed on the page log before waiting,
so a page retried after a crash follows the same bulks instead of sending them again.

An update leaves some fields as Magento has them (`left_out`): those Odoo leaves empty,
and the description unless it is an edit made in Odoo. Odoo's description is only its
sanitised rewrite of Magento's (Page Builder markup, styles and scripts gone) until
someone edits it there, so it is sent when it changed since the last sync (entity
`product_description` keeps the fingerprint of the description Odoo held then) and is not
the same content as Magento's current one (read with the SKU look-up). The template's
binding keeps both sides' fingerprints: what Odoo holds, and what Magento holds after the
write (the fields left out as Magento has them), which the next import compares with.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from bridge.clients.errors import PermanentError, RetryableError
from bridge.clients.magento import MagentoClient
from bridge.clients.odoo import OdooClient
from bridge.mappers.errors import MappingError
from bridge.mappers.product import (
    ProductValues,
    as_magento_holds,
    description_fingerprint,
    from_magento,
    from_odoo,
    held_in_magento,
    left_out,
    magento_child,
    magento_product,
    product_fingerprint,
)
from bridge.models import AttributeSet, Binding, Connection, SyncLog, Website
from bridge.sync import bindings, logbook
from bridge.sync.products.magento import MagentoCatalog
from bridge.sync.products.odoo_read import OdooProducts, read_products
from bridge.sync.products.upsert import DESCRIPTION

BULK_LIMIT = 5000
BULK_COMPLETE, BULK_OPEN = 1, 4
#: How long one run waits for Magento's consumers before handing the page to a retry.
BULK_WAIT_S = 240.0
KIND_ORDER = {"simple": 0, "configurable": 1, "bundle": 2}


@dataclass
class ExportContext:
    session: Session
    conn: Connection
    magento: MagentoClient
    odoo: OdooClient
    catalog: MagentoCatalog = field(init=False)

    def __post_init__(self) -> None:
        self.catalog = MagentoCatalog(self.magento)

    @cached_property
    def attribute_sets(self) -> dict[str, int]:
        """Attribute set name (case-folded) -> Magento id, read once per page."""
        rows = self.session.scalars(
            select(AttributeSet).where(AttributeSet.connection_id == self.conn.id)
        )
        return {s.name.casefold(): s.magento_id for s in rows}

    @cached_property
    def website_ids(self) -> list[int] | None:
        """The connection's active websites, read once per page."""
        ids = self.session.scalars(
            select(Website.magento_id).where(
                Website.connection_id == self.conn.id,
                Website.active.is_(True),
                Website.magento_id > 0,
            )
        ).all()
        return sorted(ids) or None


@dataclass
class Item:
    """One template on its way to Magento."""

    log: SyncLog
    template_id: int
    values: ProductValues
    fingerprint: str
    variant_ids: dict[str, int]
    attribute_set_id: int | None = None
    #: Fields Magento keeps as it has them (`left_out`), and the values it holds after.
    leave: frozenset[str] = frozenset()
    magento_fingerprint: str = ""
    error: str | None = None


def export_page(ctx: ExportContext, page: SyncLog, logs: list[SyncLog], *, bulk: bool) -> dict:
    """Export the products of these logs; each log ends done or failed with its reason."""
    template_ids = [int((log.payload or {})["template_id"]) for log in logs]
    products = read_products(ctx.odoo, template_ids)
    bound = _template_bindings(ctx, template_ids)
    items, counts = [], {"exported": 0, "unchanged": 0, "failed": 0}
    for log in logs:
        item = _prepare(ctx, log, products, bound, counts)
        if item is not None:
            items.append(item)
    items.sort(key=lambda i: KIND_ORDER[i.values["kind"]])
    ctx.catalog.look_up(
        [i.values["sku"] for i in items]
        + [v["sku"] for i in items for v in i.values["variants"]]
        + [s for i in items for c in i.values["components"] for s in c["skus"]]
    )
    _choose_fields(ctx, items)
    uuids: list[str] = []
    if bulk:
        uuids = _bulk_phase(ctx, page, [i for i in items if i.values["kind"] != "bundle"])
    exported: list[Item] = []
    for item in items:
        if item.error is None:
            _save_one(ctx, item, children_saved=bulk)
        if item.error is not None:
            logbook.mark_failed(item.log, item.error)
            counts["failed"] += 1
            continue
        exported.append(item)
        logbook.mark_done(
            item.log,
            {
                "sku": item.values["sku"],
                "kind": item.values["kind"],
                "magento_id": ctx.catalog.existing[item.values["sku"]]["id"],
                "variants": len(item.values["variants"]),
            },
        )
        counts["exported"] += 1
    _bind_all(ctx, exported)
    product_ids = sorted(
        {i for item in items if item.error is None for i in item.variant_ids.values()}
    )
    return {
        **counts,
        "bulks": uuids,
        "magento_requests": ctx.catalog.requests,
        "product_ids": product_ids,
    }


def _template_bindings(ctx: ExportContext, template_ids: list[int]) -> dict[int, Binding]:
    return _bound(ctx.session, ctx.conn.id, template_ids, "product_template")


def _bound(
    session: Session, connection_id: int, template_ids: list[int], entity: str
) -> dict[int, Binding]:
    rows = session.scalars(
        select(Binding).where(
            Binding.connection_id == connection_id,
            Binding.entity == entity,
            Binding.odoo_id.in_(template_ids),
        )
    )
    return {b.odoo_id: b for b in rows}


def synced_descriptions(
    session: Session, connection_id: int, template_ids: list[int]
) -> dict[int, str]:
    """Template id -> the fingerprint of the description Odoo held at its last sync."""
    bound = _bound(session, connection_id, template_ids, DESCRIPTION)
    return {i: b.fingerprint for i, b in bound.items() if b.fingerprint}


def _choose_fields(ctx: ExportContext, items: list[Item]) -> None:
    """What each update leaves as Magento has it, and what Magento holds after the write."""
    synced = synced_descriptions(ctx.session, ctx.conn.id, [i.template_id for i in items])
    for item in items:
        row = ctx.catalog.existing.get(item.values["sku"])
        held = held_in_magento(row) if row is not None else None
        edited = synced.get(item.template_id) != description_fingerprint(item.values["description"])
        item.leave = left_out(item.values, held, edited)
        item.magento_fingerprint = product_fingerprint(
            as_magento_holds(item.values, held, item.leave)
        )


def _prepare(
    ctx: ExportContext,
    log: SyncLog,
    products: OdooProducts,
    bound: dict[int, Binding],
    counts: dict[str, int],
) -> Item | None:
    template_id = int((log.payload or {})["template_id"])
    template = products.templates.get(template_id)
    if template is None:
        logbook.mark_done(log, {"skipped": "the Odoo product was deleted; Magento keeps its copy"})
        counts["unchanged"] += 1
        return None
    binding = bound.get(template_id)
    try:
        values = from_odoo(
            template,
            products.variants.get(template_id, []),
            products.ptavs,
            products.combos.get(template_id, []),
            bound_sku=binding.magento_key if binding else None,
        )
    except MappingError as exc:
        logbook.mark_failed(log, str(exc))
        counts["failed"] += 1
        return None
    fingerprint = product_fingerprint(values)
    if binding is not None and binding.fingerprint == fingerprint:
        logbook.mark_done(log, {"sku": values["sku"], "unchanged": True})
        counts["unchanged"] += 1
        return None
    return Item(
        log=log,
        template_id=template_id,
        values=values,
        fingerprint=fingerprint,
        variant_ids=products.variant_ids(template_id),
        attribute_set_id=_attribute_set_id(ctx, template),
    )


def _attribute_set_id(ctx: ExportContext, template: dict[str, Any]) -> int:
    """The Magento attribute set named like the Odoo category, else "Default"."""
    category = template.get("categ_id")
    name = str(category[1]).rsplit("/", 1)[-1].strip() if category else ""
    sets = ctx.attribute_sets
    return sets.get(name.casefold()) or sets.get("default") or 4


def _new_fields(ctx: ExportContext, item: Item, sku: str) -> dict[str, Any]:
    """What only a new Magento product gets: an update keeps the merchant's set and sites.
    Both leave what `_choose_fields` decided Magento keeps."""
    if sku in ctx.catalog.existing:
        return {"leave": item.leave}
    return {
        "attribute_set_id": item.attribute_set_id,
        "website_ids": ctx.website_ids,
        "leave": item.leave,
    }


def _child_bodies(ctx: ExportContext, item: Item) -> list[tuple[str, dict[str, Any]]]:
    options, _ = ctx.catalog.option_ids(item.values)
    return [
        (v["sku"], magento_child(item.values, v, options, **_new_fields(ctx, item, v["sku"])))
        for v in item.values["variants"]
    ]


def _save_one(ctx: ExportContext, item: Item, *, children_saved: bool) -> None:
    """Save a product (and, unless the bulk did, a configurable's children) one by one."""
    values = item.values
    try:
        if values["kind"] == "configurable":
            if not children_saved:
                for _, body in _child_bodies(ctx, item):
                    ctx.catalog.save(body)
            ctx.catalog.look_up(v["sku"] for v in values["variants"])
            options, attribute_ids = ctx.catalog.option_ids(values)
            child_ids = [int(ctx.catalog.existing[v["sku"]]["id"]) for v in values["variants"]]
            body = magento_product(
                values,
                option_ids=options,
                attribute_ids=attribute_ids,
                child_ids=child_ids,
                **_new_fields(ctx, item, values["sku"]),
            )
        elif values["kind"] == "bundle":
            missing = [
                s for c in values["components"] for s in c["skus"] if s not in ctx.catalog.existing
            ]
            if missing:
                raise MappingError(
                    f"bundle {values['sku']}: its parts {', '.join(missing)} are not in Magento "
                    "yet; sync them first (bridge sync products --sku ...), then retry this log"
                )
            body = magento_product(values, **_new_fields(ctx, item, values["sku"]))
        elif children_saved:
            return  # the bulk saved it
        else:
            body = magento_product(values, **_new_fields(ctx, item, values["sku"]))
        ctx.catalog.save(body)
    except (MappingError, PermanentError) as exc:
        item.error = f"Magento refused {values['sku']}: {exc}"


def _bulk_phase(ctx: ExportContext, page: SyncLog, items: list[Item]) -> list[str]:
    """Simple products and configurable children through the bulk API; outcomes per item."""
    owners: dict[str, Item] = {}
    bodies: list[tuple[str, dict[str, Any]]] = []
    for item in items:
        try:
            if item.values["kind"] == "configurable":
                pairs = _child_bodies(ctx, item)
            else:
                pairs = [
                    (
                        item.values["sku"],
                        magento_product(item.values, **_new_fields(ctx, item, item.values["sku"])),
                    )
                ]
        except (MappingError, PermanentError) as exc:
            item.error = str(exc)
            continue
        for sku, body in pairs:
            owners[sku] = item
            bodies.append((sku, body))
    state = (page.payload or {}).get("bulks")
    if not state and bodies:
        state = _submit(ctx, bodies)
        page.payload = {**(page.payload or {}), "bulks": state}
        flag_modified(page, "payload")
        ctx.session.commit()  # a retried page follows these bulks instead of sending them again
    for bulk in state or []:
        for sku, message in _outcomes(ctx, bulk).items():
            item = owners.get(sku)
            if item is not None and message is not None and item.error is None:
                item.error = f"Magento refused {sku} in bulk {bulk['uuid']}: {message}"
    ctx.catalog.look_up(owners)
    return [b["uuid"] for b in state or []]


def _submit(ctx: ExportContext, bodies: list[tuple[str, dict[str, Any]]]) -> list[dict]:
    state = []
    for i in range(0, len(bodies), BULK_LIMIT):
        chunk = bodies[i : i + BULK_LIMIT]
        ctx.catalog.requests += 1
        answer = ctx.magento.bulk("products", [body for _, body in chunk])
        state.append({"uuid": answer["bulk_uuid"], "skus": [sku for sku, _ in chunk]})
    return state


def _outcomes(ctx: ExportContext, bulk: dict[str, Any]) -> dict[str, str | None]:
    """Wait until Magento ran every operation; SKU -> None (saved) or Magento's message."""
    deadline, pause = time.monotonic() + BULK_WAIT_S, 0.2
    while True:
        ctx.catalog.requests += 1
        status = ctx.magento.get(f"bulk/{bulk['uuid']}/status")
        operations = status.get("operations_list") or []
        if not any(op.get("status") == BULK_OPEN for op in operations):
            break
        if time.monotonic() > deadline:
            raise RetryableError(
                f"Magento has not finished bulk {bulk['uuid']} yet "
                "(are its message-queue consumers running?)"
            )
        time.sleep(pause)
        pause = min(pause * 1.5, 5.0)
    outcome: dict[str, str | None] = {}
    for op in operations:
        sku = bulk["skus"][int(op["id"])]
        ok = op.get("status") == BULK_COMPLETE
        outcome[sku] = None if ok else str(op.get("result_message") or "failed without a message")
    return outcome


def _bind_all(ctx: ExportContext, items: list[Item]) -> None:
    """Bind the exported templates and their stocked variants, one write per entity."""
    templates = {i.values["sku"]: (i.template_id, i.fingerprint) for i in items}
    # Magento keeps what it is sent, and its own values of the fields left out.
    held = {i.values["sku"]: i.magento_fingerprint or i.fingerprint for i in items}
    descriptions = {
        i.values["sku"]: (i.template_id, description_fingerprint(i.values["description"]))
        for i in items
    }
    variants = {
        sku: (product_id, None)
        for i in items
        for sku, product_id in i.variant_ids.items()
        if not (i.values["kind"] == "bundle" and sku == i.values["sku"])  # a combo is not stocked
    }
    bindings.upsert_many(
        ctx.session, ctx.conn.id, "product_template", "product.template", templates, held
    )
    bindings.upsert_many(ctx.session, ctx.conn.id, "product", "product.product", variants)
    bindings.upsert_many(ctx.session, ctx.conn.id, DESCRIPTION, "product.template", descriptions)


def plan_export(
    magento: MagentoClient,
    odoo: OdooClient,
    template_ids: list[int],
    bound: dict[int, str],
    descriptions: dict[int, str] | None = None,
) -> list[dict[str, Any]]:
    """What an export of these templates would change in Magento, without writing (dry run).

    `descriptions` are `synced_descriptions`: an update lists only the fields it would send.
    """
    products = read_products(odoo, template_ids)
    catalog = MagentoCatalog(magento)
    plans: list[dict[str, Any]] = []
    for tmpl_id in template_ids:
        template = products.templates.get(tmpl_id)
        if template is None:
            continue
        try:
            values = from_odoo(
                template,
                products.variants.get(tmpl_id, []),
                products.ptavs,
                products.combos.get(tmpl_id, []),
                bound_sku=bound.get(tmpl_id),
            )
        except MappingError as exc:
            plans.append({"odoo_id": tmpl_id, "action": "fail", "changes": str(exc)})
            continue
        skus = [values["sku"], *(v["sku"] for v in values["variants"])]
        catalog.look_up(skus)
        if values["sku"] not in catalog.existing:
            action, changes = "create", f"{values['kind']} {values['name']!r}"
        else:
            synced = (descriptions or {}).get(tmpl_id)
            edited = synced != description_fingerprint(values["description"])
            action, changes = "update", _differences(magento, values, edited)
        missing = [s for s in skus[1:] if s not in catalog.existing]
        if missing:
            changes += f"; new variants {', '.join(missing)}"
        plans.append(
            {
                "odoo_id": tmpl_id,
                "sku": values["sku"],
                "action": action,
                "changes": changes or "nothing",
            }
        )
    return plans


def _differences(magento: MagentoClient, values: ProductValues, edited: bool) -> str:
    current = magento.product(values["sku"])
    top = from_magento({**current, "type_id": "simple"})
    leave = left_out(values, held_in_magento(current), edited)
    fields = ("name", "price", "cost", "weight", "description", "short_description", "active")
    fields = tuple(f for f in fields if f not in leave)
    if values["kind"] == "configurable":
        fields = tuple(f for f in fields if f != "price")
    changed = [f"{f}: {top[f]!r} -> {values[f]!r}" for f in fields if top[f] != values[f]]  # type: ignore[literal-required]
    return "; ".join(changed)
