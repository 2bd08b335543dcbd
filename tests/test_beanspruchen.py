"""Claiming a handled event in one statement (`EventRepo.beanspruchen`), on SQLite and
PostgreSQL: once True, then False – also for a second unit of work racing the first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import StatementError

from om_bot.storage.uow import UnitOfWork

T0 = datetime(2027, 3, 1, 9, tzinfo=UTC)


def test_an_event_is_claimed_once(uow: Callable[[], UnitOfWork]) -> None:
    with uow() as u:
        assert u.events.beanspruchen("$a", "!r", T0)
        assert not u.events.beanspruchen("$a", "!r", T0)  # within the same transaction
        u.commit()
    with uow() as u:
        assert not u.events.beanspruchen("$a", "!anders", T0)
        assert u.events.beanspruchen("$b", "!r", T0)
        u.commit()
    with uow() as u:
        assert u.events.bekannt("$a") and u.events.bekannt("$b")


def test_a_claim_left_uncommitted_claims_nothing(uow: Callable[[], UnitOfWork]) -> None:
    with uow() as u:
        assert u.events.beanspruchen("$a", "!r", T0)
    with uow() as u:
        assert not u.events.bekannt("$a")
        assert u.events.beanspruchen("$a", "!r", T0)


def test_naive_times_are_still_refused(uow: Callable[[], UnitOfWork]) -> None:
    with uow() as u, pytest.raises(StatementError):
        u.events.beanspruchen("$a", "!r", datetime(2027, 3, 1, 9))  # noqa: DTZ001
