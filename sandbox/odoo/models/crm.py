"""crm.team: sales teams (module sales_team, installed with sale)."""

from __future__ import annotations

from sandbox.odoo.registry import Model, fld

team = Model(
    "crm.team",
    "Sales Team",
    {
        "name": fld("char", "Sales Team", required=True),
        "sequence": fld("integer", "Sequence", default=10),
        "company_id": fld("many2one", "Company", relation="res.company"),
        "user_id": fld("many2one", "Team Leader", relation="res.users"),
        "active": fld("boolean", "Active", default=True),
    },
    order="sequence, create_date desc, id desc",
)

MODELS = [team]
