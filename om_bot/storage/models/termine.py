"""Events, cancelled occurrences of series, and the expanded occurrences clash checks query.

Part of the models package (`om_bot.storage.models`: conventions in its docstring).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The contact procedure's enums live in its pure domain modules (no SQLAlchemy there).
from om_bot.domain.termine import TerminArt
from om_bot.storage.models.basis import Base, wert_enum

if TYPE_CHECKING:
    from om_bot.storage.models.register import Netzwerk, Region


class Termin(Base):
    """An event or meeting, possibly recurring (`rrule`); `start`/`ende` is its first occurrence.

    The occurrences themselves are rows of `TerminVorkommen` (series expanded up to a horizon),
    so clash detection is an indexed query. A network-less event belongs to the Geschäftsstelle
    or a partner. `sequenz` counts changes for the .ics export (SEQUENCE), `abgesagt` marks a
    cancelled event or series; the row stays for the history and the export (STATUS:CANCELLED).
    """

    __tablename__ = "termin"

    id: Mapped[int] = mapped_column(primary_key=True)
    titel: Mapped[str] = mapped_column(String(200))
    art: Mapped[TerminArt] = mapped_column(wert_enum(TerminArt, "termin_art"))
    netzwerk_id: Mapped[int | None] = mapped_column(
        ForeignKey("netzwerk.id", ondelete="SET NULL"), index=True
    )
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    start: Mapped[datetime]
    ende: Mapped[datetime]
    ganztaegig: Mapped[bool] = mapped_column(Boolean, default=False)
    # No end was given: `ende` is start + the configured default duration.
    ohne_ende: Mapped[bool] = mapped_column(Boolean, default=False)
    rrule: Mapped[str] = mapped_column(String(200), default="")
    # The wall clock the RRULE repeats on (the configured zone when it was registered).
    zeitzone: Mapped[str] = mapped_column(String(64))
    ort: Mapped[str] = mapped_column(String(200), default="")
    raum_id: Mapped[str] = mapped_column(String(255), default="")
    erstellt: Mapped[datetime]
    erstellt_von: Mapped[str] = mapped_column(String(255), default="")
    geaendert: Mapped[datetime]
    sequenz: Mapped[int] = mapped_column(Integer, default=0)
    abgesagt: Mapped[datetime | None]
    # Series: occurrences are stored up to here (`terminverwaltung.auffuellen` extends it).
    expandiert_bis: Mapped[datetime | None] = mapped_column(index=True)

    netzwerk: Mapped[Netzwerk | None] = relationship()
    region: Mapped[Region] = relationship()
    ausnahmen: Mapped[list[TerminAusnahme]] = relationship(
        cascade="all, delete-orphan", order_by="TerminAusnahme.tag"
    )


class TerminAusnahme(Base):
    """A cancelled occurrence of a series, by its local date (EXDATE in the export)."""

    __tablename__ = "termin_ausnahme"

    termin_id: Mapped[int] = mapped_column(
        ForeignKey("termin.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[date] = mapped_column(Date, primary_key=True)
    abgesagt: Mapped[datetime]
    von: Mapped[str] = mapped_column(String(255), default="")


class TerminVorkommen(Base):
    """One occurrence of an event, in UTC, with the event's region copied for the index.

    Clash candidates are found through ``(region_id, start)`` (and ``(lang, region_id,
    start)`` for the few multi-day ones, see `TerminRepo.kandidaten`); cancelled occurrences stay
    (reminders announce the cancellation) with `abgesagt` set and never clash. `kollision` is
    the stored clash mark that `/om termine` shows; `om_bot.services.terminverwaltung` keeps it
    right
    when events are registered, changed or cancelled.
    """

    __tablename__ = "termin_vorkommen"
    __table_args__ = (
        Index("ix_termin_vorkommen_region_start", "region_id", "start"),
        Index("ix_termin_vorkommen_lang_region_start", "lang", "region_id", "start"),
        Index("ix_termin_vorkommen_start", "start"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    termin_id: Mapped[int] = mapped_column(ForeignKey("termin.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    start: Mapped[datetime]
    ende: Mapped[datetime]
    abgesagt: Mapped[datetime | None]
    kollision: Mapped[bool] = mapped_column(Boolean, default=False)
    # Longer than `om_bot.domain.termine.LANG_AB` (multi-day events): searched with a longer
    # look-back.
    lang: Mapped[bool] = mapped_column(Boolean, default=False)

    termin: Mapped[Termin] = relationship()
