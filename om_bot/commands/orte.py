"""`region <Ort>`: what the bot knows about a place – Kreis, Land, its regions, its networks.

A region of the register that is a set of places (Münsterland, Harz) is shown with its Gebiete,
the regions it lies in and contains, and its networks; anything else is looked up in the place
table like `netzwerke <Ort>` (`om_bot.services.orte`), and says less where the sources do: an
ordinary town's Kreis is not known.
"""

from __future__ import annotations

from om_bot.chat.registry import Familie
from om_bot.chat.router import Kontext
from om_bot.commands.netzwerke import (
    naechste_zeilen,
    ortsname,
    ortstitel,
    rueckfrage,
    zeile,
)
from om_bot.domain import orte
from om_bot.domain.gebiete import ORTSARTEN, Antwort, Art
from om_bot.domain.matching import fold
from om_bot.domain.netzwerk import Art as NetzwerkArt
from om_bot.domain.netzwerk import RegionArt, Status
from om_bot.domain.ortsregionen import einheit
from om_bot.domain.regions import umfassend
from om_bot.services.orte import OrtsAntwort, naechste_zur_region, netzwerke_am_ort, unbekannt
from om_bot.services.register import netzwerke_in
from om_bot.storage.models import Region
from om_bot.text.format import B, I, Msg
from om_bot.text.messages import Reply

familie = Familie("orte", "Orte: Kreis, Land, Regionen, zuständige Netzwerke", aliase=("ort",))

REGION_ART_TEXT = {
    RegionArt.LAND: "Staat",
    RegionArt.GROSSREGION: "Großregion",
    RegionArt.BUNDESLAND: "Land",
    RegionArt.REGION: "Region",
    RegionArt.STADT: "Stadt",
}
_PLZ_MAX = 6


def _ort(ctx: Kontext, antwort: OrtsAntwort, titel: str = "") -> Reply:
    """A place (or a postcode's places): its units, regions and networks."""
    e = antwort.ergebnis
    msg = Msg(titel or ortstitel(antwort))
    g = antwort.orte[0]
    if len(antwort.orte) > 1:
        msg.line(f"Die Postleitzahl {e.plz} gilt für {len(antwort.orte)} Orte; gemeinsam ist:")
        einheiten = {u.art: u for u in orte.gemeinsam(antwort.orte)}
    else:
        einheiten = {u.art: u for u in orte.kette(g)[1:]}
        if g.art in ORTSARTEN:
            kreis = einheiten.get(Art.KREIS)
            msg.bullet(
                "Kreis: ",
                einheit(kreis)
                if kreis is not None
                else I("nicht bekannt – meine Quellen nennen ihn nicht"),
            )
        elif g.art is Art.KREIS:
            msg.bullet(f"Art: {g.typ}")
    bezirk = einheiten.get(Art.REGIERUNGSBEZIRK)
    if bezirk is not None:
        msg.bullet("Bezirk: ", bezirk.name)
    land = einheiten.get(Art.LAND)
    if land is not None:
        msg.bullet("Land: ", land.name)
    if len(antwort.orte) == 1 and g.plz:
        mehr = f" und {len(g.plz) - _PLZ_MAX} weitere" if len(g.plz) > _PLZ_MAX else ""
        msg.bullet("Postleitzahlen: ", ", ".join(g.plz[:_PLZ_MAX]) + mehr)
    drin = [r.name for r in antwort.regionen if not r.darin]
    darin = [r.name for r in antwort.regionen if r.darin]
    msg.bullet("Regionen des Registers: ", ", ".join(drin) if drin else I("keine"))
    if darin:
        msg.bullet("Darin liegen: ", ", ".join(darin))
    name = ortsname(antwort)
    if antwort.netzwerke:
        msg.line(B("Netzwerke"))
        for n in antwort.netzwerke:
            msg.bullet(*zeile(n.netzwerk), I(f"\n{n.grund}"))
    else:
        msg.line(f"Für {name} ist kein Netzwerk zuständig.")
        land_name = antwort.naechste_in.name if antwort.naechste_in is not None else ""
        naechste_zeilen(msg, name, antwort.naechste, land_name)
    return msg.reply()


def _steckbrief(ctx: Kontext, region: Region) -> Reply:
    """A region of the register that is a set of places, or has no Gebiete."""
    uow = ctx.uow
    namen = uow.regionen.namen()
    kanten = uow.regionen.kanten()
    art = REGION_ART_TEXT[region.art]
    land = orte.gebiet(f"land:{region.bundesland}") if region.bundesland else None
    msg = Msg(f"Region {region.name} ({art}" + (f", {land.name})" if land else ")"))
    gebiete = [g for g in (orte.gebiet(x.gebiet_id) for x in region.gebiete) if g is not None]
    if gebiete:
        msg.bullet("Besteht aus: ", ", ".join(einheit(g) for g in gebiete))
    else:
        msg.bullet("Besteht aus: ", I("keine festen Grenzen – was darin eingetragen ist"))
    eltern = sorted(namen[p] for c, p in kanten if c == region.id)
    kinder = sorted(namen[c] for c, p in kanten if p == region.id)
    if eltern:
        msg.bullet("Liegt in: ", ", ".join(eltern))
    if kinder:
        msg.bullet("Darin liegen: ", ", ".join(kinder))
    darin = [n for n in netzwerke_in(uow, region) if n.status is not Status.ENTZOGEN]
    oben = umfassend(region.id, kanten) - {region.id}
    drumherum = [
        n
        for n in uow.netzwerke.in_regionen(oben)
        if n.art is NetzwerkArt.REGIONAL and n.status is not Status.ENTZOGEN
    ]
    if darin:
        msg.line(B("Netzwerke"))
        for n in darin:
            msg.bullet(*zeile(n))
    for n in drumherum:
        msg.bullet(*zeile(n), I(f"\nRegion {n.region.name} umfasst Region {region.name}"))
    if not darin and not drumherum:
        msg.line(f"In {region.name} ist kein Netzwerk eingetragen.")
        naechste_zeilen(msg, region.name, naechste_zur_region(uow, region))
    return msg.reply()


@familie.befehl(
    "region <ort>",
    hilfe="Was der Bot über einen Ort weiß: Kreis, Land, Regionen, zuständige Netzwerke",
    details=(
        "Ort, Postleitzahl, Kreis, Regierungsbezirk, Land oder eine Region des Registers"
        " („Münsterland“). Mehrdeutige Namen („Harburg“) fragt der Bot nach; den Kreis"
        " kreisangehöriger Orte kennen seine Quellen nicht."
    ),
    beispiele=("region Kiel", "region 21073", "region Landkreis Harburg", "region Münsterland"),
)
def region(ctx: Kontext, ort: str) -> Reply:
    uow = ctx.uow
    im_register = uow.regionen.nach_schluessel(fold(ort))
    if im_register is not None:
        gebiete = [x.gebiet_id for x in im_register.gebiete]
        if len(gebiete) != 1:
            return _steckbrief(ctx, im_register)
        # A region that is one place (München, Bayern): the place, under the region's name.
        antwort = netzwerke_am_ort(uow, gebiete[0])
        g = antwort.orte[0] if antwort.orte else None
        titel = f"Region {im_register.name}" + (f" = {orte.beschreibung(g)}" if g else "")
        return _ort(ctx, antwort, titel) if antwort.orte else _steckbrief(ctx, im_register)
    antwort = netzwerke_am_ort(uow, ort)
    if antwort.ergebnis.antwort is Antwort.RUECKFRAGE:
        return rueckfrage(ctx, antwort.ergebnis, "region")
    if not antwort.orte:
        raise unbekannt(uow, ort, antwort.ergebnis, "region")
    return _ort(ctx, antwort)
