"""End-to-end encryption for the bot: key upkeep after each sync, encrypting what it sends,
answering key requests, and a second try at messages it could not decrypt.

The bot's main nio client holds the olm machine (vodozemac) and its store; the sending client
has none. `Krypto.verschluesseln` therefore prepares a room on the main client – members
loaded, device keys queried, the room key (Megolm session) shared with the members' devices –
and returns the ``m.room.encrypted`` content, which the adapter sends through the sending
client with its usual deterministic transaction id.

Trust (``matrix.e2e_trust``): ``tofu`` shares room keys with every device of a room's members
the first time it is seen; nio pins its ed25519 key then, and a device that later shows another
key for the same id gets nothing. ``tofu_allowed_servers`` does the same for users of
``bot.allowed_homeservers`` (default: the bot's own server) only; devices of other servers are
blacklisted in the store. See docs/verschluesselung.md.

Key upkeep (what nio's ``sync_forever`` does between syncs: upload one-time keys, query changed
device keys, claim keys for missing Olm sessions, send queued to-device messages) runs in one
background task at a time, bounded by `PFLEGE_TIMEOUT`, so it never holds up the replies of
the sync it follows; only the very first one is awaited, so the device's keys are on the
server before the bot says it is ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import nio
from nio.api import Api

from om_bot.matrix.regeln import invite_allowed

log = logging.getLogger(__name__)

Vertrauen = Literal["tofu", "tofu_allowed_servers"]
Schlafen = Callable[[float], Awaitable[None]]

# One round of key upkeep may take this long; then it is abandoned until after the next sync.
PFLEGE_TIMEOUT = 30.0
# After an undecryptable message: wait this long for the requested key, then try again.
NACHFRAGE_WARTEN = 4.0
# A room the bot just created (an encrypted DM) must appear in a sync before its members'
# devices are known; the send waits this long for it.
RAUM_WARTEN = 10.0

UNLESBAR_TEXT = (
    "Ich konnte Ihre Nachricht nicht entschlüsseln. Bitte senden Sie sie noch einmal. "
    "Hilft das nicht, teilen Sie in Element die Schlüssel mit dem Bot: unter Einstellungen → "
    "Sicherheit „Nie verschlüsselte Nachrichten an nicht verifizierte Sitzungen senden“ "
    "ausschalten (oder die Sitzung des Bots verifizieren)."
)
UNLESBAR_HTML = (
    "Ich konnte Ihre Nachricht <b>nicht entschlüsseln</b>. Bitte senden Sie sie noch einmal. "
    "Hilft das nicht, teilen Sie in Element die Schlüssel mit dem Bot: unter "
    "<i>Einstellungen → Sicherheit</i> „Nie verschlüsselte Nachrichten an nicht verifizierte "
    "Sitzungen senden“ ausschalten (oder die Sitzung des Bots verifizieren)."
)
VERLUST_TEXT = (
    "⚠ Der Bot hat seinen Schlüsselspeicher verloren und arbeitet jetzt mit einem neuen Gerät "
    "({neu}, vorher {alt}). Ältere verschlüsselte Nachrichten kann er nicht mehr lesen; in "
    "Element erscheint eine neue Sitzung des Bots."
)
VERLUST_AUS_TEXT = (
    "⚠ Der Bot hat seinen Schlüsselspeicher (Gerät {alt}) verloren und kann ohne Passwort kein "
    "neues Gerät anlegen: verschlüsselte Räume bleiben ohne Antwort, bis der Betrieb ihn neu "
    "anmeldet (siehe Log)."
)


class KryptoFehler(RuntimeError):
    """The room key could not be shared or the content not be encrypted (tried again later)."""


# --- decisions, as plain functions --------------------------------------------------------


def bekommt_schluessel(
    user_id: str, vertrauen: Vertrauen, allowed_servers: Collection[str], own_user_id: str
) -> bool:
    """Whether the devices of `user_id` get the bot's room keys under `vertrauen`: everyone
    (trust on first use), or users of the servers the bot accepts invitations from."""
    return vertrauen == "tofu" or invite_allowed(user_id, own_user_id, allowed_servers)


@dataclass(frozen=True)
class Schluesselanfrage:
    """The fields of an ``m.room_key_request`` that decide whether the bot answers it."""

    sender: str
    device_id: str
    room_id: str
    session_id: str
    sender_key: str


def anfrage_beantworten(
    anfrage: Schluesselanfrage,
    *,
    own_user_id: str,
    own_curve_key: str,
    mitglieder: Iterable[str],
    geteilt_mit: Iterable[tuple[str, str]],
    darf: bool,
) -> str | None:
    """Why the bot does not re-share the requested key, or None when it does.

    The bot re-shares only its own room keys, only to a device it already shared that key with
    (a device that lost it, e.g. to a broken Olm session) and only while the user is in the
    room: a device that never had the key must not read the bot's earlier messages through a
    request (history visibility). Other users' keys are theirs to share; the bot's own other
    devices do not exist."""
    if anfrage.sender == own_user_id:
        return "request from the bot's own account"
    if anfrage.sender_key != own_curve_key:
        return "not a room key of the bot"
    if anfrage.sender not in set(mitglieder):
        return "requester is not in the room"
    if not darf:
        return "requester's server is not trusted (matrix.e2e_trust)"
    if (anfrage.sender, anfrage.device_id) not in set(geteilt_mit):
        return "the key was never shared with this device"
    return None


# --- the running part ---------------------------------------------------------------------


class Krypto:
    """E2E work of the bot's main client; inactive (everything plain) without a store."""

    def __init__(
        self,
        client: nio.AsyncClient,
        *,
        vertrauen: Vertrauen,
        allowed_servers: Iterable[str],
        schlafen: Schlafen = asyncio.sleep,
        nachfrage_warten: float = NACHFRAGE_WARTEN,
    ) -> None:
        self.client = client
        self.vertrauen: Vertrauen = vertrauen
        self.allowed_servers = tuple(allowed_servers)
        self.schlafen = schlafen
        self.nachfrage_warten = nachfrage_warten
        self._pflege: asyncio.Task[None] | None = None
        self._schluessel_lock = asyncio.Lock()
        self._hintergrund: set[asyncio.Task[Any]] = set()
        # Sessions the bot asked a sender's device for: session id → (room id, sender).
        self._angefragt: dict[str, tuple[str, str]] = {}
        self._weitergabe_erlaubt = False
        # Rooms of a sync that nio has finished processing (members, encryption state): a
        # room shows up in client.rooms while its sync is still being processed.
        self._gesehen: set[str] = set()

    @property
    def aktiv(self) -> bool:
        return self.client.olm is not None

    def geraet(self) -> tuple[str, str] | None:
        """The bot's device id and its ed25519 key (the one to cross-sign), or None without
        encryption. For `om_bot.matrix.kreuzsignatur`."""
        olm = self.client.olm
        if olm is None:
            return None
        return str(self.client.device_id), str(olm.account.identity_keys["ed25519"])

    def verschluesselt(self, room_id: str) -> bool:
        room = self.client.rooms.get(room_id)
        return bool(room is not None and room.encrypted)

    # --- after each sync ---

    async def nach_sync(self, response: nio.SyncResponse, erster: bool) -> None:
        """Start the key upkeep for this sync (awaited on the first one) and answer key
        requests from other users' devices."""
        self._gesehen.update(response.rooms.join)
        if not self.aktiv:
            return
        anfragen = [
            e
            for e in response.to_device_events
            if isinstance(e, nio.RoomKeyRequest) and e.sender != self.client.user_id
        ]
        abgesagt = {
            e.request_id
            for e in response.to_device_events
            if isinstance(e, nio.RoomKeyRequestCancellation)
        }
        anfragen = [a for a in anfragen if a.request_id not in abgesagt]
        if erster:
            await self._pflegen_begrenzt()
        elif self._pflege is None or self._pflege.done():
            self._pflege = asyncio.create_task(self._pflegen_begrenzt(), name="e2e upkeep")
        for anfrage in anfragen:
            self.im_hintergrund(self._beantworten(anfrage))

    def im_hintergrund(self, arbeit: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(arbeit)
        self._hintergrund.add(task)
        task.add_done_callback(self._hintergrund.discard)

    async def _pflegen_begrenzt(self) -> None:
        try:
            await asyncio.wait_for(self.pflegen(), PFLEGE_TIMEOUT)
        except TimeoutError:
            log.warning(
                "e2e key upkeep took over %.0f s; continuing after the next sync", PFLEGE_TIMEOUT
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("e2e key upkeep failed; trying again after the next sync")

    async def pflegen(self) -> None:
        """One round of what nio's sync_forever does for E2E between syncs."""
        client = self.client
        if client.should_upload_keys:
            self._pruefen(await client.keys_upload(), "keys upload")
        await self._schluessel_abfragen()
        if client.should_claim_keys:
            self._pruefen(
                await client.keys_claim(client.get_users_for_key_claiming()), "keys claim"
            )
        for antwort in await client.send_to_device_messages():
            self._pruefen(antwort, "to-device message")

    @staticmethod
    def _pruefen(response: Any, was: str) -> None:
        if isinstance(response, nio.ErrorResponse):
            log.warning("%s failed: %s", was, response)

    async def _schluessel_abfragen(self) -> None:
        # One query at a time: upkeep and a send may both find the devices out of date.
        async with self._schluessel_lock:
            if self.client.should_query_keys:
                self._pruefen(await self.client.keys_query(), "keys query")

    async def schliessen(self) -> None:
        tasks = [t for t in (self._pflege, *self._hintergrund) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # --- sending ---

    async def verschluesseln(
        self, room_id: str, content: dict[str, Any], typ: str = "m.room.message"
    ) -> tuple[str, dict[str, Any]]:
        """`typ` and `content` encrypted for `room_id` (room key shared first where needed).
        Raises `KryptoFehler` when that fails; the send queue tries again."""
        client = self.client
        room = client.rooms.get(room_id)
        if room is None:
            raise KryptoFehler(f"room {room_id} not known yet")
        try:
            if not room.members_synced:
                self._pruefen(await client.joined_members(room_id), "joined members")
            assert client.olm is not None
            client.olm.update_tracked_users(room)
            await self._schluessel_abfragen()
            self._vertrauen_anwenden(room.users)
            if client.olm.should_share_group_session(room_id):
                teilen = client.sharing_session.get(room_id)
                if teilen is not None:
                    await teilen.wait()
                else:
                    antwort = await client.share_group_session(
                        room_id, ignore_unverified_devices=True
                    )
                    if isinstance(antwort, nio.ErrorResponse):
                        raise KryptoFehler(f"sharing the room key failed: {antwort}")
            neu_typ, verschluesselt = client.encrypt(room_id, typ, content)
        except KryptoFehler:
            raise
        except Exception as exc:
            raise KryptoFehler(f"{type(exc).__name__}: {exc}") from exc
        return str(neu_typ), dict(verschluesselt)

    async def kann_verschluesseln_an(self, user_id: str) -> bool:
        """Whether a direct chat with `user_id` is created encrypted: as Element decides it,
        only if the user has a device with encryption keys (else they could not read it)."""
        if not self.aktiv:
            return False
        client = self.client
        method, path, data = Api.keys_query(client.access_token, {user_id})
        antwort = await client._send(nio.KeysQueryResponse, method, path, data)
        if not isinstance(antwort, nio.KeysQueryResponse):
            raise KryptoFehler(f"keys/query for {user_id} failed: {antwort}")
        return bool(antwort.device_keys.get(user_id))

    async def raum_abwarten(
        self, room_id: str, mitglied: str | None = None, timeout: float = RAUM_WARTEN
    ) -> bool:
        """Wait until a processed sync has shown `room_id` – with `mitglied` in it (invited is
        enough): the invitation can come a sync after the room (True), or `timeout` passed."""

        def da() -> bool:
            room = self.client.rooms.get(room_id)
            return room_id in self._gesehen and (
                mitglied is None or (room is not None and mitglied in room.users)
            )

        for _ in range(max(int(timeout / 0.05), 1)):
            if da():
                return True
            await asyncio.sleep(0.05)
        return da()

    def _vertrauen_anwenden(self, user_ids: Iterable[str]) -> None:
        """Blacklist the devices `matrix.e2e_trust` excludes – and lift it again when the
        setting changed back (the blacklist is only ever this setting's)."""
        client = self.client
        olm = client.olm
        assert olm is not None
        for user_id in user_ids:
            darf = bekommt_schluessel(user_id, self.vertrauen, self.allowed_servers, client.user_id)
            for device in client.device_store.active_user_devices(user_id):
                gesperrt = olm.is_device_blacklisted(device)
                if not darf and not gesperrt:
                    client.blacklist_device(device)
                    log.info("no room keys for %s %s (matrix.e2e_trust)", user_id, device.id)
                elif darf and gesperrt:
                    client.unblacklist_device(device)
                    log.info("room keys again for %s %s (matrix.e2e_trust)", user_id, device.id)

    # --- key requests from members ---

    async def _beantworten(self, event: nio.RoomKeyRequest) -> None:
        client = self.client
        olm = client.olm
        if olm is None:
            return
        anfrage = Schluesselanfrage(
            event.sender,
            event.requesting_device_id,
            event.room_id,
            event.session_id,
            event.sender_key,
        )
        room = client.rooms.get(anfrage.room_id)
        ausgehend = olm.outbound_group_sessions.get(anfrage.room_id)
        geteilt = (
            ausgehend.users_shared_with
            if ausgehend is not None and ausgehend.id == anfrage.session_id
            else set()
        )
        grund = anfrage_beantworten(
            anfrage,
            own_user_id=client.user_id,
            own_curve_key=str(olm.account.identity_keys["curve25519"]),
            mitglieder=room.users if room is not None else (),
            geteilt_mit=geteilt,
            darf=bekommt_schluessel(
                anfrage.sender, self.vertrauen, self.allowed_servers, client.user_id
            ),
        )
        if grund is not None:
            log.info(
                "not answering key request from %s %s: %s",
                anfrage.sender,
                anfrage.device_id,
                grund,
            )
            return
        try:
            await self._weitergeben(anfrage)
        except Exception:
            log.exception("answering the key request of %s failed", anfrage.sender)

    async def _weitergeben(self, anfrage: Schluesselanfrage) -> None:
        client = self.client
        olm = client.olm
        assert olm is not None
        sitzung = olm.inbound_group_store.get(
            anfrage.room_id, anfrage.sender_key, anfrage.session_id
        )
        device = olm.device_store[anfrage.sender].get(anfrage.device_id)
        if sitzung is None or device is None or olm.is_device_blacklisted(device):
            log.info("key request of %s: session or device unknown", anfrage.sender)
            return
        olm_sitzung = olm.session_store.get(device.curve25519)
        if olm_sitzung is None:
            self._pruefen(
                await client.keys_claim({anfrage.sender: [anfrage.device_id]}), "keys claim"
            )
            olm_sitzung = olm.session_store.get(device.curve25519)
        if olm_sitzung is None:
            log.warning("no Olm session with %s %s", anfrage.sender, anfrage.device_id)
            return
        nachricht = olm._encrypt_forwarding_key(anfrage.room_id, sitzung, olm_sitzung, device)
        self._pruefen(await client.to_device(nachricht), "forwarded room key")
        log.info(
            "re-shared room key %s with %s %s",
            anfrage.session_id,
            anfrage.sender,
            anfrage.device_id,
        )

    # --- undecryptable messages ---

    async def nachfragen_und_entschluesseln(self, event: nio.MegolmEvent) -> Any | None:
        """Ask the sender's device for the missing key, wait, try again: the decrypted event,
        or None when it still fails. Runs outside the sync loop (the key arrives by sync).
        Several messages of one session ask once; a request that got no key is forgotten
        after the wait (nio would keep it in the store for good)."""
        client = self.client
        olm = client.olm
        if olm is None:
            return None
        self._weitergabe_erlauben()
        fragen = event.session_id not in self._angefragt
        if fragen:
            self._angefragt[event.session_id] = (event.room_id, event.sender)
            await self._anfrage_senden(event)
        await self.schlafen(self.nachfrage_warten)
        try:
            entschluesselt = client.decrypt_event(event)
        except Exception as exc:
            log.info("still cannot decrypt %s: %s", event.event_id, exc)
            entschluesselt = None
        if fragen:
            self._angefragt.pop(event.session_id, None)
            offen = olm.outgoing_key_requests.pop(event.session_id, None)
            if offen is not None:
                olm.store.remove_outgoing_key_request(offen)
        return entschluesselt if not isinstance(entschluesselt, nio.MegolmEvent) else None

    async def _anfrage_senden(self, event: nio.MegolmEvent) -> None:
        client = self.client
        nachricht = event.as_key_request(
            event.sender, client.device_id, event.session_id, event.device_id
        )
        method, path, data = Api.to_device(
            client.access_token, nachricht.type, nachricht.as_dict(), f"keyreq-{event.event_id}"
        )
        try:
            # As a RoomKeyRequestResponse nio records the request, which it needs to take the
            # forwarded key.
            antwort = await client._send(
                nio.RoomKeyRequestResponse,
                method,
                path,
                data,
                (event.session_id, event.session_id, event.room_id, event.algorithm),
            )
            self._pruefen(antwort, "room key request")
        except Exception:
            log.exception("requesting the key of %s failed", event.event_id)

    def _weitergabe_erlauben(self) -> None:
        """Take a forwarded room key from the device that created the session.

        nio takes forwarded keys only from the bot's own verified devices; the bot has none.
        It asks the sending device of a message it cannot read, and that device answers with
        ``m.forwarded_room_key``. Accepted only for a session the bot asked this user for, in
        that room, and only when the Olm sender (authenticated by the Olm session) is the
        session's own creator – nobody can pass off someone else's key that way."""
        olm = self.client.olm
        if olm is None or self._weitergabe_erlaubt:
            return
        nio_regel = olm._should_accept_forward
        angefragt = self._angefragt

        def annehmen(sender: str, sender_key: str, event: Any) -> bool:
            if event.session_id not in olm.outgoing_key_requests:
                # Checked here: nio's own message for this case breaks its logging call.
                log.info("ignoring a room key %s nobody asked for", event.session_id)
                return False
            if nio_regel(sender, sender_key, event):
                return True
            gefragt = angefragt.get(event.session_id)
            ersteller = event.source.get("content", {}).get("sender_key")
            if gefragt is None:
                return False
            ok = gefragt == (event.room_id, sender) and ersteller == sender_key
            if ok:
                angefragt.pop(event.session_id, None)
                log.info("room key %s forwarded by its creator %s", event.session_id, sender)
            return ok

        olm._should_accept_forward = annehmen
        self._weitergabe_erlaubt = True
