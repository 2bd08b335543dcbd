"""The shared in-process chat world for command tests: the bot as `runtime.build` composes it,
without Matrix, on a fake clock.

Get one from the `neue_welt` fixture (`tests/conftest.py`): by default on a copy of a SQLite
database that was migrated and filled with the sample register once per session; pass a
`db_url` for another database (PostgreSQL: migrated and imported per test). Then

    welt.sag(MAX, "!hh", "kontakt IHK")              # "!om kontakt IHK" in room !hh → replies
    welt.sag(MARTINA, "!dm", "anfrage 1", direkt=True)  # a direct chat: no prefix
    welt.roh(GS, "!gs", "/om hilfe")                 # the body exactly as typed
    welt("/om hilfe")                                # the same by `welt.wer` in `welt.wo`: text
    welt.antwort(MAX, "!hh", "termine")              # the one answer in the command's room
    welt.einzige(MAX, "!hh", "erinnerungen")         # the text of the only reply
    welt.im_raum("!gs"), welt.an(MARTINA)            # what went to a room / to a person
    welt.spaeter(hours=2)                            # the fake clock moves on

A reply goes to `reply.user_id` (a direct message), else `reply.room_id`, else back to the
room of the command; `welt.log` keeps every reply with where it went and what caused it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from om_bot.app.runtime import App, build
from om_bot.chat.router import Router
from om_bot.config import Config, config_from_mapping
from om_bot.domain.grenzwerte import Grenzwerte
from om_bot.services.erinnerungsquellen import Planung
from om_bot.services.register import finde_netzwerk
from om_bot.storage.models import Anfrage, AuditEintrag, Netzwerk, Termin, TerminVorkommen
from om_bot.storage.uow import UnitOfWork
from om_bot.text.messages import IncomingMessage, Reply
from tests.uhr import FakeClock

# The defaults of a world's `[bot]` section; a test passes `bot={...}` to change them.
GS, GS2, ADMIN = "@gs:test", "@gs2:test", "@admin:test"
GS_RAUM = "!gs"
START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Gesendet:
    """One reply of the bot: where it went, the command text that caused it, the reply."""

    ziel: str
    befehl: str
    reply: Reply


@dataclass
class Welt:
    app: App
    uhr: FakeClock
    # Who speaks where when `welt(body)` names nobody (tests of mostly one person in one room).
    wer: str = GS
    wo: str = GS_RAUM
    log: list[Gesendet] = field(default_factory=list)
    events: int = 0

    @property
    def router(self) -> Router:
        return self.app.router

    @property
    def uow(self) -> Callable[[], UnitOfWork]:
        return self.app.uow

    # --- talking -----------------------------------------------------------------------------

    def roh(
        self, sender: str, raum: str, body: str, power: int = 0, direkt: bool = False
    ) -> list[Reply]:
        """Send `body` exactly as typed; the bot's replies."""
        self.events += 1
        nachricht = IncomingMessage(
            f"$e{self.events}", raum, sender, body, self.uhr(), direkt, power
        )
        replies = self.router.handle(nachricht)
        for reply in replies:
            self.log.append(Gesendet(reply.user_id or reply.room_id or raum, body, reply))
        return replies

    def sag(
        self, sender: str, raum: str, text: str, power: int = 0, direkt: bool = False
    ) -> list[Reply]:
        """Send the command `text` (with "!om " unless in a direct chat); the bot's replies."""
        return self.roh(sender, raum, text if direkt else f"!om {text}", power, direkt)

    def __call__(
        self, body: str, sender: str | None = None, raum: str | None = None, power: int = 0
    ) -> str:
        """Send `body` as typed (by `wer` in `wo` unless given); all replies' texts, one per
        line."""
        replies = self.roh(sender or self.wer, raum or self.wo, body, power)
        return "\n".join(r.text for r in replies)

    def antwort(
        self, sender: str, raum: str, text: str, power: int = 0, direkt: bool = False
    ) -> str:
        """The text of the one answer that went back to the command's room."""
        replies = [r for r in self.sag(sender, raum, text, power, direkt) if r.room_id is None]
        assert len(replies) == 1, replies
        return replies[0].text

    def einzige(
        self, sender: str, raum: str, text: str, power: int = 0, direkt: bool = False
    ) -> str:
        """The text of the bot's only reply (anywhere) to the command."""
        [reply] = self.sag(sender, raum, text, power, direkt)
        return reply.text

    def im_raum(self, raum: str, html: bool = False) -> list[str]:
        """Every text the bot has sent to room `raum` so far (with `html`: text + HTML)."""
        return [g.reply.text + (g.reply.html if html else "") for g in self.log if g.ziel == raum]

    def an(self, user_id: str) -> list[str]:
        """Every text the bot has sent to `user_id` directly so far."""
        return [g.reply.text for g in self.log if g.ziel == user_id and g.reply.user_id]

    def spaeter(self, **dauer: float) -> None:
        """The fake clock moves on by `timedelta(**dauer)`."""
        self.uhr.advance(timedelta(**dauer))

    # --- looking into the database -------------------------------------------------------------

    def db(self, query: Any) -> list[Any]:
        """The rows of `query`, detached (readable after the unit of work)."""
        with self.uow() as u:
            rows = list(u.session.scalars(query).all())
            # Detach before the unit of work rolls back (which would expire the rows).
            u.session.expunge_all()
            return rows

    def anzahl(self, modell: Any) -> int:
        with self.uow() as u:
            return int(u.session.scalar(select(func.count()).select_from(modell)) or 0)

    def audit(self, aktion: str | None = None) -> list[AuditEintrag]:
        """The audit log (only `aktion`'s entries if given), oldest first."""
        with self.uow() as u:
            eintraege = [e for e in u.audit.alle() if aktion is None or e.aktion == aktion]
            u.session.expunge_all()
            return eintraege

    def netzwerk(self, name: str) -> Netzwerk:
        with self.uow() as u:
            n = finde_netzwerk(u, name)
            # Detach it with everything loaded; leaving the unit of work expires the rest.
            u.session.expunge(n)
            u.session.expunge(n.region)
            return n

    def netzwerk_id(self, name: str) -> int:
        with self.uow() as u:
            nid = u.session.scalar(select(Netzwerk.id).where(Netzwerk.name == name))
            assert nid is not None, name
            return nid

    def anfrage(self, nr: int) -> Anfrage:
        with self.uow() as u:
            anfrage = u.anfragen.get(nr)
            assert anfrage is not None
            u.session.expunge(anfrage)
            return anfrage

    def anzahl_anfragen(self) -> int:
        return self.anzahl(Anfrage)

    def termin(self, nr: int) -> Termin:
        with self.uow() as u:
            t = u.termine.get(nr)
            assert t is not None
            u.session.expunge_all()
            return t

    def vorkommen(self, nr: int) -> list[TerminVorkommen]:
        with self.uow() as u:
            rows = list(u.termine.vorkommen_von(nr))
            u.session.expunge_all()
            return rows

    # --- rooms ---------------------------------------------------------------------------------

    def raum(self, room_id: str, netzwerk: str | None = None) -> None:
        """Record that the bot is in `room_id`, linked to `netzwerk` directly in the database
        (for tests that are not about how `raum` links a room)."""
        with self.uow() as u:
            eintrag = u.raeume.beigetreten(room_id, self.uhr())
            if netzwerk is not None:
                eintrag.netzwerk_id = u.session.scalar(
                    select(Netzwerk.id).where(Netzwerk.name == netzwerk)
                )
                assert eintrag.netzwerk_id is not None, netzwerk
            u.commit()

    def direkt(self, room_id: str, user_id: str) -> None:
        """Record `room_id` as the bot's direct chat with `user_id`."""
        with self.uow() as u:
            eintrag = u.raeume.beigetreten(room_id, self.uhr(), direkt=True)
            eintrag.direkt_mit = user_id
            u.commit()


def welt_config(
    db_url: str,
    bot: dict[str, Any] | None = None,
    termine: dict[str, Any] | None = None,
    grenzen: Grenzwerte | None = None,
) -> Config:
    """The configuration of a world: no homeserver is contacted; no limits unless given."""
    return config_from_mapping(
        {
            "matrix": {"homeserver": "http://127.0.0.1:1", "user_id": "@bot:test"}
            | {"password": "x"},
            "database": {"url": db_url},
            "bot": {
                "geschaeftsstelle_users": [GS, GS2],
                "admins": [ADMIN],
                "geschaeftsstelle_room": GS_RAUM,
            }
            | (bot or {}),
            "termine": termine or {},
            "grenzen": dataclasses.asdict(grenzen or Grenzwerte.keine()),
        },
        env={},
    )


def baue_welt(config: Config, uhr: FakeClock, planung: Planung | None = None, **welt: Any) -> Welt:
    """A world for `config` on `uhr`; `planung` replaces the configured reminder planning;
    `welt` sets `Welt` fields (`wer`, `wo`)."""
    app = build(config, clock=uhr, schlafen=uhr.sleep)
    if planung is not None:
        erweiterungen = {**app.dienste.erweiterungen, Planung: planung}
        dienste = dataclasses.replace(app.dienste, erweiterungen=erweiterungen)
        app = dataclasses.replace(app, dienste=dienste, router=Router(dienste))
    return Welt(app, uhr, **welt)
