"""Events (Termine): kinds, occurrences of recurring events, clash rules and public holidays.

Pure domain code – no database, no chat. The storage side (`om_bot.services.terminverwaltung`),
the use cases (`om_bot.services.termine`) and the chat commands (`om_bot/commands/termine/`)
build on these functions, and every stored event obeys `pruefe_zeitraum`.

"Terminüberschneidungen von Veranstaltungen und Parallelansprachen von Ansprechpartnern und
Institutionen in der Region sollten in jedem Fall vermieden werden." (seed 000)

Occurrences
-----------
An event has a first occurrence (`start`, `ende`) and, if it repeats, an RFC 5545 RRULE. The
rule is expanded with ``dateutil.rrule`` on the *wall clock* of the event's time zone: the
Tuesday meeting at 10:00 stays at 10:00 local time across the change to and from daylight
saving time, and each occurrence is localized on its own. Like RFC 5545 prescribes, every
occurrence lasts as long as the first one (exact duration); all-day events last whole days. A
local time that falls into the spring-forward gap (02:30 on the last Sunday of March) moves to
the same offset's reading (03:30), a repeated one (October) takes its first reading. Cancelled
occurrences are local dates (`ausnahmen`), so an occurrence stays cancelled when the series
moves to another hour.

Clashes
-------
Two events clash when their regions overlap – the same region, or one inside the other (a
Bayern-wide event and one in München, in both directions, through every level of nesting) –
and their times do: they overlap once each is extended by the configured buffer
(``[termine] puffer``), or, with ``[termine] gleicher_tag`` (the default), they touch the same
local calendar day. An event across midnight touches both days. The database finds candidates
by an indexed time-window query (`suchfenster`), `kollidiert` decides.

Holidays
--------
Public holidays come from the package ``holidays`` with the Bundesland as subdivision
(``holidays.country_holidays("DE", subdiv="BY")``, public holidays only). A region's Länder are
its own code and those of every region it lies in (the Harz: Niedersachsen, Sachsen-Anhalt,
Thüringen); a region above the Länder (Norddeutschland, Deutschland) checks the Länder inside
it. The text says which Länder
a holiday applies to: „Feiertag in Bayern: Fronleichnam“.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr  # type: ignore[import-untyped]

from om_bot.domain.dates import Zeitraum, datum_text, format_zeitraum
from om_bot.domain.fehler import UsageError
from om_bot.domain.matching import fold
from om_bot.domain.regions import innerhalb, umfassend

SEED_000 = (
    "„Terminüberschneidungen von Veranstaltungen und Parallelansprachen von Ansprechpartnern "
    "und Institutionen in der Region sollten in jedem Fall vermieden werden.“"
)
SEED_001_TREFFEN = "„tagt mindestens zweimal im Jahr“"

# The clash query looks this far back for events that started earlier and still run; longer
# events are refused (a campaign week is split into its days).
MAX_DAUER = timedelta(days=14)
# Occurrences up to this long (every timed event of a day, every one-day all-day event, also
# on the 25-hour day in October) are "short": the clash query looks back only this far for
# them and the full MAX_DAUER only among the few long ones (a separate index).
LANG_AB = timedelta(hours=26)
# A guard against rules that would produce absurd numbers of rows (daily for ten years).
MAX_VORKOMMEN = 2000


class TerminArt(enum.StrEnum):
    NETZWERKTREFFEN = "netzwerktreffen"
    VERANSTALTUNG = "veranstaltung"
    INFOSTAND = "infostand"
    WORKSHOP = "workshop"
    SONSTIGES = "sonstiges"

    @property
    def text(self) -> str:
        return {
            TerminArt.NETZWERKTREFFEN: "Netzwerktreffen",
            TerminArt.VERANSTALTUNG: "Veranstaltung",
            TerminArt.INFOSTAND: "Infostand",
            TerminArt.WORKSHOP: "Workshop",
            TerminArt.SONSTIGES: "Sonstiges",
        }[self]

    @property
    def zaehlt_als_treffen(self) -> bool:
        """Counts for the criterion „tagt mindestens zweimal im Jahr“ (seed 001)."""
        return self is TerminArt.NETZWERKTREFFEN


# Words (folded) that name a kind, in `art:` and as the first word of a title.
ART_WOERTER: dict[str, TerminArt] = {
    "netzwerktreffen": TerminArt.NETZWERKTREFFEN,
    "treffen": TerminArt.NETZWERKTREFFEN,
    "sitzung": TerminArt.NETZWERKTREFFEN,
    "veranstaltung": TerminArt.VERANSTALTUNG,
    "infostand": TerminArt.INFOSTAND,
    "stand": TerminArt.INFOSTAND,
    "workshop": TerminArt.WORKSHOP,
    "seminar": TerminArt.WORKSHOP,
    "sonstiges": TerminArt.SONSTIGES,
    "sonstige": TerminArt.SONSTIGES,
}


def lies_art(wort: str) -> TerminArt | None:
    """The kind `wort` names („treffen“, „Infostand“), or None."""
    return ART_WOERTER.get(fold(wort.strip()))


def art_aus_titel(titel: str) -> TerminArt:
    """A title that starts with a kind word has that kind („Netzwerktreffen Frühjahr“);
    everything else is a Veranstaltung. `art:` overrides it; the reply always shows the kind."""
    woerter = titel.split()
    erstes = woerter[0].strip(",.:;!-–") if woerter else ""
    return lies_art(erstes) or TerminArt.VERANSTALTUNG


@dataclass(frozen=True)
class Regeln:
    """The ``[termine]`` settings as the domain uses them."""

    standard_dauer: timedelta = timedelta(hours=2)
    gleicher_tag: bool = True
    puffer: timedelta = timedelta(0)
    horizont: timedelta = timedelta(days=730)


# --------------------------------------------------------------------------
# Invariants of a stored event
# --------------------------------------------------------------------------


class TerminZeitFehler(UsageError):
    """An event's time breaks an invariant (`pruefe_zeitraum`): nothing is stored. The message
    is German and complete; a chat command adds its usage line and an example."""


class TerminVergangen(TerminZeitFehler):
    """The event lies in the past (an all-day one: it has ended)."""


class TerminZuLang(TerminZeitFehler):
    """The event lasts longer than `MAX_DAUER`."""


class TerminZuWeit(TerminZeitFehler):
    """The event begins beyond the horizon (``[termine] horizont_tage``)."""


def pruefe_zeitraum(z: Zeitraum, jetzt: datetime, regeln: Regeln) -> None:
    """Refuse a past date, an event longer than `MAX_DAUER` (the clash query looks back no
    further) and one that begins beyond `regeln.horizont` (series are stored up to it).

    The rule every stored event obeys: `om_bot.services.terminverwaltung.anlegen` and `aendern`
    (when the time changes) check it, whoever calls them. Dates are named in the zone of `z`.
    """
    vorbei = z.end <= jetzt if z.ganztaegig else z.start < jetzt
    if vorbei:
        raise TerminVergangen(
            f"Der Termin ({format_zeitraum(z)}) liegt in der Vergangenheit. Es wurde nichts "
            "gespeichert."
        )
    if z.end.astimezone(UTC) - z.start.astimezone(UTC) > MAX_DAUER:
        raise TerminZuLang(
            f"Ein Termin darf höchstens {MAX_DAUER.days} Tage dauern ({format_zeitraum(z)}). "
            "Längere Aktionen bitte als einzelne Termine eintragen. Es wurde nichts gespeichert."
        )
    horizont = regeln.horizont
    if z.start > jetzt + horizont:
        raise TerminZuWeit(
            f"Termine kann ich höchstens {horizont.days} Tage im Voraus eintragen (bis "
            f"{datum_text(jetzt + horizont, z.start.tzinfo)}); {format_zeitraum(z)} liegt "
            "weiter weg. Es wurde nichts gespeichert."
        )


# --------------------------------------------------------------------------
# Occurrences
# --------------------------------------------------------------------------


class Serie(Protocol):
    """What the expansion reads of an event (the `storage.models.Termin` row has it)."""

    @property
    def start(self) -> datetime: ...
    @property
    def ende(self) -> datetime: ...
    @property
    def ganztaegig(self) -> bool: ...
    @property
    def rrule(self) -> str: ...
    @property
    def zeitzone(self) -> str: ...


@dataclass(frozen=True)
class EinTermin:
    """A plain `Serie` (for tests, the benchmark and events not yet stored)."""

    start: datetime
    ende: datetime
    ganztaegig: bool = False
    rrule: str = ""
    zeitzone: str = "Europe/Berlin"


Zeitspanne = tuple[datetime, datetime]


def _lokal(wand: datetime, tz: ZoneInfo) -> datetime:
    """Attach the zone to a wall-clock time; a time in the spring gap moves forward."""
    return wand.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


def _alle(termin: Serie, von: datetime, bis: datetime) -> Iterator[Zeitspanne]:
    """The occurrences starting in about [von - MAX_DAUER, bis], in order, in the event's zone
    (callers filter exactly; the margin catches long occurrences that began earlier)."""
    tz = ZoneInfo(termin.zeitzone)
    start = termin.start.astimezone(tz)
    ende = termin.ende.astimezone(tz)
    tage_ = (ende.date() - start.date()).days
    # Exact (elapsed) duration, as RFC 5545 says. In UTC: Python subtracts two times of the
    # same zone on the wall clock, which is wrong on the days the clocks change.
    dauer = termin.ende.astimezone(UTC) - termin.start.astimezone(UTC)
    if not termin.rrule:
        yield start, ende
        return
    regel = rrulestr(termin.rrule, dtstart=start.replace(tzinfo=None))
    # Wall-clock bounds, a day wider on both sides for the zone offsets.
    ab = von.astimezone(tz).replace(tzinfo=None) - MAX_DAUER - timedelta(days=1)
    grenze = bis.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    for anzahl, wand in enumerate(regel.xafter(max(ab, start.replace(tzinfo=None)), inc=True)):
        if wand > grenze or anzahl >= MAX_VORKOMMEN:
            return
        beginn = _lokal(wand, tz)
        if termin.ganztaegig:
            yield beginn, _lokal(datetime.combine(wand.date() + timedelta(days=tage_), time()), tz)
        else:
            yield beginn, (beginn.astimezone(UTC) + dauer).astimezone(tz)


def vorkommen(
    termin: Serie, von: datetime, bis: datetime, ausnahmen: Iterable[date] = ()
) -> list[Zeitspanne]:
    """The occurrences of `termin` that overlap [von, bis), without the cancelled days.

    Times are aware, in the event's zone. For an event without RRULE that is its one span
    (if it overlaps). At most `MAX_VORKOMMEN` occurrences per call.
    """
    abgesagt = set(ausnahmen)
    von, bis = von.astimezone(UTC), bis.astimezone(UTC)
    ergebnis = []
    for beginn, ende in _alle(termin, von, bis):
        if beginn.astimezone(UTC) >= bis:
            break
        if ende.astimezone(UTC) > von and beginn.date() not in abgesagt:
            ergebnis.append((beginn, ende))
    return ergebnis


def naechste(
    termin: Serie, jetzt: datetime, anzahl: int, ausnahmen: Iterable[date] = ()
) -> list[Zeitspanne]:
    """The next `anzahl` occurrences that have not ended yet."""
    abgesagt = set(ausnahmen)
    jetzt = jetzt.astimezone(UTC)
    ergebnis: list[Zeitspanne] = []
    for beginn, ende in _alle(termin, jetzt, jetzt + timedelta(days=366 * 10)):
        if ende.astimezone(UTC) > jetzt and beginn.date() not in abgesagt:
            ergebnis.append((beginn, ende))
            if len(ergebnis) >= anzahl:
                break
    return ergebnis


def lokaler_tag(zeitpunkt: datetime, tz: ZoneInfo) -> date:
    return zeitpunkt.astimezone(tz).date()


def tage(start: datetime, ende: datetime, tz: ZoneInfo) -> list[date]:
    """The local calendar days a span touches; the end is exclusive (ends at 00:00 → not)."""
    erster = start.astimezone(tz).date()
    letzter = (ende.astimezone(UTC) - timedelta(microseconds=1)).astimezone(tz).date()
    return [erster + timedelta(days=k) for k in range((letzter - erster).days + 1)]


# --------------------------------------------------------------------------
# Clash rules
# --------------------------------------------------------------------------


def ueberlappende_regionen(region_id: int, kanten: Iterable[tuple[int, int]]) -> set[int]:
    """The regions whose events can clash with one in `region_id`: the region itself, every
    region inside it and every region it lies in."""
    paare = list(kanten)
    return innerhalb(region_id, paare) | umfassend(region_id, paare)


def suchfenster(start: datetime, ende: datetime, regeln: Regeln, tz: ZoneInfo) -> Zeitspanne:
    """The window another occurrence must overlap to possibly clash with [start, ende).

    The database query asks for occurrences with ``start < bis`` and ``ende > von`` (and, to
    use the index, ``start >= von - MAX_DAUER``); `kollidiert` then decides exactly. In UTC.
    """
    von = start.astimezone(UTC) - regeln.puffer
    bis = ende.astimezone(UTC) + regeln.puffer
    if regeln.gleicher_tag:
        alle = tage(start, ende, tz)
        von = min(von, _lokal(datetime.combine(alle[0], time()), tz).astimezone(UTC))
        mitternacht = _lokal(datetime.combine(alle[-1] + timedelta(days=1), time()), tz)
        bis = max(bis, mitternacht.astimezone(UTC))
    return von, bis


def kollidiert(a: Zeitspanne, b: Zeitspanne, regeln: Regeln, tz: ZoneInfo) -> bool:
    """Whether two occurrences (in overlapping regions) clash: overlapping times once extended
    by the buffer, or – with `gleicher_tag` – a shared local calendar day."""
    a0, a1, b0, b1 = (t.astimezone(UTC) for t in (*a, *b))  # elapsed time, not wall clock
    if a0 < b1 + regeln.puffer and b0 < a1 + regeln.puffer:
        return True
    return regeln.gleicher_tag and not set(tage(*a, tz)).isdisjoint(tage(*b, tz))


# --------------------------------------------------------------------------
# Holidays
# --------------------------------------------------------------------------

LAENDER = {
    "BW": "Baden-Württemberg", "BY": "Bayern", "BE": "Berlin", "BB": "Brandenburg",
    "HB": "Bremen", "HH": "Hamburg", "HE": "Hessen", "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen", "NW": "Nordrhein-Westfalen", "RP": "Rheinland-Pfalz",
    "SL": "Saarland", "SN": "Sachsen", "ST": "Sachsen-Anhalt", "SH": "Schleswig-Holstein",
    "TH": "Thüringen",
}  # fmt: skip


# The one holiday that differs inside a Land and that the `holidays` package knows: the
# Augsburger Hohes Friedensfest (8 August), a subdivision of its own whose calendar is Bavaria's
# plus that day. The Stadt Augsburg is the kreisfreie Stadt with key 09761.
AUGSBURG = "Augsburg"
STADT_AUGSBURG = "kreis:09761"


def laender_der_region(
    region_id: int, kanten: Iterable[tuple[int, int]], codes: Mapping[int, str]
) -> tuple[str, ...]:
    """The Länder (ISO codes without „DE-“) whose holidays apply to events in `region_id`.

    `codes` maps region ids to their Bundesland code ("" for regions across Länder borders).
    """
    paare = list(kanten)
    oben = {codes.get(r, "") for r in umfassend(region_id, paare)} - {""}
    if AUGSBURG in oben:
        # Augsburg's calendar includes Bavaria's: naming both would list each holiday twice.
        oben.discard("BY")
    if oben:
        return tuple(sorted(oben))
    # Above the Länder (Norddeutschland, Deutschland): the Länder inside.
    unten = {codes.get(r, "") for r in innerhalb(region_id, paare)} - {""}
    return tuple(sorted(unten))


@lru_cache(maxsize=128)
def _feiertage(land: str, jahr: int) -> dict[date, str]:
    import holidays  # noqa: PLC0415 - loads its calendars only when a holiday is looked up

    kalender = holidays.country_holidays("DE", subdiv=land, years=jahr, language="de")
    return {tag: str(name) for tag, name in kalender.items()}


@dataclass(frozen=True)
class Feiertag:
    tag: date
    name: str
    laender: tuple[str, ...]  # the codes of the region's Länder where it is a holiday
    alle: bool  # a holiday in every Land of the region


def feiertage(tage_: Iterable[date], laender: Sequence[str]) -> list[Feiertag]:
    """The public holidays on `tage_` in any of `laender`, by day and name."""
    ergebnis = []
    for tag in sorted(set(tage_)):
        namen: dict[str, list[str]] = {}
        for land in laender:
            name = _feiertage(land, tag.year).get(tag)
            if name:
                namen.setdefault(name, []).append(land)
        for name, wo in namen.items():
            ergebnis.append(Feiertag(tag, name, tuple(wo), len(wo) == len(laender)))
    return ergebnis


def feiertag_text(f: Feiertag, mit_datum: bool = False) -> str:
    """„Feiertag in Bayern: Fronleichnam“, „bundesweiter Feiertag: Neujahr“."""
    if len(f.laender) == len(LAENDER):
        wo = "bundesweiter Feiertag"
    else:
        namen = [LAENDER.get(c, c) for c in f.laender]
        liste = namen[0] if len(namen) == 1 else ", ".join(namen[:-1]) + " und " + namen[-1]
        wo = f"Feiertag in {liste}"
    datum = f" ({f.tag:%d.%m.%Y})" if mit_datum else ""
    return f"{wo}: {f.name}{datum}"
