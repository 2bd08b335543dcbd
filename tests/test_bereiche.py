"""The areas a unit of work wrote and read (`om_bot.storage.bereiche`), from the real SQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from om_bot.domain.audit import AuditAktion
from om_bot.services.protokoll import protokollieren
from om_bot.storage.bereiche import audit_bereich, gelesen, geschrieben
from om_bot.storage.uow import UnitOfWork

T0 = datetime(2027, 3, 1, 9, tzinfo=UTC)


def test_statements_name_their_tables() -> None:
    assert geschrieben("INSERT INTO raum (room_id) VALUES (?)") == "raum"
    assert geschrieben('UPDATE "netzwerk" SET name=%(name)s') == "netzwerk"
    assert geschrieben("DELETE FROM erinnerung WHERE id = ?") == "erinnerung"
    assert geschrieben("SELECT raum.room_id FROM raum") is None
    sql = "SELECT region_teil.kind FROM region_teil JOIN region ON region.id = region_teil.kind"
    assert gelesen(sql) == {"region_teil", "region"}
    # A column named after a table is no table (netzwerk_id), a longer name is not cut short.
    assert gelesen("SELECT raum.netzwerk_id FROM raum") == {"raum"}


def test_committed_writes_are_the_changed_areas(sample_uow: Callable[[], UnitOfWork]) -> None:
    with sample_uow() as uow:
        uow.raeume.beigetreten("!neu", T0)
        protokollieren(uow, AuditAktion.RAUM_VERKNUEPFT, akteur="@a:test", zeit=T0)
        assert uow.geaendert == frozenset()  # nothing committed yet
        uow.commit()
        assert uow.geaendert == {"raum", "audit", audit_bereich(AuditAktion.RAUM_VERKNUEPFT)}


def test_rolled_back_writes_change_nothing(sample_uow: Callable[[], UnitOfWork]) -> None:
    with sample_uow() as uow:
        uow.raeume.beigetreten("!weg", T0)
        uow.flush()
        uow.session.rollback()  # as the router does on a refusal
        uow.raeume.beigetreten("!bleibt", T0)
        uow.commit()
        assert uow.geaendert == {"raum"}
    with sample_uow() as uow:
        uow.raeume.beigetreten("!nie", T0)
        uow.flush()
    # Left without commit: rolled back, nothing reported.
    assert uow.geaendert == frozenset()
    with sample_uow() as uow:
        assert uow.raeume.get("!nie") is None and uow.raeume.get("!bleibt") is not None


def test_reads_are_recorded_with_lazy_loads(sample_uow: Callable[[], UnitOfWork]) -> None:
    with sample_uow() as uow, uow.mitlesen() as gelesen_:
        netzwerke = uow.netzwerke.alle()
        assert netzwerke
        for n in netzwerke:
            assert n.region.name  # a lazy load
    assert {"netzwerk", "region"} <= gelesen_
    assert "anfrage" not in gelesen_
    with sample_uow() as uow:
        uow.netzwerke.alle()
        with uow.mitlesen() as nachher:
            pass
    assert nachher == set()  # only what ran inside the block
