"""SQLAlchemy 2 models: the tables of om-bot, typed with ``Mapped[...]``.

Conventions that every table follows: constraint names come from one naming convention (so
Alembic can address them on SQLite and PostgreSQL alike), enums are stored by their value as
checked strings (readable in the database, no native PostgreSQL enum to migrate), times are
stored in UTC (`UtcDateTime` refuses naive datetimes), and lists are rows of their own, never
comma-joined strings.
"""

from __future__ import annotations

from om_bot.storage.models.basis import NAMING_CONVENTION, Base, UtcDateTime
from om_bot.storage.models.betrieb import AuditEintrag, Ausgang, BotZustand, VerarbeitetesEvent
from om_bot.storage.models.erinnerungen import (
    Erinnerung,
    ErinnerungRaum,
    ErinnerungVersatz,
    InfodienstAbo,
)
from om_bot.storage.models.kalender import KalenderFeed
from om_bot.storage.models.kontaktverfahren import Anfrage, Ansprache, RegionalerKontakt
from om_bot.storage.models.raeume import (
    Raum,
    RaumBenachrichtigung,
    Verknuepfung,
    VerknuepfungStatus,
)
from om_bot.storage.models.register import (
    Kontakt,
    Mitglied,
    Netzwerk,
    Partner,
    Region,
    RegionAlias,
    RegionGebiet,
    RegionNachbar,
    RegionTeil,
)
from om_bot.storage.models.termine import Termin, TerminAusnahme, TerminVorkommen

__all__ = [
    "NAMING_CONVENTION",
    "Anfrage",
    "Ansprache",
    "AuditEintrag",
    "Ausgang",
    "Base",
    "BotZustand",
    "Erinnerung",
    "ErinnerungRaum",
    "ErinnerungVersatz",
    "InfodienstAbo",
    "KalenderFeed",
    "Kontakt",
    "Mitglied",
    "Netzwerk",
    "Partner",
    "Raum",
    "RaumBenachrichtigung",
    "Region",
    "RegionAlias",
    "RegionGebiet",
    "RegionNachbar",
    "RegionTeil",
    "RegionalerKontakt",
    "Termin",
    "TerminAusnahme",
    "TerminVorkommen",
    "UtcDateTime",
    "VerarbeitetesEvent",
    "Verknuepfung",
    "VerknuepfungStatus",
]
