"""Who is who in Odoo (bridge/sync/partners.py): guests kept apart from registered
customers, one contact per distinct address, regions by code or name, against both
sandboxes over HTTP with the seed's customers and orders."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bridge import db
from bridge.mappers import customer as cm
from bridge.sync import bindings
from bridge.sync.connections import odoo_client
from tests.conftest import prepare_shop
from tests.sync.test_customers import customers_from_magento
from tests.sync.test_customers import run as import_customers
from tests.sync.test_orders import connection, magento_orders, run_import

PARTNER_FIELDS = ["name", "email", "ref", "street", "street2", "city", "zip", "state_id",
                  "country_id", "category_id", "phone", "is_company"]  # fmt: skip


@pytest.fixture
def shop(state_db: str, magento_sandbox: Any, odoo_sandbox: Any) -> int:
    return prepare_shop(magento_sandbox, odoo_sandbox)


def odoo(conn_id: int) -> Any:
    return odoo_client(connection(conn_id))


def the_customer(conn_id: int, customer_id: int) -> dict[str, Any]:
    return next(c for c in customers_from_magento(conn_id) if c["id"] == customer_id)


def partner_of(conn_id: int, key: str, entity: str = "customer") -> dict[str, Any]:
    with db.session_scope() as s:
        [binding] = bindings.by_keys(s, conn_id, entity, [key]).values()
        odoo_id = binding.odoo_id
    return odoo(conn_id).read("res.partner", [odoo_id], PARTNER_FIELDS)[0]


def contacts(conn_id: int, parent_id: int) -> list[dict[str, Any]]:
    return odoo(conn_id).search_read("res.partner", [("parent_id", "=", parent_id)],
                                     ["type", "street", "street2", "state_id", "ref"])  # fmt: skip


def guest_copy(order: dict[str, Any], increment_id: str, email: str) -> dict[str, Any]:
    """`order` placed again by a guest: no account, the e-mail as typed at checkout."""
    guest = copy.deepcopy(order)
    guest.update(increment_id=increment_id, entity_id=int(increment_id[-4:]) + 9000,
                 customer_email=email, customer_is_guest=1, customer_group_id=0)  # fmt: skip
    guest.pop("customer_id", None)
    for address in (
        guest["billing_address"],
        guest["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"],
    ):
        address.pop("customer_address_id", None)
        address["street"] = ["1 Guest Lane"]
    return guest


def test_a_guest_with_a_customers_email_in_another_case_never_touches_the_customers_partner(
    shop: int,
):
    import_customers(shop, [the_customer(shop, 1)])
    before = partner_of(shop, "id:1")
    roni = next(o for o in magento_orders(shop) if o["increment_id"] == "000000014")
    guest = guest_copy(roni, "000000714", "Roni_Cost@Example.COM")
    result = run_import(shop, [guest])
    assert result["imported"] == 1, result["reasons"]
    assert partner_of(shop, "id:1") == before  # unchanged: name, ref, address, tags
    guest_partner = partner_of(shop, "email:roni_cost@example.com", "guest")
    assert guest_partner["id"] != before["id"]
    assert (guest_partner["ref"], guest_partner["street"]) == (False, "1 Guest Lane")
    # The registered customer's next import finds its own partner, not the guest's.
    import_customers(shop, [the_customer(shop, 1)])
    assert partner_of(shop, "id:1")["id"] == before["id"]


def test_an_order_import_does_not_rewrite_a_registered_customers_partner(shop: int):
    import_customers(shop, [the_customer(shop, 1)])
    before = partner_of(shop, "id:1")
    order = next(o for o in magento_orders(shop) if o["increment_id"] == "000000014")
    moved = copy.deepcopy(order)
    moved["billing_address"].update(street=["9 Elsewhere Rd"], customer_address_id=None)
    result = run_import(shop, [moved])
    assert result["imported"] == 1, result["reasons"]
    assert partner_of(shop, "id:1") == before
    streets = {c["street"] for c in contacts(shop, before["id"])}
    assert "9 Elsewhere Rd" in streets  # the order's own address is a contact of its own


def test_a_guest_bound_to_a_customers_partner_is_repaired(shop: int):
    """What Bridge did before the rule: a guest order bound and wrote the customer's partner.
    The next guest order gets a partner of its own; the customer's next import writes the
    customer's values back and drops the guests' tag."""
    import_customers(shop, [the_customer(shop, 1)])
    good = partner_of(shop, "id:1")
    tags = odoo(shop).search_read("res.partner.category", [("name", "=", "NOT LOGGED IN")],
                                  ["id"])  # fmt: skip
    damage = {"ref": False, "street": "1 Guest Lane", "category_id": [(4, tags[0]["id"])]}
    odoo(shop).write("res.partner", [good["id"]], damage)
    with db.session_scope() as s:
        bindings.bind(s, shop, "guest", "email:roni_cost@example.com", "res.partner", good["id"])
    roni = next(o for o in magento_orders(shop) if o["increment_id"] == "000000014")
    run_import(shop, [guest_copy(roni, "000000715", "roni_cost@example.com")])
    assert partner_of(shop, "email:roni_cost@example.com", "guest")["id"] != good["id"]
    import_customers(shop, [the_customer(shop, 1)])
    assert partner_of(shop, "id:1") == good


def test_twenty_orders_at_the_same_addresses_make_one_invoice_and_one_delivery_contact(
    shop: int,
):
    roni = next(o for o in magento_orders(shop) if o["increment_id"] == "000000014")
    page = []
    for n in range(20):
        o = copy.deepcopy(roni)
        o.update(increment_id=f"0000008{n:02d}", entity_id=8000 + n)
        if n % 2:  # some checkouts do not name the address-book entry
            o["billing_address"].pop("customer_address_id", None)
        page.append(o)
    assert run_import(shop, page[:7])["imported"] == 7
    assert run_import(shop, page[7:])["imported"] == 13
    partner = partner_of(shop, "id:1")
    kinds = sorted(c["type"] for c in contacts(shop, partner["id"]))
    assert kinds == ["delivery", "invoice"]
    # A customer re-import reuses them and rewrites neither.
    before = {c["id"]: c for c in contacts(shop, partner["id"])}
    import_customers(shop, [the_customer(shop, 1)])
    after = {c["id"]: c for c in contacts(shop, partner["id"])}
    assert {k: v for k, v in after.items() if k in before} == before
    # Her second address-book entry (the office) is the only new contact.
    assert len(after) == len(before) + 1


def test_contacts_made_under_the_old_keys_are_found_by_their_address(shop: int):
    payload = the_customer(shop, 1)
    import_customers(shop, [payload])
    partner = partner_of(shop, "id:1")
    known = contacts(shop, partner["id"])
    with db.session_scope() as s:  # as Bridge keyed them before: the address-book id
        for binding in bindings.by_keys(s, shop, "address", [
            f"id:1/{cm.address_key(a)}" for a in cm.customer(payload).addresses
        ]).values():  # fmt: skip
            binding.magento_key = f"id:1/magento-address-{binding.odoo_id}-legacy"
    import_customers(shop, [payload])
    assert len(contacts(shop, partner["id"])) == len(known)


def test_regions_map_by_code_else_by_name_else_stay_in_the_text(shop: int):
    tay = the_customer(shop, 3)
    tay["addresses"][0]["region"] = {"region": "Michigan", "region_code": None, "region_id": 0}
    import_customers(shop, [tay])
    partner = partner_of(shop, "id:3")
    assert partner["state_id"][1].startswith("Michigan")  # by name: no code given
    by_street = {c["street"]: c for c in contacts(shop, partner["id"])}
    tokyo = by_street["1-9-1 Marunouchi"]
    assert (tokyo["state_id"], tokyo["street2"]) == (False, "Chiyoda-ku, 東京都")
