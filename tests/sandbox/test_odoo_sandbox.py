"""The Odoo sandbox: domain evaluator, ORM rules, fresh-database defaults and wire shapes.

Expected texts and shapes are those recorded on a real Odoo 18 (JSON-RPC and /xmlrpc/2).
"""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sandbox.odoo import OdooSandbox  # noqa: E402
from sandbox.odoo.exceptions import UserError, ValidationError, WrongValue  # noqa: E402
from sandbox.odoo.models import all_models  # noqa: E402
from sandbox.odoo.registry import Database, Env  # noqa: E402
from sandbox.odoo.seed import seed  # noqa: E402
from tests.odoo_fixtures import jsonrpc  # noqa: E402


@pytest.fixture
def env() -> Env:
    db = Database("bridge", all_models())
    seed(db)
    return Env(db, uid=2)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[OdooSandbox]:
    with OdooSandbox() as sb:
        yield sb


@pytest.fixture(scope="module")
def sandbox19() -> Iterator[OdooSandbox]:
    with OdooSandbox(version="19.0") as sb:
        yield sb


def names(env: Env, model: str, domain: list[Any], **kw: Any) -> list[str]:
    return [r["name"] for r in env.read(model, env.search(model, domain, **kw), ["name"])]


@pytest.fixture
def tags(env: Env) -> dict[str, int]:
    ids = env.create(
        "res.partner.category",
        [
            {"name": "Alpha", "color": 1},
            {"name": "beta", "color": 2},
            {"name": "Gamma", "color": 3, "active": False},
            {"name": "Delta"},
        ],
    )
    child = env.create("res.partner.category", [{"name": "Alpha kid", "parent_id": ids[0]}])[0]
    return {"alpha": ids[0], "beta": ids[1], "gamma": ids[2], "delta": ids[3], "kid": child}


# -- domain evaluator --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ([("color", "=", 2)], ["beta"]),
        ([("color", "!=", 2)], ["Alpha", "Alpha kid", "Delta"]),
        ([("color", ">", 1)], ["beta"]),
        ([("color", ">=", 1)], ["Alpha", "beta"]),
        ([("color", "<", 2), ("color", "!=", 0)], ["Alpha"]),
        ([("color", "<=", 2), ("name", "like", "a")], ["Alpha", "Alpha kid", "beta", "Delta"]),
        ([("name", "in", ["Alpha", "Delta"])], ["Alpha", "Delta"]),
        ([("name", "not in", ["Alpha", "Delta"])], ["Alpha kid", "beta"]),
        ([("name", "like", "lph")], ["Alpha", "Alpha kid"]),
        ([("name", "like", "ALPH")], []),
        ([("name", "ilike", "ALPH")], ["Alpha", "Alpha kid"]),
        ([("name", "not ilike", "alph")], ["beta", "Delta"]),
        ([("name", "=like", "A%")], ["Alpha", "Alpha kid"]),
        ([("name", "=ilike", "b___")], ["beta"]),
        (["|", ("name", "=", "Alpha"), ("name", "=", "beta")], ["Alpha", "beta"]),
        (["!", ("name", "=", "Alpha")], ["Alpha kid", "beta", "Delta"]),
        (["&", ("color", ">", 0), "!", ("name", "=", "Alpha")], ["beta"]),
        ([("parent_id", "=", False)], ["Alpha", "beta", "Delta"]),
        ([("parent_id.name", "=", "Alpha")], ["Alpha kid"]),
        ([("parent_id", "=", "Alpha")], ["Alpha kid"]),
        ([(1, "=", 1)], ["Alpha", "Alpha kid", "beta", "Delta"]),
        ([(0, "=", 1)], []),
    ],
)
def test_domain_operators(
    env: Env, tags: dict[str, int], domain: list[Any], expected: list[str]
) -> None:
    assert sorted(names(env, "res.partner.category", domain)) == sorted(expected)


def test_domain_ids_and_child_of(env: Env, tags: dict[str, int]) -> None:
    model = "res.partner.category"
    assert env.search(model, [("id", "in", [tags["beta"], tags["kid"]])], order="id") == [
        tags["beta"],
        tags["kid"],
    ]
    assert env.search(model, [("id", "child_of", tags["alpha"])], order="id") == [
        tags["alpha"],
        tags["kid"],
    ]


def test_archived_hidden_unless_active_test_false_or_mentioned(
    env: Env, tags: dict[str, int]
) -> None:
    model = "res.partner.category"
    assert "Gamma" not in names(env, model, [])
    assert names(env, model, [("active", "=", False)]) == ["Gamma"]
    env.context = {"active_test": False}
    assert "Gamma" in names(env, model, [])


def test_invalid_leaf_and_field(env: Env) -> None:
    with pytest.raises(WrongValue, match=r"Invalid field res.partner.nope in leaf"):
        env.search("res.partner", [("nope", "=", 1)])
    with pytest.raises(WrongValue):
        env.search("res.partner", [("name", "~", 1)])


def test_order_limit_offset(env: Env, tags: dict[str, int]) -> None:
    model = "res.partner.category"
    assert names(env, model, [], order="color desc, id asc", limit=2) == ["beta", "Alpha"]
    assert names(env, model, [], order="id", offset=1, limit=2) == ["beta", "Delta"]


# -- ORM rules ---------------------------------------------------------------------------------


def test_required_field_message_matches_odoo(env: Env) -> None:
    with pytest.raises(ValidationError) as info:
        env.create("account.journal", [{"name": "X", "code": "XX"}])
    # The whole text as real Odoo 18 answers it (service/model.py::_as_validation_error),
    # down to its final newline.
    assert info.value.message == (
        "The operation cannot be completed:\n"
        "- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. "
        "If possible, archive it instead.\n\n"
        "Model: Journal (account.journal)\n"
        "Field: Type (type)\n"
    )


def test_journal_code_unique_per_company_and_truncated(env: Env) -> None:
    [jid] = env.create("account.journal", [{"name": "Shop", "code": "SHOPIFY", "type": "sale"}])
    assert env.read("account.journal", [jid], ["code"])[0]["code"] == "SHOPI"
    with pytest.raises(ValidationError, match="Journal codes must be unique per company"):
        env.create("account.journal", [{"name": "Other", "code": "SHOPI", "type": "bank"}])


def test_failed_call_rolls_back(env: Env) -> None:
    before = len(env.table("res.partner.category"))
    with pytest.raises(ValidationError), env.db.transaction():
        env.create("res.partner.category", [{"name": "ok"}, {"color": 1}])
    assert len(env.table("res.partner.category")) == before


def test_bad_selection_and_unknown_model(env: Env) -> None:
    with pytest.raises(WrongValue, match=r"Wrong value for res.partner.type: 'nonsense'"):
        env.create("res.partner", [{"name": "x", "type": "nonsense"}])
    with pytest.raises(UserError, match="Object no.such.model doesn't exist"):
        env.search("no.such.model", [])


def test_x2many_commands(env: Env) -> None:
    a, b = env.create("res.partner.category", [{"name": "a"}, {"name": "b"}])
    [pid] = env.create(
        "res.partner",
        [
            {
                "name": "Co",
                "is_company": True,
                "category_id": [(6, 0, [a])],
                "child_ids": [(0, 0, {"name": "Kid"})],
            }
        ],
    )
    env.write("res.partner", [pid], {"category_id": [(4, b)]})
    [row] = env.read("res.partner", [pid], ["category_id", "child_ids"])
    assert row["category_id"] == [a, b] and len(row["child_ids"]) == 1
    [kid] = env.read("res.partner", row["child_ids"], ["parent_id", "display_name"])
    assert kid["parent_id"] == [pid, "Co"] and kid["display_name"] == "Co, Kid"


def test_template_creates_its_variant(env: Env) -> None:
    [tid] = env.create(
        "product.template",
        [{"name": "Mug", "default_code": "MUG-1", "is_storable": True, "list_price": 9.5}],
    )
    [variant] = env.search("product.product", [("product_tmpl_id", "=", tid)])
    [row] = env.read("product.product", [variant], ["name", "default_code", "type", "is_storable"])
    assert row == {
        "id": variant,
        "name": "Mug",
        "default_code": "MUG-1",
        "type": "consu",
        "is_storable": True,
    }
    env.write("product.product", [variant], {"list_price": 12.0})
    assert env.read("product.template", [tid], ["list_price"])[0]["list_price"] == 12.0


# -- fresh-database defaults (as recorded on Odoo 18) ------------------------------------------


def test_fresh_database_defaults(env: Env) -> None:
    [company] = env.read("res.company", [1], ["name", "currency_id"])
    assert company["name"] == "My Company" and company["currency_id"] == [1, "USD"]
    [admin] = env.read("res.users", [2], ["login", "partner_id"])
    assert admin["login"] == "admin" and admin["partner_id"] == [3, "Administrator"]
    journals = env.read("account.journal", env.search("account.journal", [], order="id"), ["code"])
    assert [j["code"] for j in journals] == [
        "INV",
        "BILL",
        "MISC",
        "EXCH",
        "CABA",
        "BNK1",
        "CSH1",
        "STJ",
    ]
    taxes = env.read("account.tax", env.search("account.tax", []), ["name", "amount"])
    assert {(t["name"], t["amount"]) for t in taxes} == {("15%", 15.0)}
    [carrier] = env.read("delivery.carrier", [1], ["name", "product_id", "delivery_type"])
    assert carrier["product_id"] == [1, "[Delivery_007] Standard delivery"]
    assert names(env, "crm.team", []) == ["Sales"]
    installed = names(env, "ir.module.module", [("state", "=", "installed")])
    assert {"sale_management", "stock", "account", "stock_delivery"} <= set(installed)


# -- wire shapes -------------------------------------------------------------------------------


def test_jsonrpc_error_shape(sandbox: OdooSandbox) -> None:
    vals = {"name": "Dup", "code": "BNK1", "type": "bank"}
    body = jsonrpc(
        sandbox.url,
        "object",
        "execute_kw",
        "bridge",
        2,
        "admin",
        "account.journal",
        "create",
        [vals],
    )
    error = body["error"]
    assert error["code"] == 200 and error["message"] == "Odoo Server Error"
    data = error["data"]
    assert data["name"] == "odoo.exceptions.ValidationError"
    message = "The operation cannot be completed: Journal codes must be unique per company."
    assert data["message"] == message and data["arguments"] == [message]
    assert data["context"] == {} and "Traceback" in data["debug"]


def test_jsonrpc_none_result_has_no_result_key(sandbox: OdooSandbox) -> None:
    args = ("bridge", 2, "admin", "res.partner.category")
    [cid] = jsonrpc(sandbox.url, "object", "execute_kw", *args, "create", [[{"name": "n"}]])[
        "result"
    ]
    body = jsonrpc(sandbox.url, "object", "execute_kw", *args, "action_archive", [[cid]])
    assert body == {"jsonrpc": "2.0", "id": 7}


def test_jsonrpc_unknown_db_and_auth(sandbox: OdooSandbox) -> None:
    data = jsonrpc(sandbox.url, "common", "authenticate", "nope", "admin", "admin", {})["error"][
        "data"
    ]
    assert data["name"] == "psycopg2.OperationalError"
    assert 'FATAL:  database "nope" does not exist' in data["message"]
    assert jsonrpc(sandbox.url, "common", "authenticate", "bridge", "admin", "bad", {}) == {
        "jsonrpc": "2.0",
        "id": 7,
        "result": False,
    }


def test_jsonrpc_invalid_json_is_400(sandbox: OdooSandbox) -> None:
    resp = requests.post(f"{sandbox.url}/jsonrpc", data=b"{not json", timeout=5)
    assert resp.status_code == 400 and resp.text == "Invalid JSON data"


def xml_object(sandbox: OdooSandbox) -> Any:
    return xmlrpc.client.ServerProxy(f"{sandbox.url}/xmlrpc/2/object")


@pytest.mark.parametrize(
    ("model", "method", "args", "code", "text"),
    [
        (
            "account.journal",
            "create",
            [{"name": "D", "code": "INV", "type": "sale"}],
            2,
            "The operation cannot be completed: Journal codes must be unique per company.",
        ),
        (
            "res.partner",
            "_compute_display_name",
            [[1]],
            4,
            "Private methods (such as _compute_display_name) cannot be called remotely.",
        ),
        ("no.such.model", "search", [[]], 2, "Object no.such.model doesn't exist"),
    ],
)
def test_xmlrpc_fault_codes(
    sandbox: OdooSandbox, model: str, method: str, args: list[Any], code: int, text: str
) -> None:
    with pytest.raises(xmlrpc.client.Fault) as info:
        xml_object(sandbox).execute_kw("bridge", 2, "admin", model, method, args)
    assert (info.value.faultCode, info.value.faultString) == (code, text)


def test_xmlrpc_wrong_password_and_application_error(sandbox: OdooSandbox) -> None:
    with pytest.raises(xmlrpc.client.Fault) as info:
        xml_object(sandbox).execute_kw("bridge", 2, "bad", "res.partner", "search", [[]])
    assert (info.value.faultCode, info.value.faultString) == (3, "Access Denied")
    with pytest.raises(xmlrpc.client.Fault) as info:
        xml_object(sandbox).execute_kw("bridge", 2, "admin", "res.partner", "no_such_method", [[1]])
    assert info.value.faultCode == 1
    last = info.value.faultString.strip().splitlines()[-1]
    assert last == "AttributeError: The method 'no_such_method' does not exist on the model " + (
        "'res.partner'"
    )


def test_xmlrpc_none_result_faults_after_commit(sandbox: OdooSandbox) -> None:
    proxy = xml_object(sandbox)
    [cid] = proxy.execute_kw(
        "bridge", 2, "admin", "res.partner.category", "create", [[{"name": "x"}]]
    )
    with pytest.raises(xmlrpc.client.Fault) as info:
        proxy.execute_kw("bridge", 2, "admin", "res.partner.category", "action_archive", [[cid]])
    assert info.value.faultCode == 1
    assert info.value.faultString.strip().endswith(
        "TypeError: cannot marshal None unless allow_none is enabled"
    )
    assert not sandbox.db.tables["res.partner.category"][cid]["active"]


def test_odoo18_has_no_json2_nor_web_version(sandbox: OdooSandbox) -> None:
    resp = requests.post(
        f"{sandbox.url}/json/2/res.partner/search_read", json={}, timeout=5, allow_redirects=False
    )
    assert resp.status_code == 303 and resp.headers["Location"].startswith("/web/login")
    assert requests.get(f"{sandbox.url}/web/version", timeout=5).status_code == 404


def test_json2_shapes(sandbox19: OdooSandbox) -> None:
    url = f"{sandbox19.url}/json/2/res.partner.category"
    headers = {"Authorization": "bearer sandbox-api-key", "X-Odoo-Database": "bridge"}
    ok = requests.post(
        f"{url}/create", json={"vals_list": [{"name": "j"}]}, headers=headers, timeout=5
    )
    assert ok.status_code == 200 and isinstance(ok.json(), list)
    bad = requests.post(
        f"{url}/create", json={"vals_list": [{"color": 1}]}, headers=headers, timeout=5
    )
    assert bad.status_code == 422
    assert bad.json()["name"] == "odoo.exceptions.ValidationError"
    denied = requests.post(
        f"{url}/search",
        json={"domain": []},
        timeout=5,
        headers={**headers, "Authorization": "bearer admin"},
    )
    assert denied.status_code == 401 and denied.json()["message"] == "Invalid apikey"
    version = requests.get(f"{sandbox19.url}/web/version", timeout=5).json()
    assert version["version"] == "19.0" and version["version_info"][0] == 19


def test_admin_endpoints(sandbox: OdooSandbox) -> None:
    base = f"{sandbox.url}/__sandbox__/odoo"
    requests.post(f"{base}/serialization", json={"count": 1}, timeout=5).raise_for_status()
    body = jsonrpc(
        sandbox.url, "object", "execute_kw", "bridge", 2, "admin", "res.partner", "search", [[]]
    )
    assert body["error"]["data"]["name"] == "psycopg2.errors.SerializationFailure"
    assert "result" in jsonrpc(
        sandbox.url, "object", "execute_kw", "bridge", 2, "admin", "res.partner", "search", [[]]
    )
    assert requests.get(f"{base}/stats", timeout=5).json()["calls"] >= 2
    requests.post(f"{base}/reset", timeout=5).raise_for_status()
    assert len(sandbox.records("account.journal")) == 8
