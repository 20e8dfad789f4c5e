"""Taking one Magento event, however it came: the job it asks for, exactly once, in order.

`take` is shared by `bridge serve` (webhook deliveries, batches) and the I/O Events
journal consumer (`tasks/journal.py`), so an event both deliver is taken once:

1. its id goes into `event_receipt` (unique per connection); a second arrival is a
   duplicate and does nothing;
2. an event about a record (`Event.record()`) whose Magento `updated_at` is older than
   that of an event already queued for the same record is recorded and skipped: Adobe
   delivers in no promised order, and the newer state is already on its way;
3. the job is queued (outbox rule) and the receipt notes its log; the orders (customers)
   of one delivery share one targeted pull, which also takes in the keys of events that
   arrive while it still waits for a worker. If the broker refuses, the receipt is
   deleted again, so the sender's redelivery (or the journal's next read) can take it.

Orders and customers go through the same targeted pull as the schedule, so an event and
a pull can never import a record twice; products are imported directly; MSI source items
carry quantities and travel on the `inventory` queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bridge.db import session_scope
from bridge.mappers.errors import MappingError
from bridge.mappers.events import Event
from bridge.models import Direction, EventReceipt, LogState, SyncLog
from bridge.sync import logbook
from tasks.dispatch import JOBS, product_import_job, pull_job, stock_apply_job
from tasks.outbox import BrokerUnavailable, Job, enqueue

#: Event type suffixes (after "com.adobe.commerce.observer.") -> (pull, key field).
EVENT_PULLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sales_order_save_after": ("orders", ("increment_id",)),
    "sales_order_place_after": ("orders", ("increment_id",)),
    "customer_save_after": ("customers", ("entity_id", "id")),
    "customer_register_success": ("customers", ("entity_id", "id")),
}
#: Product events (after "com.adobe.commerce.observer.") -> deleted?
PRODUCT_EVENTS = {"catalog_product_save_after": False, "catalog_product_delete_after": True}
#: Stock events: MSI source items saved (a plugin event on SourceItemsSave), or a legacy
#: stock item saved (which names the product by id only: pull its stock).
SOURCE_ITEMS_EVENT = "plugin.magento.inventory_api.api.source_items_save.execute"
STOCK_ITEM_EVENT = "cataloginventory_stock_item_save_after"

QUEUED, DUPLICATE, IGNORED, OUT_OF_ORDER = "queued", "duplicate", "ignored", "out of order"
#: Keys one joined pull may name (a page of orders is 100).
MAX_JOINED_KEYS = 200


@dataclass(frozen=True)
class Taken:
    outcome: str  # QUEUED, DUPLICATE, IGNORED or OUT_OF_ORDER
    note: str
    log_id: int | None = None


def job_for_event(event: Event) -> tuple[Job | None, str]:
    """The job an event asks for, and a word on it for the answer; MappingError if unusable."""
    value, kind = event.value, event.kind
    if event.type.endswith(SOURCE_ITEMS_EVENT):
        try:
            items = [
                {"sku": str(i["sku"]), "source_code": str(i["source_code"]),
                 "quantity": float(i["quantity"])}
                for i in value.get("sourceItems") or value.get("source_items") or []
            ]  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            raise MappingError(f"source items event with an unreadable item: {exc}") from exc
        if not items:
            raise MappingError("source items event without sourceItems")
        return stock_apply_job(items), f"queued stock of {len(items)} source item(s)"
    if kind == STOCK_ITEM_EVENT:
        return JOBS["import_stock"], "queued a stock pull"
    if kind in PRODUCT_EVENTS:
        sku = value.get("sku")
        if not sku or not isinstance(sku, str | int):
            raise MappingError(f"{event.type} event without sku")
        deleted = PRODUCT_EVENTS[kind]
        job = product_import_job(str(sku), deleted=deleted, event=value)
        return job, f"queued product {'delete' if deleted else 'import'} of {sku}"
    if kind not in EVENT_PULLS:
        return None, f"ignored: Bridge does not sync {event.type!r}"
    pull, fields = EVENT_PULLS[kind]
    key = next((value[f] for f in fields if value.get(f) not in (None, "")), None)
    if key is None or not isinstance(key, str | int):
        raise MappingError(f"{event.type} event without {' or '.join(fields)}")
    return pull_job(pull, keys=[str(key)]), f"queued {pull} pull of {key}"


def _newest_applied(session: Any, conn_id: int, entity_key: str) -> str | None:
    return session.scalar(
        select(func.max(EventReceipt.source_updated_at)).where(
            EventReceipt.connection_id == conn_id,
            EventReceipt.entity_key == entity_key,
            EventReceipt.log_id.is_not(None),
        )
    )


def take(conn_id: int, event: Event) -> Taken:
    """Take one event (see the module's docstring); MappingError when it cannot be used."""
    [taken] = take_all(conn_id, [event], keep_unreadable=False)
    return taken


def take_all(conn_id: int, events: list[Event], keep_unreadable: bool = True) -> list[Taken]:
    """Take the events of one delivery (or journal page), in order.

    Orders (customers) several events name go into one targeted pull: a batch of ten
    order saves is one pull and one page, not ten. An event that cannot be used is kept
    in a failed `event` log (`keep_unreadable`) or raises MappingError. BrokerUnavailable
    leaves no receipt of what was not queued, so a redelivery takes it then.
    """
    results: list[Taken | None] = []
    waiting: list[tuple[int, Job, str, int]] = []  # (index, job, note, receipt id)
    for index, event in enumerate(events):
        try:
            job, note = job_for_event(event)
        except MappingError as exc:
            if not keep_unreadable:
                raise
            results.append(_unreadable(conn_id, event, str(exc)))
            continue
        taken, receipt_id = _receive(conn_id, event, job, note)
        results.append(taken)
        if taken is None and job is not None:
            waiting.append((index, job, note, receipt_id))
    for job, items in _grouped(waiting):
        try:
            log_id = _join_waiting_pull(conn_id, job) or enqueue(job, conn_id, key=_key_of(job))
        except BrokerUnavailable:
            _forget([receipt for i, _, _, receipt in waiting if results[i] is None])
            raise
        with session_scope() as session:
            for index, _, note, receipt_id in items:
                session.get(EventReceipt, receipt_id).log_id = log_id
                results[index] = Taken(QUEUED, note, log_id)
    return [r for r in results if r is not None]


def _receive(conn_id: int, event: Event, job: Job | None, note: str) -> tuple[Taken | None, int]:
    """The receipt; a Taken when the event ends here (duplicate, out of order, ignored)."""
    entity_key, updated_at = event.record()
    try:
        with session_scope() as session:
            newest = _newest_applied(session, conn_id, entity_key) if entity_key else None
            stale = bool(updated_at and newest and updated_at < newest)
            if stale:
                note = f"skipped: {entity_key} was at {updated_at}, {newest} is already applied"
            receipt = EventReceipt(
                connection_id=conn_id,
                event_id=event.id,
                event_type=event.type,
                entity_key=entity_key,
                source_updated_at=updated_at,
                outcome=note[:300],
            )
            session.add(receipt)
            session.flush()
            receipt_id = receipt.id
    except IntegrityError:
        return Taken(DUPLICATE, "duplicate: this event was already taken"), 0
    if stale:
        return Taken(OUT_OF_ORDER, note), receipt_id
    if job is None:
        return Taken(IGNORED, note), receipt_id
    return None, receipt_id


def _grouped(waiting: list[tuple[int, Job, str, int]]) -> list[tuple[Job, list]]:
    """One job per waiting event, except pulls: one per entity, naming every key."""
    groups: list[tuple[Job, list]] = []
    pulls: dict[str, tuple[Job, list]] = {}
    for item in waiting:
        job = item[1]
        keys = (job.payload or {}).get("keys")
        if not keys:
            groups.append((job, [item]))
            continue
        if job.entity not in pulls:
            pulls[job.entity] = (job, [])
            groups.append(pulls[job.entity])
        pulls[job.entity][1].append(item)
    merged = []
    for job, items in groups:
        keys = [k for _, j, _, _ in items for k in (j.payload or {}).get("keys") or []]
        if len(items) > 1 and keys:
            job = Job(job.task, job.entity, job.direction, {**(job.payload or {}), "keys": keys})
        merged.append((job, items))
    return merged


def _join_waiting_pull(conn_id: int, job: Job) -> int | None:
    """Add the keys to a targeted pull of the same kind still waiting, if there is one.

    When the workers are behind, events arriving meanwhile ride on the pull already
    queued: one pull and one page for many orders. Only a pull no worker has taken yet
    (`queued`, never attempted) is joined, under a row lock: a worker marking it running
    waits for this commit and then reads the keys; one that got there first leaves it
    `running`, and a new pull is queued instead.
    """
    keys = (job.payload or {}).get("keys")
    if not keys or set(job.payload or {}) != {"keys"}:
        return None
    with session_scope() as session:
        candidates = session.scalars(
            select(SyncLog.id).where(
                SyncLog.connection_id == conn_id,
                SyncLog.entity == job.entity,
                SyncLog.state == LogState.QUEUED,
                SyncLog.attempts == 0,
            )
        ).all()
        for log_id in candidates:
            entry = session.scalars(
                select(SyncLog).where(SyncLog.id == log_id).with_for_update()
            ).first()
            if entry is None or entry.state is not LogState.QUEUED or entry.attempts:
                continue
            payload = entry.payload or {}
            if set(payload) != {"keys"} or len(payload["keys"]) + len(keys) > MAX_JOINED_KEYS:
                continue
            entry.payload = {"keys": list(dict.fromkeys([*payload["keys"], *keys]))}
            return entry.id
    return None


def _forget(receipt_ids: list[int]) -> None:
    with session_scope() as session:
        for receipt_id in receipt_ids:
            receipt = session.get(EventReceipt, receipt_id)
            if receipt is not None and receipt.log_id is None:
                session.delete(receipt)


def keep_unreadable(session: Any, conn_id: int, raw: Any, reason: str) -> SyncLog:
    """Keep an event Bridge cannot act on as a failed `event` log holding what arrived,
    so an operator sees it and nothing is lost (webhook batches, the journal, events no
    job can be made of all come here)."""
    entry = logbook.failed_record(
        session,
        connection_id=conn_id,
        entity="event",
        direction=Direction.MAGENTO_TO_ODOO,
        key=str(raw.get("id"))[:255] if isinstance(raw, dict) else None,
        payload=raw,
        reason=reason,
    )
    session.flush()
    return entry


def _unreadable(conn_id: int, event: Event, reason: str) -> Taken:
    """An event no job can be made of: a failed log with the event, and its receipt."""
    with session_scope() as session:
        raw = {"id": event.id, "type": event.type, "value": event.value}
        entry = keep_unreadable(session, conn_id, raw, f"unreadable event: {reason}")
        return Taken("unreadable", reason, entry.id)


def _key_of(job: Job) -> str | None:
    """A product log is keyed by its SKU, so `bridge logs` finds it by SKU."""
    sku = (job.payload or {}).get("sku")
    return str(sku) if sku else None
