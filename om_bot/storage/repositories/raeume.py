"""Rooms the bot is in, their links to networks and link requests.

Repositories never commit; the unit of work around them decides (`om_bot.storage.uow`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select

from om_bot.storage.models import (
    Raum,
    RaumBenachrichtigung,
    Verknuepfung,
    VerknuepfungStatus,
)
from om_bot.storage.repositories.basis import _Repo


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

    # Links and link requests (`Verknuepfung`) belong to the room aggregate.

    def verknuepfung(self, nr: int) -> Verknuepfung | None:
        return self.session.get(Verknuepfung, nr)

    def verknuepfung_im_raum(self, room_id: str, status: VerknuepfungStatus) -> Verknuepfung | None:
        return self.session.scalar(
            select(Verknuepfung)
            .where(Verknuepfung.room_id == room_id, Verknuepfung.status == status)
            .order_by(Verknuepfung.id.desc())
        )

    def verknuepfungen(
        self, netzwerk_id: int, status: Iterable[VerknuepfungStatus]
    ) -> Sequence[Verknuepfung]:
        return self.session.scalars(
            select(Verknuepfung)
            .where(Verknuepfung.netzwerk_id == netzwerk_id, Verknuepfung.status.in_(status))
            .order_by(Verknuepfung.id)
        ).all()

    def add_verknuepfung(self, verknuepfung: Verknuepfung) -> None:
        self.session.add(verknuepfung)

    def beitrittszeiten(self) -> dict[str, datetime]:
        return {r: t for r, t in self.session.execute(select(Raum.room_id, Raum.beigetreten))}

    # How messages meant to reach people address the room (`RaumBenachrichtigung`).

    def benachrichtigung(self, room_id: str) -> RaumBenachrichtigung | None:
        return self.session.get(RaumBenachrichtigung, room_id)

    def add_benachrichtigung(self, einstellung: RaumBenachrichtigung) -> None:
        self.session.add(einstellung)
