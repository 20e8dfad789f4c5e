"""The Magento sandbox's search engine on a large catalog: time per search, in process.

    python bench/sandbox_search.py [--products 20000] [--repeat 20]

Every benchmark that exports or reads products searches the sandbox (a `sku in (...)` chunk
per page, say), so the engine's cost is part of their figures. The seed's products are
copied to N records with their own ids and SKUs; each case parses its `searchCriteria` and
runs it through `sandbox.magento.search.run` with the products' fields, as a request does,
without HTTP (`bench/roundtrip.py` measures that floor).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandbox.magento import ADMIN_PASSWORD, ADMIN_USERNAME, MagentoStore  # noqa: E402
from sandbox.magento.fields import for_kind  # noqa: E402
from sandbox.magento.search import parse_criteria, run  # noqa: E402
from sandbox.magento.seed import seed  # noqa: E402


def _filter(field: str, value: str, condition: str) -> dict[str, str]:
    prefix = "searchCriteria[filter_groups][0][filters][0]"
    return {f"{prefix}[field]": field, f"{prefix}[value]": value,
            f"{prefix}[condition_type]": condition}  # fmt: skip


def cases(products: int) -> dict[str, dict[str, str]]:
    wanted = min(299, products)
    skus = ",".join(f"SKU-{i * (products // wanted):06d}" for i in range(wanted))
    return {
        "sku in (299 SKUs), page of 300": _filter("sku", skus, "in")
        | {"searchCriteria[pageSize]": "300"},
        "entity_id gt, sort entity_id ASC, page of 300": _filter("entity_id", "0", "gt")
        | {
            "searchCriteria[sortOrders][0][field]": "entity_id",
            "searchCriteria[sortOrders][0][direction]": "ASC",
            "searchCriteria[pageSize]": "300",
        },
        "category_id eq 15, page of 300": _filter("category_id", "15", "eq")
        | {"searchCriteria[pageSize]": "300"},
        "name like %Hoodie%, page of 300": _filter("name", "%Hoodie%", "like")
        | {"searchCriteria[pageSize]": "300"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    store = MagentoStore(ADMIN_USERNAME, ADMIN_PASSWORD)
    seed(store, "luma")
    base = store.snapshot("products")
    records = [
        {**base[i % len(base)], "id": 100000 + i, "sku": f"SKU-{i:06d}"}
        for i in range(args.products)
    ]
    print(f"{args.products} products, {args.repeat} runs per case")
    print("| case | matches | median ms | min ms |")
    print("|---|---|---|---|")
    for name, params in cases(args.products).items():
        times, total = [], 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            _, total = run(records, parse_criteria(params), for_kind("products", store))
            times.append((time.perf_counter() - start) * 1000)
        print(f"| {name} | {total} | {statistics.median(times):.1f} | {min(times):.1f} |")


if __name__ == "__main__":
    main()
