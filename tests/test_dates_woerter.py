"""Rule 1 of the date layer (issue 13): no date word is silently dropped, and calendar weeks.

JETZT is Wednesday 18.11.2026, 09:30 (Europe/Berlin), as in tests/test_dates.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from om_bot.domain.dates import DatumFehler, find_when, parse_when

B = ZoneInfo("Europe/Berlin")
JETZT = datetime(2026, 11, 18, 9, 30, tzinfo=B)


def b(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=B)


# --- rule 1: a date word next to the phrase makes find_when ask, naming the word --------------

NACHFRAGEN: list[tuple[str, str]] = [
    ("im Mai am Donnerstag", "Im Mai 2027 gibt es mehrere Donnerstage"),
    ("Treffen im Mai am Donnerstag 10 Uhr", "Im Mai 2027 gibt es mehrere Donnerstage"),
    ("Treffen Mitte Mai am Donnerstag 10 Uhr", "„Mitte Mai“"),
    ("Mitte Juni am Montag", "„Mitte Juni“"),
    ("Ende Februar am Mittwoch", "„Ende Februar“"),
    ("Anfang März am Freitag um 18 Uhr", "„Anfang März“"),
    ("nach Pfingsten am Dienstag", "„nach Pfingsten“"),
    ("vor Ostern am Donnerstag um 19 Uhr", "„vor Ostern“"),
    ("Feier Weihnachten am Freitag", "„Weihnachten“"),
    ("ab Februar jeden Montag um 9", "„ab Februar“"),
    ("im April jeden Dienstag", "„im April“"),
    ("Sitzung am Dienstag im April", "Im April 2027 gibt es mehrere Dienstage"),
    ("Sitzung am Dienstag im Mai jeden Monat", "Im Mai 2027"),
    ("Sitzung am Freitag 18 Uhr, Mitte Januar", "„Mitte Januar“"),
    ("Runde am Dienstag bis Ende Juli", "„bis Ende Juli“"),
    ("Teil 2 Dienstag 10 Uhr", "„2“"),
    ("Treffen Jan 12 am Dienstag", "„Jan 12“"),
    ("Lauf am Samstag 10 Uhr nach dem 12. Dezember", "„Dezember“"),
    ("Planung KW 14 Runde", "„KW 14“"),
]


@pytest.mark.parametrize(("text", "wort"), NACHFRAGEN)
def test_ein_uebriges_datumswort_wird_nachgefragt(text: str, wort: str) -> None:
    with pytest.raises(DatumFehler) as fehler:
        find_when(text, JETZT, B)
    assert wort in str(fehler.value) or "Zeitangabe" in str(fehler.value)


def test_die_nachfrage_nennt_das_wort_und_was_der_rest_allein_waere() -> None:
    with pytest.raises(DatumFehler) as fehler:
        find_when("Treffen Mitte Mai am Donnerstag 10 Uhr", JETZT, B)
    text = str(fehler.value)
    assert text.startswith("„Mitte Mai“ habe ich nicht verstanden")
    assert "19.11.2026" in text


# Where the left-over word and the phrase make exactly one date together, the question offers
# it (and its example reads as that date); otherwise it names the word and the phrase alone.
KOMBINIERT: list[tuple[str, str, datetime]] = [
    ("Treffen KW 14 Runde am Dienstag um 10 Uhr", "meinen Sie Dienstag, 06.04.2027, 10:00 Uhr?",
     b(2027, 4, 6, 10)),
    ("Treffen KW 14 Runde am Dienstag", "meinen Sie Dienstag, 06.04.2027?", b(2027, 4, 6)),
    ("Treffen am 6. um 10 Uhr April", "„April“ habe ich nicht verstanden – meinen Sie Dienstag, "
     "06.04.2027, 10:00 Uhr?", b(2027, 4, 6, 10)),
    ("Treffen im März am 12. um 10 Uhr", "meinen Sie Freitag, 12.03.2027, 10:00 Uhr?",
     b(2027, 3, 12, 10)),
    ("Feier am 31. um 20 Uhr Dezember", "meinen Sie Donnerstag, 31.12.2026, 20:00 Uhr?",
     b(2026, 12, 31, 20)),  # year boundary: this December
    ("Treffen um 18 Uhr in Hamburg am Freitag", "meinen Sie Freitag, 20.11.2026, 18:00 Uhr?",
     b(2026, 11, 20, 18)),
    ("Treffen KW 13 Runde am Sonntag 10 Uhr", "meinen Sie Sonntag, 04.04.2027, 10:00 Uhr?",
     b(2027, 4, 4, 10)),
    ("Workshop zwischen 10 und 12 Uhr Pause am Freitag",
     "meinen Sie Freitag, 20.11.2026, 10:00–12:00 Uhr?", b(2026, 11, 20, 10)),
]  # fmt: skip


@pytest.mark.parametrize(("text", "frage", "start"), KOMBINIERT)
def test_die_nachfrage_bietet_das_kombinierte_datum_an(
    text: str, frage: str, start: datetime
) -> None:
    with pytest.raises(DatumFehler) as fehler:
        find_when(text, JETZT, B)
    assert frage in fehler.value.meldung
    beispiel = fehler.value.beispiel
    if not fehler.value.ganzer_text:
        beispiel = f"Treffen {beispiel}"
    assert find_when(beispiel, JETZT, B)[1].start == start


@pytest.mark.parametrize(
    "text",
    [
        "Treffen am Dienstag 10 Uhr im April",  # four Tuesdays: no one date
        "Lauf am Samstag 10 Uhr nach dem 12. Dezember",  # „nach“: not that day
        "Treffen Mitte Mai am Donnerstag 10 Uhr",
        "Treffen am Montag und am Freitag",
    ],
)
def test_kein_angebot_ohne_eindeutiges_datum(text: str) -> None:
    with pytest.raises(DatumFehler) as fehler:
        find_when(text, JETZT, B)
    assert "einen Sie" not in fehler.value.meldung


# Titles and rests with ordinary words, numbers and names still parse.
GELESEN: list[tuple[str, tuple[str, datetime, str]]] = [
    ("Treffen am Dienstag 10 Uhr in Bremen", ("Treffen", b(2026, 11, 24, 10), "in Bremen")),
    ("Treffen mit Jan am Dienstag 10 Uhr", ("Treffen mit Jan", b(2026, 11, 24, 10), "")),
    ("Raum 14 am Dienstag 10 Uhr", ("Raum 14", b(2026, 11, 24, 10), "")),
    ("KW-Planung am Dienstag 10 Uhr", ("KW-Planung", b(2026, 11, 24, 10), "")),
    ("Maifest am Samstag 14 Uhr im Park", ("Maifest", b(2026, 11, 21, 14), "im Park")),
    (
        "Sommerfest am 12.03.2027 um 18 Uhr, 30 Gäste",
        ("Sommerfest", b(2027, 3, 12, 18), "30 Gäste"),
    ),
    ("Ende-Party am Freitag 20 Uhr", ("Ende-Party", b(2026, 11, 20, 20), "")),
]


@pytest.mark.parametrize(("text", "erwartet"), GELESEN)
def test_titel_und_rest_bleiben_lesbar(text: str, erwartet: tuple[str, datetime, str]) -> None:
    vorher, zeitraum, nachher = find_when(text, JETZT, B)
    assert (vorher, zeitraum.start, nachher) == erwartet


# --- calendar weeks (ISO 8601) ---------------------------------------------------------------

KALENDERWOCHEN: list[tuple[str, datetime, bool]] = [
    ("in KW 14 am Dienstag", b(2027, 4, 6), True),
    ("KW 14 am Dienstag um 10 Uhr", b(2027, 4, 6, 10), False),
    ("Kalenderwoche 14, Mittwoch 10 Uhr", b(2027, 4, 7, 10), False),
    ("in der Kalenderwoche 14 am Montag", b(2027, 4, 5), True),
    ("Dienstag in KW 14", b(2027, 4, 6), True),
    ("KW14 Freitag 18 Uhr", b(2027, 4, 9, 18), False),
    ("KW 3 am Montag", b(2027, 1, 18), True),  # week 3 of 2026 has passed: 2027
    ("KW 48 am Montag", b(2026, 11, 23), True),
    ("KW 47 am Freitag", b(2026, 11, 20), True),  # this week, still to come
    ("KW 53 am Montag", b(2026, 12, 28), True),  # 2026 has 53 weeks
    ("KW 53 2026 am Donnerstag", b(2026, 12, 31), True),
    ("KW 1/2027 am Montag", b(2027, 1, 4), True),
    ("KW 52 2027 am Freitag", b(2027, 12, 31), True),  # year boundary
    ("KW 9 2028 am Dienstag", b(2028, 2, 29), True),  # leap day
]


@pytest.mark.parametrize(("text", "start", "ganztaegig"), KALENDERWOCHEN)
def test_kalenderwochen(text: str, start: datetime, ganztaegig: bool) -> None:
    z = parse_when(text, JETZT, B)
    assert (z.start, z.ganztaegig) == (start, ganztaegig)
    assert find_when(f"Workshop {text}", JETZT, B)[1].start == start


def test_workshop_kw_14_am_dienstag_ist_nicht_der_naechste_dienstag() -> None:
    vorher, z, nachher = find_when("Workshop KW 14 am Dienstag um 10 Uhr", JETZT, B)
    assert (vorher, z.start, nachher) == ("Workshop", b(2027, 4, 6, 10), "")


KW_ABGELEHNT: list[tuple[str, str]] = [
    ("KW 53 2027 am Montag", "Das Jahr 2027 hat keine KW 53"),
    ("KW 53/2028 am Montag", "Das Jahr 2028 hat keine KW 53"),
    ("KW 0 am Montag", "von 1 bis 53"),
    ("KW 60 am Montag", "von 1 bis 53"),
    ("KW 14", "an welchem Tag genau"),
    ("KW 47 am Montag", "schon vorbei"),
    ("KW 14 am 12.03.2027", "zugleich"),
]


@pytest.mark.parametrize(("text", "grund"), KW_ABGELEHNT)
def test_kalenderwochen_abgelehnt(text: str, grund: str) -> None:
    with pytest.raises(DatumFehler, match=grund):
        parse_when(text, JETZT, B)
    with pytest.raises(DatumFehler, match=grund):
        find_when(f"Workshop {text}", JETZT, B)


# --- the property: a date-like prefix + a readable phrase → the combined date or a question -----

_MONATE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "Oktober")
_FEIERTAGE = ("Ostern", "Pfingsten", "Weihnachten", "Silvester", "Fronleichnam")
_TAGE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")

_praefix = st.one_of(
    st.tuples(st.just("kw"), st.integers(1, 52)),
    st.tuples(
        st.sampled_from(("im", "Mitte", "Anfang", "Ende", "ab", "bis")), st.sampled_from(_MONATE)
    ),
    st.tuples(st.sampled_from(("nach", "vor", "an")), st.sampled_from(_FEIERTAGE)),
)
_phrase = st.one_of(
    st.tuples(
        st.just("tag"),
        st.sampled_from(_TAGE[:2] + _TAGE[3:]),
        st.sampled_from(("", " um 10 Uhr", " 18 Uhr")),
    ),
    st.tuples(
        st.just("fest"),
        st.sampled_from(
            ("nächsten Freitag", "jeden Montag um 9", "morgen um 10 Uhr", "Freitag 18 Uhr")
        ),
        st.just(""),
    ),
)


@settings(max_examples=400, deadline=None)
@given(
    praefix=_praefix,
    phrase=_phrase,
    davor=st.booleans(),
    titel=st.sampled_from(("", "Treffen ", "Workshop Nr. 3 ")),
)
def test_praefix_und_phrase_nie_die_phrase_allein(
    praefix: tuple[str, object], phrase: tuple[str, str, str], davor: bool, titel: str
) -> None:
    art, wert = praefix
    wort = f"KW {wert}" if art == "kw" else f"{art} {wert}"
    p_art, p_text, p_zeit = phrase
    phrase_text = f"am {p_text}{p_zeit}" if p_art == "tag" else p_text
    text = f"{titel}{wort} {phrase_text}" if davor else f"{titel}{phrase_text} {wort}"
    try:
        _, z, _ = find_when(text, JETZT, B)
    except DatumFehler:
        return  # asked back: always allowed
    # Read at all: only a calendar week with a plain weekday has one correct combined date.
    assert art == "kw" and (p_art == "tag" or p_text == "Freitag 18 Uhr"), text
    assert isinstance(wert, int)
    p_text = p_text.split()[0]
    montag = date.fromisocalendar(2026, wert, 1)
    if montag + timedelta(days=6) < JETZT.date():
        montag = date.fromisocalendar(2027, wert, 1)
    erwartet = montag + timedelta(days=_TAGE.index(p_text))
    assert z.start.date() == erwartet, text


# --- a weekday inside a named month ----------------------------------------------------------

MONATSTAGE: list[tuple[str, datetime]] = [
    ("im Mai am ersten Donnerstag", b(2027, 5, 6)),
    ("am ersten Donnerstag im Mai", b(2027, 5, 6)),
    ("am letzten Freitag im Juni um 18 Uhr", b(2027, 6, 25, 18)),
    ("im Mai 2027, am zweiten Montag 10 Uhr", b(2027, 5, 10, 10)),
    ("am letzten Freitag im November", b(2026, 11, 27)),  # still this month
    ("am vorletzten Sonntag im Dezember", b(2026, 12, 20)),
    ("am fünften Sonntag im November 2026", b(2026, 11, 29)),
    ("am letzten Montag im Februar 2028", b(2028, 2, 28)),  # leap year: 29.02. is a Tuesday
    ("am zweiten Montag im Juli", b(2027, 7, 12)),  # July 2026 is long over
    ("am letzten Sonntag im März um 10 Uhr", b(2027, 3, 28, 10)),  # DST day, 10:00 exists
]


@pytest.mark.parametrize(("text", "start"), MONATSTAGE)
def test_wochentag_im_monat(text: str, start: datetime) -> None:
    assert parse_when(text, JETZT, B).start == start
    assert find_when(f"Sitzung {text}", JETZT, B)[1].start == start


MONATSTAGE_NACHGEFRAGT: list[tuple[str, str]] = [
    ("am Dienstag im April", "06.04.2027, 13.04.2027, 20.04.2027 oder 27.04.2027"),
    ("im April am Dienstag", "Welcher ist gemeint"),
    ("im November am Dienstag", "Meinen Sie Dienstag, 24.11.2026?"),
    ("am fünften Montag im Februar", "nur 4 Montage"),
    ("am dritten Montag im November", "war gerade erst \\(16.11.2026\\)"),
    ("am letzten Sonntag im März um 02:30 Uhr", "gibt es"),  # DST gap
]


@pytest.mark.parametrize(("text", "grund"), MONATSTAGE_NACHGEFRAGT)
def test_wochentag_im_monat_nachgefragt(text: str, grund: str) -> None:
    with pytest.raises(DatumFehler, match=grund):
        parse_when(text, JETZT, B)
    with pytest.raises(DatumFehler, match=grund):
        find_when(f"Sitzung {text}", JETZT, B)


# --- more of what people type (issue 13, part 3) ---------------------------------------------


def um(
    y: int, mo: int, d: int, h: int, mi: int = 0, *, dauer: int = 2
) -> tuple[datetime, datetime]:
    start = b(y, mo, d, h, mi)
    return start, start + timedelta(hours=dauer)


MEHR_GELESEN: list[tuple[str, tuple[datetime, datetime]]] = [
    ("heute Nacht um 1", um(2026, 11, 19, 1)),  # the coming night, not 01:00 of today
    ("heute Nacht um 3 Uhr", um(2026, 11, 19, 3)),
    ("morgen Nacht um 2 Uhr", um(2026, 11, 20, 2)),
    ("heute Nacht um 23 Uhr", um(2026, 11, 18, 23)),
    ("heute Nacht von 1 bis 3 Uhr", um(2026, 11, 19, 1)),
    ("Mo 10 Uhr", um(2026, 11, 23, 10)),
    ("Mo. 10 Uhr", um(2026, 11, 23, 10)),
    ("Fr. 14:00", um(2026, 11, 20, 14)),
    ("Fr 14:00", um(2026, 11, 20, 14)),
    ("Di um 10", um(2026, 11, 24, 10)),
    ("Do 14 Uhr bis 16 Uhr", um(2026, 11, 19, 14)),
    ("2027-03-12T15:30", um(2027, 3, 12, 15, 30)),
    ("2027-03-12 15:30", um(2027, 3, 12, 15, 30)),
    ("2027-03-28T03:30", um(2027, 3, 28, 3, 30, dauer=2)),  # after the DST gap
    ("14.1. 2027 11 Uhr", um(2027, 1, 14, 11)),
    ("am 14.1. 2027 um 11 Uhr", um(2027, 1, 14, 11)),
    ("29.2. 2028 10 Uhr", um(2028, 2, 29, 10)),  # leap day
    ("am Freitag zwischen 10 und 12 Uhr", (b(2026, 11, 20, 10), b(2026, 11, 20, 12))),
    ("morgen zwischen 10:30 und 12 Uhr", (b(2026, 11, 19, 10, 30), b(2026, 11, 19, 12))),
    ("31.12. 2026 zwischen 22 und 1 Uhr", (b(2026, 12, 31, 22), b(2027, 1, 1, 1))),
]


@pytest.mark.parametrize(("text", "spanne"), MEHR_GELESEN)
def test_mehr_gelesen(text: str, spanne: tuple[datetime, datetime]) -> None:
    z = parse_when(text, JETZT, B)
    assert (z.start, z.end) == spanne
    vorher, z2, nachher = find_when(f"Treffen {text} in Bremen", JETZT, B)
    assert (vorher, z2.start, z2.end, nachher) == ("Treffen", *spanne, "in Bremen")


MEHR_ABGELEHNT: list[tuple[str, str]] = [
    ("31.04.", "Den 31. April gibt es nicht"),
    ("am 30.02.", "Den 30. Februar gibt es nicht"),
    ("on Friday at 3pm", "auf Deutsch"),
    ("Meeting next Friday at 10", "auf Deutsch"),
    ("tomorrow at 10am", "auf Deutsch"),
    ("am 12.03.2027 at 3 pm", "auf Deutsch"),
    ("so 10 Uhr", "kann ich nicht"),  # lower case „so“ stays a word
    ("So gegen 10 Uhr", "kann ich nicht"),  # „so gegen 10“: about ten
    ("So um 10 Uhr", "kann ich nicht"),  # „so um 10“: about ten
    ("am so genannten Tag", "kann ich nicht"),
    ("2027-03-28T02:30", "gibt es"),  # DST spring gap
    ("2027-10-31T02:30", "zweimal"),  # DST autumn fold
]


@pytest.mark.parametrize(("text", "grund"), MEHR_ABGELEHNT)
def test_mehr_abgelehnt(text: str, grund: str) -> None:
    with pytest.raises(DatumFehler) as fehler:
        parse_when(text, JETZT, B)
    assert grund in str(fehler.value)
    assert "2000" not in str(fehler.value)


def test_heute_nacht_nach_mitternacht_fragt() -> None:
    with pytest.raises(DatumFehler, match="nach Mitternacht"):
        parse_when("heute Nacht um 3", datetime(2026, 11, 18, 0, 30, tzinfo=B), B)


def test_englisch_im_befehl_bekommt_einen_deutschen_hinweis() -> None:
    with pytest.raises(DatumFehler) as fehler:
        find_when("Meeting on Friday at 3pm", JETZT, B)
    assert "auf Deutsch" in str(fehler.value)
    assert fehler.value.beispiel is not None
    assert find_when(f"Meeting {fehler.value.beispiel}", JETZT, B)[1].start == b(2026, 11, 20, 15)


WEITERE: list[tuple[str, datetime]] = [
    ("heute in zwei Wochen um 10", b(2026, 12, 2, 10)),
    ("morgen in einer Woche um 10 Uhr", b(2026, 11, 26, 10)),
    ("heute in einem Monat", b(2026, 12, 18)),
    ("nächste Woche Do 14 Uhr", b(2026, 11, 26, 14)),
    ("am zwölften März", b(2027, 3, 12)),
    ("am zwölften März um 10 Uhr", b(2027, 3, 12, 10)),
    ("am ersten Mai", b(2027, 5, 1)),
    ("am dritten März 2027", b(2027, 3, 3)),
    ("am einunddreißigsten Dezember", b(2026, 12, 31)),
    ("am zweiundzwanzigsten Januar 18 Uhr", b(2027, 1, 22, 18)),
    ("am neunundzwanzigsten Februar 2028", b(2028, 2, 29)),
]


@pytest.mark.parametrize(("text", "start"), WEITERE)
def test_weitere_formen(text: str, start: datetime) -> None:
    assert parse_when(text, JETZT, B).start == start
    assert find_when(f"Treffen {text}", JETZT, B)[1].start == start


# A weekday or month one or two letters off is read as the name when that is unique and the
# corrected text reads; the result names the correction so that the answer can echo it.
TIPPFEHLER_GELESEN: list[tuple[str, datetime, tuple[str, str]]] = [
    ("Treffen Donerstag 10 Uhr", b(2026, 11, 19, 10), ("Donerstag", "Donnerstag")),
    ("am Freitga 18 Uhr", b(2026, 11, 20, 18), ("Freitga", "Freitag")),
    ("Treffen nächsten Donerstag um 10", b(2026, 11, 19, 10), ("Donerstag", "Donnerstag")),
    ("Treffen am 12. Märtz um 10 Uhr", b(2027, 3, 12, 10), ("Märtz", "März")),
    ("Treffen am 2. Januat 2027 um 10 Uhr", b(2027, 1, 2, 10), ("Januat", "Januar")),
    ("Feier am 31. Dezmber um 20 Uhr", b(2026, 12, 31, 20), ("Dezmber", "Dezember")),
    ("am 29. Febuar 2028", b(2028, 2, 29), ("Febuar", "Februar")),  # leap day
    ("Treffen Sonntga, 28.03.2027 10 Uhr", b(2027, 3, 28, 10), ("Sonntga", "Sonntag")),  # DST
    ("Treffen am Mitwoch 25.11.2026 um 14 Uhr", b(2026, 11, 25, 14), ("Mitwoch", "Mittwoch")),
]


@pytest.mark.parametrize(("text", "start", "korrektur"), TIPPFEHLER_GELESEN)
def test_tippfehler_werden_gelesen(text: str, start: datetime, korrektur: tuple[str, str]) -> None:
    _, z, nachher = find_when(text, JETZT, B)
    assert (z.start, z.korrekturen, nachher) == (start, (korrektur,), "")
    assert z == find_when(text.replace(*korrektur), JETZT, B)[1]


TIPPFEHLER: list[tuple[str, str]] = [
    # the corrected text asks back itself: the question says what was corrected
    ("am Mitwoch um 10 Uhr", "„Mitwoch“ (gelesen als Mittwoch): Heute ist Mittwoch"),
    ("Treffen Donerstag, 12.03.2027", "(gelesen als Donnerstag): Der 12.03.2027 ist ein Freitag"),
    ("Treffen am 12.03.2027 Mitwoch", "(gelesen als Mittwoch): Der 12.03.2027 ist ein Freitag"),
    ("Treffen im Märtz am Donnerstag", "(gelesen als März): „im März am Donnerstag“ nennt"),
    # not unique, or one typo too many: asked back as before
    ("Treffen Sontag 10 Uhr", "meinen Sie „Montag“ oder „Sonntag“?"),
    ("Treffen Jumi am Freitag 10 Uhr", "meinen Sie „Juni“ oder „Juli“?"),
    ("Treffen Donerstag, 12. Märtz", "„Donerstag“ kenne ich nicht als Datum – meinen Sie"),
    ("am dreißigsten Februar", "Den 30. Februar gibt es nicht"),
    ("am neunundzwanzigsten Februar 2027", "gibt es nicht"),
]


@pytest.mark.parametrize(("text", "grund"), TIPPFEHLER)
def test_tippfehler_werden_nachgefragt(text: str, grund: str) -> None:
    with pytest.raises(DatumFehler) as fehler:
        find_when(text, JETZT, B)
    assert grund in str(fehler.value)


def test_tippfehler_beispiel_ist_lesbar() -> None:
    with pytest.raises(DatumFehler) as fehler:
        find_when("Treffen Sontag 10 Uhr", JETZT, B)
    assert fehler.value.beispiel == "Treffen Montag 10 Uhr"
    assert fehler.value.ganzer_text
    assert find_when(fehler.value.beispiel, JETZT, B)[1].start == b(2026, 11, 23, 10)


def test_parse_when_liest_tippfehler_nicht() -> None:
    # parse_when has no answer that could echo a correction: it keeps asking.
    with pytest.raises(DatumFehler, match="meinen Sie „Donnerstag“"):
        parse_when("Donerstag 10 Uhr", JETZT, B)


def _vertipper(wort: str) -> st.SearchStrategy[str]:
    """The word with one letter dropped, doubled, swapped with its neighbour or replaced."""
    stellen = st.integers(0, len(wort) - 2)
    return st.one_of(
        stellen.map(lambda i: wort[:i] + wort[i + 1 :]),
        stellen.map(lambda i: wort[:i] + wort[i] + wort[i:]),
        stellen.map(lambda i: wort[:i] + wort[i + 1] + wort[i] + wort[i + 2 :]),
        st.tuples(stellen, st.sampled_from("aeinrst")).map(
            lambda t: wort[: t[0]] + t[1] + wort[t[0] + 1 :]
        ),
    )


@settings(max_examples=300, deadline=None)
@given(tag=st.sampled_from(_TAGE), daten=st.data())
def test_ein_vertippter_wochentag_ist_nie_ein_anderer(tag: str, daten: st.DataObject) -> None:
    falsch = daten.draw(_vertipper(tag))
    text = f"Treffen am {falsch} um 10 Uhr in Bremen"
    try:
        _, z, nachher = find_when(text, JETZT, B)
    except DatumFehler:
        return  # asked back: always allowed
    assert nachher == "in Bremen"
    if falsch.casefold() != tag.casefold():
        assert z.korrekturen == ((falsch, tag),), text
    # Wednesday (today) is asked back; every other day is the coming one.
    assert z.start.date() == JETZT.date() + timedelta(days=(_TAGE.index(tag) - 2) % 7), text


def test_woerter_die_einen_namen_nur_verlaengern_sind_keine_tippfehler() -> None:
    assert find_when("Montage am Freitag 10 Uhr", JETZT, B)[0] == "Montage"


@pytest.mark.parametrize(
    ("text", "titel"),
    [
        ("Freibad am Samstag 10 Uhr", "Freibad"),  # not „Freitag“
        ("Dienst am Samstag 10 Uhr", "Dienst"),  # not „Dienstag“
        ("Kuli-Tausch Kuli am 12.03.2027", "Kuli-Tausch Kuli"),  # not „Juli“
        ("Treffen Jaguar am Freitag 18 Uhr", "Treffen Jaguar"),  # not „Januar“
    ],
)
def test_echte_woerter_nahe_einem_namen_sind_keine_tippfehler(text: str, titel: str) -> None:
    assert find_when(text, JETZT, B)[0] == titel


def test_ein_echtes_wort_wird_nie_zum_wochentag() -> None:
    # „Mittag“ is one letter from „Montag“: read as a typo it would be Monday 12:00.
    with pytest.raises(DatumFehler) as fehler:
        find_when("Treffen Mittag 12 Uhr", JETZT, B)
    assert "Montag" not in str(fehler.value) and "fehlt der Tag" in str(fehler.value)


# --- „zwischen“ before the day, „So“, spans of days, „morgen in einem Monat“ -----------------

NOCH_MEHR_GELESEN: list[tuple[str, tuple[datetime, datetime]]] = [
    # „zwischen“ before the day means what it means after it: the span of the event
    ("zwischen 14 und 16 Uhr am Freitag", (b(2026, 11, 20, 14), b(2026, 11, 20, 16))),
    ("zwischen 10:30 und 12:00 morgen", (b(2026, 11, 19, 10, 30), b(2026, 11, 19, 12))),
    ("zwischen 22 und 1 Uhr am 31.12.2026", (b(2026, 12, 31, 22), b(2027, 1, 1, 1))),
    ("zwischen 01:00 und 04:00 am 28.03.2027", (b(2027, 3, 28, 1), b(2027, 3, 28, 4))),  # DST
    # „So“ where it can only be Sunday: capitalised before a clock time or a date
    ("So 10 Uhr", um(2026, 11, 22, 10)),
    ("So. 10 Uhr", um(2026, 11, 22, 10)),
    ("So. um 10 Uhr", um(2026, 11, 22, 10)),
    ("am So um 18 Uhr", um(2026, 11, 22, 18)),
    ("SO 14:00", um(2026, 11, 22, 14)),
    ("So., 14.3.", (b(2027, 3, 14), b(2027, 3, 15))),
    ("So 28.03.2027 10 Uhr", um(2027, 3, 28, 10)),  # DST day, 10:00 exists
    # spans of days (Termine store an end: an all-day event over several days)
    ("zwischen dem 3. und 5. März", (b(2027, 3, 3), b(2027, 3, 6))),
    ("vom 3. bis 5. März", (b(2027, 3, 3), b(2027, 3, 6))),
    ("zwischen dem 3. März und dem 5. März", (b(2027, 3, 3), b(2027, 3, 6))),
    ("zwischen 3. und 5.3.2027", (b(2027, 3, 3), b(2027, 3, 6))),
    ("zwischen dem 30.12. und 2.1.", (b(2026, 12, 30), b(2027, 1, 3))),  # year boundary
    ("zwischen dem 27. und 29. Februar 2028", (b(2028, 2, 27), b(2028, 3, 1))),  # leap year
    # counted from tomorrow: the same day of the month, n months on
    ("morgen in einem Monat", (b(2026, 12, 19), b(2026, 12, 20))),
    ("morgen in zwei Monaten um 10 Uhr", um(2027, 1, 19, 10)),  # year boundary
    ("übermorgen in einem Jahr", (b(2027, 11, 20), b(2027, 11, 21))),
    ("heute in einem Monat um 10 Uhr", um(2026, 12, 18, 10)),
]


@pytest.mark.parametrize(("text", "spanne"), NOCH_MEHR_GELESEN)
def test_noch_mehr_gelesen(text: str, spanne: tuple[datetime, datetime]) -> None:
    z = parse_when(text, JETZT, B)
    assert (z.start, z.end) == spanne
    vorher, z2, nachher = find_when(f"Tagung {text} in Bremen", JETZT, B)
    assert (vorher, z2.start, z2.end, nachher) == ("Tagung", *spanne, "in Bremen")


NOCH_MEHR_ABGELEHNT: list[tuple[str, str]] = [
    ("Treffen zwischen 14 und 16 Uhr", "fehlt der Tag"),
    ("Treffen zwischen 2 und 3 Uhr am 28.03.2027", "02:00 oder 14:00"),
    ("Treffen zwischen 02:30 und 04:00 am 28.03.2027", "Zeitumstellung nicht"),  # DST gap
    ("Treffen zwischen 02:30 und 04:00 am 31.10.2027", "zweimal"),  # DST fold
    ("Treffen zwischen dem 3. und 5.", "nicht sicher"),  # which month?
    ("Treffen zwischen dem 5. und 3. März", "liegt vor dem Beginn"),
    ("Treffen zwischen dem 3. und 5. März um 10 Uhr", "für den Beginn nicht"),
    ("Treffen So, 15.3.", "ist ein Montag, kein Sonntag"),
    ("Treffen am So", "kann ich nicht als Datum lesen"),
    ("Treffen übermorgen in einem Jahr", "den es nicht gibt"),  # 29.02.2028 + 1 year
]


@pytest.mark.parametrize(("text", "grund"), NOCH_MEHR_ABGELEHNT)
def test_noch_mehr_abgelehnt(text: str, grund: str) -> None:
    jetzt = datetime(2028, 2, 27, 9, tzinfo=B) if "übermorgen" in text else JETZT
    with pytest.raises(DatumFehler) as fehler:
        find_when(text, jetzt, B)
    assert grund in str(fehler.value)


def test_morgen_in_einem_monat_am_monatsende_wird_nicht_verschoben() -> None:
    with pytest.raises(DatumFehler, match=r"31\.02\.2027, den es nicht gibt"):
        parse_when("morgen in einem Monat", datetime(2027, 1, 30, 9, tzinfo=B), B)


# --- figures for the closing note -----------------------------------------------------

# The tables by what the bot does: read right, asked back (a question, the English hint),
# refused (a date that cannot be: KW 53 in a 52-week year, 31 April, the DST gap).
GELESENE_TABELLEN = (
    GELESEN, KALENDERWOCHEN, MONATSTAGE, MEHR_GELESEN, WEITERE, TIPPFEHLER_GELESEN,
    NOCH_MEHR_GELESEN,
)  # fmt: skip
FRAGE_TABELLEN = (NACHFRAGEN, MONATSTAGE_NACHGEFRAGT, TIPPFEHLER, KOMBINIERT)
ABGELEHNT_TABELLEN = (KW_ABGELEHNT, MEHR_ABGELEHNT, NOCH_MEHR_ABGELEHNT)


def zusammenfassung() -> tuple[int, int, int]:
    """(read right, asked back, refused) over the tables of this module."""
    gelesen = sum(len(t) for t in GELESENE_TABELLEN)
    englisch = sum(1 for t in ABGELEHNT_TABELLEN for _, grund in t if grund == "auf Deutsch")
    gefragt = sum(len(t) for t in FRAGE_TABELLEN) + englisch
    abgelehnt = sum(len(t) for t in ABGELEHNT_TABELLEN) - englisch
    return gelesen, gefragt, abgelehnt


def test_jede_phrase_steht_in_nur_einer_tabelle() -> None:
    alle = [
        zeile[0] for t in (*GELESENE_TABELLEN, *FRAGE_TABELLEN, *ABGELEHNT_TABELLEN) for zeile in t
    ]
    assert len(alle) == len(set(alle)) == sum(zusammenfassung())


if __name__ == "__main__":  # .venv/bin/python -m tests.test_dates_woerter
    g, f, a = zusammenfassung()
    print(f"{g + f + a} phrases: {g} read right / {f} asked back / {a} refused")
