"""The register: regions and their nesting, networks, members, contact persons, national partners.

Part of the models package (`om_bot.storage.models`: conventions in its docstring).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The contact procedure's enums live in its pure domain modules (no SQLAlchemy there).
from om_bot.domain.netzwerk import Art, Dach, KontaktRolle, MitgliedTyp, RegionArt, Status
from om_bot.storage.models.basis import Base, wert_enum


class Region(Base):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # Folded spelling (lower case, umlauts and ß spelled out) that lookups compare against.
    schluessel: Mapped[str] = mapped_column(String(120), unique=True)
    art: Mapped[RegionArt] = mapped_column(wert_enum(RegionArt, "region_art"))
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
    gebiete: Mapped[list[RegionGebiet]] = relationship(
        cascade="all, delete-orphan", order_by="RegionGebiet.gebiet_id"
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


class RegionGebiet(Base):
    """A unit of the place table (`om_bot.domain.orte`) that `region` consists of: "land:NW",
    "kreis:05566", "rb:057", "gn:2875115" (rev. 0007). Münsterland is five rows, Bayern one."""

    __tablename__ = "region_gebiet"

    region_id: Mapped[int] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), primary_key=True
    )
    gebiet_id: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


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
    dach: Mapped[Dach] = mapped_column(wert_enum(Dach, "dach"))
    art: Mapped[Art] = mapped_column(wert_enum(Art, "netzwerk_art"))
    thema: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[Status] = mapped_column(wert_enum(Status, "netzwerk_status"))
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
    typ: Mapped[MitgliedTyp] = mapped_column(wert_enum(MitgliedTyp, "mitglied_typ"))

    netzwerk: Mapped[Netzwerk] = relationship(back_populates="mitglieder")


class Kontakt(Base):
    __tablename__ = "kontakt"
    __table_args__ = (UniqueConstraint("netzwerk_id", "rolle", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    netzwerk_id: Mapped[int] = mapped_column(ForeignKey("netzwerk.id", ondelete="CASCADE"))
    rolle: Mapped[KontaktRolle] = mapped_column(wert_enum(KontaktRolle, "kontakt_rolle"))
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
