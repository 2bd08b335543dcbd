"""Reading a text: `parse_when` (a whole phrase) and `find_when` (the phrase inside a command).

They tokenize, let `_Parser` read the phrase, apply the safety rules around it (text after the
phrase, blocking words before it, a second date/time phrase) and let `_Aufloeser` resolve it;
when the own grammar finds no date at all, the dateparser fallback (`fremd`) may rewrite the
text once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from om_bot.domain.dates.format import _tag_mit_name, format_zeitraum
from om_bot.domain.dates.fremd import _fremde_daten
from om_bot.domain.dates.grammar import _Parser
from om_bot.domain.dates.komponenten import _Gruppe, _Phrase
from om_bot.domain.dates.resolve import _Aufloeser
from om_bot.domain.dates.reste import (
    ENGLISCH,
    Vertipper,
    tippfehler,
    tippfehler_daneben,
    uebrige_datumswoerter,
)
from om_bot.domain.dates.tokens import _BLOCKER, _TokArt, _tokenisieren
from om_bot.domain.dates.zeitraum import (
    _FIND_BEISPIEL,
    MAX_LAENGE,
    MAX_PHRASE,
    DatumFehler,
    Zeitraum,
    _KeinDatum,
)


def _zitat(text: str, laenge: int = 60) -> str:
    """User text for an error message, shortened so that huge inputs stay readable."""
    text = " ".join(text.split())
    return text if len(text) <= laenge else text[: laenge - 1] + "…"


def _vorbereiten(
    text: str, now: datetime, tz: ZoneInfo, default_duration: timedelta, hoechstens: int
) -> tuple[str, _Parser, _Aufloeser]:
    if now.tzinfo is None:
        raise TypeError("now muss zeitzonenbehaftet sein")
    if default_duration <= timedelta(0):
        raise ValueError("default_duration muss positiv sein")
    text = unicodedata.normalize("NFC", text)  # „a“ + combining diaeresis → „ä“
    if len(text) > hoechstens:
        raise DatumFehler(
            f"Der Text ist zu lang ({len(text)} Zeichen, höchstens {hoechstens}). "
            "Bitte nennen Sie den Termin kürzer."
        )
    aufloeser = _Aufloeser(now.astimezone(tz), tz, default_duration)
    return text, _Parser(text, _tokenisieren(text), aufloeser.heute), aufloeser


def parse_when(
    text: str, now: datetime, tz: ZoneInfo, default_duration: timedelta = timedelta(hours=2)
) -> Zeitraum:
    """Parse a complete date/time phrase such as „am 12.03.2027 um 14:00 bis 16:00“.

    The whole text must be understood (trailing „.“ or „!“ aside); otherwise
    DatumFehler names the part that was read and the part that was not.
    """
    try:
        return _parse_when(text, now, tz, default_duration)
    except _KeinDatum:
        umgeschrieben = _fremde_daten(unicodedata.normalize("NFC", text))
        if umgeschrieben is None:
            _englisch_pruefen(text)
            raise
        return _parse_when(umgeschrieben, now, tz, default_duration)


def _parse_when(text: str, now: datetime, tz: ZoneInfo, default_duration: timedelta) -> Zeitraum:
    text, p, aufloeser = _vorbereiten(text, now, tz, default_duration, MAX_PHRASE)
    if not p.t:
        raise DatumFehler("Bitte geben Sie ein Datum an.")
    ph = p.phrase()
    if ph is None:
        _tippfehler_pruefen(p)
        raise _KeinDatum(f"„{_zitat(text)}“ kann ich nicht als Datum lesen.")
    rest = [t for t in p.t[ph.bis :] if not (t.art == _TokArt.ZEICHEN and t.norm in ".!")]
    if rest:
        _englisch_pruefen(text[rest[0].start :])
        raise DatumFehler(
            f"„{_zitat(p._text(ph.von, ph.bis))}“ habe ich verstanden, "
            f"„{_zitat(text[rest[0].start :])}“ aber nicht."
        )
    if not ph.hat_anker():
        if ph.ende is not None and ph.ende.hat_datum():
            raise DatumFehler(
                f"„{p._text(ph.von, ph.bis)}“ nennt nur den Tag des Endes. "
                "An welchem Tag beginnt der Termin?",
                "Freitag 14 Uhr bis Samstag 16 Uhr",
            )
        raise DatumFehler(
            f"„{p._text(ph.von, ph.bis)}“ nennt keinen Tag. An welchem Tag ist der Termin?",
            f"morgen {p._text(ph.von, ph.bis)}",
        )
    return aufloeser.aufloesen(ph)


def find_when(
    text: str, now: datetime, tz: ZoneInfo, default_duration: timedelta = timedelta(hours=2)
) -> tuple[str, Zeitraum, str]:
    """Locate the date phrase in a command text: ``(before, zeitraum, after)``.

    ``"Sommerfest nächsten Freitag um 18 Uhr in Bremen"`` →
    ``("Sommerfest", Zeitraum(...), "in Bremen")``.  See the module docstring for
    the safety rules (second date phrases, blocking words).  A misspelt weekday or month
    („Mitwoch“) is read as the name when that is unique and the corrected text reads; the
    result's ``korrekturen`` name it.
    """
    text = unicodedata.normalize("NFC", text)
    try:
        fund = _find_when_mit_rueckfall(text, now, tz, default_duration)
    except _Tippfehler as tippfehler:
        fund, korrektur = _korrigiert_lesen(tippfehler, now, tz, default_duration)
        return fund.vorher, replace(fund.zeitraum, korrekturen=(korrektur,)), fund.nachher
    return fund.vorher, fund.zeitraum, fund.nachher


def _korrigiert_lesen(
    tippfehler: _Tippfehler, now: datetime, tz: ZoneInfo, default_duration: timedelta
) -> tuple[_Fund, tuple[str, str]]:
    """Read the text with the one name the typo is near; else ask (`tippfehler` itself).

    One typo per text: a second one is asked back, and so is a name that the phrase read
    does not contain (it would still be left over).
    """
    v = tippfehler.vertipper
    if len(v.kandidaten) != 1:
        raise tippfehler  # two names equally near
    richtig = v.kandidaten[0]
    text = tippfehler.text[: v.start] + richtig + tippfehler.text[v.ende :]
    try:
        fund = _find_when_mit_rueckfall(text, now, tz, default_duration)
    except (_Tippfehler, _KeinDatum):
        raise tippfehler from None
    except DatumFehler as fehler:
        raise _gelesen_als(v.falsch, richtig, fehler) from None
    if not (fund.von <= v.start and v.start + len(richtig) <= fund.bis):
        raise tippfehler
    return fund, (v.falsch, richtig)


class _Fund(NamedTuple):
    vorher: str
    zeitraum: Zeitraum
    nachher: str
    von: int  # the phrase's place in the text it was read from
    bis: int


class _Tippfehler(DatumFehler):
    """A weekday or month misspelt (`reste.tippfehler`); ``text`` is the text it was found in."""

    def __init__(self, vertipper: Vertipper, text: str) -> None:
        self.vertipper = vertipper
        self.text = text
        falsch, namen = vertipper.falsch, vertipper.kandidaten
        frage = " oder ".join(f"„{n}“" for n in namen)
        beispiel = text[: vertipper.start] + namen[0] + text[vertipper.ende :]
        super().__init__(
            f"„{falsch}“ kenne ich nicht als Datum – meinen Sie {frage}?",
            _zitat(beispiel),
            ganzer_text=True,
        )


def _gelesen_als(falsch: str, richtig: str, fehler: DatumFehler) -> DatumFehler:
    """The corrected text did not read: its own question, saying what was corrected."""
    return DatumFehler(
        f"„{falsch}“ (gelesen als {richtig}): {fehler.meldung}",
        fehler.beispiel,
        ganzer_text=fehler.ganzer_text,
    )


def _find_when_mit_rueckfall(
    text: str, now: datetime, tz: ZoneInfo, default_duration: timedelta
) -> _Fund:
    try:
        return _find_when(text, now, tz, default_duration)
    except _KeinDatum:
        umgeschrieben = _fremde_daten(text)
        if umgeschrieben is None:
            _englisch_pruefen(text)
            raise
        return _find_when(umgeschrieben, now, tz, default_duration)


def _find_when(text: str, now: datetime, tz: ZoneInfo, default_duration: timedelta) -> _Fund:
    text, p, aufloeser = _vorbereiten(text, now, tz, default_duration, MAX_LAENGE)
    gefunden: _Phrase | None = None
    nur_zeit: _Phrase | None = None
    p.i = 0
    while p.i < len(p.t):
        merke = p.i
        ph = p.phrase()
        if ph is None:
            p.i = merke + 1
        elif ph.hat_anker():
            gefunden = ph
            break
        else:
            nur_zeit = nur_zeit or ph
            p.i = ph.bis
    if gefunden is None:
        _tippfehler_pruefen(p)
        if nur_zeit is not None:
            zeit = p._text(nur_zeit.von, nur_zeit.bis)
            raise _KeinDatum(
                f"„{zeit}“ habe ich als Uhrzeit erkannt, aber es fehlt der Tag.",
                f"morgen {zeit}",
            )
        am = next((j for j, t in enumerate(p.t[:-1]) if t.norm in ("am", "vom", "ab", "den")), None)
        if am is not None:
            raise _KeinDatum(f"„{_zitat(p._text(am, am + 2))}“ kann ich nicht als Datum lesen.")
        raise _KeinDatum("Ich konnte im Text kein Datum erkennen.", _FIND_BEISPIEL)
    # A misspelt name next to the phrase („am 12. Märtz“) explains what follows (a second
    # phrase, a left-over word): it comes first.
    tippfehler = tippfehler_daneben(p.t, gefunden.von, gefunden.bis)
    if tippfehler is not None:
        raise _Tippfehler(tippfehler, text)
    lage = (now, tz, default_duration)
    phrase_text = p._text(gefunden.von, gefunden.bis)
    if nur_zeit is not None:
        ohne_blocker = not (_blocker_davor(p, nur_zeit.von) or _blocker_davor(p, gefunden.von))
        raise _mehrere(
            p._text(nur_zeit.von, nur_zeit.bis), phrase_text, lage if ohne_blocker else None
        )
    _blocker_pruefen(p, gefunden)
    _weitere_pruefen(p, gefunden, phrase_text, lage)
    uebrig = uebrige_datumswoerter(p.t, gefunden.von, gefunden.bis)
    if uebrig is not None:
        _englisch_pruefen(p._text(*uebrig))
        raise _nicht_verstanden(p, uebrig, gefunden, aufloeser, lage)
    zeitraum = aufloeser.aufloesen(gefunden)
    von, bis = p.t[gefunden.von].start, p.t[gefunden.bis - 1].ende
    vorher = _rand_weg(text[:von], links=False)
    nachher = _rand_weg(text[bis:], links=True)
    return _Fund(vorher, zeitraum, nachher, von, bis)


def _rand_weg(text: str, *, links: bool) -> str:
    """Strip whitespace and separators („, – ;“) between title, phrase and rest."""
    trenner = ",;:.-–—" if links else ",;:-–—"  # a title may end with „Nr.“
    while True:
        neu = text.lstrip().lstrip(trenner) if links else text.rstrip().rstrip(trenner)
        if neu == text:
            return text.strip()
        text = neu


def _nicht_verstanden(
    p: _Parser,
    uebrig: tuple[int, int],
    ph: _Phrase,
    aufloeser: _Aufloeser,
    lage: tuple[datetime, ZoneInfo, timedelta],
) -> DatumFehler:
    """Rule 1: a date word next to the phrase was not read – ask instead of dropping it.

    If the word and the phrase side by side read as one date („KW 14“ + „am Dienstag“), the
    question offers that date; otherwise it says what the phrase alone would mean.
    """
    wort, phrase_text = p._text(*uebrig), p._text(ph.von, ph.bis)
    kombiniert = _kombiniert(wort, phrase_text, lage)
    if kombiniert is not None:
        zusammen, z = kombiniert
        # The example: the whole text with the word moved next to the phrase.
        stellen = sorted(
            [
                (p.t[uebrig[0]].start, p.t[uebrig[1] - 1].ende, ""),
                (p.t[ph.von].start, p.t[ph.bis - 1].ende, zusammen),
            ]
        )
        beispiel, gelesen = "", 0
        for von, bis, neu in stellen:
            beispiel += p.text[gelesen:von] + neu
            gelesen = bis
        beispiel = " ".join((beispiel + p.text[gelesen:]).split())
        return DatumFehler(
            f"„{_zitat(wort)}“ habe ich nicht verstanden – meinen Sie {_wann(z)}? Dann schreiben "
            f"Sie bitte „{_zitat(zusammen)}“.",
            _zitat(beispiel, 120),
            ganzer_text=True,
        )
    try:
        allein = f"„{phrase_text}“ allein wäre {format_zeitraum(aufloeser.aufloesen(ph))}"
    except DatumFehler:
        allein = f"„{phrase_text}“ allein kann ich lesen"
    return DatumFehler(
        f"„{_zitat(wort)}“ habe ich nicht verstanden – {allein}, aber das ließe „{_zitat(wort)}“ "
        "weg. Bitte schreiben Sie das Datum genau.",
        _FIND_BEISPIEL,
    )


def _kombiniert(
    wort: str, phrase_text: str, lage: tuple[datetime, ZoneInfo, timedelta]
) -> tuple[str, Zeitraum] | None:
    """The one date that the word and the phrase make together, with the text that says it.

    The word (and the word without a leading „im“/„am“ …) is put at every token boundary of
    the phrase („April“ into „am 6. um 10 Uhr“ → „am 6. April um 10 Uhr“); only if all
    readable placings mean the same span is it offered.  Bounded: phrases are short and
    the positions capped.
    """
    toks = _tokenisieren(wort)
    worte = [wort]
    if len(toks) > 1 and toks[0].norm in _VORWOERTER:
        worte.append(wort[toks[1].start :])
    grenzen = [*(t.start for t in _tokenisieren(phrase_text)[:_MAX_STELLEN]), len(phrase_text)]
    gelesen: dict[tuple[datetime, datetime, str | None], str] = {}
    for w in worte:
        for g in grenzen:
            zusammen = " ".join(f"{phrase_text[:g]} {w} {phrase_text[g:]}".split())
            try:
                z = _parse_when(zusammen, *lage)
            except DatumFehler:
                continue
            gelesen.setdefault((z.start, z.end, z.rrule), zusammen)
    if len(gelesen) != 1:
        return None
    [(start, end, rrule)] = gelesen
    zusammen = gelesen[start, end, rrule]
    return zusammen, _parse_when(zusammen, *lage)


# Where a word may be put into a phrase to make one date; a phrase is rarely longer.
_MAX_STELLEN = 16
_VORWOERTER = frozenset({"im", "in", "am", "an", "der", "den", "dem", "zum", "zur"})


def _wann(z: Zeitraum) -> str:
    """„Dienstag, 06.04.2027“ (with „, 10:00 Uhr“ or „, 10:00–12:00 Uhr“) for one day; a span
    over days or a series as `format_zeitraum` writes it."""
    tag = _tag_mit_name(z.start.date())
    if z.rrule is not None:
        return format_zeitraum(z)
    if z.ganztaegig and z.end.date() - z.start.date() == timedelta(days=1):
        return tag
    if not z.ganztaegig and z.start.date() == z.end.date():
        bis = "" if z.ohne_ende else f"–{z.end:%H:%M}"
        return f"{tag}, {z.start:%H:%M}{bis} Uhr"
    return format_zeitraum(z)


def _tippfehler_pruefen(p: _Parser) -> None:
    """No date found, but „Mitwoch“ is one letter from „Mittwoch“: ask instead of „kein Datum“."""
    fehler = tippfehler(p.t)
    if fehler is not None:
        raise _Tippfehler(fehler, p.text)


def _englisch_pruefen(text: str) -> None:
    """English date words get a German hint with an example instead of „… kann ich nicht lesen“."""
    woerter = [t.norm for t in _tokenisieren(text) if t.art == _TokArt.WORT]
    englisch = next((w for w in woerter if w in ENGLISCH), None)
    if englisch is not None:
        raise DatumFehler(
            f"„{_zitat(text)}“ kann ich nicht als Datum lesen – es sieht nach Englisch aus. Ich "
            "lese Datum und Uhrzeit auf Deutsch, zum Beispiel „nächsten Freitag um 15 Uhr“ oder "
            "„am 12.03.2027 um 14:00“.",
            "nächsten Freitag um 15 Uhr",
        )


def _mehrere(
    a: str, b: str, lage: tuple[datetime, ZoneInfo, timedelta] | None = None
) -> DatumFehler:
    """Two date/time phrases; if side by side they read as one, the question offers that."""
    kombiniert = _kombiniert(a, b, lage) if lage is not None else None
    gefunden = f"Ich habe mehr als eine Zeitangabe gefunden („{a}“ und „{b}“)"
    if kombiniert is not None:
        zusammen, z = kombiniert
        return DatumFehler(
            f"{gefunden} – meinen Sie {_wann(z)}? Dann schreiben Sie bitte beides direkt "
            f"hintereinander: „{_zitat(zusammen)}“.",
            zusammen,
        )
    return DatumFehler(
        f"{gefunden}. Bitte schreiben Sie Datum und Uhrzeit direkt hintereinander.",
        _FIND_BEISPIEL,
    )


def _blocker_davor(p: _Parser, von: int) -> bool:
    try:
        _blocker_pruefen(p, _Phrase(_Gruppe(ist_ende=False), None, von, von + 1))
    except DatumFehler:
        return True
    return False


def _blocker_pruefen(p: _Parser, ph: _Phrase) -> None:
    """Refuse „vor Freitag“, „letzten Freitag“, „2. Dienstag im Monat“ and the like."""
    j = ph.von - 1
    if j >= 0 and p.t[j].norm == ",":
        j -= 1
    if j < 0:
        return
    t = p.t[j]
    ordinalzahl = t.norm == "." and t.dicht and j > 0 and p.t[j - 1].art == _TokArt.ZAHL
    if (t.art == _TokArt.WORT and t.norm in _BLOCKER) or ordinalzahl:
        davor = p._text(j - 1 if ordinalzahl else j, ph.bis)
        raise DatumFehler(f"„{davor}“ kann ich nicht sicher als Termin lesen.", _FIND_BEISPIEL)


def _weitere_pruefen(
    p: _Parser, ph: _Phrase, phrase_text: str, lage: tuple[datetime, ZoneInfo, timedelta]
) -> None:
    """A second date/time before the first option key („art:“) would be lost silently."""
    j = ph.bis
    # „14:00 - 1600“: a dash right after the phrase that leads to a number is an
    # end we could not read, not a separator before the rest.
    if j + 1 < len(p.t) and p.t[j].norm == "-" and p.t[j + 1].art == _TokArt.ZAHL:
        raise _unlesbar(p, j)
    while j < len(p.t):
        t = p.t[j]
        if (
            t.art == _TokArt.WORT
            and j + 1 < len(p.t)
            and p.t[j + 1].norm == ":"
            and p.t[j + 1].dicht
        ):
            return
        p.i = j
        try:
            weitere = p.phrase()
        except DatumFehler:
            weitere = _Phrase(_Gruppe(ist_ende=False), None, j, j + 1)
        if weitere is not None:
            zweite = p._text(weitere.von, max(weitere.bis, j + 1))
            # „… nach dem 12. Dezember“: a blocked phrase is no part of one date.
            raise _mehrere(phrase_text, zweite, None if _blocker_davor(p, j) else lage)
        # „um 1400“, „bis 1600“: clearly meant as a time, but unreadable.
        if t.norm in ("um", "bis", "gegen") and j + 1 < len(p.t) and p.t[j + 1].art == _TokArt.ZAHL:
            raise _unlesbar(p, j)
        j += 1


def _unlesbar(p: _Parser, j: int) -> DatumFehler:
    return DatumFehler(
        f"„{_zitat(p._text(j, min(j + 2, len(p.t))))}“ kann ich nicht als Uhrzeit lesen.",
        _FIND_BEISPIEL,
    )
