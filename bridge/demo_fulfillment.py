"""The demo's fulfillment round: an offline and online orders through their life in Odoo,
each step sent back to Magento through the pipeline, Magento's order shown after it.

Offline 000000014: delivery validated -> Magento shipment with tracking; invoice paid ->
Magento invoice; canceled in Odoo -> refused, it has shipped. Online 000000021: delivery
-> shipment. Online 000000022: canceled before shipment -> Magento credit memo.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridge.cli.common import console
from bridge.clients.magento import MagentoClient
from bridge.clients.magento_search import SearchCriteria
from bridge.clients.odoo import OdooClient
from bridge.demo_orders import ONLINE_CANCEL_ORDER, ONLINE_DEMO_ORDER
from tasks.dispatch import fulfillment_job


def _order(odoo: OdooClient, ref: str) -> dict[str, Any]:
    return odoo.search_read(
        "sale.order", [("client_order_ref", "=", ref)], ["picking_ids", "invoice_ids"]
    )[0]


def deliver(odoo: OdooClient, ref: str, tracking: str) -> None:
    picking = odoo.search_read(
        "stock.picking",
        [("id", "in", _order(odoo, ref)["picking_ids"]), ("state", "not in", ["done", "cancel"])],
        ["move_ids"],
    )[0]
    for move in odoo.read("stock.move", picking["move_ids"], ["product_uom_qty"]):
        odoo.write(
            "stock.move", [move["id"]], {"quantity": move["product_uom_qty"], "picked": True}
        )
    odoo.write("stock.picking", [picking["id"]], {"carrier_tracking_ref": tracking})
    # skip_sms: a real Odoo 18 (stock_sms) would answer the first validation with its SMS
    # confirmation wizard, which a person clicks through in the form.
    odoo.call("stock.picking", "button_validate", [picking["id"]], context={"skip_sms": True})


def invoice_and_pay(odoo: OdooClient, ref: str) -> None:
    so = _order(odoo, ref)
    context = {"active_model": "sale.order", "active_ids": [so["id"]], "active_id": so["id"]}
    wizard = odoo.create(
        "sale.advance.payment.inv", [{"advance_payment_method": "delivered"}], context=context
    )
    odoo.call("sale.advance.payment.inv", "create_invoices", wizard)
    invoices = _order(odoo, ref)["invoice_ids"]
    odoo.call("account.move", "action_post", invoices)
    bank = odoo.search("account.journal", [("code", "=", "BNK1")])[0]
    pay = odoo.create(
        "account.payment.register",
        [{"journal_id": bank}],
        context={
            "active_model": "account.move",
            "active_ids": invoices,
            "dont_redirect_to_payments": True,
        },  # fmt: skip
    )
    odoo.call("account.payment.register", "action_create_payments", pay)


def cancel(odoo: OdooClient, ref: str) -> None:
    so = _order(odoo, ref)
    odoo.call("sale.order", "action_cancel", [so["id"]], context={"disable_cancel_warning": True})


def magento_line(magento: MagentoClient, ref: str) -> str:
    order = next(iter(magento.iter_records("orders", SearchCriteria().where("increment_id", ref))))
    items = [i for i in order.get("items") or [] if not i.get("parent_item_id")]
    qty = {k: sum(float(i.get(k) or 0) for i in items)
           for k in ("qty_ordered", "qty_shipped", "qty_invoiced", "qty_refunded")}  # fmt: skip
    return (
        f"Magento {ref}: state [bold]{order.get('state')}[/bold], shipped "
        f"{qty['qty_shipped']:g}/{qty['qty_ordered']:g}, invoiced {qty['qty_invoiced']:g}, "
        f"refunded {qty['qty_refunded']:g}, paid {float(order.get('total_paid') or 0):.2f}"
    )


def run(
    conn_id: int,
    odoo: OdooClient,
    magento: MagentoClient,
    run_job: Callable[..., Any],
) -> bool:
    """Each Odoo step, then one fulfillment poll through the queue, then Magento's view."""
    steps: list[tuple[str, str, Callable[[], None]]] = [
        ("000000014", "delivery validated in Odoo (tracking 1Z-DEMO-14)",
         lambda: deliver(odoo, "000000014", "1Z-DEMO-14")),
        ("000000014", "invoice posted and paid in Odoo",
         lambda: invoice_and_pay(odoo, "000000014")),
        ("000000014", "canceled in Odoo after shipping", lambda: cancel(odoo, "000000014")),
        (ONLINE_DEMO_ORDER, "card order delivered in Odoo (tracking 1Z-DEMO-21)",
         lambda: deliver(odoo, ONLINE_DEMO_ORDER, "1Z-DEMO-21")),
        (ONLINE_CANCEL_ORDER, "card order canceled in Odoo before shipping",
         lambda: cancel(odoo, ONLINE_CANCEL_ORDER)),
    ]  # fmt: skip
    for ref, what, step in steps:
        console.print(f"[bold]{ref}[/bold]: {what}")
        step()
        poll = run_job(fulfillment_job(), conn_id)
        if poll is None:
            return False
        for log_id in poll.result.get("logs", []):
            entry = run_job(None, conn_id, log_id=log_id, allow_failed=True)
            if entry is None:
                return False
            said = (entry.result or {}).get("summary") or f"[red]refused[/red]: {entry.reason}"
            console.print(f"  -> {entry.entity.removeprefix('fulfillment.')}: {said}")
        console.print(f"  {magento_line(magento, ref)}")
    return True
