"""Raum-Benachrichtigung: whether the bot's messages meant to reach people mention in a room

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Issue 10: reminders, clash warnings and requests to act are sent as m.text mentioning the
coordinators of the room's network; a room can turn the mentions off
(`raum erwähnungen aus`) and turn ``@room`` on (`raum raumerwähnung an`). No row: the
defaults (mentions on, ``@room`` off), so existing rooms need no data.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "raum_benachrichtigung",
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("erwaehnungen", sa.Boolean(), nullable=False),
        sa.Column("raumruf", sa.Boolean(), nullable=False),
        sa.Column("geaendert", sa.DateTime(timezone=True), nullable=False),
        sa.Column("geaendert_von", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["raum.room_id"],
            name=op.f("fk_raum_benachrichtigung_room_id_raum"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("room_id", name=op.f("pk_raum_benachrichtigung")),
    )


def downgrade() -> None:
    op.drop_table("raum_benachrichtigung")
