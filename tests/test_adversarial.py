"""Hostile input: no text can break the router, and user text cannot fake the bot's lines.

The property tests feed arbitrary and adversarial text (long runs of spaces, tabs and line
breaks, repeated keywords and dates, up to 10,000 characters) to a Router built on a migrated
SQLite database with the sample data, and check that every answer is a `Reply` and never the
apology for an unexpected exception. How fast that is, is measured by
`benchmarks/adversarial.py`, not asserted here. The word matcher of the registry is checked
against the regex reading of the declared syntax on short texts, where a regex is fast.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from om_bot.app.runtime import App, build
from om_bot.chat.registry import Befehl, Registry
from om_bot.chat.router import MAX_BODY_LENGTH, strip_prefix
from om_bot.commands import familien
from om_bot.config import Config, config_from_mapping
from om_bot.domain.dates import MAX_PHRASE, DatumFehler, find_when, parse_when
from om_bot.services.importer import importiere_datei
from om_bot.text.format import B, Code, Msg
from om_bot.text.messages import IncomingMessage, Reply
from tests.conftest import SAMPLE_DATA

GS = "@geschaeftsstelle:om.test"
ALICE = "@alice:om.test"
RAUM = "!raum:om.test"
JETZT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
APOLOGY = "Entschuldigung, dabei ist bei mir ein Fehler aufgetreten"
LINE_BREAKS = ["\n", "\r\n", "\r", "\v", "\f", "\x1c", "\x85", "\u2028", "\u2029"]

REGISTRY = Registry(familien())
SYNTAXES = sorted({b.syntax for b in REGISTRY})
KEYWORDS = sorted(
    {
        word
        for syntax in SYNTAXES
        for token in syntax.replace("[", " ").replace("]", " ").split()
        if not token.startswith("<")
        for word in token.split("|")
    }
)
DATES = [
    "12.03.2027",
    "am 12.03.2027 um 14:00 bis 16:00",
    "morgen 14 Uhr",
    "jeden zweiten Dienstag im Monat",
    "bis",
    "am",
    "12 March 2027",
    "2027/03/12",
    "03/12/2027",
]


# --- plain bodies -----------------------------------------------------------------------------


def _lines_starting_with(reply: Reply, prefix: str) -> list[str]:
    return [line for line in reply.text.split("\n") if line.startswith(prefix)]


@pytest.mark.parametrize("umbruch", LINE_BREAKS)
def test_a_title_cannot_start_a_line_of_its_own(umbruch: str) -> None:
    titel = f"X{umbruch}✅ Anfrage 3 freigegeben"
    reply = Msg(f"Termin: „{titel}“").line("Danke.").reply()
    assert reply.text == "Termin: „X ✅ Anfrage 3 freigegeben“\nDanke."
    assert reply.html == "<p><b>Termin: „X ✅ Anfrage 3 freigegeben“</b></p><p>Danke.</p>"


@pytest.mark.parametrize("umbruch", LINE_BREAKS)
def test_line_breaks_in_lines_and_bullets_are_indented(umbruch: str) -> None:
    notiz = f"Rückruf{umbruch}✅ Anfrage 3 freigegeben{umbruch}"
    reply = Msg().line("Notiz: ", notiz).bullet(B(notiz), " – ", Code(f"a{umbruch}b")).reply()
    assert not _lines_starting_with(reply, "✅")
    assert reply.text == (
        "Notiz: Rückruf\n  ✅ Anfrage 3 freigegeben\n"
        "• Rückruf\n  ✅ Anfrage 3 freigegeben – `a\n  b`"
    )
    assert reply.html == (
        "<p>Notiz: Rückruf<br>✅ Anfrage 3 freigegeben</p>"
        "<ul><li><b>Rückruf<br>✅ Anfrage 3 freigegeben</b> – <code>a<br>b</code></li></ul>"
    )


@given(st.lists(st.text(max_size=40), min_size=1, max_size=4))
def test_no_part_starts_a_line_at_column_zero(parts: list[str]) -> None:
    reply = Msg().line("Bot: ", *parts).bullet(*parts).reply()
    lines = reply.text.split("\n")
    # Every line is the bot's "Bot: " or "• ", or an indented continuation.
    assert all(line.startswith(("Bot: ", "• ", "  ")) for line in lines)
    assert len(lines) == len(reply.text.splitlines())


# --- the registry's word matcher --------------------------------------------------------------


def _reference(syntax: str) -> re.Pattern[str]:
    """The declared syntax as a regex over text with single spaces (fine for short texts)."""
    pieces: list[str] = []
    for token in re.findall(r"\[|\]|<[^>]+>|[^\s\[\]<>]+", syntax):
        sep = " " if pieces and set(pieces) != {"(?:"} else ""
        if token == "[":
            pieces.append("(?:")
        elif token == "]":
            pieces.append(")?")
        elif token.startswith("<"):
            name, _, typ = token[1:-1].partition(":")
            body = {"": ".+?", "zahl": r"\d{1,9}", "wort": r"[^ ]+"}[typ]
            pieces.append(f"{sep}(?P<{name}>{body})")
        else:
            umlaute = {"ä": "(?:ä|ae)", "ö": "(?:ö|oe)", "ü": "(?:ü|ue)", "ß": "(?:ß|ss)"}
            words = [
                "".join(umlaute.get(c, re.escape(c)) for c in w.lower()) for w in token.split("|")
            ]
            pieces.append(f"{sep}(?:{'|'.join(words)})(?= |$)")
    return re.compile("^" + "".join(pieces) + "$", re.IGNORECASE)


def _befehl(syntax: str) -> Befehl:
    return next(b for b in REGISTRY if b.syntax == syntax)


VOCABULARY = [*KEYWORDS, "3", "12", "x", "Hamburg", "Berlin", "LÖSCHEN", "loeschen", "1234567890"]


@st.composite
def _near_miss(draw: st.DrawFn) -> tuple[str, str]:
    """A syntax and a short text made from its words, with words dropped, added, replaced."""
    syntax = draw(st.sampled_from(SYNTAXES))
    words: list[str] = []
    for token in syntax.replace("[", " ").replace("]", " ").split():
        if draw(st.integers(0, 9)) == 0:
            continue
        if token.startswith("<"):
            words += draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3))
        elif draw(st.integers(0, 4)):
            words.append(draw(st.sampled_from(token.split("|"))))
        else:
            words.append(draw(st.sampled_from(VOCABULARY)))
        if draw(st.integers(0, 4)) == 0:
            words.append(draw(st.sampled_from(VOCABULARY)))
    return syntax, " ".join(words)


@settings(max_examples=1000)
@given(_near_miss())
def test_the_word_matcher_reads_what_the_syntax_says(case: tuple[str, str]) -> None:
    syntax, text = case
    befehl = _befehl(syntax)
    match = _reference(syntax).match(text)
    expected: dict[str, Any] | None = None
    if match is not None:
        expected = {
            a.name: None
            if match.group(a.name) is None
            else int(match.group(a.name))
            if a.typ == "zahl"
            else match.group(a.name)
            for a in befehl.argumente
        }
    assert befehl.parse(text) == expected


@pytest.mark.parametrize("gap", [" " * 2000, "\t" * 2000, " \t" * 700, "\u00a0" * 500])
def test_runs_of_whitespace_are_one_separator(gap: str) -> None:
    treffer = REGISTRY.find(f"netzwerk{gap}Hamburg{gap}mitglied{gap}IHK{gap}Nord{gap}als{gap}x")
    assert treffer.befehl.syntax == "netzwerk <netzwerk> mitglied <organisation> als <typ:wort>"
    assert treffer.argumente == {"netzwerk": "Hamburg", "organisation": "IHK Nord", "typ": "x"}


def test_text_keeps_its_line_breaks_but_not_its_runs_of_spaces() -> None:
    treffer = REGISTRY.find("netzwerk Hamburg\nziele  KMU   gewinnen\n\n\n  \t Praxis-Checks  ")
    assert treffer.argumente == {"netzwerk": "Hamburg", "text": "KMU gewinnen\nPraxis-Checks"}


def test_repeated_keywords_read_like_the_regex_would() -> None:
    text = "netzwerk anlegen " + "x in " * 300 + "Hamburg dach OM thema Pflege"
    treffer = REGISTRY.find(text)
    assert treffer.argumente["name"] == "x"
    assert treffer.argumente["region"] == "x in " * 299 + "Hamburg"
    assert treffer.argumente["thema"] == "Pflege"


# --- prefix and length --------------------------------------------------------------------------


def test_any_whitespace_ends_the_prefix() -> None:
    assert strip_prefix("!om\tnetzwerke", ("!om",), False) == "netzwerke"
    assert strip_prefix("!om\u00a0netzwerke", ("!om",), False) == "netzwerke"
    assert strip_prefix("!omnetzwerke", ("!om",), False) is None


# --- the date parser's caps --------------------------------------------------------------------


def test_a_third_date_in_another_spelling_is_refused_before_dateparser_reads_it() -> None:
    tz = ZoneInfo("Europe/Berlin")
    text = "Treffen " + "12 March 2027 " * 60
    with pytest.raises(DatumFehler, match="mehr als zwei Datumsangaben"):
        find_when(text, JETZT, tz)
    # Two are a start and an end.
    zeitraum = parse_when("12 March 2027 bis 14 March 2027", JETZT, tz)
    assert (zeitraum.start.day, zeitraum.end.day) == (12, 15)


def test_a_date_phrase_alone_is_short() -> None:
    with pytest.raises(DatumFehler, match=f"höchstens {MAX_PHRASE}"):
        parse_when("am 12.03.2027 " + " " * MAX_PHRASE, JETZT, ZoneInfo("Europe/Berlin"))


# --- the router under fire ----------------------------------------------------------------------


def _without_limits() -> dict[str, Any]:
    """Per-user limits off (0 switches one off): these tests send thousands of commands."""
    section = Config.model_fields.get("grenzen")
    model: Any = section.annotation if section is not None else None
    if model is None or not hasattr(model, "model_fields"):
        return {}
    return {"grenzen": dict.fromkeys(model.model_fields, 0)}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    db = tmp_path_factory.mktemp("adversarial") / "bot.sqlite3"
    config = config_from_mapping(
        {
            "matrix": {"homeserver": "http://127.0.0.1:1", "user_id": "@bot:om.test"}
            | {"password": "x"},
            "database": {"url": f"sqlite:///{db}"},
            "bot": {"geschaeftsstelle_users": [GS]},
        }
        | _without_limits(),
        env={},
    )
    app = build(config, clock=lambda: JETZT)
    importiere_datei(app.uow, SAMPLE_DATA)
    yield app
    app.engine.dispose()


_events = itertools.count()


def _handle(app: App, body: str, sender: str = GS, direct: bool = False) -> list[Reply]:
    message = IncomingMessage(f"$e{next(_events)}", RAUM, sender, body, JETZT, is_direct=direct)
    replies = app.router.handle(message)
    assert isinstance(replies, list)
    for reply in replies:
        assert isinstance(reply, Reply)
        assert APOLOGY not in reply.text, (body[:200], reply.text)
    return replies


def test_too_long_bodies_are_refused_before_anything_else(app: App) -> None:
    chatter = "x" * (MAX_BODY_LENGTH + 1)
    assert _handle(app, chatter) == []
    [refused] = _handle(app, "!om netzwerke " + chatter)
    assert "zu lang" in refused.text and "höchstens 2.000" in refused.text
    [direct] = _handle(app, chatter, direct=True)
    assert "zu lang" in direct.text
    # A reply quoting a long message still works while the body is within the cap.
    [answer] = _handle(app, "> " + "y" * 5000 + "\n\n!om netzwerke Hamburg")
    assert "OM-Netzwerk Hamburg" in answer.text


_separators = st.sampled_from([" ", "\t", "\n", "\r\n", " \t\n", "\u2028", "\xa0", "\x0b"])
_words = st.one_of(
    st.sampled_from(KEYWORDS), st.sampled_from(DATES), st.text(min_size=1, max_size=12)
)


@st.composite
def _adversarial(draw: st.DrawFn) -> str:
    """A command word, then words and dates repeated, between runs of whitespace."""
    prefix = draw(st.sampled_from(["!om ", "/om ", "!OM\t", "> zitat\n!om "]))
    parts = [draw(st.sampled_from(REGISTRY.command_words()))]
    for _ in range(draw(st.integers(1, 5))):
        gap = draw(_separators) * draw(st.integers(1, 2500))
        word = draw(_words)
        parts.append(gap + (" " + word) * draw(st.integers(1, 400)))
    return prefix + "".join(parts)[: draw(st.integers(1, 10_000))]


# Long arbitrary text: a short random text repeated (hypothesis draws short texts).
_long_text = st.builds(
    lambda text, times: (text * times)[:10_000], st.text(max_size=60), st.integers(1, 2000)
)


SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(_adversarial(), st.sampled_from([GS, ALICE]))
def test_adversarial_commands_get_answers(app: App, body: str, sender: str) -> None:
    assert _handle(app, body, sender)


@SETTINGS
@given(st.one_of(st.text(), _long_text), st.booleans())
def test_arbitrary_text_never_breaks_the_router(app: App, body: str, direct: bool) -> None:
    _handle(app, "!om " + body, GS)
    _handle(app, body, ALICE, direct=direct)
