"""The lock that makes exactly one `om-bot run` process the active one.

PostgreSQL (`PostgresSperre`): a session-level advisory lock (``pg_try_advisory_lock``) on a
connection of its own, outside the engine's pool, so no pooled session can hold or drop it by
accident. The session carries TCP keepalive settings (`SERVER_KEEPALIVE`): when the holder's
host dies or is cut off, the server ends the session – and so releases the lock – after a
bounded time, which `om_bot.app.standby` chooses longer than the holder needs to notice and
stop (the timing argument is written down there and in docs/betrieb.md).

SQLite (`DateiSperre`): one machine, so an exclusive ``flock`` on ``<database>.lock`` beside
the file does the same; the kernel drops it when the process dies. An in-memory database gets
no lock (`sperre_fuer` returns None).

Everything here blocks (psycopg, flock); the app layer calls it in a worker thread with a
timeout of its own.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

# Every process of one installation derives the same key from this name.
SPERR_NAME = "om-bot:aktiv"
# Set per session on the server (all are user-settable GUCs): a lost holder's session ends
# after about idle + count × interval seconds without an answer, or when data it was sent stays
# unacknowledged for tcp_user_timeout ms. statement_timeout bounds the check on the server.
SERVER_KEEPALIVE = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "1",
    "tcp_keepalives_count": "3",
    "tcp_user_timeout": "8000",
    "statement_timeout": "1000",
}
# The client side of the same connection (libpq parameters): a socket to a server that went
# silent fails after a few seconds, so a check blocked on it ends and its thread is freed.
CLIENT_KEEPALIVE: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 1,
    "keepalives_interval": 1,
    "keepalives_count": 2,
    "tcp_user_timeout": 3000,
    "connect_timeout": 3,
}


class SperreVerloren(RuntimeError):
    """The lock is no longer held (connection gone, check failed)."""


class Sperre(Protocol):
    """What the standby logic needs of a lock; every call may block."""

    beschreibung: str
    # Whether the lock can be lost while this process runs (a database session can end; a
    # flock cannot be taken away): only then is it watched and a grace period kept.
    verlierbar: bool

    def versuchen(self) -> bool:
        """Take the lock if it is free; True when this process holds it now."""
        ...

    def pruefen(self) -> None:
        """Raise (e.g. `SperreVerloren`) unless the lock is still held."""
        ...

    def freigeben(self) -> None:
        """Release the lock and close what holds it; never raises."""
        ...


def sperr_schluessel(name: str = SPERR_NAME) -> int:
    """The advisory lock key of `name`: the first 8 bytes of its SHA-256, as a signed bigint."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _teile(schluessel: int) -> tuple[int, int]:
    """How pg_locks shows a bigint advisory key: (classid, objid), the high and low 32 bits."""
    vorzeichenlos = schluessel & 0xFFFF_FFFF_FFFF_FFFF
    return vorzeichenlos >> 32, vorzeichenlos & 0xFFFF_FFFF


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq understands it (``postgresql://…``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresSperre:
    """The advisory lock on a dedicated psycopg connection (autocommit, keepalives)."""

    def __init__(self, url: str, name: str = SPERR_NAME) -> None:
        self._conninfo = libpq_url(url)
        self.schluessel = sperr_schluessel(name)
        self._classid, self._objid = _teile(self.schluessel)
        parsed = make_url(url)
        self.beschreibung = f"PostgreSQL advisory lock {name!r} on {parsed.host}/{parsed.database}"
        self.verlierbar = True
        self._verbindung: Any = None

    def _verbinden(self) -> Any:
        import psycopg  # noqa: PLC0415 – only installations on PostgreSQL have it

        optionen = " ".join(f"-c {k}={v}" for k, v in SERVER_KEEPALIVE.items())
        return psycopg.connect(
            self._conninfo,
            autocommit=True,
            application_name="om-bot lock",
            options=optionen,
            **CLIENT_KEEPALIVE,
        )

    def versuchen(self) -> bool:
        if self._verbindung is None or self._verbindung.closed:
            self._verbindung = self._verbinden()
        try:
            zeile = self._verbindung.execute(
                "SELECT pg_try_advisory_lock(%s)", (self.schluessel,)
            ).fetchone()
        except Exception:
            self.freigeben()
            raise
        return bool(zeile and zeile[0])

    def pruefen(self) -> None:
        verbindung = self._verbindung
        if verbindung is None or verbindung.closed:
            raise SperreVerloren("the lock connection is closed")
        # Not just "the session lives": the lock is listed as granted to this very backend.
        zeile = verbindung.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND pid = pg_backend_pid() AND classid = %s AND objid = %s AND objsubid = 1)",
            (self._classid, self._objid),
        ).fetchone()
        if not (zeile and zeile[0]):
            raise SperreVerloren("the advisory lock is not held by this session any more")

    def sitzung(self) -> dict[str, str]:
        """The lock session's keepalive settings as the server sees them (tests, diagnosis)."""
        if self._verbindung is None:
            raise SperreVerloren("not connected")
        return {
            k: str(self._verbindung.execute(f"SHOW {k}").fetchone()[0]) for k in SERVER_KEEPALIVE
        }

    def freigeben(self) -> None:
        verbindung, self._verbindung = self._verbindung, None
        if verbindung is None:
            return
        try:
            # Closing the session releases a session-level lock anyway; no unlock round trip
            # that could hang on a dead connection.
            verbindung.close()
        except Exception:
            log.debug("closing the lock connection failed", exc_info=True)


class DateiSperre:
    """An exclusive flock on a file beside the SQLite database (one machine)."""

    def __init__(self, pfad: Path) -> None:
        self.pfad = pfad
        self.beschreibung = f"file lock {pfad}"
        self.verlierbar = False
        self._fd: int | None = None

    def versuchen(self) -> bool:
        if self._fd is not None:
            return True
        self.pfad.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.pfad, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def pruefen(self) -> None:
        # A flock cannot be taken away while the descriptor is open.
        if self._fd is None:
            raise SperreVerloren("the file lock is not held")

    def freigeben(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def sperre_fuer(url: str, name: str = SPERR_NAME) -> Sperre | None:
    """The lock for the database at `url`; None for an in-memory SQLite database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return None
        return DateiSperre(Path(parsed.database + ".lock"))
    return PostgresSperre(url, name)
