"""The `om-bot` command line; `main()` is the composition root.

om-bot run --config config.toml           run the bot
om-bot import data/netzwerke.toml         load networks and partners (all-or-nothing)
om-bot export register.toml               write the register in the import format
om-bot migrate                            bring the database schema up to date
om-bot migrate-db --from URL --to URL     copy the whole installation to another database
om-bot check-config                       validate the configuration and exit
om-bot backup --to FILE                   online backup of a SQLite database
om-bot befehle                            print the command reference (docs/befehle.md)
om-bot demo                               throwaway homeserver + bot + terminal chat
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from om_bot.config import Config, ConfigError, load_config

if TYPE_CHECKING:
    from om_bot.app.runtime import App

log = logging.getLogger("om_bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="om-bot", description="Matrix-Bot der OM-Netzwerke")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_config(p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", type=Path, default=Path("config.toml"), help="TOML config")

    p_run = sub.add_parser("run", help="run the bot")
    with_config(p_run)
    p_run.add_argument(
        "--log-format", choices=("text", "json", "logfmt"), help="log lines (default: [log])"
    )
    p_import = sub.add_parser("import", help="import networks and partners from TOML")
    p_import.add_argument("file", type=Path)
    with_config(p_import)
    p_export = sub.add_parser("export", help="export the register as TOML")
    p_export.add_argument("file", type=Path, help="output file, '-' for stdout")
    with_config(p_export)
    with_config(sub.add_parser("migrate", help="upgrade the database schema"))
    with_config(sub.add_parser("check-config", help="validate the configuration"))
    p_umzug = sub.add_parser(
        "migrate-db", help="copy every table to another database (SQLite <-> PostgreSQL)"
    )
    p_umzug.add_argument("--from", dest="quelle", required=True, help="source database URL")
    p_umzug.add_argument("--to", dest="ziel", required=True, help="target database URL")
    p_umzug.add_argument(
        "--force", action="store_true", help="replace the data of a non-empty target"
    )
    p_backup = sub.add_parser("backup", help="online backup of the SQLite database")
    p_backup.add_argument("--to", dest="ziel", type=Path, required=True, help="backup file")
    with_config(p_backup)
    sub.add_parser("befehle", help="print the command reference as Markdown")
    p_demo = sub.add_parser("demo", help="local homeserver, bot and terminal chat")
    p_demo.add_argument("--data", type=Path, default=Path("data/netzwerke.toml"))
    p_demo.add_argument("--keep", action="store_true", help="keep the temp dir")
    return parser


def _config(path: Path) -> Config:
    return load_config(path)


# Database (with -wal/-shm), credentials and exports hold contact data and secrets: every file
# the bot creates is readable by its own user only, whatever umask the service manager set.
PRIVATE_UMASK = 0o077


def main(argv: Sequence[str] | None = None) -> int:
    previous = os.umask(PRIVATE_UMASK)
    try:
        return _main(argv)
    finally:
        # Only matters when main() is called in-process (tests); a CLI run ends here anyway.
        os.umask(previous)


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # nio logs every 429 and timeout at WARNING itself; keep its chatter out of INFO.
    quiet = logging.DEBUG if args.verbose else logging.WARNING
    logging.getLogger("nio").setLevel(quiet)
    logging.getLogger("alembic").setLevel(quiet)
    try:
        return _dispatch(args)
    except ConfigError as exc:
        print(f"om-bot: {exc}", file=sys.stderr)
        return 2


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path` with mode 0600, also when the file already exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # The mode of os.open applies only to a new file; an existing export may be 0644.
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def _dispatch(args: argparse.Namespace) -> int:
    # Imports are local so `om-bot check-config` stays fast and import has no side effects.
    from om_bot.app import runtime  # noqa: PLC0415

    if args.command == "befehle":
        from om_bot.chat.hilfe import markdown  # noqa: PLC0415
        from om_bot.chat.registry import Registry  # noqa: PLC0415
        from om_bot.commands import familien  # noqa: PLC0415

        print(markdown(Registry(familien())), end="")
        return 0
    if args.command == "demo":
        from om_bot.devtools.demo import run_demo  # noqa: PLC0415

        return run_demo(args.data, keep=args.keep)
    if args.command == "migrate-db":
        return _umzug(args.quelle, args.ziel, force=args.force)
    config = _config(args.config)
    if args.command == "run":
        from om_bot.app.logformat import einrichten  # noqa: PLC0415

        einrichten(args.log_format or config.log.format)
    if args.command == "check-config":
        print(f"{args.config}: ok")
        return 0
    if args.command == "backup":
        return _sichern(config, args.ziel)
    # `om-bot run` migrates only once it is the active process (several may share a database);
    # the other commands only while no `om-bot run` is active (`_migrieren`).
    app = runtime.build(config, migrieren=False)
    if args.command == "migrate":
        return _migrieren(app)
    if args.command in {"import", "export"} and not _schema_bereit(app):
        return 1
    if args.command == "import":
        from om_bot.services.importer import ImportFehler, importiere_datei  # noqa: PLC0415

        try:
            counts = importiere_datei(app.uow, args.file)
        except ImportFehler as exc:
            print(f"om-bot: Import abgebrochen, nichts geändert.\n  {exc}", file=sys.stderr)
            return 1
        print(
            f"importiert: {counts['netzwerke']} Netzwerke, {counts['partner']} Partner, "
            f"{counts['regionen']} eigene Regionen"
        )
        return 0
    if args.command == "export":
        from om_bot.services.importer import export_register  # noqa: PLC0415

        text = export_register(app.uow)
        if str(args.file) == "-":
            sys.stdout.write(text)
        else:
            _write_private(args.file, text)
        return 0
    if args.command == "run":
        return _run(app)
    raise AssertionError(args.command)


# Exit status after the standby lock was lost (EX_TEMPFAIL): the service manager restarts the
# process, which then waits as a standby.
EXIT_LOCK_LOST = 75


def _run(app: App) -> int:
    from om_bot.app import runtime  # noqa: PLC0415
    from om_bot.storage.sperre import SperreVerloren  # noqa: PLC0415

    def beenden() -> None:
        logging.shutdown()
        # At once: a worker thread may hang on a database that is cut off, and the interpreter
        # would wait for it at exit.
        os._exit(EXIT_LOCK_LOST)

    try:
        asyncio.run(runtime.run_bot(app, notaus=beenden))
    except SperreVerloren as exc:
        log.error("%s; exiting (status %d) to be restarted as a standby", exc, EXIT_LOCK_LOST)
        beenden()
    return 0


def _migrieren(app: App, still: bool = False) -> int:
    """Migrate while holding the standby lock: never under an active `om-bot run`, which may
    be an older version (it migrates itself when it starts)."""
    from om_bot.storage.db import migrate  # noqa: PLC0415

    sperre = app.sperre
    if sperre is not None and not sperre.versuchen():
        print(
            f"om-bot: nicht migriert – ein om-bot run ist aktiv ({sperre.beschreibung}). Er "
            "migriert beim Start selbst; sonst erst alle om-bot run stoppen.",
            file=sys.stderr,
        )
        return 1
    try:
        migrate(app.engine)
    finally:
        if sperre is not None:
            sperre.freigeben()
    if not still:
        print("database is up to date")
    return 0


def _schema_bereit(app: App) -> bool:
    """The schema is current, or now migrated (`_migrieren`): the command may go on."""
    from om_bot.storage.db import ist_aktuell  # noqa: PLC0415

    return ist_aktuell(app.engine) or _migrieren(app, still=True) == 0


def _sichern(config: Config, ziel: Path) -> int:
    from om_bot.storage.sicherung import SicherungFehler, sichern  # noqa: PLC0415

    try:
        sicherung = sichern(config.database.url, ziel)
    except (SicherungFehler, OSError) as exc:
        print(f"om-bot: Sicherung abgebrochen.\n  {exc}", file=sys.stderr)
        return 1
    print(f"gesichert: {sicherung.quelle} → {sicherung.ziel} ({sicherung.bytes:,} Bytes)")
    return 0


def _umzug(quelle: str, ziel: str, *, force: bool) -> int:
    from om_bot.services.umzug import UmzugFehler, ziehe_um  # noqa: PLC0415

    try:
        umzug = ziehe_um(quelle, ziel, ueberschreiben=force)
    except UmzugFehler as exc:
        print(f"om-bot: Umzug abgebrochen.\n  {exc}", file=sys.stderr)
        return 1
    for tabelle in umzug.tabellen:
        print(f"  {tabelle.name:<22} {tabelle.zeilen:>7} Zeilen  sha256 {tabelle.pruefsumme[:16]}")
    geleert = " (vorherige Daten des Ziels ersetzt)" if umzug.geleert else ""
    print(
        f"kopiert: {len(umzug.tabellen)} Tabellen, {umzug.zeilen} Zeilen, Schemastand "
        f"{', '.join(umzug.revisionen)}, Anzahl und Prüfsumme je Tabelle stimmen{geleert} "
        f"({umzug.sekunden:.1f} s)"
    )
    return 0
