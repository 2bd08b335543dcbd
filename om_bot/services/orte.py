"""Places and the register: which networks are responsible for a town, postcode or Kreis.

`netzwerke_am_ort(uow, "Kiel")` looks the text up in the place table (`om_bot.domain.orte`),
matches the place's units (Ort → Kreis → Regierungsbezirk → Land; for a postcode its places)
against the regions' Gebiete (`region_gebiet`) and then the nesting (`region_teil`), and
returns the networks whose region contains the place, most specific first, each with the
reason; for a Kreis, Bezirk or Land also the networks inside it; if there are none, the
nearest networks with their distance. One index per call (`Regionsindex`), so the cost does not
grow with the number of networks times anything.

`ort_als_region` turns a real place into a region of the register (the import's
`region = "Oldenburg"`, a Termin "in Kreis Steinfurt"): named like the place, made of its unit,
lying in the smallest regions that contain it – so the clash and holiday checks, which work on
the nesting, treat it like any other region.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from om_bot.domain import orte
from om_bot.domain.fehler import UsageError
from om_bot.domain.gebiete import ORTSARTEN, Antwort, Art, Ergebnis, Gebiet
from om_bot.domain.matching import fold, meinten_sie
from om_bot.domain.netzwerk import Art as NetzwerkArt
from om_bot.domain.netzwerk import RegionArt, Status
from om_bot.domain.ortsnamen import abstand
from om_bot.domain.ortsregionen import (
    Punkt,
    Regionsindex,
    als_kreis,
    einheit,
    kleinste_umfassende,
    loese_gebiet,
    mitte,
    punkte,
)
from om_bot.storage.models import Netzwerk, Region, RegionGebiet, RegionTeil
from om_bot.storage.uow import UnitOfWork

# Place ids can be typed too (the last resort of an ask-back: „!om netzwerke gn:2910686“).
_KENNUNG = ("land:", "rb:", "kreis:", "gn:", "plz:")
NAECHSTE = 3
# Measuring from more points than this (a Bezirk's Kreise) measures from their middle.
_VIELE_PUNKTE = 8


@dataclass(frozen=True)
class RegionAmOrt:
    """A region of the register the place lies in (or, `darin`, that lies inside it)."""

    region_id: int
    name: str
    grund: str  # „Region Münsterland umfasst Kreis Steinfurt“
    darin: bool = False


@dataclass(frozen=True)
class NetzwerkAmOrt:
    netzwerk: Netzwerk
    grund: str


@dataclass(frozen=True)
class Naechstes:
    netzwerk: Netzwerk
    km: float | None  # None: the place has no coordinates (see `OrtsAntwort.naechste_in`)


@dataclass(frozen=True)
class OrtsAntwort:
    """What `netzwerke_am_ort` found. Without `orte` (ask back, typo, unknown) only
    `ergebnis` is set."""

    ergebnis: Ergebnis
    orte: tuple[Gebiet, ...] = ()
    regionen: tuple[RegionAmOrt, ...] = ()
    netzwerke: tuple[NetzwerkAmOrt, ...] = ()
    naechste: tuple[Naechstes, ...] = ()
    # Where `naechste` were measured from when the place has no coordinates (its Bezirk, its
    # Land); they then have no km.
    naechste_in: Gebiet | None = None
    kreis_unbekannt: bool = False  # a town whose Kreis no source names
    nebenbei: tuple[Gebiet, ...] = field(default=())  # other readings of the name


def finde(text: str) -> Ergebnis:
    """`om_bot.domain.orte.finde`, plus place ids („kreis:05566“) as typed."""
    eingabe = text.strip()
    if eingabe.startswith(_KENNUNG):
        g = orte.gebiet(eingabe)
        if g is not None:
            return Ergebnis(eingabe, Antwort.EINDEUTIG, treffer=(g,))
    return orte.finde(eingabe)


def index(uow: UnitOfWork) -> Regionsindex:
    """The regions' Gebiete and nesting as one index (two queries)."""
    return Regionsindex(uow.regionen.gebiete(), uow.regionen.kanten())


def _grund(z_name: str, gebiet: Gebiet | None, ueber: str, selbst: bool) -> str:
    if gebiet is None:
        return f"Region {z_name} umfasst Region {ueber}"
    if selbst:
        return f"Region {z_name} = {einheit(gebiet)}"
    return f"Region {z_name} umfasst {einheit(gebiet)}"


def regionen_am_ort(
    uow: UnitOfWork, gefunden: Sequence[Gebiet], idx: Regionsindex | None = None
) -> list[RegionAmOrt]:
    """The register's regions the places lie in (most specific first), then – for one Kreis,
    Bezirk or Land – the regions inside it."""
    idx = idx or index(uow)
    zuordnungen = idx.am_ort(gefunden)
    darin = idx.darin(gefunden[0]) if len(gefunden) == 1 else []
    namen = uow.regionen.namen(
        {z.region_id for z in zuordnungen}
        | {z.ueber for z in zuordnungen if z.ueber is not None}
        | {e.region_id for e in darin}
    )
    # On a tie the smaller region first: Mainz before Mainz/Wiesbaden.
    zuordnungen.sort(key=lambda z: (z.rang, len(idx.gebiete.get(z.region_id, ())), z.region_id))
    aus = [
        RegionAmOrt(
            z.region_id,
            namen[z.region_id],
            _grund(
                namen[z.region_id],
                z.gebiet,
                namen.get(z.ueber or -1, ""),
                z.gebiet is not None and set(idx.gebiete.get(z.region_id, ())) == {z.gebiet.id},
            ),
        )
        for z in zuordnungen
    ]
    if darin:
        schon = {r.region_id for r in aus}
        unit = gefunden[0]
        for e in darin:
            if e.region_id not in schon:
                name = namen[e.region_id]
                aus.insert(
                    len([r for r in aus if r.darin]),
                    RegionAmOrt(e.region_id, name, f"Region {name} liegt in {einheit(unit)}", True),
                )
    return aus


def _regional(uow: UnitOfWork, region_ids: Iterable[int]) -> list[Netzwerk]:
    """The regional networks of these regions that have not been withdrawn."""
    return list(uow.netzwerke.in_regionen_von(region_ids, NetzwerkArt.REGIONAL, Status.ENTZOGEN))


def _netzwerke_der(
    uow: UnitOfWork, regionen: Sequence[RegionAmOrt], mit_netzwerk: set[int]
) -> list[NetzwerkAmOrt]:
    reihenfolge = {r.region_id: i for i, r in enumerate(regionen) if r.region_id in mit_netzwerk}
    if not reihenfolge:
        return []
    grund = {r.region_id: r.grund for r in regionen}
    netzwerke = _regional(uow, reihenfolge)
    netzwerke.sort(key=lambda n: (reihenfolge[n.region_id], n.dach.value != "OM", n.name))
    return [NetzwerkAmOrt(n, grund[n.region_id]) for n in netzwerke]


def _mit_netzwerk(uow: UnitOfWork) -> set[int]:
    return uow.netzwerke.regionen(NetzwerkArt.REGIONAL, Status.ENTZOGEN)


def naechste_netzwerke(
    uow: UnitOfWork,
    von: Sequence[Punkt],
    idx: Regionsindex,
    *,
    anzahl: int = NAECHSTE,
    ohne: Iterable[int] = (),
    mit_netzwerk: set[int] | None = None,
) -> list[Naechstes]:
    """The `anzahl` regional networks nearest to the points `von` (their middle, if many),
    with km; `mit_netzwerk`: the regions that have one, if known."""
    if mit_netzwerk is None:
        mit_netzwerk = _mit_netzwerk(uow)
    mit_netzwerk = mit_netzwerk - set(ohne)
    if len(von) > _VIELE_PUNKTE:
        von = [mitte(von)]
    km = dict(idx.naechste(von, mit_netzwerk, anzahl=anzahl))
    netzwerke = _regional(uow, km)
    netzwerke.sort(key=lambda n: (km[n.region_id], n.dach.value != "OM", n.name))
    return [Naechstes(n, km[n.region_id]) for n in netzwerke[:anzahl]]


def netzwerke_am_ort(uow: UnitOfWork, text: str, anzahl: int = NAECHSTE) -> OrtsAntwort:
    """The place `text` names and the networks responsible for it (see the module docstring)."""
    ergebnis = finde(text)
    if ergebnis.antwort not in (Antwort.EINDEUTIG, Antwort.PLZ):
        return OrtsAntwort(ergebnis)
    gefunden = ergebnis.treffer
    idx = index(uow)
    regionen = regionen_am_ort(uow, gefunden, idx)
    mit_netzwerk = _mit_netzwerk(uow)
    netzwerke = _netzwerke_der(uow, regionen, mit_netzwerk)
    kreis_unbekannt = any(
        g.art in ORTSARTEN and not g.kreis and g.land not in ("HH", "BE") for g in gefunden
    )
    naechste: list[Naechstes] = []
    naechste_in: Gebiet | None = None
    if not netzwerke:
        von = [p for g in gefunden for p in punkte(g)]
        if von:
            naechste = naechste_netzwerke(uow, von, idx, anzahl=anzahl, mit_netzwerk=mit_netzwerk)
        else:
            # Not located (Landkreis Harburg): measured from the unit it lies in, without km.
            for unit in orte.kette(gefunden[0])[1:]:
                von = list(punkte(unit))
                if von:
                    naechste_in = unit
                    naechste = [
                        Naechstes(n.netzwerk, None)
                        for n in naechste_netzwerke(
                            uow, von, idx, anzahl=anzahl, mit_netzwerk=mit_netzwerk
                        )
                    ]
                    break
    return OrtsAntwort(
        ergebnis,
        orte=gefunden,
        regionen=tuple(regionen),
        netzwerke=tuple(netzwerke),
        naechste=tuple(naechste),
        naechste_in=naechste_in,
        kreis_unbekannt=kreis_unbekannt,
        nebenbei=ergebnis.auch,
    )


def naechste_zur_region(uow: UnitOfWork, region: Region, anzahl: int = NAECHSTE) -> list[Naechstes]:
    """The regional networks nearest to a region of the register (by its Gebiete)."""
    idx = index(uow)
    von = idx.lage(region.id)
    return (
        naechste_netzwerke(uow, von, idx, anzahl=anzahl, ohne=idx.unten(region.id)) if von else []
    )


# --- what to type to mean one of several places ---------------------------------------------


def eindeutig_als(g: Gebiet) -> str:
    """A text that finds exactly `g` again (for an ask-back list): its name, name and Land,
    postcode and name, or its id."""
    land = orte.gebiet(f"land:{g.land}")
    kandidaten = [g.name]
    if land is not None and g.art is not Art.LAND:
        kandidaten.append(f"{g.name}, {land.name}")
    if g.art is Art.BEZIRK and land is not None:
        kandidaten.insert(0, f"{land.name}-{g.name}")
    if g.plz:
        kandidaten.append(f"{g.plz[0]} {g.name}")
    for text in kandidaten:
        e = orte.finde(text)
        if e.gebiet is not None and e.gebiet.id == g.id:
            return text
    return g.id


def vorschlaege(uow: UnitOfWork, text: str, ergebnis: Ergebnis) -> list[str]:
    """„Meinten Sie …?“ for a text that is neither a region nor a place: the register's
    regions that are one slip away (as before), else close names of real places."""
    key = fold(text[:80])
    # The place table's rule: short words tolerate one slip, longer ones two ("Kiell" is not
    # "Köln"); a name that contains the text counts too ("Harzwirtschaft").
    grenze = 0 if len(key) <= 3 else 1 if len(key) <= 7 else 2
    nah: list[tuple[int, str]] = []
    for name, schluessel in uow.regionen.schreibweisen():
        d = abstand(key, schluessel, grenze)
        if d <= grenze or (len(key) >= 4 and key in schluessel):
            nah.append((d, name))
    if nah:
        return [name for _, name in sorted(nah)[:3]]
    return [g.name for g in ergebnis.vorschlaege[:4]]


def unbekannt(uow: UnitOfWork, text: str, ergebnis: Ergebnis, befehl: str) -> UsageError:
    """The error for a text that names no region and no place."""
    hint = meinten_sie(vorschlaege(uow, text, ergebnis))
    wort = "Die Postleitzahl" if ergebnis.plz else "Den Ort oder die Region"
    return UsageError(
        f"{wort} „{text[:80]}“ kenne ich nicht. {hint}".strip(),
        usage=f"!om {befehl} <Ort|PLZ|Kreis|Region>",
        beispiel=f"!om {befehl} Kiel",
    )


# --- a real place as a region of the register ------------------------------------------------


_STADTSTAATEN = frozenset({"kreis:02000", "kreis:11000"})
_ART_DER_REGION = {
    Art.LAND: RegionArt.BUNDESLAND,
    Art.REGIERUNGSBEZIRK: RegionArt.REGION,
    Art.KREIS: RegionArt.REGION,
    Art.ORT: RegionArt.STADT,
    Art.BEZIRK: RegionArt.STADT,
    Art.STADTTEIL: RegionArt.STADT,
}


def _name_fuer(g: Gebiet, gemeint: Gebiet) -> str:
    """The region's name: the place as found („Oldenburg“, not the Kreis „Oldenburg
    (Oldenburg)“); a Bezirk of Hamburg or Berlin with its city („Hamburg-Harburg“)."""
    if gemeint.art in (Art.BEZIRK, Art.STADTTEIL):
        land = orte.gebiet(f"land:{gemeint.land}")
        if land is not None:
            return f"{land.name}-{gemeint.name}"
    return gemeint.name if gemeint.art in ORTSARTEN else g.name


def region_fuer_gebiet(uow: UnitOfWork, gemeint: Gebiet) -> Region:
    """The region of the register that is the unit `gemeint`; made if there is none yet
    (named like the place, lying in the smallest regions that contain it). Flushes."""
    g = als_kreis(gemeint)
    # Hamburg and Berlin: city, Kreis and Land are one.
    gleich = {g.id} | ({f"land:{g.land}"} if g.id in _STADTSTAATEN else set())
    idx = index(uow)
    for region_id, ids in idx.gebiete.items():
        if len(ids) == 1 and not gleich.isdisjoint(ids):
            region = uow.session.get(Region, region_id)
            if region is not None:
                return region
    name = _name_fuer(g, gemeint)
    vorhanden = uow.regionen.nach_schluessel(fold(name))
    if vorhanden is not None and (
        not idx.gebiete.get(vorhanden.id) or g.id in idx.gebiete[vorhanden.id]
    ):
        return vorhanden  # the same name, and nothing says it is another place
    if vorhanden is not None:
        land = orte.gebiet(f"land:{g.land}")
        name = f"{name} ({land.name if land is not None else g.land})"
        if uow.regionen.nach_schluessel(fold(name)) is not None:
            name = f"{name} [{g.id}]"
    region = Region(
        name=name[:120],
        schluessel=fold(name)[:120],
        art=_ART_DER_REGION[g.art],
        bundesland=g.land,
    )
    region.gebiete = [RegionGebiet(gebiet_id=g.id)]
    region.eltern = [RegionTeil(teil_von_id=r) for r in kleinste_umfassende(idx, g)]
    uow.regionen.add(region)
    uow.flush()
    return region


def ort_als_region(uow: UnitOfWork, text: str) -> Region | str:
    """The region for the real place `text` names (made if needed), or the German reason why
    it names no single place (ambiguous: the choices; a typo: suggestions). For the import."""
    try:
        region = region_fuer_ort(uow, text)
    except UsageError as mehrdeutig:
        return mehrdeutig.meldung.removesuffix(".")
    if region is not None:
        return region
    hint = meinten_sie([g.name for g in finde(text).vorschlaege[:3]])
    return f"„{text[:80]}“ ist weder eine Region noch ein Ort, den ich kenne. {hint}".strip()


def region_fuer_ort(uow: UnitOfWork, text: str) -> Region | None:
    """For `finde_region`: the region for the real place `text` names (made if needed), None if
    it names no place; a `UsageError` with the choices if it names several."""
    ergebnis = finde(text)
    if ergebnis.antwort is Antwort.EINDEUTIG and ergebnis.gebiet is not None:
        return region_fuer_gebiet(uow, ergebnis.gebiet)
    if ergebnis.antwort is Antwort.PLZ and len(ergebnis.treffer) == 1:
        return region_fuer_gebiet(uow, ergebnis.treffer[0])
    if ergebnis.antwort in (Antwort.PLZ, Antwort.RUECKFRAGE):
        wahl = ", ".join(f"„{eindeutig_als(g)}“" for g in ergebnis.treffer[:6])
        mehr = " …" if len(ergebnis.treffer) > 6 else ""
        raise UsageError(f"„{text[:80]}“ ist mehrdeutig: {wahl}{mehr}. Bitte genauer angeben.")
    return None


def gebiete_setzen(region: Region, ids: Sequence[str]) -> None:
    """Make `region` consist of the units `ids` (only writes when they differ)."""
    if sorted(ids) != sorted(x.gebiet_id for x in region.gebiete):
        region.gebiete = [RegionGebiet(gebiet_id=i) for i in sorted(set(ids))]


def gebiete_aufloesen(eintraege: Sequence[str]) -> tuple[list[str], list[str]]:
    """(ids, errors) for the `gebiete` of a region file: ids or unambiguous names."""
    ids: list[str] = []
    fehler: list[str] = []
    for nr, eintrag in enumerate(eintraege, start=1):
        g = loese_gebiet(eintrag)
        if isinstance(g, str):
            fehler.append(f"gebiete[{nr}]: {g}")
        elif g.id not in ids:
            ids.append(g.id)
    return ids, fehler
