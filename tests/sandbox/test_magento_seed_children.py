"""MH01's children in the Magento sandbox, over real HTTP with `MagentoClient`.

Both seeds hold MH01 with fifteen children, ids 53-67, and the catalog sync must read them
the same way. The project's own seed authors them (`sandbox.magento.seed.luma.catalog`);
the recorded one only has MH01's links to products that were never fetched, so it DERIVES
them from Luma's conventions (`sandbox.magento.seed.recordings.mh01_children`). Each test
runs on both: the `recordings` case is outside evidence (marked `evidence`, skipped when
absent). They pin what the catalog sync reads of the children: the children answer, the
product itself, and its stock.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.clients.errors import ValidationError
from sandbox.magento import MagentoSandbox
from tests import magento_fixtures
from tests.magento_fixtures import client

magento_server = magento_fixtures.magento_server
magento = magento_fixtures.magento


@pytest.fixture(params=["luma", pytest.param("recordings", marks=pytest.mark.evidence)])
def seeded(request: pytest.FixtureRequest) -> Iterator[MagentoSandbox]:
    """The module's default-seed sandbox, or a sandbox of its own on the recordings."""
    if request.param == "luma":
        yield request.getfixturevalue("magento")
        return
    with MagentoSandbox(seed="recordings") as sandbox:
        yield sandbox


SIZES = {"XS": "5593", "S": "5594", "M": "5595", "L": "5596", "XL": "5597"}
COLORS = {"Black": "5476", "Gray": "5479", "Orange": "5483"}
#: Luma's order: size outer, colour inner, ids 53..67.
CHILDREN = [(f"MH01-{s}-{c}", SIZES[s], COLORS[c]) for s in SIZES for c in COLORS]


def custom(product: dict, code: str):
    return next(
        (a["value"] for a in product["custom_attributes"] if a["attribute_code"] == code), None
    )


def test_mh01_children_answer_the_fifteen_linked_products(seeded):
    api = client(seeded)
    parent = api.product("MH01")
    links = parent["extension_attributes"]["configurable_product_links"]
    assert links == list(range(53, 68))
    children = api.get("configurable-products/MH01/children")
    assert [c["id"] for c in children] == links
    assert [c["sku"] for c in children] == [sku for sku, _, _ in CHILDREN]
    for child, (sku, size, color) in zip(children, CHILDREN, strict=True):
        assert child["name"] == "Chaz Kangeroo Hoodie" + sku[4:]
        assert (child["type_id"], child["attribute_set_id"], child["price"]) == ("simple", 9, 52)
        assert (child["visibility"], child["status"], child["weight"]) == (1, 1, 1)
        assert (custom(child, "size"), custom(child, "color")) == (size, color)
        assert custom(child, "url_key") == "chaz-kangeroo-hoodie" + sku[4:].lower()
        assert (child["created_at"], child["updated_at"]) == (
            parent["created_at"],
            parent["updated_at"],
        )
    # Every child's values are among the parent's options, and no combination repeats.
    options = {
        o["attribute_id"]: {str(v["value_index"]) for v in o["values"]}
        for o in parent["extension_attributes"]["configurable_product_options"]
    }
    assert {custom(c, "size") for c in children} == options["152"]
    assert {custom(c, "color") for c in children} == options["93"]
    labels = {o["value"]: o["label"] for o in api.get("products/attributes/color")["options"]}
    assert [labels[custom(c, "color")] for c in children[:3]] == ["Black", "Gray", "Orange"]


def test_a_child_is_a_product_with_stock_on_the_default_source(seeded):
    api = client(seeded)
    child = api.product("MH01-XS-Black")
    assert (child["id"], child["name"]) == (53, "Chaz Kangeroo Hoodie-XS-Black")
    assert child["extension_attributes"]["website_ids"] == [1]
    item = child["extension_attributes"]["stock_item"]
    assert (item["item_id"], item["product_id"], item["qty"], item["is_in_stock"]) == (
        53,
        53,
        100,
        True,
    )
    assert item["manage_stock"] is True and item["min_sale_qty"] == 1  # the sandbox's defaults
    assert api.get("stockItems/MH01-XL-Orange")["qty"] == 100
    found = api.get(
        "inventory/source-items",
        params={
            "searchCriteria[filter_groups][0][filters][0][field]": "sku",
            "searchCriteria[filter_groups][0][filters][0][value]": "MH01-%",
            "searchCriteria[filter_groups][0][filters][0][condition_type]": "like",
        },
    )
    assert found["total_count"] == 15
    assert {(i["source_code"], i["quantity"], i["status"]) for i in found["items"]} == {
        ("default", 100, 1)
    }


def test_a_second_product_with_a_seeded_combination_is_refused_as_a_child(seeded):
    api = client(seeded)
    twin = {
        "sku": "MH01-XS-Black-2",
        "name": "Twin",
        "attribute_set_id": 9,
        "price": 52,
        "type_id": "simple",
        "custom_attributes": [
            {"attribute_code": "size", "value": "5593"},
            {"attribute_code": "color", "value": "5476"},
        ],
    }
    api.post("products", {"product": twin})
    with pytest.raises(ValidationError, match="have the same set of attribute values"):
        api.post("configurable-products/MH01/child", {"childSku": "MH01-XS-Black-2"})
