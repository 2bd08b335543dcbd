"""Reminders through the real Synapse: on time and exactly once, across restarts and a lost
"sent" record, a cancellation instead of the reminder, and the weekly digest.

Events are registered and cancelled with the events feature's commands (`!om termin …`,
`!om termin absagen …`); they take whole minutes. The bot runs on a running fake clock
(`tests/uhr.py`: real seconds pass on it) that a test jumps forward to the due time instead
of waiting for it; the scheduler, asleep on that clock, wakes and really sends through Synapse.
One test (`…arrives_once_and_on_time`) jumps to 3 s before the due time and lets the rest pass
in real time: the scheduler's own precision. Each test prints how late the reminder went out
on the bot's clock: measured by the bot (`gesendet − faellig` in the database) and at the
receiving client (arrival − due time).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from om_bot.app.runtime import App
from om_bot.config import RemindersConfig
from om_bot.devtools.homeserver import LocalSynapse
from om_bot.domain.erinnerungen import WOCHENTAGE
from om_bot.domain.netzwerk import KontaktRolle
from om_bot.matrix.chatclient import ChatClient, ReceivedMessage
from om_bot.storage.models import Erinnerung, Kontakt, Netzwerk
from tests.conftest import BotHarness, Users, ask, bot_config, bot_database, room_with_bot
from tests.uhr import FakeClock

pytestmark = pytest.mark.matrix

BERLIN = ZoneInfo("Europe/Berlin")
# The scheduler's own measurement (send returned − due) must stay within the 2 s of the issue.
PRAEZISION = 2.0
# The precision test lets this much pass in real time before the due time.
ECHTZEIT = timedelta(seconds=3)


@pytest.fixture
async def reminder_bot(
    synapse: LocalSynapse, users: Users, tmp_path: Path, beispiel_vorlage: Path
) -> AsyncIterator[Callable[..., Any]]:
    """Like `make_bot`, with `[reminders]` settings, on `clock` (default: a running fake clock
    from now)."""
    harnesses: list[BotHarness] = []

    async def factory(clock: FakeClock | None = None, **reminders: Any) -> BotHarness:
        name = f"bot{secrets.token_hex(4)}"
        account = users.get(name)
        tmp = tmp_path / name
        tmp.mkdir()
        config = bot_config(synapse, tmp, account.user_id, account.password)
        config = config.model_copy(update={"reminders": RemindersConfig(**reminders)})
        bot_database(config, beispiel_vorlage)
        harness = BotHarness(synapse, config, clock or FakeClock(running=True))
        await harness.start()
        harnesses.append(harness)
        return harness

    yield factory
    for harness in harnesses:
        with contextlib.suppress(Exception):
            await harness.stop()


def _app(bot: BotHarness) -> App:
    assert bot.app is not None
    return bot.app


def _uhr(bot: BotHarness) -> FakeClock:
    assert bot.clock is not None
    return bot.clock


def naechste_minute(uhr: FakeClock, mindestens: timedelta) -> datetime:
    """The first whole minute at least `mindestens` from now on `uhr` (commands take minutes)."""
    frueh = uhr().astimezone(BERLIN) + mindestens
    return (frueh + timedelta(minutes=1)).replace(second=0, microsecond=0)


async def springe(bot: BotHarness, wann: datetime) -> None:
    """Once the scheduler sleeps (its round is done), the bot's clock jumps to `wann`."""
    await _uhr(bot).sleeping()
    _uhr(bot).advance_to(wann)


async def termin(client: ChatClient, room: str, titel: str, beginn: datetime) -> int:
    """Register an event of the room's network with the events feature's command."""
    lokal = beginn.astimezone(BERLIN)
    antwort = await ask(client, room, f"!om termin {titel} am {lokal:%d.%m.%Y} um {lokal:%H:%M}")
    treffer = re.search(r"Termin Nr\. (\d+) eingetragen", antwort.body)
    assert treffer is not None, antwort.body
    return int(treffer.group(1))


def erinnerungen_von(bot: BotHarness, termin_id: int) -> list[Erinnerung]:
    with _app(bot).uow() as u:
        rows = list(
            u.session.scalars(
                select(Erinnerung)
                .where(Erinnerung.schluessel.like(f"termin:{termin_id}:%"))
                .order_by(Erinnerung.id)
            )
        )
        u.session.expunge_all()
        return rows


async def geplant(bot: BotHarness, termin_id: int) -> Erinnerung:
    """The event's reminder once the scheduler has stored it."""
    for _ in range(200):
        rows = [r for r in erinnerungen_von(bot, termin_id) if r.verworfen is None]
        if rows:
            return rows[0]
        await asyncio.sleep(0.05)
    raise AssertionError("the reminder was not planned")


async def warte(
    client: ChatClient,
    room: str,
    enthaelt: str,
    timeout: float = 30,
    uhr: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> tuple[ReceivedMessage, datetime]:
    """The next message in `room` containing `enthaelt`, and when it arrived (on `uhr`; the
    bot's clock where due times are compared)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        message = await client.next_message(max(remaining, 0.01), room)
        if enthaelt in message.body:
            return message, uhr()


async def keine(client: ChatClient, room: str, enthaelt: str, sekunden: float) -> None:
    """No such message arrives within `sekunden` real seconds."""
    with pytest.raises(TimeoutError):
        await warte(client, room, enthaelt, sekunden)


async def anzahl(client: ChatClient, room: str, enthaelt: str) -> int:
    return sum(enthaelt in m.body for m in await client.history(room))


def melde(was: str, faellig: datetime, gesendet: datetime | None, angekommen: datetime) -> float:
    assert gesendet is not None
    bot = (gesendet - faellig).total_seconds()
    client = (angekommen - faellig).total_seconds()
    print(
        f"\n[Präzision] {was}: gesendet {bot:+.3f} s, beim Client {client:+.3f} s nach Fälligkeit"
    )
    return bot


async def netzwerk_raum(client: ChatClient, bot: BotHarness, *befehle: str) -> str:
    """A room linked to OM-Netzwerk Hamburg by `client`, made its coordinator in the register
    (moderating a room is not enough to speak for a network, docs/rechte.md)."""
    with _app(bot).uow() as uow:
        hamburg = uow.session.scalar(select(Netzwerk).where(Netzwerk.name == "OM-Netzwerk Hamburg"))
        assert hamburg is not None
        if client.user_id not in uow.netzwerke.koordinatoren(hamburg.id):
            hamburg.kontakte.append(
                Kontakt(rolle=KontaktRolle.KOORDINATION, name=client.user_id, matrix=client.user_id)
            )
            uow.commit()
    room = await room_with_bot(client, bot)
    assert "verknüpft" in (await ask(client, room, "!om raum Hamburg")).body
    for befehl in befehle:
        await ask(client, room, befehl)
    return room


async def test_event_reminder_with_offset_2m_arrives_once_and_on_time(reminder_bot, chat) -> None:
    bot = await reminder_bot()
    alice = await chat("alice")
    room = await netzwerk_raum(alice, bot, "!om erinnerungen 2m")

    beginn = naechste_minute(_uhr(bot), timedelta(minutes=2, seconds=15))
    termin_id = await termin(alice, room, "Treffen Präzision", beginn)
    row = await geplant(bot, termin_id)
    assert row.faellig == beginn - timedelta(minutes=2)
    liste = await ask(alice, room, "!om erinnerungen")
    assert "Treffen Präzision" in liste.body and "2 Minuten vorher" in liste.body

    # The minutes until shortly before the due time are skipped; the last seconds are real:
    # the scheduler has to wake by itself and send on time.
    await springe(bot, row.faellig - ECHTZEIT)
    nachricht, angekommen = await warte(
        alice, room, "Erinnerung: Treffen Präzision", 30, uhr=_uhr(bot)
    )
    # Meant to reach people: m.text (a notice never notifies), mentioning the coordinator.
    assert nachricht.sender == bot.user_id and nachricht.msgtype == "m.text"
    assert alice.user_id in nachricht.content["m.mentions"]["user_ids"]
    assert "OM-Netzwerk Hamburg" in nachricht.body
    [gesendet] = erinnerungen_von(bot, termin_id)
    assert melde("2m vor Termin", row.faellig, gesendet.gesendet, angekommen) < PRAEZISION
    assert angekommen >= row.faellig

    # Exactly once, also after a restart.
    await keine(alice, room, "Erinnerung:", 3)
    await bot.restart()
    await keine(alice, room, "Erinnerung:", 4)
    assert await anzahl(alice, room, "Erinnerung: Treffen Präzision") == 1


async def test_restart_between_planning_and_due_time_and_a_lost_sent_record(
    reminder_bot, chat
) -> None:
    bot = await reminder_bot()
    alice = await chat("alice")
    room = await netzwerk_raum(alice, bot, "!om erinnerungen 2m")

    beginn = naechste_minute(_uhr(bot), timedelta(minutes=2, seconds=20))
    termin_id = await termin(alice, room, "Treffen Neustart", beginn)
    row = await geplant(bot, termin_id)
    await bot.restart()  # planned in the database; the new process sends it
    assert _uhr(bot)() < row.faellig  # the restart was between planning and due time

    await springe(bot, row.faellig)
    _, angekommen = await warte(alice, room, "Erinnerung: Treffen Neustart", 30, uhr=_uhr(bot))
    [gesendet] = erinnerungen_von(bot, termin_id)
    assert melde("nach Neustart", row.faellig, gesendet.gesendet, angekommen) < PRAEZISION
    await keine(alice, room, "Erinnerung:", 3)

    # The process dies after the homeserver accepted the reminder but before it recorded the
    # send: the next start sends again with the same transaction id, and Synapse returns the
    # first event instead of posting a second.
    await bot.stop()
    with _app(bot).uow() as u:
        u.session.execute(update(Erinnerung).where(Erinnerung.id == row.id).values(gesendet=None))
        u.commit()
    await bot.start()
    for _ in range(200):
        if erinnerungen_von(bot, termin_id)[0].gesendet is not None:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the reminder was not sent again")
    await keine(alice, room, "Erinnerung:", 3)
    assert await anzahl(alice, room, "Erinnerung: Treffen Neustart") == 1


async def test_cancelled_event_gets_a_notice_instead_of_the_reminder(reminder_bot, chat) -> None:
    bot = await reminder_bot()
    alice = await chat("alice")
    room = await netzwerk_raum(alice, bot, "!om erinnerungen 2m")
    anderer = await netzwerk_raum(alice, bot, "!om erinnerungen 2m")

    beginn = naechste_minute(_uhr(bot), timedelta(minutes=2, seconds=15))
    termin_id = await termin(alice, room, "Treffen Absage", beginn)
    row = await geplant(bot, termin_id)
    assert {r.room_id for r in erinnerungen_von(bot, termin_id)} == {room, anderer}

    abgesagt = await ask(alice, room, f"!om termin absagen {termin_id}")
    assert "Abgesagt" in abgesagt.body
    hinweis, _ = await warte(alice, anderer, "abgesagt")
    assert "Treffen Absage" in hinweis.body
    # The planned reminders are gone at once, and none arrives at the due time.
    for _ in range(100):
        if not erinnerungen_von(bot, termin_id):
            break
        await asyncio.sleep(0.05)
    assert erinnerungen_von(bot, termin_id) == []
    await springe(bot, row.faellig + timedelta(seconds=1))
    await keine(alice, room, "Erinnerung:", 3)
    for raum in (room, anderer):
        assert await anzahl(alice, raum, "Erinnerung: Treffen Absage") == 0


async def test_weekly_digest_for_a_subscribed_room(reminder_bot, chat) -> None:
    # The edition is due ten minutes after the bot starts (its weekday, a time with seconds);
    # the bot's clock jumps there once the room has subscribed.
    uhr = FakeClock(running=True)
    ausgabe = (uhr() + timedelta(minutes=10)).astimezone(BERLIN).replace(microsecond=0)
    bot = await reminder_bot(
        clock=uhr,
        digest_wochentag=WOCHENTAGE[ausgabe.weekday()],
        digest_uhrzeit=f"{ausgabe:%H:%M:%S}",
    )
    alice = await chat("alice")
    partner = await room_with_bot(alice, bot)
    bestellt = await ask(alice, partner, "!om infodienst an Hamburg")
    assert "OM-Infodienst (Hamburg)" in bestellt.body
    netz = await netzwerk_raum(alice, bot)
    await termin(alice, netz, "Sommerfest Hamburg", naechste_minute(uhr, timedelta(days=3)))

    await springe(bot, ausgabe)
    digest, angekommen = await warte(alice, partner, "OM-Infodienst vom", timeout=30, uhr=uhr)
    assert "Sommerfest Hamburg" in digest.body and "Termine der nächsten vier Wochen" in digest.body
    assert "!om infodienst aus" in digest.body
    with _app(bot).uow() as u:
        [row] = [
            r
            for r in u.erinnerungen.im_raum(partner)
            if r.schluessel.startswith("infodienst:") and r.gesendet is not None
        ]
        faellig, gesendet = row.faellig, row.gesendet
    assert faellig == ausgabe.astimezone(UTC)
    assert melde("Infodienst", faellig, gesendet, angekommen) < PRAEZISION
    await keine(alice, partner, "OM-Infodienst vom", 4)
