"""Encrypted rooms against the real Synapse: test users with their own crypto store (like
Element) talk to the bot in encrypted rooms and DMs; answers, the .ics export, a reminder and the
bot's own direct messages arrive encrypted; an undecryptable message gets the German notice; a
restart keeps the keys; a lost store gives a new device and one notice to the Geschäftsstelle.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
from sqlalchemy import select

from om_bot.matrix.anmeldung import Credentials, store_dateien
from om_bot.matrix.chatclient import ChatClient, ReceivedMessage
from om_bot.matrix.krypto import UNLESBAR_TEXT, Krypto
from om_bot.storage.models import Kontakt, Partner
from tests.conftest import BotHarness, ask
from tests.test_anfragen_matrix import _beigetreten
from tests.test_erinnerungen_matrix import (
    _uhr,
    geplant,
    naechste_minute,
    reminder_bot,
    springe,
    termin,
    warte,
)

pytestmark = pytest.mark.matrix

__all__ = ["reminder_bot"]  # the fixture, imported to be used here


@pytest.fixture
def e2e_chat(chat: Callable[..., Any]) -> Callable[..., Any]:
    """Log in a human user (by name) with encryption: own crypto store, listening."""

    async def factory(name: str) -> ChatClient:
        client: ChatClient = await chat(name, encrypted=True)
        assert client.encrypted
        return client

    return factory


async def encrypted_room_with_bot(client: ChatClient, bot: BotHarness, direct: bool = False) -> str:
    room = await client.create_room(invite=[bot.user_id], direct=direct, encrypted=True)
    await _beigetreten(client, room, bot.user_id)
    return room


async def assert_encrypted_on_the_wire(client: ChatClient, message: ReceivedMessage) -> None:
    assert message.encrypted, message
    raw = await client.raw_event(message.room_id, message.event_id)
    assert raw["type"] == "m.room.encrypted", raw
    assert "body" not in raw["content"]


async def _koordination(bot: BotHarness, user_id: str, ihk: str | None = None) -> None:
    assert bot.app is not None
    with bot.app.uow() as uow:
        kontakt = uow.session.scalar(select(Kontakt).where(Kontakt.name == "Max Mustermann"))
        assert kontakt is not None
        kontakt.matrix = user_id
        if ihk is not None:
            partner = uow.session.scalar(select(Partner).where(Partner.kurz == "IHK"))
            assert partner is not None
            partner.nationaler_kontakt = ihk
        uow.commit()


async def test_encrypted_room_and_dm_answers_are_encrypted(make_bot, e2e_chat, chat) -> None:
    bot = await make_bot()
    alice = await e2e_chat("e2ealice")
    room = await encrypted_room_with_bot(alice, bot)

    answer = await ask(alice, room, "!om netzwerke Hamburg")
    assert "OM-Netzwerk Hamburg" in answer.body and answer.msgtype == "m.notice"
    assert answer.sender == bot.user_id
    await assert_encrypted_on_the_wire(alice, answer)

    # A direct chat the user opened, encrypted as Element does it: no prefix needed.
    dm = await encrypted_room_with_bot(alice, bot, direct=True)
    answer = await ask(alice, dm, "netzwerk Münsterland")
    assert "OM-Netzwerk Münsterland" in answer.body
    await assert_encrypted_on_the_wire(alice, answer)

    # Unencrypted rooms stay unencrypted, also for a user without encryption.
    bob = await chat("e2ebob")
    plain = await bob.create_room(invite=[bot.user_id])
    await _beigetreten(bob, plain, bot.user_id)
    answer = await ask(bob, plain, "!om netzwerke Bremen")
    assert "Bremen" in answer.body and not answer.encrypted
    raw = await bob.raw_event(plain, answer.event_id)
    assert raw["type"] == "m.room.message"


async def test_ics_export_in_an_encrypted_room_is_an_encrypted_attachment(
    make_bot, e2e_chat
) -> None:
    bot = await make_bot()
    alice = await e2e_chat("e2eics")
    await _koordination(bot, alice.user_id)
    room = await encrypted_room_with_bot(alice, bot)
    assert "verknüpft" in (await ask(alice, room, "!om raum Hamburg")).body
    tag = datetime.now(UTC).date() + timedelta(days=40)
    eingetragen = await ask(alice, room, f"!om termin Netzwerktreffen am {tag:%d.%m.%Y} um 14:00")
    assert "eingetragen" in eingetragen.body

    event_id = await alice.send(room, "!om termine export Hamburg")
    datei = antwort = None
    while datei is None or antwort is None:
        message = await alice.next_message(20, room)
        if message.msgtype == "m.file":
            datei = message
        elif message.in_reply_to == event_id:
            antwort = message
    await assert_encrypted_on_the_wire(alice, datei)
    assert "url" not in datei.content and datei.content["file"]["url"].startswith("mxc://")
    # The media repository holds only ciphertext.
    roh = await alice.download(datei.content["file"]["url"])
    assert b"BEGIN:VCALENDAR" not in roh
    kalender = icalendar.Calendar.from_ical(await alice.download_file(datei.content))
    titel = [str(e.get("summary")) for e in kalender.walk("VEVENT")]
    assert any("Netzwerktreffen" in t for t in titel), titel
    await assert_encrypted_on_the_wire(alice, antwort)


async def test_a_reminder_arrives_encrypted(reminder_bot, e2e_chat) -> None:
    bot = await reminder_bot()
    alice = await e2e_chat("e2ereminder")
    await _koordination(bot, alice.user_id)
    room = await encrypted_room_with_bot(alice, bot)
    assert "verknüpft" in (await ask(alice, room, "!om raum Hamburg")).body
    await ask(alice, room, "!om erinnerungen 2m")
    beginn = naechste_minute(_uhr(bot), timedelta(minutes=2, seconds=15))
    termin_id = await termin(alice, room, "Treffen verschlüsselt", beginn)
    row = await geplant(bot, termin_id)

    await springe(bot, row.faellig)
    nachricht, _ = await warte(alice, room, "Erinnerung: Treffen verschlüsselt", 30)
    await assert_encrypted_on_the_wire(alice, nachricht)


async def test_a_direct_message_the_bot_opens_is_encrypted(make_bot, e2e_chat) -> None:
    # Without a Geschäftsstelle room its members get the notices as direct messages.
    gs = await e2e_chat("e2edmgs")
    koord = await e2e_chat("e2edmkoord")
    bot = await make_bot(geschaeftsstelle_users=[gs.user_id])
    await _koordination(bot, koord.user_id)
    room = await encrypted_room_with_bot(koord, bot)
    assert "verknüpft" in (await ask(koord, room, "!om raum Hamburg")).body
    answer = await ask(koord, room, "!om kontakt IHK – Thema Fachkräftesicherung")
    assert "Anfrage 1" in answer.body

    dm = await gs.join_invited(30)
    notice = await gs.next_message(30, dm)
    assert "Kontaktanfrage 1" in notice.body
    await assert_encrypted_on_the_wire(gs, notice)
    state = await gs.client.room_get_state_event(dm, "m.room.encryption")
    assert state.content["algorithm"] == "m.megolm.v1.aes-sha2"


async def test_a_clash_notice_to_another_encrypted_room_is_encrypted(make_bot, e2e_chat) -> None:
    hh, ddn = await e2e_chat("e2eclashhh"), await e2e_chat("e2eclashddn")
    bot = await make_bot()
    assert bot.app is not None
    with bot.app.uow() as uow:
        for name, user in (("Max Mustermann", hh), ("Ina Platzhalter", ddn)):
            kontakt = uow.session.scalar(select(Kontakt).where(Kontakt.name == name))
            assert kontakt is not None
            kontakt.matrix = user.user_id
        uow.commit()
    raum_hh = await encrypted_room_with_bot(hh, bot)
    raum_ddn = await encrypted_room_with_bot(ddn, bot)
    assert "verknüpft" in (await ask(hh, raum_hh, "!om raum OM-Netzwerk Hamburg")).body
    assert "verknüpft" in (await ask(ddn, raum_ddn, "!om raum DDN-Regionalnetzwerk Hamburg")).body
    tag = datetime.now(UTC).date() + timedelta(days=45)
    await ask(hh, raum_hh, f"!om termin Netzwerktreffen am {tag:%d.%m.%Y} um 14:00 bis 16:00")

    abend = await ask(ddn, raum_ddn, f"!om termin Sommerabend am {tag:%d.%m.%Y} um 15 Uhr")
    assert "⚠ Terminüberschneidung" in abend.body
    hinweis, _ = await warte(hh, raum_hh, "Terminüberschneidung", 30)
    assert "DDN-Regionalnetzwerk Hamburg" in hinweis.body
    await assert_encrypted_on_the_wire(hh, hinweis)


async def test_undecryptable_message_gets_one_german_notice(make_bot, e2e_chat) -> None:
    bot = await make_bot()
    alice = await e2e_chat("e2eunlesbar")
    room = await encrypted_room_with_bot(alice, bot)
    # The room works: the bot reads the ordinary encrypted messages.
    assert "Hamburg" in (await ask(alice, room, "!om netzwerke Hamburg")).body

    event_id = await alice.send_undecryptable(room, "!om netzwerke Hamburg")
    notice = await alice.next_message(30, room)
    assert notice.in_reply_to == event_id
    assert notice.body == UNLESBAR_TEXT
    assert "nicht entschlüsseln" in notice.body and notice.msgtype == "m.notice"
    await assert_encrypted_on_the_wire(alice, notice)
    # Once per event: nothing more comes for it.
    with pytest.raises(TimeoutError):
        await alice.next_message(6, room)
    # Still answering readable messages.
    assert "Bremen" in (await ask(alice, room, "!om netzwerke Bremen")).body


async def test_undecryptable_message_is_answered_once_its_sender_forwards_the_key(
    make_bot, synapse, users, tmp_path
) -> None:
    bot = await make_bot()
    user = users.get("e2eforward")
    # This user's client answers key requests for its own sessions, as Element does.
    alice = ChatClient(
        synapse.url, user.user_id, store_path=tmp_path / "forward", answer_key_requests=True
    )
    await alice.login(user.password)
    await alice.start()
    try:
        room = await encrypted_room_with_bot(alice, bot)
        assert "Hamburg" in (await ask(alice, room, "!om netzwerke Hamburg")).body
        event_id = await alice.send_undecryptable(room, "!om netzwerke Bremen", keep_key=True)
        # The bot asks alice's device for the key, gets it forwarded and reads the command.
        answer = await alice.next_message(30, room)
        assert answer.in_reply_to == event_id
        assert "Bremen" in answer.body and answer.body != UNLESBAR_TEXT
        await assert_encrypted_on_the_wire(alice, answer)
    finally:
        await alice.close()


async def _lost_key(client: ChatClient, message: ReceivedMessage) -> Any:
    """The bot's encrypted `message` as a MegolmEvent, its room key dropped from `client`."""
    import nio

    raw = await client.raw_event(message.room_id, message.event_id)
    event = nio.MegolmEvent.from_dict(raw)
    event.room_id = message.room_id
    olm = client.client.olm
    assert olm is not None
    sessions = olm.inbound_group_store._entries[message.room_id][event.sender_key]
    sessions.pop(event.session_id, None)
    with pytest.raises(Exception, match="no session found"):
        client.client.decrypt_event(event)
    return event


async def test_the_bot_answers_key_requests_only_from_devices_it_shared_with(
    make_bot, e2e_chat, caplog
) -> None:
    caplog.set_level(logging.INFO)
    bot = await make_bot()
    alice = await e2e_chat("e2ekeyreq")
    room = await encrypted_room_with_bot(alice, bot)
    answer = await ask(alice, room, "!om netzwerke Hamburg")
    event = await _lost_key(alice, answer)

    # Alice's device lost the bot's room key and asks the bot's device for it.
    frager = Krypto(alice.client, vertrauen="tofu", allowed_servers=(), nachfrage_warten=5)
    decrypted = await frager.nachfragen_und_entschluesseln(event)
    assert decrypted is not None and "OM-Netzwerk Hamburg" in decrypted.body
    assert any("re-shared room key" in r.getMessage() for r in caplog.records)

    # A device the key was never shared with (it joined later) gets nothing.
    bob = await e2e_chat("e2ekeyreqbob")
    await alice.invite(room, bob.user_id)
    await bob.join(room)
    await _beigetreten(alice, room, bob.user_id)
    bobs = Krypto(bob.client, vertrauen="tofu", allowed_servers=(), nachfrage_warten=3)
    assert await bobs.nachfragen_und_entschluesseln(event) is None
    assert any(
        "not answering key request" in r.getMessage() and "never shared" in r.getMessage()
        for r in caplog.records
    )


async def test_restart_keeps_decrypting_old_and_new_sessions(make_bot, e2e_chat) -> None:
    bot = await make_bot()
    alice = await e2e_chat("e2erestart")
    room = await encrypted_room_with_bot(alice, bot)
    assert "Hamburg" in (await ask(alice, room, "!om netzwerke Hamburg")).body
    assert bot.config.matrix.store_path.exists()
    device = Credentials.load(bot.config.matrix.store_path / "credentials.json")
    assert device is not None

    await bot.restart()
    # The same Megolm session as before the restart: its key is in the bot's store.
    assert "Bremen" in (await ask(alice, room, "!om netzwerke Bremen", timeout=30)).body
    # A new session after the restart.
    alice.rotate_room_key(room)
    answer = await ask(alice, room, "!om netzwerk Münsterland")
    assert "OM-Netzwerk Münsterland" in answer.body
    await assert_encrypted_on_the_wire(alice, answer)
    assert Credentials.load(bot.config.matrix.store_path / "credentials.json") == device


@pytest.mark.parametrize("schaden", ["corrupted", "deleted"])
async def test_lost_store_gives_a_new_device_and_tells_the_geschaeftsstelle(
    make_bot, e2e_chat, caplog, schaden
) -> None:
    caplog.set_level(logging.INFO)
    gs = await e2e_chat(f"e2egs{schaden}")
    gs_raum = await gs.create_room(name="Geschäftsstelle", encrypted=True)
    bot = await make_bot(geschaeftsstelle_users=[gs.user_id], geschaeftsstelle_room=gs_raum)
    await gs.invite(gs_raum, bot.user_id)
    await _beigetreten(gs, gs_raum, bot.user_id)
    assert "Hamburg" in (await ask(gs, gs_raum, "!om netzwerke Hamburg")).body
    store = bot.config.matrix.store_path
    vorher = Credentials.load(store / "credentials.json")
    assert vorher is not None

    await bot.stop()
    datenbank = next(
        p for p in store_dateien(store, bot.user_id, vorher.device_id) if p.suffix == ".db"
    )
    if schaden == "corrupted":
        datenbank.write_bytes(b"this is no SQLite database" * 100)
    else:
        datenbank.unlink()
    await bot.start()

    meldung = await warte(gs, gs_raum, "Schlüsselspeicher", 60)
    text = meldung[0].body
    nachher = Credentials.load(store / "credentials.json")
    assert nachher is not None and nachher.device_id != vorher.device_id
    assert nachher.device_id in text and vorher.device_id in text
    await assert_encrypted_on_the_wire(gs, meldung[0])
    assert any(
        r.levelno == logging.ERROR and "NEW DEVICE" in r.getMessage() for r in caplog.records
    )
    # The old files are kept aside (the fresh store made for the old device in the deleted
    # case), the old device is gone from the account.
    assert list((store / "alt").glob(f"*/{datenbank.name}"))
    geraete = await bot_geraete(bot)
    assert nachher.device_id in geraete and vorher.device_id not in geraete
    # The new device reads and answers.
    assert "Bremen" in (await ask(gs, gs_raum, "!om netzwerke Bremen", timeout=30)).body

    # Once: a further restart with the good store says nothing more.
    await bot.restart()
    assert "Kiel" in (await ask(gs, gs_raum, "!om netzwerke Kiel", timeout=30)).body
    verlauf = await gs.history(gs_raum)
    assert sum("Schlüsselspeicher" in m.body for m in verlauf) == 1


async def bot_geraete(bot: BotHarness) -> set[str]:
    import nio

    cred = Credentials.load(bot.config.matrix.store_path / "credentials.json")
    assert cred is not None
    client = nio.AsyncClient(bot.synapse.url, bot.user_id)
    client.access_token, client.user_id = cred.access_token, cred.user_id
    try:
        response = await client.devices()
        return {d.id for d in response.devices}
    finally:
        await client.close()


async def test_access_token_only_and_lost_store_keeps_running(make_bot, e2e_chat, caplog) -> None:
    caplog.set_level(logging.INFO)
    bot = await make_bot()
    alice = await e2e_chat("e2etoken")
    room = await alice.create_room(invite=[bot.user_id])
    await _beigetreten(alice, room, bot.user_id)
    store = bot.config.matrix.store_path
    cred = Credentials.load(store / "credentials.json")
    assert cred is not None
    await bot.stop()
    for datei in store_dateien(store, bot.user_id, cred.device_id):
        datei.unlink()
    (store / "credentials.json").unlink()
    matrix = bot.config.matrix.model_copy(
        update={"password": "", "access_token": cred.access_token}
    )
    bot.config = bot.config.model_copy(update={"matrix": matrix})
    await bot.start()

    # Unencrypted rooms still get answers; the log says what to do.
    assert "Hamburg" in (await ask(alice, room, "!om netzwerke Hamburg", timeout=30)).body
    fehler = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("ENCRYPTION OFF" in f and "matrix.password" in f for f in fehler), fehler
    assert bot.task is not None and not bot.task.done()
