"""Magento's totals in Odoo, pure (bridge/mappers/order.py, bridge/mappers/odoo_amounts.py),
on the money orders built by Magento's rules (`sandbox.magento.seed.luma.orders.cents_orders`)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bridge.mappers import order as m
from bridge.mappers.errors import MappingError
from bridge.mappers.odoo_amounts import BaseLine, Tax, amounts, float_round
from sandbox.magento.seed.luma import catalog, customers, orders

EXCLUDED = {8.25: Tax(7, 8.25), 21.0: Tax(8, 21.0)}
INCLUDED = {21.0: Tax(9, 21.0, "percent", True)}
WHERE = m.Adjustment(product_id=50, plus_tax_id=51, minus_tax_id=52)
ROUNDING_TAXES = {51: Tax(51, 0.01, "fixed"), 52: Tax(52, -0.01, "fixed")}


def cents(ref: str) -> dict[str, Any]:
    built = orders.cents_orders(catalog.products(), customers.customers())
    return next(o for o in built if o["increment_id"] == ref)


def refs(o: m.Order, taxes: dict[float, Tax]) -> m.OdooRefs:
    chosen = m.choose_taxes(o, {r: [t] for r, t in taxes.items()}, company_includes_tax=False)
    return m.OdooRefs(1, 2, 3, {ln.sku: 100 for ln in o.lines}, chosen, carrier_id=5,
                      carrier_product_id=6, discount_product_id=9,
                      taxes={**{t.id: t for t in taxes.values()}, **ROUNDING_TAXES})  # fmt: skip


def check(ref: str, method: str, taxes: dict[float, Tax] = EXCLUDED) -> tuple[Any, ...]:
    o = m.order(cents(ref))
    r = refs(o, taxes)
    values = m.sale_order_values(o, r)
    return o, r, values, m.check_totals(o, values, r, method)


@pytest.mark.parametrize(
    ("ref", "grand_total", "tax", "per_line_tax"),
    [
        ("000000103", 132.74, 9.74, 9.73),  # 5.69 + 4.05 (carried) vs 5.69 + 4.04
        ("000000104", 163.56, 12.08, 12.10),  # the 163.56, Odoo per line 163.58
        ("000000105", 20708.83, 1577.89, 1577.86),  # 150 lines
        ("000000106", 134.78, 10.27, 10.29),  # 15 % coupon, free shipping
    ],
)
def test_per_line_rounding_gaps_close_with_rounding_lines_and_global_rounding_agrees(
    ref: str, grand_total: float, tax: float, per_line_tax: float
) -> None:
    o, r, values, per_line = check(ref, "round_per_line")
    assert (o.grand_total, o.tax_amount) == (grand_total, tax)
    assert per_line.odoo.tax == per_line_tax and per_line.adjustable
    adjusted = m.adjust(values, per_line, WHERE)
    again = m.check_totals(o, adjusted, r, "round_per_line")
    assert again.exact and (again.odoo.total, again.odoo.tax) == (grand_total, tax)
    [extra] = [ln for _, _, ln in adjusted["order_line"][len(values["order_line"]) :]]
    assert extra["product_uom_qty"] == round(abs(tax - per_line_tax) * 100)
    assert extra["tax_id"] == [(6, 0, [51 if tax > per_line_tax else 52])]
    assert m.check_totals(o, values, r, "round_globally").exact


def test_the_tax_included_store_is_exact_on_price_included_taxes() -> None:
    o, _, values, result = check("000000101", "round_per_line", INCLUDED)
    assert o.prices_include_tax is True
    assert sorted(ln["price_unit"] for _, _, ln in values["order_line"]) == [4.99, 9.99]
    assert result.exact and (result.odoo.total, result.odoo.tax) == (34.96, 6.07)


def test_a_tax_included_store_on_excluded_taxes_is_closed_by_an_untaxed_rounding_line() -> None:
    """3 x 8.26 excluding tax is 24.78, Magento's row total is 24.77 (what its tax left)."""
    o, r, values, result = check("000000101", "round_per_line", EXCLUDED)
    assert (result.tax_gap, result.untaxed_gap) == (0.0, -0.01)
    assert result.adjustable
    adjusted = m.adjust(values, result, WHERE)
    assert m.check_totals(o, adjusted, r, "round_per_line").exact
    assert adjusted["order_line"][-1][2]["tax_id"] == [(6, 0, [])]


def test_choose_taxes_prefers_the_stores_kind_then_the_companys() -> None:
    both = {21.0: [Tax(8, 21.0), Tax(9, 21.0, "percent", True)]}
    included = m.order(cents("000000101"))
    unknown = m.order(cents("000000102"))  # quantities that read the same either way
    assert included.prices_include_tax is True and unknown.prices_include_tax is None
    assert m.choose_taxes(included, both, company_includes_tax=False) == {21.0: 9}
    assert m.choose_taxes(unknown, both, company_includes_tax=False) == {21.0: 8}
    assert m.choose_taxes(unknown, both, company_includes_tax=True) == {21.0: 9}
    only_excluded = {21.0: [Tax(8, 21.0)]}
    assert m.choose_taxes(included, only_excluded, company_includes_tax=True) == {21.0: 8}
    assert m.order(cents("000000105")).prices_include_tax is False


def test_a_gap_rounding_cannot_explain_is_refused_naming_both_totals() -> None:
    payload = copy.deepcopy(cents("000000104"))
    payload["grand_total"] = 164.06  # 0.50 more: a fee Bridge does not see
    o = m.order(payload)
    r = refs(o, EXCLUDED)
    result = m.check_totals(o, m.sale_order_values(o, r), r, "round_per_line")
    assert not result.adjustable
    reason = m.totals_refusal(o, result)
    assert "Odoo would total 163.58 (tax 12.10)" in reason
    assert "grand_total is 164.06 (tax 12.08)" in reason


def test_content_fingerprint_follows_items_and_totals_not_addresses() -> None:
    payload = cents("000000104")
    moved = copy.deepcopy(payload)
    moved["billing_address"]["street"] = ["1 Other Road"]
    more = copy.deepcopy(payload)
    more["items"][0]["qty_ordered"] = 2
    fp = m.content_fingerprint(m.order(payload))
    assert m.content_fingerprint(m.order(moved)) == fp
    assert m.content_fingerprint(m.order(more)) != fp


def test_float_round_is_odoos() -> None:
    """odoo.tools.float_utils.float_round: the epsilon makes 2.675 (2.67499999...) 2.68."""
    assert float_round(2.675) == 2.68
    assert float_round(-0.005) == -0.01
    assert float_round(1.005) == 1.01
    assert float_round(0.0) == 0.0
    assert float_round(12.345, 0.05) == 12.35


def test_more_than_one_tax_on_a_line_is_refused_not_guessed() -> None:
    with pytest.raises(MappingError, match="more than one tax"):
        amounts([BaseLine(10, 1, (1, 2))], {1: Tax(1, 8.25), 2: Tax(2, 5)}, "round_per_line")
