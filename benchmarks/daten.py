"""Worst time of the German date reader (`find_when`) over hostile and costly command texts.

    .venv/bin/python benchmarks/daten.py [--repeat N] [--top N] [--json]

Issue 13, rule 5: a message full of foreign-format dates must cost at most 20 ms of bot time,
so the dateparser fallback may try only a few candidates per message.  This times `find_when`
alone (no router, no database) on texts up to the command cap that hit its costly paths:

* ``fremd``: dates in other spellings repeated („12 March 2027“, „2027/03/12“, „13/03/2027“,
  „March 12, 2027“, „03/12/2027“) – each one a dateparser call if it were not capped;
* ``tippfehler``: words one letter from a weekday or month („Donerstag“, „Sontag“) repeated –
  the edit distance to every name, and the second reading of a corrected text;
* ``kombiniert``: a left-over date word or a second phrase with title words in between („KW 14
  Runde … am Dienstag um 10 Uhr“) – the placings tried for the offered combined date;
* ``phrase``: long but readable phrases and ranges („zwischen dem 3. und 5. März“ …), „So“,
  „zwischen“ repeated;
* ``zufall``: random mixes of date words, numbers and signs (seeded).

Each text is run ``--repeat`` times, the fastest counts (a garbage collection or another
process on the machine does not make a text look slow).  Target: ≤ 20 ms for every text.  The
exit code is 0 either way (benchmarks report, they don't gate).

To measure another tree (e.g. before a change), copy this file into its ``benchmarks/`` and run
it from there: it imports the tree it lives in.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from om_bot.domain.dates import DatumFehler, find_when  # noqa: E402

B = ZoneInfo("Europe/Berlin")
JETZT = datetime(2026, 11, 18, 9, 30, tzinfo=B)
TARGET_MS = 20.0
LAENGEN = (60, 200, 990)  # the date reader's own cap is 1,000 characters

FREMD = ("12 March 2027", "2027/03/12", "13/03/2027", "March 12, 2027", "03/12/2027", "12 Mai 2027")
TIPPFEHLER = ("Donerstag", "Sontag", "Mitwoch", "Märtz", "Freitga", "Dezmber", "Jumi")
WOERTER = (
    "am", "um", "bis", "zwischen", "und", "dem", "KW", "Kalenderwoche", "im", "Mai", "März",
    "Freitag", "Fr.", "So", "So.", "morgen", "heute", "Nacht", "in", "einem", "Monat", "Wochen",
    "nächsten", "jeden", "ersten", "Uhr", "Mitte", "nach", "Pfingsten", "Runde", "Treffen",
    "12.03.", "14:00", "10", "3.", "2027", "-", ",", "/", "Donerstag", "Sontag", "at", "pm",
)  # fmt: skip


def _fuellen(kopf: str, einheit: str, laenge: int, fuss: str = "") -> str:
    anzahl = max(1, (laenge - len(kopf) - len(fuss)) // max(1, len(einheit)))
    return kopf + einheit * anzahl + fuss


def texte() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for laenge in LAENGEN:
        for datum in FREMD:
            out.append(("fremd", _fuellen("Treffen", f" {datum}", laenge)))
            out.append(("fremd", _fuellen("Treffen", f" am {datum} um 14 Uhr,", laenge)))
        for wort in TIPPFEHLER:
            out.append(("tippfehler", _fuellen("Treffen", f" {wort}", laenge)))
            out.append(("tippfehler", _fuellen("Treffen", f" {wort} 10 Uhr", laenge)))
            out.append(("tippfehler", _fuellen(f"Treffen {wort} 10 Uhr", " Runde", laenge)))
        for kopf, fuss in (
            ("Planung KW 14", " am Dienstag um 10 Uhr"),
            ("Treffen am 6. um 10 Uhr", " April"),
            ("Treffen um 18 Uhr", " am Freitag"),
            ("Treffen im März", " am 12. um 10 Uhr"),
        ):
            out.append(("kombiniert", _fuellen(kopf, " Runde", laenge, fuss)))
        lang = "am 12.03.2027 um 14:00 bis 16:00"
        out.append(("phrase", _fuellen("Treffen", f" {lang}", laenge)))
        out.append(("phrase", _fuellen("Treffen", " zwischen dem 3. und 5. März", laenge)))
        out.append(("phrase", _fuellen("Treffen", " zwischen 10 und 12 Uhr", laenge)))
        out.append(("phrase", _fuellen("Treffen", " So 10 Uhr", laenge)))
        out.append(("phrase", _fuellen("Treffen", " morgen in einem Monat", laenge)))
        zufall = random.Random(20261118 + laenge)
        for _ in range(40):
            woerter: list[str] = []
            while sum(len(w) + 1 for w in woerter) < laenge:
                woerter.append(zufall.choice(WOERTER))
            out.append(("zufall", "Treffen " + " ".join(woerter)))
    return out


def messen(text: str, wiederholen: int, wand: bool = False) -> tuple[float, str]:
    """The fastest run in ms of CPU time of this process (``--wall``: of the wall clock).

    CPU time is the bot time a message costs; on a shared machine the wall clock also counts
    the waits for a core.
    """
    uhr = time.perf_counter if wand else time.process_time
    bestes = float("inf")
    ergebnis = ""
    for _ in range(wiederholen):
        start = uhr()
        try:
            find_when(text, JETZT, B)
            ergebnis = "gelesen"
        except DatumFehler as fehler:
            ergebnis = fehler.meldung[:70]
        bestes = min(bestes, uhr() - start)
    return bestes * 1000, ergebnis


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per text, fastest counts")
    parser.add_argument("--top", type=int, default=10, help="how many of the worst to list")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--wall", action="store_true", help="wall clock instead of CPU time")
    args = parser.parse_args()
    alle = texte()
    for _, text in alle[:20]:  # first-use costs (dateparser's language data) are not counted
        messen(text, 1)
    zeiten = [(*messen(text, args.repeat, args.wall), art, text) for art, text in alle]
    zeiten.sort(key=lambda z: z[0], reverse=True)
    schlimmst = zeiten[0][0]
    je_art: dict[str, float] = {}
    for ms, _, art, _ in zeiten:
        je_art[art] = max(je_art.get(art, 0.0), ms)
    if args.json:
        print(
            json.dumps(
                {
                    "texte": len(zeiten),
                    "worst_ms": schlimmst,
                    "worst_by_shape_ms": je_art,
                    "target_ms": TARGET_MS,
                    "top": [
                        {"ms": ms, "shape": art, "text": text[:120], "result": ergebnis}
                        for ms, ergebnis, art, text in zeiten[: args.top]
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    uhr = "wall clock" if args.wall else "CPU time"
    print(f"{len(zeiten)} texts, fastest of {args.repeat} runs each ({uhr})")
    for ms, ergebnis, art, text in zeiten[: args.top]:
        print(f"{ms:8.2f} ms  {art:<11} {text[:60]!r:<64} → {ergebnis}")
    print("worst by shape: " + ", ".join(f"{a} {ms:.1f} ms" for a, ms in sorted(je_art.items())))
    urteil = "PASS" if schlimmst <= TARGET_MS else "MISS"
    print(f"worst find_when: {schlimmst:.1f} ms (target ≤ {TARGET_MS:.0f} ms) {urteil}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
