"""State: typed SQLAlchemy models. Import from here."""

from bridge.models.base import Base, utcnow
from bridge.models.binding import Binding
from bridge.models.connection import (
    DEFAULT_ORDER_STATES,
    RETENTION_CHOICES,
    Channel,
    Connection,
    EventSource,
    MagentoAuthMethod,
    OdooProtocol,
)
from bridge.models.console_user import ConsoleUser, Role
from bridge.models.drift import DriftItem
from bridge.models.event import EventReceipt
from bridge.models.schedule import Cursor, Schedule
from bridge.models.stock_level import StockLevel
from bridge.models.store import (
    AttributeSet,
    CustomerGroup,
    PaymentMethod,
    ShippingMethod,
    Store,
    StoreView,
    Website,
)
from bridge.models.sync_log import Direction, LogState, SyncLog

__all__ = [
    "DEFAULT_ORDER_STATES",
    "RETENTION_CHOICES",
    "AttributeSet",
    "Base",
    "Binding",
    "Channel",
    "Connection",
    "ConsoleUser",
    "Cursor",
    "CustomerGroup",
    "Direction",
    "DriftItem",
    "EventReceipt",
    "EventSource",
    "LogState",
    "MagentoAuthMethod",
    "OdooProtocol",
    "PaymentMethod",
    "Role",
    "Schedule",
    "ShippingMethod",
    "StockLevel",
    "Store",
    "StoreView",
    "SyncLog",
    "Website",
    "utcnow",
]
