"""Repositories: the queries om-bot needs, one module per area, on a shared session.

Repositories never commit; the unit of work around them decides (`om_bot.storage.uow`).
"""

from __future__ import annotations

from om_bot.storage.repositories.betrieb import AuditRepo, AusgangRepo, EventRepo, ZustandRepo
from om_bot.storage.repositories.erinnerungen import ErinnerungRepo
from om_bot.storage.repositories.kalender import KalenderFeedRepo
from om_bot.storage.repositories.kontaktverfahren import (
    AnfrageRepo,
    AnspracheRepo,
    RegionalerKontaktRepo,
)
from om_bot.storage.repositories.raeume import RaumRepo
from om_bot.storage.repositories.register import NetzwerkRepo, PartnerRepo, RegionRepo
from om_bot.storage.repositories.termine import TerminRepo

__all__ = [
    "AnfrageRepo",
    "AnspracheRepo",
    "AuditRepo",
    "AusgangRepo",
    "ErinnerungRepo",
    "EventRepo",
    "KalenderFeedRepo",
    "NetzwerkRepo",
    "PartnerRepo",
    "RaumRepo",
    "RegionRepo",
    "RegionalerKontaktRepo",
    "TerminRepo",
    "ZustandRepo",
]
