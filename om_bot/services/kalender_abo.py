"""Calendar subscriptions: who may see a feed's link where, and making and rotating tokens.

`kalender`, `kalender neu` and their named forms (`om_bot.commands.termine.kalender`) call
`zeigen` and `erneuern`; the feed itself is `om_bot.services.kalender`. The rules
(docs/rechte.md, „Kalender-Feeds“) ask who asks AND where, because a link shown in a room is
readable by everyone in it:

* **Seeing a link.** A network's feed in the rooms linked to that network (everyone there: they
  are whom the feed is for), a region's feed in the rooms of networks whose region lies inside,
  around or is that region, any feed in the Geschäftsstelle's room; in a direct chat with the
  bot a network's feed for its coordination, the Geschäftsstelle and admins, the others for the
  Geschäftsstelle and admins. Nowhere else – not in an unlinked room, not in another network's
  room, not even for an admin (the link would be readable by strangers there).
* **Rotating** (`neu`): a network's feed its coordination, the Geschäftsstelle and admins
  (`Rolle.NETZWERK`; a room's moderators do not speak for the network), region and register
  feeds the Geschäftsstelle and admins – and only where the new link may be seen.

Every refusal raises `AboVerweigert` (a `Verweigert`): the router rolls back, answers ⛔ and
writes the audit line. A token is made when a feed's link is first shown, and the HTTP server
must be on with a public URL (`AboAdresse`), else nothing is made and the command says so.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from om_bot.domain.audit import AuditAktion
from om_bot.domain.fehler import UsageError
from om_bot.domain.kalender import TOKEN_BYTES, FeedArt, feed_links
from om_bot.domain.roles import Rolle, Verweigert
from om_bot.domain.termine import ueberlappende_regionen
from om_bot.services.aufruf import Aufruf
from om_bot.services.kalender import Ziel, token_hash
from om_bot.services.register import finde_netzwerk, finde_region, rollen_von
from om_bot.storage.models import KalenderFeed


@dataclass(frozen=True)
class AboAdresse:
    """What the composition root knows of the HTTP server: on or off (``[http] enabled``), and
    its address from outside (``[http] public_url``, "" when none)."""

    http_an: bool = False
    public_url: str = ""

    @property
    def bereit(self) -> bool:
        return self.http_an and bool(self.public_url)


class AboVerweigert(Verweigert):
    """A refusal with its own text (who may, where); the router audits it."""

    def __init__(self, meldung: str, rolle: Rolle) -> None:
        super().__init__(rolle)
        self.args = (meldung,)


@dataclass(frozen=True)
class Abo:
    """A feed's link: `neu` – the token was made now, `erneuert` – it replaced another."""

    ziel: Ziel
    https: str
    webcal: str
    neu: bool = False
    erneuert: bool = False


@dataclass(frozen=True)
class NichtEingerichtet:
    """The HTTP server is off or has no public URL: no link exists, nothing was made."""

    ziel: Ziel
    http_an: bool


# --- which feed ------------------------------------------------------------------------------

_UNVERKNUEPFT = (
    "Dieser Raum ist mit keinem Netzwerk verknüpft. Kalender-Links zeigt der Bot nur in den "
    "Räumen eines Netzwerks, im Raum der Geschäftsstelle und im Direktchat."
)


def raum_ziel(a: Aufruf) -> Ziel:
    """The feed of the room the command was typed in: its network's, in the Geschäftsstelle's
    room (or a direct chat of the Geschäftsstelle) the register's."""
    akteur = a.akteur
    if akteur.geschaeftsstelle_raum:
        return Ziel(FeedArt.REGISTER)
    if akteur.raum_netzwerk_id is not None:
        netzwerk = a.uow.netzwerke.get(akteur.raum_netzwerk_id)
        if netzwerk is not None:
            return Ziel(FeedArt.NETZWERK, netzwerk=netzwerk)
    if akteur.direkt:
        if a.rollen.darf(akteur, Rolle.GESCHAEFTSSTELLE):
            return Ziel(FeedArt.REGISTER)
        p = a.prefix
        raise UsageError(
            "Im Direktchat bitte sagen, welcher Kalender gemeint ist.",
            usage=f"{p} kalender netzwerk <Netzwerk>",
            beispiel=f"{p} kalender netzwerk Hamburg",
        )
    raise AboVerweigert(_UNVERKNUEPFT, Rolle.NETZWERK)


def benanntes_ziel(a: Aufruf, art: FeedArt, text: str) -> Ziel:
    """The network's (art NETZWERK) or the region's (REGION) feed that `text` names."""
    p = a.prefix
    try:
        if art is FeedArt.NETZWERK:
            return Ziel(art, netzwerk=finde_netzwerk(a.uow, text))
        return Ziel(art, region=finde_region(a.uow, text))
    except UsageError as fehler:
        wort, beispiel = (
            ("Netzwerk", "Hamburg") if art is FeedArt.NETZWERK else ("Region", "Bayern")
        )
        raise UsageError(
            fehler.meldung,
            usage=f"{p} kalender {art.value} <{wort}>",
            beispiel=f"{p} kalender {art.value} {beispiel}",
        ) from None


# --- who may, where --------------------------------------------------------------------------


def _darf_person(a: Aufruf, ziel: Ziel) -> bool:
    """The person, wherever: a network's coordination (or the Geschäftsstelle, admins) for its
    feed, the Geschäftsstelle and admins for the others."""
    if ziel.netzwerk is not None:
        return a.rollen.darf(a.akteur, Rolle.NETZWERK, rollen_von(a.uow, ziel.netzwerk))
    return a.rollen.darf(a.akteur, Rolle.GESCHAEFTSSTELLE)


def _ort_verweigert(a: Aufruf, ziel: Ziel) -> str | None:
    """Why the link of `ziel` must not appear where the command was typed; None: it may."""
    akteur = a.akteur
    if akteur.geschaeftsstelle_raum:
        return None
    if akteur.direkt:
        if _darf_person(a, ziel):
            return None
        if ziel.netzwerk is not None:
            return (
                f"Den Kalender {ziel.titel} zeigt der Bot im Direktchat nur der Koordination von "
                f"{ziel.netzwerk.name}, der Geschäftsstelle und Admins – allen anderen in den "
                "Räumen des Netzwerks."
            )
        return (
            f"Den Kalender {ziel.titel} zeigt der Bot im Direktchat nur der Geschäftsstelle und "
            "Admins."
        )
    raum_netzwerk = (
        a.uow.netzwerke.get(akteur.raum_netzwerk_id)
        if akteur.raum_netzwerk_id is not None
        else None
    )
    if raum_netzwerk is None:
        return _UNVERKNUEPFT
    if ziel.netzwerk is not None:
        if ziel.netzwerk.id == raum_netzwerk.id:
            return None
        return (
            f"Dies ist ein Raum von {raum_netzwerk.name}. Den Kalender {ziel.titel} zeigt der "
            f"Bot nur in dessen Räumen, im Raum der Geschäftsstelle und im Direktchat der "
            f"Koordination von {ziel.netzwerk.name}."
        )
    if ziel.region is not None:
        umfeld = ueberlappende_regionen(ziel.region.id, a.uow.regionen.kanten())
        if raum_netzwerk.region_id in umfeld:
            return None
        return (
            f"Den Kalender {ziel.titel} zeigt der Bot in den Räumen der Netzwerke dort, im Raum "
            f"der Geschäftsstelle und der Geschäftsstelle im Direktchat; {raum_netzwerk.name} "
            f"liegt nicht in {ziel.region.name}."
        )
    return (
        "Den Kalender aller Termine zeigt der Bot nur im Raum der Geschäftsstelle und der "
        "Geschäftsstelle im Direktchat."
    )


def _rolle(ziel: Ziel) -> Rolle:
    return Rolle.NETZWERK if ziel.netzwerk is not None else Rolle.GESCHAEFTSSTELLE


def _pruefe_ort(a: Aufruf, ziel: Ziel) -> None:
    grund = _ort_verweigert(a, ziel)
    if grund is not None:
        raise AboVerweigert(grund, _rolle(ziel))


# --- the use cases ---------------------------------------------------------------------------


def _neues_token(feed: KalenderFeed) -> str:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed.token, feed.token_sha256 = token, token_hash(token)
    # A new URL is a new resource: its Last-Modified starts with its first request.
    feed.inhalt_sha256, feed.stand = "", None
    return token


def _feed(a: Aufruf, ziel: Ziel) -> KalenderFeed | None:
    return a.uow.kalender_feeds.fuer(
        ziel.art,
        netzwerk_id=ziel.netzwerk.id if ziel.netzwerk is not None else None,
        region_id=ziel.region.id if ziel.region is not None else None,
    )


def _abo(adresse: AboAdresse, ziel: Ziel, token: str, neu: bool, erneuert: bool) -> Abo:
    https, webcal = feed_links(adresse.public_url, token)
    return Abo(ziel, https, webcal, neu=neu, erneuert=erneuert)


def _audit(a: Aufruf, aktion: AuditAktion, ziel: Ziel) -> None:
    # Never the token: the audit log is shown in `verlauf`.
    a.audit(
        aktion,
        netzwerk_id=ziel.netzwerk.id if ziel.netzwerk is not None else None,
        objekt=f"kalender:{ziel.schluessel}",
        nachher={"kalender": ziel.name},
    )


def zeigen(a: Aufruf, ziel: Ziel, adresse: AboAdresse) -> Abo | NichtEingerichtet:
    """The link of `ziel`'s feed, if it may be seen here; made (audited) on first use."""
    _pruefe_ort(a, ziel)
    if not adresse.bereit:
        return NichtEingerichtet(ziel, adresse.http_an)
    feed = _feed(a, ziel)
    if feed is not None:
        return _abo(adresse, ziel, feed.token, neu=False, erneuert=False)
    feed = KalenderFeed(
        art=ziel.art,
        netzwerk_id=ziel.netzwerk.id if ziel.netzwerk is not None else None,
        region_id=ziel.region.id if ziel.region is not None else None,
        erstellt=a.now(),
        erstellt_von=a.wer,
    )
    token = _neues_token(feed)
    a.uow.kalender_feeds.add(feed)
    _audit(a, AuditAktion.KALENDER_ANGELEGT, ziel)
    a.uow.commit()
    return _abo(adresse, ziel, token, neu=True, erneuert=False)


def erneuern(a: Aufruf, ziel: Ziel, adresse: AboAdresse) -> Abo | NichtEingerichtet:
    """A new token for `ziel`'s feed; the old URL answers 404 from now on (audited)."""
    if not _darf_person(a, ziel):
        wer = (
            f"die Koordination von {ziel.netzwerk.name}, die Geschäftsstelle und Admins"
            if ziel.netzwerk is not None
            else "die Geschäftsstelle und Admins"
        )
        raise AboVerweigert(f"Den Kalender {ziel.titel} erneuern dürfen nur {wer}.", _rolle(ziel))
    _pruefe_ort(a, ziel)
    if not adresse.bereit:
        return NichtEingerichtet(ziel, adresse.http_an)
    feed = _feed(a, ziel)
    if feed is None:
        return zeigen(a, ziel, adresse)
    token = _neues_token(feed)
    feed.erneuert, feed.erneuert_von = a.now(), a.wer
    _audit(a, AuditAktion.KALENDER_ERNEUERT, ziel)
    a.uow.commit()
    return _abo(adresse, ziel, token, neu=False, erneuert=True)
