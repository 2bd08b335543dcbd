"""Raumverknüpfungen: who linked a room to a network, requests from room moderators

Revision ID: 0006
Revises: 0001
Create Date: 2026-12-02

Trust (issue 9): a room is linked to a network only by its coordinators, the Geschäftsstelle or
an admin; room moderators ask and the network decides. Each link and request is a row here with
a number (`raum bestätigen <Nr>`, `raum lösen <Nr>`). Existing links become `aktiv` rows,
attributed to whoever `raum.verknuepft_von` names, dated to when the bot joined the room (the
old schema kept no link time) – `netzwerk <Name> räume` shows them for review.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "raum_verknuepfung",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("netzwerk_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "beantragt",
                "aktiv",
                "abgelehnt",
                "geloest",
                name="verknuepfung_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("beantragt_von", sa.String(length=255), nullable=False),
        sa.Column("beantragt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entschieden_von", sa.String(length=255), nullable=False),
        sa.Column("entschieden", sa.DateTime(timezone=True), nullable=True),
        sa.Column("geloest_von", sa.String(length=255), nullable=False),
        sa.Column("geloest", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["netzwerk_id"],
            ["netzwerk.id"],
            name=op.f("fk_raum_verknuepfung_netzwerk_id_netzwerk"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["raum.room_id"],
            name=op.f("fk_raum_verknuepfung_room_id_raum"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raum_verknuepfung")),
    )
    op.create_index(
        op.f("ix_raum_verknuepfung_room_id"), "raum_verknuepfung", ["room_id"], unique=False
    )
    op.create_index(
        "ix_raum_verknuepfung_netzwerk_status",
        "raum_verknuepfung",
        ["netzwerk_id", "status"],
        unique=False,
    )
    op.execute(
        "INSERT INTO raum_verknuepfung (room_id, netzwerk_id, status, beantragt_von, beantragt,"
        " entschieden_von, entschieden, geloest_von, geloest)"
        " SELECT room_id, netzwerk_id, 'aktiv', verknuepft_von, beigetreten, verknuepft_von,"
        " beigetreten, '', NULL FROM raum WHERE netzwerk_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_raum_verknuepfung_netzwerk_status", table_name="raum_verknuepfung")
    op.drop_index(op.f("ix_raum_verknuepfung_room_id"), table_name="raum_verknuepfung")
    op.drop_table("raum_verknuepfung")
