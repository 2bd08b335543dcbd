"""Storage on SQLite and PostgreSQL: migrations, constraints, unit of work, UTC times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import IntegrityError, StatementError

from om_bot.domain.netzwerk import Dach, RegionArt, Status
from om_bot.storage.db import downgrade, migrate
from om_bot.storage.models import Base, BotZustand, Netzwerk, Region
from om_bot.storage.uow import UnitOfWork


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_up_again(engine: Engine) -> None:
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    assert "netzwerk" in inspect(engine).get_table_names()


def _region(uow: UnitOfWork, name: str = "Hamburg") -> Region:
    region = Region(name=name, schluessel=name.lower(), art=RegionArt.BUNDESLAND)
    uow.regionen.add(region)
    uow.flush()
    return region


def test_unit_of_work_rolls_back_unless_committed(uow: Callable[[], UnitOfWork]) -> None:
    with uow() as u:
        _region(u)
    with uow() as u:
        assert u.regionen.alle() == []
    with uow() as u:
        _region(u)
        u.commit()
    with uow() as u:
        assert [r.name for r in u.regionen.alle()] == ["Hamburg"]


def test_exception_rolls_back(uow: Callable[[], UnitOfWork]) -> None:
    with pytest.raises(RuntimeError), uow() as u:
        _region(u)
        raise RuntimeError("boom")
    with uow() as u:
        assert u.regionen.alle() == []


def test_enums_are_stored_by_value_and_checked(uow: Callable[[], UnitOfWork]) -> None:
    with uow() as u:
        region = _region(u)
        u.netzwerke.add(
            Netzwerk(
                name="N",
                schluessel="n",
                region_id=region.id,
                dach=Dach.DDN,
                art="regional",
                status=Status.AG_TRANSFER,
            )
        )
        u.commit()
        raw = u.session.connection().exec_driver_sql("SELECT dach, status FROM netzwerk").one()
        assert tuple(raw) == ("DDN", "ag_transfer")
        with pytest.raises((IntegrityError, StatementError)):
            u.session.connection().exec_driver_sql("UPDATE netzwerk SET status = 'erfunden'")


def test_foreign_keys_are_enforced(uow: Callable[[], UnitOfWork]) -> None:
    with uow() as u, pytest.raises(IntegrityError):
        u.netzwerke.add(
            Netzwerk(
                name="N",
                schluessel="n",
                region_id=999,
                dach=Dach.OM,
                art="regional",
                status=Status.BEANTRAGT,
            )
        )
        u.flush()


def test_times_are_stored_as_utc(uow: Callable[[], UnitOfWork]) -> None:
    berlin = timezone(timedelta(hours=2))
    with uow() as u:
        u.events.merke("$a", "!r", datetime(2027, 6, 1, 14, 0, tzinfo=berlin))
        u.commit()
    with uow() as u:
        row = (
            u.session.connection()
            .exec_driver_sql("SELECT verarbeitet FROM verarbeitetes_event")
            .scalar_one()
        )
        stored = row if isinstance(row, datetime) else datetime.fromisoformat(row)
        # SQLite keeps naive UTC, PostgreSQL an aware timestamp: both must mean 12:00 UTC.
        assert stored.replace(tzinfo=stored.tzinfo or UTC) == datetime(
            2027, 6, 1, 12, 0, tzinfo=UTC
        )
        assert u.events.bekannt("$a")


def test_naive_datetimes_are_refused(uow: Callable[[], UnitOfWork]) -> None:
    with uow() as u:
        u.events.merke("$a", "!r", datetime(2027, 6, 1, 14, 0))  # noqa: DTZ001
        with pytest.raises(StatementError):
            u.flush()


def test_bot_state_key_value(uow: Callable[[], UnitOfWork]) -> None:
    with uow() as u:
        u.zustand.set("sync_token", "s1")
        u.commit()
    with uow() as u:
        u.zustand.set("sync_token", "s2")
        u.commit()
    with uow() as u:
        assert u.zustand.get("sync_token") == "s2"
        assert u.session.get(BotZustand, "nope") is None
