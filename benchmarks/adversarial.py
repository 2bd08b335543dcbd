"""Worst bot time per message over a generated set of adversarial command texts.

    .venv/bin/python benchmarks/adversarial.py [--timeout S] [--top N] [--json]

Builds the bot without Matrix (a fresh SQLite database through the migrations, the sample
networks, a fixed clock) and sends, as the Geschäftsstelle so that no role check stops a
handler early, every command of the registry in adversarial shapes:

* ``gap``: the command's words (arguments filled with sample values) with long runs of spaces,
  tabs, newlines or a mix between them;
* ``tail``: the leading words, a long run of whitespace and one more word (the shape that
  stalled the bot: ``!om netzwerk`` + 2,000 spaces + ``x``);
* ``keywords``: all words of the command repeated (``netzwerk anlegen x in x dach …``) and
  each single keyword repeated (``netzwerk in in in …``, ``netzwerk x in x in …``);
* ``dates``: date phrases repeated after the leading words (``termin 12.03.2027 12.03.2027 …``);
* ``word``: one long word.

Each shape comes at a short length, just below the command cap (`router.MAX_COMMAND_LENGTH`)
and beyond it (5,000 and 10,000 characters, which must be refused at once). Every message is
timed around `Router.handle` in a worker process, ``--repeat`` times (the fastest counts, so a
commit's fsync or a garbage collection does not make a shape look slow); a message that takes
longer than ``--timeout`` seconds is recorded as "> S s" and the worker is restarted, so a run
against a tree with backtracking regexes still ends. Target: ≤ 50 ms for every message up to
the cap. Prints the worst messages and PASS/MISS; the exit code is 0 either way (benchmarks
report, they don't gate).

To measure another tree (e.g. before a change), copy this file into its ``benchmarks/``
and run it from there: it imports the tree it lives in.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from om_bot.app.runtime import build  # noqa: E402
from om_bot.chat.router import MAX_COMMAND_LENGTH, strip_prefix  # noqa: E402
from om_bot.config import Config, config_from_mapping  # noqa: E402
from om_bot.services.importer import importiere_datei  # noqa: E402
from om_bot.text.messages import IncomingMessage  # noqa: E402

GS = "@geschaeftsstelle:om.test"
RAUM = "!raum:om.test"
JETZT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
SAMPLE = ROOT / "data" / "netzwerke.toml"
TARGET_MS = 50.0
PREFIX = "!om "
SEPARATORS = {"spaces": " ", "tabs": "\t", "newlines": "\n", "mixed": " \t\n"}
DATES = (
    "12.03.2027",
    "am 12.03.2027 um 14:00 bis 16:00",
    "morgen 14 Uhr",
    "nächsten Freitag",
    "jeden zweiten Dienstag im Monat",
    "14 Uhr",
    "bis",
    "am",
    "12 March 2027",
    "2027/03/12",
    "12/03/2027",
)
SAMPLE_VALUES = {"zahl": "3", "wort": "ja", "text": "Hamburg"}
# Ordinary commands sent before measuring, so that first-use costs (imports, dateparser's
# language data, SQLAlchemy's statement cache) are not counted against a shape.
WARMUP = (
    "hilfe",
    "netzwerke Hamburg",
    "netzwerk Hamburg",
    "netzwerk Hamberg",
    "prüfen Hamburg",
    "kriterien partner",
    "termin Netzwerktreffen am 12.03.2027 um 14 Uhr",
    "termine 12 March 2027",
    "termine",
    "anfragen",
)


@dataclass(frozen=True)
class Case:
    shape: str
    body: str


def _words(syntax: str) -> tuple[list[str], list[str]]:
    """Sample words for a syntax (first alternatives, arguments filled) and its literals."""
    words: list[str] = []
    literals: list[str] = []
    for token in syntax.replace("[", " ").replace("]", " ").split():
        if token.startswith("<"):
            typ = token[1:-1].partition(":")[2] or "text"
            words.append(SAMPLE_VALUES[typ])
        else:
            words.append(token.split("|")[0])
            literals.append(token.split("|")[0])
    return words, literals


def _fill(head: str, unit: str, length: int) -> str:
    """`head` followed by `unit` repeated up to about `length` characters of command text."""
    count = max(1, (length - len(head)) // max(1, len(unit)))
    return head + unit * count


def cases(syntaxes: list[str], lengths: tuple[int, ...]) -> list[Case]:
    seen: set[str] = set()
    out: list[Case] = []

    def add(shape: str, text: str) -> None:
        body = PREFIX + text
        if body not in seen:
            seen.add(body)
            out.append(Case(shape, body))

    for syntax in syntaxes:
        words, literals = _words(syntax)
        head = words[0]
        for length in lengths:
            for name, sep in SEPARATORS.items():
                gap = max(1, (length - sum(map(len, words))) // max(1, len(words) - 1))
                add(f"gap/{name} {syntax}", (sep * gap)[: max(1, gap)].join(words))
                add(f"tail/{name} {syntax}", _fill(head, sep, length) + "x")
            add(f"keywords {syntax}", _fill(head, " " + " ".join(words[1:] or ["x"]), length))
            for literal in literals[1:]:
                add(f"keyword {literal!r} {syntax}", _fill(head, " " + literal, length))
                add(f"x-keyword {literal!r} {syntax}", _fill(head, " x " + literal, length))
            for phrase in DATES:
                add(f"dates {phrase!r} {syntax}", _fill(head, " " + phrase, length))
            add(f"word {syntax}", head + " " + "x" * max(1, length - len(head) - 1))
    for length in lengths:
        add("prefix-gap", _fill("", " ", length) + "hilfe")
        quoted = _fill("", "> zitat\n", length * 4)
        out.append(Case("quoted-reply", quoted + "\n" + PREFIX + "hilfe"))
    return out


def _without_limits() -> dict[str, Any]:
    """Per-user limits off (0), where the tree has them: thousands of messages of one sender
    would otherwise measure the limit's answer instead of the command."""
    section = Config.model_fields.get("grenzen")
    model: Any = section.annotation if section is not None else None
    if model is None or not hasattr(model, "model_fields"):
        return {}
    return {"grenzen": dict.fromkeys(model.model_fields, 0)}


def _build(root: str) -> Any:
    tmp = tempfile.mkdtemp(dir=root)
    config = config_from_mapping(
        {
            "matrix": {"homeserver": "http://127.0.0.1:1", "user_id": "@bot:om.test"}
            | {"password": "x"},
            "database": {"url": f"sqlite:///{tmp}/bot.sqlite3"},
            "bot": {"geschaeftsstelle_users": [GS]},
        }
        | _without_limits(),
        env={},
    )
    app = build(config, clock=lambda: JETZT)
    importiere_datei(app.uow, SAMPLE)
    return app


def _worker(conn: Connection, root: str) -> None:
    app = _build(root)
    number = 0
    for text in WARMUP:
        number += 1
        app.router.handle(IncomingMessage(f"$w{number}", RAUM, GS, PREFIX + text, JETZT))
    conn.send(sorted({b.syntax for b in app.dienste.registry}))
    while True:
        body = conn.recv()
        if body is None:
            return
        number += 1
        message = IncomingMessage(f"$e{number}", RAUM, GS, body, JETZT, is_direct=False)
        start = time.perf_counter()
        replies = app.router.handle(message)
        elapsed = (time.perf_counter() - start) * 1000
        conn.send((elapsed, replies[0].text[:80] if replies else ""))


class Worker:
    """The bot in a child process, so a message that never ends can be abandoned."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.process: multiprocessing.process.BaseProcess | None = None
        self.conn: Connection | None = None
        self.syntaxes: list[str] = []

    def start(self) -> None:
        context = multiprocessing.get_context("fork")
        parent, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, self.root), daemon=True)
        self.process.start()
        self.conn = parent
        self.syntaxes = parent.recv()

    def run(self, body: str, timeout: float) -> tuple[float | None, str]:
        assert self.conn is not None and self.process is not None
        self.conn.send(body)
        if self.conn.poll(timeout):
            elapsed, answer = self.conn.recv()
            return elapsed, answer
        self.process.kill()
        self.process.join()
        self.start()
        return None, ""

    def stop(self) -> None:
        if self.conn is not None and self.process is not None:
            self.conn.send(None)
            self.process.join(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per message")
    parser.add_argument("--repeat", type=int, default=3, help="runs per message, fastest counts")
    parser.add_argument("--top", type=int, default=10, help="how many of the worst to list")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args()

    root = tempfile.TemporaryDirectory(prefix="om-bot-bench-adversarial-")
    worker = Worker(root.name)
    worker.start()
    lengths = (200, MAX_COMMAND_LENGTH - 10, 5_000, 10_000)
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        for case in cases(worker.syntaxes, lengths):
            elapsed, answer = worker.run(case.body, args.timeout)
            for _ in range(args.repeat - 1):
                if elapsed is None:
                    break
                elapsed = min(elapsed, worker.run(case.body, args.timeout)[0] or elapsed)
            text = strip_prefix(case.body, ("!om",), is_direct=False) or ""
            results.append(
                {
                    "shape": case.shape,
                    "length": len(case.body),
                    "up_to_cap": len(text) <= MAX_COMMAND_LENGTH,
                    "ms": elapsed,
                    "answer": answer,
                }
            )
    finally:
        worker.stop()
        root.cleanup()
    total = time.perf_counter() - started

    def key(r: dict[str, Any]) -> float:
        return float("inf") if r["ms"] is None else float(r["ms"])

    results.sort(key=key, reverse=True)
    capped = [r for r in results if r["up_to_cap"]]
    worst = capped[0] if capped else None
    timeouts = sum(1 for r in results if r["ms"] is None)
    passed = worst is not None and worst["ms"] is not None and worst["ms"] <= TARGET_MS
    if args.json:
        summary = {"messages": len(results), "timeouts": timeouts, "seconds": total}
        print(json.dumps({"summary": summary, "results": results}, ensure_ascii=False))
        return 0

    def shown(r: dict[str, Any]) -> str:
        return f"> {args.timeout:g} s" if r["ms"] is None else f"{r['ms']:.1f} ms"

    print(f"{len(results)} messages in {total:.0f} s, {timeouts} over {args.timeout:g} s")
    print(f"worst {args.top}:")
    for r in results[: args.top]:
        print(f"  {shown(r):>10}  {r['length']:>6} chars  {r['shape']}")
    beyond_worst = next((r for r in results if not r["up_to_cap"]), None)
    if beyond_worst is not None:
        print(f"worst beyond the cap: {shown(beyond_worst)} ({beyond_worst['shape']})")
    if worst is not None:
        verdict = "PASS" if passed else "MISS"
        print(
            f"worst up to the cap: {shown(worst)} ({worst['shape']}, {worst['length']} chars); "
            f"target ≤ {TARGET_MS:g} ms: {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
