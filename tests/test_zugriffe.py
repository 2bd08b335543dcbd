"""The reader of Synapse's access log behind `durchsatz.py --synapse-zugriffe`
(`benchmarks/zugriffe.py`): the line format of Synapse 1.163, the endpoints named without
their ids, and the sums per requester within a burst's time window."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import zugriffe  # benchmarks/ is not a package: found through the path above

ZEILE = (
    "{zeit} - synapse.access.http.44679 - 643 - INFO - 127.0.0.1 - 44679 - {{{wer}}} Processed "
    "request: 0.012sec/0.001sec ru=({user}sec, {sys}sec) db=(0.000sec/0.002sec/{txns}) 145B 200 "
    '"{methode} {pfad} HTTP/1.1" "nio" [0 dbevts]\n'
)


def _zeile(zeit: str, wer: str, *, methode: str, pfad: str, user: str, txns: int) -> str:
    return ZEILE.format(
        zeit=zeit, wer=wer, methode=methode, pfad=pfad, user=user, sys="0.001", txns=txns
    )


def test_sums_per_requester_and_endpoint_within_the_window(tmp_path: Path) -> None:
    log = tmp_path / "homeserver.log"
    senden = "/_matrix/client/v3/rooms/!abc:localhost/send/m.room.message/om-bot-123"
    bot = "@om-bot:localhost|DEV"
    zeilen = [
        ("14:57:40,453", bot, "PUT", senden, "0.006", 9),
        ("14:57:41,000", bot, "PUT", senden, "0.004", 8),
        (
            "14:57:41,500",
            "@nutzer7:localhost",
            "GET",
            "/_matrix/client/v3/sync?since=s1",
            "0.020",
            3,
        ),
        ("14:58:10,000", bot, "PUT", senden, "0.100", 1),  # after the window
    ]
    log.write_text(
        "2026-12-03 14:57:39,000 - synapse.storage - 1 - WARNING - something else\n"
        + "".join(
            _zeile(f"2026-12-03 {zeit}", wer, methode=m, pfad=p, user=u, txns=t)
            for zeit, wer, m, p, u, t in zeilen
        ),
        encoding="utf8",
    )
    namen = {"@om-bot:localhost": "om-bot"}
    alle = zugriffe.lesen(log, lambda wer: namen.get(wer, "nutzer*"))
    assert len(alle) == 4
    von = datetime(2026, 12, 3, 14, 57, 40).astimezone().timestamp()
    summe = zugriffe.summen(alle, von, von + 5)
    ep = "PUT /_matrix/client/v3/rooms/…/send/m.room.message/…"
    assert set(summe) == {("om-bot", ep), ("nutzer*", "GET /_matrix/client/v3/sync")}
    s = summe[("om-bot", ep)]
    assert (s.anzahl, round(s.cpu_s, 3), s.db_txns) == (2, 0.012, 17)
    zeilen = zugriffe.tabelle(summe, je=2)
    assert zeilen[0].strip().startswith("Synapse CPU in requests: 0.03 s")
    assert "om-bot" in zeilen[2] and "2×" in zeilen[2]
