"""Orders through the real pipeline: pull -> page tasks on Redis -> worker -> Odoo, exactly once."""

from __future__ import annotations

import copy
import os
import signal
import time
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from bridge import db
from bridge.clients.magento_search import SearchCriteria
from bridge.mappers import order as om
from bridge.models import Connection, LogState, SyncLog
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.setup import IMPORTS, SetupContext
from tasks.dispatch import pull_job
from tasks.outbox import enqueue, wait_for
from tests.conftest import WorkerProcess, register_connection

TIMEOUT = 90


def prepare_shop(magento_sandbox: Any, odoo_sandbox: Any, extra_orders: int = 0) -> int:
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        for run in IMPORTS.values():
            run(SetupContext(s, conn, magento_client(conn), odoo_client(conn)))
        odoo, magento = odoo_client(conn), magento_client(conn)
    odoo.create("account.tax", [{"name": "8.25%", "amount": 8.25, "amount_type": "percent",
                                 "type_tax_use": "sale"}])  # fmt: skip
    orders = list(magento.iter_records("orders", SearchCriteria(), fields=om.ORDER_FIELDS))
    skus = sorted({line.sku for o in orders for line in om.order(o).lines})
    odoo.create("product.product", [{"name": s, "default_code": s, "type": "consu"} for s in skus])
    template = next(o for o in orders if o["increment_id"] == "000000014")
    for n in range(extra_orders):
        o = copy.deepcopy(template)
        o.update(increment_id=f"2{n:08d}", entity_id=5000 + n, customer_email=f"k{n}@example.com")
        requests.post(f"{magento_sandbox.url}/__sandbox__/records/orders", json=o,
                      timeout=5).raise_for_status()  # fmt: skip
    return conn_id


def order_logs_by_state() -> dict[str, int]:
    with db.session_scope() as s:
        rows = s.execute(
            select(SyncLog.state, func.count())
            .where(SyncLog.entity == "order")
            .group_by(SyncLog.state)
        ).all()
        return {str(state): n for state, n in rows}


def refs(odoo_sandbox: Any) -> list[str]:
    return [o["client_order_ref"] for o in odoo_sandbox.records("sale.order")]


def test_pull_imports_every_order_through_the_worker(worker: WorkerProcess, magento_sandbox,
                                                     odoo_sandbox):  # fmt: skip
    conn_id = prepare_shop(magento_sandbox, odoo_sandbox)
    pull = wait_for(enqueue(pull_job("orders"), conn_id), TIMEOUT)
    assert pull is not None and pull.state is LogState.DONE, pull and pull.reason
    assert pull.result["records"] == 6 and len(pull.result["page_logs"]) == 1
    page = wait_for(pull.result["page_logs"][0], TIMEOUT)
    assert page is not None and page.state is LogState.DONE, worker.output()[-3000:]
    assert page.result["imported"] == 5
    assert sorted(refs(odoo_sandbox)) == ["000000013-1", "000000014", "000000015", "000000019",
                                          "000000020"]  # fmt: skip
    # The cursor moved: a second pull re-reads only the overlap and imports nothing new.
    again = wait_for(enqueue(pull_job("orders"), conn_id), TIMEOUT)
    for page_id in again.result["page_logs"]:
        wait_for(page_id, TIMEOUT)
    assert len(refs(odoo_sandbox)) == 5


@pytest.mark.timeout(240)
def test_worker_killed_mid_page_leaves_exactly_one_order_each(
    redis_url, pg_state_db, magento_sandbox, odoo_sandbox
):
    os.environ["BRIDGE_VISIBILITY_TIMEOUT"] = "8"
    try:
        conn_id = prepare_shop(magento_sandbox, odoo_sandbox, extra_orders=60)
        # Slow Odoo down so the page is still running when the worker dies.
        requests.post(f"{odoo_sandbox.url}/__sandbox__/faults", json={"latency_ms": 400},
                      timeout=5).raise_for_status()  # fmt: skip
        first = WorkerProcess().start()
        pull = wait_for(enqueue(pull_job("orders"), conn_id), TIMEOUT)
        assert pull is not None and pull.state is LogState.DONE
        deadline = time.monotonic() + 60
        while len(refs(odoo_sandbox)) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        first.kill(signal.SIGKILL)  # mid-page: Odoo has orders, our commit has not happened
        created_before = len(refs(odoo_sandbox))
        assert created_before > 0
        requests.delete(f"{odoo_sandbox.url}/__sandbox__/faults", timeout=5).raise_for_status()

        second = WorkerProcess().start()
        try:
            pages = [wait_for(p, 120) for p in pull.result["page_logs"]]
            assert all(p is not None and p.state is LogState.DONE for p in pages), second.output()[
                -3000:
            ]
        finally:
            second.kill(signal.SIGTERM)
        made = refs(odoo_sandbox)
        assert len(made) == len(set(made)) == 65
        assert {o["state"] for o in odoo_sandbox.records("sale.order")} == {"sale"}
        assert order_logs_by_state() == {"done": 66}
    finally:
        os.environ.pop("BRIDGE_VISIBILITY_TIMEOUT", None)
