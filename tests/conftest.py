"""Shared fixtures: databases built through the migrations, a real Synapse, a running bot.

Storage tests take the `db_url` fixture and run once on SQLite and once on PostgreSQL when
`OM_BOT_TEST_POSTGRES_URL` is set (`.ci/run` sets it); otherwise the PostgreSQL run is skipped
with a reason that shows in the test summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from om_bot.app.runtime import App, build, run_bot
from om_bot.config import Config, config_from_mapping
from om_bot.devtools.homeserver import LocalSynapse
from om_bot.matrix.chatclient import ChatClient
from om_bot.services.importer import importiere_datei
from om_bot.storage.db import make_engine, migrate
from om_bot.storage.uow import UnitOfWork, uow_factory

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "data" / "netzwerke.toml"
POSTGRES_ENV = "OM_BOT_TEST_POSTGRES_URL"


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
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
    app: App | None = None
    task: asyncio.Task[None] | None = None
    stop_event: asyncio.Event | None = None

    @property
    def user_id(self) -> str:
        return self.config.matrix.user_id

    async def start(self) -> None:
        self.app = build(self.config)
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


@pytest.fixture
async def make_bot(
    synapse: LocalSynapse, users: Users, tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    """Start a bot with its own user and database; keyword args go into [bot]."""
    harnesses: list[BotHarness] = []

    async def factory(import_sample: bool = True, **bot: Any) -> BotHarness:
        name = f"bot{secrets.token_hex(4)}"
        account = users.get(name)
        tmp = tmp_path / name
        tmp.mkdir()
        harness = BotHarness(
            synapse, bot_config(synapse, tmp, account.user_id, account.password, **bot)
        )
        if import_sample:
            importiere_datei(build(harness.config).uow, SAMPLE_DATA)
        await harness.start()
        harnesses.append(harness)
        return harness

    yield factory
    for harness in harnesses:
        with contextlib.suppress(Exception):
            await harness.stop()


@pytest.fixture
async def chat(synapse: LocalSynapse, users: Users) -> AsyncIterator[Callable[..., Any]]:
    """Log in a human user (by name) with a listening `ChatClient`."""
    clients: list[ChatClient] = []

    async def factory(name: str) -> ChatClient:
        user = users.get(name)
        client = ChatClient(synapse.url, user.user_id)
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
