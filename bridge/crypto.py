"""Encryption of credentials at rest (Fernet: AES-128-CBC + HMAC-SHA256).

BRIDGE_SECRET_KEY may hold several keys separated by commas: the first encrypts,
all decrypt, so a key can be rotated without losing stored secrets. A key that is
not a Fernet key is treated as a passphrase and stretched with SHA-256.

Without BRIDGE_SECRET_KEY the key lives in `BRIDGE_DATA_DIR/secret.key`. It is made
once, by `ensure_key`, when a data dir is first used and holds no secret yet; it is
never made anywhere else: a key file that went missing while encrypted secrets exist
is an error naming it, not a new key that would leave those secrets unreadable.
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


def missing_key(path: Path) -> SecretError:
    return SecretError(
        f"the secret key file {path} is missing, and the stored credentials were encrypted "
        "with it: restore the file (or set BRIDGE_SECRET_KEY to the key), or enter the "
        "credentials again with `bridge connection add`"
    )


def ensure_key(has_secrets: bool, settings: Settings | None = None) -> None:
    """Make the key file on first use: only while no encrypted secret exists yet.

    With secrets stored and the file gone, nothing is made: whatever needs a secret then
    fails naming the missing file (`cipher`), and commands that need none still work.
    """
    settings = settings or get_settings()
    path = settings.secret_key_file
    if settings.secret_key is not None or path.exists() or has_secrets:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return
    with os.fdopen(fd, "w") as fh:
        fh.write(Fernet.generate_key().decode() + "\n")


def cipher(settings: Settings | None = None) -> MultiFernet:
    settings = settings or get_settings()
    if settings.secret_key is not None:
        raw = settings.secret_key.get_secret_value()
    elif settings.secret_key_file.exists():
        raw = settings.secret_key_file.read_text().strip()
    else:
        raise missing_key(settings.secret_key_file)
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
