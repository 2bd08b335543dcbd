"""A throwaway local Synapse homeserver for integration tests and ``make demo``.

:class:`LocalSynapse` writes a minimal config into a temporary directory, runs Synapse from the
current interpreter as a child process listening on a free loopback port (client API only, no
federation, SQLite) and offers the few HTTP calls needed to set up accounts: shared-secret
registration and password login.

Only the standard library is used and everything is synchronous, so the class works the same
from a pytest session fixture, a Makefile target or a plain script, and never touches nio.

:meth:`LocalSynapse.start` takes about 2 s (1.8–2.4 s measured with Synapse 1.163), roughly
half of it importing Synapse; a fresh database is not noticeably slower than a reused
``base_dir``, so tests should share one server per session rather than cache state on disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

# Generous enough that no test ever sees a 429 unless it asks for one.
_RELAXED = {"per_second": 1000, "burst_count": 1000}

# Every rate limiter Synapse 1.163 reads from the config (see synapse/config/ratelimiting.py).
# Nested names are written as "outer.inner".
_RATELIMIT_KEYS = (
    "rc_message",
    "rc_registration",
    "rc_registration_token_validity",
    "rc_login.address",
    "rc_login.account",
    "rc_login.failed_attempts",
    "rc_admin_redaction",
    "rc_joins.local",
    "rc_joins.remote",
    "rc_joins_per_room",
    "rc_3pid_validation",
    "rc_invites.per_room",
    "rc_invites.per_user",
    "rc_invites.per_issuer",
    "rc_third_party_invite",
    "rc_media_create",
    "rc_presence.per_user",
    "rc_delayed_event_mgmt",
    "rc_room_creation",
    "rc_reports",
    "rc_user_directory",
    "rc_profile",
)

_STOP_GRACE_SECONDS = 10.0
_POLL_INTERVAL_SECONDS = 0.1
_LOG_TAIL_LINES = 40
# A port picked by binding to :0 can be grabbed by someone else before Synapse binds it;
# retrying with a fresh port is cheaper than failing the whole test session.
_PORT_ATTEMPTS = 3


class HomeserverError(RuntimeError):
    """A request to the local homeserver failed; carries the HTTP status and Matrix errcode."""

    def __init__(self, status: int, body: dict[str, Any], what: str) -> None:
        self.status = status
        self.errcode: str | None = body.get("errcode")
        self.body = body
        super().__init__(f"{what} failed: HTTP {status} {body}")


class LocalSynapse:
    """A Synapse process on 127.0.0.1 that lives as long as this object is started.

    Usable as a context manager. Without ``base_dir`` a temporary directory is created on
    :meth:`start` and deleted on :meth:`stop`; a given ``base_dir`` is kept, so its database and
    signing key survive restarts (handy for ``make demo``).

    Rate limits are relaxed to effectively unlimited unless ``ratelimit`` is true, in which case
    Synapse's defaults apply. ``rc_message=(per_second, burst_count)`` overrides the message
    limiter either way, so a test can provoke ``M_LIMIT_EXCEEDED`` deliberately.
    ``access_log`` adds Synapse's line per request (requester, CPU time) to the log file
    (`benchmarks/zugriffe.py` reads it).
    """

    def __init__(
        self,
        base_dir: Path | None = None,
        server_name: str = "localhost",
        *,
        ratelimit: bool = False,
        rc_message: tuple[float, int] | None = None,
        access_log: bool = False,
    ) -> None:
        self._given_dir = base_dir
        self._access_log = access_log
        self._server_name = server_name
        self._ratelimit = ratelimit
        self._rc_message = rc_message
        self._dir: Path | None = None
        self._port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._console: IO[bytes] | None = None
        self._last_exit_code: int | None = None
        self._shared_secret = secrets.token_urlsafe(32)

    # -- properties -------------------------------------------------------------------------

    @property
    def server_name(self) -> str:
        return self._server_name

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("LocalSynapse is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_dir(self) -> Path:
        if self._dir is None:
            raise RuntimeError("LocalSynapse is not started")
        return self._dir

    @property
    def log_path(self) -> Path:
        """Synapse's own log (WARNING and above)."""
        return self.base_dir / "homeserver.log"

    @property
    def console_path(self) -> Path:
        """Synapse's stdout/stderr; startup crashes land here before logging is set up."""
        return self.base_dir / "console.log"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self, timeout: float = 60) -> None:
        if self._process is not None:
            raise RuntimeError("LocalSynapse is already started")
        if self._given_dir is not None:
            self._given_dir.mkdir(parents=True, exist_ok=True)
            self._dir = self._given_dir.resolve()
        else:
            self._dir = Path(tempfile.mkdtemp(prefix="om-bot-synapse-"))

        deadline = time.monotonic() + timeout
        try:
            for attempt in range(1, _PORT_ATTEMPTS + 1):
                self._port = _free_port()
                self._write_config()
                self._spawn()
                if self._wait_until_ready(deadline):
                    return
                tail = self._log_tail()
                self._terminate()
                if "Address already in use" not in tail or attempt == _PORT_ATTEMPTS:
                    raise RuntimeError(
                        f"Synapse exited during startup (code {self._last_exit_code}):\n{tail}"
                    )
        except BaseException:
            self.stop()
            raise

    def restart(self, pause: float = 0.0, timeout: float = 60) -> None:
        """Stop Synapse and start it again on the same port with the same data: an outage."""
        if self._dir is None or self._port is None:
            raise RuntimeError("LocalSynapse is not started")
        self._terminate()
        time.sleep(pause)
        self._spawn()
        if not self._wait_until_ready(time.monotonic() + timeout):
            raise RuntimeError(f"Synapse did not come back:\n{self._log_tail()}")

    def stop(self) -> None:
        """Terminate Synapse and delete the directory if we created it. Safe to call twice."""
        self._terminate()
        if self._dir is not None and self._given_dir is None:
            shutil.rmtree(self._dir, ignore_errors=True)
        self._dir = None
        self._port = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- accounts ---------------------------------------------------------------------------

    def register_user(
        self,
        localpart: str,
        password: str,
        admin: bool = False,
        displayname: str | None = None,
    ) -> str:
        """Create a user via the shared-secret admin API; an existing user is not an error."""
        user_id = f"@{localpart}:{self._server_name}"
        status, body = self.request("GET", "/_synapse/admin/v1/register")
        if status != 200:
            raise HomeserverError(status, body, "fetching registration nonce")
        nonce = str(body["nonce"])
        mac = hmac.new(self._shared_secret.encode(), digestmod=hashlib.sha1)
        for part in (nonce, localpart, password):
            mac.update(part.encode())
            mac.update(b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        payload: dict[str, Any] = {
            "nonce": nonce,
            "username": localpart,
            "password": password,
            "admin": admin,
            "mac": mac.hexdigest(),
        }
        if displayname is not None:
            payload["displayname"] = displayname
        status, body = self.request("POST", "/_synapse/admin/v1/register", payload)
        if status == 200:
            return str(body["user_id"])
        if body.get("errcode") == "M_USER_IN_USE":
            return user_id
        raise HomeserverError(status, body, f"registering {user_id}")

    def login_token(self, user_id: str, password: str, device_id: str | None = None) -> str:
        """Log in with a password and return the new access token."""
        payload: dict[str, Any] = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user_id},
            "password": password,
        }
        if device_id is not None:
            payload["device_id"] = device_id
        status, body = self.request("POST", "/_matrix/client/v3/login", payload)
        if status != 200:
            raise HomeserverError(status, body, f"logging in {user_id}")
        return str(body["access_token"])

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        access_token: str | None = None,
        timeout: float = 10,
    ) -> tuple[int, dict[str, Any]]:
        """Send one JSON request; HTTP errors are returned, not raised, so callers see errcodes."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if access_token is not None:
            req.add_header("Authorization", f"Bearer {access_token}")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, _json_object(resp.read())
        except urllib.error.HTTPError as err:
            with err:
                return err.code, _json_object(err.read())

    # -- internals --------------------------------------------------------------------------

    def _write_config(self) -> None:
        base = self.base_dir
        log_config = {
            "version": 1,
            "formatters": {
                "precise": {
                    "format": "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(message)s"
                }
            },
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "precise",
                    "filename": str(self.log_path),
                    "encoding": "utf8",
                }
            },
            "root": {"level": "WARNING", "handlers": ["file"]},
            "loggers": {"synapse.access": {"level": "INFO" if self._access_log else "WARNING"}},
            "disable_existing_loggers": False,
        }
        config: dict[str, Any] = {
            "server_name": self._server_name,
            "public_baseurl": self.url + "/",
            "pid_file": str(base / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(base / "homeserver.db")}},
            "log_config": str(base / "log_config.yaml"),
            "media_store_path": str(base / "media_store"),
            "signing_key_path": str(base / "signing.key"),
            "registration_shared_secret": self._shared_secret,
            "enable_registration": False,
            "report_stats": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
        }
        if not self._ratelimit:
            for key in _RATELIMIT_KEYS:
                outer, _, inner = key.partition(".")
                if inner:
                    config.setdefault(outer, {})[inner] = dict(_RELAXED)
                else:
                    config[outer] = dict(_RELAXED)
        if self._rc_message is not None:
            per_second, burst_count = self._rc_message
            config["rc_message"] = {"per_second": per_second, "burst_count": burst_count}

        # JSON is valid YAML, which saves a PyYAML dependency and any quoting worries.
        (base / "log_config.yaml").write_text(json.dumps(log_config, indent=2), encoding="utf8")
        (base / "homeserver.yaml").write_text(json.dumps(config, indent=2), encoding="utf8")

    def _spawn(self) -> None:
        # Truncated per spawn so a retry (or a kept base_dir) only shows this attempt's output.
        self._console = self.console_path.open("wb")
        # Synapse's default --generate-missing-and-run mode creates the signing key on first
        # start, so no separate --generate-keys process (another ~1 s of imports) is needed.
        self._process = subprocess.Popen(
            [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self._config_path)],
            cwd=self.base_dir,
            stdin=subprocess.DEVNULL,
            stdout=self._console,
            stderr=subprocess.STDOUT,
            # Own process group: Ctrl-C in the terminal goes to pytest only, and stop() can take
            # down anything Synapse spawned along with it.
            start_new_session=True,
        )

    @property
    def _config_path(self) -> Path:
        return self.base_dir / "homeserver.yaml"

    def _wait_until_ready(self, deadline: float) -> bool:
        """True once the client API answers; False if Synapse died; raises on timeout."""
        assert self._process is not None
        while True:
            if self._process.poll() is not None:
                return False
            try:
                status, _ = self.request("GET", "/_matrix/client/versions", timeout=1)
            except (OSError, ValueError, http.client.HTTPException):
                status = 0
            if status == 200:
                return True
            if time.monotonic() >= deadline:
                tail = self._log_tail()
                raise RuntimeError(f"Synapse did not become ready in time:\n{tail}")
            time.sleep(_POLL_INTERVAL_SECONDS)

    def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(_STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait()
        if process is not None:
            self._last_exit_code = process.returncode
        if self._console is not None:
            self._console.close()
            self._console = None

    def _log_tail(self) -> str:
        parts = []
        for path in (self.console_path, self.log_path):
            try:
                lines = path.read_text(encoding="utf8", errors="replace").splitlines()
            except FileNotFoundError:
                continue
            if lines:
                tail = "\n".join(lines[-_LOG_TAIL_LINES:])
                parts.append(f"--- {path.name} ---\n{tail}")
        return "\n".join(parts) or "(no log output)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _signal_group(pid: int, sig: signal.Signals) -> None:
    # The group id equals the pid thanks to start_new_session; it may already be gone.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {"error": raw.decode("utf8", errors="replace")}
    return value if isinstance(value, dict) else {"value": value}
