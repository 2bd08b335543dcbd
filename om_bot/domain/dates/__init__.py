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
* „in KW 14 am Dienstag“, „Kalenderwoche 14, Mittwoch 10 Uhr“, „KW 14/2027 am Montag“:
  the weekday of that ISO 8601 week (without a year: this year's week, or next year's if it
  is over); „KW 53“ in a year with 52 weeks is refused with the reason, „KW 14“ alone asks
  for the day.
* „im Mai am ersten Donnerstag“, „am letzten Freitag im Juni“: the n-th weekday of the next
  such month (``monatstage``); „am Dienstag im April“ without an ordinal lists the Tuesdays.
* „nächste Woche Dienstag“, „Dienstag nächste Woche“, „Dienstag der nächsten
  Woche“: the Tuesday of the following calendar week (24.11.); „übernächste
  Woche“ is two weeks ahead.  „nächste Woche“ without a day → DatumFehler.
* A weekday next to an explicit date („Freitag, 12.03.2027“) only checks the
  date; a mismatch raises DatumFehler.  The explicit date wins over a modifier
  („nächsten Freitag, 27.11.“ is the 27th).
* Abbreviations Mo–Sa count before a date („Fr, 12.03.2027“) or after „am“/„den“
  („am Fr“); „So“ (also a common word: „am so genannten …“, „so gegen 10“) only before a
  date or written „So“ before a clock time („So 10 Uhr“, „So. um 10“, „am So um 18 Uhr“).

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

More spellings: „Mo 10 Uhr“, „Fr. 14:00“ (an abbreviation before a clock time),
„2027-03-12T15:30“, „14.1. 2027 11 Uhr“, „am Freitag zwischen 10 und 12 Uhr“ and „zwischen 10
und 12 Uhr am Freitag“ (before the day the end must say „Uhr“ or „:“), „zwischen dem 3. und 5.
März“ = „vom 3. bis 5. März“, „heute Nacht um 1“ = 01:00 of the next day (asked back when said
after midnight).
English date words get a German hint with an example.  „heute in zwei Wochen“, „morgen in
einer Woche“, „morgen in einem Monat“ (that day's date a month on; refused if it does not
exist), „am zwölften März“ (ordinal words up to 31).

Typos: a word one or two letters from exactly one weekday or month name („Mitwoch“) is read
as that name by `find_when` when the corrected text then reads and the name is part of the
phrase; ``Zeitraum.korrekturen`` carries („Mitwoch“, „Mittwoch“) so that the answer says
„(gelesen als Mittwoch)“.  Otherwise – two names equally near, the corrected phrase still not
readable – it is asked back, never read silently; words that only extend a name
(„Montage“) are words.

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
with a second date/time phrase before the first option key (``art:``) – offering the one
date the two make side by side, if there is exactly one („Planung KW 14 Runde am Dienstag“
→ „meinen Sie Dienstag, 06.04.2027?“; the same for rule 1's left-over words) –, with an
unreadable time or end next to it („um 1400“, „bis 1600“), and phrases preceded
by words that change their meaning („vor“, „nach“, „bis“, „letzten“, „und“,
ordinals, „Guten Morgen“ …).  The separators between title, phrase and rest
(spaces, commas, dashes) are stripped from ``before`` and ``after``.

The parts of the package
------------------------
* ``zeitraum``: the public types `Zeitraum` and `DatumFehler`, the caps and examples.
* ``tokens``: the vocabulary, the tokenizer and the cursor (`_Leser`) over the tokens.
* ``komponenten``: what the grammar reads – groups, phrases and their components.
* ``grammar``: `_Parser`, the recursive-descent grammar of a phrase and its dates,
  with ``zeiten`` (clock times) and ``serien`` (recurring events) as its parts.
* ``resolve``: `_Aufloeser`, a parsed phrase → `Zeitraum` (days, times, series, DST).
* ``tage``: small calendar helpers on wall-clock dates.
* ``lesen``: `parse_when` and `find_when` with the safety rules around the phrase.
* ``reste``: rule 1 – a date word next to the phrase that the grammar did not consume
  („im Mai am Donnerstag“, „nach Pfingsten am Dienstag“) makes find_when ask, naming it;
  and the typo check (`tippfehler`: the names one or two letters from a word).
* ``fremd``: the dateparser fallback for complete dates in other spellings.
* ``format``: `datum_text`, `format_zeitraum`, `beschreibe_rrule`.
* ``dauer``: `parse_dauer`.
"""

from om_bot.domain.dates.dauer import parse_dauer
from om_bot.domain.dates.format import beschreibe_rrule, datum_text, format_zeitraum
from om_bot.domain.dates.lesen import find_when, parse_when
from om_bot.domain.dates.tokens import MONATSNAMEN
from om_bot.domain.dates.zeitraum import (
    MAX_LAENGE,
    MAX_PHRASE,
    STANDARD_BEISPIEL,
    DatumFehler,
    Zeitraum,
)

__all__ = [
    "MAX_LAENGE",
    "MAX_PHRASE",
    "MONATSNAMEN",
    "STANDARD_BEISPIEL",
    "DatumFehler",
    "Zeitraum",
    "beschreibe_rrule",
    "datum_text",
    "find_when",
    "format_zeitraum",
    "parse_dauer",
    "parse_when",
]
