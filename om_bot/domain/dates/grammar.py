"""German date and time phrases for registering events ("Termine").

Turns phrases such as „am 12.03.2027 um 14:00 bis 16:00“, „nächsten Freitag um
18 Uhr“ or „jeden zweiten Dienstag im Monat um 10 Uhr“ into a :class:`Zeitraum`.
This is pure domain code: no I/O, no bot or database imports, and ``now`` is
always passed in, so every result is reproducible in tests.

Guiding rule
------------
The worst possible bug of the bot is a wrong date accepted silently.  Whenever a
phrase is only partly understood or can be read in two ways, :class:`DatumFehler`
is raised with a polite German question and an example instead of guessing.

Why (almost) no dateparser?
---------------------------
Measured with dateparser 1.5.0 (``languages=["de"]``, ``PREFER_DATES_FROM=future``):
„Freitag 18 Uhr“ became the 18th of the month, „14 Uhr“ the 14th, „heute 18 Uhr“
lost its time, „in drei Tagen um 14 Uhr“ came back at 09:30, and „am 12.03.2027“,
„nächsten Freitag“ or „nächste Woche Dienstag“ were not read at all.  With
``languages=["de", "en"]`` it even reads „12.03.2027“ as the 3rd of December and
„2027/13/01“ as the 13th of January.  So the German phrases are read by a small
tokenizer feeding a recursive-descent parser; every accepted token has a meaning,
and a phrase ends where the tokens stop being date tokens.

dateparser is used for one narrow thing only (:func:`_fremde_daten`): when the
own grammar finds *no date phrase at all*, complete absolute dates in other
spellings – „12 March 2027“, „March 12, 2027“, „2027/03/12“, „13/03/2027“ – are
looked for with a strict pattern, read by dateparser
(``STRICT_PARSING``, ``REQUIRE_PARTS`` day/month/year) and accepted only if the
result round-trips: day and year are the numbers written, the month is the one
the month word or number names, and the time is midnight.  The date is then
rewritten as „12.03.2027“ and the whole text parsed again by the own grammar, so
times, ranges and every safety rule below still apply.  „03/12/2027“ (3 December
or 12 March?) is refused with a question; a month word that is no month („12
Teilnehmer 2027“) is not a date; relative words („tomorrow“) never reach
dateparser.

Semantics (all relative to ``now`` converted to ``tz``)
-------------------------------------------------------
Weekdays (said on Wednesday 18.11.2026):

* „Freitag“, „am Freitag“: the next Friday after today (20.11.).  Said *on* a
  Friday it is ambiguous (today or in a week?) and raises DatumFehler.
* „nächsten Freitag“, „kommenden Freitag“: the next Friday to come, never today:
  on Wednesday 18.11. → 20.11.; on Friday 20.11. → 27.11.; on Saturday → 27.11.
  Whoever means the Friday of next week writes „Freitag nächste Woche“.
* „übernächsten Freitag“: one week after „nächsten Freitag“ (27.11.).
* „diesen Freitag“, „diese Woche Freitag“: the Friday of the current calendar
  week (Mon–Sun); if that day already lies behind us → DatumFehler.
* „nächste Woche Dienstag“, „Dienstag nächste Woche“, „Dienstag der nächsten
  Woche“: the Tuesday of the following calendar week (24.11.); „übernächste
  Woche“ is two weeks ahead.  „nächste Woche“ without a day → DatumFehler.
* A weekday next to an explicit date („Freitag, 12.03.2027“) only checks the
  date; a mismatch raises DatumFehler.  The explicit date wins over a modifier
  („nächsten Freitag, 27.11.“ is the 27th).
* Abbreviations Mo–Sa count before a date („Fr, 12.03.2027“) or after „am“/„den“
  („am Fr“); „So“ only before a date („am so genannten …“).

Dates:

* ``12.03.2027``, ``12.3.27`` (two-digit years are 20xx), ``2027-03-12``,
  ``12. März 2027``; invalid dates (``31.02.2027``, ``12.13.2027``) → error.
* Without a year (``12.03.``, ``12. März``) the date resolves to today or the next
  occurrence.  If this year's occurrence passed less than 90 days ago, the
  user probably mistyped; instead of silently jumping a year ahead we ask back.
* ``12.03`` (no trailing dot, no year) is only read as a date after „am“, „vom“,
  „den“ etc., because „2.5“ in a title must not become the 2nd of May.
* A day without month („am 12.“) is only accepted as the start of a range
  („vom 12. bis 14. März 2027“).

Times:

* ``14 Uhr``, ``um 14``, ``14:00``, ``14.30 Uhr``, ``um 14.30``, ``18 Uhr 30``, ``14h``;
  „halb drei“ = 2:30, „viertel nach drei“ = 3:15, „viertel vor vier“ = 3:45,
  „halb eins“ = 12:30.  After „18 Uhr“ a two-digit number is a minute only when
  the phrase ends there („18 Uhr 30 Gäste“ keeps „30 Gäste“ for the rest).
* Hours 1–6 without a time of day and without leading zero („um 3 Uhr“, „halb
  drei“, „viertel nach drei“) are ambiguous (03:00 or 15:00?) → DatumFehler;
  „03:00“ with leading zero is taken literally.  Hours 7–12 are taken as written
  (07:00–12:00), 13–23 and 0 are unambiguous 24-hour times.
* A number right after a date without „Uhr“ or „um“ („Freitag 18“) → DatumFehler.
* Times of day: morgens/früh/vormittags (1–11), mittags (alone = 12:00; 1–3 →
  13–15), nachmittags (1–6 → 13–18), abends (5–11 → 17–23), nachts (1–5 as is,
  9–11 → 21–23).  Contradictions („14 Uhr morgens“) → DatumFehler.  „heute Abend“
  without an hour asks for the time.
* A time without a date („14 Uhr“) is never resolved to "today" → DatumFehler.

Ranges and durations:

* The end may be a time („bis 16 Uhr“, „14–16 Uhr“), a date, or both.
* An end time without date lies on the start day if it is after the start;
  otherwise it is read as "across midnight" only if the start is at or after
  18:00 and the end at or before 06:00 („22:00 bis 01:00“); anything else
  („16 bis 14 Uhr“) → „Das Ende liegt vor dem Beginn“.
* An ambiguous end hour (1–6) takes the earliest plausible reading after the
  start: „von 10 bis 2“ → 14:00, „22 bis 1 Uhr“ → 01:00 the next day.  On an
  explicitly named later day it is only read as early morning after an evening
  start („Freitag 20 Uhr bis Samstag 2 Uhr“); otherwise we ask.
* A time of day after the end covers the start, too („von 8 bis 11 Uhr abends“),
  and so does a day after the end time („von 14 bis 16 Uhr am Freitag“); a day
  *before* the end time names only the end („14 Uhr bis Freitag 16 Uhr“ → ask).
* An end weekday counts from the start day („Freitag bis Sonntag“); a yearless
  end date is the first one on or after the start („vom 28.12. bis 02.01.“).
* Explicit end times are wall-clock times („bis 16 Uhr“ is 16:00 local time even
  on a DST day).  Without an end, ``default_duration`` is added as real elapsed
  time and ``Zeitraum.ohne_ende`` is set.
* All-day events start at 00:00 and end at 00:00 of the day after their last day
  (``ganztaegig``); ``ohne_ende`` stays False for them (no default applied).

Daylight saving time: all arithmetic happens on wall-clock dates and times, which
are localized with zoneinfo only at the end.  A local time that does not exist
(02:30 on the last Sunday of March in Europe/Berlin) or exists twice (02:30 on the
last Sunday of October) raises DatumFehler.

Recurring events (``Zeitraum.rrule`` holds an RFC 5545 RRULE, ``start`` is the
first occurrence): „jeden Dienstag“, „dienstags“, „jede Woche am Dienstag“,
„jeden Dienstag und Donnerstag“, „alle zwei Wochen am Donnerstag“, „alle 14 Tage
am Montag“, „jeden ersten Montag im Monat“, „jeden zweiten Dienstag im Monat“,
„jeden letzten Freitag im Monat“, „monatlich am 15.“, „täglich“, „werktags“, with
an optional „ab dem 12.01.2027“.  The first occurrence is the first one not before
``now`` (for all-day series: not before today).  „jeden zweiten Dienstag“ without
„im Monat“ could mean "every other week" → DatumFehler.  Monthly days 29–31 are
refused because not every month has them.

Past dates are not refused here (the caller decides), with two exceptions that
are really ambiguities: „diesen Montag“ when Monday already lies behind us, and a
yearless date that passed only recently.

:func:`find_when` locates the phrase inside a command: the first date phrase wins;
the text before it is the title and the text after it the rest.  Bare numbers and
years never start a phrase („Treffen 2027“ contains no date).  It refuses texts
with a second date/time phrase before the first option key (``art:``), with an
unreadable time or end next to it („um 1400“, „bis 1600“), and phrases preceded
by words that change their meaning („vor“, „nach“, „bis“, „letzten“, „und“,
ordinals, „Guten Morgen“ …).  The separators between title, phrase and rest
(spaces, commas, dashes) are stripped from ``before`` and ``after``.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import dateparser

__all__ = [
    "DatumFehler",
    "Zeitraum",
    "beschreibe_rrule",
    "find_when",
    "format_zeitraum",
    "parse_dauer",
    "parse_when",
]

STANDARD_BEISPIEL = "am 12.03.2027 um 14:00 bis 16:00"
# Longer texts are refused up front; every step below is linear anyway, but a
# date phrase is short and a cap keeps error messages and run time predictable.
MAX_LAENGE = 1000
# What `parse_when` reads is the date phrase alone, never longer than this; the tighter cap
# matters because a caller may try many tails of a text (`termine [<auswahl>]`).
MAX_PHRASE = 200
# A yearless date that passed at most this many days ago is more likely a typo
# than a date a year ahead, so we ask instead of jumping to next year.
_NACHFRIST_TAGE = 90


# --------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Zeitraum:
    """A resolved event time span, timezone-aware in the requested zone."""

    start: datetime
    end: datetime
    ganztaegig: bool
    rrule: str | None = None
    ohne_ende: bool = False

    def __post_init__(self) -> None:
        # Guard the invariants here so that no code path can build a bad span.
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Zeitraum braucht zeitzonenbehaftete Zeitpunkte")
        # Compare instants: with equal tzinfo Python would compare wall clocks
        # and ignore ``fold`` (the repeated hour in October).
        if self.end.astimezone(UTC) <= self.start.astimezone(UTC):
            raise ValueError("Zeitraum: end muss nach start liegen")


class DatumFehler(ValueError):
    """A date phrase that could not be read safely; the message is for the user."""

    def __init__(self, meldung: str, beispiel: str = STANDARD_BEISPIEL) -> None:
        self.meldung = meldung
        self.beispiel = beispiel
        super().__init__(f"{meldung} Beispiel: „{beispiel}“")


class _KeinDatum(DatumFehler):
    """The own grammar found no date phrase at all: the dateparser fallback may try."""


# --------------------------------------------------------------------------
# Vocabulary (keys are normalized: lower case, ä→ae, ö→oe, ü→ue, ß→ss)
# --------------------------------------------------------------------------

_NAMEN = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
_KURZ = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
_RRULE_TAGE = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

_WOCHENTAGE = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3,
    "freitag": 4, "samstag": 5, "sonnabend": 5, "sonntag": 6,
}  # fmt: skip
_WOCHENTAG_ADVERBIEN = {name + "s": tag for name, tag in _WOCHENTAGE.items()}
_WOCHENTAG_KURZ = {"mo": 0, "di": 1, "mi": 2, "do": 3, "fr": 4, "sa": 5, "so": 6}

_MONATE = {
    "januar": 1, "jan": 1, "jaenner": 1, "februar": 2, "feb": 2, "febr": 2,
    "maerz": 3, "maer": 3, "mrz": 3, "april": 4, "apr": 4, "mai": 5,
    "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10,
    "november": 11, "nov": 11, "dezember": 12, "dez": 12,
}  # fmt: skip

_ZAHLWOERTER = {
    "null": 0, "ein": 1, "eins": 1, "eine": 1, "einer": 1, "einem": 1, "einen": 1,
    "zwei": 2, "zwo": 2, "drei": 3, "vier": 4, "fuenf": 5, "sechs": 6, "sieben": 7,
    "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwoelf": 12, "dreizehn": 13,
    "vierzehn": 14, "fuenfzehn": 15, "sechzehn": 16, "siebzehn": 17, "achtzehn": 18,
    "neunzehn": 19, "zwanzig": 20,
}  # fmt: skip

_ENDUNGEN = ("e", "en", "er", "em", "es")
_ORDNUNGSZAHLEN = {
    stamm + endung: n
    for stamm, n in (
        ("erst", 1), ("zweit", 2), ("dritt", 3), ("viert", 4), ("fuenft", 5),
        ("letzt", -1), ("vorletzt", -2),
    )
    for endung in _ENDUNGEN
}  # fmt: skip
# "kommend" and "nächst" mean the same; they are folded into one modifier.
_MODIFIKATOREN = {
    stamm + endung: art
    for stamm, art in (
        ("naechst", "naechst"), ("kommend", "naechst"),
        ("uebernaechst", "uebernaechst"), ("dies", "dies"),
    )
    for endung in _ENDUNGEN
}  # fmt: skip
_WOCHEN_VERSATZ = {"dies": 0, "naechst": 1, "uebernaechst": 2}

_TAGESZEIT_ADVERBIEN = {
    "morgens": "morgens", "frueh": "morgens", "vormittags": "vormittags",
    "mittags": "mittags", "nachmittags": "nachmittags", "abends": "abends",
    "nachts": "nachts",
}  # fmt: skip
# Nouns („Abend“) count only right after a date („Freitag Abend“) or after „am“,
# so that a title like „Sommer Abend am Freitag“ keeps its word.
_TAGESZEIT_NOMEN = {
    "morgen": "morgens", "frueh": "morgens", "vormittag": "vormittags",
    "mittag": "mittags", "nachmittag": "nachmittags", "abend": "abends",
    "nacht": "nachts",
}  # fmt: skip

_UHR = frozenset({"uhr", "h"})
# After „18 Uhr“ a two-digit number is only taken as minutes when one of these
# follows; otherwise „18 Uhr 30 Gäste“ would silently become 18:30.
_GRENZWOERTER = frozenset(
    {"bis", "in", "im", "bei", "mit", "am", "an", "auf", "fuer", "zum", "zur", "und", "ab"}
) | frozenset(_TAGESZEIT_ADVERBIEN)
_EINLEITUNG_ZEIT = frozenset({"um", "gegen", "ab", "von"})
_EINLEITUNG_DATUM = frozenset({"am", "vom", "von", "den", "dem", "ab"})
_GANZTAEGIG = frozenset({"ganztaegig", "ganztags"})
# Words that change the meaning of a following date („vor Freitag“, „letzten
# Freitag“, „zweiten Dienstag im Monat“ without „jeden“, „zwischen 14 und 16 Uhr“,
# „Guten Morgen“): find_when refuses them instead of silently dropping them.
_BLOCKER = (
    frozenset(
        {
            "vor", "nach", "seit", "bis", "ab", "zwischen", "spaetestens", "fruehestens",
            "ausser", "ausgenommen", "ohne", "statt", "anstatt", "nicht", "kein", "keine",
            "jeden", "jede", "jedes", "jeder", "alle", "vergangenen", "vergangene",
            "vorigen", "vorige", "voriger", "woche", "wochen", "tage", "tagen", "monat",
            "monate", "monaten", "und", "oder", "sowie", "bzw", "guten", "schoenen",
        }
    )
    | frozenset(_ORDNUNGSZAHLEN)
)  # fmt: skip

_STRICHE = frozenset("-–—‐‑‒−")


# --------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"(?P<zahl>[0-9]+)"
    r"|(?P<wort>[^\W\d_]+(?:[-‐‑][^\W\d_]+)*)"  # „Heute-Show“ stays one word
    r"|(?P<zeichen>\S)"
)
_KOMPOSITUM_RE = re.compile(
    r"(montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag)"
    r"(morgen|vormittag|mittag|nachmittag|abend|nacht)"
)


@dataclass(frozen=True)
class _Tok:
    art: str  # "zahl", "wort" or "zeichen"
    roh: str
    norm: str
    start: int
    ende: int
    dicht: bool  # directly attached to the previous token (no whitespace)


def _falten(wort: str) -> str:
    """Normalize a word so that „Maerz“ == „März“ and „naechsten“ == „nächsten“."""
    return wort.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")


def _tokenisieren(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    vorher = -1
    for m in _TOKEN_RE.finditer(text):
        art = m.lastgroup or "zeichen"
        roh = m.group()
        dicht = m.start() == vorher
        vorher = m.end()
        if art == "wort":
            norm = _falten(roh)
            k = _KOMPOSITUM_RE.fullmatch(norm)
            if k is not None:
                # „Freitagabend“ = „Freitag Abend“; weekday names are ASCII, so
                # the split position is the same in the raw text.
                n = len(k.group(1))
                toks.append(_Tok("wort", roh[:n], k.group(1), m.start(), m.start() + n, dicht))
                toks.append(_Tok("wort", roh[n:], k.group(2), m.start() + n, m.end(), True))
                continue
        elif art == "zeichen":
            norm = "-" if roh in _STRICHE else roh
        else:
            norm = roh
        toks.append(_Tok(art, roh, norm, m.start(), m.end(), dicht))
    return toks


# --------------------------------------------------------------------------
# Parsed components (internal, mutable while a group is being read)
# --------------------------------------------------------------------------


@dataclass
class _DatumK:
    """An explicit or relative date; ``fest`` is set when it is complete."""

    tag: int
    monat: int | None
    jahr: int | None
    fest: date | None
    text: str = ""


@dataclass
class _WochentagK:
    tag: int
    modifikator: str | None  # "naechst", "uebernaechst", "dies" or None
    pruefung: bool = False  # abbreviation in front of a date: only a check
    text: str = ""


@dataclass
class _WocheK:
    versatz: int
    text: str = ""


@dataclass
class _Zeit:
    stunde: int  # as written: 0..24 (for „halb drei“ the effective hour 2)
    minute: int
    explizit: bool  # leading zero, 0 or >= 13: certainly a 24-hour time
    lose: bool  # bare number without „Uhr“, „:“, „halb“ …
    text: str = ""

    @property
    def mehrdeutig(self) -> bool:
        return not self.explizit and 1 <= self.stunde <= 6


@dataclass
class _TageszeitK:
    art: str
    text: str = ""


@dataclass
class _SerieK:
    art: str  # "woechentlich", "monatlich_tag", "monatlich_nter", "taeglich"
    tage: tuple[int, ...] = ()
    n: int = 0
    monatstag: int = 0
    intervall: int = 1
    text: str = ""

    def rrule(self) -> str:
        freq = {"woechentlich": "WEEKLY", "taeglich": "DAILY"}.get(self.art, "MONTHLY")
        teile = [f"FREQ={freq}"]
        if self.intervall > 1:
            teile.append(f"INTERVAL={self.intervall}")
        if self.art == "woechentlich":
            teile.append("BYDAY=" + ",".join(_RRULE_TAGE[t] for t in self.tage))
        elif self.art == "monatlich_nter":
            teile.append(f"BYDAY={self.n}{_RRULE_TAGE[self.tage[0]]}")
        elif self.art == "monatlich_tag":
            teile.append(f"BYMONTHDAY={self.monatstag}")
        return ";".join(teile)


_Komponente = _DatumK | _WochentagK | _WocheK


@dataclass
class _Gruppe:
    """Everything said about one end of a span (start, or end after „bis“)."""

    ist_ende: bool
    datum: _DatumK | None = None
    wochentag: _WochentagK | None = None
    woche: _WocheK | None = None
    zeit: _Zeit | None = None
    tageszeit: _TageszeitK | None = None
    serie: _SerieK | None = None
    ab_datum: _DatumK | None = None
    ganztaegig: bool = False
    anzahl: int = 0
    letzte: str = ""  # kind of the previous component: "datum", "zeit", …
    datum_nach_zeit: bool = False  # „… bis 16 Uhr am Freitag“: the day comes last

    def hat_datum(self) -> bool:
        return (
            self.datum is not None
            or (self.wochentag is not None and not self.wochentag.pruefung)
            or self.woche is not None
        )

    def ist_anker(self) -> bool:
        """Does this group name a day (so find_when may take it as the phrase)?"""
        return self.hat_datum() or self.serie is not None or self.ab_datum is not None

    def setze(self, k: _Komponente) -> None:
        if self.zeit is not None:
            self.datum_nach_zeit = True
        if isinstance(k, _DatumK):
            if self.datum is not None:
                raise _doppelt("Datumsangaben", self.datum.text, k.text)
            self.datum = k
        elif isinstance(k, _WochentagK):
            if self.wochentag is not None:
                raise _doppelt("Wochentage", self.wochentag.text, k.text)
            self.wochentag = k
        else:
            if self.woche is not None:
                raise _doppelt("Wochenangaben", self.woche.text, k.text)
            self.woche = k
        self._gesetzt("datum")

    def setze_zeit(self, z: _Zeit) -> None:
        if self.zeit is not None:
            raise _doppelt("Uhrzeiten", self.zeit.text, z.text)
        self.zeit = z
        self._gesetzt("zeit")

    def setze_tageszeit(self, t: _TageszeitK) -> None:
        if self.tageszeit is not None:
            raise _doppelt("Tageszeiten", self.tageszeit.text, t.text)
        self.tageszeit = t
        self._gesetzt("tageszeit")

    def setze_serie(self, s: _SerieK) -> None:
        if self.serie is not None:
            raise _doppelt("Wiederholungen", self.serie.text, s.text)
        self.serie = s
        self._gesetzt("datum")

    def setze_ab(self, k: _DatumK) -> None:
        if self.ab_datum is not None:
            raise _doppelt("Startdaten", self.ab_datum.text, k.text)
        self.ab_datum = k
        self._gesetzt("datum")

    def _gesetzt(self, art: str) -> None:
        self.anzahl += 1
        self.letzte = art


@dataclass
class _Phrase:
    start: _Gruppe
    ende: _Gruppe | None
    von: int  # token indices [von, bis)
    bis: int

    def hat_anker(self) -> bool:
        """Does the phrase name a day (so that it is a date phrase at all)?"""
        if self.start.ist_anker():
            return True
        # „von 14 bis 16 Uhr am Freitag“: the trailing day belongs to both ends.
        return self.ende is not None and self.ende.hat_datum() and self.ende.datum_nach_zeit


def _zitat(text: str, laenge: int = 60) -> str:
    """User text for an error message, shortened so that huge inputs stay readable."""
    text = " ".join(text.split())
    return text if len(text) <= laenge else text[: laenge - 1] + "…"


def _doppelt(was: str, a: str, b: str) -> DatumFehler:
    return DatumFehler(f"Ich habe zwei {was} gefunden („{a}“ und „{b}“). Welche gilt?")


# --------------------------------------------------------------------------
# Small date helpers (wall-clock dates only, no timezone involved)
# --------------------------------------------------------------------------


def datum_text(wann: date | datetime, tz: tzinfo | None = None) -> str:
    """„12.03.2027“ – the one way the bot writes a date (a datetime in `tz`, if given)."""
    if isinstance(wann, datetime) and tz is not None:
        wann = wann.astimezone(tz)
    return wann.strftime("%d.%m.%Y")


def _tag_mit_name(tag: date) -> str:
    return f"{_NAMEN[tag.weekday()]}, {datum_text(tag)}"


def _datum_oder_fehler(jahr: int, monat: int, tag: int, text: str) -> date:
    if not 1 <= monat <= 12:
        raise DatumFehler(f"In „{text}“ ist der Monat {monat} ungültig (1–12).")
    try:
        return date(jahr, monat, tag)
    except ValueError:
        raise DatumFehler(f"Den {tag:02d}.{monat:02d}.{jahr} gibt es nicht („{text}“).") from None


def _plus_monate(tag: date, monate: int, text: str) -> date:
    index = tag.year * 12 + tag.month - 1 + monate
    jahr, monat = divmod(index, 12)
    try:
        return date(jahr, monat + 1, tag.day)
    except ValueError:
        # „in einem Monat“ on 31 January: Feb 28? Mar 3? Both are guesses.
        raise DatumFehler(
            f"„{text}“ führt auf den {tag.day}.{monat + 1:02d}.{jahr}, den es nicht gibt. "
            "Bitte nennen Sie das Datum direkt."
        ) from None


def _nter_wochentag(jahr: int, monat: int, n: int, wochentag: int) -> date | None:
    """The n-th (n < 0: from the end) weekday of a month, or None if it does not exist."""
    if n > 0:
        erster = date(jahr, monat, 1)
        tag = erster + timedelta(days=(wochentag - erster.weekday()) % 7 + 7 * (n - 1))
    else:
        letzter = date(jahr, monat, calendar.monthrange(jahr, monat)[1])
        tag = letzter - timedelta(days=(letzter.weekday() - wochentag) % 7 + 7 * (-n - 1))
    return tag if tag.month == monat else None


def _tageszeit_stunde(stunde: int, explizit: bool, art: str) -> int | None:
    """Apply „abends“ & co. to an hour; None when they contradict each other."""
    if art in ("morgens", "vormittags"):
        ergebnis = stunde if 1 <= stunde <= 11 else None
    elif art == "mittags":
        ergebnis = stunde + 12 if 1 <= stunde <= 3 else stunde if 11 <= stunde <= 15 else None
    elif art == "nachmittags":
        ergebnis = stunde + 12 if 1 <= stunde <= 6 else stunde if 12 <= stunde <= 18 else None
    elif art == "abends":
        ergebnis = stunde + 12 if 5 <= stunde <= 11 else stunde if 17 <= stunde <= 23 else None
    elif 0 <= stunde <= 5 or 21 <= stunde <= 23:  # nachts
        ergebnis = stunde
    else:
        ergebnis = stunde + 12 if 9 <= stunde <= 11 else None
    # „03:00 nachmittags“: a leading zero says 24-hour time, which must not move.
    if explizit and ergebnis != stunde:
        return None
    return ergebnis


# --------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------


class _Parser:
    """Recursive-descent parser over the token list; ``i`` is the cursor.

    Every ``_x`` method either consumes tokens and returns a result, or restores
    the cursor and returns None/False.  Tokens that look like a date but are
    invalid raise DatumFehler right away.
    """

    def __init__(
        self, text: str, toks: list[_Tok], jetzt: datetime, tz: ZoneInfo, dauer: timedelta
    ) -> None:
        self.text = text
        self.t = toks
        self.i = 0
        self.tz = tz
        self.dauer = dauer
        self.jetzt = jetzt.replace(tzinfo=None)  # wall clock in tz
        self.heute = self.jetzt.date()
        # The start group while the end group is read (bare end times need it).
        self._start_gruppe: _Gruppe | None = None

    # -- token access -------------------------------------------------------

    def _tok(self, k: int = 0) -> _Tok | None:
        j = self.i + k
        return self.t[j] if 0 <= j < len(self.t) else None

    def _wort(self, k: int = 0) -> str | None:
        t = self._tok(k)
        return t.norm if t is not None and t.art == "wort" else None

    def _zahl(self, k: int = 0, *, dicht: bool = False) -> _Tok | None:
        t = self._tok(k)
        if t is None or t.art != "zahl" or (dicht and not t.dicht):
            return None
        return t

    def _zeichen(self, k: int, zeichen: str, *, dicht: bool = False) -> bool:
        t = self._tok(k)
        return t is not None and t.art == "zeichen" and t.norm == zeichen and (t.dicht or not dicht)

    def _text(self, von: int, bis: int) -> str:
        if bis <= von:
            return ""
        return self.text[self.t[von].start : self.t[bis - 1].ende]

    def _anzahl(self, k: int) -> int | None:
        """A count written as digits or as a number word („zwei“)."""
        t = self._zahl(k)
        if t is not None:
            return int(t.roh) if len(t.roh) <= 4 else None
        w = self._wort(k)
        return _ZAHLWOERTER.get(w) if w is not None else None

    def _ist_trenner(self, k: int) -> bool:
        return self._wort(k) == "bis" or self._zeichen(k, "-")

    def _bereichstrenner(self) -> bool:
        """Consume „bis“ (with „zum“, „einschließlich“ …) or a dash."""
        if self._wort() == "bis":
            self.i += 1
            if self._wort() in ("zum", "zur", "einschliesslich", "inklusive", "inkl", "einschl"):
                self.i += 1
                if self._zeichen(0, ".", dicht=True):
                    self.i += 1
            return True
        if self._zeichen(0, "-"):
            self.i += 1
            return True
        return False

    # -- phrase and groups ----------------------------------------------------

    def phrase(self) -> _Phrase | None:
        """Read a date phrase starting at the cursor, or return None."""
        von = self.i
        start = self._gruppe(None)
        if start.anzahl == 0:
            # A phrase that starts with „bis“ only names an end.
            if self._wort() == "bis":
                self._bereichstrenner()
                if self._gruppe(start).anzahl:
                    raise DatumFehler(
                        f"„{self._text(von, self.i)}“ nennt nur ein Ende. Wann beginnt der Termin?"
                    )
            self.i = von
            return None
        ende: _Gruppe | None = None
        vor_trenner = self.i
        if self._bereichstrenner():
            ende = self._gruppe(start)
            if ende.anzahl == 0:
                ende = None
                self.i = vor_trenner
        return _Phrase(start, ende, von, self.i)

    def _gruppe(self, start: _Gruppe | None) -> _Gruppe:
        g = _Gruppe(ist_ende=start is not None)
        self._start_gruppe = start
        while self.i < len(self.t):
            merke = self.i
            nach_komma = False
            # A comma may separate parts („Freitag, 18 Uhr“) but is only
            # consumed if a component follows; otherwise it ends the phrase.
            if g.anzahl and self._zeichen(0, ","):
                self.i += 1
                nach_komma = True
            if not self._komponente(g, nach_komma):
                self.i = merke
                break
        return g

    def _komponente(self, g: _Gruppe, nach_komma: bool) -> bool:
        return (
            self._serie_k(g)
            or self._ganztaegig_k(g)
            or self._tageszeit_k(g)
            or self._datum_k(g)
            or self._zeit_k(g, nach_komma)
        )

    # -- components -----------------------------------------------------------

    def _ganztaegig_k(self, g: _Gruppe) -> bool:
        if self._wort() in _GANZTAEGIG:
            self.i += 1
        elif (self._wort(0), self._wort(1), self._wort(2)) == ("den", "ganzen", "tag"):
            self.i += 3
        else:
            return False
        g.ganztaegig = True
        g.anzahl += 1
        g.letzte = "ganztaegig"
        return True

    def _tageszeit_k(self, g: _Gruppe) -> bool:
        merke = self.i
        w = self._wort()
        if w is None:
            return False
        if w in _TAGESZEIT_ADVERBIEN:
            art = _TAGESZEIT_ADVERBIEN[w]
            self.i += 1
        elif w in ("am", "zu") and self._wort(1) in _TAGESZEIT_NOMEN:
            art = _TAGESZEIT_NOMEN[self._wort(1) or ""]
            self.i += 2
        elif w == "in" and self._wort(1) == "der" and self._wort(2) in ("nacht", "frueh"):
            art = _TAGESZEIT_NOMEN[self._wort(2) or ""]
            self.i += 3
        elif w in _TAGESZEIT_NOMEN and g.letzte == "datum":
            # „Freitag Abend“, „heute Morgen“: here „morgen“ is the morning.
            art = _TAGESZEIT_NOMEN[w]
            self.i += 1
        else:
            return False
        g.setze_tageszeit(_TageszeitK(art, self._text(merke, self.i)))
        return True

    def _datum_k(self, g: _Gruppe) -> bool:
        merke = self.i
        praefix = self._wort()
        if praefix in _EINLEITUNG_DATUM:
            self.i += 1
            if praefix == "ab" and self._wort() == "dem":
                self.i += 1
        else:
            praefix = None
        # A weekday right before („Freitag 12.03“) makes „12.03“ a date, too.
        nach_wochentag = g.wochentag is not None and g.datum is None
        k = self._datum_ausdruck(mit_praefix=praefix is not None or nach_wochentag)
        if k is None:
            self.i = merke
            return False
        k.text = self._text(merke, self.i)
        if praefix == "ab":
            if not isinstance(k, _DatumK) or g.ist_ende:
                self.i = merke
                return False
            g.setze_ab(k)
        else:
            g.setze(k)
        return True

    def _zeit_k(self, g: _Gruppe, nach_komma: bool) -> bool:
        merke = self.i
        einleitung = self._wort() in _EINLEITUNG_ZEIT
        if einleitung:
            self.i += 1
        direkt_nach_bis = g.ist_ende and g.anzahl == 0
        z = self._uhrzeit(eingeleitet=einleitung or direkt_nach_bis)
        if z is None:
            t = self._tok()
            if t is not None and t.art == "zahl" and g.letzte == "datum" and not nach_komma:
                self._zahl_nach_datum(self.i)
            self.i = merke
            return False
        z.text = self._text(merke, self.i)
        if z.lose and not einleitung:
            start = self._start_gruppe
            if direkt_nach_bis:
                start_mittags = start is not None and (
                    start.tageszeit is not None and start.tageszeit.art == "mittags"
                )
                if start is None or (start.zeit is None and not start_mittags):
                    raise DatumFehler(
                        f"Beim Ende „{z.text}“: Ist {z.stunde} Uhr gemeint? Dann fehlt die "
                        "Uhrzeit für den Beginn.",
                        "am 12.03.2027 von 14 bis 16 Uhr",
                    )
            elif not self._bereich_mit_uhr_folgt():
                if g.letzte == "datum" and not nach_komma:
                    self._zahl_nach_datum(merke)
                self.i = merke
                return False
        g.setze_zeit(z)
        return True

    def _zahl_nach_datum(self, j: int) -> None:
        """„Freitag 18“: is 18 a time, a year, a count? Ask instead of guessing."""
        t = self.t[j]
        ende = j + 1
        while ende < len(self.t) and self.t[ende].dicht and self.t[ende].norm not in ",;":
            ende += 1
        roh = self._text(j, ende).rstrip(".")
        if len(t.roh) <= 2 and int(t.roh) <= 24:
            raise DatumFehler(
                f"Nach dem Datum steht „{roh}“ ohne „Uhr“. Meinen Sie {roh} Uhr?",
                f"am 12.03.2027 um {roh.replace('.', ':')} Uhr"
                if 7 <= int(t.roh) <= 23
                else STANDARD_BEISPIEL,
            )
        raise DatumFehler(
            f"Nach dem Datum steht „{roh}“, das kann ich nicht zuordnen. Uhrzeiten schreiben "
            "Sie bitte wie „14:00 Uhr“, Jahre direkt im Datum.",
            "am 12. März 2027 um 14:00 Uhr",
        )

    def _bereich_mit_uhr_folgt(self) -> bool:
        """Lookahead for „14-16 Uhr“: a bare start needs a marked end time."""
        merke = self.i
        try:
            if not self._bereichstrenner():
                return False
            z = self._uhrzeit(eingeleitet=True)
            return z is not None and not z.lose
        finally:
            self.i = merke

    # -- dates ----------------------------------------------------------------

    def _datum_ausdruck(self, mit_praefix: bool) -> _Komponente | None:
        leser: tuple[Callable[[bool], _Komponente | None], ...] = (
            self._iso,
            self._numerisch,
            self._tag_monatsname,
            self._relatives_wort,
            self._in_zeitspanne,
            self._woche,
            self._wochentag,
            self._wochentag_kurz,
        )
        for lesen in leser:
            k = lesen(mit_praefix)
            if k is not None:
                return k
        return None

    def _iso(self, _mit_praefix: bool) -> _DatumK | None:
        j = self._zahl(0)
        if (
            j is None
            or len(j.roh) != 4
            or not self._zeichen(1, "-", dicht=True)
            or self._zahl(2, dicht=True) is None
            or not self._zeichen(3, "-", dicht=True)
            or self._zahl(4, dicht=True) is None
        ):
            return None
        m = int(self.t[self.i + 2].roh)
        d = int(self.t[self.i + 4].roh)
        text = self._text(self.i, self.i + 5)
        tag = _datum_oder_fehler(int(j.roh), m, d, text)
        self.i += 5
        return _DatumK(d, m, tag.year, tag)

    def _numerisch(self, mit_praefix: bool) -> _DatumK | None:
        """12.03.2027, 12.3.27, 12.03. and (after „am“) 12.03."""
        a = self._zahl(0)
        b = self._zahl(2, dicht=True)
        if a is None or b is None or not self._zeichen(1, ".", dicht=True):
            return None
        if len(a.roh) > 2 or len(b.roh) > 2:
            return None
        tag, monat = int(a.roh), int(b.roh)
        jahr: int | None = None
        if self._zeichen(3, ".", dicht=True):
            j = self._zahl(4, dicht=True)
            if j is not None:
                text = self._text(self.i, self.i + 5)
                if len(j.roh) == 2:
                    jahr = 2000 + int(j.roh)
                elif len(j.roh) == 4:
                    jahr = int(j.roh)
                else:
                    raise DatumFehler(f"Das Jahr in „{text}“ ist unklar.", "am 12.03.2027")
                laenge = 5
            else:
                laenge = 4
        else:
            # „14.30“ without a trailing dot may be a time; only a prefix like
            # „am“ makes it a date, and „Uhr“ after it makes it a time.
            if self._wort(3) in _UHR or not mit_praefix:
                return None
            laenge = 3
        text = self._text(self.i, self.i + laenge)
        k = self._datum_teile(tag, monat, jahr, text)
        self.i += laenge
        return k

    def _datum_teile(self, tag: int, monat: int, jahr: int | None, text: str) -> _DatumK:
        if not 1 <= monat <= 12:
            raise DatumFehler(
                f"In „{text}“ ist der Monat {monat} ungültig (1–12).", "am 12.03.2027"
            )
        if jahr is not None:
            return _DatumK(tag, monat, jahr, _datum_oder_fehler(jahr, monat, tag, text))
        # 2000 is a leap year: this only rejects days no year has (31.04., 30.02.).
        _datum_oder_fehler(2000, monat, tag, text)
        return _DatumK(tag, monat, None, None)

    def _tag_monatsname(self, mit_praefix: bool) -> _DatumK | None:
        """12. März 2027, 12 März, and the bare day „12.“ of a range."""
        a = self._zahl(0)
        if a is None or len(a.roh) > 2:
            return None
        k = 1
        if self._zeichen(1, ".", dicht=True):
            if self._zahl(2, dicht=True) is not None:
                return None  # 12.03… is handled by _numerisch
            k = 2
        monat = _MONATE.get(self._wort(k) or "")
        if k == 2 and (self._wort(2) or "") in _WOCHENTAGE:
            # „am 2. Dienstag“: a recurring rule or one particular month?
            text = self._text(self.i, self.i + 3)
            raise DatumFehler(
                f"„{text}“ kann ich nicht eindeutig lesen. Für einen wiederkehrenden Termin "
                f"schreiben Sie bitte „jeden {text} im Monat“, sonst das genaue Datum.",
                f"jeden {text} im Monat",
            )
        if monat is None:
            # A bare day („am 12.“, „12.–14.03.2027“) is kept as a partial date;
            # it is only valid as the start of a range.
            if k == 2 and (mit_praefix or self._ist_trenner(2)):
                tag = int(a.roh)
                if not 1 <= tag <= 31:
                    raise DatumFehler(f"Den {tag}. gibt es in keinem Monat.", "am 12.03.2027")
                self.i += 2
                return _DatumK(tag, None, None, None)
            return None
        k += 1
        if self._zeichen(k, ".", dicht=True):  # „12. Jan. 2027“
            k += 1
        jahr = None
        j = self._zahl(k)
        if j is not None and len(j.roh) == 4:
            jahr = int(j.roh)
            k += 1
        text = self._text(self.i, self.i + k)
        ergebnis = self._datum_teile(int(a.roh), monat, jahr, text)
        self.i += k
        return ergebnis

    def _relatives_wort(self, _mit_praefix: bool) -> _DatumK | None:
        versatz = {"heute": 0, "morgen": 1, "uebermorgen": 2}.get(self._wort() or "")
        if versatz is None:
            return None
        tag = self.heute + timedelta(days=versatz)
        self.i += 1
        return _DatumK(tag.day, tag.month, tag.year, tag)

    def _in_zeitspanne(self, _mit_praefix: bool) -> _DatumK | None:
        """„in 3 Tagen“, „in zwei Wochen“, „in einem Monat“, „in einem Jahr“."""
        if self._wort() != "in":
            return None
        n = self._anzahl(1)
        einheit = self._wort(2)
        if n is None or einheit is None:
            return None
        text = self._text(self.i, self.i + 3)
        if einheit in ("tag", "tage", "tagen"):
            tage = n
        elif einheit in ("woche", "wochen"):
            tage = 7 * n
        elif einheit in ("monat", "monate", "monaten", "jahr", "jahre", "jahren"):
            tage = -1
        else:
            return None
        if not 1 <= n <= 999:
            raise DatumFehler(f"„{text}“ kann ich nicht sinnvoll lesen.", "in 3 Tagen")
        if tage >= 0:
            tag = self.heute + timedelta(days=tage)
        else:
            faktor = 1 if einheit.startswith("monat") else 12
            tag = _plus_monate(self.heute, n * faktor, text)
        self.i += 3
        return _DatumK(tag.day, tag.month, tag.year, tag)

    def _woche(self, _mit_praefix: bool) -> _WocheK | None:
        """„nächste Woche“, „Dienstag der nächsten Woche“, „in der kommenden Woche“."""
        k = 0
        if self._wort(0) == "in" and self._wort(1) == "der":
            k = 2
        elif self._wort(0) == "der":
            k = 1
        art = _MODIFIKATOREN.get(self._wort(k) or "")
        if art is None or self._wort(k + 1) != "woche":
            return None
        self.i += k + 2
        return _WocheK(_WOCHEN_VERSATZ[art])

    def _wochentag(self, _mit_praefix: bool) -> _WochentagK | None:
        art = _MODIFIKATOREN.get(self._wort(0) or "")
        k = 0 if art is None else 1
        tag = _WOCHENTAGE.get(self._wort(k) or "")
        if tag is None:
            return None
        self.i += k + 1
        return _WochentagK(tag, art)

    def _wochentag_kurz(self, mit_praefix: bool) -> _WochentagK | None:
        """„Fr, 12.03.2027“: abbreviations only count directly before a date."""
        tag = _WOCHENTAG_KURZ.get(self._wort() or "")
        if tag is None:
            return None
        k = 1
        if self._zeichen(k, ".", dicht=True):
            k += 1
        if self._zeichen(k, ","):
            k += 1
        if self._wort(k) == "den":
            k += 1
        if self._zahl(k) is not None and (
            self._zeichen(k + 1, ".", dicht=True) or self._zeichen(k + 1, "-", dicht=True)
        ):
            self.i += k
            return _WochentagK(tag, None, pruefung=True)
        # „am Fr um 18 Uhr“: after a prefix the abbreviation is the weekday itself.
        # „so“ is left out: „am so genannten …“ must not become a Sunday.
        if mit_praefix and self._wort() != "so":
            self.i += 2 if self._zeichen(1, ".", dicht=True) else 1
            return _WochentagK(tag, None)
        return None

    # -- times ----------------------------------------------------------------

    def _uhrzeit(self, eingeleitet: bool) -> _Zeit | None:
        t = self._tok()
        if t is None:
            return None
        w = self._wort()
        if w in ("halb", "viertel", "dreiviertel"):
            return self._uhrzeit_umgangssprachlich(w or "")
        if t.art == "zahl":
            return self._uhrzeit_ziffern(t, eingeleitet)
        if w in _ZAHLWOERTER:
            wert = _ZAHLWOERTER[w or ""]
            if self._wort(1) in _UHR:
                self.i += 2
                return _Zeit(wert, 0, wert == 0 or wert >= 13, lose=False)
            if eingeleitet:  # „um zehn“
                self.i += 1
                return _Zeit(wert, 0, wert == 0 or wert >= 13, lose=True)
        return None

    def _stunde_1_12(self, k: int) -> int | None:
        wert = self._anzahl(k)
        return wert if wert is not None and 1 <= wert <= 12 else None

    def _uhrzeit_umgangssprachlich(self, w: str) -> _Zeit | None:
        """„halb drei“ = 2:30, „viertel nach drei“ = 3:15, „viertel vor vier“ = 3:45."""
        if w == "halb":
            h, k, minute, vorher = self._stunde_1_12(1), 2, 30, True
        elif w == "dreiviertel":
            h, k, minute, vorher = self._stunde_1_12(1), 2, 45, True
        elif self._wort(1) == "nach":
            h, k, minute, vorher = self._stunde_1_12(2), 3, 15, False
        elif self._wort(1) == "vor":
            h, k, minute, vorher = self._stunde_1_12(2), 3, 45, True
        else:
            return None
        if h is None:
            return None
        if vorher:
            h = h - 1 or 12  # „halb eins“ = 12:30
        self.i += k
        return _Zeit(h, minute, explizit=False, lose=False)

    def _uhrzeit_ziffern(self, t: _Tok, eingeleitet: bool) -> _Zeit | None:
        if len(t.roh) > 2:
            return None
        h = int(t.roh)
        explizit = (len(t.roh) == 2 and t.roh[0] == "0") or h == 0 or h >= 13
        minute_tok = self._zahl(2, dicht=True)
        if self._zeichen(1, ":", dicht=True) and minute_tok is not None:
            if len(minute_tok.roh) != 2:
                return None
            k = 4 if self._wort(3) in _UHR else 3
            return self._zeit_fertig(h, int(minute_tok.roh), explizit, k)
        if self._zeichen(1, ".", dicht=True):
            if minute_tok is None or len(minute_tok.roh) != 2:
                return None  # „12.“ is a day, not a time
            if self._zeichen(3, ".", dicht=True) and self._zahl(4, dicht=True) is not None:
                return None  # 12.03.2027
            if self._wort(3) in _UHR:
                return self._zeit_fertig(h, int(minute_tok.roh), explizit, 4)
            if eingeleitet:  # „um 14.30“
                return self._zeit_fertig(h, int(minute_tok.roh), explizit, 3)
            return None
        if self._wort(1) in _UHR:
            m = self._zahl(2)
            danach = self._tok(3)
            angehaengt = danach is not None and danach.dicht and self._zahl(4, dicht=True)
            if (
                m is not None
                and len(m.roh) == 2
                and not angehaengt
                and (m.dicht or self._grenze(3))
            ):
                return self._zeit_fertig(h, int(m.roh), explizit, 3)  # „18 Uhr 30“
            return self._zeit_fertig(h, 0, explizit, 2)
        if h > 24:
            return None
        self.i += 1
        return _Zeit(h, 0, explizit, lose=True)

    def _grenze(self, k: int) -> bool:
        t = self._tok(k)
        return t is None or t.art == "zeichen" or (t.art == "wort" and t.norm in _GRENZWOERTER)

    def _zeit_fertig(self, h: int, m: int, explizit: bool, laenge: int) -> _Zeit:
        text = self._text(self.i, self.i + laenge)
        if h > 24 or m > 59 or (h == 24 and m != 0):
            raise DatumFehler(f"Die Uhrzeit „{text}“ gibt es nicht.", "um 14:30 Uhr")
        self.i += laenge
        return _Zeit(h, m, explizit, lose=False)

    # -- recurring events -----------------------------------------------------

    def _serie_k(self, g: _Gruppe) -> bool:
        if g.ist_ende:
            return False
        merke = self.i
        s = self._serie()
        if s is None:
            self.i = merke
            return False
        s.text = self._text(merke, self.i)
        g.setze_serie(s)
        return True

    def _serie(self) -> _SerieK | None:
        w = self._wort()
        if w in ("jeden", "jede", "jedes", "jeder"):
            self.i += 1
            return self._nach_jeden()
        if w == "alle":
            self.i += 1
            return self._nach_alle()
        if w in ("woechentlich", "vierzehntaegig", "zweiwoechentlich"):
            self.i += 1
            tage = self._wochentag_liste(mit_am=True)
            if not tage:
                raise DatumFehler(f"„{w}“ – an welchem Wochentag?", "wöchentlich am Dienstag")
            return _SerieK("woechentlich", tage, intervall=1 if w == "woechentlich" else 2)
        if w == "monatlich":
            self.i += 1
            return self._monatlich(1)
        if w == "taeglich":
            self.i += 1
            return _SerieK("taeglich")
        if w == "werktags":
            self.i += 1
            return _SerieK("woechentlich", (0, 1, 2, 3, 4))
        if w == "immer":
            self.i += 1
            tage = self._wochentag_liste(mit_am=True)
            return _SerieK("woechentlich", tage) if tage else None
        if w in _WOCHENTAG_ADVERBIEN:
            return _SerieK("woechentlich", self._wochentag_liste(mit_am=False))
        return None

    def _wochentag_liste(self, mit_am: bool) -> tuple[int, ...]:
        """„Dienstag und Donnerstag“, „am Dienstag“, „dienstags“; () if none."""
        merke = self.i
        if mit_am:
            if self._wort() in ("jeweils", "immer"):
                self.i += 1
            if self._wort() == "am":
                self.i += 1
        tage: list[int] = []
        while True:
            w = self._wort() or ""
            tag = _WOCHENTAGE.get(w, _WOCHENTAG_ADVERBIEN.get(w))
            if tag is None:
                break
            if tag not in tage:
                tage.append(tag)
            self.i += 1
            if self._wort() != "und" or (
                (self._wort(1) or "") not in _WOCHENTAGE
                and (self._wort(1) or "") not in _WOCHENTAG_ADVERBIEN
            ):
                break
            self.i += 1
        if not tage:
            self.i = merke
        return tuple(sorted(tage))

    def _ordinal(self, k: int) -> tuple[int, int] | None:
        """An ordinal („zweiten“, „2.“, „letzten“) → (value, token count)."""
        w = self._wort(k)
        if w in _ORDNUNGSZAHLEN:
            return _ORDNUNGSZAHLEN[w or ""], 1
        z = self._zahl(k)
        if z is not None and len(z.roh) <= 2 and self._zeichen(k + 1, ".", dicht=True):
            return int(z.roh), 2
        return None

    def _monatsbezug(self) -> bool:
        """Consume „im Monat“, „des Monats“, „jedes Monats“, „eines Monats“."""
        if self._wort() in ("im", "des", "jedes", "eines") and self._wort(1) in (
            "monat",
            "monats",
            "kalendermonat",
        ):
            self.i += 2
            return True
        return False

    def _nach_jeden(self) -> _SerieK | None:
        w = self._wort()
        if w == "tag":
            self.i += 1
            return _SerieK("taeglich")
        if w == "werktag":
            self.i += 1
            return _SerieK("woechentlich", (0, 1, 2, 3, 4))
        if w == "woche":
            self.i += 1
            tage = self._wochentag_liste(mit_am=True)
            if not tage:
                raise DatumFehler("„jede Woche“ – an welchem Wochentag?", "jede Woche am Dienstag")
            return _SerieK("woechentlich", tage)
        if w == "monat":
            self.i += 1
            return self._monatlich(1)
        ordinal = self._ordinal(0)
        if ordinal is not None:
            n, laenge = ordinal
            tag = _WOCHENTAGE.get(self._wort(laenge) or "")
            if tag is None:
                return None
            text = self._text(self.i - 1, self.i + laenge + 1)
            self.i += laenge + 1
            return self._nter_wochentag_serie(n, tag, text, monatlich=False)
        tage = self._wochentag_liste(mit_am=False)
        if not tage:
            return None
        self._monatsbezug()  # „jeden Dienstag im Monat“ is simply every Tuesday
        return _SerieK("woechentlich", tage)

    def _nter_wochentag_serie(self, n: int, tag: int, text: str, monatlich: bool) -> _SerieK:
        """„jeden 2. Dienstag [im Monat]“; ``monatlich``: the month is already said."""
        if n not in (1, 2, 3, 4, 5, -1, -2):
            raise DatumFehler(f"„{text}“ gibt es nicht.", "jeden zweiten Dienstag im Monat")
        if not self._monatsbezug() and not monatlich and n not in (1, -1):
            # „jeden zweiten Dienstag“ is commonly "every other Tuesday", but
            # just as often the 2nd Tuesday of the month.
            raise DatumFehler(
                f"„{text}“ ist mehrdeutig: Meinen Sie den {n}. {_NAMEN[tag]} im Monat oder "
                f"alle {n} Wochen am {_NAMEN[tag]}?",
                f"{text} im Monat",
            )
        return _SerieK("monatlich_nter", (tag,), n=n)

    def _monatlich(self, intervall: int) -> _SerieK:
        """After „monatlich“ / „jeden Monat“ / „alle 2 Monate“: „am 15.“ or „am 2. Dienstag“."""
        merke = self.i
        if self._wort() == "am":
            self.i += 1
        ordinal = self._ordinal(0)
        if ordinal is not None:
            n, laenge = ordinal
            tag = _WOCHENTAGE.get(self._wort(laenge) or "")
            if tag is not None:
                text = self._text(merke, self.i + laenge + 1)
                self.i += laenge + 1
                s = self._nter_wochentag_serie(n, tag, text, monatlich=True)
                s.intervall = intervall
                return s
            if laenge == 2 and 1 <= n <= 31:
                if n > 28:
                    raise DatumFehler(
                        f"Einen {n}. gibt es nicht in jedem Monat. Bitte wählen Sie einen Tag "
                        "bis zum 28. oder „jeden letzten …“.",
                        "jeden letzten Freitag im Monat",
                    )
                self.i += 2
                self._monatsbezug()
                return _SerieK("monatlich_tag", monatstag=n, intervall=intervall)
        raise DatumFehler("Monatlich – an welchem Tag?", "monatlich am 15.")

    def _nach_alle(self) -> _SerieK | None:
        n = self._anzahl(0)
        einheit = self._wort(1)
        if n is None or einheit is None:
            return None
        if not 1 <= n <= 52:
            raise DatumFehler(f"„alle {n}“ kann ich nicht sinnvoll lesen.", "alle zwei Wochen")
        self.i += 2
        if einheit in ("woche", "wochen"):
            tage = self._wochentag_liste(mit_am=True)
            if not tage:
                raise DatumFehler(
                    f"„alle {n} Wochen“ – an welchem Wochentag?", "alle zwei Wochen am Donnerstag"
                )
            return _SerieK("woechentlich", tage, intervall=n)
        if einheit in ("tag", "tage", "tagen"):
            tage = self._wochentag_liste(mit_am=True)
            if not tage:
                return _SerieK("taeglich", intervall=n)
            if n % 7:
                raise DatumFehler(
                    f"„alle {n} Tage“ passt nicht zu einem festen Wochentag.",
                    "alle 14 Tage am Montag",
                )
            return _SerieK("woechentlich", tage, intervall=n // 7)
        if einheit in ("monat", "monate", "monaten"):
            return self._monatlich(n)
        self.i -= 2
        return None

    # -- resolution -----------------------------------------------------------

    def aufloesen(self, ph: _Phrase) -> Zeitraum:
        start, ende = ph.start, ph.ende
        if start.serie is not None:
            return self._serie_aufloesen(ph)
        if start.ab_datum is not None:
            raise DatumFehler(
                f"„{start.ab_datum.text}“ verstehe ich nur bei wiederkehrenden Terminen. "
                "An welchem Tag findet der Termin statt?",
                "am 12.03.2027 um 14 Uhr",
            )
        start_tag, end_tag = self._daten(start, ende)
        return self._bauen(start_tag, end_tag, start, ende, None)

    def _daten(self, start: _Gruppe, ende: _Gruppe | None) -> tuple[date, date | None]:
        if not start.hat_datum():
            if ende is not None and ende.hat_datum() and ende.datum_nach_zeit:
                # „von 14 bis 16 Uhr am Freitag“: a trailing day covers the whole
                # range.  („14 Uhr bis Freitag 16 Uhr“ names only the end day.)
                return self._gruppen_datum(ende, None), None
            raise DatumFehler("Bitte geben Sie auch an, an welchem Tag der Termin beginnt.")
        if ende is None or not ende.hat_datum():
            return self._gruppen_datum(start, None), None
        k1, k2 = start.datum, ende.datum
        ende_hat_jahr = k2 is not None and k2.fest is not None
        if k1 is not None and k1.fest is None and (k1.monat is None or ende_hat_jahr):
            # „vom 12. bis 14. März 2027“: the start borrows month/year from the end.
            end_tag = self._gruppen_datum(ende, None)
            start_tag = self._erben(k1, end_tag)
            self._wochentag_pruefen(start, start_tag)
        else:
            start_tag = self._gruppen_datum(start, None)
            end_tag = self._gruppen_datum(ende, start_tag)
        if end_tag < start_tag:
            raise DatumFehler(
                f"Das Ende ({datum_text(end_tag)}) liegt vor dem Beginn ({datum_text(start_tag)}).",
                "vom 12. bis 14. März 2027",
            )
        return start_tag, end_tag

    def _erben(self, k: _DatumK, bezug: date) -> date:
        if k.monat is None:
            return _datum_oder_fehler(bezug.year, bezug.month, k.tag, k.text)
        for jahr in (bezug.year, bezug.year - 1):
            try:
                tag = date(jahr, k.monat, k.tag)
            except ValueError:
                continue
            if tag <= bezug:
                return tag
        raise DatumFehler(f"„{k.text}“ passt nicht vor das Ende ({datum_text(bezug)}).")

    def _gruppen_datum(self, g: _Gruppe, bezug: date | None) -> date:
        """The day named by a group; ``bezug`` is the start day when g is the end."""
        k = g.datum
        if k is not None:
            if g.woche is not None:
                raise DatumFehler(f"„{g.woche.text}“ und „{k.text}“ zugleich – welches Datum gilt?")
            if k.fest is not None:
                tag = k.fest
            elif k.monat is None:
                if bezug is None:
                    raise DatumFehler(f"Bei „{k.text}“ fehlt der Monat.", "am 12.03.2027")
                tag = _datum_oder_fehler(bezug.year, bezug.month, k.tag, k.text)
            elif bezug is None:
                tag = self._ohne_jahr(k)
            else:
                tag = self._ab_bezug(k, bezug)
            self._wochentag_pruefen(g, tag)
            return tag
        wt = g.wochentag
        if wt is not None and not wt.pruefung:
            if bezug is not None and wt.modifikator is None and g.woche is None:
                # „Freitag bis Sonntag“: the end weekday counts from the start.
                return bezug + timedelta(days=(wt.tag - bezug.weekday()) % 7)
            return self._wochentag_datum(wt, g.woche)
        if g.woche is not None:
            raise DatumFehler(
                f"„{g.woche.text}“ – an welchem Tag genau?", f"{g.woche.text} am Dienstag"
            )
        raise DatumFehler("Bitte geben Sie ein Datum an.")

    def _ohne_jahr(self, k: _DatumK) -> date:
        assert k.monat is not None
        for jahr in (self.heute.year, self.heute.year + 1):
            try:
                tag = date(jahr, k.monat, k.tag)
            except ValueError:
                continue
            if tag >= self.heute:
                return tag
            if (self.heute - tag).days <= _NACHFRIST_TAGE:
                naechstes = f"{k.tag:02d}.{k.monat:02d}.{jahr + 1}"
                raise DatumFehler(
                    f"Der {k.tag:02d}.{k.monat:02d}. ist gerade vorbei ({datum_text(tag)}). "
                    f"Meinen Sie den {naechstes}? Dann schreiben Sie bitte das Jahr dazu.",
                    f"am {naechstes}",
                )
        raise DatumFehler(
            f"Den {k.tag:02d}.{k.monat:02d}. gibt es in den nächsten zwölf Monaten nicht. "
            "Bitte geben Sie das Jahr an.",
            "am 29.02.2028",
        )

    def _ab_bezug(self, k: _DatumK, bezug: date) -> date:
        """A yearless end date: the first occurrence on or after the start day."""
        assert k.monat is not None
        for jahr in (bezug.year, bezug.year + 1):
            try:
                tag = date(jahr, k.monat, k.tag)
            except ValueError:
                continue
            if tag >= bezug:
                return tag
        raise DatumFehler(f"Bei „{k.text}“ fehlt das Jahr.", "bis 14.03.2027")

    def _wochentag_pruefen(self, g: _Gruppe, tag: date) -> None:
        wt = g.wochentag
        if wt is not None and wt.tag != tag.weekday():
            raise DatumFehler(
                f"Der {datum_text(tag)} ist ein {_NAMEN[tag.weekday()]}, kein {_NAMEN[wt.tag]}. "
                "Welcher Tag ist gemeint?",
                f"am {_tag_mit_name(tag)}",
            )

    def _wochentag_datum(self, wt: _WochentagK, woche: _WocheK | None) -> date:
        heute = self.heute
        montag = heute - timedelta(days=heute.weekday())
        name = _NAMEN[wt.tag]
        if woche is not None or wt.modifikator == "dies":
            if woche is not None and wt.modifikator is not None:
                raise DatumFehler(f"„{wt.text}“ und „{woche.text}“ zugleich – was gilt?")
            versatz = woche.versatz if woche is not None else 0
            tag = montag + timedelta(days=7 * versatz + wt.tag)
            if tag < heute:
                raise DatumFehler(
                    f"{name} dieser Woche ({datum_text(tag)}) ist schon vorbei. Meinen Sie "
                    f"{name} nächste Woche ({datum_text(tag + timedelta(days=7))})?",
                    f"{name} nächste Woche",
                )
            return tag
        if wt.modifikator is None:
            if wt.tag == heute.weekday():
                raise DatumFehler(
                    f"Heute ist {name}. Meinen Sie heute ({datum_text(heute)}) oder {name} "
                    f"nächste Woche ({datum_text(heute + timedelta(days=7))})?",
                    f"{name} nächste Woche",
                )
            return heute + timedelta(days=(wt.tag - heute.weekday()) % 7)
        # „nächsten Freitag“: the next Friday strictly after today.
        tage = (wt.tag - heute.weekday() - 1) % 7 + 1
        if wt.modifikator == "uebernaechst":
            tage += 7
        return heute + timedelta(days=tage)

    # -- times and the final span -----------------------------------------------

    def _zeit_der_gruppe(self, g: _Gruppe) -> tuple[_Zeit | None, _TageszeitK | None]:
        z, q = g.zeit, g.tageszeit
        if z is None and q is not None:
            if q.art == "mittags":
                return _Zeit(12, 0, explizit=True, lose=False, text=q.text), None
            raise DatumFehler(
                f"„{q.text}“ ist mir zu ungenau. Um wie viel Uhr?", "morgen um 19 Uhr"
            )
        return z, q

    def _start_uhrzeit(
        self, start: _Gruppe, ende: _Gruppe | None, tag: date | None
    ) -> tuple[int, int] | None:
        z, q = self._zeit_der_gruppe(start)
        if z is None:
            return None
        if start.ganztaegig:
            raise DatumFehler(f"„ganztägig“ und „{z.text}“ widersprechen sich.")
        gleicher_tag = ende is not None and (
            not ende.hat_datum() or (ende.datum_nach_zeit and not start.hat_datum())
        )
        if q is None and ende is not None and gleicher_tag:
            # „von 8 bis 11 Uhr abends“: the time of day after the end covers both.
            q2 = ende.tageszeit
            if q2 is not None and _tageszeit_stunde(z.stunde, z.explizit, q2.art) is not None:
                q = q2
        if z.stunde == 24:
            raise DatumFehler(f"„{z.text}“ als Beginn ist unklar. Meinen Sie 0:00 Uhr am Folgetag?")
        if q is not None:
            h = _tageszeit_stunde(z.stunde, z.explizit, q.art)
            if h is None:
                raise DatumFehler(f"„{z.text}“ und „{q.text}“ passen nicht zusammen.")
            return h, z.minute
        if z.mehrdeutig:
            tag_text = f"am {datum_text(tag)}" if tag is not None else "am 12.03.2027"
            raise DatumFehler(
                f"„{z.text}“ ist mehrdeutig – meinen Sie {z.stunde:02d}:{z.minute:02d} oder "
                f"{z.stunde + 12}:{z.minute:02d} Uhr?",
                f"{tag_text} um {z.stunde + 12}:{z.minute:02d}",
            )
        return z.stunde, z.minute

    def _end_wand(
        self, z: _Zeit, q: _TageszeitK | None, start: datetime, end_tag: date | None
    ) -> datetime:
        """The wall-clock end for an end time, following the rules in the module doc."""
        basis = end_tag or start.date()
        if z.stunde == 24:
            if q is not None:
                raise DatumFehler(f"„{z.text}“ und „{q.text}“ passen nicht zusammen.")
            return datetime.combine(basis + timedelta(days=1), time())
        if q is not None:
            h = _tageszeit_stunde(z.stunde, z.explizit, q.art)
            if h is None:
                raise DatumFehler(f"„{z.text}“ und „{q.text}“ passen nicht zusammen.")
            stunden = [h]
        elif z.mehrdeutig:
            stunden = [z.stunde, z.stunde + 12]
        else:
            stunden = [z.stunde]
        if end_tag is None or end_tag == start.date():
            kandidaten = [datetime.combine(start.date(), time(h, z.minute)) for h in stunden]
            danach = [k for k in kandidaten if k > start]
            if danach:
                return min(danach)
            if end_tag is None and start.hour >= 18 and stunden[0] * 60 + z.minute <= 360:
                morgen = start.date() + timedelta(days=1)
                return datetime.combine(morgen, time(stunden[0], z.minute))
            raise DatumFehler(
                f"Das Ende ({z.text.removeprefix('bis ')}) liegt vor dem Beginn "
                f"({start:%H:%M} Uhr). Geht der Termin über Mitternacht, nennen Sie bitte "
                "auch das Enddatum.",
                "am 12.03.2027 22:00 bis 13.03.2027 01:00",
            )
        if len(stunden) == 1 or (end_tag == start.date() + timedelta(days=1) and start.hour >= 18):
            return datetime.combine(end_tag, time(stunden[0], z.minute))
        raise DatumFehler(
            f"„{z.text}“ ist mehrdeutig – meinen Sie {stunden[0]:02d}:{z.minute:02d} oder "
            f"{stunden[1]}:{z.minute:02d} Uhr?",
            f"bis {datum_text(end_tag)} {stunden[1]}:{z.minute:02d}",
        )

    def _lokal(self, wand: datetime) -> datetime:
        """Attach the zone to a wall-clock time, refusing gaps and repeated times."""
        dt = wand.replace(tzinfo=self.tz)
        rund = dt.astimezone(UTC).astimezone(self.tz)
        zeitpunkt = f"{wand:%H:%M} Uhr am {datum_text(wand.date())}"
        if rund.replace(tzinfo=None) != wand:
            raise DatumFehler(
                f"{zeitpunkt} gibt es wegen der Zeitumstellung nicht "
                "(die Uhr wird vorgestellt). Bitte wählen Sie eine andere Uhrzeit.",
                f"am {datum_text(wand.date())} um 10:00",
            )
        if dt.utcoffset() != dt.replace(fold=1).utcoffset():
            raise DatumFehler(
                f"{zeitpunkt} gibt es wegen der Zeitumstellung zweimal "
                "(die Uhr wird zurückgestellt). Bitte wählen Sie eine andere Uhrzeit.",
                f"am {datum_text(wand.date())} um 10:00",
            )
        return dt

    def _bauen(
        self,
        start_tag: date,
        end_tag: date | None,
        start: _Gruppe,
        ende: _Gruppe | None,
        rrule: str | None,
    ) -> Zeitraum:
        hm = self._start_uhrzeit(start, ende, start_tag)
        z2, q2 = self._zeit_der_gruppe(ende) if ende is not None else (None, None)
        if hm is None:
            if z2 is not None:
                raise DatumFehler(
                    "Für das Ende ist eine Uhrzeit angegeben, für den Beginn nicht.",
                    "am 12.03.2027 von 14 bis 16 Uhr",
                )
            letzter = end_tag or start_tag
            return Zeitraum(
                self._lokal(datetime.combine(start_tag, time())),
                self._lokal(datetime.combine(letzter + timedelta(days=1), time())),
                ganztaegig=True,
                rrule=rrule,
            )
        start_wand = datetime.combine(start_tag, time(*hm))
        beginn = self._lokal(start_wand)
        if z2 is None:
            if end_tag is not None:
                raise DatumFehler(
                    "Bitte geben Sie für das Ende auch eine Uhrzeit an.",
                    "am 12.03.2027 22:00 bis 13.03.2027 01:00",
                )
            # Default duration = real elapsed time, computed in UTC so that a
            # DST switch inside the span does not stretch or shrink it.
            schluss = (beginn.astimezone(UTC) + self.dauer).astimezone(self.tz)
            return Zeitraum(beginn, schluss, ganztaegig=False, rrule=rrule, ohne_ende=True)
        schluss = self._lokal(self._end_wand(z2, q2, start_wand, end_tag))
        if schluss.astimezone(UTC) <= beginn.astimezone(UTC):
            raise DatumFehler(
                f"Das Ende ({schluss:%H:%M} Uhr) liegt nicht nach dem Beginn ({beginn:%H:%M} Uhr)."
            )
        return Zeitraum(beginn, schluss, ganztaegig=False, rrule=rrule)

    def _serie_aufloesen(self, ph: _Phrase) -> Zeitraum:
        start, ende = ph.start, ph.ende
        s = start.serie
        assert s is not None
        if start.hat_datum():
            raise DatumFehler(
                f"„{s.text}“ und ein einzelnes Datum zugleich – was gilt?",
                "jeden Dienstag ab dem 12.01.2027 um 10 Uhr",
            )
        if ende is not None and ende.hat_datum():
            raise DatumFehler(
                "Ein Enddatum für wiederkehrende Termine kann ich noch nicht verarbeiten.",
                "jeden Dienstag um 10 Uhr",
            )
        ab = self.heute
        if start.ab_datum is not None:
            k = start.ab_datum
            if k.monat is None:
                raise DatumFehler(f"Bei „{k.text}“ fehlt der Monat.", "ab dem 12.01.2027")
            ab = k.fest if k.fest is not None else self._ohne_jahr(k)
        hm = self._start_uhrzeit(start, ende, None)
        erster = self._erstes_vorkommen(s, ab, hm)
        return self._bauen(erster, None, start, ende, s.rrule())

    def _erstes_vorkommen(self, s: _SerieK, ab: date, hm: tuple[int, int] | None) -> date:
        def zulaessig(tag: date) -> bool:
            if tag < ab or tag < self.heute:
                return False
            return tag > self.heute or hm is None or time(*hm) >= self.jetzt.time()

        if s.art in ("woechentlich", "taeglich"):
            for k in range(15):
                tag = ab + timedelta(days=k)
                if (s.art == "taeglich" or tag.weekday() in s.tage) and zulaessig(tag):
                    return tag
        else:
            for k in range(25):  # a 5th weekday occurs at least every few months
                jahr, monat = divmod(ab.year * 12 + ab.month - 1 + k, 12)
                if s.art == "monatlich_tag":
                    kandidat: date | None = date(jahr, monat + 1, s.monatstag)
                else:
                    kandidat = _nter_wochentag(jahr, monat + 1, s.n, s.tage[0])
                if kandidat is not None and zulaessig(kandidat):
                    return kandidat
        raise DatumFehler(f"Für „{s.text}“ finde ich keinen Termin.", "jeden Dienstag um 10 Uhr")


# --------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------


def _vorbereiten(
    text: str, now: datetime, tz: ZoneInfo, default_duration: timedelta, hoechstens: int
) -> tuple[str, _Parser]:
    if now.tzinfo is None:
        raise TypeError("now muss zeitzonenbehaftet sein")
    if default_duration <= timedelta(0):
        raise ValueError("default_duration muss positiv sein")
    text = unicodedata.normalize("NFC", text)  # „a“ + combining diaeresis → „ä“
    if len(text) > hoechstens:
        raise DatumFehler(
            f"Der Text ist zu lang ({len(text)} Zeichen, höchstens {hoechstens}). "
            "Bitte nennen Sie den Termin kürzer."
        )
    return text, _Parser(text, _tokenisieren(text), now.astimezone(tz), tz, default_duration)


def parse_when(
    text: str, now: datetime, tz: ZoneInfo, default_duration: timedelta = timedelta(hours=2)
) -> Zeitraum:
    """Parse a complete date/time phrase such as „am 12.03.2027 um 14:00 bis 16:00“.

    The whole text must be understood (trailing „.“ or „!“ aside); otherwise
    DatumFehler names the part that was read and the part that was not.
    """
    try:
        return _parse_when(text, now, tz, default_duration)
    except _KeinDatum:
        umgeschrieben = _fremde_daten(unicodedata.normalize("NFC", text))
        if umgeschrieben is None:
            raise
        return _parse_when(umgeschrieben, now, tz, default_duration)


def _parse_when(text: str, now: datetime, tz: ZoneInfo, default_duration: timedelta) -> Zeitraum:
    text, p = _vorbereiten(text, now, tz, default_duration, MAX_PHRASE)
    if not p.t:
        raise DatumFehler("Bitte geben Sie ein Datum an.")
    ph = p.phrase()
    if ph is None:
        raise _KeinDatum(f"„{_zitat(text)}“ kann ich nicht als Datum lesen.")
    rest = [t for t in p.t[ph.bis :] if not (t.art == "zeichen" and t.norm in ".!")]
    if rest:
        raise DatumFehler(
            f"„{_zitat(p._text(ph.von, ph.bis))}“ habe ich verstanden, "
            f"„{_zitat(text[rest[0].start :])}“ aber nicht."
        )
    if not ph.hat_anker():
        if ph.ende is not None and ph.ende.hat_datum():
            raise DatumFehler(
                f"„{p._text(ph.von, ph.bis)}“ nennt nur den Tag des Endes. "
                "An welchem Tag beginnt der Termin?",
                "Freitag 14 Uhr bis Samstag 16 Uhr",
            )
        raise DatumFehler(
            f"„{p._text(ph.von, ph.bis)}“ nennt keinen Tag. An welchem Tag ist der Termin?",
            f"morgen {p._text(ph.von, ph.bis)}",
        )
    return p.aufloesen(ph)


def find_when(
    text: str, now: datetime, tz: ZoneInfo, default_duration: timedelta = timedelta(hours=2)
) -> tuple[str, Zeitraum, str]:
    """Locate the date phrase in a command text: ``(before, zeitraum, after)``.

    ``"Sommerfest nächsten Freitag um 18 Uhr in Bremen"`` →
    ``("Sommerfest", Zeitraum(...), "in Bremen")``.  See the module docstring for
    the safety rules (second date phrases, blocking words).
    """
    try:
        return _find_when(text, now, tz, default_duration)
    except _KeinDatum:
        umgeschrieben = _fremde_daten(unicodedata.normalize("NFC", text))
        if umgeschrieben is None:
            raise
        return _find_when(umgeschrieben, now, tz, default_duration)


def _find_when(
    text: str, now: datetime, tz: ZoneInfo, default_duration: timedelta
) -> tuple[str, Zeitraum, str]:
    text, p = _vorbereiten(text, now, tz, default_duration, MAX_LAENGE)
    gefunden: _Phrase | None = None
    nur_zeit: _Phrase | None = None
    p.i = 0
    while p.i < len(p.t):
        merke = p.i
        ph = p.phrase()
        if ph is None:
            p.i = merke + 1
        elif ph.hat_anker():
            gefunden = ph
            break
        else:
            nur_zeit = nur_zeit or ph
            p.i = ph.bis
    if gefunden is None:
        if nur_zeit is not None:
            zeit = p._text(nur_zeit.von, nur_zeit.bis)
            raise _KeinDatum(
                f"„{zeit}“ habe ich als Uhrzeit erkannt, aber es fehlt der Tag.",
                f"morgen {zeit}",
            )
        am = next((j for j, t in enumerate(p.t[:-1]) if t.norm in ("am", "vom", "ab", "den")), None)
        if am is not None:
            raise _KeinDatum(f"„{_zitat(p._text(am, am + 2))}“ kann ich nicht als Datum lesen.")
        raise _KeinDatum("Ich konnte im Text kein Datum erkennen.", _FIND_BEISPIEL)
    phrase_text = p._text(gefunden.von, gefunden.bis)
    if nur_zeit is not None:
        raise _mehrere(p._text(nur_zeit.von, nur_zeit.bis), phrase_text)
    _blocker_pruefen(p, gefunden)
    _weitere_pruefen(p, gefunden, phrase_text)
    zeitraum = p.aufloesen(gefunden)
    vorher = _rand_weg(text[: p.t[gefunden.von].start], links=False)
    nachher = _rand_weg(text[p.t[gefunden.bis - 1].ende :], links=True)
    return vorher, zeitraum, nachher


def _rand_weg(text: str, *, links: bool) -> str:
    """Strip whitespace and separators („, – ;“) between title, phrase and rest."""
    trenner = ",;:.-–—" if links else ",;:-–—"  # a title may end with „Nr.“
    while True:
        neu = text.lstrip().lstrip(trenner) if links else text.rstrip().rstrip(trenner)
        if neu == text:
            return text.strip()
        text = neu


_FIND_BEISPIEL = "Netzwerktreffen am 12.03.2027 um 14:00 bis 16:00 in Hamburg"


def _mehrere(a: str, b: str) -> DatumFehler:
    return DatumFehler(
        f"Ich habe mehr als eine Zeitangabe gefunden („{a}“ und „{b}“). "
        "Bitte schreiben Sie Datum und Uhrzeit direkt hintereinander.",
        _FIND_BEISPIEL,
    )


def _blocker_pruefen(p: _Parser, ph: _Phrase) -> None:
    """Refuse „vor Freitag“, „letzten Freitag“, „2. Dienstag im Monat“ and the like."""
    j = ph.von - 1
    if j >= 0 and p.t[j].norm == ",":
        j -= 1
    if j < 0:
        return
    t = p.t[j]
    ordinalzahl = t.norm == "." and t.dicht and j > 0 and p.t[j - 1].art == "zahl"
    if (t.art == "wort" and t.norm in _BLOCKER) or ordinalzahl:
        davor = p._text(j - 1 if ordinalzahl else j, ph.bis)
        raise DatumFehler(f"„{davor}“ kann ich nicht sicher als Termin lesen.", _FIND_BEISPIEL)


def _weitere_pruefen(p: _Parser, ph: _Phrase, phrase_text: str) -> None:
    """A second date/time before the first option key („art:“) would be lost silently."""
    j = ph.bis
    # „14:00 - 1600“: a dash right after the phrase that leads to a number is an
    # end we could not read, not a separator before the rest.
    if j + 1 < len(p.t) and p.t[j].norm == "-" and p.t[j + 1].art == "zahl":
        raise _unlesbar(p, j)
    while j < len(p.t):
        t = p.t[j]
        if t.art == "wort" and j + 1 < len(p.t) and p.t[j + 1].norm == ":" and p.t[j + 1].dicht:
            return
        p.i = j
        try:
            weitere = p.phrase()
        except DatumFehler:
            weitere = _Phrase(_Gruppe(ist_ende=False), None, j, j + 1)
        if weitere is not None:
            raise _mehrere(phrase_text, p._text(weitere.von, max(weitere.bis, j + 1)))
        # „um 1400“, „bis 1600“: clearly meant as a time, but unreadable.
        if t.norm in ("um", "bis", "gegen") and j + 1 < len(p.t) and p.t[j + 1].art == "zahl":
            raise _unlesbar(p, j)
        j += 1


def _unlesbar(p: _Parser, j: int) -> DatumFehler:
    return DatumFehler(
        f"„{_zitat(p._text(j, min(j + 2, len(p.t))))}“ kann ich nicht als Uhrzeit lesen.",
        _FIND_BEISPIEL,
    )


# --------------------------------------------------------------------------
# dateparser fallback: complete absolute dates in other spellings
# --------------------------------------------------------------------------

_ENGLISCHE_MONATE = {
    name: n
    for n, namen in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in namen
}  # fmt: skip
# Only what can be a whole date: a year of four digits, and a day and month that are
# either numbers around slashes or a number next to a month word.  Nothing relative.
_FREMD_RE = re.compile(
    r"(?<![\w./:\-])(?:"
    r"(?P<y1>\d{4})/(?P<m1>\d{1,2})/(?P<d1>\d{1,2})"
    r"|(?P<d2>\d{1,2})/(?P<m2>\d{1,2})/(?P<y2>\d{4})"
    r"|(?P<d3>\d{1,2})(?:\.|st|nd|rd|th)?[ \t]+(?:of[ \t]+)?"
    r"(?P<n3>[^\W\d_]{3,})\.?,?[ \t]+(?P<y3>\d{4})"
    r"|(?P<n4>[^\W\d_]{3,})\.?[ \t]+(?P<d4>\d{1,2})(?:st|nd|rd|th)?,?[ \t]+(?P<y4>\d{4})"
    r")(?![\w/]|[.:]\d)"
)
# Option values („ort: Halle 3 May 2027“) are not date phrases; stop before the first key.
_OPTION_RE = re.compile(r"(?<!\S)[^\W\d_]+:(?!\d)")
_DATEPARSER_SETTINGS = {
    "STRICT_PARSING": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PREFER_DATES_FROM": "future",
}


# A text names a start and at most an end, so a third date in another spelling would only be
# refused later; as dateparser takes milliseconds per date, it is refused before asking it.
_MAX_FREMDE_DATEN = 2


@functools.lru_cache(maxsize=256)
def _dateparser(kandidat: str) -> datetime | None:
    """dateparser's reading of a complete date; cached, as a command may try a text's tails."""
    return dateparser.parse(kandidat, languages=["de", "en"], settings=_DATEPARSER_SETTINGS)


def _monat_aus_wort(wort: str) -> int | None:
    w = _falten(wort)
    return _MONATE.get(w, _ENGLISCHE_MONATE.get(w))


def _fremdes_datum(m: re.Match[str], vorher: list[str]) -> date | None:
    """The date a candidate names, checked against dateparser; None: not a date at all.

    `vorher`: the candidates of the text read so far.
    """
    kandidat = m.group()
    if m.group("y1"):
        jahr, monat, tag = int(m["y1"]), int(m["m1"]), int(m["d1"])
    elif m.group("y2"):
        jahr, tag, monat = int(m["y2"]), int(m["d2"]), int(m["m2"])
        if tag <= 12 and monat <= 12 and tag != monat:
            raise DatumFehler(
                f"„{kandidat}“ ist mehrdeutig: der {tag:02d}.{monat:02d}.{jahr} oder der "
                f"{monat:02d}.{tag:02d}.{jahr}? Bitte schreiben Sie das Datum als TT.MM.JJJJ.",
                f"am {tag:02d}.{monat:02d}.{jahr}",
            )
        if monat > 12:
            # Only the US order (month/day/year) would make sense – not in a German chat.
            raise DatumFehler(
                f"„{kandidat}“ kann ich nicht sicher lesen. Bitte schreiben Sie das Datum als "
                "TT.MM.JJJJ.",
                f"am {monat:02d}.{tag:02d}.{jahr}",
            )
    else:
        wort = m["n3"] or m["n4"]
        gefunden = _monat_aus_wort(wort)
        if gefunden is None:
            return None  # „12 Teilnehmer 2027“
        monat = gefunden
        jahr, tag = int(m["y3"] or m["y4"]), int(m["d3"] or m["d4"])
    erwartet = _datum_oder_fehler(jahr, monat, tag, kandidat)
    if len(vorher) >= _MAX_FREMDE_DATEN:
        genannt = "“, „".join(vorher)
        raise DatumFehler(
            f"Ich habe mehr als zwei Datumsangaben gefunden („{genannt}“ und „{kandidat}“). "
            "Ein Termin hat einen Beginn und höchstens ein Ende.",
            _FIND_BEISPIEL,
        )
    gelesen = _dateparser(kandidat)
    if gelesen is None or gelesen.date() != erwartet or gelesen.time() != time():
        raise DatumFehler(
            f"„{kandidat}“ kann ich nicht sicher lesen. Bitte schreiben Sie das Datum als "
            "TT.MM.JJJJ.",
            f"am {datum_text(erwartet)}",
        )
    return erwartet


def _fremde_daten(text: str) -> str | None:
    """Rewrite complete absolute dates in other spellings as „TT.MM.JJJJ“; None: none found.

    Only called when the own grammar found no date phrase at all; the rewritten text
    goes through the own grammar again.
    """
    if len(text) > MAX_LAENGE:
        return None
    option = _OPTION_RE.search(text)
    bereich = text[: option.start()] if option else text
    teile: list[str] = []
    kandidaten: list[str] = []
    gelesen = 0
    for m in _FREMD_RE.finditer(bereich):
        tag = _fremdes_datum(m, kandidaten)
        if tag is None:
            continue
        kandidaten.append(m.group())
        teile += [text[gelesen : m.start()], datum_text(tag)]
        gelesen = m.end()
    if not teile:
        return None
    return "".join(teile) + text[gelesen:]


def format_zeitraum(z: Zeitraum) -> str:
    """German one-line form: „Fr, 12.03.2027, 14:00–16:00 Uhr“.

    All-day: „Fr, 12.03.2027 (ganztägig)“; across days: „Fr, 12.03.2027, 22:00 –
    Sa, 13.03.2027, 01:00 Uhr“.  Recurring spans get the rule in parentheses.
    """

    def tag(d: date) -> str:
        return f"{_KURZ[d.weekday()]}, {datum_text(d)}"

    s, e = z.start, z.end
    if z.ganztaegig:
        letzter = e.date() - timedelta(days=1) if e.time() == time() else e.date()
        if letzter <= s.date():
            text = f"{tag(s.date())} (ganztägig)"
        else:
            text = f"{tag(s.date())} – {tag(letzter)} (ganztägig)"
    elif s.date() == e.date():
        text = f"{tag(s.date())}, {s:%H:%M}–{e:%H:%M} Uhr"
    else:
        text = f"{tag(s.date())}, {s:%H:%M} – {tag(e.date())}, {e:%H:%M} Uhr"
    if z.rrule:
        text += f" ({beschreibe_rrule(z.rrule)})"
    return text


_ORDINAL_TEXT = {
    1: "ersten", 2: "zweiten", 3: "dritten", 4: "vierten", 5: "fünften",
    -1: "letzten", -2: "vorletzten",
}  # fmt: skip


def beschreibe_rrule(rrule: str) -> str:
    """German description of the RRULEs this module produces, e.g. „jeden 2. Dienstag im Monat“."""
    teile = dict(teil.partition("=")[::2] for teil in rrule.split(";"))
    intervall = int(teile.get("INTERVAL", "1"))
    freq = teile.get("FREQ")
    byday = teile.get("BYDAY", "")
    if freq == "DAILY":
        return "täglich" if intervall == 1 else f"alle {intervall} Tage"
    if freq == "WEEKLY" and byday:
        if byday == "MO,TU,WE,TH,FR" and intervall == 1:
            return "werktags"
        namen = [_NAMEN[_RRULE_TAGE.index(t)] for t in byday.split(",")]
        liste = " und ".join(namen) if len(namen) <= 2 else ", ".join(namen)
        return f"jeden {liste}" if intervall == 1 else f"alle {intervall} Wochen am {liste}"
    if freq == "MONTHLY":
        wann = ""
        if "BYMONTHDAY" in teile:
            wann = f"am {teile['BYMONTHDAY']}."
        elif byday:
            n = int(byday[:-2])
            name = _NAMEN[_RRULE_TAGE.index(byday[-2:])]
            nummer = _ORDINAL_TEXT.get(n, f"{n}.")
            wann = f"am {nummer} {name}"
            if intervall == 1:
                return f"jeden {nummer} {name} im Monat"
        if wann:
            return f"monatlich {wann}" if intervall == 1 else f"alle {intervall} Monate {wann}"
    return f"Wiederholung: {rrule}"


# --------------------------------------------------------------------------
# Durations
# --------------------------------------------------------------------------

_DAUER_EINHEITEN = {
    **dict.fromkeys(("w", "wo", "woche", "wochen"), 7 * 24 * 60),
    **dict.fromkeys(("d", "t", "tg", "tag", "tage", "tagen"), 24 * 60),
    **dict.fromkeys(("h", "std", "stdn", "stunde", "stunden"), 60),
    **dict.fromkeys(("m", "min", "mins", "minute", "minuten"), 1),
}
_DAUER_RE = re.compile(
    r"(?P<zahl>[0-9]{1,5}(?:[.,][0-9]{1,3})?)|(?P<wort>[^\W\d_]+)|(?P<zeichen>\S)"
)
_DAUER_BEISPIEL = "1h30m"
_MAX_DAUER_MINUTEN = 366 * 24 * 60


def parse_dauer(text: str) -> timedelta:
    """Parse a duration: „1d“, „2h“, „30m“, „1h30m“, „1h30“, „90 min“, „1,5 Stunden“, „2 Tage“."""
    if len(text) > 100:
        raise DatumFehler("Die Dauer ist zu lang geschrieben.", _DAUER_BEISPIEL)
    teile = [(m.lastgroup or "", m.group()) for m in _DAUER_RE.finditer(_falten(text))]
    teile = [(a, w) for a, w in teile if not (a == "zeichen" and w in ",.") and w != "und"]
    if not teile:
        raise DatumFehler("Bitte geben Sie eine Dauer an.", _DAUER_BEISPIEL)
    minuten = Decimal(0)
    gesehen: set[int] = set()
    i = 0
    while i < len(teile):
        art, zahl = teile[i]
        if art != "zahl":
            raise DatumFehler(f"„{text.strip()}“ kann ich nicht als Dauer lesen.", _DAUER_BEISPIEL)
        try:
            wert = Decimal(zahl.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the regex only yields numbers
            raise DatumFehler(f"„{zahl}“ ist keine Zahl.", _DAUER_BEISPIEL) from None
        if i + 1 < len(teile) and teile[i + 1][0] == "wort":
            einheit = _DAUER_EINHEITEN.get(teile[i + 1][1].rstrip("."))
            i += 2
        elif i + 1 == len(teile) and gesehen == {60}:
            einheit = 1  # „1h30“: a trailing number after hours means minutes
            i += 1
        else:
            raise DatumFehler(
                f"Bei „{zahl}“ fehlt die Einheit (Minuten, Stunden oder Tage).", "90 min"
            )
        if einheit is None:
            raise DatumFehler(
                f"„{teile[i - 1][1]}“ kenne ich nicht als Zeiteinheit.", _DAUER_BEISPIEL
            )
        if einheit in gesehen:
            raise DatumFehler(f"In „{text.strip()}“ kommt eine Einheit doppelt vor.", "1h30m")
        gesehen.add(einheit)
        minuten += wert * einheit
    if minuten != minuten.to_integral_value():
        raise DatumFehler(f"„{text.strip()}“ ergibt keine ganzen Minuten.", _DAUER_BEISPIEL)
    if not 0 < minuten <= _MAX_DAUER_MINUTEN:
        raise DatumFehler(f"„{text.strip()}“ ist keine sinnvolle Dauer.", _DAUER_BEISPIEL)
    return timedelta(minutes=int(minuten))
