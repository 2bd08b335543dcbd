"""The value types of the place table (`om_bot.domain.orte`) and distances between places.

`Gebiet` is a Land, Regierungsbezirk, Kreis or place; `Ergebnis` is what a lookup found.
Kept apart from the table so that storage or commands can hold these values without
loading anything. Pure: nothing happens at import.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")

_ERDRADIUS_KM = 6371.0088


class Art(StrEnum):
    LAND = "land"
    REGIERUNGSBEZIRK = "regierungsbezirk"
    KREIS = "kreis"
    ORT = "ort"
    BEZIRK = "bezirk"  # a Bezirk of Hamburg (GeoNames says "Bezirk …")
    STADTTEIL = "stadtteil"  # another place inside Hamburg or Berlin


class Antwort(StrEnum):
    EINDEUTIG = "eindeutig"  # one place: `Ergebnis.gebiet`
    PLZ = "plz"  # a postcode: its places (one or several), all of them meant
    RUECKFRAGE = "rückfrage"  # several places of that name: ask which
    VORSCHLAG = "vorschlag"  # nothing of that name; `vorschlaege` are close spellings
    UNBEKANNT = "unbekannt"


ORTSARTEN = frozenset({Art.ORT, Art.BEZIRK, Art.STADTTEIL})
KREISFREI = frozenset({"Kreisfreie Stadt", "Stadtkreis"})


@dataclass(frozen=True, slots=True)
class Gebiet:
    """A Land, Regierungsbezirk, Kreis or place. `kreis`/`bezirk` are set only where certain."""

    id: str  # "land:NW", "rb:059", "kreis:05962", "gn:2875457" (GeoNames), "plz:NI:Halle:37"
    art: Art
    name: str
    land: str  # ISO 3166-2 without "DE-", as `holidays` and regionen.toml use it
    kreis: str | None = None  # AGS of the Kreis
    bezirk: str | None = None  # key of the Regierungsbezirk (three digits of the AGS)
    lat: float | None = None
    lon: float | None = None
    # "ort": the place's own coordinates; "namensgeber": a Landkreis located at the town it
    # is named after (a rough guide: say "ca."); "": not located.
    lage: str = ""
    einwohner: int = 0
    typ: str = ""  # the source's label: "Landkreis", "Kreisfreie Stadt", "Reg.-Bez.", …
    plz: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Ergebnis:
    """What `finde` found; `treffer` best first (most inhabitants first when asking back)."""

    eingabe: str
    antwort: Antwort
    treffer: tuple[Gebiet, ...] = ()
    # Other readings of the name when one clearly wins: "Oldenburg" is the city; Landkreis
    # Oldenburg and Oldenburg in Holstein are "auch".
    auch: tuple[Gebiet, ...] = ()
    vorschlaege: tuple[Gebiet, ...] = ()
    plz: str | None = None

    @property
    def gebiet(self) -> Gebiet | None:
        """The one place meant, if there is exactly one."""
        return self.treffer[0] if len(self.treffer) == 1 else None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _ERDRADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def entfernung_km(a: Gebiet, b: Gebiet) -> float | None:
    """Distance between two located units; None if one of them has no coordinates."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


def naechste(
    von: Gebiet, ziele: Iterable[T], lage: Callable[[T], Gebiet | None], anzahl: int = 3
) -> list[tuple[T, float]]:
    """The `anzahl` targets nearest to `von` with their distance; unlocated ones are left out.

    `lage` says where a target is (e.g. a network → the Gebiet of its region or its seat).
    """
    gemessen: list[tuple[float, int, T]] = []
    for nr, ziel in enumerate(ziele):
        ort = lage(ziel)
        km = entfernung_km(von, ort) if ort is not None else None
        if km is not None:
            gemessen.append((km, nr, ziel))
    gemessen.sort(key=lambda t: (t[0], t[1]))
    return [(ziel, km) for km, _, ziel in gemessen[:anzahl]]
