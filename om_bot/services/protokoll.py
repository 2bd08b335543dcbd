"""Writing the audit log: one row per change (who, when, what, before → after).

Every writer goes through `protokollieren` – the chat's `Kontext.audit`, the register's use
cases (`om_bot.services.register_pflege`), the retention job – so an action is always stored
by its value (`om_bot.domain.audit.AuditAktion`) and a row always has its time and actor.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from om_bot.domain.audit import AuditAktion
from om_bot.storage.models import AuditEintrag
from om_bot.storage.uow import UnitOfWork


def protokollieren(
    uow: UnitOfWork,
    aktion: AuditAktion,
    *,
    akteur: str,
    zeit: datetime,
    netzwerk_id: int | None = None,
    objekt: str = "",
    vorher: dict[str, Any] | None = None,
    nachher: dict[str, Any] | None = None,
    erlaubt: bool = True,
) -> AuditEintrag:
    """Add one audit row to `uow` (the caller commits); the action is stored by its value."""
    eintrag = AuditEintrag(
        zeit=zeit,
        akteur=akteur,
        aktion=aktion.value,
        netzwerk_id=netzwerk_id,
        objekt=objekt,
        vorher=vorher,
        nachher=nachher,
        erlaubt=erlaubt,
    )
    uow.audit.add(eintrag)
    return eintrag
