"""`GET /metrics`: Prometheus text format, for `bridge serve` (prometheus_client).

Counters and histograms come from the recorder (what every process counted: records
synced and failed, sync latency, remote calls, their errors and durations); gauges are
read at scrape time from the state DB and the broker (queue depths, unfinished and
stuck logs, the latest drift report's differences). Connection ids become names here.

Optional: `BRIDGE_METRICS_TOKEN` makes the endpoint ask for `Authorization: Bearer <it>`.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from sqlalchemy import func, select

from bridge.db import session_scope
from bridge.metrics import hooks
from bridge.metrics.queues import queue_depths
from bridge.metrics.recorder import RECORDER, read_histogram
from bridge.models import Connection, DriftItem, LogState, SyncLog
from bridge.sync.log_filter import STUCK_AFTER, stuck_clause

log = logging.getLogger(__name__)
SYNC = ["connection", "entity", "direction"]


class BridgeCollector:
    def collect(self) -> Iterator[Metric]:
        with session_scope() as session:
            names = {str(i): n for i, n in session.execute(select(Connection.id, Connection.name))}
            yield from self._state_gauges(session, names)
        yield from self._counters(names)
        depths = GaugeMetricFamily(
            "bridge_queue_depth", "Messages waiting on the broker, per queue", labels=["queue"]
        )
        for queue, depth in queue_depths().items():
            if depth is not None:
                depths.add_metric([queue], depth)
        yield depths

    def _counters(self, names: dict[str, str]) -> Iterator[Metric]:
        def name(labels: tuple[str, ...]) -> list[str]:
            return [names.get(labels[0], labels[0] or "none"), *labels[1:]]

        for metric, text in (
            ("records_synced", "Sync logs finished done (one per record for record logs)"),
            ("records_failed", "Sync logs finished failed, with the reason on the log"),
        ):
            family = CounterMetricFamily(f"bridge_{metric}", text, labels=SYNC)
            for labels, value in sorted(RECORDER.read(metric).items()):
                family.add_metric(name(labels), value)
            yield family
        yield _histogram(
            "bridge_sync_latency_seconds",
            "From the change recorded by Bridge to the record written on the other side",
            SYNC,
            {tuple(name(k)): v for k, v in read_histogram("sync_latency").items()},
        )
        calls = CounterMetricFamily(
            "bridge_remote_calls", "Calls to Magento and Odoo", labels=["api", "operation"]
        )
        for labels, value in sorted(RECORDER.read("remote_calls").items()):
            calls.add_metric(list(labels), value)
        yield calls
        errors = CounterMetricFamily(
            "bridge_remote_call_errors",
            "Calls to Magento and Odoo that failed, by error class",
            labels=["api", "operation", "error"],
        )
        for labels, value in sorted(RECORDER.read("remote_call_errors").items()):
            errors.add_metric(list(labels), value)
        yield errors
        yield _histogram(
            "bridge_remote_call_seconds",
            "Duration of one call to Magento or Odoo",
            ["api"],
            read_histogram("remote_call_seconds"),
        )

    def _state_gauges(self, session: Any, names: dict[str, str]) -> Iterator[Metric]:
        unfinished = GaugeMetricFamily(
            "bridge_unfinished_logs",
            "Logs queued, running or draft",
            labels=["connection", "state"],
        )
        rows = session.execute(
            select(SyncLog.connection_id, SyncLog.state, func.count())
            .where(SyncLog.state.in_([LogState.QUEUED, LogState.RUNNING, LogState.DRAFT]))
            .group_by(SyncLog.connection_id, SyncLog.state)
        )
        for conn, state, count in rows:
            unfinished.add_metric([names.get(str(conn), "none"), str(state)], count)
        yield unfinished
        stuck = GaugeMetricFamily(
            "bridge_stuck_logs",
            f"Logs queued or running with nothing alive behind them for over "
            f"{int(STUCK_AFTER.total_seconds())} s (the reaper did not recover them)",
            labels=["connection"],
        )
        counts = dict(
            session.execute(
                select(SyncLog.connection_id, func.count())
                .where(stuck_clause(STUCK_AFTER, STUCK_AFTER))
                .group_by(SyncLog.connection_id)
            ).all()
        )
        for conn_id, name in sorted(names.items()):
            stuck.add_metric([name], counts.get(int(conn_id), 0))
        yield stuck
        drift = GaugeMetricFamily(
            "bridge_drift_differences",
            "Differences in each connection's latest finished drift report, per kind",
            labels=["connection", "kind", "repaired"],
        )
        for conn_id, name in sorted(names.items()):
            latest = session.scalar(
                select(func.max(SyncLog.id)).where(
                    SyncLog.connection_id == int(conn_id),
                    SyncLog.entity == "drift",
                    SyncLog.state == LogState.DONE,
                )
            )
            if latest is None:
                continue
            rows = session.execute(
                select(DriftItem.kind, DriftItem.repair_log_id.is_not(None), func.count())
                .where(DriftItem.log_id == latest)
                .group_by(DriftItem.kind, DriftItem.repair_log_id.is_not(None))
            )
            for kind, repaired, count in rows:
                drift.add_metric([name, kind, "true" if repaired else "false"], count)
        yield drift


def _histogram(
    name: str, text: str, labels: list[str], data: dict[tuple[str, ...], dict[str, Any]]
) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, text, labels=labels)
    for key, entry in sorted(data.items()):
        bounds = sorted(float(le) for le in entry["buckets"] if le != "+Inf")
        running = 0.0
        buckets = []
        for bound in bounds:
            running += entry["buckets"].get(_le(bound), 0.0)
            buckets.append((_le(bound), running))
        buckets.append(("+Inf", entry["count"]))
        family.add_metric(list(key), buckets, entry["sum"])
    return family


def _le(bound: float) -> str:
    return str(int(bound)) if bound == int(bound) else str(bound)


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(BridgeCollector())  # type: ignore[arg-type]
    return registry


_REGISTRY: CollectorRegistry | None = None


def metrics_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    global _REGISTRY
    hooks.install()
    if _REGISTRY is None:
        _REGISTRY = _registry()
    token = os.environ.get("BRIDGE_METRICS_TOKEN")
    if token:
        given = environ.get("HTTP_AUTHORIZATION", "")
        if not hmac.compare_digest(given, f"Bearer {token}"):
            start_response("401 Unauthorized", [("Content-Type", "text/plain")])
            return [b"metrics need Authorization: Bearer <BRIDGE_METRICS_TOKEN>\n"]
    return make_wsgi_app(_REGISTRY)(environ, start_response)
