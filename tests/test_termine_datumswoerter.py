"""Issue 13 through the router: a left-over date word is asked back and nothing is stored;
calendar weeks and the new forms are stored on the right day (JETZT = Wed 18.11.2026)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from om_bot.storage.models import Termin, TerminVorkommen
from tests import test_termine_commands as termine_commands
from tests.chat import Welt
from tests.test_termine_commands import HH, MAX

mache_bot = termine_commands.mache_bot  # the same world as the command tests


@pytest.fixture
def bot(mache_bot: Callable[..., Welt]) -> Welt:
    return mache_bot()


@pytest.mark.parametrize(
    ("text", "grund"),
    [
        ("Treffen im Mai am Donnerstag um 10 Uhr", "mehrere Donnerstage"),
        ("Treffen Mitte Juni am Montag um 10 Uhr", "„Mitte Juni“ habe ich nicht verstanden"),
        ("Treffen nach Pfingsten am Dienstag um 10 Uhr", "„nach Pfingsten“"),
        ("Stammtisch ab Februar jeden Montag um 19 Uhr", "„ab Februar“"),
        ("Planung KW 14 Runde am Dienstag um 10 Uhr", "KW 14"),
        ("Treffen am Mitwoch um 10 Uhr", "meinen Sie „Mittwoch“"),
        ("Meeting next Friday at 3pm", "auf Deutsch"),
    ],
)
def test_uebrige_datumswoerter_speichern_nichts(bot: Welt, text: str, grund: str) -> None:
    antwort = bot.antwort(MAX, HH, f"termin {text}")
    assert antwort.startswith("⚠ ")
    assert grund in antwort
    assert "Es wurde nichts gespeichert" in antwort
    assert bot.anzahl(Termin) == 0 and bot.anzahl(TerminVorkommen) == 0


@pytest.mark.parametrize(
    ("text", "titel", "start_utc"),
    [
        ("Workshop KW 14 am Dienstag um 10 Uhr", "Workshop", datetime(2027, 4, 6, 8, tzinfo=UTC)),
        ("Treffen Kalenderwoche 14, Mittwoch 10 Uhr", "Treffen",
         datetime(2027, 4, 7, 8, tzinfo=UTC)),
        ("Stammtisch im Mai am ersten Donnerstag um 19 Uhr", "Stammtisch",
         datetime(2027, 5, 6, 17, tzinfo=UTC)),
        ("Treffen Fr. 14:00", "Treffen", datetime(2026, 11, 20, 13, tzinfo=UTC)),
        ("Treffen 2027-03-12T15:30", "Treffen", datetime(2027, 3, 12, 14, 30, tzinfo=UTC)),
        ("Treffen am Freitag zwischen 10 und 12 Uhr", "Treffen",
         datetime(2026, 11, 20, 9, tzinfo=UTC)),
        ("Nachtschicht heute Nacht um 1", "Nachtschicht", datetime(2026, 11, 19, 0, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_neue_formen_werden_gespeichert(
    bot: Welt, text: str, titel: str, start_utc: datetime
) -> None:
    antwort = bot.antwort(MAX, HH, f"termin {text}")
    assert "✅ Termin Nr. 1 eingetragen" in antwort, antwort
    [termin] = bot.db(select(Termin))
    assert (termin.titel, termin.start) == (titel, start_utc)
