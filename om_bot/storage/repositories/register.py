"""Regions, networks and partners: the register's lookups.

Repositories never commit; the unit of work around them decides (`om_bot.storage.uow`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from om_bot.domain.netzwerk import Art, RegionArt, Status
from om_bot.storage.models import (
    Kontakt,
    Netzwerk,
    Partner,
    Region,
    RegionAlias,
    RegionGebiet,
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
        rows = self.session.connection().execute(
            select(RegionTeil.region_id, RegionTeil.teil_von_id)
        )
        return [(r, p) for r, p in rows]

    def gebiete(self) -> dict[int, list[str]]:
        """Every region's units of the place table ("kreis:05566"), by region id (one query;
        the place lookup builds its index from it, `om_bot.domain.ortsregionen`)."""
        # Core, not ORM: plain rows, about three times faster for a thousand of them.
        rows = self.session.connection().execute(
            select(RegionGebiet.region_id, RegionGebiet.gebiet_id).order_by(
                RegionGebiet.region_id, RegionGebiet.gebiet_id
            )
        )
        aus: dict[int, list[str]] = {}
        for region_id, gebiet_id in rows:
            aus.setdefault(region_id, []).append(gebiet_id)
        return aus

    def namen(self, region_ids: Iterable[int] | None = None) -> dict[int, str]:
        """Region names by id (of `region_ids`, or of all), without loading the regions."""
        query = select(Region.id, Region.name)
        if region_ids is not None:
            query = query.where(Region.id.in_(list(region_ids)))
        return {region_id: name for region_id, name in self.session.execute(query)}

    def arten(self, region_ids: Iterable[int]) -> dict[int, RegionArt]:
        """The kind of each of these regions, without loading them."""
        rows = self.session.execute(
            select(Region.id, Region.art).where(Region.id.in_(list(region_ids)))
        )
        return {region_id: art for region_id, art in rows}

    def schreibweisen(self) -> list[tuple[str, str]]:
        """(name, folded key) of every region and alias, for suggestions (two light queries)."""
        namen = self.session.execute(select(Region.name, Region.schluessel))
        aliase = self.session.execute(select(RegionAlias.name, RegionAlias.schluessel))
        return [(n, k) for n, k in namen] + [(n, k) for n, k in aliase]

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

    def schlicht(self) -> Sequence[Netzwerk]:
        """All networks with only their own columns loaded (no region, contacts, members): for
        readers that need no more, like the reminder sources, which then depend on nothing
        else (`om_bot.storage.bereiche`)."""
        return self.session.scalars(select(Netzwerk).order_by(Netzwerk.name)).all()

    def in_regionen(self, region_ids: Iterable[int]) -> Sequence[Netzwerk]:
        ids = list(region_ids)
        return self.session.scalars(
            self._query().where(Netzwerk.region_id.in_(ids)).order_by(Netzwerk.name)
        ).all()

    def regionen(self, art: Art, ohne: Status) -> set[int]:
        """The regions that have a network of `art` (not counting those of status `ohne`)."""
        rows = self.session.connection().execute(
            select(Netzwerk.region_id)
            .where(Netzwerk.art == art, Netzwerk.status != ohne)
            .distinct()
        )
        return {region_id for (region_id,) in rows}

    def in_regionen_von(
        self, region_ids: Iterable[int], art: Art, ohne: Status
    ) -> Sequence[Netzwerk]:
        """Networks of `art` in the regions (without those of status `ohne`), by name, with
        region and contacts loaded (for a list line), not the members."""
        return self.session.scalars(
            select(Netzwerk)
            .options(selectinload(Netzwerk.region), selectinload(Netzwerk.kontakte))
            .where(Netzwerk.region_id.in_(list(region_ids)), Netzwerk.art == art)
            .where(Netzwerk.status != ohne)
            .order_by(Netzwerk.name)
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
