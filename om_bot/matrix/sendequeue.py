"""Outgoing messages: one ordered queue and one worker task per room.

The sync loop only enqueues; it never waits for a send. Each destination (a room id, or a user
id for a direct chat not opened yet) has its own queue, worked off in order by its own task, so
a room waiting out a rate limit (429 with ``retry_after_ms``) delays only its own later messages,
never the replies in other rooms. A worker ends as soon as its queue is empty, so a bot in many
rooms keeps no idle tasks.

The queue knows nothing about Matrix: it calls an ``attempt`` coroutine with the payload and
acts on the `Outcome` (sent, wait this long, failed). Retrying the same payload must be safe;
the adapter makes it so with deterministic transaction ids. A message is given up once its next
try would fall after ``give_up_after`` seconds from enqueueing (or after ``attempts`` failures
that were not rate limits, or at once after a final one), with a warning naming destination,
transaction id and waited time – never the content, which may hold personal data. Clock and
sleep are parameters, so the tests run without real waits. An optional ``melden(art, seconds)``
is told of every retry (``RATE_LIMITED`` with the wait, ``FAILED`` with the backoff) and
every message given up (``GIVEN_UP``): the metrics count them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Sent:
    """The homeserver accepted the message."""


@dataclass(frozen=True)
class RetryAfter:
    """Rate-limited: try again after this many seconds (the server's ``retry_after_ms``)."""

    seconds: float


@dataclass(frozen=True)
class Failed:
    """Any other failure; tried again with backoff, at most ``attempts`` times – unless
    `final` (e.g. forbidden), where trying again cannot help."""

    reason: str
    final: bool = False


Outcome = Sent | RetryAfter | Failed
SENT = Sent()
# What `melden` is told.
RATE_LIMITED, FAILED, GIVEN_UP = "rate_limited", "failed", "given_up"
Melden = Callable[[str, float], None]


def _still(art: str, seconds: float) -> None:
    """No observer."""


# A failed try is repeated after 1, 2, 4, … seconds, never more than this.
MAX_BACKOFF = 30.0


@dataclass
class _Job(Generic[T]):
    key: str
    txn: str
    payload: T
    attempts: int
    enqueued: float
    done: asyncio.Future[bool] = field(repr=False)

    def finish(self, sent: bool) -> None:
        # The caller may have stopped waiting (its task cancelled); the result then goes nowhere.
        if not self.done.done():
            self.done.set_result(sent)


class SendQueue(Generic[T]):
    """Per-destination ordered delivery with bounded retries; see the module docstring."""

    def __init__(
        self,
        attempt: Callable[[T], Awaitable[Outcome]],
        *,
        give_up_after: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        melden: Melden | None = None,
    ) -> None:
        self._attempt = attempt
        self._melden = melden or _still
        self.give_up_after = give_up_after
        self._clock = clock
        self._sleep = sleep
        self._queues: dict[str, deque[_Job[T]]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._closing = False

    @property
    def workers(self) -> int:
        """Running worker tasks (one per destination with messages waiting)."""
        return len(self._workers)

    def put(self, key: str, txn: str, payload: T, attempts: int = 5) -> asyncio.Future[bool]:
        """Queue `payload` for `key`; the future says whether it was sent (False: given up)."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        job = _Job(key, txn, payload, attempts, self._clock(), done)
        if self._closing:
            log.warning("not sending %s to %s: shutting down", txn, key)
            job.finish(False)
            return done
        self._queues.setdefault(key, deque()).append(job)
        if key not in self._workers:
            self._workers[key] = asyncio.create_task(self._work(key), name=f"send to {key}")
        return done

    async def _work(self, key: str) -> None:
        queue = self._queues[key]
        while queue:
            job = queue[0]
            try:
                sent = await self._deliver(job)
                if not sent:
                    self._melden(GIVEN_UP, 0.0)
            except Exception:
                # A bug here must not wedge the room: its later messages still go out.
                log.exception("delivering %s to %s failed", job.txn, job.key)
                sent = False
            queue.popleft()
            job.finish(sent)
        # No await between the empty check and here: a `put` cannot slip in and be stranded.
        del self._queues[key]
        del self._workers[key]

    async def _deliver(self, job: _Job[T]) -> bool:
        deadline = job.enqueued + self.give_up_after
        failures = 0
        while True:
            try:
                outcome = await self._attempt(job.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("sending %s to %s raised", job.txn, job.key)
                outcome = Failed(type(exc).__name__)
            if isinstance(outcome, Sent):
                return True
            now = self._clock()
            if isinstance(outcome, RetryAfter):
                wait = max(outcome.seconds, 0.0)
                log.info("%s is rate-limited; retrying %s in %.1f s", job.key, job.txn, wait)
            else:
                failures += 1
                log.warning(
                    "sending %s to %s failed (attempt %d): %s",
                    job.txn,
                    job.key,
                    failures,
                    outcome.reason,
                )
                if outcome.final or failures >= job.attempts:
                    log.error(
                        "giving up sending %s to %s after %d failed attempt(s)",
                        job.txn,
                        job.key,
                        failures,
                    )
                    return False
                wait = min(2.0 ** (failures - 1), MAX_BACKOFF)
            if now + wait > deadline:
                if isinstance(outcome, RetryAfter):
                    # Counted as a 429 although not waited out.
                    self._melden(RATE_LIMITED, 0.0)
                # Waiting would end past the bound: a reply that late is no use to anyone.
                log.warning(
                    "giving up sending %s to %s after waiting %.0f s (limit %.0f s)",
                    job.txn,
                    job.key,
                    now - job.enqueued,
                    self.give_up_after,
                )
                return False
            self._melden(RATE_LIMITED if isinstance(outcome, RetryAfter) else FAILED, wait)
            await self._sleep(wait)

    async def close(self, grace: float) -> None:
        """Refuse new messages, let the queued ones go out for up to `grace` seconds, then
        abandon the rest (their futures say False) with one log line per destination."""
        self._closing = True
        workers = list(self._workers.values())
        if workers:
            await asyncio.wait(workers, timeout=grace)
        for key, task in list(self._workers.items()):
            task.cancel()
            queue = self._queues.get(key, deque())
            log.warning(
                "shutdown: abandoning %d unsent message(s) to %s (%s)",
                len(queue),
                key,
                ", ".join(job.txn for job in queue),
            )
            for job in queue:
                job.finish(False)
        if self._workers:
            await asyncio.wait(list(self._workers.values()))
        self._queues.clear()
        self._workers.clear()
