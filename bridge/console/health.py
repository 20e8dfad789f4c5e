"""Health: per connection, the jobs' last good runs, 24 h counts, stuck logs, schedules,
the connection test; and the broker's queue depths."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required

from bridge.console.auth import operator_required
from bridge.db import session_scope
from bridge.metrics.queues import queue_depths
from bridge.sync.health import check_summary, connection_health
from bridge.sync.log_filter import STUCK_AFTER
from tasks.dispatch import CHECK_JOB, JOBS
from tasks.outbox import BrokerUnavailable, enqueue

bp = Blueprint("health", __name__)


@bp.route("/health")
@login_required
def page() -> str:
    entities = {name: job.entity for name, job in JOBS.items()}
    with session_scope() as session:
        connections = connection_health(session, entities)
        checks = {c.id: check_summary(c.check) for c in connections}
    return render_template(
        "health.html",
        connections=connections,
        checks=checks,
        queues=queue_depths(),
        stuck_minutes=int(STUCK_AFTER.total_seconds() // 60),
    )


@bp.route("/health/<int:connection_id>/test", methods=["POST"])
@operator_required
def test(connection_id: int) -> Any:
    try:
        log_id = enqueue(CHECK_JOB, connection_id)
    except BrokerUnavailable as exc:
        flash(str(exc), "error")
    else:
        flash(f"Connection test queued as log {log_id}.", "ok")
    return redirect(url_for("health.page"))
