"""The pure rules of encryption: store check, who gets room keys, which key requests are
answered, the store's files, and the German texts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nio
import pytest

from om_bot.matrix.anmeldung import nur_neue_raeume_speichern, store_dateien, store_zustand
from om_bot.matrix.krypto import (
    UNLESBAR_HTML,
    UNLESBAR_TEXT,
    VERLUST_AUS_TEXT,
    VERLUST_TEXT,
    Schluesselanfrage,
    anfrage_beantworten,
    bekommt_schluessel,
)

BOT = "@om-bot:om.example"
BOT_CURVE = "botcurvekey"


@pytest.mark.parametrize(
    ("lokal", "server", "erwartet"),
    [
        ("A", "A", "ok"),
        ("A", None, "neu"),  # first start, or a device from before encryption
        ("B", "A", "verloren"),  # a fresh store for a device whose keys are lost
        (None, "A", "defekt"),
        (None, None, "defekt"),
    ],
)
def test_store_zustand(lokal: str | None, server: str | None, erwartet: str) -> None:
    assert store_zustand(lokal, server) == erwartet


def test_store_dateien_are_the_devices_own(tmp_path: Path) -> None:
    for name in (
        f"{BOT}_DEV1.db",
        f"{BOT}_DEV1.trusted_devices",
        f"{BOT}_DEV2.db",
        "credentials.json",
        f"{BOT}_DEV1x.db",
    ):
        (tmp_path / name).write_text("x")
    (tmp_path / f"{BOT}_DEV1.dir").mkdir()
    assert [p.name for p in store_dateien(tmp_path, BOT, "DEV1")] == [
        f"{BOT}_DEV1.db",
        f"{BOT}_DEV1.trusted_devices",
    ]
    assert store_dateien(tmp_path, BOT, "NONE") == []


def test_bekommt_schluessel_tofu_and_own_servers() -> None:
    assert bekommt_schluessel("@x:fremd.example", "tofu", (), BOT)
    # Only the allowed servers; without a list the bot's own.
    assert bekommt_schluessel("@x:OM.example", "tofu_allowed_servers", (), BOT)
    assert not bekommt_schluessel("@x:fremd.example", "tofu_allowed_servers", (), BOT)
    assert bekommt_schluessel(
        "@x:partner.example", "tofu_allowed_servers", ["Partner.example"], BOT
    )
    assert not bekommt_schluessel("@x:om.example", "tofu_allowed_servers", ["partner.example"], BOT)
    assert not bekommt_schluessel("kaputt", "tofu_allowed_servers", (), BOT)


def _anfrage(**aenderung: str) -> Schluesselanfrage:
    felder = {
        "sender": "@alice:om.example",
        "device_id": "ALICEDEV",
        "room_id": "!r:om.example",
        "session_id": "S1",
        "sender_key": BOT_CURVE,
    }
    return Schluesselanfrage(**{**felder, **aenderung})


def _grund(anfrage: Schluesselanfrage, **kw: object) -> str | None:
    args: dict[str, object] = {
        "own_user_id": BOT,
        "own_curve_key": BOT_CURVE,
        "mitglieder": ["@alice:om.example", BOT],
        "geteilt_mit": {("@alice:om.example", "ALICEDEV")},
        "darf": True,
    }
    args.update(kw)
    return anfrage_beantworten(anfrage, **args)  # type: ignore[arg-type]


def test_key_request_from_a_device_that_had_the_key_is_answered() -> None:
    assert _grund(_anfrage()) is None


@pytest.mark.parametrize(
    ("anfrage", "kw", "teil"),
    [
        (_anfrage(sender=BOT), {}, "own account"),
        (_anfrage(sender_key="someone else"), {}, "not a room key of the bot"),
        (_anfrage(), {"mitglieder": [BOT]}, "not in the room"),
        (_anfrage(), {"darf": False}, "not trusted"),
        (_anfrage(device_id="NEWDEV"), {}, "never shared"),
        (_anfrage(), {"geteilt_mit": set()}, "never shared"),
    ],
)
def test_key_requests_refused(anfrage: Schluesselanfrage, kw: dict[str, object], teil: str) -> None:
    grund = _grund(anfrage, **kw)
    assert grund is not None and teil in grund


def test_german_texts() -> None:
    assert UNLESBAR_TEXT.startswith("Ich konnte Ihre Nachricht nicht entschlüsseln.")
    assert "noch einmal" in UNLESBAR_TEXT and "Element" in UNLESBAR_TEXT
    assert "<b>nicht entschlüsseln</b>" in UNLESBAR_HTML
    assert "NEU" in VERLUST_TEXT.format(alt="ALT", neu="NEU")
    assert "ALT" in VERLUST_AUS_TEXT.format(alt="ALT", neu=None)


def test_the_store_writes_an_encrypted_room_once_and_keeps_it(tmp_path: Path) -> None:
    """nio writes the encrypted rooms of each sync to its store (a database round per sync);
    `nur_neue_raeume_speichern` writes only new ones, and what it wrote is there after a
    restart."""

    def geladen() -> nio.AsyncClient:
        client = nio.AsyncClient(
            "http://127.0.0.1:1",
            "@bot:test",
            store_path=str(tmp_path),
            config=nio.AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
        )
        client.restore_login("@bot:test", "GERAET", "token")
        client.load_store()
        return client

    client = geladen()
    geschrieben: list[set[str]] = []
    echt = client.store.save_encrypted_rooms

    def mitschreiben(rooms: Any) -> None:
        geschrieben.append(set(rooms))
        echt(rooms)

    client.store.save_encrypted_rooms = mitschreiben
    nur_neue_raeume_speichern(client)
    client.store.save_encrypted_rooms({"!a:test"})
    client.store.save_encrypted_rooms({"!a:test"})
    client.store.save_encrypted_rooms(set())
    client.store.save_encrypted_rooms({"!a:test", "!b:test"})
    assert geschrieben == [{"!a:test"}, {"!b:test"}]
    assert geladen().encrypted_rooms == {"!a:test", "!b:test"}
