"""Calendars from the events: the rows of `termine export` and of the subscribed feeds.

One way from `Termin` rows to `om_bot.domain.kalender.KalenderTermin` (`kalender_termine`), used
by the file export (`om_bot.commands.termine.liste`) and the feeds, so both say the same about an
event. A feed (`/kalender/<token>.ics`, `om_bot.app.kalender`) is built anew on every request
(`abrufen`) – a change shows in the next request, there is no cache to go stale:

* **What is in it**: the events of the network, of the region (with the regions inside and
  around it, everything that can clash there – as `termine <Region>`), or of the whole
  register, that have an occurrence ending within the last `FEED_RUECKBLICK` or later.
* **Cancelled events** stay as ``STATUS:CANCELLED`` until `ABSAGE_SICHTBAR` after the later of
  their cancellation and their end (a series: after its cancellation), so every subscribed
  calendar that polls at least that often removes them; after that they leave the feed.
  Cancelling never deletes the row (`Termin.abgesagt`), so no tombstone is needed. An event
  moved to another network or region leaves the old feed at once: a subscription mirrors its
  feed, so clients drop it.
* **Caching**: the body is deterministic (no "now" in it), its SHA-256 is the ETag, and the
  feed row remembers the hash and since when the body is that (`stand`, Last-Modified).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from om_bot.domain.kalender import FeedArt, KalenderTermin, kalender, token_geformt
from om_bot.domain.termine import ueberlappende_regionen
from om_bot.storage.models import KalenderFeed, Netzwerk, Region, Termin
from om_bot.storage.uow import UnitOfWork

# Past events stay in a feed this long after their last occurrence (a subscribed calendar keeps
# the meetings of the last year instead of losing them when they end).
FEED_RUECKBLICK = timedelta(days=365)
# A cancelled event stays (STATUS:CANCELLED) this long after its cancellation or its last
# occurrence, whichever is later: clients poll hourly to daily, a month reaches every one.
ABSAGE_SICHTBAR = timedelta(days=30)


def auswahl_titel(netzwerk: Netzwerk | None, region: Region | None) -> str:
    """„von OM-Netzwerk Hamburg“, „in Bayern“, „in allen Regionen“: whose events (`termine`,
    the export, the feeds)."""
    if netzwerk is not None:
        return f"von {netzwerk.name}"
    if region is not None:
        return f"in {region.name}"
    return "in allen Regionen"


@dataclass(frozen=True)
class Ziel:
    """Whose events a feed holds: a network's, a region's or the whole register's."""

    art: FeedArt
    netzwerk: Netzwerk | None = None
    region: Region | None = None

    @property
    def titel(self) -> str:
        return auswahl_titel(self.netzwerk, self.region)

    @property
    def name(self) -> str:
        """The calendar's display name in the client."""
        return f"OM-Termine {self.titel}"

    @property
    def schluessel(self) -> str:
        """„netzwerk:5“, „region:3“, „register“: the audit log's object."""
        if self.netzwerk is not None:
            return f"netzwerk:{self.netzwerk.id}"
        if self.region is not None:
            return f"region:{self.region.id}"
        return "register"

    @classmethod
    def von(cls, feed: KalenderFeed) -> Ziel:
        return cls(feed.art, feed.netzwerk, feed.region)


def kalender_termine(
    uow: UnitOfWork, termine: Sequence[Termin], jetzt: datetime, *, kollisionen: bool = True
) -> list[KalenderTermin]:
    """The events as the .ics builder takes them; with `kollisionen` ⚠ when an occurrence not
    yet ended clashes. The feeds leave that out: another network's new event would change an
    event's text without changing the event (no SEQUENCE, no LAST-MODIFIED to tell clients)."""
    kollision = uow.termine.mit_kollision([t.id for t in termine], jetzt) if kollisionen else set()
    return [
        KalenderTermin(
            id=t.id,
            titel=t.titel,
            art=t.art.text,
            start=t.start,
            ende=t.ende,
            ganztaegig=t.ganztaegig,
            zeitzone=t.zeitzone,
            erstellt=t.erstellt,
            geaendert=t.geaendert,
            sequenz=t.sequenz,
            rrule=t.rrule,
            ausnahmen=tuple(x.tag for x in t.ausnahmen),
            ort=t.ort,
            region=t.region.name,
            netzwerk=t.netzwerk.name if t.netzwerk is not None else "",
            abgesagt=t.abgesagt is not None,
            ueberschneidung=t.id in kollision,
        )
        for t in termine
    ]


def feed_termine(uow: UnitOfWork, ziel: Ziel, jetzt: datetime) -> list[Termin]:
    """The events of `ziel`'s feed at `jetzt` (see the module docstring)."""
    region_ids = None
    if ziel.region is not None:
        region_ids = ueberlappende_regionen(ziel.region.id, uow.regionen.kanten())
    termine = uow.termine.fuer_export(
        jetzt - FEED_RUECKBLICK,
        region_ids=region_ids,
        netzwerk_id=ziel.netzwerk.id if ziel.netzwerk is not None else None,
    )
    grenze = jetzt - ABSAGE_SICHTBAR

    def sichtbar(t: Termin) -> bool:
        if t.abgesagt is None:
            return True
        # A single event: until a while after the later of its cancellation and its end (a
        # client that shows cancelled events says „fällt aus“ up to the day). A series: a
        # while after its cancellation – its stored occurrences run on to the horizon.
        return max(t.abgesagt, t.abgesagt if t.rrule else t.ende) > grenze

    return [t for t in termine if sichtbar(t)]


@functools.lru_cache(maxsize=32)
def _feed_daten(
    eintraege: tuple[KalenderTermin, ...], jahr: int, name: str, zeitzone: str
) -> bytes:
    """The feed body: a pure function of exactly these arguments (in feed mode the builder
    reads only the year of "now"), so remembering it cannot go stale – the same events give
    the same bytes, any change is a new key. Serialising is what costs (about 0.5 ms per
    event in icalendar); the events themselves are read anew for every request."""
    return kalender(eintraege, datetime(jahr, 1, 1, tzinfo=UTC), name, zeitzone, abo=True)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Feedinhalt:
    """One feed's body, its ETag (the body's SHA-256) and since when it is that."""

    daten: bytes
    etag: str
    stand: datetime


def _naechster_stand(vorher: datetime | None, jetzt: datetime) -> datetime:
    # Whole seconds, as Last-Modified has them; always later than the one before, or a client
    # that fetched within the same second would get 304 for the new body.
    neu = jetzt.replace(microsecond=0)
    if vorher is not None and neu <= vorher:
        neu = vorher + timedelta(seconds=1)
    return neu


def abrufen(uow: UnitOfWork, token: str, jetzt: datetime, tz: ZoneInfo) -> Feedinhalt | None:
    """The feed of `token` at `jetzt`; None for a token that is not (or no longer) one.

    The token's form is checked before any lookup (hostile input), the lookup goes by its
    hash. Writes only the feed's own row, when the body differs from the one served last
    (a new `stand`). Series are not extended here (`auffuellen` is the commands' and the
    scheduler's): their RRULE is in the feed anyway, and a request must not race a command
    writing occurrences.
    """
    if not token_geformt(token):
        return None
    feed = uow.kalender_feeds.nach_token_hash(token_hash(token))
    if feed is None:
        return None
    ziel = Ziel.von(feed)
    termine = feed_termine(uow, ziel, jetzt)
    eintraege = tuple(kalender_termine(uow, termine, jetzt, kollisionen=False))
    daten = _feed_daten(eintraege, jetzt.year, ziel.name, tz.key)
    etag = hashlib.sha256(daten).hexdigest()
    if feed.stand is None or feed.inhalt_sha256 != etag:
        feed.stand = _naechster_stand(feed.stand, jetzt)
        feed.inhalt_sha256 = etag
        uow.commit()
    return Feedinhalt(daten, etag, feed.stand)
