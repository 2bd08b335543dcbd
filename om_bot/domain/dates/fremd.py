"""The dateparser fallback: complete absolute dates in other spellings.

Only when the own grammar finds no date phrase at all, `_fremde_daten` looks for „12 March
2027“, „March 12, 2027“, „2027/03/12“ or „13/03/2027“, has dateparser read each and accepts it
only if the reading round-trips; the date is rewritten as „12.03.2027“ for the own grammar.
„03/12/2027“ is refused with a question.  See the package docstring.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time

import dateparser

from om_bot.domain.dates.format import datum_text
from om_bot.domain.dates.tage import _datum_oder_fehler
from om_bot.domain.dates.tokens import _MONATE, _falten
from om_bot.domain.dates.zeitraum import _FIND_BEISPIEL, MAX_LAENGE, DatumFehler

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
