"""Logging the bot in: stored credentials, the crypto store, and a new device when it is lost.

The first start logs in with the password and keeps access token and device id in
``matrix.store_path/credentials.json`` (0600); later starts reuse them, so the device – and with
it the crypto store ``<user>_<device>.db`` next to the credentials – stays the same across
restarts. After the login the store is opened and checked against the homeserver: the device's
published ed25519 key must be the one in the store. A store that cannot be opened (corrupted)
or that no longer holds the device's account (deleted, restored from an old backup) means the
device can no longer decrypt anything: the bot moves the old files aside, logs in again with
the password as a **new device**, logs the old one out (which deletes it and its keys on the
homeserver, so nobody keeps encrypting for it) and says so loudly (ERROR, and once in the
Geschäftsstelle room, see `Anmeldung.verlust`). With only an access token it cannot make a new
device: it logs what the operator must do and runs without encryption. It never exits over
this, so a supervisor does not restart it in a loop. Decisions: docs/verschluesselung.md.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import nio
from nio.api import Api

from om_bot.config import MatrixConfig

log = logging.getLogger(__name__)

StoreZustand = Literal["ok", "neu", "verloren", "defekt", "aus"]


class LoginError(RuntimeError):
    pass


@dataclass(frozen=True)
class Credentials:
    homeserver: str
    user_id: str
    device_id: str
    access_token: str

    @classmethod
    def load(cls, path: Path) -> Credentials | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{k: str(data[k]) for k in cls.__dataclass_fields__})
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, path: Path) -> None:
        # The token is a password.
        privat_schreiben(path, self.__dict__)


def privat_schreiben(pfad: Path, daten: dict[str, Any]) -> None:
    """Write `daten` as JSON to `pfad` atomically and durably, readable by the bot's user only
    (credentials, private keys). A stale tmp file (another mode, a crash of an older version)
    is removed first, so 0600 always applies; fsync'd, since keys that exist only on the
    server after a crash would be lost for good."""
    pfad.parent.mkdir(parents=True, exist_ok=True)
    tmp = pfad.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(daten, handle)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(pfad)


def client_config(sender: bool = False) -> nio.AsyncClientConfig:
    # The bot's sending client gets 429s and timeouts back at once: its send queue waits, per
    # room and bounded. Everything else lets nio retry for as long as it takes. Only the main
    # client holds the olm machine (one device, one store); the sender sends what it encrypted.
    return nio.AsyncClientConfig(
        max_limit_exceeded=0 if sender else None,
        max_timeouts=0 if sender else None,
        request_timeout=30 if sender else 60,
        store_sync_tokens=False,
        encryption_enabled=not sender,
    )


def store_dateien(store_path: Path, user_id: str, device_id: str) -> list[Path]:
    """nio's files for one device: the SQLite store and its trust lists."""
    stamm = f"{user_id}_{device_id}"
    return sorted(p for p in store_path.glob(f"{stamm}.*") if p.is_file())


def store_zustand(lokal: str | None, server: str | None) -> StoreZustand:
    """Compare the store's ed25519 key of the device with the one the homeserver publishes.

    No key on the server: the device never uploaded keys (first start, or a device from before
    encryption was switched on) – the fresh store is right. The same key: fine. A different
    key: the store was made anew for a device whose real keys are lost."""
    if lokal is None:
        return "defekt"
    if server is None:
        return "neu"
    return "ok" if server == lokal else "verloren"


def eigener_schluessel(client: nio.AsyncClient) -> str | None:
    """The ed25519 key of the bot's device in its loaded store (None: no store)."""
    if client.olm is None:
        return None
    return str(client.olm.account.identity_keys["ed25519"])


@dataclass(frozen=True)
class Verlust:
    """The crypto store was lost: what the Geschäftsstelle and the log are told."""

    altes_geraet: str
    neues_geraet: str | None  # None: no new device (access token only), encryption is off
    zustand: StoreZustand


def nur_neue_raeume_speichern(client: nio.AsyncClient) -> None:
    """After `load_store`: nio writes the encrypted rooms of every sync response to its store,
    opening the store's database each time (about 0.5 ms per sync, before the sync's commands
    are even looked at). Only rooms not yet stored are written; a failed write is tried again
    with the next sync."""
    store = client.store
    if store is None:
        return
    speichern = store.save_encrypted_rooms
    gespeichert = set(client.encrypted_rooms)

    def nur_neue(rooms: Iterable[str]) -> None:
        neu = set(rooms) - gespeichert
        if neu:
            speichern(neu)
            gespeichert.update(neu)

    store.save_encrypted_rooms = nur_neue


@dataclass
class Anmeldung:
    """Logs `client` in for `matrix` and opens its crypto store (see the module docstring)."""

    client: nio.AsyncClient
    matrix: MatrixConfig
    verlust: Verlust | None = None

    @property
    def credentials_path(self) -> Path:
        return self.matrix.store_path / "credentials.json"

    async def anmelden(self) -> None:
        self.matrix.store_path.mkdir(parents=True, exist_ok=True)
        # Keys live in this directory: the bot's user only.
        with contextlib.suppress(OSError):
            self.matrix.store_path.chmod(0o700)
        await self._log_in()
        zustand = await self._store_oeffnen()
        if zustand in ("ok", "neu"):
            log.info(
                "crypto store of device %s: %s (%s)",
                self.client.device_id,
                "new" if zustand == "neu" else "loaded",
                store_dateien(self.matrix.store_path, self.client.user_id, self.client.device_id)[
                    :1
                ],
            )
            return
        await self._neues_geraet(zustand)

    async def _log_in(self) -> None:
        stored = Credentials.load(self.credentials_path)
        client = self.client
        if (
            stored
            and stored.user_id == self.matrix.user_id
            and stored.homeserver == self.matrix.homeserver
        ):
            # Like restore_login, without opening the store yet: that is checked on its own.
            client.user_id, client.device_id = stored.user_id, stored.device_id
            client.access_token = stored.access_token
            if isinstance(await client.whoami(), nio.WhoamiResponse):
                log.info(
                    "logged in as %s (device %s, stored token)", stored.user_id, stored.device_id
                )
                return
            log.warning("stored access token was rejected; logging in again")
            client.access_token = ""
        if self.matrix.access_token:
            client.access_token = self.matrix.access_token
            who = await client.whoami()
            if not isinstance(who, nio.WhoamiResponse) or not who.device_id:
                raise LoginError(f"matrix.access_token was rejected: {who}")
            client.user_id, client.device_id = who.user_id, who.device_id
            return
        await self._mit_passwort()

    async def _mit_passwort(self) -> None:
        # nio opens the store inside login() (none without a path); here it is opened and
        # checked on its own.
        store_path, self.client.store_path = self.client.store_path, ""
        try:
            response = await self.client.login(
                self.matrix.password, device_name=self.matrix.device_name
            )
        finally:
            self.client.store_path = store_path
        if not isinstance(response, nio.LoginResponse):
            raise LoginError(f"login as {self.matrix.user_id} failed: {response}")
        Credentials(
            self.matrix.homeserver, response.user_id, response.device_id, response.access_token
        ).save(self.credentials_path)
        log.info("logged in as %s, new device %s", response.user_id, response.device_id)

    async def _store_oeffnen(self) -> StoreZustand:
        client = self.client
        try:
            client.load_store()
            nur_neue_raeume_speichern(client)
        except Exception:
            log.exception("crypto store of device %s cannot be opened", client.device_id)
            self._schliessen()
            return "defekt"
        server = await self._server_schluessel()
        return store_zustand(eigener_schluessel(client), server)

    async def _server_schluessel(self) -> str | None:
        client = self.client
        method, path, data = Api.keys_query(client.access_token, {client.user_id})
        response: Any = await client._send(nio.KeysQueryResponse, method, path, data)
        if not isinstance(response, nio.KeysQueryResponse):
            raise ConnectionError(f"keys/query for the bot's own device failed: {response}")
        device = response.device_keys.get(client.user_id, {}).get(client.device_id or "", {})
        key = device.get("keys", {}).get(f"ed25519:{client.device_id}")
        return str(key) if key else None

    def _schliessen(self) -> None:
        store = self.client.store
        if store is not None:
            with contextlib.suppress(Exception):
                store.database.close()
        self.client.store = None
        self.client.olm = None

    def _beiseite(self, device_id: str) -> Path | None:
        """Move the old device's store files to store_path/alt/<time>/, kept for inspection."""
        dateien = store_dateien(self.matrix.store_path, self.matrix.user_id, device_id)
        if not dateien:
            return None
        ziel = self.matrix.store_path / "alt" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        ziel.mkdir(parents=True, exist_ok=True)
        for datei in dateien:
            shutil.move(datei, ziel / datei.name)
        return ziel

    async def _neues_geraet(self, zustand: StoreZustand) -> None:
        client = self.client
        alt = client.device_id or ""
        alter_token = client.access_token
        self._schliessen()
        ziel = self._beiseite(alt)
        grund = "corrupted" if zustand == "defekt" else "lost (the device's keys are not in it)"
        if not self.matrix.password:
            log.error(
                "ENCRYPTION OFF: the crypto store of device %s is %s, and with only "
                "matrix.access_token the bot cannot create a new device. Encrypted rooms stay "
                "unreadable and get no answers. To fix: set matrix.password (or "
                "OM_BOT_MATRIX_PASSWORD), or log in anew to get a token for a new device, put "
                "it into matrix.access_token, remove %s, and restart.%s",
                alt,
                grund,
                self.credentials_path,
                f" Old store files: {ziel}" if ziel else "",
            )
            self.verlust = Verlust(alt, None, zustand)
            return
        client.device_id = None
        client.access_token = ""
        await self._mit_passwort()
        client.load_store()
        nur_neue_raeume_speichern(client)
        await self._altes_geraet_abmelden(alter_token)
        log.error(
            "NEW DEVICE: the crypto store of device %s was %s; the bot logged in as new device "
            "%s and logged the old one out. Messages encrypted for the old device cannot be "
            "read any more; room members see a new session of the bot.%s",
            alt,
            grund,
            client.device_id,
            f" Old store files: {ziel}" if ziel else "",
        )
        self.verlust = Verlust(alt, client.device_id, zustand)

    async def _altes_geraet_abmelden(self, token: str) -> None:
        """Log the old device out: the homeserver deletes it with its keys (no UIA needed)."""
        alt = nio.AsyncClient(self.matrix.homeserver, self.matrix.user_id)
        alt.access_token = token
        try:
            response = await alt.logout()
            if isinstance(response, nio.LogoutError):
                log.warning("could not log out the old device: %s", response)
        finally:
            await alt.close()
