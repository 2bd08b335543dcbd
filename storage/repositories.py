"""Repositories: the queries om-bot needs, one class per aggregate, on a shared session.

Repositories never commit; the unit of work around them decides (`storage.uow`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session, selectinload

from storage.models import (
    AuditEintrag,
    BotZustand,
    Kontakt,
    Netzwerk,
    Partner,
    Raum,
    Region,
    RegionAlias,
    RegionTeil,
    VerarbeitetesEvent,
)


class _Repo:
    def __init__(self, session: Session) -> None:
        self.session = session


class RegionRepo(_Repo):
    def alle(self) -> Sequence[Region]:
        return self.session.scalars(
            select(Region).options(selectinload(Region.aliase)).order_by(Region.name)
        ).all()

    def nach_schluessel(self, schluessel: str) -> Region | None:
        region = self.session.scalar(select(Region).where(Region.schluessel == schluessel))
        if region is not None:
            return region
        return self.session.scalar(
            select(Region).join(RegionAlias).where(RegionAlias.schluessel == schluessel)
        )

    def nach_name(self, name: str) -> Region | None:
        return self.session.scalar(select(Region).where(Region.name == name))

    def kanten(self) -> list[tuple[int, int]]:
        """All (region, containing region) pairs; the table is small, nesting is resolved in
        Python (`om_bot.regions`)."""
        rows = self.session.execute(select(RegionTeil.region_id, RegionTeil.teil_von_id))
        return [(r, p) for r, p in rows]

    def add(self, region: Region) -> None:
        self.session.add(region)


class NetzwerkRepo(_Repo):
    def _query(self) -> Select[Netzwerk]:
        return select(Netzwerk).options(
            selectinload(Netzwerk.region),
            selectinload(Netzwerk.kontakte),
            selectinload(Netzwerk.mitglieder),
        )

    def get(self, netzwerk_id: int) -> Netzwerk | None:
        return self.session.scalar(self._query().where(Netzwerk.id == netzwerk_id))

    def nach_schluessel(self, schluessel: str) -> Netzwerk | None:
        return self.session.scalar(self._query().where(Netzwerk.schluessel == schluessel))

    def alle(self) -> Sequence[Netzwerk]:
        return self.session.scalars(self._query().order_by(Netzwerk.name)).all()

    def in_regionen(self, region_ids: Iterable[int]) -> Sequence[Netzwerk]:
        ids = list(region_ids)
        return self.session.scalars(
            self._query().where(Netzwerk.region_id.in_(ids)).order_by(Netzwerk.name)
        ).all()

    def koordinatoren(self, netzwerk_id: int) -> frozenset[str]:
        rows = self.session.scalars(
            select(Kontakt.matrix).where(Kontakt.netzwerk_id == netzwerk_id, Kontakt.matrix != "")
        )
        return frozenset(rows)

    def add(self, netzwerk: Netzwerk) -> None:
        self.session.add(netzwerk)


class PartnerRepo(_Repo):
    def alle(self) -> Sequence[Partner]:
        return self.session.scalars(select(Partner).order_by(Partner.kurz)).all()

    def nach_kurz(self, kurz: str) -> Partner | None:
        return self.session.scalar(select(Partner).where(Partner.kurz == kurz))

    def add(self, partner: Partner) -> None:
        self.session.add(partner)


class RaumRepo(_Repo):
    def get(self, room_id: str) -> Raum | None:
        return self.session.get(Raum, room_id)

    def beigetreten(self, room_id: str, zeit: datetime, direkt: bool = False) -> Raum:
        raum = self.get(room_id)
        if raum is None:
            raum = Raum(room_id=room_id, beigetreten=zeit, direkt=direkt)
            self.session.add(raum)
        return raum

    def direkt_mit(self, user_id: str) -> Raum | None:
        return self.session.scalar(
            select(Raum).where(Raum.direkt_mit == user_id).order_by(Raum.beigetreten.desc())
        )

    def fuer_netzwerk(self, netzwerk_id: int) -> Sequence[Raum]:
        return self.session.scalars(
            select(Raum).where(Raum.netzwerk_id == netzwerk_id).order_by(Raum.room_id)
        ).all()

    def beitrittszeiten(self) -> dict[str, datetime]:
        return {r: t for r, t in self.session.execute(select(Raum.room_id, Raum.beigetreten))}


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


class EventRepo(_Repo):
    def bekannt(self, event_id: str) -> bool:
        return self.session.get(VerarbeitetesEvent, event_id) is not None

    def merke(self, event_id: str, room_id: str, zeit: datetime) -> None:
        self.session.add(VerarbeitetesEvent(event_id=event_id, room_id=room_id, verarbeitet=zeit))

    def vergiss_vor(self, zeit: datetime) -> int:
        result = self.session.execute(
            delete(VerarbeitetesEvent).where(VerarbeitetesEvent.verarbeitet < zeit)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class AuditRepo(_Repo):
    def add(self, eintrag: AuditEintrag) -> None:
        self.session.add(eintrag)

    def fuer_netzwerk(self, netzwerk_id: int, limit: int = 50) -> Sequence[AuditEintrag]:
        return self.session.scalars(
            select(AuditEintrag)
            .where(AuditEintrag.netzwerk_id == netzwerk_id)
            .order_by(AuditEintrag.zeit.desc(), AuditEintrag.id.desc())
            .limit(limit)
        ).all()

    def alle(self) -> Sequence[AuditEintrag]:
        return self.session.scalars(select(AuditEintrag).order_by(AuditEintrag.id)).all()
