"""One login per credentials per process (bridge.clients.logins), over real HTTP.

A real Odoo 18 spends ~0.9 s hashing the password on each `authenticate`, and Magento
issues a token per `integration/admin/token` call; tasks build fresh clients, so without
the process-wide cache every task would pay a login. What each test counts is what the
sandboxes were actually sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from bridge.clients import logins
from bridge.clients.errors import AuthenticationError
from bridge.clients.odoo import OdooClient
from sandbox.odoo import OdooSandbox
from tests import magento_fixtures
from tests.magento_fixtures import admin, client

magento_server = magento_fixtures.magento_server
magento = magento_fixtures.magento


@pytest.fixture
def odoo() -> Iterator[OdooSandbox]:
    with OdooSandbox() as sandbox:
        yield sandbox


class Wire:
    """A requests.Session that remembers the JSON-RPC methods it sent."""

    def __init__(self) -> None:
        self.session = requests.Session()
        self.sent: list[str] = []
        self.session.hooks["response"].append(self._remember)

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        body = json.loads(response.request.body or b"{}")
        self.sent.append(body.get("params", {}).get("method", "?"))


def odoo_client(sandbox: OdooSandbox, wire: Wire, secret: str = "admin") -> OdooClient:
    return OdooClient(sandbox.url, "bridge", "admin", secret, protocol="jsonrpc",
                      session=wire.session)  # fmt: skip


def test_clients_of_one_process_share_one_odoo_login(odoo: OdooSandbox) -> None:
    first, second = Wire(), Wire()
    odoo_client(odoo, first).search("res.partner", [])
    odoo_client(odoo, second).search("res.partner", [])
    odoo_client(odoo, second).search_count("res.partner", [])
    assert first.sent == ["authenticate", "execute_kw"]
    assert second.sent == ["execute_kw", "execute_kw"]  # the first client's login, reused
    assert logins.ODOO_UIDS.logins == 1


def test_other_credentials_never_reuse_a_login(odoo: OdooSandbox) -> None:
    odoo_client(odoo, Wire()).search("res.partner", [])
    wrong = Wire()
    with pytest.raises(AuthenticationError):
        odoo_client(odoo, wrong, secret="not-the-password").search("res.partner", [])
    assert wrong.sent == ["authenticate"]  # its own login, refused


def test_a_login_odoo_stops_accepting_is_tried_again_once(odoo: OdooSandbox) -> None:
    odoo_client(odoo, Wire()).search("res.partner", [])
    # What saving a new password in Odoo's user form does: the hash changes and the
    # registry's caches (res.users.check's among them) are cleared.
    odoo.settings.password = "changed-by-the-admin"
    odoo.app.db.clear_caches()
    later = Wire()
    with pytest.raises(AuthenticationError):
        odoo_client(odoo, later).search("res.partner", [])
    assert later.sent == ["execute_kw", "authenticate"]  # refused, one new login, refused
    odoo_client(odoo, Wire(), secret="changed-by-the-admin").search("res.partner", [])


def test_clients_of_one_process_share_one_magento_admin_token(magento) -> None:
    admin(magento, "DELETE", "stats")
    for _ in range(3):
        client(magento, "admin").store_views()
    routes = admin(magento, "GET", "stats")["by_route"]
    token_route = next(r for r in routes if r.endswith("integration/admin/token"))
    assert routes[token_route] == 1
    assert logins.MAGENTO_TOKENS.logins == 1

    admin(magento, "POST", "tokens/expire")  # revoked: the next client renews it once
    renewed = client(magento, "admin")
    assert renewed.store_views()
    assert renewed.requests_made == 3  # refused, new token, the call again
    assert admin(magento, "GET", "stats")["by_route"][token_route] == 2
