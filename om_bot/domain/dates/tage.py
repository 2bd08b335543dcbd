"""Small calendar helpers on wall-clock dates (no timezone involved).

A checked date, adding months, the n-th weekday of a month, and „abends“ & co. applied to an
hour.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from om_bot.domain.dates.tokens import _Tageszeit
from om_bot.domain.dates.zeitraum import DatumFehler


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


def _tageszeit_stunde(stunde: int, explizit: bool, art: _Tageszeit) -> int | None:
    """Apply „abends“ & co. to an hour; None when they contradict each other."""
    if art in (_Tageszeit.MORGENS, _Tageszeit.VORMITTAGS):
        ergebnis = stunde if 1 <= stunde <= 11 else None
    elif art == _Tageszeit.MITTAGS:
        ergebnis = stunde + 12 if 1 <= stunde <= 3 else stunde if 11 <= stunde <= 15 else None
    elif art == _Tageszeit.NACHMITTAGS:
        ergebnis = stunde + 12 if 1 <= stunde <= 6 else stunde if 12 <= stunde <= 18 else None
    elif art == _Tageszeit.ABENDS:
        ergebnis = stunde + 12 if 5 <= stunde <= 11 else stunde if 17 <= stunde <= 23 else None
    elif 0 <= stunde <= 5 or 21 <= stunde <= 23:  # nachts
        ergebnis = stunde
    else:
        ergebnis = stunde + 12 if 9 <= stunde <= 11 else None
    # „03:00 nachmittags“: a leading zero says 24-hour time, which must not move.
    if explizit and ergebnis != stunde:
        return None
    return ergebnis
