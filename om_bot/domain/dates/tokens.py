"""The words the date grammar knows, the tokenizer, and the cursor the readers share.

The vocabulary tables (weekdays, months, number words, ordinals, modifiers, times of day, the
words that block a phrase), `_tokenisieren` (text → `_Tok` list, „Freitagabend“ split in two)
and `_Leser`, the cursor over the token list with the lookups every reader uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# --------------------------------------------------------------------------
# Kinds
# --------------------------------------------------------------------------


class _TokArt(StrEnum):
    """What a token is."""

    ZAHL = "zahl"
    WORT = "wort"
    ZEICHEN = "zeichen"


class _Modifikator(StrEnum):
    """„nächsten“/„kommenden“, „übernächsten“, „diesen“ before a weekday or „Woche“."""

    NAECHST = "naechst"
    UEBERNAECHST = "uebernaechst"
    DIES = "dies"


class _Tageszeit(StrEnum):
    """A time of day („abends“, „am Morgen“), as the adverb says it."""

    MORGENS = "morgens"
    VORMITTAGS = "vormittags"
    MITTAGS = "mittags"
    NACHMITTAGS = "nachmittags"
    ABENDS = "abends"
    NACHTS = "nachts"


class _Frequenz(StrEnum):
    """An RRULE's FREQ, as RFC 5545 spells it (the series this package writes and describes)."""

    TAEGLICH = "DAILY"
    WOECHENTLICH = "WEEKLY"
    MONATLICH = "MONTHLY"


_ARTEN = {art.value: art for art in _TokArt}


# --------------------------------------------------------------------------
# Vocabulary (keys are normalized: lower case, ä→ae, ö→oe, ü→ue, ß→ss)
# --------------------------------------------------------------------------

_NAMEN = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
_KURZ = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
MONATSNAMEN = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
)  # fmt: skip
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
        ("naechst", _Modifikator.NAECHST), ("kommend", _Modifikator.NAECHST),
        ("uebernaechst", _Modifikator.UEBERNAECHST), ("dies", _Modifikator.DIES),
    )
    for endung in _ENDUNGEN
}  # fmt: skip
_WOCHEN_VERSATZ = {_Modifikator.DIES: 0, _Modifikator.NAECHST: 1, _Modifikator.UEBERNAECHST: 2}

_TAGESZEIT_ADVERBIEN = {
    "morgens": _Tageszeit.MORGENS, "frueh": _Tageszeit.MORGENS,
    "vormittags": _Tageszeit.VORMITTAGS, "mittags": _Tageszeit.MITTAGS,
    "nachmittags": _Tageszeit.NACHMITTAGS, "abends": _Tageszeit.ABENDS,
    "nachts": _Tageszeit.NACHTS,
}  # fmt: skip
# Nouns („Abend“) count only right after a date („Freitag Abend“) or after „am“,
# so that a title like „Sommer Abend am Freitag“ keeps its word.
_TAGESZEIT_NOMEN = {
    "morgen": _Tageszeit.MORGENS, "frueh": _Tageszeit.MORGENS,
    "vormittag": _Tageszeit.VORMITTAGS, "mittag": _Tageszeit.MITTAGS,
    "nachmittag": _Tageszeit.NACHMITTAGS, "abend": _Tageszeit.ABENDS,
    "nacht": _Tageszeit.NACHTS,
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
    art: _TokArt
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
        art = _ARTEN[m.lastgroup or _TokArt.ZEICHEN]
        roh = m.group()
        dicht = m.start() == vorher
        vorher = m.end()
        if art == _TokArt.WORT:
            norm = _falten(roh)
            k = _KOMPOSITUM_RE.fullmatch(norm)
            if k is not None:
                # „Freitagabend“ = „Freitag Abend“; weekday names are ASCII, so
                # the split position is the same in the raw text.
                n = len(k.group(1))
                toks.append(
                    _Tok(_TokArt.WORT, roh[:n], k.group(1), m.start(), m.start() + n, dicht)
                )
                toks.append(_Tok(_TokArt.WORT, roh[n:], k.group(2), m.start() + n, m.end(), True))
                continue
        elif art == _TokArt.ZEICHEN:
            norm = "-" if roh in _STRICHE else roh
        else:
            norm = roh
        toks.append(_Tok(art, roh, norm, m.start(), m.end(), dicht))
    return toks


def _uhrzeit_ende(toks: list[_Tok], j: int) -> int | None:
    """The end of a clock time („10“, „10:30“, „10.30 Uhr“) starting at j, or None."""
    if j >= len(toks) or toks[j].art != _TokArt.ZAHL or len(toks[j].roh) > 2:
        return None
    j += 1
    if (
        j + 1 < len(toks)
        and toks[j].norm in (":", ".")
        and toks[j].dicht
        and toks[j + 1].art == _TokArt.ZAHL
        and toks[j + 1].dicht
    ):
        j += 2
    if j < len(toks) and toks[j].norm in _UHR:
        j += 1
    return j


def _zwischen_als_bereich(toks: list[_Tok], i: int, *, markiert: bool = False) -> bool:
    """„zwischen 10 und 12 Uhr“ at i becomes „von 10 bis 12 Uhr“ (the raw text stays).

    ``markiert``: before the day the second time must say that it is a time („12 Uhr“,
    „12:00“), so that „zwischen 10 und 12 Teilnehmer am Freitag“ stays words.
    """
    if i >= len(toks) or toks[i].norm != "zwischen":
        return False
    und = _uhrzeit_ende(toks, i + 1)
    if und is None or und >= len(toks) or toks[und].norm != "und":
        return False
    ende = _uhrzeit_ende(toks, und + 1)
    if ende is None:
        return False
    if markiert and not any(t.norm in _UHR or t.norm == ":" for t in toks[und + 1 : ende]):
        return False
    _umbenennen(toks, i, "von")
    _umbenennen(toks, und, "bis")
    return True


def _zwischen_als_datumsbereich(toks: list[_Tok], i: int) -> bool:
    """„zwischen dem 3. und 5. März“ at i becomes „vom 3. bis 5. März“ (the raw text stays).

    Only a day with its dot („3.“) after „zwischen [dem]“ and after „und [dem]“; whether the
    rest is a date (a month, „5.3.2027“) the grammar decides as for „vom 3. bis 5. März“.
    """
    if i >= len(toks) or toks[i].norm != "zwischen":
        return False

    def zahl(j: int, stellen: tuple[int, ...] = (1, 2), dicht: bool = True) -> bool:
        return (
            j < len(toks)
            and toks[j].art == _TokArt.ZAHL
            and len(toks[j].roh) in stellen
            and (toks[j].dicht or not dicht)
        )

    def punkt(j: int) -> bool:
        return j < len(toks) and toks[j].norm == "." and toks[j].dicht

    def tag_ende(j: int) -> tuple[int, bool] | None:
        """After „[dem] 3.“, „3.3.“, „3.3.2027“, „3. März [2027]“ at j: (end, with a month)."""
        if j < len(toks) and toks[j].norm in ("dem", "den"):
            j += 1
        if not (zahl(j, dicht=False) and punkt(j + 1)):
            return None
        j += 2
        if zahl(j) and punkt(j + 1):
            j += 2
            if zahl(j, (2, 4)):
                j += 1
        elif j < len(toks) and toks[j].norm in _MONATE:
            j += 1
            if zahl(j, (4,), dicht=False):
                j += 1
        else:
            return j, False
        return j, True

    erster = tag_ende(i + 1)
    und = erster[0] if erster is not None else len(toks)
    zweiter = tag_ende(und + 1) if und < len(toks) and toks[und].norm == "und" else None
    if zweiter is None or not zweiter[1]:  # „zwischen dem 3. und 5.“: which month?
        return False
    _umbenennen(toks, i, "vom")
    _umbenennen(toks, und, "bis")
    return True


def _umbenennen(toks: list[_Tok], i: int, norm: str) -> None:
    t = toks[i]
    toks[i] = _Tok(t.art, t.roh, norm, t.start, t.ende, t.dicht)


# --------------------------------------------------------------------------
# Cursor
# --------------------------------------------------------------------------


class _Leser:
    """The token list with its cursor ``i``, and the lookups every reader shares.

    Every ``_x`` method of a reader either consumes tokens and returns a result, or restores
    the cursor and returns None/False.
    """

    def __init__(self, text: str, toks: list[_Tok]) -> None:
        self.text = text
        self.t = toks
        self.i = 0

    # -- token access -------------------------------------------------------

    def _tok(self, k: int = 0) -> _Tok | None:
        j = self.i + k
        return self.t[j] if 0 <= j < len(self.t) else None

    def _wort(self, k: int = 0) -> str | None:
        t = self._tok(k)
        return t.norm if t is not None and t.art == _TokArt.WORT else None

    def _zahl(self, k: int = 0, *, dicht: bool = False) -> _Tok | None:
        t = self._tok(k)
        if t is None or t.art != _TokArt.ZAHL or (dicht and not t.dicht):
            return None
        return t

    def _zeichen(self, k: int, zeichen: str, *, dicht: bool = False) -> bool:
        t = self._tok(k)
        return (
            t is not None
            and t.art == _TokArt.ZEICHEN
            and t.norm == zeichen
            and (t.dicht or not dicht)
        )

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

    def _uhrzeit_folgt(self, k: int) -> bool:
        """A clock time starts at offset k: „10 Uhr“, „14:00“, „um 10“."""
        if self._wort(k) in _EINLEITUNG_ZEIT and self._zahl(k + 1) is not None:
            return True
        z = self._zahl(k)
        return (
            z is not None
            and len(z.roh) <= 2
            and (
                self._wort(k + 1) in _UHR
                or (
                    self._zeichen(k + 1, ":", dicht=True)
                    and self._zahl(k + 2, dicht=True) is not None
                )
            )
        )
