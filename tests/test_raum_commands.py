"""Trust through `Router.handle` in the shared chat world: who links rooms, who sees what.

The actors of `tests.test_anfragen_commands`: Max coordinates the OM-Netzwerk Hamburg (room
``!hh``), Olaf the OGB-Netzwerk Hamburg (``!ogb``), Martina is the IHK's national contact; Eve
is a stranger who owns rooms of her own.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from om_bot.storage.models import AuditEintrag, Verknuepfung, VerknuepfungStatus
from tests.chat import Welt
from tests.test_anfragen_commands import (
    DM_NK,
    ERIKA,
    EVE,
    GEHEIM,
    GS,
    GS_RAUM,
    HH,
    MARTINA,
    MAX,
    OGB,
    OLAF,
    _welt,
)

EVE_RAUM, EVE_DM, LOBBY = "!eve", "!eve-dm", "!lobby"


@pytest.fixture
def welt(neue_welt: Callable[..., Welt]) -> Welt:
    return _welt(neue_welt)


def _netz(welt: Welt, room_id: str) -> str | None:
    """The name of the network `room_id` is linked to, if any."""
    with welt.uow() as u:
        raum = u.raeume.get(room_id)
        return raum.netzwerk.name if raum is not None and raum.netzwerk is not None else None


def _verweigert(welt: Welt) -> list[AuditEintrag]:
    with welt.uow() as u:
        return list(u.session.scalars(select(AuditEintrag).where(AuditEintrag.erlaubt.is_(False))))


def _verknuepfungen(welt: Welt) -> list[tuple[str, VerknuepfungStatus, str]]:
    """(room, status, decided by) of every link and request, oldest first."""
    with welt.uow() as u:
        alle = u.session.scalars(select(Verknuepfung).order_by(Verknuepfung.id))
        return [(v.room_id, v.status, v.entschieden_von) for v in alle]


def test_ein_fremder_kann_kein_netzwerk_beanspruchen(welt: Welt) -> None:
    vorher = _verknuepfungen(welt)
    # Her own room, power level 100, and her direct chat with the bot: refused, or only asked.
    [r] = welt.sag(EVE, EVE_DM, "raum Hamburg", power=100, direkt=True)
    assert r.text.startswith("⛔") and "Direktchat" in r.text
    [r] = welt.sag(EVE, EVE_RAUM, "raum Hamburg", power=0)
    assert r.text.startswith("⛔") and "Moderation des Raums kann es beantragen" in r.text
    assert _netz(welt, EVE_RAUM) is None and _netz(welt, EVE_DM) is None
    # She cannot speak for Hamburg from there.
    [r] = welt.sag(EVE, EVE_DM, "kontakt IHK", power=100, direkt=True)
    assert "keinem Netzwerk verknüpft" in r.text
    assert len(_verknuepfungen(welt)) == len(vorher)
    assert len(_verweigert(welt)) == 2


def test_antrag_der_moderation_und_bestaetigung(welt: Welt) -> None:
    replies = welt.sag(EVE, EVE_RAUM, "raum Hamburg", power=100)
    antwort = next(r for r in replies if r.room_id is None and r.user_id is None)
    assert "beantragt (Nr. 3)" in antwort.text and "erst, wenn" in antwort.text
    # The coordinators by direct message and the Geschäftsstelle room get the command.
    an_max = next(r for r in replies if r.user_id == MAX)
    assert "!om raum bestätigen 3" in an_max.text and "!om raum ablehnen 3" in an_max.text
    assert any(r.room_id == GS_RAUM and "raum bestätigen 3" in r.text for r in replies)
    assert _netz(welt, EVE_RAUM) is None
    # Asking twice changes nothing.
    [r] = welt.sag(EVE, EVE_RAUM, "raum Hamburg", power=100)
    assert "schon beantragt (Nr. 3" in r.text
    # Someone else cannot decide for Hamburg.
    [r] = welt.sag(OLAF, OGB, "raum bestätigen 3")
    assert r.text.startswith("⛔") and "Koordination von OM-Netzwerk Hamburg" in r.text
    [r] = welt.sag(EVE, EVE_RAUM, "raum bestätigen 3", power=100)
    assert r.text.startswith("⛔")
    assert _netz(welt, EVE_RAUM) is None
    # The coordinator confirms from anywhere, e.g. the direct chat.
    replies = welt.sag(MAX, "!dm-max", "raum bestätigen 3", direkt=True)
    assert "Antrag 3 bestätigt" in replies[0].text
    assert any(r.room_id == EVE_RAUM and "bestätigt" in r.text for r in replies)
    # Hamburg's own room is told that another room now speaks for it.
    assert any(r.room_id == HH and "weiterer Raum" in r.text for r in replies)
    assert _netz(welt, EVE_RAUM) is not None
    [r] = welt.sag(EVE, EVE_RAUM, "raum bestätigen 3", power=100)
    assert "offenen Verknüpfungsantrag Nr. 3 gibt es nicht" in r.text
    with welt.uow() as u:
        aktionen = [e.aktion for e in u.audit.alle() if e.objekt == EVE_RAUM]
    assert aktionen == ["raum_beantragt", "raum_bestaetigt"]


def test_antrag_ablehnen(welt: Welt) -> None:
    welt.sag(EVE, EVE_RAUM, "raum Hamburg", power=50)
    replies = welt.sag(GS, GS_RAUM, "raum ablehnen 3")
    assert "abgelehnt" in replies[0].text
    assert any(r.room_id == EVE_RAUM and "abgelehnt" in r.text for r in replies)
    assert _netz(welt, EVE_RAUM) is None
    assert [v[1:] for v in _verknuepfungen(welt) if v[0] == EVE_RAUM] == [
        (VerknuepfungStatus.ABGELEHNT, GS)
    ]
    [r] = welt.sag(MAX, HH, "raum bestätigen 3")
    assert "gibt es nicht (Stand: abgelehnt)" in r.text


def test_umverknuepfen_braucht_beide_netzwerke(welt: Welt) -> None:
    # Olaf coordinates the OGB network and is a plain member of Hamburg's room.
    [r] = welt.sag(OLAF, HH, "raum OGB-Netzwerk Hamburg")
    assert r.text.startswith("⛔") and "Recht für OM-Netzwerk Hamburg" in r.text
    # Even as a moderator there: no request path for a linked room.
    [r] = welt.sag(OLAF, HH, "raum OGB-Netzwerk Hamburg", power=100)
    assert r.text.startswith("⛔")
    assert _netz(welt, HH) == "OM-Netzwerk Hamburg"
    assert len(_verweigert(welt)) == 2
    # The Geschäftsstelle speaks for both.
    [r, *_] = welt.sag(GS, HH, "raum OGB-Netzwerk Hamburg")
    assert "jetzt mit" in r.text and "OGB-Netzwerk Hamburg" in r.text


def test_raeume_eines_netzwerks_und_loesen_aus_der_ferne(welt: Welt) -> None:
    welt.sag(EVE, EVE_RAUM, "raum Hamburg", power=100)
    [r] = welt.sag(MAX, "!dm-max", "netzwerk Hamburg räume", direkt=True)
    assert "Nr. 1" in r.text and HH in r.text and f"verknüpft von {MAX}" in r.text
    assert "Offene Anträge" in r.text and "Nr. 3" in r.text and EVE in r.text
    assert "!om raum lösen 1" in r.text
    # Strangers and other networks' coordinators do not see the list.
    for wer, raum in ((EVE, EVE_RAUM), (OLAF, OGB)):
        [r] = welt.sag(wer, raum, "netzwerk Hamburg räume", power=100)
        assert r.text.startswith("⛔") and HH not in r.text
    [r] = welt.sag(OLAF, OGB, "raum lösen 1")
    assert r.text.startswith("⛔")
    assert _netz(welt, HH) is not None
    replies = welt.sag(MAX, "!dm-max", "raum lösen 1", direkt=True)
    assert "ist aufgehoben" in replies[0].text
    assert any(r.room_id == HH and "aufgehoben" in r.text for r in replies)
    assert _netz(welt, HH) is None
    [r] = welt.sag(MAX, "!dm-max", "raum lösen 1", direkt=True)
    assert "gibt es nicht" in r.text
    with welt.uow() as u:
        assert [e.aktion for e in u.audit.alle() if e.objekt == HH][-1] == "raum_geloest"


def test_moderation_loest_den_eigenen_raum(welt: Welt) -> None:
    [r] = welt.sag(EVE, HH, "raum lösen")
    assert r.text.startswith("⛔")
    [r] = welt.sag(EVE, HH, "raum lösen", power=50)
    assert "aufgehoben" in r.text
    assert _netz(welt, HH) is None


def _bis_benannt(welt: Welt) -> None:
    welt.sag(MAX, HH, "kontakt IHK")
    welt.sag(GS, GS_RAUM, "anfrage 1 weiterleiten")
    welt.sag(MARTINA, DM_NK, f"anfrage 1 benennen {ERIKA}", direkt=True)


def _ohne_daten(text: str) -> bool:
    return not any(teil.lower() in text.lower() for teil in GEHEIM)


def test_kontaktdaten_nur_an_den_drei_orten(welt: Welt) -> None:
    _bis_benannt(welt)
    # Before the release: the Geschäftsstelle room and the national contact's direct chat.
    [r] = welt.sag(GS, GS_RAUM, "anfrage 1")
    assert "erika@example.org" in r.text
    [r] = welt.sag(MARTINA, DM_NK, "anfrage 1", direkt=True)
    assert "erika@example.org" in r.text
    # A lobby, the Geschäftsstelle's member elsewhere, the coordinator: the request, no data.
    for wer, raum, direkt in ((GS, LOBBY, False), (MARTINA, LOBBY, False), (MAX, HH, False)):
        [r] = welt.sag(wer, raum, "anfrage 1", direkt=direkt)
        assert "Anfrage 1" in r.text and _ohne_daten(r.text + r.html), (wer, raum)
        assert "Raum der Geschäftsstelle" in r.text
    welt.sag(MARTINA, DM_NK, "anfrage 1 informiert", direkt=True)
    replies = welt.sag(GS, GS_RAUM, "anfrage 1 freigeben")
    # The release goes to the network's rooms only.
    mit_daten = {r.room_id for r in replies if not _ohne_daten(r.text)}
    assert mit_daten == {HH}
    # After it: the requesting network's room, still not a lobby or the coordinator's DM.
    [r] = welt.sag(EVE, HH, "anfrage 1")
    assert "erika@example.org" in r.text
    for wer, raum, direkt in ((MAX, "!dm-max", True), (GS, LOBBY, False), (OLAF, OGB, False)):
        [r] = welt.sag(wer, raum, "anfrage 1", direkt=direkt)
        assert _ohne_daten(r.text + r.html), (wer, raum)
    [r] = welt.sag(MAX, "!dm-max", "anfrage 1", direkt=True)
    assert "stehen in den Räumen von OM-Netzwerk Hamburg" in r.text


def test_verlauf_zeigt_das_kontaktverfahren_nur_den_beteiligten(welt: Welt) -> None:
    _bis_benannt(welt)
    [oeffentlich] = welt.sag(EVE, LOBBY, "verlauf Hamburg")
    assert "anfrage" not in oeffentlich.text.lower() and MARTINA not in oeffentlich.text
    assert MAX not in oeffentlich.text  # the room link (by Max) is not a register change
    assert "sehen die Koordination des Netzwerks" in oeffentlich.text
    for wer, raum in ((MAX, HH), (GS, GS_RAUM)):
        [r] = welt.sag(wer, raum, "verlauf OM-Netzwerk Hamburg")
        assert MARTINA in r.text and "Raum verknüpft" in r.text, wer
    [r] = welt.sag(OLAF, OGB, "verlauf OM-Netzwerk Hamburg")
    assert MARTINA not in r.text
