"""Magento products -> the neutral shape -> Odoo values (pure: no I/O), on the seed's catalog.

The products are the seed's (`sandbox.magento.seed.luma.catalog`): the configurable MH01
with its fifteen children, the bundle 24-WG080, the SKU with a slash `bla/koe`, the grouped
24-WG085_Group; the Color and Size attributes are the seed's (`store.product_attributes`).

The outside evidence (`tests.evidence`, marked `evidence`): the same four products as
OCA's connector-magento recorded them from a real Magento 2.3 map the same way (MH01's
children were never recorded: the seed's, which its recorded links name, stand in).
"""

from __future__ import annotations

from typing import Any

import pytest

from bridge.mappers.errors import MappingError
from bridge.mappers.product import (
    MagentoAttribute,
    ProductValues,
    combo_name,
    from_magento,
    from_odoo,
    magento_attribute,
    odoo_priced,
    odoo_template_values,
    price_extras,
    product_fingerprint,
)
from sandbox.magento.seed import luma
from sandbox.magento.seed.luma.catalog import COLOR_ATTRIBUTE, COLOR_IDS
from sandbox.magento.seed.luma.store import product_attributes
from tests import evidence

#: The bundle's options as Bridge reads them (the seed's kit and the recorded one alike).
KIT_COMPONENTS = [
    {"option": "Sprite Stasis Ball", "qty": 1.0,
     "skus": ["24-WG081-blue", "24-WG082-blue", "24-WG083-blue"]},
    {"option": "Sprite Foam Yoga Brick", "qty": 1.0, "skus": ["24-WG084"]},
    {"option": "Sprite Yoga Strap", "qty": 1.0,
     "skus": ["24-WG085", "24-WG086", "24-WG087"]},
    {"option": "Sprite Foam Roller", "qty": 1.0, "skus": ["24-WG088"]},
]  # fmt: skip
GROUPED_REFUSAL = (
    "product 24-WG085_Group is a grouped product: Bridge syncs simple, virtual, "
    "configurable and bundle products"
)
RECORDED_MH01 = "test_import_product_configurable/00_get_products_MH01.json"
RECORDED_BUNDLE = "test_import_product_bundle/00_get_products_24_WG080.json"
RECORDED_QUOTED = "test_import_product_quoted_sku/00_get_products_bla_2Fkoe.json"
RECORDED_GROUPED = "test_import_product_grouped/00_get_products_24_WG085_Group.json"


def luma_attributes() -> dict[str, MagentoAttribute]:
    return {str(a["attribute_id"]): magento_attribute(a) for a in product_attributes()}


def product(sku: str) -> dict[str, Any]:
    """A seeded product as `GET /V1/products/{sku}` answers it (a fresh copy)."""
    return luma.product(sku)


def mh01_children(price: float = 52.0) -> list[dict[str, Any]]:
    """MH01's 15 children (ids 53-67) as `configurable-products/MH01/children` answers them."""
    links = product("MH01")["extension_attributes"]["configurable_product_links"]
    by_id = {p["id"]: p for p in luma.catalog.products()}
    children = [by_id[link] for link in links]
    for child in children:
        child["price"] = price
    return children


def mh01(
    children: list[dict[str, Any]] | None = None, parent: dict[str, Any] | None = None
) -> ProductValues:
    return from_magento(
        parent or product("MH01"),
        mh01_children() if children is None else children,
        luma_attributes(),
    )


def assert_mh01_maps(values: ProductValues) -> None:
    assert (values["sku"], values["kind"], values["name"]) == (
        "MH01",
        "configurable",
        "Chaz Kangeroo Hoodie",
    )
    # Options in Magento's position order: Size (position 0) before Color (position 1).
    assert values["attributes"] == [
        {"code": "size", "label": "Size", "values": ["XS", "S", "M", "L", "XL"]},
        {"code": "color", "label": "Color", "values": ["Black", "Gray", "Orange"]},
    ]
    assert len(values["variants"]) == 15
    assert values["variants"][0] == {
        "sku": "MH01-L-Black",
        "price": 52.0,
        "options": {"size": "L", "color": "Black"},
    }
    assert values["price"] == 52.0  # a configurable's own price (0) is not a price
    assert values["active"] is True and values["components"] == []


def test_mh01_is_one_configurable_with_its_attributes_and_children() -> None:
    values = mh01()
    assert_mh01_maps(values)
    assert values["description"].startswith("<p>The Chaz Kangeroo Hoodie is made for laps")


@pytest.mark.evidence
def test_the_recorded_mh01_is_one_configurable_with_its_attributes_and_children() -> None:
    recorded = evidence.recorded(RECORDED_MH01)
    links = recorded["extension_attributes"]["configurable_product_links"]
    assert links == [child["id"] for child in mh01_children()], "the seed's children stand in"
    values = mh01(parent=recorded)
    assert_mh01_maps(values)
    assert values["description"].startswith("<p>Ideal for cold-weather training")


def test_mh01_becomes_a_template_without_its_own_internal_reference() -> None:
    vals = odoo_template_values(mh01())
    assert "default_code" not in vals  # each variant carries its child's SKU instead
    assert (vals["name"], vals["list_price"], vals["type"], vals["is_storable"]) == (
        "Chaz Kangeroo Hoodie",
        52.0,
        "consu",
        True,
    )
    assert vals["sale_ok"] is True and vals["description"].startswith("<p>The Chaz")


def test_only_the_values_the_children_use_become_odoo_values() -> None:
    """Odoo makes a variant of every value on a line: an unused option would be one."""
    parent = product("MH01")
    options = parent["extension_attributes"]["configurable_product_options"]
    colors = next(o for o in options if o["attribute_id"] == str(COLOR_ATTRIBUTE))
    colors["values"].append({"value_index": COLOR_IDS["Blue"]})
    values = from_magento(parent, mh01_children(), luma_attributes())
    assert values["attributes"][1]["values"] == ["Black", "Gray", "Orange"]


def test_an_attribute_magento_would_not_answer_fails_with_its_id() -> None:
    attributes = {k: v for k, v in luma_attributes().items() if v["code"] == "size"}
    with pytest.raises(MappingError, match=r"configurable MH01: attribute 93 \(Color\) could not"):
        from_magento(product("MH01"), mh01_children(), attributes)


def test_equal_prices_need_no_extras() -> None:
    values = mh01()
    assert price_extras(values) == {}
    assert odoo_priced(values) == values


def test_prices_that_follow_one_attribute_become_its_extras() -> None:
    children = mh01_children()
    for child in children:
        if child["sku"].startswith("MH01-XL-"):
            child["price"] = 57.0
    values = mh01(children)
    assert price_extras(values) == {("size", "XL"): 5.0}
    assert odoo_priced(values) == values  # Odoo can say every price


def test_prices_odoo_cannot_say_fall_back_to_the_template_price() -> None:
    children = mh01_children()
    children[0]["price"] = 60.0  # MH01-XS-Black alone: neither its size nor its colour
    values = mh01(children)
    assert price_extras(values) == {}
    priced = odoo_priced(values)
    assert {v["price"] for v in priced["variants"]} == {52.0}
    assert product_fingerprint(priced) != product_fingerprint(values)


def assert_kit_is_a_combo_product(payload: dict[str, Any]) -> None:
    values = from_magento(payload)
    assert (values["sku"], values["kind"], values["price"]) == ("24-WG080", "bundle", 0.0)
    assert values["components"] == KIT_COMPONENTS
    vals = odoo_template_values(values)
    assert (vals["type"], vals["is_storable"], vals["default_code"]) == ("combo", False, "24-WG080")
    assert [combo_name(c) for c in values["components"]][0] == "Sprite Stasis Ball"


def test_the_bundle_is_a_combo_product_with_one_choice_per_option() -> None:
    assert_kit_is_a_combo_product(product("24-WG080"))


@pytest.mark.evidence
def test_the_recorded_bundle_is_a_combo_product_with_one_choice_per_option() -> None:
    assert_kit_is_a_combo_product(evidence.recorded(RECORDED_BUNDLE))


def test_a_bundle_quantity_odoo_combos_cannot_hold_is_named_and_read_back() -> None:
    kit = product("24-WG080")
    kit["extension_attributes"]["bundle_product_options"][3]["product_links"][0]["qty"] = 2
    values = from_magento(kit)
    assert combo_name(values["components"][3]) == "Sprite Foam Roller (x2)"
    combos = [{"name": combo_name(c), "skus": c["skus"]} for c in values["components"]]
    template = {**odoo_template_values(values), "id": 9, "active": True}
    back = from_odoo(template, [{"id": 90, "default_code": "24-WG080"}], {}, combos, "24-WG080")
    assert back["components"][3] == {"option": "Sprite Foam Roller", "skus": ["24-WG088"],
                                      "qty": 2.0}  # fmt: skip
    assert product_fingerprint(back) == product_fingerprint(values)


def assert_sku_with_a_slash_is_kept(payload: dict[str, Any], name: str) -> None:
    values = from_magento(payload)
    assert (values["sku"], values["kind"], values["name"], values["price"]) == (
        "bla/koe",
        "simple",
        name,
        1.0,
    )
    vals = odoo_template_values(values)
    assert (vals["default_code"], vals["type"], vals["is_storable"]) == ("bla/koe", "consu", True)


def test_a_sku_with_a_slash_is_kept_as_it_is() -> None:
    assert_sku_with_a_slash_is_kept(product("bla/koe"), "Blauwe Koe")


@pytest.mark.evidence
def test_the_recorded_sku_with_a_slash_is_kept_as_it_is() -> None:
    assert_sku_with_a_slash_is_kept(evidence.recorded(RECORDED_QUOTED), "bla")


def test_a_grouped_product_is_refused_with_the_reason() -> None:
    with pytest.raises(MappingError) as refused:
        from_magento(product("24-WG085_Group"))
    assert str(refused.value) == GROUPED_REFUSAL


@pytest.mark.evidence
def test_the_recorded_grouped_product_is_refused_with_the_reason() -> None:
    with pytest.raises(MappingError) as refused:
        from_magento(evidence.recorded(RECORDED_GROUPED))
    assert str(refused.value) == GROUPED_REFUSAL


def odoo_reads(values: ProductValues) -> tuple[dict, list[dict], dict[int, dict]]:
    """What Odoo 18 answers for the template the import writes: variants named by SKU, values
    shown as "Color: Black" (their display name), each variant at list price + extras."""
    template = {**odoo_template_values(values), "id": 1, "active": True}
    extras = price_extras(values)
    ptavs: dict[int, dict] = {}
    ids: dict[tuple[str, str], int] = {}
    for attribute_id, attribute in enumerate(values["attributes"], start=1):
        for label in attribute["values"]:
            ptav_id = ids[(attribute["code"], label)] = len(ids) + 1
            ptavs[ptav_id] = {
                "id": ptav_id,
                "attribute_id": [attribute_id, attribute["label"]],
                "product_attribute_value_id": [ptav_id, f"{attribute['label']}: {label}"],
                "name": label,
                "price_extra": extras.get((attribute["code"], label), 0.0),
            }
    variants = [
        {
            "id": 100 + n,
            "default_code": v["sku"],
            "active": True,
            "lst_price": values["price"]
            + sum(extras.get((c, label), 0.0) for c, label in v["options"].items()),
            "product_template_attribute_value_ids": [
                ids[(c, label)] for c, label in v["options"].items()
            ],
        }
        for n, v in enumerate(values["variants"])
    ]
    return template, variants, ptavs


@pytest.mark.parametrize("xl_price", [52.0, 57.0])
def test_what_the_import_writes_reads_back_as_the_same_fingerprint(xl_price: float) -> None:
    """No echo: the export reads Odoo with `from_odoo` and finds nothing to send back."""
    children = mh01_children()
    for child in children:
        if "-XL-" in child["sku"]:
            child["price"] = xl_price
    values = odoo_priced(mh01(children))
    template, variants, ptavs = odoo_reads(values)
    back = from_odoo(template, variants, ptavs, bound_sku="MH01")
    assert back["kind"] == "configurable" and back["sku"] == "MH01"
    assert product_fingerprint(back) == product_fingerprint(values)


def test_a_configurable_with_one_child_reads_back_as_a_configurable() -> None:
    values = odoo_priced(mh01(mh01_children()[:1]))
    template, variants, ptavs = odoo_reads(values)
    back = from_odoo(template, variants, ptavs, bound_sku="MH01")
    assert back["kind"] == "configurable"
    assert product_fingerprint(back) == product_fingerprint(values)


def test_a_simple_product_reads_back_as_the_same_fingerprint() -> None:
    values = from_magento(product("bla/koe"))
    template = {**odoo_template_values(values), "id": 3, "active": True}
    back = from_odoo(template, [{"id": 30, "default_code": "bla/koe", "active": True}], {})
    assert product_fingerprint(back) == product_fingerprint(values)


def test_an_attribute_whose_code_is_not_its_label_reads_back_the_same() -> None:
    """Odoo names the attribute "Size" only; Magento's code may be anything."""
    attributes = luma_attributes()
    attributes["152"] = {**attributes["152"], "code": "size_general"}
    children = mh01_children()
    for child in children:
        for entry in child["custom_attributes"]:
            if entry["attribute_code"] == "size":
                entry["attribute_code"] = "size_general"
    values = odoo_priced(from_magento(product("MH01"), children, attributes))
    assert values["attributes"][0]["code"] == "size_general"
    template, variants, ptavs = odoo_reads(values)
    back = from_odoo(template, variants, ptavs, bound_sku="MH01")
    assert {a["code"] for a in back["attributes"]} == {"size", "color"}
    assert product_fingerprint(back) == product_fingerprint(values)
