"""The Magento sandbox over raw HTTP: seeding, routing, auth, searchCriteria, rules, admin.

Everything runs on the default seed, the project's own Luma-like store
(`sandbox.magento.seed.luma`), except the few tests whose point is the optional recorded
seed: those are marked `evidence` and start their own `MagentoSandbox(seed="recordings")`.
"""

from __future__ import annotations

import pytest
import requests

from sandbox.magento import (  # noqa: E402
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    INTEGRATION_TOKEN,
    MagentoSandbox,
    MagentoStore,
)
from sandbox.magento.seed import recordings  # noqa: E402
from sandbox.magento.seed import seed as seed_store  # noqa: E402
from sandbox.magento.seed.recordings import ENV_VAR, RecordingsMissing  # noqa: E402
from tests import magento_fixtures  # noqa: E402
from tests.magento_fixtures import admin, faults  # noqa: E402

magento_server = magento_fixtures.magento_server
magento = magento_fixtures.magento

BEARER = {"Authorization": f"Bearer {INTEGRATION_TOKEN}"}


def rest(sandbox, method, path, store="default", params=None, body=None, headers=BEARER):
    prefix = f"/rest/{store}/V1/" if store else "/rest/V1/"
    return requests.request(
        method, sandbox.url + prefix + path, params=params, json=body, headers=headers, timeout=5
    )


# -- the default seed: the project's own store ---------------------------------------------------


def test_seed_serves_the_store_structure(magento):
    assert rest(magento, "GET", "store/websites").json() == [
        {"id": 1, "code": "base", "name": "Main Website", "default_group_id": 1},
        {"id": 0, "code": "admin", "name": "Admin", "default_group_id": 0},
    ]
    views = rest(magento, "GET", "store/storeViews").json()
    assert views[0] == {
        "id": 1,
        "code": "default",
        "name": "Default Store View",
        "website_id": 1,
        "store_group_id": 1,
        "is_active": 1,
    }
    assert [v["code"] for v in views] == ["default", "fr", "admin"]
    configs = rest(magento, "GET", "store/storeConfigs").json()
    assert [
        (c["code"], c["locale"], c["base_currency_code"], c["default_display_currency_code"])
        for c in configs
    ] == [("default", "en_US", "USD", "USD"), ("fr", "fr_FR", "USD", "EUR")]


def test_seed_holds_one_order_per_story(magento):
    orders = {o["increment_id"]: o for o in admin(magento, "GET", "records/orders")}
    assert sorted(orders) == [
        "000000013",
        "000000013-1",
        "000000014",
        "000000015",
        "000000019",
        "000000020",
        "000000021",
        "000000022",
        "000000023",
    ]
    assert orders["000000013"]["grand_total"] == 396.87
    # 000000013 was edited into 000000013-1, so the original is canceled.
    assert orders["000000013"]["state"] == "canceled"
    assert orders["000000013-1"]["relation_parent_id"] == "9"
    assert orders["000000019"]["customer_is_guest"] == 1
    # The card orders were invoiced at checkout by the sandbox's own invoice service.
    for increment_id in ("000000021", "000000022"):
        order = orders[increment_id]
        assert (order["state"], order["total_paid"]) == ("processing", order["grand_total"])
    assert orders["000000023"]["order_currency_code"] == "EUR"


def test_seed_products_customers_groups_and_sets(magento):
    assert rest(magento, "GET", "products/MH01").json()["type_id"] == "configurable"
    assert rest(magento, "GET", "products/24-WG080").json()["type_id"] == "bundle"
    assert rest(magento, "GET", "products/bla%2Fkoe").json()["sku"] == "bla/koe"
    assert rest(magento, "GET", "customers/1").json()["email"] == "roni_cost@example.com"
    assert rest(magento, "GET", "customerGroups/3").json() == {
        "id": 3,
        "code": "Retailer",
        "tax_class_id": 3,
        "tax_class_name": "Retail Customer",
    }
    assert rest(magento, "GET", "products/attribute-sets/9").json()["attribute_set_name"] == "Top"


def test_default_seed_reads_no_outside_file(tmp_path, monkeypatch):
    """A bare clone has no recordings: the default seed must not need them."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    store = MagentoStore(ADMIN_USERNAME, ADMIN_PASSWORD)
    seed_store(store)
    assert len(store.list("orders")) == 9
    with pytest.raises(ValueError, match="unknown Magento sandbox seed 'nope'"):
        seed_store(MagentoStore(ADMIN_USERNAME, ADMIN_PASSWORD), "nope")


# -- the optional recorded seed (outside evidence) -----------------------------------------------


@pytest.fixture
def recorded_sandbox():
    """A sandbox on the recordings; only for tests marked `evidence` (it reads them)."""
    with MagentoSandbox(seed="recordings") as sandbox:
        yield sandbox


@pytest.mark.evidence
def test_seed_reads_the_recorded_store_structure(recorded_sandbox):
    assert rest(recorded_sandbox, "GET", "store/websites").json() == [
        {"id": 1, "code": "base", "name": "Main Website", "default_group_id": 1},
        {"id": 0, "code": "admin", "name": "Admin", "default_group_id": 0},
    ]
    views = rest(recorded_sandbox, "GET", "store/storeViews").json()
    assert views[0] == {
        "id": 1,
        "code": "default",
        "name": "Default Store View",
        "website_id": 1,
        "store_group_id": 1,
        "is_active": 1,
    }
    config = rest(recorded_sandbox, "GET", "store/storeConfigs").json()[0]
    assert (config["locale"], config["base_currency_code"]) == ("en_US", "USD")


@pytest.mark.evidence
def test_seed_keeps_one_order_per_increment_id_newest_state(recorded_sandbox):
    orders = {o["increment_id"]: o for o in admin(recorded_sandbox, "GET", "records/orders")}
    assert sorted(orders) == [
        "000000013",
        "000000013-1",
        "000000014",
        "000000015",
        "000000019",
        "000000020",
    ]
    assert orders["000000013"]["grand_total"] == 396.87
    # 000000013 was edited into 000000013-1, so the original is canceled.
    assert orders["000000013"]["state"] == "canceled"
    assert orders["000000013-1"]["relation_parent_id"] == "9"
    assert orders["000000019"]["customer_is_guest"] == 1


@pytest.mark.evidence
def test_missing_recordings_name_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    with pytest.raises(RecordingsMissing, match=str(tmp_path)):
        recordings.seed(MagentoStore(ADMIN_USERNAME, ADMIN_PASSWORD))
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        MagentoSandbox(seed="recordings")


# -- routing and store codes ---------------------------------------------------------------------


@pytest.mark.parametrize("store", [None, "all", "default"])
def test_routes_with_and_without_store_code(magento, store):
    assert rest(magento, "GET", "store/websites", store=store).status_code == 200


def test_unknown_store_code_is_400(magento):
    response = rest(magento, "GET", "store/websites", store="nowhere")
    assert response.status_code == 400
    assert response.json() == {
        "message": "The store that was requested wasn't found. Verify the store and try again."
    }


def test_unknown_route_is_404(magento):
    response = rest(magento, "GET", "no/such/thing")
    assert response.status_code == 404
    assert response.json()["message"] == "Request does not match any route."


def test_unknown_records_have_magento_bodies(magento):
    assert rest(magento, "GET", "customerGroups/999").json() == {
        "message": "No such entity with %fieldName = %fieldValue",
        "parameters": {"fieldName": "id", "fieldValue": 999},
    }
    # No "parameters" key: `Webapi\Rest\Response::_renderMessages` adds it only when not empty.
    product = rest(magento, "GET", "products/NOPE")
    assert (product.status_code, product.json()) == (
        404,
        {
            "message": "The product that was requested doesn't exist. "
            "Verify the product and try again.",
        },
    )
    assert rest(magento, "GET", "orders/999").status_code == 404
    assert rest(magento, "GET", "customers/999").json()["parameters"]["fieldName"] == "customerId"


# -- auth ------------------------------------------------------------------------------------


def test_missing_or_wrong_auth_is_401(magento):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "OAuth junk"}):
        response = rest(magento, "GET", "orders", params={"searchCriteria": ""}, headers=headers)
        assert response.status_code == 401
        assert response.json() == {
            "message": "The consumer isn't authorized to access %resources.",
            "parameters": {"resources": "Magento_Sales::actions_view"},
        }


def test_admin_token_issue_use_and_expiry(magento):
    wrong = rest(
        magento, "POST", "integration/admin/token", body={"username": "admin", "password": "x"}
    )
    assert wrong.status_code == 401
    assert wrong.json()["message"].startswith("The account sign-in was incorrect")
    issued = rest(
        magento,
        "POST",
        "integration/admin/token",
        body={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
        headers={},
    )
    token = issued.json()
    assert isinstance(token, str)
    bearer = {"Authorization": f"Bearer {token}"}
    assert rest(magento, "GET", "store/websites", headers=bearer).status_code == 200
    assert admin(magento, "POST", "tokens/expire", {"token": token}) == {"expired": 1}
    assert rest(magento, "GET", "store/websites", headers=bearer).status_code == 401


# -- searchCriteria ------------------------------------------------------------------------------


def test_search_requires_search_criteria(magento):
    response = rest(magento, "GET", "orders")
    assert response.status_code == 400
    assert response.json()["parameters"] == {"fieldName": "searchCriteria"}


def test_search_echoes_criteria_and_total_count(magento):
    params = {
        "searchCriteria[filterGroups][0][filters][0][field]": "state",
        "searchCriteria[filterGroups][0][filters][0][value]": "new",
        "searchCriteria[filterGroups][0][filters][0][conditionType]": "eq",
        "searchCriteria[sortOrders][0][field]": "grand_total",
        "searchCriteria[sortOrders][0][direction]": "DESC",
        "searchCriteria[pageSize]": "2",
        "searchCriteria[currentPage]": "1",
    }
    data = rest(magento, "GET", "orders", params=params).json()
    assert data["total_count"] == 6  # 10, 11, 12, 16, 17 and 20; 9 canceled, 18 and 19 paid
    assert [o["grand_total"] for o in data["items"]] == [322.17, 253.74]
    assert data["search_criteria"] == {
        "filter_groups": [
            {"filters": [{"field": "state", "value": "new", "condition_type": "eq"}]}
        ],
        "sort_orders": [{"field": "grand_total", "direction": "DESC"}],
        "page_size": 2,
        "current_page": 1,
    }


def test_page_past_the_end_repeats_the_last_page(magento):
    """Magento 2.3/2.4 collections clamp currentPage (magento/magento2#3787, #26986).

    The sort order names no direction, so it is descending: `SortingProcessor::applyOrders`
    sorts ascending only when the direction is `SortOrder::SORT_ASC`.
    """
    base = {"searchCriteria[pageSize]": "4", "searchCriteria[sortOrders][0][field]": "entity_id"}
    last = rest(magento, "GET", "orders", params={**base, "searchCriteria[currentPage]": "3"})
    past = rest(magento, "GET", "orders", params={**base, "searchCriteria[currentPage]": "9"})
    assert [o["entity_id"] for o in past.json()["items"]] == [9]  # nine orders, pages of 4
    assert past.json()["items"] == last.json()["items"]
    assert past.json()["search_criteria"]["current_page"] == 9


def test_products_search_filters_custom_attributes(magento):
    params = {
        "searchCriteria[filter_groups][0][filters][0][field]": "url_key",
        "searchCriteria[filter_groups][0][filters][0][value]": "chaz-kangeroo-hoodie",
    }
    data = rest(magento, "GET", "products", params=params).json()
    assert [p["sku"] for p in data["items"]] == ["MH01"]


def test_unknown_condition_type_is_an_equality(magento):
    """Magento 2.4 refuses no condition type: `Mysql::prepareSqlCondition` finds no key of its
    map in `["bogus" => "new"]` and ORs an equality per value, i.e. `state = 'new'` on the flat
    sales_order table (`regexp`, once refused here, is a key of that map: see
    tests/sandbox/test_magento_search.py)."""
    params = {
        "searchCriteria[filter_groups][0][filters][0][field]": "state",
        "searchCriteria[filter_groups][0][filters][0][value]": "new",
        "searchCriteria[filter_groups][0][filters][0][condition_type]": "bogus",
    }
    found = rest(magento, "GET", "orders", params=params)
    assert found.status_code == 200
    assert [o["entity_id"] for o in found.json()["items"]] == [10, 11, 12, 16, 17, 20]
    assert found.json()["search_criteria"]["filter_groups"][0]["filters"][0] == {
        "field": "state",
        "value": "new",
        "condition_type": "bogus",
    }


def test_fields_trims_single_records(magento):
    data = rest(magento, "GET", "orders/9", params={"fields": "increment_id,payment[method]"})
    assert data.json() == {"increment_id": "000000013", "payment": {"method": "checkmo"}}


# -- rules of the writable endpoints -----------------------------------------------------------


def test_customer_group_rules(magento):
    created = rest(magento, "POST", "customerGroups", body={"group": {"code": "VIP"}}).json()
    assert created == {
        "id": 4,
        "code": "VIP",
        "tax_class_id": 3,
        "tax_class_name": "Retail Customer",
    }
    duplicate = rest(magento, "POST", "customerGroups", body={"group": {"code": "VIP"}})
    assert (duplicate.status_code, duplicate.json()["message"]) == (
        400,
        "Customer Group already exists.",
    )
    assert rest(magento, "DELETE", "customerGroups/1").json()["message"] == "Cannot delete group."
    assert rest(magento, "DELETE", "customerGroups/4").json() is True
    assert rest(magento, "GET", "customerGroups/4").status_code == 404


def test_product_attribute_set_crud(magento):
    body = {"attributeSet": {"attribute_set_name": "Shoes", "sort_order": 5}, "skeletonId": 4}
    created = rest(magento, "POST", "products/attribute-sets", body=body).json()
    assert created["entity_type_id"] == 4 and created["attribute_set_name"] == "Shoes"
    set_id = created["attribute_set_id"]
    again = rest(magento, "POST", "products/attribute-sets", body=body)
    assert again.json() == {
        "message": 'An attribute set named "%1" already exists.',
        "parameters": ["Shoes"],
    }
    renamed = rest(
        magento,
        "PUT",
        f"products/attribute-sets/{set_id}",
        body={"attributeSet": {"attribute_set_name": "Footwear"}},
    ).json()
    assert renamed["attribute_set_name"] == "Footwear"
    assert rest(magento, "DELETE", f"products/attribute-sets/{set_id}").json() is True
    assert rest(magento, "DELETE", "products/attribute-sets/4").status_code == 400
    assert rest(magento, "GET", "products/attribute-sets/1").status_code == 400  # customer set


def test_product_sets_list_only_lists_product_sets(magento):
    data = rest(
        magento, "GET", "products/attribute-sets/sets/list", params={"searchCriteria": ""}
    ).json()
    assert data["total_count"] == 6
    assert {s["entity_type_id"] for s in data["items"]} == {4}


def test_guest_cart_payment_methods(magento):
    cart_id = rest(magento, "POST", "guest-carts", headers={}).json()
    assert len(cart_id) == 32
    methods = rest(magento, "GET", f"guest-carts/{cart_id}/payment-methods", headers={}).json()
    assert [m["code"] for m in methods] == [
        "checkmo",
        "banktransfer",
        "cashondelivery",
        "purchaseorder",
        "braintree",
    ]
    assert rest(magento, "GET", "guest-carts/nope/payment-methods").status_code == 404


# -- admin endpoints -----------------------------------------------------------------------------


def test_admin_records_crud_and_reset(magento):
    website = {"id": 2, "code": "eu", "name": "EU Website", "default_group_id": 2}
    assert admin(magento, "POST", "records/websites", website) == website
    assert rest(magento, "GET", "store/websites").json()[-1] == website
    assert admin(magento, "PUT", "records/websites/2", {"name": "Europe"})["name"] == "Europe"
    assert admin(magento, "DELETE", "records/websites/2") == {"deleted": True}
    admin(magento, "POST", "records/store_views", {"id": 3, "code": "de", "name": "German"})
    assert rest(magento, "GET", "store/websites", store="de").status_code == 200
    admin(magento, "POST", "reset")
    assert rest(magento, "GET", "store/websites", store="de").status_code == 400
    assert rest(magento, "GET", "store/websites", store="fr").status_code == 200  # seeded
    unknown = requests.get(f"{magento.url}/__sandbox__/records/planets", timeout=5)
    assert unknown.status_code == 404


def test_admin_endpoints_bypass_faults(magento):
    faults(magento, rate_5xx=1.0)
    assert rest(magento, "GET", "store/websites").status_code == 503
    assert admin(magento, "GET", "records/websites")[0]["code"] == "base"


def test_unseeded_sandbox_is_empty():
    with MagentoSandbox(seed=False) as empty:
        assert rest(empty, "GET", "store/websites").json() == []
