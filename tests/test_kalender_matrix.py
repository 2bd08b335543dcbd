"""Calendar feeds against the real Synapse: `!om kalender` in a network's room answers with the
link, the bot's own HTTP server serves that feed (icalendar parses it, a conditional GET is
304), a new event shows in the next request, a stranger's room and a member without a role are
refused (nothing changed, an audit line), and `!om kalender neu` makes the old link 404."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import icalendar
import pytest
from sqlalchemy import select

from om_bot.config import HttpConfig
from om_bot.domain.audit import AuditAktion
from om_bot.storage.models import AuditEintrag, KalenderFeed, Kontakt
from tests.conftest import ask, room_with_bot

pytestmark = pytest.mark.matrix

B = ZoneInfo("Europe/Berlin")
URL = "https://kalender.example.org"
LINK = re.compile(r"webcal://kalender\.example\.org/kalender/([A-Za-z0-9_-]{43})\.ics")


def _zeilen(bot: Any, modell: Any) -> list[Any]:
    with bot.app.uow() as uow:
        rows = list(uow.session.scalars(select(modell)).all())
        uow.session.expunge_all()
        return rows


async def test_kalender_feed_durch_den_homeserver(make_bot: Any, chat: Any) -> None:
    hh, eve = await chat("kalhh"), await chat("kaleve")
    bot = await make_bot()
    # Again with the HTTP server on (any free loopback port) and a public address.
    await bot.stop()
    http = HttpConfig(enabled=True, port=0, public_url=URL)
    bot.config = bot.config.model_copy(update={"http": http})
    await bot.start()
    with bot.app.uow() as uow:
        kontakt = uow.session.scalar(select(Kontakt).where(Kontakt.name == "Max Mustermann"))
        assert kontakt is not None
        kontakt.matrix = hh.user_id
        uow.commit()
    raum = await room_with_bot(hh, bot)
    assert "verknüpft" in (await ask(hh, raum, "!om raum OM-Netzwerk Hamburg")).body
    web = bot.app.web
    assert web is not None
    for _ in range(200):
        if web.port:
            break
        await asyncio.sleep(0.05)

    antwort = await ask(hh, raum, "!om kalender")
    assert antwort.msgtype == "m.notice" and "OM-Termine von OM-Netzwerk Hamburg" in antwort.body
    [token] = LINK.findall(antwort.body)
    assert f"{URL}/kalender/{token}.ics" in antwort.body
    assert f"{URL}/kalender/{token}.ics" in antwort.formatted_body
    url = f"{web.url}/kalender/{token}.ics"

    async with aiohttp.ClientSession() as client:
        async with client.get(url) as feed:
            assert feed.status == 200
            assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
            etag = feed.headers["ETag"]
            cal = icalendar.Calendar.from_ical(await feed.read())
        assert str(cal["X-WR-CALNAME"]) == "OM-Termine von OM-Netzwerk Hamburg"
        assert cal.walk("VEVENT") == []
        async with client.get(url, headers={"If-None-Match": etag}) as feed:
            assert feed.status == 304

        # A new event through the homeserver: in the very next request.
        tag = datetime.now(B).date() + timedelta(days=30)
        eingetragen = await ask(hh, raum, f"!om termin Netzwerktreffen am {tag:%d.%m.%Y} um 14 Uhr")
        assert "eingetragen" in eingetragen.body
        async with client.get(url, headers={"If-None-Match": etag}) as feed:
            assert feed.status == 200
            [event] = icalendar.Calendar.from_ical(await feed.read()).walk("VEVENT")
        assert str(event["SUMMARY"]) == "Netzwerktreffen"
        assert event["DTSTART"].dt == datetime.combine(tag, datetime.min.time(), B).replace(hour=14)

        # A stranger's own room, and a member of the network's room without a role.
        verweigert = len([e for e in _zeilen(bot, AuditEintrag) if e.aktion == "verweigert"])
        fremd = await room_with_bot(eve, bot)
        nein = await ask(eve, fremd, "!om kalender")
        assert nein.body.startswith("⛔") and "mit keinem Netzwerk verknüpft" in nein.body
        await hh.invite(raum, eve.user_id)
        await eve.join(raum)
        # Everyone in the network's room sees the link …
        assert token in (await ask(eve, raum, "!om kalender")).body
        # … but only its coordination makes a new one.
        nein = await ask(eve, raum, "!om kalender neu")
        assert nein.body.startswith("⛔") and "Es wurde nichts geändert" in nein.body
        [feed_zeile] = _zeilen(bot, KalenderFeed)
        assert feed_zeile.token == token
        zeilen = [e for e in _zeilen(bot, AuditEintrag) if e.aktion == "verweigert"]
        assert len(zeilen) == verweigert + 2 and all(e.erlaubt is False for e in zeilen)

        # Rotating: the old link is gone at once, the new one works.
        neu = await ask(hh, raum, "!om kalender neu")
        [neues] = LINK.findall(neu.body)
        assert neues != token and "alte Link funktioniert nicht mehr" in neu.body
        async with client.get(url) as feed:
            assert feed.status == 404
        async with client.get(f"{web.url}/kalender/{neues}.ics") as feed:
            assert feed.status == 200
            assert len(icalendar.Calendar.from_ical(await feed.read()).walk("VEVENT")) == 1
    aktionen = [e.aktion for e in _zeilen(bot, AuditEintrag)]
    assert aktionen.count(AuditAktion.KALENDER_ANGELEGT) == 1
    assert aktionen.count(AuditAktion.KALENDER_ERNEUERT) == 1
