"""Setup mappers on the project's own seed: the Luma store structure and configuration
(`sandbox.magento.seed.luma.store`) and the seeded orders' payment and shipping methods.

The seed has one website, one store and two store views (the default one in US dollars,
a French one displaying euros), Magento's standard customer groups and the payment
methods a default install enables; its orders are paid by check, card and bank transfer.

The outside evidence (`tests.evidence`, marked `evidence`): the same mappers on the real
recorded Magento 2.3 store lists, customer groups and orders (OCA connector-magento).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bridge.mappers import setup as m
from bridge.mappers.errors import MappingError
from sandbox.magento.seed import luma
from sandbox.magento.seed.luma import store
from tests import evidence

#: Payment methods the Magento sandbox seeds (`store.PAYMENT_METHODS`), plus core offline ones.
SEEDED_METHODS = tuple(method["code"] for method in store.PAYMENT_METHODS)
CORE_METHODS = (*SEEDED_METHODS, "free", "companycredit")


#: Every seeded order's payment: (increment_id, method code, title, online).
SEEDED_PAYMENTS = [
    ("000000013", "checkmo", "Check / Money order", False),
    ("000000013-1", "checkmo", "Check / Money order", False),
    ("000000014", "checkmo", "Check / Money order", False),
    ("000000015", "checkmo", "Check / Money order", False),
    ("000000019", "checkmo", "Check / Money order", False),
    ("000000020", "checkmo", "Check / Money order", False),
    ("000000021", "braintree", "Credit Card (Braintree)", True),
    ("000000022", "braintree", "Credit Card (Braintree)", True),
    ("000000023", "banktransfer", "Bank Transfer Payment", False),
]


def order(increment_id: str) -> dict[str, Any]:
    """A seeded order as `GET /V1/orders/{id}` answers it (a fresh copy)."""
    return luma.order(increment_id)


def wholesale() -> dict[str, Any]:
    """The seed's Wholesale group as `GET /V1/customerGroups/2` answers it (a copy)."""
    return dict(next(g for g in store.CUSTOMER_GROUPS if g["id"] == 2))


@pytest.mark.evidence
def test_the_recordings_are_there() -> None:
    index = json.loads((evidence.recordings_dir() / "index.json").read_text())
    files = {entry["file"] for entry in index}
    assert "metadata/01_get_store_websites.json" in files
    assert "import_sale_order_9/00_get_orders_9.json" in files


# --- admin scope ------------------------------------------------------------------


def assert_admin_scope(
    payloads: list[dict[str, Any]], admin_ids: list[int], channel_ids: list[int]
) -> None:
    assert [p["id"] for p in payloads if m.is_admin_scope(p)] == admin_ids
    assert [p["id"] for p in payloads if not m.is_admin_scope(p)] == channel_ids


@pytest.mark.parametrize(
    ("payloads", "admin_ids", "channel_ids"),
    [
        (store.WEBSITES, [0], [1]),
        (store.STORE_GROUPS, [0], [1]),
        (store.STORE_VIEWS, [0], [1, 2]),
    ],
    ids=["websites", "store_groups", "store_views"],
)
def test_admin_scope_is_detected_in_every_store_list(
    payloads: list[dict[str, Any]], admin_ids: list[int], channel_ids: list[int]
) -> None:
    assert_admin_scope(payloads, admin_ids, channel_ids)


@pytest.mark.evidence
@pytest.mark.parametrize(
    ("relative", "admin_ids", "channel_ids"),
    [
        ("metadata/01_get_store_websites.json", [0], [1]),
        ("metadata/03_get_store_storeGroups.json", [0], [1]),
        ("metadata/05_get_store_storeViews.json", [0], [1]),
    ],
)
def test_admin_scope_is_detected_in_every_recorded_store_list(
    relative: str, admin_ids: list[int], channel_ids: list[int]
) -> None:
    assert_admin_scope(evidence.recorded(relative), admin_ids, channel_ids)


def test_admin_scope_is_only_id_zero() -> None:
    assert m.is_admin_scope({"id": 0, "code": "admin"})
    assert not m.is_admin_scope({"id": 1, "code": "admin"})
    assert not m.is_admin_scope({"code": "admin"})


# --- websites, stores, store views ------------------------------------------------


def test_website_from_the_seed() -> None:
    base, admin = store.WEBSITES
    assert m.website(base) == m.WebsiteRow(
        magento_id=1, code="base", name="Main Website", default_group_id=1
    )
    # The admin website still maps (id 0 is a value, not a missing field); callers skip it.
    assert m.website(admin) == m.WebsiteRow(
        magento_id=0, code="admin", name="Admin", default_group_id=0
    )


def test_team_values_name_the_website() -> None:
    row = m.website(store.WEBSITES[0])
    assert m.team_values(row) == {"name": "Magento Main Website"}


def test_store_group_from_the_seed() -> None:
    admin, main = store.STORE_GROUPS
    assert m.store(main) == m.StoreRow(
        magento_id=1,
        website_magento_id=1,
        code="main_website_store",
        name="Main Website Store",
        root_category_id=2,
        default_store_id=1,
    )
    assert m.store(admin).website_magento_id == 0


def test_store_view_takes_locale_and_currency_from_its_config() -> None:
    default_view, french_view, _admin = store.STORE_VIEWS
    default_config, french_config = store.STORE_CONFIGS
    assert default_config["id"] == default_view["id"]
    assert m.store_view(default_view, default_config) == m.StoreViewRow(
        magento_id=1,
        website_magento_id=1,
        store_magento_id=1,
        code="default",
        name="Default Store View",
        is_active=True,
        locale="en_US",
        base_currency="USD",
        timezone="America/Detroit",
        weight_unit="lbs",
    )
    # The French view displays euros; its base currency is still the website's USD.
    assert french_config["id"] == french_view["id"]
    assert m.store_view(french_view, french_config) == m.StoreViewRow(
        magento_id=2,
        website_magento_id=1,
        store_magento_id=1,
        code="fr",
        name="French Store View",
        is_active=True,
        locale="fr_FR",
        base_currency="USD",
        timezone="America/Detroit",
        weight_unit="lbs",
    )


@pytest.mark.evidence
def test_recorded_store_view_takes_locale_and_currency_from_its_config() -> None:
    default_view, _admin = evidence.recorded("metadata/05_get_store_storeViews.json")
    (config,) = evidence.recorded("metadata/06_get_store_storeConfigs.json")
    assert config["id"] == default_view["id"]
    assert m.store_view(default_view, config) == m.StoreViewRow(
        magento_id=1,
        website_magento_id=1,
        store_magento_id=1,
        code="default",
        name="Default Store View",
        is_active=True,
        locale="en_US",
        base_currency="USD",
        timezone="Europe/Amsterdam",
        weight_unit="lbs",
    )


def test_store_view_without_config_has_no_locale() -> None:
    *_views, admin = store.STORE_VIEWS
    row = m.store_view(admin, None)
    assert (row.magento_id, row.code, row.store_magento_id) == (0, "admin", 0)
    assert (row.locale, row.base_currency, row.timezone, row.weight_unit) == (None,) * 4


def test_inactive_store_view() -> None:
    view = dict(store.STORE_VIEWS[0], is_active=0)
    assert m.store_view(view, None).is_active is False


# --- customer groups --------------------------------------------------------------


def assert_wholesale_group(payload: dict[str, Any]) -> None:
    row = m.customer_group(payload)
    assert row == m.CustomerGroupRow(
        magento_id=2, code="Wholesale", tax_class_id=3, tax_class_name="Retail Customer"
    )
    assert m.partner_tag_values(row, parent_id=7) == {"name": "Wholesale", "parent_id": 7}


def test_customer_group_from_the_seed() -> None:
    assert_wholesale_group(wholesale())


@pytest.mark.evidence
@pytest.mark.parametrize(
    "relative",
    [
        "test_import_partner_category/00_get_customerGroups_2.json",
        "test_import_existing_partner_category/00_get_customerGroups_2.json",
    ],
)
def test_customer_group_from_recording(relative: str) -> None:
    assert_wholesale_group(evidence.recorded(relative))


def test_customer_group_not_logged_in_has_id_zero() -> None:
    row = m.customer_group({"id": 0, "code": " NOT LOGGED IN ", "tax_class_id": 3})
    assert (row.magento_id, row.code, row.tax_class_name) == (0, "NOT LOGGED IN", None)


# --- payment methods --------------------------------------------------------------


def test_payment_method_of_order_000000013() -> None:
    row = m.payment_method_of_order(order("000000013"))
    assert row == m.PaymentMethodRow(
        code="checkmo", title="Check / Money order", online=False, offered=False
    )


@pytest.mark.parametrize(("increment_id", "code", "title", "online"), SEEDED_PAYMENTS)
def test_payment_method_of_every_seeded_order(
    increment_id: str, code: str, title: str, online: bool
) -> None:
    row = m.payment_method_of_order(order(increment_id))
    assert row == m.PaymentMethodRow(code=code, title=title, online=online, offered=False)


def test_every_seeded_order_is_in_the_payment_table() -> None:
    seeded = [o["increment_id"] for o in luma.records()["orders"]]
    assert seeded == [row[0] for row in SEEDED_PAYMENTS]


@pytest.mark.evidence
def test_payment_methods_of_every_recorded_order_are_checkmo_offline() -> None:
    ids = ["000000013", "000000013-1", "000000014", "000000015", "000000019", "000000020"]
    rows = [m.payment_method_of_order(evidence.recorded_order(i)) for i in ids]
    assert {(r.code, r.online, r.offered) for r in rows} == {("checkmo", False, False)}
    # The 100 %-discount guest order carries Magento's "free" title on checkmo.
    assert rows[-1].title == "No Payment Information Required"


def test_payment_method_title_falls_back_to_code() -> None:
    payload = {"increment_id": "X1", "payment": {"method": "banktransfer"}}
    assert m.payment_method_of_order(payload).title == "banktransfer"


def test_offered_payment_method() -> None:
    assert m.payment_method({"code": "braintree", "title": "Credit Card (Braintree)"}) == (
        m.PaymentMethodRow(
            code="braintree", title="Credit Card (Braintree)", online=True, offered=True
        )
    )
    assert m.payment_method({"code": "purchaseorder", "title": "Purchase Order"}).online is False


def test_journal_values_of_checkmo() -> None:
    row = m.payment_method_of_order(order("000000013"))
    assert m.journal_values(row) == {
        "name": "Magento Check / Money order",
        "code": m.journal_code("checkmo"),
        "type": "bank",
    }


def test_journal_code_is_stable_short_and_distinct() -> None:
    codes = {method: m.journal_code(method) for method in CORE_METHODS}
    # Pinned: a changed derivation would orphan journals created by an earlier version.
    assert codes["checkmo"] == "MM96R"
    assert codes["cashondelivery"] == "M5SF9"
    assert all(len(code) <= 5 and code.isalnum() and code.isupper() for code in codes.values())
    assert all(code.startswith("M") for code in codes.values())
    assert len(set(codes.values())) == len(CORE_METHODS)
    assert m.journal_code("checkmo") == m.journal_code("checkmo")


@pytest.mark.parametrize("method", CORE_METHODS)
def test_journal_type_is_cash_only_for_cash_on_delivery(method: str) -> None:
    values = m.journal_values(m.payment_method({"code": method, "title": method.title()}))
    assert values["type"] == ("cash" if method == "cashondelivery" else "bank")
    assert values["name"] == f"Magento {method.title()}"


# --- shipping methods -------------------------------------------------------------


def test_shipping_method_of_order_000000013() -> None:
    row = m.shipping_method_of_order(order("000000013"))
    assert row == m.ShippingMethodRow(
        code="tablerate_bestway", carrier_code="tablerate", title="Best Way - Table Rate"
    )


@pytest.mark.parametrize("increment_id", ["000000019", "000000020"])
def test_guest_orders_ship_flat_rate(increment_id: str) -> None:
    payload = order(increment_id)
    assert payload["customer_is_guest"] == 1
    assert m.shipping_method_of_order(payload) == m.ShippingMethodRow(
        code="flatrate_flatrate", carrier_code="flatrate", title="Flat Rate - Fixed"
    )


def test_virtual_order_has_no_shipping_method() -> None:
    payload = {"increment_id": "V1", "extension_attributes": {"shipping_assignments": []}}
    assert m.shipping_method_of_order(payload) is None


def test_legacy_top_level_shipping_method() -> None:
    row = m.shipping_method_of_order({"shipping_method": "ups_GND"})
    assert row == m.ShippingMethodRow(code="ups_GND", carrier_code="ups", title="ups_GND")


def test_carrier_product_and_carrier_values() -> None:
    row = m.shipping_method_of_order(order("000000013"))
    assert row is not None
    assert m.carrier_product_code(row) == "MAGENTO-SHIP-tablerate_bestway"
    assert m.carrier_product_values(row) == {
        "name": "Magento Best Way - Table Rate",
        "default_code": "MAGENTO-SHIP-tablerate_bestway",
        "type": "service",
        "sale_ok": False,
        "purchase_ok": False,
        "list_price": 0.0,
    }
    assert m.carrier_values(row, product_id=42) == {
        "name": "Magento Best Way - Table Rate",
        "product_id": 42,
        "delivery_type": "fixed",
        "fixed_price": 0.0,
    }


# --- attribute sets ---------------------------------------------------------------


def test_attribute_set() -> None:
    payload = {"attribute_set_id": 9, "attribute_set_name": "Top", "entity_type_id": 4}
    assert m.attribute_set(payload) == m.AttributeSetRow(magento_id=9, name="Top", sort_order=0)
    assert m.is_product_attribute_set(payload)
    assert not m.is_product_attribute_set(dict(payload, entity_type_id=1))


# --- bad input ----------------------------------------------------------------------


def _without(payload: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != key}


@pytest.mark.parametrize(
    ("mapper", "payloads", "field"),
    [
        (m.website, store.WEBSITES, "code"),
        (m.website, store.WEBSITES, "name"),
        (m.store, store.STORE_GROUPS, "website_id"),
        (lambda p: m.store_view(p, None), store.STORE_VIEWS, "code"),
        (lambda p: m.store_view(p, None), store.STORE_VIEWS, "store_group_id"),
    ],
)
def test_missing_store_field_names_the_field(
    mapper: Any, payloads: list[dict[str, Any]], field: str
) -> None:
    payload = _without(payloads[0], field)
    with pytest.raises(MappingError, match=rf"\b{field}\b"):
        mapper(payload)


@pytest.mark.parametrize("field", ["id", "code"])
def test_missing_customer_group_field_names_the_field(field: str) -> None:
    payload = wholesale()
    with pytest.raises(MappingError, match=rf"customer group lacks {field}"):
        m.customer_group(_without(payload, field))


def test_empty_string_counts_as_missing() -> None:
    payload = dict(store.WEBSITES[0], name="")
    with pytest.raises(MappingError, match="website lacks name"):
        m.website(payload)


def test_non_numeric_id_field_is_a_mapping_error() -> None:
    payload = dict(store.WEBSITES[0], default_group_id="x")
    with pytest.raises(MappingError, match="default_group_id is not a number"):
        m.website(payload)


def test_order_without_payment_method_names_the_order() -> None:
    payload = _without(order("000000013"), "payment")
    with pytest.raises(MappingError, match="order 000000013 has no payment method"):
        m.payment_method_of_order(payload)


def test_payment_method_without_code() -> None:
    with pytest.raises(MappingError, match="payment method lacks code"):
        m.payment_method({"title": "Check / Money order"})


def test_mapping_error_is_a_value_error() -> None:
    assert issubclass(MappingError, ValueError)
