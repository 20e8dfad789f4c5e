"""Logs: the filtered list, one log's page, and the actions (the CLI's, `tasks.operations`)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from bridge.console.auth import operator_required
from bridge.console.forms import filter_args, log_filter
from bridge.db import session_scope
from bridge.models import Direction, DriftItem, LogState, SyncLog
from bridge.sync.log_filter import (
    STUCK_AFTER,
    connection_names,
    count_logs,
    entities,
    find_logs,
)
from tasks import operations
from tasks.outbox import BrokerUnavailable

bp = Blueprint("logs", __name__)
PAGE = 50


@bp.route("/logs")
@login_required
def page() -> str:
    where = log_filter(request.args)
    with session_scope() as session:
        rows = find_logs(session, where, PAGE + 1)
        total = count_logs(session, replace(where, before_id=None))
        names = connection_names(session)
        known = entities(session)
    older = rows[PAGE - 1].id if len(rows) > PAGE else None
    return render_template(
        "logs.html",
        logs=rows[:PAGE],
        total=total,
        older=older,
        args=filter_args(request.args),
        names=names,
        entities=known,
        states=[s.value for s in LogState],
        directions=[d.value for d in Direction],
        stuck_minutes=int(STUCK_AFTER.total_seconds() // 60),
    )


@bp.route("/logs/<int:log_id>")
@login_required
def show(log_id: int) -> str:
    with session_scope() as session:
        entry = session.get(SyncLog, log_id)
        if entry is None:
            abort(404, f"no sync log {log_id}")
        names = connection_names(session)
        drift_items = 0
        if entry.entity == "drift":
            drift_items = session.query(DriftItem).filter(DriftItem.log_id == log_id).count()
    return render_template(
        "log.html",
        log=entry,
        names=names,
        payload=json.dumps(entry.payload, indent=2, default=str, ensure_ascii=False),
        result=json.dumps(entry.result, indent=2, default=str, ensure_ascii=False),
        drift_items=drift_items,
    )


@bp.route("/logs/<int:log_id>/retry", methods=["POST"])
@operator_required
def retry(log_id: int) -> Any:
    try:
        new_id = operations.retry_log(log_id)
    except (LookupError, ValueError, BrokerUnavailable) as exc:
        flash(str(exc), "error")
        return redirect(url_for("logs.show", log_id=log_id))
    flash(f"Log {log_id} queued again as log {new_id}.", "ok")
    return redirect(url_for("logs.show", log_id=new_id))


@bp.route("/logs/retry", methods=["POST"])
@operator_required
def retry_filtered() -> Any:
    where = replace(log_filter(request.form), before_id=None)
    outcomes = operations.retry_logs(where)
    _flash_outcomes(outcomes, "retried", "failed log")
    return redirect(url_for("logs.page", **{**filter_args(request.form), "state": "failed"}))


@bp.route("/logs/requeue", methods=["POST"])
@operator_required
def requeue() -> Any:
    minutes = request.form.get("minutes", "")
    if not minutes.isdigit() or int(minutes) < 1:
        abort(400, "minutes: a whole number of at least 1")
    where = replace(log_filter(request.form), before_id=None, state=None)
    outcomes = operations.requeue_stuck(timedelta(minutes=int(minutes)), where)
    _flash_outcomes(outcomes, "requeued", "stuck log")
    return redirect(url_for("logs.page", **filter_args(request.form)))


def _flash_outcomes(outcomes: list[operations.Outcome], done: str, what: str) -> None:
    ok = [o for o in outcomes if o.error is None]
    if not outcomes:
        flash(f"No {what} matches this filter.", "error")
        return
    flash(f"{len(ok)} of {len(outcomes)} {what}(s) {done}.", "ok" if ok else "error")
    for o in outcomes:
        if o.error:
            flash(f"log {o.log_id}: {o.error}", "error")
