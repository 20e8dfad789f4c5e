"""What every worker of a connection agrees on, through Redis (the broker's server).

- **Odoo page slots** (`odoo_slot`): at most `Connection.odoo_parallel_pages` order pages
  talk to one connection's Odoo at once, whatever the number of Celery workers. A
  counting semaphore: a sorted set of holders scored by when their lease ends. A holder
  renews its lease every `LEASE / 3` seconds from a thread, so a worker killed mid-page
  frees its slot within `LEASE` seconds without anyone's help.
- **Magento request rate** (`MagentoRate`): at most `Connection.magento_rps` requests a
  second per connection across all workers (a token bucket; 0, the default, is no
  limit). A 429 pauses every worker of the connection for the Retry-After Magento sent
  (1 s without one), limit or not.
- **Step claims** (`StepClaims`): an order step sent to Odoo (confirm, invoice, post,
  pay) is claimed per record for as long as Odoo may still be running the call
  (`BRIDGE_ODOO_CALL_WINDOW`); a retry that finds a claim waits and looks in Odoo
  before it sends the step again (bridge/sync/orders/steps.py). A claim only matters
  while the call can still commit, so it is a key that expires, not a table row; and it
  must be visible to the retry even when the page's own transaction rolled back.

Time is Redis's (`TIME`), so workers' clocks may disagree. Without a Redis broker
(the demo's `memory://`), everything runs in one process and the same rules hold
in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from redis.exceptions import RedisError

from bridge.settings import get_settings

log = logging.getLogger(__name__)

PREFIX = "bridge:"
#: Seconds a page's Odoo slot lasts without renewal (a dead worker's frees itself).
LEASE = 60.0
#: How often a page waiting for a slot asks again.
POLL = 0.25

_ACQUIRE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), ARGV[3])
  redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) * 2)
  return 1
end
return 0
"""
_RENEW = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  redis.call('ZADD', KEYS[1], t + tonumber(ARGV[1]), ARGV[2])
  redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1])) * 2)
  return 1
end
return 0
"""
#: Token bucket: ARGV rate/s, burst; answers the milliseconds to wait (0: go).
_TAKE = """
local pause = redis.call('PTTL', KEYS[2])
if pause > 0 then return pause end
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
if rate <= 0 then return 0 end
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or t
tokens = math.min(burst, tokens + (t - at) * rate / 1000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', t)
redis.call('PEXPIRE', KEYS[1], 60000)
return wait
"""


#: A claimed record: an Odoo id, or an increment id before the order exists.
Key = int | str


class SlotUnavailable(Exception):
    """No Odoo slot freed up within the wait: the page is retried later."""


class _Store(Protocol):
    def acquire(self, key: str, limit: int, lease: float, token: str) -> bool: ...
    def renew(self, key: str, lease: float, token: str) -> bool: ...
    def release(self, key: str, token: str) -> None: ...
    def holders(self, key: str) -> int: ...
    def take(self, key: str, rate: float, burst: float) -> float: ...
    def pause(self, key: str, seconds: float) -> None: ...
    def claim(self, keys: list[str], value: float, ttl: float) -> None: ...
    def claims(self, keys: list[str]) -> list[float | None]: ...
    def drop(self, keys: list[str]) -> None: ...
    def now(self) -> float: ...


class _RedisStore:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
        self._acquire = self.client.register_script(_ACQUIRE)
        self._renew = self.client.register_script(_RENEW)
        self._take = self.client.register_script(_TAKE)

    def acquire(self, key: str, limit: int, lease: float, token: str) -> bool:
        return bool(self._acquire(keys=[key], args=[limit, lease, token]))

    def renew(self, key: str, lease: float, token: str) -> bool:
        return bool(self._renew(keys=[key], args=[lease, token]))

    def release(self, key: str, token: str) -> None:
        self.client.zrem(key, token)

    def holders(self, key: str) -> int:
        return int(self.client.zcount(key, self.now(), "+inf"))

    def take(self, key: str, rate: float, burst: float) -> float:
        return float(self._take(keys=[key, key + ":pause"], args=[rate, burst])) / 1000

    def pause(self, key: str, seconds: float) -> None:
        self.client.set(key + ":pause", 1, px=max(1, int(seconds * 1000)))

    def claim(self, keys: list[str], value: float, ttl: float) -> None:
        pipe = self.client.pipeline(transaction=False)
        for k in keys:
            pipe.set(k, repr(value), px=max(1, int(ttl * 1000)))
        pipe.execute()

    def claims(self, keys: list[str]) -> list[float | None]:
        if not keys:
            return []
        return [float(v) if v is not None else None for v in self.client.mget(keys)]

    def drop(self, keys: list[str]) -> None:
        if keys:
            self.client.delete(*keys)

    def now(self) -> float:
        seconds, micros = self.client.time()
        return float(seconds) + micros / 1_000_000


@dataclass
class _MemoryStore:
    """One process's coordination (the demo's embedded worker)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sets: dict[str, dict[str, float]] = field(default_factory=dict)
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    expiring: dict[str, tuple[float, float]] = field(default_factory=dict)

    def now(self) -> float:
        return time.time()

    def acquire(self, key: str, limit: int, lease: float, token: str) -> bool:
        with self.lock:
            now = self.now()
            held = {t: e for t, e in self.sets.get(key, {}).items() if e > now}
            ok = len(held) < limit
            if ok:
                held[token] = now + lease
            self.sets[key] = held
            return ok

    def renew(self, key: str, lease: float, token: str) -> bool:
        with self.lock:
            held = self.sets.get(key, {})
            if token not in held:
                return False
            held[token] = self.now() + lease
            return True

    def release(self, key: str, token: str) -> None:
        with self.lock:
            self.sets.get(key, {}).pop(token, None)

    def holders(self, key: str) -> int:
        now = self.now()
        with self.lock:
            return sum(1 for e in self.sets.get(key, {}).values() if e > now)

    def take(self, key: str, rate: float, burst: float) -> float:
        with self.lock:
            now = self.now()
            paused = self._get(key + ":pause", now)
            if paused is not None:
                return self.expiring[key + ":pause"][1] - now
            if rate <= 0:
                return 0.0
            tokens, at = self.buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - at) * rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / rate
            self.buckets[key] = (tokens, now)
            return wait

    def pause(self, key: str, seconds: float) -> None:
        with self.lock:
            self.expiring[key + ":pause"] = (1.0, self.now() + seconds)

    def claim(self, keys: list[str], value: float, ttl: float) -> None:
        with self.lock:
            for k in keys:
                self.expiring[k] = (value, self.now() + ttl)

    def claims(self, keys: list[str]) -> list[float | None]:
        with self.lock:
            now = self.now()
            return [self._get(k, now) for k in keys]

    def drop(self, keys: list[str]) -> None:
        with self.lock:
            for k in keys:
                self.expiring.pop(k, None)

    def _get(self, key: str, now: float) -> float | None:
        value = self.expiring.get(key)
        if value is None or value[1] <= now:
            self.expiring.pop(key, None)
            return None
        return value[0]


_REDIS_ERRORS = (RedisError, OSError)
_stores: dict[str, _Store] = {}
_stores_lock = threading.Lock()


def store() -> _Store:
    """The broker's Redis, or this process's memory when the broker is not Redis."""
    url = get_settings().broker_url
    with _stores_lock:
        if url not in _stores:
            redis_url = url.startswith(("redis://", "rediss://", "unix://"))
            _stores[url] = _RedisStore(url) if redis_url else _MemoryStore()
        return _stores[url]


# -- Odoo page slots ---------------------------------------------------------------------------


def _slot_key(connection_id: int) -> str:
    return f"{PREFIX}odoo-slots:{connection_id}"


def busy_slots(connection_id: int) -> int:
    """Pages holding one of this connection's Odoo slots now."""
    return store().holders(_slot_key(connection_id))


@contextlib.contextmanager
def odoo_slot(connection_id: int, limit: int, wait: float, lease: float = LEASE) -> Iterator[None]:
    """Hold one of the connection's `limit` Odoo slots for the block.

    Waits up to `wait` seconds for one, else raises SlotUnavailable. `limit` < 1
    means no limit."""
    if limit < 1:
        yield
        return
    st, key, token = store(), _slot_key(connection_id), uuid.uuid4().hex
    deadline = time.monotonic() + wait
    while not st.acquire(key, limit, lease, token):
        if time.monotonic() >= deadline:
            raise SlotUnavailable(
                f"all {limit} Odoo slots of connection {connection_id} stayed busy for "
                f"{wait:g} s (odoo_parallel_pages): retried later"
            )
        time.sleep(POLL)
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(lease / 3):
            try:
                if not st.renew(key, lease, token):
                    log.warning("Odoo slot of connection %s expired while held", connection_id)
                    return
            except Exception:  # noqa: BLE001 - a Redis hiccup: the next renewal may work
                log.warning("could not renew the Odoo slot of connection %s", connection_id)

    renewer = threading.Thread(target=renew, name=f"odoo-slot-{connection_id}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join(timeout=5)
        with contextlib.suppress(Exception):
            st.release(key, token)


# -- Magento request rate ----------------------------------------------------------------------


class MagentoRate:
    """`before()` each Magento request; `refused(retry_after)` on a 429."""

    def __init__(self, connection_id: int, rps: float | None) -> None:
        self.key = f"{PREFIX}magento-rate:{connection_id}"
        self.rps = float(rps or 0)

    def before(self) -> None:
        """Wait for a token (none with no limit), and while a 429 pause lasts. Pacing is
        a courtesy: without Redis (a CLI read while it is down) the request goes on."""
        try:
            st = store()
            while True:
                wait = st.take(self.key, self.rps, max(1.0, self.rps))
                if wait <= 0:
                    return
                time.sleep(min(wait, 5.0))
        except _REDIS_ERRORS as exc:
            log.warning("Magento pacing skipped, Redis unavailable: %s", exc)

    def refused(self, retry_after: float | None) -> None:
        """Magento said 429: every worker of the connection waits `retry_after` (else 1 s)."""
        try:
            store().pause(self.key, retry_after if retry_after and retry_after > 0 else 1.0)
        except _REDIS_ERRORS as exc:
            log.warning("could not share Magento's 429 with other workers: %s", exc)


# -- step claims -------------------------------------------------------------------------------


@dataclass
class StepClaims:
    """Claims on the Odoo steps of one connection's orders, by step and record id."""

    connection_id: int
    #: The Odoo database the ids belong to (URL and name): a connection pointed at
    #: another database never sees the first one's claims.
    odoo: str = ""

    def _keys(self, step: str, ids: list[Key]) -> list[str]:
        where = hashlib.sha1(self.odoo.encode()).hexdigest()[:10]
        return [f"{PREFIX}step:{self.connection_id}:{where}:{step}:{i}" for i in ids]

    def now(self) -> float:
        return store().now()

    def claim(self, step: str, ids: list[Key], window: float) -> float:
        """Mark `ids` as sent to Odoo now; the claim lasts `window` seconds. Returns now."""
        now = self.now()
        store().claim(self._keys(step, ids), now, window)
        return now

    def open(self, step: str, ids: list[Key]) -> dict[Key, float]:
        """The ids among `ids` claimed within their window: when each was sent."""
        values = store().claims(self._keys(step, ids))
        return {i: v for i, v in zip(ids, values, strict=True) if v is not None}

    def settle(self, step: str, ids: list[Key]) -> None:
        """Odoo answered for these ids: nothing is in flight any more."""
        store().drop(self._keys(step, ids))
