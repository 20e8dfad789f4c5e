"""The Odoo sandbox's server-cost model (sandbox/odoo/cost.py): calls spend server time in
one of N workers, commit when it is up, and a client that gave up does not stop them."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import requests

from bridge.clients.errors import TIMED_OUT, RetryableError
from bridge.clients.odoo import OdooClient
from sandbox.odoo import OdooSandbox
from sandbox.odoo.cost import COSTS, CostModel


def client(sandbox: Any, business_timeout: float = 10.0) -> OdooClient:
    return OdooClient(sandbox.url, "bridge", "admin", "admin", protocol="jsonrpc",
                      timeout=5, business_timeout=business_timeout)  # fmt: skip


def partners(n: int, tag: str) -> list[dict[str, Any]]:
    return [{"name": f"{tag} {i}"} for i in range(n)]


def test_off_unless_asked(odoo_sandbox: Any):
    assert odoo_sandbox.cost.scale == 0
    started = time.monotonic()
    client(odoo_sandbox).create("res.partner", partners(50, "free"))
    assert time.monotonic() - started < 1.0
    assert odoo_sandbox.cost.stats()["server_seconds"] == 0


def test_a_call_costs_fixed_plus_per_record():
    model = CostModel(scale=1.0)
    fixed, per = COSTS["sale.order.action_confirm"]
    assert model.seconds("sale.order", "action_confirm", 100) == pytest.approx(fixed + 100 * per)
    assert model.seconds("res.partner", "search_read", 1) == pytest.approx(sum(COSTS["*read"]))
    assert model.seconds("x.y", "button_anything", 2) == pytest.approx(
        COSTS["*write"][0] + 2 * COSTS["*write"][1]
    )
    # Calibrated on issue 15: a page of 100 orders, half card-paid, ~45.7 s of server time.
    page = (model.seconds("sale.order", "create", 100)
            + model.seconds("sale.order", "action_confirm", 100)
            + model.seconds("sale.advance.payment.inv", "create_invoices", 50)
            + model.seconds("account.move", "action_post", 50)
            + model.seconds("account.payment.register", "action_create_payments", 50)
            + model.seconds("res.partner", "create", 150))  # fmt: skip
    assert 40 < page < 52


def test_calls_wait_for_a_free_worker():
    with OdooSandbox(cost_scale=1.0, workers=1) as sandbox:
        sandbox.cost.configure(costs={"res.partner.create": [0.8, 0.0]})
        elapsed = _two_at_once(sandbox)
        assert elapsed >= 1.6  # one worker: the second call waited for the first
        assert sandbox.cost.stats()["queued_calls"] >= 1
        sandbox.cost.configure(workers=2)
        assert _two_at_once(sandbox) < 1.5  # both at once (1.6 s if they had queued)


def _two_at_once(sandbox: Any) -> float:
    started = time.monotonic()
    threads = [threading.Thread(target=client(sandbox).create, args=("res.partner", partners(1, t)))
               for t in ("a", "b")]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - started


def test_a_call_commits_when_its_time_is_up_even_after_the_client_gave_up():
    with OdooSandbox(cost_scale=1.0, workers=2) as sandbox:
        sandbox.cost.configure(costs={"res.partner.create": [1.2, 0.0]})
        impatient = client(sandbox, business_timeout=0.3)
        with pytest.raises(RetryableError) as caught:
            impatient.create("res.partner", partners(1, "late"))
        assert caught.value.kind == TIMED_OUT
        reader = client(sandbox)
        assert reader.search("res.partner", [("name", "=", "late 0")]) == []  # not yet
        time.sleep(1.3)
        assert len(reader.search("res.partner", [("name", "=", "late 0")])) == 1


def test_the_admin_endpoint_sets_and_reports_it(odoo_sandbox: Any):
    url = f"{odoo_sandbox.url}/__sandbox__/odoo/settings"
    body = {"cost_scale": 0.5, "workers": 3, "costs": {"res.partner.create": [0.2, 0.0]}}
    answer = requests.post(url, json=body, timeout=5).json()
    assert answer["cost_scale"] == 0.5 and answer["workers"] == 3
    client(odoo_sandbox).create("res.partner", partners(2, "paid"))
    stats = requests.get(url, timeout=5).json()
    assert stats["server_seconds"] == pytest.approx(0.1, abs=0.01)
    assert stats["by_method"] == {"res.partner.create": pytest.approx(0.1, abs=0.01)}
