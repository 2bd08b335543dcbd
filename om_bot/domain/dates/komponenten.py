"""What the grammar reads, before it is resolved: the parsed components of a date phrase.

A phrase (`_Phrase`) has a start group and maybe an end group (`_Gruppe`, mutable while it is
read); a group holds at most one of each component: a date (`_DatumK`), a weekday
(`_WochentagK`), a week (`_WocheK`), a time (`_Zeit`), a time of day (`_TageszeitK`) and a
recurrence (`_SerieK`, which writes its RRULE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from om_bot.domain.dates.tokens import _RRULE_TAGE, _Frequenz, _Modifikator, _Tageszeit
from om_bot.domain.dates.zeitraum import DatumFehler


class _SerienArt(StrEnum):
    """How a series repeats."""

    WOECHENTLICH = "woechentlich"  # on weekdays (every n weeks)
    MONATLICH_TAG = "monatlich_tag"  # on a day of the month
    MONATLICH_NTER = "monatlich_nter"  # on the n-th weekday of the month
    TAEGLICH = "taeglich"


class _Teil(StrEnum):
    """The kind of component a group read last."""

    DATUM = "datum"
    ZEIT = "zeit"
    TAGESZEIT = "tageszeit"
    GANZTAEGIG = "ganztaegig"


_FREQ = {_SerienArt.WOECHENTLICH: _Frequenz.WOECHENTLICH, _SerienArt.TAEGLICH: _Frequenz.TAEGLICH}


@dataclass
class _DatumK:
    """An explicit or relative date; ``fest`` is set when it is complete."""

    tag: int
    monat: int | None
    jahr: int | None
    fest: date | None
    text: str = ""
    relativ: bool = False  # „heute“, „morgen“, „übermorgen“


@dataclass
class _WochentagK:
    tag: int
    modifikator: _Modifikator | None
    pruefung: bool = False  # abbreviation in front of a date: only a check
    text: str = ""


@dataclass
class _WocheK:
    versatz: int
    text: str = ""
    montag: date | None = None  # a calendar week („KW 14“): its Monday


@dataclass
class _Zeit:
    stunde: int  # as written: 0..24 (for „halb drei“ the effective hour 2)
    minute: int
    explizit: bool  # leading zero, 0 or >= 13: certainly a 24-hour time
    lose: bool  # bare number without „Uhr“, „:“, „halb“ …
    text: str = ""

    @property
    def mehrdeutig(self) -> bool:
        return not self.explizit and 1 <= self.stunde <= 6


@dataclass
class _TageszeitK:
    art: _Tageszeit
    text: str = ""


@dataclass
class _SerieK:
    art: _SerienArt
    tage: tuple[int, ...] = ()
    n: int = 0
    monatstag: int = 0
    intervall: int = 1
    text: str = ""

    def rrule(self) -> str:
        freq = _FREQ.get(self.art, _Frequenz.MONATLICH)
        teile = [f"FREQ={freq.value}"]
        if self.intervall > 1:
            teile.append(f"INTERVAL={self.intervall}")
        if self.art == _SerienArt.WOECHENTLICH:
            teile.append("BYDAY=" + ",".join(_RRULE_TAGE[t] for t in self.tage))
        elif self.art == _SerienArt.MONATLICH_NTER:
            teile.append(f"BYDAY={self.n}{_RRULE_TAGE[self.tage[0]]}")
        elif self.art == _SerienArt.MONATLICH_TAG:
            teile.append(f"BYMONTHDAY={self.monatstag}")
        return ";".join(teile)


_Komponente = _DatumK | _WochentagK | _WocheK


@dataclass
class _Gruppe:
    """Everything said about one end of a span (start, or end after „bis“)."""

    ist_ende: bool
    datum: _DatumK | None = None
    wochentag: _WochentagK | None = None
    woche: _WocheK | None = None
    zeit: _Zeit | None = None
    tageszeit: _TageszeitK | None = None
    serie: _SerieK | None = None
    ab_datum: _DatumK | None = None
    ganztaegig: bool = False
    anzahl: int = 0
    letzte: _Teil | None = None  # kind of the previous component
    datum_nach_zeit: bool = False  # „… bis 16 Uhr am Freitag“: the day comes last

    def hat_datum(self) -> bool:
        return (
            self.datum is not None
            or (self.wochentag is not None and not self.wochentag.pruefung)
            or self.woche is not None
        )

    def ist_anker(self) -> bool:
        """Does this group name a day (so find_when may take it as the phrase)?"""
        return self.hat_datum() or self.serie is not None or self.ab_datum is not None

    def setze(self, k: _Komponente) -> None:
        if self.zeit is not None:
            self.datum_nach_zeit = True
        if isinstance(k, _DatumK):
            if self.datum is not None:
                raise _doppelt("Datumsangaben", self.datum.text, k.text)
            self.datum = k
        elif isinstance(k, _WochentagK):
            if self.wochentag is not None:
                raise _doppelt("Wochentage", self.wochentag.text, k.text)
            self.wochentag = k
        else:
            if self.woche is not None:
                raise _doppelt("Wochenangaben", self.woche.text, k.text)
            self.woche = k
        self._gesetzt(_Teil.DATUM)

    def setze_zeit(self, z: _Zeit) -> None:
        if self.zeit is not None:
            raise _doppelt("Uhrzeiten", self.zeit.text, z.text)
        self.zeit = z
        self._gesetzt(_Teil.ZEIT)

    def setze_tageszeit(self, t: _TageszeitK) -> None:
        if self.tageszeit is not None:
            raise _doppelt("Tageszeiten", self.tageszeit.text, t.text)
        self.tageszeit = t
        self._gesetzt(_Teil.TAGESZEIT)

    def setze_serie(self, s: _SerieK) -> None:
        if self.serie is not None:
            raise _doppelt("Wiederholungen", self.serie.text, s.text)
        self.serie = s
        self._gesetzt(_Teil.DATUM)

    def setze_ab(self, k: _DatumK) -> None:
        if self.ab_datum is not None:
            raise _doppelt("Startdaten", self.ab_datum.text, k.text)
        self.ab_datum = k
        self._gesetzt(_Teil.DATUM)

    def _gesetzt(self, art: _Teil) -> None:
        self.anzahl += 1
        self.letzte = art


@dataclass
class _Phrase:
    start: _Gruppe
    ende: _Gruppe | None
    von: int  # token indices [von, bis)
    bis: int

    def hat_anker(self) -> bool:
        """Does the phrase name a day (so that it is a date phrase at all)?"""
        if self.start.ist_anker():
            return True
        # „von 14 bis 16 Uhr am Freitag“: the trailing day belongs to both ends.
        return self.ende is not None and self.ende.hat_datum() and self.ende.datum_nach_zeit


def _doppelt(was: str, a: str, b: str) -> DatumFehler:
    return DatumFehler(f"Ich habe zwei {was} gefunden („{a}“ und „{b}“). Welche gilt?")
