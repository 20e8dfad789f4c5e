"""sale.order, sale.order.line and choose.delivery.carrier, as Odoo 18 (sale_stock, stock_delivery).

The sandbox ORM has no computed fields, so the stored "computed" ones (line
amounts, order totals, delivery and invoice status) are refreshed by
`refresh_order` whenever lines, pickings or invoices change; the invoicing
module calls it too after writing `qty_invoiced` / `invoice_ids`.

Amounts are Odoo 18's (`tax_totals`: account.tax's computation, the company's
`tax_calculation_rounding_method`, taxes included in the price or not), measured on a
real Odoo 18: unit prices and discounts stored with 2 digits, line subtotal and total
from the line's own tax details (`sale.order.line._compute_amount`), `price_tax` =
`price_total - price_subtotal` unrounded, the order's amounts from the tax totals
summary of all its lines (`sale.order._compute_amounts`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.odoo.exceptions import MissingError, UserError, WrongValue
from sandbox.odoo.methods import Records
from sandbox.odoo.models import stock, tax_totals
from sandbox.odoo.models.account import float_round
from sandbox.odoo.models.base import ADMIN, COMPANY, USD
from sandbox.odoo.models.base import partner as partner_model
from sandbox.odoo.models.partner import address_get
from sandbox.odoo.registry import Env, Model, fld, now

SALES_TEAM = 1
CANCEL_VIEW, CANCEL_TEMPLATE = 1125, 14  # sale.order.cancel form and mail template ids
LOCKED_FIELDS = {
    "product_id": "Product",
    "name": "Description",
    "price_unit": "Unit Price",
    "product_uom": "Unit of Measure",
    "product_uom_qty": "Quantity",
    "tax_id": "Taxes",
    "analytic_distribution": "Analytic Distribution",
}

order = Model(
    "sale.order",
    "Sales Order",
    {
        "name": fld("char", "Order Reference", required=True, default="New"),
        "partner_id": fld("many2one", "Customer", required=True, relation="res.partner"),
        "partner_invoice_id": fld("many2one", "Invoice Address", relation="res.partner"),
        "partner_shipping_id": fld("many2one", "Delivery Address", relation="res.partner"),
        "client_order_ref": fld("char", "Customer Reference"),
        "origin": fld("char", "Source Document"),
        "date_order": fld("datetime", "Order Date", required=True, default=lambda env: now()),
        "validity_date": fld("date", "Expiration"),
        "commitment_date": fld("datetime", "Delivery Date"),
        "state": fld(
            "selection", "Status", selection=("draft", "sent", "sale", "cancel"), default="draft"
        ),
        "locked": fld("boolean", "Locked", default=False),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
        # Read-only in Odoo: the pricelist's currency, else the company's.
        "currency_id": fld("many2one", "Currency", relation="res.currency", default=USD),
        "pricelist_id": fld("many2one", "Pricelist", relation="product.pricelist"),
        "payment_term_id": fld("many2one", "Payment Terms", relation="account.payment.term"),
        "team_id": fld("many2one", "Sales Team", relation="crm.team", default=SALES_TEAM),
        "user_id": fld("many2one", "Salesperson", relation="res.users", default=ADMIN),
        "warehouse_id": fld(
            "many2one", "Warehouse", relation="stock.warehouse", default=stock.WAREHOUSE
        ),
        "carrier_id": fld("many2one", "Delivery Method", relation="delivery.carrier"),
        "note": fld("html", "Terms and conditions"),
        "order_line": fld(
            "one2many", "Order Lines", relation="sale.order.line", inverse="order_id"
        ),
        "amount_untaxed": fld("monetary", "Untaxed Amount", default=0.0),
        "amount_tax": fld("monetary", "Taxes", default=0.0),
        "amount_total": fld("monetary", "Total", default=0.0),
        "invoice_ids": fld("many2many", "Invoices", relation="account.move"),
        "invoice_count": fld("integer", "Invoice Count", default=0),
        "invoice_status": fld(
            "selection",
            "Invoice Status",
            selection=("upselling", "invoiced", "to invoice", "no"),
            default="no",
        ),
        "picking_ids": fld("one2many", "Transfers", relation="stock.picking", inverse="sale_id"),
        "delivery_count": fld("integer", "Delivery Orders", default=0),
        "delivery_status": fld(
            "selection",
            "Delivery Status",
            selection=("pending", "started", "partial", "full"),
        ),
        "effective_date": fld("datetime", "Effective Date"),
        "require_signature": fld("boolean", "Online signature", default=True),
        "require_payment": fld("boolean", "Online payment", default=False),
    },
    order="date_order desc, id desc",
)

line = Model(
    "sale.order.line",
    "Sales Order Line",
    {
        "order_id": fld("many2one", "Order Reference", required=True, relation="sale.order"),
        "sequence": fld("integer", "Sequence", default=10),
        "display_type": fld("selection", "Display Type", selection=("line_section", "line_note")),
        "product_id": fld("many2one", "Product", relation="product.product"),
        "name": fld("text", "Description", required=True),
        "product_uom_qty": fld("float", "Quantity", default=1.0),
        "price_unit": fld("float", "Unit Price", default=0.0),
        "discount": fld("float", "Discount (%)", default=0.0),
        "tax_id": fld("many2many", "Taxes", relation="account.tax"),
        "price_subtotal": fld("monetary", "Subtotal", default=0.0),
        "price_tax": fld("float", "Total Tax", default=0.0),
        "price_total": fld("monetary", "Total", default=0.0),
        "price_reduce_taxexcl": fld("monetary", "Price Reduce Tax excl", default=0.0),
        "price_reduce_taxinc": fld("monetary", "Price Reduce Tax incl", default=0.0),
        "is_delivery": fld("boolean", "Is a Delivery", default=False),
        "is_downpayment": fld("boolean", "Is a down payment", default=False),
        "qty_delivered": fld("float", "Delivery Quantity", default=0.0),
        "qty_invoiced": fld("float", "Invoiced Quantity", default=0.0),
        "qty_to_invoice": fld("float", "Quantity To Invoice", default=0.0),
        "invoice_status": fld(
            "selection",
            "Invoice Status",
            selection=("upselling", "invoiced", "to invoice", "no"),
            default="no",
        ),
        "state": fld("selection", "Order Status", selection=("draft", "sent", "sale", "cancel")),
        "currency_id": fld("many2one", "Currency", relation="res.currency", default=USD),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
        "move_ids": fld("one2many", "Stock Moves", relation="stock.move", inverse="sale_line_id"),
    },
    order="order_id, sequence, id",
)


def _line_display_name(env: Env, rec: dict[str, Any]) -> str:
    """ "S00007 - Product (Customer)" as Odoo 18 shows a sale line."""
    so = env.table("sale.order").get(rec.get("order_id"))
    if not so:
        return str(rec.get("name") or "")
    partner = env.display_name("res.partner", so["partner_id"])
    what = (
        env.display_name("product.product", rec["product_id"])
        if rec.get("product_id")
        else rec.get("name")
    )
    return f"{so['name']} - {what} ({partner})"


line.display_name = _line_display_name


# -- defaults and computations ---------------------------------------------------------------


def _prepare_line(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    """The onchange defaults Odoo fills on create: name, price, taxes from the product."""
    vals = dict(vals)
    if vals.get("display_type"):
        vals["product_uom_qty"] = 0.0
        return vals
    pid = vals.get("product_id")
    if isinstance(pid, list | tuple):
        pid = pid[0] if pid else False
    if pid:
        [product] = env.ensure("product.product", [int(pid)])
        if not vals.get("name"):
            vals["name"] = env.display_name("product.product", product["id"])
        if "price_unit" not in vals:
            vals["price_unit"] = env.value("product.product", product, "list_price")
        if "tax_id" not in vals:
            taxes = env.value("product.product", product, "taxes_id") or []
            vals["tax_id"] = [(6, 0, list(taxes))]
    for name in ("price_unit", "discount"):
        if name in vals:
            vals[name] = float_round(vals[name] or 0.0)
    return vals


def _prepare_order(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    vals = dict(vals)
    vals.pop("currency_id", None)  # computed, as in Odoo
    if vals.get("pricelist_id"):
        pricelist = env.table("product.pricelist").get(int(vals["pricelist_id"]))
        if pricelist is None:
            raise MissingError(
                "Record does not exist or has been deleted.\n"
                f"(Record: product.pricelist({vals['pricelist_id']},), User: {env.uid})"
            )
        vals["currency_id"] = pricelist["currency_id"]
    if vals.get("partner_id"):
        addresses = address_get(env, int(vals["partner_id"]), ("invoice", "delivery"))
        vals.setdefault("partner_invoice_id", addresses["invoice"])
        vals.setdefault("partner_shipping_id", addresses["delivery"])
    if vals.get("order_line"):
        vals["order_line"] = _prepare_commands(env, vals["order_line"])
    return vals


def _prepare_commands(env: Env, commands: list[Any]) -> list[Any]:
    out = []
    for cmd in commands:
        if isinstance(cmd, list | tuple) and cmd and cmd[0] == 0:
            out.append((0, 0, _prepare_line(env, cmd[2])))
        elif isinstance(cmd, list | tuple) and cmd and cmd[0] == 1:
            _check_locked(env, [cmd[1]], cmd[2])
            out.append((1, cmd[1], _round_prices(cmd[2])))
        elif isinstance(cmd, list | tuple) and cmd and cmd[0] == 2:
            _check_unlink_lines(env, [cmd[1]])
            out.append(cmd)
        else:
            out.append(cmd)
    return out


def _round_prices(vals: dict[str, Any]) -> dict[str, Any]:
    return {k: float_round(v or 0.0) if k in ("price_unit", "discount") else v
            for k, v in vals.items()}  # fmt: skip


def _compute_line(env: Env, rec: dict[str, Any]) -> None:
    if rec.get("display_type"):
        rec.update(price_subtotal=0.0, price_tax=0.0, price_total=0.0,
                   price_reduce_taxexcl=0.0, price_reduce_taxinc=0.0)  # fmt: skip
        return
    qty = rec["product_uom_qty"]
    order = env.table("sale.order").get(rec.get("order_id") or 0) or {}
    subtotal, total = tax_totals.line_amounts(
        env, _base_line(rec), rec.get("company_id"), order.get("currency_id")
    )
    rec.update(
        price_subtotal=subtotal,
        price_total=total,
        price_tax=total - subtotal,
        price_reduce_taxexcl=float_round(subtotal / qty) if qty else 0.0,
        price_reduce_taxinc=float_round(total / qty) if qty else 0.0,
    )


def _base_line(rec: dict[str, Any]) -> tax_totals.Line:
    return tax_totals.Line(
        price_unit=rec["price_unit"],
        quantity=rec["product_uom_qty"],
        discount=rec.get("discount") or 0.0,
        tax_ids=list(rec.get("tax_id") or []),
    )


def refresh_order(env: Env, order_id: int) -> None:
    """Recompute the stored "computed" fields of an order and its lines."""
    so = env.table("sale.order").get(order_id)
    if so is None:
        return
    env.db.remember("sale.order", order_id)
    lines = env.lookup("sale.order.line", "order_id", order_id)
    for ln in lines:
        env.db.remember("sale.order.line", ln["id"])
        _compute_line(env, ln)
        ln["state"] = so["state"]
        moves = env.lookup("stock.move", "sale_line_id", ln["id"])
        if moves:
            ln["qty_delivered"] = sum(m["quantity"] for m in moves if m["state"] == "done")
        _line_invoice_status(ln)
    amounts = tax_totals.totals_summary(
        env,
        [_base_line(ln) for ln in lines if not ln.get("display_type")],
        so.get("company_id"),
        so.get("currency_id"),
    )
    so.update(amount_untaxed=amounts.untaxed, amount_tax=amounts.tax, amount_total=amounts.total)
    product_lines = [ln for ln in lines if not ln.get("display_type")]
    if so["state"] != "sale":
        so["invoice_status"] = "no"
    elif any(ln["invoice_status"] == "to invoice" for ln in product_lines):
        so["invoice_status"] = "to invoice"
    elif product_lines and all(ln["invoice_status"] == "invoiced" for ln in product_lines):
        so["invoice_status"] = "invoiced"
    else:
        so["invoice_status"] = "no"
    so["invoice_count"] = len(so.get("invoice_ids") or [])
    pickings = env.lookup("stock.picking", "sale_id", order_id)
    so["delivery_count"] = len(pickings)
    live = [p for p in pickings if p["state"] != "cancel"]
    if not live:
        so["delivery_status"] = False
    elif all(p["state"] == "done" for p in live):
        so["delivery_status"] = "full"
    elif any(p["state"] == "done" for p in live):
        so["delivery_status"] = "partial"
    else:
        so["delivery_status"] = "pending"
    done = sorted(p["date_done"] for p in live if p.get("date_done"))
    so["effective_date"] = done[0] if done else False


def _line_invoice_status(ln: dict[str, Any]) -> None:
    """Invoicing policy "ordered quantities" (the Odoo 18 product default)."""
    if ln.get("display_type") or ln.get("state") != "sale":
        ln["qty_to_invoice"] = 0.0
        ln["invoice_status"] = "no"
        return
    ln["qty_to_invoice"] = ln["product_uom_qty"] - ln["qty_invoiced"]
    if ln["qty_to_invoice"] > 0:
        ln["invoice_status"] = "to invoice"
    elif ln["qty_invoiced"] >= ln["product_uom_qty"] and ln["product_uom_qty"] > 0:
        ln["invoice_status"] = "invoiced"
    else:
        ln["invoice_status"] = "no"


def _check_locked(env: Env, line_ids: list[int], vals: dict[str, Any]) -> None:
    lines = env.ensure("sale.order.line", env.existing("sale.order.line", line_ids))
    orders = env.table("sale.order")
    touched = [LOCKED_FIELDS[f] for f in LOCKED_FIELDS if f in vals]
    if touched and any(orders[ln["order_id"]]["locked"] for ln in lines):
        raise UserError(
            "It is forbidden to modify the following fields in a locked order:\n"
            + "\n".join(touched)
        )
    if "display_type" in vals and any(
        ln.get("display_type") != vals["display_type"] for ln in lines
    ):
        raise UserError(
            "You cannot change the type of a sale order line. Instead you should delete the "
            "current line and create a new line of the proper type."
        )


def _check_unlink_lines(env: Env, line_ids: list[int]) -> None:
    for ln in env.ensure("sale.order.line", env.existing("sale.order.line", line_ids)):
        state = env.table("sale.order")[ln["order_id"]]["state"]
        if state == "sale" and not ln.get("display_type") and not ln.get("is_downpayment"):
            raise UserError(
                "Once a sales order is confirmed, you can't remove one of its lines (we need to "
                "track if something gets invoiced or delivered).\n"
                "                Set the quantity to 0 instead."
            )


def _name_order(env: Env, order_id: int) -> None:
    so = env.table("sale.order")[order_id]
    if so["name"] in ("New", "/", False):
        number = env.db.sequences.get("ir.sequence:sale.order", 0) + 1
        env.db.sequences["ir.sequence:sale.order"] = number
        so["name"] = f"S{number:05d}"
    if not so.get("validity_date"):
        # sale_management: quotations are valid 30 days by default.
        start = datetime.strptime(so["date_order"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        so["validity_date"] = (start + timedelta(days=30)).strftime("%Y-%m-%d")
    refresh_order(env, order_id)


order.on_create.append(_name_order)


def _line_created(env: Env, line_id: int) -> None:
    ln = env.table("sale.order.line")[line_id]
    so = env.table("sale.order")[ln["order_id"]]
    ln["state"] = so["state"]
    if so["state"] == "sale":
        # A line added to a confirmed order goes to its open delivery at once.
        stock.create_delivery(env, so, [ln])
    refresh_order(env, ln["order_id"])


def _line_written(env: Env, line_id: int, vals: dict[str, Any]) -> None:
    ln = env.table("sale.order.line")[line_id]
    so = env.table("sale.order")[ln["order_id"]]
    if "product_uom_qty" in vals and so["state"] == "sale":
        moves = env.lookup("stock.move", "sale_line_id", line_id)
        open_moves = [m for m in moves if m["state"] not in ("done", "cancel")]
        delivered = sum(m["quantity"] for m in moves if m["state"] == "done")
        if open_moves:
            env.db.remember("stock.move", open_moves[0]["id"])
            open_moves[0]["product_uom_qty"] = max(0.0, ln["product_uom_qty"] - delivered)
            open_moves[0]["state"] = "confirmed" if open_moves[0]["quantity"] < open_moves[0][
                "product_uom_qty"] else open_moves[0]["state"]  # fmt: skip
            stock.reserve(env, [open_moves[0]["id"]])
    refresh_order(env, ln["order_id"])


line.on_create.append(_line_created)
line.on_write.append(_line_written)


# -- ORM overrides ---------------------------------------------------------------------------


@order.method(api_model=True)
def create(records: Records, vals_list: list[dict[str, Any]] | dict[str, Any]) -> Any:
    env = records.env
    single = isinstance(vals_list, dict)
    prepared = [_prepare_order(env, v) for v in ([vals_list] if single else vals_list)]
    ids = env.create("sale.order", prepared)
    return ids[0] if single else ids


@order.method()
def write(records: Records, vals: dict[str, Any]) -> bool:
    env = records.env
    orders = env.ensure("sale.order", env.existing("sale.order", records.ids))
    if "pricelist_id" in vals and any(o["state"] == "sale" for o in orders):
        raise UserError("You cannot change the pricelist of a confirmed order !")
    vals = dict(vals)
    if "order_line" in vals:
        vals["order_line"] = _prepare_commands(env, vals["order_line"] or [])
    env.write("sale.order", records.ids, vals)
    for o in orders:
        refresh_order(env, o["id"])
    return True


def _unlink_except_draft_or_cancel(env: Env, ids: list[int]) -> None:
    """sale.order's @api.ondelete check; its lines then go with it (ON DELETE CASCADE)."""
    for o in env.ensure("sale.order", ids):
        if o["state"] not in ("draft", "cancel"):
            raise UserError(
                "You can not delete a sent quotation or a confirmed sales order. "
                "You must first cancel it."
            )


order.on_unlink.append(_unlink_except_draft_or_cancel)


def _partner_unlink(env: Env, ids: list[int]) -> None:
    """sale's res.partner.unlink: the partner's draft and cancelled orders go first, so only
    a sent or confirmed order keeps the partner (sale_order_partner_id_fkey refuses)."""
    holders = [("partner_id", "in", ids), ("partner_invoice_id", "in", ids)]
    holders.append(("partner_shipping_id", "in", ids))
    domain = [("state", "in", ["draft", "cancel"]), "|", "|", *holders]
    env.unlink("sale.order", env.sudo_inactive().search("sale.order", domain, order="id"))


partner_model.on_unlink.insert(0, _partner_unlink)


@line.method("create", api_model=True)
def create_line(records: Records, vals_list: list[dict[str, Any]] | dict[str, Any]) -> Any:
    env = records.env
    single = isinstance(vals_list, dict)
    prepared = [_prepare_line(env, v) for v in ([vals_list] if single else vals_list)]
    ids = env.create("sale.order.line", prepared)
    return ids[0] if single else ids


@line.method("write")
def write_line(records: Records, vals: dict[str, Any]) -> bool:
    _check_locked(records.env, records.ids, vals)
    records.env.write("sale.order.line", records.ids, _round_prices(vals))
    return True


@line.method("unlink")
def unlink_line(records: Records) -> bool:
    env = records.env
    _check_unlink_lines(env, records.ids)
    orders = {ln["order_id"] for ln in env.ensure("sale.order.line", records.ids)}
    env.unlink("sale.order.line", records.ids)
    for oid in orders:
        refresh_order(env, oid)
    return True


# -- workflow --------------------------------------------------------------------------------


@order.method()
def action_confirm(records: Records) -> bool:
    """Confirms every order given in one call; one delivery per order for its goods."""
    env = records.env
    orders = env.ensure("sale.order", records.ids)
    for o in orders:
        if o["state"] not in ("draft", "sent"):
            raise UserError("Some orders are not in a state requiring confirmation.")
        lines = env.lookup("sale.order.line", "order_id", o["id"])
        if any(not ln.get("display_type") and not ln.get("is_downpayment")
               and not ln.get("product_id") for ln in lines):  # fmt: skip
            raise UserError("A line on these orders missing a product, you cannot confirm it.")
    stamp = now()
    for o in orders:
        env.db.remember("sale.order", o["id"])
        o.update(state="sale", date_order=stamp)
        lines = env.lookup("sale.order.line", "order_id", o["id"])
        stock.create_delivery(env, o, lines)
        refresh_order(env, o["id"])
    return True


@order.method()
def action_cancel(records: Records) -> Any:
    """A wizard action for confirmed orders unless `disable_cancel_warning` is in the context."""
    env = records.env
    orders = env.ensure("sale.order", records.ids)
    if any(o["locked"] for o in orders):
        raise UserError("You cannot cancel a locked order. Please unlock it first.")
    warn = not env.context.get("disable_cancel_warning") and any(
        o["state"] != "draft" for o in orders
    )
    if warn:
        if len(orders) != 1:
            raise WrongValue(f"Expected singleton: sale.order({', '.join(map(str, records.ids))})")
        return {
            "name": "Cancel Sales Order",
            "view_mode": "form",
            "res_model": "sale.order.cancel",
            "view_id": CANCEL_VIEW,
            "type": "ir.actions.act_window",
            "context": {
                "default_template_id": CANCEL_TEMPLATE,
                "default_order_id": orders[0]["id"],
                "mark_so_as_canceled": True,
                "default_email_layout_xmlid": (
                    "mail.mail_notification_layout_with_responsible_signature"
                ),
                "model_description": "Sales Order",
            },
            "target": "new",
        }
    for o in orders:
        pickings = [
            p["id"] for p in env.lookup("stock.picking", "sale_id", o["id"]) if p["state"] != "done"
        ]
        stock.cancel_pickings(env, pickings)
        moves = env.db.tables.get("account.move", {})
        for inv in o.get("invoice_ids") or []:
            if inv in moves and moves[inv].get("state") == "draft":
                env.db.remember("account.move", inv)
                moves[inv]["state"] = "cancel"
        env.db.remember("sale.order", o["id"])
        o["state"] = "cancel"
        refresh_order(env, o["id"])
    return True


@order.method()
def action_draft(records: Records) -> bool:
    env = records.env
    for o in env.ensure("sale.order", records.ids):
        if o["state"] in ("cancel", "sent"):
            env.db.remember("sale.order", o["id"])
            o["state"] = "draft"
            refresh_order(env, o["id"])
    return True


@order.method()
def action_lock(records: Records) -> None:
    records.env.write("sale.order", records.ids, {"locked": True})


@order.method()
def action_unlock(records: Records) -> None:
    records.env.write("sale.order", records.ids, {"locked": False})


# -- choose.delivery.carrier -----------------------------------------------------------------

chooser = Model(
    "choose.delivery.carrier",
    "Delivery Method Selection Wizard",
    {
        "order_id": fld("many2one", "Order", required=True, relation="sale.order"),
        "partner_id": fld("many2one", "Customer", relation="res.partner"),
        "carrier_id": fld(
            "many2one", "Shipping Method", required=True, relation="delivery.carrier"
        ),
        "delivery_price": fld("float", "Cost", default=0.0),
        "display_price": fld("float", "Price", default=0.0),
        "currency_id": fld("many2one", "Currency", relation="res.currency", default=USD),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
    },
    rec_name="carrier_id",
)


def _rate(env: Env, wizard_id: int) -> None:
    """A fixed-price carrier's rate, as the wizard's onchange fills it."""
    wiz = env.table("choose.delivery.carrier")[wizard_id]
    carrier = env.table("delivery.carrier")[wiz["carrier_id"]]
    wiz["partner_id"] = env.table("sale.order")[wiz["order_id"]]["partner_id"]
    if wiz["delivery_price"] == 0.0:
        wiz["delivery_price"] = wiz["display_price"] = carrier.get("fixed_price") or 0.0


chooser.on_create.append(_rate)


@chooser.method()
def button_confirm(records: Records) -> None:
    """Replaces the order's delivery line with one on the carrier's product; returns None."""
    env = records.env
    for wiz in env.ensure("choose.delivery.carrier", records.ids):
        oid = wiz["order_id"]
        so = env.table("sale.order")[oid]
        carrier = env.table("delivery.carrier")[wiz["carrier_id"]]
        lines = env.lookup("sale.order.line", "order_id", oid)
        old = [ln["id"] for ln in lines if ln.get("is_delivery")]
        if old and so["state"] != "sale":
            env.unlink("sale.order.line", old)
        sequence = max((ln["sequence"] for ln in lines), default=9) + 1
        vals = _prepare_line(env, {"product_id": carrier["product_id"]})
        vals.update(
            order_id=oid,
            name=carrier["name"],
            price_unit=float_round(wiz["delivery_price"]),
            product_uom_qty=1.0,
            is_delivery=True,
            sequence=sequence,
        )
        env.write("sale.order", [oid], {"carrier_id": carrier["id"]})
        env.create("sale.order.line", [vals])


MODELS = [order, line, chooser]
