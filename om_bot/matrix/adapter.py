"""The Matrix adapter: the only module that imports nio.

It logs in (`om_bot.matrix.anmeldung`), runs the sync loop, turns room events into
`IncomingMessage` objects, hands them to the command router and sends the `Reply` objects back
(their content: `om_bot.matrix.inhalte`; answers are ``m.notice`` replies, messages meant to
reach people ``m.text`` with mentions). Which events count is decided by plain functions
(`om_bot.matrix.regeln`) that tests call directly. The same nio wrapper (`ChatClient`) serves
the human side of `make demo`, the benchmark and the integration tests, so nio stays behind
the package `om_bot.matrix`.

Delivery: replies use a transaction id derived from the command's event id, so a send that is
retried after a timeout or restart is deduplicated by the homeserver. The sync loop never waits
for a send: replies go into a per-room queue (`om_bot.matrix.sendequeue`), which waits out rate
limits (429) room by room, up to ``matrix.send_give_up_seconds``. Sends use a second nio client
on the same login that reports 429 at once instead of sleeping inside nio, so the queue decides.

Encryption (`om_bot.matrix.krypto`): the main client holds the olm machine; in an encrypted room
a reply is encrypted there and the ``m.room.encrypted`` content goes out through the sending
client, the ``.ics`` as an encrypted upload. Direct chats the bot opens are encrypted. A message
it cannot decrypt gets one more try after asking the sender's device for the key, then a short
German notice. Login and the crypto store: `om_bot.matrix.anmeldung`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection, Coroutine, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

import nio

from om_bot.config import BotConfig, MatrixConfig
from om_bot.matrix import kreuzsignatur
from om_bot.matrix.anmeldung import Anmeldung, LoginError, client_config
from om_bot.matrix.inhalte import inhalt
from om_bot.matrix.krypto import (
    UNLESBAR_HTML,
    UNLESBAR_TEXT,
    VERLUST_AUS_TEXT,
    VERLUST_TEXT,
    Krypto,
)
from om_bot.matrix.regeln import (
    EventInfo,
    effective_power,
    filter_reason,
    invite_allowed,
    transaction_id,
)
from om_bot.matrix.sendequeue import (
    Failed,
    Melden,
    Outcome,
    SendQueue,
    Sent,
)
from om_bot.matrix.zustellung import Delivery, Zusteller
from om_bot.text.messages import IncomingMessage, Reply

log = logging.getLogger(__name__)

T = TypeVar("T")

# On stop, queued replies get this long to go out before they are abandoned (logged).
SHUTDOWN_GRACE = 5.0
# Rooms with more members get an answer's m.mentions without comparing names (inhalte.py):
# names are chosen by the members, and at 100 of them (256 characters each, the worst shape)
# the comparison with a 6,000-character answer takes about 5 ms of the event loop; at 500, 24.
MAX_NAMENSVERGLEICH = 100
SYNC_FILTER: dict[str, Any] = {
    "presence": {"not_types": ["*"]},
    "account_data": {"not_types": ["*"]},
    "room": {
        "timeline": {"limit": 50},
        "ephemeral": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    },
}


def notice_content(
    reply: Reply,
    in_reply_to: str | None,
    room: nio.MatrixRoom | None = None,
    creators: Collection[str] = (),
) -> dict[str, Any]:
    """The event content of `reply` (`om_bot.matrix.inhalte`): an answer as m.notice, a message
    meant to reach people as m.text with its mentions; `@room` only where the bot's power level
    in `room` reaches ``notifications.room``."""
    erlaubt = False
    if room is not None and reply.raumruf:
        own, levels = room.own_user_id, room.power_levels
        level = effective_power(own, levels.get_user_level(own), room.room_version, creators)
        erlaubt = level >= levels.get_notification_required_level("room")
    namen = None if reply.benachrichtigen else _mitgliedsnamen(room)
    return inhalt(reply, in_reply_to, erlaubt, namen)


def _mitgliedsnamen(room: nio.MatrixRoom | None) -> list[str] | None:
    """Display names and localparts of the other members of `room`, as the legacy push rules
    look for them in a body; None when not known or too many to compare on every answer."""
    if room is None or len(room.users) > MAX_NAMENSVERGLEICH:
        return None
    return [
        name
        for user_id, user in room.users.items()
        if user_id != room.own_user_id
        for name in (user.display_name, user_id[1:].partition(":")[0])
        if name
    ]


# --- persistence the adapter needs, provided by the runtime -----------------------------


@dataclass(frozen=True)
class JoinedRoom:
    joined_at: datetime
    direct: bool


class AdapterState(Protocol):
    def sync_token(self) -> str | None: ...
    def save_sync_token(self, token: str) -> None: ...
    def not_before(self) -> datetime | None: ...
    def set_not_before(self, when: datetime) -> None: ...
    def claim(self, event_id: str, room_id: str, now: datetime) -> bool: ...
    def joined(self, room_id: str, now: datetime, direct: bool) -> None: ...
    def room(self, room_id: str) -> JoinedRoom | None: ...
    def opened_direct(self, room_id: str, user_id: str, now: datetime) -> None: ...
    def direct_room(self, user_id: str) -> str | None: ...
    # Exactly once (hot standby, docs/betrieb.md): handle a message once and return its
    # answers with their transaction ids, to be sent at once; `save_sync_token` writes the
    # batch's claims and answers (the durable outbox) with the token; accepted answers leave
    # it; at start, what a previous process left unsent.
    def answer_once(
        self, message: IncomingMessage, handle: Handler, now: datetime
    ) -> list[tuple[str, Reply]] | None: ...
    def answered(self, txn: str) -> None: ...
    def flush_answered(self) -> None: ...
    def pending_answers(
        self, now: datetime, max_age: timedelta
    ) -> list[tuple[str, IncomingMessage, Reply]]: ...


# Synchronous: the adapter runs it in a worker thread together with the exactly-once claim.
Handler = Callable[[IncomingMessage], list[Reply]]
Clock = Callable[[], datetime]


async def _oder_stop(arbeit: Coroutine[Any, Any, T], stop: asyncio.Event) -> tuple[bool, T | None]:
    """Run `arbeit` until it finishes (True, its result) or `stop` is set first (False, None;
    the work is cancelled)."""
    task = asyncio.ensure_future(arbeit)
    stopping = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if task not in done:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        return False, None
    stopping.cancel()
    return True, task.result()


class MatrixBot:
    """The bot's connection to its homeserver."""

    def __init__(
        self,
        matrix: MatrixConfig,
        bot: BotConfig,
        state: AdapterState,
        handle: Handler,
        clock: Clock = lambda: datetime.now(UTC),
        *,
        melden: Melden | None = None,
    ) -> None:
        self.matrix = matrix
        self.bot = bot
        self.state = state
        self.handle = handle
        self.clock = clock
        self.client = nio.AsyncClient(
            matrix.homeserver,
            matrix.user_id,
            store_path=str(matrix.store_path),
            config=client_config(),
        )
        self._creators: dict[str, set[str]] = {}
        # Read-mostly state kept in memory: the hot path of a command does no extra queries.
        self._not_before: datetime | None = None
        self._rooms: dict[str, JoinedRoom | None] = {}
        self.anmeldung = Anmeldung(self.client, matrix)
        self.krypto = Krypto(
            self.client, vertrauen=matrix.e2e_trust, allowed_servers=bot.allowed_homeservers
        )
        self.zusteller = Zusteller(
            self.client,
            nio.AsyncClient(matrix.homeserver, matrix.user_id, config=client_config(sender=True)),
            krypto=self.krypto,
            state=state,
            clock=clock,
            opened=self._forget_room,
        )
        self._outbox: SendQueue[Delivery] = SendQueue(
            self._attempt,
            give_up_after=matrix.send_give_up_seconds,
            melden=melden,
        )
        self.ready = asyncio.Event()
        # When the last sync response was processed (wall clock); None before the first.
        self.synced_at: datetime | None = None
        # Set by `fence`: this process lost the standby lock and must not send anything more.
        self._fenced = False
        self._closing = False  # run() is shutting down: unsent answers stay in the outbox

    @property
    def sender(self) -> nio.AsyncClient:
        """The second client on the same login that sends the replies (see the docstring)."""
        return self.zusteller.sender

    @sender.setter
    def sender(self, client: nio.AsyncClient) -> None:
        self.zusteller.sender = client

    def _forget_room(self, room_id: str) -> None:
        self._rooms.pop(room_id, None)

    async def login(self) -> None:
        await self.anmeldung.anmelden()
        # The sending client shares the login: same device, same token (and no store: it only
        # sends what the main client encrypted).
        self.sender.restore_login(
            self.client.user_id, self.client.device_id or "", self.client.access_token
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Sync until `stop` is set; survives homeserver errors with backoff."""
        backoff = 1.0
        logged_in = False
        since = self.state.sync_token()
        first_sync = True
        while not stop.is_set():
            try:
                if not logged_in:
                    # A homeserver that cannot be reached keeps nio retrying the login; a stop
                    # signal must end that too (systemd, a standby taking over).
                    angemeldet, _ = await _oder_stop(self.login(), stop)
                    if not angemeldet:
                        break
                    logged_in = True
                response = await self._sync_or_stop(since, first_sync, stop)
                if response is None:
                    break
                if isinstance(response, nio.SyncError):
                    raise ConnectionError(f"sync failed: {response.message}")
                await self.krypto.nach_sync(response, erster=first_sync)
                if first_sync and self.krypto.aktiv:
                    # Once per start, after the first upkeep uploaded the device keys: set up
                    # cross-signing, or sign a new device. In the background: a rate limit may
                    # make it wait, and the first answers must not.
                    self.krypto.im_hintergrund(
                        kreuzsignatur.einrichten(
                            self.client, self.matrix.store_path, self.matrix.password or None
                        )
                    )
                first_start = since is None
                if first_start:
                    # History before the bot's very first start is never answered.
                    self.state.set_not_before(self.clock())
                finished = await self._process(response, stop, skip_timeline=first_start)
                if not finished:
                    break
                since = response.next_batch
                # The replies just queued go out first: started after the write, its thread
                # would hold the interpreter while they wait for it (up to its 5 ms switch
                # interval, measured at p90). One turn of the loop gets them onto the wire.
                await asyncio.sleep(0)
                # In a worker thread, with the batch's claims and outbox rows (`AdapterState`).
                await asyncio.to_thread(self.state.save_sync_token, since)
                first_sync = False
                backoff = 1.0
                self.synced_at = self.clock()
                if not self.ready.is_set():
                    self._verlust_melden()
                    # After the first sync (rooms, members and encryption known): the answers
                    # a previous process stored but may not have sent, same transaction ids.
                    await self._nachsenden()
                self.ready.set()
            except (LoginError, asyncio.CancelledError):
                raise
            except Exception:
                log.exception("sync loop error; retrying in %.0f s", backoff)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), backoff)
                backoff = min(backoff * 2, 60.0)
        self._closing = True
        await self._outbox.close(0 if self._fenced else SHUTDOWN_GRACE)
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.state.flush_answered)
        await self.krypto.schliessen()
        await self.sender.close()
        await self.client.close()
        if self.client.store is not None:
            self.client.store.database.close()

    def _verlust_melden(self) -> None:
        """Once, after the first sync: tell the Geschäftsstelle room of a lost crypto store."""
        verlust = self.anmeldung.verlust
        if verlust is None or not self.bot.geschaeftsstelle_room:
            return
        vorlage = VERLUST_TEXT if verlust.neues_geraet else VERLUST_AUS_TEXT
        text = vorlage.format(alt=verlust.altes_geraet, neu=verlust.neues_geraet)
        reply = Reply(text, text, room_id=self.bot.geschaeftsstelle_room)
        txn = transaction_id(f"store-lost/{verlust.altes_geraet}/{verlust.neues_geraet}", 0)
        self._enqueue(reply, None, txn)

    async def _sync_or_stop(
        self, since: str | None, full_state: bool, stop: asyncio.Event
    ) -> nio.SyncResponse | nio.SyncError | None:
        fertig, result = await _oder_stop(
            self.client.sync(
                timeout=0 if since is None else self.matrix.sync_timeout_ms,
                sync_filter=SYNC_FILTER,
                since=since,
                # After a restart nio knows nothing about rooms; full state restores members and
                # power levels while the timeline still starts at the stored token.
                full_state=full_state,
            ),
            stop,
        )
        return result if fertig else None

    async def _process(
        self, response: nio.SyncResponse, stop: asyncio.Event, skip_timeline: bool
    ) -> bool:
        for room_id, info in response.rooms.invite.items():
            await self._on_invite(room_id, info)
        for room_id, info in response.rooms.join.items():
            self._note_creators(room_id, [*info.state, *info.timeline.events])
            if skip_timeline:
                continue
            for event in info.timeline.events:
                if stop.is_set():
                    return False
                await self._on_event(room_id, event)
        return True

    def _note_creators(self, room_id: str, events: Iterable[Any]) -> None:
        for event in events:
            if isinstance(event, nio.RoomCreateEvent):
                content = event.source.get("content", {})
                extra = content.get("additional_creators", [])
                self._creators[room_id] = {event.sender, *[c for c in extra if isinstance(c, str)]}

    async def _on_invite(self, room_id: str, info: Any) -> None:
        inviter = ""
        direct = False
        for event in info.invite_state:
            if (
                isinstance(event, nio.InviteMemberEvent)
                and event.state_key == self.matrix.user_id
                and event.membership == "invite"
            ):
                inviter = event.sender
                direct = bool(event.content.get("is_direct"))
        if invite_allowed(inviter, self.matrix.user_id, self.bot.allowed_homeservers):
            # Before the request: a command sent the moment the join shows (its server time
            # later than the join event) must not count as sent before the bot joined.
            vorher = self.clock()
            result = await self.client.join(room_id)
            if isinstance(result, nio.JoinResponse):
                self.state.joined(room_id, vorher, direct)
                self._rooms.pop(room_id, None)
                log.info("joined %s on invitation by %s", room_id, inviter)
            else:
                log.warning("could not join %s: %s", room_id, result)
        else:
            await self.client.room_leave(room_id)
            log.warning("declined invitation to %s by %s (server not allowed)", room_id, inviter)

    def _event_info(self, room_id: str, event: Any) -> EventInfo | None:
        if not isinstance(event, nio.RoomMessage) or isinstance(event, nio.RoomMessageUnknown):
            return None
        content = event.source.get("content", {})
        relates = content.get("m.relates_to") or {}
        return EventInfo(
            event_id=event.event_id,
            room_id=room_id,
            sender=event.sender,
            timestamp=datetime.fromtimestamp(event.server_timestamp / 1000, UTC),
            msgtype=str(content.get("msgtype", "")),
            body=str(content.get("body", "")),
            is_edit=relates.get("rel_type") == "m.replace" or "m.new_content" in content,
        )

    def _megolm_info(self, room_id: str, event: nio.MegolmEvent) -> EventInfo:
        # Content unknown: treated as a text message, so the filters by sender and time apply.
        return EventInfo(
            event_id=event.event_id,
            room_id=room_id,
            sender=event.sender,
            timestamp=datetime.fromtimestamp(event.server_timestamp / 1000, UTC),
            msgtype="m.text",
            body="",
        )

    async def _on_event(self, room_id: str, event: Any) -> None:
        undecryptable = isinstance(event, nio.MegolmEvent)
        info = (
            self._megolm_info(room_id, event) if undecryptable else self._event_info(room_id, event)
        )
        if info is None:
            return
        if self._not_before is None:
            self._not_before = self.state.not_before() or self.clock()
        if room_id not in self._rooms:
            self._rooms[room_id] = self.state.room(room_id)
        joined = self._rooms[room_id]
        reason = filter_reason(
            info,
            own_user_id=self.matrix.user_id,
            not_before=self._not_before,
            joined_at=joined.joined_at if joined else None,
            now=self.clock(),
            max_age=timedelta(hours=self.bot.catch_up_max_age_hours),
        )
        if reason is not None:
            log.debug("ignoring %s: %s", info.event_id, reason)
            return
        if undecryptable:
            # Off the sync loop: the requested key arrives with a later sync.
            self.krypto.im_hintergrund(self._undecryptable(room_id, event, info))
            return
        room = self.client.rooms.get(room_id)
        level = room.power_levels.get_user_level(info.sender) if room else 0
        message = IncomingMessage(
            event_id=info.event_id,
            room_id=room_id,
            sender=info.sender,
            body=info.body,
            timestamp=info.timestamp,
            # Invited as a direct chat and still just the two of us.
            is_direct=bool(joined and joined.direct)
            and room is not None
            and room.member_count <= 2,
            sender_power_level=effective_power(
                info.sender,
                level,
                room.room_version if room else "1",
                self._creators.get(room_id, set()),
            ),
        )
        # One worker-thread hop for the handler: database work stays off the event loop, and a
        # replayed event is never handled twice. Its claim and outbox rows are written after
        # the batch, with the sync token.
        answers = await asyncio.to_thread(
            self.state.answer_once, message, self.handle, self.clock()
        )
        if answers is None:
            log.debug("already handled %s", info.event_id)
            return
        for txn, reply in answers:
            # Queued, not awaited: the next event (in any room) is handled meanwhile.
            self._ausgang(reply, message, txn)

    async def _undecryptable(self, room_id: str, event: nio.MegolmEvent, info: EventInfo) -> None:
        """Ask for the key and try again; if that fails, say so in the room – once."""
        decrypted = await self.krypto.nachfragen_und_entschluesseln(event)
        if decrypted is not None:
            await self._on_event(room_id, decrypted)
            return
        if not await asyncio.to_thread(self.state.claim, info.event_id, room_id, self.clock()):
            return
        log.warning(
            "could not decrypt %s from %s (device %s, session %s); answering with a notice",
            info.event_id,
            info.sender,
            event.device_id,
            event.session_id,
        )
        source = IncomingMessage(info.event_id, room_id, info.sender, "", info.timestamp)
        self._enqueue(Reply(UNLESBAR_TEXT, UNLESBAR_HTML), source, transaction_id(info.event_id, 0))

    def _ausgang(self, reply: Reply, source: IncomingMessage, txn: str) -> None:
        """Queue a stored answer; once accepted (or given up) it leaves the outbox – not when
        this process stops or is fenced before sending it: then the next one sends it."""

        def erledigt(future: asyncio.Future[bool]) -> None:
            if future.cancelled():
                return
            if future.result() or not (self._fenced or self._closing):
                self.state.answered(txn)

        self._enqueue(reply, source, txn).add_done_callback(erledigt)

    async def _nachsenden(self) -> None:
        max_age = timedelta(seconds=self.matrix.send_give_up_seconds)
        for txn, source, reply in await asyncio.to_thread(
            self.state.pending_answers, self.clock(), max_age
        ):
            self._ausgang(reply, source, txn)

    async def send(
        self, reply: Reply, source: IncomingMessage | None, txn: str, attempts: int = 5
    ) -> bool:
        """Send `reply`; as a reply to `source` when it goes to the source's room. True once
        the homeserver accepted it (the reminder scheduler marks reminders sent only then),
        False when it was given up."""
        return await self._enqueue(reply, source, txn, attempts)

    def _enqueue(
        self, reply: Reply, source: IncomingMessage | None, txn: str, attempts: int = 5
    ) -> asyncio.Future[bool]:
        room_id = reply.room_id or (source.room_id if source else None)
        if reply.user_id is not None:
            # Queued by user: the direct chat may not exist yet; its messages stay in order.
            key, room_id = reply.user_id, None
        elif room_id is None:
            raise ValueError("a reply without a room and without a source message")
        else:
            key = room_id
        return self._outbox.put(key, txn, Delivery(reply, source, txn, room_id), attempts)

    def fence(self) -> None:
        """Stop sending at once – the standby lock is lost (`om_bot.app.standby`): no queued or
        new message goes out any more, and `run` ends without the shutdown grace once its
        `stop` is set. The next active process sends what is still due."""
        self._fenced = True

    async def _attempt(self, job: Delivery) -> Outcome:
        """One try at delivering `job`, called by the send queue until it is sent."""
        if self._fenced:
            return Failed("this process is no longer the active one", final=True)
        if job.room_id is None:
            assert job.reply.user_id is not None
            opened = await self.zusteller.direct_room(job.reply.user_id)
            if not isinstance(opened, str):
                return opened
            job.room_id = opened
        ready = await self.zusteller.room_ready(job.room_id, job.reply.user_id)
        if not isinstance(ready, Sent):
            return ready
        if job.reply.attachment is not None and not job.file_sent:
            outcome = await self.zusteller.send_file(job, job.room_id, job.reply.attachment)
            if not isinstance(outcome, Sent):
                return outcome
            job.file_sent = True
        source = job.source
        in_reply_to = source.event_id if source and job.room_id == source.room_id else None
        room = self.client.rooms.get(job.room_id)
        content = notice_content(
            job.reply, in_reply_to, room, self._creators.get(job.room_id, set())
        )
        return await self.zusteller.send_part(job, job.room_id, content, job.txn, "text")


# --- the human side: demo chat, benchmark and integration tests ---------------------------
