"""A variant's `price_extra` and `lst_price` in the Odoo sandbox, over real JSON-RPC.

Odoo 18 (product/models/product_product.py): `price_extra` is the sum of the variant's
attribute values' `price_extra`, `lst_price` is the template's `list_price` plus it, both
computed; writing `lst_price` sets `list_price` to it less `price_extra`
(`_set_product_lst_price`). A value's extra starts as its attribute value's
`default_extra_price`. Derived from the source, not measured on a real server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bridge.clients.errors import ValidationError
from bridge.clients.odoo import OdooClient
from sandbox.odoo import OdooSandbox
from tests.odoo_fixtures import sandbox_target

PRICES = ["display_name", "price_extra", "lst_price", "list_price"]


@pytest.fixture
def odoo() -> Iterator[OdooClient]:
    with OdooSandbox() as sandbox:
        yield sandbox_target(sandbox, "jsonrpc").client()


@pytest.fixture
def tee(odoo: OdooClient) -> int:
    """A 20.00 tee in Red/Blue x S/M; Blue costs 5.00 more by default."""
    [color, size] = odoo.create(
        "product.attribute",
        [
            {
                "name": "Color",
                "value_ids": [
                    (0, 0, {"name": "Red"}),
                    (0, 0, {"name": "Blue", "default_extra_price": 5.0}),
                ],
            },
            {"name": "Size", "value_ids": [(0, 0, {"name": "S"}), (0, 0, {"name": "M"})]},
        ],
    )
    values = {v["name"]: v["id"] for v in odoo.search_read("product.attribute.value", [], ["name"])}
    lines = [
        (0, 0, {"attribute_id": color, "value_ids": [(6, 0, [values["Red"], values["Blue"]])]}),
        (0, 0, {"attribute_id": size, "value_ids": [(6, 0, [values["S"], values["M"]])]}),
    ]
    [tmpl] = odoo.create(
        "product.template", [{"name": "Tee", "list_price": 20.0, "attribute_line_ids": lines}]
    )
    return int(tmpl)


def prices(odoo: OdooClient, tmpl: int) -> dict[str, tuple[Any, ...]]:
    rows = odoo.search_read("product.product", [("product_tmpl_id", "=", tmpl)], PRICES)
    return {r["display_name"]: (r["price_extra"], r["lst_price"], r["list_price"]) for r in rows}


def ptav(odoo: OdooClient, tmpl: int, name: str) -> int:
    [pid] = odoo.search(
        "product.template.attribute.value", [("product_tmpl_id", "=", tmpl), ("name", "=", name)]
    )
    return int(pid)


def test_lst_price_is_list_price_plus_the_values_extras(odoo: OdooClient, tee: int) -> None:
    assert prices(odoo, tee) == {
        "Tee (Red, S)": (0.0, 20.0, 20.0),
        "Tee (Red, M)": (0.0, 20.0, 20.0),
        "Tee (Blue, S)": (5.0, 25.0, 20.0),
        "Tee (Blue, M)": (5.0, 25.0, 20.0),
    }
    odoo.write("product.template.attribute.value", [ptav(odoo, tee, "M")], {"price_extra": 1.5})
    odoo.write("product.template", [tee], {"list_price": 30.0})
    assert prices(odoo, tee) == {
        "Tee (Red, S)": (0.0, 30.0, 30.0),
        "Tee (Red, M)": (1.5, 31.5, 30.0),
        "Tee (Blue, S)": (5.0, 35.0, 30.0),
        "Tee (Blue, M)": (6.5, 36.5, 30.0),
    }
    # lst_price is computed, not stored, and has no search method: real Odoo 18 ignores a
    # domain leaf on it (it logs "Non-stored field ... cannot be searched") and refuses to
    # order by it (BaseModel._field_to_sql).
    ignored = odoo.search(
        "product.product", [("product_tmpl_id", "=", tee), ("lst_price", ">", 34)]
    )
    assert len(ignored) == 4
    with pytest.raises(ValidationError, match="product.product.lst_price to SQL because it is not"):
        odoo.search_read("product.product", [], ["display_name"], order="lst_price desc")


def test_writing_lst_price_moves_the_templates_list_price(odoo: OdooClient, tee: int) -> None:
    [blue_m] = odoo.search(
        "product.product",
        [("product_tmpl_id", "=", tee), ("product_template_attribute_value_ids.name", "=", "Blue"),
         ("product_template_attribute_value_ids.name", "=", "M")],
    )  # fmt: skip
    odoo.write("product.product", [blue_m], {"lst_price": 40.0})
    assert prices(odoo, tee)["Tee (Red, S)"] == (0.0, 35.0, 35.0)  # 40 less Blue's 5
    assert prices(odoo, tee)["Tee (Blue, M)"] == (5.0, 40.0, 35.0)
    [pid] = odoo.create("product.product", [{"name": "Cap", "lst_price": 9.5}])
    [cap] = odoo.read("product.product", [pid], ["list_price", "lst_price", "price_extra"])
    assert (cap["list_price"], cap["lst_price"], cap["price_extra"]) == (9.5, 9.5, 0.0)


def test_a_refused_write_leaves_the_prices_as_they_were(odoo: OdooClient, tee: int) -> None:
    # The combo rule refuses the write after the new price reached the variants.
    with pytest.raises(ValidationError, match="at least 1 combo choice"):
        odoo.write("product.template", [tee], {"list_price": 99.0, "type": "combo"})
    assert prices(odoo, tee)["Tee (Blue, S)"] == (5.0, 25.0, 20.0)
