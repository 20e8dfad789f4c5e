"""account.*: journals, taxes and accounts of a generic chart of accounts."""

from __future__ import annotations

from sandbox.odoo.models.base import COMPANY
from sandbox.odoo.registry import Model, fld

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
        "price_include": fld("boolean", "Included in Price", default=False),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
        "sequence": fld("integer", "Sequence", default=1),
        "active": fld("boolean", "Active", default=True),
    },
    order="sequence, id",
)

MODELS = [account, journal, tax]
