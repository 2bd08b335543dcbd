"""`om-bot demo`: a throwaway homeserver, the bot and a terminal chat, in one process.

Starts a local Synapse (SQLite, loopback only, temp dir), registers the bot and a demo user,
imports the sample data, starts the bot and lets you chat with it as the demo user in an
**encrypted** room, as Element creates them: type ``!om netzwerke Hamburg`` and see the answer
as it arrived (encrypted) through the homeserver and was decrypted by the demo user's device.
Ctrl-D or Ctrl-C stops everything and removes the temp dir. Works with piped input too (each
line waits for the bot's answer), which is how the demo is tested.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import sys
import threading
from pathlib import Path

from om_bot.app.runtime import build, run_bot
from om_bot.config import config_from_mapping
from om_bot.devtools.homeserver import LocalSynapse
from om_bot.matrix.chatclient import ChatClient, ReceivedMessage
from om_bot.services.importer import ImportFehler, importiere_datei

DEMO_USER = "demo"
BOT_USER = "om-bot"
ANSWER_TIMEOUT = 20.0


def _say(text: str = "") -> None:
    print(text, flush=True)


def _show(message: ReceivedMessage) -> None:
    lines = message.body.splitlines() or [""]
    _say(f"om-bot ▸ {lines[0]}")
    for line in lines[1:]:
        _say(f"         {line}")


def _stdin_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    # A daemon thread: a blocking input() must not keep the process alive after Ctrl-C.
    def read() -> None:
        interactive = sys.stdin.isatty()
        while True:
            try:
                line = input("du ▸ " if interactive else "")
            except (EOFError, KeyboardInterrupt):
                loop.call_soon_threadsafe(queue.put_nowait, None)
                return
            loop.call_soon_threadsafe(queue.put_nowait, line)

    threading.Thread(target=read, daemon=True, name="stdin").start()


async def _demo(base: Path, data: Path) -> int:
    interactive = sys.stdin.isatty()
    _say("Starte einen lokalen Synapse-Homeserver (nur 127.0.0.1, Wegwerf-Verzeichnis) …")
    synapse = LocalSynapse(base_dir=base / "synapse")
    synapse.start()
    try:
        demo_password = secrets.token_urlsafe(9)
        bot_password = secrets.token_urlsafe(16)
        demo_id = synapse.register_user(DEMO_USER, demo_password, displayname="Demo")
        bot_id = synapse.register_user(BOT_USER, bot_password, displayname="OM-Bot")
        config = config_from_mapping(
            {
                "matrix": {
                    "homeserver": synapse.url,
                    "user_id": bot_id,
                    "password": bot_password,
                    "store_path": str(base / "store"),
                    "sync_timeout_ms": 5000,
                },
                "database": {"url": f"sqlite:///{base / 'om-bot.sqlite3'}"},
                "bot": {
                    "admins": [demo_id],
                    "geschaeftsstelle_users": [demo_id],
                    "allowed_homeservers": [synapse.server_name],
                },
            },
            env={},
        )
        app = build(config)
        try:
            counts = importiere_datei(app.uow, data)
        except ImportFehler as exc:
            _say(f"Beispieldaten fehlerhaft: {exc}")
            return 1
        _say(
            f"Beispieldaten geladen: {counts['netzwerke']} Netzwerke, {counts['partner']} Partner."
        )

        stop = asyncio.Event()
        bot_task = asyncio.create_task(run_bot(app, stop))
        # The demo user has encryption like Element: an own crypto store, keys uploaded (by
        # start) before the encrypted room is created, so the bot finds the device at once.
        chat = ChatClient(synapse.url, demo_id, store_path=base / "demo-store")
        await chat.login(demo_password)
        await chat.start()
        room_id = await chat.create_room(invite=[bot_id], name="OM-Bot Demo", encrypted=True)
        for _ in range(200):
            if bot_id in await chat.joined_members(room_id):
                break
            if bot_task.done():
                await bot_task
            await asyncio.sleep(0.1)
        else:
            _say("Der Bot ist dem Raum nicht beigetreten; siehe Log.")
            return 1

        _say()
        _say("Der Bot läuft. Mit einem echten Client (z. B. Element) verbinden:")
        _say(f"  Homeserver: {synapse.url}")
        _say(f"  Benutzer:   {DEMO_USER}   Passwort: {demo_password}")
        _say(f"  Raum:       „OM-Bot Demo“ ({room_id}), Ende-zu-Ende-verschlüsselt")
        _say(f"  Log:        {base / 'om-bot.log'}")
        _say()
        _say("Probieren Sie: !om netzwerke Hamburg · !om netzwerk Münsterland · !om hilfe")
        _say("Beenden mit Strg-D oder Strg-C.")
        _say()

        lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, lambda: lines.put_nowait(None))
        _stdin_lines(loop, lines)
        printer = asyncio.create_task(_print_incoming(chat)) if interactive else None
        try:
            while (line := await lines.get()) is not None:
                if not line.strip():
                    continue
                if not interactive:
                    _say(f"du ▸ {line}")
                await chat.send(room_id, line)
                if not interactive:
                    try:
                        _show(await chat.next_message(ANSWER_TIMEOUT, room_id))
                    except TimeoutError:
                        _say("(keine Antwort)")
        finally:
            loop.remove_signal_handler(signal.SIGINT)
            if printer is not None:
                printer.cancel()
            await chat.close()
            stop.set()
            await bot_task
        _say("\nDemo beendet.")
        return 0
    finally:
        synapse.stop()


async def _print_incoming(chat: ChatClient) -> None:
    while True:
        message = await chat.inbox.get()
        # Erase the prompt the reply interrupts, then redraw it.
        sys.stdout.write("\r")
        _show(message)
        sys.stdout.write("du ▸ ")
        sys.stdout.flush()


def run_demo(data: Path, keep: bool = False) -> int:
    import tempfile  # noqa: PLC0415

    base = Path(tempfile.mkdtemp(prefix="om-bot-demo-"))
    # The terminal is for the chat: the bot logs to a file in the demo directory.
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    logging.basicConfig(
        filename=base / "om-bot.log",
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return asyncio.run(_demo(base, data))
    except KeyboardInterrupt:
        return 130
    finally:
        if keep:
            _say(f"Verzeichnis bleibt erhalten: {base}")
        else:
            import shutil  # noqa: PLC0415

            with contextlib.suppress(OSError):
                shutil.rmtree(base)
