"""The runtime's own state (sync token, handled events) and the audit log.

Repositories never commit; the unit of work around them decides (`om_bot.storage.uow`).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Executable, Table, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from om_bot.storage.models import (
    AuditEintrag,
    Ausgang,
    BotZustand,
    VerarbeitetesEvent,
)
from om_bot.storage.repositories.basis import _Repo
from om_bot.text.messages import Attachment, Erwaehnung, IncomingMessage, Reply


class ZustandRepo(_Repo):
    def get(self, schluessel: str) -> str | None:
        row = self.session.get(BotZustand, schluessel)
        return row.wert if row else None

    def set(self, schluessel: str, wert: str) -> None:
        row = self.session.get(BotZustand, schluessel)
        if row is None:
            self.session.add(BotZustand(schluessel=schluessel, wert=wert))
        else:
            row.wert = wert


@cache
def _anspruch(dialekt: str, rueckgabe: bool = True) -> Executable:
    """The claim statement for `dialekt`, built once: on the path of messages, building it
    anew (values, coercion, cache key) cost more than the database's work."""
    tabelle = cast(Table, VerarbeitetesEvent.__table__)
    insert_ = postgresql.insert if dialekt == "postgresql" else sqlite.insert
    stmt = insert_(tabelle).on_conflict_do_nothing()
    # The new row's key comes back only when it was inserted (rowcount is not reliable for
    # this statement on every driver).
    return stmt.returning(tabelle.c.event_id) if rueckgabe else stmt


class EventRepo(_Repo):
    def bekannt(self, event_id: str) -> bool:
        return self.session.get(VerarbeitetesEvent, event_id) is not None

    def merke(self, event_id: str, room_id: str, zeit: datetime) -> None:
        self.session.add(VerarbeitetesEvent(event_id=event_id, room_id=room_id, verarbeitet=zeit))

    def beanspruchen(self, event_id: str, room_id: str, zeit: datetime) -> bool:
        """Mark the event handled unless it already is; True when this call marked it.

        One statement (INSERT … ON CONFLICT DO NOTHING) instead of a lookup and an insert: it
        is on the path of every message, and two processes claiming the same event at once
        get True and False instead of a unique violation.
        """
        stmt = _anspruch(self.session.get_bind().dialect.name)
        werte = {"event_id": event_id, "room_id": room_id, "verarbeitet": zeit}
        return self.session.execute(stmt, werte).first() is not None

    def beanspruchen_alle(self, events: Sequence[tuple[str, str, datetime]]) -> None:
        """Mark these events (event id, room id, time) handled; those already marked stay as
        they are. One statement for a whole sync batch."""
        if events:
            stmt = _anspruch(self.session.get_bind().dialect.name, rueckgabe=False)
            werte = [{"event_id": e, "room_id": r, "verarbeitet": z} for e, r, z in events]
            self.session.execute(stmt, werte)

    def vergiss_vor(self, zeit: datetime) -> int:
        result = self.session.execute(
            delete(VerarbeitetesEvent).where(VerarbeitetesEvent.verarbeitet < zeit)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def antwort_json(reply: Reply) -> dict[str, Any]:
    """`reply` as JSON for the outbox: its fields, the attachment's bytes in base64."""
    werte: dict[str, Any] = {}
    for feld in fields(Reply):
        wert = getattr(reply, feld.name)
        if isinstance(wert, Attachment):
            wert = {**asdict(wert), "data": base64.b64encode(wert.data).decode("ascii")}
        elif feld.name == "erwaehnt":
            wert = [asdict(e) for e in wert]
        werte[feld.name] = wert
    return werte


def antwort_aus(werte: dict[str, Any]) -> Reply:
    """The `Reply` that `antwort_json` stored."""
    daten = dict(werte)
    if daten.get("attachment") is not None:
        anhang = daten["attachment"]
        daten["attachment"] = Attachment(
            anhang["filename"], anhang["mimetype"], base64.b64decode(anhang["data"])
        )
    if "erwaehnt" in daten:
        daten["erwaehnt"] = tuple(Erwaehnung(**e) for e in daten["erwaehnt"])
    return Reply(**daten)


class AusgangRepo(_Repo):
    """The durable outbox (`Ausgang`): answers not yet known to be sent."""

    def add(self, antworten: Iterable[tuple[str, IncomingMessage, Reply, datetime]]) -> None:
        """Answers (transaction id, the command, the answer, when) in one statement – Core,
        not the ORM's flush: it is on the path of every batch of replies."""
        zeilen = [
            {
                "txn": txn,
                "event_id": quelle.event_id,
                "room_id": quelle.room_id,
                "sender": quelle.sender,
                "antwort": antwort_json(reply),
                "angelegt": zeit,
            }
            for txn, quelle, reply, zeit in antworten
        ]
        if zeilen:
            self.session.execute(insert(cast(Table, Ausgang.__table__)), zeilen)

    def gesendet(self, txns: Iterable[str]) -> None:
        liste = list(txns)
        if liste:
            self.session.execute(delete(Ausgang).where(Ausgang.txn.in_(liste)))

    def offene(self, seit: datetime) -> list[tuple[str, IncomingMessage, Reply]]:
        """What is left from `seit` on, oldest first, as (txn, the command, the answer)."""
        rows = self.session.scalars(
            select(Ausgang).where(Ausgang.angelegt >= seit).order_by(Ausgang.angelegt)
        )
        return [
            (
                r.txn,
                IncomingMessage(r.event_id, r.room_id, r.sender, "", r.angelegt),
                antwort_aus(r.antwort),
            )
            for r in rows
        ]

    def vergiss_vor(self, zeit: datetime) -> int:
        result = self.session.execute(delete(Ausgang).where(Ausgang.angelegt < zeit))
        return int(getattr(result, "rowcount", 0) or 0)


class AuditRepo(_Repo):
    def add(self, eintrag: AuditEintrag) -> None:
        self.session.add(eintrag)

    def fuer_netzwerk(
        self, netzwerk_id: int, limit: int = 50, ohne: Iterable[str] = ()
    ) -> Sequence[AuditEintrag]:
        """The network's newest entries; `ohne`: action prefixes to leave out (e.g. "anfrage_")."""
        query = select(AuditEintrag).where(AuditEintrag.netzwerk_id == netzwerk_id)
        for praefix in ohne:
            query = query.where(AuditEintrag.aktion.not_like(f"{praefix}%"))
        return self.session.scalars(
            query.order_by(AuditEintrag.zeit.desc(), AuditEintrag.id.desc()).limit(limit)
        ).all()

    def alle(self) -> Sequence[AuditEintrag]:
        return self.session.scalars(select(AuditEintrag).order_by(AuditEintrag.id)).all()

    def vergiss_verweigerte_vor(self, zeit: datetime) -> int:
        """Delete the records of refused attempts older than `zeit` (retention)."""
        result = self.session.execute(
            delete(AuditEintrag).where(AuditEintrag.erlaubt.is_(False), AuditEintrag.zeit < zeit)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def vergiss_vor(self, zeit: datetime, behalte_neueste: Iterable[str] = ()) -> int:
        """Delete the records of allowed changes older than `zeit` (retention), except each
        network's newest record of the actions `behalte_neueste` ("status since …")."""
        behalten = list(behalte_neueste)
        query = delete(AuditEintrag).where(AuditEintrag.erlaubt.is_(True), AuditEintrag.zeit < zeit)
        if behalten:
            neueste = (
                select(func.max(AuditEintrag.id))
                .where(AuditEintrag.aktion.in_(behalten), AuditEintrag.netzwerk_id.is_not(None))
                .group_by(AuditEintrag.netzwerk_id)
            )
            query = query.where(AuditEintrag.id.not_in(neueste))
        result = self.session.execute(query.execution_options(synchronize_session=False))
        return int(getattr(result, "rowcount", 0) or 0)
