"""`om-bot backup --to FILE`: an online backup of a live SQLite database (the backup API) holds
what was committed and nothing of an open transaction, is checked, readable by the owner only;
a PostgreSQL configuration is told to use pg_dump; a missing database changes nothing. And
`om-bot migrate` refuses while an `om-bot run` holds the lock (it migrates on start itself)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from om_bot.cli import main
from om_bot.storage.db import downgrade, ist_aktuell, make_engine
from om_bot.storage.sperre import sperre_fuer
from tests.conftest import SAMPLE_DATA, sqlite_kopie


def _config(tmp_path: Path, url: str) -> Path:
    pfad = tmp_path / "config.toml"
    pfad.write_text(
        f'[matrix]\nhomeserver = "http://127.0.0.1:9"\nuser_id = "@bot:localhost"\n'
        f'password = "x"\n[database]\nurl = "{url}"\n',
        encoding="utf-8",
    )
    return pfad


def _zustand(datei: Path) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(datei)) as db:
        return dict(db.execute("SELECT schluessel, wert FROM bot_zustand").fetchall())


def test_backup_of_a_live_database_holds_what_was_committed(
    tmp_path: Path, leere_vorlage: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    datei = tmp_path / "bot.sqlite3"
    config = _config(tmp_path, sqlite_kopie(leere_vorlage, datei))
    with contextlib.closing(sqlite3.connect(datei, isolation_level=None)) as bot:
        bot.execute("PRAGMA journal_mode=WAL")
        bot.execute("INSERT INTO bot_zustand VALUES ('sync_token', 's42')")
        # The bot is in the middle of a transaction while the backup runs.
        bot.execute("BEGIN")
        bot.execute("INSERT INTO bot_zustand VALUES ('halb', 'fertig')")
        ziel = tmp_path / "sicherung" / "om-bot.sqlite3"
        ziel.parent.mkdir()
        assert main(["backup", "--config", str(config), "--to", str(ziel)]) == 0
        bot.execute("COMMIT")
    assert "gesichert:" in capsys.readouterr().out
    assert _zustand(ziel) == {"sync_token": "s42"}
    assert ziel.stat().st_mode & 0o777 == 0o600
    assert not ziel.with_name(ziel.name + "-wal").exists()
    # Again onto the existing file: replaced, now with the second row.
    assert main(["backup", "--config", str(config), "--to", str(ziel)]) == 0
    assert _zustand(ziel) == {"sync_token": "s42", "halb": "fertig"}


def test_backup_refuses_postgresql_and_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ziel = tmp_path / "x.sqlite3"
    pg = _config(tmp_path, "postgresql+psycopg://om@db/om")
    assert main(["backup", "--config", str(pg), "--to", str(ziel)]) == 1
    assert "pg_dump" in capsys.readouterr().err
    fehlt = _config(tmp_path, f"sqlite:///{tmp_path / 'gibtsnicht.sqlite3'}")
    assert main(["backup", "--config", str(fehlt), "--to", str(ziel)]) == 1
    assert "gibt es nicht" in capsys.readouterr().err
    assert not ziel.exists()


def test_migrate_refuses_while_a_bot_is_active(
    tmp_path: Path, leere_vorlage: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_kopie(leere_vorlage, tmp_path / "bot.sqlite3")
    config = _config(tmp_path, url)
    aktiv = sperre_fuer(url)
    assert aktiv is not None and aktiv.versuchen()
    assert main(["migrate", "--config", str(config)]) == 1
    assert "ein om-bot run ist aktiv" in capsys.readouterr().err
    aktiv.freigeben()
    assert main(["migrate", "--config", str(config)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_import_migrates_an_old_schema_only_while_no_bot_is_active(
    tmp_path: Path, leere_vorlage: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Migrations run on the active process only: an `om-bot import` of a newer version must
    not change the schema under a running (maybe older) `om-bot run`."""
    url = sqlite_kopie(leere_vorlage, tmp_path / "bot.sqlite3")
    engine = make_engine(url)
    downgrade(engine, "0009")  # the outbox table of the newest revision is gone
    config = str(_config(tmp_path, url))
    aktiv = sperre_fuer(url)
    assert aktiv is not None and aktiv.versuchen()
    for befehl in (["import", str(SAMPLE_DATA)], ["export", "-"]):
        assert main([*befehl, "--config", config]) == 1
        assert "ein om-bot run ist aktiv" in capsys.readouterr().err
    assert not ist_aktuell(engine)
    aktiv.freigeben()
    assert main(["import", str(SAMPLE_DATA), "--config", config]) == 0
    assert "importiert:" in capsys.readouterr().out
    assert ist_aktuell(engine)
    # With the schema current, the register can be changed while the bot runs.
    assert aktiv.versuchen()
    assert main(["import", str(SAMPLE_DATA), "--config", config]) == 0
    assert main(["export", "-", "--config", config]) == 0
    assert "[[netzwerk]]" in capsys.readouterr().out
    aktiv.freigeben()
    engine.dispose()
