"""Cross-signing building blocks without a homeserver: canonical JSON against the spec's
examples, Ed25519 against RFC 8032, signatures checked with signedjson (Synapse's own
library), the key file, and what the homeserver might answer that Synapse does not (a fake
client below the adapter). The real flow is in tests/test_kreuzsignatur_matrix.py."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import canonicaljson
import nio
import pytest
from hypothesis import given
from hypothesis import strategies as st
from signedjson.key import decode_verify_key_bytes
from signedjson.sign import verify_signed_json
from unpaddedbase64 import decode_base64

from om_bot.matrix.kreuzsignatur import (
    DATEINAME,
    DateiDefekt,
    Kreuzschluessel,
    Signierschluessel,
    Stand,
    einrichten,
    kanonisch,
    signatur_gueltig,
)

BOT = "@bot:example.org"

# The examples of the spec's appendix "Canonical JSON" (v1.16), input text → output.
SPEC_BEISPIELE = [
    ("{}", "{}"),
    ('{"one": 1, "two": "Two"}', '{"one":1,"two":"Two"}'),
    ('{\n    "b": "2",\n    "a": "1"\n}', '{"a":"1","b":"2"}'),
    ('{"b":"2","a":"1"}', '{"a":"1","b":"2"}'),
    (
        '{"auth": {"success": true, "mxid": "@john.doe:example.com", "profile": {'
        '"display_name": "John Doe", "three_pids": [{"medium": "email", "address": '
        '"john.doe@example.org"}, {"medium": "msisdn", "address": "123456789"}]}}}',
        '{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe",'
        '"three_pids":[{"address":"john.doe@example.org","medium":"email"},'
        '{"address":"123456789","medium":"msisdn"}]},"success":true}}',
    ),
    ('{"a": "日本語"}', '{"a":"日本語"}'),
    ('{"本": 2, "日": 1}', '{"日":1,"本":2}'),
    ('{"a": "\\u65E5"}', '{"a":"日"}'),
    ('{"a": null}', '{"a":null}'),
    ('{"a": -0, "b": 1e10}', '{"a":0,"b":10000000000}'),
]


@pytest.mark.parametrize(("eingabe", "erwartet"), SPEC_BEISPIELE)
def test_canonical_json_matches_the_spec_examples(eingabe: str, erwartet: str) -> None:
    assert kanonisch(json.loads(eingabe)) == erwartet.encode("utf-8")


def test_nio_helper_misses_the_spec_example_with_an_exponent() -> None:
    # Why the module has its own: nio (and canonicaljson 2.0) keep 1e10 a float.
    assert nio.Api.to_canonical_json(json.loads('{"b": 1e10}')) == '{"b":10000000000.0}'


def test_control_characters_use_the_short_and_lowercase_escapes() -> None:
    assert kanonisch({"a": '\x08\t\n\x0c\r\x00\x1f\x7f"\\'}) == (
        b'{"a":"\\b\\t\\n\\f\\r\\u0000\\u001f\x7f\\"\\\\"}'
    )


@pytest.mark.parametrize(
    "wert", [1.5, float("nan"), float("inf"), 2**53, -(2**53), "\ud800", {1: "a"}, b"x"]
)
def test_what_canonical_json_cannot_hold_is_refused(wert: Any) -> None:
    with pytest.raises(ValueError):
        kanonisch({"a": wert} if not isinstance(wert, dict) else wert)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda kinder: st.lists(kinder, max_size=4) | st.dictionaries(st.text(), kinder, max_size=4),
    max_leaves=20,
)


@given(_JSON)
def test_canonical_json_agrees_with_synapses_library(wert: Any) -> None:
    assert kanonisch(wert) == canonicaljson.encode_canonical_json(wert)


def test_ed25519_matches_rfc_8032_test_vector_1() -> None:
    schluessel = Signierschluessel(
        bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    )
    assert decode_base64(schluessel.oeffentlich).hex() == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    )


def _pruefer(oeffentlich: str) -> Any:
    return decode_verify_key_bytes(f"ed25519:{oeffentlich}", decode_base64(oeffentlich))


def test_signatures_cover_all_but_signatures_and_unsigned() -> None:
    schluessel = Signierschluessel.neu()
    objekt = {
        "name": "example.org",
        "zahl": 7,
        "unsigned": {"age_ts": 922834800000},
        "signatures": {"example.org": {"ed25519:1": "alt"}},
    }
    signiert = schluessel.signiere(objekt, BOT)

    verify_signed_json(signiert, BOT, _pruefer(schluessel.oeffentlich))
    assert signiert["signatures"]["example.org"] == {"ed25519:1": "alt"}
    assert signiert["unsigned"] == objekt["unsigned"]
    assert signatur_gueltig(signiert, BOT, schluessel.oeffentlich)
    assert signatur_gueltig({**signiert, "unsigned": {"anders": 1}}, BOT, schluessel.oeffentlich)
    assert not signatur_gueltig({**signiert, "zahl": 8}, BOT, schluessel.oeffentlich)
    assert not signatur_gueltig(signiert, "@eve:example.org", schluessel.oeffentlich)
    fremd = Signierschluessel.neu().oeffentlich
    assert not signatur_gueltig(signiert, BOT, fremd)
    assert not signatur_gueltig({"signatures": "kaputt"}, BOT, fremd)


def test_the_upload_body_is_signed_by_the_master_key() -> None:
    keys = Kreuzschluessel.neu(BOT)
    inhalt = keys.hochladen_inhalt()
    master, ssk, usk = keys.oeffentlich()

    assert inhalt["master_key"] == {
        "user_id": BOT,
        "usage": ["master"],
        "keys": {f"ed25519:{master}": master},
    }
    for teil, usage, key in (
        ("self_signing_key", "self_signing", ssk),
        ("user_signing_key", "user_signing", usk),
    ):
        assert inhalt[teil]["usage"] == [usage] and inhalt[teil]["keys"] == {f"ed25519:{key}": key}
        verify_signed_json(inhalt[teil], BOT, _pruefer(master))
    assert len(set(keys.oeffentlich())) == 3


# --- the key file -------------------------------------------------------------------------


def test_the_key_file_round_trips_with_mode_0600(tmp_path: Path) -> None:
    datei = tmp_path / "store" / DATEINAME
    stale = datei.with_suffix(".tmp")
    stale.parent.mkdir()
    stale.write_text("alt")
    stale.chmod(0o644)
    keys = Kreuzschluessel.neu(BOT)

    keys.speichern(datei)

    assert stat.S_IMODE(datei.stat().st_mode) == 0o600 and not stale.exists()
    assert Kreuzschluessel.laden(datei, BOT) == keys
    assert Kreuzschluessel.laden(tmp_path / "fehlt.json", BOT) is None


def test_a_key_file_readable_by_others_is_tightened(tmp_path: Path) -> None:
    datei = tmp_path / DATEINAME
    Kreuzschluessel.neu(BOT).speichern(datei)
    datei.chmod(0o644)
    assert Kreuzschluessel.laden(datei, BOT) is not None
    assert stat.S_IMODE(datei.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "inhalt",
    [
        b"\x00\xff garbage",
        b"[]",
        b'{"format": 2}',
        b'{"format": 1, "user_id": "@bot:example.org"}',
        b'{"format": 1, "user_id": "@bot:example.org", "master": "!!", '
        b'"self_signing": "AA", "user_signing": "AA"}',
        b'{"format": 1, "user_id": "@bot:example.org", "master": "AAAA", '
        b'"self_signing": "AAAA", "user_signing": "AAAA"}',
    ],
)
def test_an_unusable_key_file_is_reported(tmp_path: Path, inhalt: bytes) -> None:
    datei = tmp_path / DATEINAME
    datei.write_bytes(inhalt)
    with pytest.raises(DateiDefekt):
        Kreuzschluessel.laden(datei, BOT)


def test_another_accounts_key_file_is_reported(tmp_path: Path) -> None:
    datei = tmp_path / DATEINAME
    Kreuzschluessel.neu("@anderer:example.org").speichern(datei)
    with pytest.raises(DateiDefekt, match="anderer"):
        Kreuzschluessel.laden(datei, BOT)


# --- answers Synapse does not give, through a fake client ---------------------------------


class _Antwort:
    def __init__(self, status: int, daten: Any) -> None:
        self.status, self._daten = status, daten

    async def json(self, content_type: str | None = None) -> Any:
        return self._daten

    def release(self) -> None:
        pass


class _FakeClient:
    """What `einrichten` uses of nio's AsyncClient; `antworten` maps a path to its answers."""

    def __init__(self, antworten: dict[str, list[tuple[int, Any]]]) -> None:
        self.user_id, self.device_id, self.access_token = BOT, "GERAET", "token"
        self.geraet = Signierschluessel.neu()
        self.olm = SimpleNamespace(
            account=SimpleNamespace(identity_keys={"ed25519": self.geraet.oeffentlich})
        )
        self.config = SimpleNamespace(custom_headers=None)
        self.antworten = antworten
        self.gesendet: list[tuple[str, Any]] = []

    def device(self, ed25519: str | None = None) -> dict[str, Any]:
        key = ed25519 or self.geraet.oeffentlich
        objekt = {"user_id": BOT, "device_id": "GERAET", "keys": {"ed25519:GERAET": key}}
        signiert = self.geraet.signiere(objekt, BOT)
        # Under the device id, as a device signs itself.
        signiert["signatures"][BOT] = {"ed25519:GERAET": signiert["signatures"][BOT].popitem()[1]}
        return signiert

    async def send(self, method: str, path: str, data: str, headers: dict[str, str]) -> _Antwort:
        assert headers["Authorization"] == "Bearer token"
        self.gesendet.append((path, json.loads(data)))
        return _Antwort(*self.antworten[path].pop(0))


QUERY = "/_matrix/client/v3/keys/query"
UPLOAD = "/_matrix/client/v3/keys/device_signing/upload"
SIGN = "/_matrix/client/v3/keys/signatures/upload"


async def test_a_device_key_the_server_made_up_is_not_signed(tmp_path: Path) -> None:
    client = _FakeClient({})
    fremd = Signierschluessel.neu().oeffentlich
    client.antworten[QUERY] = [(200, {"device_keys": {BOT: {"GERAET": client.device(fremd)}}})]

    ergebnis = await einrichten(client, tmp_path, "pw")  # type: ignore[arg-type]

    assert ergebnis.stand is Stand.FEHLER and "not this device's" in ergebnis.meldung
    assert [p for p, _ in client.gesendet] == [QUERY]


async def test_delegated_auth_names_the_page_to_approve_the_reset(tmp_path: Path) -> None:
    client = _FakeClient({})
    uia = {
        "session": "dummy",
        "flows": [{"stages": ["m.oauth"]}],
        "params": {"m.oauth": {"url": "https://konto.example.org/reset"}},
    }
    client.antworten = {
        QUERY: [
            (
                200,
                {
                    "master_keys": {BOT: {"keys": {"ed25519:X": "X"}}},
                    "device_keys": {BOT: {"GERAET": client.device()}},
                },
            )
        ],
        UPLOAD: [(401, uia)],
    }

    ergebnis = await einrichten(client, tmp_path, "pw")  # type: ignore[arg-type]

    assert ergebnis.stand is Stand.ABGELEHNT
    assert "https://konto.example.org/reset" in ergebnis.meldung
    assert all("auth" not in inhalt for _, inhalt in client.gesendet)


async def test_rate_limits_are_waited_out_and_failures_reported(tmp_path: Path) -> None:
    client = _FakeClient({})
    client.antworten = {
        QUERY: [
            (429, {"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 1}),
            (200, {"device_keys": {BOT: {"GERAET": client.device()}}}),
        ],
        UPLOAD: [(200, {})],
        SIGN: [(200, {"failures": {BOT: {"GERAET": {"errcode": "M_INVALID_SIGNATURE"}}}})],
    }

    ergebnis = await einrichten(client, tmp_path, None)  # type: ignore[arg-type]

    assert ergebnis.stand is Stand.FEHLER and "M_INVALID_SIGNATURE" in ergebnis.meldung
    assert [p for p, _ in client.gesendet] == [QUERY, QUERY, UPLOAD, SIGN]
    # The keys were kept before the upload: the next start uploads the same ones.
    gespeichert = Kreuzschluessel.laden(tmp_path / DATEINAME, BOT)
    assert gespeichert is not None
    assert client.gesendet[2][1] == gespeichert.hochladen_inhalt()


async def test_a_homeserver_without_msc3967_gets_the_password_on_the_first_upload(
    tmp_path: Path,
) -> None:
    uia = {"session": "s1", "flows": [{"stages": ["m.login.password"]}], "params": {}}

    def client_mit(antworten_upload: list[tuple[int, Any]]) -> _FakeClient:
        client = _FakeClient({})
        client.antworten = {
            QUERY: [(200, {"device_keys": {BOT: {"GERAET": client.device()}}})],
            UPLOAD: antworten_upload,
            SIGN: [(200, {})],
        }
        return client

    ohne = client_mit([(401, uia)])
    ergebnis = await einrichten(ohne, tmp_path / "a", None)  # type: ignore[arg-type]
    assert ergebnis.stand is Stand.PASSWORT_FEHLT
    assert "first cross-signing keys" in ergebnis.meldung and "back" not in ergebnis.meldung

    mit = client_mit([(401, uia), (200, {})])
    ergebnis = await einrichten(mit, tmp_path / "b", "geheim")  # type: ignore[arg-type]
    assert ergebnis.stand is Stand.EINGERICHTET, ergebnis.meldung
    auth = mit.gesendet[2][1]["auth"]
    assert auth == {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": BOT},
        "password": "geheim",
        "session": "s1",
    }
    assert "geheim" not in ergebnis.meldung
