"""Combo products and the html description in the Odoo sandbox, over real JSON-RPC.

The expected messages and triggers are Odoo 18's, read from its source rather than
measured: product/models/product_template.py (`_check_combo_ids_not_empty`,
`_check_sale_combo_ids`), product_combo.py (`_check_combo_item_ids_not_empty`,
`_check_combo_item_ids_no_duplicates`, `_compute_base_price`), product_combo_item.py
(`_check_product_id_no_combo`) and stock/models/product.py (`compute_is_storable`).
`@api.constrains` only runs for fields among the values written, which the tests follow.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bridge.clients.errors import ValidationError
from bridge.clients.odoo import OdooClient
from sandbox.odoo import OdooSandbox
from tests.odoo_fixtures import sandbox_target

NEEDS_CHOICE = "A combo product must contain at least 1 combo choice."
NEEDS_PRODUCT = "A combo choice must contain at least 1 product."
NO_NESTING = 'A combo choice can\'t contain products of type "combo".'
NO_DUPLICATES = "A combo choice can't contain duplicate products."
SELLABLE_ONLY = "A sellable combo product can only contain sellable products."


@pytest.fixture
def odoo() -> Iterator[OdooClient]:
    with OdooSandbox() as sandbox:
        yield sandbox_target(sandbox, "jsonrpc").client()


def variant(odoo: OdooClient, name: str, **vals: Any) -> int:
    [tmpl] = odoo.create("product.template", [{"name": name, **vals}])
    return int(odoo.search("product.product", [("product_tmpl_id", "=", tmpl)])[0])


@pytest.fixture
def burgers(odoo: OdooClient) -> dict[str, int]:
    """Two products and one combo choice offering both (the cheese one 2.0 extra)."""
    plain = variant(odoo, "Burger", list_price=10.0)
    cheese = variant(odoo, "Cheeseburger", list_price=7.5)
    [choice] = odoo.create(
        "product.combo",
        [
            {
                "name": "Burger Choice",
                "combo_item_ids": [
                    (0, 0, {"product_id": plain}),
                    (0, 0, {"product_id": cheese, "extra_price": 2.0}),
                ],
            }
        ],
    )
    return {"plain": plain, "cheese": cheese, "choice": choice}


def test_template_description_is_html(odoo: OdooClient) -> None:
    [tmpl] = odoo.create(
        "product.template",
        [{"name": "Hoodie", "description": "<p>Warm</p>", "description_sale": "Cosy"}],
    )
    [row] = odoo.read("product.template", [tmpl], ["description", "description_sale"])
    assert (row["description"], row["description_sale"]) == ("<p>Warm</p>", "Cosy")
    # fields_get is an @api.model method: `call`'s first list is its `allfields` argument.
    fields = odoo.call(
        "product.template",
        "fields_get",
        ["description", "combo_ids"],
        ["type", "string", "relation"],
    )
    assert (fields["description"]["type"], fields["description"]["string"]) == (
        "html",
        "Description",
    )
    assert fields["combo_ids"]["relation"] == "product.combo"


def test_choice_counts_its_items_and_prices_at_the_cheapest(
    odoo: OdooClient, burgers: dict[str, int]
) -> None:
    [c] = odoo.read("product.combo", [burgers["choice"]], ["combo_item_count", "base_price"])
    assert (c["combo_item_count"], c["base_price"]) == (2, 7.5)
    items = odoo.search_read(
        "product.combo.item",
        [("combo_id", "=", burgers["choice"])],
        ["product_id", "lst_price", "extra_price"],
    )
    assert [(i["product_id"][0], i["lst_price"], i["extra_price"]) for i in items] == [
        (burgers["plain"], 10.0, 0.0),
        (burgers["cheese"], 7.5, 2.0),
    ]
    # base_price is the items' lst_price when read, extra prices left out.
    odoo.write("product.product", [burgers["cheese"]], {"list_price": 12.0})
    [c] = odoo.read("product.combo", [burgers["choice"]], ["base_price"])
    assert c["base_price"] == 10.0
    # A combo product offering the choice; its variant is a plain product.product.
    [menu] = odoo.create(
        "product.template",
        [{"name": "Menu", "type": "combo", "combo_ids": [(6, 0, [burgers["choice"]])]}],
    )
    [t] = odoo.read("product.template", [menu], ["combo_ids", "type", "product_variant_count"])
    assert (t["combo_ids"], t["type"], t["product_variant_count"]) == (
        [burgers["choice"]],
        "combo",
        1,
    )
    found = odoo.search_read("product.combo", [("base_price", "=", 10.0)], ["name"])
    assert [r["name"] for r in found] == ["Burger Choice"]


def test_a_combo_product_needs_a_choice(odoo: OdooClient, burgers: dict[str, int]) -> None:
    for vals in ({}, {"combo_ids": [(6, 0, [])]}):
        with pytest.raises(ValidationError) as err:
            odoo.create("product.template", [{"name": "Menu", "type": "combo", **vals}])
        assert NEEDS_CHOICE in str(err.value)
    assert odoo.search("product.template", [("name", "=", "Menu")]) == []
    [goods] = odoo.create("product.template", [{"name": "Goods"}])
    with pytest.raises(ValidationError, match=NEEDS_CHOICE):
        odoo.write("product.template", [goods], {"type": "combo"})
    [menu] = odoo.create(
        "product.template",
        [{"name": "Menu", "type": "combo", "combo_ids": [(4, burgers["choice"])]}],
    )
    with pytest.raises(ValidationError, match=NEEDS_CHOICE):
        odoo.write("product.template", [menu], {"combo_ids": [(5, 0, 0)]})
    # Through the variant too (`_inherits`): the template's rule applies.
    [pid] = odoo.search("product.product", [("product_tmpl_id", "=", menu)])
    with pytest.raises(ValidationError, match=NEEDS_CHOICE):
        odoo.write("product.product", [pid], {"combo_ids": [(3, burgers["choice"])]})
    [t] = odoo.read("product.template", [menu], ["combo_ids"])
    assert t["combo_ids"] == [burgers["choice"]]  # every refused write was rolled back


def test_combo_choice_rules(odoo: OdooClient, burgers: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match=NEEDS_PRODUCT):
        odoo.create("product.combo", [{"name": "Empty", "combo_item_ids": []}])
    with pytest.raises(ValidationError, match=NO_DUPLICATES):
        twice = [(0, 0, {"product_id": burgers["plain"]})] * 2
        odoo.create("product.combo", [{"name": "Twice", "combo_item_ids": twice}])
    # No combo_item_ids among the values: the constraint does not run, as in Odoo.
    [bare] = odoo.create("product.combo", [{"name": "Bare"}])
    [b] = odoo.read("product.combo", [bare], ["combo_item_count", "base_price", "sequence"])
    assert (b["combo_item_count"], b["base_price"], b["sequence"]) == (0, 0.0, 10)
    # Removing the last product of a choice is refused.
    items = odoo.search("product.combo.item", [("combo_id", "=", burgers["choice"])])
    odoo.write("product.combo", [burgers["choice"]], {"combo_item_ids": [(2, items[0])]})
    with pytest.raises(ValidationError, match=NEEDS_PRODUCT):
        odoo.write("product.combo", [burgers["choice"]], {"combo_item_ids": [(2, items[1])]})
    # A combo product is not a choice's product, on create or on write.
    [menu] = odoo.create(
        "product.template",
        [{"name": "Menu", "type": "combo", "combo_ids": [(4, burgers["choice"])]}],
    )
    [menu_pid] = odoo.search("product.product", [("product_tmpl_id", "=", menu)])
    with pytest.raises(ValidationError) as err:
        odoo.create(
            "product.combo",
            [{"name": "Nested", "combo_item_ids": [(0, 0, {"product_id": menu_pid})]}],
        )
    assert NO_NESTING in str(err.value)
    with pytest.raises(ValidationError, match="of type"):
        odoo.write("product.combo.item", [items[1]], {"product_id": menu_pid})
    assert odoo.search("product.combo", [("name", "=", "Nested")]) == []


def test_a_sellable_combo_only_offers_sellable_products(
    odoo: OdooClient, burgers: dict[str, int]
) -> None:
    odoo.write("product.product", [burgers["cheese"]], {"sale_ok": False})
    menu = {"name": "Menu", "type": "combo", "combo_ids": [(4, burgers["choice"])]}
    with pytest.raises(ValidationError, match=SELLABLE_ONLY):
        odoo.create("product.template", [menu])
    [tmpl] = odoo.create("product.template", [{**menu, "sale_ok": False}])
    with pytest.raises(ValidationError, match=SELLABLE_ONLY):
        odoo.write("product.template", [tmpl], {"sale_ok": True})
    odoo.write("product.product", [burgers["cheese"]], {"sale_ok": True})
    assert odoo.write("product.template", [tmpl], {"sale_ok": True}) is True


def test_is_storable_follows_the_type_without_being_enforced(
    odoo: OdooClient, burgers: dict[str, int]
) -> None:
    """stock's compute_is_storable clears the flag when `type` leaves 'consu', nothing more."""
    choice = [(4, burgers["choice"])]
    [goods] = odoo.create("product.template", [{"name": "Box", "is_storable": True}])
    odoo.write("product.template", [goods], {"type": "combo", "combo_ids": choice})
    [forced] = odoo.create(
        "product.template",
        [{"name": "Forced", "type": "combo", "combo_ids": choice, "is_storable": True}],
    )
    rows = odoo.read("product.template", [goods, forced], ["type", "is_storable"])
    assert [(r["type"], r["is_storable"]) for r in rows] == [("combo", False), ("combo", True)]


def test_deleting_a_choice_deletes_its_items_and_its_links(
    odoo: OdooClient, burgers: dict[str, int]
) -> None:
    [menu] = odoo.create(
        "product.template",
        [{"name": "Menu", "type": "combo", "combo_ids": [(4, burgers["choice"])]}],
    )
    assert odoo.unlink("product.combo", [burgers["choice"]]) is True
    assert odoo.search("product.combo.item", []) == []
    [t] = odoo.read("product.template", [menu], ["combo_ids", "type"])
    assert (t["combo_ids"], t["type"]) == ([], "combo")  # no constraint runs on unlink
