"""Magento -> Odoo products through the real pipeline: Redis, a worker, both sandboxes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bridge import db
from bridge.clients.odoo import OdooClient
from bridge.models import LogState, SyncLog
from bridge.sync.products.imports import ENTITY
from tasks.dispatch import product_import_job, pull_job, retry_log
from tasks.outbox import enqueue, wait_for
from tests.conftest import WorkerProcess, register_connection

TIMEOUT = 90


def finished_pages(pull_id: int, worker: WorkerProcess) -> list[SyncLog]:
    pull = wait_for(pull_id, TIMEOUT)
    assert pull is not None and pull.state is LogState.DONE, pull and pull.reason
    pages = [wait_for(p, TIMEOUT) for p in pull.result["page_logs"]]
    assert all(p is not None and p.state is LogState.DONE for p in pages), worker.output()[-3000:]
    return pages  # type: ignore[return-value]


def total(pages: list[SyncLog], key: str) -> int:
    return sum(int(p.result[key]) for p in pages)


def product_logs() -> dict[str, tuple[str, str | None]]:
    with db.session_scope() as s:
        rows = s.scalars(select(SyncLog).where(SyncLog.entity == ENTITY).order_by(SyncLog.id))
        return {log.key: (str(log.state), log.reason) for log in rows}


def template_names(odoo_sandbox: Any) -> list[str]:
    return sorted(t["name"] for t in odoo_sandbox.records("product.template"))


def test_a_pull_imports_the_catalog_and_a_second_pull_nothing_new(
    worker: WorkerProcess, magento_sandbox: Any, odoo_sandbox: Any
) -> None:
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    pages = finished_pages(enqueue(pull_job("products"), conn_id), worker)
    assert total(pages, "created") > 0 and total(pages, "failed") == 1  # the grouped product
    logs = product_logs()
    assert logs["24-WG085_Group"][0] == "failed"
    assert "grouped product" in str(logs["24-WG085_Group"][1])
    assert all(state == "done" for key, (state, _) in logs.items() if key != "24-WG085_Group")
    mh01 = [
        t for t in odoo_sandbox.records("product.template") if t["name"] == "Chaz Kangeroo Hoodie"
    ]
    assert len(mh01) == 1
    codes = [
        p["default_code"]
        for p in odoo_sandbox.records("product.product")
        if p["product_tmpl_id"] == mh01[0]["id"] and p["active"]
    ]
    assert len(codes) == 15 and all(c.startswith("MH01-") for c in codes)
    combo = [t for t in odoo_sandbox.records("product.template") if t["type"] == "combo"]
    assert [t["name"] for t in combo] == ["Sprite Yoga Companion Kit"]
    names = template_names(odoo_sandbox)

    # The cursor moved: the second pull re-reads only its overlap, all of it unchanged.
    again = finished_pages(enqueue(pull_job("products"), conn_id), worker)
    assert total(again, "created") == total(again, "updated") == 0
    assert template_names(odoo_sandbox) == names


def test_an_event_imports_one_sku_and_its_log_stays_as_the_audit_trail(
    worker: WorkerProcess, magento_sandbox: Any, odoo_sandbox: Any
) -> None:
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    sku = "MH01-XS-Black"
    job = product_import_job(sku, event={"type": "catalog_product_save_after"})
    entry = wait_for(enqueue(job, conn_id, key=sku), TIMEOUT)
    assert entry is not None and entry.state is LogState.DONE, worker.output()[-3000:]
    assert entry.result["action"] == "created with its configurable MH01"
    assert entry.payload == {"sku": sku, "event": {"type": "catalog_product_save_after"},
                             "deleted": False}  # fmt: skip
    assert "Chaz Kangeroo Hoodie" in template_names(odoo_sandbox)


def test_a_failed_product_log_runs_again_once_its_cause_is_fixed(
    worker: WorkerProcess, magento_sandbox: Any, odoo_sandbox: Any
) -> None:
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    odoo = OdooClient(odoo_sandbox.url, "bridge", "admin", "admin")
    loose = odoo.create("product.template", [{"name": "Loose", "default_code": "MH01-S-Gray"}])
    failed = wait_for(enqueue(product_import_job("MH01"), conn_id, key="MH01"), TIMEOUT)
    assert failed is not None and failed.state is LogState.FAILED
    assert "products of their own" in str(failed.reason)
    odoo.write("product.template", loose, {"active": False})  # the merchant's fix
    retried = wait_for(retry_log(failed.id), TIMEOUT)
    assert retried is not None and retried.id == failed.id
    assert retried.state is LogState.DONE, retried.reason
    assert retried.result["action"] == "created" and retried.result["variants"] == 15
