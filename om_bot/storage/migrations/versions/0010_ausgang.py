"""Ausgang: the durable outbox of answers to commands (hot standby, issue 14)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

An answer is stored with the claim of its command and deleted once the homeserver accepted it;
after a crash or a takeover the next active process sends what is left under the same
transaction ids. Empty at the start: nothing to carry over.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ausgang",
        sa.Column("txn", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=255), nullable=False),
        sa.Column("antwort", sa.JSON(), nullable=False),
        sa.Column("angelegt", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("txn", name=op.f("pk_ausgang")),
    )
    op.create_index(op.f("ix_ausgang_event_id"), "ausgang", ["event_id"])
    op.create_index(op.f("ix_ausgang_angelegt"), "ausgang", ["angelegt"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ausgang_angelegt"), table_name="ausgang")
    op.drop_index(op.f("ix_ausgang_event_id"), table_name="ausgang")
    op.drop_table("ausgang")
