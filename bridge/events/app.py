"""`bridge serve`: the WSGI app that takes Magento's events and queues the matching sync.

    GET  /events/magento/<connection>?challenge=X   I/O Events registration: echo X
    POST /events/magento/<connection>   an event, checked as the connection's source says
                                        (docs/architecture.md §3.7):
                                        bridge: X-Bridge-Signature HMAC, one CloudEvent;
                                        io_events: Adobe's RSA signatures + key paths,
                                          recipient_client_id, one event or a batch (a
                                          JSON array); {"challenge": X} is echoed;
                                        commerce_webhooks: x-adobe-commerce-webhook-
                                          signature, {"eventName", "data"}; answered
                                          {"op": "success"} as Commerce expects
    POST /events/odoo/<connection>?token=<webhook secret>
                                        an Odoo automated action's "Send Webhook
                                        Notification" ({"_model", "_id", ...}): Odoo
                                        cannot sign, so the secret rides in the URL.
                                        A product template is drafted at once (its
                                        draft absorbs the next edits) and flushed a
                                        moment later; a variant or attribute value
                                        starts a product poll; stock models a stock
                                        poll; anything else a fulfillment poll
    GET  /health                        200 when the database answers

Answers (JSON): 202 queued or ignored (a type Bridge does not sync), 200 duplicate (an
event id already taken) or skipped (older than what was applied), 200 for a batch with
each event's outcome, 400 unreadable (named), 401 bad signature or recipient, 404 unknown
connection, 409 stale or replayed, 413 body over `BRIDGE_WEBHOOK_MAX_BYTES` (refused
before it is read whole), 503 the key server or the broker is down (the sender retries).
What an event queues, and the exactly-once rules, are `tasks/events.py`'s.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from werkzeug.exceptions import HTTPException, NotFound, RequestEntityTooLarge
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from bridge.crypto import SecretError, decrypt
from bridge.db import DB_UNAVAILABLE, session_scope
from bridge.events import adobe, signature
from bridge.mappers import events as event_shapes
from bridge.mappers.errors import MappingError
from bridge.models import (
    Channel,
    Connection,
    EventSource,
    LogState,
    SyncLog,
    utcnow,
)
from bridge.settings import get_settings
from bridge.sync.event_source import EventSettings
from bridge.sync.log_filter import stuck_clause
from bridge.sync.products import feed as product_feed
from tasks.dispatch import FLUSH_PRODUCTS_JOB, JOBS, fulfillment_job, product_export_job
from tasks.events import QUEUED, Taken, keep_unreadable, take, take_all
from tasks.outbox import BrokerUnavailable, Job, enqueue

URLS = Map([
    Rule("/events/magento/<connection>", endpoint="magento", methods=["GET", "POST"]),
    Rule("/events/odoo/<connection>", endpoint="odoo", methods=["POST"]),
    Rule("/health", endpoint="health", methods=["GET"]),
])  # fmt: skip

#: Odoo models whose webhook means "stock moved" rather than "an order moved on".
ODOO_STOCK_MODELS = ("stock.quant", "stock.move", "stock.move.line")
ODOO_PRODUCT_MODELS = ("product.template.attribute.value", "product.product")
#: An I/O Events event signed longer ago than the journal keeps events is refused as
#: stale: a replay of a captured delivery whose receipt may be gone.
MAX_EVENT_AGE_S = 7 * 24 * 3600
MAX_CHALLENGE = 1000


def read_body(request: Request) -> bytes:
    """The body, refused (413) past `BRIDGE_WEBHOOK_MAX_BYTES` before it is read whole.

    A declared Content-Length over the cap is refused unread; a chunked body is read
    until it passes the cap. (Werkzeug's own `max_content_length` cuts a chunked body
    short silently, which would turn an oversized delivery into an unreadable one.)
    """
    cap = get_settings().webhook_max_bytes
    length = request.content_length
    if length is not None and length > cap:
        raise RequestEntityTooLarge(f"the body is {length} bytes, over the {cap}-byte limit")
    stream = request.environ["wsgi.input"]
    if length is not None:
        return stream.read(length) if length else b""
    if not request.environ.get("wsgi.input_terminated"):
        return b""
    chunks, size = [], 0
    while chunk := stream.read(min(65536, cap + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > cap:
            raise RequestEntityTooLarge(f"the body is over the {cap}-byte limit")
    return b"".join(chunks)


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


class Refused(Exception):
    """An answer other than success, decided while reading a delivery."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status, self.error = status, error


def _source_of(connection: str) -> tuple[int, EventSource, EventSettings, str | None]:
    with session_scope() as session:
        conn = session.scalars(select(Connection).where(Connection.name == connection)).first()
        if conn is None:
            raise NotFound(f"no connection named {connection!r}")
        source = EventSource(conn.event_source)
        secret = decrypt(conn.channel.webhook_secret_enc) if source is EventSource.BRIDGE else None
        return conn.id, source, EventSettings.of(conn), secret


def _challenge(value: Any) -> Response:
    if not isinstance(value, str) or not value or len(value) > MAX_CHALLENGE:
        return _json(400, {"error": f"a challenge is a string of 1 to {MAX_CHALLENGE} characters"})
    return _json(200, {"challenge": value})


def _challenge_in(body: bytes) -> Any:
    """The value of a `{"challenge": X}` body (nothing else in it), else None."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(payload, dict) and set(payload) == {"challenge"}:
        return payload["challenge"]
    return None


def _parse(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refused(400, f"unreadable event: not JSON ({exc})") from exc


def _authentic(
    source: EventSource, settings: EventSettings, secret: str | None, request: Request, body: bytes
) -> None:
    """Raise Refused unless the delivery is signed as the connection's source signs."""
    try:
        if source is EventSource.IO_EVENTS:
            adobe.verify_io_events(body, request.headers, settings.keys_url)
        elif source is EventSource.COMMERCE_WEBHOOKS:
            if not settings.public_key:
                raise Refused(401, "this connection has no Commerce webhook public key")
            adobe.verify_commerce(
                body, request.headers.get(adobe.COMMERCE_HEADER), settings.public_key
            )
        else:
            if not secret:
                raise Refused(401, "this connection has no webhook secret")
            signature.verify(secret, body, request.headers.get(signature.HEADER))
    except adobe.KeyServerDown as exc:
        raise Refused(503, str(exc)) from exc
    except signature.StaleDelivery as exc:
        raise Refused(409, str(exc)) from exc
    except signature.BadSignature as exc:
        raise Refused(401, str(exc)) from exc


def _io_checks(events: list[event_shapes.Event], settings: EventSettings) -> None:
    """Every event addressed to this project, none older than the journal keeps."""
    for event in events:
        if not settings.client_id or event.recipient_client_id != settings.client_id:
            raise Refused(
                401,
                f"event {event.id} is for recipient {event.recipient_client_id!r}, not this "
                "connection's client id",
            )
        if event.time:
            try:
                sent = datetime.fromisoformat(event.time.replace("Z", "+00:00")).timestamp()
            except ValueError:
                continue
            if time.time() - sent > MAX_EVENT_AGE_S:
                raise Refused(409, f"event {event.id} was sent at {event.time}: stale or replayed")


class Unreadable:
    """A batch item that is not an event: kept as a failed log once the batch is trusted."""

    def __init__(self, raw: Any, reason: str) -> None:
        self.raw, self.reason = raw, reason


def _events(source: EventSource, payload: Any, body: bytes) -> list[Any]:
    """The delivery's events; in a batch, an item that is not one is `Unreadable`."""
    if source is EventSource.COMMERCE_WEBHOOKS:
        return [event_shapes.commerce_webhook(payload, body)]
    if not isinstance(payload, list) or source is not EventSource.IO_EVENTS:
        return event_shapes.cloud_events(payload, batch=False)
    if not payload:
        raise MappingError("an empty batch")
    events: list[Any] = []
    for raw in payload:
        try:
            events.append(event_shapes.cloud_event(raw))
        except MappingError as exc:
            events.append(Unreadable(raw, str(exc)))
    return events


def _failed_event(conn_id: int, raw: Any, reason: str) -> Taken:
    with session_scope() as session:
        entry = keep_unreadable(session, conn_id, raw, f"unreadable event in a batch: {reason}")
        return Taken("unreadable", reason, entry.id)


def _answer_one(event: event_shapes.Event, taken: Taken) -> Response:
    if taken.outcome == "duplicate":
        return _json(200, {"duplicate": True, "event": event.id})
    body: dict[str, Any] = {"event": event.id, "result": taken.note}
    if taken.log_id is not None:
        body["log"] = taken.log_id
    return _json(202 if taken.outcome == QUEUED or taken.outcome == "ignored" else 200, body)


def magento_event(request: Request, connection: str) -> Response:
    conn_id, source, settings, secret = _source_of(connection)
    if request.method == "GET":
        return _challenge(request.args.get("challenge"))
    body = read_body(request)
    try:
        try:
            _authentic(source, settings, secret, request, body)
        except Refused:
            # A registration's challenge by POST is not an event: echoing it reveals nothing.
            challenge = _challenge_in(body)
            if challenge is not None:
                return _challenge(challenge)
            raise
        payload = _parse(body)
        try:
            events = _events(source, payload, body)
            if source is EventSource.IO_EVENTS:
                _io_checks([e for e in events if isinstance(e, event_shapes.Event)], settings)
            if isinstance(payload, list):
                taken = iter(
                    take_all(conn_id, [e for e in events if not isinstance(e, Unreadable)])
                )
                results = [
                    (e, _failed_event(conn_id, e.raw, e.reason))
                    if isinstance(e, Unreadable) else (e, next(taken))
                    for e in events
                ]  # fmt: skip
            else:
                results = [(events[0], take(conn_id, events[0]))]
        except MappingError as exc:
            raise Refused(400, f"unreadable event: {exc}") from exc
        except BrokerUnavailable as exc:
            raise Refused(503, str(exc)) from exc
    except Refused as exc:
        return _json(exc.status, {"error": exc.error})
    if source is EventSource.COMMERCE_WEBHOOKS:
        [(event, taken)] = results
        return _json(200, {"op": "success", "event": event.id, "result": taken.note})
    if isinstance(payload, list):
        return _json(200, {"events": [_batch_item(e, t) for e, t in results]})
    [(event, taken)] = results
    return _answer_one(event, taken)


def _batch_item(event: Any, taken: Taken) -> dict[str, Any]:
    item = {"outcome": taken.outcome, "result": taken.note, "log": taken.log_id}
    if isinstance(event, event_shapes.Event):
        item["event"] = event.id
    return item


def odoo_event(request: Request, connection: str) -> Response:
    """Odoo says a record changed: draft a product, or poll the matching changes now."""
    with session_scope() as session:
        conn = session.scalars(select(Connection).where(Connection.name == connection)).first()
        if conn is None:
            raise NotFound(f"no connection named {connection!r}")
        conn_id = conn.id
        secret = decrypt(conn.channel.webhook_secret_enc) or ""
    token = request.args.get("token") or request.headers.get("X-Bridge-Token") or ""
    if not secret or not hmac.compare_digest(secret, token):
        return _json(401, {"error": "token does not match the connection's webhook secret"})
    body = read_body(request)
    try:
        payload = json.loads(body) if body.strip() else {}
    except (ValueError, UnicodeDecodeError) as exc:
        return _json(400, {"error": f"unreadable Odoo webhook: not JSON ({exc})"})
    if not isinstance(payload, dict):
        return _json(
            400, {"error": f"an Odoo webhook body is a JSON object, not {type(payload).__name__}"}
        )
    model = payload.get("_model") or payload.get("model") or ""
    if not isinstance(model, str) or len(model) > 128:
        return _json(400, {"error": "'_model' must be a model name"})
    try:
        if model == "product.template" and payload.get("_id"):
            template_id = payload["_id"]
            if (
                isinstance(template_id, bool)
                or not str(template_id).isdigit()
                or len(str(template_id)) > 18
            ):
                return _json(
                    400, {"error": f"'_id' must be a record id, not {str(template_id)[:40]!r}"}
                )
            return _draft_product(
                conn_id, int(template_id), str(payload.get("write_date") or "")[:32]
            )
        if model in ODOO_PRODUCT_MODELS:
            return _poll_once(conn_id, product_export_job(), "product poll")
        if model in ODOO_STOCK_MODELS:
            return _poll_once(conn_id, JOBS["sync_stock"], "stock poll")
        return _poll_once(conn_id, fulfillment_job(), "fulfillment poll")
    except BrokerUnavailable as exc:
        return _json(503, {"error": str(exc)})


def _waiting(session: Any, conn_id: int, entity: str) -> int | None:
    """A queued log of this job that is still alive (a stuck one is no reason to wait)."""
    return session.scalars(
        select(SyncLog.id).where(
            SyncLog.connection_id == conn_id,
            SyncLog.entity == entity,
            SyncLog.state == LogState.QUEUED,
            ~stuck_clause(),
        )
    ).first()


def _poll_once(conn_id: int, job: Job, what: str) -> Response:
    """Queue a poll unless one is already waiting: it will see this change too."""
    with session_scope() as session:
        waiting = _waiting(session, conn_id, job.entity)
    if waiting is not None:
        return _json(202, {"result": f"a {what} is already queued", "log": waiting})
    return _json(202, {"result": f"queued {what}", "log": enqueue(job, conn_id)})


def _draft_product(conn_id: int, template_id: int, write_date: str) -> Response:
    """Draft the template (a draft still waiting takes the change instead), flush soon."""
    stamp = write_date or utcnow().strftime(product_feed.ODOO_TIME)
    with session_scope() as session:
        [draft] = product_feed.record_changes(
            session, conn_id, {template_id: stamp}, force=True
        ) or [None]
        waiting = _waiting(session, conn_id, FLUSH_PRODUCTS_JOB.entity)
    if waiting is None:
        waiting = enqueue(FLUSH_PRODUCTS_JOB, conn_id, countdown=get_settings().product_flush_delay)
    return _json(202, {"result": "drafted product", "draft": draft, "flush": waiting})


def check_key() -> None:
    """Raise SecretError at start when BRIDGE_SECRET_KEY cannot read the stored secrets.

    A wrong or missing key would otherwise be a 500 on every delivery; `bridge serve`
    turns this into one line and does not start.
    """
    with session_scope() as session:
        for channel in session.scalars(select(Channel)):
            decrypt(channel.webhook_secret_enc)
            decrypt(channel.secret_enc)
        for token in session.scalars(select(Connection.event_secret_enc)):
            decrypt(token)


def health(_: Request) -> Response:
    with session_scope() as session:
        session.execute(select(1))
    return _json(200, {"ok": True})


def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    request = Request(environ)
    adapter = URLS.bind_to_environ(environ)
    try:
        endpoint, args = adapter.match()
        if endpoint == "magento":
            response = magento_event(request, **args)
        elif endpoint == "odoo":
            response = odoo_event(request, **args)
        else:
            response = health(request)
    except HTTPException as exc:
        response = _json(exc.code or 500, {"error": exc.description})
    except SecretError as exc:  # `bridge serve` checks the key at start; a key changed since
        response = _json(500, {"error": str(exc)})
    except DB_UNAVAILABLE as exc:
        # The state database is down or restarting: nothing was taken, the sender retries.
        response = _json(503, {"error": f"the state database cannot be reached: {exc.orig}"})
        response.headers["Retry-After"] = "10"
    return response(environ, start_response)
