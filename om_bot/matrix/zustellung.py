"""Delivering one queued reply: the steps behind the adapter's send queue.

A `Delivery` remembers what is already done (the direct chat opened, the file uploaded and sent,
the content encrypted), so a retry by `om_bot.matrix.sendequeue` repeats nothing and sends the
very same event content under the same transaction id. The `Zusteller` does the steps through
the bot's sending client: opening an (encrypted) direct chat and waiting until the main client
has seen it with the invitee in it, the ``.ics`` upload (encrypted in an encrypted room), and
sending a part encrypted where the room is (`om_bot.matrix.krypto`) – never plain text into an
encrypted room. What a reply says (`notice_content`) stays the adapter's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import nio

from om_bot.matrix.krypto import Krypto, KryptoFehler
from om_bot.matrix.sendequeue import SENT, Failed, Outcome, RetryAfter
from om_bot.text.messages import Attachment, IncomingMessage, Reply

log = logging.getLogger(__name__)


def outcome_of(response: Any) -> Outcome:
    """A nio response as the send queue's outcome."""
    if not isinstance(response, nio.ErrorResponse):
        return SENT
    if response.status_code == "M_LIMIT_EXCEEDED" or response.retry_after_ms:
        return RetryAfter((response.retry_after_ms or 5000) / 1000)
    # Forbidden (not in the room, federation denied) stays so; retrying only fills the log.
    return Failed(str(response), final=response.status_code == "M_FORBIDDEN")


@dataclass
class Delivery:
    """One queued reply and the steps already done, so a retry does not repeat them."""

    reply: Reply
    source: IncomingMessage | None
    txn: str
    room_id: str | None  # None until the direct chat with reply.user_id is known
    content_uri: str | None = None
    # Decryption info of an encrypted upload (key, iv, hashes), None for a plain one.
    file_info: dict[str, Any] | None = None
    file_sent: bool = False
    # What was sent per part ("file", "text"): type and content, encrypted where the room is.
    # A retry sends exactly this again under the same transaction id.
    packed: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)


class DirectRooms(Protocol):
    def direct_room(self, user_id: str) -> str | None: ...
    def opened_direct(self, room_id: str, user_id: str, now: datetime) -> None: ...


class Zusteller:
    """The send steps of a `Delivery` (see the module docstring)."""

    def __init__(
        self,
        client: nio.AsyncClient,
        sender: nio.AsyncClient,
        *,
        krypto: Krypto,
        state: DirectRooms,
        clock: Callable[[], datetime],
        opened: Callable[[str], None],
    ) -> None:
        self.client = client
        self.sender = sender
        self.krypto = krypto
        self.state = state
        self.clock = clock
        self._on_opened = opened
        # Direct chats opened by this process: nio only learns of them with a later sync.
        self.opened: set[str] = set()

    async def direct_room(self, user_id: str) -> str | Outcome:
        """The bot's direct chat with `user_id`, opened (and remembered) on first use."""
        known = await asyncio.to_thread(self.state.direct_room, user_id)
        if known is not None and (known in self.client.rooms or known in self.opened):
            return known
        try:
            encrypted = await self.krypto.kann_verschluesseln_an(user_id)
        except KryptoFehler as exc:
            return Failed(str(exc))
        response = await self.sender.room_create(
            is_direct=True,
            invite=[user_id],
            preset=nio.RoomPreset.trusted_private_chat,
            # Encrypted, as Element creates direct chats (when the user's devices can read it).
            initial_state=[nio.EnableEncryptionBuilder().as_dict()] if encrypted else (),
        )
        if not isinstance(response, nio.RoomCreateResponse):
            return outcome_of(response)
        await asyncio.to_thread(self.state.opened_direct, response.room_id, user_id, self.clock())
        self._on_opened(response.room_id)
        self.opened.add(response.room_id)
        return str(response.room_id)

    async def room_ready(self, room_id: str, user_id: str | None) -> Outcome:
        """A direct chat the bot just created (encrypted): its encryption state and members
        come by sync, and the room key must reach the invitee's devices."""
        if not self.krypto.aktiv or room_id not in self.opened:
            return SENT
        if not await self.krypto.raum_abwarten(room_id, user_id):
            return Failed("the new direct chat has not appeared in a sync yet")
        return SENT

    async def send_part(
        self, job: Delivery, room_id: str, content: dict[str, Any], txn: str, part: str
    ) -> Outcome:
        """Send one part of `job`, encrypted where the room is; a retry sends the same."""
        if part not in job.packed:
            packed = await self._pack(room_id, content)
            if not isinstance(packed, tuple):
                return packed
            job.packed[part] = packed
        event_type, packed_content = job.packed[part]
        # Same transaction id on every try: the homeserver drops duplicates.
        result = await self.sender.room_send(
            room_id, event_type, packed_content, tx_id=txn, ignore_unverified_devices=True
        )
        return outcome_of(result)

    async def _pack(
        self, room_id: str, content: dict[str, Any]
    ) -> tuple[str, dict[str, Any]] | Outcome:
        if not self.krypto.verschluesselt(room_id):
            return "m.room.message", content
        if not self.krypto.aktiv:
            # Never plain text into an encrypted room.
            return Failed("encrypted room, but the bot's encryption is off (see log)", final=True)
        try:
            return await self.krypto.verschluesseln(room_id, content)
        except KryptoFehler as exc:
            return Failed(str(exc))

    async def send_file(self, job: Delivery, room_id: str, attachment: Attachment) -> Outcome:
        data = attachment.data
        if job.content_uri is None:
            # In an encrypted room the file is encrypted too (m.file with `file`, no `url`).
            upload, job.file_info = await self.sender.upload(
                lambda *_: data,
                content_type=attachment.mimetype,
                filename=attachment.filename,
                encrypt=self.krypto.verschluesselt(room_id),
                filesize=len(data),
            )
            if not isinstance(upload, nio.UploadResponse):
                outcome = outcome_of(upload)
                if isinstance(outcome, RetryAfter):
                    return outcome
                # A file the server refuses is left out; the notice still goes.
                log.error("upload of %s failed: %s", attachment.filename, upload)
                return SENT
            job.content_uri = upload.content_uri
        content: dict[str, Any] = {
            "msgtype": "m.file",
            "body": attachment.filename,
            "filename": attachment.filename,
            "info": {"mimetype": attachment.mimetype, "size": len(data)},
        }
        if job.file_info is not None:
            content["file"] = {"url": job.content_uri, **job.file_info}
        else:
            content["url"] = job.content_uri
        return await self.send_part(job, room_id, content, job.txn + "-file", "file")
