"""Console users: add, change, check a password. State only; the CLI and the console call it.

Passwords are hashed with werkzeug's scrypt (salted, memory-hard), the library Bridge
already serves HTTP with; the plain password never reaches the database or a log.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from bridge.models import ConsoleUser, Role, utcnow

#: Shorter passwords are refused: the console may face the network.
MIN_PASSWORD = 10
#: A hash to check against when the user does not exist, so both answers take as long.
_DUMMY_HASH = generate_password_hash("not a password of anyone", method="scrypt")


class UserError(ValueError):
    """A user that cannot be added or changed, with the reason."""


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")


def add_user(session: Session, name: str, password: str, role: Role) -> ConsoleUser:
    name = name.strip()
    if not name or len(name) > 100:
        raise UserError("a user name has 1 to 100 characters")
    if find_user(session, name) is not None:
        raise UserError(f"a user named {name!r} exists (bridge user passwd changes a password)")
    _check_password(password)
    user = ConsoleUser(
        name=name, password_hash=generate_password_hash(password, method="scrypt"), role=role
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, name: str) -> ConsoleUser | None:
    return session.scalars(select(ConsoleUser).where(ConsoleUser.name == name)).first()


def set_password(session: Session, name: str, password: str) -> ConsoleUser:
    user = find_user(session, name)
    if user is None:
        raise UserError(f"no user named {name!r}")
    _check_password(password)
    user.password_hash = generate_password_hash(password, method="scrypt")
    return user


def authenticate(session: Session, name: str, password: str) -> ConsoleUser | None:
    """The active user with this name and password, else None (same work either way)."""
    user = find_user(session, name)
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    return user
