"""The demo's event round: an order placed in Magento reaches Odoo through an event.

`bridge serve`'s event endpoint runs on a free loopback port; the Magento sandbox
registers it as Adobe I/O Events does (the challenge first) and signs each change with
its RSA keys, whose public halves Bridge fetches from the sandbox as it would from
Adobe's key domain. A new order saved in Magento is then delivered, checked, taken once
and imported by the worker: no schedule involved.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import requests

from bridge import db
from bridge.cli.common import console, err_console
from bridge.clients.odoo import OdooClient
from bridge.models import EventSource
from bridge.sync.event_source import set_event_source

CLIENT_ID = "bridge-demo"
EVENT_ORDER = "000000100"
TIMEOUT_S = 60.0


def run(conn_name: str, magento_url: str, odoo: OdooClient) -> bool:
    from bridge.events.app import application
    from sandbox.magento.seed import luma
    from sandbox.server import SandboxServer

    with SandboxServer(application) as server:
        answer = requests.post(
            f"{magento_url}/__sandbox__/events/registrations",
            json={"url": f"{server.url}/events/magento/{conn_name}", "client_id": CLIENT_ID},
            timeout=30,
        )
        if answer.status_code != 201:
            err_console.print(f"[red]✗[/red] the event registration failed: {answer.text}")
            return False
        reg = answer.json()
        with db.session_scope() as session:
            set_event_source(
                session,
                conn_name,
                EventSource.IO_EVENTS,
                client_id=CLIENT_ID,
                keys_url=reg["keys_url"],
            )
        console.print(
            f"Magento sends I/O Events to {server.url}/events/magento/{conn_name} "
            "(challenge answered; RSA-signed, keys fetched from the sandbox's key server)"
        )
        try:
            return _place_and_follow(magento_url, odoo, luma.order("000000014"))
        finally:
            requests.delete(
                f"{magento_url}/__sandbox__/events/registrations/{reg['id']}", timeout=10
            )


def _place_and_follow(magento_url: str, odoo: OdooClient, template: dict[str, Any]) -> bool:
    order = copy.deepcopy(template)
    order.update(
        increment_id=EVENT_ORDER,
        entity_id=9100,
        updated_at=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
    )
    started = time.monotonic()
    requests.post(
        f"{magento_url}/__sandbox__/records/orders", json=order, timeout=10
    ).raise_for_status()
    console.print(f"Order {EVENT_ORDER} placed in Magento")
    while time.monotonic() - started < TIMEOUT_S:
        found = odoo.search_read(
            "sale.order", [("client_order_ref", "=", EVENT_ORDER)], ["name", "amount_total"]
        )
        if found:
            elapsed = time.monotonic() - started
            console.print(
                f"[green]✓[/green] {EVENT_ORDER} is {found[0]['name']} in Odoo "
                f"({found[0]['amount_total']:.2f}) {elapsed:.1f} s after it was placed, "
                "through its event"
            )
            return True
        time.sleep(0.1)
    err_console.print(f"[red]✗[/red] {EVENT_ORDER} did not reach Odoo in {TIMEOUT_S:.0f} s")
    return False
