"""Events against the real Synapse: registration in several date forms, every refusal, the
clash warning in the registering room and the notice in the other network's room, who may
change and cancel, and the .ics export downloaded from the media repository and parsed.

The bot runs on the real clock here, so every date is computed relative to today.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import func, select

from om_bot.matrix.chatclient import ChatClient, ReceivedMessage
from om_bot.storage.models import Kontakt, Termin
from tests.conftest import ask, room_with_bot

pytestmark = pytest.mark.matrix

B = ZoneInfo("Europe/Berlin")
WOCHENTAGE = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


def _tag(d: date) -> str:
    return f"{WOCHENTAGE[d.weekday()]}, {d:%d.%m.%Y}"


async def _warte(client: ChatClient, room: str, enthaelt: str, timeout: float = 15) -> Any:
    """The next message in `room` that contains `enthaelt` (others are skipped)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        message = await client.next_message(max(remaining, 0.01), room)
        if enthaelt in message.body:
            return message


async def _datei_und_antwort(
    client: ChatClient, room: str, body: str
) -> tuple[ReceivedMessage, ReceivedMessage]:
    """Send `body`; the bot uploads a file (m.file) and answers (m.notice reply) – both."""
    event_id = await client.send(room, body)
    datei = antwort = None
    deadline = asyncio.get_running_loop().time() + 20
    while datei is None or antwort is None:
        remaining = deadline - asyncio.get_running_loop().time()
        message = await client.next_message(max(remaining, 0.01), room)
        if message.msgtype == "m.file":
            datei = message
        elif message.in_reply_to == event_id:
            antwort = message
    return datei, antwort


def _koordination(bot: Any, **personen: str) -> None:
    """Make test users the coordinators (the sample data's Matrix ids live on om.example)."""
    with bot.app.uow() as uow:
        for name, user_id in personen.items():
            kontakt = uow.session.scalar(select(Kontakt).where(Kontakt.name == name))
            assert kontakt is not None
            kontakt.matrix = user_id
        uow.commit()


def _anzahl(bot: Any) -> int:
    with bot.app.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Termin)) or 0)


async def test_termine_durch_den_homeserver(make_bot, chat) -> None:
    hh, ddn, gs, eve = [await chat(n) for n in ("trmhh", "trmddn", "trmgs", "trmeve")]
    bot = await make_bot(geschaeftsstelle_users=[gs.user_id])
    _koordination(bot, **{"Max Mustermann": hh.user_id, "Ina Platzhalter": ddn.user_id})
    raum_hh = await room_with_bot(hh, bot)
    raum_ddn = await room_with_bot(ddn, bot)
    raum_gs = await room_with_bot(gs, bot)
    assert "verknüpft" in (await ask(hh, raum_hh, "!om raum OM-Netzwerk Hamburg")).body
    assert "verknüpft" in (await ask(ddn, raum_ddn, "!om raum DDN-Regionalnetzwerk Hamburg")).body
    await hh.invite(raum_hh, eve.user_id)
    await eve.join(raum_hh)

    heute = datetime.now(B).date()
    d = heute + timedelta(days=45)
    freitag = heute + timedelta(days=(4 - heute.weekday() - 1) % 7 + 1)
    montag_serie = "jeden ersten Montag im Monat"

    # --- registration in several date forms
    treffen = await ask(
        hh, raum_hh, f"!om termin Netzwerktreffen am {d:%d.%m.%Y} um 14:00 bis 16:00"
    )
    assert "✅ Termin Nr. 1 eingetragen" in treffen.body
    assert f"{_tag(d)}, 14:00–16:00 Uhr" in treffen.body
    assert "<b>" in treffen.formatted_body and treffen.msgtype == "m.notice"
    fest = await ask(hh, raum_hh, "!om termin Sommerfest nächsten Freitag um 18 Uhr")
    assert f"{_tag(freitag)}, 18:00–20:00 Uhr" in fest.body
    # Not on the Friday's day (on a Thursday "morgen" is that Friday): two events of the same
    # day would add clash marks of their own to the list below.
    wort, tage = ("morgen", 1) if heute + timedelta(days=1) != freitag else ("übermorgen", 2)
    morgen = await ask(hh, raum_hh, f"/om termin Arbeitsgruppe {wort} 10:00")
    assert f"{_tag(heute + timedelta(days=tage))}, 10:00–12:00 Uhr" in morgen.body
    serie = await ask(hh, raum_hh, f"!om termin Stammtisch {montag_serie} um 18 Uhr")
    assert montag_serie in serie.body and "Nächste Termine" in serie.body
    assert _anzahl(bot) == 4

    # --- every refusal: reason, example, nothing stored
    for text, grund in (
        ("Treffen am Blumenkohl", "„am Blumenkohl“ kann ich nicht als Datum lesen"),
        ("Treffen am 01.01.2020 um 10 Uhr", "liegt in der Vergangenheit"),
        (f"Treffen am {d:%d.%m.%Y} von 16 bis 14 Uhr", "liegt vor dem Beginn"),
        (f"Treffen am {d:%d.%m.%Y} um 3 Uhr", "mehrdeutig"),
    ):
        abgelehnt = await ask(hh, raum_hh, f"!om termin {text}")
        assert grund in abgelehnt.body and "Es wurde nichts gespeichert" in abgelehnt.body
        assert "Beispiel:" in abgelehnt.body
    ohne_rolle = await ask(eve, raum_hh, f"!om termin Treffen am {d:%d.%m.%Y} um 10 Uhr")
    assert ohne_rolle.body.startswith("⛔")
    assert _anzahl(bot) == 4

    # --- the clash: a warning here, a notice in the other network's room
    abend = await ask(ddn, raum_ddn, f"!om termin Sommerabend am {d:%d.%m.%Y} um 18 Uhr")
    assert "✅ Termin Nr. 5 eingetragen" in abend.body
    assert "⚠ Terminüberschneidung" in abend.body
    assert "„Netzwerktreffen“ (Nr. 1, Netzwerktreffen) – OM-Netzwerk Hamburg" in abend.body
    hinweis = await _warte(hh, raum_hh, "Terminüberschneidung")
    assert "DDN-Regionalnetzwerk Hamburg hat einen Termin eingetragen" in hinweis.body
    # Meant to reach the other network: m.text mentioning its coordinator.
    assert hinweis.in_reply_to is None and hinweis.msgtype == "m.text"
    assert hh.user_id in hinweis.content["m.mentions"]["user_ids"]
    liste = await ask(eve, raum_hh, "!om termine Hamburg")
    assert liste.body.count("⚠ Überschneidung") == 2

    # --- who may change and cancel
    fremd = await ask(ddn, raum_ddn, "!om termin absagen 1")
    assert fremd.body.startswith("⛔") and "OM-Netzwerk Hamburg" in fremd.body
    assert (await ask(ddn, raum_ddn, "!om termin ändern 1 in Bremen")).body.startswith("⛔")
    verlegt = await ask(
        hh, raum_hh, f"!om termin ändern 1 am {d + timedelta(days=1):%d.%m.%Y} um 14 Uhr"
    )
    assert "✏ Termin Nr. 1 geändert" in verlegt.body and "Terminüberschneidung" not in verlegt.body
    abgesagt = await ask(gs, raum_gs, "!om termin absagen 5")
    assert "🚫 Abgesagt: „Sommerabend“ (Nr. 5)" in abgesagt.body
    info = await _warte(ddn, raum_ddn, "abgesagt")
    assert "Die Geschäftsstelle hat „Sommerabend“ (Nr. 5) abgesagt" in info.body

    # --- the export: an m.file in the room, downloadable and a valid calendar
    datei, antwort = await _datei_und_antwort(hh, raum_hh, "!om termine export Hamburg")
    assert "Kalenderdatei mit" in antwort.body
    assert datei.body == "om-termine-hamburg.ics"
    assert datei.content["info"]["mimetype"] == "text/calendar"
    daten = await hh.download(datei.content["url"])
    cal = icalendar.Calendar.from_ical(daten)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert {"termin-1@om-bot", "termin-4@om-bot", "termin-5@om-bot"} <= set(events)
    assert str(events["termin-5@om-bot"]["STATUS"]) == "CANCELLED"
    verschoben = events["termin-1@om-bot"].decoded("DTSTART")
    assert verschoben == datetime.combine(d + timedelta(days=1), datetime.min.time(), B).replace(
        hour=14
    )
    assert "RRULE" in events["termin-4@om-bot"]
