"""The exceptions the sandbox raises, named exactly as real Odoo's.

The wire layer (`app.py`) only needs `odoo_name` (what JSON-RPC and JSON-2 put in
`data.name` / `name`), the XML-RPC fault code and, for JSON-2, the HTTP status;
keeping them on the class lets every model module raise plain Python errors.
"""

from __future__ import annotations


class OdooError(Exception):
    """Anything the sandbox answers with an error; application error by default."""

    odoo_name = "builtins.Exception"
    #: /xmlrpc/2 fault code: 1 application error (traceback text), 2 UserError family,
    #: 3 AccessDenied, 4 AccessError.
    fault_code = 1
    #: HTTP status for JSON-2 (Odoo 19).
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def arguments(self) -> list[object]:
        """`data.arguments` over JSON-RPC: the exception's args."""
        return [self.message]

    @property
    def fault_text(self) -> str:
        """The XML-RPC faultString of a fault with a code other than 1: str(exception)."""
        return self.message


class RedirectWarning(OdooError):
    """A warning with a way out (an action), raised by some @api.ondelete checks."""

    odoo_name = "odoo.exceptions.RedirectWarning"
    fault_code = 2
    http_status = 422

    def __init__(
        self, message: str, action: dict[str, object], button: str, context: object = None
    ) -> None:
        super().__init__(message)
        self.args = (message, action, button, context)
        #: JSON-RPC's message is exception_to_unicode: the args joined by newlines.
        self.message = "\n".join(str(a) for a in self.args)

    @property
    def arguments(self) -> list[object]:
        return list(self.args)

    @property
    def fault_text(self) -> str:
        return str(self.args)


class UserError(OdooError):
    odoo_name = "odoo.exceptions.UserError"
    fault_code = 2
    http_status = 422


class ValidationError(UserError):
    odoo_name = "odoo.exceptions.ValidationError"


class MissingError(UserError):
    odoo_name = "odoo.exceptions.MissingError"
    http_status = 404


class AccessError(UserError):
    odoo_name = "odoo.exceptions.AccessError"
    fault_code = 4
    http_status = 403


class AccessDenied(UserError):
    odoo_name = "odoo.exceptions.AccessDenied"
    fault_code = 3
    http_status = 401

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class SerializationFailure(OdooError):
    """What Odoo gives up with after retrying a concurrent update several times."""

    odoo_name = "psycopg2.errors.SerializationFailure"

    def __init__(
        self, message: str = "could not serialize access due to concurrent update"
    ) -> None:
        super().__init__(message)


class OperationalError(OdooError):
    """psycopg2's error for, among others, a database that does not exist."""

    odoo_name = "psycopg2.OperationalError"


class PythonError(OdooError):
    """A plain Python exception raised inside Odoo's own code, which the RPC layer names
    `builtins.<Type>` (an unpacking ValueError, an AssertionError, an IndexError...)."""

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(message)
        self.odoo_name = f"builtins.{type_name}"


class WrongValue(PythonError):
    """Odoo's conversion errors (bad selection value, bad field name) are plain ValueErrors."""

    def __init__(self, message: str) -> None:
        super().__init__("ValueError", message)


class WrongArguments(PythonError):
    def __init__(self, message: str) -> None:
        super().__init__("TypeError", message)


def python_error(type_name: str, message: str) -> PythonError:
    """The sandbox exception for a Python `type_name` raised inside Odoo."""
    if type_name == "ValueError":
        return WrongValue(message)
    if type_name == "TypeError":
        return WrongArguments(message)
    return PythonError(type_name, message)


class DatabaseError(OdooError):
    """What PostgreSQL refuses (psycopg2.errors.<Name>); real messages go on with the SQL
    text around the fault (`LINE 1: ...`), which the sandbox has no query to show."""

    def __init__(self, pg_name: str, message: str) -> None:
        super().__init__(message + "\n")
        self.odoo_name = f"psycopg2.errors.{pg_name}"


def bad_text(pg_type: str, value: object) -> DatabaseError:
    """PostgreSQL's refusal of a value that does not parse as `pg_type`."""
    name = (
        "InvalidDatetimeFormat" if pg_type in ("date", "timestamp") else "InvalidTextRepresentation"
    )
    return DatabaseError(name, f'invalid input syntax for type {pg_type}: "{value}"')
