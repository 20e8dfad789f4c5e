"""Per-connection limits across workers, on the real Redis (bridge/coordination.py)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from bridge import coordination
from bridge.coordination import MagentoRate, SlotUnavailable, StepClaims, odoo_slot


@pytest.fixture(autouse=True)
def _redis(redis_url: str) -> None:
    """Every test on the flushed test database."""


def test_no_more_pages_than_the_limit_hold_a_slot():
    inside, peak, lock = 0, 0, threading.Lock()

    def page() -> None:
        nonlocal inside, peak
        with odoo_slot(7, limit=2, wait=10):
            with lock:
                inside += 1
                peak = max(peak, inside)
            time.sleep(0.3)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=page) for _ in range(6)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2
    assert time.monotonic() - started >= 0.85  # 6 pages, 2 at a time, 0.3 s each
    assert coordination.busy_slots(7) == 0


def test_a_page_that_waits_too_long_is_told_so():
    with (
        odoo_slot(8, limit=1, wait=5),
        pytest.raises(SlotUnavailable, match="1 Odoo slots"),
        odoo_slot(8, limit=1, wait=0.3),
    ):
        pass


def test_a_killed_workers_slot_frees_itself():
    # A holder that never releases nor renews (its worker was killed).
    assert coordination.store().acquire("bridge:odoo-slots:9", 1, 0.6, "dead-worker")
    started = time.monotonic()
    with odoo_slot(9, limit=1, wait=5):
        waited = time.monotonic() - started
    assert 0.4 <= waited <= 4


def test_a_held_slot_is_renewed_past_its_lease():
    with odoo_slot(10, limit=1, wait=1, lease=0.6):
        time.sleep(1.0)  # past the lease: renewed every 0.2 s
        with pytest.raises(SlotUnavailable), odoo_slot(10, limit=1, wait=0.2, lease=0.6):
            pass


def test_magento_requests_keep_to_the_rate_and_a_429_pauses_them():
    rate = MagentoRate(11, rps=10)
    started = time.monotonic()
    for _ in range(15):  # a burst of 10, then 10 a second
        rate.before()
    assert 0.4 <= time.monotonic() - started < 4
    other_worker = MagentoRate(11, rps=0)  # no limit of its own: still honours the 429
    rate.refused(0.5)
    started = time.monotonic()
    other_worker.before()
    assert time.monotonic() - started >= 0.4


def test_step_claims_expire_with_their_window():
    claims = StepClaims(12, "http://odoo|db")
    claims.claim("pay", [1, 2], window=0.5)
    assert set(claims.open("pay", [1, 2, 3])) == {1, 2}
    assert StepClaims(12, "http://other|db").open("pay", [1, 2]) == {}
    claims.settle("pay", [1])
    assert set(claims.open("pay", [1, 2])) == {2}
    time.sleep(0.6)
    assert claims.open("pay", [2]) == {}


def test_magento_client_paces_through_the_connection(magento_sandbox: Any, state_db: str):
    from bridge import db
    from bridge.models import Connection
    from bridge.sync.connections import magento_client
    from tests.conftest import register_connection

    conn_id = register_connection(magento_sandbox, magento_sandbox, magento_rps=5)
    with db.session_scope() as s:
        client = magento_client(s.get(Connection, conn_id))
    started = time.monotonic()
    for _ in range(8):  # the admin token, then 7 reads: burst 5, then 5 a second
        client.get("store/storeConfigs")
    assert time.monotonic() - started >= 0.7
