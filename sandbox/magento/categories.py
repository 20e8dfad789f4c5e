"""Catalog reads beside products: the category tree and the product types list.

- `GET /V1/categories/{id}` (`Catalog\\Model\\CategoryRepository::get`) answers the stored
  category; an unknown id is `NoSuchEntityException::singleField('id', ...)`.
- `GET /V1/categories` (`CategoryManagement::getTree` -> `Category\\Tree::getTree`) nests
  `{id, parent_id, name, is_active, position, level, product_count, children_data}` from
  `rootCategoryId` (else the store's root category; the level-0 root in the admin store,
  `/rest/all/`), children by position, `depth` levels below the root (all without it).
  `product_count` follows `Category\\Collection::loadProductCount`: a non-anchor category
  counts the products linked to it (in the store's website); an anchor category counts its
  category-index rows, i.e. the products linked to it or to any descendant that are visible
  in the catalog or search (the sandbox does not model the index's other rules).
- `GET /V1/products/types` (`ProductTypeList`) lists the types of a default 2.4 install.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Record = Mapping[str, Any]

#: `ProductTypeList::getProductTypes`, in module load order (Catalog, then Bundle,
#: ConfigurableProduct, Downloadable, GroupedProduct).
PRODUCT_TYPES = [
    {"name": "simple", "label": "Simple Product"},
    {"name": "virtual", "label": "Virtual Product"},
    {"name": "bundle", "label": "Bundle Product"},
    {"name": "configurable", "label": "Configurable Product"},
    {"name": "downloadable", "label": "Downloadable Product"},
    {"name": "grouped", "label": "Grouped Product"},
]
#: Product visibilities the category index holds (`Visibility::getVisibleInSiteIds`).
VISIBLE_IN_SITE = frozenset({2, 3, 4})


def _attribute(record: Record, code: str) -> Any:
    for attr in record.get("custom_attributes") or []:
        if isinstance(attr, dict) and attr.get("attribute_code") == code:
            return attr.get("value")
    return None


def is_anchor(category: Record) -> bool:
    return str(_attribute(category, "is_anchor") or "0") == "1"


def _linked(product: Record) -> set[int]:
    extension = product.get("extension_attributes") or {}
    links = extension.get("category_links") if isinstance(extension, dict) else None
    out = set()
    for link in links or []:
        if isinstance(link, dict) and str(link.get("category_id", "")).isdigit():
            out.add(int(link["category_id"]))
    return out


def _in_website(product: Record, website_id: int | None) -> bool:
    if not website_id:
        return True
    extension = product.get("extension_attributes") or {}
    ids = extension.get("website_ids") if isinstance(extension, dict) else None
    return website_id in [int(i) for i in ids or []]


def _descendants(category_id: int, children: Mapping[int, list[Record]]) -> set[int]:
    found, todo = set(), [category_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child["id"] not in found:
                found.add(child["id"])
                todo.append(child["id"])
    return found


def root_for_store(
    categories: Sequence[Record], store_code: str, views: Sequence[Record], groups: Sequence[Record]
) -> int | None:
    """The tree's default root: the admin store's level-0 category, else the store's root."""
    if store_code in ("all", "admin"):
        return next((c["id"] for c in categories if c.get("level") == 0), None)
    view = next((v for v in views if v.get("code") == store_code), None)
    group = next((g for g in groups if view and g.get("id") == view.get("store_group_id")), None)
    return group.get("root_category_id") if group else None


def tree(
    categories: Sequence[Record],
    products: Sequence[Record],
    root_id: int,
    depth: int | None,
    website_id: int | None,
) -> dict[str, Any]:
    """`Category\\Tree::getTree` from `root_id`, `depth` levels deep (None: all)."""
    by_id = {c["id"]: c for c in categories}
    children: dict[int, list[Record]] = {}
    for category in categories:
        children.setdefault(category.get("parent_id"), []).append(category)
    for kids in children.values():
        kids.sort(key=lambda c: (c.get("position") or 0, c["id"]))
    links = [(p, _linked(p)) for p in products if _in_website(p, website_id)]

    def count(category: Record) -> int:
        if not is_anchor(category):
            return sum(1 for _, linked in links if category["id"] in linked)
        ids = {category["id"]} | _descendants(category["id"], children)
        return sum(
            1 for p, linked in links if linked & ids and p.get("visibility") in VISIBLE_IN_SITE
        )

    def node(category: Record, level: int) -> dict[str, Any]:
        kids = [] if depth is not None and depth <= level else children.get(category["id"], [])
        return {
            "id": category["id"],
            "parent_id": category.get("parent_id"),
            "name": category.get("name"),
            "is_active": category.get("is_active"),
            "position": category.get("position"),
            "level": category.get("level"),
            "product_count": count(category),
            "children_data": [node(kid, level + 1) for kid in kids],
        }

    return node(by_id[root_id], 0)
