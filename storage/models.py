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


class Dach(enum.StrEnum):
    OM = "OM"
    DDN = "DDN"
    OGB = "OGB"


class Art(enum.StrEnum):
    REGIONAL = "regional"
    FACHGRUPPE = "fachgruppe"


class Status(enum.StrEnum):
    BEANTRAGT = "beantragt"
    LEITUNGSKREIS = "leitungskreis"
    AG_TRANSFER = "ag_transfer"
    PLENUM = "plenum"
    ANERKANNT = "anerkannt"
    ENTZOGEN = "entzogen"


class MitgliedTyp(enum.StrEnum):
    INTERMEDIAER = "intermediaer"
    OEFFENTLICH = "oeffentlich"
    UNTERNEHMEN = "unternehmen"
    BERATER = "berater"
    SONSTIGE = "sonstige"


class KontaktRolle(enum.StrEnum):
    KOORDINATION = "Koordination"
    MODERATION = "Moderation"


class RegionArt(enum.StrEnum):
    LAND = "land"
    GROSSREGION = "grossregion"
    BUNDESLAND = "bundesland"
    REGION = "region"
    STADT = "stadt"


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
