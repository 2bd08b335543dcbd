"""`termin <text>`, `termin <nr>`, `termin ändern`, `termin absagen`: read the input, call the
use case (`om_bot.services.termine`), word the answer and the notices."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from om_bot.chat.registry import UsageError
from om_bot.chat.router import Kontext
from om_bot.commands.aufruf import aufruf
from om_bot.commands.termine.basis import (
    ARTEN_TEXT,
    BEISPIEL,
    SYNTAX,
    Umfeld,
    familie,
    finde_termin,
    kurz,
    praefix,
    regeln_von,
    umfeld,
    wann_text,
)
from om_bot.commands.termine.eingabe import (
    REST_RE,
    art_option,
    datumfehler,
    im_wortlaut,
    laenge,
    lies_netzwerk,
    lies_optionen,
    lies_region,
    lies_rest,
    titel_danach,
    titel_mit_region,
    zeit_pruefen,
)
from om_bot.commands.termine.wortlaut import (
    an_eigenes_netzwerk,
    befehlszeile,
    beschreibe,
    hinweise_an_andere,
    kollisionen_melden,
    kollisionszeile,
    nach_termin,
    wer_eintraegt,
    wer_handelt,
    zeitraum_von,
)
from om_bot.domain.dates import DatumFehler, Zeitraum, datum_text, find_when, parse_when
from om_bot.domain.roles import Rolle
from om_bot.domain.termine import SEED_000, art_aus_titel, naechste
from om_bot.services import termine as svc
from om_bot.services import terminverwaltung as tv
from om_bot.services.aufruf import Aufruf
from om_bot.storage.models import Netzwerk, Region, Termin
from om_bot.text.format import B, I, Msg
from om_bot.text.messages import Reply


@familie.befehl(
    "termin <text>",
    hilfe="Einen Termin oder ein Netzwerktreffen eintragen – mit Warnung bei Überschneidungen",
    rolle=Rolle.NETZWERK,
    details=(
        f"Form: {SYNTAX}. Das Datum auf Deutsch: „am 12.03.2027 um 14:00 bis 16:00“, "
        "„nächsten Freitag um 18 Uhr“, „morgen 10:00“, „übermorgen“, „in zwei Wochen“, "
        "„jeden zweiten Dienstag im Monat um 10 Uhr“; ohne Ende dauert ein Termin 2 Stunden "
        "(einstellbar). Der Titel darf auch nach dem Datum stehen („morgen 10 Uhr "
        "Teamrunde“), wenn die Trennung eindeutig ist. "
        "Mehrdeutiges (z. B. „um 3 Uhr“) fragt der Bot nach. Im Raum eines Netzwerks gehört der "
        "Termin zu diesem Netzwerk und seiner Region; sonst bestimmt „in <Region>“ die Region "
        "und das Netzwerk, wenn es dort genau eines gibt (sonst „für <Netzwerk>“). Die Art "
        f"ergibt sich aus dem ersten Wort des Titels oder aus „art:“ – {ARTEN_TEXT}; nur "
        "Netzwerktreffen zählen für „tagt mindestens zweimal im Jahr“. Eintragen dürfen die "
        "Koordination des Netzwerks, die Geschäftsstelle und Admins; "
        "Termine ohne Netzwerk nur Geschäftsstelle und Admins. Überschneidet sich der Termin "
        "in derselben oder einer umfassenden bzw. enthaltenen Region (auch am selben Tag), "
        "warnt der Bot und benachrichtigt die Räume der anderen Netzwerke; eingetragen wird "
        "trotzdem."
    ),
    beispiele=(
        "termin Netzwerktreffen am 12.03.2027 um 14:00 bis 16:00 in Hamburg",
        "termin Sommerfest nächsten Freitag um 18 Uhr in Bremen",
        "termin Netzwerktreffen jeden zweiten Dienstag im Monat um 10 Uhr in Hamburg",
        "termin Infostand Messe am 12. März 2027 ganztägig ort:Halle 3",
    ),
)
def termin(ctx: Kontext, text: str) -> list[Reply]:
    p = praefix(ctx)
    usage = f"{p} {SYNTAX}"
    jetzt, tz, regeln = ctx.now(), ctx.dienste.tz, regeln_von(ctx)
    haupt, optionen = lies_optionen(text)
    try:
        titel, zeitraum, nachher = find_when(haupt, jetzt, tz, regeln.standard_dauer)
    except DatumFehler as fehler:
        raise datumfehler(ctx, fehler, usage) from None
    if not titel and "titel" not in optionen:
        titel, nachher = titel_danach(ctx, haupt, nachher, usage)  # „morgen 10 Uhr Teamrunde“
    region_text, netzwerk_text = lies_rest(ctx, nachher, usage)
    region: Region | None = None
    if region_text is None:
        titel, region = titel_mit_region(ctx, titel)
    if "titel" in optionen:
        titel = f"{titel} {optionen['titel']}".strip() if titel else optionen["titel"]
    if not titel.strip():
        raise UsageError(
            "Bitte geben Sie dem Termin einen Titel (vor dem Datum). Es wurde nichts gespeichert.",
            usage=usage,
            beispiel=f"{p} {BEISPIEL}",
        )
    titel = laenge(" ".join(titel.split()), "Der Titel")
    art = art_option(ctx, optionen["art"]) if "art" in optionen else art_aus_titel(titel)
    ort = laenge(" ".join(optionen.get("ort", "").split()), "Der Ort")
    zeit_pruefen(ctx, zeitraum, usage)

    # Which network and region (see the module docstring).
    if region_text is not None:
        region = lies_region(ctx, region_text, usage)
    netzwerk: Netzwerk | None = None
    hinweis_netzwerk = ""
    if netzwerk_text is not None:
        netzwerk = lies_netzwerk(ctx, netzwerk_text, usage)
    elif ctx.akteur.raum_netzwerk_id is not None:
        netzwerk = ctx.uow.netzwerke.get(ctx.akteur.raum_netzwerk_id)
    if netzwerk is None and region is None:
        raise UsageError(
            "In welcher Region findet der Termin statt? Dieser Raum ist mit keinem Netzwerk "
            "verknüpft; bitte „in <Region>“ angeben (oder den Raum verknüpfen: "
            f"„{p} raum <Netzwerk>“). Es wurde nichts gespeichert.",
            usage=usage,
            beispiel=f"{p} {BEISPIEL}",
        )
    if netzwerk is None and region is not None and netzwerk_text is None:
        dort = [n for n in ctx.uow.netzwerke.in_regionen([region.id]) if n.region_id == region.id]
        if len(dort) == 1:
            netzwerk = dort[0]
        elif dort:
            hinweis_netzwerk = (
                f"In {region.name} gibt es {len(dort)} Netzwerke ("
                + ", ".join(n.name for n in dort)
                + "); der Termin gehört keinem davon. Für ein Netzwerk: „für <Netzwerk>“."
            )
    if region is None:
        assert netzwerk is not None
        region = netzwerk.region
    with im_wortlaut(ctx, usage):
        ergebnis = svc.eintragen(
            aufruf(ctx),
            regeln,
            svc.NeuerTermin(titel, art, zeitraum, region, netzwerk, tz.key, ort),
        )
    neu, treffer = ergebnis.termin, ergebnis.kollisionen

    u = umfeld(ctx)
    hinweise = hinweise_an_andere(ctx, neu, treffer, u, was="eingetragen", wer=wer_eintraegt(neu))
    msg = Msg(f"✅ Termin Nr. {neu.id} eingetragen: „{neu.titel}“")
    beschreibe(msg, ctx, neu, u, zeitraum)
    if hinweis_netzwerk:
        msg.line(I(hinweis_netzwerk))
    kollisionen_melden(msg, neu, treffer, u, bool(hinweise))
    msg.line(*befehlszeile(ctx, neu))
    return [msg.reply(), *hinweise]


@familie.befehl(
    "termin <nr:zahl>",
    hilfe="Einen Termin ansehen: Zeit, nächste Termine einer Serie, Feiertage, Überschneidungen",
    beispiele=("termin 7",),
)
def termin_zeigen(ctx: Kontext, nr: int) -> Reply:
    termin = finde_termin(ctx, nr)
    jetzt, tz, regeln = ctx.now(), ctx.dienste.tz, regeln_von(ctx)
    u = umfeld(ctx)
    abgesagt = f" – abgesagt am {datum_text(termin.abgesagt, tz)}" if termin.abgesagt else ""
    msg = Msg(f"Termin Nr. {termin.id}: „{termin.titel}“{abgesagt}")
    beschreibe(msg, ctx, termin, u, zeitraum_von(termin, tz))
    if termin.abgesagt is None:
        treffer = tv.kollisionen(ctx.uow, termin, regeln, ab=jetzt)
        if treffer:
            msg.line(B("⚠ Terminüberschneidung"), ":")
            for ks in nach_termin(treffer).values():
                msg.bullet(*kollisionszeile(ks[0], len(ks), bool(termin.rrule), u))
            msg.line("Bitte stimmen Sie sich ab. ", I(SEED_000))
    msg.line(
        I(
            f"Eingetragen am {datum_text(termin.erstellt, tz)}"
            + (
                f", zuletzt geändert am {datum_text(termin.geaendert, tz)}"
                if termin.sequenz
                else ""
            )
            + "."
        )
    )
    if termin.abgesagt is None:
        msg.line(*befehlszeile(ctx, termin))
    return msg.reply()


@familie.befehl(
    "termin ändern <nr:zahl> <text>",
    hilfe="Einen Termin ändern: Datum/Uhrzeit, Titel, Region, Netzwerk, Art oder Ort",
    rolle=Rolle.NETZWERK,
    details=(
        "Nach der Nummer steht, was sich ändert – wie beim Eintragen: ein neues Datum (davor "
        "optional ein neuer Titel), „in <Region>“, „für <Netzwerk>“, „art:“, „ort:“, "
        "„titel:“. Bei einer Serie gilt die neue Zeit für alle künftigen Termine. Ändern dürfen "
        "die Koordination des Netzwerks, wer den Termin eingetragen hat, die Geschäftsstelle "
        "und Admins. Überschneidungen werden neu geprüft."
    ),
    beispiele=(
        "termin ändern 7 am 13.03.2027 um 15 Uhr",
        "termin ändern 7 in Bremen",
        "termin ändern 7 titel:Frühjahrstreffen ort:Handelskammer",
    ),
)
def termin_aendern(ctx: Kontext, nr: int, text: str) -> list[Reply]:
    p = praefix(ctx)
    usage = f"{p} termin ändern <Nr> [<Titel>] [<Datum>] [in <Region>] [für <Netzwerk>] [art:…]"
    termin = finde_termin(ctx, nr)
    a = aufruf(ctx)
    svc.darf_aendern(a, termin)
    jetzt, tz, regeln = a.now(), ctx.dienste.tz, regeln_von(ctx)
    try:
        svc.pruefe_aenderbar(termin, jetzt)
    except svc.NichtAenderbar as fehler:
        raise UsageError(fehler.meldung, usage=usage) from None
    haupt, optionen = lies_optionen(text)
    zeitraum: Zeitraum | None = None
    titel: str | None = None
    region_text = netzwerk_text = None
    if haupt:
        if REST_RE.fullmatch(haupt):
            region_text, netzwerk_text = lies_rest(ctx, haupt, usage)
        else:
            try:
                vorher, zeitraum, nachher = find_when(haupt, jetzt, tz, regeln.standard_dauer)
            except DatumFehler as fehler:
                raise datumfehler(ctx, fehler, usage, termin.titel) from None
            if not vorher and "titel" not in optionen:
                vorher, nachher = titel_danach(ctx, haupt, nachher, usage, f"termin ändern {nr}")
            titel = vorher or None
            region_text, netzwerk_text = lies_rest(ctx, nachher, usage)
    if "titel" in optionen:
        if titel is not None:
            raise UsageError("Zwei neue Titel – vor dem Datum und „titel:“. Welcher gilt?")
        titel = optionen["titel"]
    if titel is not None and not titel.strip():
        raise UsageError("Der Titel darf nicht leer sein.", usage=usage)
    if not (haupt or optionen):
        raise UsageError(
            "Was soll sich ändern?", usage=usage, beispiel=f"{p} termin ändern {nr} in Bremen"
        )

    netzwerk = lies_netzwerk(ctx, netzwerk_text, usage) if netzwerk_text is not None else None
    if netzwerk is not None:
        svc.darf_eintragen(a, netzwerk)
    aenderungen = svc.Aenderungen(
        netzwerk=netzwerk,
        region=lies_region(ctx, region_text, usage) if region_text is not None else None,
        titel=laenge(" ".join(titel.split()), "Der Titel") if titel is not None else None,
        art=art_option(ctx, optionen["art"]) if "art" in optionen else None,
        ort=laenge(" ".join(optionen["ort"].split()), "Der Ort") if "ort" in optionen else None,
        zeitraum=zeitraum,
    )
    with im_wortlaut(ctx, usage):
        ergebnis = svc.aendern(a, regeln, termin, aenderungen)
    treffer = ergebnis.kollisionen
    u = umfeld(ctx)
    hinweise = hinweise_an_andere(
        ctx,
        termin,
        treffer,
        u,
        was="geändert",
        wer=wer_handelt(ctx, termin),
        nur_neue=set(ergebnis.neue_partner),
    )
    msg = Msg(f"✏ Termin Nr. {termin.id} geändert: „{termin.titel}“")
    gespeichert = zeitraum_von(termin, tz)
    if zeitraum is not None:  # the new time as read, with a typo it corrected („Mitwoch“)
        gespeichert = replace(gespeichert, korrekturen=zeitraum.korrekturen)
    beschreibe(msg, ctx, termin, u, gespeichert)
    kollisionen_melden(msg, termin, treffer, u, bool(hinweise))
    msg.line(*befehlszeile(ctx, termin))
    return [msg.reply(), *hinweise]


@familie.befehl(
    "termin absagen <nr:zahl> [<datum>]",
    hilfe="Einen Termin absagen – bei einer Serie einen einzelnen Termin (mit Datum) oder alle",
    rolle=Rolle.NETZWERK,
    details=(
        "Ohne Datum wird der Termin bzw. die ganze Serie abgesagt (vergangene Termine bleiben "
        "stehen), mit Datum nur dieser eine Termin der Serie. Absagen dürfen die Koordination "
        "des Netzwerks, wer den Termin eingetragen hat, die Geschäftsstelle und Admins."
    ),
    beispiele=("termin absagen 7", "termin absagen 7 am 13.04.2027"),
)
def termin_absagen(ctx: Kontext, nr: int, datum: str | None) -> list[Reply]:
    p = praefix(ctx)
    usage = f"{p} termin absagen <Nr> [<Datum>]"
    termin = finde_termin(ctx, nr)
    a = aufruf(ctx)
    svc.darf_aendern(a, termin)
    jetzt, tz = a.now(), ctx.dienste.tz
    if termin.abgesagt is not None:
        return [
            Msg()
            .line(f"Termin Nr. {nr} ist schon abgesagt (am {datum_text(termin.abgesagt, tz)}).")
            .reply()
        ]
    u = umfeld(ctx)
    if datum:
        try:
            tag = parse_when(datum, jetzt, tz).start.astimezone(tz).date()
        except DatumFehler as fehler:
            raise UsageError(
                f"{fehler.meldung} Es wurde nichts abgesagt.",
                usage=usage,
                beispiel=f"{p} termin absagen {nr} am 13.04.2027",
            ) from None
        if termin.rrule:
            return _vorkommen_absagen(ctx, a, termin, tag, u)
        if tag != termin.start.astimezone(tz).date():
            raise UsageError(
                f"Termin Nr. {nr} ist am {datum_text(termin.start, tz)}, nicht am "
                f"{tag:%d.%m.%Y}. Es wurde nichts abgesagt.",
                usage=usage,
                beispiel=f"{p} termin absagen {nr}",
            )
    # Over already: `NichtAenderbar` ("… ist schon vorbei; absagen geht nicht mehr.").
    abgesagt = svc.absagen(a, regeln_von(ctx), termin)
    anzahl = abgesagt.vorkommen
    was = f"die Serie „{termin.titel}“ (Nr. {nr})" if termin.rrule else kurz(termin)
    msg = Msg().line(f"🚫 Abgesagt: {was}.")
    if termin.rrule:
        msg.line(f"{anzahl} künftige Termine fallen weg; vergangene bleiben im Verlauf.")
    replies = [msg.reply()]
    handelnd = wer_handelt(ctx, termin)
    info = Msg().line(
        f"🚫 {handelnd} hat {was} abgesagt",
        f" ({wann_text(termin.start, termin.ende, termin.ganztaegig, tz)})."
        if not termin.rrule
        else ".",
    )
    replies += an_eigenes_netzwerk(ctx, termin, info)
    erledigt: dict[int, list[tv.Kollision]] = defaultdict(list)
    for k in abgesagt.frueher:
        erledigt[k.anderes.termin_id].append(k)
    for ks in erledigt.values():
        notiz = Msg().line(
            f"✅ {handelnd} hat {was} abgesagt – die Terminüberschneidung mit Ihrem Termin ",
            kurz(ks[0].termin),
            " entfällt.",
        )
        replies += an_eigenes_netzwerk(ctx, ks[0].termin, notiz)
    return replies


def _vorkommen_absagen(
    ctx: Kontext, a: Aufruf, termin: Termin, tag: date, u: Umfeld
) -> list[Reply]:
    p = praefix(ctx)
    jetzt, tz = a.now(), u.tz
    try:
        row = svc.vorkommen_absagen(a, regeln_von(ctx), termin, tag)
    except svc.KeinVorkommen as fehler:
        kommende = naechste(termin, jetzt, 3, [a.tag for a in termin.ausnahmen])
        liste = "; ".join(wann_text(s, e, termin.ganztaegig, tz) for s, e in kommende)
        raise UsageError(
            f"Die Serie Nr. {termin.id} {fehler.grund}. Die nächsten Termine: {liste or 'keine'}. "
            "Es wurde nichts abgesagt.",
            usage=f"{p} termin absagen <Nr> [<Datum>]",
            beispiel=f"{p} termin absagen {termin.id} am {kommende[0][0]:%d.%m.%Y}"
            if kommende
            else f"{p} termin absagen {termin.id}",
        ) from None
    wann = wann_text(row.start, row.ende, termin.ganztaegig, tz)
    kommende = naechste(termin, jetzt, 1, [a.tag for a in termin.ausnahmen])
    msg = Msg().line(f"🚫 Abgesagt: {kurz(termin)} am {wann}. Die Serie läuft weiter.")
    if kommende:
        msg.line(f"Nächster Termin: {wann_text(*kommende[0], termin.ganztaegig, tz)}")
    info = Msg().line(f"🚫 {wer_handelt(ctx, termin)}: {kurz(termin)} fällt am {wann} aus.")
    return [msg.reply(), *an_eigenes_netzwerk(ctx, termin, info)]
