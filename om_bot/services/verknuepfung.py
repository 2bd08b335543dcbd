"""Linking rooms to networks: the state changes of a `Verknuepfung`, in one place.

A link in force is `Raum.netzwerk_id` (what every feature reads) plus one `aktiv` row that
says who linked the room and when; a moderator's request is a `beantragt` row until the network
decides. These functions keep both in step; who may call them is decided by the caller through
`om_bot.domain.roles` (docs/rechte.md), and the caller audits and commits.
"""

from __future__ import annotations

from datetime import datetime

from om_bot.storage.models import Netzwerk, Raum, Verknuepfung, VerknuepfungStatus
from om_bot.storage.uow import UnitOfWork

AKTIV = VerknuepfungStatus.AKTIV
BEANTRAGT = VerknuepfungStatus.BEANTRAGT


def verknuepfen(
    uow: UnitOfWork,
    raum: Raum,
    netzwerk: Netzwerk,
    von: str,
    jetzt: datetime,
    *,
    antrag: Verknuepfung | None = None,
) -> Verknuepfung:
    """Link `raum` to `netzwerk` (ending a previous link); `antrag` is the request granted."""
    _beende(uow, raum, von, jetzt)
    if antrag is None:
        antrag = Verknuepfung(
            room_id=raum.room_id,
            netzwerk_id=netzwerk.id,
            status=AKTIV,
            beantragt_von=von,
            beantragt=jetzt,
        )
        uow.raeume.add_verknuepfung(antrag)
    # A request for another network is moot once the room is linked.
    offen = uow.raeume.verknuepfung_im_raum(raum.room_id, BEANTRAGT)
    if offen is not None and offen is not antrag:
        offen.status = VerknuepfungStatus.ABGELEHNT
        offen.entschieden_von = von
        offen.entschieden = jetzt
    antrag.status = AKTIV
    antrag.entschieden_von = von
    antrag.entschieden = jetzt
    raum.netzwerk_id = netzwerk.id
    raum.verknuepft_von = von
    uow.flush()
    return antrag


def beantragen(
    uow: UnitOfWork, raum: Raum, netzwerk: Netzwerk, von: str, jetzt: datetime
) -> tuple[Verknuepfung, bool]:
    """The room's open request for `netzwerk`, new or existing (then False: nothing changed)."""
    offen = uow.raeume.verknuepfung_im_raum(raum.room_id, BEANTRAGT)
    if offen is not None and offen.netzwerk_id == netzwerk.id:
        return offen, False
    if offen is not None:
        # One open request per room: asking for another network replaces the old one.
        offen.status = VerknuepfungStatus.ABGELEHNT
        offen.entschieden_von = von
        offen.entschieden = jetzt
    antrag = Verknuepfung(
        room_id=raum.room_id,
        netzwerk_id=netzwerk.id,
        status=BEANTRAGT,
        beantragt_von=von,
        beantragt=jetzt,
    )
    uow.raeume.add_verknuepfung(antrag)
    uow.flush()
    return antrag, True


def ablehnen(antrag: Verknuepfung, von: str, jetzt: datetime) -> None:
    antrag.status = VerknuepfungStatus.ABGELEHNT
    antrag.entschieden_von = von
    antrag.entschieden = jetzt


def loesen(uow: UnitOfWork, raum: Raum, von: str, jetzt: datetime) -> Verknuepfung | None:
    """End the room's link; the ended `aktiv` row (None for a link without one)."""
    ende = _beende(uow, raum, von, jetzt)
    raum.netzwerk_id = None
    raum.verknuepft_von = von
    return ende


def _beende(uow: UnitOfWork, raum: Raum, von: str, jetzt: datetime) -> Verknuepfung | None:
    aktiv = uow.raeume.verknuepfung_im_raum(raum.room_id, AKTIV)
    if aktiv is not None:
        aktiv.status = VerknuepfungStatus.GELOEST
        aktiv.geloest_von = von
        aktiv.geloest = jetzt
    return aktiv
