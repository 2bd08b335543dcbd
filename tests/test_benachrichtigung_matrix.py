"""Against the real Synapse: which of the bot's messages ring, counted on the homeserver.

Each person here is a test user without any pusher; `GET /_matrix/client/v3/notifications`
(`tests.benachrichtigungen`) lists what Synapse's push rules made a notification for them –
what would ring on their phone. First the rules themselves (why the bot sends m.text: an
m.notice never notifies, mention or not), then the bot: a reminder (on a running fake clock,
jumped to the due time) and a clash notice in the coordinator's network room notify and
highlight them, a command answer does not notify; with mentions off nobody is highlighted;
@room only when the room turned it on *and* the bot has the power for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import nio
import pytest

from om_bot.matrix.chatclient import ChatClient, ReceivedMessage
from tests.benachrichtigungen import benachrichtigung, benachrichtigungen
from tests.conftest import ask, room_with_bot
from tests.test_erinnerungen_matrix import geplant, naechste_minute, springe, termin, warte
from tests.test_termine_matrix import _koordination
from tests.uhr import FakeClock

pytestmark = pytest.mark.matrix

B = ZoneInfo("Europe/Berlin")


async def _senden(client: ChatClient, room: str, content: dict[str, Any]) -> str:
    response = await client.client.room_send(room, "m.room.message", content)
    assert isinstance(response, nio.RoomSendResponse), response
    return str(response.event_id)


async def test_synapse_notifies_for_a_mentioning_text_never_for_a_notice(chat) -> None:
    """The finding behind docs/benachrichtigung.md: `.m.rule.suppress_notices` comes before
    `.m.rule.is_user_mention`, so only m.text notifies; a mention makes it a highlight."""
    sender, leser = await chat("nbsender"), await chat("nbleser")
    room = await sender.create_room(invite=[leser.user_id])
    await leser.join(room)
    erwaehnt = {"user_ids": [leser.user_id]}
    faelle = {
        "notice mit Erwähnung": ({"msgtype": "m.notice", "m.mentions": erwaehnt}, None),
        "notice": ({"msgtype": "m.notice", "m.mentions": {}}, None),
        "text": ({"msgtype": "m.text", "m.mentions": {}}, False),
        "text mit Erwähnung": ({"msgtype": "m.text", "m.mentions": erwaehnt}, True),
    }
    ergebnis: dict[str, bool | None] = {}
    for name, (content, _) in faelle.items():
        event_id = await _senden(sender, room, {**content, "body": f"Hinweis ({name})"})
        n = await benachrichtigung(leser, event_id, timeout=2)
        ergebnis[name] = None if n is None else n.highlight
    assert ergebnis == {name: erwartet for name, (_, erwartet) in faelle.items()}


async def _bot_nachrichten_klingeln(client: ChatClient, name: str) -> None:
    """What Element calls "Messages sent by bots: on": `.m.rule.suppress_notices` switched
    off; and a display name the legacy rule `.m.rule.contains_display_name` looks for."""
    assert isinstance(await client.client.set_displayname(name), nio.ProfileSetDisplayNameResponse)
    antwort = await client.client.enable_pushrule(
        "global", nio.PushRuleKind.override, ".m.rule.suppress_notices", False
    )
    assert isinstance(antwort, nio.EnablePushRuleResponse), antwort


async def test_for_someone_who_lets_bot_messages_notify_only_m_mentions_stops_a_name_ringing(
    chat,
) -> None:
    """Why an answer naming a member carries m.mentions (`om_bot.matrix.inhalte`): without it,
    a notice with the display name in the text is a highlight for a user who let bot messages
    notify; with it (even empty) it is an ordinary notification. Without a name in the text,
    leaving m.mentions out changes nothing."""
    sender, leser = await chat("nbsender2"), await chat("nbfan")
    await _bot_nachrichten_klingeln(leser, "Klingelmann")
    room = await sender.create_room(invite=[leser.user_id])
    await leser.join(room)
    faelle = {
        "Name ohne m.mentions": ({"body": "Frage an Klingelmann"}, True),
        "Name mit m.mentions": ({"body": "Frage an Klingelmann", "m.mentions": {}}, False),
        "ohne Namen": ({"body": "Hinweis"}, False),
    }
    ergebnis: dict[str, bool | None] = {}
    for name, (content, _) in faelle.items():
        event_id = await _senden(sender, room, {"msgtype": "m.notice", **content})
        n = await benachrichtigung(leser, event_id, timeout=5)
        ergebnis[name] = None if n is None else n.highlight
    assert ergebnis == {name: erwartet for name, (_, erwartet) in faelle.items()}


async def test_an_answer_does_not_highlight_someone_who_lets_bot_messages_notify(
    make_bot, chat
) -> None:
    """An answer without a member's name in it goes without m.mentions, one naming a member
    with an empty one: neither highlights anyone, also for a member who let bot messages
    notify (and a stranger to every network may ask both)."""
    bot = await make_bot()
    fremd, fan = await chat("nbfremd"), await chat("nbfan2")
    await _bot_nachrichten_klingeln(fan, "Klingelmann")
    raum = await room_with_bot(fremd, bot)
    await fremd.invite(raum, fan.user_id)
    await fan.join(raum)
    ohne = await ask(fremd, raum, "!om kriterien")
    assert ohne.msgtype == "m.notice" and "m.mentions" not in ohne.content
    mit = await ask(fremd, raum, "!om Klingelmann")
    assert "„Klingelmann“" in mit.body and mit.content["m.mentions"] == {}
    for antwort in (ohne, mit):
        klingel = await benachrichtigung(fan, antwort.event_id)
        assert klingel is not None and not klingel.highlight


# --- the bot ---------------------------------------------------------------------------------


async def _naechste(client: ChatClient, room: str, enthaelt: str) -> ReceivedMessage:
    message, _ = await warte(client, room, enthaelt, 30)
    return message


async def test_reminder_and_clash_notice_notify_the_coordinator_an_answer_does_not(
    make_bot, chat
) -> None:
    uhr = FakeClock(running=True)
    bot = await make_bot(clock=uhr)
    hh, ddn, mit = await chat("nbhh"), await chat("nbddn"), await chat("nbmit")
    _koordination(bot, **{"Max Mustermann": hh.user_id, "Ina Platzhalter": ddn.user_id})
    raum_hh = await room_with_bot(hh, bot)
    raum_ddn = await room_with_bot(ddn, bot)
    assert "verknüpft" in (await ask(hh, raum_hh, "!om raum OM-Netzwerk Hamburg")).body
    assert "verknüpft" in (await ask(ddn, raum_ddn, "!om raum DDN-Regionalnetzwerk Hamburg")).body
    await hh.invite(raum_hh, mit.user_id)
    await mit.join(raum_hh)
    await ask(hh, raum_hh, "!om erinnerungen 2m")

    # --- a command answer: a notice, no notification
    # The reminder (2 min before) is due minutes away on the running clock: the check that the
    # answer adds no notification must not race it (the test jumps the clock there below).
    beginn = naechste_minute(uhr, timedelta(minutes=10))
    termin_id = await termin(hh, raum_hh, "Treffen Klingel", beginn)
    # The bot's answers to the commands (replies). Other messages of the bot may arrive here
    # meanwhile and rightly notify: linking the room makes the register's deadline reminder
    # („… erst 1 Netzwerktreffen eingetragen“) due, sent whenever the scheduler gets to it.
    antworten = [m for m in await hh.history(raum_hh) if m.sender == bot.user_id and m.in_reply_to]
    assert len(antworten) >= 3 and all(m.msgtype == "m.notice" for m in antworten)
    # No member's name in these answers: no m.mentions either (om_bot.matrix.inhalte).
    assert all("m.mentions" not in m.content for m in antworten)
    gemeldet = {n.event_id for n in await benachrichtigungen(hh, raum_hh)}
    assert not gemeldet & {m.event_id for m in antworten}

    # --- the reminder: m.text mentioning the coordinator → a highlighted notification
    row = await geplant(bot, termin_id)
    await springe(bot, row.faellig)
    erinnerung = await _naechste(hh, raum_hh, "Erinnerung: Treffen Klingel")
    assert erinnerung.msgtype == "m.text"
    assert hh.user_id in erinnerung.content["m.mentions"]["user_ids"]
    assert f'href="https://matrix.to/#/{hh.user_id}"' in erinnerung.formatted_body
    assert "An: Max Mustermann" in erinnerung.body
    klingel = await benachrichtigung(hh, erinnerung.event_id)
    assert klingel is not None and klingel.highlight
    # The other member is notified too (m.text), but not highlighted: not mentioned.
    beim_mitglied = await benachrichtigung(mit, erinnerung.event_id)
    assert beim_mitglied is not None and not beim_mitglied.highlight

    # --- a clash notice in the network's room, sent because of another network's event
    tag = (datetime.now(B) + timedelta(days=20)).date()
    await ask(hh, raum_hh, f"!om termin Netzwerktag am {tag:%d.%m.%Y} um 09:00 bis 18:00")

    async def kollision(stunde: int) -> ReceivedMessage:
        antwort = await ask(ddn, raum_ddn, f"!om termin Runde am {tag:%d.%m.%Y} um {stunde} Uhr")
        assert "Terminüberschneidung" in antwort.body
        return await _naechste(hh, raum_hh, "Terminüberschneidung")

    hinweis = await kollision(10)
    assert hinweis.msgtype == "m.text" and hinweis.in_reply_to is None
    klingel = await benachrichtigung(hh, hinweis.event_id)
    assert klingel is not None and klingel.highlight
    # The DDN coordinator's answer in their own room did not notify them.
    assert [n for n in await benachrichtigungen(ddn, raum_ddn)] == []

    # --- mentions off: still a message, nobody highlighted
    await ask(hh, raum_hh, "!om raum erwähnungen aus")
    still = await kollision(11)
    assert still.content["m.mentions"] == {} and "An:" not in still.body
    klingel = await benachrichtigung(hh, still.event_id)
    assert klingel is not None and not klingel.highlight

    # --- @room: on, but the bot has power 0 here → no @room
    await ask(hh, raum_hh, "!om raum erwähnungen an")
    await ask(hh, raum_hh, "!om raum raumerwähnung an")
    ohne_macht = await kollision(12)
    assert "room" not in ohne_macht.content["m.mentions"]
    assert hh.user_id in ohne_macht.content["m.mentions"]["user_ids"]
    klingel = await benachrichtigung(mit, ohne_macht.event_id)
    assert klingel is not None and not klingel.highlight

    # --- with power 50 (notifications.room) the bot calls @room: everyone is highlighted
    await hh.set_power_level(raum_hh, bot.user_id, 50)
    # Once the answer is here, the bot has synced past the power levels. The answer is a reply
    # as the spec has it since v1.13: the relation only, no quoted fallback.
    antwort = await ask(hh, raum_hh, "!om raum")
    assert antwort.content["m.relates_to"] == {"m.in_reply_to": {"event_id": antwort.in_reply_to}}
    assert antwort.body.startswith("Dieser Raum gehört zu")
    assert "mx-reply" not in antwort.formatted_body
    mit_macht = await kollision(13)
    assert mit_macht.content["m.mentions"]["room"] is True
    assert "An: @room, Max Mustermann" in mit_macht.body
    klingel = await benachrichtigung(mit, mit_macht.event_id)
    assert klingel is not None and klingel.highlight

    # --- and off again: no @room even with the power
    await ask(hh, raum_hh, "!om raum raumerwähnung aus")
    wieder = await kollision(14)
    assert "room" not in wieder.content["m.mentions"]
    klingel = await benachrichtigung(mit, wieder.event_id)
    assert klingel is not None and not klingel.highlight
