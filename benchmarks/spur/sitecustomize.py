"""Timestamps of the reply path inside a running `om-bot run` (benchmarks/README.md, "After the
batch write"): not part of om-bot. Put this file and links to `om_bot/` and `data/` into a
directory and run `benchmarks/durchsatz.py --om-bot-src <that directory>`; Python imports it at
start (`sitecustomize`), and for `om-bot run` it wraps a few methods of the adapter with
`time.perf_counter` stamps, one JSON line per sent reply in `$OM_SPUR` (default
`/tmp/om-bot-spur.jsonl`). `benchmarks/spur/auswerten.py` turns them into the legs."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any


def _einbauen(ziel: str) -> None:
    # Here, not at the top: Python imports this file for every process it starts.
    from om_bot.app import zustand  # noqa: PLC0415
    from om_bot.matrix import adapter, zustellung  # noqa: PLC0415

    jetzt = time.perf_counter
    offen: dict[str, dict[str, float]] = {}
    lock = threading.Lock()
    datei = open(ziel, "a", encoding="utf8")  # noqa: SIM115 - open for the process's life
    letzter_sync = [0.0]

    def schreiben(zeile: dict[str, Any]) -> None:
        with lock:
            datei.write(json.dumps(zeile) + "\n")
            datei.flush()

    sync_or_stop = adapter.MatrixBot._sync_or_stop

    async def _sync_or_stop(self: Any, *args: Any, **kwargs: Any) -> Any:
        antwort = await sync_or_stop(self, *args, **kwargs)
        letzter_sync[0] = jetzt()
        return antwort

    on_event = adapter.MatrixBot._on_event

    async def _on_event(self: Any, room_id: str, event: Any) -> None:
        beginn = jetzt()
        await on_event(self, room_id, event)
        eid = getattr(event, "event_id", "")
        offen.setdefault(eid, {}).update(sync=letzter_sync[0], on=beginn, on_end=jetzt())

    answer_once = zustand.DatabaseState.answer_once

    def _answer_once(self: Any, message: Any, handle: Any, now: Any) -> Any:
        beginn = jetzt()

        def gestoppt(m: Any) -> Any:
            vorher = jetzt()
            ergebnis = handle(m)
            offen.setdefault(m.event_id, {}).update(h0=vorher, h1=jetzt())
            return ergebnis

        ergebnis = answer_once(self, message, gestoppt, now)
        offen.setdefault(message.event_id, {}).update(ao0=beginn, ao1=jetzt())
        return ergebnis

    send_part = zustellung.Zusteller.send_part

    async def _send_part(self: Any, job: Any, *args: Any) -> Any:
        beginn = jetzt()
        ergebnis = await send_part(self, job, *args)
        eid = job.source.event_id if job.source else ""
        schreiben({**offen.pop(eid, {}), "sp0": beginn, "sp1": jetzt(), "eid": eid})
        return ergebnis

    adapter.MatrixBot._sync_or_stop = _sync_or_stop  # type: ignore[method-assign]
    adapter.MatrixBot._on_event = _on_event  # type: ignore[method-assign]
    zustand.DatabaseState.answer_once = _answer_once  # type: ignore[method-assign]
    zustellung.Zusteller.send_part = _send_part  # type: ignore[method-assign]


if "run" in sys.argv[1:3]:
    _einbauen(os.environ.get("OM_SPUR", "/tmp/om-bot-spur.jsonl"))
