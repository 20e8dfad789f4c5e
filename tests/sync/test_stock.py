"""Stock both ways, over real HTTP against both sandboxes: MSI on and off, auto-apply on and
off, several warehouses, no echo, and bad records kept with their reason."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bridge import db
from bridge.models import Connection, StockLevel, SyncLog
from bridge.sync import bindings, pull
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.stock import flows as stock
from tests.conftest import register_connection

WH_STOCK = 8  # WH/Stock on a fresh Odoo 18
BAG, JACKET, RACER = "24-WG02", "MH09-L-Blue", "RACER"


@pytest.fixture
def shop(state_db: str, magento_sandbox: Any, odoo_sandbox: Any) -> Iterator[Shop]:
    yield Shop(magento_sandbox, odoo_sandbox)


class Shop:
    """Both sandboxes, a connection, and three storable products known to both sides.

    24-WG02 and MH09-L-Blue are bound (as the product sync leaves them); RACER is found by
    its Internal Reference.
    """

    def __init__(self, magento: Any, odoo: Any) -> None:
        self.magento_sandbox, self.odoo_sandbox = magento, odoo
        self.conn_id = register_connection(magento, odoo)
        with self.context() as ctx:
            self.odoo = ctx.odoo
            self.api = ctx.magento
            self.ids = dict(zip((BAG, JACKET, RACER), self.odoo.create("product.product", [
                {"name": sku, "default_code": sku, "type": "consu", "is_storable": True}
                for sku in (BAG, JACKET, RACER)
            ]), strict=True))  # fmt: skip
            for sku in (BAG, JACKET):
                bindings.bind(ctx.session, self.conn_id, "product", sku, "product.product",
                              self.ids[sku])  # fmt: skip

    @contextmanager
    def context(self) -> Iterator[stock.StockContext]:
        with db.session_scope() as session:
            conn = session.get(Connection, self.conn_id)
            assert conn is not None
            yield stock.StockContext(session, conn, magento_client(conn), odoo_client(conn))

    def settings(self, **values: Any) -> None:
        with db.session_scope() as session:
            conn = session.get(Connection, self.conn_id)
            for key, value in values.items():
                setattr(conn, key, value)

    # -- Odoo -------------------------------------------------------------------------------

    def count(self, sku: str, quantity: float, location: int = WH_STOCK) -> None:
        """A count applied in Odoo, as a warehouse worker makes it."""
        self.odoo.create(
            "stock.quant",
            [{"product_id": self.ids[sku], "location_id": location,
              "inventory_quantity_auto_apply": quantity}],
            context={"inventory_mode": True},
        )  # fmt: skip

    def sell(self, sku: str, quantity: float) -> None:
        """A confirmed sale order: its delivery reserves the quantity in WH."""
        [partner] = self.odoo.create("res.partner", [{"name": "Kim"}])
        [order] = self.odoo.create("sale.order", [{"partner_id": partner, "order_line": [
            (0, 0, {"product_id": self.ids[sku], "product_uom_qty": quantity})]}])  # fmt: skip
        self.odoo.call("sale.order", "action_confirm", [order])

    def odoo_qty(self, sku: str, warehouse: int = 1) -> tuple[float, float]:
        [row] = self.odoo.read("product.product", [self.ids[sku]], ["qty_available", "free_qty"],
                               context={"warehouse_id": warehouse})  # fmt: skip
        return row["qty_available"], row["free_qty"]

    def quant(self, sku: str, location: int = WH_STOCK) -> dict[str, Any]:
        [row] = self.odoo.search_read(
            "stock.quant",
            [("product_id", "=", self.ids[sku]), ("location_id", "=", location)],
            ["quantity", "inventory_quantity", "inventory_quantity_set"],
        )
        return row

    def warehouse(self, code: str) -> tuple[int, int]:
        """A second warehouse: its id and its stock location."""
        [wh] = self.odoo.create("stock.warehouse", [{"name": code.title(), "code": code}])
        [row] = self.odoo.read("stock.warehouse", [wh], ["lot_stock_id"])
        return wh, row["lot_stock_id"][0]

    # -- Magento ----------------------------------------------------------------------------

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        url = f"{self.magento_sandbox.url}/__sandbox__/{path}"
        response = requests.request(method, url, json=body, timeout=5)
        response.raise_for_status()
        return response.json()

    def add_source(self, code: str) -> None:
        """Magento's `POST /V1/inventory/sources` is not in the sandbox: its admin route is."""
        self.admin("POST", "records/sources", {"source_code": code, "name": code.title(),
                                               "enabled": True, "country_id": "US",
                                               "postcode": "00000"})  # fmt: skip

    def source_qty(self, sku: str, source: str = "default") -> float | None:
        items = self.admin("GET", "records/source_items")
        found = [i for i in items if i["sku"] == sku and i["source_code"] == source]
        return found[0]["quantity"] if found else None

    def magento_requests(self) -> int:
        return int(self.admin("GET", "stats")["requests"])

    def reset_requests(self) -> None:
        self.admin("DELETE", "stats")

    # -- Bridge -----------------------------------------------------------------------------

    def poll(self) -> dict[str, Any]:
        """What the poll and push tasks do, without Celery: Odoo's changes to Magento."""
        with self.context() as ctx:
            ids, newest = stock.changed_product_ids(ctx)
            result = stock.push_stock(ctx, ids)
            pull.save_cursor(ctx.session, self.conn_id, stock.STREAM, newest)
        return result

    def pull(self) -> dict[str, Any]:
        """What the pull and apply tasks do: Magento's quantities of bound SKUs to Odoo."""
        with self.context() as ctx:
            skus = sorted(bindings.magento_keys(ctx.session, self.conn_id, "product"))
            fresh = stock.incoming(ctx, stock.magento_quantities(ctx, skus))
        return self.apply(fresh) | {"read_changes": len(fresh)}

    def apply(self, items: list[Any]) -> dict[str, Any]:
        with self.context() as ctx:
            return stock.apply_magento_stock(ctx, items)

    def levels(self) -> dict[tuple[str, str], tuple[float, float | None]]:
        with db.session_scope() as session:
            rows = session.scalars(select(StockLevel).where(StockLevel.connection_id ==
                                                            self.conn_id))  # fmt: skip
            return {(r.sku, r.source_code): (r.quantity, r.pending_count) for r in rows}

    def failed(self, entity: str) -> list[SyncLog]:
        with db.session_scope() as session:
            logs = session.scalars(
                select(SyncLog).where(SyncLog.entity == entity).order_by(SyncLog.id)
            ).all()
            session.expunge_all()
            return list(logs)


# -- Odoo -> Magento ---------------------------------------------------------------------------


def test_free_quantity_reaches_the_default_source(shop: Shop):
    shop.count(BAG, 10)
    shop.sell(BAG, 3)
    shop.count(JACKET, 4)
    assert shop.odoo_qty(BAG) == (10, 7)

    result = shop.poll()
    assert (result["pushed"], result["failed"], result["msi"]) == (2, 0, True)
    # Free quantity: the 3 sold and not yet shipped are not for sale again.
    assert shop.source_qty(BAG) == 7
    assert shop.source_qty(JACKET) == 4
    assert shop.api.get(f"stockItems/{BAG}")["qty"] == 7  # the legacy stock item follows
    # RACER is neither bound nor moved in Odoo: Magento keeps its own quantity.
    assert shop.source_qty(RACER) == 100
    assert shop.levels() == {(BAG, "default"): (7, None), (JACKET, "default"): (4, None)}

    # Nothing changed since: the next poll sends nothing and asks Magento nothing.
    shop.reset_requests()
    again = shop.poll()
    assert again["pushed"] == 0 and shop.magento_requests() == 0

    # One more sale: only that SKU travels.
    shop.sell(BAG, 2)
    moved = shop.poll()
    assert (moved["pushed"], moved["unchanged"]) == (1, 1)  # JACKET: read again, not sent
    assert shop.source_qty(BAG) == 5


def test_two_warehouses_feed_two_sources(shop: Shop):
    east, east_stock = shop.warehouse("EAST")
    shop.add_source("east")
    shop.settings(stock_sources={"WH": "default", "EAST": "east"})
    shop.count(BAG, 10)
    shop.count(BAG, 6, location=east_stock)
    shop.count(JACKET, 2, location=east_stock)
    shop.sell(BAG, 1)  # reserved in WH

    result = shop.poll()
    assert (result["pushed"], result["failed"]) == (4, 0)
    assert (shop.source_qty(BAG), shop.source_qty(BAG, "east")) == (9, 6)
    assert (shop.source_qty(JACKET), shop.source_qty(JACKET, "east")) == (0, 2)
    source_item = shop.api.get("inventory/source-items", params={
        "searchCriteria[filter_groups][0][filters][0][field]": "source_code",
        "searchCriteria[filter_groups][0][filters][0][value]": "east"})["items"]  # fmt: skip
    assert {i["sku"]: i["status"] for i in source_item} == {BAG: 1, JACKET: 1}

    # A Magento count at the east source lands in the EAST warehouse.
    shop.settings(inventory_auto_apply=True)
    applied = shop.apply([{"sku": JACKET, "source_code": "east", "quantity": 5}])
    assert applied["counted"] == 1
    assert shop.odoo_qty(JACKET, warehouse=east) == (5, 5)
    assert shop.odoo_qty(JACKET) == (0, 0)


def test_a_mapped_source_magento_lacks_fails_its_items_only(shop: Shop):
    _, east_stock = shop.warehouse("EAST")
    shop.settings(stock_sources={"WH": "default", "EAST": "east"})  # no "east" in Magento
    shop.count(BAG, 3)
    shop.count(BAG, 4, location=east_stock)

    result = shop.poll()
    assert (result["pushed"], result["failed"]) == (1, 1)
    assert shop.source_qty(BAG) == 3
    [log] = shop.failed(stock.TO_MAGENTO)
    assert log.key == "source:east" and str(log.state) == "failed"
    assert "Magento has no source 'east'" in log.reason
    assert log.payload["items"] == [
        {"sku": BAG, "source_code": "east", "quantity": 4, "before": None}
    ]


def test_without_msi_the_default_warehouse_goes_to_the_legacy_stock_item(shop: Shop):
    _, east_stock = shop.warehouse("EAST")
    shop.settings(stock_sources={"WH": "default", "EAST": "east"})
    shop.admin("POST", "msi", {"enabled": False})
    shop.count(BAG, 12)
    shop.count(JACKET, 9, location=east_stock)

    result = shop.poll()
    assert (result["msi"], result["pushed"], result["failed"]) == (False, 2, 0)
    assert result["not_default_source"] == 2  # EAST feeds "east", which a store without MSI lacks
    assert shop.api.get(f"stockItems/{BAG}")["qty"] == 12
    assert shop.api.get(f"stockItems/{BAG}")["is_in_stock"] is True
    assert shop.api.get(f"stockItems/{JACKET}")["qty"] == 0
    assert shop.api.get(f"stockItems/{JACKET}")["is_in_stock"] is False
    assert (JACKET, "east") not in shop.levels()

    # Magento -> Odoo reads the legacy stock item as the default source.
    shop.settings(inventory_auto_apply=True)
    shop.api.put(f"products/{BAG}/stockItems/44", {"stockItem": {"qty": 20}})
    pulled = shop.pull()
    assert pulled["counted"] == 1
    assert shop.odoo_qty(BAG) == (20, 20)


def test_a_sku_magento_does_not_have_fails_alone(shop: Shop):
    nope_values = {"name": "Nope", "default_code": "NOPE-1", "type": "consu", "is_storable": True}
    [nope] = shop.odoo.create("product.product", [nope_values])
    shop.ids["NOPE-1"] = nope
    shop.count("NOPE-1", 5)
    shop.count(BAG, 5)

    result = shop.poll()
    assert (result["pushed"], result["failed"]) == (1, 1)
    assert shop.source_qty(BAG) == 5 and shop.source_qty("NOPE-1") is None
    [log] = shop.failed(stock.TO_MAGENTO)
    assert log.key == "NOPE-1"
    assert log.payload == {"sku": "NOPE-1", "source_code": "default", "quantity": 5,
                           "before": None, "product_id": nope}  # fmt: skip
    assert "Magento has no product with SKU 'NOPE-1'" in log.reason
    assert ("NOPE-1", "default") not in shop.levels()  # tried again on the next change


def test_a_sku_never_synced_goes_first_from_the_side_that_holds_it(shop: Shop):
    shop.settings(inventory_auto_apply=True)
    shop.count(BAG, 10)  # Odoo holds the bag; the jacket only Magento has (30)

    # Magento's quantities arrive first: the jacket is counted, the bag waits for Odoo's.
    applied = shop.apply([{"sku": BAG, "source_code": "default", "quantity": 100},
                          {"sku": JACKET, "source_code": "default", "quantity": 30}])  # fmt: skip
    assert (applied["counted"], applied["odoo_first"], applied["failed"]) == (1, 1, 0)
    assert shop.odoo_qty(BAG) == (10, 10) and shop.odoo_qty(JACKET) == (30, 30)

    polled = shop.poll()
    assert (polled["pushed"], polled["unchanged"]) == (1, 1)
    assert (shop.source_qty(BAG), shop.source_qty(JACKET)) == (10, 30)

    # The other order: Odoo's poll first leaves a product Odoo holds none of to Magento.
    with shop.context() as ctx:
        bindings.bind(ctx.session, shop.conn_id, "product", RACER, "product.product",
                      shop.ids[RACER])  # fmt: skip
    first = shop.poll()
    assert (first["pushed"], first["from_magento"]) == (0, 1)
    assert shop.source_qty(RACER) == 100
    assert shop.pull()["counted"] == 1 and shop.odoo_qty(RACER) == (100, 100)


# -- Magento -> Odoo ---------------------------------------------------------------------------


def test_auto_apply_moves_the_odoo_quantity_at_once_keeping_reservations(shop: Shop):
    shop.settings(inventory_auto_apply=True)
    shop.count(BAG, 10)
    shop.sell(BAG, 3)
    shop.poll()
    assert shop.source_qty(BAG) == 7

    result = shop.apply([{"sku": BAG, "source_code": "default", "quantity": 20}])
    assert (result["counted"], result["applied"], result["failed"]) == (1, True, 0)
    # On hand 23 = Magento's 20 for sale + the 3 reserved for the open delivery.
    assert shop.odoo_qty(BAG) == (23, 20)
    assert shop.quant(BAG)["inventory_quantity_set"] is False
    assert shop.levels()[(BAG, "default")] == (20, None)

    # Echo: Odoo's move is Bridge's own count; polling Odoo sends Magento nothing.
    shop.reset_requests()
    polled = shop.poll()
    assert (polled["pushed"], polled["unchanged"]) == (0, 1)
    assert shop.magento_requests() == 0


def test_without_auto_apply_the_count_waits_for_validation(shop: Shop):
    shop.count(BAG, 10)
    shop.sell(BAG, 3)
    shop.poll()
    # The merchant sets 20 in Magento; the event brings it.
    shop.api.post("inventory/source-items", {"sourceItems": [
        {"sku": BAG, "source_code": "default", "quantity": 20, "status": 1}]})  # fmt: skip

    result = shop.apply([{"sku": BAG, "source_code": "default", "quantity": 20}])
    assert (result["counted"], result["applied"]) == (1, False)
    quant = shop.quant(BAG)
    assert (quant["quantity"], quant["inventory_quantity"], quant["inventory_quantity_set"]) == (
        10, 23, True)  # fmt: skip
    assert shop.odoo_qty(BAG) == (10, 7)  # nothing moved yet
    assert shop.levels()[(BAG, "default")] == (20, 23)

    # Odoo still says 7 free; pushing it would undo the merchant's 20: it is held.
    shop.reset_requests()
    held = shop.poll()
    assert (held["held"], held["pushed"]) == (1, 0)
    assert shop.magento_requests() == 0 and shop.source_qty(BAG) == 20

    # Validated in Odoo: now both say 20, and nothing travels.
    shop.odoo.call("stock.quant", "action_apply_inventory", [quant["id"]])
    assert shop.odoo_qty(BAG) == (23, 20)
    after = shop.poll()
    assert (after["pushed"], after["held"]) == (0, 0)
    assert shop.levels()[(BAG, "default")] == (20, None)
    assert shop.source_qty(BAG) == 20


def test_a_count_discarded_in_odoo_releases_the_hold(shop: Shop):
    shop.count(BAG, 10)
    shop.poll()
    shop.apply([{"sku": BAG, "source_code": "default", "quantity": 4}])
    assert shop.poll()["held"] == 1
    # A warehouse worker counts 9 instead: no longer Bridge's count, Odoo's quantity wins.
    shop.count(BAG, 9)
    released = shop.poll()
    assert (released["held"], released["pushed"]) == (0, 1)
    assert shop.source_qty(BAG) == 9
    assert shop.levels()[(BAG, "default")] == (9, None)


def test_after_a_push_pulling_magento_changes_nothing_in_odoo(shop: Shop):
    shop.settings(inventory_auto_apply=True)
    shop.count(BAG, 10)
    shop.count(JACKET, 2)
    shop.sell(BAG, 3)
    shop.poll()
    moves_before = len(shop.odoo.search("stock.move", []))
    quants_before = shop.odoo.search_read("stock.quant", [], ["quantity", "inventory_quantity"])

    result = shop.pull()
    assert (result["read_changes"], result["counted"]) == (0, 0)
    # Even a redelivered event with Bridge's own numbers is an echo, not a change.
    echo = shop.apply([{"sku": BAG, "source_code": "default", "quantity": 7}])
    assert (echo["counted"], echo["echoes"]) == (0, 1)
    assert len(shop.odoo.search("stock.move", [])) == moves_before
    assert shop.odoo.search_read("stock.quant", [], ["quantity", "inventory_quantity"]) == (
        quants_before)  # fmt: skip


def test_pull_brings_a_quantity_changed_in_magento(shop: Shop):
    shop.settings(inventory_auto_apply=True)
    shop.count(JACKET, 2)
    shop.poll()
    shop.api.post("inventory/source-items", {"sourceItems": [
        {"sku": JACKET, "source_code": "default", "quantity": 15, "status": 1}]})  # fmt: skip
    result = shop.pull()
    assert (result["read_changes"], result["counted"]) == (2, 2)
    assert shop.odoo_qty(JACKET) == (15, 15)
    assert shop.odoo_qty(BAG) == (100, 100)  # never in Odoo: Magento's seed quantity comes
    # RACER is not bound: the pull (bound SKUs only) leaves it alone.
    assert (RACER, "default") not in shop.levels() and shop.odoo_qty(RACER) == (0, 0)


def test_inventory_sync_off_applies_nothing(shop: Shop):
    shop.settings(inventory_sync=False, inventory_auto_apply=True)
    shop.count(BAG, 10)
    result = shop.apply([{"sku": BAG, "source_code": "default", "quantity": 50}])
    assert result["counted"] == 0 and "inventory sync is off" in result["summary"]
    assert shop.odoo_qty(BAG) == (10, 10)
    assert shop.levels() == {}
    assert shop.pull()["counted"] == 0


def test_bad_items_are_kept_with_their_reason_and_the_rest_is_counted(shop: Shop):
    shop.settings(inventory_auto_apply=True)
    good = {"sku": BAG, "source_code": "default", "quantity": 6}
    unknown = {"sku": "NO-SUCH-SKU", "source_code": "default", "quantity": 1}
    unmapped = {"sku": JACKET, "source_code": "west", "quantity": 2}
    garbled = {"sku": RACER, "source_code": "default", "quantity": "plenty"}

    result = shop.apply([good, unknown, unmapped, garbled])
    assert (result["counted"], result["failed"]) == (1, 3)
    assert shop.odoo_qty(BAG) == (6, 6)
    logs = {log.key: log for log in shop.failed(stock.TO_ODOO)}
    assert set(logs) == {"NO-SUCH-SKU", JACKET, RACER}
    assert logs["NO-SUCH-SKU"].payload == unknown
    assert "Odoo has no product with Internal Reference 'NO-SUCH-SKU'" in logs["NO-SUCH-SKU"].reason
    assert logs[JACKET].payload == unmapped
    assert "Magento source 'west' is not mapped" in logs[JACKET].reason
    assert logs[RACER].payload == garbled and "not a number: 'plenty'" in logs[RACER].reason
    assert all(str(log.state) == "failed" for log in logs.values())


# -- dry run -----------------------------------------------------------------------------------


def test_plan_says_what_each_side_would_change_and_changes_nothing(shop: Shop):
    shop.settings(inventory_auto_apply=True)
    shop.count(BAG, 10)
    shop.sell(BAG, 3)
    shop.poll()
    shop.count(BAG, 12)  # Odoo: 9 free now
    shop.api.post("inventory/source-items", {"sourceItems": [
        {"sku": JACKET, "source_code": "default", "quantity": 15, "status": 1}]})  # fmt: skip
    levels = shop.levels()
    shop.reset_requests()

    with shop.context() as ctx:
        ids, _ = stock.product_ids(ctx, [BAG, JACKET])
        to_magento = stock.plan_to_magento(ctx, ids)
        to_odoo = stock.plan_to_odoo(ctx, [BAG, JACKET])
    assert [(p.side, p.sku, p.source_code, p.current, p.target) for p in to_magento] == [
        ("Magento", BAG, "default", 7, 9)
    ]
    # JACKET: Magento 15; BAG is on its way the other way, so Magento's 7 is not news.
    assert [(p.side, p.sku, p.current, p.target) for p in to_odoo] == [("Odoo", JACKET, 0, 15)]
    assert to_odoo[0].note == "count 15 on hand at WH, applied"
    assert shop.levels() == levels
    assert shop.odoo_qty(BAG) == (12, 9) and shop.odoo_qty(JACKET) == (0, 0)
    assert shop.source_qty(BAG) == 7
    assert shop.magento_requests() > 0  # it read Magento, and wrote nothing:
    routes = shop.admin("GET", "stats")["by_route"]
    writes = [r for r in routes if r.startswith(("POST", "PUT")) and "admin/token" not in r]
    assert writes == []
