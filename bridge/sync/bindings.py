"""Looking up and recording Bindings (Magento key <-> Odoo id) for one connection."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import Binding, utcnow


def by_keys(
    session: Session, connection_id: int, entity: str, keys: Iterable[str]
) -> dict[str, Binding]:
    """The bindings of these Magento keys, by key."""
    keys = list(keys)
    if not keys:
        return {}
    return {
        b.magento_key: b
        for b in session.scalars(
            select(Binding).where(
                Binding.connection_id == connection_id,
                Binding.entity == entity,
                Binding.magento_key.in_(keys),
            )
        )
    }


def by_odoo_id(session: Session, connection_id: int, entity: str, odoo_id: int) -> Binding | None:
    return session.scalars(
        select(Binding).where(
            Binding.connection_id == connection_id,
            Binding.entity == entity,
            Binding.odoo_id == odoo_id,
        )
    ).first()


def bound_odoo_ids(
    session: Session, connection_id: int, entity: str, odoo_ids: Iterable[int]
) -> set[int]:
    """Which of these Odoo ids are bound already."""
    odoo_ids = list(odoo_ids)
    if not odoo_ids:
        return set()
    return set(
        session.scalars(
            select(Binding.odoo_id).where(
                Binding.connection_id == connection_id,
                Binding.entity == entity,
                Binding.odoo_id.in_(odoo_ids),
            )
        )
    )


def magento_keys(session: Session, connection_id: int, entity: str) -> set[str]:
    """Every Magento key bound for this entity (the records Bridge already accounts for)."""
    return set(
        session.scalars(
            select(Binding.magento_key).where(
                Binding.connection_id == connection_id, Binding.entity == entity
            )
        )
    )


def bind(
    session: Session,
    connection_id: int,
    entity: str,
    magento_key: object,
    odoo_model: str,
    odoo_id: int,
    fingerprint: str | None = None,
) -> Binding:
    """Record who is who; the unique constraints refuse a second binding of either side."""
    binding = Binding(
        connection_id=connection_id,
        entity=entity,
        magento_key=str(magento_key),
        odoo_model=odoo_model,
        odoo_id=odoo_id,
        fingerprint=fingerprint,
    )
    session.add(binding)
    session.flush()
    return binding


def unbind(session: Session, connection_id: int, entity: str, keys: Iterable[str]) -> None:
    """Forget these Magento keys' bindings (their Odoo records are gone)."""
    for binding in by_keys(session, connection_id, entity, keys).values():
        session.delete(binding)
    session.flush()


def upsert(
    session: Session,
    connection_id: int,
    entity: str,
    magento_key: object,
    odoo_model: str,
    odoo_id: int,
    fingerprint: str | None = None,
    magento_fingerprint: str | None = None,
) -> Binding:
    """Bind, or move an existing binding of either side to this pair (a renamed SKU).

    `fingerprint` None keeps the one stored; so does `magento_fingerprint`.
    """
    key = str(magento_key)
    magento = {key: magento_fingerprint} if magento_fingerprint is not None else None
    pairs = {key: (odoo_id, fingerprint)}
    upsert_many(session, connection_id, entity, odoo_model, pairs, magento)
    found = by_keys(session, connection_id, entity, [key])[key]
    return found


def upsert_many(
    session: Session,
    connection_id: int,
    entity: str,
    odoo_model: str,
    pairs: dict[str, tuple[int, str | None]],
    magento_fingerprints: dict[str, str] | None = None,
) -> None:
    """`upsert` for a page: Magento key -> (Odoo id, fingerprint or None to keep it), and
    the keys' `magento_fingerprint`s when Magento holds other values than Odoo.

    Two queries find what is bound already and one flush writes everything, instead of
    a few queries and a flush per record (the cost a page of 2,000 used to spend here).
    """
    if not pairs:
        return
    keys, ids = list(pairs), [odoo_id for odoo_id, _ in pairs.values()]
    by_key: dict[str, Binding] = {}
    by_id: dict[int, Binding] = {}
    for i in range(0, len(keys), 1000):
        for b in session.scalars(
            select(Binding).where(
                Binding.connection_id == connection_id,
                Binding.entity == entity,
                Binding.magento_key.in_(keys[i : i + 1000])
                | Binding.odoo_id.in_(ids[i : i + 1000]),
            )
        ):
            by_key[b.magento_key], by_id[b.odoo_id] = b, b
    now = utcnow()
    for key, (odoo_id, fingerprint) in pairs.items():
        binding = by_id.get(odoo_id) or by_key.get(key)
        if binding is None:
            binding = Binding(
                connection_id=connection_id,
                entity=entity,
                magento_key=key,
                odoo_model=odoo_model,
                odoo_id=odoo_id,
            )
            session.add(binding)
        else:
            clash = by_key.get(key)
            if clash is not None and clash is not binding:
                session.delete(clash)  # the SKU moved to another Odoo record
                session.flush()  # the delete must reach the table before the key moves
        binding.magento_key, binding.odoo_model, binding.odoo_id = key, odoo_model, odoo_id
        if fingerprint is not None:
            binding.fingerprint = fingerprint
        if magento_fingerprints and key in magento_fingerprints:
            binding.magento_fingerprint = magento_fingerprints[key]
        binding.synced_at = now
        by_key[key], by_id[odoo_id] = binding, binding
    session.flush()
