"""Where Synapse's CPU goes, read from its access log: per requester and endpoint.

Synapse logs one line per request (logger ``synapse.access.http.<port>``, INFO) with the
requester and the CPU time spent in the request's own context (``ru=(user, system)``) – not
what runs in background processes (event persistence, notifying the syncs). Sums of those
lines, per requester and endpoint, within time windows (a burst of `durchsatz.py`), tell which
client makes the homeserver work: `durchsatz.py --synapse-zugriffe` prints them. This is how
the cost of ``m.mentions`` in om-bot's answers was found (README, "m.mentions").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# 2026-12-03 14:57:40,453 - synapse.access.http.44679 - 643 - INFO - 127.0.0.1 - 44679 -
# {@bot:localhost} Processed request: 0.002sec/0.001sec ru=(0.000sec, 0.003sec)
# db=(0.000sec/0.000sec/0) 1506B 200 "GET /_matrix/client/versions HTTP/1.1" …
ZEILE = re.compile(
    r"^(?P<zeit>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) - synapse\.access\.\S+ - \d+ - INFO - "
    r"\S+ - \S+ - \{(?P<wer>[^}]*)\} Processed request: [\d.]+sec/[\d.]+sec "
    r"ru=\((?P<user>[\d.]+)sec, (?P<sys>[\d.]+)sec\) db=\([\d.]+sec/[\d.]+sec/(?P<txns>\d+)\) "
    r'\d+B \d+ "(?P<methode>[A-Z]+) (?P<pfad>[^ ?"]+)'
)
# Path segments that differ per call (room ids, transaction ids, user ids) become one name.
SEGMENTE = (
    (re.compile(r"/rooms/[^/]+"), "/rooms/…"),
    (re.compile(r"/(send|sendToDevice|state)/([^/]+)/[^/]+"), r"/\1/\2/…"),
    (re.compile(r"/(profile|user)/[^/]+"), r"/\1/…"),
)


@dataclass(frozen=True)
class Zugriff:
    zeit: float  # Unix time of the log line (the request's end)
    wer: str  # the requester as `kurz` names it
    endpunkt: str  # "PUT /_matrix/client/v3/rooms/…/send/m.room.message/…"
    cpu_s: float
    db_txns: int


def endpunkt(methode: str, pfad: str) -> str:
    for muster, ersatz in SEGMENTE:
        pfad = muster.sub(ersatz, pfad)
    return f"{methode} {pfad}"


def lesen(log: Path, kurz: Callable[[str], str]) -> list[Zugriff]:
    """The access lines of `log`; `kurz` names a requester ("@bot:localhost|DEVICE")."""
    zugriffe = []
    with log.open(encoding="utf8", errors="replace") as datei:
        for zeile in datei:
            m = ZEILE.match(zeile)
            if m is None:
                continue
            # Synapse's log has the local time, as `time.time()` compared with it means.
            lokal = datetime.strptime(m["zeit"], "%Y-%m-%d %H:%M:%S,%f").astimezone()
            zeit = lokal.timestamp()
            zugriffe.append(
                Zugriff(
                    zeit=zeit,
                    wer=kurz(m["wer"].split("|", 1)[0]),
                    endpunkt=endpunkt(m["methode"], m["pfad"]),
                    cpu_s=float(m["user"]) + float(m["sys"]),
                    db_txns=int(m["txns"]),
                )
            )
    return zugriffe


@dataclass
class Summe:
    anzahl: int = 0
    cpu_s: float = 0.0
    db_txns: int = 0


def summen(zugriffe: Iterable[Zugriff], von: float, bis: float) -> dict[tuple[str, str], Summe]:
    """Per (requester, endpoint): requests, CPU seconds and database transactions in
    [`von`, `bis`] (Unix time)."""
    ergebnis: dict[tuple[str, str], Summe] = defaultdict(Summe)
    for z in zugriffe:
        if von <= z.zeit <= bis:
            s = ergebnis[(z.wer, z.endpunkt)]
            s.anzahl += 1
            s.cpu_s += z.cpu_s
            s.db_txns += z.db_txns
    return dict(ergebnis)


def tabelle(summe: dict[tuple[str, str], Summe], je: int, zeilen: int = 6) -> list[str]:
    """The largest rows of `summe`, CPU also per one of `je` commands."""
    gesamt = sum(s.cpu_s for s in summe.values())
    out = [f"      Synapse CPU in requests: {gesamt:.2f} s ({1000 * gesamt / je:.1f} ms/command)"]
    for (wer, ep), s in sorted(summe.items(), key=lambda kv: -kv[1].cpu_s)[:zeilen]:
        out.append(
            f"      {wer:10} {ep[:62]:62} {s.anzahl:6}× {s.cpu_s:6.2f} s "
            f"({1000 * s.cpu_s / max(s.anzahl, 1):5.1f} ms each)"
        )
    return out
