"""Fingerprints of synced values: equal fingerprints mean nothing changed (or our own echo)."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def fingerprint(values: Any) -> str:
    """A stable SHA-256 of JSON-able values (key order does not matter)."""
    blob = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()
