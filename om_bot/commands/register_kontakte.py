"""Keeping the network register in the chat: partners, contact persons, the dates of the last
report and Selbsterklärung, and whether a network is open and free of fees.

Part of the family `register` (`om_bot/commands/register.py`); the use cases are
`om_bot.services.register_pflege`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from om_bot.chat.registry import UsageError
from om_bot.chat.router import Kontext
from om_bot.commands.aufruf import aufruf
from om_bot.commands.register import GS, familie, heute, netzwerk_befehl
from om_bot.domain.dates import datum_text
from om_bot.domain.kriterien import jahre_spaeter
from om_bot.domain.matching import fold
from om_bot.domain.netzwerk import KontaktRolle, MitgliedTyp
from om_bot.services import register_pflege as pflege
from om_bot.services.register import finde_netzwerk
from om_bot.services.register_daten import MAX_NAME, KontaktDaten
from om_bot.storage.models import Netzwerk
from om_bot.text.format import B, Msg
from om_bot.text.messages import Reply

# --- dates as people type them ---------------------------------------------------------------

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
TYP_TEXT = {
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
        return Msg().line(B(m.name), " ist schon als ", TYP_TEXT[gewaehlt], " eingetragen.").reply()
    if alt is not None:
        text = f"{m.name}: {TYP_TEXT[alt]} → {TYP_TEXT[gewaehlt]}."
    else:
        text = f"{m.name} ist jetzt Partner ({TYP_TEXT[gewaehlt]})."
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
            netzwerk_befehl(ctx, n, f"mitglied {daten.organisation} als <Typ>"),
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
