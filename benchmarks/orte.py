"""Place table: load time, memory and lookup latency of `om_bot.domain.orte` over the whole table.

    .venv/bin/python benchmarks/orte.py [--samples N] [--loads N] [--seed N] [--json]

Loads the packaged table (`om_bot/data/orte.json.gz`) in a fresh child process, so the RSS
delta is that of the table alone (`/proc/self/status` VmRSS before and after `orte.lade()`),
and times `--loads` loads. Then looks up `--samples` inputs of each kind, drawn from the table
itself with a fixed seed:

* **name**: a name as in the table (most find one place, some ask back);
* **folded**: the same names as people type them: lower case, umlauts spelled out, "ß" → "ss";
* **plz**: postcodes, 4-digit ones without the leading zero included;
* **typo**: a name with one or two random edits (deletion, insertion, substitution, swap),
  i.e. the typo path with the SymSpell-style index;
* **miss**: random letters that match nothing (the worst ordinary case: exact miss, prefixed
  kinds, Land suffix, typo search, prefix search);
* **hostile**: 10,000-character inputs and long runs (cut at the start of `finde`).

Targets (issue 11): load ≤ 200 ms, ≤ 25 MB RSS, lookup ≤ 1 ms at p95. Prints p50/p95/p99/max
and PASS/MISS; the exit code is 0 either way (benchmarks report, they don't gate).

Then `--netzwerke N` (default 1,000; 0 skips it): a register with the built-in regions and N
regional networks, each in a region of its own made from a random real place (a Kreis or a
town, lying in its Land), in a temporary SQLite file. `!om netzwerke <text>` is answered for
`--samples`/10 texts – towns, postcodes, Kreise, places without a network (nearest networks),
ambiguous names – once as the service call (`om_bot.services.orte.netzwerke_am_ort`) and once
through the router, the bot's whole work for the message. Target: ≤ 20 ms (issue 11).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import string
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from om_bot.domain import orte  # noqa: E402

LOAD_MS, RSS_MB, LOOKUP_MS, NETZWERKE_MS = 200.0, 25.0, 1.0, 20.0


def _rss_kb() -> int:
    for zeile in Path("/proc/self/status").read_text().splitlines():
        if zeile.startswith("VmRSS:"):
            return int(zeile.split()[1])
    return 0


def _child(loads: int) -> None:
    """Runs in a fresh interpreter: memory of one load, then the time of `loads` loads."""
    gc.collect()
    vorher = _rss_kb()
    start = time.perf_counter()
    tabelle = orte.lade()
    erste = (time.perf_counter() - start) * 1000
    gc.collect()
    nachher = _rss_kb()
    zeiten = [erste]
    for _ in range(loads - 1):
        start = time.perf_counter()
        orte.lade()
        zeiten.append((time.perf_counter() - start) * 1000)
    del tabelle
    print(json.dumps({"rss_mb": (nachher - vorher) / 1024, "load_ms": zeiten}))


def _tippfehler(rng: random.Random, wort: str) -> str:
    buchstaben = "abcdefghijklmnopqrstuvwxyzäöü"
    for _ in range(rng.choice((1, 1, 2))):
        if len(wort) < 3:
            break
        i = rng.randrange(len(wort) - 1)
        art = rng.randrange(4)
        if art == 0:
            wort = wort[:i] + wort[i + 1 :]
        elif art == 1:
            wort = wort[:i] + rng.choice(buchstaben) + wort[i:]
        elif art == 2:
            wort = wort[:i] + rng.choice(buchstaben) + wort[i + 1 :]
        else:
            wort = wort[:i] + wort[i + 1] + wort[i] + wort[i + 2 :]
    return wort


def _proben(tabelle: orte.Tabelle, n: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    namen = [g.name for g in tabelle.alle()]
    codes = sorted({c for g in tabelle.alle(orte.Art.ORT) for c in g.plz})
    gezogen = rng.sample(namen, n)
    gefaltet = [
        x.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
        for x in gezogen
    ]
    plz = [c.lstrip("0") if rng.random() < 0.1 else c for c in rng.sample(codes, n)]
    return {
        "name": gezogen,
        "folded": gefaltet,
        "plz": plz,
        "typo": [_tippfehler(rng, x) for x in rng.sample(namen, n)],
        "miss": [
            "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 14)))
            for _ in range(n)
        ],
        "hostile": [
            "a" * 10_000,
            "Neustadt " * 1_200,
            "1" * 10_000,
            "ä" * 10_000,
            "St. " * 2_500,
            "Landkreis " * 1_000,
            "x" * 79,
            ("abcdefghij" * 4)[:40],
        ]
        * max(1, n // 80),
    }


def _quantile(werte: list[float], q: float) -> float:
    werte = sorted(werte)
    return werte[min(len(werte) - 1, int(q * len(werte)))]


def _register(anzahl: int, seed: int, pfad: Path) -> Any:
    """An app on a fresh SQLite file with the built-in regions and `anzahl` networks."""
    from datetime import UTC, datetime  # noqa: PLC0415 - only this part needs them

    from om_bot.app.runtime import build  # noqa: PLC0415
    from om_bot.config import config_from_mapping  # noqa: PLC0415
    from om_bot.domain.matching import fold  # noqa: PLC0415
    from om_bot.domain.netzwerk import Art, Dach, RegionArt, Status  # noqa: PLC0415
    from om_bot.domain.ortsregionen import als_kreis  # noqa: PLC0415
    from om_bot.services.importer import importiere, lies  # noqa: PLC0415
    from om_bot.storage.models import (  # noqa: PLC0415
        Netzwerk,
        Region,
        RegionGebiet,
        RegionTeil,
    )

    config = config_from_mapping(
        {
            "matrix": {"homeserver": "http://127.0.0.1:1", "user_id": "@b:x", "password": "x"},
            "database": {"url": f"sqlite:///{pfad}"},
        },
        env={},
    )
    app = build(config, clock=lambda: datetime(2026, 12, 2, 10, tzinfo=UTC))
    importiere(app.uow, lies(""))
    rng = random.Random(seed)
    tabelle = orte.tabelle()
    kandidaten = [g for g in tabelle.alle() if g.art in (orte.Art.KREIS, orte.Art.ORT)]
    with app.uow() as uow:
        laender = {r.bundesland: r.id for r in uow.regionen.alle() if r.art is RegionArt.BUNDESLAND}
        for nr, g in enumerate(rng.sample(kandidaten, anzahl)):
            name = f"{g.name} #{nr}"
            region = Region(
                name=name, schluessel=fold(name), art=RegionArt.REGION, bundesland=g.land
            )
            region.gebiete = [RegionGebiet(gebiet_id=als_kreis(g).id)]
            region.eltern = [RegionTeil(teil_von_id=laender[g.land])]
            uow.regionen.add(region)
            uow.flush()
            name = f"Netzwerk {nr} {g.name}"
            uow.netzwerke.add(
                Netzwerk(
                    name=name,
                    schluessel=fold(name),
                    region_id=region.id,
                    dach=Dach.OM,
                    art=Art.REGIONAL,
                    status=Status.ANERKANNT,
                )
            )
        uow.commit()
    return app


def _netzwerke_bench(anzahl: int, samples: int, seed: int) -> dict[str, Any]:
    import tempfile  # noqa: PLC0415
    from datetime import UTC, datetime  # noqa: PLC0415

    from om_bot.services.orte import netzwerke_am_ort  # noqa: PLC0415
    from om_bot.text.messages import IncomingMessage  # noqa: PLC0415

    rng = random.Random(seed + 1)
    tabelle = orte.tabelle()
    orte_ = [g for g in tabelle.alle(orte.Art.ORT) if g.einwohner > 0]
    kreise = list(tabelle.alle(orte.Art.KREIS))
    codes = sorted({c for g in orte_ for c in g.plz})
    n = max(10, samples // 10)
    texte = (
        [g.name for g in rng.sample(orte_, n)]
        + rng.sample(codes, n)
        + [g.name for g in rng.sample(kreise, n)]
        + ["Kiel", "Lüdenscheid", "21073", "Landkreis Harburg", "Märkischer Kreis", "Weser-Ems"]
        + ["Harburg", "Neustadt", "Kiell"]
    )
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        app = _register(anzahl, seed, Path(tmp) / "bench.sqlite3")
        aufbau = time.perf_counter() - start
        for text in texte[:20]:  # warm up: the place table, the caches, SQLite's pages
            with app.uow() as uow:
                netzwerke_am_ort(uow, text)
        dienst: list[float] = []
        router: list[float] = []
        ohne_netzwerk = 0
        for nr, text in enumerate(texte):
            with app.uow() as uow:
                start = time.perf_counter()
                antwort = netzwerke_am_ort(uow, text)
                dienst.append((time.perf_counter() - start) * 1000)
                ohne_netzwerk += bool(antwort.orte and not antwort.netzwerke)
            nachricht = IncomingMessage(
                f"$b{nr}", "!r:x", "@a:x", f"!om netzwerke {text}", datetime.now(UTC), False
            )
            start = time.perf_counter()
            app.router.handle(nachricht)
            router.append((time.perf_counter() - start) * 1000)
        app.engine.dispose()

    def werte(zeiten: list[float]) -> dict[str, float]:
        return {
            "p50_ms": statistics.median(zeiten),
            "p95_ms": _quantile(zeiten, 0.95),
            "max_ms": max(zeiten),
        }

    return {
        "netzwerke": anzahl,
        "texte": len(texte),
        "ohne_netzwerk": ohne_netzwerk,
        "aufbau_s": aufbau,
        "dienst": werte(dienst),
        "router": werte(router),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--netzwerke", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.loads)
        return 0

    kind = subprocess.run(
        [sys.executable, __file__, "--child", "--loads", str(args.loads)],
        check=True,
        capture_output=True,
        text=True,
    )
    laden: dict[str, Any] = json.loads(kind.stdout)
    tabelle = orte.lade()
    proben = _proben(tabelle, args.samples, args.seed)
    for text in proben["name"][:200]:  # warm up the interpreter, not the table
        tabelle.finde(text)
    ergebnisse: dict[str, dict[str, float]] = {}
    alle: list[float] = []
    antworten: dict[str, dict[str, int]] = {}
    for art, texte in proben.items():
        zeiten = []
        zaehler: dict[str, int] = {}
        for text in texte:
            start = time.perf_counter()
            e = tabelle.finde(text)
            zeiten.append((time.perf_counter() - start) * 1000)
            zaehler[e.antwort.value] = zaehler.get(e.antwort.value, 0) + 1
        if art != "hostile":
            alle.extend(zeiten)
        antworten[art] = zaehler
        ergebnisse[art] = {
            "n": len(zeiten),
            "p50_ms": statistics.median(zeiten),
            "p95_ms": _quantile(zeiten, 0.95),
            "p99_ms": _quantile(zeiten, 0.99),
            "max_ms": max(zeiten),
        }
    gesamt_p95 = _quantile(alle, 0.95)
    bericht = {
        "load_ms_first": laden["load_ms"][0],
        "load_ms_median": statistics.median(laden["load_ms"]),
        "rss_mb": laden["rss_mb"],
        "lookup": ergebnisse,
        "lookup_p95_ms_all": gesamt_p95,
        "answers": antworten,
        "table": {"gebiete": sum(1 for _ in tabelle.alle())},
    }
    if args.netzwerke:
        bericht["netzwerke"] = _netzwerke_bench(args.netzwerke, args.samples, args.seed)
    if args.json:
        print(json.dumps(bericht, indent=2))
        return 0

    def urteil(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    print(f"table: {bericht['table']['gebiete']} Gebiete")
    print(
        f"load: first {bericht['load_ms_first']:.1f} ms, median of {args.loads} "
        f"{bericht['load_ms_median']:.1f} ms (target ≤ {LOAD_MS:.0f} ms) "
        f"{urteil(bericht['load_ms_median'] <= LOAD_MS)}"
    )
    print(
        f"RSS delta: {bericht['rss_mb']:.1f} MB (target ≤ {RSS_MB:.0f} MB) "
        f"{urteil(bericht['rss_mb'] <= RSS_MB)}"
    )
    print(f"{'kind':8} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  answers")
    for art, r in ergebnisse.items():
        print(
            f"{art:8} {r['n']:6d} {r['p50_ms']:8.3f} {r['p95_ms']:8.3f} {r['p99_ms']:8.3f} "
            f"{r['max_ms']:8.3f}  {antworten[art]}"
        )
    print(
        f"lookup p95 over all ordinary kinds: {gesamt_p95:.3f} ms (target ≤ {LOOKUP_MS} ms) "
        f"{urteil(gesamt_p95 <= LOOKUP_MS)}"
    )
    if args.netzwerke:
        nb = bericht["netzwerke"]
        print(
            f"!om netzwerke <Ort> with {nb['netzwerke']} networks ({nb['texte']} texts, "
            f"{nb['ohne_netzwerk']} answered with the nearest; register built in "
            f"{nb['aufbau_s']:.1f} s):"
        )
        for teil in ("dienst", "router"):
            r = nb[teil]
            print(
                f"  {'service' if teil == 'dienst' else 'router '} p50 {r['p50_ms']:.2f} ms, "
                f"p95 {r['p95_ms']:.2f} ms, max {r['max_ms']:.2f} ms "
                f"(target ≤ {NETZWERKE_MS:.0f} ms) {urteil(r['p95_ms'] <= NETZWERKE_MS)}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
