"""Events as Adobe delivers them, over real HTTP: I/O Events and Commerce Webhooks.

The Magento sandbox signs as Adobe does (`MagentoSandbox.events`: two RSA key pairs whose
public keys it serves at the paths it names, and the store's Commerce Webhooks pair);
Bridge's receiver fetches those keys over HTTP like it fetches Adobe's.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from bridge import db
from bridge.events.app import application
from bridge.models import EventReceipt, EventSource, LogState, SyncLog
from bridge.settings import reload_settings
from bridge.sync.event_source import set_event_source
from sandbox.magento import events as sandbox_events
from sandbox.server import SandboxServer
from tests.conftest import register_connection
from tests.e2e.test_cli import bridge

CLIENT_ID = "bridge-test-client"


@pytest.fixture
def events_url() -> Iterator[str]:
    with SandboxServer(application) as server:
        yield server.url


def io_event(
    increment_id: str,
    *,
    updated_at: str = "2026-12-01 10:00:00",
    event_id: str | None = None,
    recipient: str = CLIENT_ID,
    sent: datetime | None = None,
) -> dict[str, Any]:
    when = (sent or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "specversion": "1.0",
        "id": event_id or str(uuid.uuid4()),
        "type": "com.adobe.commerce.observer.sales_order_save_after",
        "source": "urn:magento:test",
        "time": when,
        "recipient_client_id": recipient,
        "data": {"value": {"increment_id": increment_id, "updated_at": updated_at}},
    }


def use_source(source: EventSource, **settings: Any) -> None:
    with db.session_scope() as s:
        set_event_source(s, "shop", source, **settings)


def deliver(url: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(f"{url}/events/magento/shop", data=body, headers=headers, timeout=15)


def receipts() -> list[tuple[str, str | None, int | None]]:
    with db.session_scope() as s:
        rows = s.execute(
            select(EventReceipt.event_id, EventReceipt.outcome, EventReceipt.log_id).order_by(
                EventReceipt.id
            )
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_io_events_signatures_recipient_staleness_replay_batch_and_order(
    redis_url, state_db, magento_sandbox, odoo_sandbox, events_url
):
    register_connection(magento_sandbox, odoo_sandbox)
    keys_url = f"{magento_sandbox.url}/__sandbox__/events"
    use_source(EventSource.IO_EVENTS, client_id=CLIENT_ID, keys_url=keys_url)
    adobe = magento_sandbox.events

    # The registration challenge, by GET and by POST (no signature: it reveals nothing).
    got = requests.get(f"{events_url}/events/magento/shop", params={"challenge": "c-1"}, timeout=5)
    assert got.status_code == 200 and got.json() == {"challenge": "c-1"}
    posted = requests.post(f"{events_url}/events/magento/shop", json={"challenge": "c-2"})
    assert posted.status_code == 200 and posted.json() == {"challenge": "c-2"}

    # Signed exactly as I/O Events signs: accepted and queued.
    event = io_event("000000014", updated_at="2026-12-01 10:00:05")
    body = json.dumps(event).encode()
    first = deliver(events_url, body, adobe.io_headers(body))
    assert first.status_code == 202, first.text
    assert first.json()["result"] == "queued orders pull of 000000014"

    # Tampered body, a key Adobe does not serve, a signature of another key: 401, no effect.
    tampered = body.replace(b"000000014", b"000000015")
    assert deliver(events_url, tampered, adobe.io_headers(body)).status_code == 401
    other = io_event("000000015")
    other_body = json.dumps(other).encode()
    unknown_key = {
        **adobe.io_headers(other_body),
        "x-adobe-public-key1-path": "/prod/keys/pub-key-unknown.pem",
        "x-adobe-public-key2-path": "/prod/keys/pub-key-unknown-2.pem",
    }
    refused = deliver(events_url, other_body, unknown_key)
    assert refused.status_code == 401, refused.text
    forger = sandbox_events.EventEmitter.__new__(sandbox_events.EventEmitter)
    forger.io_keys = [
        (path, rsa.generate_private_key(public_exponent=65537, key_size=2048), pem)
        for path, _, pem in adobe.io_keys
    ]
    assert deliver(events_url, other_body, forger.io_headers(other_body)).status_code == 401
    unsigned = deliver(events_url, other_body, {"Content-Type": "application/json"})
    assert unsigned.status_code == 401

    # Addressed to another project, or signed too long ago: refused.
    wrong = json.dumps(io_event("000000015", recipient="someone-else")).encode()
    assert deliver(events_url, wrong, adobe.io_headers(wrong)).status_code == 401
    old = io_event("000000015", sent=datetime.now(UTC) - timedelta(days=8))
    stale = json.dumps(old).encode()
    answer = deliver(events_url, stale, adobe.io_headers(stale))
    assert answer.status_code == 409 and "stale" in answer.json()["error"]
    assert len(receipts()) == 1

    # Replayed: the same delivery again is a duplicate.
    again = deliver(events_url, body, adobe.io_headers(body))
    assert again.status_code == 200 and again.json() == {"duplicate": True, "event": event["id"]}

    # Out of order: an older save of the same order is recorded and skipped.
    older = json.dumps(io_event("000000014", updated_at="2026-12-01 10:00:01")).encode()
    skipped = deliver(events_url, older, adobe.io_headers(older))
    assert skipped.status_code == 200, skipped.text
    assert skipped.json()["result"].startswith(
        "skipped: order:000000014 was at 2026-12-01 10:00:01"
    )

    # A batch: each event's outcome; a malformed one is kept in a failed log, the rest go on.
    newer = io_event("000000014", updated_at="2026-12-01 10:00:09")
    batch = [newer, event, io_event("000000019"), {"id": "no-type", "data": {}}]
    batch_body = json.dumps(batch).encode()
    answer = deliver(events_url, batch_body, adobe.io_headers(batch_body))
    assert answer.status_code == 200, answer.text
    items = answer.json()["events"]
    assert [e["outcome"] for e in items] == ["queued", "duplicate", "queued", "unreadable"]
    assert items[0]["log"] == items[2]["log"]  # the batch's orders: one pull naming both
    with db.session_scope() as s:
        failed = s.scalars(select(SyncLog).where(SyncLog.entity == "event")).one()
        assert failed.state is LogState.FAILED and failed.payload == batch[3]
        assert "without 'type'" in (failed.reason or "")
        pulls = s.scalars(select(SyncLog).where(SyncLog.entity == "orders.pull")).all()
        keys = [p.payload["keys"] for p in pulls]
    # No worker runs here, so the first pull (14) still waits: the batch's orders join it
    # rather than queue another. The replay and the older save added nothing.
    assert keys == [["000000014", "000000019"]]
    assert items[0]["log"] == first.json()["log"] == pulls[0].id

    # The key server down: 503, so Adobe delivers again later; nothing recorded.
    use_source(EventSource.IO_EVENTS, keys_url=f"http://127.0.0.1:{free_port()}")
    later = json.dumps(io_event("000000020")).encode()
    down = deliver(events_url, later, adobe.io_headers(later))
    assert down.status_code == 503 and "did not answer" in down.json()["error"]
    # 14, the skipped older 14, the newer 14, 19 (the unreadable one has its failed log).
    assert [r[1].split(" ")[0] for r in receipts()] == ["queued", "skipped:", "queued", "queued"]


def test_commerce_webhooks_signature_and_replay(
    redis_url, state_db, magento_sandbox, odoo_sandbox, events_url
):
    register_connection(magento_sandbox, odoo_sandbox)
    store = magento_sandbox.events
    pem = store.commerce_public_pem.decode()
    use_source(EventSource.COMMERCE_WEBHOOKS, public_key=pem)
    body = json.dumps({
        "eventName": "observer.sales_order_save_after",
        "data": {"order": {"increment_id": "000000014", "updated_at": "2026-12-01 10:00:00"}},
    }).encode()  # fmt: skip
    ok = deliver(events_url, body, store.commerce_headers(body))
    assert ok.status_code == 200, ok.text
    assert ok.json()["op"] == "success"
    assert ok.json()["result"] == "queued orders pull of 000000014"
    tampered = body.replace(b"000000014", b"000000019")
    assert deliver(events_url, tampered, store.commerce_headers(body)).status_code == 401
    assert deliver(events_url, body, {"Content-Type": "application/json"}).status_code == 401
    replay = deliver(events_url, body, store.commerce_headers(body))
    assert replay.json()["result"].startswith("duplicate")
    with db.session_scope() as s:
        assert s.scalar(select(func.count(SyncLog.id))) == 1


def test_malformed_signed_bodies_get_400_and_big_ones_413(
    redis_url, state_db, magento_sandbox, odoo_sandbox, events_url
):
    """Bridge's own HMAC source (and the Odoo webhook): clear 400s, never a 500."""
    from bridge.events.signature import HEADER, sign
    from bridge.sync.connections import webhook_secret

    register_connection(magento_sandbox, odoo_sandbox)
    with db.session_scope() as s:
        secret = webhook_secret(s, "shop")

    def post(payload: Any) -> requests.Response:
        body = json.dumps(payload).encode()
        return deliver(events_url, body, {HEADER: sign(secret, body)})

    good = {"id": "e-1", "type": "com.adobe.commerce.observer.sales_order_save_after"}
    cases = {
        "event without 'type'": {"id": "e-2", "data": {"value": {"increment_id": "1"}}},
        "'data' must be an object": {**good, "data": ["x"]},
        "'id' is 300 characters long": {**good, "id": "x" * 300, "data": {}},
        "'data.value' must be an object": {**good, "data": {"value": 7}},
        "a JSON array is a batch": [good],
        "without increment_id": {**good, "data": {"value": {}}},
        "'id' must be a string": {**good, "id": {"a": 1}},
    }
    for expected, payload in cases.items():
        answer = post(payload)
        assert answer.status_code == 400, (expected, answer.text)
        assert expected in answer.json()["error"], (expected, answer.json())
    body = b"{not json"
    answer = deliver(events_url, body, {HEADER: sign(secret, body)})
    assert answer.status_code == 400 and "not JSON" in answer.json()["error"]

    odoo = f"{events_url}/events/odoo/shop"
    for payload, expected in (
        ({"_model": "product.template", "_id": "abc"}, "'_id' must be a record id"),
        ({"_model": "product.template", "_id": "9" * 40}, "'_id' must be a record id"),
        ([{"_model": "stock.picking"}], "a JSON object, not list"),
        ({"_model": ["x"]}, "'_model' must be a model name"),
    ):
        answer = requests.post(odoo, params={"token": secret}, json=payload, timeout=5)
        assert answer.status_code == 400 and expected in answer.json()["error"], answer.text

    # Over the cap (1 MiB): 413 from Content-Length, and from a chunked body as it streams.
    big = b"x" * (1024 * 1024 + 1)
    answer = deliver(events_url, big, {HEADER: sign(secret, big)})
    assert answer.status_code == 413, answer.text
    chunks = (b"y" * 65536 for _ in range(40))  # 2.5 MiB, no Content-Length
    answer = requests.post(f"{events_url}/events/magento/shop", data=chunks, timeout=15)
    assert answer.status_code == 413, answer.text
    answer = requests.post(odoo, params={"token": secret}, data=big, timeout=15)
    assert answer.status_code == 413
    with db.session_scope() as s:
        assert s.scalar(select(func.count(SyncLog.id))) == 0
        assert s.scalar(select(func.count(EventReceipt.id))) == 0


def test_serve_refuses_to_start_with_the_wrong_secret_key(
    state_db, magento_sandbox, odoo_sandbox, monkeypatch
):
    register_connection(magento_sandbox, odoo_sandbox)
    monkeypatch.setenv("BRIDGE_SECRET_KEY", "not-the-key-the-secrets-were-stored-with")
    started = time.monotonic()
    run = bridge("serve", "--port", str(free_port()), timeout=60)
    reload_settings()
    assert run.returncode == 1, run.stdout + run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "bridge serve cannot start" in lines[0], run.stderr
    assert "BRIDGE_SECRET_KEY" in lines[0] and "Traceback" not in run.stderr
    assert time.monotonic() - started < 60

    # No key at all (none set, no key file) while secrets are stored: the same one line.
    monkeypatch.delenv("BRIDGE_SECRET_KEY")
    reload_settings()
    from bridge.settings import get_settings

    assert not get_settings().secret_key_file.exists()
    run = bridge("serve", "--port", str(free_port()), timeout=60)
    reload_settings()
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert run.returncode == 1 and len(lines) == 1, run.stderr
    assert "bridge serve cannot start" in lines[0] and "is missing" in lines[0], lines
