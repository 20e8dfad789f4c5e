"""Odoo's side of stock: warehouses, which products are whose SKU, quantities, changes.

Products are matched by their `product` Binding (Magento SKU <-> product.product id,
written by the product sync), then by Internal Reference (`default_code`) in one batched
search. Only products that track inventory (`is_storable`) count: an untracked product
has no quantity in Odoo, and sending its 0 would put a sellable Magento product out of
stock.

Changes are found by polling `write_date` of `stock.move` (deliveries, receipts, counts
applied) and `stock.quant` (reservations, counts set), with the same overlap as the
other Odoo feeds, because Odoo stamps `write_date` at the start of a transaction that
may commit later.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.clients.odoo import OdooClient, m2o_id
from bridge.mappers import stock as sm
from bridge.models import Binding, StockLevel

ENTITY = "product"
ODOO_TIME = "%Y-%m-%d %H:%M:%S"
OVERLAP = timedelta(minutes=5)
#: Records per search page while polling, and ids per read.
PAGE = 2000
CHANGED_MODELS = ("stock.move", "stock.quant")


def warehouses(odoo: OdooClient) -> list[sm.Warehouse]:
    rows = odoo.search_read("stock.warehouse", [], ["code", "lot_stock_id"], order="id asc")
    return [sm.Warehouse(r["id"], str(r["code"]), m2o_id(r["lot_stock_id"]) or 0) for r in rows]


def bound_products(session: Session, connection_id: int) -> dict[str, int]:
    """SKU -> product.product id of every product the product sync bound."""
    rows = session.execute(
        select(Binding.magento_key, Binding.odoo_id).where(
            Binding.connection_id == connection_id, Binding.entity == ENTITY
        )
    )
    return {sku: odoo_id for sku, odoo_id in rows}


def _storable(odoo: OdooClient, domain: list[Any]) -> dict[str, int]:
    rows = odoo.search_read(
        "product.product", [*domain, ("is_storable", "=", True)], ["default_code"]
    )
    return {str(r["default_code"]): r["id"] for r in rows if r.get("default_code")}


def unleveled_bound(session: Session, connection_id: int) -> list[int]:
    """Bound products whose quantity was never agreed on: just bound, or never sent."""
    agreed = select(StockLevel.id).where(
        StockLevel.connection_id == connection_id, StockLevel.sku == Binding.magento_key
    )
    return list(
        session.scalars(
            select(Binding.odoo_id).where(
                Binding.connection_id == connection_id,
                Binding.entity == ENTITY,
                ~agreed.exists(),
            )
        )
    )


def on_hand(odoo: OdooClient, product_ids: Iterable[int]) -> dict[int, float]:
    """Product id -> quantity on hand in every warehouse (no warehouse in the context)."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    rows = odoo.read("product.product", ids, ["qty_available"])
    return {r["id"]: float(r.get("qty_available") or 0) for r in rows}


def products_by_sku(
    session: Session, odoo: OdooClient, connection_id: int, skus: Iterable[str]
) -> dict[str, int]:
    """SKU -> product id of the storable Odoo products of these SKUs (bound, then by code)."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    rows = session.execute(
        select(Binding.magento_key, Binding.odoo_id).where(
            Binding.connection_id == connection_id,
            Binding.entity == ENTITY,
            Binding.magento_key.in_(wanted),
        )
    )
    bound = {sku: odoo_id for sku, odoo_id in rows}
    found: dict[str, int] = {}
    if bound:
        storable = _storable(odoo, [("id", "in", sorted(bound.values()))])
        live = set(storable.values())
        found = {sku: pid for sku, pid in bound.items() if pid in live}
    rest = [s for s in wanted if s not in bound]
    if rest:
        found.update(_storable(odoo, [("default_code", "in", rest)]))
    return found


def skus_of(
    session: Session, odoo: OdooClient, connection_id: int, product_ids: Iterable[int]
) -> dict[int, str]:
    """Product id -> SKU of these products, the storable ones only."""
    ids = sorted(set(product_ids))
    out: dict[int, str] = {}
    for chunk in (ids[i : i + PAGE] for i in range(0, len(ids), PAGE)):
        rows = odoo.search_read(
            "product.product",
            [("id", "in", chunk), ("is_storable", "=", True)],
            ["default_code"],
        )
        codes = {r["id"]: r.get("default_code") for r in rows}
        bound = session.execute(
            select(Binding.odoo_id, Binding.magento_key).where(
                Binding.connection_id == connection_id,
                Binding.entity == ENTITY,
                Binding.odoo_id.in_(list(codes)),
            )
        )
        named = {odoo_id: sku for odoo_id, sku in bound}
        for pid, code in codes.items():
            sku = named.get(pid) or code
            if sku:
                out[pid] = str(sku)
    return out


def quantities(
    odoo: OdooClient, houses: Iterable[sm.Warehouse], product_ids: Iterable[int]
) -> dict[str, dict[int, sm.OdooQuantity]]:
    """Warehouse code -> product id -> on hand and free there: one read per warehouse."""
    ids = sorted(set(product_ids))
    out: dict[str, dict[int, sm.OdooQuantity]] = {}
    for house in houses:
        found: dict[int, sm.OdooQuantity] = {}
        for chunk in (ids[i : i + PAGE] for i in range(0, len(ids), PAGE)):
            rows = odoo.read(
                "product.product",
                chunk,
                ["qty_available", "free_qty"],
                context={"warehouse_id": house.id},
            )
            for r in rows:
                found[r["id"]] = sm.OdooQuantity(
                    float(r.get("qty_available") or 0), float(r.get("free_qty") or 0)
                )
        out[house.code] = found
    return out


def pending_counts(
    odoo: OdooClient, product_ids: Iterable[int], location_ids: Iterable[int]
) -> dict[tuple[int, int], float]:
    """(product id, location id) -> counted quantity of counts set and not yet applied."""
    ids, locations = sorted(set(product_ids)), sorted(set(location_ids))
    if not ids or not locations:
        return {}
    rows = odoo.search_read(
        "stock.quant",
        [
            ("product_id", "in", ids),
            ("location_id", "in", locations),
            ("inventory_quantity_set", "=", True),
        ],
        ["product_id", "location_id", "inventory_quantity"],
    )
    return {
        (m2o_id(r["product_id"]) or 0, m2o_id(r["location_id"]) or 0): float(
            r.get("inventory_quantity") or 0
        )
        for r in rows
    }


def window_start(cursor: str | None, since: str | None = None) -> str | None:
    if since:
        return since
    if not cursor:
        return None
    return (datetime.strptime(cursor, ODOO_TIME) - OVERLAP).strftime(ODOO_TIME)


def changed_products(odoo: OdooClient, start: str | None) -> tuple[set[int], str | None]:
    """Products whose moves or quants were written at or after `start` (all, with None);
    and the newest `write_date` seen."""
    domain: list[Any] = [("write_date", ">=", start)] if start else []
    products: set[int] = set()
    newest = ""
    for model in CHANGED_MODELS:
        offset = 0
        while True:
            rows = odoo.search_read(
                model,
                domain,
                ["product_id", "write_date"],
                order="write_date asc, id asc",
                limit=PAGE,
                offset=offset,
            )
            for r in rows:
                if (pid := m2o_id(r.get("product_id"))) is not None:
                    products.add(pid)
                newest = max(newest, str(r.get("write_date") or ""))
            if len(rows) < PAGE:
                break
            offset += PAGE
    return products, newest or None
