"""`bridge sync products` as a person runs it: a subprocess, a real worker, both sandboxes."""

from __future__ import annotations

from typing import Any

import requests

from bridge import db
from bridge.models import Connection
from bridge.sync.connections import odoo_client
from tests.conftest import register_connection
from tests.e2e.test_cli import bridge


def magento_product(magento_sandbox: Any, sku: str) -> dict[str, Any] | None:
    answer = requests.get(f"{magento_sandbox.url}/__sandbox__/records/products/{sku}", timeout=5)
    return answer.json() if answer.status_code == 200 else None


def test_sync_products_dry_run_then_for_real(worker, magento_sandbox, odoo_sandbox):
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    with db.session_scope() as session:
        odoo = odoo_client(session.get(Connection, conn_id))
    odoo.create(
        "product.template",
        [{"name": "CLI mug", "default_code": "BR-CLI", "list_price": 8.5, "is_storable": True}],
    )

    dry = bridge(
        "sync", "products", "-c", "shop", "--sku", "BR-CLI", "--sku", "24-WG02", "--dry-run"
    )
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "Magento would change (from Odoo): 1 product" in dry.stdout
    assert "BR-CLI" in dry.stdout and "create" in dry.stdout
    assert "Odoo would change (from Magento)" in dry.stdout and "24-WG02" in dry.stdout
    assert "nothing was changed" in dry.stdout
    assert magento_product(magento_sandbox, "BR-CLI") is None
    assert odoo.search("product.product", [("default_code", "=", "24-WG02")]) == []

    run = bridge("sync", "products", "-c", "shop", "--sku", "BR-CLI", "--sku", "24-WG02")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "products to Magento: 1 exported, 0 unchanged, 0 failed" in run.stdout
    product = magento_product(magento_sandbox, "BR-CLI")
    assert product is not None and product["price"] == 8.5
    assert len(odoo.search("product.product", [("default_code", "=", "24-WG02")])) == 1

    again = bridge("sync", "products", "-c", "shop", "--sku", "BR-CLI", "--direction", "to-magento")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 exported, 1 unchanged" in again.stdout

    bad = bridge("sync", "products", "-c", "shop", "--direction", "sideways")
    assert bad.returncode == 1 and "--direction must be one of" in bad.stderr
