"""`bridge serve`: the WSGI app that takes Magento's events and queues the matching sync.

    POST /events/magento/<connection>   a CloudEvents envelope, as Adobe I/O Events and
                                        Commerce webhooks send them:
                                        {"id", "type", "time", "data": {"value": {...}}}
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

Answers: 202 queued (or ignored: a type Bridge does not sync), 200 duplicate (an
event id already taken: no effect), 400 unreadable, 401 bad signature, 404 unknown
connection, 409 stale or replayed delivery. Orders and customers go through the same
pull as the schedule, limited to the one record, so an event and a pull can never
import it twice. Products are imported directly (no draft: Magento sends one event per
save), with a log left for the audit trail; stock events carry source items and travel
on the `inventory` queue.
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
from bridge.db import DB_UNAVAILABLE, session_scope
from bridge.events import signature
from bridge.models import Connection, EventReceipt, LogState, SyncLog, utcnow
from bridge.settings import get_settings
from bridge.sync.log_filter import stuck_clause
from bridge.sync.products import feed as product_feed
from tasks.dispatch import (
    FLUSH_PRODUCTS_JOB,
    JOBS,
    fulfillment_job,
    product_export_job,
    product_import_job,
    pull_job,
    stock_apply_job,
)
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


#: Product events (after "com.adobe.commerce.observer.") -> deleted?
PRODUCT_EVENTS = {"catalog_product_save_after": False, "catalog_product_delete_after": True}
#: Stock events: MSI source items saved (an Adobe Commerce webhook on SourceItemsSave),
#: or a legacy stock item saved (which names the product by id only: pull its stock).
SOURCE_ITEMS_EVENT = "plugin.magento.inventory_api.api.source_items_save.execute"
STOCK_ITEM_EVENT = "cataloginventory_stock_item_save_after"
#: Odoo models whose webhook means "stock moved" rather than "an order moved on".
ODOO_STOCK_MODELS = ("stock.quant", "stock.move", "stock.move.line")
ODOO_PRODUCT_MODELS = ("product.product", "product.template.attribute.value")


def _value(event: dict[str, Any]) -> dict[str, Any]:
    data = event.get("data") or {}
    return data.get("value") or data


def job_for_event(event: dict[str, Any]) -> tuple[Job | None, str]:
    """The job an event asks for, and a word on it for the answer."""
    full = str(event.get("type") or "")
    kind = full.rsplit(".", 1)[-1]
    value = _value(event)
    if full.endswith(SOURCE_ITEMS_EVENT):
        items = [
            {"sku": i["sku"], "source_code": i["source_code"], "quantity": float(i["quantity"])}
            for i in value.get("sourceItems") or value.get("source_items") or []
        ]
        if not items:
            raise ValueError("source items event without sourceItems")
        return stock_apply_job(items), f"queued stock of {len(items)} source item(s)"
    if kind == STOCK_ITEM_EVENT:
        return JOBS["import_stock"], "queued a stock pull"
    if kind in PRODUCT_EVENTS:
        sku = value.get("sku")
        if not sku:
            raise ValueError(f"{full} event without sku")
        deleted = PRODUCT_EVENTS[kind]
        job = product_import_job(str(sku), deleted=deleted, event=value)
        return job, f"queued product {'delete' if deleted else 'import'} of {sku}"
    if kind not in EVENT_PULLS:
        return None, f"ignored: Bridge does not sync {event.get('type')!r}"
    pull, fields = EVENT_PULLS[kind]
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
        log_id = enqueue(job, conn_id, key=_key_of(job))
    except BrokerUnavailable as exc:
        # Not taken after all: the sender's retry must be able to deliver it again.
        _receipt(conn_id, event_id, delete=True)
        return _json(503, {"error": str(exc)})
    _receipt(conn_id, event_id, log_id=log_id)
    return _json(202, {"event": event_id, "result": note, "log": log_id})


def _key_of(job: Job) -> str | None:
    """A product log is keyed by its SKU, so `bridge logs` finds it by SKU."""
    sku = (job.payload or {}).get("sku")
    return str(sku) if sku else None


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
    body = request.get_json(silent=True) or {}
    model = str(body.get("_model") or body.get("model") or "")
    try:
        if model == "product.template" and body.get("_id"):
            return _draft_product(conn_id, int(body["_id"]), str(body.get("write_date") or ""))
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
    except DB_UNAVAILABLE as exc:
        # The state database is down or restarting: nothing was taken, the sender retries.
        response = _json(503, {"error": f"the state database cannot be reached: {exc.orig}"})
        response.headers["Retry-After"] = "10"
    return response(environ, start_response)
