"""Which work exists: scheduled jobs by name, setup jobs, and how a failed log is retried."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.db import session_scope
from bridge.models import Direction, LogState, SyncLog
from bridge.sync import logbook
from bridge.sync.products import feed as product_feed
from bridge.sync.products import imports as product_import_use_case
from bridge.sync.stock import flows as stock
from tasks import (
    customers,
    drift,
    fulfillment,
    inventory,
    journal,
    maintenance,
    orders,
    product_import,
    products,
    setup,
)
from tasks.outbox import Job, enqueue, send

#: Scheduled jobs by name, as stored in Schedule.job.
JOBS: dict[str, Job] = {
    "purge_logs": Job(maintenance.purge, "maintenance.purge_logs", Direction.BOTH),
    "import_customers": Job(customers.pull, "customers.pull", Direction.MAGENTO_TO_ODOO),
    "import_orders": Job(orders.pull, "orders.pull", Direction.MAGENTO_TO_ODOO),
    "sync_fulfillment": Job(fulfillment.poll, "fulfillment.poll", Direction.ODOO_TO_MAGENTO),
    "sync_products": Job(products.poll, "products.poll", Direction.ODOO_TO_MAGENTO),
    "import_products": Job(product_import.pull, "products.pull", Direction.MAGENTO_TO_ODOO),
    "sync_stock": Job(inventory.poll, stock.POLL, Direction.ODOO_TO_MAGENTO),
    "import_stock": Job(inventory.pull, stock.PULL, Direction.MAGENTO_TO_ODOO),
    "pull_journal": Job(journal.pull_journal, journal.ENTITY, Direction.MAGENTO_TO_ODOO),
}

#: The reaper: run by beat itself (`workers/beat.py::IN_BEAT`), not as a task; scheduled
#: like any job (`bridge schedule set reap_logs --every S`).
REAP_JOB = "reap_logs"

#: One Magento product (an event's, or a failed product log run again, read afresh).
IMPORT_SKU_JOB = Job(
    product_import.import_sku, product_import_use_case.ENTITY, Direction.MAGENTO_TO_ODOO
)


def product_import_job(sku: str, deleted: bool = False, event: object = None) -> Job:
    """The import of one Magento product an event named; enqueue it with `key=sku`.

    No draft: the log is queued at once and left done (or failed) as the audit trail.
    """
    payload = {"sku": sku, "event": event, "deleted": deleted}
    return Job(IMPORT_SKU_JOB.task, IMPORT_SKU_JOB.entity, IMPORT_SKU_JOB.direction, payload)


#: Claims the drafts waiting and exports them; Odoo's webhook sends it a moment after a
#: change, so a burst of edits coalesces into the drafts first.
FLUSH_PRODUCTS_JOB = Job(products.flush, "products.flush", Direction.ODOO_TO_MAGENTO)


def product_export_job(
    template_ids: list[int] | None = None, since: str | None = None, mode: str | None = None
) -> Job:
    """An Odoo product poll: every change since the cursor, since a date, or some templates.

    `mode` "bulk" or "single" forces how the drafts go to Magento.
    """
    job = JOBS["sync_products"]
    options = (("template_ids", template_ids), ("since", since), ("mode", mode))
    payload = {k: v for k, v in options if v}
    return Job(job.task, job.entity, job.direction, payload or None)


def stock_poll_job(skus: list[str] | None = None, since: str | None = None) -> Job:
    """Odoo's stock changes since the cursor (or since a date, or of some SKUs) to Magento."""
    job = JOBS["sync_stock"]
    payload = {k: v for k, v in (("skus", skus), ("since", since)) if v}
    return Job(job.task, job.entity, job.direction, payload or None)


def stock_pull_job(skus: list[str] | None = None) -> Job:
    """Magento's quantities of the bound SKUs (or of some) to Odoo, where they changed."""
    job = JOBS["import_stock"]
    return Job(job.task, job.entity, job.direction, {"skus": skus} if skus else None)


def stock_apply_job(items: list[dict[str, object]]) -> Job:
    """Magento quantities an event named (`{sku, source_code, quantity}`) counted in Odoo.

    Enqueue it with the connection id; the log keeps the raw items.
    """
    return inventory.apply_job(items)


def fulfillment_job(order_ids: list[int] | None = None) -> Job:
    """A poll of Odoo's fulfillment changes, of every order or only of some Odoo orders."""
    job = JOBS["sync_fulfillment"]
    payload = {"order_ids": order_ids} if order_ids else None
    return Job(job.task, job.entity, job.direction, payload)


def pull_job(name: str, since: str | None = None, keys: list[str] | None = None) -> Job:
    """A customers or orders pull, limited to records changed since a date or to some keys."""
    job = JOBS[f"import_{name}"]
    payload = {k: v for k, v in (("since", since), ("keys", keys)) if v}
    return Job(job.task, job.entity, job.direction, payload or None)


def setup_import_job(kind: str) -> Job:
    return Job(setup.run_import, f"setup.{kind}", Direction.MAGENTO_TO_ODOO, {"import": kind})


CHECK_JOB = Job(setup.test_connection, "setup.connection_test", Direction.BOTH)


#: Record-level logs (one failed record of a setup import) retry by re-running the import.
RECORD_TO_IMPORT = {
    "website": "websites",
    "store": "websites",
    "store_view": "websites",
    "attribute_set": "attribute-sets",
    "customer_group": "customer-groups",
    "payment_method": "payment-methods",
    "shipping_method": "shipping-methods",
}


def job_for_log(entry: SyncLog) -> Job | None:
    """The job that redoes what a log did, if it can be redone."""
    if entry.entity == CHECK_JOB.entity:
        return CHECK_JOB
    if entry.entity == drift.ENTITY:
        return drift.drift_job(**(entry.payload or {}))
    if entry.entity.startswith("setup."):
        return setup_import_job(entry.entity.removeprefix("setup."))
    if entry.entity in RECORD_TO_IMPORT:
        return setup_import_job(RECORD_TO_IMPORT[entry.entity])
    if entry.entity == "order" and entry.key:
        return pull_job("orders", keys=[entry.key])
    if entry.entity == "customer" and entry.key:
        return pull_job("customers", keys=[entry.key])
    if entry.entity.startswith("fulfillment.") and entry.entity != "fulfillment.poll":
        return Job(fulfillment.run, entry.entity, Direction.ODOO_TO_MAGENTO)
    if entry.entity == FLUSH_PRODUCTS_JOB.entity:
        return FLUSH_PRODUCTS_JOB
    if entry.entity == product_feed.ENTITY and entry.payload:
        return product_export_job([int(entry.payload["template_id"])])
    if entry.entity == "products.page":
        return Job(products.export, entry.entity, Direction.ODOO_TO_MAGENTO)
    if entry.entity == IMPORT_SKU_JOB.entity:
        return IMPORT_SKU_JOB
    if entry.entity == product_import_use_case.PAGE_ENTITY:
        return Job(product_import.import_page, entry.entity, Direction.MAGENTO_TO_ODOO)
    if entry.entity in (stock.PUSH, stock.APPLY):
        task = inventory.push if entry.entity == stock.PUSH else inventory.apply
        return Job(task, entry.entity, entry.direction)
    if entry.entity == stock.TO_MAGENTO and entry.payload:
        ids = entry.payload.get("product_ids") or [entry.payload.get("product_id")]
        return inventory.push_job(product_ids=[int(i) for i in ids if i])
    if entry.entity == stock.TO_ODOO and entry.payload:
        return inventory.apply_job([entry.payload])
    if entry.entity in ("orders.page", "customers.page"):
        page = orders.import_page if entry.entity == "orders.page" else customers.import_page
        return Job(page, entry.entity, Direction.MAGENTO_TO_ODOO)
    return next((job for job in JOBS.values() if job.entity == entry.entity), None)


#: Page entities whose payload lists their record logs, and under which name.
PAGE_RECORDS = {
    "orders.page": "order_logs",
    "products.import_page": "product_logs",
    "products.page": "product_logs",
}
#: The entities of the record logs pages list (a page runs them; they are never sent).
PAGE_RECORD_ENTITIES = ("order", product_import_use_case.ENTITY, product_feed.ENTITY)


def _reopen_records(session: Session, page: SyncLog) -> int:
    """A failed page's failed records back to `queued`, for the page's retry to run.

    Records already retried on their own (`retried_in_log`) are left to that retry.
    """
    listed = (page.payload or {}).get(PAGE_RECORDS[page.entity]) or []
    reopened = 0
    for record in session.scalars(
        select(SyncLog).where(SyncLog.id.in_(listed), SyncLog.state == LogState.FAILED)
    ):
        if (record.result or {}).get("retried_in_log"):
            continue
        logbook.mark_retrying(record, f"retry of page {page.id} asked (was: {record.reason})")
        record.finished_at = None
        reopened += 1
    return reopened


def retry_log(log_id: int) -> int:
    """Queue a failed log again: the same log for a job, a new import run for a record.

    A page is sent again as itself with its failed records put back to `queued`, so the
    retry imports them (not "done, 0 imported"). Returns the id of the log that will
    carry the retry.
    """
    with session_scope() as session:
        entry = session.get(SyncLog, log_id)
        if entry is None:
            raise LookupError(f"no sync log {log_id}")
        if entry.state is not LogState.FAILED:
            raise ValueError(f"log {log_id} is {entry.state}, only failed logs are retried")
        job = job_for_log(entry)
        if job is None:
            raise ValueError(f"log {log_id} ({entry.entity}) cannot be retried")
        connection_id = entry.connection_id
        same_log = entry.entity == job.entity
        if entry.entity in PAGE_RECORDS:
            _reopen_records(session, entry)
        if same_log:
            logbook.mark_retrying(entry, f"retry asked (was: {entry.reason})")
    if same_log:
        send(job, log_id)
        return log_id
    new_id = enqueue(job, connection_id)
    with session_scope() as session:
        entry = session.get(SyncLog, log_id)
        if entry is not None:
            entry.result = {**(entry.result or {}), "retried_in_log": new_id}
    return new_id
