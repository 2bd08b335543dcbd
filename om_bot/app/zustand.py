"""The adapter's persistent state on the database (`DatabaseState`, the
`om_bot.matrix.adapter.AdapterState` of a running bot): sync token, handled events, rooms and
the durable outbox of answers, with `Anspruch`, which commits a command's claim together with
what the command changes. Composed by `om_bot.app.runtime`; docs/betrieb.md ("Standby") has the
exactly-once argument.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
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


class Anspruch:
    """The claim of the command being handled in this thread, written into the first
    transaction that commits while it runs (`uow_factory(vor_jedem_commit=…)`): what a command
    changes and the mark that it was handled are committed together, so a process killed in the
    middle leaves either both or neither – and a standby taking over handles the command
    exactly once. With the claim goes `NACH_ABSTURZ` into the outbox under the first answer's
    transaction id, which the real answers replace as soon as the command returns."""

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
            self._lokal.geschrieben = uow.events.beanspruchen(
                message.event_id, message.room_id, now
            )
            if self._lokal.geschrieben:
                uow.ausgang.add(transaction_id(message.event_id, 0), message, NACH_ABSTURZ, now)


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
        # sync token after each sync, the next command): no transaction of their own.
        self._gesendet: list[str] = []
        self._gesendet_lock = threading.Lock()

    def _gesendete(self) -> list[str]:
        with self._gesendet_lock:
            txns, self._gesendet = self._gesendet, []
        return txns

    def sync_token(self) -> str | None:
        with self.uow() as uow:
            return uow.zustand.get(SYNC_TOKEN)

    def save_sync_token(self, token: str) -> None:
        with self.uow() as uow:
            uow.zustand.set(SYNC_TOKEN, token)
            uow.ausgang.gesendet(self._gesendete())
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
        """Handle `message` unless it was handled before (None), and store the answers in the
        outbox, with the claim, before they are returned for sending – each with its
        transaction id. The claim goes into the handler's own commit when it writes
        (`Anspruch`), else into the outbox transaction; killed before either, the command was
        not handled and the next active process handles it."""
        with self.uow() as uow:
            if uow.events.bekannt(message.event_id):
                return None
        self._anspruch.beginnen(message, now)
        try:
            replies = handle(message)
        except Exception:
            # The router never raises; should a handler still do, the message is claimed
            # without an answer rather than handled again with every sync retry.
            log.exception("handling %s failed; it is not tried again", message.event_id)
            replies = []
        finally:
            mit_aenderung = self._anspruch.beenden()
        antworten = [(transaction_id(message.event_id, i), r) for i, r in enumerate(replies)]
        with self.uow() as uow:
            neu = uow.events.beanspruchen(message.event_id, message.room_id, now)
            if not neu and not mit_aenderung:
                # Claimed by another process in between (two processes without a lock).
                log.warning("%s was handled elsewhere meanwhile; not answering", message.event_id)
                return None
            if mit_aenderung:
                # The stand-in the change was committed with (`Anspruch`) gives way.
                uow.ausgang.gesendet([transaction_id(message.event_id, 0)])
                uow.flush()
            for txn, reply in antworten:
                uow.ausgang.add(txn, message, reply, now)
            uow.ausgang.gesendet(self._gesendete())
            aufraeumen = self._pflege(uow, now)
            uow.commit()
        self._nach_pflege(aufraeumen, now)
        return antworten

    def answered(self, txn: str) -> None:
        """The homeserver accepted `txn` (or it was given up): out of the outbox."""
        with self._gesendet_lock:
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
