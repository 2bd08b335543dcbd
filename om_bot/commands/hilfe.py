"""`hilfe`: the help generated from the command registry."""

from __future__ import annotations

from om_bot.chat import hilfe as texte
from om_bot.chat.registry import Familie, UsageError
from om_bot.chat.router import Kontext
from om_bot.domain.matching import meinten_sie, suggest
from om_bot.text.messages import Reply

familie = Familie("hilfe", "Hilfe", aliase=("help", "befehle"))


@familie.befehl(
    "hilfe|help|?|befehle [<thema>]",
    hilfe="Alle Befehle zeigen, oder die zu einem Thema",
    beispiele=("hilfe", "hilfe termin"),
)
def hilfe(ctx: Kontext, thema: str | None) -> Reply:
    registry = ctx.dienste.registry
    if not thema:
        return texte.uebersicht(registry)
    gefunden = registry.familie(thema.split()[0])
    if gefunden is None:
        raise UsageError(
            f"Zu „{thema[:40]}“ gibt es keine Hilfe. "
            + meinten_sie(suggest(thema, registry.topics() + registry.command_words())),
            usage=f"{registry.prefix} hilfe <Thema>",
            beispiel=f"{registry.prefix} hilfe netzwerke",
        )
    return texte.thema(registry, gefunden)
