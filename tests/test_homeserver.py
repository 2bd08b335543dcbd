"""Tests for the throwaway Synapse used by the integration tests and ``make demo``."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from om_bot.devtools.homeserver import HomeserverError, LocalSynapse

pytestmark = pytest.mark.matrix


def test_register_login_and_whoami() -> None:
    with LocalSynapse() as hs:
        assert hs.url == f"http://127.0.0.1:{hs.port}"
        alice = hs.register_user("alice", "alice-pw", admin=True, displayname="Alice")
        bob = hs.register_user("bob", "bob-pw")
        assert alice == "@alice:localhost"
        assert bob == "@bob:localhost"
        # Registering again must not fail, so fixtures can be re-run against a kept base_dir.
        assert hs.register_user("bob", "bob-pw") == bob

        token = hs.login_token(bob, "bob-pw")
        status, body = hs.request("GET", "/_matrix/client/v3/account/whoami", access_token=token)
        assert status == 200
        assert body["user_id"] == bob

        status, body = hs.request("GET", f"/_matrix/client/v3/profile/{alice}/displayname")
        assert (status, body) == (200, {"displayname": "Alice"})

        with pytest.raises(HomeserverError) as excinfo:
            hs.login_token(bob, "wrong")
        assert excinfo.value.errcode == "M_FORBIDDEN"


def test_stop_removes_temp_dir_and_frees_port() -> None:
    hs = LocalSynapse()
    hs.start()
    base_dir, port = hs.base_dir, hs.port
    assert hs.log_path.parent == base_dir
    assert hs.running

    hs.stop()
    assert not hs.running
    assert not base_dir.exists()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Nothing listens any more, and the port can be bound again.
        assert sock.connect_ex(("127.0.0.1", port)) != 0
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR like any server (Twisted included): the test's own HTTP connections leave
        # the port in TIME_WAIT, which only blocks binds without it.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()

    hs.stop()  # idempotent


def test_given_base_dir_is_kept(tmp_path: Path) -> None:
    with LocalSynapse(base_dir=tmp_path / "hs") as hs:
        hs.register_user("carol", "carol-pw")
    assert (tmp_path / "hs" / "homeserver.db").exists()


def test_low_rc_message_provokes_429() -> None:
    with LocalSynapse(rc_message=(0.1, 2)) as hs:
        user = hs.register_user("spammer", "pw")
        token = hs.login_token(user, "pw")
        status, body = hs.request("POST", "/_matrix/client/v3/createRoom", {}, token)
        assert status == 200
        room = body["room_id"]
        statuses = [
            hs.request(
                "PUT",
                f"/_matrix/client/v3/rooms/{room}/send/m.room.message/txn{i}",
                {"msgtype": "m.text", "body": "hi"},
                token,
            )[0]
            for i in range(5)
        ]
        assert 429 in statuses


def test_failed_start_raises_with_log_tail() -> None:
    # An empty server_name is rejected by Synapse's config parser, so the process exits early.
    hs = LocalSynapse(server_name="")
    with pytest.raises(RuntimeError, match="Synapse exited during startup") as excinfo:
        hs.start(timeout=30)
    assert "console.log" in str(excinfo.value)
    assert not hs.running
