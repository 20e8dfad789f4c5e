"""Back to Magento: the seed's two stories and the exactly-once rules, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from bridge import db
from bridge.clients.errors import ClientError, RetryableError
from bridge.clients.magento_search import SearchCriteria
from bridge.mappers import order as om
from bridge.models import Connection, SyncLog
from bridge.settings import reload_settings
from bridge.sync import pull
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.fulfillment import SYNCS, FulfillmentContext, FulfillmentRefused
from bridge.sync.odoo_feed import FEEDS, changes
from bridge.sync.orders.pages import OrderPage, import_orders, order_logs
from tests.conftest import prepare_shop

OFFLINE, ONLINE, ONLINE_TOO = "000000014", "000000021", "000000022"
#: Magento entity ids of the seeded card orders (sandbox/magento/seed/luma/orders.py).
ONLINE_ID, ONLINE_TOO_ID = 18, 19


def clients(conn_id: int) -> tuple[Any, Any]:
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        return magento_client(conn), odoo_client(conn)


def import_all(conn_id: int) -> None:
    """Import every seeded order: offline ones and the card orders invoiced at checkout."""
    magento, _ = clients(conn_id)
    orders = list(magento.iter_records("orders", SearchCriteria(), fields=om.ORDER_FIELDS))
    assert {ONLINE, ONLINE_TOO} <= {o["increment_id"] for o in orders}
    with db.session_scope() as s:
        ids = order_logs(s, conn_id, orders)
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        result = import_orders(
            OrderPage(s, conn, odoo_client(conn)), [s.get(SyncLog, i) for i in ids]
        )
    assert result["failed"] == 0, result["reasons"]


def sync(conn_id: int) -> list[tuple[str, Any]]:
    """What the poll and run tasks do, without Celery: every change of every feed, in order."""
    out: list[tuple[str, Any]] = []
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        odoo = odoo_client(conn)
        for feed in FEEDS:
            found, newest = changes(s, odoo, conn.id, feed)
            for change in found:
                ctx = FulfillmentContext(s, conn, magento_client(conn), odoo)
                try:
                    out.append((change.kind, SYNCS[change.kind](ctx, change.odoo_id)))
                except (FulfillmentRefused, ClientError) as exc:
                    out.append((change.kind, exc))
            pull.save_cursor(s, conn.id, f"odoo.{feed.kind}", newest)
    return out


def sale_order(odoo: Any, ref: str) -> dict[str, Any]:
    return odoo.search_read(
        "sale.order", [("client_order_ref", "=", ref)], ["picking_ids", "invoice_ids", "state"]
    )[0]


def deliver(odoo: Any, ref: str, qty: dict[str, float] | None = None, tracking: str = "") -> int:
    """Validate the open delivery of an order, all of it or `qty` per SKU (rest backordered)."""
    so = sale_order(odoo, ref)
    picking = odoo.search_read(
        "stock.picking",
        [("id", "in", so["picking_ids"]), ("state", "not in", ["done", "cancel"])],
        ["move_ids"],
    )[0]
    moves = odoo.read("stock.move", picking["move_ids"], ["product_id", "product_uom_qty"])
    codes = {
        p["id"]: p["default_code"]
        for p in odoo.read("product.product", [m["product_id"][0] for m in moves], ["default_code"])
    }
    for m in moves:
        done = m["product_uom_qty"] if qty is None else qty.get(codes[m["product_id"][0]], 0)
        odoo.write("stock.move", [m["id"]], {"quantity": done, "picked": True})
    if tracking:
        odoo.write("stock.picking", [picking["id"]], {"carrier_tracking_ref": tracking})
    # skip_sms: a real Odoo 18 (stock_sms) answers the company's first validation with its
    # "confirm.stock.sms" wizard instead of validating, as a user would see in the form.
    done = odoo.call(
        "stock.picking",
        "button_validate",
        [picking["id"]],
        context={"skip_backorder": True, "picking_ids_not_to_backorder": [], "skip_sms": True},
    )
    assert done is True, done
    return picking["id"]


def invoice_posted(odoo: Any, ref: str) -> int:
    """Invoice what was delivered and post it, unpaid."""
    so = sale_order(odoo, ref)
    wizard = odoo.create(
        "sale.advance.payment.inv",
        [{"advance_payment_method": "delivered"}],
        context={"active_model": "sale.order", "active_ids": [so["id"]], "active_id": so["id"]},
    )
    odoo.call("sale.advance.payment.inv", "create_invoices", wizard)
    (invoice,) = sale_order(odoo, ref)["invoice_ids"]
    odoo.call("account.move", "action_post", [invoice])
    return invoice


def invoice_and_pay(odoo: Any, ref: str) -> int:
    invoice = invoice_posted(odoo, ref)
    journal = odoo.search("account.journal", [("code", "=", "BNK1")])[0]
    pay = odoo.create(
        "account.payment.register",
        [{"journal_id": journal}],
        context={
            "active_model": "account.move",
            "active_ids": [invoice],
            "dont_redirect_to_payments": True,
        },
    )
    odoo.call("account.payment.register", "action_create_payments", pay)
    return invoice


def ordered(order: dict[str, Any]) -> float:
    """Units ordered: a configurable's child item repeats its parent's quantity."""
    return sum(i["qty_ordered"] for i in order["items"] if not i.get("parent_item_id"))


def magento_state(magento: Any, entity_id: int) -> dict[str, Any]:
    order = magento.get(f"orders/{entity_id}")
    by_order = SearchCriteria().where("order_id", entity_id)
    return {
        "state": order["state"],
        "shipments": list(magento.iter_records("shipments", by_order)),
        "invoices": list(magento.iter_records("invoices", by_order)),
        "creditmemos": list(magento.iter_records("creditmemos", by_order)),
    }


@pytest.fixture
def shop(state_db: str, magento_sandbox: Any, odoo_sandbox: Any) -> int:
    conn_id = prepare_shop(magento_sandbox, odoo_sandbox)
    import_all(conn_id)
    # The card orders' invoices are paid in Odoo: seen once, nothing sent, never again.
    outcomes = sync(conn_id)
    assert [kind for kind, _ in outcomes] == ["invoice", "invoice"]
    assert all(o["summary"].startswith("online order") for _, o in outcomes)
    return conn_id


def test_offline_story(shop: int):
    magento, odoo = clients(shop)
    deliver(odoo, OFFLINE, tracking="1Z999AA10123456784")
    assert [kind for kind, _ in sync(shop)] == ["shipment"]
    state = magento_state(magento, 11)
    (shipment,) = state["shipments"]
    assert [t["track_number"] for t in shipment["tracks"]] == ["1Z999AA10123456784"]
    assert sum(i["qty"] for i in shipment["items"]) == ordered(magento.get("orders/11"))

    invoice_and_pay(odoo, OFFLINE)
    kinds = sync(shop)
    assert [k for k, _ in kinds] == ["invoice"], kinds
    state = magento_state(magento, 11)
    assert len(state["invoices"]) == 1 and state["state"] == "complete"

    so = sale_order(odoo, OFFLINE)
    odoo.call("sale.order", "action_cancel", [so["id"]], context={"disable_cancel_warning": True})
    ((kind, outcome),) = sync(shop)
    assert kind == "cancel" and isinstance(outcome, FulfillmentRefused)
    assert "has shipped" in str(outcome)
    notes = odoo.search_read(
        "mail.message", [("model", "=", "sale.order"), ("res_id", "=", so["id"])], ["body"]
    )
    assert any("cannot cancel a shipped order" in n["body"] for n in notes)
    assert magento_state(magento, 11)["state"] == "complete"


def test_online_story(shop: int):
    """Imported with invoice and payment; delivered -> shipment; another canceled before
    shipment -> Magento credit memo (Magento refuses to cancel an invoiced order)."""
    magento, odoo = clients(shop)
    for ref in (ONLINE, ONLINE_TOO):
        so = sale_order(odoo, ref)
        (invoice,) = odoo.read("account.move", so["invoice_ids"], ["payment_state"])
        assert invoice["payment_state"] == "paid", "online orders arrive invoiced and paid"
    assert sync(shop) == []  # their paid invoices were seen once (fixture) and sent nothing

    deliver(odoo, ONLINE, tracking="1Z-ONLINE")
    ((kind, outcome),) = sync(shop)
    assert kind == "shipment", outcome
    state = magento_state(magento, ONLINE_ID)
    assert state["state"] == "complete" and len(state["shipments"]) == 1

    so = sale_order(odoo, ONLINE_TOO)
    odoo.call("sale.order", "action_cancel", [so["id"]], context={"disable_cancel_warning": True})
    ((kind, outcome),) = sync(shop)
    assert kind == "cancel", outcome
    assert "credit memo" in outcome["summary"]
    state = magento_state(magento, ONLINE_TOO_ID)
    assert len(state["creditmemos"]) == 1 and state["state"] == "closed"


def test_unpaid_offline_order_is_canceled_in_magento(shop: int):
    magento, odoo = clients(shop)
    so = sale_order(odoo, "000000019")
    odoo.call("sale.order", "action_cancel", [so["id"]], context={"disable_cancel_warning": True})
    ((kind, outcome),) = sync(shop)
    assert kind == "cancel" and outcome["summary"].endswith("canceled")
    assert magento.get("orders/16")["state"] == "canceled"


def test_partial_shipment_then_the_backorder(shop: int):
    magento, odoo = clients(shop)
    items = magento.get("orders/11")["items"]
    first = items[0]["sku"]
    deliver(odoo, OFFLINE, qty={first: 1})
    assert [k for k, _ in sync(shop)] == ["shipment"]
    deliver(odoo, OFFLINE)  # the backorder: everything left
    assert [k for k, _ in sync(shop)] == ["shipment"]
    shipments = magento_state(magento, 11)["shipments"]
    assert len(shipments) == 2
    shipped = sum(i["qty"] for s in shipments for i in s["items"])
    assert shipped == ordered(magento.get("orders/11"))


def test_partial_refund_of_a_paid_invoice(shop: int):
    magento, odoo = clients(shop)
    deliver(odoo, OFFLINE)
    invoice = invoice_and_pay(odoo, OFFLINE)
    sync(shop)
    journal = odoo.search("account.journal", [("code", "=", "INV")])[0]
    wizard = odoo.create(
        "account.move.reversal",
        [{"reason": "damaged", "journal_id": journal}],
        context={"active_model": "account.move", "active_ids": [invoice]},
    )
    odoo.call("account.move.reversal", "refund_moves", wizard)
    (note,) = odoo.search("account.move", [("reversed_entry_id", "=", invoice)])
    lines = odoo.read("account.move", [note], ["invoice_line_ids"])[0]["invoice_line_ids"]
    product_lines = [
        line
        for line in odoo.read("account.move.line", lines, ["product_id", "price_unit"])
        if line["price_unit"] > 0
    ]
    keep = product_lines[0]["id"]
    odoo.write(
        "account.move", [note], {"invoice_line_ids": [(2, line) for line in lines if line != keep]}
    )
    odoo.call("account.move", "action_post", [note])
    ((kind, outcome),) = sync(shop)
    assert kind == "refund", outcome
    (memo,) = magento_state(magento, 11)["creditmemos"]
    # One item refunded; Magento repeats a configurable's quantity on its child's line.
    children = {i["item_id"] for i in magento.get("orders/11")["items"] if i.get("parent_item_id")}
    assert [i["qty"] for i in memo["items"] if i["qty"] and i["order_item_id"] not in children] == [
        1
    ]


def test_a_credit_memo_that_differs_from_its_credit_note_is_told_in_the_log_and_odoo(shop: int):
    """Odoo credits the RACER line at its list price (224.00 + 8.25 %); Magento makes the
    memo its own way. Both totals land in the log, and the difference in the credit
    note's chatter; a whole refund whose totals agree says nothing more."""
    magento, odoo = clients(shop)
    deliver(odoo, OFFLINE)
    invoice = invoice_and_pay(odoo, OFFLINE)
    sync(shop)
    journal = odoo.search("account.journal", [("code", "=", "INV")])[0]
    context = {"active_model": "account.move", "active_ids": [invoice]}
    reversal = [{"reason": "damaged", "journal_id": journal}]
    wizard = odoo.create("account.move.reversal", reversal, context=context)
    odoo.call("account.move.reversal", "refund_moves", wizard)
    (note,) = odoo.search("account.move", [("reversed_entry_id", "=", invoice)])
    lines = odoo.read("account.move", [note], ["invoice_line_ids"])[0]["invoice_line_ids"]
    racer = next(ln["id"] for ln in odoo.read("account.move.line", lines, ["name"])
                 if "RACER" in ln["name"] or "Racer" in ln["name"])  # fmt: skip
    odoo.write("account.move", [note], {"invoice_line_ids": [(2, ln) for ln in lines
                                                            if ln != racer]})  # fmt: skip
    odoo.call("account.move", "action_post", [note])
    ((kind, outcome),) = sync(shop)
    assert kind == "refund", outcome
    (memo,) = magento_state(magento, 11)["creditmemos"]
    credit = odoo.read("account.move", [note], ["amount_total"])[0]["amount_total"]
    assert credit == 242.48
    assert (outcome["magento_total"], outcome["odoo_total"]) == (memo["grand_total"], credit)
    assert outcome["difference"] == round(credit - memo["grand_total"], 2) != 0
    assert f"{memo['grand_total']:.2f}" in outcome["summary"] and "242.48" in outcome["summary"]
    said = odoo.search_read("mail.message", [("model", "=", "account.move"), ("res_id", "=", note)],
                            ["body"])  # fmt: skip
    assert any("242.48" in m["body"] and f"{memo['grand_total']:.2f}" in m["body"] for m in said)


def test_a_whole_refund_with_equal_totals_says_no_difference(shop: int):
    magento, odoo = clients(shop)
    deliver(odoo, OFFLINE)
    invoice = invoice_and_pay(odoo, OFFLINE)
    sync(shop)
    note = refund_whole(odoo, invoice)
    ((kind, outcome),) = sync(shop)
    assert kind == "refund", outcome
    assert outcome["magento_total"] == outcome["odoo_total"] == 253.74
    assert "difference" not in outcome
    said = odoo.search_read("mail.message", [("model", "=", "account.move"), ("res_id", "=", note)],
                            ["body"])  # fmt: skip
    assert not [m for m in said if "Magento refunded" in m["body"]]


def test_each_setting_off_sends_nothing(shop: int):
    magento, odoo = clients(shop)
    with db.session_scope() as s:
        conn = s.get(Connection, shop)
        conn.shipment_sync = conn.invoice_sync = conn.refund_sync = False
    deliver(odoo, OFFLINE)
    invoice = invoice_and_pay(odoo, OFFLINE)
    refund_whole(odoo, invoice)
    outcomes = sync(shop)
    assert sorted(k for k, _ in outcomes) == ["invoice", "refund", "shipment"]
    assert all("is off" in o["summary"] for _, o in outcomes)
    state = magento_state(magento, 11)
    assert state["shipments"] == state["invoices"] == state["creditmemos"] == []


PATHS = {"shipment": "/ship", "invoice": "/invoice", "refund": "/refund"}
COLLECTIONS = {"shipment": "shipments", "invoice": "invoices", "refund": "creditmemos"}


def make_change(odoo: Any, shop: int, kind: str, before: Callable[[], None]) -> int:
    """Bring the offline order to the step before `kind`, call `before`, then make the
    Odoo change of that kind; its record id."""
    if kind != "shipment":
        deliver(odoo, OFFLINE)
        sync(shop)
    if kind == "refund":
        invoice = invoice_and_pay(odoo, OFFLINE)
        sync(shop)
    before()
    if kind == "shipment":
        return deliver(odoo, OFFLINE)
    if kind == "invoice":
        return invoice_and_pay(odoo, OFFLINE)
    return refund_whole(odoo, invoice)


def drop_after_commit(magento_sandbox: Any, kind: str) -> Callable[[], None]:
    def arm() -> None:
        crash = {"path_contains": PATHS[kind], "count": 1}
        url = f"{magento_sandbox.url}/__sandbox__/drop-after-commit"
        requests.post(url, json=crash, timeout=5).raise_for_status()

    return arm


@pytest.fixture
def one_try(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Writes tried once: the fault reaches the task, as when a worker dies after sending."""
    monkeypatch.setenv("BRIDGE_HTTP_RETRY_ATTEMPTS", "1")
    reload_settings()
    yield
    monkeypatch.delenv("BRIDGE_HTTP_RETRY_ATTEMPTS")
    reload_settings()


@pytest.mark.parametrize("kind", ["shipment", "invoice", "refund"])
def test_the_same_change_twice_and_a_crash_after_magento_answered(
    shop: int, magento_sandbox: Any, kind: str, one_try: None
):
    """Magento takes the write, the connection drops before Bridge hears the answer: the retry
    finds Magento's record and binds it; the same task once more finds the binding."""
    magento, odoo = clients(shop)
    record = make_change(odoo, shop, kind, drop_after_commit(magento_sandbox, kind))
    ((seen, outcome),) = sync(shop)
    assert seen == kind and isinstance(outcome, ClientError), outcome
    assert len(magento_state(magento, 11)[COLLECTIONS[kind]]) == 1
    ((seen, outcome),) = sync(shop)  # the retry
    assert "made before a crash" in outcome["summary"]
    with db.session_scope() as s:
        conn = s.get(Connection, shop)
        again = SYNCS[kind](FulfillmentContext(s, conn, magento, odoo), record)
    assert again["summary"].startswith("already Magento")
    assert len(magento_state(magento, 11)[COLLECTIONS[kind]]) == 1


@pytest.mark.parametrize("kind", ["shipment", "invoice", "refund"])
def test_a_lost_answer_is_found_by_a_look_within_the_same_run(
    shop: int, magento_sandbox: Any, kind: str
):
    """With the default tries, the run that lost Magento's answer looks, finds the record
    and binds it: one record in Magento, the log done, no task retry spent."""
    magento, odoo = clients(shop)
    record = make_change(odoo, shop, kind, drop_after_commit(magento_sandbox, kind))
    ((seen, outcome),) = sync(shop)
    assert seen == kind and isinstance(outcome, dict), outcome
    assert outcome["summary"].endswith("found after its answer was lost"), outcome
    [made] = magento_state(magento, 11)[COLLECTIONS[kind]]
    assert f" {made['entity_id']}," in outcome["summary"]
    with db.session_scope() as s:
        conn = s.get(Connection, shop)
        again = SYNCS[kind](FulfillmentContext(s, conn, magento, odoo), record)
    assert again["summary"] == f"already {outcome['summary'].split(',')[0]}"


@pytest.mark.parametrize("fault", ["5xx", "timeout", "drop", "429"])
def test_a_write_refused_before_magento_made_anything_is_sent_again(
    shop: int, magento_sandbox: Any, fault: str
):
    """Two faults in a row on the ship call, nothing made: the run looks after each, finds
    nothing, and its third try makes the one shipment."""
    magento, odoo = clients(shop)
    rates = {"5xx": {"rate_5xx": 1.0}, "timeout": {"rate_timeout": 1.0, "timeout_s": 6.0},
             "drop": {"rate_drop": 1.0}, "429": {"rate_429": 1.0, "retry_after": 0}}  # fmt: skip

    def arm() -> None:
        faults = {**rates[fault], "max_faults": 2, "path_contains": "/ship"}
        url = f"{magento_sandbox.url}/__sandbox__/faults"
        requests.post(url, json=faults, timeout=5).raise_for_status()

    make_change(odoo, shop, "shipment", arm)
    ((seen, outcome),) = sync(shop)
    seen_faults = requests.get(f"{magento_sandbox.url}/__sandbox__/faults", timeout=5).json()
    requests.delete(f"{magento_sandbox.url}/__sandbox__/faults", timeout=5)
    assert seen == "shipment" and isinstance(outcome, dict), outcome
    assert seen_faults["injected"] == {fault: 2}
    [made] = magento_state(magento, 11)["shipments"]
    assert outcome["summary"] == f"Magento shipment {made['entity_id']}"


def refund_whole(odoo: Any, invoice: int) -> int:
    journal = odoo.search("account.journal", [("code", "=", "INV")])[0]
    context = {"active_model": "account.move", "active_ids": [invoice]}
    wizard = odoo.create(
        "account.move.reversal", [{"reason": "returned", "journal_id": journal}], context=context
    )
    odoo.call("account.move.reversal", "refund_moves", wizard)
    (note,) = odoo.search("account.move", [("reversed_entry_id", "=", invoice)])
    odoo.call("account.move", "action_post", [note])
    return note


def test_a_shipment_bridge_made_is_not_counted_again_as_a_magento_stock_change(
    shop: int, magento_sandbox: Any
) -> None:
    """MSI takes a shipment off the source; Odoo took it off at delivery: once is enough."""
    from bridge.models import StockLevel
    from bridge.sync.stock import flows as stock
    from bridge.sync.stock import levels as stock_levels

    sku = "MH09-XS-Blue"
    magento, odoo = clients(shop)
    magento.post(
        "inventory/source-items",
        {"sourceItems": [{"sku": sku, "source_code": "default", "quantity": 10, "status": 1}]},
    )
    with db.session_scope() as s:
        stock_levels.record(s, shop, {(sku, "default"): 10.0})  # what both sides agreed on
    deliver(odoo, OFFLINE)
    [(kind, outcome)] = sync(shop)
    assert kind == "shipment" and sku in outcome["stock_skus"]
    assert magento.get(f"stockItems/{sku}")["qty"] == 9  # Magento's own deduction
    with db.session_scope() as s:
        level = s.query(StockLevel).filter_by(connection_id=shop, sku=sku).one()
        assert level.quantity == 9.0
        conn = s.get(Connection, shop)
        ctx = stock.StockContext(s, conn, magento, odoo)
        fresh = stock.incoming(ctx, stock.magento_quantities(ctx, [sku]))
    assert fresh == []  # nothing new to count into Odoo


def test_the_feed_reads_past_a_batch_of_changes_made_within_its_overlap(shop: int):
    """More changes than one batch inside the 5-minute overlap (a warehouse validating 600
    deliveries at once): a poll that read only its first batch started over at the same
    records every time, and the rest never reached Magento (bench/faults.py)."""
    _, odoo = clients(shop)
    pickings = {deliver(odoo, ref) for ref in (OFFLINE, ONLINE, ONLINE_TOO)}
    shipment = next(f for f in FEEDS if f.kind == "shipment")
    with db.session_scope() as s:
        found, newest = changes(s, odoo, shop, shipment, batch=2)
        pull.save_cursor(s, shop, "odoo.shipment", newest)
    assert pickings <= {c.odoo_id for c in found}
    with db.session_scope() as s:
        again, _ = changes(s, odoo, shop, shipment, batch=2)
    assert pickings <= {c.odoo_id for c in again}, "nothing bound yet: the overlap reads them again"


def test_a_credit_note_waits_for_its_paid_invoice_to_reach_magento(shop: int):
    """Credit note posted before the paid invoice was sent: the refund run waits (a retry
    that says why) rather than failing for good; once the invoice is in Magento it goes."""
    magento, odoo = clients(shop)
    deliver(odoo, OFFLINE)
    sync(shop)
    invoice = invoice_and_pay(odoo, OFFLINE)
    note = refund_whole(odoo, invoice)
    with db.session_scope() as s:
        conn = s.get(Connection, shop)
        with pytest.raises(RetryableError, match="paid but not yet in Magento: waiting"):
            SYNCS["refund"](FulfillmentContext(s, conn, magento, odoo), note)
    assert magento_state(magento, 11)["invoices"] == []
    outcomes = dict(sync(shop))
    assert outcomes["invoice"]["summary"].startswith("Magento invoice")
    assert outcomes["refund"]["summary"].startswith("Magento credit memo")
    state = magento_state(magento, 11)
    assert len(state["invoices"]) == len(state["creditmemos"]) == 1


def test_a_credit_note_of_an_unpaid_invoice_is_refused_at_once(shop: int):
    """An unpaid invoice never reaches Magento, so its credit note cannot wait for it."""
    magento, odoo = clients(shop)
    deliver(odoo, OFFLINE)
    sync(shop)
    note = refund_whole(odoo, invoice_posted(odoo, OFFLINE))
    with db.session_scope() as s:
        conn = s.get(Connection, shop)
        with pytest.raises(FulfillmentRefused, match="has no invoice to refund"):
            SYNCS["refund"](FulfillmentContext(s, conn, magento, odoo), note)
