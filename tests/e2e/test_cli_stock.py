"""`bridge sync stock` as a person runs it: a subprocess, a real worker, both sandboxes."""

from __future__ import annotations

from typing import Any

import requests
from sqlalchemy import select

from bridge import db
from bridge.models import Connection, StockLevel
from bridge.sync import bindings
from bridge.sync.connections import odoo_client
from tests.conftest import register_connection
from tests.e2e.test_cli import bridge


def source_qty(magento_sandbox: Any, sku: str) -> float:
    items = requests.get(f"{magento_sandbox.url}/__sandbox__/records/source_items", timeout=5)
    return next(i["quantity"] for i in items.json() if i["sku"] == sku and
                i["source_code"] == "default")  # fmt: skip


def test_sync_stock_dry_run_then_for_real(worker, magento_sandbox, odoo_sandbox):
    conn_id = register_connection(magento_sandbox, odoo_sandbox, inventory_auto_apply=True)
    with db.session_scope() as session:
        odoo = odoo_client(session.get(Connection, conn_id))
        [bag, jacket] = odoo.create("product.product", [
            {"name": sku, "default_code": sku, "type": "consu", "is_storable": True}
            for sku in ("24-WG02", "MH09-L-Blue")])  # fmt: skip
        bindings.bind(session, conn_id, "product", "24-WG02", "product.product", bag)
        bindings.bind(session, conn_id, "product", "MH09-L-Blue", "product.product", jacket)
    odoo.create("stock.quant", [{"product_id": bag, "location_id": 8,
                                 "inventory_quantity_auto_apply": 12}],
                context={"inventory_mode": True})  # fmt: skip

    # Odoo holds the bag (12); the jacket only Magento has (30): each goes from its holder.
    dry = bridge("sync", "stock", "-c", "shop", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "Magento would change (from Odoo): 1 quantity" in dry.stdout
    assert "Odoo would change (from Magento): 1 quantity" in dry.stdout
    assert "count 30 on hand at WH, applied" in dry.stdout
    assert "nothing was changed" in dry.stdout
    assert source_qty(magento_sandbox, "24-WG02") == 100  # the seed's, untouched

    run = bridge("sync", "stock", "-c", "shop")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "stock to Magento: 1 pushed" in run.stdout
    assert "stock to Odoo: 1 counted" in run.stdout
    assert source_qty(magento_sandbox, "24-WG02") == 12
    assert source_qty(magento_sandbox, "MH09-L-Blue") == 30
    [row] = odoo.read("product.product", [jacket], ["qty_available"])
    assert row["qty_available"] == 30
    with db.session_scope() as session:
        assert len(session.scalars(select(StockLevel)).all()) == 2

    # A quantity changed in Magento comes to Odoo for the SKU asked.
    body = {"sourceItems": [{"sku": "MH09-L-Blue", "source_code": "default", "quantity": 5,
                             "status": 1}]}  # fmt: skip
    magento_api = f"{magento_sandbox.url}/rest/all/V1/inventory/source-items"
    token = requests.post(
        f"{magento_sandbox.url}/rest/V1/integration/admin/token",
        json={"username": "admin", "password": "admin123"},
        timeout=5,
    ).json()
    requests.post(magento_api, json=body, headers={"Authorization": f"Bearer {token}"},
                  timeout=5).raise_for_status()  # fmt: skip
    to_odoo = bridge("sync", "stock", "-c", "shop", "--direction", "to-odoo", "--sku",
                     "MH09-L-Blue")  # fmt: skip
    assert to_odoo.returncode == 0, to_odoo.stdout + to_odoo.stderr
    assert "stock to Odoo: 1 counted" in to_odoo.stdout
    [row] = odoo.read("product.product", [jacket], ["qty_available"])
    assert row["qty_available"] == 5

    bad = bridge("sync", "stock", "-c", "shop", "--direction", "sideways")
    assert bad.returncode == 1 and "--direction must be one of" in bad.stderr
