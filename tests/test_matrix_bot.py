"""The bot against a real Synapse: invites, prefixes, direct chats, restarts, bad input."""

from __future__ import annotations

import asyncio

import pytest

from om_bot.matrix.anmeldung import Credentials
from om_bot.matrix.chatclient import ChatClient
from tests.conftest import ask, room_with_bot

pytestmark = pytest.mark.matrix


async def test_netzwerke_hamburg_through_the_homeserver(make_bot, chat) -> None:
    bot = await make_bot()
    alice = await chat("alice")
    room = await room_with_bot(alice, bot)

    answer = await ask(alice, room, "/om netzwerke Hamburg")

    assert answer.sender == bot.user_id
    assert answer.msgtype == "m.notice"
    assert "OM-Netzwerk Hamburg" in answer.body
    assert "<b>OM-Netzwerk Hamburg</b>" in answer.formatted_body
    assert answer.content["format"] == "org.matrix.custom.html"
    # A DDN network in the same region is listed too; Bremen is not.
    assert "DDN" in answer.body
    assert "Bremen" not in answer.body


async def test_bang_prefix_and_case_insensitivity(make_bot, chat) -> None:
    bot = await make_bot()
    alice = await chat("alice")
    room = await room_with_bot(alice, bot)

    upper = await ask(alice, room, "!OM Netzwerke muenchen")
    assert "München" in upper.body

    # Plain chatter in a group room is not a command, and notices come from bots: no answer.
    await alice.send(room, "netzwerke Hamburg")
    await alice.send(room, "!om netzwerke Hamburg", msgtype="m.notice")
    with pytest.raises(TimeoutError):
        await alice.next_message(3, room)


async def test_direct_chat_without_prefix(make_bot, chat) -> None:
    bot = await make_bot()
    alice = await chat("alice")
    room = await room_with_bot(alice, bot, direct=True)

    answer = await ask(alice, room, "netzwerk Münsterland")
    assert "OM-Netzwerk Münsterland" in answer.body


async def test_unknown_command_and_typo_suggestions(make_bot, chat) -> None:
    bot = await make_bot()
    alice = await chat("alice")
    room = await room_with_bot(alice, bot)

    unknown = await ask(alice, room, "!om netzwerkee Hamburg")
    assert "Unbekannter Befehl" in unknown.body
    assert "„netzwerke“" in unknown.body

    typo = await ask(alice, room, "!om netzwerke Hamberg")
    assert "kenne ich nicht" in typo.body
    assert "Meinten Sie „Hamburg“" in typo.body


async def test_bad_input_is_answered_not_crashed(make_bot, chat) -> None:
    bot = await make_bot()
    alice = await chat("alice")
    room = await room_with_bot(alice, bot)

    empty = await ask(alice, room, "!om")
    assert "!om hilfe" in empty.body

    long = await ask(alice, room, "!om netzwerke " + "x" * 10_000)
    assert "zu lang" in long.body

    script = await ask(alice, room, "!om netzwerke <script>alert(1)</script>")
    assert "<script>" not in script.formatted_body
    assert "&lt;script&gt;" in script.formatted_body

    # The loop is still alive afterwards.
    still = await ask(alice, room, "!om netzwerke Bremen")
    assert "Bremen" in still.body


async def test_help_is_generated_from_the_registry(make_bot, chat) -> None:
    bot = await make_bot()
    alice = await chat("alice")
    room = await room_with_bot(alice, bot)

    overview = await ask(alice, room, "!om hilfe")
    assert "!om netzwerke [<region>]" in overview.body
    topic = await ask(alice, room, "!om hilfe raum")
    assert "!om raum <netzwerk>" in topic.body
    unknown = await ask(alice, room, "!om hilfe blumenkohl")
    assert "keine Hilfe" in unknown.body


async def test_first_start_ignores_history(make_bot, chat, users, synapse) -> None:
    alice = await chat("alice")
    # A room with a command in it before the bot exists.
    old_bot = await make_bot()
    room = await room_with_bot(alice, old_bot)
    await old_bot.stop()
    await alice.send(room, "!om netzwerke Hamburg")  # sent while no bot of that database runs

    fresh = await make_bot()
    await alice.invite(room, fresh.user_id)
    for _ in range(200):
        if fresh.user_id in await alice.joined_members(room):
            break
        await asyncio.sleep(0.05)
    with pytest.raises(TimeoutError):
        await alice.next_message(3, room)
    # It answers new commands, though.
    answer = await ask(alice, room, "!om netzwerke Bremen")
    assert answer.sender == fresh.user_id


async def test_restart_answers_missed_command_exactly_once(make_bot, chat) -> None:
    bot = await make_bot()
    alice = await chat("alice")
    room = await room_with_bot(alice, bot)
    await ask(alice, room, "!om netzwerke Hamburg")

    credentials = bot.config.matrix.store_path / "credentials.json"
    device_before = Credentials.load(credentials)
    await bot.stop()
    event_id = await alice.send(room, "!om netzwerk Münsterland")
    await bot.start()

    answer = await alice.next_message(20, room)
    assert answer.in_reply_to == event_id
    assert "Münsterland" in answer.body
    # A further restart replays nothing, and no restart created a new device.
    await bot.restart()
    with pytest.raises(TimeoutError):
        await alice.next_message(4, room)
    assert device_before is not None
    assert Credentials.load(credentials) == device_before


async def membership(client: ChatClient, room_id: str, user_id: str) -> str | None:
    """`user_id`'s membership in `room_id` as the room's state says (invite, join, leave…)."""
    response = await client.client.room_get_state_event(room_id, "m.room.member", user_id)
    content = getattr(response, "content", None)
    return content.get("membership") if isinstance(content, dict) else None


async def test_invite_from_foreign_server_is_declined(make_bot, chat) -> None:
    bot = await make_bot(allowed_homeservers=["example.org"])
    alice = await chat("alice")
    room = await alice.create_room(invite=[bot.user_id])
    # Invited, then the bot handles the invitation and rejects it: its membership becomes
    # "leave" (only the bot's own rejection can do that; nobody revoked the invitation).
    seen = []
    for _ in range(300):
        state = await membership(alice, room, bot.user_id)
        if not seen or seen[-1] != state:
            seen.append(state)
        if state == "leave":
            break
        await asyncio.sleep(0.05)
    assert seen[-1] == "leave", f"the invitation was not declined: {seen}"
    assert set(seen) <= {"invite", "leave"}, seen  # never joined on the way
    assert bot.user_id not in await alice.joined_members(room)


async def test_room_link_needs_a_role(make_bot, chat, users) -> None:
    gs = users.get("geschaeftsstelle")
    bot = await make_bot(geschaeftsstelle_users=[gs.user_id])
    alice = await chat("alice")
    bob = await chat("bob")
    room = await room_with_bot(alice, bot)
    await alice.invite(room, bob.user_id)
    await bob.join(room)

    refused = await ask(bob, room, "!om raum Hamburg")
    assert "⛔" in refused.body
    unchanged = await ask(bob, room, "!om raum")
    assert "keinem Netzwerk" in unchanged.body

    # The room's creator is its moderator: she may only ask (docs/rechte.md).
    asked = await ask(alice, room, "!om raum Hamburg")
    assert "beantragt (Nr. 1)" in asked.body
    pending = await ask(bob, room, "!om raum")
    assert "keinem Netzwerk" in pending.body and "Beantragt (Nr. 1" in pending.body
    # The Geschäftsstelle confirms from its own direct chat with the bot.
    gs_client = await chat("geschaeftsstelle")
    gs_dm = await room_with_bot(gs_client, bot, direct=True)
    confirmed = await ask(gs_client, gs_dm, "raum bestätigen 1")
    assert "Antrag 1 bestätigt" in confirmed.body
    shown = await ask(bob, room, "!om raum")
    assert "OM-Netzwerk Hamburg" in shown.body
    # Giving the link up is the room's own business: its moderator may.
    unlinked = await ask(alice, room, "!om raum lösen")
    assert "aufgehoben" in unlinked.body

    # Power level 50 makes bob a moderator of the room: now he may ask as well.
    await alice.set_power_level(room, bob.user_id, 50)
    await asyncio.sleep(1)
    asked = await ask(bob, room, "!om raum Bremen")
    assert "beantragt (Nr. 2)" in asked.body and "OM-Netzwerk Bremen" in asked.body


async def test_handler_failure_is_an_apology_and_the_loop_lives_on(make_bot, chat) -> None:
    bot = await make_bot()
    alice = await chat("alice")
    room = await room_with_bot(alice, bot)
    assert bot.app is not None
    with bot.app.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE kontakt")

    broken = await ask(alice, room, "!om netzwerke Hamburg")
    assert "Entschuldigung" in broken.body
    assert "Traceback" not in broken.body and "kontakt" not in broken.body
    still = await ask(alice, room, "!om hilfe")
    assert "Befehle des OM-Bots" in still.body
