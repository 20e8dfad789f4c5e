"""Magento's `searchCriteria` and `fields` semantics, applied to in-memory records.

Mirrors what Magento's REST layer and repositories do:

- `searchCriteria[...]` query keys are read in both spellings Magento accepts
  (`filter_groups`/`filterGroups`, `condition_type`/`conditionType`, ...);
- filters inside a group are OR'ed, groups are AND'ed; values compare as numbers
  on numeric fields and as case-insensitive text otherwise (as MySQL does);
- a `currentPage` past the last page answers the last page again: that is what the
  collection-backed repositories of Magento 2.3/2.4 do (magento/magento2#3787, #26986),
  so clients must stop on `total_count`;
- `fields=items[id,name],total_count` trims the answer, nested brackets included.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

CONDITIONS = frozenset(
    {"eq", "neq", "gt", "gteq", "lt", "lteq", "in", "nin", "like", "null", "notnull"}
    | {"from", "to", "finset"}
)
_ALIASES = {
    "filterGroups": "filter_groups",
    "conditionType": "condition_type",
    "sortOrders": "sort_orders",
    "pageSize": "page_size",
    "currentPage": "current_page",
}
_KEY = re.compile(r"\[([^\]]*)\]")


class SearchError(ValueError):
    """A searchCriteria Magento would refuse (HTTP 400)."""

    def __init__(self, message: str, parameters: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.body = {"message": message, "parameters": dict(parameters or {})}


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
            condition = flt.get("condition_type") or "eq"
            if condition not in CONDITIONS:
                raise SearchError("Invalid condition type: %1", {"1": condition})
            filters.append(
                {"field": flt["field"], "value": flt.get("value", ""), "condition_type": condition}
            )
        if filters:
            criteria.filter_groups.append(filters)
    for order in _ordered(tree.get("sort_orders")):
        if isinstance(order, dict) and order.get("field"):
            direction = str(order.get("direction") or "ASC").upper()
            criteria.sort_orders.append({"field": order["field"], "direction": direction})
    if "page_size" in tree:
        criteria.page_size = _int(tree["page_size"], "pageSize")
    if "current_page" in tree:
        criteria.current_page = _int(tree["current_page"], "currentPage")
    return criteria


def _lookup(record: Mapping[str, Any], name: str) -> Any:
    if name in record:
        return record[name]
    for attr in record.get("custom_attributes") or []:
        if isinstance(attr, dict) and attr.get("attribute_code") == name:
            return attr.get("value")
    return None


def _number(value: Any) -> float | None:
    """A record value's number, when the column is numeric (JSON number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _compare(left: Any, right: str) -> int:
    """Compare like MySQL: numeric columns as numbers, text columns as case-blind text."""
    a = _number(left)
    if a is not None:
        try:
            b = float(right)
        except ValueError:
            b = 0.0  # MySQL casts a non-numeric string to 0
        return (a > b) - (a < b)
    x, y = str(left).lower(), str(right).lower()
    return (x > y) - (x < y)


def _like(value: Any, pattern: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, str(value), re.IGNORECASE | re.DOTALL) is not None


def _matches(record: Mapping[str, Any], flt: Mapping[str, str]) -> bool:
    value = _lookup(record, flt["field"])
    cond, expected = flt["condition_type"], str(flt["value"])
    if cond == "null":
        return value is None
    if cond == "notnull":
        return value is not None
    if value is None:
        # SQL: a comparison with NULL is never true, NOT IN / != included.
        return False
    if cond == "like":
        return _like(value, expected)
    if cond in ("in", "nin"):
        found = any(_compare(value, v.strip()) == 0 for v in expected.split(","))
        return found if cond == "in" else not found
    if cond == "finset":
        return expected.lower() in [v.strip().lower() for v in str(value).split(",")]
    order = _compare(value, expected)
    return {
        "eq": order == 0,
        "neq": order != 0,
        "gt": order > 0,
        "gteq": order >= 0,
        "from": order >= 0,
        "lt": order < 0,
        "lteq": order <= 0,
        "to": order <= 0,
    }[cond]


def _sort_key(value: Any) -> tuple[int, float, str]:
    number = _number(value)
    if value is None:
        return (0, 0.0, "")
    return (1, number, "") if number is not None else (2, 0.0, str(value).lower())


def _in_matcher(flt: Mapping[str, str]) -> Callable[[Mapping[str, Any]], bool]:
    """`in`/`nin` as `_matches` answers them, with the list parsed once, not once per record.

    A numeric value is in the list when it equals one of the values read as numbers (a
    non-numeric one reads as 0, NaN equals everything, as `_compare` has it); any other
    value when its text equals one of them, case-blind.
    """
    name, negate = flt["field"], flt["condition_type"] == "nin"
    expected = [v.strip() for v in str(flt["value"]).split(",")]
    texts = {v.lower() for v in expected}
    numbers: set[float] = set()
    for v in expected:
        try:
            numbers.add(float(v))
        except ValueError:
            numbers.add(0.0)  # MySQL casts a non-numeric string to 0
    any_number = any(math.isnan(n) for n in numbers)

    def matches(record: Mapping[str, Any]) -> bool:
        value = _lookup(record, name)
        if value is None:
            return False  # SQL: NOT IN with NULL is never true either
        number = _number(value)
        if number is not None:
            found = any_number or number in numbers
        else:
            found = str(value).lower() in texts
        return found != negate

    return matches


def _matcher(flt: Mapping[str, str]) -> Callable[[Mapping[str, Any]], bool]:
    if flt["condition_type"] in ("in", "nin"):
        return _in_matcher(flt)
    return lambda record: _matches(record, flt)


def run(records: list[dict[str, Any]], criteria: Criteria) -> tuple[list[dict[str, Any]], int]:
    """Filter, sort and page `records`: (this page's items, total_count)."""
    groups = [[_matcher(f) for f in group] for group in criteria.filter_groups]
    hits = [r for r in records if all(any(m(r) for m in g) for g in groups)]
    for order in reversed(criteria.sort_orders):
        hits.sort(
            key=lambda r: _sort_key(_lookup(r, order["field"])),
            reverse=order["direction"] == "DESC",
        )
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
