"""Cross-signing of the bot's account against the real Synapse (om_bot/matrix/kreuzsignatur.py).

The bot's side is a nio client with encryption on, as the bot runs it. Whether it worked is
decided by another user, from what Synapse hands out in ``/keys/query``, with signedjson and
PyNaCl (what Synapse itself uses), never with the module under test. The last test goes
through the bot's own login (the adapter's `MatrixBot.login`, a lost crypto store included).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import socket
import stat
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import nio
import pytest
from signedjson.key import decode_verify_key_bytes
from signedjson.sign import SignatureVerifyException, verify_signed_json
from unpaddedbase64 import decode_base64

from om_bot.devtools.homeserver import LocalSynapse
from om_bot.matrix.adapter import MatrixBot
from om_bot.matrix.kreuzsignatur import DATEINAME, Stand, einrichten
from tests.conftest import User, Users, bot_config

pytestmark = pytest.mark.matrix

UPLOAD = "/keys/device_signing/upload"
SIGNATUREN = "/keys/signatures/upload"


def _schluessel(objekt: dict[str, Any]) -> str:
    [key] = [k for i, k in objekt["keys"].items() if i.startswith("ed25519:")]
    return str(key)


def _pruefer(kennung: str, oeffentlich: str) -> Any:
    return decode_verify_key_bytes(f"ed25519:{kennung}", decode_base64(oeffentlich))


class Fremder:
    """Another user of the homeserver who looks at the bot's keys."""

    def __init__(self, synapse: LocalSynapse, user: User) -> None:
        self.synapse = synapse
        self.token = synapse.login_token(user.user_id, user.password)

    async def abfrage(self, bot_id: str) -> dict[str, Any]:
        status, body = await asyncio.to_thread(
            self.synapse.request,
            "POST",
            "/_matrix/client/v3/keys/query",
            {"device_keys": {bot_id: []}},
            self.token,
        )
        assert status == 200, body
        return body

    async def pruefe_kette(self, bot_id: str, device_id: str) -> str:
        """Verify master → self-signing → device and the device's own signature; the master."""
        keys = await self.abfrage(bot_id)
        master = keys["master_keys"][bot_id]
        assert master["usage"] == ["master"] and master["user_id"] == bot_id
        master_key = _schluessel(master)
        ssk = keys["self_signing_keys"][bot_id]
        assert ssk["usage"] == ["self_signing"] and ssk["user_id"] == bot_id
        verify_signed_json(ssk, bot_id, _pruefer(master_key, master_key))
        ssk_key = _schluessel(ssk)
        device = keys["device_keys"][bot_id][device_id]
        verify_signed_json(
            device, bot_id, _pruefer(device_id, device["keys"][f"ed25519:{device_id}"])
        )
        verify_signed_json(device, bot_id, _pruefer(ssk_key, ssk_key))
        return master_key


async def _geraet(synapse: LocalSynapse, user: User, store: Path) -> nio.AsyncClient:
    """A new device of `user` with encryption on and its device keys uploaded, as the bot."""
    store.mkdir(parents=True, exist_ok=True)
    client = nio.AsyncClient(
        synapse.url,
        user.user_id,
        store_path=str(store),
        config=nio.AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
    )
    assert isinstance(await client.login(user.password, device_name="om-bot"), nio.LoginResponse)
    assert isinstance(await client.keys_upload(), nio.KeysUploadResponse)
    return client


def _mitschreiben(client: nio.AsyncClient) -> list[str]:
    """Record the paths of the client's requests (wraps its real send)."""
    pfade: list[str] = []
    echt = client.send

    async def send(method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        pfade.append(path)
        return await echt(method, path, *args, **kwargs)

    client.send = send  # type: ignore[method-assign]
    return pfade


@pytest.fixture
async def konto(
    synapse: LocalSynapse, users: Users, tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    """`(user, store, client)` for a fresh bot account; `geraet(user, store)` logs in again."""
    clients: list[nio.AsyncClient] = []

    async def geraet(user: User | None = None, store: Path | None = None) -> Any:
        user = user or users.get(f"ksbot{secrets.token_hex(4)}")
        store = store or tmp_path / user.user_id.split(":")[0].lstrip("@") / "store"
        client = await _geraet(synapse, user, store)
        clients.append(client)
        return user, store, client

    yield geraet
    for client in clients:
        await client.close()


@pytest.fixture
async def fremder(synapse: LocalSynapse, users: Users) -> Fremder:
    return Fremder(synapse, users.get("ksfremder"))


async def test_the_bot_cross_signs_its_device_and_a_stranger_verifies_it(konto, fremder) -> None:
    user, store, client = await konto()

    ergebnis = await einrichten(client, store, user.password)

    assert ergebnis.stand is Stand.EINGERICHTET and ergebnis.ok, ergebnis.meldung
    master = await fremder.pruefe_kette(user.user_id, client.device_id)
    assert master == ergebnis.master_key
    # The check can fail: a device key changed after signing is caught.
    device = (await fremder.abfrage(user.user_id))["device_keys"][user.user_id][client.device_id]
    device["keys"][f"curve25519:{client.device_id}"] = "A" * 43
    ssk = _schluessel((await fremder.abfrage(user.user_id))["self_signing_keys"][user.user_id])
    with pytest.raises(SignatureVerifyException):
        verify_signed_json(device, user.user_id, _pruefer(ssk, ssk))
    datei = store / DATEINAME
    assert stat.S_IMODE(datei.stat().st_mode) == 0o600
    assert master not in datei.read_text()  # only the private seeds are stored

    # The next start finds everything in place: one query, nothing uploaded.
    pfade = _mitschreiben(client)
    wieder = await einrichten(client, store, user.password)
    assert wieder.stand is Stand.UNVERAENDERT and wieder.master_key == master
    assert len(pfade) == 1 and pfade[0].endswith("/keys/query")
    assert await fremder.pruefe_kette(user.user_id, client.device_id) == master


async def test_a_new_device_of_the_bot_is_signed_on_its_first_start(konto, fremder) -> None:
    user, store, erstes = await konto()
    master = (await einrichten(erstes, store, None)).master_key
    # A new login (store of the old device gone, or a new machine) with the same key file.
    _, _, neues = await konto(user, store)
    assert neues.device_id != erstes.device_id
    pfade = _mitschreiben(neues)

    ergebnis = await einrichten(neues, store, None)

    assert ergebnis.stand is Stand.GERAET_SIGNIERT and ergebnis.master_key == master
    assert not any(p.endswith(UPLOAD) for p in pfade)
    assert any(p.endswith(SIGNATUREN) for p in pfade)
    assert await fremder.pruefe_kette(user.user_id, neues.device_id) == master
    assert await fremder.pruefe_kette(user.user_id, erstes.device_id) == master


async def test_lost_keys_are_replaced_only_with_the_password(konto, fremder, caplog) -> None:
    user, store, client = await konto()
    alt = (await einrichten(client, store, user.password)).master_key
    (store / DATEINAME).unlink()
    caplog.set_level(logging.INFO, logger="om_bot.matrix.kreuzsignatur")

    # Only an access token configured: nothing replaced, the operator is told what to do.
    ohne = await einrichten(client, store, None)
    assert ohne.stand is Stand.PASSWORT_FEHLT and not ohne.ok
    assert "matrix.password" in caplog.text and DATEINAME in caplog.text
    assert await fremder.pruefe_kette(user.user_id, client.device_id) == alt

    # A wrong password: refused by Synapse, still nothing replaced, and no exception.
    falsch = await einrichten(client, store, "falsches-passwort")
    assert falsch.stand is Stand.ABGELEHNT and "M_FORBIDDEN" in falsch.meldung
    assert await fremder.pruefe_kette(user.user_id, client.device_id) == alt
    assert "falsches-passwort" not in caplog.text

    # With the password the bot takes a new identity and signs its device with it.
    ersetzt = await einrichten(client, store, user.password)
    assert ersetzt.stand is Stand.ERSETZT and ersetzt.ok
    neu = await fremder.pruefe_kette(user.user_id, client.device_id)
    assert neu == ersetzt.master_key != alt
    assert user.password not in caplog.text


async def test_a_garbage_key_file_is_moved_aside_not_a_crash(konto, fremder, caplog) -> None:
    user, store, client = await konto()
    store.mkdir(parents=True, exist_ok=True)
    (store / DATEINAME).write_bytes(b"\x00{kein json")

    ergebnis = await einrichten(client, store, None)

    assert ergebnis.stand is Stand.EINGERICHTET and ergebnis.datei_defekt
    [beiseite] = store.glob(f"{DATEINAME}.defekt-*")
    assert beiseite.read_bytes() == b"\x00{kein json"
    assert "unusable" in caplog.text
    assert await fremder.pruefe_kette(user.user_id, client.device_id) == ergebnis.master_key
    assert stat.S_IMODE((store / DATEINAME).stat().st_mode) == 0o600


async def test_garbage_file_on_a_set_up_account_needs_the_password(konto, fremder) -> None:
    user, store, client = await konto()
    alt = (await einrichten(client, store, None)).master_key
    (store / DATEINAME).write_text('{"format": 1, "user_id": "' + user.user_id + '"}')

    ergebnis = await einrichten(client, store, None)

    assert ergebnis.stand is Stand.PASSWORT_FEHLT and ergebnis.datei_defekt
    assert await fremder.pruefe_kette(user.user_id, client.device_id) == alt


async def test_another_accounts_key_file_is_not_used(konto, fremder) -> None:
    anderer, store, client = await konto()
    await einrichten(client, store, None)
    user, _, eigener = await konto()

    ergebnis = await einrichten(eigener, store, None)

    assert ergebnis.stand is Stand.EINGERICHTET and ergebnis.datei_defekt
    assert await fremder.pruefe_kette(user.user_id, eigener.device_id) == ergebnis.master_key
    assert ergebnis.master_key != await fremder.pruefe_kette(anderer.user_id, client.device_id)


async def test_failures_are_reported_not_raised(konto, synapse, users, tmp_path) -> None:
    user, store, client = await konto()
    # An unreachable homeserver.
    with socket.socket() as frei:
        frei.bind(("127.0.0.1", 0))
        port = frei.getsockname()[1]
    echt, client.homeserver = client.homeserver, f"http://127.0.0.1:{port}"
    ergebnis = await einrichten(client, store, user.password)
    assert ergebnis.stand is Stand.FEHLER and not ergebnis.ok
    client.homeserver = echt

    # A client without encryption: nothing to sign, nothing written.
    ohne = nio.AsyncClient(synapse.url, user.user_id)
    try:
        assert isinstance(await ohne.login(user.password), nio.LoginResponse)
        leer = tmp_path / "ohne"
        ergebnis = await einrichten(ohne, leer, user.password)
        assert ergebnis.stand is Stand.FEHLER and "encryption" in ergebnis.meldung
        assert not (leer / DATEINAME).exists()
    finally:
        await ohne.close()


async def _bot_angemeldet(config: Any) -> Any:
    """The bot's own adapter logged in and its device keys up, as on a real start."""
    bot = MatrixBot(config.matrix, config.bot, state=None, handle=lambda message: [])  # type: ignore[arg-type]
    await bot.login()
    await bot.krypto.pflegen()
    return bot


async def test_with_the_bots_own_login_a_lost_crypto_store_still_gets_signed(
    synapse, users, tmp_path, fremder
) -> None:
    user = users.get(f"ksbot{secrets.token_hex(4)}")
    config = bot_config(synapse, tmp_path, user.user_id, user.password)
    store = config.matrix.store_path
    bot = await _bot_angemeldet(config)
    try:
        ergebnis = await einrichten(bot.client, store, config.matrix.password or None)
        assert ergebnis.stand is Stand.EINGERICHTET, ergebnis.meldung
        altes = bot.client.device_id
    finally:
        await bot.client.close()
        await bot.sender.close()

    # The crypto store is lost: the login makes a new device; the key file stays.
    for datei in store.glob(f"*{altes}*"):
        datei.unlink()
    bot = await _bot_angemeldet(config)
    try:
        assert bot.client.device_id != altes
        wieder = await einrichten(bot.client, store, config.matrix.password or None)
        assert wieder.stand is Stand.GERAET_SIGNIERT, wieder.meldung
        assert wieder.master_key == ergebnis.master_key
        assert await fremder.pruefe_kette(user.user_id, bot.client.device_id) == wieder.master_key
    finally:
        await bot.client.close()
        await bot.sender.close()


async def _kette_des_laufenden_bots(fremder: Fremder, bot: Any, nicht: str = "") -> tuple[str, str]:
    """(device id, master key) once the running bot's device is cross-signed; the device id
    comes from the bot's stored credentials (waiting for a new one while it is `nicht`)."""
    anmeldung = bot.config.matrix.store_path / "credentials.json"
    for _ in range(300):
        await asyncio.sleep(0.05)
        if not anmeldung.exists():
            continue
        device_id = str(json.loads(anmeldung.read_text())["device_id"])
        if device_id == nicht:
            continue
        keys = await fremder.abfrage(bot.user_id)
        device = keys.get("device_keys", {}).get(bot.user_id, {}).get(device_id, {})
        if (
            bot.user_id in keys.get("master_keys", {})
            and len(device.get("signatures", {}).get(bot.user_id, {})) > 1
        ):
            return device_id, await fremder.pruefe_kette(bot.user_id, device_id)
    raise AssertionError("the running bot did not cross-sign its device")


async def test_the_running_bot_cross_signs_its_device_on_start(make_bot, fremder) -> None:
    """The wiring in MatrixBot.run: a started bot sets up cross-signing by itself, a restart
    keeps the chain, and a new device after a lost crypto store is signed by the same master."""
    bot = await make_bot(import_sample=False)
    device_id, master = await _kette_des_laufenden_bots(fremder, bot)
    assert stat.S_IMODE((bot.config.matrix.store_path / DATEINAME).stat().st_mode) == 0o600

    await bot.restart()
    assert await _kette_des_laufenden_bots(fremder, bot) == (device_id, master)

    await bot.stop()
    for datei in bot.config.matrix.store_path.glob(f"*{device_id}*.db"):
        datei.unlink()
    await bot.start()
    neues, wieder = await _kette_des_laufenden_bots(fremder, bot, nicht=device_id)
    assert neues != device_id and wieder == master
