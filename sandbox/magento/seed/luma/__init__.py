"""The Magento sandbox's own seed: a small Luma-like store, authored in this project.

It holds what the demo and the tests need and nothing recorded from elsewhere: the store
structure and configuration (`store`), the catalog (`catalog`), customers (`customers`)
and orders whose money follows Magento's rules (`orders`, `totals`). Each module's
docstring lists the stories it tells.
"""

from __future__ import annotations

from typing import Any

from sandbox.magento.seed.luma import catalog, customers, orders, store


def records() -> dict[str, list[dict[str, Any]]]:
    """Every seeded record by sandbox kind, freshly built (callers may change them)."""
    products = catalog.products()
    people = customers.customers()
    return {
        "websites": store.WEBSITES,
        "store_groups": store.STORE_GROUPS,
        "store_views": store.STORE_VIEWS,
        "store_configs": store.STORE_CONFIGS,
        "customer_groups": store.CUSTOMER_GROUPS,
        "attribute_sets": store.ATTRIBUTE_SETS,
        "payment_methods": store.PAYMENT_METHODS,
        "product_attributes": store.product_attributes(),
        "sources": store.SOURCES,
        "categories": catalog.categories(),
        "products": products,
        "customers": people,
        "orders": orders.orders(products, people),
    }


def order(increment_id: str) -> dict[str, Any]:
    """One seeded order by increment id, as `GET /V1/orders/{id}` answers it before any
    sandbox operation (the card orders are still uninvoiced here)."""
    return next(o for o in records()["orders"] if o["increment_id"] == increment_id)


def customer(customer_id: int) -> dict[str, Any]:
    return next(c for c in customers.customers() if c["id"] == customer_id)


def product(sku: str) -> dict[str, Any]:
    return next(p for p in catalog.products() if p["sku"] == sku)
