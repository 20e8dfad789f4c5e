"""Magento's sales documents over an order: ship, invoice, cancel, refund, tracks.

Each operation follows the Magento 2.4 service that backs its REST route, with the
real refusal texts (`Magento\\Sales\\Model\\...`):

- ship (`ShipOrder`, `ShipmentFactory::prepareItems`, `Validation\\CanShip`,
  `Shipment\\Validation\\QuantityValidator`): a requested quantity is clamped to what is
  left to ship, an item with nothing left is left out, and an empty shipment is refused.
  No items at all means "everything left". A configurable ships by its PARENT item id:
  the child is a dummy that follows its parent (asked for alone, nothing ships). With MSI
  the shipped quantities leave the `default` source (`SourceDeductionService`).
- invoice (`InvoiceOrder`, `InvoiceService::prepareInvoice`, `Validation\\CanInvoice`,
  `InvoiceQuantityValidator`): more than the uninvoiced quantity is refused, not clamped.
  Offline methods (check/money order, ...) and captured invoices are paid at once.
- cancel (`OrderManagement::cancel`, `Order::canCancel`, `registerCancellation`): false,
  not an error, when the order cannot be canceled (fully invoiced, complete, closed,
  canceled). A shipped but uninvoiced order CAN be canceled, as in Magento.
- refund (`RefundInvoice`/`RefundOrder`, `CreditmemoFactory`, `Validation\\CanRefund`,
  `Creditmemo\\Validation\\QuantityValidator`/`TotalsValidator`,
  `Invoice\\Validation\\CanRefund`, `Item\\Validation\\CreationQuantityValidator`): by
  invoice only for paid invoices of methods that refund (gateways, not check/money order:
  offline orders are refunded with `order/{id}/refund`); quantities on an invoice are
  clamped to what that invoice has left; never more money than paid.
- after each, the order state as `Order\\StateResolver`/`ResourceModel\\Order\\Handler\\State`
  leave it: new -> processing; complete when nothing is left to invoice or ship; closed
  when nothing is left to invoice and everything paid was refunded.

Money: each invoice/credit memo item gets its share of the order's own grand total
(by `row_total_incl_tax`), the last invoice absorbing rounding, so a fully invoiced
order has total_invoiced == grand_total. Bundles shipped separately are not modelled.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from sandbox.magento.catalog import Catalog
from sandbox.magento.store import MagentoStore

OFFLINE_METHODS = frozenset({"checkmo", "banktransfer", "cashondelivery", "purchaseorder", "free"})
DEFAULT_STATUS = {
    "new": "pending",
    "pending_payment": "pending_payment",
    "processing": "processing",
    "complete": "complete",
    "closed": "closed",
    "canceled": "canceled",
    "holded": "holded",
    "payment_review": "payment_review",
}
INVOICE_OPEN, INVOICE_PAID = 1, 2
CREDITMEMO_REFUNDED = 2
ENTITY_MISSING = "The entity that was requested doesn't exist. Verify the entity and try again."
#: Fields copied into a child's `parent_item` and the shipping assignments after each change.
_MUTABLE_ITEM_FIELDS = (
    "qty_shipped",
    "qty_invoiced",
    "qty_refunded",
    "qty_canceled",
    "row_invoiced",
    "base_row_invoiced",
    "tax_invoiced",
    "base_tax_invoiced",
    "discount_invoiced",
    "base_discount_invoiced",
    "amount_refunded",
    "base_amount_refunded",
    "tax_refunded",
    "base_tax_refunded",
    "discount_refunded",
    "base_discount_refunded",
    "updated_at",
)


class SalesError(Exception):
    """A refusal in Magento's error shape (status, message, parameters)."""

    def __init__(self, status: int, message: str, parameters: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameters = parameters


def _refused(prefix: str, messages: list[str]) -> SalesError:
    # DocumentValidationException: one rendered phrase, no placeholders left.
    return SalesError(400, f"{prefix} Document Validation Error(s):\n" + "\n".join(messages))


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())


def _f(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _money(value: float) -> float:
    return round(value + 0.0, 2)


def php_number(value: float) -> str:
    """A float as PHP's string conversion prints it (`precision` 14): 253.74, 0, 100."""
    text = f"{value:.14G}"
    return "0" if text in ("-0", "0") else text


# -- order item quantities (Magento\Sales\Model\Order\Item) ---------------------------------------


def is_dummy(item: dict[str, Any]) -> bool:
    """A configurable's child: shipped, invoiced and refunded through its parent."""
    return item.get("parent_item_id") is not None


def qty_to_ship(item: dict[str, Any]) -> float:
    if is_dummy(item):
        return 0.0
    left = _f(item.get("qty_ordered")) - max(
        _f(item.get("qty_shipped")), _f(item.get("qty_refunded"))
    )
    return max(round(left - _f(item.get("qty_canceled")), 8), 0.0)


def qty_to_invoice(item: dict[str, Any]) -> float:
    if is_dummy(item):
        return 0.0
    left = _f(item.get("qty_ordered")) - _f(item.get("qty_invoiced")) - _f(item.get("qty_canceled"))
    return max(round(left, 8), 0.0)


def qty_to_refund(item: dict[str, Any]) -> float:
    if is_dummy(item):
        return 0.0
    return max(round(_f(item.get("qty_invoiced")) - _f(item.get("qty_refunded")), 8), 0.0)


def qty_to_cancel(item: dict[str, Any]) -> float:
    return max(min(qty_to_invoice(item), qty_to_ship(item)), 0.0)


# -- order abilities (Magento\Sales\Model\Order) --------------------------------------------------


def can_ship(order: dict[str, Any]) -> bool:
    if order.get("state") in ("holded", "payment_review", "canceled") or order.get("is_virtual"):
        return False
    return any(
        qty_to_ship(i) > 0
        and not i.get("is_virtual")
        and _f(i.get("qty_refunded")) != _f(i.get("qty_ordered"))
        for i in order["items"]
    )


def can_invoice(order: dict[str, Any]) -> bool:
    if order.get("state") in ("payment_review", "holded", "canceled", "complete", "closed"):
        return False
    return any(qty_to_invoice(i) > 0 for i in order["items"])


def can_creditmemo(order: dict[str, Any]) -> bool:
    if order.get("state") in ("holded", "payment_review", "canceled", "closed"):
        return False
    return abs(_money(_f(order.get("total_paid"))) - _f(order.get("total_refunded"))) >= 0.0001


def can_cancel(order: dict[str, Any]) -> bool:
    if order.get("state") in ("holded", "payment_review"):
        return False
    if all(qty_to_invoice(i) == 0 for i in order["items"]):
        return False  # everything invoiced: only a credit memo can undo it
    return order.get("state") not in ("canceled", "complete", "closed")


def _set_state(order: dict[str, Any], state: str) -> None:
    order["state"] = state
    order["status"] = DEFAULT_STATUS.get(state, state)


def settle_state(order: dict[str, Any], in_process: bool = False) -> None:
    """`ResourceModel\\Order\\Handler\\State::check`, run on every order save."""
    if order.get("state") == "new" and in_process:
        _set_state(order, "processing")
    state = order.get("state")
    if state == "canceled" or state == "holded" or can_invoice(order):
        return
    if state in ("processing", "complete") and not can_creditmemo(order):
        _set_state(order, "closed")
    elif state == "processing" and not can_ship(order):
        _set_state(order, "complete")


# -- request bodies -------------------------------------------------------------------------------


def _number(value: Any, type_name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SalesError(
            400,
            'The "%value" value\'s type is invalid. The "%type" type was expected. '
            "Verify and try again.",
            {"value": value, "type": type_name},
        ) from None


def requested_qtys(items: Any) -> dict[int, float]:
    """`[{order_item_id, qty}]` (or `orderItemId`, strings included, as Magento's input
    processor accepts them) -> {order item id: qty}."""
    qtys: dict[int, float] = {}
    for entry in items or []:
        if not isinstance(entry, dict):
            continue
        item_id = entry.get("order_item_id", entry.get("orderItemId"))
        for name, value in (("order_item_id", item_id), ("qty", entry.get("qty"))):
            if value is None:
                raise SalesError(
                    400, '"%fieldName" is required. Enter and try again.', {"fieldName": name}
                )
        qtys[int(_number(item_id, "int"))] = _number(entry["qty"], "float")
    return qtys


def _flag(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _comment(body: dict[str, Any], parent_id: int, entity_id: int) -> list[dict[str, Any]]:
    comment = body.get("comment")
    if not isinstance(comment, dict) or not comment.get("comment"):
        return []
    notified = _flag(body.get("appendComment")) and _flag(body.get("notify"))
    return [
        {
            "comment": str(comment["comment"]),
            "created_at": _now(),
            "entity_id": entity_id,
            "is_customer_notified": int(notified),
            "is_visible_on_front": int(_flag(comment.get("is_visible_on_front"))),
            "parent_id": parent_id,
        }
    ]


# -- the service ----------------------------------------------------------------------------------


class Sales:
    """Sales documents on a `MagentoStore`; every operation runs under the store's lock."""

    def __init__(self, store: MagentoStore) -> None:
        self.store = store

    # -- lookups ---------------------------------------------------------------------------------

    def _get(self, kind: str, key: int) -> dict[str, Any]:
        record = self.store.get(kind, key)
        if record is None:
            raise SalesError(404, ENTITY_MISSING)
        return record

    def _next_nested(self, kind: str, field: str) -> int:
        ids = [
            sub.get("entity_id")
            for record in self.store.snapshot(kind)
            for sub in record.get(field) or []
        ]
        return max([i for i in ids if isinstance(i, int)] + [0]) + 1

    def _documents(self, kind: str, order_id: int) -> list[dict[str, Any]]:
        return [r for r in self.store.snapshot(kind) if r.get("order_id") == order_id]

    def _save_order(self, order: dict[str, Any]) -> None:
        now = _now()
        order["updated_at"] = now
        by_id = {i["item_id"]: i for i in order["items"]}
        for item in order["items"]:
            parent = by_id.get(item.get("parent_item_id"))
            if parent is not None and isinstance(item.get("parent_item"), dict):
                item["parent_item"].update(
                    {k: parent[k] for k in _MUTABLE_ITEM_FIELDS if k in parent}
                )
        for assignment in (order.get("extension_attributes") or {}).get(
            "shipping_assignments"
        ) or []:
            for copy_ in assignment.get("items") or []:
                source = by_id.get(copy_.get("item_id"))
                if source is not None:
                    copy_.update({k: source[k] for k in _MUTABLE_ITEM_FIELDS if k in source})
        self.store.put("orders", order)

    # -- shares of the grand total ---------------------------------------------------------------

    @staticmethod
    def _shares(order: dict[str, Any]) -> dict[int, float]:
        """Each non-dummy item's part of the grand total without shipping."""
        items = [i for i in order["items"] if not is_dummy(i)]
        weights = {
            i["item_id"]: _f(i.get("row_total_incl_tax"))
            or _f(i.get("row_total")) + _f(i.get("tax_amount"))
            for i in items
        }
        shipping = _f(order.get("shipping_incl_tax")) - _f(order.get("shipping_discount_amount"))
        goods = max(_f(order.get("grand_total")) - shipping, 0.0)
        total = sum(weights.values())
        return {k: (goods * w / total if total else 0.0) for k, w in weights.items()}

    def _already(self, kind: str, order_id: int, item_id: int) -> float:
        return sum(
            _f(line.get("row_total_incl_tax"))
            for doc in self._documents(kind, order_id)
            for line in doc.get("items") or []
            if line.get("order_item_id") == item_id
        )

    def _line(self, order: dict[str, Any], item: dict[str, Any], qty: float) -> dict[str, Any]:
        """An invoice line for `qty` of `item` (`Invoice\\Item::calcRowTotal`: the last
        invoice of an item takes what is left); credit memos re-price it by what was invoiced."""
        ordered = _f(item.get("qty_ordered")) or 1.0
        share = self._shares(order).get(item["item_id"], 0.0)
        line: dict[str, Any] = {
            "order_item_id": item["item_id"],
            "qty": qty,
            "sku": item.get("sku"),
            "name": item.get("name"),
            "product_id": item.get("product_id"),
            "price": _f(item.get("price")),
            "base_price": _f(item.get("base_price")),
            "price_incl_tax": _f(item.get("price_incl_tax")),
            "base_price_incl_tax": _f(item.get("base_price_incl_tax")),
        }
        if is_dummy(item):
            parts = dict.fromkeys(("row_total", "tax_amount", "discount_amount", "gross"), 0.0)
        else:
            fraction = qty / ordered
            last = _f(item.get("qty_invoiced")) + qty >= ordered - _f(item.get("qty_canceled"))
            if last:
                gross = share - self._already("invoices", order["entity_id"], item["item_id"])
            else:
                gross = share * fraction
            parts = {
                "row_total": _f(item.get("row_total")) * fraction,
                "tax_amount": _f(item.get("tax_amount")) * fraction,
                "discount_amount": _f(item.get("discount_amount")) * fraction,
                "gross": gross,
            }
        for name in ("row_total", "tax_amount", "discount_amount"):
            line[name] = line[f"base_{name}"] = _money(parts[name])
        line["row_total_incl_tax"] = line["base_row_total_incl_tax"] = _money(parts["gross"])
        line["discount_tax_compensation_amount"] = 0.0
        line["base_discount_tax_compensation_amount"] = 0.0
        return line

    @staticmethod
    def _header(order: dict[str, Any]) -> dict[str, Any]:
        shipping_address = None
        for assignment in (order.get("extension_attributes") or {}).get(
            "shipping_assignments"
        ) or []:
            address = ((assignment.get("shipping") or {}).get("address")) or {}
            shipping_address = shipping_address or address.get("entity_id")
        header = {
            "order_id": order["entity_id"],
            "store_id": order.get("store_id"),
            "billing_address_id": order.get("billing_address_id"),
            "created_at": _now(),
            "updated_at": _now(),
        }
        if shipping_address is not None:
            header["shipping_address_id"] = shipping_address
        return {k: v for k, v in header.items() if v is not None}

    @staticmethod
    def _currencies(order: dict[str, Any]) -> dict[str, Any]:
        keys = (
            "base_currency_code",
            "global_currency_code",
            "order_currency_code",
            "store_currency_code",
            "base_to_global_rate",
            "base_to_order_rate",
            "store_to_base_rate",
            "store_to_order_rate",
        )
        return {k: order[k] for k in keys if order.get(k) is not None}

    # -- ship ------------------------------------------------------------------------------------

    def _deduct_from_source(self, sku: str, qty: float) -> None:
        """MSI's `SourceDeductionService`: a shipment takes its quantities off the source it
        ships from (the `default` source in single-source mode), and the legacy stock item
        follows. Without MSI the stock was taken when the order was placed."""
        if not getattr(self.store, "msi", True):
            return
        record = self.store.get("source_items", f"{sku}\x00default")
        if record is None:
            return
        record["quantity"] = max(0.0, float(record["quantity"]) - qty)
        if record["quantity"] <= 0:
            record["status"] = 0  # out of stock at this source
        self.store.put("source_items", record)
        Catalog(self.store).mirror_to_legacy(record)

    def ship(self, order_id: int, body: dict[str, Any]) -> int:
        with self.store.locked():
            order = self._get("orders", order_id)
            qtys = requested_qtys(body.get("items"))
            by_id = {i["item_id"]: i for i in order["items"]}
            lines: list[tuple[dict[str, Any], float]] = []
            for item in order["items"]:
                if item.get("is_virtual") or is_dummy(item):
                    continue  # a configurable's child ships with its parent, as a deleted line
                if qty_to_ship(item) <= 0:
                    continue
                if item["item_id"] in qtys:
                    qty = min(qtys[item["item_id"]], qty_to_ship(item))
                elif not qtys:
                    qty = qty_to_ship(item)
                else:
                    continue
                lines.append((item, qty))
            tracks = [t for t in body.get("tracks") or [] if isinstance(t, dict)]
            messages = self._can_ship(order)
            if sum(q for _, q in lines if q > 0) <= 0:
                messages.append("You can't create a shipment without products.")
            messages += [
                "Please enter a tracking number." for t in tracks if not t.get("track_number")
            ]
            if messages:
                raise _refused("Shipment", messages)
            shipment_id = self.store.next_id("shipments")
            item_id = self._next_nested("shipments", "items")
            track_id = self._next_nested("shipments", "tracks")
            shipment = {
                "entity_id": shipment_id,
                "increment_id": f"{shipment_id:09d}",
                **self._header(order),
                "customer_id": order.get("customer_id"),
                "total_qty": sum(q for _, q in lines),
                "email_sent": 1 if _flag(body.get("notify")) else None,
                "packages": [p for p in body.get("packages") or [] if isinstance(p, dict)],
                "items": [],
                "tracks": [],
                "comments": _comment(body, shipment_id, self._next_nested("shipments", "comments")),
            }
            shipment = {k: v for k, v in shipment.items() if v is not None}
            for n, (item, qty) in enumerate(lines):
                shipment["items"].append(
                    {
                        "entity_id": item_id + n,
                        "parent_id": shipment_id,
                        "order_item_id": item["item_id"],
                        "qty": qty,
                        "sku": item.get("sku"),
                        "name": item.get("name"),
                        "price": _f(item.get("price")),
                        "product_id": item.get("product_id"),
                        "weight": item.get("weight"),
                    }
                )
                by_id[item["item_id"]]["qty_shipped"] = _f(item.get("qty_shipped")) + qty
                self._deduct_from_source(str(item.get("sku") or ""), qty)
            for n, track in enumerate(tracks):
                shipment["tracks"].append(
                    {
                        "entity_id": track_id + n,
                        "parent_id": shipment_id,
                        "order_id": order_id,
                        "created_at": _now(),
                        "updated_at": _now(),
                        "weight": None,  # unset in ShipOrder; Magento prints the null
                        "qty": None,
                        "description": None,
                        "track_number": str(track.get("track_number")),
                        "title": str(track.get("title") or ""),
                        "carrier_code": str(track.get("carrier_code") or ""),
                    }
                )
            if order.get("state") == "new":
                _set_state(order, "processing")
            settle_state(order)
            self.store.put("shipments", shipment)
            self._save_order(order)
            return shipment_id

    @staticmethod
    def _can_ship(order: dict[str, Any]) -> list[str]:
        state = order.get("state")
        if state in ("payment_review", "holded", "canceled") or order.get("is_virtual"):
            return [
                f"A shipment cannot be created when an order has a status of {order.get('status')}"
            ]
        if not any(qty_to_ship(i) > 0 and not i.get("is_virtual") for i in order["items"]):
            return ["The order does not allow a shipment to be created."]
        return []

    def add_track(self, body: Any) -> dict[str, Any]:
        """`ShipmentTrackRepository::save`: the shipment must be the order's."""
        entity = body.get("entity") if isinstance(body, dict) else None
        if not isinstance(entity, dict):
            raise SalesError(
                400, '"%fieldName" is required. Enter and try again.', {"fieldName": "entity"}
            )
        with self.store.locked():
            try:
                order_id = int(_number(entity.get("order_id"), "int"))
                parent_id = int(_number(entity.get("parent_id"), "int"))
            except SalesError:
                raise SalesError(400, "Could not save the shipment tracking.") from None
            shipment = self.store.get("shipments", parent_id)
            if shipment is None or shipment.get("order_id") != order_id:
                raise SalesError(400, "Could not save the shipment tracking.")
            track = {
                "order_id": order_id,
                "created_at": _now(),
                "entity_id": self._next_nested("shipments", "tracks"),
                "parent_id": parent_id,
                "updated_at": _now(),
                "weight": _f(entity.get("weight")),
                "qty": _f(entity.get("qty")),
                "description": entity.get("description"),
                "track_number": entity.get("track_number"),
                "title": entity.get("title"),
                "carrier_code": entity.get("carrier_code"),
            }
            shipment["tracks"] = [*(shipment.get("tracks") or []), track]
            shipment["updated_at"] = _now()
            self.store.put("shipments", shipment)
            return track

    # -- invoice ---------------------------------------------------------------------------------

    def invoice(self, order_id: int, body: dict[str, Any]) -> int:
        with self.store.locked():
            order = self._get("orders", order_id)
            qtys = requested_qtys(body.get("items"))
            by_id = {i["item_id"]: i for i in order["items"]}
            lines: list[tuple[dict[str, Any], float]] = []
            for item in order["items"]:
                parent = by_id.get(item.get("parent_item_id"))
                if parent is not None:  # dummy: follows its parent
                    parent_qty = qtys.get(parent["item_id"]) if qtys else qty_to_invoice(parent)
                    if not parent_qty or parent_qty <= 0 or qty_to_invoice(parent) <= 0:
                        continue
                    lines.append((item, parent_qty))
                    continue
                if qty_to_invoice(item) <= 0:
                    continue
                if item["item_id"] in qtys:
                    qty = qtys[item["item_id"]]
                elif not qtys:
                    qty = qty_to_invoice(item)
                else:
                    qty = 0.0
                lines.append((item, qty))
            messages = self._can_invoice(order)
            total = 0.0
            for item, qty in lines:
                if not is_dummy(item) and qty > qty_to_invoice(item):
                    messages.append(
                        "The quantity to invoice must not be greater than the uninvoiced "
                        f'quantity for product SKU "{item.get("sku")}".'
                    )
                total += qty
            if total <= 0:
                messages.append("You can't create an invoice without products.")
            if messages:
                raise _refused("Invoice", messages)
            return self._register_invoice(order, [(i, q) for i, q in lines if q > 0], body)

    @staticmethod
    def _can_invoice(order: dict[str, Any]) -> list[str]:
        if order.get("state") in ("payment_review", "holded", "canceled", "complete", "closed"):
            return [
                f"An invoice cannot be created when an order has a status of {order.get('status')}"
            ]
        if not can_invoice(order):
            return ["The order does not allow an invoice to be created."]
        return []

    def _register_invoice(
        self, order: dict[str, Any], lines: list[tuple[dict[str, Any], float]], body: dict[str, Any]
    ) -> int:
        invoice_id = self.store.next_id("invoices")
        first_line = self._next_nested("invoices", "items")
        items = []
        for n, (item, qty) in enumerate(lines):
            line = self._line(order, item, qty)
            items.append({"entity_id": first_line + n, "parent_id": invoice_id, **line})
            item["qty_invoiced"] = _f(item.get("qty_invoiced")) + qty
            for field, value in (
                ("row_invoiced", line["row_total"]),
                ("tax_invoiced", line["tax_amount"]),
                ("discount_invoiced", line["discount_amount"]),
            ):
                item[field] = _money(_f(item.get(field)) + value)
                item[f"base_{field}"] = _money(_f(item.get(f"base_{field}")) + value)
        shipping = max(_f(order.get("shipping_amount")) - _f(order.get("shipping_invoiced")), 0.0)
        shipping_tax = (
            _f(order.get("shipping_tax_amount")) if _f(order.get("shipping_invoiced")) == 0 else 0.0
        )
        shipping_gross = (
            shipping
            + shipping_tax
            - (_f(order.get("shipping_discount_amount")) if shipping else 0.0)
        )
        grand = _money(sum(i["row_total_incl_tax"] for i in items) + shipping_gross)
        if not can_invoice(order):  # the last invoice: no rounding left behind
            grand = _money(_f(order.get("grand_total")) - _f(order.get("total_invoiced")))
        subtotal = _money(sum(i["row_total"] for i in items))
        tax = _money(sum(i["tax_amount"] for i in items) + shipping_tax)
        discount = -_money(sum(i["discount_amount"] for i in items))
        method = str((order.get("payment") or {}).get("method") or "")
        paid = method in OFFLINE_METHODS or _flag(body.get("capture"))
        totals = {
            "subtotal": subtotal,
            "subtotal_incl_tax": _money(subtotal + sum(i["tax_amount"] for i in items)),
            "tax_amount": tax,
            "discount_amount": discount,
            "shipping_amount": _money(shipping),
            "shipping_tax_amount": _money(shipping_tax),
            "shipping_incl_tax": _money(shipping + shipping_tax),
            "grand_total": grand,
            "discount_tax_compensation_amount": 0.0,
        }
        invoice = {
            "entity_id": invoice_id,
            "increment_id": f"{invoice_id:09d}",
            **self._header(order),
            **self._currencies(order),
            **totals,
            **{f"base_{k}": v for k, v in totals.items()},
            "base_total_refunded": 0.0,
            "can_void_flag": 0,
            "email_sent": 1 if _flag(body.get("notify")) else None,
            "is_used_for_refund": 0,
            "state": INVOICE_PAID if paid else INVOICE_OPEN,
            "total_qty": sum(q for _, q in lines),
            "items": items,
            "comments": _comment(body, invoice_id, self._next_nested("invoices", "comments")),
        }
        invoice = {k: v for k, v in invoice.items() if v is not None}
        for field, value in (
            ("total_invoiced", grand),
            ("subtotal_invoiced", subtotal),
            ("tax_invoiced", tax),
            ("discount_invoiced", discount),
            ("shipping_invoiced", shipping),
        ):
            order[field] = _money(_f(order.get(field)) + value)
            order[f"base_{field}"] = _money(_f(order.get(f"base_{field}")) + value)
        if paid:
            for field in ("total_paid", "base_total_paid"):
                order[field] = _money(_f(order.get(field)) + grand)
            payment = order.get("payment")
            if isinstance(payment, dict):
                payment["amount_paid"] = _money(_f(payment.get("amount_paid")) + grand)
                payment["base_amount_paid"] = payment["amount_paid"]
        order["total_due"] = order["base_total_due"] = _money(
            _f(order.get("grand_total")) - _f(order.get("total_paid"))
        )
        settle_state(order, in_process=True)
        self.store.put("invoices", invoice)
        self._save_order(order)
        return invoice_id

    # -- cancel ----------------------------------------------------------------------------------

    def cancel(self, order_id: int) -> bool:
        with self.store.locked():
            order = self._get("orders", order_id)
            if not can_cancel(order):
                return False
            state = "canceled"
            for item in order["items"]:
                if state != "processing" and qty_to_refund(item) > 0:
                    state = "processing" if qty_to_ship(item) > qty_to_cancel(item) else "complete"
                item["qty_canceled"] = _f(item.get("qty_canceled")) + qty_to_cancel(item)
            for name, amount in (
                ("subtotal", _f(order.get("subtotal"))),
                ("tax", _f(order.get("tax_amount"))),
                ("shipping", _f(order.get("shipping_amount"))),
                ("discount", abs(_f(order.get("discount_amount")))),
            ):
                canceled = _money(amount - abs(_f(order.get(f"{name}_invoiced"))))
                order[f"{name}_canceled"] = order[f"base_{name}_canceled"] = canceled
            order["total_canceled"] = order["base_total_canceled"] = _money(
                _f(order.get("grand_total")) - _f(order.get("total_paid"))
            )
            _set_state(order, state)
            settle_state(order)
            self._save_order(order)
            return True

    # -- refund ----------------------------------------------------------------------------------

    def refund_invoice(self, invoice_id: int, body: dict[str, Any]) -> int:
        with self.store.locked():
            invoice = self._get("invoices", invoice_id)
            order = self._get("orders", int(invoice["order_id"]))
            return self._refund(order, body, invoice, online=_flag(body.get("isOnline")))

    def refund_order(self, order_id: int, body: dict[str, Any]) -> int:
        with self.store.locked():
            return self._refund(self._get("orders", order_id), body, None, online=False)

    def _invoice_limits(self, invoice: dict[str, Any]) -> dict[int, float]:
        """Per order item: what this invoice still has to refund."""
        refunded: dict[int, float] = {}
        for memo in self._documents("creditmemos", invoice["order_id"]):
            if memo.get("invoice_id") == invoice["entity_id"]:
                for line in memo.get("items") or []:
                    key = line["order_item_id"]
                    refunded[key] = refunded.get(key, 0.0) + _f(line.get("qty"))
        return {
            line["order_item_id"]: _f(line.get("qty")) - refunded.get(line["order_item_id"], 0.0)
            for line in invoice.get("items") or []
        }

    def _memo_lines(
        self,
        order: dict[str, Any],
        qtys: dict[int, float],
        invoice: dict[str, Any] | None,
    ) -> list[tuple[dict[str, Any], float]]:
        """`CreditmemoFactory::createByOrder` / `createByInvoice`."""
        by_id = {i["item_id"]: i for i in order["items"]}
        limits = self._invoice_limits(invoice) if invoice else {}
        if invoice is not None:
            candidates = [
                (by_id[line["order_item_id"]], _f(line.get("qty")))
                for line in invoice.get("items") or []
                if line.get("order_item_id") in by_id
            ]
        else:
            candidates = [(item, float("inf")) for item in order["items"]]
        lines = []
        for item, invoiced in candidates:
            parent = by_id.get(item.get("parent_item_id"))
            if parent is not None:
                if qtys:
                    qty = qtys.get(parent["item_id"], 0.0)
                    if qty <= 0:
                        continue
                else:
                    if not self._refundable(parent, limits):
                        continue
                    qty = qty_to_refund(parent)
                lines.append((item, min(qty, invoiced)))
                continue
            if not self._refundable(item, limits):
                continue
            if item["item_id"] in qtys:
                qty = qtys[item["item_id"]]
            elif not qtys:
                qty = qty_to_refund(item)
            else:
                qty = 0.0
            if item["item_id"] in limits:
                qty = min(qty, limits[item["item_id"]])
            lines.append((item, min(qty, invoiced)))
        return lines

    def _refund_amounts(
        self, order: dict[str, Any], item: dict[str, Any], qty: float, line: dict[str, Any]
    ) -> None:
        """`Creditmemo\\Item::calcRowTotal`: a share of what was invoiced and not yet refunded
        (nothing invoiced, nothing to refund)."""
        available = _f(item.get("qty_invoiced")) - _f(item.get("qty_refunded"))
        gross = self._already("invoices", order["entity_id"], item["item_id"])
        gross -= self._already("creditmemos", order["entity_id"], item["item_id"])
        left = {
            "row_total": _f(item.get("row_invoiced")) - _f(item.get("amount_refunded")),
            "tax_amount": _f(item.get("tax_invoiced")) - _f(item.get("tax_refunded")),
            "discount_amount": _f(item.get("discount_invoiced"))
            - _f(item.get("discount_refunded")),
            "row_total_incl_tax": gross,
        }
        for name, amount in left.items():
            if available <= 0:
                value = 0.0
            elif qty >= available:
                value = amount
            else:
                value = amount / available * qty
            line[name] = line[f"base_{name}"] = _money(value)

    @staticmethod
    def _refundable(item: dict[str, Any], limits: dict[int, float]) -> bool:
        if qty_to_refund(item) < 0:
            return False
        return limits[item["item_id"]] > 0 if item["item_id"] in limits else True

    def _refund(
        self,
        order: dict[str, Any],
        body: dict[str, Any],
        invoice: dict[str, Any] | None,
        online: bool,
    ) -> int:
        qtys = requested_qtys(body.get("items"))
        arguments = body.get("arguments") if isinstance(body.get("arguments"), dict) else {}
        lines = self._memo_lines(order, qtys, invoice)
        memo_id = self.store.next_id("creditmemos")
        first_line = self._next_nested("creditmemos", "items")
        items = []
        for n, (item, qty) in enumerate(lines):
            line = self._line(order, item, qty)
            if not is_dummy(item):
                self._refund_amounts(order, item, qty, line)
            line.update(base_cost=_f(item.get("base_cost")))
            items.append({"entity_id": first_line + n, "parent_id": memo_id, **line})
        allowed = _f(order.get("shipping_amount")) - _f(order.get("shipping_refunded"))
        if arguments.get("shipping_amount") is None:
            shipping = allowed
            if invoice is not None:
                shipping = min(allowed, _f(invoice.get("shipping_amount")))
        else:
            shipping = _number(arguments["shipping_amount"], "float")
            if shipping > allowed + 0.0001:
                raise SalesError(
                    400,
                    "Maximum shipping amount allowed to refund is: %1",
                    [_format_price(allowed, order.get("order_currency_code"))],
                )
        positive = _number(arguments.get("adjustment_positive") or 0, "float")
        negative = _number(arguments.get("adjustment_negative") or 0, "float")
        goods = [i for i in items if i["qty"] > 0]
        grand = _money(sum(i["row_total_incl_tax"] for i in goods) + shipping + positive - negative)
        messages = self._can_refund(order)
        total_qty = 0.0
        for item, qty in lines:
            if not is_dummy(item) and qty > qty_to_refund(item):
                messages.append(
                    "The quantity to creditmemo must not be greater than the unrefunded "
                    f'quantity for product SKU "{item.get("sku")}".'
                )
            else:
                total_qty += qty
        shipping_left = abs(
            _money(_f(order.get("shipping_amount"))) - _f(order.get("shipping_refunded"))
        )
        if grand <= 0:
            messages.append("The credit memo's total must be positive.")
        elif total_qty <= 0 and shipping_left < 0.0001:
            messages.append("You can't create a creditmemo without products.")
        paid, refunded = _f(order.get("base_total_paid")), _f(order.get("base_total_refunded"))
        if _money(refunded + grand) > _money(paid):
            messages.append(f"The most money available to refund is {php_number(paid - refunded)}.")
        if invoice is not None and not self._invoice_refundable(order, invoice):
            messages.append("We can't create creditmemo for the invoice.")
        by_id = {i["item_id"]: i for i in order["items"]}
        for item_id, qty in qtys.items():
            item = by_id.get(item_id)
            if item is None:
                messages.append(
                    "The creditmemo contains product item that is not part of the original order."
                )
            elif not is_dummy(item) and qty > qty_to_refund(item):
                messages.append(
                    "The quantity to refund must not be greater than the unrefunded quantity."
                )
        if messages:
            raise _refused("Creditmemo", messages)
        return self._register_memo(
            order, invoice, goods, lines, memo_id, body, shipping, positive, negative, grand, online
        )

    @staticmethod
    def _can_refund(order: dict[str, Any]) -> list[str]:
        if order.get("state") in ("payment_review", "holded", "canceled", "closed"):
            status = order.get("status")
            return [f"A creditmemo can not be created when an order has a status of {status}"]
        if abs(_money(_f(order.get("total_paid"))) - _f(order.get("total_refunded"))) < 0.0001:
            return ["The order does not allow a creditmemo to be created."]
        return []

    @staticmethod
    def _invoice_refundable(order: dict[str, Any], invoice: dict[str, Any]) -> bool:
        """`Invoice\\Validation\\CanRefund`: paid, money left, a method that refunds."""
        method = str((order.get("payment") or {}).get("method") or "")
        left = _f(invoice.get("base_grand_total")) - _f(invoice.get("base_total_refunded"))
        return (
            invoice.get("state") == INVOICE_PAID
            and left >= 0.0001
            and method not in OFFLINE_METHODS
        )

    def _register_memo(
        self,
        order: dict[str, Any],
        invoice: dict[str, Any] | None,
        goods: list[dict[str, Any]],
        lines: Iterable[tuple[dict[str, Any], float]],
        memo_id: int,
        body: dict[str, Any],
        shipping: float,
        positive: float,
        negative: float,
        grand: float,
        online: bool,
    ) -> int:
        for item, qty in lines:
            if qty <= 0:
                continue
            item["qty_refunded"] = _f(item.get("qty_refunded")) + qty
            line = next((g for g in goods if g["order_item_id"] == item["item_id"]), None)
            if line is None or is_dummy(item):
                continue
            for field, value in (
                ("amount_refunded", line["row_total"]),
                ("tax_refunded", line["tax_amount"]),
                ("discount_refunded", line["discount_amount"]),
            ):
                item[field] = _money(_f(item.get(field)) + value)
                item[f"base_{field}"] = _money(_f(item.get(f"base_{field}")) + value)
        subtotal = _money(sum(i["row_total"] for i in goods))
        tax = _money(sum(i["tax_amount"] for i in goods))
        discount = -_money(sum(i["discount_amount"] for i in goods))
        totals = {
            "subtotal": subtotal,
            "subtotal_incl_tax": _money(subtotal + tax),
            "tax_amount": tax,
            "discount_amount": discount,
            "shipping_amount": _money(shipping),
            "shipping_incl_tax": _money(shipping),
            "shipping_tax_amount": 0.0,
            "adjustment_positive": _money(positive),
            "adjustment_negative": _money(negative),
            "adjustment": _money(positive - negative),
            "grand_total": grand,
            "discount_tax_compensation_amount": 0.0,
        }
        memo = {
            "entity_id": memo_id,
            "increment_id": f"{memo_id:09d}",
            **self._header(order),
            **self._currencies(order),
            **totals,
            **{f"base_{k}": v for k, v in totals.items()},
            "invoice_id": invoice["entity_id"] if invoice else None,
            "state": CREDITMEMO_REFUNDED,
            "creditmemo_status": None,
            "email_sent": 1 if _flag(body.get("notify")) else None,
            "items": goods,
            "comments": _comment(body, memo_id, self._next_nested("creditmemos", "comments")),
        }
        memo = {k: v for k, v in memo.items() if v is not None}
        for field, value in (
            ("total_refunded", grand),
            ("subtotal_refunded", subtotal),
            ("tax_refunded", tax),
            ("discount_refunded", discount),
            ("shipping_refunded", shipping),
            ("adjustment_positive", positive),
            ("adjustment_negative", negative),
            ("total_online_refunded" if online else "total_offline_refunded", grand),
        ):
            order[field] = _money(_f(order.get(field)) + value)
            order[f"base_{field}"] = _money(_f(order.get(f"base_{field}")) + value)
        payment = order.get("payment")
        if isinstance(payment, dict):
            payment["amount_refunded"] = _money(_f(payment.get("amount_refunded")) + grand)
            payment["base_amount_refunded"] = payment["amount_refunded"]
        if invoice is not None:
            invoice["base_total_refunded"] = _money(_f(invoice.get("base_total_refunded")) + grand)
            if invoice["base_total_refunded"] >= _f(invoice.get("base_grand_total")) - 0.0001:
                invoice["is_used_for_refund"] = 1
            invoice["updated_at"] = _now()
            self.store.put("invoices", invoice)
        settle_state(order)
        self.store.put("creditmemos", memo)
        self._save_order(order)
        return memo_id


def _format_price(amount: float, currency: Any) -> str:
    """`PriceCurrency::format($amount, false)` for the store's currency."""
    return f"${amount:,.2f}" if currency in (None, "USD") else f"{currency} {amount:,.2f}"
