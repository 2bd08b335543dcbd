"""Whom a message meant to reach people mentions, and a room's say in it.

Answers to commands ping nobody. Reminders, clash warnings in another network's room and
requests to act are *notifying* (`Reply.benachrichtigen`, sent as ``m.text``) and mention the
people concerned – decided here from the target, once, for every feature
(docs/benachrichtigung.md):

* a room linked to a network: the network's coordinators (the Matrix ids of its contact
  persons in the register, by their names);
* the Geschäftsstelle room: the members of ``bot.geschaeftsstelle_users``;
* a direct message: its recipient;
* any other room: nobody by name (the message still notifies as ``m.text``).

A room can turn the mentions off (`raum erwähnungen aus`) and ``@room`` on (`raum raumerwähnung
an`; the adapter adds it only where the bot's power level allows). Those settings are the
room's own (`Rolle.RAUM`, docs/rechte.md); `einstellen` checks, audits and commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from om_bot.domain.audit import AuditAktion
from om_bot.domain.fehler import UsageError
from om_bot.domain.roles import Rolle
from om_bot.services.aufruf import Aufruf
from om_bot.services.register import rollen_von
from om_bot.storage.models import Kontakt, Partner, RaumBenachrichtigung
from om_bot.storage.uow import UnitOfWork
from om_bot.text.messages import Erwaehnung, Reply


@dataclass(frozen=True)
class Geschaeftsstelle:
    """Where the Geschäftsstelle is reached: its room ("" if none) and its members."""

    raum: str = ""
    mitglieder: tuple[str, ...] = ()


@dataclass(frozen=True)
class Raumeinstellung:
    """A room's settings for messages meant to reach people (the defaults without a row)."""

    erwaehnungen: bool = True
    raumruf: bool = False

    def als_dict(self) -> dict[str, object]:
        return {"erwaehnungen": self.erwaehnungen, "raumruf": self.raumruf}


def einstellung(uow: UnitOfWork, room_id: str) -> Raumeinstellung:
    row = uow.raeume.benachrichtigung(room_id)
    return Raumeinstellung() if row is None else Raumeinstellung(row.erwaehnungen, row.raumruf)


def koordination(uow: UnitOfWork, netzwerk_id: int) -> tuple[Erwaehnung, ...]:
    """The coordinators of a network with a Matrix id, by name (register order)."""
    rows = uow.session.execute(
        select(Kontakt.matrix, Kontakt.name)
        .where(Kontakt.netzwerk_id == netzwerk_id, Kontakt.matrix != "")
        .order_by(Kontakt.id)
    )
    return tuple(Erwaehnung(matrix, name) for matrix, name in rows)


def name_von(uow: UnitOfWork, user_id: str) -> str:
    """A readable name for `user_id` from the register ("" when it knows none)."""
    name = uow.session.scalar(
        select(Kontakt.name).where(Kontakt.matrix == user_id).order_by(Kontakt.id)
    )
    if name:
        return name
    return (
        uow.session.scalar(
            select(Partner.nationaler_kontakt_name).where(Partner.nationaler_kontakt == user_id)
        )
        or ""
    )


def adressieren(uow: UnitOfWork, reply: Reply, gs: Geschaeftsstelle) -> Reply:
    """`reply` as a notifying message with the mentions its target calls for (see the module
    docstring); mentions the caller already chose are kept unless the room turned them off."""
    if reply.user_id is not None:
        personen = reply.erwaehnt or (Erwaehnung(reply.user_id, name_von(uow, reply.user_id)),)
        return reply.benachrichtigend(personen)
    if reply.room_id is None:
        return reply.benachrichtigend(reply.erwaehnt)
    e = einstellung(uow, reply.room_id)
    if not e.erwaehnungen:
        return reply.benachrichtigend()
    personen = reply.erwaehnt
    if not personen:
        if gs.raum and reply.room_id == gs.raum:
            personen = tuple(Erwaehnung(m) for m in sorted(gs.mitglieder))
        elif (raum := uow.raeume.get(reply.room_id)) is not None and raum.netzwerk_id is not None:
            personen = koordination(uow, raum.netzwerk_id)
    return reply.benachrichtigend(personen, raumruf=e.raumruf)


def alle_adressieren(
    uow: UnitOfWork, replies: Iterable[Reply], gs: Geschaeftsstelle
) -> list[Reply]:
    return [adressieren(uow, r, gs) for r in replies]


# --- the room's settings ---------------------------------------------------------------------


@dataclass(frozen=True)
class Geaendert:
    vorher: Raumeinstellung
    nachher: Raumeinstellung

    @property
    def unveraendert(self) -> bool:
        return self.vorher == self.nachher


def einstellen(
    a: Aufruf, *, erwaehnungen: bool | None = None, raumruf: bool | None = None
) -> Geaendert:
    """Change this room's settings (the room's own: `Rolle.RAUM`); audited and committed. A
    setting that already has the value changes (and audits) nothing."""
    room_id = a.akteur.room_id
    raum = a.uow.raeume.get(room_id)
    netzwerk = raum.netzwerk if raum is not None else None
    a.rollen.pruefe(
        a.akteur,
        Rolle.RAUM,
        rollen_von(a.uow, netzwerk) if netzwerk is not None else None,
        was="Benachrichtigungen dieses Raums einstellen",
    )
    vorher = einstellung(a.uow, room_id)
    nachher = Raumeinstellung(
        vorher.erwaehnungen if erwaehnungen is None else erwaehnungen,
        vorher.raumruf if raumruf is None else raumruf,
    )
    if nachher == vorher:
        return Geaendert(vorher, nachher)
    a.uow.raeume.beigetreten(room_id, a.now())
    # The room's row first: the settings' foreign key needs it.
    a.uow.flush()
    row = a.uow.raeume.benachrichtigung(room_id)
    if row is None:
        row = RaumBenachrichtigung(room_id=room_id, geaendert=a.now())
        a.uow.raeume.add_benachrichtigung(row)
    row.erwaehnungen, row.raumruf = nachher.erwaehnungen, nachher.raumruf
    row.geaendert, row.geaendert_von = a.now(), a.wer
    a.audit(
        AuditAktion.RAUM_BENACHRICHTIGUNG,
        netzwerk_id=netzwerk.id if netzwerk is not None else None,
        objekt=room_id,
        vorher=vorher.als_dict(),
        nachher=nachher.als_dict(),
    )
    a.uow.commit()
    return Geaendert(vorher, nachher)


AN = {"an": True, "ein": True, "aus": False}


def schalter(wort: str, usage: str, beispiel: str) -> bool:
    """„an“/„ein“ → True, „aus“ → False; anything else is a usage error."""
    wert = AN.get(wort.strip().lower())
    if wert is None:
        raise UsageError(
            f"„{wort[:40]}“ verstehe ich hier nicht: bitte „an“ oder „aus“.",
            usage=usage,
            beispiel=beispiel,
        )
    return wert
