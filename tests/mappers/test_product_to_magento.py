"""Odoo products -> the neutral shape -> Magento bodies (pure: no I/O)."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.mappers.errors import MappingError
from bridge.mappers.product import (
    Held,
    as_magento_holds,
    attribute_code,
    common_sku_prefix,
    from_odoo,
    held_in_magento,
    left_out,
    magento_child,
    magento_product,
    product_fingerprint,
)
from tests.product_html import LUMA, LUMA_STORED, PAGE_BUILDER, PAGE_BUILDER_STORED

TEMPLATE = {
    "id": 7,
    "name": "Bridge Tee",
    "default_code": False,
    "list_price": 30.0,
    "standard_price": 11.0,
    "weight": 0.2,
    "description": False,
    "description_sale": "Organic cotton",
    "sale_ok": True,
    "active": True,
    "type": "consu",
}
PTAVS = {
    1: {"id": 1, "attribute_id": [1, "Color"], "product_attribute_value_id": [1, "Black"]},
    2: {"id": 2, "attribute_id": [1, "Color"], "product_attribute_value_id": [2, "Teal"]},
    3: {"id": 3, "attribute_id": [2, "Shoe Size"], "product_attribute_value_id": [3, "42"]},
}
VARIANTS = [
    {"id": 11, "default_code": "BTEE-Black-42", "lst_price": 30.0,
     "product_template_attribute_value_ids": [1, 3]},
    {"id": 12, "default_code": "BTEE-Teal-42", "lst_price": 32.5,
     "product_template_attribute_value_ids": [2, 3]},
]  # fmt: skip


def simple(**over: Any) -> dict[str, Any]:
    return {**TEMPLATE, "default_code": "BR-MUG", "name": "Mug", **over}


def test_a_simple_template_maps_its_fields() -> None:
    values = from_odoo(simple(), [{"id": 3, "default_code": "BR-MUG"}], {})
    assert values["kind"] == "simple" and values["sku"] == "BR-MUG"
    body = magento_product(values, attribute_set_id=4, website_ids=[1])["product"]
    assert body["sku"] == "BR-MUG" and body["price"] == 30.0 and body["weight"] == 0.2
    assert (body["status"], body["visibility"], body["attribute_set_id"]) == (1, 4, 4)
    assert body["extension_attributes"] == {"website_ids": [1]}
    customs = {c["attribute_code"]: c["value"] for c in body["custom_attributes"]}
    assert customs == {"description": "", "short_description": "Organic cotton", "cost": 11.0}


def test_an_update_leaves_attribute_set_and_websites_alone() -> None:
    body = magento_product(from_odoo(simple(), [], {}))["product"]
    assert "attribute_set_id" not in body and "extension_attributes" not in body


def test_not_for_sale_or_archived_is_disabled_in_magento() -> None:
    for over in ({"sale_ok": False}, {"active": False}):
        body = magento_product(from_odoo(simple(**over), [], {}))["product"]
        assert body["status"] == 2


def test_a_template_without_reference_is_refused_with_what_to_do() -> None:
    with pytest.raises(MappingError, match="set the Internal Reference in Odoo"):
        from_odoo({**TEMPLATE}, [{"id": 3, "default_code": False}], {})


def test_variants_make_a_configurable_named_after_their_common_prefix() -> None:
    values = from_odoo(TEMPLATE, VARIANTS, PTAVS)
    assert values["kind"] == "configurable" and values["sku"] == "BTEE"
    assert [a["code"] for a in values["attributes"]] == ["color", "shoe_size"]
    assert values["attributes"][0]["values"] == ["Black", "Teal"]
    assert values["variants"][1] == {
        "sku": "BTEE-Teal-42",
        "price": 32.5,
        "options": {"color": "Teal", "shoe_size": "42"},
    }
    options = {"color": {"Black": "5476", "Teal": "9001"}, "shoe_size": {"42": "77"}}
    body = magento_product(
        values, option_ids=options, attribute_ids={"color": "93", "shoe_size": "300"},
        child_ids=[53, 54],
    )["product"]  # fmt: skip
    assert body["type_id"] == "configurable" and "price" not in body
    ext = body["extension_attributes"]
    assert ext["configurable_product_links"] == [53, 54]
    assert ext["configurable_product_options"][0] == {
        "attribute_id": "93",
        "label": "Color",
        "position": 0,
        "values": [{"value_index": 5476}, {"value_index": 9001}],
    }
    child = magento_child(values, values["variants"][1], options)["product"]
    assert child["name"] == "Bridge Tee-Teal-42" and child["visibility"] == 1
    customs = {c["attribute_code"]: c["value"] for c in child["custom_attributes"]}
    assert (customs["color"], customs["shoe_size"], child["price"]) == ("9001", "77", 32.5)


def test_a_bound_configurable_keeps_its_magento_sku() -> None:
    assert from_odoo(TEMPLATE, VARIANTS, PTAVS, bound_sku="MH99")["sku"] == "MH99"


def test_variants_without_a_shared_prefix_are_refused() -> None:
    odd = [{**VARIANTS[0], "default_code": "A1"}, {**VARIANTS[1], "default_code": "B2"}]
    with pytest.raises(MappingError, match="start alike"):
        from_odoo(TEMPLATE, odd, PTAVS)


def test_a_variant_without_reference_is_refused() -> None:
    with pytest.raises(MappingError, match="variant 12 has no Internal Reference"):
        from_odoo(TEMPLATE, [VARIANTS[0], {**VARIANTS[1], "default_code": False}], PTAVS)


def test_a_combo_product_becomes_a_bundle_of_its_choices() -> None:
    combos = [{"name": "Ball", "skus": ["24-WG081-blue", "24-WG082-blue"]}]
    values = from_odoo(simple(type="combo", default_code="KIT"), [], {}, combos)
    assert values["kind"] == "bundle"
    body = magento_product(values)["product"]
    [option] = body["extension_attributes"]["bundle_product_options"]
    assert option["title"] == "Ball" and option["type"] == "radio"
    assert [link["sku"] for link in option["product_links"]] == ["24-WG081-blue", "24-WG082-blue"]
    assert [link["is_default"] for link in option["product_links"]] == [True, False]


def test_the_fingerprint_ignores_the_order_sides_list_things_in() -> None:
    values = from_odoo(TEMPLATE, VARIANTS, PTAVS)
    shuffled = {
        **values,
        "variants": list(reversed(values["variants"])),
        "attributes": [
            {**a, "values": list(reversed(a["values"]))} for a in reversed(values["attributes"])
        ],
    }
    assert product_fingerprint(shuffled) == product_fingerprint(values)  # type: ignore[arg-type]
    assert product_fingerprint({**values, "price": 31.0}) != product_fingerprint(values)


@pytest.mark.parametrize(
    ("skus", "prefix"),
    [
        (["MH01-XS-Black", "MH01-S-Gray"], "MH01"),
        (["HOODIE_S_RED", "HOODIE_M_RED"], "HOODIE"),
        (["A1", "B2"], ""),
        (["ONLY-ONE"], "ONLY"),
    ],
)
def test_common_sku_prefix(skus: list[str], prefix: str) -> None:
    assert common_sku_prefix(skus) == prefix


def test_attribute_codes_follow_magento_rules() -> None:
    assert attribute_code("Color") == "color"
    assert attribute_code(" Shoe Size ") == "shoe_size"


# -- what an update leaves as Magento has it --------------------------------------------------


def held(**over: Any) -> Held:
    base: Held = {"weight": 1.25, "cost": 3.1, "description": PAGE_BUILDER,
                  "short_description": "<p>Light.</p>"}  # fmt: skip
    return {**base, **over}  # type: ignore[typeddict-item]


def odoo_values(**over: Any) -> Any:
    fields = {"weight": 1.25, "standard_price": 3.1, "description": PAGE_BUILDER_STORED,
              "description_sale": "<p>Light.</p>", **over}  # fmt: skip
    return from_odoo(simple(**fields), [{"id": 3, "default_code": "BR-MUG"}], {})


def test_magentos_fields_are_read_from_a_product() -> None:
    product = {
        "sku": "BR-MUG",
        "weight": "1.2500",
        "custom_attributes": [
            {"attribute_code": "description", "value": PAGE_BUILDER},
            {"attribute_code": "cost", "value": "3.100000"},
        ],
    }
    assert held_in_magento(product) == held(short_description="")
    assert held_in_magento({"sku": "X"}) == {
        "weight": 0.0, "cost": 0.0, "description": "", "short_description": ""
    }  # fmt: skip


def test_odoos_rewrite_of_magentos_description_is_left_out() -> None:
    """The values were synced and nothing changed in Odoo but, say, the price."""
    assert left_out(odoo_values(), held(), edited_in_odoo=True) == {"description"}
    assert left_out(odoo_values(), held(), edited_in_odoo=False) == {"description"}


def test_a_description_edited_in_odoo_is_sent() -> None:
    edited = odoo_values(description="<p>Now in blue.</p>")
    assert left_out(edited, held(), edited_in_odoo=True) == set()
    body = magento_product(edited, leave=left_out(edited, held(), True))["product"]
    customs = {c["attribute_code"]: c["value"] for c in body["custom_attributes"]}
    assert customs["description"] == "<p>Now in blue.</p>" and body["weight"] == 1.25


def test_a_description_odoo_did_not_change_is_left_out_even_when_magentos_did() -> None:
    """Magento was edited and the import has not run yet: Odoo's older copy stays home."""
    magento = held(description=PAGE_BUILDER.replace("Holds its shape.", "Holds on."))
    assert left_out(odoo_values(), magento, edited_in_odoo=False) == {"description"}


@pytest.mark.parametrize(
    ("over", "blank"),
    [
        ({"weight": 0.0}, "weight"),
        ({"standard_price": 0.0}, "cost"),
        ({"description": False}, "description"),
        ({"description": "<p><br></p>"}, "description"),
        ({"description_sale": False}, "short_description"),
    ],
)
def test_fields_odoo_leaves_empty_are_never_sent(over: dict[str, Any], blank: str) -> None:
    values = odoo_values(**over)
    assert blank in left_out(values, held(), edited_in_odoo=True)
    assert blank in left_out(values, None, edited_in_odoo=True)  # a new product too
    body = magento_product(values, leave=left_out(values, None, True))["product"]
    customs = {c["attribute_code"] for c in body["custom_attributes"]}
    assert (blank == "weight") is ("weight" not in body) and blank not in customs


def test_a_new_product_gets_odoos_description_whatever_it_is() -> None:
    assert left_out(odoo_values(), None, edited_in_odoo=False) == set()


def test_what_magento_holds_after_an_update() -> None:
    """Magento's values where both sides agree; Odoo's where Magento holds its own, so the
    next import sees Magento's as a change and brings it over."""
    values = odoo_values(weight=0.0, description=LUMA_STORED)
    magento = held(description=LUMA)
    leave = left_out(values, magento, edited_in_odoo=False)
    assert leave == {"weight", "description"}
    holds = as_magento_holds(values, magento, leave)
    assert holds["description"] == LUMA  # the same content: in step
    assert holds["weight"] == 0.0  # Magento's 1.25 is Magento's own: the import brings it
    edited = held(description=PAGE_BUILDER)  # not what Odoo holds (LUMA_STORED)
    assert as_magento_holds(values, edited, leave)["description"] == LUMA_STORED
    assert as_magento_holds(values, None, {"weight"})["weight"] == 0.0


def test_a_configurable_child_leaves_the_same_fields() -> None:
    values = from_odoo({**TEMPLATE, "description": LUMA_STORED, "weight": 0.0}, VARIANTS, PTAVS)
    options = {"color": {"Black": "5476", "Teal": "9001"}, "shoe_size": {"42": "77"}}
    child = magento_child(values, values["variants"][0], options,
                          leave={"weight", "description"})["product"]  # fmt: skip
    codes = {c["attribute_code"] for c in child["custom_attributes"]}
    assert "weight" not in child and "description" not in codes and "cost" in codes
