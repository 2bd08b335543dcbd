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
        ("Treffen am Mitwoch um 10 Uhr", "„Mitwoch“ (gelesen als Mittwoch): Heute ist Mittwoch"),
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


# --- typos read and echoed, the title after the date, the combined offer (issue 13) ----------


@pytest.mark.parametrize(
    ("text", "start_utc", "echo"),
    [
        ("Treffen Donerstag 10 Uhr", datetime(2026, 11, 19, 9, tzinfo=UTC),
         "„Donerstag“ (gelesen als Donnerstag)"),
        ("Treffen am 12. Märtz um 10 Uhr", datetime(2027, 3, 12, 9, tzinfo=UTC),
         "„Märtz“ (gelesen als März)"),
    ],
)  # fmt: skip
def test_ein_tippfehler_wird_gelesen_und_genannt(
    bot: Welt, text: str, start_utc: datetime, echo: str
) -> None:
    antwort = bot.antwort(MAX, HH, f"termin {text}")
    assert "✅ Termin Nr. 1 eingetragen: „Treffen“" in antwort, antwort
    assert echo in antwort
    [termin] = bot.db(select(Termin))
    assert termin.start == start_utc


@pytest.mark.parametrize(
    ("text", "grund"),
    [
        ("Treffen Sontag 10 Uhr", "meinen Sie „Montag“ oder „Sonntag“?"),
        ("Treffen Donerstag, 12.03.2027", "„Donerstag“ (gelesen als Donnerstag): Der 12.03.2027"),
    ],
)
def test_ein_unklarer_tippfehler_wird_nachgefragt(bot: Welt, text: str, grund: str) -> None:
    antwort = bot.antwort(MAX, HH, f"termin {text}")
    assert antwort.startswith("⚠ ") and grund in antwort
    assert bot.anzahl(Termin) == 0


def test_das_beispiel_einer_tippfehler_frage_behaelt_den_titel(bot: Welt) -> None:
    antwort = bot.antwort(MAX, HH, "termin Treffen Sontag 10 Uhr")
    assert "Beispiel: `!om termin Treffen Montag 10 Uhr`" in antwort, antwort


def test_ohne_rechte_hilft_auch_der_gelesene_tippfehler_nicht(bot: Welt) -> None:
    antwort = bot.antwort("@eve:test", HH, "termin Treffen Donerstag 10 Uhr")
    assert antwort.startswith("⛔")
    assert bot.anzahl(Termin) == 0


@pytest.mark.parametrize(
    ("text", "titel", "region", "start_utc"),
    [
        ("morgen 10 Uhr Teamrunde", "Teamrunde", "Hamburg", datetime(2026, 11, 19, 9, tzinfo=UTC)),
        ("am Freitag 18 Uhr Sommerfest in Bremen", "Sommerfest", "Bremen",
         datetime(2026, 11, 20, 17, tzinfo=UTC)),
        ("So 10 Uhr Frühschoppen", "Frühschoppen", "Hamburg",
         datetime(2026, 11, 22, 9, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_der_titel_nach_dem_datum(
    bot: Welt, text: str, titel: str, region: str, start_utc: datetime
) -> None:
    antwort = bot.antwort(MAX, HH, f"termin {text}")
    assert f"✅ Termin Nr. 1 eingetragen: „{titel}“" in antwort, antwort
    assert f"Region: {region}" in antwort
    [termin] = bot.db(select(Termin))
    assert (termin.titel, termin.start) == (titel, start_utc)


@pytest.mark.parametrize(
    "text",
    [
        "morgen 10 Uhr Teamrunde im Park",  # „im Park“: title or region?
        "morgen 18 Uhr 30 Gäste",  # 18:00 with „30 Gäste“, or 18:30?
        "morgen 10 Uhr mit Anna",
        "morgen 10 Uhr Teamrunde für Einsteiger",
    ],
)
def test_ein_unklarer_titel_nach_dem_datum_wird_nachgefragt(bot: Welt, text: str) -> None:
    antwort = bot.antwort(MAX, HH, f"termin {text}")
    assert antwort.startswith("⚠ ") and "Bitte schreiben Sie den Titel vor das Datum" in antwort
    assert bot.anzahl(Termin) == 0


def test_die_frage_nach_dem_titel_gibt_den_text_umgestellt_als_beispiel(bot: Welt) -> None:
    antwort = bot.antwort(MAX, HH, "termin morgen 10 Uhr Teamrunde im Park")
    assert "Beispiel: `!om termin Teamrunde im Park morgen 10 Uhr`" in antwort, antwort
    bot.sag(MAX, HH, "termin Teamrunde im Park morgen 10 Uhr")
    [termin] = bot.db(select(Termin))
    assert termin.titel == "Teamrunde im Park"


def test_ohne_titel_bleibt_die_bitte_um_einen_titel(bot: Welt) -> None:
    antwort = bot.antwort(MAX, HH, "termin morgen 10 Uhr in Bremen")
    assert "Bitte geben Sie dem Termin einen Titel" in antwort
    assert bot.anzahl(Termin) == 0


def test_der_titel_nach_dem_datum_braucht_rechte(bot: Welt) -> None:
    assert bot.antwort("@eve:test", HH, "termin morgen 10 Uhr Teamrunde").startswith("⛔")
    assert bot.anzahl(Termin) == 0


def test_die_nachfrage_bietet_das_kombinierte_datum_an(bot: Welt) -> None:
    antwort = bot.antwort(MAX, HH, "termin Planung KW 14 Runde am Dienstag um 10 Uhr")
    assert "meinen Sie Dienstag, 06.04.2027, 10:00 Uhr?" in antwort, antwort
    assert "Beispiel: `!om termin Netzwerktreffen KW 14 am Dienstag um 10 Uhr`" in antwort
    assert bot.anzahl(Termin) == 0


@pytest.mark.parametrize(
    ("text", "start_utc", "ende_utc", "ganztaegig"),
    [
        ("Treffen zwischen 14 und 16 Uhr am Freitag", datetime(2026, 11, 20, 13, tzinfo=UTC),
         datetime(2026, 11, 20, 15, tzinfo=UTC), False),
        ("Treffen So 10 Uhr", datetime(2026, 11, 22, 9, tzinfo=UTC),
         datetime(2026, 11, 22, 11, tzinfo=UTC), False),
        ("Tagung zwischen dem 3. und 5. März", datetime(2027, 3, 2, 23, tzinfo=UTC),
         datetime(2027, 3, 5, 23, tzinfo=UTC), True),
        ("Treffen morgen in einem Monat um 10 Uhr", datetime(2026, 12, 19, 9, tzinfo=UTC),
         datetime(2026, 12, 19, 11, tzinfo=UTC), False),
    ],
)  # fmt: skip
def test_noch_mehr_formen_werden_gespeichert(
    bot: Welt, text: str, start_utc: datetime, ende_utc: datetime, ganztaegig: bool
) -> None:
    antwort = bot.antwort(MAX, HH, f"termin {text}")
    assert "✅ Termin Nr. 1 eingetragen" in antwort, antwort
    [termin] = bot.db(select(Termin))
    assert (termin.start, termin.ende, termin.ganztaegig) == (start_utc, ende_utc, ganztaegig)


def test_termin_aendern_liest_und_nennt_den_tippfehler(bot: Welt) -> None:
    bot.sag(MAX, HH, "termin Treffen am Freitag um 10 Uhr")
    antwort = bot.antwort(MAX, HH, "termin ändern 1 Donerstag 10 Uhr")
    assert "geändert" in antwort and "„Donerstag“ (gelesen als Donnerstag)" in antwort, antwort
    [termin] = bot.db(select(Termin))
    assert termin.start == datetime(2026, 11, 19, 9, tzinfo=UTC)


def test_ein_echtes_wort_ist_kein_tippfehler(bot: Welt) -> None:
    antwort = bot.antwort(MAX, HH, "termin Montage am Freitag um 10 Uhr")
    assert "eingetragen: „Montage“" in antwort and "gelesen als" not in antwort
    [termin] = bot.db(select(Termin))
    assert termin.start == datetime(2026, 11, 20, 9, tzinfo=UTC)


def test_termin_aendern_mit_dem_titel_nach_dem_datum(bot: Welt) -> None:
    bot.sag(MAX, HH, "termin Treffen am Freitag um 10 Uhr")
    antwort = bot.antwort(MAX, HH, "termin ändern 1 morgen 11 Uhr Teamrunde")
    assert "geändert: „Teamrunde“" in antwort, antwort
    [termin] = bot.db(select(Termin))
    assert (termin.titel, termin.start) == ("Teamrunde", datetime(2026, 11, 19, 10, tzinfo=UTC))
    antwort = bot.antwort(MAX, HH, "termin ändern 1 morgen 12 Uhr Runde im Park")
    assert "Bitte schreiben Sie den Titel vor das Datum" in antwort
    assert "Beispiel: `!om termin ändern 1 Runde im Park morgen 12 Uhr`" in antwort
    assert bot.db(select(Termin))[0].start == datetime(2026, 11, 19, 10, tzinfo=UTC)
