"""Stock mapping: warehouses to sources, free quantities out, counts in."""

from __future__ import annotations

import pytest

from bridge.mappers import stock as sm
from bridge.mappers.errors import MappingError

WH = sm.Warehouse(1, "WH", 8)
EAST = sm.Warehouse(2, "EAST", 20)


def test_no_mapping_means_the_first_warehouse_feeds_default():
    assert sm.source_map(None, [EAST, WH]) == {"WH": "default"}
    assert sm.source_map({}, [EAST, WH]) == {"WH": "default"}
    assert sm.source_map(None, []) == {}
    assert sm.source_map({"EAST": "east", "WH": "default"}, [WH]) == {
        "EAST": "east",
        "WH": "default",
    }


def test_without_msi_only_the_default_source_is_pushed():
    mapping = {"WH": "default", "EAST": "east"}
    assert sm.pushed_sources(mapping, msi=True) == mapping
    assert sm.pushed_sources(mapping, msi=False) == {"WH": "default"}
    assert sm.pushed_sources({"EAST": "east"}, msi=False) == {}


def test_the_warehouse_of_a_source_and_why_there_may_be_none():
    mapping = {"WH": "default", "EAST": "east", "WEST": "east", "GONE": "gone"}
    assert sm.warehouse_of_source(mapping, [WH, EAST], "default") == WH
    with pytest.raises(MappingError, match="'nowhere' is not mapped"):
        sm.warehouse_of_source(mapping, [WH, EAST], "nowhere")
    with pytest.raises(MappingError, match=r"several Odoo warehouses \(EAST, WEST\)"):
        sm.warehouse_of_source(mapping, [WH, EAST], "east")
    with pytest.raises(MappingError, match="no warehouse with short name 'GONE'"):
        sm.warehouse_of_source(mapping, [WH, EAST], "gone")


def test_free_quantity_is_on_hand_minus_reserved_never_negative():
    assert sm.free_quantity(sm.OdooQuantity(qty_available=10, free_qty=7)) == 7
    assert sm.free_quantity(sm.OdooQuantity(qty_available=-2, free_qty=-2)) == 0
    assert sm.OdooQuantity(10, 7).reserved == 3
    assert sm.OdooQuantity(0, 2).reserved == 0


def test_source_quantities_per_mapped_warehouse_and_summed_per_source():
    quantities = {
        "WH": {1: sm.OdooQuantity(10, 7), 2: sm.OdooQuantity(0, 0), 3: sm.OdooQuantity(5, 5)},
        "EAST": {1: sm.OdooQuantity(4, 4), 2: sm.OdooQuantity(1.5, 1.5)},
        "WEST": {1: sm.OdooQuantity(2, 1)},
    }
    skus = {1: "24-WG02", 2: "MH09-L-Blue"}  # product 3 has no SKU: left out
    mapping = {"WH": "default", "EAST": "east", "WEST": "east"}
    assert sm.source_quantities(mapping, quantities, skus) == {
        ("24-WG02", "default"): 7,
        ("MH09-L-Blue", "default"): 0,
        ("24-WG02", "east"): 5,
        ("MH09-L-Blue", "east"): 1.5,
    }
    # An unmapped warehouse feeds nothing.
    assert sm.source_quantities({"EAST": "east"}, quantities, skus) == {
        ("24-WG02", "east"): 4,
        ("MH09-L-Blue", "east"): 1.5,
    }


def test_source_item_is_in_stock_when_there_is_something_to_sell():
    assert sm.source_item("24-WG02", "default", 7) == {
        "sku": "24-WG02",
        "source_code": "default",
        "quantity": 7,
        "status": 1,
    }
    assert sm.source_item("24-WG02", "east", 0)["status"] == 0
    assert sm.source_item("24-WG02", "east", 0.00001)["quantity"] == 0


def test_legacy_stock_item_body():
    assert sm.legacy_stock_item(12) == {"stockItem": {"qty": 12, "is_in_stock": True}}
    assert sm.legacy_stock_item(-0.0) == {"stockItem": {"qty": 0, "is_in_stock": False}}


def test_magento_quantity_reads_source_items_and_legacy_items():
    assert sm.magento_quantity({"sku": "24-WG02", "source_code": "east", "quantity": "12"}) == {
        "sku": "24-WG02",
        "source_code": "east",
        "quantity": 12,
    }
    # A legacy stock item carries `qty` and no source: it is the default source.
    assert sm.magento_quantity({"sku": "RACER", "qty": 3, "status": 1})["source_code"] == "default"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("24-WG02", "must be an object"),
        ({"source_code": "default", "quantity": 1}, "has no sku"),
        ({"sku": "24-WG02", "quantity": "lots"}, "is not a number: 'lots'"),
        ({"sku": "24-WG02"}, "is not a number: None"),
        ({"sku": "24-WG02", "quantity": "nan"}, "is not a number"),
    ],
)
def test_bad_magento_quantities_say_why(raw, reason):
    with pytest.raises(MappingError, match=reason):
        sm.magento_quantity(raw)


def test_count_target_keeps_what_odoo_holds_reserved():
    # Magento sells 5; Odoo has 10 on hand of which 3 reserved: count 8 so that 5 stay free.
    assert sm.count_target(5, sm.OdooQuantity(10, 7)) == 8
    assert sm.count_target(0, sm.OdooQuantity(10, 7)) == 3
    assert sm.count_target(-4, sm.OdooQuantity(0, 0)) == 0  # never negative


def test_count_values_applied_or_left_for_validation():
    assert sm.count_values(7, 8, 12.0, auto_apply=True) == {
        "product_id": 7,
        "location_id": 8,
        "inventory_quantity_auto_apply": 12,
    }
    assert sm.count_values(7, 8, 12.0, auto_apply=False) == {
        "product_id": 7,
        "location_id": 8,
        "inventory_quantity": 12,
    }


def test_same_compares_rounded_quantities():
    assert sm.same(1.00000001, 1)
    assert not sm.same(1.5, 1)
    assert not sm.same(None, 0)
