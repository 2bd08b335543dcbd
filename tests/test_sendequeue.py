"""The per-room send queue, on virtual time: no test here waits for real."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import nio
import pytest

from om_bot.matrix.sendequeue import SENT, Failed, Outcome, RetryAfter, SendQueue
from om_bot.matrix.zustellung import outcome_of as _outcome


@dataclass
class FakeTime:
    """A clock and a sleep; time moves only when the test calls `advance`."""

    now: float = 0.0
    _sleepers: list[tuple[float, int, asyncio.Future[None]]] = field(default_factory=list)
    _order: itertools.count[int] = field(default_factory=itertools.count)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), woken))
        await woken

    async def advance(self, seconds: float) -> None:
        target = self.now + seconds
        await settle()
        while self._sleepers and self._sleepers[0][0] <= target:
            when, _, woken = heapq.heappop(self._sleepers)
            self.now = when
            if not woken.done():
                woken.set_result(None)
            await settle()
        self.now = target
        await settle()


async def settle() -> None:
    """Let every task run until it waits on the fake clock."""
    for _ in range(50):
        await asyncio.sleep(0)


@dataclass(frozen=True)
class Msg:
    room: str
    text: str


class FakeServer:
    """Answers each try from a script per message text (default: accepted); logs what went
    out, with the virtual time."""

    def __init__(self, time: FakeTime, script: dict[str, list[Outcome]] | None = None) -> None:
        self.time = time
        self.script = script or {}
        self.tries: list[tuple[float, str]] = []
        self.sent: list[tuple[float, str]] = []

    async def attempt(self, msg: Msg) -> Outcome:
        self.tries.append((self.time.now, msg.text))
        planned = self.script.get(msg.text, [])
        outcome = planned.pop(0) if planned else SENT
        if outcome is SENT:
            self.sent.append((self.time.now, msg.text))
        return outcome


def _queue(server: FakeServer, give_up_after: float = 300) -> SendQueue[Msg]:
    return SendQueue(
        server.attempt,
        give_up_after=give_up_after,
        clock=server.time.clock,
        sleep=server.time.sleep,
    )


def _put(queue: SendQueue[Msg], room: str, text: str, **kw: Any) -> asyncio.Future[bool]:
    return queue.put(room, f"txn-{text}", Msg(room, text), **kw)


async def test_a_rate_limited_room_does_not_delay_another_room() -> None:
    time = FakeTime()
    server = FakeServer(time, {"a1": [RetryAfter(60), RetryAfter(60)]})
    queue = _queue(server)
    a1 = _put(queue, "!a", "a1")
    a2 = _put(queue, "!a", "a2")
    b1 = _put(queue, "!b", "b1")
    await settle()
    assert b1.done() and b1.result() is True
    assert server.sent == [(0.0, "b1")]
    assert not a1.done() and not a2.done()

    await time.advance(60)
    assert not a1.done(), "second 429"
    b2 = _put(queue, "!b", "b2")
    await settle()
    assert b2.done(), "room B keeps going while room A waits"
    await time.advance(60)
    assert a1.result() is True and a2.result() is True
    assert server.sent == [(0.0, "b1"), (60.0, "b2"), (120.0, "a1"), (120.0, "a2")]


async def test_order_within_a_room_is_kept() -> None:
    time = FakeTime()
    server = FakeServer(time, {"1": [RetryAfter(5)], "2": [Failed("502")], "3": []})
    queue = _queue(server)
    done = [_put(queue, "!a", str(i)) for i in range(1, 6)]
    await time.advance(100)
    assert all(d.result() for d in done)
    assert [text for _, text in server.sent] == ["1", "2", "3", "4", "5"]
    # "2" was retried after a second (backoff), not before "1" went out.
    assert server.tries[:3] == [(0.0, "1"), (5.0, "1"), (5.0, "2")]


async def test_give_up_after_the_bound_logs_and_drops(caplog: pytest.LogCaptureFixture) -> None:
    time = FakeTime()
    server = FakeServer(time, {"geheim": [RetryAfter(100)] * 10})
    queue = _queue(server, give_up_after=300)
    caplog.set_level(logging.INFO, logger="om_bot.matrix.sendequeue")
    dropped = _put(queue, "!a", "geheim")
    later = _put(queue, "!a", "danach")
    await time.advance(299)
    assert not dropped.done()
    await time.advance(1)
    assert dropped.result() is False
    assert [t for t, _ in server.tries if _ == "geheim"] == [0, 100, 200, 300]
    warning = [r for r in caplog.records if r.levelno == logging.WARNING][-1].getMessage()
    assert "!a" in warning and "txn-geheim" in warning and "300 s" in warning
    assert "geheim" not in warning.replace("txn-geheim", ""), "no message content in the log"
    # The room's queue moves on.
    await settle()
    assert later.result() is True


async def test_a_wait_past_the_bound_gives_up_at_once() -> None:
    time = FakeTime()
    server = FakeServer(time, {"x": [RetryAfter(3600)]})
    queue = _queue(server, give_up_after=300)
    done = _put(queue, "!a", "x")
    await settle()
    assert done.result() is False
    assert time.now == 0.0


async def test_failures_back_off_and_end_after_the_attempts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    time = FakeTime()
    server = FakeServer(time, {"x": [Failed("M_FORBIDDEN")] * 10})
    queue = _queue(server)
    done = _put(queue, "!a", "x", attempts=3)
    await time.advance(100)
    assert done.result() is False
    assert [t for t, _ in server.tries] == [0, 1, 3]
    assert "after 3 failed attempt(s)" in caplog.text


async def test_an_exception_in_a_try_is_retried() -> None:
    time = FakeTime()
    calls = 0

    async def flaky(msg: Msg) -> Outcome:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise TimeoutError
        return SENT

    queue: SendQueue[Msg] = SendQueue(flaky, give_up_after=300, clock=time.clock, sleep=time.sleep)
    done = queue.put("!a", "t", Msg("!a", "x"))
    await time.advance(1)
    assert done.result() is True and calls == 2


async def test_idle_workers_end() -> None:
    time = FakeTime()
    server = FakeServer(time, {"a": [RetryAfter(10)]})
    queue = _queue(server)
    _put(queue, "!a", "a")
    for room in ("!b", "!c", "!d"):
        _put(queue, room, room)
    await settle()
    assert queue.workers == 1, "only the waiting room still has a task"
    await time.advance(10)
    assert queue.workers == 0
    again = _put(queue, "!b", "b2")
    await settle()
    assert again.result() is True and queue.workers == 0


async def test_close_flushes_then_abandons_with_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    time = FakeTime()  # never advanced: the rate-limited room cannot finish
    server = FakeServer(time, {"stuck": [RetryAfter(1000)]})
    queue = _queue(server, give_up_after=5000)
    stuck = _put(queue, "!a", "stuck")
    behind = _put(queue, "!a", "behind")
    quick = _put(queue, "!b", "quick")
    await queue.close(grace=0.05)
    assert quick.result() is True
    assert stuck.result() is False and behind.result() is False
    assert "abandoning 2 unsent message(s) to !a (txn-stuck, txn-behind)" in caplog.text
    assert queue.workers == 0
    refused = _put(queue, "!b", "late")
    assert refused.result() is False


async def test_a_caller_that_stops_waiting_does_not_stop_the_send() -> None:
    time = FakeTime()
    server = FakeServer(time, {"a": [RetryAfter(10)]})
    queue = _queue(server)
    waiter = asyncio.ensure_future(_put(queue, "!a", "a"))
    await settle()
    waiter.cancel()
    await time.advance(10)
    assert server.sent == [(10.0, "a")]


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (nio.RoomSendResponse("$e", "!a"), SENT),
        (nio.RoomSendError("slow down", "M_LIMIT_EXCEEDED", 1500, room_id="!a"), RetryAfter(1.5)),
        (nio.RoomSendError("slow down", "M_LIMIT_EXCEEDED", room_id="!a"), RetryAfter(5.0)),
        (nio.UploadError("too many", "M_LIMIT_EXCEEDED", 200), RetryAfter(0.2)),
    ],
)
def test_nio_responses_become_outcomes(response: Any, expected: Outcome) -> None:
    assert _outcome(response) == expected


def test_other_errors_are_failures_and_forbidden_is_final() -> None:
    outcome: Callable[[Any], Outcome] = _outcome
    forbidden = outcome(nio.RoomSendError("not in room", "M_FORBIDDEN", room_id="!a"))
    assert isinstance(forbidden, Failed) and "M_FORBIDDEN" in forbidden.reason
    assert forbidden.final
    other = outcome(nio.RoomCreateError("oops", "M_UNKNOWN"))
    assert isinstance(other, Failed) and not other.final


async def test_a_final_failure_is_not_retried() -> None:
    time = FakeTime()
    server = FakeServer(time, {"x": [Failed("M_FORBIDDEN", final=True)]})
    queue = _queue(server)
    done = _put(queue, "!a", "x")
    after = _put(queue, "!a", "y")
    await settle()
    assert done.result() is False and after.result() is True
    assert [text for _, text in server.tries] == ["x", "y"]


class FakeState:
    """The adapter state calls a queued direct message needs."""

    def __init__(self) -> None:
        self.direct: dict[str, str] = {}

    def direct_room(self, user_id: str) -> str | None:
        return self.direct.get(user_id)

    def opened_direct(self, room_id: str, user_id: str, now: Any) -> None:
        self.direct[user_id] = room_id


class FakeSender:
    """Stands in for the bot's sending nio client: the first try of every request is
    rate-limited, so each step of a delivery is retried once."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.events: list[tuple[str, str, dict[str, Any]]] = []

    def _limited(self, call: str) -> bool:
        self.calls.append(call)
        return self.calls.count(call) == 1

    async def room_create(self, **_: Any) -> Any:
        if self._limited("create"):
            return nio.RoomCreateError("slow", "M_LIMIT_EXCEEDED", 10)
        return nio.RoomCreateResponse("!dm:hs")

    async def upload(self, provider: Any, **_: Any) -> Any:
        if self._limited("upload"):
            return nio.UploadError("slow", "M_LIMIT_EXCEEDED", 10), None
        return nio.UploadResponse("mxc://hs/file"), None

    async def room_send(
        self, room_id: str, _type: str, content: dict[str, Any], tx_id: str, **_: Any
    ) -> Any:
        if self._limited(f"send {tx_id}"):
            return nio.RoomSendError("slow", "M_LIMIT_EXCEEDED", 10, room_id=room_id)
        self.events.append((room_id, tx_id, content))
        return nio.RoomSendResponse("$e", room_id)


async def _until(done: asyncio.Future[bool], time: FakeTime) -> None:
    # The adapter reads its state in a worker thread: give that real (milli)seconds.
    for _ in range(500):
        if done.done():
            return
        await time.advance(10)
        await asyncio.sleep(0.002)


async def test_direct_message_with_a_file_goes_through_the_queue_step_by_step() -> None:
    from om_bot.config import BotConfig, MatrixConfig
    from om_bot.matrix.adapter import MatrixBot
    from om_bot.text.messages import Attachment, Reply

    time = FakeTime()
    state = FakeState()
    bot = MatrixBot(
        MatrixConfig(homeserver="https://hs", user_id="@bot:hs", password="x"),
        BotConfig(),
        state,  # type: ignore[arg-type]
        handle=lambda _: [],
    )
    sender = FakeSender()
    bot.sender = sender
    bot._outbox = SendQueue(bot._attempt, give_up_after=300, clock=time.clock, sleep=time.sleep)
    reply = Reply("Termine", "Termine", attachment=Attachment("t.ics", "text/calendar", b"x"))
    done = asyncio.ensure_future(bot.send(reply.direkt_an("@alice:hs"), None, "txn"))
    await _until(done, time)
    assert done.result() is True
    # Each step was rate-limited once and retried, none repeated after it succeeded.
    assert sender.calls.count("create") == 2 and sender.calls.count("upload") == 2
    assert [(room, txn) for room, txn, _ in sender.events] == [
        ("!dm:hs", "txn-file"),
        ("!dm:hs", "txn"),
    ]
    assert sender.events[0][2]["url"] == "mxc://hs/file"
    assert state.direct == {"@alice:hs": "!dm:hs"}
    # The next direct message reuses the chat although no sync has told nio about it yet.
    again = asyncio.ensure_future(bot.send(Reply("b", "b").direkt_an("@alice:hs"), None, "t2"))
    await _until(again, time)
    assert again.result() is True and sender.calls.count("create") == 2
    await bot.client.close()
