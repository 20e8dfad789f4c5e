"""`bridge demo` on a fresh data dir: no services, exit 0, imported records with Odoo ids."""

from __future__ import annotations

import os
import subprocess
import sys

from sandbox.odoo.credentials import LOGIN_COST_ENV


def test_demo_runs_with_no_services(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}
    # The sandbox's login cost stays as the suite has it (tests/conftest.py: none); with the
    # default 0.9 s per password check the demo takes ~45 s instead of ~9.
    env[LOGIN_COST_ENV] = os.environ.get(LOGIN_COST_ENV, "0")
    env["HOME"] = str(tmp_path)
    env["COLUMNS"] = "200"
    result = subprocess.run(
        [sys.executable, "-c", "from bridge.cli import app; app()", "demo"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    for expected in ("Main Website", "Default Store View", "Gear", "Wholesale",
                     "Check / Money order", "Best Way - Table Rate", "Demo finished"):  # fmt: skip
        assert expected in out, expected
    assert "res.partner.category" in out and "account.journal" in out
    assert "0 created, 0 updated" in out
    # Orders: the seeded offline ones without invoice, the card-paid ones invoiced and paid,
    # the one in euros through the merchant's EUR pricelist.
    assert "orders: 8 imported" in out
    euros = next(line for line in out.splitlines() if line.startswith("│ 000000023"))
    assert "89.24 EUR" in euros
    online = next(line for line in out.splitlines() if line.startswith("│ 000000021"))
    assert "INV/" in online and "paid" in online
    assert "322.17" in out and "(offline: paid later)" in out
    # Back to Magento: both stories, Magento's state printed after each step.
    assert "Magento 000000014: state complete, shipped 2/2, invoiced 2" in out
    assert "Magento order 000000014 has shipped, and Magento cannot cancel" in out
    assert "Magento 000000021: state complete, shipped 2/2" in out
    assert "Magento 000000022: state closed, shipped 0/1, invoiced 1, refunded 1" in out
    # An order placed in Magento reaches Odoo through its I/O Events delivery.
    assert "challenge answered; RSA-signed" in out
    assert "000000100 is S" in out and "through its" in out
