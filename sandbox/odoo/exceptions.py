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


class WrongValue(OdooError):
    """Odoo's conversion errors (bad selection value, bad field name) are plain ValueErrors."""

    odoo_name = "builtins.ValueError"


class WrongArguments(OdooError):
    odoo_name = "builtins.TypeError"
