"""`raum …`, `netzwerk <Name> räume`: which rooms speak for a network, and who decides that.

A room linked to a network receives its released contact data, its reminders and clash notices,
and is where its commands default to that network – so linking is speaking for the network
(docs/rechte.md): its coordinators, the Geschäftsstelle and admins link directly; a room's
moderator may only *ask*, and the coordinators (by direct message) and the Geschäftsstelle room
get the one-line command to confirm or refuse. Relinking a linked room needs the right on both
networks. The state changes are `om_bot.services.verknuepfung`; every step is audited here.
"""

from __future__ import annotations

from datetime import datetime

from om_bot.chat.registry import Familie, UsageError
from om_bot.chat.router import Kontext
from om_bot.commands.zustellung import an_geschaeftsstelle, an_netzwerk, an_personen
from om_bot.domain.dates import datum_text
from om_bot.domain.roles import MODERATOR_LEVEL, Rolle, Verweigert
from om_bot.services import verknuepfung as vk
from om_bot.services.register import finde_netzwerk, rollen_von
from om_bot.storage.models import Netzwerk, Raum, Verknuepfung, VerknuepfungStatus
from om_bot.text.format import B, Code, I, Msg, Part
from om_bot.text.messages import Reply

familie = Familie("raum", "Räume mit Netzwerken verknüpfen", aliase=("räume", "verknüpfung"))


class RaumVerweigert(Verweigert):
    """A refusal with its own text (who may instead); the router audits it."""

    def __init__(self, meldung: str, rolle: Rolle = Rolle.NETZWERK) -> None:
        super().__init__(rolle)
        self.args = (meldung,)


# --- helpers -----------------------------------------------------------------------------------


def _spricht_fuer(ctx: Kontext, netzwerk: Netzwerk) -> bool:
    return ctx.dienste.rollen.darf(ctx.akteur, Rolle.NETZWERK, rollen_von(ctx.uow, netzwerk))


def _raumname(raum: Raum) -> str:
    return f"{raum.room_id} (Direktchat)" if raum.direkt else raum.room_id


def _datum(ctx: Kontext, zeit: datetime | None) -> str:
    return datum_text(zeit, ctx.dienste.tz) if zeit is not None else "?"


def _antrag(ctx: Kontext, nr: int) -> Verknuepfung:
    antrag = ctx.uow.raeume.verknuepfung(nr)
    if antrag is None or antrag.status is not VerknuepfungStatus.BEANTRAGT:
        p = ctx.dienste.prefix
        stand = f" (Stand: {antrag.status.value})" if antrag is not None else ""
        raise UsageError(
            f"Einen offenen Verknüpfungsantrag Nr. {nr} gibt es nicht{stand}. Es wurde nichts "
            "geändert.",
            usage=f"{p} netzwerk <Netzwerk> räume",
            beispiel=f"{p} netzwerk Hamburg räume",
        )
    return antrag


def _entscheidung_pruefen(ctx: Kontext, netzwerk: Netzwerk, was: str) -> None:
    if not _spricht_fuer(ctx, netzwerk):
        raise RaumVerweigert(
            f"{was} dürfen nur die Koordination von {netzwerk.name}, die Geschäftsstelle und "
            "Admins."
        )


def _audit(
    ctx: Kontext,
    aktion: str,
    v: Verknuepfung,
    vorher: dict[str, object] | None = None,
) -> None:
    ctx.audit(
        aktion,
        netzwerk_id=v.netzwerk_id,
        objekt=v.room_id,
        vorher=vorher,
        nachher={"verknuepfung": v.id, "status": v.status.value, "netzwerk": v.netzwerk.name},
    )


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
    antrag = _antrag(ctx, nr)
    netzwerk = antrag.netzwerk
    _entscheidung_pruefen(ctx, netzwerk, "Einen Verknüpfungsantrag bestätigen")
    raum = antrag.raum
    alt = raum.netzwerk
    if alt is not None and alt.id != netzwerk.id:
        raise UsageError(
            f"Der Raum aus Antrag {nr} ist inzwischen mit {alt.name} verknüpft; umverknüpfen "
            f"darf nur, wer für {alt.name} und {netzwerk.name} sprechen darf. Es wurde nichts "
            "geändert.",
        )
    vk.verknuepfen(ctx.uow, raum, netzwerk, ctx.nachricht.sender, ctx.now(), antrag=antrag)
    _audit(ctx, "raum_bestaetigt", antrag, vorher={"status": VerknuepfungStatus.BEANTRAGT.value})
    ctx.uow.commit()
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
    antrag = _antrag(ctx, nr)
    netzwerk = antrag.netzwerk
    _entscheidung_pruefen(ctx, netzwerk, "Einen Verknüpfungsantrag ablehnen")
    vk.ablehnen(antrag, ctx.nachricht.sender, ctx.now())
    _audit(ctx, "raum_abgelehnt", antrag, vorher={"status": VerknuepfungStatus.BEANTRAGT.value})
    ctx.uow.commit()
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
    v = ctx.uow.raeume.verknuepfung(nr)
    p = ctx.dienste.prefix
    if v is None or v.status is not VerknuepfungStatus.AKTIV:
        raise UsageError(
            f"Eine bestehende Verknüpfung Nr. {nr} gibt es nicht. Es wurde nichts geändert.",
            usage=f"{p} netzwerk <Netzwerk> räume",
            beispiel=f"{p} netzwerk Hamburg räume",
        )
    netzwerk = v.netzwerk
    _entscheidung_pruefen(ctx, netzwerk, "Einen Raum aus der Ferne lösen")
    raum = v.raum
    vk.loesen(ctx.uow, raum, ctx.nachricht.sender, ctx.now())
    _audit(ctx, "raum_geloest", v, vorher={"status": VerknuepfungStatus.AKTIV.value})
    ctx.uow.commit()
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
    raum = ctx.uow.raeume.get(ctx.nachricht.room_id)
    if raum is None or raum.netzwerk is None:
        raise UsageError(
            "Dieser Raum ist mit keinem Netzwerk verknüpft.",
            beispiel=f"{ctx.dienste.prefix} raum Hamburg",
        )
    netzwerk = raum.netzwerk
    # Giving up the link takes no right away from anyone: the room's moderators may.
    ctx.dienste.rollen.pruefe(ctx.akteur, Rolle.RAUM, rollen_von(ctx.uow, netzwerk))
    ende = vk.loesen(ctx.uow, raum, ctx.nachricht.sender, ctx.now())
    ctx.audit(
        "raum_geloest",
        netzwerk_id=netzwerk.id,
        objekt=raum.room_id,
        vorher={"netzwerk": netzwerk.name},
        nachher={"verknuepfung": ende.id if ende else None, "status": "geloest"},
    )
    ctx.uow.commit()
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
    if offen is not None:
        msg.line(
            f"Beantragt (Nr. {offen.id}, von {offen.beantragt_von} am "
            f"{_datum(ctx, offen.beantragt)}): Verknüpfung mit ",
            B(offen.netzwerk.name),
            " – wartet auf die Koordination oder die Geschäftsstelle.",
        )
    return msg.reply()


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
    p = ctx.dienste.prefix
    ziel = finde_netzwerk(ctx.uow, netzwerk)
    eintrag = ctx.uow.raeume.beigetreten(ctx.nachricht.room_id, ctx.now())
    alt = eintrag.netzwerk
    if alt is not None and alt.id == ziel.id:
        return [Msg().line("Dieser Raum ist schon mit ", B(ziel.name), " verknüpft.").reply()]
    darf_neu = _spricht_fuer(ctx, ziel)
    darf_alt = alt is None or _spricht_fuer(ctx, alt)
    if darf_neu and darf_alt:
        v = vk.verknuepfen(ctx.uow, eintrag, ziel, ctx.nachricht.sender, ctx.now())
        _audit(ctx, "raum_verknuepft", v, vorher={"netzwerk": alt.name if alt else None})
        ctx.uow.commit()
        antwort = Msg().line("Dieser Raum ist jetzt mit ", B(ziel.name), " verknüpft.")
        return [antwort.reply(), *_verknuepft_melden(ctx, v, eintrag.room_id)]
    if alt is not None:
        fehlt = " und ".join(n.name for n, ok in ((alt, darf_alt), (ziel, darf_neu)) if not ok)
        raise RaumVerweigert(
            f"Dieser Raum ist mit {alt.name} verknüpft. Umverknüpfen darf nur, wer für "
            f"{alt.name} und {ziel.name} sprechen darf (Koordination, Geschäftsstelle, Admins); "
            f"Ihnen fehlt das Recht für {fehlt}."
        )
    if ctx.nachricht.is_direct:
        # Everyone moderates their own direct chat: a request from there would let anyone
        # ask every network's coordinators for anything.
        raise RaumVerweigert(
            f"Mit {ziel.name} verknüpfen dürfen nur dessen Koordination, die Geschäftsstelle und "
            "Admins. Einen Direktchat kann niemand sonst beantragen – bitte im Gruppenraum des "
            "Netzwerks als dessen Moderation."
        )
    if ctx.nachricht.sender_power_level < MODERATOR_LEVEL:
        raise RaumVerweigert(
            f"Mit {ziel.name} verknüpfen dürfen nur dessen Koordination, die Geschäftsstelle und "
            "Admins; die Moderation des Raums kann es beantragen."
        )
    return _beantragen(ctx, eintrag, ziel, p)


def _beantragen(ctx: Kontext, eintrag: Raum, ziel: Netzwerk, p: str) -> list[Reply]:
    """A moderator asks: nothing is linked until the network or the Geschäftsstelle confirms."""
    antrag, neu = vk.beantragen(ctx.uow, eintrag, ziel, ctx.nachricht.sender, ctx.now())
    if not neu:
        return [
            Msg()
            .line(
                f"Die Verknüpfung mit {ziel.name} ist schon beantragt (Nr. {antrag.id}, am "
                f"{_datum(ctx, antrag.beantragt)}); sie wartet auf die Koordination oder die "
                "Geschäftsstelle."
            )
            .reply()
        ]
    _audit(ctx, "raum_beantragt", antrag)
    ctx.uow.commit()
    koordination = rollen_von(ctx.uow, ziel).koordinatoren
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
    return [
        antwort.reply(),
        *an_personen(ctx, koordination, hinweis),
        *an_geschaeftsstelle(ctx, hinweis),
    ]


@familie.befehl(
    "netzwerk <netzwerk> räume|raeume",
    hilfe="Welche Räume für ein Netzwerk sprechen: wer sie wann verknüpft hat, offene Anträge",
    rolle=Rolle.NETZWERK,
    beispiele=("netzwerk Hamburg räume",),
)
def netzwerk_raeume(ctx: Kontext, netzwerk: str) -> Reply:
    p = ctx.dienste.prefix
    n = finde_netzwerk(ctx.uow, netzwerk)
    _entscheidung_pruefen(ctx, n, f"Die Räume von {n.name} sehen")
    aktiv = ctx.uow.raeume.verknuepfungen(n.id, [VerknuepfungStatus.AKTIV])
    offen = ctx.uow.raeume.verknuepfungen(n.id, [VerknuepfungStatus.BEANTRAGT])
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
