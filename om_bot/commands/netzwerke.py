"""`netzwerke`, `netzwerk`: look up the register by region, place or name.

`netzwerke <Region>` lists the networks in a region of the register as before; anything else is
looked up in the place table (`om_bot.services.orte`): a town, postcode, Kreis or
Regierungsbezirk gets the networks whose region contains it, with the reason, or the nearest
ones; an ambiguous name is asked back. The helpers for those answers are shared with
`region <Ort>` (`om_bot.commands.orte`).
"""

from __future__ import annotations

from collections.abc import Sequence

from om_bot.chat.registry import Familie
from om_bot.chat.router import Kontext
from om_bot.domain import orte
from om_bot.domain.gebiete import Antwort, Ergebnis
from om_bot.domain.matching import fold
from om_bot.domain.netzwerk import RegionArt
from om_bot.domain.ortsregionen import ca_km
from om_bot.domain.regions import umfassend
from om_bot.services.orte import (
    Naechstes,
    OrtsAntwort,
    eindeutig_als,
    naechste_zur_region,
    netzwerke_am_ort,
    unbekannt,
)
from om_bot.services.register import (
    ART_TEXT,
    STATUS_TEXT,
    finde_netzwerk,
    netzwerke_in,
)
from om_bot.storage.models import Netzwerk
from om_bot.text.format import B, Code, I, Msg, Part
from om_bot.text.messages import Reply

# More choices than this are cut: "Neustadt" names dozens of places.
RUECKFRAGE_MAX = 10

familie = Familie("netzwerke", "Netzwerke und Regionen", aliase=("netzwerk",))


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


# --- answers about places (shared with `region <Ort>`) ----------------------------------------


def ortstitel(antwort: OrtsAntwort) -> str:
    """„Kiel (kreisfreie Stadt, Schleswig-Holstein, PLZ 24103 u. a.)“, „PLZ 21423 (Winsen
    (Luhe), Drage)“."""
    e = antwort.ergebnis
    if e.antwort is Antwort.PLZ:
        return f"PLZ {e.plz} ({', '.join(g.name for g in antwort.orte)})"
    return orte.beschreibung(antwort.orte[0])


def ortsname(antwort: OrtsAntwort) -> str:
    e = antwort.ergebnis
    return f"PLZ {e.plz}" if e.antwort is Antwort.PLZ else antwort.orte[0].name


def rueckfrage(ctx: Kontext, ergebnis: Ergebnis, befehl: str) -> Reply:
    """Ask which of several places is meant, each with the command that names it exactly."""
    prefix = ctx.dienste.prefix
    msg = Msg(f"„{ergebnis.eingabe[:80]}“ ist mehrdeutig – welcher Ort ist gemeint?")
    for g in ergebnis.treffer[:RUECKFRAGE_MAX]:
        msg.bullet(orte.beschreibung(g), ": ", Code(f"{prefix} {befehl} {eindeutig_als(g)}"))
    rest = len(ergebnis.treffer) - RUECKFRAGE_MAX
    if rest > 0:
        msg.line(
            f"… und {rest} weitere. Genauer geht es mit dem Land oder der Postleitzahl, z. B. ",
            Code(f"{prefix} {befehl} {ergebnis.eingabe[:40]}, Bayern"),
        )
    return msg.reply()


def naechste_zeilen(msg: Msg, name: str, naechste: Sequence[Naechstes], von: str = "") -> None:
    """The nearest networks („OM-Netzwerk Lübeck-West-Mecklenburg, ca. 60 km – …“); `von`:
    the unit they were measured from when the place itself has no coordinates."""
    if von and naechste:
        dort = "Nächste Netzwerke" if len(naechste) > 1 else "Nächstes Netzwerk"
        msg.line(f"Wo genau {name} liegt, verraten meine Quellen nicht. {dort} von {von} aus:")
    elif naechste:
        msg.line("Nächstes Netzwerk:" if len(naechste) == 1 else "Nächste Netzwerke:")
    else:
        msg.line("Ein Netzwerk in der Nähe kann ich nicht nennen.")
    for n in naechste:
        entfernung = f", {ca_km(n.km)}" if n.km is not None else ""
        msg.bullet(B(n.netzwerk.name), entfernung, *zeile(n.netzwerk)[1:])


def am_ort(ctx: Kontext, text: str) -> Reply:
    """`netzwerke <Ort|PLZ|Kreis>` for a text that is no region of the register."""
    antwort = netzwerke_am_ort(ctx.uow, text)
    e = antwort.ergebnis
    if e.antwort is Antwort.RUECKFRAGE:
        return rueckfrage(ctx, e, "netzwerke")
    if not antwort.orte:
        raise unbekannt(ctx.uow, text, e, "netzwerke")
    name = ortsname(antwort)
    msg = Msg(f"Netzwerke für {ortstitel(antwort)}")
    if antwort.kreis_unbekannt:
        namen = " und ".join(g.name for g in antwort.orte[:3])
        msg.line(f"Den Kreis von {namen} nennen meine Quellen nicht; ich prüfe Ort und Land.")
    if antwort.netzwerke:
        for n in antwort.netzwerke:
            msg.bullet(*zeile(n.netzwerk), I(f"\n{n.grund}"))
    else:
        msg.line(
            f"Für {name} ist kein Netzwerk eingetragen; keine Region eines Netzwerks umfasst es."
        )
        land = antwort.naechste_in.name if antwort.naechste_in is not None else ""
        naechste_zeilen(msg, name, antwort.naechste, land)
    if antwort.nebenbei:
        andere = antwort.nebenbei[0]
        msg.line(
            "So heißt auch: ",
            "; ".join(orte.beschreibung(g) for g in antwort.nebenbei[:3]),
            " – z. B. ",
            Code(f"{ctx.dienste.prefix} netzwerke {eindeutig_als(andere)}"),
        )
    msg.line("Alle Netzwerke: ", Code(f"{ctx.dienste.prefix} netzwerke"))
    return msg.reply()


@familie.befehl(
    "netzwerke [<region>]",
    hilfe="Netzwerke einer Region, eines Orts, einer PLZ oder eines Kreises zeigen, ohne alle",
    details=(
        "Eine Region des Registers zeigt ihre Netzwerke mit allen Teilregionen. Jeder andere Ort"
        " in Deutschland (Ort, PLZ, Kreis, Regierungsbezirk) zeigt die Netzwerke, deren Region"
        " ihn umfasst, mit Begründung – oder die nächsten mit Entfernung. Mehrdeutige Namen"
        " („Harburg“) fragt der Bot nach. Groß-/Kleinschreibung und Umlaute sind egal:"
        " „Muenchen“ = „München“."
    ),
    beispiele=(
        "netzwerke Hamburg",
        "netzwerke Bayern",
        "netzwerke Kiel",
        "netzwerke 21073",
        "netzwerke",
    ),
)
def netzwerke(ctx: Kontext, region: str | None) -> Reply:
    uow = ctx.uow
    if not region:
        alle = uow.netzwerke.alle()
        return _liste(f"Alle {len(alle)} Netzwerke", alle).reply()
    gefunden = uow.regionen.nach_schluessel(fold(region))
    if gefunden is None:
        return am_ort(ctx, region)
    treffer = netzwerke_in(uow, gefunden)
    if treffer:
        return _liste(f"Netzwerke in {gefunden.name} ({len(treffer)})", treffer).reply()
    # Nothing inside: name the networks whose (larger) region covers this one instead.
    # (Computed once: asked per region, this took over a second with 1,000 regions.)
    oben = umfassend(gefunden.id, uow.regionen.kanten())
    weiter = {
        region_id
        for region_id, art in uow.regionen.arten(oben).items()
        if art in {RegionArt.BUNDESLAND, RegionArt.REGION, RegionArt.STADT}
    }
    umgebung = uow.netzwerke.in_regionen(weiter - {gefunden.id})
    msg = Msg().line(f"In {gefunden.name} ist noch kein Netzwerk eingetragen.")
    if umgebung:
        msg.line("Zuständig für die umliegende Region:")
        for netzwerk in umgebung:
            msg.bullet(*zeile(netzwerk))
    else:
        naechste = naechste_zur_region(uow, gefunden)
        if naechste:
            naechste_zeilen(msg, gefunden.name, naechste)
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
