"""Online orders arrive in Odoo invoiced and paid, as Magento already took the money.

For a whole page in a fixed number of calls, whatever its size: the invoicing
wizard for every order still without an invoice (one invoice per order), one read
of the invoices, one `action_post` of the drafts, and one payment wizard per
journal for what is still unpaid. Each step looks at Odoo first, so running it
again after a crash finishes the job instead of invoicing or paying twice.

Odoo 18 quirks this follows (measured on a real server): `create_invoices` may
answer None (or an XML-RPC "cannot marshal None" fault) after it saved the
invoices; `action_post` answers False on success; `consolidated_billing` defaults
to merging one customer's orders into one invoice, so it is turned off.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from bridge.clients.odoo import OdooClient


@dataclass(frozen=True)
class OnlineOrder:
    order_id: int
    journal_id: int
    #: "YYYY-MM-DD": the payment is dated when Magento took it.
    paid_on: str


def invoice_and_pay(odoo: OdooClient, orders: list[OnlineOrder]) -> dict[int, dict]:
    """Invoice and pay confirmed online orders; returns per order its invoice ids and state."""
    if not orders:
        return {}
    ids = [o.order_id for o in orders]
    uninvoiced = [r["id"] for r in odoo.read("sale.order", ids, ["invoice_ids"])
                  if not r["invoice_ids"]]  # fmt: skip
    if uninvoiced:
        wizard = odoo.create(
            "sale.advance.payment.inv",
            [{"advance_payment_method": "delivered", "consolidated_billing": False}],
            context={
                "active_model": "sale.order",
                "active_ids": uninvoiced,
                "active_id": uninvoiced[0],
            },  # fmt: skip
        )
        odoo.call("sale.advance.payment.inv", "create_invoices", wizard)
    invoices_of = {r["id"]: r["invoice_ids"] for r in odoo.read("sale.order", ids, ["invoice_ids"])}
    all_invoices = sorted({i for inv in invoices_of.values() for i in inv})
    invoices = {
        r["id"]: r
        for r in odoo.read(
            "account.move", all_invoices, ["state", "payment_state", "move_type", "amount_total"]
        )
    }
    drafts = [i for i, r in invoices.items() if r["state"] == "draft"]
    if drafts:
        odoo.call("account.move", "action_post", drafts)
        for i in drafts:
            invoices[i]["state"] = "posted"
    _pay(odoo, orders, invoices_of, invoices)
    final = {
        r["id"]: r
        for r in odoo.read("account.move", all_invoices, ["name", "payment_state", "amount_total"])
    }
    return {
        order_id: {
            "invoices": [final[i]["name"] for i in inv if i in final],
            "payment_state": sorted({final[i]["payment_state"] for i in inv if i in final}),
        }
        for order_id, inv in invoices_of.items()
    }


def _pay(
    odoo: OdooClient,
    orders: list[OnlineOrder],
    invoices_of: Mapping[int, list[int]],
    invoices: Mapping[int, dict],
) -> None:
    """One payment wizard per journal and date, for the posted invoices not yet paid."""
    unpaid: dict[tuple[int, str], list[int]] = defaultdict(list)
    for o in orders:
        for i in invoices_of.get(o.order_id, []):
            inv = invoices[i]
            if (
                inv["move_type"] == "out_invoice"
                and inv["state"] == "posted"
                and inv["payment_state"] in ("not_paid", "partial")
            ):
                unpaid[(o.journal_id, o.paid_on)].append(i)
    for (journal_id, paid_on), invoice_ids in unpaid.items():
        wizard = odoo.create(
            "account.payment.register",
            [{"journal_id": journal_id, "payment_date": paid_on, "group_payment": False}],
            context={
                "active_model": "account.move",
                "active_ids": invoice_ids,
                "dont_redirect_to_payments": True,
            },  # fmt: skip
        )
        odoo.call("account.payment.register", "action_create_payments", wizard)
