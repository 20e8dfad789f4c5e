"""Per-request retries: a transient fault is tried again inside the call, before a
task-level retry (which re-runs a whole page) is spent.

Transient means a `RetryableError`: HTTP 5xx, 429, a timeout, a dropped or refused
connection, an Odoo serialization failure. Each call tries at most `attempts` times;
no new try starts once `total` seconds (the coming wait included) have passed since the
first, so a call lasts at most `total` plus one request timeout. Between tries the wait
grows exponentially with full jitter (tenacity's `wait_random_exponential`: clients
that failed together do not come back together); a `Retry-After` is honoured as the
least wait, and one longer than `retry_after_max` is not waited out here but handed to
the task-level retry, whose countdown honours it without holding a worker.

Only requests that are safe to repeat are repeated: those whose second copy changes
nothing the first did not (same values, same key), whatever happened to the first.

Magento (`magento_idempotent`):
- GET: reads.
- PUT: Magento's PUT replaces the resource named by its path (`products/{sku}`,
  `products/{sku}/stockItems/{id}`) with the body; sent twice, the same state.
- POST `products`: a save keyed by the body's SKU (create or update), so a second save
  updates the product to the same values; POST `inventory/source-items`: absolute
  quantities keyed by (sku, source); POST `integration/admin/token`: a login.
- Not repeated: every other POST (`order/{id}/ship`, `order/{id}/invoice`, refunds,
  cancels, comments, attribute options, guest carts and async bulks each create a
  record or an operation per request), and DELETE (a repeat answers 404).

Odoo (`odoo_idempotent`):
- Reads: search, read, search_read, search_count, fields_get, name_search, read_group
  and the other methods in `ODOO_READS`; common.version and the login.
- `write` of fixed values: it sets fields to what the call names. Not when a value
  holds an x2many command that creates or deletes (`(0, 0, vals)`, `(2, id)`): a
  repeat would add another line or fail on the deleted one.
- Not repeated: `create` and `copy` (a new record per call), `unlink` (a repeat fails
  on the missing record) and every business method (action_confirm, action_post,
  action_create_payments, create_invoices, message_post, ...).

A request that is not safe to repeat is still tried again when it provably never left
(`RetryableError.sent` is False: connection refused, host not found, connect timeout)
or was turned away unhandled (429 Too Many Requests: a rate limit answers before the
request is processed), or when the caller gives a `look`: a way to find what the request
made (Magento's shipment, invoice or credit memo of that order with those items,
`bridge/sync/fulfillment.py`). Before each further try the look runs (unless every try
so far provably did nothing: never sent, or a 429), and what it finds is the call's
answer; only when it finds nothing is the request sent again.
When it was sent and no answer came (read timeout, dropped connection), the call ends
with `OutcomeUnknownError`, so a caller looks at the other side before repeating it;
any other transient error on it is handed to the task-level retry as it is.

A call that logs in first (Magento's admin token, Odoo's version and uid) retries the login
on its own; a login that used up its tries ends the call without a second round of them
(`RetryableError.tries` says how many were made).

Every try is seen by `bridge.clients.observe` (the clients notify per try), so metrics
count the faults a retry absorbed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from bridge.clients.errors import OutcomeUnknownError, RetryableError

T = TypeVar("T")
log = logging.getLogger(__name__)

#: A rate limit's answer: the request was turned away before it was handled.
TOO_MANY_REQUESTS = 429


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one request is tried (defaults: `bridge.settings`, BRIDGE_HTTP_RETRY_*)."""

    #: Tries in all, the first included; 1 turns per-request retries off.
    attempts: int = 5
    #: Seconds from the first try after which no new try starts.
    total: float = 60.0
    #: Ceiling of the first wait, doubled for each further one (full jitter below it).
    backoff: float = 0.5
    #: Cap of one wait's ceiling.
    backoff_max: float = 8.0
    #: Longest Retry-After waited out here; a longer one goes to the task-level retry.
    retry_after_max: float = 30.0

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        from bridge.settings import get_settings

        s = get_settings()
        return cls(
            attempts=s.http_retry_attempts,
            total=s.http_retry_total,
            backoff=s.http_retry_backoff,
            backoff_max=s.http_retry_backoff_max,
            retry_after_max=s.http_retry_after_max,
        )

    def run(
        self,
        attempt: Callable[[], T],
        *,
        idempotent: bool,
        what: str,
        look: Callable[[], T | None] | None = None,
    ) -> T:
        """`attempt()` until it succeeds, fails for good, or the bounds are reached.

        `what` names the call in the log ("Magento GET orders", "Odoo sale.order.read").
        `look`: for a request not safe to repeat, finds what an earlier try made (None:
        nothing); it runs before a further try once one may have been applied.
        """

        def worth_another(exc: BaseException) -> bool:
            if not isinstance(exc, RetryableError) or exc.tries:
                return False  # exc.tries: a request inside this one (a login) spent its own
            repeatable = idempotent or look is not None
            if not (repeatable or not exc.sent or exc.status == TOO_MANY_REQUESTS):
                return False
            return exc.retry_after is None or exc.retry_after <= self.retry_after_max

        jitter = wait_random_exponential(multiplier=self.backoff, max=self.backoff_max)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            asked = getattr(exc, "retry_after", None) or 0.0
            return max(float(asked), jitter(state))

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.info(
                "%s: %s; try %d of %d in %.2f s",
                what,
                exc,
                state.attempt_number + 1,
                self.attempts,
                state.upcoming_sleep,
            )

        retrying = Retrying(
            stop=stop_after_attempt(max(1, self.attempts)) | stop_before_delay(self.total),
            wait=wait,
            retry=retry_if_exception(worth_another),
            before_sleep=before_sleep,
            reraise=True,
        )
        tried = 0
        maybe_applied = False  # a try was sent and not turned away: look before the next

        def counted() -> T:
            nonlocal tried, maybe_applied
            tried += 1
            if maybe_applied and look is not None and (found := look()) is not None:
                return found  # an earlier try was applied; its answer was what got lost
            try:
                return attempt()
            except RetryableError as exc:
                maybe_applied |= exc.sent and exc.status != TOO_MANY_REQUESTS
                raise

        try:
            return retrying(counted)
        except RetryableError as exc:
            if exc.tries:  # settled by a retry of its own (the login inside this call)
                raise
            exc.tries = tried
            if idempotent or exc.answered or not exc.sent or isinstance(exc, OutcomeUnknownError):
                raise
            raise OutcomeUnknownError(
                f"{exc.message}; {what} is not safe to repeat and may have been applied: "
                "look before sending it again",
                status=exc.status,
                kind=exc.kind,
                details=exc.details,
                sent=True,
                answered=False,
                tries=tried,
            ) from exc


NO_RETRY = RetryPolicy(attempts=1)


def never_sent(exc: BaseException) -> bool:
    """Whether a `requests` failure happened before the request left: no connection was
    made (refused, host not found, connect timeout), so not even a write was applied."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    seen: set[int] = set()
    todo: list[Any] = [exc]
    while todo:  # requests wraps urllib3's MaxRetryError, whose `reason` says what failed
        err = todo.pop()
        if err is None or id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, NewConnectionError | ConnectTimeoutError):
            return True
        todo.extend([getattr(err, "reason", None), err.__cause__, err.__context__])
        todo.extend(a for a in getattr(err, "args", ()) if isinstance(a, BaseException))
    return False


# -- Magento ------------------------------------------------------------------------------------

#: POST routes that save by a key in the body (see the module docstring).
MAGENTO_IDEMPOTENT_POSTS = frozenset(
    {"products", "inventory/source-items", "integration/admin/token"}
)


def magento_idempotent(method: str, path: str) -> bool:
    """Whether Magento would end in the same state if this request arrived twice."""
    verb = method.upper()
    if verb in ("GET", "HEAD", "PUT"):
        return True
    if verb == "POST":
        route = path.split("?", 1)[0].strip("/").removeprefix("V1/")
        return route in MAGENTO_IDEMPOTENT_POSTS
    return False


# -- Odoo ---------------------------------------------------------------------------------------

#: Model methods that only read.
ODOO_READS = frozenset(
    {
        "search",
        "read",
        "search_read",
        "search_count",
        "search_fetch",
        "fields_get",
        "name_search",
        "name_get",
        "read_group",
        "formatted_read_group",
        "web_read",
        "web_search_read",
        "web_read_group",
        "default_get",
        "context_get",
        "check_access_rights",
        "check_access",
        "has_group",
        "exists",
        "get_views",
    }
)
#: x2many commands whose repeat is not a no-op: CREATE (0) and DELETE (2).
_UNREPEATABLE_COMMANDS = (0, 2)


def odoo_idempotent(method: str, args: Iterable[Any] = (), kwargs: dict | None = None) -> bool:
    """Whether Odoo would end in the same state if this model call arrived twice."""
    if method in ODOO_READS:
        return True
    if method == "write":
        values = [*args, *(kwargs or {}).values()]
        return not any(_creates_or_deletes(v) for v in values)
    return False


def _creates_or_deletes(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_creates_or_deletes(v) for v in value.values())
    if isinstance(value, list | tuple):
        first = value[0] if value else None
        if isinstance(first, int) and not isinstance(first, bool) and len(value) in (2, 3):
            # An x2many command: (0, 0, vals) creates, (2, id) deletes; (1, id, vals)
            # updates with values that may hold commands of their own; (6, 0, ids) sets.
            if first in _UNREPEATABLE_COMMANDS:
                return True
            return len(value) == 3 and isinstance(value[2], dict) and _creates_or_deletes(value[2])
        return any(_creates_or_deletes(v) for v in value)
    return False
