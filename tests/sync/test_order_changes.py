"""Orders changed in Magento after import (bridge/sync/orders/changes.py): held and
released, addresses edited, items changed, what a pull keeps, a second connection.
Against the Odoo sandbox and, with BRIDGE_TEST_ODOO_* set, a real Odoo 18 (the order's
increment id made unique per run there: a real database keeps earlier runs' orders)."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from bridge import db
from bridge.models import Connection, SyncLog
from bridge.sync import bindings
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.orders.changes import HOLD_SUMMARY, worth_a_log
from bridge.sync.setup import IMPORTS, SetupContext
from tests import odoo_fixtures
from tests.conftest import prepare_shop, register_connection
from tests.odoo_fixtures import OdooSide, odoo_sides
from tests.sync.test_orders import connection, magento_orders, run_import

SEEDED = "000000014"


@pytest.fixture(params=odoo_sides())
def odoo_side(request: pytest.FixtureRequest) -> Iterator[OdooSide]:
    yield from odoo_fixtures.odoo_side(request)


@pytest.fixture
def shop(state_db: str, magento_sandbox: Any, odoo_side: OdooSide) -> int:
    return prepare_shop(magento_sandbox, odoo_side, odoo_db=odoo_side.db,
                        odoo_secret=odoo_side.secret)  # fmt: skip


@pytest.fixture
def ref(odoo_side: OdooSide) -> str:
    """The order's increment id in this run."""
    return f"{SEEDED}-{uuid.uuid4().hex[:6]}" if odoo_side.real else SEEDED


def the_order(conn_id: int, ref: str = SEEDED) -> dict[str, Any]:
    order = next(o for o in magento_orders(conn_id) if o["increment_id"] == SEEDED)
    return dict(order, increment_id=ref)


def held(order: dict[str, Any]) -> dict[str, Any]:
    """What Magento's OrderManagement::hold leaves on an order."""
    return dict(order, state="holded", status="holded", hold_before_state=order["state"],
                hold_before_status=order["status"], updated_at="2026-10-08 09:00:00")  # fmt: skip


def sale_order(odoo: Any, ref: str) -> dict[str, Any]:
    [so] = odoo.search_read("sale.order", [("client_order_ref", "=", ref)],
                            ["picking_ids", "partner_shipping_id", "state"])  # fmt: skip
    return so


def hold_activities(odoo: Any, picking_ids: list[int]) -> list[dict[str, Any]]:
    domain = [("res_model", "=", "stock.picking"), ("res_id", "in", picking_ids),
              ("summary", "=", HOLD_SUMMARY)]  # fmt: skip
    return odoo.search_read("mail.activity", domain, ["res_id"])


def summary(conn_id: int, ref: str) -> str:
    with db.session_scope() as s:
        log = s.query(SyncLog).filter_by(connection_id=conn_id, key=ref).order_by(
            SyncLog.id.desc()).first()  # fmt: skip
        assert log is not None and log.result is not None
        return str(log.result["summary"])


def notes(odoo: Any, so_id: int) -> list[str]:
    found = odoo.search_read("mail.message", [("model", "=", "sale.order"), ("res_id", "=", so_id)],
                             ["body"])  # fmt: skip
    return [m["body"] for m in found]


def test_a_hold_after_import_asks_not_to_ship_and_a_release_lifts_it(shop: int, ref: str):
    order = the_order(shop, ref)
    assert run_import(shop, [order])["imported"] == 1
    odoo = odoo_client(connection(shop))
    so = sale_order(odoo, ref)
    assert so["picking_ids"]

    result = run_import(shop, [held(order)])
    assert result["updated"] == 1, result
    assert [a["res_id"] for a in hold_activities(odoo, so["picking_ids"])] == so["picking_ids"]
    assert any("On hold in Magento" in body for body in notes(odoo, so["id"]))
    assert run_import(shop, [held(order)])["skipped"] == 1  # held already: nothing twice
    assert len(hold_activities(odoo, so["picking_ids"])) == 1

    released = dict(order, state="processing", status="processing",
                    updated_at="2026-10-09 09:00:00")  # fmt: skip
    result = run_import(shop, [released])
    assert result["updated"] == 1, result
    assert hold_activities(odoo, so["picking_ids"]) == []
    assert any("Released from hold" in body for body in notes(odoo, so["id"]))
    with db.session_scope() as s:
        assert not bindings.by_keys(s, shop, "hold", [ref])


def test_an_order_held_before_import_waits_for_its_release(shop: int, ref: str):
    order = the_order(shop, ref)
    result = run_import(shop, [held(order)])
    assert (result["imported"], result["skipped"]) == (0, 1)
    assert summary(shop, ref) == "on hold in Magento: imported when it is released"
    odoo = odoo_client(connection(shop))
    assert not odoo.search("sale.order", [("client_order_ref", "=", ref)])
    assert run_import(shop, [dict(order, state="processing")])["imported"] == 1


def test_a_delivery_address_edited_in_magento_follows_until_shipped(shop: int, ref: str):
    order = the_order(shop, ref)
    run_import(shop, [order])
    odoo = odoo_client(connection(shop))
    before = sale_order(odoo, ref)
    edited = copy.deepcopy(order)
    shipping = edited["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"]
    shipping.update(street=["77 New Street"], customer_address_id=None)
    result = run_import(shop, [edited])
    assert result["updated"] == 1, result
    after = sale_order(odoo, ref)
    assert after["partner_shipping_id"][0] != before["partner_shipping_id"][0]
    (contact,) = odoo.read("res.partner", [after["partner_shipping_id"][0]], ["street", "type"])
    assert (contact["street"], contact["type"]) == ("77 New Street", "delivery")
    pickings = odoo.read("stock.picking", after["picking_ids"], ["partner_id", "state"])
    assert {p["partner_id"][0] for p in pickings if p["state"] != "done"} == {contact["id"]}


def test_items_changed_after_import_are_refused_once_and_told_in_odoo(shop: int, ref: str):
    order = the_order(shop, ref)
    run_import(shop, [order])
    changed = copy.deepcopy(order)
    changed["items"][0]["qty_ordered"] = 2
    changed["grand_total"] = 333.33
    result = run_import(shop, [changed])
    reason = result["reasons"][ref]
    assert "changed after import" in reason and "333.33" in reason
    odoo = odoo_client(connection(shop))
    assert any("changed after import" in body for body in notes(odoo, sale_order(odoo, ref)["id"]))
    again = run_import(shop, [changed])
    assert again["failed"] == 0 and again["skipped"] == 1  # told once per change


def test_a_pull_keeps_the_orders_in_its_states_and_every_imported_one(
    state_db: str, magento_sandbox: Any, odoo_sandbox: Any
):
    shop = prepare_shop(magento_sandbox, odoo_sandbox)
    orders = magento_orders(shop)
    by_ref = {o["increment_id"]: o for o in orders}
    run_import(shop, [by_ref[SEEDED]])
    page = [held(by_ref[SEEDED]), held(by_ref["000000019"]),
            dict(by_ref["000000021"], state="complete"), by_ref["000000015"]]  # fmt: skip
    with db.session_scope() as s:
        conn = s.get(Connection, shop)
        assert conn is not None
        kept = [o["increment_id"] for o in worth_a_log(s, conn, page)]
    # The imported order is kept held; an unimported held or completed order is not.
    assert kept == [SEEDED, "000000015"]


def test_a_second_connection_binds_the_order_odoo_has_and_says_so(
    shop: int, ref: str, magento_sandbox: Any, odoo_side: OdooSide
):
    order = the_order(shop, ref)
    run_import(shop, [order])
    other = register_connection(magento_sandbox, odoo_side, name="second", odoo_db=odoo_side.db,
                                odoo_secret=odoo_side.secret)  # fmt: skip
    with db.session_scope() as s:
        conn = s.get(Connection, other)
        for run in IMPORTS.values():
            run(SetupContext(s, conn, magento_client(conn), odoo_client(conn)))
    result = run_import(other, [order])
    assert (result["imported"], result["bound"]) == (1, 1), result
    odoo = odoo_client(connection(shop))
    so = sale_order(odoo, ref)
    assert summary(other, ref) == (
        f"bound to sale.order {so['id']}, which Odoo already had (client_order_ref {ref}): "
        "not created again"
    )
    assert len(odoo.search("sale.order", [("client_order_ref", "=", ref)])) == 1
