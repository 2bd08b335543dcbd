"""SQLAlchemy 2 models: the tables of om-bot, typed with ``Mapped[...]``.

Conventions that every table follows: constraint names come from one naming convention (so
Alembic can address them on SQLite and PostgreSQL alike), enums are stored by their value as
checked strings (readable in the database, no native PostgreSQL enum to migrate), times are
stored in UTC (`UtcDateTime` refuses naive datetimes), and lists are rows of their own, never
comma-joined strings.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# The contact procedure's enums live in its pure domain modules (no SQLAlchemy there).
from om_bot.domain.ansprachen import Quelle
from om_bot.domain.erinnerungen import Art as ErinnerungsArt
from om_bot.domain.kontaktverfahren import Zustand
from om_bot.domain.netzwerk import Art, Dach, KontaktRolle, MitgliedTyp, RegionArt, Status
from om_bot.domain.termine import TerminArt

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; om-bot stores only timezone-aware times")
        utc = value.astimezone(UTC)
        # SQLite has no time zones: store naive UTC there and re-attach UTC on read.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), date: Date()}


class Region(Base):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # Folded spelling (lower case, umlauts and ß spelled out) that lookups compare against.
    schluessel: Mapped[str] = mapped_column(String(120), unique=True)
    art: Mapped[RegionArt] = mapped_column(_enum(RegionArt, "region_art"))
    bundesland: Mapped[str] = mapped_column(String(2), default="")

    eltern: Mapped[list[RegionTeil]] = relationship(
        foreign_keys="RegionTeil.region_id", cascade="all, delete-orphan", back_populates="region"
    )
    aliase: Mapped[list[RegionAlias]] = relationship(
        cascade="all, delete-orphan", back_populates="region", order_by="RegionAlias.id"
    )
    nachbarn: Mapped[list[RegionNachbar]] = relationship(
        foreign_keys="RegionNachbar.region_id", cascade="all, delete-orphan"
    )


class RegionTeil(Base):
    """`region` lies inside `teil_von` (a region may lie in several, e.g. the Harz)."""

    __tablename__ = "region_teil"

    region_id: Mapped[int] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), primary_key=True
    )
    teil_von_id: Mapped[int] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    region: Mapped[Region] = relationship(foreign_keys=[region_id], back_populates="eltern")
    teil_von: Mapped[Region] = relationship(foreign_keys=[teil_von_id])


class RegionNachbar(Base):
    """Two neighbouring regions (stored once per direction, for suggestions)."""

    __tablename__ = "region_nachbar"

    region_id: Mapped[int] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), primary_key=True
    )
    nachbar_id: Mapped[int] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), primary_key=True
    )

    nachbar: Mapped[Region] = relationship(foreign_keys=[nachbar_id])


class RegionAlias(Base):
    __tablename__ = "region_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    schluessel: Mapped[str] = mapped_column(String(120), unique=True)

    region: Mapped[Region] = relationship(back_populates="aliase")


class Netzwerk(Base):
    __tablename__ = "netzwerk"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    schluessel: Mapped[str] = mapped_column(String(200), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    dach: Mapped[Dach] = mapped_column(_enum(Dach, "dach"))
    art: Mapped[Art] = mapped_column(_enum(Art, "netzwerk_art"))
    thema: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[Status] = mapped_column(_enum(Status, "netzwerk_status"))
    stadium: Mapped[int | None] = mapped_column(Integer)
    offen: Mapped[bool | None] = mapped_column(Boolean)
    beitragsfrei: Mapped[bool | None] = mapped_column(Boolean)
    teilnetz: Mapped[bool] = mapped_column(Boolean, default=False)
    letzter_bericht: Mapped[date | None]
    letzte_selbsterklaerung: Mapped[date | None]
    # The application (seed 001): "beschreibt … die Ziele und die Vorgehensweise" (rev. 0002).
    ziele: Mapped[str] = mapped_column(Text, default="", server_default="")
    vorgehen: Mapped[str] = mapped_column(Text, default="", server_default="")

    region: Mapped[Region] = relationship()
    mitglieder: Mapped[list[Mitglied]] = relationship(
        cascade="all, delete-orphan", back_populates="netzwerk", order_by="Mitglied.id"
    )
    kontakte: Mapped[list[Kontakt]] = relationship(
        cascade="all, delete-orphan", back_populates="netzwerk", order_by="Kontakt.id"
    )


class Mitglied(Base):
    __tablename__ = "mitglied"
    __table_args__ = (UniqueConstraint("netzwerk_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    netzwerk_id: Mapped[int] = mapped_column(ForeignKey("netzwerk.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    typ: Mapped[MitgliedTyp] = mapped_column(_enum(MitgliedTyp, "mitglied_typ"))

    netzwerk: Mapped[Netzwerk] = relationship(back_populates="mitglieder")


class Kontakt(Base):
    __tablename__ = "kontakt"
    __table_args__ = (UniqueConstraint("netzwerk_id", "rolle", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    netzwerk_id: Mapped[int] = mapped_column(ForeignKey("netzwerk.id", ondelete="CASCADE"))
    rolle: Mapped[KontaktRolle] = mapped_column(_enum(KontaktRolle, "kontakt_rolle"))
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    matrix: Mapped[str] = mapped_column(String(255), default="", index=True)
    oeffentlich: Mapped[bool] = mapped_column(Boolean, default=True)

    netzwerk: Mapped[Netzwerk] = relationship(back_populates="kontakte")


class Partner(Base):
    """A national partner institution of the OM (contact procedure, seed 002)."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    kurz: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    nationaler_kontakt: Mapped[str] = mapped_column(String(255), default="")
    nationaler_kontakt_name: Mapped[str] = mapped_column(String(200), default="")


class Raum(Base):
    """A Matrix room the bot has joined, and the network it is linked to, if any."""

    __tablename__ = "raum"

    room_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    beigetreten: Mapped[datetime]
    netzwerk_id: Mapped[int | None] = mapped_column(
        ForeignKey("netzwerk.id", ondelete="SET NULL"), index=True
    )
    verknuepft_von: Mapped[str] = mapped_column(String(255), default="")
    # Invited as a direct chat (m.direct): commands work there without a prefix.
    direkt: Mapped[bool] = mapped_column(Boolean, default=False)
    # For direct chats the bot opened itself: the other user, so it reuses the room.
    direkt_mit: Mapped[str] = mapped_column(String(255), default="", index=True)

    netzwerk: Mapped[Netzwerk | None] = relationship()


class VerknuepfungStatus(enum.StrEnum):
    BEANTRAGT = "beantragt"  # a room's moderator asked; the network has not decided yet
    AKTIV = "aktiv"  # the room speaks for the network (`Raum.netzwerk_id`)
    ABGELEHNT = "abgelehnt"
    GELOEST = "geloest"


class Verknuepfung(Base):
    """A room's link to a network, from the request or the direct link to its end.

    `Raum.netzwerk_id` is the link in force and what every feature reads; these rows say who
    asked, who decided and when, and give links and requests the number that `raum bestätigen
    <Nr>` and `raum lösen <Nr>` name (`om_bot.services.verknuepfung` keeps both in step). At most
    one
    row per room is `aktiv` and at most one `beantragt`.
    """

    __tablename__ = "raum_verknuepfung"
    __table_args__ = (Index("ix_raum_verknuepfung_netzwerk_status", "netzwerk_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[str] = mapped_column(
        String(255), ForeignKey("raum.room_id", ondelete="CASCADE"), index=True
    )
    netzwerk_id: Mapped[int] = mapped_column(ForeignKey("netzwerk.id", ondelete="CASCADE"))
    status: Mapped[VerknuepfungStatus] = mapped_column(
        _enum(VerknuepfungStatus, "verknuepfung_status")
    )
    beantragt_von: Mapped[str] = mapped_column(String(255), default="")
    beantragt: Mapped[datetime]
    entschieden_von: Mapped[str] = mapped_column(String(255), default="")
    entschieden: Mapped[datetime | None]
    geloest_von: Mapped[str] = mapped_column(String(255), default="")
    geloest: Mapped[datetime | None]

    netzwerk: Mapped[Netzwerk] = relationship()
    raum: Mapped[Raum] = relationship()


class VerarbeitetesEvent(Base):
    """Matrix events the bot has handled, so a replayed sync never answers twice."""

    __tablename__ = "verarbeitetes_event"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    verarbeitet: Mapped[datetime] = mapped_column(index=True)


class BotZustand(Base):
    """Small key/value state of the runtime (sync token, first start)."""

    __tablename__ = "bot_zustand"

    schluessel: Mapped[str] = mapped_column(String(64), primary_key=True)
    wert: Mapped[str] = mapped_column(Text)


class AuditEintrag(Base):
    """Who changed what, when: before → after. Also records refused attempts."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_netzwerk_zeit", "netzwerk_id", "zeit"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    zeit: Mapped[datetime]
    akteur: Mapped[str] = mapped_column(String(255))
    aktion: Mapped[str] = mapped_column(String(64))
    netzwerk_id: Mapped[int | None] = mapped_column(ForeignKey("netzwerk.id", ondelete="SET NULL"))
    objekt: Mapped[str] = mapped_column(String(255), default="")
    vorher: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    nachher: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    erlaubt: Mapped[bool] = mapped_column(Boolean, default=True)


# --- Kontaktverfahren (seed 002) and Parallelansprachen (seed 000) -------------------------


class Anfrage(Base):
    """A network asks the Geschäftsstelle for a regional contact person of a national partner.

    `status` and `version` change only by compare-and-set (`AnfrageRepo.setze_status`), so two
    people taking the same step at once change it exactly once. The person fields and the free
    texts are personal data: `/om anfrage N löschen` empties them (README, "Datenschutz").
    """

    __tablename__ = "anfrage"
    __table_args__ = (
        Index("ix_anfrage_netzwerk_partner_status", "netzwerk_id", "partner_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    netzwerk_id: Mapped[int] = mapped_column(ForeignKey("netzwerk.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), index=True
    )
    # The network's region when it asked: the released person becomes the contact for it.
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    status: Mapped[Zustand] = mapped_column(_enum(Zustand, "anfrage_status"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    erstellt: Mapped[datetime]
    geaendert: Mapped[datetime]
    angefragt_von: Mapped[str] = mapped_column(String(255), default="")
    notiz: Mapped[str] = mapped_column(Text, default="")
    person_name: Mapped[str] = mapped_column(String(200), default="")
    person_email: Mapped[str] = mapped_column(String(254), default="")
    person_telefon: Mapped[str] = mapped_column(String(40), default="")
    grund: Mapped[str] = mapped_column(Text, default="")
    geloescht: Mapped[datetime | None]

    netzwerk: Mapped[Netzwerk] = relationship()
    partner: Mapped[Partner] = relationship()
    region: Mapped[Region] = relationship()


class RegionalerKontakt(Base):
    """A partner's regional contact person for a region, recorded when a request is released.

    The next request from that region can be answered from here (`anfrage N aus register`).
    """

    __tablename__ = "regionaler_kontakt"
    __table_args__ = (UniqueConstraint("partner_id", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    telefon: Mapped[str] = mapped_column(String(40), default="")
    anfrage_id: Mapped[int | None] = mapped_column(
        ForeignKey("anfrage.id", ondelete="SET NULL"), index=True
    )
    freigegeben: Mapped[datetime]

    partner: Mapped[Partner] = relationship()
    region: Mapped[Region] = relationship()


class Ansprache(Base):
    """A network approaches an institution (or a person) in its region
    (`om_bot.domain.ansprachen`)."""

    __tablename__ = "ansprache"
    __table_args__ = (
        Index("ix_ansprache_institution_zeit", "institution_schluessel", "zeit"),
        Index("ix_ansprache_person_zeit", "person_schluessel", "zeit"),
        Index("ix_ansprache_partner_zeit", "partner_id", "zeit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    netzwerk_id: Mapped[int] = mapped_column(ForeignKey("netzwerk.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    institution: Mapped[str] = mapped_column(String(200))
    institution_schluessel: Mapped[str] = mapped_column(String(200))
    person: Mapped[str] = mapped_column(String(200), default="")
    person_schluessel: Mapped[str] = mapped_column(String(200), default="")
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    zeit: Mapped[datetime]
    quelle: Mapped[Quelle] = mapped_column(_enum(Quelle, "ansprache_quelle"))
    anfrage_id: Mapped[int | None] = mapped_column(ForeignKey("anfrage.id", ondelete="SET NULL"))

    netzwerk: Mapped[Netzwerk] = relationship()


# --- Erinnerungen und Infodienst (om_bot.domain.erinnerungen, om_bot.app.planer)
# ---------------------


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
    art: Mapped[ErinnerungsArt] = mapped_column(_enum(ErinnerungsArt, "erinnerung_art"))
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


# --- Termine (om_bot.domain.termine, om_bot.services.terminverwaltung)
# ---------------------------------------


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
    art: Mapped[TerminArt] = mapped_column(_enum(TerminArt, "termin_art"))
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
