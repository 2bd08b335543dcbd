"""The optional HTTP server in the bot's process (``[http]``, off by default), on aiohttp.

`Webserver` is a table of routes plus start/stop: the runtime adds its routes before `start`
(`/metrics`, `/healthz` – `standard_routen`); other features add theirs the same way
(``web.get("/kalender/{token}.ics", handler)``). Handlers are aiohttp handlers and run on the
bot's event loop, so they do blocking work (the database) in a worker thread.

`/healthz` answers 200 when the last sync is recent and the database answers, 503 otherwise,
with a small JSON body saying which; `/metrics` is the Prometheus text of the app's registry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from om_bot.app.metriken import CONTENT_TYPE, Metriken
from om_bot.config import HttpConfig

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# How long /healthz waits for the database before it counts as not answering.
DB_TIMEOUT = 5.0


class Webserver:
    """Routes, then `start()` on ``[http] bind``/``port`` and `stop()`."""

    def __init__(self, config: HttpConfig) -> None:
        self.config = config
        self._routen: dict[tuple[str, str], Handler] = {}
        self._runner: web.AppRunner | None = None
        self.port: int | None = None  # the bound port once started (also for port = 0)

    def route(self, methode: str, pfad: str, handler: Handler) -> None:
        """Serve `methode` `pfad` (aiohttp's syntax, ``/x/{name}``) by `handler`; before
        `start`. The same route again replaces the handler."""
        if self._runner is not None:
            raise RuntimeError("routes are added before the server starts")
        self._routen[(methode.upper(), pfad)] = handler

    def get(self, pfad: str, handler: Handler) -> None:
        self.route("GET", pfad, handler)

    @property
    def pfade(self) -> list[str]:
        return sorted({pfad for _, pfad in self._routen})

    @property
    def url(self) -> str:
        """The local address (e.g. for tests); the public one is ``[http] public_url``."""
        host = self.config.bind
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    async def start(self) -> None:
        anwendung = web.Application()
        for (methode, pfad), handler in self._routen.items():
            anwendung.router.add_route(methode, pfad, handler)
        runner = web.AppRunner(anwendung, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.config.bind, self.config.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        adressen = runner.addresses
        self.port = int(adressen[0][1]) if adressen else self.config.port
        log.info("HTTP server on %s (%s)", self.url, ", ".join(self.pfade))

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            log.info("HTTP server stopped")


def _jetzt() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Gesundheit:
    """What /healthz checks: a recent sync and a database that answers."""

    letzter_sync: Callable[[], datetime | None]
    # Raises when the database does not answer; called in a worker thread.
    datenbank: Callable[[], object]
    max_alter: timedelta
    uhr: Callable[[], datetime] = _jetzt
    # Whether this process is the active one (`om_bot.app.standby`); a standby does not sync,
    # so it is healthy when its database answers. None: always active.
    aktiv: Callable[[], bool] | None = None

    async def pruefen(self) -> tuple[bool, dict[str, Any]]:
        bericht: dict[str, Any] = {}
        zuletzt = self.letzter_sync()
        standby = self.aktiv is not None and not self.aktiv()
        if self.aktiv is not None:
            bericht["role"] = "standby" if standby else "active"
        if standby:
            bericht["sync"] = "standby"
        elif zuletzt is None:
            bericht["sync"] = "never"
        else:
            alter = (self.uhr() - zuletzt).total_seconds()
            bericht["sync_age_seconds"] = round(alter, 1)
            bericht["sync"] = "ok" if alter <= self.max_alter.total_seconds() else "stale"
        try:
            await asyncio.wait_for(asyncio.to_thread(self.datenbank), DB_TIMEOUT)
            bericht["database"] = "ok"
        except Exception as exc:
            log.warning("health check: the database does not answer: %s", type(exc).__name__)
            bericht["database"] = "error"
        gesund = bericht["sync"] in {"ok", "standby"} and bericht["database"] == "ok"
        bericht["status"] = "ok" if gesund else "unavailable"
        return gesund, bericht


def standard_routen(server: Webserver, metriken: Metriken, gesundheit: Gesundheit) -> None:
    """`/metrics` and `/healthz` on `server`."""

    async def metrics(request: web.Request) -> web.StreamResponse:
        return web.Response(body=metriken.text(), headers={"Content-Type": CONTENT_TYPE})

    async def healthz(request: web.Request) -> web.StreamResponse:
        gesund, bericht = await gesundheit.pruefen()
        return web.json_response(bericht, status=200 if gesund else 503)

    server.get("/metrics", metrics)
    server.get("/healthz", healthz)
