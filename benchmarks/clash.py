"""Database time of registering an event and getting its clash answer, with 100,000 events stored.

    .venv/bin/python benchmarks/clash.py [--events N] [--runs N] [--json]

Fills a fresh SQLite database (and, when ``OM_BOT_TEST_POSTGRES_URL`` is set, a PostgreSQL
database next to the one it names, ``<name>_bench_clash``) through the migrations with the
built-in regions, the sample networks and N single events (default 100,000) spread over all
regions and the next two years, plus 500 monthly series expanded to the horizon – then
registers `--runs` more events exactly as `/om termin` does
(`om_bot.services.terminverwaltung.anlegen`:
top up series, insert the event and its occurrence, the indexed clash query, the clash marks,
commit) and measures:

* **DB time**: the time spent inside the database driver (SQLAlchemy ``before/after_cursor_
  execute``) for one registration including its commit – the figure the target is about;
* the clash query alone (`kollisionen` for an event already stored);
* wall time of the whole registration (DB + Python);
* a weekly series over two years (≈ 104 occurrences checked at once), for reference.

Target: registering + clash answer ≤ 5 ms DB time at p95. Prints p50/p95 and PASS/MISS; the
exit code is 0 either way (benchmarks report, they don't gate). Also prints the query plan of
the clash query, so one can see it is an index range scan, not a scan of the table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event, insert, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from om_bot.domain.termine import (  # noqa: E402
    LANG_AB,
    Regeln,
    TerminArt,
    suchfenster,
    ueberlappende_regionen,
)
from om_bot.services import terminverwaltung as tv  # noqa: E402
from om_bot.services.importer import importiere_datei  # noqa: E402
from om_bot.storage.db import make_engine, migrate  # noqa: E402
from om_bot.storage.models import Netzwerk, Region, Termin, TerminVorkommen  # noqa: E402
from om_bot.storage.uow import UnitOfWork, uow_factory  # noqa: E402

TZ = ZoneInfo("Europe/Berlin")
JETZT = datetime(2026, 11, 18, 8, 30, tzinfo=UTC)
TARGET_MS = 5.0
SAMPLE = ROOT / "data" / "netzwerke.toml"
POSTGRES_ENV = "OM_BOT_TEST_POSTGRES_URL"


class DbZeit:
    """Sums the time spent in cursor executions on an engine."""

    def __init__(self, engine: Engine) -> None:
        self.summe = 0.0
        self._start: dict[int, float] = {}
        event.listen(engine, "before_cursor_execute", self._vorher)
        event.listen(engine, "after_cursor_execute", self._nachher)

    def _vorher(self, conn: Any, cursor: Any, *args: Any) -> None:
        self._start[id(cursor)] = time.perf_counter()

    def _nachher(self, conn: Any, cursor: Any, *args: Any) -> None:
        self.summe += time.perf_counter() - self._start.pop(id(cursor), time.perf_counter())


def _commit_zeit(uow: UnitOfWork, zaehler: DbZeit) -> None:
    """Commit and count it as database time (the WAL write, the round trip)."""
    t = time.perf_counter()
    uow.commit()
    zaehler.summe += time.perf_counter() - t


def fuellen(uow: Callable[[], UnitOfWork], anzahl: int, zufall: random.Random) -> list[int]:
    """Regions, networks and `anzahl` single events plus 500 monthly series, in bulk."""
    importiere_datei(uow, SAMPLE)
    with uow() as u:
        regionen = list(u.session.scalars(select(Region.id)))
        netzwerke = [(n.id, n.region_id) for n in u.session.scalars(select(Netzwerk))]
        session = u.session
        termin_rows: list[dict[str, Any]] = []
        vorkommen_rows: list[dict[str, Any]] = []
        naechste_id = 1
        for i in range(anzahl):
            if i % 3 == 0:
                netzwerk_id, region_id = zufall.choice(netzwerke)
            else:
                netzwerk_id, region_id = None, zufall.choice(regionen)
            start = JETZT + timedelta(minutes=15 * zufall.randint(0, 4 * 24 * 730))
            ende = start + timedelta(minutes=30 * zufall.randint(1, 8))
            termin_rows.append(
                {
                    "id": naechste_id, "titel": f"Termin {i}", "art": TerminArt.VERANSTALTUNG,
                    "netzwerk_id": netzwerk_id, "region_id": region_id, "start": start,
                    "ende": ende, "ganztaegig": False, "ohne_ende": False, "rrule": "",
                    "zeitzone": "Europe/Berlin", "ort": "", "raum_id": "", "erstellt": JETZT,
                    "erstellt_von": "@bench:test", "geaendert": JETZT, "sequenz": 0,
                    "abgesagt": None, "expandiert_bis": None,
                }
            )  # fmt: skip
            vorkommen_rows.append(
                {"termin_id": naechste_id, "region_id": region_id, "start": start, "ende": ende,
                 "abgesagt": None, "kollision": zufall.random() < 0.3, "lang": False}
            )  # fmt: skip
            naechste_id += 1
            if len(termin_rows) >= 5000:
                session.execute(insert(Termin), termin_rows)
                session.execute(insert(TerminVorkommen), vorkommen_rows)
                termin_rows, vorkommen_rows = [], []
        if termin_rows:
            session.execute(insert(Termin), termin_rows)
            session.execute(insert(TerminVorkommen), vorkommen_rows)
        if session.get_bind().dialect.name == "postgresql":
            # Explicit ids bypass the sequence; move it past them for the rows added later.
            session.execute(
                text("SELECT setval(pg_get_serial_sequence('termin', 'id'), max(id)) FROM termin")
            )
        u.commit()
    # Series through the real code path (their occurrences are expanded and clash-marked).
    regeln = Regeln()
    for i in range(500):
        with uow() as u:
            netzwerk_id, region_id = zufall.choice(netzwerke)
            tag = zufall.randint(1, 28)
            start = datetime(2026, 12, tag, 10, tzinfo=TZ)
            serie = Termin(
                titel=f"Serie {i}", art=TerminArt.NETZWERKTREFFEN, netzwerk_id=netzwerk_id,
                region_id=region_id, start=start, ende=start + timedelta(hours=2),
                ganztaegig=False, ohne_ende=False, rrule=f"FREQ=MONTHLY;BYMONTHDAY={tag}",
                zeitzone="Europe/Berlin", ort="", raum_id="", erstellt=JETZT,
                erstellt_von="@bench:test", geaendert=JETZT, sequenz=0,
            )  # fmt: skip
            tv.anlegen(u, serie, JETZT, regeln)
            u.commit()
    with uow() as u:
        u.session.execute(text("ANALYZE"))  # both databases: fresh statistics for the planner
        u.commit()
    return regionen


def _neu(region_id: int, start: datetime, dauer: timedelta, rrule: str = "") -> Termin:
    return Termin(
        titel="Benchmark", art=TerminArt.NETZWERKTREFFEN, netzwerk_id=None, region_id=region_id,
        start=start, ende=start + dauer, ganztaegig=False, ohne_ende=False, rrule=rrule,
        zeitzone="Europe/Berlin", ort="", raum_id="", erstellt=JETZT, erstellt_von="@bench:test",
        geaendert=JETZT, sequenz=0,
    )  # fmt: skip


def _perzentile(werte: list[float]) -> dict[str, float]:
    werte = sorted(werte)
    return {
        "p50": statistics.median(werte),
        "p95": werte[min(len(werte) - 1, round(0.95 * (len(werte) - 1)))],
        "max": werte[-1],
    }


def plan(engine: Engine, region_ids: set[int]) -> list[str]:
    """The query plan of one clash query (shows the index use)."""
    von, bis = suchfenster(JETZT + timedelta(days=100), JETZT + timedelta(days=100, hours=2),
                           Regeln(), TZ)  # fmt: skip
    ids = ", ".join(str(i) for i in sorted(region_ids))
    if engine.dialect.name == "sqlite":
        # SQLite stores UTC naive; the plan does not depend on the values.
        sql = (
            "EXPLAIN QUERY PLAN SELECT * FROM termin_vorkommen WHERE region_id IN "
            f"({ids}) AND start < :bis AND start >= :ab AND ende > :von AND abgesagt IS NULL"
        )
        werte = {"bis": bis.replace(tzinfo=None), "ab": (von - LANG_AB).replace(tzinfo=None),
                 "von": von.replace(tzinfo=None)}  # fmt: skip
    else:
        sql = (
            "EXPLAIN SELECT * FROM termin_vorkommen WHERE region_id IN "
            f"({ids}) AND start < :bis AND start >= :ab AND ende > :von AND abgesagt IS NULL"
        )
        werte = {"bis": bis, "ab": von - LANG_AB, "von": von}
    with engine.connect() as conn:
        return [" ".join(str(x) for x in row) for row in conn.execute(text(sql), werte)]


def lauf(name: str, url: str, anzahl: int, runs: int) -> dict[str, Any]:
    zufall = random.Random(20261118)
    engine = make_engine(url)
    migrate(engine)
    uow = uow_factory(engine)
    t0 = time.perf_counter()
    regionen = fuellen(uow, anzahl, zufall)
    fuellzeit = time.perf_counter() - t0
    zaehler = DbZeit(engine)
    regeln = Regeln()
    with uow() as u:
        kanten = u.regionen.kanten()
        gesamt = u.session.scalar(select(text("count(*)")).select_from(TerminVorkommen))
    db_ms: list[float] = []
    wand_ms: list[float] = []
    abfrage_ms: list[float] = []
    anweisung_ms: list[float] = []
    kollisionen = 0
    for _ in range(runs):
        region_id = zufall.choice(regionen)
        start = JETZT + timedelta(minutes=15 * zufall.randint(4 * 24, 4 * 24 * 700))
        anfang_db = zaehler.summe
        anfang = time.perf_counter()
        with uow() as u:
            neu = _neu(region_id, start, timedelta(hours=2))
            treffer = tv.anlegen(u, neu, JETZT, regeln)
            _commit_zeit(u, zaehler)
        wand_ms.append((time.perf_counter() - anfang) * 1000)
        db_ms.append((zaehler.summe - anfang_db) * 1000)
        kollisionen += len(treffer)
        # The clash question alone, for an event already stored: everything `kollisionen`
        # asks (its occurrences, the region nesting, the candidates, the names), and the one
        # indexed candidate statement by itself.
        with uow() as u:
            termin = u.termine.get(neu.id)
            assert termin is not None
            rows = u.termine.vorkommen_von(termin.id, JETZT)
            anfang_db = zaehler.summe
            tv.kollisionen(u, termin, regeln, ab=JETZT)
            abfrage_ms.append((zaehler.summe - anfang_db) * 1000)
            fenster = [suchfenster(r.start, r.ende, regeln, TZ) for r in rows]
            nah = ueberlappende_regionen(termin.region_id, kanten)
            anfang_db = zaehler.summe
            u.termine.kandidaten(
                fenster, nah, kurz=LANG_AB, rueckblick=tv.RUECKBLICK, ohne_termin_id=termin.id
            )
            anweisung_ms.append((zaehler.summe - anfang_db) * 1000)
    serie_ms: list[float] = []
    for _ in range(max(5, runs // 20)):
        region_id = zufall.choice(regionen)
        tag = JETZT.astimezone(TZ).date() + timedelta(days=zufall.randint(1, 7))
        start = datetime.combine(tag, datetime.min.time(), TZ).replace(hour=18)
        anfang_db = zaehler.summe
        with uow() as u:
            byday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[tag.weekday()]
            neu = _neu(region_id, start, timedelta(hours=2), f"FREQ=WEEKLY;BYDAY={byday}")
            tv.anlegen(u, neu, JETZT, regeln)
            _commit_zeit(u, zaehler)
        serie_ms.append((zaehler.summe - anfang_db) * 1000)
    beispiel_regionen = ueberlappende_regionen(regionen[len(regionen) // 2], kanten)
    ergebnis = {
        "datenbank": name,
        "termine": anzahl,
        "vorkommen_gesamt": int(gesamt or 0),
        "fuellen_s": round(fuellzeit, 1),
        "registrieren_db_ms": _perzentile(db_ms),
        "kollisionsabfrage_db_ms": _perzentile(abfrage_ms),
        "kandidatenanweisung_db_ms": _perzentile(anweisung_ms),
        "registrieren_gesamt_ms": _perzentile(wand_ms),
        "wochenserie_db_ms": _perzentile(serie_ms),
        "kollisionen_gefunden": kollisionen,
        "ziel_ms": TARGET_MS,
        "ergebnis": "PASS" if _perzentile(db_ms)["p95"] <= TARGET_MS else "MISS",
        "plan": plan(engine, beispiel_regionen),
    }
    engine.dispose()
    return ergebnis


def _postgres_url(basis: str) -> str | None:
    """A database of its own next to the one named (never the test database itself)."""
    url = make_url(basis)
    ziel = f"{url.database}_bench_clash"
    admin = make_engine(basis)
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{ziel}"'))
            conn.execute(text(f'CREATE DATABASE "{ziel}"'))
    except Exception as exc:  # no right to create databases: report and skip
        print(f"PostgreSQL übersprungen: {exc}", file=sys.stderr)
        return None
    finally:
        admin.dispose()
    return url.set(database=ziel).render_as_string(hide_password=False)


def _ausgabe(e: dict[str, Any]) -> None:
    def zeile(titel: str, p: dict[str, float]) -> str:
        werte = f"p50 {p['p50']:6.2f} ms   p95 {p['p95']:6.2f} ms   max {p['max']:6.2f} ms"
        return f"  {titel:<42} {werte}"

    def zahl(n: int) -> str:
        return f"{n:,}".replace(",", ".")

    print(f"\n{e['datenbank']}: {zahl(e['termine'])} Termine, {zahl(e['vorkommen_gesamt'])} "
          f"Vorkommen (gefüllt in {e['fuellen_s']} s)")  # fmt: skip
    print(zeile("Eintragen + Kollisionsprüfung (DB-Zeit)", e["registrieren_db_ms"]))
    print(zeile("nur Kollisionsabfrage (DB-Zeit)", e["kollisionsabfrage_db_ms"]))
    print(zeile("  davon die indizierte Kandidatenanweisung", e["kandidatenanweisung_db_ms"]))
    print(zeile("Eintragen gesamt (DB + Python)", e["registrieren_gesamt_ms"]))
    print(zeile("Wochenserie, 2 Jahre (DB-Zeit)", e["wochenserie_db_ms"]))
    print(f"  Ziel p95 ≤ {e['ziel_ms']} ms DB-Zeit: {e['ergebnis']}")
    print("  Abfrageplan: " + " | ".join(e["plan"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    ergebnisse = []
    with tempfile.TemporaryDirectory(prefix="om-bench-clash-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        ergebnisse.append(lauf("SQLite", url, args.events, args.runs))
        if not args.json:
            _ausgabe(ergebnisse[-1])
    basis = os.environ.get(POSTGRES_ENV)
    if basis:
        pg = _postgres_url(basis)
        if pg:
            ergebnisse.append(lauf("PostgreSQL", pg, args.events, args.runs))
            if not args.json:
                _ausgabe(ergebnisse[-1])
    else:
        print(f"(PostgreSQL nicht gemessen: {POSTGRES_ENV} ist nicht gesetzt)", file=sys.stderr)
    if args.json:
        print(json.dumps(ergebnisse, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
