"""Secrets at rest: encrypted in the database, never in a repr, rotatable, clear errors."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from bridge import db
from bridge.clients.magento import MagentoAuth
from bridge.clients.odoo import OdooClient
from bridge.crypto import SecretError, decrypt, encrypt
from bridge.models import Channel, Connection, MagentoAuthMethod
from bridge.settings import reload_settings
from bridge.sync.connections import (
    NewConnection,
    add_connection,
    magento_auth,
    odoo_client,
)

MAGENTO_PASSWORD = "m4gento-Pa55word!"
ODOO_SECRET = "odoo-api-key-5f1c2e9a"
OAUTH = {
    "consumer_key": "ck-0123456789",
    "consumer_secret": "cs-abcdefghij",
    "access_token": "at-klmnopqrst",
    "access_token_secret": "ats-uvwxyz0123",
}


@pytest.fixture
def secret_key() -> Iterator[None]:
    """Restore BRIDGE_SECRET_KEY (and the cached settings) after a test changes it."""
    saved = os.environ["BRIDGE_SECRET_KEY"]
    yield
    os.environ["BRIDGE_SECRET_KEY"] = saved
    reload_settings()


def use_key(value: str) -> None:
    os.environ["BRIDGE_SECRET_KEY"] = value
    reload_settings()


def new_connection(name: str = "shop", **magento: str) -> NewConnection:
    credentials = (
        MagentoAuth(MagentoAuthMethod.OAUTH1, **magento)
        if magento
        else MagentoAuth(MagentoAuthMethod.ADMIN, username="admin", password=MAGENTO_PASSWORD)
    )
    return NewConnection(
        name=name,
        magento_url="http://magento.test/",
        magento=credentials,
        odoo_url="http://odoo.test/",
        odoo_db="bridge",
        odoo_login="admin",
        odoo_secret=ODOO_SECRET,
    )


def raw_secrets(name: str) -> tuple[str, str]:
    """The stored columns, read with plain SQL (no ORM, no decryption)."""
    with db.get_engine().connect() as c:
        row = c.execute(
            text(
                "SELECT channel.secret_enc, connection.odoo_secret_enc FROM connection "
                "JOIN channel ON channel.id = connection.channel_id WHERE connection.name = :n"
            ),
            {"n": name},
        ).one()
    return row[0], row[1]


def test_secrets_are_encrypted_at_rest(state_db: str) -> None:
    with db.session_scope() as session:
        add_connection(session, new_connection())
    magento_enc, odoo_enc = raw_secrets("shop")
    assert MAGENTO_PASSWORD not in magento_enc
    assert ODOO_SECRET not in odoo_enc
    assert magento_enc.startswith("gAAAAA")  # a Fernet token
    assert magento_enc != encrypt(MAGENTO_PASSWORD)  # random IV: no equal ciphertexts
    assert decrypt(magento_enc) == MAGENTO_PASSWORD
    assert decrypt(odoo_enc) == ODOO_SECRET
    # Nor is the secret anywhere else in the database file.
    path = Path(state_db.split("///", 1)[1])
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert b"odoo.test" in raw  # the file (or its WAL) holds the rows
    assert MAGENTO_PASSWORD.encode() not in raw
    assert ODOO_SECRET.encode() not in raw


def test_oauth_secrets_are_encrypted_together(state_db: str) -> None:
    with db.session_scope() as session:
        add_connection(session, new_connection(**OAUTH))
    magento_enc, _ = raw_secrets("shop")
    assert not any(value in magento_enc for value in OAUTH.values())
    assert json.loads(decrypt(magento_enc) or "") == OAUTH


def test_clients_get_the_decrypted_secrets(state_db: str) -> None:
    with db.session_scope() as session:
        add_connection(session, new_connection())
    with db.session_scope() as session:
        conn = session.scalars(select(Connection).where(Connection.name == "shop")).one()
        auth = magento_auth(conn.channel)
        client = odoo_client(conn)
        assert (auth.method, auth.username, auth.password) == ("admin", "admin", MAGENTO_PASSWORD)
        assert client.url == "http://odoo.test"
        assert client._secret == ODOO_SECRET


def test_repr_never_shows_a_secret(state_db: str) -> None:
    with db.session_scope() as session:
        conn = add_connection(session, new_connection())
        shown = [repr(conn), str(conn), repr(conn.channel), str(conn.channel)]
        shown += [repr(conn.settings_view())]
        auth = magento_auth(conn.channel)
        client = odoo_client(conn)
        enc = (conn.odoo_secret_enc, conn.channel.secret_enc)
    shown += [repr(auth), str(auth), repr(client), str(client)]
    for token_auth in (
        MagentoAuth("token", token="bearer-token-xyz"),
        MagentoAuth("oauth1", **OAUTH),
    ):
        shown += [repr(token_auth), str(token_auth), f"{token_auth}"]
    text_shown = "\n".join(shown)
    for secret in (MAGENTO_PASSWORD, ODOO_SECRET, "bearer-token-xyz", *OAUTH.values(), *enc):
        assert secret not in text_shown
    assert "shop" in repr(conn)
    assert "username='admin'" in repr(auth)


def test_repr_of_an_odoo_client_built_directly() -> None:
    client = OdooClient("http://odoo.test", "bridge", "admin", ODOO_SECRET)
    assert ODOO_SECRET not in repr(client)
    assert "db='bridge'" in repr(client)


def test_rotation_keeps_old_secrets_readable(secret_key: None) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    use_key(old)
    stored = encrypt("before rotation")
    use_key(f"{new},{old}")
    assert decrypt(stored) == "before rotation"
    rotated = encrypt("after rotation")
    # The first key encrypts: a store with only the new key reads the new value...
    use_key(new)
    assert decrypt(rotated) == "after rotation"
    # ...but no longer the old one.
    with pytest.raises(SecretError):
        decrypt(stored)


def test_rotation_of_stored_connection(state_db: str, secret_key: None) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    use_key(old)
    with db.session_scope() as session:
        add_connection(session, new_connection())
    use_key(f"{new},{old}")
    magento_enc, odoo_enc = raw_secrets("shop")
    assert (decrypt(magento_enc), decrypt(odoo_enc)) == (MAGENTO_PASSWORD, ODOO_SECRET)


def test_passphrase_keys_work(secret_key: None) -> None:
    # Not a Fernet key: stretched with SHA-256; the same passphrase gives the same key.
    use_key("correct horse battery staple")
    token = encrypt("s3cret")
    use_key("correct horse battery staple")
    assert decrypt(token) == "s3cret"
    use_key("another passphrase")
    with pytest.raises(SecretError):
        decrypt(token)


def test_wrong_key_says_what_to_do(secret_key: None) -> None:
    use_key(Fernet.generate_key().decode())
    stored = encrypt(ODOO_SECRET)
    use_key(Fernet.generate_key().decode())
    with pytest.raises(SecretError) as info:
        decrypt(stored)
    message = str(info.value)
    assert "BRIDGE_SECRET_KEY" in message
    assert "old key after a comma" in message
    assert ODOO_SECRET not in message


def test_wrong_key_on_a_stored_connection(state_db: str, secret_key: None) -> None:
    with db.session_scope() as session:
        add_connection(session, new_connection())
    use_key(Fernet.generate_key().decode())
    with db.session_scope() as session:
        channel = session.scalars(select(Channel)).one()
        with pytest.raises(SecretError, match="BRIDGE_SECRET_KEY"):
            magento_auth(channel)


def test_empty_key_is_an_error(secret_key: None) -> None:
    use_key(" , ")
    with pytest.raises(SecretError, match="BRIDGE_SECRET_KEY is empty"):
        encrypt("x")


def test_none_passes_through() -> None:
    assert encrypt(None) is None
    assert decrypt(None) is None
