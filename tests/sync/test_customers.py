"""Customer import: the five seeded customers become partners with addresses, twice, once."""

from __future__ import annotations

import copy
from typing import Any

from bridge import db
from bridge.clients.magento_search import SearchCriteria
from bridge.models import Connection, SyncLog
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.customers import CustomerPage, import_customers
from bridge.sync.setup import SetupContext, import_customer_groups
from tests.conftest import register_connection


def customers_from_magento(conn_id: int) -> list[dict[str, Any]]:
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        return list(magento_client(conn).iter_records("customers/search", SearchCriteria()))


def run(conn_id: int, payloads: list[dict[str, Any]]) -> dict[str, Any]:
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        odoo = odoo_client(conn)
        result = import_customers(CustomerPage(s, conn, odoo), payloads)
        result["odoo_calls"] = odoo.calls_made
        return result


def partners(odoo: Any) -> list[dict[str, Any]]:
    return odoo.search_read(
        "res.partner",
        [("customer_rank", ">", 0)],
        ["name", "email", "is_company", "category_id", "parent_id", "type", "ref", "country_id"],
    )


def test_seeded_customers_import_twice_without_duplicates(state_db, magento_sandbox,
                                                            odoo_sandbox):  # fmt: skip
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        import_customer_groups(SetupContext(s, conn, magento_client(conn), odoo_client(conn)))
        odoo = odoo_client(conn)
    payloads = customers_from_magento(conn_id)
    assert len(payloads) == 5
    first = run(conn_id, payloads)
    assert first["created"] >= 5 and first["failed"] == 0
    people = [p for p in partners(odoo) if not p["parent_id"]]
    assert len(people) == 5
    contacts = odoo.search_read(
        "res.partner", [("parent_id", "in", [p["id"] for p in people])], ["type", "ref"]
    )
    assert {c["type"] for c in contacts} <= {"invoice", "delivery"}
    assert all(c["ref"] for c in contacts)
    roni = next(p for p in people if p["email"] == "roni_cost@example.com")
    general = odoo.search_read("res.partner.category", [("name", "=", "General")], ["id"])[0]
    assert general["id"] in roni["category_id"]

    counts = (len(partners(odoo)), len(odoo.search_read("res.partner", [], ["id"])))
    second = run(conn_id, payloads)
    assert (second["created"], second["updated"]) == (0, 0)
    assert (len(partners(odoo)), len(odoo.search_read("res.partner", [], ["id"]))) == counts

    changed = copy.deepcopy(payloads)
    changed[0]["lastname"] = "Renamed"
    third = run(conn_id, changed)
    assert third["created"] == 0 and third["updated"] >= 1


def test_a_customer_that_cannot_be_mapped_is_kept_and_the_rest_import(state_db, magento_sandbox,
                                                                      odoo_sandbox):  # fmt: skip
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    payloads = customers_from_magento(conn_id)
    broken = copy.deepcopy(payloads[1])
    broken["email"] = ""
    result = run(conn_id, [payloads[0], broken, payloads[2]])
    assert result["failed"] == 1
    with db.session_scope() as s:
        failed = s.query(SyncLog).filter(SyncLog.state == "failed").one()
        assert failed.entity == "customer" and failed.key == str(broken["id"])
        assert failed.payload["id"] == broken["id"]
    assert len(result["partners"]) == 2
