"""Customers, Magento -> Odoo: a page of Magento customers becomes partners with addresses.

One page is one unit of work: its raw payload is kept on the page's log, a customer
that cannot be mapped gets a failed log of its own (raw payload and reason), and
the rest of the page goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bridge.clients.magento_search import SearchCriteria
from bridge.clients.odoo import OdooClient
from bridge.mappers import customer as cm
from bridge.mappers.errors import MappingError
from bridge.models import Connection, Direction
from bridge.sync.logbook import failed_record
from bridge.sync.partners import PartnerResolver

#: The cursor stream and the Magento search path of customer pulls.
STREAM = "customers"
SEARCH_PATH = "customers/search"
PAGE_SIZE = 100


@dataclass
class CustomerPage:
    session: Session
    connection: Connection
    odoo: OdooClient


def import_customers(page: CustomerPage, payloads: list[dict[str, Any]]) -> dict[str, Any]:
    """Import one page; returns counts and the Odoo partner id per Magento customer id."""
    mapped: list[cm.Customer] = []
    failed = 0
    for payload in payloads:
        try:
            mapped.append(cm.customer(payload))
        except MappingError as exc:
            failed += 1
            failed_record(
                page.session,
                connection_id=page.connection.id,
                entity="customer",
                direction=Direction.MAGENTO_TO_ODOO,
                key=str(payload.get("id")) if isinstance(payload, dict) else None,
                payload=payload,
                reason=f"cannot import customer {payload.get('email', '?')}: {exc}",
            )
    resolver = PartnerResolver(page.session, page.connection.id, page.odoo)
    ids = resolver.resolve(mapped)
    by_key = {f"id:{c.magento_id}": c for c in mapped}
    for key, reason in resolver.failures.items():
        failed += 1
        c = by_key[key]
        raw = next((p for p in payloads if isinstance(p, dict) and p.get("id") == c.magento_id), {})
        failed_record(
            page.session,
            connection_id=page.connection.id,
            entity="customer",
            direction=Direction.MAGENTO_TO_ODOO,
            key=str(c.magento_id),
            payload=raw,
            reason=f"cannot import {reason}",
        )
        mapped.remove(c)
    return {
        "customers": len(payloads),
        "created": resolver.created,
        "updated": resolver.updated,
        "failed": failed,
        "partners": {str(c.magento_id): ids[f"id:{c.magento_id}"].partner_id for c in mapped},
    }


def customer_search(customer_ids: list[int] | None = None) -> SearchCriteria:
    """The Magento search of a pull: every customer, or only the ones asked for."""
    criteria = SearchCriteria()
    if customer_ids:
        criteria = criteria.where("entity_id", [int(i) for i in customer_ids], "in")
    return criteria
