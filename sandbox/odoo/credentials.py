"""What checking a password costs on a real Odoo 18, and when it is paid.

Odoo 18 stores passwords as passlib pbkdf2_sha512 hashes with 600,000 rounds
(`res.users._crypt_context`): verifying one takes ~0.25 s on a fast core and ~0.9 s on a
modest server. It is paid:

- by every `common.authenticate` / `login` for an existing login, right or wrong
  (`res.users._login` -> `_check_credentials`); an unknown login costs nothing;
- by `object.execute_kw` / `execute`, which checks the (uid, password) of every call
  (`service/model.py::dispatch` -> `security.check` -> `res.users.check`), but
  `check` is an ormcache: a pair verified once is free until the registry's caches are
  cleared (creating a product variant, turning a currency on... see
  `Model.clears_caches`) or the worker process changes. A wrong password is never
  cached, so it costs every time. An API key costs the password check first (it is
  tried, and fails) plus a cheap 6,000-round key check (`res.users.apikeys`);
- by every JSON-2 call on Odoo 19 (bearer API key, 6,000 rounds, not cached).

The sandbox is one process: one cache per database, `Database.checked_credentials`.
The cost is a sleep, outside the database lock, so other calls go on meanwhile, as
they would on a multi-threaded Odoo. `LOGIN_COST_ENV` (seconds) or the sandbox's
`login_cost` argument sets it; `/__sandbox__/odoo/settings` changes it live.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

#: Seconds one pbkdf2_sha512 password check costs (real Odoo 18 on a modest server).
DEFAULT_LOGIN_COST = 0.9
LOGIN_COST_ENV = "BRIDGE_SANDBOX_ODOO_LOGIN_COST"
#: An API key's own hash has 6,000 rounds to the password's 600,000.
KEY_COST_SHARE = 6_000 / 600_000


def configured_cost(value: float | None = None) -> float:
    """The cost to model: `value` if given, else the environment's, else the default."""
    if value is not None:
        return max(0.0, float(value))
    raw = os.environ.get(LOGIN_COST_ENV, "").strip()
    if not raw:
        return DEFAULT_LOGIN_COST
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise ValueError(f"{LOGIN_COST_ENV} must be a number of seconds, not {raw!r}") from None


@dataclass
class Credentials:
    """Counts and charges the password checks of one sandbox."""

    cost: float = DEFAULT_LOGIN_COST
    #: Hashes verified so far (passwords and API keys), for tests and benchmarks.
    checks: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def verify_password(self) -> None:
        """One pbkdf2 verification of the user's password hash."""
        self._pay(self.cost)

    def verify_key(self) -> None:
        """One API key verification (`res.users.apikeys._check_credentials`)."""
        self._pay(self.cost * KEY_COST_SHARE)

    def _pay(self, seconds: float) -> None:
        with self.lock:
            self.checks += 1
        if seconds > 0:
            time.sleep(seconds)
