"""Customer mappers against the real recorded Magento 2.3 customers and guest orders."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bridge.mappers import customer as m
from bridge.mappers.errors import MappingError

RECORDED = (
    Path(__file__).resolve().parents[2].parent
    / "shared/fixtures/magento/oca-connector-magento-12.0/extracted"
)
COUNTRY_IDS = {"US": 233, "AF": 3, "FK": 71, "UY": 234}
STATE_IDS = {("US", "MI"): 31}


def recorded(relative: str) -> Any:
    return json.loads((RECORDED / relative).read_text())["response"]


def order(increment_id: str) -> dict[str, Any]:
    for path in sorted(RECORDED.glob("import_sale_order_*/*_get_orders_*.json")):
        body = json.loads(path.read_text())["response"]
        if body["increment_id"] == increment_id:
            return body
    raise LookupError(increment_id)


CUSTOMERS = {
    "individual_1_address": "test_import_partner_individual_1_address/00_get_customers_1.json",
    "individual_2_addresses": "test_import_partner_individual_2_addresses/00_get_customers_3.json",
    "company_1_address": "test_import_partner_company_1_address/00_get_customers_5.json",
    "company_2_addresses": "test_import_partner_company_2_addresses/00_get_customers_4.json",
    "no_address": "test_import_partner_no_address/00_get_customers_2.json",
}


@pytest.mark.parametrize(
    ("case", "magento_id", "email", "name", "company", "addresses"),
    [
        (
            "individual_1_address",
            1,
            "roni_cost@example.com",
            "Veronica Costello",
            None,
            [(1, "invoice"), (1, "delivery")],
        ),
        (
            "individual_2_addresses",
            3,
            "tay@ray.com",
            "Tay Ray",
            None,
            [(2, "invoice"), (3, "delivery")],
        ),
        (
            "company_1_address",
            5,
            "drew@france.com",
            "Drew France",
            "DF Services",
            [(6, "invoice"), (6, "delivery")],
        ),
        (
            "company_2_addresses",
            4,
            "clay@lock.nl",
            "Clay Lock",
            "Clay Company",
            [(4, "invoice"), (5, "delivery")],
        ),
        ("no_address", 2, "benjamin@goff.com", "Benjamin Le Goff", None, []),
    ],
)
def test_the_five_recorded_customers_map(
    case: str,
    magento_id: int,
    email: str,
    name: str,
    company: str | None,
    addresses: list[tuple[int, str]],
) -> None:
    c = m.customer(recorded(CUSTOMERS[case]))
    assert (c.magento_id, c.email, c.name, c.company) == (magento_id, email, name, company)
    assert [(a.magento_id, a.kind) for a in c.addresses] == addresses
    assert m.is_company(c) is (company is not None)
    assert c.group_id == 1
    assert not c.is_guest


@pytest.mark.parametrize("case", sorted(CUSTOMERS))
def test_address_keys_are_stable_across_two_recorded_fetches(case: str) -> None:
    first = m.customer(recorded(CUSTOMERS[case]))
    second = m.customer(recorded(CUSTOMERS[case].replace("/00_", "/01_")))
    keys = [m.address_key(a) for a in first.addresses]
    assert keys == [m.address_key(a) for a in second.addresses]
    assert len(set(keys)) == len(keys), "each contact has its own key"


def test_an_address_that_is_both_defaults_gives_an_invoice_and_a_delivery_contact() -> None:
    c = m.customer(recorded(CUSTOMERS["individual_1_address"]))
    assert c.invoice_address is not None and c.delivery_address is not None
    assert c.invoice_address.street == c.delivery_address.street == ("6146 Honey Bluff Parkway",)
    assert m.address_key(c.invoice_address) != m.address_key(c.delivery_address)


def test_addresses_beyond_the_defaults_are_delivery_contacts_after_the_defaults() -> None:
    payload = copy.deepcopy(recorded(CUSTOMERS["company_2_addresses"]))
    extra = {**payload["addresses"][1], "id": 9, "street": ["Warehouse"]}
    extra.pop("default_shipping")
    payload["addresses"].insert(0, extra)
    c = m.customer(payload)
    assert [(a.magento_id, a.kind) for a in c.addresses] == [
        (4, "invoice"),
        (5, "delivery"),
        (9, "delivery"),
    ]


def test_region_and_street_of_a_customer_address() -> None:
    a = m.customer(recorded(CUSTOMERS["individual_1_address"])).addresses[0]
    assert (a.country_code, a.region_code, a.region_name) == ("US", "MI", "Michigan")
    assert (a.city, a.zip, a.phone) == ("Calder", "49628-7978", "(555) 229-3326")
    assert a.name == "Veronica Costello"


def test_email_is_lowercased_and_stripped() -> None:
    payload = {**recorded(CUSTOMERS["no_address"]), "email": "  Benjamin@GOFF.com \n"}
    assert m.customer(payload).email == "benjamin@goff.com"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"email": " "}, "customer 2 has no e-mail"),
        ({"id": None}, "customer lacks id"),
        ({"id": "abc"}, "customer id is not a number: 'abc'"),
        ({"default_billing": "x"}, "default_billing is not a number: 'x'"),
    ],
)
def test_bad_customers_raise_a_mapping_error_with_the_reason(
    change: dict[str, Any], reason: str
) -> None:
    payload = {**recorded(CUSTOMERS["no_address"]), **change}
    with pytest.raises(MappingError) as err:
        m.customer(payload)
    assert str(err.value) == reason


# --- Odoo values ------------------------------------------------------------------


def test_partner_values_of_a_company() -> None:
    c = m.customer(recorded(CUSTOMERS["company_2_addresses"]))
    values = m.partner_values(c, tag_id=12, country_ids=COUNTRY_IDS, state_ids=STATE_IDS)
    assert values == {
        "name": "Clay Company",
        "email": "clay@lock.nl",
        "is_company": True,
        "company_type": "company",
        "customer_rank": 1,
        "ref": "4",
        "category_id": [(4, 12)],
        "street": "Billing",
        "street2": False,
        "city": "City",
        "zip": "111",
        "country_id": 3,
        "state_id": False,
        "phone": "111",
    }


def test_partner_values_of_an_individual_carry_the_billing_address_and_its_state() -> None:
    c = m.customer(recorded(CUSTOMERS["individual_1_address"]))
    values = m.partner_values(c, tag_id=None, country_ids=COUNTRY_IDS, state_ids=STATE_IDS)
    assert values["name"] == "Veronica Costello"
    assert (values["is_company"], values["company_type"]) == (False, "person")
    assert (values["country_id"], values["state_id"]) == (233, 31)
    assert "category_id" not in values


def test_partner_values_without_address_have_no_address_fields() -> None:
    c = m.customer(recorded(CUSTOMERS["no_address"]))
    values = m.partner_values(c, tag_id=1, country_ids={}, state_ids={})
    assert "country_id" not in values and "street" not in values
    assert values["name"] == "Benjamin Le Goff"


def test_address_values_are_a_child_contact_keyed_by_address_key() -> None:
    c = m.customer(recorded(CUSTOMERS["company_2_addresses"]))
    delivery = c.delivery_address
    assert delivery is not None
    values = m.address_values(delivery, parent_id=50, country_ids=COUNTRY_IDS, state_ids=STATE_IDS)
    assert values == {
        "parent_id": 50,
        "type": "delivery",
        "name": "Clay Lock",
        "email": False,
        "ref": "magento-address-5-delivery",
        "street": "Shipping",
        "street2": False,
        "city": "City",
        "zip": "111",
        "country_id": 3,
        "state_id": False,
        "phone": "111",
    }


def test_an_unknown_country_code_fails_naming_it() -> None:
    c = m.customer(recorded(CUSTOMERS["company_1_address"]))
    with pytest.raises(MappingError, match="country code FK not found in Odoo"):
        m.partner_values(c, tag_id=None, country_ids={"US": 1}, state_ids={})
    with pytest.raises(MappingError, match="country code FK"):
        m.address_values(c.addresses[0], parent_id=1, country_ids={"US": 1}, state_ids={})


def test_an_unknown_region_leaves_the_state_empty() -> None:
    c = m.customer(recorded(CUSTOMERS["individual_1_address"]))
    values = m.address_values(c.addresses[0], parent_id=1, country_ids=COUNTRY_IDS, state_ids={})
    assert (values["country_id"], values["state_id"]) == (233, False)


def test_extra_street_lines_go_to_street2() -> None:
    payload = copy.deepcopy(recorded(CUSTOMERS["individual_1_address"]))
    payload["addresses"][0]["street"] = ["6146 Honey Bluff Parkway", "Suite 4", " Floor 2 "]
    a = m.customer(payload).addresses[0]
    values = m.address_values(a, parent_id=1, country_ids=COUNTRY_IDS, state_ids=STATE_IDS)
    assert (values["street"], values["street2"]) == ("6146 Honey Bluff Parkway", "Suite 4, Floor 2")


# --- address keys -----------------------------------------------------------------


def test_a_content_key_ignores_case_spacing_and_phone_but_not_the_street() -> None:
    a = m.guest_customer(order("000000019")).addresses[0]
    same = replace(a, name=" guest  GUESTER", phone="999", email="x@y.z")
    moved = replace(a, street=("Other street",))
    assert a.magento_id is None
    assert m.address_key(a) == m.address_key(same)
    assert m.address_key(a) != m.address_key(moved)
    assert m.address_key(a).endswith("-invoice")


def test_order_addresses_key_on_the_customer_address_book_id() -> None:
    billing, shipping = m.order_addresses(order("000000013"))
    book = m.customer(recorded(CUSTOMERS["individual_1_address"]))
    assert shipping is not None
    assert (billing.magento_id, shipping.magento_id) == (17, 1)
    assert m.address_key(shipping) == m.address_key(book.addresses[1])


# --- guests -----------------------------------------------------------------------


def test_a_guest_without_customer_names_takes_the_billing_name() -> None:
    c = m.guest_customer(order("000000019"))
    assert (c.magento_id, c.is_guest, c.email, c.name) == (
        None,
        True,
        "guest@guest.com",
        "Guest Guester",
    )
    assert c.group_id == 0, "NOT LOGGED IN is group 0, a real group"
    assert [a.kind for a in c.addresses] == ["invoice", "delivery"]
    assert c.addresses[0].country_code == "AF"


def test_a_guest_with_customer_names() -> None:
    c = m.guest_customer(order("000000020"))
    assert (c.firstname, c.lastname, c.name, c.email) == (
        "Test",
        "Free",
        "Test Free",
        "test@free.org",
    )
    assert not m.is_company(c)


def test_two_orders_of_one_guest_give_one_customer() -> None:
    first = order("000000020")
    second = copy.deepcopy(first)
    second.update(increment_id="000000021", entity_id=18, customer_email=" TEST@free.org")
    second["billing_address"].update(entity_id=99, parent_id=18)
    assert m.guest_customer(second) == m.guest_customer(first)
    assert [m.address_key(a) for a in m.guest_customer(second).addresses] == [
        m.address_key(a) for a in m.guest_customer(first).addresses
    ]


def test_a_virtual_guest_order_has_only_an_invoice_address() -> None:
    payload = copy.deepcopy(order("000000019"))
    payload["extension_attributes"]["shipping_assignments"] = []
    assert [a.kind for a in m.guest_customer(payload).addresses] == ["invoice"]


def test_a_guest_order_without_billing_address_fails() -> None:
    payload = {**order("000000019"), "billing_address": None}
    with pytest.raises(MappingError, match="order 000000019 has no billing address"):
        m.guest_customer(payload)
