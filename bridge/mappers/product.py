"""Products: both sides map to one neutral shape, `ProductValues`, and from it to the other.

What becomes what (Magento -> neutral shape -> Odoo):

- simple / virtual        -> kind "simple"       -> a storable product.template (one variant)
- configurable + children -> kind "configurable" -> one template with attribute lines; each
                                                    child is a product.product
- configurable option     -> attributes          -> product.attribute + values, by name
- bundle + its options    -> kind "bundle"       -> a combo product: one product.combo per
                                                    bundle option, holding its selections
- sku, name, price, status -> sku, name, price, active -> default_code, name, list_price, sale_ok
- cost, description, short_description (custom attributes), weight
                          -> the same names      -> standard_price, description,
                                                    description_sale, weight

Both directions fingerprint `ProductValues` (see `product_fingerprint`), so a value Bridge
wrote on one side reads back as the same fingerprint from the other, and is not echoed.

What an update of a Magento product leaves as Magento has it (`left_out`): a field Odoo
leaves empty (weight or cost 0, no description or sales description: Odoo has no "unset",
and a blank is worth less than Magento's value), and the description unless it is an edit
made in Odoo: Odoo sanitises html (`bridge.mappers.odoo_html`), so what it holds of a
Magento description is only its rewrite, without Page Builder's markup, styles and
scripts, and must never go back. The description is sent only when it changed in Odoo
since the last sync and is not the same content as Magento's current one.
A Magento attribute code is the Odoo attribute name in lower case with `_` for anything
else ("Shoe Size" <-> `shoe_size`); values match by label.

A multi-variant Odoo template has no Internal Reference of its own (Odoo 18 computes it
only for single-variant templates), so a configurable's SKU is its binding's, else the
common prefix of its variants' SKUs ("MH01-XS-Black", "MH01-S-Gray" -> "MH01").
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Literal, TypedDict

from bridge.mappers import odoo_html
from bridge.mappers.errors import MappingError
from bridge.mappers.fingerprint import fingerprint

Kind = Literal["simple", "configurable", "bundle"]
KINDS_OF_TYPE: dict[str, Kind] = {
    "simple": "simple",
    "virtual": "simple",
    "configurable": "configurable",
    "bundle": "bundle",
}
ENABLED, DISABLED = 1, 2
VISIBLE, NOT_VISIBLE = 4, 1
SKU_SEPARATORS = "-_ /."  # catalog & search / not visible individually
#: The fields an Odoo product read needs, per model.
TEMPLATE_FIELDS = [
    "name", "default_code", "list_price", "standard_price", "weight", "description",
    "description_sale", "sale_ok", "active", "type", "attribute_line_ids", "combo_ids",
    "categ_id", "product_variant_ids", "write_date",
]  # fmt: skip
VARIANT_FIELDS = [
    "product_tmpl_id", "default_code", "lst_price", "weight", "active",
    "product_template_attribute_value_ids",
]  # fmt: skip
PTAV_FIELDS = ["attribute_id", "product_attribute_value_id", "name", "price_extra"]


class Variant(TypedDict):
    sku: str
    price: float
    options: dict[str, str]  # attribute code -> value label


class Attribute(TypedDict):
    code: str
    label: str
    values: list[str]  # labels, in Magento's or Odoo's order


class Component(TypedDict):
    option: str  # the bundle option's title
    skus: list[str]
    qty: float


class ProductValues(TypedDict):
    sku: str
    kind: Kind
    name: str
    price: float
    cost: float
    weight: float
    description: str
    short_description: str
    active: bool
    attributes: list[Attribute]
    variants: list[Variant]
    components: list[Component]


def product_fingerprint(values: ProductValues) -> str:
    """The fingerprint of what matters, not of the order each side lists it in.

    Attributes count by their label: Odoo knows an attribute only by its name (the Magento
    label), so Magento's `size_general` labelled "Size" reads back from Odoo as `size`.
    """
    code = {a["code"]: attribute_code(a["label"]) for a in values["attributes"]}
    attributes = sorted(
        (
            {**a, "code": code[a["code"]], "values": sorted(a["values"])}
            for a in values["attributes"]
        ),
        key=lambda a: a["code"],
    )
    variants = sorted(
        (
            {**v, "options": {code.get(c, c): label for c, label in v["options"].items()}}
            for v in values["variants"]
        ),
        key=lambda v: v["sku"],
    )
    return fingerprint({**values, "attributes": attributes, "variants": variants})


def attribute_code(name: str) -> str:
    """The Magento attribute code an Odoo attribute name stands for."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _money(value: Any) -> float:
    return round(float(value or 0), 4)


def as_odoo_holds(values: ProductValues, description: Any) -> ProductValues:
    """`values` with the description Odoo stored from them, as read back: Odoo sanitises
    html fields on write, so what it holds is read, not assumed."""
    return {**values, "description": _text(description)}


def description_fingerprint(description: str) -> str:
    """Of a description as Odoo holds it: kept per product to tell an edit made in Odoo."""
    return fingerprint({"description": description})


# -- what an export leaves as Magento has it ----------------------------------------------------

#: Fields Odoo holds as 0 or False when nobody filled them in, and what Magento then has.
BLANKS: dict[str, Any] = {"weight": 0.0, "cost": 0.0, "description": "", "short_description": ""}


class Held(TypedDict):
    """Magento's current values of the fields an export may leave alone."""

    weight: float
    cost: float
    description: str
    short_description: str


def held_in_magento(product: Mapping[str, Any]) -> Held:
    """Those fields of a Magento product (`GET products` with weight and custom attributes)."""
    return {
        "weight": _money(product.get("weight")),
        "cost": _money(custom_attribute(product, "cost")),
        "description": _text(custom_attribute(product, "description")),
        "short_description": _text(custom_attribute(product, "short_description")),
    }


def _blank(name: str, value: Any) -> bool:
    if name == "description":
        return odoo_html.is_empty(value)
    if name == "short_description":
        return not str(value).strip()
    return not value


def left_out(values: ProductValues, held: Held | None, edited_in_odoo: bool) -> frozenset[str]:
    """The fields an export must not send: see the module's docstring.

    `held` is Magento's product as it is now (None: Magento has no such product yet, and
    only blanks are left out); `edited_in_odoo` whether Odoo's description differs from the
    one it held at the last sync (True when nothing was recorded).
    """
    out = {name for name in BLANKS if _blank(name, values[name])}  # type: ignore[literal-required]
    if held is not None and "description" not in out:
        rewrite = odoo_html.same_content(held["description"], values["description"])
        if rewrite or not edited_in_odoo:
            out.add("description")
    return frozenset(out)


def as_magento_holds(
    values: ProductValues, held: Held | None, leave: Iterable[str]
) -> ProductValues:
    """The values to bind as Magento's once `values` are sent without the fields in `leave`.

    A field left out keeps Magento's value where it agrees with Odoo's (a description Odoo
    only rewrote, a blank on both sides), so the next import sees no change; where Magento
    holds its own (an edit not imported yet, a weight Odoo leaves empty), Odoo's value is
    bound instead, so the next import sees Magento's as the change it is and brings it over.
    """
    kept: Mapping[str, Any] = held if held is not None else BLANKS
    agreed = {name: kept[name] for name in leave if _agree(name, kept[name], values[name])}  # type: ignore[literal-required]
    return {**values, **agreed}  # type: ignore[typeddict-item]


def _agree(name: str, magento: Any, odoo: Any) -> bool:
    if name == "description":
        both_empty = odoo_html.is_empty(magento) and odoo_html.is_empty(odoo)
        return both_empty or odoo_html.same_content(magento, odoo)
    if name == "short_description":
        return str(magento).strip() == str(odoo).strip()
    return bool(magento == odoo)


def _text(value: Any) -> str:
    # Odoo answers False for an empty field; Magento leaves the attribute out.
    return str(value) if value not in (None, False) else ""


def custom_attribute(product: Mapping[str, Any], code: str) -> Any:
    for entry in product.get("custom_attributes") or []:
        if entry.get("attribute_code") == code:
            return entry.get("value")
    return None


def common_sku_prefix(skus: Sequence[str]) -> str:
    """The shared start of variant SKUs, cut back to a separator: "MH01-XS-..." -> "MH01"."""
    if not skus:
        return ""
    prefix = os.path.commonprefix(list(skus))
    if prefix and prefix[-1] not in SKU_SEPARATORS:
        # It ends inside a word ("SHIRT-S" of SHIRT-S, SHIRT-SM): keep whole words only.
        prefix = prefix[: max(prefix.rfind(sep) for sep in SKU_SEPARATORS) + 1]
    return prefix.rstrip(SKU_SEPARATORS)


# -- Magento -> ProductValues ----------------------------------------------------------------


class MagentoAttribute(TypedDict):
    """What a configurable option needs of `GET /V1/products/attributes/{code}`."""

    attribute_id: str
    code: str
    label: str
    options: dict[str, str]  # option id (as a string) -> label


def magento_attribute(payload: Mapping[str, Any]) -> MagentoAttribute:
    return {
        "attribute_id": str(payload.get("attribute_id")),
        "code": str(payload.get("attribute_code")),
        "label": str(payload.get("default_frontend_label") or payload.get("attribute_code")),
        "options": {
            str(o.get("value")): str(o.get("label"))
            for o in payload.get("options") or []
            if str(o.get("value") or "").strip()
        },
    }


def from_magento(
    product: Mapping[str, Any],
    children: Iterable[Mapping[str, Any]] = (),
    attributes: Mapping[str, MagentoAttribute] | None = None,
) -> ProductValues:
    """A Magento product (and a configurable's children) in the neutral shape.

    `attributes` maps attribute ids (as strings) to their codes and option labels.
    """
    sku = str(product.get("sku") or "").strip()
    if not sku:
        raise MappingError("Magento product without a SKU")
    type_id = str(product.get("type_id") or "simple")
    kind = KINDS_OF_TYPE.get(type_id)
    if kind is None:
        raise MappingError(
            f"product {sku} is a {type_id} product: Bridge syncs simple, virtual, "
            "configurable and bundle products"
        )
    values: ProductValues = {
        "sku": sku,
        "kind": kind,
        "name": _text(product.get("name")),
        "price": _money(product.get("price")),
        "cost": _money(custom_attribute(product, "cost")),
        "weight": _money(product.get("weight")),
        "description": _text(custom_attribute(product, "description")),
        "short_description": _text(custom_attribute(product, "short_description")),
        "active": int(product.get("status") or ENABLED) == ENABLED,
        "attributes": [],
        "variants": [],
        "components": [],
    }
    extension = product.get("extension_attributes") or {}
    if kind == "configurable":
        values["attributes"], values["variants"] = _configurable(
            sku, extension, list(children), attributes or {}
        )
        if values["variants"]:
            # A configurable has no price of its own; Odoo's template price is the lowest.
            values["price"] = min(v["price"] for v in values["variants"])
    elif kind == "bundle":
        values["components"] = _components(sku, extension)
    return values


def _configurable(
    sku: str,
    extension: Mapping[str, Any],
    children: list[Mapping[str, Any]],
    attributes: Mapping[str, MagentoAttribute],
) -> tuple[list[Attribute], list[Variant]]:
    options = sorted(
        extension.get("configurable_product_options") or [],
        key=lambda o: (int(o.get("position") or 0), str(o.get("attribute_id"))),
    )
    used: list[tuple[MagentoAttribute, list[str]]] = []
    for option in options:
        attribute = attributes.get(str(option.get("attribute_id")))
        if attribute is None:
            raise MappingError(
                f"configurable {sku}: attribute {option.get('attribute_id')} "
                f"({option.get('label')}) could not be read from Magento"
            )
        labels = []
        for value in option.get("values") or []:
            label = attribute["options"].get(str(value.get("value_index")))
            if label is None:
                raise MappingError(
                    f"configurable {sku}: option {value.get('value_index')} is not a value "
                    f"of attribute {attribute['code']}"
                )
            labels.append(label)
        used.append((attribute, labels))
    variants: list[Variant] = []
    for child in sorted(children, key=lambda c: str(c.get("sku"))):
        picked: dict[str, str] = {}
        for attribute, _ in used:
            raw = custom_attribute(child, attribute["code"])
            label = attribute["options"].get(str(raw))
            if label is None:
                raise MappingError(
                    f"configurable {sku}: child {child.get('sku')} has no "
                    f"{attribute['code']} value (found {raw!r})"
                )
            picked[attribute["code"]] = label
        variants.append(
            {"sku": str(child.get("sku")), "price": _money(child.get("price")), "options": picked}
        )
    ordered = [
        {"code": a["code"], "label": a["label"], "values": _ordered(labels, a, variants)}
        for a, labels in used
    ]
    return ordered, variants  # type: ignore[return-value]


def _ordered(labels: list[str], attribute: MagentoAttribute, variants: list[Variant]) -> list[str]:
    """The values the children use (else the option's), in the attribute's order.

    Odoo makes a variant of every combination of a line's values, so a value no child
    uses would be an Odoo variant Magento does not sell; and Odoo reads a configurable's
    values back from its variants, so listing only those keeps both fingerprints equal.
    """
    seen = {v["options"][attribute["code"]] for v in variants} or set(labels)
    rank = {label: i for i, label in enumerate(attribute["options"].values())}
    return sorted(seen, key=lambda label: (rank.get(label, len(rank)), label))


def _components(sku: str, extension: Mapping[str, Any]) -> list[Component]:
    components: list[Component] = []
    options = sorted(
        extension.get("bundle_product_options") or [], key=lambda o: int(o.get("position") or 0)
    )
    for option in options:
        links = sorted(option.get("product_links") or [], key=lambda k: int(k.get("position") or 0))
        if not links:
            raise MappingError(f"bundle {sku}: option {option.get('title')!r} has no products")
        components.append(
            {
                "option": _text(option.get("title")) or f"Option {option.get('option_id')}",
                "skus": [str(link.get("sku")) for link in links],
                "qty": _money(next((k.get("qty") for k in links if k.get("is_default")), 1) or 1),
            }
        )
    return components


# -- ProductValues -> Odoo ---------------------------------------------------------------------


def odoo_template_values(values: ProductValues) -> dict[str, Any]:
    """product.template fields; attribute lines and combos are added by the use case."""
    result: dict[str, Any] = {
        "name": values["name"],
        "list_price": values["price"],
        "standard_price": values["cost"],
        "weight": values["weight"],
        "description": values["description"] or False,
        "description_sale": values["short_description"] or False,
        "sale_ok": values["active"],
    }
    if values["kind"] == "bundle":
        result.update({"type": "combo", "is_storable": False})
    else:
        result.update({"type": "consu", "is_storable": True})
    if values["kind"] != "configurable":
        # A bundle's own SKU too: orders of a fixed-price bundle are lines on it.
        result["default_code"] = values["sku"]
    return result


def combo_name(component: Component) -> str:
    """A bundle option as an Odoo combo choice; Odoo combos have no quantity, so say it."""
    qty = component["qty"]
    if qty == 1:
        return component["option"]
    return f"{component['option']} (x{qty:g})"


def odoo_priced(values: ProductValues) -> ProductValues:
    """The values as Odoo holds them once written: each variant at the template price plus
    its value's extra (`price_extras`). Equal to `values` when the extras say every price;
    otherwise it is what Odoo reads back, so its fingerprint is the one to bind."""
    if not values["variants"]:
        return values
    extras = price_extras(values)
    variants: list[Variant] = [
        {
            **v,
            "price": _money(
                values["price"]
                + sum(extras.get((code, label), 0.0) for code, label in v["options"].items())
            ),
        }
        for v in values["variants"]
    ]
    return {**values, "variants": variants}


def price_extras(values: ProductValues) -> dict[tuple[str, str], float]:
    """Odoo's per-value price extras that give each variant its Magento price.

    Odoo prices a variant as the template price plus the extras of its values, so only
    differences that follow one attribute can be kept; otherwise every variant takes the
    template price (the lowest) and the log's result says so.
    """
    base = values["price"]
    for attribute in values["attributes"]:
        code, extras = attribute["code"], {}
        for variant in values["variants"]:
            label = variant["options"][code]
            extra = round(variant["price"] - base, 4)
            if extras.setdefault(label, extra) != extra:
                break
        else:
            if any(extras.values()):
                return {(code, label): extra for label, extra in extras.items() if extra}
    return {}


# -- Odoo -> ProductValues ---------------------------------------------------------------------


def from_odoo(
    template: Mapping[str, Any],
    variants: Sequence[Mapping[str, Any]],
    ptavs: Mapping[int, Mapping[str, Any]],
    combos: Sequence[Mapping[str, Any]] = (),
    bound_sku: str | None = None,
) -> ProductValues:
    """An Odoo template with its variants in the neutral shape.

    `ptavs` are the template attribute values by id (attribute and value as Odoo's
    many2one pairs); `combos` are the template's combo choices, each with `skus`.
    """
    label = f"Odoo product {template.get('name')!r} (product.template {template.get('id')})"
    lines = [v for v in variants if v.get("active", True)]
    with_values = [v for v in lines if v.get("product_template_attribute_value_ids")]
    kind: Kind = "simple"
    codes = {_text(v.get("default_code")) for v in lines}
    if template.get("type") == "combo":
        kind = "bundle"
    elif with_values and (len(lines) > 1 or (bound_sku and bound_sku not in codes)):
        # One variant is a configurable too when it is bound under another SKU (its parent's).
        kind = "configurable"
    values: ProductValues = {
        "sku": "",
        "kind": kind,
        "name": _text(template.get("name")),
        "price": _money(template.get("list_price")),
        "cost": _money(template.get("standard_price")),
        "weight": _money(template.get("weight")),
        "description": _text(template.get("description")),
        "short_description": _text(template.get("description_sale")),
        "active": bool(template.get("sale_ok", True)) and bool(template.get("active", True)),
        "attributes": [],
        "variants": [],
        "components": [],
    }
    if kind == "configurable":
        values["attributes"], values["variants"] = _odoo_variants(label, lines, ptavs)
        # As from Magento: a configurable's price is its cheapest variant's.
        values["price"] = min(v["price"] for v in values["variants"])
        skus = [v["sku"] for v in values["variants"]]
        values["sku"] = bound_sku or _text(template.get("default_code")) or common_sku_prefix(skus)
        if not values["sku"] or values["sku"] in skus:
            raise MappingError(
                f"{label} has variants but no SKU of its own for the Magento configurable "
                "product: give its variants Internal References that start alike "
                "(e.g. HOODIE-S-Red, HOODIE-M-Red)"
            )
    else:
        code = _text(template.get("default_code")) or next(
            (_text(v.get("default_code")) for v in lines if v.get("default_code")), ""
        )
        values["sku"] = bound_sku or code
        if not values["sku"]:
            raise MappingError(
                f"{label} has no Internal Reference: Magento needs a SKU; set the "
                "Internal Reference in Odoo"
            )
    if kind == "bundle":
        values["components"] = [_combo_component(c) for c in combos]
    return values


_COMBO_QTY = re.compile(r"^(?P<option>.*) \(x(?P<qty>\d+(?:\.\d+)?)\)$")


def _combo_component(combo: Mapping[str, Any]) -> Component:
    """An Odoo combo as a bundle option: `combo_name`'s "(x2)" gives the quantity back."""
    name = _text(combo.get("name"))
    match = _COMBO_QTY.match(name)
    option, qty = (match["option"], float(match["qty"])) if match else (name, 1.0)
    return {"option": option, "skus": list(combo.get("skus") or []), "qty": qty}


def _odoo_variants(
    label: str, lines: Sequence[Mapping[str, Any]], ptavs: Mapping[int, Mapping[str, Any]]
) -> tuple[list[Attribute], list[Variant]]:
    attributes: dict[str, Attribute] = {}
    variants: list[Variant] = []
    for variant in lines:
        sku = _text(variant.get("default_code"))
        if not sku:
            raise MappingError(
                f"{label}: variant {variant.get('id')} has no Internal Reference; every "
                "variant needs one to become a Magento child product"
            )
        picked: dict[str, str] = {}
        for ptav_id in variant.get("product_template_attribute_value_ids") or []:
            ptav = ptavs[ptav_id]
            name = _pair_name(ptav.get("attribute_id"))
            value = _text(ptav.get("name")) or _value_name(
                name, _pair_name(ptav.get("product_attribute_value_id"))
            )
            code = attribute_code(name)
            entry = attributes.setdefault(code, {"code": code, "label": name, "values": []})
            if value not in entry["values"]:
                entry["values"].append(value)
            picked[code] = value
        variants.append({"sku": sku, "price": _money(variant.get("lst_price")), "options": picked})
    variants.sort(key=lambda v: v["sku"])
    return list(attributes.values()), variants


def _value_name(attribute: str, display: str) -> str:
    """Odoo 18 shows a value as "Color: Black" (its `show_attribute` display name): the value
    is what follows the attribute's name."""
    return display.removeprefix(f"{attribute}: ")


def _pair_name(pair: Any) -> str:
    """The name of an Odoo many2one answer `[id, "name"]`."""
    if isinstance(pair, list | tuple) and len(pair) == 2:
        return str(pair[1])
    raise MappingError(f"unexpected many2one value {pair!r}")


# -- ProductValues -> Magento ------------------------------------------------------------------


def _custom_attributes(values: ProductValues, leave: Collection[str]) -> list[dict[str, Any]]:
    return [
        {"attribute_code": code, "value": values[code]}  # type: ignore[literal-required]
        for code in ("description", "short_description", "cost")
        if code not in leave
    ]


def magento_product(
    values: ProductValues,
    *,
    attribute_set_id: int | None = None,
    website_ids: list[int] | None = None,
    option_ids: Mapping[str, Mapping[str, str]] | None = None,
    attribute_ids: Mapping[str, str] | None = None,
    child_ids: list[int] | None = None,
    leave: Collection[str] = (),
) -> dict[str, Any]:
    """The `POST /V1/products` body of a simple, configurable or bundle product.

    `attribute_set_id` and `website_ids` are sent for new products only (None keeps what
    Magento has); a configurable needs `option_ids` (code -> label -> option id),
    `attribute_ids` (code -> attribute id) and its children's Magento ids. The fields in
    `leave` (`left_out`) are not sent: Magento keeps its own.
    """
    product: dict[str, Any] = {
        "sku": values["sku"],
        "name": values["name"],
        "type_id": {"simple": "simple", "configurable": "configurable", "bundle": "bundle"}[
            values["kind"]
        ],
        "status": ENABLED if values["active"] else DISABLED,
        "visibility": VISIBLE,
        "weight": values["weight"],
        "custom_attributes": _custom_attributes(values, leave),
    }
    if "weight" in leave:
        del product["weight"]
    if values["kind"] != "configurable":
        product["price"] = values["price"]
    if attribute_set_id is not None:
        product["attribute_set_id"] = attribute_set_id
    extension: dict[str, Any] = {}
    if website_ids is not None:
        extension["website_ids"] = website_ids
    if values["kind"] == "configurable":
        if option_ids is None or attribute_ids is None or child_ids is None:
            raise ValueError("a configurable needs option_ids, attribute_ids and child_ids")
        extension["configurable_product_options"] = [
            {
                "attribute_id": attribute_ids[a["code"]],
                "label": a["label"],
                "position": position,
                "values": [{"value_index": int(option_ids[a["code"]][v])} for v in a["values"]],
            }
            for position, a in enumerate(values["attributes"])
        ]
        extension["configurable_product_links"] = child_ids
    if values["kind"] == "bundle":
        extension["bundle_product_options"] = [
            {
                "title": component["option"],
                "type": "radio",
                "required": True,
                "position": position,
                "sku": values["sku"],
                "product_links": [
                    {
                        "sku": sku,
                        "qty": component["qty"],
                        "position": index,
                        "is_default": index == 0,
                        "can_change_quantity": 0,
                    }
                    for index, sku in enumerate(component["skus"])
                ],
            }
            for position, component in enumerate(values["components"], start=1)
        ]
        product["custom_attributes"] += [
            {"attribute_code": "price_type", "value": "0"},  # dynamic: the parts' prices
            {"attribute_code": "sku_type", "value": "0"},
        ]
    if extension:
        product["extension_attributes"] = extension
    return {"product": product}


def magento_child(
    values: ProductValues,
    variant: Variant,
    option_ids: Mapping[str, Mapping[str, str]],
    *,
    attribute_set_id: int | None = None,
    website_ids: list[int] | None = None,
    leave: Collection[str] = (),
) -> dict[str, Any]:
    """A configurable's child: a simple product not visible on its own, with its options."""
    labels = [variant["options"][a["code"]] for a in values["attributes"]]
    product: dict[str, Any] = {
        "sku": variant["sku"],
        "name": "-".join([values["name"], *labels]),
        "type_id": "simple",
        "price": variant["price"],
        "status": ENABLED if values["active"] else DISABLED,
        "visibility": NOT_VISIBLE,
        "weight": values["weight"],
        "custom_attributes": _custom_attributes(values, leave)
        + [
            {"attribute_code": code, "value": str(option_ids[code][label])}
            for code, label in variant["options"].items()
        ],
    }
    if "weight" in leave:
        del product["weight"]
    if attribute_set_id is not None:
        product["attribute_set_id"] = attribute_set_id
    if website_ids is not None:
        product["extension_attributes"] = {"website_ids": website_ids}
    return {"product": product}
