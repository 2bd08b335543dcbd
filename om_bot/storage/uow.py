"""The unit of work: one transaction per command, rolled back unless committed.

    with uow_factory() as uow:
        uow.netzwerke.add(...)
        uow.commit()

Leaving the block without `commit()` (or with an exception) rolls everything back, so a
refused or failed command never leaves a partial write. A unit of work knows which areas
(tables) its committed transactions wrote (`geaendert`) and can record what a piece of work
read (`mitlesen`); see `om_bot.storage.bereiche`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from om_bot.storage import bereiche
from om_bot.storage.repositories import (
    AnfrageRepo,
    AnspracheRepo,
    AuditRepo,
    AusgangRepo,
    ErinnerungRepo,
    EventRepo,
    KalenderFeedRepo,
    NetzwerkRepo,
    PartnerRepo,
    RaumRepo,
    RegionalerKontaktRepo,
    RegionRepo,
    TerminRepo,
    ZustandRepo,
)


class UnitOfWork:
    session: Session
    regionen: RegionRepo
    netzwerke: NetzwerkRepo
    partner: PartnerRepo
    raeume: RaumRepo
    zustand: ZustandRepo
    events: EventRepo
    audit: AuditRepo
    ausgang: AusgangRepo
    erinnerungen: ErinnerungRepo
    anfragen: AnfrageRepo
    regionale_kontakte: RegionalerKontaktRepo
    ansprachen: AnspracheRepo
    termine: TerminRepo
    kalender_feeds: KalenderFeedRepo

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        vor_jedem_commit: Callable[[UnitOfWork], None] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._committed = False
        self._vor_commit: Callable[[], None] | None = None
        self._vor_jedem_commit = vor_jedem_commit

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self._protokoll = bereiche.anmelden(self.session)
        self._committed = False
        self.regionen = RegionRepo(self.session)
        self.netzwerke = NetzwerkRepo(self.session)
        self.partner = PartnerRepo(self.session)
        self.raeume = RaumRepo(self.session)
        self.zustand = ZustandRepo(self.session)
        self.events = EventRepo(self.session)
        self.audit = AuditRepo(self.session)
        self.ausgang = AusgangRepo(self.session)
        self.erinnerungen = ErinnerungRepo(self.session)
        self.anfragen = AnfrageRepo(self.session)
        self.regionale_kontakte = RegionalerKontaktRepo(self.session)
        self.ansprachen = AnspracheRepo(self.session)
        self.termine = TerminRepo(self.session)
        self.kalender_feeds = KalenderFeedRepo(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed or exc_type is not None:
                self.session.rollback()
        finally:
            self.session.close()
            self._protokoll.trennen()

    def vor_commit(self, pruefung: Callable[[], None] | None) -> None:
        """Run `pruefung` before every commit of this unit of work. An exception from it stops
        the commit, and leaving the block rolls back: the router's per-user write limit."""
        self._vor_commit = pruefung

    def commit(self) -> None:
        if self._vor_commit is not None:
            self._vor_commit()
        if self._vor_jedem_commit is not None:
            self._vor_jedem_commit(self)
        self.session.commit()
        self._committed = True

    @property
    def committed(self) -> bool:
        """Whether this unit of work committed (the router then wakes the scheduler)."""
        return self._committed

    @property
    def geaendert(self) -> frozenset[str]:
        """The areas (tables, ``audit:<action>``) written by this unit of work's committed
        transactions; what the router tells the reminder scheduler."""
        return frozenset(self._protokoll.festgeschrieben)

    @contextmanager
    def mitlesen(self) -> Iterator[set[str]]:
        """The areas the statements inside the block read (filled as they run)."""
        gelesen: set[str] = set()
        vorher, self._protokoll.lesen = self._protokoll.lesen, gelesen
        try:
            yield gelesen
        finally:
            self._protokoll.lesen = vorher
            if vorher is not None:
                vorher |= gelesen

    def flush(self) -> None:
        self.session.flush()


def uow_factory(
    engine: Engine, vor_jedem_commit: Callable[[UnitOfWork], None] | None = None
) -> Callable[[], UnitOfWork]:
    """A callable that opens a fresh unit of work on `engine`. `vor_jedem_commit` runs in every
    commit of every unit of work, right before it: the runtime writes the claim of the command
    being handled into the handler's own transaction that way (`om_bot.app.zustand`)."""
    sessions = sessionmaker(engine, expire_on_commit=False)
    bereiche.beobachten(engine, sessions)
    return lambda: UnitOfWork(sessions, vor_jedem_commit)
