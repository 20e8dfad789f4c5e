"""Encryption of credentials at rest (Fernet: AES-128-CBC + HMAC-SHA256).

BRIDGE_SECRET_KEY may hold several keys separated by commas: the first encrypts,
all decrypt, so a key can be rotated without losing stored secrets. A key that is
not a Fernet key is treated as a passphrase and stretched with SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bridge.settings import Settings, get_settings


class SecretError(Exception):
    """A stored secret cannot be decrypted with the configured key(s)."""


def _as_fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except ValueError:
        digest = hashlib.sha256(key.encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))


def _load_or_create_key_file(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


def cipher(settings: Settings | None = None) -> MultiFernet:
    settings = settings or get_settings()
    if settings.secret_key is not None:
        raw = settings.secret_key.get_secret_value()
    else:
        raw = _load_or_create_key_file(settings.secret_key_file)
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        raise SecretError("BRIDGE_SECRET_KEY is empty")
    return MultiFernet([_as_fernet(k) for k in keys])


def encrypt(plain: str | None) -> str | None:
    if plain is None:
        return None
    return cipher().encrypt(plain.encode()).decode()


def decrypt(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretError(
            "a stored secret cannot be decrypted: BRIDGE_SECRET_KEY differs from the key it "
            "was stored with (add the old key after a comma to rotate)"
        ) from exc
