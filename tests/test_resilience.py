"""The bot outlives homeserver outages and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from om_bot.app.runtime import build
from om_bot.devtools.homeserver import LocalSynapse
from om_bot.matrix.chatclient import ChatClient
from om_bot.services.importer import importiere_datei
from tests.conftest import SAMPLE_DATA, BotHarness, ask, bot_config, room_with_bot

pytestmark = pytest.mark.matrix


@pytest.fixture(scope="module")
def own_synapse() -> Iterator[LocalSynapse]:
    # Its own server: restarting the session's Synapse would disturb other tests.
    with LocalSynapse() as server:
        yield server


async def test_sync_loop_survives_a_homeserver_restart(
    own_synapse: LocalSynapse, tmp_path: Path
) -> None:
    server = own_synapse
    human = server.register_user("carla", "carla-pw")
    bot_id = server.register_user("bot1", "bot-pw")
    bot = BotHarness(server, bot_config(server, tmp_path, bot_id, "bot-pw"))
    importiere_datei(build(bot.config).uow, SAMPLE_DATA)
    await bot.start()
    carla = ChatClient(server.url, human)
    try:
        await carla.login("carla-pw")
        await carla.start()
        room = await room_with_bot(carla, bot)
        assert "Hamburg" in (await ask(carla, room, "!om netzwerke Hamburg")).body

        await asyncio.to_thread(server.restart, 3.0)

        answer = await ask(carla, room, "!om netzwerke Bremen", timeout=60)
        assert "Bremen" in answer.body
        assert bot.task is not None and not bot.task.done()
    finally:
        await carla.close()
        await bot.stop()


def test_sigterm_stops_the_bot_cleanly(own_synapse: LocalSynapse, tmp_path: Path) -> None:
    server = own_synapse
    bot_id = server.register_user("bot2", "bot-pw")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[matrix]\nhomeserver = "{server.url}"\nuser_id = "{bot_id}"\n'
        f'store_path = "{tmp_path / "store"}"\nsync_timeout_ms = 30000\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "bot.sqlite3"}"\n',
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "om_bot", "run", "--config", str(config)],
        env={**os.environ, "OM_BOT_MATRIX_PASSWORD": "bot-pw"},
        stderr=subprocess.PIPE,
        text=True,
        # A lax umask as a service manager might set it: the bot tightens it itself.
        umask=0o022,
    )
    credentials = tmp_path / "store" / "credentials.json"
    deadline = time.monotonic() + 60
    while not credentials.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # inside the long-poll sync now
    database = tmp_path / "bot.sqlite3"
    private = [
        credentials,
        database,
        *(database.with_name(database.name + s) for s in ("-wal", "-shm")),
    ]
    # Read while running (-wal/-shm exist only then), checked after the process is gone.
    modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in private if p.exists()}
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    # It does not wait for the 30 s long poll to end.
    assert time.monotonic() - started < 10
    assert "stopped" in stderr
    assert "Traceback" not in stderr
    assert modes == dict.fromkeys(modes, "0o600") and len(modes) >= 2, modes
