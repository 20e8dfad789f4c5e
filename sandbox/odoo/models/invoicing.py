"""Customer invoices, credit notes and payments, as Odoo 18 Community makes them.

account.move / account.move.line (invoices, credit notes, payment entries),
account.payment, and the three wizards Bridge drives over RPC:
`sale.advance.payment.inv` (invoice sale orders), `account.payment.register`
(register payments) and `account.move.reversal` (credit notes).

Behaviour measured on a real Odoo 18.0 Community server (see the tests):
- drafts have no name (`False`); `action_post` names them INV/2026/00001 or
  RINV/2026/00001 and returns False; `button_draft` / `button_cancel` return None;
- without the accountant app a paid invoice is `paid` at once, never `in_payment`,
  for bank and cash journals alike; a zero-total invoice is `paid` when posted;
- posting a credit note reconciles it with the invoice it reverses while that
  invoice has something left to pay (fully: the invoice becomes `reversed`);
- every wizard method returns a window action (a dict), or True for payments
  with `dont_redirect_to_payments` in the context. The invoicing wizard's action
  for a single order holds `None` when the order has no payment term, so over
  XML-RPC it fails with "cannot marshal None" after the invoice was committed.

Reconciliation is kept on each move as a hidden `_partials` list (counterpart,
amount); `amount_residual` and `payment_state` derive from it.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from typing import Any

from sandbox.odoo.exceptions import UserError
from sandbox.odoo.methods import Records
from sandbox.odoo.models import sale, tax_totals
from sandbox.odoo.models.account import float_round
from sandbox.odoo.models.base import COMPANY, USD
from sandbox.odoo.models.base import partner as partner_model
from sandbox.odoo.registry import Env, Model, fld, now

INVOICE_TYPES = (
    "out_invoice",
    "out_refund",
    "in_invoice",
    "in_refund",
    "out_receipt",
    "in_receipt",
)
MOVE_TYPES = ("entry", *INVOICE_TYPES)
DRAFT_LABEL = {
    "out_invoice": "Draft Invoice",
    "out_refund": "Draft Credit Note",
    "in_invoice": "Draft Bill",
    "in_refund": "Draft Vendor Credit Note",
    "out_receipt": "Draft Sales Receipt",
    "in_receipt": "Draft Purchase Receipt",
    "entry": "Draft Entry",
}
PARTNER_LABEL = {"out_invoice": "Customer Invoice", "out_refund": "Customer Credit Note"}
#: Fields Odoo refuses to change on a posted move (account_move.py, write()).
LOCKED_WHEN_POSTED = (
    "invoice_line_ids", "line_ids", "invoice_date", "date", "partner_id", "partner_bank_id",
    "invoice_payment_term_id", "currency_id", "fiscal_position_id", "invoice_cash_rounding_id",
)  # fmt: skip
NOTHING_TO_INVOICE = (
    "Cannot create an invoice. No items are available to invoice.\n\n"
    "To resolve this issue, please ensure that:\n"
    "   \u2022 The products have been delivered before attempting to invoice them.\n"
    "   \u2022 The invoicing policy of the product is configured correctly.\n\n"
    "If you want to invoice based on ordered quantities instead:\n"
    "   \u2022 For consumable or storable products, open the product, go to the 'General "
    "Information' tab and change the 'Invoicing Policy' from 'Delivered Quantities' to "
    "'Ordered Quantities'.\n"
    "   \u2022 For services (and other products), change the 'Invoicing Policy' to "
    "'Prepaid/Fixed Price'.\n"
)

move = Model(
    "account.move",
    "Journal Entry",
    {
        "name": fld("char", "Number"),
        "ref": fld("char", "Reference"),
        "date": fld("date", "Date", required=True, default=lambda env: _today()),
        "move_type": fld("selection", "Type", required=True, selection=MOVE_TYPES, default="entry"),
        "state": fld(
            "selection",
            "Status",
            required=True,
            selection=("draft", "posted", "cancel"),
            default="draft",
        ),
        "payment_state": fld(
            "selection",
            "Payment Status",
            selection=(
                "not_paid",
                "in_payment",
                "paid",
                "partial",
                "reversed",
                "blocked",
                "invoicing_legacy",
            ),
            default="not_paid",
        ),  # fmt: skip
        "journal_id": fld("many2one", "Journal", relation="account.journal"),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
        "currency_id": fld("many2one", "Currency", relation="res.currency", default=USD),
        "partner_id": fld("many2one", "Partner", relation="res.partner"),
        "partner_shipping_id": fld("many2one", "Delivery Address", relation="res.partner"),
        "invoice_date": fld("date", "Invoice/Bill Date"),
        "invoice_date_due": fld("date", "Due Date"),
        "invoice_origin": fld("char", "Origin"),
        "payment_reference": fld("char", "Payment Reference"),
        "narration": fld("html", "Terms and Conditions"),
        "invoice_payment_term_id": fld(
            "many2one", "Payment Terms", relation="account.payment.term"
        ),
        "invoice_line_ids": fld(
            "one2many", "Invoice lines", relation="account.move.line", inverse="move_id"
        ),
        "amount_untaxed": fld("monetary", "Untaxed Amount", default=0.0),
        "amount_tax": fld("monetary", "Tax", default=0.0),
        "amount_total": fld("monetary", "Total", default=0.0),
        "amount_residual": fld("monetary", "Amount Due", default=0.0),
        "amount_untaxed_signed": fld("monetary", "Untaxed Amount Signed", default=0.0),
        "amount_tax_signed": fld("monetary", "Tax Signed", default=0.0),
        "amount_total_signed": fld("monetary", "Total Signed", default=0.0),
        "amount_residual_signed": fld("monetary", "Amount Due Signed", default=0.0),
        "reversed_entry_id": fld("many2one", "Reversal of", relation="account.move"),
        "reversal_move_ids": fld(
            "one2many", "Reversal Move", relation="account.move", inverse="reversed_entry_id"
        ),
        "origin_payment_id": fld("many2one", "Payment", relation="account.payment"),
        "matched_payment_ids": fld("many2many", "Matched Payments", relation="account.payment"),
        "posted_before": fld("boolean", "Posted Before", default=False),
    },
    rec_name="name",
    order="date desc, name desc, id desc",
)

move_line = Model(
    "account.move.line",
    "Journal Item",
    {
        "move_id": fld("many2one", "Journal Entry", required=True, relation="account.move"),
        "sequence": fld("integer", "Sequence", default=10),
        "display_type": fld(
            "selection",
            "Display Type",
            selection=("product", "line_section", "line_note"),
            default="product",
        ),
        "product_id": fld("many2one", "Product", relation="product.product"),
        "name": fld("char", "Label"),
        "quantity": fld("float", "Quantity", default=1.0),
        "price_unit": fld("float", "Unit Price", default=0.0),
        "discount": fld("float", "Discount (%)", default=0.0),
        "tax_ids": fld("many2many", "Taxes", relation="account.tax"),
        "price_subtotal": fld("monetary", "Subtotal", default=0.0),
        "price_total": fld("monetary", "Total", default=0.0),
        "account_id": fld("many2one", "Account", relation="account.account"),
        "partner_id": fld("many2one", "Partner", relation="res.partner"),
        "currency_id": fld("many2one", "Currency", relation="res.currency", default=USD),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
        "sale_line_ids": fld("many2many", "Sales Order Lines", relation="sale.order.line"),
    },
    order="move_id, sequence, id",
)

payment = Model(
    "account.payment",
    "Payments",
    {
        "name": fld("char", "Number"),
        "state": fld(
            "selection",
            "Status",
            required=True,
            selection=("draft", "in_process", "paid", "canceled", "rejected"),
            default="draft",
        ),
        "date": fld("date", "Date", required=True, default=lambda env: _today()),
        "amount": fld("monetary", "Amount", default=0.0),
        "payment_type": fld(
            "selection", "Payment Type", selection=("outbound", "inbound"), default="inbound"
        ),
        "partner_type": fld(
            "selection", "Partner Type", selection=("customer", "supplier"), default="customer"
        ),
        "memo": fld("char", "Memo"),
        "journal_id": fld("many2one", "Journal", relation="account.journal"),
        "partner_id": fld("many2one", "Customer/Vendor", relation="res.partner"),
        "currency_id": fld("many2one", "Currency", relation="res.currency", default=USD),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
        "payment_method_line_id": fld(
            "many2one", "Payment Method", relation="account.payment.method.line"
        ),
        "move_id": fld("many2one", "Journal Entry", relation="account.move"),
        "invoice_ids": fld("many2many", "Invoices", relation="account.move"),
        "reconciled_invoice_ids": fld("many2many", "Reconciled Invoices", relation="account.move"),
        "is_reconciled": fld("boolean", "Is Reconciled", default=False),
        "is_matched": fld("boolean", "Is Matched With a Bank Statement", default=False),
    },
    order="date desc, name desc",
)
payment.display_name = lambda env, rec: rec.get("name") or "Draft Payment"

register = Model(
    "account.payment.register",
    "Pay",
    {
        "payment_date": fld("date", "Payment Date", required=True, default=lambda e: _today()),
        "amount": fld("monetary", "Amount", default=0.0),
        "communication": fld("char", "Memo"),
        "group_payment": fld("boolean", "Group Payments", default=False),
        "journal_id": fld("many2one", "Journal", relation="account.journal"),
        "payment_method_line_id": fld(
            "many2one", "Payment Method", relation="account.payment.method.line"
        ),
        "currency_id": fld("many2one", "Currency", relation="res.currency", default=USD),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
        "partner_id": fld("many2one", "Customer/Vendor", relation="res.partner"),
        "payment_type": fld("selection", "Payment Type", selection=("outbound", "inbound")),
        "partner_type": fld("selection", "Partner Type", selection=("customer", "supplier")),
        "source_amount": fld("monetary", "Amount to Pay (company currency)", default=0.0),
        "can_edit_wizard": fld("boolean", "Can Edit Wizard", default=False),
        "can_group_payments": fld("boolean", "Can Group Payments", default=False),
        "payment_difference": fld("monetary", "Payment Difference", default=0.0),
        "payment_difference_handling": fld(
            "selection",
            "Payment Difference Handling",
            selection=("open", "reconcile"),
            default="open",
        ),
        "installments_mode": fld(
            "selection",
            "Installments Mode",
            selection=("next", "overdue", "before_date", "full"),
            default="full",
        ),
        "is_register_payment_on_draft": fld("boolean", "Register On Draft", default=False),
    },
    rec_name="id",
)

reversal = Model(
    "account.move.reversal",
    "Account Move Reversal",
    {
        "move_ids": fld("many2many", "Move", relation="account.move"),
        "new_move_ids": fld("many2many", "New Move", relation="account.move"),
        "date": fld("date", "Reversal date", default=lambda env: _today()),
        "reason": fld("char", "Reason displayed on Credit Note"),
        "journal_id": fld("many2one", "Journal", required=True, relation="account.journal"),
        "company_id": fld("many2one", "Company", required=True, relation="res.company"),
        "residual": fld("monetary", "Residual", default=0.0),
        "currency_id": fld("many2one", "Currency", relation="res.currency"),
        "move_type": fld("char", "Move Type"),
    },
    rec_name="id",
)

advance = Model(
    "sale.advance.payment.inv",
    "Sales Advance Payment Invoice",
    {
        "advance_payment_method": fld(
            "selection",
            "Create Invoice",
            required=True,
            selection=("delivered", "percentage", "fixed"),
            default="delivered",
        ),
        "sale_order_ids": fld(
            "many2many",
            "Sale Order",
            relation="sale.order",
            default=lambda env: list(env.context.get("active_ids") or []),
        ),
        "count": fld("integer", "Order Count", default=0),
        "deduct_down_payments": fld("boolean", "Deduct down payments", default=True),
        "consolidated_billing": fld("boolean", "Consolidated Billing", default=True),
        "amount": fld("float", "Down Payment", default=0.0),
        "fixed_amount": fld("monetary", "Down Payment Amount (Fixed)", default=0.0),
        "currency_id": fld("many2one", "Currency", relation="res.currency", default=USD),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
    },
    rec_name="id",
)


# -- small helpers ---------------------------------------------------------------------------


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _set(env: Env, model: str, rid: int, **vals: Any) -> None:
    """Store computed values without going through write (no hooks, no checks)."""
    env.db.remember(model, rid)
    rec = env.table(model)[rid]
    rec.update(vals)
    rec["write_date"] = now()


def _m2o(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return value[0] if value else False
    return value


def _lines_of(env: Env, move_id: int) -> list[dict[str, Any]]:
    lines = env.lookup("account.move.line", "move_id", move_id)
    return sorted(lines, key=lambda ln: (ln["sequence"], ln["id"]))


def _is_zero(amount: float) -> bool:
    return abs(float_round(amount)) < 0.005


def _residual(rec: dict[str, Any]) -> float:
    return float_round(rec["amount_total"] - sum(p["amount"] for p in rec.get("_partials", [])))


# -- amounts, due date, payment state --------------------------------------------------------


def _base_line(ln: dict[str, Any]) -> tax_totals.Line:
    return tax_totals.Line(
        price_unit=ln["price_unit"],
        quantity=ln["quantity"],
        discount=ln.get("discount") or 0.0,
        tax_ids=list(ln.get("tax_ids") or []),
    )


def _compute_line(env: Env, line_id: int) -> None:
    """price_subtotal / price_total: account.move.line._compute_totals (the line's own taxes)."""
    ln = env.table("account.move.line")[line_id]
    if ln.get("display_type") in ("line_section", "line_note"):
        _set(env, "account.move.line", line_id, price_subtotal=0.0, price_total=0.0)
        return
    move = env.table("account.move").get(ln["move_id"]) or {}
    subtotal, total = tax_totals.line_amounts(
        env, _base_line(ln), ln.get("company_id"), move.get("currency_id")
    )
    _set(env, "account.move.line", line_id, price_subtotal=subtotal, price_total=total)


def _due_date(env: Env, term_id: int | bool, start: str) -> str:
    """The last due date of the payment term's installments (all the term is due by then)."""
    base = date.fromisoformat(start)
    if not term_id:
        return start
    lines = [
        ln for ln in env.table("account.payment.term.line").values() if ln["payment_id"] == term_id
    ]
    due = base
    for ln in lines:
        days = ln["nb_days"]
        if ln["delay_type"] == "days_after_end_of_month":
            when = _month_end(base) + timedelta(days=days)
        elif ln["delay_type"] == "days_after_end_of_next_month":
            when = _month_end(_month_end(base) + timedelta(days=1)) + timedelta(days=days)
        elif ln["delay_type"] == "days_end_of_month_on_the":
            after = _month_end(base + timedelta(days=days)) + timedelta(days=1)
            day = min(int(ln.get("days_next_month") or 1), _month_end(after).day)
            when = after.replace(day=day)
        else:
            when = base + timedelta(days=days)
        due = max(due, when)
    return due.isoformat()


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _payment_state(env: Env, rec: dict[str, Any]) -> str:
    """account.move._compute_payment_state, Community edition (no `in_payment`)."""
    if rec["state"] != "posted" or rec["move_type"] not in INVOICE_TYPES:
        return "not_paid"
    partials = rec.get("_partials", [])
    if _is_zero(_residual(rec)):
        if any("payment" in p for p in partials):
            return "paid"
        moves = env.table("account.move")
        kinds = {moves[p["move"]]["move_type"] for p in partials if p["move"] in moves}
        reverse = {"out_invoice": "out_refund", "in_invoice": "in_refund"}.get(rec["move_type"])
        if reverse and kinds in ({reverse}, {reverse, "entry"}):
            return "reversed"
        return "paid"
    return "partial" if partials else "not_paid"


def recompute_move(env: Env, move_id: int) -> None:
    """Totals from the invoice lines, residual from the reconciliations, payment state."""
    rec = env.table("account.move").get(move_id)
    if rec is None or rec["move_type"] not in INVOICE_TYPES:
        return
    # Odoo 18 sums the base lines' balances (their rounded bases plus the rounding
    # deltas) and the tax lines (one per tax, the rounded sum): the tax totals summary.
    lines = [ln for ln in _lines_of(env, move_id) if ln["display_type"] == "product"]
    amounts = tax_totals.totals_summary(
        env, [_base_line(ln) for ln in lines], rec.get("company_id"), rec.get("currency_id")
    )
    untaxed, total = amounts.untaxed, amounts.total
    sign = -1 if rec["move_type"] in ("out_refund", "in_invoice", "in_receipt") else 1
    vals = {"amount_untaxed": untaxed, "amount_tax": amounts.tax, "amount_total": total}
    if not rec.get("invoice_date_due") or rec["state"] == "draft":
        vals["invoice_date_due"] = _due_date(
            env, rec.get("invoice_payment_term_id"), rec.get("invoice_date") or _today()
        )
    _set(env, "account.move", move_id, **vals)
    residual = _residual(rec) if rec["state"] == "posted" else total
    state = _payment_state(env, rec)
    _set(
        env,
        "account.move",
        move_id,
        amount_residual=residual,
        amount_untaxed_signed=sign * untaxed,
        amount_tax_signed=sign * vals["amount_tax"],
        amount_total_signed=sign * total,
        amount_residual_signed=sign * residual,
        payment_state=state,
    )
    _refresh_payments(env, move_id)


def _refresh_payments(env: Env, move_id: int) -> None:
    """A payment in process becomes paid once all its invoices are paid (Odoo 18)."""
    moves = env.table("account.move")
    payments = env.table("account.payment")
    for pid in moves[move_id].get("matched_payment_ids") or []:
        pay = payments.get(pid)
        if pay is None or pay["state"] != "in_process":
            continue
        invoices = pay.get("invoice_ids") or []
        if invoices and all(moves[i]["payment_state"] == "paid" for i in invoices if i in moves):
            _set(env, "account.payment", pid, state="paid")


def _reconcile(env: Env, move_id: int, counterpart: dict[str, int], amount: float) -> None:
    rec = env.table("account.move")[move_id]
    partials = [*rec.get("_partials", []), {**counterpart, "amount": float_round(amount)}]
    _set(env, "account.move", move_id, _partials=partials)


# -- names -----------------------------------------------------------------------------------


def _next_number(env: Env, model: str, prefix: str) -> int:
    """The next number after the highest one used with this prefix (found once, then counted)."""
    key = f"ir.sequence:{model}:{prefix}"
    if key not in env.db.sequences:
        env.db.sequences[key] = max(
            (
                int(name[len(prefix) :])
                for rec in env.table(model).values()
                if isinstance(name := rec.get("name"), str)
                and name.startswith(prefix)
                and name[len(prefix) :].isdigit()
            ),
            default=0,
        )
    env.db.sequences[key] += 1
    return env.db.sequences[key]


def _move_name(env: Env, rec: dict[str, Any]) -> str:
    journal = env.table("account.journal")[rec["journal_id"]]
    day = date.fromisoformat(rec["date"])
    code = journal["code"]
    if rec.get("origin_payment_id"):
        prefix = f"P{code}/{day.year}/"
    elif rec["move_type"] in ("out_refund", "in_refund"):
        prefix = f"R{code}/{day.year}/"
    elif journal["type"] == "general":
        prefix = f"{code}/{day.year}/{day.month:02d}/"
        return f"{prefix}{_next_number(env, 'account.move', prefix):04d}"
    else:
        prefix = f"{code}/{day.year}/"
    return f"{prefix}{_next_number(env, 'account.move', prefix):05d}"


def _move_display_name(env: Env, rec: dict[str, Any]) -> str:
    name = DRAFT_LABEL[rec["move_type"]] if rec["state"] == "draft" else ""
    if rec.get("name") and rec["name"] != "/":
        name = f"{name} {rec['name']}".strip()
    ref = rec.get("ref")
    if ref:
        name += f" ({ref if len(ref) <= 50 else ref[:46] + ' [...]'})"
    return name


move.display_name = _move_display_name


# -- create / write / unlink -----------------------------------------------------------------


def _prepare_line(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    """The defaults the invoice form fills from the product: label, price, taxes, account."""
    vals = dict(vals)
    pid = _m2o(vals.get("product_id"))
    if pid and vals.get("display_type", "product") == "product":
        [product] = env.ensure("product.product", [int(pid)])
        if not vals.get("name"):
            vals["name"] = env.display_name("product.product", product["id"])
        if "price_unit" not in vals:
            vals["price_unit"] = env.value("product.product", product, "list_price")
        if "tax_ids" not in vals:
            vals["tax_ids"] = [(6, 0, list(env.value("product.product", product, "taxes_id")))]
    for name in ("price_unit", "discount"):
        if name in vals:
            vals[name] = float_round(vals[name] or 0.0)
    return vals


def _prepare_commands(env: Env, commands: list[Any]) -> list[Any]:
    out = []
    for cmd in commands or []:
        if isinstance(cmd, list | tuple) and cmd and cmd[0] == 0:
            out.append((0, 0, _prepare_line(env, cmd[2])))
        elif isinstance(cmd, list | tuple) and cmd and cmd[0] == 1:
            out.append((1, cmd[1], _prepare_line(env, cmd[2])))
        else:
            out.append(cmd)
    return out


def _default_journal(env: Env, move_type: str) -> int | bool:
    kind = {"out": "sale", "in": "purchase"}.get(move_type.split("_")[0], "general")
    journals = env.search("account.journal", [("type", "=", kind)], order="sequence, id")
    return journals[0] if journals else False


def _prepare_move(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    vals = dict(vals)
    move_type = vals.get("move_type") or env.context.get("default_move_type") or "entry"
    vals["move_type"] = move_type
    if not vals.get("journal_id"):
        vals["journal_id"] = _default_journal(env, move_type)
    if vals.get("invoice_date") and "date" not in vals:
        vals["date"] = vals["invoice_date"]
    if vals.get("invoice_line_ids"):
        vals["invoice_line_ids"] = _prepare_commands(env, vals["invoice_line_ids"])
    return vals


def create_moves(env: Env, vals_list: list[dict[str, Any]]) -> list[int]:
    """Create invoices, totalling each once (not once per line: pages hold hundreds)."""
    batch = Env(env.db, env.uid, {**env.context, "_defer_totals": True})
    ids = batch.create("account.move", [_prepare_move(env, v) for v in vals_list])
    for mid in ids:
        recompute_move(env, mid)
    refresh_sale_lines(env, _sale_lines_of(env, ids))
    return ids


def _line_touched(env: Env, line_id: int, vals: dict[str, Any] | None = None) -> None:
    ln = env.table("account.move.line")[line_id]
    parent = env.table("account.move")[ln["move_id"]]
    if not ln.get("partner_id") and parent.get("partner_id"):
        _set(env, "account.move.line", line_id, partner_id=parent["partner_id"])
    if not ln.get("account_id") and parent.get("journal_id"):
        journal = env.table("account.journal")[parent["journal_id"]]
        _set(env, "account.move.line", line_id, account_id=journal.get("default_account_id"))
    _compute_line(env, line_id)
    if not env.context.get("_defer_totals"):
        recompute_move(env, ln["move_id"])


move_line.on_create.append(_line_touched)
move_line.on_write.append(_line_touched)
move.on_write.append(lambda env, mid, vals: recompute_move(env, mid))


@move.method("create", api_model=True)
def move_create(records: Records, vals_list: list[dict[str, Any]] | dict[str, Any]) -> Any:
    single = isinstance(vals_list, dict)
    ids = create_moves(records.env, [vals_list] if single else list(vals_list))
    return ids[0] if single else ids


@move.method("write")
def move_write(records: Records, vals: dict[str, Any]) -> bool:
    env = records.env
    recs = env.ensure("account.move", env.existing("account.move", records.ids))
    locked = [name for name in vals if name in LOCKED_WHEN_POSTED]
    if locked and any(vals.get("state", rec["state"]) == "posted" for rec in recs):
        raise UserError(
            "You cannot modify the following readonly fields on a posted move: " + ", ".join(locked)
        )
    vals = dict(vals)
    if "invoice_line_ids" in vals:
        vals["invoice_line_ids"] = _prepare_commands(env, vals["invoice_line_ids"])
    before = _sale_lines_of(env, [r["id"] for r in recs])
    env.write("account.move", [r["id"] for r in recs], vals)
    refresh_sale_lines(env, before | _sale_lines_of(env, [r["id"] for r in recs]))
    return True


@move.method("unlink")
def move_unlink(records: Records) -> bool:
    env = records.env
    ids = env.require("account.move", records.ids)
    for rec in env.ensure("account.move", ids):
        if rec["state"] == "posted":
            raise UserError(
                "You can't delete a posted journal item. Don\u2019t play games with your "
                "accounting records; reset the journal entry to draft before deleting it."
            )
    sale_lines = _sale_lines_of(env, ids)
    env.unlink("account.move.line", [ln["id"] for i in ids for ln in _lines_of(env, i)])
    env.unlink("account.move", ids)
    refresh_sale_lines(env, sale_lines)
    return True


@move_line.method("create", api_model=True)
def line_create(records: Records, vals_list: list[dict[str, Any]] | dict[str, Any]) -> Any:
    env = records.env
    single = isinstance(vals_list, dict)
    ids = env.create(
        "account.move.line", [_prepare_line(env, v) for v in ([vals_list] if single else vals_list)]
    )
    refresh_sale_lines(env, _sale_lines_of(env, [], ids))
    return ids[0] if single else ids


@move_line.method("unlink")
def line_unlink(records: Records) -> bool:
    env = records.env
    ids = env.require("account.move.line", records.ids)
    moves = {env.table("account.move.line")[i]["move_id"] for i in ids}
    sale_lines = _sale_lines_of(env, [], ids)
    env.unlink("account.move.line", ids)
    for mid in moves:
        recompute_move(env, mid)
    refresh_sale_lines(env, sale_lines)
    return True


# -- workflow: post, reset, cancel -----------------------------------------------------------


@move.method()
def action_post(records: Records) -> bool:
    """Returns False on success, as Odoo 18 does (not True, not None)."""
    env = records.env
    recs = env.ensure("account.move", records.ids)
    for rec in recs:
        if rec["state"] != "draft":
            raise UserError(
                f"The entry {rec.get('name') or '/'} (id {rec['id']}) must be in draft."
            )
        if rec["move_type"] in INVOICE_TYPES:
            if not rec.get("partner_id"):
                label = PARTNER_LABEL.get(rec["move_type"], "Invoice")
                raise UserError(
                    f"The field 'Customer' is required, please complete it to validate the {label}."
                )
            if not [ln for ln in _lines_of(env, rec["id"]) if ln["display_type"] == "product"]:
                raise UserError("You need to add a line before posting.")
    for rec in recs:
        vals: dict[str, Any] = {"state": "posted", "posted_before": True}
        if rec["move_type"] in INVOICE_TYPES:
            invoice_date = rec.get("invoice_date") or _today()
            vals.update(invoice_date=invoice_date, date=invoice_date)
        _set(env, "account.move", rec["id"], **vals)
        if not rec.get("name") or rec["name"] == "/":
            _set(env, "account.move", rec["id"], name=_move_name(env, rec))
        if rec["move_type"] == "out_invoice" and not rec.get("payment_reference"):
            _set(env, "account.move", rec["id"], payment_reference=rec["name"])
        recompute_move(env, rec["id"])
    for rec in recs:
        origin = env.table("account.move").get(rec.get("reversed_entry_id") or 0)
        if origin and origin["state"] == "posted":
            _reconcile_reversal(env, origin["id"], rec["id"])
    return False


def _reconcile_reversal(env: Env, invoice_id: int, refund_id: int) -> None:
    """Posting a credit note settles what is still due on the invoice it reverses."""
    moves = env.table("account.move")
    amount = min(_residual(moves[invoice_id]), _residual(moves[refund_id]))
    if amount <= 0:
        return
    _reconcile(env, invoice_id, {"move": refund_id}, amount)
    _reconcile(env, refund_id, {"move": invoice_id}, amount)
    recompute_move(env, invoice_id)
    recompute_move(env, refund_id)


def _unreconcile(env: Env, move_id: int) -> None:
    rec = env.table("account.move")[move_id]
    for partial in rec.get("_partials", []):
        if "move" in partial:
            other = env.table("account.move")[partial["move"]]
            kept = [p for p in other.get("_partials", []) if p.get("move") != move_id]
            _set(env, "account.move", other["id"], _partials=kept)
            recompute_move(env, other["id"])
        else:
            pay = env.table("account.payment")[partial["payment"]]
            kept_ids = [i for i in pay.get("reconciled_invoice_ids") or [] if i != move_id]
            _set(env, "account.payment", pay["id"], reconciled_invoice_ids=kept_ids)
    _set(env, "account.move", move_id, _partials=[])


@move.method()
def button_draft(records: Records) -> None:
    """Returns None (so XML-RPC answers "cannot marshal None"); undoes reconciliations."""
    env = records.env
    recs = env.ensure("account.move", records.ids)
    if any(rec["state"] not in ("cancel", "posted") for rec in recs):
        raise UserError("Only posted/cancelled journal entries can be reset to draft.")
    for rec in recs:
        _unreconcile(env, rec["id"])
        _set(env, "account.move", rec["id"], state="draft")
        recompute_move(env, rec["id"])


@move.method()
def button_cancel(records: Records) -> None:
    """A posted entry is reset to draft first, then cancelled (Odoo 18 shortcut)."""
    env = records.env
    recs = env.ensure("account.move", records.ids)
    posted = [rec["id"] for rec in recs if rec["state"] == "posted"]
    if posted:
        button_draft(Records(env, "account.move", posted))
    if any(rec["state"] != "draft" for rec in recs):
        raise UserError("Only draft journal entries can be cancelled.")
    for rec in recs:
        _set(env, "account.move", rec["id"], state="cancel")
        recompute_move(env, rec["id"])
    refresh_sale_lines(env, _sale_lines_of(env, [rec["id"] for rec in recs]))


# -- sale order link -------------------------------------------------------------------------


def _sale_lines_of(env: Env, move_ids: list[int], line_ids: list[int] | None = None) -> set[int]:
    lines = env.table("account.move.line")
    chosen = [lines[i] for i in line_ids or [] if i in lines]
    chosen += [ln for mid in move_ids for ln in env.lookup("account.move.line", "move_id", mid)]
    return {sid for ln in chosen for sid in ln.get("sale_line_ids") or []}


def refresh_sale_lines(env: Env, sale_line_ids: set[int]) -> None:
    """qty_invoiced / invoice_lines / invoice_ids, then sale.py recomputes the statuses.

    Draft invoices count, cancelled ones do not, credit notes subtract (as in Odoo 18).
    """
    if not sale_line_ids or "sale.order.line" not in env.db.tables:
        return
    so_lines = env.table("sale.order.line")
    moves = env.table("account.move")
    orders = {so_lines[sid]["order_id"] for sid in sale_line_ids if sid in so_lines}
    by_order = {oid: env.db.lookup("sale.order.line", "order_id", oid) for oid in orders}
    wanted = {sid for ids in by_order.values() for sid in ids}
    qty = dict.fromkeys(wanted, 0.0)
    invoiced: dict[int, set[int]] = {sid: set() for sid in wanted}
    inv_lines = env.table("account.move.line")
    found = {i for sid in wanted for i in env.db.lookup("account.move.line", "sale_line_ids", sid)}
    for ln in (inv_lines[i] for i in sorted(found)):
        for sid in set(ln.get("sale_line_ids") or []) & wanted:
            mv = moves[ln["move_id"]]
            invoiced[sid].add(mv["id"])
            if mv["state"] != "cancel":
                qty[sid] += -ln["quantity"] if mv["move_type"] == "out_refund" else ln["quantity"]
    for sid in wanted:
        _set(env, "sale.order.line", sid, qty_invoiced=float_round(qty[sid], 4))
    for oid, sids in by_order.items():
        invoices = sorted({m for sid in sids for m in invoiced[sid]}, reverse=True)
        _set(env, "sale.order", oid, invoice_ids=invoices)
        sale.refresh_order(env, oid)


# -- sale.advance.payment.inv ----------------------------------------------------------------


def _full_name(label: str, product_name: str) -> str:
    """account.move.line._get_journal_items_full_name: the product name unless already there."""
    if not product_name or product_name in (label or ""):
        return label or product_name
    return f"{product_name} {label}" if label else product_name


def _invoice_vals(env: Env, so: dict[str, Any]) -> dict[str, Any] | None:
    lines = sorted(
        env.lookup("sale.order.line", "order_id", so["id"]),
        key=lambda ln: (ln["sequence"], ln["id"]),
    )
    commands = []
    for ln in lines:
        if ln.get("display_type") or _is_zero(ln.get("qty_to_invoice") or 0.0):
            continue
        product = ln.get("product_id")
        shown = env.display_name("product.product", product) if product else ""
        commands.append(
            (
                0,
                0,
                {
                    "display_type": "product",
                    "sequence": ln["sequence"],
                    "product_id": product,
                    "name": _full_name(ln["name"], shown),
                    "quantity": ln["qty_to_invoice"],
                    "price_unit": ln["price_unit"],
                    "discount": ln["discount"],
                    "tax_ids": [(6, 0, list(ln.get("tax_id") or []))],
                    "sale_line_ids": [(6, 0, [ln["id"]])],
                },
            )
        )
    if not commands:
        return None
    partner = so.get("partner_invoice_id") or so["partner_id"]
    return {
        "move_type": "out_invoice",
        "partner_id": partner,
        "partner_shipping_id": so.get("partner_shipping_id") or partner,
        "currency_id": so.get("currency_id") or USD,
        "company_id": so.get("company_id") or COMPANY,
        "invoice_origin": so["name"],
        "ref": so.get("client_order_ref") or False,
        "payment_reference": False,
        "invoice_payment_term_id": so.get("payment_term_id") or False,
        "invoice_line_ids": commands,
    }


def _group_invoices(vals_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consolidated billing: one invoice per (company, invoice address, currency)."""

    def key(vals: dict[str, Any]) -> tuple[Any, ...]:
        return (vals["company_id"], vals["partner_id"], vals["currency_id"])

    grouped = []
    for _key, group in groupby(sorted(vals_list, key=key), key=key):
        batch = list(group)
        first = dict(batch[0])
        first["invoice_line_ids"] = [c for v in batch for c in v["invoice_line_ids"]]
        refs = sorted({v["ref"] or "" for v in batch})
        first["ref"] = ", ".join(refs)[:2000] or False
        first["invoice_origin"] = ", ".join(sorted({v["invoice_origin"] for v in batch}))
        grouped.append(first)
    return grouped


@advance.method()
def create_invoices(records: Records) -> dict[str, Any]:
    """Regular invoices for what the orders have to invoice; returns the invoices' action."""
    env = records.env
    [wizard] = env.ensure("sale.advance.payment.inv", records.ids[:1])
    if wizard["advance_payment_method"] != "delivered":
        raise UserError("The sandbox only makes regular invoices (advance_payment_method).")
    orders = env.ensure("sale.order", wizard.get("sale_order_ids") or [])
    orders = sorted(orders, key=lambda o: (o["date_order"], o["id"]), reverse=True)
    vals_list = [v for o in orders if (v := _invoice_vals(env, o)) is not None]
    if not vals_list:
        raise UserError(NOTHING_TO_INVOICE)
    if wizard["consolidated_billing"]:
        vals_list = _group_invoices(vals_list)
    ids = create_moves(env, vals_list)
    return _invoices_action(env, orders, ids)


def _invoices_action(env: Env, orders: list[dict[str, Any]], ids: list[int]) -> dict[str, Any]:
    """sale.order.action_view_invoice: trimmed to the keys a client can use."""
    action: dict[str, Any] = {
        "name": "Invoices",
        "type": "ir.actions.act_window",
        "xml_id": "account.action_move_out_invoice_type",
        "res_model": "account.move",
        "view_mode": "list,kanban,form,activity",
        "target": "current",
        "res_id": 0,
        "domain": "[('move_type', 'in', ['out_invoice', 'out_refund'])]",
    }
    if len(ids) > 1:
        action["domain"] = [["id", "in", ids]]
    else:
        action["res_id"] = ids[0]
    context: dict[str, Any] = {"default_move_type": "out_invoice"}
    if len(orders) == 1:
        so = orders[0]
        context.update(
            default_partner_id=so["partner_id"],
            default_partner_shipping_id=so.get("partner_shipping_id") or so["partner_id"],
            # None when the order has no payment term: real Odoo's XML-RPC cannot marshal it.
            default_invoice_payment_term_id=so.get("payment_term_id") or None,
            default_invoice_origin=so["name"],
        )
    action["context"] = context
    return action


def _wizard_count(env: Env, wizard_id: int) -> None:
    wiz = env.table("sale.advance.payment.inv")[wizard_id]
    _set(env, "sale.advance.payment.inv", wizard_id, count=len(wiz.get("sale_order_ids") or []))


advance.on_create.append(_wizard_count)


# -- account.payment.register ----------------------------------------------------------------


def _active_moves(env: Env) -> list[dict[str, Any]]:
    if env.context.get("active_model") not in ("account.move", "account.move.line"):
        raise UserError(
            "The register payment wizard should only be called on account.move or "
            "account.move.line records."
        )
    return env.ensure("account.move", list(env.context.get("active_ids") or []))


def _batches(moves: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Invoices paid together: same commercial partner, direction and currency."""
    batches: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for mv in moves:
        key = (mv["partner_id"], _direction(mv), mv["currency_id"])
        batches.setdefault(key, []).append(mv)
    return list(batches.values())


def _direction(mv: dict[str, Any]) -> str:
    return (
        "inbound" if mv["move_type"] in ("out_invoice", "out_receipt", "in_refund") else "outbound"
    )


def _due(mv: dict[str, Any]) -> float:
    return mv["amount_total"] if mv["state"] == "draft" else _residual(mv)


def _communication(env: Env, moves: list[dict[str, Any]]) -> Any:
    if len(moves) == 1:
        mv = moves[0]
        return mv.get("payment_reference") or mv.get("ref") or mv.get("name") or False
    number = env.db.sequences.get("ir.sequence:batch.payment", 0) + 1
    env.db.sequences["ir.sequence:batch.payment"] = number
    return f"BATCH/{datetime.now(UTC).year}/{number:05d}"


def _method_line(env: Env, journal_id: int, direction: str) -> int | bool:
    found = env.search(
        "account.payment.method.line",
        [("journal_id", "=", journal_id), ("payment_type", "=", direction)],
    )
    return found[0] if found else False


@register.method("create", api_model=True)
def register_create(records: Records, vals_list: list[dict[str, Any]] | dict[str, Any]) -> Any:
    env = records.env
    single = isinstance(vals_list, dict)
    ids = [_register_one(env, dict(v)) for v in ([vals_list] if single else vals_list)]
    return ids[0] if single else ids


def _register_one(env: Env, vals: dict[str, Any]) -> int:
    moves = [mv for mv in _active_moves(env) if mv["state"] != "cancel"]
    open_moves = [mv for mv in moves if mv["state"] == "draft" or not _is_zero(_residual(mv))]
    if not open_moves:
        raise UserError(
            "You can't register a payment because there is nothing left to pay on the selected "
            "journal items."
        )
    batches = _batches(open_moves)
    on_draft = any(mv["state"] == "draft" for mv in open_moves)
    can_edit = len(batches) == 1
    first = batches[0]
    direction = _direction(first[0])
    journal_id = _m2o(vals.get("journal_id")) or _default_payment_journal(env)
    defaults: dict[str, Any] = {
        "journal_id": journal_id,
        "payment_type": direction,
        "partner_type": "customer" if first[0]["move_type"].startswith("out") else "supplier",
        "partner_id": first[0]["partner_id"] if can_edit else False,
        "currency_id": first[0]["currency_id"],
        "can_edit_wizard": can_edit,
        "can_group_payments": any(len(b) > 1 for b in batches),
        "group_payment": can_edit and len(first) == 1,
        "source_amount": float_round(sum(_due(mv) for mv in open_moves)),
        "amount": float_round(sum(_due(mv) for mv in first)) if can_edit else 0.0,
        "communication": False if on_draft else _communication(env, open_moves),
        "is_register_payment_on_draft": on_draft,
        "payment_method_line_id": _method_line(env, journal_id, direction) if journal_id else False,
    }
    if not can_edit:
        defaults["amount"] = defaults["source_amount"]
    rid = env.create("account.payment.register", [{**defaults, **vals}])[0]
    wiz = env.table("account.payment.register")[rid]
    if "journal_id" in vals and "payment_method_line_id" not in vals:
        _set(env, "account.payment.register", rid,
             payment_method_line_id=_method_line(env, journal_id, direction))  # fmt: skip
    due = float_round(sum(_due(mv) for mv in first))
    _set(
        env,
        "account.payment.register",
        rid,
        payment_difference=float_round(due - wiz["amount"]) if can_edit else 0.0,
        _move_ids=[mv["id"] for mv in open_moves],
    )
    return rid


def _default_payment_journal(env: Env) -> int | bool:
    found = env.search("account.journal", [("type", "in", ["bank", "cash"])], order="sequence, id")
    return found[0] if found else False


@register.method()
def action_create_payments(records: Records) -> Any:
    """One payment per batch (or per invoice without grouping), reconciled with the invoices."""
    env = records.env
    [wiz] = env.ensure("account.payment.register", records.ids[:1])
    moves = env.ensure("account.move", wiz.get("_move_ids") or [])
    if not wiz.get("payment_method_line_id"):
        raise UserError("Please define a payment method line on your payment.")
    batches = _batches(moves)
    edit_mode = wiz["can_edit_wizard"] and (len(batches[0]) == 1 or wiz["group_payment"])
    plans: list[tuple[list[dict[str, Any]], float, Any]] = []
    if edit_mode:
        plans.append((batches[0], wiz["amount"], wiz.get("communication") or False))
    else:
        if not wiz["group_payment"]:
            batches = [[mv] for batch in batches for mv in batch]
        for batch in batches:
            plans.append((batch, sum(_due(mv) for mv in batch), _communication(env, batch)))
    created = [_make_payment(env, wiz, batch, amount, memo) for batch, amount, memo in plans]
    if env.context.get("dont_redirect_to_payments"):
        return True
    action: dict[str, Any] = {
        "name": "Payments",
        "type": "ir.actions.act_window",
        "res_model": "account.payment",
        "context": {"create": False},
    }
    if len(created) == 1:
        action.update(view_mode="form", res_id=created[0])
    else:
        action.update(view_mode="list,form", domain=[["id", "in", created]])
    return action


def _make_payment(
    env: Env, wiz: dict[str, Any], batch: list[dict[str, Any]], amount: float, memo: Any
) -> int:
    direction = _direction(batch[0])
    on_draft = any(mv["state"] == "draft" for mv in batch)
    vals = {
        "date": wiz["payment_date"],
        "amount": float_round(amount),
        "payment_type": direction,
        "partner_type": "customer" if batch[0]["move_type"].startswith("out") else "supplier",
        "memo": False if on_draft else memo,
        "journal_id": wiz["journal_id"],
        "partner_id": batch[0]["partner_id"],
        "currency_id": batch[0]["currency_id"],
        "payment_method_line_id": _method_line(env, wiz["journal_id"], direction),
        "invoice_ids": [(6, 0, [mv["id"] for mv in batch])],
        "state": "in_process",
    }
    pid = env.create("account.payment", [vals])[0]
    entry = env.create(
        "account.move",
        [
            {
                "move_type": "entry",
                "journal_id": wiz["journal_id"],
                "date": wiz["payment_date"],
                "partner_id": batch[0]["partner_id"],
                "ref": vals["memo"],
                "origin_payment_id": pid,
                "amount_total": float_round(amount),
                "amount_total_signed": float_round(amount),
            }
        ],
    )[0]
    entry_rec = env.table("account.move")[entry]
    _set(env, "account.move", entry, state="posted", posted_before=True,
         name=_move_name(env, entry_rec))  # fmt: skip
    _set(env, "account.payment", pid, move_id=entry, name=entry_rec["name"])
    if on_draft:
        # Odoo 18 registers it, unreconciled; posting the invoice later does not match it.
        for mv in batch:
            matched = [*(mv.get("matched_payment_ids") or []), pid]
            _set(env, "account.move", mv["id"], matched_payment_ids=matched)
        return pid
    left = float_round(amount)
    reconciled = []
    for mv in batch:
        part = min(left, _residual(mv))
        if part <= 0:
            break
        _reconcile(env, mv["id"], {"payment": pid}, part)
        matched = [*(mv.get("matched_payment_ids") or []), pid]
        _set(env, "account.move", mv["id"], matched_payment_ids=matched)
        reconciled.append(mv["id"])
        left = float_round(left - part)
    _set(env, "account.payment", pid, reconciled_invoice_ids=reconciled,
         is_reconciled=bool(reconciled))  # fmt: skip
    for mid in reconciled:
        recompute_move(env, mid)
    return pid


# -- account.move.reversal -------------------------------------------------------------------


@reversal.method("create", api_model=True)
def reversal_create(records: Records, vals_list: list[dict[str, Any]] | dict[str, Any]) -> Any:
    env = records.env
    single = isinstance(vals_list, dict)
    ids = [_reversal_one(env, dict(v)) for v in ([vals_list] if single else vals_list)]
    return ids[0] if single else ids


def _reversal_one(env: Env, vals: dict[str, Any]) -> int:
    moves: list[dict[str, Any]] = []
    if env.context.get("active_model") == "account.move":
        moves = env.ensure("account.move", list(env.context.get("active_ids") or []))
    if any(mv["state"] != "posted" for mv in moves):
        raise UserError("You can only reverse posted moves.")
    single = len(moves) == 1
    defaults = {
        "move_ids": [(6, 0, [mv["id"] for mv in moves])],
        "company_id": COMPANY,
        "residual": _residual(moves[0]) if single else 0.0,
        "currency_id": moves[0]["currency_id"] if moves else False,
        "move_type": moves[0]["move_type"] if single else False,
    }
    rid = env.create("account.move.reversal", [{**defaults, **vals}])[0]
    wiz = env.table("account.move.reversal")[rid]
    journal_type = env.table("account.journal")[wiz["journal_id"]]["type"]
    if moves and journal_type not in {
        env.table("account.journal")[mv["journal_id"]]["type"] for mv in moves
    }:
        raise UserError("Journal should be the same type as the reversed entry.")
    return rid


@reversal.method()
def reverse_moves(records: Records, is_modify: bool = False) -> dict[str, Any]:
    env = records.env
    [wiz] = env.ensure("account.move.reversal", records.ids[:1])
    moves = env.ensure("account.move", wiz.get("move_ids") or [])
    new_ids: list[int] = []
    for mv in moves:
        refund_id = _reverse(env, wiz, mv)
        if is_modify:
            action_post(Records(env, "account.move", [refund_id]))
            new_ids.append(_copy_invoice(env, mv, wiz["date"]))
        else:
            new_ids.append(refund_id)
    _set(env, "account.move.reversal", wiz["id"], new_move_ids=new_ids)
    action: dict[str, Any] = {
        "name": "Reverse Moves",
        "type": "ir.actions.act_window",
        "res_model": "account.move",
    }
    types = {env.table("account.move")[i]["move_type"] for i in new_ids}
    if len(new_ids) == 1:
        action.update(
            view_mode="form", res_id=new_ids[0], context={"default_move_type": types.pop()}
        )
    else:
        action.update(view_mode="list,form", domain=[["id", "in", new_ids]])
        if len(types) == 1:
            action["context"] = {"default_move_type": types.pop()}
    return action


@reversal.method()
def refund_moves(records: Records) -> dict[str, Any]:
    """The UI's "Reverse": a draft credit note, to edit (partial refund) and post."""
    return reverse_moves(records, is_modify=False)


@reversal.method()
def modify_moves(records: Records) -> dict[str, Any]:
    """The UI's "Reverse and create invoice": a posted full credit note plus a draft copy."""
    return reverse_moves(records, is_modify=True)


def _copy_lines(env: Env, mv: dict[str, Any]) -> list[Any]:
    return [
        (
            0,
            0,
            {
                "sequence": ln["sequence"],
                "display_type": ln["display_type"],
                "product_id": ln.get("product_id") or False,
                "name": ln.get("name") or False,
                "quantity": ln["quantity"],
                "price_unit": ln["price_unit"],
                "discount": ln["discount"],
                "tax_ids": [(6, 0, list(ln.get("tax_ids") or []))],
                "account_id": ln.get("account_id") or False,
                "sale_line_ids": [(6, 0, list(ln.get("sale_line_ids") or []))],
            },
        )
        for ln in _lines_of(env, mv["id"])
    ]


def _reverse(env: Env, wiz: dict[str, Any], mv: dict[str, Any]) -> int:
    reason = wiz.get("reason")
    ref = f"Reversal of: {mv['name']}, {reason}" if reason else f"Reversal of: {mv['name']}"
    kind = {"out_invoice": "out_refund", "in_invoice": "in_refund", "out_refund": "out_invoice"}
    vals = {
        "move_type": kind.get(mv["move_type"], "entry"),
        "partner_id": mv.get("partner_id") or False,
        "partner_shipping_id": mv.get("partner_shipping_id") or False,
        "currency_id": mv["currency_id"],
        "journal_id": wiz["journal_id"],
        "ref": ref,
        "date": wiz["date"],
        "invoice_date": wiz["date"] if mv["move_type"] in INVOICE_TYPES else False,
        "invoice_date_due": wiz["date"],
        "invoice_origin": mv.get("invoice_origin") or False,
        "reversed_entry_id": mv["id"],
        "invoice_line_ids": _copy_lines(env, mv),
    }
    return create_moves(env, [vals])[0]


def _copy_invoice(env: Env, mv: dict[str, Any], day: str) -> int:
    vals = {
        name: mv.get(name) or False
        for name in (
            "move_type", "partner_id", "partner_shipping_id", "currency_id", "journal_id",
            "invoice_origin", "ref", "invoice_payment_term_id",
        )
    }  # fmt: skip
    vals.update(date=day, invoice_line_ids=_copy_lines(env, mv))
    return create_moves(env, [vals])[0]


# -- fresh-database data ---------------------------------------------------------------------

#: (name, [(value_amount, nb_days, delay_type)]) in real Odoo 18 id order.
PAYMENT_TERMS = (
    ("Immediate Payment", [(100.0, 0, "days_after")]),
    ("15 Days", [(100.0, 15, "days_after")]),
    ("21 Days", [(100.0, 21, "days_after")]),
    ("30 Days", [(100.0, 30, "days_after")]),
    ("45 Days", [(100.0, 45, "days_after")]),
    ("End of Following Month", [(100.0, 0, "days_after_end_of_next_month")]),
    ("10 Days after End of Next Month", [(100.0, 10, "days_after_end_of_next_month")]),
    ("30% Now, Balance 60 Days", [(30.0, 0, "days_after"), (70.0, 60, "days_after")]),
    ("2/7 Net 30", [(100.0, 30, "days_after")]),
    ("90 days, on the 10th", [(100.0, 90, "days_end_of_month_on_the")]),
)


def seed(env: Env) -> None:
    """Payment methods (their journal lines in real id order) and the ten payment terms."""
    inbound, outbound = env.create(
        "account.payment.method",
        [
            {"name": "Manual Payment", "code": "manual", "payment_type": "inbound"},
            {"name": "Manual Payment", "code": "manual", "payment_type": "outbound"},
        ],
    )
    journals = {
        rec["code"]: rec["id"]
        for rec in env.table("account.journal").values()
        if rec["type"] in ("bank", "cash")
    }
    order = [("BNK1", inbound), ("BNK1", outbound), ("CSH1", outbound), ("CSH1", inbound)]
    env.create(
        "account.payment.method.line",
        [
            {
                "payment_method_id": method,
                "journal_id": journals[code],
                "payment_type": "inbound" if method == inbound else "outbound",
            }
            for code, method in order
            if code in journals
        ],
    )
    # sale.py may have created the terms already (by name): add only what is missing.
    terms = {rec["name"]: rec["id"] for rec in env.table("account.payment.term").values()}
    for name, lines in PAYMENT_TERMS:
        term = terms.get(name) or env.create("account.payment.term", [{"name": name}])[0]
        if any(ln["payment_id"] == term for ln in env.table("account.payment.term.line").values()):
            continue
        env.create(
            "account.payment.term.line",
            [
                {"payment_id": term, "value_amount": v, "nb_days": d, "delay_type": t}
                for v, d, t in lines
            ],
        )


MODELS = [move, move_line, payment, register, reversal, advance]

__all__ = ["MODELS", "create_moves", "recompute_move", "refresh_sale_lines", "seed"]


def _unlink_if_partner_in_account_move(env: Env, ids: list[int]) -> None:
    """account's res.partner @api.ondelete check: a partner on a draft or posted entry."""
    domain = [("partner_id", "in", ids), ("state", "in", ["draft", "posted"])]
    if env.sudo_inactive().search("account.move", domain, limit=1, order="id"):
        raise UserError("The partner cannot be deleted because it is used in Accounting")


partner_model.on_unlink.append(_unlink_if_partner_in_account_move)
