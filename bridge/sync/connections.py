"""Registering connections and building the two clients for one.

Secrets are encrypted before they touch the database and decrypted only here,
into the clients that need them.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.clients.magento import MagentoAuth, MagentoClient
from bridge.clients.odoo import OdooClient
from bridge.coordination import MagentoRate
from bridge.crypto import decrypt, encrypt
from bridge.models import Channel, Connection, MagentoAuthMethod, OdooProtocol
from bridge.models.connection import DEFAULT_RETENTION_DAYS
from bridge.settings import get_settings
from bridge.sync import schedules


class ConnectionNotFound(LookupError):
    """No connection of that name."""


OAUTH_FIELDS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


def secret_blob(auth: MagentoAuth) -> str:
    """The secret part of Magento credentials, as stored (encrypted) in `Channel.secret_enc`."""
    if auth.method == MagentoAuthMethod.TOKEN:
        return str(auth.token)
    if auth.method == MagentoAuthMethod.ADMIN:
        return str(auth.password)
    return json.dumps({name: getattr(auth, name) for name in OAUTH_FIELDS})


@dataclass
class NewConnection:
    name: str
    magento_url: str
    magento: MagentoAuth
    odoo_url: str
    odoo_db: str
    odoo_login: str
    odoo_secret: str
    store_code: str = "all"
    odoo_protocol: OdooProtocol = OdooProtocol.AUTO
    settings: dict[str, object] = field(default_factory=dict)


def add_connection(session: Session, new: NewConnection) -> Connection:
    """Store a connection (and its Magento channel); secrets encrypted."""
    if session.scalars(select(Connection).where(Connection.name == new.name)).first():
        raise ValueError(f"a connection named {new.name!r} exists already")
    url = new.magento_url.rstrip("/")
    channel = session.scalars(select(Channel).where(Channel.name == new.name)).first()
    if channel is None:
        channel = Channel(name=new.name, magento_url=url, auth_method=new.magento.method)
        session.add(channel)
    channel.magento_url = url
    channel.auth_method = MagentoAuthMethod(new.magento.method)
    channel.username = new.magento.username
    channel.secret_enc = encrypt(secret_blob(new.magento))
    if channel.webhook_secret_enc is None:
        channel.webhook_secret_enc = encrypt(secrets.token_urlsafe(32))
    conn = Connection(
        name=new.name,
        channel=channel,
        store_code=new.store_code,
        odoo_url=new.odoo_url.rstrip("/"),
        odoo_db=new.odoo_db,
        odoo_login=new.odoo_login,
        odoo_secret_enc=encrypt(new.odoo_secret),
        odoo_protocol=new.odoo_protocol,
    )
    conn.log_retention_days = DEFAULT_RETENTION_DAYS
    for key, value in new.settings.items():
        if not hasattr(Connection, key):
            raise ValueError(f"unknown setting {key!r}")
        setattr(conn, key, value)
    session.add(conn)
    session.flush()
    schedules.ensure_connection_defaults(session, conn.id)
    return conn


def get_connection(session: Session, name: str) -> Connection:
    conn = session.scalars(select(Connection).where(Connection.name == name)).first()
    if conn is None:
        known = ", ".join(session.scalars(select(Connection.name).order_by(Connection.name)))
        raise ConnectionNotFound(
            f"no connection named {name!r}" + (f" (known: {known})" if known else "")
        )
    return conn


def magento_auth(channel: Channel) -> MagentoAuth:
    secret = decrypt(channel.secret_enc)
    method = MagentoAuthMethod(channel.auth_method)
    if method is MagentoAuthMethod.TOKEN:
        return MagentoAuth(method="token", token=secret)
    if method is MagentoAuthMethod.ADMIN:
        return MagentoAuth(method="admin", username=channel.username, password=secret)
    values = json.loads(secret or "{}")
    return MagentoAuth(method="oauth1", **values)


def magento_client(conn: Connection) -> MagentoClient:
    return MagentoClient(
        conn.channel.magento_url,
        magento_auth(conn.channel),
        store_code=conn.store_code,
        timeout=get_settings().http_timeout,
        pace=MagentoRate(conn.id, conn.magento_rps),
    )


def odoo_client(conn: Connection) -> OdooClient:
    return OdooClient(
        conn.odoo_url,
        conn.odoo_db,
        conn.odoo_login,
        decrypt(conn.odoo_secret_enc) or "",
        protocol=OdooProtocol(conn.odoo_protocol).value,
        timeout=get_settings().http_timeout,
        business_timeout=get_settings().odoo_business_timeout,
    )


def webhook_secret(session: Session, name: str, *, rotate: bool = False) -> str:
    """The secret Magento signs its events with for this connection (a new one if `rotate`)."""
    channel = get_connection(session, name).channel
    if rotate or channel.webhook_secret_enc is None:
        channel.webhook_secret_enc = encrypt(secrets.token_urlsafe(32))
    return decrypt(channel.webhook_secret_enc) or ""
