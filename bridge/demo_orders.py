"""The demo's order round: customers and orders, Magento -> Odoo, through the pipeline.

Before it, the demo does in Odoo what a merchant does once (and the catalog sync
will do): a sale tax at Magento's rate and the products the orders sell. It adds
one card-paid (online) order to the Magento sandbox beside the recorded
check/money-order (offline) ones, so both kinds show.
"""

from __future__ import annotations

import copy
from typing import Any

import requests
from rich.table import Table

from bridge.cli.common import console
from bridge.clients.magento import MagentoClient
from bridge.clients.magento_search import SearchCriteria
from bridge.clients.odoo import OdooClient
from bridge.mappers import order as om
from tasks.dispatch import pull_job

ONLINE_DEMO_ORDER = "000000021"
ONLINE_CANCEL_ORDER = "000000022"


def prepare(magento: MagentoClient, magento_url: str, odoo: OdooClient) -> None:
    orders = list(magento.iter_records("orders", SearchCriteria(), fields=om.ORDER_FIELDS))
    template = next(o for o in orders if o["increment_id"] == "000000014")
    cards = []
    for increment_id, entity_id in ((ONLINE_DEMO_ORDER, 21), (ONLINE_CANCEL_ORDER, 22)):
        card = copy.deepcopy(template)
        card.update(increment_id=increment_id, entity_id=entity_id, state="processing",
                    status="processing")  # fmt: skip
        card["payment"].update(method="braintree", additional_information=["Credit Card"])
        url = f"{magento_url}/__sandbox__/records/orders"
        requests.post(url, json=card, timeout=10).raise_for_status()
        magento.post(f"order/{entity_id}/invoice", {"capture": True})  # as checkout did
        cards.append(card)
    odoo.create("account.tax", [{"name": "8.25%", "amount": 8.25, "amount_type": "percent",
                                 "type_tax_use": "sale"}])  # fmt: skip
    skus = sorted({line.sku for o in [*orders, *cards] for line in om.order(o).lines})
    odoo.create("product.product", [{"name": s, "default_code": s, "type": "consu"} for s in skus])
    console.print(
        f"Merchant setup in Odoo: sale tax 8.25 %, {len(skus)} products; "
        f"Magento gets card-paid orders {ONLINE_DEMO_ORDER} and {ONLINE_CANCEL_ORDER}"
    )


def run(conn_id: int, odoo: OdooClient, run_job: Any) -> bool:
    """Pull customers, then orders, each through the queue; print what Odoo holds."""
    for kind in ("customers", "orders"):
        pull = run_job(pull_job(kind), conn_id)
        if pull is None:
            return False
        pages = [run_job(None, conn_id, log_id=i) for i in pull.result.get("page_logs", [])]
        if any(p is None for p in pages):
            return False
        totals: dict[str, int] = {}
        for page in pages:
            for key, value in (page.result or {}).items():
                if isinstance(value, int):
                    totals[key] = totals.get(key, 0) + value
        console.print(f"{kind}: " + ", ".join(f"{v} {k}" for k, v in totals.items()))
    console.print(_orders_table(odoo))
    return True


def _orders_table(odoo: OdooClient) -> Table:
    table = Table(title="Magento orders in Odoo", title_justify="left")
    for col in ("Magento", "Odoo order", "state", "total", "customer", "invoice", "payment"):
        table.add_column(col)
    orders = odoo.search_read(
        "sale.order",
        [("client_order_ref", "!=", False)],
        ["client_order_ref", "name", "state", "amount_total", "partner_id", "invoice_ids",
         "currency_id"],
        order="client_order_ref",
    )  # fmt: skip
    invoice_ids = [i for o in orders for i in o["invoice_ids"]]
    invoices = {
        r["id"]: r
        for r in odoo.read("account.move", invoice_ids, ["name", "state", "payment_state"])
    } if invoice_ids else {}  # fmt: skip
    for o in orders:
        inv = [invoices[i] for i in o["invoice_ids"] if i in invoices]
        table.add_row(
            o["client_order_ref"],
            f"{o['name']} (id {o['id']})",
            o["state"],
            f"{o['amount_total']:.2f} {o['currency_id'][1]}",
            o["partner_id"][1],
            ", ".join(f"{i['name']} ({i['state']})" for i in inv) or "— (offline: paid later)",
            ", ".join(i["payment_state"] for i in inv) or "—",
        )
    return table
