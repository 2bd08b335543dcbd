"""The scheduler on SQLite and PostgreSQL with a fake clock, a fake sleep and a fake homeserver:
exactly once, restarts, a crash between sending and recording, catch-up after downtime, and the
sources reading the database. Nothing here waits for real time to pass."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from om_bot.app.planer import Planer, Wecker, transaktions_id
from om_bot.chat.registry import Registry
from om_bot.chat.router import Dienste, Router
from om_bot.commands import familien
from om_bot.domain.erinnerungen import Art, Einstellungen, GeplanteErinnerung, TerminVorkommen
from om_bot.domain.kontaktverfahren import Zustand
from om_bot.domain.roles import Rollen
from om_bot.services.erinnerungsquellen import (
    AnfrageQuelle,
    InfodienstQuelle,
    KeineTermine,
    PflichtenQuelle,
    Planung,
    TerminQuelle,
)
from om_bot.storage.models import (
    Anfrage,
    AuditEintrag,
    Erinnerung,
    ErinnerungRaum,
    ErinnerungVersatz,
    InfodienstAbo,
    Netzwerk,
)
from om_bot.storage.uow import UnitOfWork
from om_bot.text.messages import IncomingMessage, Reply

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
E = Einstellungen(tz=BERLIN, geschaeftsstelle_room="!gs")


class Uhr:
    def __init__(self, jetzt: datetime = T0) -> None:
        self.jetzt = jetzt

    def __call__(self) -> datetime:
        return self.jetzt

    def vor(self, **dauer: float) -> None:
        self.jetzt += timedelta(**dauer)


@dataclass
class Homeserver:
    """Accepts notices and, like Synapse, answers a repeated transaction id with the first event
    instead of posting again."""

    zugestellt: dict[str, Reply] = field(default_factory=dict)
    versuche: list[str] = field(default_factory=list)
    fehler: int = 0

    async def senden(self, reply: Reply, txn: str) -> bool:
        self.versuche.append(txn)
        if self.fehler:
            self.fehler -= 1
            return False
        self.zugestellt.setdefault(txn, reply)
        return True

    def texte(self, room_id: str | None = None) -> list[str]:
        return [r.text for r in self.zugestellt.values() if room_id in (None, r.room_id)]


@dataclass
class ListenQuelle:
    erinnerungen: list[GeplanteErinnerung] = field(default_factory=list)
    kaputt: bool = False
    name: str = "liste"
    gefragt: list[datetime] = field(default_factory=list)

    def gewuenscht(
        self, uow: UnitOfWork, jetzt: datetime, e: Einstellungen
    ) -> list[GeplanteErinnerung]:
        self.gefragt.append(jetzt)
        if self.kaputt:
            raise RuntimeError("source broken")
        return list(self.erinnerungen)


def erinnerung(
    schluessel: str,
    faellig: datetime,
    bis: timedelta = timedelta(hours=2),
    **mehr: object,
) -> GeplanteErinnerung:
    return GeplanteErinnerung(
        schluessel=schluessel,
        art=Art.TERMIN,
        room_id=str(mehr.pop("room_id", "!raum")),
        faellig=faellig,
        gueltig_bis=faellig + bis,
        titel=schluessel,
        text=f"Erinnerung {schluessel}",
        html=f"<p>Erinnerung {schluessel}</p>",
        **mehr,  # type: ignore[arg-type]
    )


def planer(
    uow: Callable[[], UnitOfWork], quelle: ListenQuelle, hs: Homeserver, uhr: Uhr, **mehr: object
) -> Planer:
    planung = Planung(E, (quelle,), KeineTermine())
    return Planer(uow, planung, hs.senden, uhr=uhr, **mehr)  # type: ignore[arg-type]


def zeilen(uow: Callable[[], UnitOfWork]) -> list[Erinnerung]:
    with uow() as u:
        rows = list(u.session.scalars(select(Erinnerung).order_by(Erinnerung.id)))
        # Keep the loaded values readable after the unit of work ends (it rolls back).
        u.session.expunge_all()
        return rows


# --- exactly once ---------------------------------------------------------------------------


async def test_sent_exactly_once_at_its_time(uow: Callable[[], UnitOfWork]) -> None:
    uhr, hs = Uhr(), Homeserver()
    faellig = T0 + timedelta(minutes=2)
    p = planer(uow, ListenQuelle([erinnerung("a", faellig)]), hs, uhr)

    assert await p.runde() == faellig
    assert hs.zugestellt == {}
    uhr.jetzt = faellig - timedelta(milliseconds=1)
    assert await p.runde() == faellig
    assert hs.zugestellt == {}

    uhr.jetzt = faellig
    assert await p.runde() is None
    assert hs.texte("!raum") == ["Erinnerung a"]
    assert [z.verspaetung for z in p.zustellungen] == [0.0]
    uhr.vor(minutes=5)
    await p.runde()
    assert len(hs.versuche) == 1
    [row] = zeilen(uow)
    assert row.gesendet == faellig and row.verworfen is None


async def test_restart_between_planning_and_due_time_sends_once(
    uow: Callable[[], UnitOfWork],
) -> None:
    uhr, hs = Uhr(), Homeserver()
    quelle = ListenQuelle([erinnerung("a", T0 + timedelta(hours=1))])
    await planer(uow, quelle, hs, uhr).runde()  # planned, then the process ends
    assert len(zeilen(uow)) == 1

    uhr.vor(hours=1)
    neu = planer(uow, quelle, hs, uhr)
    await neu.runde()
    await neu.runde()
    assert hs.texte() == ["Erinnerung a"] and len(hs.versuche) == 1


async def test_crash_between_send_and_commit_resends_with_the_same_transaction_id(
    uow: Callable[[], UnitOfWork], monkeypatch: pytest.MonkeyPatch
) -> None:
    uhr, hs = Uhr(T0 + timedelta(hours=1)), Homeserver()
    quelle = ListenQuelle([erinnerung("a", T0 + timedelta(hours=1))])
    erster = planer(uow, quelle, hs, uhr)

    def absturz(erinnerung_id: int, zeit: datetime) -> None:
        raise SystemExit("killed before the commit")

    monkeypatch.setattr(erster, "_als_gesendet", absturz)
    with pytest.raises(SystemExit):
        await erster.runde()
    [row] = zeilen(uow)
    assert row.gesendet is None  # the send happened, its record did not

    zweiter = planer(uow, quelle, hs, uhr)
    await zweiter.runde()
    assert hs.versuche == [transaktions_id(row.id, "a")] * 2
    assert hs.texte() == ["Erinnerung a"]  # the homeserver kept one
    assert zeilen(uow)[0].gesendet is not None


async def test_a_reminder_for_a_user_goes_as_a_direct_message(
    uow: Callable[[], UnitOfWork],
) -> None:
    uhr, hs = Uhr(), Homeserver()
    await planer(uow, ListenQuelle([erinnerung("a", T0, room_id="@gs:test")]), hs, uhr).runde()
    [reply] = hs.zugestellt.values()
    assert reply.user_id == "@gs:test" and reply.room_id is None


def test_transaction_ids_are_deterministic_and_distinct() -> None:
    assert transaktions_id(5, "a") == transaktions_id(5, "a")
    assert transaktions_id(5, "a").startswith("om-bot-erinnerung-5-")
    # A reused row id (SQLite) with another key is another transaction.
    assert transaktions_id(5, "a") != transaktions_id(5, "b")


# --- catch-up -------------------------------------------------------------------------------


async def test_catch_up_after_downtime_sends_overdue_once(uow: Callable[[], UnitOfWork]) -> None:
    uhr, hs = Uhr(), Homeserver()
    quelle = ListenQuelle([erinnerung("a", T0 + timedelta(hours=1), bis=timedelta(hours=5))])
    await planer(uow, quelle, hs, uhr).runde()

    uhr.vor(hours=4)  # down over the due time, the reminder is still useful
    neu = planer(uow, quelle, hs, uhr)
    await neu.runde()
    await neu.runde()
    assert hs.texte() == ["Erinnerung a"]
    assert [z.verspaetung for z in neu.zustellungen] == [3 * 3600.0]


async def test_event_reminder_for_an_event_already_over_is_dropped_and_logged(
    uow: Callable[[], UnitOfWork], caplog: pytest.LogCaptureFixture
) -> None:
    uhr, hs = Uhr(), Homeserver()
    quelle = ListenQuelle([erinnerung("a", T0 + timedelta(hours=1), bis=timedelta(hours=3))])
    await planer(uow, quelle, hs, uhr).runde()

    uhr.vor(hours=5)  # the event ended an hour ago
    caplog.set_level(logging.WARNING, logger="om_bot.app.planer")
    await planer(uow, quelle, hs, uhr).runde()
    assert hs.versuche == []
    [row] = zeilen(uow)
    assert row.gesendet is None and row.verworfen == uhr() and row.grund == "abgelaufen"
    assert "dropped reminder a" in caplog.text


async def test_catch_up_sends_only_the_latest_reminder_of_a_group(
    uow: Callable[[], UnitOfWork],
) -> None:
    uhr, hs = Uhr(), Homeserver()
    beginn = T0 + timedelta(days=1, hours=2)
    quelle = ListenQuelle(
        [
            erinnerung(
                "1d", beginn - timedelta(days=1), bis=timedelta(days=1, hours=4), gruppe="g"
            ),
            erinnerung("1h", beginn - timedelta(hours=1), bis=timedelta(hours=4), gruppe="g"),
        ]
    )
    await planer(uow, quelle, hs, uhr).runde()
    uhr.jetzt = beginn - timedelta(minutes=30)  # both overdue after a downtime
    await planer(uow, quelle, hs, uhr).runde()
    assert hs.texte() == ["Erinnerung 1h"]
    assert {r.schluessel: r.grund for r in zeilen(uow)} == {"1d": "überholt", "1h": ""}


async def test_reminder_planned_after_its_due_time_is_not_sent_late(
    uow: Callable[[], UnitOfWork], caplog: pytest.LogCaptureFixture
) -> None:
    # An event registered at T0 for T0+30min with a 1-hour offset: that reminder is already
    # due when it is first planned. A 15-minute one still comes.
    uhr, hs = Uhr(), Homeserver()
    beginn = T0 + timedelta(minutes=30)
    quelle = ListenQuelle(
        [
            erinnerung("1h", beginn - timedelta(hours=1), bis=timedelta(hours=3), seit=T0),
            erinnerung("15m", beginn - timedelta(minutes=15), bis=timedelta(hours=3), seit=T0),
        ]
    )
    caplog.set_level(logging.INFO, logger="om_bot.app.planer")
    p = planer(uow, quelle, hs, uhr)
    assert await p.runde() == beginn - timedelta(minutes=15)
    assert hs.versuche == []
    assert "not sending 1h late" in caplog.text
    uhr.jetzt = beginn - timedelta(minutes=15)
    await p.runde()
    assert hs.texte() == ["Erinnerung 15m"]
    assert {r.schluessel: r.grund for r in zeilen(uow)} == {
        "1h": "erst nach Fälligkeit geplant",
        "15m": "",
    }


# --- reconciling ----------------------------------------------------------------------------


async def test_reconcile_updates_deletes_and_never_touches_sent_ones(
    uow: Callable[[], UnitOfWork],
) -> None:
    uhr, hs = Uhr(), Homeserver()
    a = erinnerung("a", T0 + timedelta(hours=1))
    b = erinnerung("b", T0 + timedelta(hours=2))
    c = erinnerung("c", T0 + timedelta(minutes=1))
    quelle = ListenQuelle([a, b, c])
    p = planer(uow, quelle, hs, uhr)
    await p.runde()
    assert p.letzter_abgleich.neu == 3
    uhr.vor(minutes=1)
    await p.runde()  # c is sent
    assert hs.texte() == ["Erinnerung c"]

    # a moves, b is no longer wanted, c changes its text after it was sent.
    quelle.erinnerungen = [
        replace(a, faellig=T0 + timedelta(hours=3), gueltig_bis=T0 + timedelta(hours=5)),
        replace(c, text="geändert"),
    ]
    p.wecken()  # what the router does after a command changed data
    assert await p.runde() == T0 + timedelta(hours=3)
    assert (p.letzter_abgleich.geaendert, p.letzter_abgleich.entfernt) == (1, 1)
    rows = {r.schluessel: r for r in zeilen(uow)}
    assert set(rows) == {"a", "c"}
    assert rows["a"].faellig == T0 + timedelta(hours=3) and rows["c"].text == "Erinnerung c"

    uhr.jetzt = T0 + timedelta(hours=3)
    await p.runde()
    assert hs.texte() == ["Erinnerung c", "Erinnerung a"]


async def test_sent_reminders_are_forgotten_long_after_they_stopped_being_useful(
    uow: Callable[[], UnitOfWork],
) -> None:
    uhr, hs = Uhr(), Homeserver()
    quelle = ListenQuelle([erinnerung("a", T0)])
    p = planer(uow, quelle, hs, uhr)
    await p.runde()
    quelle.erinnerungen = []
    uhr.vor(days=29)
    await p.runde()
    assert len(zeilen(uow)) == 1  # still the ledger
    uhr.vor(days=2)
    await p.runde()
    assert zeilen(uow) == []


async def test_failed_send_is_retried_later_and_not_marked(uow: Callable[[], UnitOfWork]) -> None:
    uhr, hs = Uhr(), Homeserver(fehler=2)
    p = planer(uow, ListenQuelle([erinnerung("a", T0)]), hs, uhr)
    assert await p.runde() == T0 + timedelta(seconds=30)
    assert zeilen(uow)[0].gesendet is None
    uhr.vor(seconds=10)
    await p.runde()
    assert len(hs.versuche) == 1  # still waiting
    uhr.vor(seconds=20)
    assert await p.runde() == uhr() + timedelta(seconds=60)  # second failure: backoff doubles
    uhr.vor(seconds=60)
    await p.runde()
    assert hs.texte() == ["Erinnerung a"] and len(set(hs.versuche)) == 1
    assert zeilen(uow)[0].gesendet == uhr()


async def test_a_failing_source_keeps_the_stored_reminders(
    uow: Callable[[], UnitOfWork], caplog: pytest.LogCaptureFixture
) -> None:
    uhr, hs = Uhr(), Homeserver()
    quelle = ListenQuelle([erinnerung("a", T0 + timedelta(hours=1))])
    p = planer(uow, quelle, hs, uhr)
    await p.runde()
    quelle.kaputt = True
    uhr.vor(hours=1)
    with caplog.at_level(logging.ERROR, logger="om_bot.app.planer"):
        await p.runde()
    assert "planning reminders failed" in caplog.text
    assert hs.texte() == ["Erinnerung a"]


# --- the task -------------------------------------------------------------------------------


async def test_the_task_sleeps_until_the_due_time_and_then_an_hour(
    uow: Callable[[], UnitOfWork],
) -> None:
    uhr, hs, stop = Uhr(), Homeserver(), asyncio.Event()
    schlaefe: list[float] = []

    async def schlafen(sekunden: float) -> None:
        schlaefe.append(sekunden)
        uhr.vor(seconds=sekunden)
        if len(schlaefe) == 3:
            stop.set()

    quelle = ListenQuelle([erinnerung("a", T0 + timedelta(seconds=90))])
    p = planer(uow, quelle, hs, uhr, schlafen=schlafen)
    await asyncio.wait_for(p.laufen(stop), 10)
    # No polling: to 2 s before the due time (to plan), to the due time (to send), then idle.
    assert schlaefe == [88.0, 2.0, 3600.0]
    assert hs.texte() == ["Erinnerung a"]
    assert [z.verspaetung for z in p.zustellungen] == [0.0]
    # Planned at the start and just before the due time; sent from that plan without planning.
    assert quelle.gefragt == [T0, T0 + timedelta(seconds=88)]


async def test_waking_the_task_plans_at_once(uow: Callable[[], UnitOfWork]) -> None:
    uhr, hs, stop = Uhr(), Homeserver(), asyncio.Event()
    schlaeft = asyncio.Event()

    async def schlafen(sekunden: float) -> None:
        schlaeft.set()
        await asyncio.Event().wait()  # would sleep forever

    quelle = ListenQuelle()
    p = planer(uow, quelle, hs, uhr, schlafen=schlafen)
    wecker = Wecker()
    wecker()  # not connected yet: nothing happens
    wecker.verbinden(asyncio.get_running_loop(), p.wecken)
    task = asyncio.create_task(p.laufen(stop))
    await asyncio.wait_for(schlaeft.wait(), 10)
    schlaeft.clear()

    quelle.erinnerungen = [erinnerung("neu", T0)]
    # Handlers run in worker threads; the wake-up crosses into the loop.
    threading.Thread(target=wecker).start()
    await asyncio.wait_for(schlaeft.wait(), 10)
    assert hs.texte() == ["Erinnerung neu"]
    stop.set()
    await asyncio.wait_for(task, 10)
    wecker.trennen()
    wecker()


@dataclass
class WeckZaehler:
    anzahl: int = 0
    geaendert: list[frozenset[str]] = field(default_factory=list)

    def __call__(self, geaendert: frozenset[str]) -> None:
        self.anzahl += 1
        self.geaendert.append(geaendert)


def test_the_router_wakes_the_scheduler_after_a_command_that_committed(
    uow: Callable[[], UnitOfWork],
) -> None:
    zaehler = WeckZaehler()
    dienste = Dienste(
        registry=Registry(familien()),
        rollen=Rollen.aus(("@admin:test",), ()),
        uow=uow,
        now=lambda: T0,
        tz=BERLIN,
        wecker=zaehler,
    )
    router = Router(dienste)

    def sag(sender: str, text: str) -> str:
        [reply] = router.handle(
            IncomingMessage(f"${text}{sender}", "!r", sender, f"!om {text}", T0)
        )
        return reply.text

    assert "nichts geplant" in sag("@admin:test", "erinnerungen")
    assert zaehler.anzahl == 0  # reading changes nothing
    assert "⛔" in sag("@eve:test", "erinnerungen aus")
    assert zaehler.anzahl == 0  # refused: nothing changed
    assert "sind aus" in sag("@admin:test", "erinnerungen aus")
    assert zaehler.anzahl == 1
    # With what the command wrote: the room's reminder setting and its audit row.
    assert {"erinnerung_raum", "audit"} <= zaehler.geaendert[0]


# --- the sources on the database ------------------------------------------------------------


@dataclass
class FesteTermine:
    vorkommen_liste: list[TerminVorkommen] = field(default_factory=list)
    treffen_anzahl: dict[int, int] = field(default_factory=dict)

    def vorkommen(self, uow: UnitOfWork, von: datetime, bis: datetime) -> Sequence[TerminVorkommen]:
        return [v for v in self.vorkommen_liste if v.ende > von and v.beginn < bis]

    def treffen(self, uow: UnitOfWork, netzwerk_id: int, jahr: int) -> int | None:
        return self.treffen_anzahl.get(netzwerk_id, 0)


def _netzwerk(u: UnitOfWork, name: str) -> Netzwerk:
    netzwerk = u.session.scalar(select(Netzwerk).where(Netzwerk.name == name))
    assert netzwerk is not None
    return netzwerk


def _verknuepfen(uow: Callable[[], UnitOfWork], raum: str, name: str) -> int:
    with uow() as u:
        netzwerk = _netzwerk(u, name)
        u.raeume.beigetreten(raum, T0).netzwerk_id = netzwerk.id
        u.commit()
        return netzwerk.id


def _termin(netzwerk_id: int, beginn: datetime, **mehr: object) -> TerminVorkommen:
    return TerminVorkommen(
        termin_id=1,
        titel="Netzwerktreffen",
        beginn=beginn,
        ende=beginn + timedelta(hours=2),
        netzwerk_id=netzwerk_id,
        netzwerk="OM-Netzwerk Hamburg",
        region="Hamburg",
        **{"geaendert": T0 - timedelta(days=7), **mehr},  # type: ignore[arg-type]
    )


def test_event_source_plans_every_linked_room_at_its_offsets(
    sample_uow: Callable[[], UnitOfWork],
) -> None:
    hh = _verknuepfen(sample_uow, "!hh", "OM-Netzwerk Hamburg")
    _verknuepfen(sample_uow, "!hh2", "OM-Netzwerk Hamburg")
    _verknuepfen(sample_uow, "!hb", "OM-Netzwerk Bremen")
    with sample_uow() as u:
        u.erinnerungen.add_raum(
            ErinnerungRaum(
                room_id="!hh2",
                aktiv=True,
                geaendert=T0,
                versaetze=[ErinnerungVersatz(minuten=2)],
            )
        )
        u.commit()
    beginn = T0 + timedelta(hours=20)
    leser = FesteTermine([_termin(hh, beginn), _termin(hh, T0 + timedelta(days=40))])
    with sample_uow() as u:
        geplant = TerminQuelle(leser).gewuenscht(u, T0, E)
    assert sorted((g.room_id, g.faellig) for g in geplant) == [
        ("!hh", beginn - timedelta(days=1)),
        ("!hh", beginn - timedelta(hours=1)),
        ("!hh2", beginn - timedelta(minutes=2)),
    ]  # the event in 40 days is beyond the horizon; Bremen's room gets nothing

    # Switched off: no reminders for that room (the plan filters; the source need not know).
    with sample_uow() as u:
        u.erinnerungen.add_raum(ErinnerungRaum(room_id="!hh", aktiv=False, geaendert=T0))
        u.commit()
    planung = Planung(E, (TerminQuelle(leser),), leser)
    with sample_uow() as u:
        assert {g.room_id for g in planung.gewuenscht(u, T0).values()} == {"!hh2"}


async def test_cancelling_or_moving_an_event_replans_its_reminders(
    sample_uow: Callable[[], UnitOfWork],
) -> None:
    hh = _verknuepfen(sample_uow, "!hh", "OM-Netzwerk Hamburg")
    beginn = T0 + timedelta(hours=30)
    leser = FesteTermine([_termin(hh, beginn)])
    uhr, hs = Uhr(), Homeserver()
    p = Planer(sample_uow, Planung(E, (TerminQuelle(leser),), leser), hs.senden, uhr=uhr)
    assert await p.runde() == beginn - timedelta(days=1)

    # Moved by two hours: the old reminders go, new ones at the new time.
    leser.vorkommen_liste = [_termin(hh, beginn + timedelta(hours=2), geaendert=T0)]
    p.wecken()
    assert await p.runde() == beginn + timedelta(hours=2) - timedelta(days=1)
    assert (p.letzter_abgleich.neu, p.letzter_abgleich.entfernt) == (2, 2)

    # Cancelled: nothing is left to send.
    leser.vorkommen_liste = [_termin(hh, beginn + timedelta(hours=2), geaendert=T0, abgesagt=T0)]
    p.wecken()
    assert await p.runde() is None
    uhr.jetzt = beginn + timedelta(hours=1)
    await p.runde()
    assert hs.versuche == [] and zeilen(sample_uow) == []


def test_obligations_source_reads_the_register(sample_uow: Callable[[], UnitOfWork]) -> None:
    hh = _verknuepfen(sample_uow, "!hh", "OM-Netzwerk Hamburg")
    _verknuepfen(sample_uow, "!mue", "OM-Netzwerk München")  # not recognised yet
    leser = FesteTermine(treffen_anzahl={hh: 1})
    with sample_uow() as u:
        geplant = PflichtenQuelle(leser).gewuenscht(u, T0, E)
    assert {g.room_id for g in geplant} == {"!hh"}
    assert sorted(g.art.value for g in geplant) == [
        "bericht",
        "selbsterklaerung",
        "selbsterklaerung",
        "treffen",
    ]
    [treffen] = [g for g in geplant if g.art is Art.TREFFEN]
    assert treffen.faellig == datetime(2027, 9, 1, 7, 0, tzinfo=UTC)
    # Unknown meeting counts (no events) remind nobody of meetings.
    with sample_uow() as u:
        ohne = PflichtenQuelle(KeineTermine()).gewuenscht(u, T0, E)
        assert Art.TREFFEN not in {g.art for g in ohne}
        assert PflichtenQuelle(leser).gewuenscht(u, T0, replace(E, jahrespflichten=False)) == []


def test_request_source_reminds_the_geschaeftsstelle(sample_uow: Callable[[], UnitOfWork]) -> None:
    with sample_uow() as u:
        netzwerk = _netzwerk(u, "OM-Netzwerk Hamburg")
        [partner] = [p for p in u.partner.alle() if p.kurz == "IHK"]
        for status in (Zustand.ANGEFRAGT, Zustand.FREIGEGEBEN):
            u.anfragen.add(
                Anfrage(
                    netzwerk_id=netzwerk.id,
                    partner_id=partner.id,
                    region_id=netzwerk.region_id,
                    status=status,
                    erstellt=T0 - timedelta(days=10),
                    geaendert=T0 - timedelta(days=8),
                )
            )
        u.commit()
    with sample_uow() as u:
        geplant = AnfrageQuelle().gewuenscht(u, T0, E)
        assert AnfrageQuelle().gewuenscht(u, T0, replace(E, geschaeftsstelle_room="")) == []
        # Without a Geschäftsstelle room its members are reminded by direct message.
        direkt = AnfrageQuelle().gewuenscht(
            u, T0, replace(E, geschaeftsstelle_room="", geschaeftsstelle_users=("@gs:t", "@gs2:t"))
        )
        assert sorted({g.room_id for g in direkt}) == ["@gs2:t", "@gs:t"] and len(direkt) == 4
    assert {g.room_id for g in geplant} == {"!gs"}
    assert len(geplant) == 2  # the open one only: the current and the next reminder
    assert "anfrage 1 benennen" in geplant[0].text and "IHK" in geplant[0].text
    assert geplant[0].faellig <= T0 < geplant[1].faellig


def test_info_service_source_builds_each_subscribers_digest(
    sample_uow: Callable[[], UnitOfWork],
) -> None:
    hh = _verknuepfen(sample_uow, "!hh", "OM-Netzwerk Hamburg")
    with sample_uow() as u:
        hamburg = _netzwerk(u, "OM-Netzwerk Hamburg")
        muenchen = _netzwerk(u, "OM-Netzwerk München")
        for raum, region in (("!alle", None), ("!hamburg", hamburg.region_id)):
            u.raeume.beigetreten(raum, T0)
            u.flush()
            u.erinnerungen.add_abo(InfodienstAbo(room_id=raum, region_id=region, seit=T0))
        u.audit.add(
            AuditEintrag(
                zeit=T0 + timedelta(days=1),
                akteur="@gs:test",
                aktion="status_geaendert",
                netzwerk_id=muenchen.id,
                objekt=muenchen.name,
                vorher={"status": "ag_transfer"},
                nachher={"status": "plenum"},
            )
        )
        u.commit()
    leser = FesteTermine(
        [_termin(hh, datetime(2027, 3, 18, 13, 0, tzinfo=UTC), region_id=hamburg.region_id)]
    )
    with sample_uow() as u:
        geplant = InfodienstQuelle(leser).gewuenscht(u, T0 + timedelta(days=2), E)
    naechste = {g.room_id: g for g in geplant if g.faellig > T0}
    assert set(naechste) == {"!alle", "!hamburg"}
    assert naechste["!alle"].faellig == datetime(2027, 3, 15, 7, 0, tzinfo=UTC)
    alle = naechste["!alle"].text
    assert (
        "Netzwerktreffen" in alle
        and "OM-Netzwerk München: bei der AG Transfer → beim Plenum" in alle
    )
    nur_hh = naechste["!hamburg"].text
    assert "Netzwerktreffen" in nur_hh and "München" not in nur_hh


def test_a_plan_in_a_dst_week_is_stored_in_utc(sample_uow: Callable[[], UnitOfWork]) -> None:
    hh = _verknuepfen(sample_uow, "!hh", "OM-Netzwerk Hamburg")
    beginn = datetime(2027, 3, 28, 10, 0, tzinfo=BERLIN)  # right after spring forward
    leser = FesteTermine([_termin(hh, beginn.astimezone(UTC))])
    jetzt = datetime(2027, 3, 27, 0, 0, tzinfo=UTC)
    planung = Planung(E, (TerminQuelle(leser),), leser)
    p = Planer(sample_uow, planung, Homeserver().senden, uhr=lambda: jetzt)
    asyncio.run(p.runde())
    with sample_uow() as u:
        faellig = sorted(r.faellig for r in u.erinnerungen.offene())
    assert faellig[0] == datetime(2027, 3, 27, 9, 0, tzinfo=UTC)  # Saturday 10:00 CET
    assert faellig[0].astimezone(BERLIN).hour == 10
    assert date(2027, 3, 27) == faellig[0].astimezone(BERLIN).date()
