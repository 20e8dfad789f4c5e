"""delivery.carrier (module stock_delivery in Odoo 18): a shipping method and its product."""

from __future__ import annotations

from sandbox.odoo.models.base import COMPANY
from sandbox.odoo.registry import Model, fld

carrier = Model(
    "delivery.carrier",
    "Shipping Methods",
    {
        "name": fld("char", "Delivery Method", required=True),
        "product_id": fld(
            "many2one", "Delivery Product", required=True, relation="product.product"
        ),
        "delivery_type": fld(
            "selection",
            "Provider",
            required=True,
            selection=("base_on_rule", "fixed"),
            default="fixed",
        ),
        "fixed_price": fld("float", "Fixed Price", default=0.0),
        "sequence": fld("integer", "Sequence", default=10),
        "company_id": fld("many2one", "Company", relation="res.company", default=COMPANY),
        "active": fld("boolean", "Active", default=True),
    },
    order="sequence, id",
)

MODELS = [carrier]
