"""Repositories: the queries om-bot needs, one class per aggregate, on a shared session.

Repositories never commit; the unit of work around them decides (`storage.uow`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, delete, func, or_, select, union_all, update
from sqlalchemy.orm import Session, joinedload, selectinload

from om_bot.domain.kontaktverfahren import OFFEN, Zustand
from om_bot.storage.models import (
    Anfrage,
    Ansprache,
    AuditEintrag,
    BotZustand,
    Erinnerung,
    ErinnerungRaum,
    InfodienstAbo,
    Kontakt,
    Netzwerk,
    Partner,
    Raum,
    Region,
    RegionalerKontakt,
    RegionAlias,
    RegionTeil,
    Termin,
    TerminVorkommen,
    VerarbeitetesEvent,
    Verknuepfung,
    VerknuepfungStatus,
)


class _Repo:
    def __init__(self, session: Session) -> None:
        self.session = session


class RegionRepo(_Repo):
    def alle(self) -> Sequence[Region]:
        return self.session.scalars(
            select(Region).options(selectinload(Region.aliase)).order_by(Region.name)
        ).all()

    def nach_schluessel(self, schluessel: str) -> Region | None:
        region = self.session.scalar(select(Region).where(Region.schluessel == schluessel))
        if region is not None:
            return region
        return self.session.scalar(
            select(Region).join(RegionAlias).where(RegionAlias.schluessel == schluessel)
        )

    def nach_name(self, name: str) -> Region | None:
        return self.session.scalar(select(Region).where(Region.name == name))

    def kanten(self) -> list[tuple[int, int]]:
        """All (region, containing region) pairs; the table is small, nesting is resolved in
        Python (`om_bot.domain.regions`)."""
        rows = self.session.execute(select(RegionTeil.region_id, RegionTeil.teil_von_id))
        return [(r, p) for r, p in rows]

    def add(self, region: Region) -> None:
        self.session.add(region)


class NetzwerkRepo(_Repo):
    def _query(self) -> Select[Netzwerk]:
        return select(Netzwerk).options(
            selectinload(Netzwerk.region),
            selectinload(Netzwerk.kontakte),
            selectinload(Netzwerk.mitglieder),
        )

    def get(self, netzwerk_id: int) -> Netzwerk | None:
        return self.session.scalar(self._query().where(Netzwerk.id == netzwerk_id))

    def nach_schluessel(self, schluessel: str) -> Netzwerk | None:
        return self.session.scalar(self._query().where(Netzwerk.schluessel == schluessel))

    def alle(self) -> Sequence[Netzwerk]:
        return self.session.scalars(self._query().order_by(Netzwerk.name)).all()

    def in_regionen(self, region_ids: Iterable[int]) -> Sequence[Netzwerk]:
        ids = list(region_ids)
        return self.session.scalars(
            self._query().where(Netzwerk.region_id.in_(ids)).order_by(Netzwerk.name)
        ).all()

    def koordinatoren(self, netzwerk_id: int) -> frozenset[str]:
        rows = self.session.scalars(
            select(Kontakt.matrix).where(Kontakt.netzwerk_id == netzwerk_id, Kontakt.matrix != "")
        )
        return frozenset(rows)

    def add(self, netzwerk: Netzwerk) -> None:
        self.session.add(netzwerk)


class PartnerRepo(_Repo):
    def alle(self) -> Sequence[Partner]:
        return self.session.scalars(select(Partner).order_by(Partner.kurz)).all()

    def nach_kurz(self, kurz: str) -> Partner | None:
        return self.session.scalar(select(Partner).where(Partner.kurz == kurz))

    def add(self, partner: Partner) -> None:
        self.session.add(partner)


class RaumRepo(_Repo):
    def get(self, room_id: str) -> Raum | None:
        return self.session.get(Raum, room_id)

    def beigetreten(self, room_id: str, zeit: datetime, direkt: bool = False) -> Raum:
        raum = self.get(room_id)
        if raum is None:
            raum = Raum(room_id=room_id, beigetreten=zeit, direkt=direkt)
            self.session.add(raum)
        return raum

    def direkt_mit(self, user_id: str) -> Raum | None:
        return self.session.scalar(
            select(Raum).where(Raum.direkt_mit == user_id).order_by(Raum.beigetreten.desc())
        )

    def fuer_netzwerk(self, netzwerk_id: int) -> Sequence[Raum]:
        return self.session.scalars(
            select(Raum).where(Raum.netzwerk_id == netzwerk_id).order_by(Raum.room_id)
        ).all()

    # Links and link requests (`Verknuepfung`) belong to the room aggregate.

    def verknuepfung(self, nr: int) -> Verknuepfung | None:
        return self.session.get(Verknuepfung, nr)

    def verknuepfung_im_raum(self, room_id: str, status: VerknuepfungStatus) -> Verknuepfung | None:
        return self.session.scalar(
            select(Verknuepfung)
            .where(Verknuepfung.room_id == room_id, Verknuepfung.status == status)
            .order_by(Verknuepfung.id.desc())
        )

    def verknuepfungen(
        self, netzwerk_id: int, status: Iterable[VerknuepfungStatus]
    ) -> Sequence[Verknuepfung]:
        return self.session.scalars(
            select(Verknuepfung)
            .where(Verknuepfung.netzwerk_id == netzwerk_id, Verknuepfung.status.in_(status))
            .order_by(Verknuepfung.id)
        ).all()

    def add_verknuepfung(self, verknuepfung: Verknuepfung) -> None:
        self.session.add(verknuepfung)

    def beitrittszeiten(self) -> dict[str, datetime]:
        return {r: t for r, t in self.session.execute(select(Raum.room_id, Raum.beigetreten))}


class ZustandRepo(_Repo):
    def get(self, schluessel: str) -> str | None:
        row = self.session.get(BotZustand, schluessel)
        return row.wert if row else None

    def set(self, schluessel: str, wert: str) -> None:
        row = self.session.get(BotZustand, schluessel)
        if row is None:
            self.session.add(BotZustand(schluessel=schluessel, wert=wert))
        else:
            row.wert = wert


class EventRepo(_Repo):
    def bekannt(self, event_id: str) -> bool:
        return self.session.get(VerarbeitetesEvent, event_id) is not None

    def merke(self, event_id: str, room_id: str, zeit: datetime) -> None:
        self.session.add(VerarbeitetesEvent(event_id=event_id, room_id=room_id, verarbeitet=zeit))

    def vergiss_vor(self, zeit: datetime) -> int:
        result = self.session.execute(
            delete(VerarbeitetesEvent).where(VerarbeitetesEvent.verarbeitet < zeit)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class AuditRepo(_Repo):
    def add(self, eintrag: AuditEintrag) -> None:
        self.session.add(eintrag)

    def fuer_netzwerk(
        self, netzwerk_id: int, limit: int = 50, ohne: Iterable[str] = ()
    ) -> Sequence[AuditEintrag]:
        """The network's newest entries; `ohne`: action prefixes to leave out (e.g. "anfrage_")."""
        query = select(AuditEintrag).where(AuditEintrag.netzwerk_id == netzwerk_id)
        for praefix in ohne:
            query = query.where(AuditEintrag.aktion.not_like(f"{praefix}%"))
        return self.session.scalars(
            query.order_by(AuditEintrag.zeit.desc(), AuditEintrag.id.desc()).limit(limit)
        ).all()

    def alle(self) -> Sequence[AuditEintrag]:
        return self.session.scalars(select(AuditEintrag).order_by(AuditEintrag.id)).all()

    def vergiss_verweigerte_vor(self, zeit: datetime) -> int:
        """Delete the records of refused attempts older than `zeit` (retention)."""
        result = self.session.execute(
            delete(AuditEintrag).where(AuditEintrag.erlaubt.is_(False), AuditEintrag.zeit < zeit)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def vergiss_vor(self, zeit: datetime, behalte_neueste: Iterable[str] = ()) -> int:
        """Delete the records of allowed changes older than `zeit` (retention), except each
        network's newest record of the actions `behalte_neueste` ("status since …")."""
        behalten = list(behalte_neueste)
        query = delete(AuditEintrag).where(AuditEintrag.erlaubt.is_(True), AuditEintrag.zeit < zeit)
        if behalten:
            neueste = (
                select(func.max(AuditEintrag.id))
                .where(AuditEintrag.aktion.in_(behalten), AuditEintrag.netzwerk_id.is_not(None))
                .group_by(AuditEintrag.netzwerk_id)
            )
            query = query.where(AuditEintrag.id.not_in(neueste))
        result = self.session.execute(query.execution_options(synchronize_session=False))
        return int(getattr(result, "rowcount", 0) or 0)


# --- Kontaktverfahren and Parallelansprachen ------------------------------------------------


class AnfrageRepo(_Repo):
    """Contact requests (seed 002). Status changes only through `setze_status`."""

    @staticmethod
    def objekt(anfrage_id: int) -> str:
        """How audit entries name a request; `verlauf` finds them by it."""
        return f"anfrage {anfrage_id}"

    def _query(self) -> Select[Anfrage]:
        return select(Anfrage).options(
            selectinload(Anfrage.netzwerk).selectinload(Netzwerk.region),
            selectinload(Anfrage.partner),
            selectinload(Anfrage.region),
        )

    def get(self, anfrage_id: int) -> Anfrage | None:
        return self.session.scalar(self._query().where(Anfrage.id == anfrage_id))

    def add(self, anfrage: Anfrage) -> None:
        self.session.add(anfrage)

    def offen(self) -> Sequence[Anfrage]:
        """Open requests, oldest first."""
        return self.session.scalars(
            self._query()
            .where(Anfrage.status.in_(list(OFFEN)))
            .order_by(Anfrage.erstellt, Anfrage.id)
        ).all()

    def neueste(self, limit: int = 50) -> Sequence[Anfrage]:
        return self.session.scalars(
            self._query().order_by(Anfrage.erstellt.desc(), Anfrage.id.desc()).limit(limit)
        ).all()

    def fuer_netzwerke(self, netzwerk_ids: Iterable[int], limit: int = 50) -> Sequence[Anfrage]:
        return self.session.scalars(
            self._query()
            .where(Anfrage.netzwerk_id.in_(list(netzwerk_ids)))
            .order_by(Anfrage.erstellt.desc(), Anfrage.id.desc())
            .limit(limit)
        ).all()

    def offen_fuer_partner(self, partner_ids: Iterable[int]) -> Sequence[Anfrage]:
        return self.session.scalars(
            self._query()
            .where(Anfrage.partner_id.in_(list(partner_ids)), Anfrage.status.in_(list(OFFEN)))
            .order_by(Anfrage.erstellt, Anfrage.id)
        ).all()

    def offene_des_netzwerks(self, netzwerk_id: int, limit: int = 50) -> Sequence[Anfrage]:
        """The network's open requests, oldest first (the cap on open requests counts them)."""
        return self.session.scalars(
            self._query()
            .where(Anfrage.netzwerk_id == netzwerk_id, Anfrage.status.in_(list(OFFEN)))
            .order_by(Anfrage.erstellt, Anfrage.id)
            .limit(limit)
        ).all()

    def seite(
        self,
        *,
        netzwerke: Iterable[int] | None = None,
        partner_offen: Iterable[int] = (),
        nur_offen: bool = False,
        aelteste_zuerst: bool = False,
        ab: int = 0,
        anzahl: int = 20,
    ) -> tuple[Sequence[Anfrage], int]:
        """One page of requests (`/om anfragen … seite N`) and how many there are in all.

        `netzwerke` None: every network's; otherwise the requests of these networks plus the
        open ones to the partners `partner_offen`. Newest first unless `aelteste_zuerst`.
        """
        bedingungen: list[Any] = []
        if netzwerke is not None:
            teile: list[Any] = [Anfrage.netzwerk_id.in_(list(netzwerke))]
            partner = list(partner_offen)
            if partner:
                teile.append(and_(Anfrage.partner_id.in_(partner), Anfrage.status.in_(list(OFFEN))))
            bedingungen.append(or_(*teile))
        if nur_offen:
            bedingungen.append(Anfrage.status.in_(list(OFFEN)))
        gesamt = self.session.scalar(select(func.count(Anfrage.id)).where(*bedingungen))
        ordnung = (
            (Anfrage.erstellt, Anfrage.id)
            if aelteste_zuerst
            else (Anfrage.erstellt.desc(), Anfrage.id.desc())
        )
        rows = self.session.scalars(
            self._query().where(*bedingungen).order_by(*ordnung).offset(ab).limit(anzahl)
        ).all()
        return rows, int(gesamt or 0)

    def offene_von(self, netzwerk_id: int, partner_id: int) -> Anfrage | None:
        """The open request of this network to this partner, if there is one."""
        return self.session.scalar(
            self._query()
            .where(
                Anfrage.netzwerk_id == netzwerk_id,
                Anfrage.partner_id == partner_id,
                Anfrage.status.in_(list(OFFEN)),
            )
            .order_by(Anfrage.id)
            .limit(1)
        )

    def setze_status(
        self,
        anfrage: Anfrage,
        alt: Zustand,
        neu: Zustand,
        zeit: datetime,
        **werte: str,
    ) -> bool:
        """Compare-and-set: move `anfrage` from `alt` (at the version read) to `neu`.

        ``UPDATE anfrage SET status = :neu, version = version + 1 … WHERE id = :id AND
        status = :alt AND version = :version``. False when someone else changed the request in
        between; then nothing was written. The row stays locked until the unit of work ends,
        so whatever the caller does next happens only for the one who won.
        """
        result = self.session.execute(
            update(Anfrage)
            .where(
                Anfrage.id == anfrage.id,
                Anfrage.status == alt,
                Anfrage.version == anfrage.version,
            )
            .values(status=neu, version=Anfrage.version + 1, geaendert=zeit, **werte)
            .execution_options(synchronize_session=False)
        )
        ok = int(getattr(result, "rowcount", 0) or 0) == 1
        # Re-read either way: the winner's new values, or what the other person left.
        self.session.refresh(anfrage)
        return ok

    def verlauf(self, anfrage: Anfrage) -> Sequence[AuditEintrag]:
        """The request's audit entries, oldest first (the history `/om anfrage N` shows)."""
        return self.session.scalars(
            select(AuditEintrag)
            .where(
                AuditEintrag.netzwerk_id == anfrage.netzwerk_id,
                AuditEintrag.objekt == self.objekt(anfrage.id),
                AuditEintrag.erlaubt.is_(True),
            )
            .order_by(AuditEintrag.id)
        ).all()

    def abgelehnt_vor(self, zeit: datetime) -> Sequence[Anfrage]:
        """Rejected requests, last changed (rejected) before `zeit`, whose personal data is
        not yet deleted (retention)."""
        return self.session.scalars(
            self._query()
            .where(
                Anfrage.status == Zustand.ABGELEHNT,
                Anfrage.geaendert < zeit,
                Anfrage.geloescht.is_(None),
            )
            .order_by(Anfrage.id)
        ).all()

    def mit_person(self, anfrage: Anfrage) -> Sequence[Anfrage]:
        """Other requests to the same partner that hold the same named person (name and
        e-mail address) – candidates for copies taken `aus register`."""
        if not anfrage.person_name and not anfrage.person_email:
            return []
        return self.session.scalars(
            self._query()
            .where(
                Anfrage.partner_id == anfrage.partner_id,
                Anfrage.id != anfrage.id,
                Anfrage.person_name == anfrage.person_name,
                func.lower(Anfrage.person_email) == anfrage.person_email.lower(),
            )
            .order_by(Anfrage.id)
        ).all()

    def netzwerk_ids_von(self, user_id: str) -> set[int]:
        """The networks `user_id` coordinates (their Matrix id is one of its contacts)."""
        return set(
            self.session.scalars(select(Kontakt.netzwerk_id).where(Kontakt.matrix == user_id))
        )

    def partner_von(self, user_id: str) -> Sequence[Partner]:
        """The partners whose national contact person `user_id` is."""
        return self.session.scalars(
            select(Partner).where(Partner.nationaler_kontakt == user_id).order_by(Partner.kurz)
        ).all()


class RegionalerKontaktRepo(_Repo):
    def fuer(self, partner_id: int, region_ids: Iterable[int]) -> Sequence[RegionalerKontakt]:
        """The partner's recorded regional contacts in these regions, newest first."""
        return self.session.scalars(
            select(RegionalerKontakt)
            .options(selectinload(RegionalerKontakt.region))
            .where(
                RegionalerKontakt.partner_id == partner_id,
                RegionalerKontakt.region_id.in_(list(region_ids)),
            )
            .order_by(RegionalerKontakt.freigegeben.desc())
        ).all()

    def setze(
        self,
        partner_id: int,
        region_id: int,
        *,
        name: str,
        email: str,
        telefon: str,
        anfrage_id: int,
        zeit: datetime,
    ) -> RegionalerKontakt:
        """Record (or replace) the partner's regional contact for the region."""
        eintrag = self.session.scalar(
            select(RegionalerKontakt).where(
                RegionalerKontakt.partner_id == partner_id,
                RegionalerKontakt.region_id == region_id,
            )
        )
        if eintrag is None:
            eintrag = RegionalerKontakt(partner_id=partner_id, region_id=region_id)
            self.session.add(eintrag)
        eintrag.name, eintrag.email, eintrag.telefon = name, email, telefon
        eintrag.anfrage_id, eintrag.freigegeben = anfrage_id, zeit
        return eintrag

    def loesche_aus_anfrage(self, anfrage_id: int) -> int:
        result = self.session.execute(
            delete(RegionalerKontakt).where(RegionalerKontakt.anfrage_id == anfrage_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class AnspracheRepo(_Repo):
    def add(self, ansprache: Ansprache) -> None:
        self.session.add(ansprache)

    def vergiss_vor(self, zeit: datetime) -> int:
        """Delete approaches older than `zeit` (retention; older than the Parallelansprache
        window they warn nobody)."""
        result = self.session.execute(delete(Ansprache).where(Ansprache.zeit < zeit))
        return int(getattr(result, "rowcount", 0) or 0)

    def kandidaten(self, neu: Ansprache, fenster: timedelta) -> Sequence[Ansprache]:
        """Approaches of the same target within `fenster` of `neu` (indexed by target and time);
        `om_bot.domain.ansprachen.parallele_ansprachen` then applies the region rule."""
        ziel = [Ansprache.institution_schluessel == neu.institution_schluessel]
        if neu.person_schluessel:
            ziel.append(Ansprache.person_schluessel == neu.person_schluessel)
        if neu.partner_id is not None:
            ziel.append(Ansprache.partner_id == neu.partner_id)
        query = (
            select(Ansprache)
            .options(selectinload(Ansprache.netzwerk))
            .where(
                or_(*ziel),
                Ansprache.zeit >= neu.zeit - fenster,
                Ansprache.zeit <= neu.zeit + fenster,
                Ansprache.netzwerk_id != neu.netzwerk_id,
            )
            .order_by(Ansprache.zeit.desc())
        )
        if neu.id is not None:
            query = query.where(Ansprache.id != neu.id)
        return self.session.scalars(query).all()


# --- Erinnerungen und Infodienst ------------------------------------------------------------


class ErinnerungRepo(_Repo):
    """Planned reminders, room settings and info-service subscriptions (`om_bot.app.planer`)."""

    def _offen(self) -> Select[Erinnerung]:
        return select(Erinnerung).where(
            Erinnerung.gesendet.is_(None), Erinnerung.verworfen.is_(None)
        )

    def offene(self) -> Sequence[Erinnerung]:
        """Reminders neither sent nor dropped."""
        return self.session.scalars(self._offen().order_by(Erinnerung.faellig)).all()

    def schluessel_bekannt(self, schluessel: Iterable[str]) -> set[str]:
        """Which of these keys have a row (in any state)."""
        alle = list(schluessel)
        bekannt: set[str] = set()
        for start in range(0, len(alle), 500):
            teil = alle[start : start + 500]
            bekannt.update(
                self.session.scalars(
                    select(Erinnerung.schluessel).where(Erinnerung.schluessel.in_(teil))
                )
            )
        return bekannt

    def nach_schluessel(self, schluessel: Iterable[str]) -> dict[str, Erinnerung]:
        alle = list(schluessel)
        ergebnis: dict[str, Erinnerung] = {}
        for start in range(0, len(alle), 500):
            teil = alle[start : start + 500]
            for row in self.session.scalars(
                select(Erinnerung).where(Erinnerung.schluessel.in_(teil))
            ):
                ergebnis[row.schluessel] = row
        return ergebnis

    def add(self, erinnerung: Erinnerung) -> None:
        self.session.add(erinnerung)

    def loesche(self, erinnerung: Erinnerung) -> None:
        self.session.delete(erinnerung)

    def faellige(self, jetzt: datetime) -> Sequence[Erinnerung]:
        """Open reminders due at `jetzt`, oldest first."""
        return self.session.scalars(
            self._offen().where(Erinnerung.faellig <= jetzt).order_by(Erinnerung.faellig)
        ).all()

    def naechste(self, nach: datetime) -> datetime | None:
        """The due time of the next open reminder after `nach`."""
        return self.session.scalar(
            select(Erinnerung.faellig)
            .where(
                Erinnerung.gesendet.is_(None),
                Erinnerung.verworfen.is_(None),
                Erinnerung.faellig > nach,
            )
            .order_by(Erinnerung.faellig)
            .limit(1)
        )

    def als_gesendet(self, erinnerung_id: int, zeit: datetime) -> bool:
        """Mark sent unless it already is (or was dropped meanwhile); True if this call did."""
        result = self.session.execute(
            update(Erinnerung)
            .where(Erinnerung.id == erinnerung_id, Erinnerung.gesendet.is_(None))
            .values(gesendet=zeit)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def aufraeumen(self, vor: datetime) -> int:
        """Forget sent and dropped reminders that stopped being useful before `vor`."""
        result = self.session.execute(
            delete(Erinnerung).where(
                or_(Erinnerung.gesendet.is_not(None), Erinnerung.verworfen.is_not(None)),
                Erinnerung.gueltig_bis < vor,
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def im_raum(self, room_id: str) -> Sequence[Erinnerung]:
        return self.session.scalars(
            select(Erinnerung).where(Erinnerung.room_id == room_id).order_by(Erinnerung.faellig)
        ).all()

    # room settings

    def raum(self, room_id: str) -> ErinnerungRaum | None:
        return self.session.get(ErinnerungRaum, room_id)

    def raeume(self) -> Sequence[ErinnerungRaum]:
        return self.session.scalars(
            select(ErinnerungRaum).options(selectinload(ErinnerungRaum.versaetze))
        ).all()

    def add_raum(self, raum: ErinnerungRaum) -> None:
        self.session.add(raum)

    def verknuepfte_raeume(self) -> Sequence[Raum]:
        """Rooms linked to a network."""
        return self.session.scalars(
            select(Raum).where(Raum.netzwerk_id.is_not(None)).order_by(Raum.room_id)
        ).all()

    # info service

    def abo(self, room_id: str) -> InfodienstAbo | None:
        return self.session.get(InfodienstAbo, room_id)

    def abos(self) -> Sequence[InfodienstAbo]:
        return self.session.scalars(
            select(InfodienstAbo)
            .options(selectinload(InfodienstAbo.region))
            .order_by(InfodienstAbo.room_id)
        ).all()

    def add_abo(self, abo: InfodienstAbo) -> None:
        self.session.add(abo)

    def loesche_abo(self, abo: InfodienstAbo) -> None:
        self.session.delete(abo)

    def netzwerk_ereignisse(
        self, aktionen: Iterable[str], von: datetime, bis: datetime
    ) -> Sequence[AuditEintrag]:
        """Audit entries of these kinds in [von, bis) – new networks, status changes."""
        return self.session.scalars(
            select(AuditEintrag)
            .where(
                AuditEintrag.aktion.in_(list(aktionen)),
                AuditEintrag.erlaubt.is_(True),
                AuditEintrag.zeit >= von,
                AuditEintrag.zeit < bis,
            )
            .order_by(AuditEintrag.zeit, AuditEintrag.id)
        ).all()


# --- Termine ---------------------------------------------------------------------------------


_FRUEHESTENS = datetime(2000, 1, 1, tzinfo=UTC)


class TerminRepo(_Repo):
    """Events and their stored occurrences (`om_bot.services.terminverwaltung` writes them)."""

    def _mit_termin(self) -> Select[TerminVorkommen]:
        # One query: the event, its network and region are many-to-one, joined in (of network
        # and region only what messages show; the rest loads when touched).
        termin = joinedload(TerminVorkommen.termin, innerjoin=True)
        return select(TerminVorkommen).options(
            termin.joinedload(Termin.netzwerk).load_only(Netzwerk.id, Netzwerk.name),
            termin.joinedload(Termin.region, innerjoin=True).load_only(Region.id, Region.name),
        )

    def add(self, termin: Termin) -> None:
        self.session.add(termin)

    def add_vorkommen(self, vorkommen: Iterable[TerminVorkommen]) -> None:
        self.session.add_all(list(vorkommen))

    def get(self, termin_id: int) -> Termin | None:
        return self.session.scalar(
            select(Termin)
            .options(
                selectinload(Termin.netzwerk),
                selectinload(Termin.region),
                selectinload(Termin.ausnahmen),
            )
            .where(Termin.id == termin_id)
        )

    def vorkommen_von(
        self, termin_id: int, nicht_beendet_um: datetime | None = None
    ) -> Sequence[TerminVorkommen]:
        """The stored occurrences of one event (those not ended at `nicht_beendet_um`)."""
        query = select(TerminVorkommen).where(TerminVorkommen.termin_id == termin_id)
        if nicht_beendet_um is not None:
            query = query.where(TerminVorkommen.ende > nicht_beendet_um)
        return self.session.scalars(query.order_by(TerminVorkommen.start)).all()

    def loesche_vorkommen(self, vorkommen: Iterable[TerminVorkommen]) -> None:
        for row in vorkommen:
            self.session.delete(row)

    def kandidaten(
        self,
        fenster: Sequence[tuple[datetime, datetime]],
        region_ids: Iterable[int],
        *,
        kurz: timedelta,
        rueckblick: timedelta,
        ohne_termin_id: int | None = None,
    ) -> Sequence[TerminVorkommen]:
        """Occurrences (not cancelled) in these regions that overlap one of the windows.

        Per window two index range scans: short occurrences (at most `kurz` long) on
        ``(region_id, start)`` with ``start`` from the window's start minus `kurz`, and the
        few long ones on ``(lang, region_id, start)`` with the full `rueckblick`; `ende` and
        the exclusion of the event itself are checked on the few rows found. One window (a
        single event) is one query (the two ranges OR-ed), several windows (a series) one
        UNION ALL per 100 windows. Only the occurrence rows: a join would cost PostgreSQL more
        planning than the scan itself; `lade` fetches the events of actual clashes.
        """
        ids = sorted(set(region_ids))
        if not fenster or not ids:
            return []

        def bereich(von: datetime, bis: datetime, lang: bool) -> Any:
            if lang:
                return and_(
                    TerminVorkommen.lang.is_(True),
                    TerminVorkommen.region_id.in_(ids),
                    TerminVorkommen.start >= von - rueckblick,
                    TerminVorkommen.start < von - kurz,
                )
            return and_(
                TerminVorkommen.region_id.in_(ids),
                TerminVorkommen.start >= von - kurz,
                TerminVorkommen.start < bis,
            )

        def rest(von: datetime) -> list[Any]:
            teile: list[Any] = [TerminVorkommen.ende > von, TerminVorkommen.abgesagt.is_(None)]
            if ohne_termin_id is not None:
                teile.append(TerminVorkommen.termin_id != ohne_termin_id)
            return teile

        if len(fenster) == 1:
            von, bis = fenster[0]
            return self.session.scalars(
                select(TerminVorkommen).where(
                    or_(bereich(von, bis, False), bereich(von, bis, True)), *rest(von)
                )
            ).all()
        gefunden: dict[int, TerminVorkommen] = {}
        spalten = TerminVorkommen.__table__.columns
        for anfang in range(0, len(fenster), 100):
            teile = [
                select(*spalten).where(bereich(von, bis, lang), *rest(von))
                for von, bis in fenster[anfang : anfang + 100]
                for lang in (False, True)
            ]
            for row in self.session.scalars(
                select(TerminVorkommen).from_statement(union_all(*teile))
            ):
                gefunden[row.id] = row
        return list(gefunden.values())

    def lade(self, termin_ids: Iterable[int]) -> Sequence[Termin]:
        """Events with the names of network and region, into the session (so that
        ``vorkommen.termin`` is found there without a query)."""
        ids = sorted(set(termin_ids))
        if not ids:
            return []
        return self.session.scalars(
            select(Termin)
            .options(
                joinedload(Termin.netzwerk).load_only(Netzwerk.id, Netzwerk.name),
                joinedload(Termin.region, innerjoin=True).load_only(Region.id, Region.name),
            )
            .where(Termin.id.in_(ids))
        ).all()

    def im_zeitraum(
        self,
        von: datetime,
        bis: datetime,
        rueckblick: timedelta,
        *,
        region_ids: Iterable[int] | None = None,
        netzwerk_id: int | None = None,
        limit: int | None = None,
        abgesagte: bool = False,
    ) -> Sequence[TerminVorkommen]:
        """Occurrences that end after `von` and begin before `bis`, in order of their start."""
        query = self._mit_termin().where(
            TerminVorkommen.start < bis,
            TerminVorkommen.start >= von - rueckblick,
            TerminVorkommen.ende > von,
        )
        if region_ids is not None:
            query = query.where(TerminVorkommen.region_id.in_(sorted(set(region_ids))))
        if netzwerk_id is not None:
            query = query.join(Termin, Termin.id == TerminVorkommen.termin_id).where(
                Termin.netzwerk_id == netzwerk_id
            )
        if not abgesagte:
            query = query.where(TerminVorkommen.abgesagt.is_(None))
        query = query.order_by(TerminVorkommen.start, TerminVorkommen.id)
        if limit is not None:
            query = query.limit(limit)
        return self.session.scalars(query).all()

    def zaehle(self, netzwerk_id: int, arten: Iterable[str], von: datetime, bis: datetime) -> int:
        """Occurrences (not cancelled) of the network's events of these kinds in [von, bis)."""
        return int(
            self.session.scalar(
                select(func.count(TerminVorkommen.id))
                .join(Termin, Termin.id == TerminVorkommen.termin_id)
                .where(
                    Termin.netzwerk_id == netzwerk_id,
                    Termin.art.in_(list(arten)),
                    TerminVorkommen.abgesagt.is_(None),
                    TerminVorkommen.start >= von,
                    TerminVorkommen.start < bis,
                )
            )
            or 0
        )

    def hat_termine(self, netzwerk_id: int) -> bool:
        """Whether the network has ever recorded an event (of any kind) in the bot."""
        return (
            self.session.scalar(select(Termin.id).where(Termin.netzwerk_id == netzwerk_id).limit(1))
            is not None
        )

    def zum_auffuellen(self, grenze: datetime) -> Sequence[Termin]:
        """Running series whose stored occurrences end before `grenze` (index on the bound)."""
        return self.session.scalars(
            select(Termin)
            .options(selectinload(Termin.ausnahmen))
            .where(
                # The lower bound matters: with only `< grenze` SQLite's range scan starts at
                # the NULLs of every single event (NULL sorts first in its indexes).
                Termin.expandiert_bis > _FRUEHESTENS,
                Termin.expandiert_bis < grenze,
                Termin.abgesagt.is_(None),
                Termin.rrule != "",
            )
            .order_by(Termin.id)
        ).all()

    def fuer_export(
        self,
        seit: datetime,
        region_ids: Iterable[int] | None = None,
        netzwerk_id: int | None = None,
    ) -> Sequence[Termin]:
        """Events with an occurrence ending after `seit`, or cancelled after `seit`."""
        laufend = select(TerminVorkommen.termin_id).where(TerminVorkommen.ende > seit)
        query = (
            select(Termin)
            .options(
                selectinload(Termin.netzwerk),
                selectinload(Termin.region),
                selectinload(Termin.ausnahmen),
            )
            .where(or_(Termin.id.in_(laufend), Termin.abgesagt > seit))
        )
        if region_ids is not None:
            query = query.where(Termin.region_id.in_(sorted(set(region_ids))))
        if netzwerk_id is not None:
            query = query.where(Termin.netzwerk_id == netzwerk_id)
        return self.session.scalars(query.order_by(Termin.start, Termin.id)).all()
