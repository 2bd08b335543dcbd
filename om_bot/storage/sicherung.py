"""An online backup of a SQLite database: SQLite's backup API (`sqlite3.Connection.backup`),
page by page from a consistent snapshot while the bot keeps running – never a file copy, which
can catch a live database (and its -wal file) half-written. PostgreSQL is backed up with
pg_dump (docs/betrieb.md).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


class SicherungFehler(RuntimeError):
    """The backup cannot be made; the message says why."""


@dataclass(frozen=True)
class Sicherung:
    quelle: Path
    ziel: Path
    bytes: int


def sichern(url: str, ziel: Path) -> Sicherung:
    """Copy the SQLite database at `url` to `ziel` (mode 0600, replaced atomically), checked
    with ``PRAGMA integrity_check``."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise SicherungFehler(
            "om-bot backup sichert SQLite-Datenbanken; PostgreSQL mit pg_dump sichern "
            "(docs/betrieb.md, „Sicherung“)"
        )
    if not parsed.database or parsed.database == ":memory:":
        raise SicherungFehler("eine Datenbank im Speicher lässt sich nicht sichern")
    quelle = Path(parsed.database)
    if not quelle.is_file():
        raise SicherungFehler(f"{quelle} gibt es nicht")
    if ziel.resolve() == quelle.resolve():
        raise SicherungFehler("Ziel und Quelle sind dieselbe Datei")
    tmp = ziel.with_name(ziel.name + ".tmp")
    tmp.unlink(missing_ok=True)
    # Contact data: readable by the bot's user only, whatever the umask.
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        with (
            contextlib.closing(sqlite3.connect(quelle, timeout=30)) as von,
            contextlib.closing(sqlite3.connect(tmp)) as nach,
        ):
            von.backup(nach)
            # A self-contained file: no -wal beside it.
            nach.execute("PRAGMA journal_mode=DELETE")
            ergebnis = nach.execute("PRAGMA integrity_check").fetchone()
        if not ergebnis or ergebnis[0] != "ok":
            raise SicherungFehler(f"die Sicherung ist nicht in Ordnung: {ergebnis}")
        tmp.replace(ziel)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Sicherung(quelle, ziel, ziel.stat().st_size)
