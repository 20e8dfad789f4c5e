"""`bridge connection webhook`: choosing the event source and what it says to enter."""

from __future__ import annotations

import os

from sqlalchemy import select

from bridge import db
from bridge.models import Connection, EventSource, Schedule
from tests.conftest import register_connection
from tests.e2e.test_cli import bridge


def test_webhook_sets_the_source_and_prints_what_to_enter(
    state_db, magento_sandbox, odoo_sandbox, tmp_path, monkeypatch
):
    register_connection(magento_sandbox, odoo_sandbox)
    register_connection(magento_sandbox, odoo_sandbox, name="other")

    own = bridge("connection", "webhook", "-c", "shop", "--url", "https://bridge.example.com")
    assert own.returncode == 0, own.stderr
    assert "POST https://bridge.example.com/events/magento/shop" in own.stdout
    assert "X-Bridge-Signature" in own.stdout and "secret: " in own.stdout

    monkeypatch.setenv("BRIDGE_IO_CLIENT_SECRET", "s3cret-from-the-console")
    io = bridge(
        "connection", "webhook", "-c", "shop", "--source", "io_events",
        "--url", "https://bridge.example.com", "--client-id", "4566206088344d0bb3d6e3e1d5a5b1f2",
        "--journal-url", "https://events-va6.adobe.io/events/organizations/o/integrations/i/r",
    )  # fmt: skip
    assert io.returncode == 0, io.stderr
    assert "Webhook URL: https://bridge.example.com/events/magento/shop" in io.stdout
    assert "recipient_client_id) expected: 4566206088344d0bb3d6e3e1d5a5b1f2" in io.stdout
    assert "Public keys from: https://static.adobeioevents.com" in io.stdout
    assert "client secret: set" in io.stdout
    assert "s3cret-from-the-console" not in io.stdout + io.stderr
    with db.session_scope() as s:
        conn = s.scalars(select(Connection).where(Connection.name == "shop")).one()
        assert conn.event_source is EventSource.IO_EVENTS
        assert "s3cret" not in (conn.event_secret_enc or "")
        sched = s.scalars(select(Schedule).where(Schedule.connection_id == conn.id,
                                                 Schedule.job == "pull_journal")).one()  # fmt: skip
        assert sched.enabled and sched.interval_seconds == 60
    monkeypatch.delenv("BRIDGE_IO_CLIENT_SECRET")

    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    refused = bridge("connection", "webhook", "-c", "shop", "--source", "commerce_webhooks",
                     "--public-key-file", str(bad))  # fmt: skip
    assert refused.returncode == 1
    assert "not a PEM public key" in refused.stderr and "Traceback" not in refused.stderr
    good = tmp_path / "webhooks.pem"
    good.write_bytes(magento_sandbox.events.commerce_public_pem)
    commerce = bridge("connection", "webhook", "-c", "shop", "--source", "commerce_webhooks",
                      "--public-key-file", str(good))  # fmt: skip
    assert commerce.returncode == 0, commerce.stderr
    assert "observer.sales_order_save_after -> https://<bridge serve URL>" in commerce.stdout
    with db.session_scope() as s:
        conn = s.scalars(select(Connection).where(Connection.name == "shop")).one()
        assert conn.event_source is EventSource.COMMERCE_WEBHOOKS
        sched = s.scalars(select(Schedule).where(Schedule.connection_id == conn.id,
                                                 Schedule.job == "pull_journal")).one()  # fmt: skip
        assert not sched.enabled  # no journal without I/O Events

    missing = bridge("connection", "webhook", "-c", "other", "--source", "io_events")
    assert missing.returncode == 1 and "--client-id" in missing.stderr
    with db.session_scope() as s:  # refused before anything was saved
        other = s.scalars(select(Connection).where(Connection.name == "other")).one()
        assert other.event_source is EventSource.BRIDGE
    assert os.environ.get("BRIDGE_IO_CLIENT_SECRET") is None
