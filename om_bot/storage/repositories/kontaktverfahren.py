"""Contact requests, regional contacts from released requests, and approaches (Parallelansprachen).

Repositories never commit; the unit of work around them decides (`om_bot.storage.uow`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from om_bot.domain.kontaktverfahren import OFFEN, Zustand
from om_bot.storage.models import (
    Anfrage,
    Ansprache,
    AuditEintrag,
    Kontakt,
    Netzwerk,
    Partner,
    RegionalerKontakt,
)
from om_bot.storage.repositories.basis import _Repo


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
