"""From a command's context to the `Aufruf` a service takes (`om_bot.services.aufruf`)."""

from __future__ import annotations

from om_bot.chat.router import Kontext
from om_bot.services.aufruf import Aufruf


def aufruf(ctx: Kontext) -> Aufruf:
    """The unit of work, the sender and where, the clock and the settings of this command."""
    dienste = ctx.dienste
    return Aufruf(
        uow=ctx.uow,
        akteur=ctx.akteur,
        now=dienste.now,
        rollen=dienste.rollen,
        prefix=dienste.prefix,
        geschaeftsstelle_room=dienste.geschaeftsstelle_room,
        grenzen=dienste.grenzen,
    )
