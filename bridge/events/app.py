"""`bridge serve`: the WSGI app that takes Magento's events and queues the matching sync.

    POST /events/magento/<connection>   a CloudEvents envelope, as Adobe I/O Events and
                                        Commerce webhooks send them:
                                        {"id", "type", "time", "data": {"value": {...}}}
    POST /events/odoo/<connection>?token=<webhook secret>
                                        an Odoo automated action's "Send Webhook
                                        Notification" ({"_model", "_id", ...}): Odoo
                                        cannot sign, so the secret rides in the URL;
                                        it starts a fulfillment poll at once
    GET  /health                        200 when the database answers

Answers: 202 queued (or ignored: a type Bridge does not sync), 200 duplicate (an
event id already taken: no effect), 400 unreadable, 401 bad signature, 404 unknown
connection, 409 stale or replayed delivery. Orders and customers go through the same
pull as the schedule, limited to the one record, so an event and a pull can never
import it twice.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from bridge.crypto import decrypt
from bridge.db import session_scope
from bridge.events import signature
from bridge.models import Connection, EventReceipt, LogState, SyncLog
from tasks.dispatch import fulfillment_job, pull_job
from tasks.outbox import BrokerUnavailable, Job, enqueue

#: Event type suffixes (after "com.adobe.commerce.observer.") -> (pull, key field).
EVENT_PULLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sales_order_save_after": ("orders", ("increment_id",)),
    "sales_order_place_after": ("orders", ("increment_id",)),
    "customer_save_after": ("customers", ("entity_id", "id")),
    "customer_register_success": ("customers", ("entity_id", "id")),
}

URLS = Map([
    Rule("/events/magento/<connection>", endpoint="magento", methods=["POST"]),
    Rule("/events/odoo/<connection>", endpoint="odoo", methods=["POST"]),
    Rule("/health", endpoint="health", methods=["GET"]),
])  # fmt: skip


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def job_for_event(event: dict[str, Any]) -> tuple[Job | None, str]:
    """The pull an event asks for, and a word on it for the answer."""
    kind = str(event.get("type") or "").rsplit(".", 1)[-1]
    if kind not in EVENT_PULLS:
        return None, f"ignored: Bridge does not sync {event.get('type')!r}"
    pull, fields = EVENT_PULLS[kind]
    value = (event.get("data") or {}).get("value") or {}
    key = next((value[f] for f in fields if value.get(f) not in (None, "")), None)
    if key is None:
        raise ValueError(f"{event.get('type')} event without {' or '.join(fields)}")
    return pull_job(pull, keys=[str(key)]), f"queued {pull} pull of {key}"


def magento_event(request: Request, connection: str) -> Response:
    body = request.get_data()
    with session_scope() as session:
        conn = session.scalars(select(Connection).where(Connection.name == connection)).first()
        if conn is None:
            raise NotFound(f"no connection named {connection!r}")
        conn_id = conn.id
        secret = decrypt(conn.channel.webhook_secret_enc)
    if not secret:
        return _json(401, {"error": "this connection has no webhook secret"})
    try:
        signature.verify(secret, body, request.headers.get(signature.HEADER))
    except signature.StaleDelivery as exc:
        return _json(409, {"error": str(exc)})
    except signature.BadSignature as exc:
        return _json(401, {"error": str(exc)})
    try:
        event = json.loads(body)
        event_id = str(event["id"])
        job, note = job_for_event(event)
    except (ValueError, KeyError, TypeError) as exc:
        return _json(400, {"error": f"unreadable event: {exc}"})
    try:
        with session_scope() as session:
            session.add(
                EventReceipt(connection_id=conn_id, event_id=event_id, event_type=event["type"])
            )
    except IntegrityError:
        return _json(200, {"duplicate": True, "event": event_id})
    if job is None:
        return _json(202, {"event": event_id, "result": note})
    try:
        log_id = enqueue(job, conn_id)
    except BrokerUnavailable as exc:
        # Not taken after all: the sender's retry must be able to deliver it again.
        _receipt(conn_id, event_id, delete=True)
        return _json(503, {"error": str(exc)})
    _receipt(conn_id, event_id, log_id=log_id)
    return _json(202, {"event": event_id, "result": note, "log": log_id})


def _receipt(
    conn_id: int, event_id: str, *, log_id: int | None = None, delete: bool = False
) -> None:
    """Record the log an event started, or forget the event (its log could not be queued)."""
    with session_scope() as session:
        receipt = session.scalars(
            select(EventReceipt).where(
                EventReceipt.connection_id == conn_id, EventReceipt.event_id == event_id
            )
        ).one()
        if delete:
            session.delete(receipt)
        else:
            receipt.log_id = log_id


def odoo_event(request: Request, connection: str) -> Response:
    """Odoo says a delivery, invoice or order changed: poll Odoo's changes now."""
    with session_scope() as session:
        conn = session.scalars(select(Connection).where(Connection.name == connection)).first()
        if conn is None:
            raise NotFound(f"no connection named {connection!r}")
        conn_id = conn.id
        secret = decrypt(conn.channel.webhook_secret_enc) or ""
        token = request.args.get("token") or request.headers.get("X-Bridge-Token") or ""
        if not secret or not hmac.compare_digest(secret, token):
            return _json(401, {"error": "token does not match the connection's webhook secret"})
        # A poll already waiting will see this change too: one is enough.
        waiting = session.scalars(
            select(SyncLog.id).where(
                SyncLog.connection_id == conn_id,
                SyncLog.entity == "fulfillment.poll",
                SyncLog.state == LogState.QUEUED,
            )
        ).first()
    if waiting is not None:
        return _json(202, {"result": "a poll is already queued", "log": waiting})
    try:
        log_id = enqueue(fulfillment_job(), conn_id)
    except BrokerUnavailable as exc:
        return _json(503, {"error": str(exc)})
    return _json(202, {"result": "queued fulfillment poll", "log": log_id})


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
    return response(environ, start_response)
