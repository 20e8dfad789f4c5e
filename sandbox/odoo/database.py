"""The sandbox's database: one table per model, a lock, transactions, lookups by value.

Every RPC call runs in one transaction (`Database.transaction`): on any error its
changes are undone, as PostgreSQL would, which keeps "fails halfway through a create
list" honest. The ORM on top of it is `registry.py`.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sandbox.odoo import fieldinfo

if TYPE_CHECKING:
    from sandbox.odoo.registry import Model

Record = dict[str, Any]


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


class Database:
    """All tables of one sandbox database; one lock serialises calls like one worker would."""

    def __init__(self, name: str, models: dict[str, Model], major: int = 18) -> None:
        self.name = name
        self.models = models
        #: The Odoo major version spoken (a few signatures differ: name_search in 19).
        self.major = major
        self.lock = threading.RLock()
        self.tables: dict[str, dict[int, Record]] = {m: {} for m in models}
        self.sequences: dict[str, int] = {m: 0 for m in models}
        self._journal: list[tuple[str, int, Record | None]] | None = None
        self._journaled: set[tuple[str, int]] = set()
        self._indexes: dict[str, dict[str, Index]] = {m: {} for m in models}
        #: Records remembered since the indexes were last brought up to date (see `lookup`).
        self._touched: dict[str, set[int]] = {m: set() for m in models}
        self._references: dict[str, list[tuple[str, str, str]]] | None = None
        #: `res.users.check`'s ormcache: the (uid, secret) pairs whose password hash was
        #: verified since the registry caches were last cleared (see credentials.py).
        self.checked_credentials: set[tuple[int, str]] = set()

    def clear_caches(self) -> None:
        """Odoo's `registry.clear_cache()`: the next RPC call re-checks its password."""
        self.checked_credentials.clear()

    def references(self, model: str) -> list[tuple[str, str, str]]:
        """(model, many2one, ON DELETE policy) of every foreign key to `model`."""
        if self._references is None:
            self._references = {}
            for m in self.models.values():
                for name, f in m.fields.items():
                    if f.type != "many2one" or f.relation not in self.models:
                        continue
                    policy = f.ondelete or fieldinfo.on_delete(m.name, name)
                    policy = policy or ("restrict" if f.required else "set null")
                    self._references.setdefault(f.relation, []).append((m.name, name, policy))
        return self._references.get(model, [])

    def many2many_references(self, model: str) -> list[tuple[str, str]]:
        """(model, many2many) of every relation table row that goes with a `model` record."""
        return [
            (m.name, name)
            for m in self.models.values()
            for name, f in m.fields.items()
            if f.type == "many2many" and f.relation == model
        ]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            outer = self._journal is not None
            if not outer:
                self._journal = []
            try:
                yield
            except BaseException:
                if not outer:
                    self._rollback()
                raise
            finally:
                if not outer:
                    self._journal = None
                    self._journaled.clear()
                    self._reindex()

    def _rollback(self) -> None:
        for model, rid, old in reversed(self._journal or []):
            if old is None:
                self.tables[model].pop(rid, None)
            else:
                self.tables[model][rid] = old

    def remember(self, model: str, rid: int) -> None:
        """Called before a record changes: journal it for rollback, and stamp `write_date`.

        Every change moves `write_date` in Odoo, workflow methods included, and Bridge
        finds Odoo's changes by polling it.
        """
        old = self.tables[model].get(rid)
        self._touched[model].add(rid)
        # Only the first copy in a transaction matters: rollback restores the oldest one.
        if self._journal is not None and (model, rid) not in self._journaled:
            self._journaled.add((model, rid))
            self._journal.append((model, rid, copy.deepcopy(old) if old is not None else None))
        if old is not None:
            old["write_date"] = now()

    def lookup(self, model: str, name: str, value: Any) -> list[int]:
        """Ids of the `model` records whose field `name` holds `value`, in id order.

        For a many2many field, the records whose list contains `value`. What a one2many
        read, "the lines of this order" or "the moves of this picking" need: answered
        from an `Index` rather than a scan of the whole table, which made imports
        quadratic (bench/orders.py). The index is built on first use, is exact for
        records not touched since the last transaction ended, and the touched ones
        (model code changes records in place after `remember`) are checked one by one
        until the transaction ends, committed or rolled back, and folds them in.
        """
        table, touched = self.tables[model], self._touched[model]
        index = self._indexes[model].get(name)
        if index is None:
            index = self._indexes[model][name] = Index()
            for rid, rec in table.items():
                index.put(rid, rec.get(name))
        hits = {rid for rid in index.ids.get(value, ()) if rid not in touched}
        for rid in touched:
            rec = table.get(rid)
            held = rec.get(name) if rec is not None else None
            if held == value or (isinstance(held, list) and value in held):
                hits.add(rid)
        return sorted(hits)

    def _reindex(self) -> None:
        for model, touched in self._touched.items():
            table = self.tables[model]
            for name, index in self._indexes[model].items():
                for rid in touched:
                    index.put(rid, table[rid].get(name) if rid in table else _GONE)
            touched.clear()


_GONE = object()


def _keys(value: Any) -> list[Any]:
    """The index keys of a stored value: a many2many list's ids, else the value itself."""
    return value if isinstance(value, list) else [value]


class Index:
    """Ids by value for one field of one model (see `Database.lookup`)."""

    def __init__(self) -> None:
        self.ids: dict[Any, set[int]] = {}
        self._keys: dict[int, list[Any]] = {}

    def put(self, rid: int, value: Any) -> None:
        """File record `rid` under `value` (`_GONE`: the record no longer exists)."""
        for key in self._keys.pop(rid, ()):
            self.ids[key].discard(rid)
        if value is not _GONE:
            self._keys[rid] = keys = _keys(value)
            for key in keys:
                self.ids.setdefault(key, set()).add(rid)
