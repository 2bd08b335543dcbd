"""Register workflow: goals and approach of a network's application

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("netzwerk", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ziele", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("vorgehen", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Batch mode would copy the table and drop the old one, and with foreign keys on,
        # dropping `netzwerk` deletes its members and contacts (ON DELETE CASCADE). SQLite
        # (3.35 and later) drops a plain column in place.
        op.drop_column("netzwerk", "vorgehen")
        op.drop_column("netzwerk", "ziele")
        return
    with op.batch_alter_table("netzwerk", schema=None) as batch_op:
        batch_op.drop_column("vorgehen")
        batch_op.drop_column("ziele")
