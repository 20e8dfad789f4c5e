"""The Magento sandbox's fulfillment: ship, invoice, cancel, refund, their rules, over real HTTP.

Orders are seeded ones (`sandbox.magento.seed.luma.orders`): 000000014 (entity 11: the
configurable MH09-XS-Blue as parent item 23 with its child 24, simple 25 RACER; a 20 %
rule with free shipping, check/money order, grand total 253.74: 59.75 + 193.99) and
000000013-1 (entity 10: configurable parent 20 with child 21, simple 22 RACER, shipping 5).
A configurable is shipped, invoiced and refunded by its parent item; the child is a dummy
that follows it. Refusals are checked on Magento's raw body (`details`), which keeps the
newlines of a DocumentValidationException.
"""

from __future__ import annotations

import copy

import pytest
import requests

from bridge.clients.errors import NotFoundError, RetryableError, ValidationError
from bridge.clients.magento import MagentoClient
from bridge.clients.magento_search import SearchCriteria
from tests import magento_fixtures
from tests.magento_fixtures import admin, client

magento_server = magento_fixtures.magento_server
magento = magento_fixtures.magento

ORDER = 11  # 000000014
CONFIGURABLE_ORDER = 10  # 000000013-1
#: The card orders 000000021 and 000000022, invoiced at checkout: the seed's only documents.
PAID_AT_CHECKOUT = (18, 19)


@pytest.fixture
def m2(magento) -> MagentoClient:
    return client(magento)


def items(m2: MagentoClient, order_id: int) -> dict[int, dict]:
    return {i["item_id"]: i for i in m2.get(f"orders/{order_id}")["items"]}


def refusal(call, *args) -> str:
    with pytest.raises(ValidationError) as caught:
        call(*args)
    assert caught.value.status == 400
    return caught.value.details["message"]


def card_order(magento, entity_id: int = 31) -> int:
    """Order 000000014 again, paid by card (Braintree): a method that refunds online."""
    order = copy.deepcopy(admin(magento, "GET", f"records/orders/{ORDER}"))
    order.update(entity_id=entity_id, increment_id=f"0000000{entity_id}")
    order["payment"].update(method="braintree")
    for item in order["items"]:
        item["order_id"] = entity_id
    admin(magento, "POST", "records/orders", order)
    return entity_id


# -- ship ----------------------------------------------------------------------------------------


def test_partial_shipment_then_the_rest(m2):
    first = m2.post(
        f"order/{ORDER}/ship",
        {
            "items": [{"order_item_id": 23, "qty": 1}],
            "tracks": [{"track_number": "1Z999", "title": "UPS", "carrier_code": "ups"}],
        },
    )
    assert first == "1"  # Magento answers the id as a JSON string (recorded: "5")
    order = m2.get(f"orders/{ORDER}")
    assert (order["state"], order["status"]) == ("processing", "processing")
    # The configurable's child (24) is a dummy: the shipment counts on its parent (23).
    assert {i["item_id"]: i["qty_shipped"] for i in order["items"]} == {23: 1, 24: 0, 25: 0}

    second = m2.post(f"order/{ORDER}/ship", {"items": [{"order_item_id": 25, "qty": 1}]})
    assert second == "2"
    assert {k: i["qty_shipped"] for k, i in items(m2, ORDER).items()} == {23: 1, 24: 0, 25: 1}
    # Shipped but not invoiced: still processing, as Magento's state handler leaves it.
    assert m2.get(f"orders/{ORDER}")["state"] == "processing"

    shipment = m2.get("shipment/1")
    assert shipment["order_id"] == ORDER and shipment["increment_id"] == "000000001"
    assert [(i["order_item_id"], i["qty"], i["sku"]) for i in shipment["items"]] == [
        (23, 1, "MH09-XS-Blue")
    ]
    assert [(t["track_number"], t["carrier_code"], t["parent_id"]) for t in shipment["tracks"]] == [
        ("1Z999", "ups", 1)
    ]


def test_a_shipment_takes_its_quantities_off_the_default_source(magento, m2):
    sku = "MH09-XS-Blue"
    admin(
        magento,
        "POST",
        "records/source_items",
        {
            "key": f"{sku}\x00default",
            "sku": sku,
            "source_code": "default",
            "quantity": 5,
            "status": 1,
        },
    )
    m2.post(f"order/{ORDER}/ship", {"items": [{"order_item_id": 23, "qty": 1}]})
    source = admin(magento, "GET", f"records/source_items/{sku}%00default")
    assert source["quantity"] == 4
    assert m2.get(f"stockItems/{sku}")["qty"] == 4  # the legacy stock item follows


def test_without_msi_a_shipment_leaves_the_stock_alone(magento, m2):
    sku = "MH09-XS-Blue"
    admin(
        magento,
        "POST",
        "records/source_items",
        {
            "key": f"{sku}\x00default",
            "sku": sku,
            "source_code": "default",
            "quantity": 5,
            "status": 1,
        },
    )
    admin(magento, "POST", "msi", {"enabled": False})
    m2.post(f"order/{ORDER}/ship", {"items": [{"order_item_id": 23, "qty": 1}]})
    assert admin(magento, "GET", f"records/source_items/{sku}%00default")["quantity"] == 5


def test_ship_without_items_ships_everything_left(m2):
    m2.post(f"order/{ORDER}/ship", {"items": [{"order_item_id": "23", "qty": "1.0"}]})  # recorded
    shipment_id = m2.post(f"order/{ORDER}/ship", {})
    shipment = m2.get(f"shipment/{shipment_id}")
    assert [(i["order_item_id"], i["qty"]) for i in shipment["items"]] == [(25, 1)]


def test_ship_more_than_left_is_clamped_and_nothing_left_is_refused(m2):
    # ShipmentFactory::prepareItems takes min(asked, left): 5 of 1 ships 1, no error.
    shipment_id = m2.post(f"order/{ORDER}/ship", {"items": [{"order_item_id": 23, "qty": 5}]})
    assert m2.get(f"shipment/{shipment_id}")["items"][0]["qty"] == 1
    # Nothing left of item 23: it is left out, and an empty shipment is refused.
    assert refusal(
        m2.post, f"order/{ORDER}/ship", {"items": [{"order_item_id": 23, "qty": 1}]}
    ) == ("Shipment Document Validation Error(s):\nYou can't create a shipment without products.")
    m2.post(f"order/{ORDER}/ship", {})
    assert refusal(
        m2.post, f"order/{ORDER}/ship", {"items": [{"order_item_id": 25, "qty": 1}]}
    ) == (
        "Shipment Document Validation Error(s):\n"
        "The order does not allow a shipment to be created.\n"
        "You can't create a shipment without products."
    )
    assert {k: i["qty_shipped"] for k, i in items(m2, ORDER).items()} == {23: 1, 24: 0, 25: 1}
    assert m2.get("shipments", {"searchCriteria": ""})["total_count"] == 2


def test_ship_on_canceled_order_is_refused(m2):
    assert m2.post(f"orders/{ORDER}/cancel", None) is True
    message = refusal(m2.post, f"order/{ORDER}/ship", {"items": [{"order_item_id": 23, "qty": 1}]})
    assert message == (
        "Shipment Document Validation Error(s):\n"
        "A shipment cannot be created when an order has a status of canceled\n"
        "You can't create a shipment without products."
    )
    # The seeded canceled order 000000013 (entity 9) too.
    message = refusal(m2.post, "order/9/ship", {})
    assert message.startswith("Shipment Document Validation Error(s):\nA shipment cannot")
    assert m2.get("shipments", {"searchCriteria": ""})["total_count"] == 0


def test_ship_unknown_order_is_404(m2):
    """`ShipOrder` loads the order first: `OrderRepository::get`'s NoSuchEntityException, whose
    empty parameters `Webapi\\Rest\\Response::_renderMessages` leaves out of the body."""
    with pytest.raises(NotFoundError) as caught:
        m2.post("order/999/ship", {"items": [{"order_item_id": 23, "qty": 1}]})
    assert caught.value.details == {
        "message": "The entity that was requested doesn't exist. Verify the entity and try again.",
    }


def test_configurable_ships_by_parent_item(m2):
    # The child (21) alone ships nothing: it is a dummy that follows its parent (20).
    assert refusal(
        m2.post, f"order/{CONFIGURABLE_ORDER}/ship", {"items": [{"order_item_id": 21, "qty": 1}]}
    ) == ("Shipment Document Validation Error(s):\nYou can't create a shipment without products.")
    shipment_id = m2.post(
        f"order/{CONFIGURABLE_ORDER}/ship", {"items": [{"order_item_id": 20, "qty": 1}]}
    )
    shipment = m2.get(f"shipment/{shipment_id}")
    assert [(i["order_item_id"], i["sku"], i["qty"]) for i in shipment["items"]] == [
        (20, "MH09-XS-Blue", 1)
    ]
    found = items(m2, CONFIGURABLE_ORDER)
    assert (found[20]["qty_shipped"], found[21]["qty_shipped"], found[22]["qty_shipped"]) == (
        1,
        0,
        0,
    )


def test_tracks_are_added_to_a_shipment_of_the_order(m2):
    shipment_id = int(m2.post(f"order/{ORDER}/ship", {}))
    recorded = {  # test_export_tracking_number, with this shipment's ids
        "entity": {
            "order_id": str(ORDER),
            "parent_id": str(shipment_id),
            "weight": 0,
            "qty": 1,
            "description": "WH/OUT/00082",
            "track_number": "XYZ",
            "title": "Your shipment",
            "carrier_code": "tablerate",
        }
    }
    track = m2.post("shipment/track", recorded)
    assert track["order_id"] == ORDER and track["parent_id"] == shipment_id
    assert (track["track_number"], track["carrier_code"]) == ("XYZ", "tablerate")
    assert [t["track_number"] for t in m2.get(f"shipment/{shipment_id}")["tracks"]] == ["XYZ"]
    wrong = copy.deepcopy(recorded)
    wrong["entity"]["order_id"] = "12"
    assert refusal(m2.post, "shipment/track", wrong) == "Could not save the shipment tracking."


# -- invoice -------------------------------------------------------------------------------------


def test_invoice_everything_then_again_is_refused(m2):
    invoice_id = m2.post(f"order/{ORDER}/invoice", {"capture": False, "notify": False})
    invoice = m2.get(f"invoices/{invoice_id}")
    assert invoice["grand_total"] == 253.74 and invoice["state"] == 2  # checkmo: paid
    # The child (24) is invoiced with its parent, at no price of its own.
    assert [(i["order_item_id"], i["qty"]) for i in invoice["items"]] == [(23, 1), (24, 1), (25, 1)]
    order = m2.get(f"orders/{ORDER}")
    assert (order["state"], order["total_invoiced"], order["total_paid"]) == (
        "processing",
        253.74,
        253.74,
    )
    assert order["total_due"] == 0
    assert refusal(m2.post, f"order/{ORDER}/invoice", {"capture": False}) == (
        "Invoice Document Validation Error(s):\n"
        "The order does not allow an invoice to be created.\n"
        "You can't create an invoice without products."
    )


def test_invoice_beyond_the_uninvoiced_quantity_is_refused(m2):
    body = {"items": [{"orderItemId": "23", "qty": 1.0}], "capture": False}  # as recorded
    m2.post(f"order/{ORDER}/invoice", body)
    over = {"items": [{"order_item_id": 25, "qty": 2}]}
    assert refusal(m2.post, f"order/{ORDER}/invoice", over) == (
        "Invoice Document Validation Error(s):\n"
        "The quantity to invoice must not be greater than the uninvoiced quantity"
        ' for product SKU "RACER".'
    )
    assert {k: i["qty_invoiced"] for k, i in items(m2, ORDER).items()} == {23: 1, 24: 1, 25: 0}
    m2.post(f"order/{ORDER}/invoice", {"items": [{"order_item_id": 25, "qty": 1}]})
    assert m2.get(f"orders/{ORDER}")["total_invoiced"] == 253.74  # no rounding left behind


def test_invoice_on_canceled_order_is_refused(m2):
    assert m2.post(f"orders/{ORDER}/cancel", None) is True
    assert refusal(m2.post, f"order/{ORDER}/invoice", {}) == (
        "Invoice Document Validation Error(s):\n"
        "An invoice cannot be created when an order has a status of canceled\n"
        "You can't create an invoice without products."
    )


def test_shipped_and_invoiced_is_complete(m2):
    m2.post(f"order/{ORDER}/ship", {})
    m2.post(f"order/{ORDER}/invoice", {})
    order = m2.get(f"orders/{ORDER}")
    assert (order["state"], order["status"]) == ("complete", "complete")


# -- cancel --------------------------------------------------------------------------------------


def test_cancel_sets_canceled_and_qty_canceled(m2):
    assert m2.post(f"orders/{ORDER}/cancel", None) is True
    order = m2.get(f"orders/{ORDER}")
    assert (order["state"], order["status"]) == ("canceled", "canceled")
    # Item::getQtyToCancel is min(to invoice, to ship); the dummy child ships nothing: 0.
    assert {i["item_id"]: i["qty_canceled"] for i in order["items"]} == {23: 1, 24: 0, 25: 1}
    assert order["total_canceled"] == 253.74
    assert m2.post(f"orders/{ORDER}/cancel", None) is False  # already canceled


def test_cancel_after_complete_shipment_returns_false_and_keeps_the_state(m2):
    m2.post(f"order/{ORDER}/ship", {})
    m2.post(f"order/{ORDER}/invoice", {})
    assert m2.post(f"orders/{ORDER}/cancel", None) is False
    order = m2.get(f"orders/{ORDER}")
    assert (order["state"], order["status"]) == ("complete", "complete")
    assert all(i["qty_canceled"] == 0 for i in order["items"])


def test_cancel_of_a_shipped_but_uninvoiced_order_succeeds_as_in_magento(m2):
    """Order::canCancel looks at invoicing, not shipping: Bridge must refuse this itself."""
    m2.post(f"order/{ORDER}/ship", {})
    assert m2.post(f"orders/{ORDER}/cancel", None) is True
    order = m2.get(f"orders/{ORDER}")
    assert order["state"] == "canceled"
    assert {i["item_id"]: i["qty_canceled"] for i in order["items"]} == {23: 0, 24: 0, 25: 0}


def test_cancel_of_a_fully_invoiced_order_returns_false(m2):
    m2.post(f"order/{ORDER}/invoice", {})
    assert m2.post(f"orders/{ORDER}/cancel", None) is False
    assert m2.get(f"orders/{ORDER}")["state"] == "processing"


def test_cancel_unknown_order_is_404(m2):
    with pytest.raises(NotFoundError):
        m2.post("orders/999/cancel", None)


# -- refund --------------------------------------------------------------------------------------


def test_online_refund_of_part_of_an_invoice_then_beyond_is_refused(magento, m2):
    order_id = card_order(magento)
    invoice_id = m2.post(f"order/{order_id}/invoice", {"capture": True})
    body = {
        "items": [{"order_item_id": 23, "qty": 1}, {"order_item_id": 25, "qty": 0}],
        "isOnline": True,
        "notify": True,
        "arguments": {"shipping_amount": 0, "adjustment_positive": 0, "adjustment_negative": 0},
    }
    memo_id = m2.post(f"invoice/{invoice_id}/refund", body)
    memo = m2.get(f"creditmemo/{memo_id}")
    # The child (24) follows its parent; RACER's qty 0 is skipped.
    assert [(i["order_item_id"], i["qty"]) for i in memo["items"]] == [(23, 1), (24, 1)]
    assert (memo["invoice_id"], memo["grand_total"], memo["state"]) == (int(invoice_id), 59.75, 2)
    order = m2.get(f"orders/{order_id}")
    assert (order["total_refunded"], order["total_online_refunded"]) == (59.75, 59.75)
    assert {i["item_id"]: i["qty_refunded"] for i in order["items"]} == {23: 1, 24: 1, 25: 0}
    assert order["state"] == "processing"

    again = {"items": [{"order_item_id": 23, "qty": 1}], "isOnline": True}
    assert refusal(m2.post, f"invoice/{invoice_id}/refund", again) == (
        "Creditmemo Document Validation Error(s):\n"
        "The credit memo's total must be positive.\n"
        "The quantity to refund must not be greater than the unrefunded quantity."
    )
    more_money = {
        "items": [{"order_item_id": 25, "qty": 1}],
        "arguments": {"adjustment_positive": 100},
    }
    assert refusal(m2.post, f"invoice/{invoice_id}/refund", more_money) == (
        "Creditmemo Document Validation Error(s):\nThe most money available to refund is 193.99."
    )
    rest = m2.post(f"invoice/{invoice_id}/refund", {"items": [{"order_item_id": 25, "qty": 1}]})
    assert m2.get(f"creditmemo/{rest}")["grand_total"] == 193.99
    order = m2.get(f"orders/{order_id}")
    assert (order["state"], order["total_refunded"]) == ("closed", 253.74)  # all paid refunded


def test_offline_refund_without_invoice_is_refused(m2):
    body = {"items": [{"order_item_id": 23, "qty": 1}], "notify": True}
    assert refusal(m2.post, f"order/{ORDER}/refund", body) == (
        "Creditmemo Document Validation Error(s):\n"
        "The order does not allow a creditmemo to be created.\n"
        "The quantity to creditmemo must not be greater than the unrefunded quantity"
        ' for product SKU "MH09-XS-Blue".\n'
        # Credit memo lines are worth what was invoiced (Creditmemo\Item::calcRowTotal): 0.
        "The credit memo's total must be positive.\n"
        "The quantity to refund must not be greater than the unrefunded quantity."
    )
    assert m2.get("creditmemos", {"searchCriteria": ""})["total_count"] == 0


def test_offline_refund_of_an_invoiced_order(m2):
    m2.post(f"order/{ORDER}/invoice", {})
    tutorial = {  # tutorials-orders__order-issue-refund__00, for this order's item
        "items": [{"order_item_id": 25, "qty": 1}],
        "notify": True,
        "arguments": {
            "shipping_amount": 0,
            "adjustment_positive": 0,
            "adjustment_negative": 0,
            "extension_attributes": {"return_to_stock_items": [25]},
        },
    }
    memo_id = m2.post(f"order/{ORDER}/refund", tutorial)
    memo = m2.get(f"creditmemo/{memo_id}")
    assert "invoice_id" not in memo and memo["grand_total"] == 193.99
    order = m2.get(f"orders/{ORDER}")
    assert (order["total_offline_refunded"], order["state"]) == (193.99, "processing")
    too_much = {"items": [], "arguments": {"shipping_amount": 1}}
    with pytest.raises(ValidationError) as caught:
        m2.post(f"order/{ORDER}/refund", too_much)
    assert caught.value.details == {
        "message": "Maximum shipping amount allowed to refund is: %1",
        "parameters": ["$0.00"],
    }
    assert "Maximum shipping amount allowed to refund is: $0.00" in str(caught.value)


def test_invoice_refund_of_an_offline_method_is_refused(m2):
    invoice_id = m2.post(f"order/{ORDER}/invoice", {})
    message = refusal(m2.post, f"invoice/{invoice_id}/refund", {"items": [], "isOnline": False})
    assert message == (
        "Creditmemo Document Validation Error(s):\nWe can't create creditmemo for the invoice."
    )


def test_refund_unknown_invoice_is_404(m2):
    with pytest.raises(NotFoundError):
        m2.post("invoice/999/refund", {"items": []})


# -- read side -----------------------------------------------------------------------------------


def test_lists_filter_by_order_id(magento, m2):
    other = card_order(magento, 32)
    for order_id in (ORDER, other):
        m2.post(f"order/{order_id}/ship", {"items": [{"order_item_id": 23, "qty": 1}]})
        m2.post(f"order/{order_id}/invoice", {"capture": True})
    m2.post(f"order/{ORDER}/refund", {"items": [{"order_item_id": 23, "qty": 1}]})
    m2.post(f"order/{other}/refund", {"items": [{"order_item_id": 25, "qty": 1}]})
    params = {
        "searchCriteria[filter_groups][0][filters][0][field]": "order_id",
        "searchCriteria[filter_groups][0][filters][0][value]": str(ORDER),
        "searchCriteria[filter_groups][0][filters][0][condition_type]": "eq",
    }
    for path, seeded in (("shipments", ()), ("invoices", PAID_AT_CHECKOUT), ("creditmemos", ())):
        found = m2.get(path, params)
        assert found["total_count"] == 1, path
        assert [d["order_id"] for d in found["items"]] == [ORDER], path
        everything = list(m2.iter_records(path, SearchCriteria()))
        assert sorted(d["order_id"] for d in everything) == sorted([ORDER, other, *seeded]), path
    criteria = SearchCriteria().where("order_id", other)
    memo = next(m2.iter_records("creditmemos", criteria))
    assert [(i["order_item_id"], i["qty"]) for i in memo["items"]] == [(25, 1)]


def test_documents_need_search_criteria_and_exist(m2):
    with pytest.raises(ValidationError):
        m2.get("shipments")
    for path in ("shipment/77", "invoices/77", "creditmemo/77"):
        with pytest.raises(NotFoundError):
            m2.get(path)


# -- crash hook ----------------------------------------------------------------------------------


def test_drop_after_commit_commits_then_drops(magento, m2):
    armed = admin(magento, "POST", "drop-after-commit", {"path_contains": "/ship", "count": 1})
    assert armed == {"rules": [{"path_contains": "/ship", "count": 1}], "dropped": 0}
    body = {"items": [{"order_item_id": 23, "qty": 1}]}
    with pytest.raises(RetryableError):
        m2.post(f"order/{ORDER}/ship", body)
    # The write happened: Magento has the shipment although the caller never heard of it.
    shipments = m2.get(
        "shipments",
        {
            "searchCriteria[filter_groups][0][filters][0][field]": "order_id",
            "searchCriteria[filter_groups][0][filters][0][value]": str(ORDER),
        },
    )
    assert [[i["order_item_id"] for i in s["items"]] for s in shipments["items"]] == [[23]]
    assert items(m2, ORDER)[23]["qty_shipped"] == 1
    assert admin(magento, "GET", "drop-after-commit") == {"rules": [], "dropped": 1}
    # Used up: the next write is answered.
    assert m2.post(f"order/{ORDER}/ship", {}) == "2"


def test_drop_after_commit_answers_refusals_and_reads(magento, m2):
    admin(magento, "POST", "drop-after-commit", {"path_contains": "/invoice", "count": 1})
    over = {"items": [{"order_item_id": 23, "qty": 9}]}
    refusal(m2.post, f"order/{ORDER}/invoice", over)  # refused: answered, count kept
    seeded = len(PAID_AT_CHECKOUT)  # the card orders' invoices
    assert m2.get("invoices", {"searchCriteria": ""})["total_count"] == seeded
    assert admin(magento, "GET", "drop-after-commit")["rules"][0]["count"] == 1
    with pytest.raises(RetryableError):
        m2.post(f"order/{ORDER}/invoice", {})
    assert m2.get("invoices", {"searchCriteria": ""})["total_count"] == seeded + 1
    admin(magento, "POST", "drop-after-commit", {"path_contains": "/cancel"})
    assert admin(magento, "DELETE", "drop-after-commit") == {"rules": [], "dropped": 0}


def test_drop_after_commit_is_cleared_by_reset_and_validated(magento):
    admin(magento, "POST", "drop-after-commit", {"path_contains": "/ship", "count": 2})
    admin(magento, "POST", "reset")
    assert admin(magento, "GET", "drop-after-commit") == {"rules": [], "dropped": 0}
    bad = requests.post(
        f"{magento.url}/__sandbox__/drop-after-commit", json={"path_contains": ""}, timeout=5
    )
    assert bad.status_code == 400
