"""Who may do what: the one place that answers "may this user do this here?".

Roles come from three sources: the config (admins, Geschäftsstelle), the register (the Matrix
ids of a network's contact persons make them its coordinators) and the room (power level 50 or
more makes a moderator). Plain Python; the router and the command modules ask `Rollen.darf`.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

MODERATOR_LEVEL = 50


class Rolle(enum.Enum):
    JEDER = "jeder"
    MODERATION = "moderation"  # moderators of the room the command is sent in
    NETZWERK = "netzwerk"  # coordinators of the network concerned, or moderators of its room
    GESCHAEFTSSTELLE = "geschaeftsstelle"
    ADMIN = "admin"

    @property
    def beschreibung(self) -> str:
        return {
            Rolle.JEDER: "alle",
            Rolle.MODERATION: "Moderation des Raums, Geschäftsstelle, Admins",
            Rolle.NETZWERK: (
                "Koordination des Netzwerks, Moderation seines Raums, Geschäftsstelle, Admins"
            ),
            Rolle.GESCHAEFTSSTELLE: "Geschäftsstelle, Admins",
            Rolle.ADMIN: "Admins",
        }[self]


@dataclass(frozen=True)
class Akteur:
    """The sender of a command, where they sent it."""

    user_id: str
    room_id: str
    power_level: int = 0
    # The network the room is linked to (`/om raum`), if any.
    raum_netzwerk_id: int | None = None


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

    def darf(self, akteur: Akteur, rolle: Rolle, netzwerk: NetzwerkRollen | None = None) -> bool:
        user = akteur.user_id
        if rolle is Rolle.JEDER or user in self.admins:
            return True
        if rolle is Rolle.ADMIN:
            return False
        if user in self.geschaeftsstelle:
            return True
        if rolle is Rolle.GESCHAEFTSSTELLE:
            return False
        moderator = akteur.power_level >= MODERATOR_LEVEL
        if rolle is Rolle.MODERATION:
            return moderator
        # Rolle.NETZWERK: without a network there is nothing to coordinate.
        if netzwerk is None:
            return False
        if user in netzwerk.koordinatoren:
            return True
        return moderator and akteur.raum_netzwerk_id == netzwerk.id

    def pruefe(
        self, akteur: Akteur, rolle: Rolle, netzwerk: NetzwerkRollen | None = None, was: str = ""
    ) -> None:
        """Raise `Verweigert` unless `darf`."""
        if not self.darf(akteur, rolle, netzwerk):
            raise Verweigert(rolle, was)
