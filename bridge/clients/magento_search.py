"""Magento `searchCriteria`: an immutable builder that renders Magento's query parameters.

Magento reads a search as nested query parameters:

    searchCriteria[filter_groups][G][filters][F][field|value|condition_type]
    searchCriteria[sortOrders][i][field|direction]
    searchCriteria[pageSize], searchCriteria[currentPage]

Filters inside one group are OR'ed, groups are AND'ed. Every method returns a new
criteria, so a base search can be shared and refined without surprises.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

#: The condition types Magento 2.4 applies (`Mysql::prepareSqlCondition`'s keys), less `is`,
#: which MySQL always refuses once Magento quotes the value (a 500). Magento itself refuses
#: no condition type: an unknown one quietly becomes an equality, so the client refuses it.
CONDITIONS = frozenset(
    {"eq", "neq", "gt", "gteq", "lt", "lteq", "in", "nin", "like", "nlike", "null", "notnull"}
    | {"from", "to", "finset", "nfinset", "regexp", "seq", "sneq", "ntoa"}
)

Direction = Literal["ASC", "DESC"]
FilterValue = str | int | float | bool | None | Iterable[str | int]


def _render_value(value: FilterValue) -> str:
    if value is None:
        # `null` / `notnull` ignore the value, but Magento requires one to be present.
        return "1"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str | int | float):
        return str(value)
    return ",".join(str(v) for v in value)


@dataclass(frozen=True)
class Filter:
    """One condition: `field <condition_type> value`."""

    field: str
    value: str
    condition_type: str = "eq"

    @classmethod
    def of(cls, field: str, value: FilterValue = None, condition_type: str = "eq") -> Filter:
        if condition_type not in CONDITIONS:
            raise ValueError(f"unknown Magento condition type {condition_type!r}")
        return cls(field, _render_value(value), condition_type)


@dataclass(frozen=True)
class SortOrder:
    field: str
    direction: Direction = "ASC"


@dataclass(frozen=True)
class SearchCriteria:
    """A Magento search; build it with `where`, `any_of`, `order_by` and `page`."""

    filter_groups: tuple[tuple[Filter, ...], ...] = ()
    sort_orders: tuple[SortOrder, ...] = ()
    page_size: int | None = None
    current_page: int | None = None

    def where(self, field: str, value: FilterValue = None, condition: str = "eq") -> SearchCriteria:
        """AND a new condition onto the search."""
        return replace(
            self, filter_groups=(*self.filter_groups, (Filter.of(field, value, condition),))
        )

    def any_of(self, *conditions: tuple[str, FilterValue, str] | Filter) -> SearchCriteria:
        """AND one group of conditions of which any may hold (OR inside the group)."""
        group = tuple(c if isinstance(c, Filter) else Filter.of(*c) for c in conditions)
        if not group:
            raise ValueError("any_of needs at least one condition")
        return replace(self, filter_groups=(*self.filter_groups, group))

    def order_by(self, field: str, direction: Direction = "ASC") -> SearchCriteria:
        if direction not in ("ASC", "DESC"):
            raise ValueError("direction must be ASC or DESC")
        return replace(self, sort_orders=(*self.sort_orders, SortOrder(field, direction)))

    def page(self, current_page: int, page_size: int) -> SearchCriteria:
        if current_page < 1 or page_size < 1:
            raise ValueError("current_page and page_size start at 1")
        return replace(self, current_page=current_page, page_size=page_size)

    def to_params(self) -> dict[str, str]:
        """The query parameters Magento's REST layer turns back into this criteria."""
        params: dict[str, str] = {}
        for g, group in enumerate(self.filter_groups):
            for f, flt in enumerate(group):
                prefix = f"searchCriteria[filter_groups][{g}][filters][{f}]"
                params[f"{prefix}[field]"] = flt.field
                params[f"{prefix}[value]"] = flt.value
                params[f"{prefix}[condition_type]"] = flt.condition_type
        for i, order in enumerate(self.sort_orders):
            params[f"searchCriteria[sortOrders][{i}][field]"] = order.field
            params[f"searchCriteria[sortOrders][{i}][direction]"] = order.direction
        if self.page_size is not None:
            params["searchCriteria[pageSize]"] = str(self.page_size)
        if self.current_page is not None:
            params["searchCriteria[currentPage]"] = str(self.current_page)
        if not params:
            # Magento rejects a search without any searchCriteria parameter.
            params["searchCriteria"] = ""
        return params
