"""The demo's order round: customers and orders, Magento -> Odoo, through the pipeline.

Before it, the demo does in Odoo what a merchant does once (and the catalog sync
would do): a sale tax at Magento's rate, the products the orders sell, and a
pricelist in euros for the French store view's orders. The Magento sandbox's own
seed holds offline (check, bank transfer) and card-paid (online, invoiced at
checkout) orders, a guest, discounts, an edited order and one in euros.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.table import Table

from bridge.cli.common import console
from bridge.clients.magento import MagentoClient
from bridge.clients.magento_search import SearchCriteria
from bridge.clients.odoo import OdooClient
from bridge.mappers import order as om
from tasks.dispatch import pull_job

ONLINE_DEMO_ORDER = "000000021"
ONLINE_CANCEL_ORDER = "000000022"


@dataclass(frozen=True)
class MerchantSetup:
    """What `merchant_setup` did in Odoo."""

    orders: int
    products_created: int
    currencies: tuple[str, ...]


def merchant_setup(
    magento: MagentoClient, odoo: OdooClient, pricelists: bool = True
) -> MerchantSetup:
    """What a merchant does once in Odoo before orders can arrive: a sale tax at each rate
    the orders use (8.25 % for the Michigan orders; included in the price where the store's
    prices include tax), a product per SKU sold, and, with `pricelists`, an active pricelist
    in each other currency the orders use. What Odoo has already is kept."""
    orders = list(magento.iter_records("orders", SearchCriteria(), fields=om.ORDER_FIELDS))
    mapped = [om.order(o) for o in orders]
    # A rate is included in the price when any order of it shows its store prices so.
    rates: dict[float, bool] = {}
    for o in mapped:
        for r in om.tax_rates(o):
            rates[r] = rates.get(r, False) or bool(o.prices_include_tax)
    for rate, included in sorted(rates.items()):
        name = f"{rate:g}%" + (" incl." if included else "")
        if not odoo.search("account.tax", [("name", "=", name), ("type_tax_use", "=", "sale")]):
            odoo.create("account.tax", [{
                "name": name, "amount": rate, "amount_type": "percent", "type_tax_use": "sale",
                "price_include_override": "tax_included" if included else "tax_excluded",
            }])  # fmt: skip
    skus = sorted({line.sku for o in mapped for line in o.lines})
    known = {
        p["default_code"]
        for p in odoo.search_read("product.product", [("default_code", "in", skus)],
                                  ["default_code"])
    }  # fmt: skip
    missing = [s for s in skus if s not in known]
    if missing:
        odoo.create("product.product", [{"name": s, "default_code": s, "type": "consu"}
                                        for s in missing])  # fmt: skip
    currencies = tuple(sorted({o["order_currency_code"] for o in orders} - {"USD"}))
    for code in currencies if pricelists else ():
        ids = odoo.search("res.currency", [("name", "=", code)], context={"active_test": False})
        odoo.write("res.currency", ids, {"active": True})
        if not odoo.search("product.pricelist", [("currency_id", "=", ids[0])]):
            odoo.create("product.pricelist", [{"name": f"Magento {code}", "currency_id": ids[0]}])
    return MerchantSetup(len(orders), len(missing), currencies if pricelists else ())


def prepare(magento: MagentoClient, odoo: OdooClient) -> None:
    done = merchant_setup(magento, odoo)
    console.print(
        f"Merchant setup in Odoo: sale tax 8.25 %, {done.products_created} products, a pricelist "
        f"in {', '.join(done.currencies) or 'no other currency'}; Magento holds {done.orders} "
        f"orders (card-paid: {ONLINE_DEMO_ORDER}, {ONLINE_CANCEL_ORDER})"
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
        if totals.get("failed"):
            for page in pages:
                for key, reason in ((page.result or {}).get("reasons") or {}).items():
                    console.print(f"  [red]✗[/red] {key}: {reason}")
            return False
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
