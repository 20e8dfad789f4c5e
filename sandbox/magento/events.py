"""Events, as Adobe delivers a Magento store's changes: I/O Events and Commerce Webhooks.

A registration (`POST /__sandbox__/events/registrations`) names a URL and a mode:

- `io_events`: the URL is first challenged (`GET url?challenge=X`, X echoed plainly or
  as `{"challenge": X}`), then each change is a CloudEvent
  (`com.adobe.commerce.observer.<event>`, `recipient_client_id`, `data.value`), signed
  twice with RSA-SHA256 over the raw body (`x-adobe-digital-signature-1/-2`) by two key
  pairs made when the sandbox starts, whose public keys are served at the relative
  paths sent in `x-adobe-public-key1-path/-2-path` under `/__sandbox__/events` (the
  sandbox's stand-in for `https://static.adobeioevents.com`). With `"batch": true`
  waiting events go together as a JSON array (up to `batch_size`). Every event is
  also written to the registration's journal, whatever became of its delivery.
- `commerce_webhooks`: `{"eventName": "observer.<event>", "data": {"order": {...}}}`
  signed with the store's own key pair (`x-adobe-commerce-webhook-signature`); its
  public key is what the Magento admin shows, here `GET /__sandbox__/events/commerce-key`.

Changes are orders, customers, products (saved or deleted) and MSI source items, with
the fields an Adobe Commerce event subscription typically selects. A delivery that
fails is retried `retries` times with a doubling delay (Adobe keeps trying for a day;
the journal keeps what it could not deliver), then dropped. Deliveries are sent from
one thread per registration, after the change (a real Commerce webhook is sent during
the save; the order of events is the same).

    POST   /__sandbox__/events/registrations        {"url", "mode", "client_id"?,
                                                    "batch"?, "batch_size"?, "retries"?,
                                                    "events"?: [type suffixes]} -> 201 with
                                                    id, client_id, client_secret,
                                                    journal_url, keys_url, ims_url
    GET    /__sandbox__/events/registrations        with delivered/failed counts
    DELETE /__sandbox__/events/registrations/<id>
    GET    /__sandbox__/events/prod/keys/<name>.pem the I/O Events public keys
    GET    /__sandbox__/events/commerce-key         the Commerce Webhooks public key
    POST   /__sandbox__/events/ims/token/v3         client_credentials -> access_token
    GET    /__sandbox__/events/journal/<id>         ?since=<position>&limit=N, Bearer +
                                                    x-api-key; 200 {"events": [{position,
                                                    event}], "_page": {last, count}} or
                                                    204, with Link rel="next", Retry-After
"""

from __future__ import annotations

import base64
import json
import queue
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from werkzeug.wrappers import Request, Response

PREFIX = "com.adobe.commerce."
SOURCE_ITEMS = "plugin.magento.inventory_api.api.source_items_save.execute"
#: The fields a subscription selects per kind (Adobe lets a subscription list fields).
FIELDS = {
    "orders": ("entity_id", "increment_id", "state", "status", "created_at", "updated_at",
               "grand_total", "order_currency_code", "customer_email", "store_id"),
    "customers": ("id", "email", "firstname", "lastname", "group_id", "created_at",
                  "updated_at", "website_id"),
    "products": ("id", "sku", "type_id", "name", "price", "status", "updated_at"),
    "source_items": ("sku", "source_code", "quantity", "status"),
}  # fmt: skip
#: Commerce Webhooks name the record by the observer's argument.
WEBHOOK_OBJECTS = {"orders": "order", "customers": "customer", "products": "product"}
MODES = ("io_events", "commerce_webhooks")
JOURNAL_LIMIT = 100
RETRY_AFTER_S = 1


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _key_pair() -> tuple[rsa.RSAPrivateKey, bytes]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, pem


def _sign(key: rsa.RSAPrivateKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


def change_event(kind: str, record: dict[str, Any], deleted: bool) -> tuple[str, dict] | None:
    """(event name without prefix, value) for a stored change, None for other kinds."""
    if kind not in FIELDS:
        return None
    value = {f: record[f] for f in FIELDS[kind] if f in record}
    if kind == "orders":
        return "observer.sales_order_save_after", value
    if kind == "customers":
        return "observer.customer_save_after", value
    if kind == "products":
        return f"observer.catalog_product_{'delete' if deleted else 'save'}_after", value
    if deleted:
        return None
    return SOURCE_ITEMS, {"sourceItems": [value]}


@dataclass
class Registration:
    id: str
    url: str
    mode: str
    client_id: str
    client_secret: str
    batch: bool = False
    batch_size: int = 10
    retries: int = 3
    events: tuple[str, ...] = ()
    journal: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    delivered: int = 0
    failed: int = 0
    #: (CloudEvent, the record's name in a Commerce webhook body), None to stop.
    outbox: queue.Queue[tuple[dict[str, Any], str | None] | None] = field(
        default_factory=queue.Queue
    )

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "mode": self.mode,
            "client_id": self.client_id,
            "batch": self.batch,
            "journal": len(self.journal),
            "delivered": self.delivered,
            "failed": self.failed,
            "waiting": self.outbox.qsize(),
        }


class EventEmitter:
    """The store's event side: registrations, signing keys, journals, delivery threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.io_keys = [(f"/prod/keys/pub-key-{uuid.uuid4()}.pem", *_key_pair()) for _ in (1, 2)]
        self.commerce_key, self.commerce_public_pem = _key_pair()
        self.registrations: dict[str, Registration] = {}
        self._tokens: dict[str, tuple[str, float]] = {}  # token -> (registration, expiry)
        self._position = 0

    # -- signing (also what tests use to sign as Adobe would) ------------------------------------

    def io_headers(self, body: bytes) -> dict[str, str]:
        (path1, key1, _), (path2, key2, _) = self.io_keys
        return {
            "Content-Type": "application/json",
            "x-adobe-digital-signature-1": _sign(key1, body),
            "x-adobe-digital-signature-2": _sign(key2, body),
            "x-adobe-public-key1-path": path1,
            "x-adobe-public-key2-path": path2,
        }

    def commerce_headers(self, body: bytes) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "x-adobe-commerce-webhook-signature": _sign(self.commerce_key, body),
        }

    def public_key(self, path: str) -> bytes | None:
        return next((pem for p, _, pem in self.io_keys if p == path), None)

    # -- registrations ---------------------------------------------------------------------------

    def register(self, data: dict[str, Any]) -> Registration:
        url, mode = data.get("url"), data.get("mode", "io_events")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError("a registration needs an http(s) 'url'")
        if mode not in MODES:
            raise ValueError(f"'mode' is one of {', '.join(MODES)}")
        reg = Registration(
            id=uuid.uuid4().hex,
            url=url,
            mode=mode,
            client_id=str(data.get("client_id") or uuid.uuid4().hex),
            client_secret=secrets.token_urlsafe(24),
            batch=bool(data.get("batch")) and mode == "io_events",
            batch_size=max(1, int(data.get("batch_size") or 10)),
            retries=max(0, int(data.get("retries", 3))),
            events=tuple(data.get("events") or ()),
        )
        if mode == "io_events":
            _challenge(url)
        with self._lock:
            self.registrations[reg.id] = reg
        threading.Thread(target=self._deliver_loop, args=(reg,), daemon=True).start()
        return reg

    def unregister(self, reg_id: str) -> bool:
        with self._lock:
            reg = self.registrations.pop(reg_id, None)
        if reg is not None:
            reg.outbox.put(None)
        return reg is not None

    def reset(self) -> None:
        for reg_id in list(self.registrations):
            self.unregister(reg_id)
        self._tokens.clear()

    # -- changes -----------------------------------------------------------------------------------

    def changed(self, kind: str, record: dict[str, Any] | None, old: dict[str, Any] | None) -> None:
        """The store's hook: a record of `kind` was stored (or removed, `record` None)."""
        if not self.registrations:
            return
        described = change_event(kind, record or old or {}, record is None)
        if described is None:
            return
        name, value = described
        with self._lock:
            regs = list(self.registrations.values())
            for reg in regs:
                if reg.events and not any(name.endswith(e) for e in reg.events):
                    continue
                self._position += 1
                event_id = str(uuid.uuid4())
                event = {
                    "specversion": "1.0",
                    "id": event_id,
                    "event_id": event_id,
                    "type": PREFIX + name,
                    "source": "urn:magento:sandbox",
                    "time": _now(),
                    "datacontenttype": "application/json",
                    "recipient_client_id": reg.client_id,
                    "data": {"value": value, "_metadata": {"commerceEdition": "Sandbox"}},
                }
                if reg.mode == "io_events":
                    reg.journal.append((self._position, event))
                reg.outbox.put((event, WEBHOOK_OBJECTS.get(kind)))

    # -- delivery --------------------------------------------------------------------------------

    def _deliver_loop(self, reg: Registration) -> None:
        http = requests.Session()
        while True:
            first = reg.outbox.get()
            if first is None:
                return
            events = [first]
            while reg.batch and len(events) < reg.batch_size:
                try:
                    nxt = reg.outbox.get(timeout=0.02)
                except queue.Empty:
                    break
                if nxt is None:
                    reg.outbox.put(None)
                    break
                events.append(nxt)
            self._deliver(http, reg, events)

    def _body(self, reg: Registration, items: list[tuple[dict, str | None]]) -> tuple[bytes, dict]:
        if reg.mode == "commerce_webhooks":
            [(event, obj)] = items
            value = event["data"]["value"]
            body = json.dumps({
                "eventName": event["type"].removeprefix(PREFIX),
                "data": {obj: value} if obj else value,
            }).encode()  # fmt: skip
            return body, self.commerce_headers(body)
        events = [event for event, _ in items]
        body = json.dumps(events if reg.batch else events[0]).encode()
        return body, self.io_headers(body)

    def _deliver(self, http: requests.Session, reg: Registration, events: list[tuple]) -> None:
        body, headers = self._body(reg, events)
        delay = 0.25
        for attempt in range(reg.retries + 1):
            try:
                answer = http.post(reg.url, data=body, headers=headers, timeout=10)
                if answer.status_code < 300:
                    reg.delivered += len(events)
                    return
            except requests.RequestException:
                pass
            if attempt < reg.retries and reg.id in self.registrations:
                time.sleep(delay)
                delay *= 2
        reg.failed += len(events)

    # -- IMS and the journal -------------------------------------------------------------------

    def issue_token(self, form: dict[str, str]) -> dict[str, Any] | None:
        if form.get("grant_type") != "client_credentials":
            return None
        reg = next(
            (r for r in self.registrations.values() if r.client_id == form.get("client_id")), None
        )
        if reg is None or not secrets.compare_digest(
            reg.client_secret, form.get("client_secret", "")
        ):
            return None
        token = secrets.token_urlsafe(32)
        self._tokens[token] = (reg.id, time.time() + 3600)
        return {"access_token": token, "token_type": "bearer", "expires_in": 3600}

    def journal_page(
        self, reg_id: str, token: str, api_key: str, since: str | None, limit: int
    ) -> tuple[int, Any]:
        """(status, body) of a journal read; see the module's docstring."""
        reg = self.registrations.get(reg_id)
        owner, expires = self._tokens.get(token, ("", 0.0))
        if reg is None:
            return 404, {"message": "no such registration"}
        if owner != reg.id or expires < time.time() or api_key != reg.client_id:
            return 401, {"message": "Oauth token is not valid"}
        try:
            after = int(since) if since else 0
        except ValueError:
            return 400, {"message": f"invalid position {since!r}"}
        with self._lock:
            page = [(p, e) for p, e in reg.journal if p > after][: max(1, min(limit, 100))]
        if not page:
            return 204, None
        return 200, {
            "events": [{"position": str(p), "event": e} for p, e in page],
            "_page": {"last": str(page[-1][0]), "count": len(page)},
        }


def _challenge(url: str) -> None:
    """Adobe's registration handshake: the URL must echo a random challenge."""
    challenge = secrets.token_urlsafe(16)
    try:
        answer = requests.get(url, params={"challenge": challenge}, timeout=10)
    except requests.RequestException as exc:
        raise ValueError(f"the challenge to {url} was not answered: {exc}") from exc
    echoed = answer.text.strip()
    try:
        parsed = json.loads(echoed)
        echoed = parsed.get("challenge", "") if isinstance(parsed, dict) else str(parsed)
    except ValueError:
        pass
    if answer.status_code != 200 or echoed != challenge:
        raise ValueError(f"{url} did not echo the challenge (answered {answer.status_code})")


class EventsApp:
    """WSGI: `/__sandbox__/events/...` (see the module's docstring)."""

    ROOT = "/__sandbox__/events"

    def __init__(self, emitter: EventEmitter) -> None:
        self.emitter = emitter

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        headers: dict[str, str] = {}
        try:
            status, body, headers = self._dispatch(request)
        except (ValueError, TypeError) as exc:
            status, body = 400, {"message": str(exc)}
        if isinstance(body, bytes):
            response = Response(body, status=status, content_type="application/x-pem-file")
        elif body is None:
            response = Response(status=status)
        else:
            response = Response(json.dumps(body), status=status, content_type="application/json")
        response.headers.update(headers)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        path = request.path.removeprefix(self.ROOT)
        base = request.host_url.rstrip("/") + self.ROOT
        em, method = self.emitter, request.method
        if path.startswith("/prod/keys/") and method == "GET":
            pem = em.public_key(path)
            return (200, pem, {}) if pem else (404, {"message": "no such key"}, {})
        if path == "/commerce-key" and method == "GET":
            return 200, em.commerce_public_pem, {}
        if path == "/registrations" and method == "POST":
            data = request.get_json(silent=True)
            if not isinstance(data, dict):
                raise ValueError("expected a JSON object")
            reg = em.register(data)
            return (
                201,
                {
                    **reg.public(),
                    "client_secret": reg.client_secret,
                    "journal_url": f"{base}/journal/{reg.id}",
                    "keys_url": base,
                    "ims_url": base,
                },
                {},
            )
        if path == "/registrations" and method == "GET":
            return 200, [r.public() for r in list(em.registrations.values())], {}
        if path.startswith("/registrations/") and method == "DELETE":
            return 200, {"deleted": em.unregister(path.rsplit("/", 1)[-1])}, {}
        if path == "/ims/token/v3" and method == "POST":
            token = em.issue_token(dict(request.form.items()))
            if token is None:
                return 401, {"error": "invalid_client"}, {}
            return 200, token, {}
        if path.startswith("/journal/") and method == "GET":
            reg_id = path.rsplit("/", 1)[-1]
            auth = request.headers.get("Authorization", "")
            status, body = em.journal_page(
                reg_id,
                auth.removeprefix("Bearer ").strip(),
                request.headers.get("x-api-key", ""),
                request.args.get("since"),
                int(request.args.get("limit") or JOURNAL_LIMIT),
            )
            if status not in (200, 204):
                return status, body, {}
            last = body["_page"]["last"] if body else request.args.get("since", "")
            link = f'<{base}/journal/{reg_id}?since={last}>; rel="next"'
            return status, body, {"Link": link, "Retry-After": str(RETRY_AFTER_S)}
        return 404, {"message": "unknown sandbox events endpoint"}, {}
