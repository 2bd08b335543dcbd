"""Which room events the bot looks at, whose invitation it accepts and how much a sender
counts: plain functions the adapter applies and tests call directly (no nio, no I/O)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

# Room versions whose creators hold infinite power without a power-levels entry (MSC4289).
_LEGACY_ROOM_VERSIONS = {str(v) for v in range(1, 12)}
CREATOR_POWER = 100


@dataclass(frozen=True)
class EventInfo:
    """The fields of a room message event that decide whether the bot looks at it."""

    event_id: str
    room_id: str
    sender: str
    timestamp: datetime
    msgtype: str
    body: str
    is_edit: bool = False


def filter_reason(
    event: EventInfo,
    *,
    own_user_id: str,
    not_before: datetime,
    joined_at: datetime | None,
    now: datetime,
    max_age: timedelta,
) -> str | None:
    """Why the bot ignores `event`, or None when it should handle it."""
    if event.sender == own_user_id:
        return "own message"
    if event.msgtype != "m.text":
        # m.notice comes from bots; answering them invites bot loops.
        return f"msgtype {event.msgtype}"
    if event.is_edit:
        return "edit of an earlier message"
    if event.timestamp < not_before:
        return "sent before the bot's first start"
    if joined_at is not None and event.timestamp < joined_at:
        return "sent before the bot joined the room"
    if now - event.timestamp > max_age:
        return "too old to answer after downtime"
    return None


def server_of(user_id: str) -> str:
    return user_id.split(":", 1)[1].lower() if ":" in user_id else ""


def invite_allowed(inviter: str, own_user_id: str, allowed_homeservers: Collection[str]) -> bool:
    """Invites are accepted from users of the allowed servers (default: the bot's own)."""
    allowed = {s.lower() for s in allowed_homeservers} or {server_of(own_user_id)}
    return server_of(inviter) in allowed


def effective_power(user_id: str, level: int, room_version: str, creators: Collection[str]) -> int:
    """The user's power level, counting room creators of version 12+ rooms as moderators."""
    if room_version not in _LEGACY_ROOM_VERSIONS and user_id in creators:
        return max(level, CREATOR_POWER)
    return level


def transaction_id(source_event_id: str, index: int) -> str:
    digest = hashlib.sha256(f"{source_event_id}/{index}".encode()).hexdigest()[:32]
    return f"om-bot-{digest}"
