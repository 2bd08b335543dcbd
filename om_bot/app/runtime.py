"""Wiring for a running bot: the adapter's persistent state and the bot's composition.

`build` turns a `Config` into the pieces (engine, units of work, router, Matrix adapter; the
adapter's state on the database is `om_bot.app.zustand`);
`run_bot` runs them until SIGTERM/SIGINT – as the active process once it holds the lock
(`om_bot.app.standby`), a standby until then. Nothing here runs at import.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from om_bot.app.kalender import kalender_routen
from om_bot.app.metriken import Metriken
from om_bot.app.planer import Planer, Schlafen, Wecker
from om_bot.app.standby import Standby, Zeiten
from om_bot.app.web import Gesundheit, Webserver, standard_routen
from om_bot.app.zustand import SYNC_TOKEN, Anspruch, DatabaseState
from om_bot.chat.registry import Registry, help_prefix
from om_bot.chat.router import Dienste, Router
from om_bot.commands import familien
from om_bot.config import Config
from om_bot.domain import orte
from om_bot.domain.roles import Rollen
from om_bot.domain.termine import Regeln
from om_bot.matrix.adapter import MatrixBot
from om_bot.services.datenschutz import Fristen, aufbewahrung
from om_bot.services.erinnerungsquellen import Planung, planung_aus
from om_bot.services.kalender import Feedinhalt, abrufen
from om_bot.services.kalender_abo import AboAdresse
from om_bot.services.limits import Grenzen
from om_bot.storage.db import make_engine, migrate
from om_bot.storage.sperre import Sperre, SperreVerloren, sperre_fuer
from om_bot.storage.uow import UnitOfWork, uow_factory
from om_bot.text.messages import Reply

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class App:
    config: Config
    engine: Engine
    uow: Callable[[], UnitOfWork]
    dienste: Dienste
    router: Router
    # Wakes the reminder scheduler; `run_bot` connects it (also `dienste.wecker`).
    wecker: Wecker = field(default_factory=Wecker)
    # How the reminder scheduler waits for the next due time, on the clock `dienste.now`.
    schlafen: Schlafen = asyncio.sleep
    # This app's Prometheus registry (never the global one) and the optional HTTP server
    # (`[http]`), started by `run_bot` when enabled; features add routes to it before that.
    metriken: Metriken = field(default_factory=Metriken)
    web: Webserver | None = None
    # The lock that makes one of several processes the active one (None: in-memory SQLite)
    # and the standby logic's intervals.
    sperre: Sperre | None = None
    zeiten: Zeiten = field(default_factory=Zeiten)
    # Hooked into `uow`: a command's claim is committed with what it changes.
    anspruch: Anspruch = field(default_factory=Anspruch)


def _systemzeit() -> datetime:
    return datetime.now(UTC)


def build(
    config: Config,
    clock: Callable[[], datetime] = _systemzeit,
    schlafen: Schlafen = asyncio.sleep,
    *,
    migrieren: bool = True,
) -> App:
    """Compose the application for `config`; migrates the database to the newest schema
    unless `migrieren` is False (`om-bot run`: `run_bot` migrates once it is the active one).

    `clock` is the bot's "now": the commands (`ctx.now()`) and the reminder scheduler read it,
    and the scheduler waits with `schlafen(seconds)` for a due time on that clock – a test
    passes a fake clock and a sleep that returns when the fake clock is advanced. The Matrix
    adapter keeps the wall clock: it compares against the homeserver's timestamps.
    """
    engine = make_engine(config.database.url)
    if migrieren:
        migrate(engine)
    anspruch = Anspruch()
    uow = uow_factory(engine, anspruch)
    prefix = help_prefix(config.bot.prefixes)
    registry = Registry(familien(), prefix=prefix)
    wecker = Wecker()
    metriken = Metriken()
    dienste = Dienste(
        registry=registry,
        rollen=Rollen.aus(config.bot.admins, config.bot.geschaeftsstelle_users),
        uow=uow,
        now=clock,
        tz=config.bot.tz,
        prefixes=config.bot.prefixes,
        geschaeftsstelle_room=config.bot.geschaeftsstelle_room,
        wecker=wecker,
        erweiterungen={
            Planung: planung_aus(config, prefix),
            Regeln: config.termine.regeln(),
            AboAdresse: AboAdresse(config.http.enabled, config.http.public_url),
        },
        grenzen=Grenzen(config.grenzen.werte()),
        beobachter=metriken.befehl,
    )
    web = Webserver(config.http) if config.http.enabled else None
    if web is not None:
        # The calendar feeds (`/kalender/<token>.ics`); /metrics and /healthz come in `run_bot`.
        kalender_routen(web, lambda token: _feed(uow, token, clock, config))
    sperre = sperre_fuer(config.database.url)
    return App(
        config,
        engine,
        uow,
        dienste,
        Router(dienste),
        wecker,
        schlafen,
        metriken,
        web,
        sperre,
        anspruch=anspruch,
    )


def _feed(
    uow: Callable[[], UnitOfWork], token: str, clock: Callable[[], datetime], config: Config
) -> Feedinhalt | None:
    with uow() as u:
        return abrufen(u, token, clock(), config.bot.tz)


def make_bot(app: App) -> MatrixBot:
    fristen = Fristen.aus(app.config.datenschutz)
    state = DatabaseState(
        app.uow, lambda jetzt: aufbewahrung(app.uow, jetzt, fristen), app.anspruch
    )
    return MatrixBot(
        app.config.matrix, app.config.bot, state, app.router.handle, melden=app.metriken.senden
    )


def make_planer(app: App, bot: MatrixBot) -> Planer:
    """The reminder scheduler of `app`, sending through `bot`."""

    async def senden(reply: Reply, txn: str) -> bool:
        # Few attempts: the scheduler retries later itself and must not stall other reminders.
        return await bot.send(reply, None, txn, attempts=2)

    planung = app.dienste.von(Planung) or planung_aus(app.config, app.dienste.prefix)
    return Planer(
        app.uow,
        planung,
        senden,
        uhr=app.dienste.now,
        schlafen=app.schlafen,
        melden=app.metriken.erinnerung,
    )


def _datenbank_antwortet(app: App) -> None:
    with app.uow() as uow:
        uow.zustand.get(SYNC_TOKEN)


def gesundheit(
    app: App, letzter_sync: Callable[[], datetime | None], aktiv: Callable[[], bool]
) -> Gesundheit:
    """/healthz of `app`: synced within twice the long-polling timeout plus 30 s (a sync
    returns at least that often) – a standby does not sync – and the database answers."""
    max_alter = timedelta(milliseconds=2 * app.config.matrix.sync_timeout_ms, seconds=30)
    return Gesundheit(letzter_sync, lambda: _datenbank_antwortet(app), max_alter, aktiv=aktiv)


async def _erinnern(app: App, bot: MatrixBot, planer: Planer, stop: asyncio.Event) -> None:
    """Run the scheduler once the bot has logged in and synced, until `stop`."""
    bereit = asyncio.ensure_future(bot.ready.wait())
    halt = asyncio.ensure_future(stop.wait())
    await asyncio.wait({bereit, halt}, return_when=asyncio.FIRST_COMPLETED)
    for aufgabe in (bereit, halt):
        aufgabe.cancel()
    if stop.is_set():
        return
    app.wecker.verbinden(asyncio.get_running_loop(), planer.wecken)
    try:
        await planer.laufen(stop)
    finally:
        app.wecker.trennen()


# After a lost lock the bot gets this long to wind down before `run_bot` raises anyway (a
# worker thread may hang on a database that is cut off; it sends nothing any more).
ABBAU_NACH_VERLUST = 5.0


@dataclass
class _Aktiv:
    """What /healthz and /metrics read while the process runs: the bot once it is active."""

    bot: MatrixBot | None = None
    standby: Standby | None = None

    def synced_at(self) -> datetime | None:
        return self.bot.synced_at if self.bot is not None else None

    def aktiv(self) -> bool:
        return self.standby is None or self.standby.aktiv


async def run_bot(
    app: App, stop: asyncio.Event | None = None, notaus: Callable[[], None] | None = None
) -> None:
    """Run until SIGTERM/SIGINT (or `stop`); the command in progress is finished first.

    Several processes may run on one database: until this one holds the lock
    (`om_bot.app.standby`) it is a standby – /healthz and /metrics answer, nothing else
    happens (no migration, no login, no crypto store). Raises `SperreVerloren` when the lock is
    lost while active, after sending and syncing have stopped; the process should exit then.
    `notaus` (`om-bot run`: exit the process) is called from a thread when winding down after
    a lost lock takes longer than `ABBAU_NACH_VERLUST` – e.g. the event loop hangs in a
    database call to a server that is cut off.
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Outside the main thread (tests) there are no signal handlers; the caller sets `stop`.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    # The place table (tens of thousands of long-lived objects) is loaded before the first
    # command, in a worker thread, and then moved out of the garbage collector's generations:
    # otherwise a collection now and then walks it and a command waits 100 ms for that.
    await asyncio.to_thread(orte.tabelle)
    gc.freeze()
    zustand = _Aktiv()
    if app.sperre is not None:
        zustand.standby = Standby(app.sperre, zeiten=app.zeiten, melden=app.metriken.aktiv_setzen)
    app.metriken.sync_quelle(zustand.synced_at)
    try:
        if app.web is not None:
            standard_routen(
                app.web, app.metriken, gesundheit(app, zustand.synced_at, zustand.aktiv)
            )
            await app.web.start()
        if zustand.standby is None:
            app.metriken.aktiv_setzen(True)
        elif not await zustand.standby.erwerben(stop):
            return
        await _aktiv(app, zustand, stop, notaus)
    finally:
        if app.web is not None:
            await app.web.stop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        if zustand.standby is not None:
            await zustand.standby.freigeben()
        app.metriken.aktiv_setzen(False)
        app.engine.dispose()
        log.info("stopped")


async def _aktiv(
    app: App, zustand: _Aktiv, stop: asyncio.Event, notaus: Callable[[], None] | None
) -> None:
    """The active process: migrate, then sync, plan and send until `stop` or a lost lock."""
    await asyncio.to_thread(migrate, app.engine)
    bot = make_bot(app)
    zustand.bot = bot
    loop = asyncio.get_running_loop()
    # `halt` ends the bot and the scheduler: on `stop`, or at once when the lock is lost.
    halt = asyncio.Event()
    verloren = asyncio.Event()

    def sperre_verloren() -> None:
        # Called in the lock watch thread: the flag first, then the loop is told.
        bot.fence()
        if notaus is not None:
            wecker = threading.Timer(ABBAU_NACH_VERLUST, notaus)
            wecker.daemon = True
            wecker.start()
        loop.call_soon_threadsafe(verloren.set)
        loop.call_soon_threadsafe(halt.set)

    async def halt_bei_stop() -> None:
        await stop.wait()
        halt.set()

    aufgaben = [
        asyncio.create_task(halt_bei_stop()),
        asyncio.create_task(_erinnern(app, bot, make_planer(app, bot), halt)),
    ]
    if zustand.standby is not None:
        aufgaben.append(asyncio.create_task(zustand.standby.bewachen(sperre_verloren, halt)))
    lauf = asyncio.create_task(bot.run(halt))
    verlust = asyncio.create_task(verloren.wait())
    try:
        await asyncio.wait({lauf, verlust}, return_when=asyncio.FIRST_COMPLETED)
        if verloren.is_set():
            await asyncio.wait({lauf}, timeout=ABBAU_NACH_VERLUST)
            raise SperreVerloren("the lock was lost while active; stopped sending and syncing")
        await lauf
    finally:
        # A reminder cut off mid-send is sent again by the next active process with the same
        # transaction id; the homeserver deduplicates it.
        for aufgabe in (*aufgaben, lauf, verlust):
            aufgabe.cancel()
        for aufgabe in (*aufgaben, lauf, verlust):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await aufgabe
