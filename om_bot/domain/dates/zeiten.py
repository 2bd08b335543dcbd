"""The grammar of clock times: „14 Uhr“, „um 14.30“, „18 Uhr 30“, „halb drei“, „viertel vor vier“.

`_ZeitLeser` reads one time at the cursor into a `_Zeit`; `_Parser` (`grammar`) uses it for
the time component of a group.
"""

from __future__ import annotations

from om_bot.domain.dates.komponenten import _Zeit
from om_bot.domain.dates.tokens import _GRENZWOERTER, _UHR, _ZAHLWOERTER, _Leser, _Tok, _TokArt
from om_bot.domain.dates.zeitraum import DatumFehler


class _ZeitLeser(_Leser):
    """Reads clock times at the cursor."""

    def _uhrzeit(self, eingeleitet: bool) -> _Zeit | None:
        t = self._tok()
        if t is None:
            return None
        w = self._wort()
        if w in ("halb", "viertel", "dreiviertel"):
            return self._uhrzeit_umgangssprachlich(w or "")
        if t.art == _TokArt.ZAHL:
            return self._uhrzeit_ziffern(t, eingeleitet)
        if w in _ZAHLWOERTER:
            wert = _ZAHLWOERTER[w or ""]
            if self._wort(1) in _UHR:
                self.i += 2
                return _Zeit(wert, 0, wert == 0 or wert >= 13, lose=False)
            if eingeleitet:  # „um zehn“
                self.i += 1
                return _Zeit(wert, 0, wert == 0 or wert >= 13, lose=True)
        return None

    def _stunde_1_12(self, k: int) -> int | None:
        wert = self._anzahl(k)
        return wert if wert is not None and 1 <= wert <= 12 else None

    def _uhrzeit_umgangssprachlich(self, w: str) -> _Zeit | None:
        """„halb drei“ = 2:30, „viertel nach drei“ = 3:15, „viertel vor vier“ = 3:45."""
        if w == "halb":
            h, k, minute, vorher = self._stunde_1_12(1), 2, 30, True
        elif w == "dreiviertel":
            h, k, minute, vorher = self._stunde_1_12(1), 2, 45, True
        elif self._wort(1) == "nach":
            h, k, minute, vorher = self._stunde_1_12(2), 3, 15, False
        elif self._wort(1) == "vor":
            h, k, minute, vorher = self._stunde_1_12(2), 3, 45, True
        else:
            return None
        if h is None:
            return None
        if vorher:
            h = h - 1 or 12  # „halb eins“ = 12:30
        self.i += k
        return _Zeit(h, minute, explizit=False, lose=False)

    def _uhrzeit_ziffern(self, t: _Tok, eingeleitet: bool) -> _Zeit | None:
        if len(t.roh) > 2:
            return None
        h = int(t.roh)
        explizit = (len(t.roh) == 2 and t.roh[0] == "0") or h == 0 or h >= 13
        minute_tok = self._zahl(2, dicht=True)
        if self._zeichen(1, ":", dicht=True) and minute_tok is not None:
            if len(minute_tok.roh) != 2:
                return None
            k = 4 if self._wort(3) in _UHR else 3
            return self._zeit_fertig(h, int(minute_tok.roh), explizit, k)
        if self._zeichen(1, ".", dicht=True):
            if minute_tok is None or len(minute_tok.roh) != 2:
                return None  # „12.“ is a day, not a time
            if self._zeichen(3, ".", dicht=True) and self._zahl(4, dicht=True) is not None:
                return None  # 12.03.2027
            if self._wort(3) in _UHR:
                return self._zeit_fertig(h, int(minute_tok.roh), explizit, 4)
            if eingeleitet:  # „um 14.30“
                return self._zeit_fertig(h, int(minute_tok.roh), explizit, 3)
            return None
        if self._wort(1) in _UHR:
            m = self._zahl(2)
            danach = self._tok(3)
            angehaengt = danach is not None and danach.dicht and self._zahl(4, dicht=True)
            if (
                m is not None
                and len(m.roh) == 2
                and not angehaengt
                and (m.dicht or self._grenze(3))
            ):
                return self._zeit_fertig(h, int(m.roh), explizit, 3)  # „18 Uhr 30“
            return self._zeit_fertig(h, 0, explizit, 2)
        if h > 24:
            return None
        self.i += 1
        return _Zeit(h, 0, explizit, lose=True)

    def _grenze(self, k: int) -> bool:
        t = self._tok(k)
        return (
            t is None
            or t.art == _TokArt.ZEICHEN
            or (t.art == _TokArt.WORT and t.norm in _GRENZWOERTER)
        )

    def _zeit_fertig(self, h: int, m: int, explizit: bool, laenge: int) -> _Zeit:
        text = self._text(self.i, self.i + laenge)
        if h > 24 or m > 59 or (h == 24 and m != 0):
            raise DatumFehler(f"Die Uhrzeit „{text}“ gibt es nicht.", "um 14:30 Uhr")
        self.i += laenge
        return _Zeit(h, m, explizit, lose=False)
