"""Magento's `searchCriteria` and `fields` semantics, applied to in-memory records.

Mirrors what Magento 2.4's REST layer, collection processors and MySQL do:

- `searchCriteria[...]` query keys are read in both spellings Magento accepts
  (`filter_groups`/`filterGroups`, `condition_type`/`conditionType`, ...). A sort order is
  checked as `Framework\\Api\\SortOrder` does while the request is read: a direction other
  than ASC/DESC (any case) and a field with characters outside `[a-z0-9_]` are 400s.
- Filters inside a group are OR'ed, groups are AND'ed; a *custom* filter (products'
  `category_id`, `store_id`, `website_id`) is applied to the collection on its own, so it
  is AND'ed even inside a group (`FilterProcessor::addFilterGroupToCollection`).
- Which field names exist is the endpoint's (`sandbox.magento.fields`): an unknown one is
  refused by an EAV collection with 400 'The "%1" attribute name is invalid. Reset the name
  and try again.' (`Eav\\Model\\Entity\\Collection\\AbstractCollection::_addAttributeJoin`)
  and by a flat table only when MySQL runs the query ("Unknown column"): a 500 whose message
  Magento masks (`SqlError`). Sorting on an unknown EAV attribute is silently ignored.
- Condition types are the keys of `Framework\\DB\\Adapter\\Pdo\\Mysql::prepareSqlCondition`
  with MySQL's semantics (`CONDITIONS`); `seq`/`sneq` become null/notnull for '' and eq/neq
  otherwise. An unknown condition type is not refused: prepareSqlCondition finds no key and
  ORs an equality per value of the condition array, which is `field = value` on a flat table
  and `field = '<field name>' OR field = value` on an EAV one (whose array also carries the
  `attribute` key).
- Values compare as MySQL does: a numeric column compares as a number (a string reads as
  its numeric prefix, else 0), text case-blind with trailing spaces ignored; any comparison
  with NULL is false, NOT IN and NOT LIKE included.
- A sort order without a direction sorts descending (`SortingProcessor::applyOrders` tests
  `== SortOrder::SORT_ASC`). Without any, records keep the endpoint's primary-key order.
- A `currentPage` past the last page answers the last page again: that is what the
  collection-backed repositories of Magento 2.3/2.4 do (magento/magento2#3787, #26986),
  so clients must stop on `total_count`.
- `fields=items[id,name],total_count` trims the answer, nested brackets included.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

Record = Mapping[str, Any]
Getter = Callable[[Record], Any]
Predicate = Callable[[Record], bool]

#: `Mysql::prepareSqlCondition`'s condition keys (Magento 2.4).
CONDITIONS = frozenset(
    {"eq", "neq", "like", "nlike", "in", "nin", "is", "notnull", "null", "gt", "lt", "gteq"}
    | {"lteq", "finset", "nfinset", "regexp", "from", "to", "seq", "sneq", "ntoa"}
)
INVALID_ATTRIBUTE = 'The "%1" attribute name is invalid. Reset the name and try again.'
SORT_DIRECTION = (
    "The sort order has to be specified as %1 for ascending order or %2 for descending order."
)
SORT_FIELD = "Sort order field %1 contains restricted symbols"
_ALIASES = {
    "filterGroups": "filter_groups",
    "conditionType": "condition_type",
    "sortOrders": "sort_orders",
    "pageSize": "page_size",
    "currentPage": "current_page",
}
_KEY = re.compile(r"\[([^\]]*)\]")
_SORT_FIELD_OK = re.compile(r"[a-z0-9_]*", re.IGNORECASE)
_MISSING = object()
_NUMERIC_PREFIX = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


class SearchError(ValueError):
    """A searchCriteria Magento refuses: 400 (an InputException or LocalizedException), or
    404 (a NoSuchEntityException, e.g. an unknown store in a products `store_id` filter)."""

    def __init__(self, message: str, parameters: Any = None, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message}
        if parameters:  # Magento leaves empty parameters out of the body
            self.body["parameters"] = parameters


class SqlError(RuntimeError):
    """A query MySQL refuses (unknown column, bad regular expression, ...).

    Magento answers 500 and masks the reason in production mode: the message is what
    `var/log/exception.log` would hold next to the report id.
    """


class Fields(Protocol):
    """What one search endpoint can filter and sort on (`sandbox.magento.fields`)."""

    eav: bool

    def getter(self, name: str) -> Getter | None:
        """How to read `name` from a record; None when the endpoint has no such field.
        May raise SqlError for a field the collection knows but MySQL does not."""

    def custom(self, name: str) -> CustomFilter | None:
        """The endpoint's own filter for `name`, applied on its own (AND'ed)."""


#: (filter, every record searched) -> which records it keeps.
CustomFilter = Callable[[Mapping[str, str], Sequence[Record]], Predicate]


@dataclass
class Criteria:
    filter_groups: list[list[dict[str, str]]] = field(default_factory=list)
    sort_orders: list[dict[str, str]] = field(default_factory=list)
    page_size: int | None = None
    current_page: int | None = None

    def echo(self) -> dict[str, Any]:
        """`search_criteria` as Magento repeats it in a search result."""
        out: dict[str, Any] = {
            "filter_groups": [{"filters": group} for group in self.filter_groups]
        }
        if self.sort_orders:
            out["sort_orders"] = self.sort_orders
        if self.page_size is not None:
            out["page_size"] = self.page_size
        if self.current_page is not None:
            out["current_page"] = self.current_page
        return out


def _nest(args: Mapping[str, str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key, value in args.items():
        if not key.startswith("searchCriteria"):
            continue
        parts = [_ALIASES.get(p, p) for p in _KEY.findall(key[len("searchCriteria") :])]
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise SearchError("Invalid searchCriteria parameter %1", {"1": key})
        if parts:
            node[parts[-1]] = value
    return tree


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SearchError(
            'The "%value" value\'s type is invalid. The "%type" type was expected. '
            "Verify and try again.",
            {"value": value, "type": "int"},
        ) from None


def _ordered(node: Any) -> list[Any]:
    if not isinstance(node, dict):
        return []
    return [node[k] for k in sorted(node, key=lambda k: int(k) if str(k).isdigit() else 0)]


def _sort_order(order: dict[str, Any]) -> dict[str, str]:
    """One sort order as `Framework\\Api\\SortOrder`'s setters validate and normalize it."""
    name = str(order["field"])
    if not _SORT_FIELD_OK.fullmatch(name):
        raise SearchError(SORT_FIELD, [name])
    out = {"field": name}
    if "direction" in order:
        direction = str(order["direction"]).upper()
        if direction not in ("ASC", "DESC"):
            raise SearchError(SORT_DIRECTION, ["ASC", "DESC"])
        out["direction"] = direction
    return out


def parse_criteria(args: Mapping[str, str]) -> Criteria:
    """Read `searchCriteria[...]` query parameters; 400 when none are given at all."""
    if not any(k.startswith("searchCriteria") for k in args):
        raise SearchError(
            '"%fieldName" is required. Enter and try again.', {"fieldName": "searchCriteria"}
        )
    tree = _nest(args)
    criteria = Criteria()
    for group in _ordered(tree.get("filter_groups")):
        filters = []
        for flt in _ordered(group.get("filters") if isinstance(group, dict) else None):
            if not isinstance(flt, dict) or "field" not in flt:
                continue
            condition = flt.get("condition_type") or "eq"  # Api\Filter::getConditionType
            filters.append(
                {"field": flt["field"], "value": flt.get("value", ""), "condition_type": condition}
            )
        if filters:
            criteria.filter_groups.append(filters)
    for order in _ordered(tree.get("sort_orders")):
        if isinstance(order, dict) and order.get("field"):
            criteria.sort_orders.append(_sort_order(order))
    if "page_size" in tree:
        criteria.page_size = _int(tree["page_size"], "pageSize")
    if "current_page" in tree:
        criteria.current_page = _int(tree["current_page"], "currentPage")
    return criteria


# -- values as MySQL sees them ---------------------------------------------------------------


def lookup(record: Record, name: str) -> Any:
    """A field of the record, else the custom attribute of that code (EAV entities)."""
    value = record.get(name, _MISSING)
    if value is not _MISSING:
        return value
    for attr in record.get("custom_attributes") or []:
        if isinstance(attr, dict) and attr.get("attribute_code") == name:
            return attr.get("value")
    return None


def _number(value: Any) -> float | None:
    """A record value's number, when its column is numeric (a JSON number or boolean)."""
    if isinstance(value, bool):
        return float(value)
    if not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def mysql_number(text: str) -> float:
    """A string read as a number the way MySQL casts it: its numeric prefix, else 0."""
    match = _NUMERIC_PREFIX.match(text)
    return float(match.group()) if match else 0.0


def _text(value: Any) -> str:
    """A stored value as the text MySQL holds (multiselects are comma-joined)."""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _collate(text: str) -> str:
    """utf8 general_ci comparison: case-blind, trailing spaces ignored (PAD SPACE)."""
    return text.rstrip(" ").lower()


def _compare(left: Any, right: str) -> int:
    """Compare a stored value with a filter value (always a string over REST) like MySQL."""
    a = _number(left)
    if a is not None:
        b = mysql_number(right)
        return (a > b) - (a < b)
    x, y = _collate(_text(left)), _collate(right)
    return (x > y) - (x < y)


def _like_regex(pattern: str) -> re.Pattern[str]:
    """LIKE: % any run, _ one character, backslash escapes the next character."""
    out, escaped = [], False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    if escaped:
        out.append(re.escape("\\"))
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _ntoa(value: Any) -> str | None:
    """INET_NTOA: an unsigned 32-bit number as a dotted quad, NULL outside that range."""
    number = _number(value)
    number = mysql_number(_text(value)) if number is None else number
    if not 0 <= number <= 0xFFFFFFFF:
        return None
    return str(ipaddress.IPv4Address(int(number)))


def condition(cond: str, raw: str, attribute: str | None = None) -> Callable[[Any], bool]:
    """A test on one stored value for `<field> <cond> <raw>`, as prepareSqlCondition + MySQL.

    `attribute` is the field name when the collection is EAV: its condition array carries
    it, which only matters for a condition type prepareSqlCondition does not know.
    """
    if cond in ("seq", "sneq"):  # _transformStringSqlCondition
        cond = ("null" if cond == "seq" else "notnull") if raw == "" else cond[1:]
    if cond == "null":
        return lambda value: value is None
    if cond == "notnull":
        return lambda value: value is not None
    if cond == "is":  # `field IS 'value'`: MySQL refuses the quoted operand
        raise SqlError(
            "SQLSTATE[42000]: Syntax error or access violation: 1064 You have an error in "
            f"your SQL syntax near '{raw}'"
        )
    if cond not in CONDITIONS:
        values = [raw] if attribute is None else [attribute, raw]
        tests = [condition("eq", v) for v in values]
        return lambda value: any(test(value) for test in tests)
    if cond in ("in", "nin"):
        return _in_test(raw, negate=cond == "nin")  # the hot path: it tests NULL itself
    test = _not_null_test(cond, raw)
    return lambda value: value is not None and test(value)


def _not_null_test(cond: str, raw: str) -> Callable[[Any], bool]:
    """The test for a value known not to be NULL (SQL: any comparison with NULL is false)."""
    if cond in ("like", "nlike"):
        regex = _like_regex(raw)
        if cond == "like":
            return lambda value: regex.fullmatch(_text(value)) is not None
        return lambda value: regex.fullmatch(_text(value)) is None
    if cond in ("finset", "nfinset"):
        needle = _collate(raw)
        if cond == "finset":
            return lambda value: needle in [_collate(v) for v in _text(value).split(",")]
        return lambda value: needle not in [_collate(v) for v in _text(value).split(",")]
    if cond == "regexp":
        try:
            regex = re.compile(raw, re.IGNORECASE)
        except re.error as exc:
            raise SqlError(
                f"SQLSTATE[HY000]: General error: 3685 Illegal argument to a regular expression:"
                f" {exc}"
            ) from None
        return lambda value: regex.search(_text(value)) is not None
    if cond == "ntoa":
        regex = _like_regex(raw)

        def ntoa(value: Any) -> bool:
            quad = _ntoa(value)
            return quad is not None and regex.fullmatch(quad) is not None

        return ntoa
    checks: dict[str, Callable[[int], bool]] = {
        "eq": lambda order: order == 0,
        "neq": lambda order: order != 0,
        "gt": lambda order: order > 0,
        "gteq": lambda order: order >= 0,
        "from": lambda order: order >= 0,
        "lt": lambda order: order < 0,
        "lteq": lambda order: order <= 0,
        "to": lambda order: order <= 0,
    }
    check = checks[cond]
    return lambda value: check(_compare(value, raw))


def _in_test(raw: str, negate: bool) -> Callable[[Any], bool]:
    """IN / NOT IN over `explode(',', value)`: parsed once, not once per record.

    A numeric column matches a value read as a number (MySQL's cast); a text column one
    equal under the collation. Values are not trimmed: Magento does not trim them either.
    """
    expected = raw.split(",")
    texts = {_collate(v) for v in expected}
    numbers = {mysql_number(v) for v in expected}

    def test(value: Any) -> bool:
        if value is None:
            return False  # SQL: NOT IN with NULL is never true either
        if type(value) is str:  # most columns searched by lists are text: skip the casts
            return (value.rstrip(" ").lower() in texts) != negate
        number = _number(value)
        found = number in numbers if number is not None else _collate(_text(value)) in texts
        return found != negate

    return test


# -- running a search --------------------------------------------------------------------------


def _filter_matcher(flt: Mapping[str, str], fields: Fields) -> Predicate:
    name = flt["field"]
    get = fields.getter(name)
    if get is None:
        if fields.eav:
            raise SearchError(INVALID_ATTRIBUTE, [name])
        raise SqlError(
            f"SQLSTATE[42S22]: Column not found: 1054 Unknown column '{name}' in 'where clause'"
        )
    test = condition(flt["condition_type"], str(flt["value"]), name if fields.eav else None)
    return lambda record: test(get(record))


def _plan_filters(
    criteria: Criteria, fields: Fields, records: Sequence[Record]
) -> list[tuple[list[Predicate], list[Predicate]]]:
    """Per group: (custom filters, AND'ed; the other filters, OR'ed).

    Errors come in Magento's order: a 400 as the collection is given its filters; MySQL's
    refusals (SqlError) only when the query runs, after every filter and sort order.
    """
    plan: list[tuple[list[Predicate], list[Predicate]]] = []
    deferred: SqlError | None = None
    for group in criteria.filter_groups:
        customs, ored = [], []
        for flt in group:
            custom = fields.custom(flt["field"])
            try:
                if custom is not None:
                    customs.append(custom(flt, records))
                else:
                    ored.append(_filter_matcher(flt, fields))
            except SqlError as exc:
                deferred = deferred or exc
        plan.append((customs, ored))
    if deferred is not None:
        raise deferred
    return plan


def _group_test(customs: list[Predicate], ored: list[Predicate]) -> Predicate:
    """One group as one predicate: its custom filters AND'ed, then its filters OR'ed."""
    tests = list(customs)
    if len(ored) == 1:
        tests.append(ored[0])
    elif ored:
        tests.append(lambda record: any(m(record) for m in ored))
    if len(tests) == 1:
        return tests[0]
    return lambda record: all(t(record) for t in tests)


def _sort_key(value: Any) -> tuple[int, float, str]:
    number = _number(value)
    if value is None:
        return (0, 0.0, "")
    return (1, number, "") if number is not None else (2, 0.0, _collate(_text(value)))


def _plan_sorts(criteria: Criteria, fields: Fields) -> list[tuple[Getter, bool]]:
    """(how to read the field, descending) per sort order Magento applies."""
    sorts = []
    for order in criteria.sort_orders:
        get = fields.getter(order["field"])
        if get is None:
            if fields.eav:
                continue  # addAttributeToSort ignores an attribute the entity lacks
            raise SqlError(
                f"SQLSTATE[42S22]: Column not found: 1054 Unknown column '{order['field']}' in "
                "'order clause'"
            )
        sorts.append((get, order.get("direction") != "ASC"))
    return sorts


def run(records: Sequence[Record], criteria: Criteria, fields: Fields) -> tuple[list[Record], int]:
    """Filter, sort and page `records` (in primary-key order): (this page's items, total)."""
    plan = _plan_filters(criteria, fields, records)
    tests = [_group_test(customs, ored) for customs, ored in plan]
    sorts = _plan_sorts(criteria, fields)
    if not tests:
        hits = list(records)
    elif len(tests) == 1:  # the common search: one predicate per record, no generator
        hits = [r for r in records if tests[0](r)]
    else:
        hits = [r for r in records if all(test(r) for test in tests)]
    for get, descending in reversed(sorts):
        hits.sort(key=lambda r: _sort_key(get(r)), reverse=descending)
    total = len(hits)
    size = criteria.page_size or 0
    if size <= 0 or total == 0:
        return hits, total
    last_page = max(1, math.ceil(total / size))
    page = min(max(1, criteria.current_page or 1), last_page)
    return hits[(page - 1) * size : page * size], total


def parse_fields(expression: str) -> dict[str, Any]:
    """`items[id,name],total_count` -> {"items": {"id": {}, "name": {}}, "total_count": {}}."""
    root: dict[str, Any] = {}
    stack = [root]
    name = ""
    for char in expression:
        if char in ",[]":
            if name.strip():
                stack[-1].setdefault(name.strip(), {})
            if char == "[":
                if not name.strip():
                    raise SearchError("Invalid fields expression %1", {"1": expression})
                stack.append(stack[-1][name.strip()])
            elif char == "]":
                if len(stack) == 1:
                    raise SearchError("Invalid fields expression %1", {"1": expression})
                stack.pop()
            name = ""
        else:
            name += char
    if name.strip():
        stack[-1].setdefault(name.strip(), {})
    return root


def trim(data: Any, tree: Mapping[str, Any]) -> Any:
    """Keep only the fields named in `tree` (lists are trimmed item by item)."""
    if not tree:
        return data
    if isinstance(data, list):
        return [trim(item, tree) for item in data]
    if isinstance(data, dict):
        return {k: trim(data[k], sub) for k, sub in tree.items() if k in data}
    return data
