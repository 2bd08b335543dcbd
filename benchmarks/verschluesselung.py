"""What encryption costs: round trip in an encrypted vs. a plain room, the crypto store's size
after 1,000 messages, and the bot's start time with that store.

    .venv/bin/python benchmarks/verschluesselung.py [--rounds N] [--warmup N] [--messages N]
                                                    [--json]

One run starts a throwaway Synapse and om-bot as a subprocess exactly as in production
(``python -m om_bot run``, `latency.start_om_bot`). The measuring user is an
`om_bot.matrix.chatclient.ChatClient` with its own crypto store (as Element would be), in one
plain and one encrypted room with the bot.

1. **Round trip**, same run, ABBA order (plain first in even rounds): from sending
   ``/om netzwerke Hamburg`` until the client has the bot's answer (decrypted, in the encrypted
   room). The client prepares the encrypted room once (members, device keys) and then measures
   the send alone, so both rooms time the same work apart from the encryption.
2. **Store size**: the bot's ``store_path`` (SQLite crypto store and trust files) before and
   after ``--messages`` more encrypted messages through the bot: commands the bot decrypts and
   answers (so half of them the bot's own encrypted answers), sent in batches of 20; both sides
   rotate their Megolm sessions every 100 messages (nio's default, as Element).
3. **Start time**: the bot is stopped (SIGTERM) and started again with that store: from spawning
   the process until the log says the crypto store is loaded, and until the answer to a command
   sent in the encrypted room at spawn time arrives.

Benchmarks report, they don't gate: exit code 0 unless the run itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from latency import (
    Account,
    BenchmarkError,
    Child,
    Fixture,
    environment,
    fixture,
    register,
    start_om_bot,
    summary,
)

from om_bot.matrix.chatclient import ChatClient

COMMAND = "/om netzwerke Hamburg"
KINDS = ("plain", "encrypted")
BATCH = 20
STORE_LOADED = "crypto store of device"


def store_bytes(store: Path) -> int:
    """Bytes of the crypto store (credentials.json is not part of it)."""
    return sum(
        p.stat().st_size for p in store.iterdir() if p.is_file() and p.name != "credentials.json"
    )


async def room_with(client: ChatClient, bot: Account, child: Child, encrypted: bool) -> str:
    room = await client.create_room(invite=[bot.user_id], encrypted=encrypted)
    for _ in range(600):
        if bot.user_id in await client.joined_members(room):
            if encrypted:
                await client.prepare_encryption(room)
            return room
        child.check()
        await asyncio.sleep(0.05)
    raise BenchmarkError("the bot did not join")


async def ask(client: ChatClient, room: str, body: str, prepare: bool, timeout: float) -> float:
    """Round trip in ms: send `body` until the bot's answer to it is in."""
    start = time.perf_counter()
    event_id = await client.send(room, body, prepare=prepare)
    deadline = time.perf_counter() + timeout
    while True:
        message = await client.next_message(max(deadline - time.perf_counter(), 0.01), room)
        if message.in_reply_to == event_id:
            if not message.content.get("body"):
                raise BenchmarkError("empty answer")
            return (time.perf_counter() - start) * 1000


async def answers(client: ChatClient, room: str, ids: set[str], timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while ids:
        message = await client.next_message(max(deadline - time.perf_counter(), 0.01), room)
        ids.discard(message.in_reply_to or "")


async def wait_for_log(child: Child, text: str, start: float, timeout: float = 120) -> float:
    while time.perf_counter() - start < timeout:
        child.check()
        if text in child.log_path.read_text(encoding="utf8", errors="replace"):
            return (time.perf_counter() - start) * 1000
        await asyncio.sleep(0.01)
    raise BenchmarkError(f"{text!r} not in the bot's log after {timeout} s")


async def measure(fix: Fixture, args: argparse.Namespace) -> dict[str, Any]:
    user = register(fix.synapse, "bench")
    bot = register(fix.synapse, "om-bot")
    child = start_om_bot(fix, bot, user.user_id)
    client = ChatClient(fix.synapse.url, user.user_id, store_path=fix.base / "client-store")
    try:
        await client.login(user.password)
        await client.start()
        rooms = {k: await room_with(client, bot, child, k == "encrypted") for k in KINDS}

        # 1. round trips, ABBA
        samples: dict[str, list[float]] = {k: [] for k in KINDS}
        for n in range(args.warmup + args.rounds):
            for kind in KINDS if n % 2 == 0 else KINDS[::-1]:
                ms = await ask(client, rooms[kind], COMMAND, prepare=False, timeout=30)
                if n >= args.warmup:
                    samples[kind].append(ms)

        # 2. store size after --messages more encrypted messages (commands + answers)
        store = fix.base / "om-bot" / "store"
        before = store_bytes(store)
        sent = 0
        start = time.perf_counter()
        while sent < args.messages:
            ids = set()
            for _ in range(min(BATCH, (args.messages - sent) // 2 or 1)):
                ids.add(await client.send(rooms["encrypted"], COMMAND, prepare=False))
            sent += 2 * len(ids)
            await answers(client, rooms["encrypted"], ids, 120)
            if not args.json and sent % 200 == 0:
                print(f"  … {sent}/{args.messages} messages", file=sys.stderr, flush=True)
        fill_seconds = time.perf_counter() - start
        after = store_bytes(store)

        # 3. restart with that store
        child.stop()
        fix.children.remove(child)
        spawn = time.perf_counter()
        child = fix.spawn(
            "om-bot-2",
            [sys.executable, "-m", "om_bot", "run", "--config", str(store.parent / "config.toml")],
            {"OM_BOT_MATRIX_PASSWORD": bot.password},
        )
        event_id = await client.send(rooms["encrypted"], COMMAND, prepare=False)
        loaded_ms = await wait_for_log(child, STORE_LOADED, spawn)
        deadline = time.perf_counter() + 120
        while True:
            message = await client.next_message(max(deadline - time.perf_counter(), 0.01))
            if message.in_reply_to == event_id:
                first_answer_ms = (time.perf_counter() - spawn) * 1000
                break
        return {
            "latency_ms": {k: summary(v) for k, v in samples.items()},
            "ratio_p50": summary(samples["encrypted"])["p50"] / summary(samples["plain"])["p50"],
            "store": {
                "messages": sent,
                "bytes_before": before,
                "bytes_after": after,
                "bytes_per_message": (after - before) / max(sent, 1),
                "fill_seconds": fill_seconds,
            },
            "restart_ms": {"store_loaded": loaded_ms, "first_answer": first_answer_ms},
            "samples_ms": {k: [round(x, 2) for x in v] for k, v in samples.items()},
        }
    finally:
        await client.close()


def report(result: dict[str, Any]) -> str:
    env = result["environment"]
    lines = [
        "om-bot: encrypted vs. plain room, crypto store size, start time",
        "  environment: Synapse {synapse} (SQLite), matrix-nio {matrix-nio}, Python {python}, "
        "{cpus} CPUs; load average at start {loadavg}".format(**env),
        f"  {result['rounds']} rounds (+{result['warmup']} warm-up) of {COMMAND!r}, ABBA",
        "",
        f"  round trip  {'p50':>9} {'p95':>9} {'mean':>9} {'min':>9} {'max':>9}",
    ]
    for kind in KINDS:
        lat = result["latency_ms"][kind]
        lines.append(
            f"  {kind:10} {lat['p50']:7.1f}ms {lat['p95']:7.1f}ms {lat['mean']:7.1f}ms "
            f"{lat['min']:7.1f}ms {lat['max']:7.1f}ms"
        )
    store = result["store"]
    restart = result["restart_ms"]
    lines += [
        f"  ratio encrypted p50 / plain p50: {result['ratio_p50']:.2f}×",
        "",
        f"  crypto store: {store['bytes_before'] / 1024:.0f} KiB → "
        f"{store['bytes_after'] / 1024:.0f} KiB after {store['messages']} more encrypted "
        f"messages ({store['bytes_per_message']:.0f} bytes per message; "
        f"filled in {store['fill_seconds']:.0f} s)",
        f"  restart with that store: store loaded after {restart['store_loaded']:.0f} ms, "
        f"first encrypted answer after {restart['first_answer']:.0f} ms (from spawning "
        "the process)",
    ]
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # nio's own warnings (e.g. "Missing session" before each first key claim) are its chatter.
    logging.getLogger("nio").setLevel(logging.ERROR)
    env = environment()
    try:
        with fixture() as fix:
            result = asyncio.run(measure(fix, args))
    except BenchmarkError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    result = {"environment": env, "rounds": args.rounds, "warmup": args.warmup, **result}
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
