"""The amounts Odoo 18 computes for a sale order's lines, before Odoo is asked to create it.

Bridge checks an order's total against Magento's `grand_total` before creating it, so
this module reproduces Odoo 18's arithmetic step by step, in floats and in the same
order, because that is what decides the last cent:

- `account.tax._get_tax_details`: the line's raw base is `price_unit x (1 - discount/100)
  x quantity`; with `round_per_line` the base and each tax are rounded on the line,
  with `round_globally` nothing is rounded yet. A percent tax excluded from the price
  is `base x amount / 100`; included, `base x 1/(1 + amount/100) x amount / 100` and
  the base is what remains; a fixed tax is `quantity x amount`.
- `account.tax._round_base_lines_tax_details`: each line's amounts are rounded, then per
  tax the sum of the raw amounts is rounded and the difference added to the line with
  the largest total (so `round_globally` rounds once per tax, and once for the base).
- `account.tax._get_tax_totals_summary` (as `sale.order._compute_amounts` calls it):
  untaxed = sum of the lines' rounded bases plus the deltas, tax = sum of the taxes,
  total = untaxed + tax; monetary fields store them rounded to the currency.

Only what Bridge puts on a line is modelled: at most one tax per line, a percent tax
(included in the price or not) or a fixed one excluded from the price. Anything else
is refused with a `MappingError` rather than guessed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bridge.mappers.errors import MappingError

RoundingMethod = Literal["round_per_line", "round_globally"]
ROUNDING_METHODS: tuple[RoundingMethod, ...] = ("round_per_line", "round_globally")
CENT = 0.01


def float_round(value: float, precision_rounding: float = CENT) -> float:
    """`odoo.tools.float_utils.float_round`, HALF-UP, as Odoo 18 implements it.

    The value is scaled, nudged by an epsilon of its magnitude (so 2.675, stored as
    2.67499999..., rounds up as a person reads it), rounded half away from zero.
    """
    if value == 0 or precision_rounding == 0:
        return 0.0
    factor = precision_rounding
    if factor < 1:
        inverse = 1 / factor
        normalized = value * inverse
    else:
        normalized = value / factor
    epsilon = 2 ** (math.log2(abs(normalized)) - 50)
    shifted = normalized + math.copysign(epsilon, normalized)
    rounded = round(shifted)
    if round(shifted + 1) - rounded != 1:  # Odoo's own round(): halves away from zero
        rounded = shifted + math.copysign(0.5, shifted)
    rounded = math.copysign(float(rounded), shifted)
    return rounded / inverse if factor < 1 else rounded * factor


@dataclass(frozen=True)
class Tax:
    """What Odoo's computation reads of an `account.tax`."""

    id: int
    amount: float
    amount_type: str = "percent"
    price_include: bool = False


@dataclass(frozen=True)
class BaseLine:
    """One sale order line as Odoo stores it (`price_unit` and `discount` to 2 digits)."""

    price_unit: float
    quantity: float
    tax_ids: tuple[int, ...] = ()
    discount: float = 0.0


@dataclass
class _Details:
    """`base_line['tax_details']` of one line."""

    raw_total_excluded: float
    raw_total_included: float
    #: (tax id, raw tax amount, raw base amount)
    taxes: list[tuple[int, float, float]]
    total_excluded: float = 0.0
    total_included: float = 0.0
    delta_total_excluded: float = 0.0
    #: rounded tax amount per tax id (deltas included after `_round`)
    tax_amounts: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Amounts:
    """`amount_untaxed`, `amount_tax`, `amount_total` as Odoo stores them, and the tax per tax."""

    untaxed: float
    tax: float
    total: float
    by_tax: Mapping[int, float]


def _tax_details(
    line: BaseLine, taxes: Mapping[int, Tax], rounding: RoundingMethod, precision: float
) -> _Details:
    """`account.tax._get_tax_details` for a line with at most one tax."""
    if len(line.tax_ids) > 1:
        raise MappingError("an order line with more than one tax cannot be checked to the cent")
    price = line.price_unit * (1 - (line.discount / 100.0))
    raw_base = line.quantity * price
    if rounding == "round_per_line":
        raw_base = float_round(raw_base, precision)
    if not line.tax_ids:
        return _Details(raw_base, raw_base, [])
    tax = taxes.get(line.tax_ids[0])
    if tax is None:
        raise MappingError(f"Odoo tax {line.tax_ids[0]} is not known")
    if tax.amount_type == "fixed" and not tax.price_include:
        amount = line.quantity * tax.amount
        base = raw_base
    elif tax.amount_type == "percent" and tax.price_include:
        factor = 1 / (1 + tax.amount / 100.0) if tax.amount != -100 else 0.0
        amount = raw_base * factor * tax.amount / 100.0
    elif tax.amount_type == "percent":
        amount = raw_base * tax.amount / 100.0
        base = raw_base
    else:
        raise MappingError(
            f"Odoo tax {tax.id} ({tax.amount_type}, "
            f"{'included in' if tax.price_include else 'excluded from'} the price) "
            "cannot be checked to the cent"
        )
    if rounding == "round_per_line":
        amount = float_round(amount, precision)
    if tax.amount_type == "percent" and tax.price_include:
        base = raw_base - amount
    return _Details(base, base + amount, [(tax.id, amount, base)])


def _round(details: Sequence[_Details], rounding: RoundingMethod, precision: float) -> None:
    """`account.tax._round_base_lines_tax_details` (one currency, rate 1, no refunds)."""
    per_tax: dict[int | None, dict[str, float]] = {}
    members: dict[int | None, list[_Details]] = {}
    base_total = {"raw": 0.0, "rounded": 0.0}
    base_members: list[_Details] = []
    for d in details:
        if rounding == "round_per_line":
            # `_add_tax_details_in_base_line` rounds the company-currency amounts per line.
            d.raw_total_excluded = float_round(d.raw_total_excluded, precision)
            d.raw_total_included = float_round(d.raw_total_included, precision)
        d.total_excluded = float_round(d.raw_total_excluded, precision)
        d.total_included = float_round(d.raw_total_included, precision)
        for index, (tax_id, raw_amount, raw_base) in enumerate(d.taxes):
            d.tax_amounts[tax_id] = float_round(raw_amount, precision)
            sums = per_tax.setdefault(tax_id, {"raw": 0.0, "rounded": 0.0, "base": 0.0})
            sums["raw"] += raw_amount
            sums["rounded"] += d.tax_amounts[tax_id]
            members.setdefault(tax_id, []).append(d)
            if index == 0:
                base_total["raw"] += raw_base
                base_total["rounded"] += float_round(raw_base, precision)
                base_members.append(d)
        if not d.taxes:
            sums = per_tax.setdefault(None, {"raw": 0.0, "rounded": 0.0, "base": 0.0})
            sums["base"] += d.total_excluded
            sums["raw"] += d.raw_total_excluded
            members.setdefault(None, []).append(d)
            base_total["raw"] += d.raw_total_excluded
            base_total["rounded"] += d.total_excluded
            base_members.append(d)
    for tax_id, sums in per_tax.items():
        reference = max(members[tax_id], key=lambda d: d.total_included)
        if tax_id is None:
            # Untaxed lines: their base delta lands on the reference line's base.
            delta = float_round(sums["raw"], precision) - sums["base"]
            if float_round(delta, precision) != 0:
                reference.delta_total_excluded += delta
                base_total["rounded"] += delta
            continue
        reference.tax_amounts[tax_id] += float_round(sums["raw"], precision) - sums["rounded"]
    if base_members:
        reference = max(base_members, key=lambda d: d.total_included)
        delta = float_round(base_total["raw"], precision) - base_total["rounded"]
        if float_round(delta, precision) != 0:
            reference.delta_total_excluded += delta


def amounts(
    lines: Iterable[BaseLine],
    taxes: Mapping[int, Tax],
    rounding: RoundingMethod,
    precision: float = CENT,
) -> Amounts:
    """What `sale.order._compute_amounts` stores for these lines, in a currency whose
    `rounding` is `precision` (0.01 for most; 1.0 for JPY)."""
    if rounding not in ROUNDING_METHODS:
        raise MappingError(f"unknown Odoo tax rounding method {rounding!r}")
    details = [_tax_details(line, taxes, rounding, precision) for line in lines]
    _round(details, rounding, precision)
    untaxed = tax = 0.0
    by_tax: dict[int, float] = {}
    for d in details:
        untaxed += d.total_excluded + d.delta_total_excluded
        for tax_id, amount in d.tax_amounts.items():
            tax += amount
            by_tax[tax_id] = by_tax.get(tax_id, 0.0) + amount
    untaxed, tax_total = float_round(untaxed, precision), float_round(tax, precision)
    return Amounts(
        untaxed=untaxed,
        tax=tax_total,
        total=float_round(untaxed + tax_total, precision),
        by_tax={k: float_round(v, precision) for k, v in by_tax.items()},
    )
