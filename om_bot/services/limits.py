"""Limits per user: writes, contact requests and refusal records within sliding time windows.

Pure Python, no database and no clock of its own: every call is given `jetzt`. The counts live
in memory; a restart starts them afresh. That fits their purpose – keeping a flood from one
account (a script, a stolen login, a stranger trying commands) out of the database and out of
the Geschäftsstelle's room – which is not accounting. The router consults `Grenzen.schreiben`
before a command's unit of work commits, `om_bot/services/kontaktverfahren.py` consults
`Grenzen.kontakt`, and the router's refusal audit consults `Grenzen.verweigert`.

The defaults are far above what a person typing commands reaches: 20 changing commands a
minute is one every three seconds for a whole minute, 200 a day is a very long working day
(one contact request from `kontakt` to `freigeben` is five writes, spread over three people).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from om_bot.domain.fehler import UsageError
from om_bot.domain.grenzwerte import Grenzwerte


@dataclass(frozen=True)
class Grenze:
    """At most `anzahl` events in any `fenster`; `anzahl` 0 means no limit."""

    anzahl: int
    fenster: timedelta

    def text(self) -> str:
        """ "20 je Minute", "200 je Tag" – for answers."""
        namen = {
            timedelta(minutes=1): "Minute",
            timedelta(hours=1): "Stunde",
            timedelta(days=1): "Tag",
        }
        wofuer = namen.get(self.fenster)
        return f"{self.anzahl} je {wofuer}" if wofuer else f"{self.anzahl} in {dauer(self.fenster)}"


def dauer(wie_lange: timedelta) -> str:
    """A wait in German, rounded up: "1 Sekunde", "42 Sekunden", "3 Minuten", "2 Stunden"."""
    sekunden = max(1, math.ceil(wie_lange.total_seconds()))
    for groesse, eins, viele in (
        (3600, "Stunde", "Stunden"),
        (60, "Minute", "Minuten"),
        (1, "Sekunde", "Sekunden"),
    ):
        # Below two of a unit the next smaller one is more honest ("90 Sekunden").
        if sekunden >= 2 * groesse or groesse == 1:
            n = math.ceil(sekunden / groesse)
            return f"{n} {eins if n == 1 else viele}"
    raise AssertionError("unreachable")  # pragma: no cover


class Begrenzt(UsageError):
    """A limit was reached: a German answer that says how long to wait; nothing was changed.

    A `UsageError`, so that handlers which pass usage errors through (e.g. the contact
    procedure's `_vertraulich`) pass this one through too, and the router answers it.
    """

    def __init__(self, meldung: str, warten: timedelta, grenze: Grenze) -> None:
        super().__init__(meldung)
        self.warten = warten
        self.grenze = grenze


# How many of its longest windows a refusal count is kept for a key that stays away.
_MERKEN = 24


@dataclass(frozen=True)
class Ueber:
    """Over a limit: which one, and how long until the next event would count."""

    grenze: Grenze
    warten: timedelta


class Zaehler:
    """Sliding windows per key (a Matrix id): at most `anzahl` counted events in every
    `fenster` of each of its limits. Events over a limit are not counted (so a flood does not
    extend its own wait), but remembered as refused until the next counted one.

    Thread-safe: commands run in worker threads. Memory stays bounded: each key keeps at most
    as many times as its largest limit allows, and keys idle for longer than the longest
    window are dropped.
    """

    def __init__(self, grenzen: Iterable[Grenze]) -> None:
        self.grenzen = tuple(g for g in grenzen if g.anzahl > 0)
        self._laengstes = max((g.fenster for g in self.grenzen), default=timedelta(0))
        self._groesste = max((g.anzahl for g in self.grenzen), default=0)
        self._zeiten: dict[str, deque[datetime]] = {}
        # Refused since the last counted event: how many, and when the last one was.
        self._abgewiesen: dict[str, tuple[int, datetime]] = {}
        self._aufgeraeumt: datetime | None = None
        self._lock = threading.Lock()

    @property
    def aktiv(self) -> bool:
        return bool(self.grenzen)

    def _ueber(self, zeiten: deque[datetime], jetzt: datetime) -> Ueber | None:
        schlimmste: Ueber | None = None
        for grenze in self.grenzen:
            im_fenster = [t for t in zeiten if t > jetzt - grenze.fenster]
            if len(im_fenster) >= grenze.anzahl:
                # Free again when the oldest event that still fills the window leaves it.
                frei = im_fenster[len(im_fenster) - grenze.anzahl] + grenze.fenster
                ueber = Ueber(grenze, max(frei - jetzt, timedelta(seconds=1)))
                if schlimmste is None or ueber.warten > schlimmste.warten:
                    schlimmste = ueber
        return schlimmste

    def versuch(self, schluessel: str, jetzt: datetime) -> Ueber | None:
        """Count an event of `schluessel` now, or – over a limit – count nothing and say which
        limit and how long to wait."""
        if not self.grenzen:
            return None
        with self._lock:
            self._aufraeumen(jetzt)
            zeiten = self._zeiten.setdefault(schluessel, deque(maxlen=self._groesste))
            ueber = self._ueber(zeiten, jetzt)
            if ueber is not None:
                bisher = self._abgewiesen.get(schluessel, (0, jetzt))[0]
                self._abgewiesen[schluessel] = (bisher + 1, jetzt)
                return ueber
            zeiten.append(jetzt)
            return None

    def abgewiesen(self, schluessel: str) -> int:
        """How many events of `schluessel` were refused since its last counted one; resets."""
        with self._lock:
            return self._abgewiesen.pop(schluessel, (0, None))[0]

    def _aufraeumen(self, jetzt: datetime) -> None:
        # At most once per longest window: dropping idle keys is housekeeping, not per-call work.
        if self._aufgeraeumt is not None and jetzt - self._aufgeraeumt < self._laengstes:
            return
        self._aufgeraeumt = jetzt
        for schluessel in [
            s for s, z in self._zeiten.items() if not z or z[-1] <= jetzt - self._laengstes
        ]:
            del self._zeiten[schluessel]
        # The refusal counts wait a while longer for the key's next counted event (which
        # reports them); a key that never comes back is forgotten after a day of windows.
        vergessen = jetzt - _MERKEN * self._laengstes
        for schluessel in [s for s, (_, t) in self._abgewiesen.items() if t <= vergessen]:
            del self._abgewiesen[schluessel]


class Grenzen:
    """The bot's limits and their counters, shared by all commands (`Dienste.grenzen`)."""

    def __init__(self, werte: Grenzwerte | None = None) -> None:
        self.werte = werte or Grenzwerte()
        w = self.werte
        self.schreiben = Zaehler(
            [
                Grenze(w.schreiben_je_minute, timedelta(minutes=1)),
                Grenze(w.schreiben_je_tag, timedelta(days=1)),
            ]
        )
        self.kontakt = Zaehler([Grenze(w.kontakt_je_stunde, timedelta(hours=1))])
        self.verweigert = Zaehler([Grenze(w.verweigert_protokoll_je_stunde, timedelta(hours=1))])

    @classmethod
    def keine(cls) -> Grenzen:
        return cls(Grenzwerte.keine())

    def schreiben_pruefen(self, wer: str, jetzt: datetime) -> None:
        """Count one changing command of `wer`; `Begrenzt` (nothing counted) when over."""
        ueber = self.schreiben.versuch(wer, jetzt)
        if ueber is None:
            return
        alle = " und ".join(g.text() for g in self.schreiben.grenzen)
        raise Begrenzt(
            f"⏳ Sie haben in kurzer Zeit sehr viel geändert (höchstens {alle}). Bitte in "
            f"{dauer(ueber.warten)} noch einmal. Es wurde nichts geändert.",
            ueber.warten,
            ueber.grenze,
        )

    def kontakt_pruefen(self, wer: str, jetzt: datetime) -> None:
        """Count one `kontakt` command of `wer`; `Begrenzt` (nothing counted) when over."""
        ueber = self.kontakt.versuch(wer, jetzt)
        if ueber is None:
            return
        raise Begrenzt(
            f"⏳ Sie haben sehr viele Kontaktanfragen in kurzer Zeit gestellt (höchstens "
            f"{ueber.grenze.text()}). Bitte in {dauer(ueber.warten)} noch einmal; bis dahin "
            "nehme ich keine weitere an. Es wurde nichts angelegt.",
            ueber.warten,
            ueber.grenze,
        )
