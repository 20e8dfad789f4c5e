"""What every CLI command shares: the console, a migrated database, clean failures."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from bridge import first_run
from bridge.crypto import SecretError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """One line on stderr naming the cause, a non-zero exit, no traceback."""
    err_console.print(f"[red]✗[/red] {message}", soft_wrap=True)
    raise typer.Exit(code)


def ready_db() -> None:
    """The data dir, the schema at the latest migration and the key (`bridge.first_run`)."""
    try:
        first_run.prepare()
    except SecretError as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - any DB failure is reported as one line
        fail(f"the state database cannot be opened or migrated: {exc}")
