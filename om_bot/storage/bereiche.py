"""Which areas of the database a unit of work wrote or read, taken from the SQL itself.

An *area* is a table name (``termin``, ``raum_verknuepfung``, …); an audit row also names its
action (``audit:netzwerk_angelegt``), because nearly every command writes one and a reader of
the audit log cares for a few actions only. The reminder scheduler plans a source again only
when a command wrote an area the source read the last time it was planned
(`om_bot.app.planer`).

Both sides come from the statements the database receives (a listener on each connection a
unit of work uses), not from lists kept by hand: no service can forget to report a write, and
no read can hide behind a helper, a lazy load or another feature's reader. Reads are
over-approximated – any table named anywhere in a statement counts – which costs a needless
re-plan at worst, never a missed one. Audit actions come from the ORM objects flushed (audit rows
are only ever written through `om_bot.services.protokoll.protokollieren`).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from om_bot.storage.models import AuditEintrag, Base

# The tables of the models, longest first so a name is never cut short by a shorter one.
TABELLEN = frozenset(Base.metadata.tables)
_NAMEN = re.compile(
    r"\b(" + "|".join(sorted(TABELLEN, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
# INSERT [OR …] INTO t, UPDATE t, DELETE FROM t – as SQLite and PostgreSQL receive them.
_SCHREIBEN = re.compile(
    r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE
)
_SCHLUESSEL = "om_bot_bereiche"


def audit_bereich(aktion: str) -> str:
    """The area of audit rows with this action."""
    return f"audit:{aktion}"


def geschrieben(sql: str) -> str | None:
    """The table a statement writes, None for a read."""
    treffer = _SCHREIBEN.match(sql)
    return treffer.group(1).lower() if treffer else None


def gelesen(sql: str) -> set[str]:
    """Every table a statement names (an over-approximation of what it reads)."""
    return {name.lower() for name in _NAMEN.findall(sql)}


class Protokoll:
    """What one unit of work wrote (per transaction, kept once committed) and, while a caller
    records, read."""

    def __init__(self) -> None:
        self.offen: set[str] = set()  # written in the current transaction
        self.festgeschrieben: set[str] = set()  # written by committed transactions
        self.lesen: set[str] | None = None  # where reads go while someone records
        self._verbindungen: list[dict[Any, Any]] = []

    def sql(self, statement: str) -> None:
        if (tabelle := geschrieben(statement)) is not None:
            self.offen.add(tabelle)
        if self.lesen is not None:
            self.lesen |= gelesen(statement)

    def verbunden(self, info: dict[Any, Any]) -> None:
        info[_SCHLUESSEL] = self
        self._verbindungen.append(info)

    def trennen(self) -> None:
        """The unit of work is done: its connections go back to the pool without it."""
        for info in self._verbindungen:
            if info.get(_SCHLUESSEL) is self:
                del info[_SCHLUESSEL]
        self._verbindungen.clear()


def protokoll(session: Session) -> Protokoll | None:
    wert = session.info.get(_SCHLUESSEL)
    return wert if isinstance(wert, Protokoll) else None


def _beginn(session: Session, _transaction: Any, connection: Any) -> None:
    if (p := protokoll(session)) is not None:
        p.verbunden(connection.info)


def _vor_flush(session: Session, _context: Any, _instances: Any) -> None:
    if (p := protokoll(session)) is not None:
        for obj in session.new:
            if isinstance(obj, AuditEintrag):
                p.offen.add(audit_bereich(str(obj.aktion)))


def _commit(session: Session) -> None:
    if (p := protokoll(session)) is not None:
        p.festgeschrieben |= p.offen
        p.offen.clear()


def _rollback(session: Session, _previous: Any) -> None:
    if (p := protokoll(session)) is not None and not session.in_transaction():
        p.offen.clear()


def _statement(
    conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    p = conn.info.get(_SCHLUESSEL)
    if isinstance(p, Protokoll):
        p.sql(statement)


def beobachten(engine: Engine, sessions: sessionmaker[Session]) -> None:
    """Record areas for the sessions of `sessions` (each needs a `Protokoll` in its info)."""
    if not event.contains(engine, "before_cursor_execute", _statement):
        event.listen(engine, "before_cursor_execute", _statement)
    event.listen(sessions, "after_begin", _beginn)
    event.listen(sessions, "before_flush", _vor_flush)
    event.listen(sessions, "after_commit", _commit)
    event.listen(sessions, "after_soft_rollback", _rollback)


def anmelden(session: Session) -> Protokoll:
    p = Protokoll()
    session.info[_SCHLUESSEL] = p
    return p
