"""Variants and inventory in the Odoo sandbox, over real HTTP through OdooClient.

Every expected value was measured on a real Odoo 18.0 Community (sale_management,
stock, account, stock_delivery) with the same calls (scratch probes under
/work/scratch/catalog, 2026-11-26): the sandbox must answer what Odoo answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bridge.clients.errors import ValidationError
from bridge.clients.odoo import OdooClient
from sandbox.odoo import OdooSandbox
from tests.odoo_fixtures import sandbox_target

STOCK, INVENTORY_LOSS = 8, 14  # WH/Stock and Virtual Locations/Inventory adjustment
COUNT = {"inventory_mode": True}
QTY = ["qty_available", "free_qty", "virtual_available"]


@pytest.fixture
def odoo() -> Iterator[OdooClient]:
    with OdooSandbox() as sandbox:
        yield sandbox_target(sandbox, "jsonrpc").client()


@pytest.fixture
def attrs(odoo: OdooClient) -> dict[str, Any]:
    [color, size] = odoo.create(
        "product.attribute",
        [
            {
                "name": "Color",
                "display_type": "color",
                "value_ids": [(0, 0, {"name": "Red"}), (0, 0, {"name": "Blue"})],
            },
            {"name": "Size", "value_ids": [(0, 0, {"name": n}) for n in ("S", "M", "L")]},
        ],
    )
    values = odoo.search_read("product.attribute.value", [], ["name"])
    return {"color": color, "size": size, **{v["name"]: v["id"] for v in values}}


def shirt(odoo: OdooClient, attrs: dict[str, Any]) -> int:
    """One create call: the template, its two lines and its six variants."""
    return odoo.create(
        "product.template",
        [
            {
                "name": "Shirt",
                "default_code": "SH",
                "is_storable": True,
                "attribute_line_ids": [
                    (0, 0, {"attribute_id": attrs["color"],
                            "value_ids": [(6, 0, [attrs["Red"], attrs["Blue"]])]}),
                    (0, 0, {"attribute_id": attrs["size"],
                            "value_ids": [(6, 0, [attrs["S"], attrs["M"], attrs["L"]])]}),
                ],
            }
        ],
    )[0]  # fmt: skip


def variants(odoo: OdooClient, tmpl: int) -> dict[str, dict[str, Any]]:
    rows = odoo.search_read(
        "product.product",
        [("product_tmpl_id", "=", tmpl)],
        ["display_name", "default_code", "product_template_attribute_value_ids"],
    )
    return {r["display_name"]: r for r in rows}


def test_one_create_makes_a_variant_per_combination(odoo: OdooClient, attrs: dict) -> None:
    tmpl = shirt(odoo, attrs)
    # Real Odoo: 6 variants, named "Shirt (Red, S)" ... in line order, colour outer; the
    # template keeps its code, the variants have none; 5 ptavs, each on its variants.
    found = variants(odoo, tmpl)
    assert sorted(found) == sorted(
        f"Shirt ({c}, {s})" for c in ("Red", "Blue") for s in ("S", "M", "L")
    )
    assert {r["default_code"] for r in found.values()} == {False}
    [t] = odoo.read(
        "product.template", [tmpl], ["default_code", "product_variant_count", "product_variant_ids"]
    )
    assert t["default_code"] == "SH"
    assert t["product_variant_count"] == 6
    assert sorted(t["product_variant_ids"]) == sorted(r["id"] for r in found.values())
    ptavs = odoo.search_read(
        "product.template.attribute.value",
        [("product_tmpl_id", "=", tmpl)],
        ["name", "ptav_product_variant_ids", "product_attribute_value_id"],
    )
    by_name = {p["name"]: p for p in ptavs}
    assert sorted(by_name) == ["Blue", "L", "M", "Red", "S"]
    assert len(by_name["Red"]["ptav_product_variant_ids"]) == 3
    assert len(by_name["S"]["ptav_product_variant_ids"]) == 2
    red_s = found["Shirt (Red, S)"]["product_template_attribute_value_ids"]
    assert sorted(red_s) == sorted([by_name["Red"]["id"], by_name["S"]["id"]])


def test_each_variant_gets_its_sku_in_one_template_write(odoo: OdooClient, attrs: dict) -> None:
    tmpl = shirt(odoo, attrs)
    found = variants(odoo, tmpl)
    skus = {r["id"]: "SH-" + name[7:-1].replace(", ", "-") for name, r in found.items()}
    # Real Odoo accepts (1, id, vals) on product_variant_ids: all SKUs in one call. Then
    # the template's own code turns False, as it has more than one variant.
    odoo.write(
        "product.template",
        [tmpl],
        {"product_variant_ids": [(1, vid, {"default_code": sku}) for vid, sku in skus.items()]},
    )
    after = variants(odoo, tmpl)
    assert {r["id"]: r["default_code"] for r in after.values()} == skus
    assert "[SH-Red-S] Shirt (Red, S)" in after
    [t] = odoo.read("product.template", [tmpl], ["default_code"])
    assert t["default_code"] is False


def test_adding_a_value_adds_variants_and_removing_archives_or_unlinks(
    odoo: OdooClient, attrs: dict
) -> None:
    tmpl = shirt(odoo, attrs)
    [xl] = odoo.create("product.attribute.value", [{"name": "XL", "attribute_id": attrs["size"]}])
    [size_line] = odoo.search(
        "product.template.attribute.line",
        [("product_tmpl_id", "=", tmpl), ("attribute_id", "=", attrs["size"])],
    )
    odoo.write(
        "product.template",
        [tmpl],
        {"attribute_line_ids": [(1, size_line, {"value_ids": [(4, xl)]})]},
    )
    found = variants(odoo, tmpl)
    assert len(found) == 8
    assert {"Shirt (Red, XL)", "Shirt (Blue, XL)"} <= set(found)
    # Stock on (Red, XL): a move points at it, so removing XL archives it and unlinks
    # (Blue, XL); the XL ptav is archived (ptav_active False), as on real Odoo.
    red_xl = found["Shirt (Red, XL)"]["id"]
    blue_xl = found["Shirt (Blue, XL)"]["id"]
    odoo.create(
        "stock.quant",
        [{"product_id": red_xl, "location_id": STOCK, "inventory_quantity_auto_apply": 2}],
        context=COUNT,
    )
    odoo.write(
        "product.template",
        [tmpl],
        {"attribute_line_ids": [(1, size_line, {"value_ids": [(3, xl)]})]},
    )
    [t] = odoo.read("product.template", [tmpl], ["product_variant_count", "product_variant_ids"])
    assert t["product_variant_count"] == 6
    assert red_xl not in t["product_variant_ids"]
    archived = odoo.search_read(
        "product.product",
        [("id", "in", [red_xl, blue_xl])],
        ["active"],
        context={"active_test": False},
    )
    assert archived == [{"id": red_xl, "active": False}]
    [xl_ptav] = odoo.search_read(
        "product.template.attribute.value",
        [("product_tmpl_id", "=", tmpl), ("name", "=", "XL")],
        ["ptav_active"],
    )
    assert xl_ptav["ptav_active"] is False
    # Adding XL back reactivates (Red, XL) and makes a new (Blue, XL).
    odoo.write(
        "product.template",
        [tmpl],
        {"attribute_line_ids": [(1, size_line, {"value_ids": [(4, xl)]})]},
    )
    again = variants(odoo, tmpl)
    assert again["Shirt (Red, XL)"]["id"] == red_xl
    assert again["Shirt (Blue, XL)"]["id"] > blue_xl


def test_line_values_must_belong_to_the_attribute(odoo: OdooClient, attrs: dict) -> None:
    line = {"attribute_id": attrs["color"], "value_ids": [(6, 0, [attrs["S"]])]}
    with pytest.raises(ValidationError) as err:
        odoo.create("product.template", [{"name": "bad", "attribute_line_ids": [(0, 0, line)]}])
    assert (
        "On the product bad you cannot associate the value Size: S with the attribute Color "
        "because they do not match." in str(err.value)
    )


@pytest.fixture
def stocked(odoo: OdooClient) -> int:
    [tmpl] = odoo.create("product.template", [{"name": "Inv", "is_storable": True}])
    return int(odoo.search("product.product", [("product_tmpl_id", "=", tmpl)])[0])


def sell(odoo: OdooClient, product_id: int, qty: float) -> int:
    """A confirmed sales order: its delivery reserves `qty` from WH/Stock."""
    [partner] = odoo.create("res.partner", [{"name": "Customer"}])
    line = {"product_id": product_id, "product_uom_qty": qty}
    [so] = odoo.create("sale.order", [{"partner_id": partner, "order_line": [(0, 0, line)]}])
    odoo.call("sale.order", "action_confirm", [so])
    return so


def quantities(odoo: OdooClient, pid: int, **context: Any) -> tuple[float, ...]:
    [row] = odoo.read("product.product", [pid], QTY, context=context or None)
    return tuple(row[f] for f in QTY)


def test_count_left_for_validation_changes_nothing_until_applied(
    odoo: OdooClient, stocked: int
) -> None:
    [qid] = odoo.create(
        "stock.quant",
        [{"product_id": stocked, "location_id": STOCK, "inventory_quantity": 10}],
        context=COUNT,
    )
    # Real Odoo: the count sits on the quant (set, diff 10) and nothing is on hand yet.
    [q] = odoo.read(
        "stock.quant",
        [qid],
        ["quantity", "inventory_quantity", "inventory_quantity_set", "inventory_diff_quantity"],
    )
    assert q == {
        "id": qid,
        "quantity": 0.0,
        "inventory_quantity": 10.0,
        "inventory_quantity_set": True,
        "inventory_diff_quantity": 10.0,
    }
    assert quantities(odoo, stocked) == (0.0, 0.0, 0.0)
    # A second count for the same place reuses the quant (real Odoo answered the same id).
    assert odoo.create(
        "stock.quant",
        [{"product_id": stocked, "location_id": STOCK, "inventory_quantity": 12}],
        context=COUNT,
    ) == [qid]
    assert odoo.call("stock.quant", "action_apply_inventory", [qid]) is None
    assert quantities(odoo, stocked) == (12.0, 12.0, 12.0)
    [move] = odoo.search_read(
        "stock.move",
        [("product_id", "=", stocked)],
        ["name", "location_id", "location_dest_id", "state", "quantity", "is_inventory"],
    )
    assert move["name"] == "Product Quantity Updated (Administrator)"
    assert (move["location_id"][0], move["location_dest_id"][0]) == (INVENTORY_LOSS, STOCK)
    assert (move["state"], move["quantity"], move["is_inventory"]) == ("done", 12.0, True)
    [q] = odoo.read("stock.quant", [qid], ["quantity", "inventory_quantity_set"])
    assert (q["quantity"], q["inventory_quantity_set"]) == (12.0, False)


def test_auto_apply_and_free_qty_with_a_reservation(odoo: OdooClient, stocked: int) -> None:
    odoo.create(
        "stock.quant",
        [{"product_id": stocked, "location_id": STOCK, "inventory_quantity_auto_apply": 12}],
        context=COUNT,
    )
    assert quantities(odoo, stocked) == (12.0, 12.0, 12.0)
    sell(odoo, stocked, 3)
    # Real Odoo: on hand 12, free 9 (3 reserved by the delivery), forecast 9.
    assert quantities(odoo, stocked) == (12.0, 9.0, 9.0)
    odoo.create(
        "stock.quant",
        [{"product_id": stocked, "location_id": STOCK, "inventory_quantity_auto_apply": 25}],
        context=COUNT,
    )
    assert quantities(odoo, stocked) == (25.0, 22.0, 22.0)
    names = [
        m["name"] for m in odoo.search_read("stock.move", [("is_inventory", "=", True)], ["name"])
    ]
    assert names == ["Product Quantity Updated", "Product Quantity Updated"]


def test_free_qty_per_warehouse(odoo: OdooClient, stocked: int) -> None:
    [wh2] = odoo.create("stock.warehouse", [{"name": "Second", "code": "SEC"}])
    [w] = odoo.read("stock.warehouse", [wh2], ["lot_stock_id"])
    assert w["lot_stock_id"][1] == "SEC/Stock"
    for location, qty in ((STOCK, 25), (w["lot_stock_id"][0], 5)):
        odoo.create(
            "stock.quant",
            [{"product_id": stocked, "location_id": location,
              "inventory_quantity_auto_apply": qty}],
            context=COUNT,
        )  # fmt: skip
    # Real Odoo: all warehouses 30; warehouse_id 1 → 25, the new one → 5; a list sums.
    assert quantities(odoo, stocked) == (30.0, 30.0, 30.0)
    assert quantities(odoo, stocked, warehouse_id=1) == (25.0, 25.0, 25.0)
    assert quantities(odoo, stocked, warehouse_id=wh2) == (5.0, 5.0, 5.0)
    assert quantities(odoo, stocked, location=w["lot_stock_id"][0]) == (5.0, 5.0, 5.0)
    assert quantities(odoo, stocked, warehouse_id=[1, wh2]) == (30.0, 30.0, 30.0)


def test_outdated_count_answers_the_conflict_wizard(odoo: OdooClient, stocked: int) -> None:
    [qid] = odoo.create(
        "stock.quant",
        [{"product_id": stocked, "location_id": STOCK, "inventory_quantity_auto_apply": 25}],
        context=COUNT,
    )
    odoo.write("stock.quant", [qid], {"inventory_quantity": 30})
    so = sell(odoo, stocked, 3)
    [pick] = odoo.search("stock.picking", [("sale_id", "=", so)])
    assert odoo.call("stock.picking", "button_validate", [pick]) is True
    # Real Odoo: stock moved since the count, so applying returns the wizard, applies nothing.
    action = odoo.call("stock.quant", "action_apply_inventory", [qid])
    assert action["res_model"] == "stock.inventory.conflict"
    assert action["context"]["default_quant_to_fix_ids"] == [qid]
    [q] = odoo.read("stock.quant", [qid], ["quantity", "is_outdated", "inventory_quantity"])
    assert (q["quantity"], q["is_outdated"], q["inventory_quantity"]) == (22.0, True, 30.0)
