"""One call of a use case: the unit of work, who acts where, the clock and the bot's settings.

A command builds it from its context (`om_bot.commands.aufruf.aufruf`) and hands it to a
service (`om_bot.services.kontaktverfahren`, `om_bot.services.verknuepfung`), which checks,
writes, audits (`Aufruf.audit`: `om_bot.services.protokoll.protokollieren` in the name of the
person acting) and commits; the command only parses and words the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from om_bot.domain.audit import AuditAktion
from om_bot.domain.roles import Akteur, Rollen
from om_bot.services.limits import Grenzen
from om_bot.services.protokoll import protokollieren
from om_bot.storage.uow import UnitOfWork


@dataclass(frozen=True)
class Aufruf:
    uow: UnitOfWork
    akteur: Akteur
    # The injected clock (tests pass a fake one).
    now: Callable[[], datetime]
    rollen: Rollen
    # The prefix the answers name in commands ("!om"), as the help shows it.
    prefix: str = "!om"
    # `bot.geschaeftsstelle_room`; "" when none is configured.
    geschaeftsstelle_room: str = ""
    grenzen: Grenzen = field(default_factory=Grenzen.keine)

    @property
    def wer(self) -> str:
        """The Matrix id of the person acting."""
        return self.akteur.user_id

    def audit(
        self,
        aktion: AuditAktion,
        *,
        netzwerk_id: int | None = None,
        objekt: str = "",
        vorher: dict[str, Any] | None = None,
        nachher: dict[str, Any] | None = None,
    ) -> None:
        """An allowed change in the audit log, by the person acting, now (never contact data)."""
        protokollieren(
            self.uow,
            aktion,
            akteur=self.wer,
            zeit=self.now(),
            netzwerk_id=netzwerk_id,
            objekt=objekt,
            vorher=vorher,
            nachher=nachher,
        )
