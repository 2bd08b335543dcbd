"""Planned and sent reminders, room reminder settings, info-service subscriptions.

Part of the models package (`om_bot.storage.models`: conventions in its docstring).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The contact procedure's enums live in its pure domain modules (no SQLAlchemy there).
from om_bot.domain.erinnerungen import Art as ErinnerungsArt
from om_bot.storage.models.basis import Base, wert_enum

if TYPE_CHECKING:
    from om_bot.storage.models.register import Region


class Erinnerung(Base):
    """A planned reminder and, once sent or dropped, its ledger entry.

    The scheduler reconciles these rows with what the sources want (`om_bot.app.planer`). The key
    names the origin (``termin:7:…``, ``anfrage:3:…``) instead of a foreign key, so reminders of
    every feature share one table without depending on the features' migrations; a row whose
    origin vanished is simply no longer wanted and is deleted unless it was sent.
    """

    __tablename__ = "erinnerung"
    __table_args__ = (Index("ix_erinnerung_offen", "gesendet", "verworfen", "faellig"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schluessel: Mapped[str] = mapped_column(String(500), unique=True)
    art: Mapped[ErinnerungsArt] = mapped_column(wert_enum(ErinnerungsArt, "erinnerung_art"))
    room_id: Mapped[str] = mapped_column(String(255), index=True)
    gruppe: Mapped[str] = mapped_column(String(500), default="")
    faellig: Mapped[datetime]
    gueltig_bis: Mapped[datetime]
    titel: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    angelegt: Mapped[datetime]
    gesendet: Mapped[datetime | None]
    verworfen: Mapped[datetime | None]
    grund: Mapped[str] = mapped_column(String(200), default="")


class ErinnerungRaum(Base):
    """A room's reminder settings (`/om erinnerungen aus|an|<Zeitpunkte>`); no row: defaults."""

    __tablename__ = "erinnerung_raum"

    room_id: Mapped[str] = mapped_column(
        String(255), ForeignKey("raum.room_id", ondelete="CASCADE"), primary_key=True
    )
    aktiv: Mapped[bool] = mapped_column(Boolean, default=True)
    geaendert: Mapped[datetime]
    geaendert_von: Mapped[str] = mapped_column(String(255), default="")

    versaetze: Mapped[list[ErinnerungVersatz]] = relationship(
        cascade="all, delete-orphan", order_by="ErinnerungVersatz.minuten.desc()"
    )


class ErinnerungVersatz(Base):
    """One offset before events that a room chose instead of the configured ones."""

    __tablename__ = "erinnerung_versatz"

    room_id: Mapped[str] = mapped_column(
        String(255), ForeignKey("erinnerung_raum.room_id", ondelete="CASCADE"), primary_key=True
    )
    minuten: Mapped[int] = mapped_column(Integer, primary_key=True)


class InfodienstAbo(Base):
    """A room that subscribed to the weekly info service, for one region or all."""

    __tablename__ = "infodienst_abo"

    room_id: Mapped[str] = mapped_column(
        String(255), ForeignKey("raum.room_id", ondelete="CASCADE"), primary_key=True
    )
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    seit: Mapped[datetime]
    von: Mapped[str] = mapped_column(String(255), default="")

    region: Mapped[Region | None] = relationship()
