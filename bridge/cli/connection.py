"""`bridge connection ...`: register, list, show and test connections.

Secrets (the Magento token or password, the OAuth secrets, the Odoo password or key) may
be given as options, but an option shows in `ps` and the shell's history: each also reads
its environment variable (BRIDGE_MAGENTO_TOKEN, BRIDGE_MAGENTO_PASSWORD, BRIDGE_ODOO_KEY,
...) and, when neither is there, is asked for at a prompt that does not echo.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select

from bridge.cli import webhook
from bridge.cli.common import console, fail, ready_db
from bridge.cli.inputs import url_value
from bridge.cli.jobs import run_job
from bridge.clients.magento import MagentoAuth
from bridge.db import session_scope
from bridge.models import RETENTION_CHOICES, Connection, MagentoAuthMethod, OdooProtocol
from bridge.sync.connections import (
    ConnectionNotFound,
    NewConnection,
    add_connection,
    get_connection,
)
from tasks.dispatch import CHECK_JOB

app = typer.Typer(help="Register and test connections (one Magento scope + one Odoo database).")

Name = Annotated[str, typer.Option("--connection", "-c", help="Connection name.")]


@app.command("add")
def add(
    name: Annotated[str, typer.Option(prompt=True, help="A short name, e.g. 'shop-eu'.")],
    magento_url: Annotated[str, typer.Option(prompt="Magento base URL", callback=url_value)],
    magento_auth: Annotated[
        MagentoAuthMethod, typer.Option(prompt=True, help="token, admin or oauth1")
    ] = MagentoAuthMethod.TOKEN,
    store_code: Annotated[str, typer.Option(help="Magento store code in REST URLs.")] = "all",
    magento_token: Annotated[
        str | None,
        typer.Option(
            envvar="BRIDGE_MAGENTO_TOKEN", help="Integration access token (or the prompt)."
        ),
    ] = None,
    magento_user: Annotated[
        str | None, typer.Option(envvar="BRIDGE_MAGENTO_USER", help="Admin user name.")
    ] = None,
    magento_password: Annotated[
        str | None,
        typer.Option(envvar="BRIDGE_MAGENTO_PASSWORD", help="Admin password (or the prompt)."),
    ] = None,
    consumer_key: Annotated[str | None, typer.Option(envvar="BRIDGE_MAGENTO_CONSUMER_KEY")] = None,
    consumer_secret: Annotated[
        str | None, typer.Option(envvar="BRIDGE_MAGENTO_CONSUMER_SECRET")
    ] = None,
    access_token: Annotated[str | None, typer.Option(envvar="BRIDGE_MAGENTO_ACCESS_TOKEN")] = None,
    access_token_secret: Annotated[
        str | None, typer.Option(envvar="BRIDGE_MAGENTO_ACCESS_TOKEN_SECRET")
    ] = None,
    odoo_url: Annotated[str, typer.Option(prompt="Odoo URL", callback=url_value)] = "",
    odoo_db: Annotated[str, typer.Option(prompt="Odoo database")] = "",
    odoo_login: Annotated[str, typer.Option(prompt="Odoo login")] = "",
    odoo_key: Annotated[
        str,
        typer.Option(prompt="Odoo password or API key", hide_input=True, envvar="BRIDGE_ODOO_KEY"),
    ] = "",
    odoo_protocol: Annotated[OdooProtocol, typer.Option()] = OdooProtocol.AUTO,
    order_states: Annotated[
        str | None, typer.Option(help="Magento order states to import, comma-separated.")
    ] = None,
    payment_term_id: Annotated[
        int | None, typer.Option(help="Odoo payment term id for imported orders.")
    ] = None,
    auto_confirm: Annotated[bool, typer.Option(help="Confirm imported orders.")] = True,
    inventory_sync: Annotated[bool, typer.Option()] = True,
    inventory_auto_apply: Annotated[bool, typer.Option()] = False,
    shipment_sync: Annotated[bool, typer.Option()] = True,
    invoice_sync: Annotated[bool, typer.Option()] = True,
    refund_sync: Annotated[bool, typer.Option()] = True,
    cancel_credit_memo: Annotated[bool, typer.Option()] = True,
    log_retention: Annotated[str, typer.Option(help="30, 60 or never (days).")] = "30",
) -> None:
    """Register a connection; secrets are stored encrypted. Prompts for what is missing
    (secrets without echo); each secret also reads its BRIDGE_* environment variable."""
    ready_db()
    method = MagentoAuthMethod(magento_auth)
    if method is MagentoAuthMethod.TOKEN and not magento_token:
        magento_token = typer.prompt("Magento integration token", hide_input=True)
    if method is MagentoAuthMethod.ADMIN:
        magento_user = magento_user or typer.prompt("Magento admin user")
        magento_password = magento_password or typer.prompt("Magento password", hide_input=True)
    if method is MagentoAuthMethod.OAUTH1:
        consumer_key = consumer_key or typer.prompt("Magento consumer key")
        consumer_secret = consumer_secret or typer.prompt(
            "Magento consumer secret", hide_input=True
        )
        access_token = access_token or typer.prompt("Magento access token", hide_input=True)
        access_token_secret = access_token_secret or typer.prompt(
            "Magento access token secret", hide_input=True
        )
    settings: dict[str, Any] = {
        "payment_term_id": payment_term_id,
        "auto_confirm_orders": auto_confirm,
        "inventory_sync": inventory_sync,
        "inventory_auto_apply": inventory_auto_apply,
        "shipment_sync": shipment_sync,
        "invoice_sync": invoice_sync,
        "refund_sync": refund_sync,
        "cancel_credit_memo": cancel_credit_memo,
        "log_retention_days": _retention(log_retention),
    }
    if order_states:
        settings["order_states"] = [s.strip() for s in order_states.split(",") if s.strip()]
    try:
        credentials = MagentoAuth(
            method=method,
            token=magento_token,
            username=magento_user,
            password=magento_password,
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            access_token=access_token,
            access_token_secret=access_token_secret,
        )
    except ValueError as exc:
        fail(str(exc))
    new = NewConnection(
        name=name,
        magento_url=magento_url,
        store_code=store_code,
        magento=credentials,
        odoo_url=odoo_url,
        odoo_db=odoo_db,
        odoo_login=odoo_login,
        odoo_secret=odoo_key,
        odoo_protocol=OdooProtocol(odoo_protocol),
        settings=settings,
    )
    try:
        with session_scope() as session:
            conn = add_connection(session, new)
            conn_id = conn.id
    except ValueError as exc:
        fail(str(exc))
    console.print(f"[green]✓[/green] connection {name!r} added (id {conn_id})")


def _retention(value: str) -> int | None:
    if value.strip().lower() in ("never", "none", "0"):
        return None
    try:
        days = int(value)
    except ValueError:
        days = -1
    if days not in RETENTION_CHOICES:
        fail(f"log retention must be 30, 60 or never, not {value!r}")
    return days


@app.command("list")
def list_() -> None:
    """List the connections."""
    ready_db()
    table = Table()
    for col in ("name", "Magento", "store", "auth", "Odoo", "database", "login"):
        table.add_column(col)
    with session_scope() as session:
        for conn in session.scalars(select(Connection).order_by(Connection.name)):
            table.add_row(
                conn.name,
                conn.channel.magento_url,
                conn.store_code,
                str(conn.channel.auth_method),
                conn.odoo_url,
                conn.odoo_db,
                conn.odoo_login,
            )
    console.print(table)


@app.command("show")
def show(connection: Name) -> None:
    """Show one connection and its settings (secrets are never shown)."""
    ready_db()
    with session_scope() as session:
        try:
            conn = get_connection(session, connection)
        except ConnectionNotFound as exc:
            fail(str(exc))
        console.print(
            f"[bold]{conn.name}[/bold]  Magento {conn.channel.magento_url} "
            f"(store {conn.store_code}, auth {conn.channel.auth_method})  "
            f"Odoo {conn.odoo_url} db {conn.odoo_db} as {conn.odoo_login}"
        )
        for key, value in conn.settings_view().items():
            console.print(f"  {key}: {value}")


@app.command("test")
def test(
    connection: Name,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds to wait for a worker.")] = 120.0,
) -> None:
    """Check both sides through a worker; one line naming the cause on failure."""
    entry = run_job(CHECK_JOB, connection, timeout)
    result = entry.result or {}
    mag, odoo = result.get("magento", {}), result.get("odoo", {})
    console.print(
        f"[green]✓[/green] Magento {mag.get('url')} answers (auth {mag.get('auth')}, "
        f"stores {', '.join(str(c) for c in mag.get('store_codes', []))}); "
        f"Odoo {odoo.get('server_version', '?')} database {odoo.get('db', '?')} "
        f"accepts {odoo.get('login', '?')} "
        f"(uid {odoo.get('uid', '?')}, via {odoo.get('protocol', '?')})"
    )


app.command("webhook")(webhook.webhook)


@app.command("set")
def set_(
    connection: Name,
    order_states: Annotated[
        str | None, typer.Option(help="Magento order states to import, comma-separated.")
    ] = None,
    payment_term_id: Annotated[
        int | None, typer.Option(help="Odoo payment term id for imported orders (0: none).")
    ] = None,
    auto_confirm: Annotated[bool | None, typer.Option(help="Confirm imported orders.")] = None,
    inventory_sync: Annotated[bool | None, typer.Option()] = None,
    inventory_auto_apply: Annotated[bool | None, typer.Option()] = None,
    shipment_sync: Annotated[bool | None, typer.Option()] = None,
    invoice_sync: Annotated[bool | None, typer.Option()] = None,
    refund_sync: Annotated[bool | None, typer.Option()] = None,
    cancel_credit_memo: Annotated[bool | None, typer.Option()] = None,
    log_retention: Annotated[str | None, typer.Option(help="30, 60 or never (days).")] = None,
    odoo_parallel_pages: Annotated[
        int | None,
        typer.Option(help="Order pages at once against this Odoo, across workers (0: no limit)."),
    ] = None,
    magento_rps: Annotated[
        float | None, typer.Option(help="Magento requests per second, across workers (0: none).")
    ] = None,
) -> None:
    """Change a connection's settings; what is not given stays as it is."""
    ready_db()
    changes: dict[str, Any] = {
        "auto_confirm_orders": auto_confirm,
        "inventory_sync": inventory_sync,
        "inventory_auto_apply": inventory_auto_apply,
        "shipment_sync": shipment_sync,
        "invoice_sync": invoice_sync,
        "refund_sync": refund_sync,
        "cancel_credit_memo": cancel_credit_memo,
        "odoo_parallel_pages": odoo_parallel_pages,
        "magento_rps": magento_rps,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    if any(v < 0 for v in (odoo_parallel_pages or 0, magento_rps or 0)):
        fail("--odoo-parallel-pages and --magento-rps take 0 (no limit) or more")
    if order_states is not None:
        changes["order_states"] = [s.strip() for s in order_states.split(",") if s.strip()]
    if payment_term_id is not None:
        changes["payment_term_id"] = payment_term_id or None
    with session_scope() as session:
        try:
            conn = get_connection(session, connection)
        except ConnectionNotFound as exc:
            fail(str(exc))
        for key, value in changes.items():
            setattr(conn, key, value)
        if log_retention is not None:
            conn.log_retention_days = _retention(log_retention)
        shown = conn.settings_view()
    for key, value in shown.items():
        console.print(f"  {key}: {value}")
