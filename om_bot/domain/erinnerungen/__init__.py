"""Reminder planning as plain Python: which reminders are wanted, when they are due, what they say.

Nothing here touches the database, Matrix or the clock; every function gets ``jetzt`` and the
time zone passed in, so every rule is a unit test. The sources in
`om_bot.services.erinnerungsquellen`
read the database and call these functions; the scheduler (`om_bot.app.planer`) reconciles the
result with the stored reminders and sends what is due.

A wanted reminder is a `GeplanteErinnerung` with a stable, unique key (`schluessel`): the same
data gives the same key, so the scheduler can tell new reminders from changed and obsolete ones
and never sends one key twice. Besides the due time each reminder says how long it is useful
(`gueltig_bis`: an event reminder is useless once the event is over) and since when it exists in
this form (`seit`: a reminder first planned after its due time – an event registered 30 minutes
ahead with a "1 hour before" offset – is not sent late, while one missed during downtime is).

Time rules:

* Due times are computed on the wall clock of the configured zone and stored in UTC. An offset
  is split into whole days, counted on the calendar (same wall-clock time, `faellig_vor`), and
  the rest, counted as elapsed time. "1 day before" an event at 10:00 on the Sunday the clocks
  change is 10:00 on Saturday, not 09:00 or 11:00.
* A wall-clock time that does not exist (02:30 on the last Sunday of March) moves forward by the
  gap (03:30); an ambiguous one (02:30 on the last Sunday of October) is the first of the two.

Yearly obligations come from the criteria (seed 001, decided by the Plenum on 31.10.2014): a
network "tagt mindestens zweimal im Jahr" and "informiert das Plenum … einmal jährlich"; the
Selbsterklärung of the OM-Praxis-Check "gilt für zwei Jahre" (seed 003). The info service is the
"Regelmäßiger Infodienst für Partner" of seed 004.
"""

from __future__ import annotations

from om_bot.domain.erinnerungen.anfragen import OffeneAnfrage, anfrage_erinnerungen
from om_bot.domain.erinnerungen.auswahl import Auswahl, Faellig, auswaehlen
from om_bot.domain.erinnerungen.grundlagen import (
    MAX_VERSAETZE,
    MAX_VERSATZ,
    SCHLUESSEL_MAX,
    WOCHENTAG_NAMEN,
    WOCHENTAGE,
    Art,
    Einstellungen,
    GeplanteErinnerung,
    Stichtag,
    faellig_vor,
    jahre_spaeter,
    lies_stichtag,
    lies_uhrzeit,
    lies_versaetze,
    lies_wochentag,
    tage_spaeter,
    versaetze_text,
    versatz_text,
    wandzeit,
    zeitpunkt_text,
)
from om_bot.domain.erinnerungen.infodienst import (
    Abo,
    NetzwerkNeuigkeit,
    ausgaben,
    infodienst_ausgaben,
    infodienst_inhalt,
)
from om_bot.domain.erinnerungen.pflichten import (
    QUELLE_KRITERIEN,
    QUELLE_SELBSTERKLAERUNG,
    NetzwerkPflichten,
    bericht_erinnerungen,
    pflicht_erinnerungen,
    selbsterklaerung_erinnerungen,
    treffen_erinnerungen,
)
from om_bot.domain.erinnerungen.termine import (
    RaumPlan,
    TerminVorkommen,
    groesster_versatz,
    termin_erinnerungen,
)

__all__ = [
    "MAX_VERSAETZE",
    "MAX_VERSATZ",
    "QUELLE_KRITERIEN",
    "QUELLE_SELBSTERKLAERUNG",
    "SCHLUESSEL_MAX",
    "WOCHENTAGE",
    "WOCHENTAG_NAMEN",
    "Abo",
    "Art",
    "Auswahl",
    "Einstellungen",
    "Faellig",
    "GeplanteErinnerung",
    "NetzwerkNeuigkeit",
    "NetzwerkPflichten",
    "OffeneAnfrage",
    "RaumPlan",
    "Stichtag",
    "TerminVorkommen",
    "anfrage_erinnerungen",
    "ausgaben",
    "auswaehlen",
    "bericht_erinnerungen",
    "faellig_vor",
    "groesster_versatz",
    "infodienst_ausgaben",
    "infodienst_inhalt",
    "jahre_spaeter",
    "lies_stichtag",
    "lies_uhrzeit",
    "lies_versaetze",
    "lies_wochentag",
    "pflicht_erinnerungen",
    "selbsterklaerung_erinnerungen",
    "tage_spaeter",
    "termin_erinnerungen",
    "treffen_erinnerungen",
    "versaetze_text",
    "versatz_text",
    "wandzeit",
    "zeitpunkt_text",
]
