"""`raum`: link a Matrix room to a network, show or remove the link."""

from __future__ import annotations

from om_bot.format import B, Code, Msg
from om_bot.messages import Reply
from om_bot.register import finde_netzwerk, rollen_von
from om_bot.registry import Familie, UsageError
from om_bot.roles import Rolle
from om_bot.router import Kontext

familie = Familie("raum", "Räume mit Netzwerken verknüpfen")


@familie.befehl(
    "raum lösen|trennen|entfernen",
    hilfe="Die Verknüpfung dieses Raums mit seinem Netzwerk aufheben",
    rolle=Rolle.NETZWERK,
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
    if not ctx.dienste.rollen.darf(ctx.akteur, Rolle.MODERATION):
        ctx.dienste.rollen.pruefe(ctx.akteur, Rolle.NETZWERK, rollen_von(ctx.uow, netzwerk))
    raum.netzwerk_id = None
    raum.verknuepft_von = ctx.nachricht.sender
    ctx.audit(
        "raum_geloest",
        netzwerk_id=netzwerk.id,
        objekt=raum.room_id,
        vorher={"netzwerk": netzwerk.name},
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
    if eintrag is None or eintrag.netzwerk is None:
        return (
            Msg()
            .line("Dieser Raum ist mit keinem Netzwerk verknüpft.")
            .line("Verknüpfen: ", Code(f"{p} raum <Netzwerk>"))
            .reply()
        )
    return (
        Msg()
        .line("Dieser Raum gehört zu ", B(eintrag.netzwerk.name), ".")
        .line("Lösen: ", Code(f"{p} raum lösen"))
        .reply()
    )


@familie.befehl(
    "raum <netzwerk>",
    hilfe="Diesen Raum mit einem Netzwerk verknüpfen",
    rolle=Rolle.NETZWERK,
    details=(
        "Verknüpfen dürfen Admins, die Geschäftsstelle, die Koordination des Netzwerks und die "
        "Moderation des Raums. Spätere Befehle nehmen dann dieses Netzwerk und seine Region als "
        "Vorgabe."
    ),
    beispiele=("raum Hamburg",),
)
def raum(ctx: Kontext, netzwerk: str) -> Reply:
    ziel = finde_netzwerk(ctx.uow, netzwerk)
    if not ctx.dienste.rollen.darf(ctx.akteur, Rolle.MODERATION):
        ctx.dienste.rollen.pruefe(ctx.akteur, Rolle.NETZWERK, rollen_von(ctx.uow, ziel))
    eintrag = ctx.uow.raeume.beigetreten(ctx.nachricht.room_id, ctx.now())
    vorher = eintrag.netzwerk.name if eintrag.netzwerk else None
    eintrag.netzwerk_id = ziel.id
    eintrag.verknuepft_von = ctx.nachricht.sender
    ctx.audit(
        "raum_verknuepft",
        netzwerk_id=ziel.id,
        objekt=eintrag.room_id,
        vorher={"netzwerk": vorher},
        nachher={"netzwerk": ziel.name},
    )
    ctx.uow.commit()
    return Msg().line("Dieser Raum ist jetzt mit ", B(ziel.name), " verknüpft.").reply()
