"""Adobe's two signature schemes, checked over the raw body with `cryptography`.

**I/O Events** signs each delivery twice (RSA-SHA256, base64) with two key pairs:
`x-adobe-digital-signature-1` / `-2`, and names the public keys by relative path in
`x-adobe-public-key1-path` / `-2-path`, served from Adobe's static domain
(`https://static.adobeioevents.com`; a connection may point elsewhere for tests). A
delivery is authentic when one signature verifies with its key. Keys are fetched with a
timeout and kept (`KeyCache`, a day: Adobe rotates by changing the path); a key server
that does not answer is `KeyServerDown` (503: Adobe redelivers), a path it does not
serve is an unknown key (401).

**Commerce Webhooks** sign the body with the store's private key:
`x-adobe-commerce-webhook-signature` = base64 RSA-SHA256; the merchant copies the public
key from the Magento admin into the connection.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
import time
from collections.abc import Mapping

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bridge.events.signature import BadSignature

SIGNATURE_HEADERS = ("x-adobe-digital-signature-1", "x-adobe-digital-signature-2")
KEY_PATH_HEADERS = ("x-adobe-public-key1-path", "x-adobe-public-key2-path")
COMMERCE_HEADER = "x-adobe-commerce-webhook-signature"
ADOBE_KEYS_URL = "https://static.adobeioevents.com"
#: A key path is relative and plain: "/prod/keys/pub-key-<uuid>.pem".
_KEY_PATH = re.compile(r"^/[A-Za-z0-9._/-]{1,200}\.pem$")
KEY_TTL_S = 24 * 3600
KEY_TIMEOUT_S = 5.0


class KeyServerDown(RuntimeError):
    """The public key server did not answer: refuse for now, Adobe delivers again."""


class UnknownKey(BadSignature):
    """The key path is not one the key server serves."""


def load_public_key(pem: str | bytes) -> rsa.RSAPublicKey:
    """A PEM public key, as Adobe serves it or the Magento admin shows it."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise ValueError(f"not a PEM public key: {exc}") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the public key is not an RSA key")
    return key


def rsa_verifies(key: rsa.RSAPublicKey, signature_b64: str | None, body: bytes) -> bool:
    if not signature_b64:
        return False
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


class KeyCache:
    """Public keys by URL, fetched once a day; thread-safe (`bridge serve` is threaded)."""

    def __init__(self, ttl: float = KEY_TTL_S, timeout: float = KEY_TIMEOUT_S) -> None:
        self.ttl, self.timeout = ttl, timeout
        self._keys: dict[str, tuple[float, rsa.RSAPublicKey]] = {}
        self._lock = threading.Lock()

    def get(self, base_url: str, path: str) -> rsa.RSAPublicKey:
        if not _KEY_PATH.match(path) or ".." in path or "//" in path:
            raise UnknownKey(f"not a key path: {path[:80]!r}")
        url = base_url.rstrip("/") + path
        now = time.monotonic()
        with self._lock:
            cached = self._keys.get(url)
        if cached and now - cached[0] < self.ttl:
            return cached[1]
        try:
            answer = requests.get(url, timeout=self.timeout)
        except requests.RequestException as exc:
            raise KeyServerDown(f"public key server {base_url} did not answer: {exc}") from exc
        if answer.status_code >= 500 or answer.status_code == 429:
            raise KeyServerDown(f"public key server {base_url} answered {answer.status_code}")
        if answer.status_code != 200:
            raise UnknownKey(f"no public key at {path} ({answer.status_code})")
        try:
            key = load_public_key(answer.content)
        except ValueError as exc:
            raise UnknownKey(f"{path}: {exc}") from exc
        with self._lock:
            self._keys[url] = (now, key)
        return key

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()


KEYS = KeyCache()


def verify_io_events(
    body: bytes, headers: Mapping[str, str], keys_url: str, cache: KeyCache = KEYS
) -> None:
    """Raise BadSignature (401) or KeyServerDown (503) unless one signature verifies."""
    pairs = [
        (headers.get(s), headers.get(p))
        for s, p in zip(SIGNATURE_HEADERS, KEY_PATH_HEADERS, strict=True)
    ]
    pairs = [(s, p) for s, p in pairs if s and p]
    if not pairs:
        raise BadSignature("missing x-adobe-digital-signature-1/-2 or their key path headers")
    down: KeyServerDown | None = None
    for signature, path in pairs:
        try:
            key = cache.get(keys_url, path)
        except KeyServerDown as exc:
            down = exc
            continue
        except UnknownKey:
            continue
        if rsa_verifies(key, signature, body):
            return
    if down is not None:
        raise down
    raise BadSignature("no x-adobe-digital-signature verifies with Adobe's public keys")


def verify_commerce(body: bytes, header: str | None, public_key_pem: str) -> None:
    """Raise BadSignature unless the Commerce Webhooks signature verifies."""
    if not header:
        raise BadSignature(f"missing {COMMERCE_HEADER} header")
    if not rsa_verifies(load_public_key(public_key_pem), header, body):
        raise BadSignature("signature does not verify with the store's webhook public key")
