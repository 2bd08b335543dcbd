"""A weekday inside a named month: „im Mai am ersten Donnerstag“, „am letzten Freitag im Juni“.

With an ordinal the day is certain (the n-th weekday of the month's next occurrence); without
one („am Dienstag im April“) April has four or five Tuesdays, so DatumFehler lists them.
"""

from __future__ import annotations

from datetime import date, timedelta

from om_bot.domain.dates.format import datum_text
from om_bot.domain.dates.komponenten import _DatumK
from om_bot.domain.dates.resolve import _NACHFRIST_TAGE
from om_bot.domain.dates.tage import _nter_wochentag
from om_bot.domain.dates.tokens import _MONATE, _NAMEN, _ORDNUNGSZAHLEN, _WOCHENTAGE, _Leser
from om_bot.domain.dates.zeitraum import DatumFehler

_MONATSNAMEN = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
)  # fmt: skip


class _MonatsLeser(_Leser):
    heute: date

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
