"""Magento's side of stock: MSI source items, or the legacy stock item where MSI is off.

A store without the MSI modules has no `/V1/inventory/*` routes: Magento answers 404
"Request does not match any route.", which is how Bridge tells. `sources()` asks once
per run and every other call follows the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bridge.clients.errors import NotFoundError
from bridge.clients.magento import MagentoClient
from bridge.clients.magento_search import SearchCriteria
from bridge.mappers import stock as sm

#: SKUs per search filter: keeps the GET URL well under proxies' 8 KB.
SKU_CHUNK = 200
#: Source items per `POST /V1/inventory/source-items`.
SAVE_BATCH = 500
NO_ROUTE = "Request does not match any route"


def is_no_route(exc: NotFoundError) -> bool:
    return NO_ROUTE in exc.message


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass
class MagentoStock:
    magento: MagentoClient
    #: Source codes Magento has (None: not asked yet); empty with `msi` False.
    source_codes: set[str] | None = None
    msi: bool = True
    #: SKU -> legacy stock item id, learnt from `legacy_quantity`.
    item_ids: dict[str, int] = field(default_factory=dict)

    def sources(self) -> set[str]:
        """Magento's source codes; an empty set, and `msi` False, on a store without MSI."""
        if self.source_codes is None:
            try:
                found = self.magento.iter_records("inventory/sources", SearchCriteria())
                self.source_codes = {str(s.get("source_code")) for s in found}
            except NotFoundError as exc:
                if not is_no_route(exc):
                    raise
                self.msi, self.source_codes = False, set()
        return self.source_codes

    def existing_skus(self, skus: Iterable[str]) -> set[str]:
        """Which of these SKUs are Magento products (MSI takes source items for any SKU)."""
        found: set[str] = set()
        for chunk in chunks(sorted(set(skus)), SKU_CHUNK):
            criteria = SearchCriteria().where("sku", chunk, "in")
            for page in self.magento.search(
                "products", criteria, fields="items[sku]", page_size=SKU_CHUNK
            ):
                found |= {str(p.get("sku")) for p in page}
        return found

    def save(self, items: list[sm.SourceItem]) -> None:
        """One request for up to SAVE_BATCH items (`SourceItemsSave`: all or nothing)."""
        self.magento.post("inventory/source-items", {"sourceItems": items})

    def source_items(self, skus: Iterable[str]) -> Iterator[dict[str, Any]]:
        """Magento's source items of these SKUs, every source."""
        for chunk in chunks(sorted(set(skus)), SKU_CHUNK):
            criteria = SearchCriteria().where("sku", chunk, "in")
            yield from self.magento.iter_records("inventory/source-items", criteria)

    def legacy_quantity(self, sku: str) -> float | None:
        """The legacy stock item's quantity; None when Magento has no such product."""
        try:
            item = self.magento.get(f"stockItems/{quote(sku, safe='')}")
        except NotFoundError:
            return None
        self.item_ids[sku] = int(item["item_id"])
        return float(item.get("qty") or 0)

    def save_legacy(self, sku: str, quantity: float) -> None:
        """`PUT /V1/products/{sku}/stockItems/{itemId}`; the item id is read first if unknown."""
        if sku not in self.item_ids and self.legacy_quantity(sku) is None:
            raise NotFoundError(
                f"Magento has no product with SKU {sku!r}: create it in Magento (or let the "
                "product sync do it) before its stock can be sent"
            )
        path = f"products/{quote(sku, safe='')}/stockItems/{self.item_ids[sku]}"
        self.magento.put(path, sm.legacy_stock_item(quantity))
