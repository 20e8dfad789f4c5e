"""Orders whose last cent is the hard part, imported with Odoo's totals equal to Magento's.

The orders are `sandbox.magento.seed.luma.orders.cents_orders`, made by Magento's own
rules (`totals.py`): a tax-included EU store (21 % VAT), 69.00 + 49.00 at 8.25 %, four
odd prices with shipping, 150 lines, and discounts on items and shipping. Each is
imported under both of the Odoo company's rounding methods, against the Odoo sandbox
and, with BRIDGE_TEST_ODOO_* set, a real Odoo 18 (its increment ids made unique per run,
since a real database keeps the orders of earlier runs).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from bridge import db
from bridge.clients.odoo import OdooClient
from bridge.mappers import order as om
from bridge.models import Connection, LogState, SyncLog
from bridge.sync import bindings
from bridge.sync.connections import odoo_client
from bridge.sync.orders import pages as orders_sync
from bridge.sync.orders import refs as order_refs
from bridge.sync.orders.pages import OrderPage, order_logs
from sandbox.magento.seed.luma import catalog, customers, orders
from tests import odoo_fixtures
from tests.conftest import prepare_shop
from tests.odoo_fixtures import OdooSide, odoo_sides
from tests.sync.test_orders import connection, run_import

METHODS = ["round_per_line", "round_globally"]


@pytest.fixture(params=odoo_sides())
def odoo_side(request: pytest.FixtureRequest) -> Iterator[OdooSide]:
    yield from odoo_fixtures.odoo_side(request)


def cents_orders(unique: bool) -> list[dict[str, Any]]:
    built = orders.cents_orders(catalog.products(), customers.customers())
    if unique:  # a real Odoo keeps earlier runs' orders: client_order_ref must be new
        run = uuid.uuid4().hex[:6]
        for o in built:
            o["increment_id"] = f"{o['increment_id']}-{run}"
    return built


@pytest.fixture
def shop(state_db: str, magento_sandbox: Any, odoo_side: OdooSide) -> tuple[int, list[dict]]:
    """A connection after the merchant's setup, with the cents orders in Magento."""
    placed = cents_orders(odoo_side.real)
    for o in placed:
        requests.post(f"{magento_sandbox.url}/__sandbox__/records/orders", json=o,
                      timeout=5).raise_for_status()  # fmt: skip
    conn_id = prepare_shop(magento_sandbox, odoo_side, odoo_db=odoo_side.db,
                           odoo_secret=odoo_side.secret)  # fmt: skip
    return conn_id, placed


def import_under(conn_id: int, placed: list[dict], method: str) -> tuple[OdooClient, dict]:
    odoo = odoo_client(connection(conn_id))
    odoo.write("res.company", [1], {"tax_calculation_rounding_method": method})
    result = run_import(conn_id, copy.deepcopy(placed))
    assert result["failed"] == 0, result["reasons"]
    assert result["imported"] == len(placed)
    return odoo, result


def stored(odoo: OdooClient, refs: list[str]) -> dict[str, dict[str, Any]]:
    rows = odoo.search_read("sale.order", [("client_order_ref", "in", refs)],
                            ["client_order_ref", "amount_total", "amount_tax", "order_line",
                             "invoice_ids", "state"])  # fmt: skip
    return {r["client_order_ref"]: r for r in rows}


@pytest.mark.parametrize("method", METHODS)
def test_each_order_imports_at_magentos_total_and_tax_to_the_cent(shop, method: str):
    conn_id, placed = shop
    odoo, _ = import_under(conn_id, placed, method)
    sos = stored(odoo, [o["increment_id"] for o in placed])
    for o in placed:
        so = sos[o["increment_id"]]
        assert (so["amount_total"], so["amount_tax"]) == (o["grand_total"], o["tax_amount"]), (
            o["increment_id"], method)  # fmt: skip
        assert so["state"] == "sale"
    figures = {o["increment_id"][:9]: o["grand_total"] for o in placed}
    assert figures["000000101"] == 34.96 and figures["000000104"] == 163.56
    assert {o["increment_id"][:9]: o["tax_amount"] for o in placed}["000000103"] == 9.74


def test_per_line_rounding_gaps_are_closed_by_rounding_lines_and_said_in_the_chatter(shop):
    """Under round_per_line Odoo taxes 69.00 + 49.00 at 8.25 % 9.73; Magento charged 9.74.
    The order gets one unit of the +0.01 rounding tax, and a note says what was adjusted."""
    conn_id, placed = shop
    odoo, _ = import_under(conn_id, placed, "round_per_line")
    sos = stored(odoo, [o["increment_id"] for o in placed])
    two = sos[next(o["increment_id"] for o in placed if o["increment_id"].startswith("000000103"))]
    lines = odoo.read("sale.order.line", two["order_line"],
                      ["name", "product_uom_qty", "price_unit", "tax_id"])  # fmt: skip
    rounding = [ln for ln in lines if ln["name"].startswith("Tax rounding (Magento)")]
    assert len(rounding) == 1
    assert (rounding[0]["product_uom_qty"], rounding[0]["price_unit"]) == (1, 0.0)
    (fixed,) = odoo.read("account.tax", rounding[0]["tax_id"], ["amount", "amount_type", "name"])
    assert (fixed["amount_type"], fixed["amount"]) == ("fixed", 0.01)
    assert fixed["name"].endswith("rounding +0.01 (Magento)")
    notes = odoo.search_read("mail.message", [("model", "=", "sale.order"),
                                              ("res_id", "=", two["id"])], ["body"])  # fmt: skip
    assert any("9.73" in n["body"] and "9.74" in n["body"] and "tax +0.01" in n["body"]
               for n in notes)  # fmt: skip


def test_round_globally_needs_no_rounding_line_on_a_tax_excluded_catalog(shop):
    """Odoo's global rounding is one rounding per tax, as Magento's carried remainder is."""
    conn_id, placed = shop
    odoo, _ = import_under(conn_id, placed, "round_globally")
    sos = stored(odoo, [o["increment_id"] for o in placed if o["order_currency_code"] == "USD"])
    line_ids = [i for so in sos.values() for i in so["order_line"]]
    names = [ln["name"] for ln in odoo.read("sale.order.line", line_ids, ["name"])]
    assert not [n for n in names if "(Magento)" in n]


def test_a_tax_included_catalog_uses_the_price_included_tax(shop):
    """The EU order's line carries the price the customer saw (9.99 incl. 21 % VAT)."""
    conn_id, placed = shop
    odoo, _ = import_under(conn_id, placed, "round_per_line")
    eu = next(o for o in placed if o["increment_id"].startswith("000000101"))
    (so,) = stored(odoo, [eu["increment_id"]]).values()
    lines = odoo.read("sale.order.line", so["order_line"], ["price_unit", "tax_id"])
    taxes = {t["id"]: t for t in odoo.read("account.tax", sorted({i for ln in lines
                                                                   for i in ln["tax_id"]}),
                                           ["amount", "price_include"])}  # fmt: skip
    assert sorted(ln["price_unit"] for ln in lines) == [4.99, 9.99]
    assert all(taxes[ln["tax_id"][0]]["price_include"] for ln in lines)
    assert all(taxes[ln["tax_id"][0]]["amount"] == 21 for ln in lines)


def test_a_total_rounding_cannot_explain_is_refused_with_both_amounts(shop):
    conn_id, placed = shop
    odd = copy.deepcopy(next(o for o in placed if o["increment_id"].startswith("000000104")))
    odd["grand_total"] = round(odd["grand_total"] + 0.5, 2)  # a fee Bridge does not see
    odoo = odoo_client(connection(conn_id))
    odoo.write("res.company", [1], {"tax_calculation_rounding_method": "round_per_line"})
    result = run_import(conn_id, [odd])
    reason = result["reasons"][odd["increment_id"]]
    assert "164.06" in reason and "163.58" in reason and "retry this log" in reason
    assert not stored(odoo, [odd["increment_id"]])


def test_an_order_odoo_stores_at_another_total_is_removed_and_refused(shop):
    """The safety net after create (`_finish`): if what Odoo stored is not Magento's total
    (Odoo computed otherwise than predicted), the draft is deleted and unbound and the log
    names both totals. Here the draft is one whose lines lost the shipping line."""
    conn_id, placed = shop
    o = copy.deepcopy(next(o for o in placed if o["increment_id"].startswith("000000104")))
    session = db.session_factory()()
    try:
        conn = session.get(Connection, conn_id)
        page = OrderPage(session, conn, odoo_client(conn))
        [log_id] = order_logs(session, conn_id, [o])
        p = orders_sync._Pending(session.get(SyncLog, log_id), om.order(o), o)
        refs = order_refs.load(session, conn_id, page.odoo, [p.order])
        values = {"partner_id": page.odoo.search("res.partner", [], limit=1)[0],
                  "client_order_ref": p.order.increment_id,
                  "order_line": [(0, 0, {"product_id": refs.products[line.sku],
                                         "price_unit": line.price_unit, "product_uom_qty": 1,
                                         "tax_id": [(6, 0, [refs.taxes_for(p.order)[8.25]])]})
                                 for line in p.order.lines]}  # fmt: skip
        [p.odoo_id] = page.odoo.create("sale.order", [values])
        p.check = om.check_totals(p.order, values, om.OdooRefs(
            0, 0, 0, refs.products, refs.taxes_for(p.order), taxes=refs.tax_details),
            refs.rounding)  # fmt: skip
        orders_sync._bind_order(session, conn_id, p.order, p.odoo_id, None)
        outcome = orders_sync.PageOutcome()
        orders_sync._finish(page, [p], outcome, resumed=set())
        session.commit()
        reason = outcome.failed[p.order.increment_id]
        assert "stored a total of 158.58" in reason and "grand_total is 163.56" in reason
        assert not page.odoo.search("sale.order", [("id", "=", p.odoo_id)])
        assert not bindings.by_keys(session, conn_id, "order", [p.order.increment_id])
        assert session.get(SyncLog, log_id).state is LogState.FAILED
    finally:
        session.close()


@pytest.mark.parametrize("method", METHODS)
def test_card_orders_are_invoiced_and_paid_at_magentos_total(shop, method: str):
    """Paid at checkout: the posted invoice (rounding lines included) and the payment are
    Magento's grand_total to the cent too."""
    conn_id, placed = shop
    card = copy.deepcopy(placed)
    for o in card:
        o["payment"]["method"] = "braintree"
    odoo, _ = import_under(conn_id, card, method)
    sos = stored(odoo, [o["increment_id"] for o in card])
    for o in card:
        (invoice,) = odoo.read("account.move", sos[o["increment_id"]]["invoice_ids"],
                               ["amount_total", "amount_tax", "payment_state"])  # fmt: skip
        assert (invoice["amount_total"], invoice["amount_tax"]) == (
            o["grand_total"], o["tax_amount"]), (o["increment_id"], method)  # fmt: skip
        assert invoice["payment_state"] in ("paid", "in_payment")
