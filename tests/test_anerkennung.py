"""The recognition workflow of seed 001 as a state machine, without database."""

from __future__ import annotations

import itertools

import pytest

from om_bot.domain.anerkennung import (
    NAECHSTE,
    UebergangFehler,
    braucht_grund,
    naechste,
    pruefe_uebergang,
    schritt_text,
    status_aus_text,
)
from om_bot.domain.netzwerk import Status

WEG = [Status.BEANTRAGT, Status.LEITUNGSKREIS, Status.AG_TRANSFER, Status.PLENUM]
ERLAUBT = {
    (Status.BEANTRAGT, Status.LEITUNGSKREIS),
    (Status.LEITUNGSKREIS, Status.AG_TRANSFER),
    (Status.AG_TRANSFER, Status.PLENUM),
    (Status.PLENUM, Status.ANERKANNT),
    (Status.ANERKANNT, Status.ENTZOGEN),
    (Status.ENTZOGEN, Status.BEANTRAGT),
    (Status.LEITUNGSKREIS, Status.BEANTRAGT),
    (Status.AG_TRANSFER, Status.BEANTRAGT),
    (Status.PLENUM, Status.BEANTRAGT),
}


def test_every_status_has_a_way_on() -> None:
    assert set(NAECHSTE) == set(Status)
    assert {(von, nach) for von, ziele in NAECHSTE.items() for nach in ziele} == ERLAUBT


def test_the_procedure_of_the_plenum_decision() -> None:
    status = Status.BEANTRAGT
    for nach in [Status.LEITUNGSKREIS, Status.AG_TRANSFER, Status.PLENUM, Status.ANERKANNT]:
        pruefe_uebergang(status, nach, None)
        status = nach
    pruefe_uebergang(Status.ANERKANNT, Status.ENTZOGEN, "Beschluss des Plenums")
    # A revoked network may apply again; the application starts from the beginning.
    pruefe_uebergang(Status.ENTZOGEN, Status.BEANTRAGT, None)


@pytest.mark.parametrize(
    ("von", "nach"),
    [p for p in itertools.product(Status, Status) if p not in ERLAUBT and p[0] is not p[1]],
)
def test_every_other_step_is_refused_with_the_allowed_ones(von: Status, nach: Status) -> None:
    with pytest.raises(UebergangFehler) as info:
        pruefe_uebergang(von, nach, "mit Grund")
    assert info.value.erlaubt == naechste(von)
    assert f"„{von.value}“" in info.value.meldung
    assert f"„{nach.value}“" in info.value.meldung


@pytest.mark.parametrize("status", list(Status))
def test_staying_is_not_a_step(status: Status) -> None:
    with pytest.raises(UebergangFehler, match="schon"):
        pruefe_uebergang(status, status, "Grund")


@pytest.mark.parametrize(
    ("von", "nach"),
    [(Status.ANERKANNT, Status.ENTZOGEN)] + [(s, Status.BEANTRAGT) for s in WEG[1:]],
)
@pytest.mark.parametrize("grund", [None, "", "   "])
def test_revoking_and_sending_back_need_a_reason(
    von: Status, nach: Status, grund: str | None
) -> None:
    assert braucht_grund(von, nach)
    with pytest.raises(UebergangFehler, match="Grund") as info:
        pruefe_uebergang(von, nach, grund)
    assert info.value.erlaubt == (nach,)
    pruefe_uebergang(von, nach, "Plenum hat nicht zugestimmt")


def test_forward_steps_need_no_reason() -> None:
    assert not braucht_grund(Status.BEANTRAGT, Status.LEITUNGSKREIS)
    assert not braucht_grund(Status.PLENUM, Status.ANERKANNT)
    assert not braucht_grund(Status.ENTZOGEN, Status.BEANTRAGT)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("leitungskreis", Status.LEITUNGSKREIS),
        ("Leitungskreis", Status.LEITUNGSKREIS),
        ("ag_transfer", Status.AG_TRANSFER),
        ("AG-Transfer", Status.AG_TRANSFER),
        ("ag", Status.AG_TRANSFER),
        ("Plenum", Status.PLENUM),
        ("anerkennen", Status.ANERKANNT),
        ("ANERKANNT", Status.ANERKANNT),
        ("entziehen", Status.ENTZOGEN),
        ("beantragt", Status.BEANTRAGT),
        ("blumenkohl", None),
        ("", None),
    ],
)
def test_status_words(text: str, status: Status | None) -> None:
    assert status_aus_text(text) is status


def test_step_texts_distinguish_sending_back_from_a_new_application() -> None:
    assert "zurück" in schritt_text(Status.PLENUM, Status.BEANTRAGT)
    assert "neuer Antrag" in schritt_text(Status.ENTZOGEN, Status.BEANTRAGT)
    assert "AG Transfer" in schritt_text(Status.LEITUNGSKREIS, Status.AG_TRANSFER)
