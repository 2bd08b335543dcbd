"""Rooms the bot is in and their links to networks (with requests).

Part of the models package (`om_bot.storage.models`: conventions in its docstring).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from om_bot.storage.models.basis import Base, wert_enum

if TYPE_CHECKING:
    from om_bot.storage.models.register import Netzwerk


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
        wert_enum(VerknuepfungStatus, "verknuepfung_status")
    )
    beantragt_von: Mapped[str] = mapped_column(String(255), default="")
    beantragt: Mapped[datetime]
    entschieden_von: Mapped[str] = mapped_column(String(255), default="")
    entschieden: Mapped[datetime | None]
    geloest_von: Mapped[str] = mapped_column(String(255), default="")
    geloest: Mapped[datetime | None]

    netzwerk: Mapped[Netzwerk] = relationship()
    raum: Mapped[Raum] = relationship()


class RaumBenachrichtigung(Base):
    """How the bot's messages meant to reach people address a room (`/om raum erwähnungen`,
    `/om raum raumerwähnung`); no row: the defaults (mentions on, ``@room`` off)."""

    __tablename__ = "raum_benachrichtigung"

    room_id: Mapped[str] = mapped_column(
        String(255), ForeignKey("raum.room_id", ondelete="CASCADE"), primary_key=True
    )
    # The coordinators (or the Geschäftsstelle) are mentioned by name (a pill, a highlight).
    erwaehnungen: Mapped[bool] = mapped_column(Boolean, default=True)
    # Also ``@room`` – only where the bot's power level in the room allows it.
    raumruf: Mapped[bool] = mapped_column(Boolean, default=False)
    geaendert: Mapped[datetime]
    geaendert_von: Mapped[str] = mapped_column(String(255), default="")
