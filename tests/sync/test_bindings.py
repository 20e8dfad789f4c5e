"""Recording bindings a page at a time: create, update, and a SKU moved to another record."""

from __future__ import annotations

import pytest

from bridge import db
from bridge.models import Binding
from bridge.sync import bindings
from tests.conftest import register_connection


@pytest.fixture
def conn_id(state_db: str, magento_sandbox, odoo_sandbox) -> int:
    return register_connection(magento_sandbox, odoo_sandbox)


def pairs(conn_id: int) -> dict[str, tuple[int, str | None]]:
    with db.session_scope() as s:
        rows = s.query(Binding).filter_by(connection_id=conn_id, entity="product")
        return {b.magento_key: (b.odoo_id, b.fingerprint) for b in rows}


def test_upsert_many_creates_updates_and_moves_a_sku(conn_id: int) -> None:
    with db.session_scope() as s:
        bindings.bind(s, conn_id, "product", "A", "product.product", 1, "fa")
        bindings.bind(s, conn_id, "product", "B", "product.product", 2, "fb")
    with db.session_scope() as s:
        bindings.upsert_many(
            s,
            conn_id,
            "product",
            "product.product",
            {"A": (2, None), "C": (3, "fc"), "D": (4, None)},
        )
    # Odoo record 2 now holds SKU A: its binding moved and A's old pair (record 1) is gone;
    # a None fingerprint keeps the one stored.
    assert pairs(conn_id) == {"A": (2, "fb"), "C": (3, "fc"), "D": (4, None)}
    with db.session_scope() as s:
        bindings.upsert_many(s, conn_id, "product", "product.product", {"C": (3, "new")})
    assert pairs(conn_id)["C"] == (3, "new")
