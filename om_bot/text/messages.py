"""Plain message objects passed between the Matrix adapter and the command router.

Neither side needs the other's types: the adapter turns a Matrix event into an
`IncomingMessage`, the router answers with `Reply` objects, the adapter sends them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True)
class IncomingMessage:
    event_id: str
    room_id: str
    sender: str
    body: str
    timestamp: datetime
    is_direct: bool = False
    # The sender's power level in the room (moderators have 50 or more).
    sender_power_level: int = 0


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str
    data: bytes


@dataclass(frozen=True)
class Erwaehnung:
    """A person a message is meant to reach: their Matrix id and a readable name (the pill's
    text in the HTML, the name in the plain body; empty: the id is shown)."""

    user_id: str
    name: str = ""

    @property
    def anzeige(self) -> str:
        return self.name or self.user_id


@dataclass(frozen=True)
class Reply:
    """A message to send: to the command's room as a reply, or to another room, or as a DM.

    By default an *answer*: sent as ``m.notice`` (with an empty ``m.mentions`` where its text
    names a member, `om_bot.matrix.inhalte`) – it pings nobody, and bots do not answer
    notices. A message *meant to reach people* (a reminder, a clash warning in another
    network's room, a request to act) is `benachrichtigen`: sent as
    ``m.text`` so that it notifies (docs/benachrichtigung.md), mentioning `erwaehnt`, and with
    ``@room`` when `raumruf` is asked for and the bot's power level in the room allows it (the
    adapter checks that). `om_bot.services.benachrichtigung.adressieren` fills both from the
    register and the room's settings.
    """

    text: str
    html: str
    room_id: str | None = None  # None: the room the command came from
    attachment: Attachment | None = None
    # Set instead of room_id: a direct message to this user (the adapter finds or opens the DM).
    user_id: str | None = None
    benachrichtigen: bool = False
    erwaehnt: tuple[Erwaehnung, ...] = ()
    raumruf: bool = False

    def to(self, room_id: str) -> Reply:
        return replace(self, room_id=room_id, user_id=None)

    def direkt_an(self, user_id: str) -> Reply:
        return replace(self, room_id=None, user_id=user_id)

    def benachrichtigend(
        self, erwaehnt: tuple[Erwaehnung, ...] = (), raumruf: bool = False
    ) -> Reply:
        """This message, meant to reach people: notifying, mentioning `erwaehnt`."""
        return replace(self, benachrichtigen=True, erwaehnt=erwaehnt, raumruf=raumruf)
