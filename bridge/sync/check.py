"""Connection test: both sides answer, accept the credentials, and Odoo has what we need."""

from __future__ import annotations

from typing import Any

from bridge.clients.errors import ClientError, PermanentError
from bridge.clients.magento import MagentoClient
from bridge.clients.odoo import OdooClient

#: Odoo modules the sync flows rely on (sale orders, stock, invoices, carriers).
REQUIRED_ODOO_MODULES = ("sale_management", "stock", "account", "stock_delivery")


class CheckFailed(PermanentError):
    """One side of a connection does not work; the message names the cause."""


def check_connection(magento: MagentoClient, odoo: OdooClient) -> dict[str, Any]:
    """Try both sides; raise CheckFailed naming the first cause found."""
    try:
        configs = magento.check()
    except ClientError as exc:
        raise CheckFailed(f"Magento: {exc.message}", status=exc.status) from exc
    try:
        odoo_info = odoo.check()
        installed = {
            m["name"]
            for m in odoo.search_read(
                "ir.module.module",
                [("name", "in", list(REQUIRED_ODOO_MODULES)), ("state", "=", "installed")],
                ["name"],
            )
        }
    except ClientError as exc:
        raise CheckFailed(f"Odoo: {exc.message}", status=exc.status) from exc
    missing = [name for name in REQUIRED_ODOO_MODULES if name not in installed]
    if missing:
        raise CheckFailed(
            f"Odoo: database {odoo.db!r} lacks the modules {', '.join(missing)}; install them"
        )
    return {"magento": configs, "odoo": odoo_info}
