"""Magento events as Bridge reads them, whichever product delivered them.

Three shapes arrive (docs/architecture.md §3.7):

- a CloudEvent, as Adobe I/O Events delivers it (webhook, batch or journal) and as
  Bridge's own HMAC senders post it: `{"id", "type", "time", "recipient_client_id",
  "data": {"value": {...}, "_metadata": {...}}}`;
- an Adobe Commerce Webhooks body: `{"eventName": "observer.sales_order_save_after",
  "data": {"order": {...}}}`, which carries no id: the body's SHA-256 stands in, so the
  same delivery twice is one event;
- a batch: a JSON array of CloudEvents (I/O Events `webhook_batch` registrations).

Pure: a body that is not one of these raises `MappingError`, which the receiver answers
with 400 naming what is wrong. Limits keep what is stored within its columns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from bridge.mappers.errors import MappingError

#: Column widths of `event_receipt` (event_id, event_type).
MAX_ID = 255
MAX_TYPE = 255
#: Commerce Webhooks name events without Adobe's I/O Events prefix.
ADOBE_PREFIX = "com.adobe.commerce."
#: The record an event names: type suffix -> (entity, key fields in the value).
RECORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sales_order_save_after": ("order", ("increment_id",)),
    "sales_order_place_after": ("order", ("increment_id",)),
    "customer_save_after": ("customer", ("entity_id", "id")),
    "customer_register_success": ("customer", ("entity_id", "id")),
    "catalog_product_save_after": ("product", ("sku",)),
    "catalog_product_delete_after": ("product", ("sku",)),
}
#: Commerce Webhooks nest the record under the observer's argument name.
WEBHOOK_OBJECTS = ("order", "customer", "product", "data_object")


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    value: dict[str, Any]
    time: str | None = None
    recipient_client_id: str | None = None

    @property
    def kind(self) -> str:
        """The type's last part: "sales_order_save_after"."""
        return self.type.rsplit(".", 1)[-1]

    def record(self) -> tuple[str | None, str | None]:
        """("<entity>:<key>", Magento's updated_at) of the record, when the event names one."""
        entity, fields = RECORDS.get(self.kind, (None, ()))
        key = next((self.value[f] for f in fields if self.value.get(f) not in (None, "")), None)
        if entity is None or key is None:
            return None, None
        updated = self.value.get("updated_at")
        return f"{entity}:{key}"[:300], (str(updated)[:32] if updated else None)


def _text(body: dict[str, Any], field: str, limit: int) -> str:
    value = body.get(field)
    if value is None or value == "":
        raise MappingError(f"event without {field!r}")
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise MappingError(f"event {field!r} must be a string, not {type(value).__name__}")
    text = str(value)
    if len(text) > limit:
        raise MappingError(f"event {field!r} is {len(text)} characters long (at most {limit})")
    return text


def cloud_event(body: Any) -> Event:
    """One CloudEvent; `data` must be an object, its record under `value` or at the top."""
    if not isinstance(body, dict):
        raise MappingError(f"an event must be a JSON object, not {type(body).__name__}")
    event_id = _text(body, "id", MAX_ID)
    event_type = _text(body, "type", MAX_TYPE)
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise MappingError(f"event 'data' must be an object, not {type(data).__name__}")
    value = data.get("value", data)
    if not isinstance(value, dict):
        raise MappingError(f"event 'data.value' must be an object, not {type(value).__name__}")
    recipient = body.get("recipient_client_id")
    time = body.get("time")
    return Event(
        id=event_id,
        type=event_type,
        value=value,
        time=str(time) if time is not None else None,
        recipient_client_id=str(recipient) if recipient is not None else None,
    )


def cloud_events(body: Any, *, batch: bool) -> list[Event]:
    """A delivery's events: an array only where batches are allowed."""
    if isinstance(body, list):
        if not batch:
            raise MappingError("a JSON array is a batch, and this source sends one event a request")
        if not body:
            raise MappingError("an empty batch")
        return [cloud_event(item) for item in body]
    return [cloud_event(body)]


def commerce_webhook(body: Any, raw: bytes) -> Event:
    """An Adobe Commerce Webhooks request as an event (its id: the body's SHA-256)."""
    if not isinstance(body, dict):
        raise MappingError(f"a webhook body must be a JSON object, not {type(body).__name__}")
    name = _text(body, "eventName", MAX_TYPE - len(ADOBE_PREFIX) - len("observer."))
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise MappingError(f"webhook 'data' must be an object, not {type(data).__name__}")
    if "." not in name:  # "sales_order_place_after": an observer event without its prefix
        name = f"observer.{name}"
    value = next((data[k] for k in WEBHOOK_OBJECTS if isinstance(data.get(k), dict)), data)
    return Event(id=hashlib.sha256(raw).hexdigest(), type=ADOBE_PREFIX + name, value=value)
