"""stock.*: the one warehouse of a fresh database, delivery orders and their moves.

Only what a confirmed sales order needs: `action_confirm` on sale.order makes one
delivery (WH/OUT/00001) per order with one move per product line, reserved at
once for products without inventory tracking and from `stock.quant` for storable
ones. `button_validate` follows Odoo 18: quantities written on the moves (and
`picked`) are what is delivered; less than demanded returns the backorder wizard
action unless the context already says what to do (`skip_backorder`, with
`picking_ids_not_to_backorder` for "no backorder"), as the wizard itself does.
"""

from __future__ import annotations

from typing import Any

from sandbox.odoo.exceptions import UserError
from sandbox.odoo.methods import Records
from sandbox.odoo.models import product
from sandbox.odoo.models.base import COMPANY
from sandbox.odoo.registry import Env, Model, fld, now

# Ids as on a fresh Odoo 18 database with stock installed.
WAREHOUSE, STOCK_LOCATION, CUSTOMERS, OUT_TYPE = 1, 8, 5, 2
PICKING_STATES = ("draft", "waiting", "confirmed", "assigned", "done", "cancel")
MOVE_STATES = ("draft", "waiting", "confirmed", "partially_available", "assigned", "done", "cancel")
BACKORDER_VIEW = 892  # stock.view_backorder_confirmation on the real database

warehouse = Model(
    "stock.warehouse",
    "Warehouse",
    {
        "name": fld("char", "Warehouse", required=True),
        "code": fld("char", "Short Name", required=True, size=5),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
        "view_location_id": fld("many2one", "View Location", relation="stock.location"),
        "lot_stock_id": fld("many2one", "Location Stock", relation="stock.location"),
        "sequence": fld("integer", "Sequence", default=10),
        "active": fld("boolean", "Active", default=True),
    },
    order="id",
)

location = Model(
    "stock.location",
    "Inventory Locations",
    {
        "name": fld("char", "Location Name", required=True),
        "complete_name": fld("char", "Full Location Name"),
        "location_id": fld("many2one", "Parent Location", relation="stock.location"),
        "usage": fld(
            "selection",
            "Location Type",
            required=True,
            selection=(
                "supplier",
                "view",
                "internal",
                "customer",
                "inventory",
                "production",
                "transit",
            ),
            default="internal",
        ),  # fmt: skip
        "warehouse_id": fld("many2one", "Warehouse", relation="stock.warehouse"),
        "company_id": fld("many2one", "Company", relation="res.company"),
        "active": fld("boolean", "Active", default=True),
    },
    rec_name="complete_name",
    order="complete_name, id",
)

picking_type = Model(
    "stock.picking.type",
    "Picking Type",
    {
        "name": fld("char", "Operation Type", required=True),
        "code": fld(
            "selection",
            "Type of Operation",
            required=True,
            selection=("incoming", "outgoing", "internal"),
        ),
        "sequence_code": fld("char", "Sequence Prefix", required=True),
        "warehouse_id": fld("many2one", "Warehouse", relation="stock.warehouse"),
        "default_location_src_id": fld(
            "many2one", "Default Source Location", relation="stock.location"
        ),
        "default_location_dest_id": fld(
            "many2one", "Default Destination Location", relation="stock.location"
        ),
        "create_backorder": fld(
            "selection",
            "Create Backorder",
            selection=("ask", "always", "never"),
            default="ask",
        ),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
        "sequence": fld("integer", "Sequence"),
        "is_favorite": fld("boolean", "Show Operations", default=False),
        "active": fld("boolean", "Active", default=True),
    },
    order="id",
)


def _type_display_name(env: Env, rec: dict[str, Any]) -> str:
    wh = rec.get("warehouse_id")
    name = rec.get("name") or ""
    return f"{env.display_name('stock.warehouse', wh)}: {name}" if wh else name


picking_type.display_name = _type_display_name

picking = Model(
    "stock.picking",
    "Transfer",
    {
        "name": fld("char", "Reference", default="/"),
        "origin": fld("char", "Source Document"),
        "partner_id": fld("many2one", "Contact", relation="res.partner"),
        "picking_type_id": fld(
            "many2one", "Operation Type", required=True, relation="stock.picking.type"
        ),
        "location_id": fld("many2one", "Source Location", relation="stock.location"),
        "location_dest_id": fld("many2one", "Destination Location", relation="stock.location"),
        "state": fld("selection", "Status", selection=PICKING_STATES, default="draft"),
        "move_ids": fld("one2many", "Stock Moves", relation="stock.move", inverse="picking_id"),
        "sale_id": fld("many2one", "Sales Order", relation="sale.order"),
        "carrier_id": fld("many2one", "Carrier", relation="delivery.carrier"),
        "carrier_tracking_ref": fld("char", "Tracking Reference"),
        "scheduled_date": fld("datetime", "Scheduled Date", default=lambda env: now()),
        "date_deadline": fld("datetime", "Deadline"),
        "date_done": fld("datetime", "Date of Transfer"),
        "backorder_id": fld("many2one", "Back Order of", relation="stock.picking"),
        "backorder_ids": fld(
            "one2many", "Back Orders", relation="stock.picking", inverse="backorder_id"
        ),
        "move_type": fld(
            "selection", "Shipping Policy", selection=("direct", "one"), default="direct"
        ),
        "priority": fld("selection", "Priority", selection=("0", "1"), default="0"),
        "user_id": fld("many2one", "Responsible", relation="res.users"),
        "note": fld("html", "Notes"),
        "is_locked": fld("boolean", "Is Locked", default=True),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
    },
    order="priority desc, scheduled_date asc, id desc",
)

move = Model(
    "stock.move",
    "Stock Move",
    {
        "name": fld("char", "Description", required=True),
        "sequence": fld("integer", "Sequence", default=10),
        "product_id": fld("many2one", "Product", required=True, relation="product.product"),
        "product_uom_qty": fld("float", "Demand", default=0.0),
        "quantity": fld("float", "Quantity", default=0.0),
        "picked": fld("boolean", "Picked", default=False),
        "state": fld("selection", "Status", selection=MOVE_STATES, default="draft"),
        "picking_id": fld("many2one", "Transfer", relation="stock.picking"),
        "picking_type_id": fld("many2one", "Operation Type", relation="stock.picking.type"),
        "location_id": fld("many2one", "Source Location", required=True, relation="stock.location"),
        "location_dest_id": fld(
            "many2one", "Destination Location", required=True, relation="stock.location"
        ),
        "partner_id": fld("many2one", "Destination Address", relation="res.partner"),
        "sale_line_id": fld("many2one", "Sale Line", relation="sale.order.line"),
        "origin": fld("char", "Source Document"),
        "reference": fld("char", "Reference"),
        "date": fld("datetime", "Date Scheduled", default=lambda env: now()),
        "procure_method": fld(
            "selection",
            "Supply Method",
            selection=("make_to_stock", "make_to_order"),
            default="make_to_stock",
        ),
        "is_inventory": fld("boolean", "Inventory", default=False),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
    },
    order="id",
)

quant = Model(
    "stock.quant",
    "Quants",
    {
        "product_id": fld("many2one", "Product", required=True, relation="product.product"),
        "location_id": fld("many2one", "Location", required=True, relation="stock.location"),
        "quantity": fld("float", "Quantity", default=0.0),
        "reserved_quantity": fld("float", "Reserved Quantity", default=0.0),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
        # Inventory adjustments (models/inventory.py).
        "warehouse_id": fld("many2one", "Warehouse", relation="stock.warehouse"),
        "available_quantity": fld("float", "Available Quantity"),
        "inventory_quantity": fld("float", "Counted Quantity", default=0.0),
        "inventory_quantity_auto_apply": fld("float", "Inventoried Quantity"),
        "inventory_diff_quantity": fld("float", "Difference", default=0.0),
        "inventory_quantity_set": fld("boolean", "Inventory Quantity Set", default=False),
        "is_outdated": fld("boolean", "Quantity has been moved since last count"),
        "inventory_date": fld("date", "Scheduled Date"),
        "user_id": fld("many2one", "Assigned To", relation="res.users"),
    },
)


# -- helpers used by sale.order ---------------------------------------------------------------


def next_name(env: Env, type_id: int) -> str:
    """WH/OUT/00001...: a PostgreSQL sequence, so a rolled-back call leaves a gap, as in Odoo."""
    ptype = env.table("stock.picking.type")[type_id]
    wh = env.table("stock.warehouse").get(ptype.get("warehouse_id"))
    key = f"ir.sequence:stock.picking.type:{type_id}"
    number = env.db.sequences.get(key, 0) + 1
    env.db.sequences[key] = number
    prefix = f"{wh['code']}/" if wh else ""
    return f"{prefix}{ptype['sequence_code']}/{number:05d}"


def create_delivery(env: Env, order: dict[str, Any], lines: list[dict[str, Any]]) -> int | None:
    """The delivery order for `lines` (product lines of consumables), as procurement makes it."""
    products = env.table("product.product")
    stockable = [
        line
        for line in lines
        if line.get("product_id")
        and not line.get("display_type")
        and env.value("product.product", products[line["product_id"]], "type") == "consu"
        and line.get("product_uom_qty", 0) > 0
    ]
    if not stockable:
        return None
    origin = order["name"]
    if order.get("client_order_ref"):
        origin = f"{origin} - {order['client_order_ref']}"
    open_picking = [
        p
        for p in env.lookup("stock.picking", "sale_id", order["id"])
        if p["state"] not in ("done", "cancel")
    ]
    stamp = now()
    if open_picking:
        pid = open_picking[0]["id"]
    else:
        [pid] = env.create(
            "stock.picking",
            [
                {
                    "name": next_name(env, OUT_TYPE),
                    "origin": origin,
                    "partner_id": order.get("partner_shipping_id") or order["partner_id"],
                    "picking_type_id": OUT_TYPE,
                    "location_id": STOCK_LOCATION,
                    "location_dest_id": CUSTOMERS,
                    "sale_id": order["id"],
                    "carrier_id": order.get("carrier_id") or False,
                    "scheduled_date": stamp,
                    "date_deadline": stamp,
                    "state": "confirmed",
                }
            ],
        )
    picking_rec = env.table("stock.picking")[pid]
    move_ids = env.create(
        "stock.move",
        [
            {
                "name": env.display_name("product.product", line["product_id"]),
                "product_id": line["product_id"],
                "product_uom_qty": line["product_uom_qty"],
                "picking_id": pid,
                "picking_type_id": OUT_TYPE,
                "location_id": STOCK_LOCATION,
                "location_dest_id": CUSTOMERS,
                "partner_id": picking_rec["partner_id"],
                "sale_line_id": line["id"],
                "origin": picking_rec["origin"],
                "reference": picking_rec["name"],
                "date": stamp,
                "state": "confirmed",
            }
            for line in stockable
        ],
    )
    reserve(env, move_ids)
    return pid


def _storable(env: Env, product_id: int) -> bool:
    rec = env.table("product.product")[product_id]
    return bool(env.value("product.product", rec, "is_storable"))


def _quant(env: Env, product_id: int, location_id: int) -> dict[str, Any]:
    for q in env.lookup("stock.quant", "product_id", product_id):
        if q["location_id"] == location_id:
            env.db.remember("stock.quant", q["id"])
            return q
    [qid] = env.create("stock.quant", [{"product_id": product_id, "location_id": location_id}])
    return env.table("stock.quant")[qid]


def picking_moves(env: Env, picking_ids: list[int]) -> list[dict[str, Any]]:
    """The moves of these pickings, in id order."""
    moves = env.table("stock.move")
    found = {mid for pid in picking_ids for mid in env.db.lookup("stock.move", "picking_id", pid)}
    return [moves[mid] for mid in sorted(found)]


def reserve(env: Env, move_ids: list[int]) -> None:
    """Reserve what is available: all of it for untracked products, quants for storable ones."""
    moves = env.table("stock.move")
    for mid in move_ids:
        mv = moves[mid]
        if mv["state"] in ("done", "cancel", "assigned"):
            continue
        env.db.remember("stock.move", mid)
        missing = mv["product_uom_qty"] - mv["quantity"]
        if _storable(env, mv["product_id"]):
            q = _quant(env, mv["product_id"], mv["location_id"])
            take = max(0.0, min(missing, q["quantity"] - q["reserved_quantity"]))
            q["reserved_quantity"] += take
        else:
            take = missing
        mv["quantity"] += take
        mv["state"] = _reserved_state(mv)
    _refresh_pickings(env, {moves[m]["picking_id"] for m in move_ids})


def _reserved_state(mv: dict[str, Any]) -> str:
    if mv["quantity"] >= mv["product_uom_qty"] > 0:
        return "assigned"
    return "partially_available" if mv["quantity"] > 0 else "confirmed"


def _refresh_pickings(env: Env, picking_ids: set[int]) -> None:
    """stock.picking._compute_state for the 'direct' shipping policy."""
    pickings = env.table("stock.picking")
    for pid in picking_ids:
        if not pid or pid not in pickings:
            continue
        states = [m["state"] for m in env.lookup("stock.move", "picking_id", pid)]
        pick = pickings[pid]
        env.db.remember("stock.picking", pid)
        if not states:
            state = pick["state"] if pick["state"] in ("cancel", "done") else "draft"
        elif all(s == "cancel" for s in states):
            state = "cancel"
        elif all(s in ("done", "cancel") for s in states):
            state = "done"
        elif any(s == "draft" for s in states):
            state = "draft"
        elif any(s in ("assigned", "partially_available") for s in states):
            state = "assigned"
        else:
            state = "confirmed"
        pick["state"] = state


def cancel_pickings(env: Env, picking_ids: list[int]) -> None:
    for mv in picking_moves(env, picking_ids):
        if mv["state"] not in ("done", "cancel"):
            _unreserve(env, mv)
            env.db.remember("stock.move", mv["id"])
            mv.update(state="cancel", quantity=0.0, picked=False)
    for pid in picking_ids:
        env.db.remember("stock.picking", pid)
        env.table("stock.picking")[pid]["state"] = "cancel"
    _refresh_pickings(env, set(picking_ids))


def _unreserve(env: Env, mv: dict[str, Any]) -> None:
    if _storable(env, mv["product_id"]) and mv["quantity"]:
        q = _quant(env, mv["product_id"], mv["location_id"])
        q["reserved_quantity"] = max(0.0, q["reserved_quantity"] - mv["quantity"])


def _touch_sales(env: Env, picking_ids: list[int]) -> None:
    from sandbox.odoo.models import sale  # sale imports this module

    orders = {env.table("stock.picking")[p].get("sale_id") for p in picking_ids}
    for oid in orders - {False, None}:
        sale.refresh_order(env, oid)


# -- methods ---------------------------------------------------------------------------------


def _on_move_write(env: Env, move_id: int, vals: dict[str, Any]) -> None:
    """Writing a quantity by hand makes the move (partially) available, as move lines do."""
    mv = env.table("stock.move")[move_id]
    if "quantity" in vals and mv["state"] not in ("done", "cancel", "draft"):
        mv["state"] = _reserved_state(mv)
        _refresh_pickings(env, {mv["picking_id"]})


move.on_write.append(_on_move_write)


@picking.method()
def action_confirm(records: Records) -> bool:
    env = records.env
    moves = picking_moves(env, records.ids)
    for mv in moves:
        if mv["state"] == "draft":
            env.db.remember("stock.move", mv["id"])
            mv["state"] = "confirmed"
    reserve(env, [m["id"] for m in moves])
    return True


@picking.method()
def action_assign(records: Records) -> bool:
    env = records.env
    reserve(env, [m["id"] for m in picking_moves(env, records.ids)])
    return True


@picking.method()
def action_cancel(records: Records) -> bool:
    env = records.env
    cancel_pickings(env, env.existing("stock.picking", records.ids))
    _touch_sales(env, records.ids)
    return True


@picking.method()
def button_validate(records: Records) -> Any:
    env = records.env
    pickings = env.ensure("stock.picking", records.ids)
    moves_of = {p["id"]: env.lookup("stock.move", "picking_id", p["id"]) for p in pickings}
    draft = [p["id"] for p in pickings if p["state"] == "draft"]
    if draft:
        action_confirm(Records(env, "stock.picking", draft))
    _sanity_check(pickings, moves_of)
    for p in pickings:
        todo = [m for m in moves_of[p["id"]] if m["state"] not in ("done", "cancel")]
        if any(m["quantity"] for m in todo) and not any(m["picked"] for m in todo):
            for m in todo:
                env.db.remember("stock.move", m["id"])
                m["picked"] = True
    if not env.context.get("skip_backorder"):
        ask = [p for p in pickings if _needs_backorder(env, p, moves_of[p["id"]])]
        if ask:
            context = {
                "button_validate_picking_ids": env.context.get(
                    "button_validate_picking_ids", list(records.ids)
                ),
                **{k: v for k, v in env.context.items() if k != "button_validate_picking_ids"},
                "default_show_transfers": len(pickings) > 1,
                "default_pick_ids": [[4, p["id"]] for p in ask],
            }
            return {
                "name": "Create Backorder?",
                "type": "ir.actions.act_window",
                "view_mode": "form",
                "res_model": "stock.backorder.confirmation",
                "views": [[BACKORDER_VIEW, "form"]],
                "view_id": BACKORDER_VIEW,
                "target": "new",
                "context": context,
            }
    no_backorder = set(env.context.get("picking_ids_not_to_backorder") or [])
    for p in pickings:
        ptype = env.table("stock.picking.type")[p["picking_type_id"]]
        cancel_rest = ptype["create_backorder"] == "never" or (
            p["id"] in no_backorder and ptype["create_backorder"] != "always"
        )
        _done(env, p, moves_of[p["id"]], cancel_rest)
    _touch_sales(env, records.ids)
    return True


def _sanity_check(pickings: list[dict[str, Any]], moves_of: dict[int, list[Any]]) -> None:
    for p in pickings:
        if not moves_of[p["id"]]:
            raise UserError(
                "You can’t validate an empty transfer. Please add some products to move "
                "before proceeding."
            )
        todo = [m for m in moves_of[p["id"]] if m["state"] not in ("done", "cancel")]
        if all(not m["quantity"] for m in todo):
            raise UserError(
                "You cannot validate a transfer if no quantities are reserved. "
                "To force the transfer, encode quantities."
            )


def _needs_backorder(env: Env, p: dict[str, Any], moves: list[dict[str, Any]]) -> bool:
    """stock.picking._check_backorder."""
    if env.table("stock.picking.type")[p["picking_type_id"]]["create_backorder"] != "ask":
        return False
    return any(
        (m["product_uom_qty"] and not m["picked"])
        or (m["quantity"] if m["picked"] else 0.0) < m["product_uom_qty"]
        for m in moves
        if m["state"] != "cancel"
    )


def _done(env: Env, p: dict[str, Any], moves: list[dict[str, Any]], cancel_rest: bool) -> None:
    """Move what was picked; the rest goes to a backorder, or nowhere (cancel_backorder)."""
    rest: list[tuple[dict[str, Any], float]] = []
    for m in moves:
        if m["state"] in ("done", "cancel"):
            continue
        env.db.remember("stock.move", m["id"])
        done_qty = m["quantity"] if m["picked"] else 0.0
        _unreserve(env, m)
        if done_qty <= 0:
            if cancel_rest:
                m.update(state="cancel", quantity=0.0)
            else:
                rest.append((m, m["product_uom_qty"]))
            continue
        if done_qty < m["product_uom_qty"] and not cancel_rest:
            rest.append((m, m["product_uom_qty"] - done_qty))
            m["product_uom_qty"] = done_qty
        m.update(state="done", quantity=done_qty, picked=True)
        if _storable(env, m["product_id"]):
            _quant(env, m["product_id"], m["location_id"])["quantity"] -= done_qty
            _quant(env, m["product_id"], m["location_dest_id"])["quantity"] += done_qty
    env.db.remember("stock.picking", p["id"])
    p["date_done"] = now()
    if rest:
        _backorder(env, p, rest)
    _refresh_pickings(env, {p["id"]})


def _backorder(env: Env, p: dict[str, Any], rest: list[tuple[dict[str, Any], float]]) -> None:
    fields = ("origin", "partner_id", "picking_type_id", "location_id", "location_dest_id",
              "sale_id", "carrier_id", "scheduled_date", "date_deadline", "move_type")  # fmt: skip
    [bid] = env.create(
        "stock.picking",
        [
            {
                **{f: p.get(f) for f in fields},
                "name": next_name(env, p["picking_type_id"]),
                "backorder_id": p["id"],
                "state": "confirmed",
            }
        ],
    )
    name = env.table("stock.picking")[bid]["name"]
    new_moves = []
    for m, qty in rest:
        if m["state"] == "done":
            keep = ("name", "product_id", "picking_type_id", "location_id", "location_dest_id",
                    "partner_id", "sale_line_id", "origin", "date", "procure_method")  # fmt: skip
            vals = {f: m.get(f) for f in keep}
            new_moves += env.create(
                "stock.move",
                [{**vals, "product_uom_qty": qty, "picking_id": bid, "reference": name,
                  "state": "confirmed"}],
            )  # fmt: skip
        else:
            m.update(picking_id=bid, reference=name, picked=False, quantity=0.0, state="confirmed")
            new_moves.append(m["id"])
    reserve(env, new_moves)


MODELS = [warehouse, location, picking_type, picking, move, quant]


def seed(env: Env) -> None:
    """The warehouse, locations and picking types of a fresh database, with their real ids."""
    locations = (
        # id, name, parent, usage
        (1, "Physical Locations", False, "view"),
        (2, "Partners", False, "view"),
        (3, "Virtual Locations", False, "view"),
        (4, "Vendors", 2, "supplier"),
        (5, "Customers", 2, "customer"),
        (7, "WH", 1, "view"),
        (8, "Stock", 7, "internal"),
        (14, "Inventory adjustment", 3, "inventory"),
        (15, "Production", 3, "production"),
        (16, "Scrap", 3, "inventory"),
    )
    table = env.table("stock.location")
    for rid, name, parent, usage in locations:
        env.db.sequences["stock.location"] = rid - 1
        full = f"{table[parent]['complete_name']}/{name}" if parent else name
        if parent == 1:  # a warehouse view location hangs under Physical Locations unnamed
            full = name
        env.create(
            "stock.location",
            [{"name": name, "complete_name": full, "location_id": parent, "usage": usage}],
        )
    env.db.sequences["stock.location"] = 16
    env.create(
        "stock.warehouse",
        [
            {
                "name": "My Company",
                "code": "WH",
                "view_location_id": 7,
                "lot_stock_id": STOCK_LOCATION,
            }
        ],
    )
    for rid in (7, 8):
        table[rid]["warehouse_id"] = WAREHOUSE
    env.create(
        "stock.picking.type",
        [
            {
                "name": "Receipts",
                "sequence": 1,
                "code": "incoming",
                "sequence_code": "IN",
                "warehouse_id": WAREHOUSE,
                "default_location_src_id": 4,
                "default_location_dest_id": STOCK_LOCATION,
            },
            {
                "name": "Delivery Orders",
                "sequence": 7,
                "code": "outgoing",
                "sequence_code": "OUT",
                "warehouse_id": WAREHOUSE,
                "default_location_src_id": STOCK_LOCATION,
                "default_location_dest_id": CUSTOMERS,
            },
        ],
    )


# -- product.template.write: stock's inventory tracking guard --------------------------------------

TRACKING_USED = "You can not change the inventory tracking of a product that was already used."
TRACKING_RESERVED = (
    "You can not change the inventory tracking of a product that is currently reserved on a "
    "stock move. If you need to change the inventory tracking, you should first unreserve the "
    "stock move."
)


@product.template.method("write")
def template_write(records: Records, vals: dict[str, Any]) -> bool:
    """stock's `product.template.write` (addons/stock/models/product.py): `is_storable` cannot
    change on a product with done moves, nor on one with reserved moves. Odoo looks at move
    lines; here a move's own state stands for its lines (done; assigned/partially_available)."""
    env = records.env
    if "is_storable" in vals:
        templates = env.ensure("product.template", env.existing("product.template", records.ids))
        wanted = bool(vals["is_storable"])
        changed = [t["id"] for t in templates if wanted != bool(t["is_storable"])]
        states = {
            m["state"]
            for tid in changed
            for vid in env.db.lookup("product.product", "product_tmpl_id", tid)
            for m in env.lookup("stock.move", "product_id", vid)
        }
        if "done" in states:
            raise UserError(TRACKING_USED)
        if states & {"assigned", "partially_available"}:
            raise UserError(TRACKING_RESERVED)
    env.write("product.template", records.ids, vals)
    return True
