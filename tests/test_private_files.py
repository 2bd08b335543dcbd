"""Data at rest: every file the bot creates (database, credentials, export) is mode 0600."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from om_bot.cli import main
from om_bot.matrix.anmeldung import Credentials

ROOT = Path(__file__).resolve().parent.parent


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def lax_umask() -> Iterator[None]:
    # The usual default of a login shell or service manager; main() must not rely on it.
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_cli_creates_database_and_export_readable_by_the_owner_only(
    tmp_path: Path, lax_umask: None
) -> None:
    db = tmp_path / "data" / "om-bot.sqlite3"
    config = tmp_path / "config.toml"
    config.write_text(
        '[matrix]\nhomeserver = "https://hs"\nuser_id = "@b:hs"\npassword = "x"\n'
        f'[database]\nurl = "sqlite:///{db}"\n',
        encoding="utf-8",
    )
    assert main(["migrate", "--config", str(config)]) == 0
    assert main(["import", str(ROOT / "data" / "netzwerke.toml"), "--config", str(config)]) == 0
    files = [db, *(db.with_name(db.name + s) for s in ("-wal", "-shm"))]
    for path in files:
        if path.exists():  # -wal/-shm exist while a connection is open
            assert _mode(path) == 0o600, path
    assert _mode(db.parent) == 0o700, "the directory the bot created"

    fresh = tmp_path / "export.toml"
    assert main(["export", str(fresh), "--config", str(config)]) == 0
    assert _mode(fresh) == 0o600
    old = tmp_path / "old-export.toml"
    old.write_text("stale", encoding="utf-8")
    old.chmod(0o644)
    assert main(["export", str(old), "--config", str(config)]) == 0
    assert _mode(old) == 0o600
    assert "OM-Netzwerk Hamburg" in old.read_text(encoding="utf-8")
    assert os.umask(0o022) == 0o022, "main() gives the caller its umask back"


def test_credentials_are_0600_even_over_a_stale_0644_tmp_file(
    tmp_path: Path, lax_umask: None
) -> None:
    path = tmp_path / "store" / "credentials.json"
    path.parent.mkdir()
    stale = path.with_suffix(".tmp")
    stale.write_text("old token", encoding="utf-8")
    stale.chmod(0o644)
    credentials = Credentials("https://hs", "@b:hs", "DEVICE", "secret-token")
    credentials.save(path)
    assert _mode(path) == 0o600
    assert not stale.exists()
    assert Credentials.load(path) == credentials
