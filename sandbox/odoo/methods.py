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

from sandbox.odoo.exceptions import AccessError, OdooError, WrongArguments, WrongValue
from sandbox.odoo.registry import Env, Method


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
    return len(self.env.search(self.model, domain, 0, limit))


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
    return self.env.read(self.model, ids, fields)


def read(self: Records, fields: list[str] | None = None, load: str = "_classic_read") -> Any:
    return self.env.read(self.model, self.ids, fields)


def create(self: Records, vals_list: list[dict[str, Any]] | dict[str, Any]) -> Any:
    """A dict gives one id, a list gives a list, as Odoo's `@api.model_create_multi`."""
    if isinstance(vals_list, dict):
        return self.env.create(self.model, [vals_list])[0]
    return self.env.create(self.model, list(vals_list))


def write(self: Records, vals: dict[str, Any]) -> bool:
    self.env.write(self.model, self.ids, vals)
    return True


def unlink(self: Records) -> bool:
    self.env.unlink(self.model, self.ids)
    return True


def name_search(
    self: Records,
    name: str = "",
    domain: list[Any] | None = None,
    operator: str = "ilike",
    limit: int = 100,
) -> list[list[Any]]:
    rec_name = self.env.model(self.model).rec_name
    terms = list(domain or [])
    if name:
        terms = [*terms, (rec_name, operator, name)]
    ids = self.env.search(self.model, terms, 0, limit)
    return [[i, self.env.display_name(self.model, i)] for i in ids]


def fields_get(
    self: Records, allfields: list[str] | None = None, attributes: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, f in self.env.fields(self.model).items():
        if allfields and name not in allfields:
            continue
        desc: dict[str, Any] = {"type": f.type, "string": f.string or name, "required": f.required}
        if f.relation:
            desc["relation"] = f.relation
        if f.selection:
            desc["selection"] = [[v, v] for v in f.selection]
        out[name] = {k: v for k, v in desc.items() if not attributes or k in attributes}
    return out


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


def resolve(env: Env, model: str, name: str) -> Method:
    """Odoo's get_public_method: private names are refused before anything else."""
    if name.startswith("_"):
        raise AccessError(f"Private methods (such as {name}) cannot be called remotely.")
    m = env.model(model)
    method = m.methods.get(name) or ORM.get(name)
    if method is None:
        raise MethodMissing(f"The method '{name}' does not exist on the model '{model}'")
    return method


def _bind(method: Method, records: Records, args: list[Any], kwargs: dict[str, Any]) -> None:
    try:
        inspect.signature(method.func).bind(records, *args, **kwargs)
    except TypeError as exc:
        raise WrongArguments(str(exc)) from None


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
