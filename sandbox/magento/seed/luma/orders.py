"""The seed's orders: one per story the order and fulfillment flows tell.

| increment     | entity | story                                                              |
|---------------|--------|--------------------------------------------------------------------|
| 000000013     | 9      | canceled: it was edited into 000000013-1 (Magento cancels the original) |
| 000000013-1   | 10     | the edited order (`relation_parent_id` 9), a configurable and a simple |
| 000000014     | 11     | a 20 % cart rule with free shipping, check / money order (offline)  |
| 000000015     | 12     | the same basket again: a repeat customer at the same address       |
| 000000019     | 16     | a guest, a configurable, flat rate shipping, untaxed (Ohio)        |
| 000000020     | 17     | a guest with a 100 % coupon that also covers shipping: total 0.00  |
| 000000021     | 18     | paid by card (Braintree), invoiced at checkout: `processing`       |
| 000000022     | 19     | paid by card, shipped to Tokyo (no tax, region as free text)       |
| 000000023     | 20     | placed in the French store view in euros (base currency USD)       |

Every amount comes from `totals.compute`, Magento's own rules, so each order adds up the
way a real one does (Michigan addresses pay the 8.25 % "US-MI-*-Rate 1"). The card
orders are invoiced through the sandbox's own invoice service, as checkout does, so their
invoices, paid totals and states are what the sandbox would have made of them.

`cents_orders` builds, by the same rules, the orders whose last cent is the hard part
(issue 11). They are not part of the seed (the store's story stays small); the tests that
need them add them to the sandbox:

| increment | story                                                                        |
|-----------|------------------------------------------------------------------------------|
| 000000101 | EU store, prices incl. 21 % VAT: 3 x 9.99 + shipping 4.99 incl. = 34.96 EUR  |
| 000000102 | the same store with a 10 % coupon on items and shipping (tax compensation)  |
| 000000103 | 69.00 + 49.00 at 8.25 %: tax 5.69 + 4.05 = 9.74 (the remainder carried)      |
| 000000104 | 15.58 / 36.43 / 46.98 / 47.49 at 8.25 % + 5.00 shipping = 163.56           |
| 000000105 | 150 lines at 8.25 % (custom prices, a B2B quote)                             |
| 000000106 | the four odd prices with a 15 % coupon and free shipping by rule             |
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandbox.magento.seed.luma.catalog import COLOR_ATTRIBUTE, SIZE_ATTRIBUTE
from sandbox.magento.seed.luma.customers import MICHIGAN, NO_REGION
from sandbox.magento.seed.luma.totals import Row, compute, money


@dataclass(frozen=True)
class TaxRate:
    """A Magento tax rate: its code (also its title here) and percent."""

    code: str
    percent: Decimal


MICHIGAN_RATE = TaxRate("US-MI-*-Rate 1", Decimal("8.25"))
NL_VAT = TaxRate("NL-*-*-VAT 21", Decimal(21))
MI_RATE = MICHIGAN_RATE.percent
MI_TAX = MICHIGAN_RATE.code
CARRIERS = {
    "tablerate_bestway": "Best Way - Table Rate",
    "flatrate_flatrate": "Flat Rate - Fixed",
}
PAYMENT_TITLES = {
    "checkmo": "Check / Money order",
    "banktransfer": "Bank Transfer Payment",
    "braintree": "Credit Card (Braintree)",
}
STORE_NAMES = {
    1: "Main Website\nMain Website Store\nDefault Store View",
    2: "Main Website\nMain Website Store\nFrench Store View",
}


def num(value: Decimal | float | int) -> float | int:
    """A JSON number as Magento prints it: 69, not 69.0; 253.74."""
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


@dataclass
class Buyer:
    email: str
    firstname: str
    lastname: str
    customer_id: int | None = None  # None: a guest
    group_id: int = 0
    billing: dict[str, Any] = field(default_factory=dict)
    shipping: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Story:
    entity_id: int
    increment_id: str
    created_at: str
    buyer: Buyer
    #: (sku, qty) at the catalog price, or (sku, qty, price): a custom price (an admin
    #: order's "Custom Price", a B2B quote), in the base currency like catalog prices.
    lines: list[tuple[str, int] | tuple[str, int, Decimal]]
    shipping_method: str = "tablerate_bestway"
    shipping: Decimal = Decimal(5)
    payment: str = "checkmo"
    discount_percent: Decimal = Decimal(0)
    shipping_discount_percent: Decimal = Decimal(0)
    rule_ids: str | None = None
    coupon: str | None = None
    store_id: int = 1
    currency: str = "USD"
    rate: Decimal = Decimal(1)  # base -> order currency
    #: The tax rate; None: Michigan's for a Michigan address, else none.
    tax: TaxRate | None = None
    #: Catalog and shipping prices include tax (an EU-style store; see totals.py).
    prices_include_tax: bool = False
    #: Shipping is taxed at the order's rate (Magento's "Tax Class for Shipping").
    shipping_taxed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class OrderBuilder:
    """Turns stories into `GET /V1/orders/{id}` answers, numbering items and addresses."""

    def __init__(
        self, products: list[dict[str, Any]], first_item: int = 17, first_address: int = 19
    ) -> None:
        self.by_sku = {p["sku"]: p for p in products}
        self.parent_of: dict[int, dict[str, Any]] = {}
        for product in products:
            links = (product.get("extension_attributes") or {}).get("configurable_product_links")
            for child_id in links or []:
                self.parent_of[child_id] = product
        self.next_item = first_item - 1
        self.next_address = first_address - 1

    # -- pieces ------------------------------------------------------------------------------

    def _address(self, kind: str, story: Story, source: dict[str, Any]) -> dict[str, Any]:
        self.next_address += 1
        region = source.get("region") or NO_REGION
        address: dict[str, Any] = {
            "address_type": kind,
            "city": source["city"],
            "country_id": source["country_id"],
            "email": story.buyer.email,
            "entity_id": self.next_address,
            "firstname": source["firstname"],
            "lastname": source["lastname"],
            "parent_id": story.entity_id,
            "postcode": source["postcode"],
            "region": region.get("region"),
            "region_code": region.get("region_code"),
            "region_id": region.get("region_id") or None,
            "street": list(source["street"]),
            "telephone": source["telephone"],
        }
        if source.get("id"):
            address["customer_address_id"] = source["id"]
        if source.get("company"):
            address["company"] = source["company"]
        # Magento leaves out what the address does not have.
        return {k: v for k, v in address.items() if v is not None}

    def _item(
        self, story: Story, product: dict[str, Any], qty: int, **fields: Any
    ) -> dict[str, Any]:
        self.next_item += 1
        item = {
            "amount_refunded": 0,
            "base_amount_refunded": 0,
            "base_discount_invoiced": 0,
            "base_row_invoiced": 0,
            "base_tax_invoiced": 0,
            "created_at": story.created_at,
            "discount_invoiced": 0,
            "free_shipping": 0,
            "is_qty_decimal": 0,
            "is_virtual": int(product.get("type_id") == "virtual"),
            "item_id": self.next_item,
            "name": product["name"],
            "no_discount": 0,
            "order_id": story.entity_id,
            "product_id": product["id"],
            "product_type": product["type_id"],
            "qty_canceled": 0,
            "qty_invoiced": 0,
            "qty_ordered": qty,
            "qty_refunded": 0,
            "qty_shipped": 0,
            "quote_item_id": self.next_item + 14,
            "row_invoiced": 0,
            "sku": product["sku"],
            "store_id": story.store_id,
            "tax_invoiced": 0,
            "updated_at": story.created_at,
            "weight": product.get("weight") or 0,
        }
        item.update(fields)
        return item

    # -- the order ---------------------------------------------------------------------------

    def build(self, story: Story) -> dict[str, Any]:
        buyer = story.buyer
        tax = story.tax
        if tax is None and (buyer.shipping or buyer.billing).get("region") == MICHIGAN:
            tax = MICHIGAN_RATE
        rate = tax.percent if tax else Decimal(0)
        priced = []  # (product sold, product priced, qty, base price)
        for sku, qty, *custom in story.lines:
            product = self.by_sku[sku]
            price = custom[0] if custom else Decimal(str(product["price"] or 0))
            priced.append((product, self.parent_of.get(product["id"]), qty, price))

        def totals(convert: Decimal):
            rows = [Row(qty, money(price * convert), rate, story.discount_percent)
                    for _child, _parent, qty, price in priced]  # fmt: skip
            return compute(rows, money(story.shipping * convert),
                           rate if story.shipping_taxed else Decimal(0),
                           story.shipping_discount_percent,
                           prices_include_tax=story.prices_include_tax)  # fmt: skip

        base, own = totals(Decimal(1)), totals(story.rate)
        items: list[dict[str, Any]] = []
        item_taxes = []
        for (child, parent, qty, _price), row, base_row in zip(priced, own.rows, base.rows,
                                                                strict=True):  # fmt: skip
            money_fields = {
                "price": num(row.price),
                "base_price": num(base_row.price),
                "original_price": num(row.price),
                "base_original_price": num(base_row.price),
                "price_incl_tax": num(row.price_incl_tax),
                "base_price_incl_tax": num(base_row.price_incl_tax),
                "row_total": num(row.row_total),
                "base_row_total": num(base_row.row_total),
                "row_total_incl_tax": num(row.row_total_incl_tax),
                "base_row_total_incl_tax": num(base_row.row_total_incl_tax),
                "tax_amount": num(row.tax_amount),
                "base_tax_amount": num(base_row.tax_amount),
                "tax_percent": num(rate),
                "discount_amount": num(row.discount_amount),
                "base_discount_amount": num(base_row.discount_amount),
                "discount_percent": num(story.discount_percent),
                "discount_tax_compensation_amount": num(row.discount_tax_compensation),
                "base_discount_tax_compensation_amount": num(base_row.discount_tax_compensation),
                "row_weight": num((child.get("weight") or 0) * qty),
            }
            if story.rule_ids:
                money_fields["applied_rule_ids"] = story.rule_ids
            if parent is None:
                item = self._item(story, child, qty, **money_fields)
                items.append(item)
            else:  # the parent carries the money, the child follows at zero
                custom = {a["attribute_code"]: a["value"] for a in child["custom_attributes"]}
                options = [
                    {"option_id": str(SIZE_ATTRIBUTE), "option_value": int(custom["size"])},
                    {"option_id": str(COLOR_ATTRIBUTE), "option_value": int(custom["color"])},
                ]
                item = self._item(
                    story, parent, qty, sku=child["sku"], weight=child.get("weight") or 0,
                    product_option={"extension_attributes": {"configurable_item_options": options}},
                    **money_fields,
                )  # fmt: skip
                zero = {k: 0 for k in money_fields if k not in ("applied_rule_ids",)}
                dummy = self._item(
                    story, child, qty, **{**zero, "price": money_fields["price"],
                                          "parent_item_id": item["item_id"]},
                )  # fmt: skip
                dummy.pop("price_incl_tax")
                dummy.pop("base_price_incl_tax")
                dummy["parent_item"] = dict(item)
                items += [item, dummy]
            if tax:
                item_taxes.append(
                    {"type": "product", "item_id": item["item_id"],
                     "applied_taxes": [self._applied(tax, row.tax_amount, base_row.tax_amount)]}
                )  # fmt: skip
        if tax and story.shipping_taxed:
            item_taxes.append(
                {"type": "shipping", "item_id": None,
                 "applied_taxes": [self._applied(tax, own.shipping_tax_amount,
                                                 base.shipping_tax_amount)]}
            )  # fmt: skip
        return self._order(story, items, own, base, tax, item_taxes)

    @staticmethod
    def _applied(tax: TaxRate, amount: Decimal, base_amount: Decimal) -> dict[str, Any]:
        return {"code": tax.code, "title": tax.code, "percent": num(tax.percent),
                "amount": num(amount), "base_amount": num(base_amount)}  # fmt: skip

    def _order(self, story, items, own, base, tax, item_taxes) -> dict[str, Any]:  # noqa: ANN001
        buyer = story.buyer
        billing = self._address("billing", story, buyer.billing)
        shipping = self._address("shipping", story, buyer.shipping or buyer.billing)
        qty = sum(line[1] for line in story.lines)
        amounts = {
            "subtotal": own.subtotal,
            "subtotal_incl_tax": own.subtotal_incl_tax,
            "shipping_amount": own.shipping_amount,
            "shipping_incl_tax": own.shipping_incl_tax,
            "shipping_tax_amount": own.shipping_tax_amount,
            "shipping_discount_amount": own.shipping_discount_amount,
            "discount_amount": own.discount_amount,
            "tax_amount": own.tax_amount,
            "grand_total": own.grand_total,
            "total_due": own.grand_total,
            "discount_tax_compensation_amount": own.discount_tax_compensation,
            "shipping_discount_tax_compensation_amount": own.shipping_discount_tax_compensation,
        }
        base_amounts = {
            "base_subtotal": base.subtotal,
            "base_subtotal_incl_tax": base.subtotal_incl_tax,
            "base_shipping_amount": base.shipping_amount,
            "base_shipping_incl_tax": base.shipping_incl_tax,
            "base_shipping_tax_amount": base.shipping_tax_amount,
            "base_shipping_discount_amount": base.shipping_discount_amount,
            "base_discount_amount": base.discount_amount,
            "base_tax_amount": base.tax_amount,
            "base_grand_total": base.grand_total,
            "base_total_due": base.grand_total,
            "base_discount_tax_compensation_amount": base.discount_tax_compensation,
            "base_shipping_discount_tax_compensation_amnt": base.shipping_discount_tax_compensation,
        }
        title = PAYMENT_TITLES[story.payment]
        payment: dict[str, Any] = {
            "account_status": None,
            "additional_information": [title],
            "amount_ordered": num(own.grand_total),
            "base_amount_ordered": num(base.grand_total),
            "base_shipping_amount": num(base.shipping_amount),
            "cc_exp_year": "0",
            "cc_last4": None,
            "cc_ss_start_month": "0",
            "cc_ss_start_year": "0",
            "entity_id": story.entity_id,
            "method": story.payment,
            "parent_id": story.entity_id,
            "shipping_amount": num(own.shipping_amount),
        }
        if story.payment == "braintree":
            payment.update(cc_type="VI", cc_last4="1111", cc_exp_month="12", cc_exp_year="2029",
                           last_trans_id=f"bt{story.entity_id:06d}")  # fmt: skip
        customer: dict[str, Any] = {
            "customer_email": buyer.email,
            "customer_firstname": buyer.firstname,
            "customer_lastname": buyer.lastname,
            "customer_group_id": buyer.group_id,
            "customer_is_guest": int(buyer.customer_id is None),
            "customer_note_notify": 1,
        }
        if buyer.customer_id is not None:
            customer["customer_id"] = buyer.customer_id
        customer.update(buyer.extra)
        order: dict[str, Any] = {
            **({"applied_rule_ids": story.rule_ids} if story.rule_ids else {}),
            "base_currency_code": "USD",
            **{k: num(v) for k, v in base_amounts.items()},
            "base_to_global_rate": 1,
            "base_to_order_rate": num(story.rate),
            "billing_address_id": billing["entity_id"],
            **(
                {"coupon_code": story.coupon, "discount_description": story.coupon}
                if story.coupon
                else {}
            ),
            "created_at": story.created_at,
            **customer,
            "entity_id": story.entity_id,
            "global_currency_code": "USD",
            **{k: num(v) for k, v in amounts.items()},
            "increment_id": story.increment_id,
            "is_virtual": 0,
            "order_currency_code": story.currency,
            "protect_code": hashlib.md5(story.increment_id.encode()).hexdigest(),  # noqa: S324
            "quote_id": story.entity_id + 3,
            "shipping_description": CARRIERS[story.shipping_method],
            "state": "new",
            "status": "pending",
            "store_currency_code": "USD",
            "store_id": story.store_id,
            "store_name": STORE_NAMES[story.store_id],
            "store_to_base_rate": 0,
            "store_to_order_rate": 0,
            "total_item_count": len(story.lines),
            "total_qty_ordered": qty,
            "updated_at": story.created_at,
            "weight": num(sum(float(i.get("row_weight") or 0) for i in items)),
            "items": items,
            "billing_address": billing,
            "payment": payment,
            "status_histories": [],
            "extension_attributes": {
                "shipping_assignments": [
                    {
                        "shipping": {
                            "address": shipping,
                            "method": story.shipping_method,
                            "total": {
                                "base_shipping_amount": num(base.shipping_amount),
                                "base_shipping_discount_amount": num(base.shipping_discount_amount),
                                "base_shipping_discount_tax_compensation_amnt": num(
                                    base.shipping_discount_tax_compensation
                                ),
                                "base_shipping_incl_tax": num(base.shipping_incl_tax),
                                "base_shipping_tax_amount": num(base.shipping_tax_amount),
                                "shipping_amount": num(own.shipping_amount),
                                "shipping_discount_amount": num(own.shipping_discount_amount),
                                "shipping_discount_tax_compensation_amount": num(
                                    own.shipping_discount_tax_compensation
                                ),
                                "shipping_incl_tax": num(own.shipping_incl_tax),
                                "shipping_tax_amount": num(own.shipping_tax_amount),
                            },
                        },
                        "items": [
                            {k: v for k, v in i.items() if k != "parent_item"} for i in items
                        ],
                    }
                ],
                "payment_additional_info": [{"key": "method_title", "value": title}],
                "applied_taxes": (
                    [self._applied(tax, own.tax_amount, base.tax_amount)] if tax else []
                ),
                "item_applied_taxes": item_taxes,
                "converting_from_quote": True,
            },
        }
        order.update(story.extra)
        return order


def cancel(order: dict[str, Any], at: str) -> None:
    """What `Order::registerCancellation` leaves on a new order nothing was invoiced of."""
    order.update(state="canceled", status="canceled", updated_at=at)
    for item in order["items"]:
        if not item.get("parent_item_id"):  # a configurable's child follows its parent
            item["qty_canceled"] = item["qty_ordered"]
    for field_ in ("subtotal", "tax", "shipping", "discount"):
        amount = order.get(f"{field_}_amount", order.get(field_))
        order[f"{field_}_canceled"] = abs(amount or 0)
        order[f"base_{field_}_canceled"] = abs(amount or 0)
    order["total_canceled"] = order["base_total_canceled"] = order["grand_total"]


def _from_customer(customer: dict[str, Any], billing: int, shipping: int | None = None) -> Buyer:
    by_id = {a["id"]: a for a in customer["addresses"]}
    extra = {"customer_dob": f"{customer['dob']} 00:00:00"} if customer.get("dob") else {}
    if customer.get("gender"):
        extra["customer_gender"] = customer["gender"]
    return Buyer(
        email=customer["email"],
        firstname=customer["firstname"],
        lastname=customer["lastname"],
        customer_id=customer["id"],
        group_id=customer["group_id"],
        billing=by_id[billing],
        shipping=by_id[shipping or billing],
        extra=extra,
    )


def _guest(email: str, name: tuple[str, str], street: str, city: str, postcode: str,
           region: dict[str, Any]) -> Buyer:  # fmt: skip
    address = {"firstname": name[0], "lastname": name[1], "street": [street], "city": city,
               "postcode": postcode, "country_id": "US", "telephone": "(555) 010-0199",
               "region": region}  # fmt: skip
    return Buyer(email=email, firstname=name[0], lastname=name[1], billing=address)


OHIO = {"region_code": "OH", "region": "Ohio", "region_id": 47}
TEXAS = {"region_code": "TX", "region": "Texas", "region_id": 57}
TWENTY_PERCENT = {"discount_percent": Decimal(20), "shipping": Decimal(0), "rule_ids": "2,3"}


def stories(customers: list[dict[str, Any]]) -> list[Story]:
    by_id = {c["id"]: c for c in customers}
    roni = _from_customer(by_id[1], 1)
    tay = _from_customer(by_id[3], 2, 3)
    drew = _from_customer(by_id[5], 6)
    basket = [("MH09-XS-Blue", 1), ("RACER", 1)]
    return [
        Story(9, "000000013", "2026-10-05 15:50:17", roni, [("MH09-XS-Blue", 2), ("RACER", 1)],
              extra={"relation_child_id": "10", "relation_child_real_id": "000000013-1",
                     "edit_increment": 1}),
        Story(10, "000000013-1", "2026-10-05 16:09:35", roni, basket,
              extra={"relation_parent_id": "9", "relation_parent_real_id": "000000013",
                     "original_increment_id": "000000013", "edit_increment": 1}),
        Story(11, "000000014", "2026-10-06 17:05:45", roni, basket, **TWENTY_PERCENT),
        Story(12, "000000015", "2026-10-07 07:23:37", roni, basket, **TWENTY_PERCENT),
        Story(16, "000000019", "2026-10-12 06:57:20",
              _guest("guest@guest.com", ("Gina", "Guester"), "88 High St", "Columbus", "43215",
                     OHIO),
              [("WP13-28-Blue", 1)], shipping_method="flatrate_flatrate"),
        Story(17, "000000020", "2026-10-12 10:21:22",
              _guest("test@free.org", ("Test", "Free"), "500 Congress Ave", "Austin", "78701",
                     TEXAS),
              [("WSH08-29-Purple", 1)], shipping_method="flatrate_flatrate",
              discount_percent=Decimal(100), shipping_discount_percent=Decimal(100),
              rule_ids="5", coupon="FREEALL"),
        Story(18, "000000021", "2026-10-15 11:02:10", roni, [("MH01-M-Gray", 1), ("24-WG02", 1)],
              payment="braintree"),
        Story(19, "000000022", "2026-10-16 14:30:00", tay, [("RACER", 1)], payment="braintree"),
        Story(20, "000000023", "2026-10-18 09:15:00", drew, [("24-WG02", 1)],
              shipping_method="flatrate_flatrate", payment="banktransfer", store_id=2,
              currency="EUR", rate=Decimal("0.92")),
    ]  # fmt: skip


NL_GUEST = Buyer(
    email="eva@devries.nl", firstname="Eva", lastname="de Vries",
    billing={"firstname": "Eva", "lastname": "de Vries", "street": ["Prinsengracht 263"],
             "city": "Amsterdam", "postcode": "1016 GV", "country_id": "NL",
             "telephone": "+31 20 555 0263", "region": NO_REGION},
)  # fmt: skip
ODD_PRICES = [
    ("24-WG081-blue", 1, Decimal("15.58")),
    ("24-WG082-blue", 1, Decimal("36.43")),
    ("24-WG083-blue", 1, Decimal("46.98")),
    ("24-WG084", 1, Decimal("47.49")),
]
#: The EU store view's prices in euros come from base (USD) prices at 0.92: 10.86 -> 9.99.
EU_STORE = {"store_id": 2, "currency": "EUR", "rate": Decimal("0.92"), "tax": NL_VAT,
            "prices_include_tax": True, "shipping_taxed": True,
            "shipping_method": "flatrate_flatrate", "shipping": Decimal("5.42")}  # fmt: skip


def _bulk_lines(products: list[dict[str, Any]], count: int) -> list[tuple[str, int, Decimal]]:
    """`count` lines over the catalog's simple products, odd custom prices from 5.00 to 94.99."""
    skus = sorted(p["sku"] for p in products if p["type_id"] in ("simple", "virtual"))
    return [(skus[n % len(skus)], 1 + n % 4, Decimal((n * 7919) % 9000 + 500) / 100)
            for n in range(count)]  # fmt: skip


def cents_stories(products: list[dict[str, Any]], customers: list[dict[str, Any]]) -> list[Story]:
    roni = _from_customer({c["id"]: c for c in customers}[1], 1)
    return [
        Story(101, "000000101", "2026-11-02 10:00:00", NL_GUEST,
              [("24-WG085", 3, Decimal("10.86"))], **EU_STORE),
        Story(102, "000000102", "2026-11-02 11:00:00", NL_GUEST,
              [("24-WG085", 2, Decimal("27.12")), ("24-WG086", 1, Decimal("13.58"))],
              discount_percent=Decimal(10), shipping_discount_percent=Decimal(10),
              rule_ids="7", coupon="TENOFF", **EU_STORE),
        Story(103, "000000103", "2026-11-03 09:00:00", roni,
              [("MH09-XS-Blue", 1), ("WP13-28-Blue", 1)]),
        Story(104, "000000104", "2026-11-03 10:00:00", roni, ODD_PRICES),
        Story(105, "000000105", "2026-11-03 11:00:00", roni, _bulk_lines(products, 150),
              payment="banktransfer"),
        Story(106, "000000106", "2026-11-03 12:00:00", roni, ODD_PRICES,
              discount_percent=Decimal(15), shipping_discount_percent=Decimal(100),
              rule_ids="8", coupon="FIFTEEN"),
    ]  # fmt: skip


def cents_orders(products: list[dict[str, Any]], customers: list[dict[str, Any]]) -> list[dict]:
    """The orders of `cents_stories`, numbered apart from the seed's items and addresses."""
    builder = OrderBuilder(products, first_item=1001, first_address=1001)
    return [builder.build(story) for story in cents_stories(products, customers)]


#: increment id of the order an edit canceled -> when the edit happened.
CANCELED_BY_EDIT = {"000000013": "2026-10-05 16:09:35"}
#: card orders, invoiced (captured) at checkout.
PAID_AT_CHECKOUT = ("000000021", "000000022")


def orders(products: list[dict[str, Any]], customers: list[dict[str, Any]]) -> list[dict]:
    builder = OrderBuilder(products)
    out = []
    for story in stories(customers):
        order = builder.build(story)
        if story.increment_id in CANCELED_BY_EDIT:
            cancel(order, CANCELED_BY_EDIT[story.increment_id])
        out.append(order)
    return out
