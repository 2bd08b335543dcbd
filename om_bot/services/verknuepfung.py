"""Linking rooms to networks: the state changes of a `Verknuepfung` and the use cases on them.

A link in force is `Raum.netzwerk_id` (what every feature reads) plus one `aktiv` row that
says who linked the room and when; a moderator's request is a `beantragt` row until the network
decides. `verknuepfen`, `beantragen`, `ablehnen` and `loesen` keep both in step. The use cases
below them (`raum_verknuepfen`, `antrag_bestaetigen`, `antrag_ablehnen`, `fern_loesen`,
`hier_loesen`, `raeume`) take an `Aufruf`, decide who may through `om_bot.domain.roles`
(docs/rechte.md, Regel 2: linking is speaking for the network), audit every step and commit;
refusals are `RaumVerweigert` with their German text. `om_bot/commands/raum.py` words them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from om_bot.domain.audit import AuditAktion
from om_bot.domain.fehler import UsageError
from om_bot.domain.roles import MODERATOR_LEVEL, Rolle, Verweigert
from om_bot.services.aufruf import Aufruf
from om_bot.services.register import finde_netzwerk, rollen_von
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


# --- use cases: who may link, ask, confirm, refuse and unlink (docs/rechte.md, Regel 2) ----------


class RaumVerweigert(Verweigert):
    """A refusal with its own text (who may instead); the router audits it."""

    def __init__(self, meldung: str, rolle: Rolle = Rolle.NETZWERK) -> None:
        super().__init__(rolle)
        self.args = (meldung,)


@dataclass(frozen=True)
class SchonVerknuepft:
    """`raum_verknuepfen`: the room is linked to that network already; nothing changed."""

    netzwerk: Netzwerk


@dataclass(frozen=True)
class Verknuepft:
    """`raum_verknuepfen`: the room speaks for the network now."""

    verknuepfung: Verknuepfung
    raum: Raum


@dataclass(frozen=True)
class Beantragt:
    """`raum_verknuepfen` by a moderator: the room's request (`neu` False: it existed already,
    nothing changed) and the coordinators to ask."""

    antrag: Verknuepfung
    raum: Raum
    netzwerk: Netzwerk
    neu: bool
    koordination: frozenset[str]


@dataclass(frozen=True)
class Raeume:
    """`raeume`: the network's linked rooms and its open requests."""

    netzwerk: Netzwerk
    aktiv: Sequence[Verknuepfung]
    offen: Sequence[Verknuepfung]


def spricht_fuer(a: Aufruf, netzwerk: Netzwerk) -> bool:
    """Whether the person acting may speak for `netzwerk` (`Rolle.NETZWERK`)."""
    return a.rollen.darf(a.akteur, Rolle.NETZWERK, rollen_von(a.uow, netzwerk))


def _entscheidung_pruefen(a: Aufruf, netzwerk: Netzwerk, was: str) -> None:
    if not spricht_fuer(a, netzwerk):
        raise RaumVerweigert(
            f"{was} dürfen nur die Koordination von {netzwerk.name}, die Geschäftsstelle und "
            "Admins."
        )


def _audit(
    a: Aufruf,
    aktion: AuditAktion,
    v: Verknuepfung,
    vorher: dict[str, object] | None = None,
) -> None:
    a.audit(
        aktion,
        netzwerk_id=v.netzwerk_id,
        objekt=v.room_id,
        vorher=vorher,
        nachher={"verknuepfung": v.id, "status": v.status.value, "netzwerk": v.netzwerk.name},
    )


def _offener_antrag(a: Aufruf, nr: int) -> Verknuepfung:
    antrag = a.uow.raeume.verknuepfung(nr)
    if antrag is None or antrag.status is not VerknuepfungStatus.BEANTRAGT:
        p = a.prefix
        stand = f" (Stand: {antrag.status.value})" if antrag is not None else ""
        raise UsageError(
            f"Einen offenen Verknüpfungsantrag Nr. {nr} gibt es nicht{stand}. Es wurde nichts "
            "geändert.",
            usage=f"{p} netzwerk <Netzwerk> räume",
            beispiel=f"{p} netzwerk Hamburg räume",
        )
    return antrag


def antrag_bestaetigen(a: Aufruf, nr: int) -> Verknuepfung:
    """The network (or the Geschäftsstelle) grants request `nr`: the room is linked."""
    antrag = _offener_antrag(a, nr)
    netzwerk = antrag.netzwerk
    _entscheidung_pruefen(a, netzwerk, "Einen Verknüpfungsantrag bestätigen")
    raum = antrag.raum
    alt = raum.netzwerk
    if alt is not None and alt.id != netzwerk.id:
        raise UsageError(
            f"Der Raum aus Antrag {nr} ist inzwischen mit {alt.name} verknüpft; umverknüpfen "
            f"darf nur, wer für {alt.name} und {netzwerk.name} sprechen darf. Es wurde nichts "
            "geändert.",
        )
    verknuepfen(a.uow, raum, netzwerk, a.wer, a.now(), antrag=antrag)
    _audit(a, AuditAktion.RAUM_BESTAETIGT, antrag, vorher={"status": BEANTRAGT.value})
    a.uow.commit()
    return antrag


def antrag_ablehnen(a: Aufruf, nr: int) -> Verknuepfung:
    """The network (or the Geschäftsstelle) refuses request `nr`."""
    antrag = _offener_antrag(a, nr)
    _entscheidung_pruefen(a, antrag.netzwerk, "Einen Verknüpfungsantrag ablehnen")
    ablehnen(antrag, a.wer, a.now())
    _audit(a, AuditAktion.RAUM_ABGELEHNT, antrag, vorher={"status": BEANTRAGT.value})
    a.uow.commit()
    return antrag


def fern_loesen(a: Aufruf, nr: int) -> Verknuepfung:
    """The network (or the Geschäftsstelle) ends link `nr` from elsewhere."""
    v = a.uow.raeume.verknuepfung(nr)
    if v is None or v.status is not AKTIV:
        p = a.prefix
        raise UsageError(
            f"Eine bestehende Verknüpfung Nr. {nr} gibt es nicht. Es wurde nichts geändert.",
            usage=f"{p} netzwerk <Netzwerk> räume",
            beispiel=f"{p} netzwerk Hamburg räume",
        )
    _entscheidung_pruefen(a, v.netzwerk, "Einen Raum aus der Ferne lösen")
    loesen(a.uow, v.raum, a.wer, a.now())
    _audit(a, AuditAktion.RAUM_GELOEST, v, vorher={"status": AKTIV.value})
    a.uow.commit()
    return v


def hier_loesen(a: Aufruf) -> Netzwerk:
    """End the link of the room the command was typed in; the network it was linked to."""
    raum = a.uow.raeume.get(a.akteur.room_id)
    if raum is None or raum.netzwerk is None:
        raise UsageError(
            "Dieser Raum ist mit keinem Netzwerk verknüpft.",
            beispiel=f"{a.prefix} raum Hamburg",
        )
    netzwerk = raum.netzwerk
    # Giving up the link takes no right away from anyone: the room's moderators may.
    a.rollen.pruefe(a.akteur, Rolle.RAUM, rollen_von(a.uow, netzwerk))
    ende = loesen(a.uow, raum, a.wer, a.now())
    a.audit(
        AuditAktion.RAUM_GELOEST,
        netzwerk_id=netzwerk.id,
        objekt=raum.room_id,
        vorher={"netzwerk": netzwerk.name},
        nachher={"verknuepfung": ende.id if ende else None, "status": "geloest"},
    )
    a.uow.commit()
    return netzwerk


def raum_verknuepfen(a: Aufruf, netzwerk: str) -> SchonVerknuepft | Verknuepft | Beantragt:
    """`raum <Netzwerk>`: link the room the command was typed in, or – for its moderator –
    ask the network to. Relinking needs the right on both networks; a direct chat cannot ask
    (everyone moderates their own)."""
    ziel = finde_netzwerk(a.uow, netzwerk)
    eintrag = a.uow.raeume.beigetreten(a.akteur.room_id, a.now())
    alt = eintrag.netzwerk
    if alt is not None and alt.id == ziel.id:
        return SchonVerknuepft(ziel)
    darf_neu = spricht_fuer(a, ziel)
    darf_alt = alt is None or spricht_fuer(a, alt)
    if darf_neu and darf_alt:
        v = verknuepfen(a.uow, eintrag, ziel, a.wer, a.now())
        _audit(a, AuditAktion.RAUM_VERKNUEPFT, v, vorher={"netzwerk": alt.name if alt else None})
        a.uow.commit()
        return Verknuepft(v, eintrag)
    if alt is not None:
        fehlt = " und ".join(n.name for n, ok in ((alt, darf_alt), (ziel, darf_neu)) if not ok)
        raise RaumVerweigert(
            f"Dieser Raum ist mit {alt.name} verknüpft. Umverknüpfen darf nur, wer für "
            f"{alt.name} und {ziel.name} sprechen darf (Koordination, Geschäftsstelle, Admins); "
            f"Ihnen fehlt das Recht für {fehlt}."
        )
    if a.akteur.direkt:
        # Everyone moderates their own direct chat: a request from there would let anyone
        # ask every network's coordinators for anything.
        raise RaumVerweigert(
            f"Mit {ziel.name} verknüpfen dürfen nur dessen Koordination, die Geschäftsstelle und "
            "Admins. Einen Direktchat kann niemand sonst beantragen – bitte im Gruppenraum des "
            "Netzwerks als dessen Moderation."
        )
    if a.akteur.power_level < MODERATOR_LEVEL:
        raise RaumVerweigert(
            f"Mit {ziel.name} verknüpfen dürfen nur dessen Koordination, die Geschäftsstelle und "
            "Admins; die Moderation des Raums kann es beantragen."
        )
    # A moderator asks: nothing is linked until the network or the Geschäftsstelle confirms.
    antrag, neu = beantragen(a.uow, eintrag, ziel, a.wer, a.now())
    if not neu:
        return Beantragt(antrag, eintrag, ziel, neu=False, koordination=frozenset())
    _audit(a, AuditAktion.RAUM_BEANTRAGT, antrag)
    a.uow.commit()
    koordination = rollen_von(a.uow, ziel).koordinatoren
    return Beantragt(antrag, eintrag, ziel, neu=True, koordination=koordination)


def raeume(a: Aufruf, netzwerk: str) -> Raeume:
    """`netzwerk <Name> räume`: for its coordination, the Geschäftsstelle and admins."""
    n = finde_netzwerk(a.uow, netzwerk)
    _entscheidung_pruefen(a, n, f"Die Räume von {n.name} sehen")
    aktiv = a.uow.raeume.verknuepfungen(n.id, [AKTIV])
    offen = a.uow.raeume.verknuepfungen(n.id, [BEANTRAGT])
    return Raeume(n, aktiv, offen)
