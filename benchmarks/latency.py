"""Reply latency of om-bot compared with a bare matrix-nio echo bot on the same homeserver.

    .venv/bin/python benchmarks/latency.py [--rounds N] [--warmup N] [--json]

One run starts a throwaway Synapse (`om_bot.devtools.homeserver.LocalSynapse`), registers three
users
(the measuring client, om-bot, the echo bot), imports ``data/netzwerke.toml`` and starts both
bots as **subprocesses**: om-bot exactly as in production (``python -m om_bot run --config
…``), the echo bot from this very file (``--echo-bot``). Both therefore get their own
interpreter, GIL and event loop; neither competes with the measuring client or with the other
bot for the CPU of one Python process, and om-bot is measured including everything
``om-bot run`` does (logging setup, the sync-token write after every sync, …).

The client (raw nio, same process as this script) owns one room with each bot. Per round it
sends ``/om netzwerke Hamburg`` to both rooms, one after the other, in ABBA order (om-bot first
in even rounds, echo first in odd ones) so drift and order effects cancel. Latency is the time
from calling ``room_send`` until the client's long-polling sync returns the bot's ``m.notice``
whose ``m.in_reply_to`` is the sent event. Warm-up rounds are not counted.

Besides the client-side latency, the homeserver's ``origin_server_ts`` of command and reply
split each sample into legs (ms resolution; Synapse runs on the same host and clock): *to
server* (send → command stamped), *turnaround* (command stamped → reply stamped: sync delivery
to the bot + the bot's work + its send) and *delivery* (reply stamped → seen by the client).

The target is om-bot p50 ≤ 1.2 × echo p50. The result is printed as PASS/MISS; the exit code is
0 either way (benchmarks report, they don't gate) and only non-zero when the run itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import json
import logging
import os
import platform
import secrets
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import nio
import tomli_w

from om_bot.app.runtime import build
from om_bot.config import config_from_mapping
from om_bot.devtools.homeserver import LocalSynapse
from om_bot.services.importer import importiere_datei

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "data" / "netzwerke.toml"
COMMAND = "/om netzwerke Hamburg"
TARGET_RATIO = 1.2
BOTS = ("om-bot", "echo")
REPLY_TIMEOUT = 30.0
JOIN_TIMEOUT = 30.0
# Long polling: a sync returns as soon as there is something new, so the value only bounds how
# long an idle sync hangs; bots and client use the same one.
SYNC_TIMEOUT_MS = 30_000
STOP_GRACE_SECONDS = 10.0
LOG_TAIL_LINES = 30

# The same lean filter for the echo bot and the client as om-bot uses
# (om_bot.matrix.adapter.SYNC_FILTER):
# no presence, typing, receipts or account data, only room timelines and state.
SYNC_FILTER: dict[str, Any] = {
    "presence": {"not_types": ["*"]},
    "account_data": {"not_types": ["*"]},
    "room": {
        "timeline": {"limit": 50},
        "ephemeral": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    },
}

ECHO_ENV = ("BENCH_ECHO_HOMESERVER", "BENCH_ECHO_USER", "BENCH_ECHO_PASSWORD")


class BenchmarkError(RuntimeError):
    """The run itself failed (a bot died, a reply never came, …)."""


def _client_config() -> nio.AsyncClientConfig:
    return nio.AsyncClientConfig(
        max_limit_exceeded=None,
        max_timeouts=None,
        store_sync_tokens=False,
        encryption_enabled=False,
    )


# --- the bare echo bot (runs as `latency.py --echo-bot` in its own process) ---------------


Antworten = Callable[[nio.AsyncClient, str, Any], Awaitable[None]]


async def echo_bot(
    homeserver: str, user_id: str, password: str, antworten: Antworten | None = None
) -> None:
    """Join every invite; answer every m.text of someone else with an m.notice reply
    (`antworten(client, room_id, event)` for each timeline event; `durchsatz.py` passes its
    own)."""
    antworten = antworten or _echo
    client = nio.AsyncClient(homeserver, user_id, config=_client_config())
    login = await client.login(password, device_name="echo-bot")
    if not isinstance(login, nio.LoginResponse):
        raise SystemExit(f"echo bot: login failed: {login}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    since: str | None = None
    try:
        while not stop.is_set():
            sync = asyncio.ensure_future(
                client.sync(
                    timeout=0 if since is None else SYNC_TIMEOUT_MS,
                    since=since,
                    sync_filter=SYNC_FILTER,
                )
            )
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({sync, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not sync.done():
                sync.cancel()
                break
            stopping.cancel()
            response = sync.result()
            if not isinstance(response, nio.SyncResponse):
                await asyncio.sleep(0.5)
                continue
            for room_id in response.rooms.invite:
                await client.join(room_id)
            if since is not None:  # history from before the start is not answered
                for room_id, info in response.rooms.join.items():
                    for event in info.timeline.events:
                        await antworten(client, room_id, event)
            since = response.next_batch
    finally:
        await client.close()


async def _echo(client: nio.AsyncClient, room_id: str, event: Any) -> None:
    if not isinstance(event, nio.RoomMessageText) or event.sender == client.user_id:
        return
    await client.room_send(
        room_id,
        "m.room.message",
        {
            "msgtype": "m.notice",
            "body": event.body,
            "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
        },
    )


def run_echo_bot() -> int:
    try:
        homeserver, user_id, password = (os.environ[name] for name in ECHO_ENV)
    except KeyError as exc:
        print(f"echo bot: environment variable {exc} is not set", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(echo_bot(homeserver, user_id, password))
    return 0


# --- processes and temp dirs -----------------------------------------------------------------


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    def check(self) -> None:
        code = self.process.poll()
        if code is not None:
            raise BenchmarkError(f"{self.name} exited with code {code}:\n{self.tail()}")

    def tail(self) -> str:
        with contextlib.suppress(OSError):
            self.log.flush()
        try:
            lines = self.log_path.read_text(encoding="utf8", errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-LOG_TAIL_LINES:]) or "(empty log)"

    def stop(self) -> None:
        process = self.process
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait()
        self.log.close()


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


@dataclass
class Fixture:
    """Everything a run starts; `close` takes it all down again (also after Ctrl-C)."""

    base: Path
    synapse: LocalSynapse
    children: list[Child] = field(default_factory=list)

    def spawn(self, name: str, argv: list[str], env: dict[str, str]) -> Child:
        log_path = self.base / f"{name}.log"
        log = log_path.open("wb")
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Own process group: Ctrl-C reaches only this script, which then stops the bots.
            start_new_session=True,
        )
        child = Child(name, process, log_path, log)
        self.children.append(child)
        return child

    def close(self) -> None:
        for child in reversed(self.children):
            with contextlib.suppress(Exception):
                child.stop()
        self.synapse.stop()
        shutil.rmtree(self.base, ignore_errors=True)


@contextlib.contextmanager
def fixture(access_log: bool = False) -> Iterator[Fixture]:
    base = Path(tempfile.mkdtemp(prefix="om-bot-bench-"))
    synapse = LocalSynapse(base_dir=base / "synapse", access_log=access_log)
    fix = Fixture(base, synapse)
    try:
        synapse.start()
        yield fix
    finally:
        fix.close()


@dataclass(frozen=True)
class Account:
    user_id: str
    password: str


def register(synapse: LocalSynapse, localpart: str) -> Account:
    password = secrets.token_urlsafe(16)
    return Account(synapse.register_user(localpart, password), password)


def start_om_bot(fix: Fixture, bot: Account, admin: str) -> Child:
    base = fix.base / "om-bot"
    base.mkdir()
    settings: dict[str, dict[str, Any]] = {
        "matrix": {
            "homeserver": fix.synapse.url,
            "user_id": bot.user_id,
            "store_path": str(base / "store"),
            "sync_timeout_ms": SYNC_TIMEOUT_MS,
        },
        "database": {"url": f"sqlite:///{base / 'om-bot.sqlite3'}"},
        "bot": {
            "admins": [admin],
            "allowed_homeservers": [fix.synapse.server_name],
        },
    }
    config_path = base / "config.toml"
    config_path.write_text(tomli_w.dumps(settings), encoding="utf8")
    # Import the sample data (this also migrates the database) before the bot starts.
    app = build(
        config_from_mapping(
            {**settings, "matrix": {**settings["matrix"], "password": bot.password}}, env={}
        )
    )
    try:
        importiere_datei(app.uow, SAMPLE_DATA)
    finally:
        app.engine.dispose()
    return fix.spawn(
        "om-bot",
        [sys.executable, "-m", "om_bot", "run", "--config", str(config_path)],
        {"OM_BOT_MATRIX_PASSWORD": bot.password},
    )


def start_echo_bot(fix: Fixture, echo: Account) -> Child:
    return fix.spawn(
        "echo-bot",
        [sys.executable, str(Path(__file__).resolve()), "--echo-bot"],
        dict(zip(ECHO_ENV, (fix.synapse.url, echo.user_id, echo.password), strict=True)),
    )


# --- the measuring client --------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One command and its reply. The legs compare the client's wall clock with the
    homeserver's ``origin_server_ts`` (ms resolution), which works because Synapse runs on the
    same host; `latency_ms` itself uses the monotonic clock only."""

    latency_ms: float  # room_send call → reply seen by the client's sync
    send_ms: float  # room_send call → the homeserver's response to it
    to_server_ms: float  # room_send call → command stamped by the homeserver
    turnaround_ms: float  # command stamped → reply stamped: the bot's whole share
    delivery_ms: float  # reply stamped → reply seen by the client's sync


@dataclass(frozen=True)
class Arrival:
    perf: float
    wall: float
    reply_ts: int


class Client:
    """Raw nio: sends commands and timestamps the replies when its sync returns them."""

    def __init__(self, homeserver: str, account: Account) -> None:
        self.account = account
        self.nio = nio.AsyncClient(homeserver, account.user_id, config=_client_config())
        self._waiting: dict[str, asyncio.Future[Arrival]] = {}
        self._early: dict[str, Arrival] = {}
        self._since: str | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        login = await self.nio.login(self.account.password, device_name="bench-client")
        if not isinstance(login, nio.LoginResponse):
            raise BenchmarkError(f"client login failed: {login}")
        first = await self.nio.sync(timeout=0, sync_filter=SYNC_FILTER)
        if not isinstance(first, nio.SyncResponse):
            raise BenchmarkError(f"client sync failed: {first}")
        self._since = first.next_batch
        self._task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            response = await self.nio.sync(
                timeout=SYNC_TIMEOUT_MS, since=self._since, sync_filter=SYNC_FILTER
            )
            arrived = time.perf_counter()
            wall = time.time()
            if not isinstance(response, nio.SyncResponse):
                await asyncio.sleep(0.1)
                continue
            self._since = response.next_batch
            for info in response.rooms.join.values():
                for event in info.timeline.events:
                    self._note(event, arrived, wall)

    def _note(self, event: Any, arrived: float, wall: float) -> None:
        if not isinstance(event, nio.RoomMessage) or event.sender == self.account.user_id:
            return
        relates = event.source.get("content", {}).get("m.relates_to") or {}
        source = (relates.get("m.in_reply_to") or {}).get("event_id")
        if not source:
            return
        value = Arrival(arrived, wall, int(event.server_timestamp))
        future = self._waiting.pop(source, None)
        if future is None:
            self._early[source] = value  # arrived before room_send returned
        elif not future.done():
            future.set_result(value)

    async def create_room(self, bot: str, process: Child) -> str:
        response = await self.nio.room_create(invite=[bot])
        if not isinstance(response, nio.RoomCreateResponse):
            raise BenchmarkError(f"room creation failed: {response}")
        room_id = str(response.room_id)
        deadline = time.monotonic() + JOIN_TIMEOUT
        while time.monotonic() < deadline:
            members = await self.nio.joined_members(room_id)
            if bot in {m.user_id for m in getattr(members, "members", [])}:
                return room_id
            process.check()
            await asyncio.sleep(0.05)
        raise BenchmarkError(f"{bot} did not join {room_id} within {JOIN_TIMEOUT:.0f} s")

    async def ask(self, room_id: str, body: str) -> Sample:
        """Send `body` and wait for the reply to it."""
        started = time.perf_counter()
        started_wall = time.time()
        response = await self.nio.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": body}
        )
        sent = time.perf_counter()
        if not isinstance(response, nio.RoomSendResponse):
            raise BenchmarkError(f"sending failed: {response}")
        event_id = str(response.event_id)
        if event_id in self._early:
            arrival = self._early.pop(event_id)
        else:
            future = asyncio.get_running_loop().create_future()
            self._waiting[event_id] = future
            try:
                arrival = await asyncio.wait_for(future, REPLY_TIMEOUT)
            except TimeoutError:
                self._waiting.pop(event_id, None)
                raise BenchmarkError(
                    f"no reply in {room_id} within {REPLY_TIMEOUT:.0f} s"
                ) from None
        command_ts = await self._server_ts(room_id, event_id)
        return Sample(
            latency_ms=(arrival.perf - started) * 1000,
            send_ms=(sent - started) * 1000,
            to_server_ms=command_ts - started_wall * 1000,
            turnaround_ms=float(arrival.reply_ts - command_ts),
            delivery_ms=arrival.wall * 1000 - arrival.reply_ts,
        )

    async def _server_ts(self, room_id: str, event_id: str) -> int:
        response = await self.nio.room_get_event(room_id, event_id)
        if not isinstance(response, nio.RoomGetEventResponse):
            raise BenchmarkError(f"fetching {event_id} failed: {response}")
        return int(response.event.server_timestamp)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self.nio.close()


# --- statistics and output -------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "mean": statistics.fmean(values),
        "min": min(values),
        "max": max(values),
    }


def environment() -> dict[str, str]:
    # LocalSynapse runs Synapse from this interpreter, so the installed version is the one running.
    return {
        "synapse": importlib.metadata.version("matrix-synapse"),
        "matrix-nio": importlib.metadata.version("matrix-nio"),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
        # Other load on the machine skews the bots unequally; worth seeing next to the result.
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def report(result: dict[str, Any]) -> str:
    env = result["environment"]
    lines = [
        "om-bot reply latency vs. a bare matrix-nio echo bot",
        "  environment: Synapse {synapse} (SQLite), matrix-nio {matrix-nio}, Python {python}, "
        "SQLite {sqlite}, {cpus} CPUs, {platform}".format(**env),
        f"  load average at start: {env['loadavg']}",
        f"  {result['rounds']} rounds (+{result['warmup']} warm-up), command "
        f"{result['command']!r}, ABBA order, both bots as subprocesses",
        "",
        f"  latency     {'p50':>9} {'p95':>9} {'mean':>9} {'min':>9} {'max':>9}",
    ]
    for name in BOTS:
        lat = result["latency_ms"][name]
        lines.append(
            f"  {name:10} {lat['p50']:7.1f}ms {lat['p95']:7.1f}ms {lat['mean']:7.1f}ms "
            f"{lat['min']:7.1f}ms {lat['max']:7.1f}ms"
        )
    lines += [
        "",
        f"  ratio om-bot p50 / echo p50: {result['ratio_p50']:.2f}×  "
        f"(target ≤ {result['target_ratio']:.1f}×) {result['verdict']}",
        "",
        "  legs, p50 (homeserver timestamps, ms resolution)",
        f"  {'':10} {'to server':>10} {'turnaround':>11} {'delivery':>9}",
    ]
    for name in BOTS:
        legs = result["legs_p50_ms"][name]
        lines.append(
            f"  {name:10} {legs['to_server']:8.1f}ms {legs['turnaround']:9.1f}ms "
            f"{legs['delivery']:7.1f}ms"
        )
    lines.append(
        "  (to server: send → command stamped; turnaround: command stamped → reply stamped, "
        "the bot's share; delivery: reply stamped → seen by the client's sync)"
    )
    return "\n".join(lines)


# --- the run ---------------------------------------------------------------------------------


async def measure(
    fix: Fixture, client_account: Account, bots: dict[str, tuple[Account, Child]], args: Any
) -> dict[str, list[Sample]]:
    client = Client(fix.synapse.url, client_account)
    try:
        await client.start()
        rooms: dict[str, str] = {}
        for name, (account, child) in bots.items():
            rooms[name] = await client.create_room(account.user_id, child)
        order = list(bots)
        samples: dict[str, list[Sample]] = {name: [] for name in order}
        for round_no in range(args.warmup + args.rounds):
            # ABBA: om-bot first in even rounds, echo first in odd ones.
            for name in order if round_no % 2 == 0 else order[::-1]:
                try:
                    sample = await client.ask(rooms[name], COMMAND)
                except BenchmarkError:
                    bots[name][1].check()  # a dead bot is the better explanation
                    raise
                if round_no >= args.warmup:
                    samples[name].append(sample)
            if not args.json and (round_no + 1) % 10 == 0:
                print(
                    f"  … {round_no + 1}/{args.warmup + args.rounds} rounds",
                    file=sys.stderr,
                    flush=True,
                )
        return samples
    finally:
        await client.close()


def run(args: argparse.Namespace) -> dict[str, Any]:
    with fixture() as fix:
        client = register(fix.synapse, "bench")
        bot = register(fix.synapse, "om-bot")
        echo = register(fix.synapse, "echo")
        env = environment()
        bots = {
            BOTS[0]: (bot, start_om_bot(fix, bot, client.user_id)),
            BOTS[1]: (echo, start_echo_bot(fix, echo)),
        }
        samples = asyncio.run(measure(fix, client, bots, args))
    latency = {n: summary([s.latency_ms for s in v]) for n, v in samples.items()}
    legs = {
        n: {
            leg: percentile([getattr(s, f"{leg}_ms") for s in v], 50)
            for leg in ("send", "to_server", "turnaround", "delivery")
        }
        for n, v in samples.items()
    }
    ratio = latency[BOTS[0]]["p50"] / latency[BOTS[1]]["p50"]
    return {
        "environment": env,
        "command": COMMAND,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "latency_ms": latency,
        "turnaround_ms": {n: summary([s.turnaround_ms for s in v]) for n, v in samples.items()},
        "legs_p50_ms": legs,
        "ratio_p50": ratio,
        "target_ratio": TARGET_RATIO,
        "verdict": "PASS" if ratio <= TARGET_RATIO else "MISS",
        "samples_ms": {n: [round(s.latency_ms, 2) for s in v] for n, v in samples.items()},
    }


def _at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Reply latency of om-bot vs. a bare matrix-nio echo bot (local Synapse)."
    )
    parser.add_argument("--rounds", type=_at_least(1), default=50, help="measured rounds (50)")
    parser.add_argument(
        "--warmup", type=_at_least(0), default=5, help="uncounted warm-up rounds before (5)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--echo-bot", action="store_true", help=argparse.SUPPRESS)
    return parser


def _terminate(signum: int, _frame: Any) -> None:
    # SIGTERM unwinds like Ctrl-C, so the finally blocks stop the bots and Synapse.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.echo_bot:
        return run_echo_bot()
    signal.signal(signal.SIGTERM, _terminate)
    if not args.json:
        print("starting Synapse, om-bot and the echo bot …", file=sys.stderr, flush=True)
    try:
        result = run(args)
    except KeyboardInterrupt:
        print("interrupted; bots and Synapse stopped, temp dir removed", file=sys.stderr)
        return 130
    except BenchmarkError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
