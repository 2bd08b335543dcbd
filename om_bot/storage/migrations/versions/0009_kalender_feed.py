"""Kalender-Feeds: the token of each subscription URL (network, region, register)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

Issue 14: each network, each region and the whole register get a feed
``/kalender/<token>.ics`` that calendars subscribe to. One row per feed, made when its link is
first shown; `kalender neu` replaces the token in place (the old URL answers 404). The token is
stored as it is (the link is shown again) and looked up by its SHA-256; `inhalt_sha256` and
`stand` carry the feed's Last-Modified (`om_bot.storage.models.kalender`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kalender_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "art",
            sa.Enum(
                "netzwerk",
                "region",
                "register",
                name="feed_art",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("netzwerk_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("erstellt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erstellt_von", sa.String(length=255), nullable=False),
        sa.Column("erneuert", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erneuert_von", sa.String(length=255), nullable=False),
        sa.Column("inhalt_sha256", sa.String(length=64), nullable=False),
        sa.Column("stand", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(art = 'netzwerk' AND netzwerk_id IS NOT NULL AND region_id IS NULL)"
            " OR (art = 'region' AND region_id IS NOT NULL AND netzwerk_id IS NULL)"
            " OR (art = 'register' AND netzwerk_id IS NULL AND region_id IS NULL)",
            name=op.f("ck_kalender_feed_ziel"),
        ),
        sa.ForeignKeyConstraint(
            ["netzwerk_id"],
            ["netzwerk.id"],
            name=op.f("fk_kalender_feed_netzwerk_id_netzwerk"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_kalender_feed_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kalender_feed")),
        sa.UniqueConstraint("netzwerk_id", name=op.f("uq_kalender_feed_netzwerk_id")),
        sa.UniqueConstraint("region_id", name=op.f("uq_kalender_feed_region_id")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_kalender_feed_token_sha256")),
    )
    nur_register = sa.text("art = 'register'")
    op.create_index(
        "ix_kalender_feed_register",
        "kalender_feed",
        ["art"],
        unique=True,
        sqlite_where=nur_register,
        postgresql_where=nur_register,
    )


def downgrade() -> None:
    op.drop_index("ix_kalender_feed_register", table_name="kalender_feed")
    op.drop_table("kalender_feed")
