"""`kontakt`, `anfragen`, `anfrage …`: the contact procedure of seed 002 in the chat.

A coordinator asks in the network's room (`kontakt IHK`); the Geschäftsstelle forwards the
request to the partner's national contact person (a direct message), who names a regional
person and confirms that the person was informed; the Geschäftsstelle releases the contact data,
and only then the bot posts it to the network's room(s) and records the person as the partner's
regional contact for the region. The rules – states, who may take which step, who sees the
contact data where – are `om_bot.domain.kontaktverfahren`; this module looks things up, talks and
stores. Every step is a compare-and-set on the request's status and version
(`AnfrageRepo.setze_status`): two people pressing `freigeben` at once release exactly once.

The step commands are declared for everybody (`Rolle.JEDER`, with `wer=` for the help) because
the router's role check could only say "not you"; the handlers check the person *and* the state
and answer with both plus the next step. Contact data never goes into the audit log, a log line
or a network's room before the release; handlers that touch it are wrapped in `_vertraulich`,
which keeps exception texts (that may quote SQL parameters) and the command text out of the log.
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from om_bot.chat.registry import Familie, UsageError
from om_bot.chat.router import Kontext
from om_bot.commands import anfragenliste
from om_bot.commands.zustellung import an_geschaeftsstelle, an_netzwerk
from om_bot.domain import kontaktverfahren as kv
from om_bot.domain.ansprachen import (
    FENSTER,
    Beschreibung,
    Quelle,
    hinweis,
    parallele_ansprachen,
    schluessel,
    warnung,
)
from om_bot.domain.dates import datum_text
from om_bot.domain.matching import fold, meinten_sie, suggest
from om_bot.domain.regions import umfassend
from om_bot.domain.roles import Rolle, Verweigert, Wer
from om_bot.services.datenschutz import KopieOffen, personendaten_loeschen
from om_bot.services.register import rollen_von
from om_bot.storage.models import Anfrage, Ansprache, Partner
from om_bot.storage.repositories import AnfrageRepo
from om_bot.text.format import B, Code, I, Msg, Part
from om_bot.text.messages import Reply

log = logging.getLogger(__name__)

familie = Familie(
    "anfragen",
    "Kontaktverfahren: regionale Ansprechpersonen der nationalen Partner",
    aliase=("kontaktverfahren", "kontakt", "anfrage"),
)

_WER_GS = (Wer.GESCHAEFTSSTELLE, Wer.ADMIN)
# The Geschäftsstelle may take the partner's steps in its name (a partner without Matrix).
_WER_PARTNER = (Wer.NATIONALER_KONTAKT, Wer.GESCHAEFTSSTELLE, Wer.ADMIN)


class AnfrageVerweigert(Verweigert):
    """A refusal with its own text (person, state, next step); the router audits it."""

    def __init__(self, meldung: str, rolle: Rolle = Rolle.GESCHAEFTSSTELLE) -> None:
        super().__init__(rolle)
        self.args = (meldung,)


def _vertraulich(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Answer an unexpected failure here instead of in the router, which would log the command
    text – for `benennen` that is the contact data. Logged: the exception's type and where."""

    @functools.wraps(handler)
    def wrapper(ctx: Kontext, **arguments: Any) -> Any:
        try:
            return handler(ctx, **arguments)
        except (UsageError, Verweigert):
            raise
        except Exception as exc:
            log.error(
                "%s failed with %s (message withheld: it may contain contact data)\n%s",
                handler.__name__,
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            return (
                Msg()
                .line(
                    "Entschuldigung, dabei ist bei mir ein Fehler aufgetreten. Es wurde nichts "
                    "geändert. Bitte später noch einmal versuchen."
                )
                .reply()
            )

    return wrapper


# --- looking things up ---------------------------------------------------------------------


def finde_partner(ctx: Kontext, text: str) -> Partner:
    """The national partner `text` names: its short name, its name or a unique part of it."""
    key = fold(text)
    alle = ctx.uow.partner.alle()
    for treffer in (
        [p for p in alle if fold(p.kurz) == key],
        [p for p in alle if fold(p.name) == key],
        [p for p in alle if key and f" {key} " in f" {fold(p.name)} "],
    ):
        if len(treffer) == 1:
            return treffer[0]
    p = ctx.dienste.prefix
    hint = meinten_sie(suggest(text, [x.kurz for x in alle] + [x.name for x in alle]))
    bekannt = ", ".join(x.kurz for x in alle)
    raise UsageError(
        f"Den Partner „{text[:80]}“ kenne ich nicht. {hint}".strip()
        + (f" Im Partnerregister stehen: {bekannt}." if bekannt else ""),
        usage=f"{p} kontakt <Partner> [– <Notiz>]",
        beispiel=f"{p} kontakt {alle[0].kurz if alle else 'IHK'}",
    )


def _anfrage(ctx: Kontext, nr: int) -> Anfrage:
    anfrage = ctx.uow.anfragen.get(nr)
    if anfrage is None:
        p = ctx.dienste.prefix
        raise UsageError(
            f"Eine Anfrage {nr} gibt es nicht.",
            usage=f"{p} anfragen",
            beispiel=f"{p} anfrage 1",
        )
    return anfrage


def _beteiligt(ctx: Kontext, anfrage: Anfrage) -> set[kv.Beteiligt]:
    """In which capacities the sender may act on `anfrage` (possibly several, possibly none)."""
    rollen = ctx.dienste.rollen
    beteiligt: set[kv.Beteiligt] = set()
    if rollen.darf(ctx.akteur, Rolle.GESCHAEFTSSTELLE):
        beteiligt.add(kv.Beteiligt.GESCHAEFTSSTELLE)
    kontakt = anfrage.partner.nationaler_kontakt
    if kontakt and ctx.nachricht.sender == kontakt:
        beteiligt.add(kv.Beteiligt.NATIONALER_KONTAKT)
    if rollen.koordiniert(ctx.akteur, rollen_von(ctx.uow, anfrage.netzwerk)):
        beteiligt.add(kv.Beteiligt.KOORDINATION)
    return beteiligt


def _raumbezug(ctx: Kontext, anfrage: Anfrage) -> kv.Raumbezug:
    """Where this command was typed, seen from `anfrage` (what `kv.sichtbar` decides on)."""
    akteur = ctx.akteur
    if akteur.geschaeftsstelle_raum:
        return kv.Raumbezug.GESCHAEFTSSTELLE
    netzwerk_id = akteur.raum_netzwerk_id
    if netzwerk_id is not None:
        if netzwerk_id == anfrage.netzwerk_id:
            return kv.Raumbezug.ANFRAGEND
        return kv.Raumbezug.ANDERES_NETZWERK
    if akteur.direkt:
        # Without a configured room, the Geschäftsstelle's notices arrive as direct messages
        # to its members (`_an_geschaeftsstelle`): their private chat is then its room.
        if not ctx.dienste.geschaeftsstelle_room and ctx.dienste.rollen.darf(
            akteur, Rolle.GESCHAEFTSSTELLE
        ):
            return kv.Raumbezug.GESCHAEFTSSTELLE
        return kv.Raumbezug.DIREKT
    return kv.Raumbezug.SONST


# --- wording -------------------------------------------------------------------------------


def _zeit(ctx: Kontext, zeit: datetime) -> str:
    return zeit.astimezone(ctx.dienste.tz).strftime("%d.%m.%Y %H:%M")


def _datum(ctx: Kontext, zeit: datetime) -> str:
    return datum_text(zeit, ctx.dienste.tz)


def _weiter(ctx: Kontext, anfrage: Anfrage) -> tuple[Part, ...]:
    """ "Als Nächstes: …" with the command, or that the request is closed."""
    uebergang = kv.naechster(anfrage.status)
    if uebergang is None:
        return (f"Die Anfrage ist abgeschlossen ({anfrage.status}).",)
    return (
        f"Als Nächstes: {uebergang.was}: ",
        Code(f"{ctx.dienste.prefix} {uebergang.befehl_fuer(anfrage.id)}"),
    )


def _text(parts: Sequence[Part]) -> str:
    """Parts as one plain sentence (for refusals, which the router words as text)."""
    text = "".join(
        f"`{p.text}`" if isinstance(p, Code) else p if isinstance(p, str) else p.text for p in parts
    )
    return text if text.endswith(".") else text + "."


def _person(anfrage: Anfrage) -> kv.Kontaktdaten:
    return kv.Kontaktdaten(anfrage.person_name, anfrage.person_email, anfrage.person_telefon)


def _beschreibung(ansprache: Ansprache) -> Beschreibung:
    return Beschreibung(
        netzwerk=ansprache.netzwerk.name,
        institution=ansprache.institution,
        zeit=ansprache.zeit,
        quelle=ansprache.quelle,
        anfrage_nr=ansprache.anfrage_id,
        person=ansprache.person,
    )


# --- one step of the state machine -----------------------------------------------------------


def _pruefe(
    ctx: Kontext,
    anfrage: Anfrage,
    schritt: kv.Schritt,
    beteiligt: set[kv.Beteiligt],
    raumpruefung: Callable[[], None] | None = None,
) -> kv.Uebergang:
    """The transition, or a refusal naming the state and the next step (nothing changed)."""
    nr = anfrage.id
    try:
        return kv.pruefe(anfrage.status, schritt, beteiligt)
    except kv.FalschePerson as nein:
        raise AnfrageVerweigert(
            f"Anfrage {nr}: {nein.meldung} Stand: „{anfrage.status}“. "
            + _text(_weiter(ctx, anfrage))
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
            usage=f"{ctx.dienste.prefix} {uebergang.befehl_fuer(nr)}" if uebergang else "",
        ) from None


def _setze(
    ctx: Kontext,
    anfrage: Anfrage,
    uebergang: kv.Uebergang,
    beteiligt: set[kv.Beteiligt],
    **werte: str,
) -> tuple[kv.Zustand, kv.Beteiligt]:
    """Take the step (compare-and-set) and audit it: who, when, from → to, in which capacity."""
    alt = anfrage.status
    als = kv.handelnd(uebergang, beteiligt)
    if not ctx.uow.anfragen.setze_status(anfrage, alt, uebergang.nach, ctx.now(), **werte):
        raise UsageError(
            f"Anfrage {anfrage.id} wurde gerade von jemand anderem geändert: sie ist jetzt "
            f"„{anfrage.status}“. Ihr Schritt „{uebergang.schritt}“ wurde nicht ausgeführt, es "
            "wurde nichts geändert. " + _text(_weiter(ctx, anfrage)),
        )
    ctx.audit(
        f"anfrage_{uebergang.nach}",
        netzwerk_id=anfrage.netzwerk_id,
        objekt=AnfrageRepo.objekt(anfrage.id),
        vorher={"status": alt.value},
        nachher={
            "status": uebergang.nach.value,
            "schritt": uebergang.schritt.value,
            "rolle": als.value,
        },
    )
    return alt, als


def _schritt(
    ctx: Kontext, nr: int, schritt: kv.Schritt
) -> tuple[Anfrage, kv.Uebergang, set[kv.Beteiligt]]:
    anfrage = _anfrage(ctx, nr)
    beteiligt = _beteiligt(ctx, anfrage)
    return anfrage, _pruefe(ctx, anfrage, schritt, beteiligt), beteiligt


def _protokoll_fuer_gs(ctx: Kontext, anfrage: Anfrage, *text: Part) -> list[Reply]:
    """Tell the Geschäftsstelle room what happened (unless it happened there)."""
    msg = Msg().line(
        f"Anfrage {anfrage.id} ({anfrage.partner.kurz}, {anfrage.netzwerk.name}): ", *text
    )
    msg.line(*_weiter(ctx, anfrage))
    return an_geschaeftsstelle(ctx, msg)


# --- commands -----------------------------------------------------------------------------


@familie.befehl(
    "kontakt <partner> [–|-|— <notiz>]",
    hilfe=(
        "Die Geschäftsstelle um eine regionale Ansprechperson eines nationalen Partners bitten "
        "(im Raum des Netzwerks)"
    ),
    rolle=Rolle.NETZWERK,
    details=(
        "Verfahren der OM-Koordinierungsstelle: Die Geschäftsstelle fragt bei der nationalen "
        "Ansprechperson des Partners nach, der Partner benennt eine Person in der Region und "
        "informiert sie; danach gibt die Geschäftsstelle die Kontaktdaten in den Raum des "
        "Netzwerks. Der Raum muss mit dem Netzwerk verknüpft sein (`raum <Netzwerk>`). Fragt "
        "ein anderes Netzwerk derselben Region in den letzten 30 Tagen denselben Partner an, "
        "warnt der Bot beide (Parallelansprache)."
    ),
    beispiele=("kontakt IHK", "kontakt IHK – Thema Fachkräftesicherung"),
)
def kontakt(ctx: Kontext, partner: str, notiz: str | None) -> list[Reply]:
    p = ctx.dienste.prefix
    netzwerk_id = ctx.akteur.raum_netzwerk_id
    netzwerk = ctx.uow.netzwerke.get(netzwerk_id) if netzwerk_id is not None else None
    if netzwerk is None:
        raise UsageError(
            "Eine Kontaktanfrage stellt die Koordination eines Netzwerks in dessen Raum; dieser "
            f"Raum ist mit keinem Netzwerk verknüpft. Zuerst verknüpfen, dann „{p} kontakt "
            f"{partner[:40]}“.",
            usage=f"{p} raum <Netzwerk>",
            beispiel=f"{p} raum Hamburg",
        )
    netzrollen = rollen_von(ctx.uow, netzwerk)
    ctx.dienste.rollen.pruefe(ctx.akteur, Rolle.NETZWERK, netzrollen, was=netzwerk.name)
    ziel = finde_partner(ctx, partner)
    # A flood of requests from one account is cut off before it reaches the Geschäftsstelle.
    ctx.dienste.grenzen.kontakt_pruefen(ctx.nachricht.sender, ctx.now())

    offen = ctx.uow.anfragen.offene_von(netzwerk.id, ziel.id)
    if offen is not None:
        return [
            Msg()
            .line(
                f"Für {ziel.kurz} gibt es schon eine offene Anfrage von ",
                B(netzwerk.name),
                f": Nr. {offen.id}, „{offen.status}“, gestellt am {_datum(ctx, offen.erstellt)}. "
                "Es wurde keine neue angelegt.",
            )
            .line("Stand und Verlauf: ", Code(f"{p} anfrage {offen.id}"))
            .reply()
        ]
    # At most a few open requests per network: each one is work for the Geschäftsstelle and a
    # notice in its room.
    hoechstens = ctx.dienste.grenzen.werte.offene_anfragen_je_netzwerk
    if hoechstens:
        offene = ctx.uow.anfragen.offene_des_netzwerks(netzwerk.id)
        if len(offene) >= hoechstens:
            return [anfragenliste.zu_viele_offene(ctx, netzwerk, offene, hoechstens)]

    jetzt = ctx.now()
    notiz = (notiz or "").strip()[:1000]
    anfrage = Anfrage(
        netzwerk_id=netzwerk.id,
        partner_id=ziel.id,
        region_id=netzwerk.region_id,
        status=kv.Zustand.EINGEGANGEN,
        version=1,
        erstellt=jetzt,
        geaendert=jetzt,
        angefragt_von=ctx.nachricht.sender,
        notiz=notiz,
    )
    ctx.uow.anfragen.add(anfrage)
    ctx.uow.flush()
    als = (
        kv.Beteiligt.KOORDINATION
        if ctx.dienste.rollen.koordiniert(ctx.akteur, netzrollen)
        else kv.Beteiligt.GESCHAEFTSSTELLE
    )
    ctx.audit(
        "anfrage_eingegangen",
        netzwerk_id=netzwerk.id,
        objekt=AnfrageRepo.objekt(anfrage.id),
        nachher={"status": kv.Zustand.EINGEGANGEN.value, "partner": ziel.kurz, "rolle": als.value},
    )

    # Parallelansprache (seed 000): the request is an approach of the partner by this network.
    neu = Ansprache(
        netzwerk_id=netzwerk.id,
        region_id=netzwerk.region_id,
        institution=ziel.kurz,
        institution_schluessel=schluessel(ziel.kurz),
        person="",
        person_schluessel="",
        partner_id=ziel.id,
        zeit=jetzt,
        quelle=Quelle.ANFRAGE,
        anfrage_id=anfrage.id,
    )
    ctx.uow.ansprachen.add(neu)
    ctx.uow.flush()
    kanten = ctx.uow.regionen.kanten()
    parallel = parallele_ansprachen(neu, ctx.uow.ansprachen.kandidaten(neu, FENSTER), kanten)
    bekannt = ctx.uow.regionale_kontakte.fuer(ziel.id, umfassend(netzwerk.region_id, kanten))
    ctx.uow.commit()

    eigene = Beschreibung(netzwerk.name, ziel.kurz, jetzt, Quelle.ANFRAGE, anfrage.id)
    antwort = (
        Msg(f"Anfrage {anfrage.id}: regionale Ansprechperson von {ziel.kurz}")
        .line(
            "Die Geschäftsstelle hat Ihre Bitte um eine regionale Ansprechperson von ",
            B(ziel.name),
            " für ",
            B(netzwerk.name),
            " bekommen.",
        )
        .line(
            "So geht es weiter: Die Geschäftsstelle fragt bei der nationalen Ansprechperson des "
            "Partners nach; der Partner benennt eine Person in Ihrer Region und informiert sie "
            "über Ihre Anfrage. Erst danach gibt die Geschäftsstelle die Kontaktdaten hier in "
            "den Raum."
        )
        .line("Stand jederzeit: ", Code(f"{p} anfrage {anfrage.id}"))
    )
    warnung(antwort, [_beschreibung(a) for a in parallel], ctx.dienste.tz)

    gs = (
        Msg(f"📨 Neue Kontaktanfrage {anfrage.id}")
        .bullet("Netzwerk: ", B(netzwerk.name), f" ({netzwerk.region.name})")
        .bullet("Partner: ", B(ziel.kurz), f" – {ziel.name}")
        .bullet(
            "Nationale Ansprechperson: ",
            " ".join(x for x in (ziel.nationaler_kontakt_name, ziel.nationaler_kontakt) if x)
            or "keine hinterlegt",
        )
        .bullet("Angefragt von: ", ctx.nachricht.sender)
    )
    if notiz:
        gs.bullet("Notiz: ", notiz)
    if bekannt:
        k = bekannt[0]
        gs.line(
            f"ℹ Im Register steht schon eine regionale Ansprechperson von {ziel.kurz} für "
            f"{k.region.name} (freigegeben am {_datum(ctx, k.freigegeben)}"
            + (f", Anfrage {k.anfrage_id}" if k.anfrage_id else "")
            + "). Sie entscheiden: ",
            Code(f"{p} anfrage {anfrage.id} aus register"),
            " oder wie üblich weiterleiten.",
        )
    if parallel:
        gs.line(
            "⚠ Parallelansprache: ",
            ", ".join(a.netzwerk.name for a in parallel),
            f" {'hat' if len(parallel) == 1 else 'haben'} {ziel.kurz} in den letzten "
            f"{FENSTER.days} Tagen ebenfalls angefragt oder angesprochen; alle Netzwerke sind "
            "informiert.",
        )
    gs.line(
        "Als Nächstes: ",
        Code(f"{p} anfrage {anfrage.id} weiterleiten"),
        " oder ",
        Code(f"{p} anfrage {anfrage.id} ablehnen <Grund>"),
    )
    an_gs = an_geschaeftsstelle(ctx, gs)
    if not ctx.dienste.geschaeftsstelle_room and not ctx.dienste.rollen.geschaeftsstelle:
        antwort.line(
            I(
                "Hinweis: Für diesen Bot ist keine Geschäftsstelle eingetragen; bitte den "
                "Betreiber informieren (bot.geschaeftsstelle_room / bot.geschaeftsstelle_users)."
            )
        )

    andere: list[Reply] = []
    for a in parallel:
        andere += an_netzwerk(
            ctx, a.netzwerk_id, hinweis(eigene, _beschreibung(a), ctx.dienste.tz), auch_hier=True
        )
    return [antwort.reply(), *an_gs, *andere]


def _liste(ctx: Kontext, alle: bool, seite: int | None) -> Reply:
    # Paged (a long list would exceed Matrix's event size limit):
    # `om_bot/commands/anfragenliste.py`.
    return anfragenliste.liste(ctx, alle, seite)


@familie.befehl(
    "anfragen alle [seite <seite:zahl>]",
    hilfe="Alle Anfragen, auch abgeschlossene (für die Geschäftsstelle; sonst wie „anfragen“)",
    details="Je Seite 20 Anfragen; die Antwort nennt die nächste Seite.",
    beispiele=("anfragen alle", "anfragen alle seite 2"),
)
def anfragen_alle(ctx: Kontext, seite: int | None) -> Reply:
    return _liste(ctx, alle=True, seite=seite)


@familie.befehl(
    "anfragen [seite <seite:zahl>]",
    hilfe=(
        "Offene Anfragen nach Alter und Stand (Geschäftsstelle); im Raum eines Netzwerks dessen "
        "Anfragen; sonst die, an denen Sie beteiligt sind"
    ),
    details="Je Seite 20 Anfragen; die Antwort nennt die nächste Seite.",
    beispiele=("anfragen", "anfragen seite 2"),
)
def anfragen(ctx: Kontext, seite: int | None) -> Reply:
    return _liste(ctx, alle=False, seite=seite)


@familie.befehl(
    "anfrage <nr:zahl> weiterleiten",
    hilfe="Die Anfrage an die nationale Ansprechperson des Partners weiterleiten",
    wer=_WER_GS,
    details=(
        "Die Ansprechperson bekommt eine Direktnachricht mit der Anfrage und der Anleitung; "
        "ohne Matrix-ID sagt der Bot, dass per E-Mail nachzufragen ist."
    ),
    beispiele=("anfrage 3 weiterleiten",),
)
def weiterleiten(ctx: Kontext, nr: int) -> list[Reply]:
    p = ctx.dienste.prefix
    anfrage, uebergang, beteiligt = _schritt(ctx, nr, kv.Schritt.WEITERLEITEN)
    _setze(ctx, anfrage, uebergang, beteiligt)
    ctx.uow.commit()
    partner, netzwerk = anfrage.partner, anfrage.netzwerk
    benennen = f"anfrage {nr} benennen Vorname Nachname, E-Mail[, Telefon]"
    antwort = Msg().line(f"Anfrage {nr} ist an {partner.kurz} weitergeleitet (jetzt „angefragt“).")
    replies: list[Reply] = []
    if partner.nationaler_kontakt:
        dm = Msg(f"Anfrage {nr} der OM-Geschäftsstelle an {partner.kurz}").line(
            "Guten Tag"
            + (f" {partner.nationaler_kontakt_name}" if partner.nationaler_kontakt_name else "")
            + ", das ",
            B(netzwerk.name),
            f" (Region {netzwerk.region.name}) bittet um eine regionale Ansprechperson von ",
            B(partner.name),
            ".",
        )
        if anfrage.notiz:
            dm.bullet("Notiz des Netzwerks: ", anfrage.notiz)
        dm.line(
            "Nach dem Verfahren der OM benennen Sie der Geschäftsstelle eine Ansprechperson in "
            "der Region und informieren diese Person über die Anfrage aus der Region und ggf. "
            "noch einmal über die OM. Erst danach gibt die Geschäftsstelle die Kontaktdaten an "
            "das Netzwerk weiter; bis dahin sieht sie niemand außer Ihnen und der Geschäftsstelle."
        )
        dm.line("So antworten Sie – hier im Direktchat, ohne Präfix:")
        dm.bullet("1. Person benennen: ", Code(benennen))
        dm.bullet("2. Sobald die Person informiert ist: ", Code(f"anfrage {nr} informiert"))
        dm.line("Stand und Verlauf: ", Code(f"anfrage {nr}"))
        replies.append(dm.reply().direkt_an(partner.nationaler_kontakt))
        antwort.line(
            "Die nationale Ansprechperson ",
            B(partner.nationaler_kontakt_name or partner.nationaler_kontakt),
            " hat eine Direktnachricht mit der Anfrage und der Anleitung bekommen.",
        )
    else:
        fehlt = (
            f"keine Matrix-ID von {partner.nationaler_kontakt_name}"
            if partner.nationaler_kontakt_name
            else "keine nationale Ansprechperson"
        )
        antwort.line(
            f"⚠ Für {partner.kurz} ist {fehlt} hinterlegt; ich kann niemanden direkt "
            f"anschreiben. Bitte fragen Sie bei {partner.kurz} per E-Mail nach (und tragen Sie "
            "die Ansprechperson im Partnerregister nach). Die Antwort tragen Sie selbst ein: ",
            Code(f"{p} {benennen}"),
            " und, sobald die Person informiert ist, ",
            Code(f"{p} anfrage {nr} informiert"),
            ".",
        )
    netz = Msg().line(
        f"Anfrage {nr}: Die Geschäftsstelle hat Ihre Anfrage an die nationale Ansprechperson "
        f"von {partner.kurz} weitergeleitet."
    )
    return [
        antwort.reply(),
        *replies,
        *_protokoll_fuer_gs(ctx, anfrage, f"weitergeleitet von {ctx.nachricht.sender}."),
        *an_netzwerk(ctx, anfrage.netzwerk_id, netz),
    ]


@familie.befehl(
    "anfrage <nr:zahl> aus register",
    hilfe="Die regionale Ansprechperson aus dem Register nehmen, statt den Partner zu fragen",
    wer=_WER_GS,
    details=(
        "Geht, wenn eine frühere Anfrage derselben Region (oder einer Region darum) für diesen "
        "Partner freigegeben wurde. Danach bestätigt der Partner oder die Geschäftsstelle, dass "
        "die Person informiert ist, und die Geschäftsstelle gibt frei."
    ),
    beispiele=("anfrage 5 aus register",),
)
@_vertraulich
def aus_register(ctx: Kontext, nr: int) -> list[Reply]:
    p = ctx.dienste.prefix
    anfrage, uebergang, beteiligt = _schritt(ctx, nr, kv.Schritt.AUS_REGISTER)
    bekannt = sorted(
        ctx.uow.regionale_kontakte.fuer(
            anfrage.partner_id, umfassend(anfrage.region_id, ctx.uow.regionen.kanten())
        ),
        # The network's own region first, then the newest.
        key=lambda k: (k.region_id != anfrage.region_id, -k.freigegeben.timestamp()),
    )
    if not bekannt:
        raise UsageError(
            f"Anfrage {nr} („{anfrage.status}“): Im Register steht keine regionale "
            f"Ansprechperson von {anfrage.partner.kurz} für {anfrage.region.name} (oder eine "
            "Region darum). Es wurde nichts geändert; bitte wie üblich weiterleiten.",
            usage=f"{p} anfrage {nr} weiterleiten",
        )
    k = bekannt[0]
    _setze(
        ctx,
        anfrage,
        uebergang,
        beteiligt,
        person_name=k.name,
        person_email=k.email,
        person_telefon=k.telefon,
    )
    ctx.uow.commit()
    partner = anfrage.partner
    herkunft = f"für {k.region.name}, freigegeben am {_datum(ctx, k.freigegeben)}" + (
        f" mit Anfrage {k.anfrage_id}" if k.anfrage_id else ""
    )
    antwort = Msg().line(
        f"Anfrage {nr}: regionale Ansprechperson aus dem Register übernommen ({herkunft})."
    )
    if kv.sichtbar(anfrage.status, beteiligt, _raumbezug(ctx, anfrage)):
        antwort.bullet(_person(anfrage).zeile())
    antwort.line(
        "Als Nächstes: die Person über die neue Anfrage informieren (lassen) und bestätigen: ",
        Code(f"{p} anfrage {nr} informiert"),
        ", danach ",
        Code(f"{p} anfrage {nr} freigeben"),
        ".",
    )
    replies = [antwort.reply()]
    if partner.nationaler_kontakt:
        dm = (
            Msg(f"Anfrage {nr} der OM-Geschäftsstelle an {partner.kurz}")
            .line(
                "Das ",
                B(anfrage.netzwerk.name),
                f" bittet um eine regionale Ansprechperson von {partner.kurz}. Die "
                f"Geschäftsstelle hat dafür die im Register stehende Person genommen ({herkunft}):",
            )
            .bullet(_person(anfrage).zeile())
            .line(
                "Bitte informieren Sie die Person über die Anfrage und bestätigen Sie dann: ",
                Code(f"anfrage {nr} informiert"),
                ". Ist jemand anderes zuständig: ",
                Code(f"anfrage {nr} benennen Vorname Nachname, E-Mail[, Telefon]"),
            )
        )
        replies.append(dm.reply().direkt_an(partner.nationaler_kontakt))
    netz = Msg().line(
        f"Anfrage {nr}: Für Ihre Region ist eine Ansprechperson von {partner.kurz} bekannt. Die "
        "Geschäftsstelle gibt die Kontaktdaten frei, sobald die Person über Ihre Anfrage "
        "informiert ist."
    )
    return [
        *replies,
        *_protokoll_fuer_gs(
            ctx, anfrage, f"aus dem Register übernommen von {ctx.nachricht.sender}."
        ),
        *an_netzwerk(ctx, anfrage.netzwerk_id, netz),
    ]


@familie.befehl(
    "anfrage <nr:zahl> benennen [<daten>]",
    hilfe="Eine regionale Ansprechperson benennen: Name, E-Mail, Telefon",
    wer=_WER_PARTNER,
    details=(
        "Die E-Mail-Adresse wird geprüft, die Telefonnummer ist freiwillig. Nur im Direktchat "
        "mit dem Bot oder im Raum der Geschäftsstelle senden – nie im Raum eines Netzwerks: die "
        "Kontaktdaten sieht bis zur Freigabe nur die Geschäftsstelle."
    ),
    beispiele=("anfrage 3 benennen Erika Musterfrau, erika@example.org, 0421 123456",),
)
@_vertraulich
def benennen(ctx: Kontext, nr: int, daten: str | None) -> list[Reply]:
    p = ctx.dienste.prefix
    anfrage = _anfrage(ctx, nr)
    beteiligt = _beteiligt(ctx, anfrage)

    def nicht_hier() -> None:
        # Named data may be typed only where it may be shown before the release.
        if not kv.sichtbar(kv.Zustand.BENANNT, beteiligt, _raumbezug(ctx, anfrage)):
            raise UsageError(
                "Kontaktdaten gehören nicht in diesen Raum: hier lesen andere mit, bevor die "
                "Geschäftsstelle sie freigibt. Ich habe nichts gespeichert. Bitte löschen Sie "
                "Ihre Nachricht und senden Sie sie im Direktchat mit mir (nationale "
                "Ansprechperson) oder im Raum der Geschäftsstelle.",
                usage=f"anfrage {nr} benennen <Name>, <E-Mail>[, <Telefon>]",
            )

    uebergang = _pruefe(ctx, anfrage, kv.Schritt.BENENNEN, beteiligt, raumpruefung=nicht_hier)
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
    alt, als = _setze(
        ctx,
        anfrage,
        uebergang,
        beteiligt,
        person_name=person.name,
        person_email=person.email,
        person_telefon=person.telefon,
    )
    ctx.uow.commit()
    partner = anfrage.partner
    antwort = (
        Msg()
        .line(
            f"Danke! Anfrage {nr}: benannt als regionale Ansprechperson von {partner.kurz} für ",
            B(anfrage.netzwerk.name),
            ":",
        )
        .bullet(person.zeile())
        .line(
            "Die Kontaktdaten sieht nur die Geschäftsstelle, bis sie sie freigibt. Als "
            "Nächstes: die Person über die Anfrage aus der Region (und ggf. über die OM) "
            "informieren und dann bestätigen: ",
            Code(f"{p} anfrage {nr} informiert"),
        )
    )
    wer = (
        "die Geschäftsstelle im Namen des Partners"
        if als is kv.Beteiligt.GESCHAEFTSSTELLE
        else partner.nationaler_kontakt_name or ctx.nachricht.sender
    )
    replies = [
        antwort.reply(),
        *_protokoll_fuer_gs(
            ctx,
            anfrage,
            f"Regionale Ansprechperson benannt von {wer}"
            + (" (neue Person, muss neu informiert werden)" if alt is kv.Zustand.INFORMIERT else "")
            + ". Die Daten zeigt ",
            Code(f"{p} anfrage {nr}"),
            " (im Raum der Geschäftsstelle).",
        ),
    ]
    if alt is kv.Zustand.ANGEFRAGT:
        netz = Msg().line(
            f"Anfrage {nr}: {partner.kurz} hat eine regionale Ansprechperson benannt. Die "
            "Kontaktdaten gibt die Geschäftsstelle frei, sobald die Person über Ihre Anfrage "
            "informiert ist."
        )
        replies += an_netzwerk(ctx, anfrage.netzwerk_id, netz)
    return replies


@familie.befehl(
    "anfrage <nr:zahl> informiert",
    hilfe="Bestätigen, dass die benannte Person über Anfrage und OM informiert ist",
    wer=_WER_PARTNER,
    beispiele=("anfrage 3 informiert",),
)
def informiert(ctx: Kontext, nr: int) -> list[Reply]:
    p = ctx.dienste.prefix
    anfrage, uebergang, beteiligt = _schritt(ctx, nr, kv.Schritt.INFORMIERT)
    _setze(ctx, anfrage, uebergang, beteiligt)
    ctx.uow.commit()
    if kv.Beteiligt.GESCHAEFTSSTELLE in beteiligt:
        antwort = Msg().line(
            f"Anfrage {nr}: die benannte Person ist informiert. Bereit zur Freigabe: ",
            Code(f"{p} anfrage {nr} freigeben"),
        )
    else:
        antwort = Msg().line(
            f"Danke! Anfrage {nr}: bestätigt, dass die benannte Person informiert ist. Die "
            "Geschäftsstelle gibt die Kontaktdaten jetzt an das Netzwerk frei."
        )
    return [
        antwort.reply(),
        *_protokoll_fuer_gs(
            ctx,
            anfrage,
            f"Die benannte Person ist informiert (bestätigt von {ctx.nachricht.sender}).",
        ),
    ]


@familie.befehl(
    "anfrage <nr:zahl> freigeben",
    hilfe="Die Kontaktdaten an das anfragende Netzwerk freigeben",
    wer=_WER_GS,
    details=(
        "Erst jetzt schickt der Bot die Kontaktdaten in den Raum (die Räume) des Netzwerks und "
        "trägt die Person als regionale Ansprechperson des Partners für die Region ein."
    ),
    beispiele=("anfrage 3 freigeben",),
)
@_vertraulich
def freigeben(ctx: Kontext, nr: int) -> list[Reply]:
    p = ctx.dienste.prefix
    anfrage, uebergang, beteiligt = _schritt(ctx, nr, kv.Schritt.FREIGEBEN)
    _setze(ctx, anfrage, uebergang, beteiligt)
    person = _person(anfrage)
    ctx.uow.regionale_kontakte.setze(
        anfrage.partner_id,
        anfrage.region_id,
        name=person.name,
        email=person.email,
        telefon=person.telefon,
        anfrage_id=anfrage.id,
        zeit=ctx.now(),
    )
    raeume = [r.room_id for r in ctx.uow.raeume.fuer_netzwerk(anfrage.netzwerk_id)]
    ctx.uow.commit()
    partner, netzwerk, region = anfrage.partner, anfrage.netzwerk, anfrage.region
    daten = Msg(f"✅ Anfrage {nr}: Ihre regionale Ansprechperson von {partner.kurz}")
    daten.bullet("Name: ", B(person.name))
    daten.bullet("E-Mail: ", person.email)
    if person.telefon:
        daten.bullet("Telefon: ", person.telefon)
    daten.bullet("Partner: ", partner.name)
    daten.line(
        f"{partner.kurz} hat die Person über Ihre Anfrage informiert; die Geschäftsstelle hat "
        "die Kontaktdaten freigegeben."
    )
    antwort = Msg().line(f"Anfrage {nr} ist freigegeben.")
    if raeume:
        antwort.line(
            "Die Kontaktdaten stehen jetzt im Raum von ",
            B(netzwerk.name),
            f" ({len(raeume)} {'Raum' if len(raeume) == 1 else 'Räume'}).",
        )
    else:
        antwort.line(
            f"⚠ {netzwerk.name} hat keinen verknüpften Raum mehr; bitte die Kontaktdaten direkt "
            "an die Koordination geben (",
            Code(f"{p} anfrage {nr}"),
            " zeigt sie im Raum der Geschäftsstelle).",
        )
    antwort.line(
        f"Die Person steht jetzt als regionale Ansprechperson von {partner.kurz} für "
        f"{region.name} im Register: die nächste Anfrage aus {region.name} an {partner.kurz} "
        "können Sie daraus beantworten (",
        Code(f"{p} anfrage <Nr> aus register"),
        ") – Sie entscheiden.",
    )
    data_reply = daten.reply()
    return [
        antwort.reply(),
        *(data_reply.to(raum) for raum in raeume),
        *_protokoll_fuer_gs(ctx, anfrage, f"freigegeben von {ctx.nachricht.sender}."),
    ]


@familie.befehl(
    "anfrage <nr:zahl> ablehnen [<grund>]",
    hilfe="Die Anfrage mit Grund ablehnen, vor der Freigabe",
    wer=_WER_GS,
    details="Das anfragende Netzwerk bekommt den Grund mitgeteilt.",
    beispiele=("anfrage 3 ablehnen Der Partner ist in der Region nicht vertreten.",),
)
def ablehnen(ctx: Kontext, nr: int, grund: str | None) -> list[Reply]:
    p = ctx.dienste.prefix
    anfrage, uebergang, beteiligt = _schritt(ctx, nr, kv.Schritt.ABLEHNEN)
    if not grund:
        raise UsageError(
            "Bitte einen Grund angeben; das anfragende Netzwerk bekommt ihn mitgeteilt.",
            usage=f"{p} anfrage {nr} ablehnen <Grund>",
            beispiel=f"{p} anfrage {nr} ablehnen Der Partner ist in der Region nicht vertreten.",
        )
    alt, _ = _setze(ctx, anfrage, uebergang, beteiligt, grund=grund.strip()[:1000])
    ctx.uow.commit()
    partner = anfrage.partner
    antwort = Msg().line(f"Anfrage {nr} ist abgelehnt. Das Netzwerk bekommt den Grund mitgeteilt.")
    netz = (
        Msg()
        .line(
            f"Anfrage {nr} (regionale Ansprechperson von {partner.kurz}) wurde von der "
            "Geschäftsstelle abgelehnt."
        )
        .line("Grund: ", anfrage.grund)
    )
    replies = [antwort.reply(), *an_netzwerk(ctx, anfrage.netzwerk_id, netz)]
    kontakt = partner.nationaler_kontakt
    if kontakt and alt is not kv.Zustand.EINGEGANGEN and kontakt != ctx.nachricht.sender:
        replies.append(
            Msg()
            .line(
                f"Anfrage {nr} ({anfrage.netzwerk.name}) ist erledigt: die Geschäftsstelle hat "
                "sie abgelehnt. Sie müssen dafür nichts mehr tun."
            )
            .reply()
            .direkt_an(kontakt)
        )
    replies += _protokoll_fuer_gs(ctx, anfrage, f"abgelehnt von {ctx.nachricht.sender}.")
    return replies


@familie.befehl(
    "anfrage <nr:zahl> löschen",
    hilfe="Die personenbezogenen Daten einer abgeschlossenen Anfrage löschen",
    wer=_WER_GS,
    details=(
        "Gelöscht werden Notiz, benannte Person, Ablehnungsgrund, die Matrix-ID der anfragenden "
        "Person und der daraus entstandene Registereintrag, dazu die Kopien der Person, die "
        "andere (abgeschlossene) Anfragen aus dem Register übernommen haben; der Verlauf bleibt "
        "anonymisiert (Rollen statt Matrix-IDs). Abgelehnte Anfragen löscht der Bot nach der "
        "Aufbewahrungsfrist selbst."
    ),
    beispiele=("anfrage 3 löschen",),
)
def loeschen(ctx: Kontext, nr: int) -> Reply:
    p = ctx.dienste.prefix
    anfrage = _anfrage(ctx, nr)
    if kv.Beteiligt.GESCHAEFTSSTELLE not in _beteiligt(ctx, anfrage):
        raise AnfrageVerweigert(
            f"Anfrage {nr}: löschen darf nur die Geschäftsstelle. Stand: „{anfrage.status}“. "
            + _text(_weiter(ctx, anfrage))
        )
    if anfrage.geloescht is not None:
        return (
            Msg()
            .line(
                f"Die personenbezogenen Daten von Anfrage {nr} sind schon gelöscht "
                f"(am {_zeit(ctx, anfrage.geloescht)})."
            )
            .reply()
        )
    if anfrage.status.offen:
        raise UsageError(
            f"Anfrage {nr} ist noch offen („{anfrage.status}“). Erst ablehnen – das Netzwerk "
            "erfährt den Grund –, dann löschen. Es wurde nichts geändert.",
            usage=f"{p} anfrage {nr} ablehnen <Grund>",
        )
    try:
        geloescht = personendaten_loeschen(ctx.uow, anfrage, ctx.now(), ctx.nachricht.sender)
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
    ctx.uow.commit()
    register, kopien = geloescht.registereintraege, geloescht.kopien
    antwort = (
        Msg()
        .line(f"Anfrage {nr}: personenbezogene Daten gelöscht.")
        .bullet("Notiz, benannte Person, Ablehnungsgrund, Matrix-ID der anfragenden Person")
    )
    if kopien:
        antwort.bullet(
            "Die aus dem Register übernommene Kopie der Person in "
            + ("den Anfragen " if len(kopien) > 1 else "Anfrage ")
            + ", ".join(str(k) for k in kopien)
        )
    antwort.bullet(
        (
            "Der Registereintrag der regionalen Ansprechperson aus dieser Anfrage"
            if register == 1
            else f"{register} Registereinträge der regionalen Ansprechperson"
        )
        if register
        else "Ein Registereintrag aus dieser Anfrage bestand nicht (mehr)."
    )
    antwort.line(
        "Der Verlauf bleibt anonymisiert (Rollen statt Matrix-IDs); die Löschung selbst ist "
        "protokolliert."
    )
    return antwort.reply()


@familie.befehl(
    "anfrage <nr:zahl>",
    hilfe="Stand und Verlauf einer Anfrage",
    wer=(
        Wer.NETZWERKRAUM,
        Wer.KOORDINATION,
        Wer.NATIONALER_KONTAKT,
        Wer.GESCHAEFTSSTELLE,
        Wer.ADMIN,
    ),
    details=(
        "Die Kontaktdaten der benannten Person zeigt der Bot nur an drei Orten: "
        + kv.ORTE_DER_KONTAKTDATEN
        + ". Anderswo zeigt er die Anfrage ohne die Daten und sagt, wo sie stehen."
    ),
    beispiele=("anfrage 3",),
)
@_vertraulich
def anfrage_zeigen(ctx: Kontext, nr: int) -> Reply:
    anfrage = _anfrage(ctx, nr)
    beteiligt = _beteiligt(ctx, anfrage)
    raum = _raumbezug(ctx, anfrage)
    if not beteiligt and raum is not kv.Raumbezug.ANFRAGEND:
        raise AnfrageVerweigert(
            f"Anfrage {nr} sehen nur die Geschäftsstelle, die nationale Ansprechperson des "
            "Partners und das anfragende Netzwerk.",
            Rolle.NETZWERK,
        )
    partner, netzwerk = anfrage.partner, anfrage.netzwerk
    msg = Msg(f"Anfrage {nr}: regionale Ansprechperson von {partner.kurz}")
    msg.bullet("Netzwerk: ", B(netzwerk.name), f" ({anfrage.region.name})")
    msg.bullet("Partner: ", f"{partner.kurz} – {partner.name}")
    msg.bullet("Stand: ", B(anfrage.status.value), f" (seit {_zeit(ctx, anfrage.geaendert)})")
    msg.bullet(*_weiter(ctx, anfrage))
    if anfrage.notiz:
        msg.bullet("Notiz: ", anfrage.notiz)
    if anfrage.status is kv.Zustand.ABGELEHNT and anfrage.grund:
        msg.bullet("Grund der Ablehnung: ", anfrage.grund)
    if anfrage.person_name:
        if kv.sichtbar(anfrage.status, beteiligt, raum):
            msg.bullet("Benannte Person: ", B(_person(anfrage).zeile()))
        elif anfrage.status is kv.Zustand.FREIGEGEBEN:
            msg.bullet(
                "Benannte Person: ",
                I(
                    f"freigegeben – die Kontaktdaten stehen in den Räumen von {netzwerk.name} "
                    "(hier zeigt der Bot sie nicht)"
                ),
            )
        else:
            msg.bullet(
                "Benannte Person: ",
                I(
                    "die Kontaktdaten zeigt der Bot erst nach der Freigabe durch die "
                    "Geschäftsstelle, dann in den Räumen des anfragenden Netzwerks; bis dahin "
                    "nur im Raum der Geschäftsstelle und im Direktchat der nationalen "
                    "Ansprechperson"
                ),
            )
    if anfrage.geloescht is not None:
        msg.bullet(f"Personenbezogene Daten gelöscht am {_zeit(ctx, anfrage.geloescht)}")
    msg.line(B("Verlauf"))
    for eintrag in ctx.uow.anfragen.verlauf(anfrage):
        vorher = (eintrag.vorher or {}).get("status")
        nachher = eintrag.nachher or {}
        schritt = nachher.get("schritt", "")
        try:
            rolle = kv.Beteiligt(nachher.get("rolle", "")).kurz
        except ValueError:
            rolle = ""
        if schritt == "löschen":
            was = "personenbezogene Daten gelöscht"
        elif vorher:
            was = f"{vorher} → {nachher.get('status')}" + (f" ({schritt})" if schritt else "")
        else:
            was = f"→ {nachher.get('status')}"
        msg.bullet(
            f"{_zeit(ctx, eintrag.zeit)} · ",
            was,
            f" · {eintrag.akteur}",
            f" ({rolle})" if rolle and not eintrag.akteur.startswith("(") else "",
        )
    return msg.reply()
