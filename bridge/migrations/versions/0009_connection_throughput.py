"""connection.odoo_parallel_pages, connection.magento_rps: per-connection concurrency

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:00:00

Order pages at once against the connection's Odoo (a Redis semaphore across workers,
bridge/coordination.py) and Magento requests per second. The claims on order steps
(issue 16) live in Redis with the call's window as their expiry, not in a table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("connection") as batch:
        batch.add_column(
            sa.Column("odoo_parallel_pages", sa.Integer(), nullable=False, server_default="2")
        )
        batch.add_column(sa.Column("magento_rps", sa.Double(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("connection") as batch:
        batch.drop_column("magento_rps")
        batch.drop_column("odoo_parallel_pages")
