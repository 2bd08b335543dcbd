"""Rate limits: when Synapse answers 429, the bot waits and still delivers every reply.

Synapse limits messages per sender, not per room: while the bot is rate-limited in one room it
is rate-limited everywhere, so "room A's 429 does not delay room B" cannot be shown as such
against Synapse. What is testable here is the consequence of the per-room send queue: the sync
loop goes on reading while room A's backlog waits, and room B's reply competes for the next
free slot instead of queueing behind all of room A's replies (before the queue, it came after
the last of them). The independence of rooms itself is proven on virtual time in
tests/test_sendequeue.py.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from om_bot.app.runtime import build
from om_bot.devtools.homeserver import LocalSynapse
from om_bot.matrix.chatclient import ChatClient
from om_bot.services.importer import importiere_datei
from tests.conftest import SAMPLE_DATA, BotHarness, bot_config, room_with_bot

pytestmark = pytest.mark.matrix


@pytest.fixture(scope="module")
def strict_synapse() -> Iterator[LocalSynapse]:
    # One message per two seconds, burst 2: a handful of replies must hit the limit.
    with LocalSynapse(rc_message=(0.5, 2)) as server:
        yield server


async def test_replies_survive_429(
    strict_synapse: LocalSynapse, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = strict_synapse
    admin = server.register_user("admin", "admin-pw", admin=True)
    human = server.register_user("alice", "alice-pw")
    bot_id = server.register_user("bot", "bot-pw")
    token = server.login_token(admin, "admin-pw")
    # Only the bot is limited; the human may send as fast as the test wants.
    status, body = server.request(
        "POST",
        f"/_synapse/admin/v1/users/{urllib.parse.quote(human)}/override_ratelimit",
        {"messages_per_second": 0, "burst_count": 0},
        access_token=token,
    )
    assert status == 200, body

    bot = BotHarness(server, bot_config(server, tmp_path, bot_id, "bot-pw"))
    importiere_datei(build(bot.config).uow, SAMPLE_DATA)
    caplog.set_level(logging.INFO, logger="om_bot.matrix.sendequeue")
    await bot.start()
    alice = ChatClient(server.url, human)
    try:
        await alice.login("alice-pw")
        await alice.start()
        room_a = await room_with_bot(alice, bot)
        room_b = await room_with_bot(alice, bot)
        regions = ("Hamburg", "Bremen", "Bayern", "Hannover", "OWL", "Münsterland")
        # Ten commands: two replies fit the burst, the other eight wait about 2 s each.
        in_a = [await alice.send(room_a, f"!om netzwerke {r}") for r in (*regions, *regions)[:10]]
        expected = set(in_a)
        answered: list[str] = []  # the commands answered, in the order the answers arrived

        async def collect(until: int) -> None:
            while len(answered) < until:
                message = await alice.next_message(60)
                if message.in_reply_to is not None and message.in_reply_to in expected:
                    answered.append(message.in_reply_to)

        await collect(1)
        # Room A now has a backlog waiting out the limit; a command in room B arrives.
        in_b = await alice.send(room_b, "!om netzwerke Bremen")
        expected.add(in_b)
        await collect(len(expected))
        assert set(answered) == expected
        assert [a for a in answered if a != in_b] == in_a, "replies in a room keep their order"
        # Fails only if room B lost the race for each of the ~8 contested slots (about 2^-8).
        assert answered.index(in_b) < len(answered) - 1, (
            "room B's reply waited for room A's whole backlog"
        )
        assert "rate-limited" in caplog.text, "the limit was never hit; the test proves nothing"
    finally:
        await alice.close()
        await bot.stop()
