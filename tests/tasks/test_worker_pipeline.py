"""The pipeline with a real Celery worker process on the real Redis and PostgreSQL."""

from __future__ import annotations

from typing import Any

import requests
from sqlalchemy import func, select

from bridge import db
from bridge.models import LogState, SyncLog
from tasks.dispatch import CHECK_JOB, setup_import_job
from tasks.outbox import enqueue, wait_for
from tests.conftest import WorkerProcess, register_connection

TIMEOUT = 60


def faults(sandbox: Any, **config: Any) -> None:
    requests.post(f"{sandbox.url}/__sandbox__/faults", json=config, timeout=5).raise_for_status()


def test_import_runs_on_the_worker(worker: WorkerProcess, magento_sandbox, odoo_sandbox):
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    entry = wait_for(enqueue(setup_import_job("customer-groups"), conn_id), TIMEOUT)
    assert entry is not None, worker.output()[-3000:]
    assert entry.state is LogState.DONE, entry.reason
    (outcome,) = entry.result["imports"]
    assert outcome["created"] == 4
    assert entry.task_id and entry.attempts == 1


def test_retryable_fault_is_retried_then_succeeds(worker, magento_sandbox, odoo_sandbox):
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    # One request's own tries (BRIDGE_HTTP_RETRY_ATTEMPTS, 5) fail, so the task retries;
    # its second run meets the last two faults and rides them out request by request.
    faults(magento_sandbox, rate_5xx=1.0, max_faults=7)
    entry = wait_for(enqueue(setup_import_job("attribute-sets"), conn_id), TIMEOUT)
    assert entry is not None, worker.output()[-3000:]
    assert entry.state is LogState.DONE, entry.reason
    assert entry.attempts == 2
    assert "Retry in" in worker.output()


def test_retries_give_up_with_the_reason(worker, magento_sandbox, odoo_sandbox):
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    faults(magento_sandbox, rate_429=1.0, retry_after=0)
    entry = wait_for(enqueue(setup_import_job("websites"), conn_id), TIMEOUT)
    assert entry is not None, worker.output()[-3000:]
    assert entry.state is LogState.FAILED
    assert entry.reason.startswith("gave up after 5 attempts")
    assert "429" in entry.reason or "Too Many Requests" in entry.reason


def test_permanent_error_fails_the_log_and_the_worker_goes_on(worker, magento_sandbox,
                                                              odoo_sandbox):  # fmt: skip
    bad = register_connection(magento_sandbox, odoo_sandbox, name="bad", odoo_secret="wrong")
    entry = wait_for(enqueue(CHECK_JOB, bad), TIMEOUT)
    assert entry is not None and entry.state is LogState.FAILED
    assert entry.reason.startswith("Odoo: ")
    assert "refused login 'admin'" in entry.reason
    assert "wrong" not in entry.reason
    assert entry.attempts == 1

    good = register_connection(magento_sandbox, odoo_sandbox, name="good")
    entry = wait_for(enqueue(CHECK_JOB, good), TIMEOUT)
    assert entry is not None and entry.state is LogState.DONE
    assert entry.result["odoo"]["uid"] == 2


def test_same_task_delivered_twice_has_one_effect(worker, magento_sandbox, odoo_sandbox):
    from tasks.setup import run_import

    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    log_id = enqueue(setup_import_job("payment-methods"), conn_id)
    run_import.apply_async(args=[log_id])  # a redelivery of the same message
    entry = wait_for(log_id, TIMEOUT)
    assert entry is not None and entry.state is LogState.DONE
    journals = [
        j for j in odoo_sandbox.records("account.journal") if j["name"].startswith("Magento")
    ]
    assert len(journals) == 5
    with db.session_scope() as s:
        assert s.scalar(select(func.count(SyncLog.id))) == 1
