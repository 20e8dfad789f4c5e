"""`bridge demo --serve`: after the demo, keep everything up and serve the console.

The sandboxes, the worker and the state database stay as the demo left them; a drift
report runs first (one stock difference is planted in the Magento sandbox, as an admin
editing a quantity with no event reaching Bridge would leave it), an operator login is
made with a random password, and `bridge serve`'s app (webhooks, /console, /metrics)
listens until Ctrl-C.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from typing import Any

import requests
from rich.rule import Rule
from werkzeug.serving import make_server

from bridge import db
from bridge.cli.common import console
from bridge.models import Role
from bridge.sync import users
from tasks.drift import drift_job

USER = "demo"


def plant_stock_difference(magento_url: str) -> str | None:
    """Change one agreed Magento quantity behind Bridge's back; the SKU, or None."""
    from bridge.models import StockLevel

    with db.session_scope() as session:
        level = session.query(StockLevel).order_by(StockLevel.sku).first()
        if level is None:
            return None
        sku, source, quantity = level.sku, level.source_code, level.quantity
    requests.post(
        f"{magento_url}/__sandbox__/records/source_items",
        json={"key": f"{sku}\x00{source}", "sku": sku, "source_code": source,
              "quantity": quantity + 7, "status": 1},
        timeout=5,
    ).raise_for_status()  # fmt: skip
    return sku


def serve(conn_id: int, magento_url: str, run: Callable[..., Any], host: str, port: int) -> int:
    console.print(Rule("drift report"))
    sku = plant_stock_difference(magento_url)
    if sku:
        console.print(f"Planted: Magento's quantity of {sku} raised by 7 with no event")
    # The seed's orders are from October 2026: a year's window compares them all.
    entry = run(drift_job(days=365), conn_id)
    if entry is None:
        return 1
    console.print(f"[green]✓[/green] drift report {entry.id}: {(entry.result or {})['summary']}")
    password = secrets.token_urlsafe(12)
    with db.session_scope() as session:
        if users.find_user(session, USER) is None:
            users.add_user(session, USER, password, Role.OPERATOR)
        else:
            users.set_password(session, USER, password)
    from bridge.console.app import wsgi

    # Listening before the URL is printed: whoever reads it can connect at once.
    server = make_server(host, port, wsgi(), threaded=True)
    base = f"http://{host}:{server.server_port}"
    console.print(Rule("console"))
    console.print(f"Console   {base}/console/  (user [bold]{USER}[/bold], password "
                  f"[bold]{password}[/bold], role operator)")  # fmt: skip
    console.print(f"Metrics   {base}/metrics")
    console.print(f"Drift     {base}/console/drift/{entry.id}")
    console.print("Sandboxes, worker and state stay up until Ctrl-C.")
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    server.server_close()
    return 0
