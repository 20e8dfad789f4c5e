"""Find or create the Odoo partners of a page of customers, in a handful of calls.

Who is who (the partner rule):
- A registered customer is matched by its Binding (Magento customer id), else by a
  top-level Odoo partner with its e-mail (case-insensitive) that is not another
  customer's and not a guest's, else created. Its values are written when they changed.
- A guest (an order without account) is matched by its Binding (its e-mail in lower
  case), else by a top-level partner with that e-mail that no customer or guest of this
  connection is bound to and that carries no Magento customer id (`ref`), else created.
  So a guest never lands on, nor writes over, a registered customer's partner, even
  with the same e-mail in another case; guests and accounts stay apart.
- Who writes: a customer's partner is written by customer imports only (Magento's
  customer record is the source); an order import creates it when missing, never
  rewrites it with the order's addresses. A guest's partner follows its latest order.
  A registered customer's partner never keeps the guests' tag ("NOT LOGGED IN").
- Repair: a guest bound to a partner that is also a customer's (what Bridge did before
  this rule) is unbound and gets a partner of its own, and the customer's partner gets
  the customer's values written again at its next customer import.

Address contacts are children of the partner, one per distinct address and kind
(`bridge.mappers.customer.address_key`, kept in `ref`): bound per owner and key, else an
existing child whose address fields are the same (`ADDRESS_IDENTITY`), else created. A
contact is never rewritten: it is the address the orders that used it were sent to.

Per page: one lookup of countries and states, one search by e-mail, one create of the
new partners, one search and one create of the address contacts, and one write per
changed partner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bridge.clients.odoo import OdooClient, m2o_id
from bridge.mappers import customer as cm
from bridge.mappers.errors import MappingError
from bridge.mappers.fingerprint import fingerprint
from bridge.models import Binding, utcnow
from bridge.sync import bindings
from bridge.sync.locks import lock_keys

WITH_ARCHIVED = {"active_test": False}
#: Magento's group of guests ("NOT LOGGED IN").
GUEST_GROUP = 0


@dataclass(frozen=True)
class PartnerIds:
    partner_id: int
    invoice_id: int
    delivery_id: int


def customer_key(c: cm.Customer) -> str:
    """The Binding key of a customer: its Magento id, or its e-mail for a guest."""
    return f"id:{c.magento_id}" if c.magento_id is not None else f"email:{c.email}"


def _entity(key: str) -> str:
    return "customer" if key.startswith("id:") else "guest"


class PartnerResolver:
    """Resolves customers to Odoo partner ids for one connection, batching Odoo calls."""

    def __init__(self, session: Session, connection_id: int, odoo: OdooClient) -> None:
        self.session = session
        self.connection_id = connection_id
        self.odoo = odoo
        self._countries: dict[str, int] | None = None
        #: Odoo states by `cm.state_key` of their code and of their name.
        self._states: dict[tuple[str, str], int] = {}
        self._state_countries: set[str] = set()
        self.created = 0
        self.updated = 0
        self.failures: dict[str, str] = {}

    # -- lookups ------------------------------------------------------------------------------

    def _places(self, customers: Iterable[cm.Customer]) -> None:
        """Load countries once, and the states of the countries these customers use."""
        if self._countries is None:
            rows = self.odoo.search_read("res.country", [], ["code"])
            self._countries = {r["code"]: r["id"] for r in rows}
        wanted = {a.country_code for c in customers for a in c.addresses if a.country_code}
        wanted -= self._state_countries
        ids = [self._countries[c] for c in wanted if c in self._countries]
        self._state_countries |= wanted
        if ids:
            by_id = {v: k for k, v in self._countries.items()}
            for r in self.odoo.search_read(
                "res.country.state", [("country_id", "in", ids)], ["code", "name", "country_id"]
            ):
                country = by_id[m2o_id(r["country_id"]) or 0]
                for text in (r["name"], r["code"]):  # the code wins a clash: set last
                    if text:
                        self._states[cm.state_key(country, text)] = r["id"]

    def _bindings(self, entity: str, keys: Iterable[str]) -> dict[str, Binding]:
        return bindings.by_keys(self.session, self.connection_id, entity, keys)

    def _group_tags(self, customers: Iterable[cm.Customer]) -> dict[int, int]:
        groups = {str(c.group_id) for c in customers if c.group_id is not None}
        groups.add(str(GUEST_GROUP))
        return {int(k): b.odoo_id for k, b in self._bindings("customer_group", groups).items()}

    # -- resolution ---------------------------------------------------------------------------

    def resolve(
        self, customers: list[cm.Customer], *, write_customers: bool = True
    ) -> dict[str, PartnerIds]:
        """Partner ids per `customer_key`, creating or updating what differs in Odoo.

        `write_customers` False (order imports): registered customers' partners are
        created when missing but not rewritten. A customer that cannot be mapped (e.g. a
        country Odoo lacks) is left out and its reason kept in `self.failures`, so the
        rest of the page goes on.
        """
        self.failures = {}
        self._write_customers = write_customers
        unique = {customer_key(c): c for c in customers}
        if not unique:
            return {}
        # Another page may be creating the same customer right now: wait for it.
        lock_keys(self.session, f"customer:{self.connection_id}", unique)
        self._places(unique.values())
        self._tags = self._group_tags(unique.values())
        values: dict[str, dict] = {}
        for key, c in list(unique.items()):
            try:
                values[key] = cm.partner_values(
                    c,
                    tag_id=self._tags.get(c.group_id) if c.group_id is not None else None,
                    country_ids=self._countries or {},
                    state_ids=self._states,
                )
                guest_tag = self._tags.get(GUEST_GROUP)
                if c.magento_id is not None and guest_tag and c.group_id != GUEST_GROUP:
                    tags = values[key].get("category_id", [])
                    values[key]["category_id"] = [*tags, (3, guest_tag)]
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
        repaired = self._repair(entity, bound)
        ids = {k: b.odoo_id for k, b in bound.items()}
        unbound = [k for k in customers if k not in bound]
        if unbound:
            found = self._by_email(unbound, customers)
            taken = self._bound_odoo_ids([row["id"] for row in found])
            for row in found:
                key = next(
                    (k for k in unbound
                     if k not in ids and (row.get("email") or "").lower() == customers[k].email),
                    None,
                )  # fmt: skip
                if key is None or row["id"] in taken:
                    continue
                if entity == "guest" and row.get("ref"):
                    continue  # a registered customer's partner: guests keep apart
                ids[key] = row["id"]
                taken.add(row["id"])
                if self._writes(entity):
                    self._write_if_changed(key, entity, "res.partner", row["id"], values[key])
                else:  # bound unwritten: the customer import writes it (fingerprint unknown)
                    bindings.bind(self.session, self.connection_id, entity, key,
                                  "res.partner", row["id"], None)  # fmt: skip
            new = [k for k in unbound if k not in ids]
            if new:
                created = self.odoo.create("res.partner", [values[k] for k in new])
                for key, odoo_id in zip(new, created, strict=True):
                    ids[key] = odoo_id
                    self._bind(entity, key, "res.partner", odoo_id, values[key])
                self.created += len(new)
        for key, binding in bound.items():
            if not self._writes(entity):
                continue
            if key in repaired:
                binding.fingerprint = None  # what a guest wrote there is not the customer's
            self._write_if_changed(key, entity, "res.partner", binding.odoo_id, values[key],
                                   binding=binding)  # fmt: skip
        return ids

    def _writes(self, entity: str) -> bool:
        return entity == "guest" or self._write_customers

    def _by_email(self, keys: list[str], customers: dict[str, cm.Customer]) -> list[dict]:
        """Top-level partners whose e-mail is one of these customers', in any case.

        `=ilike` without wildcards escaped (Magento's e-mails may hold `_`); the exact,
        case-insensitive comparison is made on the rows.
        """
        emails = sorted({customers[k].email for k in keys})
        domain: list[Any] = ["|"] * (len(emails) - 1)
        domain += [("email", "=ilike", e) for e in emails]
        rows = self.odoo.search_read(
            "res.partner",
            [("parent_id", "=", False), *domain],
            ["email", "ref"],
            order="id asc",
            context=WITH_ARCHIVED,
        )
        return [r for r in rows if (r.get("email") or "").lower() in emails]

    def _bound_odoo_ids(self, odoo_ids: list[int]) -> set[int]:
        """Partners any customer or guest of this connection is bound to."""
        return bindings.bound_odoo_ids(
            self.session, self.connection_id, "customer", odoo_ids
        ) | bindings.bound_odoo_ids(self.session, self.connection_id, "guest", odoo_ids)

    def _repair(self, entity: str, bound: dict[str, Binding]) -> set[str]:
        """Undo guests bound to customers' partners (what Bridge did before the rule).

        The guest binding is dropped (the guest is matched again, apart) and the
        customer's binding forgets its fingerprint, so its next customer import writes
        the customer's values back. Returns the customer keys to write again now.
        """
        other = "customer" if entity == "guest" else "guest"
        shared = bindings.bound_odoo_ids(
            self.session, self.connection_id, other, [b.odoo_id for b in bound.values()]
        )
        hit = {k for k, b in bound.items() if b.odoo_id in shared}
        for odoo_id in sorted(shared):
            guest = bindings.by_odoo_id(self.session, self.connection_id, "guest", odoo_id)
            owner = bindings.by_odoo_id(self.session, self.connection_id, "customer", odoo_id)
            if guest is not None:
                self.session.delete(guest)
                bound.pop(guest.magento_key, None)
            if owner is not None:
                owner.fingerprint = None
        self.session.flush()
        return hit if entity == "customer" else set()

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
            ids.update(self._existing_contacts({k: values[k] for k in unbound}))
            new = [k for k in unbound if k not in ids]
            if new:
                created = self.odoo.create("res.partner", [values[k] for k in new])
                for key, odoo_id in zip(new, created, strict=True):
                    ids[key] = odoo_id
                    self._bind("address", key, "res.partner", odoo_id, values[key])
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

    def _existing_contacts(self, values: dict[str, dict]) -> dict[str, int]:
        """Existing children with the same address fields, bound to these keys.

        Covers a crash after Odoo created the contact, contacts made before the content
        keys (with another `ref`), and contacts a person entered in Odoo.
        """
        parents = sorted({v["parent_id"] for v in values.values()})
        rows = self.odoo.search_read(
            "res.partner",
            [("parent_id", "in", parents), ("type", "in", ["invoice", "delivery"])],
            ["parent_id", *cm.ADDRESS_IDENTITY],
            order="id asc",
        )
        by_identity: dict[tuple, int] = {}
        for row in rows:
            identity = (m2o_id(row["parent_id"]), *(_plain(row[f]) for f in cm.ADDRESS_IDENTITY))
            by_identity.setdefault(identity, row["id"])
        found: dict[str, int] = {}
        for key, v in values.items():
            identity = (v["parent_id"], *(_plain(v[f]) for f in cm.ADDRESS_IDENTITY))
            odoo_id = by_identity.get(identity)
            if odoo_id is None or odoo_id in found.values():
                continue
            found[key] = odoo_id
            old = bindings.by_odoo_id(self.session, self.connection_id, "address", odoo_id)
            if old is not None:  # bound under an older key: the binding follows the key
                old.magento_key = key
                old.synced_at = utcnow()
            else:
                self._bind("address", key, "res.partner", odoo_id, v)
        self.session.flush()
        return found

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


def _plain(value: Any) -> Any:
    """A field as both sides compare it: a many2one's id, empty as False."""
    if isinstance(value, list | tuple):
        return value[0] if value else False
    return value or False
