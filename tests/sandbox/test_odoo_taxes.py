"""Odoo 18's tax arithmetic in the sandbox (sandbox/odoo/models/tax_totals.py), over HTTP.

Each case names the Odoo 18 method (addons/account/models/account_tax.py, sale and
account.move callers) whose behaviour it pins, with figures from its docstrings or
measured on a real Odoo 18.0 (db odoo18_cents, 2026-12). With BRIDGE_TEST_ODOO_* set,
every case also runs against that real Odoo, and a randomised comparison sets the
sandbox, the real Odoo and Bridge's own predictor (bridge/mappers/odoo_amounts.py) side
by side on the same orders under both rounding methods.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from bridge.clients.errors import ValidationError
from bridge.clients.odoo import OdooClient
from bridge.mappers.odoo_amounts import BaseLine, Tax, amounts
from sandbox.odoo import OdooSandbox
from tests.odoo_fixtures import REAL_SKIP_REASON, real_target, sandbox_target, unique

TARGETS = ["sandbox"] + ([pytest.param("real", marks=pytest.mark.real_odoo)] if real_target()
                         else [])  # fmt: skip


@pytest.fixture(params=TARGETS)
def odoo(request: pytest.FixtureRequest) -> Iterator[OdooClient]:
    if request.param == "real":
        real = real_target()
        assert real is not None, REAL_SKIP_REASON
        client = real.client(timeout=60)
        yield client
        client.write("res.company", [1], {"tax_calculation_rounding_method": "round_per_line"})
        return
    with OdooSandbox() as sandbox:
        yield sandbox_target(sandbox, "jsonrpc").client()


def rounding(odoo: OdooClient, method: str) -> None:
    odoo.write("res.company", [1], {"tax_calculation_rounding_method": method})


def tax(odoo: OdooClient, amount: float, *, kind: str = "percent", included: bool = False) -> int:
    values: dict[str, Any] = {"name": unique(f"tax {amount:g}"), "amount": amount,
                              "amount_type": kind, "type_tax_use": "sale"}  # fmt: skip
    if included:
        values["price_include_override"] = "tax_included"
    return odoo.create("account.tax", [values])[0]


@pytest.fixture
def shop(odoo: OdooClient) -> dict[str, int]:
    [product] = odoo.create("product.product", [{"name": unique("probe"), "type": "service",
                                                 "taxes_id": [(6, 0, [])]}])  # fmt: skip
    [partner] = odoo.create("res.partner", [{"name": unique("probe customer")}])
    return {"product": product, "partner": partner}


def order(
    odoo: OdooClient, shop: dict[str, int], lines: list[tuple[float, float, int | None]],
    discount: float = 0.0,
) -> dict[str, Any]:  # fmt: skip
    """A sale order of (price_unit, qty, tax id) lines; its stored amounts."""
    [so] = odoo.create("sale.order", [{
        "partner_id": shop["partner"],
        "order_line": [(0, 0, {"product_id": shop["product"], "price_unit": price,
                               "product_uom_qty": qty, "discount": discount,
                               "tax_id": [(6, 0, [t] if t else [])]})
                       for price, qty, t in lines],
    }])  # fmt: skip
    return odoo.read("sale.order", [so], ["amount_untaxed", "amount_tax", "amount_total"])[0]


def totals(row: dict[str, Any]) -> tuple[float, float, float]:
    return row["amount_untaxed"], row["amount_tax"], row["amount_total"]


def test_round_per_line_rounds_each_lines_tax_round_globally_each_taxs_sum(odoo, shop):
    """_get_tax_details rounds per line; _round_base_lines_tax_details rounds per tax:
    69.00 and 49.00 at 8.25 % are 5.69 + 4.04 per line, round(9.735) = 9.74 globally."""
    t = tax(odoo, 8.25)
    rounding(odoo, "round_per_line")
    assert totals(order(odoo, shop, [(69, 1, t), (49, 1, t)])) == (118.0, 9.73, 127.73)
    rounding(odoo, "round_globally")
    assert totals(order(odoo, shop, [(69, 1, t), (49, 1, t)])) == (118.0, 9.74, 127.74)


def test_round_globally_spreads_base_and_tax_deltas(odoo, shop):
    """_round_base_lines_tax_details' own examples: 12.12 x 12.12 at 23 % twice (tax
    67.57 globally; per line the base is rounded first, 146.89 x 23 % = 33.78 each), and
    21.53 at 21 % included twice (untaxed 35.59, tax 7.47, total 43.06)."""
    t23, t21 = tax(odoo, 23), tax(odoo, 21, included=True)
    rounding(odoo, "round_per_line")
    assert totals(order(odoo, shop, [(12.12, 12.12, t23)] * 2)) == (293.78, 67.56, 361.34)
    assert totals(order(odoo, shop, [(21.53, 1, t21)] * 2)) == (35.58, 7.48, 43.06)
    rounding(odoo, "round_globally")
    assert totals(order(odoo, shop, [(12.12, 12.12, t23)] * 2)) == (293.79, 67.57, 361.36)
    assert totals(order(odoo, shop, [(21.53, 1, t21)] * 2)) == (35.59, 7.47, 43.06)


def test_a_price_included_tax_comes_out_of_the_price(odoo, shop):
    """_eval_tax_amount_price_included: 3 x 9.99 and 4.99 including 21 % VAT total what the
    customer paid, 34.96, under both methods (the tax-included catalog of issue 11)."""
    t21 = tax(odoo, 21, included=True)
    for method in ("round_per_line", "round_globally"):
        rounding(odoo, method)
        assert totals(order(odoo, shop, [(9.99, 3, t21), (4.99, 1, t21)])) == (
            28.89, 6.07, 34.96), method  # fmt: skip


def test_round_per_line_rounds_the_base_before_the_tax(odoo, shop):
    """_get_tax_details: with round_per_line the raw base is rounded first: 10.01 at 50 %
    off is 5.005 -> 5.01, and a 50 % tax of 5.01 is 2.505 -> 2.51 (not 2.50)."""
    t50 = tax(odoo, 50)
    rounding(odoo, "round_per_line")
    assert totals(order(odoo, shop, [(10.01, 1, t50)], discount=50)) == (5.01, 2.51, 7.52)


def test_a_fixed_tax_counts_per_unit_on_no_base(odoo, shop):
    """_eval_tax_amount_fixed_amount: quantity x amount, whatever the price: Bridge's
    rounding lines (n units of +/-0.01, at price 0 or -0.01)."""
    plus, minus = tax(odoo, 0.01, kind="fixed"), tax(odoo, -0.01, kind="fixed")
    for method in ("round_per_line", "round_globally"):
        rounding(odoo, method)
        assert totals(order(odoo, shop, [(0, 3, plus)])) == (0.0, 0.03, 0.03)
        assert totals(order(odoo, shop, [(-0.01, 2, plus), (0.01, 1, minus)])) == (
            -0.01, 0.01, 0.0)  # fmt: skip


def test_price_include_is_computed_from_the_override_and_the_company(odoo, shop):
    """account.tax._compute_price_include: price_include_override, else the company's
    account_price_include; a price_include written on create is ignored."""
    written_values = {"name": unique("written"), "amount": 21, "type_tax_use": "sale",
                      "price_include": True}  # fmt: skip
    [written] = odoo.create("account.tax", [written_values])
    included = tax(odoo, 21, included=True)
    rows = {r["id"]: r for r in odoo.read("account.tax", [written, included],
                                          ["price_include", "price_include_override"])}  # fmt: skip
    assert (rows[written]["price_include"], rows[written]["price_include_override"]) == (
        False, False)  # fmt: skip
    assert rows[included]["price_include"] is True
    found = odoo.search("account.tax", [("id", "in", [written, included]),
                                        ("price_include", "=", True)])  # fmt: skip
    assert found == [included]


def invoice(odoo: OdooClient, shop: dict[str, int], lines: list[Any]) -> dict[str, Any]:
    """Confirm an order of `lines`, invoice it with the wizard; the invoice's amounts."""
    so = order(odoo, shop, lines)["id"]
    odoo.call("sale.order", "action_confirm", [so])
    [wizard] = odoo.create("sale.advance.payment.inv", [{"sale_order_ids": [(6, 0, [so])]}])
    odoo.call("sale.advance.payment.inv", "create_invoices", [wizard])
    [inv] = odoo.read("sale.order", [so], ["invoice_ids"])[0]["invoice_ids"]
    return odoo.read("account.move", [inv], ["amount_untaxed", "amount_tax", "amount_total"])[0]


def test_the_invoice_has_the_orders_amounts(odoo, shop):
    """account.move amounts are the tax totals summary too (base lines + deltas, one tax
    line per tax): an invoiced order keeps its totals under both methods."""
    t = tax(odoo, 8.25)
    lines = [(15.58, 1, t), (36.43, 1, t), (46.98, 1, t), (47.49, 1, t)]
    rounding(odoo, "round_per_line")
    assert totals(invoice(odoo, shop, lines)) == (146.48, 12.10, 158.58)
    rounding(odoo, "round_globally")
    assert totals(invoice(odoo, shop, lines)) == (146.48, 12.08, 158.56)


def test_the_company_default_cannot_change_once_invoicing_started(odoo, shop):
    """res.company._check_set_account_price_include."""
    invoice(odoo, shop, [(10, 1, tax(odoo, 8.25))])
    with pytest.raises(ValidationError, match="Cannot change Price Tax computation method"):
        odoo.write("res.company", [1], {"account_price_include": "tax_included"})


def test_the_sandbox_the_real_odoo_and_bridges_prediction_agree(shop, odoo):
    """Random orders (percent taxes in and out of the price, fixed taxes, untaxed lines,
    discounts, quantities) under both methods: every stored amount is predicted."""
    ids = {tax(odoo, 8.25): Tax(0, 8.25), tax(odoo, 21, included=True): Tax(0, 21, "percent", True),
           tax(odoo, 7): Tax(0, 7), tax(odoo, 0.01, kind="fixed"): Tax(0, 0.01, "fixed"),
           tax(odoo, 19, included=True): Tax(0, 19, "percent", True)}  # fmt: skip
    known = {tid: Tax(tid, t.amount, t.amount_type, t.price_include) for tid, t in ids.items()}
    rng = random.Random(11)
    for method in ("round_per_line", "round_globally"):
        rounding(odoo, method)
        orders = []
        for _ in range(25):
            lines = []
            for _ in range(rng.choice([1, 2, 4, 9, 30])):
                tid = rng.choice([*ids, None])
                fixed = tid is not None and known[tid].amount_type == "fixed"
                price = rng.choice([0, -0.01]) if fixed else round(rng.uniform(-20, 150), 2)
                qty, discount = rng.choice([1, 1, 2, 3, 7]), rng.choice([0, 0, 10, 13.33])
                lines.append(BaseLine(price, qty, (tid,) if tid else (), discount))
            orders.append(lines)
        created = odoo.create("sale.order", [{
            "partner_id": shop["partner"],
            "order_line": [(0, 0, {"product_id": shop["product"], "price_unit": ln.price_unit,
                                   "product_uom_qty": ln.quantity, "discount": ln.discount,
                                   "tax_id": [(6, 0, list(ln.tax_ids))]}) for ln in lines],
        } for lines in orders])  # fmt: skip
        rows = odoo.read("sale.order", created, ["amount_untaxed", "amount_tax", "amount_total"])
        for lines, row in zip(orders, rows, strict=True):
            predicted = amounts(lines, known, method)
            assert totals(row) == (predicted.untaxed, predicted.tax, predicted.total), lines


def test_amounts_round_to_the_documents_currency(odoo, shop):
    """Every rounding uses the document currency's `rounding` (base_line['currency_id']):
    in a currency rounded to 0.05, 2 x 9.99 at 8.25 % is 20.00 + 1.65 per line."""
    t = tax(odoo, 8.25)
    # CHF: no accounting entry ever uses it here (Odoo then refuses a rounding change).
    chf = odoo.search("res.currency", [("name", "=", "CHF")], context={"active_test": False})
    if not chf:
        chf = odoo.create("res.currency", [{"name": "CHF", "symbol": "CHF"}])
    [currency] = chf
    odoo.write("res.currency", [currency], {"active": True, "rounding": 0.05})
    try:
        [pricelist] = odoo.create("product.pricelist", [{"name": unique("chf"),
                                                         "currency_id": currency}])  # fmt: skip
        rounding(odoo, "round_per_line")
        [so] = odoo.create("sale.order", [{
            "partner_id": shop["partner"], "pricelist_id": pricelist,
            "order_line": [(0, 0, {"product_id": shop["product"], "price_unit": 9.99,
                                   "product_uom_qty": 2, "tax_id": [(6, 0, [t])]})],
        }])  # fmt: skip
        row = odoo.read("sale.order", [so], ["amount_untaxed", "amount_tax", "amount_total"])[0]
        predicted = amounts([BaseLine(9.99, 2, (t,))], {t: Tax(t, 8.25)}, "round_per_line", 0.05)
        assert totals(row) == (20.0, 1.65, 21.65) == (
            predicted.untaxed, predicted.tax, predicted.total)  # fmt: skip
    finally:
        odoo.write("res.currency", [currency], {"rounding": 0.01, "active": False})
