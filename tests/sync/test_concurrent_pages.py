"""Two pages at once sharing a customer and an order (PostgreSQL, two threads): one each."""

from __future__ import annotations

import copy
import threading
from typing import Any

import requests

from bridge import db
from bridge.clients.magento_search import SearchCriteria
from bridge.mappers import order as om
from bridge.models import Connection, SyncLog
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.orders.pages import OrderPage, import_orders, order_logs
from tests.conftest import prepare_shop


def test_two_pages_with_the_same_customer_and_order(pg_state_db, magento_sandbox, odoo_sandbox):
    conn_id = prepare_shop(magento_sandbox, odoo_sandbox)
    with db.session_scope() as s:
        magento = magento_client(s.get(Connection, conn_id))
    template = next(
        o
        for o in magento.iter_records("orders", SearchCriteria(), fields=om.ORDER_FIELDS)
        if o["increment_id"] == "000000019"
    )
    pages: list[list[dict[str, Any]]] = []
    for n in range(2):
        own = copy.deepcopy(template)
        own.update(increment_id=f"90000000{n}", entity_id=9000 + n)
        shared = copy.deepcopy(template)  # the same order on both pages (a pull and an event)
        shared.update(increment_id="900000099", entity_id=9099)
        pages.append([own, shared])
    with db.session_scope() as s:
        log_ids = [order_logs(s, conn_id, page) for page in pages]
    # Slow Odoo down so both pages are inside the partner and order look-ups together.
    url = f"{odoo_sandbox.url}/__sandbox__/faults"
    requests.post(url, json={"latency_ms": 150}, timeout=5).raise_for_status()
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(ids: list[int]) -> None:
        try:
            start.wait()
            with db.session_scope() as s:
                conn = s.get(Connection, conn_id)
                logs = [s.get(SyncLog, i) for i in ids]
                import_orders(OrderPage(s, conn, odoo_client(conn)), logs)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(ids,)) for ids in log_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    refs = [o["client_order_ref"] for o in odoo_sandbox.records("sale.order")]
    assert sorted(refs) == ["900000000", "900000001", "900000099"]
    guests = [
        p
        for p in odoo_sandbox.records("res.partner")
        if p.get("email") == template["customer_email"] and not p.get("parent_id")
    ]
    assert len(guests) == 1
