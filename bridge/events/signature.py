"""Signed deliveries: an HMAC-SHA256 of timestamp and raw body, with the connection secret.

    X-Bridge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

The timestamp is inside the signed text, so a captured delivery cannot be sent again
later with a fresh time: outside the tolerance it is refused as stale, inside it
its event id makes it a duplicate. (Stripe and GitHub sign webhooks the same way.)
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Bridge-Signature"
TOLERANCE_S = 300


class BadSignature(ValueError):
    """The delivery is not signed with the connection's secret."""


class StaleDelivery(ValueError):
    """The delivery is signed, but too old (or from too far in the future) to trust."""


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, body: bytes, header: str | None, now: float | None = None) -> None:
    """Raise BadSignature or StaleDelivery unless the header signs `body` recently."""
    if not header:
        raise BadSignature(f"missing {HEADER} header")
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError) as exc:
        raise BadSignature(f"malformed {HEADER} header") from exc
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given):
        raise BadSignature("signature does not match the connection's webhook secret")
    now = time.time() if now is None else now
    if abs(now - t) > TOLERANCE_S:
        raise StaleDelivery(f"delivery signed {int(now - t)}s ago; refused as stale or replayed")
