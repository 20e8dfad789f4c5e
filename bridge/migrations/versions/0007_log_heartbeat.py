"""sync_log.heartbeat_at: the claim a running task refreshes, so the reaper knows a dead one

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # `state` is a VARCHAR(16) without a CHECK, so the new `superseded` state needs no change.
    with op.batch_alter_table("sync_log") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute("UPDATE sync_log SET state = 'failed' WHERE state = 'superseded'")
    with op.batch_alter_table("sync_log") as batch:
        batch.drop_column("heartbeat_at")
