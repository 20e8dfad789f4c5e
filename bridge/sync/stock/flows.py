"""Stock both ways: Odoo's free quantities to Magento sources, Magento's quantities to Odoo counts.

Odoo -> Magento: products whose moves or quants changed (or some SKUs, or every bound
product) are read per warehouse, mapped to (SKU, source) quantities and compared with
the StockLevel both sides last agreed on; only the differences are sent, in batches of
source items (MSI) or one legacy stock item each (no MSI: only the warehouse mapped to
`default`).

Magento -> Odoo, when the connection's inventory sync is on: each Magento quantity that
differs from its StockLevel becomes an Odoo inventory count at the mapped warehouse's
stock location, all in one `stock.quant.create`, applied at once with inventory
auto-apply and left for validation without it. A quantity equal to the StockLevel is
Bridge's own write coming back and is skipped, so nothing bounces; likewise Odoo's
quantity after an applied count equals the level and is not pushed again. While a count
Bridge left waits for validation, Odoo -> Magento holds that SKU at that source (Odoo
still shows the old quantity; sending it would undo the Magento change).

A SKU whose quantity was never agreed on (just bound by the product sync) goes from Odoo
to Magento first, unless Odoo holds none of the product and inventory sync is on: then
it is a product that came from Magento, and Magento's quantity is counted into Odoo.

A record that cannot be synced (SKU unknown to one side, source not mapped, Magento
refusing a batch) is kept in a failed log with its raw values and the reason; the rest
goes on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bridge.clients.errors import PermanentError
from bridge.clients.magento import MagentoClient
from bridge.clients.odoo import OdooClient
from bridge.mappers import stock as sm
from bridge.mappers.errors import MappingError
from bridge.models import Connection, Direction, StockLevel
from bridge.sync import logbook, pull
from bridge.sync.stock import levels as stock_levels
from bridge.sync.stock import odoo as stock_odoo
from bridge.sync.stock.levels import Key
from bridge.sync.stock.magento import SAVE_BATCH, MagentoStock, chunks

POLL, PUSH, PULL, APPLY = "stock.poll", "stock.push", "stock.pull", "stock.apply"
#: Entities of one record that could not be synced, per direction.
TO_MAGENTO, TO_ODOO = "stock.to_magento", "stock.to_odoo"
STREAM = "odoo.stock"
#: Products per push log, and Magento quantities per apply log.
CHUNK = 500


@dataclass
class StockContext:
    session: Session
    connection: Connection
    magento: MagentoClient
    odoo: OdooClient
    shop: MagentoStock = field(init=False)

    def __post_init__(self) -> None:
        self.shop = MagentoStock(self.magento)


@dataclass(frozen=True)
class Change:
    """One quantity to write on the other side, and where it comes from."""

    sku: str
    source_code: str
    quantity: float
    before: float | None = None


@dataclass
class Outgoing:
    """What Odoo -> Magento would send for some products, and why the rest is not sent."""

    changes: list[Change] = field(default_factory=list)
    products: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    held: int = 0
    #: Never agreed on and Odoo holds none: Magento's quantity comes first (the pull's).
    from_magento: int = 0
    released: list[StockLevel] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _fail(ctx: StockContext, entity: str, key: str, payload: Any, reason: str) -> None:
    direction = Direction.ODOO_TO_MAGENTO if entity == TO_MAGENTO else Direction.MAGENTO_TO_ODOO
    logbook.failed_record(
        ctx.session,
        connection_id=ctx.connection.id,
        entity=entity,
        direction=direction,
        key=key,
        payload=payload,
        reason=reason,
    )


def _mapping(ctx: StockContext) -> tuple[list[sm.Warehouse], dict[str, str], list[str]]:
    """Warehouses, the warehouse -> source mapping, and the mapped codes Odoo lacks."""
    houses = stock_odoo.warehouses(ctx.odoo)
    mapping = sm.source_map(ctx.connection.stock_sources, houses)
    codes = {h.code for h in houses}
    missing = [
        f"Odoo has no warehouse {code!r} (mapped to Magento source {source!r} in stock_sources)"
        for code, source in sorted(mapping.items())
        if code not in codes
    ]
    return houses, mapping, missing


# -- Odoo -> Magento ---------------------------------------------------------------------------


def product_ids(ctx: StockContext, skus: list[str] | None = None) -> tuple[list[int], list[str]]:
    """The storable Odoo products of these SKUs (every bound product without); unknown SKUs."""
    if skus:
        found = stock_odoo.products_by_sku(ctx.session, ctx.odoo, ctx.connection.id, skus)
        return sorted(set(found.values())), sorted(set(skus) - set(found))
    return sorted(set(stock_odoo.bound_products(ctx.session, ctx.connection.id).values())), []


def changed_product_ids(
    ctx: StockContext, since: str | None = None
) -> tuple[list[int], str | None]:
    """Products whose stock moved since the cursor (minus an overlap) or `since`, and bound
    products never agreed on (the first poll: all of them); and the cursor to keep."""
    current = pull.cursor_value(ctx.session, ctx.connection.id, STREAM)
    start = stock_odoo.window_start(current, since)
    found, newest = stock_odoo.changed_products(ctx.odoo, start)
    found |= set(stock_odoo.unleveled_bound(ctx.session, ctx.connection.id))
    return sorted(found), max(newest or "", current or "") or None


def outgoing(ctx: StockContext, ids: list[int]) -> Outgoing:
    """Odoo's free quantities of these products per mapped source, minus what is agreed."""
    out = Outgoing()
    if not ids:
        return out
    skus = stock_odoo.skus_of(ctx.session, ctx.odoo, ctx.connection.id, ids)
    out.products = {sku: pid for pid, sku in skus.items()}
    houses, mapping, out.warnings = _mapping(ctx)
    mapped = [h for h in houses if h.code in mapping]
    now = sm.source_quantities(mapping, stock_odoo.quantities(ctx.odoo, mapped, skus), skus)
    stored = stock_levels.load(ctx.session, ctx.connection.id, now)
    held = _held(ctx, houses, mapping, out, stored)
    magento_first = _magento_first(ctx, out, [k for k in now if k not in stored])
    for (sku, source), quantity in sorted(now.items()):
        level = stored.get((sku, source))
        if (sku, source) in held:
            out.held += 1
        elif (sku, source) in magento_first:
            out.from_magento += 1
        elif level is not None and sm.same(level.quantity, quantity):
            out.unchanged += 1
        else:
            before = level.quantity if level else None
            out.changes.append(Change(sku, source, quantity, before))
    return out


def _magento_first(ctx: StockContext, out: Outgoing, unleveled: list[Key]) -> set[Key]:
    """Keys never agreed on whose product Odoo holds none of: Magento's quantity goes first."""
    if not unleveled or not ctx.connection.inventory_sync:
        return set()
    held = stock_odoo.on_hand(ctx.odoo, {out.products[sku] for sku, _ in unleveled})
    return {key for key in unleveled if sm.same(held.get(out.products[key[0]], 0.0), 0.0)}


def _held(
    ctx: StockContext,
    houses: list[sm.Warehouse],
    mapping: dict[str, str],
    out: Outgoing,
    stored: dict[Key, StockLevel],
) -> set[Key]:
    """Keys whose count from Magento still waits in Odoo, exactly as Bridge left it."""
    waiting = {key: level for key, level in stored.items() if level.pending_count is not None}
    if not waiting:
        return set()
    where: dict[Key, tuple[int, int]] = {}
    for sku, source in waiting:
        try:
            house = sm.warehouse_of_source(mapping, houses, source)
        except MappingError:
            continue
        where[(sku, source)] = (out.products[sku], house.lot_stock_id)
    counts = stock_odoo.pending_counts(
        ctx.odoo, [p for p, _ in where.values()], [loc for _, loc in where.values()]
    )
    held = set()
    for key, level in waiting.items():
        if key in where and sm.same(counts.get(where[key]), level.pending_count):
            held.add(key)
        else:
            out.released.append(level)
    return held


def push_stock(ctx: StockContext, ids: list[int]) -> dict[str, Any]:
    """Send Odoo's free quantities of these products to Magento where they changed."""
    plan = outgoing(ctx, ids)
    stock_levels.release(ctx.session, plan.released)
    result: dict[str, Any] = {
        "products": len(plan.products),
        "pushed": 0,
        "unchanged": plan.unchanged,
        "held": plan.held,
        "from_magento": plan.from_magento,
        "failed": 0,
        "warnings": plan.warnings,
    }
    if plan.changes:
        ctx.shop.sources()
        result["msi"] = ctx.shop.msi
        send = _send_msi if ctx.shop.msi else _send_legacy
        result.update(send(ctx, plan))
    result["summary"] = (
        f"{result['pushed']} quantities sent to Magento, {result['unchanged']} unchanged, "
        f"{result['held']} held for a count waiting in Odoo, {result['failed']} failed"
    )
    return result


def _send_msi(ctx: StockContext, plan: Outgoing) -> dict[str, Any]:
    sources = ctx.shop.sources()
    failed = 0
    ready: list[Change] = []
    for source in sorted({c.source_code for c in plan.changes} - sources):
        lost = [c for c in plan.changes if c.source_code == source]
        failed += len(lost)
        _fail(ctx, TO_MAGENTO, f"source:{source}",
              {"source_code": source, "items": [asdict(c) for c in lost],
               "product_ids": [plan.products[c.sku] for c in lost]},
              f"Magento has no source {source!r}: add it in Magento (Stores > Sources) or map the "
              "warehouse to an existing source in the connection's stock_sources")  # fmt: skip
    candidates = [c for c in plan.changes if c.source_code in sources]
    existing = ctx.shop.existing_skus(c.sku for c in candidates)
    for change in candidates:
        if change.sku in existing:
            ready.append(change)
            continue
        failed += 1
        _fail(ctx, TO_MAGENTO, change.sku,
              {**asdict(change), "product_id": plan.products[change.sku]},
              f"Magento has no product with SKU {change.sku!r}: create it in Magento (or let "
              "the product sync do it) before its stock can be sent")  # fmt: skip
    pushed = 0
    for batch in chunks(ready, SAVE_BATCH):
        items = [sm.source_item(c.sku, c.source_code, c.quantity) for c in batch]
        try:
            ctx.shop.save(items)
        except PermanentError as exc:
            failed += len(batch)
            _fail(ctx, TO_MAGENTO, f"batch of {len(batch)}",
                  {"sourceItems": items, "product_ids": sorted({plan.products[c.sku]
                                                                for c in batch})},
                  f"Magento refused {len(batch)} source item(s): {exc.message}")  # fmt: skip
            continue
        stock_levels.record(
            ctx.session, ctx.connection.id, {(c.sku, c.source_code): c.quantity for c in batch}
        )
        pushed += len(batch)
    return {"pushed": pushed, "failed": failed}


def _send_legacy(ctx: StockContext, plan: Outgoing) -> dict[str, Any]:
    """No MSI: only the `default` source exists, as the product's legacy stock item."""
    pushed = failed = skipped = 0
    for change in plan.changes:
        if change.source_code != sm.DEFAULT_SOURCE:
            skipped += 1
            continue
        try:
            ctx.shop.save_legacy(change.sku, change.quantity)
        except PermanentError as exc:
            failed += 1
            payload = {**asdict(change), "product_id": plan.products[change.sku]}
            _fail(ctx, TO_MAGENTO, change.sku, payload, exc.message)
            continue
        key = (change.sku, change.source_code)
        stock_levels.record(ctx.session, ctx.connection.id, {key: change.quantity})
        pushed += 1
    return {"pushed": pushed, "failed": failed, "not_default_source": skipped}


# -- Magento -> Odoo ---------------------------------------------------------------------------


def magento_quantities(ctx: StockContext, skus: list[str]) -> list[dict[str, Any]]:
    """Magento's current quantities of these SKUs at the sources Odoo warehouses feed."""
    _, mapping, _ = _mapping(ctx)
    ctx.shop.sources()
    sources = set(sm.pushed_sources(mapping, ctx.shop.msi).values())
    if ctx.shop.msi:
        return [
            {
                "sku": i.get("sku"),
                "source_code": i.get("source_code"),
                "quantity": i.get("quantity"),
            }
            for i in ctx.shop.source_items(skus)
            if i.get("source_code") in sources
        ]
    if sm.DEFAULT_SOURCE not in sources:
        return []
    found = []
    for sku in sorted(set(skus)):
        quantity = ctx.shop.legacy_quantity(sku)
        if quantity is not None:
            found.append({"sku": sku, "source_code": sm.DEFAULT_SOURCE, "quantity": quantity})
    return found


def incoming(ctx: StockContext, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Magento quantities that differ from what both sides agreed on (raw, as read).

    An item that cannot be read is kept too: the apply fails it with the reason.
    """
    out: list[dict[str, Any]] = []
    keyed: dict[Key, tuple[dict[str, Any], float]] = {}
    for raw in items:
        try:
            item = sm.magento_quantity(raw)
        except MappingError:
            out.append(raw)
            continue
        keyed[(item["sku"], item["source_code"])] = (raw, item["quantity"])
    stored = stock_levels.load(ctx.session, ctx.connection.id, keyed)
    for key, (raw, quantity) in keyed.items():
        level = stored.get(key)
        if level is None or not sm.same(level.quantity, quantity):
            out.append(raw)
    return out


def apply_magento_stock(ctx: StockContext, items: list[Any]) -> dict[str, Any]:
    """Magento quantities become Odoo inventory counts (one create), applied or left to validate."""
    conn = ctx.connection
    if not conn.inventory_sync:
        return {
            "summary": "inventory sync is off for this connection: nothing applied "
            "(bridge connection set ... inventory_sync true turns it on)",
            "counted": 0,
            "ignored": len(items),
        }
    wanted: dict[Key, tuple[Any, sm.MagentoQuantity]] = {}
    failed = 0
    for raw in items:
        try:
            item = sm.magento_quantity(raw)
        except MappingError as exc:
            failed += 1
            _fail(ctx, TO_ODOO, _raw_sku(raw), raw, str(exc))
            continue
        wanted[(item["sku"], item["source_code"])] = (raw, item)  # the last one wins
    stored = stock_levels.load(ctx.session, conn.id, wanted)
    echoes = [
        k for k in wanted if k in stored and sm.same(stored[k].quantity, wanted[k][1]["quantity"])
    ]
    fresh = {k: v for k, v in wanted.items() if k not in echoes}
    plan, reasons, odoo_first = _counts(ctx, fresh, set(fresh) - set(stored))
    for key, reason in reasons.items():
        failed += 1
        _fail(ctx, TO_ODOO, key[0], fresh[key][0], reason)
    to_count = [p for p in plan if p.target is not None]
    if to_count:
        values = [
            sm.count_values(p.product_id, p.location_id, p.target or 0.0, conn.inventory_auto_apply)
            for p in to_count
        ]
        ctx.odoo.create("stock.quant", values, context={"inventory_mode": True})
    pending = {} if conn.inventory_auto_apply else {p.key: p.target or 0.0 for p in to_count}
    stock_levels.record(ctx.session, conn.id, {p.key: p.quantity for p in plan}, pending)
    how = "applied" if conn.inventory_auto_apply else "left for validation"
    return {
        "summary": f"{len(to_count)} Odoo count(s) {how}, {len(plan) - len(to_count)} already "
        f"equal, {len(echoes)} echo(es) of Bridge's own writes skipped, {len(odoo_first)} "
        f"left to Odoo's quantity (never synced, Odoo holds stock), {failed} failed",
        "counted": len(to_count),
        "applied": bool(conn.inventory_auto_apply),
        "agreed": len(plan) - len(to_count),
        "echoes": len(echoes),
        "odoo_first": len(odoo_first),
        "failed": failed,
    }


@dataclass(frozen=True)
class _Count:
    key: Key
    quantity: float
    product_id: int
    location_id: int
    warehouse: str
    #: On hand to count; None when Odoo's free quantity already is Magento's.
    target: float | None
    free: float


def _counts(
    ctx: StockContext, fresh: dict[Key, tuple[Any, sm.MagentoQuantity]], unleveled: set[Key]
) -> tuple[list[_Count], dict[Key, str], list[Key]]:
    """What to count where; why the others cannot be counted; and the keys never agreed on
    whose product Odoo holds stock of (Odoo's quantity goes first: the poll sends it)."""
    if not fresh:
        return [], {}, []
    houses, mapping, _ = _mapping(ctx)
    reasons: dict[Key, str] = {}
    house_of: dict[Key, sm.Warehouse] = {}
    for key in fresh:
        try:
            house_of[key] = sm.warehouse_of_source(mapping, houses, key[1])
        except MappingError as exc:
            reasons[key] = str(exc)
    products = stock_odoo.products_by_sku(
        ctx.session, ctx.odoo, ctx.connection.id, [k[0] for k in house_of]
    )
    for key in list(house_of):
        if key[0] not in products:
            reasons[key] = (
                f"Odoo has no product with Internal Reference {key[0]!r} that tracks inventory: "
                "create it (or turn on Track Inventory), or let the product sync import it"
            )
            del house_of[key]
    held = stock_odoo.on_hand(ctx.odoo, {products[k[0]] for k in house_of if k in unleveled})
    odoo_first = [k for k in house_of if k in unleveled and not sm.same(held[products[k[0]]], 0)]
    for key in odoo_first:
        del house_of[key]
    used = {h.code: h for h in house_of.values()}
    levels = stock_odoo.quantities(ctx.odoo, used.values(), products.values())
    plan = []
    for key, house in sorted(house_of.items()):
        pid = products[key[0]]
        odoo = levels[house.code].get(pid)
        if odoo is None:
            reasons[key] = f"Odoo product {pid} ({key[0]}) could not be read"
            continue
        quantity = fresh[key][1]["quantity"]
        free = sm.free_quantity(odoo)
        target = None if sm.same(free, quantity) else sm.count_target(quantity, odoo)
        plan.append(_Count(key, quantity, pid, house.lot_stock_id, house.code, target, free))
    return plan, reasons, sorted(odoo_first)


def _raw_sku(raw: Any) -> str | None:
    return str(raw.get("sku"))[:255] if isinstance(raw, dict) and raw.get("sku") else None


# -- dry run -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One quantity a sync would change: on which side, from what to what, and how."""

    side: str
    sku: str
    source_code: str
    current: float | None
    target: float
    note: str = ""


def plan_to_magento(ctx: StockContext, ids: list[int]) -> list[Planned]:
    """What a push of these products would change in Magento; reads only."""
    plan = outgoing(ctx, ids)
    if not plan.changes:
        return []
    ctx.shop.sources()
    skus = [c.sku for c in plan.changes]
    if ctx.shop.msi:
        current = {(i.get("sku"), i.get("source_code")): i.get("quantity")
                   for i in ctx.shop.source_items(skus)}  # fmt: skip
        existing = ctx.shop.existing_skus(skus)
    else:
        current = {(s, sm.DEFAULT_SOURCE): ctx.shop.legacy_quantity(s) for s in set(skus)}
        existing = {s for (s, _), q in current.items() if q is not None}
    out = []
    for c in plan.changes:
        note = "" if c.sku in existing else "would fail: Magento has no product with this SKU"
        if ctx.shop.msi and c.source_code not in ctx.shop.sources():
            note = f"would fail: Magento has no source {c.source_code!r}"
        elif not ctx.shop.msi and c.source_code != sm.DEFAULT_SOURCE:
            continue  # a store without MSI has the default source only
        was = current.get((c.sku, c.source_code))
        out.append(Planned("Magento", c.sku, c.source_code, _num(was), c.quantity, note))
    return out


def plan_to_odoo(ctx: StockContext, skus: list[str]) -> list[Planned]:
    """What a pull of these SKUs' Magento quantities would change in Odoo; reads only."""
    if not ctx.connection.inventory_sync:
        return []
    fresh: dict[Key, tuple[Any, sm.MagentoQuantity]] = {}
    for raw in incoming(ctx, magento_quantities(ctx, skus)):
        try:
            item = sm.magento_quantity(raw)
        except MappingError:
            continue
        fresh[(item["sku"], item["source_code"])] = (raw, item)
    stored = stock_levels.load(ctx.session, ctx.connection.id, fresh)
    plan, reasons, _ = _counts(ctx, fresh, set(fresh) - set(stored))
    how = "applied" if ctx.connection.inventory_auto_apply else "left for validation"
    out = [
        Planned("Odoo", p.key[0], p.key[1], p.free, p.quantity,
                f"count {p.target:g} on hand at {p.warehouse}, {how}")
        for p in plan if p.target is not None
    ]  # fmt: skip
    for key, reason in sorted(reasons.items()):
        out.append(Planned("Odoo", key[0], key[1], None, fresh[key][1]["quantity"], reason))
    return out


def _num(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None
