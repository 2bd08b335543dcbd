"""Events through `Router.handle` in the shared chat world (`tests/chat.py`: the bot as
`runtime.build` composes it, on a fake clock).

The sample register's people act: Max Mustermann and Petra Beispiel are the contacts of the
OM-Netzwerk Hamburg, Ina Platzhalter of the DDN network in Hamburg, Olaf Mustermann of the OGB
network, Moritz Modell of the OM-Netzwerk München. Eve is nobody. "Now" is Wednesday
18.11.2026, 09:30 in Berlin.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select

import om_bot.services.terminverwaltung as tv
from om_bot.domain.grenzwerte import Grenzwerte
from om_bot.domain.termine import TerminArt
from om_bot.services.register import finde_netzwerk
from om_bot.storage.models import AuditEintrag, Termin, TerminVorkommen
from om_bot.text.messages import Reply
from tests.chat import Welt

B = ZoneInfo("Europe/Berlin")
JETZT = datetime(2026, 11, 18, 9, 30, tzinfo=B)
GS, ADMIN, EVE = "@gs:test", "@admin:test", "@eve:test"
MAX, PETRA = "@max.mustermann:om.example", "@petra.beispiel:om.example"
INA, OLAF = "@ina.platzhalter:om.example", "@olaf.mustermann:om.example"
MORITZ = "@moritz.modell:om.example"
HH, DDN, OGB, MUC, GS_RAUM, FREI = "!hh", "!ddn", "!ogb", "!muc", "!gs", "!frei"


def _an(replies: list[Reply], raum: str) -> list[str]:
    return [r.text for r in replies if r.room_id == raum]


@pytest.fixture
def mache_bot(neue_welt: Callable[..., Welt]) -> Callable[..., Welt]:
    """The shared chat world (`tests/chat.py`) at `JETZT`, `[termine]` settings as keyword
    arguments, the four networks' rooms linked by their contacts."""

    def factory(**termine: Any) -> Welt:
        bot = neue_welt(
            jetzt=JETZT,
            bot={"geschaeftsstelle_users": [GS], "admins": [ADMIN]},
            termine=termine,
            grenzen=Grenzwerte(),  # the configured defaults, as in a real deployment
        )
        for wer, raum, netzwerk in (
            (MAX, HH, "OM-Netzwerk Hamburg"),
            (INA, DDN, "DDN-Regionalnetzwerk Hamburg"),
            (OLAF, OGB, "OGB-Netzwerk Hamburg"),
            (MORITZ, MUC, "OM-Netzwerk München"),
        ):
            assert "verknüpft" in bot.antwort(wer, raum, f"raum {netzwerk}")
        return bot

    return factory


@pytest.fixture
def bot(mache_bot: Callable[..., Welt]) -> Welt:
    return mache_bot()


# --- registering -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "geschrieben", "start_utc"),
    [
        ("Netzwerktreffen am 12.03.2027 um 14:00 bis 16:00", "Fr, 12.03.2027, 14:00–16:00 Uhr",
         datetime(2027, 3, 12, 13, tzinfo=UTC)),
        ("Netzwerktreffen am 12. März 2027 14 Uhr", "Fr, 12.03.2027, 14:00–16:00 Uhr",
         datetime(2027, 3, 12, 13, tzinfo=UTC)),
        ("Sommerfest nächsten Freitag um 18 Uhr", "Fr, 20.11.2026, 18:00–20:00 Uhr",
         datetime(2026, 11, 20, 17, tzinfo=UTC)),
        ("Treffen morgen 10:00", "Do, 19.11.2026, 10:00–12:00 Uhr",
         datetime(2026, 11, 19, 9, tzinfo=UTC)),
        ("Klausur übermorgen", "Fr, 20.11.2026 (ganztägig)",
         datetime(2026, 11, 19, 23, tzinfo=UTC)),
        ("Infostand in zwei Wochen", "Mi, 02.12.2026 (ganztägig)",
         datetime(2026, 12, 1, 23, tzinfo=UTC)),
        ("Treffen 12 March 2027 um 10 Uhr", "Fr, 12.03.2027, 10:00–12:00 Uhr",
         datetime(2027, 3, 12, 9, tzinfo=UTC)),
        ("Frühlingstreffen am 28.03.2027 von 10 bis 12 Uhr", "So, 28.03.2027, 10:00–12:00 Uhr",
         datetime(2027, 3, 28, 8, tzinfo=UTC)),  # the day summer time begins
    ],
)  # fmt: skip
def test_eintragen_in_verschiedenen_formen(
    bot: Welt, text: str, geschrieben: str, start_utc: datetime
) -> None:
    antwort = bot.antwort(MAX, HH, f"termin {text}")
    assert "✅ Termin Nr. 1 eingetragen" in antwort
    assert geschrieben in antwort
    assert "Netzwerk: OM-Netzwerk Hamburg · Region: Hamburg" in antwort
    [termin] = bot.db(select(Termin))
    assert termin.start == start_utc
    assert termin.erstellt_von == MAX and termin.raum_id == HH
    assert len(bot.vorkommen(1)) == 1
    [eintrag] = bot.db(select(AuditEintrag).where(AuditEintrag.aktion == "termin_angelegt"))
    assert eintrag.objekt == "termin 1" and eintrag.nachher["titel"] == text.split(maxsplit=1)[0]


def test_art_aus_titel_und_option(bot: Welt) -> None:
    treffen = bot.antwort(MAX, HH, "termin Netzwerktreffen am 12.03.2027 um 14 Uhr")
    assert "Art: Netzwerktreffen (zählt für „tagt mindestens zweimal im Jahr“)" in treffen
    fest = bot.antwort(MAX, HH, "termin Sommerfest am 13.03.2027 um 14 Uhr")
    assert "Art: Veranstaltung" in fest and "zählt für" not in fest
    stand = bot.antwort(MAX, HH, "termin Messe am 14.03.2027 ganztägig art: infostand ort:Halle 3")
    assert "Art: Infostand" in stand and "Ort: Halle 3" in stand
    arten = [t.art for t in bot.db(select(Termin).order_by(Termin.id))]
    assert arten == [TerminArt.NETZWERKTREFFEN, TerminArt.VERANSTALTUNG, TerminArt.INFOSTAND]


@pytest.mark.parametrize(
    ("text", "grund"),
    [
        ("Treffen am 12.03.2020 um 10 Uhr", "liegt in der Vergangenheit"),
        ("Treffen heute um 8 Uhr", "liegt in der Vergangenheit"),
        ("Treffen am 12.03.2027 von 16 bis 14 Uhr", "Das Ende (14 Uhr) liegt vor dem Beginn"),
        ("Treffen am Blumenkohl", "„am Blumenkohl“ kann ich nicht als Datum lesen"),
        ("Treffen Freitag um 3 Uhr", "ist mehrdeutig – meinen Sie 03:00 oder 15:00 Uhr"),
        ("Treffen 03/12/2027", "ist mehrdeutig: der 03.12.2027 oder der 12.03.2027"),
        ("Treffen am 28.03.2027 um 02:30", "wegen der Zeitumstellung nicht"),
        ("am 12.03.2027 um 14 Uhr", "einen Titel"),
        ("Aktion vom 01.03.2027 bis 20.03.2027", "höchstens 14 Tage"),
        ("Treffen am 12.03.2029 um 10 Uhr", "höchstens 730 Tage im Voraus"),
        ("Treffen am 12.03.2027 um 14 Uhr art:Blumenkohl", "Die Art „Blumenkohl“ kenne ich nicht"),
        ("Treffen am 12.03.2027 um 14 Uhr in Hamberg", "Meinten Sie „Hamburg“"),
        ("Treffen am 12.03.2027 um 14 Uhr bei der IHK", "nach dem Datum verstehe ich nicht"),
        ("Treffen am 12.03.2027 um 14 Uhr für OM-Netzwerk Atlantis", "kenne ich nicht"),
        ("Treffen am 12.03.2027 um 14 Uhr ort:a ort:b", "steht zweimal"),
    ],
)
def test_ablehnungen_speichern_nichts(bot: Welt, text: str, grund: str) -> None:
    antwort = bot.antwort(MAX, HH, f"termin {text}")
    assert antwort.startswith("⚠ ")
    assert grund in antwort
    assert "Es wurde nichts gespeichert" in antwort
    assert bot.anzahl(Termin) == 0 and bot.anzahl(TerminVorkommen) == 0


def test_ablehnung_zeigt_beispiel(bot: Welt) -> None:
    antwort = bot.antwort(MAX, HH, "termin Treffen am Blumenkohl")
    assert "So geht’s: `!om termin [<Art>] <Titel> <Datum> [in <Region>]" in antwort
    assert "Beispiel: `!om termin Netzwerktreffen am 12.03.2027 um 14:00 bis 16:00`" in antwort


def test_region_und_netzwerk_ausserhalb_eines_netzwerkraums(bot: Welt) -> None:
    drei = bot.antwort(GS, GS_RAUM, "termin Tagung am 12.03.2027 um 9 Uhr in Hamburg")
    assert "Netzwerk: ohne Netzwerk · Region: Hamburg" in drei
    assert "In Hamburg gibt es 3 Netzwerke" in drei and "für <Netzwerk>" in drei
    eins = bot.antwort(GS, GS_RAUM, "termin Tagung am 12.04.2027 um 9 Uhr in Münsterland")
    assert "Netzwerk: OM-Netzwerk Münsterland · Region: Münsterland" in eins
    fuer = bot.antwort(GS, GS_RAUM, "termin Tagung am 12.05.2027 um 9 Uhr für OGB-Netzwerk Hamburg")
    assert "Netzwerk: OGB-Netzwerk Hamburg · Region: Hamburg" in fuer
    titel = bot.antwort(GS, GS_RAUM, "termin Tagung in Bremen am 12.06.2027 um 9 Uhr")
    assert "eingetragen: „Tagung“" in titel and "Region: Bremen" in titel
    woanders = bot.antwort(MAX, HH, "termin Besuch am 12.07.2027 um 9 Uhr in Bremen")
    assert "Netzwerk: OM-Netzwerk Hamburg · Region: Bremen" in woanders
    ohne = bot.antwort(GS, FREI, "termin Tagung am 12.03.2027 um 9 Uhr")
    assert "In welcher Region" in ohne
    assert bot.anzahl(Termin) == 5


def test_wer_eintragen_darf(bot: Welt) -> None:
    fremd = bot.antwort(EVE, FREI, "termin Treffen am 12.03.2027 um 9 Uhr in Münsterland")
    assert fremd.startswith("⛔") and "Es wurde nichts geändert" in fremd
    ohne_netz = bot.antwort(EVE, FREI, "termin Treffen am 12.03.2027 um 9 Uhr in Hamburg")
    assert (
        "Termine ohne Netzwerk" in ohne_netz and "nur die Geschäftsstelle und Admins" in ohne_netz
    )
    anderes = bot.antwort(
        MAX, HH, "termin Treffen am 12.03.2027 um 9 Uhr für DDN-Regionalnetzwerk Hamburg"
    )
    assert anderes.startswith("⛔")
    assert bot.anzahl(Termin) == 0
    verweigert = bot.db(select(AuditEintrag).where(AuditEintrag.erlaubt.is_(False)))
    assert len(verweigert) == 3 and all(e.aktion == "verweigert" for e in verweigert)
    # Moderating the linked room is not enough to speak for its network (docs/rechte.md) …
    moderation = bot.antwort(EVE, HH, "termin Treffen am 12.03.2027 um 9 Uhr", 100)
    assert moderation.startswith("⛔") and "Koordination des Netzwerks" in moderation
    assert bot.anzahl(Termin) == 0
    # … its coordinators, the Geschäftsstelle and admins may.
    assert "eingetragen" in bot.antwort(MAX, HH, "termin Treffen am 12.03.2027 um 9 Uhr")
    assert "eingetragen" in bot.antwort(PETRA, HH, "termin Treffen am 13.03.2027 um 9 Uhr")
    assert "eingetragen" in bot.antwort(ADMIN, FREI, "termin Tagung am 14.03.2027 in Bremen")
    assert "ohne Netzwerk" in bot.antwort(GS, GS_RAUM, "termin Tagung am 15.03.2027 in Bremen")
    assert bot.anzahl(Termin) == 4


# --- clashes -----------------------------------------------------------------------------------


def test_ueberschneidung_warnung_und_hinweis_an_das_andere_netzwerk(bot: Welt) -> None:
    bot.sag(MAX, HH, "termin Netzwerktreffen am 12.03.2027 um 14:00 bis 16:00")
    replies = bot.sag(INA, DDN, "termin Sommerfest am 12.03.2027 um 18 Uhr")
    [antwort] = [r.text for r in replies if r.room_id is None]
    assert "✅ Termin Nr. 2 eingetragen" in antwort  # stored anyway
    assert "⚠ Terminüberschneidung" in antwort
    assert (
        "„Netzwerktreffen“ (Nr. 1, Netzwerktreffen) – OM-Netzwerk Hamburg – Fr, 12.03.2027, "
        "14:00–16:00 Uhr – Hamburg"
    ) in antwort
    assert "die betroffenen Netzwerke haben einen Hinweis bekommen" in antwort
    [hinweis] = _an(replies, HH)
    assert "DDN-Regionalnetzwerk Hamburg hat einen Termin eingetragen" in hinweis
    assert (
        "Neu: „Sommerfest“ (Nr. 2)" in hinweis
        and "Ihr Termin: „Netzwerktreffen“ (Nr. 1)" in hinweis
    )
    assert _an(replies, OGB) == [] and _an(replies, DDN) == []
    assert [r.kollision for r in bot.vorkommen(1) + bot.vorkommen(2)] == [True, True]
    # Another region, or the next day: no clash.
    bremen = bot.sag(OLAF, OGB, "termin Treffen am 12.03.2027 um 15 Uhr in Bremen")
    assert "Terminüberschneidung" not in bremen[0].text and len(bremen) == 1
    morgen = bot.antwort(OLAF, OGB, "termin Treffen am 13.03.2027 um 15 Uhr")
    assert "Terminüberschneidung" not in morgen
    liste = bot.antwort(EVE, FREI, "termine Hamburg")
    assert liste.count("⚠ Überschneidung") == 2


def test_ueberschneidung_ueber_mitternacht(bot: Welt) -> None:
    bot.sag(MAX, HH, "termin Nachtschicht-Info am 12.03.2027 von 22:00 bis 01:00")
    fruehstueck = bot.antwort(INA, DDN, "termin Frühstück am 13.03.2027 um 9 Uhr")
    assert "⚠ Terminüberschneidung" in fruehstueck
    assert "Fr, 12.03.2027, 22:00 – Sa, 13.03.2027, 01:00 Uhr" in fruehstueck


def test_mehrtaegige_termine_werden_gefunden(bot: Welt) -> None:
    """A four-day fair is a "long" occurrence: found on its last day, too (other index)."""
    bot.sag(GS, GS_RAUM, "termin Messe vom 10. bis 13.03.2027 in Hamburg")
    assert bot.vorkommen(1)[0].lang
    letzter_tag = bot.antwort(MAX, HH, "termin Treffen am 13.03.2027 um 15 Uhr")
    assert "„Messe“ (Nr. 1, Veranstaltung) – ohne Netzwerk – Mi, 10.03.2027 – Sa, 13.03.2027" in (
        letzter_tag
    )
    danach = bot.antwort(MAX, HH, "termin Treffen am 14.03.2027 um 15 Uhr")
    assert "Terminüberschneidung" not in danach
    assert not bot.vorkommen(2)[0].lang


def test_verschachtelte_regionen_in_beide_richtungen(bot: Welt) -> None:
    replies = bot.sag(GS, GS_RAUM, "termin Bayerischer Tag am 05.05.2027 um 10 Uhr in Bayern")
    assert "Terminüberschneidung" not in replies[0].text
    muenchen = bot.sag(MORITZ, MUC, "termin Netzwerktreffen am 05.05.2027 um 16 Uhr")
    assert "„Bayerischer Tag“ (Nr. 1, Veranstaltung) – ohne Netzwerk" in muenchen[0].text
    # The network-less event belongs to the Geschäftsstelle: its room gets the notice.
    assert "OM-Netzwerk München hat einen Termin eingetragen" in _an(muenchen, GS_RAUM)[0]
    # And the other way round: München first, then a Bayern-wide event.
    bot.sag(MORITZ, MUC, "termin Netzwerktreffen am 06.05.2027 um 16 Uhr")
    bayern = bot.sag(GS, GS_RAUM, "termin Bayerischer Abend am 06.05.2027 um 19 Uhr in Bayern")
    assert "OM-Netzwerk München" in bayern[0].text and "⚠ Terminüberschneidung" in bayern[0].text
    assert "Die Geschäftsstelle hat einen Termin eingetragen" in _an(bayern, MUC)[0]
    # Franken and München both lie in Bayern but not in each other: no clash.
    franken = bot.antwort(GS, GS_RAUM, "termin Fränkischer Tag am 05.05.2027 um 18 Uhr in Franken")
    kollisionen = [z for z in franken.splitlines() if z.startswith("• „")]
    assert kollisionen == ["• „Bayerischer Tag“ (Nr. 1, Veranstaltung) – ohne Netzwerk – Mi, "
                           "05.05.2027, 10:00–12:00 Uhr – Bayern"]  # fmt: skip


def test_gleicher_tag_und_puffer_sind_einstellbar(mache_bot: Callable[..., Welt]) -> None:
    bot = mache_bot(gleicher_tag=False, puffer="1h")
    bot.sag(MAX, HH, "termin Treffen am 12.03.2027 von 14 bis 16 Uhr")
    assert "Terminüberschneidung" not in bot.antwort(INA, DDN, "termin A am 12.03.2027 um 9 Uhr")
    assert "Terminüberschneidung" in bot.antwort(INA, DDN, "termin B am 12.03.2027 16:30-17:00")
    # 90 minutes after B, 150 after the meeting: more than the buffer.
    assert "Terminüberschneidung" not in bot.antwort(OLAF, OGB, "termin C am 12.03.2027 um 18:30")


def test_standarddauer_ist_einstellbar(mache_bot: Callable[..., Welt]) -> None:
    bot = mache_bot(standard_dauer="90m")
    antwort = bot.antwort(MAX, HH, "termin Treffen am 12.03.2027 um 14 Uhr")
    assert "14:00–15:30 Uhr (kein Ende angegeben: 1.5 Std. angenommen)" in antwort


# --- recurring events ----------------------------------------------------------------------------


def test_serie_mit_allen_vorkommen_absagen_und_export(bot: Welt) -> None:
    # Outside the network's room „in Hamburg“ names no network (Hamburg has three), and a
    # network-less event is the Geschäftsstelle's: refused, with the way out.
    fremd = bot.antwort(
        MAX, FREI, "termin Netzwerktreffen jeden zweiten Dienstag im Monat um 10 Uhr in Hamburg"
    )
    assert fremd.startswith("⛔") and "für OM-Netzwerk Hamburg" in fremd
    serie = bot.antwort(
        MAX, HH, "termin Netzwerktreffen jeden zweiten Dienstag im Monat um 10 Uhr in Hamburg"
    )
    assert "Di, 08.12.2026, 10:00–12:00 Uhr (jeden zweiten Dienstag im Monat)" in serie
    assert "Nächste Termine:" in serie
    for tag in ("08.12.2026", "12.01.2027", "09.02.2027", "09.03.2027", "13.04.2027"):
        assert f"Di, {tag}, 10:00–12:00 Uhr" in serie
    nr = bot.db(select(Termin.id).where(Termin.netzwerk_id.is_not(None)))[0]
    rows = bot.vorkommen(nr)
    assert len(rows) == 24  # 08.12.2026 … 14.11.2028: two years ahead
    assert rows[-1].start.astimezone(B).date() == date(2028, 11, 14)
    assert {r.start.astimezone(B).hour for r in rows} == {10}  # summer and winter

    # Clash detection covers every occurrence, e.g. the one in April.
    workshop = bot.sag(INA, DDN, "termin Workshop am 13.04.2027 um 14 Uhr")
    assert f"„Netzwerktreffen“ (Nr. {nr}, Netzwerktreffen)" in workshop[0].text
    assert "Di, 13.04.2027, 10:00–12:00 Uhr" in workshop[0].text
    ws = bot.db(select(Termin.id).where(Termin.titel == "Workshop"))[0]
    assert bot.vorkommen(ws)[0].kollision

    # Cancel one occurrence: the series goes on, the workshop no longer clashes with it …
    falsch = bot.antwort(MAX, HH, f"termin absagen {nr} am 14.04.2027")
    assert "findet am 14.04.2027 nicht statt" in falsch and "Di, 08.12.2026" in falsch
    eins = bot.sag(MAX, HH, f"termin absagen {nr} am 13.04.2027")
    assert "Die Serie läuft weiter" in eins[0].text
    assert not bot.vorkommen(ws)[0].kollision
    nochmal = bot.antwort(MAX, HH, f"termin absagen {nr} 13.04.2027")
    assert "schon abgesagt" in nochmal
    liste = bot.antwort(EVE, FREI, "termine OM-Netzwerk Hamburg April 2027")
    assert "13.04.2027" not in liste

    # … and the export carries the rule and the exception.
    replies = bot.sag(EVE, FREI, "termine export OM-Netzwerk Hamburg")
    assert replies[0].attachment is not None
    cal = icalendar.Calendar.from_ical(replies[0].attachment.data)
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == f"termin-{nr}@om-bot"
    assert event["RRULE"].to_ical() == b"FREQ=MONTHLY;BYDAY=2TU"
    exdates = event["EXDATE"] if isinstance(event["EXDATE"], list) else [event["EXDATE"]]
    assert [d.dt for x in exdates for d in x.dts] == [datetime(2027, 4, 13, 10, tzinfo=B)]
    assert int(event["SEQUENCE"]) == 1

    # Cancel the series: no more occurrences ahead, none listed.
    alle = bot.sag(MAX, HH, f"termin absagen {nr}")
    assert (
        "Abgesagt: die Serie" in alle[0].text and "23 künftige Termine fallen weg" in alle[0].text
    )
    assert all(r.abgesagt is not None for r in bot.vorkommen(nr))
    assert "Keine Termine von OM-Netzwerk Hamburg" in bot.antwort(
        EVE, FREI, "termine OM-Netzwerk Hamburg"
    )


def test_serie_wird_fortgeschrieben(bot: Welt) -> None:
    bot.sag(MAX, HH, "termin Stammtisch jeden ersten Montag im Monat um 18 Uhr")
    vorher = bot.vorkommen(1)
    bot.uhr.advance(timedelta(days=400))
    bot.antwort(EVE, FREI, "termine")  # listing extends running series first
    nachher = bot.vorkommen(1)
    assert len(nachher) > len(vorher)
    letzter = nachher[-1].start
    assert letzter > bot.uhr() + timedelta(days=700)
    assert bot.termin(1).expandiert_bis == bot.uhr() + timedelta(days=730)


# --- holidays --------------------------------------------------------------------------------


def test_feiertage_in_bestaetigung_und_liste(bot: Welt) -> None:
    fronleichnam = bot.antwort(MORITZ, MUC, "termin Netzwerktreffen am 27.05.2027 um 10 Uhr")
    assert "⚑ Feiertag in Bayern: Fronleichnam" in fronleichnam
    harz = bot.antwort(GS, GS_RAUM, "termin Harztag am 31.10.2027 um 11 Uhr in Harz")
    assert "Netzwerk: Offensive Harzwirtschaft" in harz
    assert "Feiertag in Niedersachsen, Sachsen-Anhalt und Thüringen: Reformationstag" in harz
    normal = bot.antwort(MAX, HH, "termin Netzwerktreffen am 26.05.2027 um 10 Uhr")
    assert "Feiertag" not in normal
    liste = bot.antwort(EVE, FREI, "termine Bayern")
    assert "⚑ Feiertag in Bayern: Fronleichnam" in liste and "Harztag" not in liste
    # Inside a Land: the Augsburger Friedensfest (8 August) only in the Stadt Augsburg.
    augsburg = bot.antwort(
        GS, GS_RAUM, "termin Tagung am 09.08.2027 um 10 Uhr bis 10.08.2027 in Augsburg"
    )
    assert "Friedensfest" not in augsburg
    augsburg = bot.antwort(GS, GS_RAUM, "termin Tagung am 08.08.2027 um 10 Uhr in Augsburg")
    assert "⚑ Feiertag in Augsburg: Augsburger Hohes Friedensfest" in augsburg
    nuernberg = bot.antwort(GS, GS_RAUM, "termin Tagung am 08.08.2027 um 12 Uhr in Nürnberg")
    assert "Friedensfest" not in nuernberg


# --- listing and showing -----------------------------------------------------------------------


def test_termine_filter(bot: Welt) -> None:
    leer = bot.antwort(EVE, FREI, "termine")
    assert "Keine Termine in allen Regionen" in leer
    bot.sag(MAX, HH, "termin Hamburger Treffen am 25.11.2026 um 10 Uhr")
    bot.sag(OLAF, OGB, "termin Bremer Treffen am 26.11.2026 um 10 Uhr in Bremen")
    bot.sag(MORITZ, MUC, "termin Münchner Treffen am 15.03.2027 um 10 Uhr")
    bot.sag(GS, GS_RAUM, "termin Norddeutscher Tag am 10.12.2026 ganztägig in Norddeutschland")
    alle = bot.antwort(EVE, FREI, "termine")
    assert alle.startswith("Termine in allen Regionen – 4")
    assert alle.index("Hamburger") < alle.index("Bremer") < alle.index("Münchner")
    bremen = bot.antwort(EVE, FREI, "termine Bremen")
    assert "Bremer" in bremen and "Norddeutscher Tag" in bremen and "Hamburger" not in bremen
    netz = bot.antwort(EVE, FREI, "termine OM-Netzwerk Hamburg")
    assert "Hamburger" in netz and "Norddeutscher" not in netz
    naechste_woche = bot.antwort(EVE, FREI, "termine nächste Woche")
    assert "Hamburger" in naechste_woche and "Bremer" in naechste_woche
    assert "Münchner" not in naechste_woche
    maerz = bot.antwort(EVE, FREI, "termine Bayern März 2027")
    assert "Termine in Bayern (März 2027)" in maerz and "Münchner" in maerz
    assert "Keine Termine in Hamburg (März 2027)" in bot.antwort(
        EVE, FREI, "termine Hamburg März 2027"
    )
    tippfehler = bot.antwort(EVE, FREI, "termine Hamberg")
    assert "weder eine Region noch ein Netzwerk" in tippfehler and "Hamburg" in tippfehler


def test_termin_anzeigen(bot: Welt) -> None:
    bot.sag(MAX, HH, "termin Netzwerktreffen am 12.03.2027 um 14 Uhr ort:Handelskammer")
    bot.sag(INA, DDN, "termin Sommerfest am 12.03.2027 um 18 Uhr")
    details = bot.antwort(EVE, FREI, "termin 1")
    assert details.startswith("Termin Nr. 1: „Netzwerktreffen“")
    assert "Ort: Handelskammer" in details
    assert "⚠ Terminüberschneidung" in details and "„Sommerfest“ (Nr. 2, Veranstaltung)" in details
    assert "!om termin absagen 1" in details
    assert "Einen Termin Nr. 99 gibt es nicht" in bot.antwort(EVE, FREI, "termin 99")


# --- changing and cancelling ---------------------------------------------------------------------


def test_aendern_prueft_neu_und_raeumt_markierungen_auf(bot: Welt) -> None:
    bot.sag(MAX, HH, "termin Netzwerktreffen am 12.03.2027 um 14 Uhr")
    bot.sag(INA, DDN, "termin Sommerfest am 12.03.2027 um 18 Uhr")
    assert bot.vorkommen(2)[0].kollision
    # Ina may not change Max's event; Petra (same network) and Max may.
    fremd = bot.antwort(INA, DDN, "termin ändern 1 am 13.03.2027 um 14 Uhr")
    assert fremd.startswith("⛔") and "die Koordination von OM-Netzwerk Hamburg" in fremd
    assert bot.termin(1).start == datetime(2027, 3, 12, 13, tzinfo=UTC)
    replies = bot.sag(PETRA, HH, "termin ändern 1 am 13.03.2027 um 14 Uhr")
    assert (
        "✏ Termin Nr. 1 geändert" in replies[0].text and "Sa, 13.03.2027, 14:00" in replies[0].text
    )
    assert "Terminüberschneidung" not in replies[0].text and len(replies) == 1
    assert not bot.vorkommen(2)[0].kollision  # the Sommerfest is free again
    assert bot.termin(1).sequenz == 1
    # Moving onto the Sommerfest's day clashes again and tells the DDN room.
    zurueck = bot.sag(MAX, HH, "termin ändern 1 am 12.03.2027 um 17 Uhr")
    assert "⚠ Terminüberschneidung" in zurueck[0].text
    assert "OM-Netzwerk Hamburg hat einen Termin geändert" in _an(zurueck, DDN)[0]
    # Title, kind, place, region: without a new date.
    titel = bot.antwort(MAX, HH, "termin ändern 1 titel:Frühjahrstreffen art:workshop ort:Hafen")
    assert "„Frühjahrstreffen“" in titel and "Art: Workshop" in titel and "Ort: Hafen" in titel
    bremen = bot.antwort(MAX, HH, "termin ändern 1 in Bremen")
    assert "Region: Bremen" in bremen and "Terminüberschneidung" not in bremen
    vergangen = bot.antwort(MAX, HH, "termin ändern 1 am 12.03.2020 um 10 Uhr")
    assert "Vergangenheit" in vergangen and bot.termin(1).start.year == 2027
    geaendert = bot.db(select(AuditEintrag).where(AuditEintrag.aktion == "termin_geaendert"))
    assert len(geaendert) == 4


def test_moderation_spricht_nicht_fuer_das_netzwerk(bot: Welt) -> None:
    bot.sag(MAX, HH, "termin Treffen am 12.03.2027 um 14 Uhr")
    assert bot.antwort(EVE, HH, "termin absagen 1", 100).startswith("⛔")
    assert bot.antwort(EVE, HH, "termin ändern 1 titel Gekapert", 100).startswith("⛔")
    assert bot.termin(1).abgesagt is None and bot.termin(1).titel == "Treffen"
    # Whoever registered an event may cancel it (here the coordinator).
    assert "Abgesagt" in bot.antwort(MAX, HH, "termin absagen 1")


def test_absagen_rechte_und_hinweise(bot: Welt) -> None:
    bot.sag(MAX, HH, "termin Netzwerktreffen am 12.03.2027 um 14 Uhr")
    bot.sag(INA, DDN, "termin Sommerfest am 12.03.2027 um 18 Uhr")
    assert bot.antwort(OLAF, OGB, "termin absagen 1").startswith("⛔")
    assert bot.termin(1).abgesagt is None
    falsch = bot.antwort(GS, GS_RAUM, "termin absagen 1 am 13.03.2027")
    assert "ist am 12.03.2027, nicht am 13.03.2027" in falsch
    replies = bot.sag(GS, GS_RAUM, "termin absagen 1")
    assert "🚫 Abgesagt: „Netzwerktreffen“ (Nr. 1)" in replies[0].text
    assert "Die Geschäftsstelle hat „Netzwerktreffen“ (Nr. 1) abgesagt" in _an(replies, HH)[0]
    assert (
        "Terminüberschneidung mit Ihrem Termin „Sommerfest“ (Nr. 2) entfällt"
        in _an(replies, DDN)[0]
    )
    assert not bot.vorkommen(2)[0].kollision
    assert "schon abgesagt" in bot.antwort(MAX, HH, "termin absagen 1")
    assert "abgesagt; ändern geht nicht mehr" in bot.antwort(MAX, HH, "termin ändern 1 in Bremen")
    assert "abgesagt am 18.11.2026" in bot.antwort(EVE, FREI, "termin 1")


def test_vergangene_termine_bleiben(bot: Welt) -> None:
    bot.sag(MAX, HH, "termin Treffen morgen um 10 Uhr")
    bot.uhr.advance(timedelta(days=2))
    assert "schon vorbei" in bot.antwort(MAX, HH, "termin absagen 1")
    assert "schon vorbei" in bot.antwort(MAX, HH, "termin ändern 1 in Bremen")


# --- export ------------------------------------------------------------------------------------


def test_export(bot: Welt) -> None:
    assert "es gibt nichts zu exportieren" in bot.antwort(EVE, FREI, "termine export")
    bot.sag(MAX, HH, "termin Netzwerktreffen am 12.03.2027 von 14 bis 16 Uhr ort:Handelskammer")
    bot.sag(INA, DDN, "termin Sommerfest am 12.03.2027 um 18 Uhr")
    bot.sag(OLAF, OGB, "termin Treffen am 20.03.2027 um 9 Uhr in Bremen")
    bot.sag(INA, DDN, "termin absagen 2")
    [reply] = bot.sag(EVE, FREI, "termine export Hamburg")
    assert reply.attachment is not None
    assert reply.attachment.filename == "om-termine-hamburg.ics"
    assert reply.attachment.mimetype == "text/calendar"
    assert "Kalenderdatei mit 2 Terminen in Hamburg" in reply.text
    cal = icalendar.Calendar.from_ical(reply.attachment.data)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"termin-1@om-bot", "termin-2@om-bot"}
    treffen = events["termin-1@om-bot"]
    assert treffen.decoded("DTSTART") == datetime(2027, 3, 12, 14, tzinfo=B)
    assert str(treffen["LOCATION"]) == "Handelskammer (Hamburg)"
    assert str(events["termin-2@om-bot"]["STATUS"]) == "CANCELLED"
    assert int(events["termin-2@om-bot"]["SEQUENCE"]) == 1
    [zone] = cal.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Berlin"
    nur_netz = bot.sag(EVE, FREI, "termine export OGB-Netzwerk Hamburg")[0]
    assert nur_netz.attachment is not None and b"Bremen" in nur_netz.attachment.data


# --- the hook, the meeting count, the reminders' reader ----------------------------------------


def test_der_hook_wird_bei_jeder_aenderung_gerufen(
    bot: Welt, monkeypatch: pytest.MonkeyPatch
) -> None:
    gerufen: list[tuple[int, str, date | None]] = []

    def merken(uow: Any, termin: Termin, aenderung: tv.Aenderung, jetzt: datetime, tag=None):  # type: ignore[no-untyped-def]
        gerufen.append((termin.id, aenderung.value, tag))

    monkeypatch.setattr(tv, "termin_geaendert", merken)
    bot.sag(MAX, HH, "termin Stammtisch jeden ersten Montag im Monat um 18 Uhr")
    bot.sag(MAX, HH, "termin absagen 1 am 07.12.2026")
    bot.sag(MAX, HH, "termin ändern 1 titel:Netzwerkabend")
    bot.sag(MAX, HH, "termin absagen 1")
    assert gerufen == [
        (1, "angelegt", None),
        (1, "vorkommen_abgesagt", date(2026, 12, 7)),
        (1, "geaendert", None),
        (1, "abgesagt", None),
    ]


def test_treffen_zaehlen_fuer_die_kriterien(bot: Welt) -> None:
    leser = tv.DatenbankTerminLeser(B)
    with bot.app.uow() as u:
        hamburg = finde_netzwerk(u, "OM-Netzwerk Hamburg").id
        assert leser.treffen(u, hamburg, 2026) is None  # never used the calendar
    bot.sag(MAX, HH, "termin Netzwerktreffen am 25.11.2026 um 10 Uhr")
    bot.sag(MAX, HH, "termin Sommerfest am 26.11.2026 um 10 Uhr")
    with bot.app.uow() as u:
        assert leser.treffen(u, hamburg, 2026) == 1
    pruefung = bot.antwort(EVE, FREI, "prüfen OM-Netzwerk Hamburg")
    assert "Tagt mindestens zweimal im Jahr – 1 Treffen im Jahr 2026 eingetragen" in pruefung
    bot.sag(MAX, HH, "termin Netzwerktreffen am 09.12.2026 um 10 Uhr")
    bot.sag(MAX, HH, "termin Netzwerktreffen am 10.12.2026 um 10 Uhr")
    bot.sag(MAX, HH, "termin absagen 4")
    with bot.app.uow() as u:
        assert leser.treffen(u, hamburg, 2026) == 2
        assert leser.treffen(u, hamburg, 2027) == 0
    assert "✅ Tagt mindestens zweimal im Jahr" in bot.antwort(
        EVE, FREI, "prüfen OM-Netzwerk Hamburg"
    )


def test_leser_fuer_erinnerungen(bot: Welt) -> None:
    bot.sag(MAX, HH, "termin Stammtisch jeden ersten Montag im Monat um 18 Uhr ort:Kneipe")
    bot.sag(MAX, HH, "termin absagen 1 am 07.12.2026")
    with bot.app.uow() as u:
        liste = tv.DatenbankTerminLeser(B).vorkommen(u, JETZT, datetime(2027, 1, 31, tzinfo=B))
    assert [(v.beginn.astimezone(B).date(), v.abgesagt is not None) for v in liste] == [
        (date(2026, 12, 7), True),
        (date(2027, 1, 4), False),
    ]
    v = liste[1]
    assert (v.titel, v.netzwerk, v.region, v.ort, v.art) == (
        "Stammtisch", "OM-Netzwerk Hamburg", "Hamburg", "Kneipe", "Veranstaltung"
    )  # fmt: skip


# --- Parallelansprachen ------------------------------------------------------------------------


def test_ansprache_und_parallelansprache(bot: Welt) -> None:
    erst = bot.sag(MAX, HH, "ansprache Handwerkskammer Hamburg")
    assert "Notiert: OM-Netzwerk Hamburg spricht Handwerkskammer Hamburg an" in erst[0].text
    assert len(erst) == 1
    zweit = bot.sag(INA, DDN, "ansprache handwerkskammer hamburg – Erika Musterfrau")
    assert "⚠ Parallelansprache" in zweit[0].text and "OM-Netzwerk Hamburg" in zweit[0].text
    [hinweis] = _an(zweit, HH)
    assert "DDN-Regionalnetzwerk Hamburg" in hinweis and "Erika Musterfrau" in hinweis
    # Another region: no warning.
    assert "Parallelansprache" not in bot.antwort(MORITZ, MUC, "ansprache Handwerkskammer Hamburg")
    # Outside a network's room, and without the role: refused.
    assert "mit keinem Netzwerk verknüpft" in bot.antwort(MAX, FREI, "ansprache IHK")
    assert bot.antwort(EVE, HH, "ansprache IHK").startswith("⛔")


def test_hilfe_zu_terminen(bot: Welt) -> None:
    hilfe = bot.antwort(EVE, FREI, "hilfe termin")
    assert "!om termin <text>" in hilfe and "!om termine export [<auswahl>]" in hilfe
    assert "!om ansprache <institution>" in hilfe


def test_titel_und_ort_sind_eine_zeile(bot: Welt) -> None:
    # A line break in the title must not become a line that looks like the bot's (issue 9).
    antwort = bot.antwort(MAX, HH, "termin X\n✅ Anfrage 3 freigegeben am 12.03.2027 um 9 Uhr")
    assert "eingetragen" in antwort
    assert bot.termin(1).titel == "X ✅ Anfrage 3 freigegeben"
    assert not any(zeile.startswith("✅ Anfrage") for zeile in antwort.splitlines())
