"""Magento 2 sandbox: an HTTP server speaking Magento's REST protocol, with a Luma-like store.

Start it in the foreground with `python -m sandbox.magento --port 8081` (or
`bridge sandbox magento --port P`), or in-process with `MagentoSandbox().start()`.

Credentials (see `sandbox.magento.credentials`): admin `admin` / `admin123`; integration
token `sandbox-integration-token` (Bearer); OAuth 1.0a consumer key/secret
`sandbox-consumer-key` / `sandbox-consumer-secret`, access token/secret
`sandbox-access-token` / `sandbox-access-token-secret`.

REST endpoints (under `/rest/V1/` and `/rest/<store_code>/V1/`): store/websites,
store/storeGroups, store/storeViews, store/storeConfigs; integration/admin/token;
eav/attribute-sets/list and /{id}; products/attribute-sets/sets/list, POST
products/attribute-sets, GET/PUT/DELETE products/attribute-sets/{id};
customerGroups/search, POST customerGroups, GET/PUT/DELETE customerGroups/{id};
POST guest-carts, GET guest-carts/{cartId}/payment-methods; GET orders, orders/{id};
GET products, products/types, products/{sku}; GET categories (the tree), categories/list,
categories/{id}; GET customers/search, customers/{id}. Searches filter and sort on the
fields the real endpoint knows (`sandbox.magento.fields`) with MySQL's semantics for every
condition type of `prepareSqlCondition` (`sandbox.magento.search`).

Catalog and stock, with Magento 2.4's rules and refusal texts (see `sandbox.magento.catalog`
and `sandbox.magento.bulk`): POST products (save: create, or update an existing SKU),
PUT/DELETE products/{sku}; GET products/attributes/{code}, GET|POST .../{code}/options;
POST configurable-products/{sku}/options, POST .../{sku}/child, GET .../{sku}/children and
.../{sku}/options/all; POST /rest[/<store>]/async/bulk/V1/products (202, processed by a
background thread), GET bulk/{uuid}/status, detailed-status, operation-status/{status};
GET stockItems/{sku}, PUT products/{sku}/stockItems/{itemId}; MSI: GET inventory/sources,
GET|POST inventory/source-items. `MagentoSandbox(msi=False)` (or the admin switch below) runs
a store without the MSI modules: /V1/inventory/* answer 404 "Request does not match any route.".

Fulfillment, with Magento 2.4's rules and refusal texts (see `sandbox.magento.sales`):
POST order/{orderId}/ship, order/{orderId}/invoice, orders/{id}/cancel (true/false),
invoice/{invoiceId}/refund (online credit memo), order/{orderId}/refund (offline),
shipment/track; GET shipments, shipment/{id}, invoices, invoices/{id}, creditmemos,
creditmemo/{id} (searches take searchCriteria, e.g. a filter on order_id). Ship, invoice
and refund answer the new id as a JSON string ("5"), as the recorded Magento does.

Admin endpoints (no auth, never hit by faults), for tests, the demo and benchmarks:

    GET|POST|DELETE /__sandbox__/faults            fault injection (sandbox.faults)
    GET    /__sandbox__/records/<kind>             all records of a kind
    POST   /__sandbox__/records/<kind>             insert or replace one (JSON object)
    GET    /__sandbox__/records/<kind>/<key>       one record
    PUT    /__sandbox__/records/<kind>/<key>       merge fields into one record
    DELETE /__sandbox__/records/<kind>/<key>       remove one record
    POST   /__sandbox__/tokens/expire              revoke admin tokens ({"token": t} for one)
    GET    /__sandbox__/exceptions                 the reasons behind the last masked 500s
                                                   ("Report ID: webapi-..."), newest last
    GET|DELETE /__sandbox__/stats                  requests served per "METHOD path" (DELETE
                                                   zeroes them); reset zeroes them too
    POST   /__sandbox__/reset                      forget everything, seed again
    GET|POST /__sandbox__/msi                      {"enabled": false} removes the MSI routes;
                                                   reset restores the constructor's choice
    GET|POST|DELETE /__sandbox__/drop-after-commit crash hook: {"path_contains": "/ship",
                                                   "count": 1} lets the next matching
                                                   write commit, then drops the connection
                                                   unanswered (a crash between Magento's
                                                   answer and the caller's commit); only
                                                   successful writes count; reset clears it

Events (`sandbox.magento.events`): `/__sandbox__/events/...` registers a URL to receive
the store's changes as Adobe I/O Events (challenge, RSA signatures, batches, journal) or
Adobe Commerce Webhooks deliver them; `MagentoSandbox.events` signs as Adobe would.

Kinds: websites, store_groups, store_views, store_configs, customer_groups,
attribute_sets, payment_methods (`active` toggles one), orders, customers, products,
categories, stock_items, shipments, invoices, creditmemos, product_attributes, sources,
source_items (key "<sku>\\x00<source_code>"), bulks.
"""

from __future__ import annotations

import contextlib

from sandbox.faults import Faults
from sandbox.magento import credentials
from sandbox.magento.app import make_app
from sandbox.magento.credentials import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    INTEGRATION_TOKEN,
    OAUTH_ACCESS_TOKEN,
    OAUTH_ACCESS_TOKEN_SECRET,
    OAUTH_CONSUMER_KEY,
    OAUTH_CONSUMER_SECRET,
)
from sandbox.magento.events import EventEmitter
from sandbox.magento.seed import DEFAULT as DEFAULT_SEED
from sandbox.magento.seed import seed as seed_store
from sandbox.magento.store import MagentoStore
from sandbox.server import SandboxServer

__all__ = [
    "ADMIN_PASSWORD",
    "ADMIN_USERNAME",
    "INTEGRATION_TOKEN",
    "OAUTH_ACCESS_TOKEN",
    "OAUTH_ACCESS_TOKEN_SECRET",
    "OAUTH_CONSUMER_KEY",
    "OAUTH_CONSUMER_SECRET",
    "MagentoSandbox",
    "MagentoStore",
    "credentials",
    "serve",
]


class MagentoSandbox:
    """One sandbox: its store, its faults and its HTTP server on loopback."""

    def __init__(
        self,
        port: int = 0,
        seed: bool | str = True,
        host: str = "127.0.0.1",
        msi: bool = True,
    ) -> None:
        """`seed`: True for the project's own store ("luma"), "recordings" for the optional
        recorded one (`sandbox.magento.seed`), False for an empty store."""
        self.store = MagentoStore(ADMIN_USERNAME, ADMIN_PASSWORD)
        self.events = EventEmitter()
        self.faults = Faults()
        self._seed = DEFAULT_SEED if seed is True else seed or None
        self._msi = msi
        self.reseed()
        self.app = make_app(self.store, self.faults, self.reseed, self.events)
        self._server = SandboxServer(self.app, host=host, port=port)

    def reseed(self) -> None:
        self.events.reset()
        self.store.on_change = None  # seeding is not a change anyone hears of
        self.store.clear()
        self.store.requests.clear()
        self.store.msi = self._msi
        if self._seed:
            seed_store(self.store, self._seed)
        self.store.on_change = self.events.changed

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def port(self) -> int:
        return self._server.port

    def start(self) -> MagentoSandbox:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def __enter__(self) -> MagentoSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(port: int, host: str = "127.0.0.1", seed: str = DEFAULT_SEED) -> None:
    """Serve in the foreground until Ctrl-C."""
    sandbox = MagentoSandbox(port=port, host=host, seed=seed)
    print(f"Magento sandbox on {sandbox.url}/rest/V1/ (credentials: sandbox.magento.credentials)")
    with contextlib.suppress(KeyboardInterrupt):
        sandbox.serve_forever()
