"""Sales, customer and inventory reports on the seed's orders, imported into the Odoo
sandbox over HTTP: figures as Odoo booked them, store views and payment methods from
Bridge's logs, per currency, new vs returning customers, and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bridge import db
from bridge.models import Connection
from bridge.reports import to_csv
from bridge.reports.customers import customers_report
from bridge.reports.sales import sales_report
from bridge.sync.connections import odoo_client
from tests.sync.test_orders import magento_orders, run_import, shop  # noqa: F401 - fixture

LONG_AGO = date.today() - timedelta(days=3650)


@pytest.fixture
def imported(shop: int, odoo_sandbox: Any) -> tuple[int, dict[str, dict[str, Any]]]:  # noqa: F811
    orders = magento_orders(shop)
    result = run_import(shop, orders)
    assert result["logs"]["000000014"][0] == "done", result["logs"]
    odoo = odoo_client(_conn(shop))
    booked = {
        o["client_order_ref"]: o
        for o in odoo.search_read(
            "sale.order", [("state", "!=", "cancel")], ["client_order_ref", "amount_total",
                                                        "currency_id", "partner_id"]
        )
    }  # fmt: skip
    return shop, booked


def _conn(conn_id: int) -> Connection:
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        s.expunge(conn)
        return conn


def test_sales_per_store_view_payment_method_and_currency(imported: Any) -> None:
    conn_id, booked = imported
    with db.session_scope() as session:
        report = sales_report(session, odoo_client(_conn(conn_id)), conn_id, LONG_AGO, "week")
    rows = report.rows()
    assert sum(int(r[4]) for r in rows) == len(booked)
    by_currency: dict[str, Decimal] = {}
    for o in booked.values():
        cur = o["currency_id"][1]
        by_currency[cur] = by_currency.get(cur, Decimal(0)) + Decimal(str(o["amount_total"]))
    for cur, total in by_currency.items():
        assert sum(Decimal(r[5]) for r in rows if r[3] == cur) == total.quantize(Decimal("0.01"))
    assert report.currencies == sorted(by_currency)
    assert "EUR" in report.currencies  # the seed's French store view order stays in euros
    views = {r[1] for r in rows}
    assert views <= {"Default Store View", "French Store View"}
    assert "French Store View" in views
    methods = {r[2] for r in rows}
    assert "Check / Money order" in methods
    assert "unknown" not in methods  # every order's log names its method
    parsed = list(csv.reader(io.StringIO(to_csv(report.HEADER, rows))))
    assert parsed[0] == report.HEADER and len(parsed) == len(rows) + 1


def test_customers_new_then_returning_and_the_top_ones(imported: Any) -> None:
    conn_id, booked = imported
    with db.session_scope() as session:
        report = customers_report(session, odoo_client(_conn(conn_id)), conn_id, LONG_AGO, "week")
    partners = {o["partner_id"][0] for o in booked.values()}
    assert sum(new for new, _ in report.periods.values()) == len(partners)
    spent: dict[str, float] = {}
    for o in booked.values():
        spent[o["partner_id"][1]] = spent.get(o["partner_id"][1], 0) + o["amount_total"]
    best = max(spent, key=lambda name: spent[name])
    assert report.top[0][0] == best
    assert report.top[0][2] == pytest.approx(spent[best])
    # Only orders in the window count: none in the future.
    with db.session_scope() as session:
        later = customers_report(session, odoo_client(_conn(conn_id)), conn_id,
                                 date.today() + timedelta(days=1), "week")  # fmt: skip
    assert later.periods == {} and later.top == []
