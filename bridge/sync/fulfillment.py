"""Back to Magento: deliveries, paid invoices, cancellations and credit notes made in Odoo.

Magento's ship, invoice and refund calls are not idempotent: called twice they ship
or refund twice. So every call is preceded by a look at what Magento already has:
a Binding (Odoo record <-> Magento record) says it was done; failing that, a Magento
shipment, invoice or credit memo of the same order that no binding claims and that
moves the same items and quantities is the answer Bridge lost when it crashed after
Magento answered, and it is bound instead of being made again.

The same look settles a transient fault on the write itself (`_create`): a 5xx, a
timeout or a dropped answer does not say whether Magento made the record, so the client
looks, then tries again within the per-request bounds (the `look` of
`bridge.clients.retries`), instead of spending a task retry (its backoff, and every read
again) on each fault of a flaky Magento.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.clients.errors import PermanentError, RetryableError
from bridge.clients.magento import MagentoClient
from bridge.clients.magento_search import SearchCriteria
from bridge.clients.odoo import OdooClient, m2o_id
from bridge.mappers import fulfillment as fm
from bridge.mappers.errors import MappingError
from bridge.mappers.setup import shipping_method_of_order
from bridge.models import Binding, Connection, PaymentMethod, ShippingMethod
from bridge.sync import bindings
from bridge.sync.stock import levels as stock_levels

PAID = ("paid", "in_payment")
#: Products of the lines an order import adds that Magento computes itself on a refund.
MAGENTO_OWN_LINES = frozenset({"MAGENTO-DISCOUNT", "MAGENTO-ROUNDING"})


class FulfillmentRefused(PermanentError):
    """Magento cannot take this change; the message says why and what to do."""


@dataclass
class FulfillmentContext:
    session: Session
    connection: Connection
    magento: MagentoClient
    odoo: OdooClient


# -- bindings and lookups ----------------------------------------------------------------------


def bound(ctx: FulfillmentContext, entity: str, odoo_id: int) -> Binding | None:
    return bindings.by_odoo_id(ctx.session, ctx.connection.id, entity, odoo_id)


def _bind(ctx: FulfillmentContext, entity: str, magento_id: Any, model: str, odoo_id: int) -> None:
    bindings.bind(ctx.session, ctx.connection.id, entity, magento_id, model, odoo_id)


def magento_order(ctx: FulfillmentContext, sale_order_id: int) -> tuple[int, dict[str, Any]]:
    """The Magento order an Odoo sale order was imported from, as Magento has it now."""
    binding = bound(ctx, "order_entity", sale_order_id)
    if binding is None:
        raise FulfillmentRefused(
            f"sale.order {sale_order_id} was not imported from Magento by this connection"
        )
    entity_id = int(binding.magento_key)
    return entity_id, ctx.magento.get(f"orders/{entity_id}")


def _existing(ctx: FulfillmentContext, path: str, entity_id: int) -> list[dict[str, Any]]:
    criteria = SearchCriteria().where("order_id", entity_id)
    return list(ctx.magento.iter_records(path, criteria))


def _recover(
    ctx: FulfillmentContext,
    entity: str,
    records: str,
    order: dict[str, Any],
    items: list[dict[str, Any]],
) -> int | None:
    """A Magento record of this order, unclaimed, with exactly these items: ours, made before.

    `records`: where Magento lists them ("shipments", "invoices", "creditmemos")."""
    claimed = bindings.magento_keys(ctx.session, ctx.connection.id, entity)
    for record in _existing(ctx, records, int(order["entity_id"])):
        mine = fm.addressed_lines(record.get("items") or [], order)
        if str(record.get("entity_id")) not in claimed and fm.same_items(mine, items):
            return int(record["entity_id"])
    return None


def _create(
    ctx: FulfillmentContext,
    entity: str,
    records: str,
    order: dict[str, Any],
    items: list[dict[str, Any]],
    path: str,
    body: dict[str, Any],
) -> tuple[int, bool]:
    """Make a Magento shipment, invoice or credit memo once: (its id, found by a look).

    `path` and `body` are the POST. It is not safe to repeat, so after a transient fault
    the client tries it again only once a look (`_recover` in `records` for this `order`
    and these `items`) found nothing, within the per-request bounds (BRIDGE_HTTP_RETRY_*,
    `bridge.clients.retries`); past them the fault goes to the task-level retry, which
    looks first as well.
    """
    looked = False

    def look() -> int | None:
        nonlocal looked
        found = _recover(ctx, entity, records, order, items)
        looked = found is not None
        return found

    made = ctx.magento.post(path, body, look=look)  # Magento answers the id as a JSON string
    return int(made), looked


def _skus(odoo: OdooClient, product_ids: set[int]) -> dict[int, str]:
    if not product_ids:
        return {}
    return {
        r["id"]: r["default_code"]
        for r in odoo.read("product.product", sorted(product_ids), ["default_code"])
        if r.get("default_code")
    }


def _online(ctx: FulfillmentContext, order: dict[str, Any]) -> bool:
    code = (order.get("payment") or {}).get("method")
    row = ctx.session.scalars(
        select(PaymentMethod).where(
            PaymentMethod.connection_id == ctx.connection.id, PaymentMethod.code == code
        )
    ).first()
    return bool(row and row.online)


def _order_of_move(ctx: FulfillmentContext, move_id: int) -> int:
    found = ctx.odoo.search("sale.order", [("invoice_ids", "in", [move_id])], limit=1)
    if not found:
        raise FulfillmentRefused(f"account.move {move_id} is not the invoice of a sale order")
    return found[0]


def tell_odoo(odoo: OdooClient, model: str, record_id: int, text: str) -> None:
    """A note in the record's chatter, where the Odoo user who made the change looks."""
    odoo.call(model, "message_post", [record_id], body=text, message_type="comment")


def _items(rooms: list[fm.ItemRoom], wanted: dict[str, float], what: str) -> list[dict]:
    try:
        return fm.allocate(rooms, wanted, what)
    except MappingError as exc:
        raise FulfillmentRefused(str(exc)) from exc


#: Said of a record found by the look after a fault on the write that made it.
_LOOKED = ", found after its answer was lost"


# -- shipment ----------------------------------------------------------------------------------


def sync_shipment(ctx: FulfillmentContext, picking_id: int) -> dict[str, Any]:
    """A validated Odoo delivery becomes a Magento shipment with its tracking numbers."""
    if not ctx.connection.shipment_sync:
        return {"summary": "shipment sync is off: nothing sent"}
    if (done := bound(ctx, "shipment", picking_id)) is not None:
        return {"summary": f"already Magento shipment {done.magento_key}"}
    (picking,) = ctx.odoo.read(
        "stock.picking", [picking_id], ["name", "state", "sale_id", "move_ids",
                                        "carrier_tracking_ref"],
    )  # fmt: skip
    if picking["state"] != "done":
        raise FulfillmentRefused(
            f"delivery {picking['name']} is not validated ({picking['state']})"
        )
    moves = ctx.odoo.read("stock.move", picking["move_ids"], ["product_id", "quantity", "state"])
    skus = _skus(ctx.odoo, {m2o_id(m["product_id"]) for m in moves} - {None})
    wanted: dict[str, float] = {}
    for m in moves:
        sku = skus.get(m2o_id(m["product_id"]) or 0)
        if m["state"] == "done" and sku and m["quantity"]:
            wanted[sku] = wanted.get(sku, 0.0) + float(m["quantity"])
    entity_id, order = magento_order(ctx, m2o_id(picking["sale_id"]) or 0)
    whole = _items(fm.actionable_items(order, None), wanted, "delivery")
    if (found := _recover(ctx, "shipment", "shipments", order, whole)) is not None:
        _bind(ctx, "shipment", found, "stock.picking", picking_id)
        return {"summary": f"bound to Magento shipment {found}, made before a crash"}
    items = _items(fm.actionable_items(order, "qty_shipped"), wanted, "delivery")
    carrier, title = _carrier(ctx, order)
    body = fm.ship_body(items, picking.get("carrier_tracking_ref") or None, carrier, title)
    path = f"order/{entity_id}/ship"
    shipment_id, looked = _create(ctx, "shipment", "shipments", order, whole, path, body)
    _bind(ctx, "shipment", shipment_id, "stock.picking", picking_id)
    stock_levels.expect_shipped(ctx.session, ctx.connection.id, wanted)
    summary = f"Magento shipment {shipment_id}{_LOOKED if looked else ''}"
    return {"summary": summary, "items": items, "tracks": body.get("tracks", []),
            "stock_skus": sorted(wanted)}  # fmt: skip


def _carrier(ctx: FulfillmentContext, order: dict[str, Any]) -> tuple[str, str]:
    method = shipping_method_of_order(order)
    if method is None:
        return "custom", "Delivery"
    row = ctx.session.scalars(
        select(ShippingMethod).where(
            ShippingMethod.connection_id == ctx.connection.id, ShippingMethod.code == method.code
        )
    ).first()
    return (row.carrier_code, row.title) if row else (method.carrier_code, method.title)


# -- invoice -----------------------------------------------------------------------------------


def sync_invoice(ctx: FulfillmentContext, move_id: int) -> dict[str, Any]:
    """A paid invoice of an offline order becomes a Magento invoice (captured offline)."""
    if not ctx.connection.invoice_sync:
        return {"summary": "invoice sync is off: nothing sent"}
    if (done := bound(ctx, "invoice", move_id)) is not None:
        return {"summary": f"already Magento invoice {done.magento_key}"}
    (move,) = ctx.odoo.read(
        "account.move", [move_id], ["name", "state", "payment_state", "invoice_line_ids"]
    )
    if move["state"] != "posted" or move["payment_state"] not in PAID:
        return {"summary": f"{move['name']} is not paid yet: nothing sent"}
    entity_id, order = magento_order(ctx, _order_of_move(ctx, move_id))
    if _online(ctx, order):
        # Bound to a marker, so later polls do not look at this invoice again.
        _bind(ctx, "invoice", f"checkout:{move_id}", "account.move", move_id)
        return {"summary": "online order: Magento invoiced it at checkout, nothing sent"}
    wanted = _invoiced_skus(ctx, move["invoice_line_ids"], order)
    whole = _items(fm.actionable_items(order, None), wanted, "invoice")
    if (found := _recover(ctx, "invoice", "invoices", order, whole)) is not None:
        _bind(ctx, "invoice", found, "account.move", move_id)
        return {"summary": f"bound to Magento invoice {found}, made before a crash"}
    items = _items(fm.actionable_items(order, "qty_invoiced"), wanted, "invoice")
    body = fm.invoice_body(items)
    path = f"order/{entity_id}/invoice"
    invoice_id, looked = _create(ctx, "invoice", "invoices", order, whole, path, body)
    _bind(ctx, "invoice", invoice_id, "account.move", move_id)
    return {"summary": f"Magento invoice {invoice_id}{_LOOKED if looked else ''}", "items": items}


def _invoiced_skus(
    ctx: FulfillmentContext, line_ids: list[int], order: dict[str, Any]
) -> dict[str, float]:
    """Quantities per SKU on Odoo invoice lines, for the SKUs the Magento order has."""
    on_order = {str(i.get("sku")) for i in order.get("items") or []}
    lines = ctx.odoo.read("account.move.line", line_ids, ["product_id", "quantity"])
    skus = _skus(ctx.odoo, {m2o_id(line["product_id"]) for line in lines} - {None})
    wanted: dict[str, float] = {}
    for line in lines:
        sku = skus.get(m2o_id(line["product_id"]) or 0)
        if sku in on_order and line["quantity"]:
            wanted[sku] = wanted.get(sku, 0.0) + abs(float(line["quantity"]))
    return wanted


# -- cancellation ------------------------------------------------------------------------------


def sync_cancel(ctx: FulfillmentContext, sale_order_id: int) -> dict[str, Any]:
    """A canceled Odoo order cancels the Magento order; a paid one is refunded instead."""
    if (done := bound(ctx, "cancel", sale_order_id)) is not None:
        return {"summary": f"already canceled in Magento ({done.magento_key})"}
    entity_id, order = magento_order(ctx, sale_order_id)
    number = order.get("increment_id")
    if order.get("state") in ("canceled", "closed"):
        _bind(ctx, "cancel", f"order-{entity_id}", "sale.order", sale_order_id)
        return {"summary": f"Magento order {number} is {order['state']} already"}
    if any(float(i.get("qty_shipped") or 0) for i in order.get("items") or []):
        reason = (
            f"Magento order {number} has shipped, and Magento cannot cancel a shipped order: "
            "take the goods back and refund them with a credit note in Odoo"
        )
        tell_odoo(ctx.odoo, "sale.order", sale_order_id, f"Bridge: {reason}")
        raise FulfillmentRefused(reason)
    invoices = _existing(ctx, "invoices", entity_id)
    if invoices:
        if not ctx.connection.cancel_credit_memo:
            raise FulfillmentRefused(
                f"Magento order {number} is paid; cancellation -> credit memo is off, so "
                "refund it in Magento or turn the setting on (bridge connection set)"
            )
        memos = [_refund_whole_invoice(ctx, entity_id, order, inv) for inv in invoices]
        _bind(ctx, "cancel", f"creditmemo-{memos[0]}", "sale.order", sale_order_id)
        return {"summary": f"paid Magento order {number} refunded by credit memo {memos}"}
    if not ctx.magento.post(f"orders/{entity_id}/cancel", None):
        raise FulfillmentRefused(
            f"Magento refused to cancel order {number} (state {order.get('state')})"
        )
    _bind(ctx, "cancel", f"order-{entity_id}", "sale.order", sale_order_id)
    return {"summary": f"Magento order {number} canceled"}


def _refund_whole_invoice(
    ctx: FulfillmentContext, entity_id: int, order: dict[str, Any], invoice: dict[str, Any]
) -> int:
    items = [i for i in fm.addressed_lines(invoice.get("items") or [], order)
             if float(i.get("qty") or 0)]  # fmt: skip
    if (found := _recover(ctx, "refund", "creditmemos", order, items)) is not None:
        return found
    shipping = float(invoice.get("shipping_amount") or 0)
    body = fm.refund_body(items, shipping_amount=shipping, adjustment=0, online=_online(ctx, order))
    path = f"invoice/{invoice['entity_id']}/refund"
    memo, _ = _create(ctx, "refund", "creditmemos", order, items, path, body)
    return memo


# -- refund ------------------------------------------------------------------------------------


def sync_refund(ctx: FulfillmentContext, credit_note_id: int) -> dict[str, Any]:
    """A posted Odoo credit note becomes a Magento credit memo for its items and amounts."""
    if not ctx.connection.refund_sync:
        return {"summary": "refund sync is off: nothing sent"}
    if (done := bound(ctx, "refund", credit_note_id)) is not None:
        return {"summary": f"already Magento credit memo {done.magento_key}"}
    (note,) = ctx.odoo.read(
        "account.move",
        [credit_note_id],
        ["name", "state", "reversed_entry_id", "invoice_line_ids", "amount_total", "currency_id"],
    )
    original = m2o_id(note["reversed_entry_id"])
    if note["state"] != "posted" or original is None:
        raise FulfillmentRefused(f"credit note {note['name']} is not a posted refund of an invoice")
    entity_id, order = magento_order(ctx, _order_of_move(ctx, original))
    invoices = _existing(ctx, "invoices", entity_id)
    if not invoices:
        _wait_for_invoice(ctx, note["name"], original)
        raise FulfillmentRefused(
            f"Magento order {order.get('increment_id')} has no invoice to refund: "
            "Magento makes credit memos only against an invoice"
        )
    wanted, shipping, adjustment = _refunded(ctx, note["invoice_line_ids"], order)
    whole = _items(fm.actionable_items(order, None), wanted, "credit note")
    if (found := _recover(ctx, "refund", "creditmemos", order, whole)) is not None:
        _bind(ctx, "refund", found, "account.move", credit_note_id)
        result = {"summary": f"bound to Magento credit memo {found}, made before a crash"}
        return _compare_refund(ctx, note, found, result)
    items = _items(fm.actionable_items(order, "qty_refunded"), wanted, "credit note")
    online = _online(ctx, order)
    body = fm.refund_body(items, shipping_amount=shipping, adjustment=adjustment, online=online)
    path = f"invoice/{invoices[0]['entity_id']}/refund" if online else f"order/{entity_id}/refund"
    memo, looked = _create(ctx, "refund", "creditmemos", order, whole, path, body)
    _bind(ctx, "refund", memo, "account.move", credit_note_id)
    summary = f"Magento credit memo {memo}{_LOOKED if looked else ''}"
    result = {"summary": summary, "items": items, "online": online}
    return _compare_refund(ctx, note, memo, result)


def _wait_for_invoice(ctx: FulfillmentContext, note: str, invoice_id: int) -> None:
    """A credit note posted before its paid invoice reached Magento waits for it: both
    changes came in the same poll, or the invoice's run is retrying a fault."""
    if not ctx.connection.invoice_sync or bound(ctx, "invoice", invoice_id) is not None:
        return
    (invoice,) = ctx.odoo.read("account.move", [invoice_id], ["name", "payment_state"])
    if invoice["payment_state"] in PAID:
        raise RetryableError(
            f"credit note {note} refunds {invoice['name']}, which is paid but not yet "
            "in Magento: waiting for it to be sent"
        )


def _compare_refund(
    ctx: FulfillmentContext, note: dict[str, Any], memo_id: int, result: dict[str, Any]
) -> dict[str, Any]:
    """Magento's credit memo total against the Odoo credit note's: a difference is told.

    Magento computes a memo itself (it takes the order's discount off the refunded items,
    shares out tax, rounds its own way), so what the customer gets back can differ from
    the credit note. The memo is made and cannot be taken back; what is left is to say
    it, in the log and in the credit note's chatter, with both amounts, so the books can
    be set straight in Odoo (an adjusting line on the credit note, or a second one).
    """
    memo = ctx.magento.get(f"creditmemo/{memo_id}")
    magento_total = round(float(memo.get("grand_total") or 0), 2)
    odoo_total = round(float(note.get("amount_total") or 0), 2)
    result = {**result, "magento_total": magento_total, "odoo_total": odoo_total}
    difference = round(odoo_total - magento_total, 2)
    if not difference:
        return result
    text = fm.refund_difference(note["name"], odoo_total, memo_id, magento_total)
    tell_odoo(ctx.odoo, "account.move", int(note["id"]), f"Bridge: {text}")
    return {**result, "difference": difference, "summary": f"{result['summary']}; {text}"}


def _refunded(
    ctx: FulfillmentContext, line_ids: list[int], order: dict[str, Any]
) -> tuple[dict[str, float], float, float]:
    """(quantities per SKU, shipping refunded, other amounts) of credit note lines.

    Discount and rounding lines (Bridge's own, from the import) are left to Magento: it
    takes the order's discount off the refunded items and computes their tax itself, so
    sending them as adjustments would count them twice.
    """
    on_order = {str(i.get("sku")) for i in order.get("items") or []}
    lines = ctx.odoo.read(
        "account.move.line", line_ids, ["product_id", "quantity", "price_subtotal"]
    )
    skus = _skus(ctx.odoo, {m2o_id(line["product_id"]) for line in lines} - {None})
    wanted: dict[str, float] = {}
    shipping = adjustment = 0.0
    for line in lines:
        sku = skus.get(m2o_id(line["product_id"]) or 0, "")
        amount = abs(float(line.get("price_subtotal") or 0))
        if sku in on_order:
            wanted[sku] = wanted.get(sku, 0.0) + abs(float(line["quantity"] or 0))
        elif sku.startswith("MAGENTO-SHIP-"):
            shipping += amount
        elif sku in MAGENTO_OWN_LINES:
            continue
        elif amount:
            adjustment += amount
    return wanted, shipping, adjustment


#: The use case per kind of Odoo change.
SYNCS: dict[str, Callable[[FulfillmentContext, int], dict[str, Any]]] = {
    "shipment": sync_shipment,
    "invoice": sync_invoice,
    "cancel": sync_cancel,
    "refund": sync_refund,
}
