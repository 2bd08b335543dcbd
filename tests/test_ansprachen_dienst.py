"""Parallelansprachen through the one use case (`om_bot.services.ansprachen`), called directly:
one partner rule for `kontakt` and `ansprache` (`om_bot.domain.ansprachen.partner_fuer`).

On the sample register: Max Mustermann coordinates the OM-Netzwerk Hamburg, Ina Platzhalter the
DDN-Regionalnetzwerk Hamburg, Moritz Modell the OM-Netzwerk München.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from om_bot.domain.ansprachen import Quelle, partner_fuer
from om_bot.domain.fehler import UsageError
from om_bot.domain.roles import Akteur, Rollen, Verweigert
from om_bot.services import ansprachen
from om_bot.services.aufruf import Aufruf
from om_bot.services.register import finde_netzwerk
from om_bot.storage.models import Ansprache
from om_bot.storage.uow import UnitOfWork

JETZT = datetime(2026, 11, 18, 9, 30, tzinfo=ZoneInfo("Europe/Berlin"))
MAX, INA, MORITZ = (
    "@max.mustermann:om.example",
    "@ina.platzhalter:om.example",
    "@moritz.modell:om.example",
)
ROLLEN = Rollen.aus(admins=[], geschaeftsstelle=[])


@dataclass(frozen=True)
class P:
    kurz: str
    name: str


REGISTER = [
    P("IHK", "Industrie- und Handelskammern (DIHK)"),
    P("HWK", "Handwerkskammern (Zentralverband des Deutschen Handwerks, ZDH)"),
    P("BDA", "Bundesvereinigung der Deutschen Arbeitgeberverbände (BDA)"),
    P("BA", "Bundesagentur für Arbeit (BA)"),
]


@pytest.mark.parametrize(
    ("text", "kurz"),
    [
        ("IHK", "IHK"),
        ("ihk", "IHK"),
        ("industrie- und handelskammern (dihk)", "IHK"),  # the full name, folded
        ("Handelskammern", "IHK"),  # whole words of exactly one partner's name
        ("DIHK", "IHK"),
        ("Handwerkskammern", "HWK"),
        ("ZDH", "HWK"),
        ("Bundesagentur für Arbeit", "BA"),
        ("Deutschen", None),  # in two names: no partner
        ("Handwerkskammer Hamburg", None),  # a regional institution, not a register name
        ("Kammern", None),  # part of a word only
        ("", None),
    ],
)
def test_ein_partner_nach_einer_regel(text: str, kurz: str | None) -> None:
    treffer = partner_fuer(text, REGISTER)
    assert (treffer.kurz if treffer is not None else None) == kurz


def _festhalten(
    u: UnitOfWork, wer: str, netzwerk: str, institution: str, person: str = ""
) -> ansprachen.Erfasst:
    a = Aufruf(uow=u, akteur=Akteur(wer, "!raum"), now=lambda: JETZT, rollen=ROLLEN)
    return ansprachen.festhalten(
        a, finde_netzwerk(u, netzwerk), institution=institution, person=person
    )


def test_kontakt_und_ansprache_treffen_denselben_partner(
    sample_uow: Callable[[], UnitOfWork],
) -> None:
    with sample_uow() as u:
        # `kontakt HWK` in Hamburg: the partner the request asks.
        hwk = next(p for p in u.partner.alle() if p.kurz == "HWK")
        erfasst = ansprachen.erfassen(
            u,
            finde_netzwerk(u, "OM-Netzwerk Hamburg"),
            hwk.kurz,
            zeit=JETZT,
            quelle=Quelle.ANFRAGE,
            partner=hwk,
        )
        assert erfasst.parallel == []
        u.commit()
    with sample_uow() as u:
        # `ansprache ZDH` by the other network in Hamburg names the same partner.
        erfasst = _festhalten(u, INA, "DDN-Regionalnetzwerk Hamburg", "ZDH", "Erika Musterfrau")
        assert erfasst.partner is not None and erfasst.partner.kurz == "HWK"
        assert [a.netzwerk.name for a in erfasst.parallel] == ["OM-Netzwerk Hamburg"]
        assert ansprachen.beschreibung(erfasst.parallel[0]).quelle is Quelle.ANFRAGE
    with sample_uow() as u:
        # München is another region; a regional chamber is no register partner.
        assert _festhalten(u, MORITZ, "OM-Netzwerk München", "Handwerkskammern").parallel == []
        erfasst = _festhalten(u, MAX, "OM-Netzwerk Hamburg", "Handwerkskammer Hamburg")
        assert erfasst.partner is None and erfasst.parallel == []
        [eintrag] = [e for e in u.audit.alle() if e.objekt == f"ansprache {erfasst.ansprache.id}"]
        assert eintrag.aktion == "ansprache" and eintrag.nachher is not None
        assert eintrag.nachher["partner"] is None


def test_festhalten_prueft_rechte_und_laenge(sample_uow: Callable[[], UnitOfWork]) -> None:
    with sample_uow() as u, pytest.raises(Verweigert):
        _festhalten(u, INA, "OM-Netzwerk Hamburg", "IHK")
    with sample_uow() as u, pytest.raises(UsageError, match="höchstens 200"):
        _festhalten(u, MAX, "OM-Netzwerk Hamburg", "IHK", "x" * 201)
    with sample_uow() as u:
        assert u.session.scalar(select(func.count()).select_from(Ansprache)) == 0
