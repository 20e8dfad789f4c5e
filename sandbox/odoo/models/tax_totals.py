"""Odoo 18's tax arithmetic (addons/account/models/account_tax.py), for sale orders and invoices.

The sandbox computes a document's amounts the way Odoo 18 does, in floats and in the
same order, because the last cent depends on it. The steps, named after their Odoo
methods:

- `account.tax._get_tax_details` (`tax_details`): a line's raw base is `quantity x
  price_unit x (1 - discount/100)`. With the company's `round_per_line` the base and
  each tax are rounded on the line; with `round_globally` nothing is rounded yet.
  Fixed taxes first (quantity x amount), then price-included taxes in reverse order
  (a percent batch takes `base x 1/(1 + sum of the batch) x amount/100` out of the
  price), then price-excluded ones (`base x amount/100`). The base left is the price
  minus the included taxes.
- `_round_base_lines_tax_details` (`round_details`): every line's amounts are rounded;
  per tax, the rounded sum of the raw amounts replaces the sum of the rounded ones on
  the line with the largest total; the same for the untaxed base.
- `_get_tax_totals_summary` (`totals_summary`): untaxed = the lines' bases plus their
  deltas, tax = the sum of the taxes, total = both; `sale.order._compute_amounts` and an
  invoice's `amount_*` read these (stored rounded to the currency).

`account.tax.price_include` is computed in Odoo 18: the tax's `price_include_override`
or else its company's `account_price_include` (writing `price_include` is ignored).
Not modelled: taxes that affect the base of subsequent taxes, groups of taxes, other
currencies' rates (amounts are in the document's currency), cash rounding.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sandbox.odoo.registry import Env


def float_round(value: float, precision_rounding: float = 0.01) -> float:
    """odoo.tools.float_utils.float_round, HALF-UP (odoo/tools/float_utils.py)."""
    if value == 0 or precision_rounding == 0:
        return 0.0
    factor = precision_rounding
    if factor < 1:
        coefficient, exponent = f"{factor:.15e}".split("e")  # float_invert
        factor = float(f"{coefficient}e{-int(exponent)}") / float(coefficient) ** 2
        normalized = value * factor
    else:
        normalized = value / factor
    epsilon = 2 ** (math.log2(abs(normalized)) - 50)
    shifted = normalized + math.copysign(epsilon, normalized)
    rounded = builtins.round(shifted)
    if builtins.round(shifted + 1) - rounded != 1:  # Odoo's round(): ties away from zero
        result = shifted + math.copysign(0.5, shifted)
    else:
        result = math.copysign(rounded, shifted)
    return result / factor if precision_rounding < 1 else result * factor


def price_include(env: Env, tax: dict[str, Any]) -> bool:
    """account.tax._compute_price_include."""
    override = tax.get("price_include_override")
    if override:
        return override == "tax_included"
    company = env.table("res.company").get(tax.get("company_id") or 1) or {}
    return company.get("account_price_include") == "tax_included"


def rounding_method(env: Env, company_id: int | None = None) -> str:
    company = env.table("res.company").get(company_id or 1) or {}
    return company.get("tax_calculation_rounding_method") or "round_per_line"


@dataclass
class TaxData:
    tax_id: int
    raw_tax: float
    raw_base: float
    tax: float = 0.0


@dataclass
class Details:
    """`base_line['tax_details']`: raw amounts, then rounded ones and the line's deltas."""

    raw_total_excluded: float
    raw_total_included: float
    taxes: list[TaxData]
    total_excluded: float = 0.0
    total_included: float = 0.0
    delta_total_excluded: float = 0.0


@dataclass
class Line:
    """A base line: what the computation reads of a sale order or invoice line."""

    price_unit: float
    quantity: float
    discount: float = 0.0
    tax_ids: list[int] = field(default_factory=list)


def _sorted_taxes(env: Env, tax_ids: Iterable[int]) -> list[dict[str, Any]]:
    taxes = env.table("account.tax")
    return sorted((taxes[t] for t in tax_ids if t in taxes), key=lambda t: (t["sequence"], t["id"]))


def _batches(env: Env, taxes: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """_batch_for_taxes_computation: neighbours of one amount type and inclusion batch up."""
    out: dict[int, list[dict[str, Any]]] = {}
    batch: list[dict[str, Any]] = []
    for tax in reversed(taxes):
        if batch and (
            tax["amount_type"] != batch[0]["amount_type"]
            or price_include(env, tax) != price_include(env, batch[0])
        ):
            for member in batch:
                out[member["id"]] = batch
            batch = []
        batch = [tax, *batch]
    for member in batch:
        out[member["id"]] = batch
    return out


def tax_details(env: Env, line: Line, rounding: str, precision: float) -> Details:
    """account.tax._get_tax_details for one line (no special mode, no manual amounts).

    A price-included tax lowers the base of the taxes before it in the sequence (and of
    the price-included ones after it): `_propagate_extra_taxes_base`, without the
    "affect base of subsequent taxes" cases.
    """
    taxes = _sorted_taxes(env, line.tax_ids)
    batches = _batches(env, taxes)
    raw_base = line.quantity * (line.price_unit * (1 - (line.discount / 100.0)))
    if rounding == "round_per_line":
        raw_base = float_round(raw_base, precision)
    included = {t["id"]: price_include(env, t) for t in taxes}
    amounts: dict[int, float] = {}
    extra_for_tax = dict.fromkeys(included, 0.0)
    extra_for_base = dict.fromkeys(included, 0.0)

    def before(tax: dict[str, Any]) -> Iterable[dict[str, Any]]:
        for other in taxes:
            if other in batches[tax["id"]]:
                return
            yield other

    def after(tax: dict[str, Any]) -> Iterable[dict[str, Any]]:
        for other in reversed(taxes):
            if other in batches[tax["id"]]:
                return
            yield other

    def propagate(tax: dict[str, Any]) -> None:
        if not included[tax["id"]]:
            return
        others = [o for o in after(tax) if included[o["id"]]] + list(before(tax))
        for other in others:
            if other["id"] not in amounts:
                extra_for_tax[other["id"]] -= amounts[tax["id"]]
            extra_for_base[other["id"]] -= amounts[tax["id"]]

    def put(tax: dict[str, Any], amount: float | None) -> None:
        if amount is None:
            return
        amounts[tax["id"]] = (
            float_round(amount, precision) if rounding == "round_per_line" else amount
        )
        propagate(tax)

    for tax in reversed(taxes):
        if tax["id"] not in amounts and tax["amount_type"] == "fixed":
            put(tax, line.quantity * tax["amount"])
    for tax in reversed(taxes):
        if tax["id"] in amounts or not included[tax["id"]]:
            continue
        base = raw_base + extra_for_tax[tax["id"]]
        if tax["amount_type"] == "percent":
            total = sum(t["amount"] for t in batches[tax["id"]]) / 100.0
            factor = 1 / (1 + total) if total != -1 else 0.0
            put(tax, base * factor * tax["amount"] / 100.0)
        elif tax["amount_type"] == "division":
            put(tax, base * tax["amount"] / 100.0)
    for tax in taxes:
        if tax["id"] in amounts or included[tax["id"]]:
            continue
        base = raw_base + extra_for_tax[tax["id"]]
        if tax["amount_type"] == "percent":
            put(tax, base * tax["amount"] / 100.0)
        elif tax["amount_type"] == "division":
            total = sum(t["amount"] for t in batches[tax["id"]]) / 100.0
            put(tax, base * tax["amount"] / 100.0 / (1.0 if total == 1.0 else 1 - total))
    data = []
    for tax in taxes:
        if tax["id"] not in amounts:
            continue
        base = raw_base + extra_for_base[tax["id"]]
        if included[tax["id"]]:
            base -= sum(amounts.get(t["id"], 0.0) for t in batches[tax["id"]])
        data.append(TaxData(tax["id"], amounts[tax["id"]], base))
    if data:
        excluded = data[0].raw_base
        return Details(excluded, excluded + sum(d.raw_tax for d in data), data)
    return Details(raw_base, raw_base, [])


def add_tax_details(env: Env, line: Line, rounding: str, precision: float) -> Details:
    """_add_tax_details_in_base_line (rate 1: the document's currency is the amounts')."""
    details = tax_details(env, line, rounding, precision)
    if rounding == "round_per_line":
        details.raw_total_excluded = float_round(details.raw_total_excluded, precision)
        details.raw_total_included = float_round(details.raw_total_included, precision)
    return details


def round_details(all_details: list[Details], precision: float) -> None:
    """_round_base_lines_tax_details: round each line, then spread each total's delta."""
    per_tax: dict[int | None, dict[str, float]] = {}
    members: dict[int | None, list[Details]] = {}
    base = {"raw": 0.0, "rounded": 0.0}
    base_members: list[Details] = []
    for d in all_details:
        d.total_excluded = float_round(d.raw_total_excluded, precision)
        d.total_included = float_round(d.raw_total_included, precision)
        for index, data in enumerate(d.taxes):
            data.tax = float_round(data.raw_tax, precision)
            sums = per_tax.setdefault(data.tax_id, {"raw": 0.0, "rounded": 0.0, "base": 0.0})
            sums["rounded"] += data.tax
            sums["raw"] += data.raw_tax
            members.setdefault(data.tax_id, []).append(d)
            if index == 0:
                base["rounded"] += float_round(data.raw_base, precision)
                base["raw"] += data.raw_base
                base_members.append(d)
        if not d.taxes:
            sums = per_tax.setdefault(None, {"raw": 0.0, "rounded": 0.0, "base": 0.0})
            sums["base"] += d.total_excluded
            sums["raw"] += d.raw_total_excluded
            members.setdefault(None, []).append(d)
            base["rounded"] += d.total_excluded
            base["raw"] += d.raw_total_excluded
            base_members.append(d)
    for tax_id, sums in per_tax.items():
        reference = max(members[tax_id], key=lambda d: d.total_included)
        if tax_id is None:
            delta = float_round(sums["raw"], precision) - sums["base"]
            if float_round(delta, precision):
                reference.delta_total_excluded += delta
                base["rounded"] += delta
            continue
        data = next(x for x in reference.taxes if x.tax_id == tax_id)
        data.tax += float_round(sums["raw"], precision) - sums["rounded"]
    if base_members:
        reference = max(base_members, key=lambda d: d.total_included)
        delta = float_round(base["raw"], precision) - base["rounded"]
        if float_round(delta, precision):
            reference.delta_total_excluded += delta


@dataclass(frozen=True)
class Totals:
    untaxed: float
    tax: float
    total: float


def currency_rounding(env: Env, currency_id: int | None) -> float:
    """The document currency's `rounding` (0.01 for USD and EUR): every amount's precision."""
    currency = env.table("res.currency").get(currency_id or 0) or {}
    return currency.get("rounding") or 0.01


def totals_summary(
    env: Env, lines: list[Line], company_id: int | None = None, currency_id: int | None = None
) -> Totals:
    """_get_tax_totals_summary's base, tax and total amounts (stored rounded)."""
    rounding = rounding_method(env, company_id)
    precision = currency_rounding(env, currency_id)
    details = [add_tax_details(env, line, rounding, precision) for line in lines]
    round_details(details, precision)
    untaxed = tax = 0.0
    for d in details:
        untaxed += d.total_excluded + d.delta_total_excluded
        for data in d.taxes:
            tax += data.tax
    untaxed, tax = float_round(untaxed, precision), float_round(tax, precision)
    return Totals(untaxed, tax, float_round(untaxed + tax, precision))


def line_amounts(
    env: Env, line: Line, company_id: int | None = None, currency_id: int | None = None
) -> tuple[float, float]:
    """(price_subtotal, price_total) of one line: its raw totals, stored rounded
    (sale.order.line._compute_amount, account.move.line._compute_totals)."""
    precision = currency_rounding(env, currency_id)
    details = add_tax_details(env, line, rounding_method(env, company_id), precision)
    return (
        float_round(details.raw_total_excluded, precision),
        float_round(details.raw_total_included, precision),
    )
