"""`bridge user`, `bridge drift` and `bridge logs retry|requeue` as a person runs them:
subprocesses, a real worker, real services."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from bridge import db
from bridge.models import ConsoleUser, Direction, LogState, SyncLog, utcnow
from bridge.sync import logbook, users
from tests.conftest import register_connection
from tests.e2e.test_cli import bridge
from tests.sync.test_stock import BAG, JACKET, Shop


def test_user_add_takes_the_password_from_the_environment_never_the_command_line(
    pg_state_db: str, monkeypatch: Any
) -> None:
    monkeypatch.setenv("BRIDGE_USER_PASSWORD", "a long enough password")
    result = bridge("user", "add", "ops", "--role", "operator")
    assert result.returncode == 0, result.stderr
    assert "user ops added (operator)" in result.stdout
    with db.session_scope() as session:
        user = session.query(ConsoleUser).filter_by(name="ops").one()
        assert user.role == "operator"
        assert "a long enough password" not in user.password_hash
        assert users.authenticate(session, "ops", "a long enough password") is not None
    again = bridge("user", "add", "ops", "--role", "viewer")
    assert again.returncode == 1 and "a user named 'ops' exists" in again.stderr
    monkeypatch.setenv("BRIDGE_USER_PASSWORD", "short")
    weak = bridge("user", "add", "eve", "--role", "viewer")
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr
    listed = bridge("user", "list")
    assert "ops" in listed.stdout and "operator" in listed.stdout


def test_drift_cli_reports_then_repairs(worker: Any, magento_sandbox: Any,
                                        odoo_sandbox: Any) -> None:  # fmt: skip
    shop = Shop(magento_sandbox, odoo_sandbox)
    shop.count(BAG, 10)
    shop.count(JACKET, 4)
    pushed = bridge("sync", "stock", "-c", "shop", "--sku", BAG, "--sku", JACKET)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    shop.count(BAG, 6)  # Odoo changed, and no poll ran: Magento still says 10
    found = bridge("drift", "-c", "shop", "--entity", "stock")
    assert found.returncode == 1, found.stdout + found.stderr
    assert "1 difference(s)" in found.stdout
    assert BAG in found.stdout and "Odoo changed since both sides agreed on 10" in found.stdout
    fixed = bridge("drift", "-c", "shop", "--entity", "stock", "--repair")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "stock push to Magento (1 difference(s))" in fixed.stdout
    assert _eventually(lambda: shop.source_qty(BAG) == 6)
    clean = bridge("drift", "-c", "shop", "--entity", "stock")
    assert clean.returncode == 0 and "0 difference(s)" in clean.stdout


def test_logs_retry_by_filter_and_requeue(worker: Any, magento_sandbox: Any,
                                          odoo_sandbox: Any) -> None:  # fmt: skip
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    with db.session_scope() as session:
        failed = logbook.open_log(session, connection_id=conn_id, entity="setup.connection_test",
                                  direction=Direction.BOTH, state=LogState.FAILED)  # fmt: skip
        failed.reason = "Odoo was down"
        stuck = logbook.open_log(session, connection_id=conn_id, entity="setup.connection_test",
                                 direction=Direction.BOTH, state=LogState.QUEUED)  # fmt: skip
        ids = failed.id, stuck.id
    with db.session_scope() as session:
        session.execute(update(SyncLog).where(SyncLog.id == ids[1])
                        .values(updated_at=utcnow() - timedelta(hours=1)))  # fmt: skip
    listed = bridge("logs", "list", "--stuck", "--older-than", "30")
    assert "│ queued │" in listed.stdout and "failed" not in listed.stdout  # only the stuck one
    bad = bridge("logs", "retry", "--since", "yesterday")
    assert bad.returncode == 1 and "is not a date" in bad.stderr
    nothing = bridge("logs", "retry")
    assert nothing.returncode == 1 and "name a log id, or filter" in nothing.stderr
    retried = bridge("logs", "retry", "-c", "shop", "--entity", "setup.connection_test")
    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert f"log {ids[0]} retried as log {ids[0]}" in retried.stdout
    requeued = bridge("logs", "requeue", "--older-than", "30")
    assert requeued.returncode == 0, requeued.stdout + requeued.stderr
    assert f"log {ids[1]} requeued as log {ids[1]}" in requeued.stdout
    for log_id in ids:
        assert _eventually(lambda log_id=log_id: _state(log_id) is LogState.DONE), log_id


def _state(log_id: int) -> LogState:
    with db.session_scope() as session:
        return session.get(SyncLog, log_id).state


def _eventually(check: Any, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.3)
    return True
