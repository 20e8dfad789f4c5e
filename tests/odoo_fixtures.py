"""Shared helpers for the Odoo client and sandbox tests.

A `Target` is one Odoo to test the client against: the in-process sandbox once
per protocol, and a real Odoo when BRIDGE_TEST_ODOO_URL (+ _DB, _LOGIN, _KEY,
optional _PROTOCOL) is set.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests

from bridge.clients.odoo import OdooClient
from sandbox.odoo import OdooSandbox

SANDBOX_DB = "bridge"
SANDBOX_LOGIN = "admin"
SANDBOX_PASSWORD = "admin"
SANDBOX_API_KEY = "sandbox-api-key"

REAL_ENV = (
    "BRIDGE_TEST_ODOO_URL",
    "BRIDGE_TEST_ODOO_DB",
    "BRIDGE_TEST_ODOO_LOGIN",
    "BRIDGE_TEST_ODOO_KEY",
)


@dataclass
class Target:
    name: str
    url: str
    db: str
    login: str
    secret: str
    protocol: str
    sandbox: OdooSandbox | None = None
    #: The protocol "auto" should resolve to on this target, when known.
    expected_protocol: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def client(self, **overrides: Any) -> OdooClient:
        kw: dict[str, Any] = {
            "url": self.url,
            "db": self.db,
            "login": self.login,
            "secret": self.secret,
            "protocol": self.protocol,
            "timeout": 10.0,
        }
        kw.update(overrides)
        return OdooClient(**kw)


def real_target() -> Target | None:
    """The real Odoo described by BRIDGE_TEST_ODOO_*, or None."""
    if not all(os.environ.get(name) for name in REAL_ENV):
        return None
    url, db, login, key = (os.environ[name] for name in REAL_ENV)
    protocol = os.environ.get("BRIDGE_TEST_ODOO_PROTOCOL", "auto")
    return Target(f"real-{protocol}", url, db, login, key, protocol)


REAL_SKIP_REASON = (
    "no real Odoo configured: set BRIDGE_TEST_ODOO_URL, BRIDGE_TEST_ODOO_DB, "
    "BRIDGE_TEST_ODOO_LOGIN and BRIDGE_TEST_ODOO_KEY (optionally BRIDGE_TEST_ODOO_PROTOCOL)"
)


def sandbox_target(sandbox: OdooSandbox, protocol: str) -> Target:
    expected = "json2" if sandbox.settings.major >= 19 else "jsonrpc"
    resolved = expected if protocol == "auto" else protocol
    # JSON-2 takes only an API key; the RPC protocols take the password too.
    secret = SANDBOX_API_KEY if resolved == "json2" else SANDBOX_PASSWORD
    return Target(
        f"sandbox-{protocol}",
        sandbox.url,
        SANDBOX_DB,
        SANDBOX_LOGIN,
        secret,
        protocol,
        sandbox=sandbox,
        expected_protocol=resolved,
    )


@contextmanager
def running_sandbox(version: str = "18.0") -> Iterator[OdooSandbox]:
    with OdooSandbox(version=version) as sandbox:
        yield sandbox


def unique(prefix: str = "bridge-test") -> str:
    """A name no other test (or earlier run on a real Odoo) has used."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def closed_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def set_faults(url: str, **settings: Any) -> None:
    requests.post(f"{url}/__sandbox__/faults", json=settings, timeout=5).raise_for_status()


def clear_faults(url: str) -> None:
    requests.delete(f"{url}/__sandbox__/faults", timeout=5).raise_for_status()


def jsonrpc(url: str, service: str, method: str, *args: Any) -> dict[str, Any]:
    """A raw JSON-RPC call; returns the whole response body."""
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"service": service, "method": method, "args": list(args)},
        "id": 7,
    }
    resp = requests.post(f"{url}/jsonrpc", json=payload, timeout=5)
    assert resp.status_code == 200
    return dict(resp.json())


@dataclass
class OdooSide:
    """The Odoo a connection under test points to: the sandbox, or the real Odoo of
    BRIDGE_TEST_ODOO_* (`real`: its database keeps what earlier runs made)."""

    url: str
    db: str
    secret: str
    real: bool


def odoo_sides() -> list[Any]:
    """Fixture params: the sandbox, plus the real Odoo (marked `real_odoo`) when configured."""
    import pytest

    return ["sandbox"] + ([pytest.param("real", marks=pytest.mark.real_odoo)]
                          if real_target() else [])  # fmt: skip


def odoo_side(request: Any) -> Iterator[OdooSide]:
    """The body of an `odoo_side` fixture over `odoo_sides()`; leaves a real Odoo's company
    rounding at its default."""
    if request.param == "real":
        real = real_target()
        assert real is not None, REAL_SKIP_REASON
        yield OdooSide(real.url, real.db, real.secret, True)
        client = real.client(timeout=60)
        client.write("res.company", [1], {"tax_calculation_rounding_method": "round_per_line"})
        return
    sandbox = request.getfixturevalue("odoo_sandbox")
    yield OdooSide(sandbox.url, "bridge", "admin", False)
