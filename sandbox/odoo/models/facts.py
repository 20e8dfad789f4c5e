"""Per-model facts of a real Odoo 18 that shape its generic ORM's answers.

Read from the real registry of a fresh database with the four apps installed
(`env[model]._order`, `_rec_name`, `_rec_names_search`, `_parent_name`, in `odoo-bin
shell`), and, for deleted ids, by calling `write` and `unlink` on an id that does not
exist over JSON-RPC: the generic ORM passes over it silently, but most business models
raise MissingError because their own code (mail tracking, computes, overrides) reads
the record first. `clears_caches` lists what calls `registry.clear_cache()` in their
Odoo code (product_product.py create/unlink/write, res_currency.py, res_company.py,
res_users.py), which empties the password-check cache (see credentials.py).

Left as the sandbox had them, because the fields they sort on are not modelled:
account.account (`code, placeholder_code`), account.move.line (`date desc, move_name
desc, id`) and ir.module.module (`application desc,sequence,name`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.odoo.registry import Model

BOTH = frozenset({"write", "unlink"})


@dataclass(frozen=True)
class Facts:
    order: str | None = None
    rec_name: Any = "keep"  # a name, None (no _rec_name), or "keep"
    rec_names_search: tuple[str, ...] = ()
    parent_name: str | None = None
    tolerates_missing: frozenset[str] = frozenset()
    clears_caches: tuple[str, ...] = ()
    description: str | None = None
    sql_computed: tuple[str, ...] = ()


FACTS: dict[str, Facts] = {
    "account.account": Facts(sql_computed=("code",)),
    "res.currency": Facts(
        rec_names_search=("name", "full_name"),
        tolerates_missing=BOTH,
        clears_caches=("create", "unlink", "active", "digits", "position", "symbol"),
    ),
    "res.company": Facts(
        order="sequence, name",
        tolerates_missing=frozenset({"unlink"}),
        clears_caches=("create", "active", "sequence"),
    ),
    "res.partner.category": Facts(tolerates_missing=BOTH),
    "res.users": Facts(clears_caches=("active", "lang", "tz", "company_id", "groups_id")),
    "ir.module.module": Facts(rec_names_search=("name", "shortdesc", "summary")),
    "account.journal": Facts(rec_names_search=("name", "code")),
    "account.tax": Facts(
        order="sequence,id", rec_names_search=("name", "description", "invoice_label")
    ),
    "account.payment.term.line": Facts(rec_name=None, tolerates_missing=frozenset({"unlink"})),
    "account.payment.method": Facts(tolerates_missing=BOTH),
    "account.payment.method.line": Facts(tolerates_missing=frozenset({"write"})),
    "crm.team": Facts(order="sequence ASC, create_date DESC, id DESC"),
    "product.category": Facts(
        order="complete_name", rec_name="complete_name", tolerates_missing=frozenset({"unlink"})
    ),
    "product.template": Facts(order="is_favorite desc, name", clears_caches=("active",)),
    "product.product": Facts(
        order="is_favorite desc, default_code, name, id",
        tolerates_missing=frozenset({"unlink"}),
        clears_caches=("create", "unlink", "product_template_attribute_value_ids", "active"),
    ),
    "product.pricelist": Facts(
        order="sequence, id, name", rec_names_search=("name", "currency_id")
    ),
    "product.attribute": Facts(tolerates_missing=frozenset({"unlink"})),
    "product.attribute.value": Facts(tolerates_missing=frozenset({"write"})),
    "product.template.attribute.line": Facts(rec_names_search=("attribute_id", "value_ids")),
    "product.template.attribute.value": Facts(
        order="attribute_line_id, product_attribute_value_id, id",
        tolerates_missing=frozenset({"write"}),
    ),
    "product.combo.item": Facts(rec_name=None, tolerates_missing=frozenset({"unlink"})),
    "res.country": Facts(rec_names_search=("name", "code"), tolerates_missing=BOTH),
    "res.country.state": Facts(
        order="code", rec_names_search=("name", "code"), tolerates_missing=BOTH
    ),
    "stock.warehouse": Facts(order="sequence,id"),
    "stock.location": Facts(
        rec_names_search=("complete_name", "barcode"), parent_name="location_id"
    ),
    "stock.picking.type": Facts(
        order="is_favorite desc, sequence, id", rec_names_search=("name", "warehouse_id.name")
    ),
    "stock.move": Facts(order="sequence, id"),
    "stock.quant": Facts(
        rec_name="product_id", rec_names_search=("location_id", "lot_id", "package_id", "owner_id")
    ),
    "sale.order": Facts(rec_names_search=("name",)),
    "sale.order.line": Facts(rec_names_search=("name", "order_id.name")),
    "choose.delivery.carrier": Facts(
        rec_name=None,
        description="Delivery Carrier Selection Wizard",
        tolerates_missing=frozenset({"write"}),
    ),
    "account.move": Facts(
        order="date desc, name desc, invoice_date desc, id desc",
        rec_names_search=("name", "partner_id.name", "ref"),
    ),
    "account.move.line": Facts(rec_names_search=("name", "move_id", "product_id")),
    "account.payment.register": Facts(rec_name=None, tolerates_missing=frozenset({"write"})),
    "account.move.reversal": Facts(rec_name=None, tolerates_missing=frozenset({"write"})),
    "sale.advance.payment.inv": Facts(rec_name=None),
}


def apply(models: dict[str, Model]) -> None:
    """Set each model's facts (idempotent: the models are module-level objects)."""
    for name, facts in FACTS.items():
        m = models[name]
        if facts.order is not None:
            m.order = facts.order
        if facts.rec_name != "keep":
            m.rec_name = facts.rec_name
        # Only the fields the sandbox models: searching on one it lacks would be refused.
        known = set(m.fields) | (set(models[m.inherits[0]].fields) if m.inherits else set())
        m.rec_names_search = tuple(f for f in facts.rec_names_search if f.split(".")[0] in known)
        if facts.parent_name is not None:
            m.parent_name = facts.parent_name
        m.tolerates_missing = facts.tolerates_missing
        m.clears_caches = facts.clears_caches
        m.sql_computed = facts.sql_computed
        if facts.description is not None:
            m.description = facts.description
