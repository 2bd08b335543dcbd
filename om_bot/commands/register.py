"""Keeping the network register in the chat: create networks, the recognition workflow
(seed 001), partners, contact persons, report and Selbsterklärung dates, and `verlauf`.

Every change is written to the audit log (`ctx.audit`) with who, when, before → after;
`/om verlauf <Netzwerk>` shows it. Changes are for the Geschäftsstelle and admins.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

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
from om_bot.domain.audit import STATUS_AKTIONEN, VERTRAULICHE_PRAEFIXE, AuditAktion
from om_bot.domain.dates import datum_text
from om_bot.domain.kriterien import (
    jahre_spaeter,
)
from om_bot.domain.matching import fold, meinten_sie, suggest
from om_bot.domain.netzwerk import Art, Dach, KontaktRolle, MitgliedTyp, Status
from om_bot.domain.roles import Rolle
from om_bot.services import register_pflege as pflege
from om_bot.services.register import ART_TEXT, STATUS_TEXT, finde_netzwerk, finde_region, rollen_von
from om_bot.services.register_daten import MAX_NAME, KontaktDaten
from om_bot.storage.models import AuditEintrag, Netzwerk, Region
from om_bot.text.format import B, Code, I, Msg, Part
from om_bot.text.messages import Reply

familie = Familie(
    "register",
    "Register pflegen und Anerkennungsverfahren",
    aliase=("anlegen", "anerkennung", "status", "mitglied", "kontakte"),
)

GS = Rolle.GESCHAEFTSSTELLE


# --- helpers shared with om_bot/commands/kriterien.py
# -----------------------------------------------


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


def _befehl(ctx: Kontext, netzwerk: Netzwerk, rest: str) -> Code:
    return Code(f"{ctx.dienste.prefix} netzwerk {netzwerk.name} {rest}")


_DATUM_DE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})$")
_DATUM_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def lies_datum(text: str, heute: date, beispiel: str) -> date:
    """A date as people type it: 12.03.2026, 12.3.26, 2026-03-12, heute, gestern (whether it
    may be entered is `register_pflege.pruefe_datum`)."""
    roh = text.strip()
    wort = fold(roh).removeprefix("am ").strip()
    if wort == "heute":
        return heute
    if wort == "gestern":
        return heute - timedelta(days=1)
    roh = re.sub(r"^am\s+", "", roh, flags=re.IGNORECASE)
    if m := _DATUM_DE.match(roh):
        tag, monat, jahr = int(m[1]), int(m[2]), int(m[3])
        jahr += 2000 if jahr < 100 else 0
    elif m := _DATUM_ISO.match(roh):
        jahr, monat, tag = int(m[1]), int(m[2]), int(m[3])
    else:
        raise UsageError(
            f"„{text[:40]}“ verstehe ich nicht als Datum. Bitte so: 12.03.2026 (oder „heute“).",
            beispiel=beispiel,
        )
    try:
        return date(jahr, monat, tag)
    except ValueError:
        raise UsageError(f"Den {roh} gibt es nicht.", beispiel=beispiel) from None


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
    msg.bullet("Ziele und Vorgehensweise des Antrags: ", _befehl(ctx, netzwerk, "ziele <Text>"))
    msg.bullet("Partner: ", _befehl(ctx, netzwerk, "mitglied <Organisation> als intermediär"))
    msg.bullet(
        "Ansprechpersonen: ",
        _befehl(ctx, netzwerk, "kontakt Koordination <Name>, <Organisation>"),
    )
    msg.bullet("Zum Leitungskreis: ", _befehl(ctx, netzwerk, "status leitungskreis"))
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
            _befehl(ctx, netzwerk, f"status {s.value}{grund}"),
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
            _befehl(ctx, n, "ziele <Text>"),
            " / ",
            _befehl(ctx, n, "vorgehen <Text>"),
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


# --- partners --------------------------------------------------------------------------------

_TYPEN = {
    "intermediaer": MitgliedTyp.INTERMEDIAER,
    "intermediaere": MitgliedTyp.INTERMEDIAER,
    "oeffentlich": MitgliedTyp.OEFFENTLICH,
    "oeffentliche": MitgliedTyp.OEFFENTLICH,
    "unternehmen": MitgliedTyp.UNTERNEHMEN,
    "berater": MitgliedTyp.BERATER,
    "beratung": MitgliedTyp.BERATER,
    "sonstige": MitgliedTyp.SONSTIGE,
    "sonstiges": MitgliedTyp.SONSTIGE,
}
_TYP_TEXT = {
    MitgliedTyp.INTERMEDIAER: "intermediär",
    MitgliedTyp.OEFFENTLICH: "öffentlich",
    MitgliedTyp.UNTERNEHMEN: "Unternehmen",
    MitgliedTyp.BERATER: "Berater",
    MitgliedTyp.SONSTIGE: "sonstige",
}


def _partner_stand(n: Netzwerk) -> str:
    zahl = {t: sum(1 for m in n.mitglieder if m.typ is t) for t in MitgliedTyp}
    return (
        f"Jetzt {len(n.mitglieder)} Partner, davon {zahl[MitgliedTyp.INTERMEDIAER]} intermediär "
        f"und {zahl[MitgliedTyp.OEFFENTLICH]} öffentlich."
    )


@familie.befehl(
    "netzwerk <netzwerk> mitglied <organisation> als <typ:wort>",
    hilfe="Einen Partner (Organisation) eintragen oder seinen Typ ändern",
    rolle=GS,
    details=(
        "Typen: intermediär (Kammern, Verbände …), öffentlich (öffentliche Institution), "
        "Unternehmen, Berater, sonstige. Die Kriterien verlangen mindestens drei Partner, davon "
        "eine öffentliche Institution, und mindestens drei intermediäre Organisationen."
    ),
    beispiele=("netzwerk Lüneburg mitglied IHK Lüneburg-Wolfsburg als intermediär",),
)
def mitglied(ctx: Kontext, netzwerk: str, organisation: str, typ: str) -> Reply:
    n = finde_netzwerk(ctx.uow, netzwerk)
    gewaehlt = _TYPEN.get(fold(typ))
    if gewaehlt is None:
        raise UsageError(
            f"Den Typ „{typ[:30]}“ kenne ich nicht. Möglich: intermediär, öffentlich, "
            "Unternehmen, Berater, sonstige.",
            beispiel=f"{ctx.dienste.prefix} netzwerk {n.name} mitglied {organisation} als "
            "intermediär",
        )
    gesetzt = pflege.partner_setzen(aufruf(ctx), n, organisation, gewaehlt)
    m, alt = gesetzt.mitglied, gesetzt.vorher
    if alt is gewaehlt:
        return (
            Msg().line(B(m.name), " ist schon als ", _TYP_TEXT[gewaehlt], " eingetragen.").reply()
        )
    if alt is not None:
        text = f"{m.name}: {_TYP_TEXT[alt]} → {_TYP_TEXT[gewaehlt]}."
    else:
        text = f"{m.name} ist jetzt Partner ({_TYP_TEXT[gewaehlt]})."
    return Msg().line("✅ ", B(n.name), ": ", text).line(_partner_stand(n)).reply()


@familie.befehl(
    "netzwerk <netzwerk> mitglied entfernen|löschen <organisation>",
    hilfe="Einen Partner austragen",
    rolle=GS,
    beispiele=("netzwerk Lüneburg mitglied entfernen IHK Lüneburg-Wolfsburg",),
)
def mitglied_entfernen(ctx: Kontext, netzwerk: str, organisation: str) -> Reply:
    n = finde_netzwerk(ctx.uow, netzwerk)
    weg = pflege.partner_austragen(aufruf(ctx), n, organisation)
    msg = Msg().line("✅ ", B(n.name), f": {weg.name} ist kein Partner mehr.")
    msg.line(_partner_stand(n))
    if any(fold(k.organisation) == fold(weg.name) for k in n.kontakte):
        msg.line("Hinweis: Eine Ansprechperson des Netzwerks gehört noch zu dieser Organisation.")
    return msg.reply()


# --- contact persons -------------------------------------------------------------------------

_ROLLEN = {
    "koordination": KontaktRolle.KOORDINATION,
    "netzwerkkoordination": KontaktRolle.KOORDINATION,
    "koordinator": KontaktRolle.KOORDINATION,
    "koordinatorin": KontaktRolle.KOORDINATION,
    "moderation": KontaktRolle.MODERATION,
    "moderator": KontaktRolle.MODERATION,
    "moderatorin": KontaktRolle.MODERATION,
}
_NICHT_OEFFENTLICH = {"nicht oeffentlich", "intern", "vertraulich", "nicht nennen"}


def _kontakt_daten(ctx: Kontext, n: Netzwerk, rolle: KontaktRolle, angaben: str) -> KontaktDaten:
    beispiel = (
        f"{ctx.dienste.prefix} netzwerk {n.name} kontakt {rolle.value} Erika Musterfrau, "
        "IHK Lüneburg-Wolfsburg, erika@example.org, @erika:example.org"
    )
    teile = [t.strip() for t in angaben.split(",") if t.strip()]
    if not teile:
        raise UsageError("Bitte den Namen der Ansprechperson angeben.", beispiel=beispiel)
    if "@" in teile[0]:
        raise UsageError(
            "Zuerst kommt der Name der Person, dann die Organisation.", beispiel=beispiel
        )
    werte: dict[str, Any] = {"rolle": rolle, "name": pflege.text(teile[0], "Der Name", MAX_NAME)}
    for teil in teile[1:]:
        key = fold(teil)
        if key in _NICHT_OEFFENTLICH:
            werte["oeffentlich"] = False
        elif key == "oeffentlich":
            werte["oeffentlich"] = True
        elif teil.startswith("@"):
            werte["matrix"] = pflege.text(teil, "Die Matrix-ID", 255)
        elif "@" in teil:
            werte["email"] = pflege.text(teil, "Die E-Mail-Adresse", 254)
        elif "organisation" not in werte:
            werte["organisation"] = pflege.text(teil, "Der Name der Organisation", MAX_NAME)
        else:
            raise UsageError(
                f"„{teil[:60]}“ verstehe ich nicht: nach Name und Organisation kommen nur "
                "E-Mail, Matrix-ID und „nicht öffentlich“.",
                beispiel=beispiel,
            )
    try:
        daten = KontaktDaten(**werte)
    except ValidationError as fehler:
        gruende = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in fehler.errors())
        raise UsageError(f"Die Angaben passen nicht: {gruende}", beispiel=beispiel) from None
    return daten


@familie.befehl(
    "netzwerk <netzwerk> kontakt entfernen|löschen|austragen <person>",
    hilfe="Eine Ansprechperson austragen (in allen ihren Rollen)",
    rolle=GS,
    beispiele=("netzwerk Lüneburg kontakt entfernen Erika Musterfrau",),
)
def kontakt_entfernen(ctx: Kontext, netzwerk: str, person: str) -> Reply:
    n = finde_netzwerk(ctx.uow, netzwerk)
    weg = pflege.kontakt_austragen(aufruf(ctx), n, person)
    rollen = " und ".join(k.rolle.value for k in weg)
    return Msg().line("✅ ", B(n.name), f": {weg[0].name} ist nicht mehr {rollen}.").reply()


@familie.befehl(
    "netzwerk <netzwerk> kontakt <rolle:wort> <angaben>",
    hilfe="Eine Ansprechperson (Koordination oder Moderation) eintragen oder ändern",
    rolle=GS,
    details=(
        "Angaben durch Kommas getrennt: Name, Organisation, dann optional E-Mail, Matrix-ID und "
        "„nicht öffentlich“ (die Person wird dann nirgends angezeigt). Mit Matrix-ID gilt die "
        "Person im Bot als Koordination des Netzwerks. Die Kriterien verlangen zwei "
        "Ansprechpartner (Netzwerkkoordination, Moderation), davon einer aus einer "
        "intermediären Organisation."
    ),
    beispiele=(
        "netzwerk Lüneburg kontakt Koordination Erika Musterfrau, IHK Lüneburg-Wolfsburg, "
        "erika@example.org",
        "netzwerk Lüneburg kontakt Moderation Max Beispiel, Beispiel Beratung, nicht öffentlich",
    ),
)
def kontakt(ctx: Kontext, netzwerk: str, rolle: str, angaben: str) -> Reply:
    n = finde_netzwerk(ctx.uow, netzwerk)
    gewaehlt = _ROLLEN.get(fold(rolle))
    if gewaehlt is None:
        raise UsageError(
            f"Die Rolle „{rolle[:30]}“ kenne ich nicht. Möglich: Koordination, Moderation.",
            beispiel=f"{ctx.dienste.prefix} netzwerk {n.name} kontakt Koordination "
            "Erika Musterfrau, IHK Lüneburg-Wolfsburg",
        )
    daten = _kontakt_daten(ctx, n, gewaehlt, angaben)
    pflege.kontakt_setzen(aufruf(ctx), n, daten)
    msg = Msg().line(
        "✅ ",
        B(n.name),
        f": {gewaehlt.value} ist {daten.name}"
        + (f" ({daten.organisation})" if daten.organisation else "")
        + ("" if daten.oeffentlich else " – nicht öffentlich")
        + ".",
    )
    partner = {fold(m.name) for m in n.mitglieder}
    if daten.organisation and fold(daten.organisation) not in partner:
        msg.line(
            "Hinweis: „",
            daten.organisation,
            "“ ist noch kein Partner des Netzwerks: ",
            _befehl(ctx, n, f"mitglied {daten.organisation} als <Typ>"),
        )
    if daten.matrix:
        msg.line(f"{daten.matrix} darf jetzt als Koordination des Netzwerks handeln.")
    return msg.reply()


# --- dates and yes/no facts of the record ----------------------------------------------------


def _datum_beispiel(ctx: Kontext, n: Netzwerk, wort: str) -> str:
    return f"{ctx.dienste.prefix} netzwerk {n.name} {wort} 12.03.2026"


def _vorher(alt: date | None, neu: date) -> str:
    if alt is None or alt == neu:
        return ""
    return f" (vorher: {datum_text(alt)}{', also älter als der bisherige' if neu < alt else ''})"


@familie.befehl(
    "netzwerk <netzwerk> bericht <datum>",
    hilfe="Den letzten Bericht des Netzwerks an das Plenum eintragen",
    rolle=GS,
    details=(
        "„Das Netzwerk / die Fachgruppe informiert das Plenum der Offensive Mittelstand einmal "
        "jährlich über die Aktivitäten des Netzwerkes“ (Plenum 31.10.2014). Datum wie 12.03.2026 "
        "oder „heute“."
    ),
    beispiele=("netzwerk Hamburg bericht 12.03.2026", "netzwerk Hamburg bericht heute"),
)
def bericht(ctx: Kontext, netzwerk: str, datum: str) -> Reply:
    n = finde_netzwerk(ctx.uow, netzwerk)
    beispiel = _datum_beispiel(ctx, n, "bericht")
    neu = lies_datum(datum, heute(ctx), beispiel)
    alt = pflege.bericht_eintragen(aufruf(ctx), n, neu, heute(ctx), beispiel)
    return (
        Msg()
        .line(
            "✅ ",
            B(n.name),
            f": Bericht an das Plenum am {datum_text(neu)}{_vorher(alt, neu)}.",
        )
        .line(f"Der nächste ist fällig bis {datum_text(jahre_spaeter(neu, 1))}.")
        .reply()
    )


@familie.befehl(
    "netzwerk <netzwerk> selbsterklärung <datum>",
    hilfe="Das Datum der letzten Selbsterklärung (OM-Praxis-Check) eintragen",
    rolle=GS,
    details="„Die Selbsterklärung gilt für zwei Jahre.“ Datum wie 12.03.2026 oder „heute“.",
    beispiele=("netzwerk Hamburg selbsterklärung 01.06.2026",),
)
def selbsterklaerung(ctx: Kontext, netzwerk: str, datum: str) -> Reply:
    n = finde_netzwerk(ctx.uow, netzwerk)
    beispiel = _datum_beispiel(ctx, n, "selbsterklärung")
    neu = lies_datum(datum, heute(ctx), beispiel)
    alt = pflege.selbsterklaerung_eintragen(aufruf(ctx), n, neu, heute(ctx), beispiel)
    return (
        Msg()
        .line("✅ ", B(n.name), f": Selbsterklärung vom {datum_text(neu)}{_vorher(alt, neu)}.")
        .line(f"Sie gilt bis {datum_text(jahre_spaeter(neu, 2))}.")
        .reply()
    )


_JA_NEIN = {
    "ja": True,
    "j": True,
    "yes": True,
    "wahr": True,
    "nein": False,
    "n": False,
    "no": False,
    "falsch": False,
    "unbekannt": None,
    "weiss nicht": None,
}


def _angabe(ctx: Kontext, netzwerk: str, feld: pflege.Angabefeld, wert: str) -> Reply:
    n = finde_netzwerk(ctx.uow, netzwerk)
    if fold(wert) not in _JA_NEIN:
        raise UsageError(
            f"„{wert[:20]}“: bitte ja, nein oder unbekannt.",
            beispiel=f"{ctx.dienste.prefix} netzwerk {n.name} {feld} ja",
        )
    neu = _JA_NEIN[fold(wert)]
    alt = pflege.angabe_setzen(aufruf(ctx), n, feld, neu)
    text = {True: "ja", False: "nein", None: "unbekannt"}
    if alt is neu:
        return Msg().line(B(n.name), f": „{feld}“ ist schon {text[neu]}.").reply()
    return Msg().line("✅ ", B(n.name), f": {feld} {text[alt]} → {text[neu]}.").reply()


@familie.befehl(
    "netzwerk <netzwerk> offen <wert:wort>",
    hilfe="Eintragen, ob das Netzwerk für alle Partner offen ist (ja/nein/unbekannt)",
    rolle=GS,
    beispiele=("netzwerk Lüneburg offen ja",),
)
def offen(ctx: Kontext, netzwerk: str, wert: str) -> Reply:
    return _angabe(ctx, netzwerk, "offen", wert)


@familie.befehl(
    "netzwerk <netzwerk> beitragsfrei <wert:wort>",
    hilfe="Eintragen, ob das Netzwerk ohne Mitgliedsbeiträge auskommt (ja/nein/unbekannt)",
    rolle=GS,
    beispiele=("netzwerk Lüneburg beitragsfrei ja",),
)
def beitragsfrei(ctx: Kontext, netzwerk: str, wert: str) -> Reply:
    return _angabe(ctx, netzwerk, "beitragsfrei", wert)


# --- verlauf ---------------------------------------------------------------------------------

AKTIONEN: dict[str, str] = {
    AuditAktion.NETZWERK_ANGELEGT: "angelegt",
    AuditAktion.STATUS_GEAENDERT: "Status",
    AuditAktion.ANTRAG_GEAENDERT: "Antrag",
    AuditAktion.MITGLIED_HINZUGEFUEGT: "Partner eingetragen",
    AuditAktion.MITGLIED_GEAENDERT: "Partner geändert",
    AuditAktion.MITGLIED_ENTFERNT: "Partner ausgetragen",
    AuditAktion.KONTAKT_HINZUGEFUEGT: "Ansprechperson eingetragen",
    AuditAktion.KONTAKT_GEAENDERT: "Ansprechperson geändert",
    AuditAktion.KONTAKT_ENTFERNT: "Ansprechperson ausgetragen",
    AuditAktion.BERICHT_EINGETRAGEN: "Bericht an das Plenum",
    AuditAktion.SELBSTERKLAERUNG_EINGETRAGEN: "Selbsterklärung",
    AuditAktion.ANGABE_GEAENDERT: "Angabe",
    AuditAktion.RAUM_VERKNUEPFT: "Raum verknüpft",
    AuditAktion.RAUM_GELOEST: "Raum gelöst",
    AuditAktion.RAUM_BEANTRAGT: "Raumverknüpfung beantragt",
    AuditAktion.RAUM_BESTAETIGT: "Raumverknüpfung bestätigt",
    AuditAktion.RAUM_ABGELEHNT: "Raumverknüpfung abgelehnt",
}
# Shown in this order; e-mail addresses and Matrix ids stay in the database only.
_FELDER = (
    "status",
    "grund",
    "name",
    "rolle",
    "organisation",
    "typ",
    "region",
    "dach",
    "art",
    "thema",
    "teilnetz",
    "datum",
    "offen",
    "beitragsfrei",
    "ziele",
    "vorgehen",
    "oeffentlich",
    "netzwerk",
)
_NUR_GESCHAEFTSSTELLE = {"name", "organisation"}


def _wert(wert: Any) -> str:
    if wert is None or wert == "":
        return "–"
    if isinstance(wert, bool):
        return "ja" if wert else "nein"
    text = str(wert)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datum_text(date.fromisoformat(text))
    return text if len(text) <= 80 else text[:79] + "…"


_FELDNAMEN = {"oeffentlich": "öffentlich", "grund": "Grund"}


def beschreibe(eintrag: AuditEintrag, vertraulich_zeigen: bool) -> str:
    """One audit entry's change as a short German text: "beantragt → leitungskreis, Grund: …".

    E-mail addresses and Matrix ids stay in the database; the name and organisation of a
    contact person who is not public are only shown to the Geschäftsstelle.
    """
    vorher, nachher = eintrag.vorher or {}, eintrag.nachher or {}
    verborgen = not vertraulich_zeigen and (
        vorher.get("oeffentlich") is False or nachher.get("oeffentlich") is False
    )
    teile = []
    for feld in _FELDER:
        if feld not in vorher and feld not in nachher:
            continue
        if verborgen and feld in _NUR_GESCHAEFTSSTELLE:
            continue
        a, b = _anzeige(feld, vorher.get(feld)), _anzeige(feld, nachher.get(feld))
        name = "" if feld in {"status", "datum"} else f"{_FELDNAMEN.get(feld, feld)}: "
        if feld in vorher and feld in nachher:
            if a == b and feld not in {"name", "rolle"}:
                continue
            teile.append(f"{name}{a}" + (f" → {b}" if a != b else ""))
        elif (wert := b if feld in nachher else a) != "–":
            teile.append(f"{name}{wert}")
    if verborgen:
        teile.append("(nicht öffentliche Ansprechperson)")
    return ", ".join(teile)


def _anzeige(feld: str, wert: Any) -> str:
    if feld == "typ" and wert in {t.value for t in MitgliedTyp}:
        return _TYP_TEXT[MitgliedTyp(wert)]
    return _wert(wert)


@familie.befehl(
    "verlauf|historie|protokoll [<netzwerk>]",
    hilfe="Alle Änderungen an einem Netzwerk: wer, wann, was (vorher → nachher)",
    details=(
        "Ohne Netzwerk: das Netzwerk, mit dem dieser Raum verknüpft ist. Registeränderungen "
        "sieht jeder; Schritte des Kontaktverfahrens und Raumverknüpfungen nur die Koordination "
        "des Netzwerks, die Geschäftsstelle und Admins."
    ),
    beispiele=("verlauf Hannover",),
)
def verlauf(ctx: Kontext, netzwerk: str | None) -> Reply:
    n = netzwerk_oder_raum(ctx, netzwerk, "verlauf")
    grenze = 20
    alles = ctx.dienste.rollen.darf(ctx.akteur, Rolle.NETZWERK, rollen_von(ctx.uow, n))
    eintraege = ctx.uow.audit.fuer_netzwerk(
        n.id, limit=grenze + 1, ohne=() if alles else VERTRAULICHE_PRAEFIXE
    )
    msg = Msg(f"Verlauf: {n.name}")
    if not alles:
        msg.line(
            I(
                "Registeränderungen. Schritte des Kontaktverfahrens und Raumverknüpfungen sehen "
                "die Koordination des Netzwerks, die Geschäftsstelle und Admins."
            )
        )
    if not eintraege:
        msg.line(
            "Seit dem Import hat sich nichts geändert (oder ältere Einträge sind nach der "
            "Aufbewahrungsfrist gelöscht, siehe README „Datenschutz“)."
        )
        msg.line(f"Status: {n.status.value} ({STATUS_TEXT[n.status]}).")
        return msg.reply()
    vertraulich = ctx.dienste.rollen.darf(ctx.akteur, Rolle.GESCHAEFTSSTELLE)
    for eintrag in eintraege[:grenze]:
        zeit = eintrag.zeit.astimezone(ctx.dienste.tz)
        teile: list[Part] = [
            f"{zeit:%d.%m.%Y %H:%M} · ",
            B(AKTIONEN.get(eintrag.aktion, eintrag.aktion)),
        ]
        detail = beschreibe(eintrag, vertraulich)
        if detail:
            teile.append(f": {detail}")
        teile.append(f" · {eintrag.akteur}")
        msg.bullet(*teile)
    if len(eintraege) > grenze:
        msg.line(I(f"Nur die letzten {grenze} Einträge."))
    return msg.reply()
