"""The register's regions as places: which regions contain a place, which lie inside a unit,
where a region lies, and the words for why.

A region of the register has Gebiete (`region_gebiet`: "land:NW", "kreis:05566", "gn:2875115")
and lies in other regions (`region_teil`). A place is in a region when a unit of its `kette`
(Ort → Kreis → Regierungsbezirk → Land) is one of the region's Gebiete, or when it is in a
region that lies inside that one. Everything here is pure and works on ids, so the service
builds one index per request (`Regionsindex`) and asks it for every place and network.
A place knows its Kreis only where the table says so (`om_bot.domain.orte`); what the table
does not know, these functions do not claim.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from om_bot.domain import orte
from om_bot.domain.gebiete import KREISFREI, Antwort, Art, Gebiet, haversine_km

Punkt = tuple[float, float]
# The mean Earth radius `om_bot.domain.gebiete.haversine_km` uses.
_ERDRADIUS_KM = haversine_km(0.0, 0.0, 0.0, 180.0) / math.pi

# What an id in a `gebiete` list looks like ("kreis:05566"); anything else is a name.
_KENNUNG_PRAEFIXE = ("land:", "rb:", "kreis:", "gn:", "plz:")


# --- words -------------------------------------------------------------------------------


def einheit(g: Gebiet) -> str:
    """The unit as people name it: „Land Bayern“, „Kreis Steinfurt“, „kreisfreie Stadt Kiel“."""
    if g.art is Art.LAND:
        return f"Land {g.name}"
    if g.art is Art.KREIS and g.typ in KREISFREI:
        return f"kreisfreie Stadt {g.name}"
    if g.art is Art.BEZIRK:
        return f"Bezirk {g.name}"
    if g.art is Art.STADTTEIL:
        return f"Stadtteil {g.name}"
    return g.name


def ca_km(km: float) -> str:
    """A distance as people say it: „ca. 5 km“, „ca. 65 km“ (the places are points, not areas)."""
    if km < 15:
        return f"ca. {max(1, round(km))} km"
    return f"ca. {5 * round(km / 5)} km"


# --- resolving what a region file names ------------------------------------------------------


def als_kreis(g: Gebiet) -> Gebiet:
    """A kreisfreie Stadt as its Kreis („Münster“ → kreis:05515), so that its Stadtteile and
    postcodes match too; every other unit as it is."""
    kreis = orte.stadtkreis(g)
    return kreis if kreis is not None else g


def loese_gebiet(text: str) -> Gebiet | str:
    """The unit a `gebiete` entry names (an id like „kreis:05566“ or a name found
    unambiguously), or the German reason why it names none."""
    eingabe = text.strip()
    if eingabe.startswith(_KENNUNG_PRAEFIXE):
        g = orte.gebiet(eingabe)
        return g if g is not None else f"„{eingabe[:80]}“ ist keine Kennung der Ortstabelle"
    e = orte.finde(eingabe)
    if e.antwort is Antwort.EINDEUTIG and e.gebiet is not None:
        return als_kreis(e.gebiet)
    if e.antwort is Antwort.PLZ:
        return f"„{eingabe[:80]}“ ist eine Postleitzahl; bitte den Ort oder Kreis nennen"
    if e.antwort is Antwort.RUECKFRAGE:
        wahl = "; ".join(f"{orte.beschreibung(g)} = {g.id}" for g in e.treffer[:6])
        return f"„{eingabe[:80]}“ ist mehrdeutig ({wahl}); bitte genauer oder als Kennung"
    vorschlag = ", ".join(f"„{g.name}“" for g in e.vorschlaege[:3])
    tail = f" Meinten Sie {vorschlag}?" if vorschlag else ""
    return f"„{eingabe[:80]}“ kenne ich nicht als Ort.{tail}"


# --- where units lie -----------------------------------------------------------------------


@cache
def _kreise_in() -> dict[str, tuple[Punkt, ...]]:
    """For each Land and Regierungsbezirk, the points of its located Kreise (built once)."""
    drin: dict[str, list[Punkt]] = defaultdict(list)
    for kreis in orte.tabelle().alle(Art.KREIS):
        if kreis.lat is None or kreis.lon is None:
            continue
        for obere in orte.kette(kreis)[1:]:
            drin[obere.id].append((kreis.lat, kreis.lon))
    return {key: tuple(punkte) for key, punkte in drin.items()}


def punkte(g: Gebiet) -> tuple[Punkt, ...]:
    """Where a unit lies: its own point, else the points of the located Kreise inside it
    (a Land, a Regierungsbezirk); none for a Kreis the table cannot place."""
    if g.lat is not None and g.lon is not None:
        return ((g.lat, g.lon),)
    return _kreise_in().get(g.id, ())


def mitte(von: Sequence[Punkt]) -> Punkt:
    """The mean of points (a Bezirk's Kreise): where to measure from for a unit without a point
    of its own. Plain averaging is good enough within Germany."""
    return (sum(p[0] for p in von) / len(von), sum(p[1] for p in von) / len(von))


Vektor = tuple[float, float, float]


def _vektor(p: Punkt) -> Vektor:
    lat, lon = math.radians(p[0]), math.radians(p[1])
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))


@cache
def _gebiet(gebiet_id: str) -> Gebiet | None:
    """`orte.gebiet`, kept: a request asks for the Gebiete of every region."""
    return orte.gebiet(gebiet_id)


@cache
def _vektoren_des_gebiets(gebiet_id: str) -> tuple[Vektor, ...]:
    g = _gebiet(gebiet_id)
    return tuple(_vektor(p) for p in punkte(g)) if g is not None else ()


def _km(skalar: float) -> float:
    """Great-circle km for the dot product of two unit vectors (= haversine_km)."""
    sehne = math.sqrt(max(0.0, 2.0 - 2.0 * skalar))
    return 2 * _ERDRADIUS_KM * math.asin(min(1.0, sehne / 2))


def abstand_km(von: Sequence[Punkt], zu: Sequence[Punkt]) -> float | None:
    """The least distance between two sets of points (None if one is empty)."""
    if not von or not zu:
        return None
    return min(haversine_km(a, b, c, d) for a, b in von for c, d in zu)


# --- the index of one request ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Zuordnung:
    """A region a place lies in, and why: the place's unit that is one of the region's
    Gebiete (`gebiet`), or the region inside it that holds the place (`ueber`)."""

    region_id: int
    rang: tuple[int, int]  # (position of the unit in the place's kette, steps of nesting)
    gebiet: Gebiet | None = None
    ueber: int | None = None


@dataclass(frozen=True, slots=True)
class Enthalten:
    """A region that lies inside the asked unit (`!om netzwerke Weser-Ems`): via `gebiet`."""

    region_id: int
    gebiet: Gebiet


class Regionsindex:
    """Regions by their Gebiete and their nesting, built once per request."""

    def __init__(
        self, gebiete: Mapping[int, Collection[str]], kanten: Iterable[tuple[int, int]]
    ) -> None:
        self.gebiete = gebiete
        self._nach_gebiet: dict[str, list[int]] = defaultdict(list)
        for region_id, ids in gebiete.items():
            for gebiet_id in ids:
                self._nach_gebiet[gebiet_id].append(region_id)
        self._kanten = list(kanten)
        self._eltern: dict[int, list[int]] = defaultdict(list)
        for kind, eltern in self._kanten:
            self._eltern[kind].append(eltern)
        self._kinder_cache: dict[int, list[int]] | None = None
        self._einheiten_cache: dict[int, list[Gebiet]] = {}

    def am_ort(self, orte_: Sequence[Gebiet]) -> list[Zuordnung]:
        """The regions `orte_` (one place, or a postcode's places) lie in, most specific first:
        by the unit that matched (Ort, Kreis, Bezirk, Land), then by steps up the nesting."""
        beste: dict[int, Zuordnung] = {}
        for ort in orte_:
            for z in self._am_ort(ort):
                if z.region_id not in beste or z.rang < beste[z.region_id].rang:
                    beste[z.region_id] = z
        return sorted(beste.values(), key=lambda z: (z.rang, z.region_id))

    def _am_ort(self, ort: Gebiet) -> list[Zuordnung]:
        beste: dict[int, Zuordnung] = {}
        warteschlange: list[tuple[tuple[int, int], int]] = []
        kette = orte.kette(ort)
        for stelle, unit in enumerate(kette):
            for region_id in self._nach_gebiet.get(unit.id, ()):
                z = Zuordnung(region_id, (stelle, 0), gebiet=unit)
                if region_id not in beste or z.rang < beste[region_id].rang:
                    beste[region_id] = z
                    heapq.heappush(warteschlange, (z.rang, region_id))
        kreis = next((u.id for u in kette if u.art is Art.KREIS), None)
        # Up the nesting, nearest first: München → Oberbayern → Bayern → Süddeutschland. A
        # region "lies in" several others when it crosses borders (the Harz in three Länder),
        # so a step is taken only where the place itself may lie in the larger region.
        while warteschlange:
            rang, region_id = heapq.heappop(warteschlange)
            if beste[region_id].rang != rang:
                continue
            for oben in self._eltern.get(region_id, ()):
                z = Zuordnung(oben, (rang[0], rang[1] + 1), ueber=region_id)
                if (oben not in beste or z.rang < beste[oben].rang) and self._kann_liegen(
                    oben, ort.land, kreis
                ):
                    beste[oben] = z
                    heapq.heappush(warteschlange, (z.rang, oben))
        return list(beste.values())

    def _kann_liegen(self, region_id: int, land: str, kreis: str | None) -> bool:
        """Whether a place of `land` (in `kreis`, if known) can lie in the region: not if the
        region's Gebiete are all in other Länder, nor if in that Land they are Kreise and
        the place's Kreis is not one of them. A region without Gebiete says nothing."""
        einheiten = self._einheiten(region_id)
        if not einheiten:
            return True
        im_land = [g for g in einheiten if g.land == land]
        if not im_land:
            return False
        if kreis is not None and all(g.art is Art.KREIS for g in im_land):
            return any(g.id == kreis for g in im_land)
        return True

    def _einheiten(self, region_id: int) -> list[Gebiet]:
        if region_id not in self._einheiten_cache:
            ids = self.gebiete.get(region_id, ())
            self._einheiten_cache[region_id] = [
                g for g in (_gebiet(i) for i in ids) if g is not None
            ]
        return self._einheiten_cache[region_id]

    def darin(self, unit: Gebiet) -> list[Enthalten]:
        """The regions whose Gebiete all lie inside `unit` (a Kreis, Bezirk or Land) and the
        regions nested inside those; `unit`'s own regions are `am_ort`'s."""
        if unit.art in (Art.ORT, Art.BEZIRK, Art.STADTTEIL):
            return []
        # `unit in kette(g)`, read off the keys kette is made of (no kette per region).
        if unit.art is Art.KREIS:
            drin: Callable[[Gebiet], bool] = lambda g: g.kreis == unit.kreis  # noqa: E731
        elif unit.art is Art.REGIERUNGSBEZIRK:
            drin = lambda g: g.bezirk == unit.bezirk  # noqa: E731
        else:
            drin = lambda g: g.land == unit.land  # noqa: E731
        gefunden: dict[int, Enthalten] = {}
        for region_id in self.gebiete:
            einheiten = self._einheiten(region_id)
            if einheiten and all(g.id != unit.id and drin(g) for g in einheiten):
                gefunden[region_id] = Enthalten(region_id, einheiten[0])
        for region_id, e in list(gefunden.items()):
            for kind in self.unten(region_id):
                gefunden.setdefault(kind, Enthalten(kind, e.gebiet))
        return sorted(gefunden.values(), key=lambda e: e.region_id)

    @property
    def _kinder(self) -> dict[int, list[int]]:
        """Regions by the region they lie in (built when first asked)."""
        if self._kinder_cache is None:
            self._kinder_cache = defaultdict(list)
            for kind, eltern in self._kanten:
                self._kinder_cache[eltern].append(kind)
        return self._kinder_cache

    def unten(self, region_id: int) -> set[int]:
        """`region_id` and every region inside it."""
        return _walk(region_id, self._kinder)

    def oben(self, region_id: int) -> set[int]:
        """`region_id` and every region it lies in."""
        return _walk(region_id, self._eltern)

    def lage(self, region_id: int) -> tuple[Punkt, ...]:
        """Where a region lies: the points of its Gebiete and of the regions inside it."""
        aus: list[Punkt] = []
        for r in self.unten(region_id):
            for gebiet_id in self.gebiete.get(r, ()):
                g = orte.gebiet(gebiet_id)
                if g is not None:
                    aus.extend(punkte(g))
        return tuple(aus)

    def _vektoren(self, region_id: int) -> list[Vektor]:
        regionen = self.unten(region_id) if region_id in self._kinder else (region_id,)
        return [
            v for r in regionen for g in self.gebiete.get(r, ()) for v in _vektoren_des_gebiets(g)
        ]

    def naechste(
        self, von: Sequence[Punkt], ziele: Iterable[int], anzahl: int = 3
    ) -> list[tuple[int, float]]:
        """The `anzahl` region ids of `ziele` nearest to the points `von`, with km.

        Compares dot products of unit vectors (one multiply-add per pair of points, the
        largest is the nearest), so 1,000 regions cost about a millisecond.
        """
        start = [_vektor(p) for p in von]
        gemessen: list[tuple[float, int]] = []
        for region_id in ziele:
            vektoren = self._vektoren(region_id)
            if vektoren:
                naehe = max([a * x + b * y + c * z for x, y, z in vektoren for a, b, c in start])
                gemessen.append((naehe, -region_id))
        return [(-r, _km(naehe)) for naehe, r in heapq.nlargest(anzahl, gemessen)]


def kleinste_umfassende(index: Regionsindex, gebiet: Gebiet) -> list[int]:
    """The regions a new region for `gebiet` lies in directly: those whose Gebiete hold a unit
    of its kette, without those that only contain another of them (Kreis Steinfurt lies in
    Münsterland, Münsterland in Nordrhein-Westfalen: only Münsterland) and without a region
    that is `gebiet` itself."""
    direkt = [
        z.region_id
        for z in index.am_ort([gebiet])
        if z.gebiet is not None and set(index.gebiete.get(z.region_id, ())) != {gebiet.id}
    ]
    weiter_oben: set[int] = set()
    for r in direkt:
        weiter_oben |= index.oben(r) - {r}
    return [r for r in direkt if r not in weiter_oben]


def _walk(start: int, kanten: Mapping[int, Collection[int]]) -> set[int]:
    gesehen = {start}
    todo = [start]
    while todo:
        for weiter in kanten.get(todo.pop(), ()):
            if weiter not in gesehen:
                gesehen.add(weiter)
                todo.append(weiter)
    return gesehen
