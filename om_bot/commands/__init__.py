"""Chat commands, one module per command family; `familien()` lists them in help order."""

from __future__ import annotations

from om_bot.chat.registry import Familie


def familien() -> list[Familie]:
    # The family `register` spans three modules: importing `register_kontakte` and `verlauf`
    # adds their commands to `register.familie`, in help order (each imports the one before);
    # the family is listed once.
    from om_bot.commands import (  # noqa: PLC0415 - keeps import side-effect free
        anfragen,
        erinnerungen,
        hilfe,
        kriterien,
        netzwerke,
        orte,
        raum,
        register,
        register_kontakte,  # noqa: F401
        termine,
        verlauf,  # noqa: F401
    )

    return [
        hilfe.familie,
        netzwerke.familie,
        orte.familie,
        register.familie,
        kriterien.familie,
        raum.familie,
        anfragen.familie,
        termine.familie,
        erinnerungen.familie,
    ]
