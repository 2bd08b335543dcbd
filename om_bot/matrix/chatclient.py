"""The human side of a chat: a logged-in user who creates rooms, sends and reads messages.

Used by the demo's terminal chat, the benchmarks and the tests against the real Synapse; the
bot itself never imports it. With a `store_path` the user has end-to-end encryption like
Element: an own crypto store, encrypted rooms and DMs, sending encrypted, reading the bot's
encrypted answers and attachments – and, for tests, a message the bot cannot decrypt.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nio
import vodozemac
from nio.api import Api
from nio.crypto import InboundGroupSession, decrypt_attachment

from om_bot.matrix.adapter import SYNC_FILTER
from om_bot.matrix.anmeldung import LoginError, client_config


@dataclass(frozen=True)
class ReceivedMessage:
    room_id: str
    event_id: str
    sender: str
    msgtype: str
    body: str
    formatted_body: str
    in_reply_to: str | None
    content: dict[str, Any]
    # It came as m.room.encrypted and this client decrypted it.
    encrypted: bool = False


def _received(room_id: str, event: Any) -> ReceivedMessage:
    content = event.source.get("content", {})
    relates = content.get("m.relates_to") or {}
    return ReceivedMessage(
        room_id=room_id,
        event_id=event.event_id,
        sender=event.sender,
        msgtype=str(content.get("msgtype", "")),
        body=str(content.get("body", "")),
        formatted_body=str(content.get("formatted_body", "")),
        in_reply_to=(relates.get("m.in_reply_to") or {}).get("event_id"),
        content=content,
        encrypted=bool(getattr(event, "decrypted", False)),
    )


class ChatClient:
    """A small nio client for a human user: send text, wait for the bot's notices."""

    def __init__(
        self,
        homeserver: str,
        user_id: str,
        store_path: Path | None = None,
        answer_key_requests: bool = False,
    ) -> None:
        # answer_key_requests: forward this user's own room keys to other users' devices that
        # ask for them, as Element does for devices it had shared a session with.
        self.answer_key_requests = answer_key_requests
        if store_path is not None:
            store_path.mkdir(parents=True, exist_ok=True)
        # Without a store path nio loads no store: no encryption, as before.
        self.client = nio.AsyncClient(
            homeserver, user_id, store_path=str(store_path or ""), config=client_config()
        )
        self.inbox: asyncio.Queue[ReceivedMessage] = asyncio.Queue()
        # Messages taken from the inbox while waiting for another room's: kept for their room,
        # since the bot sends to several rooms concurrently and their order across rooms is
        # not fixed.
        self._zurueckgestellt: list[ReceivedMessage] = []
        # Rooms this user was invited to (e.g. the bot opening a direct chat), in order.
        self.invites: asyncio.Queue[str] = asyncio.Queue()
        self._since: str | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def user_id(self) -> str:
        return str(self.client.user_id)

    async def login(self, password: str) -> None:
        response = await self.client.login(password, device_name="om-bot-chat")
        if not isinstance(response, nio.LoginResponse):
            raise LoginError(f"login failed: {response}")

    async def start(self) -> None:
        """Start listening; messages sent before this call are not queued."""
        first = await self.client.sync(timeout=0, sync_filter=SYNC_FILTER)
        if isinstance(first, nio.SyncResponse):
            self._since = first.next_batch
        await self._e2e_upkeep()
        self._task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            response = await self.client.sync(
                timeout=10_000, since=self._since, sync_filter=SYNC_FILTER
            )
            if not isinstance(response, nio.SyncResponse):
                await asyncio.sleep(0.5)
                continue
            self._since = response.next_batch
            await self._e2e_upkeep()
            if self.answer_key_requests:
                for event in response.to_device_events:
                    if isinstance(event, nio.RoomKeyRequest) and event.sender != self.user_id:
                        await self._forward_own_key(event)
            for room_id in response.rooms.invite:
                await self.invites.put(room_id)
            for room_id, info in response.rooms.join.items():
                for event in info.timeline.events:
                    if isinstance(event, nio.RoomMessage) and event.sender != self.user_id:
                        await self.inbox.put(_received(room_id, event))

    @property
    def encrypted(self) -> bool:
        return self.client.olm is not None

    async def _e2e_upkeep(self) -> None:
        """What nio's sync_forever does for E2E between syncs."""
        client = self.client
        if client.olm is None:
            return
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())
        await client.send_to_device_messages()

    async def _forward_own_key(self, request: nio.RoomKeyRequest) -> None:
        olm = self.client.olm
        if olm is None or request.sender_key != olm.account.identity_keys["curve25519"]:
            return
        session = olm.inbound_group_store.get(
            request.room_id, request.sender_key, request.session_id
        )
        if session is None:
            return
        device = olm.device_store[request.sender].get(request.requesting_device_id)
        if device is None:
            olm.users_for_key_query.add(request.sender)
            await self.client.keys_query()
            device = olm.device_store[request.sender].get(request.requesting_device_id)
        if device is None:
            return
        if olm.session_store.get(device.curve25519) is None:
            await self.client.keys_claim({request.sender: [device.id]})
        olm_session = olm.session_store.get(device.curve25519)
        if olm_session is not None:
            message = olm._encrypt_forwarding_key(request.room_id, session, olm_session, device)
            await self.client.to_device(message)

    async def history(self, room_id: str) -> list[ReceivedMessage]:
        """Every message in the room so far (from anyone), oldest first – for checks that must
        see everything a room received, not just what arrived while listening."""
        messages: list[ReceivedMessage] = []
        start: str | None = None
        while True:
            response = await self.client.room_messages(room_id, start=start, limit=100)
            if not isinstance(response, nio.RoomMessagesResponse):
                raise RuntimeError(f"reading the history of {room_id} failed: {response}")
            messages += [
                _received(room_id, e) for e in response.chunk if isinstance(e, nio.RoomMessage)
            ]
            if not response.chunk or not response.end:
                return messages[::-1]
            start = response.end

    async def create_room(
        self,
        invite: Iterable[str] = (),
        direct: bool = False,
        name: str | None = None,
        encrypted: bool = False,
    ) -> str:
        """A new room; `encrypted` as Element creates private rooms and DMs (needs a store)."""
        if encrypted and not self.encrypted:
            raise RuntimeError("an encrypted room needs a ChatClient with a store_path")
        response = await self.client.room_create(
            invite=list(invite),
            is_direct=direct,
            name=name,
            initial_state=[nio.EnableEncryptionBuilder().as_dict()] if encrypted else (),
        )
        if not isinstance(response, nio.RoomCreateResponse):
            raise RuntimeError(f"room creation failed: {response}")
        return str(response.room_id)

    async def invite(self, room_id: str, user_id: str) -> None:
        await self.client.room_invite(room_id, user_id)

    async def join(self, room_id: str) -> None:
        await self.client.join(room_id)

    async def join_invited(self, timeout: float = 15.0) -> str:
        """Accept the next invitation that arrives (or arrived) and return its room id."""
        room_id = await asyncio.wait_for(self.invites.get(), timeout)
        await self.client.join(room_id)
        return room_id

    async def set_power_level(self, room_id: str, user_id: str, level: int) -> None:
        current = await self.client.room_get_state_event(room_id, "m.room.power_levels")
        content = dict(getattr(current, "content", {}) or {})
        users = dict(content.get("users", {}))
        users[user_id] = level
        content["users"] = users
        await self.client.room_put_state(room_id, "m.room.power_levels", content)

    async def joined_members(self, room_id: str) -> list[str]:
        response = await self.client.joined_members(room_id)
        members = getattr(response, "members", [])
        return [m.user_id for m in members]

    async def prepare_encryption(self, room_id: str) -> None:
        """Members and their devices known before the room key is shared (else the bot, just
        joined, would not get it)."""
        for _ in range(200):
            room = self.client.rooms.get(room_id)
            if room is not None and (room.encrypted or not self.encrypted):
                break
            await asyncio.sleep(0.05)
        room = self.client.rooms.get(room_id)
        if room is None or not room.encrypted or self.client.olm is None:
            return
        await self.client.joined_members(room_id)
        # Asked again every time: a member queried while only invited (before its device had
        # uploaded keys) would otherwise stay without devices until a later sync says so.
        self.client.olm.users_for_key_query.update(room.users)
        await self.client.keys_query()

    async def send(
        self, room_id: str, body: str, msgtype: str = "m.text", prepare: bool = True
    ) -> str:
        """Send `body`; in an encrypted room after `prepare_encryption` unless `prepare` is
        False (a benchmark that prepared once and measures the send alone)."""
        if self.encrypted and prepare:
            await self.prepare_encryption(room_id)
        response = await self.client.room_send(
            room_id,
            "m.room.message",
            {"msgtype": msgtype, "body": body},
            ignore_unverified_devices=True,
        )
        if not isinstance(response, nio.RoomSendResponse):
            raise RuntimeError(f"sending failed: {response}")
        return str(response.event_id)

    async def next_message(
        self, timeout: float = 15.0, room_id: str | None = None
    ) -> ReceivedMessage:
        """The next message from someone else (in `room_id`, if given); messages of other rooms
        that arrive meanwhile stay queued for them."""
        for i, message in enumerate(self._zurueckgestellt):
            if room_id is None or message.room_id == room_id:
                return self._zurueckgestellt.pop(i)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            message = await asyncio.wait_for(self.inbox.get(), max(remaining, 0.001))
            if room_id is None or message.room_id == room_id:
                return message
            self._zurueckgestellt.append(message)

    async def download(self, mxc: str) -> bytes:
        response = await self.client.download(mxc)
        return bytes(getattr(response, "body", b""))

    async def download_file(self, content: dict[str, Any]) -> bytes:
        """The file of an m.file `content`: decrypted if it is an encrypted attachment."""
        info = content.get("file")
        if info is None:
            return await self.download(str(content["url"]))
        ciphertext = await self.download(str(info["url"]))
        return bytes(
            decrypt_attachment(ciphertext, info["key"]["k"], info["hashes"]["sha256"], info["iv"])
        )

    async def raw_event(self, room_id: str, event_id: str) -> dict[str, Any]:
        """The event as the homeserver stores it (for encrypted ones: still encrypted)."""
        method, path = Api.room_get_event(self.client.access_token, room_id, event_id)
        response = await self.client.send(method, path)
        data: dict[str, Any] = await response.json()
        return data

    async def send_undecryptable(self, room_id: str, body: str, keep_key: bool = False) -> str:
        """An encrypted message whose room key (a Megolm session made here) is not shared with
        anyone: nobody else can decrypt it – unless `keep_key`, and this client forwards it
        when asked (`answer_key_requests`)."""
        olm = self.client.olm
        if olm is None:
            raise RuntimeError("needs a ChatClient with a store_path")
        session = vodozemac.GroupSession()
        plaintext = {
            "type": "m.room.message",
            "content": {"msgtype": "m.text", "body": body},
            "room_id": room_id,
        }
        if keep_key:
            olm.inbound_group_store.add(
                InboundGroupSession(
                    session.session_key.to_base64(),
                    olm.account.identity_keys["ed25519"],
                    olm.account.identity_keys["curve25519"],
                    room_id,
                )
            )
        content = {
            "algorithm": "m.megolm.v1.aes-sha2",
            "sender_key": olm.account.identity_keys["curve25519"],
            "ciphertext": session.encrypt(json.dumps(plaintext).encode()).to_base64(),
            "session_id": session.session_id,
            "device_id": self.client.device_id,
        }
        method, path, data = Api.room_send(
            self.client.access_token, room_id, "m.room.encrypted", content, session.session_id
        )
        response = await self.client._send(nio.RoomSendResponse, method, path, data, (room_id,))
        if not isinstance(response, nio.RoomSendResponse):
            raise RuntimeError(f"sending failed: {response}")
        return str(response.event_id)

    def rotate_room_key(self, room_id: str) -> None:
        """Start a new Megolm session for `room_id` with the next message."""
        self.client.invalidate_outbound_session(room_id)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self.client.close()
        if self.client.store is not None:
            self.client.store.database.close()
