"""Which Odoo products changed, found by polling `write_date`, written as draft logs.

A template counts as changed when it, one of its variants or one of its attribute values
(price extras) was written. Only templates that can become Magento products are kept:
goods for sale with an Internal Reference on a variant, and those already bound. Each becomes a
`draft` log keyed by its template id; a draft that is still waiting absorbs the change
(coalescing), so ten edits before the next flush are one Magento write.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bridge.clients.odoo import OdooClient, m2o_id
from bridge.models import Binding, Direction, LogState, SyncLog, utcnow
from bridge.sync import logbook, pull

ODOO_TIME = "%Y-%m-%d %H:%M:%S"
OVERLAP = timedelta(minutes=5)
STREAM = "odoo.products"
ENTITY = "product.export"
#: A template's key in logs: drafts coalesce per key.
KEY = "product.template:{}"
CHUNK = 1000


def _start(cursor: str | None, since: str | None) -> str | None:
    if since:
        return since
    if not cursor:
        return None
    return (datetime.strptime(cursor, ODOO_TIME) - OVERLAP).strftime(ODOO_TIME)


def changed_templates(
    odoo: OdooClient, start: str | None, template_ids: Iterable[int] | None = None
) -> dict[int, str]:
    """Template id -> the newest write_date of it, its variants and its attribute values."""
    since: list[Any] = [("write_date", ">=", start)] if start else []
    if template_ids is not None:
        ids = sorted(set(template_ids))
        rows = odoo.read("product.template", ids, ["write_date"]) if ids else []
        return {r["id"]: r["write_date"] for r in rows}
    newest: dict[int, str] = {}

    def seen(tmpl_id: int | None, stamp: str) -> None:
        if tmpl_id and stamp > newest.get(tmpl_id, ""):
            newest[tmpl_id] = stamp

    for row in odoo.search_read("product.template", since, ["write_date"]):
        seen(row["id"], row["write_date"])
    for model in ("product.product", "product.template.attribute.value"):
        for row in odoo.search_read(model, since, ["product_tmpl_id", "write_date"]):
            seen(m2o_id(row["product_tmpl_id"]), row["write_date"])
    return newest


def for_magento(
    session: Session, odoo: OdooClient, connection_id: int, changed: dict[int, str]
) -> dict[int, str]:
    """The changed templates Magento should hear about: bound already, or goods for sale
    with an Internal Reference (services and products not for sale stay in Odoo)."""
    ids = sorted(changed)
    bound = set(
        session.scalars(
            select(Binding.odoo_id).where(
                Binding.connection_id == connection_id, Binding.entity == "product_template"
            )
        )
    )
    coded: set[int] = set()
    for chunk in _chunks(ids):
        rows = odoo.search_read(
            "product.product",
            [
                ("product_tmpl_id", "in", chunk),
                ("default_code", "!=", False),
                ("type", "in", ["consu", "combo"]),
                ("sale_ok", "=", True),
            ],
            ["product_tmpl_id"],
        )
        coded |= {m2o_id(r["product_tmpl_id"]) or 0 for r in rows}
    return {i: stamp for i, stamp in changed.items() if i in coded or i in bound}


def record_changes(
    session: Session, connection_id: int, changed: dict[int, str], *, force: bool = False
) -> list[int]:
    """Draft logs for changed templates; a change already handled at the same stamp is skipped.

    Re-reading the overlap window finds the same changes again: a log that already ran
    (or waits) for that `write_date` is enough. `force` drafts them anyway (the CLI).
    """
    handled = {} if force else _handled(session, connection_id, changed)
    drafted = []
    for tmpl_id, stamp in sorted(changed.items()):
        if handled.get(KEY.format(tmpl_id), "") >= stamp:
            continue
        log = logbook.open_log(
            session,
            connection_id=connection_id,
            entity=ENTITY,
            direction=Direction.ODOO_TO_MAGENTO,
            key=KEY.format(tmpl_id),
            payload={"template_id": tmpl_id, "write_date": stamp},
            state=LogState.DRAFT,
        )
        drafted.append(log.id)
    session.flush()
    return drafted


def _handled(session: Session, connection_id: int, changed: dict[int, str]) -> dict[str, str]:
    """Key -> the newest write_date a log (waiting or finished) already covers."""
    out: dict[str, str] = {}
    keys = [KEY.format(i) for i in changed]
    for chunk in _chunks(keys):
        rows = session.execute(
            select(SyncLog.key, SyncLog.payload, SyncLog.state).where(
                SyncLog.connection_id == connection_id,
                SyncLog.entity == ENTITY,
                SyncLog.key.in_(chunk),
                SyncLog.state != LogState.DRAFT,
            )
        )
        for key, payload, _ in rows:
            stamp = str((payload or {}).get("write_date") or "")
            if key and stamp > out.get(key, ""):
                out[key] = stamp
    return out


def poll(
    session: Session,
    odoo: OdooClient,
    connection_id: int,
    *,
    since: str | None = None,
    template_ids: list[int] | None = None,
) -> dict[str, Any]:
    """Draft the products changed since the cursor (or `since`, or these templates)."""
    cursor = pull.cursor_value(session, connection_id, STREAM)
    targeted = template_ids is not None
    changed = changed_templates(odoo, None if targeted else _start(cursor, since), template_ids)
    wanted = for_magento(session, odoo, connection_id, changed)
    drafted = record_changes(session, connection_id, wanted, force=targeted or bool(since))
    if not targeted and changed:
        pull.save_cursor(session, connection_id, STREAM, max(changed.values()))
    return {"changed": len(changed), "drafted": len(drafted)}


def templates_for_skus(
    session: Session, odoo: OdooClient, connection_id: int, skus: list[str]
) -> dict[str, int]:
    """SKU -> Odoo template id: a bound configurable's SKU, or a variant's Internal Reference."""
    found = {
        b.magento_key: b.odoo_id
        for b in session.scalars(
            select(Binding).where(
                Binding.connection_id == connection_id,
                Binding.entity == "product_template",
                Binding.magento_key.in_(skus),
            )
        )
    }
    rest = [s for s in skus if s not in found]
    if rest:
        rows = odoo.search_read(
            "product.product", [("default_code", "in", rest)], ["default_code", "product_tmpl_id"]
        )
        found |= {r["default_code"]: m2o_id(r["product_tmpl_id"]) or 0 for r in rows}
    return found


def bound_skus(session: Session, connection_id: int, template_ids: list[int]) -> dict[int, str]:
    """Template id -> the Magento SKU it is bound to."""
    return {
        b.odoo_id: b.magento_key
        for b in session.scalars(
            select(Binding).where(
                Binding.connection_id == connection_id,
                Binding.entity == "product_template",
                Binding.odoo_id.in_(template_ids),
            )
        )
    }


def pending(
    session: Session, odoo: OdooClient, connection_id: int, since: str | None
) -> dict[int, str]:
    """What a poll would draft now, without drafting it (for --dry-run)."""
    cursor = pull.cursor_value(session, connection_id, STREAM)
    changed = changed_templates(odoo, _start(cursor, since))
    wanted = for_magento(session, odoo, connection_id, changed)
    handled = {} if since else _handled(session, connection_id, wanted)
    return {i: t for i, t in wanted.items() if handled.get(KEY.format(i), "") < t}


def claim_drafts(session: Session, connection_id: int, limit: int | None = None) -> list[int]:
    """Move waiting drafts to `queued` and return them; each draft is claimed once.

    The state check in the UPDATE makes two flushes at once split the drafts between
    them instead of both taking the same ones.
    """
    query = (
        select(SyncLog.id)
        .where(
            SyncLog.connection_id == connection_id,
            SyncLog.entity == ENTITY,
            SyncLog.state == LogState.DRAFT,
        )
        .order_by(SyncLog.id)
        .limit(limit)
    )
    ids = list(session.scalars(query))
    if not ids:
        return []
    claimed = session.scalars(
        update(SyncLog)
        .where(SyncLog.id.in_(ids), SyncLog.state == LogState.DRAFT)
        .values(state=LogState.QUEUED, updated_at=utcnow())
        .returning(SyncLog.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed)


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
