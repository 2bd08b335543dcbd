"""What every reminder shares: kinds, the planned reminder, settings, the parsers of
the `[reminders]` values and the German wording of offsets and times.

Part of the reminder rules (`om_bot.domain.erinnerungen`); plain Python.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from om_bot.domain.dates import DatumFehler, datum_text, parse_dauer

# --- what the scheduler stores ---------------------------------------------------------------


class Art(enum.StrEnum):
    """The kind of a reminder (stored with it; `/om erinnerungen` groups by it)."""

    TERMIN = "termin"
    TREFFEN = "treffen"
    BERICHT = "bericht"
    SELBSTERKLAERUNG = "selbsterklaerung"
    ANFRAGE = "anfrage"
    INFODIENST = "infodienst"


@dataclass(frozen=True)
class GeplanteErinnerung:
    """A reminder a source wants: where, when, until when it is useful, and what it says."""

    schluessel: str  # stable and unique: same data, same key
    art: Art
    room_id: str  # a room, or a user ("@…") who gets it as a direct message
    faellig: datetime  # timezone-aware; stored in UTC
    gueltig_bis: datetime  # after this the reminder is useless: dropped, never sent
    titel: str  # one line for `/om erinnerungen`
    text: str
    html: str
    # Of several overdue reminders in one group (the 1-day and the 1-hour reminder of the same
    # occurrence in the same room) only the latest is sent after a downtime.
    gruppe: str = ""
    # Since when the reminder exists in this form; one first planned after its due time is not
    # sent (None: always catch up while useful).
    seit: datetime | None = None
    # `/om erinnerungen aus` silences it (the info service has its own switch).
    abschaltbar: bool = True

    def __post_init__(self) -> None:
        for name in ("faellig", "gueltig_bis"):
            if getattr(self, name).tzinfo is None:
                raise ValueError(f"{name} muss zeitzonenbehaftet sein")
        if len(self.schluessel) > SCHLUESSEL_MAX:
            raise ValueError(f"Schlüssel zu lang: {self.schluessel[:60]}…")

    def verpasst(self) -> bool:
        """First planned only after it was due (and so not to be sent late)?"""
        return self.seit is not None and self.seit > self.faellig


SCHLUESSEL_MAX = 500


@dataclass(frozen=True)
class Stichtag:
    """On `tag`.`monat` a network with fewer than `mindestens` meetings this year is reminded."""

    monat: int
    tag: int
    mindestens: int

    def datum(self, jahr: int) -> date:
        return date(jahr, self.monat, self.tag)


@dataclass(frozen=True)
class Einstellungen:
    """The reminder settings (from `[reminders]` in the configuration)."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Berlin"))
    prefix: str = "!om"
    vor_termin: tuple[timedelta, ...] = (timedelta(days=1), timedelta(hours=1))
    jahrespflichten: bool = True
    treffen_stichtage: tuple[Stichtag, ...] = (Stichtag(6, 1, 1), Stichtag(9, 1, 2))
    bericht_vorlauf_tage: tuple[int, ...] = (30,)
    selbsterklaerung_vorlauf_tage: tuple[int, ...] = (60, 14)
    pflichten_uhrzeit: time = time(9, 0)
    anfrage_nach_tagen: int = 7
    geschaeftsstelle_room: str = ""
    # Without a Geschäftsstelle room its members get request reminders as direct messages.
    geschaeftsstelle_users: tuple[str, ...] = ()
    infodienst_wochentag: int = 0  # Monday
    infodienst_uhrzeit: time = time(8, 0)
    infodienst_wochen: int = 4
    # How far ahead event reminders are planned beyond the largest offset; the scheduler
    # re-plans at least hourly, so a day is plenty. `/om erinnerungen` looks further ahead.
    vorschau: timedelta = timedelta(days=1)


# --- parsing settings (config and commands) --------------------------------------------------

WOCHENTAGE = ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag")
WOCHENTAG_NAMEN = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
_KURZ = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
_STICHTAG = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.?\s*:\s*(\d{1,2})\s*$")
_UHRZEIT = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
MAX_VERSAETZE = 5
MAX_VERSATZ = timedelta(days=30)


def lies_stichtag(text: str) -> Stichtag:
    """``"01.06.:1"`` → on 1 June, remind networks with fewer than one meeting this year."""
    match = _STICHTAG.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a day with a minimum like '01.06.:1'")
    tag, monat, mindestens = (int(g) for g in match.groups())
    try:
        date(2024, monat, tag)  # a leap year, so 29.02. is allowed
    except ValueError:
        raise ValueError(f"'{text}': {tag}.{monat}. is not a day of the year") from None
    if monat == 2 and tag == 29:
        raise ValueError(f"'{text}': 29.02. does not exist every year")
    if not 1 <= mindestens <= 12:
        raise ValueError(f"'{text}': the minimum must be between 1 and 12")
    return Stichtag(monat, tag, mindestens)


def lies_wochentag(text: str) -> int:
    """``"montag"`` (or ``"Mo"``) → 0."""
    wort = text.strip().lower()
    for nummer, name in enumerate(WOCHENTAGE):
        if wort in (name, name[:2]):
            return nummer
    raise ValueError(f"'{text}' is not a German weekday like 'montag'")


def lies_uhrzeit(text: str) -> time:
    """``"08:00"`` or ``"08:00:30"`` (seconds, so tests can schedule precisely)."""
    match = _UHRZEIT.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a time like '08:00'")
    stunde, minute, sekunde = (int(g) if g else 0 for g in match.groups())
    if stunde > 23 or minute > 59 or sekunde > 59:
        raise ValueError(f"'{text}' is not a time of day")
    return time(stunde, minute, sekunde)


def lies_versaetze(text: str) -> tuple[timedelta, ...]:
    """The offsets of `/om erinnerungen 2h 1d`: largest first, without duplicates.

    Compact tokens are separated by spaces (``2h 1d``, ``1h30m 15m``); written-out ones by
    commas (``2 Stunden, 1 Tag``). A chunk with one number may be written out (``90 min``); a
    chunk with several numbers that are not each a compact token (``2 Stunden 1 Tag``) is
    refused, because adding them up silently could be a wrong reading.
    """
    teile = [t.strip() for t in re.split(r",|;|\bund\b", text) if t.strip()]
    if not teile:
        raise ValueError("Bitte geben Sie mindestens einen Zeitpunkt an, z. B. „2h 1d“.")
    ergebnis: set[timedelta] = set()
    for teil in teile:
        woerter = teil.split()
        try:
            werte = [parse_dauer(w) for w in woerter]
        except DatumFehler:
            if len(re.findall(r"\d+(?:[.,]\d+)?", teil)) > 1:
                raise ValueError(
                    f"„{teil[:60]}“ verstehe ich nicht sicher. Mehrere Zeitpunkte bitte mit "
                    "Komma trennen („2 Stunden, 1 Tag“) oder kurz schreiben („2h 1d“)."
                ) from None
            try:
                werte = [parse_dauer(teil)]
            except DatumFehler as fehler:
                raise ValueError(fehler.meldung) from None
        ergebnis.update(werte)
    for wert in ergebnis:
        if wert > MAX_VERSATZ:
            raise ValueError(
                f"{versatz_text(wert)} vorher ist zu früh; höchstens {versatz_text(MAX_VERSATZ)}."
            )
    if len(ergebnis) > MAX_VERSAETZE:
        raise ValueError(f"Höchstens {MAX_VERSAETZE} Erinnerungen je Termin.")
    return tuple(sorted(ergebnis, reverse=True))


def _anzahl(n: int, einzahl: str, mehrzahl: str) -> str:
    return f"{n} {einzahl if n == 1 else mehrzahl}"


def versatz_text(versatz: timedelta) -> str:
    """German: „1 Tag“, „2 Stunden“, „1 Tag 12 Stunden“, „1 Stunde 30 Minuten“."""
    minuten = int(versatz.total_seconds() // 60)
    tage, rest = divmod(minuten, 24 * 60)
    stunden, minuten = divmod(rest, 60)
    teile = []
    if tage:
        teile.append(_anzahl(tage, "Tag", "Tage"))
    if stunden:
        teile.append(_anzahl(stunden, "Stunde", "Stunden"))
    if minuten or not teile:
        teile.append(_anzahl(minuten, "Minute", "Minuten"))
    return " ".join(teile)


def versaetze_text(versaetze: Iterable[timedelta]) -> str:
    return ", ".join(versatz_text(v) for v in versaetze)


# --- time arithmetic on the wall clock -------------------------------------------------------


def wandzeit(tag: date, uhrzeit: time, tz: ZoneInfo) -> datetime:
    """The instant the clocks in `tz` show `uhrzeit` on `tag`.

    A time in the spring-forward gap moves forward by the gap; of the two instants of an
    ambiguous autumn time the first is taken (``fold=0``).
    """
    lokal = datetime.combine(tag, uhrzeit.replace(tzinfo=None, fold=0), tzinfo=tz)
    # The round trip through UTC normalises a non-existent 02:30 to 03:30 summer time.
    return lokal.astimezone(UTC).astimezone(tz)


def faellig_vor(beginn: datetime, versatz: timedelta, tz: ZoneInfo) -> datetime:
    """When a reminder `versatz` before `beginn` is due, in UTC.

    Whole days go back on the calendar of `tz` to the same wall-clock time, the remainder
    (hours, minutes) is elapsed time: "2 hours before" is 120 minutes even across a DST change.
    """
    lokal = beginn.astimezone(tz)
    tage = timedelta(days=versatz.days)
    tag = wandzeit(lokal.date() - tage, lokal.time(), tz)
    # In UTC: arithmetic on two times of one ZoneInfo would be wall-clock arithmetic.
    return tag.astimezone(UTC) - (versatz - tage)


def tage_spaeter(tag: date, uhrzeit: time, tage: int, tz: ZoneInfo) -> datetime:
    """`uhrzeit` on the day `tage` days after `tag`, in UTC."""
    return wandzeit(tag + timedelta(days=tage), uhrzeit, tz).astimezone(UTC)


def jahre_spaeter(tag: date, jahre: int) -> date:
    """The same calendar day `jahre` later; 29 February becomes 28 February."""
    try:
        return tag.replace(year=tag.year + jahre)
    except ValueError:
        return tag.replace(year=tag.year + jahre, day=28)


def zeitpunkt_text(wann: datetime, tz: ZoneInfo) -> str:
    """„Fr, 12.03.2027, 14:00 Uhr“ (seconds only when they are not zero)."""
    lokal = wann.astimezone(tz)
    uhr = f"{lokal:%H:%M:%S}" if lokal.second else f"{lokal:%H:%M}"
    return f"{_KURZ[lokal.weekday()]}, {datum_text(lokal.date())}, {uhr} Uhr"


# --- events ----------------------------------------------------------------------------------
