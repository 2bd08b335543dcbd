"""Regions, networks and partners: the register's lookups.

Repositories never commit; the unit of work around them decides (`om_bot.storage.uow`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from om_bot.storage.models import (
    Kontakt,
    Netzwerk,
    Partner,
    Region,
    RegionAlias,
    RegionTeil,
)
from om_bot.storage.repositories.basis import _Repo


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
        Python (`om_bot.domain.regions`)."""
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
