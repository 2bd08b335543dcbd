"""Plain message objects passed between the Matrix adapter and the command router.

Neither side needs the other's types: the adapter turns a Matrix event into an
`IncomingMessage`, the router answers with `Reply` objects, the adapter sends them.
"""

from __future__ import annotations

from dataclasses import dataclass
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
class Reply:
    """A notice to send: to the command's room as a reply, or to another room."""

    text: str
    html: str
    room_id: str | None = None  # None: the room the command came from
    attachment: Attachment | None = None
    # Set instead of room_id: a direct message to this user (the adapter finds or opens the DM).
    user_id: str | None = None

    def to(self, room_id: str) -> Reply:
        return Reply(self.text, self.html, room_id, self.attachment)

    def direkt_an(self, user_id: str) -> Reply:
        return Reply(self.text, self.html, None, self.attachment, user_id)
