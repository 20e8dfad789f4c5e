"""Online orders arrive in Odoo invoiced and paid, as Magento already took the money.

For a whole page in a few calls, whatever its size: the invoicing wizard for every
order still without an invoice (one invoice per order), one read of the invoices,
one `action_post` of the drafts, and payment wizards per journal and date of at
most `BRIDGE_ODOO_PAYMENT_CHUNK` invoices (a real Odoo 18 spends ~0.3-0.6 s per
invoice paid: a page's 50 took up to 43 s in one call). Each step looks at Odoo
first and is claimed while it runs (steps.py), so running it again after a crash or
a timeout finishes the job instead of invoicing or paying twice.

Odoo 18 quirks this follows (measured on a real server): `create_invoices` may
answer None (or an XML-RPC "cannot marshal None" fault) after it saved the
invoices; `action_post` answers False on success; `consolidated_billing` defaults
to merging one customer's orders into one invoice, so it is turned off.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from bridge.clients.odoo import OdooClient
from bridge.sync.orders.steps import Steps


@dataclass(frozen=True)
class OnlineOrder:
    order_id: int
    journal_id: int
    #: "YYYY-MM-DD": the payment is dated when Magento took it.
    paid_on: str


def invoice_and_pay(
    odoo: OdooClient, orders: list[OnlineOrder], steps: Steps, chunk: int = 25
) -> dict[int, dict]:
    """Invoice and pay confirmed online orders; returns per order its invoice ids and state.

    Each step goes through `steps` (bridge/sync/orders/steps.py): never sent again while
    an earlier call on the same records may still commit. Payments go `chunk` invoices
    per wizard, so one call stays far below the business timeout."""
    if not orders:
        return {}
    ids = [o.order_id for o in orders]
    steps.run("invoice", ids, lambda some: _invoiced(odoo, some), lambda todo: _invoice(odoo, todo))
    invoices_of = {r["id"]: r["invoice_ids"] for r in odoo.read("sale.order", ids, ["invoice_ids"])}
    all_invoices = sorted({i for inv in invoices_of.values() for i in inv})
    invoices = {
        r["id"]: r
        for r in odoo.read(
            "account.move",
            all_invoices,
            ["state", "payment_state", "move_type", "amount_total", "amount_residual"],
        )
    }
    drafts = [i for i, r in invoices.items() if r["state"] == "draft"]
    steps.run(
        "post",
        drafts,
        lambda some: _posted(odoo, some),
        lambda todo: odoo.call("account.move", "action_post", todo),
    )
    for i in drafts:
        invoices[i]["state"] = "posted"
    _pay(odoo, orders, invoices_of, invoices, steps, max(1, chunk))
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


def _invoice(odoo: OdooClient, uninvoiced: list[int]) -> None:
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


def _invoiced(odoo: OdooClient, order_ids: list[int]) -> set[int]:
    rows = odoo.read("sale.order", order_ids, ["invoice_ids"])
    return {r["id"] for r in rows if r["invoice_ids"]}


def _posted(odoo: OdooClient, move_ids: list[int]) -> set[int]:
    return {r["id"] for r in odoo.read("account.move", move_ids, ["state"])
            if r["state"] != "draft"}  # fmt: skip


def _pay(
    odoo: OdooClient,
    orders: list[OnlineOrder],
    invoices_of: Mapping[int, list[int]],
    invoices: Mapping[int, dict],
    steps: Steps,
    chunk: int,
) -> None:
    """Payment wizards per journal and date, `chunk` invoices each, for the posted
    invoices not yet paid. An invoice counts as paid by the step once Odoo shows it
    paid, or owing less than before the step (a payment reconciled with it)."""
    unpaid: dict[tuple[int, str], list[int]] = defaultdict(list)
    owed: dict[int, float] = {}
    for o in orders:
        for i in invoices_of.get(o.order_id, []):
            inv = invoices[i]
            if (
                inv["move_type"] == "out_invoice"
                and inv["state"] == "posted"
                and inv["payment_state"] in ("not_paid", "partial")
            ):
                unpaid[(o.journal_id, o.paid_on)].append(i)
                owed[i] = float(inv.get("amount_residual", inv["amount_total"]))

    def paid(some: list[int]) -> set[int]:
        rows = odoo.read("account.move", some, ["payment_state", "amount_residual"])
        return {
            r["id"]
            for r in rows
            if r["payment_state"] not in ("not_paid", "partial")
            or float(r["amount_residual"]) < owed.get(r["id"], 0.0) - 0.005
        }

    for (journal_id, paid_on), invoice_ids in unpaid.items():
        for start in range(0, len(invoice_ids), chunk):
            part = invoice_ids[start : start + chunk]
            pay = partial(_register, odoo, journal_id, paid_on)
            steps.run("pay", part, paid, pay)


def _register(odoo: OdooClient, journal_id: int, paid_on: str, invoice_ids: list[int]) -> None:
    """One payment per invoice, of what it owes, dated when Magento took the money."""
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
