"""A stop ends the bot even while the homeserver cannot be reached at all (found in issue 14's
work): nio retries a failing login forever, and systemd or a standby taking over must not wait
for it. No homeserver is needed: the address is a closed loopback port."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from om_bot.app.runtime import build, run_bot
from om_bot.config import config_from_mapping


def _freier_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_stop_during_a_login_that_cannot_reach_the_homeserver(tmp_path: Path) -> None:
    config = config_from_mapping(
        {
            "matrix": {
                "homeserver": f"http://127.0.0.1:{_freier_port()}",
                "user_id": "@bot:localhost",
                "password": "x",
                "store_path": str(tmp_path / "store"),
            },
            "database": {"url": f"sqlite:///{tmp_path / 'bot.sqlite3'}"},
        },
        env={},
    )
    stop = asyncio.Event()
    laeuft = asyncio.create_task(run_bot(build(config), stop))
    await asyncio.sleep(1.5)  # the login is retrying by now
    assert not laeuft.done()
    stop.set()
    await asyncio.wait_for(laeuft, timeout=10)
