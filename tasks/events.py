"""Taking one Magento event, however it came: the job it asks for, exactly once, in order.

`take` is shared by `bridge serve` (webhook deliveries, batches) and the I/O Events
journal consumer (`tasks/journal.py`), so an event both deliver is taken once:

1. its id goes into `event_receipt` (unique per connection); a second arrival is a
   duplicate and does nothing;
2. an event about a record (`Event.record()`) whose Magento `updated_at` is older than
   that of an event already queued for the same record is recorded and skipped: Adobe
   delivers in no promised order, and the newer state is already on its way;
3. the job is queued (outbox rule) and the receipt notes its log. If the broker refuses,
   the receipt is deleted again, so the sender's redelivery (or the journal's next
   read) can take it.

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
from bridge.models import EventReceipt
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
    """Take one event (see the module's docstring); BrokerUnavailable leaves no trace."""
    job, note = job_for_event(event)
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
        return Taken(DUPLICATE, "duplicate: this event was already taken")
    if stale:
        return Taken(OUT_OF_ORDER, note)
    if job is None:
        return Taken(IGNORED, note)
    try:
        log_id = enqueue(job, conn_id, key=_key_of(job))
    except BrokerUnavailable:
        with session_scope() as session:
            session.delete(session.get(EventReceipt, receipt_id))
        raise
    with session_scope() as session:
        session.get(EventReceipt, receipt_id).log_id = log_id
    return Taken(QUEUED, note, log_id)


def _key_of(job: Job) -> str | None:
    """A product log is keyed by its SKU, so `bridge logs` finds it by SKU."""
    sku = (job.payload or {}).get("sku")
    return str(sku) if sku else None
