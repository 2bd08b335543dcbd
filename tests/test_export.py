"""`om-bot export`: import ∘ export is the identity, on SQLite and PostgreSQL."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Engine

from om_bot.domain.netzwerk import KontaktRolle, MitgliedTyp
from om_bot.services.importer import export_register, importiere, importiere_datei, lies
from om_bot.storage.db import downgrade, migrate
from om_bot.storage.models import Kontakt, Mitglied
from om_bot.storage.uow import UnitOfWork
from tests.conftest import SAMPLE_DATA

EIGENE_REGIONEN = """
[[region]]
name = "Emsland"
art = "region"
teil_von = ["Niedersachsen", "Westdeutschland"]
bundesland = "NI"
aliase = ["Landkreis Emsland"]
nachbarn = ["Osnabrück"]

[[region]]
name = "Hamburg"
art = "bundesland"
teil_von = ["Norddeutschland"]
bundesland = "HH"
aliase = ["Freie und Hansestadt Hamburg", "HH"]

[[netzwerk]]
name = "OM-Netzwerk Emsland"
region = "Landkreis Emsland"
status = "plenum"
teilnetz = true
ziele = "Betriebe im Emsland erreichen"
vorgehen = "Zweimal im Jahr tagen; \\"Praxis-Checks\\" anbieten"
"""


def _inhalt(uow_factory: Callable[[], UnitOfWork]) -> dict[str, Any]:
    """Everything the register holds, by name (ids differ between databases)."""
    with uow_factory() as uow:
        regionen = uow.regionen.alle()
        namen = {r.id: r.name for r in regionen}
        eltern: dict[str, set[str]] = {}
        for kind, teil_von in uow.regionen.kanten():
            eltern.setdefault(namen[kind], set()).add(namen[teil_von])
        return {
            "regionen": {
                r.name: (
                    r.schluessel,
                    r.art,
                    r.bundesland,
                    sorted(eltern.get(r.name, set())),
                    [(a.name, a.schluessel) for a in r.aliase],
                    sorted(namen[n.nachbar_id] for n in r.nachbarn),
                )
                for r in regionen
            },
            "netzwerke": {
                n.name: (
                    n.schluessel,
                    n.region.name,
                    n.dach,
                    n.art,
                    n.thema,
                    n.status,
                    n.stadium,
                    n.offen,
                    n.beitragsfrei,
                    n.teilnetz,
                    n.letzter_bericht,
                    n.letzte_selbsterklaerung,
                    n.ziele,
                    n.vorgehen,
                    [(m.name, m.typ) for m in n.mitglieder],
                    [
                        (k.rolle, k.name, k.organisation, k.email, k.matrix, k.oeffentlich)
                        for k in n.kontakte
                    ],
                )
                for n in uow.netzwerke.alle()
            },
            "partner": [
                (p.kurz, p.name, p.nationaler_kontakt, p.nationaler_kontakt_name)
                for p in uow.partner.alle()
            ],
        }


def _leeren(engine: Engine) -> None:
    """A fresh, empty database on the same server: down to nothing and up again."""
    downgrade(engine, "base")
    migrate(engine)


def test_import_export_is_the_identity(engine: Engine, uow: Callable[[], UnitOfWork]) -> None:
    importiere_datei(uow, SAMPLE_DATA)
    importiere(uow, lies(EIGENE_REGIONEN))
    # Chat-made details the sample file lacks: a non-public contact, a partner type, dates.
    with uow() as u:
        hamburg = u.netzwerke.nach_schluessel("om netzwerk hamburg")
        assert hamburg is not None
        hamburg.kontakte.append(
            Kontakt(
                rolle=KontaktRolle.MODERATION,
                name="Geheim Person",
                organisation="DGB Hamburg",
                oeffentlich=False,
            )
        )
        hamburg.mitglieder.append(Mitglied(name="Sonstiger Verein", typ=MitgliedTyp.SONSTIGE))
        hamburg.letzter_bericht = date(2026, 11, 20)
        hamburg.offen = False
        u.commit()
    vorher = _inhalt(uow)
    erster = export_register(uow)

    _leeren(engine)
    assert _inhalt(uow)["netzwerke"] == {}
    importiere(uow, lies(erster, "Export"))
    zweiter = export_register(uow)

    assert zweiter == erster
    assert _inhalt(uow) == vorher


def test_export_reads_like_the_import_format(uow: Callable[[], UnitOfWork]) -> None:
    importiere_datei(uow, SAMPLE_DATA)
    importiere(uow, lies(EIGENE_REGIONEN))
    text = export_register(uow)
    daten = tomllib.loads(text)
    # Unchanged built-in regions are left out; changed and new ones are written.
    assert [r["name"] for r in daten["region"]] == ["Emsland", "Hamburg"]
    hamburg = next(n for n in daten["netzwerk"] if n["name"] == "OM-Netzwerk Hamburg")
    # Dates stay TOML dates, enums their values, defaults are left out but the key fields stay.
    assert hamburg["letzter_bericht"] == date(2026, 3, 15)
    assert list(hamburg)[:5] == ["name", "region", "dach", "art", "status"]
    assert "teilnetz" not in hamburg and "thema" not in hamburg
    assert hamburg["kontakt"][0] == {
        "rolle": "Koordination",
        "name": "Max Mustermann",
        "organisation": "Handelskammer Hamburg",
        "email": "max.mustermann@example.org",
        "matrix": "@max.mustermann:om.example",
    }
    emsland = next(n for n in daten["netzwerk"] if n["name"] == "OM-Netzwerk Emsland")
    assert emsland["vorgehen"] == 'Zweimal im Jahr tagen; "Praxis-Checks" anbieten'
    assert emsland["teilnetz"] is True
    vdbw = next(p for p in daten["partner"] if p["kurz"] == "VDBW")
    assert vdbw == {"kurz": "VDBW", "name": "Verband Deutscher Betriebs- und Werksärzte (VDBW)"}


def test_the_sample_file_survives_a_round_trip(uow: Callable[[], UnitOfWork]) -> None:
    importiere_datei(uow, SAMPLE_DATA)
    original = lies(SAMPLE_DATA.read_text(encoding="utf-8"))
    exportiert = lies(export_register(uow))
    nach_name = {n.name: n for n in exportiert.netzwerk}
    assert {n.name for n in original.netzwerk} == set(nach_name)
    for netzwerk in original.netzwerk:
        assert nach_name[netzwerk.name] == netzwerk
    # Networks and partners come out sorted by name; their content is unchanged.
    assert sorted(exportiert.partner, key=lambda p: p.kurz) == sorted(
        original.partner, key=lambda p: p.kurz
    )
    assert exportiert.region == ()


def test_export_of_an_empty_register(uow: Callable[[], UnitOfWork]) -> None:
    assert export_register(uow) == ""
    importiere(uow, lies(""))
    assert export_register(uow) == ""
