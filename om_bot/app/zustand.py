"""The adapter's persistent state on the database (`DatabaseState`, the
`om_bot.matrix.adapter.AdapterState` of a running bot): sync token, handled events, rooms and
the durable outbox of answers, with `Anspruch`, which commits a command's claim together with
what the command changes. Composed by `om_bot.app.runtime`; docs/betrieb.md ("Standby") has the
exactly-once argument.

A command that only reads costs no transaction before its answer goes out: its claim and its
answers are written with the sync token of its batch, in one transaction after the batch
(`save_sync_token`). A process that dies before that leaves the token before the batch, and the
next one gets the batch again. It looks each message up while it handles its first batch (only
then can a message have been handled by someone else): what the old one had written is not
handled again; what it had not is handled again and answered under the same transaction ids
from the same device – had the old one sent it, the homeserver returns the first event instead
of a second. A command that writes had its claim committed with its change (`Anspruch`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from om_bot.matrix.adapter import Handler, JoinedRoom
from om_bot.matrix.regeln import transaction_id
from om_bot.storage.uow import UnitOfWork
from om_bot.text.messages import IncomingMessage, Reply

log = logging.getLogger(__name__)

SYNC_TOKEN = "sync_token"
NOT_BEFORE = "not_before"
# Handled event ids are kept long enough to cover any replay of a stored sync token.
EVENT_MEMORY = timedelta(days=30)


# Stored with a command's change, replaced by its real answers a moment later: if the process
# dies in between, the next active one sends this instead of leaving the command unanswered.
NACH_ABSTURZ = Reply(
    "⚠ Ihr Befehl wurde ausgeführt, aber meine Antwort ging bei einem Neustart verloren. "
    "Bitte prüfen Sie das Ergebnis, bevor Sie ihn wiederholen.",
    "⚠ Ihr Befehl wurde ausgeführt, aber meine Antwort ging bei einem Neustart verloren. "
    "Bitte prüfen Sie das Ergebnis, bevor Sie ihn wiederholen.",
)


class SchonBeantwortet(BaseException):
    """Raised from a command's commit when its message was handled before (a replayed sync,
    another process): the commit does not happen and the command stops there. Not an
    `Exception`, like `asyncio.CancelledError`: no handler or router catches it on the way to
    `DatabaseState.answer_once`, which drops the command without an answer."""


class Anspruch:
    """The claim of the command being handled in this thread, written into the first
    transaction that commits while it runs (`uow_factory(vor_jedem_commit=…)`): what a command
    changes and the mark that it was handled are committed together, so a process killed in the
    middle leaves either both or neither – and a standby taking over handles the command
    exactly once. With the claim goes `NACH_ABSTURZ` into the outbox under the first answer's
    transaction id, which the real answers replace as soon as the command returns. A message
    already claimed stops the command at that commit (`SchonBeantwortet`), so a replayed one
    changes nothing."""

    def __init__(self) -> None:
        self._lokal = threading.local()

    def beginnen(self, message: IncomingMessage, now: datetime) -> None:
        self._lokal.offen = (message, now)
        self._lokal.geschrieben = False

    def beenden(self) -> bool:
        """End the command; True when a commit while it ran carried its claim."""
        self._lokal.offen = None
        return bool(getattr(self._lokal, "geschrieben", False))

    def __call__(self, uow: UnitOfWork) -> None:
        offen = getattr(self._lokal, "offen", None)
        if offen is not None:
            message, now = offen
            self._lokal.offen = None
            if not uow.events.beanspruchen(message.event_id, message.room_id, now):
                raise SchonBeantwortet(message.event_id)
            self._lokal.geschrieben = True
            uow.ausgang.add([(transaction_id(message.event_id, 0), message, NACH_ABSTURZ, now)])


@dataclass(frozen=True)
class _Beantwortet:
    """A handled message whose claim (unless `beansprucht`) and answers wait for its batch's
    transaction."""

    message: IncomingMessage
    antworten: list[tuple[str, Reply]]
    beansprucht: bool  # claimed with the command's change (`Anspruch`), its stand-in stored
    zeit: datetime


class DatabaseState:
    """`om_bot.matrix.adapter.AdapterState` on the database: sync token, handled events, rooms,
    the durable outbox of answers."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        aufbewahrung: Callable[[datetime], object] | None = None,
        anspruch: Anspruch | None = None,
    ) -> None:
        self.uow = uow
        self._pruned: datetime | None = None
        # The retention job (`om_bot.services.datenschutz.aufbewahrung`), run with the event
        # pruning.
        self._aufbewahrung = aufbewahrung
        # Hooked into `uow` by `build`; without it a command's claim is written after it ran.
        self._anspruch = anspruch or Anspruch()
        # Answers the homeserver accepted, deleted from the outbox with the next write (the
        # sync token after each sync): no transaction of their own.
        self._gesendet: list[str] = []
        # Messages handled since the last batch was written, by event id (a batch handled
        # again after a failed write replaces its entries).
        self._beantwortet: dict[str, _Beantwortet] = {}
        # Their answers the homeserver accepted before the batch was written: those never
        # reach the outbox.
        self._vorab_gesendet: set[str] = set()
        self._lock = threading.Lock()
        # Until this process wrote its first batch, a message may have been handled by the
        # one before it (the stored token lags behind what it handled): look it up.
        self._erster_block = True

    def _gesendete(self) -> list[str]:
        with self._lock:
            txns, self._gesendet = self._gesendet, []
        return txns

    def sync_token(self) -> str | None:
        with self.uow() as uow:
            return uow.zustand.get(SYNC_TOKEN)

    def save_sync_token(self, token: str) -> None:
        """The batch up to `token` is handled: its claims and answers (`answer_once`), the
        answers accepted meanwhile and the token, in one transaction."""
        with self._lock:
            batch = list(self._beantwortet.values())
            gesendet, self._gesendet = self._gesendet, []
            vorab = set(self._vorab_gesendet)
        try:
            with self.uow() as uow:
                uow.events.beanspruchen_alle(
                    [
                        (b.message.event_id, b.message.room_id, b.zeit)
                        for b in batch
                        if not b.beansprucht
                    ]
                )
                # The stand-ins of commands that wrote (`Anspruch`) give way to their answers.
                uow.ausgang.gesendet(
                    transaction_id(b.message.event_id, 0) for b in batch if b.beansprucht
                )
                uow.ausgang.add(
                    (txn, b.message, reply, b.zeit)
                    for b in batch
                    for txn, reply in b.antworten
                    if txn not in vorab
                )
                uow.ausgang.gesendet(gesendet)
                uow.zustand.set(SYNC_TOKEN, token)
                jetzt = max((b.zeit for b in batch), default=None)
                aufraeumen = jetzt is not None and self._pflege(uow, jetzt)
                uow.commit()
        except BaseException:
            with self._lock:
                self._gesendet[:0] = gesendet
            raise
        with self._lock:
            geschrieben: set[str] = set()
            for b in batch:
                if self._beantwortet.get(b.message.event_id) is b:
                    del self._beantwortet[b.message.event_id]
                    geschrieben.update(txn for txn, _ in b.antworten)
            # Accepted while this transaction ran: written all the same, deleted with the next.
            spaet = (self._vorab_gesendet & geschrieben) - vorab
            self._gesendet.extend(spaet)
            self._vorab_gesendet -= vorab | spaet
            self._erster_block = False
        if jetzt is not None:
            self._nach_pflege(aufraeumen, jetzt)

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
        with self.uow() as uow:
            if not uow.events.beanspruchen(event_id, room_id, now):
                return False
            aufraeumen = self._pflege(uow, now)
            uow.commit()
        self._nach_pflege(aufraeumen, now)
        return True

    def answer_once(
        self, message: IncomingMessage, handle: Handler, now: datetime
    ) -> list[tuple[str, Reply]] | None:
        """Handle `message` unless it was handled before (None) and return its answers, each
        with its transaction id, to be sent at once. Their claim and the outbox rows follow
        with the batch's sync token (`save_sync_token`; the module docstring says why that is
        safe). A command that writes has its claim and a stand-in answer committed with its
        change (`Anspruch`); one claimed before is stopped at that commit (`SchonBeantwortet`).

        Handled before: in this process since the last batch was written (a sync retried
        after a failed write), or – looked up in the database while the first batch is
        handled – by the process before. After that no lookup is needed, and none is made:
        it was a transaction of its own on the path of every message."""
        with self._lock:
            if message.event_id in self._beantwortet:
                return None
            nachsehen = self._erster_block
        if nachsehen:
            with self.uow() as uow:
                if uow.events.bekannt(message.event_id):
                    return None
        self._anspruch.beginnen(message, now)
        try:
            replies = handle(message)
        except SchonBeantwortet:
            log.debug("%s was handled before; its replay changed nothing", message.event_id)
            return None
        except Exception:
            # The router never raises; should a handler still do, the message is claimed
            # without an answer rather than handled again with every sync retry.
            log.exception("handling %s failed; it is not tried again", message.event_id)
            replies = []
        finally:
            mit_aenderung = self._anspruch.beenden()
        antworten = [(transaction_id(message.event_id, i), r) for i, r in enumerate(replies)]
        with self._lock:
            self._beantwortet[message.event_id] = _Beantwortet(
                message, antworten, mit_aenderung, now
            )
        return antworten

    def answered(self, txn: str) -> None:
        """The homeserver accepted `txn` (or it was given up): out of the outbox – or, when its
        batch is not written yet, never into it."""
        with self._lock:
            # A batch holds a few dozen answers at most: a scan, no index to keep in step.
            if any(txn == t for b in self._beantwortet.values() for t, _ in b.antworten):
                self._vorab_gesendet.add(txn)
            else:
                self._gesendet.append(txn)

    def flush_answered(self) -> None:
        """Delete what `answered` collected now (at shutdown)."""
        txns = self._gesendete()
        if txns:
            with self.uow() as uow:
                uow.ausgang.gesendet(txns)
                uow.commit()

    def pending_answers(
        self, now: datetime, max_age: timedelta
    ) -> list[tuple[str, IncomingMessage, Reply]]:
        """The outbox left by a process that died or lost the lock: answers to send again
        under their transaction ids. Older than `max_age` (`matrix.send_give_up_seconds`):
        dropped and logged, as the process that queued them would have given up by now."""
        with self.uow() as uow:
            uow.ausgang.gesendet(self._gesendete())
            alt = uow.ausgang.vergiss_vor(now - max_age)
            offen = uow.ausgang.offene(now - max_age)
            uow.commit()
        if alt:
            log.warning("dropped %d unsent answer(s) older than %s from the outbox", alt, max_age)
        if offen:
            log.info("sending %d answer(s) left in the outbox", len(offen))
        return offen

    def _pflege(self, uow: UnitOfWork, now: datetime) -> bool:
        # Pruning is housekeeping, not per-message work: at most once an hour.
        if self._pruned is None or now - self._pruned > timedelta(hours=1):
            uow.events.vergiss_vor(now - EVENT_MEMORY)
            self._pruned = now
            return True
        return False

    def _nach_pflege(self, aufraeumen: bool, now: datetime) -> None:
        if aufraeumen and self._aufbewahrung is not None:
            # Its own transaction, after the claim: a failure must not lose the message.
            try:
                self._aufbewahrung(now)
            except Exception:
                log.exception("retention job failed; it runs again in an hour")

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
