"""Magento's store structure and the setup mappings, as last imported.

Rows keep Magento's ids; the link to the Odoo record (team, tag, journal, carrier)
is a Binding. A record deleted in Magento is kept with `active = False` so
history that points at it (orders, logs) still resolves.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, Timestamps


class _PerConnection(Timestamps):
    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(default=True)


class Website(_PerConnection, Base):
    __tablename__ = "website"
    __table_args__ = (UniqueConstraint("connection_id", "magento_id"),)

    magento_id: Mapped[int]
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    default_group_id: Mapped[int | None]


class Store(_PerConnection, Base):
    """Magento's "store group": a root category under a website."""

    __tablename__ = "store"
    __table_args__ = (UniqueConstraint("connection_id", "magento_id"),)

    magento_id: Mapped[int]
    website_magento_id: Mapped[int]
    code: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    root_category_id: Mapped[int | None]
    default_store_id: Mapped[int | None]


class StoreView(_PerConnection, Base):
    __tablename__ = "store_view"
    __table_args__ = (UniqueConstraint("connection_id", "magento_id"),)

    magento_id: Mapped[int]
    website_magento_id: Mapped[int]
    store_magento_id: Mapped[int]
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(16))
    base_currency: Mapped[str | None] = mapped_column(String(3))
    timezone: Mapped[str | None] = mapped_column(String(64))
    weight_unit: Mapped[str | None] = mapped_column(String(8))


class AttributeSet(_PerConnection, Base):
    __tablename__ = "attribute_set"
    __table_args__ = (UniqueConstraint("connection_id", "magento_id"),)

    magento_id: Mapped[int]
    name: Mapped[str] = mapped_column(String(255))
    sort_order: Mapped[int] = mapped_column(default=0)


class CustomerGroup(_PerConnection, Base):
    __tablename__ = "customer_group"
    __table_args__ = (UniqueConstraint("connection_id", "magento_id"),)

    magento_id: Mapped[int]
    code: Mapped[str] = mapped_column(String(255))
    tax_class_id: Mapped[int | None]
    tax_class_name: Mapped[str | None] = mapped_column(String(255))


class PaymentMethod(_PerConnection, Base):
    """A Magento payment method; online ones (cards) arrive paid, offline ones do not."""

    __tablename__ = "payment_method"
    __table_args__ = (UniqueConstraint("connection_id", "code"),)

    code: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(255))
    online: Mapped[bool] = mapped_column(default=False)
    #: Offered at checkout now (False: only seen on past orders).
    offered: Mapped[bool] = mapped_column(default=True)


class ShippingMethod(_PerConnection, Base):
    __tablename__ = "shipping_method"
    __table_args__ = (UniqueConstraint("connection_id", "code"),)

    #: Magento's "<carrier>_<method>", e.g. "tablerate_bestway".
    code: Mapped[str] = mapped_column(String(128))
    carrier_code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255))
