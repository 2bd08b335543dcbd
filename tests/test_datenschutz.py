"""Deleting personal data: `anfrage N löschen` with the copies taken `aus register`, and the
hourly retention job (`om_bot.services.datenschutz.aufbewahrung`) – on SQLite and PostgreSQL, with a
fake clock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from om_bot.app.runtime import DatabaseState
from om_bot.config import ConfigError, DatenschutzConfig, config_from_mapping
from om_bot.domain.kontaktverfahren import Zustand
from om_bot.services.datenschutz import AUFBEWAHRUNG, Bericht, Fristen, aufbewahrung
from om_bot.storage.models import Ansprache, AuditEintrag, RegionalerKontakt
from om_bot.storage.uow import UnitOfWork
from tests.welt_grenzen import (
    DM_NK,
    ERIKA,
    EVE,
    GS,
    GS_RAUM,
    HH,
    MARTINA,
    MAX,
    OGB,
    OLAF,
    T0,
    Welt,
    netzwerk_id,
    welt,
)

TAG = timedelta(days=1)


@pytest.fixture
def w(neue_welt: Callable[..., Welt], db_url: str) -> Welt:
    return welt(neue_welt, db_url=db_url)


def _freigegeben(w: Welt, sender: str, raum: str) -> int:
    """A request of the network in `raum` to the IHK, released with Erika; its number."""
    [antwort, *_] = w.sag(sender, raum, "kontakt IHK – Thema Fachkräfte")
    nr = int(antwort.text.split()[1].rstrip(":"))
    w.sag(GS, GS_RAUM, f"anfrage {nr} weiterleiten")
    w.sag(MARTINA, DM_NK, f"anfrage {nr} benennen {ERIKA}", direkt=True)
    w.sag(MARTINA, DM_NK, f"anfrage {nr} informiert", direkt=True)
    w.sag(GS, GS_RAUM, f"anfrage {nr} freigeben")
    return nr


def _aus_register(w: Welt, sender: str, raum: str) -> int:
    [antwort, *_] = w.sag(sender, raum, "kontakt IHK – zweite Anfrage")
    nr = int(antwort.text.split()[1].rstrip(":"))
    [r, *_] = w.sag(GS, GS_RAUM, f"anfrage {nr} aus register")
    assert "aus dem Register übernommen" in r.text
    return nr


def _register(w: Welt) -> list[tuple[int | None, str]]:
    with w.uow() as u:
        return [(k.anfrage_id, k.email) for k in u.session.scalars(select(RegionalerKontakt))]


def _person(w: Welt, nr: int) -> tuple[str, str, str]:
    a = w.anfrage(nr)
    return a.person_name, a.person_email, a.person_telefon


# --- löschen and the copies taken from the register -----------------------------------------


def test_loeschen_waits_for_an_open_copy_then_clears_it(w: Welt) -> None:
    eins = _freigegeben(w, MAX, HH)
    w.spaeter(days=40)
    zwei = _aus_register(w, OLAF, OGB)
    assert _person(w, zwei)[1] == "erika@example.org"

    [r] = w.sag(GS, GS_RAUM, f"anfrage {eins} löschen")
    assert r.text.startswith("⚠") and f"offenen Anfrage {zwei}" in r.text
    assert "Es wurde nichts gelöscht" in r.text and "erika" not in r.text.lower()
    assert _person(w, eins)[1] == "erika@example.org" and w.anfrage(eins).geloescht is None
    assert _register(w) == [(eins, "erika@example.org")]

    # The wrong person is refused as before.
    [r] = w.sag(MAX, HH, f"anfrage {eins} löschen")
    assert r.text.startswith("⛔")

    w.sag(GS, GS_RAUM, f"anfrage {zwei} ablehnen Hat sich erledigt.")
    [r] = w.sag(GS, GS_RAUM, f"anfrage {eins} löschen")
    assert "personenbezogene Daten gelöscht" in r.text
    assert f"Kopie der Person in Anfrage {zwei}" in r.text
    assert _person(w, eins) == ("", "", "") and _person(w, zwei) == ("", "", "")
    # The other request keeps what is its own: note, reason, who asked.
    zweite = w.anfrage(zwei)
    assert zweite.notiz == "zweite Anfrage" and zweite.grund == "Hat sich erledigt."
    assert zweite.angefragt_von == OLAF and zweite.geloescht is None
    assert _register(w) == []
    with w.uow() as u:
        kopie = [e for e in u.audit.alle() if e.aktion == "anfrage_kopie_geloescht"]
        assert [(e.objekt, e.akteur, (e.nachher or {})["kopie_von"]) for e in kopie] == [
            (f"anfrage {zwei}", GS, eins)
        ]
    [sicht] = w.sag(GS, GS_RAUM, f"anfrage {zwei}")
    assert "erika" not in sicht.text.lower()


def test_loeschen_also_removes_the_register_entry_made_from_a_copy(w: Welt) -> None:
    eins = _freigegeben(w, MAX, HH)
    w.spaeter(days=40)
    zwei = _aus_register(w, OLAF, OGB)
    w.sag(GS, GS_RAUM, f"anfrage {zwei} informiert")
    w.sag(GS, GS_RAUM, f"anfrage {zwei} freigeben")
    # The release of the copy replaced the entry (one per partner and region).
    assert _register(w) == [(zwei, "erika@example.org")]
    [r] = w.sag(GS, GS_RAUM, f"anfrage {eins} löschen")
    assert "Registereintrag der regionalen Ansprechperson" in r.text
    assert f"Anfrage {zwei}" in r.text
    assert _register(w) == [] and _person(w, zwei) == ("", "", "")


def test_a_request_named_by_the_partner_is_not_a_copy(w: Welt) -> None:
    eins = _freigegeben(w, MAX, HH)
    w.spaeter(days=40)
    zwei = _freigegeben(w, OLAF, OGB)  # the IHK named Erika again itself
    [r] = w.sag(GS, GS_RAUM, f"anfrage {eins} löschen")
    assert "Kopie" not in r.text
    assert _person(w, zwei)[1] == "erika@example.org"
    assert _register(w) == [(zwei, "erika@example.org")]


# --- retention ------------------------------------------------------------------------------


def _abgelehnt_mit_person(w: Welt, partner: str) -> int:
    [antwort, *_] = w.sag(MAX, HH, f"kontakt {partner} – bitte bald")
    nr = int(antwort.text.split()[1].rstrip(":"))
    w.sag(GS, GS_RAUM, f"anfrage {nr} weiterleiten")
    w.sag(GS, GS_RAUM, f"anfrage {nr} benennen {ERIKA}")
    w.sag(GS, GS_RAUM, f"anfrage {nr} ablehnen Die Person ist nicht zuständig.")
    assert w.anfrage(nr).status is Zustand.ABGELEHNT
    return nr


def _audit(w: Welt) -> list[AuditEintrag]:
    with w.uow() as u:
        rows = list(u.audit.alle())
        u.session.expunge_all()
        return rows


def test_retention_deletes_what_is_past_its_period(
    w: Welt, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="om_bot.services.datenschutz")
    alt = _abgelehnt_mit_person(w, "IHK")
    w.sag(EVE, HH, "kontakt HWK")  # refused: one record
    w.spaeter(days=80)
    neu = _abgelehnt_mit_person(w, "HWK")
    fristen = Fristen()

    jetzt = T0 + 91 * TAG
    bericht = aufbewahrung(w.uow, jetzt, fristen)
    assert bericht == Bericht(verweigert=1, abgelehnt=1)
    anfrage = w.anfrage(alt)
    assert (anfrage.notiz, anfrage.grund, anfrage.angefragt_von) == ("", "", "")
    assert _person(w, alt) == ("", "", "") and anfrage.geloescht == jetzt
    assert _person(w, neu)[0] == "Erika Musterfrau"  # rejected only 11 days ago
    rows = _audit(w)
    assert not [e for e in rows if not e.erlaubt]
    verlauf = [e for e in rows if e.objekt == f"anfrage {alt}"]
    assert verlauf[-1].aktion == "anfrage_geloescht" and verlauf[-1].akteur == AUFBEWAHRUNG
    assert all(e.akteur.startswith("(") for e in verlauf)
    [summe] = [e for e in rows if e.aktion == "aufbewahrung"]
    assert summe.akteur == AUFBEWAHRUNG and (summe.nachher or {})["abgelehnt"] == 1
    assert "erika" not in str(summe.nachher).lower()
    assert "retention: deleted ansprachen=0, verweigert=1" in caplog.text

    # Nothing more to do: no new audit row, but the log line.
    assert aufbewahrung(w.uow, jetzt, fristen).leer
    assert len(_audit(w)) == len(rows)
    assert caplog.text.count("retention: deleted") == 2

    # After a year the approaches go, and the later rejection too.
    bericht = aufbewahrung(w.uow, T0 + 450 * TAG, fristen)
    assert (bericht.ansprachen, bericht.abgelehnt) == (2, 1)
    with w.uow() as u:
        assert u.session.scalars(select(Ansprache)).all() == []


def test_retention_of_the_audit_log_keeps_each_networks_newest_status(w: Welt) -> None:
    with w.uow() as u:
        hh = netzwerk_id(u, "OM-Netzwerk Hamburg")
        for tage, aktion in ((0, "status_geaendert"), (10, "status_geaendert"), (20, "raum")):
            u.audit.add(
                AuditEintrag(
                    zeit=T0 + tage * TAG, akteur=GS, aktion=aktion, netzwerk_id=hh, erlaubt=True
                )
            )
        u.commit()
    bericht = aufbewahrung(w.uow, T0 + 1200 * TAG, Fristen())
    assert bericht.protokoll == 2
    rest = [(e.aktion, e.zeit) for e in _audit(w) if e.netzwerk_id is not None]
    assert rest == [("status_geaendert", T0 + 10 * TAG)]


def test_periods_switched_off_delete_nothing(w: Welt) -> None:
    _abgelehnt_mit_person(w, "IHK")
    w.sag(EVE, HH, "kontakt HWK")
    vorher = len(_audit(w))
    assert aufbewahrung(w.uow, T0 + 5000 * TAG, Fristen(None, None, None, None)).leer
    assert len(_audit(w)) == vorher


def test_retention_waits_while_an_open_request_holds_a_copy(w: Welt) -> None:
    eins = _freigegeben(w, MAX, HH)
    w.spaeter(days=40)
    zwei = _aus_register(w, OLAF, OGB)
    w.sag(GS, GS_RAUM, f"anfrage {zwei} ablehnen Doch nicht.")
    drei = _aus_register(w, MAX, HH)  # open, holds the same person

    bericht = aufbewahrung(w.uow, w.uhr() + 91 * TAG, Fristen())
    assert (bericht.abgelehnt, bericht.aufgeschoben) == (0, 1)
    assert _person(w, zwei)[1] == "erika@example.org"

    w.sag(GS, GS_RAUM, f"anfrage {drei} ablehnen Doch nicht.")
    bericht = aufbewahrung(w.uow, w.uhr() + 91 * TAG, Fristen())
    assert (bericht.abgelehnt, bericht.kopien, bericht.aufgeschoben) == (2, 1, 0)
    assert _person(w, zwei) == ("", "", "") and _person(w, drei) == ("", "", "")
    # The released origin is not a copy; its register entry stays.
    assert _person(w, eins)[1] == "erika@example.org"
    assert _register(w) == [(eins, "erika@example.org")]


def test_retention_runs_hourly_with_the_event_pruning(uow: Callable[[], UnitOfWork]) -> None:
    laeufe: list[object] = []
    state = DatabaseState(uow, laeufe.append)
    assert state.claim("$1", "!r", T0)
    assert state.claim("$2", "!r", T0 + timedelta(minutes=30))
    assert not state.claim("$2", "!r", T0 + timedelta(hours=2))
    assert state.claim("$3", "!r", T0 + timedelta(hours=2))
    assert laeufe == [T0, T0 + timedelta(hours=2)]


def test_a_failing_retention_run_does_not_lose_the_message(
    uow: Callable[[], UnitOfWork], caplog: pytest.LogCaptureFixture
) -> None:
    def kaputt(_: object) -> None:
        raise RuntimeError("disk full")

    state = DatabaseState(uow, kaputt)
    assert state.claim("$1", "!r", T0)
    assert not state.claim("$1", "!r", T0)
    assert "retention job failed" in caplog.text


def test_configured_periods() -> None:
    standard = Fristen.aus(DatenschutzConfig())
    assert standard == Fristen(365 * TAG, 90 * TAG, 1095 * TAG, 90 * TAG)
    assert Fristen.aus(DatenschutzConfig(protokoll_tage=0)).protokoll is None
    matrix = {"homeserver": "https://m.example.org", "user_id": "@b:example.org", "password": "x"}
    with pytest.raises(ConfigError, match=r"datenschutz\.ansprachen_tage: .*at least 31"):
        config_from_mapping({"matrix": matrix, "datenschutz": {"ansprachen_tage": 10}}, {})
    with pytest.raises(ConfigError, match=r"grenzen\.schreiben_je_minute"):
        config_from_mapping({"matrix": matrix, "grenzen": {"schreiben_je_minute": -1}}, {})
