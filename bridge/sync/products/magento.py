"""What a product export needs to know of Magento: which SKUs exist, attributes and options.

Kept per page, so a page of 2,000 products asks for existing SKUs in a few searches and
for each attribute once. A configurable's value missing from its Magento attribute is
created as an option (that is data); a missing attribute is not (that is catalog design:
its type, scope and attribute sets are the merchant's call), so the log says what to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bridge.clients.errors import NotFoundError
from bridge.clients.magento import MagentoClient
from bridge.clients.magento_search import SearchCriteria
from bridge.mappers.errors import MappingError
from bridge.mappers.product import MagentoAttribute, ProductValues, magento_attribute

SKU_CHUNK = 200  # SKUs per search: keeps the GET URL well under proxies' 8 KB
LOOK_UP_FIELDS = "items[id,sku,type_id,weight,custom_attributes]"


@dataclass
class MagentoCatalog:
    magento: MagentoClient
    #: SKU -> {"id", "type_id", ...} of products Magento has; filled by `look_up` (which
    #: also reads weight and custom attributes: what an update may leave as it is).
    existing: dict[str, dict[str, Any]] = field(default_factory=dict)
    attributes: dict[str, MagentoAttribute | None] = field(default_factory=dict)
    requests: int = 0

    def look_up(self, skus: Iterable[str]) -> None:
        """Learn which of these SKUs Magento has, their ids and the fields `held_in_magento`
        reads (the description among them), in one search per 200 SKUs."""
        wanted = sorted({s for s in skus if s and s not in self.existing})
        for i in range(0, len(wanted), SKU_CHUNK):
            chunk = wanted[i : i + SKU_CHUNK]
            criteria = SearchCriteria().where("sku", chunk, "in")
            pages = self.magento.search(
                "products", criteria, fields=LOOK_UP_FIELDS, page_size=SKU_CHUNK
            )
            count = 0
            for page in pages:
                count += 1
                for item in page:
                    self.existing[str(item["sku"])] = item
            self.requests += max(count, 1)  # an empty answer is still one request

    def attribute(self, code: str) -> MagentoAttribute | None:
        if code not in self.attributes:
            self.requests += 1
            try:
                payload = self.magento.get(f"products/attributes/{code}")
            except NotFoundError:
                self.attributes[code] = None
            else:
                self.attributes[code] = magento_attribute(payload)
        return self.attributes[code]

    def option_ids(self, values: ProductValues) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
        """code -> label -> option id, and code -> attribute id, for a configurable.

        Values Magento lacks are added to its attribute; a missing attribute is a reason.
        """
        options: dict[str, dict[str, str]] = {}
        ids: dict[str, str] = {}
        for wanted in values["attributes"]:
            attribute = self.attribute(wanted["code"])
            if attribute is None:
                raise MappingError(
                    f"configurable {values['sku']}: Magento has no product attribute "
                    f"{wanted['code']!r} (Odoo attribute {wanted['label']!r}). Create it in "
                    "Magento (Stores > Attributes > Product, catalog input type Dropdown, "
                    "scope Global, added to the product's attribute set), or rename the Odoo "
                    "attribute to the label of an existing one; then retry this log"
                )
            by_label = {label.casefold(): value for value, label in attribute["options"].items()}
            for label in wanted["values"]:
                if label.casefold() not in by_label:
                    by_label[label.casefold()] = self._add_option(wanted["code"], label)
                    attribute["options"][by_label[label.casefold()]] = label
            options[wanted["code"]] = {
                label: by_label[label.casefold()] for label in wanted["values"]
            }
            ids[wanted["code"]] = attribute["attribute_id"]
        return options, ids

    def _add_option(self, code: str, label: str) -> str:
        self.requests += 1
        answer = self.magento.post(
            f"products/attributes/{code}/options", {"option": {"label": label}}
        )
        text = str(answer)
        if text.startswith("id_"):  # 2.4.0-2.4.2 answered "id_new_option": read it back
            self.attributes.pop(code, None)
            attribute = self.attribute(code)
            found = [
                v for v, lab in (attribute or {"options": {}})["options"].items() if lab == label
            ]
            if not found:
                raise MappingError(f"Magento did not keep the new {code} option {label!r}")
            return found[0]
        return text

    def save(self, body: dict[str, Any]) -> dict[str, Any]:
        """One product save (create or update by SKU); remembers the answer's id."""
        self.requests += 1
        saved = self.magento.post("products", body)
        self.existing[str(saved["sku"])] = {
            "id": saved["id"],
            "sku": saved["sku"],
            "type_id": saved.get("type_id"),
        }
        return saved
