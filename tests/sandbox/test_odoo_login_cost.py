"""What a password check costs on the Odoo sandbox, and when it is paid (credentials.py).

Real Odoo 18 verifies a pbkdf2_sha512 hash (600,000 rounds) on every `common.authenticate`
(res_users.py::_login -> _check_credentials) and on the first `execute_kw` of a (uid,
password) pair, which `res.users.check` then keeps in its ormcache until the registry's
caches are cleared: creating a product variant does (product_product.py::create). Seen on
the real one at 127.0.0.1:8069: authenticate 0.24-0.25 s every time; execute_kw 0.24 s
the first time with a key, then 0.01 s; 0.25 s again right after a product.template create.

The tests count the checks (`password_checks`); one checks the time a check takes, as a
lower bound (a sleep never ends early).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from sandbox.odoo import OdooSandbox
from sandbox.odoo.credentials import (
    DEFAULT_LOGIN_COST,
    LOGIN_COST_ENV,
    configured_cost,
)
from tests.odoo_fixtures import SANDBOX_API_KEY, SANDBOX_DB, jsonrpc


@pytest.fixture
def sandbox() -> Iterator[OdooSandbox]:
    with OdooSandbox(login_cost=0) as sb:
        yield sb


def execute(sb: OdooSandbox, secret: str, model: str = "res.partner", method: str = "search",
            *args: object) -> dict[str, object]:  # fmt: skip
    return jsonrpc(sb.url, "object", "execute_kw", SANDBOX_DB, 2, secret, model, method,
                   list(args) or [[]])  # fmt: skip


def test_the_default_is_a_real_servers_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    """0.9 s unless told: `bridge sandbox odoo`, the demo and the benchmarks pay it."""
    monkeypatch.delenv(LOGIN_COST_ENV, raising=False)
    assert configured_cost() == DEFAULT_LOGIN_COST == 0.9
    monkeypatch.setenv(LOGIN_COST_ENV, "0.25")
    assert configured_cost() == 0.25
    assert configured_cost(0.1) == 0.1  # the constructor's argument wins
    monkeypatch.setenv(LOGIN_COST_ENV, "soon")
    with pytest.raises(ValueError, match=LOGIN_COST_ENV):
        configured_cost()


def test_every_authenticate_checks_the_password(sandbox: OdooSandbox) -> None:
    before = sandbox.password_checks
    for _ in range(3):
        assert (
            jsonrpc(sandbox.url, "common", "authenticate", SANDBOX_DB, "admin", "admin", {})[
                "result"
            ]
            == 2
        )
    assert sandbox.password_checks == before + 3
    # A wrong password is hashed too (and then the API key is tried); an unknown login is
    # refused before any hashing.
    assert (
        jsonrpc(sandbox.url, "common", "authenticate", SANDBOX_DB, "admin", "bad", {})["result"]
        is False
    )
    assert sandbox.password_checks == before + 5
    jsonrpc(sandbox.url, "common", "authenticate", SANDBOX_DB, "nobody", "admin", {})
    assert sandbox.password_checks == before + 5


def test_execute_kw_checks_once_per_password_until_caches_clear(sandbox: OdooSandbox) -> None:
    before = sandbox.password_checks
    for _ in range(3):
        assert "result" in execute(sandbox, "admin")
    assert sandbox.password_checks == before + 1  # res.users.check's ormcache
    # An API key is a new pair: the password is tried first, then the key.
    assert "result" in execute(sandbox, SANDBOX_API_KEY)
    assert sandbox.password_checks == before + 3
    # Creating a product variant clears the registry's caches: both pairs pay again.
    execute(sandbox, "admin", "product.template", "create", {"name": "Mug"})
    assert "result" in execute(sandbox, "admin")
    assert "result" in execute(sandbox, SANDBOX_API_KEY)
    assert sandbox.password_checks == before + 6
    # A wrong password is never cached: it costs every time.
    for _ in range(2):
        assert execute(sandbox, "bad")["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert sandbox.password_checks == before + 10


def test_writes_that_do_not_clear_caches_keep_the_check(sandbox: OdooSandbox) -> None:
    execute(sandbox, "admin")
    before = sandbox.password_checks
    execute(sandbox, "admin", "res.partner", "create", {"name": "Cached"})
    execute(sandbox, "admin", "res.partner.category", "create", {"name": "Cached"})
    execute(sandbox, "admin")
    assert sandbox.password_checks == before


def test_a_check_costs_the_configured_time(sandbox: OdooSandbox) -> None:
    sandbox.login_cost = 0.3
    start = time.perf_counter()
    jsonrpc(sandbox.url, "common", "authenticate", SANDBOX_DB, "admin", "admin", {})
    assert time.perf_counter() - start >= 0.3


def test_the_settings_endpoint_sets_the_cost(sandbox: OdooSandbox) -> None:
    url = f"{sandbox.url}/__sandbox__/odoo/settings"
    # The same endpoint also answers the server-cost model's settings (cost.py).
    assert requests.get(url, timeout=5).json()["login_cost"] == 0.0
    assert requests.post(url, json={"login_cost": 0.05}, timeout=5).json()["login_cost"] == 0.05
    assert sandbox.login_cost == 0.05
    stats = requests.get(f"{sandbox.url}/__sandbox__/odoo/stats", timeout=5).json()
    assert stats["password_checks"] == sandbox.password_checks


def test_json2_checks_its_key_on_every_call() -> None:
    """Odoo 19's JSON-2 checks the bearer key per request (6,000 rounds, not cached)."""
    with OdooSandbox(version="19.0", login_cost=0) as sb:
        headers = {"Authorization": f"bearer {SANDBOX_API_KEY}", "X-Odoo-Database": SANDBOX_DB}
        for _ in range(2):
            requests.post(f"{sb.url}/json/2/res.partner/search", json={"domain": []},
                          headers=headers, timeout=5).raise_for_status()  # fmt: skip
        assert sb.password_checks == 2
