"""Register, Räume, Zustand, Audit

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "bot_zustand",
        sa.Column("schluessel", sa.String(length=64), nullable=False),
        sa.Column("wert", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("schluessel", name=op.f("pk_bot_zustand")),
    )
    op.create_table(
        "partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kurz", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("nationaler_kontakt", sa.String(length=255), nullable=False),
        sa.Column("nationaler_kontakt_name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner")),
        sa.UniqueConstraint("kurz", name=op.f("uq_partner_kurz")),
    )
    op.create_table(
        "region",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("schluessel", sa.String(length=120), nullable=False),
        sa.Column(
            "art",
            sa.Enum(
                "land",
                "grossregion",
                "bundesland",
                "region",
                "stadt",
                name="region_art",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("bundesland", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region")),
        sa.UniqueConstraint("name", name=op.f("uq_region_name")),
        sa.UniqueConstraint("schluessel", name=op.f("uq_region_schluessel")),
    )
    op.create_table(
        "verarbeitetes_event",
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("verarbeitet", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_verarbeitetes_event")),
    )
    with op.batch_alter_table("verarbeitetes_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verarbeitetes_event_verarbeitet"), ["verarbeitet"], unique=False
        )

    op.create_table(
        "netzwerk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("schluessel", sa.String(length=200), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column(
            "dach",
            sa.Enum(
                "OM",
                "DDN",
                "OGB",
                name="dach",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "art",
            sa.Enum(
                "regional",
                "fachgruppe",
                name="netzwerk_art",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("thema", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "beantragt",
                "leitungskreis",
                "ag_transfer",
                "plenum",
                "anerkannt",
                "entzogen",
                name="netzwerk_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("stadium", sa.Integer(), nullable=True),
        sa.Column("offen", sa.Boolean(), nullable=True),
        sa.Column("beitragsfrei", sa.Boolean(), nullable=True),
        sa.Column("teilnetz", sa.Boolean(), nullable=False),
        sa.Column("letzter_bericht", sa.Date(), nullable=True),
        sa.Column("letzte_selbsterklaerung", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_netzwerk_region_id_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_netzwerk")),
        sa.UniqueConstraint("name", name=op.f("uq_netzwerk_name")),
        sa.UniqueConstraint("schluessel", name=op.f("uq_netzwerk_schluessel")),
    )
    with op.batch_alter_table("netzwerk", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_netzwerk_region_id"), ["region_id"], unique=False)

    op.create_table(
        "region_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("schluessel", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_region_alias_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region_alias")),
        sa.UniqueConstraint("schluessel", name=op.f("uq_region_alias_schluessel")),
    )
    op.create_table(
        "region_nachbar",
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("nachbar_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nachbar_id"],
            ["region.id"],
            name=op.f("fk_region_nachbar_nachbar_id_region"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_region_nachbar_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("region_id", "nachbar_id", name=op.f("pk_region_nachbar")),
    )
    op.create_table(
        "region_teil",
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("teil_von_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_region_teil_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["teil_von_id"],
            ["region.id"],
            name=op.f("fk_region_teil_teil_von_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("region_id", "teil_von_id", name=op.f("pk_region_teil")),
    )
    with op.batch_alter_table("region_teil", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_region_teil_teil_von_id"), ["teil_von_id"], unique=False
        )

    op.create_table(
        "audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("zeit", sa.DateTime(timezone=True), nullable=False),
        sa.Column("akteur", sa.String(length=255), nullable=False),
        sa.Column("aktion", sa.String(length=64), nullable=False),
        sa.Column("netzwerk_id", sa.Integer(), nullable=True),
        sa.Column("objekt", sa.String(length=255), nullable=False),
        sa.Column("vorher", sa.JSON(), nullable=True),
        sa.Column("nachher", sa.JSON(), nullable=True),
        sa.Column("erlaubt", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["netzwerk_id"],
            ["netzwerk.id"],
            name=op.f("fk_audit_netzwerk_id_netzwerk"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index("ix_audit_netzwerk_zeit", ["netzwerk_id", "zeit"], unique=False)

    op.create_table(
        "kontakt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("netzwerk_id", sa.Integer(), nullable=False),
        sa.Column(
            "rolle",
            sa.Enum(
                "Koordination",
                "Moderation",
                name="kontakt_rolle",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("matrix", sa.String(length=255), nullable=False),
        sa.Column("oeffentlich", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["netzwerk_id"],
            ["netzwerk.id"],
            name=op.f("fk_kontakt_netzwerk_id_netzwerk"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kontakt")),
        sa.UniqueConstraint(
            "netzwerk_id", "rolle", "name", name=op.f("uq_kontakt_netzwerk_id_rolle_name")
        ),
    )
    with op.batch_alter_table("kontakt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kontakt_matrix"), ["matrix"], unique=False)

    op.create_table(
        "mitglied",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("netzwerk_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "typ",
            sa.Enum(
                "intermediaer",
                "oeffentlich",
                "unternehmen",
                "berater",
                "sonstige",
                name="mitglied_typ",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["netzwerk_id"],
            ["netzwerk.id"],
            name=op.f("fk_mitglied_netzwerk_id_netzwerk"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mitglied")),
        sa.UniqueConstraint("netzwerk_id", "name", name=op.f("uq_mitglied_netzwerk_id_name")),
    )
    op.create_table(
        "raum",
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("beigetreten", sa.DateTime(timezone=True), nullable=False),
        sa.Column("netzwerk_id", sa.Integer(), nullable=True),
        sa.Column("verknuepft_von", sa.String(length=255), nullable=False),
        sa.Column("direkt", sa.Boolean(), nullable=False),
        sa.Column("direkt_mit", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["netzwerk_id"],
            ["netzwerk.id"],
            name=op.f("fk_raum_netzwerk_id_netzwerk"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("room_id", name=op.f("pk_raum")),
    )
    with op.batch_alter_table("raum", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_raum_netzwerk_id"), ["netzwerk_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_raum_direkt_mit"), ["direkt_mit"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("raum", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_raum_direkt_mit"))
        batch_op.drop_index(batch_op.f("ix_raum_netzwerk_id"))

    op.drop_table("raum")
    op.drop_table("mitglied")
    with op.batch_alter_table("kontakt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kontakt_matrix"))

    op.drop_table("kontakt")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_netzwerk_zeit")

    op.drop_table("audit")
    with op.batch_alter_table("region_teil", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_region_teil_teil_von_id"))

    op.drop_table("region_teil")
    op.drop_table("region_nachbar")
    op.drop_table("region_alias")
    with op.batch_alter_table("netzwerk", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_netzwerk_region_id"))

    op.drop_table("netzwerk")
    with op.batch_alter_table("verarbeitetes_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verarbeitetes_event_verarbeitet"))

    op.drop_table("verarbeitetes_event")
    op.drop_table("region")
    op.drop_table("partner")
    op.drop_table("bot_zustand")
