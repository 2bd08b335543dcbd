"""Hot standby: which of several `om-bot run` processes is the active one.

Every process serves /healthz and /metrics; only the holder of the lock
(`om_bot.storage.sperre`: a PostgreSQL advisory lock, or a file lock beside a SQLite file)
migrates the schema, logs in to the homeserver, opens the crypto store, syncs, plans and
sends. `Standby.erwerben` waits for the lock (logging once that this process is a standby,
not every try); `Standby.bewachen` checks it every `Zeiten.pruefen` seconds with a bound of
`Zeiten.pruef_timeout` – in a thread of its own, so a blocked event loop cannot hide a loss –
and calls `verloren` at the first failure: the runtime then stops sending and syncing at once
and the process exits (`om-bot run` with status 75, after at most 5 s even if something hangs),
so the service manager starts it again as a standby.

Timing argument (PostgreSQL; I = pruefen, T = pruef_timeout, G = schonfrist, K = the server's
keepalive bound idle + count × interval = 5 + 3 × 1 = 8 s, `sperre.SERVER_KEEPALIVE`):

- The holder notices a loss at most I + T = 3 s after it happened: the next check starts
  within I and fails or times out within T.
- Killed or its host gone: the kernel closes the socket (SIGKILL) and the server frees the
  lock at once – the holder does nothing any more anyway. Cut off from the server at t0
  (partition): the server heard from it last at t0 − I at the earliest (a check every I) and
  ends the session only after K without an answer, at t0 − I + K = t0 + 7 s; the holder has
  stopped by t0 + 3 s.
- Lock freed while the holder still runs (an admin's pg_terminate_backend, a proxy dropping
  the connection, a server restart): the holder stops within I + T of that. So whoever
  acquires the lock waits G = I + T + 1 s before it acts: the previous holder has stopped
  by then, whatever freed the lock.

A takeover after SIGKILL therefore takes the retry interval R (1 s) + G (4 s) + migration check,
login and the first sync: 5–7 s, within the 10 s asked for. The bound assumes the holder's event
loop runs (a check cannot run while the loop is blocked; nothing in the bot blocks it for
seconds: the checks run in their own thread, and the exit after a loss does not wait for a
hanging event loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from om_bot.storage.sperre import Sperre, SperreVerloren

log = logging.getLogger(__name__)

__all__ = ["Sperre", "SperreVerloren", "Standby", "Zeiten"]


@dataclass(frozen=True)
class Zeiten:
    """The intervals of the standby logic in seconds (tests shorten them)."""

    pruefen: float = 1.0  # I: how often the active process checks its lock
    pruef_timeout: float = 2.0  # T: a check not answered by then counts as lost
    wiederholen: float = 1.0  # R: how often a standby tries to take the lock
    schonfrist: float = 4.0  # G > I + T: wait after acquiring before acting


def _nichts(aktiv: bool) -> None:
    """No observer."""


async def _warten(stop: asyncio.Event, sekunden: float) -> bool:
    """Wait `sekunden` or until `stop`; True when stopped."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), sekunden)
    return stop.is_set()


class Standby:
    """The lock of one process: take it (`erwerben`), watch it (`bewachen`), give it back."""

    def __init__(
        self,
        sperre: Sperre,
        *,
        zeiten: Zeiten | None = None,
        melden: Callable[[bool], None] = _nichts,
    ) -> None:
        self.sperre = sperre
        self.zeiten = zeiten or Zeiten()
        # Told True when this process becomes the active one, False when it stops being it
        # (the om_bot_active gauge).
        self._melden = melden
        self.aktiv = False
        self._gemeldet = ""  # the last standby state logged, so each is logged once
        self._haengt = False  # a check timed out: its thread may still use the connection

    def _einmal(self, zustand: str, stufe: int, text: str, *args: object) -> None:
        if zustand != self._gemeldet:
            self._gemeldet = zustand
            log.log(stufe, text, *args)

    async def erwerben(self, stop: asyncio.Event) -> bool:
        """Wait until this process holds the lock and the grace period `schonfrist` has passed
        (True), or until `stop` (False)."""
        self._melden(False)
        while not stop.is_set():
            try:
                erhalten = await asyncio.to_thread(self.sperre.versuchen)
            except Exception as exc:
                self._einmal(
                    f"fehler:{type(exc).__name__}",
                    logging.WARNING,
                    "standby: cannot reach %s (%s: %s); retrying every %.0f s",
                    self.sperre.beschreibung,
                    type(exc).__name__,
                    str(exc).strip().splitlines()[0] if str(exc).strip() else "",
                    self.zeiten.wiederholen,
                )
                if await _warten(stop, self.zeiten.wiederholen):
                    break
                continue
            if erhalten:
                if await self._schonfrist(stop):
                    return True
                continue
            self._einmal(
                "standby",
                logging.INFO,
                "standby: %s is held by another process; this one waits and takes over "
                "when it is free (trying every %.0f s)",
                self.sperre.beschreibung,
                self.zeiten.wiederholen,
            )
            if await _warten(stop, self.zeiten.wiederholen):
                break
        return False

    async def _schonfrist(self, stop: asyncio.Event) -> bool:
        if not self.sperre.verlierbar:
            # A file lock is freed only when its holder closed it or died: nobody to wait for.
            return self._aktiv_werden()
        log.info(
            "acquired %s; acting in %.1f s (a previous holder has stopped by then)",
            self.sperre.beschreibung,
            self.zeiten.schonfrist,
        )
        if await _warten(stop, self.zeiten.schonfrist):
            return False
        try:
            await asyncio.wait_for(
                asyncio.to_thread(self.sperre.pruefen), self.zeiten.pruef_timeout
            )
        except Exception as exc:
            log.warning("lost %s again before acting (%s); waiting", self.sperre.beschreibung, exc)
            self._gemeldet = ""
            await asyncio.to_thread(self.sperre.freigeben)
            return False
        return self._aktiv_werden()

    def _aktiv_werden(self) -> bool:
        self.aktiv = True
        self._gemeldet = ""
        self._melden(True)
        log.info("active (%s): this process syncs, plans and sends", self.sperre.beschreibung)
        return True

    async def bewachen(self, verloren: Callable[[], None], stop: asyncio.Event) -> None:
        """Check the lock every `pruefen` seconds until `stop`; at the first failed or
        unanswered check mark this process inactive and call `verloren` (then return).

        The checks run in a thread of their own, not on the event loop: a database call that
        hangs on the loop (the adapter writes the sync token there) must not keep the loss from
        being noticed. So `verloren` is called in that thread and must be thread-safe. A lock
        that cannot be lost (`Sperre.verlierbar`) is not watched."""
        if not self.sperre.verlierbar:
            await stop.wait()
            return
        fertig = threading.Event()
        waechter = threading.Thread(
            target=self._wachen, args=(verloren, fertig), name="om-bot lock watch", daemon=True
        )
        waechter.start()
        try:
            await stop.wait()
        finally:
            fertig.set()

    def _wachen(self, verloren: Callable[[], None], fertig: threading.Event) -> None:
        pruefer = ThreadPoolExecutor(1, thread_name_prefix="om-bot lock check")
        try:
            while not fertig.wait(self.zeiten.pruefen):
                try:
                    pruefer.submit(self.sperre.pruefen).result(timeout=self.zeiten.pruef_timeout)
                except Exception as exc:
                    if fertig.is_set():
                        return  # stopping anyway; the connection may be closing
                    self._haengt = isinstance(exc, TimeoutError)
                    grund = f"no answer within {self.zeiten.pruef_timeout:.1f} s"
                    if not self._haengt:
                        grund = f"{type(exc).__name__}: {exc}".strip()
                    self.aktiv = False
                    self._melden(False)
                    log.error(
                        "lost %s (%s); stopping at once: no more sends, no sync, no reminders",
                        self.sperre.beschreibung,
                        grund,
                    )
                    verloren()
                    return
        finally:
            # A check hanging on a dead connection is left behind (its thread ends with the
            # client's TCP timeout or the process).
            pruefer.shutdown(wait=False)

    async def freigeben(self) -> None:
        """Give the lock back (on stop). After an unanswered check the connection may still
        be in use by its thread; it is left to the process exit then."""
        self.aktiv = False
        self._melden(False)
        if not self._haengt:
            await asyncio.to_thread(self.sperre.freigeben)
