"""The sandbox's field lists and categories against outside evidence (marked `evidence`).

Adobe's 2.4.9 REST schema: every scalar field a REST answer shows is a field its search can
filter on (`sandbox.magento.fields`); recorded Magento answers (OCA connector-magento,
categories/{id}): the seeded categories have their shape and their counting rule.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox.magento import ADMIN_PASSWORD, ADMIN_USERNAME, MagentoStore
from sandbox.magento import fields as search_fields
from sandbox.magento.seed import luma
from sandbox.magento.seed import seed as seed_store
from tests import evidence

pytestmark = pytest.mark.evidence

SCALARS = ("string", "integer", "number", "boolean")


def interface_scalars(definition: str) -> set[str]:
    properties = evidence.schema()["definitions"][definition]["properties"]
    return {name for name, spec in properties.items() if spec.get("type") in SCALARS}


@pytest.mark.parametrize(
    ("definition", "columns"),
    [
        ("sales-data-order-interface", search_fields.ORDER_COLUMNS),
        ("sales-data-invoice-interface", search_fields.INVOICE_COLUMNS),
        ("sales-data-shipment-interface", search_fields.SHIPMENT_COLUMNS),
        ("sales-data-creditmemo-interface", search_fields.CREDITMEMO_COLUMNS),
    ],
)
def test_sales_tables_have_every_field_their_answers_show(definition, columns):
    """A sales interface's scalar getters are its table's columns (`Sales\\Model\\Order` reads
    them with getData): each is filterable, and the sandbox's list adds only real columns."""
    assert interface_scalars(definition) <= columns
    extra = columns - interface_scalars(definition)
    assert extra <= {"shipping_method", "send_email", "coupon_rule_name", "gift_message_id",
                     "paypal_ipn_customer_notified", "customer_note", "customer_note_notify",
                     "packages"}  # fmt: skip


@pytest.mark.parametrize(
    ("definition", "kind"),
    [
        ("catalog-data-product-interface", "products"),
        ("customer-data-customer-interface", "customers"),
        ("catalog-data-category-interface", "categories"),
        ("customer-data-group-interface", "customer_groups"),
        ("eav-data-attribute-set-interface", "attribute_sets"),
        ("inventory-api-data-source-interface", "sources"),
        ("inventory-api-data-source-item-interface", "source_items"),
    ],
)
def test_searches_know_the_fields_their_answers_show(magento_store, definition, kind):
    """Every scalar a search answer shows can be filtered on, under the name the collection
    uses: an EAV entity's `id` is its `entity_id` column."""
    known = search_fields.for_kind(kind, magento_store)
    eav = known.eav
    for name in interface_scalars(definition):
        wanted = "entity_id" if eav and name == "id" else name
        assert known.getter(wanted) is not None, f"{kind}: {wanted}"
    if eav:
        assert known.getter("id") is None  # refused, as `_addAttributeJoin` does


@pytest.fixture
def magento_store() -> MagentoStore:
    """The seeded store alone: the field lists read it, no server is needed."""
    store = MagentoStore(ADMIN_USERNAME, ADMIN_PASSWORD)
    seed_store(store, "luma")
    return store


def recorded_categories() -> dict[int, dict[str, Any]]:
    found = {}
    for path in sorted(evidence.recordings_dir().glob("*/*_get_categories_*.json")):
        body = json.loads(path.read_text())["response"]
        found[body["id"]] = body
    return found


def test_seeded_categories_have_the_recorded_shape():
    """Recorded categories/{id} answers: the same fields in the same order as the seed's
    category of that id (the Root Catalog without is_active)."""
    recorded = recorded_categories()
    seeded = {c["id"]: c for c in luma.catalog.categories()}
    common = sorted(set(recorded) & set(seeded))
    assert len(common) >= 10
    for category_id in common:
        assert list(seeded[category_id]) == list(recorded[category_id]), category_id
    assert "is_active" not in recorded[1] and "is_active" not in seeded[1]


def test_children_count_counts_descendants_as_recorded():
    """`children` lists the direct (active) children, `children_count` every descendant: the
    recorded Default Category has 6 children and a count of 39; the seed follows that rule."""
    recorded = recorded_categories()

    def count(category: dict[str, Any]) -> int:
        values = {a["attribute_code"]: a["value"] for a in category["custom_attributes"]}
        return int(values["children_count"])

    children = [c for c in recorded[2]["children"].split(",") if c]
    assert (len(children), count(recorded[2])) == (6, 39)
    assert count(recorded[1]) == count(recorded[2]) + 1
    for category in recorded.values():
        assert count(category) >= len([c for c in category["children"].split(",") if c])
    seeded = {c["id"]: c for c in luma.catalog.categories()}
    assert count(seeded[1]) == count(seeded[2]) + 1 == len(seeded) - 1
