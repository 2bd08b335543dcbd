"""Helpers for the hot-standby tests: `om-bot run` subprocesses with their JSON log lines, a
TCP proxy between a bot and PostgreSQL that the test can cut, and the bot's config file."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w

OM_BOT = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "om-bot"
Zeile = dict[str, Any]


def schreibe_config(pfad: Path, abschnitte: dict[str, dict[str, Any]]) -> Path:
    pfad.write_text(tomli_w.dumps(abschnitte), encoding="utf-8")
    return pfad


def zeit(zeile: Zeile) -> float:
    """The log line's time (the record's creation, UTC) as a Unix timestamp."""
    return datetime.fromisoformat(str(zeile["time"]).replace("Z", "+00:00")).timestamp()


class Prozess:
    """One `om-bot run --log-format json`; its stderr lines are collected by a thread."""

    def __init__(self, name: str, config: Path, bot_id: str) -> None:
        self.name = name
        self.bot_id = bot_id
        self.proc = subprocess.Popen(
            [str(OM_BOT), "run", "--config", str(config), "--log-format", "json"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("OM_BOT_")},
        )
        self.zeilen: list[Zeile] = []
        self._bedingung = threading.Condition()
        self._leser = threading.Thread(target=self._lesen, daemon=True)
        self._leser.start()

    def _lesen(self) -> None:
        assert self.proc.stderr is not None
        for roh in self.proc.stderr:
            try:
                zeile = json.loads(roh)
            except ValueError:
                zeile = {"msg": roh.rstrip(), "time": datetime.now().astimezone().isoformat()}
            with self._bedingung:
                self.zeilen.append(zeile)
                self._bedingung.notify_all()
        with self._bedingung:
            self._bedingung.notify_all()

    def treffer(self, teil: str) -> list[Zeile]:
        with self._bedingung:
            return [z for z in self.zeilen if teil in str(z.get("msg", ""))]

    def _warten(self, pruefe: Callable[[Zeile], bool], timeout: float) -> Zeile:
        ende = time.monotonic() + timeout
        gesehen = 0
        with self._bedingung:
            while True:
                for zeile in self.zeilen[gesehen:]:
                    if pruefe(zeile):
                        return zeile
                gesehen = len(self.zeilen)
                rest = ende - time.monotonic()
                if rest <= 0 or (self.proc.poll() is not None and not self._leser.is_alive()):
                    raise AssertionError(
                        f"{self.name}: no such log line within {timeout} s; last lines:\n"
                        + "\n".join(str(z.get("msg")) for z in self.zeilen[-15:])
                    )
                self._bedingung.wait(rest)

    async def warte_auf(self, teil: str, timeout: float = 60) -> Zeile:
        """The first log line containing `teil` (waiting for it, not polling)."""
        return await asyncio.to_thread(
            self._warten, lambda z: teil in str(z.get("msg", "")), timeout
        )

    async def http_url(self) -> str:
        zeile = await self.warte_auf("HTTP server on ")
        return str(zeile["msg"]).split("HTTP server on ", 1)[1].split(" ", 1)[0]

    def offene_dateien(self) -> list[str]:
        """The paths of the files the process has open (Linux /proc)."""
        pfade = []
        fd_dir = Path(f"/proc/{self.proc.pid}/fd")
        for fd in fd_dir.iterdir():
            with contextlib.suppress(OSError):
                pfade.append(os.readlink(fd))
        return pfade

    def beenden(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


class Proxy:
    """A TCP proxy to PostgreSQL that `trennen` cuts like a partition: the bot's side gets
    nothing any more (its bytes are not read, no answer comes), the server's side is closed at
    once – the server frees the lock immediately, the earliest a standby could take over."""

    def __init__(self, host: str, port: int) -> None:
        self.ziel = (host, port)
        self.getrennt = False
        self.port = 0
        self._server: asyncio.Server | None = None
        self._paare: list[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = []
        self._pumpen: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._neu, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def _neu(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.getrennt:
            return  # a partition: the connection is accepted by nobody and never answered
        oben_r, oben_w = await asyncio.open_connection(*self.ziel)
        self._paare.append((writer, oben_w))
        for quelle, senke in ((reader, oben_w), (oben_r, writer)):
            aufgabe = asyncio.create_task(self._pumpen_von(quelle, senke))
            self._pumpen.add(aufgabe)
            aufgabe.add_done_callback(self._pumpen.discard)

    async def _pumpen_von(self, quelle: asyncio.StreamReader, senke: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while not self.getrennt:
                daten = await quelle.read(65536)
                if not daten or self.getrennt:
                    break
                senke.write(daten)
                await senke.drain()
        if not self.getrennt:
            senke.close()

    def trennen(self) -> None:
        self.getrennt = True
        for bot_seite, server_seite in self._paare:
            server_seite.transport.abort()
            bot_seite.transport.pause_reading()

    async def stop(self) -> None:
        for aufgabe in list(self._pumpen):
            aufgabe.cancel()
        for bot_seite, server_seite in self._paare:
            bot_seite.transport.abort()
            server_seite.transport.abort()
        if self._server is not None:
            self._server.close()
