"""The role table of `om_bot.domain.roles`: who may do what, where (docs/rechte.md)."""

from __future__ import annotations

import pytest

from om_bot.domain.roles import Akteur, NetzwerkRollen, Rolle, Rollen, Verweigert, Wer

ROLLEN = Rollen.aus(admins={"@admin:x"}, geschaeftsstelle={"@gs:x"})
HH = NetzwerkRollen(1, frozenset({"@koord:x"}))
HB = NetzwerkRollen(2, frozenset({"@andere:x"}))


def akteur(user: str, power: int = 0, raum_netzwerk: int | None = None) -> Akteur:
    return Akteur(user, "!raum:x", power, raum_netzwerk)


@pytest.mark.parametrize(
    ("wer", "rolle", "netz", "erlaubt"),
    [
        (akteur("@anyone:x"), Rolle.JEDER, None, True),
        (akteur("@anyone:x"), Rolle.GESCHAEFTSSTELLE, None, False),
        (akteur("@gs:x"), Rolle.GESCHAEFTSSTELLE, None, True),
        (akteur("@gs:x"), Rolle.ADMIN, None, False),
        (akteur("@admin:x"), Rolle.ADMIN, None, True),
        (akteur("@admin:x"), Rolle.NETZWERK, HH, True),
        # Coordinators speak for their own network, anywhere, and for no other.
        (akteur("@koord:x"), Rolle.NETZWERK, HH, True),
        (akteur("@koord:x", raum_netzwerk=2), Rolle.NETZWERK, HH, True),
        (akteur("@koord:x"), Rolle.NETZWERK, HB, False),
        (akteur("@andere:x", power=100, raum_netzwerk=1), Rolle.NETZWERK, HH, False),
        # Moderating a room – even one linked to the network – is no licence to speak for it.
        (akteur("@mod:x", power=100, raum_netzwerk=1), Rolle.NETZWERK, HH, False),
        (akteur("@mod:x", power=50), Rolle.NETZWERK, HH, False),
        (akteur("@anyone:x"), Rolle.NETZWERK, None, False),
        (akteur("@gs:x"), Rolle.NETZWERK, HH, True),
        # The room's own settings: its moderators and its network's coordinators.
        (akteur("@mod:x", power=50), Rolle.RAUM, None, True),
        (akteur("@mod:x", power=49), Rolle.RAUM, None, False),
        (akteur("@koord:x", raum_netzwerk=1), Rolle.RAUM, HH, True),
        (akteur("@koord:x", raum_netzwerk=2), Rolle.RAUM, HB, False),
        (akteur("@gs:x"), Rolle.RAUM, None, True),
        (akteur("@anyone:x"), Rolle.RAUM, None, False),
    ],
)
def test_rollentabelle(
    wer: Akteur, rolle: Rolle, netz: NetzwerkRollen | None, erlaubt: bool
) -> None:
    assert ROLLEN.darf(wer, rolle, netz) is erlaubt
    if erlaubt:
        ROLLEN.pruefe(wer, rolle, netz)
    else:
        with pytest.raises(Verweigert, match="Das dürfen nur"):
            ROLLEN.pruefe(wer, rolle, netz)


def test_koordiniert_nur_in_person() -> None:
    assert ROLLEN.koordiniert(akteur("@koord:x"), HH)
    assert not ROLLEN.koordiniert(akteur("@gs:x"), HH)
    assert not ROLLEN.koordiniert(akteur("@admin:x"), HH)


def test_jede_rolle_nennt_ihre_personen() -> None:
    assert Rolle.NETZWERK.beschreibung == "Koordination des Netzwerks, Geschäftsstelle, Admins"
    assert Wer.MODERATION not in Rolle.NETZWERK.wer
    assert Wer.MODERATION in Rolle.RAUM.wer
    for rolle in Rolle:
        assert rolle.wer, rolle
