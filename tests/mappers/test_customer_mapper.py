"""Customer mappers on the project's own seed customers and guest orders.

The five seeded customers (`sandbox.magento.seed.luma.customers`) each tell a story: a
retail customer in Michigan with a home and an office address, a fresh account without
address, a customer who bills to Michigan and ships to Tokyo (prefecture as free text),
a company in the Netherlands with separate billing and shipping, and a company in Paris
with one address for both. The guest cases are the seed's guest orders 000000019 and
000000020.

The outside evidence (`tests.evidence`, marked `evidence`): the five real customers
recorded by OCA's connector-magento map as well, with address keys stable across the two
fetches recorded of each, and the recorded guest order without customer names.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from bridge.mappers import customer as m
from bridge.mappers.errors import MappingError
from sandbox.magento.seed import luma
from tests import evidence

#: Odoo country ids by ISO code, as the use case looks them up (values are arbitrary here).
COUNTRY_IDS = {"US": 233, "NL": 166, "FR": 75, "JP": 113}
#: Odoo's Michigan under its code and its name (`state_key`), as PartnerResolver loads it.
STATE_IDS = {m.state_key("US", "MI"): 31, m.state_key("US", "Michigan"): 31}


def customer(customer_id: int) -> dict[str, Any]:
    """A seeded customer as `GET /V1/customers/{id}` answers it (a fresh copy)."""
    return luma.customer(customer_id)


def order(increment_id: str) -> dict[str, Any]:
    """A seeded order as `GET /V1/orders/{id}` answers it (a fresh copy)."""
    return luma.order(increment_id)


#: The recorded customers (outside evidence), by the OCA test that recorded them.
RECORDED_CUSTOMERS = {
    "individual_1_address": "test_import_partner_individual_1_address/00_get_customers_1.json",
    "individual_2_addresses": "test_import_partner_individual_2_addresses/00_get_customers_3.json",
    "company_1_address": "test_import_partner_company_1_address/00_get_customers_5.json",
    "company_2_addresses": "test_import_partner_company_2_addresses/00_get_customers_4.json",
    "no_address": "test_import_partner_no_address/00_get_customers_2.json",
}


def assert_customer_maps(
    payload: dict[str, Any],
    magento_id: int,
    email: str,
    name: str,
    company: str | None,
    addresses: list[tuple[int, str]],
    group_id: int,
) -> None:
    c = m.customer(payload)
    assert (c.magento_id, c.email, c.name, c.company) == (magento_id, email, name, company)
    assert [(a.magento_id, a.kind) for a in c.addresses] == addresses
    assert m.is_company(c) is (company is not None)
    assert c.group_id == group_id
    assert not c.is_guest


@pytest.mark.parametrize(
    ("magento_id", "email", "name", "company", "addresses", "group_id"),
    [
        (
            1,
            "roni_cost@example.com",
            "Veronica Costello",
            None,
            [(1, "invoice"), (1, "delivery"), (7, "delivery")],
            1,
        ),
        (2, "benjamin@goff.com", "Benjamin Le Goff", None, [], 1),
        (3, "tay@ray.com", "Tay Ray", None, [(2, "invoice"), (3, "delivery")], 1),
        (
            4,
            "clay@lock.nl",
            "Clay Lock",
            "Clay Company",
            [(4, "invoice"), (5, "delivery")],
            2,
        ),
        (
            5,
            "drew@france.com",
            "Drew France",
            "DF Services",
            [(6, "invoice"), (6, "delivery")],
            1,
        ),
    ],
)
def test_the_five_seeded_customers_map(
    magento_id: int,
    email: str,
    name: str,
    company: str | None,
    addresses: list[tuple[int, str]],
    group_id: int,
) -> None:
    assert_customer_maps(
        customer(magento_id), magento_id, email, name, company, addresses, group_id
    )


def test_every_seeded_customer_is_covered() -> None:
    assert [c["id"] for c in luma.customers.customers()] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("magento_id", [1, 2, 3, 4, 5])
def test_each_seeded_contact_has_its_own_key_stable_across_fetches(magento_id: int) -> None:
    first = m.customer(customer(magento_id))
    second = m.customer(customer(magento_id))
    keys = [m.address_key(a) for a in first.addresses]
    assert keys == [m.address_key(a) for a in second.addresses]
    assert len(set(keys)) == len(keys), "each contact has its own key"


@pytest.mark.evidence
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
    payload = evidence.recorded(RECORDED_CUSTOMERS[case])
    assert_customer_maps(payload, magento_id, email, name, company, addresses, group_id=1)


@pytest.mark.evidence
@pytest.mark.parametrize("case", sorted(RECORDED_CUSTOMERS))
def test_address_keys_are_stable_across_two_recorded_fetches(case: str) -> None:
    first = m.customer(evidence.recorded(RECORDED_CUSTOMERS[case]))
    second = m.customer(evidence.recorded(RECORDED_CUSTOMERS[case].replace("/00_", "/01_")))
    keys = [m.address_key(a) for a in first.addresses]
    assert keys == [m.address_key(a) for a in second.addresses]
    assert len(set(keys)) == len(keys), "each contact has its own key"


def test_an_address_that_is_both_defaults_gives_an_invoice_and_a_delivery_contact() -> None:
    c = m.customer(customer(1))
    assert c.invoice_address is not None and c.delivery_address is not None
    assert c.invoice_address.street == c.delivery_address.street == ("6146 Honey Bluff Parkway",)
    assert m.address_key(c.invoice_address) != m.address_key(c.delivery_address)


def test_addresses_beyond_the_defaults_are_delivery_contacts_after_the_defaults() -> None:
    payload = copy.deepcopy(customer(4))
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
    a = m.customer(customer(1)).addresses[0]
    assert (a.country_code, a.region_code, a.region_name) == ("US", "MI", "Michigan")
    assert (a.city, a.zip, a.phone) == ("Calder", "49628-7978", "(555) 229-3326")
    assert a.name == "Veronica Costello"


def test_email_is_lowercased_and_stripped() -> None:
    payload = {**customer(2), "email": "  Benjamin@GOFF.com \n"}
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
    payload = {**customer(2), **change}
    with pytest.raises(MappingError) as err:
        m.customer(payload)
    assert str(err.value) == reason


# --- Odoo values ------------------------------------------------------------------


def test_partner_values_of_a_company() -> None:
    c = m.customer(customer(4))
    values = m.partner_values(c, tag_id=12, country_ids=COUNTRY_IDS, state_ids=STATE_IDS)
    assert values == {
        "name": "Clay Company",
        "email": "clay@lock.nl",
        "is_company": True,
        "company_type": "company",
        "customer_rank": 1,
        "ref": "4",
        "category_id": [(4, 12)],
        "street": "Keizersgracht 123",
        "street2": False,
        "city": "Amsterdam",
        "zip": "1015 CJ",
        "country_id": 166,
        "state_id": False,
        "phone": "+31 20 555 0101",
    }


def test_partner_values_of_an_individual_carry_the_billing_address_and_its_state() -> None:
    c = m.customer(customer(1))
    values = m.partner_values(c, tag_id=None, country_ids=COUNTRY_IDS, state_ids=STATE_IDS)
    assert values["name"] == "Veronica Costello"
    assert (values["is_company"], values["company_type"]) == (False, "person")
    assert (values["country_id"], values["state_id"]) == (233, 31)
    assert "category_id" not in values


def test_partner_values_without_address_have_no_address_fields() -> None:
    c = m.customer(customer(2))
    values = m.partner_values(c, tag_id=1, country_ids={}, state_ids={})
    assert "country_id" not in values and "street" not in values
    assert values["name"] == "Benjamin Le Goff"


def test_address_values_are_a_child_contact_keyed_by_address_key() -> None:
    c = m.customer(customer(4))
    delivery = c.delivery_address
    assert delivery is not None
    values = m.address_values(delivery, parent_id=50, country_ids=COUNTRY_IDS, state_ids=STATE_IDS)
    assert values == {
        "parent_id": 50,
        "type": "delivery",
        "name": "Clay Lock",
        "email": False,
        "ref": m.address_key(delivery),
        "street": "Havenstraat 5",
        "street2": False,
        "city": "Rotterdam",
        "zip": "3024 SG",
        "country_id": 166,
        "state_id": False,
        "phone": "+31 10 555 0199",
    }


def test_an_unknown_country_code_fails_naming_it() -> None:
    c = m.customer(customer(5))
    with pytest.raises(MappingError, match="country code FR not found in Odoo"):
        m.partner_values(c, tag_id=None, country_ids={"US": 1}, state_ids={})
    with pytest.raises(MappingError, match="country code FR"):
        m.address_values(c.addresses[0], parent_id=1, country_ids={"US": 1}, state_ids={})


def test_an_unknown_region_leaves_the_state_empty() -> None:
    c = m.customer(customer(1))
    values = m.address_values(c.addresses[0], parent_id=1, country_ids=COUNTRY_IDS, state_ids={})
    assert (values["country_id"], values["state_id"]) == (233, False)
    assert values["street2"] == "Michigan"  # kept in the text, not dropped


def test_a_region_odoo_does_not_know_is_kept_in_the_address_text() -> None:
    """Tokyo: Magento keeps the prefecture as free text for countries without a region list;
    Odoo's Japanese states are "Tokyo" (13), so "東京都" finds none and is kept in street2
    (issue 11: it was dropped)."""
    tokyo = m.customer(customer(3)).delivery_address
    assert tokyo is not None
    assert (tokyo.country_code, tokyo.region_code, tokyo.region_name) == ("JP", None, "東京都")
    assert tokyo.street == ("1-9-1 Marunouchi", "Chiyoda-ku")
    values = m.address_values(tokyo, parent_id=1, country_ids=COUNTRY_IDS, state_ids=STATE_IDS)
    assert (values["country_id"], values["state_id"]) == (113, False)
    assert (values["street"], values["street2"]) == ("1-9-1 Marunouchi", "Chiyoda-ku, 東京都")


def test_a_region_without_code_maps_by_name_within_its_country() -> None:
    payload = copy.deepcopy(customer(1))
    payload["addresses"][0]["region"] = {"region": " michigan ", "region_code": None,
                                         "region_id": 0}  # fmt: skip
    a = m.customer(payload).addresses[0]
    values = m.address_values(a, parent_id=1, country_ids=COUNTRY_IDS, state_ids=STATE_IDS)
    assert (values["state_id"], values["street2"]) == (31, False)
    elsewhere = replace(a, country_code="CA")
    values = m.address_values(elsewhere, parent_id=1, country_ids={"CA": 38}, state_ids=STATE_IDS)
    assert (values["state_id"], values["street2"]) == (False, "michigan")


def test_extra_street_lines_go_to_street2() -> None:
    payload = copy.deepcopy(customer(1))
    payload["addresses"][0]["street"] = ["6146 Honey Bluff Parkway", "Suite 4", " Floor 2 "]
    a = m.customer(payload).addresses[0]
    values = m.address_values(a, parent_id=1, country_ids=COUNTRY_IDS, state_ids=STATE_IDS)
    assert (values["street"], values["street2"]) == ("6146 Honey Bluff Parkway", "Suite 4, Floor 2")


# --- address keys -----------------------------------------------------------------


def test_a_content_key_ignores_case_spacing_and_phone_but_not_the_street() -> None:
    a = m.guest_customer(order("000000019")).addresses[0]
    same = replace(a, name=" gina  GUESTER", phone="999", email="x@y.z")
    moved = replace(a, street=("Other street",))
    assert a.magento_id is None
    assert m.address_key(a) == m.address_key(same)
    assert m.address_key(a) != m.address_key(moved)
    assert m.address_key(a).endswith("-invoice")


@pytest.mark.parametrize(
    ("increment_id", "customer_id", "book_ids"),
    [("000000013", 1, (1, 1)), ("000000022", 3, (2, 3))],
)
def test_order_addresses_key_on_the_customer_address_book_id(
    increment_id: str, customer_id: int, book_ids: tuple[int, int]
) -> None:
    payload = order(increment_id)
    billing, shipping = m.order_addresses(payload)
    book = m.customer(customer(customer_id))
    assert shipping is not None
    assert (billing.magento_id, shipping.magento_id) == book_ids
    assert payload["billing_address"]["entity_id"] not in book_ids, "not the order address id"
    assert m.address_key(billing) == m.address_key(book.addresses[0])
    assert m.address_key(shipping) == m.address_key(book.addresses[1])


# --- guests -----------------------------------------------------------------------


def test_a_guest_without_customer_names_takes_the_billing_name() -> None:
    """Magento 2.3 leaves the customer names out of a guest order (as recorded); the seed's
    guest order 000000019 has them, so they are taken out here."""
    payload = order("000000019")
    del payload["customer_firstname"], payload["customer_lastname"]
    c = m.guest_customer(payload)
    assert (c.magento_id, c.is_guest, c.email, c.name) == (
        None,
        True,
        "guest@guest.com",
        "Gina Guester",
    )
    assert c.group_id == 0, "NOT LOGGED IN is group 0, a real group"
    assert [a.kind for a in c.addresses] == ["invoice", "delivery"]
    assert c.addresses[0].country_code == "US"


@pytest.mark.evidence
def test_the_recorded_guest_without_customer_names_takes_the_billing_name() -> None:
    payload = evidence.recorded_order("000000019")
    assert "customer_firstname" not in payload and "customer_lastname" not in payload
    c = m.guest_customer(payload)
    assert (c.magento_id, c.is_guest, c.email, c.name) == (
        None,
        True,
        "guest@guest.com",
        "Guest Guester",
    )
    assert c.group_id == 0
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
