"""account.*: journals, taxes and accounts of a generic chart of accounts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.odoo.exceptions import ValidationError
from sandbox.odoo.models import tax_totals
from sandbox.odoo.models.base import COMPANY, company
from sandbox.odoo.registry import Env, Model, fld

account = Model(
    "account.account",
    "Account",
    {
        "name": fld("char", "Account Name", required=True),
        "code": fld("char", "Code", required=True, size=64),
        "account_type": fld(
            "selection",
            "Type",
            required=True,
            selection=(
                "asset_receivable",
                "asset_cash",
                "asset_current",
                "asset_non_current",
                "asset_prepayments",
                "asset_fixed",
                "liability_payable",
                "liability_credit_card",
                "liability_current",
                "liability_non_current",
                "equity",
                "equity_unaffected",
                "income",
                "income_other",
                "expense",
                "expense_depreciation",
                "expense_direct_cost",
                "off_balance",
            ),
        ),  # fmt: skip
        "reconcile": fld("boolean", "Allow Reconciliation", default=False),
        "active": fld("boolean", "Active", default=True),
    },
    order="code",
    display_name=lambda env, rec: f"{rec.get('code')} {rec.get('name')}",
)

journal = Model(
    "account.journal",
    "Journal",
    {
        "name": fld("char", "Journal Name", required=True),
        "code": fld("char", "Short Code", required=True, size=5),
        "type": fld(
            "selection",
            "Type",
            required=True,
            selection=("sale", "purchase", "cash", "bank", "credit", "general"),
        ),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
        "default_account_id": fld("many2one", "Default Account", relation="account.account"),
        "currency_id": fld("many2one", "Currency", relation="res.currency"),
        "sequence": fld("integer", "Sequence", default=10),
        "active": fld("boolean", "Active", default=True),
    },
    order="sequence, type, code",
    uniques=[
        (
            ("company_id", "code"),
            "The operation cannot be completed: Journal codes must be unique per company.",
        )
    ],
)

tax = Model(
    "account.tax",
    "Tax",
    {
        "name": fld("char", "Tax Name", required=True),
        "amount": fld("float", "Amount", default=0.0),
        "amount_type": fld(
            "selection",
            "Tax Computation",
            required=True,
            selection=("group", "fixed", "percent", "division"),
            default="percent",
        ),
        "type_tax_use": fld(
            "selection",
            "Tax Type",
            required=True,
            selection=("sale", "purchase", "none"),
            default="sale",
        ),
        #: Computed in Odoo 18 (tax_totals.price_include); a written value is ignored.
        "price_include": fld("boolean", "Included in Price", default=False),
        "price_include_override": fld(
            "selection", "Included in Price", selection=("tax_included", "tax_excluded")
        ),
        "include_base_amount": fld("boolean", "Affect Base of Subsequent Taxes", default=False),
        "invoice_label": fld("char", "Label on Invoices"),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
        "sequence": fld("integer", "Sequence", default=1),
        "active": fld("boolean", "Active", default=True),
    },
    order="sequence, id",
)


def _refresh_price_include(env: Env, tax_id: int, vals: dict[str, Any] | None = None) -> None:
    """account.tax._compute_price_include: what was written to price_include is ignored."""
    rec = env.table("account.tax")[tax_id]
    rec["price_include"] = tax_totals.price_include(env, rec)


def refresh_company_taxes(env: Env, company_id: int, vals: dict[str, Any]) -> None:
    """A company's `account_price_include` is the default of its taxes' price_include;
    Odoo refuses to change it once the company has journal items."""
    if "account_price_include" not in vals:
        return
    if env.table("account.move.line"):
        raise ValidationError(
            "Cannot change Price Tax computation method on a company that has already "
            "started invoicing."
        )
    for rec in env.table("account.tax").values():
        if (rec.get("company_id") or COMPANY) == company_id:
            env.db.remember("account.tax", rec["id"])
            rec["price_include"] = tax_totals.price_include(env, rec)


tax.on_create.append(_refresh_price_include)
tax.on_write.append(_refresh_price_include)
company.on_write.append(refresh_company_taxes)

payment_term = Model(
    "account.payment.term",
    "Payment Terms",
    {
        "name": fld("char", "Payment Terms", required=True),
        "note": fld("html", "Description on the Invoice"),
        "line_ids": fld(
            "one2many", "Terms", relation="account.payment.term.line", inverse="payment_id"
        ),
        "company_id": fld("many2one", "Company", relation="res.company"),
        "sequence": fld("integer", "Sequence", default=10),
        "active": fld("boolean", "Active", default=True),
    },
    order="sequence, id",
)

payment_term_line = Model(
    "account.payment.term.line",
    "Payment Terms Line",
    {
        "payment_id": fld(
            "many2one", "Payment Terms", required=True, relation="account.payment.term"
        ),
        "value": fld(
            "selection", "Type", required=True, selection=("percent", "fixed"), default="percent"
        ),
        "value_amount": fld("float", "Due", default=100.0),
        "nb_days": fld("integer", "Days", default=0),
        "delay_type": fld(
            "selection",
            "Delay Type",
            required=True,
            selection=(
                "days_after",
                "days_after_end_of_month",
                "days_after_end_of_next_month",
                "days_end_of_month_on_the",
            ),
            default="days_after",
        ),
        "days_next_month": fld("char", "Days on the next month", default="10"),
    },
    order="id",
)

payment_method = Model(
    "account.payment.method",
    "Payment Methods",
    {
        "name": fld("char", "Name", required=True),
        "code": fld("char", "Code", required=True),
        "payment_type": fld(
            "selection", "Payment Type", required=True, selection=("inbound", "outbound")
        ),
    },
)

payment_method_line = Model(
    "account.payment.method.line",
    "Payment Methods",
    {
        "name": fld("char", "Name", default="Manual Payment"),
        "payment_method_id": fld(
            "many2one", "Payment Method", required=True, relation="account.payment.method"
        ),
        "journal_id": fld("many2one", "Journal", relation="account.journal"),
        "payment_type": fld("selection", "Payment Type", selection=("inbound", "outbound")),
        "code": fld("char", "Code", default="manual"),
        "sequence": fld("integer", "Sequence", default=10),
    },
    order="sequence, id",
)
payment_method_line.display_name = lambda env, rec: (
    f"{rec.get('name')} ({env.display_name('account.journal', rec['journal_id'])})"
    if rec.get("journal_id")
    else str(rec.get("name"))
)


def _journal_payment_methods(env: Env, journal_id: int) -> None:
    """A new bank or cash journal gets "Manual Payment" in and out, as in Odoo 18."""
    if env.table("account.journal")[journal_id]["type"] not in ("bank", "cash"):
        return
    methods = env.table("account.payment.method").values()
    for method in sorted(methods, key=lambda m: m["payment_type"]):
        env.create(
            "account.payment.method.line",
            [
                {
                    "payment_method_id": method["id"],
                    "journal_id": journal_id,
                    "payment_type": method["payment_type"],
                }
            ],
        )


journal.on_create.append(_journal_payment_methods)

MODELS = [
    account,
    journal,
    tax,
    payment_term,
    payment_term_line,
    payment_method,
    payment_method_line,
]


def float_round(value: float, digits: int = 2) -> float:
    """Odoo's float_round: half away from zero on the decimal value a person would read."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))
