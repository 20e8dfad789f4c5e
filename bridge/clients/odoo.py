"""Odoo's external API as one client, whichever wire protocol the server speaks.

`protocol="auto"` asks the server its version (common.version over JSON-RPC)
and picks JSON-2 on Odoo 19 and later, JSON-RPC before. The version and the login
(uid) are kept for the whole process (`bridge.clients.logins`): a real Odoo spends
~0.9 s hashing the password on each `authenticate`, so clients built per task reuse one
login per set of credentials, and log in again once when Odoo refuses it. Every call is one
round trip (~22-25 ms on a real Odoo 18), so callers batch: `create` takes a
list, `search_read` takes a domain and the fields wanted.

A transient fault (5xx, 429, timeout, dropped connection, serialization failure) is
tried again inside the call when the call is safe to repeat: reads, the version and the
login, and `write`s of fixed values; `bridge.clients.retries` says which and why.
`create`, `unlink` and business methods (action_confirm, action_post, ...) are sent once:
a timeout on one raises `OutcomeUnknownError`. `call(..., idempotent=True)` overrides.

Only the errors of `bridge.clients.errors` leave this module. The secret
(password or API key) is never part of a message, repr or log line.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Literal

import requests

from bridge.clients import observe
from bridge.clients.errors import AuthenticationError, ClientError, PermanentError
from bridge.clients.logins import ODOO_UIDS, ODOO_VERSIONS, login_key
from bridge.clients.odoo_transports import TRANSPORTS, Transport
from bridge.clients.retries import RetryPolicy, odoo_idempotent

Protocol = Literal["auto", "jsonrpc", "xmlrpc", "json2"]
#: Methods that only read: they get the short timeout, everything else the business one.
CHEAP_METHODS = frozenset(
    {"read", "search", "search_read", "search_count", "fields_get", "name_search",
     "read_group", "context_get", "check_access_rights", "has_group"}
)  # fmt: skip
log = logging.getLogger(__name__)


class OdooClient:
    """CRUD and workflow calls on Odoo models, with Bridge's error taxonomy."""

    def __init__(
        self,
        url: str,
        db: str,
        login: str,
        secret: str,
        protocol: Protocol = "auto",
        timeout: float = 30.0,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        business_timeout: float | None = None,
    ) -> None:
        """`timeout`: seconds for cheap calls (reads, searches, logins); `business_timeout`
        for the others (create, write, workflow methods), which cost a real Odoo seconds
        per record (default: `timeout`)."""
        if protocol not in ("auto", *TRANSPORTS):
            raise ValueError(f"unknown Odoo protocol {protocol!r}")
        self.url = url.rstrip("/")
        self.db = db
        self.login = login
        self._secret = secret
        self._requested: Protocol = protocol
        self.timeout = timeout
        self.business_timeout = business_timeout or timeout
        self.session = session or requests.Session()
        #: How a transient fault is tried again (default: BRIDGE_HTTP_RETRY_*).
        self.retry = retry or RetryPolicy.from_settings()
        #: Model calls sent (execute_kw or JSON-2); benchmarks read it.
        self.calls_made = 0
        self._transport: Transport | None = None
        self._uid: int | None = None
        self._version: dict[str, Any] | None = ODOO_VERSIONS.get(self.url)
        #: This process's login for these credentials (bridge.clients.logins).
        self._login_key = login_key(self.url, db, login, secret)

    def __repr__(self) -> str:
        return (
            f"OdooClient(url={self.url!r}, db={self.db!r}, login={self.login!r}, "
            f"protocol={self._requested!r})"
        )

    def _make(self, name: str) -> Transport:
        cls = TRANSPORTS[name]
        return cls(self.url, self.db, self.login, self._secret, self.timeout, self.session)

    @property
    def protocol(self) -> str:
        """The protocol in use; "auto" is resolved by asking the server its version."""
        return self.transport.name

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            if self._requested == "auto":
                if self._version is None:
                    self._version = self._reading(self._make("jsonrpc").version, "version")
                    ODOO_VERSIONS.put(self.url, self._version)
                major = _major(self._version)
                self._transport = self._make("json2" if major >= 19 else "jsonrpc")
                log.debug("Odoo %s at %s: using %s", major, self.url, self._transport.name)
            else:
                self._transport = self._make(self._requested)
        return self._transport

    # -- session ------------------------------------------------------------------------------

    def version(self) -> dict[str, Any]:
        """server_version and server_version_info, as common.version answers them."""
        if self._version is None:
            self._version = self._reading(self.transport.version, "version")
        return self._version

    def major_version(self) -> int:
        """The server's major version (16, 17, 18, ...): fields differ between them."""
        return _major(self.version())

    def authenticate(self) -> int:
        """Log in (always asks Odoo); the user id. Refused credentials raise
        AuthenticationError. Model calls reuse this process's login instead."""
        uid = self._reading(self.transport.authenticate, "authenticate")
        if not uid:
            raise AuthenticationError(
                f"Odoo at {self.url} refused login {self.login!r} on database {self.db!r}: "
                "check the login and password or API key"
            )
        self._uid = uid
        ODOO_UIDS.put(self._login_key, uid)
        return uid

    def check(self) -> dict[str, Any]:
        """Version and login in one go, for `bridge connection test`."""
        version = self.version()
        uid = self.authenticate()
        return {
            "url": self.url,
            "db": self.db,
            "login": self.login,
            "uid": uid,
            "protocol": self.protocol,
            "server_version": version.get("server_version"),
            "server_version_info": version.get("server_version_info"),
        }

    # -- model calls --------------------------------------------------------------------------

    def search_read(
        self,
        model: str,
        domain: list[Any],
        fields: list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        order: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        kw = _named(domain=domain, fields=fields, limit=limit, offset=offset or None, order=order)
        return list(self._execute(model, "search_read", None, [], kw, context) or [])

    def search(
        self,
        model: str,
        domain: list[Any],
        limit: int | None = None,
        offset: int = 0,
        order: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> list[int]:
        kw = _named(domain=domain, limit=limit, offset=offset or None, order=order)
        return list(self._execute(model, "search", None, [], kw, context) or [])

    def search_count(
        self, model: str, domain: list[Any], context: dict[str, Any] | None = None
    ) -> int:
        return int(self._execute(model, "search_count", None, [], {"domain": domain}, context))

    def read(
        self,
        model: str,
        ids: list[int],
        fields: list[str] | None = None,
        context: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Deleted ids are left out of the answer (Odoo 18 does not raise for them)."""
        result = self._execute(model, "read", list(ids), [], _named(fields=fields), context)
        return list(result or [])

    def create(
        self, model: str, vals_list: list[dict[str, Any]], context: dict[str, Any] | None = None
    ) -> list[int]:
        """One call for the whole list; the new ids in the same order."""
        if not vals_list:
            return []
        result = self._execute(model, "create", None, [list(vals_list)], {}, context)
        return [result] if isinstance(result, int) else list(result)

    def write(
        self,
        model: str,
        ids: list[int],
        vals: dict[str, Any],
        context: dict[str, Any] | None = None,
    ) -> bool:
        return bool(self._execute(model, "write", list(ids), [vals], {}, context))

    def unlink(self, model: str, ids: list[int], context: dict[str, Any] | None = None) -> bool:
        return bool(self._execute(model, "unlink", list(ids), [], {}, context))

    def call(
        self,
        model: str,
        method: str,
        ids: list[int],
        *args: Any,
        context: dict[str, Any] | None = None,
        idempotent: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        """A public method on records (action_confirm, button_validate, action_post, ...).

        May return None: JSON-RPC then leaves `result` out, and XML-RPC answers a
        "cannot marshal None" fault after the call committed; both come back as None.
        Sent once unless it only reads (`odoo_idempotent`) or `idempotent=True` says a
        repeat is harmless.
        """
        return self._execute(model, method, list(ids), list(args), kwargs, context, idempotent)

    # -- plumbing -----------------------------------------------------------------------------

    def _execute(
        self,
        model: str,
        method: str,
        ids: list[int] | None,
        args: list[Any],
        kwargs: dict[str, Any],
        context: dict[str, Any] | None,
        idempotent: bool | None = None,
    ) -> Any:
        safe = odoo_idempotent(method, args, kwargs) if idempotent is None else idempotent
        if context:
            kwargs = {**kwargs, "context": context}
        return self.retry.run(
            lambda: self._attempt(model, method, ids, args, kwargs),
            idempotent=safe,
            what=f"Odoo {model}.{method}",
        )

    def _attempt(
        self,
        model: str,
        method: str,
        ids: list[int] | None,
        args: list[Any],
        kwargs: dict[str, Any],
    ) -> Any:
        """One try of a model call (after the version and the login, which retry on their
        own), seen by the observers whatever its outcome."""
        transport = self.transport
        reused = self._uid is None and ODOO_UIDS.get(self._login_key) is not None
        uid = self._uid or ODOO_UIDS.get(self._login_key) or self.authenticate()
        self.calls_made += 1
        # One transport per client, used by one thread: its timeout is this call's.
        cheap = method in CHEAP_METHODS
        transport.timeout = self.timeout if cheap else self.business_timeout
        started = time.monotonic()
        error: str | None = None
        try:
            try:
                return self._guard(transport.execute, uid, model, method, ids, args, kwargs)
            except AuthenticationError:
                if not reused:
                    raise
                # The process's login is no longer accepted (password or key changed): log
                # in again once; a refusal then is the answer.
                ODOO_UIDS.forget(self._login_key, uid)
                uid = self.authenticate()
                return self._guard(transport.execute, uid, model, method, ids, args, kwargs)
        except ClientError as exc:
            error = type(exc).__name__  # a bounded label: the error class, never its text
            raise
        finally:
            transport.timeout = self.timeout
            observe.notify("odoo", f"{model}.{method}", time.monotonic() - started, error)

    def _reading(self, func: Any, what: str) -> Any:
        """A service call that only reads or logs in: tried again on transient faults."""
        return self.retry.run(lambda: self._guard(func), idempotent=True, what=f"Odoo {what}")

    def _guard(self, func: Any, *args: Any) -> Any:
        """Nothing but ClientErrors escape, and none of them carries the secret."""
        try:
            return func(*args)
        except ClientError as exc:
            raise self._scrub(exc) from None
        except (ValueError, TypeError, KeyError) as exc:
            raise PermanentError(f"Odoo at {self.url} sent an unexpected answer: {exc}") from None

    def _scrub(self, exc: ClientError) -> ClientError:
        if self._secret and self._secret in exc.message:
            exc.message = exc.message.replace(self._secret, "***")
            exc.args = (exc.message,)
        if self._secret and isinstance(exc.details, str):
            exc.details = exc.details.replace(self._secret, "***")
        return exc


def _named(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


def _major(version: dict[str, Any]) -> int:
    info = version.get("server_version_info") or []
    try:
        return int(info[0])
    except (IndexError, TypeError, ValueError):
        text = str(version.get("server_version", "0"))
        digits = "".join(c for c in text.split(".")[0] if c.isdigit())
        return int(digits or 0)


def m2o_id(value: Any) -> int | None:
    """The id of a many2one as Odoo reads it (`[id, "name"]`), or None when empty."""
    if not value:
        return None
    return int(value[0]) if isinstance(value, list | tuple) else int(value)
