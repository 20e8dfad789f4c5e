"""What a real Odoo 18 says about the sandbox's fields, recorded by `record_fields.py`.

`data/fields_18.json` holds, for every field a sandbox model declares plus the magic
ones (id, display_name, create/write date and user), the description the real
`fields_get` answered, and for every many2one its foreign key's ON DELETE policy
(`ir.model.fields.on_delete`). The ORM deletes by those policies, `fields_get`
answers those descriptions and html fields sanitise with their recorded options.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data") / "fields_18.json"


@cache
def _recorded() -> dict[str, Any]:
    return dict(json.loads(DATA.read_text(encoding="utf-8")))


def describe(model: str, name: str) -> dict[str, Any] | None:
    """The real `fields_get` description of `model.name` (all attributes), or None."""
    data = _recorded()
    desc = data["fields"].get(model, {}).get(name)
    if desc is None:
        return None
    return {**copy.deepcopy(data["defaults"]), **copy.deepcopy(desc), "name": name}


def attribute(model: str, name: str, key: str, default: Any = None) -> Any:
    desc = _recorded()["fields"].get(model, {}).get(name)
    if desc is None:
        return default
    return desc.get(key, _recorded()["defaults"].get(key, default))


def on_delete(model: str, name: str) -> str | None:
    """'restrict', 'cascade' or 'set null' for a recorded many2one, else None."""
    policy = _recorded()["on_delete"].get(f"{model}.{name}")
    return str(policy) if policy else None
