"""Who may do what, and where: the one place that answers "may this user do this here?".

A person holds principals (`Wer`) from three sources: the config (admins, Geschäftsstelle), the
register (the Matrix ids of a network's contact persons make them its coordinators) and the
room (power level 50 or more makes a moderator *of that room*). A command's `Rolle` names the
principals that may use it; `Rollen.darf` compares the two. Plain Python; the router and the
command modules ask here, and the generated table in `docs/befehle.md` ("Rechte") is this
module's `Rolle.wer` applied to the command registry.

The rule that matters most (docs/rechte.md): **being a moderator of a room is not a licence to
speak for a network.** Moderation governs only the room's own settings (`Rolle.RAUM`: reminder
offsets, info service, asking for a link). Acting in a network's name (`Rolle.NETZWERK`: events,
contact requests, approaches, linking rooms) needs a coordinator of that network – a Matrix id
among its contact persons in the register –, the Geschäftsstelle or an admin.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

MODERATOR_LEVEL = 50


class Wer(enum.Enum):
    """A principal: one kind of person a permission can name (a column of the rights table)."""

    ALLE = "alle"
    NETZWERKRAUM = "alle in einem Raum des Netzwerks"
    MODERATION = "Moderation des Raums"
    KOORDINATION = "Koordination des Netzwerks"
    NATIONALER_KONTAKT = "nationale Ansprechperson des Partners"
    GESCHAEFTSSTELLE = "Geschäftsstelle"
    ADMIN = "Admins"


class Rolle(enum.Enum):
    JEDER = "jeder"
    # The room's own settings: its moderators, the coordinators of the network it is linked to.
    RAUM = "raum"
    # Speaking for a network: its coordinators (never a room's moderators).
    NETZWERK = "netzwerk"
    GESCHAEFTSSTELLE = "geschaeftsstelle"
    ADMIN = "admin"

    @property
    def wer(self) -> tuple[Wer, ...]:
        return _WER[self]

    @property
    def beschreibung(self) -> str:
        return beschreibe(self.wer)


_WER: dict[Rolle, tuple[Wer, ...]] = {
    Rolle.JEDER: (Wer.ALLE,),
    Rolle.RAUM: (Wer.MODERATION, Wer.KOORDINATION, Wer.GESCHAEFTSSTELLE, Wer.ADMIN),
    Rolle.NETZWERK: (Wer.KOORDINATION, Wer.GESCHAEFTSSTELLE, Wer.ADMIN),
    Rolle.GESCHAEFTSSTELLE: (Wer.GESCHAEFTSSTELLE, Wer.ADMIN),
    Rolle.ADMIN: (Wer.ADMIN,),
}


def beschreibe(wer: Collection[Wer]) -> str:
    """The principals in words, in the table's order ("Koordination des Netzwerks, Admins")."""
    return ", ".join(w.value for w in Wer if w in wer)


@dataclass(frozen=True)
class Akteur:
    """The sender of a command, and where they sent it."""

    user_id: str
    room_id: str
    power_level: int = 0
    # The network the room is linked to (`/om raum`), if any.
    raum_netzwerk_id: int | None = None
    # A direct chat with the bot that nobody else has joined.
    direkt: bool = False
    # The configured Geschäftsstelle room.
    geschaeftsstelle_raum: bool = False


@dataclass(frozen=True)
class NetzwerkRollen:
    """What the role check needs to know about one network."""

    id: int
    koordinatoren: frozenset[str]


class Verweigert(PermissionError):
    """The sender lacks the role; carries the German answer."""

    def __init__(self, rolle: Rolle, was: str = "") -> None:
        self.rolle = rolle
        self.was = was
        super().__init__(f"Das dürfen nur: {rolle.beschreibung}." + (f" ({was})" if was else ""))


@dataclass(frozen=True)
class Rollen:
    admins: frozenset[str]
    geschaeftsstelle: frozenset[str]

    @classmethod
    def aus(cls, admins: Collection[str], geschaeftsstelle: Collection[str]) -> Rollen:
        return cls(frozenset(admins), frozenset(geschaeftsstelle))

    def principals(self, akteur: Akteur, netzwerk: NetzwerkRollen | None = None) -> set[Wer]:
        """What `akteur` is here; KOORDINATION only for `netzwerk` (None: of no network)."""
        user = akteur.user_id
        wer = {Wer.ALLE}
        if user in self.admins:
            wer.add(Wer.ADMIN)
        if user in self.geschaeftsstelle:
            wer.add(Wer.GESCHAEFTSSTELLE)
        if netzwerk is not None and user in netzwerk.koordinatoren:
            wer.add(Wer.KOORDINATION)
        if akteur.power_level >= MODERATOR_LEVEL:
            wer.add(Wer.MODERATION)
        return wer

    def darf(self, akteur: Akteur, rolle: Rolle, netzwerk: NetzwerkRollen | None = None) -> bool:
        """Whether `akteur` holds `rolle`.

        `netzwerk` is the network concerned: for `Rolle.NETZWERK` the one acted for, for
        `Rolle.RAUM` the one the room is linked to. Admins may do everything.
        """
        wer = self.principals(akteur, netzwerk)
        return Wer.ADMIN in wer or bool(wer & set(rolle.wer))

    def koordiniert(self, akteur: Akteur, netzwerk: NetzwerkRollen) -> bool:
        """A coordinator of `netzwerk` in person (not by office as admin or Geschäftsstelle)."""
        return akteur.user_id in netzwerk.koordinatoren

    def pruefe(
        self, akteur: Akteur, rolle: Rolle, netzwerk: NetzwerkRollen | None = None, was: str = ""
    ) -> None:
        """Raise `Verweigert` unless `darf`."""
        if not self.darf(akteur, rolle, netzwerk):
            raise Verweigert(rolle, was)
