"""`kontakt`, `anfragen`, `anfrage …`: the contact procedure of seed 002 in the chat.

A coordinator asks in the network's room (`kontakt IHK`); the Geschäftsstelle forwards the
request to the partner's national contact person (a direct message), who names a regional
person and confirms that the person was informed; the Geschäftsstelle releases the contact data,
and only then the bot posts it to the network's room(s) and records the person as the partner's
regional contact for the region. The steps – looking up, who is involved, checking person and
state, the compare-and-set, audit and commit – are the use cases of
`om_bot.services.kontaktverfahren` (rules: `om_bot.domain.kontaktverfahren`); this module parses
the commands and words the answers (`anfragen_text.py`, the lists `anfragenliste.py`).

The step commands are declared for everybody (`Rolle.JEDER`, with `wer=` for the help) because
the router's role check could only say "not you"; the service checks the person *and* the state
and refuses with both plus the next step. Contact data never goes into the audit log, a log line
or a network's room before the release; handlers that touch it are wrapped in `_vertraulich`,
which keeps exception texts (that may quote SQL parameters) and the command text out of the log.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from om_bot.chat.registry import Familie, UsageError
from om_bot.chat.router import Kontext
from om_bot.commands import anfragen_text as text
from om_bot.commands import anfragenliste
from om_bot.commands.aufruf import aufruf
from om_bot.commands.zustellung import an_geschaeftsstelle, an_netzwerk, benachrichtigend
from om_bot.domain import kontaktverfahren as kv
from om_bot.domain.ansprachen import (
    FENSTER,
    Beschreibung,
    Quelle,
    hinweis,
    warnung,
)
from om_bot.domain.roles import Rolle, Verweigert, Wer
from om_bot.services import ansprachen
from om_bot.services import kontaktverfahren as kvs
from om_bot.services.kontaktverfahren_ergebnisse import SchonOffen, ZuViele
from om_bot.storage.models import Anfrage, Ansprache, Netzwerk, Partner
from om_bot.text.format import B, Code, I, Msg
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


class VertraulicherFehler(RuntimeError):
    """An unexpected failure in a handler that touches contact data, without the original
    message (which may quote it); raised with the original traceback's frames."""


def _vertraulich(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Replace an unexpected failure here by one whose message names only its type: the
    original message may quote contact data (the `benennen` text, an integrity error's values).
    The router logs it (outcome ``error``, the frames of the traceback) and apologises."""

    @functools.wraps(handler)
    def wrapper(ctx: Kontext, **arguments: Any) -> Any:
        try:
            return handler(ctx, **arguments)
        except (UsageError, Verweigert):
            raise
        except Exception as exc:
            raise VertraulicherFehler(
                f"{handler.__name__} failed with {type(exc).__name__} "
                "(message withheld: it may contain contact data)"
            ).with_traceback(exc.__traceback__) from None

    return wrapper


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
    def parallelansprache(
        anfrage: Anfrage, netzwerk: Netzwerk, ziel: Partner, jetzt: datetime
    ) -> Sequence[Ansprache]:
        # Parallelansprache (seed 000): the request is an approach of the partner by this
        # network – recorded and matched by the one use case `ansprache` uses too.
        return ansprachen.erfassen(
            ctx.uow,
            netzwerk,
            ziel.kurz,
            zeit=jetzt,
            quelle=Quelle.ANFRAGE,
            partner=ziel,
            anfrage_id=anfrage.id,
        ).parallel

    ergebnis = kvs.anfragen(aufruf(ctx), partner, notiz, parallelansprache)
    if isinstance(ergebnis, SchonOffen):
        return [text.schon_offen(ctx, ergebnis)]
    if isinstance(ergebnis, ZuViele):
        return [
            anfragenliste.zu_viele_offene(
                ctx, ergebnis.netzwerk, ergebnis.offene, ergebnis.hoechstens
            )
        ]
    p = ctx.dienste.prefix
    anfrage, netzwerk, ziel, parallel = (
        ergebnis.anfrage,
        ergebnis.netzwerk,
        ergebnis.partner,
        ergebnis.parallel,
    )

    eigene = Beschreibung(netzwerk.name, ziel.kurz, ergebnis.jetzt, Quelle.ANFRAGE, anfrage.id)
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
    warnung(antwort, [ansprachen.beschreibung(a) for a in parallel], ctx.dienste.tz)

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
    if ergebnis.notiz:
        gs.bullet("Notiz: ", ergebnis.notiz)
    if ergebnis.bekannt is not None:
        gs.line(*text.register_hinweis(ctx, ziel.kurz, ergebnis.bekannt, anfrage.id))
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
    # The Geschäftsstelle has to act on a new request: notifying.
    an_gs = benachrichtigend(ctx, an_geschaeftsstelle(ctx, gs))
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
            ctx,
            a.netzwerk_id,
            hinweis(eigene, ansprachen.beschreibung(a), ctx.dienste.tz),
            auch_hier=True,
        )
    return [antwort.reply(), *an_gs, *benachrichtigend(ctx, andere)]


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
    return text.weitergeleitet(ctx, kvs.weiterleiten(aufruf(ctx), nr))


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
    return text.aus_register(ctx, kvs.aus_register(aufruf(ctx), nr))


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
    return text.benannt(ctx, kvs.benennen(aufruf(ctx), nr, daten))


@familie.befehl(
    "anfrage <nr:zahl> informiert",
    hilfe="Bestätigen, dass die benannte Person über Anfrage und OM informiert ist",
    wer=_WER_PARTNER,
    beispiele=("anfrage 3 informiert",),
)
def informiert(ctx: Kontext, nr: int) -> list[Reply]:
    return text.informiert(ctx, kvs.informiert(aufruf(ctx), nr))


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
    return text.freigegeben(ctx, kvs.freigeben(aufruf(ctx), nr))


@familie.befehl(
    "anfrage <nr:zahl> ablehnen [<grund>]",
    hilfe="Die Anfrage mit Grund ablehnen, vor der Freigabe",
    wer=_WER_GS,
    details="Das anfragende Netzwerk bekommt den Grund mitgeteilt.",
    beispiele=("anfrage 3 ablehnen Der Partner ist in der Region nicht vertreten.",),
)
def ablehnen(ctx: Kontext, nr: int, grund: str | None) -> list[Reply]:
    return text.abgelehnt(ctx, kvs.ablehnen(aufruf(ctx), nr, grund))


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
    return text.geloescht(ctx, kvs.loeschen(aufruf(ctx), nr))


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
    return text.ansicht(ctx, kvs.zeigen(aufruf(ctx), nr))
