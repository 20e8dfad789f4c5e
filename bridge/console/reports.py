"""Reports: sales, inventory, customers; each a page with charts and a CSV download."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_login import login_required

from bridge.db import session_scope
from bridge.models import Connection
from bridge.reports import to_csv
from bridge.reports.customers import customers_report
from bridge.reports.inventory import inventory_report
from bridge.reports.sales import sales_report
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.drift import DriftContext
from bridge.sync.log_filter import connection_names

bp = Blueprint("reports", __name__)


def _options() -> tuple[int, int, str]:
    with session_scope() as session:
        names = connection_names(session)
    if not names:
        abort(404, "no connection yet: bridge connection add")
    given = request.args.get("connection", "")
    connection = int(given) if given.isdigit() else next(iter(names))
    if connection not in names:
        abort(404, f"no connection {connection}")
    days = request.args.get("days", "90")
    if not days.isdigit() or not 1 <= int(days) <= 3650:
        abort(400, "days: a whole number from 1 to 3650")
    period = request.args.get("period", "day")
    if period not in ("day", "week"):
        abort(400, "period: day or week")
    return connection, int(days), period


def _csv(name: str, header: list[str], rows: list[list[Any]]) -> Response:
    return Response(
        to_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}.csv"},
    )


@bp.route("/reports")
@login_required
def index() -> Any:
    return sales()


@bp.route("/reports/sales")
@login_required
def sales() -> Any:
    connection, days, period = _options()
    since = date.today() - timedelta(days=days)
    with session_scope() as session:
        conn = session.get(Connection, connection)
        report = sales_report(session, odoo_client(conn), connection, since, period)
        names = connection_names(session)
    if request.args.get("format") == "csv":
        return _csv("sales", report.HEADER, report.rows())
    periods = report.periods()
    labels = [p.isoformat() for p in periods]

    def chart(by: str) -> list[dict[str, Any]]:
        return [{"label": name, "data": [float(values.get(p, 0)) for p in periods]}
                for name, values in sorted(report.series(by).items())]  # fmt: skip

    per_period = report.orders_per_period()
    return render_template(
        "report_sales.html",
        report=report,
        names=names,
        connection=connection,
        days=days,
        period=period,
        chart={
            "labels": labels,
            "orders": [per_period.get(p, 0) for p in periods],
            "by_view": chart("store_view"),
            "by_payment": chart("payment"),
        },
    )


@bp.route("/reports/inventory")
@login_required
def inventory() -> Any:
    connection, days, period = _options()
    with session_scope() as session:
        conn = session.get(Connection, connection)
        assert conn is not None
        ctx = DriftContext(session, conn, magento_client(conn), odoo_client(conn), log_id=0)
        report = inventory_report(ctx)
        names = connection_names(session)
    if request.args.get("format") == "csv":
        return _csv("inventory", report.HEADER, report.rows())
    return render_template(
        "report_inventory.html",
        report=report,
        names=names,
        connection=connection,
        days=days,
        period=period,
        chart={
            "warehouses": sorted(report.warehouses),
            "on_hand": [round(report.warehouses[w][0], 2) for w in sorted(report.warehouses)],
            "free": [round(report.warehouses[w][1], 2) for w in sorted(report.warehouses)],
            "sources": sorted(report.sources),
            "source_qty": [round(report.sources[s], 2) for s in sorted(report.sources)],
        },
    )


@bp.route("/reports/customers")
@login_required
def customers() -> Any:
    connection, days, period = _options()
    if "period" not in request.args:
        period = "week"
    since = date.today() - timedelta(days=days)
    with session_scope() as session:
        conn = session.get(Connection, connection)
        report = customers_report(session, odoo_client(conn), connection, since, period)
        names = connection_names(session)
    if request.args.get("format") == "csv":
        return _csv("customers", report.HEADER, report.rows())
    periods = sorted(report.periods)
    return render_template(
        "report_customers.html",
        report=report,
        names=names,
        connection=connection,
        days=days,
        period=period,
        chart={
            "labels": [p.isoformat() for p in periods],
            "new": [report.periods[p][0] for p in periods],
            "returning": [report.periods[p][1] for p in periods],
        },
    )
