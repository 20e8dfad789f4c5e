"""Fault injection shared by both sandboxes: latency, 5xx, 429, timeouts, dropped connections.

Configured at run time over HTTP, so a test, the demo or a benchmark can turn
faults on and off while a sandbox is serving:

    GET    /__sandbox__/faults   current settings and counters
    POST   /__sandbox__/faults   JSON body with any of the FaultConfig fields
    DELETE /__sandbox__/faults   back to no faults, counters reset

Rates are shares between 0 and 1 drawn per request. `max_faults` caps how many
faults are injected in all (then requests pass), which makes "fail twice, then
succeed" deterministic. `path_contains` limits faults to matching paths.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any

ADMIN_PATH = "/__sandbox__/faults"

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


@dataclass
class FaultConfig:
    latency_ms: float = 0.0
    rate_5xx: float = 0.0
    status_5xx: int = 503
    rate_429: float = 0.0
    retry_after: int = 1
    rate_timeout: float = 0.0
    #: How long a "timed out" request hangs before it finally answers 504.
    timeout_s: float = 30.0
    rate_drop: float = 0.0
    max_faults: int | None = None
    path_contains: str | None = None
    seed: int | None = None


class Faults:
    """Thread-safe fault settings and counters for one sandbox."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.config = FaultConfig()
        self._rng = random.Random()
        self.requests = 0
        self.injected: dict[str, int] = {}

    def configure(self, **changes: Any) -> FaultConfig:
        known = {f.name for f in fields(FaultConfig)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        with self._lock:
            self.config = FaultConfig(**{**asdict(self.config), **changes})
            if self.config.seed is not None:
                self._rng.seed(self.config.seed)
            return self.config

    def reset(self) -> None:
        with self._lock:
            self.config = FaultConfig()
            self.requests = 0
            self.injected = {}

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "config": asdict(self.config),
                "requests": self.requests,
                "injected": dict(self.injected),
            }

    def draw(self, path: str) -> tuple[float, str | None]:
        """Count one request and decide its fate: (latency seconds, fault kind or None)."""
        with self._lock:
            self.requests += 1
            cfg = self.config
            latency = cfg.latency_ms / 1000.0
            if cfg.path_contains and cfg.path_contains not in path:
                return latency, None
            if cfg.max_faults is not None and sum(self.injected.values()) >= cfg.max_faults:
                return latency, None
            roll = self._rng.random()
            for kind, rate in (
                ("5xx", cfg.rate_5xx),
                ("429", cfg.rate_429),
                ("timeout", cfg.rate_timeout),
                ("drop", cfg.rate_drop),
            ):
                if roll < rate:
                    self.injected[kind] = self.injected.get(kind, 0) + 1
                    return latency, kind
                roll -= rate
            return latency, None


def _json(start_response: StartResponse, status: str, body: Any) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


class FaultMiddleware:
    """Wraps a sandbox's WSGI app: serves the admin endpoint and injects faults."""

    def __init__(self, app: WSGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == ADMIN_PATH:
            return self._admin(environ, start_response)
        latency, kind = self.faults.draw(path)
        if latency:
            time.sleep(latency)
        if kind == "5xx":
            status = self.faults.config.status_5xx
            body = f"<html><body><h1>{status} Service Unavailable</h1></body></html>".encode()
            start_response(f"{status} Service Unavailable", [("Content-Type", "text/html")])
            return [body]
        if kind == "429":
            data = json.dumps({"message": "Too Many Requests"}).encode()
            start_response(
                "429 Too Many Requests",
                [
                    ("Content-Type", "application/json"),
                    ("Retry-After", str(self.faults.config.retry_after)),
                ],
            )
            return [data]
        if kind == "timeout":
            time.sleep(self.faults.config.timeout_s)
            start_response("504 Gateway Timeout", [("Content-Type", "text/html")])
            return [b"<html><body><h1>504 Gateway Time-out</h1></body></html>"]
        if kind == "drop":
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                # Half-close both ways: the client sees the connection drop with no answer.
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            start_response("500 Dropped", [])
            return [b""]
        return self.app(environ, start_response)

    def _admin(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b"{}"
            try:
                self.faults.configure(**json.loads(raw or b"{}"))
            except (ValueError, TypeError) as exc:
                return _json(start_response, "400 Bad Request", {"message": str(exc)})
        elif method == "DELETE":
            self.faults.reset()
        return _json(start_response, "200 OK", self.faults.snapshot())
