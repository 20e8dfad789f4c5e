"""Login, logout, and who may do what: viewers read, operators also act."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from bridge.db import session_scope
from bridge.models import ConsoleUser, Role
from bridge.sync import users

bp = Blueprint("auth", __name__)


class User(UserMixin):
    """What a request knows of its user: loaded afresh each request (a disabled user is out)."""

    def __init__(self, row: ConsoleUser) -> None:
        self.id = str(row.id)
        self.name = row.name
        self.role = Role(row.role)


def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    with session_scope() as s:
        row = s.get(ConsoleUser, int(user_id))
        return User(row) if row is not None and row.active else None


def can_act() -> bool:
    return bool(current_user.is_authenticated and current_user.role is Role.OPERATOR)


def operator_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Actions (retry, requeue, drift runs and repairs): operators only, 403 otherwise."""

    @wraps(view)
    @login_required
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not can_act():
            abort(403, "your role is read-only: an operator may do this")
        return view(*args, **kwargs)

    return guarded


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never send a fresh login to another host."""
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("health.page")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "POST":
        name = request.form.get("name", "")
        password = request.form.get("password", "")
        with session_scope() as s:
            row = users.authenticate(s, name, password)
            user = User(row) if row is not None else None
        if user is None:
            flash("Wrong user name or password.", "error")
            return render_template("login.html", name=name), 401
        session.clear()  # no session fixation: a fresh session for the logged-in user
        session.permanent = True
        login_user(user)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", name="")


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
