"""Configuration: one frozen pydantic model, loaded from TOML, validated before anything starts.

`load_config` is a pure function of the file's text and the environment; it neither creates
directories nor touches the network. A bad value raises `ConfigError`, whose message names the
key (``bot.timezone``) and the expected form, so `om-bot run` can fail at start with a line an
operator understands.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from om_bot.domain.erinnerungen import lies_stichtag, lies_uhrzeit, lies_wochentag
from om_bot.domain.grenzwerte import Grenzwerte
from om_bot.domain.termine import Regeln

PASSWORD_ENV = "OM_BOT_MATRIX_PASSWORD"
ACCESS_TOKEN_ENV = "OM_BOT_MATRIX_ACCESS_TOKEN"

_USER_ID = re.compile(r"^@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(:\d+)?$")
_ROOM_ID = re.compile(r"^![^\s:]+(:[A-Za-z0-9.\-]+(:\d+)?)?$")
_SERVER = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$")
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


class ConfigError(ValueError):
    """A configuration that cannot be used; the message names the key and the expected form."""


def parse_offset(text: str) -> timedelta:
    """Read a compact duration such as ``1d``, ``2h``, ``30m`` or ``1h30m``."""
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None or not any(match.groups()):
        raise ValueError(f"'{text}' ist keine Dauer; erwartet z. B. '1d', '2h', '30m' oder '1h30m'")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def _user_id(value: str) -> str:
    if not _USER_ID.match(value):
        raise ValueError(f"'{value}' is not a Matrix user id like '@name:example.org'")
    return value


def _room_id(value: str) -> str:
    if value and not _ROOM_ID.match(value):
        raise ValueError(
            f"'{value}' is not a Matrix room id like '!abc123:example.org' or '!abc123'"
        )
    return value


def _server(value: str) -> str:
    if not _SERVER.match(value):
        raise ValueError(f"'{value}' is not a server name like 'example.org'")
    return value.lower()


def _offset(value: str) -> str:
    try:
        parse_offset(value)
    except ValueError as exc:
        raise ValueError(f"'{value}' is not a duration like '1d', '2h', '30m' or '1h30m'") from exc
    return value


UserId = Annotated[str, AfterValidator(_user_id)]
RoomId = Annotated[str, AfterValidator(_room_id)]
ServerName = Annotated[str, AfterValidator(_server)]
Offset = Annotated[str, AfterValidator(_offset)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MatrixConfig(_Section):
    homeserver: str
    user_id: UserId
    password: str = ""
    access_token: str = ""
    device_name: str = "om-bot"
    store_path: Path = Path("data/store")
    sync_timeout_ms: int = Field(default=30_000, ge=1_000, le=300_000)
    # A reply still not accepted (rate limit, outage) this long after the command is dropped.
    send_give_up_seconds: int = Field(default=300, ge=1, le=86_400)
    # Which devices get the bot's room keys in encrypted rooms (docs/verschluesselung.md).
    e2e_trust: Literal["tofu", "tofu_allowed_servers"] = "tofu"

    @field_validator("homeserver")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"'{value}' is not a URL like 'https://matrix.example.org'")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _credentials(self) -> MatrixConfig:
        if not self.password and not self.access_token:
            raise ValueError(
                f"set matrix.password or matrix.access_token (or the environment variable "
                f"{PASSWORD_ENV})"
            )
        return self


class DatabaseConfig(_Section):
    url: str = "sqlite:///data/om-bot.sqlite3"

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        if not re.match(r"^(sqlite|postgresql(\+psycopg)?)://", value):
            raise ValueError(
                f"'{value}' is not a supported database URL; expected 'sqlite:///path' or "
                "'postgresql+psycopg://user@host/db'"
            )
        return value


class BotConfig(_Section):
    timezone: str = "Europe/Berlin"
    prefixes: tuple[str, ...] = ("/om", "!om")
    geschaeftsstelle_room: RoomId = ""
    geschaeftsstelle_users: tuple[UserId, ...] = ()
    admins: tuple[UserId, ...] = ()
    allowed_homeservers: tuple[ServerName, ...] = ()
    # Commands older than this are not answered after a long downtime; they would surprise.
    catch_up_max_age_hours: int = Field(default=24, ge=0, le=24 * 30)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"'{value}' is not an IANA time zone like 'Europe/Berlin'") from exc
        return value

    @field_validator("prefixes")
    @classmethod
    def _prefixes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or any(not p.strip() or " " in p.strip() for p in value):
            raise ValueError("expected a non-empty list of prefixes without spaces, e.g. ['!om']")
        return tuple(p.strip().lower() for p in value)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _checked(parse: Callable[[str], object]) -> Callable[[str], str]:
    def check(value: str) -> str:
        parse(value)
        return value

    return check


Stichtag = Annotated[str, AfterValidator(_checked(lies_stichtag))]
Wochentag = Annotated[str, AfterValidator(_checked(lies_wochentag))]
Uhrzeit = Annotated[str, AfterValidator(_checked(lies_uhrzeit))]
Vorlauf = Annotated[int, Field(ge=0, le=366)]


class RemindersConfig(_Section):
    before_event: tuple[Offset, ...] = ("1d", "1h")
    # Yearly obligations of recognised OM networks (seed 001/003), in their linked rooms.
    jahrespflichten: bool = True
    treffen_stichtage: tuple[Stichtag, ...] = ("01.06.:1", "01.09.:2")
    bericht_vorlauf_tage: tuple[Vorlauf, ...] = (30,)
    selbsterklaerung_vorlauf_tage: tuple[Vorlauf, ...] = (60, 14)
    pflichten_uhrzeit: Uhrzeit = "09:00"
    # Open contact requests without a step for this many days remind the Geschäftsstelle room.
    anfrage_nach_tagen: int = Field(default=7, ge=0, le=365)
    digest_wochentag: Wochentag = "montag"
    digest_uhrzeit: Uhrzeit = "08:00"
    digest_wochen: int = Field(default=4, ge=1, le=12)

    @property
    def offsets(self) -> tuple[timedelta, ...]:
        return tuple(parse_offset(o) for o in self.before_event)


class TermineConfig(_Section):
    """Events: default duration, what counts as a clash, how far series are stored ahead."""

    standard_dauer: Offset = "2h"
    # Events in overlapping regions on the same local calendar day clash even without
    # overlapping times.
    gleicher_tag: bool = True
    # Events closer than this clash (each is extended by it on both sides).
    puffer: Offset = "0m"
    # Series are stored (and checked for clashes) this many days ahead; events may be
    # registered at most this far ahead.
    horizont_tage: int = Field(default=730, ge=30, le=3650)

    @field_validator("standard_dauer")
    @classmethod
    def _positiv(cls, value: str) -> str:
        if parse_offset(value) <= timedelta(0):
            raise ValueError(f"'{value}' is not a positive duration like '2h' or '90m'")
        return value

    def regeln(self) -> Regeln:
        return Regeln(
            standard_dauer=parse_offset(self.standard_dauer),
            gleicher_tag=self.gleicher_tag,
            puffer=parse_offset(self.puffer),
            horizont=timedelta(days=self.horizont_tage),
        )


class GrenzenConfig(_Section):
    """Per-user limits (`om_bot.services.limits`); 0 switches one off."""

    # Commands that change something (their unit of work commits), per user.
    schreiben_je_minute: int = Field(default=20, ge=0, le=10_000)
    schreiben_je_tag: int = Field(default=200, ge=0, le=1_000_000)
    # `kontakt` commands per user and hour, whatever their outcome.
    kontakt_je_stunde: int = Field(default=10, ge=0, le=1_000)
    # Open contact requests of one network at a time.
    offene_anfragen_je_netzwerk: int = Field(default=5, ge=0, le=1_000)
    # Refused commands written to the audit log per sender and hour; more only in the log.
    verweigert_protokoll_je_stunde: int = Field(default=10, ge=0, le=10_000)

    def werte(self) -> Grenzwerte:
        return Grenzwerte(
            schreiben_je_minute=self.schreiben_je_minute,
            schreiben_je_tag=self.schreiben_je_tag,
            kontakt_je_stunde=self.kontakt_je_stunde,
            offene_anfragen_je_netzwerk=self.offene_anfragen_je_netzwerk,
            verweigert_protokoll_je_stunde=self.verweigert_protokoll_je_stunde,
        )


def _tage_oder_nie(minimum: int, warum: str) -> Callable[[int], int]:
    def check(value: int) -> int:
        if value != 0 and value < minimum:
            raise ValueError(f"expected 0 (never delete) or at least {minimum} days ({warum})")
        return value

    return check


class DatenschutzConfig(_Section):
    """Retention periods in days (`om_bot.services.datenschutz.Fristen`); 0 keeps for ever."""

    # Approaches (Parallelansprachen); the warning looks 30 days back.
    ansprachen_tage: Annotated[
        int, AfterValidator(_tage_oder_nie(31, "the Parallelansprache window is 30 days"))
    ] = 365
    # Records of refused attempts in the audit log.
    verweigert_tage: Annotated[int, AfterValidator(_tage_oder_nie(1, "a day at least"))] = 90
    # Records of allowed changes in the audit log (`verlauf`, the history of a request).
    protokoll_tage: Annotated[
        int, AfterValidator(_tage_oder_nie(60, "the weekly info service reads weeks back"))
    ] = 1095
    # Personal data of a rejected contact request, counted from the rejection.
    abgelehnt_tage: Annotated[int, AfterValidator(_tage_oder_nie(1, "a day at least"))] = 90


class LogConfig(_Section):
    """How log lines look (`om_bot.app.logformat`); `om-bot run --log-format` overrides."""

    # "text" (for people), "json" (one object per line) or "logfmt" (key=value).
    format: Literal["text", "json", "logfmt"] = "text"


class HttpConfig(_Section):
    """The optional HTTP server in the process (`om_bot.app.web`): /metrics, /healthz, the
    calendar feeds (`om_bot.app.kalender`)."""

    enabled: bool = False
    bind: str = "127.0.0.1"
    # 0: any free port (tests).
    port: int = Field(default=8080, ge=0, le=65535)
    # Where the server is reached from outside (behind a reverse proxy), for links the bot
    # hands out; empty: none.
    public_url: str = ""

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"'{value}' is not a URL like 'https://bot.example.org'")
        return value.rstrip("/")


class Config(_Section):
    matrix: MatrixConfig
    database: DatabaseConfig = DatabaseConfig()
    bot: BotConfig = BotConfig()
    reminders: RemindersConfig = RemindersConfig()
    termine: TermineConfig = TermineConfig()
    grenzen: GrenzenConfig = GrenzenConfig()
    datenschutz: DatenschutzConfig = DatenschutzConfig()
    log: LogConfig = LogConfig()
    http: HttpConfig = HttpConfig()


def _describe(error: Mapping[str, Any]) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (see config.example.toml for the known keys)"
    elif error["type"] == "missing":
        message = "required key is missing"
    return f"{key}: {message}"


def config_from_mapping(data: Mapping[str, Any], env: Mapping[str, str]) -> Config:
    """Validate a parsed TOML document; secrets from the environment win over the file."""
    merged: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    matrix = merged.setdefault("matrix", {})
    if isinstance(matrix, dict):
        if env.get(PASSWORD_ENV):
            matrix["password"] = env[PASSWORD_ENV]
        if env.get(ACCESS_TOKEN_ENV):
            matrix["access_token"] = env[ACCESS_TOKEN_ENV]
    try:
        return Config.model_validate(merged)
    except ValidationError as exc:
        lines = [_describe(e) for e in exc.errors()]
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None


def load_config(path: Path, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate the TOML file at `path`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read configuration file {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return config_from_mapping(data, os.environ if env is None else env)
