"""Every place in Germany: find a town, postcode, Kreis, Regierungsbezirk or Land as people type it.

The table `om_bot/data/orte.json.gz` is built by `scripts/build_orte.py` (`make data`) from
registry packages (sources and licences: `om_bot/data/ORTE-LIZENZ.md`) and loaded lazily on
first use. `finde` answers one place, a postcode's places, an ask-back with the choices, or
suggestions for a typo; `kette` gives the units a place lies in (Ort → Kreis →
Regierungsbezirk → Land), `entfernung_km` and `naechste` the distances. A place knows its Kreis
only where a source says so; otherwise only its Land and coordinates. Pure domain code: no
database, nothing happens at import.
"""

from __future__ import annotations

import gzip
import json
import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from om_bot.domain.gebiete import (
    KREISFREI,
    ORTSARTEN,
    Antwort,
    Art,
    Ergebnis,
    Gebiet,
    entfernung_km,
    haversine_km,
    naechste,
)
from om_bot.domain.ortsnamen import (
    FUELLWOERTER,
    MAX_EINGABE,
    Tippfehler,
    grundname,
    indexiere,
    schluessel,
    woerter,
)

FORMAT = 1
# Keys longer than this get no typo search (its cost grows with the square of the length).
_MAX_TIPP_LAENGE = 40


__all__ = [
    "FORMAT",
    "KREISFREI",
    "MAX_EINGABE",
    "ORTSARTEN",
    "Antwort",
    "Art",
    "Ergebnis",
    "Gebiet",
    "Tabelle",
    "beschreibung",
    "entfernung_km",
    "finde",
    "gebiet",
    "gemeinsam",
    "haversine_km",
    "kette",
    "lade",
    "naechste",
    "stadtkreis",
    "tabelle",
]

# Leading words that say what kind of unit is meant ("Landkreis Harburg", "LK Harburg").
_ARTWOERTER: dict[frozenset[Art], str] = {
    frozenset({Art.KREIS}): "landkreis kreis lk lkr lkrs kr krs",
    frozenset({Art.ORT, Art.KREIS}): (
        "kreisfreie_stadt stadtkreis stadt hansestadt landeshauptstadt gemeinde ort markt"
    ),
    frozenset({Art.BEZIRK, Art.STADTTEIL}): "bezirk stadtbezirk stadtteil ortsteil",
    frozenset({Art.REGIERUNGSBEZIRK}): (
        "regierungsbezirk reg_bez regbez rb direktionsbezirk statistische_region region"
    ),
    frozenset({Art.LAND}): "bundesland land freistaat",
}
_PRAEFIXE = tuple(
    (tuple(wort.replace("_", " ").split()), arten)
    for arten, liste in _ARTWOERTER.items()
    for wort in liste.split()
)
_PLZ = re.compile(r"\s*(?:D\s*-\s*)?(\d{4,5})(?!\d)\s*[,;]?\s*(.*)", re.IGNORECASE | re.DOTALL)
_BEZIRK_NAME = {
    "Reg.-Bez.": "Regierungsbezirk",
    "früher: Reg.-Bez.": "ehem. Regierungsbezirk",
}


# --- the table ---------------------------------------------------------------------------


# One letter per place in the table's "art" column.
ARTCODE = {Art.ORT.value: "o", Art.BEZIRK.value: "b", Art.STADTTEIL.value: "s"}
_ART_DES_CODES = {code: Art(art) for art, code in ARTCODE.items()}
_TYP_DER_ART = {Art.ORT: "Ort", Art.BEZIRK: "Bezirk", Art.STADTTEIL: "Stadtteil"}


def namen_der_gebiete(roh: dict[str, Any]) -> list[tuple[list[str], list[str]]]:
    """(names, other spellings) of every Gebiet in table order: Länder, Bezirke, Kreise, Orte.

    The one definition of what a unit is called; the build script indexes with it and a
    test checks the stored index against it.
    """
    namen: list[tuple[list[str], list[str]]] = []
    for _code, name, _ags in roh["laender"]:
        namen.append(([name], []))
    for _key, name, typ in roh["bezirke"]:
        namen.append(([name], [f"{typ} {name}", f"Regierungsbezirk {name}"]))
    for zeile in roh["kreise"]:
        name, kurz = zeile[1], zeile[2]
        # "Rhein-Sieg-Kreis" is also asked for as "Rhein-Sieg", "Nienburg (Weser)" as "Nienburg".
        namen.append(([name, kurz], [grundname(kurz), re.sub(r"-?[Kk]reis$", "", kurz)]))
    orte = roh["orte"]
    for name, eigene, aliase in zip(orte["name"], orte["namen"], orte["aliase"], strict=True):
        alle = (name, *eigene)
        # "Ludenscheid", "Munchen": umlauts typed without their e (an English keyboard).
        ohne_e = [n.translate(_OHNE_E) for n in alle if n != n.translate(_OHNE_E)]
        namen.append(([name, *eigene], [*aliase, *(grundname(n) for n in alle), *ohne_e]))
    return namen


_OHNE_E = str.maketrans("äöüÄÖÜ", "aouAOU")


def _nrs(wert: int | list[int]) -> list[int]:
    return [wert] if isinstance(wert, int) else wert


class Tabelle:
    """The loaded table with its indexes. `tabelle()` is the shared, lazily loaded one."""

    def __init__(self, roh: dict[str, Any]) -> None:
        if roh.get("format") != FORMAT:
            raise ValueError(f"Ortstabelle hat Format {roh.get('format')}, erwartet {FORMAT}")
        index = roh.get("index") or indexiere(namen_der_gebiete(roh))
        self._gebiete: list[Gebiet | None] = []
        self._nummer: dict[str, int] = {}
        self._lade_einheiten(roh)
        self._versatz = versatz = len(self._gebiete)
        # The places stay columns until one is asked for (most never are).
        orte = roh["orte"]
        self._o_id: list[str] = orte["id"]
        self._o_name: list[str] = orte["name"]
        self._o_art: str = orte["art"]
        self._o_land: str = orte["land"]
        self._o_kreis: dict[int, str] = {int(i): ags for i, ags in orte["kreis"].items()}
        self._o_lat: list[float | None] = orte["lat"]
        self._o_lon: list[float | None] = orte["lon"]
        self._o_einwohner: list[int] = orte["einwohner"]
        self._o_plz: list[str] = orte["plz"]
        self._gebiete.extend([None] * len(self._o_id))
        self._orte_nummern = False
        self._plz: dict[str, list[int]] = {}
        for nr, codes in enumerate(self._o_plz, versatz):
            for code in codes.split():
                self._plz.setdefault(code, []).append(nr)
        self._schluessel: list[str] = [key for key, _ in index["namen"]]
        self._namen: dict[str, int | list[int]] = {key: nrs for key, nrs in index["namen"]}
        self._andere: dict[str, int | list[int]] = index["andere"]
        self._tipp = Tippfehler(self._schluessel, index["tipp"])

    def _lade_einheiten(self, roh: dict[str, Any]) -> None:
        self._land_der_ags = {ags: code for code, _name, ags in roh["laender"]}
        for code, name, _ags in roh["laender"]:
            self._neu(Gebiet(id=f"land:{code}", art=Art.LAND, name=name, land=code, typ="Land"))
        self._bezirke = {key for key, _n, _t in roh["bezirke"]}
        for key, name, typ in roh["bezirke"]:
            self._neu(
                Gebiet(
                    id=f"rb:{key}",
                    art=Art.REGIERUNGSBEZIRK,
                    name=f"{_BEZIRK_NAME.get(typ, typ)} {name}",
                    land=self._land_der_ags[key[:2]],
                    bezirk=key,
                    typ=typ,
                )
            )
        self._stadt_der_kreise: dict[str, int] = {}
        for ags, name, _kurz, typ, _nuts, einwohner, lat, lon, lage, ort in roh["kreise"]:
            if typ in KREISFREI and lage == "ort" and ort >= 0:
                self._stadt_der_kreise[f"kreis:{ags}"] = (
                    len(roh["laender"]) + len(roh["bezirke"]) + len(roh["kreise"]) + ort
                )
            self._neu(
                Gebiet(
                    id=f"kreis:{ags}",
                    art=Art.KREIS,
                    name=name,
                    land=self._land_der_ags[ags[:2]],
                    kreis=ags,
                    bezirk=ags[:3] if ags[:3] in self._bezirke else None,
                    lat=lat,
                    lon=lon,
                    lage=lage,
                    einwohner=einwohner,
                    typ=typ,
                )
            )

    def _neu(self, gebiet: Gebiet) -> None:
        self._nummer[gebiet.id] = len(self._gebiete)
        self._gebiete.append(gebiet)

    def _g(self, nr: int) -> Gebiet:
        """Gebiet number `nr`; places are made on first use."""
        gebiet = self._gebiete[nr]
        if gebiet is None:
            i = nr - self._versatz
            art = _ART_DES_CODES[self._o_art[i]]
            kreis = self._o_kreis.get(i)
            lat = self._o_lat[i]
            gebiet = Gebiet(
                id=self._o_id[i],
                art=art,
                name=self._o_name[i],
                land=self._o_land[2 * i : 2 * i + 2],
                kreis=kreis,
                bezirk=kreis[:3] if kreis and kreis[:3] in self._bezirke else None,
                lat=lat,
                lon=self._o_lon[i],
                lage="ort" if lat is not None else "",
                einwohner=self._o_einwohner[i],
                typ=_TYP_DER_ART[art],
                plz=tuple(self._o_plz[i].split()),
            )
            self._gebiete[nr] = gebiet
        return gebiet

    # -- units --

    def gebiet(self, gebiet_id: str) -> Gebiet | None:
        nr = self._nummer.get(gebiet_id)
        if nr is None and not self._orte_nummern:
            # Places by id only when asked (a stored network's place): not needed for lookup.
            self._nummer.update((oid, n) for n, oid in enumerate(self._o_id, self._versatz))
            self._orte_nummern = True
            nr = self._nummer.get(gebiet_id)
        return None if nr is None else self._g(nr)

    def alle(self, art: Art | None = None) -> Iterator[Gebiet]:
        """Every unit (of one kind), in table order."""
        for nr in range(len(self._gebiete)):
            g = self._g(nr)
            if art is None or g.art is art:
                yield g

    def kette(self, gebiet: Gebiet) -> tuple[Gebiet, ...]:
        """`gebiet` and the units it lies in, most specific first: Ort, Kreis, Bezirk, Land."""
        art = gebiet.art
        ids = (
            f"kreis:{gebiet.kreis}" if gebiet.kreis and art is not Art.KREIS else "",
            f"rb:{gebiet.bezirk}" if gebiet.bezirk and art is not Art.REGIERUNGSBEZIRK else "",
            f"land:{gebiet.land}" if art is not Art.LAND else "",
        )
        return (gebiet, *(g for i in ids if i and (g := self.gebiet(i)) is not None))

    def gemeinsam(self, gebiete: Sequence[Gebiet]) -> tuple[Gebiet, ...]:
        """The units all of `gebiete` lie in (a postcode's places), most specific first."""
        if not gebiete:
            return ()
        uebrige = [{g.id for g in self.kette(x)} for x in gebiete[1:]]
        return tuple(g for g in self.kette(gebiete[0]) if all(g.id in ids for ids in uebrige))

    # -- lookup --

    def finde(self, text: str) -> Ergebnis:
        """One place, a postcode's places, the choices to ask back, or typo suggestions."""
        eingabe = text[:MAX_EINGABE].strip()
        plz = _PLZ.fullmatch(eingabe)
        if plz:
            return self._finde_plz(eingabe, plz.group(1).zfill(5), plz.group(2))
        worte = woerter(eingabe)
        key = " ".join(w for w in worte if w not in FUELLWOERTER)
        if not key:
            return Ergebnis(eingabe, Antwort.UNBEKANNT)
        gefunden = self._suche(key) or self._mit_art(worte) or self._mit_land(key)
        if gefunden:
            return self._ergebnis(eingabe, *gefunden)
        vorschlaege = self._vorschlaege(key)
        if vorschlaege:
            return Ergebnis(eingabe, Antwort.VORSCHLAG, vorschlaege=vorschlaege)
        return Ergebnis(eingabe, Antwort.UNBEKANNT)

    def _finde_plz(self, eingabe: str, code: str, rest: str) -> Ergebnis:
        orte = [self._g(nr) for nr in self._plz.get(code, ())]
        key = schluessel(rest)
        if key and orte:
            # "21423 Winsen (Luhe)": a name after the postcode picks among its places.
            passend = [
                g for g in orte if key in (schluessel(g.name), schluessel(grundname(g.name)))
            ]
            orte = passend or orte
        if not orte:
            return Ergebnis(eingabe, Antwort.UNBEKANNT, plz=code)
        orte.sort(key=_rang)
        return Ergebnis(eingabe, Antwort.PLZ, treffer=tuple(orte), plz=code)

    def _suche(
        self, key: str, arten: frozenset[Art] | None = None
    ) -> tuple[list[Gebiet], list[Gebiet]] | None:
        """(hits by name, hits by another spelling) for a key, of the given kinds."""

        def hole(index: dict[str, int | list[int]]) -> list[Gebiet]:
            gebiete = (self._g(nr) for nr in _nrs(index.get(key, [])))
            return [g for g in gebiete if arten is None or g.art in arten]

        erste, zweite = hole(self._namen), hole(self._andere)
        return (erste, zweite) if erste or zweite else None

    def _mit_art(self, worte: list[str]) -> tuple[list[Gebiet], list[Gebiet]] | None:
        """ "Landkreis Harburg", "LK Harburg", "Stadt Kassel": the kind of unit, then the name."""
        for praefix, arten in _PRAEFIXE:
            if len(worte) > len(praefix) and tuple(worte[: len(praefix)]) == praefix:
                rest = " ".join(w for w in worte[len(praefix) :] if w not in FUELLWOERTER)
                # "Kreis Lüdenscheid": no such Kreis, but the town is what was meant.
                gefunden = (self._suche(rest, arten) or self._suche(rest)) if rest else None
                if gefunden:
                    return gefunden
        return None

    def _mit_land(self, key: str) -> tuple[list[Gebiet], list[Gebiet]] | None:
        """ "Harburg Bayern", "Neustadt, Sachsen": a Land named last narrows the choices."""
        worte = key.split()
        for laenge in range(1, min(3, len(worte) - 1) + 1):
            codes = {
                g.land
                for g in (
                    self._g(nr) for nr in _nrs(self._namen.get(" ".join(worte[-laenge:]), []))
                )
                if g.art is Art.LAND
            }
            gefunden = self._suche(" ".join(worte[:-laenge])) if codes else None
            if gefunden:
                erste = [g for g in gefunden[0] if g.land in codes]
                zweite = [g for g in gefunden[1] if g.land in codes]
                if erste or zweite:
                    return erste, zweite
        return None

    def _ergebnis(self, eingabe: str, erste: list[Gebiet], zweite: list[Gebiet]) -> Ergebnis:
        """Rank hits: drop units that contain another hit, let a town beat units named after it."""
        haupt = self._ohne_umfassende([self._als_ort(g) for g in erste or zweite])
        nebenbei = [self._als_ort(g) for g in (zweite if erste else [])]
        orte = [g for g in haupt if g.art in ORTSARTEN]
        einheiten = [g for g in haupt if g.art not in ORTSARTEN]
        laender = [g for g in haupt if g.art is Art.LAND]
        if laender and len(laender) < len(haupt):
            # "Thüringen" is the Land, not the hamlet of that name (which stays "auch").
            haupt, nebenbei = laender, [g for g in haupt if g.art is not Art.LAND] + nebenbei
        elif len(orte) == 1 and einheiten and all(e.land == orte[0].land for e in einheiten):
            # "Göttingen" is the town; the Landkreis is asked for as "Landkreis Göttingen".
            haupt, nebenbei = orte, einheiten + nebenbei
        elif len(orte) > 1 and not einheiten and erste:
            haupt, nebenbei = self._grossstadt(orte, nebenbei)
        if len(haupt) > 1 and nebenbei:
            # Asking back anyway: "Neustadt" lists "Neustadt an der Weinstraße" too.
            haupt, nebenbei = self._ohne_umfassende(haupt + nebenbei), []
        # What the hits lie in is no other reading ("Oldenburg (Oldenburg)" for Oldenburg).
        drin = {e.id for g in haupt for e in self.kette(g)}
        nebenbei = self._ohne_umfassende([g for g in nebenbei if g.id not in drin])
        haupt.sort(key=_rang)
        nebenbei.sort(key=_rang)
        antwort = Antwort.EINDEUTIG if len(haupt) == 1 else Antwort.RUECKFRAGE
        return Ergebnis(eingabe, antwort, treffer=tuple(haupt), auch=tuple(nebenbei[:10]))

    def _als_ort(self, g: Gebiet) -> Gebiet:
        """A kreisfreie Stadt as the town, not as the Kreis: its `kette` has the Kreis."""
        nr = self._stadt_der_kreise.get(g.id)
        return g if nr is None else self._g(nr)

    def _grossstadt(
        self, orte: list[Gebiet], nebenbei: list[Gebiet]
    ) -> tuple[list[Gebiet], list[Gebiet]]:
        """ "Münster": the kreisfreie Stadt, if the namesakes are villages of a tenth its size.

        Not a guess in the sense of the issue: the namesakes are still named ("auch").
        """
        orte = sorted(orte, key=_rang)
        erste, andere = orte[0], orte[1:]
        if (
            self._ist_kreisfrei(erste)
            and not any(self._ist_kreisfrei(o) for o in andere)
            and all(o.einwohner * 10 < erste.einwohner for o in andere)
        ):
            return [erste], andere + nebenbei
        return orte, nebenbei

    def stadtkreis(self, ort: Gebiet) -> Gebiet | None:
        """The Kreis that the town `ort` is, if it is a kreisfreie Stadt (Kiel → kreis:01002)."""
        return self.gebiet(f"kreis:{ort.kreis}") if self._ist_kreisfrei(ort) else None

    def _ist_kreisfrei(self, ort: Gebiet) -> bool:
        """Whether the place is a kreisfreie Stadt (Hamburg's Bezirke are not)."""
        nr = self._stadt_der_kreise.get(f"kreis:{ort.kreis}") if ort.kreis else None
        return nr is not None and self._g(nr).id == ort.id

    def _ohne_umfassende(self, gebiete: list[Gebiet]) -> list[Gebiet]:
        """Without hits that another hit lies in ("Hamburg": the city, not Land and Kreis)."""
        ids = {g.id for g in gebiete}
        umfassend = {e.id for g in gebiete for e in self.kette(g)[1:] if e.id in ids}
        aus: list[Gebiet] = []
        for g in gebiete:
            if g.id not in umfassend and g not in aus:
                aus.append(g)
        return aus

    def _vorschlaege(self, key: str, anzahl: int = 5) -> tuple[Gebiet, ...]:
        """Real names within a small edit distance, else names that start with the input."""
        # Short words tolerate one slip, longer ones two: "Kiell" → Kiel, never Köln.
        grenze = 0 if len(key) <= 3 or len(key) > _MAX_TIPP_LAENGE else 1 if len(key) <= 7 else 2
        kandidaten: list[tuple[int, tuple[int, str, str], Gebiet]] = []
        if grenze:
            for d, name in self._tipp.aehnliche(key, grenze):
                for nr in _nrs(self._namen[name]):
                    g = self._g(nr)
                    kandidaten.append((d, _rang(g), g))
        if not kandidaten and len(key) >= 4:
            i = bisect_left(self._schluessel, key)
            for name in self._schluessel[i : i + 20]:
                if not name.startswith(key):
                    break
                for nr in _nrs(self._namen[name]):
                    g = self._g(nr)
                    kandidaten.append((grenze + 1, _rang(g), g))
        kandidaten.sort(key=lambda t: (t[0], t[1]))
        return tuple(self._ohne_umfassende([g for _, _, g in kandidaten])[:anzahl])


def _rang(g: Gebiet) -> tuple[int, str, str]:
    return (-g.einwohner, g.name, g.id)


def lade(pfad: Path | None = None) -> Tabelle:
    """Read and index the table (the packaged one unless `pfad` is given)."""
    if pfad is None:
        daten = resources.files("om_bot").joinpath("data/orte.json.gz").read_bytes()
    else:
        daten = pfad.read_bytes()
    return Tabelle(json.loads(gzip.decompress(daten)))


@cache
def tabelle() -> Tabelle:
    """The packaged table, loaded on first use and kept."""
    return lade()


# --- the module's API: the shared table ----------------------------------------------------


def finde(text: str) -> Ergebnis:
    """Find a place, postcode, Kreis, Regierungsbezirk or Land by what a person typed."""
    return tabelle().finde(text)


def gebiet(gebiet_id: str) -> Gebiet | None:
    """The unit with this id ("kreis:05962"), e.g. one stored with a network."""
    return tabelle().gebiet(gebiet_id)


def kette(g: Gebiet) -> tuple[Gebiet, ...]:
    """`g` and the units containing it: Ort → Kreis → Regierungsbezirk → Land (as far as known)."""
    return tabelle().kette(g)


def gemeinsam(gebiete: Sequence[Gebiet]) -> tuple[Gebiet, ...]:
    """The units that contain all of `gebiete`."""
    return tabelle().gemeinsam(gebiete)


def stadtkreis(g: Gebiet) -> Gebiet | None:
    """The kreisfreie Stadt as a Kreis, if the town `g` is one; else None."""
    return tabelle().stadtkreis(g)


def beschreibung(g: Gebiet) -> str:
    """A German one-liner that tells same-named places apart, for an ask-back list."""
    t = tabelle()
    land = t.gebiet(f"land:{g.land}")
    land_name = land.name if land is not None else g.land
    if g.art is Art.LAND:
        return f"{g.name} (Land)"
    if g.art is Art.REGIERUNGSBEZIRK:
        return f"{g.name} ({land_name})"
    if g.art is Art.KREIS:
        typ = "kreisfreie Stadt" if g.typ in KREISFREI else g.typ
        return f"{g.name} ({typ}, {land_name})"
    if g.art in (Art.BEZIRK, Art.STADTTEIL):
        return f"{g.name} ({g.typ} von {land_name})"
    teile = []
    kreis = t.gebiet(f"kreis:{g.kreis}") if g.kreis else None
    if kreis is not None:
        teile.append("kreisfreie Stadt" if kreis.typ in KREISFREI else kreis.name)
    teile.append(land_name)
    if g.plz:
        teile.append(f"PLZ {g.plz[0]}" + (" u. a." if len(g.plz) > 1 else ""))
    return f"{g.name} ({', '.join(teile)})"
