"""`netzwerke`, `netzwerk`: look up the register by region or name."""

from __future__ import annotations

from collections.abc import Sequence

from om_bot.chat.registry import Familie
from om_bot.chat.router import Kontext
from om_bot.domain.netzwerk import RegionArt
from om_bot.domain.regions import umfassend
from om_bot.services.register import (
    ART_TEXT,
    STATUS_TEXT,
    finde_netzwerk,
    finde_region,
    netzwerke_in,
)
from om_bot.storage.models import Netzwerk
from om_bot.text.format import B, Code, Msg, Part
from om_bot.text.messages import Reply

familie = Familie("netzwerke", "Netzwerke und Regionen", aliase=("netzwerk", "region"))


def _kontakte(netzwerk: Netzwerk) -> str:
    public = [k for k in netzwerk.kontakte if k.oeffentlich]
    if not public:
        return "keine öffentlichen Ansprechpersonen"
    parts = []
    for k in public:
        detail = ", ".join(x for x in (k.rolle.value, k.organisation, k.email) if x)
        parts.append(f"{k.name} ({detail})")
    return "Kontakt: " + "; ".join(parts)


def zeile(netzwerk: Netzwerk) -> tuple[Part, ...]:
    """One network as a list line: name, umbrella, kind, status, public contacts."""
    return (
        B(netzwerk.name),
        f" – {netzwerk.dach.value} · {ART_TEXT[netzwerk.art]}"
        + (f" ({netzwerk.thema})" if netzwerk.thema else "")
        + f" · {netzwerk.region.name} · {STATUS_TEXT[netzwerk.status]} · {_kontakte(netzwerk)}",
    )


def _liste(titel: str, netzwerke: Sequence[Netzwerk]) -> Msg:
    msg = Msg(titel)
    for netzwerk in netzwerke:
        msg.bullet(*zeile(netzwerk))
    return msg


@familie.befehl(
    "netzwerke [<region>]",
    hilfe="Netzwerke einer Region (mit allen Teilregionen) zeigen, ohne Region alle",
    details="Groß-/Kleinschreibung und Umlaute sind egal: „Muenchen“ = „München“.",
    beispiele=("netzwerke Hamburg", "netzwerke Bayern", "netzwerke"),
)
def netzwerke(ctx: Kontext, region: str | None) -> Reply:
    uow = ctx.uow
    if not region:
        alle = uow.netzwerke.alle()
        return _liste(f"Alle {len(alle)} Netzwerke", alle).reply()
    gefunden = finde_region(uow, region)
    treffer = netzwerke_in(uow, gefunden)
    if treffer:
        return _liste(f"Netzwerke in {gefunden.name} ({len(treffer)})", treffer).reply()
    # Nothing inside: name the networks whose (larger) region covers this one instead.
    weiter = {
        r.id
        for r in uow.regionen.alle()
        if r.id in umfassend(gefunden.id, uow.regionen.kanten())
        and r.art in {RegionArt.BUNDESLAND, RegionArt.REGION, RegionArt.STADT}
    }
    umgebung = uow.netzwerke.in_regionen(weiter - {gefunden.id})
    msg = Msg().line(f"In {gefunden.name} ist noch kein Netzwerk eingetragen.")
    if umgebung:
        msg.line("Zuständig für die umliegende Region:")
        for netzwerk in umgebung:
            msg.bullet(*zeile(netzwerk))
    msg.line("Alle Netzwerke: ", Code(f"{ctx.dienste.prefix} netzwerke"))
    return msg.reply()


@familie.befehl(
    "netzwerk <name>",
    hilfe="Steckbrief eines Netzwerks: Dach, Status, Region, Ansprechpersonen",
    details="Der Name darf abgekürzt werden, solange er eindeutig ist (auch die Region).",
    beispiele=("netzwerk Münsterland", "netzwerk OM-Netzwerk Hamburg"),
)
def netzwerk(ctx: Kontext, name: str) -> Reply:
    n = finde_netzwerk(ctx.uow, name)
    msg = Msg(n.name)
    msg.bullet(f"Dach: {n.dach.value} · {ART_TEXT[n.art]}" + (f" ({n.thema})" if n.thema else ""))
    msg.bullet(f"Region: {n.region.name}")
    msg.bullet(f"Status: {STATUS_TEXT[n.status]}")
    if n.stadium:
        msg.bullet(f"Umsetzungsstadium: {n.stadium} von 4")
    msg.bullet(f"Partner im Netzwerk: {len(n.mitglieder)}")
    for k in n.kontakte:
        if k.oeffentlich:
            detail = ", ".join(x for x in (k.organisation, k.email) if x)
            msg.bullet(f"{k.rolle.value}: {k.name}" + (f" ({detail})" if detail else ""))
    raeume = ctx.uow.raeume.fuer_netzwerk(n.id)
    msg.bullet(f"Verknüpfte Räume: {len(raeume)}")
    return msg.reply()
