"""Odoo 18 domains evaluated in Python, with Odoo's checks, errors and SQL semantics.

A search goes through the steps of Odoo 18's `BaseModel._search` and
`odoo/osv/expression.py`, so a malformed domain fails with the same fault:

1. `normalize` (expression.normalize_domain): the implicit `&` made explicit; a domain
   whose operators do not add up is "Domain ... is syntactically not correct.";
2. `is_false`: a domain that cannot match (`('id', 'in', [])` and-ed) answers nothing
   without looking further;
3. `_where_calc`: `('active', '=', 1)` prepended unless the domain names `active`;
4. `_anyfy` (expression._anyfy_leaves): every leaf unpacked, its field checked
   ("Invalid field res.partner.nope in leaf ..."), dotted paths through relations turned
   into `any`;
5. `check_leaf` on each leaf ("Invalid leaf ..."; operators are case-sensitive), then
   the leaves compiled right to left as `expression.parse` does.

Values follow `BaseModel._condition_to_sql`: NULL never compares, `!=`/`not in`/
`not like` also match NULL, `= False` on a number or text also matches 0 / '', `like ''`
matches everything, `=?` with a falsy value is TRUE. Relational leaves follow the
parse's rules for many2one, one2many, many2many, `any`/`not any`, `child_of`/`parent_of`
(through another model's hierarchy too) and names (`('partner_id', '=', 'Acme')` searches
the comodel's display_name, i.e. its `_rec_names_search` fields).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sandbox.odoo.exceptions import bad_text, python_error

if TYPE_CHECKING:
    from sandbox.odoo.registry import Env, Field, Record

Matcher = Callable[["Record"], bool]
Leaf = tuple[Any, ...]

TERM_OPERATORS = (
    "=", "!=", "<=", "<", ">", ">=", "=?", "=like", "=ilike", "like", "not like", "ilike",
    "not ilike", "in", "not in", "child_of", "parent_of", "any", "not any",
)  # fmt: skip
NEGATIVE = ("!=", "not like", "not ilike", "not in")
NEGATION = {
    "<": ">=", ">": "<=", "<=": ">", ">=": "<", "=": "!=", "!=": "=", "in": "not in",
    "like": "not like", "ilike": "not ilike", "not in": "in", "not like": "like",
    "not ilike": "ilike",
}  # fmt: skip
WILDCARD = ("like", "ilike", "not like", "not ilike")
HIERARCHY = ("child_of", "parent_of")
DOMAIN_OPERATORS = ("!", "|", "&")
ARITY = {"!": 1, "&": 2, "|": 2}
TRUE_LEAF, FALSE_LEAF = (1, "=", 1), (0, "=", 1)
NUMBERS = ("integer", "float", "monetary")
TEXTS = ("char", "text", "html")
RELATIONAL = ("many2one", "one2many", "many2many")
#: Date parts a dotted path on a date or datetime may ask for (READ_GROUP_NUMBER_GRANULARITY).
GRANULARITY = {
    "year_number": lambda d: d.year,
    "quarter_number": lambda d: (d.month - 1) // 3 + 1,
    "month_number": lambda d: d.month,
    "iso_week_number": lambda d: d.isocalendar()[1],
    "day_of_year": lambda d: d.timetuple().tm_yday,
    "day_of_month": lambda d: d.day,
    "day_of_week": lambda d: (d.weekday() + 1) % 7,
    "hour_number": lambda d: getattr(d, "hour", 0),
    "minute_number": lambda d: getattr(d, "minute", 0),
    "second_number": lambda d: getattr(d, "second", 0),
}


def _true(rec: Record) -> bool:
    return True


def _false(rec: Record) -> bool:
    return False


# -- structure ---------------------------------------------------------------------------------


def normalize(domain: Any) -> list[Any]:
    """expression.normalize_domain: explicit `&`, tuples for leaves, `any` sub-domains too."""
    if not isinstance(domain, list | tuple):
        raise python_error(
            "AssertionError",
            "Domains to normalize must have a 'domain' form: a list or tuple of domain components",
        )
    if not domain:
        return [TRUE_LEAF]
    result: list[Any] = []
    expected = 1
    for token in domain:
        if expected == 0:
            result.insert(0, "&")
            expected = 1
        if isinstance(token, list | tuple):
            expected -= 1
            if len(token) == 3 and token[1] in ("any", "not any"):
                token = (token[0], token[1], normalize(token[2]))
            else:
                token = tuple(token)
        else:
            if not _hashable(token):  # `op_arity.get(token, 0)` on a dict or a set
                raise python_error("TypeError", f"unhashable type: '{type(token).__name__}'")
            expected += ARITY.get(token, 0) - 1
        result.append(token)
    if expected:
        raise python_error("ValueError", f"Domain {domain} is syntactically not correct.")
    return result


def _hashable(token: Any) -> bool:
    try:
        hash(token)
    except TypeError:
        return False
    return True


def is_false(domain: list[Any]) -> bool:
    """expression.is_false: True when the (normalized) domain can match nothing."""
    stack: list[int] = []
    for token in reversed(domain):
        if token == "&":
            stack.append(min(stack.pop(), stack.pop()))
        elif token == "|":
            stack.append(max(stack.pop(), stack.pop()))
        elif token == "!":
            stack.append(-stack.pop())
        elif token == TRUE_LEAF:
            stack.append(+1)
        elif token == FALSE_LEAF:
            stack.append(-1)
        else:
            op = _index(token, 1)
            if op == "in" and not _index(token, 2):
                stack.append(-1)
            elif op == "not in" and not _index(token, 2):
                stack.append(+1)
            else:
                stack.append(0)
    return stack.pop() == -1


def _index(token: Any, i: int) -> Any:
    """`token[i]` with Python's own error when Odoo indexes a malformed token."""
    try:
        return token[i]
    except IndexError as exc:
        raise python_error("IndexError", str(exc)) from None
    except TypeError as exc:
        raise python_error("TypeError", str(exc)) from None


def mentions(domain: list[Any], name: str) -> bool:
    """`_where_calc`'s `any(item[0] == name for item in domain)` (operators included)."""
    return any(_index(item, 0) == name for item in domain)


def is_leaf(token: Any) -> bool:
    """expression.is_leaf: a 3-item term with a known operator and a field name (or 0/1)."""
    return (
        isinstance(token, list | tuple)
        and len(token) == 3
        and _hashable(token[1])
        and token[1] in (*TERM_OPERATORS, "<>")
        and (
            (isinstance(token[0], str) and bool(token[0]))
            or tuple(token) in (TRUE_LEAF, FALSE_LEAF)
        )
    )


def normalize_leaf(token: Any) -> Any:
    """expression.normalize_leaf: `<>` is `!=`; `in True` is `= True`; `= [..]` is `in`."""
    if not is_leaf(token):
        return token
    left, op, right = token
    op = op.lower()
    if op == "<>":
        op = "!="
    if isinstance(right, bool) and op in ("in", "not in"):
        op = "=" if op == "in" else "!="
    if isinstance(right, list | tuple) and op in ("=", "!="):
        op = "in" if op == "=" else "not in"
    return (left, op, right)


# -- compiling ---------------------------------------------------------------------------------


def compile_domain(env: Env, model: str, domain: Any) -> Matcher:
    """A matcher for `domain` on `model` (no active test: `Env.search` adds that leaf)."""
    tokens = normalize(domain)
    tokens = _anyfy(env, model, tokens)
    return _compile(env, model, tokens)


def _anyfy(env: Env, model: str, tokens: list[Any]) -> list[Any]:
    """expression._anyfy_leaves: check every leaf's field, dotted relational paths -> any."""
    result: list[Any] = []
    for item in tokens:
        if isinstance(item, str) and item in DOMAIN_OPERATORS:
            result.append(item)
            continue
        try:
            left, op, right = item = tuple(item)
        except (ValueError, TypeError) as exc:
            raise python_error(type(exc).__name__, str(exc)) from None
        if item in (TRUE_LEAF, FALSE_LEAF):
            result.append(item)
            continue
        if not isinstance(left, str):
            raise python_error(
                "AttributeError", f"'{type(left).__name__}' object has no attribute 'split'"
            )
        path = left.split(".", 1)
        f = env.field(model, path[0])
        if f is None:
            raise python_error("ValueError", f"Invalid field {model}.{path[0]} in leaf {item}")
        if len(path) > 1 and f.type in RELATIONAL:
            assert f.relation
            sub = _anyfy(env, f.relation, [(path[1], op, right)])
            result.append((path[0], "any", sub))
        elif op in ("any", "not any"):
            if f.relation is None:
                raise python_error("KeyError", "None")  # env[None]
            result.append((left, op, _anyfy(env, f.relation, right)))
        else:
            result.append(item)
    return result


def _compile(env: Env, model: str, tokens: list[Any]) -> Matcher:
    for token in tokens:
        leaf = normalize_leaf(token)
        if not (isinstance(leaf, str) and leaf in DOMAIN_OPERATORS) and not is_leaf(leaf):
            raise python_error("ValueError", f"Invalid leaf {leaf}")
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
            stack.append(_leaf(env, model, normalize_leaf(token)))
    [matcher] = stack
    return matcher


def _leaf(env: Env, model: str, leaf: Leaf) -> Matcher:
    if leaf == TRUE_LEAF:
        return _true
    if leaf == FALSE_LEAF:
        return _false
    left, op, right = leaf
    path = left.split(".", 1)
    name = path[0]
    f = env.field(model, name)
    assert f is not None  # checked by _anyfy

    if name == "id" and op in HIERARCHY:
        ids = _hierarchy(env, model, op, _to_ids(env, model, right), None)
        return _in_ids(ids)
    if op in ("any", "not any"):
        return _any(env, model, name, f, op, right)
    if name == "display_name":
        domain = normalize(display_domain(env, model, op, right))
        return _compile(env, model, _anyfy(env, model, domain))
    if not env.searchable(model, name):
        return _true  # Odoo logs "Non-stored field ... cannot be searched" and ignores it
    if f.type in ("date", "datetime") and len(path) == 2:
        return _date_part(env, model, f, name, path[1], op, right)
    if len(path) > 1:
        raise python_error(
            "AssertionError", f"Invalid field {left!r} in domain term {(left, op, right)!r}"
        )
    if f.type == "one2many":
        return _one2many(env, model, name, f, op, right)
    if f.type == "many2many":
        return _many2many(env, model, name, f, op, right)
    if f.type == "many2one":
        assert f.relation
        if op in HIERARCHY:
            ids = _to_ids(env.sudo_inactive(), f.relation, right)
            if f.relation != model:
                found = _hierarchy(env, f.relation, op, ids, None)
                return _value_in(env, model, name, found)
            return _in_ids(_hierarchy(env, model, op, ids, name))
        if isinstance(right, str) or (
            isinstance(right, list | tuple) and right and all(isinstance(v, str) for v in right)
        ):
            return _many2one_names(env, model, name, f, op, right)
    if f.type == "datetime" and right and isinstance(right, str) and len(right) == 10:
        right += " 23:59:59" if op in (">", "<=") else " 00:00:00"
    elif f.type == "datetime" and isinstance(right, date) and not isinstance(right, datetime):
        right = right.isoformat() + (" 23:59:59" if op in (">", "<=") else " 00:00:00")
    test = condition(env, model, name, f, op, right)
    return lambda r: test(env.value(model, r, name))


def _in_ids(ids: set[int]) -> Matcher:
    return lambda r: r["id"] in ids


def _value_in(env: Env, model: str, name: str, ids: set[int]) -> Matcher:
    return lambda r: env.value(model, r, name) in ids


def _search_ids(env: Env, model: str, domain: list[Any]) -> set[int]:
    return set(env.search(model, domain, order="id"))


def _any(env: Env, model: str, name: str, f: Field, op: str, right: list[Any]) -> Matcher:
    assert f.relation
    if f.type == "many2one":
        ids = _search_ids(env.sudo_inactive(), f.relation, right)
        if op == "any":
            return lambda r: env.value(model, r, name) in ids
        return lambda r: env.value(model, r, name) not in ids
    sub_env = env.with_context(env.field_context(model, name))
    domain = [*_and(env.field_domain(model, name), right)]
    ids = _search_ids(sub_env, f.relation, domain)
    found = _x2many_holds(env, model, name, ids)
    return found if op == "any" else (lambda r: not found(r))


def _and(a: list[Any], b: list[Any]) -> list[Any]:
    if not a:
        return list(b)
    if not b:
        return list(a)
    return ["&", *normalize(a), *normalize(b)]


def _x2many_holds(env: Env, model: str, name: str, ids: set[int]) -> Matcher:
    """Records whose one2many/many2many holds one of `ids` (archived lines included)."""
    return lambda r: any(i in ids for i in env.value(model, r, name))


def _one2many(env: Env, model: str, name: str, f: Field, op: str, right: Any) -> Matcher:
    assert f.relation
    if op in HIERARCHY:
        ids = _to_ids(env, f.relation, right)
        if f.relation != model:
            found = _hierarchy(env, f.relation, op, ids, None)
            return _x2many_holds(env, model, name, found)
        return _in_ids(_hierarchy(env, model, op, ids, name))
    return _x2many_plain(env, model, name, f, op, right)


def _many2many(env: Env, model: str, name: str, f: Field, op: str, right: Any) -> Matcher:
    assert f.relation
    if op in HIERARCHY:
        ids = _hierarchy(env, f.relation, op, _to_ids(env, f.relation, right), None)
        return _x2many_holds(env, model, name, ids)
    return _x2many_plain(env, model, name, f, op, right)


def _x2many_plain(env: Env, model: str, name: str, f: Field, op: str, right: Any) -> Matcher:
    """A one2many or many2many compared with ids, a name, or False (has lines or not)."""
    assert f.relation
    negative = op in NEGATIVE
    if right is False:
        if negative:
            return lambda r: bool(env.value(model, r, name))
        return lambda r: not env.value(model, r, name)
    if isinstance(right, str):
        op2 = NEGATION[op] if negative else op
        sub_env = env.with_context(env.field_context(model, name))
        domain = _and(env.field_domain(model, name), [("display_name", op2, right)])
        ids = _search_ids(sub_env, f.relation, domain)
    elif isinstance(right, list | tuple | set):
        ids = {i for i in right if i}
    else:
        ids = {right}
    holds = _x2many_holds(env, model, name, ids)
    return (lambda r: not holds(r)) if negative else holds


def _many2one_names(
    env: Env, model: str, name: str, f: Field, op: str, right: str | list[str] | tuple[str, ...]
) -> Matcher:
    """`('partner_id', 'ilike', 'Acme')`: the comodel's display_name search, archived included."""
    assert f.relation
    if op in ("<", ">", "<=", ">="):
        op = "in"
    if isinstance(right, tuple):
        right = list(right)
    swap = {"not in": "!=", "in": "=", "=": "in", "!=": "not in"}
    if (
        not isinstance(right, list)
        and op in ("not in", "in")
        or isinstance(right, list)
        and op in ("!=", "=")
    ):
        op = swap[op]
    comodel = env.sudo_inactive()
    if op in NEGATIVE:
        ids = _search_ids(comodel, f.relation, [("display_name", NEGATION[op], right)])
        return lambda r: env.value(model, r, name) not in ids
    ids = _search_ids(comodel, f.relation, [("display_name", op, right)])
    return lambda r: env.value(model, r, name) in ids


def _date_part(
    env: Env, model: str, f: Field, name: str, part: str, op: str, right: Any
) -> Matcher:
    if part not in GRANULARITY:
        raise python_error(
            "ValueError",
            f"Error when processing the field '{model}.{name}', the granularity {part} is not "
            f"supported. Only {', '.join(GRANULARITY)} are supported",
        )
    get = GRANULARITY[part]
    test = _compare_op(op, right)

    def match(r: Record) -> bool:
        stored = env.value(model, r, name)
        if not stored:
            return False
        parsed = (datetime if f.type == "datetime" else date).fromisoformat(str(stored))
        return test(get(parsed))

    return match


# -- hierarchies -------------------------------------------------------------------------------


def _to_ids(env: Env, model: str, value: Any) -> list[int]:
    """expression.parse's to_ids: an id, a list of ids, or names searched by display_name."""
    names: list[str] = []
    if isinstance(value, str):
        names = [value]
    elif value and isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        names = list(value)
    elif isinstance(value, int):
        return [value] if value else []
    if names:
        return sorted(
            {
                i
                for n in names
                for i in env.search(model, [("display_name", "ilike", n)], order="id")
            }
        )
    try:
        return list(value)
    except TypeError as exc:
        raise python_error("TypeError", str(exc)) from None


def _hierarchy(env: Env, model: str, op: str, ids: list[int], parent: str | None) -> set[int]:
    """child_of (the records and all below them) or parent_of (and all above), archived too."""
    m = env.model(model)
    parent_name = parent or m.parent_name
    table = env.table(model)
    if op == "parent_of":
        ids = [i for i in ids if i]
    if not ids:
        return set()
    f = env.field(model, parent_name)
    if f is None:
        raise python_error("KeyError", parent_name)
    if f.relation != model:
        raise python_error("ValueError", f"Invalid parent field: {model}.{parent_name}")
    found = set(ids)
    if op == "child_of":
        frontier = set(ids)
        while frontier:
            nxt: set[int] = set()
            for pid in frontier:
                if f.type == "many2one":
                    nxt.update(env.db.lookup(model, parent_name, pid))
                else:  # a one2many or many2many used as the "parent" field
                    nxt.update(
                        rid
                        for rid, rec in table.items()
                        if pid in env.value(model, rec, parent_name)
                    )
            frontier = nxt - found
            found |= frontier
        return found
    frontier = set(ids)
    while frontier:
        nxt = set()
        for rid in frontier:
            rec = table.get(rid)
            if rec is None:
                continue
            held = env.value(model, rec, parent_name)
            nxt.update(held if isinstance(held, list) else [held] if held else [])
        frontier = nxt - found
        found |= frontier
    return found


# -- display_name ------------------------------------------------------------------------------


def display_domain(env: Env, model: str, op: str, value: Any) -> list[Any]:
    """BaseModel._search_display_name, with the models' own overrides (`Model.search_names`)."""
    m = env.model(model)
    if m.search_names is not None:
        return m.search_names(env, op, value)
    return default_display_domain(env, model, op, value)


def default_display_domain(env: Env, model: str, op: str, value: Any) -> list[Any]:
    m = env.model(model)
    fnames = list(m.rec_names_search or ((m.rec_name,) if m.rec_name else ()))
    if not fnames:  # Odoo logs "Cannot search on display_name" and restrains nothing
        return [TRUE_LEAF]
    if op.endswith("like") and not value and "=" not in op:
        return [FALSE_LEAF] if op in NEGATIVE else [TRUE_LEAF]
    domains = [[(fname, op, value)] for fname in fnames]
    return _combine("&" if op in NEGATIVE else "|", domains)


def _combine(operator: str, domains: list[list[Any]]) -> list[Any]:
    result: list[Any] = []
    for d in domains:
        result += normalize(d)
    return [operator] * (len(domains) - 1) + result


# -- values ------------------------------------------------------------------------------------


def condition(
    env: Env, model: str, name: str, f: Field, op: str, value: Any
) -> Callable[[Any], bool]:
    """`_condition_to_sql` as a test on the stored value (None/False stored = SQL NULL)."""
    is_number = f.type in NUMBERS and name != "id"
    is_text = f.type in TEXTS
    relational = f.type in RELATIONAL or name == "id"

    if op == "=?":
        if value is False or value is None:
            return lambda v: True
        op = "="
    if op in ("in", "not in"):
        return _membership(env, model, name, f, op, value, is_number, is_text)
    if f.type == "boolean" and op in ("=", "!=") and isinstance(value, bool):
        wanted = (not value) if op == "!=" else value
        return (lambda v: v is True) if wanted else (lambda v: v is not True)
    if relational and op in ("=", "!=") and not value:
        value = False
    if op in ("=", "!=") and (value is False or value is None):
        if is_number:
            value = 0
        elif is_text:
            value = ""
        elif op == "=":
            return _is_null
        else:
            return lambda v: not _is_null(v)
    wildcard = op in WILDCARD
    if wildcard and not value:
        return (lambda v: False) if op in NEGATIVE else (lambda v: True)
    column = value if wildcard else to_column(env, model, name, f, value)
    test = _compare_op(op, column, text=not is_text)
    or_null = bool(value) == (op in NEGATIVE) and op[:1] not in (">", "<")
    if not wildcard and is_number:
        n = column
        or_null = or_null or (
            (op == ">=" and n <= 0)
            or (op == "<=" and n >= 0)
            or (op == "<" and n > 0)
            or (op == ">" and n < 0)
        )
    if or_null:
        return lambda v: _is_null(v) or test(v)
    return lambda v: not _is_null(v) and test(v)


def _is_null(v: Any) -> bool:
    return v is None or v is False


def _membership(
    env: Env, model: str, name: str, f: Field, op: str, value: Any, is_number: bool, is_text: bool
) -> Callable[[Any], bool]:
    if isinstance(value, bool):
        wanted = (op == "in" and value) or (op == "not in" and not value)
        return (lambda v: not _is_null(v)) if wanted else _is_null
    if not isinstance(value, list | tuple):
        raise python_error("ValueError", f"Invalid domain term {(name, op, value)!r}")
    params = [p for p in value if p is not False and p is not None]
    check_null = len(params) < len(value)
    if f.type == "boolean":
        params = [True] if any(params) else []
        if check_null:
            params.append(False)
    elif is_number:
        if check_null and 0 not in params:
            params.append(0)
        check_null = check_null or 0 in params
    elif is_text:
        if check_null and "" not in params:
            params.append("")
        check_null = check_null or "" in params
    if name != "id":
        params = [to_column(env, model, name, f, p) for p in params]
    else:
        for p in params:
            if not isinstance(p, int):
                raise bad_text("integer", p)
    wanted = set(params)
    if op == "in":
        if check_null:
            return lambda v: _is_null(v) or v in wanted
        return lambda v: not _is_null(v) and v in wanted
    if check_null:
        return lambda v: not _is_null(v) and v not in wanted
    return lambda v: _is_null(v) or v not in wanted


def to_column(env: Env, model: str, name: str, f: Field, value: Any) -> Any:
    """The value as the column would hold it (Field.convert_to_column), or the real error."""
    if name == "id" or f.type in ("many2one", "one2many", "many2many"):
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                return int(str(value))
            except ValueError:
                raise bad_text("integer", value) from None
        return value
    try:
        if f.type == "integer":
            return int(value or 0)
        if f.type in ("float", "monetary"):
            return float(value or 0.0)
    except (TypeError, ValueError) as exc:
        raise python_error(type(exc).__name__, str(exc)) from None
    if f.type == "boolean":
        return bool(value)
    if f.type == "datetime":
        return _stamp(value, "timestamp")
    if f.type == "date":
        return _stamp(value, "date")
    return value


def _stamp(value: Any, pg_type: str) -> str:
    """A date or datetime as the sandbox stores it, parsed as PostgreSQL would."""
    if isinstance(value, datetime):
        parsed: date = value
    elif isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip().replace("/", "-"))
        except ValueError:
            raise bad_text(pg_type, value) from None
    if pg_type == "date":
        return parsed.strftime("%Y-%m-%d")
    return parsed.strftime("%Y-%m-%d %H:%M:%S")


def _compare_op(op: str, value: Any, text: bool = False) -> Callable[[Any], bool]:
    if op == "=":
        return lambda v: v == value
    if op == "!=":
        return lambda v: v != value
    if op in ("like", "ilike", "not like", "not ilike", "=like", "=ilike"):
        negate = op.startswith("not ")
        base = op.removeprefix("not ")
        pattern = str(value) if base.startswith("=") else f"%{value}%"
        regex = _like_regex(pattern, insensitive="ilike" in base)

        def like(v: Any) -> bool:
            shown = _as_text(v) if text else str(v)
            return (regex.fullmatch(shown) is not None) != negate

        return like
    compare = {
        ">": lambda v: v > value,
        ">=": lambda v: v >= value,
        "<": lambda v: v < value,
        "<=": lambda v: v <= value,
    }[op]

    def ordered(v: Any) -> bool:
        try:
            return bool(compare(v))
        except TypeError:
            return False

    return ordered


def _as_text(v: Any) -> str:
    """A non-text column cast to text (`(col)::text`), as like/ilike on it compares."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


_LIKE_CACHE: dict[tuple[str, bool], re.Pattern[str]] = {}


def _like_regex(pattern: str, insensitive: bool) -> re.Pattern[str]:
    """PostgreSQL LIKE: `%` any run, `_` one character, `\\` escapes the next one."""
    key = (pattern, insensitive)
    found = _LIKE_CACHE.get(key)
    if found is None:
        parts: list[str] = []
        chars = iter(pattern)
        for c in chars:
            if c == "\\":
                parts.append(re.escape(next(chars, "\\")))
            elif c == "%":
                parts.append(".*")
            elif c == "_":
                parts.append(".")
            else:
                parts.append(re.escape(c))
        flags = re.S | (re.I if insensitive else 0)
        found = _LIKE_CACHE[key] = re.compile("".join(parts), flags)
    return found
