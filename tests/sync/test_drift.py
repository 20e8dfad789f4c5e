"""Drift reports over real HTTP against both sandboxes: stock per SKU and source, prices,
orders missing or in disagreeing states; each difference with both values and the side
that is right; and the repair plan's state corrections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import select

from bridge import db
from bridge.models import Binding, Connection, Direction, DriftItem, StockLevel
from bridge.sync import bindings, drift, logbook
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.drift import repair
from bridge.sync.stock import flows as stock
from tests.sync.test_stock import BAG, JACKET, Shop


@pytest.fixture
def shop(state_db: str, magento_sandbox: Any, odoo_sandbox: Any) -> Iterator[Shop]:
    shop = Shop(magento_sandbox, odoo_sandbox)
    shop.count(BAG, 10)
    shop.count(JACKET, 4)
    with shop.context() as ctx:
        stock.push_stock(ctx, [shop.ids[BAG], shop.ids[JACKET]])
    yield shop


def plant(shop: Shop, sku: str, quantity: float, source: str = "default") -> None:
    """A Magento quantity changed with no event reaching Bridge (an admin's edit, a lost
    webhook): the source item is rewritten in the sandbox directly."""
    shop.admin("POST", "records/source_items", {"key": f"{sku}\x00{source}", "sku": sku,
               "source_code": source, "quantity": quantity, "status": 1})  # fmt: skip


@contextmanager
def drift_context(shop: Shop) -> Iterator[drift.DriftContext]:
    with db.session_scope() as session:
        log = logbook.open_log(
            session, connection_id=shop.conn_id, entity=drift.ENTITY, direction=Direction.BOTH
        )
        conn = session.get(Connection, shop.conn_id)
        assert conn is not None
        yield drift.DriftContext(session, conn, magento_client(conn), odoo_client(conn), log.id)


def report(shop: Shop, entities: list[str]) -> tuple[dict[str, Any], list[DriftItem]]:
    with drift_context(shop) as ctx:
        result = drift.run_report(ctx, entities)
        log_id = ctx.log_id
    with db.session_scope() as session:
        items = list(session.scalars(select(DriftItem).where(DriftItem.log_id == log_id)))
    return result, items


def test_no_drift_when_both_sides_agree(shop: Shop) -> None:
    result, items = report(shop, ["stock"])
    assert items == []
    assert result["compared"] == {"stock": 2}
    assert result["total"] == 0


def test_magento_quantity_changed_behind_bridges_back(shop: Shop) -> None:
    plant(shop, BAG, 3)
    _, [item] = report(shop, ["stock"])
    assert (item.kind, item.key, item.scope) == ("stock", BAG, "default")
    assert (item.magento_value, item.odoo_value) == ("3", "10")
    # Inventory sync is on by default: a Magento change is counted into Odoo.
    assert item.truth == "magento"
    assert "Magento changed since both sides agreed on 10" in (item.note or "")

    shop.settings(inventory_sync=False)
    _, [item] = report(shop, ["stock"])
    assert item.truth == "odoo"
    assert "inventory sync is off" in (item.note or "")


def test_odoo_quantity_changed_and_the_repair_corrects_the_agreed_level(shop: Shop) -> None:
    shop.count(JACKET, 9)
    plant(shop, JACKET, 2)
    _, [item] = report(shop, ["stock"])
    assert (item.magento_value, item.odoo_value, item.truth) == ("2", "9", "odoo")
    assert "both sides changed" in (item.note or "")
    with db.session_scope() as session:
        items = repair.pending_items(session, item.log_id)
        plan = repair.plan(session, shop.conn_id, items)
        assert plan.stock_push == {shop.ids[JACKET]: [item.id]}
    with db.session_scope() as session:
        level = session.scalars(select(StockLevel).where(StockLevel.sku == JACKET)).one()
        assert level.quantity == 2  # what Magento holds, so the normal push sends Odoo's 9
    with shop.context() as ctx:
        result = stock.push_stock(ctx, [shop.ids[JACKET]])
    assert result["pushed"] == 1
    assert shop.source_qty(JACKET) == 9
    _, items = report(shop, ["stock"])
    assert items == []


def test_stock_drift_reads_pages_not_records(shop: Shop) -> None:
    """Remote calls grow with pages of SKUs: a fixed setup plus one read per side per page."""
    result, _ = report(shop, ["stock"])
    # Setup: warehouses (Odoo), sources (Magento); one page: one Odoo read (one warehouse)
    # and one Magento source-items search.
    assert result["remote_calls"]["magento"] <= 3  # + the admin token
    assert result["remote_calls"]["odoo"] <= 3  # + authenticate


def test_price_drift_names_odoo_while_the_export_runs(shop: Shop) -> None:
    shop.odoo.write("product.product", [shop.ids[BAG]], {"lst_price": 45.5})
    shop.admin("POST", "records/products", {
        **shop.admin("GET", f"records/products/{BAG}"), "price": 32})  # fmt: skip
    result, items = report(shop, ["prices"])
    [item] = [i for i in items if i.key == BAG]
    assert (item.kind, item.magento_value, item.odoo_value) == ("price", "32", "45.5")
    assert item.truth == "odoo"
    assert item.odoo_template_id is not None
    with db.session_scope() as session:
        binding = bindings.bind(session, shop.conn_id, "product_template", BAG,
                                "product.template", item.odoo_template_id)  # fmt: skip
        binding.fingerprint = "f" * 64
    with db.session_scope() as session:
        plan = repair.plan(session, shop.conn_id, repair.pending_items(session, item.log_id))
        assert item.odoo_template_id in plan.product_export
    with db.session_scope() as session:
        binding = session.scalars(
            select(Binding).where(Binding.entity == "product_template", Binding.magento_key == BAG)
        ).one()
        assert binding.fingerprint is None  # the export will write it, not skip it
    assert result["compared"]["prices"] >= 1


def test_orders_missing_in_odoo_and_states_that_disagree(shop: Shop) -> None:
    """The seed's orders, none imported: each in an imported state is missing in Odoo."""
    with shop.context() as ctx:
        conn = ctx.connection
        states = list(conn.order_states)
    result, items = report(shop, ["orders"])
    missing = {i.key: i for i in items if i.kind == "order_missing_odoo"}
    assert "000000014" in missing
    assert missing["000000014"].truth == "magento"
    assert missing["000000014"].odoo_value is None
    for item in missing.values():
        if item.repairable:
            assert item.magento_value.split(";")[0] in states
    assert result["compared"]["orders"] >= len(missing)
    with db.session_scope() as session:
        plan = repair.plan(session, shop.conn_id, repair.pending_items(session, items[0].log_id))
    assert "000000014" in plan.order_pull
