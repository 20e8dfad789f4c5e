"""The Magento sandbox's searches behave as Magento 2.4's REST searches do.

Each test names the real behaviour it models and where it was seen: the Magento 2.4 class
(read in magento/magento2), or a client that depends on it (PyMagento 2.14). Everything runs
on the project's own seed over raw HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from sandbox.magento import INTEGRATION_TOKEN
from tests import magento_fixtures
from tests.magento_fixtures import admin

magento_server = magento_fixtures.magento_server
magento = magento_fixtures.magento

BEARER = {"Authorization": f"Bearer {INTEGRATION_TOKEN}"}
INVALID_ATTRIBUTE = 'The "%1" attribute name is invalid. Reset the name and try again.'
MASKED = "Internal Error. Details are available in Magento log file. Report ID: webapi-"


def get(sandbox, path: str, params: dict[str, str] | None = None, store: str = "default"):
    url = f"{sandbox.url}/rest/{store}/V1/{path}"
    return requests.get(url, params=params, headers=BEARER, timeout=5)


def criteria(*groups: Any, sort: tuple[str, ...] = (), **extra: str) -> dict[str, str]:
    """searchCriteria params: each group a list of (field, value[, condition]) filters."""
    params: dict[str, str] = {}
    for g, group in enumerate(groups):
        for f, flt in enumerate(group):
            prefix = f"searchCriteria[filter_groups][{g}][filters][{f}]"
            params[f"{prefix}[field]"], params[f"{prefix}[value]"] = flt[0], str(flt[1])
            if len(flt) > 2:
                params[f"{prefix}[condition_type]"] = flt[2]
    for i, order in enumerate(sort):
        name, _, direction = order.partition(" ")
        params[f"searchCriteria[sortOrders][{i}][field]"] = name
        if direction:
            params[f"searchCriteria[sortOrders][{i}][direction]"] = direction
    return params | extra or {"searchCriteria": ""}


def found(sandbox, path: str, params: dict[str, str], key: str = "entity_id") -> list[Any]:
    response = get(sandbox, path, params)
    assert response.status_code == 200, response.text
    return [item[key] for item in response.json()["items"]]


def where(field: str, value: Any, condition: str | None = None) -> dict[str, str]:
    return criteria([(field, value, condition) if condition else (field, value)])


# -- which fields exist: EAV entities vs flat tables ---------------------------------------------


def test_products_filter_on_entity_id(magento):
    """catalog_product_entity's key is `entity_id` (a static field of the EAV collection):
    PyMagento's `get_product_by_id` and its id pagination (sort entity_id ASC, `gt` the last id)
    filter on it."""
    assert found(magento, "products", where("entity_id", 181), "sku") == ["MH09-XS-Blue"]
    assert found(magento, "products", where("entity_id", "181,68", "in"), "sku") == [
        "MH01",
        "MH09-XS-Blue",
    ]
    page = criteria([("entity_id", 2049, "gt")], sort=("entity_id ASC",))
    page["searchCriteria[pageSize]"] = "2"
    assert found(magento, "products", page, "id") == [2051, 2052]


def test_products_refuse_id_as_magento_does(magento):
    """`id` is no column nor attribute of catalog_product: `AbstractCollection::_addAttributeJoin`
    throws, a 400. PyMagento: "On products the field is named 'id', but we must filter on
    'entity_id' instead ('id' doesn't work)"."""
    response = get(magento, "products", where("id", 181))
    assert (response.status_code, response.json()) == (
        400,
        {"message": INVALID_ATTRIBUTE, "parameters": ["id"]},
    )


def test_customers_filter_on_entity_id_not_id(magento):
    """`CustomerRepository::getList` is the EAV customer collection: `entity_id` (what
    `bridge import customers --customer-id` sends) finds the customers, `id` is refused."""
    assert found(magento, "customers/search", where("entity_id", "3,4", "in"), "email") == [
        "tay@ray.com",
        "clay@lock.nl",
    ]
    refused = get(magento, "customers/search", where("id", 3))
    assert refused.json() == {"message": INVALID_ATTRIBUTE, "parameters": ["id"]}


def test_customers_filter_on_the_joined_name_and_billing_fields(magento):
    """`CustomerRepository::getList` adds `name` (`addNameToSelect`) and joins the default
    billing address as billing_postcode/city/telephone/region/country_id/company."""
    assert found(magento, "customers/search", where("name", "Tay Ray"), "id") == [3]
    assert found(magento, "customers/search", where("billing_city", "Amsterdam"), "id") == [4]
    assert found(magento, "customers/search", where("billing_company", "%Services", "like"),
                 "id") == [5]  # fmt: skip
    # Customer 3 also has a Tokyo address, but it is not the default billing one.
    assert found(magento, "customers/search", where("billing_city", "Tokyo"), "id") == []
    assert found(magento, "customers/search", where("billing_region", "Michigan"), "id") == [1, 3]


@pytest.mark.parametrize(
    "path",
    ["products", "customers/search", "categories/list"],
)
def test_eav_searches_refuse_an_unknown_field_with_400(magento, path):
    """EAV collections (products, customers, categories) check the attribute as the filter is
    added: `AbstractCollection::_addAttributeJoin`, 'The "%1" attribute name is invalid...'."""
    response = get(magento, path, where("no_such_field", "x"))
    assert (response.status_code, response.json()) == (
        400,
        {"message": INVALID_ATTRIBUTE, "parameters": ["no_such_field"]},
    )


@pytest.mark.parametrize(
    "path",
    [
        "orders",
        "invoices",
        "shipments",
        "creditmemos",
        "customerGroups/search",
        "eav/attribute-sets/list",
    ],
)
def test_flat_searches_fail_on_an_unknown_field_with_a_masked_500(magento, path):
    """Flat tables (`Framework\\Data\\Collection\\AbstractDb::addFieldToFilter`) pass the name to
    MySQL: "Unknown column" when the query runs, which `Webapi\\ErrorProcessor::maskException`
    answers in production mode as a 500 with a report id and nothing else."""
    response = get(magento, path, where("no_such_field", "x"))
    assert response.status_code == 500
    body = response.json()
    assert list(body) == ["message"] and body["message"].startswith(MASKED)
    report_id = body["message"].rsplit(": ", 1)[1]
    assert len(report_id) == len("webapi-") + 13  # uniqid("webapi-")
    logged = requests.get(f"{magento.url}/__sandbox__/exceptions", timeout=5).json()
    assert logged[-1] == {
        "report_id": report_id,
        "message": "SQLSTATE[42S22]: Column not found: 1054 Unknown column 'no_such_field' in "
        "'where clause'",
    }


def test_flat_searches_know_their_columns_and_mappings(magento):
    """sales_order columns the REST order does not show (shipping_method) are filterable; a
    customer group's `code`/`id` are `GroupFilterProcessor`'s fieldMapping of
    customer_group_code/customer_group_id, and the column names work too."""
    assert found(magento, "orders", where("shipping_method", "x")) == []
    assert found(magento, "customerGroups/search", where("customer_group_code", "Wholesale"),
                 "id") == [2]  # fmt: skip
    assert found(magento, "customerGroups/search", where("code", "Wholesale"), "id") == [2]
    assert found(magento, "customerGroups/search", where("customer_group_id", 3), "code") == [
        "Retailer"
    ]


def test_static_product_attribute_without_a_column_fails_in_mysql(magento):
    """`category_ids` is a static catalog_product attribute with no column: the EAV collection
    accepts it and MySQL refuses `e.category_ids` (500). Filter on `category_id` instead."""
    response = get(magento, "products", where("category_ids", 15))
    assert response.status_code == 500 and response.json()["message"].startswith(MASKED)


def test_store_defined_product_attributes_are_filterable(magento):
    """An attribute the store defined (Luma's color, size) is an attribute of the entity type."""
    color = found(magento, "products", where("color", 5477), "sku")
    assert "MH09-XS-Blue" in color and "MH01-XS-Black" not in color


# -- sorting -------------------------------------------------------------------------------------


def test_invalid_sort_direction_is_400(magento):
    """`Framework\\Api\\SortOrder::validateDirection`, while the request is read."""
    response = get(magento, "orders", criteria(sort=("entity_id sideways",)))
    assert (response.status_code, response.json()) == (
        400,
        {
            "message": "The sort order has to be specified as %1 for ascending order or %2 for "
            "descending order.",
            "parameters": ["ASC", "DESC"],
        },
    )


def test_sort_direction_is_case_blind_and_defaults_to_descending(magento):
    """`SortOrder::setDirection` upper-cases it; `SortingProcessor::applyOrders` sorts ascending
    only for "ASC", so a sort order without direction is descending."""
    response = get(magento, "orders", criteria(sort=("grand_total asc",)))
    assert response.json()["search_criteria"]["sort_orders"] == [
        {"field": "grand_total", "direction": "ASC"}
    ]
    assert [o["entity_id"] for o in response.json()["items"]][:2] == [17, 16]
    undirected = get(magento, "orders", criteria(sort=("grand_total",)))
    assert undirected.json()["search_criteria"]["sort_orders"] == [{"field": "grand_total"}]
    assert [o["entity_id"] for o in undirected.json()["items"]][:2] == [9, 10]


def test_sort_field_with_restricted_symbols_is_400(magento):
    """`SortOrder::validateField`: only letters, digits and underscores."""
    response = get(magento, "orders", criteria(sort=("grand_total;drop ASC",)))
    assert response.json() == {
        "message": "Sort order field %1 contains restricted symbols",
        "parameters": ["grand_total;drop"],
    }


def test_sorting_on_an_unknown_field(magento):
    """EAV `addAttributeToSort` ignores an attribute the entity lacks; a flat table's ORDER BY
    on an unknown column is MySQL's error (500)."""
    products = found(magento, "products", criteria(sort=("no_such_field ASC",)), "id")
    assert products == sorted(products)
    response = get(magento, "orders", criteria(sort=("no_such_field ASC",)))
    assert response.status_code == 500 and response.json()["message"].startswith(MASKED)


# -- condition types: Mysql::prepareSqlCondition -------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "condition", "expected"),
    [
        ("customer_email", "%@example.com", "nlike", {16, 17, 19, 20}),
        ("applied_rule_ids", "3", "finset", {11, 12}),
        ("applied_rule_ids", "3", "nfinset", {17}),  # NULL lists are neither in nor out
        ("increment_id", "^0+1[34]$", "regexp", {9, 11}),
        ("customer_email", "EXAMPLE\\.COM$", "regexp", {9, 10, 11, 12, 18}),
        ("coupon_code", "FREEALL", "seq", {17}),
        ("coupon_code", "", "seq", {9, 10, 11, 12, 16, 18, 19, 20}),  # '' is IS NULL
        ("coupon_code", "", "sneq", {17}),  # '' is IS NOT NULL
        ("state", "new", "sneq", {9, 18, 19}),  # canceled, and the card orders invoiced
        ("increment_id", "00000001\\_%", "like", set()),  # \\_ is a literal underscore
        ("increment_id", "000000013%", "like", {9, 10}),
        ("increment_id", "000000013,000000014", "in", {9, 11}),
        ("increment_id", "000000013, 000000014", "in", {9}),  # values are not trimmed
        ("grand_total", "253.74abc", "eq", {11, 12}),  # MySQL reads the numeric prefix
        ("entity_id", "0.0.0.1_", "ntoa", {10, 11, 12, 16, 17, 18, 19}),  # INET_NTOA(id)
        ("entity_id", "0.0.0.9", "ntoa", {9}),
    ],
)
def test_condition_types_have_mysql_semantics(magento, field, value, condition, expected):
    """Every key of `Mysql::prepareSqlCondition` is accepted, with MySQL's meaning; seq/sneq
    are `_transformStringSqlCondition` (null/notnull for '', else eq/neq)."""
    assert set(found(magento, "orders", where(field, value, condition))) == expected


def test_invalid_regular_expression_fails_in_mysql(magento):
    """REGEXP with a pattern ICU cannot compile is MySQL's error 3685: a masked 500."""
    response = get(magento, "orders", where("increment_id", "(unclosed", "regexp"))
    assert response.status_code == 500 and response.json()["message"].startswith(MASKED)


def test_is_condition_fails_in_mysql(magento):
    """`is` renders `field IS 'value'` (quoteInto quotes it), which MySQL cannot parse."""
    response = get(magento, "orders", where("customer_id", "NULL", "is"))
    assert response.status_code == 500


def test_unknown_condition_type_on_an_eav_entity(magento):
    """On EAV the condition array is ['attribute' => f, 'bogus' => v]: prepareSqlCondition
    finds no known key and ORs an equality per value: `f = 'f' OR f = 'v'`."""
    product = {**admin(magento, "GET", "records/products/RACER"), "id": 3000, "sku": "sku"}
    admin(magento, "POST", "records/products", product)
    assert found(magento, "products", where("sku", "MH01", "bogus"), "sku") == ["MH01", "sku"]


# -- products' custom filters --------------------------------------------------------------------


def test_category_id_finds_the_products_linked_to_the_category(magento):
    """`ProductCategoryFilter` -> `Product\\Collection::addCategoriesFilter`: rows of
    catalog_category_product, never the children's products (anchor does not matter)."""
    hoodies = found(magento, "products", where("category_id", 15), "sku")
    assert len(hoodies) == 32 and {"MH09", "MH01", "MH09-XS-Blue"} <= set(hoodies)
    # Default Category (2) is an anchor, yet only the products linked to it come back.
    assert found(magento, "products", where("category_id", 2), "sku") == [
        "MH01",
        "MH09",
        "WP13",
        "WSH08",
    ]
    both = found(magento, "products", where("category_id", "27,28", "in"), "sku")
    pants = {"WP13", "WP13-28-Blue", "WP13-28-Green", "WP13-29-Blue", "WP13-29-Green"}
    assert set(both) == pants | {"WSH08", "WSH08-28-Purple", "WSH08-29-Purple"}
    others = found(magento, "products", where("category_id", 15, "neq"), "sku")
    assert not set(others) & set(hoodies) and len(others) == 54 - 32


def test_category_id_filter_is_anded_inside_its_group(magento):
    """`FilterProcessor::addFilterGroupToCollection` applies a custom filter to the collection
    directly: it is AND'ed with the group's other filters, not OR'ed."""
    group = criteria([("category_id", 28), ("sku", "WSH08%", "like"), ("sku", "MH01")])
    assert found(magento, "products", group, "sku") == ["WSH08-28-Purple", "WSH08-29-Purple",
                                                        "WSH08"]  # fmt: skip


def test_category_id_with_a_scalar_condition(magento):
    """Other condition types compare `e.entity_id` with the sub-select as a scalar: one
    product in the category (TRN in 10) works, several are MySQL's error 1242 (500)."""
    assert found(magento, "products", where("category_id", 10, "gteq"), "sku") == [
        "TRN",
        "RACER",
        "bla/koe",
    ]
    assert get(magento, "products", where("category_id", 15, "gt")).status_code == 500


def test_store_and_website_filters(magento):
    """`ProductStoreFilter` (the store's website, by id or code) and `ProductWebsiteFilter`;
    an unknown store or website is the store manager's NoSuchEntityException (404)."""
    in_store = found(magento, "products", where("store_id", 1), "sku")
    assert len(in_store) == 54
    assert found(magento, "products", where("store", "fr"), "sku") == in_store
    assert found(magento, "products", where("website_id", 1), "sku") == in_store
    missing_store = get(magento, "products", where("store_id", 99))
    assert (missing_store.status_code, missing_store.json()) == (
        404,
        {"message": "The store that was requested wasn't found. Verify the store and try again."},
    )
    missing_site = get(magento, "products", where("website_id", 7))
    assert (missing_site.status_code, missing_site.json()) == (
        404,
        {
            "message": "The website with id %1 that was requested wasn't found. Verify the "
            "website and try again.",
            "parameters": ["7"],
        },
    )


def test_search_and_get_take_the_same_product_id(magento):
    """The id a search answers is the entity_id a search can be filtered on."""
    for item in get(magento, "products", where("sku", "24-WG08%", "like")).json()["items"]:
        assert found(magento, "products", where("entity_id", item["id"]), "sku") == [item["sku"]]
