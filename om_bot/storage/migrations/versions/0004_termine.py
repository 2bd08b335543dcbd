"""Termine: events, their occurrences (for the indexed clash query) and cancelled occurrences

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22

A branch of its own from 0001 (the register), next to the other features' revisions;
`storage.db.migrate` upgrades to all heads.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "termin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("titel", sa.String(length=200), nullable=False),
        sa.Column(
            "art",
            sa.Enum(
                "netzwerktreffen",
                "veranstaltung",
                "infostand",
                "workshop",
                "sonstiges",
                name="termin_art",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("netzwerk_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ende", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ganztaegig", sa.Boolean(), nullable=False),
        sa.Column("ohne_ende", sa.Boolean(), nullable=False),
        sa.Column("rrule", sa.String(length=200), nullable=False),
        sa.Column("zeitzone", sa.String(length=64), nullable=False),
        sa.Column("ort", sa.String(length=200), nullable=False),
        sa.Column("raum_id", sa.String(length=255), nullable=False),
        sa.Column("erstellt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erstellt_von", sa.String(length=255), nullable=False),
        sa.Column("geaendert", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sequenz", sa.Integer(), nullable=False),
        sa.Column("abgesagt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expandiert_bis", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["netzwerk_id"],
            ["netzwerk.id"],
            name=op.f("fk_termin_netzwerk_id_netzwerk"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_termin_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_termin")),
    )
    with op.batch_alter_table("termin", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_termin_netzwerk_id"), ["netzwerk_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_termin_expandiert_bis"), ["expandiert_bis"], unique=False
        )

    op.create_table(
        "termin_ausnahme",
        sa.Column("termin_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.Date(), nullable=False),
        sa.Column("abgesagt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("von", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["termin_id"],
            ["termin.id"],
            name=op.f("fk_termin_ausnahme_termin_id_termin"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("termin_id", "tag", name=op.f("pk_termin_ausnahme")),
    )

    op.create_table(
        "termin_vorkommen",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("termin_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ende", sa.DateTime(timezone=True), nullable=False),
        sa.Column("abgesagt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("kollision", sa.Boolean(), nullable=False),
        sa.Column("lang", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_termin_vorkommen_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["termin_id"],
            ["termin.id"],
            name=op.f("fk_termin_vorkommen_termin_id_termin"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_termin_vorkommen")),
    )
    with op.batch_alter_table("termin_vorkommen", schema=None) as batch_op:
        # The clash query: candidates by region and start window (see
        # om_bot.services.terminverwaltung).
        batch_op.create_index(
            "ix_termin_vorkommen_region_start", ["region_id", "start"], unique=False
        )
        # The same for the few multi-day occurrences, which need a longer look-back.
        batch_op.create_index(
            "ix_termin_vorkommen_lang_region_start", ["lang", "region_id", "start"], unique=False
        )
        # Listings and reminders over all regions.
        batch_op.create_index("ix_termin_vorkommen_start", ["start"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_termin_vorkommen_termin_id"), ["termin_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("termin_vorkommen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_termin_vorkommen_termin_id"))
        batch_op.drop_index("ix_termin_vorkommen_start")
        batch_op.drop_index("ix_termin_vorkommen_lang_region_start")
        batch_op.drop_index("ix_termin_vorkommen_region_start")

    op.drop_table("termin_vorkommen")
    op.drop_table("termin_ausnahme")
    with op.batch_alter_table("termin", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_termin_expandiert_bis"))
        batch_op.drop_index(batch_op.f("ix_termin_netzwerk_id"))

    op.drop_table("termin")
