"""Throughput and round trip of om-bot against a bare matrix-nio echo bot, in one run.

    .venv/bin/python benchmarks/durchsatz.py [--rounds N] [--users N] [--commands N]
        [--bursts N] [--command TEXT] [--om-bot-src DIR] [--json]

One run starts a throwaway Synapse (`om_bot.devtools.homeserver.LocalSynapse`, SQLite, rate
limits off), registers an observer, ``--users`` senders (20), om-bot and the echo bot, and starts
both bots as subprocesses: om-bot as in production (``python -m om_bot run``, SQLite, the sample
register imported by ``om-bot import`` first), the echo bot from this file (``--echo-bot``): a
plain nio ``AsyncClient`` long-polling ``/sync`` with om-bot's filter (timeline limit 50, no
presence, ephemeral or account data) that answers every ``m.text`` of someone else with an
``m.notice`` reply carrying the same body. It sends each reply in a task of its own, so like
om-bot's send queue the sync loop never waits for a send: the floor of any nio bot here.

Every sender has one room with each bot, and the observer is in all of them; the observer's
long-polling sync timestamps every reply (by its ``m.in_reply_to``). Two measurements:

* **round trip**: sender 1 sends the command and waits for the reply, ``--rounds`` times per
  bot, ABBA order (om-bot first in even rounds); p50/p95 and the ratio of the p50s.
* **burst**: all senders at once send ``--commands`` commands in total (50 each with 20 users),
  each as fast as its ``room_send`` returns, without waiting for replies. Throughput is the
  number of commands divided by the time from the first send to the last reply seen; per
  command latency p50/p95 too. ``--bursts`` per bot, ABBA order; the ratio uses the medians.

For each bot (and Synapse) the CPU seconds it used during the bursts are read from
``/proc/<pid>/stat`` (where the time goes), and om-bot's peak RSS from ``VmHWM``.

``--echo-antwort gleich`` lets the echo bot answer with om-bot's reply to the command (text and
HTML, worked out in-process before the run) instead of the command's text: the homeserver then
has the same event sizes to persist and deliver for both, which tells the bot's own cost from
the cost of a longer answer.

``--om-bot-src DIR`` runs om-bot (the import and the bot) from another checkout, e.g. a clean
clone of an older commit, with the same interpreter: ``PYTHONPATH=DIR``, cwd ``DIR``.
Benchmarks report, they don't gate: exit code 0 unless the run itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nio
import tomli_w

sys.path.insert(0, str(Path(__file__).resolve().parent))

import zugriffe
from latency import (  # the sibling benchmark (this file runs as a script)
    SYNC_FILTER,
    SYNC_TIMEOUT_MS,
    Account,
    Antworten,
    BenchmarkError,
    Child,
    Fixture,
    _client_config,
    echo_bot,
    environment,
    fixture,
    percentile,
    register,
)

ROOT = Path(__file__).resolve().parent.parent
BOTS = ("om-bot", "echo")
COMMAND = "!om kriterien"
TARGET_LATENCY = 1.10  # om-bot p50 / echo p50, at most
TARGET_THROUGHPUT = 0.9  # om-bot / echo, at least
REPLY_TIMEOUT = 30.0
JOIN_TIMEOUT = 30.0
ECHO_ENV = ("BENCH_ECHO_HOMESERVER", "BENCH_ECHO_USER", "BENCH_ECHO_PASSWORD")
# A JSON file with the content the echo bot answers with (--echo-antwort gleich).
ECHO_INHALT = "BENCH_ECHO_INHALT"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the bare echo bot (runs as `durchsatz.py --echo-bot` in its own process) ----------------


def echo_antworten(inhalt: dict[str, str] | None) -> Antworten:
    """The echo bot's answer to each timeline event (`latency.echo_bot`): every m.text of
    someone else, each send in a task of its own, so the sync loop never waits for one."""
    laufend: set[asyncio.Task[Any]] = set()

    async def antworten(client: nio.AsyncClient, room_id: str, event: Any) -> None:
        if isinstance(event, nio.RoomMessageText) and event.sender != client.user_id:
            task = asyncio.create_task(_echo(client, room_id, event, inhalt))
            laufend.add(task)
            task.add_done_callback(laufend.discard)

    return antworten


async def _echo(
    client: nio.AsyncClient,
    room_id: str,
    event: nio.RoomMessageText,
    inhalt: dict[str, str] | None,
) -> None:
    await client.room_send(
        room_id,
        "m.room.message",
        {
            "msgtype": "m.notice",
            **(inhalt or {"body": event.body}),
            "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
        },
    )


def om_bot_antwort(fix: Fixture, command: str) -> Path:
    """om-bot's reply to `command` (sample register, in-process) as the echo bot's content."""
    from om_bot.app.runtime import build  # noqa: PLC0415  (only for --echo-antwort gleich)
    from om_bot.config import config_from_mapping  # noqa: PLC0415
    from om_bot.services.importer import importiere_datei  # noqa: PLC0415
    from om_bot.text.messages import IncomingMessage  # noqa: PLC0415

    base = fix.base / "antwort"
    settings = {
        "matrix": {"homeserver": "http://127.0.0.1:1", "user_id": "@b:x", "password": "x"}
        | {"store_path": str(base / "store")},
        "database": {"url": f"sqlite:///{base / 'db.sqlite3'}"},
    }
    app = build(config_from_mapping(settings, env={}))
    try:
        importiere_datei(app.uow, ROOT / "data" / "netzwerke.toml")
        nachricht = IncomingMessage("$x", "!r", "@u:x", command, datetime.now(UTC))
        [reply] = app.router.handle(nachricht)
    finally:
        app.engine.dispose()
    datei = base / "antwort.json"
    inhalt = {"body": reply.text, "format": "org.matrix.custom.html", "formatted_body": reply.html}
    datei.write_text(json.dumps(inhalt), "utf8")
    return datei


def run_echo_bot() -> int:
    try:
        homeserver, user_id, password = (os.environ[name] for name in ECHO_ENV)
    except KeyError as exc:
        print(f"echo bot: environment variable {exc} is not set", file=sys.stderr)
        return 2
    datei = os.environ.get(ECHO_INHALT)
    inhalt = json.loads(Path(datei).read_text("utf8")) if datei else None
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(echo_bot(homeserver, user_id, password, echo_antworten(inhalt)))
    return 0


# --- starting the bots -----------------------------------------------------------------------


def start_om_bot(fix: Fixture, bot: Account, admin: str, src: Path) -> Child:
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
        "bot": {"admins": [admin], "allowed_homeservers": [fix.synapse.server_name]},
    }
    config_path = base / "config.toml"
    config_path.write_text(tomli_w.dumps(settings), encoding="utf8")
    env = {**os.environ, "PYTHONPATH": str(src), "OM_BOT_MATRIX_PASSWORD": bot.password}
    # The import (which also migrates) with the code under test, not with this checkout's.
    subprocess.run(
        [
            *(sys.executable, "-m", "om_bot", "import", str(src / "data" / "netzwerke.toml")),
            *("--config", str(config_path)),
        ],
        cwd=src,
        env=env,
        check=True,
        capture_output=True,
    )
    child = fix.spawn(
        "om-bot",
        [sys.executable, "-m", "om_bot", "run", "--config", str(config_path)],
        {"PYTHONPATH": str(src), "OM_BOT_MATRIX_PASSWORD": bot.password},
    )
    return child


def start_echo_bot(fix: Fixture, echo: Account, inhalt: Path | None) -> Child:
    env = dict(zip(ECHO_ENV, (fix.synapse.url, echo.user_id, echo.password), strict=True))
    if inhalt is not None:
        env[ECHO_INHALT] = str(inhalt)
    return fix.spawn("echo-bot", [sys.executable, str(Path(__file__).resolve()), "--echo-bot"], env)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` so far."""
    felder = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(felder[11]) + int(felder[12])) / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float:
    for zeile in Path(f"/proc/{pid}/status").read_text().splitlines():
        if zeile.startswith("VmHWM:"):
            return int(zeile.split()[1]) / 1024
    return float("nan")


# --- the clients -----------------------------------------------------------------------------


class Observer:
    """Member of every room; its long-polling sync timestamps each reply by the command it
    answers (``m.in_reply_to``)."""

    def __init__(self, homeserver: str, account: Account) -> None:
        self.account = account
        self.nio = nio.AsyncClient(homeserver, account.user_id, config=_client_config())
        self.arrivals: dict[str, float] = {}
        # Timelines cut off by the limit (50) while measuring: replies in them may be unseen.
        self.limited = 0
        self.measuring = False
        self._waiting: dict[str, asyncio.Future[float]] = {}
        self._since: str | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        login = await self.nio.login(self.account.password, device_name="observer")
        if not isinstance(login, nio.LoginResponse):
            raise BenchmarkError(f"observer login failed: {login}")
        first = await self.nio.sync(timeout=0, sync_filter=SYNC_FILTER)
        if not isinstance(first, nio.SyncResponse):
            raise BenchmarkError(f"observer sync failed: {first}")
        self._since = first.next_batch
        self._task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            response = await self.nio.sync(
                timeout=SYNC_TIMEOUT_MS, since=self._since, sync_filter=SYNC_FILTER
            )
            arrived = time.perf_counter()
            if not isinstance(response, nio.SyncResponse):
                await asyncio.sleep(0.1)
                continue
            self._since = response.next_batch
            for info in response.rooms.join.values():
                if info.timeline.limited and self.measuring:
                    self.limited += 1
                for event in info.timeline.events:
                    self._note(event, arrived)

    def _note(self, event: Any, arrived: float) -> None:
        if not isinstance(event, nio.RoomMessage):
            return
        relates = event.source.get("content", {}).get("m.relates_to") or {}
        source = (relates.get("m.in_reply_to") or {}).get("event_id")
        if not source or source in self.arrivals:
            return
        self.arrivals[source] = arrived
        future = self._waiting.pop(source, None)
        if future is not None and not future.done():
            future.set_result(arrived)

    async def reply_to(self, event_id: str, timeout: float = REPLY_TIMEOUT) -> float:
        if event_id in self.arrivals:
            return self.arrivals[event_id]
        future = asyncio.get_running_loop().create_future()
        self._waiting[event_id] = future
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self._waiting.pop(event_id, None)
            raise BenchmarkError(f"no reply to {event_id} within {timeout:.0f} s") from None

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self.nio.close()


class Sender:
    """One user with one room per bot; only sends (the observer sees the replies)."""

    def __init__(self, homeserver: str, account: Account) -> None:
        self.account = account
        self.nio = nio.AsyncClient(homeserver, account.user_id, config=_client_config())
        self.rooms: dict[str, str] = {}

    async def start(self) -> None:
        login = await self.nio.login(self.account.password, device_name="sender")
        if not isinstance(login, nio.LoginResponse):
            raise BenchmarkError(f"sender login failed: {login}")

    async def send(self, room_id: str, body: str) -> str:
        response = await self.nio.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": body}
        )
        if not isinstance(response, nio.RoomSendResponse):
            raise BenchmarkError(f"sending failed: {response}")
        return str(response.event_id)


async def _members(client: nio.AsyncClient, room_id: str) -> set[str]:
    response = await client.joined_members(room_id)
    return {m.user_id for m in getattr(response, "members", [])}


async def open_room(sender: Sender, observer: Observer, bot: str, process: Child) -> str:
    response = await sender.nio.room_create(invite=[bot, observer.account.user_id])
    if not isinstance(response, nio.RoomCreateResponse):
        raise BenchmarkError(f"room creation failed: {response}")
    room_id = str(response.room_id)
    joined = await observer.nio.join(room_id)
    if not isinstance(joined, nio.JoinResponse):
        raise BenchmarkError(f"observer could not join {room_id}: {joined}")
    deadline = time.monotonic() + JOIN_TIMEOUT
    while time.monotonic() < deadline:
        if bot in await _members(sender.nio, room_id):
            return room_id
        process.check()
        await asyncio.sleep(0.05)
    raise BenchmarkError(f"{bot} did not join {room_id} within {JOIN_TIMEOUT:.0f} s")


# --- the measurements ------------------------------------------------------------------------


@dataclass(frozen=True)
class Burst:
    bot: str
    commands: int
    seconds: float  # first send → last reply seen
    send_seconds: float  # first send → last room_send returned
    latencies_ms: list[float]
    cpu: dict[str, float]  # CPU seconds during the burst, per process
    von: float  # Unix time of the first send and of the last reply seen (--synapse-zugriffe)
    bis: float

    @property
    def throughput(self) -> float:
        return self.commands / self.seconds


async def round_trip(observer: Observer, sender: Sender, bot: str, command: str) -> float:
    started = time.perf_counter()
    event_id = await sender.send(sender.rooms[bot], command)
    return (await observer.reply_to(event_id) - started) * 1000


async def burst(
    observer: Observer,
    senders: Sequence[Sender],
    *,
    bot: str,
    commands: int,
    command: str,
    pids: dict[str, int],
) -> Burst:
    quota = [commands // len(senders) + (i < commands % len(senders)) for i in range(len(senders))]
    sent: list[tuple[str, float]] = []

    async def one(sender: Sender, n: int) -> None:
        for _ in range(n):
            t = time.perf_counter()
            sent.append((await sender.send(sender.rooms[bot], command), t))

    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    von = time.time()
    started = time.perf_counter()
    await asyncio.gather(*(one(s, n) for s, n in zip(senders, quota, strict=True)))
    send_done = time.perf_counter()
    arrivals = await asyncio.gather(*(observer.reply_to(e, 120.0) for e, _ in sent))
    cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
    return Burst(
        bot=bot,
        commands=len(sent),
        seconds=max(arrivals) - started,
        send_seconds=send_done - started,
        latencies_ms=[(a - t) * 1000 for a, (_, t) in zip(arrivals, sent, strict=True)],
        cpu=cpu,
        von=von,
        bis=von + max(arrivals) - started,
    )


async def measure(
    fix: Fixture,
    observer_account: Account,
    sender_accounts: Sequence[Account],
    bots: dict[str, tuple[Account, Child]],
    args: argparse.Namespace,
) -> dict[str, Any]:
    observer = Observer(fix.synapse.url, observer_account)
    senders = [Sender(fix.synapse.url, a) for a in sender_accounts]
    pids = {name: child.process.pid for name, (_, child) in bots.items()}
    synapse = fix.synapse._process  # its CPU time is part of the picture
    if synapse is not None:
        pids["synapse"] = synapse.pid
    pids["client"] = os.getpid()  # the senders and the observer (this process)
    try:
        await observer.start()
        for sender in senders:
            await sender.start()
            for name, (account, child) in bots.items():
                sender.rooms[name] = await open_room(sender, observer, account.user_id, child)
        _progress(args, f"{len(senders) * len(bots)} rooms ready")
        observer.measuring = True
        order = list(bots)
        latencies: dict[str, list[float]] = {name: [] for name in order}
        for round_no in range(args.warmup + args.rounds):
            for name in order if round_no % 2 == 0 else order[::-1]:
                sample = await _checked(round_trip(observer, senders[0], name, args.command), bots)
                if round_no >= args.warmup:
                    latencies[name].append(sample)
        _progress(args, f"{args.rounds} round trips per bot done")
        bursts: dict[str, list[Burst]] = {name: [] for name in order}
        for burst_no in range(args.bursts):
            for name in order if burst_no % 2 == 0 else order[::-1]:
                b = await _checked(
                    burst(
                        observer,
                        senders,
                        bot=name,
                        commands=args.commands,
                        command=args.command,
                        pids=pids,
                    ),
                    bots,
                )
                bursts[name].append(b)
                _progress(args, f"burst {name}: {b.throughput:.1f} commands/s")
                await asyncio.sleep(1.0)  # let the homeserver settle between bursts
        rss = {name: peak_rss_mb(pid) for name, pid in pids.items() if name in bots}
        return {
            "latencies": latencies,
            "bursts": bursts,
            "peak_rss_mb": rss,
            "limited": observer.limited,
        }
    finally:
        await observer.close()
        for sender in senders:
            await sender.nio.close()


async def _checked(arbeit: Any, bots: dict[str, tuple[Account, Child]]) -> Any:
    try:
        return await arbeit
    except BenchmarkError:
        for _, child in bots.values():
            child.check()  # a dead bot is the better explanation
        raise


def _progress(args: argparse.Namespace, text: str) -> None:
    if not args.json:
        print(f"  … {text}", file=sys.stderr, flush=True)


def _summary(values: list[float]) -> dict[str, float]:
    return {"p50": percentile(values, 50), "p95": percentile(values, 95), "max": max(values)}


def synapse_zugriffe(
    fix: Fixture, namen: dict[str, str], bursts: dict[str, list[Burst]]
) -> dict[str, list[dict[str, Any]]]:
    """Per burst: Synapse's CPU in requests by requester and endpoint (`zugriffe`)."""

    def kurz(wer: str) -> str:
        return namen.get(wer, "nutzer*" if wer.startswith("@nutzer") else wer)

    alle = zugriffe.lesen(fix.synapse.log_path, kurz)
    return {
        bot: [
            {
                "commands": b.commands,
                "zeilen": [
                    {"wer": wer, "endpunkt": ep, "anzahl": s.anzahl, "cpu_s": round(s.cpu_s, 3)}
                    for (wer, ep), s in sorted(
                        zugriffe.summen(alle, b.von, b.bis + 1).items(), key=lambda kv: -kv[1].cpu_s
                    )
                ],
            }
            for b in v
        ]
        for bot, v in bursts.items()
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    with fixture(access_log=args.synapse_zugriffe) as fix:
        observer = register(fix.synapse, "observer")
        senders = [register(fix.synapse, f"nutzer{i}") for i in range(1, args.users + 1)]
        bot = register(fix.synapse, "om-bot")
        echo = register(fix.synapse, "echo")
        env = environment()
        inhalt = om_bot_antwort(fix, args.command) if args.echo_antwort == "gleich" else None
        bots = {
            BOTS[0]: (bot, start_om_bot(fix, bot, observer.user_id, args.om_bot_src)),
            BOTS[1]: (echo, start_echo_bot(fix, echo, inhalt)),
        }
        raw = asyncio.run(measure(fix, observer, senders, bots, args))
        if args.synapse_zugriffe:
            namen = {observer.user_id: "observer", bot.user_id: "om-bot", echo.user_id: "echo"}
            raw["zugriffe"] = synapse_zugriffe(fix, namen, raw["bursts"])
    lat = {n: _summary(v) for n, v in raw["latencies"].items()}
    bursts: dict[str, list[Burst]] = raw["bursts"]
    durchsatz = {n: statistics.median(b.throughput for b in v) for n, v in bursts.items()}
    ratio_lat = lat[BOTS[0]]["p50"] / lat[BOTS[1]]["p50"]
    ratio_tp = durchsatz[BOTS[0]] / durchsatz[BOTS[1]]
    return {
        "environment": env,
        "om_bot_src": str(args.om_bot_src),
        "command": args.command,
        "echo_antwort": args.echo_antwort,
        "rounds": args.rounds,
        "users": args.users,
        "commands": args.commands,
        "round_trip_ms": lat,
        "ratio_round_trip_p50": ratio_lat,
        "target_round_trip": TARGET_LATENCY,
        "throughput": {
            n: {
                "median_per_s": durchsatz[n],
                "runs_per_s": [round(b.throughput, 1) for b in v],
                "send_phase_s": [round(b.send_seconds, 2) for b in v],
                "latency_ms": _summary([x for b in v for x in b.latencies_ms]),
                "cpu_s_per_burst": {
                    p: round(statistics.median(b.cpu[p] for b in v), 2) for p in v[0].cpu
                },
            }
            for n, v in bursts.items()
        },
        "ratio_throughput": ratio_tp,
        "target_throughput": TARGET_THROUGHPUT,
        "peak_rss_mb": raw["peak_rss_mb"],
        "observer_limited_timelines": raw["limited"],
        "synapse_zugriffe": raw.get("zugriffe"),
        "verdict": {
            "round_trip": "PASS" if ratio_lat <= TARGET_LATENCY else "MISS",
            "throughput": "PASS" if ratio_tp >= TARGET_THROUGHPUT else "MISS",
        },
    }


def report(r: dict[str, Any]) -> str:
    env = r["environment"]
    lines = [
        "om-bot vs. a bare matrix-nio echo bot: round trip and burst throughput",
        "  environment: Synapse {synapse} (SQLite), matrix-nio {matrix-nio}, Python {python}, "
        "{cpus} CPUs; load average at start {loadavg}".format(**env),
        f"  om-bot from {r['om_bot_src']}; command {r['command']!r}; "
        f"echo answers with {'om-bot’s reply' if r['echo_antwort'] == 'gleich' else 'the text'}",
        "",
        f"  round trip ({r['rounds']} per bot, ABBA)   p50       p95       max",
    ]
    for n in BOTS:
        x = r["round_trip_ms"][n]
        lines.append(f"  {n:10} {x['p50']:22.1f}ms {x['p95']:7.1f}ms {x['max']:7.1f}ms")
    lines += [
        f"  ratio p50: {r['ratio_round_trip_p50']:.2f}× (target ≤ {r['target_round_trip']:.2f}×) "
        f"{r['verdict']['round_trip']}",
        "",
        f"  burst ({r['users']} users, {r['commands']} commands)  median/s  runs/s"
        "            latency p50/p95   CPU s per burst",
    ]
    for n in BOTS:
        t = r["throughput"][n]
        runs = ", ".join(f"{v:.1f}" for v in t["runs_per_s"])
        cpu = " ".join(f"{p} {s:.1f}" for p, s in t["cpu_s_per_burst"].items())
        lines.append(
            f"  {n:10} {t['median_per_s']:24.1f} [{runs}]  "
            f"{t['latency_ms']['p50']:6.0f}/{t['latency_ms']['p95']:.0f} ms   {cpu}"
        )
    lines += [
        f"  ratio: {r['ratio_throughput']:.2f}× (target ≥ {r['target_throughput']:.2f}×) "
        f"{r['verdict']['throughput']}",
        "",
        "  peak RSS: " + ", ".join(f"{n} {mb:.0f} MB" for n, mb in r["peak_rss_mb"].items()),
    ]
    for bot, liste in (r["synapse_zugriffe"] or {}).items():
        for i, burst_ in enumerate(liste, 1):
            summe = {
                (z["wer"], z["endpunkt"]): zugriffe.Summe(z["anzahl"], z["cpu_s"])
                for z in burst_["zeilen"]
            }
            lines += [f"  Synapse requests in {bot}'s burst {i}:"]
            lines += zugriffe.tabelle(summe, burst_["commands"])
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=50, help="round trips per bot (50)")
    parser.add_argument("--warmup", type=int, default=5, help="uncounted round trips (5)")
    parser.add_argument("--users", type=int, default=20, help="senders in a burst (20)")
    parser.add_argument("--commands", type=int, default=1000, help="commands per burst (1000)")
    parser.add_argument("--bursts", type=int, default=2, help="bursts per bot, ABBA (2)")
    parser.add_argument("--command", default=COMMAND, help=f"the command ({COMMAND!r})")
    parser.add_argument(
        "--echo-antwort",
        choices=("kurz", "gleich"),
        default="kurz",
        help="the echo bot answers with the command's text (kurz) or om-bot's reply (gleich)",
    )
    parser.add_argument(
        "--om-bot-src", type=Path, default=ROOT, help="checkout om-bot runs from (this one)"
    )
    parser.add_argument(
        "--synapse-zugriffe",
        action="store_true",
        help="Synapse's access log on: its CPU per requester and endpoint in each burst",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--echo-bot", action="store_true", help=argparse.SUPPRESS)
    return parser


def _terminate(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt  # unwinds like Ctrl-C: the bots and Synapse are stopped


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.echo_bot:
        return run_echo_bot()
    args.om_bot_src = args.om_bot_src.resolve()
    signal.signal(signal.SIGTERM, _terminate)
    _progress(args, "starting Synapse, om-bot and the echo bot")
    try:
        result = run(args)
    except KeyboardInterrupt:
        print("interrupted; bots and Synapse stopped, temp dir removed", file=sys.stderr)
        return 130
    except (BenchmarkError, subprocess.CalledProcessError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
