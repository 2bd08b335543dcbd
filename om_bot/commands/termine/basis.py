"""What every part of the events family shares: the family, the syntax and examples, the
prefix, the actor for the use cases, dates in words and the lookup of an event by number."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from om_bot.chat.registry import Familie, UsageError
from om_bot.chat.router import Kontext
from om_bot.domain.dates import Zeitraum, format_zeitraum
from om_bot.domain.matching import fold
from om_bot.domain.termine import (
    ART_WOERTER,
    AUGSBURG,
    STADT_AUGSBURG,
    Regeln,
    TerminArt,
    feiertag_text,
    feiertage,
    laender_der_region,
    tage,
)
from om_bot.storage.models import Termin

familie = Familie(
    "termine",
    "Termine, Terminüberschneidungen, Kalender und Parallelansprachen",
    aliase=("termin", "kalender", "ansprache", "ueberschneidung"),
)


SYNTAX = "termin [<Art>] <Titel> <Datum> [in <Region>] [für <Netzwerk>] [art:<Art>] [ort:<Ort>]"
BEISPIEL = "termin Netzwerktreffen am 12.03.2027 um 14:00 bis 16:00 in Hamburg"


ARTEN_TEXT = ", ".join(
    f"{a.text} ({', '.join(w for w, x in ART_WOERTER.items() if x is a and w != fold(a.text))})"
    if any(x is a and w != fold(a.text) for w, x in ART_WOERTER.items())
    else a.text
    for a in TerminArt
)


def regeln_von(ctx: Kontext) -> Regeln:
    """The `[termine]` settings the composition root gave the events feature (defaults else)."""
    return ctx.dienste.von(Regeln) or Regeln()


def praefix(ctx: Kontext) -> str:
    return ctx.dienste.prefix


def wann_text(start: datetime, ende: datetime, ganztaegig: bool, tz: ZoneInfo) -> str:
    """„Fr, 12.03.2027, 14:00–16:00 Uhr“ for one occurrence, in the configured zone."""
    return format_zeitraum(Zeitraum(start.astimezone(tz), ende.astimezone(tz), ganztaegig))


def netzwerk_name(termin: Termin) -> str:
    return termin.netzwerk.name if termin.netzwerk is not None else "ohne Netzwerk"


def kurz(termin: Termin) -> str:
    return f"„{termin.titel}“ (Nr. {termin.id})"


@dataclass
class Umfeld:
    """What several messages of one command need: zone, region nesting, Bundesland codes."""

    tz: ZoneInfo
    kanten: list[tuple[int, int]]
    codes: dict[int, str]
    _laender: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def feiertage(self, region_id: int, start: datetime, ende: datetime) -> list[str]:
        """„Feiertag in Bayern: Fronleichnam“ for every holiday the occurrence touches."""
        if region_id not in self._laender:
            self._laender[region_id] = laender_der_region(region_id, self.kanten, self.codes)
        laender = self._laender[region_id]
        if not laender:
            return []
        treffer = feiertage(tage(start, ende, self.tz), laender)
        mehrtaegig = len(tage(start, ende, self.tz)) > 1
        return [feiertag_text(f, mit_datum=mehrtaegig) for f in treffer]


def umfeld(ctx: Kontext) -> Umfeld:
    regionen = ctx.uow.regionen.alle()
    codes = {r.id: r.bundesland for r in regionen}
    # A region that is the Stadt Augsburg gets its own holiday calendar (`AUGSBURG`).
    for region_id, gebiete in ctx.uow.regionen.gebiete().items():
        if gebiete == [STADT_AUGSBURG]:
            codes[region_id] = AUGSBURG
    return Umfeld(ctx.dienste.tz, ctx.uow.regionen.kanten(), codes)


def finde_termin(ctx: Kontext, nr: int) -> Termin:
    termin = ctx.uow.termine.get(nr)
    if termin is None:
        raise UsageError(
            f"Einen Termin Nr. {nr} gibt es nicht.",
            usage=f"{praefix(ctx)} termine",
            beispiel=f"{praefix(ctx)} termine Hamburg",
        )
    return termin
