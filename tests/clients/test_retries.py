"""Per-request retries (`bridge.clients.retries`) against the sandboxes' real fault injection.

Every fault here is injected by the sandbox's own middleware over real HTTP (5xx, 429 with
Retry-After, a request that hangs past the client's timeout, a connection dropped with no
answer); the sandbox's counters say how many requests reached it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from bridge.clients import observe
from bridge.clients.errors import OutcomeUnknownError, RetryableError
from bridge.clients.magento import MagentoClient
from bridge.clients.odoo import OdooClient
from bridge.clients.retries import RetryPolicy, magento_idempotent, odoo_idempotent
from sandbox.odoo import OdooSandbox
from tests import magento_fixtures
from tests.magento_fixtures import AUTHS, admin, client, closed_port, faults
from tests.odoo_fixtures import clear_faults, sandbox_target, set_faults, unique

magento_server = magento_fixtures.magento_server
magento = magento_fixtures.magento

#: Quick waits so a test takes seconds; the bounds are what the tests check.
FAST = RetryPolicy(attempts=4, total=30.0, backoff=0.05, backoff_max=0.2)
FAULTS: dict[str, dict[str, Any]] = {
    "5xx": {"rate_5xx": 1.0},
    "429": {"rate_429": 1.0, "retry_after": 0},
    "timeout": {"rate_timeout": 1.0, "timeout_s": 2.0},
    "drop": {"rate_drop": 1.0},
}
ORDER = 11  # seeded 000000014, not yet shipped
CATEGORY = "res.partner.category"


@contextmanager
def tries(api: str) -> Iterator[list[tuple[str, str | None]]]:
    """What `bridge.clients.observe` heard of `api`: (operation, error) per try."""
    heard: list[tuple[str, str | None]] = []

    def listen(name: str, operation: str, seconds: float, error: str | None) -> None:
        if name == api:
            heard.append((operation, error))

    observe.subscribe(listen)
    try:
        yield heard
    finally:
        observe.unsubscribe(listen)


def counters(url: str) -> dict[str, Any]:
    return requests.get(f"{url}/__sandbox__/faults", timeout=5).json()


# -- Magento ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(FAULTS))
def test_a_magento_read_rides_out_each_transient_fault(magento, kind):
    faults(magento, max_faults=2, **FAULTS[kind])
    c = client(magento, timeout=0.5, retry=FAST)
    with tries("magento") as heard:
        views = c.store_views()
    assert views[0]["code"] == "default"
    seen = counters(magento.url)
    assert seen["injected"] == {kind: 2}
    assert seen["requests"] == 3
    assert heard == [("GET store/storeViews", "RetryableError")] * 2 + [
        ("GET store/storeViews", None)
    ]


def test_retry_after_is_waited_out(magento):
    faults(magento, rate_429=1.0, retry_after=1, max_faults=1)
    c = client(magento, retry=FAST)
    started = time.monotonic()
    assert c.store_views()
    waited = time.monotonic() - started
    assert 1.0 <= waited < 2.5
    assert counters(magento.url)["requests"] == 2


def test_a_retry_after_beyond_the_cap_is_left_to_the_task(magento):
    faults(magento, rate_429=1.0, retry_after=120)
    c = client(magento, retry=RetryPolicy(attempts=4, backoff=0.05, retry_after_max=30))
    started = time.monotonic()
    with pytest.raises(RetryableError) as caught:
        c.store_views()
    assert caught.value.retry_after == 120  # the task-level countdown honours it
    assert time.monotonic() - started < 1.0
    assert counters(magento.url)["requests"] == 1


def test_attempts_are_bounded(magento):
    faults(magento, rate_5xx=1.0)
    c = client(magento, retry=RetryPolicy(attempts=3, backoff=0.05, backoff_max=0.1))
    with tries("magento") as heard, pytest.raises(RetryableError) as caught:
        c.store_views()
    assert caught.value.status == 503
    assert counters(magento.url)["requests"] == 3
    assert len(heard) == 3


def test_total_time_is_bounded(magento):
    faults(magento, rate_5xx=1.0)
    policy = RetryPolicy(attempts=1000, total=1.0, backoff=0.1, backoff_max=0.2)
    started = time.monotonic()
    with pytest.raises(RetryableError):
        client(magento, retry=policy).store_views()
    spent = time.monotonic() - started
    assert 0.7 <= spent < 1.5  # no try starts once the next would begin past 1 s
    assert 3 <= counters(magento.url)["requests"] < 100


@pytest.mark.parametrize(("kind", "unknown"), [("5xx", False), ("timeout", True), ("drop", True)])
def test_a_shipment_is_sent_once(magento, kind, unknown):
    faults(magento, max_faults=1, **FAULTS[kind])
    c = client(magento, timeout=0.5, retry=FAST)
    with pytest.raises(RetryableError) as caught:
        c.post(f"order/{ORDER}/ship", {"items": [{"order_item_id": 23, "qty": 1}]})
    assert isinstance(caught.value, OutcomeUnknownError) is unknown
    if unknown:
        assert "look before sending it again" in str(caught.value)
    assert counters(magento.url)["requests"] == 1


def test_a_shipment_turned_away_by_a_rate_limit_is_sent_again(magento):
    """A 429 answers before Magento handles the request: even a shipment may go again."""
    faults(magento, max_faults=2, **FAULTS["429"])
    c = client(magento, timeout=0.5, retry=FAST)
    made = c.post(f"order/{ORDER}/ship", {"items": [{"order_item_id": 23, "qty": 1}]})
    assert counters(magento.url)["requests"] == 3
    assert [str(s["entity_id"]) for s in admin(magento, "GET", "records/shipments")] == [made]


def test_a_shipment_committed_then_dropped_is_not_doubled(magento):
    """Magento saved the shipment and the answer never came: the client must not repeat."""
    admin(magento, "POST", "drop-after-commit", {"path_contains": "/ship", "count": 1})
    c = client(magento, retry=FAST)
    with pytest.raises(OutcomeUnknownError):
        c.post(f"order/{ORDER}/ship", {"items": [{"order_item_id": 23, "qty": 1}]})
    assert len(admin(magento, "GET", "records/shipments")) == 1


@pytest.mark.parametrize("fault", ["answer lost", "5xx", "429"])
def test_a_shipment_with_a_look_is_found_or_sent_again(magento, fault):
    """With a `look`, a write not safe to repeat goes again only once the look finds
    nothing; what it finds (Magento made it, the answer was lost) is the call's answer.
    A 429 did nothing for sure: no look."""
    if fault == "answer lost":
        admin(magento, "POST", "drop-after-commit", {"path_contains": "/ship", "count": 1})
    else:
        faults(magento, max_faults=1, **FAULTS[fault])
    c = client(magento, retry=FAST)
    looks: list[str | None] = []

    def look() -> str | None:
        found = [str(s["entity_id"]) for s in admin(magento, "GET", "records/shipments")]
        looks.append(found[0] if found else None)
        return looks[-1]

    made = c.post(f"order/{ORDER}/ship", {"items": [{"order_item_id": 23, "qty": 1}]}, look=look)
    shipments = [str(s["entity_id"]) for s in admin(magento, "GET", "records/shipments")]
    assert shipments == [str(made)]
    assert looks == {"answer lost": [made], "5xx": [None], "429": []}[fault]


def test_a_write_that_never_left_is_tried_again():
    """A refused connection sent nothing, so even a shipment may go again."""
    c = MagentoClient(f"http://127.0.0.1:{closed_port()}", AUTHS["token"], retry=FAST)
    with tries("magento") as heard, pytest.raises(RetryableError) as caught:
        c.post(f"order/{ORDER}/ship", {})
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert not caught.value.sent
    assert len(heard) == FAST.attempts


def test_a_product_save_by_sku_is_tried_again(magento):
    body = {
        "product": {
            "sku": "RETRY-1",
            "name": "Retried",
            "attribute_set_id": 4,
            "price": 12.5,
            "type_id": "simple",
        }
    }
    faults(magento, max_faults=2, rate_drop=1.0)
    c = client(magento, retry=FAST)
    assert c.post("products", body)["sku"] == "RETRY-1"
    faults(magento, max_faults=3, rate_5xx=1.0)
    body["product"]["price"] = 13.0
    assert c.put("products/RETRY-1", body)["price"] == 13.0
    saved = [p for p in admin(magento, "GET", "records/products") if p["sku"] == "RETRY-1"]
    assert len(saved) == 1 and saved[0]["price"] == 13.0


def test_an_admin_login_rides_out_faults(magento):
    faults(magento, max_faults=2, rate_5xx=1.0, path_contains="integration/admin/token")
    c = client(magento, method="admin", retry=FAST)
    assert c.store_views()
    assert counters(magento.url)["injected"] == {"5xx": 2}


def test_a_login_that_used_its_tries_ends_the_call(magento):
    """The token request retries on its own; the call around it does not start it over."""
    faults(magento, rate_5xx=1.0, path_contains="integration/admin/token")
    c = client(magento, method="admin", retry=FAST)
    with pytest.raises(RetryableError) as caught:
        c.store_views()
    assert caught.value.tries == FAST.attempts
    assert counters(magento.url)["requests"] == FAST.attempts


@pytest.mark.parametrize(
    ("method", "path", "safe"),
    [
        ("GET", "orders", True),
        ("PUT", "products/MH09", True),
        ("POST", "products", True),
        ("POST", "V1/inventory/source-items", True),
        ("POST", "order/11/ship", False),
        ("POST", "order/11/invoice", False),
        ("POST", "invoice/3/refund", False),
        ("POST", "orders/11/comments", False),
        ("POST", "async/bulk/V1/products", False),
        ("DELETE", "customerGroups/4", False),
    ],
)
def test_which_magento_requests_are_repeated(method, path, safe):
    assert magento_idempotent(method, path) is safe


# -- Odoo ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def odoo18() -> Iterator[OdooSandbox]:
    with OdooSandbox(version="18.0") as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def odoo19() -> Iterator[OdooSandbox]:
    with OdooSandbox(version="19.0") as sandbox:
        yield sandbox


@pytest.fixture(params=["jsonrpc", "xmlrpc", "json2"])
def odoo(request: pytest.FixtureRequest) -> Iterator[tuple[OdooClient, str]]:
    """A logged-in client of the sandbox per protocol, without faults."""
    sandbox = request.getfixturevalue("odoo19" if request.param == "json2" else "odoo18")
    target = sandbox_target(sandbox, request.param)
    clear_faults(target.url)
    c = target.client(timeout=0.5, retry=FAST)
    c.authenticate()
    yield c, target.url
    clear_faults(target.url)


@pytest.mark.parametrize("kind", list(FAULTS))
def test_an_odoo_read_rides_out_each_transient_fault(odoo, kind):
    c, url = odoo
    name = unique("tag")
    c.create(CATEGORY, [{"name": name}])
    set_faults(url, max_faults=2, **FAULTS[kind])
    with tries("odoo") as heard:
        found = c.search_read(CATEGORY, [("name", "=", name)], ["name"])
    assert [r["name"] for r in found] == [name]
    assert counters(url)["injected"] == {kind: 2}
    assert [e for _, e in heard] == ["RetryableError", "RetryableError", None]


@pytest.mark.parametrize(("kind", "unknown"), [("5xx", False), ("timeout", True), ("drop", True)])
def test_an_odoo_create_is_sent_once(odoo, kind, unknown):
    c, url = odoo
    name = unique("once")
    set_faults(url, max_faults=1, **FAULTS[kind])
    before = counters(url)["requests"]
    with pytest.raises(RetryableError) as caught:
        c.create(CATEGORY, [{"name": name}])
    assert isinstance(caught.value, OutcomeUnknownError) is unknown
    assert counters(url)["requests"] == before + 1
    assert c.search(CATEGORY, [("name", "=", name)]) == []


def test_an_odoo_write_of_fixed_values_is_tried_again(odoo):
    c, url = odoo
    [tag] = c.create(CATEGORY, [{"name": unique("before")}])
    after = unique("after")
    set_faults(url, max_faults=2, rate_drop=1.0)
    assert c.write(CATEGORY, [tag], {"name": after}) is True
    assert c.read(CATEGORY, [tag], ["name"])[0]["name"] == after


def test_an_odoo_write_that_creates_lines_is_sent_once(odoo):
    c, url = odoo
    [partner] = c.create("res.partner", [{"name": unique("partner")}])
    set_faults(url, max_faults=1, rate_5xx=1.0)
    before = counters(url)["requests"]
    with pytest.raises(RetryableError):
        c.write("res.partner", [partner], {"category_id": [(0, 0, {"name": unique("new")})]})
    assert counters(url)["requests"] == before + 1


def test_an_odoo_serialization_failure_on_a_read_is_ridden_out(odoo):
    c, url = odoo
    requests.post(
        f"{url}/__sandbox__/odoo/serialization",
        json={"count": 2, "model": CATEGORY, "method": "search"},
        timeout=5,
    ).raise_for_status()
    assert isinstance(c.search(CATEGORY, []), list)


def test_an_odoo_login_rides_out_faults(odoo18):
    target = sandbox_target(odoo18, "jsonrpc")
    clear_faults(target.url)
    set_faults(target.url, max_faults=2, rate_5xx=1.0)
    try:
        assert target.client(retry=FAST).authenticate() > 0
        assert counters(target.url)["injected"] == {"5xx": 2}
    finally:
        clear_faults(target.url)


@pytest.mark.parametrize(
    ("method", "args", "safe"),
    [
        ("search_read", [], True),
        ("read_group", [], True),
        ("fields_get", [], True),
        ("write", [{"name": "x", "tag_ids": [(6, 0, [2, 5])]}], True),
        ("write", [{"order_line": [(1, 7, {"product_uom_qty": 2})]}], True),
        ("write", [{"order_line": [(0, 0, {"product_id": 1})]}], False),
        ("write", [{"order_line": [(2, 7)]}], False),
        ("create", [[{"name": "x"}]], False),
        ("unlink", [], False),
        ("action_confirm", [], False),
        ("action_create_payments", [], False),
    ],
)
def test_which_odoo_calls_are_repeated(method, args, safe):
    assert odoo_idempotent(method, args) is safe
