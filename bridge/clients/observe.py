"""Who wants to hear about remote calls: a hook the clients call after each one.

The clients know nothing of metrics; `bridge.metrics.recorder` subscribes here. A
listener gets the API ("magento", "odoo"), a bounded operation name ("GET orders",
"sale.order.search_read"), the seconds spent and the error kind (None when it worked),
once per try: a call that a per-request retry saved is heard as its failed tries, then
the one that worked.
A listener that raises is ignored: a call never fails because of its observers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

Listener = Callable[[str, str, float, str | None], None]

_listeners: list[Listener] = []
log = logging.getLogger(__name__)


def subscribe(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def notify(api: str, operation: str, seconds: float, error: str | None) -> None:
    for listener in list(_listeners):
        try:
            listener(api, operation, seconds, error)
        except Exception:  # noqa: BLE001 - observers never break a call
            log.debug("call observer failed", exc_info=True)


#: Magento path roots whose second segment is still a route, not an id or a SKU.
_TWO_SEGMENTS = ("inventory", "store", "async", "eav", "integration", "bulk")


def magento_operation(method: str, path: str) -> str:
    """`GET orders`, `POST inventory/source-items`: ids and SKUs never become labels."""
    parts = [p for p in path.split("?", 1)[0].strip("/").split("/") if p]
    if parts and parts[0] == "V1":
        parts = parts[1:]
    if not parts:
        return method
    route = parts[0]
    if route in _TWO_SEGMENTS and len(parts) > 1:
        route = f"{route}/{parts[1]}"
    return f"{method} {route}"
