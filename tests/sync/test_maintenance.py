"""Log retention: which SyncLogs `purge_logs` deletes, per connection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bridge import db
from bridge.clients.magento import MagentoAuth
from bridge.models import Channel, Connection, Direction, LogState, MagentoAuthMethod, SyncLog
from bridge.sync.connections import NewConnection, add_connection
from bridge.sync.maintenance import purge_logs

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def connection(session: Session, name: str, retention: int | None) -> int:
    """A connection whose `log_retention_days` is `retention` (set after insert, see below)."""
    conn = Connection(
        name=name,
        channel=Channel(
            name=name, magento_url="http://m.test", auth_method=MagentoAuthMethod.TOKEN
        ),
        odoo_url="http://o.test",
        odoo_db="db",
        odoo_login="admin",
        odoo_secret_enc="x",
    )
    session.add(conn)
    session.flush()
    # An UPDATE stores None as NULL; the INSERT would turn it into the default, 30.
    conn.log_retention_days = retention
    session.flush()
    return conn.id


def log(
    session: Session, conn_id: int | None, state: LogState, age: timedelta, key: str
) -> SyncLog:
    row = SyncLog(
        connection_id=conn_id,
        entity="order",
        direction=Direction.MAGENTO_TO_ODOO,
        key=key,
        state=state,
        created_at=NOW - age - timedelta(days=1),
        updated_at=NOW - age,
    )
    session.add(row)
    return row


def remaining(conn_id: int | None) -> set[str]:
    with db.session_scope() as session:
        scope = (
            SyncLog.connection_id.is_(None) if conn_id is None else SyncLog.connection_id == conn_id
        )
        return set(session.scalars(select(SyncLog.key).where(scope)))


@pytest.fixture
def connections(state_db: str) -> dict[str, int]:
    with db.session_scope() as session:
        return {
            "thirty": connection(session, "thirty", 30),
            "sixty": connection(session, "sixty", 60),
            "never": connection(session, "never", None),
        }


def test_retention_per_connection(connections: dict[str, int]) -> None:
    ages = {
        "fresh": timedelta(days=1),
        "d29": timedelta(days=30) - SECOND,
        "d31": timedelta(days=30) + SECOND,
        "d59": timedelta(days=60) - SECOND,
        "d61": timedelta(days=60) + SECOND,
        "d400": timedelta(days=400),
    }
    with db.session_scope() as session:
        for conn_id in connections.values():
            for label, age in ages.items():
                log(session, conn_id, LogState.DONE, age, f"done-{label}")
                log(session, conn_id, LogState.FAILED, age, f"failed-{label}")

    with db.session_scope() as session:
        counts = purge_logs(session, now=NOW)

    assert counts["thirty"] == 2 * 4  # d31, d59, d61, d400 of done and failed
    assert counts["sixty"] == 2 * 2  # d61, d400
    assert counts.get("never", 0) == 0
    assert counts["(no connection)"] == 0
    keep = {f"{s}-{a}" for s in ("done", "failed") for a in ("fresh", "d29")}
    assert remaining(connections["thirty"]) == keep
    assert remaining(connections["sixty"]) == keep | {
        f"{s}-{a}" for s in ("done", "failed") for a in ("d31", "d59")
    }
    assert remaining(connections["never"]) == {f"{s}-{a}" for s in ("done", "failed") for a in ages}


@pytest.mark.parametrize("state", [LogState.DRAFT, LogState.QUEUED, LogState.RUNNING])
def test_unfinished_logs_are_never_purged(connections: dict[str, int], state: LogState) -> None:
    with db.session_scope() as session:
        for name, conn_id in connections.items():
            log(session, conn_id, state, timedelta(days=1000), f"{name}-old")
            log(session, conn_id, LogState.DONE, timedelta(days=1000), f"{name}-done")
        log(session, None, state, timedelta(days=1000), "orphan-old")

    with db.session_scope() as session:
        counts = purge_logs(session, now=NOW)

    assert counts == {"thirty": 1, "sixty": 1, "(no connection)": 0}
    for name, conn_id in connections.items():
        expected = {f"{name}-old", f"{name}-done"} if name == "never" else {f"{name}-old"}
        assert remaining(conn_id) == expected
    assert remaining(None) == {"orphan-old"}
    with db.session_scope() as session:
        states = set(session.scalars(select(SyncLog.state).where(SyncLog.key.like("%-old"))))
    assert states == {state}


def test_logs_of_no_connection_are_kept_60_days(state_db: str) -> None:
    with db.session_scope() as session:
        log(session, None, LogState.DONE, timedelta(days=45), "d45")
        log(session, None, LogState.FAILED, timedelta(days=60) + SECOND, "d61")
    with db.session_scope() as session:
        counts = purge_logs(session, now=NOW)
    assert counts == {"(no connection)": 1}
    assert remaining(None) == {"d45"}


def test_now_in_another_timezone_is_the_same_instant(connections: dict[str, int]) -> None:
    with db.session_scope() as session:
        log(session, connections["thirty"], LogState.DONE, timedelta(days=30) + SECOND, "old")
        log(session, connections["thirty"], LogState.DONE, timedelta(days=30) - SECOND, "new")
    paris_summer = timezone(timedelta(hours=2))
    with db.session_scope() as session:
        counts = purge_logs(session, now=NOW.astimezone(paris_summer))
    assert counts["thirty"] == 1
    assert remaining(connections["thirty"]) == {"new"}


def test_purge_twice_deletes_nothing_more(connections: dict[str, int]) -> None:
    with db.session_scope() as session:
        log(session, connections["sixty"], LogState.FAILED, timedelta(days=90), "old")
    with db.session_scope() as session:
        assert purge_logs(session, now=NOW)["sixty"] == 1
    with db.session_scope() as session:
        assert purge_logs(session, now=NOW) == {"thirty": 0, "sixty": 0, "(no connection)": 0}


def test_purge_is_rolled_back_with_its_session(connections: dict[str, int]) -> None:
    with db.session_scope() as session:
        log(session, connections["thirty"], LogState.DONE, timedelta(days=90), "old")
    with pytest.raises(RuntimeError), db.session_scope() as session:
        assert purge_logs(session, now=NOW)["thirty"] == 1
        raise RuntimeError("abort")
    with db.get_engine().connect() as c:
        assert c.execute(text("SELECT count(*) FROM sync_log")).scalar_one() == 1


def test_default_now_is_the_current_time(connections: dict[str, int]) -> None:
    real_now = datetime.now(UTC)
    with db.session_scope() as session:
        row = log(session, connections["thirty"], LogState.DONE, timedelta(0), "recent")
        row.updated_at = real_now - timedelta(days=29)
        row = log(session, connections["thirty"], LogState.DONE, timedelta(0), "stale")
        row.updated_at = real_now - timedelta(days=31)
    with db.session_scope() as session:
        assert purge_logs(session)["thirty"] == 1
    assert remaining(connections["thirty"]) == {"recent"}


def test_add_connection_keeps_never_retention(state_db: str) -> None:
    new = NewConnection(
        name="forever",
        magento_url="http://m.test",
        magento=MagentoAuth(MagentoAuthMethod.TOKEN, token="t0k3n"),
        odoo_url="http://o.test",
        odoo_db="db",
        odoo_login="admin",
        odoo_secret="x",
        settings={"log_retention_days": None},
    )
    with db.session_scope() as session:
        conn_id = add_connection(session, new).id
        log(session, conn_id, LogState.DONE, timedelta(days=400), "kept-forever")
    with db.session_scope() as session:
        days = session.scalar(select(Connection.log_retention_days).where(Connection.id == conn_id))
        counts = purge_logs(session, now=NOW)
    assert days is None
    assert counts.get("forever", 0) == 0
    assert remaining(conn_id) == {"kept-forever"}
