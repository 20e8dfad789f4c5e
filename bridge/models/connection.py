"""A Channel is one Magento instance; a Connection pairs a Magento scope with one Odoo database.

One Magento instance (its URL and credentials) can feed several connections, one
per website or Odoo database, each with its own settings. Secrets are stored
encrypted (see `bridge.crypto`) in `*_enc` columns and never leave through `repr`.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bridge.models.base import Base, JSONType, Timestamps, str_enum


class MagentoAuthMethod(enum.StrEnum):
    TOKEN = "token"  # integration access token used as a bearer token
    ADMIN = "admin"  # admin username + password exchanged for a token, renewed on 401
    OAUTH1 = "oauth1"  # integration consumer key/secret + access token/secret


class EventSource(enum.StrEnum):
    """Who signs the Magento events `bridge serve` takes for a connection (docs §3.7)."""

    BRIDGE = "bridge"  # X-Bridge-Signature: HMAC with the webhook secret (custom senders)
    IO_EVENTS = "io_events"  # Adobe I/O Events: RSA signatures, key paths, journal
    COMMERCE_WEBHOOKS = "commerce_webhooks"  # Adobe Commerce Webhooks: the store's RSA key


class OdooProtocol(enum.StrEnum):
    AUTO = "auto"
    JSONRPC = "jsonrpc"
    XMLRPC = "xmlrpc"
    JSON2 = "json2"


#: Magento order states imported unless the merchant says otherwise.
DEFAULT_ORDER_STATES = ["new", "pending_payment", "processing"]
#: Allowed values of `log_retention_days`; None keeps logs forever.
DEFAULT_RETENTION_DAYS = 30
RETENTION_CHOICES = (30, 60)


class Channel(Timestamps, Base):
    __tablename__ = "channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    magento_url: Mapped[str] = mapped_column(String(500))
    auth_method: Mapped[MagentoAuthMethod] = mapped_column(str_enum(MagentoAuthMethod, 16))
    username: Mapped[str | None] = mapped_column(String(200))
    # Encrypted: password (admin), token (bearer), or the four OAuth values as JSON.
    secret_enc: Mapped[str | None] = mapped_column(String(4000))
    webhook_secret_enc: Mapped[str | None] = mapped_column(String(1000))

    connections: Mapped[list[Connection]] = relationship(back_populates="channel")

    def __repr__(self) -> str:
        return f"<Channel {self.name} {self.magento_url} auth={self.auth_method}>"


class Connection(Timestamps, Base):
    __tablename__ = "connection"
    __table_args__ = (
        CheckConstraint(
            "log_retention_days IS NULL OR log_retention_days IN (30, 60)", name="retention"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    store_code: Mapped[str] = mapped_column(String(64), default="all")
    website_code: Mapped[str | None] = mapped_column(String(64))

    odoo_url: Mapped[str] = mapped_column(String(500))
    odoo_db: Mapped[str] = mapped_column(String(200))
    odoo_login: Mapped[str] = mapped_column(String(200))
    odoo_secret_enc: Mapped[str] = mapped_column(String(1000))
    odoo_protocol: Mapped[OdooProtocol] = mapped_column(
        str_enum(OdooProtocol, 16),
        default=OdooProtocol.AUTO,
    )

    # Settings, as the seed has them.
    order_states: Mapped[list[str]] = mapped_column(
        JSONType, default=lambda: list(DEFAULT_ORDER_STATES)
    )
    payment_term_id: Mapped[int | None] = mapped_column()
    auto_confirm_orders: Mapped[bool] = mapped_column(default=True)
    inventory_sync: Mapped[bool] = mapped_column(default=True)
    inventory_auto_apply: Mapped[bool] = mapped_column(default=False)
    shipment_sync: Mapped[bool] = mapped_column(default=True)
    invoice_sync: Mapped[bool] = mapped_column(default=True)
    refund_sync: Mapped[bool] = mapped_column(default=True)
    cancel_credit_memo: Mapped[bool] = mapped_column(default=True)
    # No column default: SQLAlchemy would put it in place of an explicit None ("never").
    log_retention_days: Mapped[int | None] = mapped_column()
    #: Odoo warehouse code -> Magento MSI source code. Empty: the first warehouse feeds
    #: `default`, which is also the only place stock goes when Magento runs without MSI.
    stock_sources: Mapped[dict[str, str] | None] = mapped_column(JSONType)
    #: Where Magento's events come from and how they are checked; `event_settings` holds
    #: the source's public parts (`bridge.events.sources.EventSettings`): client id, key
    #: and journal URLs, the Commerce Webhooks public key. The I/O project's client
    #: secret (for the journal's IMS token) is encrypted in `event_secret_enc`.
    event_source: Mapped[EventSource] = mapped_column(
        str_enum(EventSource, 32), default=EventSource.BRIDGE, server_default="bridge"
    )
    event_settings: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    event_secret_enc: Mapped[str | None] = mapped_column(String(1000))
    #: Order pages that may talk to this connection's Odoo at once, across all workers
    #: (bridge.coordination.odoo_slot); size it to Odoo's HTTP workers. 0: no limit.
    odoo_parallel_pages: Mapped[int] = mapped_column(default=2, server_default="2")
    #: Magento requests per second for this connection, across all workers. 0: no limit
    #: (a 429 still pauses them all for its Retry-After).
    magento_rps: Mapped[float] = mapped_column(default=0.0, server_default="0")

    channel: Mapped[Channel] = relationship(back_populates="connections", lazy="joined")

    def settings_view(self) -> dict[str, Any]:
        """The merchant-facing settings, for display (no secrets)."""
        return {
            "order_states": list(self.order_states or []),
            "payment_term_id": self.payment_term_id,
            "auto_confirm_orders": self.auto_confirm_orders,
            "inventory_sync": self.inventory_sync,
            "inventory_auto_apply": self.inventory_auto_apply,
            "shipment_sync": self.shipment_sync,
            "invoice_sync": self.invoice_sync,
            "refund_sync": self.refund_sync,
            "cancel_credit_memo": self.cancel_credit_memo,
            "log_retention_days": self.log_retention_days,
            "stock_sources": dict(self.stock_sources or {}),
            "event_source": str(self.event_source or EventSource.BRIDGE),
            "odoo_parallel_pages": self.odoo_parallel_pages,
            "magento_rps": self.magento_rps,
        }

    def __repr__(self) -> str:
        return f"<Connection {self.name} store={self.store_code} odoo={self.odoo_db}>"
