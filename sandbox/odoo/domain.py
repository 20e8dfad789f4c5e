"""Odoo domains evaluated in Python: prefix `&`, `|`, `!`, terms `(path, operator, value)`.

Semantics follow Odoo's SQL translation where it matters to a connector:
`!=` and `not in` also match unset values, `= False` matches unset ones,
`like`/`ilike` wrap the value in `%...%`, a dotted path through a many2one is
"the related record matches the rest of the term".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sandbox.odoo.exceptions import WrongValue

if TYPE_CHECKING:
    from sandbox.odoo.registry import Env, Record

Matcher = Callable[["Record"], bool]
OPERATORS = {
    "=", "!=", ">", ">=", "<", "<=", "in", "not in", "like", "not like", "ilike",
    "not ilike", "=like", "=ilike", "child_of", "parent_of",
}  # fmt: skip
TRUE_LEAF, FALSE_LEAF = (1, "=", 1), (0, "=", 1)


def normalize(domain: list[Any]) -> list[Any]:
    """Make the implicit `&` between top-level terms explicit, as Odoo does."""
    result: list[Any] = []
    expected = 1
    for token in domain:
        if expected == 0:
            result.insert(0, "&")
            expected = 1
        if token in ("&", "|"):
            expected += 1
        elif token != "!":
            expected -= 1
        result.append(tuple(token) if isinstance(token, list) else token)
    return result


def compile_domain(env: Env, model: str, domain: list[Any]) -> Matcher:
    tokens = normalize(domain)
    if not tokens:
        return lambda rec: True
    stack: list[Matcher] = []
    for token in reversed(tokens):
        if token == "!":
            inner = stack.pop()
            stack.append(lambda r, f=inner: not f(r))
        elif token in ("&", "|"):
            a, b = stack.pop(), stack.pop()
            if token == "&":
                stack.append(lambda r, a=a, b=b: a(r) and b(r))
            else:
                stack.append(lambda r, a=a, b=b: a(r) or b(r))
        else:
            stack.append(_term(env, model, token))
    if len(stack) != 1:
        raise WrongValue(f"Invalid domain: {domain!r}")
    return stack[0]


def _term(env: Env, model: str, term: Any) -> Matcher:
    if not isinstance(term, tuple) or len(term) != 3:
        raise WrongValue(f"Invalid leaf {term!r}")
    if term == TRUE_LEAF:
        return lambda r: True
    if term == FALSE_LEAF:
        return lambda r: False
    path, op, value = term
    op = str(op).lower()
    if op not in OPERATORS:
        raise WrongValue(f"Invalid leaf {term!r}")
    fields = env.fields(model)
    name, _, rest = str(path).partition(".")
    f = fields.get(name)
    if f is None and name not in ("id", "display_name", "create_date", "write_date"):
        raise WrongValue(f"Invalid field {model}.{name} in leaf {term!r}")

    if rest:
        assert f is not None and f.relation, f"{model}.{name} is not relational"
        sub = set(env.search(f.relation, [(rest, op, value)], order="id"))
        if f.type == "many2one":
            return lambda r: env.value(model, r, name) in sub
        return lambda r: any(i in sub for i in env.value(model, r, name))

    if op in ("child_of", "parent_of"):
        wanted = set(value if isinstance(value, list | tuple) else [value])
        if "parent_id" in fields:
            wanted = _family(env, model, wanted, down=op == "child_of")
        return lambda r: r["id"] in wanted

    if f is not None and f.type in ("one2many", "many2many"):
        return _x2many(env, model, name, op, value)
    if f is not None and f.type == "many2one" and isinstance(value, str):
        relation = f.relation
        assert relation

        def by_name(r: Record) -> bool:
            target = env.value(model, r, name)
            label = env.display_name(relation, target) if target else False
            return _compare(label, op, value)

        return by_name
    return lambda r: _compare(env.value(model, r, name), op, value)


def _family(env: Env, model: str, ids: set[int], down: bool) -> set[int]:
    table = env.table(model)
    result = set(ids)
    changed = True
    while changed:
        changed = False
        for rec in table.values():
            parent = rec.get("parent_id")
            if down and parent in result and rec["id"] not in result:
                result.add(rec["id"])
                changed = True
            if not down and rec["id"] in result and parent and parent not in result:
                result.add(parent)
                changed = True
    return result


def _x2many(env: Env, model: str, name: str, op: str, value: Any) -> Matcher:
    if value is False and op in ("=", "!="):
        empty = op == "="
        return lambda r: (not env.value(model, r, name)) == empty
    wanted = set(value if isinstance(value, list | tuple) else [value])
    positive = op in ("=", "in")
    if op not in ("=", "in", "!=", "not in"):
        raise WrongValue(f"Operator {op!r} is not supported on {model}.{name} here")
    return lambda r: bool(wanted & set(env.value(model, r, name))) == positive


def _like(pattern: str, text: str, insensitive: bool) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.I | re.S if insensitive else re.S) is not None


def _compare(actual: Any, op: str, value: Any) -> bool:
    unset = actual is None or actual is False or actual == ""
    if op == "=":
        return unset if value is False or value is None else actual == value
    if op == "!=":
        return not unset if value is False or value is None else actual != value
    if op in ("in", "not in"):
        values = list(value) if isinstance(value, list | tuple | set) else [value]
        hit = (unset and False in values) or (not unset and actual in values)
        return hit if op == "in" else not hit
    if op in ("like", "ilike", "not like", "not ilike", "=like", "=ilike"):
        negate = op.startswith("not ")
        base = op.removeprefix("not ")
        if unset:
            return negate
        pattern = str(value) if base.startswith("=") else f"%{value}%"
        found = _like(pattern, str(actual), insensitive="ilike" in base)
        return found != negate
    if unset:
        return False
    if op == ">":
        return bool(actual > value)
    if op == ">=":
        return bool(actual >= value)
    if op == "<":
        return bool(actual < value)
    return bool(actual <= value)
