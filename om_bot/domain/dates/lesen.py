"""Reading a text: `parse_when` (a whole phrase) and `find_when` (the phrase inside a command).

They tokenize, let `_Parser` read the phrase, apply the safety rules around it (text after the
phrase, blocking words before it, a second date/time phrase) and let `_Aufloeser` resolve it;
when the own grammar finds no date at all, the dateparser fallback (`fremd`) may rewrite the
text once.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from om_bot.domain.dates.format import format_zeitraum
from om_bot.domain.dates.fremd import _fremde_daten
from om_bot.domain.dates.grammar import _Parser
from om_bot.domain.dates.komponenten import _Gruppe, _Phrase
from om_bot.domain.dates.resolve import _Aufloeser
from om_bot.domain.dates.reste import (
    ENGLISCH,
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
    the safety rules (second date phrases, blocking words).
    """
    try:
        return _find_when(text, now, tz, default_duration)
    except _KeinDatum:
        umgeschrieben = _fremde_daten(unicodedata.normalize("NFC", text))
        if umgeschrieben is None:
            _englisch_pruefen(text)
            raise
        return _find_when(umgeschrieben, now, tz, default_duration)


def _find_when(
    text: str, now: datetime, tz: ZoneInfo, default_duration: timedelta
) -> tuple[str, Zeitraum, str]:
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
    phrase_text = p._text(gefunden.von, gefunden.bis)
    if nur_zeit is not None:
        raise _mehrere(p._text(nur_zeit.von, nur_zeit.bis), phrase_text)
    _blocker_pruefen(p, gefunden)
    _weitere_pruefen(p, gefunden, phrase_text)
    uebrig = uebrige_datumswoerter(p.t, gefunden.von, gefunden.bis)
    if uebrig is not None:
        _englisch_pruefen(p._text(*uebrig))
        raise _nicht_verstanden(p._text(*uebrig), phrase_text, aufloeser, gefunden)
    _tippfehler_melden(p, tippfehler_daneben(p.t, gefunden.von, gefunden.bis))
    zeitraum = aufloeser.aufloesen(gefunden)
    vorher = _rand_weg(text[: p.t[gefunden.von].start], links=False)
    nachher = _rand_weg(text[p.t[gefunden.bis - 1].ende :], links=True)
    return vorher, zeitraum, nachher


def _rand_weg(text: str, *, links: bool) -> str:
    """Strip whitespace and separators („, – ;“) between title, phrase and rest."""
    trenner = ",;:.-–—" if links else ",;:-–—"  # a title may end with „Nr.“
    while True:
        neu = text.lstrip().lstrip(trenner) if links else text.rstrip().rstrip(trenner)
        if neu == text:
            return text.strip()
        text = neu


def _nicht_verstanden(
    wort: str, phrase_text: str, aufloeser: _Aufloeser, ph: _Phrase
) -> DatumFehler:
    """Rule 1: a date word next to the phrase was not read – ask instead of dropping it."""
    try:
        allein = f"„{phrase_text}“ allein wäre {format_zeitraum(aufloeser.aufloesen(ph))}"
    except DatumFehler:
        allein = f"„{phrase_text}“ allein kann ich lesen"
    return DatumFehler(
        f"„{_zitat(wort)}“ habe ich nicht verstanden – {allein}, aber das ließe „{_zitat(wort)}“ "
        "weg. Bitte schreiben Sie das Datum genau.",
        _FIND_BEISPIEL,
    )


def _tippfehler_pruefen(p: _Parser) -> None:
    """No date found, but „Mitwoch“ is one letter from „Mittwoch“: ask instead of „kein Datum“."""
    _tippfehler_melden(p, tippfehler(p.t))


def _tippfehler_melden(p: _Parser, fehler: tuple[str, str] | None) -> None:
    if fehler is not None:
        falsch, richtig = fehler
        raise DatumFehler(
            f"„{falsch}“ kenne ich nicht als Datum – meinen Sie „{richtig}“?",
            _zitat(p.text.replace(falsch, richtig, 1)),
        )


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


def _mehrere(a: str, b: str) -> DatumFehler:
    return DatumFehler(
        f"Ich habe mehr als eine Zeitangabe gefunden („{a}“ und „{b}“). "
        "Bitte schreiben Sie Datum und Uhrzeit direkt hintereinander.",
        _FIND_BEISPIEL,
    )


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


def _weitere_pruefen(p: _Parser, ph: _Phrase, phrase_text: str) -> None:
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
            raise _mehrere(phrase_text, p._text(weitere.von, max(weitere.bis, j + 1)))
        # „um 1400“, „bis 1600“: clearly meant as a time, but unreadable.
        if t.norm in ("um", "bis", "gegen") and j + 1 < len(p.t) and p.t[j + 1].art == _TokArt.ZAHL:
            raise _unlesbar(p, j)
        j += 1


def _unlesbar(p: _Parser, j: int) -> DatumFehler:
    return DatumFehler(
        f"„{_zitat(p._text(j, min(j + 2, len(p.t))))}“ kann ich nicht als Uhrzeit lesen.",
        _FIND_BEISPIEL,
    )
