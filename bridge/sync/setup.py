"""Setup imports: store structure and the mappings every later sync needs.

Each import reads Magento's full list, maps it, and mirrors it (`reconcile`):
re-running reflects updates and deletions and creates nothing twice. A record
that cannot be mapped becomes a failed SyncLog with its raw payload; the rest goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.clients.magento import MagentoClient
from bridge.clients.magento_search import SearchCriteria
from bridge.clients.odoo import OdooClient, m2o_id
from bridge.mappers import setup as m
from bridge.mappers.errors import MappingError
from bridge.models import (
    AttributeSet,
    Connection,
    Cursor,
    CustomerGroup,
    Direction,
    PaymentMethod,
    ShippingMethod,
    Store,
    StoreView,
    Website,
)
from bridge.sync.logbook import failed_record
from bridge.sync.reconcile import OdooSide, Outcome, reconcile

T = TypeVar("T")

#: Odoo reads of archived records too: a natural-key lookup must find what we archived.
WITH_ARCHIVED = {"active_test": False}
#: Fields trimmed from the order scan that discovers payment and shipping methods.
ORDER_METHOD_FIELDS = (
    "items[increment_id,updated_at,shipping_description,payment[method,additional_information],"
    "extension_attributes[shipping_assignments[shipping[method]]]],total_count"
)


@dataclass
class SetupContext:
    session: Session
    connection: Connection
    magento: MagentoClient
    odoo: OdooClient

    @property
    def connection_id(self) -> int:
        return self.connection.id


def _map_all(
    ctx: SetupContext,
    entity: str,
    payloads: Iterable[Mapping[str, Any]],
    mapper: Callable[[Mapping[str, Any]], T],
    key: Callable[[Mapping[str, Any]], object],
) -> tuple[list[T], int]:
    """Map each payload; keep the ones that fail in failed logs. Returns (rows, failures)."""
    rows: list[T] = []
    failures = 0
    for payload in payloads:
        try:
            rows.append(mapper(payload))
        except MappingError as exc:
            failures += 1
            failed_record(
                ctx.session,
                connection_id=ctx.connection_id,
                entity=entity,
                direction=Direction.MAGENTO_TO_ODOO,
                key=str(key(payload)) if key(payload) is not None else None,
                payload=dict(payload) if isinstance(payload, Mapping) else payload,
                reason=f"cannot import this {entity.replace('_', ' ')}: {exc}",
            )
    return rows, failures


def import_websites(ctx: SetupContext) -> dict[str, Any]:
    """Websites (-> Odoo sales teams), stores and store views (kept in Bridge)."""
    websites = [w for w in ctx.magento.store_websites() if not m.is_admin_scope(w)]
    groups = [g for g in ctx.magento.store_groups() if not m.is_admin_scope(g)]
    views = [v for v in ctx.magento.store_views() if not m.is_admin_scope(v)]
    configs = {c.get("id"): c for c in ctx.magento.store_configs()}

    site_rows, site_failed = _map_all(ctx, "website", websites, m.website, lambda p: p.get("id"))
    store_rows, store_failed = _map_all(ctx, "store", groups, m.store, lambda p: p.get("id"))
    view_rows, view_failed = _map_all(
        ctx,
        "store_view",
        views,
        lambda p: m.store_view(p, configs.get(p.get("id"))),
        lambda p: p.get("id"),
    )

    def find_teams(rows: list[m.WebsiteRow]) -> dict[str, int]:
        names = {m.team_values(r)["name"]: str(r.magento_id) for r in rows}
        found = ctx.odoo.search_read(
            "crm.team", [("name", "in", list(names))], ["name"], context=WITH_ARCHIVED
        )
        return {names[t["name"]]: t["id"] for t in found}

    sites = reconcile(
        ctx.session,
        ctx.odoo,
        connection_id=ctx.connection_id,
        entity="website",
        model=Website,
        key_attr="magento_id",
        rows=site_rows,
        odoo_side=OdooSide("crm.team", m.team_values, find_teams),
        label=lambda r: f"{r.name} ({r.code})",
    )
    sites.failed = site_failed
    stores = _local("store", Store, store_rows, store_failed, ctx, lambda r: r.name)
    store_views = _local(
        "store_view", StoreView, view_rows, view_failed, ctx, lambda r: f"{r.name} ({r.code})"
    )
    return _result(sites, stores, store_views)


def import_attribute_sets(ctx: SetupContext) -> dict[str, Any]:
    payloads = [s for s in ctx.magento.attribute_sets() if m.is_product_attribute_set(s)]
    rows, failed = _map_all(
        ctx, "attribute_set", payloads, m.attribute_set, lambda p: p.get("attribute_set_id")
    )
    return _result(_local("attribute_set", AttributeSet, rows, failed, ctx, lambda r: r.name))


def import_customer_groups(ctx: SetupContext) -> dict[str, Any]:
    """Customer groups -> partner tags under a parent tag "Magento"."""
    rows, failed = _map_all(
        ctx,
        "customer_group",
        ctx.magento.customer_groups(),
        m.customer_group,
        lambda p: p.get("id"),
    )
    parent_id = _parent_tag(ctx.odoo)

    def find_tags(unbound: list[m.CustomerGroupRow]) -> dict[str, int]:
        codes = {r.code: str(r.magento_id) for r in unbound}
        found = ctx.odoo.search_read(
            "res.partner.category",
            [("name", "in", list(codes)), ("parent_id", "=", parent_id)],
            ["name"],
            context=WITH_ARCHIVED,
        )
        return {codes[t["name"]]: t["id"] for t in found}

    outcome = reconcile(
        ctx.session,
        ctx.odoo,
        connection_id=ctx.connection_id,
        entity="customer_group",
        model=CustomerGroup,
        key_attr="magento_id",
        rows=rows,
        odoo_side=OdooSide(
            "res.partner.category", lambda r: m.partner_tag_values(r, parent_id), find_tags
        ),
        label=lambda r: r.code,
    )
    outcome.failed = failed
    return _result(outcome)


def import_payment_methods(ctx: SetupContext) -> dict[str, Any]:
    """Methods offered at checkout, plus any seen on orders since the last run -> journals."""
    offered, failed = _map_all(
        ctx,
        "payment_method",
        ctx.magento.payment_methods_offered(),
        m.payment_method,
        lambda p: p.get("code"),
    )
    rows: dict[str, m.PaymentMethodRow] = {r.code: r for r in offered}
    seen, seen_failed = _scan_orders(ctx, "payment_methods", m.payment_method_of_order)
    for row in seen:
        rows.setdefault(row.code, row)
    # Methods once seen on orders stay mapped even when no longer offered.
    known = ctx.session.scalars(
        select(PaymentMethod).where(PaymentMethod.connection_id == ctx.connection_id)
    )
    for db_row in known:
        if db_row.code not in rows and not db_row.offered:
            rows[db_row.code] = m.PaymentMethodRow(
                db_row.code, db_row.title, db_row.online, offered=False
            )

    def find_journals(unbound: list[m.PaymentMethodRow]) -> dict[str, int]:
        codes = {m.journal_code(r.code): r.code for r in unbound}
        found = ctx.odoo.search_read(
            "account.journal", [("code", "in", list(codes))], ["code"], context=WITH_ARCHIVED
        )
        return {codes[j["code"]]: j["id"] for j in found}

    outcome = reconcile(
        ctx.session,
        ctx.odoo,
        connection_id=ctx.connection_id,
        entity="payment_method",
        model=PaymentMethod,
        key_attr="code",
        rows=list(rows.values()),
        odoo_side=OdooSide("account.journal", m.journal_values, find_journals),
        label=lambda r: f"{r.title} ({'online' if r.online else 'offline'})",
    )
    outcome.failed = failed + seen_failed
    return _result(outcome)


def import_shipping_methods(ctx: SetupContext) -> dict[str, Any]:
    """Shipping methods used on orders -> delivery carriers with their service products.

    Magento's REST API lists no carrier configuration without a cart, so the
    methods come from the orders themselves (only new orders are read on re-runs);
    those are exactly the methods an order import needs mapped.
    """
    seen, failed = _scan_orders(ctx, "shipping_methods", m.shipping_method_of_order)
    rows: dict[str, m.ShippingMethodRow] = {r.code: r for r in seen if r is not None}
    for db_row in ctx.session.scalars(
        select(ShippingMethod).where(ShippingMethod.connection_id == ctx.connection_id)
    ):
        rows.setdefault(
            db_row.code, m.ShippingMethodRow(db_row.code, db_row.carrier_code, db_row.title)
        )
    ordered = sorted(rows.values(), key=lambda r: r.code)
    products = _carrier_products(ctx.odoo, ordered)

    def find_carriers(unbound: list[m.ShippingMethodRow]) -> dict[str, int]:
        by_product = {products[r.code]: r.code for r in unbound}
        found = ctx.odoo.search_read(
            "delivery.carrier",
            [("product_id", "in", list(by_product))],
            ["product_id"],
            context=WITH_ARCHIVED,
        )
        return {by_product[m2o_id(c["product_id"])]: c["id"] for c in found}

    outcome = reconcile(
        ctx.session,
        ctx.odoo,
        connection_id=ctx.connection_id,
        entity="shipping_method",
        model=ShippingMethod,
        key_attr="code",
        rows=ordered,
        odoo_side=OdooSide(
            "delivery.carrier", lambda r: m.carrier_values(r, products[r.code]), find_carriers
        ),
        label=lambda r: r.title,
        keep_vanished=True,
    )
    outcome.failed = failed
    return _result(outcome)


def _carrier_products(odoo: OdooClient, rows: list[m.ShippingMethodRow]) -> dict[str, int]:
    """The service product of each carrier, found by its code or created in one call."""
    if not rows:
        return {}
    codes = {m.carrier_product_code(r): r for r in rows}
    found = odoo.search_read(
        "product.product",
        [("default_code", "in", list(codes))],
        ["default_code"],
        context=WITH_ARCHIVED,
    )
    ids = {codes[p["default_code"]].code: p["id"] for p in found}
    missing = [r for r in rows if r.code not in ids]
    if missing:
        new_ids = odoo.create("product.product", [m.carrier_product_values(r) for r in missing])
        ids.update({r.code: i for r, i in zip(missing, new_ids, strict=True)})
    return ids


def _scan_orders(
    ctx: SetupContext, stream: str, mapper: Callable[[Mapping[str, Any]], T]
) -> tuple[list[T], int]:
    """Map every order updated since this stream's cursor, then move the cursor on."""
    cursor = ctx.session.scalars(
        select(Cursor).where(Cursor.connection_id == ctx.connection_id, Cursor.stream == stream)
    ).first()
    criteria = SearchCriteria().order_by("updated_at", "ASC")
    if cursor is not None and cursor.value:
        criteria = criteria.where("updated_at", cursor.value, "gteq")
    orders = list(ctx.magento.iter_records("orders", criteria, fields=ORDER_METHOD_FIELDS))
    rows, failed = _map_all(
        ctx, stream.rstrip("s"), orders, mapper, lambda p: p.get("increment_id")
    )
    if orders:
        last = max(o.get("updated_at") or "" for o in orders)
        if cursor is None:
            cursor = Cursor(connection_id=ctx.connection_id, stream=stream)
            ctx.session.add(cursor)
        cursor.value = last or cursor.value
    return rows, failed


def _parent_tag(odoo: OdooClient) -> int:
    found = odoo.search(
        "res.partner.category",
        [("name", "=", m.GROUP_TAG_PARENT), ("parent_id", "=", False)],
        limit=1,
        context=WITH_ARCHIVED,
    )
    if found:
        return found[0]
    return odoo.create("res.partner.category", [{"name": m.GROUP_TAG_PARENT}])[0]


def _local(
    entity: str,
    model: type,
    rows: list[Any],
    failed: int,
    ctx: SetupContext,
    label: Callable[[Any], str],
) -> Outcome:
    outcome = reconcile(
        ctx.session,
        None,
        connection_id=ctx.connection_id,
        entity=entity,
        model=model,
        key_attr="magento_id",
        rows=rows,
        odoo_side=None,
        label=label,
    )
    outcome.failed = failed
    return outcome


def _result(*outcomes: Outcome) -> dict[str, Any]:
    return {"imports": [o.as_dict() for o in outcomes]}


#: The setup imports by the name the CLI and the tasks use.
IMPORTS: dict[str, Callable[[SetupContext], dict[str, Any]]] = {
    "websites": import_websites,
    "attribute-sets": import_attribute_sets,
    "customer-groups": import_customer_groups,
    "payment-methods": import_payment_methods,
    "shipping-methods": import_shipping_methods,
}
