"""Magento -> Odoo products over real HTTP: the seeded MH01, bundle 24-WG080 and `bla/koe`."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bridge import db
from bridge.clients.magento import MagentoClient
from bridge.clients.odoo import OdooClient, m2o_id
from bridge.mappers.product import from_odoo, product_fingerprint
from bridge.models import Binding, Connection, Direction, LogState, SyncLog
from bridge.sync import logbook
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.products.imports import (
    ENTITY,
    ImportContext,
    import_products,
    plan_import,
    product_logs,
    product_search,
)
from bridge.sync.products.odoo_read import read_products
from tests.conftest import register_connection

pytestmark = pytest.mark.usefixtures("state_db")

SIZES, COLORS = ["XS", "S", "M", "L", "XL"], ["Black", "Gray", "Orange"]
MH01_CHILDREN = sorted(f"MH01-{s}-{c}" for s in SIZES for c in COLORS)
BUNDLE_PARTS = ["24-WG081-blue", "24-WG082-blue", "24-WG083-blue", "24-WG084", "24-WG085",
                "24-WG086", "24-WG087", "24-WG088"]  # fmt: skip


@pytest.fixture
def shop(magento_sandbox: Any, odoo_sandbox: Any) -> dict[str, Any]:
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        odoo, magento = odoo_client(conn), magento_client(conn)
    return {"id": conn_id, "odoo": odoo, "magento": magento, "sandbox": odoo_sandbox}


def run(conn_id: int, payloads: list[dict[str, Any]], *, fresh: bool = False) -> dict[str, Any]:
    """What a task does without Celery: one log per payload, then the batch in one session."""
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        logs = [
            logbook.open_log(
                s,
                connection_id=conn_id,
                entity=ENTITY,
                direction=Direction.MAGENTO_TO_ODOO,
                key=str(p.get("sku")),
                payload=p,
            )
            for p in payloads
        ]
        ctx = ImportContext(s, conn, magento_client(conn), odoo_client(conn))
        result = import_products(ctx, logs, fresh=fresh)
        result["logs"] = {
            log.key: (str(log.state), log.reason or (log.result or {}).get("action"))
            for log in logs
        }
        return result


def event(*skus: str, deleted: bool = False) -> list[dict[str, Any]]:
    return [{"sku": s, "event": "catalog_product_save_after", "deleted": deleted} for s in skus]


def templates(odoo: OdooClient, **where: Any) -> list[dict[str, Any]]:
    domain = [(k, "=", v) for k, v in where.items()]
    return odoo.search_read(
        "product.template", domain, ["name", "type", "active", "list_price", "default_code"],
        context={"active_test": False},
    )  # fmt: skip


def variants(odoo: OdooClient, template_id: int, active: bool = True) -> list[dict[str, Any]]:
    return odoo.search_read(
        "product.product",
        [("product_tmpl_id", "=", template_id), ("active", "=", active)],
        ["default_code", "lst_price", "product_template_attribute_value_ids"],
        context={"active_test": False},
    )


def binding(entity: str, key: str) -> Binding | None:
    with db.session_scope() as s:
        found = s.scalars(select(Binding).filter_by(entity=entity, magento_key=key)).first()
        if found is not None:
            s.expunge(found)
        return found


def odoo_fingerprint(odoo: OdooClient, template_id: int, sku: str) -> str:
    """What the Odoo -> Magento export computes for the template: equal means no echo."""
    products = read_products(odoo, [template_id])
    values = from_odoo(
        products.templates[template_id],
        products.variants.get(template_id, []),
        products.ptavs,
        products.combos.get(template_id, []),
        bound_sku=sku,
    )
    return product_fingerprint(values)


def test_mh01_is_one_template_with_its_variants_and_attribute_values(shop: dict) -> None:
    result = run(shop["id"], event("MH01"))
    assert result["logs"]["MH01"] == ("done", "created"), result
    odoo = shop["odoo"]
    found = templates(odoo, name="Chaz Kangeroo Hoodie")
    assert len(found) == 1 and found[0]["type"] == "consu"
    tmpl = found[0]["id"]
    rows = variants(odoo, tmpl)
    assert sorted(v["default_code"] for v in rows) == MH01_CHILDREN
    assert variants(odoo, tmpl, active=False) == []
    lines = odoo.search_read(
        "product.template.attribute.line", [("product_tmpl_id", "=", tmpl)],
        ["attribute_id", "value_ids"],
    )  # fmt: skip
    names = {m2o_id(v["id"]): v["name"] for v in odoo.search_read("product.attribute.value", [],
                                                                  ["name"])}  # fmt: skip
    assert {
        line["attribute_id"][1]: sorted(names[v] for v in line["value_ids"]) for line in lines
    } == {
        "Color": ["Black", "Gray", "Orange"],
        "Size": ["L", "M", "S", "XL", "XS"],
    }
    # Each variant's values are its child's: MH01-XS-Black is (XS, Black).
    ptavs = {
        p["id"]: p["name"]
        for p in odoo.search_read(
            "product.template.attribute.value", [("product_tmpl_id", "=", tmpl)], ["name"]
        )
    }
    xs_black = next(v for v in rows if v["default_code"] == "MH01-XS-Black")
    assert sorted(ptavs[p] for p in xs_black["product_template_attribute_value_ids"]) == [
        "Black",
        "XS",
    ]
    bound = binding("product_template", "MH01")
    assert bound is not None and bound.odoo_id == tmpl
    assert bound.fingerprint == odoo_fingerprint(odoo, tmpl, "MH01")  # the export sees no change
    for sku in MH01_CHILDREN:
        child = binding("product", sku)
        assert child is not None and child.odoo_id in {v["id"] for v in rows}
    # Variants by SKU; attributes and values, each found then created; then the template
    # create, one read of its variants' values, one write naming the 15 variants, and one
    # read of the description Odoo stored (it sanitises html) for the fingerprint.
    assert result["odoo_calls"] == 9, result


def test_a_reimport_of_an_unchanged_product_writes_nothing(shop: dict) -> None:
    run(shop["id"], event("MH01", "bla/koe"))
    before = binding("product_template", "MH01")
    stamps = {r["id"]: r["write_date"] for r in shop["sandbox"].records("product.product")}
    again = run(shop["id"], event("MH01", "bla/koe"))
    assert again["unchanged"] == 2 and again["created"] == again["updated"] == 0
    assert again["odoo_calls"] == 0
    assert again["logs"]["MH01"] == ("done", "unchanged")
    assert {r["id"]: r["write_date"] for r in shop["sandbox"].records("product.product")} == stamps
    after = binding("product_template", "MH01")
    assert after is not None and before is not None and after.fingerprint == before.fingerprint


def test_a_description_odoo_rewrites_is_no_change_either_way(shop: dict) -> None:
    """Odoo 18 sanitises html fields (tools/mail.py::html_sanitize): MH01's `&bull;` and
    `<br />` are stored as `•` and `<br>`. The binding keeps the fingerprint of what Odoo
    holds (read back) for the export and of what Magento holds for the import, so neither
    direction sees a change that is only Odoo's rewrite."""
    run(shop["id"], event("MH01"))
    odoo = shop["odoo"]
    tmpl = binding("product_template", "MH01").odoo_id  # type: ignore[union-attr]
    [stored] = odoo.read("product.template", [tmpl], ["description"])
    assert "&bull;" not in stored["description"] and "<br />" not in stored["description"]
    assert "<p>• Two-tone heather.<br>• Drawstring hood.</p>" in stored["description"]
    bound = binding("product_template", "MH01")
    assert bound is not None and bound.fingerprint == odoo_fingerprint(odoo, tmpl, "MH01")
    assert bound.magento_fingerprint not in (None, bound.fingerprint)
    again = run(shop["id"], event("MH01"))
    assert again["logs"]["MH01"] == ("done", "unchanged") and again["odoo_calls"] == 0


def test_a_magento_edit_updates_the_same_template(shop: dict) -> None:
    run(shop["id"], event("MH01"))
    tmpl = binding("product_template", "MH01").odoo_id  # type: ignore[union-attr]
    magento: MagentoClient = shop["magento"]
    magento.put("products/MH01", {"product": {"name": "Chaz Hoodie"}})
    for size_xl in [s for s in MH01_CHILDREN if "-XL-" in s]:
        magento.put(f"products/{size_xl}", {"product": {"price": 57}})
    result = run(shop["id"], event("MH01"))
    assert result["logs"]["MH01"] == ("done", "updated"), result
    odoo = shop["odoo"]
    assert [t["id"] for t in templates(odoo, name="Chaz Hoodie")] == [tmpl]
    assert templates(odoo, name="Chaz Kangeroo Hoodie") == []
    prices = {v["default_code"]: v["lst_price"] for v in variants(odoo, tmpl)}
    assert prices["MH01-XL-Gray"] == 57.0 and prices["MH01-XS-Gray"] == 52.0
    assert len(prices) == 15
    bound = binding("product_template", "MH01")
    assert bound is not None and bound.fingerprint == odoo_fingerprint(odoo, tmpl, "MH01")


def test_the_seeded_bundle_becomes_a_combo_product_of_its_parts(shop: dict) -> None:
    result = run(shop["id"], event("24-WG080"))
    assert result["logs"]["24-WG080"] == ("done", "created"), result
    assert result["created"] == 1 + len(BUNDLE_PARTS)  # the parts came first
    odoo = shop["odoo"]
    (bundle,) = templates(odoo, default_code="24-WG080")
    assert bundle["type"] == "combo" and bundle["name"] == "Sprite Yoga Companion Kit"
    parts = {
        p["default_code"]: p["id"]
        for p in odoo.search_read("product.product", [("default_code", "in", BUNDLE_PARTS)],
                                  ["default_code"])
    }  # fmt: skip
    assert sorted(parts) == sorted(BUNDLE_PARTS)
    combo_ids = odoo.read("product.template", [bundle["id"]], ["combo_ids"])[0]["combo_ids"]
    combos = odoo.read("product.combo", combo_ids, ["name", "combo_item_ids"])
    items = {
        i["id"]: m2o_id(i["product_id"])
        for i in odoo.read(
            "product.combo.item", [i for c in combos for i in c["combo_item_ids"]], ["product_id"]
        )
    }
    assert [(c["name"], [items[i] for i in c["combo_item_ids"]]) for c in combos] == [
        ("Sprite Stasis Ball", [parts["24-WG081-blue"], parts["24-WG082-blue"],
                                parts["24-WG083-blue"]]),
        ("Sprite Foam Yoga Brick", [parts["24-WG084"]]),
        ("Sprite Yoga Strap", [parts["24-WG085"], parts["24-WG086"], parts["24-WG087"]]),
        ("Sprite Foam Roller", [parts["24-WG088"]]),
    ]  # fmt: skip
    assert binding("product_combo", "24-WG080#3").odoo_id == combo_ids[2]  # type: ignore[union-attr]
    bound = binding("product_template", "24-WG080")
    assert bound is not None and bound.fingerprint == odoo_fingerprint(
        odoo, bundle["id"], "24-WG080"
    )
    again = run(shop["id"], event("24-WG080"))
    assert again["unchanged"] == 1 and again["odoo_calls"] == 0
    assert len(odoo.search_read("product.combo", [], ["id"])) == 4


def test_a_sku_with_a_slash_imports(shop: dict) -> None:
    result = run(shop["id"], event("bla/koe"))
    assert result["logs"]["bla/koe"] == ("done", "created")
    (product,) = templates(shop["odoo"], default_code="bla/koe")
    assert (product["name"], product["list_price"], product["type"]) == (
        "Blauwe Koe",
        1.0,
        "consu",
    )
    assert binding("product", "bla/koe") is not None
    assert result["odoo_calls"] == 3  # find by SKU, create, read its variant


def test_a_child_sku_imports_its_configurable_not_a_loose_product(shop: dict) -> None:
    # Unbound: Magento's links say whose child it is.
    first = run(shop["id"], event("MH01-M-Gray"))
    assert first["logs"]["MH01-M-Gray"] == ("done", "created with its configurable MH01"), first
    odoo = shop["odoo"]
    assert templates(odoo, default_code="MH01-M-Gray") == []  # no loose template
    tmpl = binding("product_template", "MH01").odoo_id  # type: ignore[union-attr]
    # Bound: a change to the child re-imports its parent.
    shop["magento"].put("products/MH01-M-Gray", {"product": {"price": 50}})
    again = run(shop["id"], event("MH01-M-Gray"))
    assert again["logs"]["MH01-M-Gray"] == ("done", "updated with its configurable MH01")
    prices = {v["default_code"]: v["lst_price"] for v in variants(odoo, tmpl)}
    assert len(prices) == 15 and prices["MH01-M-Gray"] != 52.0


def test_a_deleted_child_archives_its_variant_through_its_configurable(shop: dict) -> None:
    run(shop["id"], event("MH01"))
    tmpl = binding("product_template", "MH01").odoo_id  # type: ignore[union-attr]
    shop["magento"].delete("products/MH01-XS-Black")
    result = run(shop["id"], event("MH01-XS-Black", deleted=True))
    assert result["logs"]["MH01-XS-Black"] == ("done", "updated with its configurable MH01")
    odoo = shop["odoo"]
    assert len(variants(odoo, tmpl)) == 14
    assert [v["default_code"] for v in variants(odoo, tmpl, active=False)] == ["MH01-XS-Black"]
    bound = binding("product_template", "MH01")
    assert bound is not None and bound.fingerprint == odoo_fingerprint(odoo, tmpl, "MH01")


def test_prices_odoo_cannot_say_stay_in_magento_and_do_not_echo(shop: dict) -> None:
    shop["magento"].put("products/MH01-XS-Black", {"product": {"price": 60}})
    result = run(shop["id"], event("MH01"))
    assert result["created"] == 1
    with db.session_scope() as s:
        log = s.scalars(select(SyncLog).filter_by(entity=ENTITY, key="MH01")).one()
        assert "Magento keeps its prices" in log.result["notes"][0]
    odoo = shop["odoo"]
    tmpl = binding("product_template", "MH01").odoo_id  # type: ignore[union-attr]
    assert {v["lst_price"] for v in variants(odoo, tmpl)} == {52.0}
    bound = binding("product_template", "MH01")
    assert bound is not None and bound.fingerprint == odoo_fingerprint(odoo, tmpl, "MH01")
    assert run(shop["id"], event("MH01"))["unchanged"] == 1


def test_a_deleted_product_is_archived_and_an_unknown_one_is_nothing(shop: dict) -> None:
    run(shop["id"], event("bla/koe"))
    tmpl = binding("product_template", "bla/koe").odoo_id  # type: ignore[union-attr]
    shop["magento"].delete("products/bla%2Fkoe")
    result = run(shop["id"], event("bla/koe", "NOPE-1", deleted=True))
    assert result["archived"] == 1
    assert result["logs"]["bla/koe"] == ("done", "deleted")
    assert templates(shop["odoo"], default_code="bla/koe")[0]["active"] is False
    with db.session_scope() as s:
        logs = {
            log.key: log.result["summary"]
            for log in s.scalars(select(SyncLog).filter_by(entity=ENTITY, state=LogState.DONE))
            if log.result["action"] == "deleted"
        }
    assert logs["bla/koe"] == f"archived product.template {tmpl} (deleted in Magento)"
    assert logs["NOPE-1"] == (
        "nothing to delete: NOPE-1 was never imported into Odoo (deleted in Magento)"
    )
    # The export reads the archived template as the binding says: nothing is sent back.
    bound = binding("product_template", "bla/koe")
    assert bound is not None and bound.fingerprint == odoo_fingerprint(
        shop["odoo"], tmpl, "bla/koe"
    )


def test_a_bad_product_fails_alone_and_keeps_its_payload(shop: dict) -> None:
    magento: MagentoClient = shop["magento"]
    page = next(magento.search("products", product_search(["bla/koe", "24-WG085_Group", "MH01"])))
    with db.session_scope() as s:
        ids = product_logs(s, shop["id"], page)
    with db.session_scope() as s:
        conn = s.get(Connection, shop["id"])
        logs = [s.get(SyncLog, i) for i in ids]
        ctx = ImportContext(s, conn, magento_client(conn), odoo_client(conn))
        result = import_products(ctx, logs)  # type: ignore[arg-type]
    assert (result["created"], result["failed"]) == (2, 1), result
    with db.session_scope() as s:
        grouped = s.scalars(select(SyncLog).filter_by(entity=ENTITY, key="24-WG085_Group")).one()
        assert grouped.state is LogState.FAILED
        assert grouped.reason == (
            "product 24-WG085_Group is a grouped product: Bridge syncs simple, virtual, "
            "configurable and bundle products"
        )
        assert grouped.payload["type_id"] == "grouped"  # the raw payload, kept
        done = s.scalars(select(SyncLog).filter_by(entity=ENTITY, state=LogState.DONE)).all()
        assert sorted(log.key for log in done) == ["MH01", "bla/koe"]


def test_a_rerun_after_losing_the_bindings_finds_the_products_instead_of_duplicating(
    shop: dict,
) -> None:
    """A crash after Odoo answered and before our commit: natural keys find the work."""
    run(shop["id"], event("MH01", "bla/koe"))
    with db.session_scope() as s:
        for row in s.scalars(select(Binding)):
            s.delete(row)
    result = run(shop["id"], event("MH01", "bla/koe"))
    assert result["updated"] == 2 and result["created"] == 0, result
    odoo = shop["odoo"]
    assert len(templates(odoo, name="Chaz Kangeroo Hoodie")) == 1
    assert len(templates(odoo, default_code="bla/koe")) == 1
    tmpl = binding("product_template", "MH01").odoo_id  # type: ignore[union-attr]
    assert len(variants(odoo, tmpl)) == 15


def test_an_untracked_product_on_a_reserved_delivery_updates_and_stays_untracked(
    shop: dict,
) -> None:
    """Orders can reach Odoo before the catalog: the merchant's product (no inventory
    tracking) sits on a reserved delivery. Odoo refuses to switch tracking then, and the
    choice is the merchant's anyway: the import updates the rest and leaves it."""
    odoo = shop["odoo"]
    tmpl = odoo.create("product.template", [{"name": "Gym bag", "default_code": "24-WG02",
                                             "type": "consu", "list_price": 1.0}])[0]  # fmt: skip
    [variant] = odoo.search("product.product", [("product_tmpl_id", "=", tmpl)])
    partner = odoo.create("res.partner", [{"name": "Early customer"}])[0]
    order = odoo.create("sale.order", [{"partner_id": partner, "order_line": [
        (0, 0, {"product_id": variant, "product_uom_qty": 1})]}])[0]  # fmt: skip
    odoo.call("sale.order", "action_confirm", [order])
    moves = odoo.search_read("stock.move", [("product_id", "=", variant)], ["state"])
    assert [m["state"] for m in moves] == ["assigned"]

    result = run(shop["id"], event("24-WG02"))

    assert result["logs"]["24-WG02"][0].endswith("done"), result["logs"]
    [row] = odoo.read("product.template", [tmpl], ["is_storable", "list_price", "name"])
    assert row["is_storable"] is False
    assert row["list_price"] != 1.0 and row["name"] != "Gym bag"  # Magento's values arrived


def test_children_odoo_has_as_products_of_their_own_fail_the_configurable(shop: dict) -> None:
    shop["odoo"].create(
        "product.product", [{"name": "Loose hoodie", "default_code": "MH01-XS-Black"}]
    )
    result = run(shop["id"], event("MH01"))
    state, reason = result["logs"]["MH01"]
    assert state == "failed"
    assert "Odoo already has some of its children as products of their own" in reason
    assert templates(shop["odoo"], name="Chaz Kangeroo Hoodie") == []


def test_a_dry_run_says_what_would_change_without_writing(shop: dict) -> None:
    with db.session_scope() as s:
        conn = s.get(Connection, shop["id"])
        ctx = ImportContext(s, conn, magento_client(conn), odoo_client(conn))
        plan = {row["sku"]: row for row in plan_import(ctx, ["MH01", "bla/koe", "MH01-S-Gray"])}
    assert plan["MH01"]["action"] == "create"
    assert (
        "15 variants" in plan["MH01"]["about"] and "Size (XS, S, M, L, XL)" in plan["MH01"]["about"]
    )
    assert plan["bla/koe"]["action"] == "create"
    assert plan["MH01-S-Gray"]["action"] == "via MH01"
    assert templates(shop["odoo"], name="Chaz Kangeroo Hoodie") == []
    run(shop["id"], event("MH01"))
    with db.session_scope() as s:
        conn = s.get(Connection, shop["id"])
        ctx = ImportContext(s, conn, magento_client(conn), odoo_client(conn))
        after = {row["sku"]: row["action"] for row in plan_import(ctx, ["MH01", "bla/koe"])}
    assert after == {"MH01": "unchanged", "bla/koe": "create"}
