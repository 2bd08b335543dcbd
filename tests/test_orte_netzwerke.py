"""Places and the register (issue 11): which networks are responsible for a real place.

Over the sample register (`data/netzwerke.toml`) and the real place table: the regions' Gebiete
(`om_bot/data/regionen.toml`), `om_bot.services.orte.netzwerke_am_ort`, the import of a
network in any real place, the nesting the clash and holiday checks use, and the commands
`netzwerke <Ort|PLZ|Kreis>` and `region <Ort>` through the router.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest

from om_bot.app.runtime import App, build
from om_bot.config import config_from_mapping
from om_bot.domain import orte
from om_bot.domain.gebiete import Antwort
from om_bot.domain.ortsregionen import Regionsindex, ca_km, einheit, loese_gebiet
from om_bot.domain.termine import laender_der_region, ueberlappende_regionen
from om_bot.services.importer import (
    ImportFehler,
    export_register,
    importiere,
    importiere_datei,
    lies,
)
from om_bot.services.orte import netzwerke_am_ort, ort_als_region
from om_bot.storage.models import Region
from om_bot.storage.uow import UnitOfWork
from om_bot.text.messages import IncomingMessage
from tests.conftest import SAMPLE_DATA

JETZT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
_events = itertools.count()


def _regionen_toml() -> list[dict[str, object]]:
    text = resources.files("om_bot").joinpath("data/regionen.toml").read_text("utf-8")
    regionen: list[dict[str, object]] = tomllib.loads(text)["region"]
    return regionen


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """One bot on the sample register for the read-only tests of this module."""
    db = tmp_path_factory.mktemp("orte") / "orte.sqlite3"
    config = config_from_mapping(
        {
            "matrix": {"homeserver": "http://127.0.0.1:1", "user_id": "@bot:om.test"}
            | {"password": "x"},
            "database": {"url": f"sqlite:///{db}"},
        },
        env={},
    )
    app = build(config, clock=lambda: JETZT)
    importiere_datei(app.uow, SAMPLE_DATA)
    yield app
    app.engine.dispose()


def _bot(app: App, body: str) -> str:
    nachricht = IncomingMessage(
        f"$o{next(_events)}", "!raum:om.test", "@alice:om.test", body, JETZT, is_direct=False
    )
    return "\n".join(r.text for r in app.router.handle(nachricht))


def _am_ort(app: App, text: str) -> tuple[list[str], list[str], list[str]]:
    """(networks, reasons, nearest networks) for `text`."""
    with app.uow() as uow:
        a = netzwerke_am_ort(uow, text)
        return (
            [n.netzwerk.name for n in a.netzwerke],
            [n.grund for n in a.netzwerke],
            [n.netzwerk.name for n in a.naechste],
        )


# --- the built-in regions as places ------------------------------------------------------


def test_every_built_in_region_gebiet_is_a_unit_of_the_place_table() -> None:
    for region in _regionen_toml():
        for gebiet_id in region.get("gebiete", []):  # type: ignore[attr-defined]
            assert orte.gebiet(gebiet_id) is not None, (region["name"], gebiet_id)


def test_laender_cities_and_kreise_map_to_their_unit() -> None:
    gebiete = {r["name"]: r.get("gebiete", []) for r in _regionen_toml()}
    for region in _regionen_toml():
        if region["art"] == "bundesland":
            assert gebiete[region["name"]] == [f"land:{region['bundesland']}"]
    assert gebiete["München"] == ["kreis:09162"]  # the kreisfreie Stadt, not just the town
    assert gebiete["OWL"] == ["rb:057"]  # Regierungsbezirk Detmold
    assert [orte.gebiet(g).name for g in gebiete["Münsterland"]] == [  # type: ignore[union-attr]
        "Münster",
        "Kreis Borken",
        "Kreis Coesfeld",
        "Kreis Steinfurt",
        "Kreis Warendorf",
    ]
    harz = {orte.gebiet(g).land for g in gebiete["Harz"]}  # type: ignore[union-attr]
    assert harz == {"NI", "ST", "TH"}


def test_the_migration_seeds_what_regionen_toml_says() -> None:
    from importlib import import_module

    eingebaut = import_module("om_bot.storage.migrations.versions.0007_region_gebiet").EINGEBAUT
    toml = {r["name"]: tuple(r["gebiete"]) for r in _regionen_toml() if r.get("gebiete")}
    assert eingebaut == toml


def test_gebiete_entries_resolve_ids_and_unambiguous_names_only() -> None:
    kreis = loese_gebiet("Kreis Steinfurt")
    assert not isinstance(kreis, str) and kreis.id == "kreis:05566"
    stadt = loese_gebiet("Münster")  # the kreisfreie Stadt as its Kreis
    assert not isinstance(stadt, str) and stadt.id == "kreis:05515"
    assert "mehrdeutig" in str(loese_gebiet("Harburg"))
    assert "kreis:03353" in str(loese_gebiet("Harburg"))  # the choices name their ids
    assert "Postleitzahl" in str(loese_gebiet("21073"))
    assert "Kiel" in str(loese_gebiet("Kiell")) and "Köln" not in str(loese_gebiet("Kiell"))
    assert "keine Kennung" in str(loese_gebiet("kreis:99999"))


def test_words() -> None:
    assert einheit(orte.finde("Kiel").treffer[0]) == "Kiel"
    assert einheit(orte.gebiet("kreis:01002")) == "kreisfreie Stadt Kiel"  # type: ignore[arg-type]
    assert einheit(orte.gebiet("land:NW")) == "Land Nordrhein-Westfalen"  # type: ignore[arg-type]
    assert [ca_km(x) for x in (0.2, 7.4, 61.9, 86.2, 132.6)] == [
        "ca. 1 km",
        "ca. 7 km",
        "ca. 60 km",
        "ca. 85 km",
        "ca. 135 km",
    ]


# --- which networks, and why ---------------------------------------------------------------


def test_kreis_steinfurt_is_covered_by_muensterland(app: App) -> None:
    netzwerke, gruende, _ = _am_ort(app, "Kreis Steinfurt")
    assert netzwerke == ["OM-Netzwerk Münsterland"]
    assert gruende == ["Region Münsterland umfasst Kreis Steinfurt"]


def test_kiel_has_no_network_and_names_the_nearest(app: App) -> None:
    netzwerke, _, naechste = _am_ort(app, "Kiel")
    assert netzwerke == []
    assert naechste[0] == "OM-Netzwerk Lübeck-West-Mecklenburg"
    with app.uow() as uow:
        km = netzwerke_am_ort(uow, "Kiel").naechste[0].km
    assert km is not None and 55 < km < 70  # Kiel – Lübeck
    antwort = _bot(app, "!om netzwerke Kiel")
    assert "Für Kiel ist kein Netzwerk eingetragen" in antwort
    assert "OM-Netzwerk Lübeck-West-Mecklenburg, ca. 60 km" in antwort
    assert "Köln" not in antwort


def test_luedenscheid_says_less_and_names_the_nearest(app: App) -> None:
    netzwerke, _, naechste = _am_ort(app, "Lüdenscheid")
    assert netzwerke == [] and naechste[0] == "OM-Netzwerk Münsterland"
    antwort = _bot(app, "!om netzwerke Lüdenscheid")
    assert "Den Kreis von Lüdenscheid nennen meine Quellen nicht" in antwort
    assert "Märkischer Kreis" not in antwort  # never guessed


def test_postcode_of_hamburg_harburg(app: App) -> None:
    netzwerke, gruende, _ = _am_ort(app, "21073")
    assert netzwerke == [
        "OM-Netzwerk Hamburg",
        "DDN-Regionalnetzwerk Hamburg",
        "OGB-Netzwerk Hamburg",
    ]
    assert set(gruende) == {"Region Hamburg = Land Hamburg"}
    assert "Netzwerke für PLZ 21073 (Hamburg)" in _bot(app, "!om netzwerke 21073")


def test_a_postcode_of_two_places_says_both(app: App) -> None:
    antwort = _bot(app, "!om netzwerke 21423")
    assert "PLZ 21423 (Winsen (Luhe), Drage)" in antwort
    assert "OM-Netzwerk Hamburg, ca. 25 km" in antwort


def test_landkreis_harburg_has_no_coordinates_and_is_measured_from_its_bezirk(app: App) -> None:
    netzwerke, _, naechste = _am_ort(app, "Landkreis Harburg")
    assert netzwerke == [] and "OM-Netzwerk Hamburg" in naechste
    antwort = _bot(app, "!om netzwerke Landkreis Harburg")
    assert "Wo genau Landkreis Harburg liegt, verraten meine Quellen nicht" in antwort
    assert "von Statistische Region Lüneburg aus" in antwort
    assert " km" not in antwort.split("aus:")[1].split("Alle Netzwerke")[0]


def test_maerkischer_kreis(app: App) -> None:
    netzwerke, _, naechste = _am_ort(app, "Märkischer Kreis")
    assert netzwerke == [] and naechste  # Regierungsbezirk Arnsberg's neighbours
    assert "von Regierungsbezirk Arnsberg aus" in _bot(app, "!om netzwerke Märkischer Kreis")


def test_weser_ems_lists_the_regions_inside(app: App) -> None:
    with app.uow() as uow:
        a = netzwerke_am_ort(uow, "Weser-Ems")
        assert [r.name for r in a.regionen if r.darin] == ["Osnabrück"]
        assert "Niedersachsen" in [r.name for r in a.regionen if not r.darin]
        assert a.naechste[0].netzwerk.name == "OM-Netzwerk Bremen"


def test_munich_most_specific_first_and_nesting_gives_the_reason(app: App) -> None:
    netzwerke, gruende, _ = _am_ort(app, "80331")
    assert netzwerke == ["OM-Netzwerk München", "DDN-Netzwerk München", "OM-Netzwerk Oberbayern"]
    assert gruende[-1] == "Region Oberbayern umfasst Region München"


def test_a_region_across_borders_does_not_put_a_place_into_every_land(app: App) -> None:
    # The Harz lies in three Länder; Landkreis Harz is in Sachsen-Anhalt only.
    with app.uow() as uow:
        regionen = [r.name for r in netzwerke_am_ort(uow, "Landkreis Harz").regionen]
        mainz = [r.name for r in netzwerke_am_ort(uow, "Mainz").regionen]
    assert regionen[0] == "Harz" and "Sachsen-Anhalt" in regionen
    assert "Niedersachsen" not in regionen and "Thüringen" not in regionen
    assert mainz[:2] == ["Mainz", "Mainz/Wiesbaden"] and "Hessen" not in mainz
    netzwerke, gruende, _ = _am_ort(app, "Wernigerode")
    assert (netzwerke, gruende) == (
        ["Offensive Harzwirtschaft"],
        ["Region Harz umfasst Region Wernigerode"],
    )


def test_westmecklenburg_places_belong_to_luebeck_west_mecklenburg(app: App) -> None:
    netzwerke, gruende, _ = _am_ort(app, "Schwerin")
    assert netzwerke == ["OM-Netzwerk Lübeck-West-Mecklenburg"]
    assert gruende == ["Region Lübeck-West-Mecklenburg umfasst kreisfreie Stadt Schwerin"]


# --- the commands ----------------------------------------------------------------------------


def test_known_regions_keep_todays_answer(app: App) -> None:
    hamburg = _bot(app, "!om netzwerke Hamburg")
    assert hamburg.startswith("Netzwerke in Hamburg (3)")
    bayern = _bot(app, "!om netzwerke Bayern")
    assert bayern.startswith("Netzwerke in Bayern (")
    assert "OM-Netzwerk Franken" in bayern and "OM-Netzwerk München" in bayern


def test_an_ambiguous_name_is_asked_back_with_commands_that_find_each(app: App) -> None:
    antwort = _bot(app, "!om netzwerke Harburg")
    assert "„Harburg“ ist mehrdeutig" in antwort
    for befehl in (
        "!om netzwerke Landkreis Harburg",
        "!om netzwerke Hamburg-Harburg",
        "!om netzwerke Harburg (Schwaben)",
    ):
        assert f"`{befehl}`" in antwort
        assert "mehrdeutig" not in _bot(app, befehl)
    assert "OM-Netzwerk Hamburg" in _bot(app, "!om netzwerke Hamburg-Harburg")
    neustadt = _bot(app, "!om netzwerke Neustadt")
    assert "weitere" in neustadt and "Neustadt in Holstein" in neustadt


def test_typos_suggest_real_names_never_koeln_for_kiel(app: App) -> None:
    kiell = _bot(app, "!om netzwerke Kiell")
    assert "kenne ich nicht" in kiell and "Meinten Sie „Kiel“" in kiell
    assert "Köln" not in kiell
    assert "Meinten Sie „Hamburg“?" in _bot(app, "!om netzwerke Hamberg")
    assert "Meinten Sie „Münsterland“" in _bot(app, "!om netzwerke Münsterlnd")


def test_region_command_for_a_town_a_kreis_and_a_set(app: App) -> None:
    kiel = _bot(app, "!om region Kiel")
    assert "Kreis: kreisfreie Stadt Kiel" in kiel and "Land: Schleswig-Holstein" in kiel
    assert "Regionen des Registers: Schleswig-Holstein, Norddeutschland, Deutschland" in kiel
    assert "OM-Netzwerk Lübeck-West-Mecklenburg, ca. 60 km" in kiel
    luedenscheid = _bot(app, "!om region Lüdenscheid")
    assert "Kreis: nicht bekannt" in luedenscheid
    harburg = _bot(app, "!om region Landkreis Harburg")
    assert "Bezirk: Statistische Region Lüneburg" in harburg and "Niedersachsen" in harburg
    muensterland = _bot(app, "!om region Münsterland")
    assert "Kreis Steinfurt" in muensterland and "OM-Netzwerk Münsterland" in muensterland
    assert "`!om region Hamburg-Harburg`" in _bot(app, "!om region Harburg")
    steinfurt = _bot(app, "!om region Kreis Steinfurt")
    assert "Region Münsterland umfasst Kreis Steinfurt" in steinfurt


def test_hostile_input_is_answered(app: App) -> None:
    for text in ("!om netzwerke " + "Neustadt " * 200, "!om region " + "ä" * 1000):
        assert _bot(app, text)


# --- a real place as a region: import, nesting, clashes, holidays ---------------------------


def _region(uow: Callable[[], UnitOfWork], name: str) -> tuple[int, list[str], list[str], str]:
    with uow() as u:
        region = u.regionen.nach_name(name)
        assert region is not None
        namen = u.regionen.namen()
        eltern = sorted(namen[t.teil_von_id] for t in region.eltern)
        return region.id, [g.gebiet_id for g in region.gebiete], eltern, region.bundesland


def test_import_of_a_network_in_a_real_place(sample_uow: Callable[[], UnitOfWork]) -> None:
    text = (
        '[[netzwerk]]\nname = "OM-Netzwerk Oldenburg"\nregion = "Oldenburg"\n'
        '[[netzwerk]]\nname = "OM-Netzwerk Tecklenburger Land"\nregion = "Kreis Steinfurt"\n'
    )
    importiere(sample_uow, lies(text))
    assert _region(sample_uow, "Oldenburg")[1:] == (["kreis:03403"], ["Niedersachsen"], "NI")
    assert _region(sample_uow, "Kreis Steinfurt")[1:] == (["kreis:05566"], ["Münsterland"], "NW")
    with sample_uow() as uow:
        netzwerke = [n.netzwerk.name for n in netzwerke_am_ort(uow, "Oldenburg").netzwerke]
        assert netzwerke == ["OM-Netzwerk Oldenburg"]
        steinfurt = [n.netzwerk.name for n in netzwerke_am_ort(uow, "Kreis Steinfurt").netzwerke]
        assert steinfurt == ["OM-Netzwerk Tecklenburger Land", "OM-Netzwerk Münsterland"]
    # Idempotent, and export → import reproduces it.
    importiere(sample_uow, lies(text))
    export = export_register(sample_uow)
    assert 'gebiete = [\n    "kreis:03403",\n]' in export or 'gebiete = ["kreis:03403"]' in export
    importiere(sample_uow, lies(export))
    assert export_register(sample_uow) == export


def test_import_of_an_ambiguous_place_asks_for_more(sample_uow: Callable[[], UnitOfWork]) -> None:
    with pytest.raises(ImportFehler) as fehler:
        importiere(sample_uow, lies('[[netzwerk]]\nname = "N"\nregion = "Harburg"\n'))
    assert "netzwerk Nr. 1 („N“), Feld region" in str(fehler.value)
    assert "„Landkreis Harburg“" in str(fehler.value) and "mehrdeutig" in str(fehler.value)


def test_a_custom_region_as_a_set_of_kreise(sample_uow: Callable[[], UnitOfWork]) -> None:
    text = (
        '[[region]]\nname = "Nordwestfalen"\nteil_von = ["Nordrhein-Westfalen"]\n'
        'gebiete = ["Kreis Borken", "kreis:05558"]\n'
        '[[netzwerk]]\nname = "Netz NW"\nregion = "Nordwestfalen"\n'
    )
    importiere(sample_uow, lies(text))
    assert _region(sample_uow, "Nordwestfalen")[1] == ["kreis:05554", "kreis:05558"]
    with sample_uow() as uow:
        netzwerke = [n.netzwerk.name for n in netzwerke_am_ort(uow, "Kreis Borken").netzwerke]
    assert netzwerke == ["Netz NW", "OM-Netzwerk Münsterland"]
    with pytest.raises(ImportFehler) as fehler:
        lies('[[region]]\nname = "X"\ngebiete = ["Neustadt"]\n')
    assert "region Nr. 1 („X“), Feld gebiete" in str(fehler.value)
    assert "mehrdeutig" in str(fehler.value)


def test_clash_and_holiday_nesting_kreis_in_region_in_land(
    sample_uow: Callable[[], UnitOfWork],
) -> None:
    with sample_uow() as uow:
        steinfurt = ort_als_region(uow, "Kreis Steinfurt")
        oldenburg = ort_als_region(uow, "Oldenburg")
        assert isinstance(steinfurt, Region) and isinstance(oldenburg, Region)
        uow.commit()
        ids = {r.name: r.id for r in uow.regionen.alle()}
        kanten = uow.regionen.kanten()
        codes = {r.id: r.bundesland for r in uow.regionen.alle()}
    nah = ueberlappende_regionen(steinfurt.id, kanten)
    # A Termin in Kreis Steinfurt clashes with one in Münsterland and one in NRW …
    assert {ids["Münsterland"], ids["Nordrhein-Westfalen"], ids["Deutschland"]} <= nah
    # … not with one in OWL or in Münster (the city is in Münsterland, not in the Kreis).
    assert ids["OWL"] not in nah and ids["Münster"] not in nah
    assert laender_der_region(steinfurt.id, kanten, codes) == ("NW",)
    assert laender_der_region(oldenburg.id, kanten, codes) == ("NI",)


def test_regionsindex_alone() -> None:
    # Two regions: 1 = Land NW, 2 = Kreis Steinfurt inside it.
    idx = Regionsindex({1: ["land:NW"], 2: ["kreis:05566"]}, [(2, 1)])
    rheine = orte.finde("Rheine").gebiet
    assert rheine is not None
    assert [z.region_id for z in idx.am_ort([rheine])] == [1]  # its Kreis is unknown
    steinfurt = orte.gebiet("kreis:05566")
    assert steinfurt is not None
    # NW via the nesting (one step up from Steinfurt) before NW as the Land of its kette.
    assert [(z.region_id, z.rang) for z in idx.am_ort([steinfurt])] == [(2, (0, 0)), (1, (0, 1))]
    nw = orte.gebiet("land:NW")
    assert nw is not None and [e.region_id for e in idx.darin(nw)] == [2]
    assert orte.finde("Steinfurt").antwort is Antwort.EINDEUTIG


# --- through the commands that take a region: termine, netzwerk anlegen ----------------------

GS = "@gs:om.test"


@pytest.fixture
def gs_app(tmp_path: Path) -> Iterator[App]:
    config = config_from_mapping(
        {
            "matrix": {"homeserver": "http://127.0.0.1:1", "user_id": "@bot:om.test"}
            | {"password": "x"},
            "database": {"url": f"sqlite:///{tmp_path / 'gs.sqlite3'}"},
            "bot": {"geschaeftsstelle_users": [GS]},
        },
        env={},
    )
    app = build(config, clock=lambda: JETZT)
    importiere_datei(app.uow, SAMPLE_DATA)
    yield app
    app.engine.dispose()


def _gs(app: App, body: str) -> str:
    nachricht = IncomingMessage(
        f"$g{next(_events)}", "!frei:om.test", GS, body, JETZT, is_direct=False
    )
    return "\n".join(r.text for r in app.router.handle(nachricht))


def test_a_termin_in_kreis_steinfurt_clashes_with_one_in_muensterland(gs_app: App) -> None:
    erster = _gs(gs_app, "!om termin Treffen am 12.03.2027 um 15 Uhr in Münsterland")
    assert "✅ Termin Nr. 1 eingetragen" in erster
    zweiter = _gs(gs_app, "!om termin Stammtisch am 12.03.2027 um 15 Uhr in Kreis Steinfurt")
    assert "Region: Kreis Steinfurt" in zweiter
    assert "⚠ Terminüberschneidung" in zweiter and "„Treffen“ (Nr. 1" in zweiter
    # OWL is next door, not around: no clash.
    owl = _gs(gs_app, "!om termin Messe am 12.03.2027 um 15 Uhr in Kreis Gütersloh")
    assert "Terminüberschneidung" not in owl


def test_holidays_of_the_places_land(gs_app: App) -> None:
    # Fronleichnam 2027 (27 May) is a holiday in Nordrhein-Westfalen, not in Schleswig-Holstein.
    rheine = _gs(gs_app, "!om termin Feier am 27.05.2027 um 15 Uhr in Rheine")
    assert "⚑ Feiertag in Nordrhein-Westfalen: Fronleichnam" in rheine
    kiel = _gs(gs_app, "!om termin Feier am 27.05.2027 um 15 Uhr in Kiel")
    assert "Region: Kiel" in kiel and "Feiertag" not in kiel


def test_an_ambiguous_place_is_asked_back_and_nothing_is_stored(gs_app: App) -> None:
    antwort = _gs(gs_app, "!om termin X am 03.06.2027 um 15 Uhr in Harburg")
    assert "„Harburg“ ist mehrdeutig" in antwort and "„Hamburg-Harburg“" in antwort
    assert "Es wurde nichts gespeichert" in antwort
    with gs_app.uow() as uow:
        assert uow.regionen.nach_name("Harburg") is None


def test_a_network_can_be_created_in_any_real_place(gs_app: App) -> None:
    angelegt = _gs(gs_app, "!om netzwerk anlegen OM-Netzwerk Kiel in Kiel")
    assert "✅ Angelegt: OM-Netzwerk Kiel" in angelegt
    assert "Netzwerke in Kiel (1)" in _gs(gs_app, "!om netzwerke Kiel")
    assert "OM-Netzwerk Kiel" in _gs(gs_app, "!om netzwerke 24103")


def test_a_typo_where_a_region_is_asked_for_suggests_real_places(gs_app: App) -> None:
    antwort = _gs(gs_app, "!om netzwerk anlegen OM-Netzwerk K in Kiell")
    assert "Die Region „Kiell“ kenne ich nicht. Meinten Sie „Kiel“" in antwort
    assert "Köln" not in antwort
