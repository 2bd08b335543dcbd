"""Configuration: the example file is valid and complete; bad values name their key."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from om_bot.config import (
    PASSWORD_ENV,
    Config,
    ConfigError,
    config_from_mapping,
    load_config,
    parse_offset,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def _minimal(**bot: Any) -> dict[str, Any]:
    return {
        "matrix": {
            "homeserver": "https://matrix.example.org",
            "user_id": "@om-bot:example.org",
            "password": "pw",
        },
        "bot": bot,
    }


def test_example_config_is_valid() -> None:
    config = load_config(EXAMPLE, env={})
    assert config.bot.timezone == "Europe/Berlin"
    assert config.reminders.offsets == (timedelta(days=1), timedelta(hours=1))


def _keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys |= _keys(annotation, f"{prefix}{name}.")
        else:
            keys.add(f"{prefix}{name}")
    return keys


def _file_keys(data: dict[str, Any], prefix: str = "") -> set[str]:
    keys = set()
    for name, value in data.items():
        if isinstance(value, dict):
            keys |= _file_keys(value, f"{prefix}{name}.")
        else:
            keys.add(f"{prefix}{name}")
    return keys


def test_example_config_mirrors_the_model_key_for_key() -> None:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert _file_keys(data) == _keys(Config)


@pytest.mark.parametrize(
    ("section", "key", "value", "expected"),
    [
        ("bot", "timezone", "Mars/Olympus", "bot.timezone"),
        ("bot", "admins", ["admin"], "bot.admins.0"),
        ("bot", "geschaeftsstelle_room", "#gs:example.org", "bot.geschaeftsstelle_room"),
        ("bot", "prefixes", [], "bot.prefixes"),
        ("bot", "allowed_homeservers", ["not a server"], "bot.allowed_homeservers.0"),
        ("bot", "nonsense", 1, "bot.nonsense"),
        ("reminders", "before_event", ["1 Tag"], "reminders.before_event.0"),
        ("matrix", "homeserver", "matrix.example.org", "matrix.homeserver"),
        ("database", "url", "mysql://x", "database.url"),
    ],
)
def test_bad_values_name_the_key(section: str, key: str, value: Any, expected: str) -> None:
    data = _minimal()
    data.setdefault(section, {})[key] = value
    with pytest.raises(ConfigError) as error:
        config_from_mapping(data, env={})
    assert expected in str(error.value)


def test_missing_credentials_are_reported() -> None:
    data = _minimal()
    del data["matrix"]["password"]
    with pytest.raises(ConfigError, match=r"matrix\.password or matrix\.access_token"):
        config_from_mapping(data, env={})


def test_password_from_environment_wins() -> None:
    config = config_from_mapping(_minimal(), env={PASSWORD_ENV: "from-env"})
    assert config.matrix.password == "from-env"


def test_config_is_frozen() -> None:
    config = config_from_mapping(_minimal(), env={})
    with pytest.raises(ValueError, match="frozen"):
        config.bot.admins = ()  # type: ignore[misc]


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml", env={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[matrix\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken, env={})


def test_prefixes_are_normalised() -> None:
    config = config_from_mapping(_minimal(prefixes=["!OM", " /om "]), env={})
    assert config.bot.prefixes == ("!om", "/om")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1d", timedelta(days=1)), ("2h", timedelta(hours=2)), ("1h30m", timedelta(minutes=90))],
)
def test_parse_offset(text: str, expected: timedelta) -> None:
    assert parse_offset(text) == expected


@pytest.mark.parametrize("text", ["", "1", "d", "1x", "-1h"])
def test_parse_offset_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_offset(text)
