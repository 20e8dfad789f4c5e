"""Product events over real HTTP, through a real worker: signed, once, coalesced, echo-free."""

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
from bridge.sync.connections import odoo_client, webhook_secret
from sandbox.server import SandboxServer
from tasks.outbox import wait_for
from tests.conftest import register_connection

SAVE = "com.adobe.commerce.observer.catalog_product_save_after"
DELETE = "com.adobe.commerce.observer.catalog_product_delete_after"


@pytest.fixture
def events_url() -> Iterator[str]:
    with SandboxServer(application) as server:
        yield server.url


@pytest.fixture
def shop(magento_sandbox: Any, odoo_sandbox: Any) -> dict[str, Any]:
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    with db.session_scope() as s:
        odoo = odoo_client(s.get(Connection, conn_id))
        secret = webhook_secret(s, "shop")
    return {"id": conn_id, "odoo": odoo, "secret": secret, "magento": magento_sandbox}


def product_event(sku: str, kind: str = SAVE, event_id: str | None = None) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": event_id or str(uuid.uuid4()),
        "type": kind,
        "source": "urn:magento:sandbox",
        "time": "2026-11-26T12:00:00Z",
        "data": {"value": {"sku": sku, "entity_id": 1}},
    }


def post(url: str, secret: str, event: dict[str, Any], **kw: Any) -> requests.Response:
    body = json.dumps(event).encode()
    header = kw.get("signature") or sign(secret, body, kw.get("at"))
    headers = {HEADER: header, "Content-Type": "application/json"}
    return requests.post(f"{url}/events/magento/shop", data=body, headers=headers, timeout=10)


def hook(url: str, secret: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{url}/events/odoo/shop?token={secret}", json=body, timeout=10)


def finished(log_id: int, worker: Any, timeout: float = 60) -> SyncLog:
    entry = wait_for(log_id, timeout)
    assert entry is not None, worker.output()[-3000:]
    assert entry.state is LogState.DONE, (entry.reason, worker.output()[-3000:])
    return entry


def product_logs() -> int:
    with db.session_scope() as s:
        return int(s.scalar(select(func.count(SyncLog.id)).where(SyncLog.entity.like("product%"))))


def template_of(odoo: Any, sku: str) -> dict[str, Any] | None:
    rows = odoo.search_read(
        "product.product",
        [("default_code", "=", sku)],
        ["product_tmpl_id"],
        context={"active_test": False},
    )
    if not rows:
        return None
    return odoo.read(
        "product.template",
        [rows[0]["product_tmpl_id"][0]],
        ["name", "list_price", "active", "write_date"],
        context={"active_test": False},
    )[0]


def magento_saves(magento: Any) -> int:
    routes = requests.get(f"{magento.url}/__sandbox__/stats", timeout=5).json()["by_route"]
    return sum(n for r, n in routes.items() if r.startswith("POST /rest/all/V1/products"))


def test_product_events_are_signed_fresh_and_taken_once(
    worker: Any, shop: dict[str, Any], events_url: str
) -> None:
    event = product_event("24-WG02")
    assert post(events_url, "wrong-secret", event).status_code == 401
    stale = post(events_url, shop["secret"], event, at=int(time.time()) - 3600)
    assert stale.status_code == 409
    assert product_logs() == 0 and template_of(shop["odoo"], "24-WG02") is None

    answers = [post(events_url, shop["secret"], event) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 200, 200]
    finished(answers[0].json()["log"], worker)
    template = template_of(shop["odoo"], "24-WG02")
    assert template is not None and template["name"] == "Didi Sport Watch"
    with db.session_scope() as s:
        assert s.scalar(select(func.count(EventReceipt.id))) == 1

    magento = shop["magento"]
    requests.delete(f"{magento.url}/__sandbox__/records/products/24-WG02", timeout=5)
    gone = post(events_url, shop["secret"], product_event("24-WG02", DELETE))
    assert gone.status_code == 202
    finished(gone.json()["log"], worker)
    archived = template_of(shop["odoo"], "24-WG02")
    assert archived is not None and archived["active"] is False


def test_an_odoo_burst_of_edits_is_one_draft_and_one_magento_write(
    worker: Any, shop: dict[str, Any], events_url: str
) -> None:
    odoo = shop["odoo"]
    tmpl = odoo.create(
        "product.template",
        [{"name": "Hook mug", "default_code": "BR-HOOK", "list_price": 10.0, "is_storable": True}],
    )[0]
    requests.delete(f"{shop['magento'].url}/__sandbox__/stats", timeout=5)
    answers = []
    for vals in ({}, {"name": "Hook mug II"}, {"name": "Hook mug III", "list_price": 11.0}):
        if vals:
            odoo.write("product.template", [tmpl], vals)
        answers.append(
            hook(events_url, shop["secret"], {"_model": "product.template", "_id": tmpl})
        )
    assert [a.status_code for a in answers] == [202, 202, 202], answers[0].text
    assert len({a.json()["draft"] for a in answers}) == 1  # one draft absorbed the edits
    assert len({a.json()["flush"] for a in answers}) == 1  # and one flush is waiting
    flush = finished(answers[0].json()["flush"], worker)
    [page_id] = flush.result["pages"]
    finished(page_id, worker)
    product = requests.get(
        f"{shop['magento'].url}/__sandbox__/records/products/BR-HOOK", timeout=5
    ).json()
    assert (product["name"], product["price"]) == ("Hook mug III", 11.0)
    assert magento_saves(shop["magento"]) == 1


def test_no_echo_in_either_direction(worker: Any, shop: dict[str, Any], events_url: str) -> None:
    odoo, magento, secret = shop["odoo"], shop["magento"], shop["secret"]
    # Magento -> Odoo, then Odoo tells Bridge its record changed: nothing goes back.
    first = post(events_url, secret, product_event("24-WG02"))
    finished(first.json()["log"], worker)
    template = template_of(odoo, "24-WG02")
    assert template is not None
    requests.delete(f"{magento.url}/__sandbox__/stats", timeout=5)
    answer = hook(events_url, secret, {"_model": "product.template", "_id": template["id"]})
    flush = finished(answer.json()["flush"], worker)
    pages = [finished(p, worker) for p in flush.result["pages"]]
    assert [(p.result["exported"], p.result["unchanged"]) for p in pages] == [(0, 1)]
    assert magento_saves(magento) == 0

    # Odoo -> Magento, then Magento's save event for that write: Odoo is not written.
    odoo.write("product.template", [template["id"]], {"name": "Didi Sport Watch 2"})
    answer = hook(events_url, secret, {"_model": "product.template", "_id": template["id"]})
    flush = finished(answer.json()["flush"], worker)
    [page] = [finished(p, worker) for p in flush.result["pages"]]
    assert page.result["exported"] == 1
    before = template_of(odoo, "24-WG02")
    echo = post(events_url, secret, product_event("24-WG02"))
    entry = finished(echo.json()["log"], worker)
    assert "unchanged" in json.dumps(entry.result)
    after = template_of(odoo, "24-WG02")
    assert after == before and after is not None and after["name"] == "Didi Sport Watch 2"
