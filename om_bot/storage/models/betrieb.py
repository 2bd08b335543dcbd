"""The runtime's own state (handled events, sync token) and the audit log.

Part of the models package (`om_bot.storage.models`: conventions in its docstring).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from om_bot.storage.models.basis import Base


class VerarbeitetesEvent(Base):
    """Matrix events the bot has handled, so a replayed sync never answers twice."""

    __tablename__ = "verarbeitetes_event"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    verarbeitet: Mapped[datetime] = mapped_column(index=True)


class Ausgang(Base):
    """Answers to commands not yet known to be sent (the durable outbox): written with the
    claim of the command, deleted once the homeserver accepted them. The next active process
    sends what is left under the same transaction ids, so an answer is neither lost nor doubled
    when a process dies (docs/betrieb.md, "Standby")."""

    __tablename__ = "ausgang"

    txn: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The command it answers: event, room and sender (for the reply relation).
    event_id: Mapped[str] = mapped_column(String(255), index=True)
    room_id: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(255))
    # The `om_bot.text.messages.Reply` as JSON (`om_bot.storage.repositories.betrieb`).
    antwort: Mapped[dict[str, Any]] = mapped_column(JSON)
    angelegt: Mapped[datetime] = mapped_column(index=True)


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
