"""The contact procedure of seed 002 as use cases: ask, forward, name, confirm, release, reject.

`anfragen` (a network asks, `kontakt`), `weiterleiten`, `aus_register`, `benennen`,
`informiert`, `freigeben`, `ablehnen`, `loeschen` and `zeigen` each take an `Aufruf` (the unit
of work, the person acting and where – `om_bot.domain.roles.Akteur` –, the clock, the roles),
look the request up, decide in which capacities the person acts on it (`beteiligt`) and check
person and state through `om_bot.domain.kontaktverfahren`, in this order. A step is a
compare-and-set on the request's status and version (`AnfrageRepo.setze_status`): two people
pressing `freigeben` at once release exactly once. Only the winner audits (state before →
after, step, capacity; never contact data) and commits; the use case returns what happened and
the command module (`om_bot/commands/anfragen.py`, `anfragen_text.py`) words it; the results
are the values of `om_bot.services.kontaktverfahren_ergebnisse`.

Refusals are `AnfrageVerweigert` (a `Verweigert`: the router rolls back, answers "⛔ …" and
audits the attempt), bad input or a step that cannot be taken now a `UsageError`; both carry
the German text with the state and the next step. Where the named person's contact data may
appear is `kv.sichtbar` applied to `raumbezug` – the results say whether it may be shown here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from om_bot.domain import kontaktverfahren as kv
from om_bot.domain.ansprachen import partner_fuer
from om_bot.domain.audit import AuditAktion
from om_bot.domain.fehler import UsageError
from om_bot.domain.matching import meinten_sie, suggest
from om_bot.domain.regions import umfassend
from om_bot.domain.roles import Rolle, Verweigert
from om_bot.services.aufruf import Aufruf
from om_bot.services.datenschutz import KopieOffen, personendaten_loeschen
from om_bot.services.kontaktverfahren_ergebnisse import (
    Angelegt,
    Ansicht,
    AusRegister,
    Benannt,
    Freigegeben,
    Getan,
    Loeschung,
    SchonGeloescht,
    SchonOffen,
    Verlaufseintrag,
    ZuViele,
)
from om_bot.services.register import rollen_von
from om_bot.storage.models import Anfrage, Netzwerk, Partner
from om_bot.storage.repositories import AnfrageRepo

T = TypeVar("T")


class AnfrageVerweigert(Verweigert):
    """A refusal with its own text (person, state, next step); the router audits it."""

    def __init__(self, meldung: str, rolle: Rolle = Rolle.GESCHAEFTSSTELLE) -> None:
        super().__init__(rolle)
        self.args = (meldung,)


# --- looking things up ---------------------------------------------------------------------


def finde_partner(a: Aufruf, text: str) -> Partner:
    """The national partner `text` names, by the one partner rule of the approaches
    (`om_bot.domain.ansprachen.partner_fuer`), or a German refusal with suggestions."""
    alle = a.uow.partner.alle()
    gefunden = partner_fuer(text, alle)
    if gefunden is not None:
        return gefunden
    p = a.prefix
    hint = meinten_sie(suggest(text, [x.kurz for x in alle] + [x.name for x in alle]))
    bekannt = ", ".join(x.kurz for x in alle)
    raise UsageError(
        f"Den Partner „{text[:80]}“ kenne ich nicht. {hint}".strip()
        + (f" Im Partnerregister stehen: {bekannt}." if bekannt else ""),
        usage=f"{p} kontakt <Partner> [– <Notiz>]",
        beispiel=f"{p} kontakt {alle[0].kurz if alle else 'IHK'}",
    )


def hole(a: Aufruf, nr: int) -> Anfrage:
    anfrage = a.uow.anfragen.get(nr)
    if anfrage is None:
        p = a.prefix
        raise UsageError(
            f"Eine Anfrage {nr} gibt es nicht.",
            usage=f"{p} anfragen",
            beispiel=f"{p} anfrage 1",
        )
    return anfrage


def beteiligt(a: Aufruf, anfrage: Anfrage) -> set[kv.Beteiligt]:
    """In which capacities the sender may act on `anfrage` (possibly several, possibly none)."""
    rollen = a.rollen
    wer: set[kv.Beteiligt] = set()
    if rollen.darf(a.akteur, Rolle.GESCHAEFTSSTELLE):
        wer.add(kv.Beteiligt.GESCHAEFTSSTELLE)
    kontakt = anfrage.partner.nationaler_kontakt
    if kontakt and a.wer == kontakt:
        wer.add(kv.Beteiligt.NATIONALER_KONTAKT)
    if rollen.koordiniert(a.akteur, rollen_von(a.uow, anfrage.netzwerk)):
        wer.add(kv.Beteiligt.KOORDINATION)
    return wer


def raumbezug(a: Aufruf, anfrage: Anfrage) -> kv.Raumbezug:
    """Where this command was typed, seen from `anfrage` (what `kv.sichtbar` decides on)."""
    akteur = a.akteur
    if akteur.geschaeftsstelle_raum:
        return kv.Raumbezug.GESCHAEFTSSTELLE
    netzwerk_id = akteur.raum_netzwerk_id
    if netzwerk_id is not None:
        if netzwerk_id == anfrage.netzwerk_id:
            return kv.Raumbezug.ANFRAGEND
        return kv.Raumbezug.ANDERES_NETZWERK
    if akteur.direkt:
        # Without a configured room, the Geschäftsstelle's notices arrive as direct messages
        # to its members (`an_geschaeftsstelle`): their private chat is then its room.
        if not a.geschaeftsstelle_room and a.rollen.darf(akteur, Rolle.GESCHAEFTSSTELLE):
            return kv.Raumbezug.GESCHAEFTSSTELLE
        return kv.Raumbezug.DIREKT
    return kv.Raumbezug.SONST


def weiter_text(prefix: str, anfrage: Anfrage) -> str:
    """ "Als Nächstes: … `!om anfrage 3 …`." as one plain sentence, or that it is closed."""
    uebergang = kv.naechster(anfrage.status)
    if uebergang is None:
        return f"Die Anfrage ist abgeschlossen ({anfrage.status})."
    return f"Als Nächstes: {uebergang.was}: `{prefix} {uebergang.befehl_fuer(anfrage.id)}`."


# --- one step of the state machine -----------------------------------------------------------


def _pruefe(
    a: Aufruf,
    anfrage: Anfrage,
    schritt: kv.Schritt,
    wer: set[kv.Beteiligt],
    raumpruefung: Callable[[], None] | None = None,
) -> kv.Uebergang:
    """The transition, or a refusal naming the state and the next step (nothing changed)."""
    nr = anfrage.id
    try:
        return kv.pruefe(anfrage.status, schritt, wer)
    except kv.FalschePerson as nein:
        raise AnfrageVerweigert(
            f"Anfrage {nr}: {nein.meldung} Stand: „{anfrage.status}“. "
            + weiter_text(a.prefix, anfrage)
        ) from None
    except kv.FalscherZustand as nein:
        if raumpruefung is not None:
            raumpruefung()
        uebergang = nein.naechster
        raise UsageError(
            f"Anfrage {nr}: {nein.meldung} Es wurde nichts geändert. "
            + (
                f"Als Nächstes: {uebergang.was}."
                if uebergang
                else "Es gibt keinen weiteren Schritt."
            ),
            usage=f"{a.prefix} {uebergang.befehl_fuer(nr)}" if uebergang else "",
        ) from None


def _setze(
    a: Aufruf,
    anfrage: Anfrage,
    uebergang: kv.Uebergang,
    wer: set[kv.Beteiligt],
    **werte: str,
) -> Getan:
    """Take the step (compare-and-set) and audit it: who, when, from → to, in which capacity."""
    alt = anfrage.status
    als = kv.handelnd(uebergang, wer)
    if not a.uow.anfragen.setze_status(anfrage, alt, uebergang.nach, a.now(), **werte):
        raise UsageError(
            f"Anfrage {anfrage.id} wurde gerade von jemand anderem geändert: sie ist jetzt "
            f"„{anfrage.status}“. Ihr Schritt „{uebergang.schritt}“ wurde nicht ausgeführt, es "
            "wurde nichts geändert. " + weiter_text(a.prefix, anfrage),
        )
    a.audit(
        AuditAktion.fuer_anfrage(uebergang.nach),
        netzwerk_id=anfrage.netzwerk_id,
        objekt=AnfrageRepo.objekt(anfrage.id),
        vorher={"status": alt.value},
        nachher={
            "status": uebergang.nach.value,
            "schritt": uebergang.schritt.value,
            "rolle": als.value,
        },
    )
    return Getan(anfrage, alt, als, frozenset(wer))


def _schritt(
    a: Aufruf, nr: int, schritt: kv.Schritt
) -> tuple[Anfrage, kv.Uebergang, set[kv.Beteiligt]]:
    anfrage = hole(a, nr)
    wer = beteiligt(a, anfrage)
    return anfrage, _pruefe(a, anfrage, schritt, wer), wer


def _person(anfrage: Anfrage) -> kv.Kontaktdaten:
    return kv.Kontaktdaten(anfrage.person_name, anfrage.person_email, anfrage.person_telefon)


# --- use cases -------------------------------------------------------------------------------


def anfragen(
    a: Aufruf,
    partner: str,
    notiz: str | None,
    parallelansprache: Callable[[Anfrage, Netzwerk, Partner, datetime], T],
) -> Angelegt[T] | SchonOffen | ZuViele:
    """A network asks the Geschäftsstelle for a regional contact of `partner` (`kontakt`).

    Only in a room linked to the network, by its coordination, the Geschäftsstelle or admins;
    at most one open request per network and partner and `offene_anfragen_je_netzwerk` per
    network; `kontakt_je_stunde` per person. `parallelansprache` records the request as an
    approach of the partner (seed 000) before the commit and returns what the answer needs.
    """
    uow, p = a.uow, a.prefix
    netzwerk_id = a.akteur.raum_netzwerk_id
    netzwerk = uow.netzwerke.get(netzwerk_id) if netzwerk_id is not None else None
    if netzwerk is None:
        raise UsageError(
            "Eine Kontaktanfrage stellt die Koordination eines Netzwerks in dessen Raum; dieser "
            f"Raum ist mit keinem Netzwerk verknüpft. Zuerst verknüpfen, dann „{p} kontakt "
            f"{partner[:40]}“.",
            usage=f"{p} raum <Netzwerk>",
            beispiel=f"{p} raum Hamburg",
        )
    netzrollen = rollen_von(uow, netzwerk)
    a.rollen.pruefe(a.akteur, Rolle.NETZWERK, netzrollen, was=netzwerk.name)
    ziel = finde_partner(a, partner)
    # A flood of requests from one account is cut off before it reaches the Geschäftsstelle.
    a.grenzen.kontakt_pruefen(a.wer, a.now())

    offen = uow.anfragen.offene_von(netzwerk.id, ziel.id)
    if offen is not None:
        return SchonOffen(offen, netzwerk, ziel)
    # At most a few open requests per network: each one is work for the Geschäftsstelle and a
    # notice in its room.
    hoechstens = a.grenzen.werte.offene_anfragen_je_netzwerk
    if hoechstens:
        offene = uow.anfragen.offene_des_netzwerks(netzwerk.id)
        if len(offene) >= hoechstens:
            return ZuViele(netzwerk, offene, hoechstens)

    jetzt = a.now()
    notiz = (notiz or "").strip()[:1000]
    anfrage = Anfrage(
        netzwerk_id=netzwerk.id,
        partner_id=ziel.id,
        region_id=netzwerk.region_id,
        status=kv.Zustand.EINGEGANGEN,
        version=1,
        erstellt=jetzt,
        geaendert=jetzt,
        angefragt_von=a.wer,
        notiz=notiz,
    )
    uow.anfragen.add(anfrage)
    uow.flush()
    als = (
        kv.Beteiligt.KOORDINATION
        if a.rollen.koordiniert(a.akteur, netzrollen)
        else kv.Beteiligt.GESCHAEFTSSTELLE
    )
    a.audit(
        AuditAktion.ANFRAGE_EINGEGANGEN,
        netzwerk_id=netzwerk.id,
        objekt=AnfrageRepo.objekt(anfrage.id),
        nachher={"status": kv.Zustand.EINGEGANGEN.value, "partner": ziel.kurz, "rolle": als.value},
    )
    parallel = parallelansprache(anfrage, netzwerk, ziel, jetzt)
    bekannt = uow.regionale_kontakte.fuer(
        ziel.id, umfassend(netzwerk.region_id, uow.regionen.kanten())
    )
    uow.commit()
    return Angelegt(
        anfrage, netzwerk, ziel, notiz, jetzt, bekannt[0] if bekannt else None, parallel
    )


def weiterleiten(a: Aufruf, nr: int) -> Getan:
    """The Geschäftsstelle asks the partner's national contact person (`angefragt`)."""
    anfrage, uebergang, wer = _schritt(a, nr, kv.Schritt.WEITERLEITEN)
    getan = _setze(a, anfrage, uebergang, wer)
    a.uow.commit()
    return getan


def aus_register(a: Aufruf, nr: int) -> AusRegister:
    """The Geschäftsstelle takes the partner's regional contact from the register (`benannt`):
    for the network's own region first, then for a region around it, the newest."""
    anfrage, uebergang, wer = _schritt(a, nr, kv.Schritt.AUS_REGISTER)
    bekannt = sorted(
        a.uow.regionale_kontakte.fuer(
            anfrage.partner_id, umfassend(anfrage.region_id, a.uow.regionen.kanten())
        ),
        # The network's own region first, then the newest.
        key=lambda k: (k.region_id != anfrage.region_id, -k.freigegeben.timestamp()),
    )
    if not bekannt:
        raise UsageError(
            f"Anfrage {nr} („{anfrage.status}“): Im Register steht keine regionale "
            f"Ansprechperson von {anfrage.partner.kurz} für {anfrage.region.name} (oder eine "
            "Region darum). Es wurde nichts geändert; bitte wie üblich weiterleiten.",
            usage=f"{a.prefix} anfrage {nr} weiterleiten",
        )
    k = bekannt[0]
    getan = _setze(
        a,
        anfrage,
        uebergang,
        wer,
        person_name=k.name,
        person_email=k.email,
        person_telefon=k.telefon,
    )
    a.uow.commit()
    return AusRegister(
        getan.anfrage,
        getan.alt,
        getan.als,
        getan.beteiligt,
        kontakt=k,
        sichtbar=kv.sichtbar(anfrage.status, wer, raumbezug(a, anfrage)),
    )


def benennen(a: Aufruf, nr: int, daten: str | None) -> Benannt:
    """The partner (or the Geschäftsstelle in its name) names the regional person (`benannt`).

    Accepted only where the data may be shown before the release (`kv.sichtbar`): elsewhere
    nothing is stored and nothing repeated. Again after `informiert`: a new person, back to
    `benannt`.
    """
    p = a.prefix
    anfrage = hole(a, nr)
    wer = beteiligt(a, anfrage)

    def nicht_hier() -> None:
        # Named data may be typed only where it may be shown before the release.
        if not kv.sichtbar(kv.Zustand.BENANNT, wer, raumbezug(a, anfrage)):
            raise UsageError(
                "Kontaktdaten gehören nicht in diesen Raum: hier lesen andere mit, bevor die "
                "Geschäftsstelle sie freigibt. Ich habe nichts gespeichert. Bitte löschen Sie "
                "Ihre Nachricht und senden Sie sie im Direktchat mit mir (nationale "
                "Ansprechperson) oder im Raum der Geschäftsstelle.",
                usage=f"anfrage {nr} benennen <Name>, <E-Mail>[, <Telefon>]",
            )

    uebergang = _pruefe(a, anfrage, kv.Schritt.BENENNEN, wer, raumpruefung=nicht_hier)
    nicht_hier()
    beispiel = f"{p} anfrage {nr} benennen Erika Musterfrau, erika@example.org, 0421 123456"
    if not daten:
        raise UsageError(
            "Bitte Name und E-Mail-Adresse der benannten Person angeben (Telefon freiwillig).",
            usage=f"{p} anfrage {nr} benennen <Name>, <E-Mail>[, <Telefon>]",
            beispiel=beispiel,
        )
    try:
        person = kv.lies_kontaktdaten(daten)
    except kv.UngueltigeDaten as fehler:
        raise UsageError(
            f"{fehler} Es wurde nichts gespeichert.",
            usage=f"{p} anfrage {nr} benennen <Name>, <E-Mail>[, <Telefon>]",
            beispiel=beispiel,
        ) from None
    getan = _setze(
        a,
        anfrage,
        uebergang,
        wer,
        person_name=person.name,
        person_email=person.email,
        person_telefon=person.telefon,
    )
    a.uow.commit()
    return Benannt(getan.anfrage, getan.alt, getan.als, getan.beteiligt, person=person)


def informiert(a: Aufruf, nr: int) -> Getan:
    """The partner (or the Geschäftsstelle) confirms the person was informed (`informiert`)."""
    anfrage, uebergang, wer = _schritt(a, nr, kv.Schritt.INFORMIERT)
    getan = _setze(a, anfrage, uebergang, wer)
    a.uow.commit()
    return getan


def freigeben(a: Aufruf, nr: int) -> Freigegeben:
    """The Geschäftsstelle releases the contact data (`freigegeben`): the person becomes the
    partner's regional contact for the request's region; the result names the rooms to tell."""
    anfrage, uebergang, wer = _schritt(a, nr, kv.Schritt.FREIGEBEN)
    getan = _setze(a, anfrage, uebergang, wer)
    person = _person(anfrage)
    a.uow.regionale_kontakte.setze(
        anfrage.partner_id,
        anfrage.region_id,
        name=person.name,
        email=person.email,
        telefon=person.telefon,
        anfrage_id=anfrage.id,
        zeit=a.now(),
    )
    raeume = tuple(r.room_id for r in a.uow.raeume.fuer_netzwerk(anfrage.netzwerk_id))
    a.uow.commit()
    return Freigegeben(
        getan.anfrage, getan.alt, getan.als, getan.beteiligt, person=person, raeume=raeume
    )


def ablehnen(a: Aufruf, nr: int, grund: str | None) -> Getan:
    """The Geschäftsstelle rejects the request with a reason, before the release."""
    anfrage, uebergang, wer = _schritt(a, nr, kv.Schritt.ABLEHNEN)
    if not grund:
        p = a.prefix
        raise UsageError(
            "Bitte einen Grund angeben; das anfragende Netzwerk bekommt ihn mitgeteilt.",
            usage=f"{p} anfrage {nr} ablehnen <Grund>",
            beispiel=f"{p} anfrage {nr} ablehnen Der Partner ist in der Region nicht vertreten.",
        )
    getan = _setze(a, anfrage, uebergang, wer, grund=grund.strip()[:1000])
    a.uow.commit()
    return getan


def loeschen(a: Aufruf, nr: int) -> Loeschung | SchonGeloescht:
    """The Geschäftsstelle deletes the personal data of a closed request and its copies
    (`om_bot.services.datenschutz.personendaten_loeschen`)."""
    p = a.prefix
    anfrage = hole(a, nr)
    if kv.Beteiligt.GESCHAEFTSSTELLE not in beteiligt(a, anfrage):
        raise AnfrageVerweigert(
            f"Anfrage {nr}: löschen darf nur die Geschäftsstelle. Stand: „{anfrage.status}“. "
            + weiter_text(p, anfrage)
        )
    if anfrage.geloescht is not None:
        return SchonGeloescht(anfrage, anfrage.geloescht)
    if anfrage.status.offen:
        raise UsageError(
            f"Anfrage {nr} ist noch offen („{anfrage.status}“). Erst ablehnen – das Netzwerk "
            "erfährt den Grund –, dann löschen. Es wurde nichts geändert.",
            usage=f"{p} anfrage {nr} ablehnen <Grund>",
        )
    try:
        geloescht = personendaten_loeschen(a.uow, anfrage, a.now(), a.wer)
    except KopieOffen as offen:
        nrs = ", ".join(str(n) for n in offen.anfrage_ids)
        mehrere = len(offen.anfrage_ids) > 1
        raise UsageError(
            f"Anfrage {nr}: die benannte Person steht auch in der offenen "
            f"{'Anfragen' if mehrere else 'Anfrage'} {nrs} (aus dem Register übernommen) und "
            "wird dort noch gebraucht. Es wurde nichts gelöscht. Erst "
            f"{'diese Anfragen' if mehrere else 'diese Anfrage'} abschließen (freigeben oder "
            "ablehnen), dann löschen.",
            usage=f"{p} anfrage {offen.anfrage_ids[0]}",
        ) from None
    a.uow.commit()
    return Loeschung(anfrage, geloescht)


def zeigen(a: Aufruf, nr: int) -> Ansicht:
    """State and history of a request, for those involved and the requesting network's rooms;
    whether its contact data may be shown here is `kv.sichtbar`."""
    anfrage = hole(a, nr)
    wer = beteiligt(a, anfrage)
    raum = raumbezug(a, anfrage)
    if not wer and raum is not kv.Raumbezug.ANFRAGEND:
        raise AnfrageVerweigert(
            f"Anfrage {nr} sehen nur die Geschäftsstelle, die nationale Ansprechperson des "
            "Partners und das anfragende Netzwerk.",
            Rolle.NETZWERK,
        )
    verlauf = []
    for eintrag in a.uow.anfragen.verlauf(anfrage):
        vorher = (eintrag.vorher or {}).get("status")
        nachher = eintrag.nachher or {}
        try:
            rolle: kv.Beteiligt | None = kv.Beteiligt(nachher.get("rolle", ""))
        except ValueError:
            rolle = None
        verlauf.append(
            Verlaufseintrag(
                zeit=eintrag.zeit,
                akteur=eintrag.akteur,
                vorher=vorher,
                nachher=nachher.get("status"),
                schritt=nachher.get("schritt", ""),
                rolle=rolle,
            )
        )
    return Ansicht(anfrage, frozenset(wer), kv.sichtbar(anfrage.status, wer, raum), tuple(verlauf))
