"""The grammar of a date phrase: `_Parser` reads the token stream into a `_Phrase`.

A recursive-descent parser: a phrase is a start group and maybe „bis“ and an end group; a
group is a run of components (series, all-day, time of day, date, time).  The dates are read
here; times come from `zeiten`, recurrences from `serien`.  What the phrase means as a span is
decided in `resolve`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from om_bot.domain.dates.komponenten import (
    _DatumK,
    _Gruppe,
    _Komponente,
    _Phrase,
    _TageszeitK,
    _Teil,
    _WocheK,
    _WochentagK,
)
from om_bot.domain.dates.monatstage import _MONATSNAMEN, _MonatsLeser
from om_bot.domain.dates.serien import _SerienLeser
from om_bot.domain.dates.tage import _datum_oder_fehler, _plus_monate
from om_bot.domain.dates.tokens import (
    _EINLEITUNG_DATUM,
    _EINLEITUNG_ZEIT,
    _GANZTAEGIG,
    _MODIFIKATOREN,
    _MONATE,
    _TAGESZEIT_ADVERBIEN,
    _TAGESZEIT_NOMEN,
    _UHR,
    _WOCHEN_VERSATZ,
    _WOCHENTAG_KURZ,
    _WOCHENTAGE,
    _Tageszeit,
    _Tok,
    _TokArt,
    _zwischen_als_bereich,
    _zwischen_als_datumsbereich,
)
from om_bot.domain.dates.zeiten import _ZeitLeser
from om_bot.domain.dates.zeitraum import STANDARD_BEISPIEL, DatumFehler


class _Parser(_SerienLeser, _ZeitLeser, _MonatsLeser):
    """Recursive-descent parser over the token list; ``i`` is the cursor.

    Every ``_x`` method either consumes tokens and returns a result, or restores
    the cursor and returns None/False.  Tokens that look like a date but are
    invalid raise DatumFehler right away.
    """

    def __init__(self, text: str, toks: list[_Tok], heute: date) -> None:
        super().__init__(text, toks)
        self.heute = heute  # today on the wall clock in tz („heute“, „in 3 Tagen“)
        # The start group while the end group is read (bare end times need it).
        self._start_gruppe: _Gruppe | None = None

    # -- phrase and groups ----------------------------------------------------

    def phrase(self) -> _Phrase | None:
        """Read a date phrase starting at the cursor, or return None."""
        von = self.i
        start = self._gruppe(None)
        if start.anzahl == 0:
            # A phrase that starts with „bis“ only names an end.
            if self._wort() == "bis":
                self._bereichstrenner()
                if self._gruppe(start).anzahl:
                    raise DatumFehler(
                        f"„{self._text(von, self.i)}“ nennt nur ein Ende. Wann beginnt der Termin?"
                    )
            self.i = von
            return None
        ende: _Gruppe | None = None
        vor_trenner = self.i
        if self._bereichstrenner():
            ende = self._gruppe(start)
            if ende.anzahl == 0:
                ende = None
                self.i = vor_trenner
        return _Phrase(start, ende, von, self.i)

    def _gruppe(self, start: _Gruppe | None) -> _Gruppe:
        g = _Gruppe(ist_ende=start is not None)
        self._start_gruppe = start
        while self.i < len(self.t):
            merke = self.i
            nach_komma = False
            # A comma may separate parts („Freitag, 18 Uhr“) but is only
            # consumed if a component follows; otherwise it ends the phrase.
            if g.anzahl and self._zeichen(0, ","):
                self.i += 1
                nach_komma = True
            # „am Freitag zwischen 10 und 12 Uhr“: after a day, a span of clock times; at the
            # start of a phrase too („zwischen 10 und 12 Uhr am Freitag“, then the time must
            # be marked as one) and as a span of days („zwischen dem 3. und 5. März“).
            if g.hat_datum() and g.zeit is None and not g.ist_ende:
                _zwischen_als_bereich(self.t, self.i)
            elif g.anzahl == 0 and not g.ist_ende:
                _zwischen_als_datumsbereich(self.t, self.i) or _zwischen_als_bereich(
                    self.t, self.i, markiert=True
                )
            if not self._komponente(g, nach_komma):
                self.i = merke
                break
        return g

    def _komponente(self, g: _Gruppe, nach_komma: bool) -> bool:
        return (
            self._serie_k(g)
            or self._ganztaegig_k(g)
            or self._tageszeit_k(g)
            or self._datum_k(g)
            or self._zeit_k(g, nach_komma)
        )

    # -- components -----------------------------------------------------------

    def _ganztaegig_k(self, g: _Gruppe) -> bool:
        if self._wort() in _GANZTAEGIG:
            self.i += 1
        elif (self._wort(0), self._wort(1), self._wort(2)) == ("den", "ganzen", "tag"):
            self.i += 3
        else:
            return False
        g.ganztaegig = True
        g.anzahl += 1
        g.letzte = _Teil.GANZTAEGIG
        return True

    def _tageszeit_k(self, g: _Gruppe) -> bool:
        merke = self.i
        w = self._wort()
        if w is None:
            return False
        if w in _TAGESZEIT_ADVERBIEN:
            art = _TAGESZEIT_ADVERBIEN[w]
            self.i += 1
        elif w in ("am", "zu") and self._wort(1) in _TAGESZEIT_NOMEN:
            art = _TAGESZEIT_NOMEN[self._wort(1) or ""]
            self.i += 2
        elif w == "in" and self._wort(1) == "der" and self._wort(2) in ("nacht", "frueh"):
            art = _TAGESZEIT_NOMEN[self._wort(2) or ""]
            self.i += 3
        elif w in _TAGESZEIT_NOMEN and g.letzte == _Teil.DATUM:
            # „Freitag Abend“, „heute Morgen“: here „morgen“ is the morning.
            art = _TAGESZEIT_NOMEN[w]
            self.i += 1
        else:
            return False
        g.setze_tageszeit(_TageszeitK(art, self._text(merke, self.i)))
        return True

    def _datum_k(self, g: _Gruppe) -> bool:
        merke = self.i
        praefix = self._wort()
        if praefix in _EINLEITUNG_DATUM:
            self.i += 1
            if praefix in ("ab", "vom") and self._wort() == "dem":
                self.i += 1  # „ab dem 12.“, „zwischen dem 3. …“ (read as „vom“)
        else:
            praefix = None
        # A weekday right before („Freitag 12.03“) makes „12.03“ a date, too.
        nach_wochentag = g.wochentag is not None and g.datum is None
        k = self._datum_ausdruck(mit_praefix=praefix is not None or nach_wochentag)
        if k is None:
            self.i = merke
            return False
        k.text = self._text(merke, self.i)
        if praefix == "ab":
            if not isinstance(k, _DatumK) or g.ist_ende:
                self.i = merke
                return False
            g.setze_ab(k)
        else:
            g.setze(k)
        return True

    def _zeit_k(self, g: _Gruppe, nach_komma: bool) -> bool:
        merke = self.i
        einleitung = self._wort() in _EINLEITUNG_ZEIT
        if einleitung:
            self.i += 1
        direkt_nach_bis = g.ist_ende and g.anzahl == 0
        z = self._uhrzeit(eingeleitet=einleitung or direkt_nach_bis)
        if z is None:
            t = self._tok()
            if (
                t is not None
                and t.art == _TokArt.ZAHL
                and g.letzte == _Teil.DATUM
                and not nach_komma
            ):
                self._zahl_nach_datum(self.i)
            self.i = merke
            return False
        z.text = self._text(merke, self.i)
        if z.lose and not einleitung:
            start = self._start_gruppe
            if direkt_nach_bis:
                start_mittags = start is not None and (
                    start.tageszeit is not None and start.tageszeit.art == _Tageszeit.MITTAGS
                )
                if start is None or (start.zeit is None and not start_mittags):
                    raise DatumFehler(
                        f"Beim Ende „{z.text}“: Ist {z.stunde} Uhr gemeint? Dann fehlt die "
                        "Uhrzeit für den Beginn.",
                        "am 12.03.2027 von 14 bis 16 Uhr",
                    )
            elif not self._bereich_mit_uhr_folgt():
                if g.letzte == _Teil.DATUM and not nach_komma:
                    self._zahl_nach_datum(merke)
                self.i = merke
                return False
        g.setze_zeit(z)
        return True

    def _zahl_nach_datum(self, j: int) -> None:
        """„Freitag 18“: is 18 a time, a year, a count? Ask instead of guessing."""
        t = self.t[j]
        ende = j + 1
        while ende < len(self.t) and self.t[ende].dicht and self.t[ende].norm not in ",;":
            ende += 1
        roh = self._text(j, ende).rstrip(".")
        if len(t.roh) <= 2 and int(t.roh) <= 24:
            raise DatumFehler(
                f"Nach dem Datum steht „{roh}“ ohne „Uhr“. Meinen Sie {roh} Uhr?",
                f"am 12.03.2027 um {roh.replace('.', ':')} Uhr"
                if 7 <= int(t.roh) <= 23
                else STANDARD_BEISPIEL,
            )
        raise DatumFehler(
            f"Nach dem Datum steht „{roh}“, das kann ich nicht zuordnen. Uhrzeiten schreiben "
            "Sie bitte wie „14:00 Uhr“, Jahre direkt im Datum.",
            "am 12. März 2027 um 14:00 Uhr",
        )

    def _bereich_mit_uhr_folgt(self) -> bool:
        """Lookahead for „14-16 Uhr“: a bare start needs a marked end time."""
        merke = self.i
        try:
            if not self._bereichstrenner():
                return False
            z = self._uhrzeit(eingeleitet=True)
            return z is not None and not z.lose
        finally:
            self.i = merke

    # -- dates ----------------------------------------------------------------

    def _datum_ausdruck(self, mit_praefix: bool) -> _Komponente | None:
        leser: tuple[Callable[[bool], _Komponente | None], ...] = (
            self._iso,
            self._monat_wochentag,
            self._ordinal_monat,
            self._numerisch,
            self._tag_monatsname,
            self._relatives_wort,
            self._kalenderwoche,
            self._in_zeitspanne,
            self._woche,
            self._wochentag,
            self._wochentag_kurz,
        )
        for lesen in leser:
            k = lesen(mit_praefix)
            if k is not None:
                return k
        return None

    def _iso(self, _mit_praefix: bool) -> _DatumK | None:
        j = self._zahl(0)
        if (
            j is None
            or len(j.roh) != 4
            or not self._zeichen(1, "-", dicht=True)
            or self._zahl(2, dicht=True) is None
            or not self._zeichen(3, "-", dicht=True)
            or self._zahl(4, dicht=True) is None
        ):
            return None
        m = int(self.t[self.i + 2].roh)
        d = int(self.t[self.i + 4].roh)
        text = self._text(self.i, self.i + 5)
        tag = _datum_oder_fehler(int(j.roh), m, d, text)
        self.i += 5
        # „2027-03-12T15:30“: the ISO separator „T“ glued to the time is skipped.
        t = self._tok()
        if t is not None and t.roh in ("T", "t") and t.dicht and self._zahl(1, dicht=True):
            self.i += 1
        return _DatumK(d, m, tag.year, tag)

    def _numerisch(self, mit_praefix: bool) -> _DatumK | None:
        """12.03.2027, 12.3.27, 12.03. and (after „am“) 12.03."""
        a = self._zahl(0)
        b = self._zahl(2, dicht=True)
        if a is None or b is None or not self._zeichen(1, ".", dicht=True):
            return None
        if len(a.roh) > 2 or len(b.roh) > 2:
            return None
        tag, monat = int(a.roh), int(b.roh)
        jahr: int | None = None
        if self._zeichen(3, ".", dicht=True):
            j = self._zahl(4, dicht=True)
            if j is not None:
                text = self._text(self.i, self.i + 5)
                if len(j.roh) == 2:
                    jahr = 2000 + int(j.roh)
                elif len(j.roh) == 4:
                    jahr = int(j.roh)
                else:
                    raise DatumFehler(f"Das Jahr in „{text}“ ist unklar.", "am 12.03.2027")
                laenge = 5
            elif self._jahr_mit_abstand(4):
                # „14.1. 2027 11 Uhr“: a year after a space.
                jahr, laenge = int(self.t[self.i + 4].roh), 5
                text = self._text(self.i, self.i + 5)
            else:
                laenge = 4
        else:
            # „14.30“ without a trailing dot may be a time; only a prefix like
            # „am“ makes it a date, and „Uhr“ after it makes it a time.
            if self._wort(3) in _UHR or not mit_praefix:
                return None
            laenge = 3
        text = self._text(self.i, self.i + laenge)
        k = self._datum_teile(tag, monat, jahr, text)
        self.i += laenge
        return k

    def _jahr_mit_abstand(self, k: int) -> bool:
        """„2027“ after a space: a year unless it is a time („1400 Uhr“) or a year-like count."""
        j = self._zahl(k)
        return (
            j is not None
            and len(j.roh) == 4
            and 2000 <= int(j.roh) <= 2099
            and self._wort(k + 1) not in _UHR
            and not self._zeichen(k + 1, ":")
            and not self._zeichen(k + 1, ".", dicht=True)
        )

    def _datum_teile(self, tag: int, monat: int, jahr: int | None, text: str) -> _DatumK:
        if not 1 <= monat <= 12:
            raise DatumFehler(
                f"In „{text}“ ist der Monat {monat} ungültig (1–12).", "am 12.03.2027"
            )
        if jahr is not None:
            return _DatumK(tag, monat, jahr, _datum_oder_fehler(jahr, monat, tag, text))
        # 2000 is a leap year: this only rejects days no year has (31.04., 30.02.).
        try:
            date(2000, monat, tag)
        except ValueError:
            raise DatumFehler(
                f"Den {tag}. {_MONATSNAMEN[monat - 1]} gibt es nicht („{text}“).", "am 30.04."
            ) from None
        return _DatumK(tag, monat, None, None)

    def _tag_monatsname(self, mit_praefix: bool) -> _DatumK | None:
        """12. März 2027, 12 März, and the bare day „12.“ of a range."""
        a = self._zahl(0)
        if a is None or len(a.roh) > 2:
            return None
        k = 1
        if self._zeichen(1, ".", dicht=True):
            if self._zahl(2, dicht=True) is not None:
                return None  # 12.03… is handled by _numerisch
            k = 2
        monat = _MONATE.get(self._wort(k) or "")
        if k == 2 and (self._wort(2) or "") in _WOCHENTAGE:
            # „am 2. Dienstag“: a recurring rule or one particular month?
            text = self._text(self.i, self.i + 3)
            raise DatumFehler(
                f"„{text}“ kann ich nicht eindeutig lesen. Für einen wiederkehrenden Termin "
                f"schreiben Sie bitte „jeden {text} im Monat“, sonst das genaue Datum.",
                f"jeden {text} im Monat",
            )
        if monat is None:
            # A bare day („am 12.“, „12.–14.03.2027“) is kept as a partial date;
            # it is only valid as the start of a range.
            if k == 2 and (mit_praefix or self._ist_trenner(2)):
                tag = int(a.roh)
                if not 1 <= tag <= 31:
                    raise DatumFehler(f"Den {tag}. gibt es in keinem Monat.", "am 12.03.2027")
                self.i += 2
                return _DatumK(tag, None, None, None)
            return None
        k += 1
        if self._zeichen(k, ".", dicht=True):  # „12. Jan. 2027“
            k += 1
        jahr = None
        j = self._zahl(k)
        if j is not None and len(j.roh) == 4:
            jahr = int(j.roh)
            k += 1
        text = self._text(self.i, self.i + k)
        ergebnis = self._datum_teile(int(a.roh), monat, jahr, text)
        self.i += k
        return ergebnis

    def _relatives_wort(self, _mit_praefix: bool) -> _DatumK | None:
        versatz = {"heute": 0, "morgen": 1, "uebermorgen": 2}.get(self._wort() or "")
        if versatz is None:
            return None
        tag = self.heute + timedelta(days=versatz)
        self.i += 1
        # „heute in zwei Wochen“, „morgen in einem Monat“: counted from that day (months on
        # that day's date: „morgen in einem Monat“ on 30 January is the 31st of February,
        # which is refused, not moved).
        spaeter = self._in_zeitspanne(False, ab=tag)
        if spaeter is not None:
            return spaeter
        return _DatumK(tag.day, tag.month, tag.year, tag, relativ=True)

    def _in_zeitspanne(self, _mit_praefix: bool, ab: date | None = None) -> _DatumK | None:
        """„in 3 Tagen“, „in zwei Wochen“, „in einem Monat“, „in einem Jahr“ (from ``ab``)."""
        if self._wort() != "in":
            return None
        n = self._anzahl(1)
        einheit = self._wort(2)
        if n is None or einheit is None:
            return None
        text = self._text(self.i - (ab is not None), self.i + 3)  # with „morgen“ before it
        if einheit in ("tag", "tage", "tagen"):
            tage = n
        elif einheit in ("woche", "wochen"):
            tage = 7 * n
        elif einheit in ("monat", "monate", "monaten", "jahr", "jahre", "jahren"):
            tage = -1
        else:
            return None
        if not 1 <= n <= 999:
            raise DatumFehler(f"„{text}“ kann ich nicht sinnvoll lesen.", "in 3 Tagen")
        basis = self.heute if ab is None else ab
        if tage >= 0:
            tag = basis + timedelta(days=tage)
        else:
            faktor = 1 if einheit.startswith("monat") else 12
            tag = _plus_monate(basis, n * faktor, text)
        self.i += 3
        return _DatumK(tag.day, tag.month, tag.year, tag)

    def _woche(self, _mit_praefix: bool) -> _WocheK | None:
        """„nächste Woche“, „Dienstag der nächsten Woche“, „in der kommenden Woche“."""
        k = 0
        if self._wort(0) == "in" and self._wort(1) == "der":
            k = 2
        elif self._wort(0) == "der":
            k = 1
        art = _MODIFIKATOREN.get(self._wort(k) or "")
        if art is None or self._wort(k + 1) != "woche":
            return None
        self.i += k + 2
        return _WocheK(_WOCHEN_VERSATZ[art])

    def _wochentag(self, _mit_praefix: bool) -> _WochentagK | None:
        art = _MODIFIKATOREN.get(self._wort(0) or "")
        k = 0 if art is None else 1
        tag = _WOCHENTAGE.get(self._wort(k) or "")
        if tag is None:
            return None
        self.i += k + 1
        return _WochentagK(tag, art)

    def _wochentag_kurz(self, mit_praefix: bool) -> _WochentagK | None:
        """„Fr, 12.03.2027“: abbreviations only count directly before a date."""
        tag = _WOCHENTAG_KURZ.get(self._wort() or "")
        if tag is None:
            return None
        k = 1
        if self._zeichen(k, ".", dicht=True):
            k += 1
        if self._zeichen(k, ","):
            k += 1
        if self._wort(k) == "den":
            k += 1
        if self._zahl(k) is not None and (
            self._zeichen(k + 1, ".", dicht=True) or self._zeichen(k + 1, "-", dicht=True)
        ):
            self.i += k
            return _WochentagK(tag, None, pruefung=True)
        punkt = self._zeichen(1, ".", dicht=True)
        k = 2 if punkt else 1
        if self._wort() == "so":
            # „so“ is a common word („am so genannten …“, „so gegen 10 Uhr“, „so um 10“): it
            # is Sunday only written „So“ and followed by a clock time – right after it
            # („So 10 Uhr“), or with „um“ after its dot or after „am“ („So. um 10“,
            # „am So um 18 Uhr“).  Before a date (above) it only checks that date anyway.
            if self.t[self.i].roh not in ("So", "SO") or not self._uhrzeit_folgt(k):
                return None
            if self._zahl(k) is None and not (punkt or mit_praefix):
                return None
            self.i += k
            return _WochentagK(tag, None)
        # „am Fr um 18 Uhr“: after a prefix the abbreviation is the weekday itself.
        if mit_praefix:
            self.i += k
            return _WochentagK(tag, None)
        # „Mo 10 Uhr“, „Fr. 14:00“: a clock time right after it makes it the weekday, too.
        if self._uhrzeit_folgt(k):
            self.i += k
            return _WochentagK(tag, None)
        return None
