"""Stock through a real Celery worker that listens to the `inventory` queue only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bridge import db
from bridge.models import Connection, LogState, SyncLog
from bridge.sync import bindings
from bridge.sync.connections import odoo_client
from bridge.sync.stock import flows as stock
from tasks.dispatch import retry_log, stock_apply_job, stock_poll_job, stock_pull_job
from tasks.outbox import enqueue, wait_for
from tests.conftest import WorkerProcess, register_connection

TIMEOUT = 60
BAG, JACKET = "24-WG02", "MH09-L-Blue"


@pytest.fixture
def inventory_worker(redis_url: str, pg_state_db: str) -> Iterator[WorkerProcess]:
    """A worker that consumes nothing but the inventory queue: a task routed elsewhere
    would never run."""
    proc = WorkerProcess(queues="inventory").start()
    try:
        yield proc
    finally:
        proc.kill(15)


def setup_shop(magento_sandbox: Any, odoo_sandbox: Any) -> tuple[int, Any, dict[str, int]]:
    conn_id = register_connection(magento_sandbox, odoo_sandbox, inventory_auto_apply=True)
    with db.session_scope() as session:
        odoo = odoo_client(session.get(Connection, conn_id))
        ids = dict(zip((BAG, JACKET), odoo.create("product.product", [
            {"name": sku, "default_code": sku, "type": "consu", "is_storable": True}
            for sku in (BAG, JACKET)]), strict=True))  # fmt: skip
        for sku, pid in ids.items():
            bindings.bind(session, conn_id, "product", sku, "product.product", pid)
    return conn_id, odoo, ids


def finished(log_id: int, worker: WorkerProcess) -> SyncLog:
    entry = wait_for(log_id, TIMEOUT)
    assert entry is not None, worker.output()[-3000:]
    assert entry.state is LogState.DONE, entry.reason
    return entry


def source_qty(magento_sandbox: Any, sku: str) -> float:
    items = requests.get(f"{magento_sandbox.url}/__sandbox__/records/source_items", timeout=5)
    return next(i["quantity"] for i in items.json() if i["sku"] == sku and
                i["source_code"] == "default")  # fmt: skip


def test_stock_jobs_run_on_the_inventory_queue(inventory_worker, magento_sandbox, odoo_sandbox):
    conn_id, odoo, ids = setup_shop(magento_sandbox, odoo_sandbox)
    odoo.create("stock.quant", [{"product_id": ids[BAG], "location_id": 8,
                                 "inventory_quantity_auto_apply": 12}],
                context={"inventory_mode": True})  # fmt: skip

    # Odoo -> Magento: the poll queues one push for the products whose quantity changed;
    # the jacket, which Odoo holds none of, waits for Magento's quantity.
    poll = finished(enqueue(stock_poll_job(), conn_id), inventory_worker)
    assert (poll.result["products"], poll.result["changes"]) == (2, 1)
    assert poll.result["from_magento"] == 1
    [push_id] = poll.result["push_logs"]
    push = finished(push_id, inventory_worker)
    assert (push.result["pushed"], push.result["failed"]) == (1, 0)
    assert source_qty(magento_sandbox, BAG) == 12

    # Magento -> Odoo: the pull skips the bag (Bridge's own write) and brings the jacket.
    pull = finished(enqueue(stock_pull_job(), conn_id), inventory_worker)
    assert pull.result["read"] == 2
    [apply_id] = pull.result["apply_logs"]
    assert finished(apply_id, inventory_worker).result["counted"] == 1
    [row] = odoo.read("product.product", [ids[JACKET]], ["qty_available"])
    assert row["qty_available"] == 30

    # An event's item is counted at once.
    event = [{"sku": JACKET, "source_code": "default", "quantity": 7}]
    apply = finished(enqueue(stock_apply_job(event), conn_id), inventory_worker)
    assert apply.result["counted"] == 1
    [row] = odoo.read("product.product", [ids[JACKET]], ["qty_available"])
    assert row["qty_available"] == 7

    # And the count is not sent back: the next poll finds nothing to push.
    again = finished(enqueue(stock_poll_job(), conn_id), inventory_worker)
    assert (again.result["changes"], again.result["push_logs"]) == (0, [])
    assert "tasks.inventory.poll" in inventory_worker.output()


def test_a_failed_stock_record_is_retried_after_the_fix(inventory_worker, magento_sandbox,
                                                        odoo_sandbox):  # fmt: skip
    conn_id, odoo, _ = setup_shop(magento_sandbox, odoo_sandbox)
    item = {"sku": "RACER", "source_code": "default", "quantity": 3}
    apply = finished(enqueue(stock_apply_job([item]), conn_id), inventory_worker)
    assert (apply.result["counted"], apply.result["failed"]) == (0, 1)
    with db.session_scope() as session:
        failed = session.scalars(select(SyncLog).where(SyncLog.entity == stock.TO_ODOO)).one()
        failed_id, reason = failed.id, failed.reason
    assert "Odoo has no product with Internal Reference 'RACER'" in reason

    odoo.create("product.product", [{"name": "Racer", "default_code": "RACER", "type": "consu",
                                     "is_storable": True}])  # fmt: skip
    retried = finished(retry_log(failed_id), inventory_worker)
    assert retried.entity == stock.APPLY and retried.payload == {"items": [item]}
    assert retried.result["counted"] == 1
    [racer] = odoo.search_read("product.product", [("default_code", "=", "RACER")],
                               ["qty_available"])  # fmt: skip
    assert racer["qty_available"] == 3
