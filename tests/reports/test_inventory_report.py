"""The inventory report: quantities per Odoo warehouse and Magento source, and the SKUs
out of stock on one side only, read now from both sandboxes."""

from __future__ import annotations

from bridge import db
from bridge.models import Connection
from bridge.reports.inventory import inventory_report
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.drift import DriftContext
from tests.sync.test_drift import plant, shop  # noqa: F401 - fixture
from tests.sync.test_stock import BAG, JACKET, Shop


def test_quantities_per_side_and_skus_out_of_stock_on_one_side(shop: Shop) -> None:  # noqa: F811
    plant(shop, JACKET, 0)  # Magento sold out; Odoo still has 4 free
    with db.session_scope() as session:
        conn = session.get(Connection, shop.conn_id)
        ctx = DriftContext(session, conn, magento_client(conn), odoo_client(conn), log_id=0)
        report = inventory_report(ctx)
    assert report.skus == 2
    assert report.warehouses == {"WH": [14.0, 14.0]}  # 10 + 4 on hand, nothing reserved
    assert report.sources == {"default": 10.0}
    assert report.one_side_out == [(JACKET, "default", 0.0, 4.0, "Magento")]
    assert report.rows() == [[JACKET, "default", "0", "4", "Magento"]]
    assert BAG not in {row[0] for row in report.rows()}
