"""Catalog reads beside products, and Magento's error bodies, in the Magento sandbox.

Each test names the Magento 2.4 class whose behaviour it models (read in magento/magento2) or
the recorded answer it follows; everything runs on the project's own seed over raw HTTP.
"""

from __future__ import annotations

from typing import Any

import requests

from sandbox.magento import INTEGRATION_TOKEN
from sandbox.magento.seed import luma
from tests import magento_fixtures
from tests.magento_fixtures import admin

magento_server = magento_fixtures.magento_server
magento = magento_fixtures.magento

BEARER = {"Authorization": f"Bearer {INTEGRATION_TOKEN}"}


def call(sandbox, method: str, path: str, params=None, body=None, store: str = "default"):
    url = f"{sandbox.url}/rest/{store}/V1/{path}"
    return requests.request(method, url, params=params, json=body, headers=BEARER, timeout=5)


def ids(node: dict[str, Any]) -> dict[int, Any]:
    """A tree as {id: {child id: ...}}."""
    return {node["id"]: {k: v for c in node["children_data"] for k, v in ids(c).items()}}


# -- categories ---------------------------------------------------------------------------------


def test_category_by_id_answers_the_seeded_category(magento):
    """`CategoryRepository::get`: the stored category; an unknown id is
    `NoSuchEntityException::singleField('id', ...)`, a 404 with its parameters."""
    seeded = {c["id"]: c for c in luma.catalog.categories()}
    for category_id in (1, 2, 15, 36):
        response = call(magento, "GET", f"categories/{category_id}")
        assert (response.status_code, response.json()) == (200, seeded[category_id])
    missing = call(magento, "GET", "categories/999")
    assert (missing.status_code, missing.json()) == (
        404,
        {
            "message": "No such entity with %fieldName = %fieldValue",
            "parameters": {"fieldName": "id", "fieldValue": 999},
        },
    )


def test_seeded_categories_count_descendants_as_magento_does(magento):
    """Recorded (test_import_product_category_missing, categories/2): `children` lists the
    direct children ("3,9,11,20,37,38") while `children_count` counts all descendants ("39");
    the Root Catalog has no `is_active`."""
    root = call(magento, "GET", "categories/1").json()
    assert "is_active" not in root and root["children"] == "2"
    default = call(magento, "GET", "categories/2").json()
    count = {a["attribute_code"]: a["value"] for a in default["custom_attributes"]}
    assert default["children"] == "3,9,11,20,29,36"
    assert count["children_count"] == str(len(luma.catalog.CATEGORY_TREE) - 2)


def test_category_tree_from_the_store_root(magento):
    """`CategoryManagement::getTree` without rootCategoryId: the store's root category (the
    store group's root_category_id), children by position, `Category\\Tree::getTree`'s fields."""
    tree = call(magento, "GET", "categories").json()
    assert list(tree) == [
        "id",
        "parent_id",
        "name",
        "is_active",
        "position",
        "level",
        "product_count",
        "children_data",
    ]
    assert (tree["id"], tree["name"], tree["level"]) == (2, "Default Category", 1)
    assert [c["name"] for c in tree["children_data"]] == [
        "Women",  # position 2
        "Men",  # 3
        "Gear",  # 4
        "Promotions",  # 5
        "Training",  # 6
        "Eco Friendly",  # 7
    ]
    gear = next(c for c in tree["children_data"] if c["id"] == 3)
    assert ids(gear) == {3: {4: {}, 5: {}, 6: {}}}


def test_category_tree_depth_root_and_admin_store(magento):
    """`depth` stops `Category\\Tree::getChildren` that many levels below the root; the admin
    store (`/rest/all/`) starts at the level-0 Root Catalog; an unknown rootCategoryId is the
    repository's 404."""
    shallow = call(magento, "GET", "categories", {"depth": "1"}).json()
    assert all(c["children_data"] == [] for c in shallow["children_data"])
    assert call(magento, "GET", "categories", {"depth": "0"}).json()["children_data"] == []
    men = call(magento, "GET", "categories", {"rootCategoryId": "11"}).json()
    assert ids(men) == {11: {12: {15: {}}}}
    admin_tree = call(magento, "GET", "categories", {"depth": "1"}, store="all").json()
    assert (admin_tree["id"], admin_tree["is_active"]) == (1, None)
    assert [c["id"] for c in admin_tree["children_data"]] == [2]
    assert call(magento, "GET", "categories", {"rootCategoryId": "999"}).status_code == 404


def test_category_tree_product_counts(magento):
    """`Category\\Collection::loadProductCount`: an anchor category (all seeded ones are)
    counts the products of its subtree that the category index holds (visible in site); a
    non-anchor one counts the products linked to it."""
    tree = call(magento, "GET", "categories").json()
    gear = next(c for c in tree["children_data"] if c["id"] == 3)
    # Gear (3): 24-WG02 (3, 6), the bundle and the grouped (3, 5), eight simples in 5.
    assert gear["product_count"] == 11
    hoodies = call(magento, "GET", "categories", {"rootCategoryId": "15"}).json()
    assert hoodies["product_count"] == 2  # MH09 and MH01: their children are not visible
    # Made non-anchor, a category counts only what is linked to it: children included.
    category = admin(magento, "GET", "records/categories/15")
    attributes = [
        {**a, "value": "0"} if a["attribute_code"] == "is_anchor" else a
        for a in category["custom_attributes"]
    ]
    admin(magento, "PUT", "records/categories/15", {"custom_attributes": attributes})
    assert (
        call(magento, "GET", "categories", {"rootCategoryId": "15"}).json()["product_count"] == 32
    )


def test_categories_list_is_an_eav_search(magento):
    """`CategoryList::getList`: the EAV category collection (`entity_id`, attributes)."""
    params = {
        "searchCriteria[filter_groups][0][filters][0][field]": "parent_id",
        "searchCriteria[filter_groups][0][filters][0][value]": "3",
        "searchCriteria[sortOrders][0][field]": "position",
        "searchCriteria[sortOrders][0][direction]": "DESC",
    }
    found = call(magento, "GET", "categories/list", params).json()
    assert [c["name"] for c in found["items"]] == ["Watches", "Fitness Equipment", "Bags"]
    by_key = {
        "searchCriteria[filter_groups][0][filters][0][field]": "entity_id",
        "searchCriteria[filter_groups][0][filters][0][value]": "15",
    }
    assert [c["id"] for c in call(magento, "GET", "categories/list", by_key).json()["items"]] == [
        15
    ]


# -- product types -------------------------------------------------------------------------------


def test_product_types_is_its_own_route(magento):
    """`ProductTypeListInterface` at GET /V1/products/types: the route wins over products/{sku},
    so a product whose SKU is "types" cannot be read by that URL on a real store either."""
    listed = call(magento, "GET", "products/types").json()
    assert sorted(listed, key=lambda t: t["name"]) == [
        {"name": "bundle", "label": "Bundle Product"},
        {"name": "configurable", "label": "Configurable Product"},
        {"name": "downloadable", "label": "Downloadable Product"},
        {"name": "grouped", "label": "Grouped Product"},
        {"name": "simple", "label": "Simple Product"},
        {"name": "virtual", "label": "Virtual Product"},
    ]
    product = {**admin(magento, "GET", "records/products/RACER"), "id": 3001, "sku": "types"}
    admin(magento, "POST", "records/products", product)
    assert call(magento, "GET", "products/types").json() == listed
    assert call(magento, "GET", "products/RACER").json()["sku"] == "RACER"


# -- error bodies --------------------------------------------------------------------------------


def test_error_bodies_never_carry_empty_parameters(magento):
    """`Webapi\\Rest\\Response::_renderMessages` adds `parameters` only when the exception has
    some: a NoSuchEntityException without placeholders answers `{"message": ...}` alone."""
    entity = "The entity that was requested doesn't exist. Verify the entity and try again."
    product = "The product that was requested doesn't exist. Verify the product and try again."
    cases = [
        ("GET", "orders/999", None, 404, entity),
        ("GET", "invoices/999", None, 404, entity),
        ("GET", "shipment/999", None, 404, entity),
        ("GET", "creditmemo/999", None, 404, entity),
        ("POST", "order/999/ship", {"items": []}, 404, entity),
        ("POST", "order/999/invoice", {}, 404, entity),
        ("POST", "order/999/refund", {}, 404, entity),
        ("POST", "invoice/999/refund", {}, 404, entity),
        ("POST", "orders/999/cancel", None, 404, entity),
        ("GET", "products/NOPE", None, 404, product),
        ("DELETE", "products/NOPE", None, 404, product),
        ("GET", "stockItems/NOPE", None, 404, product),
        ("GET", "configurable-products/NOPE/children", None, 404, product),
        ("GET", "no/such/route", None, 404, "Request does not match any route."),
    ]
    for method, path, body, status, message in cases:
        response = call(magento, method, path, body=body)
        assert (response.status_code, response.json()) == (status, {"message": message}), path
