"""The key that signs console sessions and CSRF tokens.

`BRIDGE_CONSOLE_SECRET` when set (several `bridge serve` processes behind one address
must share it); else a random key made once into `BRIDGE_DATA_DIR/console.key` (0600),
so sessions survive a restart. Changing it logs everyone out, nothing else.
"""

from __future__ import annotations

import os
import secrets

from bridge.settings import get_settings


def console_secret() -> str:
    given = os.environ.get("BRIDGE_CONSOLE_SECRET")
    if given:
        return given
    path = get_settings().data_dir / "console.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
