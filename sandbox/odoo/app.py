"""The Odoo sandbox WSGI app: JSON-RPC, XML-RPC, JSON-2 and /web/version, with Odoo error shapes.

Admin endpoints (not Odoo; for tests, the demo and benchmarks):

    POST /__sandbox__/odoo/serialization  {"count": N, "model": opt, "method": opt}
         the next N matching model calls fail as Odoo does after its own retries
         on a concurrent update (psycopg2 SerializationFailure), changing nothing
    POST /__sandbox__/odoo/reset          back to a freshly seeded database
    GET  /__sandbox__/odoo/stats          model calls served and password hashes checked
    GET|POST /__sandbox__/odoo/settings   {"login_cost": seconds}: what one password check
         costs (credentials.py; default 0.9 s, env BRIDGE_SANDBOX_ODOO_LOGIN_COST);
         {"cost_scale": x, "workers": n, "costs": {"model.method": [fixed, per_record]}}:
         the server-cost model (cost.py; scale 0 = off, env BRIDGE_SANDBOX_ODOO_COST_SCALE,
         workers env BRIDGE_SANDBOX_ODOO_WORKERS); GET answers what it spent so far
"""

from __future__ import annotations

import json
import secrets
import threading
import traceback
import xmlrpc.client
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from sandbox.odoo import methods
from sandbox.odoo.cost import CostModel, configured_scale, configured_workers, records_of
from sandbox.odoo.credentials import Credentials, configured_cost
from sandbox.odoo.exceptions import (
    AccessDenied,
    MissingError,
    OdooError,
    OperationalError,
    SerializationFailure,
    python_error,
)
from sandbox.odoo.models import all_models
from sandbox.odoo.models.base import ADMIN
from sandbox.odoo.registry import Database, Env
from sandbox.odoo.seed import seed

ADMIN_PREFIX = "/__sandbox__/odoo/"


class NameError_(OdooError):
    odoo_name = "builtins.NameError"


class KeyError_(OdooError):
    odoo_name = "builtins.KeyError"


@dataclass
class Settings:
    version: str = "18.0"
    db: str = "bridge"
    login: str = "admin"
    password: str = "admin"
    api_key: str = "sandbox-api-key"
    #: Seconds one password check costs; None: BRIDGE_SANDBOX_ODOO_LOGIN_COST, else 0.9.
    login_cost: float | None = None
    #: Server-cost model (cost.py): 1 = a real Odoo 18's; None: BRIDGE_SANDBOX_ODOO_COST_SCALE,
    #: else 0 (off). `workers`: Odoo's HTTP workers the calls share; None: env, else 2.
    cost_scale: float | None = None
    workers: int | None = None

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    def version_info(self) -> dict[str, Any]:
        major, minor = (int(p) for p in self.version.split(".")[:2])
        info = [major, minor, 0, "final", 0, ""]
        return {
            "server_version": self.version,
            "server_version_info": info,
            "server_serie": self.version,
            "protocol_version": 1,
        }


@dataclass
class _PendingFailures:
    count: int = 0
    model: str | None = None
    method: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, model: str, method: str) -> bool:
        with self.lock:
            if self.count <= 0 or self.model not in (None, model):
                return False
            if self.method not in (None, method):
                return False
            self.count -= 1
            return True


def _traceback_text(exc: BaseException) -> str:
    """A traceback whose last line names the exception as real Odoo's would."""
    if isinstance(exc, OdooError):
        name = exc.odoo_name.removeprefix("builtins.")
        return (
            "Traceback (most recent call last):\n"
            '  File "/usr/lib/python3/dist-packages/odoo/service/model.py", line 156, '
            "in retrying\n"
            f"{name}: {exc.message}\n"
        )
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _error_data(exc: OdooError) -> dict[str, Any]:
    """Odoo's http.serialize_exception."""
    return {
        "name": exc.odoo_name,
        "debug": _traceback_text(exc),
        "message": exc.message,
        "arguments": exc.arguments,
        "context": {},
    }


class OdooApp:
    """WSGI app for one database; thread-safe (one lock around the data)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.credentials = Credentials(cost=configured_cost(settings.login_cost))
        scale, workers = configured_scale(settings.cost_scale), configured_workers(settings.workers)
        self.cost = CostModel(scale=scale, workers=workers)
        self.failures = _PendingFailures()
        self.calls = 0
        self.db = self._fresh()

    def _fresh(self) -> Database:
        db = Database(self.settings.db, all_models(), self.settings.major)
        seed(db, self.settings.login)
        return db

    def reset(self) -> None:
        with self.db.lock:
            self.db = self._fresh()

    def inject_serialization_failure(
        self, count: int = 1, model: str | None = None, method: str | None = None
    ) -> None:
        with self.failures.lock:
            self.failures.count, self.failures.model, self.failures.method = count, model, method

    # -- WSGI ---------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self._route(request)
        except HTTPException as exc:
            response = exc.get_response()
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        path = request.path
        if path == "/jsonrpc" and request.method == "POST":
            return self._jsonrpc(request)
        if path.startswith("/xmlrpc/2/") and request.method == "POST":
            return self._xmlrpc(request, path.removeprefix("/xmlrpc/2/"))
        if path.startswith("/json/2/"):
            if self.settings.major >= 19:
                return self._json2(request, path.removeprefix("/json/2/"))
            # Odoo 18 has no such route: its catch-all sends the browser to the login page.
            return redirect(f"/web/login?redirect={quote(path, safe='')}%3F", code=303)
        if path == "/web/webclient/version_info" and request.method == "POST":
            payload = request.get_json(silent=True) or {}
            body = {"jsonrpc": "2.0", "id": payload.get("id")}
            return _json_response({**body, "result": self.settings.version_info()})
        if path == "/web/version" and self.settings.major >= 19:
            info = self.settings.version_info()
            body = {"version_info": info["server_version_info"], "version": self.settings.version}
            return _json_response(body)
        if path.startswith(ADMIN_PREFIX):
            return self._admin(request, path.removeprefix(ADMIN_PREFIX))
        raise NotFound()

    def _admin(self, request: Request, action: str) -> Response:
        if action == "serialization" and request.method == "POST":
            body = request.get_json(silent=True) or {}
            self.inject_serialization_failure(
                int(body.get("count", 1)), body.get("model"), body.get("method")
            )
            return _json_response({"pending": self.failures.count})
        if action == "reset" and request.method == "POST":
            self.reset()
            return _json_response({"reset": True})
        if action == "stats":
            body = {
                "calls": self.calls,
                "pending": self.failures.count,
                "password_checks": self.credentials.checks,
            }
            return _json_response(body)
        if action == "settings":
            if request.method == "POST":
                body = request.get_json(silent=True) or {}
                if "login_cost" in body:
                    self.credentials.cost = configured_cost(float(body["login_cost"]))
                self.cost.configure(body.get("cost_scale"), body.get("workers"), body.get("costs"))
            return _json_response({"login_cost": self.credentials.cost, **self.cost.stats()})
        raise NotFound()

    # -- services -----------------------------------------------------------------------------

    def _check_db(self, db: str) -> None:
        if db != self.settings.db:
            raise OperationalError(
                'connection to server at "127.0.0.1", port 5432 failed: '
                f'FATAL:  database "{db}" does not exist\n'
            )

    def _login(self, login: Any, secret: Any) -> int | bool:
        """res.users._login: an unknown login is refused at once; a known one pays for the
        password check, then (interactive=False) for the API key check if that failed."""
        if login != self.settings.login:
            return False
        if not secret:
            return False
        self.credentials.verify_password()
        if isinstance(secret, str) and secrets.compare_digest(secret, self.settings.password):
            return ADMIN
        self.credentials.verify_key()
        if isinstance(secret, str) and secrets.compare_digest(secret, self.settings.api_key):
            return ADMIN
        return False

    def _check(self, uid: int, secret: Any) -> None:
        """res.users.check, an ormcache on (uid, password): paid once per pair until the
        registry's caches are cleared (`Database.clear_caches`)."""
        if not secret:
            raise AccessDenied()
        db = self.db
        key = (uid, secret) if isinstance(secret, str) else None
        if key is not None and key in db.checked_credentials:
            return
        if self._login(self.settings.login, secret) != ADMIN:
            raise AccessDenied()
        if key is not None:
            db.checked_credentials.add(key)

    def common(self, method: str, args: list[Any]) -> Any:
        if method == "version":
            return self.settings.version_info()
        if method in ("login", "authenticate"):
            db, login, secret = args[0], args[1], args[2]
            self._check_db(db)
            return self._login(login, secret)
        raise OdooError(f"Method not found: {method}")

    def object(self, method: str, args: list[Any]) -> Any:
        db, uid, secret = args[0], _uid(args[1]), args[2]
        self._check_db(db)
        if uid != ADMIN:
            # res.users.check reads the user before any password: a missing one fails.
            raise MissingError(
                f"Record does not exist or has been deleted.\n(Record: res.users({uid},), "
                f"User: {uid})"
            )
        self._check(uid, secret)
        if method not in ("execute_kw", "execute"):
            raise NameError_(f"Method not available {method}")
        model, name, *rest = args[3:]
        if method == "execute_kw":
            call_args = list(rest[0]) if rest else []
            kwargs = dict(rest[1]) if len(rest) > 1 and rest[1] else {}
        else:
            call_args, kwargs = list(rest), {}
        context = kwargs.pop("context", None) or {}
        first = call_args[0] if call_args else None
        ids = [first] if isinstance(first, int) else first if isinstance(first, list) else None
        return self.run(
            model,
            name,
            context,
            lambda env: methods.execute_kw(env, model, name, call_args, kwargs),
            records_of(self.db, model, name, ids, call_args, kwargs),
        )

    def run(
        self, model: str, name: str, context: dict[str, Any], call: Any, records: int = 1
    ) -> Any:
        """One model call in one transaction, rolled back on error.

        With the cost model on, the call first spends its server time in one of the
        workers (cost.py), so its changes appear when that time is up, as on commit."""
        slot = self.cost.serve(model, name, records)
        try:
            with self.db.transaction():
                self.calls += 1
                env = Env(self.db, ADMIN, context if isinstance(context, dict) else {})
                methods.resolve(env, model, name)
                if self.failures.take(model, name):
                    raise SerializationFailure()
                return call(env)
        finally:
            slot.release()

    # -- wire formats -------------------------------------------------------------------------

    def _jsonrpc(self, request: Request) -> Response:
        try:
            payload = json.loads(request.get_data() or b"{}")
        except ValueError:
            return Response(
                "Invalid JSON data", status=400, content_type="text/html; charset=utf-8"
            )
        rid = payload.get("id")
        params = payload.get("params") or {}
        try:
            service, method = params.get("service"), params.get("method")
            args = list(params.get("args") or [])
            if service == "common":
                result = self.common(method, args)
            elif service == "object":
                result = self.object(method, args)
            elif service == "db" and method == "list":
                result = [self.settings.db]
            elif service == "db" and method == "server_version":
                result = self.settings.version
            else:
                raise KeyError_(str(service))
        except Exception as exc:  # noqa: BLE001 - every failure is a fault, as in Odoo
            fault = _as_odoo_error(exc)
            error = {"code": 200, "message": "Odoo Server Error", "data": _error_data(fault)}
            return _json_response({"jsonrpc": "2.0", "id": rid, "error": error})
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": rid}
        if result is not None:
            # Odoo leaves `result` out entirely when the method returned None.
            body["result"] = result
        return _json_response(body)

    def _xmlrpc(self, request: Request, service: str) -> Response:
        try:
            params, method = xmlrpc.client.loads(request.get_data(), use_datetime=True)
            args = list(params)
            if service == "common":
                result = self.common(method or "", args)
            elif service == "object":
                result = self.object(method or "", args)
            elif service == "db" and method == "list":
                result = [self.settings.db]
            else:
                raise NotFound()
            # Raises "cannot marshal None" after the call has committed, as Odoo does.
            data = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)
        except NotFound:
            raise
        except TypeError as exc:
            data = xmlrpc.client.dumps(xmlrpc.client.Fault(1, _traceback_text(exc)))
        except Exception as exc:  # noqa: BLE001 - every failure is a fault, as in Odoo
            data = _fault(_as_odoo_error(exc))
        return Response(data, content_type="text/xml; charset=utf-8")

    def _json2(self, request: Request, tail: str) -> Response:
        parts = tail.split("/")
        if len(parts) != 2 or not all(parts):
            return _json2_error(
                404, "werkzeug.exceptions.NotFound", "Did you mean POST /json/2/<model>/<method>?"
            )
        if request.method != "POST":
            return _json2_error(
                405,
                "werkzeug.exceptions.MethodNotAllowed",
                "The method is not allowed for the requested URL.",
            )
        model, name = parts
        db = request.headers.get("X-Odoo-Database") or self.settings.db
        auth = request.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        if db != self.settings.db:
            return _json2_error(404, "werkzeug.exceptions.NotFound", f"database {db!r} not found")
        key = token.strip()
        if scheme.lower() == "bearer" and key:
            self.credentials.verify_key()  # every JSON-2 call checks its key, uncached
        if scheme.lower() != "bearer" or not secrets.compare_digest(key, self.settings.api_key):
            return _json2_error(401, "werkzeug.exceptions.Unauthorized", "Invalid apikey")
        try:
            body = json.loads(request.get_data() or b"{}")
            if not isinstance(body, dict):
                raise ValueError("expecting a json object")
        except ValueError as exc:
            return _json2_error(
                400, "werkzeug.exceptions.BadRequest", f"could not parse the body as json: {exc}"
            )
        ids = body.pop("ids", None) or []
        context = body.pop("context", None) or {}
        if model not in self.db.models:
            return _json2_error(
                404, "werkzeug.exceptions.NotFound", f"the model {model!r} does not exist"
            )
        try:
            result = self.run(
                model,
                name,
                context,
                lambda env: methods.call_named(env, model, name, ids, body),
                records_of(self.db, model, name, ids, [], body),
            )
        except methods.MethodMissing as exc:
            return _json2_error(404, "werkzeug.exceptions.NotFound", exc.message)
        except Exception as exc:  # noqa: BLE001 - every failure is an answer, as in Odoo
            exc = _as_odoo_error(exc)
            if exc.odoo_name == "builtins.TypeError":
                return _json2_error(422, "werkzeug.exceptions.UnprocessableEntity", exc.message)
            data = _error_data(exc)
            return _json_response(data, status=exc.http_status)
        return _json_response(result)


def _uid(value: Any) -> int:
    """`int(params[1])`, as Odoo's object service reads the uid."""
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise python_error(type(exc).__name__, str(exc)) from None


def _as_odoo_error(exc: Exception) -> OdooError:
    """Any exception as the fault Odoo would answer: its own kind, or `builtins.<Type>`."""
    if isinstance(exc, OdooError):
        return exc
    # Odoo's exception_to_unicode: the arguments, one per line (a KeyError's key unquoted).
    return python_error(type(exc).__name__, "\n".join(str(a) for a in exc.args))


def _fault(exc: OdooError) -> str:
    text = _traceback_text(exc) if exc.fault_code == 1 else exc.fault_text
    return xmlrpc.client.dumps(xmlrpc.client.Fault(exc.fault_code, text))


def _json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json; charset=utf-8")


def _json2_error(status: int, name: str, message: str) -> Response:
    body = {
        "name": name,
        "message": message,
        "arguments": [message, status],
        "context": {},
        "debug": "",
    }
    return _json_response(body, status=status)
