"""Round trips through the clients to the sandboxes: the floor under every sync benchmark.

    python bench/roundtrip.py [--calls 400] [--threads 1,8] [--latency-ms 0]

Prints, per client and thread count, calls per second and the median and 95th
percentile latency. With --latency-ms the sandboxes add that much to every call,
as a remote Magento or Odoo would.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests

from bridge.clients.magento import MagentoAuth, MagentoClient
from bridge.clients.odoo import OdooClient
from sandbox.magento import INTEGRATION_TOKEN, MagentoSandbox
from sandbox.odoo import OdooSandbox


def measure(call: Callable[[], object], calls: int, threads: int) -> tuple[float, float, float]:
    def timed(_: int) -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        latencies = sorted(pool.map(timed, range(calls)))
    wall = time.perf_counter() - start
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    return calls / wall, statistics.median(latencies) * 1000, p95 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--threads", default="1,8")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()

    with MagentoSandbox() as magento, OdooSandbox() as odoo:
        for sandbox in (magento, odoo):
            requests.post(
                f"{sandbox.url}/__sandbox__/faults", json={"latency_ms": args.latency_ms}, timeout=5
            ).raise_for_status()
        mclient = MagentoClient(magento.url, MagentoAuth("token", token=INTEGRATION_TOKEN))
        oclients = {
            p: OdooClient(odoo.url, "bridge", "admin", "admin", protocol=p)
            for p in ("jsonrpc", "xmlrpc")
        }
        cases: dict[str, Callable[[], object]] = {
            "magento GET store/websites": mclient.store_websites,
            **{
                f"odoo {p} search_read res.partner": (
                    lambda c=c: c.search_read("res.partner", [], ["name"], limit=20)
                )
                for p, c in oclients.items()
            },
        }
        print(f"{'case':<40} {'threads':>7} {'calls/s':>9} {'p50 ms':>8} {'p95 ms':>8}")
        for name, call in cases.items():
            call()  # warm up: tokens, version probe, pooled connection
            for threads in (int(t) for t in args.threads.split(",")):
                rate, p50, p95 = measure(call, args.calls, threads)
                print(f"{name:<40} {threads:>7} {rate:>9.0f} {p50:>8.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
