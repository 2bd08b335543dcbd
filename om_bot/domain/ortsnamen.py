"""Place names the way people type them: comparison keys, edit distance and the typo index.

`schluessel("Frankfurt a. M.") == schluessel("Frankfurt am Main") == "frankfurt main"`:
folded like every name in the bot (`om_bot.domain.matching.fold`), abbreviations spelled out
("St." → "sankt"), filler words dropped. `indexiere` turns the names of the place table into
the name indexes and the typo index; `scripts/build_orte.py` stores them in the table so the
bot does not fold 35,000 names at start, and a test checks that they still match this code.
"""

from __future__ import annotations

import base64
import re
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import Any

from om_bot.domain.matching import fold

# Longer than any German place name (the longest are about 40 characters); anything beyond
# is cut before folding, so hostile input costs no more than a long name.
MAX_EINGABE = 80
MAX_WOERTER = 10
# One typo-index entry is crc32(deletion) << ID_BITS | number of the key.
ID_BITS = 20

# Abbreviations as they look after `fold` ("a. d." → "a d"), longest first.
_ABKUERZUNGEN: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("i", "d", "opf"), ("in", "der", "oberpfalz")),
    (("v", "d", "h"), ("vor", "der", "hoehe")),
    (("a", "d", "o"), ("an", "der", "oder")),
    (("a", "m"), ("am", "main")),
    (("a", "o"), ("an", "der", "oder")),
    (("i", "h"), ("in", "holstein")),
    (("o", "l"), ("oberlausitz",)),
    (("st",), ("sankt",)),
    (("opf",), ("oberpfalz",)),
    (("oldb",), ("oldenburg",)),
    (("westf",), ("westfalen",)),
    (("holst",), ("holstein",)),
    (("vogtl",), ("vogtland",)),
    (("erzgeb",), ("erzgebirge",)),
    (("thuer",), ("thueringen",)),
    (("nrw",), ("nordrhein", "westfalen")),
)
_ANFAENGE = frozenset(muster[0] for muster, _ in _ABKUERZUNGEN)
# "Frankfurt/M.", "Frankfurt/O.", "Halle/S.": a lone letter at the end is the river.
_FLUSS_AM_ENDE = {"m": "main", "o": "oder", "s": "saale"}
# Dropped for comparison: "Frankfurt (Oder)" = "Frankfurt an der Oder" = "Frankfurt/Oder".
FUELLWOERTER = frozenset(
    ("a", "an", "am", "auf", "b", "bei", "d", "dem", "den", "der", "i", "im", "in", "ob", "v")
) | {"vor", "zu", "z"}
_QUALIFIER = re.compile(r"\s*[(/,]|\s+(?:an der|an|am|im|in|bei|ob der|vor der|a\.|i\.)\s")


def woerter(text: str) -> list[str]:
    """The words of `text` folded, with abbreviations spelled out ("St." → "sankt")."""
    roh = fold(text[:MAX_EINGABE]).split()[: MAX_WOERTER * 2]
    if _ANFAENGE.isdisjoint(roh):
        aus = roh  # the common case: nothing to spell out
    else:
        aus = []
        i = 0
        while i < len(roh):
            for muster, ersatz in _ABKUERZUNGEN:
                if tuple(roh[i : i + len(muster)]) == muster:
                    aus.extend(ersatz)
                    i += len(muster)
                    break
            else:
                aus.append(roh[i])
                i += 1
    if len(aus) > 1 and aus[-1] in _FLUSS_AM_ENDE:
        aus[-1] = _FLUSS_AM_ENDE[aus[-1]]
    return aus[:MAX_WOERTER]


def schluessel(text: str) -> str:
    """The comparison key of a name: folded, abbreviations spelled out, filler words dropped."""
    return " ".join(w for w in woerter(text) if w not in FUELLWOERTER)


def grundname(name: str) -> str:
    """The name without its qualifier: "Halle (Saale)", "Neustadt an der Orla" → the first part."""
    return _QUALIFIER.split(name, maxsplit=1)[0].strip()


def abstand(a: str, b: str, grenze: int) -> int:
    """Optimal-string-alignment distance (a swap counts 1), or grenze + 1 once above `grenze`."""
    if abs(len(a) - len(b)) > grenze:
        return grenze + 1
    vorvor: list[int] = []
    vor = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        jetzt = [i] + [0] * len(b)
        kleinste = i
        for j, cb in enumerate(b, 1):
            wert = min(vor[j] + 1, jetzt[j - 1] + 1, vor[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                wert = min(wert, vorvor[j - 2] + 1)
            jetzt[j] = wert
            kleinste = min(kleinste, wert)
        if kleinste > grenze:
            return grenze + 1
        vorvor, vor = vor, jetzt
    return vor[-1]


def loeschungen(wort: str, tiefe: int) -> set[str]:
    """`wort` and every string made from it by deleting up to `tiefe` characters."""
    stufe = {wort}
    alle = {wort}
    for _ in range(tiefe):
        stufe = {w[:i] + w[i + 1 :] for w in stufe for i in range(len(w))}
        alle |= stufe
    return alle


def _eintraege(keys: Sequence[str]) -> array[int]:
    if len(keys) >= 1 << ID_BITS:
        raise ValueError("zu viele Namen für den Tippfehler-Index")
    werte = array(
        "q",
        sorted(
            zlib.crc32(w.encode()) << ID_BITS | nr
            for nr, key in enumerate(keys)
            for w in loeschungen(key, 1)
        ),
    )
    if sys.byteorder == "big":
        werte.byteswap()  # stored little-endian
    return werte


def _nummern(nrs: list[int]) -> int | list[int]:
    return nrs[0] if len(nrs) == 1 else nrs


def indexiere(namen: Sequence[tuple[Iterable[str], Iterable[str]]]) -> dict[str, Any]:
    """The indexes for Gebiete numbered 0…n-1, given (names, other spellings) of each.

    "namen": [key, number or [numbers]] sorted by key (the typo index numbers keys in this
    order); "andere": {key: number or [numbers]} for other spellings and base names ("Halle"
    for "Halle (Saale)"), which count only when no name matches; "tipp": the typo index as
    base64 of its little-endian int64 array (parsed in one go, unlike a JSON list of ints).
    """
    erste: dict[str, list[int]] = {}
    zweite: dict[str, list[int]] = {}
    for nr, (eigene, andere) in enumerate(namen):
        keys = {schluessel(n) for n in eigene} - {""}
        for key in sorted(keys):
            erste.setdefault(key, []).append(nr)
        for key in sorted({schluessel(n) for n in andere} - keys - {""}):
            zweite.setdefault(key, []).append(nr)
    sortiert = sorted(erste)
    return {
        "namen": [[key, _nummern(erste[key])] for key in sortiert],
        "andere": {key: _nummern(zweite[key]) for key in sorted(zweite)},
        "tipp": base64.b64encode(_eintraege(sortiert).tobytes()).decode("ascii"),
    }


class Tippfehler:
    """Typo index in the manner of SymSpell: every key and its one-character deletions.

    One sorted array of ints (about 1 MB) instead of a dict of strings. A query looks
    up itself and its deletions (up to `tiefe`), so the query may have up to two extra or
    changed characters and the key one; every candidate is then checked with `abstand`.
    """

    def __init__(self, keys: Sequence[str], tipp: str) -> None:
        self.keys = keys
        self._werte = array("q")
        self._werte.frombytes(base64.b64decode(tipp))
        if sys.byteorder == "big":
            self._werte.byteswap()

    def kandidaten(self, wort: str, tiefe: int) -> set[int]:
        werte = self._werte
        gefunden: set[int] = set()
        maske = (1 << ID_BITS) - 1
        for w in loeschungen(wort, tiefe):
            kopf = zlib.crc32(w.encode())
            i = bisect_left(werte, kopf << ID_BITS)
            while i < len(werte) and werte[i] >> ID_BITS == kopf:
                gefunden.add(werte[i] & maske)
                i += 1
        return gefunden

    def aehnliche(self, wort: str, grenze: int) -> list[tuple[int, str]]:
        """(distance, key) of the keys within `grenze` edits of `wort`, closest first."""
        treffer = []
        for nr in self.kandidaten(wort, grenze):
            d = abstand(wort, self.keys[nr], grenze)
            if d <= grenze:
                treffer.append((d, self.keys[nr]))
        treffer.sort()
        return treffer
