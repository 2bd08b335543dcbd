"""A fake clock for the bot (`runtime.build(config, clock=uhr, schlafen=uhr.sleep)`).

The test moves it with `advance`. It is either frozen (in-process command tests: "now" is
exactly what the test set) or running (the Matrix tests: real seconds pass on it, and
`advance` jumps ahead, so a reminder due in two minutes is due after a jump and a few real
seconds). `sleep(seconds)` – the reminder scheduler's wait – returns once the clock has moved
that far: on a running clock after the remaining real time, on any clock at once when an
`advance` goes past it. Thread-safe: commands read it in worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime | None = None, *, running: bool = False) -> None:
        self.running = running
        self._start = (start or datetime.now(UTC)).astimezone(UTC)
        self._real_start = time.monotonic()
        self._offset = timedelta(0)
        self._lock = threading.Lock()
        self._sleepers: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    def __call__(self) -> datetime:
        with self._lock:
            now = self._start + self._offset
        if self.running:
            now += timedelta(seconds=time.monotonic() - self._real_start)
        return now

    def advance(self, delta: timedelta | None = None, **dauer: float) -> datetime:
        """Move the clock forward by `delta` (or `timedelta(**dauer)`); wakes every sleeper."""
        step = delta if delta is not None else timedelta(**dauer)
        if step < timedelta(0):
            raise ValueError("a clock does not go back")
        with self._lock:
            self._offset += step
            sleepers = list(self._sleepers)
        for loop, woken in sleepers:
            # The loop may just be closing when a test ends.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(woken.set)
        return self()

    def advance_to(self, when: datetime) -> datetime:
        """Move the clock forward to `when` (no step if it is already later)."""
        return self.advance(max(when - self(), timedelta(0)))

    async def sleeping(self, timeout: float = 30) -> None:
        """Return once something sleeps on this clock: the reminder scheduler has finished its
        round and waits for the next due time."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if self._sleepers:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError("nothing sleeps on this clock")
            await asyncio.sleep(0.01)

    async def sleep(self, seconds: float) -> None:
        """Return once `seconds` have passed on this clock."""
        until = self() + timedelta(seconds=seconds)
        loop = asyncio.get_running_loop()
        while True:
            woken = asyncio.Event()
            entry = (loop, woken)
            with self._lock:
                self._sleepers.add(entry)
            try:
                # Registered before reading the clock: no advance in between is missed.
                rest = (until - self()).total_seconds()
                if rest <= 0:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), rest if self.running else None)
            finally:
                with self._lock:
                    self._sleepers.discard(entry)
