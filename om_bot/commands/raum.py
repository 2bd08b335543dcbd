"""`raum …`, `netzwerk <Name> räume`: which rooms speak for a network, and who decides that.

A room linked to a network receives its released contact data, its reminders and clash notices,
and is where its commands default to that network – so linking is speaking for the network
(docs/rechte.md): its coordinators, the Geschäftsstelle and admins link directly; a room's
moderator may only *ask*, and the coordinators (by direct message) and the Geschäftsstelle room
get the one-line command to confirm or refuse. Relinking a linked room needs the right on both
networks. Who may, the state changes, the audit and the commit are the use cases of
`om_bot.services.verknuepfung`; this module parses the commands and words the answers.
"""

from __future__ import annotations

from datetime import datetime

from om_bot.chat.registry import Familie
from om_bot.chat.router import Kontext
from om_bot.commands.aufruf import aufruf
from om_bot.commands.zustellung import (
    an_geschaeftsstelle,
    an_netzwerk,
    an_personen,
    benachrichtigend,
)
from om_bot.domain.dates import datum_text
from om_bot.domain.roles import Rolle
from om_bot.services import benachrichtigung as bn
from om_bot.services import verknuepfung as vk
from om_bot.storage.models import Raum, Verknuepfung, VerknuepfungStatus
from om_bot.text.format import B, Code, I, Msg, Part
from om_bot.text.messages import Reply

familie = Familie("raum", "Räume mit Netzwerken verknüpfen", aliase=("räume", "verknüpfung"))


# --- helpers -----------------------------------------------------------------------------------


def _raumname(raum: Raum) -> str:
    return f"{raum.room_id} (Direktchat)" if raum.direkt else raum.room_id


def _datum(ctx: Kontext, zeit: datetime | None) -> str:
    return datum_text(zeit, ctx.dienste.tz) if zeit is not None else "?"


def _verknuepft_melden(ctx: Kontext, v: Verknuepfung, raum_id: str) -> list[Reply]:
    """Tell the network's other rooms that one more room speaks for it (no silent claims)."""
    netzwerk = v.netzwerk
    msg = Msg().line(
        f"🔗 Ein weiterer Raum ist jetzt mit {netzwerk.name} verknüpft (Nr. {v.id}, von "
        f"{v.entschieden_von}). Alle Räume: ",
        Code(f"{ctx.dienste.prefix} netzwerk {netzwerk.name} räume"),
    )
    return [r for r in an_netzwerk(ctx, netzwerk.id, msg) if r.room_id != raum_id]


# --- commands ----------------------------------------------------------------------------------


@familie.befehl(
    "raum bestätigen|bestaetigen|annehmen <nr:zahl>",
    hilfe="Einen Verknüpfungsantrag bestätigen: der Raum spricht dann für das Netzwerk",
    rolle=Rolle.NETZWERK,
    beispiele=("raum bestätigen 4",),
)
def raum_bestaetigen(ctx: Kontext, nr: int) -> list[Reply]:
    antrag = vk.antrag_bestaetigen(aufruf(ctx), nr)
    netzwerk, raum = antrag.netzwerk, antrag.raum
    p = ctx.dienste.prefix
    antwort = Msg().line(
        f"Antrag {nr} bestätigt: {_raumname(raum)} ist jetzt mit ", B(netzwerk.name), " verknüpft."
    )
    dort = (
        Msg()
        .line(
            "✅ Die Verknüpfung dieses Raums mit ",
            B(netzwerk.name),
            f" ist bestätigt (von {ctx.nachricht.sender}).",
        )
        .line("Lösen: ", Code(f"{p} raum lösen"))
        .reply(raum.room_id)
    )
    replies = [antwort.reply()]
    if raum.room_id != ctx.nachricht.room_id:
        replies.append(dort)
    return replies + _verknuepft_melden(ctx, antrag, raum.room_id)


@familie.befehl(
    "raum ablehnen|verweigern <nr:zahl>",
    hilfe="Einen Verknüpfungsantrag ablehnen",
    rolle=Rolle.NETZWERK,
    beispiele=("raum ablehnen 4",),
)
def raum_ablehnen(ctx: Kontext, nr: int) -> list[Reply]:
    antrag = vk.antrag_ablehnen(aufruf(ctx), nr)
    netzwerk = antrag.netzwerk
    replies = [Msg().line(f"Antrag {nr} ({netzwerk.name}) ist abgelehnt.").reply()]
    if antrag.room_id != ctx.nachricht.room_id:
        replies.append(
            Msg()
            .line(
                f"Der Antrag, diesen Raum mit {netzwerk.name} zu verknüpfen, wurde abgelehnt "
                f"(von {ctx.nachricht.sender})."
            )
            .reply(antrag.room_id)
        )
    return replies


@familie.befehl(
    "raum lösen|trennen|entfernen <nr:zahl>",
    hilfe="Eine Verknüpfung aus der Liste „netzwerk <Name> räume“ aus der Ferne aufheben",
    rolle=Rolle.NETZWERK,
    beispiele=("raum lösen 4",),
)
def raum_loesen_nr(ctx: Kontext, nr: int) -> list[Reply]:
    v = vk.fern_loesen(aufruf(ctx), nr)
    netzwerk, raum = v.netzwerk, v.raum
    replies = [
        Msg()
        .line(f"Verknüpfung {nr} ({_raumname(raum)} ↔ ", B(netzwerk.name), ") ist aufgehoben.")
        .reply()
    ]
    if raum.room_id != ctx.nachricht.room_id:
        replies.append(
            Msg()
            .line(
                f"Die Verknüpfung dieses Raums mit {netzwerk.name} wurde aufgehoben (von "
                f"{ctx.nachricht.sender})."
            )
            .reply(raum.room_id)
        )
    return replies


@familie.befehl(
    "raum lösen|trennen|entfernen",
    hilfe="Die Verknüpfung dieses Raums mit seinem Netzwerk aufheben",
    rolle=Rolle.RAUM,
    beispiele=("raum lösen",),
)
def raum_loesen(ctx: Kontext) -> Reply:
    netzwerk = vk.hier_loesen(aufruf(ctx))
    return Msg().line("Die Verknüpfung mit ", B(netzwerk.name), " ist aufgehoben.").reply()


@familie.befehl(
    "raum",
    hilfe="Zeigen, mit welchem Netzwerk dieser Raum verknüpft ist",
    beispiele=("raum",),
)
def raum_zeigen(ctx: Kontext) -> Reply:
    p = ctx.dienste.prefix
    eintrag = ctx.uow.raeume.get(ctx.nachricht.room_id)
    offen = ctx.uow.raeume.verknuepfung_im_raum(ctx.nachricht.room_id, VerknuepfungStatus.BEANTRAGT)
    msg = Msg()
    if eintrag is None or eintrag.netzwerk is None:
        msg.line("Dieser Raum ist mit keinem Netzwerk verknüpft.")
        msg.line("Verknüpfen: ", Code(f"{p} raum <Netzwerk>"))
    else:
        msg.line("Dieser Raum gehört zu ", B(eintrag.netzwerk.name), ".")
        msg.line("Lösen: ", Code(f"{p} raum lösen"))
    _benachrichtigung_zeigen(ctx, msg, bn.einstellung(ctx.uow, ctx.nachricht.room_id))
    if offen is not None:
        msg.line(
            f"Beantragt (Nr. {offen.id}, von {offen.beantragt_von} am "
            f"{_datum(ctx, offen.beantragt)}): Verknüpfung mit ",
            B(offen.netzwerk.name),
            " – wartet auf die Koordination oder die Geschäftsstelle.",
        )
    return msg.reply()


# --- how messages meant to reach people address this room ------------------------------------

_ERWAEHNUNGEN = "raum erwähnungen an|aus"
_RAUMRUF = "raum raumerwähnung an|aus"


def _benachrichtigung_zeigen(ctx: Kontext, msg: Msg, e: bn.Raumeinstellung) -> None:
    p = ctx.dienste.prefix
    msg.line(
        "Erinnerungen und Hinweise erwähnen hier die Koordination: ",
        B("an" if e.erwaehnungen else "aus"),
        " (",
        Code(f"{p} {_ERWAEHNUNGEN}"),
        ") · @room: ",
        B("an" if e.raumruf and e.erwaehnungen else "aus"),
        " (",
        Code(f"{p} {_RAUMRUF}"),
        ")",
    )


def _einstellen(ctx: Kontext, schalter: str | None, feld: str, usage: str) -> Reply:
    p = ctx.dienste.prefix
    vorher = bn.einstellung(ctx.uow, ctx.nachricht.room_id)
    if schalter is None:
        msg = Msg()
        _benachrichtigung_zeigen(ctx, msg, vorher)
        return msg.reply()
    wert = bn.schalter(schalter, f"{p} {usage}", f"{p} {usage.rsplit(' ', 1)[0]} aus")
    if feld == "erwaehnungen":
        ergebnis = bn.einstellen(aufruf(ctx), erwaehnungen=wert)
    else:
        ergebnis = bn.einstellen(aufruf(ctx), raumruf=wert)
    wort = "an" if wert else "aus"
    if feld == "erwaehnungen":
        text = (
            "Erinnerungen, Überschneidungswarnungen und Bitten um eine Entscheidung erwähnen in "
            "diesem Raum die Koordination des Netzwerks (bzw. die Geschäftsstelle) mit Namen"
            if wert
            else "Erinnerungen und Hinweise in diesem Raum erwähnen niemanden mehr mit Namen "
            "(und kein @room); sie kommen weiter als normale Nachricht"
        )
    else:
        text = (
            "Erinnerungen und Hinweise in diesem Raum rufen zusätzlich @room – nur wenn der Bot "
            "hier das Power-Level für @room hat (notifications.room, meist 50), sonst lässt er "
            "@room weg"
            if wert
            else "Erinnerungen und Hinweise in diesem Raum rufen kein @room"
        )
        if wert and not ergebnis.nachher.erwaehnungen:
            text += f"; solange die Erwähnungen aus sind, gilt das nicht ({p} raum erwähnungen an)"
    if ergebnis.unveraendert:
        return Msg().line(f"Schon {wort}: {text}.").reply()
    return Msg().line(f"{'🔔' if wert else '🔕'} {text}.").reply()


@familie.befehl(
    "raum erwähnungen|erwähnung [<schalter:wort>]",
    hilfe="Ob Erinnerungen und Hinweise in diesem Raum die Koordination erwähnen (an|aus)",
    rolle=Rolle.RAUM,
    details=(
        "Erinnerungen, Überschneidungswarnungen aus anderen Netzwerken, freigegebene "
        "Kontaktdaten und Bitten um eine Entscheidung sind normale Nachrichten (m.text), die "
        "benachrichtigen; sie erwähnen die Koordination des verknüpften Netzwerks (im Raum der "
        "Geschäftsstelle: die Geschäftsstelle) mit Namen, damit sie es auch in großen Räumen "
        "sieht. „aus“: niemand wird erwähnt. Ohne an/aus: die Einstellung zeigen. Antworten auf "
        "Befehle benachrichtigen nie."
    ),
    beispiele=("raum erwähnungen aus", "raum erwähnungen an"),
)
def raum_erwaehnungen(ctx: Kontext, schalter: str | None) -> Reply:
    return _einstellen(ctx, schalter, "erwaehnungen", _ERWAEHNUNGEN)


@familie.befehl(
    "raum raumerwähnung|raumerwähnungen [<schalter:wort>]",
    hilfe="Ob Erinnerungen und Hinweise in diesem Raum auch @room rufen (an|aus; Standard aus)",
    rolle=Rolle.RAUM,
    details=(
        "@room benachrichtigt alle im Raum. Der Bot ruft es nur, wenn es hier eingeschaltet ist, "
        "die Erwähnungen an sind und sein Power-Level im Raum für @room reicht "
        "(notifications.room, Standard 50). Ohne an/aus: die Einstellung zeigen."
    ),
    beispiele=("raum raumerwähnung an", "raum raumerwähnung aus"),
)
def raum_raumerwaehnung(ctx: Kontext, schalter: str | None) -> Reply:
    return _einstellen(ctx, schalter, "raumruf", _RAUMRUF)


@familie.befehl(
    "raum <netzwerk>",
    hilfe="Diesen Raum mit einem Netzwerk verknüpfen (oder, als Moderation des Raums, beantragen)",
    rolle=Rolle.RAUM,
    details=(
        "Verknüpfen dürfen die Koordination des Netzwerks (Matrix-ID im Register), die "
        "Geschäftsstelle und Admins. Die Moderation des Raums (Power-Level ≥ 50) kann die "
        "Verknüpfung beantragen: die Koordination bekommt eine Direktnachricht, die "
        "Geschäftsstelle einen Hinweis, und erst nach „raum bestätigen <Nr>“ gilt sie. Einen "
        "schon verknüpften Raum umverknüpfen darf nur, wer für beide Netzwerke sprechen darf. "
        "Ein verknüpfter Raum bekommt die freigegebenen Kontaktdaten, Erinnerungen und Hinweise "
        "des Netzwerks; Befehle dort nehmen das Netzwerk und seine Region als Vorgabe."
    ),
    beispiele=("raum Hamburg",),
)
def raum(ctx: Kontext, netzwerk: str) -> list[Reply]:
    ergebnis = vk.raum_verknuepfen(aufruf(ctx), netzwerk)
    if isinstance(ergebnis, vk.SchonVerknuepft):
        return [
            Msg()
            .line("Dieser Raum ist schon mit ", B(ergebnis.netzwerk.name), " verknüpft.")
            .reply()
        ]
    if isinstance(ergebnis, vk.Verknuepft):
        v = ergebnis.verknuepfung
        antwort = Msg().line("Dieser Raum ist jetzt mit ", B(v.netzwerk.name), " verknüpft.")
        return [antwort.reply(), *_verknuepft_melden(ctx, v, ergebnis.raum.room_id)]
    return _beantragt(ctx, ergebnis)


def _beantragt(ctx: Kontext, ergebnis: vk.Beantragt) -> list[Reply]:
    """A moderator asked: nothing is linked until the network or the Geschäftsstelle confirms."""
    p = ctx.dienste.prefix
    antrag, eintrag, ziel = ergebnis.antrag, ergebnis.raum, ergebnis.netzwerk
    if not ergebnis.neu:
        return [
            Msg()
            .line(
                f"Die Verknüpfung mit {ziel.name} ist schon beantragt (Nr. {antrag.id}, am "
                f"{_datum(ctx, antrag.beantragt)}); sie wartet auf die Koordination oder die "
                "Geschäftsstelle."
            )
            .reply()
        ]
    koordination = ergebnis.koordination
    antwort = Msg().line(
        "Die Verknüpfung dieses Raums mit ",
        B(ziel.name),
        f" ist beantragt (Nr. {antrag.id}). Verknüpft ist er erst, wenn die Koordination des "
        "Netzwerks oder die Geschäftsstelle bestätigt; bis dahin spricht dieser Raum nicht für "
        "das Netzwerk.",
    )
    if not koordination:
        antwort.line(
            I(
                f"Für {ziel.name} ist keine Koordination mit Matrix-ID eingetragen; die "
                "Geschäftsstelle entscheidet."
            )
        )
    befehle: tuple[Part, ...] = (
        "Bestätigen: ",
        Code(f"{p} raum bestätigen {antrag.id}"),
        " · Ablehnen: ",
        Code(f"{p} raum ablehnen {antrag.id}"),
    )
    hinweis = (
        Msg(f"🔗 Verknüpfungsantrag Nr. {antrag.id}: {ziel.name}")
        .line(
            f"{ctx.nachricht.sender} (Moderation des Raums {_raumname(eintrag)}) möchte den "
            f"Raum mit {ziel.name} verknüpfen. Ein verknüpfter Raum bekommt die freigegebenen "
            "Kontaktdaten, Erinnerungen und Hinweise des Netzwerks."
        )
        .line(*befehle)
    )
    # The coordinators and the Geschäftsstelle have to decide: notifying.
    return [
        antwort.reply(),
        *benachrichtigend(
            ctx, [*an_personen(ctx, koordination, hinweis), *an_geschaeftsstelle(ctx, hinweis)]
        ),
    ]


@familie.befehl(
    "netzwerk <netzwerk> räume|raeume",
    hilfe="Welche Räume für ein Netzwerk sprechen: wer sie wann verknüpft hat, offene Anträge",
    rolle=Rolle.NETZWERK,
    beispiele=("netzwerk Hamburg räume",),
)
def netzwerk_raeume(ctx: Kontext, netzwerk: str) -> Reply:
    p = ctx.dienste.prefix
    ergebnis = vk.raeume(aufruf(ctx), netzwerk)
    n, aktiv, offen = ergebnis.netzwerk, ergebnis.aktiv, ergebnis.offen
    msg = Msg(f"Räume von {n.name}")
    if not aktiv:
        msg.line("Kein Raum ist mit dem Netzwerk verknüpft.")
    for v in aktiv:
        msg.bullet(
            B(f"Nr. {v.id}"),
            f" · {_raumname(v.raum)} · verknüpft von {v.entschieden_von or '?'} am "
            f"{_datum(ctx, v.entschieden)}"
            + (
                f" (beantragt von {v.beantragt_von})"
                if v.beantragt_von != v.entschieden_von
                else ""
            )
            + " · lösen: ",
            Code(f"{p} raum lösen {v.id}"),
        )
    if offen:
        msg.line(B("Offene Anträge"))
    for v in offen:
        msg.bullet(
            B(f"Nr. {v.id}"),
            f" · {_raumname(v.raum)} · beantragt von {v.beantragt_von} am "
            f"{_datum(ctx, v.beantragt)} · ",
            Code(f"{p} raum bestätigen {v.id}"),
            " / ",
            Code(f"{p} raum ablehnen {v.id}"),
        )
    return msg.reply()
