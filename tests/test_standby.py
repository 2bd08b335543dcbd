"""The standby logic below the adapter: `Standby` with fake locks (taking, logging once, the
grace period, a failed and an unanswered check), the real locks (flock; the PostgreSQL advisory
lock in a database of its own: one holder, loss on pg_terminate_backend, the session's
keepalive settings), and a second process on one SQLite file that waits as a standby (no
homeserver needed: a standby never contacts it). The durable outbox: tests/test_ausgang.py."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from om_bot.app.runtime import build, run_bot
from om_bot.app.standby import Standby, Zeiten
from om_bot.config import config_from_mapping
from om_bot.storage.db import make_engine
from om_bot.storage.sperre import (
    SERVER_KEEPALIVE,
    DateiSperre,
    PostgresSperre,
    SperreVerloren,
    _teile,
    sperr_schluessel,
    sperre_fuer,
)
from tests.conftest import sqlite_kopie
from tests.test_umzug import postgres_url

__all__ = ["postgres_url"]  # the fixture, imported for pytest

SCHNELL = Zeiten(pruefen=0.02, pruef_timeout=0.2, wiederholen=0.01, schonfrist=0.05)
T0 = datetime(2027, 3, 1, 9, tzinfo=UTC)


class FakeSperre:
    """A lock that is free after `belegt_fuer` tries; `pruefen` fails or hangs on demand."""

    def __init__(self, belegt_fuer: int = 0, verlierbar: bool = True) -> None:
        self.beschreibung = "fake lock"
        self.verlierbar = verlierbar
        self.belegt_fuer = belegt_fuer
        self.versuche = 0
        self.pruefungen = 0
        self.fehler: Exception | None = None
        self.haengen = threading.Event()
        self.los = threading.Event()
        self.freigegeben = False

    def versuchen(self) -> bool:
        self.versuche += 1
        return self.versuche > self.belegt_fuer

    def pruefen(self) -> None:
        self.pruefungen += 1
        if self.haengen.is_set():
            self.los.wait(5)
        if self.fehler is not None:
            raise self.fehler

    def freigeben(self) -> None:
        self.freigegeben = True


async def test_a_standby_waits_logs_once_and_becomes_active_after_the_grace_period(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sperre = FakeSperre(belegt_fuer=5)
    gemeldet: list[bool] = []
    standby = Standby(sperre, zeiten=SCHNELL, melden=gemeldet.append)
    with caplog.at_level(logging.INFO, "om_bot.app.standby"):
        assert await standby.erwerben(asyncio.Event())
    assert sperre.versuche == 6
    texte = [r.getMessage() for r in caplog.records]
    assert sum("standby: fake lock is held" in t for t in texte) == 1
    assert any("acting in 0.1 s" in t for t in texte)
    assert standby.aktiv and gemeldet == [False, True]
    # The lock was checked once more at the end of the grace period.
    assert sperre.pruefungen == 1


async def test_a_standby_that_is_stopped_never_becomes_active() -> None:
    stop = asyncio.Event()
    standby = Standby(FakeSperre(belegt_fuer=10**9), zeiten=SCHNELL)
    aufgabe = asyncio.create_task(standby.erwerben(stop))
    await asyncio.sleep(0.05)
    stop.set()
    assert await asyncio.wait_for(aufgabe, 2) is False
    assert not standby.aktiv


async def test_an_unreachable_lock_is_logged_once_per_kind_and_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Zickig(FakeSperre):
        def versuchen(self) -> bool:
            self.versuche += 1
            if self.versuche <= 3:
                raise OSError("connection refused")
            return True

    sperre = Zickig()
    with caplog.at_level(logging.INFO, "om_bot.app.standby"):
        assert await Standby(sperre, zeiten=SCHNELL).erwerben(asyncio.Event())
    assert sum("cannot reach fake lock" in r.getMessage() for r in caplog.records) == 1


async def test_a_lock_lost_during_the_grace_period_is_not_acted_on() -> None:
    sperre = FakeSperre()
    sperre.fehler = SperreVerloren("gone")
    standby = Standby(sperre, zeiten=SCHNELL)
    stop = asyncio.Event()
    aufgabe = asyncio.create_task(standby.erwerben(stop))
    # It gives the lock back and tries again rather than acting on a lock it lost.
    while sperre.versuche < 3:
        await asyncio.sleep(0.01)
    assert sperre.freigegeben and not standby.aktiv
    sperre.fehler = None
    assert await asyncio.wait_for(aufgabe, 2)


@pytest.mark.parametrize("art", ["fehler", "haengt"])
async def test_a_failed_or_unanswered_check_calls_verloren_once(art: str) -> None:
    sperre = FakeSperre()
    gemeldet: list[bool] = []
    standby = Standby(sperre, zeiten=SCHNELL, melden=gemeldet.append)
    assert await standby.erwerben(asyncio.Event())
    verloren = threading.Event()
    aufrufe: list[str] = []

    def bei_verlust() -> None:
        aufrufe.append(threading.current_thread().name)
        verloren.set()

    stop = asyncio.Event()
    wache = asyncio.create_task(standby.bewachen(bei_verlust, stop))
    await asyncio.sleep(0.1)
    assert not verloren.is_set() and sperre.pruefungen >= 3
    if art == "fehler":
        sperre.fehler = SperreVerloren("the advisory lock is not held")
    else:
        sperre.haengen.set()
    assert await asyncio.to_thread(verloren.wait, 2)
    # Called in the watch thread (the event loop may be the thing that hangs), exactly once.
    await asyncio.sleep(0.1)
    assert len(aufrufe) == 1 and aufrufe[0] == "om-bot lock watch"
    assert not standby.aktiv and gemeldet[-1] is False
    stop.set()
    await asyncio.wait_for(wache, 2)
    sperre.los.set()
    await standby.freigeben()
    # After a check that hung, the connection is left to the process exit.
    assert sperre.freigegeben is (art == "fehler")


async def test_a_lock_that_cannot_be_lost_is_neither_watched_nor_waited_for() -> None:
    sperre = FakeSperre(verlierbar=False)
    standby = Standby(sperre, zeiten=Zeiten(schonfrist=60))
    assert await asyncio.wait_for(standby.erwerben(asyncio.Event()), 2)
    stop = asyncio.Event()
    wache = asyncio.create_task(standby.bewachen(lambda: None, stop))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(wache, 2)
    assert sperre.pruefungen == 0


def test_the_lock_key_is_a_stable_signed_bigint_and_its_pg_locks_parts() -> None:
    schluessel = sperr_schluessel("om-bot:aktiv")
    assert schluessel == sperr_schluessel() and -(2**63) <= schluessel < 2**63
    assert sperr_schluessel("anderes") != schluessel
    hoch, tief = _teile(-1)
    assert (hoch, tief) == (0xFFFF_FFFF, 0xFFFF_FFFF)
    assert _teile(2**32 + 5) == (1, 5)


def test_the_file_lock_is_exclusive_and_freed_on_release(tmp_path: Path) -> None:
    erste = sperre_fuer(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    zweite = sperre_fuer(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    assert isinstance(erste, DateiSperre) and isinstance(zweite, DateiSperre)
    assert erste.pfad == tmp_path / "bot.sqlite3.lock" and not erste.verlierbar
    assert erste.versuchen() and not zweite.versuchen()
    erste.pruefen()
    with pytest.raises(SperreVerloren):
        zweite.pruefen()
    erste.freigeben()
    assert zweite.versuchen()
    zweite.freigeben()
    assert sperre_fuer("sqlite:///:memory:") is None


def test_the_advisory_lock_has_one_holder_and_is_lost_with_its_session(
    postgres_url: str,
) -> None:
    a, b = PostgresSperre(postgres_url), PostgresSperre(postgres_url)
    try:
        assert a.versuchen()
        assert not b.versuchen()
        a.pruefen()
        # The server-side keepalive settings are the session's own.
        assert a.sitzung() == {
            "tcp_keepalives_idle": "5",
            "tcp_keepalives_interval": "1",
            "tcp_keepalives_count": "3",
            "tcp_user_timeout": "8000",
            "statement_timeout": "1s",
        }
        assert set(a.sitzung()) == set(SERVER_KEEPALIVE)
        wartung = make_engine(postgres_url)
        with wartung.begin() as verbindung:
            verbindung.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'om-bot lock' AND datname = current_database() "
                    "AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory')"
                )
            )
        wartung.dispose()
        with pytest.raises(Exception):  # noqa: B017 – psycopg's error for a killed session
            a.pruefen()
        assert b.versuchen()
        b.pruefen()
    finally:
        a.freigeben()
        b.freigeben()


# --- SQLite: a second process waits ----------------------------------------------------------


async def test_a_second_process_on_one_sqlite_file_waits_as_a_standby(
    tmp_path: Path, leere_vorlage: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = sqlite_kopie(leere_vorlage, tmp_path / "bot.sqlite3")
    andere = sperre_fuer(url)
    assert andere is not None and andere.versuchen()
    config = config_from_mapping(
        {
            "matrix": {
                # Nothing listens there: a standby must never get as far as the homeserver.
                "homeserver": "http://127.0.0.1:9",
                "user_id": "@bot:localhost",
                "password": "x",
                "store_path": str(tmp_path / "store"),
            },
            "database": {"url": url},
            "http": {"enabled": True, "port": 0},
        },
        env={},
    )
    app = build(config)
    stop = asyncio.Event()
    with caplog.at_level(logging.INFO):
        lauf = asyncio.create_task(run_bot(app, stop))
        while not any("standby: file lock" in r.getMessage() for r in caplog.records):
            await asyncio.sleep(0.02)
        assert app.metriken.registry.get_sample_value("om_bot_active") == 0
        assert not (tmp_path / "store").exists()
        stop.set()
        await asyncio.wait_for(lauf, 10)
    assert not any("logged in" in r.getMessage() for r in caplog.records)
    andere.freigeben()
