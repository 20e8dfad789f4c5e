"""First use of a data dir: the directory, the migrated state database and the secret key.

Every entry point that touches state calls `prepare()` (the CLI before each command, the
demo, the worker): on a fresh home it makes `~/.local/share/bridge` (or BRIDGE_DATA_DIR)
with the SQLite file and the key; afterwards it only applies pending migrations. The key
is made only while no connection holds encrypted credentials (`crypto.ensure_key`).
"""

from __future__ import annotations

from sqlalchemy import func, select

from bridge import crypto, db
from bridge.models import Connection
from bridge.settings import get_settings


def prepare() -> None:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db.upgrade()
    with db.session_scope() as session:
        has_secrets = bool(session.scalar(select(func.count()).select_from(Connection)))
    crypto.ensure_key(has_secrets=has_secrets)
