"""What a fresh Magento sandbox holds, by seed name.

- `luma` (the default): the project's own small Luma-like store, authored here
  (`sandbox.magento.seed.luma`); the demo and every test but the outside-evidence group
  run on it.
- `recordings`: real Magento 2.3 answers recorded elsewhere (`recordings`), an optional
  second seed found through BRIDGE_MAGENTO_FIXTURES; absent from a bare clone.

Both end the same way: each product's stock item is served by `stockItems` and mirrored
into MSI's default source, and (luma) the card orders are invoiced the way checkout
invoices them, by the sandbox's own invoice service.
"""

from __future__ import annotations

from typing import Any

from sandbox.magento.sales import Sales
from sandbox.magento.seed import luma, recordings
from sandbox.magento.store import MagentoStore

SEEDS = ("luma", "recordings")
DEFAULT = "luma"


def seed(store: MagentoStore, name: str = DEFAULT) -> None:
    if name == "luma":
        for kind, records in luma.records().items():
            store.load(kind, records)
        store.load("stock_items", _stock_items(store.list("products")))
        for order in store.list("orders"):
            if order["increment_id"] in luma.orders.PAID_AT_CHECKOUT:
                _invoice_at_checkout(store, order)
    elif name == "recordings":
        recordings.seed(store)
    else:
        raise ValueError(f"unknown Magento sandbox seed {name!r}; choose one of {SEEDS}")
    _mirror_default_source(store)


def _invoice_at_checkout(store: MagentoStore, order: dict[str, Any]) -> None:
    """Invoice (capture) a card order as checkout does, dated when it was placed, not now."""
    invoice_id = Sales(store).invoice(order["entity_id"], {"capture": True})
    placed = order["created_at"]
    store.update("invoices", invoice_id, {"created_at": placed, "updated_at": placed})
    invoiced = store.get("orders", order["entity_id"]) or {}
    for item in invoiced.get("items") or []:
        item["updated_at"] = placed
    store.put("orders", {**invoiced, "updated_at": placed})


def _stock_items(products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        p["extension_attributes"]["stock_item"]
        for p in products
        if (p.get("extension_attributes") or {}).get("stock_item")
    ]


def _mirror_default_source(store: MagentoStore) -> None:
    """MSI keeps a source item per SKU of the default source, equal to the legacy stock."""
    for product in store.list("products"):
        item = store.get("stock_items", product.get("id") or 0) or (
            (product.get("extension_attributes") or {}).get("stock_item") or {}
        )
        if product.get("type_id") in ("simple", "virtual") and item:
            store.put(
                "source_items",
                {
                    "key": f"{product['sku']}\x00default",
                    "sku": product["sku"],
                    "source_code": "default",
                    "quantity": float(item.get("qty") or 0),
                    "status": 1 if item.get("is_in_stock") else 0,
                },
            )
