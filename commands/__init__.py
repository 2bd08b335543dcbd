"""Chat commands, one module per command family; `familien()` lists them in help order."""

from __future__ import annotations

from om_bot.registry import Familie


def familien() -> list[Familie]:
    from commands import hilfe, netzwerke, raum  # noqa: PLC0415 - keeps import side-effect free

    return [hilfe.familie, netzwerke.familie, raum.familie]
