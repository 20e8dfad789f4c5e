"""The Magento sandbox's event side, as Adobe's products behave: challenge, signatures the
public keys verify, batches, the journal with positions and IMS auth, Commerce Webhooks."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from werkzeug.wrappers import Request, Response

from sandbox.server import SandboxServer


class Receiver:
    """A webhook endpoint that answers the challenge and keeps what it is sent."""

    def __init__(self, echo: bool = True) -> None:
        self.echo = echo
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.method == "GET":
            text = request.args.get("challenge", "") if self.echo else "nope"
            return Response(text)(environ, start_response)
        with self.lock:
            self.deliveries.append((dict(request.headers), request.get_data()))
        return Response("{}", status=200)(environ, start_response)

    def wait(self, count: int, timeout: float = 10) -> list[tuple[dict[str, str], bytes]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.deliveries) < count:
            time.sleep(0.02)
        return list(self.deliveries)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    app = Receiver()
    with SandboxServer(app) as server:
        yield app, server.url


def verifies(pem: bytes, signature: str, body: bytes) -> bool:
    key = serialization.load_pem_public_key(pem)
    try:
        key.verify(base64.b64decode(signature), body, padding.PKCS1v15(), hashes.SHA256())
    except Exception:  # noqa: BLE001 - any failure is "does not verify"
        return False
    return True


def register(magento: Any, url: str, **options: Any) -> requests.Response:
    return requests.post(
        f"{magento.url}/__sandbox__/events/registrations", json={"url": url, **options}, timeout=15
    )


def put_order(magento: Any, increment_id: str, entity_id: int) -> None:
    order = {"entity_id": entity_id, "increment_id": increment_id, "state": "new",
             "updated_at": "2026-12-01 10:00:00"}  # fmt: skip
    requests.post(f"{magento.url}/__sandbox__/records/orders", json=order, timeout=5)


def test_registration_needs_the_challenge_echoed(magento_sandbox):
    with SandboxServer(Receiver(echo=False)) as server:
        refused = register(magento_sandbox, server.url)
    assert refused.status_code == 400 and "did not echo the challenge" in refused.json()["message"]


def test_io_events_deliveries_verify_with_the_served_keys_and_batch(magento_sandbox, receiver):
    app, url = receiver
    reg = register(magento_sandbox, url, client_id="cid", batch=True).json()
    for n in range(3):  # in-process, so the four changes come at once: one batch
        magento_sandbox.store.put("orders", {"entity_id": 9000 + n,
                                             "increment_id": f"90000000{n}"})  # fmt: skip
    magento_sandbox.store.put("customers", {"id": 77, "email": "a@b.c"})
    deliveries = app.wait(1)
    time.sleep(0.3)
    deliveries = app.wait(4, timeout=0)
    assert all(isinstance(json.loads(body), list) for _, body in deliveries)
    events = [e for _, body in deliveries for e in json.loads(body)]
    assert len(events) == 4 and len(deliveries) < 4, [len(json.loads(b)) for _, b in deliveries]
    assert [e["type"].rsplit(".", 1)[-1] for e in events] == [
        *["sales_order_save_after"] * 3, "customer_save_after"
    ]  # fmt: skip
    assert all(e["recipient_client_id"] == "cid" for e in events)
    assert events[0]["data"]["value"]["increment_id"] == "900000000"
    for headers, body in deliveries:
        lower = {k.lower(): v for k, v in headers.items()}
        for n in (1, 2):
            path = lower[f"x-adobe-public-key{n}-path"]
            pem = requests.get(f"{reg['keys_url']}{path}", timeout=5).content
            assert verifies(pem, lower[f"x-adobe-digital-signature-{n}"], body)
            assert not verifies(pem, lower[f"x-adobe-digital-signature-{n}"], body + b" ")


def test_the_journal_pages_from_a_position_with_an_ims_token(magento_sandbox, receiver):
    _, url = receiver
    reg = register(magento_sandbox, url, client_id="cid").json()
    for n in range(3):
        put_order(magento_sandbox, f"80000000{n}", 8000 + n)
    journal = reg["journal_url"]
    assert requests.get(journal, timeout=5).status_code == 401
    bad = requests.post(f"{reg['ims_url']}/ims/token/v3", timeout=5, data={
        "grant_type": "client_credentials", "client_id": "cid", "client_secret": "no"})  # fmt: skip
    assert bad.status_code == 401
    token = requests.post(f"{reg['ims_url']}/ims/token/v3", timeout=5, data={
        "grant_type": "client_credentials", "client_id": "cid",
        "client_secret": reg["client_secret"]}).json()["access_token"]  # fmt: skip
    auth = {"Authorization": f"Bearer {token}", "x-api-key": "cid"}
    first = requests.get(journal, params={"limit": 2}, headers=auth, timeout=5)
    body = first.json()
    assert [e["event"]["data"]["value"]["increment_id"] for e in body["events"]] == [
        "800000000", "800000001"
    ]  # fmt: skip
    assert body["_page"] == {"last": body["events"][-1]["position"], "count": 2}
    assert f"since={body['_page']['last']}" in first.headers["Link"]
    rest = requests.get(journal, params={"since": body["_page"]["last"]}, headers=auth).json()
    assert [e["event"]["data"]["value"]["increment_id"] for e in rest["events"]] == ["800000002"]
    done = requests.get(journal, params={"since": rest["_page"]["last"]}, headers=auth)
    assert done.status_code == 204 and 'rel="next"' in done.headers["Link"]
    assert done.headers["Retry-After"] == "1"


def test_commerce_webhooks_sign_with_the_store_key(magento_sandbox, receiver):
    app, url = receiver
    register(magento_sandbox, url, mode="commerce_webhooks")
    put_order(magento_sandbox, "700000000", 7000)
    [(headers, body)] = app.wait(1)
    lower = {k.lower(): v for k, v in headers.items()}
    pem = requests.get(f"{magento_sandbox.url}/__sandbox__/events/commerce-key", timeout=5).content
    assert verifies(pem, lower["x-adobe-commerce-webhook-signature"], body)
    payload = json.loads(body)
    assert payload["eventName"] == "observer.sales_order_save_after"
    assert payload["data"]["order"]["increment_id"] == "700000000"
