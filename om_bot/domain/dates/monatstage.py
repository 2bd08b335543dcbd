"""Calendar weeks („in KW 14 am Dienstag“) and a weekday inside a named month („im Mai am ersten
Donnerstag“, „am letzten Freitag im Juni“).

A calendar week is an ISO 8601 week; without a year the one that is not over yet.

With an ordinal the day is certain (the n-th weekday of the month's next occurrence); without
one („am Dienstag im April“) April has four or five Tuesdays, so DatumFehler lists them.
"""

from __future__ import annotations

from datetime import date, timedelta

from om_bot.domain.dates.format import datum_text
from om_bot.domain.dates.komponenten import _DatumK, _WocheK
from om_bot.domain.dates.resolve import _NACHFRIST_TAGE
from om_bot.domain.dates.tage import _datum_oder_fehler, _nter_wochentag
from om_bot.domain.dates.tokens import (
    _MONATE,
    _NAMEN,
    _ORDNUNGSZAHLEN,
    _WOCHENTAGE,
    MONATSNAMEN,
    _Leser,
)
from om_bot.domain.dates.zeitraum import DatumFehler

_MONATSNAMEN = MONATSNAMEN


_EINER = ("", "ein", "zwei", "drei", "vier", "fuenf", "sechs", "sieben", "acht", "neun")
# Day ordinals as words: „ersten“ … „neunzehnten“ end in -t-, from 20 on in -st-.
_TAG_STAEMME = {
    "erst": 1, "zweit": 2, "dritt": 3, "viert": 4, "fuenft": 5, "sechst": 6, "siebt": 7,
    "siebent": 7, "acht": 8, "neunt": 9, "zehnt": 10, "elft": 11, "zwoelft": 12,
    "dreizehnt": 13, "vierzehnt": 14, "fuenfzehnt": 15, "sechzehnt": 16, "siebzehnt": 17,
    "achtzehnt": 18, "neunzehnt": 19, "zwanzigst": 20, "dreissigst": 30,
} | {
    f"{einer}und{zehner}st": n + z
    for n, einer in enumerate(_EINER)
    if n
    for zehner, z in (("zwanzig", 20), ("dreissig", 30))
    if n + z <= 31
}  # fmt: skip
_TAG_ORDINALE = {
    stamm + endung: n for stamm, n in _TAG_STAEMME.items() for endung in ("e", "en", "er", "es")
}


class _MonatsLeser(_Leser):
    heute: date

    def _ordinal_monat(self, _mit_praefix: bool) -> _DatumK | None:
        """„am zwölften März“, „am ersten Mai 2027“: a day written as an ordinal word."""
        w = (self._wort() or "").replace("ß", "ss")
        tag = _TAG_ORDINALE.get(w)
        monat = _MONATE.get(self._wort(1) or "")
        if tag is None or monat is None:
            return None
        k = 2
        jahr: int | None = None
        j = self._zahl(k)
        if j is not None and len(j.roh) == 4:
            jahr, k = int(j.roh), k + 1
        text = self._text(self.i, self.i + k)
        if jahr is not None:
            fest = _datum_oder_fehler(jahr, monat, tag, text)
            self.i += k
            return _DatumK(tag, monat, jahr, fest)
        try:
            date(2000, monat, tag)
        except ValueError:
            raise DatumFehler(
                f"Den {tag}. {_MONATSNAMEN[monat - 1]} gibt es nicht („{text}“).", "am 30. April"
            ) from None
        self.i += k
        return _DatumK(tag, monat, None, None)

    def _kalenderwoche(self, _mit_praefix: bool) -> _WocheK | None:
        """„KW 14“, „in KW 14“, „in der Kalenderwoche 14“, „KW 14/2027“ (ISO 8601 weeks)."""
        k = 0
        if self._wort(0) == "in":
            k = 2 if self._wort(1) == "der" else 1
        if self._wort(k) not in ("kw", "kalenderwoche"):
            return None
        k += 1
        if self._zeichen(k, ".", dicht=True):
            k += 1
        zahl = self._zahl(k)
        if zahl is None or len(zahl.roh) > 2:
            return None
        k += 1
        jahr: int | None = None
        j = k + 1 if self._zeichen(k, "/") else k
        jahr_tok = self._zahl(j)
        if jahr_tok is not None and len(jahr_tok.roh) == 4:
            jahr = int(jahr_tok.roh)
            k = j + 1
        text = self._text(self.i, self.i + k)
        montag = _kw_montag(int(zahl.roh), jahr, self.heute, text)
        self.i += k
        return _WocheK(0, text, montag)

    def _monat_wochentag(self, _mit_praefix: bool) -> _DatumK | None:
        """[n-ten] Wochentag im Monat [Jahr], or im Monat [Jahr][,] [am] [n-ten] Wochentag."""
        k = 0
        n = _ORDNUNGSZAHLEN.get(self._wort(k) or "")
        if n is not None:
            k += 1
        tag = _WOCHENTAGE.get(self._wort(k) or "")
        if tag is not None:
            monat_bei = self._monat(k + 1)
            if monat_bei is None:
                return None
            monat, jahr, k = monat_bei
        else:
            monat_bei = self._monat(0)
            if monat_bei is None or n is not None:
                return None
            monat, jahr, k = monat_bei
            if self._zeichen(k, ","):
                k += 1
            if self._wort(k) == "am":
                k += 1
            n = _ORDNUNGSZAHLEN.get(self._wort(k) or "")
            if n is not None:
                k += 1
            tag = _WOCHENTAGE.get(self._wort(k) or "")
            if tag is None:
                return None
            k += 1
        text = self._text(self.i, self.i + k)
        ergebnis = self._im_monat(n, tag, monat, jahr, text)
        self.i += k
        return _DatumK(ergebnis.day, ergebnis.month, ergebnis.year, ergebnis)

    def _monat(self, k: int) -> tuple[int, int | None, int] | None:
        """„im Mai“, „im Mai 2027“ at offset k: (month, year, offset after it)."""
        if self._wort(k) not in ("im", "in"):
            return None
        monat = _MONATE.get(self._wort(k + 1) or "")
        if monat is None:
            return None
        k += 2
        j = self._zahl(k)
        if j is not None and len(j.roh) == 4:
            return monat, int(j.roh), k + 1
        return monat, None, k

    def _im_monat(self, n: int | None, tag: int, monat: int, jahr: int | None, text: str) -> date:
        name, tagname = _MONATSNAMEN[monat - 1], _NAMEN[tag]
        jahre = (jahr,) if jahr is not None else (self.heute.year, self.heute.year + 1)
        for kandidat in jahre:
            tage = _alle(kandidat, monat, tag)
            if jahr is None and tage[-1] < self.heute:
                continue  # this year's month is over: next year's
            if n is None:
                offen = [t for t in tage if t >= self.heute or jahr is not None]
                if len(offen) == 1:
                    frage = f"Meinen Sie {tagname}, {datum_text(offen[0])}?"
                else:
                    liste = ", ".join(datum_text(t) for t in offen[:-1])
                    frage = (
                        f"Im {name} {kandidat} gibt es mehrere {tagname}e: {liste} oder "
                        f"{datum_text(offen[-1])}. Welcher ist gemeint?"
                    )
                raise DatumFehler(
                    f"„{text}“ nennt keinen bestimmten Tag. {frage}",
                    f"am ersten {tagname} im {name}",
                )
            ergebnis: date | None = None
            if 0 < n <= len(tage):
                ergebnis = tage[n - 1]
            elif n < 0 and -n <= len(tage):
                ergebnis = tage[n]
            if ergebnis is None:
                raise DatumFehler(
                    f"„{text}“: Im {name} {kandidat} gibt es nur {len(tage)} {tagname}e.",
                    f"am letzten {tagname} im {name}",
                )
            if ergebnis < self.heute and jahr is None:
                if (self.heute - ergebnis).days <= _NACHFRIST_TAGE:
                    raise DatumFehler(
                        f"„{text}“ war gerade erst ({datum_text(ergebnis)}). Meinen Sie den im "
                        f"nächsten Jahr? Dann schreiben Sie bitte das Jahr dazu.",
                        f"{text} {kandidat + 1}",
                    )
                continue
            return ergebnis
        raise DatumFehler(f"„{text}“ liegt in der Vergangenheit.", f"am ersten {tagname} im {name}")


def _alle(jahr: int, monat: int, tag: int) -> list[date]:
    erster = _nter_wochentag(jahr, monat, 1, tag)
    assert erster is not None
    return [
        erster + timedelta(days=7 * w)
        for w in range(5)
        if (erster + timedelta(days=7 * w)).month == monat
    ]


def _kw_montag(kw: int, jahr: int | None, heute: date, text: str) -> date:
    """The Monday of ISO week ``kw``; without a year the week that has not passed yet."""
    if not 1 <= kw <= 53:
        raise DatumFehler(f"„{text}“: Kalenderwochen gehen von 1 bis 53.", "in KW 14 am Dienstag")
    if jahr is None:
        jahr = heute.isocalendar().year
        if kw <= _kw_anzahl(jahr) and _iso_montag(jahr, kw) + timedelta(days=6) < heute:
            jahr += 1
    if kw > _kw_anzahl(jahr):
        raise DatumFehler(
            f"„{text}“: Das Jahr {jahr} hat keine KW 53 – es hat nur 52 Kalenderwochen. "
            "Welche Woche ist gemeint?",
            f"KW 1/{jahr + 1} am Dienstag",
        )
    return _iso_montag(jahr, kw)


def _kw_anzahl(jahr: int) -> int:
    """52 or 53: the 28th of December always lies in the year's last ISO week."""
    return date(jahr, 12, 28).isocalendar().week


def _iso_montag(jahr: int, kw: int) -> date:
    return date.fromisocalendar(jahr, kw, 1)
