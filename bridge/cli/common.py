"""What every CLI command shares: the console, a migrated database, clean failures."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from bridge import db

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """One line on stderr naming the cause, a non-zero exit, no traceback."""
    err_console.print(f"[red]✗[/red] {message}", soft_wrap=True)
    raise typer.Exit(code)


def ready_db() -> None:
    """Bring the schema to the latest migration (a no-op when it already is)."""
    try:
        db.upgrade()
    except Exception as exc:  # noqa: BLE001 - any DB failure is reported as one line
        fail(f"the state database cannot be opened or migrated: {exc}")
