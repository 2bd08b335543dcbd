"""The grammar of recurring events: „jeden Dienstag“, „alle 14 Tage“, „monatlich am 15.“.

`_SerienLeser` reads a recurrence at the cursor into a `_SerieK` (weekly, daily, the n-th
weekday or a fixed day of the month); `_Parser` (`grammar`) uses it for the series component.
"""

from __future__ import annotations

from om_bot.domain.dates.komponenten import _Gruppe, _SerieK, _SerienArt
from om_bot.domain.dates.tokens import (
    _NAMEN,
    _ORDNUNGSZAHLEN,
    _WOCHENTAG_ADVERBIEN,
    _WOCHENTAGE,
    _Leser,
)
from om_bot.domain.dates.zeitraum import DatumFehler


class _SerienLeser(_Leser):
    """Reads recurrences at the cursor."""

    def _serie_k(self, g: _Gruppe) -> bool:
        if g.ist_ende:
            return False
        merke = self.i
        s = self._serie()
        if s is None:
            self.i = merke
            return False
        s.text = self._text(merke, self.i)
        g.setze_serie(s)
        return True

    def _serie(self) -> _SerieK | None:
        w = self._wort()
        if w in ("jeden", "jede", "jedes", "jeder"):
            self.i += 1
            return self._nach_jeden()
        if w == "alle":
            self.i += 1
            return self._nach_alle()
        if w in ("woechentlich", "vierzehntaegig", "zweiwoechentlich"):
            self.i += 1
            tage = self._wochentag_liste(mit_am=True)
            if not tage:
                raise DatumFehler(f"„{w}“ – an welchem Wochentag?", "wöchentlich am Dienstag")
            return _SerieK(_SerienArt.WOECHENTLICH, tage, intervall=1 if w == "woechentlich" else 2)
        if w == "monatlich":
            self.i += 1
            return self._monatlich(1)
        if w == "taeglich":
            self.i += 1
            return _SerieK(_SerienArt.TAEGLICH)
        if w == "werktags":
            self.i += 1
            return _SerieK(_SerienArt.WOECHENTLICH, (0, 1, 2, 3, 4))
        if w == "immer":
            self.i += 1
            tage = self._wochentag_liste(mit_am=True)
            return _SerieK(_SerienArt.WOECHENTLICH, tage) if tage else None
        if w in _WOCHENTAG_ADVERBIEN:
            return _SerieK(_SerienArt.WOECHENTLICH, self._wochentag_liste(mit_am=False))
        return None

    def _wochentag_liste(self, mit_am: bool) -> tuple[int, ...]:
        """„Dienstag und Donnerstag“, „am Dienstag“, „dienstags“; () if none."""
        merke = self.i
        if mit_am:
            if self._wort() in ("jeweils", "immer"):
                self.i += 1
            if self._wort() == "am":
                self.i += 1
        tage: list[int] = []
        while True:
            w = self._wort() or ""
            tag = _WOCHENTAGE.get(w, _WOCHENTAG_ADVERBIEN.get(w))
            if tag is None:
                break
            if tag not in tage:
                tage.append(tag)
            self.i += 1
            if self._wort() != "und" or (
                (self._wort(1) or "") not in _WOCHENTAGE
                and (self._wort(1) or "") not in _WOCHENTAG_ADVERBIEN
            ):
                break
            self.i += 1
        if not tage:
            self.i = merke
        return tuple(sorted(tage))

    def _ordinal(self, k: int) -> tuple[int, int] | None:
        """An ordinal („zweiten“, „2.“, „letzten“) → (value, token count)."""
        w = self._wort(k)
        if w in _ORDNUNGSZAHLEN:
            return _ORDNUNGSZAHLEN[w or ""], 1
        z = self._zahl(k)
        if z is not None and len(z.roh) <= 2 and self._zeichen(k + 1, ".", dicht=True):
            return int(z.roh), 2
        return None

    def _monatsbezug(self) -> bool:
        """Consume „im Monat“, „des Monats“, „jedes Monats“, „eines Monats“."""
        if self._wort() in ("im", "des", "jedes", "eines") and self._wort(1) in (
            "monat",
            "monats",
            "kalendermonat",
        ):
            self.i += 2
            return True
        return False

    def _nach_jeden(self) -> _SerieK | None:
        w = self._wort()
        if w == "tag":
            self.i += 1
            return _SerieK(_SerienArt.TAEGLICH)
        if w == "werktag":
            self.i += 1
            return _SerieK(_SerienArt.WOECHENTLICH, (0, 1, 2, 3, 4))
        if w == "woche":
            self.i += 1
            tage = self._wochentag_liste(mit_am=True)
            if not tage:
                raise DatumFehler("„jede Woche“ – an welchem Wochentag?", "jede Woche am Dienstag")
            return _SerieK(_SerienArt.WOECHENTLICH, tage)
        if w == "monat":
            self.i += 1
            return self._monatlich(1)
        ordinal = self._ordinal(0)
        if ordinal is not None:
            n, laenge = ordinal
            tag = _WOCHENTAGE.get(self._wort(laenge) or "")
            if tag is None:
                return None
            text = self._text(self.i - 1, self.i + laenge + 1)
            self.i += laenge + 1
            return self._nter_wochentag_serie(n, tag, text, monatlich=False)
        tage = self._wochentag_liste(mit_am=False)
        if not tage:
            return None
        self._monatsbezug()  # „jeden Dienstag im Monat“ is simply every Tuesday
        return _SerieK(_SerienArt.WOECHENTLICH, tage)

    def _nter_wochentag_serie(self, n: int, tag: int, text: str, monatlich: bool) -> _SerieK:
        """„jeden 2. Dienstag [im Monat]“; ``monatlich``: the month is already said."""
        if n not in (1, 2, 3, 4, 5, -1, -2):
            raise DatumFehler(f"„{text}“ gibt es nicht.", "jeden zweiten Dienstag im Monat")
        if not self._monatsbezug() and not monatlich and n not in (1, -1):
            # „jeden zweiten Dienstag“ is commonly "every other Tuesday", but
            # just as often the 2nd Tuesday of the month.
            raise DatumFehler(
                f"„{text}“ ist mehrdeutig: Meinen Sie den {n}. {_NAMEN[tag]} im Monat oder "
                f"alle {n} Wochen am {_NAMEN[tag]}?",
                f"{text} im Monat",
            )
        return _SerieK(_SerienArt.MONATLICH_NTER, (tag,), n=n)

    def _monatlich(self, intervall: int) -> _SerieK:
        """After „monatlich“ / „jeden Monat“ / „alle 2 Monate“: „am 15.“ or „am 2. Dienstag“."""
        merke = self.i
        if self._wort() == "am":
            self.i += 1
        ordinal = self._ordinal(0)
        if ordinal is not None:
            n, laenge = ordinal
            tag = _WOCHENTAGE.get(self._wort(laenge) or "")
            if tag is not None:
                text = self._text(merke, self.i + laenge + 1)
                self.i += laenge + 1
                s = self._nter_wochentag_serie(n, tag, text, monatlich=True)
                s.intervall = intervall
                return s
            if laenge == 2 and 1 <= n <= 31:
                if n > 28:
                    raise DatumFehler(
                        f"Einen {n}. gibt es nicht in jedem Monat. Bitte wählen Sie einen Tag "
                        "bis zum 28. oder „jeden letzten …“.",
                        "jeden letzten Freitag im Monat",
                    )
                self.i += 2
                self._monatsbezug()
                return _SerieK(_SerienArt.MONATLICH_TAG, monatstag=n, intervall=intervall)
        raise DatumFehler("Monatlich – an welchem Tag?", "monatlich am 15.")

    def _nach_alle(self) -> _SerieK | None:
        n = self._anzahl(0)
        einheit = self._wort(1)
        if n is None or einheit is None:
            return None
        if not 1 <= n <= 52:
            raise DatumFehler(f"„alle {n}“ kann ich nicht sinnvoll lesen.", "alle zwei Wochen")
        self.i += 2
        if einheit in ("woche", "wochen"):
            tage = self._wochentag_liste(mit_am=True)
            if not tage:
                raise DatumFehler(
                    f"„alle {n} Wochen“ – an welchem Wochentag?", "alle zwei Wochen am Donnerstag"
                )
            return _SerieK(_SerienArt.WOECHENTLICH, tage, intervall=n)
        if einheit in ("tag", "tage", "tagen"):
            tage = self._wochentag_liste(mit_am=True)
            if not tage:
                return _SerieK(_SerienArt.TAEGLICH, intervall=n)
            if n % 7:
                raise DatumFehler(
                    f"„alle {n} Tage“ passt nicht zu einem festen Wochentag.",
                    "alle 14 Tage am Montag",
                )
            return _SerieK(_SerienArt.WOECHENTLICH, tage, intervall=n // 7)
        if einheit in ("monat", "monate", "monaten"):
            return self._monatlich(n)
        self.i -= 2
        return None
