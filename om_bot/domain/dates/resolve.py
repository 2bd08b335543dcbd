"""Resolution: a parsed `_Phrase` becomes a `Zeitraum`.

`_Aufloeser` is the resolving half of the former `_Parser`, moved out unchanged: it reads no
tokens, only the components, and needs nothing but ``now`` (as wall clock in ``tz``), the zone
and the default duration.  Here the days are found (weekdays, weeks, yearless dates, ranges),
the times applied (times of day, ambiguous hours, ends across midnight), series get their first
occurrence, and the wall clock is localized (refusing the DST gap and fold).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from om_bot.domain.dates.format import _tag_mit_name, datum_text
from om_bot.domain.dates.komponenten import (
    _DatumK,
    _Gruppe,
    _Phrase,
    _SerieK,
    _SerienArt,
    _TageszeitK,
    _WocheK,
    _WochentagK,
    _Zeit,
)
from om_bot.domain.dates.tage import _datum_oder_fehler, _nter_wochentag, _tageszeit_stunde
from om_bot.domain.dates.tokens import _NAMEN, _Modifikator, _Tageszeit
from om_bot.domain.dates.zeitraum import DatumFehler, Zeitraum

# A yearless date that passed at most this many days ago is more likely a typo
# than a date a year ahead, so we ask instead of jumping to next year.
_NACHFRIST_TAGE = 90


class _Aufloeser:
    """Turns the components of a phrase into days, times and finally a `Zeitraum`."""

    def __init__(self, jetzt: datetime, tz: ZoneInfo, dauer: timedelta) -> None:
        self.tz = tz
        self.dauer = dauer
        self.jetzt = jetzt.replace(tzinfo=None)  # wall clock in tz
        self.heute = self.jetzt.date()

    def aufloesen(self, ph: _Phrase) -> Zeitraum:
        start, ende = ph.start, ph.ende
        if start.serie is not None:
            return self._serie_aufloesen(ph)
        if start.ab_datum is not None:
            raise DatumFehler(
                f"„{start.ab_datum.text}“ verstehe ich nur bei wiederkehrenden Terminen. "
                "An welchem Tag findet der Termin statt?",
                "am 12.03.2027 um 14 Uhr",
            )
        start_tag, end_tag = self._daten(start, ende)
        return self._bauen(start_tag, end_tag, start, ende, None)

    def _daten(self, start: _Gruppe, ende: _Gruppe | None) -> tuple[date, date | None]:
        if not start.hat_datum():
            if ende is not None and ende.hat_datum() and ende.datum_nach_zeit:
                # „von 14 bis 16 Uhr am Freitag“: a trailing day covers the whole
                # range.  („14 Uhr bis Freitag 16 Uhr“ names only the end day.)
                return self._gruppen_datum(ende, None), None
            raise DatumFehler("Bitte geben Sie auch an, an welchem Tag der Termin beginnt.")
        if ende is None or not ende.hat_datum():
            return self._gruppen_datum(start, None), None
        k1, k2 = start.datum, ende.datum
        ende_hat_jahr = k2 is not None and k2.fest is not None
        if k1 is not None and k1.fest is None and (k1.monat is None or ende_hat_jahr):
            # „vom 12. bis 14. März 2027“: the start borrows month/year from the end.
            end_tag = self._gruppen_datum(ende, None)
            start_tag = self._erben(k1, end_tag)
            self._wochentag_pruefen(start, start_tag)
        else:
            start_tag = self._gruppen_datum(start, None)
            end_tag = self._gruppen_datum(ende, start_tag)
        if end_tag < start_tag:
            raise DatumFehler(
                f"Das Ende ({datum_text(end_tag)}) liegt vor dem Beginn ({datum_text(start_tag)}).",
                "vom 12. bis 14. März 2027",
            )
        return start_tag, end_tag

    def _erben(self, k: _DatumK, bezug: date) -> date:
        if k.monat is None:
            return _datum_oder_fehler(bezug.year, bezug.month, k.tag, k.text)
        for jahr in (bezug.year, bezug.year - 1):
            try:
                tag = date(jahr, k.monat, k.tag)
            except ValueError:
                continue
            if tag <= bezug:
                return tag
        raise DatumFehler(f"„{k.text}“ passt nicht vor das Ende ({datum_text(bezug)}).")

    def _gruppen_datum(self, g: _Gruppe, bezug: date | None) -> date:
        """The day named by a group; ``bezug`` is the start day when g is the end."""
        k = g.datum
        if k is not None:
            if g.woche is not None:
                raise DatumFehler(f"„{g.woche.text}“ und „{k.text}“ zugleich – welches Datum gilt?")
            if k.fest is not None:
                tag = k.fest
            elif k.monat is None:
                if bezug is None:
                    raise DatumFehler(f"Bei „{k.text}“ fehlt der Monat.", "am 12.03.2027")
                tag = _datum_oder_fehler(bezug.year, bezug.month, k.tag, k.text)
            elif bezug is None:
                tag = self._ohne_jahr(k)
            else:
                tag = self._ab_bezug(k, bezug)
            self._wochentag_pruefen(g, tag)
            return tag
        wt = g.wochentag
        if wt is not None and not wt.pruefung:
            if bezug is not None and wt.modifikator is None and g.woche is None:
                # „Freitag bis Sonntag“: the end weekday counts from the start.
                return bezug + timedelta(days=(wt.tag - bezug.weekday()) % 7)
            return self._wochentag_datum(wt, g.woche)
        if g.woche is not None:
            raise DatumFehler(
                f"„{g.woche.text}“ – an welchem Tag genau?", f"{g.woche.text} am Dienstag"
            )
        raise DatumFehler("Bitte geben Sie ein Datum an.")

    def _ohne_jahr(self, k: _DatumK) -> date:
        assert k.monat is not None
        for jahr in (self.heute.year, self.heute.year + 1):
            try:
                tag = date(jahr, k.monat, k.tag)
            except ValueError:
                continue
            if tag >= self.heute:
                return tag
            if (self.heute - tag).days <= _NACHFRIST_TAGE:
                naechstes = f"{k.tag:02d}.{k.monat:02d}.{jahr + 1}"
                raise DatumFehler(
                    f"Der {k.tag:02d}.{k.monat:02d}. ist gerade vorbei ({datum_text(tag)}). "
                    f"Meinen Sie den {naechstes}? Dann schreiben Sie bitte das Jahr dazu.",
                    f"am {naechstes}",
                )
        raise DatumFehler(
            f"Den {k.tag:02d}.{k.monat:02d}. gibt es in den nächsten zwölf Monaten nicht. "
            "Bitte geben Sie das Jahr an.",
            "am 29.02.2028",
        )

    def _ab_bezug(self, k: _DatumK, bezug: date) -> date:
        """A yearless end date: the first occurrence on or after the start day."""
        assert k.monat is not None
        for jahr in (bezug.year, bezug.year + 1):
            try:
                tag = date(jahr, k.monat, k.tag)
            except ValueError:
                continue
            if tag >= bezug:
                return tag
        raise DatumFehler(f"Bei „{k.text}“ fehlt das Jahr.", "bis 14.03.2027")

    def _wochentag_pruefen(self, g: _Gruppe, tag: date) -> None:
        wt = g.wochentag
        if wt is not None and wt.tag != tag.weekday():
            raise DatumFehler(
                f"Der {datum_text(tag)} ist ein {_NAMEN[tag.weekday()]}, kein {_NAMEN[wt.tag]}. "
                "Welcher Tag ist gemeint?",
                f"am {_tag_mit_name(tag)}",
            )

    def _wochentag_datum(self, wt: _WochentagK, woche: _WocheK | None) -> date:
        heute = self.heute
        montag = heute - timedelta(days=heute.weekday())
        name = _NAMEN[wt.tag]
        if woche is not None or wt.modifikator == _Modifikator.DIES:
            if woche is not None and wt.modifikator is not None:
                raise DatumFehler(f"„{wt.text}“ und „{woche.text}“ zugleich – was gilt?")
            if woche is not None and woche.montag is not None:
                tag = woche.montag + timedelta(days=wt.tag)
                if tag < heute:
                    raise DatumFehler(
                        f"{name} in „{woche.text}“ ({datum_text(tag)}) ist schon vorbei. "
                        "Welcher Tag ist gemeint?",
                        f"{woche.text} am {name}",
                    )
                return tag
            versatz = woche.versatz if woche is not None else 0
            tag = montag + timedelta(days=7 * versatz + wt.tag)
            if tag < heute:
                raise DatumFehler(
                    f"{name} dieser Woche ({datum_text(tag)}) ist schon vorbei. Meinen Sie "
                    f"{name} nächste Woche ({datum_text(tag + timedelta(days=7))})?",
                    f"{name} nächste Woche",
                )
            return tag
        if wt.modifikator is None:
            if wt.tag == heute.weekday():
                raise DatumFehler(
                    f"Heute ist {name}. Meinen Sie heute ({datum_text(heute)}) oder {name} "
                    f"nächste Woche ({datum_text(heute + timedelta(days=7))})?",
                    f"{name} nächste Woche",
                )
            return heute + timedelta(days=(wt.tag - heute.weekday()) % 7)
        # „nächsten Freitag“: the next Friday strictly after today.
        tage = (wt.tag - heute.weekday() - 1) % 7 + 1
        if wt.modifikator == _Modifikator.UEBERNAECHST:
            tage += 7
        return heute + timedelta(days=tage)

    # -- times and the final span -----------------------------------------------

    def _zeit_der_gruppe(self, g: _Gruppe) -> tuple[_Zeit | None, _TageszeitK | None]:
        z, q = g.zeit, g.tageszeit
        if z is None and q is not None:
            if q.art == _Tageszeit.MITTAGS:
                return _Zeit(12, 0, explizit=True, lose=False, text=q.text), None
            raise DatumFehler(
                f"„{q.text}“ ist mir zu ungenau. Um wie viel Uhr?", "morgen um 19 Uhr"
            )
        return z, q

    def _start_uhrzeit(
        self, start: _Gruppe, ende: _Gruppe | None, tag: date | None
    ) -> tuple[int, int] | None:
        z, q = self._zeit_der_gruppe(start)
        if z is None:
            return None
        if start.ganztaegig:
            raise DatumFehler(f"„ganztägig“ und „{z.text}“ widersprechen sich.")
        gleicher_tag = ende is not None and (
            not ende.hat_datum() or (ende.datum_nach_zeit and not start.hat_datum())
        )
        if q is None and ende is not None and gleicher_tag:
            # „von 8 bis 11 Uhr abends“: the time of day after the end covers both.
            q2 = ende.tageszeit
            if q2 is not None and _tageszeit_stunde(z.stunde, z.explizit, q2.art) is not None:
                q = q2
        if z.stunde == 24:
            raise DatumFehler(f"„{z.text}“ als Beginn ist unklar. Meinen Sie 0:00 Uhr am Folgetag?")
        if q is not None:
            h = _tageszeit_stunde(z.stunde, z.explizit, q.art)
            if h is None:
                raise DatumFehler(f"„{z.text}“ und „{q.text}“ passen nicht zusammen.")
            return h, z.minute
        if z.mehrdeutig:
            tag_text = f"am {datum_text(tag)}" if tag is not None else "am 12.03.2027"
            raise DatumFehler(
                f"„{z.text}“ ist mehrdeutig – meinen Sie {z.stunde:02d}:{z.minute:02d} oder "
                f"{z.stunde + 12}:{z.minute:02d} Uhr?",
                f"{tag_text} um {z.stunde + 12}:{z.minute:02d}",
            )
        return z.stunde, z.minute

    def _end_wand(
        self, z: _Zeit, q: _TageszeitK | None, start: datetime, end_tag: date | None
    ) -> datetime:
        """The wall-clock end for an end time, following the rules in the module doc."""
        basis = end_tag or start.date()
        if z.stunde == 24:
            if q is not None:
                raise DatumFehler(f"„{z.text}“ und „{q.text}“ passen nicht zusammen.")
            return datetime.combine(basis + timedelta(days=1), time())
        if q is not None:
            h = _tageszeit_stunde(z.stunde, z.explizit, q.art)
            if h is None:
                raise DatumFehler(f"„{z.text}“ und „{q.text}“ passen nicht zusammen.")
            stunden = [h]
        elif z.mehrdeutig:
            stunden = [z.stunde, z.stunde + 12]
        else:
            stunden = [z.stunde]
        if end_tag is None or end_tag == start.date():
            kandidaten = [datetime.combine(start.date(), time(h, z.minute)) for h in stunden]
            danach = [k for k in kandidaten if k > start]
            if danach:
                return min(danach)
            if end_tag is None and start.hour >= 18 and stunden[0] * 60 + z.minute <= 360:
                morgen = start.date() + timedelta(days=1)
                return datetime.combine(morgen, time(stunden[0], z.minute))
            raise DatumFehler(
                f"Das Ende ({z.text.removeprefix('bis ')}) liegt vor dem Beginn "
                f"({start:%H:%M} Uhr). Geht der Termin über Mitternacht, nennen Sie bitte "
                "auch das Enddatum.",
                "am 12.03.2027 22:00 bis 13.03.2027 01:00",
            )
        if len(stunden) == 1 or (end_tag == start.date() + timedelta(days=1) and start.hour >= 18):
            return datetime.combine(end_tag, time(stunden[0], z.minute))
        raise DatumFehler(
            f"„{z.text}“ ist mehrdeutig – meinen Sie {stunden[0]:02d}:{z.minute:02d} oder "
            f"{stunden[1]}:{z.minute:02d} Uhr?",
            f"bis {datum_text(end_tag)} {stunden[1]}:{z.minute:02d}",
        )

    def _lokal(self, wand: datetime) -> datetime:
        """Attach the zone to a wall-clock time, refusing gaps and repeated times."""
        dt = wand.replace(tzinfo=self.tz)
        rund = dt.astimezone(UTC).astimezone(self.tz)
        zeitpunkt = f"{wand:%H:%M} Uhr am {datum_text(wand.date())}"
        if rund.replace(tzinfo=None) != wand:
            raise DatumFehler(
                f"{zeitpunkt} gibt es wegen der Zeitumstellung nicht "
                "(die Uhr wird vorgestellt). Bitte wählen Sie eine andere Uhrzeit.",
                f"am {datum_text(wand.date())} um 10:00",
            )
        if dt.utcoffset() != dt.replace(fold=1).utcoffset():
            raise DatumFehler(
                f"{zeitpunkt} gibt es wegen der Zeitumstellung zweimal "
                "(die Uhr wird zurückgestellt). Bitte wählen Sie eine andere Uhrzeit.",
                f"am {datum_text(wand.date())} um 10:00",
            )
        return dt

    def _bauen(
        self,
        start_tag: date,
        end_tag: date | None,
        start: _Gruppe,
        ende: _Gruppe | None,
        rrule: str | None,
    ) -> Zeitraum:
        hm = self._start_uhrzeit(start, ende, start_tag)
        z2, q2 = self._zeit_der_gruppe(ende) if ende is not None else (None, None)
        if hm is None:
            if z2 is not None:
                raise DatumFehler(
                    "Für das Ende ist eine Uhrzeit angegeben, für den Beginn nicht.",
                    "am 12.03.2027 von 14 bis 16 Uhr",
                )
            letzter = end_tag or start_tag
            return Zeitraum(
                self._lokal(datetime.combine(start_tag, time())),
                self._lokal(datetime.combine(letzter + timedelta(days=1), time())),
                ganztaegig=True,
                rrule=rrule,
            )
        if _kommende_nacht(start, hm[0]):
            # „heute Nacht um 1“: the coming night, i.e. 01:00 of the next day.
            if start_tag == self.heute and self.jetzt.hour < 6:
                raise DatumFehler(
                    f"Es ist schon nach Mitternacht. Meinen Sie heute ({datum_text(start_tag)}) "
                    f"um {hm[0]:02d}:{hm[1]:02d} oder die nächste Nacht?",
                    f"am {datum_text(start_tag)} um {hm[0]:02d}:{hm[1]:02d}",
                )
            start_tag += timedelta(days=1)
        start_wand = datetime.combine(start_tag, time(*hm))
        beginn = self._lokal(start_wand)
        if z2 is None:
            if end_tag is not None:
                raise DatumFehler(
                    "Bitte geben Sie für das Ende auch eine Uhrzeit an.",
                    "am 12.03.2027 22:00 bis 13.03.2027 01:00",
                )
            # Default duration = real elapsed time, computed in UTC so that a
            # DST switch inside the span does not stretch or shrink it.
            schluss = (beginn.astimezone(UTC) + self.dauer).astimezone(self.tz)
            return Zeitraum(beginn, schluss, ganztaegig=False, rrule=rrule, ohne_ende=True)
        schluss = self._lokal(self._end_wand(z2, q2, start_wand, end_tag))
        if schluss.astimezone(UTC) <= beginn.astimezone(UTC):
            raise DatumFehler(
                f"Das Ende ({schluss:%H:%M} Uhr) liegt nicht nach dem Beginn ({beginn:%H:%M} Uhr)."
            )
        return Zeitraum(beginn, schluss, ganztaegig=False, rrule=rrule)

    def _serie_aufloesen(self, ph: _Phrase) -> Zeitraum:
        start, ende = ph.start, ph.ende
        s = start.serie
        assert s is not None
        if start.hat_datum():
            raise DatumFehler(
                f"„{s.text}“ und ein einzelnes Datum zugleich – was gilt?",
                "jeden Dienstag ab dem 12.01.2027 um 10 Uhr",
            )
        if ende is not None and ende.hat_datum():
            raise DatumFehler(
                "Ein Enddatum für wiederkehrende Termine kann ich noch nicht verarbeiten.",
                "jeden Dienstag um 10 Uhr",
            )
        ab = self.heute
        if start.ab_datum is not None:
            k = start.ab_datum
            if k.monat is None:
                raise DatumFehler(f"Bei „{k.text}“ fehlt der Monat.", "ab dem 12.01.2027")
            ab = k.fest if k.fest is not None else self._ohne_jahr(k)
        hm = self._start_uhrzeit(start, ende, None)
        erster = self._erstes_vorkommen(s, ab, hm)
        return self._bauen(erster, None, start, ende, s.rrule())

    def _erstes_vorkommen(self, s: _SerieK, ab: date, hm: tuple[int, int] | None) -> date:
        def zulaessig(tag: date) -> bool:
            if tag < ab or tag < self.heute:
                return False
            return tag > self.heute or hm is None or time(*hm) >= self.jetzt.time()

        if s.art in (_SerienArt.WOECHENTLICH, _SerienArt.TAEGLICH):
            for k in range(15):
                tag = ab + timedelta(days=k)
                if (s.art == _SerienArt.TAEGLICH or tag.weekday() in s.tage) and zulaessig(tag):
                    return tag
        else:
            for k in range(25):  # a 5th weekday occurs at least every few months
                jahr, monat = divmod(ab.year * 12 + ab.month - 1 + k, 12)
                if s.art == _SerienArt.MONATLICH_TAG:
                    kandidat: date | None = date(jahr, monat + 1, s.monatstag)
                else:
                    kandidat = _nter_wochentag(jahr, monat + 1, s.n, s.tage[0])
                if kandidat is not None and zulaessig(kandidat):
                    return kandidat
        raise DatumFehler(f"Für „{s.text}“ finde ich keinen Termin.", "jeden Dienstag um 10 Uhr")


def _kommende_nacht(g: _Gruppe, stunde: int) -> bool:
    """„heute Nacht um 1“, „morgen Nacht um 2“: an hour after midnight of that night."""
    tageszeit, datum = g.tageszeit, g.datum
    return (
        tageszeit is not None
        and tageszeit.art == _Tageszeit.NACHTS
        and datum is not None
        and datum.relativ
        and stunde < 6
    )
