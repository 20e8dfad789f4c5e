"""Inventory adjustments and on-hand / free / forecasted quantities, as Odoo 18's `stock`.

Counting is two steps, as in the Inventory > Physical Inventory screen: set a quant's
`inventory_quantity` (over RPC: `create` with context `inventory_mode`, which reuses
the product's quant at that location), then `action_apply_inventory`, which posts a
done move from or to Virtual Locations/Inventory adjustment and returns None. Creating
with `inventory_quantity_auto_apply` instead applies at once, in one call. A count left
pending while the stock moved is "outdated": applying it answers the conflict wizard.

Product quantities are computed when read, over the internal locations of every
warehouse, or of context `warehouse_id` / `location` (ids or lists, children included):
`qty_available` sums quants, `free_qty` takes their reservations off, and
`virtual_available` adds incoming and takes outgoing moves not yet done.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sandbox.odoo.exceptions import UserError
from sandbox.odoo.methods import Records
from sandbox.odoo.models import product, stock, variants
from sandbox.odoo.registry import Env, now

INVENTORY_LOSS = 14  # Virtual Locations/Inventory adjustment, product.property_stock_inventory
OPEN_MOVES = ("waiting", "confirmed", "partially_available", "assigned")
INVENTORY_FIELDS = (
    "product_id", "owner_id", "inventory_quantity", "inventory_quantity_auto_apply",
    "inventory_diff_quantity", "inventory_date", "user_id", "inventory_quantity_set",
    "is_outdated", "lot_id", "location_id", "package_id",
)  # fmt: skip
FORBIDDEN_WRITE = ("product_id", "location_id", "lot_id", "package_id", "owner_id")


# -- warehouses ------------------------------------------------------------------------------


def _warehouse_created(env: Env, wh_id: int) -> None:
    """A new warehouse gets its view location and its Stock location (CODE/Stock)."""
    wh = env.table("stock.warehouse")[wh_id]
    if wh.get("lot_stock_id"):
        return
    code = wh["code"]
    [view] = env.create(
        "stock.location",
        [{"name": code, "complete_name": code, "location_id": 1, "usage": "view"}],
    )
    [lot] = env.create(
        "stock.location",
        [{"name": "Stock", "complete_name": f"{code}/Stock", "location_id": view}],
    )
    env.write("stock.location", [view, lot], {"warehouse_id": wh_id})
    env.write("stock.warehouse", [wh_id], {"view_location_id": view, "lot_stock_id": lot})


stock.warehouse.on_create.append(_warehouse_created)


# -- quantities ------------------------------------------------------------------------------


def _ids(value: Any) -> list[int]:
    if value in (None, False):
        return []
    return [int(v) for v in value] if isinstance(value, list | tuple) else [int(value)]


def scope(env: Env) -> set[int]:
    """The internal locations counted, from context `location` or `warehouse_id`."""
    locations = env.table("stock.location")
    roots = _ids(env.context.get("location"))
    if not roots:
        warehouses = env.table("stock.warehouse")
        wanted = _ids(env.context.get("warehouse_id")) or [
            w["id"] for w in warehouses.values() if w.get("active", True)
        ]
        roots = [warehouses[w]["view_location_id"] for w in wanted if w in warehouses]
    inside: set[int] = set()
    for loc in locations.values():
        node: Any = loc["id"]
        while node:
            if node in roots:
                inside.add(loc["id"])
                break
            node = locations[node].get("location_id")
    return {i for i in inside if locations[i]["usage"] in ("internal", "transit")}


def refresh_products(env: Env, ids: list[int]) -> None:
    table = env.table("product.product")
    wanted = {i: dict.fromkeys(("qty", "free", "in", "out"), 0.0) for i in ids if i in table}
    if not wanted:
        return
    here = scope(env)
    for q in env.table("stock.quant").values():
        acc = wanted.get(q["product_id"])
        if acc is not None and q["location_id"] in here:
            acc["qty"] += q["quantity"]
            acc["free"] += q["quantity"] - q["reserved_quantity"]
    for m in env.table("stock.move").values():
        acc = wanted.get(m["product_id"])
        if acc is None or m["state"] not in OPEN_MOVES:
            continue
        src, dest = m["location_id"] in here, m["location_dest_id"] in here
        if dest and not src:
            acc["in"] += m["product_uom_qty"]
        elif src and not dest:
            acc["out"] += m["product_uom_qty"]
    for pid, acc in wanted.items():
        table[pid].update(
            qty_available=acc["qty"],
            free_qty=acc["free"],
            incoming_qty=acc["in"],
            outgoing_qty=acc["out"],
            virtual_available=acc["qty"] + acc["in"] - acc["out"],
        )


def _outdated(q: dict[str, Any]) -> bool:
    counted = q["inventory_quantity"] - q["inventory_diff_quantity"]
    return bool(q["inventory_quantity_set"]) and abs(counted - q["quantity"]) > 1e-9


def refresh_quants(env: Env, ids: list[int]) -> None:
    table = env.table("stock.quant")
    locations = env.table("stock.location")
    for qid in ids:
        q = table.get(qid)
        if q is None:
            continue
        q["available_quantity"] = q["quantity"] - q["reserved_quantity"]
        q["inventory_quantity_auto_apply"] = q["quantity"]
        q["is_outdated"] = _outdated(q)
        q["warehouse_id"] = locations[q["location_id"]].get("warehouse_id") or False


variants.computed(
    product.variant,
    ("qty_available", "free_qty", "virtual_available", "incoming_qty", "outgoing_qty"),
    refresh_products,
    variants.active_variants,
)
variants.computed(
    stock.quant,
    ("available_quantity", "inventory_quantity_auto_apply", "is_outdated", "warehouse_id"),
    refresh_quants,
)


# -- counting and applying -------------------------------------------------------------------


def _quant_created(env: Env, qid: int) -> None:
    q = env.table("stock.quant")[qid]
    q["inventory_diff_quantity"] = q["inventory_quantity"] - q["quantity"]
    if q["location_id"] and env.table("stock.location")[q["location_id"]]["usage"] == "internal":
        # The next yearly count (company default: 31 December).
        q["inventory_date"] = q.get("inventory_date") or f"{date.today().year}-12-31"


def _quant_written(env: Env, qid: int, vals: dict[str, Any]) -> None:
    if env.context.get("inventory_mode") and set(FORBIDDEN_WRITE) & set(vals):
        raise UserError("Quant's editing is restricted, you can't do this operation.")
    q = env.table("stock.quant")[qid]
    if "inventory_quantity" in vals:
        q["inventory_diff_quantity"] = q["inventory_quantity"] - q["quantity"]
        q["inventory_quantity_set"] = vals.get("inventory_quantity_set", True)
    if "inventory_quantity_auto_apply" in vals and env.context.get("inventory_mode"):
        count = float(vals["inventory_quantity_auto_apply"] or 0.0)
        if count != q["quantity"]:
            q["inventory_quantity"] = count
            q["inventory_diff_quantity"] = count - q["quantity"]
            _apply(env, [qid])
            q["inventory_quantity_set"] = False


stock.quant.on_create.append(_quant_created)
stock.quant.on_write.append(_quant_written)


@stock.quant.method("create", api_model=True)
def create(records: Records, vals_list: list[dict[str, Any]] | dict[str, Any]) -> Any:
    """In `inventory_mode`, a count is written on the product's quant there (made if none)."""
    env = records.env
    single = isinstance(vals_list, dict)
    out = []
    for vals in [vals_list] if single else list(vals_list):
        counting = {"inventory_quantity", "inventory_quantity_auto_apply"} & set(vals)
        if not (env.context.get("inventory_mode") and counting):
            out += env.create("stock.quant", [vals])
            continue
        if set(vals) - set(INVENTORY_FIELDS):
            raise UserError("Quant's creation is restricted, you can't do this operation.")
        vals = dict(vals)
        auto = "inventory_quantity_auto_apply" in vals
        count = vals.pop("inventory_quantity_auto_apply", False) or vals.pop(
            "inventory_quantity", False
        )
        vals.pop("inventory_quantity", None)
        found = [
            q["id"]
            for q in env.table("stock.quant").values()
            if q["product_id"] == vals["product_id"] and q["location_id"] == vals["location_id"]
        ]
        [qid] = found[:1] or env.create("stock.quant", [vals])
        if auto:
            env.write("stock.quant", [qid], {"inventory_quantity_auto_apply": count or 0.0})
        else:
            env.write(
                "stock.quant",
                [qid],
                {
                    "inventory_quantity": count or 0.0,
                    "user_id": vals.get("user_id", env.uid),
                    "inventory_date": date.today().isoformat(),
                },
            )
        out.append(qid)
    return out[0] if single else out


@stock.quant.method()
def action_apply_inventory(records: Records) -> Any:
    """Returns None when applied (no `result` over JSON-RPC, a marshal fault over XML-RPC)."""
    env = records.env
    quants = env.ensure("stock.quant", records.ids)
    if not env.context.get("set_inventory_quantity_auto_apply"):
        outdated = [q["id"] for q in quants if _outdated(q)]
        if outdated:
            return {
                "name": "Conflict in Inventory Adjustment",
                "type": "ir.actions.act_window",
                "view_mode": "form",
                "views": [[False, "form"]],
                "res_model": "stock.inventory.conflict",
                "target": "new",
                "context": {
                    **env.context,
                    "default_quant_ids": list(records.ids),
                    "default_quant_to_fix_ids": outdated,
                },
            }
    _apply(env, [q["id"] for q in quants])
    env.write("stock.quant", list(records.ids), {"inventory_quantity_set": False})
    return None


def _apply(env: Env, quant_ids: list[int]) -> None:
    """`_apply_inventory`: one done move per quant, from or to the inventory loss location."""
    table = env.table("stock.quant")
    stamp = now()
    for qid in quant_ids:
        q = table[qid]
        diff = q["inventory_diff_quantity"]
        if not diff and not q["inventory_quantity"] and not q["quantity"]:
            continue
        name = env.context.get("inventory_name") or (
            "Product Quantity Confirmed" if not diff else "Product Quantity Updated"
        )
        if q.get("user_id") and q["user_id"] != 1 and not env.context.get("inventory_name"):
            name += f" ({env.display_name('res.users', q['user_id'])})"
        src, dest = (
            (INVENTORY_LOSS, q["location_id"]) if diff > 0 else (q["location_id"], INVENTORY_LOSS)
        )
        env.create(
            "stock.move",
            [
                {
                    "name": name,
                    "reference": name,
                    "product_id": q["product_id"],
                    "product_uom_qty": abs(diff),
                    "quantity": abs(diff),
                    "location_id": src,
                    "location_dest_id": dest,
                    "state": "done",
                    "picked": True,
                    "is_inventory": True,
                    "date": stamp,
                }
            ],
        )
        env.db.remember("stock.quant", qid)
        q["quantity"] += diff
        loss = stock._quant(env, q["product_id"], INVENTORY_LOSS)
        loss["quantity"] -= diff
        q.update(
            inventory_quantity=0.0,
            inventory_diff_quantity=0.0,
            user_id=False,
            inventory_date=f"{date.today().year}-12-31",
        )


MODELS: list[Any] = []  # behaviour only: the fields live on stock.quant and product.product
