"""The legs of the reply path from `benchmarks/spur/sitecustomize.py`'s lines (ms, p50 and p90):

    .venv/bin/python benchmarks/spur/auswerten.py /tmp/om-bot-spur.jsonl --erste 55 --ohne 5

`--erste N`: only the first N replies (with `durchsatz.py`'s defaults the 5 + 50 round trips come
before the bursts); `--ohne K`: the first K of them left out (warm-up)."""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

SCHRITTE = [
    ("sync", "on", "sync response → the event's handling starts"),
    ("on", "ao0", "→ in the worker thread"),
    ("ao0", "h0", "→ handler called (lookup during the first batch)"),
    ("h0", "h1", "handler (router, command)"),
    ("h1", "ao1", "→ answer_once returns"),
    ("ao1", "on_end", "→ back on the event loop, queued"),
    ("on_end", "sp0", "→ send starts"),
    ("sync", "sp0", "sync response → send starts (total)"),
    ("sp0", "sp1", "send (room_send until the homeserver answers)"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datei", type=Path)
    parser.add_argument("--erste", type=int, default=0)
    parser.add_argument("--ohne", type=int, default=0)
    args = parser.parse_args()
    zeilen = [json.loads(z) for z in args.datei.read_text("utf8").splitlines() if z.strip()]
    zeilen = [z for z in zeilen if "on" in z and "sync" in z and "h0" in z]
    if args.erste:
        zeilen = zeilen[: args.erste]
    zeilen = zeilen[args.ohne :]
    print(f"{len(zeilen)} replies")
    for von, bis, was in SCHRITTE:
        werte = sorted((z[bis] - z[von]) * 1000 for z in zeilen)
        p90 = werte[min(len(werte) - 1, int(len(werte) * 0.9))]
        print(f"  {statistics.median(werte):6.2f} / {p90:6.2f} ms  {was}")


if __name__ == "__main__":
    main()
