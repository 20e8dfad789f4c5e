"""OdooClient over real HTTP: the sandbox once per protocol, and a real Odoo when configured."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from bridge.clients.errors import (  # noqa: E402
    AuthenticationError,
    NotFoundError,
    PermanentError,
    RetryableError,
    ValidationError,
)
from bridge.clients.odoo import OdooClient  # noqa: E402
from bridge.clients.retries import NO_RETRY  # noqa: E402
from sandbox.odoo import OdooSandbox  # noqa: E402
from tests.odoo_fixtures import (  # noqa: E402
    REAL_SKIP_REASON,
    Target,
    clear_faults,
    closed_port,
    real_target,
    sandbox_target,
    set_faults,
    unique,
)

#: The sandbox once per protocol; plus a real Odoo when BRIDGE_TEST_ODOO_* name one (outside
#: evidence: without it those cases do not exist, rather than skipping on every run).
TARGETS = ["sandbox-jsonrpc", "sandbox-xmlrpc", "sandbox-json2", "sandbox-auto19"] + (
    [pytest.param("real", marks=pytest.mark.real_odoo)] if real_target() else []
)
CATEGORY = "res.partner.category"


@pytest.fixture(scope="module")
def sandbox18() -> Iterator[OdooSandbox]:
    with OdooSandbox(version="18.0") as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def sandbox19() -> Iterator[OdooSandbox]:
    with OdooSandbox(version="19.0") as sandbox:
        yield sandbox


@pytest.fixture(params=TARGETS)
def target(request: pytest.FixtureRequest) -> Target:
    name = request.param
    if name == "real":
        real = real_target()
        assert real is not None, REAL_SKIP_REASON
        return real
    if name == "sandbox-json2":
        return sandbox_target(request.getfixturevalue("sandbox19"), "json2")
    if name == "sandbox-auto19":
        return sandbox_target(request.getfixturevalue("sandbox19"), "auto")
    return sandbox_target(request.getfixturevalue("sandbox18"), name.removeprefix("sandbox-"))


@pytest.fixture
def sandbox_only(target: Target) -> Iterator[Target]:
    if target.sandbox is None:
        pytest.skip("fault injection needs the sandbox")
    clear_faults(target.url)
    yield target
    clear_faults(target.url)


@pytest.fixture
def odoo(target: Target) -> OdooClient:
    client = target.client()
    client.authenticate()
    return client


# -- version and login -------------------------------------------------------------------------


def test_version_and_protocol(target: Target) -> None:
    client = target.client()
    version = client.version()
    assert version["server_version_info"][0] >= 16
    assert isinstance(version["server_version"], str)
    if target.expected_protocol:
        assert client.protocol == target.expected_protocol


def test_auto_picks_jsonrpc_before_19_and_json2_from_19(
    sandbox18: OdooSandbox, sandbox19: OdooSandbox
) -> None:
    assert OdooClient(sandbox18.url, "bridge", "admin", "admin").protocol == "jsonrpc"
    assert OdooClient(sandbox19.url, "bridge", "admin", "sandbox-api-key").protocol == "json2"


def test_authenticate_ok(target: Target) -> None:
    uid = target.client().authenticate()
    assert isinstance(uid, int) and uid > 0
    if target.sandbox is not None:
        assert uid == 2


def test_check_reports_version_and_uid(target: Target) -> None:
    report = target.client().check()
    assert report["uid"] > 0 and report["server_version"]
    assert report["protocol"] in ("jsonrpc", "xmlrpc", "json2")


def test_wrong_secret_is_an_authentication_error(target: Target) -> None:
    wrong = "wrong-" + unique("secret")
    with pytest.raises(AuthenticationError) as info:
        target.client(secret=wrong).authenticate()
    assert wrong not in str(info.value)
    assert target.login in str(info.value) or "refused" in str(info.value)


def test_wrong_secret_on_a_model_call_too(target: Target) -> None:
    client = target.client(secret="wrong-" + unique("secret"))
    with pytest.raises(AuthenticationError):
        client.search(CATEGORY, [])


def test_unknown_database_is_not_found(target: Target) -> None:
    with pytest.raises(NotFoundError) as info:
        target.client(db="no_such_db_bridge").authenticate()
    assert "no_such_db_bridge" in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc"])
def test_secret_never_in_repr_or_messages(protocol: str) -> None:
    secret = "Pa55-" + unique("word")
    with OdooSandbox(password=secret) as sandbox:
        client = OdooClient(sandbox.url, "bridge", "admin", secret, protocol=protocol)
        assert secret not in repr(client) and secret not in str(vars(client).get("url"))
        assert client.authenticate() == 2
        errors = []
        for call in (
            lambda: client.create(
                "account.journal", [{"name": "x", "code": "INV", "type": "sale"}]
            ),
            lambda: OdooClient(sandbox.url, "nope", "admin", secret, protocol=protocol).check(),
        ):
            with pytest.raises(PermanentError) as info:
                call()
            errors.append(info.value)
        for error in errors:
            assert secret not in str(error) and secret not in repr(error)


# -- CRUD --------------------------------------------------------------------------------------


def test_create_list_returns_ids_in_one_call(odoo: OdooClient) -> None:
    before = odoo.calls_made
    names = [unique("cat") for _ in range(3)]
    ids = odoo.create(CATEGORY, [{"name": n} for n in names])
    assert odoo.calls_made == before + 1
    assert len(ids) == 3 and ids == sorted(ids)
    rows = odoo.read(CATEGORY, ids, ["name"])
    assert [r["name"] for r in rows] == names
    odoo.unlink(CATEGORY, ids)


def test_search_read_domain_fields_limit_offset_order(odoo: OdooClient) -> None:
    prefix = unique("sr")
    ids = odoo.create(CATEGORY, [{"name": f"{prefix}-{i}", "color": i} for i in range(5)])
    domain = [("name", "=like", f"{prefix}-%"), ("color", ">=", 1)]
    rows = odoo.search_read(
        CATEGORY, domain, ["name", "color"], limit=2, offset=1, order="name desc"
    )
    assert [r["name"] for r in rows] == [f"{prefix}-3", f"{prefix}-2"]
    assert set(rows[0]) == {"id", "name", "color"}
    assert odoo.search(CATEGORY, domain, order="id asc") == ids[1:]
    assert odoo.search_count(CATEGORY, domain) == 4
    either = ["|", ("name", "=", f"{prefix}-0"), ("name", "=", f"{prefix}-4")]
    assert odoo.search(CATEGORY, either, order="id") == [ids[0], ids[4]]
    odoo.unlink(CATEGORY, ids)


def test_order_by_write_date_then_id(odoo: OdooClient) -> None:
    prefix = unique("wd")
    ids = odoo.create(CATEGORY, [{"name": f"{prefix}-{i}"} for i in range(3)])
    rows = odoo.search_read(
        CATEGORY, [("id", "in", ids)], ["write_date"], order="write_date asc, id asc"
    )
    assert [r["id"] for r in rows] == ids
    assert all(len(r["write_date"]) == 19 for r in rows)  # "YYYY-MM-DD HH:MM:SS"
    odoo.unlink(CATEGORY, ids)


def test_write_then_read(odoo: OdooClient) -> None:
    [cid] = odoo.create(CATEGORY, [{"name": unique("w")}])
    assert odoo.write(CATEGORY, [cid], {"color": 7}) is True
    [row] = odoo.read(CATEGORY, [cid], ["color", "display_name"])
    assert row["color"] == 7 and row["display_name"]
    odoo.unlink(CATEGORY, [cid])


def test_many2one_and_many2many(odoo: OdooClient) -> None:
    [parent] = odoo.create(CATEGORY, [{"name": unique("parent")}])
    [tag] = odoo.create(CATEGORY, [{"name": unique("child"), "parent_id": parent}])
    [pid] = odoo.create("res.partner", [{"name": unique("p"), "category_id": [(6, 0, [tag])]}])
    [partner] = odoo.read("res.partner", [pid], ["category_id", "company_id"])
    assert partner["category_id"] == [tag]
    [child] = odoo.read(CATEGORY, [tag], ["parent_id"])
    assert child["parent_id"][0] == parent and isinstance(child["parent_id"][1], str)
    odoo.write("res.partner", [pid], {"category_id": [(4, parent)]})
    assert sorted(odoo.read("res.partner", [pid], ["category_id"])[0]["category_id"]) == sorted(
        [tag, parent]
    )
    assert odoo.search("res.partner", [("category_id.name", "=like", "parent-%"), ("id", "=", pid)])
    odoo.unlink("res.partner", [pid])
    odoo.unlink(CATEGORY, [tag, parent])


def test_archived_records_hidden_unless_active_test_false(odoo: OdooClient) -> None:
    name = unique("arch")
    [cid] = odoo.create(CATEGORY, [{"name": name, "active": False}])
    assert odoo.search(CATEGORY, [("name", "=", name)]) == []
    assert odoo.search(CATEGORY, [("name", "=", name)], context={"active_test": False}) == [cid]
    odoo.unlink(CATEGORY, [cid])


def test_deleted_ids_read_empty_and_write_unlink_succeed(odoo: OdooClient) -> None:
    """Measured on Odoo 18: no MissingError for read/write/unlink of deleted ids."""
    [cid] = odoo.create(CATEGORY, [{"name": unique("del")}])
    assert odoo.unlink(CATEGORY, [cid]) is True
    assert odoo.read(CATEGORY, [cid], ["name"]) == []
    assert odoo.write(CATEGORY, [cid], {"color": 1}) is True
    assert odoo.unlink(CATEGORY, [cid]) is True


# -- methods and errors -------------------------------------------------------------------------


def test_method_returning_none_comes_back_as_none(odoo: OdooClient) -> None:
    """action_archive returns None: JSON-RPC drops `result`, XML-RPC faults after committing."""
    name = unique("none")
    [cid] = odoo.create(CATEGORY, [{"name": name}])
    before = odoo.calls_made
    assert odoo.call(CATEGORY, "action_archive", [cid]) is None
    assert odoo.calls_made == before + 1
    assert odoo.search(CATEGORY, [("name", "=", name)]) == []
    odoo.unlink(CATEGORY, [cid])


def test_private_method_refused(odoo: OdooClient) -> None:
    with pytest.raises(ValidationError) as info:
        odoo.call("res.partner", "_compute_display_name", [1])
    assert info.value.kind == "odoo.exceptions.AccessError"
    assert "cannot be called remotely" in str(info.value)


def test_unknown_method_is_permanent(odoo: OdooClient) -> None:
    with pytest.raises(PermanentError) as info:
        odoo.call("res.partner", "no_such_method", [1])
    assert not isinstance(info.value, RetryableError)
    assert "no_such_method" in str(info.value)


def test_duplicate_journal_code_is_a_validation_error(odoo: OdooClient) -> None:
    [existing] = odoo.search_read("account.journal", [("type", "=", "bank")], ["code"], limit=1)
    vals = {"name": unique("Dup Bank"), "code": existing["code"], "type": "bank"}
    with pytest.raises(ValidationError) as info:
        odoo.create("account.journal", [vals])
    assert "Journal codes must be unique per company" in str(info.value)
    assert "\n" not in str(info.value)
    assert info.value.details is not None


def test_missing_required_field_is_a_validation_error(odoo: OdooClient) -> None:
    with pytest.raises(ValidationError) as info:
        odoo.create(CATEGORY, [{"color": 1}])
    assert "mandatory field is not set" in str(info.value)


def test_failed_create_list_creates_nothing(odoo: OdooClient) -> None:
    name = unique("atomic")
    with pytest.raises(ValidationError):
        odoo.create(CATEGORY, [{"name": name}, {"color": 1}])
    assert odoo.search(CATEGORY, [("name", "=", name)], context={"active_test": False}) == []


def test_deleted_record_in_a_method_is_not_found(odoo: OdooClient) -> None:
    """copy reads the record first, so Odoo raises MissingError for a deleted id."""
    [cid] = odoo.create(CATEGORY, [{"name": unique("gone")}])
    odoo.unlink(CATEGORY, [cid])
    with pytest.raises(NotFoundError) as info:
        odoo.call(CATEGORY, "copy", [cid])
    assert info.value.kind == "odoo.exceptions.MissingError"


def test_bad_field_is_permanent(odoo: OdooClient) -> None:
    with pytest.raises(ValidationError) as info:
        odoo.create("res.partner", [{"name": "x", "no_such_field": 1}])
    assert "no_such_field" in str(info.value)


# -- transport faults (sandbox) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "expect_retry_after"),
    [
        ({"rate_5xx": 1.0}, None),
        ({"rate_5xx": 1.0, "status_5xx": 502}, None),
        ({"rate_429": 1.0, "retry_after": 2}, 2.0),
        ({"rate_drop": 1.0}, None),
    ],
    ids=["503", "502", "429", "drop"],
)
def test_injected_faults_are_retryable(
    sandbox_only: Target, settings: dict[str, object], expect_retry_after: float | None
) -> None:
    client = sandbox_only.client(retry=NO_RETRY)  # one try: test_retries.py tries again
    client.authenticate()
    set_faults(sandbox_only.url, max_faults=1, **settings)
    with pytest.raises(RetryableError) as info:
        client.search(CATEGORY, [])
    assert info.value.retry_after == expect_retry_after
    assert sandbox_only.secret not in str(info.value)
    assert isinstance(client.search(CATEGORY, []), list)  # the fault was one-off


def test_timeout_is_retryable(sandbox_only: Target) -> None:
    client = sandbox_only.client(timeout=0.3, retry=NO_RETRY)
    client.authenticate()
    set_faults(sandbox_only.url, max_faults=1, rate_timeout=1.0, timeout_s=1.0)
    with pytest.raises(RetryableError) as info:
        client.search(CATEGORY, [])
    assert "did not answer" in str(info.value)


def test_refused_connection_is_retryable(target: Target) -> None:
    client = target.client(url=f"http://127.0.0.1:{closed_port()}", retry=NO_RETRY)
    with pytest.raises(RetryableError) as info:
        client.check()
    assert "could not be reached" in str(info.value)
    assert not info.value.sent


def test_serialization_failure_is_retryable(sandbox_only: Target) -> None:
    client = sandbox_only.client()
    client.authenticate()
    name = unique("serial")
    requests.post(
        f"{sandbox_only.url}/__sandbox__/odoo/serialization",
        json={"count": 1, "model": CATEGORY, "method": "create"},
        timeout=5,
    ).raise_for_status()
    with pytest.raises(RetryableError) as info:
        client.create(CATEGORY, [{"name": name}])
    assert info.value.kind == "psycopg2.errors.SerializationFailure"
    assert client.search(CATEGORY, [("name", "=", name)]) == []
    assert len(client.create(CATEGORY, [{"name": name}])) == 1


def test_json2_on_odoo18_is_not_available(sandbox18: OdooSandbox) -> None:
    client = OdooClient(sandbox18.url, "bridge", "admin", "sandbox-api-key", protocol="json2")
    with pytest.raises(NotFoundError):
        client.search(CATEGORY, [])


def test_json2_refuses_positional_arguments(sandbox19: OdooSandbox) -> None:
    client = OdooClient(sandbox19.url, "bridge", "admin", "sandbox-api-key", protocol="json2")
    with pytest.raises(PermanentError, match="named arguments only"):
        client.call(CATEGORY, "copy", [1], {"name": "x"}, "extra")
