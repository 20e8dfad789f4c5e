"""The optional second seed: real Magento 2.3 answers recorded by OCA's connector-magento.

Outside evidence, not part of the project: the recordings are found through the env var
BRIDGE_MAGENTO_FIXTURES (the directory holding `oca-connector-magento-12.0/extracted`),
else in `../shared/fixtures/magento` beside the repository, and `fixtures_root` raises
`RecordingsMissing` naming both when neither has them. Start a sandbox on them with
`MagentoSandbox(seed="recordings")` or `bridge sandbox magento --seed recordings`.

Each file is `{request: {method, endpoint, query, ...}, status, response}`; we keep the
latest full answer per record. What the recordings lack but every Luma store has
(standard customer groups, attribute sets, payment methods, the Color and Size
attributes, the default source) comes from the project's own seed. MH01's fifteen
children were not recorded either: they are derived from its recorded links and Luma's
sample-data conventions (`mh01_children`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sandbox.magento.catalog import STOCK_ITEM_DEFAULTS
from sandbox.magento.seed.luma import store as luma
from sandbox.magento.store import KEYS, MagentoStore

ENV_VAR = "BRIDGE_MAGENTO_FIXTURES"
RECORDINGS = "oca-connector-magento-12.0/extracted"

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


class RecordingsMissing(FileNotFoundError):
    """The outside evidence is not on this machine (it never is in a bare clone)."""


def default_root() -> Path:
    """`../shared/fixtures/magento` beside the repository: where the team keeps them."""
    return Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "magento"


def fixtures_root() -> Path:
    """The fixtures directory, from BRIDGE_MAGENTO_FIXTURES or beside the repository."""
    configured = os.environ.get(ENV_VAR)
    root = Path(configured) if configured else default_root()
    if not (root / RECORDINGS / "index.json").is_file():
        raise RecordingsMissing(
            f"Magento recordings not found at {root / RECORDINGS}; set {ENV_VAR} to the "
            f"directory holding {RECORDINGS} (they are outside evidence, not in the repository)"
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
    store.load("customer_groups", luma.CUSTOMER_GROUPS)
    store.load("attribute_sets", luma.ATTRIBUTE_SETS)
    store.load("payment_methods", luma.PAYMENT_METHODS)
    store.load("product_attributes", luma.product_attributes())
    store.load("sources", luma.SOURCES)
    for kind, by_key in items.items():
        store.load(kind, by_key.values())
    parent = store.get("products", "MH01")
    known = {p.get("id") for p in store.list("products")}
    derived = [c for c in mh01_children(parent or {}) if c["id"] not in known]
    store.load("products", derived)
    store.load("stock_items", [c["extension_attributes"]["stock_item"] for c in derived])
