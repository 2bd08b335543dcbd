"""Tests for om_bot.domain.dates: German date phrases → Zeitraum.

All expectations are relative to fixed "now" values so that the tests never
depend on the real clock:

* JETZT: Wednesday 18.11.2026, 09:30 (Europe/Berlin)
* JETZT_MAERZ: Thursday 25.03.2027, 10:00 – DST starts Sunday 28.03.2027
* JETZT_OKTOBER: Thursday 28.10.2027, 10:00 – DST ends Sunday 31.10.2027
"""

from __future__ import annotations

import random
import time as zeitmessung
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from om_bot.domain.dates import (
    DatumFehler,
    Zeitraum,
    beschreibe_rrule,
    find_when,
    format_zeitraum,
    parse_dauer,
    parse_when,
)

B = ZoneInfo("Europe/Berlin")
JETZT = datetime(2026, 11, 18, 9, 30, tzinfo=B)  # Mittwoch
JETZT_MAERZ = datetime(2027, 3, 25, 10, 0, tzinfo=B)  # Donnerstag
JETZT_OKTOBER = datetime(2027, 10, 28, 10, 0, tzinfo=B)  # Donnerstag


def b(y: int, mo: int, d: int, h: int = 0, mi: int = 0, *, fold: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=B, fold=fold)


@dataclass(frozen=True)
class E:
    """Expected result of a parse."""

    start: datetime
    end: datetime
    ganztaegig: bool = False
    rrule: str | None = None
    ohne_ende: bool = False


def tag(y: int, mo: int, d: int, bis: tuple[int, int, int] | None = None) -> E:
    """All-day expectation from y-mo-d through ``bis`` (inclusive)."""
    letzter = b(*bis) if bis else b(y, mo, d)
    return E(b(y, mo, d), b(letzter.year, letzter.month, letzter.day) + timedelta(days=1), True)


def um(y: int, mo: int, d: int, h: int, mi: int = 0, *, rrule: str | None = None) -> E:
    """Timed start without end: default duration of 2 hours."""
    start = b(y, mo, d, h, mi)
    return E(start, start + timedelta(hours=2), rrule=rrule, ohne_ende=True)


def von_bis(start: datetime, end: datetime, rrule: str | None = None) -> E:
    return E(start, end, rrule=rrule)


def serie_tag(y: int, mo: int, d: int, rrule: str) -> E:
    return E(b(y, mo, d), b(y, mo, d) + timedelta(days=1), True, rrule)


# ---------------------------------------------------------------------------
# The big table: JETZT = Wednesday 18.11.2026, 09:30
# ---------------------------------------------------------------------------

FAELLE: list[tuple[str, E]] = [
    # --- absolute dates
    ("12.03.2027", tag(2027, 3, 12)),
    ("am 12.03.2027", tag(2027, 3, 12)),
    ("AM 12.03.2027", tag(2027, 3, 12)),
    ("12.3.27", tag(2027, 3, 12)),
    ("12.03.", tag(2027, 3, 12)),
    ("12.3.", tag(2027, 3, 12)),
    ("12. März 2027", tag(2027, 3, 12)),
    ("12. März", tag(2027, 3, 12)),
    ("am 12. Maerz", tag(2027, 3, 12)),
    ("12 März 2027", tag(2027, 3, 12)),
    ("am 12. Jan. 2027", tag(2027, 1, 12)),
    ("2027-03-12", tag(2027, 3, 12)),
    ("Freitag, 12.03.2027", tag(2027, 3, 12)),
    ("am Freitag, den 12.03.2027", tag(2027, 3, 12)),
    ("Fr, 12.03.2027", tag(2027, 3, 12)),
    ("Di. 12.01.2027", tag(2027, 1, 12)),
    ("am 12.03", tag(2027, 3, 12)),
    ("Freitag 12.03", tag(2027, 3, 12)),
    ("20.11.", tag(2026, 11, 20)),
    ("18.11.", tag(2026, 11, 18)),  # today, not next year
    ("15.08.", tag(2027, 8, 15)),  # passed 95 days ago: next year
    ("12.03.2027 ganztägig", tag(2027, 3, 12)),
    # --- relative days
    ("heute", tag(2026, 11, 18)),
    ("morgen", tag(2026, 11, 19)),
    ("übermorgen", tag(2026, 11, 20)),
    ("uebermorgen", tag(2026, 11, 20)),
    ("in 3 Tagen", tag(2026, 11, 21)),
    ("in drei Tagen", tag(2026, 11, 21)),
    ("in zwei Wochen", tag(2026, 12, 2)),
    ("in einer Woche", tag(2026, 11, 25)),
    ("in vierzehn Tagen", tag(2026, 12, 2)),
    ("in einem Monat", tag(2026, 12, 18)),
    ("in 2 Monaten", tag(2027, 1, 18)),
    ("in einem Jahr", tag(2027, 11, 18)),
    # --- weeks and weekdays (today is Wednesday)
    ("nächste Woche Dienstag", tag(2026, 11, 24)),
    ("Dienstag nächste Woche", tag(2026, 11, 24)),
    ("Dienstag nächster Woche", tag(2026, 11, 24)),
    ("Dienstag der nächsten Woche", tag(2026, 11, 24)),
    ("nächste Woche am Dienstag", tag(2026, 11, 24)),
    ("in der nächsten Woche am Dienstag", tag(2026, 11, 24)),
    ("Freitag kommende Woche", tag(2026, 11, 27)),
    ("übernächste Woche Montag", tag(2026, 11, 30)),
    ("diese Woche Freitag", tag(2026, 11, 20)),
    ("Freitag", tag(2026, 11, 20)),
    ("am Freitag", tag(2026, 11, 20)),
    ("nächsten Freitag", tag(2026, 11, 20)),
    ("naechsten Freitag", tag(2026, 11, 20)),
    ("am nächsten Freitag", tag(2026, 11, 20)),
    ("kommenden Freitag", tag(2026, 11, 20)),
    ("diesen Freitag", tag(2026, 11, 20)),
    ("übernächsten Freitag", tag(2026, 11, 27)),
    ("nächsten Mittwoch", tag(2026, 11, 25)),
    ("Dienstag", tag(2026, 11, 24)),
    ("am Montag", tag(2026, 11, 23)),
    ("Sonntag", tag(2026, 11, 22)),
    # --- times
    ("Freitag um 14 Uhr", um(2026, 11, 20, 14)),
    ("Freitag 14 Uhr", um(2026, 11, 20, 14)),
    ("Freitag 18 Uhr", um(2026, 11, 20, 18)),
    ("Freitag 14:00", um(2026, 11, 20, 14)),
    ("Freitag um 14.30 Uhr", um(2026, 11, 20, 14, 30)),
    ("Freitag um 14.30", um(2026, 11, 20, 14, 30)),
    ("Freitag 14:30", um(2026, 11, 20, 14, 30)),
    ("Freitag 9 Uhr", um(2026, 11, 20, 9)),
    ("Freitag 18 Uhr 30", um(2026, 11, 20, 18, 30)),
    ("Freitag um 14", um(2026, 11, 20, 14)),
    ("Freitag 14h", um(2026, 11, 20, 14)),
    ("Freitag 14h30", um(2026, 11, 20, 14, 30)),
    ("Freitag gegen 18 Uhr", um(2026, 11, 20, 18)),
    ("Freitag ab 18 Uhr", um(2026, 11, 20, 18)),
    ("Freitag, 18 Uhr", um(2026, 11, 20, 18)),
    ("heute 18 Uhr", um(2026, 11, 18, 18)),
    ("heute um 18 Uhr", um(2026, 11, 18, 18)),
    ("heute 8 Uhr", um(2026, 11, 18, 8)),  # past is not refused here
    ("morgen 10:00", um(2026, 11, 19, 10)),
    ("morgen um 03:00", um(2026, 11, 19, 3)),  # leading zero: literal
    ("morgen 0 Uhr", um(2026, 11, 19, 0)),
    ("morgen um zehn", um(2026, 11, 19, 10)),
    ("um zehn Uhr morgen", um(2026, 11, 19, 10)),
    ("morgen halb eins", um(2026, 11, 19, 12, 30)),
    ("Freitag halb acht", um(2026, 11, 20, 7, 30)),
    ("Freitag halb drei nachmittags", um(2026, 11, 20, 14, 30)),
    ("Freitag viertel nach zehn", um(2026, 11, 20, 10, 15)),
    ("Freitag viertel vor neun", um(2026, 11, 20, 8, 45)),
    ("Freitag viertel nach drei nachmittags", um(2026, 11, 20, 15, 15)),
    ("Freitag mittags", um(2026, 11, 20, 12)),
    ("Freitag 12 Uhr mittags", um(2026, 11, 20, 12)),
    ("Freitag 1 Uhr mittags", um(2026, 11, 20, 13)),
    ("Freitag 8 Uhr abends", um(2026, 11, 20, 20)),
    ("Freitag abends um 8", um(2026, 11, 20, 20)),
    ("Freitag um 8 abends", um(2026, 11, 20, 20)),
    ("heute Abend um 8", um(2026, 11, 18, 20)),
    ("morgen Abend um halb acht", um(2026, 11, 19, 19, 30)),
    ("morgen früh um 8", um(2026, 11, 19, 8)),
    ("heute Morgen um 11", um(2026, 11, 18, 11)),
    ("Freitag morgens um 9", um(2026, 11, 20, 9)),
    ("Freitag nachmittags um 3", um(2026, 11, 20, 15)),
    ("Freitag am Nachmittag um 4", um(2026, 11, 20, 16)),
    ("Freitagabend 19 Uhr", um(2026, 11, 20, 19)),
    ("Freitag 1 Uhr nachts", um(2026, 11, 20, 1)),
    ("Freitag 20 Uhr abends", um(2026, 11, 20, 20)),
    ("12. März 2027 14 Uhr", um(2027, 3, 12, 14)),
    ("12. März 2027, 14 Uhr", um(2027, 3, 12, 14)),
    ("am 12.03.2027 um 14:00", um(2027, 3, 12, 14)),
    ("um 14 Uhr am 12.03.2027", um(2027, 3, 12, 14)),
    ("2027-03-12 14:00", um(2027, 3, 12, 14)),
    ("13 Uhr 12.03.2027", um(2027, 3, 12, 13)),  # „12“ is no minute here
    ("am Fr um 18 Uhr", um(2026, 11, 20, 18)),
    ("am Montag, dem 23.11.", tag(2026, 11, 23)),
    ("Freitag übermorgen", tag(2026, 11, 20)),  # consistent, so accepted
    ("nächsten Freitag, 27.11.", tag(2026, 11, 27)),  # the explicit date wins
    # --- ranges
    ("am 12.03.2027 um 14:00 bis 16:00", von_bis(b(2027, 3, 12, 14), b(2027, 3, 12, 16))),
    ("12.03.2027 14:00-16:00", von_bis(b(2027, 3, 12, 14), b(2027, 3, 12, 16))),
    ("12.03.2027, 14:00 Uhr bis 16:00 Uhr", von_bis(b(2027, 3, 12, 14), b(2027, 3, 12, 16))),
    ("Freitag 14–16 Uhr", von_bis(b(2026, 11, 20, 14), b(2026, 11, 20, 16))),
    ("Freitag 14-16 Uhr", von_bis(b(2026, 11, 20, 14), b(2026, 11, 20, 16))),
    ("Freitag 14 bis 16 Uhr", von_bis(b(2026, 11, 20, 14), b(2026, 11, 20, 16))),
    ("Freitag von 14 bis 16 Uhr", von_bis(b(2026, 11, 20, 14), b(2026, 11, 20, 16))),
    ("Freitag von 14 bis 16", von_bis(b(2026, 11, 20, 14), b(2026, 11, 20, 16))),
    ("Freitag 14:00 bis 16:00", von_bis(b(2026, 11, 20, 14), b(2026, 11, 20, 16))),
    ("Freitag um 14:00 bis 16:00", von_bis(b(2026, 11, 20, 14), b(2026, 11, 20, 16))),
    ("Freitag 14 Uhr bis 16 Uhr", von_bis(b(2026, 11, 20, 14), b(2026, 11, 20, 16))),
    ("Freitag um 14 Uhr bis 16.30 Uhr", von_bis(b(2026, 11, 20, 14), b(2026, 11, 20, 16, 30))),
    ("Freitag von 9:30 bis 12", von_bis(b(2026, 11, 20, 9, 30), b(2026, 11, 20, 12))),
    ("Freitag von 10 bis 2", von_bis(b(2026, 11, 20, 10), b(2026, 11, 20, 14))),
    ("Freitag von 9 bis 5 Uhr", von_bis(b(2026, 11, 20, 9), b(2026, 11, 20, 17))),
    ("Freitag von 2 bis 4 Uhr nachmittags", von_bis(b(2026, 11, 20, 14), b(2026, 11, 20, 16))),
    ("Freitag von 8 bis 11 Uhr abends", von_bis(b(2026, 11, 20, 20), b(2026, 11, 20, 23))),
    ("Freitag 18 Uhr bis 22 Uhr", von_bis(b(2026, 11, 20, 18), b(2026, 11, 20, 22))),
    ("Freitag 22:00 bis 1 Uhr", von_bis(b(2026, 11, 20, 22), b(2026, 11, 21, 1))),
    ("Freitag 22 bis 01:00", von_bis(b(2026, 11, 20, 22), b(2026, 11, 21, 1))),
    ("Freitag 22:00 bis 24:00", von_bis(b(2026, 11, 20, 22), b(2026, 11, 21, 0))),
    ("Freitag 20 bis 0 Uhr", von_bis(b(2026, 11, 20, 20), b(2026, 11, 21, 0))),
    (
        "12.03.2027 22:00 bis 13.03.2027 01:00",
        von_bis(b(2027, 3, 12, 22), b(2027, 3, 13, 1)),
    ),
    ("Freitag 18 Uhr bis Sonntag 14 Uhr", von_bis(b(2026, 11, 20, 18), b(2026, 11, 22, 14))),
    ("Freitag 20 Uhr bis Samstag 2 Uhr", von_bis(b(2026, 11, 20, 20), b(2026, 11, 21, 2))),
    ("vom 12. bis 14. März 2027", tag(2027, 3, 12, bis=(2027, 3, 14))),
    ("12. bis 14. März", tag(2027, 3, 12, bis=(2027, 3, 14))),
    ("12.–14.03.2027", tag(2027, 3, 12, bis=(2027, 3, 14))),
    ("vom 12.03. bis 14.03.2027", tag(2027, 3, 12, bis=(2027, 3, 14))),
    ("12.03.2027 - 14.03.2027", tag(2027, 3, 12, bis=(2027, 3, 14))),
    ("vom 28.12. bis 02.01.", tag(2026, 12, 28, bis=(2027, 1, 2))),
    ("Freitag bis Sonntag", tag(2026, 11, 20, bis=(2026, 11, 22))),
    ("heute bis morgen", tag(2026, 11, 18, bis=(2026, 11, 19))),
    # a day after the end time belongs to the whole range
    ("von 14 bis 16 Uhr am Freitag", von_bis(b(2026, 11, 20, 14), b(2026, 11, 20, 16))),
    ("14:00 bis 16:00 am 12.03.2027", von_bis(b(2027, 3, 12, 14), b(2027, 3, 12, 16))),
    (
        "von 2 bis 4 Uhr nachmittags am Freitag",
        von_bis(b(2026, 11, 20, 14), b(2026, 11, 20, 16)),
    ),
    ("von 22 bis 1 Uhr am Freitag", von_bis(b(2026, 11, 20, 22), b(2026, 11, 21, 1))),
    # format_zeitraum output is accepted again
    ("Fr, 12.03.2027, 14:00–16:00 Uhr", von_bis(b(2027, 3, 12, 14), b(2027, 3, 12, 16))),
    (
        "Fr, 12.03.2027, 22:00 – Sa, 13.03.2027, 01:00 Uhr",
        von_bis(b(2027, 3, 12, 22), b(2027, 3, 13, 1)),
    ),
    # --- recurring events: start is the first occurrence after now
    ("jeden Dienstag um 10 Uhr", um(2026, 11, 24, 10, rrule="FREQ=WEEKLY;BYDAY=TU")),
    ("jeden Dienstag", serie_tag(2026, 11, 24, "FREQ=WEEKLY;BYDAY=TU")),
    ("dienstags um 10 Uhr", um(2026, 11, 24, 10, rrule="FREQ=WEEKLY;BYDAY=TU")),
    ("jede Woche am Freitag", serie_tag(2026, 11, 20, "FREQ=WEEKLY;BYDAY=FR")),
    ("wöchentlich am Montag", serie_tag(2026, 11, 23, "FREQ=WEEKLY;BYDAY=MO")),
    ("jeden Mittwoch um 10 Uhr", um(2026, 11, 18, 10, rrule="FREQ=WEEKLY;BYDAY=WE")),
    ("jeden Mittwoch um 9 Uhr", um(2026, 11, 25, 9, rrule="FREQ=WEEKLY;BYDAY=WE")),
    ("jeden Mittwoch", serie_tag(2026, 11, 18, "FREQ=WEEKLY;BYDAY=WE")),
    (
        "dienstags und donnerstags 18 Uhr",
        um(2026, 11, 19, 18, rrule="FREQ=WEEKLY;BYDAY=TU,TH"),
    ),
    (
        "jeden Dienstag und Donnerstag um 18 Uhr",
        um(2026, 11, 19, 18, rrule="FREQ=WEEKLY;BYDAY=TU,TH"),
    ),
    ("jeden zweiten Dienstag im Monat", serie_tag(2026, 12, 8, "FREQ=MONTHLY;BYDAY=2TU")),
    (
        "jeden zweiten Dienstag im Monat um 10 Uhr",
        um(2026, 12, 8, 10, rrule="FREQ=MONTHLY;BYDAY=2TU"),
    ),
    (
        "jeden 2. Dienstag des Monats von 10 bis 12 Uhr",
        von_bis(b(2026, 12, 8, 10), b(2026, 12, 8, 12), "FREQ=MONTHLY;BYDAY=2TU"),
    ),
    ("jeden ersten Montag im Monat", serie_tag(2026, 12, 7, "FREQ=MONTHLY;BYDAY=1MO")),
    ("jeden ersten Montag", serie_tag(2026, 12, 7, "FREQ=MONTHLY;BYDAY=1MO")),
    (
        "jeden dritten Donnerstag im Monat um 18 Uhr",
        um(2026, 11, 19, 18, rrule="FREQ=MONTHLY;BYDAY=3TH"),
    ),
    ("jeden letzten Freitag im Monat", serie_tag(2026, 11, 27, "FREQ=MONTHLY;BYDAY=-1FR")),
    ("monatlich am zweiten Dienstag", serie_tag(2026, 12, 8, "FREQ=MONTHLY;BYDAY=2TU")),
    (
        "alle zwei Wochen am Donnerstag",
        serie_tag(2026, 11, 19, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"),
    ),
    (
        "alle 2 Wochen donnerstags um 9 Uhr",
        um(2026, 11, 19, 9, rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"),
    ),
    ("alle 14 Tage am Montag", serie_tag(2026, 11, 23, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO")),
    ("monatlich am 15.", serie_tag(2026, 12, 15, "FREQ=MONTHLY;BYMONTHDAY=15")),
    ("jeden Monat am 1.", serie_tag(2026, 12, 1, "FREQ=MONTHLY;BYMONTHDAY=1")),
    (
        "alle zwei Monate am 15.",
        serie_tag(2026, 12, 15, "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15"),
    ),
    ("täglich um 9 Uhr", um(2026, 11, 19, 9, rrule="FREQ=DAILY")),
    ("jeden Tag um 10 Uhr", um(2026, 11, 18, 10, rrule="FREQ=DAILY")),
    ("werktags um 8 Uhr", um(2026, 11, 19, 8, rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")),
    (
        "jeden Dienstag ab dem 12.01.2027 um 10 Uhr",
        um(2027, 1, 12, 10, rrule="FREQ=WEEKLY;BYDAY=TU"),
    ),
]


def _pruefen(z: Zeitraum, erwartet: E) -> None:
    # Compare instants *and* offsets: equal tzinfo would make == ignore fold.
    assert z.start.astimezone(UTC) == erwartet.start.astimezone(UTC)
    assert z.end.astimezone(UTC) == erwartet.end.astimezone(UTC)
    assert (z.ganztaegig, z.rrule, z.ohne_ende) == (
        erwartet.ganztaegig,
        erwartet.rrule,
        erwartet.ohne_ende,
    )
    _pruefe_zeitzone(z)


def _pruefe_zeitzone(z: Zeitraum) -> None:
    for zeitpunkt in (z.start, z.end):
        assert zeitpunkt.tzinfo == B
        assert zeitpunkt.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    assert z.end.astimezone(UTC) > z.start.astimezone(UTC)


def test_genug_faelle() -> None:
    assert len(FAELLE) >= 70
    assert len({text for text, _ in FAELLE}) == len(FAELLE)


@pytest.mark.parametrize(("text", "erwartet"), FAELLE, ids=[t for t, _ in FAELLE])
def test_parse_when(text: str, erwartet: E) -> None:
    _pruefen(parse_when(text, JETZT, B), erwartet)


@pytest.mark.parametrize(
    ("text", "erwartet"),
    [(t, e) for t, e in FAELLE if e.rrule is None],
    ids=[t for t, e in FAELLE if e.rrule is None],
)
def test_format_und_wieder_einlesen(text: str, erwartet: E) -> None:
    """What the bot shows as confirmation reads back as the same span."""
    z = parse_when(text, JETZT, B)
    wieder = parse_when(format_zeitraum(z).replace(" (ganztägig)", ""), JETZT, B)
    assert (wieder.start, wieder.end, wieder.ganztaegig) == (z.start, z.end, z.ganztaegig)


@pytest.mark.parametrize(
    ("text", "erwartet"),
    [(t, e) for t, e in FAELLE if e.rrule],
    ids=[t for t, e in FAELLE if e.rrule],
)
def test_rrule_passt_zum_start(text: str, erwartet: E) -> None:
    """DTSTART is itself an occurrence, and no earlier occurrence lies ahead of now."""
    z = parse_when(text, JETZT, B)
    assert z.rrule is not None
    start = z.start.replace(tzinfo=None)
    regel = rrulestr(z.rrule, dtstart=start)
    assert regel[0] == start
    # With an interval the phase depends on DTSTART; „ab dem …“ starts later on purpose.
    if "INTERVAL" not in z.rrule and " ab " not in text:
        # The same rule started two months earlier has no occurrence between
        # now and our start (all-day: today counts, so compare from midnight).
        ab = JETZT.replace(tzinfo=None)
        if z.ganztaegig:
            ab = ab.replace(hour=0, minute=0)
        frueher = rrulestr(z.rrule, dtstart=start - timedelta(days=62)).between(ab, start)
        assert frueher == []
    assert beschreibe_rrule(z.rrule) in format_zeitraum(z)


# ---------------------------------------------------------------------------
# Weekday semantics on other days of the week
# ---------------------------------------------------------------------------

FREITAG = datetime(2026, 11, 20, 10, 0, tzinfo=B)
SAMSTAG = datetime(2026, 11, 21, 10, 0, tzinfo=B)
DONNERSTAG = datetime(2026, 11, 19, 10, 0, tzinfo=B)


@pytest.mark.parametrize(
    ("jetzt", "text", "erwartet"),
    [
        (FREITAG, "nächsten Freitag", tag(2026, 11, 27)),
        (FREITAG, "kommenden Freitag", tag(2026, 11, 27)),
        (FREITAG, "übernächsten Freitag", tag(2026, 12, 4)),
        (FREITAG, "diesen Freitag", tag(2026, 11, 20)),
        (FREITAG, "Freitag nächste Woche", tag(2026, 11, 27)),
        (DONNERSTAG, "nächsten Freitag", tag(2026, 11, 20)),
        (DONNERSTAG, "Freitag", tag(2026, 11, 20)),
        (SAMSTAG, "nächsten Montag", tag(2026, 11, 23)),
        (SAMSTAG, "Montag nächste Woche", tag(2026, 11, 23)),
        (SAMSTAG, "Freitag", tag(2026, 11, 27)),
        (SAMSTAG, "diesen Sonntag", tag(2026, 11, 22)),
        (SAMSTAG, "jeden Samstag um 18 Uhr", um(2026, 11, 21, 18, rrule="FREQ=WEEKLY;BYDAY=SA")),
        (
            FREITAG,
            "jeden letzten Freitag im Monat",
            serie_tag(2026, 11, 27, "FREQ=MONTHLY;BYDAY=-1FR"),
        ),
    ],
)
def test_wochentage_an_anderen_tagen(jetzt: datetime, text: str, erwartet: E) -> None:
    _pruefen(parse_when(text, jetzt, B), erwartet)


@pytest.mark.parametrize(
    ("jetzt", "text", "fragment"),
    [
        (FREITAG, "Freitag", "Heute ist Freitag"),
        (FREITAG, "am Freitag um 18 Uhr", "27.11.2026"),
        (SAMSTAG, "diesen Freitag", "schon vorbei"),
        (SAMSTAG, "diese Woche Donnerstag", "schon vorbei"),
    ],
)
def test_wochentage_rueckfrage(jetzt: datetime, text: str, fragment: str) -> None:
    with pytest.raises(DatumFehler, match=fragment):
        parse_when(text, jetzt, B)


def test_now_in_anderer_zeitzone_wird_umgerechnet() -> None:
    # 23:30 UTC on Wednesday is already Thursday in Berlin.
    jetzt = datetime(2026, 11, 18, 23, 30, tzinfo=UTC)
    _pruefen(parse_when("morgen", jetzt, B), tag(2026, 11, 20))


# ---------------------------------------------------------------------------
# Daylight saving time
# ---------------------------------------------------------------------------

SOMMERZEIT_FAELLE: list[tuple[datetime, str, timedelta, E]] = [
    # Spring forward on Sunday 28.03.2027: 02:00 → 03:00.
    (
        JETZT_MAERZ,
        "Sonntag 01:00 bis 04:00",  # wall clock: 3 h on the clock, 2 h real
        timedelta(hours=2),
        von_bis(b(2027, 3, 28, 1), b(2027, 3, 28, 4)),
    ),
    (
        JETZT_MAERZ,
        "Sonntag 01:00",  # default duration is real elapsed time
        timedelta(hours=2),
        E(b(2027, 3, 28, 1), b(2027, 3, 28, 4), ohne_ende=True),
    ),
    (
        JETZT_MAERZ,
        "Samstag 23:00",
        timedelta(hours=4),
        E(b(2027, 3, 27, 23), b(2027, 3, 28, 4), ohne_ende=True),
    ),
    (JETZT_MAERZ, "Sonntag 03:00", timedelta(hours=2), um(2027, 3, 28, 3)),
    (
        JETZT_MAERZ,
        "Samstag 22 Uhr bis 3 Uhr",
        timedelta(hours=2),
        von_bis(b(2027, 3, 27, 22), b(2027, 3, 28, 3)),
    ),
    (JETZT_MAERZ, "Sonntag", timedelta(hours=2), tag(2027, 3, 28)),
    (JETZT_MAERZ, "nächsten Freitag", timedelta(hours=2), tag(2027, 3, 26)),
    # Fall back on Sunday 31.10.2027: 03:00 → 02:00.
    (
        JETZT_OKTOBER,
        "Sonntag 01:00",
        timedelta(hours=2),
        E(b(2027, 10, 31, 1), b(2027, 10, 31, 2, fold=1), ohne_ende=True),
    ),
    (
        JETZT_OKTOBER,
        "Sonntag 00:30 bis 03:30",
        timedelta(hours=2),
        von_bis(b(2027, 10, 31, 0, 30), b(2027, 10, 31, 3, 30)),
    ),
    (
        JETZT_OKTOBER,
        "Samstag 22 Uhr bis 3 Uhr",
        timedelta(hours=2),
        von_bis(b(2027, 10, 30, 22), b(2027, 10, 31, 3)),
    ),
    (JETZT_OKTOBER, "Sonntag", timedelta(hours=2), tag(2027, 10, 31)),
    (
        JETZT_OKTOBER,
        "jeden Sonntag um 10 Uhr",
        timedelta(hours=2),
        um(2027, 10, 31, 10, rrule="FREQ=WEEKLY;BYDAY=SU"),
    ),
]


@pytest.mark.parametrize(("jetzt", "text", "dauer", "erwartet"), SOMMERZEIT_FAELLE)
def test_sommerzeit(jetzt: datetime, text: str, dauer: timedelta, erwartet: E) -> None:
    _pruefen(parse_when(text, jetzt, B, dauer), erwartet)


def test_sommerzeit_dauern() -> None:
    def echt(z: Zeitraum) -> timedelta:
        return z.end.astimezone(UTC) - z.start.astimezone(UTC)

    assert echt(parse_when("Sonntag 01:00 bis 04:00", JETZT_MAERZ, B)) == timedelta(hours=2)
    assert echt(parse_when("Sonntag 01:00", JETZT_MAERZ, B)) == timedelta(hours=2)
    assert echt(parse_when("Sonntag", JETZT_MAERZ, B)) == timedelta(hours=23)
    assert echt(parse_when("Sonntag 01:00", JETZT_OKTOBER, B)) == timedelta(hours=2)
    assert echt(parse_when("Sonntag 00:30 bis 03:30", JETZT_OKTOBER, B)) == timedelta(hours=4)
    assert echt(parse_when("Sonntag", JETZT_OKTOBER, B)) == timedelta(hours=25)
    ende = parse_when("Sonntag 01:00", JETZT_OKTOBER, B).end
    assert ende.utcoffset() == timedelta(hours=1)  # the second 02:00 (CET)


@pytest.mark.parametrize(
    ("jetzt", "text", "fragment"),
    [
        (JETZT_MAERZ, "Sonntag um 02:30", "gibt es wegen der Zeitumstellung nicht"),
        (JETZT_MAERZ, "Sonntag 02:00", "gibt es wegen der Zeitumstellung nicht"),
        (JETZT_MAERZ, "jeden Sonntag um 02:30", "gibt es wegen der Zeitumstellung nicht"),
        (JETZT_MAERZ, "Samstag 23:00 bis Sonntag 02:30", "Zeitumstellung nicht"),
        (JETZT_OKTOBER, "Sonntag um 02:30", "gibt es wegen der Zeitumstellung zweimal"),
        (JETZT_OKTOBER, "Sonntag 01:00 bis 02:30", "zweimal"),
        (JETZT_MAERZ, "Sonntag um 2:30", "02:30 oder 14:30"),  # ambiguity comes first
        (JETZT_MAERZ, "Donnerstag", "Heute ist Donnerstag"),
    ],
)
def test_sommerzeit_fehler(jetzt: datetime, text: str, fragment: str) -> None:
    with pytest.raises(DatumFehler, match=fragment):
        parse_when(text, jetzt, B)


# ---------------------------------------------------------------------------
# Errors: every class of refusal, with a part of the German message
# ---------------------------------------------------------------------------

FEHLER: list[tuple[str, str]] = [
    # unreadable
    ("am Blumenkohl", "„am Blumenkohl“ kann ich nicht als Datum lesen"),
    ("irgendwann", "kann ich nicht als Datum lesen"),
    ("", "Bitte geben Sie ein Datum an"),
    ("   ", "Bitte geben Sie ein Datum an"),
    ("03/12/2027", "ist mehrdeutig"),  # dateparser fallback: 3 December or 12 March?
    ("12.03", "kann ich nicht als Datum lesen"),
    ("am 12.03.2027 Blumenkohl", "„am 12.03.2027“ habe ich verstanden, „Blumenkohl“ aber nicht"),
    ("x" * 10_000, "zu lang"),
    # invalid dates and times
    ("31.02.2027", "Den 31.02.2027 gibt es nicht"),
    ("12.13.2027", "Monat 13 ungültig"),
    ("32.01.2027", "gibt es nicht"),
    ("31.04.", "gibt es nicht"),
    ("12.03.202", "Das Jahr"),
    ("Freitag 25:00", "Die Uhrzeit „25:00“ gibt es nicht"),
    ("Freitag 14:75", "gibt es nicht"),
    ("in 0 Tagen", "nicht sinnvoll"),
    # missing parts
    ("14 Uhr", "nennt keinen Tag"),
    ("um 14:00 bis 16:00", "nennt keinen Tag"),
    ("nächste Woche", "an welchem Tag genau"),
    ("am 12.", "fehlt der Monat"),
    ("heute abend", "Um wie viel Uhr"),
    ("Freitag nachmittags", "Um wie viel Uhr"),
    ("Freitag bis 16 Uhr", "für den Beginn nicht"),
    ("14 Uhr bis Freitag 16 Uhr", "nennt nur den Tag des Endes"),
    ("12.03.2027 14:00 bis 13.03.2027", "für das Ende auch eine Uhrzeit"),
    ("bis 16 Uhr", "nennt nur ein Ende"),
    ("12.03.2027 - 14", "fehlt die Uhrzeit für den Beginn"),
    ("alle zwei Wochen", "an welchem Wochentag"),
    ("monatlich", "an welchem Tag"),
    # ambiguous: ask back instead of guessing
    ("Freitag 18", "Nach dem Datum steht „18“ ohne „Uhr“"),
    ("12.03.2027 14", "ohne „Uhr“"),
    ("am 12. März 27", "Nach dem Datum steht „27“"),
    ("am 12.03.2027 14.30", "Meinen Sie 14.30 Uhr?"),
    ("am 12.03.2027 um 1400", "„1400“, das kann ich nicht zuordnen"),
    ("Freitag 12:5", "Nach dem Datum steht „12:5“"),
    ("ab 12. jeden Dienstag", "fehlt der Monat"),
    ("am so um 18 Uhr", "kann ich nicht als Datum lesen"),  # „am so genannten …“: lower case
    ("Freitag um 3 Uhr", "„um 3 Uhr“ ist mehrdeutig – meinen Sie 03:00 oder 15:00 Uhr"),
    ("Freitag um 3", "03:00 oder 15:00"),
    ("morgen um eins", "01:00 oder 13:00"),
    ("Freitag halb drei", "02:30 oder 14:30"),
    ("Freitag halb sieben", "06:30 oder 18:30"),
    ("Freitag viertel nach drei", "03:15 oder 15:15"),
    ("Freitag viertel vor vier", "03:45 oder 15:45"),
    ("Freitag von 2 bis 4", "02:00 oder 14:00"),
    ("Freitag 9 Uhr bis Sonntag 4 Uhr", "04:00 oder 16:00"),
    ("Mittwoch", "Heute ist Mittwoch"),
    ("diesen Montag", "schon vorbei"),
    ("17.11.", "gerade vorbei"),
    ("01.09.", "gerade vorbei"),
    ("29.02.", "Jahr"),
    ("jeden zweiten Dienstag", "mehrdeutig"),
    ("jeden dritten Freitag", "mehrdeutig"),
    ("am 2. Dienstag", "jeden 2. Dienstag im Monat"),
    # contradictions
    ("Sa, 12.03.2027", "Der 12.03.2027 ist ein Freitag, kein Samstag"),
    ("Montag, 12.01.2027", "ist ein Dienstag, kein Montag"),
    ("morgen 14 Uhr morgens", "passen nicht zusammen"),
    ("morgen 12 Uhr nachts", "passen nicht zusammen"),
    ("morgen um 24 Uhr", "als Beginn ist unklar"),
    ("12.03.2027 ganztägig 14 Uhr", "widersprechen sich"),
    ("12.03.2027 12.03.2027", "zwei Datumsangaben"),
    ("Freitag 14 Uhr 16 Uhr", "zwei Uhrzeiten"),
    ("nächsten Freitag nächste Woche", "zugleich"),
    ("jeden Dienstag am 12.01.2027", "einzelnes Datum"),
    ("jeden Dienstag bis 12.01.2027", "Enddatum"),
    ("ab 12.03.2027", "nur bei wiederkehrenden Terminen"),
    # end before start
    ("Freitag 16 bis 14 Uhr", "Das Ende (14 Uhr) liegt vor dem Beginn (16:00 Uhr)"),
    ("Freitag 20 bis 8 Uhr", "liegt vor dem Beginn"),
    ("Freitag 14 bis 12 Uhr", "liegt vor dem Beginn"),
    ("12.03.2027 bis 10.03.2027", "Das Ende (10.03.2027) liegt vor dem Beginn (12.03.2027)"),
    ("vom 14. bis 12. März 2027", "liegt vor dem Beginn"),
    # recurring rules that do not exist in every month
    ("monatlich am 31.", "nicht in jedem Monat"),
    ("alle 10 Tage am Montag", "passt nicht zu einem festen Wochentag"),
]


@pytest.mark.parametrize(("text", "fragment"), FEHLER, ids=[t[:40] for t, _ in FEHLER])
def test_fehler(text: str, fragment: str) -> None:
    with pytest.raises(DatumFehler) as info:
        parse_when(text, JETZT, B)
    assert fragment in info.value.meldung
    assert info.value.beispiel  # every refusal shows an example
    assert str(info.value) == f"{info.value.meldung} Beispiel: „{info.value.beispiel}“"


def test_fehler_ist_value_error_mit_beispiel() -> None:
    fehler = DatumFehler("Kaputt.", "am 12.03.2027")
    assert isinstance(fehler, ValueError)
    assert (fehler.meldung, fehler.beispiel) == ("Kaputt.", "am 12.03.2027")
    assert DatumFehler("Kaputt.").beispiel  # there is a default example


def test_beispiel_der_rueckfrage_ist_lesbar() -> None:
    """The example offered for „um 3 Uhr“ itself parses to the afternoon."""
    with pytest.raises(DatumFehler) as info:
        parse_when("Freitag um 3 Uhr", JETZT, B)
    assert info.value.beispiel == "am 20.11.2026 um 15:00"
    _pruefen(parse_when(info.value.beispiel, JETZT, B), um(2026, 11, 20, 15))


def test_fehlermeldung_kuerzt_lange_eingaben() -> None:
    with pytest.raises(DatumFehler) as info:
        parse_when("Blumenkohl " * 80, JETZT, B)
    assert len(info.value.meldung) < 150


@pytest.mark.parametrize(
    "text",
    [
        "x" * 10_000,
        "12.03.2027 " * 90,
        "am " * 330,
        "1" * 999,
        "um " * 330,
        "Freitag " * 120,
        "1." * 499,
        "12:" * 333,
        "bis " * 249,
        "jeden " * 160,
    ],
)
def test_lange_eingaben_schnell(text: str) -> None:
    beginn = zeitmessung.perf_counter()
    for funktion in (parse_when, find_when):
        with pytest.raises(DatumFehler):
            funktion(text, JETZT, B)
    assert zeitmessung.perf_counter() - beginn < 0.5


def test_programmierfehler_sind_keine_datumfehler() -> None:
    with pytest.raises(TypeError):
        parse_when("morgen", datetime(2026, 11, 18, 9, 30), B)  # noqa: DTZ001 - naive on purpose
    with pytest.raises(ValueError, match="default_duration"):
        parse_when("morgen 10 Uhr", JETZT, B, timedelta(0))


def test_in_einem_monat_am_monatsende() -> None:
    jetzt = datetime(2027, 1, 31, 12, 0, tzinfo=B)
    with pytest.raises(DatumFehler, match=r"31\.02\.2027"):
        parse_when("in einem Monat", jetzt, B)


def test_zeitraum_invarianten() -> None:
    with pytest.raises(ValueError, match="zeitzonenbehaftete"):
        Zeitraum(datetime(2027, 1, 1), b(2027, 1, 2), ganztaegig=True)  # noqa: DTZ001
    with pytest.raises(ValueError, match="nach start"):
        Zeitraum(b(2027, 1, 2), b(2027, 1, 1), ganztaegig=True)


def test_andere_standarddauer() -> None:
    z = parse_when("Freitag 18 Uhr", JETZT, B, timedelta(minutes=90))
    assert z.end == b(2026, 11, 20, 19, 30)
    assert z.ohne_ende


_FUZZ_TEXT = (
    "am vom von bis - – , . : um ab gegen den heute morgen übermorgen in 3 zwei einer Tagen "
    "Wochen nächste nächsten diesen übernächsten Woche der Montag Dienstag Freitag Sonntag "
    "dienstags Fr so 12.03.2027 12.03. 12.3 12. 14. März 2027 27 14 16 3 0 24 14:00 16:30 "
    "02:30 Uhr halb viertel nach vor drei acht abends morgens mittags jeden alle zweiten "
    "letzten im Monat monatlich täglich und ganztägig 2027-03-12 Hamburg art: 1400 31.02.2027"
)
_FUZZ_WOERTER = _FUZZ_TEXT.split(" ")


@pytest.mark.parametrize("jetzt", [JETZT, JETZT_MAERZ, JETZT_OKTOBER])
def test_zufaellige_eingaben(jetzt: datetime) -> None:
    """Random word salad: only DatumFehler, and every result keeps the invariants."""
    zufall = random.Random(20261118)
    for _ in range(1500):
        text = " ".join(zufall.choice(_FUZZ_WOERTER) for _ in range(zufall.randint(1, 7)))
        for funktion in (parse_when, find_when):
            try:
                ergebnis = funktion(text, jetzt, B)
            except DatumFehler as fehler:
                assert fehler.meldung and fehler.beispiel
                continue
            z = ergebnis if isinstance(ergebnis, Zeitraum) else ergebnis[1]
            _pruefe_zeitzone(z)
            if z.ganztaegig:
                assert (z.start.hour, z.end.hour) == (0, 0), text
            assert format_zeitraum(z)


# ---------------------------------------------------------------------------
# find_when: locate the phrase inside a command
# ---------------------------------------------------------------------------

FIND_FAELLE: list[tuple[str, str, E, str]] = [
    (
        "Netzwerktreffen am 12.03.2027 um 14:00 bis 16:00 in Hamburg",
        "Netzwerktreffen",
        von_bis(b(2027, 3, 12, 14), b(2027, 3, 12, 16)),
        "in Hamburg",
    ),
    (
        "Sommerfest nächsten Freitag um 18 Uhr in Bremen",
        "Sommerfest",
        um(2026, 11, 20, 18),
        "in Bremen",
    ),
    (
        "Netzwerktreffen jeden zweiten Dienstag im Monat um 10 Uhr in Hamburg",
        "Netzwerktreffen",
        um(2026, 12, 8, 10, rrule="FREQ=MONTHLY;BYDAY=2TU"),
        "in Hamburg",
    ),
    ("Treffen am 12. März 2027 14 Uhr", "Treffen", um(2027, 3, 12, 14), ""),
    ("Infostand morgen 10:00", "Infostand", um(2026, 11, 19, 10), ""),
    ("Klausur übermorgen", "Klausur", tag(2026, 11, 20), ""),
    ("Planung in zwei Wochen", "Planung", tag(2026, 12, 2), ""),
    ("Jahresplanung 2027 am 12.03.2027", "Jahresplanung 2027", tag(2027, 3, 12), ""),
    ("Runde 3 am Freitag um 18 Uhr", "Runde 3", um(2026, 11, 20, 18), ""),
    ("Top 10 Netzwerktreffen am Freitag", "Top 10 Netzwerktreffen", tag(2026, 11, 20), ""),
    ("Version 2.5 Launch am Freitag", "Version 2.5 Launch", tag(2026, 11, 20), ""),
    ("Heute-Show-Abend am 12.03.2027", "Heute-Show-Abend", tag(2027, 3, 12), ""),
    ("Sommer Abend am Freitag 19 Uhr", "Sommer Abend", um(2026, 11, 20, 19), ""),
    ("Treffen am Rathaus am Freitag", "Treffen am Rathaus", tag(2026, 11, 20), ""),
    (
        "Netzwerktreffen, am 12.03.2027, in Hamburg",
        "Netzwerktreffen",
        tag(2027, 3, 12),
        "in Hamburg",
    ),
    ("Treffen – 12.03.2027 – Hamburg", "Treffen", tag(2027, 3, 12), "Hamburg"),
    ("Treffen am 12.03.2027.", "Treffen", tag(2027, 3, 12), ""),
    (
        "Sommerfest am Freitag, 20 Teilnehmer",
        "Sommerfest",
        tag(2026, 11, 20),
        "20 Teilnehmer",
    ),
    (
        "Stammtisch dienstags um 19 Uhr im Ratskeller",
        "Stammtisch",
        um(2026, 11, 24, 19, rrule="FREQ=WEEKLY;BYDAY=TU"),
        "im Ratskeller",
    ),
    (
        "Treffen um 14 Uhr am 12.03.2027 in Hamburg",
        "Treffen",
        um(2027, 3, 12, 14),
        "in Hamburg",
    ),
    (
        "Workshop vom 12. bis 14. März 2027 in Berlin",
        "Workshop",
        tag(2027, 3, 12, bis=(2027, 3, 14)),
        "in Berlin",
    ),
    (
        "Treffen in 3 Tagen um 14 Uhr in Hamburg",
        "Treffen",
        um(2026, 11, 21, 14),
        "in Hamburg",
    ),
    (
        "Frühschoppen Sonntag 11 Uhr für alle",
        "Frühschoppen",
        um(2026, 11, 22, 11),
        "für alle",
    ),
    (
        "Treffen am 12.03.2027 in Hamburg art: Workshop beschreibung: Einlass ab 17 Uhr",
        "Treffen",
        tag(2027, 3, 12),
        "in Hamburg art: Workshop beschreibung: Einlass ab 17 Uhr",
    ),
    (
        "Mittagstisch am Freitag mittags art: Essen",
        "Mittagstisch",
        um(2026, 11, 20, 12),
        "art: Essen",
    ),
    ("morgen 10 Uhr Infostand", "", um(2026, 11, 19, 10), "Infostand"),
    ("Kaffee und Kuchen am Freitag", "Kaffee und Kuchen", tag(2026, 11, 20), ""),
    (
        "Treffen von 14 bis 16 Uhr am Freitag in Hamburg",
        "Treffen",
        von_bis(b(2026, 11, 20, 14), b(2026, 11, 20, 16)),
        "in Hamburg",
    ),
    (
        "Treffen am Freitag 18 Uhr 30, in Hamburg",
        "Treffen",
        um(2026, 11, 20, 18, 30),
        "in Hamburg",
    ),
    # „30“ is only a minute when nothing word-like follows it
    ("Treffen Freitag 14 Uhr 30 Gäste", "Treffen", um(2026, 11, 20, 14), "30 Gäste"),
    (
        "Weihnachtsfeier am 18.12. von 18 bis 23 Uhr im Saal",
        "Weihnachtsfeier",
        von_bis(b(2026, 12, 18, 18), b(2026, 12, 18, 23)),
        "im Saal",
    ),
    (
        "Nachtwanderung Samstag 22 Uhr bis 1 Uhr ab Parkplatz",
        "Nachtwanderung",
        von_bis(b(2026, 11, 21, 22), b(2026, 11, 22, 1)),
        "ab Parkplatz",
    ),
]


@pytest.mark.parametrize(
    ("text", "vorher", "erwartet", "nachher"), FIND_FAELLE, ids=[f[0][:40] for f in FIND_FAELLE]
)
def test_find_when(text: str, vorher: str, erwartet: E, nachher: str) -> None:
    davor, z, danach = find_when(text, JETZT, B)
    assert (davor, danach) == (vorher, nachher)
    _pruefen(z, erwartet)


FIND_FEHLER: list[tuple[str, str]] = [
    ("Treffen 2027", "kein Datum"),
    ("Treffen in Hamburg", "kein Datum"),
    ("", "kein Datum"),
    ("am Blumenkohl", "„am Blumenkohl“ kann ich nicht als Datum lesen"),
    ("Treffen am Blumenkohl in Hamburg", "„am Blumenkohl“"),
    ("Treffen um 14 Uhr", "fehlt der Tag"),
    ("Meeting 12.03 um 14 Uhr", "fehlt der Tag"),
    ("Treffen am Freitag in Hamburg um 18 Uhr", "mehr als eine Zeitangabe"),
    ("Treffen um 18 Uhr in Hamburg am Freitag", "mehr als eine Zeitangabe"),
    ("Treffen am 12.03.2027 in Hamburg, Einlass ab 17 Uhr", "mehr als eine Zeitangabe"),
    ("Anmeldung bis Freitag", "nennt nur ein Ende"),
    ("Treffen vor Freitag", "„vor Freitag“ kann ich nicht sicher als Termin lesen"),
    ("Treffen nach Freitag 18 Uhr", "nicht sicher"),
    ("Treffen letzten Freitag", "„letzten Freitag“"),
    ("Treffen vergangenen Freitag", "nicht sicher"),
    ("Treffen zweiten Dienstag im Monat", "nicht sicher"),
    ("Treffen am 2. Dienstag im Monat", "jeden 2. Dienstag im Monat"),
    ("Treffen Freitag 18 Gäste", "ohne „Uhr“"),
    ("Sommerfest am Freitag 20 Teilnehmer", "ohne „Uhr“"),
    ("Treffen jeden zweiten Dienstag in Hamburg", "mehrdeutig"),
    ("Treffen Freitag um 3 Uhr", "03:00 oder 15:00"),
    ("Treffen " + "x" * 10_000, "zu lang"),
    # an end or a time that cannot be read must not silently disappear
    ("Treffen am 12.03.2027 14:00 bis 1600 in Hamburg", "„bis 1600“"),
    ("Treffen am 12.03.2027 14:00 - 1600", "„- 1600“"),
    ("Treffen am 12.03.2027 um 1400 in Hamburg", "„1400“"),
    # title words that look like dates
    ("Guten Morgen Runde", "„Guten Morgen“"),
    ("Der Samstags Treff am 12.03.2027", "mehr als eine Zeitangabe"),
    ("Treffen am Montag und am Freitag", "mehr als eine Zeitangabe"),
]


@pytest.mark.parametrize(("text", "fragment"), FIND_FEHLER, ids=[t[:40] for t, _ in FIND_FEHLER])
def test_find_when_fehler(text: str, fragment: str) -> None:
    with pytest.raises(DatumFehler) as info:
        find_when(text, JETZT, B)
    assert fragment in info.value.meldung


def test_find_when_beispiel_fuer_fehlendes_datum() -> None:
    with pytest.raises(DatumFehler) as info:
        find_when("Treffen in Hamburg", JETZT, B)
    davor, z, danach = find_when(info.value.beispiel, JETZT, B)
    assert (davor, danach) == ("Netzwerktreffen", "in Hamburg")
    assert z.start == b(2027, 3, 12, 14)


# ---------------------------------------------------------------------------
# format_zeitraum, beschreibe_rrule
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("z", "text"),
    [
        (
            Zeitraum(b(2027, 3, 12, 14), b(2027, 3, 12, 16), False),
            "Fr, 12.03.2027, 14:00–16:00 Uhr",
        ),
        (Zeitraum(b(2027, 3, 12), b(2027, 3, 13), True), "Fr, 12.03.2027 (ganztägig)"),
        (
            Zeitraum(b(2027, 3, 12, 22), b(2027, 3, 13, 1), False),
            "Fr, 12.03.2027, 22:00 – Sa, 13.03.2027, 01:00 Uhr",
        ),
        (
            Zeitraum(b(2027, 3, 12), b(2027, 3, 15), True),
            "Fr, 12.03.2027 – So, 14.03.2027 (ganztägig)",
        ),
        (
            Zeitraum(b(2026, 11, 20, 22), b(2026, 11, 21), False),
            "Fr, 20.11.2026, 22:00 – Sa, 21.11.2026, 00:00 Uhr",
        ),
        (
            Zeitraum(b(2026, 11, 23, 9, 5), b(2026, 11, 23, 9, 50), False),
            "Mo, 23.11.2026, 09:05–09:50 Uhr",
        ),
        (
            Zeitraum(b(2026, 12, 8, 10), b(2026, 12, 8, 12), False, "FREQ=MONTHLY;BYDAY=2TU"),
            "Di, 08.12.2026, 10:00–12:00 Uhr (jeden zweiten Dienstag im Monat)",
        ),
        (
            Zeitraum(b(2026, 11, 18), b(2026, 11, 19), True, "FREQ=WEEKLY;BYDAY=WE"),
            "Mi, 18.11.2026 (ganztägig) (jeden Mittwoch)",
        ),
    ],
)
def test_format_zeitraum(z: Zeitraum, text: str) -> None:
    assert format_zeitraum(z) == text


def test_format_alle_wochentage() -> None:
    kuerzel = [format_zeitraum(parse_when(f"{d}.11.2026", JETZT, B))[:2] for d in range(16, 23)]
    assert kuerzel == ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]


@pytest.mark.parametrize(
    ("rrule", "text"),
    [
        ("FREQ=WEEKLY;BYDAY=TU", "jeden Dienstag"),
        ("FREQ=WEEKLY;BYDAY=TU,TH", "jeden Dienstag und Donnerstag"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "alle 2 Wochen am Donnerstag"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "werktags"),
        ("FREQ=MONTHLY;BYDAY=2TU", "jeden zweiten Dienstag im Monat"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "jeden letzten Freitag im Monat"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "monatlich am 15."),
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15", "alle 2 Monate am 15."),
        ("FREQ=DAILY", "täglich"),
        ("FREQ=DAILY;INTERVAL=3", "alle 3 Tage"),
        ("FREQ=YEARLY", "Wiederholung: FREQ=YEARLY"),
    ],
)
def test_beschreibe_rrule(rrule: str, text: str) -> None:
    assert beschreibe_rrule(rrule) == text


# ---------------------------------------------------------------------------
# parse_dauer
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "dauer"),
    [
        ("1d", timedelta(days=1)),
        ("2h", timedelta(hours=2)),
        ("30m", timedelta(minutes=30)),
        ("1h30m", timedelta(minutes=90)),
        ("1h30", timedelta(minutes=90)),
        ("90 min", timedelta(minutes=90)),
        ("2 Tage", timedelta(days=2)),
        ("1 Stunde", timedelta(hours=1)),
        ("1,5 Stunden", timedelta(minutes=90)),
        ("1.5h", timedelta(minutes=90)),
        ("1 Std.", timedelta(hours=1)),
        ("1 Stunde und 30 Minuten", timedelta(minutes=90)),
        ("2 Wochen", timedelta(days=14)),
        (" 45 Minuten ", timedelta(minutes=45)),
    ],
)
def test_parse_dauer(text: str, dauer: timedelta) -> None:
    assert parse_dauer(text) == dauer


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Bitte geben Sie eine Dauer an"),
        ("90", "fehlt die Einheit"),
        ("0h", "keine sinnvolle Dauer"),
        ("-2h", "nicht als Dauer lesen"),
        ("1h1h", "doppelt"),
        ("abc", "nicht als Dauer lesen"),
        ("1,3 min", "keine ganzen Minuten"),
        ("400d", "keine sinnvolle Dauer"),
        ("1 Monat", "nicht als Zeiteinheit"),
        ("1" * 200, "zu lang"),
    ],
)
def test_parse_dauer_fehler(text: str, fragment: str) -> None:
    with pytest.raises(DatumFehler, match=fragment):
        parse_dauer(text)


# ---------------------------------------------------------------------------
# The dateparser fallback: complete absolute dates in other spellings
# ---------------------------------------------------------------------------

FREMDE_DATEN: list[tuple[str, E]] = [
    ("12 March 2027", tag(2027, 3, 12)),
    ("March 12, 2027", tag(2027, 3, 12)),
    ("march 12 2027", tag(2027, 3, 12)),
    ("12th of March 2027", tag(2027, 3, 12)),
    ("Dec. 5, 2027", tag(2027, 12, 5)),
    ("5 Dec 2027", tag(2027, 12, 5)),
    ("12 Sept 2027", tag(2027, 9, 12)),
    ("12 May 2027", tag(2027, 5, 12)),
    ("2027/03/12", tag(2027, 3, 12)),
    ("2027/3/5", tag(2027, 3, 5)),
    ("13/03/2027", tag(2027, 3, 13)),  # only one reading: the 13th cannot be a month
    ("07/07/2027", tag(2027, 7, 7)),  # both readings are the same day
    # the own grammar still reads times, ranges and everything around the date
    ("12 March 2027 um 14 Uhr", um(2027, 3, 12, 14)),
    ("12 March 2027 14:00 bis 16:00", von_bis(b(2027, 3, 12, 14), b(2027, 3, 12, 16))),
    ("am 2027/03/12 von 14 bis 16 Uhr", von_bis(b(2027, 3, 12, 14), b(2027, 3, 12, 16))),
    # spellings the own grammar knows never reach dateparser
    ("12 Mär 2027", tag(2027, 3, 12)),
    ("12. März 2027", tag(2027, 3, 12)),
]


@pytest.mark.parametrize(("text", "erwartet"), FREMDE_DATEN, ids=[t for t, _ in FREMDE_DATEN])
def test_dateparser_fallback(text: str, erwartet: E) -> None:
    _pruefen(parse_when(text, JETZT, B), erwartet)


FREMDE_FEHLER: list[tuple[str, str]] = [
    # dateparser itself would read these (as 12 March, as 13 January, as 3 December …)
    ("03/12/2027", "ist mehrdeutig: der 03.12.2027 oder der 12.03.2027"),
    ("03/13/2027", "kann ich nicht sicher lesen"),
    ("2027/13/01", "Monat 13 ungültig"),
    ("31 February 2027", "Den 31.02.2027 gibt es nicht"),
    # not complete, not absolute, or no month at all: never handed to dateparser
    ("12 March", "kann ich nicht als Datum lesen"),
    ("March 2027", "kann ich nicht als Datum lesen"),
    ("tomorrow", "kann ich nicht als Datum lesen"),
    ("in 2 days", "kann ich nicht als Datum lesen"),
    ("12 Teilnehmer 2027", "kann ich nicht als Datum lesen"),
    ("12 mars 2027", "kann ich nicht als Datum lesen"),  # French is not among the languages
    ("12 March 27", "kann ich nicht als Datum lesen"),  # two-digit years only as 12.03.27
    # the rewritten text must be understood completely, as always
    ("12 March 2027 Blumenkohl", "„12.03.2027“ habe ich verstanden, „Blumenkohl“ aber nicht"),
    ("12 March 2027 um 3 Uhr", "mehrdeutig"),
]


@pytest.mark.parametrize(("text", "fragment"), FREMDE_FEHLER, ids=[t for t, _ in FREMDE_FEHLER])
def test_dateparser_fallback_wird_nicht_blind_vertraut(text: str, fragment: str) -> None:
    with pytest.raises(DatumFehler) as info:
        parse_when(text, JETZT, B)
    assert fragment in info.value.meldung
    assert info.value.beispiel


def test_dateparser_allein_wuerde_falsch_lesen() -> None:
    """Why the round trip is needed: raw dateparser swaps day and month."""
    import dateparser

    einstellungen = {"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]}
    roh = dateparser.parse("03/12/2027", languages=["de", "en"], settings=einstellungen)
    assert roh is not None and (roh.month, roh.day) == (3, 12)  # not 3 December
    with pytest.raises(DatumFehler, match="mehrdeutig"):
        parse_when("03/12/2027", JETZT, B)


@pytest.mark.parametrize(
    ("text", "vorher", "erwartet", "nachher"),
    [
        (
            "Treffen 12 March 2027 um 14 Uhr in Hamburg",
            "Treffen",
            um(2027, 3, 12, 14),
            "in Hamburg",
        ),
        ("Infostand 2027/03/12 art:infostand", "Infostand", tag(2027, 3, 12), "art:infostand"),
    ],
)
def test_find_when_mit_dateparser(text: str, vorher: str, erwartet: E, nachher: str) -> None:
    v, z, n = find_when(text, JETZT, B)
    assert (v, n) == (vorher, nachher)
    _pruefen(z, erwartet)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Treffen ort: Halle 3 May 2027", "kein Datum"),  # an option value is no date phrase
        ("Infostand 12 Teilnehmer 2027", "kein Datum"),
        ("Bericht 2027/01/05 Treffen 12 March 2027", "mehr als eine Zeitangabe"),
    ],
)
def test_find_when_mit_dateparser_fehler(text: str, fragment: str) -> None:
    with pytest.raises(DatumFehler, match=fragment):
        find_when(text, JETZT, B)
