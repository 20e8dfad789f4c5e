"""res.* and ir.module.module: what every Odoo database has."""

from __future__ import annotations

from typing import Any

from sandbox.odoo.exceptions import RedirectWarning, ValidationError
from sandbox.odoo.registry import Env, Model, fld

COMPANY = 1
USD = 1
ADMIN = 2

currency = Model(
    "res.currency",
    "Currency",
    {
        "name": fld("char", "Currency", required=True, size=3),
        "symbol": fld("char", "Symbol", required=True),
        "rounding": fld("float", "Rounding Factor", default=0.01),
        "active": fld("boolean", "Active", default=True),
    },
    order="active desc, name",
    uniques=[(("name",), "The operation cannot be completed: The currency code must be unique!")],
)

company = Model(
    "res.company",
    "Companies",
    {
        "name": fld("char", "Company Name", required=True),
        "currency_id": fld("many2one", "Currency", relation="res.currency", default=USD),
        "partner_id": fld("many2one", "Partner", relation="res.partner"),
        "sequence": fld("integer", "Sequence", default=10),
        "active": fld("boolean", "Active", default=True),
        # account: how taxes round, and whether prices include them by default.
        "tax_calculation_rounding_method": fld(
            "selection",
            "Tax Calculation Rounding Method",
            selection=("round_per_line", "round_globally"),
            default="round_per_line",
        ),
        "account_price_include": fld(
            "selection",
            "Default Sales Price Include",
            required=True,
            selection=("tax_included", "tax_excluded"),
            default="tax_excluded",
        ),
    },
    order="name",
)

partner = Model(
    "res.partner",
    "Contact",
    {
        "name": fld("char", "Name"),
        # Stored computes (models/partner.py keeps them): "Company, Contact" and the
        # commercial partner's company name.
        "complete_name": fld("char", "Complete Name"),
        "commercial_company_name": fld("char", "Company Name Entity"),
        "company_name": fld("char", "Company Name"),
        "company_registry": fld("char", "Company ID"),
        "ref": fld("char", "Reference"),
        "email": fld("char", "Email"),
        "phone": fld("char", "Phone"),
        "mobile": fld("char", "Mobile"),
        "street": fld("char", "Street"),
        "street2": fld("char", "Street2"),
        "zip": fld("char", "Zip"),
        "city": fld("char", "City"),
        "vat": fld("char", "Tax ID"),
        "comment": fld("html", "Notes"),
        "is_company": fld("boolean", "Is a Company", default=False),
        "color": fld("integer", "Color Index", default=0),
        "company_type": fld(
            "selection", "Company Type", selection=("person", "company"), default="person"
        ),
        "commercial_partner_id": fld("many2one", "Commercial Entity", relation="res.partner"),
        "country_id": fld("many2one", "Country", relation="res.country"),
        "state_id": fld("many2one", "State", relation="res.country.state"),
        "type": fld(
            "selection",
            "Address Type",
            selection=("contact", "invoice", "delivery", "other"),
            default="contact",
        ),
        "parent_id": fld("many2one", "Related Company", relation="res.partner"),
        "child_ids": fld("one2many", "Contact", relation="res.partner", inverse="parent_id"),
        "category_id": fld("many2many", "Tags", relation="res.partner.category"),
        "company_id": fld("many2one", "Company", relation="res.company"),
        "customer_rank": fld("integer", "Customer Rank", default=0),
        "supplier_rank": fld("integer", "Supplier Rank", default=0),
        # A selection of the installed languages: English only on a fresh database.
        "lang": fld("selection", "Language", selection=("en_US",), default="en_US"),
        "active": fld("boolean", "Active", default=True),
    },
    order="complete_name ASC, id DESC",
    rec_names_search=("complete_name", "email", "ref", "vat", "company_registry"),
    reads_on_write=("parent_id",),
)
#: res.partner's address types and their labels (the complete name shows them).
PARTNER_TYPES = {
    "contact": "Contact",
    "invoice": "Invoice Address",
    "delivery": "Delivery Address",
    "other": "Other Address",
}


def complete_name(env: Env, rec: dict[str, Any]) -> str:
    """res.partner._get_complete_name: "Company, Contact"; a nameless invoice, delivery or
    other address of a company shows its type ("Acme, Invoice Address")."""
    name = rec.get("name") or ""
    parent = rec.get("parent_id")
    if rec.get("company_name") or parent:
        if not name and rec.get("type") in ("invoice", "delivery", "other"):
            name = PARTNER_TYPES[rec["type"]]
        if not rec.get("is_company"):
            company = rec.get("commercial_company_name")
            if not company and parent:
                company = env.table("res.partner")[parent].get("name", False)
            name = f"{company}, {name}"
    return name.strip()


def _check_name(env: Env, rec: dict[str, Any]) -> None:
    """The SQL constraint res_partner_check_name: a contact needs a name ('' will do)."""
    if rec.get("type") == "contact" and (rec.get("name") is False or rec.get("name") is None):
        raise ValidationError("The operation cannot be completed: Contacts require a name")


def _unlink_except_user(env: Env, ids: list[int]) -> None:
    """base's @api.ondelete check: a contact of an active user is not deleted."""
    users = [
        u for u in env.table("res.users").values() if u.get("partner_id") in ids and u.get("active")
    ]
    if users:
        names = ", ".join(env.display_name("res.users", u["id"]) for u in users)
        action = {
            "type": "ir.actions.act_window",
            "res_model": "res.users",
            "context": {"create": False},
            "view_mode": "form",
            "views": [[163, "form"]],  # base.view_users_form on a fresh Odoo 18 database
            "res_id": users[0]["id"],
        }
        raise RedirectWarning(
            "You cannot delete contacts linked to an active user.\n"
            "You should rather archive them after archiving their associated user.\n\n"
            f"Linked active users : {names}",
            action,
            "Go to users",
            None,
        )


partner.display_name = lambda env, rec: complete_name(env, rec)
partner.constraints.append(_check_name)
partner.on_unlink.append(_unlink_except_user)

category = Model(
    "res.partner.category",
    "Partner Tags",
    {
        "name": fld("char", "Tag Name", required=True),
        "color": fld("integer", "Color"),
        "parent_id": fld("many2one", "Parent Category", relation="res.partner.category"),
        "active": fld("boolean", "Active", default=True),
    },
    order="name",
)


def _category_display_name(env: Env, rec: dict[str, Any]) -> str:
    parent = rec.get("parent_id")
    name = rec.get("name") or ""
    return f"{env.display_name('res.partner.category', parent)} / {name}" if parent else name


category.display_name = _category_display_name

users = Model(
    "res.users",
    "User",
    {
        "name": fld("char", "Name", required=True),
        "login": fld("char", "Login", required=True),
        "partner_id": fld("many2one", "Related Partner", relation="res.partner"),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
        "lang": fld("char", "Language", default="en_US"),
        "tz": fld("char", "Timezone", default=False),
        "active": fld("boolean", "Active", default=True),
    },
    order="name, login",
    uniques=[(("login",), "You can not have two users with the same login!")],
)


@users.method(api_model=True)
def context_get(records: Any) -> dict[str, Any]:
    """What Odoo's res.users.context_get answers: the caller's lang, tz and uid."""
    user = records.env.table("res.users")[records.env.uid]
    return {"lang": user.get("lang") or "en_US", "tz": user.get("tz"), "uid": records.env.uid}


module = Model(
    "ir.module.module",
    "Module",
    {
        "name": fld("char", "Technical Name", required=True),
        "shortdesc": fld("char", "Module Name"),
        "state": fld(
            "selection",
            "Status",
            selection=(
                "uninstallable",
                "uninstalled",
                "installed",
                "to upgrade",
                "to remove",
                "to install",
            ),
            default="uninstalled",
        ),  # fmt: skip
        "latest_version": fld("char", "Installed Version"),
    },
    order="name",
)

MODELS = [currency, company, partner, category, users, module]
