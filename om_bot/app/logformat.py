"""How log lines look: ``text`` for people (the default), ``json`` or ``logfmt`` for machines.

Every record becomes one line. A handled command's record (the router's ``om_bot.befehle``,
carrying a `Befehlsbericht` as ``record.befehl``) adds its fields – time, room, sender,
command (the syntax, never the arguments), outcome, ms; an exception adds ``traceback`` (in
``json`` and ``logfmt`` inside the one line, escaped). `einrichten` puts the chosen formatter on
the root logger's handlers (`om-bot run --log-format`, ``[log] format``). Names and fields:
docs/betrieb.md.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from om_bot.chat.router import Befehlsbericht

FORMATE = ("text", "json", "logfmt")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def felder(record: logging.LogRecord, formatter: logging.Formatter) -> dict[str, Any]:
    """The fields of one record, in order: time, level, logger, the command's fields, msg,
    traceback."""
    zeit = datetime.fromtimestamp(record.created, UTC)
    werte: dict[str, Any] = {
        "time": zeit.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": record.levelname.lower(),
        "logger": record.name,
    }
    bericht = getattr(record, "befehl", None)
    if isinstance(bericht, Befehlsbericht):
        werte.update(bericht.felder())
    werte["msg"] = record.getMessage()
    if record.exc_info:
        werte["traceback"] = formatter.formatException(record.exc_info)
    elif record.exc_text:
        werte["traceback"] = record.exc_text
    return werte


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(felder(record, self), ensure_ascii=False, default=str)


_BLANK = re.compile(r'[\s"=\\]')


def _logfmt_wert(wert: Any) -> str:
    text = str(wert)
    if text and not _BLANK.search(text) and text.isprintable():
        return text
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


class LogfmtFormatter(logging.Formatter):
    """``key=value`` pairs, values quoted when they hold blanks, quotes or ``=``."""

    def format(self, record: logging.LogRecord) -> str:
        return " ".join(f"{k}={_logfmt_wert(v)}" for k, v in felder(record, self).items())


def formatter(name: str) -> logging.Formatter:
    """The formatter for ``text``, ``json`` or ``logfmt``."""
    if name == "json":
        return JsonFormatter()
    if name == "logfmt":
        return LogfmtFormatter()
    if name == "text":
        return logging.Formatter(TEXT_FORMAT)
    raise ValueError(f"unknown log format {name!r}; expected one of {', '.join(FORMATE)}")


def einrichten(name: str, logger: logging.Logger | None = None) -> None:
    """Format every line of `logger` (default: the root logger's handlers) as `name`."""
    ziel = logger or logging.getLogger()
    f = formatter(name)
    for handler in ziel.handlers:
        handler.setFormatter(f)
