"""Runs the criteria checks (`om_bot.domain.kriterien`) on networks of the register.

This is the seam between the database and the pure checks: it turns `Netzwerk` rows into
`NetzwerkStand` snapshots and asks a `TreffenQuelle` how often a network met this year.

Meetings: the checks need "at least two meetings in the current calendar year". As long as the
bot records no events, `keine_termine` answers None and the check shows ❔. The events feature
provides a `TreffenQuelle` (e.g. counting its own rows for the network and year) and passes it
to `bewerte_netzwerk` / `bewerte_alle`; nothing else has to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Protocol

from om_bot.domain.kriterien import (
    Bewertung,
    KontaktStand,
    MitgliedStand,
    NetzwerkStand,
    Umfeld,
    bewerte,
)
from om_bot.storage.models import Netzwerk
from om_bot.storage.uow import UnitOfWork


class TreffenQuelle(Protocol):
    """How many meetings `netzwerk_id` held (or has registered) in calendar year `jahr`;
    None when that is not known."""

    def __call__(self, uow: UnitOfWork, netzwerk_id: int, jahr: int) -> int | None: ...


def keine_termine(uow: UnitOfWork, netzwerk_id: int, jahr: int) -> int | None:
    """The meeting count before events exist: unknown."""
    return None


def stand(netzwerk: Netzwerk) -> NetzwerkStand:
    return NetzwerkStand(
        id=netzwerk.id,
        name=netzwerk.name,
        region_id=netzwerk.region_id,
        region=netzwerk.region.name,
        dach=netzwerk.dach,
        art=netzwerk.art,
        thema=netzwerk.thema,
        status=netzwerk.status,
        offen=netzwerk.offen,
        beitragsfrei=netzwerk.beitragsfrei,
        teilnetz=netzwerk.teilnetz,
        letzter_bericht=netzwerk.letzter_bericht,
        letzte_selbsterklaerung=netzwerk.letzte_selbsterklaerung,
        mitglieder=tuple(MitgliedStand(m.name, m.typ) for m in netzwerk.mitglieder),
        kontakte=tuple(
            KontaktStand(k.rolle, k.name, k.organisation, k.oeffentlich) for k in netzwerk.kontakte
        ),
    )


def umfeld_fuer(
    uow: UnitOfWork, heute: date, alle: Sequence[Netzwerk] | None = None
) -> tuple[tuple[NetzwerkStand, ...], Umfeld]:
    """Snapshots of all networks and the shared part of the checks' surroundings."""
    staende = tuple(stand(n) for n in (alle if alle is not None else uow.netzwerke.alle()))
    return staende, Umfeld(heute=heute, netzwerke=staende, kanten=tuple(uow.regionen.kanten()))


def bewerte_netzwerk(
    uow: UnitOfWork, netzwerk: Netzwerk, heute: date, treffen: TreffenQuelle = keine_termine
) -> Bewertung:
    """Checks and stage of one network as of `heute`."""
    _, umfeld = umfeld_fuer(uow, heute)
    anzahl = treffen(uow, netzwerk.id, heute.year)
    return bewerte(stand(netzwerk), _mit_treffen(umfeld, anzahl))


def bewerte_alle(
    uow: UnitOfWork, heute: date, treffen: TreffenQuelle = keine_termine
) -> list[tuple[Netzwerk, Bewertung]]:
    """Checks and stage of every network in the register, in name order."""
    alle = uow.netzwerke.alle()
    staende, umfeld = umfeld_fuer(uow, heute, alle)
    return [
        (n, bewerte(s, _mit_treffen(umfeld, treffen(uow, n.id, heute.year))))
        for n, s in zip(alle, staende, strict=True)
    ]


def _mit_treffen(umfeld: Umfeld, anzahl: int | None) -> Umfeld:
    return replace(umfeld, treffen=anzahl)
