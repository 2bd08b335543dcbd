"""The scheduler: one asyncio task that sends every due reminder once, at its time.

Each round it (1) asks the sources what they want (`om_bot.services.erinnerungsquellen.Planung`) and
reconciles that with the stored reminders – new keys are inserted, changed ones updated,
unsent ones nobody wants any more deleted, sent ones never touched; (2) sends what is due; and
(3) sleeps until the next due time, or until woken (`wecken`, e.g. after a command changed
something), or at most an hour (the planning horizon moves with time). There is no polling
loop: with nothing due the task sleeps.

Incremental: a round the clock starts plans every source; a round a command starts
(``wecken(geaendert)`` with the areas the command wrote, `om_bot.storage.bereiche`) plans only
the sources that read one of those areas when they were last planned, merges their new wishes
with the others' last ones and reconciles – a command that changed nothing a reminder reads
plans nothing. Planning waits `NACHLAUF` after the wake-up, so the command's reply is out first
and a burst of commands is planned once.

Precision: the task wakes `VORLAUF` (2 s) before a due time and plans then; at the due time it
sends from that fresh plan without planning again (unless woken in between), so however long
planning takes, it does not delay the send.

Durability: reminders live in the database (`erinnerung`). A reminder is sent with the
transaction id `transaktions_id(id, key)` and then marked sent in its own transaction. If the
process dies between the two, the next start sends it again with the same transaction id, and
the homeserver, which scopes transaction ids to the bot's device and access token (kept across
restarts in ``credentials.json``), returns the first event instead of posting a second.

Catch-up: after a downtime overdue reminders are sent once on start while they are still useful
(`gueltig_bis`); of several overdue reminders of one group only the latest goes out; an event
reminder for an event that is already over is dropped and logged. A reminder that was first
planned only after its due time (an event registered 30 minutes ahead with a 1-hour offset) is
recorded as dropped, not sent late.

Clock and sleep are injected, so tests run the scheduler through days in milliseconds. An
optional ``melden(art, seconds)`` is told of each reminder sent (``GESENDET`` with how late) and
each dropped (``VERPASST``, ``ABGELAUFEN``, ``UEBERHOLT``): the metrics count them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from om_bot.domain.erinnerungen import Faellig, GeplanteErinnerung, auswaehlen
from om_bot.services.benachrichtigung import Geschaeftsstelle, adressieren
from om_bot.services.erinnerungsquellen import Planung, Teilplan
from om_bot.storage.models import Erinnerung
from om_bot.storage.uow import UnitOfWork
from om_bot.text.messages import Reply

log = logging.getLogger(__name__)

Senden = Callable[[Reply, str], Awaitable[bool]]
Uhr = Callable[[], datetime]
Schlafen = Callable[[float], Awaitable[None]]

# The scheduler wakes this long before a due time to plan (reconcile), then sends at the due
# time from the stored plan without planning again – unless it was woken in between. So the
# cost of planning never makes a reminder late.
VORLAUF = timedelta(seconds=2)
# After a command woke it, the scheduler waits this long (real time) before planning: the reply
# goes out without competing with planning for the interpreter and the database, and the
# commands of a burst are planned together.
NACHLAUF = 0.2
# Sent and dropped reminders are kept this long after they stopped being useful: the ledger
# that keeps a key from being sent twice needs them only while a source could still want it.
AUFBEWAHRUNG = timedelta(days=30)
GRUND_VERPASST = "erst nach Fälligkeit geplant"
GRUND_ABGELAUFEN = "abgelaufen"
GRUND_UEBERHOLT = "überholt"
# What `melden` is told (the metrics' labels).
GESENDET, VERPASST, ABGELAUFEN, UEBERHOLT = "sent", "missed", "expired", "superseded"
Melden = Callable[[str, float], None]


def _still(art: str, sekunden: float) -> None:
    """No observer."""


def transaktions_id(erinnerung_id: int, schluessel: str) -> str:
    """The Matrix transaction id of a reminder: the same on every retry of the same reminder.

    The key's digest is part of it because SQLite may reuse the id of a deleted row; a new
    reminder must never be deduplicated against an old one.
    """
    digest = hashlib.sha256(schluessel.encode()).hexdigest()[:16]
    return f"om-bot-erinnerung-{erinnerung_id}-{digest}"


@dataclass(frozen=True)
class Abgleich:
    neu: int = 0
    geaendert: int = 0
    entfernt: int = 0
    verpasst: int = 0
    abgelaufen: int = 0


_FELDER = ("art", "room_id", "gruppe", "faellig", "gueltig_bis", "titel", "text", "html")


def abgleichen(
    uow: UnitOfWork, gewuenscht: Mapping[str, GeplanteErinnerung], jetzt: datetime
) -> Abgleich:
    """Make the stored reminders what the sources want (without committing)."""
    repo = uow.erinnerungen
    offen = {r.schluessel: r for r in repo.offene()}
    bekannt = repo.schluessel_bekannt(k for k in gewuenscht if k not in offen)
    neu = geaendert = entfernt = verpasst = abgelaufen = 0
    for schluessel, g in gewuenscht.items():
        row = offen.get(schluessel)
        if row is not None:
            werte = {f: getattr(g, f) for f in _FELDER}
            if any(getattr(row, f) != wert for f, wert in werte.items()):
                for f, wert in werte.items():
                    setattr(row, f, wert)
                geaendert += 1
            continue
        if schluessel in bekannt:
            continue  # sent or dropped before: never again
        row = Erinnerung(schluessel=schluessel, angelegt=jetzt, grund="")
        for f in _FELDER:
            setattr(row, f, getattr(g, f))
        if g.faellig <= jetzt and g.verpasst():
            row.verworfen, row.grund = jetzt, GRUND_VERPASST
            verpasst += 1
            log.info("not sending %s late: planned only after it was due", schluessel)
        repo.add(row)
        neu += 1
    for schluessel, row in offen.items():
        if schluessel in gewuenscht:
            continue
        if row.faellig <= jetzt and row.gueltig_bis <= jetzt:
            row.verworfen, row.grund = jetzt, GRUND_ABGELAUFEN
            abgelaufen += 1
            log.warning(
                "dropped reminder %s (due %s): no longer useful, e.g. the event is over",
                schluessel,
                row.faellig.isoformat(),
            )
        else:
            repo.loesche(row)
            entfernt += 1
    repo.aufraeumen(jetzt - AUFBEWAHRUNG)
    return Abgleich(neu, geaendert, entfernt, verpasst, abgelaufen)


def _faellig(row: Erinnerung) -> Faellig:
    return Faellig(
        id=row.id,
        schluessel=row.schluessel,
        gruppe=row.gruppe,
        room_id=row.room_id,
        faellig=row.faellig,
        gueltig_bis=row.gueltig_bis,
        text=row.text,
        html=row.html,
    )


@dataclass(frozen=True)
class Zustellung:
    """A reminder that went out, with how late (seconds after its due time)."""

    schluessel: str
    faellig: datetime
    gesendet: datetime

    @property
    def verspaetung(self) -> float:
        return (self.gesendet - self.faellig).total_seconds()


class Wecker:
    """Wakes the scheduler from any thread (handlers run in worker threads).

    Built with the application, before any event loop exists; `verbinden` attaches it to the
    running scheduler. Until then, and after `trennen`, calling it does nothing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ziel: (
            tuple[asyncio.AbstractEventLoop, Callable[[Collection[str] | None], None]] | None
        ) = None

    def verbinden(
        self, loop: asyncio.AbstractEventLoop, wecken: Callable[[Collection[str] | None], None]
    ) -> None:
        with self._lock:
            self._ziel = (loop, wecken)

    def trennen(self) -> None:
        with self._lock:
            self._ziel = None

    def __call__(self, geaendert: Collection[str] | None = None) -> None:
        """Wake it for the areas `geaendert` (None: plan everything)."""
        with self._lock:
            ziel = self._ziel
        if ziel is not None:
            # The loop may just be closing at shutdown; then there is nobody left to wake.
            with contextlib.suppress(RuntimeError):
                ziel[0].call_soon_threadsafe(ziel[1], geaendert)


def _jetzt() -> datetime:
    return datetime.now(UTC)


class Planer:
    """The reminder scheduler of one bot (see the module docstring)."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        planung: Planung,
        senden: Senden,
        *,
        uhr: Uhr = _jetzt,
        schlafen: Schlafen = asyncio.sleep,
        max_schlaf: timedelta = timedelta(hours=1),
        wiederholung: timedelta = timedelta(seconds=30),
        melden: Melden | None = None,
    ) -> None:
        self.uow = uow
        self._melden = melden or _still
        self.planung = planung
        self._senden = senden
        self._uhr = uhr
        self._schlafen = schlafen
        self.max_schlaf = max_schlaf
        self.wiederholung = wiederholung
        self._geweckt = asyncio.Event()
        # Reminders whose send failed: retried from this time on (in memory; a restart retries
        # at once, which is what one wants after e.g. a homeserver outage).
        self._gesperrt: dict[int, datetime] = {}
        self._fehlschlaege: dict[int, int] = {}
        self.zustellungen: deque[Zustellung] = deque(maxlen=1000)
        self.letzter_abgleich = Abgleich()
        # The last plan of each source (by its place in `planung.quellen`) with what it read.
        self._teile: dict[int, Teilplan] = {}
        self._abgeglichen: datetime | None = None  # when every source was last planned
        self._alle = True  # plan every source next round (woken without areas)
        self._ungueltig: set[int] = set()  # sources a command's change concerns
        self._neu_abgleichen = False  # a command changed what merging/reconciling reads
        self._abgleich_bereiche: frozenset[str] = frozenset()
        # Areas changed while a round was planning: judged once it is done (what it read).
        self._planend = False
        self._waehrenddessen: set[str] = set()
        # The sources the last round planned (by name; [] when it only merged again), None when
        # it did not reconcile at all: what the tests of incremental planning look at.
        self.geplante_quellen: list[str] | None = None

    def wecken(self, geaendert: Collection[str] | None = None) -> None:
        """Plan again (call in the loop's thread; other threads use a `Wecker`): the sources
        that read one of the areas `geaendert` (a command's `UnitOfWork.geaendert`), every
        source when None. Nothing happens when no source read any of them."""
        if geaendert is None:
            self._alle = True
        elif self._planend:
            self._waehrenddessen.update(geaendert)
        elif not self._ungueltig_machen(geaendert):
            return
        self._geweckt.set()

    def _ungueltig_machen(self, geaendert: Collection[str]) -> bool:
        betroffen = {i for i, teil in self._teile.items() if teil.betroffen(geaendert)}
        self._ungueltig |= betroffen
        abgleich = not self._abgleich_bereiche.isdisjoint(geaendert)
        self._neu_abgleichen |= abgleich
        return bool(betroffen) or abgleich

    def _auftrag(self, jetzt: datetime, uhr: bool) -> tuple[bool, frozenset[int]]:
        """Whether to reconcile this round and which sources to plan for it. A round the
        clock started plans all unless the plan is fresh (all planned moments ago); a round a
        command started plans the sources the command concerns (all at the very start)."""
        alle = frozenset(range(len(self.planung.quellen)))
        frisch = self._abgeglichen is not None and (
            timedelta(0) <= jetzt - self._abgeglichen <= 2 * VORLAUF
        )
        if self._alle or self._abgeglichen is None or (uhr and not frisch):
            return True, alle
        quellen = frozenset(self._ungueltig) | (alle - self._teile.keys())
        return bool(quellen) or self._neu_abgleichen, quellen

    # --- one round ---------------------------------------------------------------------------

    def _abgleichen(self, jetzt: datetime, quellen: frozenset[int]) -> None:
        """Plan `quellen` again and reconcile the stored plan with all sources' wishes;
        database work, in a worker thread."""
        neu: dict[int, Teilplan] = {}
        try:
            for i in sorted(quellen):
                # Each source in a unit of work of its own: nothing it reads comes from objects
                # another source loaded, so every read is a statement and is recorded.
                with self.uow() as uow:
                    neu[i] = self.planung.teilplan(uow, self.planung.quellen[i], jetzt)
        except Exception:
            # Without a source's answer its reminders would look obsolete; keep the stored
            # plan and still send what is due.
            log.exception("planning reminders failed; sending the stored ones")
            self._alle = True  # try again next round
            return
        self._teile.update(neu)
        try:
            with self.uow() as uow, uow.mitlesen() as gelesen:
                teile = [
                    (q.name, self._teile[i].erinnerungen)
                    for i, q in enumerate(self.planung.quellen)
                    if i in self._teile
                ]
                gewuenscht = self.planung.zusammen(uow, jetzt, teile)
                self.letzter_abgleich = abgleichen(uow, gewuenscht, jetzt)
                uow.commit()
        except Exception:
            # The sources' plans are newer than the stored one now: all again next round.
            self._alle = True
            raise
        self._abgleich_bereiche = frozenset(gelesen)
        if len(quellen) == len(self.planung.quellen):
            self._abgeglichen = jetzt
        for _ in range(self.letzter_abgleich.verpasst):
            self._melden(VERPASST, 0.0)
        for _ in range(self.letzter_abgleich.abgelaufen):
            self._melden(ABGELAUFEN, 0.0)

    def _planen(self, jetzt: datetime, abgleich: bool, quellen: frozenset[int]) -> list[Faellig]:
        """Reconcile if needed and pick what is due; database work, in a worker thread."""
        if abgleich:
            self._abgleichen(jetzt, quellen)
        gesperrt = {i for i, bis in self._gesperrt.items() if bis > jetzt}
        with self.uow() as uow:
            rows = [r for r in uow.erinnerungen.faellige(jetzt) if r.id not in gesperrt]
            auswahl = auswaehlen([_faellig(r) for r in rows], jetzt)
            nach_id = {r.id: r for r in rows}
            for f in auswahl.abgelaufen:
                nach_id[f.id].verworfen, nach_id[f.id].grund = jetzt, GRUND_ABGELAUFEN
                log.warning(
                    "dropped reminder %s (due %s): no longer useful, e.g. the event is over",
                    f.schluessel,
                    f.faellig.isoformat(),
                )
            for f in auswahl.ueberholt:
                nach_id[f.id].verworfen, nach_id[f.id].grund = jetzt, GRUND_UEBERHOLT
                log.info("reminder %s superseded by a later one of its group", f.schluessel)
            uow.commit()
        for _ in auswahl.abgelaufen:
            self._melden(ABGELAUFEN, 0.0)
        for _ in auswahl.ueberholt:
            self._melden(UEBERHOLT, 0.0)
        return auswahl.senden

    def _naechste(self, jetzt: datetime) -> datetime | None:
        with self.uow() as uow:
            naechste = uow.erinnerungen.naechste(jetzt)
        spaeter = [bis for bis in self._gesperrt.values() if bis > jetzt]
        kandidaten = [z for z in (naechste, *spaeter) if z is not None]
        return min(kandidaten) if kandidaten else None

    def _als_gesendet(self, erinnerung_id: int, zeit: datetime) -> None:
        with self.uow() as uow:
            uow.erinnerungen.als_gesendet(erinnerung_id, zeit)
            uow.commit()

    def _adressieren(self, reply: Reply) -> Reply:
        """A reminder is meant to reach people: notifying, mentioning whom its room calls for
        (`om_bot.services.benachrichtigung`), looked up at send time – the register and the
        room's settings as they are now."""
        e = self.planung.einstellungen
        gs = Geschaeftsstelle(e.geschaeftsstelle_room, e.geschaeftsstelle_users)
        try:
            with self.uow() as uow:
                return adressieren(uow, reply, gs)
        except Exception:
            # Without its mentions the reminder still notifies; it must not stay unsent.
            log.exception("looking up whom a reminder mentions failed; sending it without mentions")
            return reply.benachrichtigend()

    async def _zustellen(self, f: Faellig) -> None:
        txn = transaktions_id(f.id, f.schluessel)
        reply = Reply(f.text, f.html, room_id=f.room_id)
        if f.room_id.startswith("@"):
            reply = reply.direkt_an(f.room_id)
        reply = await asyncio.to_thread(self._adressieren, reply)
        try:
            ok = await self._senden(reply, txn)
        except Exception:
            log.exception("sending reminder %s failed", f.schluessel)
            ok = False
        jetzt = self._uhr()
        if not ok:
            fehler = self._fehlschlaege.get(f.id, 0) + 1
            self._fehlschlaege[f.id] = fehler
            pause = min(self.wiederholung * 2 ** (fehler - 1), self.max_schlaf)
            self._gesperrt[f.id] = jetzt + pause
            log.warning("reminder %s not delivered; retrying in %s", f.schluessel, pause)
            return
        self._gesperrt.pop(f.id, None)
        self._fehlschlaege.pop(f.id, None)
        await asyncio.to_thread(self._als_gesendet, f.id, jetzt)
        zustellung = Zustellung(f.schluessel, f.faellig, jetzt)
        self.zustellungen.append(zustellung)
        self._melden(GESENDET, zustellung.verspaetung)
        log.info("sent reminder %s (%.3f s after due)", f.schluessel, zustellung.verspaetung)

    async def runde(self, stop: asyncio.Event | None = None, uhr: bool = True) -> datetime | None:
        """Reconcile (unless the plan is fresh), send everything due; the time of the next due
        reminder (None: none). `uhr`: the clock started this round, not a command (`_auftrag`)."""
        jetzt = self._uhr()
        abgleich, quellen = self._auftrag(jetzt, uhr)
        self.geplante_quellen = None
        if abgleich:
            # Taken off here, in the loop's thread, so a wake-up meanwhile is never lost.
            self._alle = self._alle and len(quellen) < len(self.planung.quellen)
            self._ungueltig -= quellen
            self._neu_abgleichen = False
            self.geplante_quellen = [self.planung.quellen[i].name for i in sorted(quellen)]
        self._planend = True
        try:
            faellig = await asyncio.to_thread(self._planen, jetzt, abgleich, quellen)
        finally:
            self._planend = False
            if self._waehrenddessen:
                self._ungueltig_machen(self._waehrenddessen)
                self._waehrenddessen.clear()
        for f in faellig:
            if stop is not None and stop.is_set():
                break
            await self._zustellen(f)
        return await asyncio.to_thread(self._naechste, jetzt)

    # --- the task ----------------------------------------------------------------------------

    async def _warten(self, sekunden: float, stop: asyncio.Event, nachlauf: bool = False) -> bool:
        """Sleep on the bot's clock until woken or stopped; `nachlauf`: sleep `sekunden` of
        real time, only a stop ends it early. True when the time is up."""
        if nachlauf:
            schlaf = asyncio.ensure_future(asyncio.sleep(sekunden))
            wach = asyncio.ensure_future(stop.wait())
        else:
            schlaf = asyncio.ensure_future(self._schlafen(sekunden))
            wach = asyncio.ensure_future(self._geweckt.wait())
        halt = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({schlaf, wach, halt}, return_when=asyncio.FIRST_COMPLETED)
            return schlaf.done() and not schlaf.cancelled()
        finally:
            for aufgabe in (schlaf, wach, halt):
                aufgabe.cancel()
            for aufgabe in (schlaf, wach, halt):
                with contextlib.suppress(asyncio.CancelledError):
                    await aufgabe

    async def laufen(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set."""
        log.info("reminder scheduler started")
        uhr = True
        while not stop.is_set():
            if not uhr:
                # Woken by a command: its reply first, and the rest of a burst with it.
                await self._warten(NACHLAUF, stop, nachlauf=True)
            self._geweckt.clear()
            try:
                naechste = await self.runde(stop, uhr)
            except Exception:
                log.exception("reminder round failed; retrying in %s", self.wiederholung)
                naechste = self._uhr() + self.wiederholung
            if stop.is_set():
                break
            warte = self.max_schlaf
            if naechste is not None:
                warte = naechste - self._uhr()
                if warte > 2 * VORLAUF:
                    warte -= VORLAUF  # plan just before, send right on time
                warte = min(warte, self.max_schlaf)
            uhr = True
            if warte > timedelta(0):
                # Time up: plan everything (the horizon moved); else a command woke it.
                uhr = await self._warten(warte.total_seconds(), stop)
        log.info("reminder scheduler stopped")
