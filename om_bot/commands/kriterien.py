"""`kriterien`, `prüfen`, `stadien`: the criteria catalogue, the checklist of one network and
the overview of all OM networks by Umsetzungsstadium (seed 003)."""

from __future__ import annotations

from functools import cache

from om_bot.chat.registry import Familie, UsageError
from om_bot.chat.router import Kontext
from om_bot.commands.register import heute, netzwerk_oder_raum
from om_bot.domain.dates import datum_text
from om_bot.domain.kriterien import (
    AKTIV,
    OHNE_QUELLE,
    ROLLEN_BENANNT,
    TITEL,
    Abschnitt,
    Bewertung,
    Ergebnis,
    Kriterium,
    jahre_spaeter,
    katalog,
)
from om_bot.domain.matching import fold, meinten_sie
from om_bot.domain.netzwerk import Dach, Status
from om_bot.services.pruefung import TreffenQuelle, bewerte_alle, bewerte_netzwerk
from om_bot.services.register import ART_TEXT, STATUS_TEXT
from om_bot.services.terminverwaltung import DatenbankTerminLeser
from om_bot.storage.models import Netzwerk
from om_bot.text.format import B, Code, I, Msg, Part
from om_bot.text.messages import Reply

familie = Familie(
    "kriterien",
    "Kriterien, Prüfung und Umsetzungsstadien",
    aliase=("prüfen", "pruefen", "stadien", "stadium"),
)

MAX_TREFFER = 8
_STADIEN_WOERTER = {"stadien", "stadium", "umsetzungsstadien", "umsetzungsstadium"}


def _pruefbar(k: Kriterium) -> str:
    return {
        "daten": "prüft der Bot aus dem Register",
        "termine": "prüft der Bot aus den Terminen",
    }.get(k.pruefbar, "")


def _quelle(a: Abschnitt) -> str:
    return f"{a.quelle} – {a.beschluss}"


def _kriterium(msg: Msg, k: Kriterium, mit_abschnitt: bool) -> None:
    a = katalog().abschnitt_von(k)
    teile: list[Part] = [f"„{k.text}“"]
    hinweise = [a.titel] if mit_abschnitt else []
    if _pruefbar(k):
        hinweise.append(_pruefbar(k))
    if hinweise:
        teile.append(I(" (" + "; ".join(hinweise) + ")"))
    msg.bullet(*teile)


def _abschnitt(ctx: Kontext, a: Abschnitt) -> Reply:
    msg = Msg(a.titel)
    msg.line(I(f"Quelle: {_quelle(a)}"))
    for k in katalog().kriterien_in(a):
        _kriterium(msg, k, mit_abschnitt=False)
    msg.line("Prüfung eines Netzwerks: ", Code(f"{ctx.dienste.prefix} prüfen <Netzwerk>"))
    return msg.reply()


def _stadien_text(ctx: Kontext) -> Reply:
    msg = Msg("Formale Kriterien: Vier Umsetzungsstadien")
    quelle = katalog().finde_abschnitt("formale-kriterien")
    if quelle is not None:
        msg.line(I(f"Quelle: {_quelle(quelle)}"))
    for s in katalog().stadium:
        beispiele = f" (Beispiele: {', '.join(s.beispiele)})" if s.beispiele else ""
        msg.bullet(B(f"Stadium {s.nummer}: "), f"„{s.text}“{beispiele}")
    msg.line("Alle Netzwerke nach Stadium: ", Code(f"{ctx.dienste.prefix} stadien"))
    return msg.reply()


@cache
def _uebersicht(p: str) -> Reply:
    """The sections of the catalogue, rendered once per prefix: the catalogue is fixed at
    start (seed 003), and this is the most asked of its answers."""
    kat = katalog()
    msg = Msg("Kriterien für Netzwerke und Fachgruppen")
    for a in kat.abschnitt:
        anzahl = len(kat.kriterien_in(a))
        msg.bullet(
            B(a.titel),
            f" – {anzahl} Kriterien; {a.beschluss} · ",
            Code(f"{p} kriterien {a.id}"),
        )
    msg.line(
        "Stichwortsuche: ", Code(f"{p} kriterien treffen"), ", ", Code(f"{p} kriterien partner")
    )
    msg.line(
        "Umsetzungsstadien: ",
        Code(f"{p} kriterien stadien"),
        " · Prüfung: ",
        Code(f"{p} prüfen <Netzwerk>"),
    )
    return msg.reply()


@familie.befehl(
    "kriterien|kriterium [<suche>]",
    hilfe="Die Kriterien für Netzwerke und Fachgruppen: Abschnitte, oder die zu einem Stichwort",
    details=(
        "Ohne Stichwort: die Abschnitte mit Quelle und Datum des Beschlusses. Mit Abschnitt "
        "(z. B. „selbsterklärung“, „rahmenbedingungen“) alle Kriterien darin, mit Stichwort "
        "(z. B. „treffen“, „partner“, „bericht“) die passenden. Die Texte sind wörtlich aus den "
        "Beschlüssen zitiert."
    ),
    beispiele=("kriterien", "kriterien selbsterklärung", "kriterien treffen"),
)
def kriterien(ctx: Kontext, suche: str | None) -> Reply:
    p = ctx.dienste.prefix
    kat = katalog()
    if not suche:
        return _uebersicht(p)
    if fold(suche) in _STADIEN_WOERTER:
        return _stadien_text(ctx)
    abschnitt = kat.finde_abschnitt(suche)
    if abschnitt is not None:
        return _abschnitt(ctx, abschnitt)
    treffer = kat.suche(suche)
    if not treffer:
        raise UsageError(
            f"Zu „{suche[:40]}“ finde ich kein Kriterium. "
            + (meinten_sie(kat.vorschlaege(suche)) or "Alle Abschnitte: !om kriterien"),
            usage=f"{p} kriterien [<Abschnitt oder Stichwort>]",
            beispiel=f"{p} kriterien treffen",
        )
    msg = Msg(f"Kriterien zu „{suche}“ ({len(treffer)})")
    for k in treffer[:MAX_TREFFER]:
        _kriterium(msg, k, mit_abschnitt=True)
    if len(treffer) > MAX_TREFFER:
        msg.line(I(f"… und {len(treffer) - MAX_TREFFER} weitere; ein genaueres Stichwort hilft."))
    quellen = {kat.abschnitt_von(k).id: kat.abschnitt_von(k) for k in treffer[:MAX_TREFFER]}
    for a in quellen.values():
        msg.line(I(f"{a.titel}: {_quelle(a)}"))
    return msg.reply()


# --- prüfen ----------------------------------------------------------------------------------


def treffen_quelle(ctx: Kontext) -> TreffenQuelle:
    """Where `prüfen` and `stadien` get the number of meetings from: the Netzwerktreffen
    registered as events (`om_bot.services.terminverwaltung`); ❔ for a network without any
    events."""
    return DatenbankTerminLeser(ctx.dienste.tz).treffen


def _schritt(ctx: Kontext, n: Netzwerk, was: str) -> tuple[Part, ...]:
    """What to do about a missing point, with the command that records it."""

    def befehl(rest: str) -> Code:
        return Code(f"{ctx.dienste.prefix} netzwerk {n.name} {rest}")

    schritte: dict[str, tuple[Part, ...]] = {
        ROLLEN_BENANNT: (
            "Koordination und Moderation benennen: ",
            befehl("kontakt Moderation <Name>, <Organisation>"),
        ),
        AKTIV: (
            "Die Netzwerkarbeit sichtbar machen: Bericht an das Plenum geben und eintragen (",
            befehl("bericht <Datum>"),
            ") oder zweimal im Jahr tagen",
        ),
        "drei_partner_davon_oeffentlich": (
            "Partner gewinnen, darunter eine öffentliche Institution: ",
            befehl("mitglied <Organisation> als öffentlich"),
        ),
        "drei_intermediaere": (
            "Weitere intermediäre Organisationen gewinnen: ",
            befehl("mitglied <Organisation> als intermediär"),
        ),
        "zwei_ansprechpartner_einer_intermediaer": (
            "Eine Ansprechperson aus einer intermediären Organisation öffentlich benennen: ",
            befehl("kontakt Koordination <Name>, <Organisation>"),
        ),
        "ansprechpartner_benannt": (
            "Eine Ansprechperson benennen: ",
            befehl("kontakt Koordination <Name>, <Organisation>"),
        ),
        "offen_beitragsfrei": (
            "Offen für alle Partner und ohne Mitgliedsbeiträge arbeiten und eintragen: ",
            befehl("offen ja"),
            ", ",
            befehl("beitragsfrei ja"),
        ),
        "zwei_treffen_pro_jahr": ("Mindestens zweimal im Jahr tagen",),
        "bericht_plenum_jaehrlich": (
            "Dem Plenum berichten und eintragen: ",
            befehl("bericht <Datum>"),
        ),
        "selbsterklaerung_zwei_jahre": (
            "Den OM-Praxis-Check vollständig durchführen, die Selbsterklärung erneuern und "
            "eintragen: ",
            befehl("selbsterklärung <Datum>"),
        ),
        "ein_netzwerk_pro_region": (
            "Mit dem anderen Netzwerk einigen (ein kleineres nur im Konsens; ohne Einigung "
            "entscheidet der Leitungskreis)",
        ),
    }
    return schritte.get(was, (TITEL.get(was, was),))


def _fristen(n: Netzwerk) -> str:
    teile = []
    if n.letzter_bericht:
        teile.append(
            f"nächster Bericht an das Plenum bis {datum_text(jahre_spaeter(n.letzter_bericht, 1))}"
        )
    if n.letzte_selbsterklaerung:
        teile.append(
            f"Selbsterklärung gilt bis {datum_text(jahre_spaeter(n.letzte_selbsterklaerung, 2))}"
        )
    return "; ".join(teile)


def pruefbericht(ctx: Kontext, n: Netzwerk, bewertung: Bewertung) -> Msg:
    stand = heute(ctx)
    msg = Msg(f"Prüfung: {n.name}")
    msg.line(
        I(
            f"Stand {datum_text(stand)} · {n.dach.value} · {ART_TEXT[n.art]} · {n.region.name} · "
            f"Status: {STATUS_TEXT[n.status]}"
        )
    )
    if n.dach is not Dach.OM:
        msg.line(
            I(
                "Die Kriterien sind die der Offensive Mittelstand; für ein Netzwerk von "
                f"{n.dach.value} gelten sie nur zur Orientierung."
            )
        )
    for e in bewertung.ergebnisse:
        msg.bullet(f"{e.ergebnis.symbol} ", B(e.titel), f" – {e.begruendung}")
    stadium = bewertung.stadium
    text = katalog().stadium_text(stadium.nummer).text
    msg.line(B(f"Umsetzungsstadium {stadium.nummer} von 4"), f": „{text}“")
    msg.line(stadium.erklaerung)
    if n.stadium and n.stadium != stadium.nummer:
        msg.line(I(f"Im Register eingestuft: Stadium {n.stadium}."))
    if stadium.fehlt:
        msg.line(f"Für Stadium {stadium.nummer + 1}:")
        for was in stadium.fehlt:
            msg.bullet(*_schritt(ctx, n, was))
    else:
        fristen = _fristen(n)
        msg.line("Nichts offen." + (f" Fristen: {fristen}." if fristen else ""))
    return msg


@familie.befehl(
    "prüfen [<netzwerk>]",
    hilfe="Die Kriterien eines Netzwerks prüfen: ✅ erfüllt, ❌ nicht erfüllt, ❔ unbekannt, "
    "dazu das Umsetzungsstadium und was als Nächstes zu tun ist",
    details=(
        "Geprüft wird aus dem Register: Partner, intermediäre Organisationen, Ansprechpersonen, "
        "offen und beitragsfrei, Bericht an das Plenum (letzte 12 Monate), Selbsterklärung "
        "(zwei Jahre gültig), ein Netzwerk je Region bzw. Thema. Ohne Netzwerk: das Netzwerk "
        "dieses Raums."
    ),
    beispiele=("prüfen Hamburg", "prüfen München"),
)
def pruefen(ctx: Kontext, netzwerk: str | None) -> Reply:
    n = netzwerk_oder_raum(ctx, netzwerk, "prüfen")
    bewertung = bewerte_netzwerk(ctx.uow, n, heute(ctx), treffen_quelle(ctx))
    msg = pruefbericht(ctx, n, bewertung)
    msg.line("Kriterientexte: ", Code(f"{ctx.dienste.prefix} kriterien"))
    return msg.reply()


# --- stadien ---------------------------------------------------------------------------------


def _fehlt_kurz(was: str) -> str:
    return {
        ROLLEN_BENANNT: "Koordination und Moderation benennen",
        AKTIV: "Netzwerkarbeit belegen (Bericht an das Plenum)",
    }.get(was, TITEL.get(was, was))


@familie.befehl(
    "stadien|stadium|umsetzungsstadien",
    hilfe="Alle OM-Netzwerke nach Umsetzungsstadium 1–4, mit dem, was jeweils fehlt",
    details=(
        "Das Stadium folgt aus der Prüfung (siehe prüfen): 1 – Koordination und Moderation "
        "nicht benannt; 2 – benannt, aber die Netzwerkarbeit ist unbekannt oder es fehlen "
        "intermediäre Partner; 3 – aktiv mit drei intermediären Partnern, aber nicht alles "
        "erfüllt; 4 – alles erfüllt. Netzwerke von DDN und OGB und entzogene werden nicht "
        "eingestuft."
    ),
    beispiele=("stadien",),
)
def stadien(ctx: Kontext) -> Reply:
    p = ctx.dienste.prefix
    alle = bewerte_alle(ctx.uow, heute(ctx), treffen_quelle(ctx))
    om = [(n, b) for n, b in alle if n.dach is Dach.OM and n.status is not Status.ENTZOGEN]
    msg = Msg(f"Umsetzungsstadien der OM-Netzwerke (Stand {datum_text(heute(ctx))})")
    for nummer in (1, 2, 3, 4):
        gruppe = [(n, b) for n, b in om if b.stadium.nummer == nummer]
        text = katalog().stadium_text(nummer).text
        msg.line(B(f"Stadium {nummer} ({len(gruppe)})"), f" – „{text}“")
        for n, b in gruppe:
            teile: list[Part] = [B(n.name)]
            if n.status is not Status.ANERKANNT:
                teile.append(f" ({STATUS_TEXT[n.status]})")
            if b.stadium.fehlt:
                teile.append(" – fehlt: " + "; ".join(_fehlt_kurz(f) for f in b.stadium.fehlt))
            if n.stadium and n.stadium != nummer:
                teile.append(I(f" (eingestuft: {n.stadium})"))
            msg.bullet(*teile)
    unbekannt = any(
        e.pruefung in OHNE_QUELLE and e.ergebnis is Ergebnis.UNBEKANNT
        for _, b in om
        for e in b.ergebnisse
    )
    if unbekannt:
        msg.line(
            I(
                "❔ bei „tagt mindestens zweimal im Jahr“: Für dieses Netzwerk sind noch keine "
                "Termine eingetragen – Netzwerktreffen mit "
            ),
            Code(f"{ctx.dienste.prefix} termin Netzwerktreffen …"),
            I(" eintragen."),
        )
    andere = [n for n, _ in alle if n.dach is not Dach.OM]
    entzogen = [n for n, _ in alle if n.dach is Dach.OM and n.status is Status.ENTZOGEN]
    if andere or entzogen:
        msg.line(
            I(
                f"Nicht eingestuft: {len(andere)} Netzwerke von DDN und OGB (die Kriterien sind "
                f"die der OM), {len(entzogen)} mit entzogener Anerkennung."
            )
        )
    msg.line(
        "„Was sollen wir tun – heute bitte entscheiden.“ Einzelheiten: ",
        Code(f"{p} prüfen <Netzwerk>"),
    )
    return msg.reply()
