"""Invoices, credit notes and payments in the Odoo sandbox, over real HTTP with OdooClient.

Every expected value (names, amounts, states, return values, error texts) was
measured on a real Odoo 18.0 Community server (sale_management, stock, account,
stock_delivery; generic chart, 15 % sale tax) with JSON-RPC and /xmlrpc/2
probes, 2026-11-26 (scripts under /work/scratch/invoicing/, not in the repo).
"""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from bridge.clients.errors import ValidationError
from bridge.clients.odoo import OdooClient
from sandbox.odoo import OdooSandbox
from tests.odoo_fixtures import SANDBOX_DB, SANDBOX_LOGIN, SANDBOX_PASSWORD

BANK, CASH, SALES = "BNK1", "CSH1", "INV"
MOVE_FIELDS = [
    "name", "state", "payment_state", "move_type", "amount_untaxed", "amount_tax",
    "amount_total", "amount_residual", "amount_total_signed", "amount_residual_signed",
    "invoice_date", "invoice_date_due", "payment_reference", "ref", "invoice_origin",
    "reversed_entry_id", "display_name", "journal_id",
]  # fmt: skip


@pytest.fixture
def sandbox() -> Iterator[OdooSandbox]:
    """A fresh database per test: invoice numbers start at 00001."""
    with OdooSandbox() as sb:
        yield sb


@pytest.fixture
def odoo(sandbox: OdooSandbox) -> OdooClient:
    return OdooClient(
        sandbox.url, SANDBOX_DB, SANDBOX_LOGIN, SANDBOX_PASSWORD, protocol="jsonrpc", timeout=10
    )


@pytest.fixture
def xml(sandbox: OdooSandbox) -> Any:
    proxy = xmlrpc.client.ServerProxy(f"{sandbox.url}/xmlrpc/2/object")

    def call(model: str, method: str, *args: Any, **kw: Any) -> Any:
        return proxy.execute_kw(SANDBOX_DB, 2, SANDBOX_PASSWORD, model, method, list(args), kw)

    return call


def raw_json(sandbox: OdooSandbox, model: str, method: str, *args: Any, **kw: Any) -> dict:
    """The whole JSON-RPC response body, to see whether `result` is there at all."""
    params = {
        "service": "object",
        "method": "execute_kw",
        "args": [SANDBOX_DB, 2, SANDBOX_PASSWORD, model, method, list(args), kw],
    }
    body = {"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}
    return dict(requests.post(f"{sandbox.url}/jsonrpc", json=body, timeout=10).json())


def refusal(exc: ValidationError) -> str:
    """Odoo's own text (`error.data.message`), without the client's "Odoo model.method: "."""
    assert exc.kind == "odoo.exceptions.UserError" or exc.kind.endswith("ValidationError")
    return str(exc.details["data"]["message"])  # type: ignore[index]


def journal(odoo: OdooClient, code: str) -> int:
    return odoo.search("account.journal", [("code", "=", code)])[0]


@pytest.fixture
def partner(odoo: OdooClient) -> int:
    return odoo.create("res.partner", [{"name": "Probe customer"}])[0]


@pytest.fixture
def product(odoo: OdooClient) -> int:
    """list_price 100, the company's 15 % sale tax (as a product created over RPC gets)."""
    tax = odoo.search("account.tax", [("type_tax_use", "=", "sale")])
    vals = {"name": "Probe product", "list_price": 100.0, "taxes_id": [(6, 0, tax)]}
    return odoo.create("product.product", [vals])[0]


def invoice(odoo: OdooClient, partner: int, product: int, post: bool = True, **line: Any) -> int:
    line = {"product_id": product, "quantity": 2, "price_unit": 100.0, "discount": 10, **line}
    vals = {"move_type": "out_invoice", "partner_id": partner, "invoice_line_ids": [(0, 0, line)]}
    mid = odoo.create("account.move", [vals])[0]
    if post:
        odoo.call("account.move", "action_post", [mid])
    return mid


def move(odoo: OdooClient, mid: int) -> dict[str, Any]:
    return odoo.read("account.move", [mid], MOVE_FIELDS)[0]


def pay(odoo: OdooClient, ids: list[int], code: str = BANK, **vals: Any) -> Any:
    ctx = {"active_model": "account.move", "active_ids": ids}
    wiz = odoo.create(
        "account.payment.register", [{"journal_id": journal(odoo, code), **vals}], context=ctx
    )[0]
    return odoo.call("account.payment.register", "action_create_payments", [wiz], context=ctx)


def reverse(odoo: OdooClient, ids: list[int], method: str = "refund_moves", **vals: Any) -> Any:
    ctx = {"active_model": "account.move", "active_ids": ids}
    vals = {"journal_id": journal(odoo, SALES), **vals}
    wiz = odoo.create("account.move.reversal", [vals], context=ctx)[0]
    return odoo.call("account.move.reversal", method, [wiz], context=ctx)


# -- invoices --------------------------------------------------------------------------------


def test_draft_then_posted_invoice_names_dates_and_amounts(odoo: OdooClient, partner, product):
    mid = invoice(odoo, partner, product, post=False)
    draft = move(odoo, mid)
    # Real: 2 x 100 at 10 % off + 15 % tax; a draft has no name and shows "Draft Invoice".
    assert draft["name"] is False
    assert draft["display_name"] == "Draft Invoice"
    assert (draft["state"], draft["payment_state"]) == ("draft", "not_paid")
    assert (draft["amount_untaxed"], draft["amount_tax"], draft["amount_total"]) == (
        180.0,
        27.0,
        207.0,
    )
    assert draft["amount_residual"] == 207.0
    assert draft["invoice_date"] is False
    assert draft["journal_id"][1] == "Customer Invoices"
    line = odoo.read(
        "account.move.line",
        odoo.read("account.move", [mid], ["invoice_line_ids"])[0]["invoice_line_ids"],
        ["name", "quantity", "price_subtotal", "price_total", "tax_ids", "account_id"],
    )[0]
    assert line["name"] == "Probe product"
    assert (line["price_subtotal"], line["price_total"]) == (180.0, 207.0)
    assert line["account_id"][1] == "400000 Product Sales"

    assert odoo.call("account.move", "action_post", [mid]) is False
    posted = move(odoo, mid)
    assert posted["name"] == posted["payment_reference"] == posted["display_name"]
    assert posted["name"].startswith("INV/") and posted["name"].endswith("/00001")
    assert posted["state"] == "posted" and posted["payment_state"] == "not_paid"
    assert posted["invoice_date"] == posted["invoice_date_due"]
    invoice(odoo, partner, product)
    names = odoo.search_read("account.move", [("state", "=", "posted")], ["name"], order="id")
    assert [n["name"][-5:] for n in names] == ["00001", "00002"]


def test_payment_term_sets_the_due_date(odoo: OdooClient, partner):
    term = odoo.search("account.payment.term", [("name", "=", "30 Days")])
    vals = {
        "move_type": "out_invoice",
        "partner_id": partner,
        "invoice_payment_term_id": term[0],
        "invoice_date": "2026-11-01",
        "invoice_line_ids": [(0, 0, {"name": "svc", "price_unit": 10, "tax_ids": []})],
    }
    mid = odoo.create("account.move", [vals])[0]
    # Real: 2026-12-01 already on the draft, unchanged once posted.
    assert move(odoo, mid)["invoice_date_due"] == "2026-12-01"
    odoo.call("account.move", "action_post", [mid])
    posted = move(odoo, mid)
    assert (posted["invoice_date"], posted["invoice_date_due"]) == ("2026-11-01", "2026-12-01")
    assert posted["name"] == "INV/2026/00001"


def test_post_refusals_use_odoo_messages(odoo: OdooClient, partner, product):
    empty = odoo.create("account.move", [{"move_type": "out_invoice", "partner_id": partner}])[0]
    with pytest.raises(ValidationError) as exc:
        odoo.call("account.move", "action_post", [empty])
    assert refusal(exc.value) == "You need to add a line before posting."

    line = {"name": "x", "quantity": 1, "price_unit": 5}
    nobody = odoo.create(
        "account.move", [{"move_type": "out_invoice", "invoice_line_ids": [(0, 0, line)]}]
    )[0]
    with pytest.raises(ValidationError) as exc:
        odoo.call("account.move", "action_post", [nobody])
    assert refusal(exc.value) == (
        "The field 'Customer' is required, please complete it to validate the Customer Invoice."
    )

    mid = invoice(odoo, partner, product)
    name = move(odoo, mid)["name"]
    with pytest.raises(ValidationError) as exc:
        odoo.call("account.move", "action_post", [mid])
    assert refusal(exc.value) == f"The entry {name} (id {mid}) must be in draft."
    with pytest.raises(ValidationError) as exc:
        odoo.write("account.move", [mid], {"invoice_line_ids": [(5, 0, 0)]})
    assert refusal(exc.value) == (
        "You cannot modify the following readonly fields on a posted move: invoice_line_ids"
    )
    with pytest.raises(ValidationError) as exc:
        odoo.unlink("account.move", [mid])
    assert refusal(exc.value).startswith("You can't delete a posted journal item.")
    assert odoo.write("account.move", [mid], {"ref": "allowed"}) is True


def test_zero_total_invoice_is_paid_when_posted(odoo: OdooClient, partner, product):
    # Real: a 100 % discount invoice (Magento guest orders 19 and 20) is 'paid' on posting.
    mid = invoice(odoo, partner, product, discount=100)
    assert (move(odoo, mid)["amount_total"], move(odoo, mid)["payment_state"]) == (0.0, "paid")


def test_draft_and_cancel_return_none_and_cancel_skips_draft(
    sandbox: OdooSandbox, odoo: OdooClient, xml: Any, partner, product
):
    mid = invoice(odoo, partner, product)
    # Real: button_draft returns None: JSON-RPC leaves `result` out ...
    body = raw_json(sandbox, "account.move", "button_draft", [mid])
    assert "result" not in body and "error" not in body
    with pytest.raises(ValidationError) as exc:
        odoo.call("account.move", "button_draft", [mid])
    assert refusal(exc.value) == "Only posted/cancelled journal entries can be reset to draft."
    odoo.call("account.move", "action_post", [mid])
    # ... and XML-RPC answers fault 1 "cannot marshal None" after the change is made.
    with pytest.raises(xmlrpc.client.Fault) as fault:
        xml("account.move", "button_cancel", [mid])
    assert fault.value.faultCode == 1
    assert "cannot marshal None" in fault.value.faultString
    cancelled = move(odoo, mid)
    # A posted invoice is cancelled directly (reset to draft on the way); it keeps its name.
    assert (cancelled["state"], cancelled["name"][-5:]) == ("cancel", "00001")
    assert (
        xml("account.move", "action_post", [invoice(odoo, partner, product, post=False)]) is False
    )


# -- payments --------------------------------------------------------------------------------


def test_bank_payment_pays_the_invoice_and_returns_an_action(odoo: OdooClient, partner, product):
    mid = invoice(odoo, partner, product)
    action = pay(odoo, [mid])
    # Real Odoo 18 Community: an action dict, invoice 'paid' (never 'in_payment' without
    # the accountant app), payment 'paid', named P<journal code>/<year>/00001.
    assert action == {
        "name": "Payments",
        "type": "ir.actions.act_window",
        "res_model": "account.payment",
        "context": {"create": False},
        "view_mode": "form",
        "res_id": action["res_id"],
    }
    paid = move(odoo, mid)
    assert (paid["payment_state"], paid["amount_residual"]) == ("paid", 0.0)
    [payment] = odoo.read(
        "account.payment",
        [action["res_id"]],
        ["name", "state", "amount", "payment_type", "partner_type", "memo", "partner_id",
         "reconciled_invoice_ids", "journal_id", "move_id", "payment_method_line_id"],
    )  # fmt: skip
    assert payment["name"].startswith("PBNK1/") and payment["name"].endswith("/00001")
    assert (payment["state"], payment["amount"], payment["payment_type"]) == (
        "paid",
        207.0,
        "inbound",
    )
    assert payment["memo"] == paid["name"]
    assert payment["reconciled_invoice_ids"] == [mid]
    assert payment["partner_id"][0] == partner
    assert payment["move_id"][1] == f"{payment['name']} ({paid['name']})"
    assert payment["payment_method_line_id"][1] == "Manual Payment (Bank)"


def test_partial_cash_payments_then_paid(odoo: OdooClient, partner, product):
    mid = invoice(odoo, partner, product)
    ctx = {"active_model": "account.move", "active_ids": [mid]}
    vals = {"journal_id": journal(odoo, CASH), "amount": 50.0, "communication": "probe memo"}
    wiz = odoo.create("account.payment.register", [vals], context=ctx)[0]
    read = odoo.read(
        "account.payment.register", [wiz], ["payment_difference", "group_payment"], context=ctx
    )[0]
    assert (read["payment_difference"], read["group_payment"]) == (157.0, True)
    first = odoo.call("account.payment.register", "action_create_payments", [wiz], context=ctx)
    # Real: 'partial', residual 157, the cash payment stays 'in_process' until all is paid.
    assert (move(odoo, mid)["payment_state"], move(odoo, mid)["amount_residual"]) == (
        "partial",
        157.0,
    )
    assert odoo.read("account.payment", [first["res_id"]], ["state", "memo"])[0] == {
        "id": first["res_id"],
        "state": "in_process",
        "memo": "probe memo",
    }
    pay(odoo, [mid], CASH)
    assert move(odoo, mid)["payment_state"] == "paid"
    states = odoo.search_read("account.payment", [], ["name", "state", "amount"], order="id")
    assert [(p["name"][-5:], p["state"], p["amount"]) for p in states] == [
        ("00001", "paid", 50.0),
        ("00002", "paid", 157.0),
    ]
    with pytest.raises(ValidationError) as exc:
        pay(odoo, [mid])
    assert refusal(exc.value) == (
        "You can't register a payment because there is nothing left to pay on the selected "
        "journal items."
    )


def test_one_wizard_pays_several_invoices_one_payment_each(odoo: OdooClient, partner, product):
    other = odoo.create("res.partner", [{"name": "Other customer"}])[0]
    ids = [
        invoice(odoo, partner, product, quantity=1, price_unit=10.0, discount=0),
        invoice(odoo, partner, product, quantity=2, price_unit=10.0, discount=0),
        invoice(odoo, other, product, quantity=3, price_unit=10.0, discount=0),
    ]
    ctx = {"active_model": "account.move", "active_ids": ids}
    wiz = odoo.create(
        "account.payment.register",
        [{"journal_id": journal(odoo, BANK), "group_payment": False}],
        context=ctx,
    )[0]
    read = odoo.read(
        "account.payment.register", [wiz], ["amount", "can_edit_wizard", "communication"]
    )[0]
    # Real: 69.0 in all, the wizard cannot be edited (two partners), memo BATCH/<year>/00001.
    assert (read["amount"], read["can_edit_wizard"]) == (69.0, False)
    assert read["communication"].startswith("BATCH/")
    action = odoo.call(
        "account.payment.register",
        "action_create_payments",
        [wiz],
        context={**ctx, "dont_redirect_to_payments": False},
    )
    assert action["view_mode"] == "list,form" and action["domain"][0][:2] == ["id", "in"]
    payments = odoo.read("account.payment", action["domain"][0][2], ["amount", "memo", "state"])
    invoices = odoo.read("account.move", ids, ["name", "payment_state"])
    assert sorted(p["amount"] for p in payments) == [11.5, 23.0, 34.5]
    assert {p["memo"] for p in payments} == {i["name"] for i in invoices}
    assert {p["state"] for p in payments} == {"paid"}
    assert {i["payment_state"] for i in invoices} == {"paid"}


def test_grouped_payment_and_dont_redirect_returns_true(odoo: OdooClient, partner, product):
    ids = [invoice(odoo, partner, product, quantity=q, discount=0, price_unit=10.0) for q in (1, 2)]
    ctx = {"active_model": "account.move", "active_ids": ids, "dont_redirect_to_payments": True}
    wiz = odoo.create(
        "account.payment.register",
        [{"journal_id": journal(odoo, BANK), "group_payment": True}],
        context=ctx,
    )[0]
    result = odoo.call("account.payment.register", "action_create_payments", [wiz], context=ctx)
    # Real: True with dont_redirect_to_payments; one payment of 34.5 for both invoices.
    assert result is True
    [payment] = odoo.search_read(
        "account.payment", [], ["amount", "memo", "reconciled_invoice_ids"]
    )
    assert payment["amount"] == 34.5 and payment["memo"].startswith("BATCH/")
    assert sorted(payment["reconciled_invoice_ids"]) == sorted(ids)


def test_payment_on_a_draft_invoice_is_registered_but_not_reconciled(
    odoo: OdooClient, partner, product
):
    # Real Odoo 18 accepts it (is_register_payment_on_draft): an unreconciled payment.
    mid = invoice(odoo, partner, product, post=False)
    action = pay(odoo, [mid])
    payment = odoo.read("account.payment", [action["res_id"]], ["state", "memo", "amount"])[0]
    assert (payment["state"], payment["memo"], payment["amount"]) == ("in_process", False, 207.0)
    odoo.call("account.move", "action_post", [mid])
    assert (move(odoo, mid)["payment_state"], move(odoo, mid)["amount_residual"]) == (
        "not_paid",
        207.0,
    )


def test_payment_wizard_refusals(odoo: OdooClient, partner, product):
    with pytest.raises(ValidationError) as exc:
        odoo.create("account.payment.register", [{"journal_id": journal(odoo, BANK)}])
    assert refusal(exc.value) == (
        "The register payment wizard should only be called on account.move or "
        "account.move.line records."
    )
    with pytest.raises(ValidationError) as exc:
        pay(odoo, [invoice(odoo, partner, product)], SALES)
    assert refusal(exc.value) == "Please define a payment method line on your payment."


# -- credit notes ----------------------------------------------------------------------------


def test_partial_credit_note_on_a_paid_invoice(odoo: OdooClient, partner, product):
    mid = invoice(odoo, partner, product, quantity=3, price_unit=20.0, discount=0)
    pay(odoo, [mid])
    action = reverse(odoo, [mid], reason="damaged")
    # Real: the action opens the draft credit note.
    assert action == {
        "name": "Reverse Moves",
        "type": "ir.actions.act_window",
        "res_model": "account.move",
        "view_mode": "form",
        "res_id": action["res_id"],
        "context": {"default_move_type": "out_refund"},
    }
    refund = move(odoo, action["res_id"])
    name = move(odoo, mid)["name"]
    assert (refund["move_type"], refund["state"], refund["name"]) == ("out_refund", "draft", False)
    assert refund["reversed_entry_id"] == [mid, name]
    assert refund["ref"] == f"Reversal of: {name}, damaged"
    assert refund["display_name"] == f"Draft Credit Note (Reversal of: {name}, damaged)"
    assert (refund["amount_total"], refund["amount_total_signed"]) == (69.0, -69.0)
    [line] = odoo.read("account.move", [refund["id"]], ["invoice_line_ids"])[0]["invoice_line_ids"]
    odoo.write("account.move", [refund["id"]], {"invoice_line_ids": [(1, line, {"quantity": 1})]})
    assert odoo.call("account.move", "action_post", [refund["id"]]) is False
    refund = move(odoo, refund["id"])
    # Real: RINV/<year>/00001, 23.0, not reconciled (the invoice was already paid).
    assert refund["name"].startswith("RINV/") and refund["name"].endswith("/00001")
    assert (refund["amount_total"], refund["amount_residual_signed"]) == (23.0, -23.0)
    assert refund["payment_state"] == "not_paid" and refund["payment_reference"] is False
    assert move(odoo, mid)["payment_state"] == "paid"
    # Paying the refund back is an outbound payment.
    back = pay(odoo, [refund["id"]])
    assert odoo.read("account.payment", [back["res_id"]], ["payment_type"])[0]["payment_type"] == (
        "outbound"
    )
    assert move(odoo, refund["id"])["payment_state"] == "paid"


def test_credit_note_settles_an_unpaid_invoice(odoo: OdooClient, partner, product):
    full = invoice(odoo, partner, product, quantity=1, price_unit=10.0, discount=0)
    refund = reverse(odoo, [full])["res_id"]
    odoo.call("account.move", "action_post", [refund])
    # Real: posting reconciles them: the invoice becomes 'reversed', the credit note 'paid'.
    assert move(odoo, full)["payment_state"] == "reversed"
    assert move(odoo, refund)["payment_state"] == "paid"

    big = invoice(odoo, partner, product, quantity=1, price_unit=10.0, discount=0)
    refund = reverse(odoo, [big], reason="big")["res_id"]
    [line] = odoo.read("account.move", [refund], ["invoice_line_ids"])[0]["invoice_line_ids"]
    odoo.write("account.move", [refund], {"invoice_line_ids": [(1, line, {"quantity": 5})]})
    odoo.call("account.move", "action_post", [refund])
    # Real: a credit note larger than the invoice is allowed: 57.5 against 11.5.
    assert (move(odoo, refund)["payment_state"], move(odoo, refund)["amount_residual"]) == (
        "partial",
        46.0,
    )
    assert move(odoo, big)["payment_state"] == "reversed"


def test_modify_moves_and_reversal_refusals(odoo: OdooClient, xml: Any, partner, product):
    mid = invoice(odoo, partner, product)
    action = reverse(odoo, [mid], "modify_moves")
    # Real: the credit note is posted at once and a draft copy of the invoice is opened.
    assert action["context"] == {"default_move_type": "out_invoice"}
    copy = move(odoo, action["res_id"])
    assert (copy["state"], copy["amount_total"]) == ("draft", 207.0)
    assert move(odoo, mid)["payment_state"] == "reversed"

    two = [invoice(odoo, partner, product), invoice(odoo, partner, product)]
    action = reverse(odoo, two)
    assert action["view_mode"] == "list,form" and len(action["domain"][0][2]) == 2

    ctx = {"active_model": "account.move", "active_ids": [invoice(odoo, partner, product, False)]}
    with pytest.raises(ValidationError) as exc:
        odoo.create("account.move.reversal", [{"journal_id": journal(odoo, SALES)}], context=ctx)
    assert refusal(exc.value) == "You can only reverse posted moves."
    ctx = {"active_model": "account.move", "active_ids": [invoice(odoo, partner, product)]}
    with pytest.raises(ValidationError) as exc:
        odoo.create("account.move.reversal", [{"journal_id": journal(odoo, BANK)}], context=ctx)
    assert refusal(exc.value) == "Journal should be the same type as the reversed entry."
    with pytest.raises(ValidationError) as exc:
        odoo.create("account.move.reversal", [{"reason": "no journal"}], context=ctx)
    assert "Field: Journal (journal_id)" in refusal(exc.value)
    # Over XML-RPC the wizard's action marshals fine.
    wiz = xml("account.move.reversal", "create", {"journal_id": 1}, context=ctx)
    assert xml("account.move.reversal", "refund_moves", [wiz], context=ctx)["res_model"] == (
        "account.move"
    )


# -- invoices from sale orders ---------------------------------------------------------------


def order(odoo: OdooClient, partner: int, product: int, qty: float, ref: str, **extra) -> int:
    line = {"product_id": product, "product_uom_qty": qty, "price_unit": 50.0, "discount": 10.0}
    lines = [(0, 0, line)]
    if extra.pop("ship", 0):
        [carrier] = odoo.search("product.product", [("default_code", "=", "Delivery_007")])
        ship = {"product_id": carrier, "product_uom_qty": 1, "price_unit": 5.0}
        lines.append((0, 0, {**ship, "is_delivery": True, "name": "Standard delivery"}))
    vals = {"partner_id": partner, "client_order_ref": ref, "order_line": lines, **extra}
    oid = odoo.create("sale.order", [vals])[0]
    odoo.call("sale.order", "action_confirm", [oid])
    return oid


def invoice_orders(odoo: OdooClient, ids: list[int], **vals: Any) -> Any:
    ctx = {"active_model": "sale.order", "active_ids": ids, "active_id": ids[0]}
    vals = {"advance_payment_method": "delivered", **vals}
    wiz = odoo.create("sale.advance.payment.inv", [vals], context=ctx)[0]
    return odoo.call("sale.advance.payment.inv", "create_invoices", [wiz], context=ctx)


def test_invoice_several_orders_one_invoice_each(odoo: OdooClient, partner, product):
    first = order(odoo, partner, product, 2, "M-1", ship=True)
    second = order(odoo, partner, product, 1, "M-2")
    action = invoice_orders(odoo, [first, second], consolidated_billing=False)
    # Real: an action with the invoices' ids in its domain; one draft invoice per order.
    assert action["res_model"] == "account.move" and action["type"] == "ir.actions.act_window"
    assert action["context"] == {"default_move_type": "out_invoice"}
    ids = action["domain"][0][2]
    orders = odoo.read("sale.order", [first, second], ["name", "invoice_ids", "invoice_status"])
    assert sorted(ids) == sorted(o["invoice_ids"][0] for o in orders)
    assert {o["invoice_status"] for o in orders} == {"invoiced"}
    [inv] = odoo.read("account.move", orders[0]["invoice_ids"], MOVE_FIELDS + ["invoice_line_ids"])
    assert (inv["state"], inv["name"], inv["invoice_origin"], inv["ref"]) == (
        "draft",
        False,
        orders[0]["name"],
        "M-1",
    )
    # Real S00019: 2 x 50 at 10 % off + 15 % tax, delivery 5.00 untaxed.
    assert (inv["amount_untaxed"], inv["amount_tax"], inv["amount_total"]) == (95.0, 13.5, 108.5)
    so = odoo.read("sale.order", [first], ["amount_total"])[0]
    assert so["amount_total"] == inv["amount_total"]
    lines = odoo.read(
        "account.move.line", inv["invoice_line_ids"], ["name", "quantity", "sale_line_ids"]
    )
    assert [ln["name"] for ln in lines] == [
        "Probe product",
        "[Delivery_007] Standard delivery Standard delivery",
    ]
    so_lines = odoo.search_read(
        "sale.order.line", [("order_id", "=", first)], ["qty_invoiced", "qty_to_invoice"]
    )
    assert [(ln["qty_invoiced"], ln["qty_to_invoice"]) for ln in so_lines] == [
        (2.0, 0.0),
        (1.0, 0.0),
    ]
    assert [ln["sale_line_ids"] for ln in lines] == [[ln["id"]] for ln in so_lines]

    odoo.call("account.move", "action_post", ids)
    pay(odoo, ids)
    assert {m["payment_state"] for m in odoo.read("account.move", ids, ["payment_state"])} == {
        "paid"
    }
    with pytest.raises(ValidationError) as exc:
        invoice_orders(odoo, [first])
    assert refusal(exc.value).startswith("Cannot create an invoice. No items are available")


def test_consolidated_billing_is_the_default(odoo: OdooClient, partner, product):
    a = order(odoo, partner, product, 2, "M-1", ship=True)
    b = order(odoo, partner, product, 1, "M-2")
    invoice_orders(odoo, [a, b])
    orders = odoo.read("sale.order", [a, b], ["name", "invoice_ids"])
    # Real: orders of one customer share one invoice, origins and refs joined.
    assert orders[0]["invoice_ids"] == orders[1]["invoice_ids"]
    inv = move(odoo, orders[0]["invoice_ids"][0])
    assert inv["invoice_origin"] == f"{orders[0]['name']}, {orders[1]['name']}"
    assert inv["ref"] == "M-1, M-2"
    assert inv["amount_total"] == 160.25


def test_credit_note_of_an_order_invoice_reopens_the_order(odoo: OdooClient, partner, product):
    oid = order(odoo, partner, product, 2, "M-1", ship=True)
    invoice_orders(odoo, [oid])
    [inv] = odoo.read("sale.order", [oid], ["invoice_ids"])[0]["invoice_ids"]
    odoo.call("account.move", "action_post", [inv])
    refund = reverse(odoo, [inv])["res_id"]
    # Real: even a draft credit note counts: qty_invoiced back to 0, order 'to invoice'.
    assert odoo.read("sale.order", [oid], ["invoice_status", "invoice_ids"])[0] == {
        "id": oid,
        "invoice_status": "to invoice",
        "invoice_ids": [refund, inv],
    }
    lines = odoo.read("account.move", [refund], ["invoice_line_ids"])[0]["invoice_line_ids"]
    odoo.write("account.move", [refund], {"invoice_line_ids": [(2, lines[0], 0)]})
    odoo.call("account.move", "action_post", [refund])
    so_lines = odoo.search_read(
        "sale.order.line", [("order_id", "=", oid)], ["qty_invoiced", "invoice_status"]
    )
    assert [(ln["qty_invoiced"], ln["invoice_status"]) for ln in so_lines] == [
        (2.0, "invoiced"),
        (0.0, "to invoice"),
    ]
    assert move(odoo, inv)["payment_state"] == "partial"


def test_single_order_invoice_action_holds_none(
    sandbox: OdooSandbox, odoo: OdooClient, xml: Any, partner, product
):
    oid = order(odoo, partner, product, 1, "X1")
    ctx = {"active_model": "sale.order", "active_ids": [oid], "active_id": oid}
    wiz = xml("sale.advance.payment.inv", "create", {"advance_payment_method": "delivered"},
              context=ctx)  # fmt: skip
    # Real: with no payment term the action's context holds None, so XML-RPC faults with
    # "cannot marshal None" -- after the invoice was created and committed.
    with pytest.raises(xmlrpc.client.Fault) as fault:
        xml("sale.advance.payment.inv", "create_invoices", [wiz], context=ctx)
    assert fault.value.faultCode == 1 and "cannot marshal None" in fault.value.faultString
    assert len(odoo.read("sale.order", [oid], ["invoice_ids"])[0]["invoice_ids"]) == 1

    term = odoo.search("account.payment.term", [("name", "=", "30 Days")])[0]
    oid = order(odoo, partner, product, 1, "X2", payment_term_id=term)
    ctx = {"active_model": "sale.order", "active_ids": [oid], "active_id": oid}
    wiz = odoo.create("sale.advance.payment.inv", [{}], context=ctx)[0]
    body = raw_json(sandbox, "sale.advance.payment.inv", "create_invoices", [wiz], context=ctx)
    action = body["result"]
    inv = odoo.read("sale.order", [oid], ["invoice_ids"])[0]["invoice_ids"][0]
    assert action["res_id"] == inv
    assert action["context"]["default_invoice_payment_term_id"] == term
    terms = odoo.read("account.move", [inv], ["invoice_payment_term_id"])[0]
    assert terms["invoice_payment_term_id"] == [term, "30 Days"]
