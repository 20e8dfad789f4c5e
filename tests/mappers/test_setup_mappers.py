"""Setup mappers against real recorded Magento 2.3 payloads (OCA connector-magento cassettes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bridge.mappers import setup as m
from bridge.mappers.errors import MappingError

RECORDED = (
    Path(__file__).resolve().parents[2].parent
    / "shared/fixtures/magento/oca-connector-magento-12.0/extracted"
)
#: Payment methods the Magento sandbox seeds (sandbox/magento/seed.py), plus core offline ones.
SEEDED_METHODS = ("checkmo", "banktransfer", "cashondelivery", "purchaseorder", "braintree")
CORE_METHODS = (*SEEDED_METHODS, "free", "companycredit")


def recorded(relative: str) -> Any:
    """The response body of one recorded interaction."""
    return json.loads((RECORDED / relative).read_text())["response"]


def order(increment_id: str) -> dict[str, Any]:
    for path in sorted(RECORDED.glob("import_sale_order_*/*_get_orders_*.json")):
        body = json.loads(path.read_text())["response"]
        if body["increment_id"] == increment_id:
            return body
    raise LookupError(increment_id)


def test_the_recordings_are_there() -> None:
    index = json.loads((RECORDED / "index.json").read_text())
    files = {entry["file"] for entry in index}
    assert "metadata/01_get_store_websites.json" in files
    assert "import_sale_order_9/00_get_orders_9.json" in files


# --- admin scope ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "admin_ids", "channel_ids"),
    [
        ("metadata/01_get_store_websites.json", [0], [1]),
        ("metadata/03_get_store_storeGroups.json", [0], [1]),
        ("metadata/05_get_store_storeViews.json", [0], [1]),
    ],
)
def test_admin_scope_is_detected_in_every_store_list(
    relative: str, admin_ids: list[int], channel_ids: list[int]
) -> None:
    payloads = recorded(relative)
    assert [p["id"] for p in payloads if m.is_admin_scope(p)] == admin_ids
    assert [p["id"] for p in payloads if not m.is_admin_scope(p)] == channel_ids


def test_admin_scope_is_only_id_zero() -> None:
    assert m.is_admin_scope({"id": 0, "code": "admin"})
    assert not m.is_admin_scope({"id": 1, "code": "admin"})
    assert not m.is_admin_scope({"code": "admin"})


# --- websites, stores, store views ------------------------------------------------


def test_website_from_recording() -> None:
    base, admin = recorded("metadata/01_get_store_websites.json")
    assert m.website(base) == m.WebsiteRow(
        magento_id=1, code="base", name="Main Website", default_group_id=1
    )
    # The admin website still maps (id 0 is a value, not a missing field); callers skip it.
    assert m.website(admin) == m.WebsiteRow(
        magento_id=0, code="admin", name="Admin", default_group_id=0
    )


def test_team_values_name_the_website() -> None:
    row = m.website(recorded("metadata/01_get_store_websites.json")[0])
    assert m.team_values(row) == {"name": "Magento Main Website"}


def test_store_group_from_recording() -> None:
    admin, main = recorded("metadata/03_get_store_storeGroups.json")
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
    default_view, _admin = recorded("metadata/05_get_store_storeViews.json")
    (config,) = recorded("metadata/06_get_store_storeConfigs.json")
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
    _default, admin = recorded("metadata/05_get_store_storeViews.json")
    row = m.store_view(admin, None)
    assert (row.magento_id, row.code, row.store_magento_id) == (0, "admin", 0)
    assert (row.locale, row.base_currency, row.timezone, row.weight_unit) == (None,) * 4


def test_inactive_store_view() -> None:
    view = dict(recorded("metadata/05_get_store_storeViews.json")[0], is_active=0)
    assert m.store_view(view, None).is_active is False


# --- customer groups --------------------------------------------------------------


@pytest.mark.parametrize(
    "relative",
    [
        "test_import_partner_category/00_get_customerGroups_2.json",
        "test_import_existing_partner_category/00_get_customerGroups_2.json",
    ],
)
def test_customer_group_from_recording(relative: str) -> None:
    row = m.customer_group(recorded(relative))
    assert row == m.CustomerGroupRow(
        magento_id=2, code="Wholesale", tax_class_id=3, tax_class_name="Retail Customer"
    )
    assert m.partner_tag_values(row, parent_id=7) == {"name": "Wholesale", "parent_id": 7}


def test_customer_group_not_logged_in_has_id_zero() -> None:
    row = m.customer_group({"id": 0, "code": " NOT LOGGED IN ", "tax_class_id": 3})
    assert (row.magento_id, row.code, row.tax_class_name) == (0, "NOT LOGGED IN", None)


# --- payment methods --------------------------------------------------------------


def test_payment_method_of_recorded_order_000000013() -> None:
    row = m.payment_method_of_order(order("000000013"))
    assert row == m.PaymentMethodRow(
        code="checkmo", title="Check / Money order", online=False, offered=False
    )


def test_payment_methods_of_every_recorded_order_are_checkmo_offline() -> None:
    ids = ["000000013", "000000013-1", "000000014", "000000015", "000000019", "000000020"]
    rows = [m.payment_method_of_order(order(i)) for i in ids]
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


def test_journal_values_of_recorded_checkmo() -> None:
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


def test_shipping_method_of_recorded_order_000000013() -> None:
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
    ("mapper", "relative", "field"),
    [
        (m.website, "metadata/01_get_store_websites.json", "code"),
        (m.website, "metadata/01_get_store_websites.json", "name"),
        (m.store, "metadata/03_get_store_storeGroups.json", "website_id"),
        (lambda p: m.store_view(p, None), "metadata/05_get_store_storeViews.json", "code"),
        (
            lambda p: m.store_view(p, None),
            "metadata/05_get_store_storeViews.json",
            "store_group_id",
        ),
    ],
)
def test_missing_store_field_names_the_field(mapper: Any, relative: str, field: str) -> None:
    payload = _without(recorded(relative)[0], field)
    with pytest.raises(MappingError, match=rf"\b{field}\b"):
        mapper(payload)


@pytest.mark.parametrize("field", ["id", "code"])
def test_missing_customer_group_field_names_the_field(field: str) -> None:
    payload = recorded("test_import_partner_category/00_get_customerGroups_2.json")
    with pytest.raises(MappingError, match=rf"customer group lacks {field}"):
        m.customer_group(_without(payload, field))


def test_empty_string_counts_as_missing() -> None:
    payload = dict(recorded("metadata/01_get_store_websites.json")[0], name="")
    with pytest.raises(MappingError, match="website lacks name"):
        m.website(payload)


def test_non_numeric_id_field_is_a_mapping_error() -> None:
    payload = dict(recorded("metadata/01_get_store_websites.json")[0], default_group_id="x")
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
