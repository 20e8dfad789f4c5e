"""Magento's catalog writes and stock: product save/delete, configurables, EAV options, inventory.

Each operation follows the Magento 2.4 service behind its REST route, with its refusal texts:

- product save (`Catalog\\Model\\ProductRepository::save`): one "save" for POST and PUT; an
  existing SKU is updated (fields merged, custom attributes merged by code), a new one created.
  Validation is `ResourceModel\\Product::validate`: an attribute set that is missing, unknown or
  not a product set answers "Invalid product data: %1" ["Invalid attribute set entity type"];
  then each required attribute (`Eav\\...\\Backend\\AbstractBackend::validate`) answers the
  rendered 'The value of attribute "<label>" must be set' (SKU, Product Name, and Price for
  types that have one of their own: simple, virtual, downloadable).
- delete (`ProductRepository::deleteById`): true, or the "doesn't exist" 404.
- configurable options (`ConfigurableProduct\\Model\\OptionRepository`): "This is implemented
  for the "%1" configurable product only.", the option-data InputException errors; children
  (`LinkManagement::addChild`): "The product is already attached.", "The parent product doesn't
  have configurable product options.", 'The child product doesn't have the "%1" attribute
  value...', and the `ProductRepositorySave` plugin's duplicate-variation refusal.
- attribute options (`Eav\\Model\\Entity\\Attribute\\OptionManagement::add`): the new option id
  as a JSON string of the numeric id ("5488"), as 2.4.3+ answers (2.4.0-2.4.2 answered
  "id_new_option"); empty and duplicate labels refused.
- MSI (`InventoryApi`): sources, source items (`SourceItemsSave`: "Input data is empty",
  "Validation Failed" with per-field errors, "Could not save Source Item" for an unknown
  source); legacy stock items (`CatalogInventory\\Model\\StockRegistry`), the item id answered
  as a string ("190") as recorded. Writes to the `default` source and to the legacy stock item
  mirror each other, as MSI's legacy-sync plugins do. With MSI off (`store.msi = False`) the
  `/V1/inventory/*` routes do not exist.
"""

from __future__ import annotations

import copy
import re
import time
from typing import Any

from sandbox.magento.store import MagentoStore, copy_record

PRODUCT_ENTITY_TYPE_ID = 4
PRODUCT_MISSING = "The product that was requested doesn't exist. Verify the product and try again."
NO_ROUTE = "Request does not match any route."
#: Required attributes: code -> frontend label (Luma's catalog_eav_attribute).
REQUIRED_LABELS = {"sku": "SKU", "name": "Product Name", "price": "Price"}
PRICED_TYPES = frozenset({"simple", "virtual", "downloadable"})
#: The recorded legacy stock item (test_product_export_qty), without its ids and quantity.
STOCK_ITEM_DEFAULTS: dict[str, Any] = {
    "stock_id": 1,
    "is_qty_decimal": False,
    "show_default_notification_message": False,
    "use_config_min_qty": True,
    "min_qty": 0,
    "use_config_min_sale_qty": 1,
    "min_sale_qty": 1,
    "use_config_max_sale_qty": True,
    "max_sale_qty": 10000,
    "use_config_backorders": True,
    "backorders": 0,
    "use_config_notify_stock_qty": True,
    "notify_stock_qty": 1,
    "use_config_qty_increments": True,
    "qty_increments": 0,
    "use_config_enable_qty_inc": True,
    "enable_qty_increments": False,
    "use_config_manage_stock": True,
    "manage_stock": True,
    "low_stock_date": None,
    "is_decimal_divided": False,
    "stock_status_changed_auto": 0,
}
#: Fields of a product that a save may set directly (the rest is read-only or nested).
_PLAIN_FIELDS = ("name", "attribute_set_id", "price", "status", "visibility", "type_id", "weight")


class CatalogError(Exception):
    """A refusal in Magento's error shape (status, message, parameters, errors)."""

    def __init__(
        self, status: int, message: str, parameters: Any = None, errors: Any = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message}
        if parameters:  # Magento leaves empty parameters out of the body
            self.body["parameters"] = parameters
        if errors is not None:
            self.body["errors"] = errors

    @property
    def rendered(self) -> str:
        """The message with its placeholders filled, as `LocalizedException::getMessage()`."""
        text = self.body["message"]
        params = self.body.get("parameters")
        if isinstance(params, list):
            params = {str(i + 1): v for i, v in enumerate(params)}
        for key, value in (params or {}).items():
            text = text.replace(f"%{key}", str(value))
        return text


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())


def _input_errors(messages: list[tuple[str, Any]]) -> CatalogError:
    """An InputException: one error is the message; several are listed under `errors`."""
    if len(messages) == 1:
        return CatalogError(400, messages[0][0], messages[0][1])
    errors = [{"message": m, "parameters": p or []} for m, p in messages]
    return CatalogError(400, "One or more input exceptions have occurred.", errors=errors)


def _custom(record: dict[str, Any], code: str) -> Any:
    for item in record.get("custom_attributes") or []:
        if item.get("attribute_code") == code:
            return item.get("value")
    return None


def _merge_custom(current: list[dict], given: list[dict]) -> list[dict]:
    by_code = {c["attribute_code"]: dict(c) for c in current if "attribute_code" in c}
    for item in given:
        if isinstance(item, dict) and item.get("attribute_code"):
            by_code[item["attribute_code"]] = {
                "attribute_code": item["attribute_code"],
                "value": item.get("value"),
            }
    return list(by_code.values())


def _url_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class Catalog:
    """Catalog and inventory rules over a `MagentoStore`."""

    def __init__(self, store: MagentoStore) -> None:
        self.store = store

    # -- products --------------------------------------------------------------------------------

    def product(self, sku: str) -> dict[str, Any]:
        record = self.store.get("products", sku)
        if record is None:
            raise CatalogError(404, PRODUCT_MISSING)
        return record

    def _product_by_id(self, product_id: Any) -> dict[str, Any] | None:
        return self.store.find("products", "id", product_id)

    def _next_product_id(self) -> int:
        return self.store.largest("products", "id") + 1

    def save_product(self, body: Any, url_sku: str | None = None) -> dict[str, Any]:
        """`ProductRepository::save`: update the SKU when it exists, create it otherwise."""
        data = body.get("product") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise CatalogError(
                400, '"%fieldName" is required. Enter and try again.', {"fieldName": "product"}
            )
        data = copy_record(data)
        if url_sku is not None and not data.get("sku"):
            data["sku"] = url_sku
        with self.store.locked():
            current = self.store.peek("products", url_sku or data.get("sku") or "")
            record = self._merged(current, data)
            self._validate(record)
            if current is not None and current["sku"] != record["sku"]:
                self.store.delete("products", current["sku"])
            self.store.put("products", record)
            self._sync_stock_item(record)
            return self.store.get("products", record["sku"]) or record

    def _merged(self, current: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any]:
        now = _now()
        if current is None:
            product_id = self._next_product_id()
            type_id = data.get("type_id") or "simple"
            record: dict[str, Any] = {
                "id": product_id,
                "sku": data.get("sku"),
                "name": data.get("name"),
                "attribute_set_id": data.get("attribute_set_id"),
                "price": data.get("price"),
                "status": 1,
                "visibility": 4,
                "type_id": type_id,
                "created_at": now,
                "updated_at": now,
                "extension_attributes": {"website_ids": [1], "category_links": []},
                "product_links": [],
                "options": [],
                "media_gallery_entries": [],
                "tier_prices": [],
                "custom_attributes": [],
            }
            if record["price"] is None and type_id not in PRICED_TYPES:
                record["price"] = 0  # a configurable or bundle has no price of its own
        else:
            record = copy_record(current)
            record["updated_at"] = now
        for field in _PLAIN_FIELDS:
            if field in data:
                record[field] = data[field]
        if data.get("sku"):
            record["sku"] = data["sku"]
        if isinstance(record.get("weight"), str):
            record["weight"] = float(record["weight"])
        if isinstance(record.get("price"), str):
            record["price"] = float(record["price"])
        record["custom_attributes"] = _merge_custom(
            record.get("custom_attributes") or [], data.get("custom_attributes") or []
        )
        if current is None and record.get("name") and _custom(record, "url_key") is None:
            record["custom_attributes"].append(
                {"attribute_code": "url_key", "value": _url_key(str(record["name"]))}
            )
        extension = record.setdefault("extension_attributes", {})
        for key, value in (data.get("extension_attributes") or {}).items():
            if key == "stock_item" and isinstance(value, dict):
                extension["stock_item"] = {**(extension.get("stock_item") or {}), **value}
            elif key == "configurable_product_options" and isinstance(value, list):
                extension[key] = self._numbered_options(record, value)
            else:
                extension[key] = value
        extension["stock_item"] = self._stock_item_for(record, extension.get("stock_item"))
        return record

    def _validate(self, record: dict[str, Any]) -> None:
        attribute_set = self.store.peek("attribute_sets", record.get("attribute_set_id") or 0)
        if attribute_set is None or attribute_set.get("entity_type_id") != PRODUCT_ENTITY_TYPE_ID:
            raise CatalogError(
                400, "Invalid product data: %1", ["Invalid attribute set entity type"]
            )
        required = ["sku", "name"] + (["price"] if record.get("type_id") in PRICED_TYPES else [])
        for code in required:
            value = record.get(code)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise CatalogError(
                    400, f'The value of attribute "{REQUIRED_LABELS[code]}" must be set'
                )

    def _set_extension(self, sku: str, extension: dict[str, Any]) -> None:
        changes = {"extension_attributes": extension, "updated_at": _now()}
        self.store.update("products", sku, changes)

    def delete_product(self, sku: str) -> bool:
        with self.store.locked():
            record = self.product(sku)
            self.store.delete("products", record["sku"])
            self.store.delete("stock_items", record["id"])
            return True

    # -- legacy stock items (CatalogInventory) ---------------------------------------------------

    def _stock_item_for(self, record: dict[str, Any], given: dict | None) -> dict[str, Any]:
        item = {**STOCK_ITEM_DEFAULTS, "qty": 0, "is_in_stock": False, **(given or {})}
        item["item_id"] = item["product_id"] = record["id"]
        item["qty"] = float(item.get("qty") or 0)
        if item["qty"].is_integer():
            item["qty"] = int(item["qty"])
        item["is_in_stock"] = bool(item.get("is_in_stock"))
        return item

    def _sync_stock_item(self, record: dict[str, Any]) -> None:
        item = (record.get("extension_attributes") or {}).get("stock_item")
        if item:
            self.store.put("stock_items", item)
            self._mirror_to_default_source(record["sku"], item)

    def stock_item(self, sku: str) -> dict[str, Any]:
        product = self.product(sku)
        item = self.store.get("stock_items", product["id"])
        return item or self._stock_item_for(product, None)

    def update_stock_item(self, sku: str, item_id: str, body: Any) -> str:
        """`StockRegistry::updateStockItemBySku`: the id of the saved item, as a string."""
        data = body.get("stockItem") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise CatalogError(
                400, '"%fieldName" is required. Enter and try again.', {"fieldName": "stockItem"}
            )
        with self.store.locked():
            product = self.product(sku)
            current = self.stock_item(sku)
            changes = {k: v for k, v in data.items() if k not in ("item_id", "product_id")}
            if "qty" in changes and "is_in_stock" not in changes:
                changes["is_in_stock"] = float(changes["qty"] or 0) > float(current["min_qty"])
            for flag in ("is_in_stock", "manage_stock", "use_config_manage_stock"):
                if flag in changes:
                    changes[flag] = bool(changes[flag])
            item = self._stock_item_for(product, {**current, **changes})
            self.store.put("stock_items", item)
            extension = {**(product.get("extension_attributes") or {}), "stock_item": item}
            self._set_extension(product["sku"], extension)
            self._mirror_to_default_source(product["sku"], item)
            return str(item["item_id"])

    def _mirror_to_default_source(self, sku: str, item: dict[str, Any]) -> None:
        if self.store.peek("sources", "default") is None:
            return
        self.store.put(
            "source_items",
            {
                "key": f"{sku}\x00default",
                "sku": sku,
                "source_code": "default",
                "quantity": item["qty"],
                "status": 1 if item["is_in_stock"] else 0,
            },
        )

    # -- configurable products -------------------------------------------------------------------

    def _configurable(self, sku: str) -> dict[str, Any]:
        product = self.product(sku)
        if product.get("type_id") != "configurable":
            raise CatalogError(
                400, 'This is implemented for the "%1" configurable product only.', [sku]
            )
        return product

    def _next_option_id(self) -> int:
        return self.store.largest("products", "option_id") + 1

    def _numbered_options(self, product: dict[str, Any], options: list[dict]) -> list[dict]:
        numbered, next_id = [], self._next_option_id()
        for option in options:
            option = dict(option)
            if not isinstance(option.get("id"), int):
                option["id"], next_id = next_id, next_id + 1
            option["attribute_id"] = str(option.get("attribute_id"))
            option["product_id"] = product["id"]
            numbered.append(option)
        return numbered

    def add_option(self, sku: str, body: Any) -> int:
        option = body.get("option") if isinstance(body, dict) else None
        if not isinstance(option, dict):
            raise CatalogError(
                400, '"%fieldName" is required. Enter and try again.', {"fieldName": "option"}
            )
        with self.store.locked():
            product = self._configurable(sku)
            problems: list[tuple[str, Any]] = []
            if not option.get("attribute_id"):
                problems.append(("Option attribute ID is not specified.", None))
            if not option.get("label"):
                problems.append(("Option label is not specified.", None))
            values = option.get("values")
            if not values:
                problems.append(("Option values are not specified.", None))
            elif any(not isinstance(v, dict) or v.get("value_index") is None for v in values):
                problems.append(("Value index is not specified for an option.", None))
            if problems:
                raise _input_errors(problems)
            attribute = self._attribute_by_id(option["attribute_id"])
            extension = dict(product.get("extension_attributes") or {})
            options = list(extension.get("configurable_product_options") or [])
            if any(str(o.get("attribute_id")) == str(attribute["attribute_id"]) for o in options):
                raise CatalogError(400, "Something went wrong while saving option.")
            new = {
                "id": self._next_option_id(),
                "attribute_id": str(attribute["attribute_id"]),
                "label": option["label"],
                "position": int(option.get("position") or 0),
                "values": [{"value_index": int(v["value_index"])} for v in values],
                "product_id": product["id"],
            }
            extension["configurable_product_options"] = options + [new]
            extension.setdefault("configurable_product_links", [])
            self._set_extension(product["sku"], extension)
            return int(new["id"])

    def add_child(self, sku: str, body: Any) -> bool:
        child_sku = body.get("childSku") if isinstance(body, dict) else None
        if not child_sku:
            raise CatalogError(
                400, '"%fieldName" is required. Enter and try again.', {"fieldName": "childSku"}
            )
        with self.store.locked():
            product = self.product(sku)
            child = self.product(str(child_sku))
            extension = dict(product.get("extension_attributes") or {})
            links = list(extension.get("configurable_product_links") or [])
            if child["id"] in links:
                raise CatalogError(400, "The product is already attached.")
            options = [dict(o) for o in extension.get("configurable_product_options") or []]
            if not options:
                raise CatalogError(
                    400, "The parent product doesn't have configurable product options."
                )
            combination = []
            for option in options:
                code = self._attribute_by_id(option["attribute_id"])["attribute_code"]
                value = _custom(child, code)
                if not value:
                    raise CatalogError(
                        400,
                        'The child product doesn\'t have the "%1" attribute value. '
                        "Verify the value and try again.",
                        [code],
                    )
                combination.append((code, str(value)))
                known = {v.get("value_index") for v in option.get("values") or []}
                if int(value) not in known:
                    option["values"] = list(option.get("values") or []) + [
                        {"value_index": int(value)}
                    ]
            for other_id in links:
                other = self._product_by_id(other_id)
                if other and [(c, str(_custom(other, c))) for c, _ in combination] == combination:
                    raise CatalogError(
                        400,
                        'Products "%1" and "%2" have the same set of attribute values.',
                        [child["id"], other_id],
                    )
            extension["configurable_product_options"] = options
            extension["configurable_product_links"] = links + [child["id"]]
            self._set_extension(product["sku"], extension)
            return True

    def children(self, sku: str) -> list[dict[str, Any]]:
        product = self.product(sku)
        links = (product.get("extension_attributes") or {}).get("configurable_product_links")
        found = [self._product_by_id(i) for i in links or []]
        return [copy.deepcopy(p) for p in found if p is not None]

    # -- EAV attributes --------------------------------------------------------------------------

    def attribute(self, code: str) -> dict[str, Any]:
        """`ProductAttributeRepository::get`: by code, or by id when the "code" is numeric.

        `Eav\\Model\\Config::getAttribute` maps a numeric code to the attribute of that id
        (`_getAttributeReference`, else `createAttributeByAttributeCode` loads by id), so
        `GET /V1/products/attributes/93` answers the attribute a configurable option names.
        """
        record = self.store.get("product_attributes", code)
        if record is None and code.isdigit():
            record = next(
                (
                    r
                    for r in self.store.snapshot("product_attributes")
                    if str(r.get("attribute_id")) == code
                ),
                None,
            )
        if record is None:
            raise CatalogError(
                404,
                'The attribute with a "%1" attributeCode doesn\'t exist. '
                "Verify the attribute and try again.",
                [code],
            )
        return record

    def _attribute_by_id(self, attribute_id: Any) -> dict[str, Any]:
        for record in self.store.snapshot("product_attributes"):
            if str(record.get("attribute_id")) == str(attribute_id):
                return record
        raise CatalogError(
            404,
            'The attribute with a "%1" attributeCode doesn\'t exist. '
            "Verify the attribute and try again.",
            [str(attribute_id)],
        )

    def add_attribute_option(self, code: str, body: Any) -> str:
        option = body.get("option") if isinstance(body, dict) else None
        if not isinstance(option, dict):
            raise CatalogError(
                400, '"%fieldName" is required. Enter and try again.', {"fieldName": "option"}
            )
        with self.store.locked():
            attribute = self.attribute(code)
            if attribute.get("frontend_input") not in ("select", "multiselect"):
                raise CatalogError(400, 'The "%1" attribute doesn\'t work with options.', [code])
            label = str(option.get("label") or "").strip()
            if not label:
                raise CatalogError(
                    400, "The attribute option label is empty. Enter the value and try again."
                )
            options = list(attribute.get("options") or [])
            if any(str(o.get("label")).upper() == label.upper() for o in options):
                raise CatalogError(
                    400,
                    'Admin store attribute option label "%1" already exists.',
                    [option.get("label")],
                )
            new_id = self._next_option_value()
            options.append({"label": label, "value": str(new_id)})
            self.store.update(
                "product_attributes", attribute["attribute_code"], {"options": options}
            )
            return str(new_id)

    def _next_option_value(self) -> int:
        values = [
            int(o["value"])
            for a in self.store.snapshot("product_attributes")
            for o in a.get("options") or []
            if str(o.get("value") or "").isdigit()
        ]
        return max(values + [0]) + 1

    # -- MSI -------------------------------------------------------------------------------------

    def require_msi(self) -> None:
        if not getattr(self.store, "msi", True):
            raise CatalogError(404, NO_ROUTE)

    def save_source_items(self, body: Any) -> list[Any]:
        self.require_msi()
        items = body.get("sourceItems") if isinstance(body, dict) else None
        if not items:
            raise CatalogError(400, "Input data is empty")
        errors = []
        for item in items:
            for field in ("sku", "source_code"):
                if not isinstance(item, dict) or not str(item.get(field) or "").strip():
                    errors.append(
                        {"message": '"%field" can not be empty.', "parameters": {"field": field}}
                    )
            if isinstance(item, dict) and item.get("status") not in (0, 1, "0", "1"):
                errors.append(
                    {"message": '"%field" should be numeric.', "parameters": {"field": "status"}}
                )
        if errors:
            raise CatalogError(400, "Validation Failed", errors=errors)
        with self.store.locked():
            if any(self.store.get("sources", i["source_code"]) is None for i in items):
                raise CatalogError(400, "Could not save Source Item")
            for item in items:
                record = {
                    "key": f"{item['sku']}\x00{item['source_code']}",
                    "sku": item["sku"],
                    "source_code": item["source_code"],
                    "quantity": float(item.get("quantity") or 0),
                    "status": int(item["status"]),
                }
                self.store.put("source_items", record)
                if item["source_code"] == "default":
                    self.mirror_to_legacy(record)
        return []

    def mirror_to_legacy(self, source_item: dict[str, Any]) -> None:
        product = self.store.get("products", source_item["sku"])
        if product is None:
            return
        current = self.store.get("stock_items", product["id"]) or {}
        item = self._stock_item_for(
            product,
            {**current, "qty": source_item["quantity"], "is_in_stock": source_item["status"] == 1},
        )
        self.store.put("stock_items", item)
        extension = {**(product.get("extension_attributes") or {}), "stock_item": item}
        self.store.update("products", product["sku"], {"extension_attributes": extension})


def public_source_item(record: dict[str, Any]) -> dict[str, Any]:
    """A stored source item as the API shows it (without the sandbox's composite key)."""
    return {k: v for k, v in record.items() if k != "key"}
