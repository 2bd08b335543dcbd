"""Rate limits: when Synapse answers 429, the bot waits and still delivers every reply."""

from __future__ import annotations

import asyncio
import logging
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from om_bot.homeserver import LocalSynapse
from om_bot.importer import importiere_datei
from om_bot.matrix import ChatClient
from om_bot.runtime import build
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
    caplog.set_level(logging.WARNING, logger="nio")
    await bot.start()
    alice = ChatClient(server.url, human)
    try:
        await alice.login("alice-pw")
        await alice.start()
        room = await room_with_bot(alice, bot)
        sent = [
            await alice.send(room, f"!om netzwerke {r}")
            for r in ("Hamburg", "Bremen", "Bayern", "Hannover", "OWL", "Münsterland")
        ]
        answered = set()
        while len(answered) < len(sent):
            message = await alice.next_message(60, room)
            if message.in_reply_to in sent:
                answered.add(message.in_reply_to)
        assert answered == set(sent)
        assert "429" in caplog.text, "the limit was never hit; the test proves nothing"
    finally:
        await alice.close()
        await bot.stop()
        await asyncio.sleep(0)
