"""A small world for the limit, paging and retention tests: the sample register, a router with
configurable limits, a fake clock, and rooms linked directly in the database (so these tests do
not depend on how `raum` links a room)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from om_bot.chat.registry import Registry
from om_bot.chat.router import Dienste, Router
from om_bot.commands import familien
from om_bot.domain.roles import Rollen
from om_bot.services.limits import Grenzen, Grenzwerte
from om_bot.storage.models import Anfrage, Netzwerk
from om_bot.storage.uow import UnitOfWork
from om_bot.text.messages import IncomingMessage, Reply

GS = "@gs:test"
MAX = "@max.mustermann:om.example"  # Koordination OM-Netzwerk Hamburg
OLAF = "@olaf.mustermann:om.example"  # Koordination OGB-Netzwerk Hamburg
MARTINA = "@martina.muster:om.example"  # nationale Ansprechperson IHK
EVE = "@eve:test"
GS_RAUM, HH, OGB, DM_NK = "!gs", "!hh", "!ogb", "!dm-martina"
ERIKA = "Erika Musterfrau, erika@example.org, 0421 123456"
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class Welt:
    router: Router
    uow: Callable[[], UnitOfWork]
    now: list[datetime]
    gesendet: list[tuple[str, Reply]] = field(default_factory=list)
    events: int = 0

    def sag(self, sender: str, raum: str, text: str, direkt: bool = False) -> list[Reply]:
        self.events += 1
        body = text if direkt else f"!om {text}"
        nachricht = IncomingMessage(f"$e{self.events}", raum, sender, body, self.now[0], direkt)
        replies = self.router.handle(nachricht)
        for reply in replies:
            self.gesendet.append((reply.user_id or reply.room_id or raum, reply))
        return replies

    def im_raum(self, raum: str) -> list[str]:
        return [r.text for ziel, r in self.gesendet if ziel == raum]

    def spaeter(self, **dauer: float) -> None:
        self.now[0] += timedelta(**dauer)

    def anfrage(self, nr: int) -> Anfrage:
        with self.uow() as u:
            anfrage = u.anfragen.get(nr)
            assert anfrage is not None
            u.session.expunge(anfrage)
            return anfrage

    def anzahl_anfragen(self) -> int:
        with self.uow() as u:
            return len(u.session.scalars(select(Anfrage.id)).all())


def netzwerk_id(u: UnitOfWork, name: str) -> int:
    nid = u.session.scalar(select(Netzwerk.id).where(Netzwerk.name == name))
    assert nid is not None, name
    return nid


def welt(uow: Callable[[], UnitOfWork], werte: Grenzwerte | None = None) -> Welt:
    now = [T0]
    dienste = Dienste(
        registry=Registry(familien()),
        rollen=Rollen.aus((), (GS,)),
        uow=uow,
        now=lambda: now[0],
        tz=ZoneInfo("Europe/Berlin"),
        geschaeftsstelle_room=GS_RAUM,
        grenzen=Grenzen(werte or Grenzwerte.keine()),
    )
    with uow() as u:
        for raum, name in ((HH, "OM-Netzwerk Hamburg"), (OGB, "OGB-Netzwerk Hamburg")):
            u.raeume.beigetreten(raum, T0).netzwerk_id = netzwerk_id(u, name)
        dm = u.raeume.beigetreten(DM_NK, T0, direkt=True)
        dm.direkt_mit = MARTINA
        u.commit()
    return Welt(Router(dienste), uow, now)
