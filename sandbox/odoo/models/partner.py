"""res.country and res.country.state, and the partner fields that need them.

Countries and US states keep the ids of a real Odoo 18 database (the data file
order), so ids Bridge logs match a real server; Bridge itself looks them up by
code. res.partner lives in `base.py`; here are its address helpers.
"""

from __future__ import annotations

from typing import Any

from sandbox.odoo.models.base import complete_name, partner
from sandbox.odoo.registry import Env, Model, fld

country = Model(
    "res.country",
    "Country",
    {
        "name": fld("char", "Country Name", required=True),
        "code": fld("char", "Country Code", size=2),
        "phone_code": fld("integer", "Country Calling Code"),
        "state_ids": fld("one2many", "States", relation="res.country.state", inverse="country_id"),
    },
    order="name",
    uniques=[
        (("code",), "The operation cannot be completed: The code of the country must be unique!")
    ],
)

state = Model(
    "res.country.state",
    "Country state",
    {
        "country_id": fld("many2one", "Country", required=True, relation="res.country"),
        "name": fld("char", "State Name", required=True),
        "code": fld("char", "State Code", required=True),
    },
    order="country_id",
)
state.display_name = lambda env, rec: (
    f"{rec.get('name')} ({env.table('res.country')[rec['country_id']].get('code')})"
)

# (real id, ISO code, name) as on a fresh Odoo 18 database.
COUNTRIES = (
    (3, "AF", "Afghanistan"),
    (12, "AT", "Austria"),
    (13, "AU", "Australia"),
    (20, "BE", "Belgium"),
    (38, "CA", "Canada"),
    (43, "CH", "Switzerland"),
    (56, "CZ", "Czech Republic"),
    (57, "DE", "Germany"),
    (59, "DK", "Denmark"),
    (68, "ES", "Spain"),
    (70, "FI", "Finland"),
    (72, "FK", "Falkland Islands"),
    (75, "FR", "France"),
    (101, "IE", "Ireland"),
    (109, "IT", "Italy"),
    (113, "JP", "Japan"),
    (133, "LU", "Luxembourg"),
    (156, "MX", "Mexico"),
    (165, "NL", "Netherlands"),
    (166, "NO", "Norway"),
    (170, "NZ", "New Zealand"),
    (178, "PL", "Poland"),
    (183, "PT", "Portugal"),
    (196, "SE", "Sweden"),
    (231, "GB", "United Kingdom"),
    (233, "US", "United States"),
    (234, "UY", "Uruguay"),
)
US_STATES = (
    (9, "AL", "Alabama"),
    (10, "AK", "Alaska"),
    (11, "AZ", "Arizona"),
    (12, "AR", "Arkansas"),
    (13, "CA", "California"),
    (14, "CO", "Colorado"),
    (15, "CT", "Connecticut"),
    (16, "DE", "Delaware"),
    (17, "DC", "District of Columbia"),
    (18, "FL", "Florida"),
    (19, "GA", "Georgia"),
    (20, "HI", "Hawaii"),
    (21, "ID", "Idaho"),
    (22, "IL", "Illinois"),
    (23, "IN", "Indiana"),
    (24, "IA", "Iowa"),
    (25, "KS", "Kansas"),
    (26, "KY", "Kentucky"),
    (27, "LA", "Louisiana"),
    (28, "ME", "Maine"),
    (29, "MT", "Montana"),
    (30, "NE", "Nebraska"),
    (31, "NV", "Nevada"),
    (32, "NH", "New Hampshire"),
    (33, "NJ", "New Jersey"),
    (34, "NM", "New Mexico"),
    (35, "NY", "New York"),
    (36, "NC", "North Carolina"),
    (37, "ND", "North Dakota"),
    (38, "OH", "Ohio"),
    (39, "OK", "Oklahoma"),
    (40, "OR", "Oregon"),
    (41, "MD", "Maryland"),
    (42, "MA", "Massachusetts"),
    (43, "MI", "Michigan"),
    (44, "MN", "Minnesota"),
    (45, "MS", "Mississippi"),
    (46, "MO", "Missouri"),
    (47, "PA", "Pennsylvania"),
    (48, "RI", "Rhode Island"),
    (49, "SC", "South Carolina"),
    (50, "SD", "South Dakota"),
    (51, "TN", "Tennessee"),
    (52, "TX", "Texas"),
    (53, "UT", "Utah"),
    (54, "VT", "Vermont"),
    (55, "VA", "Virginia"),
    (56, "WA", "Washington"),
    (57, "WV", "West Virginia"),
    (58, "WI", "Wisconsin"),
    (59, "WY", "Wyoming"),
    (60, "AS", "American Samoa"),
    (61, "FM", "Federated States of Micronesia"),
    (62, "GU", "Guam"),
    (63, "MH", "Marshall Islands"),
    (64, "MP", "Northern Mariana Islands"),
    (65, "PW", "Palau"),
    (66, "PR", "Puerto Rico"),
    (67, "VI", "Virgin Islands"),
    (68, "AA", "Armed Forces Americas"),
    (69, "AE", "Armed Forces Europe"),
    (70, "AP", "Armed Forces Pacific"),
)


def _create_with_id(env: Env, model: str, rid: int, vals: dict[str, Any]) -> None:
    """Create one record with the id it has on a real database (ids only grow)."""
    env.db.sequences[model] = max(env.db.sequences[model], rid - 1)
    env.create(model, [vals])


def seed(env: Env) -> None:
    for rid, code, name in COUNTRIES:
        _create_with_id(env, "res.country", rid, {"code": code, "name": name})
    us = next(rid for rid, code, _ in COUNTRIES if code == "US")
    for rid, code, name in US_STATES:
        _create_with_id(
            env, "res.country.state", rid, {"code": code, "name": name, "country_id": us}
        )
    env.db.sequences["res.country"] = max(env.db.sequences["res.country"], 250)


def address_get(env: Env, partner_id: int, kinds: tuple[str, ...]) -> dict[str, int]:
    """Odoo's res.partner.address_get: the first child contact of each type, else the partner."""
    partners = env.table("res.partner")
    commercial = partner_id
    while partners[commercial].get("parent_id") and not partners[commercial].get("is_company"):
        commercial = partners[commercial]["parent_id"]
    found: dict[str, int] = {}
    for kind in kinds:
        for pid in (partner_id, commercial):
            rec = partners[pid]
            if rec.get("type") == kind:
                found[kind] = pid
                break
            kids = [
                c["id"]
                for c in env.lookup("res.partner", "parent_id", pid)
                if c.get("type") == kind and c.get("active", True)
            ]
            if kids:
                found[kind] = kids[0]
                break
        found.setdefault(kind, partner_id)
    return found


MODELS = [country, state]


def _sync_company(env: Env, partner_id: int, vals: dict[str, Any] | None) -> None:
    """company_type and is_company mirror each other; commercial_partner_id follows parents."""
    partners = env.table("res.partner")
    rec = partners[partner_id]
    env.db.remember("res.partner", partner_id)
    if vals is None:  # create: either field set to "company" makes a company
        rec["is_company"] = bool(rec.get("is_company")) or rec.get("company_type") == "company"
    elif "company_type" in vals and "is_company" not in vals:
        rec["is_company"] = rec["company_type"] == "company"
    rec["company_type"] = "company" if rec.get("is_company") else "person"
    commercial = partner_id
    while partners[commercial].get("parent_id") and not partners[commercial].get("is_company"):
        commercial = partners[commercial]["parent_id"]
    rec["commercial_partner_id"] = commercial
    top = partners[commercial]
    rec["commercial_company_name"] = (
        top.get("name", False) if top.get("is_company") else rec.get("company_name", False)
    )
    rec["complete_name"] = complete_name(env, rec)
    for child in [c["id"] for c in env.lookup("res.partner", "parent_id", partner_id)]:
        if child != partner_id:
            _sync_company(env, child, {})


partner.on_create.append(lambda env, rid: _sync_company(env, rid, None))
partner.on_write.append(_sync_company)
