"""What the `bridge` command accepts and how it ends: bad input is one line and exit 2
before anything is queued; a record left failed is exit 1; secrets come from the
environment or a prompt that does not echo; Flower's password stays out of `ps`.

Subprocesses and typer's CliRunner on a real state database, a real worker and the
sandboxes over HTTP where a command needs them.
"""

from __future__ import annotations

import copy
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from typer.testing import CliRunner

from bridge import db
from bridge.cli import app
from bridge.cli.inputs import since_value, url_value
from bridge.crypto import decrypt
from bridge.models import Connection, SyncLog
from tests.conftest import REPO
from tests.e2e.test_cli import add, bridge
from tests.magento_fixtures import admin

# -- bad input: one line, exit 2, nothing done ----------------------------------------------------


def _one_line_error(result: subprocess.CompletedProcess[str], option: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line.strip("│ ╭╰─").strip() for line in result.stderr.splitlines()]
    said = [line for line in lines if f"Invalid value for '{option}'" in line]
    assert len(said) == 1, result.stderr
    return said[0]


def _logs() -> int:
    with db.session_scope() as session:
        return int(session.scalar(select(func.count(SyncLog.id))) or 0)


#: How typer words a value out of an option's range.
RANGE = "than or equal to"


@pytest.mark.parametrize(
    ("args", "option", "says"),
    [
        (["import", "orders", "--since", "2026-13-45"], "--since", "is not a date"),
        (["import", "customers", "--since", "yesterday"], "--since", "is not a date"),
        (["import", "orders", "--since", "2999-01-01"], "--since", "is in the future"),
        (["sync", "products", "--since", "01/02/2026"], "--since", "is not a date"),
        (["sync", "stock", "--since", "2026-02-30"], "--since", "is not a date"),
        (["import", "websites", "--timeout", "0"], "--timeout", RANGE),
        (["import", "orders", "--timeout", "-5"], "--timeout", RANGE),
        (["sync", "fulfillment", "--timeout", "0"], "--timeout", RANGE),
        (["connection", "test", "--timeout", "0"], "--timeout", RANGE),
        (["serve", "--port", "70000"], "--port", RANGE),
        (["worker", "--concurrency", "0"], "--concurrency", RANGE),
        (["flower", "--port", "0"], "--port", RANGE),
    ],
)
def test_bad_dates_waits_and_ports_are_one_line_and_queue_nothing(
    pg_state_db: str, args: list[str], option: str, says: str
) -> None:
    needs_connection = args[0] in ("import", "sync", "connection")
    result = bridge(*args, *(["-c", "shop"] if needs_connection else []))
    assert says in _one_line_error(result, option)
    assert _logs() == 0


def test_since_is_completed_to_a_magento_timestamp() -> None:
    assert since_value("2026-03-04") == "2026-03-04 00:00:00"
    assert since_value("2026-03-04 05:06") == "2026-03-04 05:06:00"
    assert since_value(" 2026-03-04T05:06:07 ") == "2026-03-04 05:06:07"
    assert since_value(None) is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://shop.example.com", "is not an http:// or https:// URL"),
        ("shop.example.com", "is not an http:// or https:// URL"),
        ("http://", "names no host"),
        ("http://shop.example.com:99999", "has an invalid port"),
        ("https://admin:secret@shop.example.com", "put no credentials in the URL"),
        ("https://shop.example.com/index.php?x=1", "not a base URL"),
    ],
)
def test_connection_add_refuses_a_bad_url(pg_state_db: str, url: str, says: str) -> None:
    for option, other in (("--magento-url", "--odoo-url"), ("--odoo-url", "--magento-url")):
        result = bridge(
            "connection", "add", "--name", "bad", option, url, other, "http://127.0.0.1:8069",
            "--magento-auth", "token", "--magento-token", "t", "--odoo-db", "bridge",
            "--odoo-login", "admin", "--odoo-key", "k",
        )  # fmt: skip
        assert says in _one_line_error(result, option)
        assert "secret" not in result.stdout
    with db.session_scope() as session:
        assert session.scalars(select(Connection)).all() == []


def test_a_good_url_loses_its_trailing_slash() -> None:
    assert url_value(" https://shop.example.com/store/ ") == "https://shop.example.com/store"
    assert url_value("http://127.0.0.1:8069") == "http://127.0.0.1:8069"


# -- secrets from the environment or a hidden prompt ----------------------------------------------


def _stored_secrets(name: str) -> tuple[str | None, str | None]:
    with db.session_scope() as session:
        conn = session.scalars(select(Connection).where(Connection.name == name)).one()
        return decrypt(conn.channel.secret_enc), decrypt(conn.odoo_secret_enc)


def test_connection_secrets_come_from_the_environment(
    pg_state_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIDGE_MAGENTO_PASSWORD", "magento-from-env")
    monkeypatch.setenv("BRIDGE_ODOO_KEY", "odoo-from-env")
    result = bridge(
        "connection", "add", "--name", "env", "--magento-url", "http://127.0.0.1:8081",
        "--magento-auth", "admin", "--magento-user", "admin",
        "--odoo-url", "http://127.0.0.1:8069", "--odoo-db", "bridge", "--odoo-login", "admin",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _stored_secrets("env") == ("magento-from-env", "odoo-from-env")
    assert "from-env" not in result.stdout + result.stderr


def test_connection_secrets_are_prompted_without_echo(pg_state_db: str) -> None:
    result = CliRunner().invoke(
        app,
        ["connection", "add", "--name", "asked", "--magento-url", "http://127.0.0.1:8081",
         "--magento-auth", "oauth1", "--odoo-url", "http://127.0.0.1:8069",
         "--odoo-db", "bridge", "--odoo-login", "admin"],
        input="odoo-typed\nck-typed\ncs-typed\nat-typed\nats-typed\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for prompt in ("Odoo password or API key", "Magento consumer secret", "access token secret"):
        assert prompt in result.output
    for hidden in ("cs-typed", "at-typed", "ats-typed", "odoo-typed"):
        assert hidden not in result.output
    magento_secret, odoo_secret = _stored_secrets("asked")
    assert odoo_secret == "odoo-typed"
    assert magento_secret is not None and "ats-typed" in magento_secret


# -- a record left failed: exit 1 -----------------------------------------------------------------


def test_an_import_with_a_failed_record_exits_1(worker: Any, magento_sandbox: Any,
                                                odoo_sandbox: Any) -> None:  # fmt: skip
    add("shop", magento_sandbox, odoo_sandbox)
    bad = {"id": 42, "code": "", "tax_class_id": 3, "tax_class_name": "Retail Customer"}
    admin(magento_sandbox, "POST", "records/customer_groups", bad)
    result = bridge("import", "customer-groups", "-c", "shop")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 record(s) failed" in result.stdout
    assert "4 created" in result.stdout  # the rest imported


def test_a_pull_with_a_failed_record_exits_1(worker: Any, magento_sandbox: Any,
                                             odoo_sandbox: Any) -> None:  # fmt: skip
    add("shop", magento_sandbox, odoo_sandbox)
    assert bridge("import", "customer-groups", "-c", "shop").returncode == 0
    assert bridge("import", "websites", "-c", "shop").returncode == 0
    customers = admin(magento_sandbox, "GET", "records/customers")
    first = customers[0] if isinstance(customers, list) else next(iter(customers.values()))
    broken = copy.deepcopy(first)
    broken.update(id=990, email="")
    admin(magento_sandbox, "POST", "records/customers", broken)
    result = bridge("import", "customers", "-c", "shop", "--since", "2000-01-01")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 5 created" in result.stdout
    assert "bridge logs list --state failed" in result.stdout


# -- Flower's password stays out of `ps` ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _flower(port: int, env: dict[str, str], stdin: str | None = None) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", "from bridge.cli import app; app()", "flower", "--port", str(port),
         *(["--user", "ops"] if stdin is not None else [])],
        cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,  # no tty: prompts read stdin
    )  # fmt: skip
    if stdin is not None:
        assert proc.stdin is not None
        proc.stdin.write(stdin)
        proc.stdin.flush()
    return proc


def _answers(port: int, proc: subprocess.Popen[str]) -> requests.Response:
    deadline = time.monotonic() + 60
    while True:
        try:
            return requests.get(f"http://127.0.0.1:{port}/", timeout=2)
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read() if proc.stdout else ""
                raise AssertionError(f"flower did not start: {out[-2000:]}") from None
            time.sleep(0.3)


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # its own session: flower and nothing else
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.mark.parametrize("how", ["environment", "prompt"])
def test_flower_gets_basic_auth_without_a_password_in_ps(redis_url: str, how: str) -> None:
    port = _free_port()
    env = {**os.environ, "BRIDGE_BROKER_URL": redis_url}
    env.pop("FLOWER_BASIC_AUTH", None)
    if how == "environment":
        env["FLOWER_BASIC_AUTH"] = "ops:flower-pass-123"
        proc = _flower(port, env)
    else:
        proc = _flower(port, env, stdin="flower-pass-123\nflower-pass-123\n")
    try:
        assert _answers(port, proc).status_code == 401
        ok = requests.get(f"http://127.0.0.1:{port}/", auth=("ops", "flower-pass-123"), timeout=5)
        assert ok.status_code == 200
        # `bridge flower` became `celery ... flower` (exec): its arguments are all `ps` shows.
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        assert "flower" in cmdline and f"--port={port}" in cmdline
        assert "flower-pass-123" not in cmdline
    finally:
        _stop(proc)


def test_flower_refuses_a_malformed_basic_auth(redis_url: str) -> None:
    env = {**os.environ, "BRIDGE_BROKER_URL": redis_url, "FLOWER_BASIC_AUTH": "no-password"}
    proc = _flower(_free_port(), env)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "FLOWER_BASIC_AUTH must be user:password" in out
    assert "Traceback" not in out
