"""Events, their occurrences and the clash-candidate queries.

Repositories never commit; the unit of work around them decides (`om_bot.storage.uow`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from om_bot.storage.models import (
    Netzwerk,
    Region,
    Termin,
    TerminVorkommen,
)
from om_bot.storage.repositories.basis import _Repo

_FRUEHESTENS = datetime(2000, 1, 1, tzinfo=UTC)


class TerminRepo(_Repo):
    """Events and their stored occurrences (`om_bot.services.terminverwaltung` writes them)."""

    def _mit_termin(self) -> Select[TerminVorkommen]:
        # One query: the event, its network and region are many-to-one, joined in (of network
        # and region only what messages show; the rest loads when touched).
        termin = joinedload(TerminVorkommen.termin, innerjoin=True)
        return select(TerminVorkommen).options(
            termin.joinedload(Termin.netzwerk).load_only(Netzwerk.id, Netzwerk.name),
            termin.joinedload(Termin.region, innerjoin=True).load_only(Region.id, Region.name),
        )

    def add(self, termin: Termin) -> None:
        self.session.add(termin)

    def add_vorkommen(self, vorkommen: Iterable[TerminVorkommen]) -> None:
        self.session.add_all(list(vorkommen))

    def get(self, termin_id: int) -> Termin | None:
        return self.session.scalar(
            select(Termin)
            .options(
                selectinload(Termin.netzwerk),
                selectinload(Termin.region),
                selectinload(Termin.ausnahmen),
            )
            .where(Termin.id == termin_id)
        )

    def vorkommen_von(
        self, termin_id: int, nicht_beendet_um: datetime | None = None
    ) -> Sequence[TerminVorkommen]:
        """The stored occurrences of one event (those not ended at `nicht_beendet_um`)."""
        query = select(TerminVorkommen).where(TerminVorkommen.termin_id == termin_id)
        if nicht_beendet_um is not None:
            query = query.where(TerminVorkommen.ende > nicht_beendet_um)
        return self.session.scalars(query.order_by(TerminVorkommen.start)).all()

    def loesche_vorkommen(self, vorkommen: Iterable[TerminVorkommen]) -> None:
        for row in vorkommen:
            self.session.delete(row)

    def kandidaten(
        self,
        fenster: Sequence[tuple[datetime, datetime]],
        region_ids: Iterable[int],
        *,
        kurz: timedelta,
        rueckblick: timedelta,
        ohne_termin_id: int | None = None,
    ) -> Sequence[TerminVorkommen]:
        """Occurrences (not cancelled) in these regions that overlap one of the windows.

        Per window two index range scans: short occurrences (at most `kurz` long) on
        ``(region_id, start)`` with ``start`` from the window's start minus `kurz`, and the
        few long ones on ``(lang, region_id, start)`` with the full `rueckblick`; `ende` and
        the exclusion of the event itself are checked on the few rows found. One window (a
        single event) is one query (the two ranges OR-ed), several windows (a series) one
        UNION ALL per 100 windows. Only the occurrence rows: a join would cost PostgreSQL more
        planning than the scan itself; `lade` fetches the events of actual clashes.
        """
        ids = sorted(set(region_ids))
        if not fenster or not ids:
            return []

        def bereich(von: datetime, bis: datetime, lang: bool) -> Any:
            if lang:
                return and_(
                    TerminVorkommen.lang.is_(True),
                    TerminVorkommen.region_id.in_(ids),
                    TerminVorkommen.start >= von - rueckblick,
                    TerminVorkommen.start < von - kurz,
                )
            return and_(
                TerminVorkommen.region_id.in_(ids),
                TerminVorkommen.start >= von - kurz,
                TerminVorkommen.start < bis,
            )

        def rest(von: datetime) -> list[Any]:
            teile: list[Any] = [TerminVorkommen.ende > von, TerminVorkommen.abgesagt.is_(None)]
            if ohne_termin_id is not None:
                teile.append(TerminVorkommen.termin_id != ohne_termin_id)
            return teile

        if len(fenster) == 1:
            von, bis = fenster[0]
            return self.session.scalars(
                select(TerminVorkommen).where(
                    or_(bereich(von, bis, False), bereich(von, bis, True)), *rest(von)
                )
            ).all()
        gefunden: dict[int, TerminVorkommen] = {}
        spalten = TerminVorkommen.__table__.columns
        for anfang in range(0, len(fenster), 100):
            teile = [
                select(*spalten).where(bereich(von, bis, lang), *rest(von))
                for von, bis in fenster[anfang : anfang + 100]
                for lang in (False, True)
            ]
            for row in self.session.scalars(
                select(TerminVorkommen).from_statement(union_all(*teile))
            ):
                gefunden[row.id] = row
        return list(gefunden.values())

    def lade(self, termin_ids: Iterable[int]) -> Sequence[Termin]:
        """Events with the names of network and region, into the session (so that
        ``vorkommen.termin`` is found there without a query)."""
        ids = sorted(set(termin_ids))
        if not ids:
            return []
        return self.session.scalars(
            select(Termin)
            .options(
                joinedload(Termin.netzwerk).load_only(Netzwerk.id, Netzwerk.name),
                joinedload(Termin.region, innerjoin=True).load_only(Region.id, Region.name),
            )
            .where(Termin.id.in_(ids))
        ).all()

    def im_zeitraum(
        self,
        von: datetime,
        bis: datetime,
        rueckblick: timedelta,
        *,
        region_ids: Iterable[int] | None = None,
        netzwerk_id: int | None = None,
        limit: int | None = None,
        abgesagte: bool = False,
    ) -> Sequence[TerminVorkommen]:
        """Occurrences that end after `von` and begin before `bis`, in order of their start."""
        query = self._mit_termin().where(
            TerminVorkommen.start < bis,
            TerminVorkommen.start >= von - rueckblick,
            TerminVorkommen.ende > von,
        )
        if region_ids is not None:
            query = query.where(TerminVorkommen.region_id.in_(sorted(set(region_ids))))
        if netzwerk_id is not None:
            query = query.join(Termin, Termin.id == TerminVorkommen.termin_id).where(
                Termin.netzwerk_id == netzwerk_id
            )
        if not abgesagte:
            query = query.where(TerminVorkommen.abgesagt.is_(None))
        query = query.order_by(TerminVorkommen.start, TerminVorkommen.id)
        if limit is not None:
            query = query.limit(limit)
        return self.session.scalars(query).all()

    def zaehle(self, netzwerk_id: int, arten: Iterable[str], von: datetime, bis: datetime) -> int:
        """Occurrences (not cancelled) of the network's events of these kinds in [von, bis)."""
        return int(
            self.session.scalar(
                select(func.count(TerminVorkommen.id))
                .join(Termin, Termin.id == TerminVorkommen.termin_id)
                .where(
                    Termin.netzwerk_id == netzwerk_id,
                    Termin.art.in_(list(arten)),
                    TerminVorkommen.abgesagt.is_(None),
                    TerminVorkommen.start >= von,
                    TerminVorkommen.start < bis,
                )
            )
            or 0
        )

    def hat_termine(self, netzwerk_id: int) -> bool:
        """Whether the network has ever recorded an event (of any kind) in the bot."""
        return (
            self.session.scalar(select(Termin.id).where(Termin.netzwerk_id == netzwerk_id).limit(1))
            is not None
        )

    def zum_auffuellen(self, grenze: datetime) -> Sequence[Termin]:
        """Running series whose stored occurrences end before `grenze` (index on the bound)."""
        return self.session.scalars(
            select(Termin)
            .options(selectinload(Termin.ausnahmen))
            .where(
                # The lower bound matters: with only `< grenze` SQLite's range scan starts at
                # the NULLs of every single event (NULL sorts first in its indexes).
                Termin.expandiert_bis > _FRUEHESTENS,
                Termin.expandiert_bis < grenze,
                Termin.abgesagt.is_(None),
                Termin.rrule != "",
            )
            .order_by(Termin.id)
        ).all()

    def fuer_export(
        self,
        seit: datetime,
        region_ids: Iterable[int] | None = None,
        netzwerk_id: int | None = None,
    ) -> Sequence[Termin]:
        """Events with an occurrence ending after `seit`, or cancelled after `seit`."""
        laufend = select(TerminVorkommen.termin_id).where(TerminVorkommen.ende > seit)
        query = (
            select(Termin)
            .options(
                selectinload(Termin.netzwerk),
                selectinload(Termin.region),
                selectinload(Termin.ausnahmen),
            )
            .where(or_(Termin.id.in_(laufend), Termin.abgesagt > seit))
        )
        if region_ids is not None:
            query = query.where(Termin.region_id.in_(sorted(set(region_ids))))
        if netzwerk_id is not None:
            query = query.where(Termin.netzwerk_id == netzwerk_id)
        return self.session.scalars(query.order_by(Termin.start, Termin.id)).all()

    def mit_kollision(self, termin_ids: Iterable[int], jetzt: datetime) -> set[int]:
        """Those of the events with an occurrence not ended at `jetzt` that is marked as a
        clash – for many events in one query per 500 (the calendar export and feeds; instead
        of `vorkommen_von` per event)."""
        ids = sorted(set(termin_ids))
        gefunden: set[int] = set()
        for anfang in range(0, len(ids), 500):
            gefunden.update(
                self.session.scalars(
                    select(TerminVorkommen.termin_id)
                    .where(
                        TerminVorkommen.termin_id.in_(ids[anfang : anfang + 500]),
                        TerminVorkommen.ende > jetzt,
                        TerminVorkommen.kollision.is_(True),
                    )
                    .distinct()
                )
            )
        return gefunden
