"""A generic, thread-safe, in-memory ORM: typed fields, defaults, constraints, x2many commands.

Models are declared as data (`Model` + `Field`), so a new Odoo model is one small
module under `sandbox/odoo/models/`. The tables, transactions and lookups are
`database.py`'s; `Env` here is one call's ORM: create, write, unlink with the foreign
keys' ON DELETE policies, read and search (domains: `domain.py`, order: `ordering.py`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.odoo import domain as domains
from sandbox.odoo import fieldinfo, html_sanitize, ordering
from sandbox.odoo.database import Database, now
from sandbox.odoo.exceptions import (
    DatabaseError,
    MissingError,
    UserError,
    ValidationError,
    WrongValue,
    bad_text,
    python_error,
)

__all__ = ["MAGIC", "MAGIC_FIELDS", "Database", "Env", "Field", "Method", "Model", "fld", "now"]

X2MANY = ("one2many", "many2many")
MAGIC = ("id", "display_name", "create_date", "write_date", "create_uid", "write_uid")

Record = dict[str, Any]


@dataclass(frozen=True)
class Field:
    type: str
    string: str = ""
    required: bool = False
    #: A value, or a callable `(env) -> value` evaluated at create time.
    default: Any = None
    relation: str | None = None
    #: For one2many: the many2one on the comodel that points back.
    inverse: str | None = None
    selection: tuple[str, ...] = ()
    #: Char size: Odoo truncates silently rather than failing.
    size: int | None = None
    #: A many2one's foreign key ON DELETE policy; None: as recorded on real Odoo 18
    #: (`fieldinfo.on_delete`), else Odoo's default ('restrict' if required, else 'set null').
    ondelete: str | None = None


#: The fields every model has (`models.MAGIC_COLUMNS` + display_name), as Field objects.
MAGIC_FIELDS = {
    "id": Field("integer", "ID"),
    "display_name": Field("char", "Display Name"),
    "create_date": Field("datetime", "Created on"),
    "write_date": Field("datetime", "Last Updated on"),
    "create_uid": Field("many2one", "Created by", relation="res.users"),
    "write_uid": Field("many2one", "Last Updated by", relation="res.users"),
}


def fld(type_: str, string: str = "", **kw: Any) -> Field:
    return Field(type_, string, **kw)


@dataclass
class Method:
    """A public model method; `api_model` ones get no ids (like Odoo's @api.model)."""

    func: Callable[..., Any]
    api_model: bool = False
    #: The name it is called by (a module function may be registered under another one).
    name: str = ""


@dataclass
class Model:
    name: str
    description: str
    fields: dict[str, Field]
    #: `_rec_name`: None for models without one (display_name "model,id").
    rec_name: str | None = "name"
    #: `_order`, as the real model has it (checked against a real Odoo 18, see tests).
    order: str = "id"
    #: `_rec_names_search`: the fields a display_name / name_search matches on.
    rec_names_search: tuple[str, ...] = ()
    #: A model's own `_search_display_name(operator, value)` -> domain, if it has one.
    search_names: Callable[[Env, str, Any], list[Any]] | None = None
    #: `_parent_name`: the many2one child_of / parent_of walk.
    parent_name: str = "parent_id"
    #: Computed, non-stored fields the model still turns into SQL (account.account's
    #: `code` reads its company's `code_store`), so they sort and search.
    sql_computed: tuple[str, ...] = ()
    #: Which of "write" and "unlink" pass over deleted ids silently, as the generic ORM does
    #: on a real Odoo 18; the others raise MissingError, because the model's own code (mail
    #: tracking, computes, overrides) reads the record first (recorded per model).
    tolerates_missing: frozenset[str] = frozenset()
    #: What makes real Odoo clear its registry caches (`registry.clear_cache()`), the
    #: per-process password-check cache among them: "create", "unlink", or a field
    #: name whose write does (product.product creates, currencies turned on...).
    clears_caches: tuple[str, ...] = ()
    #: Many2ones Odoo's own code reads while creating or writing, so a deleted id there is
    #: a MissingError instead of the foreign key's refusal (res.partner.parent_id).
    reads_on_write: tuple[str, ...] = ()
    #: (field names, full error message) pairs: what real Odoo says on violation.
    uniques: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    #: Python constraints `(env, record) -> None`, raise ValidationError.
    constraints: list[Callable[[Env, Record], None]] = field(default_factory=list)
    methods: dict[str, Method] = field(default_factory=dict)
    #: Hooks `(env, record_id) -> None` run after a record is created.
    on_create: list[Callable[[Env, int], None]] = field(default_factory=list)
    on_write: list[Callable[[Env, int, dict[str, Any]], None]] = field(default_factory=list)
    #: Odoo's `@api.ondelete` checks and `unlink` overrides: `(env, ids) -> None`, run
    #: before the rows go (raise to refuse; may delete other records first).
    on_unlink: list[Callable[[Env, list[int]], None]] = field(default_factory=list)
    display_name: Callable[[Env, Record], str] | None = None
    #: Odoo's `_inherits`: (parent model, many2one to it); parent fields read/write through.
    inherits: tuple[str, str] | None = None

    def method(self, name: str | None = None, *, api_model: bool = False) -> Callable[..., Any]:
        """Decorator registering a workflow method on this model."""

        def register(func: Callable[..., Any]) -> Callable[..., Any]:
            self.methods[name or func.__name__] = Method(func, api_model, name or func.__name__)
            return func

        return register


def missing(model: str, rid: Any, uid: int) -> MissingError:
    """What Odoo raises when it reads a field of a deleted record (fields.Field.__get__)."""
    return MissingError(
        f"Record does not exist or has been deleted.\n(Record: {model}({rid!r},), User: {uid})"
    )


def foreign_key_violation(m: Model, name: str) -> ValidationError:
    """A ForeignKeyViolation as Odoo's `_as_validation_error` words it (`m` holds the key)."""
    return ValidationError(
        "The operation cannot be completed: another model requires the record being deleted. "
        "If possible, archive it instead.\n\n"
        f"Model: {m.description} ({m.name})\n"
        f"Constraint: {m.name.replace('.', '_')}_{name}_fkey\n"
    )


def _as_vals(vals: Any) -> dict[str, Any]:
    """A values dict; anything else fails where Odoo's create/write first use it."""
    if not isinstance(vals, dict):
        raise python_error(
            "AttributeError", f"'{type(vals).__name__}' object has no attribute 'get'"
        )
    return vals


class Env:
    """One call's view of the database: user and context, plus the ORM operations."""

    def __init__(self, db: Database, uid: int = 2, context: dict[str, Any] | None = None) -> None:
        self.db = db
        self.uid = uid
        self.context = dict(context or {})

    def model(self, name: str) -> Model:
        try:
            return self.db.models[name]
        except KeyError:
            raise UserError(f"Object {name} doesn't exist") from None

    def fields(self, name: str) -> dict[str, Field]:
        """Own fields plus those delegated to an `_inherits` parent."""
        m = self.model(name)
        if m.inherits is None:
            return m.fields
        return {**self.fields(m.inherits[0]), **m.fields}

    def field(self, model: str, name: str) -> Field | None:
        """A declared, delegated or magic field, or None."""
        return self.fields(model).get(name) or MAGIC_FIELDS.get(name)

    def stored(self, model: str, name: str) -> bool:
        """Whether Odoo can turn the field into SQL (order by it): stored, delegated to a
        stored parent field, or one the model maps itself (`Model.sql_computed`)."""
        m = self.model(model)
        if name not in m.fields and m.inherits is not None and name not in MAGIC:
            return self.stored(m.inherits[0], name)
        if name in m.sql_computed:
            return True
        return bool(fieldinfo.attribute(model, name, "store", True))

    def searchable(self, model: str, name: str) -> bool:
        """False for the computed fields real Odoo cannot search (the leaf is ignored)."""
        m = self.model(model)
        if name not in m.fields and m.inherits is not None:
            return self.searchable(m.inherits[0], name)
        return bool(fieldinfo.attribute(model, name, "searchable", True))

    def field_domain(self, model: str, name: str) -> list[Any]:
        """A relational field's own domain (a list one; string ones are only for forms)."""
        found = fieldinfo.attribute(model, name, "domain", [])
        return list(found) if isinstance(found, list) else []

    def field_context(self, model: str, name: str) -> dict[str, Any]:
        return dict(fieldinfo.attribute(model, name, "context", {}) or {})

    def with_context(self, extra: dict[str, Any]) -> Env:
        return Env(self.db, self.uid, {**self.context, **extra}) if extra else self

    def sudo_inactive(self) -> Env:
        """The view Odoo searches a many2one's comodel with: archived records included."""
        return Env(self.db, self.uid, {**self.context, "active_test": False})

    def _split(self, m: Model, vals: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(own values, values for the `_inherits` parent)."""
        if m.inherits is None:
            return vals, {}
        own = {k: v for k, v in vals.items() if k in m.fields}
        return own, {k: v for k, v in vals.items() if k not in m.fields}

    def table(self, name: str) -> dict[int, Record]:
        return self.db.tables[name]

    def existing(self, model: str, ids: list[int]) -> list[int]:
        """The ids that still exist (Odoo 18's read leaves deleted ones out)."""
        table = self.table(model)
        return [i for i in ids if i in table]

    def require(self, model: str, ids: list[int]) -> list[int]:
        """The ids, once each, or MissingError for the first deleted one (write, unlink)."""
        table = self.table(model)
        for i in ids:
            if i not in table:
                raise missing(model, i, self.uid)
        return list(dict.fromkeys(ids))

    def ensure(self, model: str, ids: list[int]) -> list[Record]:
        """The records, or MissingError as when Odoo reads a field of a deleted record."""
        table = self.table(model)
        return [table[i] for i in self.require(model, ids)]

    # -- create / write / unlink --------------------------------------------------------------

    def create(self, model: str, vals_list: list[dict[str, Any]]) -> list[int]:
        m = self.model(model)
        ids = []
        for vals in vals_list:
            vals = _as_vals(vals)
            self._check_names(m, vals)
            vals, parent_vals = self._split(m, vals)
            if m.inherits is not None:
                parent, link = m.inherits
                if vals.get(link):
                    if parent_vals:
                        self.write(parent, [vals[link]], parent_vals)
                else:
                    inner = Env(self.db, self.uid, {**self.context, "_from_child": model})
                    vals = {**vals, link: inner.create(parent, [parent_vals])[0]}
            rid = self.db.sequences[model] + 1
            self.db.sequences[model] = rid
            stamp = now()
            rec: Record = {"id": rid, "create_date": stamp, "write_date": stamp}
            rec["create_uid"] = rec["write_uid"] = self.uid
            for name, f in m.fields.items():
                if name in vals or f.type == "one2many":
                    continue
                default = f.default(self) if callable(f.default) else copy.deepcopy(f.default)
                rec[name] = self._convert(m, name, default)
            plain = {
                k: v for k, v in vals.items() if k not in MAGIC and m.fields[k].type != "one2many"
            }
            for name, value in plain.items():
                if m.fields[name].type == "many2many":
                    rec[name] = self._m2m(m, name, [], value)
                else:
                    rec[name] = self._convert(m, name, value)
            self.db.remember(model, rid)
            self.table(model)[rid] = rec
            self._one2many(m, rid, vals)
            self._validate(m, rec)
            for hook in m.on_create:
                hook(self, rid)
            ids.append(rid)
        if ids and "create" in m.clears_caches:
            self.db.clear_caches()
        return ids

    def write(self, model: str, ids: list[int], vals: dict[str, Any]) -> None:
        m = self.model(model)
        vals = _as_vals(vals)
        self._check_names(m, vals)
        # Magic columns are Odoo's to set: a written `id` or `write_date` is ignored.
        vals = {k: v for k, v in vals.items() if k not in MAGIC}
        vals, parent_vals = self._split(m, vals)
        if "write" in m.tolerates_missing:
            ids = self.existing(model, ids)
        for rec in self.ensure(model, ids):
            if m.inherits is not None and parent_vals:
                self.write(m.inherits[0], [rec[m.inherits[1]]], parent_vals)
            self.db.remember(model, rec["id"])
            for name, value in vals.items():
                f = m.fields[name]
                if f.type == "many2many":
                    rec[name] = self._m2m(m, name, rec.get(name) or [], value)
                elif f.type != "one2many":
                    rec[name] = self._convert(m, name, value)
            rec["write_date"], rec["write_uid"] = now(), self.uid
            self._one2many(m, rec["id"], vals)
            self._validate(m, rec)
            for hook in m.on_write:
                hook(self, rec["id"], vals)
        if ids and (set(vals) | set(parent_vals)) & set(m.clears_caches):
            self.db.clear_caches()

    def unlink(self, model: str, ids: list[int]) -> None:
        """Odoo's unlink: MissingError for a deleted id, the model's checks, then the
        DELETE with each foreign key's ON DELETE policy (`_delete`)."""
        m = self.model(model)
        if "unlink" in m.tolerates_missing:
            ids = self.existing(model, ids)
        ids = self.require(model, ids)
        for hook in m.on_unlink:
            hook(self, ids)
        self._delete(model, self.existing(model, ids))
        if ids and "unlink" in m.clears_caches:
            self.db.clear_caches()

    def _delete(self, model: str, ids: list[int]) -> None:
        """PostgreSQL's DELETE: the rows go, then every foreign key to them acts: restrict
        refuses (Odoo's ValidationError naming the constraint), cascade deletes the rows
        holding them (with their own foreign keys), set null empties the field; many2many
        relation rows go too."""
        table = self.table(model)
        gone = [i for i in ids if i in table]
        if not gone:
            return
        for rid in gone:
            self.db.remember(model, rid)
            del table[rid]
        cascades: list[tuple[str, list[int]]] = []
        emptied: list[tuple[str, int, str]] = []
        for ref, name, policy in self.db.references(model):
            ref_table = self.table(ref)
            holders = sorted(
                {h for rid in gone for h in self.db.lookup(ref, name, rid) if h in ref_table}
            )
            if not holders:
                continue
            if policy == "restrict":
                raise foreign_key_violation(self.model(ref), name)
            if policy == "cascade":
                cascades.append((ref, holders))
                continue
            for h in holders:
                self.db.remember(ref, h)
                ref_table[h][name] = False
                emptied.append((ref, h, name))
        dropped = set(gone)
        for ref, name in self.db.many2many_references(model):
            ref_table = self.table(ref)
            for h in sorted({h for rid in gone for h in self.db.lookup(ref, name, rid)}):
                if h in ref_table:
                    self.db.remember(ref, h)
                    ref_table[h][name] = [i for i in ref_table[h][name] if i not in dropped]
        for ref, holders in cascades:
            self._delete(ref, holders)
        # Then Odoo recomputes what depended on the emptied fields.
        for ref, h, name in emptied:
            if h in self.table(ref):
                for hook in self.model(ref).on_write:
                    hook(self, h, {name: False})

    def _check_names(self, m: Model, vals: dict[str, Any]) -> None:
        known = self.fields(m.name)
        for name in vals:
            if name not in known and name not in MAGIC:
                raise WrongValue(f"Invalid field {name!r} on model {m.name!r}")

    def _convert(self, m: Model, name: str, value: Any) -> Any:
        """Odoo's convert_to_cache + convert_to_column: the value as it will be stored."""
        f = m.fields[name]
        if value is None:
            value = False
        if f.type == "html":
            return self._html(m, name, value)
        if f.type in ("char", "text", "date", "datetime"):
            if value is False:
                return False
            text = str(value)
            return text[: f.size] if f.size else text
        try:
            if f.type == "integer":
                return int(value or 0)
            if f.type in ("float", "monetary"):
                return float(value or 0.0)
        except (TypeError, ValueError) as exc:
            raise python_error(type(exc).__name__, str(exc)) from None
        if f.type == "boolean":
            return bool(value)
        if f.type == "selection":
            if value is not False and value not in f.selection:
                raise WrongValue(f"Wrong value for {m.name}.{name}: {value!r}")
            return value
        if f.type == "many2one":
            if isinstance(value, list | tuple):
                value = value[0] if value else False
            if not value:
                return False
            assert f.relation
            try:
                rid = int(value)
            except (TypeError, ValueError):
                raise bad_text("integer", value) from None
            if rid not in self.table(f.relation):
                if name in m.reads_on_write:
                    raise missing(f.relation, rid, self.uid)
                raise foreign_key_violation(m, name)
            return rid
        if f.type == "many2many":
            return list(value or [])
        return value

    def _html(self, m: Model, name: str, value: Any) -> Any:
        """An html field's value as Odoo 18 stores it: sanitised with the field's options,
        twice for a plain field (its convert_to_cache, then convert_to_column) and once
        for a translated one (html_translate stores the cache value)."""
        if value is False or value is None:
            return False
        text = str(value)
        if not fieldinfo.attribute(m.name, name, "sanitize", True):
            return text
        options = html_sanitize.Options(
            tags=bool(fieldinfo.attribute(m.name, name, "sanitize_tags", True)),
            attributes=bool(fieldinfo.attribute(m.name, name, "sanitize_attributes", True)),
            style=bool(fieldinfo.attribute(m.name, name, "sanitize_style", False)),
            strip_style=bool(fieldinfo.attribute(m.name, name, "strip_style", False)),
            strip_classes=bool(fieldinfo.attribute(m.name, name, "strip_classes", False)),
        )
        text = html_sanitize.sanitize(text, options)
        if not fieldinfo.attribute(m.name, name, "translate", False):
            text = html_sanitize.sanitize(text, options)
        return text

    def _m2m(self, m: Model, name: str, current: list[int], commands: Any) -> list[int]:
        f = m.fields[name]
        assert f.relation
        ids = list(current)
        for cmd in commands or []:
            if isinstance(cmd, int):
                ids = list(dict.fromkeys([*ids, cmd]))
                continue
            op = cmd[0]
            if op == 0:
                ids.append(self.create(f.relation, [cmd[2]])[0])
            elif op == 4:
                self.ensure(f.relation, [cmd[1]])
                ids = list(dict.fromkeys([*ids, cmd[1]]))
            elif op == 3:
                ids = [i for i in ids if i != cmd[1]]
            elif op == 5:
                ids = []
            elif op == 6:
                self.ensure(f.relation, list(cmd[2]))
                ids = list(dict.fromkeys(cmd[2]))
            else:
                raise WrongValue(f"Unsupported x2many command {cmd!r} on {m.name}.{name}")
        return ids

    def _one2many(self, m: Model, rid: int, vals: dict[str, Any]) -> None:
        for name, commands in vals.items():
            f = m.fields[name]
            if f.type != "one2many":
                continue
            assert f.relation and f.inverse
            for cmd in commands or []:
                op = cmd[0]
                if op == 0:
                    self.create(f.relation, [{**cmd[2], f.inverse: rid}])
                elif op == 1:
                    self.write(f.relation, [cmd[1]], cmd[2])
                elif op == 2:
                    self.unlink(f.relation, [cmd[1]])
                elif op == 4:
                    self.write(f.relation, [cmd[1]], {f.inverse: rid})
                elif op == 6:
                    for child in self.search(f.relation, [(f.inverse, "=", rid)]):
                        if child not in cmd[2]:
                            self.write(f.relation, [child], {f.inverse: False})
                    self.write(f.relation, list(cmd[2]), {f.inverse: rid})
                else:
                    raise WrongValue(f"Unsupported x2many command {cmd!r} on {m.name}.{name}")

    def _validate(self, m: Model, rec: Record) -> None:
        for name, f in m.fields.items():
            if f.required and f.type not in X2MANY and rec.get(name) in (False, None, ""):
                raise ValidationError(
                    "The operation cannot be completed:\n"
                    "- Create/update: a mandatory field is not set.\n"
                    "- Delete: another model requires the record being deleted. "
                    "If possible, archive it instead.\n\n"
                    f"Model: {m.description} ({m.name})\n"
                    f"Field: {fieldinfo.attribute(m.name, name, 'string', f.string or name)} "
                    f"({name})\n"
                )
        for names, message in m.uniques:
            key = tuple(rec.get(n) for n in names)
            if any(v in (False, None) for v in key):
                continue
            for other in self.table(m.name).values():
                if other["id"] != rec["id"] and tuple(other.get(n) for n in names) == key:
                    raise ValidationError(message)
        for check in m.constraints:
            check(self, rec)

    # -- read / search ------------------------------------------------------------------------

    def display_name(self, model: str, rid: int) -> str:
        m = self.model(model)
        rec = self.table(model).get(rid)
        if rec is None:
            return ""
        if m.display_name is not None:
            return m.display_name(self, rec)
        value = self.value(model, rec, m.rec_name) if m.rec_name else False
        if isinstance(value, int) and not isinstance(value, bool) and m.rec_name:
            f = self.field(model, m.rec_name)
            if f is not None and f.relation:
                return self.display_name(f.relation, value)
        return str(value) if value else f"{model},{rid}"

    def value(self, model: str, rec: Record, name: str) -> Any:
        """A field's stored value; one2many ones are looked up through their inverse."""
        if name in ("id", "create_date", "write_date", "create_uid", "write_uid"):
            return rec.get(name, False)
        if name == "display_name":
            return self.display_name(model, rec["id"])
        m = self.model(model)
        if name not in m.fields and m.inherits is not None:
            parent, link = m.inherits
            return self.value(parent, self.table(parent)[rec[link]], name)
        f = m.fields[name]
        if f.type == "one2many":
            assert f.relation and f.inverse
            return self.db.lookup(f.relation, f.inverse, rec["id"])
        return rec.get(name, False)

    def lookup(self, model: str, name: str, value: Any) -> list[Record]:
        """The records whose relational field `name` holds `value`, in id order (indexed)."""
        table = self.table(model)
        return [table[rid] for rid in self.db.lookup(model, name, value)]

    def read(
        self,
        model: str,
        ids: list[int],
        fields: list[str] | None = None,
        load: str | None = "_classic_read",
    ) -> list[Record]:
        """Odoo 18's read: deleted ids are left out; `load` other than '_classic_read'
        gives many2one values as bare ids instead of [id, display_name]."""
        all_fields = self.fields(model)
        names = list(fields) if fields else [*all_fields, *MAGIC]
        for name in names:
            if name not in all_fields and name not in MAGIC:
                raise WrongValue(f"Invalid field {name!r} on model {model!r}")
        for i in ids:
            if isinstance(i, bool) or not isinstance(i, int):
                raise bad_text("integer", i)
        table = self.table(model)
        with_names = load == "_classic_read"
        out = []
        for rec in (table[i] for i in ids if i in table):
            row: Record = {"id": rec["id"]}
            for name in names:
                value = self.value(model, rec, name)
                f = all_fields.get(name) or MAGIC_FIELDS.get(name)
                if f is not None and f.type == "many2one":
                    assert f.relation
                    if with_names:
                        value = [value, self.display_name(f.relation, value)] if value else False
                row[name] = False if value is None else value
            out.append(row)
        return out

    def search(
        self,
        model: str,
        domain: list[Any] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[int]:
        """BaseModel._search + the SQL it runs (see domain.py for the domain's steps)."""
        m = self.model(model)
        raw = [] if domain is None else domain
        if domains.is_false(domains.normalize(raw)):
            return []
        terms = list(raw)
        active_test = "active" in m.fields and self.context.get("active_test", True)
        if active_test and not domains.mentions(terms, "active"):
            terms = [("active", "=", 1), *terms]
        matcher = domains.compile_domain(self, model, terms)
        specs = order or m.order
        ordering.terms(self, model, specs)  # checked before the query runs, as Odoo does
        start, count = _window(offset, limit)
        table = self.table(model)
        ids = self._candidates(m, domains.normalize(terms))
        candidates = table.values() if ids is None else (table[i] for i in ids)
        recs = ordering.sort(self, model, [r for r in candidates if matcher(r)], specs)
        found = [r["id"] for r in recs]
        return found[start : None if count is None else start + count]

    def _candidates(self, m: Model, tokens: list[Any]) -> list[int] | None:
        """The only ids that can match, when the domain ANDs `many2one = id` or `in ids`.

        Found through `Database.lookup`, so searching the lines of an invoice or the
        moves of a picking does not scan the whole table. None: every record may match.
        (`ordering.sort` orders by id first, so the result does not depend on this.)
        """
        if any(t in ("|", "!") for t in tokens):
            return None
        for term in tokens:
            if not isinstance(term, tuple) or len(term) != 3 or not isinstance(term[0], str):
                continue
            name, op, value = term
            f = m.fields.get(name)
            if f is None or f.type != "many2one" or op not in ("=", "in"):
                continue
            values = value if op == "in" and isinstance(value, list | tuple) else [value]
            if values and all(
                isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values
            ):
                return sorted({i for v in values for i in self.db.lookup(m.name, name, v)})
        return None


def _window(offset: Any, limit: Any) -> tuple[int, int | None]:
    """OFFSET and LIMIT as PostgreSQL takes them: a falsy limit (None, False, 0) is none."""
    bounds: list[int | None] = []
    for clause, value in (("OFFSET", offset), ("LIMIT", limit)):
        if value is None or value is False or value == 0:
            bounds.append(None)
            continue
        try:
            number = int(value) if not isinstance(value, float) else round(value)
        except (TypeError, ValueError):
            raise bad_text("bigint", value) from None
        if number < 0:
            kind = "Limit" if clause == "LIMIT" else "ResultOffset"
            raise DatabaseError(f"InvalidRowCountIn{kind}Clause", f"{clause} must not be negative")
        bounds.append(number)
    return bounds[0] or 0, bounds[1]
