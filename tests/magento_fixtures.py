"""Shared pytest fixtures for the Magento client, sandbox and contract tests.

Import the fixtures a test module needs (`from tests.magento_fixtures import magento`);
the lead may re-export them from tests/conftest.py instead.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from bridge.clients.magento import MagentoAuth, MagentoClient
from sandbox.magento import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    INTEGRATION_TOKEN,
    OAUTH_ACCESS_TOKEN,
    OAUTH_ACCESS_TOKEN_SECRET,
    OAUTH_CONSUMER_KEY,
    OAUTH_CONSUMER_SECRET,
    MagentoSandbox,
)

AUTHS = {
    "token": MagentoAuth("token", token=INTEGRATION_TOKEN),
    "admin": MagentoAuth("admin", username=ADMIN_USERNAME, password=ADMIN_PASSWORD),
    "oauth1": MagentoAuth(
        "oauth1",
        consumer_key=OAUTH_CONSUMER_KEY,
        consumer_secret=OAUTH_CONSUMER_SECRET,
        access_token=OAUTH_ACCESS_TOKEN,
        access_token_secret=OAUTH_ACCESS_TOKEN_SECRET,
    ),
}


@pytest.fixture(scope="module")
def magento_server() -> Iterator[MagentoSandbox]:
    """One sandbox per test module, on a free loopback port."""
    with MagentoSandbox() as sandbox:
        yield sandbox


@pytest.fixture
def magento(magento_server: MagentoSandbox) -> Iterator[MagentoSandbox]:
    """The module's sandbox, freshly seeded and without faults for each test."""
    admin(magento_server, "POST", "reset")
    requests.delete(f"{magento_server.url}/__sandbox__/faults", timeout=5)
    yield magento_server
    requests.delete(f"{magento_server.url}/__sandbox__/faults", timeout=5)


def client(sandbox: MagentoSandbox, method: str = "token", **kw: Any) -> MagentoClient:
    return MagentoClient(sandbox.url, AUTHS[method], **kw)


def admin(sandbox: MagentoSandbox, method: str, path: str, body: Any = None) -> Any:
    """Call a sandbox admin endpoint (`/__sandbox__/<path>`) over HTTP."""
    response = requests.request(method, f"{sandbox.url}/__sandbox__/{path}", json=body, timeout=5)
    response.raise_for_status()
    return response.json()


def faults(sandbox: MagentoSandbox, **config: Any) -> Any:
    return admin(sandbox, "POST", "faults", config)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
