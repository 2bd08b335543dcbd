"""The room-link use cases (`om_bot.services.verknuepfung`) with a fake unit of work.

As in cosmicpython: the service layer is tested without a database, through an in-memory
unit of work that records whether it was committed. The same rules are tested through the
router on SQLite and PostgreSQL (tests/test_raum_commands.py) and against the real Synapse
(tests/test_trust_matrix.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from om_bot.domain.fehler import UsageError
from om_bot.domain.netzwerk import Art, Dach, RegionArt, Status
from om_bot.domain.roles import Akteur, Rollen
from om_bot.services import verknuepfung as vk
from om_bot.services.aufruf import Aufruf
from om_bot.storage.models import (
    AuditEintrag,
    Netzwerk,
    Raum,
    Region,
    Verknuepfung,
    VerknuepfungStatus,
)
from om_bot.storage.uow import UnitOfWork

JETZT = datetime(2027, 3, 1, 9, tzinfo=UTC)
KOORD, MOD, GS = "@koord:x", "@mod:x", "@gs:x"


def _netzwerk(nr: int, name: str) -> Netzwerk:
    return Netzwerk(
        id=nr,
        name=name,
        schluessel=name.lower(),
        region=Region(id=nr, name=name, schluessel=name.lower(), art=RegionArt.STADT),
        dach=Dach.OM,
        art=Art.REGIONAL,
        status=Status.ANERKANNT,
    )


@dataclass
class FakeNetzwerke:
    alle_: list[Netzwerk]
    koordination: dict[int, frozenset[str]]

    def nach_schluessel(self, key: str) -> Netzwerk | None:
        return next((n for n in self.alle_ if n.schluessel == key), None)

    def alle(self) -> list[Netzwerk]:
        return self.alle_

    def get(self, nr: int) -> Netzwerk | None:
        return next((n for n in self.alle_ if n.id == nr), None)

    def koordinatoren(self, nr: int) -> frozenset[str]:
        return self.koordination.get(nr, frozenset())


@dataclass
class FakeRaeume:
    netzwerke: FakeNetzwerke
    raeume: dict[str, Raum] = field(default_factory=dict)
    links: list[Verknuepfung] = field(default_factory=list)

    def get(self, room_id: str) -> Raum | None:
        return self.raeume.get(room_id)

    def beigetreten(self, room_id: str, zeit: datetime, direkt: bool = False) -> Raum:
        return self.raeume.setdefault(room_id, Raum(room_id=room_id, beigetreten=zeit))

    def verknuepfung(self, nr: int) -> Verknuepfung | None:
        return next((v for v in self.links if v.id == nr), None)

    def verknuepfung_im_raum(self, room_id: str, status: VerknuepfungStatus) -> Any:
        passend = [v for v in self.links if v.room_id == room_id and v.status is status]
        return passend[-1] if passend else None

    def add_verknuepfung(self, v: Verknuepfung) -> None:
        v.id = len(self.links) + 1
        v.netzwerk = cast(Netzwerk, self.netzwerke.get(v.netzwerk_id))
        v.raum = self.raeume[v.room_id]
        self.links.append(v)


class FakeRegionen:
    def nach_schluessel(self, key: str) -> None:
        return None


@dataclass
class FakeUnitOfWork:
    """Just the repositories the room-link use cases touch, in memory."""

    netzwerke: FakeNetzwerke
    raeume: FakeRaeume
    audit: list[AuditEintrag] = field(default_factory=list)
    regionen: FakeRegionen = field(default_factory=FakeRegionen)
    committed: bool = False

    def flush(self) -> None:
        pass

    def commit(self) -> None:
        self.committed = True


@pytest.fixture
def uow() -> FakeUnitOfWork:
    netzwerke = FakeNetzwerke(
        [_netzwerk(1, "Hamburg"), _netzwerk(2, "Bremen")],
        {1: frozenset({KOORD})},
    )
    fake = FakeUnitOfWork(netzwerke, FakeRaeume(netzwerke))
    fake.audit = _AuditListe()
    return fake


class _AuditListe(list[AuditEintrag]):
    def add(self, eintrag: AuditEintrag) -> None:
        self.append(eintrag)


def _aufruf(uow: FakeUnitOfWork, wer: str, power: int = 0, raum: str = "!r") -> Aufruf:
    return Aufruf(
        uow=cast(UnitOfWork, uow),
        akteur=Akteur(wer, raum, power),
        now=lambda: JETZT,
        rollen=Rollen.aus((), (GS,)),
    )


def test_a_coordinator_links_and_it_is_committed_and_audited(uow: FakeUnitOfWork) -> None:
    ergebnis = vk.raum_verknuepfen(_aufruf(uow, KOORD), "hamburg")
    assert isinstance(ergebnis, vk.Verknuepft)
    assert uow.raeume.raeume["!r"].netzwerk_id == 1 and uow.committed
    assert [e.aktion for e in uow.audit] == ["raum_verknuepft"]


def test_a_moderator_only_asks(uow: FakeUnitOfWork) -> None:
    ergebnis = vk.raum_verknuepfen(_aufruf(uow, MOD, power=100), "hamburg")
    assert isinstance(ergebnis, vk.Beantragt) and ergebnis.neu
    assert ergebnis.koordination == frozenset({KOORD})
    assert uow.raeume.raeume["!r"].netzwerk_id is None
    assert [v.status for v in uow.raeume.links] == [VerknuepfungStatus.BEANTRAGT]


def test_refusals_commit_nothing(uow: FakeUnitOfWork) -> None:
    with pytest.raises(vk.RaumVerweigert, match="Moderation des Raums kann es beantragen"):
        vk.raum_verknuepfen(_aufruf(uow, "@fremd:x"), "hamburg")
    with pytest.raises(vk.RaumVerweigert, match="Direktchat"):
        vk.raum_verknuepfen(
            Aufruf(
                uow=cast(UnitOfWork, uow),
                akteur=Akteur(MOD, "!dm", 100, direkt=True),
                now=lambda: JETZT,
                rollen=Rollen.aus((), (GS,)),
            ),
            "hamburg",
        )
    with pytest.raises(UsageError):
        vk.raum_verknuepfen(_aufruf(uow, KOORD), "Atlantis")
    assert not uow.committed and uow.audit == [] and uow.raeume.links == []


def test_confirming_needs_the_network(uow: FakeUnitOfWork) -> None:
    vk.raum_verknuepfen(_aufruf(uow, MOD, power=50), "hamburg")
    uow.committed = False
    with pytest.raises(vk.RaumVerweigert):
        vk.antrag_bestaetigen(_aufruf(uow, MOD, power=100, raum="!anders"), 1)
    assert not uow.committed
    vk.antrag_bestaetigen(_aufruf(uow, GS, raum="!gs"), 1)
    assert uow.committed and uow.raeume.raeume["!r"].netzwerk_id == 1
    assert uow.raeume.links[0].entschieden_von == GS
