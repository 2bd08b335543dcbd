"""Personal data: deleting a contact request's, and deleting what is kept longer than needed.

`personendaten_loeschen` is the one implementation of `/om anfrage N löschen`; the retention
job (`aufbewahrung`) calls it too, for rejected requests after `[datenschutz] abgelehnt_tage`.
It empties the request's note, named person, reason and requester, deletes the regional
contact recorded from it, anonymises its history – and clears the copies of the same person
that other requests took `aus register` (same partner, same name and e-mail address, with an
"aus register" step in their history), with the register entries recorded from those. While
such a copy is in an *open* request, nothing is deleted (`KopieOffen`): the procedure still
needs the person there; close that request first.

`aufbewahrung` runs hourly in the running bot (from the runtime's event pruning, with the
adapter's clock) and deletes, per `[datenschutz]`: approaches older than `ansprachen_tage`,
records of refused attempts older than `verweigert_tage`, records of allowed changes older
than `protokoll_tage` (except each network's newest status record, which "Status seit …"
shows), and the personal data of requests rejected more than `abgelehnt_tage` ago. Each run
that deletes something writes one audit row with the counts (no personal data); every run logs
them. README ("Datenschutz") documents the periods and what `verlauf` loses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from om_bot.config import DatenschutzConfig
from om_bot.domain import kontaktverfahren as kv
from om_bot.domain.audit import STATUS_AKTIONEN, AuditAktion
from om_bot.services.protokoll import protokollieren
from om_bot.storage.models import Anfrage
from om_bot.storage.repositories import AnfrageRepo
from om_bot.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# Who "acts" in the audit log when the retention job deletes.
AUFBEWAHRUNG = "(Aufbewahrungsfrist)"


class KopieOffen(Exception):
    """Open requests still hold a copy of the person (taken `aus register`); nothing changed."""

    def __init__(self, anfrage_ids: list[int]) -> None:
        super().__init__(f"open requests hold a copy: {anfrage_ids}")
        self.anfrage_ids = anfrage_ids


@dataclass(frozen=True)
class Geloescht:
    """What `personendaten_loeschen` deleted besides the request's own fields."""

    registereintraege: int
    # Requests whose copy of the person (taken `aus register`) was cleared.
    kopien: tuple[int, ...]


def _aus_register(uow: UnitOfWork, anfrage: Anfrage) -> bool:
    return any(
        (eintrag.nachher or {}).get("schritt") == kv.Schritt.AUS_REGISTER.value
        for eintrag in uow.anfragen.verlauf(anfrage)
    )


def kopien(uow: UnitOfWork, anfrage: Anfrage) -> list[Anfrage]:
    """The other requests that took the person of `anfrage` `aus register`."""
    return [b for b in uow.anfragen.mit_person(anfrage) if _aus_register(uow, b)]


def _anonymisieren(uow: UnitOfWork, anfrage: Anfrage) -> None:
    """Replace the Matrix ids in the request's history by the capacity they acted in."""
    for eintrag in uow.anfragen.verlauf(anfrage):
        rolle = (eintrag.nachher or {}).get("rolle", "")
        try:
            eintrag.akteur = f"({kv.Beteiligt(rolle).kurz})"
        except ValueError:
            eintrag.akteur = "(anonymisiert)"


def _protokoll(
    uow: UnitOfWork,
    anfrage: Anfrage,
    jetzt: datetime,
    akteur: str,
    aktion: AuditAktion,
    **mehr: object,
) -> None:
    protokollieren(
        uow,
        aktion,
        akteur=akteur,
        zeit=jetzt,
        netzwerk_id=anfrage.netzwerk_id,
        objekt=AnfrageRepo.objekt(anfrage.id),
        vorher={"status": anfrage.status.value},
        nachher={
            "status": anfrage.status.value,
            "schritt": "löschen",
            "rolle": kv.Beteiligt.GESCHAEFTSSTELLE.value,
            **mehr,
        },
    )


def personendaten_loeschen(
    uow: UnitOfWork, anfrage: Anfrage, jetzt: datetime, akteur: str
) -> Geloescht:
    """Delete the personal data of the closed request `anfrage` and its copies (see above).

    The caller checks that `anfrage` is closed and not yet deleted, and commits. `akteur` is
    who deletes (a Matrix id, or `AUFBEWAHRUNG`); the deletion itself stays in the history.
    Raises `KopieOffen` – before changing anything – while an open request holds a copy.
    """
    gefunden = kopien(uow, anfrage)
    offen = [b.id for b in gefunden if b.status.offen]
    if offen:
        raise KopieOffen(offen)
    anfrage.angefragt_von = ""
    anfrage.notiz = ""
    anfrage.person_name = anfrage.person_email = anfrage.person_telefon = ""
    anfrage.grund = ""
    anfrage.geloescht = jetzt
    anfrage.version += 1
    register = uow.regionale_kontakte.loesche_aus_anfrage(anfrage.id)
    _anonymisieren(uow, anfrage)
    for kopie in gefunden:
        # Only the copied person: the other request's note and history are its own.
        kopie.person_name = kopie.person_email = kopie.person_telefon = ""
        kopie.version += 1
        aus_kopie = uow.regionale_kontakte.loesche_aus_anfrage(kopie.id)
        register += aus_kopie
        _protokoll(
            uow,
            kopie,
            jetzt,
            akteur,
            AuditAktion.ANFRAGE_KOPIE_GELOESCHT,
            kopie_von=anfrage.id,
            registereintraege=aus_kopie,
        )
    _protokoll(
        uow,
        anfrage,
        jetzt,
        akteur,
        AuditAktion.ANFRAGE_GELOESCHT,
        registereintraege=register,
        kopien=[k.id for k in gefunden],
    )
    return Geloescht(register, tuple(k.id for k in gefunden))


# --- retention -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fristen:
    """How long what is kept (`[datenschutz]`); None: for ever."""

    ansprachen: timedelta | None = timedelta(days=365)
    verweigert: timedelta | None = timedelta(days=90)
    protokoll: timedelta | None = timedelta(days=1095)
    abgelehnt: timedelta | None = timedelta(days=90)

    @classmethod
    def aus(cls, config: DatenschutzConfig) -> Fristen:
        """From the configured days (`[datenschutz]`); 0 means: never delete."""

        def tage(n: int) -> timedelta | None:
            return timedelta(days=n) if n > 0 else None

        return cls(
            tage(config.ansprachen_tage),
            tage(config.verweigert_tage),
            tage(config.protokoll_tage),
            tage(config.abgelehnt_tage),
        )


@dataclass(frozen=True)
class Bericht:
    """What one retention run deleted (counts only)."""

    ansprachen: int = 0
    verweigert: int = 0
    protokoll: int = 0
    abgelehnt: int = 0
    kopien: int = 0
    registereintraege: int = 0
    # Rejected requests past their period whose person an open request still holds: next run.
    aufgeschoben: int = 0

    @property
    def leer(self) -> bool:
        return not any(asdict(self).values())


def aufbewahrung(uow: Callable[[], UnitOfWork], jetzt: datetime, fristen: Fristen) -> Bericht:
    """Delete what is older than its period (one transaction); `jetzt` is the caller's clock."""
    zahlen = dict.fromkeys(asdict(Bericht()), 0)
    with uow() as u:
        # Rejected requests first: finding copies reads the histories the next step prunes.
        if fristen.abgelehnt is not None:
            for anfrage in u.anfragen.abgelehnt_vor(jetzt - fristen.abgelehnt):
                try:
                    geloescht = personendaten_loeschen(u, anfrage, jetzt, AUFBEWAHRUNG)
                except KopieOffen:
                    zahlen["aufgeschoben"] += 1
                    continue
                zahlen["abgelehnt"] += 1
                zahlen["kopien"] += len(geloescht.kopien)
                zahlen["registereintraege"] += geloescht.registereintraege
            u.flush()
        if fristen.verweigert is not None:
            zahlen["verweigert"] = u.audit.vergiss_verweigerte_vor(jetzt - fristen.verweigert)
        if fristen.protokoll is not None:
            zahlen["protokoll"] = u.audit.vergiss_vor(
                jetzt - fristen.protokoll, behalte_neueste=STATUS_AKTIONEN
            )
        if fristen.ansprachen is not None:
            zahlen["ansprachen"] = u.ansprachen.vergiss_vor(jetzt - fristen.ansprachen)
        bericht = Bericht(**zahlen)
        if not bericht.leer:
            protokollieren(
                u,
                AuditAktion.AUFBEWAHRUNG,
                akteur=AUFBEWAHRUNG,
                zeit=jetzt,
                objekt="datenschutz",
                nachher=asdict(bericht),
            )
        u.commit()
    log.info(
        "retention: deleted %s",
        ", ".join(f"{k}={v}" for k, v in asdict(bericht).items()),
    )
    return bericht
