"""The Magento sandbox's events through the real pipeline: webhook deliveries and the journal.

The sandbox registers `bridge serve`'s URL as Adobe does (challenge first), then emits
order saves signed like I/O Events; Bridge fetches the sandbox's public keys, takes the
events and a real worker imports the orders into the Odoo sandbox. With the endpoint
stopped, deliveries fail and are given up; the journal consumer then brings every order
placed meanwhile, and those the webhook already brought are duplicates: each order
reaches Odoo exactly once.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from typing import Any

import requests
from sqlalchemy import select

from bridge import db
from bridge.events.app import application
from bridge.models import Connection, EventReceipt, EventSource, LogState, Schedule
from bridge.sync.event_source import set_event_source
from sandbox.server import SandboxServer
from tasks.dispatch import JOBS
from tasks.outbox import enqueue, wait_for
from tests.conftest import prepare_shop

CLIENT_ID = "bridge-pipeline-client"


def register(magento: Any, events_url: str, **options: Any) -> dict[str, Any]:
    """What a merchant does in the Developer Console, then `bridge connection webhook`."""
    answer = requests.post(
        f"{magento.url}/__sandbox__/events/registrations",
        json={"url": f"{events_url}/events/magento/shop", "client_id": CLIENT_ID, **options},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    reg = answer.json()
    with db.session_scope() as s:
        set_event_source(
            s,
            "shop",
            EventSource.IO_EVENTS,
            client_secret=reg["client_secret"],
            client_id=CLIENT_ID,
            keys_url=reg["keys_url"],
            journal_url=reg["journal_url"],
            ims_url=reg["ims_url"],
        )
    return reg


def place_orders(magento: Any, first: int, count: int) -> list[str]:
    """New orders in Magento, copies of seeded order 000000014 (as a checkout would save)."""
    template = next(
        o
        for o in requests.get(f"{magento.url}/__sandbox__/records/orders", timeout=10).json()
        if o["increment_id"] == "000000014"
    )
    placed = []
    for n in range(first, first + count):
        order = copy.deepcopy(template)
        increment_id = f"3{n:08d}"
        order.update(increment_id=increment_id, entity_id=7000 + n, customer_email=f"e{n}@x.io")
        order["updated_at"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        answer = requests.post(f"{magento.url}/__sandbox__/records/orders", json=order, timeout=10)
        answer.raise_for_status()
        placed.append(increment_id)
    return placed


def odoo_refs(odoo: Any) -> Counter[str]:
    return Counter(o["client_order_ref"] for o in odoo.records("sale.order"))


def wait_in_odoo(odoo: Any, refs: list[str], timeout: float = 90) -> Counter[str]:
    deadline = time.monotonic() + timeout
    while True:
        found = odoo_refs(odoo)
        if all(found[r] for r in refs) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_sandbox_events_reach_odoo_and_the_journal_brings_what_the_endpoint_missed(
    worker, magento_sandbox, odoo_sandbox
):
    conn_id = prepare_shop(magento_sandbox, odoo_sandbox)
    server = SandboxServer(application)
    server.start()
    port = server.port
    try:
        reg = register(magento_sandbox, server.url, batch=True, retries=1)
        with db.session_scope() as s:
            schedule = s.scalars(
                select(Schedule).where(Schedule.connection_id == conn_id)
                .where(Schedule.job == "pull_journal")
            ).one()  # fmt: skip
            assert schedule.enabled and schedule.interval_seconds == 60

        # Live: an order placed in Magento is in Odoo within seconds, through its event.
        started = time.monotonic()
        live = place_orders(magento_sandbox, 0, 2)
        found = wait_in_odoo(odoo_sandbox, live)
        assert [found[r] for r in live] == [1, 1], (found, worker.output()[-3000:])
        assert time.monotonic() - started < 30

        # The endpoint down: the sandbox's deliveries fail and are given up.
        server.stop()
        missed = place_orders(magento_sandbox, 10, 3)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = requests.get(
                f"{magento_sandbox.url}/__sandbox__/events/registrations", timeout=5
            ).json()[0]
            if state["failed"] >= 3 and state["waiting"] == 0:
                break
            time.sleep(0.2)
        assert state["failed"] >= 3, state
        assert not any(odoo_refs(odoo_sandbox)[r] for r in missed)
    finally:
        server.stop()

    # Back up (same port, as registered); the journal job reads from its position.
    server = SandboxServer(application, port=port).start()
    try:
        run = wait_for(enqueue(JOBS["pull_journal"], conn_id), 60)
        assert run is not None and run.state is LogState.DONE, run and run.reason
        outcomes = run.result["outcomes"]
        assert outcomes.get("queued") == 3, run.result  # the three missed orders
        assert outcomes.get("duplicate") == 2, run.result  # the two the webhook brought
        found = wait_in_odoo(odoo_sandbox, missed)
        assert {r: found[r] for r in live + missed} == dict.fromkeys(live + missed, 1), found

        # Read again: nothing new, the position held; the journal and the webhook agree.
        again = wait_for(enqueue(JOBS["pull_journal"], conn_id), 60)
        assert again is not None and again.result["read"] == 0, again and again.result
        with db.session_scope() as s:
            conn = s.get(Connection, conn_id)
            assert conn is not None
            taken = s.scalars(
                select(EventReceipt.outcome).where(EventReceipt.connection_id == conn_id)
            ).all()
        assert len(taken) == 5 and all(t.startswith("queued orders pull") for t in taken)
        assert odoo_refs(odoo_sandbox)["000000014"] == 0  # only what the events named
        assert reg["journal_url"].endswith(reg["id"])
    finally:
        server.stop()
