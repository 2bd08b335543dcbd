"""Name matching the way users type: case-, umlaut- and typo-tolerant.

`fold` turns "München", "Muenchen" and "münchen" into the same key (and "ß" into "ss");
`suggest` proposes the closest known names for a "meinten Sie …?" answer.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

_NON_WORD = re.compile(r"[^a-z0-9]+")
# ASCII after folding: every byte but a-z and 0-9 becomes a space (bytes.translate is fast).
_ASCII_SEPARATORS = bytes(
    c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789" else ord(" ") for c in range(256)
)
# The combining accents of Latin letters after NFKD (é = e + U+0301); U+034F has none.
_LATIN_ACCENTS = re.compile(
    "[" + "".join(chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c))) + "]+"
)


def fold(text: str) -> str:
    """A comparison key: lower case, umlauts spelled out, other accents and punctuation dropped."""
    lowered = text.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    # casefold() turns "ß" into "ss"; other accents (é, à) go via NFKD. Keys are stored, so
    # the fast paths for ASCII and accented Latin must give what going character by
    # character gives; they matter because a command may fold long texts many times.
    if not lowered.isascii():
        lowered = _LATIN_ACCENTS.sub("", unicodedata.normalize("NFKD", lowered))
    if lowered.isascii():
        return " ".join(lowered.encode("ascii").translate(_ASCII_SEPARATORS).decode().split())
    stripped = "".join(c for c in lowered if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped).strip()


def suggest(word: str, candidates: Iterable[str], limit: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to `limit` candidates that look like `word`, best first (compared folded)."""
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(fold(candidate), candidate)
    key = fold(word)
    close = difflib.get_close_matches(key, list(by_key), n=limit, cutoff=cutoff)
    if len(close) < limit and key:
        # Prefixes count too: "Harz" should find "Offensive Harzwirtschaft".
        close += [k for k in by_key if key in k and k not in close][: limit - len(close)]
    return [by_key[k] for k in close]


def meinten_sie(suggestions: list[str]) -> str:
    """The German "did you mean" tail for an answer, or an empty string."""
    if not suggestions:
        return ""
    quoted = [f"„{s}“" for s in suggestions]
    if len(quoted) == 1:
        return f"Meinten Sie {quoted[0]}?"
    return f"Meinten Sie {', '.join(quoted[:-1])} oder {quoted[-1]}?"
