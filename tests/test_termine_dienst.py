"""The event use cases called directly, not through the chat (`om_bot.services.termine`,
`om_bot.services.terminverwaltung`): the invariants hold for every caller – no event in the
past, none longer than 14 days, none beyond the horizon – and so do the permissions.

On the sample register; "now" is Wednesday 18.11.2026, 09:30 in Berlin.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from om_bot.domain.dates import Zeitraum
from om_bot.domain.roles import Akteur, Rollen, Verweigert
from om_bot.domain.termine import (
    Regeln,
    TerminArt,
    TerminVergangen,
    TerminZeitFehler,
    TerminZuLang,
    TerminZuWeit,
)
from om_bot.services import termine as svc
from om_bot.services import terminverwaltung as tv
from om_bot.services.aufruf import Aufruf
from om_bot.services.register import finde_netzwerk
from om_bot.storage.models import AuditEintrag, Termin, TerminVorkommen
from om_bot.storage.uow import UnitOfWork

B = ZoneInfo("Europe/Berlin")
JETZT = datetime(2026, 11, 18, 9, 30, tzinfo=B)
MAX, GS, EVE = "@max.mustermann:om.example", "@gs:test", "@eve:test"
ROLLEN = Rollen.aus(admins=["@admin:test"], geschaeftsstelle=[GS])


def _als(u: UnitOfWork, user_id: str, jetzt: datetime = JETZT) -> Aufruf:
    return Aufruf(uow=u, akteur=Akteur(user_id, "!raum"), now=lambda: jetzt, rollen=ROLLEN)


def _neu(u: UnitOfWork, start: datetime, ende: datetime, netzwerk: bool = True) -> svc.NeuerTermin:
    hamburg = finde_netzwerk(u, "OM-Netzwerk Hamburg")
    return svc.NeuerTermin(
        titel="Netzwerktreffen",
        art=TerminArt.NETZWERKTREFFEN,
        zeitraum=Zeitraum(start, ende, ganztaegig=False),
        region=hamburg.region,
        netzwerk=hamburg if netzwerk else None,
        zeitzone="Europe/Berlin",
    )


def _zeile(u: UnitOfWork, start: datetime, ende: datetime) -> Termin:
    """An event row as any other caller (an importer, a benchmark) would build it."""
    hamburg = finde_netzwerk(u, "OM-Netzwerk Hamburg")
    return Termin(
        titel="Import", art=TerminArt.VERANSTALTUNG, netzwerk_id=hamburg.id,
        region_id=hamburg.region_id, start=start, ende=ende, ganztaegig=False, ohne_ende=False,
        rrule="", zeitzone="Europe/Berlin", ort="", raum_id="", erstellt=JETZT,
        erstellt_von="@import:test", geaendert=JETZT, sequenz=0,
    )  # fmt: skip


def _gespeichert(uow: Callable[[], UnitOfWork]) -> tuple[int, int, int]:
    with uow() as u:
        return (
            int(u.session.scalar(select(func.count()).select_from(Termin)) or 0),
            int(u.session.scalar(select(func.count()).select_from(TerminVorkommen)) or 0),
            int(u.session.scalar(select(func.count()).select_from(AuditEintrag)) or 0),
        )


FUENF_JAHRE = JETZT + timedelta(days=5 * 365)
UNGUELTIG = [
    pytest.param(FUENF_JAHRE, FUENF_JAHRE + timedelta(hours=2), TerminZuWeit, id="fuenf-jahre"),
    pytest.param(
        JETZT - timedelta(days=1), JETZT - timedelta(days=1, hours=-2), TerminVergangen,
        id="vergangen",
    ),
    pytest.param(
        JETZT + timedelta(days=7), JETZT + timedelta(days=22), TerminZuLang, id="zu-lang"
    ),
]  # fmt: skip


@pytest.mark.parametrize(("start", "ende", "fehler"), UNGUELTIG)
def test_der_dienst_lehnt_ab(
    sample_uow: Callable[[], UnitOfWork],
    start: datetime,
    ende: datetime,
    fehler: type[TerminZeitFehler],
) -> None:
    with sample_uow() as u, pytest.raises(fehler, match="Es wurde nichts gespeichert"):
        svc.eintragen(_als(u, MAX), Regeln(), _neu(u, start, ende))
    assert _gespeichert(sample_uow) == (0, 0, 0)


@pytest.mark.parametrize(("start", "ende", "fehler"), UNGUELTIG)
def test_jeder_andere_weg_auch(
    sample_uow: Callable[[], UnitOfWork],
    start: datetime,
    ende: datetime,
    fehler: type[TerminZeitFehler],
) -> None:
    # The low-level writer refuses as well, even for a caller that carries on and commits.
    with sample_uow() as u:
        with pytest.raises(fehler):
            tv.anlegen(u, _zeile(u, start, ende), JETZT, Regeln())
        u.commit()
    assert _gespeichert(sample_uow) == (0, 0, 0)


def test_der_horizont_ist_einstellbar(sample_uow: Callable[[], UnitOfWork]) -> None:
    start = JETZT + timedelta(days=40)
    kurz = Regeln(horizont=timedelta(days=30))
    with sample_uow() as u, pytest.raises(TerminZuWeit, match="höchstens 30 Tage im Voraus"):
        svc.eintragen(_als(u, MAX), kurz, _neu(u, start, start + timedelta(hours=2)))
    with sample_uow() as u:
        ergebnis = svc.eintragen(_als(u, MAX), Regeln(), _neu(u, start, start + timedelta(hours=2)))
        assert ergebnis.termin.id == 1
    assert _gespeichert(sample_uow) == (1, 1, 1)


def test_aendern_prueft_nur_eine_neue_zeit(sample_uow: Callable[[], UnitOfWork]) -> None:
    start = JETZT + timedelta(days=3)
    with sample_uow() as u:
        neu = _neu(u, start, start + timedelta(hours=2))
        nr = svc.eintragen(_als(u, MAX), Regeln(), neu).termin.id
    with sample_uow() as u:
        termin = u.termine.get(nr)
        assert termin is not None
        weit = Zeitraum(FUENF_JAHRE, FUENF_JAHRE + timedelta(hours=1), ganztaegig=False)
        with pytest.raises(TerminZuWeit):
            svc.aendern(_als(u, MAX), Regeln(), termin, svc.Aenderungen(zeitraum=weit))
    # The writer itself refuses a time moved out of bounds …
    with sample_uow() as u:
        termin = u.termine.get(nr)
        assert termin is not None
        termin.start, termin.ende = FUENF_JAHRE, FUENF_JAHRE + timedelta(hours=1)
        with pytest.raises(TerminZuWeit):
            tv.aendern(u, termin, JETZT, Regeln())
    # … and leaves a running event alone when only its title changes.
    spaeter = JETZT + timedelta(days=3, hours=1)
    with sample_uow() as u:
        termin = u.termine.get(nr)
        assert termin is not None
        neu_titel = svc.Aenderungen(titel="Frühjahrstreffen")
        svc.aendern(_als(u, MAX, spaeter), Regeln(), termin, neu_titel)
    with sample_uow() as u:
        termin = u.termine.get(nr)
        assert termin is not None and termin.titel == "Frühjahrstreffen"
        assert termin.start == start


def test_rechte_gelten_auch_ohne_chat(sample_uow: Callable[[], UnitOfWork]) -> None:
    start = JETZT + timedelta(days=3)
    with sample_uow() as u, pytest.raises(Verweigert):
        svc.eintragen(_als(u, EVE), Regeln(), _neu(u, start, start + timedelta(hours=2)))
    with sample_uow() as u, pytest.raises(svc.OhneNetzwerkVerweigert):
        ohne = _neu(u, start, start + timedelta(hours=2), netzwerk=False)
        svc.eintragen(_als(u, MAX), Regeln(), ohne)
    with sample_uow() as u:
        neu = _neu(u, start, start + timedelta(hours=2))
        nr = svc.eintragen(_als(u, GS), Regeln(), neu).termin.id
    with sample_uow() as u:
        termin = u.termine.get(nr)
        assert termin is not None
        with pytest.raises(svc.TerminVerweigert, match="ändern oder absagen dürfen nur"):
            svc.absagen(_als(u, EVE), Regeln(), termin)
        assert svc.absagen(_als(u, MAX), Regeln(), termin).vorkommen == 1
    with sample_uow() as u:
        aktionen = [e.aktion for e in u.audit.alle()]
    assert aktionen == ["termin_angelegt", "termin_abgesagt"]
