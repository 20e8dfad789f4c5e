"""One module per Odoo app area; each exposes `MODELS`. Add a module, list it here."""

from __future__ import annotations

from sandbox.odoo.models import (
    account,
    base,
    combo,
    crm,
    delivery,
    facts,
    inventory,
    invoicing,
    mail,
    partner,
    product,
    sale,
    stock,
    variants,
)
from sandbox.odoo.registry import Model

MODULES = (
    base, account, crm, product, variants, combo, delivery, partner, stock, inventory, sale,
    invoicing, mail,
)  # fmt: skip


def all_models() -> dict[str, Model]:
    models = {m.name: m for module in MODULES for m in module.MODELS}
    facts.apply(models)
    return models
