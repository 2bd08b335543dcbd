"""Cross-signing for the bot's own account: its master, self-signing and user-signing keys.

matrix-nio has no cross-signing, so this module does it through the client-server API on the
bot's logged-in, encryption-enabled nio client (`einrichten`, once its device keys are up):

1. ``POST /keys/query`` for the bot's own user: the cross-signing keys the server holds and
   the current device's keys.
2. If the server's keys are not the ones in ``<store_path>/kreuzsignatur.json``, the stored
   keys (new ones when there are none) are uploaded with ``POST /keys/device_signing/upload``.
   The first upload needs no user-interactive auth (MSC3967, built into Synapse 1.163);
   replacing keys that are already there does, and is done with ``m.login.password`` when the
   bot has its password – never without it.
3. Unless the current device already carries a valid signature of the self-signing key, its
   device keys (as the server has them, checked against the local Olm account first) are
   signed and sent with ``POST /keys/signatures/upload``.

Keys are Ed25519 from pycryptodome (already installed as a nio dependency): vodozemac's Python
bindings sign only with an Olm account's device key and offer no free-standing signing key.
Objects are signed as the spec's appendix "Signing JSON" says, over `kanonisch` – not nio's
``Api.to_canonical_json``, which writes ``1e10`` as ``10000000000.0`` where the spec wants
``10000000000``. Nothing here raises: every outcome is an `Ergebnis`, logged once.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import json
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import nio
from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa

from om_bot.matrix.anmeldung import privat_schreiben

log = logging.getLogger(__name__)

DATEINAME = "kreuzsignatur.json"
_FORMAT = 1
_ABFRAGE = "/_matrix/client/v3/keys/query"
_SCHLUESSEL_HOCHLADEN = "/_matrix/client/v3/keys/device_signing/upload"
_SIGNATUREN_HOCHLADEN = "/_matrix/client/v3/keys/signatures/upload"
_GRENZE = 2**53 - 1  # canonical JSON: integers in [-(2**53)+1, (2**53)-1]
_VERSUCHE_BEI_429 = 3


# --- canonical JSON and signatures (spec appendix "Signing JSON") ------------------------


def _pruefe(wert: Any) -> Any:
    """`wert` with integral floats as ints; anything canonical JSON cannot hold raises."""
    if wert is None or isinstance(wert, bool | str):
        return wert
    if isinstance(wert, int):
        if abs(wert) > _GRENZE:
            raise ValueError(f"integer {wert} is outside the range canonical JSON allows")
        return wert
    if isinstance(wert, float):
        # JSON has one number type: 1e10 read by Python is a float, but the value an integer.
        if not math.isfinite(wert) or not wert.is_integer():
            raise ValueError(f"{wert!r} is not an integer; canonical JSON has no fractions")
        return _pruefe(int(wert))
    if isinstance(wert, list | tuple):
        return [_pruefe(teil) for teil in wert]
    if isinstance(wert, dict):
        if not all(isinstance(k, str) for k in wert):
            raise ValueError("object keys must be strings")
        return {k: _pruefe(v) for k, v in wert.items()}
    raise ValueError(f"{type(wert).__name__} has no JSON form")


def kanonisch(wert: Any) -> bytes:
    """The spec's canonical JSON of `wert`: UTF-8, keys sorted by code point, no spaces."""
    text = json.dumps(
        _pruefe(wert), ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
    )
    # A lone surrogate has no UTF-8 form: encode() raises, as it must.
    return text.encode("utf-8")


def signierbar(objekt: dict[str, Any]) -> dict[str, Any]:
    """What a signature covers: the object without ``signatures`` and ``unsigned``."""
    return {k: v for k, v in objekt.items() if k not in ("signatures", "unsigned")}


def b64(daten: bytes) -> str:
    """Unpadded standard Base64, as Matrix writes keys and signatures."""
    return base64.b64encode(daten).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def signatur_gueltig(
    objekt: dict[str, Any], wer: str, schluessel: str, kennung: str | None = None
) -> bool:
    """Whether `objekt` carries a valid signature of `wer` by the Ed25519 key `schluessel`.

    The signature is looked up as ``ed25519:<kennung>``: the key itself for cross-signing
    keys, the device id for a device's own signature.
    """
    signaturen = objekt.get("signatures")
    von_wem = signaturen.get(wer) if isinstance(signaturen, dict) else None
    signatur = (
        von_wem.get(f"ed25519:{kennung or schluessel}") if isinstance(von_wem, dict) else None
    )
    if not isinstance(signatur, str):
        return False
    try:
        pruefer = eddsa.new(eddsa.import_public_key(_unb64(schluessel)), "rfc8032")
        pruefer.verify(kanonisch(signierbar(objekt)), _unb64(signatur))
    except (ValueError, TypeError, binascii.Error):
        return False
    return True


@dataclass(frozen=True)
class Signierschluessel:
    """One Ed25519 key pair, kept as its 32-byte seed."""

    seed: bytes

    @classmethod
    def neu(cls) -> Signierschluessel:
        return cls(ECC.generate(curve="ed25519").seed)

    @property
    def oeffentlich(self) -> str:
        key = eddsa.import_private_key(self.seed).public_key()
        return b64(key.export_key(format="raw"))

    def signiere(self, objekt: dict[str, Any], wer: str) -> dict[str, Any]:
        """`objekt` with this key's signature of `wer` added (existing ones kept)."""
        signer = eddsa.new(eddsa.import_private_key(self.seed), "rfc8032")
        signatur = b64(signer.sign(kanonisch(signierbar(objekt))))
        signaturen = {k: dict(v) for k, v in (objekt.get("signatures") or {}).items()}
        signaturen.setdefault(wer, {})[f"ed25519:{self.oeffentlich}"] = signatur
        return {**objekt, "signatures": signaturen}


# --- the key file -------------------------------------------------------------------------


class DateiDefekt(ValueError):
    """The key file exists but cannot be used (garbage, another account, wrong format)."""


_ROLLEN = ("master", "self_signing", "user_signing")


@dataclass(frozen=True)
class Kreuzschluessel:
    """The account's three cross-signing keys."""

    user_id: str
    master: Signierschluessel
    self_signing: Signierschluessel
    user_signing: Signierschluessel

    @classmethod
    def neu(cls, user_id: str) -> Kreuzschluessel:
        return cls(
            user_id, Signierschluessel.neu(), Signierschluessel.neu(), Signierschluessel.neu()
        )

    def oeffentlich(self) -> tuple[str, str, str]:
        return (
            self.master.oeffentlich,
            self.self_signing.oeffentlich,
            self.user_signing.oeffentlich,
        )

    def hochladen_inhalt(self) -> dict[str, Any]:
        """The body of ``/keys/device_signing/upload``: the master key signs the other two."""

        def teil(schluessel: Signierschluessel, usage: str) -> dict[str, Any]:
            k = schluessel.oeffentlich
            return {"user_id": self.user_id, "usage": [usage], "keys": {f"ed25519:{k}": k}}

        master = teil(self.master, "master")
        return {
            "master_key": master,
            "self_signing_key": self.master.signiere(
                teil(self.self_signing, "self_signing"), self.user_id
            ),
            "user_signing_key": self.master.signiere(
                teil(self.user_signing, "user_signing"), self.user_id
            ),
        }

    def speichern(self, pfad: Path) -> None:
        """Write atomically, readable by the bot's user only: these are private keys."""
        inhalt: dict[str, Any] = {"format": _FORMAT, "user_id": self.user_id}
        inhalt.update({rolle: b64(getattr(self, rolle).seed) for rolle in _ROLLEN})
        privat_schreiben(pfad, inhalt)

    @classmethod
    def laden(cls, pfad: Path, user_id: str) -> Kreuzschluessel | None:
        """The stored keys, None if there is no file; `DateiDefekt` if it is unusable."""
        try:
            text = pfad.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise DateiDefekt(f"cannot read it: {error}") from error
        try:
            daten = json.loads(text)
            if not isinstance(daten, dict) or daten.get("format") != _FORMAT:
                raise DateiDefekt("unknown format")
            if daten.get("user_id") != user_id:
                raise DateiDefekt(f"it belongs to {daten.get('user_id')!r}, not {user_id}")
            seeds = [_unb64(str(daten[rolle])) for rolle in _ROLLEN]
        except (ValueError, KeyError, binascii.Error) as error:
            raise DateiDefekt(str(error) or type(error).__name__) from error
        if any(len(seed) != 32 for seed in seeds):
            raise DateiDefekt("a key is not 32 bytes")
        if pfad.stat().st_mode & 0o077:
            log.warning("cross-signing: %s was readable by others; set to 0600", pfad)
            pfad.chmod(0o600)
        return cls(user_id, *(Signierschluessel(seed) for seed in seeds))


def _beiseite(pfad: Path, grund: str) -> None:
    """Move an unusable key file aside: kept for the operator, never overwritten."""
    ziel = pfad.with_name(f"{pfad.name}.defekt-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}")
    pfad.replace(ziel)
    log.error("cross-signing: %s is unusable (%s); moved to %s", pfad, grund, ziel.name)


# --- talking to the homeserver -----------------------------------------------------------


class Stand(StrEnum):
    EINGERICHTET = "eingerichtet"  # keys created or restored on the server, device signed
    GERAET_SIGNIERT = "geraet_signiert"  # keys were in place, this device got its signature
    UNVERAENDERT = "unveraendert"  # everything in place, nothing uploaded
    ERSETZT = "ersetzt"  # keys the bot did not hold were replaced after auth
    PASSWORT_FEHLT = "passwort_fehlt"  # replacing needs auth and no password is configured
    ABGELEHNT = "abgelehnt"  # the homeserver refused the auth (wrong password, other flow)
    FEHLER = "fehler"  # network, homeserver, key file or precondition failure


_OK = {Stand.EINGERICHTET, Stand.GERAET_SIGNIERT, Stand.UNVERAENDERT, Stand.ERSETZT}


@dataclass(frozen=True)
class Ergebnis:
    stand: Stand
    meldung: str
    master_key: str | None = None
    # The key file was unusable and moved aside (name in the log).
    datei_defekt: bool = False

    @property
    def ok(self) -> bool:
        """The bot's device is cross-signed by the master key in the key file."""
        return self.stand in _OK


class _Abbruch(Exception):
    def __init__(self, stand: Stand, meldung: str) -> None:
        super().__init__(meldung)
        self.stand = stand
        self.meldung = meldung


async def _anfrage(client: nio.AsyncClient, pfad: str, inhalt: dict[str, Any]) -> tuple[int, Any]:
    """POST `inhalt` with the client's token and HTTP session; 429 is waited out (bounded)."""
    headers = {"Content-Type": "application/json", **(client.config.custom_headers or {})}
    headers["Authorization"] = f"Bearer {client.access_token}"
    for versuch in range(_VERSUCHE_BEI_429 + 1):
        antwort = await client.send("POST", pfad, json.dumps(inhalt), headers=headers)
        try:
            try:
                daten = await antwort.json(content_type=None)
            except ValueError:
                daten = {}
        finally:
            antwort.release()
        if antwort.status != 429 or versuch == _VERSUCHE_BEI_429:
            return antwort.status, daten
        warten = (daten.get("retry_after_ms") or 2000) / 1000 if isinstance(daten, dict) else 2
        await asyncio.sleep(min(warten, 30))
    raise AssertionError("unreachable")


def _fehler(status: int, daten: Any) -> str:
    if isinstance(daten, dict):
        return f"HTTP {status} {daten.get('errcode', '')} {daten.get('error', '')}".strip()
    return f"HTTP {status}"


def _ed25519(objekt: Any) -> str | None:
    """The Ed25519 key of a cross-signing key object from ``/keys/query``."""
    if not isinstance(objekt, dict) or not isinstance(objekt.get("keys"), dict):
        return None
    for key_id, key in objekt["keys"].items():
        if isinstance(key_id, str) and key_id.startswith("ed25519:") and isinstance(key, str):
            return key
    return None


def _uia_hinweis(daten: dict[str, Any]) -> str:
    """What an operator can do when the homeserver offers no password stage."""
    for params in (daten.get("params") or {}).values():
        if isinstance(params, dict) and isinstance(params.get("url"), str):
            return f"approve the reset at {params['url']} and restart the bot"
    return f"the homeserver offers only these flows: {daten.get('flows')}"


async def _schluessel_hochladen(
    client: nio.AsyncClient,
    schluessel: Kreuzschluessel,
    passwort: str | None,
    datei: Path,
    ersetzen: bool,
) -> None:
    """Upload the keys; with the password if the homeserver asks for user-interactive auth."""
    inhalt = schluessel.hochladen_inhalt()
    status, daten = await _anfrage(client, _SCHLUESSEL_HOCHLADEN, inhalt)
    if status == 200:
        return
    if status != 401 or not isinstance(daten, dict) or "flows" not in daten:
        raise _Abbruch(
            Stand.FEHLER, f"uploading the cross-signing keys failed: {_fehler(status, daten)}"
        )
    anders = (
        "the homeserver holds cross-signing keys of this account that are not in "
        f"{datei} (lost or replaced by another client); replacing them needs the password"
        if ersetzen
        # Homeservers without MSC3967 ask for it on the first upload too.
        else "the homeserver asks for the password to upload the first cross-signing keys"
    )
    zurueck = f"put the old {datei.name} back, or " if ersetzen else ""
    folge = ": the bot then takes a new cross-signing identity (members see it change)"
    folge = folge if ersetzen else ""
    passwort_stufe = any(
        isinstance(f, dict) and f.get("stages") == ["m.login.password"] for f in daten["flows"]
    )
    if not passwort_stufe:
        raise _Abbruch(Stand.ABGELEHNT, f"{anders}: {_uia_hinweis(daten)}")
    if not passwort:
        raise _Abbruch(
            Stand.PASSWORT_FEHLT,
            f"{anders}. To fix: {zurueck}set matrix.password (or OM_BOT_MATRIX_PASSWORD) "
            f"once and restart{folge}. Until then the bot's device is not cross-signed; "
            "everything else works.",
        )
    inhalt["auth"] = {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": client.user_id},
        "password": passwort,
        "session": daten.get("session"),
    }
    status, daten = await _anfrage(client, _SCHLUESSEL_HOCHLADEN, inhalt)
    if status == 401:
        raise _Abbruch(
            Stand.ABGELEHNT,
            f"{anders}; the homeserver refused the password ({_fehler(status, daten)}). "
            "Check matrix.password; the bot's device stays without cross-signing.",
        )
    if status != 200:
        raise _Abbruch(
            Stand.FEHLER, f"uploading the cross-signing keys failed: {_fehler(status, daten)}"
        )


def _eigenes_geraet(client: nio.AsyncClient, abfrage: dict[str, Any]) -> dict[str, Any]:
    """The current device's keys from the query, only if they are this device's own."""
    user_id, device_id = client.user_id, client.device_id
    geraet = ((abfrage.get("device_keys") or {}).get(user_id) or {}).get(device_id)
    if not isinstance(geraet, dict):
        raise _Abbruch(
            Stand.FEHLER,
            f"the homeserver has no keys for device {device_id} yet (call after keys_upload)",
        )
    eigener = client.olm.account.identity_keys["ed25519"]
    # Never sign what the server claims this device to be without checking it.
    if (
        (geraet.get("keys") or {}).get(f"ed25519:{device_id}") != eigener
        or not signatur_gueltig(geraet, user_id, eigener, device_id)
        or geraet.get("user_id") != user_id
        or geraet.get("device_id") != device_id
    ):
        raise _Abbruch(
            Stand.FEHLER,
            f"the homeserver's keys for device {device_id} are not this device's; not signing",
        )
    return geraet


async def _geraet_signieren(
    client: nio.AsyncClient, schluessel: Kreuzschluessel, geraet: dict[str, Any]
) -> bool:
    """Sign the device unless it is signed already; True if a signature was uploaded."""
    if signatur_gueltig(geraet, client.user_id, schluessel.self_signing.oeffentlich):
        return False
    # Only the new signature goes up; the server compares the rest with the stored device.
    signiert = schluessel.self_signing.signiere(
        {**signierbar(geraet), "signatures": {}}, client.user_id
    )
    inhalt = {client.user_id: {client.device_id: signiert}}
    status, daten = await _anfrage(client, _SIGNATUREN_HOCHLADEN, inhalt)
    fehlschlaege = daten.get("failures") if isinstance(daten, dict) else None
    if status != 200 or fehlschlaege:
        grund = fehlschlaege or _fehler(status, daten)
        raise _Abbruch(Stand.FEHLER, f"signing device {client.device_id} failed: {grund}")
    return True


async def _ablauf(
    client: nio.AsyncClient, datei: Path, schluessel: Kreuzschluessel | None, passwort: str | None
) -> Ergebnis:
    user_id = client.user_id
    status, abfrage = await _anfrage(client, _ABFRAGE, {"device_keys": {user_id: []}})
    if status != 200 or not isinstance(abfrage, dict):
        raise _Abbruch(Stand.FEHLER, f"querying the bot's keys failed: {_fehler(status, abfrage)}")
    auf_server = tuple(
        _ed25519((abfrage.get(f"{rolle}_keys") or {}).get(user_id)) for rolle in _ROLLEN
    )
    geraet = _eigenes_geraet(client, abfrage)

    stand = Stand.UNVERAENDERT
    if schluessel is None:
        schluessel = Kreuzschluessel.neu(user_id)
        # Stored before the upload: keys on the server that are in no file are lost keys.
        schluessel.speichern(datei)
    if auf_server != schluessel.oeffentlich():
        ersetzen = auf_server[0] is not None
        await _schluessel_hochladen(client, schluessel, passwort, datei, ersetzen)
        stand = Stand.ERSETZT if ersetzen else Stand.EINGERICHTET
    if await _geraet_signieren(client, schluessel, geraet) and stand is Stand.UNVERAENDERT:
        stand = Stand.GERAET_SIGNIERT
    master = schluessel.master.oeffentlich
    meldung = {
        Stand.EINGERICHTET: f"master key {master} uploaded, device {client.device_id} signed",
        Stand.ERSETZT: (
            f"the server's cross-signing keys (master {auf_server[0]}) were not in {datei}; "
            f"replaced by master key {master} (the homeserver accepted the reset), device "
            f"{client.device_id} signed. Members see the bot's identity as changed."
        ),
        Stand.GERAET_SIGNIERT: f"new device {client.device_id} signed (master key {master})",
        Stand.UNVERAENDERT: f"device {client.device_id} already signed (master key {master})",
    }[stand]
    return Ergebnis(stand, meldung, master)


async def einrichten(client: nio.AsyncClient, store_path: Path, password: str | None) -> Ergebnis:
    """Make sure the bot's account has cross-signing keys and its current device is signed.

    `client` is logged in with encryption enabled and has uploaded its device keys; the keys
    live in ``store_path / "kreuzsignatur.json"``. Safe to call on every start (and again
    later): it uploads only what is missing. Never raises except on cancellation.
    """
    datei = store_path / DATEINAME
    defekt = False
    try:
        if client.olm is None or not client.device_id or not client.access_token:
            raise _Abbruch(Stand.FEHLER, "the client is not logged in with encryption enabled")
        try:
            schluessel = Kreuzschluessel.laden(datei, client.user_id)
        except DateiDefekt as error:
            _beiseite(datei, str(error))
            defekt, schluessel = True, None
        ergebnis = await _ablauf(client, datei, schluessel, password)
    except _Abbruch as abbruch:
        ergebnis = Ergebnis(abbruch.stand, abbruch.meldung)
    except Exception as error:  # the bot keeps working without cross-signing
        log.exception("cross-signing failed")
        ergebnis = Ergebnis(Stand.FEHLER, f"cross-signing failed: {type(error).__name__}: {error}")
    ergebnis = dataclasses.replace(ergebnis, datei_defekt=defekt)
    stufe = {
        Stand.UNVERAENDERT: logging.INFO,
        Stand.EINGERICHTET: logging.INFO,
        Stand.GERAET_SIGNIERT: logging.INFO,
        Stand.ERSETZT: logging.WARNING,
    }.get(ergebnis.stand, logging.ERROR)
    log.log(stufe, "cross-signing (%s): %s", ergebnis.stand.value, ergebnis.meldung)
    return ergebnis
