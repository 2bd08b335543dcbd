"""What a user's notification list on the homeserver says: ``GET /_matrix/client/v3/notifications``.

Synapse evaluates every local member's push rules when an event is persisted, whether or not
the member has a pusher, and lists the events whose actions include ``notify`` – so a test
user without any pusher (`tests.conftest.chat`) sees exactly what would ring on a phone. A
``highlight`` tweak (without a value, or ``true``) marks a mention.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import aiohttp

from om_bot.matrix.chatclient import ChatClient


@dataclass(frozen=True)
class Benachrichtigung:
    room_id: str
    event_id: str
    highlight: bool
    content: dict[str, Any]


def _highlight(actions: list[Any]) -> bool:
    for action in actions:
        if isinstance(action, dict) and action.get("set_tweak") == "highlight":
            return bool(action.get("value", True))
    return False


async def benachrichtigungen(
    client: ChatClient, room_id: str | None = None
) -> list[Benachrichtigung]:
    """The user's notifications (newest first), in `room_id` if given."""
    url = f"{client.client.homeserver}/_matrix/client/v3/notifications"
    headers = {"Authorization": f"Bearer {client.client.access_token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, params={"limit": "100"}, headers=headers) as response,
    ):
        response.raise_for_status()
        daten = await response.json()
    return [
        Benachrichtigung(
            n["room_id"],
            n["event"]["event_id"],
            _highlight(n.get("actions", [])),
            n["event"].get("content", {}),
        )
        for n in daten["notifications"]
        if room_id is None or n["room_id"] == room_id
    ]


async def benachrichtigung(
    client: ChatClient, event_id: str, timeout: float = 10
) -> Benachrichtigung | None:
    """The user's notification for `event_id`, waiting up to `timeout` s for it to show; None
    when there is none by then."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        for n in await benachrichtigungen(client):
            if n.event_id == event_id:
                return n
        if asyncio.get_running_loop().time() > deadline:
            return None
        await asyncio.sleep(0.2)
