"""Reminders before events (every occurrence of a series, per room offsets).

Part of the reminder rules (`om_bot.domain.erinnerungen`); plain Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from om_bot.domain.dates import Zeitraum, format_zeitraum
from om_bot.domain.erinnerungen.grundlagen import Art, GeplanteErinnerung, faellig_vor, versatz_text
from om_bot.text.format import B, Msg


@dataclass(frozen=True)
class TerminVorkommen:
    """One occurrence of an event, as the reminders need it (read by a `TerminLeser`)."""

    termin_id: int
    titel: str
    beginn: datetime
    ende: datetime
    ganztaegig: bool = False
    netzwerk_id: int | None = None
    netzwerk: str = ""
    region_id: int | None = None
    region: str = ""
    ort: str = ""
    art: str = ""  # e.g. "Netzwerktreffen"
    ueberschneidung: bool = False
    # When this occurrence (or its whole series) was cancelled; None while it takes place.
    abgesagt: datetime | None = None
    # Last change of the event: reminders it makes overdue are not sent late.
    geaendert: datetime | None = None
    # Identifies the occurrence within a series when its start can move (e.g. an occurrence
    # row id); the start time is part of the key anyway.
    vorkommen: str = ""


@dataclass(frozen=True)
class RaumPlan:
    """A room's reminder settings: the offsets before events and since when they hold."""

    room_id: str
    versaetze: tuple[timedelta, ...]
    seit: datetime | None = None
    eigene: bool = False  # the room set its own offsets (`/om erinnerungen 2h 1d`)


def _stempel(wann: datetime) -> str:
    return f"{wann.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _minuten(versatz: timedelta) -> int:
    return int(versatz.total_seconds() // 60)


def _termin_zeile(v: TerminVorkommen, tz: ZoneInfo) -> str:
    z = Zeitraum(v.beginn.astimezone(tz), v.ende.astimezone(tz), v.ganztaegig)
    return format_zeitraum(z)


def _termin_teile(v: TerminVorkommen, tz: ZoneInfo) -> list[str]:
    teile = [_termin_zeile(v, tz)]
    wo = v.ort or v.region
    if wo:
        teile.append(wo)
    if v.netzwerk:
        teile.append(v.netzwerk)
    return teile


def _max_zeit(*werte: datetime | None) -> datetime | None:
    vorhanden = [w for w in werte if w is not None]
    return max(vorhanden) if vorhanden else None


def termin_erinnerungen(
    v: TerminVorkommen, raeume: Sequence[RaumPlan], tz: ZoneInfo
) -> list[GeplanteErinnerung]:
    """The reminders of one occurrence in the rooms of its network, at each room's offsets.

    A cancelled occurrence gets none: its stored ones are dropped by the scheduler. The notice
    instead comes from the events feature, which announces a cancellation in every room of the
    network at once (`om_bot/commands/termine/`); a second one from here would only repeat it.
    """
    if v.abgesagt is not None:
        return []
    ergebnis = []
    for raum in raeume:
        gruppe = f"termin:{v.termin_id}:{v.vorkommen}:{_stempel(v.beginn)}:{raum.room_id}"
        for versatz in raum.versaetze:
            msg = Msg().line("⏰ Erinnerung: ", B(v.titel))
            msg.line(" · ".join(_termin_teile(v, tz)))
            if v.ueberschneidung:
                msg.line(
                    "⚠ Terminüberschneidung: zur selben Zeit ist in der Region ein weiterer "
                    "Termin eingetragen."
                )
            ergebnis.append(
                GeplanteErinnerung(
                    schluessel=f"{gruppe}:{_minuten(versatz)}m",
                    art=Art.TERMIN,
                    room_id=raum.room_id,
                    faellig=faellig_vor(v.beginn, versatz, tz),
                    gueltig_bis=v.ende.astimezone(UTC),
                    titel=f"{v.titel} ({_termin_zeile(v, tz)}) – {versatz_text(versatz)} vorher",
                    text=(reply := msg.reply()).text,
                    html=reply.html,
                    gruppe=gruppe,
                    seit=_max_zeit(v.geaendert, raum.seit),
                )
            )
    return ergebnis


def groesster_versatz(raeume: Iterable[RaumPlan], standard: Sequence[timedelta]) -> timedelta:
    return max([*standard, *(v for r in raeume for v in r.versaetze)], default=timedelta(0))


# --- yearly obligations (seed 001, seed 003) -------------------------------------------------
