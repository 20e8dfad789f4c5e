"""Odoo fulfillment -> Magento request bodies: shipments, invoices and credit memos.

Magento addresses order lines by `order_item_id`; Odoo knows products. A line is
matched by SKU: a simple item by its own SKU, a configurable by its child's SKU but
through the PARENT item, which is the one Magento ships, invoices and refunds (the
child item carries no price and follows its parent). When a SKU appears on several
items, quantities fill them in order, never beyond what each can still take.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bridge.mappers.errors import MappingError


@dataclass(frozen=True)
class ItemRoom:
    """One Magento order item Bridge can act on, and how much of it is left to act on."""

    item_id: int
    sku: str
    left: float


def _num(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def actionable_items(order: Mapping[str, Any], done_field: str | None) -> list[ItemRoom]:
    """The items to address, with ordered minus `done_field` (qty_shipped, qty_invoiced, ...)
    and minus what was canceled; `done_field` None gives the whole ordered quantity.

    Children of configurables are folded into their parent (under the child's SKU);
    children of bundles are addressed themselves.
    """
    items = order.get("items") or []
    by_id = {int(i["item_id"]): i for i in items if i.get("item_id") is not None}
    rooms: list[ItemRoom] = []
    for item in items:
        parent_id = item.get("parent_item_id")
        parent = by_id.get(int(parent_id)) if parent_id else None
        if item.get("product_type") == "configurable":
            continue  # addressed through its child's SKU, below
        if parent is not None and parent.get("product_type") == "configurable":
            target = parent
        elif item.get("product_type") == "bundle":
            continue
        else:
            target = item
        done = _num(target.get(done_field)) if done_field else 0.0
        left = _num(target.get("qty_ordered")) - done - _num(target.get("qty_canceled"))
        rooms.append(ItemRoom(int(target["item_id"]), str(item.get("sku")), max(left, 0.0)))
    return rooms


def allocate(
    rooms: Iterable[ItemRoom], wanted: Mapping[str, float], what: str
) -> list[dict[str, Any]]:
    """`[{"order_item_id", "qty"}]` for the wanted quantities per SKU, or a MappingError."""
    out: dict[int, float] = {}
    by_sku: dict[str, list[ItemRoom]] = {}
    for room in rooms:
        by_sku.setdefault(room.sku, []).append(room)
    for sku, qty in wanted.items():
        if qty <= 0:
            continue
        candidates = by_sku.get(sku)
        if not candidates:
            raise MappingError(f"SKU {sku} of this {what} is not on the Magento order")
        for room in candidates:
            take = min(qty, room.left - out.get(room.item_id, 0.0))
            if take > 0:
                out[room.item_id] = out.get(room.item_id, 0.0) + take
                qty -= take
        if qty > 1e-9:
            raise MappingError(
                f"{what} has {wanted[sku]:g} of SKU {sku}, more than Magento has left to act on"
            )
    return [{"order_item_id": item_id, "qty": qty} for item_id, qty in out.items()]


def ship_body(
    items: list[dict[str, Any]], tracking_refs: str | None, carrier_code: str, title: str
) -> dict[str, Any]:
    """Body of `POST /V1/order/{id}/ship`; Odoo may hold several tracking refs, comma-separated."""
    tracks = [
        {"track_number": ref.strip(), "title": title, "carrier_code": carrier_code}
        for ref in (tracking_refs or "").split(",")
        if ref.strip()
    ]
    body: dict[str, Any] = {"items": items, "notify": False}
    if tracks:
        body["tracks"] = tracks
    return body


def invoice_body(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Body of `POST /V1/order/{id}/invoice`: paid in Odoo, so captured offline."""
    return {"capture": False, "items": items, "notify": False}


def refund_body(
    items: list[dict[str, Any]],
    *,
    shipping_amount: float,
    adjustment: float,
    online: bool,
) -> dict[str, Any]:
    """Body of a credit memo call; `adjustment` > 0 refunds more, < 0 keeps a fee."""
    arguments: dict[str, Any] = {"shipping_amount": round(shipping_amount, 2)}
    if adjustment > 0:
        arguments["adjustment_positive"] = round(adjustment, 2)
    elif adjustment < 0:
        arguments["adjustment_negative"] = round(-adjustment, 2)
    body: dict[str, Any] = {"items": items, "notify": False, "arguments": arguments}
    if online:
        body["isOnline"] = True
    return body


def refund_difference(note: str, odoo_total: float, memo_id: int, magento_total: float) -> str:
    """What a credit memo that differs from its Odoo credit note says, with both amounts."""
    difference = round(odoo_total - magento_total, 2)
    more = "less" if difference > 0 else "more"
    return (
        f"Magento refunded {magento_total:.2f} (credit memo {memo_id}), the Odoo credit note "
        f"{note} is {odoo_total:.2f}: the customer got {abs(difference):.2f} {more} than "
        "the credit note says (Magento takes the order's discount off refunded items and "
        "computes its own tax); adjust the credit note, or refund the rest, so both agree"
    )


def addressed_lines(
    lines: Iterable[Mapping[str, Any]], order: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """A Magento document's lines on the items Bridge addresses (`actionable_items`).

    Magento writes an invoice or credit memo line for a configurable's child beside its
    parent's, with the same quantity; Bridge addresses the parent only, so the child's
    line is left out before comparing.
    """
    items = order.get("items") or []
    configurable = {int(i["item_id"]) for i in items if i.get("product_type") == "configurable"}
    folded = {
        int(i["item_id"])
        for i in items
        if i.get("parent_item_id") and int(i["parent_item_id"]) in configurable
    }
    return [
        {"order_item_id": line.get("order_item_id"), "qty": line.get("qty")}
        for line in lines
        if int(line.get("order_item_id") or 0) not in folded
    ]


def same_items(a: Iterable[Mapping[str, Any]], b: Iterable[Mapping[str, Any]]) -> bool:
    """Whether two item lists move the same quantities (to match an unbound Magento record)."""

    def key(items: Iterable[Mapping[str, Any]]) -> dict[int, float]:
        out: dict[int, float] = {}
        for i in items:
            qty = _num(i.get("qty"))
            if qty:
                item_id = int(i["order_item_id"])
                out[item_id] = round(out.get(item_id, 0.0) + qty, 4)
        return out

    return key(a) == key(b)
