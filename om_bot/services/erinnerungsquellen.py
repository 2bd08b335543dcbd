"""Reminder sources: what each feature wants reminded, read from the database.

A source is anything with ``gewuenscht(uow, jetzt, einstellungen)`` returning the reminders it
wants now (`om_bot.domain.erinnerungen.GeplanteErinnerung`, each with a stable key). The scheduler
(`om_bot.app.planer`) asks all sources, compares with the stored reminders and inserts, updates or
deletes; sources never write. This module is the seam between the database and the pure rules
in `om_bot.domain.erinnerungen`, like `om_bot.services.pruefung` is for the criteria.

The sources:

* `TerminQuelle` – before every occurrence of an event of a network, in the network's rooms;
  a cancelled occurrence gets none (the events feature announces the cancellation).
* `PflichtenQuelle` – yearly obligations of recognised OM networks: meetings, report to the
  Plenum, Selbsterklärung.
* `AnfrageQuelle` – open contact requests without a step, in the Geschäftsstelle room.
* `InfodienstQuelle` – the weekly digest for subscribed rooms.

Incremental planning: the scheduler plans each source in a unit of work of its own and records
the areas (tables) it read (`Planung.teilplan`, `om_bot.storage.bereiche`); after a command it
plans again only the sources whose areas the command wrote, and merges (`Planung.zusammen`).
A source whose read of a table depends on a few kinds of rows only says so in ``feiner``
(the info service reads two audit actions of all).

Events are read through a `TerminLeser` (`om_bot.services.terminverwaltung.DatenbankTerminLeser` in
the
running bot), so the event reminders, the meeting count and the digest's calendar plug into
what the events feature stores; tests pass their own, `KeineTermine` reads nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from om_bot.domain.audit import AuditAktion
from om_bot.domain.erinnerungen import (
    Abo,
    Einstellungen,
    GeplanteErinnerung,
    NetzwerkNeuigkeit,
    NetzwerkPflichten,
    OffeneAnfrage,
    RaumPlan,
    TerminVorkommen,
    anfrage_erinnerungen,
    ausgaben,
    groesster_versatz,
    infodienst_ausgaben,
    lies_stichtag,
    lies_uhrzeit,
    lies_wochentag,
    pflicht_erinnerungen,
    termin_erinnerungen,
)
from om_bot.domain.kontaktverfahren import naechster, wer_text
from om_bot.domain.netzwerk import Dach, Status
from om_bot.domain.regions import innerhalb, umfassend
from om_bot.services.register import STATUS_TEXT
from om_bot.services.terminverwaltung import DatenbankTerminLeser
from om_bot.storage.bereiche import audit_bereich
from om_bot.storage.uow import UnitOfWork

if TYPE_CHECKING:
    from om_bot.config import Config

log = logging.getLogger(__name__)


class Erinnerungsquelle(Protocol):
    """Plugs a feature into the scheduler: the reminders it wants at `jetzt`."""

    @property
    def name(self) -> str: ...

    def gewuenscht(
        self, uow: UnitOfWork, jetzt: datetime, e: Einstellungen
    ) -> list[GeplanteErinnerung]: ...


class TerminLeser(Protocol):
    """How reminders read the events feature."""

    def vorkommen(self, uow: UnitOfWork, von: datetime, bis: datetime) -> Sequence[TerminVorkommen]:
        """Occurrences that end after `von` and begin before `bis`, cancelled ones included."""
        ...

    def treffen(self, uow: UnitOfWork, netzwerk_id: int, jahr: int) -> int | None:
        """Netzwerktreffen of the network in calendar year `jahr`; None when not known."""
        ...


class KeineTermine:
    """The `TerminLeser` while no events are stored: no occurrences, meetings unknown."""

    def vorkommen(self, uow: UnitOfWork, von: datetime, bis: datetime) -> Sequence[TerminVorkommen]:
        return []

    def treffen(self, uow: UnitOfWork, netzwerk_id: int, jahr: int) -> int | None:
        return None


# --- rooms -----------------------------------------------------------------------------------


def raumplaene(uow: UnitOfWork, e: Einstellungen) -> dict[int, list[RaumPlan]]:
    """The rooms linked to each network with their offsets (own ones or the configured)."""
    eigene = {r.room_id: r for r in uow.erinnerungen.raeume()}
    plaene: dict[int, list[RaumPlan]] = defaultdict(list)
    for raum in uow.erinnerungen.verknuepfte_raeume():
        if raum.netzwerk_id is None:
            continue
        einstellung = eigene.get(raum.room_id)
        versaetze = e.vor_termin
        if einstellung is not None and einstellung.versaetze:
            versaetze = tuple(timedelta(minutes=v.minuten) for v in einstellung.versaetze)
        plaene[raum.netzwerk_id].append(
            RaumPlan(
                raum.room_id,
                tuple(sorted(versaetze, reverse=True)),
                seit=einstellung.geaendert if einstellung is not None else None,
                eigene=bool(einstellung is not None and einstellung.versaetze),
            )
        )
    return plaene


def abgeschaltet(uow: UnitOfWork) -> set[str]:
    """Rooms that switched their reminders off."""
    return {r.room_id for r in uow.erinnerungen.raeume() if not r.aktiv}


# --- the sources -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TerminQuelle:
    """Reminders before every occurrence of a network's events, in the network's rooms."""

    leser: TerminLeser
    name: str = "termine"

    def gewuenscht(
        self, uow: UnitOfWork, jetzt: datetime, e: Einstellungen
    ) -> list[GeplanteErinnerung]:
        plaene = raumplaene(uow, e)
        if not plaene:
            return []
        alle = [p for liste in plaene.values() for p in liste]
        horizont = groesster_versatz(alle, e.vor_termin) + e.vorschau
        ergebnis: list[GeplanteErinnerung] = []
        for v in self.leser.vorkommen(uow, jetzt, jetzt + horizont):
            raeume = plaene.get(v.netzwerk_id, []) if v.netzwerk_id is not None else []
            if not raeume:
                continue
            ergebnis += termin_erinnerungen(v, raeume, e.tz)
        return ergebnis


@dataclass(frozen=True)
class PflichtenQuelle:
    """Yearly obligations of recognised OM networks, in their rooms (seed 001, seed 003)."""

    leser: TerminLeser
    name: str = "jahrespflichten"

    def gewuenscht(
        self, uow: UnitOfWork, jetzt: datetime, e: Einstellungen
    ) -> list[GeplanteErinnerung]:
        if not e.jahrespflichten:
            return []
        raeume: dict[int, list[str]] = defaultdict(list)
        for raum in uow.erinnerungen.verknuepfte_raeume():
            if raum.netzwerk_id is not None:
                raeume[raum.netzwerk_id].append(raum.room_id)
        if not raeume:
            return []
        jahr = jetzt.astimezone(e.tz).year
        ergebnis: list[GeplanteErinnerung] = []
        for n in uow.netzwerke.schlicht():
            # The criteria are those of the OM and bind recognised networks; DDN and OGB
            # networks use them for orientation only (see `/om prüfen`).
            if n.id not in raeume or n.dach is not Dach.OM or n.status is not Status.ANERKANNT:
                continue
            pflichten = NetzwerkPflichten(
                netzwerk_id=n.id,
                name=n.name,
                letzter_bericht=n.letzter_bericht,
                letzte_selbsterklaerung=n.letzte_selbsterklaerung,
                treffen=self.leser.treffen(uow, n.id, jahr),
            )
            ergebnis += pflicht_erinnerungen(pflichten, raeume[n.id], jetzt, e)
        return ergebnis


@dataclass(frozen=True)
class AnfrageQuelle:
    """Open contact requests without a step for N days, in the Geschäftsstelle room."""

    name: str = "anfragen"

    def gewuenscht(
        self, uow: UnitOfWork, jetzt: datetime, e: Einstellungen
    ) -> list[GeplanteErinnerung]:
        # The Geschäftsstelle room, or else each of its members by direct message (as the
        # contact procedure does).
        ziele = [e.geschaeftsstelle_room] if e.geschaeftsstelle_room else e.geschaeftsstelle_users
        if not ziele or e.anfrage_nach_tagen <= 0:
            return []
        ergebnis: list[GeplanteErinnerung] = []
        for a in uow.anfragen.offen():
            schritt = naechster(a.status)
            offen = OffeneAnfrage(
                id=a.id,
                netzwerk=a.netzwerk.name,
                partner=a.partner.kurz,
                status=a.status.value,
                letzter_schritt=a.geaendert,
                naechster_befehl=schritt.befehl_fuer(a.id) if schritt else "",
                naechster_wer=wer_text(schritt) if schritt else "",
            )
            for ziel in ziele:
                ergebnis += anfrage_erinnerungen(offen, ziel, jetzt, e)
        return ergebnis


NEUIGKEITEN = (AuditAktion.NETZWERK_ANGELEGT, AuditAktion.STATUS_GEAENDERT)
# The info service reads only these audit rows: other commands' audit rows never re-plan it.
_NEUIGKEITEN_BEREICHE = {"audit": frozenset(audit_bereich(a) for a in NEUIGKEITEN)}


def _status(wert: object) -> str:
    try:
        return STATUS_TEXT[Status(str(wert))]
    except ValueError:
        return str(wert or "")


@dataclass(frozen=True)
class InfodienstQuelle:
    """The weekly digest for subscribed rooms (seed 004, "Regelmäßiger Infodienst")."""

    leser: TerminLeser
    name: str = "infodienst"
    feiner: Mapping[str, frozenset[str]] = field(default_factory=lambda: _NEUIGKEITEN_BEREICHE)

    def gewuenscht(
        self, uow: UnitOfWork, jetzt: datetime, e: Einstellungen
    ) -> list[GeplanteErinnerung]:
        abos = uow.erinnerungen.abos()
        if not abos:
            return []
        vorige, naechste = ausgaben(jetzt, e)
        termine = self.leser.vorkommen(uow, vorige, naechste + timedelta(weeks=e.infodienst_wochen))
        regionen = {n.id: n.region_id for n in uow.netzwerke.schlicht()}
        neuigkeiten = []
        for eintrag in uow.erinnerungen.netzwerk_ereignisse(
            NEUIGKEITEN, vorige - timedelta(days=7), naechste
        ):
            nachher = eintrag.nachher or {}
            vorher = eintrag.vorher or {}
            neuigkeiten.append(
                NetzwerkNeuigkeit(
                    zeit=eintrag.zeit,
                    netzwerk=str(nachher.get("name") or eintrag.objekt),
                    region_id=regionen.get(eintrag.netzwerk_id or -1),
                    neu=eintrag.aktion == AuditAktion.NETZWERK_ANGELEGT,
                    vorher=_status(vorher.get("status")),
                    nachher=_status(nachher.get("status")),
                )
            )
        kanten = uow.regionen.kanten()
        ergebnis: list[GeplanteErinnerung] = []
        for abo in abos:
            bereich = None
            if abo.region_id is not None:
                # Events inside the region and region-wide ones above it (a Bayern-wide event
                # concerns München).
                bereich = frozenset(
                    innerhalb(abo.region_id, kanten) | umfassend(abo.region_id, kanten)
                )
            daten = Abo(
                room_id=abo.room_id,
                seit=abo.seit,
                region_id=abo.region_id,
                region=abo.region.name if abo.region is not None else "",
                regionen=bereich,
            )
            ergebnis += infodienst_ausgaben(daten, jetzt, termine, neuigkeiten, e)
        return ergebnis


# --- the whole plan --------------------------------------------------------------------------


@dataclass(frozen=True)
class Teilplan:
    """What one source wanted when it was last planned, and the areas it read for that: it
    needs planning again (before the planning horizon moves) only when one of them changed."""

    erinnerungen: tuple[GeplanteErinnerung, ...]
    bereiche: frozenset[str]

    def betroffen(self, geaendert: Iterable[str]) -> bool:
        return not self.bereiche.isdisjoint(geaendert)


def _bereiche(gelesen: Iterable[str], feiner: Mapping[str, frozenset[str]]) -> frozenset[str]:
    return frozenset(b for t in gelesen for b in feiner.get(t, (t,)))


@dataclass(frozen=True)
class Planung:
    """The settings and the sources; what the scheduler and `/om erinnerungen` plan with."""

    einstellungen: Einstellungen
    quellen: tuple[Erinnerungsquelle, ...]
    leser: TerminLeser

    def teilplan(self, uow: UnitOfWork, quelle: Erinnerungsquelle, jetzt: datetime) -> Teilplan:
        """Plan one source, recording what it read. `uow` should be fresh: an object already
        in its session is read without a statement, and that read would go unrecorded."""
        with uow.mitlesen() as gelesen:
            erinnerungen = tuple(quelle.gewuenscht(uow, jetzt, self.einstellungen))
        return Teilplan(erinnerungen, _bereiche(gelesen, getattr(quelle, "feiner", {})))

    def zusammen(
        self,
        uow: UnitOfWork,
        jetzt: datetime,
        teile: Iterable[tuple[str, Sequence[GeplanteErinnerung]]],
    ) -> dict[str, GeplanteErinnerung]:
        """Merge what the sources (name, reminders) want into the reminders wanted now and still
        useful, by key; rooms that switched reminders off get only the info service."""
        aus = abgeschaltet(uow)
        ergebnis: dict[str, GeplanteErinnerung] = {}
        for name, erinnerungen in teile:
            for g in erinnerungen:
                if g.gueltig_bis <= jetzt or (g.abschaltbar and g.room_id in aus):
                    continue
                if g.schluessel in ergebnis:
                    log.warning("reminder key %s planned twice (source %s)", g.schluessel, name)
                ergebnis[g.schluessel] = g
        return ergebnis

    def gewuenscht(
        self, uow: UnitOfWork, jetzt: datetime, e: Einstellungen | None = None
    ) -> dict[str, GeplanteErinnerung]:
        """Every reminder of every source wanted now and still useful, by key (see `zusammen`).
        An exception of a source propagates: planning without it would delete its
        reminders."""
        e = e or self.einstellungen
        return self.zusammen(
            uow, jetzt, [(q.name, q.gewuenscht(uow, jetzt, e)) for q in self.quellen]
        )


def standard_quellen(leser: TerminLeser) -> tuple[Erinnerungsquelle, ...]:
    return (TerminQuelle(leser), PflichtenQuelle(leser), AnfrageQuelle(), InfodienstQuelle(leser))


def termin_leser(tz: ZoneInfo) -> TerminLeser:
    """The events as stored by the events feature (`om_bot.services.terminverwaltung`)."""
    return DatenbankTerminLeser(tz)


def einstellungen_aus(config: Config, prefix: str = "!om") -> Einstellungen:
    r = config.reminders
    return Einstellungen(
        tz=config.bot.tz,
        prefix=prefix,
        vor_termin=tuple(sorted(r.offsets, reverse=True)),
        jahrespflichten=r.jahrespflichten,
        treffen_stichtage=tuple(lies_stichtag(s) for s in r.treffen_stichtage),
        bericht_vorlauf_tage=tuple(r.bericht_vorlauf_tage),
        selbsterklaerung_vorlauf_tage=tuple(r.selbsterklaerung_vorlauf_tage),
        pflichten_uhrzeit=lies_uhrzeit(r.pflichten_uhrzeit),
        anfrage_nach_tagen=r.anfrage_nach_tagen,
        geschaeftsstelle_room=config.bot.geschaeftsstelle_room,
        geschaeftsstelle_users=tuple(config.bot.geschaeftsstelle_users),
        infodienst_wochentag=lies_wochentag(r.digest_wochentag),
        infodienst_uhrzeit=lies_uhrzeit(r.digest_uhrzeit),
        infodienst_wochen=r.digest_wochen,
    )


def planung_aus(config: Config, prefix: str = "!om", leser: TerminLeser | None = None) -> Planung:
    leser = leser or termin_leser(config.bot.tz)
    return Planung(einstellungen_aus(config, prefix), standard_quellen(leser), leser)


def nach_raum(
    gewuenscht: Mapping[str, GeplanteErinnerung], room_id: str
) -> list[GeplanteErinnerung]:
    return sorted(
        (g for g in gewuenscht.values() if g.room_id == room_id),
        key=lambda g: (g.faellig, g.schluessel),
    )
