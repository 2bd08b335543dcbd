"""The public value types of the date package and what every part of it shares.

`Zeitraum` (the resolved span), `DatumFehler` (a phrase not read safely; its message is for the
user), `_KeinDatum` (no date phrase at all: the dateparser fallback may try), the caps on the
length of a text and the examples the error messages offer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

STANDARD_BEISPIEL = "am 12.03.2027 um 14:00 bis 16:00"
# Longer texts are refused up front; every step is linear anyway, but a
# date phrase is short and a cap keeps error messages and run time predictable.
MAX_LAENGE = 1000
# What `parse_when` reads is the date phrase alone, never longer than this; the tighter cap
# matters because a caller may try many tails of a text (`termine [<auswahl>]`).
MAX_PHRASE = 200
_FIND_BEISPIEL = "Netzwerktreffen am 12.03.2027 um 14:00 bis 16:00 in Hamburg"


@dataclass(frozen=True)
class Zeitraum:
    """A resolved event time span, timezone-aware in the requested zone."""

    start: datetime
    end: datetime
    ganztaegig: bool
    rrule: str | None = None
    ohne_ende: bool = False
    # Words read as another (a typo: („Mitwoch“, „Mittwoch“)); the answer names them.
    korrekturen: tuple[tuple[str, str], ...] = field(default=(), compare=False)

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

    def __init__(
        self, meldung: str, beispiel: str = STANDARD_BEISPIEL, *, ganzer_text: bool = False
    ) -> None:
        self.meldung = meldung
        self.beispiel = beispiel
        # The example is the user's whole text corrected (title and all), not a date alone.
        self.ganzer_text = ganzer_text
        super().__init__(f"{meldung} Beispiel: „{beispiel}“")


class _KeinDatum(DatumFehler):
    """The own grammar found no date phrase at all: the dateparser fallback may try."""
