"""Magento events over real HTTP: signed, fresh, once; an order event imports that order."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from bridge import db
from bridge.events.app import application
from bridge.events.signature import HEADER, sign
from bridge.models import Connection, EventReceipt, LogState, SyncLog
from bridge.sync.connections import webhook_secret
from sandbox.server import SandboxServer
from tasks.dispatch import pull_job
from tasks.outbox import enqueue, wait_for
from tests.conftest import prepare_shop, register_connection


@pytest.fixture
def events_url() -> Iterator[str]:
    with SandboxServer(application) as server:
        yield server.url


def order_event(increment_id: str, event_id: str | None = None) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": event_id or str(uuid.uuid4()),
        "type": "com.adobe.commerce.observer.sales_order_save_after",
        "source": "urn:magento:sandbox",
        "time": "2026-11-26T12:00:00Z",
        "data": {"value": {"increment_id": increment_id, "entity_id": 11}},
    }


def post(
    url: str,
    secret: str,
    event: dict[str, Any],
    *,
    at: int | None = None,
    signature: str | None = None,
) -> requests.Response:
    body = json.dumps(event).encode()
    header = signature or sign(secret, body, at)
    headers = {HEADER: header, "Content-Type": "application/json"}
    return requests.post(f"{url}/events/magento/shop", data=body, headers=headers, timeout=10)


def counts() -> tuple[int, int]:
    with db.session_scope() as s:
        return (
            int(s.scalar(select(func.count(EventReceipt.id)))),
            int(s.scalar(select(func.count(SyncLog.id)).where(SyncLog.entity == "orders.pull"))),
        )


def secret_of(name: str) -> str:
    with db.session_scope() as s:
        return webhook_secret(s, name)


def test_bad_signature_stale_and_duplicate_deliveries_have_no_effect(
    redis_url, state_db, magento_sandbox, odoo_sandbox, events_url
):
    register_connection(magento_sandbox, odoo_sandbox)
    secret = secret_of("shop")
    event = order_event("000000014")

    assert post(events_url, "not-the-secret", event).status_code == 401
    assert post(events_url, secret, event, signature="t=1,v1=00").status_code == 401
    stale = post(events_url, secret, event, at=int(time.time()) - 3600)
    assert stale.status_code == 409 and "stale" in stale.json()["error"]
    assert counts() == (0, 0)

    first = post(events_url, secret, event)
    assert first.status_code == 202, first.text
    assert first.json()["result"] == "queued orders pull of 000000014"
    again = post(events_url, secret, event)  # the same event, freshly signed: a duplicate
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert counts() == (1, 1)

    unknown = requests.post(f"{events_url}/events/magento/nope", data=b"{}", timeout=5)
    assert unknown.status_code == 404
    ignored = post(events_url, secret, {**order_event("1"), "type": "com.adobe.commerce.x.y"})
    assert ignored.status_code == 202 and ignored.json()["result"].startswith("ignored")
    assert counts() == (2, 1)


def test_an_order_event_imports_that_order_once(worker, magento_sandbox, odoo_sandbox, events_url):
    prepare_shop(magento_sandbox, odoo_sandbox)
    secret = secret_of("shop")
    event_id = str(uuid.uuid4())
    answers = [post(events_url, secret, order_event("000000014", event_id)) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 200, 200]
    pull = wait_for(answers[0].json()["log"], 60)
    assert pull is not None and pull.state is LogState.DONE, pull and pull.reason
    assert pull.result["records"] == 1
    page = wait_for(pull.result["page_logs"][0], 60)
    assert page is not None and page.result["imported"] == 1, worker.output()[-2000:]
    refs = [o["client_order_ref"] for o in odoo_sandbox.records("sale.order")]
    assert refs == ["000000014"]


def test_odoo_webhook_needs_the_token_and_starts_one_poll(
    redis_url, state_db, magento_sandbox, odoo_sandbox, events_url
):
    register_connection(magento_sandbox, odoo_sandbox)
    secret = secret_of("shop")
    body = {"_model": "stock.picking", "_id": 7, "_action": "Send Webhook Notification(#1)"}
    url = f"{events_url}/events/odoo/shop"
    assert requests.post(url, json=body, params={"token": "nope"}, timeout=5).status_code == 401
    assert requests.post(url, json=body, timeout=5).status_code == 401
    first = requests.post(url, json=body, params={"token": secret}, timeout=5)
    assert first.status_code == 202 and first.json()["result"] == "queued fulfillment poll"
    second = requests.post(url, json=body, params={"token": secret}, timeout=5)
    assert second.json() == {
        "result": "a fulfillment poll is already queued",
        "log": first.json()["log"],
    }


def test_an_odoo_delivery_webhook_ships_in_magento(
    worker, magento_sandbox, odoo_sandbox, events_url
):
    from bridge.sync.connections import magento_client, odoo_client
    from tests.sync.test_fulfillment import deliver

    conn_id = prepare_shop(magento_sandbox, odoo_sandbox)
    pull = wait_for(enqueue(pull_job("orders"), conn_id), 60)
    wait_for(pull.result["page_logs"][0], 60)
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        odoo, magento = odoo_client(conn), magento_client(conn)
    picking = deliver(odoo, "000000019", tracking="WEBHOOK-1")
    answer = requests.post(
        f"{events_url}/events/odoo/shop",
        params={"token": secret_of("shop")},
        json={"_model": "stock.picking", "_id": picking},
        timeout=5,
    )
    poll = wait_for(answer.json()["log"], 60)
    assert poll is not None and poll.state is LogState.DONE, poll and poll.reason
    # The poll also meets the card orders' invoices (nothing to send); one change ships.
    runs = [wait_for(run, 60) for run in poll.result["logs"]]
    assert all(r is not None and r.state is LogState.DONE for r in runs), runs
    assert sorted(r.entity for r in runs) == [
        "fulfillment.invoice",
        "fulfillment.invoice",
        "fulfillment.shipment",
    ]
    shipments = magento.get("shipments", {"searchCriteria[pageSize]": 5})["items"]
    assert [t["track_number"] for s in shipments for t in s["tracks"]] == ["WEBHOOK-1"]
