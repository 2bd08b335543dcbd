"""Which due reminders go out now and which are dropped as too late.

Part of the reminder rules (`om_bot.domain.erinnerungen`); plain Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Faellig:
    """A stored reminder that is due: what the scheduler needs to decide and to send it."""

    id: int
    schluessel: str
    gruppe: str
    room_id: str
    faellig: datetime
    gueltig_bis: datetime
    text: str
    html: str


@dataclass(frozen=True)
class Auswahl:
    senden: list[Faellig]
    abgelaufen: list[Faellig]
    ueberholt: list[Faellig]


def auswaehlen(faellige: Iterable[Faellig], jetzt: datetime) -> Auswahl:
    """Of the due reminders: which to send, which are no longer useful, which are superseded.

    Several due reminders of one group (after a downtime: the 1-day and the 1-hour reminder of
    the same occurrence) are sent once – the latest; the earlier ones are superseded.
    """
    abgelaufen: list[Faellig] = []
    nach_gruppe: dict[str, list[Faellig]] = defaultdict(list)
    einzeln: list[Faellig] = []
    for f in faellige:
        if f.gueltig_bis <= jetzt:
            abgelaufen.append(f)
        elif f.gruppe:
            nach_gruppe[f.gruppe].append(f)
        else:
            einzeln.append(f)
    senden = list(einzeln)
    ueberholt: list[Faellig] = []
    for gruppe in nach_gruppe.values():
        gruppe.sort(key=lambda f: (f.faellig, f.id))
        senden.append(gruppe[-1])
        ueberholt.extend(gruppe[:-1])
    senden.sort(key=lambda f: (f.faellig, f.id))
    return Auswahl(senden, abgelaufen, ueberholt)
