"""Magento 2 REST client: transport, authentication, paging and the error taxonomy.

It speaks `{base_url}/rest/{store_code}/V1/...` with JSON over one pooled
`requests.Session`. Three ways to authenticate, as Magento offers them:

- ``token``: an integration access token sent as ``Authorization: Bearer``;
- ``admin``: an admin user; the client asks `integration/admin/token` for a token,
  keeps it for the whole process (`bridge.clients.logins`, shared by every client of
  the same credentials) and renews it once when Magento answers 401 (tokens expire);
- ``oauth1``: the integration's OAuth 1.0a keys, each request signed HMAC-SHA256.

A transient fault (5xx, 429, timeout, dropped connection) is tried again inside the
call when the request is safe to repeat: GETs, PUTs, and the POSTs that save by a key
(`products`, `inventory/source-items`); `bridge.clients.retries` says which and why. A
write that is not (a shipment, an invoice, a refund) is sent once: a timeout on it
raises `OutcomeUnknownError`. `post`, `put` and `delete` take `idempotent=` to override.

Only the errors of `bridge.clients.errors` leave this module, with one-line
messages a merchant can act on and never a secret in them.
"""

from __future__ import annotations

import email.utils
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from requests_oauthlib import OAuth1

from bridge.clients import observe
from bridge.clients.errors import (
    AuthenticationError,
    ClientError,
    NotFoundError,
    PermanentError,
    RetryableError,
    ValidationError,
)
from bridge.clients.logins import MAGENTO_TOKENS, login_key
from bridge.clients.magento_search import SearchCriteria
from bridge.clients.retries import RetryPolicy, magento_idempotent, never_sent

__all__ = ["MAX_PAGE_SIZE", "MagentoAuth", "MagentoClient", "SearchCriteria", "render_message"]

#: Magento caps searchCriteria[pageSize] at 300 in practice (larger pages time out).
MAX_PAGE_SIZE = 300
#: entity_type_id of catalog_product in every Magento 2 install.
PRODUCT_ENTITY_TYPE_ID = 4

_PARAM = re.compile(r"%(\w+)")


#: Paths served outside `/V1/`: the asynchronous (bulk) web API.
ASYNC_PREFIXES = ("async/V1/", "async/bulk/V1/")
#: Magento's default cap on operations in one bulk request.
BULK_LIMIT = 5000


@dataclass(frozen=True)
class MagentoAuth:
    """How to authenticate; secrets stay out of `repr`."""

    method: Literal["token", "admin", "oauth1"]
    token: str | None = None
    username: str | None = None
    password: str | None = None
    consumer_key: str | None = None
    consumer_secret: str | None = None
    access_token: str | None = None
    access_token_secret: str | None = None

    def __post_init__(self) -> None:
        needed = {
            "token": ("token",),
            "admin": ("username", "password"),
            "oauth1": ("consumer_key", "consumer_secret", "access_token", "access_token_secret"),
        }.get(self.method)
        if needed is None:
            raise ValueError(f"unknown Magento auth method {self.method!r}")
        missing = [name for name in needed if not getattr(self, name)]
        if missing:
            raise ValueError(f"Magento {self.method} auth needs: {', '.join(missing)}")

    def __repr__(self) -> str:
        shown = f", username={self.username!r}" if self.method == "admin" else ""
        return f"MagentoAuth(method={self.method!r}{shown}, secrets=***)"

    __str__ = __repr__


def render_message(body: Any) -> str:
    """Magento's `{"message": "... %name ...", "parameters": {...} | [...]}` as one line."""
    if not isinstance(body, dict):
        return ""
    message = str(body.get("message") or "")
    params = body.get("parameters")
    if isinstance(params, list):
        named = {str(i + 1): v for i, v in enumerate(params)}
    elif isinstance(params, dict):
        named = {str(k): v for k, v in params.items()}
    else:
        named = {}

    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        return str(named[key]) if key in named else match.group(0)

    return " ".join(_PARAM.sub(sub, message).split())


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def _with_total_count(fields: str | None) -> str | None:
    """Paging needs `total_count`: add it to a `fields` expression that trims it away."""
    if not fields:
        return fields
    depth, top, token = 0, [], ""
    for char in fields:
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            top.append(token.strip())
            token = ""
        else:
            token += char
    top.append(token.strip())
    return fields if "total_count" in top else f"{fields},total_count"


def _connection_reason(exc: requests.ConnectionError) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if (
        "name or service not known" in text
        or "nodename nor servname" in text
        or ("resolve" in text)
    ):
        return "host name not found"
    if "reset" in text:
        return "connection reset"
    if "aborted" in text or "disconnected" in text or "closed" in text:
        return "connection dropped before an answer"
    return "connection failed"


class Pace(Protocol):
    """Keeps a connection's requests within its rate, across workers."""

    def before(self) -> None: ...
    def refused(self, retry_after: float | None) -> None: ...


class MagentoClient:
    """One Magento store (base URL + store code) seen through its REST API."""

    def __init__(
        self,
        base_url: str,
        auth: MagentoAuth,
        store_code: str = "all",
        timeout: float = 30.0,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        pace: Pace | None = None,
    ) -> None:
        """`pace`: told before each request and of each 429, to keep all workers of a
        connection within its requests per second (bridge.coordination.MagentoRate)."""
        self.base_url = base_url.rstrip("/")
        self.pace = pace
        self.auth = auth
        self.store_code = store_code
        self.timeout = timeout
        #: How a transient fault is tried again (default: BRIDGE_HTTP_RETRY_*).
        self.retry = retry or RetryPolicy.from_settings()
        #: HTTP requests sent, token requests included (benchmarks read it).
        self.requests_made = 0
        self._session = session or requests.Session()
        if session is None:
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=32, max_retries=0)
            self._session.mount("http://", adapter)
            self._session.mount("https://", adapter)
        self._session.headers.update({"Accept": "application/json"})
        self._admin_token: str | None = None
        self._token_lock = threading.Lock()
        #: This process's admin token for these credentials (bridge.clients.logins).
        self._login_key = login_key(self.base_url, auth.username, auth.password)
        self._oauth = (
            OAuth1(
                auth.consumer_key,
                client_secret=auth.consumer_secret,
                resource_owner_key=auth.access_token,
                resource_owner_secret=auth.access_token_secret,
                signature_method="HMAC-SHA256",
            )
            if auth.method == "oauth1"
            else None
        )

    def __repr__(self) -> str:
        return f"MagentoClient({self.base_url!r}, store_code={self.store_code!r}, {self.auth!r})"

    # -- generic verbs -------------------------------------------------------------------------

    def get(self, path: str, params: dict | None = None, fields: str | None = None) -> Any:
        query = dict(params or {})
        if fields:
            query["fields"] = fields
        return self._call("GET", path, params=query)

    def post(
        self,
        path: str,
        body: Any,
        *,
        idempotent: bool | None = None,
        look: Callable[[], Any] | None = None,
    ) -> Any:
        """`idempotent`: whether a repeat is harmless (default: `magento_idempotent`).
        `look`: finds what an earlier try of a POST not safe to repeat made, so it can be
        tried again after a fault (`bridge.clients.retries`)."""
        return self._call("POST", path, body=body, idempotent=idempotent, look=look)

    def put(self, path: str, body: Any, *, idempotent: bool | None = None) -> Any:
        return self._call("PUT", path, body=body, idempotent=idempotent)

    def delete(self, path: str, *, idempotent: bool | None = None) -> Any:
        return self._call("DELETE", path, idempotent=idempotent)

    def search(
        self,
        path: str,
        criteria: SearchCriteria | None = None,
        fields: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[list[dict]]:
        """Yield the pages of a search, stopping at `total_count`.

        Magento answers a page past the end with the last page again, so the loop
        stops on arithmetic, never on an empty page alone.
        """
        criteria = criteria or SearchCriteria()
        size = max(1, min(criteria.page_size or page_size, MAX_PAGE_SIZE))
        page = criteria.current_page or 1
        fields = _with_total_count(fields)
        while True:
            data = self.get(path, params=criteria.page(page, size).to_params(), fields=fields)
            if not isinstance(data, dict):
                raise PermanentError(f"Magento answered {path} with something that is not a search")
            items = data.get("items") or []
            total = int(data.get("total_count") or 0)
            if items:
                yield items
            if not items or page * size >= total:
                return
            page += 1

    def iter_records(
        self,
        path: str,
        criteria: SearchCriteria | None = None,
        fields: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[dict]:
        for page in self.search(path, criteria, fields=fields, page_size=page_size):
            yield from page

    # -- typed helpers ---------------------------------------------------------------------------

    def store_websites(self) -> list[dict]:
        return self.get("store/websites")

    def store_groups(self) -> list[dict]:
        return self.get("store/storeGroups")

    def store_views(self) -> list[dict]:
        return self.get("store/storeViews")

    def store_configs(self) -> list[dict]:
        return self.get("store/storeConfigs")

    def attribute_sets(self) -> list[dict]:
        """Product attribute sets (the EAV list is shared by all entity types, so filter)."""
        criteria = SearchCriteria().where("entity_type_id", PRODUCT_ENTITY_TYPE_ID)
        return list(self.iter_records("eav/attribute-sets/list", criteria))

    def customer_groups(self) -> list[dict]:
        return list(self.iter_records("customerGroups/search"))

    def payment_methods_offered(self) -> list[dict]:
        """Methods a shopper of this store view is offered: asked of a fresh guest cart."""
        cart_id = self.post("guest-carts", None)
        if not isinstance(cart_id, str):
            raise PermanentError("Magento did not return a guest cart id")
        return self.get(f"guest-carts/{quote(cart_id, safe='')}/payment-methods")

    def product(self, sku: str) -> dict:
        return self.get(f"products/{quote(sku, safe='')}")

    def check(self) -> dict:
        """The cheapest authenticated call that proves the URL and the credentials."""
        configs = self.store_configs()
        return {
            "url": self.base_url,
            "auth": self.auth.method,
            "store_codes": [c.get("code") for c in configs if isinstance(c, dict)],
        }

    def bulk(self, path: str, bodies: list[Any]) -> dict[str, Any]:
        """Queue many writes at once through Magento's asynchronous bulk API.

        `POST /rest/<store>/async/bulk/V1/<path>` with one body per operation (at most
        5,000); the answer's `bulk_uuid` is followed with `get(f"bulk/{uuid}/status")`.
        """
        if not bodies:
            raise ValueError("a bulk needs at least one operation")
        if len(bodies) > BULK_LIMIT:
            raise ValueError(f"at most {BULK_LIMIT} operations per bulk, got {len(bodies)}")
        return dict(self.post(f"async/bulk/V1/{path.lstrip('/')}", bodies))

    # -- transport -------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        path = path.lstrip("/")
        if path.startswith(ASYNC_PREFIXES):
            return f"{self.base_url}/rest/{self.store_code}/{path}"
        if path.startswith("V1/"):
            path = path[3:]
        return f"{self.base_url}/rest/{self.store_code}/V1/{path}"

    def _call(
        self,
        method: str,
        path: str,
        params: dict | None = None,
        body: Any = None,
        idempotent: bool | None = None,
        look: Callable[[], Any] | None = None,
    ) -> Any:
        safe = magento_idempotent(method, path) if idempotent is None else idempotent
        return self.retry.run(
            lambda: self._attempt(method, path, params, body),
            idempotent=safe,
            # The whole path: a log line or a reason names the order it was about.
            what=f"Magento {method.upper()} {path.split('?', 1)[0].strip('/')}",
            look=look,
        )

    def _attempt(self, method: str, path: str, params: dict | None, body: Any) -> Any:
        """One try, seen by the observers whatever its outcome."""
        started = time.monotonic()
        error: str | None = None
        try:
            return self._call_once(method, path, params, body)
        except ClientError as exc:
            error = type(exc).__name__  # a bounded label: the error class, never its text
            raise
        finally:
            observe.notify("magento", observe.magento_operation(method, path),
                           time.monotonic() - started, error)  # fmt: skip

    def _call_once(self, method: str, path: str, params: dict | None, body: Any) -> Any:
        for attempt in (1, 2):
            headers = self._auth_header()
            response = self._send(method, path, params=params, body=body, auth=headers)
            if response.status_code == 401 and self.auth.method == "admin" and attempt == 1:
                self._forget_admin_token(headers)  # expired or revoked: renew once, then give up
                continue
            return self._decode(method, path, response)
        raise AssertionError("unreachable")

    def _forget_admin_token(self, used: dict[str, str]) -> None:
        with self._token_lock:
            if used.get("Authorization") == f"Bearer {self._admin_token}":
                MAGENTO_TOKENS.forget(self._login_key, self._admin_token or "")
                self._admin_token = None  # another thread may already have renewed it

    def _auth_header(self) -> dict[str, str]:
        if self.auth.method == "token":
            return {"Authorization": f"Bearer {self.auth.token}"}
        if self.auth.method == "admin":
            return {"Authorization": f"Bearer {self._admin_bearer()}"}
        return {}

    def _admin_bearer(self) -> str:
        with self._token_lock:
            if self._admin_token is None:
                self._admin_token = MAGENTO_TOKENS.get(self._login_key)
            if self._admin_token is None:
                token = self.retry.run(
                    self._request_admin_token,
                    idempotent=True,
                    what="Magento POST integration/admin/token",
                )
                if not isinstance(token, str) or not token:
                    raise PermanentError("Magento's admin token endpoint returned no token")
                self._admin_token = token
                MAGENTO_TOKENS.put(self._login_key, token)
            return self._admin_token

    def _request_admin_token(self) -> Any:
        body = {"username": self.auth.username, "password": self.auth.password}
        response = self._send("POST", "integration/admin/token", body=body, auth={})
        return self._decode("POST", "integration/admin/token", response)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        body: Any = None,
        auth: dict[str, str],
    ) -> requests.Response:
        headers = dict(auth)
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        self.requests_made += 1
        if self.pace is not None:
            self.pace.before()
        try:
            return self._session.request(
                method,
                self._url(path),
                params=params or None,
                data=data,
                headers=headers,
                auth=self._oauth,
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            unsent = never_sent(exc)
            raise RetryableError(
                f"Magento at {self.base_url}/ did not answer within {self.timeout:g} s",
                sent=not unsent,
                answered=False,
            ) from exc
        except requests.ConnectionError as exc:
            raise RetryableError(
                f"Magento at {self.base_url}/ is unreachable: {_connection_reason(exc)}",
                sent=not never_sent(exc),
                answered=False,
            ) from exc
        except requests.RequestException as exc:
            raise PermanentError(
                f"Magento request {method} {path} could not be sent: {type(exc).__name__}"
            ) from exc

    def _decode(self, method: str, path: str, response: requests.Response) -> Any:
        status = response.status_code
        try:
            body: Any = response.json() if response.content else None
        except ValueError:
            body = _NOT_JSON
        if 200 <= status < 300:
            if body is _NOT_JSON:
                kind = response.headers.get("Content-Type", "unknown type")
                raise PermanentError(
                    f"Magento at {self.base_url}/ answered {method} {path} with a non-JSON body "
                    f"({kind}); is the URL the store's base URL?",
                    status=status,
                )
            return body
        details = None if body is _NOT_JSON else body
        text = render_message(details) or response.reason or f"HTTP {status}"
        common: dict[str, Any] = {"status": status, "details": details}
        error: ClientError
        if status == 401:
            error = AuthenticationError(f"Magento refused the credentials: {text}", **common)
        elif status == 404:
            error = NotFoundError(f"Magento could not find {path}: {text}", **common)
        elif status == 429:
            wait = _retry_after(response.headers.get("Retry-After"))
            if self.pace is not None:
                self.pace.refused(wait)
            error = RetryableError(
                f"Magento at {self.base_url}/ is rate limiting requests: {text}",
                retry_after=wait,
                **common,
            )
        elif status >= 500:
            error = RetryableError(
                f"Magento at {self.base_url}/ failed on {method} {path} with HTTP {status}: {text}",
                **common,
            )
        else:
            error = ValidationError(f"Magento refused {method} {path}: {text}", **common)
        raise error


_NOT_JSON = object()
