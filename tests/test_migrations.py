"""Alembic migrations and DB constraints, on SQLite and on a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, null, text
from sqlalchemy.exc import IntegrityError

from bridge import db
from bridge.models import (
    Base,
    Binding,
    Channel,
    Connection,
    Direction,
    LogState,
    MagentoAuthMethod,
    SyncLog,
)

TABLES = set(Base.metadata.tables)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty database of each backend."""
    return str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    """An engine on a migrated database."""
    db.upgrade(url)
    engine = db.make_engine(url)
    yield engine
    engine.dispose()


def table_names(url: str) -> set[str]:
    engine = db.make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def schema_differences(url: str) -> list[object]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_models_declare_the_expected_tables() -> None:
    expected = {
        "channel",
        "connection",
        "binding",
        "sync_log",
        "schedule",
        "cursor",
        "website",
        "store",
        "store_view",
        "attribute_set",
        "customer_group",
        "payment_method",
        "shipping_method",
        "event_receipt",
        "stock_level",
        "console_user",
        "drift_item",
    }
    assert expected == TABLES


def test_upgrade_downgrade_upgrade(url: str) -> None:
    assert table_names(url) == set()

    db.upgrade(url)
    assert table_names(url) == TABLES | {"alembic_version"}
    assert schema_differences(url) == []

    db.downgrade(url)
    assert table_names(url) & TABLES == set()

    db.upgrade(url)
    assert table_names(url) >= TABLES
    assert schema_differences(url) == []


def test_upgrade_is_idempotent_at_head(url: str) -> None:
    db.upgrade(url)
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    head = ScriptDirectory.from_config(db.alembic_config(url)).get_current_head()
    assert head == "0009"  # the newest migration file: update with each new one
    assert [v for (v,) in versions] == [head]


def test_partial_draft_index_exists(engine: Engine) -> None:
    indexes = {ix["name"]: ix for ix in inspect(engine).get_indexes("sync_log")}
    draft = indexes["uq_sync_log_one_draft"]
    assert draft["unique"]
    assert draft["column_names"] == ["connection_id", "entity", "direction", "key"]


# --- constraints ----------------------------------------------------------------


def _connection(session: object, name: str = "shop", **values: object) -> Connection:
    channel = Channel(
        name=name,
        magento_url="http://magento.test",
        auth_method=MagentoAuthMethod.TOKEN,
        secret_enc="x",
    )
    conn = Connection(
        name=name,
        channel=channel,
        odoo_url="http://odoo.test",
        odoo_db="db",
        odoo_login="admin",
        odoo_secret_enc="x",
        **values,
    )
    session.add(conn)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    return conn


def _binding(conn_id: int, magento_key: str, odoo_id: int, entity: str = "product") -> Binding:
    return Binding(
        connection_id=conn_id,
        entity=entity,
        magento_key=magento_key,
        odoo_model="product.product",
        odoo_id=odoo_id,
    )


def test_binding_unique_per_magento_key(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        conn_id = _connection(session).id
        session.add(_binding(conn_id, "MH09-XS-Blue", 1))
    with pytest.raises(IntegrityError), db.session_scope(engine) as session:
        session.add(_binding(conn_id, "MH09-XS-Blue", 2))
        session.flush()
    # Same key for another entity, or on another connection, is fine.
    with db.session_scope(engine) as session:
        other = _connection(session, "other").id
        session.add(_binding(conn_id, "MH09-XS-Blue", 1, entity="product_template"))
        session.add(_binding(other, "MH09-XS-Blue", 1))
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM binding")).scalar_one() == 3


def test_binding_unique_per_odoo_id(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        conn_id = _connection(session).id
        session.add(_binding(conn_id, "24-WG02", 7))
    with pytest.raises(IntegrityError), db.session_scope(engine) as session:
        session.add(_binding(conn_id, "RACER", 7))
        session.flush()
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM binding")).scalar_one() == 1


def _log(conn_id: int | None, state: LogState, key: str = "000000013") -> SyncLog:
    return SyncLog(
        connection_id=conn_id,
        entity="order",
        direction=Direction.MAGENTO_TO_ODOO,
        key=key,
        state=state,
    )


def test_one_draft_per_key_but_many_done(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        conn_id = _connection(session).id
        session.add(_log(conn_id, LogState.DRAFT))
        session.add_all([_log(conn_id, LogState.DONE) for _ in range(3)])
        session.add(_log(conn_id, LogState.QUEUED))
        session.add(_log(conn_id, LogState.DRAFT, key="000000014"))
    with pytest.raises(IntegrityError), db.session_scope(engine) as session:
        session.add(_log(conn_id, LogState.DRAFT))
        session.flush()
    with engine.connect() as c:
        rows = c.execute(text("SELECT state, count(*) FROM sync_log GROUP BY state")).all()
    counts = {state: n for state, n in rows}
    assert counts == {"draft": 2, "done": 3, "queued": 1}


def test_draft_can_be_added_once_the_previous_one_is_queued(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        conn_id = _connection(session).id
        log = _log(conn_id, LogState.DRAFT)
        session.add(log)
    with db.session_scope(engine) as session:
        session.get(SyncLog, log.id).state = LogState.QUEUED  # type: ignore[union-attr]
        session.add(_log(conn_id, LogState.DRAFT))
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM sync_log")).scalar_one() == 2


@pytest.mark.parametrize("days", [30, 60, None])
def test_log_retention_accepts_30_60_and_null(engine: Engine, days: int | None) -> None:
    # `null()`, not None: the ORM would replace a plain None by the column default (30);
    # see tests/sync/test_maintenance.py::test_add_connection_keeps_never_retention.
    with db.session_scope(engine) as session:
        conn_id = _connection(session, log_retention_days=null() if days is None else days).id
    with db.session_scope(engine) as session:
        assert session.get(Connection, conn_id).log_retention_days == days  # type: ignore[union-attr]
    # And the database accepts the value on an UPDATE too.
    with engine.begin() as c:
        c.execute(text("UPDATE connection SET log_retention_days = 60"))
        c.execute(text("UPDATE connection SET log_retention_days = :d"), {"d": days})
        assert c.execute(text("SELECT log_retention_days FROM connection")).scalar_one() == days


@pytest.mark.parametrize("days", [45, 0, 90])
def test_log_retention_rejects_other_values(engine: Engine, days: int) -> None:
    with pytest.raises(IntegrityError, match="retention"), db.session_scope(engine) as session:
        _connection(session, log_retention_days=days)
    # Enforced by the database itself, not only by the ORM.
    with db.session_scope(engine) as session:
        _connection(session, log_retention_days=30)
    with pytest.raises(IntegrityError, match="retention"), engine.begin() as c:
        c.execute(text("UPDATE connection SET log_retention_days = :d"), {"d": days})
    with engine.connect() as c:
        assert c.execute(text("SELECT log_retention_days FROM connection")).scalar_one() == 30
