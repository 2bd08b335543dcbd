"""The command registry and the router without Matrix: parsing, matching, errors, roles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from om_bot.chat.registry import Familie, Registry, UsageError
from om_bot.chat.router import Dienste, Kontext, Router, strip_prefix
from om_bot.domain.matching import fold, meinten_sie, suggest
from om_bot.domain.roles import Rolle, Rollen
from om_bot.text.format import Msg
from om_bot.text.messages import IncomingMessage, Reply


def _familie() -> Familie:
    familie = Familie("test", "Test")

    @familie.befehl("netzwerk anlegen <name> in <region>", hilfe="anlegen")
    def anlegen(ctx: Kontext, name: str, region: str) -> Reply:
        return Msg().line(f"{name}|{region}").reply()

    @familie.befehl("netzwerk <name> status <status:wort> [<grund>]", hilfe="status")
    def status(ctx: Kontext, name: str, status: str, grund: str | None) -> Reply:
        return Msg().line(f"{name}|{status}|{grund}").reply()

    @familie.befehl("netzwerk <name>", hilfe="zeigen", beispiele=("netzwerk Hamburg",))
    def zeigen(ctx: Kontext, name: str) -> Reply:
        return Msg().line(name).reply()

    @familie.befehl("anfrage <nr:zahl> freigeben", hilfe="freigeben", rolle=Rolle.GESCHAEFTSSTELLE)
    def freigeben(ctx: Kontext, nr: int) -> Reply:
        return Msg().line(f"#{nr + 1}").reply()

    @familie.befehl("prüfen <netzwerk>", hilfe="prüfen")
    def pruefen(ctx: Kontext, netzwerk: str) -> Reply:
        raise RuntimeError("kaputt")

    return familie


@pytest.fixture
def registry() -> Registry:
    return Registry([_familie()])


@pytest.mark.parametrize(
    ("text", "syntax", "args"),
    [
        (
            "netzwerk anlegen Netzwerk Berlin in Berlin",
            "netzwerk anlegen <name> in <region>",
            {"name": "Netzwerk Berlin", "region": "Berlin"},
        ),
        (
            "NETZWERK Anlegen X in Y",
            "netzwerk anlegen <name> in <region>",
            {"name": "X", "region": "Y"},
        ),
        (
            "netzwerk Hannover status leitungskreis",
            "netzwerk <name> status <status:wort> [<grund>]",
            {"name": "Hannover", "status": "leitungskreis", "grund": None},
        ),
        (
            "netzwerk Offensive Harzwirtschaft status entzogen weil nie getagt",
            "netzwerk <name> status <status:wort> [<grund>]",
            {"name": "Offensive Harzwirtschaft", "status": "entzogen", "grund": "weil nie getagt"},
        ),
        ("netzwerk Münsterland", "netzwerk <name>", {"name": "Münsterland"}),
        ("anfrage 3 freigeben", "anfrage <nr:zahl> freigeben", {"nr": 3}),
        ("pruefen Hamburg", "prüfen <netzwerk>", {"netzwerk": "Hamburg"}),
    ],
)
def test_find_parses_arguments(
    registry: Registry, text: str, syntax: str, args: dict[str, Any]
) -> None:
    treffer = registry.find(text)
    assert treffer.befehl.syntax == syntax
    assert treffer.argumente == args


def test_literal_words_do_not_match_inside_words(registry: Registry) -> None:
    # "in" inside "Berlin" must not split the name.
    treffer = registry.find("netzwerk anlegen Netzwerk Berlin in Berlin-Mitte")
    assert treffer.argumente == {"name": "Netzwerk Berlin", "region": "Berlin-Mitte"}


def test_unknown_command_suggests(registry: Registry) -> None:
    with pytest.raises(UsageError) as error:
        registry.find("netzwerg Hamburg")
    assert "Unbekannter Befehl „netzwerg“" in error.value.meldung
    assert "„netzwerk“" in error.value.meldung


def test_known_word_wrong_form_shows_usage(registry: Registry) -> None:
    with pytest.raises(UsageError) as error:
        registry.find("anfrage drei freigeben")
    assert error.value.usage == "!om anfrage <nr:zahl> freigeben"


def test_handler_signature_must_match_syntax() -> None:
    familie = Familie("x", "X")
    with pytest.raises(ValueError, match="declares"):
        familie.befehl("a <b>", hilfe="h")(lambda ctx, c: None)


@pytest.mark.parametrize(
    ("body", "direct", "expected"),
    [
        ("!om netzwerke", False, "netzwerke"),
        ("/OM netzwerke Hamburg", False, "netzwerke Hamburg"),
        ("!om", False, ""),
        ("!omnetzwerke", False, None),
        ("netzwerke Hamburg", False, None),
        ("netzwerke Hamburg", True, "netzwerke Hamburg"),
        ("> <@a:b> zitat\n\n!om hilfe", False, "hilfe"),
    ],
)
def test_strip_prefix(body: str, direct: bool, expected: str | None) -> None:
    assert strip_prefix(body, ("!om", "/om"), direct) == expected


def test_fold_and_suggest() -> None:
    assert fold("München") == fold("Muenchen") == fold("MÜNCHEN") == "muenchen"
    assert fold("Straße") == fold("Strasse")
    assert suggest("Hamberg", ["Hamburg", "Bremen", "Homburg"])[0] == "Hamburg"
    assert suggest("Harz", ["Offensive Harzwirtschaft", "Hessen"]) == ["Offensive Harzwirtschaft"]
    assert suggest("xyz", ["Hamburg"]) == []
    assert meinten_sie(["A", "B"]) == "Meinten Sie „A“ oder „B“?"
    assert meinten_sie([]) == ""


ROLLEN = Rollen.aus(admins={"@admin:x"}, geschaeftsstelle={"@gs:x"})


class _FakeUow:
    """Just enough of a unit of work for the router: no network is linked to any room."""

    def __init__(self) -> None:
        self.raeume = self
        self.audit = self
        self.session = self
        self.added: list[Any] = []
        # The router wakes the reminder scheduler only after a command that committed.
        self.committed = False

    def get(self, room_id: str) -> None:
        return None

    def add(self, entry: Any) -> None:
        self.added.append(entry)

    def rollback(self) -> None:
        pass

    def commit(self) -> None:
        pass

    def __enter__(self) -> _FakeUow:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _router() -> tuple[Router, list[_FakeUow]]:
    uows: list[_FakeUow] = []

    def make() -> Any:
        uows.append(_FakeUow())
        return uows[-1]

    dienste = Dienste(
        registry=Registry([_familie()]),
        rollen=ROLLEN,
        uow=make,
        now=lambda: datetime(2026, 11, 22, tzinfo=UTC),
        tz=__import__("zoneinfo").ZoneInfo("Europe/Berlin"),
    )
    return Router(dienste), uows


def _msg(body: str, sender: str = "@anyone:x", direct: bool = False) -> IncomingMessage:
    return IncomingMessage("$e", "!r", sender, body, datetime(2026, 11, 22, tzinfo=UTC), direct)


def test_router_answers_commands_and_ignores_chatter() -> None:
    router, _ = _router()
    assert router.handle(_msg("hallo zusammen")) == []
    [reply] = router.handle(_msg("!om netzwerk Hamburg"))
    assert reply.text == "Hamburg"


def test_router_turns_exceptions_into_an_apology(caplog: pytest.LogCaptureFixture) -> None:
    router, _ = _router()
    [reply] = router.handle(_msg("!om prüfen Hamburg"))
    assert "Entschuldigung" in reply.text
    assert "Traceback" not in reply.text and "kaputt" not in reply.text
    assert "kaputt" in caplog.text  # the traceback goes to the log


def test_router_refuses_and_audits() -> None:
    router, uows = _router()
    [reply] = router.handle(_msg("!om anfrage 3 freigeben"))
    assert "⛔" in reply.text and "Geschäftsstelle" in reply.text
    audited = [e for u in uows for e in u.added]
    assert len(audited) == 1 and audited[0].erlaubt is False
    [ok] = router.handle(_msg("!om anfrage 3 freigeben", sender="@gs:x"))
    assert ok.text == "#4"


def test_router_usage_errors_and_length_limit() -> None:
    router, _ = _router()
    [reply] = router.handle(_msg("!om anfrage x freigeben"))
    assert "So geht’s: `!om anfrage <nr:zahl> freigeben`" in reply.text
    [long] = router.handle(_msg("!om netzwerk " + "x" * 10_000))
    assert "zu lang" in long.text
    [empty] = router.handle(_msg("!om"))
    assert "!om hilfe" in empty.text


def test_html_is_escaped() -> None:
    reply = Msg("<b>Titel</b>").bullet("<script>alert(1)</script>").reply()
    assert "<script>" not in reply.html and "&lt;script&gt;" in reply.html
    assert "<script>alert(1)</script>" in reply.text
