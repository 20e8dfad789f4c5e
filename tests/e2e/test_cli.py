"""The `bridge` command as a person runs it: subprocesses, a real worker, real services."""

from __future__ import annotations

import os
import subprocess
import sys

from sandbox.odoo.credentials import LOGIN_COST_ENV
from tests.conftest import REPO


def bridge(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from bridge.cli import app; app()", *args],
        cwd=REPO, env={**os.environ, "COLUMNS": "200"}, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def add(name: str, magento, odoo, magento_password: str = "admin123", odoo_key: str = "admin"):
    result = bridge(
        "connection", "add", "--name", name, "--magento-url", magento.url,
        "--magento-auth", "admin", "--magento-user", "admin",
        "--magento-password", magento_password, "--odoo-url", odoo.url, "--odoo-db", "bridge",
        "--odoo-login", "admin", "--odoo-key", odoo_key, "--log-retention", "60",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result


def test_connection_test_with_a_wrong_password_says_why_in_one_line(worker, magento_sandbox,
                                                                   odoo_sandbox):  # fmt: skip
    add("wrong-odoo", magento_sandbox, odoo_sandbox, odoo_key="not-the-password")
    result = bridge("connection", "test", "--connection", "wrong-odoo", "--timeout", "60")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Odoo" in lines[0] and "refused login 'admin'" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert "not-the-password" not in result.stderr + result.stdout

    add("wrong-magento", magento_sandbox, odoo_sandbox, magento_password="nope")
    result = bridge("connection", "test", "--connection", "wrong-magento", "--timeout", "60")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "Magento refused the credentials" in result.stderr


def test_connection_test_names_a_bad_url_and_an_unknown_database(worker, magento_sandbox,
                                                                 odoo_sandbox):  # fmt: skip
    result = bridge(
        "connection", "add", "--name", "nodb", "--magento-url", magento_sandbox.url,
        "--magento-auth", "token", "--magento-token", "sandbox-integration-token",
        "--odoo-url", odoo_sandbox.url, "--odoo-db", "no_such_db", "--odoo-login", "admin",
        "--odoo-key", "admin",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    result = bridge("connection", "test", "-c", "nodb", "--timeout", "60")
    assert result.returncode == 1 and "no_such_db" in result.stderr

    result = bridge(
        "connection", "add", "--name", "badurl", "--magento-url", "http://127.0.0.1:9",
        "--magento-auth", "token", "--magento-token", "t", "--odoo-url", odoo_sandbox.url,
        "--odoo-db", "bridge", "--odoo-login", "admin", "--odoo-key", "admin",
    )  # fmt: skip
    result = bridge("connection", "test", "-c", "badurl", "--timeout", "60")
    assert result.returncode == 1
    assert "unreachable" in result.stderr and result.stderr.strip().count("\n") == 0


def test_imports_and_logs_from_the_cli(worker, magento_sandbox, odoo_sandbox):
    add("shop", magento_sandbox, odoo_sandbox)
    result = bridge("connection", "test", "-c", "shop")
    assert result.returncode == 0, result.stderr
    assert "✓" in result.stdout and "uid 2" in result.stdout
    result = bridge("import", "customer-groups", "-c", "shop")
    assert result.returncode == 0, result.stderr
    assert "4 created" in result.stdout and "Wholesale" in result.stdout
    result = bridge("import", "customer-groups", "-c", "shop")
    assert "0 created, 0 updated, 4 unchanged" in result.stdout
    result = bridge("logs", "list", "-c", "shop")
    assert result.returncode == 0 and "setup.customer-groups" in result.stdout
    result = bridge("connection", "show", "-c", "shop")
    assert "log_retention_days: 60" in result.stdout and "admin123" not in result.stdout


def test_failed_log_is_retried_from_the_cli(worker, magento_sandbox, odoo_sandbox):
    add("retry", magento_sandbox, odoo_sandbox)
    import requests

    requests.post(f"{odoo_sandbox.url}/__sandbox__/faults",
                  json={"rate_5xx": 1.0}, timeout=5).raise_for_status()  # fmt: skip
    result = bridge("import", "websites", "-c", "retry")
    assert result.returncode == 1 and "gave up after" in result.stderr
    log_id = result.stderr.rsplit("(log ", 1)[1].split(")")[0]
    requests.delete(f"{odoo_sandbox.url}/__sandbox__/faults", timeout=5).raise_for_status()
    result = bridge("logs", "retry", log_id)
    assert result.returncode == 0, result.stderr
    from tasks.outbox import wait_for

    entry = wait_for(int(log_id), 60)
    assert entry is not None and str(entry.state) == "done", entry and entry.reason


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


ODOO_VERSION_CALL = {
    "jsonrpc": "2.0",
    "method": "call",
    "id": 1,
    "params": {"service": "common", "method": "version", "args": []},
}


def _probe(kind: str, port: int):
    import requests

    base = f"http://127.0.0.1:{port}"
    try:
        if kind == "odoo":
            return requests.post(f"{base}/jsonrpc", json=ODOO_VERSION_CALL, timeout=2)
        return requests.get(f"{base}/rest/V1/store/websites", timeout=2)
    except requests.ConnectionError:
        return None


def test_sandbox_commands_serve_until_stopped():
    import time

    for kind in ("magento", "odoo"):
        port = _free_port()
        cmd = [sys.executable, "-c", "from bridge.cli import app; app()", "sandbox", kind]
        proc = subprocess.Popen(
            [*cmd, "--port", str(port)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            deadline, answer = time.monotonic() + 30, None
            while answer is None and time.monotonic() < deadline:
                answer = _probe(kind, port)
                time.sleep(0.1)
            assert answer is not None, f"{kind} sandbox did not serve on {port}"
            if kind == "magento":
                assert answer.status_code == 401  # no token: Magento's own refusal
                assert "isn't authorized" in answer.json()["message"]
            else:
                assert answer.json()["result"]["server_version"] == "18.0"
            assert proc.poll() is None  # still serving
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_demo_through_redis_with_a_separate_worker(redis_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}
    # The sandbox's login cost stays as the suite has it (tests/conftest.py: none); with the
    # default 0.9 s per password check the demo takes ~45 s instead of ~9.
    env[LOGIN_COST_ENV] = os.environ.get(LOGIN_COST_ENV, "0")
    env.update(HOME=str(tmp_path), BRIDGE_BROKER_URL=redis_url, COLUMNS="200")
    result = subprocess.run(
        [sys.executable, "-c", "from bridge.cli import app; app()", "demo"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"{redis_url}, worker process" in result.stdout
    assert "Demo finished" in result.stdout


def test_import_customers_and_orders_from_the_cli(worker, magento_sandbox, odoo_sandbox):
    from tests.conftest import prepare_shop

    prepare_shop(magento_sandbox, odoo_sandbox)  # connection "shop", mappings, tax, products
    result = bridge("connection", "set", "-c", "shop", "--payment-term-id", "2",
                    "--order-states", "new,processing")  # fmt: skip
    assert result.returncode == 0 and "payment_term_id: 2" in result.stdout, result.stderr
    result = bridge("import", "customers", "-c", "shop")
    assert result.returncode == 0, result.stderr
    assert "5 customers read from Magento in 1 page(s)" in result.stdout
    assert "5 created" in result.stdout
    # --customer-id filters customers/search on entity_id, the EAV column Magento knows.
    result = bridge("import", "customers", "-c", "shop", "--customer-id", "3", "--customer-id", "4")
    assert result.returncode == 0, result.stderr
    assert "2 customers read from Magento in 1 page(s)" in result.stdout
    result = bridge("import", "orders", "-c", "shop", "--since", "2020-01-01")
    assert result.returncode == 0, result.stderr
    assert "8 imported" in result.stdout and "1 skipped" in result.stdout
    terms = {o["payment_term_id"] for o in odoo_sandbox.records("sale.order")}
    assert terms == {2}

    requests_ok = bridge("import", "orders", "-c", "shop", "--increment-id", "000000014")
    assert "1 orders read" in requests_ok.stdout and "1 skipped" in requests_ok.stdout


def test_sync_fulfillment_from_the_cli(worker, magento_sandbox, odoo_sandbox):
    from sqlalchemy import select

    from bridge import db
    from bridge.models import Connection
    from bridge.sync.connections import magento_client, odoo_client
    from tests.conftest import prepare_shop
    from tests.sync.test_fulfillment import deliver

    prepare_shop(magento_sandbox, odoo_sandbox)
    assert bridge("import", "orders", "-c", "shop").returncode == 0
    with db.session_scope() as s:
        conn = s.scalars(select(Connection)).one()
        odoo, magento = odoo_client(conn), magento_client(conn)
    deliver(odoo, "000000014", tracking="TRACK-1")
    result = bridge("sync", "fulfillment", "-c", "shop", "--order", "000000014")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 change(s) sent to Magento" in result.stdout and "Magento shipment" in result.stdout
    shipments = magento.get("shipments", {"searchCriteria[pageSize]": 10})["items"]
    assert [t["track_number"] for s in shipments for t in s["tracks"]] == ["TRACK-1"]
    # The whole poll also meets the card orders' invoices: seen once, nothing sent.
    again = bridge("sync", "fulfillment", "-c", "shop")
    assert again.returncode == 0 and "2 change(s)" in again.stdout, again.stdout
    assert again.stdout.count("invoiced it at checkout") == 2, again.stdout
    third = bridge("sync", "fulfillment", "-c", "shop")
    assert third.returncode == 0 and "0 change(s)" in third.stdout


def test_a_failed_order_is_retried_after_its_cause_is_fixed(worker, magento_sandbox, odoo_sandbox):
    from sqlalchemy import select

    from bridge import db
    from bridge.models import Connection, SyncLog
    from bridge.sync.connections import odoo_client
    from tests.conftest import prepare_shop

    prepare_shop(magento_sandbox, odoo_sandbox)
    with db.session_scope() as s:
        odoo = odoo_client(s.scalars(select(Connection)).one())
    racer = odoo.search("product.product", [("default_code", "=", "RACER")])
    assert racer, "order 000000013-1 sells RACER"
    odoo.write("product.product", racer, {"default_code": "RACER-RENAMED"})
    result = bridge("import", "orders", "-c", "shop", "--increment-id", "000000013-1")
    assert "1 failed" in result.stdout and "product SKU RACER not found" in result.stdout
    with db.session_scope() as s:
        failed = s.scalars(select(SyncLog).where(SyncLog.key == "000000013-1")).one()
        log_id = failed.id
    odoo.write("product.product", racer, {"default_code": "RACER"})  # the merchant's fix
    retry = bridge("logs", "retry", str(log_id))
    assert retry.returncode == 0, retry.stderr
    from tasks.outbox import wait_for

    pull = wait_for(int(retry.stdout.split("log ")[-1].strip()), 60)
    page = wait_for(pull.result["page_logs"][0], 60)
    assert page.result["imported"] == 1
    refs = [o["client_order_ref"] for o in odoo_sandbox.records("sale.order")]
    assert refs == ["000000013-1"]
