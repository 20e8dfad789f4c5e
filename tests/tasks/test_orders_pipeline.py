"""Orders through the real pipeline: pull -> page tasks on Redis -> worker -> Odoo, exactly once."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from bridge import db
from bridge.models import Connection, LogState, SyncLog
from tasks.dispatch import pull_job
from tasks.outbox import enqueue, wait_for
from tests.conftest import WorkerProcess, prepare_shop

TIMEOUT = 90


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
    assert pull.result["records"] == 9 and len(pull.result["page_logs"]) == 1
    page = wait_for(pull.result["page_logs"][0], TIMEOUT)
    assert page is not None and page.state is LogState.DONE, worker.output()[-3000:]
    assert page.result["imported"] == 8
    assert sorted(refs(odoo_sandbox)) == ["000000013-1", "000000014", "000000015", "000000019",
                                          "000000020", "000000021", "000000022",
                                          "000000023"]  # fmt: skip
    # The cursor moved: a second pull re-reads only the overlap and imports nothing new.
    again = wait_for(enqueue(pull_job("orders"), conn_id), TIMEOUT)
    for page_id in again.result["page_logs"]:
        wait_for(page_id, TIMEOUT)
    assert len(refs(odoo_sandbox)) == 8


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
        assert len(made) == len(set(made)) == 68  # 60 copies and 8 seeded (one is canceled)
        assert {o["state"] for o in odoo_sandbox.records("sale.order")} == {"sale"}
        assert order_logs_by_state() == {"done": 69}
    finally:
        os.environ.pop("BRIDGE_VISIBILITY_TIMEOUT", None)


def test_state_filter_and_a_page_delivered_twice(worker, magento_sandbox, odoo_sandbox):
    from tasks.orders import import_page

    conn_id = prepare_shop(magento_sandbox, odoo_sandbox)
    with db.session_scope() as s:
        s.get(Connection, conn_id).order_states = ["processing"]
    pull = wait_for(enqueue(pull_job("orders"), conn_id), TIMEOUT)
    # Canceled orders are read besides the configured states: the two card orders are
    # "processing", the edited order's parent is canceled, the rest are "new".
    assert pull.result["records"] == 3
    page = wait_for(pull.result["page_logs"][0], TIMEOUT)
    assert (page.result["imported"], page.result["skipped"]) == (2, 1)
    assert sorted(refs(odoo_sandbox)) == ["000000021", "000000022"]

    with db.session_scope() as s:
        s.get(Connection, conn_id).order_states = ["new", "processing"]
    pull = wait_for(enqueue(pull_job("orders", since="2020-01-01 00:00:00"), conn_id), TIMEOUT)
    page_id = pull.result["page_logs"][0]
    import_page.apply_async(args=[page_id])  # the same page task, delivered a second time
    page = wait_for(page_id, TIMEOUT)
    assert page.result["imported"] == 6
    time.sleep(2)  # let the second delivery run: it must find the page done
    assert len(refs(odoo_sandbox)) == len(set(refs(odoo_sandbox))) == 8


def test_an_imported_order_put_on_hold_is_pulled_and_held_in_odoo(
    worker: WorkerProcess, magento_sandbox, odoo_sandbox
):
    """The connection imports processing orders only; the held order leaves those states
    and is still pulled (every changed order is read; an imported one always gets a log)."""
    conn_id = prepare_shop(magento_sandbox, odoo_sandbox)
    with db.session_scope() as s:
        s.get(Connection, conn_id).order_states = ["processing"]
    wait_for(wait_for(enqueue(pull_job("orders"), conn_id), TIMEOUT).result["page_logs"][0],
             TIMEOUT)  # fmt: skip
    assert sorted(refs(odoo_sandbox)) == ["000000021", "000000022"]
    # Magento's hold (OrderManagement::hold) on card order 000000021 (entity 18), later.
    order = requests.get(f"{magento_sandbox.url}/__sandbox__/records/orders/18", timeout=5).json()
    hold = {"state": "holded", "status": "holded", "hold_before_state": order["state"],
            "hold_before_status": order["status"], "updated_at": "2030-01-01 00:00:00"}  # fmt: skip
    requests.put(f"{magento_sandbox.url}/__sandbox__/records/orders/18", json=hold,
                 timeout=5).raise_for_status()  # fmt: skip
    pull = wait_for(enqueue(pull_job("orders"), conn_id), TIMEOUT)
    assert pull.result["records"] == 1, pull.result  # the held order; nothing else changed
    page = wait_for(pull.result["page_logs"][0], TIMEOUT)
    assert page.result["updated"] == 1, page.result
    (so,) = [o for o in odoo_sandbox.records("sale.order") if o["client_order_ref"] == "000000021"]
    pickings = [p["id"] for p in odoo_sandbox.records("stock.picking") if p["sale_id"] == so["id"]]
    activities = [a for a in odoo_sandbox.records("mail.activity")
                  if a["res_model"] == "stock.picking" and a["res_id"] in pickings]  # fmt: skip
    assert activities and all(a["summary"].startswith("On hold in Magento") for a in activities)
