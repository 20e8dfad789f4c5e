"""Mirror a full Magento list into our rows and, through Bindings, into Odoo records.

Used by the setup imports, where Magento hands us the whole list every time:
new keys are created (after looking for an Odoo record with the same natural key,
so a retried run binds instead of duplicating), changed ones written, vanished
ones archived on both sides. Odoo gets at most one `create` per run and one
`write` per changed record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.clients.odoo import OdooClient
from bridge.mappers.fingerprint import fingerprint
from bridge.models import Binding, utcnow
from bridge.sync import bindings


@dataclass
class Outcome:
    """What one reconcile did, for the SyncLog result and the CLI."""

    entity: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    failed: int = 0
    records: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class OdooSide:
    """How the rows of one entity appear in Odoo."""

    model: str
    #: Row -> the values Odoo should hold.
    values: Callable[[Any], dict[str, Any]]
    #: Rows without a binding -> {key: odoo id} of records found by natural key.
    find_existing: Callable[[list[Any]], Mapping[str, int]]


@dataclass
class Upserted:
    present: dict[str, Any]
    vanished: list[Any]
    created: int = 0
    updated: int = 0


def upsert_rows(
    session: Session,
    model: type,
    connection_id: int,
    key_attr: str,
    rows: Iterable[Any],
) -> Upserted:
    """Make our table match `rows`; rows no longer listed are marked inactive."""
    existing = {
        str(getattr(r, key_attr)): r
        for r in session.scalars(select(model).where(model.connection_id == connection_id))
    }
    out = Upserted(present={}, vanished=[])
    for row in rows:
        key = str(getattr(row, key_attr))
        values = asdict(row)
        db_row = existing.get(key)
        if db_row is None:
            db_row = model(connection_id=connection_id, **values)
            session.add(db_row)
            out.created += 1
        else:
            changed = {a: v for a, v in values.items() if getattr(db_row, a) != v}
            if changed or not db_row.active:
                out.updated += 1
            for attr, value in changed.items():
                setattr(db_row, attr, value)
        db_row.active = True
        out.present[key] = db_row
    out.vanished = [r for k, r in existing.items() if k not in out.present and r.active]
    for db_row in out.vanished:
        db_row.active = False
    session.flush()
    return out


def reconcile(
    session: Session,
    odoo: OdooClient | None,
    *,
    connection_id: int,
    entity: str,
    model: type,
    key_attr: str,
    rows: list[Any],
    odoo_side: OdooSide | None,
    label: Callable[[Any], str],
    keep_vanished: bool = False,
) -> Outcome:
    """Mirror `rows` into `model` and, when `odoo_side` is given, into Odoo via Bindings."""
    outcome = Outcome(entity=entity)
    upserted = upsert_rows(session, model, connection_id, key_attr, rows)
    vanished = upserted.vanished
    if keep_vanished:
        for db_row in vanished:
            db_row.active = True
        vanished = []
    bound: dict[str, Binding] = {}
    if odoo_side is not None and odoo is not None:
        bound = _sync_odoo(
            session, odoo, outcome, connection_id, entity, rows, key_attr, odoo_side, vanished
        )
    else:
        outcome.created, outcome.updated = upserted.created, upserted.updated
        outcome.unchanged = len(rows) - upserted.created - upserted.updated
        outcome.archived = len(vanished)
    for row in rows:
        key = str(getattr(row, key_attr))
        binding = bound.get(key)
        outcome.records.append(
            {"key": key, "name": label(row), "odoo_id": binding.odoo_id if binding else None}
        )
    return outcome


def _sync_odoo(
    session: Session,
    odoo: OdooClient,
    outcome: Outcome,
    connection_id: int,
    entity: str,
    rows: list[Any],
    key_attr: str,
    side: OdooSide,
    vanished: list[Any],
) -> dict[str, Binding]:
    bound = {
        b.magento_key: b
        for b in session.scalars(
            select(Binding).where(Binding.connection_id == connection_id, Binding.entity == entity)
        )
    }
    wanted = {str(getattr(r, key_attr)): {**side.values(r), "active": True} for r in rows}
    unbound = [r for r in rows if str(getattr(r, key_attr)) not in bound]
    found = dict(side.find_existing(unbound)) if unbound else {}
    to_create = [r for r in unbound if str(getattr(r, key_attr)) not in found]

    # Records that exist on both sides: write only what changed since the last sync.
    for key, values in wanted.items():
        fp = fingerprint(values)
        binding = bound.get(key)
        if binding is None and key in found:
            odoo.write(side.model, [found[key]], values)
            binding = bindings.bind(session, connection_id, entity, key, side.model, found[key], fp)
            bound[key] = binding
            outcome.updated += 1
        elif binding is not None:
            if binding.fingerprint == fp:
                outcome.unchanged += 1
                continue
            odoo.write(side.model, [binding.odoo_id], values)
            binding.fingerprint = fp
            binding.synced_at = utcnow()
            outcome.updated += 1

    if to_create:
        values_list = [wanted[str(getattr(r, key_attr))] for r in to_create]
        ids = odoo.create(side.model, values_list)
        for row, odoo_id, values in zip(to_create, ids, values_list, strict=True):
            key = str(getattr(row, key_attr))
            bound[key] = bindings.bind(
                session, connection_id, entity, key, side.model, odoo_id, fingerprint(values)
            )
        outcome.created += len(to_create)

    gone = [
        bound[str(getattr(r, key_attr))] for r in vanished if str(getattr(r, key_attr)) in bound
    ]
    if gone:
        odoo.write(side.model, [b.odoo_id for b in gone], {"active": False})
        for b in gone:
            b.fingerprint = fingerprint({"active": False})
            b.synced_at = utcnow()
    outcome.archived += len(vanished)
    session.flush()
    return bound
