"""Erinnerungen: geplante und gesendete Erinnerungen, Raumeinstellungen, Infodienst-Abos

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-22

A branch of its own from 0001 (rooms and regions), next to the other features' revisions;
`storage.db.migrate` upgrades to all heads. The `erinnerung` table has no foreign keys to the
events (0004) or contact requests (0003): a reminder names its origin in its key, so this
revision does not depend on theirs and a deleted event or request just leaves reminders that
are no longer wanted (the scheduler deletes them unless they were sent).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erinnerung",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schluessel", sa.String(length=500), nullable=False),
        sa.Column(
            "art",
            sa.Enum(
                "termin",
                "treffen",
                "bericht",
                "selbsterklaerung",
                "anfrage",
                "infodienst",
                name="erinnerung_art",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("gruppe", sa.String(length=500), nullable=False),
        sa.Column("faellig", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gueltig_bis", sa.DateTime(timezone=True), nullable=False),
        sa.Column("titel", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("angelegt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gesendet", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verworfen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("grund", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erinnerung")),
        sa.UniqueConstraint("schluessel", name=op.f("uq_erinnerung_schluessel")),
    )
    with op.batch_alter_table("erinnerung", schema=None) as batch_op:
        batch_op.create_index(
            "ix_erinnerung_offen", ["gesendet", "verworfen", "faellig"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_erinnerung_room_id"), ["room_id"], unique=False)

    op.create_table(
        "erinnerung_raum",
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("aktiv", sa.Boolean(), nullable=False),
        sa.Column("geaendert", sa.DateTime(timezone=True), nullable=False),
        sa.Column("geaendert_von", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["raum.room_id"],
            name=op.f("fk_erinnerung_raum_room_id_raum"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("room_id", name=op.f("pk_erinnerung_raum")),
    )
    op.create_table(
        "erinnerung_versatz",
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("minuten", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["erinnerung_raum.room_id"],
            name=op.f("fk_erinnerung_versatz_room_id_erinnerung_raum"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("room_id", "minuten", name=op.f("pk_erinnerung_versatz")),
    )
    op.create_table(
        "infodienst_abo",
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("seit", sa.DateTime(timezone=True), nullable=False),
        sa.Column("von", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_infodienst_abo_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["raum.room_id"],
            name=op.f("fk_infodienst_abo_room_id_raum"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("room_id", name=op.f("pk_infodienst_abo")),
    )


def downgrade() -> None:
    op.drop_table("infodienst_abo")
    op.drop_table("erinnerung_versatz")
    op.drop_table("erinnerung_raum")
    with op.batch_alter_table("erinnerung", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erinnerung_room_id"))
        batch_op.drop_index("ix_erinnerung_offen")

    op.drop_table("erinnerung")
