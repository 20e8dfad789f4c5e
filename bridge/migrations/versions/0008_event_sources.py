"""event sources per connection (Adobe I/O Events, Commerce Webhooks), receipts that order

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCES = ("bridge", "io_events", "commerce_webhooks")


def upgrade() -> None:
    with op.batch_alter_table("connection") as batch:
        batch.add_column(
            sa.Column(
                "event_source",
                sa.Enum(*SOURCES, name="eventsource", native_enum=False, length=32),
                nullable=False,
                server_default="bridge",
            )
        )
        batch.add_column(
            sa.Column(
                "event_settings",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("event_secret_enc", sa.String(length=1000), nullable=True))
    with op.batch_alter_table("event_receipt") as batch:
        batch.add_column(sa.Column("entity_key", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("source_updated_at", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(length=300), nullable=True))
        batch.create_index("ix_event_receipt_entity_key", ["connection_id", "entity_key"])
    with op.batch_alter_table("cursor") as batch:
        batch.alter_column(
            "value", type_=sa.String(length=1000), existing_type=sa.String(length=255)
        )


def downgrade() -> None:
    with op.batch_alter_table("cursor") as batch:
        batch.alter_column(
            "value", type_=sa.String(length=255), existing_type=sa.String(length=1000)
        )
    with op.batch_alter_table("event_receipt") as batch:
        batch.drop_index("ix_event_receipt_entity_key")
        batch.drop_column("outcome")
        batch.drop_column("source_updated_at")
        batch.drop_column("entity_key")
    with op.batch_alter_table("connection") as batch:
        batch.drop_column("event_secret_enc")
        batch.drop_column("event_settings")
        batch.drop_column("event_source")
