"""`order` as Odoo 18 reads it (`BaseModel._order_to_sql`) and PostgreSQL sorts it.

A spec is checked against Odoo's `regex_order` ("Invalid "order" specified ..." is a
UserError), each field must exist ("Invalid field 'x' on model 'y'", a ValueError) and be
stored. Terms sort as PostgreSQL does in a database created by Odoo (collation C, so
text compares by code point): NULLs last ascending and first descending unless
`nulls first|last` says otherwise; booleans as COALESCE(x, false); a many2one by its
comodel's own `_order` (`partner_id` sorts by the partners' `complete_name, id desc`),
`x_id.id` by the raw id. Ties keep id order (a fresh heap's order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.odoo.exceptions import UserError, python_error

if TYPE_CHECKING:
    from sandbox.odoo.registry import Env, Record

REGEX_ORDER = re.compile(
    r"""
    ^
    (\s*
        (?P<term>((?P<field>[a-z0-9_]+|"[a-z0-9_]+")(\.(?P<property>[a-z0-9_]+))?(:(?P<func>[a-z_]+))?))
        (\s+(?P<direction>desc|asc))?
        (\s+(?P<nulls>nulls\ first|nulls\ last))?
        \s*
        (,|$)
    )+
    (?<!,)
    $
    """,
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True)
class Term:
    """One ORDER BY term: the many2one path leading to the field, then the field."""

    path: tuple[str, ...]
    model: str
    #: "" for Odoo's `x IS NULL` / `x IS NOT NULL` term before a many2one's own order.
    name: str
    desc: bool
    nulls_first: bool


def check(order: Any) -> str:
    """`_check_qorder`: the spec, or the UserError Odoo answers for a malformed one."""
    if not isinstance(order, str | bytes):
        raise python_error(
            "TypeError", f"expected string or bytes-like object, got '{type(order).__name__}'"
        )
    text = order.decode() if isinstance(order, bytes) else order
    if not REGEX_ORDER.match(text):
        raise UserError(
            f'Invalid "order" specified ({text}). A valid "order" specification is a '
            "comma-separated list of valid field names (optionally followed by asc/desc for "
            "the direction)"
        )
    return text


def terms(env: Env, model: str, order: str) -> list[Term]:
    return _terms(env, model, check(order), (), reverse=False, seen=frozenset())


def _terms(
    env: Env, model: str, order: str, path: tuple[str, ...], reverse: bool, seen: frozenset[str]
) -> list[Term]:
    found: list[Term] = []
    for part in order.split(","):
        match = REGEX_ORDER.match(part)
        assert match is not None
        name = match["field"].strip('"')
        direction = (match["direction"] or "").lower()
        nulls = (match["nulls"] or "").lower()
        desc = direction == "desc"
        if reverse:
            desc = not desc
            nulls = {"nulls first": "nulls last", "nulls last": "nulls first"}.get(nulls, "")
        f = env.field(model, name)
        if f is None:
            raise python_error("ValueError", f"Invalid field {name!r} on model {model!r}")
        if not env.stored(model, name):
            raise python_error(
                "ValueError", f"Cannot convert {model}.{name} to SQL because it is not stored"
            )
        nulls_first = nulls == "nulls first" if nulls else desc
        if f.type == "many2one" and match["property"] != "id":
            assert f.relation
            key = f"{model}.{name}"
            if key in seen:
                continue
            co_order = env.model(f.relation).order
            if co_order != "id":
                here = (*path, name)
                if nulls:  # Odoo sorts by "x IS NULL" / "x IS NOT NULL" first
                    found.append(Term(here, f.relation, "", False, nulls_first))
                found += _terms(env, f.relation, co_order, here, desc, seen | {key})
                continue
        found.append(Term(path, model, name, desc, nulls_first))
    return found


def sort(env: Env, model: str, recs: list[Record], order: str) -> list[Record]:
    specs = terms(env, model, order)
    recs = sorted(recs, key=lambda r: r["id"])
    for term in reversed(specs):
        values = [(_value(env, model, r, term), r) for r in recs]
        present = [(v, r) for v, r in values if v is not None]
        present.sort(key=lambda pair: pair[0], reverse=term.desc)
        missing = [r for v, r in values if v is None]
        ordered = [r for _, r in present]
        recs = missing + ordered if term.nulls_first else ordered + missing
    return recs


def _value(env: Env, model: str, rec: Record, term: Term) -> Any:
    """The term's value for `rec` (None = NULL), following the many2one path."""
    current_model, current = model, rec
    for name in term.path:
        f = env.field(current_model, name)
        assert f is not None and f.relation
        target = env.value(current_model, current, name)
        current = env.table(f.relation).get(target) if target else None
        if current is None:
            return (0 if term.nulls_first else 1) if not term.name else None
        current_model = f.relation
    if not term.name:
        return 1 if term.nulls_first else 0
    value = env.value(current_model, current, term.name)
    f = env.field(current_model, term.name)
    if f is not None and f.type == "boolean":
        return bool(value)
    if value is None or value is False:
        return None
    return value
