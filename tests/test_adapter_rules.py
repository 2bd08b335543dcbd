"""The Matrix adapter's decisions as plain functions: which events, invites and power count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from om_bot.matrix.adapter import notice_content
from om_bot.matrix.anmeldung import Credentials
from om_bot.matrix.regeln import (
    EventInfo,
    effective_power,
    filter_reason,
    invite_allowed,
    transaction_id,
)
from om_bot.text.messages import Reply

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
BOT = "@om-bot:example.org"


def _event(**changes: object) -> EventInfo:
    base: dict[str, object] = {
        "event_id": "$e",
        "room_id": "!r",
        "sender": "@alice:example.org",
        "timestamp": NOW - timedelta(minutes=1),
        "msgtype": "m.text",
        "body": "!om hilfe",
    }
    base.update(changes)
    return EventInfo(**base)  # type: ignore[arg-type]


def _reason(event: EventInfo, joined_at: datetime | None = None) -> str | None:
    return filter_reason(
        event,
        own_user_id=BOT,
        not_before=NOW - timedelta(days=1),
        joined_at=joined_at,
        now=NOW,
        max_age=timedelta(hours=24),
    )


def test_a_fresh_text_message_is_handled() -> None:
    assert _reason(_event()) is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"sender": BOT}, "own message"),
        ({"msgtype": "m.notice"}, "msgtype m.notice"),
        ({"is_edit": True}, "edit"),
        ({"timestamp": NOW - timedelta(days=2)}, "before the bot's first start"),
    ],
)
def test_ignored_events(changes: dict[str, object], reason: str) -> None:
    assert reason in (_reason(_event(**changes)) or "")


def test_history_before_joining_is_ignored() -> None:
    event = _event(timestamp=NOW - timedelta(minutes=10))
    assert "before the bot joined" in (_reason(event, joined_at=NOW - timedelta(minutes=5)) or "")
    assert _reason(event, joined_at=NOW - timedelta(minutes=20)) is None


def test_too_old_after_downtime() -> None:
    reason = filter_reason(
        _event(timestamp=NOW - timedelta(hours=30)),
        own_user_id=BOT,
        not_before=NOW - timedelta(days=10),
        joined_at=None,
        now=NOW,
        max_age=timedelta(hours=24),
    )
    assert reason == "too old to answer after downtime"


@pytest.mark.parametrize(
    ("inviter", "allowed", "ok"),
    [
        ("@alice:example.org", [], True),
        ("@mallory:evil.org", [], False),
        ("@bob:partner.de", ["example.org", "partner.de"], True),
        ("@alice:EXAMPLE.org", ["example.org"], True),
        ("", ["example.org"], False),
    ],
)
def test_invite_allowed(inviter: str, allowed: list[str], ok: bool) -> None:
    assert invite_allowed(inviter, BOT, allowed) is ok


def test_effective_power_counts_v12_creators() -> None:
    assert effective_power("@a:x", 0, "12", {"@a:x"}) == 100
    assert effective_power("@a:x", 0, "10", {"@a:x"}) == 0
    assert effective_power("@b:x", 50, "12", {"@a:x"}) == 50


def test_notice_content_is_a_reply_notice() -> None:
    content = notice_content(Reply("hi", "<b>hi</b>"), "$cmd")
    assert content["msgtype"] == "m.notice"
    assert content["format"] == "org.matrix.custom.html"
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd"}}
    assert "m.relates_to" not in notice_content(Reply("hi", "hi"), None)


def test_transaction_ids_are_stable_per_reply() -> None:
    assert transaction_id("$a", 0) == transaction_id("$a", 0)
    assert transaction_id("$a", 0) != transaction_id("$a", 1)
    assert transaction_id("$a", 0) != transaction_id("$b", 0)


def test_credentials_round_trip_private(tmp_path: Path) -> None:
    path = tmp_path / "store" / "credentials.json"
    Credentials("https://hs", "@b:x", "DEV", "tok").save(path)
    assert Credentials.load(path) == Credentials("https://hs", "@b:x", "DEV", "tok")
    assert path.stat().st_mode & 0o777 == 0o600
    path.write_text("{broken", encoding="utf-8")
    assert Credentials.load(path) is None
