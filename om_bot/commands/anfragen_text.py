"""The German wording of the contact procedure's steps: the answer, the direct message to the
partner's national contact person, the notice to the Geschäftsstelle and to the network's rooms.

Each function takes what a use case of `om_bot.services.kontaktverfahren` returned and words
it; nothing here looks up, decides or writes. The commands are `om_bot/commands/anfragen.py`.
Contact data appears only where the result says it may (`sichtbar`), in the partner's direct
chat and – after the release – in the network's rooms; never in a notice to the Geschäftsstelle.
"""

from __future__ import annotations

from datetime import datetime

from om_bot.chat.router import Kontext
from om_bot.commands.zustellung import an_geschaeftsstelle, an_netzwerk, benachrichtigend
from om_bot.domain import kontaktverfahren as kv
from om_bot.domain.dates import datum_text
from om_bot.services.kontaktverfahren_ergebnisse import (
    Ansicht,
    AusRegister,
    Benannt,
    Freigegeben,
    Getan,
    Loeschung,
    SchonGeloescht,
    SchonOffen,
    Verlaufseintrag,
)
from om_bot.storage.models import Anfrage, RegionalerKontakt
from om_bot.text.format import B, Code, I, Msg, Part
from om_bot.text.messages import Reply

BENENNEN = "anfrage {nr} benennen Vorname Nachname, E-Mail[, Telefon]"


def zeit(ctx: Kontext, wann: datetime) -> str:
    return wann.astimezone(ctx.dienste.tz).strftime("%d.%m.%Y %H:%M")


def datum(ctx: Kontext, wann: datetime) -> str:
    return datum_text(wann, ctx.dienste.tz)


def weiter(ctx: Kontext, anfrage: Anfrage) -> tuple[Part, ...]:
    """ "Als Nächstes: …" with the command, or that the request is closed."""
    uebergang = kv.naechster(anfrage.status)
    if uebergang is None:
        return (f"Die Anfrage ist abgeschlossen ({anfrage.status}).",)
    return (
        f"Als Nächstes: {uebergang.was}: ",
        Code(f"{ctx.dienste.prefix} {uebergang.befehl_fuer(anfrage.id)}"),
    )


def person(anfrage: Anfrage) -> kv.Kontaktdaten:
    return kv.Kontaktdaten(anfrage.person_name, anfrage.person_email, anfrage.person_telefon)


def fuer_gs(ctx: Kontext, anfrage: Anfrage, *text: Part) -> list[Reply]:
    """Tell the Geschäftsstelle room what happened (unless it happened there)."""
    msg = Msg().line(
        f"Anfrage {anfrage.id} ({anfrage.partner.kurz}, {anfrage.netzwerk.name}): ", *text
    )
    msg.line(*weiter(ctx, anfrage))
    return an_geschaeftsstelle(ctx, msg)


def register_hinweis(ctx: Kontext, partner: str, k: RegionalerKontakt, nr: int) -> tuple[Part, ...]:
    """For the Geschäftsstelle: the register already knows a regional contact (`kontakt`)."""
    return (
        f"ℹ Im Register steht schon eine regionale Ansprechperson von {partner} für "
        f"{k.region.name} (freigegeben am {datum(ctx, k.freigegeben)}"
        + (f", Anfrage {k.anfrage_id}" if k.anfrage_id else "")
        + "). Sie entscheiden: ",
        Code(f"{ctx.dienste.prefix} anfrage {nr} aus register"),
        " oder wie üblich weiterleiten.",
    )


def schon_offen(ctx: Kontext, e: SchonOffen) -> Reply:
    offen = e.offen
    return (
        Msg()
        .line(
            f"Für {e.partner.kurz} gibt es schon eine offene Anfrage von ",
            B(e.netzwerk.name),
            f": Nr. {offen.id}, „{offen.status}“, gestellt am {datum(ctx, offen.erstellt)}. "
            "Es wurde keine neue angelegt.",
        )
        .line("Stand und Verlauf: ", Code(f"{ctx.dienste.prefix} anfrage {offen.id}"))
        .reply()
    )


def weitergeleitet(ctx: Kontext, e: Getan) -> list[Reply]:
    p = ctx.dienste.prefix
    anfrage = e.anfrage
    nr = anfrage.id
    partner, netzwerk = anfrage.partner, anfrage.netzwerk
    benennen = BENENNEN.format(nr=nr)
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
        # The national contact has to act: the DM notifies and mentions them.
        replies += benachrichtigend(ctx, [dm.reply().direkt_an(partner.nationaler_kontakt)])
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
        *fuer_gs(ctx, anfrage, f"weitergeleitet von {ctx.nachricht.sender}."),
        *an_netzwerk(ctx, anfrage.netzwerk_id, netz),
    ]


def aus_register(ctx: Kontext, e: AusRegister) -> list[Reply]:
    p = ctx.dienste.prefix
    anfrage, k = e.anfrage, e.kontakt
    nr = anfrage.id
    partner = anfrage.partner
    herkunft = f"für {k.region.name}, freigegeben am {datum(ctx, k.freigegeben)}" + (
        f" mit Anfrage {k.anfrage_id}" if k.anfrage_id else ""
    )
    antwort = Msg().line(
        f"Anfrage {nr}: regionale Ansprechperson aus dem Register übernommen ({herkunft})."
    )
    if e.sichtbar:
        antwort.bullet(person(anfrage).zeile())
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
            .bullet(person(anfrage).zeile())
            .line(
                "Bitte informieren Sie die Person über die Anfrage und bestätigen Sie dann: ",
                Code(f"anfrage {nr} informiert"),
                ". Ist jemand anderes zuständig: ",
                Code(BENENNEN.format(nr=nr)),
            )
        )
        replies += benachrichtigend(ctx, [dm.reply().direkt_an(partner.nationaler_kontakt)])
    netz = Msg().line(
        f"Anfrage {nr}: Für Ihre Region ist eine Ansprechperson von {partner.kurz} bekannt. Die "
        "Geschäftsstelle gibt die Kontaktdaten frei, sobald die Person über Ihre Anfrage "
        "informiert ist."
    )
    return [
        *replies,
        *fuer_gs(ctx, anfrage, f"aus dem Register übernommen von {ctx.nachricht.sender}."),
        *an_netzwerk(ctx, anfrage.netzwerk_id, netz),
    ]


def benannt(ctx: Kontext, e: Benannt) -> list[Reply]:
    p = ctx.dienste.prefix
    anfrage = e.anfrage
    nr = anfrage.id
    partner = anfrage.partner
    antwort = (
        Msg()
        .line(
            f"Danke! Anfrage {nr}: benannt als regionale Ansprechperson von {partner.kurz} für ",
            B(anfrage.netzwerk.name),
            ":",
        )
        .bullet(e.person.zeile())
        .line(
            "Die Kontaktdaten sieht nur die Geschäftsstelle, bis sie sie freigibt. Als "
            "Nächstes: die Person über die Anfrage aus der Region (und ggf. über die OM) "
            "informieren und dann bestätigen: ",
            Code(f"{p} anfrage {nr} informiert"),
        )
    )
    wer = (
        "die Geschäftsstelle im Namen des Partners"
        if e.als is kv.Beteiligt.GESCHAEFTSSTELLE
        else partner.nationaler_kontakt_name or ctx.nachricht.sender
    )
    replies = [
        antwort.reply(),
        *fuer_gs(
            ctx,
            anfrage,
            f"Regionale Ansprechperson benannt von {wer}"
            + (
                " (neue Person, muss neu informiert werden)"
                if e.alt is kv.Zustand.INFORMIERT
                else ""
            )
            + ". Die Daten zeigt ",
            Code(f"{p} anfrage {nr}"),
            " (im Raum der Geschäftsstelle).",
        ),
    ]
    if e.alt is kv.Zustand.ANGEFRAGT:
        netz = Msg().line(
            f"Anfrage {nr}: {partner.kurz} hat eine regionale Ansprechperson benannt. Die "
            "Kontaktdaten gibt die Geschäftsstelle frei, sobald die Person über Ihre Anfrage "
            "informiert ist."
        )
        replies += an_netzwerk(ctx, anfrage.netzwerk_id, netz)
    return replies


def informiert(ctx: Kontext, e: Getan) -> list[Reply]:
    nr = e.anfrage.id
    if kv.Beteiligt.GESCHAEFTSSTELLE in e.beteiligt:
        antwort = Msg().line(
            f"Anfrage {nr}: die benannte Person ist informiert. Bereit zur Freigabe: ",
            Code(f"{ctx.dienste.prefix} anfrage {nr} freigeben"),
        )
    else:
        antwort = Msg().line(
            f"Danke! Anfrage {nr}: bestätigt, dass die benannte Person informiert ist. Die "
            "Geschäftsstelle gibt die Kontaktdaten jetzt an das Netzwerk frei."
        )
    return [
        antwort.reply(),
        *fuer_gs(
            ctx,
            e.anfrage,
            f"Die benannte Person ist informiert (bestätigt von {ctx.nachricht.sender}).",
        ),
    ]


def freigegeben(ctx: Kontext, e: Freigegeben) -> list[Reply]:
    p = ctx.dienste.prefix
    anfrage, daten_von, raeume = e.anfrage, e.person, e.raeume
    nr = anfrage.id
    partner, netzwerk, region = anfrage.partner, anfrage.netzwerk, anfrage.region
    daten = Msg(f"✅ Anfrage {nr}: Ihre regionale Ansprechperson von {partner.kurz}")
    daten.bullet("Name: ", B(daten_von.name))
    daten.bullet("E-Mail: ", daten_von.email)
    if daten_von.telefon:
        daten.bullet("Telefon: ", daten_von.telefon)
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
        # What the network asked for: notifying, mentioning its coordinators.
        *benachrichtigend(ctx, (data_reply.to(raum) for raum in raeume)),
        *fuer_gs(ctx, anfrage, f"freigegeben von {ctx.nachricht.sender}."),
    ]


def abgelehnt(ctx: Kontext, e: Getan) -> list[Reply]:
    anfrage = e.anfrage
    nr = anfrage.id
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
    # The other end of the request, like the release: notifying.
    replies = [antwort.reply(), *benachrichtigend(ctx, an_netzwerk(ctx, anfrage.netzwerk_id, netz))]
    kontakt = partner.nationaler_kontakt
    if kontakt and e.alt is not kv.Zustand.EINGEGANGEN and kontakt != ctx.nachricht.sender:
        replies.append(
            Msg()
            .line(
                f"Anfrage {nr} ({anfrage.netzwerk.name}) ist erledigt: die Geschäftsstelle hat "
                "sie abgelehnt. Sie müssen dafür nichts mehr tun."
            )
            .reply()
            .direkt_an(kontakt)
        )
    replies += fuer_gs(ctx, anfrage, f"abgelehnt von {ctx.nachricht.sender}.")
    return replies


def geloescht(ctx: Kontext, e: Loeschung | SchonGeloescht) -> Reply:
    nr = e.anfrage.id
    if isinstance(e, SchonGeloescht):
        return (
            Msg()
            .line(
                f"Die personenbezogenen Daten von Anfrage {nr} sind schon gelöscht "
                f"(am {zeit(ctx, e.am)})."
            )
            .reply()
        )
    register, kopien = e.geloescht.registereintraege, e.geloescht.kopien
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


def _schritt_text(eintrag: Verlaufseintrag) -> str:
    if eintrag.schritt == "löschen":
        return "personenbezogene Daten gelöscht"
    if eintrag.vorher:
        return f"{eintrag.vorher} → {eintrag.nachher}" + (
            f" ({eintrag.schritt})" if eintrag.schritt else ""
        )
    return f"→ {eintrag.nachher}"


def ansicht(ctx: Kontext, e: Ansicht) -> Reply:
    anfrage = e.anfrage
    nr = anfrage.id
    partner, netzwerk = anfrage.partner, anfrage.netzwerk
    msg = Msg(f"Anfrage {nr}: regionale Ansprechperson von {partner.kurz}")
    msg.bullet("Netzwerk: ", B(netzwerk.name), f" ({anfrage.region.name})")
    msg.bullet("Partner: ", f"{partner.kurz} – {partner.name}")
    msg.bullet("Stand: ", B(anfrage.status.value), f" (seit {zeit(ctx, anfrage.geaendert)})")
    msg.bullet(*weiter(ctx, anfrage))
    if anfrage.notiz:
        msg.bullet("Notiz: ", anfrage.notiz)
    if anfrage.status is kv.Zustand.ABGELEHNT and anfrage.grund:
        msg.bullet("Grund der Ablehnung: ", anfrage.grund)
    if anfrage.person_name:
        if e.sichtbar:
            msg.bullet("Benannte Person: ", B(person(anfrage).zeile()))
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
        msg.bullet(f"Personenbezogene Daten gelöscht am {zeit(ctx, anfrage.geloescht)}")
    msg.line(B("Verlauf"))
    for eintrag in e.verlauf:
        rolle = eintrag.rolle.kurz if eintrag.rolle is not None else ""
        msg.bullet(
            f"{zeit(ctx, eintrag.zeit)} · ",
            _schritt_text(eintrag),
            f" · {eintrag.akteur}",
            f" ({rolle})" if rolle and not eintrag.akteur.startswith("(") else "",
        )
    return msg.reply()
