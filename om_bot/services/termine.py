"""Events as use cases: register, change, cancel – rules, permissions, audit and commit.

The chat commands (`om_bot/commands/termine/`) read the input and word the answer; these
functions take an `Aufruf` (the unit of work, who acts where, the clock, the roles) and the
``[termine]`` rules (`Regeln`) and return what happened. They raise
`om_bot.domain.fehler.UsageError` (a German message; the command may add its usage line) and
`Verweigert` (the router answers, rolls back and audits the refusal).

* **Invariants**: no event in the past, none longer than `MAX_DAUER`, none beyond the horizon
  (`om_bot.domain.termine.pruefe_zeitraum`, checked by `terminverwaltung.anlegen` and
  `aendern` for every caller); a cancelled or ended event cannot be changed or cancelled.
* **Who may** (`om_bot.domain.roles`): register for a network – its coordinators, the
  Geschäftsstelle, admins (`Rolle.NETZWERK`; moderating a linked room is not enough); without
  a network – the Geschäftsstelle and admins (`darf_eintragen`). Change or cancel – the
  network's coordinators, whoever registered the event, the Geschäftsstelle, admins
  (`darf_aendern`).
* **Audit and commit**: every write is audited (`AuditAktion.TERMIN_*`, in the name of the
  person acting) with the event's data before and after, and committed here.

A command may call `darf_eintragen`, `darf_aendern` and `pruefe_aenderbar` early, so that its
answer names the first problem of the input; the writing functions check again, so a caller
that skips them cannot skip the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from om_bot.domain.audit import AuditAktion
from om_bot.domain.dates import Zeitraum
from om_bot.domain.fehler import UsageError
from om_bot.domain.roles import Rolle, Verweigert
from om_bot.domain.termine import Regeln, TerminArt, pruefe_zeitraum
from om_bot.services import terminverwaltung as tv
from om_bot.services.aufruf import Aufruf
from om_bot.services.register import rollen_von
from om_bot.storage.models import Netzwerk, Region, Termin, TerminVorkommen


class TerminVerweigert(Verweigert):
    """A refusal with its own text (who may instead); the router audits it."""

    def __init__(self, meldung: str, rolle: Rolle = Rolle.NETZWERK) -> None:
        super().__init__(rolle)
        self.args = (meldung,)


class OhneNetzwerkVerweigert(TerminVerweigert):
    """An event without a network, registered by someone who is not the Geschäftsstelle."""

    def __init__(self) -> None:
        super().__init__(
            "Termine ohne Netzwerk (der Geschäftsstelle oder eines Partners) tragen nur die "
            "Geschäftsstelle und Admins ein.",
            Rolle.GESCHAEFTSSTELLE,
        )


class NichtAenderbar(UsageError):
    """The event is cancelled or over: it can no longer be changed or cancelled."""


class KeinVorkommen(UsageError):
    """The series has no occurrence on that day that could still be cancelled (`grund`)."""

    def __init__(self, termin: Termin, grund: str) -> None:
        super().__init__(f"Die Serie Nr. {termin.id} {grund}. Es wurde nichts abgesagt.")
        self.grund = grund


# --- who may ---------------------------------------------------------------------------------


def darf_eintragen(a: Aufruf, netzwerk: Netzwerk | None) -> None:
    """For a network: its coordinators, the Geschäftsstelle, admins; without one: the
    Geschäftsstelle and admins. Raises `Verweigert` (`OhneNetzwerkVerweigert`)."""
    if netzwerk is not None:
        a.rollen.pruefe(a.akteur, Rolle.NETZWERK, rollen_von(a.uow, netzwerk), was=netzwerk.name)
        return
    if not a.rollen.darf(a.akteur, Rolle.GESCHAEFTSSTELLE):
        raise OhneNetzwerkVerweigert


def darf_aendern(a: Aufruf, termin: Termin) -> None:
    """Coordinators of the event's network, whoever registered it, Geschäftsstelle, admins."""
    if a.wer == termin.erstellt_von:
        return
    if a.rollen.darf(a.akteur, Rolle.GESCHAEFTSSTELLE):
        return
    if termin.netzwerk is not None and a.rollen.darf(
        a.akteur, Rolle.NETZWERK, rollen_von(a.uow, termin.netzwerk)
    ):
        return
    andere = f"die Koordination von {termin.netzwerk.name}, " if termin.netzwerk else ""
    raise TerminVerweigert(
        f"Termin Nr. {termin.id} ändern oder absagen dürfen nur {andere}wer ihn eingetragen hat, "
        "die Geschäftsstelle und Admins."
    )


def pruefe_aenderbar(termin: Termin, jetzt: datetime, was: str = "ändern") -> None:
    """A cancelled event, and a single one that has ended, stay as they are (`NichtAenderbar`)."""
    if termin.abgesagt is not None:
        raise NichtAenderbar(f"Termin Nr. {termin.id} ist abgesagt; {was} geht nicht mehr.")
    if not termin.rrule and termin.ende <= jetzt:
        raise NichtAenderbar(f"Termin Nr. {termin.id} ist schon vorbei; {was} geht nicht mehr.")


# --- audit -----------------------------------------------------------------------------------


def audit_daten(termin: Termin) -> dict[str, object]:
    """What the audit log keeps of an event (before and after a change)."""
    return {
        "titel": termin.titel,
        "art": termin.art.value,
        "start": termin.start.isoformat(),
        "ende": termin.ende.isoformat(),
        "rrule": termin.rrule,
        "region_id": termin.region_id,
        "netzwerk_id": termin.netzwerk_id,
        "ort": termin.ort,
    }


def _protokoll(
    a: Aufruf,
    termin: Termin,
    aenderung: tv.Aenderung,
    *,
    vorher: dict[str, Any] | None = None,
    nachher: dict[str, Any] | None = None,
) -> None:
    a.audit(
        AuditAktion(f"termin_{aenderung.value}"),
        netzwerk_id=termin.netzwerk_id,
        objekt=f"termin {termin.id}",
        vorher=vorher,
        nachher=nachher,
    )


def andere_termine(treffer: list[tv.Kollision]) -> list[int]:
    """The other events among the clashes, each once, in order of their number."""
    return sorted({k.anderes.termin_id for k in treffer})


# --- registering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NeuerTermin:
    """An event as read from the input; region and network are resolved already."""

    titel: str
    art: TerminArt
    zeitraum: Zeitraum
    region: Region
    netzwerk: Netzwerk | None
    zeitzone: str
    ort: str = ""


@dataclass(frozen=True)
class Ergebnis:
    """The event as stored now and its clashes (it is stored anyway, marked)."""

    termin: Termin
    kollisionen: list[tv.Kollision]
    # Changes: the other events it clashes with now and did not before (they get a notice).
    neue_partner: frozenset[int] = frozenset()


def eintragen(a: Aufruf, regeln: Regeln, neu: NeuerTermin) -> Ergebnis:
    """Register an event: permission, invariants, occurrences and clashes, audit, commit."""
    jetzt = a.now()
    darf_eintragen(a, neu.netzwerk)
    z = neu.zeitraum
    # Before the row exists (`anlegen` checks again, for every caller).
    pruefe_zeitraum(z, jetzt, regeln)
    termin = Termin(
        titel=neu.titel,
        art=neu.art,
        netzwerk_id=neu.netzwerk.id if neu.netzwerk is not None else None,
        region_id=neu.region.id,
        start=z.start,
        ende=z.end,
        ganztaegig=z.ganztaegig,
        ohne_ende=z.ohne_ende,
        rrule=z.rrule or "",
        zeitzone=neu.zeitzone,
        ort=neu.ort,
        raum_id=a.akteur.room_id,
        erstellt=jetzt,
        erstellt_von=a.wer,
        geaendert=jetzt,
        sequenz=0,
    )
    termin.netzwerk, termin.region = neu.netzwerk, neu.region
    treffer = tv.anlegen(a.uow, termin, jetzt, regeln)
    _protokoll(
        a,
        termin,
        tv.Aenderung.ANGELEGT,
        nachher={**audit_daten(termin), "kollisionen": andere_termine(treffer)},
    )
    a.uow.commit()
    return Ergebnis(termin, treffer)


# --- changing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Aenderungen:
    """What changes (None: stays); texts are read and checked for length already."""

    titel: str | None = None
    art: TerminArt | None = None
    ort: str | None = None
    region: Region | None = None
    netzwerk: Netzwerk | None = None
    zeitraum: Zeitraum | None = None


def aendern(a: Aufruf, regeln: Regeln, termin: Termin, neu: Aenderungen) -> Ergebnis:
    """Change an event: permissions (for the event, and for a new network), invariants, new
    occurrences and clash marks, audit, commit. A new time applies to all future occurrences
    of a series."""
    jetzt = a.now()
    darf_aendern(a, termin)
    pruefe_aenderbar(termin, jetzt)
    if neu.netzwerk is not None:
        darf_eintragen(a, neu.netzwerk)
    if neu.zeitraum is not None:
        # Before anything changes (`aendern` checks again, for every caller).
        pruefe_zeitraum(neu.zeitraum, jetzt, regeln)
    vorher = audit_daten(termin)
    frueher = {k.anderes.termin_id for k in tv.kollisionen(a.uow, termin, regeln, ab=jetzt)}
    if neu.netzwerk is not None:
        termin.netzwerk_id, termin.netzwerk = neu.netzwerk.id, neu.netzwerk
    if neu.region is not None:
        termin.region_id, termin.region = neu.region.id, neu.region
    if neu.titel is not None:
        termin.titel = neu.titel
    if neu.art is not None:
        termin.art = neu.art
    if neu.ort is not None:
        termin.ort = neu.ort
    if neu.zeitraum is not None:
        z = neu.zeitraum
        termin.start, termin.ende = z.start, z.end
        termin.ganztaegig, termin.ohne_ende = z.ganztaegig, z.ohne_ende
        termin.rrule = z.rrule or ""
    treffer = tv.aendern(a.uow, termin, jetzt, regeln)
    jetzt_andere = andere_termine(treffer)
    _protokoll(
        a,
        termin,
        tv.Aenderung.GEAENDERT,
        vorher=vorher,
        nachher={**audit_daten(termin), "kollisionen": jetzt_andere},
    )
    a.uow.commit()
    return Ergebnis(termin, treffer, frozenset(jetzt_andere) - frueher)


# --- cancelling ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Abgesagt:
    """How many occurrences were cancelled, and the clashes that no longer hold."""

    vorkommen: int
    frueher: list[tv.Kollision]


def absagen(a: Aufruf, regeln: Regeln, termin: Termin) -> Abgesagt:
    """Cancel an event or a whole series (past occurrences stay): permission, audit, commit."""
    jetzt = a.now()
    darf_aendern(a, termin)
    pruefe_aenderbar(termin, jetzt, "absagen")
    partner = tv.kollisionen(a.uow, termin, regeln, ab=jetzt)
    anzahl = tv.absagen(a.uow, termin, jetzt, regeln)
    _protokoll(
        a,
        termin,
        tv.Aenderung.ABGESAGT,
        vorher=audit_daten(termin),
        nachher={"abgesagt": jetzt.isoformat(), "vorkommen": anzahl},
    )
    a.uow.commit()
    return Abgesagt(anzahl, partner)


def vorkommen_absagen(a: Aufruf, regeln: Regeln, termin: Termin, tag: date) -> TerminVorkommen:
    """Cancel the occurrence of a series on local day `tag` (the series goes on): permission,
    audit, commit. `KeinVorkommen` when there is none that day, or it is over or cancelled."""
    jetzt = a.now()
    darf_aendern(a, termin)
    pruefe_aenderbar(termin, jetzt, "absagen")
    if not termin.rrule:
        raise UsageError(
            f"Termin Nr. {termin.id} ist keine Serie; absagen ohne Datum. Es wurde nichts abgesagt."
        )
    row = tv.vorkommen_am(a.uow, termin, tag)
    if row is None:
        raise KeinVorkommen(termin, f"findet am {tag:%d.%m.%Y} nicht statt")
    if row.abgesagt is not None:
        raise KeinVorkommen(termin, f"ist am {tag:%d.%m.%Y} schon abgesagt")
    if row.ende <= jetzt:
        raise KeinVorkommen(termin, f"ist am {tag:%d.%m.%Y} schon vorbei")
    tv.vorkommen_absagen(a.uow, termin, row, jetzt, regeln, von=a.wer)
    _protokoll(a, termin, tv.Aenderung.VORKOMMEN_ABGESAGT, nachher={"tag": tag.isoformat()})
    a.uow.commit()
    return row
