"""Sales and deliveries in the Odoo sandbox, over real HTTP through OdooClient.

Every expected number and message below was measured on a real Odoo 18.0 Community
(sale_management, stock, account, stock_delivery; generic chart, USD) with the same
input (scratch probes, 2026-11-26): the sandbox must answer what Odoo answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bridge.clients.errors import PermanentError, ValidationError
from bridge.clients.odoo import OdooClient
from sandbox.odoo import OdooSandbox
from tests.odoo_fixtures import sandbox_target

NO_WARNING = {"disable_cancel_warning": True}


@pytest.fixture
def odoo() -> Iterator[OdooClient]:
    with OdooSandbox() as sandbox:
        yield sandbox_target(sandbox, "jsonrpc").client()


@pytest.fixture
def data(odoo: OdooClient) -> dict[str, int]:
    [tax, fixed] = odoo.create(
        "account.tax",
        [
            {"name": "8.25%", "amount": 8.25, "amount_type": "percent", "type_tax_use": "sale"},
            {"name": "fixed 1.5", "amount": 1.5, "amount_type": "fixed", "type_tax_use": "sale"},
        ],
    )
    # Real Odoo gives a product created without taxes_id the company sale tax (id 1, 15 %).
    [a, b, svc] = odoo.create(
        "product.product",
        [
            {
                "name": "Probe A",
                "list_price": 19.99,
                "is_storable": True,
                "taxes_id": [(6, 0, [1])],
            },
            {
                "name": "Probe B",
                "list_price": 7.15,
                "default_code": "PB",
                "taxes_id": [(6, 0, [1])],
            },
            {"name": "Probe Svc", "list_price": 12.34, "type": "service"},
        ],
    )
    [partner] = odoo.create("res.partner", [{"name": "Probe Customer", "email": "p@ex.com"}])
    return {"tax": tax, "fixed": fixed, "a": a, "b": b, "svc": svc, "partner": partner}


def three_orders(d: dict[str, int]) -> list[dict[str, Any]]:
    """The three orders of the real-Odoo probe, lines as (0, 0, vals) commands."""
    tax, fixed = d["tax"], d["fixed"]
    return [
        {
            "partner_id": d["partner"],
            "client_order_ref": "M-1",
            "order_line": [
                (0, 0, {"product_id": d["a"], "product_uom_qty": 3, "price_unit": 19.99,
                        "tax_id": [(6, 0, [tax])], "discount": 10}),
                (0, 0, {"product_id": d["b"], "product_uom_qty": 7, "price_unit": 7.15,
                        "tax_id": [(6, 0, [tax])]}),
            ],
        },
        {
            "partner_id": d["partner"],
            "client_order_ref": "M-2",
            "order_line": [
                (0, 0, {"product_id": d["a"], "product_uom_qty": 1}),
                (0, 0, {"product_id": d["b"], "product_uom_qty": 2.5, "price_unit": 3.333,
                        "tax_id": [(6, 0, [tax, fixed])], "discount": 12.5}),
                (0, 0, {"product_id": d["svc"], "product_uom_qty": 1, "tax_id": [(6, 0, [])]}),
            ],
        },
        {
            "partner_id": d["partner"],
            "client_order_ref": "M-3",
            "carrier_id": 1,
            "order_line": [
                (0, 0, {"display_type": "line_section", "name": "Section"}),
                (0, 0, {"product_id": d["a"], "product_uom_qty": 2, "price_unit": 0.125,
                        "tax_id": [(6, 0, [tax])]}),
                (0, 0, {"product_id": 1, "is_delivery": True, "price_unit": 5.0,
                        "name": "Flat rate shipping", "product_uom_qty": 1,
                        "tax_id": [(6, 0, [tax])]}),
                (0, 0, {"display_type": "line_note", "name": "A note"}),
            ],
        },
    ]  # fmt: skip


def lines_of(odoo: OdooClient, order_id: int, fields: list[str]) -> list[dict[str, Any]]:
    return odoo.search_read("sale.order.line", [("order_id", "=", order_id)], fields)


def moves_of(odoo: OdooClient, picking_ids: list[int]) -> list[dict[str, Any]]:
    fields = ["product_uom_qty", "quantity", "picked", "state", "picking_id", "sale_line_id"]
    return odoo.search_read("stock.move", [("picking_id", "in", picking_ids)], fields)


def confirmed_order(odoo: OdooClient, d: dict[str, int], qty: float = 5) -> tuple[int, int]:
    [oid] = odoo.create(
        "sale.order",
        [{"partner_id": d["partner"], "order_line": [
            (0, 0, {"product_id": d["b"], "product_uom_qty": qty, "price_unit": 2}),
        ]}],
    )  # fmt: skip
    assert odoo.call("sale.order", "action_confirm", [oid]) is True
    [picking] = odoo.read("sale.order", [oid], ["picking_ids"])[0]["picking_ids"]
    return oid, picking


def test_batch_create_computes_amounts_as_odoo_18(odoo: OdooClient, data: dict[str, int]) -> None:
    ids = odoo.create("sale.order", three_orders(data))
    fields = ["name", "state", "amount_untaxed", "amount_tax", "amount_total",
              "partner_invoice_id", "partner_shipping_id", "carrier_id", "team_id",
              "user_id", "currency_id", "invoice_status", "delivery_count"]  # fmt: skip
    orders = odoo.read("sale.order", ids, fields)
    # Measured on Odoo 18: S00007 104.02/8.58/112.6, S00008 39.61/7.35/46.96, S00009 5.26/0.43/5.69.
    assert [(o["amount_untaxed"], o["amount_tax"], o["amount_total"]) for o in orders] == [
        (104.02, 8.58, 112.6),
        (39.61, 7.35, 46.96),
        (5.26, 0.43, 5.69),
    ]
    assert [o["name"] for o in orders] == ["S00001", "S00002", "S00003"]
    first = orders[0]
    assert first["state"] == "draft" and first["invoice_status"] == "no"
    assert first["partner_invoice_id"][0] == first["partner_shipping_id"][0] == data["partner"]
    assert first["team_id"] == [1, "Sales"] and first["currency_id"] == [1, "USD"]
    assert orders[2]["carrier_id"] == [1, "Standard delivery"]

    line_fields = ["name", "price_unit", "discount", "tax_id", "price_subtotal", "price_tax",
                   "price_total", "is_delivery", "display_type", "product_uom_qty"]  # fmt: skip
    second = lines_of(odoo, ids[1], line_fields)
    # No price and no tax_id given: the product's list price and its taxes (15 %).
    assert (second[0]["price_unit"], second[0]["tax_id"], second[0]["price_total"]) == (
        19.99,
        [1],
        22.99,
    )
    # 3.333 is stored as 3.33; 8.25 % rounded per line (0.60) + 1.5 fixed per unit (3.75).
    assert second[1]["price_unit"] == 3.33
    assert (second[1]["price_subtotal"], second[1]["price_total"]) == (7.28, 11.63)
    assert second[1]["price_tax"] == pytest.approx(4.35)
    assert second[1]["name"] == "[PB] Probe B"
    assert second[2]["tax_id"] == []
    third = lines_of(odoo, ids[2], line_fields)
    assert [ln["display_type"] for ln in third] == ["line_section", False, False, "line_note"]
    assert third[0]["product_uom_qty"] == 0.0
    assert (third[1]["price_unit"], third[1]["price_subtotal"], third[1]["price_total"]) == (
        0.13,
        0.26,
        0.28,
    )
    # carrier_id and an is_delivery line in the same create: accepted as given.
    assert (third[2]["is_delivery"], third[2]["price_unit"], third[2]["name"]) == (
        True,
        5.0,
        "Flat rate shipping",
    )


def test_missing_customer_is_refused_as_odoo_does(odoo: OdooClient) -> None:
    with pytest.raises(ValidationError, match=r"Field: Customer \(partner_id\)"):
        odoo.create("sale.order", [{"order_line": []}])


def test_confirm_many_in_one_call_creates_their_deliveries(
    odoo: OdooClient, data: dict[str, int]
) -> None:
    ids = odoo.create("sale.order", three_orders(data))
    assert odoo.call("sale.order", "action_confirm", ids) is True
    orders = odoo.read(
        "sale.order", ids, ["state", "picking_ids", "delivery_count", "delivery_status",
                            "invoice_status"]
    )  # fmt: skip
    assert [o["state"] for o in orders] == ["sale"] * 3
    assert [o["delivery_count"] for o in orders] == [1, 1, 1]
    assert {o["delivery_status"] for o in orders} == {"pending"}
    assert {o["invoice_status"] for o in orders} == {"to invoice"}
    pickings = odoo.read(
        "stock.picking",
        [o["picking_ids"][0] for o in orders],
        ["name", "origin", "state", "sale_id", "carrier_id", "location_id",
         "location_dest_id", "picking_type_id", "partner_id"],
    )  # fmt: skip
    assert [p["name"] for p in pickings] == ["WH/OUT/00001", "WH/OUT/00002", "WH/OUT/00003"]
    assert [p["origin"] for p in pickings] == ["S00001 - M-1", "S00002 - M-2", "S00003 - M-3"]
    # Untracked consumables are reserved at once; a storable product without stock waits.
    assert [p["state"] for p in pickings] == ["assigned", "assigned", "confirmed"]
    assert pickings[2]["carrier_id"] == [1, "Standard delivery"]
    assert pickings[0]["location_id"] == [8, "WH/Stock"]
    assert pickings[0]["location_dest_id"] == [5, "Partners/Customers"]
    assert pickings[0]["picking_type_id"] == [2, "My Company: Delivery Orders"]
    moves = moves_of(odoo, [pickings[0]["id"]])
    assert [(m["product_uom_qty"], m["quantity"], m["state"]) for m in moves] == [
        (3.0, 0.0, "confirmed"),
        (7.0, 7.0, "assigned"),
    ]
    # Services and the delivery line get no move.
    assert len(moves_of(odoo, [pickings[1]["id"]])) == 2
    assert len(moves_of(odoo, [pickings[2]["id"]])) == 1
    with pytest.raises(ValidationError, match="not in a state requiring confirmation"):
        odoo.call("sale.order", "action_confirm", ids)


def test_cancel_rules(odoo: OdooClient, data: dict[str, int]) -> None:
    first, pick1 = confirmed_order(odoo, data)
    second, _ = confirmed_order(odoo, data)
    action = odoo.call("sale.order", "action_cancel", [first])
    assert action["res_model"] == "sale.order.cancel"
    assert action["context"]["default_order_id"] == first
    with pytest.raises(PermanentError, match=r"Expected singleton: sale.order\(1, 2\)"):
        odoo.call("sale.order", "action_cancel", [first, second])
    assert odoo.read("sale.order", [first], ["state"])[0]["state"] == "sale"

    assert odoo.call("sale.order", "action_cancel", [first, second], context=NO_WARNING) is True
    assert odoo.read("stock.picking", [pick1], ["state"])[0]["state"] == "cancel"
    assert odoo.read("sale.order", [first], ["state", "delivery_status"])[0] == {
        "id": first,
        "state": "cancel",
        "delivery_status": False,
    }
    with pytest.raises(ValidationError, match="not in a state requiring confirmation"):
        odoo.call("sale.order", "action_confirm", [first])
    assert odoo.call("sale.order", "action_draft", [first]) is True
    assert odoo.call("sale.order", "action_confirm", [first]) is True
    assert odoo.read("sale.order", [first], ["delivery_count"])[0]["delivery_count"] == 2

    # A done delivery does not stop the cancel: the order is canceled, the delivery stays done.
    third, pick3 = confirmed_order(odoo, data, qty=2)
    assert odoo.call("stock.picking", "button_validate", [pick3]) is True
    assert odoo.call("sale.order", "action_cancel", [third], context=NO_WARNING) is True
    assert odoo.read("sale.order", [third], ["state", "delivery_status"])[0] == {
        "id": third,
        "state": "cancel",
        "delivery_status": "full",
    }
    assert odoo.read("stock.picking", [pick3], ["state"])[0]["state"] == "done"

    with pytest.raises(ValidationError, match="You must first cancel it"):
        odoo.unlink("sale.order", [first])
    assert odoo.call("sale.order", "action_lock", [first]) is None
    with pytest.raises(ValidationError, match="You cannot cancel a locked order"):
        odoo.call("sale.order", "action_cancel", [first], context=NO_WARNING)
    assert odoo.unlink("sale.order", [third]) is True


def test_lines_of_a_confirmed_order(odoo: OdooClient, data: dict[str, int]) -> None:
    oid, picking = confirmed_order(odoo, data)
    odoo.write(
        "sale.order", [oid], {"order_line": [(0, 0, {"product_id": data["a"], "price_unit": 1})]}
    )
    assert len(moves_of(odoo, [picking])) == 2
    [first] = [ln["id"] for ln in lines_of(odoo, oid, ["id"])][:1]
    odoo.write("sale.order.line", [first], {"product_uom_qty": 4})
    assert moves_of(odoo, [picking])[0]["product_uom_qty"] == 4.0
    with pytest.raises(ValidationError, match="you can't remove one of its lines"):
        odoo.unlink("sale.order.line", [first])
    odoo.call("sale.order", "action_lock", [oid])
    with pytest.raises(ValidationError, match=r"locked order:\s+Unit Price"):
        odoo.write("sale.order.line", [first], {"price_unit": 3})
    totals = odoo.read("sale.order", [oid], ["amount_untaxed"])[0]["amount_untaxed"]
    assert totals == 9.0  # 4 x 2.00 + the added line at 1.00


def test_delivery_line_through_the_carrier_wizard(odoo: OdooClient, data: dict[str, int]) -> None:
    [carrier] = odoo.create(
        "delivery.carrier", [{"name": "Flat Rate", "product_id": 1, "fixed_price": 5.0}]
    )
    [oid] = odoo.create(
        "sale.order",
        [{"partner_id": data["partner"], "order_line": [
            (0, 0, {"product_id": data["b"], "price_unit": 10, "tax_id": [(6, 0, [data["tax"]])]}),
        ]}],
    )  # fmt: skip
    [wizard] = odoo.create("choose.delivery.carrier", [{"order_id": oid, "carrier_id": carrier}])
    assert (
        odoo.read("choose.delivery.carrier", [wizard], ["delivery_price"])[0]["delivery_price"]
        == 5.0
    )
    # Real Odoo 18 returns None here: no `result` key over JSON-RPC.
    assert odoo.call("choose.delivery.carrier", "button_confirm", [wizard]) is None
    lines = lines_of(odoo, oid, ["name", "is_delivery", "price_unit", "sequence", "product_id"])
    assert [(ln["name"], ln["is_delivery"], ln["price_unit"], ln["sequence"]) for ln in lines] == [
        ("[PB] Probe B", False, 10.0, 10),
        ("Flat Rate", True, 5.0, 11),
    ]
    order = odoo.read("sale.order", [oid], ["carrier_id", "amount_total"])[0]
    assert order["carrier_id"][0] == carrier
    assert order["amount_total"] == 10.83 + 5.0


def test_validate_full_and_partial(odoo: OdooClient, data: dict[str, int]) -> None:
    [oid] = odoo.create(
        "sale.order",
        [{"partner_id": data["partner"], "order_line": [
            (0, 0, {"product_id": data["b"], "product_uom_qty": 5, "price_unit": 2}),
            (0, 0, {"product_id": data["a"], "product_uom_qty": 4, "price_unit": 3}),
        ]}],
    )  # fmt: skip
    odoo.call("sale.order", "action_confirm", [oid])
    [picking] = odoo.read("sale.order", [oid], ["picking_ids"])[0]["picking_ids"]
    b_move, a_move = moves_of(odoo, [picking])
    with pytest.raises(ValidationError, match="no quantities are reserved"):
        odoo.write("stock.move", [b_move["id"]], {"quantity": 0})
        odoo.call("stock.picking", "button_validate", [picking])
    odoo.write("stock.move", [b_move["id"]], {"quantity": 2, "picked": True})
    odoo.write("stock.move", [a_move["id"]], {"quantity": 4, "picked": True})
    wizard = odoo.call("stock.picking", "button_validate", [picking])
    assert wizard["res_model"] == "stock.backorder.confirmation"
    assert wizard["context"]["default_pick_ids"] == [[4, picking]]
    assert odoo.read("stock.picking", [picking], ["state"])[0]["state"] == "assigned"

    # What the wizard's "Create backorder" does.
    ctx = {"skip_backorder": True, "picking_ids_not_to_backorder": []}
    assert odoo.call("stock.picking", "button_validate", [picking], context=ctx) is True
    pickings = odoo.search_read(
        "stock.picking", [("sale_id", "=", oid)], ["name", "state", "backorder_id"], order="id"
    )
    assert [(p["name"], p["state"]) for p in pickings] == [
        ("WH/OUT/00001", "done"),
        ("WH/OUT/00002", "assigned"),
    ]
    backorder = pickings[1]["id"]
    assert pickings[1]["backorder_id"][0] == picking
    [rest] = moves_of(odoo, [backorder])
    assert (rest["product_uom_qty"], rest["quantity"], rest["state"]) == (3.0, 3.0, "assigned")
    order = odoo.read("sale.order", [oid], ["delivery_status", "delivery_count"])[0]
    assert (order["delivery_status"], order["delivery_count"]) == ("partial", 2)
    delivered = [ln["qty_delivered"] for ln in lines_of(odoo, oid, ["qty_delivered"])]
    assert delivered == [2.0, 4.0]

    # "No backorder": the rest is dropped, the order counts as fully delivered.
    odoo.write("stock.move", [rest["id"]], {"quantity": 1, "picked": True})
    ctx = {"skip_backorder": True, "picking_ids_not_to_backorder": [backorder]}
    assert odoo.call("stock.picking", "button_validate", [backorder], context=ctx) is True
    assert odoo.search_count("stock.picking", [("sale_id", "=", oid)]) == 2
    assert odoo.read("sale.order", [oid], ["delivery_status"])[0]["delivery_status"] == "full"
    delivered = [ln["qty_delivered"] for ln in lines_of(odoo, oid, ["qty_delivered"])]
    assert delivered == [3.0, 4.0]
    done = odoo.read("stock.picking", [backorder], ["state", "date_done"])[0]
    assert done["state"] == "done" and done["date_done"]


def test_partner_addresses_and_countries(odoo: OdooClient) -> None:
    [us] = odoo.search("res.country", [("code", "=", "US")])
    [mi] = odoo.search_read(
        "res.country.state",
        [("code", "=", "MI"), ("country_id", "=", us)],
        ["name", "display_name"],
    )
    assert (us, mi["name"], mi["display_name"]) == (233, "Michigan", "Michigan (US)")
    [company] = odoo.create("res.partner", [{"name": "ACME", "company_type": "company"}])
    [ship] = odoo.create(
        "res.partner",
        [{"name": "Dock", "type": "delivery", "parent_id": company, "country_id": us,
          "state_id": mi["id"], "city": "Detroit"}],
    )  # fmt: skip
    rec = odoo.read("res.partner", [company], ["is_company", "child_ids"])[0]
    assert rec["is_company"] is True and rec["child_ids"] == [ship]
    assert (
        odoo.read("res.partner", [ship], ["commercial_partner_id"])[0]["commercial_partner_id"][0]
        == company
    )
    [oid] = odoo.create("sale.order", [{"partner_id": company}])
    order = odoo.read("sale.order", [oid], ["partner_invoice_id", "partner_shipping_id"])[0]
    assert (order["partner_invoice_id"][0], order["partner_shipping_id"][0]) == (company, ship)
