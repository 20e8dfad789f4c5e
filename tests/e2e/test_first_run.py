"""A fresh home: the first command makes the data dir, the SQLite file and the key; a key
that went missing while credentials are stored is named, never silently replaced."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def bridge(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`bridge ...` as a new user runs it: a fresh HOME and no BRIDGE_* variable at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}
    env.update(HOME=str(home), COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-c", "from bridge.cli import app; app()", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_first_command_on_a_fresh_home_makes_the_data_dir(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    result = bridge(home, "logs", "list")
    assert result.returncode == 0, result.stderr
    data = home / ".local" / "share" / "bridge"
    assert (data / "bridge.sqlite3").is_file()
    key = data / "secret.key"
    assert key.is_file() and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert bridge(home, "logs", "list").returncode == 0
    assert key.read_text() == key.read_text().strip() + "\n"  # made once, kept


def test_a_missing_key_with_stored_credentials_is_named_not_replaced(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    added = bridge(
        home, "connection", "add", "--name", "shop", "--magento-url", "http://127.0.0.1:9/",
        "--magento-auth", "token", "--magento-token", "tok", "--odoo-url", "http://127.0.0.1:9/",
        "--odoo-db", "db", "--odoo-login", "admin", "--odoo-key", "k",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    key = home / ".local" / "share" / "bridge" / "secret.key"
    key.unlink()

    listed = bridge(home, "logs", "list")  # needs no secret: still works
    assert listed.returncode == 0, listed.stderr
    assert not key.exists(), "a new key would orphan the stored credentials"
    shown = bridge(home, "connection", "webhook", "-c", "shop")
    assert shown.returncode == 1
    assert f"the secret key file {key} is missing" in " ".join(shown.stderr.split())
    assert "Traceback" not in shown.stderr and not key.exists()
