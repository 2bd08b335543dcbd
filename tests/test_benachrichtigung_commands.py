"""Messages meant to reach people, through `Router.handle` in the shared chat world: which
replies notify and whom they mention, and the room settings `raum erwähnungen|raumerwähnung`
(happy path, bad input, wrong role, audited refusals).

Actors as in `tests.test_anfragen_commands`: Max coordinates the OM-Netzwerk Hamburg (room
``!hh``; Petra Beispiel is its moderation contact, also with a Matrix id), Olaf the
OGB-Netzwerk Hamburg (``!ogb``), Martina is the IHK's national contact, Eve a stranger.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from om_bot.storage.models import RaumBenachrichtigung
from om_bot.text.messages import Erwaehnung, Reply
from tests.chat import Welt
from tests.test_anfragen_commands import (
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
    _welt,
)

PETRA = "@petra.beispiel:om.example"
HAMBURG = (Erwaehnung(MAX, "Max Mustermann"), Erwaehnung(PETRA, "Petra Beispiel"))
EVE_RAUM = "!eve"


@pytest.fixture
def welt(neue_welt: Callable[..., Welt]) -> Welt:
    return _welt(neue_welt)


def _nach(replies: list[Reply], room_id: str | None = None, user_id: str | None = None) -> Reply:
    [reply] = [r for r in replies if r.room_id == room_id and r.user_id == user_id]
    return reply


# --- which messages notify -------------------------------------------------------------------


def test_answers_stay_notices_and_mention_nobody(welt: Welt) -> None:
    for reply in welt.sag(MAX, HH, "raum") + welt.sag(EVE, HH, "netzwerke Hamburg"):
        assert reply.room_id is None
        assert not reply.benachrichtigen and reply.erwaehnt == () and not reply.raumruf


def test_clash_notice_in_the_other_networks_room_mentions_its_coordinators(welt: Welt) -> None:
    welt.sag(MAX, HH, "termin Netzwerktreffen am 12.03.2027 um 14:00 bis 16:00")
    replies = welt.sag(OLAF, OGB, "termin Bautag am 12.03.2027 um 15:00 bis 17:00")
    antwort = _nach(replies)
    assert "Überschneidung" in antwort.text and not antwort.benachrichtigen
    hinweis = _nach(replies, HH)
    assert "Terminüberschneidung" in hinweis.text
    assert hinweis.benachrichtigen and hinweis.erwaehnt == HAMBURG and not hinweis.raumruf


def test_national_contact_dm_and_release_notify_the_right_people(welt: Welt) -> None:
    [*_, antwort] = [r for r in welt.sag(MAX, HH, "kontakt IHK") if r.room_id is None]
    nr = int(antwort.text.split("Anfrage ")[1].split()[0].rstrip(":.,"))
    gs_hinweis = [r for r in welt.log if r.ziel == GS_RAUM]
    assert gs_hinweis and gs_hinweis[-1].reply.benachrichtigen
    assert gs_hinweis[-1].reply.erwaehnt == tuple(Erwaehnung(u) for u in sorted([GS, "@gs2:test"]))

    replies = welt.sag(GS, GS_RAUM, f"anfrage {nr} weiterleiten")
    dm = _nach(replies, user_id=MARTINA)
    assert dm.benachrichtigen and [e.user_id for e in dm.erwaehnt] == [MARTINA]
    assert dm.erwaehnt[0].name  # the register's name of the national contact
    assert not _nach(replies).benachrichtigen
    # A status update for the network is information, not a call to act: a notice.
    assert not _nach(replies, HH).benachrichtigen

    welt.sag(MARTINA, DM_NK, f"anfrage {nr} benennen {ERIKA}", direkt=True)
    welt.sag(MARTINA, DM_NK, f"anfrage {nr} informiert", direkt=True)
    replies = welt.sag(GS, GS_RAUM, f"anfrage {nr} freigeben")
    daten = _nach(replies, HH)
    assert "Erika Musterfrau" in daten.text
    assert daten.benachrichtigen and daten.erwaehnt == HAMBURG


# --- the room settings -----------------------------------------------------------------------


def test_mentions_off_and_room_ping_on_change_what_a_notice_carries(welt: Welt) -> None:
    welt.sag(OLAF, OGB, "termin Bautag am 12.03.2027 um 15:00 bis 17:00")
    aus = welt.einzige(MAX, HH, "raum erwähnungen aus")
    assert aus.startswith("🔕") and "niemanden" in aus
    replies = welt.sag(MAX, HH, "termin Treffen am 12.03.2027 um 16:00 bis 18:00")
    hinweis = _nach(replies, OGB)
    # Olaf's room still mentions Olaf; Max's room turned it off (checked below on a notice to HH).
    assert [e.user_id for e in hinweis.erwaehnt] == [OLAF]

    replies = welt.sag(OLAF, OGB, "termin Bauabend am 12.03.2027 um 17:00 bis 19:00")
    stumm = _nach(replies, HH)
    assert stumm.benachrichtigen and stumm.erwaehnt == () and not stumm.raumruf

    assert "Schon aus" in welt.einzige(MAX, HH, "raum erwähnungen aus")
    an = welt.einzige(MAX, HH, "raum raumerwähnung an", power=50)
    assert an.startswith("🔔") and "@room" in an and "solange die Erwähnungen aus sind" in an
    welt.sag(MAX, HH, "raum erwähnungen an")
    replies = welt.sag(OLAF, OGB, "termin Bauende am 12.03.2027 um 18:00 bis 19:00")
    laut = _nach(replies, HH)
    assert laut.erwaehnt == HAMBURG and laut.raumruf

    zeigen = welt.einzige(EVE, HH, "raum")
    assert "Koordination: an" in zeigen and "@room: an" in zeigen
    [row] = welt.db(select(RaumBenachrichtigung))
    assert (row.room_id, row.erwaehnungen, row.raumruf, row.geaendert_von) == (HH, True, True, MAX)
    aenderungen = welt.audit("raum_benachrichtigung")
    assert [(e.vorher, e.nachher) for e in aenderungen] == [
        ({"erwaehnungen": True, "raumruf": False}, {"erwaehnungen": False, "raumruf": False}),
        ({"erwaehnungen": False, "raumruf": False}, {"erwaehnungen": False, "raumruf": True}),
        ({"erwaehnungen": False, "raumruf": True}, {"erwaehnungen": True, "raumruf": True}),
    ]
    assert all(e.objekt == HH and e.akteur == MAX for e in aenderungen)


def test_settings_show_without_argument_and_refuse_bad_input(welt: Welt) -> None:
    zeigen = welt.einzige(EVE, HH, "raum erwähnungen")
    assert "Koordination: an" in zeigen and "@room: aus" in zeigen
    for falsch in ("vielleicht", "jaaa", "<b>x</b>"):
        text = welt.einzige(MAX, HH, f"raum raumerwähnung {falsch}")
        assert "bitte „an“ oder „aus“" in text and "raum raumerwähnung aus" in text
    assert welt.einzige(MAX, HH, "raum erwaehnungen AUS").startswith("🔕")  # umlaut-free, case
    assert welt.anzahl(RaumBenachrichtigung) == 1
    assert len(welt.audit("raum_benachrichtigung")) == 1


@pytest.mark.parametrize(
    ("wer", "raum", "power"),
    [
        (EVE, HH, 0),  # a stranger in a network's room
        (EVE, EVE_RAUM, 0),  # a stranger in her own room, without moderation there
        (OLAF, HH, 0),  # the coordinator of another network
        (MARTINA, HH, 49),  # below the moderators' level
    ],
)
def test_settings_refused_without_the_role(welt: Welt, wer: str, raum: str, power: int) -> None:
    welt.raum(EVE_RAUM)
    for befehl in ("raum erwähnungen aus", "raum raumerwähnung an"):
        text = welt.einzige(wer, raum, befehl, power=power)
        assert text.startswith("⛔") and "Es wurde nichts geändert" in text
    assert welt.anzahl(RaumBenachrichtigung) == 0
    assert welt.audit("raum_benachrichtigung") == []
    refusals = [e for e in welt.audit("verweigert") if e.akteur == wer]
    assert [e.objekt for e in refusals] == [
        "raum erwähnungen|erwähnung [<schalter:wort>]",
        "raum raumerwähnung|raumerwähnungen [<schalter:wort>]",
    ]
    assert all(not e.erlaubt and (e.nachher or {}).get("rolle") == "raum" for e in refusals)


def test_the_room_own_moderation_and_the_geschaeftsstelle_may(welt: Welt) -> None:
    welt.raum(EVE_RAUM)
    assert welt.einzige(EVE, EVE_RAUM, "raum raumerwähnung an", power=100).startswith("🔔")
    assert welt.einzige(GS, HH, "raum erwähnungen aus").startswith("🔕")
    assert welt.einzige(EVE, HH, "raum erwähnungen an", power=50).startswith("🔔")
    assert [e.akteur for e in welt.audit("raum_benachrichtigung")] == [EVE, GS, EVE]
