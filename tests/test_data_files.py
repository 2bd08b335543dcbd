"""Structure and content checks for the bundled data files.

* ``om_bot/data/regionen.toml``  – built-in region table
* ``om_bot/data/kriterien.toml`` – criteria catalogue and the four implementation stages
* ``data/netzwerke.toml``        – sample networks and national partners (import format)

Only the standard library is used, so these tests run without the bot's own loaders. If the
source documents are available (``OM_SEEDS_DIR`` or ``../shared/seeds`` next to the
repository), every criterion and stage text is also checked to be a quotation from them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
REGIONEN = ROOT / "om_bot" / "data" / "regionen.toml"
KRITERIEN = ROOT / "om_bot" / "data" / "kriterien.toml"
NETZWERKE = ROOT / "data" / "netzwerke.toml"

REGION_ARTEN = {"land", "grossregion", "bundesland", "region", "stadt"}
DAECHER = {"OM", "DDN", "OGB"}
NETZWERK_ARTEN = {"regional", "fachgruppe"}
STATUS = {"beantragt", "leitungskreis", "ag_transfer", "plenum", "anerkannt", "entzogen"}
MITGLIED_TYPEN = {"intermediaer", "oeffentlich", "unternehmen", "berater", "sonstige"}
ROLLEN = {"Koordination", "Moderation"}
PRUEFBAR = {"daten", "termine", "nein"}

# ISO 3166-2:DE codes without "DE-" (the subdivisions of the `holidays` package).
BUNDESLAENDER = {
    "Baden-Württemberg": "BW",
    "Bayern": "BY",
    "Berlin": "BE",
    "Brandenburg": "BB",
    "Bremen": "HB",
    "Hamburg": "HH",
    "Hessen": "HE",
    "Mecklenburg-Vorpommern": "MV",
    "Niedersachsen": "NI",
    "Nordrhein-Westfalen": "NW",
    "Rheinland-Pfalz": "RP",
    "Saarland": "SL",
    "Sachsen": "SN",
    "Sachsen-Anhalt": "ST",
    "Schleswig-Holstein": "SH",
    "Thüringen": "TH",
}

# Automatic checks of the bot: id -> how the bot can check it.
PRUEFUNGEN = {
    "drei_partner_davon_oeffentlich": "daten",
    "drei_intermediaere": "daten",
    "zwei_ansprechpartner_einer_intermediaer": "daten",
    "offen_beitragsfrei": "daten",
    "zwei_treffen_pro_jahr": "termine",
    "bericht_plenum_jaehrlich": "daten",
    "selbsterklaerung_zwei_jahre": "daten",
    "ein_netzwerk_pro_region": "daten",
    "ansprechpartner_benannt": "daten",
}

ABSCHNITTE = {
    "rahmenbedingungen",
    "handlungsrahmen",
    "formale-kriterien",
    "zusammenarbeit-inqa",
    "selbsterklaerung",
}

# Regions and networks named in the seeds (and the sample data) that must exist.
SEED_REGIONEN = [
    "Deutschland",
    "Norddeutschland",
    "Süddeutschland",
    "Ostdeutschland",
    "Westdeutschland",
    "Hamburg",
    "Bremen",
    "München",
    "Münsterland",
    "Kaiserslautern",
    "Harz",
    "Hannover",
    "OWL",
    "Mainz/Wiesbaden",
    "Mainz",
    "Wiesbaden",
    "Lübeck-West-Mecklenburg",
    "Lübeck",
    "Lüneburg",
    "Nürnberg",
    "Franken",
    "Köln",
    "Düsseldorf",
    "Stuttgart",
    "Frankfurt am Main",
    "Dresden",
    "Leipzig",
    "Bielefeld",
    "Münster",
    "Osnabrück",
]
SEED_NETZWERK_REGIONEN = [
    "Hamburg",
    "Münsterland",
    "Kaiserslautern",
    "Bremen",
    "München",
    "Harz",
    "Hannover",
    "OWL",
    "Mainz/Wiesbaden",
    "Lübeck-West-Mecklenburg",
]

MATRIX_ID = re.compile(r"^@[a-z0-9._=\-/]+:[A-Za-z0-9.\-]+(:[0-9]+)?$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Typo fixes in the quoted texts (documented at the top of kriterien.toml): seed -> data.
SEED_KORREKTUREN = {
    "Organsiationen": "Organisationen",
    "gar nicht wie sie": "gar nicht, wie sie",
}


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _load(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def regionen() -> list[dict[str, Any]]:
    return list(_load(REGIONEN)["region"])


@pytest.fixture(scope="module")
def region_by_name(regionen: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in regionen}


@pytest.fixture(scope="module")
def kriterien_doc() -> dict[str, Any]:
    return _load(KRITERIEN)


@pytest.fixture(scope="module")
def netzwerke_doc() -> dict[str, Any]:
    return _load(NETZWERKE)


@pytest.fixture(scope="module")
def netzwerke(netzwerke_doc: dict[str, Any]) -> list[dict[str, Any]]:
    return list(netzwerke_doc["netzwerk"])


def _schluessel(text: str) -> set[str]:
    """Folding keys of a name: case, umlauts (both "ü"→"ue" and "ü"→"u"), punctuation."""
    klein = text.casefold().replace("ß", "ss")
    ersetzt = klein.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    ohne = "".join(c for c in unicodedata.normalize("NFKD", klein) if not unicodedata.combining(c))
    return {re.sub(r"[^a-z0-9]", "", s) for s in (ersetzt, ohne)}


def _vorfahren(name: str, by_name: dict[str, dict[str, Any]]) -> set[str]:
    gesehen: set[str] = set()
    offen = list(by_name[name]["teil_von"])
    while offen:
        eltern = offen.pop()
        if eltern in gesehen or eltern not in by_name:
            continue
        gesehen.add(eltern)
        offen.extend(by_name[eltern]["teil_von"])
    return gesehen


def _pruefe_schluessel(
    eintrag: dict[str, Any], pflicht: dict[str, type], optional: dict[str, type], was: str
) -> list[str]:
    fehler = []
    for key, typ in pflicht.items():
        if key not in eintrag:
            fehler.append(f"{was}: Schlüssel {key!r} fehlt")
        elif not isinstance(eintrag[key], typ) or (typ is int and isinstance(eintrag[key], bool)):
            fehler.append(f"{was}: {key!r} hat Typ {type(eintrag[key]).__name__}")
    for key, typ in optional.items():
        if key in eintrag and (
            not isinstance(eintrag[key], typ) or (typ is int and isinstance(eintrag[key], bool))
        ):
            fehler.append(f"{was}: {key!r} hat Typ {type(eintrag[key]).__name__}")
    unbekannt = set(eintrag) - set(pflicht) - set(optional)
    if unbekannt:
        fehler.append(f"{was}: unbekannte Schlüssel {sorted(unbekannt)}")
    return fehler


def _ist_datum(wert: object) -> bool:
    return isinstance(wert, dt.date) and not isinstance(wert, dt.datetime)


# ---------------------------------------------------------------------------------------------
# regionen.toml
# ---------------------------------------------------------------------------------------------


def test_regionen_schema(regionen: list[dict[str, Any]]) -> None:
    assert regionen, "keine [[region]]-Einträge"
    fehler: list[str] = []
    for r in regionen:
        was = f"Region {r.get('name')!r}"
        fehler += _pruefe_schluessel(
            r,
            {"name": str, "art": str, "teil_von": list, "bundesland": str, "aliase": list},
            {"nachbarn": list, "gebiete": list},
            was,
        )
        if not str(r.get("name", "")).strip():
            fehler.append(f"{was}: leerer Name")
        if r.get("art") not in REGION_ARTEN:
            fehler.append(f"{was}: art {r.get('art')!r} nicht erlaubt")
        for liste in ("teil_von", "aliase", "nachbarn"):
            werte = r.get(liste, [])
            if not all(isinstance(w, str) and w.strip() for w in werte):
                fehler.append(f"{was}: {liste} enthält leere oder Nicht-Text-Werte")
            if len(set(werte)) != len(werte):
                fehler.append(f"{was}: {liste} enthält Doppelte")
        code = r.get("bundesland", "")
        if code and code not in BUNDESLAENDER.values():
            fehler.append(f"{was}: bundesland {code!r} ist kein Ländercode")
    assert not fehler, "\n".join(fehler)


def test_regionen_namen_und_aliase_eindeutig(regionen: list[dict[str, Any]]) -> None:
    namen = Counter(r["name"] for r in regionen)
    assert not [n for n, c in namen.items() if c > 1], f"doppelte Namen: {namen.most_common(3)}"
    besitzer: dict[str, str] = {}
    fehler = []
    for r in regionen:
        for text in [r["name"], *r["aliase"]]:
            for key in _schluessel(text):
                if key in besitzer and besitzer[key] != r["name"]:
                    fehler.append(f"{text!r} ({r['name']}) kollidiert mit {besitzer[key]}")
                elif key in besitzer and text != r["name"]:
                    # An alias that folds to the region's own name or another alias is useless.
                    fehler.append(f"Alias {text!r} von {r['name']} ist nach Faltung doppelt")
                besitzer.setdefault(key, r["name"])
    assert not fehler, "\n".join(fehler)


def test_regionen_verweise_loesen_auf(
    regionen: list[dict[str, Any]], region_by_name: dict[str, dict[str, Any]]
) -> None:
    fehler = []
    for r in regionen:
        for liste in ("teil_von", "nachbarn"):
            for ziel in r.get(liste, []):
                if ziel not in region_by_name:
                    fehler.append(f"{r['name']}: {liste} nennt unbekannte Region {ziel!r}")
                elif ziel == r["name"]:
                    fehler.append(f"{r['name']}: {liste} verweist auf sich selbst")
    assert not fehler, "\n".join(fehler)


def test_regionen_hierarchie(
    regionen: list[dict[str, Any]], region_by_name: dict[str, dict[str, Any]]
) -> None:
    laender = [r for r in regionen if r["art"] == "land"]
    assert [r["name"] for r in laender] == ["Deutschland"]
    assert laender[0]["teil_von"] == []
    assert laender[0]["bundesland"] == ""
    fehler = []
    for r in regionen:
        name = r["name"]
        vorfahren = _vorfahren(name, region_by_name)
        if name in vorfahren:
            fehler.append(f"{name}: Zyklus in teil_von")
        if r["art"] != "land":
            if not r["teil_von"]:
                fehler.append(f"{name}: teil_von ist leer")
            if "Deutschland" not in vorfahren:
                fehler.append(f"{name}: liegt nicht (transitiv) in Deutschland")
        if r["art"] == "grossregion" and r["bundesland"]:
            fehler.append(f"{name}: Großregion mit Ländercode")
        if r["art"] == "bundesland" and any(
            region_by_name[p]["art"] != "grossregion" for p in r["teil_von"]
        ):
            fehler.append(f"{name}: Bundesland sollte in Großregionen liegen")
        if r["art"] in {"region", "stadt"}:
            laender_oben = {
                region_by_name[v]["bundesland"]
                for v in vorfahren
                if v in region_by_name and region_by_name[v]["art"] == "bundesland"
            }
            codes_eltern = {
                region_by_name[p]["bundesland"]
                for p in r["teil_von"]
                if p in region_by_name and region_by_name[p]["bundesland"]
            }
            if r["bundesland"]:
                # The own Land is an ancestor, and no direct parent lies in another Land.
                if r["bundesland"] not in laender_oben or codes_eltern - {r["bundesland"]}:
                    fehler.append(
                        f"{name}: bundesland {r['bundesland']} passt nicht zu "
                        f"{sorted(laender_oben)} / Eltern {sorted(codes_eltern)}"
                    )
                if r["bundesland"] not in codes_eltern:
                    fehler.append(f"{name}: kein direkter Elternteil im Land {r['bundesland']}")
            elif len(laender_oben) < 2:
                fehler.append(f"{name}: ohne Ländercode, liegt aber nur in {laender_oben}")
    assert not fehler, "\n".join(fehler)


def test_alle_16_bundeslaender_mit_code(region_by_name: dict[str, dict[str, Any]]) -> None:
    bundeslaender = {n: r for n, r in region_by_name.items() if r["art"] == "bundesland"}
    assert set(bundeslaender) == set(BUNDESLAENDER)
    for name, code in BUNDESLAENDER.items():
        assert re.fullmatch(r"[A-Z]{2}", bundeslaender[name]["bundesland"]), name
        assert bundeslaender[name]["bundesland"] == code, name


def test_grossregionen(region_by_name: dict[str, dict[str, Any]]) -> None:
    def mitglieder(gross: str) -> set[str]:
        return {
            n
            for n, r in region_by_name.items()
            if r["art"] == "bundesland" and gross in r["teil_von"]
        }

    assert mitglieder("Norddeutschland") == {
        "Hamburg",
        "Bremen",
        "Schleswig-Holstein",
        "Niedersachsen",
        "Mecklenburg-Vorpommern",
    }
    assert mitglieder("Süddeutschland") >= {"Bayern", "Baden-Württemberg"}
    assert mitglieder("Ostdeutschland") >= {"Berlin", "Brandenburg", "Sachsen", "Thüringen"}
    assert mitglieder("Westdeutschland") >= {"Nordrhein-Westfalen", "Rheinland-Pfalz"}
    ohne = [
        n
        for n, r in region_by_name.items()
        if r["art"] == "bundesland"
        and not {"Norddeutschland", "Süddeutschland", "Ostdeutschland", "Westdeutschland"}
        & set(r["teil_von"])
    ]
    assert not ohne, f"Länder ohne Nord/Süd/Ost/West: {ohne}"


def test_nachbarn_symmetrisch_und_gleiche_art(
    regionen: list[dict[str, Any]], region_by_name: dict[str, dict[str, Any]]
) -> None:
    fehler = []
    for r in regionen:
        for n in r.get("nachbarn", []):
            anderer = region_by_name.get(n)
            if anderer is None:
                continue  # reported by test_regionen_verweise_loesen_auf
            if anderer["art"] != r["art"]:
                fehler.append(f"{r['name']} ({r['art']}) – {n} ({anderer['art']})")
            if r["name"] not in anderer.get("nachbarn", []):
                fehler.append(f"{r['name']} nennt {n} als Nachbarn, aber nicht umgekehrt")
    assert not fehler, "\n".join(fehler)


def test_regionen_aus_den_seeds(region_by_name: dict[str, dict[str, Any]]) -> None:
    fehlend = [n for n in SEED_REGIONEN if n not in region_by_name]
    assert not fehlend, f"fehlende Regionen: {fehlend}"
    r = region_by_name
    assert r["Hamburg"]["art"] == "bundesland"
    assert r["Bremen"]["art"] == "bundesland"
    assert set(r["Harz"]["teil_von"]) >= {"Niedersachsen", "Sachsen-Anhalt", "Thüringen"}
    assert r["Harz"]["bundesland"] == ""
    assert r["Mainz/Wiesbaden"]["bundesland"] == ""
    assert r["Mainz"]["bundesland"] == "RP"
    assert r["Wiesbaden"]["bundesland"] == "HE"
    assert "Mainz/Wiesbaden" in r["Mainz"]["teil_von"]
    assert "Mainz/Wiesbaden" in r["Wiesbaden"]["teil_von"]
    assert r["Lübeck-West-Mecklenburg"]["bundesland"] == ""
    assert "Lübeck-West-Mecklenburg" in r["Lübeck"]["teil_von"]
    assert r["Lübeck"]["bundesland"] == "SH"
    assert "Nordrhein-Westfalen" in _vorfahren("OWL", region_by_name)
    assert "Ostwestfalen-Lippe" in r["OWL"]["aliase"]
    assert "Bayern" in _vorfahren("München", region_by_name)
    assert "Bayern" in _vorfahren("Franken", region_by_name)
    assert "OWL" in _vorfahren("Bielefeld", region_by_name)
    assert "Münsterland" in _vorfahren("Münster", region_by_name)


# ---------------------------------------------------------------------------------------------
# netzwerke.toml
# ---------------------------------------------------------------------------------------------

NETZWERK_PFLICHT = {"name": str, "region": str, "dach": str, "art": str, "status": str}
NETZWERK_OPTIONAL = {
    "thema": str,
    "stadium": int,
    "offen": bool,
    "beitragsfrei": bool,
    "teilnetz": bool,
    "letzter_bericht": dt.date,
    "letzte_selbsterklaerung": dt.date,
    "mitglied": list,
    "kontakt": list,
}
KONTAKT_PFLICHT = {"rolle": str, "name": str, "organisation": str}
KONTAKT_OPTIONAL = {"email": str, "matrix": str, "oeffentlich": bool}


def test_netzwerke_schema(netzwerke: list[dict[str, Any]]) -> None:
    assert netzwerke, "keine [[netzwerk]]-Einträge"
    fehler: list[str] = []
    for n in netzwerke:
        was = f"Netzwerk {n.get('name')!r}"
        fehler += _pruefe_schluessel(n, NETZWERK_PFLICHT, NETZWERK_OPTIONAL, was)
        if n.get("dach") not in DAECHER:
            fehler.append(f"{was}: dach {n.get('dach')!r}")
        if n.get("art") not in NETZWERK_ARTEN:
            fehler.append(f"{was}: art {n.get('art')!r}")
        if n.get("status") not in STATUS:
            fehler.append(f"{was}: status {n.get('status')!r}")
        if "stadium" in n and n["stadium"] not in {1, 2, 3, 4}:
            fehler.append(f"{was}: stadium {n['stadium']!r} nicht in 1..4")
        for datum in ("letzter_bericht", "letzte_selbsterklaerung"):
            if datum in n and not _ist_datum(n[datum]):
                fehler.append(f"{was}: {datum} ist kein reines TOML-Datum")
        for m in n.get("mitglied", []):
            fehler += _pruefe_schluessel(m, {"name": str, "typ": str}, {}, f"{was}, Mitglied")
            if m.get("typ") not in MITGLIED_TYPEN:
                fehler.append(f"{was}: Mitglied {m.get('name')!r} typ {m.get('typ')!r}")
            if not str(m.get("name", "")).strip():
                fehler.append(f"{was}: Mitglied ohne Namen")
        for k in n.get("kontakt", []):
            fehler += _pruefe_schluessel(
                k, KONTAKT_PFLICHT, KONTAKT_OPTIONAL, f"{was}, Kontakt {k.get('name')!r}"
            )
            if k.get("rolle") not in ROLLEN:
                fehler.append(f"{was}: Kontakt {k.get('name')!r} rolle {k.get('rolle')!r}")
    assert not fehler, "\n".join(fehler)


def test_netzwerk_namen_eindeutig(netzwerke: list[dict[str, Any]]) -> None:
    gesehen: dict[str, str] = {}
    fehler = []
    for n in netzwerke:
        for key in _schluessel(n["name"]):
            if key in gesehen and gesehen[key] != n["name"]:
                fehler.append(f"{n['name']!r} kollidiert mit {gesehen[key]!r}")
            gesehen.setdefault(key, n["name"])
    assert len({n["name"] for n in netzwerke}) == len(netzwerke), "doppelte Netzwerknamen"
    assert not fehler, "\n".join(fehler)


def test_netzwerk_regionen_existieren(
    netzwerke: list[dict[str, Any]], region_by_name: dict[str, dict[str, Any]]
) -> None:
    fehlend = [(n["name"], n["region"]) for n in netzwerke if n["region"] not in region_by_name]
    assert not fehlend, f"Regionen fehlen in regionen.toml: {fehlend}"


def test_fachgruppen_und_regionale_netzwerke(netzwerke: list[dict[str, Any]]) -> None:
    fehler = []
    for n in netzwerke:
        thema = n.get("thema", "")
        if n["art"] == "fachgruppe":
            if not thema.strip():
                fehler.append(f"{n['name']}: Fachgruppe ohne Thema")
            if n["region"] != "Deutschland":
                fehler.append(f"{n['name']}: Fachgruppe nicht bundesweit")
        elif thema:
            fehler.append(f"{n['name']}: regionales Netzwerk mit Thema {thema!r}")
        if "stadium" in n and (n["dach"] != "OM" or n["art"] != "regional"):
            fehler.append(f"{n['name']}: Stadium nur für regionale OM-Netzwerke")
    assert not fehler, "\n".join(fehler)
    assert any(n["art"] == "fachgruppe" for n in netzwerke)


def test_ein_netzwerk_pro_region_und_dach(
    netzwerke: list[dict[str, Any]], region_by_name: dict[str, dict[str, Any]]
) -> None:
    aktiv = [n for n in netzwerke if n["status"] != "entzogen"]
    regional = Counter((n["dach"], n["region"]) for n in aktiv if n["art"] == "regional")
    doppelt = [k for k, c in regional.items() if c > 1]
    assert not doppelt, f"mehrere Netzwerke desselben Dachs in einer Region: {doppelt}"
    themen = Counter((n["dach"], n["thema"].casefold()) for n in aktiv if n["art"] == "fachgruppe")
    assert not [k for k, c in themen.items() if c > 1], "doppelte Fachgruppen-Themen"

    # A network inside the region of another network of the same umbrella must be an agreed
    # sub-network (teilnetz), and a teilnetz must actually lie inside such a region.
    fehler = []
    for n in aktiv:
        if n["art"] != "regional":
            continue
        oben = _vorfahren(n["region"], region_by_name)
        groessere = [
            m["name"]
            for m in aktiv
            if m is not n
            and m["art"] == "regional"
            and m["dach"] == n["dach"]
            and m["region"] in oben
        ]
        if groessere and not n.get("teilnetz", False):
            fehler.append(f"{n['name']} liegt in {groessere}, ist aber kein teilnetz")
        if n.get("teilnetz", False) and not groessere:
            fehler.append(f"{n['name']} ist teilnetz, liegt aber in keinem anderen Netzwerk")
    assert not fehler, "\n".join(fehler)


def test_mitglieder_und_kontakte(netzwerke: list[dict[str, Any]]) -> None:
    fehler = []
    for n in netzwerke:
        mitglieder = [m["name"] for m in n.get("mitglied", [])]
        if len(set(mitglieder)) != len(mitglieder):
            fehler.append(f"{n['name']}: doppelte Mitglieder")
        paare = Counter((k["rolle"], k["name"]) for k in n.get("kontakt", []))
        if any(c > 1 for c in paare.values()):
            fehler.append(f"{n['name']}: doppelter Kontakt (rolle, name)")
        for k in n.get("kontakt", []):
            if k["organisation"] not in mitglieder:
                fehler.append(
                    f"{n['name']}: Kontakt {k['name']} – Organisation {k['organisation']!r} "
                    "ist kein Mitglied"
                )
            if "matrix" in k and not MATRIX_ID.fullmatch(k["matrix"]):
                fehler.append(f"{n['name']}: Matrix-ID {k['matrix']!r} ungültig")
            if "email" in k and not EMAIL.fullmatch(k["email"]):
                fehler.append(f"{n['name']}: E-Mail {k['email']!r} ungültig")
    assert not fehler, "\n".join(fehler)


def test_beispielpersonen_sind_fiktiv(netzwerke_doc: dict[str, Any]) -> None:
    """Sample contacts only use reserved domains: example.org mail, om.example Matrix server."""
    fehler = []
    personen: dict[str, str] = {}
    kontakte = [k for n in netzwerke_doc["netzwerk"] for k in n.get("kontakt", [])]
    matrix_ids = [(k.get("matrix"), k["name"]) for k in kontakte]
    matrix_ids += [
        (p.get("nationaler_kontakt"), p.get("nationaler_kontakt_name", ""))
        for p in netzwerke_doc["partner"]
    ]
    for k in kontakte:
        if "email" in k and not k["email"].endswith("@example.org"):
            fehler.append(f"E-Mail {k['email']!r} nicht unter example.org")
    for mxid, name in matrix_ids:
        if not mxid:
            continue
        if not mxid.endswith(":om.example"):
            fehler.append(f"Matrix-ID {mxid!r} nicht auf om.example")
        if personen.setdefault(mxid, name) != name:
            fehler.append(f"Matrix-ID {mxid!r} gehört zu {personen[mxid]!r} und {name!r}")
    assert not fehler, "\n".join(fehler)


def test_netzwerke_aus_den_seeds(netzwerke: list[dict[str, Any]]) -> None:
    om_regional = {n["region"] for n in netzwerke if n["dach"] == "OM" and n["art"] == "regional"}
    fehlend = [r for r in SEED_NETZWERK_REGIONEN if r not in om_regional]
    assert not fehlend, f"kein OM-Netzwerk in {fehlend}"
    assert any(n["name"] == "Offensive Harzwirtschaft" for n in netzwerke)
    # Sister networks in the same regions, so clashes can be shown.
    regionen_mit_allen = [
        r for r in om_regional if {n["dach"] for n in netzwerke if n["region"] == r} == DAECHER
    ]
    assert regionen_mit_allen, "keine Region mit OM-, DDN- und OGB-Netzwerk"
    assert {n["dach"] for n in netzwerke} == DAECHER
    # Several recognition states, and the demo's "Hannover status leitungskreis" works.
    assert len({n["status"] for n in netzwerke}) >= 4
    hannover = [n for n in netzwerke if n["region"] == "Hannover" and n["dach"] == "OM"]
    assert hannover
    assert hannover[0]["status"] == "beantragt"
    # "/om netzwerk anlegen Netzwerk Lüneburg in Lüneburg" must not clash with sample data.
    assert not any(n["region"] == "Lüneburg" for n in netzwerke)


def _intermediaere(n: dict[str, Any]) -> set[str]:
    return {m["name"] for m in n.get("mitglied", []) if m["typ"] == "intermediaer"}


def _erfuellt_datenkriterien(n: dict[str, Any]) -> list[str]:
    """The register-based formal criteria, as the sample data is meant to encode them."""
    fehlt = []
    mitglieder = n.get("mitglied", [])
    kontakte = n.get("kontakt", [])
    zwischen = _intermediaere(n)
    if len(mitglieder) < 3 or not any(m["typ"] == "oeffentlich" for m in mitglieder):
        fehlt.append("drei Partner, davon eine öffentliche Institution")
    if len(zwischen) < 3:
        fehlt.append("drei intermediäre Organisationen")
    if {k["rolle"] for k in kontakte} != ROLLEN:
        fehlt.append("Koordination und Moderation")
    if not any(k["organisation"] in zwischen and k.get("oeffentlich", True) for k in kontakte):
        fehlt.append("öffentlich genannte Ansprechperson aus intermediärer Organisation")
    if not (n.get("offen") is True and n.get("beitragsfrei") is True):
        fehlt.append("offen und beitragsfrei")
    if "letzter_bericht" not in n:
        fehlt.append("Bericht an das Plenum")
    return fehlt


def test_stadien_der_beispielnetzwerke(
    netzwerke: list[dict[str, Any]],
    region_by_name: dict[str, dict[str, Any]],
    kriterien_doc: dict[str, Any],
) -> None:
    om = [n for n in netzwerke if n["dach"] == "OM" and n["art"] == "regional"]
    stadien = {s["nummer"]: s for s in kriterien_doc["stadium"]}

    # Stage 4 examples of seed 003 are stage-4 networks that meet all data criteria.
    for region in stadien[4]["beispiele"]:
        treffer = [n for n in om if n["region"] == region]
        assert treffer, f"kein Netzwerk für Stadium-4-Beispiel {region}"
        assert treffer[0].get("stadium") == 4, region
    for n in om:
        if n.get("stadium") == 4:
            assert n["status"] == "anerkannt", n["name"]
            assert _erfuellt_datenkriterien(n) == [], (n["name"], _erfuellt_datenkriterien(n))

    # Stage 1: Bremen and "Die zwei Netzwerke in Bayern"; their data is incomplete.
    assert "Bremen" in stadien[1]["beispiele"]
    assert [n.get("stadium") for n in om if n["region"] == "Bremen"] == [1]
    bayern_1 = [
        n
        for n in om
        if n.get("stadium") == 1 and "Bayern" in _vorfahren(n["region"], region_by_name)
    ]
    assert len(bayern_1) == 2, [n["name"] for n in bayern_1]
    for n in om:
        if n.get("stadium") == 1:
            assert _erfuellt_datenkriterien(n), f"{n['name']} erfüllt alles, ist aber Stadium 1"

    # Stage 2 and 3 exist in the sample data; stage 3: intermediaries are partners but no
    # publicly named contact comes from one.
    assert any(n.get("stadium") == 2 for n in om)
    dritte = [n for n in om if n.get("stadium") == 3]
    assert dritte
    for n in dritte:
        assert len(_intermediaere(n)) >= 3, n["name"]
        oeffentlich_intermediaer = [
            k
            for k in n.get("kontakt", [])
            if k["organisation"] in _intermediaere(n) and k.get("oeffentlich", True)
        ]
        assert not oeffentlich_intermediaer, n["name"]


def test_partner(netzwerke_doc: dict[str, Any]) -> None:
    partner = netzwerke_doc["partner"]
    assert 5 <= len(partner) <= 8
    fehler: list[str] = []
    for p in partner:
        fehler += _pruefe_schluessel(
            p,
            {"kurz": str, "name": str},
            {"nationaler_kontakt": str, "nationaler_kontakt_name": str},
            f"Partner {p.get('kurz')!r}",
        )
        mxid = p.get("nationaler_kontakt", "")
        if mxid and not MATRIX_ID.fullmatch(mxid):
            fehler.append(f"Partner {p['kurz']}: Matrix-ID {mxid!r} ungültig")
        if mxid and not p.get("nationaler_kontakt_name", "").strip():
            fehler.append(f"Partner {p['kurz']}: Matrix-ID ohne Namen")
    assert not fehler, "\n".join(fehler)
    kurz = [p["kurz"].casefold() for p in partner]
    assert len(set(kurz)) == len(kurz), "doppelte Kurznamen"
    assert "ihk" in kurz  # "/om kontakt IHK"
    assert sum(1 for p in partner if p.get("nationaler_kontakt")) >= 5


# ---------------------------------------------------------------------------------------------
# kriterien.toml
# ---------------------------------------------------------------------------------------------


def test_abschnitte(kriterien_doc: dict[str, Any]) -> None:
    abschnitte = kriterien_doc["abschnitt"]
    fehler: list[str] = []
    for a in abschnitte:
        fehler += _pruefe_schluessel(
            a,
            {"id": str, "titel": str, "quelle": str, "beschluss": str},
            {},
            f"Abschnitt {a.get('id')!r}",
        )
        if not all(str(a.get(k, "")).strip() for k in ("titel", "quelle", "beschluss")):
            fehler.append(f"Abschnitt {a.get('id')!r}: leere Angaben")
    assert not fehler, "\n".join(fehler)
    ids = [a["id"] for a in abschnitte]
    assert len(set(ids)) == len(ids), "doppelte Abschnitts-IDs"
    assert set(ids) >= ABSCHNITTE
    by_id = {a["id"]: a for a in abschnitte}
    assert "31.10.2014" in by_id["rahmenbedingungen"]["beschluss"]
    assert "31.10.2014" in by_id["handlungsrahmen"]["beschluss"]
    assert "10.12.2013" in by_id["zusammenarbeit-inqa"]["beschluss"]


def test_kriterien_schema(kriterien_doc: dict[str, Any]) -> None:
    kriterien = kriterien_doc["kriterium"]
    abschnitte = {a["id"] for a in kriterien_doc["abschnitt"]}
    fehler: list[str] = []
    for k in kriterien:
        was = f"Kriterium {k.get('id')!r}"
        fehler += _pruefe_schluessel(
            k,
            {
                "id": str,
                "abschnitt": str,
                "text": str,
                "stichworte": list,
                "pruefung": str,
                "pruefbar": str,
            },
            {},
            was,
        )
        if not KEBAB.fullmatch(k.get("id", "")):
            fehler.append(f"{was}: id ist nicht kebab-case")
        if k.get("abschnitt") not in abschnitte:
            fehler.append(f"{was}: unbekannter Abschnitt {k.get('abschnitt')!r}")
        if len(str(k.get("text", "")).strip()) < 10:
            fehler.append(f"{was}: Text fehlt")
        worte = k.get("stichworte", [])
        if not worte or not all(isinstance(w, str) and w.strip() and w == w.lower() for w in worte):
            fehler.append(f"{was}: stichworte leer oder nicht klein geschrieben")
        if len(set(worte)) != len(worte):
            fehler.append(f"{was}: doppelte Stichworte")
        if k.get("pruefbar") not in PRUEFBAR:
            fehler.append(f"{was}: pruefbar {k.get('pruefbar')!r}")
        pruefung = k.get("pruefung", "")
        if pruefung and pruefung not in PRUEFUNGEN:
            fehler.append(f"{was}: unbekannte Prüfung {pruefung!r}")
        if pruefung and k.get("pruefbar") != PRUEFUNGEN[pruefung]:
            fehler.append(f"{was}: Prüfung {pruefung} muss pruefbar={PRUEFUNGEN[pruefung]} haben")
        if not pruefung and k.get("pruefbar") != "nein":
            fehler.append(f"{was}: ohne Prüfung muss pruefbar='nein' sein")
    assert not fehler, "\n".join(fehler)
    ids = [k["id"] for k in kriterien]
    assert len(set(ids)) == len(ids), f"doppelte IDs: {Counter(ids).most_common(3)}"
    assert 35 <= len(kriterien) <= 55
    for abschnitt in abschnitte:
        assert any(k["abschnitt"] == abschnitt for k in kriterien), f"{abschnitt} ist leer"


def test_pruefungen_je_genau_einmal(kriterien_doc: dict[str, Any]) -> None:
    zaehler = Counter(k["pruefung"] for k in kriterien_doc["kriterium"] if k["pruefung"])
    assert dict(zaehler) == dict.fromkeys(PRUEFUNGEN, 1)


def test_wichtige_kriterien(kriterien_doc: dict[str, Any]) -> None:
    by_pruefung = {k["pruefung"]: k for k in kriterien_doc["kriterium"] if k["pruefung"]}
    treffen = by_pruefung["zwei_treffen_pro_jahr"]
    assert treffen["text"] == "tagt mindestens zweimal im Jahr."
    assert {"treffen", "tagt", "zweimal"} <= set(treffen["stichworte"])
    assert treffen["abschnitt"] == "handlungsrahmen"

    assert "öffentliche Institution" in by_pruefung["drei_partner_davon_oeffentlich"]["text"]
    assert "einmal jährlich" in by_pruefung["bericht_plenum_jaehrlich"]["text"]
    assert "intermediären Organisationen" in by_pruefung["drei_intermediaere"]["text"]
    assert "Moderation" in by_pruefung["zwei_ansprechpartner_einer_intermediaer"]["text"]
    assert "nur ein regionales Netzwerk" in by_pruefung["ein_netzwerk_pro_region"]["text"]

    selbst = by_pruefung["selbsterklaerung_zwei_jahre"]
    assert selbst["abschnitt"] == "selbsterklaerung"
    assert selbst["text"].startswith("Die Selbsterklärung gilt für zwei Jahre.")
    texte = " ".join(k["text"] for k in kriterien_doc["kriterium"])
    assert "Terminüberschneidungen" in texte
    assert "Parallelansprachen" in texte
    assert "wirbt nicht für gewerbliche Produkte" in texte


def test_stadien(kriterien_doc: dict[str, Any]) -> None:
    stadien = kriterien_doc["stadium"]
    fehler: list[str] = []
    for s in stadien:
        fehler += _pruefe_schluessel(
            s, {"nummer": int, "text": str, "beispiele": list}, {}, f"Stadium {s.get('nummer')}"
        )
    assert not fehler, "\n".join(fehler)
    assert sorted(s["nummer"] for s in stadien) == [1, 2, 3, 4]
    by_nr = {s["nummer"]: s for s in stadien}
    assert by_nr[1]["beispiele"] == ["Die zwei Netzwerke in Bayern", "Bremen"]
    assert by_nr[2]["beispiele"] == []
    assert by_nr[3]["beispiele"] == []
    assert by_nr[4]["beispiele"] == ["Hamburg", "Münsterland", "Kaiserslautern"]
    assert by_nr[1]["text"].startswith("Von einigen Netzwerken wissen wir gar nicht")
    assert "intermediäre Organisationen" in by_nr[3]["text"]
    assert by_nr[4]["text"] == "Einige Netzwerke erfüllen alle Anforderungen."


def _seed_text() -> str | None:
    kandidaten = [os.environ.get("OM_SEEDS_DIR", ""), str(ROOT.parent / "shared" / "seeds")]
    for kandidat in kandidaten:
        if kandidat and Path(kandidat).is_dir():
            teile = [p.read_text(encoding="utf-8") for p in sorted(Path(kandidat).glob("*.txt"))]
            if teile:
                text = " ".join(" ".join(teile).split())
                for alt, neu in SEED_KORREKTUREN.items():
                    text = text.replace(alt, neu)
                return text
    return None


def test_texte_sind_zitate_aus_den_seeds(kriterien_doc: dict[str, Any]) -> None:
    seeds = _seed_text()
    if seeds is None:
        pytest.skip("Quelldokumente (seeds) nicht gefunden; OM_SEEDS_DIR setzen")
    texte = [(k["id"], k["text"]) for k in kriterien_doc["kriterium"]]
    texte += [(f"stadium-{s['nummer']}", s["text"]) for s in kriterien_doc["stadium"]]
    fehler = []
    for ident, text in texte:
        for roh in text.split("…"):
            teil = " ".join(roh.split())
            if teil and teil not in seeds:
                fehler.append(f"{ident}: nicht wörtlich in den Seeds: {teil[:80]!r}")
    assert not fehler, "\n".join(fehler)
