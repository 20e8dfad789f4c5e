"""Orders, Magento -> Odoo: one page of orders per unit of work, each order its own log.

Per page, Odoo sees a handful of batched calls, whatever the page size: the lookups
(existing orders by `client_order_ref`, partners, products, taxes, carriers), one
`create` of all new orders with their lines, one `action_confirm`, and for online
orders the invoicing and payment calls. An order that cannot be imported fails its
own log with one reason a person can act on; the rest of the page goes on.

Exactly once: an order is bound (Binding "order", key = increment_id) in the same
transaction that records its log as done; before creating, the page's orders are
looked up by `client_order_ref`, so a retry after a crash between Odoo's answer
and our commit binds the order Odoo already has instead of creating another.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from bridge.clients.errors import PermanentError
from bridge.clients.odoo import OdooClient, m2o_id
from bridge.coordination import StepClaims
from bridge.mappers import customer as cm
from bridge.mappers import order as om
from bridge.mappers.errors import MappingError
from bridge.mappers.fingerprint import fingerprint
from bridge.mappers.odoo_amounts import Tax
from bridge.models import (
    Connection,
    SyncLog,
)
from bridge.settings import get_settings
from bridge.sync import bindings, logbook
from bridge.sync.locks import lock_keys
from bridge.sync.orders import changes as order_changes
from bridge.sync.orders import refs as order_refs
from bridge.sync.orders.invoicing import OnlineOrder, invoice_and_pay
from bridge.sync.orders.steps import Steps
from bridge.sync.partners import PartnerResolver, customer_key

WITH_ARCHIVED = {"active_test": False}
#: Magento states that end an order; the Odoo order follows when nothing has shipped.
CANCELED_STATES = order_changes.CANCELED_STATES


class OrderRefused(PermanentError):
    """This order cannot be imported until a person fixes its cause (the message)."""


@dataclass
class PageOutcome:
    imported: list[str] = field(default_factory=list)
    canceled: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: Imported before; a change made in Magento since followed in Odoo (hold, address).
    updated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    #: Among `imported`: found in Odoo by client_order_ref and bound, not created.
    bound: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": len(self.imported),
            "bound": len(self.bound),
            "canceled": len(self.canceled),
            "updated": len(self.updated),
            "skipped": len(self.skipped),
            "failed": len(self.failed),
            "reasons": self.failed,
        }


@dataclass
class OrderPage:
    session: Session
    connection: Connection
    odoo: OdooClient
    #: Claims on the page's Odoo steps (steps.py); by default the broker's, per connection.
    steps: Steps | None = None

    def __post_init__(self) -> None:
        if self.steps is None:
            window = get_settings().odoo_call_window
            where = f"{self.connection.odoo_url}|{self.connection.odoo_db}"
            self.steps = Steps(StepClaims(self.connection.id, where), window)

    @property
    def guard(self) -> Steps:
        assert self.steps is not None
        return self.steps


@dataclass
class _Pending:
    log: SyncLog
    order: om.Order
    payload: dict[str, Any]
    values: dict[str, Any] | None = None
    odoo_id: int | None = None
    #: The amounts Odoo must store (Magento's), and what was adjusted to get there.
    check: om.TotalsCheck | None = None
    note: str | None = None


def order_logs(session: Session, connection_id: int, orders: list[dict[str, Any]]) -> list[int]:
    """One queued log per order, holding its raw payload; a log not yet run takes the newer one."""
    keyed = [(str(o.get("increment_id") or o.get("entity_id") or "?"), o) for o in orders]
    return logbook.record_logs(session, connection_id, "order", keyed)


def import_orders(page: OrderPage, logs: list[SyncLog]) -> dict[str, Any]:
    """Import the orders held by `logs` (one raw Magento order each); finish every log."""
    outcome = PageOutcome()
    pending: list[_Pending] = []
    for log in logs:
        try:
            pending.append(_Pending(log, om.order(log.payload or {}), log.payload or {}))
        except MappingError as exc:
            _fail(log, outcome, f"cannot read this Magento order: {exc}")
    # A pull and an event may carry the same order on two pages at once.
    lock_keys(page.session, f"order:{page.connection.id}", [p.order.increment_id for p in pending])
    bound, recovered = _existing_orders(page, {p.order.increment_id: p.order for p in pending})
    for p in pending:
        p.odoo_id = bound.get(p.order.increment_id)
    cancels = [p for p in pending if p.order.state in CANCELED_STATES]
    _cancel(page, [p for p in cancels if p.odoo_id], outcome)
    for p in cancels:
        if not p.odoo_id:
            _done(p.log, outcome.skipped, p, "canceled in Magento before it was imported")
    rest = [p for p in pending if p.order.state not in CANCELED_STATES]
    _follow(page, [p for p in rest if p.odoo_id and p.order.increment_id not in recovered],
            outcome)  # fmt: skip
    # Found in Odoo but never bound: a crash cut the last run short, or another connection
    # imported it; it is bound and what is left (confirm, invoice, pay) is finished.
    resumed = [p for p in rest if p.order.increment_id in recovered]
    new = [p for p in rest if not p.odoo_id]
    for p in [p for p in new if p.order.state in order_changes.HELD_STATES]:
        _done(p.log, outcome.skipped, p, "on hold in Magento: imported when it is released")
    new = [p for p in new if p.order.state not in order_changes.HELD_STATES]
    created = _create(page, new, outcome) if new else []
    _finish(page, resumed + created, outcome, resumed={id(p) for p in resumed})
    _replace_edited(page, [p for p in created if p.order.relation_parent_id], outcome)
    result = outcome.as_dict()
    if page.guard.waited:
        # Seconds spent waiting for an earlier call Odoo may still have been running.
        result["waited_for_odoo"] = dict(page.guard.waited)
    return result


def _follow(page: OrderPage, orders: list[_Pending], outcome: PageOutcome) -> None:
    """Orders imported before and pulled again: what changed in Magento follows in Odoo."""
    if not orders:
        return
    by_ref = {p.order.increment_id: p for p in orders}

    def contacts(changed: list[om.Order]) -> dict[str, Any]:
        resolver = PartnerResolver(page.session, page.connection.id, page.odoo)
        customers = {o.increment_id: _order_customer(by_ref[o.increment_id]) for o in changed}
        ids = resolver.resolve(list(customers.values()), write_customers=False)
        return {ref: ids[customer_key(c)] for ref, c in customers.items()
                if customer_key(c) in ids}  # fmt: skip

    ctx = order_changes.Changes(page.session, page.connection, page.odoo, contacts)
    followed = order_changes.follow(ctx, [(p.order, p.odoo_id or 0) for p in orders])
    for ref, reason in followed.failed.items():
        _fail(by_ref[ref].log, outcome, reason)
    for ref, summary in followed.done.items():
        bucket = outcome.updated if ref in followed.changed else outcome.skipped
        _done(by_ref[ref].log, bucket, by_ref[ref], summary)


# -- lookups -----------------------------------------------------------------------------------


def _existing_orders(
    page: OrderPage, orders: dict[str, om.Order]
) -> tuple[dict[str, int], set[str]]:
    """Odoo ids of orders already in Odoo: by Binding, else by `client_order_ref`.

    The second set names the orders found only by `client_order_ref` (now bound).
    """
    increment_ids = list(orders)
    recovered: set[str] = set()
    conn_id = page.connection.id
    ids = {
        k: b.odoo_id
        for k, b in bindings.by_keys(page.session, conn_id, "order", increment_ids).items()
    }
    unbound = [i for i in increment_ids if i not in ids]
    if unbound:
        # An earlier try's `create` may still be running in Odoo: look until it commits.
        page.guard.after_earlier(
            "create", unbound, lambda refs: {r["client_order_ref"] for r in _in_odoo(page, refs)}
        )
        found = _in_odoo(page, unbound)
        for row in found:
            ref = row["client_order_ref"]
            if ref not in ids:
                ids[ref] = row["id"]
                recovered.add(ref)
                _bind_order(page.session, conn_id, orders[ref], row["id"], None)
    return ids, recovered


def _in_odoo(page: OrderPage, refs: list[str]) -> list[dict[str, Any]]:
    """Odoo's orders of these increment ids (`client_order_ref`), archived included."""
    return page.odoo.search_read(
        "sale.order",
        [("client_order_ref", "in", refs)],
        ["client_order_ref"],
        order="id asc",
        context=WITH_ARCHIVED,
    )


def _order_customer(p: _Pending) -> cm.Customer:
    guest = cm.guest_customer(p.payload)
    if p.order.customer_id is None or p.order.is_guest:
        return guest
    return replace(guest, magento_id=p.order.customer_id, is_guest=False)


# -- creation ----------------------------------------------------------------------------------


def _create(page: OrderPage, new: list[_Pending], outcome: PageOutcome) -> list[_Pending]:
    """Create the page's new orders in Odoo; returns the ones created."""
    page_refs = order_refs.load(page.session, page.connection.id, page.odoo, [p.order for p in new])
    partners = PartnerResolver(page.session, page.connection.id, page.odoo)
    customers: dict[int, cm.Customer] = {}
    ready: list[_Pending] = []
    for p in new:
        try:
            reason = page_refs.refusal(p.order)
            if reason:
                raise OrderRefused(reason)
            customers[id(p)] = _order_customer(p)
            ready.append(p)
        except (OrderRefused, MappingError) as exc:
            _fail(p.log, outcome, str(exc))
    if not ready:
        return []
    ids = partners.resolve(list(customers.values()), write_customers=False)
    for p in list(ready):
        reason = partners.failures.get(customer_key(customers[id(p)]))
        if reason:
            _fail(p.log, outcome, f"cannot import the customer of this order: {reason}")
            ready.remove(p)
    discount_product = (
        order_refs.discount_product(page.odoo) if any(_has_discount(p) for p in ready) else None
    )
    totals = _Totals(page.odoo, page_refs)
    creatable: list[_Pending] = []
    for p in ready:
        partner = ids[customer_key(customers[id(p)])]
        carrier = page_refs.carriers.get(p.order.shipping_method or "")
        refs = om.OdooRefs(
            partner_id=partner.partner_id,
            invoice_partner_id=partner.invoice_id,
            shipping_partner_id=partner.delivery_id,
            product_ids=page_refs.products,
            tax_ids=page_refs.taxes_for(p.order),
            carrier_id=carrier,
            carrier_product_id=page_refs.carrier_products.get(carrier) if carrier else None,
            discount_product_id=discount_product,
            payment_term_id=page.connection.payment_term_id,
            team_id=page_refs.teams.get(p.order.store_id) if p.order.store_id is not None else None,
            pricelist_id=page_refs.pricelists.get(p.order.currency or ""),
            taxes=page_refs.tax_details,
        )
        try:
            totals.settle(p, refs)
        except (OrderRefused, MappingError) as exc:
            _fail(p.log, outcome, str(exc))
            continue
        creatable.append(p)
    return _create_in_odoo(page, creatable, outcome)


class _Totals:
    """Makes each order's Odoo amounts Magento's to the cent, or refuses it.

    The rounding lines' product and taxes are found or made once per page and tax.
    """

    def __init__(self, odoo: OdooClient, refs: order_refs.PageRefs) -> None:
        self.odoo = odoo
        self.refs = refs
        self._adjustments: dict[int, tuple[om.Adjustment, list[Tax]]] = {}

    def settle(self, p: _Pending, refs: om.OdooRefs) -> None:
        """`p.values` whose amounts Odoo will store as Magento's (`p.check`, `p.note`)."""
        values = om.sale_order_values(p.order, refs)
        precision = self.refs.precision(p.order)
        check = om.check_totals(p.order, values, refs, self.refs.rounding, precision)
        if not check.exact:
            if not check.adjustable:
                raise OrderRefused(om.totals_refusal(p.order, check))
            first = check
            where, details = self._adjustment(check.main_tax_id if check.tax_gap else None)
            refs = replace(refs, taxes={**refs.taxes, **{t.id: t for t in details}})
            values = om.adjust(values, check, where)
            check = om.check_totals(p.order, values, refs, self.refs.rounding, precision)
            if not check.exact:  # the rounding lines must close the gap; else never import
                raise OrderRefused(om.totals_refusal(p.order, check))
            p.note = om.adjustment_note(first)
        p.values, p.check = values, check

    def _adjustment(self, tax_id: int | None) -> tuple[om.Adjustment, list[Tax]]:
        """The rounding product, with the fixed taxes of `tax_id` when a tax gap needs them."""
        key = tax_id or 0
        if key not in self._adjustments:
            source = self.refs.tax_details.get(tax_id) if tax_id is not None else None
            self._adjustments[key] = order_refs.rounding_adjustment(self.odoo, source)
        return self._adjustments[key]


def _create_in_odoo(
    page: OrderPage, orders: list[_Pending], outcome: PageOutcome
) -> list[_Pending]:
    """One `create` for the page; on a refusal, one by one so only the bad order fails."""
    if not orders:
        return []
    refs = [p.order.increment_id for p in orders]
    # Claimed until Odoo answers: a timeout leaves the claim, so the retry waits for
    # this create to commit and binds what it made (`_existing_orders`).
    page.guard.claim("create", refs)
    try:
        ids = page.odoo.create("sale.order", [p.values for p in orders])
    except PermanentError:
        ids = []
        for p in list(orders):
            try:
                ids.append(page.odoo.create("sale.order", [p.values])[0])
            except PermanentError as exc:
                _fail(p.log, outcome, f"Odoo refused the order: {exc.message}")
                orders.remove(p)
    page.guard.settle("create", refs)
    for p, odoo_id in zip(orders, ids, strict=True):
        p.odoo_id = odoo_id
        _bind_order(page.session, page.connection.id, p.order, odoo_id, fingerprint(p.values))
    return orders


def _finish(
    page: OrderPage, orders: list[_Pending], outcome: PageOutcome, resumed: set[int]
) -> None:
    """The steps after create, each skipped when Odoo shows it done (so a rerun is safe).

    `resumed`: the orders found in Odoo rather than created by this run (by `id()`).
    """
    if not orders:
        return
    rows = page.odoo.read(
        "sale.order", [p.odoo_id for p in orders], ["state", "amount_total", "amount_tax"]
    )
    states = {r["id"]: r["state"] for r in rows}
    orders = _verify_totals(page, orders, {r["id"]: r for r in rows}, outcome)
    order_changes.tell(
        page.odoo, [("sale.order", p.odoo_id or 0, p.note) for p in orders if p.note]
    )
    for p in orders:
        order_changes.bind_content(page.session, page.connection.id, p.order, p.odoo_id or 0)
    drafts = [p.odoo_id for p in orders if states.get(p.odoo_id) in ("draft", "sent")]
    confirmed = {p.odoo_id for p in orders if states.get(p.odoo_id) == "sale"}
    if page.connection.auto_confirm_orders and drafts:
        page.guard.run(
            "confirm",
            drafts,
            lambda some: _confirmed(page.odoo, some),
            lambda todo: page.odoo.call("sale.order", "action_confirm", todo),
        )
        confirmed.update(drafts)
    payments = order_refs.payment_methods(
        page.session, page.connection.id, {p.order.payment_method for p in orders}
    )
    online = [
        OnlineOrder(
            p.odoo_id, payments[p.order.payment_method]["journal_id"], p.order.created_at[:10]
        )
        for p in orders
        if p.odoo_id in confirmed and payments.get(p.order.payment_method, {}).get("online")
    ]
    paid = invoice_and_pay(page.odoo, online, page.guard, get_settings().odoo_payment_chunk)
    for p in orders:
        if id(p) in resumed:
            outcome.bound.append(p.order.increment_id)
            summary = (
                f"bound to sale.order {p.odoo_id}, which Odoo already had (client_order_ref "
                f"{p.order.increment_id}): not created again"
            )
        else:
            summary = f"imported as sale.order {p.odoo_id}"
        _done(p.log, outcome.imported, p, summary)
        if p.odoo_id in paid:
            p.log.result = {**(p.log.result or {}), **paid[p.odoo_id]}


def _verify_totals(
    page: OrderPage, orders: list[_Pending], rows: dict[int, dict[str, Any]], outcome: PageOutcome
) -> list[_Pending]:
    """The orders just created whose stored amounts are Magento's; the others are removed.

    The check before create predicts Odoo's arithmetic; this reads what Odoo stored, so
    an Odoo that computes otherwise (a fiscal position, a customisation) never keeps an
    order at another total: the draft is deleted, unbound, and its log says both amounts.
    """
    wrong = []
    for p in orders:
        row = rows.get(p.odoo_id or 0)
        if p.check is None or row is None or row["state"] not in ("draft", "sent"):
            continue  # resumed after a crash: checked when it was created
        stored = (om.totals_match(row["amount_total"], p.check.magento_total)
                  and om.totals_match(row["amount_tax"], p.check.magento_tax))  # fmt: skip
        if not stored:
            wrong.append((p, row))
    if not wrong:
        return orders
    page.odoo.unlink("sale.order", [p.odoo_id for p, _ in wrong])
    for p, row in wrong:
        bindings.unbind(page.session, page.connection.id, "order", [p.order.increment_id])
        if p.order.entity_id is not None:
            bindings.unbind(page.session, page.connection.id, "order_entity",
                            [str(p.order.entity_id)])  # fmt: skip
        _fail(
            p.log,
            outcome,
            f"Odoo stored a total of {row['amount_total']:.2f} (tax {row['amount_tax']:.2f}) "
            f"but Magento's grand_total is {p.check.magento_total:.2f} (tax "
            f"{p.check.magento_tax:.2f}); the order was removed from Odoo. Odoo computes this "
            "order's taxes otherwise than its lines say (a fiscal position or tax mapping on "
            "the customer?): fix that, then retry this log",
        )
    gone = {id(p) for p, _ in wrong}
    return [p for p in orders if id(p) not in gone]


def _confirmed(odoo: OdooClient, order_ids: list[int]) -> set[int]:
    """Orders Odoo no longer shows as quotations (confirmed, or canceled meanwhile)."""
    return {r["id"] for r in odoo.read("sale.order", order_ids, ["state"])
            if r["state"] not in ("draft", "sent")}  # fmt: skip


def _has_discount(p: _Pending) -> bool:
    return bool(p.order.discount_amount or p.order.shipping_discount_amount)


# -- changes after import ----------------------------------------------------------------------


def _cancel(page: OrderPage, orders: list[_Pending], outcome: PageOutcome) -> None:
    """Cancel in Odoo what Magento canceled, unless something has shipped already."""
    if not orders:
        return
    ids = [p.odoo_id for p in orders]
    shipped = _shipped(page.odoo, ids)
    states = {r["id"]: r["state"] for r in page.odoo.read("sale.order", ids, ["state"])}
    to_cancel = []
    for p in orders:
        if states.get(p.odoo_id) == "cancel":
            _done(p.log, outcome.skipped, p, f"sale.order {p.odoo_id} is canceled already")
        elif p.odoo_id in shipped:
            _fail(p.log, outcome, f"canceled in Magento, but sale.order {p.odoo_id} has shipped: "
                  "it stays open in Odoo; return the goods or cancel by hand")  # fmt: skip
        else:
            to_cancel.append(p)
    if to_cancel:
        _cancel_in_odoo(page.odoo, [p.odoo_id for p in to_cancel])
        for p in to_cancel:
            _done(p.log, outcome.canceled, p, f"sale.order {p.odoo_id} canceled")


def _replace_edited(page: OrderPage, edited: list[_Pending], outcome: PageOutcome) -> None:
    """An edited Magento order replaces its parent: the parent's Odoo order is canceled.

    Magento cancels the parent itself, so a later pull would cancel it too; doing it
    now keeps Odoo from showing both orders open in between.
    """
    parents = {str(p.order.relation_parent_id): p for p in edited}
    bound = bindings.by_keys(page.session, page.connection.id, "order_entity", parents)
    if not bound:
        return
    ids = sorted({b.odoo_id for b in bound.values()})
    shipped = _shipped(page.odoo, ids)
    open_ids = [
        r["id"] for r in page.odoo.read("sale.order", ids, ["state"])
        if r["state"] != "cancel" and r["id"] not in shipped
    ]  # fmt: skip
    if open_ids:
        _cancel_in_odoo(page.odoo, open_ids)
    for key, binding in bound.items():
        child = parents[key]
        child.log.result = {
            **(child.log.result or {}),
            "replaces": binding.odoo_id,
            "parent_canceled": binding.odoo_id in open_ids,
        }
        if binding.odoo_id in open_ids:
            outcome.canceled.append(f"parent of {child.order.increment_id}")


def _shipped(odoo: OdooClient, order_ids: list[int]) -> set[int]:
    return {
        m2o_id(r["sale_id"])
        for r in odoo.search_read(
            "stock.picking", [("sale_id", "in", order_ids), ("state", "=", "done")], ["sale_id"]
        )
    }


def _cancel_in_odoo(odoo: OdooClient, order_ids: list[int]) -> None:
    # Without this context Odoo 18 answers a confirmed order's cancel with a wizard.
    odoo.call("sale.order", "action_cancel", order_ids, context={"disable_cancel_warning": True})


# -- logs and bindings -------------------------------------------------------------------------


def _done(log: SyncLog, bucket: list[str], p: _Pending, summary: str) -> None:
    bucket.append(p.order.increment_id)
    logbook.mark_done(log, {"summary": summary, "odoo_id": p.odoo_id})


def _fail(log: SyncLog, outcome: PageOutcome, reason: str) -> None:
    outcome.failed[log.key or str(log.id)] = reason
    logbook.mark_failed(log, reason)


def _bind_order(
    session: Session, connection_id: int, o: om.Order, odoo_id: int, fp: str | None
) -> None:
    """Bind by increment_id, and by entity id, which edited orders name as their parent."""
    bindings.bind(session, connection_id, "order", o.increment_id, "sale.order", odoo_id, fp)
    if o.entity_id is not None:
        bindings.bind(
            session, connection_id, "order_entity", str(o.entity_id), "sale.order", odoo_id, fp
        )
