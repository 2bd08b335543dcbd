"""`erinnerungen` and `infodienst` through `Router.handle` in the shared chat world
(`tests/chat.py`): the happy paths, bad input and missing roles (refused, nothing changed,
logged)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from om_bot.domain.erinnerungen import Einstellungen, TerminVorkommen
from om_bot.services.erinnerungsquellen import Planung, standard_quellen
from om_bot.storage.models import InfodienstAbo
from om_bot.storage.uow import UnitOfWork
from tests.chat import Welt

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # Wednesday
MAX = "@max.mustermann:om.example"  # Koordination OM-Netzwerk Hamburg
MOD, EVE, GS = "@mod:test", "@eve:test", "@gs:test"
HH, PARTNER = "!hh", "!partner"


@dataclass
class Termine:
    liste: list[TerminVorkommen] = field(default_factory=list)

    def vorkommen(self, uow: UnitOfWork, von: datetime, bis: datetime) -> Sequence[TerminVorkommen]:
        return [v for v in self.liste if v.ende > von and v.beginn < bis]

    def treffen(self, uow: UnitOfWork, netzwerk_id: int, jahr: int) -> int | None:
        return None


@pytest.fixture
def welt(neue_welt: Callable[..., Welt]) -> Welt:
    termine = Termine()
    e = Einstellungen(tz=BERLIN, prefix="!om")
    w = neue_welt(
        jetzt=T0,
        bot={"geschaeftsstelle_users": [GS], "admins": [], "geschaeftsstelle_room": ""},
        planung=Planung(e, standard_quellen(termine), termine),
    )
    assert "verknüpft" in w.einzige(MAX, HH, "raum OM-Netzwerk Hamburg")
    with w.uow() as u:
        [hamburg] = [n for n in u.netzwerke.alle() if n.name == "OM-Netzwerk Hamburg"]
        beginn = T0 + timedelta(days=2)
        termine.liste.append(
            TerminVorkommen(
                termin_id=1,
                titel="Frühjahrstreffen",
                beginn=beginn,
                ende=beginn + timedelta(hours=2),
                netzwerk_id=hamburg.id,
                netzwerk=hamburg.name,
                region_id=hamburg.region_id,
                region="Hamburg",
            )
        )
    return w


def test_list_shows_status_and_what_is_due_next(welt: Welt) -> None:
    text = welt.einzige(EVE, HH, "erinnerungen")
    assert "Erinnerungen in diesem Raum (OM-Netzwerk Hamburg)" in text
    assert "vor Terminen: 1 Tag, 1 Stunde vorher (Standard)" in text
    # Friday 12.03. 10:00 CET event → Thursday 10:00 and Friday 09:00.
    assert "Do, 11.03.2027, 10:00 Uhr – Frühjahrstreffen" in text
    assert "Fr, 12.03.2027, 09:00 Uhr – Frühjahrstreffen" in text
    assert text.index("Do, 11.03.2027") < text.index("Fr, 12.03.2027")
    # The yearly report of Hamburg is due 15.03.2027; a month before has passed, still useful.
    assert "jetzt – OM-Netzwerk Hamburg: Bericht an das Plenum fällig am 15.03.2027" in text
    assert "!om erinnerungen 2h 1d" in text


def test_list_in_a_room_without_network(welt: Welt) -> None:
    text = welt.einzige(EVE, PARTNER, "erinnerungen")
    assert "nichts geplant" in text and "keinem Netzwerk verknüpft" in text


def test_room_offsets_set_listed_and_reset(welt: Welt) -> None:
    text = welt.einzige(MAX, HH, "erinnerungen 2h 1d")
    assert "Erinnerungen vor Terminen in diesem Raum: 1 Tag, 2 Stunden vorher" in text
    liste = welt.einzige(EVE, HH, "erinnerungen")
    assert "1 Tag, 2 Stunden vorher (für diesen Raum eingestellt)" in liste
    assert "Fr, 12.03.2027, 08:00 Uhr – Frühjahrstreffen" in liste
    [eintrag] = welt.audit("erinnerungen_geaendert")
    assert eintrag.nachher == {"aktiv": True, "versaetze": [1440, 120]}
    assert eintrag.vorher == {"aktiv": True, "versaetze": None}

    # Setting the same minutes again works (rows with the same keys are replaced).
    assert "1 Tag, 2 Stunden" in welt.einzige(MAX, HH, "erinnerungen 1d, 2 Stunden")
    assert "wieder wie voreingestellt: 1 Tag, 1 Stunde" in welt.einzige(
        MAX, HH, "erinnerungen standard"
    )
    assert "schon die Voreinstellung" in welt.einzige(MAX, HH, "erinnerungen standard")
    assert "(Standard)" in welt.einzige(EVE, HH, "erinnerungen")


@pytest.mark.parametrize(
    ("eingabe", "meldung"),
    [
        ("erinnerungen blumenkohl", "Dauer"),
        ("erinnerungen 2 Stunden 1 Tag", "Komma"),
        ("erinnerungen 40d", "zu früh"),
        ("erinnerungen 1m 2m 3m 4m 5m 6m", "Höchstens 5"),
    ],
)
def test_bad_offsets_are_refused_with_an_example(welt: Welt, eingabe: str, meldung: str) -> None:
    text = welt.einzige(MAX, HH, eingabe)
    assert "⚠" in text and meldung in text
    assert "Beispiel: `!om erinnerungen 2h 1d`" in text
    assert welt.audit("erinnerungen_geaendert") == []


def test_only_moderation_or_coordination_may_change_a_room(welt: Welt) -> None:
    for befehl in ("erinnerungen 2h", "erinnerungen aus", "infodienst an"):
        text = welt.einzige(EVE, HH, befehl)
        assert "⛔" in text and "nichts geändert" in text
    assert welt.audit("erinnerungen_geaendert") == [] and welt.audit("infodienst_bestellt") == []
    assert len(welt.audit("verweigert")) == 3
    # A moderator of a room without network may; so may the Geschäftsstelle.
    assert "30 Minuten" in welt.einzige(MOD, PARTNER, "erinnerungen 30m", power=50)
    assert "Infodienst" in welt.einzige(GS, PARTNER, "infodienst an")


def test_switching_off_and_on(welt: Welt) -> None:
    assert "sind aus" in welt.einzige(MAX, HH, "erinnerungen aus")
    assert "schon aus" in welt.einzige(MAX, HH, "erinnerungen aus")
    liste = welt.einzige(EVE, HH, "erinnerungen")
    assert "Status: aus" in liste and "Frühjahrstreffen" not in liste
    assert "!om erinnerungen an" in liste
    assert "Erinnerungen in diesem Raum sind an: 1 Tag, 1 Stunde" in welt.einzige(
        MAX, HH, "erinnerungen ein"
    )
    assert "schon an" in welt.einzige(MAX, HH, "erinnerungen an")
    assert "Frühjahrstreffen" in welt.einzige(EVE, HH, "erinnerungen")
    assert [e.nachher for e in welt.audit("erinnerungen_geaendert")] == [
        {"aktiv": False, "versaetze": None},
        {"aktiv": True, "versaetze": None},
    ]


def test_info_service_subscribe_show_and_cancel(welt: Welt) -> None:
    text = welt.einzige(MOD, PARTNER, "infodienst an Bayern", power=50)
    assert "OM-Infodienst (Bayern) jeden Montag um 08:00 Uhr" in text
    assert "Nächste Ausgabe: Mo, 15.03.2027, 08:00 Uhr" in text
    assert "Infodienst (Bayern)" in welt.einzige(EVE, PARTNER, "infodienst")
    assert "OM-Infodienst" in welt.einzige(EVE, PARTNER, "erinnerungen")
    # Again with another region: one subscription, updated.
    assert "(alle Regionen)" in welt.einzige(MOD, PARTNER, "infodienst an", power=50)
    with welt.uow() as u:
        abos = list(u.session.scalars(select(InfodienstAbo)))
        assert [(a.room_id, a.region_id) for a in abos] == [(PARTNER, None)]
    assert "abbestellt" in welt.einzige(MOD, PARTNER, "infodienst aus", power=50)
    assert "nicht abonniert" in welt.einzige(EVE, PARTNER, "infodienst")
    assert len(welt.audit("infodienst_bestellt")) == 2
    assert len(welt.audit("infodienst_abbestellt")) == 1


def test_info_service_of_a_network_room_defaults_to_its_region(welt: Welt) -> None:
    assert "(Hamburg)" in welt.einzige(MAX, HH, "infodienst an")


def test_info_service_bad_input(welt: Welt) -> None:
    text = welt.einzige(MAX, HH, "infodienst an Hamberg")
    assert "kenne ich nicht" in text and "Meinten Sie „Hamburg“" in text
    assert "`!om infodienst an [<Region>]`" in text
    text = welt.einzige(MAX, HH, "infodienst aus")
    assert "nicht abonniert" in text and "Beispiel: `!om infodienst an Hamburg`" in text
    assert welt.audit("infodienst_bestellt") == []
