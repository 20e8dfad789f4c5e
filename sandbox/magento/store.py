"""The Magento sandbox's state: records by kind, admin tokens and guest carts.

Records are kept as the JSON Magento returns, keyed by the field Magento uses in
its URLs (`sku` for products, `entity_id` for sales documents, `id` elsewhere).
Every access holds one lock, so the threaded server can serve many requests.
Kinds not served over REST yet (categories, stock items) already have their slot so
later work only adds routes and rules. `locked()` holds the lock across a
read-modify-write of several records (a shipment and its order, say).
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections.abc import Iterable
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

#: Admin tokens live 4 hours in Magento by default (oauth/access_token_lifetime/admin).
ADMIN_TOKEN_LIFETIME_S = 4 * 3600


class UnknownKind(KeyError):
    pass


class MagentoStore:
    """Thread-safe in-memory records plus the auth state of one sandbox."""

    def __init__(self, admin_username: str, admin_password: str) -> None:
        self._lock = threading.RLock()
        self._records: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in KEYS}
        self._admin = (admin_username, admin_password)
        self._tokens: dict[str, float] = {}
        self._carts: set[str] = set()
        #: Whether the MSI modules are installed (`/V1/inventory/*` exists); not reset by clear().
        self.msi = True

    # -- records ---------------------------------------------------------------------------------

    def _kind(self, kind: str) -> dict[str, dict[str, Any]]:
        try:
            return self._records[kind]
        except KeyError:
            raise UnknownKind(kind) from None

    def list(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(list(self._kind(kind).values()))

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
            return copy.deepcopy(record) if record is not None else None

    def put(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        """Insert or replace a record; a missing numeric key gets the next id."""
        with self._lock:
            records = self._kind(kind)
            key_field = KEYS[kind]
            if record.get(key_field) is None:
                if key_field in ("sku", "code", "attribute_code", "source_code", "key", "bulk_id"):
                    raise ValueError(f"{kind} records need a {key_field!r}")
                record = {**record, key_field: self.next_id(kind)}
            records[str(record[key_field])] = copy.deepcopy(record)
            return copy.deepcopy(record)

    def update(self, kind: str, key: Any, changes: dict[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            records = self._kind(kind)
            current = records.get(str(key))
            if current is None:
                return None
            record = {
                **copy.deepcopy(current),
                **copy.deepcopy(changes),
                KEYS[kind]: current[KEYS[kind]],
            }
            records[str(key)] = record
            return copy.deepcopy(record)

    def delete(self, kind: str, key: Any) -> bool:
        with self._lock:
            return self._kind(kind).pop(str(key), None) is not None

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
            self._tokens.clear()
            self._carts.clear()

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
