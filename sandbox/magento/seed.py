"""Seed the sandbox from real recorded Magento 2.3 traffic (OCA connector-magento cassettes).

The recordings are in `<repo>/../shared/fixtures/magento/oca-connector-magento-12.0/extracted/`
(override with the env var BRIDGE_MAGENTO_FIXTURES, pointing at `.../fixtures/magento`).
Each file is `{request: {method, endpoint, query, ...}, status, response}`; we keep the
latest full answer per record. What the recordings lack but every Luma store has
(standard customer groups, attribute sets, payment methods) is added by hand, in
the shapes of the 2.4.9 REST schema. MH01's fifteen children were not recorded either:
they are derived from its recorded links and Luma's sample-data conventions (`mh01_children`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sandbox.magento.catalog import STOCK_ITEM_DEFAULTS
from sandbox.magento.store import KEYS, MagentoStore

ENV_VAR = "BRIDGE_MAGENTO_FIXTURES"
RECORDINGS = "oca-connector-magento-12.0/extracted"

#: Magento's standard customer groups (the recordings only fetched 1 and 2).
STANDARD_CUSTOMER_GROUPS = [
    {"id": 0, "code": "NOT LOGGED IN", "tax_class_id": 3, "tax_class_name": "Retail Customer"},
    {"id": 1, "code": "General", "tax_class_id": 3, "tax_class_name": "Retail Customer"},
    {"id": 2, "code": "Wholesale", "tax_class_id": 3, "tax_class_name": "Retail Customer"},
    {"id": 3, "code": "Retailer", "tax_class_id": 3, "tax_class_name": "Retail Customer"},
]

#: Luma sample data: the product sets the recorded products use (4, 9-13) plus the
#: default sets of other entity types, so an entity_type_id filter has work to do.
ATTRIBUTE_SETS = [
    {"attribute_set_id": 1, "attribute_set_name": "Default", "sort_order": 2, "entity_type_id": 1},
    {"attribute_set_id": 2, "attribute_set_name": "Default", "sort_order": 2, "entity_type_id": 2},
    {"attribute_set_id": 3, "attribute_set_name": "Default", "sort_order": 1, "entity_type_id": 3},
    {"attribute_set_id": 4, "attribute_set_name": "Default", "sort_order": 1, "entity_type_id": 4},
    {"attribute_set_id": 9, "attribute_set_name": "Top", "sort_order": 0, "entity_type_id": 4},
    {"attribute_set_id": 10, "attribute_set_name": "Bottom", "sort_order": 0, "entity_type_id": 4},
    {"attribute_set_id": 11, "attribute_set_name": "Gear", "sort_order": 0, "entity_type_id": 4},
    {
        "attribute_set_id": 12,
        "attribute_set_name": "Sprite Stasis Ball",
        "sort_order": 0,
        "entity_type_id": 4,
    },
    {
        "attribute_set_id": 13,
        "attribute_set_name": "Sprite Yoga Strap",
        "sort_order": 0,
        "entity_type_id": 4,
    },
]

#: Enabled payment methods of the default store view (`active` is the sandbox's switch).
PAYMENT_METHODS = [
    {"code": "checkmo", "title": "Check / Money order", "active": True},
    {"code": "banktransfer", "title": "Bank Transfer Payment", "active": True},
    {"code": "cashondelivery", "title": "Cash On Delivery", "active": True},
    {"code": "purchaseorder", "title": "Purchase Order", "active": True},
    {"code": "braintree", "title": "Credit Card (Braintree)", "active": True},
]

#: Luma's swatch colours and sizes, with the option ids of the recorded store: MH01's
#: configurable_product_options name attributes 93 (Color: 5476, 5479, 5483) and 152 (Size:
#: 5593-5597); the recorded children confirm Blue 5477 (MH09-L-Blue), Purple 5484 (WSH08-29-
#: Purple), XS 5593, L 5596, 28 5598, 29 5599, and 5518-5523 (Sprite balls and straps). The
#: other labels follow Luma's sample-data order.
COLORS = ["Black", "Blue", "Brown", "Gray", "Green", "Lavender", "Multi", "Orange", "Purple",
          "Red", "White", "Yellow"]  # fmt: skip
SIZES = {
    **{5518: "55 cm", 5519: "65 cm", 5520: "75 cm", 5521: "6 foot", 5522: "8 foot"},
    **{5523: "10 foot", 5593: "XS", 5594: "S", 5595: "M", 5596: "L", 5597: "XL"},
    **{5598 + i: size for i, size in enumerate(["28", "29", "30", "31", "32", "33", "34", "36"])},
}


def _select_attribute(attribute_id: int, code: str, label: str, options: dict[int, str]) -> dict:
    """A select attribute as GET /V1/products/attributes/{code} answers it (2.4.9 schema)."""
    return {
        "is_wysiwyg_enabled": False,
        "is_html_allowed_on_front": True,
        "used_for_sort_by": False,
        "is_filterable": True,
        "is_filterable_in_search": True,
        "is_used_in_grid": True,
        "is_visible_in_grid": False,
        "is_filterable_in_grid": True,
        "position": 0,
        "apply_to": ["simple", "virtual", "configurable"],
        "is_searchable": "1",
        "is_visible_in_advanced_search": "1",
        "is_comparable": "1",
        "is_used_for_promo_rules": "0",
        "is_visible_on_front": "0",
        "used_in_product_listing": "0",
        "is_visible": True,
        "scope": "global",
        "attribute_id": attribute_id,
        "attribute_code": code,
        "frontend_input": "select",
        "entity_type_id": "4",
        "is_required": False,
        "options": [{"label": " ", "value": ""}]
        + [{"label": text, "value": str(value)} for value, text in options.items()],
        "is_user_defined": True,
        "default_frontend_label": label,
        "frontend_labels": [],
        "backend_type": "int",
        "source_model": "Magento\\Eav\\Model\\Entity\\Attribute\\Source\\Table",
        "default_value": "",
        "is_unique": "0",
        "validation_rules": [],
    }


PRODUCT_ATTRIBUTES = [
    _select_attribute(93, "color", "Color", {5476 + i: c for i, c in enumerate(COLORS)}),
    _select_attribute(152, "size", "Size", SIZES),
]

#: MSI's default source, as a fresh 2.4 install has it.
SOURCES = [
    {
        "source_code": "default",
        "name": "Default Source",
        "enabled": True,
        "description": "Default Source",
        "latitude": 0,
        "longitude": 0,
        "country_id": "US",
        "postcode": "00000",
        "use_default_carrier_config": True,
        "carrier_links": [],
    }
]

#: MH01's size and colour choices (its recorded configurable_product_options), in the order
#: Luma numbers its children: size outer, colour inner.
MH01_SIZES = {"XS": 5593, "S": 5594, "M": 5595, "L": 5596, "XL": 5597}
MH01_COLORS = {"Black": 5476, "Gray": 5479, "Orange": 5483}


def mh01_children(parent: dict[str, Any]) -> list[dict[str, Any]]:
    """The simple products MH01 links (ids 53-67): DERIVED, not recorded.

    The recording of MH01 lists `configurable_product_links` 53..67 but none of those
    products was fetched. These records follow Luma's sample data as the recorded sibling
    MH09-L-Blue shows it: SKU `MH01-<size>-<colour>`, name `<parent name>-<size>-<colour>`,
    the parent's attribute set, dates, description, tax class and first category, weight 1,
    visibility 1 (not visible individually), select values as option-id strings; price 52
    is Luma's price for the Chaz Kangeroo Hoodie. Stock 100 in stock; no images.
    """
    links = (parent.get("extension_attributes") or {}).get("configurable_product_links") or []
    combos = [(size, color) for size in MH01_SIZES for color in MH01_COLORS]
    if len(links) != len(combos):
        return []
    custom = {a["attribute_code"]: a["value"] for a in parent.get("custom_attributes") or []}
    category = parent["extension_attributes"]["category_links"][0]["category_id"]  # "15"
    children = []
    for product_id, (size, color) in zip(links, combos, strict=True):
        suffix = f"{size}-{color}"
        name = f"{parent['name']}-{suffix}"
        attributes = {
            "options_container": "container2",
            "msrp_display_actual_price_type": "0",
            "url_key": f"{custom.get('url_key') or parent['sku'].lower()}-{suffix.lower()}",
            "required_options": "0",
            "has_options": "0",
            "tax_class_id": custom.get("tax_class_id", "2"),
            "category_ids": [category],
            "description": custom.get("description"),
            "size": str(MH01_SIZES[size]),
            "color": str(MH01_COLORS[color]),
        }
        # In Magento's key order (item_id, product_id, stock_id, qty, is_in_stock, ...).
        ids = {"item_id": product_id, "product_id": product_id, "stock_id": 1}
        stock = {**ids, "qty": 100, "is_in_stock": True, **STOCK_ITEM_DEFAULTS}
        children.append(
            {
                "id": product_id,
                "sku": f"{parent['sku']}-{suffix}",
                "name": name,
                "attribute_set_id": parent["attribute_set_id"],
                "price": 52,
                "status": 1,
                "visibility": 1,
                "type_id": "simple",
                "created_at": parent["created_at"],
                "updated_at": parent["updated_at"],
                "weight": 1,
                "extension_attributes": {
                    "website_ids": [1],
                    "category_links": [{"position": 0, "category_id": category}],
                    "stock_item": stock,
                },
                "product_links": [],
                "options": [],
                "media_gallery_entries": [],
                "tier_prices": [],
                "custom_attributes": [
                    {"attribute_code": code, "value": value}
                    for code, value in attributes.items()
                    if value is not None
                ],
            }
        )
    return children


#: endpoint prefix of a recorded GET -> sandbox kind.
_BY_ITEM = {
    "customerGroups": "customer_groups",
    "orders": "orders",
    "customers": "customers",
    "products": "products",
    "categories": "categories",
    "stockItems": "stock_items",
}
_STORE_LISTS = {
    "store/websites": "websites",
    "store/storeGroups": "store_groups",
    "store/storeViews": "store_views",
    "store/storeConfigs": "store_configs",
}


def fixtures_root() -> Path:
    """`.../shared/fixtures/magento`, from the env var or next to the repository."""
    configured = os.environ.get(ENV_VAR)
    root = (
        Path(configured)
        if configured
        else Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "magento"
    )
    if not (root / RECORDINGS / "index.json").is_file():
        raise FileNotFoundError(
            f"Magento recordings not found at {root / RECORDINGS}; "
            f"set {ENV_VAR} to the directory holding {RECORDINGS}"
        )
    return root


def recordings(root: Path | None = None) -> list[dict[str, Any]]:
    """Every recorded interaction, in index order."""
    base = (root or fixtures_root()) / RECORDINGS
    index = json.loads((base / "index.json").read_text())
    return [json.loads((base / entry["file"]).read_text()) for entry in index]


def _newer(candidate: dict[str, Any], current: dict[str, Any] | None) -> bool:
    if current is None:
        return True
    return str(candidate.get("updated_at") or "") > str(current.get("updated_at") or "")


def seed(store: MagentoStore, root: Path | None = None) -> None:
    """Fill `store` from the recordings plus Luma's standard configuration."""
    lists: dict[str, list[dict[str, Any]]] = {}
    items: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in _BY_ITEM.values()}
    for rec in recordings(root):
        request, response = rec["request"], rec["response"]
        if request["method"] != "GET" or rec["status"] != 200:
            continue
        endpoint = request["endpoint"]
        if endpoint in _STORE_LISTS:
            if not request.get("query"):  # skip the `fields=id` probes
                lists[_STORE_LISTS[endpoint]] = response
            continue
        kind = _BY_ITEM.get(endpoint.split("/", 1)[0])
        if kind is None or not isinstance(response, dict) or "/" not in endpoint:
            continue
        # Orders were recorded several times in different states; one per increment_id.
        key = str(response.get("increment_id") or response.get(KEYS[kind]) or endpoint)
        if _newer(response, items[kind].get(key)):
            items[kind][key] = response
    for kind, records in lists.items():
        store.load(kind, records)
    store.load("customer_groups", STANDARD_CUSTOMER_GROUPS)
    store.load("attribute_sets", ATTRIBUTE_SETS)
    store.load("payment_methods", PAYMENT_METHODS)
    store.load("product_attributes", PRODUCT_ATTRIBUTES)
    store.load("sources", SOURCES)
    for kind, by_key in items.items():
        store.load(kind, by_key.values())
    parent = store.get("products", "MH01")
    known = {p.get("id") for p in store.list("products")}
    derived = [c for c in mh01_children(parent or {}) if c["id"] not in known]
    store.load("products", derived)
    store.load("stock_items", [c["extension_attributes"]["stock_item"] for c in derived])
    for product in store.list("products"):  # the default source mirrors the legacy stock
        item = store.get("stock_items", product.get("id") or 0) or (
            (product.get("extension_attributes") or {}).get("stock_item") or {}
        )
        if product.get("type_id") in ("simple", "virtual") and item:
            store.put(
                "source_items",
                {
                    "key": f"{product['sku']}\x00default",
                    "sku": product["sku"],
                    "source_code": "default",
                    "quantity": float(item.get("qty") or 0),
                    "status": 1 if item.get("is_in_stock") else 0,
                },
            )
