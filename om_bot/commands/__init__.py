"""Chat commands, one module per command family; `familien()` lists them in help order."""

from __future__ import annotations

from om_bot.chat.registry import Familie


def familien() -> list[Familie]:
    from om_bot.commands import (  # noqa: PLC0415 - keeps import side-effect free
        anfragen,
        erinnerungen,
        hilfe,
        kriterien,
        netzwerke,
        raum,
        register,
        termine,
    )

    return [
        hilfe.familie,
        netzwerke.familie,
        register.familie,
        kriterien.familie,
        raum.familie,
        anfragen.familie,
        termine.familie,
        erinnerungen.familie,
    ]
