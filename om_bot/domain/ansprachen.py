"""Parallelansprachen (seed 000): two networks approaching the same institution in one region.

"Terminüberschneidungen von Veranstaltungen und Parallelansprachen von Ansprechpartnern und
Institutionen in der Region sollten in jedem Fall vermieden werden." (seed 000)

Every time a network approaches an institution or a person, an `Ansprache` row records who
(network), whom (institution, optionally a person and the partner from the register), where
(the network's region), when, and from which source: a contact request (`Quelle.ANFRAGE`, from
`/om kontakt`) or a recorded approach (`Quelle.ANSPRACHE`, from `/om ansprache`). Both go
through one use case, `om_bot.services.ansprachen.erfassen`, which applies the rules here:

    partner = partner_fuer(text, uow.partner.alle())            # which register partner, if any
    kandidaten = uow.ansprachen.kandidaten(neu, FENSTER)       # indexed: same target, in time
    parallel = parallele_ansprachen(neu, kandidaten, uow.regionen.kanten())

**One rule for the partner** (`partner_fuer`): a text names a partner of the register when it
is the partner's short name („IHK“), its full name („Industrie- und Handelskammern (DIHK)“) or
a whole-word part of the full name of exactly one partner („Handelskammern“, „DIHK“, „ZDH“) –
compared folded („Handwerkskammern“ = „handwerkskammern“); several partners or none: no
partner. It is the rule by which `/om kontakt` finds the partner it asks, so the same words
mean the same partner whichever way a network approaches it: `kontakt HWK` in one network and
`ansprache ZDH` in the next are one target. (`ansprache` used to accept only the exact short
or full name, so the register's full names with an abbreviation in brackets were never hit and
such a Parallelansprache went unnoticed – the miss seed 000 asks to avoid, while a warning too
many costs only a look.) An approach with a partner matches every other approach of that
partner, however spelled; without one, the institution's key or the person's.

`parallele_ansprachen` keeps the approaches of *other* networks in the same, an enclosing or a
nested region (`om_bot.domain.regions`) within the window (default 30 days), the latest per network.
`warnung` and `hinweis` word the warning for the approaching network and the notice for the
networks it collides with, so every caller warns alike.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Protocol, TypeVar

from om_bot.domain.dates import datum_text
from om_bot.domain.matching import fold
from om_bot.domain.regions import innerhalb, umfassend
from om_bot.text.format import B, I, Msg

FENSTER = timedelta(days=30)
SEED_000 = (
    "„Terminüberschneidungen von Veranstaltungen und Parallelansprachen von Ansprechpartnern "
    "und Institutionen in der Region sollten in jedem Fall vermieden werden.“"
)


class Quelle(enum.StrEnum):
    ANFRAGE = "anfrage"  # a contact request through the Geschäftsstelle (seed 002)
    ANSPRACHE = "ansprache"  # a network records that it approaches someone itself


class PartnerArtig(Protocol):
    """What the partner rule reads of a register partner (`storage.models.Partner` has it)."""

    @property
    def kurz(self) -> str: ...
    @property
    def name(self) -> str: ...


P = TypeVar("P", bound=PartnerArtig)


def partner_fuer(text: str, partner: Sequence[P]) -> P | None:
    """The partner `text` names: its short name, its full name, or a whole-word part of the
    full name – the first of these that fits exactly one partner; None if none does."""
    key = fold(text)
    if not key:
        return None
    for treffer in (
        [p for p in partner if fold(p.kurz) == key],
        [p for p in partner if fold(p.name) == key],
        [p for p in partner if f" {key} " in f" {fold(p.name)} "],
    ):
        if len(treffer) == 1:
            return treffer[0]
    return None


class AnspracheArtig(Protocol):
    """What the rule reads of an approach (the `storage.models.Ansprache` row has it)."""

    @property
    def netzwerk_id(self) -> int: ...
    @property
    def region_id(self) -> int: ...
    @property
    def institution_schluessel(self) -> str: ...
    @property
    def person_schluessel(self) -> str: ...
    @property
    def partner_id(self) -> int | None: ...
    @property
    def zeit(self) -> datetime: ...


A = TypeVar("A", bound=AnspracheArtig)


def schluessel(text: str) -> str:
    """The comparison key of an institution or person ("IHK" = "ihk", "Müller" = "Mueller")."""
    return fold(text)


def gleiches_ziel(a: AnspracheArtig, b: AnspracheArtig) -> bool:
    """Whether two approaches aim at the same institution or the same person."""
    if a.partner_id is not None and a.partner_id == b.partner_id:
        return True
    if a.institution_schluessel and a.institution_schluessel == b.institution_schluessel:
        return True
    return bool(a.person_schluessel) and a.person_schluessel == b.person_schluessel


def parallele_ansprachen(
    neu: AnspracheArtig,
    vorhandene: Iterable[A],
    kanten: Iterable[tuple[int, int]],
    fenster: timedelta = FENSTER,
) -> list[A]:
    """The approaches of other networks that collide with `neu`, latest first, one per network.

    Colliding: same target (`gleiches_ziel`), regions that overlap (the same region, one inside
    the other – a Bayern-wide network and a München one), and at most `fenster` apart.
    """
    paare = list(kanten)
    # `ueberlappen(a, b)` for every candidate, with the two walks done once.
    nah = innerhalb(neu.region_id, paare) | umfassend(neu.region_id, paare)
    treffer = [
        a
        for a in vorhandene
        if a is not neu
        and a.netzwerk_id != neu.netzwerk_id
        and a.region_id in nah
        and gleiches_ziel(neu, a)
        and abs(a.zeit - neu.zeit) <= fenster
    ]
    treffer.sort(key=lambda a: a.zeit, reverse=True)
    gesehen: set[int] = set()
    ergebnis = []
    for a in treffer:
        if a.netzwerk_id not in gesehen:
            gesehen.add(a.netzwerk_id)
            ergebnis.append(a)
    return ergebnis


# --- wording, shared by every caller ---------------------------------------------------------


@dataclass(frozen=True)
class Beschreibung:
    """An approach as the messages name it."""

    netzwerk: str
    institution: str
    zeit: datetime
    quelle: Quelle
    anfrage_nr: int | None = None
    person: str = ""


def _was(b: Beschreibung, tz: tzinfo) -> str:
    datum = datum_text(b.zeit, tz)
    ziel = b.institution + (f" ({b.person})" if b.person else "")
    if b.quelle is Quelle.ANFRAGE:
        nr = f" (Anfrage {b.anfrage_nr})" if b.anfrage_nr is not None else ""
        return (
            f"hat am {datum} bei der Geschäftsstelle eine Ansprechperson von {ziel} angefragt{nr}"
        )
    return f"hat am {datum} {ziel} angesprochen"


def warnung(msg: Msg, parallele: Sequence[Beschreibung], tz: tzinfo) -> Msg:
    """Add the warning for the network that approaches now: who else approaches the target."""
    if not parallele:
        return msg
    msg.line(B("⚠ Parallelansprache"), " – in Ihrer Region ist schon ein anderes Netzwerk dran:")
    for b in parallele:
        msg.bullet(B(b.netzwerk), " ", _was(b, tz))
    msg.line(
        "Bitte stimmen Sie sich mit ",
        "diesem Netzwerk" if len(parallele) == 1 else "diesen Netzwerken",
        " ab; es hat einen Hinweis bekommen. ",
        I(SEED_000),
        " (Vereinbarung der INQA-Netzwerke)",
    )
    return msg


def hinweis(neu: Beschreibung, eigene: Beschreibung, tz: tzinfo) -> Msg:
    """The notice for a network whose approach (`eigene`) the new one (`neu`) collides with."""
    ziel = eigene.institution + (f" ({eigene.person})" if eigene.person else "")
    return (
        Msg()
        .line(B("⚠ Parallelansprache"), f" – betrifft {ziel}:")
        .bullet(B(neu.netzwerk), " ", _was(neu, tz))
        .bullet(B(eigene.netzwerk), " (Ihr Netzwerk) ", _was(eigene, tz))
        .line("Bitte stimmen Sie sich ab. ", I(SEED_000), " (Vereinbarung der INQA-Netzwerke)")
    )
