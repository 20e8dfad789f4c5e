"""Issue 16: a retried order page never pays, posts or confirms twice while Odoo is
still working on the first try.

The Odoo sandbox's cost model makes `action_create_payments` outlive the client's
business timeout and commit afterwards, as a real Odoo 18 did on a page of 50 card
invoices (43 s against a 30 s timeout)."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest

from bridge import db
from bridge.clients.errors import RetryableError
from bridge.coordination import StepClaims
from bridge.models import Connection, SyncLog
from bridge.settings import reload_settings
from bridge.sync.connections import odoo_client
from bridge.sync.orders.pages import OrderPage, import_orders, order_logs
from bridge.sync.orders.steps import Steps
from tests.conftest import prepare_shop
from tests.sync.test_orders import magento_orders, rid

PAYMENT_SECONDS = 2.0
ONLINE = ("braintree", "Credit Card (Braintree)")


@pytest.fixture
def slow_payments(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, state_db: str, odoo_sandbox: Any
) -> Any:
    """Business calls time out after 1 s; a payment wizard costs Odoo 2 s, then commits."""
    monkeypatch.setenv("BRIDGE_ODOO_BUSINESS_TIMEOUT", "1")
    reload_settings()
    odoo_sandbox.cost.configure(
        scale=1.0,
        workers=2,
        costs={"account.payment.register.action_create_payments": [PAYMENT_SECONDS, 0.0]},
    )
    yield odoo_sandbox
    monkeypatch.delenv("BRIDGE_ODOO_BUSINESS_TIMEOUT")
    reload_settings()


def card_and_check_orders(conn_id: int, n: int) -> list[dict[str, Any]]:
    """`n` copies of seeded order 000000014, every other one paid by card (online)."""
    copies = sorted((o for o in magento_orders(conn_id) if o["increment_id"].startswith("2")),
                    key=lambda o: o["increment_id"])[:n]  # fmt: skip
    for i, o in enumerate(copies):
        if i % 2 == 0:
            method, title = ONLINE
            o["payment"] = {**o["payment"], "method": method, "additional_information": [title]}
    return copies


def attempt(conn_id: int, orders: list[dict[str, Any]], steps: Steps | None = None) -> dict:
    """One try of the page task (what `run_log` does): commit on success, roll back on error."""
    with db.session_scope() as s:
        ids = order_logs(s, conn_id, orders)
    session = db.session_factory()()
    try:
        conn = session.get(Connection, conn_id)
        logs = [session.get(SyncLog, i) for i in ids]
        result = import_orders(OrderPage(session, conn, odoo_client(conn), steps), logs)
        session.commit()
        return result
    finally:
        session.rollback()
        session.close()


def claims(conn_id: int) -> StepClaims:
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        return StepClaims(conn_id, f"{conn.odoo_url}|{conn.odoo_db}")


def payments_per_invoice(odoo_sandbox: Any) -> tuple[dict[int, list[float]], dict[int, float]]:
    invoices = {m["id"]: m["amount_total"] for m in odoo_sandbox.records("account.move")
                if m["move_type"] == "out_invoice"}  # fmt: skip
    paid: dict[int, list[float]] = {i: [] for i in invoices}
    for p in odoo_sandbox.records("account.payment"):
        for inv in p["invoice_ids"] or []:
            paid[rid(inv)].append(p["amount"])
    return paid, invoices


def assert_paid_once(odoo_sandbox: Any, expected: int) -> None:
    paid, totals = payments_per_invoice(odoo_sandbox)
    assert len(totals) == expected
    for invoice, amounts in paid.items():
        assert amounts == [pytest.approx(totals[invoice], abs=0.005)], (invoice, amounts)
    assert len(odoo_sandbox.records("account.payment")) == expected
    assert not [p for p in odoo_sandbox.records("account.payment") if abs(p["amount"]) < 0.005]


def test_a_payment_call_that_outlives_the_timeout_is_waited_for_not_resent(
    slow_payments: Any, magento_sandbox: Any
):
    conn_id = prepare_shop(magento_sandbox, slow_payments, extra_orders=10)
    result = attempt(conn_id, card_and_check_orders(conn_id, 10))
    assert result["imported"] == 10 and result["failed"] == 0, result["reasons"]
    # The call timed out after 1 s; Bridge looked until Odoo committed it (~1 s later).
    assert 0.5 <= result["waited_for_odoo"]["pay"] <= PAYMENT_SECONDS + 3
    assert_paid_once(slow_payments, 5)
    states = Counter(m["payment_state"] for m in slow_payments.records("account.move")
                     if m["move_type"] == "out_invoice")  # fmt: skip
    assert set(states) <= {"paid", "in_payment"} and sum(states.values()) == 5, states


def test_a_retried_page_waits_for_the_first_try_payments(slow_payments: Any, magento_sandbox: Any):
    """The first try gives up while Odoo still runs its payment call (a worker killed, a
    patience spent); the retry reads the invoices unpaid, finds the claim, and waits."""
    conn_id = prepare_shop(magento_sandbox, slow_payments, extra_orders=10)
    orders = card_and_check_orders(conn_id, 10)
    impatient = Steps(claims(conn_id), window=60, patience=0.2)
    with pytest.raises(RetryableError):
        attempt(conn_id, orders, impatient)
    # The payments are not committed yet: the retry sees the invoices unpaid.
    assert slow_payments.records("account.payment") == []
    result = attempt(conn_id, orders)
    assert result["imported"] == 10 and result["failed"] == 0, result["reasons"]
    assert result["bound"] == 10  # created by the first try, whose transaction rolled back
    assert result["waited_for_odoo"]["pay"] > 0
    assert_paid_once(slow_payments, 5)


def test_without_the_claims_the_retry_pays_again_at_zero(slow_payments: Any, magento_sandbox: Any):
    """What issue 16 saw on a real Odoo 18, reproduced by the sandbox: a retry that cannot
    see the first try's claims sends a second wizard, which Odoo runs after the first
    committed and makes a payment of 0.00 per invoice. (The claims are the fix.)"""
    conn_id = prepare_shop(magento_sandbox, slow_payments, extra_orders=4)
    orders = card_and_check_orders(conn_id, 4)
    # Long enough for the blind retry to read the invoices before the first call commits.
    slow_payments.cost.configure(
        costs={"account.payment.register.action_create_payments": [4.0, 0.0]}
    )
    with pytest.raises(RetryableError):
        attempt(conn_id, orders, Steps(claims(conn_id), window=60, patience=0.2))
    blind = Steps(StepClaims(conn_id, "another Odoo"), window=60)
    result = attempt(conn_id, orders, blind)
    assert result["failed"] == 0, result["reasons"]
    time.sleep(4.5)  # the retry's own wizard is still running in Odoo: let it commit
    amounts = sorted(p["amount"] for p in slow_payments.records("account.payment"))
    assert len(amounts) == 4 and amounts[:2] == [0.0, 0.0]


def test_a_retried_page_binds_the_orders_a_slow_create_made(
    slow_payments: Any, magento_sandbox: Any
):
    """`sale.order.create` outlives the timeout: the page fails retryable with its claim
    kept; the retry waits for the create to commit and binds those orders, never a
    second copy."""
    conn_id = prepare_shop(magento_sandbox, slow_payments, extra_orders=6)
    orders = card_and_check_orders(conn_id, 6)
    slow_payments.cost.configure(costs={"sale.order.create": [2.0, 0.0]})
    with pytest.raises(RetryableError, match="did not answer"):
        attempt(conn_id, orders)
    assert slow_payments.records("sale.order") == []  # still running in Odoo
    result = attempt(conn_id, orders)
    assert result["imported"] == 6 and result["bound"] == 6, result["reasons"]
    assert result["waited_for_odoo"]["create"] > 0.3
    refs = [o["client_order_ref"] for o in slow_payments.records("sale.order")]
    assert sorted(refs) == sorted(o["increment_id"] for o in orders)
    assert_paid_once(slow_payments, 3)
