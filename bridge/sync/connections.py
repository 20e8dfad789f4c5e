"""Registering connections and building the two clients for one.

Secrets are encrypted before they touch the database and decrypted only here,
into the clients that need them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.clients.magento import MagentoAuth, MagentoClient
from bridge.clients.odoo import OdooClient
from bridge.crypto import decrypt, encrypt
from bridge.models import Channel, Connection, MagentoAuthMethod, OdooProtocol
from bridge.models.connection import DEFAULT_RETENTION_DAYS
from bridge.settings import get_settings


class ConnectionNotFound(LookupError):
    """No connection of that name."""


@dataclass
class MagentoCredentials:
    method: MagentoAuthMethod
    token: str | None = None
    username: str | None = None
    password: str | None = None
    consumer_key: str | None = None
    consumer_secret: str | None = None
    access_token: str | None = None
    access_token_secret: str | None = None

    def secret_blob(self) -> str:
        """The secret part, as stored (encrypted) in `Channel.secret_enc`."""
        if self.method is MagentoAuthMethod.TOKEN:
            if not self.token:
                raise ValueError("token authentication needs --magento-token")
            return self.token
        if self.method is MagentoAuthMethod.ADMIN:
            if not (self.username and self.password):
                raise ValueError("admin authentication needs --magento-user and --magento-password")
            return self.password
        values = {
            "consumer_key": self.consumer_key,
            "consumer_secret": self.consumer_secret,
            "access_token": self.access_token,
            "access_token_secret": self.access_token_secret,
        }
        missing = [k for k, v in values.items() if not v]
        if missing:
            raise ValueError(f"OAuth authentication needs {', '.join(missing)}")
        return json.dumps(values)


@dataclass
class NewConnection:
    name: str
    magento_url: str
    magento: MagentoCredentials
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
    channel.auth_method = new.magento.method
    channel.username = new.magento.username
    channel.secret_enc = encrypt(new.magento.secret_blob())
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
    )


def odoo_client(conn: Connection) -> OdooClient:
    return OdooClient(
        conn.odoo_url,
        conn.odoo_db,
        conn.odoo_login,
        decrypt(conn.odoo_secret_enc) or "",
        protocol=OdooProtocol(conn.odoo_protocol).value,
        timeout=get_settings().http_timeout,
    )
