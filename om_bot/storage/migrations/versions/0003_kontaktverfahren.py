"""Kontaktverfahren: Anfragen, regionale Ansprechpersonen, Ansprachen (Parallelansprachen)

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22

A branch of its own from 0001 (the register), next to the other features' revisions;
`storage.db.migrate` upgrades to all heads.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "anfrage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("netzwerk_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "eingegangen",
                "angefragt",
                "benannt",
                "informiert",
                "freigegeben",
                "abgelehnt",
                name="anfrage_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("erstellt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("geaendert", sa.DateTime(timezone=True), nullable=False),
        sa.Column("angefragt_von", sa.String(length=255), nullable=False),
        sa.Column("notiz", sa.Text(), nullable=False),
        sa.Column("person_name", sa.String(length=200), nullable=False),
        sa.Column("person_email", sa.String(length=254), nullable=False),
        sa.Column("person_telefon", sa.String(length=40), nullable=False),
        sa.Column("grund", sa.Text(), nullable=False),
        sa.Column("geloescht", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["netzwerk_id"],
            ["netzwerk.id"],
            name=op.f("fk_anfrage_netzwerk_id_netzwerk"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_anfrage_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_anfrage_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anfrage")),
    )
    with op.batch_alter_table("anfrage", schema=None) as batch_op:
        batch_op.create_index(
            "ix_anfrage_netzwerk_partner_status",
            ["netzwerk_id", "partner_id", "status"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_anfrage_partner_id"), ["partner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_anfrage_status"), ["status"], unique=False)

    op.create_table(
        "regionaler_kontakt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("telefon", sa.String(length=40), nullable=False),
        sa.Column("anfrage_id", sa.Integer(), nullable=True),
        sa.Column("freigegeben", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["anfrage_id"],
            ["anfrage.id"],
            name=op.f("fk_regionaler_kontakt_anfrage_id_anfrage"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_regionaler_kontakt_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_regionaler_kontakt_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regionaler_kontakt")),
        sa.UniqueConstraint(
            "partner_id", "region_id", name=op.f("uq_regionaler_kontakt_partner_id_region_id")
        ),
    )
    with op.batch_alter_table("regionaler_kontakt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_regionaler_kontakt_anfrage_id"), ["anfrage_id"], unique=False
        )

    op.create_table(
        "ansprache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("netzwerk_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("institution", sa.String(length=200), nullable=False),
        sa.Column("institution_schluessel", sa.String(length=200), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("person_schluessel", sa.String(length=200), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("zeit", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "quelle",
            sa.Enum(
                "anfrage",
                "ansprache",
                name="ansprache_quelle",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("anfrage_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["anfrage_id"],
            ["anfrage.id"],
            name=op.f("fk_ansprache_anfrage_id_anfrage"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["netzwerk_id"],
            ["netzwerk.id"],
            name=op.f("fk_ansprache_netzwerk_id_netzwerk"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_ansprache_partner_id_partner"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_ansprache_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ansprache")),
    )
    with op.batch_alter_table("ansprache", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ansprache_institution_zeit", ["institution_schluessel", "zeit"], unique=False
        )
        batch_op.create_index(
            "ix_ansprache_person_zeit", ["person_schluessel", "zeit"], unique=False
        )
        batch_op.create_index("ix_ansprache_partner_zeit", ["partner_id", "zeit"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ansprache", schema=None) as batch_op:
        batch_op.drop_index("ix_ansprache_partner_zeit")
        batch_op.drop_index("ix_ansprache_person_zeit")
        batch_op.drop_index("ix_ansprache_institution_zeit")

    op.drop_table("ansprache")
    with op.batch_alter_table("regionaler_kontakt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regionaler_kontakt_anfrage_id"))

    op.drop_table("regionaler_kontakt")
    with op.batch_alter_table("anfrage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anfrage_status"))
        batch_op.drop_index(batch_op.f("ix_anfrage_partner_id"))
        batch_op.drop_index("ix_anfrage_netzwerk_partner_status")

    op.drop_table("anfrage")
