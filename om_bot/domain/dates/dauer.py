"""Durations: `parse_dauer` reads „1h30m“, „90 min“, „1,5 Stunden“, „2 Tage“ as a timedelta."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from om_bot.domain.dates.tokens import _ARTEN, _falten, _TokArt
from om_bot.domain.dates.zeitraum import DatumFehler

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
    teile = [
        (_ARTEN[m.lastgroup or _TokArt.ZEICHEN], m.group())
        for m in _DAUER_RE.finditer(_falten(text))
    ]
    teile = [(a, w) for a, w in teile if not (a == _TokArt.ZEICHEN and w in ",.") and w != "und"]
    if not teile:
        raise DatumFehler("Bitte geben Sie eine Dauer an.", _DAUER_BEISPIEL)
    minuten = Decimal(0)
    gesehen: set[int] = set()
    i = 0
    while i < len(teile):
        art, zahl = teile[i]
        if art != _TokArt.ZAHL:
            raise DatumFehler(f"„{text.strip()}“ kann ich nicht als Dauer lesen.", _DAUER_BEISPIEL)
        try:
            wert = Decimal(zahl.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the regex only yields numbers
            raise DatumFehler(f"„{zahl}“ ist keine Zahl.", _DAUER_BEISPIEL) from None
        if i + 1 < len(teile) and teile[i + 1][0] == _TokArt.WORT:
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
