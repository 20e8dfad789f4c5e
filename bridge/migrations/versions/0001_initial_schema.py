"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 16:02:34.981294
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("magento_url", sa.String(length=500), nullable=False),
        sa.Column(
            "auth_method",
            sa.Enum(
                "token", "admin", "oauth1", name="magentoauthmethod", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("secret_enc", sa.String(length=4000), nullable=True),
        sa.Column("webhook_secret_enc", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel")),
        sa.UniqueConstraint("name", name=op.f("uq_channel_name")),
    )
    op.create_table(
        "connection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("store_code", sa.String(length=64), nullable=False),
        sa.Column("website_code", sa.String(length=64), nullable=True),
        sa.Column("odoo_url", sa.String(length=500), nullable=False),
        sa.Column("odoo_db", sa.String(length=200), nullable=False),
        sa.Column("odoo_login", sa.String(length=200), nullable=False),
        sa.Column("odoo_secret_enc", sa.String(length=1000), nullable=False),
        sa.Column(
            "odoo_protocol",
            sa.Enum(
                "auto",
                "jsonrpc",
                "xmlrpc",
                "json2",
                name="odooprotocol",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "order_states",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("payment_term_id", sa.Integer(), nullable=True),
        sa.Column("auto_confirm_orders", sa.Boolean(), nullable=False),
        sa.Column("inventory_sync", sa.Boolean(), nullable=False),
        sa.Column("inventory_auto_apply", sa.Boolean(), nullable=False),
        sa.Column("shipment_sync", sa.Boolean(), nullable=False),
        sa.Column("invoice_sync", sa.Boolean(), nullable=False),
        sa.Column("refund_sync", sa.Boolean(), nullable=False),
        sa.Column("cancel_credit_memo", sa.Boolean(), nullable=False),
        sa.Column("log_retention_days", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "log_retention_days IS NULL OR log_retention_days IN (30, 60)",
            name=op.f("ck_connection_retention"),
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel.id"],
            name=op.f("fk_connection_channel_id_channel"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connection")),
        sa.UniqueConstraint("name", name=op.f("uq_connection_name")),
    )
    op.create_table(
        "attribute_set",
        sa.Column("magento_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_attribute_set_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attribute_set")),
        sa.UniqueConstraint(
            "connection_id", "magento_id", name=op.f("uq_attribute_set_connection_id_magento_id")
        ),
    )
    op.create_table(
        "binding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("magento_key", sa.String(length=255), nullable=False),
        sa.Column("odoo_model", sa.String(length=128), nullable=False),
        sa.Column("odoo_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_binding_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_binding")),
        sa.UniqueConstraint(
            "connection_id",
            "entity",
            "magento_key",
            name=op.f("uq_binding_connection_id_entity_magento_key"),
        ),
        sa.UniqueConstraint(
            "connection_id",
            "entity",
            "odoo_id",
            name=op.f("uq_binding_connection_id_entity_odoo_id"),
        ),
    )
    op.create_table(
        "cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_cursor_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cursor")),
        sa.UniqueConstraint("connection_id", "stream", name=op.f("uq_cursor_connection_id_stream")),
    )
    op.create_table(
        "customer_group",
        sa.Column("magento_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=255), nullable=False),
        sa.Column("tax_class_id", sa.Integer(), nullable=True),
        sa.Column("tax_class_name", sa.String(length=255), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_customer_group_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_group")),
        sa.UniqueConstraint(
            "connection_id", "magento_id", name=op.f("uq_customer_group_connection_id_magento_id")
        ),
    )
    op.create_table(
        "payment_method",
        sa.Column("code", sa.String(length=128), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("offered", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_payment_method_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_method")),
        sa.UniqueConstraint(
            "connection_id", "code", name=op.f("uq_payment_method_connection_id_code")
        ),
    )
    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=True),
        sa.Column("crontab", sa.String(length=100), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(interval_seconds IS NOT NULL) <> (crontab IS NOT NULL)",
            name=op.f("ck_schedule_interval_xor_crontab"),
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_schedule_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule")),
        sa.UniqueConstraint("connection_id", "job", name=op.f("uq_schedule_connection_id_job")),
    )
    op.create_table(
        "shipping_method",
        sa.Column("code", sa.String(length=128), nullable=False),
        sa.Column("carrier_code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_shipping_method_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_method")),
        sa.UniqueConstraint(
            "connection_id", "code", name=op.f("uq_shipping_method_connection_id_code")
        ),
    )
    op.create_table(
        "store",
        sa.Column("magento_id", sa.Integer(), nullable=False),
        sa.Column("website_magento_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("root_category_id", sa.Integer(), nullable=True),
        sa.Column("default_store_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_store_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store")),
        sa.UniqueConstraint(
            "connection_id", "magento_id", name=op.f("uq_store_connection_id_magento_id")
        ),
    )
    op.create_table(
        "store_view",
        sa.Column("magento_id", sa.Integer(), nullable=False),
        sa.Column("website_magento_id", sa.Integer(), nullable=False),
        sa.Column("store_magento_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("base_currency", sa.String(length=3), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("weight_unit", sa.String(length=8), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_store_view_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_view")),
        sa.UniqueConstraint(
            "connection_id", "magento_id", name=op.f("uq_store_view_connection_id_magento_id")
        ),
    )
    op.create_table(
        "sync_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column(
            "direction",
            sa.Enum(
                "magento_to_odoo",
                "odoo_to_magento",
                "both",
                name="direction",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=255), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "queued",
                "running",
                "done",
                "failed",
                name="logstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_sync_log_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_log")),
    )
    with op.batch_alter_table("sync_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_log_connection_state_created",
            ["connection_id", "state", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "uq_sync_log_one_draft",
            ["connection_id", "entity", "direction", "key"],
            unique=True,
            sqlite_where=sa.text("state = 'draft'"),
            postgresql_where=sa.text("state = 'draft'"),
        )

    op.create_table(
        "website",
        sa.Column("magento_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("default_group_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_website_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_website")),
        sa.UniqueConstraint(
            "connection_id", "magento_id", name=op.f("uq_website_connection_id_magento_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("website")
    with op.batch_alter_table("sync_log", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_sync_log_one_draft",
            sqlite_where=sa.text("state = 'draft'"),
            postgresql_where=sa.text("state = 'draft'"),
        )
        batch_op.drop_index("ix_sync_log_connection_state_created")

    op.drop_table("sync_log")
    op.drop_table("store_view")
    op.drop_table("store")
    op.drop_table("shipping_method")
    op.drop_table("schedule")
    op.drop_table("payment_method")
    op.drop_table("customer_group")
    op.drop_table("cursor")
    op.drop_table("binding")
    op.drop_table("attribute_set")
    op.drop_table("connection")
    op.drop_table("channel")
