"""Rule 1 of the date layer: no date word is silently dropped.

After `find_when` has found its phrase, the tokens right around it (the run of tokens that can
belong to a date: prepositions, numbers, periods, month and holiday names …) are looked at.  If
that run holds a token that names a date – a month, a calendar week, a holiday, „Anfang/Mitte/
Ende“ before a date word, a number right next to a date word, „nach/vor/ab/bis/seit“ before a
number – the grammar did not consume it, so reading the phrase alone would silently drop it:
the command asks back instead, naming the word.  Calendar weeks („KW 14“) are looked for in the
whole text, since no title needs one.  This is a rule over the token stream, not a phrase list.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from om_bot.domain.dates.fremd import _ENGLISCHE_MONATE
from om_bot.domain.dates.tokens import (
    _MONATE,
    _NAMEN,
    _ORDNUNGSZAHLEN,
    _WOCHENTAG_ADVERBIEN,
    _WOCHENTAG_KURZ,
    _WOCHENTAGE,
    MONATSNAMEN,
    _falten,
    _Tok,
    _TokArt,
)

_MONATSNAMEN = frozenset(_falten(name) for name in MONATSNAMEN) | {"jaenner"}
_MONATSKUERZEL = frozenset(_MONATE) - _MONATSNAMEN  # „Jan“ may be a name: only next to a number
_KALENDERWOCHE = frozenset({"kw", "kalenderwoche", "kalenderwochen"})
_FEIERTAGE = frozenset(
    {
        "neujahr", "silvester", "ostern", "karfreitag", "ostersonntag", "ostermontag",
        "pfingsten", "pfingstsonntag", "pfingstmontag", "himmelfahrt", "fronleichnam",
        "weihnachten", "heiligabend", "nikolaus", "allerheiligen", "reformationstag",
        "rosenmontag", "aschermittwoch", "gruendonnerstag", "karneval", "fasching",
        "quartal", "quartals", "halbjahr", "halbjahres", "jahreswechsel",
    }
)  # fmt: skip
# English date words: „Meeting am 12.03.2027 at 3 pm“ must not lose its time silently.
ENGLISCH = frozenset(
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "tomorrow", "today", "tonight", "yesterday", "pm", "noon", "midnight", "oclock",
        "january", "february", "march", "june", "july", "october", "december", "weekly",
        "every", "next", "morning", "afternoon", "evening", "at",
    }
)  # fmt: skip
_ZEITRAUM_WOERTER = frozenset({"anfang", "mitte", "ende", "beginn", "anfangs", "ausgangs"})
_RICHTUNG = frozenset({"nach", "vor", "ab", "bis", "seit", "zwischen", "spaetestens", "at"})
_WOCHENTAGSWOERTER = (
    frozenset(_WOCHENTAGE) | frozenset(_WOCHENTAG_ADVERBIEN) | frozenset(_WOCHENTAG_KURZ)
)
_STARK = _MONATSNAMEN | _KALENDERWOCHE | _FEIERTAGE | (ENGLISCH - {"at"})
# Words that may stand between date words („Anfang des Monats“, „im April“, „nach dem 12.“).
_BINDEWOERTER = (
    frozenset(
        {
            "in", "im", "am", "an", "der", "des", "dem", "den", "die", "das", "zum", "zur",
            "um", "und", "oder", "jeden", "jede", "jedes", "alle", "naechsten", "naechster",
            "naechste", "kommenden", "kommender", "dieser", "diesen", "diese", "monats",
            "monat", "woche", "wochen", "jahres", "jahr", "uhr", "ca", "etwa", "on",
        }
    )
    | _ZEITRAUM_WOERTER
    | _RICHTUNG
    | frozenset(_ORDNUNGSZAHLEN)
    | _WOCHENTAGSWOERTER
)  # fmt: skip
_ZEICHEN = frozenset({",", ".", "/", "-"})


def _gehoert_zum_datum(t: _Tok) -> bool:
    if t.art == _TokArt.ZAHL:
        return True
    if t.art == _TokArt.ZEICHEN:
        return t.norm in _ZEICHEN
    return t.norm in _BINDEWOERTER or t.norm in _STARK or t.norm in _MONATSKUERZEL


def _datumswort(toks: list[_Tok], j: int, region: range) -> bool:
    """Does token ``j`` (inside ``region``) name part of a date on its own or with its neighbour?"""
    t = toks[j]
    if t.art == _TokArt.WORT and t.norm in _STARK:
        return True
    nachbarn = [toks[k] for k in (j - 1, j + 1) if 0 <= k < len(toks)]
    if t.art == _TokArt.WORT and t.norm in _MONATSKUERZEL:
        return any(n.art == _TokArt.ZAHL for n in nachbarn)
    if t.art == _TokArt.WORT and t.norm in _ZEITRAUM_WOERTER:
        folgt = toks[j + 1] if j + 1 < len(toks) else None
        return folgt is not None and (
            folgt.art == _TokArt.ZAHL or folgt.norm in _STARK or folgt.norm in ("des", "der")
        )
    if t.art == _TokArt.WORT and t.norm in _RICHTUNG:
        k = j + 1
        while k < len(toks) and toks[k].norm in ("dem", "den", "der"):
            k += 1
        return k < len(toks) and k in region and toks[k].art == _TokArt.ZAHL
    if t.art == _TokArt.ZAHL:
        return any(
            n.art == _TokArt.WORT and (n.norm in _STARK or n.norm in _WOCHENTAGSWOERTER)
            for n in nachbarn
        )
    return False


def _region(toks: list[_Tok], von: int, bis: int) -> tuple[range, range]:
    """The runs of date-ish tokens right before ``von`` and right after ``bis``."""
    a = von
    while a > 0 and _gehoert_zum_datum(toks[a - 1]):
        a -= 1
    e = bis
    while e < len(toks) and _gehoert_zum_datum(toks[e]):
        if toks[e].art == _TokArt.WORT and e + 1 < len(toks) and toks[e + 1].norm == ":":
            break  # an option key („art:“) ends the date's neighbourhood
        e += 1
    return range(a, von), range(bis, e)


def uebrige_datumswoerter(toks: list[_Tok], von: int, bis: int) -> tuple[int, int] | None:
    """The first date word the phrase ``toks[von:bis]`` left over, as a token span, or None."""
    vorher, nachher = _region(toks, von, bis)
    for region in (vorher, nachher):
        for j in region:
            if _datumswort(toks, j, region):
                return _spanne(toks, j, region)
    for j, t in enumerate(toks):
        if (j < von or j >= bis) and t.norm in _KALENDERWOCHE:
            return _spanne(toks, j, range(j, min(j + 2, len(toks))))
    return None


def _spanne(toks: list[_Tok], j: int, region: range) -> tuple[int, int]:
    """The word with what belongs to it: „KW 14“, „im Mai“, „Mitte Juni“, „nach Pfingsten“."""
    a = j
    if (
        a - 1 in region
        and toks[a - 1].art == _TokArt.WORT
        and toks[a - 1].norm in (_BINDEWOERTER - _WOCHENTAGSWOERTER)
    ):
        a -= 1
    e = j + 1
    while (
        e in region
        and e < len(toks)
        and e - j < 3
        and toks[e].art != _TokArt.ZEICHEN
        and (
            toks[e].art == _TokArt.ZAHL or toks[e].norm in _STARK or toks[e].norm in _MONATSKUERZEL
        )
    ):
        e += 1
    return a, e


# Every weekday and month name but „Mai“ (too short: „Mais“, „Main“).
_RICHTIGE_NAMEN = {_falten(name): name for name in (*_NAMEN, *MONATSNAMEN) if name != "Mai"}


def _abstand(a: str, b: str, grenze: int) -> int:
    """Levenshtein distance, cut off above ``grenze``."""
    if abs(len(a) - len(b)) > grenze:
        return grenze + 1
    vorher = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        jetzt = [i]
        for j, cb in enumerate(b, 1):
            jetzt.append(min(vorher[j] + 1, jetzt[j - 1] + 1, vorher[j - 1] + (ca != cb)))
        if min(jetzt) > grenze:
            return grenze + 1
        vorher = jetzt
    return vorher[-1]


@dataclass(frozen=True)
class Vertipper:
    """A word one or two letters from a weekday or month name: ``kandidaten`` are the names."""

    falsch: str
    kandidaten: tuple[str, ...]
    start: int  # the word's place in the text
    ende: int


# Real German words one or two letters from a name („Mittag“ – Montag, „Freibad“ – Freitag,
# „Dienst“ – Dienstag, „Kuli“ – Juli): words, never typos.  Derived once from the ngerman word
# list (Debian wngerman 20161207): every entry of four letters or more, folded, for which
# `_namen_nahe` found a name.  (The list is not shipped; a word it lacks is asked back or, if
# read, echoed as „gelesen als …“.)
_ECHTE_WOERTER = frozenset(
    {
        "abguss", "abtust", "aeugst", "antust", "aufguss", "auftust", "ausguss", "autist",
        "dezenter", "dienst", "dienstbar", "dienste", "diensten", "dienstes", "diensts",
        "dienstweg", "donnerst", "freibad", "freigab", "freikam", "freite", "freiten",
        "freitet", "freitod", "hangar", "jaguar", "jaguare", "jaguars", "jung", "junkie",
        "kuli", "laugst", "magere", "malern", "malers", "manntag", "manual", "masern",
        "mauere", "mauern", "mauert", "mental", "mittag", "mondtag", "montur", "renntag",
        "samsung", "saugst", "sonnig", "sonnte", "sonnten", "sonntet", "sonstig", "taugst",
        "vortag"
    }
)  # fmt: skip


def tippfehler(toks: list[_Tok]) -> Vertipper | None:
    """The first word that is one or two letters away from a weekday or month name."""
    for t in toks:
        if t.art != _TokArt.WORT or len(t.norm) < 4 or t.norm in _RICHTIGE_NAMEN:
            continue
        if t.norm in _ECHTE_WOERTER:
            continue
        if t.norm in _MONATE or t.norm in _WOCHENTAGSWOERTER or t.norm in _BINDEWOERTER:
            continue
        if t.norm in ENGLISCH or t.norm in _ENGLISCHE_MONATE:
            continue  # the English hint and the dateparser fallback speak to those
        treffer = _namen_nahe(t.norm)
        if treffer:
            return Vertipper(t.roh, treffer, t.start, t.ende)
    return None


_REIHENFOLGE = (*_NAMEN, *MONATSNAMEN)
_NACH_LAENGE: dict[int, list[tuple[str, str]]] = {}
for _norm, _name in _RICHTIGE_NAMEN.items():
    _NACH_LAENGE.setdefault(len(_norm), []).append((_norm, _name))


@functools.lru_cache(maxsize=1024)
def _namen_nahe(wort: str) -> tuple[str, ...]:
    """The names one or two letters from ``wort`` (cached: a text repeats its words)."""
    grenze = 1 if len(wort) <= 5 else 2
    treffer = {
        name
        for laenge in range(len(wort) - grenze, len(wort) + grenze + 1)
        for norm, name in _NACH_LAENGE.get(laenge, ())
        # „Montage“, „Sonntags“: real words that only extend a name are no typos
        if not wort.startswith(norm) and _abstand(wort, norm, grenze) <= grenze
    }
    return tuple(sorted(treffer, key=_REIHENFOLGE.index))


def tippfehler_daneben(toks: list[_Tok], von: int, bis: int) -> Vertipper | None:
    """A misspelt weekday or month right next to the phrase's neighbourhood („Donerstag, …“)."""
    vorher, nachher = _region(toks, von, bis)
    nachbarn = [j for j in (vorher.start - 1, nachher.stop) if 0 <= j < len(toks)]
    return tippfehler([toks[j] for j in nachbarn])
