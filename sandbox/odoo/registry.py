"""A generic, thread-safe, in-memory ORM: typed fields, defaults, constraints, x2many commands.

Models are declared as data (`Model` + `Field`), so a new Odoo model is one small
module under `sandbox/odoo/models/`. Every RPC call runs in one transaction
(`Database.transaction`): on any error its changes are undone, as PostgreSQL
would, which keeps "fails halfway through a create list" honest.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.odoo import domain as domains
from sandbox.odoo.exceptions import MissingError, UserError, ValidationError, WrongValue

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


def fld(type_: str, string: str = "", **kw: Any) -> Field:
    return Field(type_, string, **kw)


@dataclass
class Method:
    """A public model method; `api_model` ones get no ids (like Odoo's @api.model)."""

    func: Callable[..., Any]
    api_model: bool = False


@dataclass
class Model:
    name: str
    description: str
    fields: dict[str, Field]
    rec_name: str = "name"
    order: str = "id"
    #: (field names, full error message) pairs: what real Odoo says on violation.
    uniques: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    #: Python constraints `(env, record) -> None`, raise ValidationError.
    constraints: list[Callable[[Env, Record], None]] = field(default_factory=list)
    methods: dict[str, Method] = field(default_factory=dict)
    #: Hooks `(env, record_id) -> None` run after a record is created.
    on_create: list[Callable[[Env, int], None]] = field(default_factory=list)
    on_write: list[Callable[[Env, int, dict[str, Any]], None]] = field(default_factory=list)
    display_name: Callable[[Env, Record], str] | None = None
    #: Odoo's `_inherits`: (parent model, many2one to it); parent fields read/write through.
    inherits: tuple[str, str] | None = None

    def method(self, name: str | None = None, *, api_model: bool = False) -> Callable[..., Any]:
        """Decorator registering a workflow method on this model."""

        def register(func: Callable[..., Any]) -> Callable[..., Any]:
            self.methods[name or func.__name__] = Method(func, api_model)
            return func

        return register


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


class Database:
    """All tables of one sandbox database; one lock serialises calls like one worker would."""

    def __init__(self, name: str, models: dict[str, Model]) -> None:
        self.name = name
        self.models = models
        self.lock = threading.RLock()
        self.tables: dict[str, dict[int, Record]] = {m: {} for m in models}
        self.sequences: dict[str, int] = {m: 0 for m in models}
        self._journal: list[tuple[str, int, Record | None]] | None = None
        self._journaled: set[tuple[str, int]] = set()
        self._indexes: dict[str, dict[str, Index]] = {m: {} for m in models}
        #: Records remembered since the indexes were last brought up to date (see `lookup`).
        self._touched: dict[str, set[int]] = {m: set() for m in models}

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            outer = self._journal is not None
            if not outer:
                self._journal = []
            try:
                yield
            except BaseException:
                if not outer:
                    self._rollback()
                raise
            finally:
                if not outer:
                    self._journal = None
                    self._journaled.clear()
                    self._reindex()

    def _rollback(self) -> None:
        for model, rid, old in reversed(self._journal or []):
            if old is None:
                self.tables[model].pop(rid, None)
            else:
                self.tables[model][rid] = old

    def remember(self, model: str, rid: int) -> None:
        """Called before a record changes: journal it for rollback, and stamp `write_date`.

        Every change moves `write_date` in Odoo, workflow methods included, and Bridge
        finds Odoo's changes by polling it.
        """
        old = self.tables[model].get(rid)
        self._touched[model].add(rid)
        # Only the first copy in a transaction matters: rollback restores the oldest one.
        if self._journal is not None and (model, rid) not in self._journaled:
            self._journaled.add((model, rid))
            self._journal.append((model, rid, copy.deepcopy(old) if old is not None else None))
        if old is not None:
            old["write_date"] = now()

    def lookup(self, model: str, name: str, value: Any) -> list[int]:
        """Ids of the `model` records whose field `name` holds `value`, in id order.

        For a many2many field, the records whose list contains `value`. What a one2many
        read, "the lines of this order" or "the moves of this picking" need: answered
        from an `Index` rather than a scan of the whole table, which made imports
        quadratic (bench/orders.py). The index is built on first use, is exact for
        records not touched since the last transaction ended, and the touched ones
        (model code changes records in place after `remember`) are checked one by one
        until the transaction ends, committed or rolled back, and folds them in.
        """
        table, touched = self.tables[model], self._touched[model]
        index = self._indexes[model].get(name)
        if index is None:
            index = self._indexes[model][name] = Index()
            for rid, rec in table.items():
                index.put(rid, rec.get(name))
        hits = {rid for rid in index.ids.get(value, ()) if rid not in touched}
        for rid in touched:
            rec = table.get(rid)
            held = rec.get(name) if rec is not None else None
            if held == value or (isinstance(held, list) and value in held):
                hits.add(rid)
        return sorted(hits)

    def _reindex(self) -> None:
        for model, touched in self._touched.items():
            table = self.tables[model]
            for name, index in self._indexes[model].items():
                for rid in touched:
                    index.put(rid, table[rid].get(name) if rid in table else _GONE)
            touched.clear()


_GONE = object()


def _keys(value: Any) -> list[Any]:
    """The index keys of a stored value: a many2many list's ids, else the value itself."""
    return value if isinstance(value, list) else [value]


class Index:
    """Ids by value for one field of one model (see `Database.lookup`)."""

    def __init__(self) -> None:
        self.ids: dict[Any, set[int]] = {}
        self._keys: dict[int, list[Any]] = {}

    def put(self, rid: int, value: Any) -> None:
        """File record `rid` under `value` (`_GONE`: the record no longer exists)."""
        for key in self._keys.pop(rid, ()):
            self.ids[key].discard(rid)
        if value is not _GONE:
            self._keys[rid] = keys = _keys(value)
            for key in keys:
                self.ids.setdefault(key, set()).add(rid)


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

    def _split(self, m: Model, vals: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(own values, values for the `_inherits` parent)."""
        if m.inherits is None:
            return vals, {}
        own = {k: v for k, v in vals.items() if k in m.fields}
        return own, {k: v for k, v in vals.items() if k not in m.fields}

    def table(self, name: str) -> dict[int, Record]:
        return self.db.tables[name]

    def existing(self, model: str, ids: list[int]) -> list[int]:
        """Odoo 18 drops deleted ids silently from read, write and unlink."""
        table = self.table(model)
        return [i for i in ids if i in table]

    def ensure(self, model: str, ids: list[int]) -> list[Record]:
        """The records, or MissingError as when Odoo reads a field of a deleted record."""
        table = self.table(model)
        missing = [i for i in ids if i not in table]
        if missing:
            shown = ", ".join(str(i) for i in missing)
            raise MissingError(
                "Record does not exist or has been deleted.\n"
                f"(Record: {model}({shown},), User: {self.uid})"
            )
        return [table[i] for i in ids]

    # -- create / write / unlink --------------------------------------------------------------

    def create(self, model: str, vals_list: list[dict[str, Any]]) -> list[int]:
        m = self.model(model)
        ids = []
        for vals in vals_list:
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
            plain = {k: v for k, v in vals.items() if m.fields[k].type != "one2many"}
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
        return ids

    def write(self, model: str, ids: list[int], vals: dict[str, Any]) -> None:
        m = self.model(model)
        self._check_names(m, vals)
        vals, parent_vals = self._split(m, vals)
        for rec in self.ensure(model, self.existing(model, ids)):
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

    def unlink(self, model: str, ids: list[int]) -> None:
        for rid in self.existing(model, ids):
            self.db.remember(model, rid)
            del self.table(model)[rid]

    def _check_names(self, m: Model, vals: dict[str, Any]) -> None:
        known = self.fields(m.name)
        for name in vals:
            if name not in known:
                raise WrongValue(f"Invalid field {name!r} on model {m.name!r}")

    def _convert(self, m: Model, name: str, value: Any) -> Any:
        """Odoo's convert_to_cache, in short: the value as it will be stored."""
        f = m.fields[name]
        if value is None:
            value = False
        if f.type in ("char", "text", "date", "datetime", "html"):
            if value is False:
                return False
            text = str(value)
            return text[: f.size] if f.size else text
        if f.type == "integer":
            return int(value or 0)
        if f.type in ("float", "monetary"):
            return float(value or 0.0)
        if f.type == "boolean":
            return bool(value)
        if f.type == "selection":
            if value is not False and value not in f.selection:
                raise WrongValue(f"Wrong value for {m.name}.{name}: {value!r}")
            return value
        if f.type == "many2one":
            if isinstance(value, list | tuple):
                value = value[0] if value else False
            if value:
                assert f.relation
                self.ensure(f.relation, [int(value)])
                return int(value)
            return False
        if f.type == "many2many":
            return list(value or [])
        return value

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
                    f"Field: {f.string or name} ({name})"
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
        value = rec.get(m.rec_name)
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

    def read(self, model: str, ids: list[int], fields: list[str] | None = None) -> list[Record]:
        all_fields = self.fields(model)
        names = list(fields) if fields else [*all_fields, *MAGIC]
        for name in names:
            if name not in all_fields and name not in MAGIC:
                raise WrongValue(f"Invalid field {name!r} on model {model!r}")
        out = []
        for rec in self.ensure(model, self.existing(model, ids)):
            row: Record = {"id": rec["id"]}
            for name in names:
                value = self.value(model, rec, name)
                f = all_fields.get(name)
                if name in ("create_uid", "write_uid") or (f and f.type == "many2one"):
                    relation = f.relation if f else "res.users"
                    assert relation
                    value = [value, self.display_name(relation, value)] if value else False
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
        m = self.model(model)
        terms = list(domain or [])
        if "active" in m.fields and self.context.get("active_test", True):
            mentioned = any(isinstance(t, list | tuple) and t[0] == "active" for t in terms)
            if not mentioned:
                terms = ["&", ("active", "=", True), *domains.normalize(terms)] if terms else []
                terms = terms or [("active", "=", True)]
        matcher = domains.compile_domain(self, model, terms)
        table = self.table(model)
        ids = self._candidates(m, terms)
        candidates = table.values() if ids is None else (table[i] for i in ids)
        recs = [r for r in candidates if matcher(r)]
        recs = self._sorted(m, recs, order or m.order)
        ids = [r["id"] for r in recs]
        end = None if limit is None or limit is False else offset + limit
        return ids[offset or 0 : end]

    def _candidates(self, m: Model, terms: list[Any]) -> list[int] | None:
        """The only ids that can match, when the domain ANDs `many2one = id` or `in ids`.

        Found through `Database.lookup`, so searching the lines of an invoice or the
        moves of a picking does not scan the whole table. None: every record may match.
        (`_sorted` orders by id first, so the result does not depend on this.)
        """
        tokens = domains.normalize(terms)
        if any(t in ("|", "!") for t in tokens):
            return None
        for term in tokens:
            if not isinstance(term, tuple) or len(term) != 3 or not isinstance(term[0], str):
                continue
            name, op, value = term
            f = m.fields.get(name)
            op = str(op).lower()
            if f is None or f.type != "many2one" or op not in ("=", "in"):
                continue
            values = value if op == "in" and isinstance(value, list | tuple | set) else [value]
            if all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values):
                return sorted({i for v in values for i in self.db.lookup(m.name, name, v)})
        return None

    def _sorted(self, m: Model, recs: list[Record], order: str) -> list[Record]:
        specs = []
        for part in order.split(","):
            words = part.split()
            if not words:
                continue
            name = words[0]
            if name not in self.fields(m.name) and name not in MAGIC:
                raise WrongValue(f"Invalid field {name!r} on model {m.name!r}")
            specs.append((name, len(words) > 1 and words[1].lower() == "desc"))
        recs = sorted(recs, key=lambda r: r["id"])
        for name, desc in reversed(specs):
            f = self.fields(m.name).get(name)

            def key(r: Record, name: str = name, f: Field | None = f) -> tuple[bool, Any]:
                v = self.value(m.name, r, name)
                if f is not None and f.type == "many2one" and v:
                    assert f.relation
                    v = self.display_name(f.relation, v)
                missing = v is None or v is False
                # NULLs last ascending and first descending, as PostgreSQL sorts them.
                return (missing, "" if missing else v)

            recs = sorted(recs, key=key, reverse=desc)
        return recs
