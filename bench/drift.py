"""Drift report on N SKUs: remote calls and time, stock and prices, against both sandboxes.

    python bench/drift.py [--skus 10000] [--planted 50] [--magento-latency-ms 200]
                          [--odoo-latency-ms 25]

Both sandboxes run in this process; the state lives in a throwaway PostgreSQL database
(no broker: the report's use case runs here, as the drift task runs it on a worker).
Setup (not timed): N simple products in Magento (the sandbox's admin route) and in Odoo
(storable, 1,000 per `create`, each with an on-hand count), bound to each other, and the
quantity both sides agreed on recorded; then `--planted` stock quantities changed in
Magento and as many prices changed in Odoo, behind Bridge's back.

Timed: one drift report of stock and prices. Counted by the sandboxes themselves
(`/__sandbox__/stats`, `/__sandbox__/odoo/stats`): Magento requests and Odoo calls;
peak Python memory of the report (tracemalloc). The report must find exactly the
planted differences.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import requests

# The repository this file is in, before any installed copy of Bridge.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orders import create_pg_database, drop_pg_database, register_connection, set_environment

BATCH = 1000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=10000)
    parser.add_argument("--planted", type=int, default=50, help="differences of each kind")
    parser.add_argument("--magento-latency-ms", type=float, default=200.0)
    parser.add_argument("--odoo-latency-ms", type=float, default=25.0)
    return parser.parse_args()


def sku(i: int) -> str:
    return f"DRIFT-{i:06d}"


def quantity(i: int) -> float:
    return float(1 + i % 40)


def price(i: int) -> float:
    return 10 + (i % 90) + 0.5


def prepare(magento: Any, odoo: Any, n: int) -> int:
    """Both sides hold the same N products and quantities; Bridge bound and levelled them."""
    from sqlalchemy import insert

    from bridge import db
    from bridge.models import Binding, Connection, StockLevel, utcnow
    from bridge.sync.connections import odoo_client

    conn_id = register_connection(magento, odoo)
    with db.session_scope() as session:
        oclient = odoo_client(session.get(Connection, conn_id))
    http = requests.Session()
    for i in range(n):
        product = {
            "id": 100000 + i,
            "sku": sku(i),
            "name": sku(i),
            "type_id": "simple",
            "attribute_set_id": 4,
            "price": price(i),
            "status": 1,
            "visibility": 4,
        }
        http.post(
            f"{magento.url}/__sandbox__/records/products", json=product, timeout=10
        ).raise_for_status()
        item = {
            "key": f"{sku(i)}\x00default",
            "sku": sku(i),
            "source_code": "default",
            "quantity": quantity(i),
            "status": 1,
        }
        http.post(f"{magento.url}/__sandbox__/records/source_items", json=item,
                  timeout=10).raise_for_status()  # fmt: skip
    [warehouse] = oclient.search_read("stock.warehouse", [], ["lot_stock_id"], limit=1)
    location = warehouse["lot_stock_id"][0]
    ids: list[int] = []
    for start in range(0, n, BATCH):
        batch = range(start, min(n, start + BATCH))
        ids += oclient.create("product.product", [
            {"name": sku(i), "default_code": sku(i), "type": "consu", "is_storable": True,
             "lst_price": price(i)} for i in batch])  # fmt: skip
        oclient.create("stock.quant", [
            {"product_id": ids[i], "location_id": location,
             "inventory_quantity_auto_apply": quantity(i)} for i in batch],
            context={"inventory_mode": True})  # fmt: skip
    now = utcnow()
    with db.session_scope() as session:
        session.execute(insert(Binding), [
            {"connection_id": conn_id, "entity": "product", "magento_key": sku(i),
             "odoo_model": "product.product", "odoo_id": ids[i], "synced_at": now,
             "created_at": now, "updated_at": now} for i in range(n)])  # fmt: skip
        session.execute(insert(StockLevel), [
            {"connection_id": conn_id, "sku": sku(i), "source_code": "default",
             "quantity": quantity(i), "synced_at": now} for i in range(n)])  # fmt: skip
    return conn_id


def plant(magento: Any, odoo_ids: dict[str, int], odoo: Any, n: int, planted: int) -> None:
    step = max(1, n // planted)
    http = requests.Session()
    for k in range(planted):
        i = k * step
        item = {
            "key": f"{sku(i)}\x00default",
            "sku": sku(i),
            "source_code": "default",
            "quantity": quantity(i) + 5,
            "status": 1,
        }
        http.post(f"{magento.url}/__sandbox__/records/source_items", json=item,
                  timeout=10).raise_for_status()  # fmt: skip
    changed = [odoo_ids[sku(k * step + 1)] for k in range(planted)]
    odoo.write("product.product", changed, {"lst_price": 999.0})


def set_latency(sandboxes: list[tuple[Any, float]]) -> None:
    for sandbox, ms in sandboxes:
        url = f"{sandbox.url}/__sandbox__/faults"
        requests.delete(url, timeout=10).raise_for_status()
        requests.post(url, json={"latency_ms": ms}, timeout=10).raise_for_status()


def stats(magento: Any, odoo: Any) -> tuple[int, int]:
    m = requests.get(f"{magento.url}/__sandbox__/stats", timeout=10).json()["requests"]
    o = requests.get(f"{odoo.url}/__sandbox__/odoo/stats", timeout=10).json()["calls"]
    return int(m), int(o)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from bridge import db
    from bridge.models import Binding, Connection, Direction, DriftItem
    from bridge.sync import drift, logbook
    from bridge.sync.connections import magento_client, odoo_client
    from sandbox.magento import MagentoSandbox
    from sandbox.odoo import OdooSandbox

    db.upgrade()
    with MagentoSandbox(port=0) as magento, OdooSandbox(port=0) as odoo:
        started = time.monotonic()
        conn_id = prepare(magento, odoo, args.skus)
        with db.session_scope() as session:
            conn = session.get(Connection, conn_id)
            oclient = odoo_client(conn)
            odoo_ids = dict(session.execute(select(Binding.magento_key, Binding.odoo_id)).all())
        plant(magento, odoo_ids, oclient, args.skus, args.planted)
        setup_s = time.monotonic() - started
        set_latency([(magento, args.magento_latency_ms), (odoo, args.odoo_latency_ms)])
        before = stats(magento, odoo)
        tracemalloc.start()
        started = time.monotonic()
        with db.session_scope() as session:
            conn = session.get(Connection, conn_id)
            log = logbook.open_log(session, connection_id=conn_id, entity=drift.ENTITY,
                                   direction=Direction.BOTH)  # fmt: skip
            ctx = drift.DriftContext(session, conn, magento_client(conn), odoo_client(conn), log.id)
            result = drift.run_report(ctx, ["stock", "prices"])
        seconds = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        after = stats(magento, odoo)
        with db.session_scope() as session:
            found = dict(session.execute(
                select(DriftItem.kind, func.count()).where(DriftItem.log_id == log.id)
                .group_by(DriftItem.kind)).all())  # fmt: skip
    pages = -(-args.skus // drift.PAGE)
    print(
        f"drift report, {args.skus} SKUs ({pages} pages of {drift.PAGE}), "
        f"Magento {args.magento_latency_ms:g} ms / Odoo {args.odoo_latency_ms:g} ms a call"
    )
    print(f"  setup (not timed)      {setup_s:8.1f} s")
    print(f"  report                 {seconds:8.1f} s")
    print(
        f"  Magento requests       {after[0] - before[0]:8d}   (Bridge counted "
        f"{result['remote_calls']['magento']})"
    )
    print(
        f"  Odoo calls             {after[1] - before[1]:8d}   (Bridge counted "
        f"{result['remote_calls']['odoo']})"
    )
    print(f"  compared               {result['compared']}")
    print(f"  differences            {found}  (planted {args.planted} of each)")
    print(f"  peak Python memory     {peak / 2**20:8.1f} MiB")
    ok = found.get("stock") == args.planted and found.get("price") == args.planted
    print("OK" if ok else "MISMATCH: the report did not find exactly the planted differences")
    return 0 if ok else 1


def main() -> int:
    args = parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bridge-bench-drift-"))
    pg_url = None
    try:
        pg_url = create_pg_database()
        set_environment(data_dir, pg_url)
        import os

        os.environ["BRIDGE_BROKER_URL"] = "memory://"  # no broker: nothing is queued
        return run(args)
    finally:
        if pg_url is not None:
            with contextlib.suppress(Exception):
                from bridge import db

                db.reset_engines()
            drop_pg_database(pg_url)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
