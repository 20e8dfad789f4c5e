"""`bridge import customers|orders`: a pull through the queue, a progress bar, a summary."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from bridge.cli.common import console, fail
from bridge.cli.inputs import since_value
from bridge.cli.jobs import run_job
from bridge.db import session_scope
from bridge.models import SyncLog
from bridge.sync.logbook import UNFINISHED
from tasks.dispatch import pull_job

Name = Annotated[str, typer.Option("--connection", "-c", help="Connection name.")]
Since = Annotated[
    str | None,
    typer.Option(
        help="Re-read records changed since 'YYYY-MM-DD[ HH:MM:SS]' (UTC).", callback=since_value
    ),
]
Timeout = Annotated[float, typer.Option(min=1, help="Seconds to wait for the workers.")]
Skus = Annotated[list[str] | None, typer.Option("--sku", help="Only this SKU (repeatable).")]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Print what would change on each side; change nothing.")
]
Direction = Annotated[
    str, typer.Option(help="both, to-magento (Odoo's changes) or to-odoo (Magento's changes).")
]
DIRECTIONS = ("both", "to-magento", "to-odoo")


def two_way_options(direction: str, since: str | None) -> str | None:
    """Check `--direction`; `--since` is already a Magento timestamp (`since_value`)."""
    if direction not in DIRECTIONS:
        fail(f"--direction must be one of {', '.join(DIRECTIONS)}")
    return since


def run_pull(
    kind: str, connection: str, since: str | None, keys: list[str], timeout: float
) -> None:
    """Pull, then follow the page logs the pull queued until every one has finished;
    exit 1 when a page or a record in one failed (a cron job must notice)."""
    pull = run_job(pull_job(kind, since, keys or None), connection, timeout)
    page_ids: list[int] = (pull.result or {}).get("page_logs", [])
    records = (pull.result or {}).get("records", 0)
    console.print(f"{records} {kind} read from Magento in {len(page_ids)} page(s)")
    pages = follow(page_ids, timeout, "pages")
    # A page that failed as a whole went on in smaller pages: follow those instead.
    while split := [i for p in pages for i in (p.result or {}).get("split_into", [])]:
        kept = [p for p in pages if not (p.result or {}).get("split_into")]
        pages = kept + follow(split, timeout, "smaller pages")
    totals: dict[str, int] = {}
    reasons: dict[str, str] = {}
    for page in pages:
        for key, value in (page.result or {}).items():
            if isinstance(value, int):
                totals[key] = totals.get(key, 0) + value
        reasons.update((page.result or {}).get("reasons", {}))
    failed_pages = [p for p in pages if str(p.state) == "failed"]
    summary = ", ".join(f"{v} {k}" for k, v in totals.items() if k != kind)
    console.print(f"[bold]{kind}[/bold]: {summary or 'nothing to do'}")
    for key, reason in sorted(reasons.items()):
        console.print(f"  [red]✗[/red] {key}: {reason}")
    for page in failed_pages:
        console.print(f"  [red]✗[/red] page log {page.id}: {page.reason}")
    if totals.get("failed") and not reasons:
        console.print("  `bridge logs list --state failed` shows the failed records and why")
    if failed_pages or reasons or totals.get("failed"):
        raise typer.Exit(1)


def follow(page_ids: list[int], timeout: float, label: str) -> list[SyncLog]:
    """Wait, with a progress bar, until every one of these logs has finished."""
    deadline = time.monotonic() + timeout
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        bar = progress.add_task(label, total=len(page_ids))
        while True:
            done = _finished(page_ids)
            progress.update(bar, completed=len(done))
            if len(done) == len(page_ids):
                return done
            if time.monotonic() > deadline:
                left = len(page_ids) - len(done)
                fail(
                    f"{left} page(s) not finished within {timeout:.0f}s; "
                    "`bridge logs list --state queued` shows where they are",
                    code=2,
                )
            time.sleep(0.3)


def _finished(page_ids: list[int]) -> list[SyncLog]:
    with session_scope() as session:
        logs = list(
            session.scalars(
                select(SyncLog).where(SyncLog.id.in_(page_ids), SyncLog.state.not_in(UNFINISHED))
            )
        )
        for log in logs:
            session.expunge(log)
        return logs


def customers(
    connection: Name,
    since: Since = None,
    customer_id: Annotated[list[str] | None, typer.Option("--customer-id")] = None,
    timeout: Timeout = 600.0,
) -> None:
    """Import customers changed since the last pull (or --since), or only --customer-id ..."""
    run_pull("customers", connection, since, customer_id or [], timeout)


def orders(
    connection: Name,
    since: Since = None,
    increment_id: Annotated[list[str] | None, typer.Option("--increment-id")] = None,
    timeout: Timeout = 600.0,
) -> None:
    """Import orders changed since the last pull (or --since), or only --increment-id ..."""
    run_pull("orders", connection, since, increment_id or [], timeout)
