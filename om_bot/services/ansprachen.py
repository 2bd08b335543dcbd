"""Parallelansprachen (seed 000) as one use case for every way a network approaches someone.

`erfassen` records an approach and returns the approaches of other networks it collides with;
both call sites use it: a contact request (`/om kontakt`, `Quelle.ANFRAGE`: the partner is the
one the request asks, the request's unit of work commits) and a recorded approach
(`/om ansprache <Institution> [– <Person>]`, `Quelle.ANSPRACHE`, through `festhalten`: who
may, the length of the names, the audit and the commit).

The rules are `om_bot.domain.ansprachen`: which register partner a text names (`partner_fuer`:
short name, full name or a whole-word part of exactly one partner's full name – the rule
`kontakt` finds its partner by, so both ways match a partner alike), and what collides
(`parallele_ansprachen`: same partner, institution or person; the same, an enclosing or a
nested region; within `FENSTER`; the latest per network). The command modules word the warning
and the notices (`warnung`, `hinweis`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from om_bot.domain.ansprachen import (
    FENSTER,
    Beschreibung,
    Quelle,
    parallele_ansprachen,
    partner_fuer,
    schluessel,
)
from om_bot.domain.audit import AuditAktion
from om_bot.domain.fehler import kurz_genug
from om_bot.domain.roles import Rolle
from om_bot.services.aufruf import Aufruf
from om_bot.services.register import rollen_von
from om_bot.storage.models import Ansprache, Netzwerk, Partner
from om_bot.storage.uow import UnitOfWork


@dataclass(frozen=True)
class Erfasst:
    """The approach as stored, the partner it names (if any) and the approaches of other
    networks it collides with (latest first, one per network)."""

    ansprache: Ansprache
    partner: Partner | None
    parallel: list[Ansprache]


def beschreibung(a: Ansprache) -> Beschreibung:
    """An approach as the warning and the notices name it."""
    return Beschreibung(
        netzwerk=a.netzwerk.name,
        institution=a.institution,
        zeit=a.zeit,
        quelle=a.quelle,
        anfrage_nr=a.anfrage_id,
        person=a.person,
    )


def erfassen(
    uow: UnitOfWork,
    netzwerk: Netzwerk,
    institution: str,
    *,
    zeit: datetime,
    quelle: Quelle,
    person: str = "",
    partner: Partner | None = None,
    anfrage_id: int | None = None,
    kanten: Sequence[tuple[int, int]] | None = None,
    fenster: timedelta = FENSTER,
) -> Erfasst:
    """Record that `netzwerk` approaches `institution` (and `person`) at `zeit`, in its region.

    `partner`: the register partner the caller has found already (a contact request asks one);
    otherwise the one `institution` names by `partner_fuer`, if any. `kanten`: the region
    nesting, if the caller has read it. Flushed, not committed – the caller's unit of work
    commits (or rolls back) the approach with whatever it belongs to.
    """
    if partner is None:
        partner = partner_fuer(institution, uow.partner.alle())
    neu = Ansprache(
        netzwerk_id=netzwerk.id,
        region_id=netzwerk.region_id,
        institution=institution,
        institution_schluessel=schluessel(institution),
        person=person,
        person_schluessel=schluessel(person) if person else "",
        partner_id=partner.id if partner is not None else None,
        zeit=zeit,
        quelle=quelle,
        anfrage_id=anfrage_id,
    )
    neu.netzwerk = netzwerk
    uow.ansprachen.add(neu)
    uow.flush()
    if kanten is None:
        kanten = uow.regionen.kanten()
    parallel = parallele_ansprachen(neu, uow.ansprachen.kandidaten(neu, fenster), kanten, fenster)
    return Erfasst(neu, partner, parallel)


def festhalten(a: Aufruf, netzwerk: Netzwerk, *, institution: str, person: str = "") -> Erfasst:
    """`/om ansprache`: the network's coordination (Geschäftsstelle, admins) records that it
    approaches `institution` (and `person`): permission, names at most `MAX_TEXT` long, the
    approach, the audit, the commit. Raises `Verweigert` or `UsageError`."""
    a.rollen.pruefe(a.akteur, Rolle.NETZWERK, rollen_von(a.uow, netzwerk), was=netzwerk.name)
    institution = kurz_genug(institution.strip(), "Der Name der Institution")
    person = kurz_genug(person.strip(), "Der Name der Person")
    erfasst = erfassen(
        a.uow, netzwerk, institution, zeit=a.now(), quelle=Quelle.ANSPRACHE, person=person
    )
    a.audit(
        AuditAktion.ANSPRACHE,
        netzwerk_id=netzwerk.id,
        objekt=f"ansprache {erfasst.ansprache.id}",
        nachher={
            "institution": institution,
            "person": person,
            "partner": erfasst.partner.kurz if erfasst.partner is not None else None,
            "parallel": [x.netzwerk_id for x in erfasst.parallel],
        },
    )
    a.uow.commit()
    return erfasst
