"""Planned and sent reminders, room settings, info-service subscriptions.

Repositories never commit; the unit of work around them decides (`om_bot.storage.uow`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Select, delete, or_, select, update
from sqlalchemy.orm import selectinload

from om_bot.storage.models import (
    AuditEintrag,
    Erinnerung,
    ErinnerungRaum,
    InfodienstAbo,
    Raum,
)
from om_bot.storage.repositories.basis import _Repo


class ErinnerungRepo(_Repo):
    """Planned reminders, room settings and info-service subscriptions (`om_bot.app.planer`)."""

    def _offen(self) -> Select[Erinnerung]:
        return select(Erinnerung).where(
            Erinnerung.gesendet.is_(None), Erinnerung.verworfen.is_(None)
        )

    def offene(self) -> Sequence[Erinnerung]:
        """Reminders neither sent nor dropped."""
        return self.session.scalars(self._offen().order_by(Erinnerung.faellig)).all()

    def schluessel_bekannt(self, schluessel: Iterable[str]) -> set[str]:
        """Which of these keys have a row (in any state)."""
        alle = list(schluessel)
        bekannt: set[str] = set()
        for start in range(0, len(alle), 500):
            teil = alle[start : start + 500]
            bekannt.update(
                self.session.scalars(
                    select(Erinnerung.schluessel).where(Erinnerung.schluessel.in_(teil))
                )
            )
        return bekannt

    def nach_schluessel(self, schluessel: Iterable[str]) -> dict[str, Erinnerung]:
        alle = list(schluessel)
        ergebnis: dict[str, Erinnerung] = {}
        for start in range(0, len(alle), 500):
            teil = alle[start : start + 500]
            for row in self.session.scalars(
                select(Erinnerung).where(Erinnerung.schluessel.in_(teil))
            ):
                ergebnis[row.schluessel] = row
        return ergebnis

    def add(self, erinnerung: Erinnerung) -> None:
        self.session.add(erinnerung)

    def loesche(self, erinnerung: Erinnerung) -> None:
        self.session.delete(erinnerung)

    def faellige(self, jetzt: datetime) -> Sequence[Erinnerung]:
        """Open reminders due at `jetzt`, oldest first."""
        return self.session.scalars(
            self._offen().where(Erinnerung.faellig <= jetzt).order_by(Erinnerung.faellig)
        ).all()

    def naechste(self, nach: datetime) -> datetime | None:
        """The due time of the next open reminder after `nach`."""
        return self.session.scalar(
            select(Erinnerung.faellig)
            .where(
                Erinnerung.gesendet.is_(None),
                Erinnerung.verworfen.is_(None),
                Erinnerung.faellig > nach,
            )
            .order_by(Erinnerung.faellig)
            .limit(1)
        )

    def als_gesendet(self, erinnerung_id: int, zeit: datetime) -> bool:
        """Mark sent unless it already is (or was dropped meanwhile); True if this call did."""
        result = self.session.execute(
            update(Erinnerung)
            .where(Erinnerung.id == erinnerung_id, Erinnerung.gesendet.is_(None))
            .values(gesendet=zeit)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def aufraeumen(self, vor: datetime) -> int:
        """Forget sent and dropped reminders that stopped being useful before `vor`."""
        result = self.session.execute(
            delete(Erinnerung).where(
                or_(Erinnerung.gesendet.is_not(None), Erinnerung.verworfen.is_not(None)),
                Erinnerung.gueltig_bis < vor,
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def im_raum(self, room_id: str) -> Sequence[Erinnerung]:
        return self.session.scalars(
            select(Erinnerung).where(Erinnerung.room_id == room_id).order_by(Erinnerung.faellig)
        ).all()

    # room settings

    def raum(self, room_id: str) -> ErinnerungRaum | None:
        return self.session.get(ErinnerungRaum, room_id)

    def raeume(self) -> Sequence[ErinnerungRaum]:
        return self.session.scalars(
            select(ErinnerungRaum).options(selectinload(ErinnerungRaum.versaetze))
        ).all()

    def add_raum(self, raum: ErinnerungRaum) -> None:
        self.session.add(raum)

    def verknuepfte_raeume(self) -> Sequence[Raum]:
        """Rooms linked to a network."""
        return self.session.scalars(
            select(Raum).where(Raum.netzwerk_id.is_not(None)).order_by(Raum.room_id)
        ).all()

    # info service

    def abo(self, room_id: str) -> InfodienstAbo | None:
        return self.session.get(InfodienstAbo, room_id)

    def abos(self) -> Sequence[InfodienstAbo]:
        return self.session.scalars(
            select(InfodienstAbo)
            .options(selectinload(InfodienstAbo.region))
            .order_by(InfodienstAbo.room_id)
        ).all()

    def add_abo(self, abo: InfodienstAbo) -> None:
        self.session.add(abo)

    def loesche_abo(self, abo: InfodienstAbo) -> None:
        self.session.delete(abo)

    def netzwerk_ereignisse(
        self, aktionen: Iterable[str], von: datetime, bis: datetime
    ) -> Sequence[AuditEintrag]:
        """Audit entries of these kinds in [von, bis) – new networks, status changes."""
        return self.session.scalars(
            select(AuditEintrag)
            .where(
                AuditEintrag.aktion.in_(list(aktionen)),
                AuditEintrag.erlaubt.is_(True),
                AuditEintrag.zeit >= von,
                AuditEintrag.zeit < bis,
            )
            .order_by(AuditEintrag.zeit, AuditEintrag.id)
        ).all()
