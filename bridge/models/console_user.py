"""ConsoleUser: a person who may log in to the operator console (`bridge user add`).

Two roles: a `viewer` reads every page; an `operator` may also retry logs, requeue
stuck ones, run drift reports and repair them. Only the password's hash is stored
(werkzeug's scrypt, salted); a disabled user's sessions stop working on the next
request, because every request loads the user afresh.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, Timestamps, str_enum


class Role(enum.StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"


class ConsoleUser(Timestamps, Base):
    __tablename__ = "console_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, 16), default=Role.VIEWER)
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<ConsoleUser {self.name} {self.role}>"
