"""The Odoo sandbox against a real Odoo 18: the same probes, the same outcomes, ids aside.

Collected only when BRIDGE_TEST_ODOO_URL, _DB, _LOGIN and _KEY name a real Odoo 18 with
sale_management, stock, account and stock_delivery installed (tests/conftest.py leaves
this module out otherwise). Each probe in `odoo_probes.py` makes its own records (names
carry a per-run token) and returns its calls' outcomes with ids replaced by labels; any
difference (a fault's class or text, a result's shape, a count, an order) fails.

    BRIDGE_TEST_ODOO_URL=http://127.0.0.1:8069 BRIDGE_TEST_ODOO_DB=odoo18 \\
    BRIDGE_TEST_ODOO_LOGIN=admin BRIDGE_TEST_ODOO_KEY=admin \\
    python -m pytest tests/sandbox/test_odoo_vs_real.py
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.odoo import OdooSandbox
from tests.odoo_fixtures import REAL_SKIP_REASON, SANDBOX_DB, SANDBOX_PASSWORD, real_target
from tests.sandbox.odoo_probes import PROBES, Odoo, run

pytestmark = pytest.mark.real_odoo


@pytest.fixture(scope="module")
def real() -> Odoo:
    target = real_target()
    assert target is not None, REAL_SKIP_REASON
    return Odoo(target.url, target.db, target.login, target.secret)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Odoo]:
    with OdooSandbox(login_cost=0) as sb:
        yield Odoo(sb.url, SANDBOX_DB, "admin", SANDBOX_PASSWORD)


def _differences(got: Any, expected: Any) -> str:
    if isinstance(got, list) and isinstance(expected, list) and len(got) == len(expected):
        lines = [
            f"[{i}] sandbox {json.dumps(a)}\n    real    {json.dumps(b)}"
            for i, (a, b) in enumerate(zip(got, expected, strict=True))
            if a != b
        ]
        return "\n".join(lines)
    return f"sandbox {json.dumps(got)}\nreal    {json.dumps(expected)}"


@pytest.mark.parametrize("name", sorted(PROBES))
def test_sandbox_answers_as_the_real_odoo(name: str, real: Odoo, sandbox: Odoo) -> None:
    expected = run(real, name)
    got = run(sandbox, name)
    assert got == expected, f"{name} differs:\n{_differences(got, expected)}"
