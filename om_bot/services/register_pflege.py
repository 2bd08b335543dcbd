"""Keeping the register: the use cases behind `netzwerk anlegen|status|ziele|mitglied|kontakt …`.

Each use case takes an `Aufruf` (the unit of work, the person acting and where, the clock, the
roles), checks the right through `om_bot.domain.roles` (the Geschäftsstelle and admins keep the
register), checks the invariants – one network per region or topic unless agreed
(`om_bot.domain.kriterien.konflikte`), only the steps of the recognition procedure
(`om_bot.domain.anerkennung`), names and texts of bounded length, partners unique by their
folded name, contact persons by role and folded name, no report or Selbsterklärung in the
future –, changes the rows, writes one audit row per change (`Aufruf.audit` with an
`AuditAktion`, before → after) and commits. It returns what happened;
`om_bot/commands/register.py` and `register_kontakte.py` parse the input and word the answer.

Bad input is a `UsageError` (German, with an example to type); a step the procedure does not
allow is the domain's `UebergangFehler`, which the command words with the allowed steps.

The row steps without right, audit and commit – `neues_netzwerk`, `mitglied_uebernehmen`,
`kontakt_uebernehmen` – are shared with the import (`om_bot.services.importer`), so a network's
key, a partner's and a contact person's identity are the same rule on every path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from om_bot.domain.anerkennung import pruefe_uebergang
from om_bot.domain.audit import AuditAktion
from om_bot.domain.dates import datum_text
from om_bot.domain.fehler import UsageError
from om_bot.domain.kriterien import NetzwerkStand, katalog, konflikte, ueberschneidungen
from om_bot.domain.matching import fold, meinten_sie, suggest
from om_bot.domain.netzwerk import Art, Dach, MitgliedTyp, Status
from om_bot.domain.roles import Rolle
from om_bot.services.aufruf import Aufruf
from om_bot.services.pruefung import stand, umfeld_fuer
from om_bot.services.register import STATUS_TEXT
from om_bot.services.register_daten import MAX_NAME, KontaktDaten
from om_bot.storage.models import Kontakt, Mitglied, Netzwerk, Region
from om_bot.storage.uow import UnitOfWork

# The application's goals and approach; the reason given for a step of the procedure.
MAX_TEXT = 2000
MAX_GRUND = 500

Antragsfeld = Literal["ziele", "vorgehen"]
Angabefeld = Literal["offen", "beitragsfrei"]


# --- invariants --------------------------------------------------------------------------------


def text(wert: str, was: str, laenge: int) -> str:
    """`wert` with its white space collapsed; a `UsageError` when empty or over `laenge`."""
    wert = " ".join(wert.split())
    if not wert:
        raise UsageError(f"{was} fehlt.")
    if len(wert) > laenge:
        raise UsageError(f"{was} ist zu lang ({len(wert)} Zeichen, höchstens {laenge}).")
    return wert


def pruefe_datum(datum: date, heute: date, beispiel: str = "") -> date:
    """A report or Selbsterklärung is entered when it has happened: not after `heute`, and not
    before 2000."""
    if datum > heute:
        raise UsageError(
            f"Der {datum_text(datum)} liegt in der Zukunft; eingetragen wird nur, was schon war.",
            beispiel=beispiel,
        )
    if datum.year < 2000:
        raise UsageError(f"Der {datum_text(datum)} ist zu weit zurück.", beispiel=beispiel)
    return datum


def _darf(a: Aufruf) -> None:
    a.rollen.pruefe(a.akteur, Rolle.GESCHAEFTSSTELLE)


# --- row steps (shared with the import) ----------------------------------------------------


def neues_netzwerk(
    uow: UnitOfWork,
    *,
    name: str,
    region: Region,
    dach: Dach,
    art: Art,
    thema: str,
    status: Status,
    teilnetz: bool,
) -> Netzwerk:
    """A new network row, keyed by its folded name (what every lookup compares)."""
    netzwerk = Netzwerk(
        name=name,
        schluessel=fold(name),
        region_id=region.id,
        dach=dach,
        art=art,
        thema=thema,
        status=status,
        teilnetz=teilnetz,
    )
    uow.netzwerke.add(netzwerk)
    return netzwerk


def mitglied_von(netzwerk: Netzwerk, name: str) -> Mitglied | None:
    """The partner of that name, however it is spelled (upper/lower case, umlauts)."""
    return next((m for m in netzwerk.mitglieder if fold(m.name) == fold(name)), None)


def mitglied_uebernehmen(
    netzwerk: Netzwerk, name: str, typ: MitgliedTyp
) -> tuple[Mitglied, MitgliedTyp | None]:
    """Enter the partner `name` with `typ`, or change the type of the one already there (its
    spelling stays); returns the row and its type before (None: new)."""
    vorhanden = mitglied_von(netzwerk, name)
    if vorhanden is None:
        neu = Mitglied(name=name, typ=typ)
        netzwerk.mitglieder.append(neu)
        return neu, None
    alt = vorhanden.typ
    if alt is not typ:
        vorhanden.typ = typ
    return vorhanden, alt


def kontakt_protokoll(k: Kontakt | KontaktDaten) -> dict[str, Any]:
    """A contact person as the audit log keeps it (`verlauf` shows neither e-mail nor id)."""
    return {
        "rolle": k.rolle.value,
        "name": k.name,
        "organisation": k.organisation,
        "email": k.email,
        "matrix": k.matrix,
        "oeffentlich": k.oeffentlich,
    }


def kontakt_uebernehmen(
    netzwerk: Netzwerk, daten: KontaktDaten
) -> tuple[Kontakt, dict[str, Any] | None]:
    """Enter the contact person, or update the one with the same role and (folded) name;
    returns the row and what it held before (None: new)."""
    vorhanden = next(
        (
            k
            for k in netzwerk.kontakte
            if k.rolle is daten.rolle and fold(k.name) == fold(daten.name)
        ),
        None,
    )
    if vorhanden is None:
        neu = Kontakt(**daten.model_dump())
        netzwerk.kontakte.append(neu)
        return neu, None
    alt = kontakt_protokoll(vorhanden)
    for feld in ("name", "organisation", "email", "matrix", "oeffentlich"):
        if getattr(vorhanden, feld) != getattr(daten, feld):
            setattr(vorhanden, feld, getattr(daten, feld))
    return vorhanden, alt


# --- creating a network --------------------------------------------------------------------


@dataclass(frozen=True)
class Angelegt:
    netzwerk: Netzwerk
    # The agreed overlaps of a network created as `teilnetz` ([] when none was needed).
    neben: list[NetzwerkStand]


def netzwerk_anlegen(
    a: Aufruf,
    *,
    name: str,
    region: Region,
    dach: Dach,
    thema: str,
    teilnetz: bool,
    heute: date,
) -> Angelegt:
    """A new network in status `beantragt`; a Fachgruppe when it has a topic.

    Refused when the name is taken, or when it overlaps a network that is not an agreed
    sub-network and `teilnetz` is not given (Plenum 31.10.2014). With `teilnetz` it is marked
    only if it overlaps anything.
    """
    _darf(a)
    uow = a.uow
    name = text(name, "Der Name", MAX_NAME)
    thema = text(thema, "Das Thema", MAX_NAME) if thema else ""
    art = Art.FACHGRUPPE if thema else Art.REGIONAL
    vorhanden = uow.netzwerke.nach_schluessel(fold(name))
    if vorhanden is not None:
        raise UsageError(
            f"Ein Netzwerk „{vorhanden.name}“ gibt es schon ({vorhanden.region.name}, "
            f"{STATUS_TEXT[vorhanden.status]}).",
            beispiel=f"{a.prefix} netzwerk {vorhanden.name}",
        )
    staende, umfeld = umfeld_fuer(uow, heute)
    kandidat = NetzwerkStand(
        id=0, name=name, region_id=region.id, region=region.name, dach=dach, art=art, thema=thema
    )
    streit = konflikte(kandidat, staende, umfeld.kanten)
    if streit and not teilnetz:
        namen = ", ".join(f"„{o.name}“ ({o.region}, {STATUS_TEXT[o.status]})" for o in streit)
        gebiet = f"zum Thema „{thema}“" if thema else f"für {region.name}"
        regel = katalog().zur_pruefung("ein_netzwerk_pro_region").text
        p = a.prefix
        raise UsageError(
            f"Abgelehnt: {gebiet} gibt es schon {namen}. Beschluss des Plenums: „"
            f"{regel}“ Ist das Nebeneinander im Konsens vereinbart (ein kleineres "
            "Netzwerk innerhalb einer größeren Region bzw. eines größeren Fachgebiets), "
            "„teilnetz“ ans Ende setzen.",
            usage=f"{p} netzwerk anlegen <Name> in <Region> … teilnetz",
            beispiel=f"{p} netzwerk anlegen {name} in {region.name}"
            + (f" dach {dach.value}" if dach is not Dach.OM else "")
            + (f" fachgruppe {thema}" if thema else "")
            + " teilnetz",
        )
    neben = ueberschneidungen(kandidat, staende, umfeld.kanten) if teilnetz else []
    netzwerk = neues_netzwerk(
        uow,
        name=name,
        region=region,
        dach=dach,
        art=art,
        thema=thema,
        status=Status.BEANTRAGT,
        teilnetz=bool(neben),
    )
    uow.flush()
    a.audit(
        AuditAktion.NETZWERK_ANGELEGT,
        netzwerk_id=netzwerk.id,
        objekt=name,
        nachher={
            "name": name,
            "region": region.name,
            "dach": dach.value,
            "art": art.value,
            "thema": thema,
            "status": Status.BEANTRAGT.value,
            "teilnetz": bool(neben),
        },
    )
    uow.commit()
    return Angelegt(netzwerk, neben)


# --- the recognition procedure and the application ----------------------------------------


@dataclass(frozen=True)
class Statuswechsel:
    vorher: Status
    nach: Status
    grund: str | None
    # At `anerkannt`: the networks it overlaps without agreement (a warning, not a refusal).
    streit: list[NetzwerkStand]


def status_aendern(
    a: Aufruf, netzwerk: Netzwerk, nach: Status, grund: str | None, heute: date
) -> Statuswechsel:
    """One step of the procedure; raises `UebergangFehler` for a step it does not allow."""
    _darf(a)
    grund = text(grund, "Der Grund", MAX_GRUND) if grund else None
    vorher = netzwerk.status
    pruefe_uebergang(vorher, nach, grund)
    netzwerk.status = nach
    a.audit(
        AuditAktion.STATUS_GEAENDERT,
        netzwerk_id=netzwerk.id,
        objekt=netzwerk.name,
        vorher={"status": vorher.value},
        nachher={"status": nach.value} | ({"grund": grund} if grund else {}),
    )
    a.uow.commit()
    streit: list[NetzwerkStand] = []
    if nach is Status.ANERKANNT:
        staende, umfeld = umfeld_fuer(a.uow, heute)
        streit = konflikte(stand(netzwerk), staende, umfeld.kanten)
    return Statuswechsel(vorher, nach, grund, streit)


def antrag_eintragen(a: Aufruf, netzwerk: Netzwerk, feld: Antragsfeld, wert: str, was: str) -> bool:
    """The application's goals or approach (`was` names them in errors); False: unchanged."""
    _darf(a)
    neu = text(wert, was, MAX_TEXT)
    alt = str(getattr(netzwerk, feld))
    if alt == neu:
        return False
    setattr(netzwerk, feld, neu)
    a.audit(
        AuditAktion.ANTRAG_GEAENDERT,
        netzwerk_id=netzwerk.id,
        objekt=netzwerk.name,
        vorher={feld: alt},
        nachher={feld: neu},
    )
    a.uow.commit()
    return True


# --- partners ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerGesetzt:
    mitglied: Mitglied
    # The type before; None for a new partner. Equal to the type: nothing changed.
    vorher: MitgliedTyp | None


def partner_setzen(
    a: Aufruf, netzwerk: Netzwerk, organisation: str, typ: MitgliedTyp
) -> PartnerGesetzt:
    """Enter a partner or change its type."""
    _darf(a)
    name = text(organisation, "Der Name der Organisation", MAX_NAME)
    vorhanden = mitglied_von(netzwerk, name)
    if vorhanden is not None and vorhanden.typ is typ:
        return PartnerGesetzt(vorhanden, typ)
    mitglied, alt = mitglied_uebernehmen(netzwerk, name, typ)
    if alt is not None:
        a.audit(
            AuditAktion.MITGLIED_GEAENDERT,
            netzwerk_id=netzwerk.id,
            objekt=mitglied.name,
            vorher={"name": mitglied.name, "typ": alt.value},
            nachher={"name": mitglied.name, "typ": typ.value},
        )
    else:
        a.audit(
            AuditAktion.MITGLIED_HINZUGEFUEGT,
            netzwerk_id=netzwerk.id,
            objekt=name,
            nachher={"name": name, "typ": typ.value},
        )
    a.uow.commit()
    return PartnerGesetzt(mitglied, alt)


def partner_austragen(a: Aufruf, netzwerk: Netzwerk, organisation: str) -> Mitglied:
    """Remove a partner; the removed row."""
    _darf(a)
    weg = mitglied_von(netzwerk, organisation)
    if weg is None:
        raise UsageError(
            f"„{organisation[:80]}“ ist kein Partner von {netzwerk.name}. "
            + meinten_sie(suggest(organisation, [m.name for m in netzwerk.mitglieder])),
            beispiel=f"{a.prefix} netzwerk {netzwerk.name} status",
        )
    netzwerk.mitglieder.remove(weg)
    a.audit(
        AuditAktion.MITGLIED_ENTFERNT,
        netzwerk_id=netzwerk.id,
        objekt=weg.name,
        vorher={"name": weg.name, "typ": weg.typ.value},
    )
    a.uow.commit()
    return weg


# --- contact persons -----------------------------------------------------------------------


def kontakt_setzen(a: Aufruf, netzwerk: Netzwerk, daten: KontaktDaten) -> Kontakt:
    """Enter a contact person, or update the one with the same role and name."""
    _darf(a)
    kontakt, vorher = kontakt_uebernehmen(netzwerk, daten)
    a.audit(
        AuditAktion.KONTAKT_HINZUGEFUEGT if vorher is None else AuditAktion.KONTAKT_GEAENDERT,
        netzwerk_id=netzwerk.id,
        objekt=f"{daten.rolle.value}: {daten.name}",
        vorher=vorher,
        nachher=kontakt_protokoll(daten),
    )
    a.uow.commit()
    return kontakt


def kontakt_austragen(a: Aufruf, netzwerk: Netzwerk, person: str) -> list[Kontakt]:
    """Remove a contact person in all their roles; the removed rows."""
    _darf(a)
    weg = [k for k in netzwerk.kontakte if fold(k.name) == fold(person)]
    if not weg:
        raise UsageError(
            f"„{person[:80]}“ ist keine Ansprechperson von {netzwerk.name}. "
            + meinten_sie(suggest(person, [k.name for k in netzwerk.kontakte])),
            beispiel=f"{a.prefix} netzwerk {netzwerk.name} kontakt entfernen <Name>",
        )
    for k in weg:
        netzwerk.kontakte.remove(k)
        a.audit(
            AuditAktion.KONTAKT_ENTFERNT,
            netzwerk_id=netzwerk.id,
            objekt=f"{k.rolle.value}: {k.name}",
            vorher=kontakt_protokoll(k),
        )
    a.uow.commit()
    return weg


# --- dates and yes/no facts of the record --------------------------------------------------


def _datum_eintragen(
    a: Aufruf,
    netzwerk: Netzwerk,
    datum: date,
    heute: date,
    beispiel: str,
    *,
    feld: Literal["letzter_bericht", "letzte_selbsterklaerung"],
    aktion: AuditAktion,
) -> date | None:
    _darf(a)
    neu = pruefe_datum(datum, heute, beispiel)
    alt: date | None = getattr(netzwerk, feld)
    setattr(netzwerk, feld, neu)
    a.audit(
        aktion,
        netzwerk_id=netzwerk.id,
        objekt=netzwerk.name,
        vorher={"datum": alt.isoformat() if alt else None},
        nachher={"datum": neu.isoformat()},
    )
    a.uow.commit()
    return alt


def bericht_eintragen(
    a: Aufruf, netzwerk: Netzwerk, datum: date, heute: date, beispiel: str = ""
) -> date | None:
    """The network's latest report to the Plenum; the date entered before (None: none)."""
    return _datum_eintragen(
        a,
        netzwerk,
        datum,
        heute,
        beispiel,
        feld="letzter_bericht",
        aktion=AuditAktion.BERICHT_EINGETRAGEN,
    )


def selbsterklaerung_eintragen(
    a: Aufruf, netzwerk: Netzwerk, datum: date, heute: date, beispiel: str = ""
) -> date | None:
    """The date of the latest Selbsterklärung; the date entered before (None: none)."""
    return _datum_eintragen(
        a,
        netzwerk,
        datum,
        heute,
        beispiel,
        feld="letzte_selbsterklaerung",
        aktion=AuditAktion.SELBSTERKLAERUNG_EINGETRAGEN,
    )


def angabe_setzen(
    a: Aufruf, netzwerk: Netzwerk, feld: Angabefeld, wert: bool | None
) -> bool | None:
    """Open to all partners / free of fees: yes, no, unknown (None); the value before.
    Nothing is written when it is already `wert`."""
    _darf(a)
    alt: bool | None = getattr(netzwerk, feld)
    if alt is wert:
        return alt
    setattr(netzwerk, feld, wert)
    a.audit(
        AuditAktion.ANGABE_GEAENDERT,
        netzwerk_id=netzwerk.id,
        objekt=netzwerk.name,
        vorher={feld: alt},
        nachher={feld: wert},
    )
    a.uow.commit()
    return alt
