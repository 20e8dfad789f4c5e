"""Odoo -> Magento products over real HTTP: simple, configurable, bundle, coalescing, bulk."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from bridge import db
from bridge.models import AttributeSet, Binding, Connection, Direction, LogState, SyncLog
from bridge.sync import logbook
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.products import feed as product_feed
from bridge.sync.products.export import ExportContext, export_page, plan_export
from tests.conftest import register_connection

pytestmark = pytest.mark.usefixtures("state_db")


@pytest.fixture
def shop(magento_sandbox: Any, odoo_sandbox: Any) -> dict[str, Any]:
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        s.add(AttributeSet(connection_id=conn_id, magento_id=4, name="Default"))
        s.add(AttributeSet(connection_id=conn_id, magento_id=11, name="Gear"))
        odoo = odoo_client(conn)
    return {"id": conn_id, "odoo": odoo, "magento": magento_sandbox}


def poll(conn_id: int, **kw: Any) -> dict[str, Any]:
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        return product_feed.poll(s, odoo_client(conn), conn_id, **kw)


def export(conn_id: int, *, bulk: bool = False) -> dict[str, Any]:
    """What the flush and page tasks do, without Celery."""
    with db.session_scope() as s:
        ids = product_feed.claim_drafts(s, conn_id)
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        page = logbook.open_log(
            s,
            connection_id=conn_id,
            entity="products.page",
            direction=Direction.ODOO_TO_MAGENTO,
            payload={"product_logs": ids, "bulk": bulk},
        )
        logs = logbook.unfinished_logs(s, ids)
        ctx = ExportContext(s, conn, magento_client(conn), odoo_client(conn))
        return export_page(ctx, page, logs, bulk=bulk)


def record(magento: Any, kind: str, key: str) -> dict[str, Any] | None:
    answer = requests.get(f"{magento.url}/__sandbox__/records/{kind}/{key}", timeout=5)
    return answer.json() if answer.status_code == 200 else None


def stats(magento: Any, reset: bool = False) -> dict[str, int]:
    url = f"{magento.url}/__sandbox__/stats"
    answer = (requests.delete if reset else requests.get)(url, timeout=5)
    return answer.json()["by_route"]


def product_saves(magento: Any) -> int:
    return sum(
        n
        for route, n in stats(magento).items()
        if route.startswith("POST") and route.endswith("/V1/products") and "async" not in route
    )


def custom(product: dict[str, Any], code: str) -> Any:
    return next(
        (c["value"] for c in product["custom_attributes"] if c["attribute_code"] == code), None
    )


def logs_of(conn_id: int, entity: str = product_feed.ENTITY) -> list[SyncLog]:
    with db.session_scope() as s:
        rows = list(
            s.query(SyncLog).filter_by(connection_id=conn_id, entity=entity).order_by(SyncLog.id)
        )
        s.expunge_all()
        return rows


def make_simple(odoo: Any, code: str, **values: Any) -> int:
    fields = {
        "name": f"Product {code}",
        "default_code": code,
        "list_price": 12.5,
        "standard_price": 4.0,
        "weight": 0.4,
        "description_sale": "Stoneware, 300 ml",
        "description": "<p>A mug for the long nights.</p>",
        "is_storable": True,
        **values,
    }
    return odoo.create("product.template", [fields])[0]


def make_configurable(odoo: Any, name: str, prefix: str, attrs: dict[str, list[str]]) -> int:
    """A template with attribute lines; its variants get SKUs "<prefix>-<v1>-<v2>"."""
    lines = []
    for attr_name, labels in attrs.items():
        found = odoo.search_read("product.attribute", [("name", "=", attr_name)], ["id"])
        attr_id = (
            found[0]["id"] if found else odoo.create("product.attribute", [{"name": attr_name}])[0]
        )
        value_ids = []
        for label in labels:
            hit = odoo.search_read(
                "product.attribute.value",
                [("attribute_id", "=", attr_id), ("name", "=", label)],
                ["id"],
            )
            value_ids.append(
                hit[0]["id"]
                if hit
                else odoo.create(
                    "product.attribute.value", [{"attribute_id": attr_id, "name": label}]
                )[0]
            )
        lines.append((0, 0, {"attribute_id": attr_id, "value_ids": [(6, 0, value_ids)]}))
    tmpl_id = odoo.create(
        "product.template",
        [{"name": name, "list_price": 30.0, "is_storable": True, "attribute_line_ids": lines}],
    )[0]
    variants = odoo.search_read(
        "product.product",
        [("product_tmpl_id", "=", tmpl_id)],
        ["product_template_attribute_value_ids"],
    )
    ptavs = {
        p["id"]: p["name"]
        for p in odoo.search_read(
            "product.template.attribute.value", [("product_tmpl_id", "=", tmpl_id)], ["name"]
        )
    }
    codes = [
        (
            1,
            v["id"],
            {
                "default_code": "-".join(
                    [prefix, *(ptavs[i] for i in v["product_template_attribute_value_ids"])]
                )
            },
        )
        for v in variants
    ]
    odoo.write("product.template", [tmpl_id], {"product_variant_ids": codes})
    return tmpl_id


def test_a_simple_product_reaches_magento_with_its_fields(shop: dict[str, Any]) -> None:
    tmpl = make_simple(shop["odoo"], "BR-MUG")
    assert poll(shop["id"])["drafted"] >= 1
    result = export(shop["id"])
    assert result["failed"] == 0 and result["exported"] >= 1

    product = record(shop["magento"], "products", "BR-MUG")
    assert product is not None
    assert (product["name"], product["price"], product["weight"]) == ("Product BR-MUG", 12.5, 0.4)
    assert (product["type_id"], product["status"], product["attribute_set_id"]) == ("simple", 1, 4)
    assert custom(product, "cost") == 4.0
    assert custom(product, "short_description") == "Stoneware, 300 ml"
    assert custom(product, "description") == "<p>A mug for the long nights.</p>"
    with db.session_scope() as s:
        binding = s.query(Binding).filter_by(entity="product_template", odoo_id=tmpl).one()
        assert binding.magento_key == "BR-MUG" and binding.fingerprint
        assert s.query(Binding).filter_by(entity="product", magento_key="BR-MUG").count() == 1

    # The overlap window finds the same change again: it was handled, nothing is drafted.
    assert poll(shop["id"])["drafted"] == 0


def test_three_edits_before_the_flush_are_one_log_and_one_magento_write(
    shop: dict[str, Any],
) -> None:
    odoo = shop["odoo"]
    tmpl = make_simple(odoo, "BR-CUP")
    poll(shop["id"])
    odoo.write("product.template", [tmpl], {"name": "Cup, second name"})
    poll(shop["id"])
    odoo.write("product.template", [tmpl], {"list_price": 9.75, "name": "Cup, final name"})
    poll(shop["id"])

    drafts = [log for log in logs_of(shop["id"]) if log.key == f"product.template:{tmpl}"]
    assert len(drafts) == 1 and drafts[0].state is LogState.DRAFT
    stats(shop["magento"], reset=True)
    export(shop["id"])
    assert product_saves(shop["magento"]) == 1
    product = record(shop["magento"], "products", "BR-CUP")
    assert product is not None and (product["name"], product["price"]) == ("Cup, final name", 9.75)


def test_an_unchanged_product_is_not_written_again(shop: dict[str, Any]) -> None:
    tmpl = make_simple(shop["odoo"], "BR-BOWL")
    poll(shop["id"])
    export(shop["id"])
    stats(shop["magento"], reset=True)
    poll(shop["id"], template_ids=[tmpl])  # asked again, e.g. from the CLI
    result = export(shop["id"])
    assert result["unchanged"] == 1 and result["exported"] == 0
    assert product_saves(shop["magento"]) == 0


def test_a_product_with_variants_becomes_a_configurable_with_children(
    shop: dict[str, Any],
) -> None:
    odoo = shop["odoo"]
    # Black and S exist in Magento's Luma attributes; Teal does not and is added as an option.
    tmpl = make_configurable(
        odoo, "Bridge Tee", "BTEE", {"Color": ["Black", "Teal"], "Size": ["S", "M"]}
    )
    poll(shop["id"])
    result = export(shop["id"])
    assert result["failed"] == 0, [log.reason for log in logs_of(shop["id"])]

    parent = record(shop["magento"], "products", "BTEE")
    assert parent is not None and parent["type_id"] == "configurable"
    extension = parent["extension_attributes"]
    assert len(extension["configurable_product_links"]) == 4
    color = requests.get(
        f"{shop['magento'].url}/__sandbox__/records/product_attributes/color", timeout=5
    ).json()
    teal = next(o["value"] for o in color["options"] if o["label"] == "Teal")
    by_attr = {o["label"]: o for o in extension["configurable_product_options"]}
    assert {v["value_index"] for v in by_attr["Color"]["values"]} == {5476, int(teal)}
    child = record(shop["magento"], "products", "BTEE-Teal-M")
    assert child is not None
    assert (child["visibility"], custom(child, "color"), custom(child, "size")) == (1, teal, "5595")
    with db.session_scope() as s:
        assert (
            s.query(Binding).filter_by(entity="product_template", odoo_id=tmpl).one().magento_key
            == "BTEE"
        )
        assert s.query(Binding).filter_by(entity="product").count() == 4


def test_an_attribute_magento_lacks_fails_the_log_with_what_to_do(shop: dict[str, Any]) -> None:
    make_configurable(shop["odoo"], "Bridge Scarf", "BSCARF", {"Material": ["Wool", "Silk"]})
    poll(shop["id"])
    result = export(shop["id"])
    assert result["failed"] == 1
    [log] = [log for log in logs_of(shop["id"]) if log.state is LogState.FAILED]
    assert "Magento has no product attribute 'material'" in (log.reason or "")
    assert "Stores > Attributes > Product" in (log.reason or "")
    assert record(shop["magento"], "products", "BSCARF") is None


def test_a_bulk_with_a_failing_item_fails_only_that_items_log(shop: dict[str, Any]) -> None:
    odoo = shop["odoo"]
    for n in range(3):
        make_simple(odoo, f"BR-BULK-{n}")
    # A product Magento refuses: its name is blank once trimmed (Odoo accepts the space).
    make_simple(odoo, "BR-BULK-BAD", name=" ")
    poll(shop["id"])
    stats(shop["magento"], reset=True)
    result = export(shop["id"], bulk=True)
    assert (result["exported"], result["failed"]) == (3, 1)
    assert len(result["bulks"]) == 1
    routes = stats(shop["magento"])
    assert sum(n for r, n in routes.items() if r.startswith("POST") and "async/bulk" in r) == 1
    assert sum(n for r, n in routes.items() if r.startswith("POST /rest/all/V1/products")) == 0
    logs = {log.payload["template_id"]: log for log in logs_of(shop["id"])}
    failed = [log for log in logs.values() if log.state is LogState.FAILED]
    assert len(failed) == 1
    assert "in bulk" in (failed[0].reason or "")
    assert 'The value of attribute "Product Name" must be set' in (failed[0].reason or "")
    for n in range(3):
        assert record(shop["magento"], "products", f"BR-BULK-{n}") is not None


def test_a_product_without_sku_is_left_out(shop: dict[str, Any]) -> None:
    shop["odoo"].create("product.template", [{"name": "Gift wrapping", "type": "service"}])
    assert poll(shop["id"])["drafted"] == 0


def test_dry_run_plans_without_writing(shop: dict[str, Any]) -> None:
    odoo = shop["odoo"]
    tmpl = make_simple(odoo, "BR-PLAN")
    stats(shop["magento"], reset=True)
    [plan] = plan_export(magento_client_of(shop["id"]), odoo, [tmpl], {})
    assert (plan["sku"], plan["action"]) == ("BR-PLAN", "create")
    poll(shop["id"])
    export(shop["id"])
    odoo.write("product.template", [tmpl], {"list_price": 15.0})
    stats(shop["magento"], reset=True)
    [plan] = plan_export(magento_client_of(shop["id"]), odoo, [tmpl], {})
    assert plan["action"] == "update" and "price: 12.5 -> 15.0" in plan["changes"]
    writes = [
        r
        for r in stats(shop["magento"])
        if r.startswith(("POST", "PUT", "DELETE")) and "integration/admin/token" not in r
    ]
    assert writes == []


def magento_client_of(conn_id: int) -> Any:
    with db.session_scope() as s:
        return magento_client(s.get(Connection, conn_id))
