"""`bridge demo --serve`: after the demo, the console, its drift report and /metrics answer
on the port with the login it printed, on the demo's own data; Ctrl-C ends it cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_serve_shows_the_console_and_metrics(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}
    env.update(HOME=str(tmp_path), COLUMNS="200", PYTHONPATH=str(REPO))
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from bridge.cli import app; app()", "demo", "--serve",
         "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    out = ""
    try:
        deadline = time.monotonic() + 300
        assert proc.stdout is not None
        while "Sandboxes, worker and state stay up" not in out:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, out[-3000:]
            out += line
            assert time.monotonic() < deadline, out[-3000:]
        password = re.search(r"user demo, password (\S+), role operator", out)
        assert password, out[-2000:]
        # The planted quantity, and the order the demo canceled in Odoo after it shipped.
        report = re.search(r"drift report (\d+): 2 difference", out)
        assert report, out[-2000:]
        base = f"http://127.0.0.1:{port}"
        http = requests.Session()
        login = http.get(f"{base}/console/login", timeout=10)
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token
        answer = http.post(f"{base}/console/login", timeout=10, data={
            "csrf_token": token[1], "name": "demo", "password": password[1]})  # fmt: skip
        assert answer.url.endswith("/console/health"), answer.text[-500:]
        assert 'data-connection="demo"' in answer.text
        drift = http.get(f"{base}/console/drift/{report[1]}", timeout=10).text
        assert "Magento changed since both sides agreed on" in drift
        assert "canceled in Odoo after Magento shipped it" in drift
        sales = http.get(f"{base}/console/reports/sales?days=3650", timeout=30).text
        assert "chart.umd.min.js" in sales and "Check / Money order" in sales
        assert http.get(f"{base}/console/static/vendor/chartjs/chart.umd.min.js",
                        timeout=10).status_code == 200  # fmt: skip
        metrics = requests.get(f"{base}/metrics", timeout=30).text
        orders = r'bridge_records_synced_total\{connection="demo",direction="magento_to_odoo",'
        assert re.search(orders + r'entity="order"\} [1-9]', metrics), metrics[:2000]
        assert 'bridge_remote_calls_total{api="odoo"' in metrics
        assert 'bridge_drift_differences{connection="demo",kind="stock",repaired="false"} 1.0' in (
            metrics
        )
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert proc.returncode == 0
