"""`bridge user ...`: who may log in to the operator console, and with which role."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.table import Table

from bridge.cli.common import console, fail, ready_db
from bridge.db import session_scope
from bridge.models import ConsoleUser, Role
from bridge.sync import users

app = typer.Typer(help="Console users: viewers read, operators also retry and repair.")

#: The password can come from the environment (scripts, containers); else it is prompted.
PASSWORD_ENV = "BRIDGE_USER_PASSWORD"


def _password() -> str:
    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("add")
def add(
    name: str,
    role: Annotated[Role, typer.Option(help="viewer: read only; operator: may retry, repair")],
) -> None:
    """Add a user; the password is prompted (or read from BRIDGE_USER_PASSWORD)."""
    ready_db()
    password = _password()
    try:
        with session_scope() as session:
            users.add_user(session, name, password, role)
    except users.UserError as exc:
        fail(str(exc))
    console.print(f"[green]✓[/green] user {name} added ({role})")


@app.command("passwd")
def passwd(name: str) -> None:
    """Set a user's password (prompted, or BRIDGE_USER_PASSWORD)."""
    ready_db()
    password = _password()
    try:
        with session_scope() as session:
            users.set_password(session, name, password)
    except users.UserError as exc:
        fail(str(exc))
    console.print(f"[green]✓[/green] password of {name} changed")


@app.command("disable")
def disable(name: str) -> None:
    """Refuse a user's logins and end their sessions (the row stays, for the record)."""
    ready_db()
    with session_scope() as session:
        user = users.find_user(session, name)
        if user is None:
            fail(f"no user named {name!r}")
        user.active = False
    console.print(f"[green]✓[/green] user {name} disabled")


@app.command("list")
def list_() -> None:
    """Every console user, with role and last login."""
    ready_db()
    table = Table(title_justify="left")
    for col in ("name", "role", "active", "last login"):
        table.add_column(col)
    with session_scope() as session:
        for user in session.query(ConsoleUser).order_by(ConsoleUser.name):
            last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "—"
            table.add_row(user.name, str(user.role), "yes" if user.active else "no", last)
    console.print(table)
