"""Moving an installation to another database (`om-bot migrate-db --from … --to …`).

Copies every table of the models (`Base.metadata`: register, audit, requests, events, reminder
plan, sync token, room links) from one database to another, SQLite and PostgreSQL either way:

1. The source must be at the schema of this version (its Alembic heads are the code's); it is
   only read.
2. The target must be empty (no rows in any of our tables) unless `ueberschreiben` is given;
   a refused target is not touched at all.
3. The target is migrated to the same heads (`om_bot.storage.db.migrate`), so its
   `alembic_version` is the source's; then, in one transaction, its rows are deleted (only
   with `ueberschreiben`), the source's rows inserted in foreign-key order with their ids,
   PostgreSQL sequences set past the highest id, and every table's row count and checksum
   compared with the source's. Any difference rolls the whole copy back.

The checksum is a SHA-256 over the rows sorted by primary key, each value normalised so that
SQLite and PostgreSQL agree: timestamps as UTC ISO strings, booleans as JSON booleans, JSON
columns with sorted keys, enums by their value.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Integer, Table, delete, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from om_bot.storage.db import alembic_config, make_engine, migrate
from om_bot.storage.models import Base

# Rows per INSERT statement: big enough to be quick, small enough for SQLite's variable limit.
BLOCK = 500


class UmzugFehler(Exception):
    """The move was refused or failed; the target is unchanged."""


@dataclass(frozen=True)
class Tabelle:
    name: str
    zeilen: int
    pruefsumme: str


@dataclass(frozen=True)
class Umzug:
    tabellen: tuple[Tabelle, ...]
    revisionen: tuple[str, ...]
    geleert: bool
    sekunden: float

    @property
    def zeilen(self) -> int:
        return sum(t.zeilen for t in self.tabellen)


def tabellen() -> list[Table]:
    """Every table of the models, parents before children."""
    return list(Base.metadata.sorted_tables)


def _normal(wert: Any) -> Any:
    """A JSON-able form of a column value that is the same on SQLite and PostgreSQL."""
    if isinstance(wert, enum.Enum):
        return wert.value
    if isinstance(wert, datetime):
        zeit = wert.replace(tzinfo=UTC) if wert.tzinfo is None else wert.astimezone(UTC)
        return zeit.isoformat()
    if isinstance(wert, date):
        return wert.isoformat()
    if isinstance(wert, bytes | memoryview):
        return bytes(wert).hex()
    return wert


def _sortierbar(wert: Any) -> tuple[int, Any]:
    # None sorts first; ints and strings never meet in one primary-key column.
    return (0, "") if wert is None else (1, wert)


def pruefsumme(tabelle: Table, zeilen: Iterable[Sequence[Any]]) -> Tabelle:
    """Row count and checksum of `zeilen` (all columns of `tabelle`, in its column order).

    The rows are sorted by primary key here, not in SQL: PostgreSQL orders text by the
    database's collation, SQLite by bytes."""
    spalten = [c.name for c in tabelle.columns]
    schluessel = [spalten.index(c.name) for c in tabelle.primary_key.columns] or list(
        range(len(spalten))
    )
    normal = [[_normal(w) for w in zeile] for zeile in zeilen]
    normal.sort(key=lambda z: tuple(_sortierbar(z[i]) for i in schluessel))
    digest = hashlib.sha256(json.dumps(spalten).encode())
    for zeile in normal:
        digest.update(b"\n")
        digest.update(json.dumps(zeile, sort_keys=True, ensure_ascii=False).encode())
    return Tabelle(tabelle.name, len(normal), digest.hexdigest())


def _lies(connection: Connection, tabelle: Table) -> list[Sequence[Any]]:
    return [tuple(zeile) for zeile in connection.execute(select(tabelle))]


def bestand(engine: Engine) -> dict[str, Tabelle]:
    """Row count and checksum of every table of `engine`'s database."""
    with engine.connect() as connection:
        return {t.name: pruefsumme(t, _lies(connection, t)) for t in tabellen()}


def _heads(engine: Engine) -> tuple[str, ...]:
    return tuple(sorted(ScriptDirectory.from_config(alembic_config(engine)).get_heads()))


def _revisionen(connection: Connection) -> tuple[str, ...]:
    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def _belegte(connection: Connection) -> list[str]:
    """Our tables in the database that hold rows."""
    vorhanden = set(inspect(connection).get_table_names())
    return [
        t.name
        for t in tabellen()
        if t.name in vorhanden
        and connection.execute(select(func.count()).select_from(t)).scalar_one() > 0
    ]


def _sequenzen_setzen(connection: Connection) -> None:
    """Set each serial column's sequence past the highest copied id (PostgreSQL only; SQLite
    takes max(rowid) + 1 by itself)."""
    for tabelle in tabellen():
        for spalte in tabelle.primary_key.columns:
            if not isinstance(spalte.type, Integer) or spalte.autoincrement is False:
                continue
            sequenz = connection.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": tabelle.name, "c": spalte.name}
            ).scalar_one()
            if sequenz is None:
                continue
            hoechste = connection.execute(select(func.max(spalte))).scalar_one()
            connection.execute(
                text("SELECT setval(:s, :v, :benutzt)"),
                {"s": sequenz, "v": hoechste or 1, "benutzt": hoechste is not None},
            )


def _anzeige(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def ziehe_um(quelle_url: str, ziel_url: str, *, ueberschreiben: bool = False) -> Umzug:
    """Copy the whole installation from `quelle_url` to `ziel_url` (see the module doc)."""
    if make_url(quelle_url) == make_url(ziel_url):
        raise UmzugFehler("Quelle und Ziel sind dieselbe Datenbank.")
    herkunft = make_url(quelle_url)
    if herkunft.get_backend_name() == "sqlite" and not Path(herkunft.database or "").is_file():
        raise UmzugFehler(f"Die Quelle {herkunft.database!r} gibt es nicht.")
    beginn = time.perf_counter()
    quelle = make_engine(quelle_url)
    ziel = make_engine(ziel_url)
    try:
        umzug = _ziehe_um(quelle, ziel, ueberschreiben=ueberschreiben)
    except SQLAlchemyError as exc:
        # Unreachable server, a constraint the data breaks …: the copy's transaction is rolled
        # back (a new target may keep the empty schema of step 3).
        grund = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise UmzugFehler(f"Datenbankfehler, keine Daten kopiert: {grund}") from exc
    finally:
        quelle.dispose()
        ziel.dispose()
    return dataclasses.replace(umzug, sekunden=time.perf_counter() - beginn)


def _ziehe_um(quelle: Engine, ziel: Engine, *, ueberschreiben: bool) -> Umzug:
    heads = _heads(quelle)
    with quelle.connect() as lesen:
        revisionen = _revisionen(lesen)
    if not revisionen:
        raise UmzugFehler(f"{_anzeige(quelle)} ist keine om-bot-Datenbank (kein Schema).")
    if revisionen != heads:
        raise UmzugFehler(
            f"Die Quelle hat den Schemastand {', '.join(revisionen)}, diese Version "
            f"{', '.join(heads)}; erst `om-bot migrate` auf der Quelle ausführen."
        )
    with ziel.connect() as pruefen:
        belegt = _belegte(pruefen)
        ziel_revisionen = _revisionen(pruefen)
    if belegt and not ueberschreiben:
        raise UmzugFehler(
            f"Das Ziel {_anzeige(ziel)} ist nicht leer ({', '.join(belegt)}); nichts "
            "geändert. Mit --force werden seine Daten durch die der Quelle ersetzt."
        )
    if ziel_revisionen and not set(ziel_revisionen) <= _bekannte(ziel):
        raise UmzugFehler(
            f"Das Ziel hat den unbekannten Schemastand {', '.join(ziel_revisionen)}; "
            "nichts geändert."
        )
    migrate(ziel)
    ergebnisse: list[Tabelle] = []
    # The bot must be stopped for the move (it would go on writing to the source); the
    # target is written in one transaction, so a failure leaves nothing half copied.
    # PostgreSQL reads the source from one snapshot (REPEATABLE READ).
    lesart = {"isolation_level": "REPEATABLE READ"} if quelle.dialect.name == "postgresql" else {}
    with (
        quelle.connect().execution_options(**lesart) as lesen,
        lesen.begin(),
        ziel.begin() as schreiben,
    ):
        if _revisionen(schreiben) != heads:
            raise UmzugFehler("Das Ziel ließ sich nicht auf den Schemastand der Quelle bringen.")
        for tabelle in reversed(tabellen()):
            schreiben.execute(delete(tabelle))
        for tabelle in tabellen():
            zeilen = _lies(lesen, tabelle)
            spalten = [c.name for c in tabelle.columns]
            for start in range(0, len(zeilen), BLOCK):
                block = [dict(zip(spalten, z, strict=True)) for z in zeilen[start : start + BLOCK]]
                schreiben.execute(tabelle.insert(), block)
            soll = pruefsumme(tabelle, zeilen)
            ist = pruefsumme(tabelle, _lies(schreiben, tabelle))
            if ist != soll:
                raise UmzugFehler(
                    f"Prüfung fehlgeschlagen bei {tabelle.name}: Quelle {soll.zeilen} Zeilen "
                    f"({soll.pruefsumme[:12]}), Ziel {ist.zeilen} ({ist.pruefsumme[:12]}); "
                    "nichts kopiert."
                )
            ergebnisse.append(soll)
        if schreiben.dialect.name == "postgresql":
            _sequenzen_setzen(schreiben)
    return Umzug(tuple(ergebnisse), heads, bool(belegt), 0.0)


def _bekannte(engine: Engine) -> set[str]:
    skript = ScriptDirectory.from_config(alembic_config(engine))
    return {r.revision for r in skript.walk_revisions()}
