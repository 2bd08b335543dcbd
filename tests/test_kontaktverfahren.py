"""The contact procedure's rules as plain Python: states, roles, visibility, contact data, and
the Parallelansprache rule (seed 000)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from om_bot.domain import kontaktverfahren as kv
from om_bot.domain.ansprachen import FENSTER, gleiches_ziel, parallele_ansprachen, schluessel
from om_bot.domain.kontaktverfahren import Beteiligt, Raumbezug, Schritt, Zustand

GS = {Beteiligt.GESCHAEFTSSTELLE}
NK = {Beteiligt.NATIONALER_KONTAKT}
KO = {Beteiligt.KOORDINATION}
NIEMAND: set[Beteiligt] = set()
ERIKA_MAIL = "erika@example.org"


def test_the_regular_path_of_seed_002() -> None:
    zustand = Zustand.EINGEGANGEN
    for schritt, wer, nach in [
        (Schritt.WEITERLEITEN, GS, Zustand.ANGEFRAGT),
        (Schritt.BENENNEN, NK, Zustand.BENANNT),
        (Schritt.INFORMIERT, NK, Zustand.INFORMIERT),
        (Schritt.FREIGEBEN, GS, Zustand.FREIGEGEBEN),
    ]:
        assert kv.naechster(zustand) is not None
        assert kv.naechster(zustand).schritt is schritt  # type: ignore[union-attr]
        zustand = kv.pruefe(zustand, schritt, wer).nach
        assert zustand is nach
    assert kv.naechster(zustand) is None
    assert not zustand.offen


# Every (state, step) pair: allowed for whom, or refused for the state.
ERLAUBT = {
    (Zustand.EINGEGANGEN, Schritt.WEITERLEITEN),
    (Zustand.EINGEGANGEN, Schritt.AUS_REGISTER),
    (Zustand.ANGEFRAGT, Schritt.BENENNEN),
    (Zustand.BENANNT, Schritt.BENENNEN),
    (Zustand.INFORMIERT, Schritt.BENENNEN),
    (Zustand.BENANNT, Schritt.INFORMIERT),
    (Zustand.INFORMIERT, Schritt.FREIGEBEN),
    *((z, Schritt.ABLEHNEN) for z in kv.OFFEN),
}
WER = {
    Schritt.WEITERLEITEN: GS,
    Schritt.AUS_REGISTER: GS,
    Schritt.BENENNEN: GS | NK,
    Schritt.INFORMIERT: GS | NK,
    Schritt.FREIGEBEN: GS,
    Schritt.ABLEHNEN: GS,
}


@pytest.mark.parametrize("zustand", list(Zustand))
@pytest.mark.parametrize("schritt", list(Schritt))
@pytest.mark.parametrize("wer", [GS, NK, KO, NIEMAND, GS | KO, NK | KO])
def test_every_state_step_and_person(
    zustand: Zustand, schritt: Schritt, wer: set[Beteiligt]
) -> None:
    if not wer & WER[schritt]:
        with pytest.raises(kv.FalschePerson) as refused:
            kv.pruefe(zustand, schritt, wer)
        # The refusal knows the state and the regular next step.
        assert refused.value.zustand is zustand
        assert refused.value.naechster == kv.naechster(zustand)
    elif (zustand, schritt) not in ERLAUBT:
        with pytest.raises(kv.FalscherZustand) as refused:
            kv.pruefe(zustand, schritt, wer)
        assert f"„{schritt}“ geht jetzt nicht" in refused.value.meldung
        assert refused.value.naechster == kv.naechster(zustand)
    else:
        assert kv.pruefe(zustand, schritt, wer).nach in Zustand


def test_release_only_by_the_geschaeftsstelle_and_nothing_after_closing() -> None:
    with pytest.raises(kv.FalschePerson, match="nur die Geschäftsstelle"):
        kv.pruefe(Zustand.INFORMIERT, Schritt.FREIGEBEN, NK | KO)
    for geschlossen in (Zustand.FREIGEGEBEN, Zustand.ABGELEHNT):
        for schritt in Schritt:
            with pytest.raises(kv.SchrittNichtMoeglich):
                kv.pruefe(geschlossen, schritt, GS | NK)
    with pytest.raises(kv.FalscherZustand, match="schon abgeschlossen"):
        kv.pruefe(Zustand.FREIGEGEBEN, Schritt.ABLEHNEN, GS)
    with pytest.raises(kv.FalscherZustand, match="schon „angefragt“"):
        kv.pruefe(Zustand.ANGEFRAGT, Schritt.WEITERLEITEN, GS)
    with pytest.raises(kv.FalscherZustand, match="erst „eingegangen“"):
        kv.pruefe(Zustand.EINGEGANGEN, Schritt.FREIGEBEN, GS)


def test_the_person_is_checked_before_the_state() -> None:
    # A coordinator pressing "freigeben" too early hears "not you", not "not yet".
    with pytest.raises(kv.FalschePerson):
        kv.pruefe(Zustand.EINGEGANGEN, Schritt.FREIGEBEN, KO)


def test_acting_capacity_prefers_the_partner_for_partner_steps() -> None:
    uebergang = kv.UEBERGAENGE[Schritt.BENENNEN]
    assert kv.handelnd(uebergang, GS | NK) is Beteiligt.NATIONALER_KONTAKT
    assert kv.handelnd(uebergang, GS) is Beteiligt.GESCHAEFTSSTELLE
    with pytest.raises(ValueError):
        kv.handelnd(uebergang, KO)


@pytest.mark.parametrize(
    ("zustand", "wer", "raum", "sichtbar"),
    [
        # Only three places (docs/rechte.md): the Geschäftsstelle's room, the national
        # contact's direct chat, and after the release the requesting network's rooms.
        (Zustand.BENANNT, GS, Raumbezug.GESCHAEFTSSTELLE, True),
        (Zustand.INFORMIERT, NK, Raumbezug.GESCHAEFTSSTELLE, True),
        (Zustand.INFORMIERT, KO, Raumbezug.GESCHAEFTSSTELLE, False),
        (Zustand.INFORMIERT, NK, Raumbezug.DIREKT, True),
        (Zustand.BENANNT, GS, Raumbezug.DIREKT, False),
        (Zustand.INFORMIERT, GS | KO, Raumbezug.ANFRAGEND, False),
        (Zustand.INFORMIERT, NK, Raumbezug.ANFRAGEND, False),
        (Zustand.INFORMIERT, GS, Raumbezug.ANDERES_NETZWERK, False),
        (Zustand.INFORMIERT, KO, Raumbezug.SONST, False),
        (Zustand.INFORMIERT, NIEMAND, Raumbezug.ANFRAGEND, False),
        (Zustand.ABGELEHNT, KO, Raumbezug.SONST, False),
        # A lobby or any other unlinked group room: never, whoever asks.
        (Zustand.BENANNT, GS, Raumbezug.SONST, False),
        (Zustand.INFORMIERT, NK, Raumbezug.SONST, False),
        # After the release: the requesting network's rooms too, no other network's room,
        # and not a coordinator's private chat (the data is in the network's rooms).
        (Zustand.FREIGEGEBEN, NIEMAND, Raumbezug.ANFRAGEND, True),
        (Zustand.FREIGEGEBEN, KO, Raumbezug.DIREKT, False),
        (Zustand.FREIGEGEBEN, KO, Raumbezug.SONST, False),
        (Zustand.FREIGEGEBEN, GS, Raumbezug.ANDERES_NETZWERK, False),
        (Zustand.FREIGEGEBEN, GS, Raumbezug.GESCHAEFTSSTELLE, True),
        (Zustand.FREIGEGEBEN, NIEMAND, Raumbezug.SONST, False),
    ],
)
def test_who_sees_the_contact_data(
    zustand: Zustand, wer: set[Beteiligt], raum: Raumbezug, sichtbar: bool
) -> None:
    assert kv.sichtbar(zustand, wer, raum) is sichtbar


@pytest.mark.parametrize(
    ("text", "erwartet"),
    [
        (
            f"Erika Musterfrau, {ERIKA_MAIL}, 0421 123456",
            ("Erika Musterfrau", ERIKA_MAIL, "0421 123456"),
        ),
        (f"Erika Musterfrau, {ERIKA_MAIL}", ("Erika Musterfrau", ERIKA_MAIL, "")),
        (
            f"Erika Musterfrau; 0421 123456; {ERIKA_MAIL}",
            ("Erika Musterfrau", ERIKA_MAIL, "0421 123456"),
        ),
        (
            "  Dr. Erika  Musterfrau , <E.M@Example.ORG> ",
            ("Dr. Erika Musterfrau", "E.M@example.org", ""),
        ),
        (
            "Jörg Müller, joerg@müller-bau.de, +49 (421) 1-2/3",
            ("Jörg Müller", "joerg@müller-bau.de", "+49 (421) 1-2/3"),
        ),
        ("E. M., mailto:e.m@sub.example.co.uk", ("E. M.", "e.m@sub.example.co.uk", "")),
    ],
)
def test_contact_data_is_read(text: str, erwartet: tuple[str, str, str]) -> None:
    assert kv.lies_kontaktdaten(text) == kv.Kontaktdaten(*erwartet)


@pytest.mark.parametrize(
    ("text", "meldung"),
    [
        ("", "fehlen Name und E-Mail"),
        ("Erika Musterfrau", "E-Mail-Adresse der benannten Person fehlt"),
        ("Erika Musterfrau, 0421 123456", "E-Mail-Adresse der benannten Person fehlt"),
        ("erika@example.org, Erika Musterfrau", "kein Name"),
        ("Erika, erika@example", "keine gültige E-Mail-Adresse"),
        ("Erika, erika@@example.org", "keine gültige E-Mail-Adresse"),
        ("Erika, erika example@org.de", "keine gültige E-Mail-Adresse"),
        ("Erika, .erika@example.org", "keine gültige E-Mail-Adresse"),
        ("Erika, erika..m@example.org", "keine gültige E-Mail-Adresse"),
        ("Erika, erika@-example.org", "keine gültige E-Mail-Adresse"),
        ("Erika, erika@example.o", "keine gültige E-Mail-Adresse"),
        ("Erika, erika@example.123", "keine gültige E-Mail-Adresse"),
        ("Erika, erika@exa_mple.org", "keine gültige E-Mail-Adresse"),
        ("Erika, " + "e" * 65 + "@example.org", "keine gültige E-Mail-Adresse"),
        ("Erika, erika@example.org, Musterstraße 1", "keine Telefonnummer"),
        ("Erika, erika@example.org, 1234", "keine Telefonnummer"),
        ("Erika, erika@example.org, a@b.de", "nur eine E-Mail-Adresse"),
        ("Erika, erika@example.org, 0421 1, 0421 2", "4 Angaben"),
        ("12345, erika@example.org", "kein Name"),
    ],
)
def test_bad_contact_data_is_refused_with_a_reason(text: str, meldung: str) -> None:
    with pytest.raises(kv.UngueltigeDaten, match=meldung):
        kv.lies_kontaktdaten(text)


def test_email_normal_form() -> None:
    assert kv.pruefe_email(" Erika@EXAMPLE.org ") == "Erika@example.org"
    assert kv.pruefe_email("a@xn--mller-kva.de") == "a@xn--mller-kva.de"


# --- Parallelansprachen --------------------------------------------------------------------

# Regions: 1 Deutschland ⊃ 2 Bayern ⊃ 3 Oberbayern ⊃ 4 München; 5 Hamburg in 1; 6 Franken in 2.
KANTEN = [(2, 1), (3, 2), (4, 3), (5, 1), (6, 2)]
T0 = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


@dataclass
class A:
    netzwerk_id: int
    region_id: int
    institution_schluessel: str = "ihk"
    person_schluessel: str = ""
    partner_id: int | None = None
    zeit: datetime = T0


def test_same_region_other_network_within_30_days() -> None:
    neu = A(1, 5, zeit=T0)
    alt = A(2, 5, zeit=T0 - timedelta(days=29))
    zu_alt = A(3, 5, zeit=T0 - timedelta(days=31))
    eigenes = A(1, 5, zeit=T0 - timedelta(days=1))
    anderes_ziel = A(4, 5, institution_schluessel="hwk")
    assert parallele_ansprachen(neu, [alt, zu_alt, eigenes, anderes_ziel, neu], KANTEN) == [alt]


def test_nested_and_enclosing_regions_count_neighbours_do_not() -> None:
    neu = A(1, 4)  # München
    bayern = A(2, 2, zeit=T0 - timedelta(days=2))
    oberbayern = A(3, 3, zeit=T0 - timedelta(days=1))
    franken = A(4, 6)  # inside Bayern, but not München's
    hamburg = A(5, 5)
    assert parallele_ansprachen(neu, [bayern, oberbayern, franken, hamburg], KANTEN) == [
        oberbayern,
        bayern,
    ]
    # Seen from Bayern, everything inside it collides.
    assert {a.netzwerk_id for a in parallele_ansprachen(A(9, 2), [franken, hamburg], KANTEN)} == {4}


def test_one_entry_per_network_the_latest_and_a_custom_window() -> None:
    neu = A(1, 5)
    frueh = A(2, 5, zeit=T0 - timedelta(days=20))
    spaet = A(2, 5, zeit=T0 - timedelta(days=3))
    assert parallele_ansprachen(neu, [frueh, spaet], KANTEN) == [spaet]
    assert parallele_ansprachen(neu, [frueh, spaet], KANTEN, fenster=timedelta(days=2)) == []
    assert timedelta(days=30) == FENSTER


def test_same_target_by_partner_institution_or_person() -> None:
    assert gleiches_ziel(A(1, 1, "ihk"), A(2, 1, schluessel("IHK")))
    assert gleiches_ziel(A(1, 1, "a", partner_id=7), A(2, 1, "b", partner_id=7))
    assert not gleiches_ziel(A(1, 1, "a", partner_id=7), A(2, 1, "b", partner_id=8))
    assert gleiches_ziel(A(1, 1, "a", "erika"), A(2, 1, "b", "erika"))
    assert not gleiches_ziel(A(1, 1, "a", ""), A(2, 1, "b", ""))
    assert schluessel("Jörg Müller") == schluessel("joerg mueller")
