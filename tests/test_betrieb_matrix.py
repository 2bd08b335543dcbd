"""Metrics against the real Synapse: a command through the homeserver raises the commands
counter; the bot's HTTP server answers /metrics and, once synced, /healthz with 200."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from om_bot.config import HttpConfig
from tests.conftest import ask, room_with_bot

pytestmark = pytest.mark.matrix

HILFE = "hilfe|help|?|befehle [<thema>]"


def _befehle(text: str, command: str, outcome: str) -> float:
    for familie in text_string_to_metric_families(text):
        for probe in familie.samples:
            if probe.name == "om_bot_commands_total" and probe.labels == {
                "command": command,
                "outcome": outcome,
            }:
                return probe.value
    return 0.0


async def test_a_command_raises_the_commands_counter_on_metrics(make_bot: Any, chat: Any) -> None:
    bot = await make_bot(import_sample=False)
    # Again with the HTTP server on, on any free loopback port.
    await bot.stop()
    bot.config = bot.config.model_copy(update={"http": HttpConfig(enabled=True, port=0)})
    await bot.start()
    client = await chat("metrikmensch")
    room = await room_with_bot(client, bot)
    web = bot.app.web
    assert web is not None
    for _ in range(200):
        if web.port:
            break
        await asyncio.sleep(0.05)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{web.url}/metrics") as antwort:
            vorher = _befehle(await antwort.text(), HILFE, "ok")
        answer = await ask(client, room, "!om hilfe")
        assert "hilfe" in answer.body
        async with http.get(f"{web.url}/metrics") as antwort:
            assert antwort.status == 200
            assert _befehle(await antwort.text(), HILFE, "ok") == vorher + 1
        async with http.get(f"{web.url}/healthz") as antwort:
            assert antwort.status == 200, await antwort.text()
            assert (await antwort.json())["status"] == "ok"
