"""Register, workflow, criteria and stages through the router (no Matrix), with a fixed clock:
the shared chat world (`tests/chat.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from om_bot.domain.grenzwerte import Grenzwerte
from om_bot.domain.netzwerk import KontaktRolle, MitgliedTyp, Status
from om_bot.services.register import finde_netzwerk
from tests.chat import Welt

GS = "@geschaeftsstelle:om.test"
ADMIN = "@admin:om.test"
ALICE = "@alice:om.test"
RAUM = "!raum:om.test"
# Sunday 22.11.2026, 10:00 UTC = 11:00 in Berlin.
JETZT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def bot(neue_welt: Callable[..., Welt]) -> Welt:
    """The shared chat world (`tests/chat.py`): `bot(body)` is the Geschäftsstelle in `RAUM`."""
    return neue_welt(
        jetzt=JETZT,
        bot={"geschaeftsstelle_users": [GS], "admins": [ADMIN], "geschaeftsstelle_room": ""},
        grenzen=Grenzwerte(),  # the configured defaults, as in a real deployment
        wer=GS,
        wo=RAUM,
    )


# --- anlegen ---------------------------------------------------------------------------------


def test_create_network_canonical_form(bot: Welt) -> None:
    antwort = bot("/om netzwerk anlegen Netzwerk Lüneburg in Lüneburg")
    assert "✅ Angelegt: Netzwerk Lüneburg" in antwort
    assert "Status: beantragt" in antwort
    n = bot.netzwerk("Netzwerk Lüneburg")
    assert (n.status, n.dach.value, n.art.value, n.region.name, n.teilnetz) == (
        Status.BEANTRAGT,
        "OM",
        "regional",
        "Lüneburg",
        False,
    )
    [eintrag] = [a for a in bot.audit() if a.aktion == "netzwerk_angelegt"]
    assert (eintrag.akteur, eintrag.netzwerk_id, eintrag.zeit) == (GS, n.id, JETZT)
    assert eintrag.nachher is not None and eintrag.nachher["status"] == "beantragt"
    # The profile command still answers for the new network.
    assert "Region: Lüneburg" in bot("!om netzwerk Lüneburg")


def test_create_with_umbrella_and_fachgruppe(bot: Welt) -> None:
    # The one-network rule is per umbrella: a DDN network in Lüneburg is fine next to the OM one.
    assert "✅" in bot("!om netzwerk anlegen Netzwerk Lüneburg in Lüneburg")
    assert "✅" in bot("!om netzwerk anlegen DDN-Netzwerk Lüneburg in Lüneburg dach ddn")
    assert bot.netzwerk("DDN-Netzwerk Lüneburg").dach.value == "DDN"

    antwort = bot("!om netzwerk anlegen OM-Fachgruppe Demografie fachgruppe Demografie")
    assert "Fachgruppe (Demografie) · Deutschland" in antwort
    gruppe = bot.netzwerk("OM-Fachgruppe Demografie")
    assert (gruppe.art.value, gruppe.thema, gruppe.region.name) == (
        "fachgruppe",
        "Demografie",
        "Deutschland",
    )


def test_second_network_for_a_region_is_refused_naming_the_existing_one(bot: Welt) -> None:
    antwort = bot("!om netzwerk anlegen OM-Netzwerk Hansestadt in Hamburg")
    assert "Abgelehnt" in antwort
    assert "„OM-Netzwerk Hamburg“" in antwort
    assert "Es kann in jeder Region/jedem Fachgebiet nur ein regionales Netzwerk" in antwort
    assert "teilnetz" in antwort
    with bot.app.uow() as uow:
        assert uow.netzwerke.nach_schluessel("om netzwerk hansestadt") is None
    assert not [a for a in bot.audit() if a.aktion == "netzwerk_angelegt"]

    # Inside the region of a larger network (Nürnberg lies in Franken): refused, too …
    drinnen = bot("!om netzwerk anlegen OM-Netzwerk Nürnberg in Nürnberg")
    assert "„OM-Netzwerk Franken“" in drinnen
    # … unless agreed as a sub-network.
    erlaubt = bot("!om netzwerk anlegen OM-Netzwerk Nürnberg in Nürnberg teilnetz")
    assert "✅" in erlaubt
    assert "Teilnetz neben: OM-Netzwerk Franken" in erlaubt
    assert bot.netzwerk("OM-Netzwerk Nürnberg").teilnetz is True

    # A network for a larger region clashes with the ones inside it.
    bayern = bot("!om netzwerk anlegen OM-Netzwerk Bayern in Bayern")
    assert "„OM-Netzwerk Franken“" in bayern and "„OM-Netzwerk Oberbayern“" in bayern

    # Fachgruppen clash on the same topic.
    thema = bot(
        "!om netzwerk anlegen OM-Fachgruppe Digital fachgruppe digitalisierung (Mittelstand 4.0)"
    )
    assert "„OM-Fachgruppe Digitalisierung“" in thema


def test_teilnetz_without_overlap_is_a_normal_network(bot: Welt) -> None:
    antwort = bot("!om netzwerk anlegen Netzwerk Lüneburg in Lüneburg teilnetz")
    assert "kein Teilnetz nötig" in antwort
    assert bot.netzwerk("Netzwerk Lüneburg").teilnetz is False


def test_network_name_may_contain_in(bot: Welt) -> None:
    antwort = bot("!om netzwerk anlegen Gesund arbeiten in Lüneburg in Lüneburg")
    assert "✅ Angelegt: Gesund arbeiten in Lüneburg" in antwort
    assert bot.netzwerk("Gesund arbeiten in Lüneburg").region.name == "Lüneburg"


@pytest.mark.parametrize(
    ("befehl", "meldung"),
    [
        ("!om netzwerk anlegen Netzwerk Lüneburg", "Bitte die Region angeben"),
        ("!om netzwerk anlegen Netzwerk X in Lüneburrg", "Meinten Sie „Lüneburg“"),
        ("!om netzwerk anlegen Netzwerk X in Lüneburg dach ABC", "Das Dach „ABC“ kenne ich nicht"),
        ("!om netzwerk anlegen OM-Netzwerk Hamburg in Lüneburg", "gibt es schon"),
        ("!om netzwerk anlegen " + "x" * 250 + " in Lüneburg", "zu lang"),
    ],
)
def test_create_bad_input(bot: Welt, befehl: str, meldung: str) -> None:
    vorher = len(bot.audit())
    antwort = bot(befehl)
    assert antwort.startswith("⚠")
    assert meldung in antwort
    assert len(bot.audit()) == vorher


# --- status ----------------------------------------------------------------------------------


def test_status_change_canonical_form_is_recorded(bot: Welt) -> None:
    antwort = bot("/om netzwerk Hannover status leitungskreis")
    assert "OM-Netzwerk Hannover: beantragt → leitungskreis" in antwort
    assert f"Eingetragen am 22.11.2026 um 11:00 von {GS}" in antwort
    assert "ag_transfer" in antwort  # the next step
    assert bot.netzwerk("Hannover").status is Status.LEITUNGSKREIS
    [eintrag] = [a for a in bot.audit() if a.aktion == "status_geaendert"]
    assert (eintrag.akteur, eintrag.zeit, eintrag.vorher, eintrag.nachher) == (
        GS,
        JETZT,
        {"status": "beantragt"},
        {"status": "leitungskreis"},
    )
    verlauf = bot("!om verlauf Hannover")
    assert "22.11.2026 11:00 · Status: beantragt → leitungskreis" in verlauf
    assert GS in verlauf


def test_whole_procedure_revocation_and_new_application(bot: Welt) -> None:
    for status in ("leitungskreis", "ag transfer", "plenum", "anerkannt"):
        assert "→" in bot(f"!om netzwerk Hannover status {status}"), status
    assert bot.netzwerk("Hannover").status is Status.ANERKANNT
    ohne_grund = bot("!om netzwerk Hannover status entzogen")
    assert "bitte einen Grund angeben" in ohne_grund
    assert bot.netzwerk("Hannover").status is Status.ANERKANNT
    entzug = bot("!om netzwerk Hannover status entziehen Beschluss des Plenums vom 20.11.2026")
    assert "anerkannt → entzogen" in entzug
    assert "neuer Antrag" in entzug
    assert "→ beantragt" in bot("!om netzwerk Hannover status beantragt")
    verlauf = bot("!om verlauf Hannover")
    assert "Grund: Beschluss des Plenums vom 20.11.2026" in verlauf
    assert verlauf.index("entzogen → beantragt") < verlauf.index("leitungskreis → ag_transfer")


def test_forbidden_transition_is_refused_with_the_allowed_steps(bot: Welt) -> None:
    antwort = bot("!om netzwerk Hannover status anerkannt")
    assert antwort.startswith("⚠")
    assert "steht auf „beantragt“" in antwort
    assert "Erlaubt ist: „leitungskreis“" in antwort
    assert "Beispiel: `!om netzwerk OM-Netzwerk Hannover status leitungskreis`" in antwort
    assert bot.netzwerk("Hannover").status is Status.BEANTRAGT
    assert not [a for a in bot.audit() if a.aktion == "status_geaendert"]


def test_sending_back_needs_a_reason(bot: Welt) -> None:
    # Mainz/Wiesbaden is with the Leitungskreis.
    assert "Grund" in bot("!om netzwerk Mainz status beantragt")
    zurueck = bot("!om netzwerk Mainz status beantragt Ziele fehlen noch")
    assert "leitungskreis → beantragt" in zurueck
    assert "zurück an die Antragsteller" in zurueck


def test_unknown_status_and_unknown_network(bot: Welt) -> None:
    status = bot("!om netzwerk Hannover status plenm")
    assert "Den Status „plenm“ kenne ich nicht. Meinten Sie „plenum“?" in status
    netz = bot("!om netzwerk Hanover status leitungskreis")
    assert "kenne ich nicht" in netz and "Hannover" in netz
    assert bot.netzwerk("Hannover").status is Status.BEANTRAGT


def test_status_overview(bot: Welt) -> None:
    antwort = bot("!om netzwerk Hannover status", sender=ALICE)
    assert "Status: beantragt" in antwort
    assert "Ziele: noch nicht eingetragen" in antwort
    assert "leitungskreis – Antrag liegt beim Leitungskreis" in antwort
    bot("!om netzwerk Hannover ziele KMU der Region für gute Arbeit gewinnen")
    bot("!om netzwerk Hannover status leitungskreis")
    danach = bot("!om netzwerk Hannover status")
    assert "Ziele: KMU der Region für gute Arbeit gewinnen" in danach
    assert f"Seit 22.11.2026, eingetragen von {GS}" in danach


def test_leitungskreis_reminds_of_goals_and_approach(bot: Welt) -> None:
    assert "Zum Antrag gehören Ziele und Vorgehensweise" in bot(
        "!om netzwerk Hannover status leitungskreis"
    )
    bot("!om netzwerk Mainz ziele Praxisstandards bekannt machen")
    bot("!om netzwerk Mainz vorgehen Zwei Treffen im Jahr")
    n = bot.netzwerk("Mainz")
    assert (n.ziele, n.vorgehen) == ("Praxisstandards bekannt machen", "Zwei Treffen im Jahr")
    assert "Zum Antrag gehören" not in bot("!om netzwerk Mainz status ag_transfer")


def test_recognising_warns_about_an_overlapping_network(bot: Welt) -> None:
    # München is an agreed sub-network inside Oberbayern: no warning.
    bot("!om netzwerk München status plenum")
    antwort = bot("!om netzwerk München status anerkannt")
    assert "OM-Netzwerk München: plenum → anerkannt (vom Plenum anerkannt)." in antwort
    assert "Achtung" not in antwort
    assert bot.netzwerk("München").status is Status.ANERKANNT
    # Without that agreement the same step warns (and still records the decision).
    with bot.uow() as uow:
        finde_netzwerk(uow, "München").teilnetz = False
        uow.commit()
    bot("!om netzwerk München status entzogen Probe")
    for status in ("beantragt", "leitungskreis", "ag_transfer", "plenum"):
        bot(f"!om netzwerk München status {status}")
    antwort = bot("!om netzwerk München status anerkannt")
    assert "OM-Netzwerk München: plenum → anerkannt" in antwort
    assert (
        "⚠ Achtung, Regel „ein Netzwerk je Region/Thema“: überschneidet sich mit "
        "OM-Netzwerk Oberbayern." in antwort
    )
    assert bot.netzwerk("München").status is Status.ANERKANNT


# --- permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "befehl",
    [
        "!om netzwerk Hannover status leitungskreis",
        "!om netzwerk anlegen Netzwerk Lüneburg in Lüneburg",
        "!om netzwerk Hamburg mitglied Neue GmbH als unternehmen",
        "!om netzwerk Hamburg mitglied entfernen DGB Hamburg",
        "!om netzwerk Hamburg kontakt Moderation Eva Neu, DGB Hamburg",
        "!om netzwerk Hamburg kontakt entfernen Petra Beispiel",
        "!om netzwerk Hamburg bericht heute",
        "!om netzwerk Hamburg selbsterklärung heute",
        "!om netzwerk Hamburg offen nein",
        "!om netzwerk Hamburg ziele Nichts",
    ],
)
def test_admin_commands_are_refused_for_others_and_change_nothing(bot: Welt, befehl: str) -> None:
    with bot.app.uow() as uow:
        vorher = [
            (n.name, n.status, len(n.mitglieder), len(n.kontakte)) for n in uow.netzwerke.alle()
        ]
    antwort = bot(befehl, sender=ALICE)
    assert antwort.startswith("⛔")
    assert "Es wurde nichts geändert" in antwort
    with bot.app.uow() as uow:
        nachher = [
            (n.name, n.status, len(n.mitglieder), len(n.kontakte)) for n in uow.netzwerke.alle()
        ]
    assert nachher == vorher
    [eintrag] = bot.audit()
    assert (eintrag.aktion, eintrag.akteur, eintrag.erlaubt) == ("verweigert", ALICE, False)


def test_admins_may_do_what_the_geschaeftsstelle_does(bot: Welt) -> None:
    assert "→" in bot("!om netzwerk Hannover status leitungskreis", sender=ADMIN)


# --- partners and contacts --------------------------------------------------------------------


def test_partners_add_change_remove(bot: Welt) -> None:
    bot("!om netzwerk anlegen Netzwerk Lüneburg in Lüneburg")
    antwort = bot("!om netzwerk Lüneburg mitglied IHK Lüneburg-Wolfsburg als intermediär")
    assert "IHK Lüneburg-Wolfsburg ist jetzt Partner (intermediär)" in antwort
    assert "Jetzt 1 Partner, davon 1 intermediär und 0 öffentlich" in antwort
    assert "schon" in bot("!om netzwerk Lüneburg mitglied ihk lüneburg-wolfsburg als intermediaer")
    geaendert = bot("!om netzwerk Lüneburg mitglied IHK Lüneburg-Wolfsburg als öffentlich")
    assert "intermediär → öffentlich" in geaendert
    [m] = bot.netzwerk("Netzwerk Lüneburg").mitglieder
    assert (m.name, m.typ) == ("IHK Lüneburg-Wolfsburg", MitgliedTyp.OEFFENTLICH)

    falsch = bot("!om netzwerk Lüneburg mitglied Stadt Lüneburg als Gemeinde")
    assert "Den Typ „Gemeinde“ kenne ich nicht" in falsch
    unbekannt = bot("!om netzwerk Lüneburg mitglied entfernen IHK Lüneburg")
    assert "Meinten Sie „IHK Lüneburg-Wolfsburg“" in unbekannt
    weg = bot("!om netzwerk Lüneburg mitglied entfernen IHK Lüneburg-Wolfsburg")
    assert "ist kein Partner mehr" in weg
    assert bot.netzwerk("Netzwerk Lüneburg").mitglieder == []
    aktionen = [a.aktion for a in bot.audit()]
    assert aktionen[-3:] == ["mitglied_hinzugefuegt", "mitglied_geaendert", "mitglied_entfernt"]
    verlauf = bot("!om verlauf Lüneburg")
    assert "Partner eingetragen: name: IHK Lüneburg-Wolfsburg, typ: intermediär" in verlauf


def test_contacts_add_update_remove(bot: Welt) -> None:
    bot("!om netzwerk anlegen Netzwerk Lüneburg in Lüneburg")
    bot("!om netzwerk Lüneburg mitglied IHK Lüneburg-Wolfsburg als intermediär")
    antwort = bot(
        "!om netzwerk Lüneburg kontakt Koordination Erika Musterfrau, IHK Lüneburg-Wolfsburg, "
        "erika@example.org, @erika:om.test"
    )
    assert "Koordination ist Erika Musterfrau (IHK Lüneburg-Wolfsburg)" in antwort
    assert "@erika:om.test darf jetzt als Koordination" in antwort
    [k] = bot.netzwerk("Netzwerk Lüneburg").kontakte
    assert (k.rolle, k.email, k.matrix, k.oeffentlich) == (
        KontaktRolle.KOORDINATION,
        "erika@example.org",
        "@erika:om.test",
        True,
    )
    # The same person and role again: an update, not a second row.
    bot("!om netzwerk Lüneburg kontakt koordinatorin Erika Musterfrau, IHK Lüneburg-Wolfsburg")
    [k] = bot.netzwerk("Netzwerk Lüneburg").kontakte
    assert k.email == ""

    hinweis = bot("!om netzwerk Lüneburg kontakt Moderation Max Beispiel, Beispiel Beratung")
    assert "„Beispiel Beratung“ ist noch kein Partner" in hinweis

    weg = bot("!om netzwerk Lüneburg kontakt entfernen max beispiel")
    assert "Max Beispiel ist nicht mehr Moderation" in weg
    assert [k.name for k in bot.netzwerk("Netzwerk Lüneburg").kontakte] == ["Erika Musterfrau"]


@pytest.mark.parametrize(
    ("angaben", "meldung"),
    [
        ("Präsident Max, kaputt@", "keine E-Mail-Adresse"),
        ("Max, Firma, @max", "keine Matrix-ID"),
        ("Max, Firma, Noch eine Firma", "verstehe ich nicht"),
        ("max@example.org", "Zuerst kommt der Name"),
        ("M" * 250 + ", Firma", "Der Name ist zu lang"),
        ("Max, Firma, " + "m" * 250 + "@example.org", "Die E-Mail-Adresse ist zu lang"),
    ],
)
def test_contact_bad_input(bot: Welt, angaben: str, meldung: str) -> None:
    antwort = bot(f"!om netzwerk Hamburg kontakt Moderation {angaben}")
    assert meldung in antwort
    assert len(bot.netzwerk("Hamburg").kontakte) == 2


def test_contact_unknown_role_and_unknown_person(bot: Welt) -> None:
    assert "Die Rolle „Kassenwart“ kenne ich nicht" in bot(
        "!om netzwerk Hamburg kontakt Kassenwart Max, Firma"
    )
    assert "Meinten Sie „Petra Beispiel“" in bot(
        "!om netzwerk Hamburg kontakt entfernen Petra Beispil"
    )


def test_non_public_contact_is_hidden_in_the_history_for_others(bot: Welt) -> None:
    bot("!om netzwerk Hamburg kontakt Moderation Geheim Person, Handelskammer Hamburg, intern")
    fuer_alle = bot("!om verlauf Hamburg", sender=ALICE)
    assert "Geheim Person" not in fuer_alle
    assert "(nicht öffentliche Ansprechperson)" in fuer_alle
    fuer_gs = bot("!om verlauf Hamburg")
    assert "Geheim Person" in fuer_gs
    # E-mail addresses never show in the history.
    bot("!om netzwerk Hamburg kontakt Moderation Eva Offen, DGB Hamburg, eva@example.org")
    assert "eva@example.org" not in bot("!om verlauf Hamburg")


def test_removal_routes_before_the_generic_contact_command(bot: Welt) -> None:
    registry = bot.app.dienste.registry
    treffer = registry.find("netzwerk Hamburg kontakt entfernen Petra Beispiel")
    assert treffer.befehl.handler.__name__ == "kontakt_entfernen"
    assert registry.find("netzwerk Münsterland").befehl.handler.__name__ == "netzwerk"
    assert registry.find("netzwerk OM-Netzwerk Hamburg").argumente == {
        "name": "OM-Netzwerk Hamburg"
    }
    assert registry.find("netzwerk Hannover status").befehl.handler.__name__ == "status_zeigen"


# --- dates and facts -------------------------------------------------------------------------


def test_report_and_selbsterklaerung_dates(bot: Welt) -> None:
    antwort = bot("!om netzwerk OWL bericht 12.03.2026")
    assert "Bericht an das Plenum am 12.03.2026 (vorher: 10.11.2022)" in antwort
    assert "fällig bis 12.03.2027" in antwort
    assert bot.netzwerk("OWL").letzter_bericht == date(2026, 3, 12)
    assert "gilt bis 22.11.2028" in bot("!om netzwerk OWL selbsterklärung heute")
    assert bot.netzwerk("OWL").letzte_selbsterklaerung == date(2026, 11, 22)
    assert "Selbsterklärung vom 22.11.2026" in bot("!om prüfen OWL")
    eintrag = next(a for a in bot.audit() if a.aktion == "bericht_eingetragen")
    assert (eintrag.vorher, eintrag.nachher) == ({"datum": "2022-11-10"}, {"datum": "2026-03-12"})


@pytest.mark.parametrize(
    ("text", "meldung"),
    [
        ("12.03.2027", "liegt in der Zukunft"),
        ("31.02.2026", "Den 31.02.2026 gibt es nicht"),
        ("gestern abend", "verstehe ich nicht als Datum"),
        ("01.01.1999", "zu weit zurück"),
    ],
)
def test_bad_dates_are_refused(bot: Welt, text: str, meldung: str) -> None:
    antwort = bot(f"!om netzwerk OWL bericht {text}")
    assert meldung in antwort
    assert bot.netzwerk("OWL").letzter_bericht == date(2022, 11, 10)


def test_short_and_iso_dates(bot: Welt) -> None:
    bot("!om netzwerk OWL bericht 1.3.26")
    assert bot.netzwerk("OWL").letzter_bericht == date(2026, 3, 1)
    bot("!om netzwerk OWL bericht 2026-04-02")
    assert bot.netzwerk("OWL").letzter_bericht == date(2026, 4, 2)
    bot("!om netzwerk OWL bericht gestern")
    assert bot.netzwerk("OWL").letzter_bericht == date(2026, 11, 21)


def test_open_and_free_of_fees(bot: Welt) -> None:
    assert "offen unbekannt → ja" in bot("!om netzwerk Bremen offen ja")
    assert "schon ja" in bot("!om netzwerk Bremen offen ja")
    assert "bitte ja, nein oder unbekannt" in bot("!om netzwerk Bremen beitragsfrei vielleicht")
    bot("!om netzwerk Bremen beitragsfrei nein")
    n = bot.netzwerk("Bremen")
    assert (n.offen, n.beitragsfrei) == (True, False)
    assert "❌ Offen für alle Partner, keine Mitgliedsbeiträge – erhebt Mitgliedsbeiträge" in bot(
        "!om prüfen Bremen"
    )


# --- prüfen, stadien, kriterien --------------------------------------------------------------


def test_pruefen_hamburg(bot: Welt) -> None:
    antwort = bot("/om prüfen Hamburg", sender=ALICE)
    assert "Prüfung: OM-Netzwerk Hamburg" in antwort
    assert "Stand 22.11.2026" in antwort
    assert "✅ Mindestens drei Partner, davon eine öffentliche Institution – 7 Partner" in antwort
    assert "❔ Tagt mindestens zweimal im Jahr – noch keine Termine des Netzwerks" in antwort
    assert (
        "✅ Bericht an das Plenum in den letzten 12 Monaten – letzter Bericht am 15.03.2026"
        in antwort
    )
    assert "Umsetzungsstadium 4 von 4: „Einige Netzwerke erfüllen alle Anforderungen.“" in antwort
    assert "Nichts offen" in antwort
    assert "❌" not in antwort


def test_pruefen_names_what_to_do_next(bot: Welt) -> None:
    harz = bot("!om pruefen Harz")
    assert "❌ Zwei Ansprechpartner" in harz
    assert "Umsetzungsstadium 3 von 4" in harz
    assert "Für Stadium 4:" in harz
    assert "kontakt Koordination <Name>, <Organisation>" in harz
    muenchen = bot("!om prüfen München")
    # "München" means the OM network, which is still with the AG Transfer.
    assert "Prüfung: OM-Netzwerk München" in muenchen
    assert "Status: bei der AG Transfer" in muenchen
    assert "Teilnetz neben OM-Netzwerk Oberbayern" in muenchen
    ddn = bot("!om prüfen DDN-Netzwerk München")
    assert "nur zur Orientierung" in ddn


def test_pruefen_follows_the_clock(bot: Welt) -> None:
    assert "Umsetzungsstadium 4" in bot("!om prüfen Münsterland")
    bot.uhr.advance_to(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    spaeter = bot("!om prüfen Münsterland")
    assert "Umsetzungsstadium 3" in spaeter
    assert "abgelaufen am 10.12.2026" in spaeter
    assert "Im Register eingestuft: Stadium 4." in spaeter


def test_pruefen_bad_input_and_room_default(bot: Welt) -> None:
    unbekannt = bot("!om prüfen Hamberg")
    assert "Ein Netzwerk „Hamberg“ kenne ich nicht. Meinten Sie „Hamburg“" in unbekannt
    ohne = bot("!om prüfen")
    assert "Dieser Raum ist mit keinem Netzwerk verknüpft" in ohne
    assert "Beispiel: `!om prüfen Hamburg`" in ohne
    bot("!om raum Kaiserslautern")
    assert "Prüfung: OM-Netzwerk Kaiserslautern" in bot("!om prüfen")
    assert "Verlauf: OM-Netzwerk Kaiserslautern" in bot("!om verlauf")


def test_stadien_overview(bot: Welt) -> None:
    antwort = bot("/om stadien", sender=ALICE)
    abschnitte = {n: antwort.index(f"Stadium {n} (") for n in (1, 2, 3, 4)}
    assert list(abschnitte.values()) == sorted(abschnitte.values())

    def stadium_von(name: str) -> int:
        stelle = antwort.index(f"• {name}")
        return max(n for n, i in abschnitte.items() if i < stelle)

    assert stadium_von("OM-Netzwerk Hamburg") == 4
    assert stadium_von("OM-Netzwerk Kaiserslautern") == 4
    assert stadium_von("OM-Netzwerk Bremen") == 1
    assert stadium_von("Offensive Harzwirtschaft") == 3
    assert stadium_von("OM-Netzwerk OWL") == 2
    assert "• OM-Netzwerk Hannover (beantragt) – fehlt: Koordination und Moderation" in antwort
    assert "DDN-Netzwerk München" not in antwort
    assert "Nicht eingestuft: 4 Netzwerke von DDN und OGB" in antwort
    assert "Was sollen wir tun – heute bitte entscheiden." in antwort


def test_stadien_change_with_the_register(bot: Welt) -> None:
    bot("!om netzwerk Harz kontakt Moderation Frieda Fiktiv, IHK Magdeburg")
    antwort = bot("!om stadien")
    assert antwort.index("• Offensive Harzwirtschaft") > antwort.index("Stadium 4 (")
    assert "(eingestuft: 3)" in antwort


def test_kriterien_sections_and_keywords(bot: Welt) -> None:
    alle = bot("/om kriterien", sender=ALICE)
    assert "Rahmenbedingungen – 20 Kriterien; Plenum 31.10.2014, Berlin" in alle
    assert "Vollständigkeitskriterien Selbsterklärung der OM-Praxis-Checks" in alle

    selbst = bot("/om kriterien selbsterklärung")
    assert "Zehn Maßnahmen wurden in den Maßnahmenplan aufgenommen" in selbst
    assert "Die Selbsterklärung gilt für zwei Jahre." in selbst
    assert bot("!om kriterien Selbsterklaerung") == selbst

    treffen = bot("!om kriterien treffen")
    assert "„tagt mindestens zweimal im Jahr.“" in treffen
    assert "Plenum 31.10.2014, Berlin" in treffen
    assert "prüft der Bot aus den Terminen" in treffen

    stadien = bot("!om kriterien stadien")
    assert "Stadium 1: „Von einigen Netzwerken wissen wir gar nicht" in stadien


def test_kriterien_unknown_keyword(bot: Welt) -> None:
    antwort = bot("!om kriterien partnr")
    assert antwort.startswith("⚠ Zu „partnr“ finde ich kein Kriterium. Meinten Sie „partner“")
    assert "Beispiel: `!om kriterien treffen`" in antwort
    leer = bot("!om kriterien blumenkohl")
    assert "Alle Abschnitte: !om kriterien" in leer


def test_many_matches_are_cut(bot: Welt) -> None:
    antwort = bot("!om kriterien partner")
    assert antwort.count("• ") == 8
    assert "weitere; ein genaueres Stichwort hilft" in antwort


def test_verlauf_unknown_and_empty(bot: Welt) -> None:
    unbekannt = bot("!om verlauf OM-Netzwerk Hambur")
    assert (
        "Ein Netzwerk „OM-Netzwerk Hambur“ kenne ich nicht. Meinten Sie „OM-Netzwerk Hamburg“"
        in (unbekannt)
    )
    leer = bot("!om verlauf Bremen")
    assert "Seit dem Import hat sich nichts geändert" in leer


def test_help_topic_lists_the_register_commands(bot: Welt) -> None:
    hilfe = bot("!om hilfe register")
    assert "!om netzwerk anlegen <name> [in <region>]" in hilfe
    assert "!om netzwerk <netzwerk> status <status:wort> [<grund>]" in hilfe
    assert "Geschäftsstelle, Admins" in hilfe
    assert "!om prüfen [<netzwerk>]" in bot("!om hilfe kriterien")


def test_meeting_count_reaches_pruefen_and_stadien(
    bot: Welt, monkeypatch: pytest.MonkeyPatch
) -> None:
    import om_bot.commands.kriterien

    def zwei(uow: object, netzwerk_id: int, jahr: int) -> int | None:
        return 2 if jahr == 2026 else 0

    assert "noch keine Termine eingetragen" in bot("!om stadien")
    monkeypatch.setattr(om_bot.commands.kriterien, "treffen_quelle", lambda ctx: zwei)
    antwort = bot("!om prüfen OWL")
    assert "✅ Tagt mindestens zweimal im Jahr – 2 Treffen im Jahr 2026 eingetragen" in antwort
    assert "noch keine Termine eingetragen" not in bot("!om stadien")
