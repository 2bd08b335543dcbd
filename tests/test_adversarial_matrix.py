"""Against the real Synapse: one user's hostile commands do not hold up anybody else."""

from __future__ import annotations

import pytest

from tests.conftest import ask, room_with_bot

pytestmark = pytest.mark.matrix

# The shapes that used to stall the sync loop for minutes (the registry's regexes
# backtracking), and the worst ones of benchmarks/adversarial.py since: each just below the
# command cap of 2,000 characters, plus one far beyond it.
WORST = [
    "!om netzwerk" + " " * 1985 + "x",
    "!om netzwerk" + "\t" * 1985 + "x",
    "!om netzwerk" + "\n" * 1985 + "x",
    "!om netzwerk anlegen" + " " * 490 + "Hamburg" + " " * 490 + "in" + " " * 490 + "Hamburg",
    "!om netzwerk anlegen" + " x in" * 395,
    "!om netzwerk Hamburg" + " mitglied" * 220,
    "!om anfrage" + " " * 1980 + "3",
    "!om termin" + " 12.03.2027" * 180,
    "!om termine" + " 14 Uhr" * 283,
    "!om termine" + " 12 March 2027" * 140,
    "!om netzwerk " + "x " * 5000,
]


async def test_hostile_commands_do_not_stall_other_rooms(make_bot, chat) -> None:
    bot = await make_bot()
    mallory = await chat("mallory")
    alice = await chat("alice")
    hostile = await room_with_bot(mallory, bot)
    room = await room_with_bot(alice, bot)
    await ask(alice, room, "!om hilfe")  # the bot is up and has answered once

    sent = [await mallory.send(hostile, body) for body in WORST]
    answer = await ask(alice, room, "!om hilfe", timeout=2)
    assert "Befehle des OM-Bots" in answer.body

    # Every hostile command got its answer too, none of them the apology for a crash.
    answered: dict[str, str] = {}
    while len(answered) < len(sent):
        message = await mallory.next_message(15, hostile)
        if message.in_reply_to in sent:
            answered[message.in_reply_to] = message.body
    assert not [body for body in answered.values() if "Entschuldigung" in body]
    assert "zu lang" in answered[sent[-1]]
