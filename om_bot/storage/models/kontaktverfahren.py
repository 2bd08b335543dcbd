"""Contact requests (seed 002), regional contacts from released requests, approaches (seed 000).

Part of the models package (`om_bot.storage.models`: conventions in its docstring).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The contact procedure's enums live in its pure domain modules (no SQLAlchemy there).
from om_bot.domain.ansprachen import Quelle
from om_bot.domain.kontaktverfahren import Zustand
from om_bot.storage.models.basis import Base, wert_enum

if TYPE_CHECKING:
    from om_bot.storage.models.register import Netzwerk, Partner, Region


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
    status: Mapped[Zustand] = mapped_column(wert_enum(Zustand, "anfrage_status"), index=True)
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
    quelle: Mapped[Quelle] = mapped_column(wert_enum(Quelle, "ansprache_quelle"))
    anfrage_id: Mapped[int | None] = mapped_column(ForeignKey("anfrage.id", ondelete="SET NULL"))

    netzwerk: Mapped[Netzwerk] = relationship()
