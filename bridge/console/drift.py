"""Drift: run a report (a job on a worker), see its differences, repair them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import func, select

from bridge.console.auth import operator_required
from bridge.db import session_scope
from bridge.models import DriftItem, SyncLog
from bridge.sync import drift as drift_use_case
from bridge.sync.log_filter import connection_names
from tasks import operations
from tasks.drift import drift_job
from tasks.outbox import BrokerUnavailable, enqueue

bp = Blueprint("drift", __name__)
PAGE = 200


@bp.route("/drift")
@login_required
def page() -> str:
    with session_scope() as session:
        reports = list(
            session.scalars(
                select(SyncLog)
                .where(SyncLog.entity == drift_use_case.ENTITY)
                .order_by(SyncLog.id.desc())
                .limit(20)
            )
        )
        names = connection_names(session)
    return render_template(
        "drift.html",
        reports=reports,
        names=names,
        entities=drift_use_case.ENTITIES,
        days=drift_use_case.ORDER_DAYS,
    )


@bp.route("/drift/run", methods=["POST"])
@operator_required
def run() -> Any:
    connection = request.form.get("connection", "")
    if not connection.isdigit():
        abort(400, "connection: pick one")
    entities = [e for e in request.form.getlist("entity") if e in drift_use_case.ENTITIES]
    days = request.form.get("days", "")
    if not days.isdigit() or not 1 <= int(days) <= 3650:
        abort(400, "days: a whole number from 1 to 3650")
    try:
        log_id = enqueue(drift_job(entities or None, int(days)), int(connection))
    except BrokerUnavailable as exc:
        flash(str(exc), "error")
        return redirect(url_for("drift.page"))
    return redirect(url_for("drift.report", log_id=log_id))


@bp.route("/drift/<int:log_id>")
@login_required
def report(log_id: int) -> str:
    kind = request.args.get("kind") or None
    after = request.args.get("after", "0")
    if not after.isdigit():
        abort(400, "after: an item id")
    with session_scope() as session:
        entry = session.get(SyncLog, log_id)
        if entry is None or entry.entity != drift_use_case.ENTITY:
            abort(404, f"no drift report {log_id}")
        query = select(DriftItem).where(DriftItem.log_id == log_id, DriftItem.id > int(after))
        if kind:
            query = query.where(DriftItem.kind == kind)
        items = list(session.scalars(query.order_by(DriftItem.id).limit(PAGE + 1)))
        repairs = {i.repair_log_id: None for i in items if i.repair_log_id is not None}
        for log in session.scalars(select(SyncLog).where(SyncLog.id.in_(list(repairs)))):
            repairs[log.id] = str(log.state)
        counts = dict(
            session.execute(
                select(DriftItem.kind, func.count())
                .where(DriftItem.log_id == log_id)
                .group_by(DriftItem.kind)
            ).all()
        )
        pending = session.scalar(
            select(func.count()).where(
                DriftItem.log_id == log_id,
                DriftItem.repairable.is_(True),
                DriftItem.repair_log_id.is_(None),
            )
        )
        names = connection_names(session)
    more = items[PAGE - 1].id if len(items) > PAGE else None
    return render_template(
        "drift_report.html",
        log=entry,
        items=items[:PAGE],
        more=more,
        kind=kind,
        counts=counts,
        pending=pending or 0,
        repairs=repairs,
        names=names,
    )


@bp.route("/drift/<int:log_id>/repair", methods=["POST"])
@operator_required
def repair(log_id: int) -> Any:
    try:
        repairs = operations.repair_drift(log_id)
    except (LookupError, BrokerUnavailable) as exc:
        flash(str(exc), "error")
        return redirect(url_for("drift.report", log_id=log_id))
    if not repairs:
        flash("Nothing left to repair in this report.", "error")
    for r in repairs:
        flash(f"Queued log {r.log_id}: {r.what} ({r.items} difference(s)).", "ok")
    return redirect(url_for("drift.report", log_id=log_id))
