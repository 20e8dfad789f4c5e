"""The Magento sandbox's WSGI app: Magento's REST wire protocol over a `MagentoStore`.

REST lives under `/rest/V1/...` and `/rest/<store_code>/V1/...` (an `/index.php`
prefix is accepted too). Routing works on the raw, still percent-encoded path, so
`products/bla%2Fkoe` reaches the product `bla/koe` as it does on a real store.
Errors are Magento's bodies: `{"message": "...%name...", "parameters": {...}}`, without
`parameters` when there are none (`Webapi\\Rest\\Response::_renderMessages` adds them only
when not empty). An error MySQL would raise (`search.SqlError`) is a 500 whose message is
masked as in production mode, "Internal Error. Details are available in Magento log file.
Report ID: webapi-...": the reason is kept at `GET /__sandbox__/exceptions`.
The admin endpoints (`/__sandbox__/...`) are documented in `sandbox.magento`.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature as oauth_signature
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox.faults import ADMIN_PATH as FAULTS_PATH
from sandbox.faults import FaultMiddleware, Faults
from sandbox.magento import categories, credentials
from sandbox.magento.bulk import Bulks
from sandbox.magento.catalog import Catalog, CatalogError, public_source_item
from sandbox.magento.events import EventEmitter, EventsApp
from sandbox.magento.fields import for_kind
from sandbox.magento.sales import ENTITY_MISSING, Sales, SalesError
from sandbox.magento.search import (
    SearchError,
    SqlError,
    parse_criteria,
    parse_fields,
    run,
    trim,
)
from sandbox.magento.store import KEYS, MagentoStore, UnknownKind

_REST = re.compile(r"^(?:/index\.php)?/rest(?:/(?P<store>[^/]+))?/V1(?P<rest>/.*)$")
_ASYNC_BULK = re.compile(
    r"^(?:/index\.php)?/rest(?:/(?P<store>[^/]+))?/async/bulk/V1(?P<rest>/.*)$"
)
PRODUCT_ENTITY_TYPE_ID = 4


class MagentoHttpError(Exception):
    """An error answer in Magento's shape."""

    def __init__(self, status: int, message: str, parameters: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message}
        if parameters:  # Magento leaves empty parameters out of the body
            self.body["parameters"] = parameters


#: `Webapi\ErrorProcessor::INTERNAL_SERVER_ERROR_MSG`, what production mode answers.
INTERNAL_ERROR = "Internal Error. Details are available in Magento log file. Report ID: %s"


def no_such_entity(field: str, value: Any) -> MagentoHttpError:
    return MagentoHttpError(
        404,
        "No such entity with %fieldName = %fieldValue",
        {"fieldName": field, "fieldValue": value},
    )


def _int_arg(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise MagentoHttpError(
            400,
            'The "%value" value\'s type is invalid. The "%type" type was expected. '
            "Verify and try again.",
            {"value": value, "type": "int"},
        ) from None


@dataclass
class Call:
    """One REST request as a handler sees it."""

    request: Request
    store_code: str
    args: dict[str, str]

    def body(self) -> Any:
        raw = self.request.get_data()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise MagentoHttpError(400, "Decoding error: %1", ["Syntax error"]) from None


Handler = Callable[..., Any]


class MagentoRestApp:
    """Magento REST: store code resolution, auth, routing, `fields` trimming."""

    def __init__(self, store: MagentoStore) -> None:
        self.store = store
        self.sales = Sales(store)
        self.catalog = Catalog(store)
        self.bulks = Bulks(store, self.catalog)
        self._routes = Map(strict_slashes=False, merge_slashes=False)
        self._handlers: dict[str, tuple[Handler, str | None]] = {}
        self._define_routes()

    # -- routing ---------------------------------------------------------------------------------

    def _route(self, path: str, method: str, handler: Handler, acl: str | None) -> None:
        endpoint = f"{method} {path}"
        self._routes.add(Rule(path, methods=[method], endpoint=endpoint))
        self._handlers[endpoint] = (handler, acl)

    def _define_routes(self) -> None:
        r = self._route
        store_acl = "Magento_Backend::store"
        r("/store/websites", "GET", self.websites, store_acl)
        r("/store/storeGroups", "GET", self.store_groups, store_acl)
        r("/store/storeViews", "GET", self.store_views, store_acl)
        r("/store/storeConfigs", "GET", self.store_configs, store_acl)
        r("/integration/admin/token", "POST", self.admin_token, None)
        sets_acl = "Magento_Catalog::sets"
        r("/eav/attribute-sets/list", "GET", self.attribute_sets_list, sets_acl)
        r("/eav/attribute-sets/<set_id>", "GET", self.attribute_set_get, sets_acl)
        r("/products/attribute-sets/sets/list", "GET", self.product_sets_list, sets_acl)
        r("/products/attribute-sets", "POST", self.product_set_create, sets_acl)
        r("/products/attribute-sets/<set_id>", "GET", self.product_set_get, sets_acl)
        r("/products/attribute-sets/<set_id>", "PUT", self.product_set_update, sets_acl)
        r("/products/attribute-sets/<set_id>", "DELETE", self.product_set_delete, sets_acl)
        groups_acl = "Magento_Customer::group"
        r("/customerGroups/search", "GET", self.customer_groups_search, groups_acl)
        r("/customerGroups", "POST", self.customer_group_create, groups_acl)
        r("/customerGroups/<group_id>", "GET", self.customer_group_get, groups_acl)
        r("/customerGroups/<group_id>", "PUT", self.customer_group_update, groups_acl)
        r("/customerGroups/<group_id>", "DELETE", self.customer_group_delete, groups_acl)
        r("/guest-carts", "POST", self.guest_cart_create, None)
        r("/guest-carts/<cart_id>/payment-methods", "GET", self.guest_payment_methods, None)
        orders_acl = "Magento_Sales::actions_view"
        r("/orders", "GET", self.orders_search, orders_acl)
        r("/orders/<order_id>", "GET", self.order_get, orders_acl)
        r("/orders/<order_id>/cancel", "POST", self.order_cancel, "Magento_Sales::cancel")
        r("/order/<order_id>/ship", "POST", self.order_ship, "Magento_Sales::ship")
        r("/order/<order_id>/invoice", "POST", self.order_invoice, "Magento_Sales::sales_invoice")
        memo_acl = "Magento_Sales::sales_creditmemo"
        r("/order/<order_id>/refund", "POST", self.order_refund, memo_acl)
        r("/invoice/<invoice_id>/refund", "POST", self.invoice_refund, memo_acl)
        r("/shipments", "GET", self.shipments_search, "Magento_Sales::shipment")
        r("/shipment/<shipment_id>", "GET", self.shipment_get, "Magento_Sales::shipment")
        r("/shipment/track", "POST", self.shipment_track, "Magento_Sales::ship")
        r("/invoices", "GET", self.invoices_search, "Magento_Sales::sales_invoice")
        r("/invoices/<invoice_id>", "GET", self.invoice_get, "Magento_Sales::sales_invoice")
        r("/creditmemos", "GET", self.creditmemos_search, memo_acl)
        r("/creditmemo/<memo_id>", "GET", self.creditmemo_get, memo_acl)
        products_acl = "Magento_Catalog::products"
        r("/products", "GET", self.products_search, products_acl)
        r("/products/types", "GET", self.product_types, products_acl)
        r("/products/<sku>", "GET", self.product_get, products_acl)
        r("/products", "POST", self.product_save, products_acl)
        r("/products/<sku>", "PUT", self.product_put, products_acl)
        r("/products/<sku>", "DELETE", self.product_delete, "Magento_Catalog::delete")
        attributes_acl = "Magento_Catalog::attributes_attributes"
        r("/products/attributes/<code>", "GET", self.attribute_get, attributes_acl)
        r("/products/attributes/<code>/options", "GET", self.attribute_options, attributes_acl)
        r("/products/attributes/<code>/options", "POST", self.attribute_option_add, attributes_acl)
        r("/configurable-products/<sku>/options", "POST", self.configurable_option, products_acl)
        r("/configurable-products/<sku>/options/all", "GET", self.configurable_opts, products_acl)
        r("/configurable-products/<sku>/child", "POST", self.configurable_child, products_acl)
        r("/configurable-products/<sku>/children", "GET", self.configurable_kids, products_acl)
        bulk_acl = "Magento_Logging::system_magento_logging_bulk_operations"
        r("/bulk/<uuid>/status", "GET", self.bulk_status, bulk_acl)
        r("/bulk/<uuid>/detailed-status", "GET", self.bulk_detailed, bulk_acl)
        r("/bulk/<uuid>/operation-status/<status>", "GET", self.bulk_count, bulk_acl)
        stock_acl = "Magento_CatalogInventory::cataloginventory"
        r("/stockItems/<sku>", "GET", self.stock_item_get, stock_acl)
        r("/products/<sku>/stockItems/<item_id>", "PUT", self.stock_item_put, stock_acl)
        r("/inventory/sources", "GET", self.sources_search, "Magento_InventoryApi::source")
        items_acl = "Magento_InventoryApi::source_item"
        r("/inventory/source-items", "GET", self.source_items_search, items_acl)
        r("/inventory/source-items", "POST", self.source_items_save, items_acl)
        categories_acl = "Magento_Catalog::categories"
        r("/categories", "GET", self.category_tree, categories_acl)
        r("/categories/list", "GET", self.categories_search, categories_acl)
        r("/categories/<category_id>", "GET", self.category_get, categories_acl)
        customers_acl = "Magento_Customer::customer"
        r("/customers/search", "GET", self.customers_search, customers_acl)
        r("/customers/<customer_id>", "GET", self.customer_get, customers_acl)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        try:
            body = self._dispatch(request)
            status = 200
        except MagentoHttpError as exc:
            body, status = exc.body, exc.status
        except SearchError as exc:
            body, status = exc.body, exc.status
        except SalesError as exc:
            body, status = {"message": exc.message, "parameters": exc.parameters}, exc.status
        except CatalogError as exc:
            body, status = exc.body, exc.status
        except SqlError as exc:
            body, status = {"message": INTERNAL_ERROR % self._report(exc)}, 500
        except _Accepted as accepted:  # the async bulk API answers 202
            body, status = accepted.body, 202
        if status >= 400 and isinstance(body, dict) and not body.get("parameters"):
            body.pop("parameters", None)
        response = Response(json.dumps(body), status=status, content_type="application/json")
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Any:
        raw_path = _raw_path(request.environ)
        bulk = _ASYNC_BULK.match(raw_path)
        if bulk:
            return self._async_bulk(request, raw_path, bulk)
        match = _REST.match(raw_path)
        if not match:
            raise MagentoHttpError(404, "Request does not match any route.")
        store_code = match.group("store") or "default"
        if store_code not in self._store_codes():
            raise MagentoHttpError(
                400, "The store that was requested wasn't found. Verify the store and try again."
            )
        adapter = self._routes.bind("sandbox")
        try:
            endpoint, values = adapter.match(match.group("rest"), method=request.method)
        except HTTPException:
            raise MagentoHttpError(404, "Request does not match any route.") from None
        handler, acl = self._handlers[str(endpoint)]
        if acl is not None and not self._authorized(request, raw_path):
            raise MagentoHttpError(
                401, "The consumer isn't authorized to access %resources.", {"resources": acl}
            )
        call = Call(request, store_code, dict(request.args.items()))
        result = handler(call, **{k: unquote(v) for k, v in values.items()})
        fields = request.args.get("fields")
        return trim(result, parse_fields(fields)) if fields else result

    def _async_bulk(self, request: Request, raw_path: str, match: re.Match[str]) -> Any:
        """`/rest[/<store>]/async/bulk/V1/products`: schedule saves, answer 202 at once."""
        store_code = match.group("store") or "default"
        if store_code not in self._store_codes():
            raise MagentoHttpError(
                400, "The store that was requested wasn't found. Verify the store and try again."
            )
        if match.group("rest").rstrip("/") != "/products" or request.method != "POST":
            raise MagentoHttpError(404, "Request does not match any route.")
        if not self._authorized(request, raw_path):
            raise MagentoHttpError(
                401,
                "The consumer isn't authorized to access %resources.",
                {"resources": "Magento_Catalog::products"},
            )
        body = Call(request, store_code, {}).body()
        raise _Accepted(self.bulks.schedule(body, store_code))

    def _report(self, exc: Exception) -> str:
        """Log an unexpected error as `ErrorProcessor::_critical` does; its report id."""
        report_id = "webapi-" + uuid.uuid4().hex[:13]  # uniqid("webapi-"): 13 hex digits
        self.store.log_exception(report_id, str(exc))
        return report_id

    def _store_codes(self) -> set[str]:
        return {"all", "default"} | {str(v.get("code")) for v in self.store.snapshot("store_views")}

    # -- auth ------------------------------------------------------------------------------------

    def _authorized(self, request: Request, raw_path: str) -> bool:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            token = header[len("Bearer ") :].strip()
            return token == credentials.INTEGRATION_TOKEN or self.store.admin_token_valid(token)
        if header.startswith("OAuth "):
            return _oauth_valid(request, raw_path)
        return False

    # -- store -----------------------------------------------------------------------------------

    def websites(self, call: Call) -> Any:
        return self.store.list("websites")

    def store_groups(self, call: Call) -> Any:
        return self.store.list("store_groups")

    def store_views(self, call: Call) -> Any:
        return self.store.list("store_views")

    def store_configs(self, call: Call) -> Any:
        codes = call.request.args.getlist("storeCodes[]") or [
            v for k, v in call.args.items() if k.startswith("storeCodes[")
        ]
        configs = self.store.list("store_configs")
        return [c for c in configs if c.get("code") in codes] if codes else configs

    def admin_token(self, call: Call) -> Any:
        body = call.body() or {}
        for name in ("username", "password"):
            if not isinstance(body, dict) or not body.get(name):
                raise MagentoHttpError(
                    400, '"%fieldName" is required. Enter and try again.', {"fieldName": name}
                )
        token = self.store.issue_admin_token(body["username"], body["password"])
        if token is None:
            raise MagentoHttpError(
                401,
                "The account sign-in was incorrect or your account is disabled temporarily. "
                "Please wait and try again later.",
            )
        return token

    # -- search ----------------------------------------------------------------------------------

    def _search(self, kind: str, call: Call, scope: Callable[[dict], bool] | None = None) -> Any:
        criteria = parse_criteria(call.args)
        records = [r for r in self.store.snapshot(kind) if scope is None or scope(r)]
        # Without sortOrders the repositories answer in primary-key order.
        records.sort(key=lambda r: _primary_id(kind, r))
        items, total = run(records, criteria, for_kind(kind, self.store))
        return {"items": items, "search_criteria": criteria.echo(), "total_count": total}

    # -- attribute sets --------------------------------------------------------------------------

    def attribute_sets_list(self, call: Call) -> Any:
        return self._search("attribute_sets", call)

    def attribute_set_get(self, call: Call, set_id: str) -> Any:
        return self._attribute_set(set_id, product_only=False)

    def product_sets_list(self, call: Call) -> Any:
        return self._search("attribute_sets", call, _is_product_set)

    def _attribute_set(self, set_id: str, product_only: bool = True) -> dict[str, Any]:
        record = self.store.get("attribute_sets", _int_arg(set_id))
        if record is None:
            raise no_such_entity("id", _int_arg(set_id))
        if product_only and not _is_product_set(record):
            raise MagentoHttpError(400, "Provided Attribute set non product Attribute set.")
        return record

    def product_set_get(self, call: Call, set_id: str) -> Any:
        return self._attribute_set(set_id)

    def product_set_create(self, call: Call) -> Any:
        body = call.body() or {}
        data = body.get("attributeSet") if isinstance(body, dict) else None
        if not isinstance(data, dict) or not data.get("attribute_set_name"):
            raise MagentoHttpError(
                400,
                '"%fieldName" is required. Enter and try again.',
                {"fieldName": "attribute_set_name"},
            )
        skeleton = body.get("skeletonId")
        if skeleton is None or self.store.get("attribute_sets", skeleton) is None:
            raise MagentoHttpError(
                400,
                'Invalid value of "%value" provided for the %fieldName field.',
                {"fieldName": "skeletonId", "value": skeleton},
            )
        self._unique_set_name(data["attribute_set_name"])
        record = {
            "attribute_set_id": None,
            "attribute_set_name": data["attribute_set_name"],
            "sort_order": int(data.get("sort_order") or 0),
            "entity_type_id": PRODUCT_ENTITY_TYPE_ID,
        }
        return self.store.put("attribute_sets", record)

    def _unique_set_name(self, name: str, except_id: int | None = None) -> None:
        for other in self.store.list("attribute_sets"):
            if (
                _is_product_set(other)
                and other["attribute_set_name"] == name
                and other["attribute_set_id"] != except_id
            ):
                raise MagentoHttpError(400, 'An attribute set named "%1" already exists.', [name])

    def product_set_update(self, call: Call, set_id: str) -> Any:
        current = self._attribute_set(set_id)
        body = call.body() or {}
        data = body.get("attributeSet") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise MagentoHttpError(
                400, '"%fieldName" is required. Enter and try again.', {"fieldName": "attributeSet"}
            )
        changes = {k: data[k] for k in ("attribute_set_name", "sort_order") if k in data}
        if "attribute_set_name" in changes:
            self._unique_set_name(changes["attribute_set_name"], current["attribute_set_id"])
        return self.store.update("attribute_sets", current["attribute_set_id"], changes)

    def product_set_delete(self, call: Call, set_id: str) -> Any:
        current = self._attribute_set(set_id)
        if current["attribute_set_id"] == PRODUCT_ENTITY_TYPE_ID:
            raise MagentoHttpError(400, "The default attribute set can't be deleted.")
        return self.store.delete("attribute_sets", current["attribute_set_id"])

    # -- customer groups -------------------------------------------------------------------------

    def customer_groups_search(self, call: Call) -> Any:
        return self._search("customer_groups", call)

    def _group(self, group_id: str) -> dict[str, Any]:
        record = self.store.get("customer_groups", _int_arg(group_id))
        if record is None:
            raise no_such_entity("id", _int_arg(group_id))
        return record

    def customer_group_get(self, call: Call, group_id: str) -> Any:
        return self._group(group_id)

    def _group_payload(self, call: Call) -> dict[str, Any]:
        body = call.body() or {}
        data = body.get("group") if isinstance(body, dict) else None
        if not isinstance(data, dict) or not data.get("code"):
            raise MagentoHttpError(
                400, '"%fieldName" is required. Enter and try again.', {"fieldName": "code"}
            )
        return data

    def _unique_group_code(self, code: str, except_id: int | None = None) -> None:
        for other in self.store.list("customer_groups"):
            if other["code"] == code and other["id"] != except_id:
                raise MagentoHttpError(400, "Customer Group already exists.")

    def customer_group_create(self, call: Call) -> Any:
        data = self._group_payload(call)
        self._unique_group_code(data["code"])
        tax_class_id = int(data.get("tax_class_id") or 3)
        record = {
            "id": None,
            "code": data["code"],
            "tax_class_id": tax_class_id,
            "tax_class_name": "Retail Customer" if tax_class_id == 3 else f"Class {tax_class_id}",
        }
        return self.store.put("customer_groups", record)

    def customer_group_update(self, call: Call, group_id: str) -> Any:
        current = self._group(group_id)
        data = self._group_payload(call)
        self._unique_group_code(data["code"], current["id"])
        changes = {k: data[k] for k in ("code", "tax_class_id") if k in data}
        return self.store.update("customer_groups", current["id"], changes)

    def customer_group_delete(self, call: Call, group_id: str) -> Any:
        current = self._group(group_id)
        if current["id"] in (0, 1):  # NOT LOGGED IN and the default group
            raise MagentoHttpError(400, "Cannot delete group.")
        return self.store.delete("customer_groups", current["id"])

    # -- guest carts -----------------------------------------------------------------------------

    def guest_cart_create(self, call: Call) -> Any:
        return self.store.create_guest_cart()

    def guest_payment_methods(self, call: Call, cart_id: str) -> Any:
        if not self.store.has_guest_cart(cart_id):
            raise no_such_entity("cartId", cart_id)
        return [
            {"code": m["code"], "title": m["title"]}
            for m in self.store.list("payment_methods")
            if m.get("active", True)
        ]

    # -- sales, catalog, customers ---------------------------------------------------------------

    def orders_search(self, call: Call) -> Any:
        return self._search("orders", call)

    def order_get(self, call: Call, order_id: str) -> Any:
        record = self.store.get("orders", _int_arg(order_id))
        if record is None:
            raise MagentoHttpError(404, ENTITY_MISSING)
        return record

    # -- sales documents (rules in sandbox.magento.sales) ----------------------------------------

    def _write_body(self, call: Call) -> dict[str, Any]:
        body = call.body()
        return body if isinstance(body, dict) else {}

    def order_ship(self, call: Call, order_id: str) -> Any:
        # Magento answers the new id as a JSON string ("5"), as the recordings show.
        return str(self.sales.ship(_int_arg(order_id), self._write_body(call)))

    def order_invoice(self, call: Call, order_id: str) -> Any:
        return str(self.sales.invoice(_int_arg(order_id), self._write_body(call)))

    def order_cancel(self, call: Call, order_id: str) -> Any:
        return self.sales.cancel(_int_arg(order_id))

    def order_refund(self, call: Call, order_id: str) -> Any:
        return str(self.sales.refund_order(_int_arg(order_id), self._write_body(call)))

    def invoice_refund(self, call: Call, invoice_id: str) -> Any:
        return str(self.sales.refund_invoice(_int_arg(invoice_id), self._write_body(call)))

    def shipment_track(self, call: Call) -> Any:
        return self.sales.add_track(call.body())

    def _document(self, kind: str, key: str) -> dict[str, Any]:
        record = self.store.get(kind, _int_arg(key))
        if record is None:
            raise MagentoHttpError(404, ENTITY_MISSING)
        return record

    def shipments_search(self, call: Call) -> Any:
        return self._search("shipments", call)

    def shipment_get(self, call: Call, shipment_id: str) -> Any:
        return self._document("shipments", shipment_id)

    def invoices_search(self, call: Call) -> Any:
        return self._search("invoices", call)

    def invoice_get(self, call: Call, invoice_id: str) -> Any:
        return self._document("invoices", invoice_id)

    def creditmemos_search(self, call: Call) -> Any:
        return self._search("creditmemos", call)

    def creditmemo_get(self, call: Call, memo_id: str) -> Any:
        return self._document("creditmemos", memo_id)

    def products_search(self, call: Call) -> Any:
        return self._search("products", call)

    def product_get(self, call: Call, sku: str) -> Any:
        record = self.store.get("products", sku)
        if record is None:
            raise MagentoHttpError(
                404,
                "The product that was requested doesn't exist. Verify the product and try again.",
            )
        return record

    def product_types(self, call: Call) -> Any:
        return categories.PRODUCT_TYPES

    # -- categories (sandbox.magento.categories) -------------------------------------------------

    def category_get(self, call: Call, category_id: str) -> Any:
        record = self.store.get("categories", _int_arg(category_id))
        if record is None:
            raise no_such_entity("id", _int_arg(category_id))
        return record

    def categories_search(self, call: Call) -> Any:
        return self._search("categories", call)

    def category_tree(self, call: Call) -> Any:
        stored = self.store.snapshot("categories")
        root = call.args.get("rootCategoryId")
        if root is not None:
            root_id: int | None = _int_arg(root)
            if self.store.peek("categories", root_id) is None:
                raise no_such_entity("id", root_id)
        else:
            root_id = categories.root_for_store(
                stored,
                call.store_code,
                self.store.snapshot("store_views"),
                self.store.snapshot("store_groups"),
            )
            if root_id is None or self.store.peek("categories", root_id) is None:
                raise no_such_entity("id", root_id)
        depth = call.args.get("depth")
        view = next(
            (v for v in self.store.snapshot("store_views") if v.get("code") == call.store_code),
            None,
        )
        return categories.tree(
            stored,
            self.store.snapshot("products"),
            root_id,
            _int_arg(depth) if depth is not None else None,
            view.get("website_id") if view else None,
        )

    # -- catalog writes, configurables, attributes (rules in sandbox.magento.catalog) ------------

    def product_save(self, call: Call) -> Any:
        return self.catalog.save_product(call.body())

    def product_put(self, call: Call, sku: str) -> Any:
        return self.catalog.save_product(call.body(), url_sku=sku)

    def product_delete(self, call: Call, sku: str) -> Any:
        return self.catalog.delete_product(sku)

    def attribute_get(self, call: Call, code: str) -> Any:
        return self.catalog.attribute(code)

    def attribute_options(self, call: Call, code: str) -> Any:
        return self.catalog.attribute(code).get("options") or []

    def attribute_option_add(self, call: Call, code: str) -> Any:
        return self.catalog.add_attribute_option(code, call.body())

    def configurable_option(self, call: Call, sku: str) -> Any:
        return self.catalog.add_option(sku, call.body())

    def configurable_opts(self, call: Call, sku: str) -> Any:
        product = self.catalog.product(sku)
        return (product.get("extension_attributes") or {}).get("configurable_product_options", [])

    def configurable_child(self, call: Call, sku: str) -> Any:
        return self.catalog.add_child(sku, call.body())

    def configurable_kids(self, call: Call, sku: str) -> Any:
        return self.catalog.children(sku)

    # -- bulk status, stock (sandbox.magento.bulk, sandbox.magento.catalog) ----------------------

    def bulk_status(self, call: Call, uuid: str) -> Any:
        return self.bulks.status(uuid)

    def bulk_detailed(self, call: Call, uuid: str) -> Any:
        return self.bulks.detailed_status(uuid)

    def bulk_count(self, call: Call, uuid: str, status: str) -> Any:
        return self.bulks.count(uuid, _int_arg(status))

    def stock_item_get(self, call: Call, sku: str) -> Any:
        return self.catalog.stock_item(sku)

    def stock_item_put(self, call: Call, sku: str, item_id: str) -> Any:
        return self.catalog.update_stock_item(sku, item_id, call.body())

    def sources_search(self, call: Call) -> Any:
        self.catalog.require_msi()
        # SourceRepositoryInterface::getList takes an optional searchCriteria (= everything).
        if not any(k.startswith("searchCriteria") for k in call.args):
            call.args["searchCriteria"] = ""
        return self._search("sources", call)

    def source_items_search(self, call: Call) -> Any:
        self.catalog.require_msi()
        result = self._search("source_items", call)
        result["items"] = [public_source_item(i) for i in result["items"]]
        return result

    def source_items_save(self, call: Call) -> Any:
        return self.catalog.save_source_items(call.body())

    def customers_search(self, call: Call) -> Any:
        return self._search("customers", call)

    def customer_get(self, call: Call, customer_id: str) -> Any:
        record = self.store.get("customers", _int_arg(customer_id))
        if record is None:
            raise no_such_entity("customerId", _int_arg(customer_id))
        return record


class _Accepted(Exception):
    """Carries a 202 answer out of the dispatcher (the async bulk API)."""

    def __init__(self, body: Any) -> None:
        super().__init__("accepted")
        self.body = body


def _primary_id(kind: str, record: dict[str, Any]) -> int:
    value = record.get("id" if kind == "products" else KEYS[kind])
    return value if isinstance(value, int) else 0


def _is_product_set(record: dict[str, Any]) -> bool:
    return record.get("entity_type_id") == PRODUCT_ENTITY_TYPE_ID


def _raw_path(environ: dict[str, Any]) -> str:
    """The path as the client sent it, before WSGI percent-decoded it."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return str(raw).split("?", 1)[0]
    return quote(environ.get("PATH_INFO", ""), safe="/:@!$&'()*+,;=-._~")


def _oauth_valid(request: Request, raw_path: str) -> bool:
    """Verify an OAuth 1.0a HMAC-SHA256 (or -SHA1) signature as Magento's OAuth server does."""
    query = request.environ.get("QUERY_STRING", "")
    uri = f"{request.scheme}://{request.host}{raw_path}" + (f"?{query}" if query else "")
    headers = {"Authorization": request.headers.get("Authorization", "")}
    oauth_request = OAuthRequest(uri, request.method, "", headers)
    try:
        params = oauth_signature.collect_parameters(
            uri_query=oauth_request.uri_query,
            headers=headers,
            exclude_oauth_signature=False,
            with_realm=True,
        )
    except ValueError:
        return False
    oauth = dict(p for p in params if p[0].startswith("oauth_"))
    if (
        oauth.get("oauth_consumer_key") != credentials.OAUTH_CONSUMER_KEY
        or oauth.get("oauth_token") != credentials.OAUTH_ACCESS_TOKEN
    ):
        return False
    oauth_request.params = [(k, v) for k, v in params if k not in ("oauth_signature", "realm")]
    oauth_request.signature = oauth.get("oauth_signature", "")
    verify = {
        "HMAC-SHA256": oauth_signature.verify_hmac_sha256,
        "HMAC-SHA1": oauth_signature.verify_hmac_sha1,
    }.get(str(oauth.get("oauth_signature_method")))
    return bool(
        verify
        and verify(
            oauth_request, credentials.OAUTH_CONSUMER_SECRET, credentials.OAUTH_ACCESS_TOKEN_SECRET
        )
    )


class DropAfterCommit:
    """Crash hook: let a write commit, then drop the connection without an answer.

    From the caller's side this is a crash between Magento's answer and its own commit:
    the shipment (invoice, credit memo, ...) exists, but the caller never learns its id.
    Armed with `{"path_contains": "/ship", "count": 1}`; only writes (POST/PUT/DELETE)
    that succeed (2xx) are dropped and use up the count, refusals are answered as usual.
    """

    WRITES = frozenset({"POST", "PUT", "DELETE"})

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._rules: list[dict[str, Any]] = []
        self.dropped = 0

    def arm(self, path_contains: Any, count: Any = 1) -> dict[str, Any]:
        if not isinstance(path_contains, str) or not path_contains:
            raise ValueError("path_contains must be a non-empty string")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("count must be a positive integer")
        with self._lock:
            self._rules.append({"path_contains": path_contains, "count": count})
        return self.state()

    def clear(self) -> dict[str, Any]:
        with self._lock:
            self._rules.clear()
            self.dropped = 0
        return self.state()

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {"rules": [dict(r) for r in self._rules], "dropped": self.dropped}

    def _armed_for(self, environ: dict[str, Any]) -> dict[str, Any] | None:
        if environ.get("REQUEST_METHOD") not in self.WRITES:
            return None
        path = _raw_path(environ)
        with self._lock:
            return next((r for r in self._rules if r["path_contains"] in path), None)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        rule = self._armed_for(environ)
        if rule is None:
            return self.app(environ, start_response)
        seen: list[str] = []

        def capture(status: str, headers: list[Any], exc_info: Any = None) -> Callable[..., Any]:
            seen.append(status)
            return lambda data: None

        body = b"".join(self.app(environ, capture))  # the write commits here
        if not seen or not seen[0].startswith("2"):
            start_response(seen[0] if seen else "500 Internal Server Error",
                           [("Content-Type", "application/json")])  # fmt: skip
            return [body]
        with self._lock:
            if rule in self._rules:
                rule["count"] -= 1
                if rule["count"] <= 0:
                    self._rules.remove(rule)
            self.dropped += 1
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        start_response("500 Dropped", [])
        return [b""]


class SandboxAdminApp:
    """`/__sandbox__/records/<kind>[/<key>]`, `tokens/expire`, `reset`, `drop-after-commit`."""

    def __init__(
        self, store: MagentoStore, reseed: Callable[[], None], drops: DropAfterCommit
    ) -> None:
        self.store = store
        self.reseed = reseed
        self.drops = drops

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        try:
            status, body = self._dispatch(request)
        except UnknownKind as exc:
            status, body = 404, {"message": f"unknown kind {exc.args[0]!r}", "kinds": sorted(KEYS)}
        except (ValueError, TypeError) as exc:
            status, body = 400, {"message": str(exc)}
        response = Response(json.dumps(body), status=status, content_type="application/json")
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> tuple[int, Any]:
        parts = [unquote(p) for p in _raw_path(request.environ).split("/")[2:] if p]
        method = request.method
        if parts == ["tokens", "expire"] and method == "POST":
            token = (request.get_json(silent=True) or {}).get("token")
            return 200, {"expired": self.store.expire_admin_tokens(token)}
        if parts == ["msi"]:
            if method == "POST":
                self.store.msi = bool(_json_object(request).get("enabled"))
            if method in ("GET", "POST"):
                return 200, {"enabled": self.store.msi}
        if parts == ["exceptions"] and method == "GET":
            with self.store.locked():
                return 200, list(self.store.exceptions)
        if parts == ["stats"]:
            if method == "DELETE":
                self.store.requests.clear()
            return 200, {
                "requests": sum(self.store.requests.values()),
                "by_route": dict(self.store.requests),
            }
        if parts == ["reset"] and method == "POST":
            self.reseed()
            self.drops.clear()
            return 200, {"reset": True}
        if parts == ["drop-after-commit"]:
            if method == "POST":
                data = _json_object(request)
                return 200, self.drops.arm(data.get("path_contains"), data.get("count", 1))
            if method == "DELETE":
                return 200, self.drops.clear()
            if method == "GET":
                return 200, self.drops.state()
        if len(parts) == 2 and parts[0] == "records":
            kind = parts[1]
            if method == "GET":
                return 200, self.store.list(kind)
            if method == "POST":
                return 201, self.store.put(kind, _json_object(request))
        if len(parts) == 3 and parts[0] == "records":
            kind, key = parts[1], _key(parts[2])
            if method == "GET":
                record = self.store.get(kind, key)
                return (200, record) if record is not None else (404, {"message": "no such record"})
            if method == "PUT":
                record = self.store.update(kind, key, _json_object(request))
                return (200, record) if record is not None else (404, {"message": "no such record"})
            if method == "DELETE":
                return 200, {"deleted": self.store.delete(kind, key)}
        return 404, {"message": "unknown sandbox admin endpoint"}


def _key(text: str) -> Any:
    return int(text) if text.lstrip("-").isdigit() else text


def _json_object(request: Request) -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def make_app(
    store: MagentoStore,
    faults: Faults,
    reseed: Callable[[], None],
    events: EventEmitter | None = None,
) -> Callable[..., Any]:
    """Admin endpoints bypass fault injection; everything else goes through it, then
    through the drop-after-commit hook. `/__sandbox__/events/...`: `sandbox.magento.events`."""
    drops = DropAfterCommit(MagentoRestApp(store))
    rest = FaultMiddleware(drops, faults)
    admin = SandboxAdminApp(store, reseed, drops)
    events_app = EventsApp(events or EventEmitter())

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(EventsApp.ROOT + "/"):
            return events_app(environ, start_response)
        if path.startswith("/__sandbox__/") and path != FAULTS_PATH:
            return admin(environ, start_response)
        store.count_request(environ.get("REQUEST_METHOD", "GET"), _raw_path(environ))
        return rest(environ, start_response)

    return app
