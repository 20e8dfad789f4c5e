"""What each search endpoint can filter and sort on, as Magento 2.4's collections have it.

Two kinds of collection stand behind the REST searches, and they fail differently:

- **EAV** (products, customers, categories: `Eav\\Model\\Entity\\Collection\\AbstractCollection`)
  know the entity table's columns (`entity_id`, never `id`) and the entity type's attribute
  codes; anything else is refused at once with 400 'The "%1" attribute name is invalid...'.
  A value is the record's field, else its custom attribute of that code.
- **Flat tables** (orders, invoices, shipments, credit memos, customer groups, attribute sets,
  MSI sources and source items: `Framework\\Data\\Collection\\AbstractDb`) pass the name to
  MySQL, which refuses an unknown column when the query runs: a masked 500 (`SqlError`).

Field names are the ones Magento maps (`FilterProcessor`'s `fieldMapping`, e.g. a customer
group's `code` is `customer_group_code`) or the column's own. The column lists of the sales
tables are the scalar fields of their 2.4.9 REST interfaces (which are the table's columns)
plus the columns those interfaces do not show; `tests/sandbox/test_magento_search_evidence.py`
checks them against Adobe's schema.

Custom filters (`Catalog\\Model\\Api\\SearchCriteria\\CollectionProcessor\\FilterProcessor\\*`)
are products' `category_id` (the products linked to the category in
`catalog_category_product`: never its children's, anchor or not), `store_id`/`store` (the
products of the store's website) and `website_id`; an attribute set's `entity_type_code`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sandbox.magento.search import (
    CustomFilter,
    Getter,
    Predicate,
    Record,
    SearchError,
    SqlError,
    condition,
    lookup,
    mysql_number,
)
from sandbox.magento.store import MagentoStore

STORE_MISSING = "The store that was requested wasn't found. Verify the store and try again."
WEBSITE_MISSING = (
    "The website with id %1 that was requested wasn't found. Verify the website and try again."
)


@dataclass(frozen=True)
class FieldSet:
    """The fields of one search endpoint (`sandbox.magento.search.Fields`)."""

    eav: bool
    getters: Mapping[str, Getter]
    customs: Mapping[str, CustomFilter] = field(default_factory=dict)
    #: Known to the collection, absent from MySQL: static attributes without a column.
    broken: frozenset[str] = frozenset()
    #: EAV only: is this name an attribute the store defined (asked only for other names)?
    defined: Callable[[str], bool] = lambda name: False

    def getter(self, name: str) -> Getter | None:
        if name in self.broken:
            raise SqlError(f"SQLSTATE[42S22]: Column not found: 1054 Unknown column 'e.{name}'")
        found = self.getters.get(name)
        if found is None and self.eav and self.defined(name):
            return _attribute(name)
        return found

    def custom(self, name: str) -> CustomFilter | None:
        return self.customs.get(name)


def _column(key: str) -> Getter:
    return lambda record: record.get(key)


def _attribute(key: str) -> Getter:
    return functools.partial(lookup, name=key)


def _flat(
    columns: Iterable[str],
    aliases: Mapping[str, str] | None = None,
    computed: Mapping[str, Getter] | None = None,
    customs: Mapping[str, CustomFilter] | None = None,
) -> FieldSet:
    getters: dict[str, Getter] = {c: _column(c) for c in columns}
    getters |= {name: _column(key) for name, key in (aliases or {}).items()}
    return FieldSet(False, getters | dict(computed or {}), dict(customs or {}))


def _eav(
    names: Iterable[str],
    aliases: Mapping[str, str],
    *,
    computed: Mapping[str, Getter] | None = None,
    customs: Mapping[str, CustomFilter] | None = None,
    broken: Iterable[str] = (),
    defined: Callable[[str], bool] = lambda name: False,
) -> FieldSet:
    getters: dict[str, Getter] = {n: _attribute(n) for n in names}
    getters |= {name: _attribute(key) for name, key in aliases.items()}
    return FieldSet(
        True, getters | dict(computed or {}), dict(customs or {}), frozenset(broken), defined
    )


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# -- sales: flat tables ------------------------------------------------------------------------

_SALES_AMOUNTS = """
    base_currency_code base_discount_amount base_discount_tax_compensation_amount base_grand_total
    base_shipping_amount base_shipping_discount_tax_compensation_amnt base_shipping_incl_tax
    base_shipping_tax_amount base_subtotal base_subtotal_incl_tax base_tax_amount
    base_to_global_rate base_to_order_rate billing_address_id created_at discount_amount
    discount_description discount_tax_compensation_amount email_sent entity_id
    global_currency_code grand_total increment_id order_currency_code shipping_amount
    shipping_discount_tax_compensation_amount shipping_incl_tax shipping_tax_amount state
    store_currency_code store_id store_to_base_rate store_to_order_rate subtotal
    subtotal_incl_tax tax_amount updated_at
"""
#: sales_order: OrderInterface's scalar fields, then the columns it does not show.
ORDER_COLUMNS = _words(
    """
    adjustment_negative adjustment_positive applied_rule_ids base_adjustment_negative
    base_adjustment_positive base_currency_code base_discount_amount base_discount_canceled
    base_discount_invoiced base_discount_refunded base_grand_total
    base_discount_tax_compensation_amount base_discount_tax_compensation_invoiced
    base_discount_tax_compensation_refunded base_shipping_amount base_shipping_canceled
    base_shipping_discount_amount base_shipping_discount_tax_compensation_amnt
    base_shipping_incl_tax base_shipping_invoiced base_shipping_refunded base_shipping_tax_amount
    base_shipping_tax_refunded base_subtotal base_subtotal_canceled base_subtotal_incl_tax
    base_subtotal_invoiced base_subtotal_refunded base_tax_amount base_tax_canceled
    base_tax_invoiced base_tax_refunded base_total_canceled base_total_due base_total_invoiced
    base_total_invoiced_cost base_total_offline_refunded base_total_online_refunded
    base_total_paid base_total_qty_ordered base_total_refunded base_to_global_rate
    base_to_order_rate billing_address_id can_ship_partially can_ship_partially_item coupon_code
    created_at customer_dob customer_email customer_firstname customer_gender customer_group_id
    customer_id customer_is_guest customer_lastname customer_middlename customer_note
    customer_note_notify customer_prefix customer_suffix customer_taxvat discount_amount
    discount_canceled discount_description discount_invoiced discount_refunded edit_increment
    email_sent entity_id ext_customer_id ext_order_id forced_shipment_with_invoice
    global_currency_code grand_total discount_tax_compensation_amount
    discount_tax_compensation_invoiced discount_tax_compensation_refunded hold_before_state
    hold_before_status increment_id is_virtual order_currency_code original_increment_id
    payment_authorization_amount payment_auth_expiration protect_code quote_address_id quote_id
    relation_child_id relation_child_real_id relation_parent_id relation_parent_real_id
    remote_ip shipping_amount shipping_canceled shipping_description shipping_discount_amount
    shipping_discount_tax_compensation_amount shipping_incl_tax shipping_invoiced
    shipping_refunded shipping_tax_amount shipping_tax_refunded state status
    store_currency_code store_id store_name store_to_base_rate store_to_order_rate subtotal
    subtotal_canceled subtotal_incl_tax subtotal_invoiced subtotal_refunded tax_amount
    tax_canceled tax_invoiced tax_refunded total_canceled total_due total_invoiced
    total_item_count total_offline_refunded total_online_refunded total_paid total_qty_ordered
    total_refunded updated_at weight x_forwarded_for
    shipping_method send_email coupon_rule_name gift_message_id paypal_ipn_customer_notified
    """
)
INVOICE_COLUMNS = _words(
    _SALES_AMOUNTS
    + """
    base_total_refunded can_void_flag is_used_for_refund order_id shipping_address_id total_qty
    transaction_id send_email customer_note customer_note_notify
    """
)
CREDITMEMO_COLUMNS = _words(
    _SALES_AMOUNTS
    + """
    adjustment adjustment_negative adjustment_positive base_adjustment base_adjustment_negative
    base_adjustment_positive creditmemo_status invoice_id order_id shipping_address_id
    transaction_id send_email customer_note customer_note_notify
    """
)
SHIPMENT_COLUMNS = _words(
    """
    billing_address_id created_at customer_id email_sent entity_id increment_id order_id
    shipment_status shipping_address_id shipping_label store_id total_qty total_weight updated_at
    packages send_email customer_note customer_note_notify
    """
)

# -- catalog and customers: EAV entities -------------------------------------------------------

#: catalog_product_entity's columns (2.4 Open Source: no row_id).
PRODUCT_STATIC = _words(
    "entity_id attribute_set_id type_id sku has_options required_options created_at updated_at"
)
#: catalog_product attributes of a default 2.4 install (Catalog, Msrp, Tax, Bundle,
#: Downloadable, GiftMessage, Swatches, CatalogInventory, ConfigurableProduct's color).
PRODUCT_ATTRIBUTES = _words(
    """
    name description short_description price special_price special_from_date special_to_date cost
    weight manufacturer meta_title meta_keyword meta_description image small_image thumbnail
    old_id tier_price color news_from_date news_to_date gallery status minimal_price visibility
    custom_design custom_design_from custom_design_to custom_layout_update page_layout
    options_container image_label small_image_label thumbnail_label country_of_manufacture
    quantity_and_stock_status custom_layout custom_layout_update_file msrp
    msrp_display_actual_price_type url_key url_path tax_class_id gift_message_available
    price_type sku_type weight_type price_view shipment_type links_purchased_separately
    samples_title links_title links_exist swatch_image
    """
)
#: Static attributes with no column: MySQL refuses them ("Unknown column 'e.category_ids'").
PRODUCT_BROKEN = frozenset({"category_ids", "media_gallery"})
#: customer_entity's columns, which are also the customer's system attributes.
CUSTOMER_STATIC = _words(
    """
    entity_id website_id email group_id increment_id store_id created_at updated_at is_active
    disable_auto_group_change created_in prefix firstname middlename lastname suffix dob
    password_hash rp_token rp_token_created_at default_billing default_shipping taxvat
    confirmation gender failures_num first_failure lock_expires session_cutoff
    """
)
#: catalog_category_entity's columns and the category attributes of a default install.
CATEGORY_FIELDS = _words(
    """
    entity_id attribute_set_id parent_id created_at updated_at path position level
    children_count name is_active description image meta_title meta_keywords meta_description
    display_mode landing_page is_anchor include_in_menu custom_use_parent_settings
    custom_apply_to_products custom_design custom_design_from custom_design_to page_layout
    custom_layout_update custom_layout_update_file available_sort_by default_sort_by
    filter_price_range url_key url_path all_children children path_in_store
    """
)
#: eav_entity_type codes of the seeded attribute sets' entity types.
ENTITY_TYPE_IDS = {"customer": 1, "customer_address": 2, "catalog_category": 3,
                   "catalog_product": 4, "order": 5, "invoice": 6, "creditmemo": 7,
                   "shipment": 8}  # fmt: skip


_PHP_NUMERIC = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*")


def _int_of(text: str) -> int:
    return int(mysql_number(text))


def _category_links(record: Record) -> list[Any]:
    extension = record.get("extension_attributes") or {}
    return list(extension.get("category_links") or []) if isinstance(extension, dict) else []


def category_filter(flt: Mapping[str, str], records: Sequence[Record]) -> Predicate:
    """`ProductCategoryFilter` + `Product\\Collection::addCategoriesFilter`.

    The values (split on commas for in/nin only) select rows of catalog_category_product;
    eq/neq read as in/nin. Any other condition compares `e.entity_id` with that sub-select
    as a scalar: no row matches nothing, more than one row is MySQL's error 1242.
    """
    cond, raw = flt["condition_type"], str(flt["value"])
    values = raw.split(",") if cond in ("in", "nin") else [raw]
    wanted = {mysql_number(v) for v in values}

    def linked(record: Record) -> bool:
        return any(mysql_number(str(link.get("category_id"))) in wanted
                   for link in _category_links(record) if isinstance(link, dict))  # fmt: skip

    mapped = {"eq": "in", "neq": "nin"}.get(cond, cond)
    if mapped == "in":
        return linked
    if mapped == "nin":
        return lambda record: not linked(record)
    if mapped in ("null", "notnull"):  # `e.entity_id IS [NOT] NULL`: the sub-select is unused
        return lambda record: mapped == "notnull"
    ids = [r.get("id") for r in records if linked(r)]
    if len(ids) > 1:
        raise SqlError(
            "SQLSTATE[21000]: Cardinality violation: 1242 Subquery returns more than 1 row"
        )
    if not ids:
        return lambda record: False
    test = condition(mapped, str(ids[0]))
    return lambda record: test(record.get("id"))


def _website_ids(record: Record) -> list[int]:
    extension = record.get("extension_attributes") or {}
    ids = extension.get("website_ids") if isinstance(extension, dict) else None
    return [int(i) for i in ids or []]


def product_customs(store: MagentoStore) -> dict[str, CustomFilter]:
    """Products' custom filters, reading the store's websites and store views."""

    def store_filter(flt: Mapping[str, str], records: Sequence[Record]) -> Predicate:
        raw = str(flt["value"])
        views = store.snapshot("store_views")
        numeric = _PHP_NUMERIC.fullmatch(raw) is not None  # getById, else get($code)
        view = next(
            (
                v
                for v in views
                if (v.get("id") == _int_of(raw) if numeric else v.get("code") == raw)
            ),
            None,
        )
        if view is None:
            raise SearchError(STORE_MISSING, status=404)
        if not view.get("id"):  # the admin store: addStoreFilter adds nothing
            return lambda record: True
        website = view.get("website_id")
        return lambda record: website in _website_ids(record)

    def website_filter(flt: Mapping[str, str], records: Sequence[Record]) -> Predicate:
        raw = str(flt["value"])
        if "," in raw:  # a list is taken as it is
            wanted = {_int_of(v) for v in raw.split(",")}
        else:
            known = {w.get("id") for w in store.snapshot("websites")}
            if _int_of(raw) not in known:
                raise SearchError(WEBSITE_MISSING, [raw], status=404)
            wanted = {_int_of(raw)}
        return lambda record: bool(wanted & set(_website_ids(record)))

    return {
        "category_id": category_filter,
        "store": store_filter,
        "store_id": store_filter,
        "website_id": website_filter,
    }


def _defined_product_attribute(store: MagentoStore) -> Callable[[str], bool]:
    """An attribute this store defined beyond the default install's (Luma's, or added)."""

    def defined(name: str) -> bool:
        if store.peek("product_attributes", name) is not None:
            return True
        return any(
            isinstance(a, dict) and a.get("attribute_code") == name
            for p in store.snapshot("products")
            for a in p.get("custom_attributes") or []
        )

    return defined


def _default_billing(record: Record) -> dict[str, Any] | None:
    wanted = record.get("default_billing")
    for address in record.get("addresses") or []:
        if not isinstance(address, dict):
            continue
        if address.get("default_billing") is True or (
            wanted is not None and str(address.get("id")) == str(wanted)
        ):
            return address
    return None


def _billing(key: str) -> Getter:
    def get(record: Record) -> Any:
        address = _default_billing(record)
        if address is None:
            return None
        value = address.get(key)
        if key == "region" and isinstance(value, dict):
            return value.get("region")
        if key == "street" and isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value

    return get


def _customer_name(record: Record) -> str:
    """`Customer\\Collection::addNameToSelect`: prefix, first, middle, last, suffix names."""
    parts = ("prefix", "firstname", "middlename", "lastname", "suffix")
    return " ".join(str(record[p]) for p in parts if record.get(p))


def _customer_fields(store: MagentoStore) -> FieldSet:
    """`CustomerRepository::getList`: the EAV collection, plus `name` and the billing joins."""
    computed: dict[str, Getter] = {"name": _customer_name}
    for key in ("postcode", "city", "telephone", "region", "country_id", "company"):
        computed[f"billing_{key}"] = _billing(key)
    return _eav(
        CUSTOMER_STATIC,
        {"entity_id": "id"},
        computed=computed,
        defined=_customer_defined(store),
    )


def _customer_defined(store: MagentoStore) -> Callable[[str], bool]:
    def defined(name: str) -> bool:
        return any(
            isinstance(a, dict) and a.get("attribute_code") == name
            for c in store.snapshot("customers")
            for a in c.get("custom_attributes") or []
        )

    return defined


def _attribute_set_type(flt: Mapping[str, str], records: Sequence[Record]) -> Predicate:
    """`AttributeSetEntityTypeCodeFilter`: the sets of the entity type with that code."""
    code = str(flt["value"])
    if code not in ENTITY_TYPE_IDS:
        raise SearchError("Invalid entity_type specified: %1", [code])
    wanted = ENTITY_TYPE_IDS[code]
    return lambda record: record.get("entity_type_id") == wanted


def for_kind(kind: str, store: MagentoStore) -> FieldSet:
    """The fields of the search that serves `kind`."""
    if kind == "products":
        return _eav(
            PRODUCT_STATIC | PRODUCT_ATTRIBUTES,
            {"entity_id": "id"},
            customs=product_customs(store),
            broken=PRODUCT_BROKEN,
            defined=_defined_product_attribute(store),
        )
    if kind == "customers":
        return _customer_fields(store)
    if kind == "categories":
        return _eav(CATEGORY_FIELDS, {"entity_id": "id"})
    if kind == "orders":
        return _flat(ORDER_COLUMNS)
    if kind == "invoices":
        return _flat(INVOICE_COLUMNS)
    if kind == "creditmemos":
        return _flat(CREDITMEMO_COLUMNS)
    if kind == "shipments":
        return _flat(SHIPMENT_COLUMNS)
    if kind == "customer_groups":
        # GroupFilterProcessor's fieldMapping; the tax class is joined (addTaxClass).
        return _flat(
            ("id", "code", "tax_class_id", "tax_class_name"),
            {
                "customer_group_id": "id",
                "customer_group_code": "code",
                "class_id": "tax_class_id",
                "class_name": "tax_class_name",
            },
            computed={"class_type": lambda record: "CUSTOMER"},
        )
    if kind == "attribute_sets":
        return _flat(
            ("attribute_set_id", "entity_type_id", "attribute_set_name", "sort_order"),
            customs={"entity_type_code": _attribute_set_type},
        )
    if kind == "sources":
        return _flat(
            _words(
                "source_code name email contact_name enabled description latitude longitude "
                "country_id region_id region city street postcode phone fax "
                "use_default_carrier_config"
            )
        )
    if kind == "source_items":
        return _flat(("source_item_id", "sku", "source_code", "quantity", "status"))
    raise KeyError(f"no search serves {kind!r}")
