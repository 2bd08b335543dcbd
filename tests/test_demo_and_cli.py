"""`make demo`'s program end to end, the CLI, and the generated command reference."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from om_bot.chat.hilfe import markdown
from om_bot.chat.registry import Registry
from om_bot.cli import main
from om_bot.commands import familien

ROOT = Path(__file__).resolve().parent.parent


def test_command_reference_is_generated_from_the_registry() -> None:
    docs = (ROOT / "docs" / "befehle.md").read_text(encoding="utf-8")
    assert docs == markdown(Registry(familien())), "run `make docs` to regenerate docs/befehle.md"


def test_every_command_has_help_and_an_example() -> None:
    for befehl in Registry(familien()):
        assert befehl.hilfe, befehl.syntax
        assert befehl.beispiele, f"{befehl.syntax} has no example"
        for beispiel in befehl.beispiele:
            assert befehl.parse(beispiel) is not None, (befehl.syntax, beispiel)


@pytest.mark.matrix
def test_demo_answers_through_a_real_homeserver_and_cleans_up() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "om_bot", "demo"],
        input="!om netzwerke Hamburg\n!om netzwerke Hamberg\n",
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "om-bot ▸ Netzwerke in Hamburg" in out
    assert "OM-Netzwerk Hamburg" in out
    assert "Meinten Sie „Hamburg“?" in out
    assert "Homeserver: http://127.0.0.1:" in out
    # The room is encrypted: the answers above were decrypted by the demo user's device.
    assert "Ende-zu-Ende-verschlüsselt" in out and "(keine Antwort)" not in out
    log_path = re.search(r"Log:\s+(\S+)", out)
    assert log_path is not None
    assert not Path(log_path.group(1)).parent.exists(), "the demo left its temp dir behind"


def test_cli_rejects_a_bad_config_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[matrix]\nhomeserver = "https://hs"\nuser_id = "@b:hs"\npassword = "x"\n'
        '[bot]\ntimezone = "Europe/Nirgendwo"\n',
        encoding="utf-8",
    )
    assert main(["check-config", "--config", str(config)]) == 2
    assert "bot.timezone" in capsys.readouterr().err


def test_cli_import_export_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[matrix]\nhomeserver = "https://hs"\nuser_id = "@b:hs"\npassword = "x"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "db.sqlite3"}"\n',
        encoding="utf-8",
    )
    assert main(["check-config", "--config", str(config)]) == 0
    assert main(["import", str(ROOT / "data" / "netzwerke.toml"), "--config", str(config)]) == 0
    assert "18 Netzwerke" in capsys.readouterr().out
    exported = tmp_path / "export.toml"
    assert main(["export", str(exported), "--config", str(config)]) == 0
    assert "OM-Netzwerk Hamburg" in exported.read_text(encoding="utf-8")

    broken = tmp_path / "broken.toml"
    broken.write_text('[[netzwerk]]\nname = "X"\nregion = "Atlantis"\n', encoding="utf-8")
    assert main(["import", str(broken), "--config", str(config)]) == 1
    assert "Atlantis" in capsys.readouterr().err
