"""The command router: from an `IncomingMessage` to the replies to send.

It recognises the prefix (``!om``, ``/om``, none in a direct chat), finds the command in the
registry, checks the declared role, opens one unit of work for the handler and turns every
failure into a German answer: usage errors with the usage line, refusals (logged and written
to the audit log), and unexpected exceptions as a short apology while the traceback goes to the
log. The router never lets an exception escape into the sync loop.

Every handled command ends in one record on the logger ``om_bot.befehle`` carrying a
`Befehlsbericht` (room, sender, the command's syntax – never its arguments, which may hold
contact data –, outcome, bot time in ms) as ``record.befehl``; the app layer formats it
(`om_bot.app.logformat`) and counts it (`Dienste.beobachter`, the metrics).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import TracebackType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from om_bot.chat.registry import Registry, UsageError
from om_bot.domain.audit import AuditAktion
from om_bot.domain.matching import fold
from om_bot.domain.roles import Akteur, Rolle, Rollen, Verweigert
from om_bot.services.limits import Begrenzt, Grenzen
from om_bot.services.protokoll import protokollieren
from om_bot.storage.uow import UnitOfWork
from om_bot.text.format import Code, Msg
from om_bot.text.messages import IncomingMessage, Reply

log = logging.getLogger(__name__)
# One record per handled command (`Befehlsbericht` as `record.befehl`); its own name, so an
# operator can route or silence it.
befehle_log = logging.getLogger("om_bot.befehle")

T = TypeVar("T")

MAX_COMMAND_LENGTH = 2000
# A body may be longer than the command it carries: a reply quotes the message it answers
# ("> " lines, dropped by `strip_prefix`). Of a longer body only the start is looked at, to
# tell whether it is meant for the bot at all; it is refused as too long without more work.
MAX_BODY_LENGTH = 10 * MAX_COMMAND_LENGTH


def _nichts(geaendert: frozenset[str]) -> None:
    """The scheduler's wake-up while none runs (tests, `om-bot` subcommands)."""


class Ausgang(StrEnum):
    """How a handled command ended (the log's ``outcome``, the metrics' label)."""

    OK = "ok"
    USAGE = "usage"  # unknown command, wrong arguments, a `UsageError` of the handler
    DENIED = "denied"  # `Verweigert`
    ERROR = "error"  # an unexpected exception (logged with its traceback)
    LIMITED = "limited"  # over a per-user limit (`Begrenzt`)


# Command names for texts that match no command: never the text itself.
UNBEKANNT = "(unbekannt)"
ZU_LANG = "(zu lang)"
LEER = "(leer)"


@dataclass(frozen=True)
class Befehlsbericht:
    """One handled command as the log and the metrics see it: no arguments, no text."""

    zeit: datetime  # wall clock (UTC) when the command arrived at the router
    room_id: str
    sender: str
    befehl: str  # the registry's syntax ("anfrage <Nr> benennen <Person>") or UNBEKANNT …
    ausgang: Ausgang
    dauer_ms: float  # bot time: from the router's start to the replies

    def felder(self) -> dict[str, str | float]:
        """The structured log fields, in their order."""
        return {
            "time": self.zeit.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "room": self.room_id,
            "sender": self.sender,
            "command": self.befehl,
            "outcome": self.ausgang.value,
            "ms": round(self.dauer_ms, 1),
        }


def _niemand(bericht: Befehlsbericht) -> None:
    """No observer (tests, `om-bot` subcommands)."""


@dataclass
class _Lauf:
    """What the router learns about one command while handling it."""

    befehl: str = UNBEKANNT
    ausgang: Ausgang = Ausgang.OK


@dataclass(frozen=True)
class Dienste:
    """What handlers may use besides their unit of work; built once in `main()`."""

    registry: Registry
    rollen: Rollen
    uow: Callable[[], UnitOfWork]
    now: Callable[[], datetime]
    tz: ZoneInfo
    prefixes: tuple[str, ...] = ("!om", "/om")
    geschaeftsstelle_room: str = ""
    # Wakes the reminder scheduler (`om_bot.app.planer.Wecker`); the router calls it after every
    # command that committed, with the areas it wrote (`UnitOfWork.geaendert`), so the sources
    # that read them plan again at once – and only those.
    wecker: Callable[[frozenset[str]], None] = _nichts
    # What the features bring along, keyed by type (the events' `Regeln`, the reminders'
    # `Planung`): the router hands them on without knowing them; `von(Typ)` reads one.
    erweiterungen: Mapping[type, object] = field(default_factory=dict)
    # Per-user limits and their counters (`[grenzen]`, `om_bot.services.limits`); none unless the
    # runtime configures them, so tests about other things are not limited.
    grenzen: Grenzen = field(default_factory=Grenzen.keine)
    # Told of every handled command after its log record (the app's metrics); never raises
    # into the router (exceptions are logged).
    beobachter: Callable[[Befehlsbericht], None] = _niemand

    @property
    def prefix(self) -> str:
        """The prefix help texts show (chosen once, for the registry)."""
        return self.registry.prefix

    def von(self, art: type[T]) -> T | None:
        """The feature setting of type `art`, if the composition root gave one."""
        wert = self.erweiterungen.get(art)
        return wert if isinstance(wert, art) else None


@dataclass
class Kontext:
    """One command being handled: who sent what where, and its unit of work."""

    nachricht: IncomingMessage
    dienste: Dienste
    uow: UnitOfWork
    _akteur: Akteur | None = field(default=None, init=False)

    @property
    def akteur(self) -> Akteur:
        if self._akteur is None:
            raum = self.uow.raeume.get(self.nachricht.room_id)
            self._akteur = Akteur(
                user_id=self.nachricht.sender,
                room_id=self.nachricht.room_id,
                power_level=self.nachricht.sender_power_level,
                raum_netzwerk_id=raum.netzwerk_id if raum else None,
                direkt=self.nachricht.is_direct,
                geschaeftsstelle_raum=bool(self.dienste.geschaeftsstelle_room)
                and self.nachricht.room_id == self.dienste.geschaeftsstelle_room,
            )
        return self._akteur

    def now(self) -> datetime:
        return self.dienste.now()

    def audit(
        self,
        aktion: AuditAktion,
        *,
        netzwerk_id: int | None = None,
        objekt: str = "",
        vorher: dict[str, Any] | None = None,
        nachher: dict[str, Any] | None = None,
        erlaubt: bool = True,
    ) -> None:
        """One audit row by the sender, now (`om_bot.services.protokoll.protokollieren`).

        The action is an `AuditAktion` (stored by its value), so every name that readers like
        `verlauf` look for is one enum member.
        """
        protokollieren(
            self.uow,
            aktion,
            akteur=self.nachricht.sender,
            zeit=self.now(),
            netzwerk_id=netzwerk_id,
            objekt=objekt,
            vorher=vorher,
            nachher=nachher,
            erlaubt=erlaubt,
        )


def strip_prefix(body: str, prefixes: Sequence[str], is_direct: bool) -> str | None:
    """The command text after the prefix; None when the message is not meant for the bot.

    In a direct chat the prefix is optional. A reply's quoted fallback (lines starting with
    "> ") is dropped first, so answering a bot message with a command still works.
    """
    lines = body.strip().splitlines()
    quoted = 0
    while quoted < len(lines) and lines[quoted].startswith("> "):
        quoted += 1
    text = "\n".join(lines[quoted:]).strip()
    for prefix in sorted(prefixes, key=len, reverse=True):
        rest = text[len(prefix) :]
        if text[: len(prefix)].lower() == prefix.lower() and (not rest or rest[0].isspace()):
            return rest.strip()
    if is_direct:
        return text
    return None


class Router:
    def __init__(self, dienste: Dienste) -> None:
        self.dienste = dienste

    def _usage_reply(self, error: UsageError) -> Reply:
        msg = Msg().line("⚠ ", error.meldung)
        if error.usage:
            msg.line("So geht’s: ", Code(error.usage))
        if error.beispiel:
            msg.line("Beispiel: ", Code(error.beispiel))
        return msg.reply()

    def handle(self, message: IncomingMessage) -> list[Reply]:
        """Answer one message; [] when it is not a command. Never raises."""
        start = time.perf_counter()
        zeit = datetime.now(UTC)
        lauf = _Lauf()
        fehler: tuple[type[BaseException], BaseException, TracebackType] | None = None
        try:
            replies = self._handle(message, lauf)
        except UsageError as error:
            if lauf.ausgang is Ausgang.OK:
                lauf.ausgang = Ausgang.USAGE
            replies = [self._usage_reply(error)]
        except Exception:
            lauf.ausgang = Ausgang.ERROR
            typ, wert, tb = sys.exc_info()
            assert typ is not None and wert is not None and tb is not None
            fehler = (typ, wert, tb)
            replies = [
                Msg()
                .line(
                    "Entschuldigung, dabei ist bei mir ein Fehler aufgetreten. Es wurde nichts "
                    "geändert. Bitte später noch einmal versuchen oder der Geschäftsstelle "
                    "Bescheid geben."
                )
                .reply()
            ]
        if replies is None:
            return []
        self._berichten(message, lauf, zeit, time.perf_counter() - start, fehler)
        return replies

    def _berichten(
        self,
        message: IncomingMessage,
        lauf: _Lauf,
        zeit: datetime,
        sekunden: float,
        fehler: tuple[type[BaseException], BaseException, TracebackType] | None,
    ) -> None:
        bericht = Befehlsbericht(
            zeit, message.room_id, message.sender, lauf.befehl, lauf.ausgang, sekunden * 1000
        )
        try:
            # Without the command text: its arguments may be contact data.
            befehle_log.log(
                logging.ERROR if fehler else logging.INFO,
                "command %r in %s by %s: %s (%.0f ms)",
                bericht.befehl,
                bericht.room_id,
                bericht.sender,
                bericht.ausgang.value,
                bericht.dauer_ms,
                exc_info=fehler,
                extra={"befehl": bericht},
            )
            self.dienste.beobachter(bericht)
        except Exception:
            log.exception("reporting a command failed")

    def _handle(self, message: IncomingMessage, lauf: _Lauf) -> list[Reply] | None:
        # The length is checked before anything else reads the text, so no message costs
        # more than what a text of the allowed length costs (see benchmarks/adversarial.py).
        body = message.body
        body_too_long = len(body) > MAX_BODY_LENGTH
        if body_too_long:
            body = body[:MAX_BODY_LENGTH]
        text = strip_prefix(body, self.dienste.prefixes, message.is_direct)
        if text is None:
            return None
        prefix = self.dienste.prefix
        if body_too_long or len(text) > MAX_COMMAND_LENGTH:
            lauf.befehl = ZU_LANG
            length = len(message.body) if body_too_long else len(text)
            raise UsageError(
                f"Der Befehl ist zu lang ({length:,} Zeichen, höchstens "
                f"{MAX_COMMAND_LENGTH:,}).".replace(",", "."),
                usage=f"{prefix} hilfe",
            )
        if not text:
            lauf.befehl = LEER
            return [
                Msg()
                .line("Hallo! Ich bin der OM-Bot. Was ich kann: ", Code(f"{prefix} hilfe"))
                .reply()
            ]
        return self._dispatch(message, text, lauf)

    def _dispatch(self, message: IncomingMessage, text: str, lauf: _Lauf) -> list[Reply]:
        registry = self.dienste.registry
        try:
            treffer = registry.find(text)
        except UsageError:
            # A known command word with wrong arguments is named by that word alone.
            erstes = fold(text.split(maxsplit=1)[0]) if text.split() else ""
            if erstes in registry.command_words():
                lauf.befehl = f"{erstes} …"
            raise
        befehl = treffer.befehl
        lauf.befehl = befehl.syntax
        with self.dienste.uow() as uow:
            ctx = Kontext(message, self.dienste, uow)
            # "Commands that write" are those whose unit of work commits: the limit is asked
            # right before the commit, so a command over it changes nothing.
            if (schreibgrenze := self._schreibgrenze(message)) is not None:
                uow.vor_commit(schreibgrenze)
            try:
                if befehl.rolle not in {Rolle.JEDER, Rolle.NETZWERK, Rolle.RAUM}:
                    # NETZWERK and RAUM depend on the network the handler looks up (the one
                    # acted for, the room's); the handler checks those itself.
                    self.dienste.rollen.pruefe(ctx.akteur, befehl.rolle)
                result = befehl.handler(ctx, **treffer.argumente)
            except Verweigert as refusal:
                uow.session.rollback()
                lauf.ausgang = Ausgang.DENIED
                return [self._refused(message, befehl.syntax, refusal)]
            except Begrenzt as grenze:
                uow.session.rollback()
                lauf.ausgang = Ausgang.LIMITED
                # Without the command text: it may be contact data (`anfrage N benennen …`).
                log.warning(
                    "limit reached: %r for %s in %s (%s, wait %.0f s); nothing changed",
                    befehl.syntax,
                    message.sender,
                    message.room_id,
                    grenze.grenze.text(),
                    grenze.warten.total_seconds(),
                )
                return [Msg().line(grenze.meldung).reply()]
        if uow.committed:
            self.dienste.wecker(uow.geaendert)
        replies = result if isinstance(result, list) else [result]
        return [r for r in replies if isinstance(r, Reply)]

    def _refused(self, message: IncomingMessage, syntax: str, refusal: Verweigert) -> Reply:
        log.warning(
            "refused %r for %s in %s: needs %s",
            syntax,
            message.sender,
            message.room_id,
            refusal.rolle.value,
        )
        zaehler = self.dienste.grenzen.verweigert
        ueber = zaehler.versuch(message.sender, self.dienste.now())
        if ueber is not None:
            # Someone trying commands over and over must not grow the audit table: beyond the
            # limit the refusal is in the log only, and the sender's next row counts them.
            log.warning(
                "refusal of %s not written to the audit log (more than %s)",
                message.sender,
                ueber.grenze.text(),
            )
        else:
            nachher: dict[str, Any] = {"rolle": refusal.rolle.value}
            if ausgelassen := zaehler.abgewiesen(message.sender):
                nachher["nicht_protokolliert"] = ausgelassen
            with self.dienste.uow() as uow:
                Kontext(message, self.dienste, uow).audit(
                    AuditAktion.VERWEIGERT, objekt=syntax, nachher=nachher, erlaubt=False
                )
                uow.commit()
        return Msg().line("⛔ ", str(refusal), " Es wurde nichts geändert.").reply()

    def _schreibgrenze(self, message: IncomingMessage) -> Callable[[], None] | None:
        """The check before a command's commit: one write of the sender, counted once per
        command however often its handler commits (a second commit must not fail half-way)."""
        grenzen = self.dienste.grenzen
        if not grenzen.schreiben.aktiv:
            return None
        gezaehlt = False

        def pruefen() -> None:
            nonlocal gezaehlt
            if not gezaehlt:
                grenzen.schreiben_pruefen(message.sender, self.dienste.now())
                gezaehlt = True

        return pruefen
