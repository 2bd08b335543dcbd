"""Logs and metrics (issue 14): one structured line per command without its arguments, the
log formats, the Prometheus metrics and the optional HTTP server with /metrics and /healthz."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from om_bot.app.logformat import JsonFormatter, LogfmtFormatter, einrichten, felder, formatter
from om_bot.app.metriken import Metriken
from om_bot.app.planer import ABGELAUFEN, GESENDET
from om_bot.app.web import Gesundheit, Webserver, standard_routen
from om_bot.chat.router import Ausgang, Befehlsbericht, Router
from om_bot.cli import _parser
from om_bot.config import ConfigError, HttpConfig, config_from_mapping
from om_bot.domain.grenzwerte import Grenzwerte
from om_bot.matrix.sendequeue import GIVEN_UP, RATE_LIMITED, Failed, RetryAfter, SendQueue
from om_bot.text.messages import IncomingMessage
from tests.chat import GS, GS_RAUM, Welt

HILFE = "hilfe|help|?|befehle [<thema>]"  # the registry's syntax of `hilfe`
ERIKA = "Erika Musterfrau, erika@example.org, 0421 123456"
EVE = "@eve:test"


class Sammler(logging.Handler):
    """Keeps the records of ``om_bot.befehle``."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def berichte(self) -> list[Befehlsbericht]:
        return [r.befehl for r in self.records]  # type: ignore[attr-defined]


@pytest.fixture
def sammler() -> Iterator[Sammler]:
    handler = Sammler()
    logger = logging.getLogger("om_bot.befehle")
    logger.addHandler(handler)
    vorher = logger.level
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(vorher)


def _alle_formate(record: logging.LogRecord) -> str:
    return "\n".join(
        f.format(record) for f in (formatter("text"), JsonFormatter(), LogfmtFormatter())
    )


def test_one_line_per_command_with_its_fields_and_never_its_arguments(
    neue_welt: Callable[..., Welt], sammler: Sammler
) -> None:
    welt = neue_welt()
    welt.sag(GS, GS_RAUM, f"anfrage 3 benennen {ERIKA}")
    welt.sag(EVE, "!eve", f"anfrage 3 benennen {ERIKA}")
    welt.sag(GS, GS_RAUM, "hilfe")
    welt.sag(GS, GS_RAUM, "Erika Musterfrau anrufen")  # no such command
    welt.sag(GS, GS_RAUM, "anfrage Erika")  # a command word with wrong arguments
    welt.roh(GS, GS_RAUM, "Guten Morgen, Erika")  # not for the bot: no line
    berichte = sammler.berichte()
    assert [b.befehl for b in berichte] == [
        "anfrage <nr:zahl> benennen [<daten>]",
        "anfrage <nr:zahl> benennen [<daten>]",
        HILFE,
        "(unbekannt)",
        "anfrage …",
    ]
    assert berichte[0].room_id == GS_RAUM and berichte[0].sender == GS
    assert berichte[1].sender == EVE and berichte[1].ausgang in {Ausgang.DENIED, Ausgang.USAGE}
    assert berichte[2].ausgang is Ausgang.OK
    assert berichte[3].ausgang is Ausgang.USAGE and berichte[4].ausgang is Ausgang.USAGE
    assert all(0 <= b.dauer_ms < 10_000 for b in berichte)
    for record in sammler.records:
        zeilen = _alle_formate(record)
        for geheim in ("Erika", "erika@", "0421", "anrufen"):
            assert geheim not in zeilen


def test_json_and_logfmt_lines_parse_with_every_field(
    neue_welt: Callable[..., Welt], sammler: Sammler
) -> None:
    welt = neue_welt()
    welt.sag(GS, GS_RAUM, "hilfe")
    [record] = sammler.records
    daten = json.loads(JsonFormatter().format(record))
    assert list(daten)[:9] == [
        "time",
        "level",
        "logger",
        "room",
        "sender",
        "command",
        "outcome",
        "ms",
        "msg",
    ]
    assert daten["room"] == GS_RAUM and daten["sender"] == GS
    assert daten["command"] == HILFE and daten["outcome"] == "ok"
    assert isinstance(daten["ms"], float) and daten["logger"] == "om_bot.befehle"
    # The wall clock, not the world's fake one.
    zeit = datetime.fromisoformat(daten["time"])
    assert abs(datetime.now(UTC) - zeit) < timedelta(minutes=1)
    zeile = LogfmtFormatter().format(record)
    assert f'command="{HILFE}"' in zeile and "outcome=ok" in zeile
    assert f"room={GS_RAUM}" in zeile and "\n" not in zeile
    # The default stays for people.
    text = formatter("text").format(record)
    assert f"command '{HILFE}' in !gs by @gs:test: ok (" in text


def test_an_error_is_logged_with_its_traceback_and_without_the_text(
    neue_welt: Callable[..., Welt], sammler: Sammler
) -> None:
    welt = neue_welt()

    def kaputt() -> Any:
        raise RuntimeError("die Datenbank ist weg")

    router = Router(dataclasses.replace(welt.app.dienste, uow=kaputt))
    nachricht = IncomingMessage("$1", GS_RAUM, GS, f"!om anfrage 3 benennen {ERIKA}", welt.uhr())
    [antwort] = router.handle(nachricht)
    assert antwort.text.startswith("Entschuldigung")
    [record] = sammler.records
    assert record.levelno == logging.ERROR and record.befehl.ausgang is Ausgang.ERROR  # type: ignore[attr-defined]
    daten = json.loads(JsonFormatter().format(record))
    assert (
        daten["outcome"] == "error"
        and "RuntimeError: die Datenbank ist weg" in (daten["traceback"])
    )
    zeile = LogfmtFormatter().format(record)
    assert "traceback=" in zeile and "\n" not in zeile
    assert "Traceback (most recent call last)" in formatter("text").format(record)
    assert "Erika" not in _alle_formate(record)


def test_limited_commands_are_reported_as_limited(
    neue_welt: Callable[..., Welt], sammler: Sammler
) -> None:
    welt = neue_welt(grenzen=Grenzwerte(schreiben_je_minute=1, schreiben_je_tag=10))
    welt.sag(GS, GS_RAUM, "erinnerungen aus", power=50)
    welt.sag(GS, GS_RAUM, "erinnerungen an", power=50)
    assert [b.ausgang for b in sammler.berichte()] == [Ausgang.OK, Ausgang.LIMITED]


def test_the_commands_counter_and_the_latency_histogram(
    neue_welt: Callable[..., Welt],
) -> None:
    welt = neue_welt()
    welt.sag(GS, GS_RAUM, "hilfe")
    welt.sag(GS, GS_RAUM, "hilfe termine")
    welt.sag(GS, GS_RAUM, "gibtsnicht")
    werte = _werte(welt.app.metriken)
    assert werte[("om_bot_commands_total", (("command", HILFE), ("outcome", "ok")))] == 2
    assert werte[("om_bot_commands_total", (("command", "(unbekannt)"), ("outcome", "usage")))] == 1
    assert werte[("om_bot_command_duration_seconds_count", (("outcome", "ok"),))] == 2
    # Only `run_bot` holding the standby lock makes a process active (tests/test_standby.py).
    assert werte[("om_bot_active", ())] == 0
    # A registry per app: a second world starts from zero.
    assert ("om_bot_commands_total", (("command", HILFE), ("outcome", "ok"))) not in (
        _werte(neue_welt().app.metriken)
    )


def _werte(metriken: Metriken) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return _parse(metriken.text().decode())


def _parse(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    werte = {}
    for familie in text_string_to_metric_families(text):
        for probe in familie.samples:
            werte[(probe.name, tuple(sorted(probe.labels.items())))] = probe.value
    return werte


async def test_send_retries_429_waits_and_reminders_are_counted() -> None:
    metriken = Metriken()
    antworten: list[Any] = [RetryAfter(1.5), Failed("timeout"), None]
    geschlafen: list[float] = []

    async def versuch(payload: str) -> Any:
        from om_bot.matrix.sendequeue import SENT

        return antworten.pop(0) or SENT

    async def schlafen(sekunden: float) -> None:
        geschlafen.append(sekunden)

    queue: SendQueue[str] = SendQueue(
        versuch, give_up_after=60, sleep=schlafen, melden=metriken.senden
    )
    assert await queue.put("!r", "t1", "x")
    assert geschlafen == [1.5, 1.0]
    metriken.senden(GIVEN_UP, 0)
    metriken.senden(RATE_LIMITED, 2.0)
    metriken.erinnerung(GESENDET, 0.2)
    metriken.erinnerung(GESENDET, 3600)
    metriken.erinnerung(ABGELAUFEN, 0)
    werte = _werte(metriken)
    assert werte[("om_bot_send_retries_total", (("reason", "rate_limited"),))] == 2
    assert werte[("om_bot_send_retries_total", (("reason", "failed"),))] == 1
    assert werte[("om_bot_send_rate_limit_wait_seconds_total", ())] == 3.5
    assert werte[("om_bot_send_given_up_total", ())] == 1
    assert werte[("om_bot_reminders_sent_total", ())] == 2
    assert werte[("om_bot_reminders_late_total", ())] == 1
    assert werte[("om_bot_reminders_dropped_total", (("reason", "expired"),))] == 1
    assert werte[("om_bot_sync_lag_seconds", ())] == -1
    synced = datetime.now(UTC) - timedelta(seconds=30)
    metriken.sync_quelle(lambda: synced)
    assert 29 <= _werte(metriken)[("om_bot_sync_lag_seconds", ())] < 60


def _freier_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_http_server_serves_metrics_and_health() -> None:
    metriken = Metriken()
    metriken.befehle.labels(HILFE, "ok").inc()
    synced: list[datetime | None] = [None]
    db_ok = [True]

    def datenbank() -> None:
        if not db_ok[0]:
            raise OSError("connection refused")

    gesundheit = Gesundheit(lambda: synced[0], datenbank, timedelta(seconds=90))
    server = Webserver(HttpConfig(enabled=True, bind="127.0.0.1", port=_freier_port()))
    standard_routen(server, metriken, gesundheit)

    async def kalender(request: aiohttp.web.Request) -> aiohttp.web.StreamResponse:
        return aiohttp.web.Response(text=request.match_info["token"])

    server.get("/kalender/{token}.ics", kalender)  # later features add their routes
    await server.start()
    try:
        assert server.port == server.config.port
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{server.url}/metrics") as antwort:
                assert antwort.status == 200
                assert antwort.headers["Content-Type"].startswith("text/plain")
                werte = _parse(await antwort.text())
            key = ("om_bot_commands_total", (("command", HILFE), ("outcome", "ok")))
            assert werte[key] == 1
            async with http.get(f"{server.url}/healthz") as antwort:
                assert antwort.status == 503
                assert (await antwort.json())["sync"] == "never"
            synced[0] = datetime.now(UTC)
            async with http.get(f"{server.url}/healthz") as antwort:
                assert antwort.status == 200
                bericht = await antwort.json()
                assert bericht.pop("sync_age_seconds") < 5
                assert bericht == {"sync": "ok", "database": "ok", "status": "ok"}
            db_ok[0] = False
            async with http.get(f"{server.url}/healthz") as antwort:
                assert antwort.status == 503
                assert (await antwort.json())["database"] == "error"
            db_ok[0] = True
            synced[0] = datetime.now(UTC) - timedelta(minutes=5)
            async with http.get(f"{server.url}/healthz") as antwort:
                assert antwort.status == 503
                assert (await antwort.json())["sync"] == "stale"
            async with http.get(f"{server.url}/kalender/abc.ics") as antwort:
                assert await antwort.text() == "abc"
            async with http.get(f"{server.url}/nichts") as antwort:
                assert antwort.status == 404
    finally:
        await server.stop()
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as http, http.get(f"{server.url}/healthz"):
            pass


async def test_port_zero_binds_any_free_port() -> None:
    server = Webserver(HttpConfig(enabled=True, port=0))
    standard_routen(server, Metriken(), Gesundheit(lambda: None, lambda: None, timedelta(1)))
    await server.start()
    try:
        assert server.port and server.port > 0
        async with aiohttp.ClientSession() as http, http.get(f"{server.url}/healthz") as antwort:
            assert antwort.status == 503
    finally:
        await server.stop()
    await asyncio.sleep(0)


def test_log_format_option_and_config() -> None:
    args = _parser().parse_args(["run", "--log-format", "json"])
    assert args.log_format == "json"
    assert _parser().parse_args(["run"]).log_format is None
    with pytest.raises(SystemExit):
        _parser().parse_args(["run", "--log-format", "xml"])
    basis = {"matrix": {"homeserver": "https://m.example.org", "user_id": "@b:example.org"}}
    basis["matrix"]["password"] = "pw"
    config = config_from_mapping(basis, env={})
    assert config.log.format == "text" and not config.http.enabled
    config = config_from_mapping(
        {**basis, "log": {"format": "logfmt"}, "http": {"public_url": "https://bot.example/"}},
        env={},
    )
    assert config.log.format == "logfmt" and config.http.public_url == "https://bot.example"
    with pytest.raises(ConfigError, match=r"log\.format"):
        config_from_mapping({**basis, "log": {"format": "xml"}}, env={})
    with pytest.raises(ConfigError, match=r"http\.port"):
        config_from_mapping({**basis, "http": {"port": 70000}}, env={})
    with pytest.raises(ConfigError, match=r"http\.public_url"):
        config_from_mapping({**basis, "http": {"public_url": "bot.example"}}, env={})


def test_einrichten_formats_every_line_of_the_handlers() -> None:
    logger = logging.getLogger("om_bot.test_einrichten")
    logger.propagate = False
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        einrichten("json", logger)
        assert isinstance(handler.formatter, JsonFormatter)
        record = logger.makeRecord(logger.name, logging.INFO, "f", 1, "hallo %s", ("x",), None)
        daten = json.loads(handler.format(record))
        assert daten["msg"] == "hallo x" and "command" not in daten
        assert felder(record, handler.formatter)["level"] == "info"
        with pytest.raises(ValueError, match="unknown log format"):
            einrichten("xml", logger)
    finally:
        logger.removeHandler(handler)


def test_a_failure_with_contact_data_in_its_message_logs_neither(
    neue_welt: Callable[..., Welt], sammler: Sammler, monkeypatch: pytest.MonkeyPatch
) -> None:
    from om_bot.services import kontaktverfahren

    def kaputt(*args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"duplicate key value ({ERIKA})")

    monkeypatch.setattr(kontaktverfahren, "benennen", kaputt)
    welt = neue_welt()
    [antwort] = welt.sag(GS, GS_RAUM, f"anfrage 3 benennen {ERIKA}")
    assert antwort.text.startswith("Entschuldigung")
    [record] = sammler.records
    daten = json.loads(JsonFormatter().format(record))
    assert daten["outcome"] == "error" and daten["command"].startswith("anfrage <nr:zahl> benennen")
    assert "benennen failed with ValueError (message withheld" in daten["traceback"]
    assert "Traceback (most recent call last)" in daten["traceback"]
    assert "Erika" not in _alle_formate(record)
