"""`bridge connection webhook -c NAME`: choose who signs Magento's events, say what to enter.

Sources (docs/architecture.md §3.7): `io_events` (Adobe I/O Events: the Developer
Console project's client id, optionally its journal with OAuth server-to-server
credentials), `commerce_webhooks` (Adobe Commerce Webhooks: the public key from the
Magento admin), `bridge` (Bridge's own HMAC, for custom senders). Without `--source` it
shows the connection's current one. The client secret is read from
`BRIDGE_IO_CLIENT_SECRET` or asked for (`--client-secret-prompt`), never an argument.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from bridge.cli.common import console, fail, ready_db
from bridge.db import session_scope
from bridge.models import EventSource
from bridge.sync.connections import ConnectionNotFound, get_connection, webhook_secret
from bridge.sync.event_source import EventSettings, set_event_source

SECRET_ENV = "BRIDGE_IO_CLIENT_SECRET"


def _public_key(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        pem = path.read_text()
    except OSError as exc:
        fail(f"cannot read the public key file {path}: {exc.strerror}")
    from bridge.events.adobe import load_public_key

    try:
        load_public_key(pem)
    except ValueError as exc:
        fail(f"{path}: {exc}")
    return pem


def webhook(
    connection: Annotated[str, typer.Option("--connection", "-c", help="Connection name.")],
    source: Annotated[
        EventSource | None,
        typer.Option(help="io_events, commerce_webhooks or bridge; omitted: keep the current."),
    ] = None,
    url: Annotated[
        str, typer.Option(help="The public base URL `bridge serve` is reached at.")
    ] = "https://<bridge serve URL>",
    client_id: Annotated[
        str | None, typer.Option(help="I/O Events: the project's client id (API key).")
    ] = None,
    journal_url: Annotated[
        str | None, typer.Option(help="I/O Events: the registration's journaling endpoint.")
    ] = None,
    client_secret_prompt: Annotated[
        bool, typer.Option(help=f"Ask for the client secret (else ${SECRET_ENV}).")
    ] = False,
    keys_url: Annotated[
        str | None, typer.Option(help="I/O Events: where public keys are served (tests).")
    ] = None,
    ims_url: Annotated[str | None, typer.Option(help="I/O Events: the IMS host (tests).")] = None,
    public_key_file: Annotated[
        Path | None, typer.Option(help="Commerce Webhooks: the public key from the admin.")
    ] = None,
    rotate: Annotated[bool, typer.Option("--rotate", help="bridge: make a new secret.")] = False,
) -> None:
    """Show (or set) where Magento sends events for this connection and how they are signed."""
    ready_db()
    secret = os.environ.get(SECRET_ENV) or None
    if client_secret_prompt:
        secret = typer.prompt("Client secret", hide_input=True)
    pem = _public_key(public_key_file)
    for option, value in (("--journal-url", journal_url), ("--keys-url", keys_url),
                          ("--ims-url", ims_url)):  # fmt: skip
        if value and not value.startswith(("https://", "http://")):
            fail(f"{option} must be an http(s) URL, not {value!r}")
    with session_scope() as session:
        try:
            conn = get_connection(session, connection)
            if source is not None:
                conn = set_event_source(
                    session,
                    connection,
                    source,
                    client_secret=secret,
                    client_id=client_id,
                    journal_url=journal_url,
                    keys_url=keys_url,
                    ims_url=ims_url,
                    public_key=pem,
                )
            chosen, settings = EventSource(conn.event_source), EventSettings.of(conn)
            # Checked before the session commits: a half-set source would refuse every event.
            if chosen is EventSource.IO_EVENTS and not settings.client_id:
                fail("io_events needs the project's client id: --client-id")
            if chosen is EventSource.COMMERCE_WEBHOOKS and not settings.public_key:
                fail("commerce_webhooks needs the store's public key: --public-key-file")
            hmac_secret = (
                webhook_secret(session, connection, rotate=rotate)
                if chosen is EventSource.BRIDGE
                else None
            )
            has_secret = conn.event_secret_enc is not None
        except ConnectionNotFound as exc:
            fail(str(exc))
    endpoint = f"{url.rstrip('/')}/events/magento/{connection}"
    if chosen is EventSource.IO_EVENTS:
        _print_io_events(endpoint, settings, has_secret)
    elif chosen is EventSource.COMMERCE_WEBHOOKS:
        _print_commerce(endpoint)
    else:
        console.print(f"POST {endpoint}")
        console.print(
            "Header X-Bridge-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, t + '.' + body)>"
        )
        console.print(f"secret: {hmac_secret}")


def _print_io_events(endpoint: str, settings: EventSettings, has_secret: bool) -> None:
    console.print("Source: Adobe I/O Events (RSA signatures checked with Adobe's public keys)")
    console.print("Adobe Developer Console > your project > Add event registration:")
    console.print("  Event provider: your Commerce instance; events: sales_order_save_after,")
    console.print("    customer_save_after, catalog_product_save_after / delete_after,")
    console.print("    and the source items plugin event, with their fields")
    console.print(f"  Webhook URL: {endpoint}")
    console.print("  Delivery: webhook, or batch delivery (both are accepted)")
    console.print(f"  Client id (recipient_client_id) expected: {settings.client_id}")
    console.print(f"  Public keys from: {settings.keys_url}")
    if settings.journal_url:
        state = "set" if has_secret else f"missing: set ${SECRET_ENV} and run again"
        console.print(f"Journal: {settings.journal_url} (beat job pull_journal, every 60 s)")
        console.print(f"  OAuth server-to-server client secret: {state}")
    else:
        console.print("Journal: not set (--journal-url: the registration's journaling endpoint,")
        console.print(f"  with the client secret in ${SECRET_ENV}) - events missed while")
        console.print("  `bridge serve` was down then arrive only with the next scheduled pull")


def _print_commerce(endpoint: str) -> None:
    console.print("Source: Adobe Commerce Webhooks (signature checked with the store's key)")
    console.print("Magento admin > Stores > Settings > Configuration > Adobe Services > Webhooks:")
    console.print("  signature verification enabled; the public key is the one saved here")
    console.print("Subscribe (webhook_type after, one hook each):")
    for method in (
        "observer.sales_order_save_after",
        "observer.customer_save_after",
        "observer.catalog_product_save_after",
        "observer.catalog_product_delete_after",
        "plugin.magento.inventory_api.api.source_items_save.execute",
    ):
        console.print(f"  {method} -> {endpoint}")
    console.print('Bridge answers {"op": "success"}; a refused signature is 401.')
