"""The pure event rules (om_bot.domain.termine): kinds, occurrences, clash rules, DST days,
holidays.

DST in Europe/Berlin: 2027 starts Sunday 28.03. (02:00 → 03:00) and ends Sunday 31.10.
(03:00 → 02:00). Days of 23 and 25 hours are where "same day" and "occurrence at 10:00" break
first when the arithmetic is done in UTC instead of on the wall clock.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from om_bot.domain.termine import (
    LAENDER,
    EinTermin,
    Regeln,
    TerminArt,
    art_aus_titel,
    feiertag_text,
    feiertage,
    kollidiert,
    laender_der_region,
    lies_art,
    naechste,
    suchfenster,
    tage,
    ueberlappende_regionen,
    vorkommen,
)

B = ZoneInfo("Europe/Berlin")
STANDARD = Regeln()
OHNE_TAG = Regeln(gleicher_tag=False)


def b(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=B)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


# --- kinds -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("titel", "art"),
    [
        ("Netzwerktreffen", TerminArt.NETZWERKTREFFEN),
        ("Netzwerktreffen Frühjahr", TerminArt.NETZWERKTREFFEN),
        ("treffen: Jahresplanung", TerminArt.NETZWERKTREFFEN),
        ("Infostand Messe", TerminArt.INFOSTAND),
        ("Workshop Digitalisierung", TerminArt.WORKSHOP),
        ("Sommerfest", TerminArt.VERANSTALTUNG),
        ("Vorbereitung Netzwerktreffen", TerminArt.VERANSTALTUNG),  # only the first word
        ("", TerminArt.VERANSTALTUNG),
    ],
)
def test_art_aus_titel(titel: str, art: TerminArt) -> None:
    assert art_aus_titel(titel) is art


def test_lies_art_und_treffen() -> None:
    assert lies_art("Treffen") is TerminArt.NETZWERKTREFFEN
    assert lies_art(" SEMINAR ") is TerminArt.WORKSHOP
    assert lies_art("Blumenkohl") is None
    assert [a for a in TerminArt if a.zaehlt_als_treffen] == [TerminArt.NETZWERKTREFFEN]


# --- occurrences -----------------------------------------------------------------------------


def test_zweiter_dienstag_bleibt_um_10_uhr_ueber_beide_umstellungen() -> None:
    serie = EinTermin(b(2027, 3, 9, 10), b(2027, 3, 9, 12), rrule="FREQ=MONTHLY;BYDAY=2TU")
    liste = vorkommen(serie, b(2027, 1, 1), b(2028, 1, 1))
    tage_ = ((3, 9), (4, 13), (5, 11), (6, 8), (7, 13), (8, 10), (9, 14), (10, 12), (11, 9))
    assert [s.date() for s, _ in liste] == [date(2027, m, d) for m, d in (*tage_, (12, 14))]
    assert {(s.hour, s.minute, e.hour) for s, e in liste} == {(10, 0, 12)}
    # The instants move with the offset: 09:00Z in winter, 08:00Z in summer.
    assert liste[0][0].astimezone(UTC) == utc(2027, 3, 9, 9)
    assert liste[1][0].astimezone(UTC) == utc(2027, 4, 13, 8)
    assert liste[-2][0].astimezone(UTC) == utc(2027, 11, 9, 9)


def test_woechentlich_ueber_den_tag_der_umstellung() -> None:
    """A Saturday series at 10:00 before and after 28.03.2027; a Sunday one on that day."""
    samstag = EinTermin(b(2027, 3, 20, 10), b(2027, 3, 20, 11), rrule="FREQ=WEEKLY;BYDAY=SA")
    instants = [s.astimezone(UTC) for s, _ in vorkommen(samstag, b(2027, 3, 1), b(2027, 4, 4))]
    assert instants == [utc(2027, 3, 20, 9), utc(2027, 3, 27, 9), utc(2027, 4, 3, 8)]
    sonntag = EinTermin(b(2027, 3, 21, 10), b(2027, 3, 21, 12), rrule="FREQ=WEEKLY;BYDAY=SU")
    [(s, e)] = vorkommen(sonntag, b(2027, 3, 28), b(2027, 3, 29))
    assert (s.hour, e.hour) == (10, 12) and e - s == timedelta(hours=2)


def test_vorkommen_in_der_luecke_und_doppelt() -> None:
    """02:30 does not exist on 28.03.2027 (→ 03:30, like RFC 5545) and exists twice on 31.10.
    (→ the first, still summer time)."""
    taeglich = EinTermin(b(2027, 3, 27, 2, 30), b(2027, 3, 27, 3, 30), rrule="FREQ=DAILY")
    liste = vorkommen(taeglich, b(2027, 3, 27), b(2027, 3, 30))
    assert [(s.day, s.hour, s.minute) for s, _ in liste] == [(27, 2, 30), (28, 3, 30), (29, 2, 30)]
    assert all(e.astimezone(UTC) - s.astimezone(UTC) == timedelta(hours=1) for s, e in liste)
    herbst = EinTermin(b(2027, 10, 30, 2, 30), b(2027, 10, 30, 3, 0), rrule="FREQ=DAILY")
    [_, (s, _e), _] = vorkommen(herbst, b(2027, 10, 30), b(2027, 11, 2))
    assert s.astimezone(UTC) == utc(2027, 10, 31, 0, 30)  # 02:30 CEST


def test_ausnahmen_und_fenster() -> None:
    serie = EinTermin(b(2027, 1, 5, 18), b(2027, 1, 5, 19), rrule="FREQ=WEEKLY;BYDAY=TU")
    liste = vorkommen(serie, b(2027, 1, 1), b(2027, 2, 1), ausnahmen=[date(2027, 1, 12)])
    assert [s.day for s, _ in liste] == [5, 19, 26]
    # An occurrence that began before the window but runs into it is included.
    assert len(vorkommen(serie, b(2027, 1, 5, 18, 30), b(2027, 1, 5, 23))) == 1
    assert vorkommen(serie, b(2027, 1, 5, 19), b(2027, 1, 12, 18)) == []


def test_einzeltermin_und_ganztaegige_serie() -> None:
    einzel = EinTermin(b(2027, 3, 12, 22), b(2027, 3, 13, 1))
    assert vorkommen(einzel, b(2027, 3, 13), b(2027, 3, 14)) == [(einzel.start, einzel.ende)]
    assert vorkommen(einzel, b(2027, 3, 13, 1), b(2027, 3, 14)) == []
    # Two-day all-day series across the spring change: days, not 48 hours.
    messe = EinTermin(b(2027, 3, 27), b(2027, 3, 29), ganztaegig=True, rrule="FREQ=WEEKLY;BYDAY=SA")
    [(s, e), _] = vorkommen(messe, b(2027, 3, 27), b(2027, 4, 4))
    assert (s, e) == (b(2027, 3, 27), b(2027, 3, 29))
    assert e.astimezone(UTC) - s.astimezone(UTC) == timedelta(hours=47)  # a 23-hour day


def test_naechste_und_obergrenze() -> None:
    serie = EinTermin(b(2027, 3, 9, 10), b(2027, 3, 9, 12), rrule="FREQ=MONTHLY;BYDAY=2TU")
    drei = naechste(serie, b(2027, 4, 13, 11), 3, ausnahmen=[date(2027, 5, 11)])
    assert [s.date() for s, _ in drei] == [date(2027, 4, 13), date(2027, 6, 8), date(2027, 7, 13)]
    taeglich = EinTermin(b(2027, 1, 1, 9), b(2027, 1, 1, 10), rrule="FREQ=DAILY")
    # Ten years later the window still starts where asked, not at the first occurrence.
    spaet = vorkommen(taeglich, b(2037, 1, 1), b(2037, 1, 3))
    assert [s.date() for s, _ in spaet] == [date(2037, 1, 1), date(2037, 1, 2)]


# --- days and clashes ------------------------------------------------------------------------


def test_tage_ueber_mitternacht_und_bis_mitternacht() -> None:
    assert tage(b(2027, 3, 12, 22), b(2027, 3, 13, 1), B) == [date(2027, 3, 12), date(2027, 3, 13)]
    assert tage(b(2027, 3, 12, 20), b(2027, 3, 13), B) == [date(2027, 3, 12)]
    assert tage(b(2027, 3, 12), b(2027, 3, 15), B) == [date(2027, 3, d) for d in (12, 13, 14)]


def z(d: int, h: int, mi: int = 0) -> datetime:
    """A time on day `d` of March 2027."""
    return b(2027, 3, d, h, mi)


PUFFER_1H = Regeln(gleicher_tag=False, puffer=timedelta(hours=1))
PUFFER_TAG_1H = Regeln(puffer=timedelta(hours=1))


@pytest.mark.parametrize(
    ("a", "b_", "regeln", "erwartet"),
    [
        # overlapping times
        ((z(12, 14), z(12, 16)), (z(12, 15), z(12, 17)), OHNE_TAG, True),
        # back to back is no overlap …
        ((z(12, 14), z(12, 16)), (z(12, 16), z(12, 18)), OHNE_TAG, False),
        # … but the same day
        ((z(12, 9), z(12, 10)), (z(12, 19), z(12, 21)), STANDARD, True),
        ((z(12, 9), z(12, 10)), (z(12, 19), z(12, 21)), OHNE_TAG, False),
        # the buffer: one hour apart clashes with a buffer of an hour, not of 59 minutes
        ((z(12, 9), z(12, 10)), (z(12, 10, 59), z(12, 12)), PUFFER_1H, True),
        ((z(12, 9), z(12, 10)), (z(12, 11), z(12, 12)),
         Regeln(gleicher_tag=False, puffer=timedelta(minutes=59)), False),
        # the buffer reaches across midnight, the same-day rule does not
        ((z(12, 22), z(12, 23, 30)), (z(13, 0, 15), z(13, 2)), PUFFER_TAG_1H, True),
        ((z(12, 20), z(12, 22)), (z(13, 9), z(13, 10)), STANDARD, False),
        # an event across midnight touches the next day
        ((z(12, 22), z(13, 1)), (z(13, 9), z(13, 10)), STANDARD, True),
        ((z(12, 22), z(13, 1)), (z(13, 9), z(13, 10)), OHNE_TAG, False),
        # all-day events
        ((z(12, 0), z(13, 0)), (z(12, 23), z(13, 0)), OHNE_TAG, True),
        ((z(12, 0), z(13, 0)), (z(13, 0), z(13, 2)), STANDARD, False),
    ],
)  # fmt: skip
def test_kollidiert(
    a: tuple[datetime, datetime], b_: tuple[datetime, datetime], regeln: Regeln, erwartet: bool
) -> None:
    assert kollidiert(a, b_, regeln, B) is erwartet
    assert kollidiert(b_, a, regeln, B) is erwartet  # symmetric


@pytest.mark.parametrize(
    ("tag", "stunden"),
    [(date(2027, 3, 28), 23), (date(2027, 10, 31), 25), (date(2027, 6, 1), 24)],
)
def test_selber_tag_an_den_umstellungstagen(tag: date, stunden: int) -> None:
    """The same-day window of a DST day is 23 or 25 hours long, midnight to midnight."""
    frueh = (datetime.combine(tag, datetime.min.time(), B) + timedelta(minutes=30),) * 2
    a = (frueh[0], frueh[0] + timedelta(minutes=30))
    von, bis = suchfenster(*a, STANDARD, B)
    assert bis.astimezone(UTC) - von.astimezone(UTC) == timedelta(hours=stunden)
    spaet = datetime.combine(tag, datetime.min.time(), B).replace(hour=23, minute=30)
    assert kollidiert(a, (spaet, spaet + timedelta(minutes=20)), STANDARD, B)
    morgen = datetime.combine(tag + timedelta(days=1), datetime.min.time(), B)
    assert not kollidiert(a, (morgen, morgen + timedelta(minutes=30)), STANDARD, B)


def test_suchfenster_deckt_jede_kollision_ab() -> None:
    """Whatever clashes overlaps the query window – including DST days and buffers – so the
    indexed query never misses a clash."""
    zufall = random.Random(2027)
    tage_ = [date(2027, 3, 27), date(2027, 3, 28), date(2027, 10, 30), date(2027, 10, 31)]
    for _ in range(3000):
        regeln = Regeln(
            gleicher_tag=zufall.random() < 0.5, puffer=timedelta(minutes=zufall.choice([0, 30, 90]))
        )

        def span() -> tuple[datetime, datetime]:
            start = datetime.combine(zufall.choice(tage_), datetime.min.time(), B)
            start = (
                start.astimezone(UTC) + timedelta(minutes=15 * zufall.randint(0, 200))
            ).astimezone(B)
            return start, start + timedelta(minutes=15 * zufall.randint(1, 100))

        a, c = span(), span()
        if kollidiert(a, c, regeln, B):
            von, bis = suchfenster(*a, regeln, B)
            assert c[0] < bis and c[1] > von, (a, c, regeln)


def test_regionen_ueberlappen_in_beide_richtungen() -> None:
    # 1 Deutschland ⊃ 2 Süddeutschland ⊃ 3 Bayern ⊃ 4 Oberbayern ⊃ 5 München; 6 Hamburg
    kanten = [(2, 1), (3, 2), (4, 3), (5, 4), (6, 1)]
    assert ueberlappende_regionen(3, kanten) == {1, 2, 3, 4, 5}  # Bayern: up and down
    assert 3 in ueberlappende_regionen(5, kanten)  # München sees Bayern …
    assert 5 in ueberlappende_regionen(3, kanten)  # … and Bayern München
    assert 6 not in ueberlappende_regionen(5, kanten)
    assert ueberlappende_regionen(6, kanten) == {1, 6}


# --- holidays --------------------------------------------------------------------------------

# 1 Deutschland, 2 Bayern(BY) ⊃ 3 München(BY); 4 Niedersachsen, 5 Sachsen-Anhalt, 6 Thüringen
# ⊃ 7 Harz(""); 8 Hessen, 9 Rheinland-Pfalz ⊃ 10 Mainz/Wiesbaden("")
KANTEN = [(2, 1), (3, 2), (4, 1), (5, 1), (6, 1), (7, 4), (7, 5), (7, 6), (8, 1), (9, 1), (10, 8)]
KANTEN += [(10, 9)]
CODES = {1: "", 2: "BY", 3: "BY", 4: "NI", 5: "ST", 6: "TH", 7: "", 8: "HE", 9: "RP", 10: ""}


def test_laender_einer_region() -> None:
    assert laender_der_region(3, KANTEN, CODES) == ("BY",)
    assert laender_der_region(7, KANTEN, CODES) == ("NI", "ST", "TH")  # the Harz: all three
    assert laender_der_region(10, KANTEN, CODES) == ("HE", "RP")
    assert laender_der_region(1, KANTEN, CODES) == ("BY", "HE", "NI", "RP", "ST", "TH")


@pytest.mark.parametrize(
    ("tag", "laender", "texte"),
    [
        (date(2027, 5, 27), ("BY",), ["Feiertag in Bayern: Fronleichnam"]),
        (date(2027, 5, 27), ("NI",), []),
        (date(2027, 5, 27), ("HE", "RP"), ["Feiertag in Hessen und Rheinland-Pfalz: Fronleichnam"]),
        (date(2027, 10, 31), ("NI", "ST", "TH"),
         ["Feiertag in Niedersachsen, Sachsen-Anhalt und Thüringen: Reformationstag"]),
        (date(2027, 1, 6), ("BY", "NI", "ST"),
         ["Feiertag in Bayern und Sachsen-Anhalt: Heilige Drei Könige"]),
        (date(2027, 1, 1), tuple(LAENDER), ["bundesweiter Feiertag: Neujahr"]),
        (date(2027, 3, 12), ("BY",), []),
    ],
)  # fmt: skip
def test_feiertage(tag: date, laender: tuple[str, ...], texte: list[str]) -> None:
    assert [feiertag_text(f) for f in feiertage([tag], laender)] == texte


def test_feiertag_mehrtaegig_nennt_das_datum() -> None:
    [f] = feiertage(tage(b(2027, 5, 26), b(2027, 5, 29), B), ("BY",))
    assert feiertag_text(f, mit_datum=True) == "Feiertag in Bayern: Fronleichnam (27.05.2027)"
    assert not f.alle or f.laender == ("BY",)


def test_dauer_der_serie_ist_die_echte_dauer_des_ersten_termins() -> None:
    """First occurrence 01:30–03:30 on 28.03.2027 lasts one hour (the clocks jump at 02:00);
    like RFC 5545 says, every later occurrence lasts that exact hour, not two wall-clock ones."""
    serie = EinTermin(b(2027, 3, 28, 1, 30), b(2027, 3, 28, 3, 30), rrule="FREQ=DAILY")
    [erstes, zweites] = vorkommen(serie, b(2027, 3, 28), b(2027, 3, 30))
    assert erstes[1].astimezone(UTC) - erstes[0].astimezone(UTC) == timedelta(hours=1)
    assert (zweites[0].hour, zweites[0].minute, zweites[1].hour, zweites[1].minute) == (
        1,
        30,
        2,
        30,
    )
