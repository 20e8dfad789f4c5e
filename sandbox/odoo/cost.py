"""What a model call costs a real Odoo 18, as server time spent in one of its workers.

The sandbox answers a business method in microseconds; a real Odoo spends seconds of
Python on `action_confirm`, `action_post` or a payment wizard for a page of orders
(issue 15). This model makes the sandbox spend that time, so throughput measured
against it is the throughput a real Odoo allows:

- each call costs `fixed + per_record x records` seconds (`COSTS`, keyed
  `model.method`; `*read` for reads, `*write` for any other call not listed), times
  `scale` (0 turns the model off);
- the time is spent *holding one of `workers` slots* (Odoo's HTTP workers), before the
  call runs in its transaction: concurrent calls beyond `workers` wait for a slot, as
  requests wait for a free worker, and what a call changes becomes visible only when
  its time is up, as a real transaction commits at its end. A client that gives up
  early does not stop the call: it commits afterwards, as on a real server.

Calibration (docs/sandboxes.md has the recipe to redo it against another Odoo): a real
Odoo 18 Community (workers=0, one core's worth of Python) importing 300 orders, half
card-paid, in pages of 100 spent 137 s of server CPU, ~0.457 s per order, while the
per-call wall times of a page were `action_create_payments` 17-30 s (50 invoices),
`sale.order.action_confirm` 18 s (100), `account.move.action_post` 10-13 s (50),
`create_invoices` 10-11 s (50), `sale.order.create` 7.5 s (100), partners 5 s. Pages
overlapped there, so those wall times include contention; their middles sum to ~76 s a
page against 45.7 s of CPU a page, so each method's uncontended cost here is its
measured middle x 0.6, split into a fixed part and a part per record.

`records` is what the method works through: the length of `create`'s list, the ids a
method is called on, and for the two wizards the orders or invoices they hold.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

SCALE_ENV = "BRIDGE_SANDBOX_ODOO_COST_SCALE"
WORKERS_ENV = "BRIDGE_SANDBOX_ODOO_WORKERS"
DEFAULT_WORKERS = 2

#: (fixed seconds, seconds per record) of one call, on an idle worker.
COSTS: dict[str, tuple[float, float]] = {
    # 23.5 s (50 invoices) x 0.6 = 14.1 s
    "account.payment.register.action_create_payments": (0.6, 0.27),
    # 18 s (100 orders) x 0.6 = 10.8 s: pickings, procurement, mail
    "sale.order.action_confirm": (0.3, 0.105),
    # 11.5 s (50 invoices) x 0.6 = 6.9 s: names, tax lines, checks
    "account.move.action_post": (0.4, 0.13),
    # 10.5 s (50 orders) x 0.6 = 6.3 s
    "sale.advance.payment.inv.create_invoices": (0.3, 0.12),
    # 7.5 s (100 orders with their lines) x 0.6 = 4.5 s
    "sale.order.create": (0.2, 0.043),
    # 5 s a page x 0.6 = 3 s, for ~150 partners and address contacts
    "res.partner.create": (0.1, 0.02),
    "sale.order.action_cancel": (0.2, 0.05),
    "stock.picking.button_validate": (0.3, 0.1),
    "account.payment.register.create": (0.1, 0.002),
    "sale.advance.payment.inv.create": (0.05, 0.0),
    "product.template.create": (0.1, 0.03),
    "product.product.create": (0.1, 0.03),
    "product.template.write": (0.05, 0.01),
    "*read": (0.005, 0.0002),
    "*write": (0.03, 0.005),
}
READS = frozenset(
    {
        "read",
        "search",
        "search_read",
        "search_count",
        "fields_get",
        "name_search",
        "read_group",
        "context_get",
        "check_access_rights",
        "has_group",
    }
)


def configured_scale(value: float | None = None) -> float:
    """`value`, else BRIDGE_SANDBOX_ODOO_COST_SCALE, else 0 (off: tests stay fast)."""
    if value is not None:
        return max(0.0, float(value))
    raw = os.environ.get(SCALE_ENV, "").strip()
    try:
        return max(0.0, float(raw)) if raw else 0.0
    except ValueError:
        raise ValueError(f"{SCALE_ENV} must be a number (1 = a real Odoo), not {raw!r}") from None


def configured_workers(value: int | None = None) -> int:
    if value is not None:
        return max(1, int(value))
    raw = os.environ.get(WORKERS_ENV, "").strip()
    return max(1, int(raw)) if raw else DEFAULT_WORKERS


@dataclass
class CostModel:
    scale: float = 0.0
    workers: int = DEFAULT_WORKERS
    costs: dict[str, tuple[float, float]] = field(default_factory=lambda: dict(COSTS))
    #: Server seconds spent so far (scaled), and calls that waited for a worker.
    spent: float = 0.0
    queued: int = 0
    by_method: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _slots: threading.BoundedSemaphore = field(init=False)

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.workers)

    def configure(
        self,
        scale: float | None = None,
        workers: int | None = None,
        costs: dict[str, Any] | None = None,
    ) -> None:
        """Live changes (the admin endpoint); `costs` replaces the whole table."""
        if scale is not None:
            self.scale = max(0.0, float(scale))
        if workers is not None and int(workers) != self.workers:
            self.workers = max(1, int(workers))
            self._slots = threading.BoundedSemaphore(self.workers)
        if costs is not None:
            self.costs = {k: (float(v[0]), float(v[1])) for k, v in costs.items()}

    def seconds(self, model: str, method: str, records: int) -> float:
        key = f"{model}.{method}"
        fallback = "*read" if method in READS else "*write"
        fixed, per = self.costs.get(key) or self.costs.get(fallback) or (0.0, 0.0)
        return (fixed + per * max(0, records)) * self.scale

    def serve(self, model: str, method: str, records: int) -> threading.BoundedSemaphore:
        """Take a worker and spend the call's server time in it; the caller runs the call
        while still holding the returned slot, then releases it."""
        cost = self.seconds(model, method, records)
        slots = self._slots
        if not slots.acquire(blocking=False):
            with self._lock:
                self.queued += 1
            slots.acquire()
        if cost > 0:
            time.sleep(cost)
            with self._lock:
                self.spent += cost
                key = f"{model}.{method}"
                self.by_method[key] = self.by_method.get(key, 0.0) + cost
        return slots

    def stats(self) -> dict[str, Any]:
        with self._lock:
            top = sorted(self.by_method.items(), key=lambda kv: -kv[1])[:8]
            return {
                "cost_scale": self.scale,
                "workers": self.workers,
                "server_seconds": round(self.spent, 3),
                "queued_calls": self.queued,
                "by_method": {k: round(v, 3) for k, v in top},
            }


def records_of(
    db: Any, model: str, method: str, ids: list[Any] | None, args: list[Any], kwargs: dict
) -> int:
    """How many records the call works through (see the module docstring)."""
    if method == "create":
        vals = args[0] if args else kwargs.get("vals_list")
        return len(vals) if isinstance(vals, list) else 1
    if ids and all(isinstance(i, int) for i in ids):
        if model == "account.payment.register" and method == "action_create_payments":
            return _wizard_size(db, model, ids[0], "_move_ids")
        if model == "sale.advance.payment.inv" and method == "create_invoices":
            return _wizard_size(db, model, ids[0], "count")
        return len(ids)
    return 1


def _wizard_size(db: Any, model: str, wizard_id: int, field_name: str) -> int:
    with db.lock:
        row = db.tables.get(model, {}).get(wizard_id) or {}
    value = row.get(field_name)
    if isinstance(value, list):
        return len(value)
    return int(value or 1)
