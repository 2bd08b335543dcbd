"""Incremental planning: after a command the scheduler plans only the sources that read what the
command wrote – and the stored plan is then exactly what planning every source would give.

Real commands through the router (`tests/chat.py`), the real sources on the database, the
router's wake-up connected to the scheduler as `om-bot run` connects it; fake clock, fake
homeserver. Each test checks per source that its change is picked up and that commands it does
not read re-plan nothing of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from om_bot.app.planer import Abgleich, Planer, abgleichen
from om_bot.domain.erinnerungen import Art, Einstellungen, GeplanteErinnerung
from om_bot.services.erinnerungsquellen import Planung
from om_bot.storage.uow import UnitOfWork
from om_bot.text.messages import Reply
from tests.chat import GS, GS_RAUM, Welt

MAX = "@max.mustermann:om.example"  # Koordination OM-Netzwerk Hamburg
HH = "!hh"


@dataclass
class Homeserver:
    gesendet: list[Reply] = field(default_factory=list)

    async def senden(self, reply: Reply, txn: str) -> bool:
        self.gesendet.append(reply)
        return True


@dataclass
class Lauf:
    welt: Welt
    planer: Planer

    async def befehl(self, sender: str, raum: str, text: str) -> list[str] | None:
        """Run the command, then a round as a wake-up by it starts one; the sources planned
        (None: none, the command concerned no reminder)."""
        replies = self.welt.sag(sender, raum, text)
        assert replies and not replies[0].text.startswith(("⚠", "⛔", "Entschuldigung")), replies
        await asyncio.sleep(0)  # the wake-up crosses into the loop (call_soon_threadsafe)
        await self.planer.runde(uhr=False)
        self.wie_alles_neu_geplant()
        return self.planer.geplante_quellen

    def offen(self) -> set[str]:
        with self.welt.uow() as u:
            return {r.schluessel for r in u.erinnerungen.offene()}

    def wie_alles_neu_geplant(self) -> None:
        """The incremental plan is the plan of every source planned now: reconciling with
        that would change nothing (and is rolled back)."""
        jetzt = self.welt.uhr()
        with self.welt.uow() as u:
            assert abgleichen(u, self.planer.planung.gewuenscht(u, jetzt), jetzt) == Abgleich()


@pytest.fixture
async def lauf(neue_welt: Callable[..., Welt]) -> Lauf:
    welt = neue_welt()
    planung = welt.app.dienste.von(Planung)
    assert planung is not None
    planer = Planer(welt.uow, planung, Homeserver().senden, uhr=welt.uhr)
    welt.app.wecker.verbinden(asyncio.get_running_loop(), planer.wecken)
    await planer.runde()  # the first round plans everything
    assert planer.geplante_quellen == [q.name for q in planung.quellen]
    return Lauf(welt, planer)


async def test_event_reminders_follow_the_rooms_and_events_of_a_network(lauf: Lauf) -> None:
    assert "termine" in (await lauf.befehl(MAX, HH, "raum OM-Netzwerk Hamburg") or [])
    vorher = lauf.offen()
    geplant = await lauf.befehl(MAX, HH, "termin Netzwerktreffen am 02.03.2027 um 14:00 bis 16:00")
    assert geplant is not None and "termine" in geplant and "anfragen" not in geplant
    termin = lauf.offen() - vorher
    assert termin  # the event's reminders are planned

    # The room's own offsets: only the event reminders (and the merge) change.
    geplant = await lauf.befehl(MAX, HH, "erinnerungen 3h")
    assert geplant is not None and "termine" in geplant
    assert {"jahrespflichten", "anfragen", "infodienst"}.isdisjoint(geplant)
    assert lauf.offen() - vorher != termin


async def test_request_reminders_follow_requests_and_nothing_else(lauf: Lauf) -> None:
    await lauf.befehl(MAX, HH, "raum OM-Netzwerk Hamburg")
    vorher = lauf.offen()
    geplant = await lauf.befehl(MAX, HH, "kontakt IHK – Thema Fachkräftesicherung")
    assert geplant == ["anfragen"]
    neu = lauf.offen() - vorher
    assert neu  # a reminder for the request in case nobody takes the next step

    lauf.welt.spaeter(days=1)
    geplant = await lauf.befehl(GS, GS_RAUM, "anfrage 1 weiterleiten")
    assert geplant == ["anfragen"]
    assert lauf.offen() - vorher != neu  # the step moved the reminder


async def test_obligations_follow_the_register(lauf: Lauf) -> None:
    await lauf.befehl(MAX, HH, "raum OM-Netzwerk Hamburg")
    vorher = lauf.offen()
    geplant = await lauf.befehl(GS, GS_RAUM, "netzwerk Hamburg bericht 01.02.2027")
    assert geplant is not None and "jahrespflichten" in geplant and "anfragen" not in geplant
    assert lauf.offen() != vorher  # the report reminder moved with the date


async def test_digest_follows_subscriptions_and_status_changes_only(lauf: Lauf) -> None:
    await lauf.befehl(MAX, HH, "raum OM-Netzwerk Hamburg")
    geplant = await lauf.befehl(MAX, HH, "infodienst an Hamburg")
    assert geplant == ["infodienst"]
    assert any(k.startswith("infodienst") for k in lauf.offen())
    # A status change is news for the digest (its audit action is one the digest reads).
    geplant = await lauf.befehl(GS, GS_RAUM, "netzwerk Hannover status leitungskreis")
    assert geplant is not None and "infodienst" in geplant
    # A request writes an audit row too, but not one the digest reads.
    geplant = await lauf.befehl(MAX, HH, "kontakt IHK – Thema Fachkräftesicherung")
    assert geplant is not None and "infodienst" not in geplant


async def test_commands_no_reminder_reads_plan_nothing(lauf: Lauf) -> None:
    await lauf.befehl(MAX, HH, "raum OM-Netzwerk Hamburg")
    assert await lauf.befehl(MAX, HH, "kriterien") is None  # reading commits nothing
    # Writes contact persons of the register, which no reminder mentions.
    kontakt = (
        "netzwerk Hamburg kontakt Moderation Max Beispiel, Beispiel Beratung, nicht öffentlich"
    )
    assert await lauf.befehl(GS, GS_RAUM, kontakt) is None


async def test_the_clock_still_plans_everything(lauf: Lauf) -> None:
    lauf.welt.spaeter(hours=2)
    await lauf.planer.runde()  # a round the clock starts: the horizon moved
    assert lauf.planer.geplante_quellen == [q.name for q in lauf.planer.planung.quellen]


# --- a change while a round is planning -------------------------------------------------------


@dataclass
class RaumQuelle:
    """One reminder per linked room; the first time it plans, a command commits meanwhile."""

    waehrenddessen: Callable[[], None]
    name: str = "raeume"
    gefragt: int = 0

    def gewuenscht(
        self, uow: UnitOfWork, jetzt: datetime, e: Einstellungen
    ) -> list[GeplanteErinnerung]:
        self.gefragt += 1
        raeume = [r.room_id for r in uow.erinnerungen.verknuepfte_raeume()]
        if self.gefragt == 1:
            self.waehrenddessen()
        return [
            GeplanteErinnerung(
                schluessel=f"raum:{r}",
                art=Art.TERMIN,
                room_id=r,
                gruppe=r,
                faellig=jetzt.replace(year=jetzt.year + 1),
                gueltig_bis=jetzt.replace(year=jetzt.year + 2),
                titel=r,
                text=r,
                html=r,
            )
            for r in raeume
        ]


async def test_a_change_while_planning_is_planned_next_round(
    neue_welt: Callable[..., Welt],
) -> None:
    welt = neue_welt()
    standard = welt.app.dienste.von(Planung)
    assert standard is not None

    def verknuepfen() -> None:
        # In the worker thread, like a handler: the command commits, the router wakes.
        welt.sag(MAX, HH, "raum OM-Netzwerk Hamburg")

    planung = Planung(
        standard.einstellungen, (RaumQuelle(verknuepfen), *standard.quellen), standard.leser
    )
    planer = Planer(welt.uow, planung, Homeserver().senden, uhr=welt.uhr)
    welt.app.wecker.verbinden(asyncio.get_running_loop(), planer.wecken)
    await planer.runde()
    await asyncio.sleep(0)
    assert "raum:!hh" not in _offen(welt)  # read before the room was linked
    await planer.runde(uhr=False)
    assert planer.geplante_quellen is not None and "raeume" in planer.geplante_quellen
    assert "raum:!hh" in _offen(welt)


def _offen(welt: Welt) -> set[str]:
    with welt.uow() as u:
        return {r.schluessel for r in u.erinnerungen.offene()}
