"""Per-user limits: the counters (pure, fake clock) and the router – writes over the limit are
answered in German and change nothing, refusal records are bounded per sender, and the
contact procedure caps open requests per network and `kontakt` floods per user."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from om_bot.chat.registry import Familie, Registry
from om_bot.chat.router import Dienste, Kontext, Router
from om_bot.domain.roles import Rolle, Rollen
from om_bot.services.limits import Grenze, Grenzen, Grenzwerte, Zaehler, dauer
from om_bot.storage.models import BotZustand
from om_bot.storage.uow import UnitOfWork
from om_bot.text.format import Msg
from om_bot.text.messages import IncomingMessage, Reply
from tests.welt_grenzen import EVE, GS, GS_RAUM, HH, MAX, OGB, OLAF, T0, Welt, welt

MINUTE, STUNDE, TAG = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


# --- the counters, without a database -------------------------------------------------------


def test_sliding_window_counts_and_says_how_long_to_wait() -> None:
    zaehler = Zaehler([Grenze(3, MINUTE), Grenze(5, TAG)])
    for sekunde in (0, 10, 20):
        assert zaehler.versuch("@a:x", T0 + timedelta(seconds=sekunde)) is None
    ueber = zaehler.versuch("@a:x", T0 + timedelta(seconds=30))
    assert ueber is not None and ueber.grenze == Grenze(3, MINUTE)
    # Free when the first of the three leaves the minute: at 0:60, i.e. 30 s after 0:30.
    assert ueber.warten == timedelta(seconds=30)
    # Someone else is not affected.
    assert zaehler.versuch("@b:x", T0 + timedelta(seconds=30)) is None
    # Refused attempts do not count: after the minute two more fit, then the day is full.
    assert zaehler.versuch("@a:x", T0 + timedelta(seconds=61)) is None
    assert zaehler.versuch("@a:x", T0 + timedelta(seconds=71)) is None
    ueber = zaehler.versuch("@a:x", T0 + timedelta(minutes=5))
    assert ueber is not None and ueber.grenze == Grenze(5, TAG)
    assert ueber.warten == TAG - timedelta(minutes=5)
    assert zaehler.abgewiesen("@a:x") == 2
    assert zaehler.abgewiesen("@a:x") == 0
    assert zaehler.versuch("@a:x", T0 + TAG + timedelta(seconds=1)) is None


def test_zero_switches_a_limit_off_and_idle_keys_are_forgotten() -> None:
    aus = Zaehler([Grenze(0, MINUTE)])
    assert not aus.aktiv
    assert all(aus.versuch("@a:x", T0) is None for _ in range(1000))
    zaehler = Zaehler([Grenze(2, MINUTE)])
    for n in range(500):
        zaehler.versuch(f"@u{n}:x", T0)
    zaehler.versuch("@late:x", T0 + timedelta(minutes=2))
    assert set(zaehler._zeiten) == {"@late:x"}  # the 500 idle keys are gone


@pytest.mark.parametrize(
    ("sekunden", "text"),
    [
        (0.2, "1 Sekunde"),
        (42, "42 Sekunden"),
        (90, "90 Sekunden"),
        (150, "3 Minuten"),
        (3 * 3600 + 1, "4 Stunden"),
    ],
)
def test_waits_in_german(sekunden: float, text: str) -> None:
    assert dauer(timedelta(seconds=sekunden)) == text


def test_limit_texts() -> None:
    assert Grenze(20, MINUTE).text() == "20 je Minute"
    assert Grenze(200, TAG).text() == "200 je Tag"
    assert Grenze(10, STUNDE).text() == "10 je Stunde"


# --- the router: writes ----------------------------------------------------------------------


def _router(
    uow: Callable[[], UnitOfWork], werte: Grenzwerte, now: list[datetime]
) -> tuple[Router, Familie]:
    familie = Familie("test", "Test")

    @familie.befehl("merke <wert:wort>", hilfe="schreiben")
    def merke(ctx: Kontext, wert: str) -> Reply:
        ctx.uow.zustand.set(f"test:{wert}", wert)
        ctx.uow.commit()
        # A second commit in the same command is the same write: it must not fail half-way.
        ctx.uow.zustand.set(f"test:{wert}:2", wert)
        ctx.uow.commit()
        return Msg().line(f"gemerkt: {wert}").reply()

    @familie.befehl("zeige", hilfe="lesen")
    def zeige(ctx: Kontext) -> Reply:
        return Msg().line("nichts geschrieben").reply()

    @familie.befehl("geheim", hilfe="nur GS", rolle=Rolle.GESCHAEFTSSTELLE)
    def geheim(ctx: Kontext) -> Reply:
        return Msg().line("geheim").reply()

    dienste = Dienste(
        registry=Registry([familie]),
        rollen=Rollen.aus((), (GS,)),
        uow=uow,
        now=lambda: now[0],
        tz=ZoneInfo("Europe/Berlin"),
        grenzen=Grenzen(werte),
    )
    return Router(dienste), familie


def _sag(router: Router, sender: str, text: str, now: datetime, n: int = 0) -> str:
    [reply] = router.handle(IncomingMessage(f"$x{n}{text}{now}", "!r", sender, f"!om {text}", now))
    return reply.text


def _gemerkt(uow: Callable[[], UnitOfWork]) -> set[str]:
    with uow() as u:
        return set(
            u.session.scalars(select(BotZustand.wert).where(BotZustand.schluessel.like("test:%")))
        )


def test_writes_over_the_limit_are_answered_and_change_nothing(
    uow: Callable[[], UnitOfWork], caplog: pytest.LogCaptureFixture
) -> None:
    now = [T0]
    werte = Grenzwerte(schreiben_je_minute=3, schreiben_je_tag=5)
    router, _ = _router(uow, werte, now)
    for wert in ("a", "b", "c"):
        assert _sag(router, MAX, f"merke {wert}", now[0]) == f"gemerkt: {wert}"
    caplog.set_level(logging.WARNING)
    text = _sag(router, MAX, "merke geheimnis", now[0])
    assert text.startswith("⏳") and "höchstens 3 je Minute und 5 je Tag" in text
    assert "Bitte in 60 Sekunden noch einmal" in text and "Es wurde nichts geändert" in text
    assert _gemerkt(uow) == {"a", "b", "c"}
    # Logged with the command's syntax, never its text.
    assert "limit reached" in caplog.text and "geheimnis" not in caplog.text
    # Reading still works, and so does someone else.
    assert _sag(router, MAX, "zeige", now[0]) == "nichts geschrieben"
    assert _sag(router, OLAF, "merke olaf", now[0]) == "gemerkt: olaf"

    now[0] += timedelta(seconds=61)
    assert _sag(router, MAX, "merke d", now[0]) == "gemerkt: d"
    assert _sag(router, MAX, "merke e", now[0]) == "gemerkt: e"
    text = _sag(router, MAX, "merke f", now[0])
    assert "⏳" in text and "Stunden" in text
    assert _gemerkt(uow) == {"a", "b", "c", "d", "e", "olaf"}


def test_without_configured_limits_nothing_is_limited(uow: Callable[[], UnitOfWork]) -> None:
    now = [T0]
    router, _ = _router(uow, Grenzwerte.keine(), now)
    for n in range(30):
        assert _sag(router, MAX, f"merke w{n}", now[0]) == f"gemerkt: w{n}"


def test_refusal_records_are_bounded_per_sender(
    uow: Callable[[], UnitOfWork], caplog: pytest.LogCaptureFixture
) -> None:
    now = [T0]
    router, _ = _router(uow, Grenzwerte(verweigert_protokoll_je_stunde=4), now)
    caplog.set_level(logging.WARNING)
    for n in range(10):
        text = _sag(router, EVE, "geheim", now[0], n)
        # The German refusal stays, whatever is recorded.
        assert text.startswith("⛔") and "Es wurde nichts geändert" in text
    assert _sag(router, OLAF, "geheim", now[0]).startswith("⛔")

    def verweigert() -> list[tuple[str, dict[str, object]]]:
        with uow() as u:
            return [(e.akteur, e.nachher or {}) for e in u.audit.alle() if not e.erlaubt]

    assert [akteur for akteur, _ in verweigert()] == [EVE] * 4 + [OLAF]
    assert "not written to the audit log" in caplog.text
    assert caplog.text.count("refused 'geheim' for @eve:test") == 10

    # An hour later the next row says how many were left out.
    now[0] += timedelta(hours=1, seconds=1)
    _sag(router, EVE, "geheim", now[0], 99)
    akteur, nachher = verweigert()[-1]
    assert akteur == EVE and nachher["nicht_protokolliert"] == 6


# --- the contact procedure: open requests per network, kontakt per user ---------------------


@pytest.fixture
def grenz_welt(neue_welt: Callable[..., Welt]) -> Welt:
    return welt(neue_welt, Grenzwerte(offene_anfragen_je_netzwerk=3, kontakt_je_stunde=6))


def test_at_most_a_few_open_requests_per_network(grenz_welt: Welt) -> None:
    w = grenz_welt
    for partner in ("IHK", "HWK", "BDA"):
        replies = w.sag(MAX, HH, f"kontakt {partner}")
        assert len(replies) == 2  # the answer and the Geschäftsstelle's notice
    [r] = w.sag(MAX, HH, "kontakt DGB – Thema Tarifbindung")
    assert r.text.startswith("⚠") and "schon 3 offene Kontaktanfragen" in r.text
    assert "Es wurde keine neue angelegt" in r.text
    for nr, partner in ((1, "IHK"), (2, "HWK"), (3, "BDA")):
        assert f"Nr. {nr} · {partner} · OM-Netzwerk Hamburg · eingegangen" in r.text
    assert "!om anfrage <Nr>" in r.text
    assert w.anzahl_anfragen() == 3
    assert len(w.im_raum(GS_RAUM)) == 3
    # Another network has its own count.
    assert len(w.sag(OLAF, OGB, "kontakt RKW")) == 2

    # Once the Geschäftsstelle has closed one, the network may ask again.
    w.sag(GS, GS_RAUM, "anfrage 2 ablehnen Der Partner ist nicht vertreten.")
    replies = w.sag(MAX, HH, "kontakt DGB")
    assert "Anfrage 5" in replies[0].text and len(replies) == 2


def test_a_flood_of_kontakt_is_cut_off(grenz_welt: Welt, caplog: pytest.LogCaptureFixture) -> None:
    w = grenz_welt
    caplog.set_level(logging.WARNING)
    antworten = [w.sag(MAX, HH, f"kontakt IHK – Versuch {n}")[0].text for n in range(9)]
    assert "Anfrage 1" in antworten[0]
    assert all("schon eine offene Anfrage" in a for a in antworten[1:6])
    for abgewiesen in antworten[6:]:
        assert abgewiesen.startswith("⏳") and "höchstens 6 je Stunde" in abgewiesen
        assert "Bitte in 60 Minuten noch einmal" in abgewiesen
    assert len(w.im_raum(GS_RAUM)) == 1
    assert "Versuch" not in caplog.text
    # Others are not cut off, and after the hour the coordinator is not either.
    assert "Anfrage 2" in w.sag(OLAF, OGB, "kontakt IHK")[0].text
    w.spaeter(hours=1)
    assert "Anfrage 3" in w.sag(MAX, HH, "kontakt HWK")[0].text


def test_limits_refuse_strangers_as_before(grenz_welt: Welt) -> None:
    # Wrong role: the refusal comes first and the network's count is untouched.
    [r] = grenz_welt.sag(EVE, HH, "kontakt IHK")
    assert r.text.startswith("⛔")
    assert grenz_welt.anzahl_anfragen() == 0


def test_defaults_are_documented_values() -> None:
    werte = Grenzwerte()
    assert (werte.schreiben_je_minute, werte.schreiben_je_tag) == (20, 200)
    assert (werte.kontakt_je_stunde, werte.offene_anfragen_je_netzwerk) == (10, 5)
    assert werte.verweigert_protokoll_je_stunde == 10
