"""What a product import reads of Magento, asked once per batch: products, children, attributes.

A configurable's option names only its attribute's id: `GET /V1/products/attributes/{id}`
answers for an id as for a code (Magento's `Eav\\Model\\Config::getAttribute` loads a
numeric code by id), and each attribute is asked once per batch. A simple product that is
not visible on its own may be a configurable's child: the configurables' links are read
once per batch (only their SKUs and links), so the child comes in as a variant of its
parent instead of a loose product.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bridge.clients.errors import NotFoundError
from bridge.clients.magento import MagentoClient
from bridge.clients.magento_search import SearchCriteria
from bridge.mappers.product import (
    NOT_VISIBLE,
    MagentoAttribute,
    ProductValues,
    from_magento,
    magento_attribute,
)

#: SKUs per search: the GET URL stays well under proxies' 8 KB.
SKU_CHUNK = 100
PARENT_FIELDS = "items[id,sku,extension_attributes[configurable_product_links]]"


@dataclass
class MagentoProducts:
    """One batch's view of the Magento catalog."""

    magento: MagentoClient
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: SKUs Magento answered it does not have.
    missing: set[str] = field(default_factory=set)
    _children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _attributes: dict[str, MagentoAttribute | None] = field(default_factory=dict)
    _parents: dict[int, str] | None = None

    def remember(self, payloads: Iterable[dict[str, Any]]) -> None:
        """Products a pull already read (their raw payloads)."""
        for payload in payloads:
            sku = str(payload.get("sku") or "")
            if sku:
                self.products[sku] = payload
                self.missing.discard(sku)

    def fetch(self, skus: Iterable[str]) -> None:
        """Read the products not known yet: a search per chunk, one GET for odd SKUs."""
        wanted = sorted({s for s in skus if s and s not in self.products} - self.missing)
        searchable = [s for s in wanted if "," not in s]  # `in` values are comma-joined
        for i in range(0, len(searchable), SKU_CHUNK):
            chunk = searchable[i : i + SKU_CHUNK]
            criteria = SearchCriteria().where("sku", chunk, "in")
            for page in self.magento.search("products", criteria, page_size=SKU_CHUNK):
                self.remember(page)
        for sku in [s for s in wanted if "," in s]:
            with contextlib.suppress(NotFoundError):  # then it is missing
                self.remember([self.magento.product(sku)])
        self.missing |= {s for s in wanted if s not in self.products}

    def get(self, sku: str) -> dict[str, Any] | None:
        return self.products.get(sku)

    def children(self, sku: str) -> list[dict[str, Any]]:
        if sku not in self._children:
            answer = self.magento.get(f"configurable-products/{quote(sku, safe='')}/children")
            self._children[sku] = list(answer or [])
        return self._children[sku]

    def attributes(self, product: dict[str, Any]) -> dict[str, MagentoAttribute]:
        """The attributes a configurable's options name, by id; unreadable ones left out."""
        extension = product.get("extension_attributes") or {}
        found: dict[str, MagentoAttribute] = {}
        for option in extension.get("configurable_product_options") or []:
            attribute_id = str(option.get("attribute_id"))
            if attribute_id not in self._attributes:
                try:
                    payload = self.magento.get(f"products/attributes/{quote(attribute_id)}")
                except NotFoundError:
                    self._attributes[attribute_id] = None
                else:
                    self._attributes[attribute_id] = magento_attribute(payload)
            attribute = self._attributes[attribute_id]
            if attribute is not None:
                found[attribute_id] = attribute
        return found

    def values(self, product: dict[str, Any]) -> ProductValues:
        """The product in the neutral shape (raises MappingError when it cannot be mapped)."""
        if product.get("type_id") != "configurable":
            return from_magento(product)
        sku = str(product.get("sku"))
        return from_magento(product, self.children(sku), self.attributes(product))

    def parent_of(self, product: dict[str, Any]) -> str | None:
        """The configurable linking this simple product, if any (read for hidden ones only)."""
        if product.get("type_id") not in ("simple", "virtual"):
            return None
        if int(product.get("visibility") or 0) != NOT_VISIBLE or product.get("id") is None:
            return None
        for payload in self.products.values():
            links = (payload.get("extension_attributes") or {}).get("configurable_product_links")
            if payload.get("type_id") == "configurable" and product["id"] in (links or []):
                return str(payload["sku"])
        return self._parent_index().get(int(product["id"]))

    def _parent_index(self) -> dict[int, str]:
        if self._parents is None:
            self._parents = {}
            criteria = SearchCriteria().where("type_id", "configurable")
            for page in self.magento.search("products", criteria, fields=PARENT_FIELDS):
                for item in page:
                    links = (item.get("extension_attributes") or {}).get(
                        "configurable_product_links"
                    )
                    for child_id in links or []:
                        self._parents.setdefault(int(child_id), str(item["sku"]))
        return self._parents
