"""What the use cases of `om_bot.services.kontaktverfahren` return: plain values the command
module words (`om_bot/commands/anfragen_text.py`). Requests are the rows as re-read after the
step; `sichtbar` says whether the named person's contact data may be shown where the command
was typed (`om_bot.domain.kontaktverfahren.sichtbar`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from om_bot.domain import kontaktverfahren as kv
from om_bot.services.datenschutz import Geloescht
from om_bot.storage.models import Anfrage, Netzwerk, Partner, RegionalerKontakt

T = TypeVar("T")


@dataclass(frozen=True)
class Angelegt(Generic[T]):
    """`anfragen`: the new request, and what the register already knows for its region."""

    anfrage: Anfrage
    netzwerk: Netzwerk
    partner: Partner
    notiz: str
    jetzt: datetime
    # The partner's regional contact for the region or one around it, newest first.
    bekannt: RegionalerKontakt | None
    # What the Parallelansprache step returned.
    parallel: T


@dataclass(frozen=True)
class SchonOffen:
    """`anfragen`: the network already has an open request to the partner; nothing new."""

    offen: Anfrage
    netzwerk: Netzwerk
    partner: Partner


@dataclass(frozen=True)
class ZuViele:
    """`anfragen`: the network has as many open requests as it may; nothing new."""

    netzwerk: Netzwerk
    offene: Sequence[Anfrage]
    hoechstens: int


@dataclass(frozen=True)
class Getan:
    """A step taken: the request (re-read, in its new state), the state before, the capacity
    the step was taken in and all capacities of the person."""

    anfrage: Anfrage
    alt: kv.Zustand
    als: kv.Beteiligt
    beteiligt: frozenset[kv.Beteiligt]


@dataclass(frozen=True)
class AusRegister(Getan):
    kontakt: RegionalerKontakt
    # Whether the person taken over may be repeated where the command was typed.
    sichtbar: bool


@dataclass(frozen=True)
class Benannt(Getan):
    person: kv.Kontaktdaten


@dataclass(frozen=True)
class Freigegeben(Getan):
    person: kv.Kontaktdaten
    # The rooms linked to the requesting network: the contact data goes there.
    raeume: tuple[str, ...]


@dataclass(frozen=True)
class Loeschung:
    anfrage: Anfrage
    geloescht: Geloescht


@dataclass(frozen=True)
class SchonGeloescht:
    """`loeschen`: the personal data was deleted before, at `am`; nothing changed."""

    anfrage: Anfrage
    am: datetime


@dataclass(frozen=True)
class Verlaufseintrag:
    """One audited step of a request's history (`/om anfrage N`)."""

    zeit: datetime
    akteur: str
    vorher: str | None
    nachher: str | None
    schritt: str
    rolle: kv.Beteiligt | None


@dataclass(frozen=True)
class Ansicht:
    """`zeigen`: the request for this person here."""

    anfrage: Anfrage
    beteiligt: frozenset[kv.Beteiligt]
    # Whether the named person's contact data may be shown here (`kv.sichtbar`).
    sichtbar: bool
    verlauf: tuple[Verlaufseintrag, ...]
