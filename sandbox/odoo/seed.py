"""What a fresh Odoo 18 Community database holds after installing sale_management,
stock, account and stock_delivery with the generic chart of accounts.

Ids match a real fresh database where Bridge may rely on them (company 1,
admin user 2); everything else is looked up by name or code, as Bridge does.
"""

from __future__ import annotations

from sandbox.odoo.models import invoicing, mail, partner, stock
from sandbox.odoo.registry import Database, Env

INSTALLED_MODULES = (
    "base", "web", "bus", "mail", "contacts", "uom", "product", "analytic", "portal",
    "payment", "account", "sales_team", "sale", "sale_management", "stock", "delivery",
    "stock_delivery", "stock_account", "sale_stock",
)  # fmt: skip

JOURNALS = (
    # name, code, type, default account code, sequence (as recorded on real Odoo 18)
    ("Customer Invoices", "INV", "sale", "400000", 5),
    ("Vendor Bills", "BILL", "purchase", "600000", 6),
    ("Miscellaneous Operations", "MISC", "general", False, 9),
    ("Exchange Difference", "EXCH", "general", False, 10),
    ("Cash Basis Taxes", "CABA", "general", False, 10),
    ("Bank", "BNK1", "bank", "101401", 7),
    ("Cash", "CSH1", "cash", "101501", 10),
    ("Inventory Valuation", "STJ", "general", False, 10),
)

ACCOUNTS = (
    ("101401", "Bank", "asset_cash"),
    ("101501", "Cash", "asset_cash"),
    ("121000", "Account Receivable", "asset_receivable"),
    ("211000", "Account Payable", "liability_payable"),
    ("251000", "Tax Received", "liability_current"),
    ("400000", "Product Sales", "income"),
    ("600000", "Expenses", "expense"),
)


def seed(db: Database, login: str = "admin") -> None:
    """Fill an empty database with fresh-install defaults."""
    env = Env(db, uid=1)
    with db.transaction():
        env.create(
            "res.currency",
            [
                {"name": "USD", "symbol": "$"},
                {"name": "EUR", "symbol": "€", "active": False},
            ],
        )
        env.create("res.partner", [{"name": "My Company", "is_company": True}])
        env.create("res.company", [{"name": "My Company", "currency_id": 1, "partner_id": 1}])
        env.create(
            "res.partner",
            [
                {"name": "OdooBot", "email": "odoobot@example.com", "active": False},
                {"name": "Administrator", "email": "admin@example.com", "company_id": 1},
                {"name": "Public user", "active": False},
                {"name": "Default User Template", "active": False},
                {"name": "Portal User Template", "active": False},
            ],
        )
        users = (
            ("OdooBot", "__system__", 2, False),
            ("Administrator", login, 3, True),
            ("Default User Template", "default", 5, False),
            ("Public user", "public", 4, False),
            ("Portal User Template", "portaltemplate", 6, False),
        )
        env.create(
            "res.users",
            [
                {"name": name, "login": user_login, "partner_id": partner, "active": active}
                for name, user_login, partner, active in users
            ],
        )
        env.create(
            "crm.team",
            [
                {"name": "Sales", "sequence": 10},
                {"name": "Website", "sequence": 10, "active": False},
                {"name": "Point of Sale", "sequence": 10, "active": False},
            ],
        )
        env.create(
            "ir.module.module",
            [{"name": name, "state": "installed"} for name in INSTALLED_MODULES],
        )
        accounts = env.create(
            "account.account",
            [{"code": c, "name": n, "account_type": t} for c, n, t in ACCOUNTS],
        )
        by_code = dict(zip((a[0] for a in ACCOUNTS), accounts, strict=True))
        env.create(
            "account.journal",
            [
                {
                    "name": name,
                    "code": code,
                    "type": type_,
                    "default_account_id": by_code.get(account) if account else False,
                    "sequence": seq,
                }
                for name, code, type_, account, seq in JOURNALS
            ],
        )
        env.create(
            "account.tax",
            [
                {"name": "15%", "amount": 15.0, "amount_type": "percent", "type_tax_use": "sale"},
                {
                    "name": "15%",
                    "amount": 15.0,
                    "amount_type": "percent",
                    "type_tax_use": "purchase",
                },
            ],
        )
        env.create("product.category", [{"name": "All", "complete_name": "All"}])
        env.create(
            "product.template",
            [
                {
                    "name": "Standard delivery",
                    "default_code": "Delivery_007",
                    "type": "service",
                    "list_price": 0.0,
                    "sale_ok": False,
                    "purchase_ok": False,
                }
            ],
        )
        delivery_product = env.search("product.product", [("name", "=", "Standard delivery")])
        env.create(
            "delivery.carrier",
            [
                {
                    "name": "Standard delivery",
                    "product_id": delivery_product[0],
                    "delivery_type": "fixed",
                    "fixed_price": 0.0,
                }
            ],
        )
        # Sales and stock (models/partner.py, stock.py, sale.py).
        partner.seed(env)
        stock.seed(env)
        # Payment methods and terms (models/invoicing.py).
        invoicing.seed(env)
        # Chatter subtypes and their xml ids (models/mail.py).
        mail.seed(env)
