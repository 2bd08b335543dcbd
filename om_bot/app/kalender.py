"""``GET /kalender/<token>.ics`` (and HEAD) on the bot's HTTP server: the subscribed feeds.

The body comes from `om_bot.services.kalender.abrufen`, built anew for every request in a
worker thread (the database is blocking), so a change shows in the next request. What makes
polling cheap is HTTP's own: a strong ETag (the body's SHA-256) and Last-Modified (since when
the body is what it is); ``If-None-Match`` (weak comparison, RFC 9110 §13.1.2) or, without it,
``If-Modified-Since`` answer 304 without a body. ``Cache-Control: no-cache`` lets clients and
proxies keep a copy but makes them ask every time – a rotated token or a cancelled event is
never served from a stale cache.

An unknown, rotated or malformed token gets the same 404 as a path that never existed; the
token's length and alphabet are checked before anything else (`token_geformt`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from om_bot.app.web import Webserver
from om_bot.domain.kalender import MIMETYPE, token_geformt
from om_bot.services.kalender import Feedinhalt

PFAD = "/kalender/{token}.ics"
CACHE_CONTROL = "no-cache"

Abrufen = Callable[[str], Feedinhalt | None]


def _nicht_gefunden() -> web.Response:
    return web.Response(
        status=404,
        text="Nicht gefunden.\n",
        headers={"Cache-Control": "no-store"},
    )


def _unveraendert(request: web.Request, etag: str, stand: datetime) -> bool:
    """Whether the client's copy is current (RFC 9110 §13.2.2: If-None-Match wins)."""
    if request.headers.get("If-None-Match") is not None:
        angegeben = request.if_none_match or ()
        return any(e.value in (etag, "*") for e in angegeben)
    seit = request.if_modified_since
    return seit is not None and stand <= seit


def kalender_routen(server: Webserver, abrufen: Abrufen) -> None:
    """Serve the feeds on `server`; `abrufen(token)` (blocking) gives a feed or None."""

    async def feed(request: web.Request) -> web.StreamResponse:
        token = request.match_info.get("token", "")
        if not token_geformt(token):
            return _nicht_gefunden()
        inhalt = await asyncio.to_thread(abrufen, token)
        if inhalt is None:
            return _nicht_gefunden()
        antwort = web.Response(
            status=304 if _unveraendert(request, inhalt.etag, inhalt.stand) else 200,
            headers={"Cache-Control": CACHE_CONTROL, "X-Robots-Tag": "noindex"},
        )
        antwort.etag = inhalt.etag
        antwort.last_modified = inhalt.stand
        if antwort.status == 200:
            antwort.body = inhalt.daten
            antwort.content_type = MIMETYPE
            antwort.charset = "utf-8"
        return antwort

    server.get(PFAD, feed)
    server.route("HEAD", PFAD, feed)
