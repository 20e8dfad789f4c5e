"""The console over real HTTP (a werkzeug server in a thread, the same WSGI app `bridge
serve` runs) and a real headless Chromium driven by Playwright.

Chromium is Debian's (`/usr/bin/chromium`, or BRIDGE_TEST_CHROMIUM): `.ci/run` installs
it when missing. Without it the browser tests skip saying so, and under CI=true they fail.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from bridge import db
from bridge.models import Role
from bridge.sync import users
from tests.conftest import IN_CI

CHROMIUM = os.environ.get("BRIDGE_TEST_CHROMIUM", "/usr/bin/chromium")
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
OPERATOR, VIEWER, PASSWORD = "olivia", "victor", "a long enough password"


@pytest.fixture
def console_url(pg_state_db: str) -> Iterator[str]:
    """`bridge serve`'s app on a free port, with an operator and a viewer."""
    from bridge.console.app import wsgi

    with db.session_scope() as session:
        users.add_user(session, OPERATOR, PASSWORD, Role.OPERATOR)
        users.add_user(session, VIEWER, PASSWORD, Role.VIEWER)
    server = make_server("127.0.0.1", 0, wsgi(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(f"{message}; CI=true requires the browser tests (.ci/run installs it)")
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            pytest.fail("playwright is not installed (pip install -e '.[dev]')")
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def log_in(page: Any, url: str, name: str = OPERATOR, password: str = PASSWORD) -> None:
    page.goto(f"{url}/console/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/health")


def shot(page: Any, name: str) -> None:
    """Screenshots for docs/console.md, when BRIDGE_SCREENSHOTS names a folder."""
    folder = os.environ.get("BRIDGE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
