"""Calendar feeds: the secret token of each subscription URL and what its body looked like.

Part of the models package (`om_bot.storage.models`: conventions in its docstring).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from om_bot.domain.kalender import FeedArt
from om_bot.storage.models.basis import Base, wert_enum

if TYPE_CHECKING:
    from om_bot.storage.models.register import Netzwerk, Region

_NUR_REGISTER = text("art = 'register'")


class KalenderFeed(Base):
    """The feed of one network, one region or the whole register (`art`): one row each,
    made when its link is first shown (`om_bot.services.kalender_abo`).

    `token` is the secret part of ``/kalender/<token>.ics``, kept as it is: ``!om kalender``
    shows the link again, which a hash would not allow, and whoever reads this table reads
    the events it would protect anyway. Requests are looked up by `token_sha256` (unique),
    so the index's timing depends on a hash of the input, never on how much of a real token
    it guessed. Rotating replaces both in place: the old URL answers 404 at once.

    `inhalt_sha256` and `stand` are the hash of the body last served and since when it is
    that (whole seconds, what Last-Modified says): anything that changes the body – an event,
    a rename, an event moving to another network – moves `stand`, so If-Modified-Since never
    answers 304 for a changed feed.
    """

    __tablename__ = "kalender_feed"
    __table_args__ = (
        CheckConstraint(
            "(art = 'netzwerk' AND netzwerk_id IS NOT NULL AND region_id IS NULL)"
            " OR (art = 'region' AND region_id IS NOT NULL AND netzwerk_id IS NULL)"
            " OR (art = 'register' AND netzwerk_id IS NULL AND region_id IS NULL)",
            name="ziel",
        ),
        # At most one register feed (the two others are unique by their column).
        Index(
            "ix_kalender_feed_register",
            "art",
            unique=True,
            sqlite_where=_NUR_REGISTER,
            postgresql_where=_NUR_REGISTER,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    art: Mapped[FeedArt] = mapped_column(wert_enum(FeedArt, "feed_art"))
    netzwerk_id: Mapped[int | None] = mapped_column(
        ForeignKey("netzwerk.id", ondelete="CASCADE"), unique=True
    )
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), unique=True
    )
    token: Mapped[str] = mapped_column(String(64))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    erstellt: Mapped[datetime]
    erstellt_von: Mapped[str] = mapped_column(String(255), default="")
    # The last rotation (`kalender neu`); None: the first token still.
    erneuert: Mapped[datetime | None]
    erneuert_von: Mapped[str] = mapped_column(String(255), default="")
    inhalt_sha256: Mapped[str] = mapped_column(String(64), default="")
    stand: Mapped[datetime | None]

    netzwerk: Mapped[Netzwerk | None] = relationship()
    region: Mapped[Region | None] = relationship()
