"""The operator console in a real headless Chromium, against a real worker, Redis,
PostgreSQL and both sandboxes: log in, see health, filter logs, open a failed log, retry
it and see it done; a drift report finds a stock difference planted in the Magento
sandbox, the repair queues the normal sync and the next report finds nothing; forms
without a CSRF token are refused; no page opens without a login; viewers cannot act."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from bridge import db
from bridge.models import Connection
from bridge.sync import bindings
from bridge.sync.connections import magento_client, odoo_client
from tasks import inventory
from tasks.outbox import enqueue, wait_for
from tests.conftest import register_connection
from tests.console.conftest import VIEWER, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.services]

BAG, NEW = "24-WG02", "BRIDGE-NEW-1"
WH_STOCK = 8


class Shop:
    """A connection whose stock both sides agreed on for 24-WG02 (10), and a product
    (BRIDGE-NEW-1) Odoo stocks that Magento does not have yet: its push fails."""

    def __init__(self, magento: Any, odoo: Any) -> None:
        self.magento_url = magento.url
        self.conn_id = register_connection(magento, odoo, inventory_auto_apply=True)
        with db.session_scope() as session:
            conn = session.get(Connection, self.conn_id)
            self.odoo = odoo_client(conn)
            self.ids = dict(zip((BAG, NEW), self.odoo.create("product.product", [
                {"name": sku, "default_code": sku, "type": "consu", "is_storable": True}
                for sku in (BAG, NEW)]), strict=True))  # fmt: skip
            for sku in (BAG, NEW):
                bindings.bind(session, self.conn_id, "product", sku, "product.product",
                              self.ids[sku])  # fmt: skip
        for sku, quantity in ((BAG, 10), (NEW, 5)):
            self.odoo.create("stock.quant", [{"product_id": self.ids[sku], "location_id": WH_STOCK,
                             "inventory_quantity_auto_apply": quantity}],
                             context={"inventory_mode": True})  # fmt: skip
        log_id = enqueue(inventory.push_job(product_ids=sorted(self.ids.values())), self.conn_id)
        entry = wait_for(log_id, 60)
        assert entry is not None and entry.result["pushed"] == 1, entry and entry.result

    def create_magento_product(self, sku: str) -> None:
        """As a merchant does in Magento's admin (through the REST API)."""
        with db.session_scope() as session:
            magento = magento_client(session.get(Connection, self.conn_id))
        product = {"sku": sku, "name": sku, "type_id": "simple", "attribute_set_id": 4,
                   "price": 12, "status": 1, "visibility": 4}  # fmt: skip
        magento.post("products", {"product": product})

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = requests.request(
            method, f"{self.magento_url}/__sandbox__/{path}", json=body, timeout=5
        )
        response.raise_for_status()
        return response.json()


@pytest.fixture
def shop(worker: Any, magento_sandbox: Any, odoo_sandbox: Any) -> Shop:
    return Shop(magento_sandbox, odoo_sandbox)


def test_operator_retries_a_failed_log_and_repairs_drift(
    shop: Shop, console_url: str, page: Any
) -> None:
    log_in(page, console_url)
    # Health: the connection, its counts and the broker's queues.
    card = page.locator("section[data-connection=shop]")
    assert card.is_visible()
    assert card.locator("[data-stat=failed]").inner_text() == "1"
    assert page.locator("td[data-queue=inventory]").inner_text() == "0"
    assert "sync_stock" in card.inner_text()
    shot(page, "console-health")

    # Logs: filter to the failed stock record, open it.
    page.goto(f"{console_url}/console/logs")
    page.select_option("select[name=state]", "failed")
    page.select_option("select[name=entity]", "stock.to_magento")
    page.click("#filters button[type=submit]")
    rows = page.locator("#logs tr.state-failed")
    assert rows.count() == 1
    assert NEW in rows.first.inner_text()
    assert page.locator("#logs tr").count() == 2  # the header and the one failed log
    shot(page, "console-logs")
    rows.first.locator("a").first.click()
    assert page.locator("#state").inner_text() == "failed"
    assert "Magento has no product with SKU 'BRIDGE-NEW-1'" in page.locator("#reason").inner_text()
    assert '"sku": "BRIDGE-NEW-1"' in page.locator("#payload").inner_text()
    shot(page, "console-log")

    # The cause is fixed in Magento; the retry runs the normal push, and it is done.
    shop.create_magento_product(NEW)
    page.click("#retry")
    page.wait_for_url(re.compile(r".*/console/logs/\d+$"))
    page.wait_for_function("document.querySelector('#state').innerText === 'done'")
    assert '"pushed": 1' in page.locator("#result").inner_text()
    items = shop.admin("GET", "records/source_items")
    assert [i["quantity"] for i in items if i["sku"] == NEW] == [5]

    # Drift: Magento's quantity of 24-WG02 changed with no event reaching Bridge.
    shop.admin("POST", "records/source_items", {"key": f"{BAG}\x00default", "sku": BAG,
               "source_code": "default", "quantity": 3, "status": 1})  # fmt: skip
    row = _run_drift(page, console_url)
    cells = row.locator("td").all_inner_texts()
    assert cells[:6] == ["stock", BAG, "default", "3", "10", "magento"]
    shot(page, "console-drift")
    page.click("#repair")
    page.wait_for_function(
        f"document.querySelector('tr[data-key=\"{BAG}\"] .badge')?.innerText === 'done'"
    )
    # The repair was the normal stock pull: Magento's 3 counted into Odoo (auto-apply on).
    [product] = shop.odoo.read("product.product", [shop.ids[BAG]], ["free_qty"],
                               context={"warehouse_id": 1})  # fmt: skip
    assert product["free_qty"] == 3
    assert _run_drift(page, console_url, expect_row=False) is None
    assert "No difference" in page.locator("#drift-items").inner_text()


def _run_drift(page: Any, url: str, expect_row: bool = True) -> Any:
    page.goto(f"{url}/console/drift")
    page.uncheck("input[name=entity][value=prices]")
    page.uncheck("input[name=entity][value=orders]")
    page.click("#run-drift button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/drift/\d+$"))
    page.wait_for_function("document.querySelector('#state').innerText === 'done'")
    if not expect_row:
        return None
    row = page.locator(f"tr[data-key='{BAG}']")
    assert row.count() == 1
    return row


@pytest.mark.browser
def test_pages_refuse_anonymous_access(console_url: str, page: Any) -> None:
    for path in ("health", "logs", "logs/1", "drift", "reports/sales", "reports/inventory"):
        page.goto(f"{console_url}/console/{path}")
        assert "/console/login" in page.url, path
        assert page.locator("input[name=password]").is_visible()
    # An action posted without a session goes nowhere either.
    status = page.evaluate(
        f"fetch('{console_url}/console/logs/1/retry', {{method: 'POST'}}).then(r => r.status)"
    )
    assert status == 400  # no session, so no CSRF token: refused before anything runs
    page.goto(f"{console_url}/console/login")
    page.fill("input[name=name]", "olivia")
    page.fill("input[name=password]", "wrong password, surely")
    page.click("button[type=submit]")
    assert "Wrong user name or password" in page.inner_text("body")
    assert "/console/login" in page.url


@pytest.mark.browser
def test_forms_without_a_csrf_token_are_refused(console_url: str, page: Any) -> None:
    log_in(page, console_url)
    page.goto(f"{console_url}/console/logs")
    # The bulk retry form, with its token removed: the server refuses it.
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())")
    page.click("#retry-filtered")
    assert "CSRF token is missing" in page.inner_text("body")
    # A forged cross-form post with a made-up token is refused too.
    status = page.evaluate(
        "fetch('/console/logs/retry', {method: 'POST', headers: {'Content-Type': "
        "'application/x-www-form-urlencoded'}, body: 'csrf_token=forged'}).then(r => r.status)"
    )
    assert status == 400
    # Logging out needs the token as well.
    page.goto(f"{console_url}/console/health")
    page.evaluate("document.querySelector('form.who input[name=csrf_token]').remove()")
    page.click("form.who button")
    assert "CSRF token is missing" in page.inner_text("body")


@pytest.mark.browser
def test_a_viewer_reads_but_cannot_act(console_url: str, page: Any) -> None:
    log_in(page, console_url, name=VIEWER)
    page.goto(f"{console_url}/console/logs")
    assert page.locator("#retry-filtered").count() == 0
    page.goto(f"{console_url}/console/drift")
    assert page.locator("#run-drift").count() == 0
    token = page.evaluate(
        "fetch('/console/logs').then(r => r.text()).then(t => "
        't.match(/name="csrf_token" value="([^"]+)"/)[1])'
    )
    status = page.evaluate(
        "t => fetch('/console/logs/retry', {method: 'POST', headers: {'Content-Type': "
        "'application/x-www-form-urlencoded'}, body: 'csrf_token=' + encodeURIComponent(t)})"
        ".then(r => r.status)",
        token,
    )
    assert status == 403
