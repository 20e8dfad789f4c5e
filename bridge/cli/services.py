"""Long-running services: worker, beat, Flower, the sandboxes; and database migrations."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from bridge import db
from bridge.cli.common import console, fail, ready_db
from celeryconfig import QUEUES

sandbox_app = typer.Typer(help="Run a sandbox (Magento REST or Odoo RPC) on 127.0.0.1.")
db_app = typer.Typer(help="The state database's schema.")


def worker(
    queues: Annotated[
        str, typer.Option("--queues", "-Q", help="Comma-separated queues.")
    ] = ",".join(QUEUES),
    concurrency: Annotated[int, typer.Option("--concurrency", "-c", min=1)] = 2,
    loglevel: Annotated[str, typer.Option("--loglevel", "-l")] = "INFO",
) -> None:
    """Run a Celery worker (same as `celery -A workers.app worker`)."""
    ready_db()
    _celery(["worker", "-Q", queues, "-c", str(concurrency), "-l", loglevel])


def beat(loglevel: Annotated[str, typer.Option("--loglevel", "-l")] = "INFO") -> None:
    """Run beat: sends each connection's scheduled jobs; one instance at a time."""
    ready_db()
    _celery(["beat", "-l", loglevel])


#: Flower reads any option from a FLOWER_* variable too. Basic auth goes that way, never as
#: an argument: every user on the host sees every process's arguments in `ps`.
FLOWER_AUTH_ENV = "FLOWER_BASIC_AUTH"


def flower(
    port: Annotated[int, typer.Option(min=1, max=65535)] = 5555,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            help="Require this user; the password is asked for (not echoed). Or set "
            "FLOWER_BASIC_AUTH=user:password[,user:password] in the environment.",
        ),
    ] = None,
) -> None:
    """Run Flower to watch the workers (give it basic auth outside a laptop).

    The credentials reach Flower through its environment, not its command line.
    """
    env = dict(os.environ)
    if user is not None:
        if not user or ":" in user:
            fail("--user takes a user name; the password is asked for")
        password = typer.prompt(f"Password for {user}", hide_input=True, confirmation_prompt=True)
        env[FLOWER_AUTH_ENV] = f"{user}:{password}"
    auth = env.get(FLOWER_AUTH_ENV, "")
    pairs = [pair.partition(":") for pair in auth.split(",")] if auth else []
    if any(not name or not sep or not secret for name, sep, secret in pairs):
        fail(f"{FLOWER_AUTH_ENV} must be user:password, several separated by commas")
    if not pairs:
        console.print("[yellow]![/yellow] Flower without basic auth: keep it on this machine")
    _celery(["flower", f"--port={port}", "--address=127.0.0.1"], env)


def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Serve Magento's and Odoo's events, the operator console (/console) and /metrics.

    A threaded Werkzeug server; under heavy load run `bridge.console.app:wsgi()` in a
    WSGI server such as gunicorn instead.
    """
    from werkzeug.serving import run_simple

    from bridge.console.app import wsgi
    from bridge.crypto import SecretError
    from bridge.events.app import check_key

    ready_db()
    try:
        check_key()
    except SecretError as exc:
        fail(f"bridge serve cannot start: {exc}")
    base = f"http://{host}:{port}"
    console.print(f"Bridge events on {base}/events/magento/<connection>")
    console.print(f"Console on {base}/console/ (bridge user add NAME --role operator)")
    console.print(f"Metrics on {base}/metrics")
    run_simple(host, port, wsgi(), threaded=True, use_reloader=False)


def _celery(args: list[str], env: dict[str, str] | None = None) -> None:
    argv = [sys.executable, "-m", "celery", "-A", "workers.app", *args]
    os.execvpe(sys.executable, argv, os.environ if env is None else env)


@sandbox_app.command("magento")
def sandbox_magento(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8081,
    seed: Annotated[
        str,
        typer.Option(
            help="luma: the project's own store; recordings: real recorded answers "
            "(needs BRIDGE_MAGENTO_FIXTURES or ../shared/fixtures/magento)."
        ),
    ] = "luma",
) -> None:
    """Serve the Magento sandbox until stopped (Ctrl-C)."""
    from sandbox.magento import serve
    from sandbox.magento.seed import SEEDS
    from sandbox.magento.seed.recordings import RecordingsMissing

    if seed not in SEEDS:
        fail(f"unknown seed {seed!r}; choose one of {', '.join(SEEDS)}")
    console.print(f"Magento sandbox on http://127.0.0.1:{port} (Ctrl-C stops it)")
    try:
        serve(port, seed=seed)
    except RecordingsMissing as exc:
        fail(str(exc))


@sandbox_app.command("odoo")
def sandbox_odoo(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8069,
    version: Annotated[str, typer.Option(help="Odoo version to speak: 16.0-19.0.")] = "18.0",
    login_cost: Annotated[
        float | None,
        typer.Option(
            help="Seconds one password check costs, as a real Odoo 18 hashing it "
            "(default: $BRIDGE_SANDBOX_ODOO_LOGIN_COST, else 0.9)."
        ),
    ] = None,
) -> None:
    """Serve the Odoo sandbox until stopped (Ctrl-C)."""
    from sandbox.odoo import serve

    console.print(f"Odoo {version} sandbox on http://127.0.0.1:{port} (Ctrl-C stops it)")
    serve(port, version=version, login_cost=login_cost)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION."""
    try:
        db.upgrade(revision=revision)
    except Exception as exc:  # noqa: BLE001 - report as one line
        fail(f"migration failed: {exc}")
    console.print(f"[green]✓[/green] database at {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' empties the database)."""
    try:
        db.downgrade(revision=revision)
    except Exception as exc:  # noqa: BLE001 - report as one line
        fail(f"migration failed: {exc}")
    console.print(f"[green]✓[/green] database at {revision}")
