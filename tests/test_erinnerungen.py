"""Reminder planning as plain functions: due times on the wall clock (DST), offsets, yearly
obligations, contact requests, the info service's content and the catch-up choice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from om_bot.config import Config, ConfigError, config_from_mapping, load_config
from om_bot.domain.erinnerungen import (
    Abo,
    Art,
    Einstellungen,
    Faellig,
    GeplanteErinnerung,
    NetzwerkNeuigkeit,
    NetzwerkPflichten,
    OffeneAnfrage,
    RaumPlan,
    Stichtag,
    TerminVorkommen,
    anfrage_erinnerungen,
    ausgaben,
    auswaehlen,
    bericht_erinnerungen,
    faellig_vor,
    infodienst_ausgaben,
    infodienst_inhalt,
    lies_stichtag,
    lies_uhrzeit,
    lies_versaetze,
    lies_wochentag,
    pflicht_erinnerungen,
    selbsterklaerung_erinnerungen,
    termin_erinnerungen,
    treffen_erinnerungen,
    versatz_text,
    wandzeit,
)
from om_bot.services.erinnerungsquellen import einstellungen_aus

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"
BERLIN = ZoneInfo("Europe/Berlin")
E = Einstellungen(tz=BERLIN)
TAG, STUNDE, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# --- wall-clock arithmetic and DST ----------------------------------------------------------


def test_one_day_before_an_event_right_after_spring_forward_keeps_the_wall_clock() -> None:
    # Sunday 28.03.2027: clocks go from 02:00 CET to 03:00 CEST. The meeting at 10:00 CEST.
    beginn = berlin(2027, 3, 28, 10, 0)
    faellig = faellig_vor(beginn, TAG, BERLIN)
    assert faellig.astimezone(BERLIN) == berlin(2027, 3, 27, 10, 0)  # Saturday 10:00 CET
    assert faellig == utc(2027, 3, 27, 9, 0)
    # Counting 24 hours would have fired at 09:00 on the wall clock.
    assert (beginn.astimezone(UTC) - TAG).astimezone(BERLIN).hour == 9
    assert faellig.tzinfo is UTC


def test_one_day_before_an_event_right_after_fall_back_keeps_the_wall_clock() -> None:
    # Sunday 31.10.2027: clocks go from 03:00 CEST back to 02:00 CET.
    beginn = berlin(2027, 10, 31, 10, 0)
    faellig = faellig_vor(beginn, TAG, BERLIN)
    assert faellig.astimezone(BERLIN) == berlin(2027, 10, 30, 10, 0)
    assert faellig == utc(2027, 10, 30, 8, 0)
    assert (beginn.astimezone(UTC) - TAG).astimezone(BERLIN).hour == 11


def test_hours_are_elapsed_time_across_the_change() -> None:
    # 04:00 CEST on the spring-forward Sunday is 02:00 UTC; two hours earlier is 00:00 UTC,
    # which the clocks showed as 01:00 CET (the wall clock jumped over 02:00–03:00).
    beginn = berlin(2027, 3, 28, 4, 0)
    assert faellig_vor(beginn, 2 * STUNDE, BERLIN) == utc(2027, 3, 28, 0, 0)
    # Days and hours together: the day on the calendar, then the hours as elapsed time.
    assert faellig_vor(berlin(2027, 3, 29, 10, 0), TAG + 12 * STUNDE, BERLIN) == utc(
        2027, 3, 27, 20, 0
    )


def test_a_due_time_in_the_spring_gap_moves_forward() -> None:
    # Monday 29.03.2027 02:30 CEST; one day earlier 02:30 did not exist → 03:30 CEST.
    faellig = faellig_vor(berlin(2027, 3, 29, 2, 30), TAG, BERLIN)
    assert faellig.astimezone(BERLIN) == berlin(2027, 3, 28, 3, 30)
    assert wandzeit(date(2027, 3, 28), time(2, 30), BERLIN).hour == 3


def test_an_ambiguous_time_takes_the_first_reading() -> None:
    erste = wandzeit(date(2027, 10, 31), time(2, 30), BERLIN)
    assert erste.astimezone(UTC) == utc(2027, 10, 31, 0, 30)  # still summer time


# --- parsing settings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "erwartet"),
    [
        ("2h 1d", (TAG, 2 * STUNDE)),
        ("1d, 2h", (TAG, 2 * STUNDE)),
        ("2 Stunden, 1 Tag", (TAG, 2 * STUNDE)),
        ("2 Stunden und 3 Tage", (3 * TAG, 2 * STUNDE)),
        ("90 min", (90 * MINUTE,)),
        ("1h30m 15m", (90 * MINUTE, 15 * MINUTE)),
        ("1h 60m", (STUNDE,)),
        ("30m", (30 * MINUTE,)),
        ("2m", (2 * MINUTE,)),
    ],
)
def test_offsets_of_a_room(text: str, erwartet: tuple[timedelta, ...]) -> None:
    assert lies_versaetze(text) == erwartet


@pytest.mark.parametrize(
    ("text", "meldung"),
    [
        ("", "mindestens einen"),
        ("blumenkohl", "Dauer"),
        ("2 Stunden 1 Tag", "Komma"),
        ("31d", "zu früh"),
        ("1m 2m 3m 4m 5m 6m", "Höchstens 5"),
        ("0m", "Dauer"),
        ("5", "Einheit"),
    ],
)
def test_offsets_refused(text: str, meldung: str) -> None:
    with pytest.raises(ValueError, match=meldung):
        lies_versaetze(text)


def test_offset_text() -> None:
    assert versatz_text(TAG) == "1 Tag"
    assert versatz_text(2 * STUNDE) == "2 Stunden"
    assert versatz_text(TAG + 12 * STUNDE) == "1 Tag 12 Stunden"
    assert versatz_text(90 * MINUTE) == "1 Stunde 30 Minuten"
    assert versatz_text(3 * TAG) == "3 Tage"


def test_config_values() -> None:
    assert lies_stichtag("01.06.:1") == Stichtag(6, 1, 1)
    assert lies_stichtag("1.9:2") == Stichtag(9, 1, 2)
    assert lies_wochentag("Montag") == 0 and lies_wochentag("fr") == 4
    assert lies_uhrzeit("08:00") == time(8, 0)
    assert lies_uhrzeit("23:59:30") == time(23, 59, 30)
    for falsch in ("1.6.", "31.02.:1", "29.02.:1", "01.06.:0", "01.13.:1"):
        with pytest.raises(ValueError):
            lies_stichtag(falsch)
    with pytest.raises(ValueError):
        lies_wochentag("Blumentag")
    for falsch in ("8 Uhr", "24:00", "12:60", ""):
        with pytest.raises(ValueError):
            lies_uhrzeit(falsch)


# --- events ---------------------------------------------------------------------------------

TREFFEN = TerminVorkommen(
    termin_id=7,
    titel="Netzwerktreffen",
    beginn=berlin(2027, 3, 12, 14, 0),
    ende=berlin(2027, 3, 12, 16, 0),
    netzwerk_id=1,
    netzwerk="OM-Netzwerk Hamburg",
    region="Hamburg",
    geaendert=utc(2027, 3, 1, 9, 0),
)


def test_event_reminders_at_each_rooms_offsets() -> None:
    raeume = [
        RaumPlan("!a", (TAG, STUNDE)),
        RaumPlan("!b", (2 * MINUTE,), seit=utc(2027, 3, 5, 0, 0), eigene=True),
    ]
    geplant = termin_erinnerungen(TREFFEN, raeume, BERLIN)
    assert [(g.room_id, g.faellig) for g in geplant] == [
        ("!a", utc(2027, 3, 11, 13, 0)),
        ("!a", utc(2027, 3, 12, 12, 0)),
        ("!b", utc(2027, 3, 12, 12, 58)),
    ]
    assert len({g.schluessel for g in geplant}) == 3
    assert all(g.art is Art.TERMIN and g.gueltig_bis == utc(2027, 3, 12, 15, 0) for g in geplant)
    # The room's settings changed after the event: they count for "first planned when".
    assert [g.seit for g in geplant] == [TREFFEN.geaendert, TREFFEN.geaendert, raeume[1].seit]
    text = geplant[0].text
    assert "Erinnerung: Netzwerktreffen" in text and "Fr, 12.03.2027, 14:00–16:00 Uhr" in text
    assert "Hamburg" in text and "Terminüberschneidung" not in text
    # Same data, same keys; another start, other keys (a moved event is planned anew).
    assert [g.schluessel for g in termin_erinnerungen(TREFFEN, raeume, BERLIN)] == [
        g.schluessel for g in geplant
    ]
    verschoben = termin_erinnerungen(
        TerminVorkommen(**{**TREFFEN.__dict__, "beginn": berlin(2027, 3, 12, 15, 0)}),
        raeume,
        BERLIN,
    )
    assert not {g.schluessel for g in verschoben} & {g.schluessel for g in geplant}


def test_event_reminder_shows_the_clash_mark_and_escapes_html() -> None:
    v = TerminVorkommen(**{**TREFFEN.__dict__, "titel": "<b>Fest</b>", "ueberschneidung": True})
    [g] = termin_erinnerungen(v, [RaumPlan("!a", (STUNDE,))], BERLIN)
    assert "⚠ Terminüberschneidung" in g.text
    assert "&lt;b&gt;Fest&lt;/b&gt;" in g.html


def test_a_cancelled_occurrence_gets_no_reminders() -> None:
    abgesagt = TerminVorkommen(**{**TREFFEN.__dict__, "abgesagt": utc(2027, 3, 10, 8, 0)})
    raeume = [RaumPlan("!a", (TAG, STUNDE))]
    assert termin_erinnerungen(abgesagt, raeume, BERLIN) == []
    assert len(termin_erinnerungen(TREFFEN, raeume, BERLIN)) == 2


def test_a_reminder_needs_aware_times() -> None:
    with pytest.raises(ValueError, match="zeitzonenbehaftet"):
        GeplanteErinnerung(
            "k",
            Art.TERMIN,
            "!a",
            datetime(2027, 1, 1),  # noqa: DTZ001 - the naive time is the point
            utc(2027, 1, 2),
            "t",
            "t",
            "t",
        )
    spaet = GeplanteErinnerung(
        "k",
        Art.TERMIN,
        "!a",
        utc(2027, 1, 1),
        utc(2027, 1, 2),
        "t",
        "t",
        "t",
        seit=utc(2027, 1, 1, 1),
    )
    assert spaet.verpasst()
    assert not GeplanteErinnerung(
        "k", Art.TERMIN, "!a", utc(2027, 1, 1), utc(2027, 1, 2), "t", "t", "t"
    ).verpasst()


# --- yearly obligations ---------------------------------------------------------------------

HAMBURG = NetzwerkPflichten(
    netzwerk_id=1,
    name="OM-Netzwerk Hamburg",
    letzter_bericht=date(2026, 3, 15),
    letzte_selbsterklaerung=date(2025, 6, 1),
    treffen=0,
)


def test_meetings_reminders_on_the_configured_days() -> None:
    jetzt = utc(2027, 1, 10)
    keine = treffen_erinnerungen(HAMBURG, ["!hh"], jetzt, E)
    assert [(g.faellig, g.gueltig_bis) for g in keine] == [
        (utc(2027, 6, 1, 7, 0), utc(2027, 9, 1, 7, 0)),  # 09:00 CEST
        (utc(2027, 9, 1, 7, 0), utc(2026 + 1, 12, 31, 23, 0)),  # until the year ends
    ]
    assert "noch kein Netzwerktreffen" in keine[0].text
    assert "tagt mindestens zweimal im Jahr" in keine[0].text
    assert len({g.gruppe for g in keine}) == 1
    eins = treffen_erinnerungen(
        NetzwerkPflichten(**{**HAMBURG.__dict__, "treffen": 1}), ["!hh"], jetzt, E
    )
    assert [g.faellig for g in eins] == [utc(2027, 9, 1, 7, 0)]
    assert "erst 1 Netzwerktreffen" in eins[0].text
    assert (
        treffen_erinnerungen(
            NetzwerkPflichten(**{**HAMBURG.__dict__, "treffen": 2}), ["!hh"], jetzt, E
        )
        == []
    )
    # Unknown (nobody counts events): no reminder rather than a false one.
    assert (
        treffen_erinnerungen(
            NetzwerkPflichten(**{**HAMBURG.__dict__, "treffen": None}), ["!hh"], jetzt, E
        )
        == []
    )


def test_report_to_the_plenum_a_month_before_it_is_due() -> None:
    [g] = bericht_erinnerungen(HAMBURG, ["!hh"], E)
    assert g.faellig == utc(2027, 2, 13, 8, 0)  # 30 days before 15.03.2027, 09:00 CET
    assert g.gueltig_bis == utc(2027, 3, 15, 23, 0)
    assert "15.03.2027" in g.text and "einmal jährlich" in g.text
    assert "!om netzwerk OM-Netzwerk Hamburg bericht <Datum>" in g.text
    assert bericht_erinnerungen(NetzwerkPflichten(1, "X"), ["!hh"], E) == []


def test_selbsterklaerung_expires_after_two_years() -> None:
    geplant = selbsterklaerung_erinnerungen(HAMBURG, ["!hh"], E)
    assert [g.faellig for g in geplant] == [
        utc(2027, 4, 2, 7, 0),  # 60 days before 01.06.2027
        utc(2027, 5, 18, 7, 0),  # 14 days before
    ]
    assert all(g.gueltig_bis == utc(2027, 6, 1, 22, 0) for g in geplant)
    assert "gilt bis 01.06.2027" in geplant[0].text and "zwei Jahre" in geplant[0].text
    schalt = NetzwerkPflichten(2, "Y", letzte_selbsterklaerung=date(2024, 2, 29))
    assert "gilt bis 28.02.2026" in selbsterklaerung_erinnerungen(schalt, ["!y"], E)[0].text


def test_obligations_can_be_switched_off_and_need_a_room() -> None:
    jetzt = utc(2027, 1, 10)
    assert len(pflicht_erinnerungen(HAMBURG, ["!hh"], jetzt, E)) == 5
    assert pflicht_erinnerungen(HAMBURG, [], jetzt, E) == []
    aus = Einstellungen(tz=BERLIN, jahrespflichten=False)
    assert pflicht_erinnerungen(HAMBURG, ["!hh"], jetzt, aus) == []


# --- contact requests -----------------------------------------------------------------------

ANFRAGE = OffeneAnfrage(
    id=3,
    netzwerk="OM-Netzwerk Hamburg",
    partner="IHK",
    status="angefragt",
    letzter_schritt=berlin(2027, 3, 1, 15, 0),
    naechster_befehl="anfrage 3 benennen <Name>, <E-Mail>[, <Telefon>]",
    naechster_wer="die nationale Ansprechperson des Partners",
)


def test_request_without_a_step_reminds_after_n_days_then_every_n_days() -> None:
    frueh = anfrage_erinnerungen(ANFRAGE, "!gs", utc(2027, 3, 3), E)
    assert [g.faellig for g in frueh] == [utc(2027, 3, 8, 8, 0), utc(2027, 3, 15, 8, 0)]
    assert frueh[0].gueltig_bis == frueh[1].faellig
    spaet = anfrage_erinnerungen(ANFRAGE, "!gs", utc(2027, 3, 16), E)
    assert [g.faellig for g in spaet] == [utc(2027, 3, 15, 8, 0), utc(2027, 3, 22, 8, 0)]
    # The same reminder has the same key whenever it is planned.
    assert frueh[1].schluessel == spaet[0].schluessel
    assert {g.room_id for g in spaet} == {"!gs"} and len({g.gruppe for g in spaet}) == 1
    text = frueh[0].text
    assert "Anfrage 3" in text and "angefragt" in text and "!om anfrage 3 benennen" in text
    # A new step, new keys.
    weiter = OffeneAnfrage(**{**ANFRAGE.__dict__, "letzter_schritt": berlin(2027, 3, 9, 10, 0)})
    assert not {g.schluessel for g in anfrage_erinnerungen(weiter, "!gs", utc(2027, 3, 10), E)} & {
        g.schluessel for g in frueh
    }


def test_request_reminders_need_a_room_and_a_period() -> None:
    assert anfrage_erinnerungen(ANFRAGE, "", utc(2027, 3, 3), E) == []
    aus = Einstellungen(tz=BERLIN, anfrage_nach_tagen=0)
    assert anfrage_erinnerungen(ANFRAGE, "!gs", utc(2027, 3, 3), aus) == []


# --- the info service -----------------------------------------------------------------------


def test_editions_on_the_configured_weekday() -> None:
    # Monday 08:00 Berlin. Monday 08.03.2027.
    assert ausgaben(berlin(2027, 3, 8, 7, 59), E) == (
        utc(2027, 3, 1, 7, 0),
        utc(2027, 3, 8, 7, 0),
    )
    assert ausgaben(berlin(2027, 3, 8, 8, 0), E) == (utc(2027, 3, 8, 7, 0), utc(2027, 3, 15, 7, 0))
    # Across the change to summer time the edition stays at 08:00 on the wall clock.
    assert ausgaben(berlin(2027, 3, 25, 12, 0), E)[1] == utc(2027, 3, 29, 6, 0)
    freitag = Einstellungen(tz=BERLIN, infodienst_wochentag=4, infodienst_uhrzeit=time(18, 30, 15))
    assert ausgaben(berlin(2027, 3, 8, 9, 0), freitag)[1] == berlin(2027, 3, 12, 18, 30, 15)


def _termin(titel: str, tag: int, region_id: int, region: str, **mehr: object) -> TerminVorkommen:
    return TerminVorkommen(
        termin_id=tag,
        titel=titel,
        beginn=berlin(2027, 3, tag, 10, 0),
        ende=berlin(2027, 3, tag, 12, 0),
        region_id=region_id,
        region=region,
        netzwerk="OM-Netzwerk " + region,
        **mehr,  # type: ignore[arg-type]
    )


TERMINE = [
    _termin("Frühjahrstreffen", 10, 1, "Hamburg"),
    _termin("Infostand", 12, 2, "München", ueberschneidung=True),
    _termin("Abgesagt", 15, 1, "Hamburg", abgesagt=utc(2027, 3, 2)),
    _termin("Vorbei", 5, 1, "Hamburg"),
]
NEUIGKEITEN = [
    NetzwerkNeuigkeit(utc(2027, 3, 4), "OM-Netzwerk Lüneburg", 3, neu=True, nachher="beantragt"),
    NetzwerkNeuigkeit(
        utc(2027, 3, 5),
        "OM-Netzwerk München",
        2,
        neu=False,
        vorher="bei der AG Transfer",
        nachher="beim Plenum",
    ),
    NetzwerkNeuigkeit(utc(2027, 2, 1), "Alt", 1, neu=True),
]


def test_digest_lists_the_coming_weeks_by_region_and_the_weeks_news() -> None:
    abo = Abo("!p", utc(2027, 1, 1))
    text = infodienst_inhalt(abo, utc(2027, 3, 8, 7, 0), TERMINE, NEUIGKEITEN, E).reply().text
    assert "OM-Infodienst vom 08.03.2027" in text
    assert "Termine der nächsten vier Wochen" in text
    assert text.index("Hamburg") < text.index("Frühjahrstreffen") < text.index("München")
    assert "Infostand (OM-Netzwerk München) ⚠ Terminüberschneidung" in text
    assert "Abgesagt" not in text and "Vorbei" not in text
    assert "Neue Netzwerke" in text and "OM-Netzwerk Lüneburg (Status: beantragt)" in text
    assert "OM-Netzwerk München: bei der AG Transfer → beim Plenum" in text
    assert "Alt" not in text
    assert "!om infodienst aus" in text


def test_digest_for_one_region_and_an_empty_one() -> None:
    hamburg = Abo("!p", utc(2027, 1, 1), region_id=1, region="Hamburg", regionen=frozenset({1}))
    text = infodienst_inhalt(hamburg, utc(2027, 3, 8, 7, 0), TERMINE, NEUIGKEITEN, E).reply().text
    assert "– Hamburg" in text and "Frühjahrstreffen" in text
    assert "München" not in text and "Lüneburg" not in text
    leer = infodienst_inhalt(hamburg, utc(2027, 6, 7, 6, 0), TERMINE, [], E).reply().text
    assert "Keine Termine in den nächsten vier Wochen" in leer


def test_digest_editions_exist_since_the_subscription() -> None:
    abo = Abo("!p", utc(2027, 3, 9, 12, 0))
    vorige, naechste = infodienst_ausgaben(abo, utc(2027, 3, 10), TERMINE, [], E)
    assert (vorige.faellig, vorige.gueltig_bis) == (utc(2027, 3, 8, 7, 0), utc(2027, 3, 15, 7, 0))
    assert naechste.faellig == utc(2027, 3, 15, 7, 0)
    assert vorige.verpasst() and not naechste.verpasst()
    assert not vorige.abschaltbar and vorige.gruppe == naechste.gruppe


# --- catch-up ---------------------------------------------------------------------------------


def _faellig(i: int, gruppe: str, faellig: datetime, bis: datetime) -> Faellig:
    return Faellig(i, f"k{i}", gruppe, "!a", faellig, bis, "t", "h")


def test_catch_up_sends_the_latest_of_a_group_and_drops_useless_ones() -> None:
    jetzt = utc(2027, 3, 12, 13, 30)
    auswahl = auswaehlen(
        [
            _faellig(1, "termin:7", utc(2027, 3, 11, 13, 0), utc(2027, 3, 12, 15, 0)),
            _faellig(2, "termin:7", utc(2027, 3, 12, 12, 0), utc(2027, 3, 12, 15, 0)),
            _faellig(3, "termin:8", utc(2027, 3, 11, 9, 0), utc(2027, 3, 11, 11, 0)),
            _faellig(4, "", utc(2027, 3, 12, 9, 0), utc(2027, 3, 20)),
        ],
        jetzt,
    )
    assert [f.id for f in auswahl.senden] == [4, 2]
    assert [f.id for f in auswahl.ueberholt] == [1]
    assert [f.id for f in auswahl.abgelaufen] == [3]


# --- configuration ----------------------------------------------------------------------------


def _config(**reminders: object) -> Config:
    return config_from_mapping(
        {
            "matrix": {
                "homeserver": "https://matrix.example.org",
                "user_id": "@om-bot:example.org",
                "password": "pw",
            },
            "bot": {"geschaeftsstelle_users": ["@gs:example.org"]},
            "reminders": reminders,
        },
        env={},
    )


def test_reminder_settings_from_the_configuration() -> None:
    e = einstellungen_aus(load_config(EXAMPLE, env={}))
    assert e.vor_termin == (TAG, STUNDE)
    assert e.treffen_stichtage == (Stichtag(6, 1, 1), Stichtag(9, 1, 2))
    assert (e.bericht_vorlauf_tage, e.selbsterklaerung_vorlauf_tage) == ((30,), (60, 14))
    assert (e.infodienst_wochentag, e.infodienst_uhrzeit) == (0, time(8, 0))
    assert e.anfrage_nach_tagen == 7 and e.geschaeftsstelle_room == "!geschaeftsstelle:example.org"
    eigene = einstellungen_aus(
        _config(before_event=["1h", "2d"], digest_wochentag="Fr", digest_uhrzeit="18:30:15")
    )
    assert eigene.vor_termin == (2 * TAG, STUNDE)
    assert (eigene.infodienst_wochentag, eigene.infodienst_uhrzeit) == (4, time(18, 30, 15))
    assert eigene.geschaeftsstelle_users == ("@gs:example.org",)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("treffen_stichtage", ["1. Juni"]),
        ("treffen_stichtage", ["31.02.:1"]),
        ("digest_wochentag", "Blumentag"),
        ("digest_uhrzeit", "8 Uhr"),
        ("pflichten_uhrzeit", "25:00"),
        ("anfrage_nach_tagen", -1),
        ("bericht_vorlauf_tage", [400]),
        ("digest_wochen", 0),
    ],
)
def test_bad_reminder_settings_name_their_key(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=rf"reminders\.{key}"):
        _config(**{key: value})
