"""Stock between Odoo warehouses and Magento sources: which feeds which, and the numbers.

Magento shows a sellable quantity; Odoo holds on hand and reserved per warehouse. So:

- Odoo -> Magento sends the *free* quantity (on hand minus reserved: what orders not
  yet shipped hold is not for sale again), never below zero, to the source the
  warehouse is mapped to; warehouses mapped to the same source add up.
- Magento -> Odoo counts on hand = the Magento quantity + what Odoo holds reserved
  at that warehouse, so that Odoo's free quantity comes out as Magento's number and
  the reservations of open deliveries survive the count.

The mapping is `Connection.stock_sources` (Odoo warehouse code -> Magento source code);
empty, the first warehouse (lowest id) feeds Magento's `default` source, which is also
the only one a store without MSI has (its legacy stock item).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from bridge.mappers.errors import MappingError

DEFAULT_SOURCE = "default"
#: Quantities are compared at this many decimals (Odoo rounds stock to its UoM precision).
PRECISION = 4


class SourceItem(TypedDict):
    """One `sourceItems` entry of `POST /V1/inventory/source-items`."""

    sku: str
    source_code: str
    quantity: float
    status: int


class MagentoQuantity(TypedDict):
    """A quantity as Magento has it, MSI or legacy: the input of Magento -> Odoo."""

    sku: str
    source_code: str
    quantity: float


@dataclass(frozen=True)
class Warehouse:
    id: int
    code: str
    lot_stock_id: int


@dataclass(frozen=True)
class OdooQuantity:
    """One product at one warehouse, as Odoo computes it with context `warehouse_id`."""

    qty_available: float
    free_qty: float

    @property
    def reserved(self) -> float:
        return max(0.0, self.qty_available - self.free_qty)


def rounded(quantity: float) -> float:
    return round(float(quantity), PRECISION) + 0.0  # + 0.0: no "-0.0" in payloads


def same(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and rounded(a) == rounded(b)


def source_map(
    stock_sources: Mapping[str, str] | None, warehouses: Iterable[Warehouse]
) -> dict[str, str]:
    """Warehouse code -> source code: the connection's mapping, or first warehouse -> default."""
    if stock_sources:
        return {str(code): str(source) for code, source in stock_sources.items()}
    first = min(warehouses, key=lambda w: w.id, default=None)
    return {first.code: DEFAULT_SOURCE} if first else {}


def pushed_sources(mapping: Mapping[str, str], msi: bool) -> dict[str, str]:
    """The part of the mapping that reaches Magento: all of it with MSI, `default` without."""
    if msi:
        return dict(mapping)
    return {code: source for code, source in mapping.items() if source == DEFAULT_SOURCE}


def warehouse_of_source(
    mapping: Mapping[str, str], warehouses: Iterable[Warehouse], source_code: str
) -> Warehouse:
    """The one Odoo warehouse a Magento source's quantity is counted into."""
    by_code = {w.code: w for w in warehouses}
    codes = sorted(code for code, source in mapping.items() if source == source_code)
    if not codes:
        raise MappingError(
            f"Magento source {source_code!r} is not mapped to an Odoo warehouse; map it in the "
            "connection's stock_sources (bridge connection set) or ignore its events"
        )
    if len(codes) > 1:
        raise MappingError(
            f"Magento source {source_code!r} is fed by several Odoo warehouses "
            f"({', '.join(codes)}), so Bridge cannot tell which one to count it into"
        )
    if codes[0] not in by_code:
        raise MappingError(
            f"Odoo has no warehouse with short name {codes[0]!r} (mapped to Magento source "
            f"{source_code!r}); fix the connection's stock_sources"
        )
    return by_code[codes[0]]


def free_quantity(quantity: OdooQuantity) -> float:
    """What Magento may sell from one warehouse: free quantity, never negative."""
    return rounded(max(0.0, quantity.free_qty))


def source_quantities(
    mapping: Mapping[str, str],
    quantities: Mapping[str, Mapping[int, OdooQuantity]],
    skus: Mapping[int, str],
) -> dict[tuple[str, str], float]:
    """(sku, source) -> quantity, from per-warehouse-code Odoo quantities of products by id."""
    out: dict[tuple[str, str], float] = {}
    for code, source in mapping.items():
        for product_id, quantity in (quantities.get(code) or {}).items():
            sku = skus.get(product_id)
            if sku is not None:
                key = (sku, source)
                out[key] = rounded(out.get(key, 0.0) + free_quantity(quantity))
    return out


def source_item(sku: str, source_code: str, quantity: float) -> SourceItem:
    """In stock (status 1) exactly when there is something to sell."""
    qty = rounded(quantity)
    return {"sku": sku, "source_code": source_code, "quantity": qty, "status": 1 if qty > 0 else 0}


def legacy_stock_item(quantity: float) -> dict[str, Any]:
    """The body of `PUT /V1/products/{sku}/stockItems/{itemId}` (a store without MSI)."""
    qty = rounded(quantity)
    return {"stockItem": {"qty": qty, "is_in_stock": qty > 0}}


def magento_quantity(raw: Any, default_source: str = DEFAULT_SOURCE) -> MagentoQuantity:
    """A source item (or a legacy stock item named by SKU) from Magento, checked."""
    if not isinstance(raw, Mapping):
        raise MappingError(f"a stock item must be an object, got {type(raw).__name__}")
    sku = str(raw.get("sku") or "").strip()
    if not sku:
        raise MappingError("the stock item has no sku")
    source = str(raw.get("source_code") or default_source).strip()
    value = raw.get("quantity", raw.get("qty"))
    try:
        quantity = float(value)
    except (TypeError, ValueError):
        raise MappingError(
            f"the quantity of {sku} at {source} is not a number: {value!r}"
        ) from None
    if quantity != quantity or quantity in (float("inf"), float("-inf")):
        raise MappingError(f"the quantity of {sku} at {source} is not a number: {value!r}")
    return {"sku": sku, "source_code": source, "quantity": rounded(quantity)}


def count_target(magento_quantity: float, odoo: OdooQuantity) -> float:
    """On hand to count in Odoo so that its free quantity becomes Magento's: never negative."""
    return rounded(max(0.0, magento_quantity) + odoo.reserved)


def count_values(product_id: int, location_id: int, target: float, auto_apply: bool) -> dict:
    """One `stock.quant.create` entry in `inventory_mode`: applied at once or left to validate."""
    field = "inventory_quantity_auto_apply" if auto_apply else "inventory_quantity"
    return {"product_id": product_id, "location_id": location_id, field: rounded(target)}
