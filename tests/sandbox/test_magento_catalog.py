"""Catalog, bulk and stock in the Magento sandbox, over real HTTP with `MagentoClient`.

On the default seed, the project's own Luma-like catalog (`sandbox.magento.seed.luma.catalog`):
its ids, option ids and stock are what the expected values below name.
"""

from __future__ import annotations

import time

import pytest
import requests

from bridge.clients.errors import NotFoundError, ValidationError
from sandbox.magento import INTEGRATION_TOKEN, MagentoSandbox
from tests import magento_fixtures
from tests.magento_fixtures import admin, client

magento_server = magento_fixtures.magento_server
magento = magento_fixtures.magento


def simple(sku: str, **fields):
    return {
        "product": {
            "sku": sku,
            "name": f"Product {sku}",
            "attribute_set_id": 4,
            "price": 12.5,
            "type_id": "simple",
            **fields,
        }
    }


def bulk_post(sandbox: MagentoSandbox, items, store: str = "default") -> requests.Response:
    """The client has no async URL (it builds /rest/<store>/V1/...): plain HTTP, real token."""
    return requests.post(
        f"{sandbox.url}/rest/{store}/async/bulk/V1/products",
        json=items,
        headers={"Authorization": f"Bearer {INTEGRATION_TOKEN}"},
        timeout=30,
    )


def wait_for_bulk(api, uuid: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = api.get(f"bulk/{uuid}/status")
        if all(op["status"] != 4 for op in status["operations_list"]):
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.05)


def test_create_then_update_a_simple_product(magento):
    api = client(magento)
    created = api.post(
        "products",
        simple("BRIDGE-1", extension_attributes={"stock_item": {"qty": 7, "is_in_stock": True}}),
    )
    assert created["id"] > 2052 and created["price"] == 12.5 and created["type_id"] == "simple"
    assert created["extension_attributes"]["stock_item"]["qty"] == 7
    first_updated = created["updated_at"]
    time.sleep(1.1)  # updated_at has one-second resolution, as in MySQL
    updated = api.post("products", {"product": {"sku": "BRIDGE-1", "price": 15}})  # save = update
    assert updated["id"] == created["id"] and updated["price"] == 15
    assert updated["name"] == "Product BRIDGE-1" and updated["updated_at"] > first_updated
    since = {  # a pull by updated_at, as the scheduled catch-up does
        "searchCriteria[filter_groups][0][filters][0][field]": "updated_at",
        "searchCriteria[filter_groups][0][filters][0][value]": first_updated,
        "searchCriteria[filter_groups][0][filters][0][condition_type]": "gt",
    }
    assert [p["sku"] for p in api.get("products", params=since)["items"]] == ["BRIDGE-1"]
    put = api.put("products/BRIDGE-1", {"product": {"name": "Renamed"}})
    assert put["name"] == "Renamed" and put["sku"] == "BRIDGE-1"
    assert api.delete("products/BRIDGE-1") is True
    with pytest.raises(NotFoundError, match="doesn't exist"):
        api.product("BRIDGE-1")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"attribute_set_id": None}, "Invalid product data: Invalid attribute set entity type"),
        ({"attribute_set_id": 999}, "Invalid product data: Invalid attribute set entity type"),
        ({"attribute_set_id": 1}, "Invalid product data: Invalid attribute set entity type"),
        ({"name": None}, 'The value of attribute "Product Name" must be set'),
        ({"price": None}, 'The value of attribute "Price" must be set'),
    ],
)
def test_invalid_products_are_refused_with_magentos_messages(magento, fields, message):
    api = client(magento)
    with pytest.raises(ValidationError) as caught:
        api.post("products", simple("BAD-1", **fields))
    assert message in str(caught.value)
    with pytest.raises(NotFoundError):
        api.product("BAD-1")


def test_a_configurable_without_price_is_accepted(magento):
    body = simple("CONF-0", type_id="configurable")
    del body["product"]["price"]
    assert client(magento).post("products", body)["price"] == 0


def test_slash_sku_is_updated_and_deleted_by_its_escaped_path(magento):
    api = client(magento)
    before = api.product("bla/koe")
    after = api.put("products/bla%2Fkoe", {"product": {"price": 99}})
    assert after["id"] == before["id"] == 2052 and after["price"] == 99
    assert api.product("bla/koe")["price"] == 99
    assert api.delete("products/bla%2Fkoe") is True
    with pytest.raises(NotFoundError):
        api.product("bla/koe")


def test_attributes_are_seeded_for_mh01s_options(magento):
    api = client(magento)
    mh01 = api.product("MH01")["extension_attributes"]["configurable_product_options"]
    color, size = api.get("products/attributes/color"), api.get("products/attributes/size")
    by_attribute = {o["attribute_id"]: o for o in mh01}
    assert set(by_attribute) == {str(color["attribute_id"]), str(size["attribute_id"])}
    labels = {o["value"]: o["label"] for o in color["options"]}
    mh01_colors = by_attribute[str(color["attribute_id"])]["values"]
    assert [labels[str(v["value_index"])] for v in mh01_colors] == ["Black", "Gray", "Orange"]
    assert {o["value"]: o["label"] for o in size["options"]}["5596"] == "L"  # MH09-L-Blue
    with pytest.raises(NotFoundError, match='"nope" attributeCode'):
        api.get("products/attributes/nope")


def test_an_attribute_is_also_found_by_its_id(magento):
    """A configurable option names only `attribute_id`; Magento's getAttribute loads by id."""
    api = client(magento)
    by_id = api.get("products/attributes/93")
    assert by_id == api.get("products/attributes/color")
    assert api.get("products/attributes/152")["attribute_code"] == "size"
    new_id = api.post("products/attributes/152/options", {"option": {"label": "XXL"}})
    assert {"label": "XXL", "value": new_id} in api.get("products/attributes/size")["options"]
    with pytest.raises(NotFoundError, match='"99999" attributeCode'):
        api.get("products/attributes/99999")


def test_attribute_option_creation_answers_the_new_id_as_a_string(magento):
    api = client(magento)
    new_id = api.post("products/attributes/color/options", {"option": {"label": "Teal"}})
    assert isinstance(new_id, str) and new_id.isdigit()
    options = api.get("products/attributes/color")["options"]
    assert {"label": "Teal", "value": new_id} in options
    with pytest.raises(ValidationError, match='label "teal" already exists'):
        api.post("products/attributes/color/options", {"option": {"label": "teal"}})
    with pytest.raises(ValidationError, match="option label is empty"):
        api.post("products/attributes/color/options", {"option": {"label": " "}})


def _variant(sku: str, color: str, size: str):
    return simple(
        sku,
        visibility=1,
        custom_attributes=[
            {"attribute_code": "color", "value": color},
            {"attribute_code": "size", "value": size},
        ],
    )


def test_configurable_with_options_and_children(magento):
    api = client(magento)
    parent = simple("HOODIE", type_id="configurable", attribute_set_id=9)
    del parent["product"]["price"]
    api.post("products", parent)
    with pytest.raises(ValidationError, match="doesn't have configurable product options"):
        api.post("configurable-products/HOODIE/child", {"childSku": "MH09-L-Blue"})
    color_option = {"attribute_id": "93", "label": "Color", "position": 1,
                    "values": [{"value_index": 5476}]}  # fmt: skip
    size_option = {"attribute_id": "152", "label": "Size", "position": 0,
                   "values": [{"value_index": 5593}]}  # fmt: skip
    option_id = api.post("configurable-products/HOODIE/options", {"option": color_option})
    assert isinstance(option_id, int) and option_id > 20092  # the seed's largest is WSH08's
    api.post("configurable-products/HOODIE/options", {"option": size_option})
    with pytest.raises(ValidationError, match="Option label is not specified"):
        api.post(
            "configurable-products/HOODIE/options",
            {"option": {"attribute_id": "93", "values": [{"value_index": 1}]}},
        )
    with pytest.raises(ValidationError, match='"24-WG02" configurable product only'):
        api.post("configurable-products/24-WG02/options", {"option": color_option})
    for sku, color, size in (
        ("HOODIE-XS-Black", "5476", "5593"),
        ("HOODIE-L-Blue", "5477", "5596"),
    ):
        api.post("products", _variant(sku, color, size))
        assert api.post("configurable-products/HOODIE/child", {"childSku": sku}) is True
    with pytest.raises(ValidationError, match="already attached"):
        api.post("configurable-products/HOODIE/child", {"childSku": "HOODIE-L-Blue"})
    api.post("products", _variant("HOODIE-L-Blue-2", "5477", "5596"))
    with pytest.raises(ValidationError, match="have the same set of attribute values"):
        api.post("configurable-products/HOODIE/child", {"childSku": "HOODIE-L-Blue-2"})
    with pytest.raises(ValidationError, match='doesn\'t have the "color" attribute value'):
        api.post("configurable-products/HOODIE/child", {"childSku": "24-WG02"})
    children = api.get("configurable-products/HOODIE/children")
    assert [c["sku"] for c in children] == ["HOODIE-XS-Black", "HOODIE-L-Blue"]
    options = api.product("HOODIE")["extension_attributes"]["configurable_product_options"]
    by_attr = {o["attribute_id"]: [v["value_index"] for v in o["values"]] for o in options}
    assert by_attr == {"93": [5476, 5477], "152": [5593, 5596]}  # child values joined the options


def test_bulk_with_one_failing_item(magento):
    api = client(magento)
    items = [simple("BULK-1"), simple("BULK-2", name=""), simple("BULK-3")]
    answer = bulk_post(magento, items)
    assert answer.status_code == 202
    body = answer.json()
    assert body["errors"] is False
    assert [(i["id"], i["status"]) for i in body["request_items"]] == [
        (0, "accepted"), (1, "accepted"), (2, "accepted")]  # fmt: skip
    first = api.get(f"bulk/{body['bulk_uuid']}/status")
    assert {op["status"] for op in first["operations_list"]} == {4}  # open: not yet processed
    with pytest.raises(NotFoundError):
        api.product("BULK-1")
    done = wait_for_bulk(api, body["bulk_uuid"])
    outcome = {op["id"]: (op["status"], op["result_message"]) for op in done["operations_list"]}
    assert outcome[1] == (3, 'The value of attribute "Product Name" must be set')
    assert outcome[0][0] == outcome[2][0] == 1 and "Service execution success" in outcome[0][1]
    assert done["operation_count"] == 3
    assert api.product("BULK-3")["name"] == "Product BULK-3"
    with pytest.raises(NotFoundError):
        api.product("BULK-2")
    detailed = api.get(f"bulk/{body['bulk_uuid']}/detailed-status")
    assert [op["status"] for op in detailed["operations_list"]] == [1, 3, 1]
    assert api.get(f"bulk/{body['bulk_uuid']}/operation-status/3") == 1
    with pytest.raises(NotFoundError, match="not exist"):
        api.get("bulk/00000000-0000-0000-0000-000000000000/status")


def test_bulk_over_5000_items_is_refused(magento):
    items = [simple(f"B-{i}") for i in range(5001)]
    answer = bulk_post(magento, items)
    assert answer.status_code == 400
    assert answer.json() == {
        "message": 'Maximum items of type "%type" is %max',
        "parameters": {"type": "\\Magento\\Catalog\\Api\\Data\\ProductInterface", "max": 5000},
    }
    assert admin(magento, "GET", "records/bulks") == []
    assert bulk_post(magento, items[:5000], store="default").status_code == 202


def test_msi_source_items_set_and_read(magento):
    api = client(magento)
    assert [s["source_code"] for s in api.get("inventory/sources")["items"]] == ["default"]
    api.post("inventory/source-items", {"sourceItems": [
        {"sku": "MH09-L-Blue", "source_code": "default", "quantity": 12, "status": 1},
        {"sku": "24-WG02", "source_code": "default", "quantity": 0, "status": 0}]})  # fmt: skip
    found = api.get("inventory/source-items", params={
        "searchCriteria[filter_groups][0][filters][0][field]": "sku",
        "searchCriteria[filter_groups][0][filters][0][value]": "MH09-L-Blue"})  # fmt: skip
    assert found["items"] == [
        {"sku": "MH09-L-Blue", "source_code": "default", "quantity": 12, "status": 1}
    ]
    assert api.get("stockItems/MH09-L-Blue")["qty"] == 12  # the legacy stock follows
    with pytest.raises(ValidationError, match="Could not save Source Item"):
        east = {"sku": "MH09-L-Blue", "source_code": "east", "quantity": 1, "status": 1}
        api.post("inventory/source-items", {"sourceItems": [east]})
    with pytest.raises(ValidationError, match="Validation Failed"):
        api.post(
            "inventory/source-items",
            {"sourceItems": [{"sku": "", "source_code": "default", "status": 1}]},
        )
    with pytest.raises(ValidationError, match="Input data is empty"):
        api.post("inventory/source-items", {"sourceItems": []})


def test_msi_off_has_no_inventory_routes(magento):
    api = client(magento)
    admin(magento, "POST", "msi", {"enabled": False})
    for call in (
        lambda: api.get("inventory/sources"),
        lambda: api.get("inventory/source-items"),
        lambda: api.post("inventory/source-items", {"sourceItems": [
            {"sku": "MH09-L-Blue", "source_code": "default", "quantity": 1, "status": 1}]}),
    ):  # fmt: skip
        with pytest.raises(NotFoundError, match="Request does not match any route"):
            call()
    assert api.get("stockItems/MH09-L-Blue")["item_id"] == 190  # legacy stock still served
    admin(magento, "POST", "reset")
    assert api.get("inventory/sources")["total_count"] == 1


def test_msi_off_by_constructor():
    with MagentoSandbox(msi=False) as sandbox:
        with pytest.raises(NotFoundError, match="Request does not match any route"):
            client(sandbox).get("inventory/source-items")
        admin(sandbox, "POST", "reset")
        with pytest.raises(NotFoundError):
            client(sandbox).get("inventory/sources")


def test_legacy_stock_item_update_as_recorded(magento):
    api = client(magento)
    item = api.get("stockItems/MH09-L-Blue")
    assert (item["item_id"], item["qty"], item["is_in_stock"]) == (190, 30, True)
    # test_product_export_qty_config: the body Odoo's connector sent and Magento's answer.
    body = {"stockItem": {"qty": 333.0, "is_in_stock": 1, "manage_stock": 1,
                          "use_config_manage_stock": 0, "backorders": 2,
                          "use_config_backorders": 0}}  # fmt: skip
    assert api.put("products/MH09-L-Blue/stockItems/190", body) == "190"
    item = api.get("stockItems/MH09-L-Blue")
    assert (item["qty"], item["backorders"], item["use_config_manage_stock"]) == (333, 2, False)
    assert api.product("MH09-L-Blue")["extension_attributes"]["stock_item"]["qty"] == 333
    api.put("products/MH09-L-Blue/stockItems/190", {"stockItem": {"qty": 0}})
    assert api.get("stockItems/MH09-L-Blue")["is_in_stock"] is False
    with pytest.raises(NotFoundError, match="doesn't exist"):
        api.get("stockItems/NOPE")
