"""What an empty ``m.mentions`` in an answer costs the homeserver (`make bench-mentions`).

    .venv/bin/python benchmarks/mentions.py [--sends N] [--block N] [--json]

One throwaway Synapse; a user sends om-bot's answer to ``!om kriterien`` (text and HTML, as
`durchsatz.om_bot_antwort` computes it) as an ``m.notice`` reply into a room with two other
members, one send after the other, in blocks that alternate between the content without and
with ``"m.mentions": {}``. Per variant: Synapse's CPU seconds (``/proc/<pid>/stat``) per send
and the send's round trip. Synapse 1.163 validates ``m.mentions`` with
``jsonschema.validate``, which checks the schema itself on every call
(``synapse/events/validator.py``); that is the difference this measures
(`om_bot.matrix.inhalte` sends ``m.mentions`` in an answer only where it matters).

Benchmarks report, they don't gate: exit code 0 unless the run itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from typing import Any

from durchsatz import cpu_seconds, om_bot_antwort
from latency import Fixture, environment, fixture, register

from om_bot.matrix.chatclient import ChatClient

VARIANTS = ("ohne m.mentions", "mit leerem m.mentions")


def synapse_pid(fix: Fixture) -> int:
    process = fix.synapse._process  # as in durchsatz.py: its CPU time is what is measured
    assert process is not None
    return process.pid


async def measure(fix: Fixture, args: argparse.Namespace) -> dict[str, Any]:
    inhalt = json.loads(om_bot_antwort(fix, "!om kriterien").read_text("utf8"))
    sender, bot, leser = (register(fix.synapse, n) for n in ("sender", "bot", "leser"))
    clients = []
    for account in (sender, bot, leser):
        client = ChatClient(fix.synapse.url, account.user_id)
        await client.login(account.password)
        clients.append(client)
    mensch, antworter, mitglied = clients
    try:
        room = await mensch.create_room(invite=[bot.user_id, leser.user_id])
        await antworter.join(room)
        await mitglied.join(room)
        befehl = await mensch.send(room, "!om kriterien")
        pid = synapse_pid(fix)
        cpu: dict[str, list[float]] = {v: [] for v in VARIANTS}
        rtt: dict[str, list[float]] = {v: [] for v in VARIANTS}
        content = {
            "msgtype": "m.notice",
            **inhalt,
            "m.relates_to": {"m.in_reply_to": {"event_id": befehl}},
        }
        contents = {VARIANTS[0]: content, VARIANTS[1]: {**content, "m.mentions": {}}}
        # Warm-up, not counted: Synapse's caches and the JIT-free first calls.
        for _ in range(10):
            await antworter.client.room_send(room, "m.room.message", contents[VARIANTS[0]])
        for block in range(2 * args.sends // args.block):
            variant = VARIANTS[block % 2]
            start_cpu = cpu_seconds(pid)
            for _ in range(args.block):
                start = time.perf_counter()
                await antworter.client.room_send(room, "m.room.message", contents[variant])
                rtt[variant].append((time.perf_counter() - start) * 1000)
            cpu[variant].append((cpu_seconds(pid) - start_cpu) / args.block * 1000)
    finally:
        for client in clients:
            await client.close()
    return {
        "environment": environment(),
        "sends_per_variant": args.sends,
        "block": args.block,
        "reply_bytes": len(json.dumps(content).encode("utf8")),
        "synapse_cpu_ms_per_send": {v: round(statistics.median(c), 2) for v, c in cpu.items()},
        "round_trip_ms_p50": {v: round(statistics.median(r), 2) for v, r in rtt.items()},
    }


def report(r: dict[str, Any]) -> str:
    lines = [
        "What an empty m.mentions in an answer costs Synapse",
        "  " + ", ".join(f"{k} {v}" for k, v in r["environment"].items()),
        f"  {r['sends_per_variant']} sends per variant in blocks of {r['block']}, "
        f"answer {r['reply_bytes']} bytes",
    ]
    for v in VARIANTS:
        lines.append(
            f"  {v:24} Synapse CPU {r['synapse_cpu_ms_per_send'][v]:6.2f} ms per send "
            f"(median of blocks), round trip p50 {r['round_trip_ms_p50'][v]:6.2f} ms"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sends", type=int, default=400, help="sends per variant (400)")
    parser.add_argument("--block", type=int, default=50, help="sends per block (50)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    with fixture() as fix:
        result = asyncio.run(measure(fix, args))
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
