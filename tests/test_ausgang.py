"""The exactly-once path of `DatabaseState` (om_bot.app.zustand) on a real database: a command's
answers go out at once, their claim and outbox rows follow with the batch's sync token, a
command that writes commits its claim with its change, and a replay – in this process after a
failed write, or by the next process from the stored token – is not handled twice. The same
against Synapse with SIGKILL: tests/test_standby_matrix.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from om_bot.app.zustand import NACH_ABSTURZ, SYNC_TOKEN, Anspruch, DatabaseState
from om_bot.storage.models import Ausgang, VerarbeitetesEvent
from om_bot.storage.repositories import ZustandRepo
from om_bot.storage.uow import UnitOfWork, uow_factory
from om_bot.text.messages import Attachment, IncomingMessage, Reply

T0 = datetime(2027, 3, 1, 9, tzinfo=UTC)
FRIST = timedelta(minutes=5)


# One `Anspruch` for the database (it is per thread); each `DatabaseState` below is a process.
ANSPRUCH = Anspruch()


@pytest.fixture
def uow(engine: Engine) -> Callable[[], UnitOfWork]:
    """On SQLite and on PostgreSQL (conftest's `engine`)."""
    return uow_factory(engine, ANSPRUCH)


def _prozess(uow: Callable[[], UnitOfWork]) -> DatabaseState:
    """A fresh process's state on the database (nothing in memory)."""
    return DatabaseState(uow, anspruch=ANSPRUCH)


def _nachricht(nr: int) -> IncomingMessage:
    return IncomingMessage(f"$e{nr}:test", "!raum:test", "@max:test", "!om hilfe", T0)


def _zaehlen(uow: Callable[[], UnitOfWork], modell: type[object]) -> int:
    with uow() as u:
        return int(u.session.scalar(select(func.count()).select_from(modell)) or 0)


def _liest(message: IncomingMessage) -> list[Reply]:
    return [Reply("gelesen", "gelesen")]


def _nie(message: IncomingMessage) -> list[Reply]:
    pytest.fail("handled twice")


def _schreibt(
    uow: Callable[[], UnitOfWork], wert: str, antwort: str = "geschrieben"
) -> Callable[[IncomingMessage], list[Reply]]:
    def handler(message: IncomingMessage) -> list[Reply]:
        with uow() as u:
            u.zustand.set("geaendert", wert)
            u.commit()
        return [Reply(antwort, antwort)]

    return handler


def _geaendert(uow: Callable[[], UnitOfWork]) -> str | None:
    with uow() as u:
        return u.zustand.get("geaendert")


def test_a_read_is_answered_before_any_write_and_stored_with_the_sync_token(
    uow: Callable[[], UnitOfWork],
) -> None:
    state = _prozess(uow)
    anhang = Attachment("t.ics", "text/calendar", b"BEGIN:VCALENDAR")
    antworten = [Reply("eins", "<b>eins</b>"), Reply("zwei", "zwei", attachment=anhang)]
    erste = state.answer_once(_nachricht(1), lambda m: antworten, T0)
    assert erste is not None and [r for _, r in erste] == antworten
    assert len({txn for txn, _ in erste}) == 2
    # Nothing written yet: the answers are on their way, claim and outbox follow the batch.
    assert (_zaehlen(uow, VerarbeitetesEvent), _zaehlen(uow, Ausgang)) == (0, 0)
    # The same message again in this process (a sync retried after a failed write).
    assert state.answer_once(_nachricht(1), _nie, T0) is None
    state.answered(erste[0][0])
    state.save_sync_token("s1")
    with uow() as u:
        assert u.zustand.get(SYNC_TOKEN) == "s1"
    assert _zaehlen(uow, VerarbeitetesEvent) == 1
    # The accepted answer left in the same transaction; the other waits for its send.
    offen = state.pending_answers(T0, FRIST)
    assert [(txn, reply) for txn, _, reply in offen] == [erste[1]]
    assert offen[0][1].event_id == "$e1:test" and offen[0][1].room_id == "!raum:test"
    state.answered(erste[1][0])
    state.save_sync_token("s2")
    assert _zaehlen(uow, Ausgang) == 0


def test_a_process_replaying_a_batch_skips_what_the_one_before_wrote(
    uow: Callable[[], UnitOfWork],
) -> None:
    alt = _prozess(uow)
    assert alt.answer_once(_nachricht(1), _liest, T0)
    alt.save_sync_token("s1")
    erste = alt.answer_once(_nachricht(2), _liest, T0)
    # Killed before this batch was written: the next one starts at s1 and gets both again.
    neu = _prozess(uow)
    assert neu.answer_once(_nachricht(1), _nie, T0) is None
    # Handled again under the same transaction ids: had the old one sent it, the homeserver
    # returns that event instead of a second.
    assert neu.answer_once(_nachricht(2), _liest, T0) == erste
    neu.save_sync_token("s2")
    # Once it wrote its first batch it looks nothing up: every later message is new.
    with uow() as u:
        u.events.merke("$e3:test", "!raum:test", T0)
        u.commit()
    assert neu.answer_once(_nachricht(3), _liest, T0) is not None


def test_a_writing_command_commits_its_claim_and_a_stand_in_with_its_change(
    uow: Callable[[], UnitOfWork],
) -> None:
    state = _prozess(uow)
    gesehen: list[int] = []

    def handler(message: IncomingMessage) -> list[Reply]:
        # Before the handler commits, the command is not marked handled: killed here, the
        # next process handles it.
        gesehen.append(_zaehlen(uow, VerarbeitetesEvent))
        with uow() as u:
            u.zustand.set("geaendert", "ja")
            u.commit()
        # Committed together: a process killed now leaves the change and the claim.
        gesehen.append(_zaehlen(uow, VerarbeitetesEvent))
        return [Reply("angelegt", "angelegt")]

    antworten = state.answer_once(_nachricht(2), handler, T0)
    assert antworten is not None and gesehen == [0, 1]
    [(txn, _, reply)] = state.pending_answers(T0, FRIST)
    assert reply == NACH_ABSTURZ and txn == antworten[0][0]
    # With the batch the real answer replaces the stand-in under the same transaction id.
    state.save_sync_token("s1")
    assert [(t, r) for t, _, r in state.pending_answers(T0, FRIST)] == antworten


def test_killed_between_a_change_and_its_answer_the_next_one_says_so(
    uow: Callable[[], UnitOfWork],
) -> None:
    class Absturz(BaseException):
        """The process dies here (nothing after it runs)."""

    def aendern_und_sterben(message: IncomingMessage) -> list[Reply]:
        with uow() as u:
            u.zustand.set("geaendert", "ja")
            u.commit()
        raise Absturz

    with pytest.raises(Absturz):
        _prozess(uow).answer_once(_nachricht(5), aendern_und_sterben, T0)
    neu = _prozess(uow)
    # The change and the claim are stored: the replay is not handled, a notice waits.
    assert neu.answer_once(_nachricht(5), _nie, T0) is None
    [(_, quelle, reply)] = neu.pending_answers(T0, FRIST)
    assert reply == NACH_ABSTURZ and quelle.event_id == "$e5:test"
    assert "ausgeführt" in reply.text and "verloren" in reply.text
    assert _geaendert(uow) == "ja"


def test_a_write_claimed_before_is_stopped_at_its_commit(
    uow: Callable[[], UnitOfWork],
) -> None:
    # Claimed by another process meanwhile (two processes without a lock): this one gets
    # past the lookup, but its commit is refused and the command changes nothing.
    state = _prozess(uow)
    state.save_sync_token("s0")

    def anderswo_und_schreiben(message: IncomingMessage) -> list[Reply]:
        with uow() as u:
            u.events.merke(message.event_id, "!r", T0)
            u.commit()
        _schreibt(uow, "doppelt")(message)
        pytest.fail("a command claimed before got past its commit")

    assert state.answer_once(_nachricht(6), anderswo_und_schreiben, T0) is None
    assert _geaendert(uow) is None
    state.save_sync_token("s1")
    assert _zaehlen(uow, Ausgang) == 0


def test_a_handler_that_raises_is_claimed_without_an_answer(
    uow: Callable[[], UnitOfWork],
) -> None:
    def kaputt(message: IncomingMessage) -> list[Reply]:
        raise RuntimeError("bug")

    state = _prozess(uow)
    assert state.answer_once(_nachricht(4), kaputt, T0) == []
    state.save_sync_token("s1")
    # Not handled again by the next process.
    assert _prozess(uow).answer_once(_nachricht(4), _nie, T0) is None
    assert (_zaehlen(uow, VerarbeitetesEvent), _zaehlen(uow, Ausgang)) == (1, 0)


def test_a_failed_batch_write_is_written_whole_with_the_next(
    uow: Callable[[], UnitOfWork], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = _prozess(uow)
    lesen = state.answer_once(_nachricht(7), _liest, T0)
    schreiben = state.answer_once(_nachricht(8), _schreibt(uow, "ja", "angelegt"), T0)
    assert lesen and schreiben
    state.answered(lesen[0][0])

    def kaputt(self: ZustandRepo, schluessel: str, wert: str) -> None:
        raise RuntimeError("database went away")

    with monkeypatch.context() as m:
        m.setattr(ZustandRepo, "set", kaputt)
        with pytest.raises(RuntimeError):
            state.save_sync_token("s1")
    # Rolled back whole: no claim of the read, the write's stand-in still there.
    assert _zaehlen(uow, VerarbeitetesEvent) == 1
    assert [r for _, _, r in state.pending_answers(T0, FRIST)] == [NACH_ABSTURZ]
    # The sync is retried from the old token: nothing is handled twice in this process.
    assert state.answer_once(_nachricht(7), _nie, T0) is None
    assert state.answer_once(_nachricht(8), _nie, T0) is None
    state.save_sync_token("s1")
    assert _zaehlen(uow, VerarbeitetesEvent) == 2
    # The read's answer was accepted before the failure and is not kept; the write's is.
    assert [(t, r) for t, _, r in state.pending_answers(T0, FRIST)] == schreiben
    assert _geaendert(uow) == "ja"
