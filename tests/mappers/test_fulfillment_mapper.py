"""Fulfillment mappers on recorded Magento orders: which item each SKU ships, invoices, refunds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bridge.mappers import fulfillment as fm
from bridge.mappers.errors import MappingError

EXTRACTED = Path(__file__).resolve().parents[2].parent / (
    "shared/fixtures/magento/oca-connector-magento-12.0/extracted"
)


def recorded(cassette: str, name: str) -> dict[str, Any]:
    return json.loads((EXTRACTED / cassette / name).read_text())["response"]


@pytest.fixture
def configurable_order() -> dict[str, Any]:
    return recorded("import_sale_order_10", "00_get_orders_10.json")  # 000000013-1


@pytest.fixture
def simple_order() -> dict[str, Any]:
    return recorded("import_sale_order_11", "00_get_orders_11.json")  # 000000014


def test_a_configurable_ships_through_its_parent_item(configurable_order):
    items = {i["item_id"]: i for i in configurable_order["items"]}
    rooms = fm.actionable_items(configurable_order, "qty_shipped")
    child = next(i for i in configurable_order["items"] if i.get("parent_item_id"))
    parent = items[child["parent_item_id"]]
    assert parent["product_type"] == "configurable"
    room = next(r for r in rooms if r.sku == child["sku"])
    assert room.item_id == parent["item_id"]
    assert room.left == parent["qty_ordered"]
    assert all(r.item_id != child["item_id"] for r in rooms)


def test_allocate_partial_then_the_rest_and_never_beyond(simple_order):
    first, second = simple_order["items"][:2]
    rooms = fm.actionable_items(simple_order, "qty_shipped")
    part = fm.allocate(rooms, {first["sku"]: 1}, "delivery")
    assert part == [{"order_item_id": first["item_id"], "qty": 1}]
    shipped = json.loads(json.dumps(simple_order))
    shipped["items"][0]["qty_shipped"] = 1
    left = fm.actionable_items(shipped, "qty_shipped")
    rest = fm.allocate(left, {second["sku"]: second["qty_ordered"]}, "delivery")
    assert rest == [{"order_item_id": second["item_id"], "qty": second["qty_ordered"]}]
    with pytest.raises(MappingError, match="more than Magento has left"):
        fm.allocate(left, {first["sku"]: first["qty_ordered"]}, "delivery")
    with pytest.raises(MappingError, match="SKU NOPE of this delivery is not on the Magento order"):
        fm.allocate(rooms, {"NOPE": 1}, "delivery")


def test_bodies_match_the_recorded_calls_and_carry_tracking():
    call = EXTRACTED / "test_export_picking_partial" / "00_post_order_12_ship.json"
    recorded_call = json.loads(call.read_text())["request"]["body"]
    body = fm.ship_body([{"order_item_id": 24, "qty": 1.0}], None, "tablerate", "Best Way")
    as_recorded = [
        {"order_item_id": int(i["order_item_id"]), "qty": i["qty"]} for i in recorded_call["items"]
    ]
    assert as_recorded == body["items"]
    tracked = fm.ship_body(body["items"], "1Z999, 1Z998", "ups", "UPS")
    assert tracked["tracks"] == [
        {"track_number": "1Z999", "title": "UPS", "carrier_code": "ups"},
        {"track_number": "1Z998", "title": "UPS", "carrier_code": "ups"},
    ]
    assert fm.invoice_body(body["items"])["capture"] is False
    refund = fm.refund_body(body["items"], shipping_amount=5, adjustment=-2.5, online=True)
    assert refund["arguments"] == {"shipping_amount": 5, "adjustment_negative": 2.5}
    assert refund["isOnline"] is True
    assert "isOnline" not in fm.refund_body([], shipping_amount=0, adjustment=1, online=False)


def test_same_items_ignores_order_and_zero_lines():
    a = [{"order_item_id": 1, "qty": 2}, {"order_item_id": 2, "qty": 0}]
    b = [{"order_item_id": "1", "qty": 2.0}]
    assert fm.same_items(a, b)
    assert not fm.same_items(a, [{"order_item_id": 1, "qty": 1}])
