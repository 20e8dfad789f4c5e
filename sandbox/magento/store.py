"""The Magento sandbox's state: records by kind, admin tokens and guest carts.

Records are kept as the JSON Magento returns, keyed by the field Magento uses in
its URLs (`sku` for products, `entity_id` for sales documents, `id` elsewhere).
Every access holds one lock, so the threaded server can serve many requests.
Kinds not served over REST yet (categories, stock items) already have their slot so
later work only adds routes and rules. `locked()` holds the lock across a
read-modify-write of several records (a shipment and its order, say).

A few lookups a product save makes (the product with Magento id X, the largest product
id, the largest configurable option id) are answered from indexes kept in step with every
write (`INDEXES`), so a catalog of 20,000 products is not scanned once per save.
"""

from __future__ import annotations

import contextlib
import copy
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

#: kind -> the record field that is its key.
KEYS: dict[str, str] = {
    "websites": "id",
    "store_groups": "id",
    "store_views": "id",
    "store_configs": "id",
    "customer_groups": "id",
    "attribute_sets": "attribute_set_id",
    "payment_methods": "code",
    "orders": "entity_id",
    "customers": "id",
    "products": "sku",
    "categories": "id",
    "stock_items": "item_id",
    "shipments": "entity_id",
    "invoices": "entity_id",
    "creditmemos": "entity_id",
    "product_attributes": "attribute_code",
    "sources": "source_code",
    "source_items": "key",
    "bulks": "bulk_id",
}


def copy_record(value: Any) -> Any:
    """A deep copy of JSON-shaped data, several times faster than `copy.deepcopy`.

    Records are what JSON decodes to (dicts, lists, scalars); anything else is left to
    `copy.deepcopy`. Unlike it, an object held twice in one record is copied twice.
    """
    kind = type(value)
    if kind is dict:
        return {k: copy_record(v) for k, v in value.items()}
    if kind is list:
        return [copy_record(v) for v in value]
    if kind in _ATOMS:
        return value
    return copy.deepcopy(value)


_ATOMS = frozenset({str, int, float, bool, type(None)})


def _product_id(record: dict[str, Any]) -> list[Any]:
    return [record.get("id")]


def _option_ids(record: dict[str, Any]) -> list[Any]:
    """The ids of a configurable's options (`extension_attributes.configurable_product_options`)."""
    extension = record.get("extension_attributes") or {}
    options = extension.get("configurable_product_options") if isinstance(extension, dict) else None
    return [o.get("id") for o in options or [] if isinstance(o, dict)]


#: kind -> index name -> the values one record holds for it.
INDEXES: dict[str, dict[str, Callable[[dict[str, Any]], list[Any]]]] = {
    "products": {"id": _product_id, "option_id": _option_ids},
}

#: Admin tokens live 4 hours in Magento by default (oauth/access_token_lifetime/admin).
ADMIN_TOKEN_LIFETIME_S = 4 * 3600


#: (kind, the record stored or None when removed, the record it replaced or None).
OnChange = Callable[[str, dict[str, Any] | None, dict[str, Any] | None], None]


class UnknownKind(KeyError):
    pass


class _Index:
    """Record keys by value, and how many records hold each integer value (for the largest)."""

    def __init__(self, values: Callable[[dict[str, Any]], list[Any]]) -> None:
        self.values = values
        self.keys: dict[Any, dict[str, None]] = {}  # value -> keys holding it, in insertion order
        self.held: dict[str, list[Any]] = {}  # key -> the values it was indexed under
        self.ints: Counter[int] = Counter()
        self._largest: int | None = 0  # None: to recompute

    def add(self, key: str, record: dict[str, Any]) -> None:
        values = self.values(record)
        self.held[key] = values
        for value in values:
            if isinstance(value, int):
                self.ints[value] += 1
                if self._largest is not None and value > self._largest:
                    self._largest = value
            with contextlib.suppress(TypeError):  # an unhashable value equals no id
                self.keys.setdefault(value, {})[key] = None

    def remove(self, key: str) -> None:
        for value in self.held.pop(key, []):
            if isinstance(value, int):
                self.ints[value] -= 1
                if self.ints[value] <= 0:
                    del self.ints[value]
                    if self._largest is not None and value >= self._largest:
                        self._largest = None
            with contextlib.suppress(TypeError):
                holders = self.keys.get(value)
                if holders is not None:
                    holders.pop(key, None)
                    if not holders:
                        del self.keys[value]

    def largest(self) -> int:
        """The largest integer value held, at least 0."""
        if self._largest is None:
            self._largest = max(max(self.ints, default=0), 0)
        return self._largest


class MagentoStore:
    """Thread-safe in-memory records plus the auth state of one sandbox."""

    def __init__(self, admin_username: str, admin_password: str) -> None:
        self._lock = threading.RLock()
        self._records: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in KEYS}
        self._indexes: dict[str, dict[str, _Index]] = {
            kind: {name: _Index(values) for name, values in by_name.items()}
            for kind, by_name in INDEXES.items()
        }
        self._admin = (admin_username, admin_password)
        self._tokens: dict[str, float] = {}
        self._carts: set[str] = set()
        #: Whether the MSI modules are installed (`/V1/inventory/*` exists); not reset by clear().
        self.msi = True
        #: "METHOD /rest/.../path" -> requests served (admin endpoints not counted).
        self.requests: Counter[str] = Counter()
        #: What Magento's var/log/exception.log would hold for the last masked 500s.
        self.exceptions: deque[dict[str, str]] = deque(maxlen=100)
        #: Told of every stored change: (kind, new record or None, old record or None).
        #: The event emitter (`sandbox.magento.events`) listens; it must not block.
        self.on_change: (
            Callable[[str, dict[str, Any] | None, dict[str, Any] | None], None] | None
        ) = None

    # -- records ---------------------------------------------------------------------------------

    def _kind(self, kind: str) -> dict[str, dict[str, Any]]:
        try:
            return self._records[kind]
        except KeyError:
            raise UnknownKind(kind) from None

    def list(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy_record(list(self._kind(kind).values()))

    def count_request(self, method: str, path: str) -> None:
        with self._lock:
            self.requests[f"{method} {path}"] += 1

    def locked(self) -> AbstractContextManager[Any]:
        """The store's lock, for one atomic read-modify-write over several records."""
        return self._lock

    def snapshot(self, kind: str) -> list[dict[str, Any]]:
        """The records themselves, not copies: read-only, for the serving fast path.

        Safe because the store never mutates a record in place (updates replace it).
        """
        with self._lock:
            return list(self._kind(kind).values())

    def get(self, kind: str, key: Any) -> dict[str, Any] | None:
        with self._lock:
            record = self._kind(kind).get(str(key))
            return copy_record(record) if record is not None else None

    def peek(self, kind: str, key: Any) -> dict[str, Any] | None:
        """One record itself, not a copy: read-only, like `snapshot`."""
        with self._lock:
            return self._kind(kind).get(str(key))

    def find(self, kind: str, index: str, value: Any) -> dict[str, Any] | None:
        """The first record (in store order) whose indexed value equals `value`; read-only."""
        with self._lock:
            records = self._kind(kind)
            idx = self._indexes[kind][index]
            if not isinstance(value, int | str):  # no hash shortcut for floats, NaN, lists
                return next((r for r in records.values() if value in idx.values(r)), None)
            holders = idx.keys.get(value) or {}
            if len(holders) > 1:  # several records share the value: the first in store order
                return next(records[k] for k in records if k in holders)
            return next((records[k] for k in holders), None)

    def largest(self, kind: str, index: str) -> int:
        """The largest integer value an index holds, 0 when none: "next id" minus one."""
        with self._lock:
            return self._indexes[kind][index].largest()

    def _stored(self, kind: str, key: str, record: dict[str, Any] | None) -> None:
        """Put `record` (or nothing) under `key`, keeping the kind's indexes in step."""
        records = self._kind(kind)
        indexes = self._indexes.get(kind, {})
        old = records.get(key)
        if key in records:
            for idx in indexes.values():
                idx.remove(key)
        if record is None:
            records.pop(key, None)
        else:
            records[key] = record
            for idx in indexes.values():
                idx.add(key, record)
        if self.on_change is not None and (record is not None or old is not None):
            self.on_change(kind, record, old)

    def put(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        """Insert or replace a record; a missing numeric key gets the next id."""
        with self._lock:
            self._kind(kind)  # UnknownKind before anything else
            key_field = KEYS[kind]
            if record.get(key_field) is None:
                if key_field in ("sku", "code", "attribute_code", "source_code", "key", "bulk_id"):
                    raise ValueError(f"{kind} records need a {key_field!r}")
                record = {**record, key_field: self.next_id(kind)}
            self._stored(kind, str(record[key_field]), copy_record(record))
            return copy_record(record)

    def update(self, kind: str, key: Any, changes: dict[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            records = self._kind(kind)
            current = records.get(str(key))
            if current is None:
                return None
            record = {
                **copy_record(current),
                **copy_record(changes),
                KEYS[kind]: current[KEYS[kind]],
            }
            self._stored(kind, str(key), record)
            return copy_record(record)

    def replace(
        self, kind: str, key: Any, change: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> bool:
        """Swap one record for `change(record)` under the lock, copying nothing.

        `change` must build a new record (it may share the parts it leaves as they are)
        and never edit its argument: readers of `snapshot` and `peek` may hold the old one.
        False when there is no such record.
        """
        with self._lock:
            current = self._kind(kind).get(str(key))
            if current is None:
                return False
            self._stored(kind, str(key), change(current))
            return True

    def delete(self, kind: str, key: Any) -> bool:
        with self._lock:
            found = str(key) in self._kind(kind)
            self._stored(kind, str(key), None)
            return found

    def next_id(self, kind: str) -> int:
        with self._lock:
            key_field = KEYS[kind]
            ids = [r.get(key_field) for r in self._kind(kind).values()]
            return max([i for i in ids if isinstance(i, int)] + [0]) + 1

    def load(self, kind: str, records: Iterable[dict[str, Any]]) -> None:
        for record in records:
            self.put(kind, record)

    def clear(self) -> None:
        with self._lock:
            for records in self._records.values():
                records.clear()
            for kind, by_name in INDEXES.items():
                self._indexes[kind] = {name: _Index(values) for name, values in by_name.items()}
            self._tokens.clear()
            self._carts.clear()
            self.exceptions.clear()

    def log_exception(self, report_id: str, message: str) -> None:
        with self._lock:
            self.exceptions.append({"report_id": report_id, "message": message})

    # -- auth ------------------------------------------------------------------------------------

    def issue_admin_token(self, username: Any, password: Any) -> str | None:
        if (username, password) != self._admin:
            return None
        token = secrets.token_hex(16)
        with self._lock:
            self._tokens[token] = time.time() + ADMIN_TOKEN_LIFETIME_S
        return token

    def admin_token_valid(self, token: str) -> bool:
        with self._lock:
            expires = self._tokens.get(token)
            return expires is not None and expires > time.time()

    def expire_admin_tokens(self, token: str | None = None) -> int:
        """Revoke one admin token, or all: what an admin's "log out everywhere" does."""
        with self._lock:
            doomed = [token] if token else list(self._tokens)
            return sum(self._tokens.pop(t, None) is not None for t in doomed)

    # -- guest carts -----------------------------------------------------------------------------

    def create_guest_cart(self) -> str:
        """A masked quote id, 32 characters like Magento's."""
        cart_id = secrets.token_hex(16)
        with self._lock:
            self._carts.add(cart_id)
        return cart_id

    def has_guest_cart(self, cart_id: str) -> bool:
        with self._lock:
            return cart_id in self._carts
