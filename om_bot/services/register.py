"""The register of networks and regions as users address it: by name, region or a near miss.

Lookups accept what people type ("Muenchen", "hamberg", "Münsterland" for "OM-Netzwerk
Münsterland") and answer with a `UsageError` that suggests the closest names when nothing fits.
"""

from __future__ import annotations

from collections.abc import Sequence

from om_bot.domain.fehler import UsageError
from om_bot.domain.matching import fold, meinten_sie, suggest
from om_bot.domain.netzwerk import Art, Dach, Status
from om_bot.domain.regions import innerhalb
from om_bot.domain.roles import NetzwerkRollen
from om_bot.services.orte import finde as finde_ort
from om_bot.services.orte import region_fuer_ort, vorschlaege
from om_bot.storage.models import Netzwerk, Region
from om_bot.storage.uow import UnitOfWork

STATUS_TEXT = {
    Status.BEANTRAGT: "beantragt",
    Status.LEITUNGSKREIS: "beim Leitungskreis",
    Status.AG_TRANSFER: "bei der AG Transfer",
    Status.PLENUM: "beim Plenum",
    Status.ANERKANNT: "anerkannt",
    Status.ENTZOGEN: "Anerkennung entzogen",
}
ART_TEXT = {Art.REGIONAL: "Regionalnetzwerk", Art.FACHGRUPPE: "Fachgruppe"}


def finde_region(uow: UnitOfWork, text: str) -> Region:
    region = uow.regionen.nach_schluessel(fold(text))
    if region is not None:
        return region
    # Any real place is a region (issue 11): made on first use, asked back if ambiguous.
    region = region_fuer_ort(uow, text)
    if region is not None:
        return region
    # Suggestions a slip away from a region or a real place: never „Köln“ for „Kiell“.
    hint = meinten_sie(vorschlaege(uow, text, finde_ort(text)))
    raise UsageError(
        f"Die Region „{text[:80]}“ kenne ich nicht. {hint}".strip(),
        usage="!om netzwerke <Region>",
        beispiel="!om netzwerke Hamburg",
    )


def netzwerke_in(uow: UnitOfWork, region: Region) -> Sequence[Netzwerk]:
    """Networks in `region` and in every region inside it."""
    return uow.netzwerke.in_regionen(innerhalb(region.id, uow.regionen.kanten()))


def _eindeutig(kandidaten: Sequence[Netzwerk]) -> Netzwerk | None:
    if len(kandidaten) == 1:
        return kandidaten[0]
    # The bot belongs to the OM: "München" means the OM network there when the DDN has one too.
    om = [n for n in kandidaten if n.dach is Dach.OM]
    return om[0] if len(om) == 1 else None


def finde_netzwerk(uow: UnitOfWork, text: str) -> Netzwerk:
    """The network `text` names: its full name, a unique part of it, or its region."""
    key = fold(text)
    exact = uow.netzwerke.nach_schluessel(key)
    if exact is not None:
        return exact
    alle = uow.netzwerke.alle()
    teil = [n for n in alle if key and f" {key} " in f" {n.schluessel} "]
    region = uow.regionen.nach_schluessel(key)
    in_region = [n for n in alle if region is not None and n.region_id == region.id]
    for kandidaten in (teil, in_region):
        gefunden = _eindeutig(kandidaten)
        if gefunden is not None:
            return gefunden
    mehrere = teil or in_region
    if mehrere:
        namen = ", ".join(f"„{n.name}“" for n in mehrere[:6])
        raise UsageError(
            f"„{text[:80]}“ passt auf mehrere Netzwerke: {namen}. Bitte den vollen Namen angeben.",
            beispiel=f"!om netzwerk {mehrere[0].name}",
        )
    hint = meinten_sie(suggest(text, [n.name for n in alle] + [n.region.name for n in alle]))
    raise UsageError(
        f"Ein Netzwerk „{text[:80]}“ kenne ich nicht. {hint}".strip(),
        usage="!om netzwerk <Name oder Region>",
        beispiel="!om netzwerk Münsterland",
    )


def rollen_von(uow: UnitOfWork, netzwerk: Netzwerk) -> NetzwerkRollen:
    return NetzwerkRollen(netzwerk.id, uow.netzwerke.koordinatoren(netzwerk.id))
