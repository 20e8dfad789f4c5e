"""Reading the console's query strings and forms into typed values, with clear refusals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from werkzeug.exceptions import BadRequest

from bridge.models import Direction, LogState
from bridge.sync.log_filter import LogFilter

FILTER_FIELDS = ("connection", "entity", "direction", "state", "key", "since", "until")


def _date(text: str, name: str) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{name}: {text!r} is not a date (2026-11-30) or date-time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _int(text: str, name: str) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise BadRequest(f"{name}: {text!r} is not a number")
    return int(text)


def log_filter(args: Mapping[str, str]) -> LogFilter:
    """The filter a query string (or a bulk action's hidden fields) describes."""
    direction, state = args.get("direction") or None, args.get("state") or None
    if direction and direction not in {d.value for d in Direction}:
        raise BadRequest(f"direction: {direction!r} is not one of {[d.value for d in Direction]}")
    if state and state not in {s.value for s in LogState}:
        raise BadRequest(f"state: {state!r} is not one of {[s.value for s in LogState]}")
    return LogFilter(
        connection_id=_int(args.get("connection", ""), "connection"),
        entity=args.get("entity") or None,
        direction=Direction(direction) if direction else None,
        state=LogState(state) if state else None,
        key=args.get("key") or None,
        since=_date(args.get("since", ""), "since"),
        until=_date(args.get("until", ""), "until"),
        before_id=_int(args.get("before", ""), "before"),
    )


def filter_args(args: Mapping[str, str]) -> dict[str, str]:
    """The filter's fields as given, to carry into links and hidden form fields."""
    return {k: args[k] for k in FILTER_FIELDS if args.get(k)}
