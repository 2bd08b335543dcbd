"""Reminders are messages meant to reach people: the scheduler sends every one notifying, with
the mentions its room calls for, looked up at send time (`Planer._adressieren` →
`om_bot.services.benachrichtigung.adressieren`). Fake clock and homeserver, SQLite and
PostgreSQL; the real Synapse is in `tests/test_benachrichtigung_matrix.py`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import select

from om_bot.app import planer as planer_modul
from om_bot.app.planer import Planer
from om_bot.services.erinnerungsquellen import KeineTermine, Planung
from om_bot.storage.models import Netzwerk, RaumBenachrichtigung
from om_bot.storage.uow import UnitOfWork
from om_bot.text.messages import Erwaehnung, Reply
from tests.test_planer import T0, E, Homeserver, ListenQuelle, Uhr, erinnerung

GS_USERS = ("@gs:test", "@gs2:test")
HAMBURG = (
    Erwaehnung("@max.mustermann:om.example", "Max Mustermann"),
    Erwaehnung("@petra.beispiel:om.example", "Petra Beispiel"),
)


def _raeume(uow: Callable[[], UnitOfWork]) -> None:
    with uow() as u:
        hamburg = u.session.scalar(select(Netzwerk).where(Netzwerk.name == "OM-Netzwerk Hamburg"))
        assert hamburg is not None
        for room_id in ("!hh", "!gs", "!lobby"):
            u.raeume.beigetreten(room_id, T0)
        u.flush()
        raum = u.raeume.get("!hh")
        assert raum is not None
        raum.netzwerk_id = hamburg.id
        u.commit()


async def _gesendet(uow: Callable[[], UnitOfWork], *ziele: str) -> dict[str, Reply]:
    quelle = ListenQuelle([erinnerung(f"k{i}", T0, room_id=z) for i, z in enumerate(ziele)])
    e = replace(E, geschaeftsstelle_room="!gs", geschaeftsstelle_users=GS_USERS)
    hs = Homeserver()
    await Planer(uow, Planung(e, (quelle,), KeineTermine()), hs.senden, uhr=Uhr()).runde()
    return {r.user_id or r.room_id or "": r for r in hs.zugestellt.values()}


async def test_every_reminder_notifies_with_the_mentions_of_its_room(
    sample_uow: Callable[[], UnitOfWork],
) -> None:
    _raeume(sample_uow)
    gesendet = await _gesendet(sample_uow, "!hh", "!gs", "@gs2:test", "!lobby")
    assert set(gesendet) == {"!hh", "!gs", "@gs2:test", "!lobby"}
    assert all(r.benachrichtigen and not r.raumruf for r in gesendet.values())
    assert gesendet["!hh"].erwaehnt == HAMBURG
    assert gesendet["!gs"].erwaehnt == tuple(Erwaehnung(u) for u in sorted(GS_USERS))
    assert [e.user_id for e in gesendet["@gs2:test"].erwaehnt] == ["@gs2:test"]
    assert gesendet["!lobby"].erwaehnt == ()


async def test_room_settings_apply_at_send_time(sample_uow: Callable[[], UnitOfWork]) -> None:
    _raeume(sample_uow)
    with sample_uow() as u:
        u.raeume.add_benachrichtigung(
            RaumBenachrichtigung(room_id="!hh", erwaehnungen=True, raumruf=True, geaendert=T0)
        )
        u.raeume.add_benachrichtigung(
            RaumBenachrichtigung(room_id="!gs", erwaehnungen=False, raumruf=True, geaendert=T0)
        )
        u.commit()
    gesendet = await _gesendet(sample_uow, "!hh", "!gs")
    assert gesendet["!hh"].erwaehnt == HAMBURG and gesendet["!hh"].raumruf
    # Mentions off: nobody by name and no @room, but still a message that notifies.
    stumm = gesendet["!gs"]
    assert stumm.benachrichtigen and stumm.erwaehnt == () and not stumm.raumruf


async def test_a_failing_lookup_still_sends_the_reminder(
    sample_uow: Callable[[], UnitOfWork],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def kaputt(*_: object) -> Reply:
        raise RuntimeError("register unreachable")

    monkeypatch.setattr(planer_modul, "adressieren", kaputt)
    [reply] = (await _gesendet(sample_uow, "!hh")).values()
    assert reply.benachrichtigen and reply.erwaehnt == ()
    assert "sending it without mentions" in caplog.text
