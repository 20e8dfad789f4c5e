"""Find or create the Odoo partners of a page of customers, in a handful of calls.

Matching goes Binding first (Magento customer id, or e-mail for guests), then the
e-mail of a top-level Odoo partner, and only then creates. Address contacts carry
their natural key in `ref` (see `bridge.mappers.customer.address_key`), so a
re-import finds and updates them instead of adding more. Per page: one lookup of
countries and states, one search by e-mail, one create of the new partners, one
search and one create of the address contacts, and one write per changed record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bridge.clients.odoo import OdooClient, m2o_id
from bridge.mappers import customer as cm
from bridge.mappers.errors import MappingError
from bridge.mappers.fingerprint import fingerprint
from bridge.models import Binding, utcnow
from bridge.sync import bindings
from bridge.sync.locks import lock_keys

WITH_ARCHIVED = {"active_test": False}


@dataclass(frozen=True)
class PartnerIds:
    partner_id: int
    invoice_id: int
    delivery_id: int


def customer_key(c: cm.Customer) -> str:
    """The Binding key of a customer: its Magento id, or its e-mail for a guest."""
    return f"id:{c.magento_id}" if c.magento_id is not None else f"email:{c.email}"


def _entity(key: str) -> str:
    # Guests bind apart from accounts: a guest and an account may share one Odoo partner.
    return "customer" if key.startswith("id:") else "guest"


class PartnerResolver:
    """Resolves customers to Odoo partner ids for one connection, batching Odoo calls."""

    def __init__(self, session: Session, connection_id: int, odoo: OdooClient) -> None:
        self.session = session
        self.connection_id = connection_id
        self.odoo = odoo
        self._countries: dict[str, int] | None = None
        self._states: dict[tuple[str, str], int] = {}
        self.created = 0
        self.updated = 0
        self.failures: dict[str, str] = {}

    # -- lookups ------------------------------------------------------------------------------

    def _places(self, customers: Iterable[cm.Customer]) -> None:
        """Load countries once, and the states of the countries these customers use."""
        if self._countries is None:
            rows = self.odoo.search_read("res.country", [], ["code"])
            self._countries = {r["code"]: r["id"] for r in rows}
        wanted = {a.country_code for c in customers for a in c.addresses if a.country_code} - {
            country for country, _ in self._states
        }
        ids = [self._countries[c] for c in wanted if c in self._countries]
        if ids:
            by_id = {v: k for k, v in self._countries.items()}
            for r in self.odoo.search_read(
                "res.country.state", [("country_id", "in", ids)], ["code", "country_id"]
            ):
                country = by_id[m2o_id(r["country_id"])]
                self._states[(country, r["code"])] = r["id"]

    def _bindings(self, entity: str, keys: Iterable[str]) -> dict[str, Binding]:
        return bindings.by_keys(self.session, self.connection_id, entity, keys)

    def _group_tags(self, customers: Iterable[cm.Customer]) -> dict[int, int]:
        groups = {str(c.group_id) for c in customers if c.group_id is not None}
        return {int(k): b.odoo_id for k, b in self._bindings("customer_group", groups).items()}

    # -- resolution ---------------------------------------------------------------------------

    def resolve(self, customers: list[cm.Customer]) -> dict[str, PartnerIds]:
        """Partner ids per `customer_key`, creating or updating what differs in Odoo.

        A customer that cannot be mapped (e.g. a country Odoo lacks) is left out and
        its reason kept in `self.failures`, so the rest of the page goes on.
        """
        self.failures: dict[str, str] = {}
        unique = {customer_key(c): c for c in customers}
        if not unique:
            return {}
        # Another page may be creating the same customer right now: wait for it.
        lock_keys(self.session, f"customer:{self.connection_id}", unique)
        self._places(unique.values())
        tags = self._group_tags(unique.values())
        values: dict[str, dict] = {}
        for key, c in list(unique.items()):
            try:
                values[key] = cm.partner_values(
                    c,
                    tag_id=tags.get(c.group_id) if c.group_id is not None else None,
                    country_ids=self._countries or {},
                    state_ids=self._states,
                )
                for a in c.addresses:
                    cm.address_values(
                        a, parent_id=0, country_ids=self._countries or {}, state_ids=self._states
                    )
            except MappingError as exc:
                self.failures[key] = f"customer {c.email}: {exc}"
                del unique[key]
        partners = self._sync_partners(unique, values)
        return self._sync_addresses(unique, partners)

    def _sync_partners(
        self, customers: dict[str, cm.Customer], values: dict[str, dict]
    ) -> dict[str, int]:
        ids: dict[str, int] = {}
        for entity in ("customer", "guest"):
            keys = {k: c for k, c in customers.items() if _entity(k) == entity}
            if keys:
                ids.update(self._sync_entity(entity, keys, values))
        return ids

    def _sync_entity(
        self, entity: str, customers: dict[str, cm.Customer], values: dict[str, dict]
    ) -> dict[str, int]:
        bound = self._bindings(entity, customers)
        ids = {k: b.odoo_id for k, b in bound.items()}
        unbound = [k for k in customers if k not in bound]
        if unbound:
            emails = {customers[k].email: k for k in unbound}
            found = self.odoo.search_read(
                "res.partner",
                [("email", "in", list(emails)), ("parent_id", "=", False)],
                ["email"],
                order="id asc",
                context=WITH_ARCHIVED,
            )
            taken = self._bound_odoo_ids(entity, [row["id"] for row in found])
            for row in found:
                key = emails.get((row.get("email") or "").lower())
                if key is not None and key not in ids and row["id"] not in taken:
                    ids[key] = row["id"]
                    taken.add(row["id"])
                    self._write_if_changed(key, entity, "res.partner", row["id"], values[key])
            new = [k for k in unbound if k not in ids]
            if new:
                created = self.odoo.create("res.partner", [values[k] for k in new])
                for key, odoo_id in zip(new, created, strict=True):
                    ids[key] = odoo_id
                    self._bind(entity, key, "res.partner", odoo_id, values[key])
                self.created += len(new)
        for key, binding in bound.items():
            self._write_if_changed(key, entity, "res.partner", binding.odoo_id, values[key],
                                   binding=binding)  # fmt: skip
        return ids

    def _bound_odoo_ids(self, entity: str, odoo_ids: list[int]) -> set[int]:
        return bindings.bound_odoo_ids(self.session, self.connection_id, entity, odoo_ids)

    def _sync_addresses(
        self, customers: dict[str, cm.Customer], partners: dict[str, int]
    ) -> dict[str, PartnerIds]:
        wanted: dict[str, tuple[str, cm.Address]] = {}
        for key, c in customers.items():
            for a in c.addresses:
                wanted[f"{key}/{cm.address_key(a)}"] = (key, a)
        values = {
            k: cm.address_values(
                a,
                parent_id=partners[owner],
                country_ids=self._countries or {},
                state_ids=self._states,
            )  # fmt: skip
            for k, (owner, a) in wanted.items()
        }
        bound = self._bindings("address", wanted)
        ids = {k: b.odoo_id for k, b in bound.items()}
        unbound = [k for k in wanted if k not in bound]
        if unbound:
            refs = {(partners[wanted[k][0]], cm.address_key(wanted[k][1])): k for k in unbound}
            found = self.odoo.search_read(
                "res.partner",
                [
                    ("parent_id", "in", sorted({p for p, _ in refs})),
                    ("ref", "in", sorted({r for _, r in refs})),
                ],
                ["parent_id", "ref"],
                context=WITH_ARCHIVED,
            )
            for row in found:
                key = refs.get((m2o_id(row["parent_id"]), row["ref"]))
                if key is not None and key not in ids:
                    ids[key] = row["id"]
                    self._write_if_changed(key, "address", "res.partner", row["id"], values[key])
            new = [k for k in unbound if k not in ids]
            if new:
                created = self.odoo.create("res.partner", [values[k] for k in new])
                for key, odoo_id in zip(new, created, strict=True):
                    ids[key] = odoo_id
                    self._bind("address", key, "res.partner", odoo_id, values[key])
        for key, binding in bound.items():
            self._write_if_changed(key, "address", "res.partner", binding.odoo_id, values[key],
                                   binding=binding)  # fmt: skip
        out: dict[str, PartnerIds] = {}
        for key, c in customers.items():
            partner = partners[key]
            inv = c.invoice_address
            dlv = c.delivery_address or inv
            out[key] = PartnerIds(
                partner_id=partner,
                invoice_id=ids[f"{key}/{cm.address_key(inv)}"] if inv else partner,
                delivery_id=ids[f"{key}/{cm.address_key(dlv)}"] if dlv else partner,
            )
        return out

    # -- bindings -----------------------------------------------------------------------------

    def _bind(self, entity: str, key: str, model: str, odoo_id: int, values: dict) -> None:
        bindings.bind(
            self.session, self.connection_id, entity, key, model, odoo_id, fingerprint(values)
        )

    def _write_if_changed(
        self,
        key: str,
        entity: str,
        model: str,
        odoo_id: int,
        values: dict,
        binding: Binding | None = None,
    ) -> None:
        fp = fingerprint(values)
        if binding is not None and binding.fingerprint == fp:
            return
        self.odoo.write(model, [odoo_id], values)
        self.updated += 1
        if binding is None:
            self._bind(entity, key, model, odoo_id, values)
        else:
            binding.fingerprint = fp
            binding.synced_at = utcnow()
