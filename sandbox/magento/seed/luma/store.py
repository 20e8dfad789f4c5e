"""The seed's store structure and configuration: what a Luma install has before any sale.

One website with one store and two store views: the default view in US dollars and a
French view that displays euros (an order placed there is in EUR while the base currency
stays USD). Magento's standard customer groups, the product attribute sets the catalog
uses (plus the default sets of the other entity types, so an `entity_type_id` filter has
work to do), the payment methods a default install enables, the Color and Size
attributes, and MSI's default source. Shapes as the 2.4.9 REST schema defines them.
"""

from __future__ import annotations

from typing import Any

from sandbox.magento.seed.luma.catalog import COLOR_ATTRIBUTE, COLOR_IDS, SIZE_ATTRIBUTE, SIZE_IDS

#: In the order Magento lists them (the admin website and view come last).
WEBSITES = [
    {"id": 1, "code": "base", "name": "Main Website", "default_group_id": 1},
    {"id": 0, "code": "admin", "name": "Admin", "default_group_id": 0},
]
STORE_GROUPS = [
    {"id": 0, "website_id": 0, "root_category_id": 0, "default_store_id": 0, "name": "Default",
     "code": "default"},
    {"id": 1, "website_id": 1, "root_category_id": 2, "default_store_id": 1,
     "name": "Main Website Store", "code": "main_website_store"},
]  # fmt: skip
STORE_VIEWS = [
    {"id": 1, "code": "default", "name": "Default Store View", "website_id": 1,
     "store_group_id": 1, "is_active": 1},
    {"id": 2, "code": "fr", "name": "French Store View", "website_id": 1, "store_group_id": 1,
     "is_active": 1},
    {"id": 0, "code": "admin", "name": "Admin", "website_id": 0, "store_group_id": 0,
     "is_active": 1},
]  # fmt: skip


def _config(view_id: int, code: str, locale: str, display_currency: str) -> dict[str, Any]:
    base = "http://magento.test/"
    static = f"{base}static/version1730000000/"
    return {
        "id": view_id,
        "code": code,
        "website_id": 1,
        "locale": locale,
        "base_currency_code": "USD",
        "default_display_currency_code": display_currency,
        "timezone": "America/Detroit",
        "weight_unit": "lbs",
        "base_url": base,
        "base_link_url": base,
        "base_static_url": static,
        "base_media_url": f"{base}media/",
        "secure_base_url": base.replace("http:", "https:"),
        "secure_base_link_url": base.replace("http:", "https:"),
        "secure_base_static_url": static.replace("http:", "https:"),
        "secure_base_media_url": f"{base}media/".replace("http:", "https:"),
    }


#: GET /V1/store/storeConfigs answers the store views, never the admin one.
STORE_CONFIGS = [_config(1, "default", "en_US", "USD"), _config(2, "fr", "fr_FR", "EUR")]

#: Magento's standard customer groups.
CUSTOMER_GROUPS = [
    {"id": 0, "code": "NOT LOGGED IN", "tax_class_id": 3, "tax_class_name": "Retail Customer"},
    {"id": 1, "code": "General", "tax_class_id": 3, "tax_class_name": "Retail Customer"},
    {"id": 2, "code": "Wholesale", "tax_class_id": 3, "tax_class_name": "Retail Customer"},
    {"id": 3, "code": "Retailer", "tax_class_id": 3, "tax_class_name": "Retail Customer"},
]


def _set(set_id: int, name: str, entity_type: int, sort_order: int = 0) -> dict[str, Any]:
    return {"attribute_set_id": set_id, "attribute_set_name": name, "sort_order": sort_order,
            "entity_type_id": entity_type}  # fmt: skip


#: Default sets of customers (1), addresses (2), categories (3) and products (4), then
#: Luma's product sets.
ATTRIBUTE_SETS = [
    _set(1, "Default", 1, 2),
    _set(2, "Default", 2, 2),
    _set(3, "Default", 3, 1),
    _set(4, "Default", 4, 1),
    _set(9, "Top", 4),
    _set(10, "Bottom", 4),
    _set(11, "Gear", 4),
    _set(12, "Sprite Stasis Ball", 4),
    _set(13, "Sprite Yoga Strap", 4),
]

#: Enabled payment methods of the default store view (`active` is the sandbox's switch).
PAYMENT_METHODS = [
    {"code": "checkmo", "title": "Check / Money order", "active": True},
    {"code": "banktransfer", "title": "Bank Transfer Payment", "active": True},
    {"code": "cashondelivery", "title": "Cash On Delivery", "active": True},
    {"code": "purchaseorder", "title": "Purchase Order", "active": True},
    {"code": "braintree", "title": "Credit Card (Braintree)", "active": True},
]


def _select_attribute(attribute_id: int, code: str, label: str, options: dict[int, str]) -> dict:
    """A select attribute as GET /V1/products/attributes/{code} answers it."""
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


def product_attributes() -> list[dict[str, Any]]:
    return [
        _select_attribute(COLOR_ATTRIBUTE, "color", "Color", {v: k for k, v in COLOR_IDS.items()}),
        _select_attribute(SIZE_ATTRIBUTE, "size", "Size", {v: k for k, v in SIZE_IDS.items()}),
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
