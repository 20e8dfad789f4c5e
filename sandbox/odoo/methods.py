"""The ORM methods every model answers over RPC, and the dispatcher shared by all protocols.

A method is a plain function whose first argument is a `Records` (env, model, ids),
exactly as an Odoo method gets `self`. `execute_kw` passes `args[0]` as ids for
record methods; JSON-2 passes `ids` by name. Workflow methods live on their
model (`Model.method`), next to the model's fields.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from sandbox.odoo import domain as domains
from sandbox.odoo import fieldinfo
from sandbox.odoo.exceptions import (
    AccessError,
    OdooError,
    WrongArguments,
    WrongValue,
    bad_text,
    python_error,
)
from sandbox.odoo.registry import MAGIC, Env, Method


@dataclass
class Records:
    env: Env
    model: str
    ids: list[int]


class MethodMissing(OdooError):
    odoo_name = "builtins.AttributeError"
    http_status = 404


def search(
    self: Records,
    domain: list[Any],
    offset: int = 0,
    limit: int | None = None,
    order: str | None = None,
) -> list[int]:
    return self.env.search(self.model, domain, offset, limit, order)


def search_count(self: Records, domain: list[Any], limit: int | None = None) -> int:
    return len(self.env.search(self.model, domain, 0, limit, order="id"))


def search_read(
    self: Records,
    domain: list[Any] | None = None,
    fields: list[str] | None = None,
    offset: int = 0,
    limit: int | None = None,
    order: str | None = None,
    **read_kwargs: Any,
) -> list[dict[str, Any]]:
    ids = self.env.search(self.model, domain or [], offset, limit, order)
    return read(Records(self.env, self.model, ids), fields, **read_kwargs)


def read(self: Records, fields: list[str] | None = None, load: str | None = "_classic_read") -> Any:
    """Deleted ids are left out; `load` other than '_classic_read' (None): bare many2one ids."""
    return self.env.read(self.model, self.ids, fields, load)


def create(self: Records, vals_list: list[dict[str, Any]] | dict[str, Any]) -> Any:
    """A dict gives one id, a list gives a list, as Odoo's `@api.model_create_multi`."""
    if isinstance(vals_list, dict):
        return self.env.create(self.model, [vals_list])[0]
    if not isinstance(vals_list, list | tuple):
        raise python_error(
            "AttributeError", f"'{type(vals_list).__name__}' object has no attribute 'get'"
        )
    return self.env.create(self.model, list(vals_list))


def write(self: Records, vals: dict[str, Any]) -> bool:
    """MissingError for a deleted id (the first one), as Odoo 18's write."""
    self.env.write(self.model, _sql_ids(self.ids), vals)
    return True


def unlink(self: Records) -> bool:
    """MissingError for a deleted id; the model's checks; foreign keys' ON DELETE."""
    self.env.unlink(self.model, _int_ids(self.ids))
    return True


def _sql_ids(ids: list[Any]) -> list[int]:
    """Ids as PostgreSQL takes them in `id IN (...)`: anything else is its refusal."""
    for i in ids:
        if isinstance(i, bool) or not isinstance(i, int):
            raise bad_text("integer", i)
    return ids


def _int_ids(ids: list[Any]) -> list[int]:
    """Ids as unlink's `int(id)` takes them."""
    try:
        return [int(i) for i in ids]
    except (TypeError, ValueError) as exc:
        raise python_error(type(exc).__name__, str(exc)) from None


def _name_search(self: Records, name: Any, domain: Any, operator: str, limit: Any) -> Any:
    """BaseModel.name_search: display_name `operator` name, and the domain, in `_order`."""
    search_domain: list[Any] = [("display_name", operator, name)]
    if domain:
        search_domain = ["&", *domains.normalize(search_domain), *domains.normalize(domain)]
    ids = self.env.search(self.model, search_domain, 0, limit)
    return [[i, self.env.display_name(self.model, i)] for i in ids]


def name_search(
    self: Records,
    name: str = "",
    args: list[Any] | None = None,
    operator: str = "ilike",
    limit: int = 100,
) -> list[list[Any]]:
    """Odoo 16-18's signature: the extra domain is `args`."""
    return _name_search(self, name, args, operator, limit)


def name_search_19(
    self: Records,
    name: str = "",
    domain: list[Any] | None = None,
    operator: str = "ilike",
    limit: int = 100,
) -> list[list[Any]]:
    """Odoo 19 renamed `args` to `domain`."""
    return _name_search(self, name, domain, operator, limit)


def fields_get(
    self: Records, allfields: list[str] | None = None, attributes: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """The descriptions a real Odoo 18 gives (fieldinfo.py), magic fields included."""
    env = self.env
    out: dict[str, dict[str, Any]] = {}
    names = [*env.fields(self.model), *(n for n in MAGIC if n not in env.fields(self.model))]
    for name in names:
        if allfields and name not in allfields:
            continue
        desc = _describe(env, self.model, name)
        if desc is None:
            continue
        out[name] = {k: v for k, v in desc.items() if not attributes or k in attributes}
    return out


def _describe(env: Any, model: str, name: str) -> dict[str, Any] | None:
    """The recorded description; a delegated field is described as on its parent model;
    a field with no recording (sandbox-only) from its declaration."""
    found = fieldinfo.describe(model, name)
    if found is not None:
        return found
    m = env.model(model)
    if name not in m.fields and m.inherits is not None:
        return _describe(env, m.inherits[0], name)
    f = env.field(model, name)
    if f is None:
        return None
    desc: dict[str, Any] = {
        "name": name,
        "type": f.type,
        "string": f.string or name,
        "required": f.required,
        "readonly": name in MAGIC,
        "store": name != "display_name",
        "searchable": True,
        "sortable": name != "display_name",
    }
    if f.relation:
        desc["relation"] = f.relation
    if f.selection:
        desc["selection"] = [[v, v] for v in f.selection]
    return desc


def exists(self: Records) -> list[int]:
    table = self.env.table(self.model)
    return [i for i in self.ids if i in table]


def copy(self: Records, default: dict[str, Any] | None = None) -> int:
    """Reads the record first, so a deleted id raises MissingError as in Odoo."""
    env = self.env
    if len(self.ids) != 1:
        raise WrongValue(f"Expected singleton: {self.model}{tuple(self.ids)}")
    [rec] = env.ensure(self.model, self.ids)
    fields = env.fields(self.model)
    vals: dict[str, Any] = {}
    for name, f in fields.items():
        if f.type == "one2many" or name == "product_tmpl_id":
            continue
        value = env.value(self.model, rec, name)
        vals[name] = [(6, 0, value)] if f.type == "many2many" else value
    return env.create(self.model, [{**vals, **(default or {})}])[0]


def action_archive(self: Records) -> None:
    """Returns None, as Odoo 18's (it ends in toggle_active): the None-over-RPC case."""
    self.env.write(self.model, self.ids, {"active": False})


def action_unarchive(self: Records) -> None:
    self.env.write(self.model, self.ids, {"active": True})


ORM: dict[str, Method] = {
    "search": Method(search, api_model=True),
    "search_count": Method(search_count, api_model=True),
    "search_read": Method(search_read, api_model=True),
    "read": Method(read),
    "create": Method(create, api_model=True),
    "write": Method(write),
    "unlink": Method(unlink),
    "name_search": Method(name_search, api_model=True),
    "fields_get": Method(fields_get, api_model=True),
    "exists": Method(exists),
    "copy": Method(copy),
    "action_archive": Method(action_archive),
    "action_unarchive": Method(action_unarchive),
}


NAME_SEARCH_19 = Method(name_search_19, api_model=True, name="name_search")


def resolve(env: Env, model: str, name: str) -> Method:
    """Odoo's get_public_method: private names are refused before anything else."""
    if name.startswith("_"):
        raise AccessError(f"Private methods (such as {name}) cannot be called remotely.")
    m = env.model(model)
    method = m.methods.get(name) or ORM.get(name)
    if name == "name_search" and "name_search" not in m.methods and env.db.major >= 19:
        method = NAME_SEARCH_19
    if method is None:
        raise MethodMissing(f"The method '{name}' does not exist on the model '{model}'")
    return method


def _bind(method: Method, records: Records, args: list[Any], kwargs: dict[str, Any]) -> None:
    """Python's own TypeError for a wrong call, named as Odoo's method would be."""
    try:
        inspect.signature(method.func).bind(records, *args, **kwargs)
    except TypeError as exc:
        owner = "BaseModel" if method in ORM.values() or method is NAME_SEARCH_19 else None
        owner = owner or "".join(p.capitalize() for p in records.model.split("."))
        name = method.name or method.func.__name__
        raise WrongArguments(f"{owner}.{name}() {exc}") from None


def execute_kw(env: Env, model: str, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """The `object.execute_kw` convention: record methods take their ids as `args[0]`."""
    method = resolve(env, model, name)
    args = list(args)
    ids: list[int] = []
    if not method.api_model:
        if not args:
            raise WrongArguments(f"{model}.{name}() missing 1 required positional argument: 'ids'")
        first = args.pop(0)
        ids = [first] if isinstance(first, int) else list(first or [])
    records = Records(env, model, ids)
    _bind(method, records, args, kwargs)
    return method.func(records, *args, **kwargs)


def call_named(env: Env, model: str, name: str, ids: list[int], kwargs: dict[str, Any]) -> Any:
    """The JSON-2 convention: ids and every argument by name."""
    method = resolve(env, model, name)
    if method.api_model and ids:
        raise WrongArguments(f"cannot call {model}.{name} with ids")
    records = Records(env, model, list(ids))
    _bind(method, records, [], kwargs)
    return method.func(records, **kwargs)
