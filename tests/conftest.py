"""Shared fixtures: databases built through the migrations, a real Synapse, a running bot.

Storage tests take the `db_url` fixture and run once on SQLite and once on PostgreSQL when
`OM_BOT_TEST_POSTGRES_URL` is set (`.ci/run` sets it); otherwise the PostgreSQL run is skipped
with a reason that shows in the test summary.

The SQLite schema is built through the migrations once per session into a template file
(`leere_vorlage`; `beispiel_vorlage` also holds the sample register) that each test copies;
`migrate()` on a copy finds nothing to do. Command tests take `neue_welt` (`tests/chat.py`): the
router as `runtime.build` composes it, on a fake clock, on such a copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from om_bot.app.runtime import App, build, run_bot
from om_bot.config import Config, config_from_mapping
from om_bot.devtools.homeserver import LocalSynapse
from om_bot.domain.grenzwerte import Grenzwerte
from om_bot.matrix.chatclient import ChatClient
from om_bot.services.erinnerungsquellen import Planung
from om_bot.services.importer import importiere_datei
from om_bot.storage.db import make_engine, migrate
from om_bot.storage.uow import UnitOfWork, uow_factory
from tests.chat import GS, GS_RAUM, START, Welt, baue_welt, welt_config
from tests.uhr import FakeClock

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "data" / "netzwerke.toml"
POSTGRES_ENV = "OM_BOT_TEST_POSTGRES_URL"


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _vorlage(datei: Path, beispiel: bool) -> Path:
    """A SQLite file migrated to the newest schema (with the sample register if `beispiel`),
    self-contained (no WAL file beside it), to be copied per test."""
    engine = make_engine(f"sqlite:///{datei}")
    migrate(engine)
    if beispiel:
        importiere_datei(uow_factory(engine), SAMPLE_DATA)
    engine.dispose()
    with contextlib.closing(sqlite3.connect(datei)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    return datei


@pytest.fixture(scope="session")
def leere_vorlage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _vorlage(tmp_path_factory.mktemp("vorlage") / "leer.sqlite3", beispiel=False)


@pytest.fixture(scope="session")
def beispiel_vorlage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _vorlage(tmp_path_factory.mktemp("vorlage") / "beispiel.sqlite3", beispiel=True)


def sqlite_kopie(vorlage: Path, ziel: Path) -> str:
    """The URL of a fresh copy of `vorlage` at `ziel`."""
    ziel.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(vorlage, ziel)
    return f"sqlite:///{ziel}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        leer: Path = request.getfixturevalue("leere_vorlage")
        return sqlite_kopie(leer, tmp_path / "test.sqlite3")
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"PostgreSQL run skipped: {POSTGRES_ENV} is not set")
    _reset_postgres(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine: Engine) -> Callable[[], UnitOfWork]:
    return uow_factory(engine)


@pytest.fixture
def sample_uow(uow: Callable[[], UnitOfWork]) -> Callable[[], UnitOfWork]:
    importiere_datei(uow, SAMPLE_DATA)
    return uow


# --- the in-process chat world ------------------------------------------------------------


@pytest.fixture
def neue_welt(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., Welt]]:
    """Make a `tests.chat.Welt`: the bot's router on a fake clock starting at `jetzt`.

    Without `db_url` it runs on a copy of the SQLite template (with the sample register unless
    `beispiel=False`); with one (e.g. the `db_url` fixture's PostgreSQL) it migrates and imports
    there. `bot`, `termine` and `grenzen` go into the configuration (`tests.chat.welt_config`);
    `planung` replaces the reminder planning; `wer` and `wo` speak in `welt(body)`.
    """
    welten: list[Welt] = []

    def factory(
        *,
        db_url: str | None = None,
        beispiel: bool = True,
        jetzt: datetime = START,
        bot: dict[str, Any] | None = None,
        termine: dict[str, Any] | None = None,
        grenzen: Grenzwerte | None = None,
        planung: Planung | None = None,
        wer: str = GS,
        wo: str = GS_RAUM,
    ) -> Welt:
        importieren = beispiel and db_url is not None
        if db_url is None:
            vorlage = "beispiel_vorlage" if beispiel else "leere_vorlage"
            ziel = tmp_path / f"welt{len(welten)}.sqlite3"
            db_url = sqlite_kopie(request.getfixturevalue(vorlage), ziel)
        config = welt_config(db_url, bot=bot, termine=termine, grenzen=grenzen)
        welt = baue_welt(config, FakeClock(jetzt), planung, wer=wer, wo=wo)
        welten.append(welt)
        if importieren:
            importiere_datei(welt.uow, SAMPLE_DATA)
        return welt

    yield factory
    for welt in welten:
        welt.app.engine.dispose()


# --- Matrix ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def synapse() -> Iterator[LocalSynapse]:
    with LocalSynapse() as server:
        yield server


@dataclass
class User:
    user_id: str
    password: str


@dataclass
class Users:
    synapse: LocalSynapse
    created: dict[str, User] = field(default_factory=dict)

    def get(self, name: str) -> User:
        if name not in self.created:
            password = secrets.token_urlsafe(12)
            user_id = self.synapse.register_user(name, password)
            self.created[name] = User(user_id, password)
        return self.created[name]


@pytest.fixture(scope="session")
def users(synapse: LocalSynapse) -> Users:
    return Users(synapse)


@dataclass
class BotHarness:
    """A bot running against the session's Synapse, restartable like a real deployment."""

    synapse: LocalSynapse
    config: Config
    # The bot's clock (commands and reminder scheduler); kept across restarts. None: the wall
    # clock.
    clock: FakeClock | None = None
    app: App | None = None
    task: asyncio.Task[None] | None = None
    stop_event: asyncio.Event | None = None

    @property
    def user_id(self) -> str:
        return self.config.matrix.user_id

    async def start(self) -> None:
        if self.clock is None:
            self.app = build(self.config)
        else:
            self.app = build(self.config, clock=self.clock, schlafen=self.clock.sleep)
        self.stop_event = asyncio.Event()
        self.task = asyncio.create_task(run_bot(self.app, self.stop_event))

    async def stop(self) -> None:
        if self.task is not None and self.stop_event is not None:
            self.stop_event.set()
            await asyncio.wait_for(self.task, 30)
            self.task = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()


def bot_config(synapse: LocalSynapse, tmp: Path, bot_id: str, password: str, **bot: Any) -> Config:
    return config_from_mapping(
        {
            "matrix": {
                "homeserver": synapse.url,
                "user_id": bot_id,
                "password": password,
                "store_path": str(tmp / "store"),
                "sync_timeout_ms": 2000,
            },
            "database": {"url": f"sqlite:///{tmp / 'bot.sqlite3'}"},
            "bot": {"allowed_homeservers": [synapse.server_name], **bot},
        },
        env={},
    )


def bot_database(config: Config, vorlage: Path) -> None:
    """Give the bot of `config` (a SQLite file, `bot_config`) a copy of the template."""
    sqlite_kopie(vorlage, Path(config.database.url.removeprefix("sqlite:///")))


@pytest.fixture
async def make_bot(
    synapse: LocalSynapse, users: Users, tmp_path: Path, beispiel_vorlage: Path
) -> AsyncIterator[Callable[..., Any]]:
    """Start a bot with its own user and database (a copy of the sample register unless
    `import_sample=False`), on `clock` if given; other keyword args go into [bot]."""
    harnesses: list[BotHarness] = []

    async def factory(
        import_sample: bool = True, clock: FakeClock | None = None, **bot: Any
    ) -> BotHarness:
        name = f"bot{secrets.token_hex(4)}"
        account = users.get(name)
        tmp = tmp_path / name
        tmp.mkdir()
        harness = BotHarness(
            synapse, bot_config(synapse, tmp, account.user_id, account.password, **bot), clock
        )
        if import_sample:
            bot_database(harness.config, beispiel_vorlage)
        await harness.start()
        harnesses.append(harness)
        return harness

    yield factory
    for harness in harnesses:
        with contextlib.suppress(Exception):
            await harness.stop()


@pytest.fixture
async def chat(
    synapse: LocalSynapse, users: Users, tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    """Log in a human user (by name) with a listening `ChatClient`; `encrypted=True` gives it
    its own crypto store, like Element (docs/verschluesselung.md)."""
    clients: list[ChatClient] = []

    async def factory(name: str, encrypted: bool = False) -> ChatClient:
        user = users.get(name)
        store = tmp_path / "e2e" / name if encrypted else None
        client = ChatClient(synapse.url, user.user_id, store_path=store)
        await client.login(user.password)
        await client.start()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.close()


async def room_with_bot(client: ChatClient, bot: BotHarness, direct: bool = False) -> str:
    """A new room of `client` that the bot has joined."""
    room_id = await client.create_room(invite=[bot.user_id], direct=direct)
    for _ in range(300):
        if bot.user_id in await client.joined_members(room_id):
            return room_id
        await asyncio.sleep(0.05)
    raise AssertionError("the bot did not join")


async def ask(client: ChatClient, room_id: str, body: str, timeout: float = 15) -> Any:
    """Send `body` and return the bot's answer to it (other messages in the room are skipped)."""
    event_id = await client.send(room_id, body)
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        answer = await client.next_message(max(remaining, 0.01), room_id)
        if answer.in_reply_to == event_id:
            return answer
