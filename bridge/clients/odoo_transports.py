"""The three wire protocols of Odoo's external API, behind one small interface.

    JsonRpcTransport   POST /jsonrpc, services common/object (Odoo 8 and later)
    XmlRpcTransport    POST /xmlrpc/2/{common,object} through xmlrpc.client, over requests
    Json2Transport     POST /json/2/<model>/<method>, bearer API key (Odoo 19 and later)

Each marks a transport failure with whether the request left (`RetryableError.sent`)
and was answered, which `bridge.clients.retries` needs to know whether a repeat is safe.
Each turns Odoo's own error shape into (exception name, message, raw body) and
hands it to `errors_from_odoo`, so the error taxonomy lives in one place.
"""

from __future__ import annotations

import itertools
import xmlrpc.client
from abc import ABC, abstractmethod
from typing import Any
from urllib.parse import urlsplit

import requests

from bridge.clients.errors import (
    LOST,
    REFUSED,
    TIMED_OUT,
    AuthenticationError,
    ClientError,
    NotFoundError,
    PermanentError,
    RetryableError,
    ValidationError,
)
from bridge.clients.retries import never_sent

#: Odoo exception names (as in JSON-RPC `data.name`) that mean "try again".
RETRYABLE_NAMES = frozenset(
    {
        "psycopg2.errors.SerializationFailure",
        "psycopg2.errors.DeadlockDetected",
        "psycopg2.errors.LockNotAvailable",
        "psycopg2.extensions.TransactionRollbackError",
        "psycopg2.errors.TransactionRollbackError",
        "psycopg2.InterfaceError",
    }
)
RETRYABLE_MARKERS = ("could not serialize access", "concurrent update", "deadlock detected")
VALIDATION_NAMES = frozenset(
    {
        "odoo.exceptions.ValidationError",
        "odoo.exceptions.UserError",
        "odoo.exceptions.AccessError",
        "odoo.exceptions.RedirectWarning",
        "builtins.ValueError",
        "builtins.TypeError",
        "werkzeug.exceptions.UnprocessableEntity",
        "werkzeug.exceptions.BadRequest",
    }
)
MISSING_RECORD = "Record does not exist or has been deleted"
#: The XML-RPC fault real Odoo sends when a method returned None (after committing).
MARSHAL_NONE = "cannot marshal None"


def one_line(text: str, limit: int = 500) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def errors_from_odoo(
    name: str, message: str, *, where: str, details: object = None, status: int | None = None
) -> ClientError:
    """Map an Odoo exception (by its dotted name) onto Bridge's error taxonomy."""
    text = one_line(message) or name
    lowered = text.lower()
    kw: dict[str, Any] = {"kind": name, "details": details, "status": status}
    if name in RETRYABLE_NAMES or any(m in lowered for m in RETRYABLE_MARKERS):
        return RetryableError(f"Odoo {where}: concurrent update, try again ({text})", **kw)
    if name == "psycopg2.OperationalError":
        if "does not exist" in lowered and "database" in lowered:
            return NotFoundError(f"Odoo {where}: {text}", **kw)
        return RetryableError(f"Odoo {where}: database unavailable ({text})", **kw)
    if name in ("odoo.exceptions.AccessDenied", "werkzeug.exceptions.Unauthorized"):
        return AuthenticationError(f"Odoo {where}: login or API key refused ({text})", **kw)
    if name == "odoo.exceptions.MissingError" or text.startswith(MISSING_RECORD):
        return NotFoundError(f"Odoo {where}: {text}", **kw)
    if name == "werkzeug.exceptions.NotFound":
        return NotFoundError(f"Odoo {where}: {text}", **kw)
    if name in VALIDATION_NAMES:
        return ValidationError(f"Odoo {where}: {text}", **kw)
    return PermanentError(f"Odoo {where}: {name}: {text}", **kw)


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class Transport(ABC):
    """One protocol: `version`, `authenticate` and `execute` (one model-method call)."""

    name: str

    def __init__(
        self, url: str, db: str, login: str, secret: str, timeout: float, session: requests.Session
    ) -> None:
        self.url = url.rstrip("/")
        self.db = db
        self.login = login
        self._secret = secret
        self.timeout = timeout
        self.session = session

    @abstractmethod
    def version(self) -> dict[str, Any]: ...

    @abstractmethod
    def authenticate(self) -> int | None:
        """The user id, or None when Odoo refused the credentials."""

    @abstractmethod
    def execute(
        self,
        uid: int,
        model: str,
        method: str,
        ids: list[int] | None,
        args: list[Any],
        kwargs: dict[str, Any],
    ) -> Any: ...

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.send("POST", path, **kw)

    def send(
        self, verb: str, path: str, *, json_errors: bool = False, **kw: Any
    ) -> requests.Response:
        """One HTTP request with a timeout; transport failures and HTTP refusals become errors.

        `json_errors`: a JSON body on a 4xx/5xx is Odoo's own error (JSON-2), left to the caller.
        """
        try:
            resp = self.session.request(
                verb, f"{self.url}{path}", timeout=self.timeout, allow_redirects=False, **kw
            )
        except requests.Timeout as exc:
            raise RetryableError(
                f"Odoo at {self.url} did not answer within {self.timeout:g}s",
                sent=not never_sent(exc),
                answered=False,
                kind=TIMED_OUT,
            ) from None
        except requests.ConnectionError as exc:
            reason = "connection refused" if "refused" in str(exc).lower() else "connection lost"
            raise RetryableError(
                f"Odoo at {self.url} could not be reached ({reason})",
                sent=not never_sent(exc),
                answered=False,
                kind=REFUSED if reason == "connection refused" else LOST,
            ) from None
        is_json = resp.headers.get("Content-Type", "").startswith("application/json")
        own_error = json_errors and is_json and resp.status_code != 429
        if resp.status_code >= 300 and not own_error:
            self._refuse(resp, path)
        return resp

    def _refuse(self, resp: requests.Response, path: str) -> None:
        status = resp.status_code
        kw: dict[str, Any] = {"status": status, "details": resp.text[:2000]}
        if status == 429:
            after = _retry_after(resp.headers.get("Retry-After"))
            raise RetryableError(
                f"Odoo at {self.url} is rate limiting (HTTP 429)", retry_after=after, **kw
            )
        if status >= 500:
            raise RetryableError(f"Odoo at {self.url} answered HTTP {status}", **kw)
        if status in (301, 302, 303, 307, 308, 404):
            raise NotFoundError(
                f"no Odoo {self.name} endpoint at {self.url}{path} (HTTP {status})", **kw
            )
        if status in (401, 403):
            raise AuthenticationError(f"Odoo at {self.url} refused the credentials", **kw)
        raise PermanentError(f"Odoo at {self.url} answered HTTP {status} on {path}", **kw)


class ServiceTransport(Transport):
    """JSON-RPC and XML-RPC share Odoo's service calls; only `_call` differs."""

    @abstractmethod
    def _call(self, service: str, method: str, args: list[Any], where: str) -> Any:
        """Call `service.method(*args)`; `where` names the call in error messages."""

    def version(self) -> dict[str, Any]:
        return dict(self._call("common", "version", [], "common.version"))

    def authenticate(self) -> int | None:
        uid = self._call(
            "common", "authenticate", [self.db, self.login, self._secret, {}], "authenticate"
        )
        return int(uid) if uid else None

    def execute(
        self,
        uid: int,
        model: str,
        method: str,
        ids: list[int] | None,
        args: list[Any],
        kwargs: dict[str, Any],
    ) -> Any:
        call_args = [ids, *args] if ids is not None else list(args)
        return self._call(
            "object",
            "execute_kw",
            [self.db, uid, self._secret, model, method, call_args, kwargs],
            f"{model}.{method}",
        )


class JsonRpcTransport(ServiceTransport):
    name = "jsonrpc"

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self._ids = itertools.count(1)

    def _call(self, service: str, method: str, args: list[Any], where: str) -> Any:
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
            "id": next(self._ids),
        }
        resp = self.post("/jsonrpc", json=payload)
        try:
            body = resp.json()
        except ValueError:
            raise RetryableError(f"Odoo at {self.url} sent a non-JSON answer", status=200) from None
        if "error" in body:
            data = body["error"].get("data") or {}
            name = data.get("name") or "odoo.Error"
            message = data.get("message") or body["error"].get("message", "")
            raise errors_from_odoo(name, message, where=where, details=body["error"])
        # Odoo leaves `result` out when the method returned None.
        return body.get("result")


class _RequestsXmlTransport(xmlrpc.client.Transport):
    """xmlrpc.client's transport, replaced by a pooled requests session with timeouts."""

    def __init__(self, owner: XmlRpcTransport) -> None:
        super().__init__()
        self.owner = owner

    def request(self, host: Any, handler: Any, request_body: Any, verbose: bool = False) -> Any:
        resp = self.owner.post(
            str(handler), data=request_body, headers={"Content-Type": "text/xml"}
        )
        parser, unmarshaller = self.getparser()
        parser.feed(resp.content)
        parser.close()
        return unmarshaller.close()


class XmlRpcTransport(ServiceTransport):
    name = "xmlrpc"

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        prefix = urlsplit(self.url).path
        self._prefix = prefix
        transport = _RequestsXmlTransport(self)
        self._proxies = {
            service: xmlrpc.client.ServerProxy(
                f"{self.url}/xmlrpc/2/{service}", transport=transport, allow_none=True
            )
            for service in ("common", "object")
        }

    def post(self, path: str, **kw: Any) -> requests.Response:
        # ServerProxy hands us the full path, which already includes any URL prefix.
        return super().post(path.removeprefix(self._prefix), **kw)

    def _call(self, service: str, method: str, args: list[Any], where: str) -> Any:
        try:
            return getattr(self._proxies[service], method)(*args)
        except xmlrpc.client.Fault as fault:
            return self._fault(fault, where)
        except xmlrpc.client.ResponseError as exc:
            raise RetryableError(f"Odoo at {self.url} sent a malformed answer ({exc})") from None

    @staticmethod
    def _fault(fault: xmlrpc.client.Fault, where: str) -> None:
        """/xmlrpc/2 fault codes: 1 traceback, 2 UserError family, 3 AccessDenied, 4 AccessError."""
        text = str(fault.faultString or "")
        code = fault.faultCode
        details = {"faultCode": code, "faultString": text}
        if code == 1:
            lines = [line for line in text.strip().splitlines() if line.strip()]
            last = lines[-1] if lines else text
            if MARSHAL_NONE in last:
                return None  # the method ran and committed; it just returned None
            name, _, message = last.partition(": ")
            if "." not in name:
                name = f"builtins.{name}"
            raise errors_from_odoo(name, message, where=where, details=details)
        if code == 3:
            raise errors_from_odoo(
                "odoo.exceptions.AccessDenied", text, where=where, details=details
            )
        if code == 4:
            raise errors_from_odoo(
                "odoo.exceptions.AccessError", text, where=where, details=details
            )
        name = (
            "odoo.exceptions.MissingError"
            if text.startswith(MISSING_RECORD)
            else "odoo.exceptions.UserError"
        )
        raise errors_from_odoo(name, text, where=where, details=details)


#: JSON-2 takes arguments by name only; the names of the positional ones we send.
POSITIONAL_NAMES: dict[str, tuple[str, ...]] = {
    "create": ("vals_list",),
    "write": ("vals",),
    "read": ("fields",),
    "search": ("domain",),
    "search_read": ("domain", "fields"),
    "search_count": ("domain",),
    "name_search": ("name",),
    "copy": ("default",),
}


class Json2Transport(Transport):
    name = "json2"

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"bearer {self._secret}",
            "X-Odoo-Database": self.db,
            "Content-Type": "application/json",
        }

    def version(self) -> dict[str, Any]:
        body = self.send("GET", "/web/version").json()
        return {
            "server_version": body.get("version"),
            "server_version_info": body.get("version_info"),
        }

    def authenticate(self) -> int | None:
        try:
            ctx = self.execute(0, "res.users", "context_get", None, [], {})
        except AuthenticationError:
            return None
        if isinstance(ctx, dict) and ctx.get("uid"):
            return int(ctx["uid"])
        ids = self.execute(0, "res.users", "search", None, [[("login", "=", self.login)]], {})
        return int(ids[0]) if ids else None

    def execute(
        self,
        uid: int,
        model: str,
        method: str,
        ids: list[int] | None,
        args: list[Any],
        kwargs: dict[str, Any],
    ) -> Any:
        names = POSITIONAL_NAMES.get(method, ())
        if len(args) > len(names):
            raise PermanentError(
                f"JSON-2 takes named arguments only: pass {model}.{method} arguments by name"
            )
        body: dict[str, Any] = dict(zip(names, args, strict=False))
        body.update(kwargs)
        if ids is not None:
            body["ids"] = ids
        path = f"/json/2/{model}/{method}"
        resp = self.send("POST", path, json=body, headers=self._headers(), json_errors=True)
        try:
            data = resp.json()
        except ValueError:
            raise RetryableError(
                f"Odoo at {self.url} sent a non-JSON answer", status=resp.status_code
            ) from None
        if resp.status_code >= 300:
            if not isinstance(data, dict) or "name" not in data:
                self._refuse(resp, path)
            name = data.get("name") or "odoo.Error"
            raise errors_from_odoo(
                name,
                data.get("message", ""),
                where=f"{model}.{method}",
                details=data,
                status=resp.status_code,
            )
        return data


TRANSPORTS: dict[str, type[Transport]] = {
    "jsonrpc": JsonRpcTransport,
    "xmlrpc": XmlRpcTransport,
    "json2": Json2Transport,
}
