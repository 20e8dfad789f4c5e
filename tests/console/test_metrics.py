"""`GET /metrics` over real HTTP after a real worker ran: the counts the worker flushed
to Redis, the gauges read from the state DB and the broker, in Prometheus text format."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from bridge import db
from bridge.models import Direction, LogState, SyncLog, utcnow
from bridge.sync import logbook
from tasks.dispatch import CHECK_JOB
from tasks.drift import drift_job
from tasks.outbox import enqueue, wait_for
from tests.conftest import register_connection

pytestmark = pytest.mark.services


def scrape(url: str, **headers: str) -> dict[str, list[Any]]:
    response = requests.get(f"{url}/metrics", headers=headers, timeout=30)
    response.raise_for_status()
    samples: dict[str, list[Any]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    return samples


def value(samples: dict[str, list[Any]], name: str, **labels: str) -> float | None:
    for s in samples.get(name, []):
        if all(s.labels.get(k) == v for k, v in labels.items()):
            return float(s.value)
    return None


def test_metrics_after_a_worker_ran(
    worker: Any, magento_sandbox: Any, odoo_sandbox: Any, console_url: str
) -> None:
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    entry = wait_for(enqueue(CHECK_JOB, conn_id), 60)
    assert entry is not None and entry.state is LogState.DONE
    # A Magento call that fails: a 5xx for every request, until the test takes it away.
    faults = f"{magento_sandbox.url}/__sandbox__/faults"
    requests.post(faults, json={"rate_5xx": 1.0}, timeout=5).raise_for_status()
    failed = wait_for(enqueue(CHECK_JOB, conn_id), 90)
    requests.delete(faults, timeout=5).raise_for_status()
    assert failed is not None and failed.state is LogState.FAILED
    report = wait_for(enqueue(drift_job(["stock"]), conn_id), 60)
    assert report is not None and report.state is LogState.DONE
    with db.session_scope() as session:
        stuck = logbook.open_log(session, connection_id=conn_id, entity="orders.page",
                                 direction=Direction.MAGENTO_TO_ODOO)  # fmt: skip
        stuck_id = stuck.id
    with db.session_scope() as session:
        session.execute(update(SyncLog).where(SyncLog.id == stuck_id)
                        .values(updated_at=utcnow() - timedelta(hours=1)))  # fmt: skip

    deadline = time.monotonic() + 20  # the worker flushes its counts every 2 s
    while True:
        samples = scrape(console_url)
        synced = value(samples, "bridge_records_synced_total", connection="shop",
                       entity="setup.connection_test", direction="both")  # fmt: skip
        errors = value(samples, "bridge_remote_call_errors_total", api="magento",
                       error="RetryableError")  # fmt: skip
        if synced == 1 and errors or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert synced == 1
    assert value(samples, "bridge_records_failed_total", connection="shop",
                 entity="setup.connection_test") == 1  # fmt: skip
    assert errors and errors >= 1
    assert value(samples, "bridge_remote_calls_total", api="odoo",
                 operation="ir.module.module.search_read") is not None  # fmt: skip
    assert (value(samples, "bridge_remote_calls_total", api="magento") or 0) >= 1
    assert value(samples, "bridge_remote_call_seconds_count", api="odoo")
    assert value(samples, "bridge_queue_depth", queue="orders") == 0
    assert value(samples, "bridge_stuck_logs", connection="shop") == 1
    assert value(samples, "bridge_unfinished_logs", connection="shop", state="queued") == 1
    assert value(samples, "bridge_drift_differences", connection="shop") is None  # no drift


def test_metrics_can_require_a_token(
    console_url: str, monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    monkeypatch.setenv("BRIDGE_METRICS_TOKEN", "s3cret-token")
    response = requests.get(f"{console_url}/metrics", timeout=10)
    assert response.status_code == 401
    samples = scrape(console_url, Authorization="Bearer s3cret-token")
    assert "bridge_queue_depth" in samples


def test_the_grafana_dashboard_asks_only_for_metrics_bridge_serves(
    console_url: str, redis_url: str
) -> None:
    response = requests.get(f"{console_url}/metrics", timeout=10)
    served = {f.name for f in text_string_to_metric_families(response.text)}
    dashboard = json.loads((Path(__file__).parents[2] / "docs/grafana-dashboard.json").read_text())
    asked = {
        re.sub(r"_(total|bucket|count|sum)$", "", name)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"bridge_\w+", target["expr"])
    }
    assert len(asked) >= 8
    assert asked <= served, asked - served
