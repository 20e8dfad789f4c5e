"""The Odoo sandbox behaves as Odoo 18 where Bridge's correctness depends on it (issue 12).

Every expected outcome below was seen on the real Odoo 18 Community at 127.0.0.1:8069
(db odoo18: sale_management, stock, account, stock_delivery; no demo data) and is named
with the place in /work/odoo18/src that produces it. `test_odoo_vs_real.py` runs the
same kinds of calls against both whenever a real Odoo is configured.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.odoo import OdooSandbox
from tests.odoo_fixtures import SANDBOX_DB, SANDBOX_PASSWORD
from tests.sandbox.odoo_probes import GONE, Odoo


@pytest.fixture(scope="module")
def sandbox() -> Iterator[OdooSandbox]:
    with OdooSandbox(login_cost=0) as sb:
        yield sb


@pytest.fixture(scope="module")
def odoo(sandbox: OdooSandbox) -> Odoo:
    return Odoo(sandbox.url, SANDBOX_DB, "admin", SANDBOX_PASSWORD)


def name(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:6]}"


FK_REFUSAL = (
    "The operation cannot be completed: another model requires the record being deleted. "
    "If possible, archive it instead.\n\nModel: {model}\nConstraint: {constraint}\n"
)


# -- referential integrity on unlink ------------------------------------------------------------


def test_partner_with_a_confirmed_order_cannot_be_deleted(odoo: Odoo) -> None:
    """sale.order.partner_id is required, so its foreign key is ON DELETE RESTRICT
    (fields.Many2one.setup_nonrelated); the ForeignKeyViolation becomes this
    ValidationError in odoo/service/model.py::_as_validation_error."""
    partner = odoo.do("res.partner", "create", {"name": name("buyer")})
    order = odoo.do("sale.order", "create", {"partner_id": partner})
    odoo.do("sale.order", "action_confirm", [order])
    assert odoo.call("res.partner", "unlink", [partner]) == [
        "fault",
        "odoo.exceptions.ValidationError",
        FK_REFUSAL.format(
            model="Sales Order (sale.order)", constraint="sale_order_partner_id_fkey"
        ),
    ]
    assert odoo.do("res.partner", "exists", [partner]) == [partner]
    assert odoo.do("sale.order", "read", [order], ["partner_id"])[0]["partner_id"][0] == partner


def test_a_delivery_address_on_a_confirmed_order_cannot_be_deleted(odoo: Odoo) -> None:
    """partner_shipping_id is required too (sale_order.py): its own constraint refuses."""
    buyer = odoo.do("res.partner", "create", {"name": name("buyer")})
    ship = odoo.do("res.partner", "create", {"name": name("ship to")})
    order = odoo.do("sale.order", "create", {"partner_id": buyer, "partner_shipping_id": ship})
    odoo.do("sale.order", "action_confirm", [order])
    fault = odoo.call("res.partner", "unlink", [ship])
    assert fault[2].endswith("Constraint: sale_order_partner_shipping_id_fkey\n")


def test_deleting_a_partner_deletes_its_draft_orders(odoo: Odoo) -> None:
    """sale/models/res_partner.py::unlink removes the partner's draft and cancelled orders
    first, so only sent or confirmed ones keep it (seen: the draft order is gone)."""
    partner = odoo.do("res.partner", "create", {"name": name("draft buyer")})
    order = odoo.do("sale.order", "create", {"partner_id": partner})
    line = odoo.do("sale.order.line", "create", {"order_id": order, "product_id": 1, "name": "x"})
    assert odoo.call("res.partner", "unlink", [partner]) == ["ok", True]
    assert odoo.do("sale.order", "exists", [order]) == []
    assert odoo.do("sale.order.line", "exists", [line]) == []  # ON DELETE CASCADE


def test_a_partner_used_in_accounting_cannot_be_deleted(odoo: Odoo) -> None:
    """account/models/partner.py::_unlink_if_partner_in_account_move (@api.ondelete)."""
    partner = odoo.do("res.partner", "create", {"name": name("billed")})
    odoo.do("account.move", "create", {"partner_id": partner, "move_type": "out_invoice"})
    assert odoo.call("res.partner", "unlink", [partner]) == [
        "fault",
        "odoo.exceptions.UserError",
        "The partner cannot be deleted because it is used in Accounting",
    ]


def test_the_contact_of_an_active_user_cannot_be_deleted(odoo: Odoo) -> None:
    """base res_partner.py::_unlink_except_user raises a RedirectWarning (JSON-RPC joins
    its arguments; XML-RPC answers fault 2 with str(args), rpc.py)."""
    fault = odoo.call("res.partner", "unlink", [3])
    assert fault[:2] == ["fault", "odoo.exceptions.RedirectWarning"]
    assert fault[2].startswith(
        "You cannot delete contacts linked to an active user.\n"
        "You should rather archive them after archiving their associated user.\n\n"
        "Linked active users : Administrator\n{'type': 'ir.actions.act_window'"
    )
    assert fault[2].endswith("'res_id': 2}\nGo to users\nNone")
    code, text = odoo.xml("res.partner", "unlink", [3])[1:]
    assert code == 2 and text.startswith("('You cannot delete contacts linked to an active user.")


def test_deleting_a_company_empties_its_contacts_link(odoo: Odoo) -> None:
    """res.partner.parent_id is optional: ON DELETE SET NULL, and the contact's stored
    computes (commercial partner, complete name) follow, as seen on the real one."""
    co = odoo.do("res.partner", "create", {"name": "Gone Co", "is_company": True})
    kid = odoo.do("res.partner", "create", {"name": "Kid", "parent_id": co})
    assert odoo.do("res.partner", "read", [kid], ["display_name"])[0]["display_name"] == (
        "Gone Co, Kid"
    )
    assert odoo.call("res.partner", "unlink", [co]) == ["ok", True]
    fields = ["parent_id", "commercial_partner_id", "complete_name", "display_name"]
    [row] = odoo.do("res.partner", "read", [kid], fields)
    assert row == {
        "id": kid,
        "parent_id": False,
        "commercial_partner_id": [kid, "Kid"],
        "complete_name": "Kid",
        "display_name": "Kid",
    }


def test_cascades_and_relation_rows_go_with_the_record(odoo: Odoo) -> None:
    """product.product.product_tmpl_id is ON DELETE CASCADE (recorded from
    ir.model.fields.on_delete); a many2many's relation rows always go."""
    tmpl = odoo.do("product.template", "create", {"name": name("gone product")})
    variants = odoo.do("product.product", "search", [["product_tmpl_id", "=", tmpl]])
    tag = odoo.do("res.partner.category", "create", {"name": name("tag")})
    tagged = odoo.do("res.partner", "create", {"name": name("tagged"), "category_id": [[4, tag]]})
    assert odoo.call("product.template", "unlink", [tmpl]) == ["ok", True]
    assert odoo.do("product.product", "search_count", [["id", "in", variants]]) == 0
    assert odoo.call("res.partner.category", "unlink", [tag]) == ["ok", True]
    assert odoo.do("res.partner", "read", [tagged], ["category_id"])[0]["category_id"] == []


def test_a_missing_foreign_key_on_create(odoo: Odoo) -> None:
    """A many2one to nothing: PostgreSQL's foreign key refuses (state_id), unless Odoo's
    own computes read the record first (parent_id: MissingError), as seen."""
    assert odoo.call("res.partner", "create", {"name": "x", "state_id": GONE}) == [
        "fault",
        "odoo.exceptions.ValidationError",
        FK_REFUSAL.format(model="Contact (res.partner)", constraint="res_partner_state_id_fkey"),
    ]
    assert odoo.call("res.partner", "create", {"name": "x", "parent_id": GONE}) == [
        "fault",
        "odoo.exceptions.MissingError",
        f"Record does not exist or has been deleted.\n(Record: res.partner({GONE},), User: 2)",
    ]


# -- malformed input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "fault"),
    [
        (  # osv/expression.py::normalize_domain
            ["|", ["id", "=", 1]],
            ["builtins.ValueError", "Domain ['|', ['id', '=', 1]] is syntactically not correct."],
        ),
        (
            [["id", "=", 1], "&"],
            ["builtins.ValueError", "Domain [['id', '=', 1], '&'] is syntactically not correct."],
        ),
        (  # models.py::_condition_to_sql's assertion: a dotted path on a char field
            [["name.foo", "=", 1]],
            [
                "builtins.AssertionError",
                "Invalid field 'name.foo' in domain term ('name.foo', '=', 1)",
            ],
        ),
        (  # expression._anyfy_leaves
            [["nope", "=", 1]],
            ["builtins.ValueError", "Invalid field res.partner.nope in leaf ('nope', '=', 1)"],
        ),
        (  # expression.check_leaf: operators are case-sensitive
            [["name", "ILIKE", "a"]],
            ["builtins.ValueError", "Invalid leaf ('name', 'ILIKE', 'a')"],
        ),
        (
            [["name", "="]],
            ["builtins.ValueError", "not enough values to unpack (expected 3, got 2)"],
        ),
        (
            "notalist",
            [
                "builtins.AssertionError",
                "Domains to normalize must have a 'domain' form: a list or tuple of domain "
                "components",
            ],
        ),
        (["x", ["id", "=", 1]], ["builtins.IndexError", "string index out of range"]),
        ([["id", "in", 5]], ["builtins.ValueError", "Invalid domain term ('id', 'in', 5)"]),
        (
            [["color", "=", "abc"]],
            ["builtins.ValueError", "invalid literal for int() with base 10: 'abc'"],
        ),
        (
            [["create_date", ">", "garbage"]],
            [
                "psycopg2.errors.InvalidDatetimeFormat",
                'invalid input syntax for type timestamp: "garbage"',
            ],
        ),
        ([["name", "any", [["id", "=", 1]]]], ["builtins.KeyError", "None"]),
        ([{"a": 1}], ["builtins.TypeError", "unhashable type: 'dict'"]),
    ],
)
def test_malformed_domains_are_odoos_faults(odoo: Odoo, domain: Any, fault: list[str]) -> None:
    """Never an HTTP 500: the fault a real Odoo 18 answers (texts as seen on it)."""
    assert odoo.call("res.partner", "search", domain) == ["fault", *fault]


def test_a_domain_that_cannot_match_is_not_looked_at(odoo: Odoo) -> None:
    """BaseModel._search returns nothing for `expression.is_false` domains before the
    leaves are checked: an unknown field and-ed with `id in []` is no error."""
    assert odoo.call("res.partner", "search", [["nope", "=", 1], ["id", "in", []]]) == ["ok", []]


@pytest.mark.parametrize(
    ("method", "args", "kw", "fault"),
    [
        ("search", [[]], {"limit": "a"}, ["psycopg2.errors.InvalidTextRepresentation",
                                          'invalid input syntax for type bigint: "a"']),
        ("search", [[]], {"limit": -1}, ["psycopg2.errors.InvalidRowCountInLimitClause",
                                         "LIMIT must not be negative"]),
        ("search", [[]], {"offset": -1}, ["psycopg2.errors.InvalidRowCountInResultOffsetClause",
                                          "OFFSET must not be negative"]),
        ("read", [["a"]], {}, ["psycopg2.errors.InvalidTextRepresentation",
                               'invalid input syntax for type integer: "a"']),
        ("create", [["notadict"]], {}, ["builtins.AttributeError",
                                        "'str' object has no attribute 'get'"]),
        ("write", [[3], "abc"], {}, ["builtins.AttributeError",
                                     "'str' object has no attribute 'get'"]),
        ("unlink", [["a"]], {}, ["builtins.ValueError",
                                 "invalid literal for int() with base 10: 'a'"]),
        ("name_search", [], {"name": "x", "domain": []}, [
            "builtins.TypeError",
            "BaseModel.name_search() got an unexpected keyword argument 'domain'",
        ]),
    ],
)  # fmt: skip
def test_malformed_calls_are_odoos_faults(
    odoo: Odoo, method: str, args: list[Any], kw: dict[str, Any], fault: list[str]
) -> None:
    """PostgreSQL's own refusals keep only their first line (the real one adds the SQL)."""
    assert odoo.call("res.partner", method, *args, **kw) == ["fault", *fault]


# -- searching -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def people(odoo: Odoo) -> dict[str, int]:
    tag = odoo.do("res.partner.category", "create", {"name": name("Tag")})
    co = odoo.do("res.partner", "create", {"name": name("Co"), "is_company": True, "ref": "R1"})
    ann = odoo.do(
        "res.partner",
        "create",
        {"name": "Ann", "parent_id": co, "email": "ann@example.com", "color": 3,
         "category_id": [[6, 0, [tag]]]},
    )  # fmt: skip
    bob = odoo.do("res.partner", "create", {"name": "bob_x", "parent_id": co, "ref": "R2%"})
    bill = odoo.do("res.partner", "create", {"parent_id": co, "type": "invoice"})
    solo = odoo.do("res.partner", "create", {"name": name("Solo"), "vat": "BE0477472701"})
    return {"co": co, "ann": ann, "bob": bob, "bill": bill, "solo": solo, "tag": tag}


def found(odoo: Odoo, people: dict[str, int], *domain: Any, **kw: Any) -> list[str]:
    names = {v: k for k, v in people.items() if k != "tag"}
    mine = ["id", "in", list(names)]
    ids = odoo.do("res.partner", "search", [mine, *domain], order="id", **kw)
    return [names[i] for i in ids]


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        # models.py::_condition_to_sql
        ([["ref", "=?", False]], ["co", "ann", "bob", "bill", "solo"]),  # =? False: TRUE
        ([["ref", "=?", "R1"]], ["co"]),
        ([["ref", "<>", "R1"]], ["ann", "bob", "bill", "solo"]),  # <> is != (normalize_leaf)
        ([["ref", "!=", "R1"]], ["ann", "bob", "bill", "solo"]),  # != also matches NULL
        ([["ref", "ilike", ""]], ["co", "ann", "bob", "bill", "solo"]),  # like '': TRUE
        ([["ref", "not ilike", ""]], []),
        ([["ref", "=", False]], ["ann", "bill", "solo"]),
        ([["ref", "in", [False, "R1"]]], ["co", "ann", "bill", "solo"]),
        ([["color", "=", False]], ["co", "bob", "bill", "solo"]),  # numbers: 0 or NULL
        ([["color", "in", [3, False]]], ["co", "ann", "bob", "bill", "solo"]),
        ([["ref", "like", "R2\\%"]], ["bob"]),  # LIKE escapes with a backslash
        ([["name", "=ilike", "%BOB\\_x"]], ["bob"]),
        ([["is_company", "!=", True]], ["ann", "bob", "bill", "solo"]),
        # expression.parse: relations, any / not any, names of the comodel
        ([["parent_id", "any", [["ref", "=", "R1"]]]], ["ann", "bob", "bill"]),
        ([["parent_id", "not any", [["ref", "=", "R1"]]]], ["co", "solo"]),
        ([["child_ids", "any", [["type", "=", "invoice"]]]], ["co"]),
        ([["child_ids", "not any", [["type", "=", "invoice"]]]], ["ann", "bob", "bill", "solo"]),
        ([["child_ids", "=", False]], ["ann", "bob", "bill", "solo"]),
        ([["category_id", "ilike", "tag"]], ["ann"]),
        ([["parent_id.name", "!=", "zz"]], ["ann", "bob", "bill"]),  # any: no parent, no match
        ([["display_name", "ilike", "invoice address"]], ["bill"]),
        # A computed field without search method is ignored (and logged) by Odoo 18.
        ([["company_type", "=", "company"]], ["co", "ann", "bob", "bill", "solo"]),
    ],
)
def test_operators_as_odoo_18(
    odoo: Odoo, people: dict[str, int], domain: list[Any], expected: list[str]
) -> None:
    assert found(odoo, people, *domain) == expected


def test_child_of_through_a_many2one_to_another_model(odoo: Odoo, people: dict[str, int]) -> None:
    """expression.parse: ('partner_id', 'child_of', company) on sale.order searches the
    company's hierarchy in res.partner and matches the orders of any of them (seen)."""
    orders = {
        "co": odoo.do("sale.order", "create", {"partner_id": people["co"]}),
        "ann": odoo.do("sale.order", "create", {"partner_id": people["ann"]}),
        "solo": odoo.do("sale.order", "create", {"partner_id": people["solo"]}),
    }
    names = {v: k for k, v in orders.items()}
    mine = ["id", "in", list(names)]

    def orders_of(*domain: Any) -> list[str]:
        return [names[i] for i in odoo.do("sale.order", "search", [mine, *domain], order="id")]

    assert orders_of(["partner_id", "child_of", people["co"]]) == ["co", "ann"]
    assert orders_of(["partner_id", "child_of", odoo.do("res.partner", "read", [people["co"]],
                      ["name"])[0]["name"]]) == ["co", "ann"]  # fmt: skip
    assert orders_of(["partner_id", "parent_of", people["ann"]]) == ["co", "ann"]
    # sale.order has no parent_id: the hierarchy has nowhere to walk.
    assert odoo.call("sale.order", "search", [["id", "child_of", orders["co"]]]) == [
        "fault",
        "builtins.KeyError",
        "parent_id",
    ]


def test_display_name_of_a_model_without_a_name(odoo: Odoo) -> None:
    """BaseModel._search_display_name with no _rec_name nor _rec_names_search restrains
    nothing (Odoo logs a warning); such a record is shown as "model,id"."""
    [variant] = odoo.do("product.product", "search", [["default_code", "=", "Delivery_007"]])
    combo = odoo.do(
        "product.combo",
        "create",
        {"name": name("combo"), "combo_item_ids": [[0, 0, {"product_id": variant}]]},
    )
    [item] = odoo.do("product.combo", "read", [combo], ["combo_item_ids"])[0]["combo_item_ids"]
    domain = [["id", "=", item], ["display_name", "ilike", "zzz"]]
    assert odoo.do("product.combo.item", "search", domain) == [item]
    assert odoo.do("product.combo.item", "read", [item], ["display_name"]) == [
        {"id": item, "display_name": f"product.combo.item,{item}"}
    ]


def test_limit_zero_is_no_limit(odoo: Odoo, people: dict[str, int]) -> None:
    """search(limit=0): Query.limit 0 writes no LIMIT clause."""
    assert found(odoo, people, limit=0) == ["co", "ann", "bob", "bill", "solo"]
    assert found(odoo, people, limit=2, offset=1) == ["ann", "bob"]


def test_name_search_has_odoo_18s_signature(odoo: Odoo, people: dict[str, int]) -> None:
    """BaseModel.name_search(name, args, operator, limit) in 18; res.partner matches its
    `_rec_names_search`: complete_name, email, ref, vat, company_registry."""
    mine = [["id", "in", list(people.values())]]
    assert odoo.do("res.partner", "name_search", "ann@exa", mine, "ilike", 5) == [
        [people["ann"], odoo.do("res.partner", "read", [people["ann"]], ["display_name"])[0][
            "display_name"]]
    ]  # fmt: skip
    assert [r[0] for r in odoo.do("res.partner", "name_search", "R2%", mine)] == [people["bob"]]
    by_vat = odoo.do("res.partner", "name_search", name="BE0477", args=mine, limit=3)
    assert [r[0] for r in by_vat] == [people["solo"]]


def test_name_search_takes_domain_on_odoo_19() -> None:
    """Odoo 19 renamed `args` to `domain`."""
    with OdooSandbox(version="19.0", login_cost=0) as sb:
        odoo = Odoo(sb.url, SANDBOX_DB, "admin", SANDBOX_PASSWORD)
        assert odoo.do("res.partner", "name_search", name="Admin", domain=[]) == [
            [3, "Administrator"]
        ]
        assert odoo.call("res.partner", "name_search", name="Admin", args=[])[1] == (
            "builtins.TypeError"
        )


def test_read_without_load_gives_bare_ids(odoo: Odoo, people: dict[str, int]) -> None:
    """BaseModel._read_format: only load='_classic_read' pairs a many2one with its name."""
    kid = people["ann"]
    assert odoo.do("res.partner", "read", [kid], ["parent_id"], load=None) == [
        {"id": kid, "parent_id": people["co"]}
    ]
    assert odoo.do("res.partner", "read", [kid], ["parent_id"])[0]["parent_id"][0] == people["co"]
    assert odoo.do("res.partner", "read", [kid, GONE], ["parent_id"], load="x") == [
        {"id": kid, "parent_id": people["co"]}
    ]


# -- ordering --------------------------------------------------------------------------------------


def test_partners_default_order_is_complete_name_then_newest(odoo: Odoo) -> None:
    """res.partner._order = "complete_name ASC, id DESC" (collation C: capitals first)."""
    token = uuid.uuid4().hex[:6]
    made = {
        label: odoo.do("res.partner", "create", {"name": f"{token} {text}"})
        for label, text in [("zed", "Zed"), ("alice", "alice"), ("Alice", "Alice"),
                            ("twin1", "Twin"), ("twin2", "Twin")]
    }  # fmt: skip
    names = {v: k for k, v in made.items()}
    ids = odoo.do("res.partner", "search", [["id", "in", list(names)]])
    assert [names[i] for i in ids] == ["Alice", "twin2", "twin1", "zed", "alice"]


def test_order_with_nulls_first_or_last(odoo: Odoo) -> None:
    """_order_to_sql: PostgreSQL puts NULLs last ascending, first descending, unless told."""
    token = uuid.uuid4().hex[:6]
    a = odoo.do("res.partner", "create", {"name": f"{token} a", "ref": "A"})
    n = odoo.do("res.partner", "create", {"name": f"{token} n"})
    b = odoo.do("res.partner", "create", {"name": f"{token} b", "ref": "B"})
    mine = [["id", "in", [a, n, b]]]
    assert odoo.do("res.partner", "search", mine, order="ref, id") == [a, b, n]
    assert odoo.do("res.partner", "search", mine, order="ref desc, id") == [n, b, a]
    assert odoo.do("res.partner", "search", mine, order="ref nulls first, id") == [n, a, b]
    assert odoo.do("res.partner", "search", mine, order="ref desc nulls last, id") == [b, a, n]


@pytest.mark.parametrize(
    ("order", "fault"),
    [
        ("name sideways", [
            "odoo.exceptions.UserError",
            'Invalid "order" specified (name sideways). A valid "order" specification is a '
            "comma-separated list of valid field names (optionally followed by asc/desc for "
            "the direction)",
        ]),
        ("nope", ["builtins.ValueError", "Invalid field 'nope' on model 'res.partner'"]),
        ("display_name", [
            "builtins.ValueError",
            "Cannot convert res.partner.display_name to SQL because it is not stored",
        ]),
    ],
)  # fmt: skip
def test_an_invalid_order_is_refused(odoo: Odoo, order: str, fault: list[str]) -> None:
    """models.py::_check_qorder (regex_order) and _order_field_to_sql."""
    assert odoo.call("res.partner", "search", [], order=order) == ["fault", *fault]


# -- writing ---------------------------------------------------------------------------------------


def test_contacts_require_a_name(odoo: Odoo) -> None:
    """res.partner's SQL constraint check_name: CHECK((type='contact' AND name IS NOT NULL)
    or (type!='contact')); an empty name is not NULL, an address needs none."""
    refusal = [
        "fault",
        "odoo.exceptions.ValidationError",
        "The operation cannot be completed: Contacts require a name",
    ]
    assert odoo.call("res.partner", "create", {"email": "x@example.com"}) == refusal
    assert odoo.call("res.partner", "create", {"name": False}) == refusal
    empty = odoo.do("res.partner", "create", {"name": ""})
    assert odoo.do("res.partner", "read", [empty], ["name"]) == [{"id": empty, "name": ""}]
    co = odoo.do("res.partner", "create", {"name": "Named Co", "is_company": True})
    bill = odoo.do("res.partner", "create", {"parent_id": co, "type": "invoice"})
    assert odoo.do("res.partner", "read", [bill], ["display_name"])[0]["display_name"] == (
        "Named Co, Invoice Address"
    )
    assert odoo.call("res.partner", "write", [bill], {"type": "contact"}) == refusal


def test_write_and_unlink_of_a_missing_id(odoo: Odoo) -> None:
    """fields.Field.__get__ raises MissingError when the model's own write/unlink code reads
    the deleted record (res.partner, sale.order...); the plain ORM (res.partner.category)
    passes over it, as seen on the real one."""
    missing = [
        "fault",
        "odoo.exceptions.MissingError",
        f"Record does not exist or has been deleted.\n(Record: res.partner({GONE},), User: 2)",
    ]
    pid = odoo.do("res.partner", "create", {"name": name("p")})
    assert odoo.call("res.partner", "write", [GONE], {"name": "x"}) == missing
    assert odoo.call("res.partner", "write", [pid, GONE], {"name": "x"}) == missing
    assert odoo.call("res.partner", "unlink", [pid, GONE, GONE + 1]) == missing
    assert odoo.do("res.partner", "exists", [pid]) == [pid]  # the call was rolled back
    assert odoo.call("sale.order", "unlink", [GONE])[1] == "odoo.exceptions.MissingError"
    assert odoo.call("res.partner.category", "write", [GONE], {"color": 1}) == ["ok", True]
    assert odoo.call("res.partner.category", "unlink", [GONE]) == ["ok", True]


def test_fields_get_answers_magic_fields_and_attributes(odoo: Odoo) -> None:
    """BaseModel.fields_get as recorded from the real Odoo 18 (sandbox/odoo/data)."""
    described = odoo.do("res.partner", "fields_get", [], ["type", "string", "readonly", "store"])
    for magic, (kind, label) in {
        "id": ("integer", "ID"),
        "display_name": ("char", "Display Name"),
        "create_date": ("datetime", "Created on"),
        "create_uid": ("many2one", "Created by"),
        "write_date": ("datetime", "Last Updated on"),
        "write_uid": ("many2one", "Last Updated by"),
    }.items():
        assert described[magic]["type"] == kind and described[magic]["string"] == label
        assert described[magic]["readonly"] is True
    assert described["display_name"]["store"] is False
    full = odoo.do("res.partner", "fields_get", ["type", "vat", "parent_id"])
    assert full["type"]["selection"] == [
        ["contact", "Contact"],
        ["invoice", "Invoice Address"],
        ["delivery", "Delivery Address"],
        ["other", "Other Address"],
    ]
    assert full["vat"]["help"].startswith("The Tax Identification Number.")
    assert full["parent_id"]["relation"] == "res.partner"
    assert {"searchable", "sortable", "groupable", "exportable", "depends"} <= set(full["vat"])
    html = odoo.do("product.template", "fields_get", ["description"])["description"]
    assert (html["type"], html["sanitize"], html["sanitize_style"]) == ("html", True, False)


# -- html fields -----------------------------------------------------------------------------------

PAGE_BUILDER = (
    "<style>#html-body [data-pb-style=B7P0LKO]{display:flex}</style>"
    '<div data-content-type="row" data-appearance="contained" data-element="main">'
    '<div data-enable-parallax="0" data-element="inner" data-pb-style="B7P0LKO">'
    '<div data-content-type="text" data-appearance="default" data-element="main">'
    "<p>Foam brick</p></div><script>x()</script>"
    '<iframe src="https://v.test/e"></iframe></div></div>'
)
#: (written, kept by res.partner.comment, kept by product.template.description), as seen.
#: A plain html field is sanitised twice (Html.convert_to_cache, then convert_to_column);
#: a translated one (description, html_translate) once: hence "<div><div>" and custom tags.
HTML_SEEN = [
    ("plain text", "<p>plain text</p>", "<p>plain text</p>"),
    ("<p>Caf&eacute; &amp; cr&egrave;me&nbsp;ok</p>", "<p>Café &amp; crème&nbsp;ok</p>",
     "<p>Café &amp; crème&nbsp;ok</p>"),
    ("Line one<br />Line two", "<p>Line one<br>Line two</p>", "<p>Line one<br>Line two</p>"),
    ("<p>Hi</p><style>p{color:red}</style><script>alert(1)</script><iframe src='x'></iframe>",
     "<p>Hi</p>", "<p>Hi</p>"),
    ('<div data-foo="1" class="c" style="color:red; position:absolute" onclick="x()">d</div>',
     '<div class="c" style="color:red; position:absolute">d</div>',
     '<div class="c" style="color:red; position:absolute">d</div>'),
    ('<p><a href="javascript:alert(1)">x</a></p>', '<p><a href="">x</a></p>',
     '<p><a href="">x</a></p>'),
    ("<blockquote>quoted</blockquote>",
     '<blockquote data-o-mail-quote-node="1" data-o-mail-quote="1">quoted</blockquote>',
     '<blockquote data-o-mail-quote-node="1" data-o-mail-quote="1">quoted</blockquote>'),
    ("<form><input name='a'><button>b</button></form>", "", ""),
    ("<custom-tag>z</custom-tag>", "<p>z</p>", "z"),
    ("<div><div>nested</div></div>", "nested", "<div>nested</div>"),
    ("<b>bold</b> and <i>it</i>", "<span><b>bold</b> and <i>it</i></span>",
     "<span><b>bold</b> and <i>it</i></span>"),
    ("   ", "", ""),
    # A Magento 2.4 Page Builder description: styles, scripts, iframes and data-* go.
    (PAGE_BUILDER, "<div><div><p>Foam brick</p></div></div>",
     "<div><div><div><p>Foam brick</p></div></div></div>"),
    ("<p>&bull; Two-tone heather.<br />&bull; Drawstring hood.</p>",
     "<p>\u2022 Two-tone heather.<br>\u2022 Drawstring hood.</p>",
     "<p>\u2022 Two-tone heather.<br>\u2022 Drawstring hood.</p>"),
    # libxml2 2.10's HTML writer (lxml 4.9.3, Odoo 18's pin) percent-escapes URI attributes.
    ('<p><img src="{{media url=wysiwyg/a b.jpg}}" alt="A"></p>',
     '<p><img src="%7B%7Bmedia%20url=wysiwyg/a%20b.jpg%7D%7D" alt="A"></p>',
     '<p><img src="%7B%7Bmedia%20url=wysiwyg/a%20b.jpg%7D%7D" alt="A"></p>'),
    ('<p><a href="  /x|y^z[1]`" name="n {">l</a></p>',
     '<p><a href="/x%7Cy%5Ez%5B1%5D%60" name="n%20%7B">l</a></p>',
     '<p><a href="/x%7Cy%5Ez%5B1%5D%60" name="n%20%7B">l</a></p>'),
]  # fmt: skip


@pytest.mark.parametrize(("text", "comment", "description"), HTML_SEEN)
def test_html_fields_are_sanitised_as_odoo_18(
    odoo: Odoo, text: str, comment: str, description: str
) -> None:
    """fields.Html with sanitize=True -> tools/mail.py::html_sanitize (lxml's Cleaner);
    product.template.description_sale is a text field and keeps what was written."""
    pid = odoo.do("res.partner", "create", {"name": name("html"), "comment": text})
    tid = odoo.do(
        "product.template",
        "create",
        {"name": name("html"), "description": text, "description_sale": text},
    )
    assert odoo.do("res.partner", "read", [pid], ["comment"])[0]["comment"] == comment
    [tmpl] = odoo.do("product.template", "read", [tid], ["description", "description_sale"])
    assert tmpl == {"id": tid, "description": description, "description_sale": text}
    odoo.do("product.template", "write", [tid], {"description": text})
    assert odoo.do("product.template", "read", [tid], ["description"])[0]["description"] == (
        description
    )


def test_inventory_tracking_cannot_change_on_a_reserved_product(odoo: Odoo) -> None:
    """stock's product.template.write (addons/stock/models/product.py): `is_storable` cannot
    change while a move reserves the product; a write keeping it is fine. Seen on the real
    Odoo 18 when a product import met an untracked product on an order's delivery."""
    tmpl = odoo.do("product.template", "create", {"name": name("untracked"), "type": "consu"})
    [variant] = odoo.do("product.product", "search", [("product_tmpl_id", "=", tmpl)])
    partner = odoo.do("res.partner", "create", {"name": name("buyer")})
    order = odoo.do("sale.order", "create", {"partner_id": partner, "order_line": [
        (0, 0, {"product_id": variant, "product_uom_qty": 1})]})  # fmt: skip
    odoo.do("sale.order", "action_confirm", [order])
    assert odoo.call("product.template", "write", [tmpl], {"is_storable": True}) == [
        "fault",
        "odoo.exceptions.UserError",
        "You can not change the inventory tracking of a product that is currently reserved on "
        "a stock move. If you need to change the inventory tracking, you should first "
        "unreserve the stock move.",
    ]
    assert odoo.do("product.template", "write", [tmpl], {"is_storable": False, "name": "kept"})
    [row] = odoo.do("product.template", "read", [tmpl], ["is_storable", "name"])
    assert (row["is_storable"], row["name"]) == (False, "kept")
