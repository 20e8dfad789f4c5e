"""An order step sent to Odoo is never sent again while the first call may still commit.

A real Odoo 18 may spend longer on `action_create_payments` for a page than Bridge waits
for the answer (issue 16: 43 s against a 30 s timeout). The call is not over when the
client gives up: Odoo finishes it and commits. A retry that looked too early saw the
invoices unpaid, sent a second payment wizard, and Odoo paid them all again at 0.00.

So each step (`create`, `confirm`, `invoice`, `post`, `pay`) goes like this, per record:

1. **Wait for an earlier try.** A record claimed by an earlier call whose window
   (`BRIDGE_ODOO_CALL_WINDOW`) has not passed may still commit: look in Odoo every
   `POLL` seconds until it shows the step done or the window ends.
2. **Look.** Records Odoo shows done (order confirmed, invoice posted, payment on the
   invoice...) are left out.
3. **Claim, send.** The rest are claimed (`bridge.coordination.StepClaims`: they outlive
   the page's transaction) and sent in one call.
4. **No answer** (timeout, dropped connection): the call may still be running, so wait and
   look, up to the window. Done: go on. Not yet: the page is retried, and its next try
   starts at 1; once the window has passed with nothing done, Odoo dropped the call and
   the step is sent again.

One attempt waits at most `patience` seconds (default: the window); then the page is
retried later with its claims kept, so a wait never runs into the task's time limit.

An error Odoo answered (refusal, serialization failure) means it rolled the call back:
the claim is dropped at once and the error goes up as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bridge.clients.errors import ClientError, RetryableError, outcome_unknown
from bridge.coordination import Key, StepClaims

#: Seconds between looks while a call may still be running in Odoo.
POLL = 2.0

#: Which of these records Odoo shows the step done on.
Look = Callable[[list[Any]], set[Any]]


@dataclass
class Steps:
    claims: StepClaims
    #: BRIDGE_ODOO_CALL_WINDOW: how long a call Bridge gave up on may still commit.
    window: float
    #: Longest one attempt waits for an earlier call (None: the window). Past it the page
    #: is retried later, claims kept, so a waiting page never outlives its task's limit.
    patience: float | None = None
    poll: float = POLL
    #: What a page had to wait for, for its log: step -> seconds waited.
    waited: dict[str, float] = field(default_factory=dict)

    def run(self, step: str, ids: list[Any], done: Look, send: Callable[[list[Any]], Any]) -> Any:
        """Send `step` for the ids Odoo does not show done; the answer of `send`, or None."""
        if not ids:
            return None
        self.after_earlier(step, ids, done)
        finished = done(ids)
        todo = [i for i in ids if i not in finished]
        if not todo:
            return None
        sent = self.claims.claim(step, todo, self.window)
        try:
            answer = send(todo)
        except ClientError as exc:
            if not outcome_unknown(exc):
                self.claims.settle(step, todo)
                raise
            left = self._await(step, todo, done, sent + self.window)
            if left:
                raise RetryableError(
                    f"Odoo did not answer {step} for {len(todo)} record(s) ({exc.message}); "
                    f"{len(left)} of them not done yet: looked again for "
                    f"{self.waited.get(step, 0):g} s, the page is retried (nothing is sent "
                    f"again while Odoo may still commit it, {self.window:g} s)"
                ) from exc
            return None
        self.claims.settle(step, todo)
        return answer

    def after_earlier(self, step: str, ids: list[Key], done: Look) -> None:
        """Return once no earlier call of `step` on `ids` may still commit unseen: Odoo
        shows it done, or its window ended. Raises RetryableError when this attempt's
        patience ends first (the claims stay)."""
        claimed = self.claims.open(step, ids)
        if not claimed:
            return
        ends = max(claimed.values()) + self.window
        left = self._await(step, list(claimed), done, ends)
        if left and self.claims.open(step, left):
            raise RetryableError(
                f"an earlier {step} of {len(left)} record(s) may still be running in Odoo; "
                f"waited {self.waited.get(step, 0):g} s, the page is retried (never sent twice)"
            )

    def claim(self, step: str, ids: list[Key]) -> None:
        self.claims.claim(step, ids, self.window)

    def settle(self, step: str, ids: list[Key]) -> None:
        self.claims.settle(step, ids)

    def _await(self, step: str, ids: list[Any], done: Look, until: float) -> list[Any]:
        """Look until every id shows done, `until` (the claims' clock) passes or this
        attempt's patience ends; the ids still not done."""
        started = time.monotonic()
        patience = self.window if self.patience is None else self.patience
        left = list(ids)
        try:
            while left:
                finished = done(left)
                left = [i for i in left if i not in finished]
                now = self.claims.now()
                waited = time.monotonic() - started
                if not left or now >= until or waited >= patience:
                    break
                time.sleep(max(0.05, min(self.poll, until - now, patience - waited)))
        finally:
            spent = time.monotonic() - started
            self.waited[step] = round(self.waited.get(step, 0.0) + spent, 1)
        if not left:
            self.claims.settle(step, ids)
        return left
