"""The seed's catalog: categories and products of a small Luma-like store.

Every product type Bridge meets is here, in the shapes `GET /V1/products/{sku}` answers
on Magento 2.4: simples, configurables with their option attributes and one hidden child
per combination, a dynamic-price bundle, a grouped product, a virtual product, a SKU with
a slash. Ids, SKUs and option ids follow Luma's sample data where a story needs them
(MH09-XS-Blue is product 181, the hoodie parent 196, Color option Blue is 5477), so orders
and stock items can point at them. Descriptions are HTML written the way Magento's
editor stores it (`&bull;`, `<br />`), which is what Odoo rewrites on its side.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandbox.magento.catalog import STOCK_ITEM_DEFAULTS

CREATED = "2026-09-01 08:00:00"
MAIN_WEBSITE = 1
TAXABLE_GOODS = "2"

#: Luma's select options (attribute id, code, label, option id -> label).
COLORS = ["Black", "Blue", "Brown", "Gray", "Green", "Lavender", "Multi", "Orange", "Purple",
          "Red", "White", "Yellow"]  # fmt: skip
COLOR_IDS = {label: 5476 + n for n, label in enumerate(COLORS)}
SIZE_IDS = {
    **{"55 cm": 5518, "65 cm": 5519, "75 cm": 5520, "6 foot": 5521, "8 foot": 5522},
    **{"10 foot": 5523, "XS": 5593, "S": 5594, "M": 5595, "L": 5596, "XL": 5597},
    **{size: 5598 + n for n, size in enumerate(["28", "29", "30", "31", "32", "33", "34", "36"])},
}
COLOR_ATTRIBUTE, SIZE_ATTRIBUTE = 93, 152

#: (id, parent id, name, position, url key); Luma's tree, the branches the products use.
CATEGORY_TREE = [
    (1, 0, "Root Catalog", 0, None),
    (2, 1, "Default Category", 1, None),
    (3, 2, "Gear", 4, "gear"),
    (4, 3, "Bags", 1, "bags"),
    (5, 3, "Fitness Equipment", 2, "fitness-equipment"),
    (6, 3, "Watches", 3, "watches"),
    (9, 2, "Training", 6, "training"),
    (10, 9, "Video Download", 1, "training-video"),
    (11, 2, "Men", 3, "men"),
    (12, 11, "Tops", 1, "tops-men"),
    (15, 12, "Hoodies & Sweatshirts", 2, "hoodies-and-sweatshirts-men"),
    (20, 2, "Women", 2, "women"),
    (21, 20, "Tops", 1, "tops-women"),
    (22, 20, "Bottoms", 2, "bottoms-women"),
    (27, 22, "Pants", 1, "pants-women"),
    (28, 22, "Shorts", 2, "shorts-women"),
    (29, 2, "Promotions", 5, "promotions"),
    (36, 2, "Eco Friendly", 7, "eco-friendly"),
]


def categories() -> list[dict[str, Any]]:
    """Categories as GET /V1/categories/{id} answers them.

    As recorded (test_import_product_category_missing): `children` lists the direct children
    while `children_count` counts every descendant (Default Category: 6 children, "39"), and
    the Root Catalog has no `is_active` (the attribute has no value at that level).
    """
    by_id = {c[0]: c for c in CATEGORY_TREE}

    def path(cid: int) -> list[int]:
        chain = [cid]
        while by_id[chain[0]][1]:
            chain.insert(0, by_id[chain[0]][1])
        return chain

    out = []
    for cid, parent, name, position, url_key in CATEGORY_TREE:
        children = [c[0] for c in CATEGORY_TREE if c[1] == cid]
        chain = path(cid)
        descendants = [c[0] for c in CATEGORY_TREE if c[0] != cid and cid in path(c[0])]
        attributes: list[dict[str, Any]] = [
            {"attribute_code": "is_anchor", "value": "1"},
            {"attribute_code": "path", "value": "/".join(map(str, chain))},
            {"attribute_code": "children_count", "value": str(len(descendants))},
        ]
        if url_key:
            url_path = "/".join(by_id[c][4] for c in chain if by_id[c][4])
            attributes += [
                {"attribute_code": "url_key", "value": url_key},
                {"attribute_code": "url_path", "value": url_path},
            ]
        out.append(
            {
                "id": cid,
                "parent_id": parent,
                "name": name,
                **({"is_active": True} if parent else {}),
                "position": position,
                "level": len(chain) - 1,
                "children": ",".join(map(str, children)),
                "created_at": CREATED,
                "updated_at": CREATED,
                "path": "/".join(map(str, chain)),
                "available_sort_by": [],
                "include_in_menu": True,
                "custom_attributes": attributes,
            }
        )
    return out


def _stock(product_id: int, qty: float, in_stock: bool | None = None) -> dict[str, Any]:
    # In Magento's key order (item_id, product_id, stock_id, qty, is_in_stock, ...).
    return {
        "item_id": product_id,
        "product_id": product_id,
        "stock_id": 1,
        "qty": qty,
        "is_in_stock": qty > 0 if in_stock is None else in_stock,
        **{k: v for k, v in STOCK_ITEM_DEFAULTS.items() if k != "stock_id"},
    }


def _product(
    pid: int,
    sku: str,
    name: str,
    type_id: str,
    *,
    attribute_set: int,
    category_ids: list[int],
    price: float | None,
    qty: float = 0,
    weight: float | None = None,
    visibility: int = 4,
    description: str | None = None,
    short_description: str | None = None,
    attributes: dict[str, Any] | None = None,
    extension: dict[str, Any] | None = None,
    product_links: list[dict[str, Any]] | None = None,
    in_stock: bool | None = None,
) -> dict[str, Any]:
    url_key = name.lower().replace(" ", "-").replace("/", "-")
    custom: dict[str, Any] = {
        "options_container": "container2",
        "url_key": url_key,
        "required_options": "0",
        "has_options": "0",
        "tax_class_id": TAXABLE_GOODS,
        "category_ids": [str(c) for c in category_ids],
    }
    if description is not None:
        custom["description"] = description
    if short_description is not None:
        custom["short_description"] = short_description
    custom.update(attributes or {})
    record: dict[str, Any] = {
        "id": pid,
        "sku": sku,
        "name": name,
        "attribute_set_id": attribute_set,
        "price": price,
        "status": 1,
        "visibility": visibility,
        "type_id": type_id,
        "created_at": CREATED,
        "updated_at": CREATED,
        "weight": weight,
        "extension_attributes": {
            "website_ids": [MAIN_WEBSITE],
            "category_links": [
                {"position": n, "category_id": str(c)} for n, c in enumerate(category_ids)
            ],
            "stock_item": _stock(pid, qty, in_stock),
            **(extension or {}),
        },
        "product_links": product_links or [],
        "options": [],
        "media_gallery_entries": [],
        "tier_prices": [],
        "custom_attributes": [
            {"attribute_code": code, "value": value} for code, value in custom.items()
        ],
    }
    # Magento leaves out what a product type does not have (a grouped product has no price).
    return {k: v for k, v in record.items() if v is not None}


def _configurable(
    parent_id: int,
    sku: str,
    name: str,
    *,
    price: float,
    sizes: list[str],
    colors: list[str],
    first_child_id: int,
    attribute_set: int,
    category_ids: list[int],
    description: str,
    qty: int = 100,
) -> list[dict[str, Any]]:
    """A configurable and its children, numbered size outer, colour inner, as Luma does."""
    children = []
    for n, (size, color) in enumerate((s, c) for s in sizes for c in colors):
        children.append(
            _product(
                first_child_id + n,
                f"{sku}-{size}-{color}",
                f"{name}-{size}-{color}",
                "simple",
                attribute_set=attribute_set,
                category_ids=category_ids[:1],
                price=price,
                qty=qty,
                weight=1,
                visibility=1,  # not visible individually: sold through the parent
                description=description,
                attributes={"size": str(SIZE_IDS[size]), "color": str(COLOR_IDS[color])},
            )
        )
    options = [
        {
            "id": parent_id * 10 + 1,
            "attribute_id": str(SIZE_ATTRIBUTE),
            "label": "Size",
            "position": 0,
            "values": [{"value_index": SIZE_IDS[s]} for s in sizes],
            "product_id": parent_id,
        },
        {
            "id": parent_id * 10 + 2,
            "attribute_id": str(COLOR_ATTRIBUTE),
            "label": "Color",
            "position": 1,
            "values": [{"value_index": COLOR_IDS[c]} for c in colors],
            "product_id": parent_id,
        },
    ]
    parent = _product(
        parent_id,
        sku,
        name,
        "configurable",
        attribute_set=attribute_set,
        category_ids=category_ids,
        price=0,
        in_stock=True,
        description=description,
        attributes={"has_options": "1"},
        extension={
            "configurable_product_options": options,
            "configurable_product_links": [c["id"] for c in children],
        },
    )
    return [parent, *children]


def _bundle_option(option_id: int, title: str, skus: Iterable[str], first_link: int) -> dict:
    return {
        "option_id": option_id,
        "title": title,
        "required": True,
        "type": "radio",
        "position": option_id,
        "sku": "24-WG080",
        "product_links": [
            {
                "id": str(first_link + n),
                "sku": sku,
                "option_id": option_id,
                "qty": 1,
                "position": n + 1,
                "is_default": n == 0,
                "price": None,  # a dynamic-price bundle: the selection's own price applies
                "price_type": None,
                "can_change_quantity": 1,
            }
            for n, sku in enumerate(skus)
        ],
    }


HOODIE = (
    "<p>Cold mornings on the trail call for the Abominable Hoodie: a brushed fleece lining "
    "and a wind-blocking shell keep the heat in without the bulk.</p>\n"
    "<p>&bull; Heathered knit.<br />&bull; Kangaroo pocket. <br />&bull; Machine wash.</p>"
)
CHAZ = (
    "<p>The Chaz Kangeroo Hoodie is made for laps around the park in October: soft inside, "
    "tough outside.</p>\n<p>&bull; Two-tone heather.<br />&bull; Drawstring hood.</p>"
)
CAPRI = "<p>Cropped yoga pants with a wide waistband that stays put.</p>"
SHORT = "<p>Light running shorts with a liner and a zip key pocket.</p>"
DRESS = (
    "<p>A long jersey dress with a racer back, for the beach or the city.</p>\n"
    "<ul>\n<li>Stretch jersey.</li>\n<li>Scoop neck.</li>\n</ul>"
)


#: Children that sold better than their siblings: fewer left than the default 100.
LOW_STOCK = {"MH09-L-Blue": 30}


def products() -> list[dict[str, Any]]:
    """Every seeded product, parents before their children."""
    gear, fitness = 3, 5
    out: list[dict[str, Any]] = []
    out += _configurable(196, "MH09", "Abominable Hoodie", price=69,
                         sizes=["XS", "S", "M", "L", "XL"], colors=["Blue", "Green", "Red"],
                         first_child_id=181, attribute_set=9, category_ids=[15, 2],
                         description=HOODIE)  # fmt: skip
    out += _configurable(68, "MH01", "Chaz Kangeroo Hoodie", price=52,
                         sizes=["XS", "S", "M", "L", "XL"], colors=["Black", "Gray", "Orange"],
                         first_child_id=53, attribute_set=9, category_ids=[15, 36, 2],
                         description=CHAZ)  # fmt: skip
    out += _configurable(1909, "WP13", "Portia Capri", price=49, sizes=["28", "29"],
                         colors=["Blue", "Green"], first_child_id=1903, attribute_set=10,
                         category_ids=[27, 2], description=CAPRI)  # fmt: skip
    out += _configurable(2009, "WSH08", "Sybil Running Short", price=44, sizes=["28", "29"],
                         colors=["Purple"], first_child_id=2004, attribute_set=10,
                         category_ids=[28, 2], description=SHORT)  # fmt: skip
    out.append(_product(2051, "RACER", "Racer Back Maxi Dress", "simple", attribute_set=4,
                        category_ids=[21], price=224, qty=100, weight=0.5, description=DRESS,
                        short_description="<p>Long, light, easy.</p>"))  # fmt: skip
    watch = "<p>A sport watch that counts laps and steps.</p>"
    out.append(_product(44, "24-WG02", "Didi Sport Watch", "simple", attribute_set=11,
                        category_ids=[6, gear], price=92, qty=100, weight=1,
                        description=watch))  # fmt: skip
    kit = {  # the kit's parts: (id, sku, name, price, attribute set)
        26: ("24-WG081-blue", "Sprite Stasis Ball 55 cm", 23, 12),
        29: ("24-WG082-blue", "Sprite Stasis Ball 65 cm", 27, 12),
        32: ("24-WG083-blue", "Sprite Stasis Ball 75 cm", 32, 12),
        21: ("24-WG084", "Sprite Foam Yoga Brick", 5, 11),
        33: ("24-WG085", "Sprite Yoga Strap 6 foot", 14, 13),
        34: ("24-WG086", "Sprite Yoga Strap 8 foot", 17, 13),
        35: ("24-WG087", "Sprite Yoga Strap 10 foot", 21, 13),
        22: ("24-WG088", "Sprite Foam Roller", 19, 11),
    }
    for pid, (sku, name, price, attribute_set) in kit.items():
        out.append(_product(pid, sku, name, "simple", attribute_set=attribute_set,
                            category_ids=[fitness], price=price, qty=100, weight=1))  # fmt: skip
    balls = ["24-WG081-blue", "24-WG082-blue", "24-WG083-blue"]
    bundle_options = [
        _bundle_option(1, "Sprite Stasis Ball", balls, 1),
        _bundle_option(2, "Sprite Foam Yoga Brick", ["24-WG084"], 4),
        _bundle_option(3, "Sprite Yoga Strap", ["24-WG085", "24-WG086", "24-WG087"], 5),
        _bundle_option(4, "Sprite Foam Roller", ["24-WG088"], 8),
    ]  # fmt: skip
    out.append(
        _product(
            46,
            "24-WG080",
            "Sprite Yoga Companion Kit",
            "bundle",
            attribute_set=11,
            category_ids=[gear, fitness],
            price=0,
            weight=0,
            in_stock=True,
            description="<p>Everything for a studio session in one kit: a ball, a "
            "brick, a strap and a roller.</p>",
            attributes={
                "has_options": "1",
                "required_options": "1",
                "price_type": "0",
                "sku_type": "0",
                "weight_type": "0",
                "shipment_type": "0",
                "price_view": "0",
            },
            extension={"bundle_product_options": bundle_options},
        )  # fmt: skip
    )
    straps = [("24-WG085", 0), ("24-WG086", 1), ("24-WG087", 2)]
    out.append(
        _product(
            45,
            "24-WG085_Group",
            "Set of Sprite Yoga Straps",
            "grouped",
            attribute_set=11,
            category_ids=[gear, fitness],
            price=None,
            in_stock=True,
            description="<p>Three straps, three lengths.</p>",
            product_links=[
                {
                    "sku": "24-WG085_Group",
                    "link_type": "associated",
                    "linked_product_sku": sku,
                    "linked_product_type": "simple",
                    "position": pos,
                    "extension_attributes": {"qty": 0},
                }
                for sku, pos in straps
            ],
        )  # fmt: skip
    )
    out.append(_product(2049, "TRN", "Individual Training", "virtual", attribute_set=4,
                        category_ids=[10], price=1, weight=0, in_stock=False,
                        description="<p>One hour with a coach, booked online.</p>"))  # fmt: skip
    out.append(_product(2052, "bla/koe", "Blauwe Koe", "simple", attribute_set=4,
                        category_ids=[], price=1, qty=3, weight=1))  # fmt: skip
    for record in out:
        if record["sku"] in LOW_STOCK:
            stock_item = record["extension_attributes"]["stock_item"]
            stock_item["qty"] = LOW_STOCK[record["sku"]]
    for record in out:  # MH01 cross-sells the kit and the strap set, as Luma links them
        if record["sku"] == "MH01":
            record["product_links"] = [
                {"sku": "MH01", "link_type": "crosssell", "linked_product_sku": sku,
                 "linked_product_type": kind, "position": n}
                for n, (sku, kind) in enumerate([("24-WG080", "bundle"),
                                                 ("24-WG085_Group", "grouped")], start=1)
            ]  # fmt: skip
    return out
