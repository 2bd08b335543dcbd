"""Keeping the network register in the chat: create networks, the recognition workflow
(seed 001) and the application's goals and approach.

The family `register` has three modules, registered in this order (each imports the one
before, so the help lists them as before): this one, `register_kontakte` (partners, contact
persons, report and Selbsterklärung dates, open/fee-free) and `verlauf`. The commands parse and
word the answers; the use cases – right, rules, audit, commit – are
`om_bot.services.register_pflege`. Changes are for the Geschäftsstelle and admins; every
change is written to the audit log with who, when, before → after, and `/om verlauf
<Netzwerk>` shows it.
"""

from __future__ import annotations

import re
from datetime import date

from om_bot.chat.registry import Familie, UsageError
from om_bot.chat.router import Kontext
from om_bot.commands.aufruf import aufruf
from om_bot.domain.anerkennung import (
    NAECHSTE,
    SCHRITT,
    UebergangFehler,
    braucht_grund,
    schritt_text,
    status_aus_text,
)
from om_bot.domain.audit import STATUS_AKTIONEN
from om_bot.domain.matching import fold, meinten_sie, suggest
from om_bot.domain.netzwerk import Art, Dach, Status
from om_bot.domain.roles import Rolle
from om_bot.services import register_pflege as pflege
from om_bot.services.register import ART_TEXT, finde_netzwerk, finde_region
from om_bot.services.register_daten import MAX_NAME
from om_bot.storage.models import AuditEintrag, Netzwerk, Region
from om_bot.text.format import B, Code, I, Msg
from om_bot.text.messages import Reply

familie = Familie(
    "register",
    "Register pflegen und Anerkennungsverfahren",
    aliase=("anlegen", "anerkennung", "status", "mitglied", "kontakte"),
)

GS = Rolle.GESCHAEFTSSTELLE


# --- helpers shared with kriterien.py, register_kontakte.py and verlauf.py ---------------


def heute(ctx: Kontext) -> date:
    """Today in the bot's time zone, from the injected clock."""
    return ctx.now().astimezone(ctx.dienste.tz).date()


def netzwerk_oder_raum(ctx: Kontext, text: str | None, befehl: str) -> Netzwerk:
    """The network `text` names, or without text the network this room is linked to."""
    if text:
        return finde_netzwerk(ctx.uow, text)
    raum = ctx.uow.raeume.get(ctx.nachricht.room_id)
    if raum is not None and raum.netzwerk_id is not None:
        netzwerk = ctx.uow.netzwerke.get(raum.netzwerk_id)
        if netzwerk is not None:
            return netzwerk
    p = ctx.dienste.prefix
    raise UsageError(
        "Welches Netzwerk? Dieser Raum ist mit keinem Netzwerk verknüpft.",
        usage=f"{p} {befehl} <Netzwerk>",
        beispiel=f"{p} {befehl} Hamburg",
    )


def netzwerk_befehl(ctx: Kontext, netzwerk: Netzwerk, rest: str) -> Code:
    return Code(f"{ctx.dienste.prefix} netzwerk {netzwerk.name} {rest}")


# --- anlegen ---------------------------------------------------------------------------------


def _dach(ctx: Kontext, text: str | None) -> Dach:
    if not text:
        return Dach.OM
    for dach in Dach:
        if fold(text) == fold(dach.value):
            return dach
    raise UsageError(
        f"Das Dach „{text[:20]}“ kenne ich nicht. Möglich: OM, DDN (Das Demographie Netzwerk), "
        "OGB (Offensive Gutes Bauen).",
        beispiel=f"{ctx.dienste.prefix} netzwerk anlegen DDN-Netzwerk Lüneburg in Lüneburg "
        "dach DDN",
    )


def _region_und_name(ctx: Kontext, name: str, region: str) -> tuple[str, Region]:
    """Resolve the region; if the name itself contains " in ", try the later splits too."""
    try:
        return name, finde_region(ctx.uow, region)
    except UsageError as fehler:
        teile = re.split(r"\s+in\s+", region, flags=re.IGNORECASE)
        for i in range(1, len(teile)):
            kandidat = ctx.uow.regionen.nach_schluessel(fold(" in ".join(teile[i:])))
            if kandidat is not None:
                return f"{name} in {' in '.join(teile[:i])}", kandidat
        raise UsageError(
            fehler.meldung,
            usage=f"{ctx.dienste.prefix} netzwerk anlegen <Name> in <Region>",
            beispiel=f"{ctx.dienste.prefix} netzwerk anlegen Netzwerk Lüneburg in Lüneburg",
        ) from None


def _anlegen(
    ctx: Kontext,
    *,
    name: str,
    region: str | None,
    dach: str | None,
    thema: str | None,
    teilnetz: bool,
) -> Reply:
    p = ctx.dienste.prefix
    art = Art.FACHGRUPPE if thema else Art.REGIONAL
    if not region:
        if art is Art.REGIONAL:
            raise UsageError(
                "Bitte die Region angeben („in <Region>“); eine Fachgruppe braucht ein Thema "
                "(„fachgruppe <Thema>“) und ist ohne Region bundesweit.",
                usage=f"{p} netzwerk anlegen <Name> in <Region>",
                beispiel=f"{p} netzwerk anlegen Netzwerk Lüneburg in Lüneburg",
            )
        region = "Deutschland"
    name, ort = _region_und_name(ctx, name, region)
    name = pflege.text(name, "Der Name", MAX_NAME)
    gewaehlt = _dach(ctx, dach)
    angelegt = pflege.netzwerk_anlegen(
        aufruf(ctx),
        name=name,
        region=ort,
        dach=gewaehlt,
        thema=thema or "",
        teilnetz=teilnetz,
        heute=heute(ctx),
    )
    netzwerk, neben = angelegt.netzwerk, angelegt.neben
    thema_text = netzwerk.thema
    msg = Msg().line(
        "✅ Angelegt: ",
        B(name),
        f" – {gewaehlt.value} · {ART_TEXT[netzwerk.art]}"
        + (f" ({thema_text})" if thema_text else "")
        + f" · {ort.name} · Status: beantragt ({SCHRITT[Status.BEANTRAGT]}).",
    )
    if neben:
        msg.line("Im Konsens vereinbartes Teilnetz neben: ", ", ".join(o.name for o in neben), ".")
    elif teilnetz:
        msg.line("Hinweis: Kein anderes Netzwerk überschneidet sich; kein Teilnetz nötig.")
    msg.line("Als Nächstes:")
    msg.bullet(
        "Ziele und Vorgehensweise des Antrags: ", netzwerk_befehl(ctx, netzwerk, "ziele <Text>")
    )
    msg.bullet(
        "Partner: ", netzwerk_befehl(ctx, netzwerk, "mitglied <Organisation> als intermediär")
    )
    msg.bullet(
        "Ansprechpersonen: ",
        netzwerk_befehl(ctx, netzwerk, "kontakt Koordination <Name>, <Organisation>"),
    )
    msg.bullet("Zum Leitungskreis: ", netzwerk_befehl(ctx, netzwerk, "status leitungskreis"))
    return msg.reply()


_ANLEGEN_DETAILS = (
    "Legt ein Netzwerk mit Status „beantragt“ an. Ohne „dach“ gehört es zur OM; „fachgruppe "
    "<Thema>“ (oder „thema <Thema>“) macht eine Fachgruppe daraus (ohne Region: bundesweit). "
    "Je Region bzw. Thema gibt es nur ein Netzwerk desselben Dachs (Plenum 31.10.2014); ein "
    "kleineres Netzwerk innerhalb einer größeren Region nur im Konsens – dann „teilnetz“ ans "
    "Ende. Netzwerke von DDN und OGB zählen dabei nicht gegen die OM."
)


@familie.befehl(
    "netzwerk anlegen <name> [in <region>] [dach <dach:wort>] [fachgruppe|thema <thema>] teilnetz",
    hilfe="Ein im Konsens vereinbartes kleineres Netzwerk (Teilnetz) anlegen",
    rolle=GS,
    details=_ANLEGEN_DETAILS,
    beispiele=("netzwerk anlegen OM-Netzwerk Nürnberg in Nürnberg teilnetz",),
)
def netzwerk_anlegen_teilnetz(
    ctx: Kontext, name: str, region: str | None, dach: str | None, thema: str | None
) -> Reply:
    return _anlegen(ctx, name=name, region=region, dach=dach, thema=thema, teilnetz=True)


@familie.befehl(
    "netzwerk anlegen <name> [in <region>] [dach <dach:wort>] [fachgruppe|thema <thema>]",
    hilfe="Ein neues Netzwerk oder eine Fachgruppe anlegen (Status: beantragt)",
    rolle=GS,
    details=_ANLEGEN_DETAILS,
    beispiele=(
        "netzwerk anlegen Netzwerk Lüneburg in Lüneburg",
        "netzwerk anlegen DDN-Netzwerk Lüneburg in Lüneburg dach DDN",
        "netzwerk anlegen OM-Fachgruppe Demografie fachgruppe Demografie",
    ),
)
def netzwerk_anlegen(
    ctx: Kontext, name: str, region: str | None, dach: str | None, thema: str | None
) -> Reply:
    return _anlegen(ctx, name=name, region=region, dach=dach, thema=thema, teilnetz=False)


# --- status (recognition workflow) -----------------------------------------------------------


def _schritte(ctx: Kontext, msg: Msg, netzwerk: Netzwerk) -> None:
    """The allowed next steps of `netzwerk`'s workflow as bullets with the command to type."""
    for s in NAECHSTE[netzwerk.status]:
        grund = " <Grund>" if braucht_grund(netzwerk.status, s) else ""
        msg.bullet(
            B(s.value),
            f" – {schritt_text(netzwerk.status, s)}: ",
            netzwerk_befehl(ctx, netzwerk, f"status {s.value}{grund}"),
        )


def _status_seit(ctx: Kontext, netzwerk: Netzwerk) -> AuditEintrag | None:
    for eintrag in ctx.uow.audit.fuer_netzwerk(netzwerk.id, limit=200):
        if eintrag.aktion in STATUS_AKTIONEN:
            return eintrag
    return None


@familie.befehl(
    "netzwerk <netzwerk> status <status:wort> [<grund>]",
    hilfe="Den Anerkennungsstatus ändern (nur erlaubte Schritte), optional mit Grund",
    rolle=GS,
    details=(
        "Ablauf nach dem Beschluss des Plenums vom 31.10.2014: beantragt → leitungskreis → "
        "ag_transfer → plenum → anerkannt; das Plenum kann die Anerkennung entziehen "
        "(entzogen, mit Grund). Leitungskreis, AG Transfer oder Plenum können einen Antrag "
        "zurück auf „beantragt“ geben (mit Grund); nach einem Entzug ist ein neuer Antrag "
        "möglich (entzogen → beantragt). Jeder Schritt wird mit Datum und Person protokolliert."
    ),
    beispiele=(
        "netzwerk Hannover status leitungskreis",
        "netzwerk München status plenum Vorstellung am 12.03. in der AG Transfer",
        "netzwerk Bremen status entzogen Beschluss des Plenums",
    ),
)
def status_aendern(ctx: Kontext, netzwerk: str, status: str, grund: str | None) -> Reply:
    p = ctx.dienste.prefix
    n = finde_netzwerk(ctx.uow, netzwerk)
    if fold(status) == "ag" and grund and fold(grund).split()[0] == "transfer":
        # "status ag transfer …" – the status word was split in two.
        grund = grund.split(maxsplit=1)[1] if len(grund.split()) > 1 else None
    nach = status_aus_text(status)
    if nach is None:
        werte = [s.value for s in Status]
        raise UsageError(
            " ".join(
                t
                for t in (
                    f"Den Status „{status[:30]}“ kenne ich nicht.",
                    meinten_sie(suggest(status, werte)),
                    f"Möglich: {', '.join(werte)}.",
                )
                if t
            ),
            usage=f"{p} netzwerk <Netzwerk> status <Status> [Grund]",
            beispiel=f"{p} netzwerk {n.name} status {NAECHSTE[n.status][0].value}",
        )
    vorher = n.status
    try:
        wechsel = pflege.status_aendern(aufruf(ctx), n, nach, grund, heute(ctx))
    except UebergangFehler as fehler:
        erlaubt = ", ".join(f"„{s.value}“ ({schritt_text(vorher, s)})" for s in fehler.erlaubt)
        ziel = fehler.erlaubt[0]
        raise UsageError(
            f"{n.name} steht auf „{vorher.value}“. {fehler.meldung} Erlaubt ist: {erlaubt}.",
            usage=f"{p} netzwerk <Netzwerk> status <Status> [Grund]",
            beispiel=f"{p} netzwerk {n.name} status {ziel.value}"
            + (" <Grund>" if braucht_grund(vorher, ziel) else ""),
        ) from None
    grund = wechsel.grund
    zeit = ctx.now().astimezone(ctx.dienste.tz)
    msg = Msg().line(
        B(n.name), f": {vorher.value} → ", B(nach.value), f" ({schritt_text(vorher, nach)})."
    )
    msg.line(f"Eingetragen am {zeit:%d.%m.%Y um %H:%M} von {ctx.nachricht.sender}.")
    if grund:
        msg.line("Grund: ", grund)
    if nach is Status.LEITUNGSKREIS and not (n.ziele and n.vorgehen):
        msg.line(
            "Hinweis: Zum Antrag gehören Ziele und Vorgehensweise; noch nicht eingetragen: ",
            netzwerk_befehl(ctx, n, "ziele <Text>"),
            " / ",
            netzwerk_befehl(ctx, n, "vorgehen <Text>"),
        )
    if wechsel.streit:
        msg.line(
            "⚠ Achtung, Regel „ein Netzwerk je Region/Thema“: überschneidet sich mit ",
            ", ".join(o.name for o in wechsel.streit),
            ".",
        )
    msg.line("Nächste mögliche Schritte:")
    _schritte(ctx, msg, n)
    return msg.reply()


@familie.befehl(
    "netzwerk <netzwerk> status",
    hilfe="Anerkennungsstand, Antrag (Ziele, Vorgehensweise) und die möglichen nächsten Schritte",
    beispiele=("netzwerk Hannover status",),
)
def status_zeigen(ctx: Kontext, netzwerk: str) -> Reply:
    n = finde_netzwerk(ctx.uow, netzwerk)
    msg = Msg(n.name)
    msg.bullet("Status: ", B(n.status.value), f" ({SCHRITT[n.status]})")
    seit = _status_seit(ctx, n)
    if seit is not None:
        zeit = seit.zeit.astimezone(ctx.dienste.tz)
        msg.bullet(f"Seit {zeit:%d.%m.%Y}, eingetragen von {seit.akteur}")
    msg.bullet("Ziele: ", n.ziele or I("noch nicht eingetragen"))
    msg.bullet("Vorgehensweise: ", n.vorgehen or I("noch nicht eingetragen"))
    msg.line("Mögliche nächste Schritte (Geschäftsstelle):")
    _schritte(ctx, msg, n)
    msg.line(I("Ablauf: beantragt → leitungskreis → ag_transfer → plenum → anerkannt."))
    return msg.reply()


# --- the application: goals and approach ---------------------------------------------------


def _antrag(ctx: Kontext, netzwerk: str, feld: pflege.Antragsfeld, titel: str, text: str) -> Reply:
    n = finde_netzwerk(ctx.uow, netzwerk)
    if not pflege.antrag_eintragen(aufruf(ctx), n, feld, text, titel):
        return Msg().line(f"{titel} von ", B(n.name), " sind schon so eingetragen.").reply()
    return Msg().line(f"✅ {titel} von ", B(n.name), " eingetragen.").reply()


@familie.befehl(
    "netzwerk <netzwerk> ziele <text>",
    hilfe="Die Ziele aus dem Antrag eintragen",
    rolle=GS,
    details="Zum Antrag beim Leitungskreis gehören Region bzw. Thema, Ziele und Vorgehensweise.",
    beispiele=("netzwerk Lüneburg ziele KMU der Region für gute Arbeit gewinnen",),
)
def ziele(ctx: Kontext, netzwerk: str, text: str) -> Reply:
    return _antrag(ctx, netzwerk, "ziele", "Ziele", text)


@familie.befehl(
    "netzwerk <netzwerk> vorgehen <text>",
    hilfe="Die Vorgehensweise aus dem Antrag eintragen",
    rolle=GS,
    beispiele=("netzwerk Lüneburg vorgehen Zwei Netzwerktreffen im Jahr, Praxis-Checks",),
)
def vorgehen(ctx: Kontext, netzwerk: str, text: str) -> Reply:
    return _antrag(ctx, netzwerk, "vorgehen", "Vorgehensweise", text)
