"""Wiring for a running bot: the adapter's persistent state and the bot's composition.

`build` turns a `Config` into the pieces (engine, units of work, router, Matrix adapter);
`run_bot` runs them until SIGTERM/SIGINT. Nothing here runs at import.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from om_bot.app.kalender import kalender_routen
from om_bot.app.metriken import Metriken
from om_bot.app.planer import Planer, Schlafen, Wecker
from om_bot.app.web import Gesundheit, Webserver, standard_routen
from om_bot.chat.registry import Registry, help_prefix
from om_bot.chat.router import Dienste, Router
from om_bot.commands import familien
from om_bot.config import Config
from om_bot.domain import orte
from om_bot.domain.roles import Rollen
from om_bot.domain.termine import Regeln
from om_bot.matrix.adapter import JoinedRoom, MatrixBot
from om_bot.services.datenschutz import Fristen, aufbewahrung
from om_bot.services.erinnerungsquellen import Planung, planung_aus
from om_bot.services.kalender import Feedinhalt, abrufen
from om_bot.services.kalender_abo import AboAdresse
from om_bot.services.limits import Grenzen
from om_bot.storage.db import make_engine, migrate
from om_bot.storage.uow import UnitOfWork, uow_factory
from om_bot.text.messages import Reply

log = logging.getLogger(__name__)

SYNC_TOKEN = "sync_token"
NOT_BEFORE = "not_before"
# Handled event ids are kept long enough to cover any replay of a stored sync token.
EVENT_MEMORY = timedelta(days=30)


class DatabaseState:
    """`om_bot.matrix.adapter.AdapterState` on the database: sync token, handled events, rooms."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        aufbewahrung: Callable[[datetime], object] | None = None,
    ) -> None:
        self.uow = uow
        self._pruned: datetime | None = None
        # The retention job (`om_bot.services.datenschutz.aufbewahrung`), run with the event
        # pruning.
        self._aufbewahrung = aufbewahrung

    def sync_token(self) -> str | None:
        with self.uow() as uow:
            return uow.zustand.get(SYNC_TOKEN)

    def save_sync_token(self, token: str) -> None:
        with self.uow() as uow:
            uow.zustand.set(SYNC_TOKEN, token)
            uow.commit()

    def not_before(self) -> datetime | None:
        with self.uow() as uow:
            value = uow.zustand.get(NOT_BEFORE)
        return datetime.fromisoformat(value) if value else None

    def set_not_before(self, when: datetime) -> None:
        with self.uow() as uow:
            if uow.zustand.get(NOT_BEFORE) is None:
                uow.zustand.set(NOT_BEFORE, when.astimezone(UTC).isoformat())
                uow.commit()

    def claim(self, event_id: str, room_id: str, now: datetime) -> bool:
        """Mark `event_id` handled; False if it was already (a replayed sync)."""
        aufraeumen = False
        with self.uow() as uow:
            if not uow.events.beanspruchen(event_id, room_id, now):
                return False
            # Pruning is housekeeping, not per-message work: at most once an hour.
            if self._pruned is None or now - self._pruned > timedelta(hours=1):
                uow.events.vergiss_vor(now - EVENT_MEMORY)
                self._pruned = now
                aufraeumen = True
            uow.commit()
        if aufraeumen and self._aufbewahrung is not None:
            # Its own transaction, after the claim: a failure must not lose the message.
            try:
                self._aufbewahrung(now)
            except Exception:
                log.exception("retention job failed; it runs again in an hour")
        return True

    def joined(self, room_id: str, now: datetime, direct: bool) -> None:
        with self.uow() as uow:
            uow.raeume.beigetreten(room_id, now, direct)
            uow.commit()

    def opened_direct(self, room_id: str, user_id: str, now: datetime) -> None:
        with self.uow() as uow:
            raum = uow.raeume.beigetreten(room_id, now, direkt=True)
            raum.direkt_mit = user_id
            uow.commit()

    def direct_room(self, user_id: str) -> str | None:
        with self.uow() as uow:
            raum = uow.raeume.direkt_mit(user_id)
            return raum.room_id if raum else None

    def room(self, room_id: str) -> JoinedRoom | None:
        with self.uow() as uow:
            raum = uow.raeume.get(room_id)
            return JoinedRoom(raum.beigetreten, raum.direkt) if raum else None


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


def _systemzeit() -> datetime:
    return datetime.now(UTC)


def build(
    config: Config,
    clock: Callable[[], datetime] = _systemzeit,
    schlafen: Schlafen = asyncio.sleep,
) -> App:
    """Compose the application for `config`; migrates the database to the newest schema.

    `clock` is the bot's "now": the commands (`ctx.now()`) and the reminder scheduler read it,
    and the scheduler waits with `schlafen(seconds)` for a due time on that clock – a test
    passes a fake clock and a sleep that returns when the fake clock is advanced. The Matrix
    adapter keeps the wall clock: it compares against the homeserver's timestamps.
    """
    engine = make_engine(config.database.url)
    migrate(engine)
    uow = uow_factory(engine)
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
    return App(config, engine, uow, dienste, Router(dienste), wecker, schlafen, metriken, web)


def _feed(
    uow: Callable[[], UnitOfWork], token: str, clock: Callable[[], datetime], config: Config
) -> Feedinhalt | None:
    with uow() as u:
        return abrufen(u, token, clock(), config.bot.tz)


def make_bot(app: App) -> MatrixBot:
    fristen = Fristen.aus(app.config.datenschutz)
    state = DatabaseState(app.uow, lambda jetzt: aufbewahrung(app.uow, jetzt, fristen))
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


def gesundheit(app: App, bot: MatrixBot) -> Gesundheit:
    """/healthz of `app` running `bot`: synced within twice the long-polling timeout plus
    30 s (a sync returns at least that often), and the database answers."""
    max_alter = timedelta(milliseconds=2 * app.config.matrix.sync_timeout_ms, seconds=30)
    return Gesundheit(lambda: bot.synced_at, lambda: _datenbank_antwortet(app), max_alter)


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


async def run_bot(app: App, stop: asyncio.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or `stop`); the command in progress is finished first."""
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
    bot = make_bot(app)
    app.metriken.sync_quelle(lambda: bot.synced_at)
    if app.web is not None:
        standard_routen(app.web, app.metriken, gesundheit(app, bot))
        await app.web.start()
    erinnern = asyncio.create_task(_erinnern(app, bot, make_planer(app, bot), stop))
    try:
        await bot.run(stop)
    finally:
        # A reminder cut off mid-send is sent again on the next start with the same
        # transaction id; the homeserver deduplicates it.
        erinnern.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await erinnern
        if app.web is not None:
            await app.web.stop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        app.engine.dispose()
        log.info("stopped")
