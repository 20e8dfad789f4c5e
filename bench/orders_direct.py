"""The floor under `bench/orders.py`: the same Odoo methods called directly by a script.

    python bench/orders_direct.py [--orders 300] [--page 100] [--parallel-pages 2]
                                  [--cost-scale 1] [--odoo-workers 4] [--odoo-latency-ms 25]
    python bench/orders_direct.py --odoo-url URL --odoo-db DB --odoo-login L --odoo-key K ...

Per page of `--page` orders, what Bridge's order page does in Odoo, minus everything
Bridge adds (Magento, the state database, the broker, look-ups, checks): one
`res.partner.create` of the page's customers, one `sale.order.create` of its orders
(two product lines and a delivery line at 8.25 %), one `action_confirm`, and for the
card-paid half: the invoicing wizard, one `action_post`, one payment wizard of the page's
invoices. `--parallel-pages` pages at once, from threads. Against the Odoo sandbox
with its cost model (default) or a real Odoo (`--odoo-url`...). Issue 15's acceptance
compares Bridge's orders/s with this script's on the same Odoo: within 1.5x.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--page", type=int, default=100)
    parser.add_argument("--parallel-pages", type=int, default=2)
    parser.add_argument("--cost-scale", type=float, default=1.0)
    parser.add_argument("--odoo-workers", type=int, default=4)
    parser.add_argument("--odoo-latency-ms", type=float, default=25.0)
    parser.add_argument("--odoo-url")
    parser.add_argument("--odoo-db")
    parser.add_argument("--odoo-login", default="admin")
    parser.add_argument("--odoo-key", help="password or API key of --odoo-login")
    return parser.parse_args()


def command_line(args: argparse.Namespace) -> str:
    cmd = (f"python bench/orders_direct.py --orders {args.orders} --page {args.page} "
           f"--parallel-pages {args.parallel_pages}")  # fmt: skip
    if args.odoo_url:
        return cmd + f" --odoo-url {args.odoo_url} --odoo-db {args.odoo_db} ..."
    return cmd + (f" --cost-scale {args.cost_scale:g} --odoo-workers {args.odoo_workers} "
                  f"--odoo-latency-ms {args.odoo_latency_ms:g}")  # fmt: skip


class Shop:
    """What the orders point to, made once (not timed)."""

    def __init__(self, odoo: Any) -> None:
        tag = uuid.uuid4().hex[:6]
        found = odoo.search_read("account.tax", [("type_tax_use", "=", "sale"),
                                 ("amount_type", "=", "percent"), ("amount", "=", 8.25)],
                                 ["id"], limit=1)  # fmt: skip
        self.tax = found[0]["id"] if found else odoo.create("account.tax", [{
            "name": f"8.25% {tag}", "amount": 8.25, "amount_type": "percent",
            "type_tax_use": "sale"}])[0]  # fmt: skip
        self.products = odoo.create("product.product", [
            {"name": f"Direct {tag} {i}", "default_code": f"DIRECT-{tag}-{i}", "type": "consu",
             "list_price": 10.0} for i in range(3)])  # fmt: skip
        self.journal = odoo.search("account.journal", [("type", "=", "bank")], limit=1)[0]
        self.tag = tag

    def order(self, partner: int, ref: str) -> dict[str, Any]:
        taxes = [(6, 0, [self.tax])]
        lines = [(0, 0, {"product_id": self.products[0], "product_uom_qty": 1,
                         "price_unit": 45.0, "tax_id": taxes}),
                 (0, 0, {"product_id": self.products[1], "product_uom_qty": 2,
                         "price_unit": 39.0, "tax_id": taxes}),
                 (0, 0, {"product_id": self.products[2], "product_uom_qty": 1,
                         "price_unit": 5.0, "tax_id": taxes})]  # fmt: skip
        return {"partner_id": partner, "client_order_ref": ref, "order_line": lines}


def import_page(odoo: Any, shop: Shop, page: int, size: int) -> dict[str, float]:
    spent: dict[str, float] = {}

    def timed(name: str, fn: Any, *a: Any, **kw: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

    refs = [f"D{shop.tag}-{page:03d}-{i:03d}" for i in range(size)]
    partners = timed(
        "res.partner.create",
        odoo.create,
        "res.partner",
        [{"name": f"Customer {r}", "email": f"{r}@example.com"} for r in refs],
    )
    orders = timed(
        "sale.order.create",
        odoo.create,
        "sale.order",
        [shop.order(p, r) for p, r in zip(partners, refs, strict=True)],
    )
    timed("sale.order.action_confirm", odoo.call, "sale.order", "action_confirm", orders)
    paid = orders[::2]
    wizard = timed(
        "create_invoices",
        odoo.create,
        "sale.advance.payment.inv",
        [{"advance_payment_method": "delivered", "consolidated_billing": False}],
        context={"active_model": "sale.order", "active_ids": paid, "active_id": paid[0]},
    )
    timed("create_invoices", odoo.call, "sale.advance.payment.inv", "create_invoices", wizard)
    invoices = [i for r in odoo.read("sale.order", paid, ["invoice_ids"]) for i in r["invoice_ids"]]
    timed("account.move.action_post", odoo.call, "account.move", "action_post", invoices)
    wizard = timed(
        "action_create_payments",
        odoo.create,
        "account.payment.register",
        [{"journal_id": shop.journal, "group_payment": False}],
        context={
            "active_model": "account.move",
            "active_ids": invoices,
            "dont_redirect_to_payments": True,
        },
    )
    timed("action_create_payments", odoo.call, "account.payment.register",
          "action_create_payments", wizard)  # fmt: skip
    return spent


def _page_sizes(args: argparse.Namespace) -> list[int]:
    return [min(args.page, args.orders - start) for start in range(0, args.orders, args.page)]


def run(args: argparse.Namespace, url: str, db: str, login: str, key: str) -> None:
    from bridge.clients.odoo import OdooClient

    local = threading.local()

    def client() -> OdooClient:
        if not hasattr(local, "odoo"):
            local.odoo = OdooClient(url, db, login, key, timeout=600, business_timeout=600)
        return local.odoo

    shop = Shop(client())
    pages = list(enumerate(_page_sizes(args)))
    started = time.perf_counter()
    with ThreadPoolExecutor(max(1, args.parallel_pages)) as pool:
        results = list(pool.map(lambda pg: import_page(client(), shop, *pg), pages))
    wall = time.perf_counter() - started
    totals: dict[str, float] = {}
    for spent in results:
        for k, v in spent.items():
            totals[k] = totals.get(k, 0.0) + v
    print(f"\ncommand: {command_line(args)}")
    print(f"  orders      {args.orders} in {len(pages)} pages, {args.parallel_pages} at once")
    print(f"  wall time   {wall:.1f} s")
    print(f"  orders/s    {args.orders / wall:.2f}")
    print("  per page, s " + ", ".join(f"{k} {v / len(pages):.1f}" for k, v in totals.items()))


def main() -> int:
    args = parse_args()
    if args.odoo_url:
        run(args, args.odoo_url, args.odoo_db, args.odoo_login, args.odoo_key or "")
        return 0
    import requests

    from sandbox.odoo import OdooSandbox

    with OdooSandbox(cost_scale=0, workers=args.odoo_workers) as odoo:
        requests.post(f"{odoo.url}/__sandbox__/faults", json={"latency_ms": args.odoo_latency_ms},
                      timeout=10).raise_for_status()  # fmt: skip
        odoo.cost.configure(scale=args.cost_scale)
        run(args, odoo.url, "bridge", "admin", "admin")
        print(f"  Odoo server time {odoo.cost.stats()['server_seconds']:.0f} s")
        orders, payments = odoo.records("sale.order"), odoo.records("account.payment")
        expected = sum((size + 1) // 2 for size in _page_sizes(args))
        if len(orders) != args.orders or len(payments) != expected:
            print(f"FAILED: {len(orders)} orders and {len(payments)} payments, expected "
                  f"{args.orders} and {expected}")  # fmt: skip
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
