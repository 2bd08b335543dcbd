"""Calendar feeds (`om_bot.services.kalender`, `om_bot.app.kalender`): the table's constraints,
what a feed holds (a network's, a region's, the register's events; cancelled ones for a while),
a body that only changes with the events, and the real HTTP server of `runtime.build` – 200 with
a feed icalendar parses, ETag/Last-Modified and 304, HEAD, 404 for revoked, unknown and hostile
tokens alike, and a new, changed or cancelled event in the very next request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import aiohttp
import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from om_bot.domain.kalender import FeedArt, feed_links, token_geformt
from om_bot.services.kalender import ABSAGE_SICHTBAR, FEED_RUECKBLICK, token_hash
from om_bot.storage.models import KalenderFeed, Netzwerk, Termin
from om_bot.storage.uow import UnitOfWork
from tests.abo import (
    EVE,
    GS,
    GS_RAUM,
    HH,
    INA,
    MAX,
    MORITZ,
    MUC,
    B,
    abo_welt,
    abruf,
    token_aus,
)
from tests.chat import Welt

TREFFEN = "termin Netzwerktreffen am 12.03.2027 um 14:00 bis 16:00"


@pytest.fixture
def welt(beispiel_vorlage: Path, tmp_path: Path) -> Welt:
    return abo_welt(beispiel_vorlage, tmp_path / "feed.sqlite3")


def _events(daten: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(daten)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def _feed(welt: Welt, raum: str = HH, text: str = "kalender", wer: str = MAX) -> str:
    return token_aus(welt.antwort(wer, raum, text))


def _termin(welt: Welt, wer: str, raum: str, text: str) -> int:
    welt.sag(wer, raum, text)
    nr: int = max(welt.db(select(Termin.id)))
    return nr


def _inhalt(welt: Welt, token: str) -> bytes:
    inhalt = abruf(welt, token)
    assert inhalt is not None
    return inhalt.daten


# --- storage -----------------------------------------------------------------------------------


def _zeile(uow: UnitOfWork, art: FeedArt, nr: int, **ziel: int | None) -> None:
    jetzt = datetime(2027, 1, 1, tzinfo=UTC)
    uow.kalender_feeds.add(
        KalenderFeed(art=art, token=f"t{nr}", token_sha256=f"{nr:064x}", erstellt=jetzt, **ziel)
    )
    uow.flush()


def test_ein_feed_je_ziel_und_art_passt_zum_ziel(sample_uow: Callable[[], UnitOfWork]) -> None:
    with sample_uow() as uow:
        netzwerk = uow.session.scalars(select(Netzwerk).limit(1)).one()
        _zeile(uow, FeedArt.NETZWERK, 1, netzwerk_id=netzwerk.id)
        _zeile(uow, FeedArt.REGION, 2, region_id=netzwerk.region_id)
        _zeile(uow, FeedArt.REGISTER, 3)
        uow.commit()
        feed = uow.kalender_feeds.fuer(FeedArt.NETZWERK, netzwerk_id=netzwerk.id)
        assert feed is not None and feed.token == "t1"
        assert uow.kalender_feeds.nach_token_hash(f"{3:064x}") is not None
        assert uow.kalender_feeds.fuer(FeedArt.REGISTER) is not None
        ids = (netzwerk.id, netzwerk.region_id)
    falsch: list[tuple[FeedArt, dict[str, int | None]]] = [
        (FeedArt.NETZWERK, {"netzwerk_id": ids[0]}),  # a second feed for the network
        (FeedArt.REGION, {"region_id": ids[1]}),
        (FeedArt.REGISTER, {}),  # a second register feed
        (FeedArt.NETZWERK, {}),  # a network feed without its network
        (FeedArt.REGISTER, {"region_id": ids[1]}),
    ]
    for nr, (art, ziel) in enumerate(falsch, start=10):
        with pytest.raises(IntegrityError), sample_uow() as uow:
            _zeile(uow, art, nr, **ziel)
    with sample_uow() as uow:
        assert len(uow.session.scalars(select(KalenderFeed)).all()) == 3


def test_token_form_und_links() -> None:
    assert token_geformt("A" * 43) and token_geformt("a-_9" * 10 + "xyz")
    for falsch in ("", "A" * 42, "A" * 44, "A" * 42 + "/", "A" * 42 + ".", "Ä" * 43, "A" * 10_000):
        assert not token_geformt(falsch)
    assert feed_links("https://bot.example.org", "T") == (
        "https://bot.example.org/kalender/T.ics",
        "webcal://bot.example.org/kalender/T.ics",
    )
    assert feed_links("http://h:8080/om/", "T")[1] == "webcal://h:8080/om/kalender/T.ics"


# --- what a feed holds -------------------------------------------------------------------------


def test_netzwerk_region_und_register_feed(welt: Welt) -> None:
    hh = _termin(welt, MAX, HH, TREFFEN)
    muc = _termin(welt, MORITZ, MUC, "termin Workshop am 15.03.2027 um 10 Uhr")
    netz = _events(_inhalt(welt, _feed(welt)))
    assert list(netz) == [f"termin-{hh}@om-bot"]
    [e] = netz.values()
    assert e["DTSTART"].dt == datetime(2027, 3, 12, 14, tzinfo=B)
    assert str(e["STATUS"]) == "CONFIRMED" and int(e["SEQUENCE"]) == 0
    # DTSTAMP is the last change, not the time of the request (so the body is stable).
    assert e["DTSTAMP"].dt == e["LAST-MODIFIED"].dt
    cal = icalendar.Calendar.from_ical(_inhalt(welt, _feed(welt)))
    assert str(cal["X-WR-CALNAME"]) == "OM-Termine von OM-Netzwerk Hamburg"
    assert "METHOD" not in cal and str(cal["REFRESH-INTERVAL"].to_ical().decode()) == "PT1H"
    bayern = _events(_inhalt(welt, _feed(welt, MUC, "kalender region Bayern", MORITZ)))
    assert list(bayern) == [f"termin-{muc}@om-bot"]
    alle = _events(_inhalt(welt, _feed(welt, GS_RAUM, "kalender", GS)))
    assert set(alle) == {f"termin-{hh}@om-bot", f"termin-{muc}@om-bot"}


def test_abgesagte_bleiben_eine_weile_als_cancelled(welt: Welt) -> None:
    nr = _termin(welt, MAX, HH, TREFFEN)
    token = _feed(welt)
    welt.sag(MAX, HH, f"termin absagen {nr}")
    [e] = _events(_inhalt(welt, token)).values()
    assert str(e["STATUS"]) == "CANCELLED" and int(e["SEQUENCE"]) == 1
    assert e["LAST-MODIFIED"].dt == welt.uhr().replace(microsecond=0)
    # Cancelled months ahead: it stays until ABSAGE_SICHTBAR after the event …
    # (In UTC: 30 days after 16:00 CET is 17:00 CEST.)
    ende = datetime(2027, 3, 12, 16, tzinfo=B).astimezone(UTC)
    welt.uhr.advance_to(ende + ABSAGE_SICHTBAR - timedelta(minutes=1))
    assert [str(e["STATUS"]) for e in _events(_inhalt(welt, token)).values()] == ["CANCELLED"]
    # … and then leaves the feed (the row stays: the history, `termin <nr>`).
    welt.spaeter(minutes=2)
    assert _events(_inhalt(welt, token)) == {}
    assert welt.termin(nr).abgesagt is not None


def test_eine_abgesagte_serie_bleibt_dreissig_tage_nach_der_absage(welt: Welt) -> None:
    nr = _termin(welt, MAX, HH, "termin Stammtisch jeden Montag um 18 Uhr")
    token = _feed(welt)
    welt.spaeter(days=20)
    welt.sag(MAX, HH, f"termin absagen {nr}")
    [e] = _events(_inhalt(welt, token)).values()
    assert str(e["STATUS"]) == "CANCELLED" and "RRULE" in e
    abgesagt = welt.uhr()
    welt.uhr.advance_to(abgesagt + ABSAGE_SICHTBAR - timedelta(minutes=1))
    assert list(_events(_inhalt(welt, token))) == [f"termin-{nr}@om-bot"]
    welt.spaeter(minutes=2)
    assert _events(_inhalt(welt, token)) == {}


def test_vergangene_termine_bleiben_ein_jahr(welt: Welt) -> None:
    _termin(welt, MAX, HH, "termin Stammtisch morgen um 18 Uhr")
    token = _feed(welt)
    morgen_ende = datetime(2026, 11, 19, 20, tzinfo=B).astimezone(UTC)
    welt.uhr.advance_to(morgen_ende + FEED_RUECKBLICK - timedelta(minutes=1))
    assert len(_events(_inhalt(welt, token))) == 1
    welt.spaeter(minutes=2)
    assert _events(_inhalt(welt, token)) == {}


def test_der_inhalt_aendert_sich_nur_mit_den_terminen(welt: Welt) -> None:
    nr = _termin(welt, MAX, HH, TREFFEN)
    token = _feed(welt)
    erst = abruf(welt, token)
    assert erst is not None and erst.stand == welt.uhr().replace(microsecond=0)
    welt.spaeter(hours=3)
    gleich = abruf(welt, token)
    assert gleich == erst  # same bytes, same ETag, same Last-Modified
    # Renaming the network changes the body though no event changed: a new `stand`.
    with welt.uow() as uow:
        netzwerk = uow.netzwerke.get(welt.netzwerk_id("OM-Netzwerk Hamburg"))
        assert netzwerk is not None
        netzwerk.name = "OM-Netzwerk Hamburg-Mitte"
        uow.commit()
    umbenannt = abruf(welt, token)
    assert umbenannt is not None and umbenannt.etag != erst.etag
    assert umbenannt.stand == welt.uhr().replace(microsecond=0) > erst.stand
    # Moving the event to another network takes it out of this feed.
    with welt.uow() as uow:
        termin = uow.termine.get(nr)
        assert termin is not None
        termin.netzwerk_id = welt.netzwerk_id("OM-Netzwerk München")
        uow.commit()
    leer = abruf(welt, token)
    assert leer is not None and _events(leer.daten) == {}
    # Two changes within one second still get distinct Last-Modified values.
    assert leer.stand == umbenannt.stand + timedelta(seconds=1)


def test_ueberschneidungen_anderer_aendern_den_feed_nicht(welt: Welt) -> None:
    nr = _termin(welt, MAX, HH, TREFFEN)
    token = _feed(welt)
    vorher = abruf(welt, token)
    welt.raum("!ddn", "DDN-Regionalnetzwerk Hamburg")
    welt.sag(INA, "!ddn", "termin Sommerabend am 12.03.2027 um 15 Uhr")
    assert welt.vorkommen(nr)[0].kollision
    # No SEQUENCE or LAST-MODIFIED would tell the clients: the feed leaves the mark out …
    assert abruf(welt, token) == vorher
    # … the file export still warns.
    [datei] = welt.sag(EVE, "!frei", "termine export OM-Netzwerk Hamburg")
    assert datei.attachment is not None
    [e] = _events(datei.attachment.data).values()
    assert "Terminüberschneidung" in str(e["DESCRIPTION"])


def test_feindliche_und_falsche_tokens(welt: Welt) -> None:
    token = _feed(welt)
    assert abruf(welt, token) is not None
    for falsch in (
        token[:-1],
        token + "x",
        token.upper() if token.upper() != token else "A" * 43,
        "x" * 100_000,
        "../" * 15,
        token[:-1] + "/",
    ):
        assert abruf(welt, falsch) is None
    # The lookup goes by the hash; a row with the token's hash is what counts.
    with welt.uow() as uow:
        feed = uow.kalender_feeds.nach_token_hash(token_hash(token))
        assert feed is not None and feed.token == token


# --- the HTTP server ---------------------------------------------------------------------------


@pytest.fixture
async def server(welt: Welt) -> AsyncIterator[str]:
    web = welt.app.web
    assert web is not None and "/kalender/{token}.ics" in web.pfade
    await web.start()
    try:
        yield web.url
    finally:
        await web.stop()


async def test_http_feed_mit_bedingtem_get_head_und_404(welt: Welt, server: str) -> None:
    nr = _termin(welt, MAX, HH, TREFFEN)
    token = _feed(welt)
    url = f"{server}/kalender/{token}.ics"
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as antwort:
            assert antwort.status == 200
            assert antwort.headers["Content-Type"] == "text/calendar; charset=utf-8"
            assert antwort.headers["Cache-Control"] == "no-cache"
            etag, zuletzt = antwort.headers["ETag"], antwort.headers["Last-Modified"]
            daten = await antwort.read()
        assert list(_events(daten)) == [f"termin-{nr}@om-bot"]
        assert etag.startswith('"') and len(etag) == 66
        assert zuletzt == format_datetime(welt.uhr().replace(microsecond=0), usegmt=True)

        welt.spaeter(minutes=10)
        for kopf in (
            {"If-None-Match": etag},
            {"If-None-Match": f'"x", W/{etag}'},
            {"If-None-Match": "*"},
            {"If-Modified-Since": zuletzt},
        ):
            async with http.get(url, headers=kopf) as antwort:
                assert antwort.status == 304, kopf
                assert await antwort.read() == b""
                assert antwort.headers["ETag"] == etag
                assert antwort.headers["Last-Modified"] == zuletzt
        frueher = format_datetime(welt.uhr() - timedelta(days=1), usegmt=True)
        for kopf in (
            {"If-None-Match": '"anders"'},
            {"If-Modified-Since": frueher},
            # If-None-Match wins over a matching If-Modified-Since (RFC 9110).
            {"If-None-Match": '"anders"', "If-Modified-Since": zuletzt},
        ):
            async with http.get(url, headers=kopf) as antwort:
                assert antwort.status == 200, kopf
                assert await antwort.read() == daten

        async with http.head(url) as antwort:
            assert antwort.status == 200 and await antwort.read() == b""
            assert antwort.headers["ETag"] == etag
            assert antwort.headers["Content-Length"] == str(len(daten))

        # Rotated, unknown, malformed, hostile: one and the same 404.
        welt.sag(MAX, HH, "kalender neu")
        antworten = []
        for pfad in (token, "A" * 43, token[:20], "x" * 5000, "%2e%2e%2f" * 5):
            async with http.get(f"{server}/kalender/{pfad}.ics") as antwort:
                antworten.append(
                    (antwort.status, await antwort.read(), antwort.headers.get("Cache-Control"))
                )
        assert set(antworten) == {(404, b"Nicht gefunden.\n", "no-store")}
        async with http.head(url) as antwort:
            assert antwort.status == 404


async def test_http_feed_zeigt_jede_aenderung_mit_der_naechsten_anfrage(
    welt: Welt, server: str
) -> None:
    token = _feed(welt)
    url = f"{server}/kalender/{token}.ics"

    async def holen(http: aiohttp.ClientSession, etag: str) -> tuple[int, str, bytes]:
        async with http.get(url, headers={"If-None-Match": etag} if etag else {}) as antwort:
            return antwort.status, antwort.headers["ETag"], await antwort.read()

    async with aiohttp.ClientSession() as http:
        status, etag, daten = await holen(http, "")
        assert status == 200 and _events(daten) == {}
        # New.
        nr = _termin(welt, MAX, HH, TREFFEN)
        status, etag, daten = await holen(http, etag)
        assert status == 200 and list(_events(daten)) == [f"termin-{nr}@om-bot"]
        assert (await holen(http, etag))[0] == 304
        # Changed: new time, SEQUENCE up.
        welt.spaeter(minutes=5)
        welt.sag(MAX, HH, f"termin ändern {nr} am 13.03.2027 um 15 Uhr")
        status, etag, daten = await holen(http, etag)
        [e] = _events(daten).values()
        assert status == 200 and e["DTSTART"].dt == datetime(2027, 3, 13, 15, tzinfo=B)
        assert int(e["SEQUENCE"]) == 1
        # Cancelled: STATUS:CANCELLED, SEQUENCE up again.
        welt.spaeter(minutes=5)
        welt.sag(MAX, HH, f"termin absagen {nr}")
        status, etag, daten = await holen(http, etag)
        [e] = _events(daten).values()
        assert status == 200 and str(e["STATUS"]) == "CANCELLED" and int(e["SEQUENCE"]) == 2
        # Someone else's event in another network: this feed stays as it is.
        _termin(welt, MORITZ, MUC, "termin Workshop am 15.03.2027 um 10 Uhr")
        assert (await holen(http, etag))[0] == 304
        # The register's feed in the Geschäftsstelle's room has both.
        alle = _feed(welt, GS_RAUM, "kalender", EVE)
        async with http.get(f"{server}/kalender/{alle}.ics") as antwort:
            assert len(_events(await antwort.read())) == 2


async def test_gleichzeitige_anfragen_nach_einer_aenderung(welt: Welt, server: str) -> None:
    token = _feed(welt)
    url = f"{server}/kalender/{token}.ics"
    async with aiohttp.ClientSession() as http:

        async def holen() -> tuple[int, str, str]:
            async with http.get(url) as antwort:
                await antwort.read()
                return antwort.status, antwort.headers["ETag"], antwort.headers["Last-Modified"]

        for runde in range(3):
            # Each round the body changes; 20 requests at once all see the same new feed.
            _termin(welt, MAX, HH, f"termin Treffen {runde} am 1{runde}.03.2027 um 10 Uhr")
            welt.spaeter(seconds=5)
            ergebnisse = await asyncio.gather(*(holen() for _ in range(20)))
            assert {status for status, _, _ in ergebnisse} == {200}
            assert len({(etag, stand) for _, etag, stand in ergebnisse}) == 1
