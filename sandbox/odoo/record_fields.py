"""Record what a real Odoo says about the sandbox's fields: `fields_get` and `ondelete`.

    python -m sandbox.odoo.record_fields http://127.0.0.1:8069 odoo18 admin admin

Writes `sandbox/odoo/data/fields_18.json`, which `fieldinfo.py` serves: `fields_get`
answers exactly what the real server answered (strings, help texts, selection labels,
readonly, store...), and many2one fields delete as their real foreign keys do. Run it
against a fresh Odoo 18 database with sale_management, stock, account and
stock_delivery installed (the database `seed.py` models) after adding a field or a
model to the sandbox.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import requests

from sandbox.odoo.models import all_models
from sandbox.odoo.registry import MAGIC

OUT = Path(__file__).with_name("data") / "fields_18.json"
_NONE = object()
#: What most fields answer; stored once and left out of each field (`name` is the key).
DEFAULTS: dict[str, Any] = {
    "change_default": False,
    "company_dependent": False,
    "default_export_compatible": False,
    "depends": [],
    "exportable": True,
    "groupable": True,
    "manual": False,
    "required": False,
    "searchable": True,
    "sortable": True,
    "store": True,
}


def _caller(url: str, db: str, login: str, password: str) -> Any:
    session = requests.Session()

    def call(service: str, method: str, *args: Any) -> Any:
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": list(args)},
            "id": 1,
        }
        body = session.post(f"{url.rstrip('/')}/jsonrpc", json=payload, timeout=60).json()
        if "error" in body:
            raise RuntimeError(body["error"]["data"]["message"])
        return body.get("result")

    uid = call("common", "authenticate", db, login, password, {})
    if not uid:
        raise SystemExit(f"{url} refused {login!r} on {db!r}")

    def execute(model: str, method: str, *args: Any, **kw: Any) -> Any:
        return call("object", "execute_kw", db, uid, password, model, method, list(args), kw)

    return execute


def record(url: str, db: str, login: str, password: str) -> dict[str, Any]:
    execute = _caller(url, db, login, password)
    models = all_models()
    version = execute(
        "ir.module.module", "search_read", [("name", "=", "base")], ["latest_version"]
    )
    described: dict[str, dict[str, Any]] = {}
    for name, model in sorted(models.items()):
        inherited = list(models[model.inherits[0]].fields) if model.inherits else []
        answer = execute(name, "fields_get", [*inherited, *model.fields, *MAGIC])
        described[name] = {
            fname: {
                k: v
                for k, v in desc.items()
                if k != "name" and (k not in DEFAULTS or DEFAULTS[k] != v)
            }
            for fname, desc in sorted(answer.items())
        }
    rows = execute(
        "ir.model.fields",
        "search_read",
        [("model", "in", sorted(models)), ("ttype", "=", "many2one")],
        ["model", "name", "on_delete"],
    )
    on_delete = {
        f"{r['model']}.{r['name']}": r["on_delete"]
        for r in rows
        if r["name"] in models[r["model"]].fields or r["name"] in MAGIC
    }
    return {
        "recorded_from": f"Odoo {version[0]['latest_version'] if version else '?'} ({db})",
        "defaults": DEFAULTS,
        "fields": described,
        "on_delete": dict(sorted(on_delete.items())),
    }


def _dump(data: dict[str, Any]) -> str:
    """One line per field, so a re-recording diffs field by field."""

    def line(value: Any) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    models = []
    for model, fields in data["fields"].items():
        rows = ",\n".join(f"   {line(name)}: {line(desc)}" for name, desc in fields.items())
        models.append(f"  {line(model)}: {{\n{rows}\n  }}")
    deletes = ",\n".join(f"  {line(k)}: {line(v)}" for k, v in data["on_delete"].items())
    return (
        "{\n"
        f' "recorded_from": {line(data["recorded_from"])},\n'
        f' "defaults": {line(data["defaults"])},\n'
        ' "fields": {\n' + ",\n".join(models) + "\n },\n"
        ' "on_delete": {\n' + deletes + "\n }\n}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("db")
    parser.add_argument("login")
    parser.add_argument("password")
    args = parser.parse_args()
    data = record(args.url, args.db, args.login, args.password)
    OUT.write_text(_dump(data))
    missing = [
        f"{model}.{name}"
        for model, m in all_models().items()
        for name in m.fields
        if name not in data["fields"][model]
    ]
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB)")
    if missing:
        print("not fields of the real models (fields_get leaves them out):", ", ".join(missing))


if __name__ == "__main__":
    main()
