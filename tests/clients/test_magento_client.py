"""MagentoClient against the Magento sandbox over real HTTP: auth, search, errors, faults.

The sandbox runs its default seed, the project's own Luma-like store: nine orders (entity
ids 9-12 and 16-20), five customers, two store views. The expected values below are its.
"""

from __future__ import annotations

import time

import pytest

from bridge.clients.errors import (  # noqa: E402
    AuthenticationError,
    NotFoundError,
    PermanentError,
    RetryableError,
    ValidationError,
)
from bridge.clients.magento import MagentoAuth, MagentoClient, render_message  # noqa: E402
from bridge.clients.magento_search import SearchCriteria  # noqa: E402
from bridge.clients.retries import NO_RETRY  # noqa: E402
from sandbox.magento import (  # noqa: E402
    ADMIN_PASSWORD,
    INTEGRATION_TOKEN,
    OAUTH_ACCESS_TOKEN,
    OAUTH_ACCESS_TOKEN_SECRET,
    OAUTH_CONSUMER_KEY,
    OAUTH_CONSUMER_SECRET,
)
from sandbox.server import SandboxServer  # noqa: E402
from tests import magento_fixtures  # noqa: E402
from tests.magento_fixtures import AUTHS, admin, client, closed_port, faults  # noqa: E402

magento_server = magento_fixtures.magento_server
magento = magento_fixtures.magento

# -- authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["token", "admin", "oauth1"])
def test_each_auth_method_reads_the_store(magento, method):
    c = client(magento, method)
    websites = c.store_websites()
    assert {"id": 1, "code": "base", "name": "Main Website", "default_group_id": 1} in websites
    assert c.check()["store_codes"] == ["default", "fr"]


def test_oauth1_signs_query_parameters_and_escaped_paths(magento):
    c = client(magento, "oauth1")
    assert c.product("bla/koe")["sku"] == "bla/koe"
    skus = [
        p["sku"] for p in c.iter_records("products", SearchCriteria().where("sku", "MH%", "like"))
    ]
    # Both hoodies and their fifteen children each (sandbox.magento.seed.luma.catalog).
    sizes = ("XS", "S", "M", "L", "XL")
    mh01_children = {f"MH01-{s}-{c}" for s in sizes for c in ("Black", "Gray", "Orange")}
    mh09_children = {f"MH09-{s}-{c}" for s in sizes for c in ("Blue", "Green", "Red")}
    assert len(skus) == 32
    assert set(skus) == {"MH01", "MH09", *mh01_children, *mh09_children}


def test_oauth1_with_a_wrong_secret_is_refused(magento):
    auth = MagentoAuth(
        "oauth1",
        consumer_key=OAUTH_CONSUMER_KEY,
        consumer_secret="not-the-secret",
        access_token=OAUTH_ACCESS_TOKEN,
        access_token_secret=OAUTH_ACCESS_TOKEN_SECRET,
    )
    with pytest.raises(AuthenticationError) as caught:
        MagentoClient(magento.url, auth).store_views()
    assert "The consumer isn't authorized to access Magento_Backend::store." in str(caught.value)
    assert "not-the-secret" not in str(caught.value)


def test_wrong_integration_token_is_refused(magento):
    c = MagentoClient(magento.url, MagentoAuth("token", token="wrong-token"))
    with pytest.raises(AuthenticationError, match="^Magento refused the credentials: The consumer"):
        c.check()


def test_admin_login_with_a_wrong_password_is_refused(magento):
    c = MagentoClient(magento.url, MagentoAuth("admin", username="admin", password="nope"))
    with pytest.raises(AuthenticationError) as caught:
        c.check()
    assert str(caught.value) == (
        "Magento refused the credentials: The account sign-in was incorrect or your account "
        "is disabled temporarily. Please wait and try again later."
    )
    assert caught.value.status == 401


def test_admin_token_is_cached_then_renewed_once_after_it_expires(magento):
    c = client(magento, "admin")
    c.store_views()
    c.store_groups()
    assert c.requests_made == 3  # one token request, two calls
    assert admin(magento, "POST", "tokens/expire") == {"expired": 1}
    assert c.store_websites()[0]["code"] == "base"
    assert c.requests_made == 6  # refused, new token, retried


def test_secrets_stay_out_of_reprs():
    for auth in AUTHS.values():
        text = repr(auth) + str(MagentoClient("http://magento.test", auth))
        for secret in (
            INTEGRATION_TOKEN,
            ADMIN_PASSWORD,
            OAUTH_CONSUMER_SECRET,
            OAUTH_ACCESS_TOKEN,
            OAUTH_ACCESS_TOKEN_SECRET,
        ):
            assert secret not in text


def test_auth_needs_its_fields():
    with pytest.raises(ValueError, match="password"):
        MagentoAuth("admin", username="admin")


# -- searchCriteria, paging, fields -----------------------------------------------------------


def test_search_pages_until_total_count(magento):
    c = client(magento)
    criteria = SearchCriteria().order_by("increment_id", "DESC")
    pages = list(
        c.search("orders", criteria, fields="items[increment_id,grand_total]", page_size=4)
    )
    assert [len(p) for p in pages] == [4, 4, 1]
    assert c.requests_made == 3
    assert [o["increment_id"] for o in pages[0]] == [
        "000000023",
        "000000022",
        "000000021",
        "000000020",
    ]
    assert pages[1] == [
        {"increment_id": "000000019", "grand_total": 54},
        {"increment_id": "000000015", "grand_total": 253.74},
        {"increment_id": "000000014", "grand_total": 253.74},
        {"increment_id": "000000013-1", "grand_total": 322.17},
    ]
    assert pages[2] == [{"increment_id": "000000013", "grand_total": 396.87}]


def test_search_stops_on_an_exact_last_page(magento):
    """Magento repeats the last page past the end: the client must not ask for it."""
    c = client(magento)
    records = list(c.iter_records("orders", page_size=3))
    assert len(records) == 9
    assert c.requests_made == 3


def test_filter_groups_are_anded_and_filters_ored(magento):
    c = client(magento)
    criteria = (
        SearchCriteria()
        .any_of(("increment_id", "000000014", "eq"), ("increment_id", "00000001%", "like"))
        .where("grand_total", 300, "lt")
        .order_by("entity_id")
    )
    found = [o["increment_id"] for o in c.iter_records("orders", criteria, page_size=2)]
    assert found == ["000000014", "000000015", "000000019"]


@pytest.mark.parametrize(
    ("field", "value", "condition", "expected"),
    [
        ("entity_id", 12, "eq", {12}),
        ("state", "new", "neq", {9, 18, 19}),
        ("grand_total", 253.74, "gt", {9, 10}),
        ("grand_total", 253.74, "gteq", {9, 10, 11, 12}),
        ("grand_total", 54, "lteq", {16, 17}),
        ("entity_id", [9, 16], "in", {9, 16}),
        ("entity_id", [9, 10, 11, 12], "nin", {16, 17, 18, 19, 20}),
        ("customer_id", None, "null", {16, 17}),
        ("customer_id", None, "notnull", {9, 10, 11, 12, 18, 19, 20}),
        # 18 and 19 were updated when the seed invoiced them, i.e. at the sandbox's start.
        ("updated_at", "2026-10-07 00:00:00", "from", {12, 16, 17, 18, 19, 20}),
        ("updated_at", "2026-10-05 16:30:00", "to", {9, 10}),
        ("customer_email", "%@example.com", "like", {9, 10, 11, 12, 18}),
        # The rest of Mysql::prepareSqlCondition's keys, as Magento 2.4 applies them.
        ("customer_email", "%@example.com", "nlike", {16, 17, 19, 20}),
        ("applied_rule_ids", 3, "nfinset", {17}),
        ("increment_id", "^0+1[34]$", "regexp", {9, 11}),
        ("coupon_code", "FREEALL", "seq", {17}),
        ("coupon_code", "", "sneq", {17}),
        ("entity_id", "0.0.0.9", "ntoa", {9}),
    ],
)
def test_condition_types(magento, field, value, condition, expected):
    criteria = SearchCriteria().where(field, value, condition)
    found = {o["entity_id"] for o in client(magento).iter_records("orders", criteria)}
    assert found == expected


@pytest.mark.parametrize("condition", ["is", "bogus"])
def test_conditions_magento_would_misread_are_refused_before_sending(condition):
    """`is` always fails in MySQL (Magento quotes the operand); an unknown type is not refused
    by Magento but silently read as an equality: the client refuses both up front."""
    with pytest.raises(ValueError, match="unknown Magento condition type"):
        SearchCriteria().where("state", "new", condition)


def test_finset_condition(magento):
    admin(magento, "PUT", "records/customer_groups/2", {"code": "Wholesale,B2B"})
    criteria = SearchCriteria().where("code", "B2B", "finset")
    assert [g["id"] for g in client(magento).iter_records("customerGroups/search", criteria)] == [2]


def test_fields_trims_nested_lists(magento):
    c = client(magento)
    data = c.get(
        "orders",
        params=SearchCriteria().where("increment_id", "000000013").to_params(),
        fields="items[extension_attributes[shipping_assignments[shipping[method]]]],total_count",
    )
    assert data == {
        "items": [
            {
                "extension_attributes": {
                    "shipping_assignments": [{"shipping": {"method": "tablerate_bestway"}}]
                }
            }
        ],
        "total_count": 1,
    }


def test_search_keeps_total_count_when_fields_trim(magento):
    found = list(
        client(magento).iter_records("customers/search", fields="items[id,email]", page_size=2)
    )
    assert [c["id"] for c in found] == [1, 2, 3, 4, 5]
    assert found[0] == {"id": 1, "email": "roni_cost@example.com"}


def test_typed_helpers(magento):
    c = client(magento, store_code="default")
    assert [s["attribute_set_name"] for s in c.attribute_sets()] == [
        "Default",
        "Top",
        "Bottom",
        "Gear",
        "Sprite Stasis Ball",
        "Sprite Yoga Strap",
    ]
    assert {g["code"] for g in c.customer_groups()} == {
        "NOT LOGGED IN",
        "General",
        "Wholesale",
        "Retailer",
    }
    assert {"code": "checkmo", "title": "Check / Money order"} in c.payment_methods_offered()
    assert c.store_groups()[1]["code"] == "main_website_store"
    assert c.store_configs()[0]["base_currency_code"] == "USD"


def test_payment_methods_follow_the_store_config(magento):
    admin(magento, "PUT", "records/payment_methods/braintree", {"active": False})
    codes = [m["code"] for m in client(magento).payment_methods_offered()]
    assert codes == ["checkmo", "banktransfer", "cashondelivery", "purchaseorder"]


def test_sku_with_a_slash_is_escaped(magento):
    c = client(magento)
    assert c.product("bla/koe")["id"] == 2052
    assert c.get("V1/products/MH01")["type_id"] == "configurable"


def test_write_verbs_round_trip(magento):
    c = client(magento)
    created = c.post("customerGroups", {"group": {"code": "VIP", "tax_class_id": 3}})
    assert created["id"] == 4
    assert c.put(f"customerGroups/{created['id']}", {"group": {"code": "VIP+"}})["code"] == "VIP+"
    assert c.delete(f"customerGroups/{created['id']}") is True


# -- errors -------------------------------------------------------------------------------------


def test_not_found_renders_named_parameters(magento):
    with pytest.raises(NotFoundError) as caught:
        client(magento).get("customerGroups/999")
    assert str(caught.value) == (
        "Magento could not find customerGroups/999: No such entity with id = 999"
    )
    assert caught.value.details == {
        "message": "No such entity with %fieldName = %fieldValue",
        "parameters": {"fieldName": "id", "fieldValue": 999},
    }


def test_unknown_product_is_not_found(magento):
    with pytest.raises(NotFoundError, match="The product that was requested doesn't exist"):
        client(magento).product("NOPE/1")


def test_other_4xx_is_a_validation_error(magento):
    c = client(magento)
    with pytest.raises(ValidationError, match="Customer Group already exists."):
        c.post("customerGroups", {"group": {"code": "General", "tax_class_id": 3}})
    with pytest.raises(ValidationError, match="The store that was requested wasn't found"):
        client(magento, store_code="nowhere").store_views()


def test_positional_parameters_render():
    body = {"message": 'An attribute set named "%1" already exists.', "parameters": ["Top"]}
    assert render_message(body) == 'An attribute set named "Top" already exists.'


def test_non_json_success_is_permanent():
    """A base URL pointing at a web page, not at Magento's REST API."""

    def html_site(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<html><body>Welcome to our shop</body></html>"]

    with (
        SandboxServer(html_site) as site,
        pytest.raises(PermanentError, match="non-JSON body") as caught,
    ):
        MagentoClient(site.url, AUTHS["token"]).check()
    assert not isinstance(caught.value, RetryableError)


# -- faults, one try each (tests/clients/test_retries.py tries again) -------------------------


def test_5xx_is_retryable(magento):
    faults(magento, rate_5xx=1.0, status_5xx=503)
    with pytest.raises(RetryableError) as caught:
        client(magento, retry=NO_RETRY).store_views()
    assert caught.value.status == 503
    assert "HTTP 503" in str(caught.value)
    assert caught.value.sent and caught.value.answered


def test_429_is_retryable_with_retry_after(magento):
    faults(magento, rate_429=1.0, retry_after=7)
    with pytest.raises(RetryableError) as caught:
        client(magento, retry=NO_RETRY).store_views()
    assert caught.value.retry_after == 7
    assert caught.value.status == 429


def test_timeout_is_retryable(magento):
    faults(magento, rate_timeout=1.0, timeout_s=2)
    started = time.monotonic()
    with pytest.raises(RetryableError, match=r"did not answer within 0.5 s") as caught:
        client(magento, timeout=0.5, retry=NO_RETRY).store_views()
    assert time.monotonic() - started < 1.5
    assert caught.value.sent and not caught.value.answered


def test_dropped_connection_is_retryable(magento):
    faults(magento, rate_drop=1.0)
    with pytest.raises(RetryableError, match="is unreachable: connection") as caught:
        client(magento, retry=NO_RETRY).store_views()
    assert caught.value.sent and not caught.value.answered


def test_refused_connection_reads_well():
    port = closed_port()
    c = MagentoClient(f"http://127.0.0.1:{port}", AUTHS["token"], timeout=2, retry=NO_RETRY)
    with pytest.raises(RetryableError) as caught:
        c.check()
    assert (
        str(caught.value)
        == f"Magento at http://127.0.0.1:{port}/ is unreachable: connection refused"
    )
    assert not caught.value.sent  # nothing left: even a write may be sent again


def test_latency_is_applied(magento):
    faults(magento, latency_ms=300)
    started = time.monotonic()
    client(magento).store_views()
    assert time.monotonic() - started >= 0.3


def test_fail_twice_then_succeed(magento):
    faults(magento, rate_5xx=1.0, max_faults=2)
    c = client(magento, retry=NO_RETRY)
    for _ in range(2):
        with pytest.raises(RetryableError):
            c.store_views()
    assert c.store_views()[0]["code"] == "default"


def test_bulk_queues_operations_and_reports_each_outcome(magento):
    import time

    api = client(magento)
    good = {"product": {"sku": "BULK-1", "name": "Bulk one", "attribute_set_id": 4}}
    good["product"].update(price=9.5, type_id="simple")
    bad = {"product": {"sku": "BULK-2", "attribute_set_id": 4, "price": 1, "type_id": "simple"}}
    answer = api.bulk("products", [good, bad])
    assert answer["errors"] is False and len(answer["request_items"]) == 2
    deadline = time.monotonic() + 10
    while True:
        status = api.get(f"bulk/{answer['bulk_uuid']}/status")
        ops = status["operations_list"]
        if all(op["status"] != 4 for op in ops) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert [op["status"] for op in ops] == [1, 3]
    assert "must be set" in ops[1]["result_message"]
    assert api.product("BULK-1")["name"] == "Bulk one"
    with pytest.raises(ValueError, match="at most 5000"):
        api.bulk("products", [good] * 5001)
