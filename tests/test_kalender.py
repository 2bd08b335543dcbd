"""The .ics export (om_bot.domain.kalender): parses with icalendar, keeps UIDs stable, and
round-trips
times across the daylight-saving changes of 2027 (28.03. and 31.10.)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr

from om_bot.domain.kalender import KalenderTermin, kalender, uid
from om_bot.domain.termine import EinTermin, vorkommen

B = ZoneInfo("Europe/Berlin")
JETZT = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


def b(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=B)


def _termin(**werte: object) -> KalenderTermin:
    daten: dict[str, object] = {
        "id": 7,
        "titel": "Netzwerktreffen",
        "art": "Netzwerktreffen",
        "start": b(2027, 3, 20, 10),
        "ende": b(2027, 3, 20, 12),
        "ganztaegig": False,
        "zeitzone": "Europe/Berlin",
        "erstellt": JETZT - timedelta(days=3),
        "geaendert": JETZT - timedelta(days=1),
        "region": "Hamburg",
        "netzwerk": "OM-Netzwerk Hamburg",
    }
    daten.update(werte)
    return KalenderTermin(**daten)  # type: ignore[arg-type]


def _events(data: bytes) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    return list(cal.walk("VEVENT"))


def test_datei_ist_gueltig_mit_vtimezone_und_stabilen_uids() -> None:
    data = kalender([_termin(), _termin(id=8, titel="Sommerfest")], JETZT, "OM", "Europe/Berlin")
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0" and "om-bot" in str(cal["PRODID"])
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Berlin"
    text = tz.to_ical().decode()
    # Both changes of 2027 are in the time zone definition.
    assert "20270328T030000" in text.replace("\r\n ", "") and "20271031T030000" in text.replace(
        "\r\n ", ""
    )
    events = _events(data)
    assert (
        [str(e["UID"]) for e in events]
        == [uid(7), uid(8)]
        == [
            "termin-7@om-bot",
            "termin-8@om-bot",
        ]
    )
    e = events[0]
    assert e["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert int(e["SEQUENCE"]) == 0
    assert e.decoded("LAST-MODIFIED") == JETZT - timedelta(days=1)
    assert e.decoded("DTSTAMP") == JETZT
    assert str(e["STATUS"]) == "CONFIRMED"
    assert "OM-Netzwerk Hamburg" in str(e["DESCRIPTION"])


def test_reexport_behaelt_uid_und_erhoeht_sequence() -> None:
    erst = _events(kalender([_termin()], JETZT, "OM", "Europe/Berlin"))[0]
    geaendert = _termin(start=b(2027, 3, 20, 11), ende=b(2027, 3, 20, 13), sequenz=1)
    dann = _events(kalender([geaendert], JETZT + timedelta(days=1), "OM", "Europe/Berlin"))[0]
    assert dann["UID"] == erst["UID"]
    assert int(dann["SEQUENCE"]) > int(erst["SEQUENCE"])
    abgesagt = _events(kalender([_termin(abgesagt=True, sequenz=2)], JETZT, "OM", "Europe/Berlin"))
    assert str(abgesagt[0]["STATUS"]) == "CANCELLED"


def test_serie_ueber_die_fruehjahrsumstellung_rundreise() -> None:
    """Saturday 10:00 weekly from 20.03.2027 with 03.04. cancelled: after parsing, expanding
    the RRULE gives 10:00 local on every Saturday – 09:00Z before 28.03., 08:00Z after – and
    exactly the instants the bot itself stores."""
    t = _termin(rrule="FREQ=WEEKLY;BYDAY=SA", ausnahmen=(date(2027, 4, 3),))
    [e] = _events(kalender([t], JETZT, "OM", "Europe/Berlin"))
    start = e.decoded("DTSTART")
    assert start.tzinfo is not None and start.utcoffset() == timedelta(hours=1)
    dauer = e.decoded("DTEND") - start
    regel = rrulestr(e["RRULE"].to_ical().decode(), dtstart=start)
    ausnahmen = {d.dt for d in e["EXDATE"].dts} if not isinstance(e["EXDATE"], list) else set()
    aus_datei = [
        s.astimezone(UTC)
        for s in regel.between(b(2027, 3, 1), b(2027, 4, 18), inc=True)
        if s not in ausnahmen
    ]
    assert aus_datei == [
        datetime(2027, 3, 20, 9, tzinfo=UTC),
        datetime(2027, 3, 27, 9, tzinfo=UTC),
        datetime(2027, 4, 10, 8, tzinfo=UTC),
        datetime(2027, 4, 17, 8, tzinfo=UTC),
    ]
    eigene = vorkommen(
        EinTermin(t.start, t.ende, rrule=t.rrule), b(2027, 3, 1), b(2027, 4, 18), t.ausnahmen
    )
    assert aus_datei == [s.astimezone(UTC) for s, _ in eigene]
    assert dauer == timedelta(hours=2)


def test_einzeltermine_an_den_umstellungstagen() -> None:
    fruehling = _termin(id=1, start=b(2027, 3, 28, 10), ende=b(2027, 3, 28, 12))
    herbst = _termin(id=2, start=b(2027, 10, 31, 10), ende=b(2027, 10, 31, 12))
    nacht = _termin(id=3, start=b(2027, 10, 30, 22), ende=b(2027, 10, 31, 4))
    events = _events(kalender([fruehling, herbst, nacht], JETZT, "OM", "Europe/Berlin"))
    zeiten = [
        (e.decoded("DTSTART").astimezone(UTC), e.decoded("DTEND").astimezone(UTC)) for e in events
    ]
    assert zeiten == [
        (datetime(2027, 3, 28, 8, tzinfo=UTC), datetime(2027, 3, 28, 10, tzinfo=UTC)),
        (datetime(2027, 10, 31, 9, tzinfo=UTC), datetime(2027, 10, 31, 11, tzinfo=UTC)),
        # across midnight and the autumn change: 22:00 CEST to 04:00 CET is 7 hours
        (datetime(2027, 10, 30, 20, tzinfo=UTC), datetime(2027, 10, 31, 3, tzinfo=UTC)),
    ]


def test_ganztaegig_und_ort() -> None:
    messe = _termin(
        start=b(2027, 5, 27),
        ende=b(2027, 5, 29),
        ganztaegig=True,
        ort="Halle 3",
        region="Bayern",
        netzwerk="",
        rrule="FREQ=YEARLY",
        ausnahmen=(date(2028, 5, 27),),
    )
    [e] = _events(kalender([messe], JETZT, "OM", "Europe/Berlin"))
    assert e.decoded("DTSTART") == date(2027, 5, 27)
    assert e.decoded("DTEND") == date(2027, 5, 29)
    assert "VALUE=DATE" in e.to_ical().decode()
    assert str(e["LOCATION"]) == "Halle 3 (Bayern)"
    assert "ohne Netzwerk" in str(e["DESCRIPTION"])
    assert [d.dt for d in e["EXDATE"].dts] == [date(2028, 5, 27)]


def test_leerer_kalender() -> None:
    cal = icalendar.Calendar.from_ical(kalender([], JETZT, "OM", "Europe/Berlin"))
    assert list(cal.walk("VEVENT")) == [] and list(cal.walk("VTIMEZONE")) == []
