"""Calendar export: events as an RFC 5545 ``.ics`` file (package ``icalendar``).

What makes the file behave well in Outlook, Thunderbird, Apple and Google calendars:

* **Stable UIDs** ``termin-<id>@om-bot``: importing a newer export updates the events instead
  of duplicating them; ``SEQUENCE`` (raised by every change and cancellation) and
  ``LAST-MODIFIED`` tell the client which version is newer.
* **Local times with VTIMEZONE**: ``DTSTART;TZID=Europe/Berlin:20270312T140000`` plus a
  VTIMEZONE generated from the zoneinfo database (``Calendar.add_missing_timezones``), so a
  series at 10:00 stays at 10:00 across the change to and from daylight saving time. All-day
  events are ``VALUE=DATE``.
* **Series** keep their ``RRULE``; cancelled occurrences are ``EXDATE`` (at the occurrence's
  local start), a cancelled event or series is ``STATUS:CANCELLED`` – so a re-import removes
  it from the calendar.

**Feeds** (``abo=True``, the subscription URL ``/kalender/<token>.ics``): the same events, but
the body depends only on the events – ``DTSTAMP`` is each event's last change (RFC 5545
§3.8.7.2 for an object without ``METHOD``, so there is no METHOD), plus ``REFRESH-INTERVAL``
(RFC 7986) and ``X-PUBLISHED-TTL`` (Outlook) as polling hints. An unchanged register gives
byte-identical feeds, so their hash serves as the ETag. `FeedArt`, the token's form and the
links are here too.

Pure: the caller maps its rows to `KalenderTermin` and gets bytes back.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

PRODID = "-//Offensive Mittelstand//om-bot Termine//DE"
MIMETYPE = "text/calendar"
# How often a subscribed client should poll (a hint; clients choose themselves).
ABO_ABRUF = timedelta(hours=1)
# `secrets.token_urlsafe(TOKEN_BYTES)`: 256 random bits, 43 characters of [A-Za-z0-9_-].
TOKEN_BYTES = 32
TOKEN_LAENGE = 43
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


class FeedArt(enum.StrEnum):
    """Whose events a feed holds: one network's, a region's (with the regions inside and
    around it, like `termine <Region>`), or the whole register's."""

    NETZWERK = "netzwerk"
    REGION = "region"
    REGISTER = "register"


def token_geformt(text: str) -> bool:
    """Whether `text` has the form of a feed token (the length is checked first: hostile
    input costs nothing before it reaches a lookup)."""
    return len(text) == TOKEN_LAENGE and _TOKEN.fullmatch(text) is not None


def feed_pfad(token: str) -> str:
    return f"/kalender/{token}.ics"


def feed_links(public_url: str, token: str) -> tuple[str, str]:
    """The feed's https:// (or http://) address and the same as webcal:// (opens the
    subscription dialog of Outlook, Apple and Thunderbird)."""
    url = public_url.rstrip("/") + feed_pfad(token)
    return url, "webcal://" + url.split("://", 1)[1]


def uid(termin_id: int) -> str:
    """The event's UID; never changes, so re-imports update instead of duplicating."""
    return f"termin-{termin_id}@om-bot"


@dataclass(frozen=True)
class KalenderTermin:
    """One event as the export needs it."""

    id: int
    titel: str
    art: str
    start: datetime
    ende: datetime
    ganztaegig: bool
    zeitzone: str
    erstellt: datetime
    geaendert: datetime
    sequenz: int = 0
    rrule: str = ""
    ausnahmen: tuple[date, ...] = ()
    ort: str = ""
    region: str = ""
    netzwerk: str = ""
    abgesagt: bool = False
    ueberschneidung: bool = False


def _event(t: KalenderTermin, jetzt: datetime, abo: bool) -> icalendar.Event:
    tz = ZoneInfo(t.zeitzone)
    start = t.start.astimezone(tz)
    ende = t.ende.astimezone(tz)
    e = icalendar.Event()
    e.add("uid", uid(t.id))
    e.add("dtstamp", (t.geaendert if abo else jetzt).astimezone(UTC))
    e.add("created", t.erstellt.astimezone(UTC))
    e.add("last-modified", t.geaendert.astimezone(UTC))
    e.add("sequence", t.sequenz)
    e.add("summary", t.titel)
    if t.ganztaegig:
        e.add("dtstart", start.date())
        e.add("dtend", ende.date())
    else:
        e.add("dtstart", start)
        e.add("dtend", ende)
    if t.rrule:
        e.add("rrule", icalendar.vRecur.from_ical(t.rrule))
        if t.ausnahmen:
            if t.ganztaegig:
                e.add("exdate", sorted(t.ausnahmen))
            else:
                # EXDATE names the occurrence by its start, in the same zone as DTSTART.
                e.add(
                    "exdate",
                    [datetime.combine(tag, start.time(), tz) for tag in sorted(t.ausnahmen)],
                )
    wo = t.ort or t.region
    if wo:
        e.add("location", wo if not t.ort or not t.region else f"{t.ort} ({t.region})")
    e.add("categories", [t.art])
    beschreibung = [
        f"{t.art} · {t.netzwerk or 'ohne Netzwerk (Geschäftsstelle oder Partner)'}",
        f"Region: {t.region}" if t.region else "",
        "⚠ Terminüberschneidung in der Region" if t.ueberschneidung else "",
        f"Eingetragen mit dem OM-Bot, Termin Nr. {t.id}.",
    ]
    e.add("description", "\n".join(z for z in beschreibung if z))
    e.add("status", "CANCELLED" if t.abgesagt else "CONFIRMED")
    e.add("transp", "OPAQUE")
    return e


def kalender(
    termine: Iterable[KalenderTermin],
    jetzt: datetime,
    name: str,
    zeitzone: str,
    *,
    abo: bool = False,
) -> bytes:
    """The .ics file for `termine`; `name` becomes the calendar's display name. `abo`: as a
    feed (see the module docstring)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if abo:
        cal.add("name", name)
        cal.add("refresh-interval", ABO_ABRUF, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", icalendar.vDuration(ABO_ABRUF))
    else:
        cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", zeitzone)
    liste = list(termine)
    for t in liste:
        cal.add_component(_event(t, jetzt, abo))
    if liste:
        # The VTIMEZONE lists the transitions between these dates (RDATEs); a generous end
        # covers series that run for years.
        erstes = min(t.start for t in liste).date()
        cal.add_missing_timezones(
            first_date=date(erstes.year - 1, 1, 1), last_date=date(jetzt.year + 20, 1, 1)
        )
    return bytes(cal.to_ical())
