"""Screenshots of the console's main pages for docs/console.md, from `bridge demo --serve`.

    bridge demo --serve --port 8000      # in one terminal; note the printed password
    python scripts/console_screenshots.py http://127.0.0.1:8000 demo PASSWORD docs/console

Drives Debian's headless Chromium (/usr/bin/chromium) with Playwright, as the tests do.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main(base: str, user: str, password: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(f"{base}/console/login")
        page.screenshot(path=str(out / "login.png"))
        page.fill("input[name=name]", user)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url("**/console/health")
        page.screenshot(path=str(out / "health.png"), full_page=True)
        page.goto(f"{base}/console/logs?entity=order")
        page.screenshot(path=str(out / "logs.png"), full_page=True)
        page.click("#logs tr:nth-child(2) a")
        page.screenshot(path=str(out / "log.png"), full_page=True)
        page.goto(f"{base}/console/drift")
        href = page.locator("table a").first.get_attribute("href")
        page.goto(f"{base}{href}")
        page.wait_for_function("document.querySelector('#state').innerText === 'done'")
        page.screenshot(path=str(out / "drift.png"), full_page=True)
        for name in ("sales", "inventory", "customers"):
            page.goto(f"{base}/console/reports/{name}?days=3650&period=week")
            page.wait_for_timeout(500)  # Chart.js draws after load
            page.screenshot(path=str(out / f"report-{name}.png"), full_page=True)
        assert re.search(r"/console/reports/", page.url)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4]))
