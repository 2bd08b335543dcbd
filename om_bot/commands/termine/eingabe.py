"""Reading the input of `termin` and `termin ändern`: options (``art:``, ``ort:``, ``titel:``),
``in <Region>`` and ``für <Netzwerk>`` after the date, the kind, the length of texts – and the
use cases' refusals and invariant errors in the command's words (usage line, example)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from om_bot.chat.registry import UsageError
from om_bot.chat.router import Kontext
from om_bot.commands.termine.basis import ARTEN_TEXT, BEISPIEL, praefix, regeln_von
from om_bot.domain.dates import DatumFehler, Zeitraum
from om_bot.domain.fehler import kurz_genug
from om_bot.domain.matching import fold
from om_bot.domain.roles import Rolle
from om_bot.domain.termine import (
    TerminArt,
    TerminVergangen,
    TerminZeitFehler,
    TerminZuLang,
    lies_art,
    pruefe_zeitraum,
)
from om_bot.services import termine as svc
from om_bot.services.register import finde_netzwerk, finde_region
from om_bot.storage.models import Netzwerk, Region

_OPTION_RE = re.compile(r"(?<!\S)(art|ort|titel)\s*:\s*", re.IGNORECASE)
REST_RE = re.compile(
    r"(?:(?:in|im)\s+(?P<r1>.+?)(?:\s+(?:für|fuer)\s+(?P<n1>.+))?"
    r"|(?:für|fuer)\s+(?P<n2>.+?)(?:\s+(?:in|im)\s+(?P<r2>.+))?)",
    re.IGNORECASE | re.DOTALL,
)


_IN_RE = re.compile(r"\s(?:in|im)\s", re.IGNORECASE)


def lies_optionen(text: str) -> tuple[str, dict[str, str]]:
    """Split ``… art:treffen ort:Handelskammer`` into the main text and the options."""
    treffer = list(_OPTION_RE.finditer(text))
    if not treffer:
        return text.strip(), {}
    werte: dict[str, str] = {}
    for i, m in enumerate(treffer):
        ende = treffer[i + 1].start() if i + 1 < len(treffer) else len(text)
        schluessel = m.group(1).lower()
        if schluessel in werte:
            raise UsageError(
                f"„{schluessel}:“ steht zweimal im Befehl. Es wurde nichts gespeichert."
            )
        werte[schluessel] = text[m.end() : ende].strip()
    return text[: treffer[0].start()].strip(), werte


def lies_rest(ctx: Kontext, rest: str, usage: str) -> tuple[str | None, str | None]:
    """``in <Region>`` and/or ``für <Netzwerk>`` after the date phrase."""
    if not rest:
        return None, None
    m = REST_RE.fullmatch(rest.strip())
    if m is None:
        raise UsageError(
            f"„{rest[:80]}“ nach dem Datum verstehe ich nicht. Nach dem Datum stehen nur "
            "„in <Region>“ und „für <Netzwerk>“; einen Ort bitte mit „ort:“ angeben. Es wurde "
            "nichts gespeichert.",
            usage=usage,
            beispiel=f"{praefix(ctx)} {BEISPIEL} ort:Handelskammer, Raum 3",
        )
    return m["r1"] or m["r2"], m["n1"] or m["n2"]


def lies_region(ctx: Kontext, text: str, usage: str) -> Region:
    try:
        return finde_region(ctx.uow, text.strip())
    except UsageError as fehler:
        raise UsageError(
            f"{fehler.meldung} Es wurde nichts gespeichert.", usage=usage, beispiel=fehler.beispiel
        ) from None


def lies_netzwerk(ctx: Kontext, text: str, usage: str) -> Netzwerk:
    try:
        return finde_netzwerk(ctx.uow, text.strip())
    except UsageError as fehler:
        raise UsageError(
            f"{fehler.meldung} Es wurde nichts gespeichert.", usage=usage, beispiel=fehler.beispiel
        ) from None


def titel_mit_region(ctx: Kontext, titel: str) -> tuple[str, Region | None]:
    """„Treffen in Hamburg am …“: a title ending in ``in <Region>`` (exact name) names it."""
    for m in _IN_RE.finditer(titel):
        region = ctx.uow.regionen.nach_schluessel(fold(titel[m.end() :].strip()))
        if region is not None and titel[: m.start()].strip():
            return titel[: m.start()].strip(), region
    return titel, None


_DANACH_RE = re.compile(r"\s(?:in|im|für|fuer)\s", re.IGNORECASE)


def titel_danach(
    ctx: Kontext, haupt: str, nachher: str, usage: str, befehl: str = "termin"
) -> tuple[str, str]:
    """„morgen 10 Uhr Teamrunde [in <Region>] [für <Netzwerk>]“: the title after the date.

    Only where the split is certain: the text starts with a capital letter (a noun, not
    „mit …“ or „30 Gäste“, whose number might belong to the time), and an ``in``/``für`` in it
    names a region and network exactly – otherwise „Teamrunde im Park“ could be a title or a
    region, and the command asks.  Returns (title, rest); no title when the text after the
    date is only ``in <Region>``/``für <Netzwerk>``.
    """
    if not nachher or REST_RE.fullmatch(nachher):
        return "", nachher
    datum = haupt[: haupt.rfind(nachher)].strip(" ,;:-–—")  # the title is empty
    frage = UsageError(
        f"Ist „{nachher[:80]}“ nach dem Datum der Titel? Bitte schreiben Sie den Titel vor das "
        "Datum. Es wurde nichts gespeichert.",
        usage=usage,
        beispiel=f"{praefix(ctx)} {befehl} {nachher[:60]} {datum[:60]}",
    )
    if not nachher[0].isupper():
        raise frage
    m = _DANACH_RE.search(nachher)
    if m is None:
        return nachher, ""
    schwanz = REST_RE.fullmatch(nachher[m.start() :].strip())
    if schwanz is None:
        raise frage
    region, netzwerk = schwanz["r1"] or schwanz["r2"], schwanz["n1"] or schwanz["n2"]
    if (region is not None and ctx.uow.regionen.nach_schluessel(fold(region)) is None) or (
        netzwerk is not None and ctx.uow.netzwerke.nach_schluessel(fold(netzwerk)) is None
    ):
        raise frage
    return nachher[: m.start()].strip(), nachher[m.start() :].strip()


def datumfehler(ctx: Kontext, fehler: DatumFehler, usage: str, titel: str = "") -> UsageError:
    beispiel = fehler.beispiel
    # A whole corrected text (title and all) or the standard command example keep their title.
    if not (fehler.ganzer_text or beispiel.startswith("Netzwerktreffen")):
        beispiel = f"{titel[:40] or 'Netzwerktreffen'} {beispiel}"
    return UsageError(
        f"{fehler.meldung} Es wurde nichts gespeichert.",
        usage=usage,
        beispiel=f"{praefix(ctx)} termin {beispiel}",
    )


def art_option(ctx: Kontext, text: str) -> TerminArt:
    art = lies_art(text)
    if art is None:
        raise UsageError(
            f"Die Art „{text[:40]}“ kenne ich nicht. Arten: {ARTEN_TEXT}. Es wurde nichts "
            "gespeichert.",
            beispiel=f"{praefix(ctx)} {BEISPIEL} art:treffen",
        )
    return art


def laenge(text: str, was: str) -> str:
    return kurz_genug(text, was)


def _zeitfehler(ctx: Kontext, fehler: TerminZeitFehler, usage: str) -> UsageError:
    """An invariant of the event's time (`pruefe_zeitraum`), with this command's example."""
    p = praefix(ctx)
    if isinstance(fehler, TerminVergangen):
        beispiel = f"{p} termin Netzwerktreffen nächsten Dienstag um 14 Uhr"
    elif isinstance(fehler, TerminZuLang):
        beispiel = f"{p} termin Aktionswoche vom 12. bis 16.04.2027"
    else:
        beispiel = f"{p} {BEISPIEL}"
    return UsageError(fehler.meldung, usage=usage, beispiel=beispiel)


@contextmanager
def im_wortlaut(ctx: Kontext, usage: str) -> Iterator[None]:
    """The use cases' refusals and invariant errors in this command's words."""
    try:
        yield
    except svc.OhneNetzwerkVerweigert as nein:
        raise svc.TerminVerweigert(
            f"{nein.args[0]} Für Ihr Netzwerk: im Raum des Netzwerks eintragen oder „für "
            f"<Netzwerk>“ anhängen, z. B. „{praefix(ctx)} {BEISPIEL} für OM-Netzwerk Hamburg“.",
            Rolle.GESCHAEFTSSTELLE,
        ) from None
    except TerminZeitFehler as fehler:
        raise _zeitfehler(ctx, fehler, usage) from None


def zeit_pruefen(ctx: Kontext, z: Zeitraum, usage: str) -> None:
    """Refuse a past date, an over-long event and one beyond the horizon (nothing stored) –
    here already, so the answer names the first problem of the input; the use case checks
    again."""
    with im_wortlaut(ctx, usage):
        pruefe_zeitraum(z, ctx.now(), regeln_von(ctx))
