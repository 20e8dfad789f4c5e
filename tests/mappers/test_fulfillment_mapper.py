"""Fulfillment mappers on the seed's orders: which item each SKU ships, invoices, refunds.

Orders 000000013-1 and 000000014 (`sandbox.magento.seed.luma`) sell the hoodie
MH09-XS-Blue through its configurable parent and the dress RACER as a simple item, the
two shapes Magento's shipment, invoice and credit memo calls must address by item id.

The outside evidence (`tests.evidence`, marked `evidence`): the shipment body equals the
one OCA's connector-magento recorded against a real Magento 2.3.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bridge.mappers import fulfillment as fm
from bridge.mappers.errors import MappingError
from sandbox.magento.seed import luma
from tests import evidence


@pytest.fixture
def configurable_order() -> dict[str, Any]:
    return luma.order("000000013-1")


@pytest.fixture
def order_14() -> dict[str, Any]:
    return luma.order("000000014")


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


def test_allocate_partial_then_the_rest_and_never_beyond(order_14):
    # The items Magento ships: the hoodie's configurable parent and the simple dress.
    tops = {i["sku"]: i for i in order_14["items"] if not i.get("parent_item_id")}
    first, second = tops["MH09-XS-Blue"], tops["RACER"]
    assert first["product_type"] == "configurable"
    rooms = fm.actionable_items(order_14, "qty_shipped")
    part = fm.allocate(rooms, {first["sku"]: 1}, "delivery")
    assert part == [{"order_item_id": first["item_id"], "qty": 1}]
    shipped = json.loads(json.dumps(order_14))
    next(i for i in shipped["items"] if i["item_id"] == first["item_id"])["qty_shipped"] = 1
    left = fm.actionable_items(shipped, "qty_shipped")
    rest = fm.allocate(left, {second["sku"]: second["qty_ordered"]}, "delivery")
    assert rest == [{"order_item_id": second["item_id"], "qty": second["qty_ordered"]}]
    with pytest.raises(MappingError, match="more than Magento has left"):
        fm.allocate(left, {first["sku"]: first["qty_ordered"]}, "delivery")
    with pytest.raises(MappingError, match="SKU NOPE of this delivery is not on the Magento order"):
        fm.allocate(rooms, {"NOPE": 1}, "delivery")


def test_bodies_carry_the_allocated_items_and_tracking(order_14):
    items = fm.allocate(fm.actionable_items(order_14, "qty_shipped"), {"RACER": 1.0}, "delivery")
    body = fm.ship_body(items, None, "tablerate", "Best Way")
    assert body == {"items": [{"order_item_id": 25, "qty": 1.0}], "notify": False}
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


@pytest.mark.evidence
def test_the_ship_body_matches_the_recorded_call():
    call = evidence.recordings_dir() / "test_export_picking_partial" / "00_post_order_12_ship.json"
    recorded_call = json.loads(call.read_text())["request"]["body"]
    body = fm.ship_body([{"order_item_id": 24, "qty": 1.0}], None, "tablerate", "Best Way")
    as_recorded = [
        {"order_item_id": int(i["order_item_id"]), "qty": i["qty"]} for i in recorded_call["items"]
    ]
    assert as_recorded == body["items"]


def test_same_items_ignores_order_and_zero_lines():
    a = [{"order_item_id": 1, "qty": 2}, {"order_item_id": 2, "qty": 0}]
    b = [{"order_item_id": "1", "qty": 2.0}]
    assert fm.same_items(a, b)
    assert not fm.same_items(a, [{"order_item_id": 1, "qty": 1}])
