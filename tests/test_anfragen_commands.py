"""The contact procedure through `Router.handle`, without Matrix, in the shared chat world
(`tests/chat.py`, SQLite); what depends on the database's locking also on PostgreSQL.

The sample register's people are the actors: Max Mustermann coordinates the OM-Netzwerk
Hamburg, Olaf Mustermann the OGB-Netzwerk Hamburg, Martina Muster is the IHK's national contact;
the VDBW has none.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from om_bot.domain.kontaktverfahren import Zustand
from om_bot.storage.models import Anfrage, AuditEintrag, RegionalerKontakt
from om_bot.text.messages import IncomingMessage, Reply
from tests.chat import Welt

GS, GS2 = "@gs:test", "@gs2:test"
MAX = "@max.mustermann:om.example"  # Koordination OM-Netzwerk Hamburg
OLAF = "@olaf.mustermann:om.example"  # Koordination OGB-Netzwerk Hamburg
MARTINA = "@martina.muster:om.example"  # nationale Ansprechperson IHK
EVE = "@eve:test"
GS_RAUM, HH, OGB, DM_NK, DM_MAX = "!gs", "!hh", "!ogb", "!dm-martina", "!dm-max"
ERIKA = "Erika Musterfrau, erika@example.org, 0421 123456"
GEHEIM = ("Erika", "Musterfrau", "erika@example.org", "0421 123456")
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _welt(neue_welt: Callable[..., Welt], gs_raum: str = GS_RAUM, **wo: Any) -> Welt:
    """The shared chat world (`tests/chat.py`) with the two networks' rooms linked by their
    coordinators and the direct chats of Martina and Max."""
    welt = neue_welt(jetzt=T0, bot={"geschaeftsstelle_room": gs_raum}, **wo)
    welt.direkt(DM_NK, MARTINA)
    welt.direkt(DM_MAX, MAX)
    [linked] = welt.sag(MAX, HH, "raum OM-Netzwerk Hamburg")
    assert "verknüpft" in linked.text
    [linked] = welt.sag(OLAF, OGB, "raum OGB-Netzwerk Hamburg")
    assert "verknüpft" in linked.text
    return welt


@pytest.fixture
def welt(neue_welt: Callable[..., Welt]) -> Welt:
    return _welt(neue_welt)


@pytest.fixture
def welt_db(neue_welt: Callable[..., Welt], db_url: str) -> Welt:
    """The same on SQLite and PostgreSQL: for what depends on the database's locking."""
    return _welt(neue_welt, db_url=db_url)


def _nur(replies: list[Reply], ziel: str | None = None, user: str | None = None) -> Reply:
    passend = [r for r in replies if r.room_id == ziel and r.user_id == user]
    assert len(passend) == 1, [(r.room_id, r.user_id, r.text[:60]) for r in replies]
    return passend[0]


def _bis_informiert(welt: Welt) -> None:
    welt.sag(MAX, HH, "kontakt IHK – Thema Fachkräftesicherung")
    welt.sag(GS, GS_RAUM, "anfrage 1 weiterleiten")
    welt.sag(MARTINA, DM_NK, f"anfrage 1 benennen {ERIKA}", direkt=True)
    welt.sag(MARTINA, DM_NK, "anfrage 1 informiert", direkt=True)


def _anfrage(welt: Welt, nr: int = 1) -> Anfrage:
    with welt.uow() as u:
        anfrage = u.anfragen.get(nr)
        assert anfrage is not None
        # Keep the loaded values readable after the unit of work ends.
        u.session.expunge(anfrage)
        return anfrage


# --- the whole flow ---------------------------------------------------------------------------


def test_the_whole_procedure(welt: Welt, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)

    # 1. eingegangen: the coordinator asks in the network's room.
    replies = welt.sag(MAX, HH, "kontakt IHK – Thema Fachkräftesicherung")
    antwort = _nur(replies)
    assert "Anfrage 1" in antwort.text and "Industrie- und Handelskammern" in antwort.text
    assert "!om anfrage 1" in antwort.text and "Parallelansprache" not in antwort.text
    gs = _nur(replies, GS_RAUM)
    assert "Neue Kontaktanfrage 1" in gs.text and "OM-Netzwerk Hamburg" in gs.text
    assert "Fachkräftesicherung" in gs.text and "!om anfrage 1 weiterleiten" in gs.text
    assert "Martina Muster" in gs.text
    assert len(replies) == 2

    # 2. angefragt: the Geschäftsstelle forwards; the national contact gets a direct message.
    welt.spaeter(hours=1)
    replies = welt.sag(GS, GS_RAUM, "anfrage 1 weiterleiten")
    assert "weitergeleitet" in _nur(replies).text
    dm = _nur(replies, user=MARTINA)
    assert "OM-Netzwerk Hamburg" in dm.text and "Fachkräftesicherung" in dm.text
    assert "anfrage 1 benennen" in dm.text and "anfrage 1 informiert" in dm.text
    assert "weitergeleitet" in _nur(replies, HH).text

    # 3. benannt: in the direct chat, without prefix.
    welt.spaeter(days=2)
    replies = welt.sag(MARTINA, DM_NK, f"anfrage 1 benennen {ERIKA}", direkt=True)
    antwort = _nur(replies)
    assert "erika@example.org" in antwort.text and "anfrage 1 informiert" in antwort.text
    gs = _nur(replies, GS_RAUM)
    assert "benannt" in gs.text and "erika" not in gs.text.lower()
    netz = _nur(replies, HH)
    assert "benannt" in netz.text

    # The coordinator's view hides the data, the Geschäftsstelle's (in its room) shows it.
    [sicht] = welt.sag(MAX, HH, "anfrage 1")
    assert "benannt" in sicht.text and "erst nach der Freigabe" in sicht.text
    [sicht] = welt.sag(MAX, DM_MAX, "anfrage 1", direkt=True)
    assert "erst nach der Freigabe" in sicht.text
    [sicht] = welt.sag(GS, GS_RAUM, "anfrage 1")
    assert "erika@example.org" in sicht.text
    [sicht] = welt.sag(GS, HH, "anfrage 1")  # the GS, but in the network's room
    assert "erika@example.org" not in sicht.text

    # 4. informiert
    replies = welt.sag(MARTINA, DM_NK, "anfrage 1 informiert", direkt=True)
    assert "informiert" in _nur(replies).text
    assert "!om anfrage 1 freigeben" in _nur(replies, GS_RAUM).text

    # Nothing of the contact data reached the requesting room before the release.
    for text in welt.im_raum(HH, html=True):
        for geheim in GEHEIM:
            assert geheim not in text

    # 5. freigegeben: the data goes to the network's room, the register learns the person.
    welt.spaeter(days=1)
    replies = welt.sag(GS, GS_RAUM, "anfrage 1 freigeben")
    antwort = _nur(replies)
    assert "freigegeben" in antwort.text and "im Register" in antwort.text
    assert "aus register" in antwort.text and "Sie entscheiden" in antwort.text
    daten = _nur(replies, HH)
    for geheim in GEHEIM:
        assert geheim in daten.text
    with welt.uow() as u:
        [kontakt] = u.session.scalars(select(RegionalerKontakt)).all()
        assert (kontakt.name, kontakt.email, kontakt.anfrage_id) == (
            "Erika Musterfrau",
            "erika@example.org",
            1,
        )
        assert kontakt.region_id == _anfrage(welt).region_id

    # The history: who, when, from → to.
    [sicht] = welt.sag(MAX, HH, "anfrage 1")
    assert "erika@example.org" in sicht.text  # released: the network may see it now
    verlauf = sicht.text.split("Verlauf", 1)[1]
    for zeile in (
        "→ eingegangen",
        "eingegangen → angefragt (weiterleiten) · @gs:test (Geschäftsstelle)",
        "angefragt → benannt (benennen) · @martina.muster:om.example (nationale Ansprechperson)",
        "benannt → informiert (informiert)",
        "informiert → freigegeben (freigeben) · @gs:test",
        "01.03.2027 10:00",  # Europe/Berlin
    ):
        assert zeile in verlauf

    # Nothing of it was logged at INFO or above.
    for geheim in GEHEIM:
        assert geheim not in caplog.text


def test_every_transition_is_audited_with_who_when_from_to(welt: Welt) -> None:
    _bis_informiert(welt)
    welt.sag(GS2, GS_RAUM, "anfrage 1 freigeben")
    with welt.uow() as u:
        eintraege = [e for e in u.audit.alle() if e.objekt == "anfrage 1"]
        assert [
            (e.akteur, (e.vorher or {}).get("status"), (e.nachher or {})["status"])
            for e in eintraege
        ] == [
            (MAX, None, "eingegangen"),
            (GS, "eingegangen", "angefragt"),
            (MARTINA, "angefragt", "benannt"),
            (MARTINA, "benannt", "informiert"),
            (GS2, "informiert", "freigegeben"),
        ]
        for eintrag in eintraege:
            assert eintrag.zeit.tzinfo is not None
            assert "erika" not in str(eintrag.nachher).lower()


# --- refusals: nothing changes --------------------------------------------------------------


def _status(welt: Welt, nr: int = 1) -> tuple[Zustand, int]:
    anfrage = _anfrage(welt, nr)
    return anfrage.status, anfrage.version


def test_kontakt_refusals(welt: Welt) -> None:
    [r] = welt.sag(MAX, "!irgendwo", "kontakt IHK")
    assert "keinem Netzwerk verknüpft" in r.text and "!om raum Hamburg" in r.text
    [r] = welt.sag(EVE, HH, "kontakt IHK")
    assert "⛔" in r.text
    [r] = welt.sag(MAX, HH, "kontakt IKH")
    assert "kenne ich nicht" in r.text and "„IHK“" in r.text and "VDBW" in r.text
    [r] = welt.sag(MAX, HH, "kontakt Blumenkohl")
    assert "Im Partnerregister stehen: BA, BDA" in r.text
    with welt.uow() as u:
        assert u.anfragen.neueste() == []
        refused = [e for e in u.audit.alle() if not e.erlaubt]
        assert len(refused) == 1 and refused[0].akteur == EVE

    # By name, umlaut- and case-insensitive; a duplicate points to the open one.
    [r, _] = welt.sag(MAX, HH, "kontakt industrie- und handelskammern (dihk)")
    assert "Anfrage 1" in r.text
    [r] = welt.sag(MAX, HH, "kontakt IHK - noch einmal")
    assert "schon eine offene Anfrage" in r.text and "Nr. 1" in r.text
    assert "!om anfrage 1" in r.text
    with welt.uow() as u:
        assert len(u.anfragen.neueste()) == 1

    # Moderating the linked room is no licence to speak for the network (docs/rechte.md).
    [r] = welt.sag("@mod:test", HH, "kontakt HWK", power=100)
    assert r.text.startswith("⛔") and "Koordination des Netzwerks" in r.text
    with welt.uow() as u:
        assert len(u.anfragen.neueste()) == 1


@pytest.mark.parametrize(
    ("befehl", "wer", "raum", "zeichen", "text"),
    [
        # Out of order (the right person, the wrong time): state and next step.
        ("anfrage 1 freigeben", GS, GS_RAUM, "⚠", "erst „eingegangen“"),
        ("anfrage 1 informiert", GS, GS_RAUM, "⚠", "erst „eingegangen“"),
        ("anfrage 1 benennen " + ERIKA, GS, GS_RAUM, "⚠", "erst „eingegangen“"),
        # The wrong person: refused (and audited), with state and next step.
        ("anfrage 1 weiterleiten", MAX, HH, "⛔", "nur die Geschäftsstelle"),
        ("anfrage 1 weiterleiten", MARTINA, DM_NK, "⛔", "nur die Geschäftsstelle"),
        ("anfrage 1 ablehnen geht nicht", MAX, HH, "⛔", "nur die Geschäftsstelle"),
        ("anfrage 1 aus register", MAX, HH, "⛔", "nur die Geschäftsstelle"),
        ("anfrage 1 benennen " + ERIKA, MAX, DM_MAX, "⛔", "nationale Ansprechperson"),
        ("anfrage 1 freigeben", EVE, "!x", "⛔", "nur die Geschäftsstelle"),
        ("anfrage 1 löschen", MAX, HH, "⛔", "nur die Geschäftsstelle"),
        ("anfrage 1", EVE, "!x", "⛔", "sehen nur"),
        ("anfrage 1", OLAF, OGB, "⛔", "sehen nur"),
        # Unknown numbers, missing parts.
        ("anfrage 99 weiterleiten", GS, GS_RAUM, "⚠", "gibt es nicht"),
        ("anfrage 1 ablehnen", GS, GS_RAUM, "⚠", "Grund angeben"),
        ("anfrage 1 löschen", GS, GS_RAUM, "⚠", "noch offen"),
        ("anfrage 1 aus register", GS, GS_RAUM, "⚠", "keine regionale Ansprechperson"),
    ],
)
def test_refusals_in_state_eingegangen(  # noqa: PLR0917 - one parameter per table column
    welt: Welt, befehl: str, wer: str, raum: str, zeichen: str, text: str
) -> None:
    welt.sag(MAX, HH, "kontakt IHK")
    vorher = _status(welt)
    [r] = welt.sag(wer, raum, befehl, direkt=raum.startswith("!dm"))
    assert r.text.startswith(zeichen), r.text
    assert text in r.text, r.text
    assert "Es wurde nichts geändert" in r.text or "gibt es nicht" in r.text or zeichen == "⚠"
    if "gibt es nicht" not in r.text and "sehen nur" not in r.text and "Grund" not in r.text:
        # The refusal names the state and the regular next step with its command.
        assert "eingegangen" in r.text
        assert "weiterleiten" in r.text
    assert _status(welt) == vorher


def test_refusals_later_in_the_procedure(welt: Welt) -> None:
    welt.sag(MAX, HH, "kontakt IHK")
    welt.sag(GS, GS_RAUM, "anfrage 1 weiterleiten")
    angefragt = _status(welt)

    [r] = welt.sag(GS, GS_RAUM, "anfrage 1 weiterleiten")
    assert "schon „angefragt“" in r.text and "!om anfrage 1 benennen" in r.text
    [r] = welt.sag(MARTINA, DM_NK, "anfrage 1 informiert", direkt=True)
    assert "erst „angefragt“" in r.text and "benennen" in r.text
    [r] = welt.sag(MARTINA, DM_NK, "anfrage 1 freigeben", direkt=True)
    assert r.text.startswith("⛔") and "angefragt" in r.text
    # Contact data in a network's room: refused, nothing stored, nothing echoed.
    [r] = welt.sag(MARTINA, HH, f"anfrage 1 benennen {ERIKA}")
    assert "nicht in diesen Raum" in r.text
    assert "erika" not in r.text.lower()
    # Nor in an unlinked group room, nor the Geschäftsstelle's member in a lobby.
    [r] = welt.sag(GS, "!lobby", f"anfrage 1 benennen {ERIKA}")
    assert "nicht in diesen Raum" in r.text and "erika" not in r.text.lower()
    assert _status(welt) == angefragt
    [r] = welt.sag(MARTINA, DM_NK, "anfrage 1 benennen Erika, erika@example", direkt=True)
    assert "keine gültige E-Mail-Adresse" in r.text and "nichts gespeichert" in r.text
    [r] = welt.sag(MARTINA, DM_NK, "anfrage 1 benennen", direkt=True)
    assert "Name und E-Mail-Adresse" in r.text
    assert _status(welt) == angefragt
    assert _anfrage(welt).person_name == ""

    welt.sag(MARTINA, DM_NK, f"anfrage 1 benennen {ERIKA}", direkt=True)
    welt.sag(MARTINA, DM_NK, "anfrage 1 informiert", direkt=True)
    # A correction after "informiert" names someone new: back to "benannt".
    [r, *_] = welt.sag(
        MARTINA, DM_NK, "anfrage 1 benennen Max Neu, max.neu@example.org", direkt=True
    )
    assert "max.neu@example.org" in r.text
    assert _status(welt)[0] is Zustand.BENANNT
    [r] = welt.sag(GS, GS_RAUM, "anfrage 1 freigeben")
    assert "erst „benannt“" in r.text and "informiert" in r.text
    welt.sag(MARTINA, DM_NK, "anfrage 1 informiert", direkt=True)
    welt.sag(GS, GS_RAUM, "anfrage 1 freigeben")
    freigegeben = _status(welt)
    for befehl in ("anfrage 1 freigeben", "anfrage 1 ablehnen zu spät", "anfrage 1 informiert"):
        [r] = welt.sag(GS, GS_RAUM, befehl)
        assert "schon abgeschlossen (freigegeben)" in r.text, r.text
    assert _status(welt) == freigegeben
    with welt.uow() as u:
        [kontakt] = u.session.scalars(select(RegionalerKontakt)).all()
        assert kontakt.email == "max.neu@example.org"


def test_refused_steps_are_in_the_audit_log(welt: Welt) -> None:
    welt.sag(MAX, HH, "kontakt IHK")
    welt.sag(MAX, HH, "anfrage 1 weiterleiten")
    with welt.uow() as u:
        [eintrag] = [e for e in u.audit.alle() if not e.erlaubt]
        assert eintrag.akteur == MAX and "weiterleiten" in eintrag.objekt


# --- variants -------------------------------------------------------------------------------


def test_partner_without_matrix_id_the_geschaeftsstelle_records_the_answer(welt: Welt) -> None:
    welt.sag(MAX, HH, "kontakt VDBW")
    replies = welt.sag(GS, GS_RAUM, "anfrage 1 weiterleiten")
    [antwort, netz] = replies
    assert "keine nationale Ansprechperson hinterlegt" in antwort.text
    assert "per E-Mail" in antwort.text
    assert "!om anfrage 1 benennen" in antwort.text and netz.room_id == HH
    assert not [r for r in replies if r.user_id]

    [r, netz] = welt.sag(GS, GS_RAUM, f"anfrage 1 benennen {ERIKA}")
    assert "erika@example.org" in r.text  # the Geschäftsstelle's own room may show it
    assert netz.room_id == HH and "erika" not in netz.text.lower()
    welt.sag(GS, GS_RAUM, "anfrage 1 informiert")
    replies = welt.sag(GS2, GS_RAUM, "anfrage 1 freigeben")
    assert "erika@example.org" in _nur(replies, HH).text
    with welt.uow() as u:
        rollen = [(e.nachher or {})["rolle"] for e in u.audit.alle() if e.objekt == "anfrage 1"]
    assert rollen == ["koordination", *["geschaeftsstelle"] * 4]


def test_ablehnen_tells_the_network_and_the_partner(welt: Welt) -> None:
    welt.sag(MAX, HH, "kontakt IHK")
    welt.sag(GS, GS_RAUM, "anfrage 1 weiterleiten")
    replies = welt.sag(GS, GS_RAUM, "anfrage 1 ablehnen Die IHK ist dort nicht vertreten.")
    assert "abgelehnt" in _nur(replies).text
    netz = _nur(replies, HH)
    assert "abgelehnt" in netz.text and "Die IHK ist dort nicht vertreten." in netz.text
    assert "nichts mehr tun" in _nur(replies, user=MARTINA).text
    assert _status(welt)[0] is Zustand.ABGELEHNT
    [sicht] = welt.sag(MAX, HH, "anfrage 1")
    assert "Grund der Ablehnung: Die IHK ist dort nicht vertreten." in sicht.text
    # A new request for the same partner is possible again.
    [r, _] = welt.sag(MAX, HH, "kontakt IHK")
    assert "Anfrage 2" in r.text


def test_loeschen_removes_personal_data_and_keeps_an_anonymised_trail(welt: Welt) -> None:
    _bis_informiert(welt)
    welt.sag(GS, GS_RAUM, "anfrage 1 freigeben")
    [r] = welt.sag(GS, GS_RAUM, "anfrage 1 löschen")
    assert "personenbezogene Daten gelöscht" in r.text
    anfrage = _anfrage(welt)
    assert (anfrage.person_name, anfrage.person_email, anfrage.person_telefon) == ("", "", "")
    assert (anfrage.notiz, anfrage.angefragt_von, anfrage.grund) == ("", "", "")
    assert anfrage.geloescht is not None and anfrage.status is Zustand.FREIGEGEBEN
    with welt.uow() as u:
        assert u.session.scalars(select(RegionalerKontakt)).all() == []
        eintraege = [e for e in u.audit.alle() if e.objekt == "anfrage 1"]
        akteure = [e.akteur for e in eintraege]
        alles = " ".join(f"{e.akteur} {e.vorher} {e.nachher}" for e in eintraege)
    assert akteure[:5] == [
        "(Koordination)",
        "(Geschäftsstelle)",
        "(nationale Ansprechperson)",
        "(nationale Ansprechperson)",
        "(Geschäftsstelle)",
    ]
    assert akteure[5] == GS  # the deletion itself stays attributable
    for person in (MAX, MARTINA, "Fachkräftesicherung", *GEHEIM):
        assert person not in alles
    [sicht] = welt.sag(GS, GS_RAUM, "anfrage 1")
    assert "gelöscht am" in sicht.text and "erika" not in sicht.text.lower()
    [r] = welt.sag(GS, GS_RAUM, "anfrage 1 löschen")
    assert "schon gelöscht" in r.text


def test_answer_from_the_register_for_the_next_request_of_the_region(welt: Welt) -> None:
    _bis_informiert(welt)
    welt.sag(GS, GS_RAUM, "anfrage 1 freigeben")
    welt.spaeter(days=40)  # no Parallelansprache any more

    replies = welt.sag(OLAF, OGB, "kontakt IHK")
    gs = _nur(replies, GS_RAUM)
    assert "Im Register steht schon eine regionale Ansprechperson von IHK für Hamburg" in gs.text
    assert "!om anfrage 2 aus register" in gs.text and "erika" not in gs.text.lower()
    replies = welt.sag(GS, GS_RAUM, "anfrage 2 aus register")
    assert "erika@example.org" in _nur(replies).text
    assert "erika@example.org" in _nur(replies, user=MARTINA).text
    assert "erika" not in _nur(replies, OGB).text.lower()
    assert _status(welt, 2)[0] is Zustand.BENANNT
    welt.sag(MARTINA, DM_NK, "anfrage 2 informiert", direkt=True)
    replies = welt.sag(GS, GS_RAUM, "anfrage 2 freigeben")
    assert "erika@example.org" in _nur(replies, OGB).text
    assert not [r for r in replies if r.room_id == HH]


def test_parallelansprache_warns_both_networks(welt: Welt) -> None:
    welt.sag(MAX, HH, "kontakt IHK")
    welt.spaeter(days=10)
    replies = welt.sag(OLAF, OGB, "kontakt IHK")
    antwort = _nur(replies)
    assert "⚠ Parallelansprache" in antwort.text
    assert "OM-Netzwerk Hamburg hat am 01.03.2027" in antwort.text and "(Anfrage 1)" in antwort.text
    notiz = _nur(replies, HH)
    assert "⚠ Parallelansprache" in notiz.text and "OGB-Netzwerk Hamburg" in notiz.text
    assert "Parallelansprache" in _nur(replies, GS_RAUM).text
    # Another partner, or a month later: no warning.
    [r, _] = welt.sag(OLAF, OGB, "kontakt HWK")
    assert "Parallelansprache" not in r.text
    welt.spaeter(days=31)
    welt.sag(GS, GS_RAUM, "anfrage 2 ablehnen doppelt")
    [r, _] = welt.sag(OLAF, OGB, "kontakt IHK")
    assert "Parallelansprache" not in r.text


def test_parallelansprache_across_nested_regions(welt: Welt) -> None:
    # OM-Netzwerk München lies inside Oberbayern; the Geschäftsstelle links and asks for each.
    [r, *_] = welt.sag(GS, "!obb", "raum OM-Netzwerk Oberbayern")
    assert "verknüpft" in r.text
    welt.sag(GS, "!muc", "raum OM-Netzwerk München")
    welt.sag(GS, "!obb", "kontakt DGB")
    replies = welt.sag(GS, "!muc", "kontakt DGB")
    assert "OM-Netzwerk Oberbayern" in _nur(replies).text
    assert "OM-Netzwerk München" in _nur(replies, "!obb").text
    # Hamburg is elsewhere.
    [r, _] = welt.sag(MAX, HH, "kontakt DGB")
    assert "Parallelansprache" not in r.text


def test_lists(welt: Welt) -> None:
    welt.sag(MAX, HH, "kontakt IHK")
    welt.spaeter(days=3)
    welt.sag(OLAF, OGB, "kontakt HWK")
    welt.sag(GS, GS_RAUM, "anfrage 2 ablehnen nein")
    welt.sag(OLAF, OGB, "kontakt BA")

    [r] = welt.sag(GS, GS_RAUM, "anfragen")
    assert "Offene Anfragen (älteste zuerst) (2)" in r.text
    assert r.text.index("Nr. 1") < r.text.index("Nr. 3") and "Nr. 2" not in r.text
    assert "seit 3 Tagen" in r.text and "als Nächstes: weiterleiten" in r.text
    [r] = welt.sag(GS, GS_RAUM, "anfragen alle")
    assert "Nr. 2" in r.text and "abgelehnt" in r.text
    [r] = welt.sag(MAX, HH, "anfragen")
    assert "Nr. 1" in r.text and "Nr. 3" not in r.text
    [r] = welt.sag(OLAF, DM_MAX, "anfragen")  # elsewhere: the networks they coordinate
    assert "Nr. 2" in r.text and "Nr. 3" in r.text and "Nr. 1" not in r.text
    welt.sag(GS, GS_RAUM, "anfrage 1 weiterleiten")
    [r] = welt.sag(MARTINA, DM_NK, "anfragen", direkt=True)
    assert "Nr. 1" in r.text and "Nr. 3" not in r.text
    [r] = welt.sag(EVE, "!x", "anfragen")
    assert "keine Anfragen" in r.text


def test_without_a_geschaeftsstelle_room_its_members_get_direct_messages(
    neue_welt: Callable[..., Welt],
) -> None:
    welt = _welt(neue_welt, gs_raum="")
    replies = welt.sag(MAX, HH, "kontakt IHK")
    assert {r.user_id for r in replies if r.user_id} == {GS, GS2}
    replies = welt.sag(GS, "!dm-gs", "anfrage 1 weiterleiten", direkt=True)
    # The other member learns of it; the sender has the reply.
    assert {r.user_id for r in replies if r.user_id} == {MARTINA, GS2}


def test_help_topic(welt: Welt) -> None:
    [r] = welt.sag(EVE, "!x", "hilfe anfrage")
    assert "!om kontakt <partner> [– <notiz>]" in r.text
    assert "!om anfrage <nr:zahl> freigeben" in r.text
    # Who may take a step is in the help, though the router lets everybody through.
    assert (
        "freigeben\n• Die Kontaktdaten an das anfragende Netzwerk freigeben (nur Geschäftsstelle"
        in r.text
    )


# --- concurrency: exactly one release ---------------------------------------------------------


def test_two_releases_at_once_release_once(welt_db: Welt) -> None:
    welt = welt_db
    _bis_informiert(welt)
    barrier = threading.Barrier(2)
    results: dict[str, list[Reply]] = {}

    def press(wer: str) -> None:
        barrier.wait()
        results[wer] = welt.router.handle(
            IncomingMessage(f"$f{wer}", GS_RAUM, wer, "!om anfrage 1 freigeben", T0)
        )

    threads = [threading.Thread(target=press, args=(wer,)) for wer in (GS, GS2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    alle = [r for replies in results.values() for r in replies]
    assert len([r for r in alle if r.room_id == HH]) == 1, [r.text[:80] for r in alle]
    sieger = [w for w, replies in results.items() if any(r.room_id == HH for r in replies)]
    [verlierer] = [w for w in (GS, GS2) if w not in sieger]
    [absage] = results[verlierer]
    assert "freigegeben" in absage.text and "nichts geändert" in absage.text
    with welt.uow() as u:
        freigaben = [e for e in u.audit.alle() if e.aktion == "anfrage_freigegeben"]
        assert len(freigaben) == 1
        assert len(u.session.scalars(select(RegionalerKontakt)).all()) == 1
    assert _status(welt) == (Zustand.FREIGEGEBEN, 5)


def test_compare_and_set_blocks_the_second_and_lets_it_fail(welt_db: Welt) -> None:
    """Two units of work read "informiert"; the first sets, the second waits for the first's
    commit and then finds nothing to change (SQLite: write lock; PostgreSQL: row lock)."""
    welt = welt_db
    _bis_informiert(welt)
    erster, zweiter = welt.uow(), welt.uow()
    with erster as a, zweiter as b:
        anfrage_a, anfrage_b = a.anfragen.get(1), b.anfragen.get(1)
        assert anfrage_a is not None and anfrage_b is not None
        assert anfrage_a.status is anfrage_b.status is Zustand.INFORMIERT
        jetzt = datetime.now(UTC)
        assert a.anfragen.setze_status(anfrage_a, Zustand.INFORMIERT, Zustand.FREIGEGEBEN, jetzt)

        ergebnis: list[bool] = []
        thread = threading.Thread(
            target=lambda: ergebnis.append(
                b.anfragen.setze_status(anfrage_b, Zustand.INFORMIERT, Zustand.FREIGEGEBEN, jetzt)
            )
        )
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second compare-and-set should wait for the first"
        a.commit()
        thread.join(10)
        assert ergebnis == [False]
        assert anfrage_b.status is Zustand.FREIGEGEBEN  # re-read: what the first one left
        b.session.rollback()
    with welt.uow() as u:
        n = u.session.scalar(
            select(AuditEintrag.id).where(AuditEintrag.aktion == "anfrage_freigegeben")
        )
        assert n is None  # the units of work above did not audit; only the status moved
        assert _status(welt) == (Zustand.FREIGEGEBEN, 5)
