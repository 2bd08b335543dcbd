"""`ansprache <institution> [– <person>]`: a network records that it approaches an institution
(and a person); the use case (`om_bot.services.ansprachen.festhalten`) finds the parallel
approaches, this module words the warning and the notices (seed 000)."""

from __future__ import annotations

from om_bot.chat.registry import UsageError
from om_bot.chat.router import Kontext
from om_bot.commands.aufruf import aufruf
from om_bot.commands.termine.basis import familie, praefix
from om_bot.commands.zustellung import benachrichtigend
from om_bot.domain.ansprachen import FENSTER, hinweis
from om_bot.domain.ansprachen import warnung as ansprache_warnung
from om_bot.domain.dates import datum_text
from om_bot.domain.roles import Rolle
from om_bot.services import ansprachen
from om_bot.text.format import B, Msg
from om_bot.text.messages import Reply


@familie.befehl(
    "ansprache <institution> [–|-|— <person>]",
    hilfe="Festhalten, dass Ihr Netzwerk eine Institution (und Person) anspricht – mit Warnung "
    "bei Parallelansprachen",
    rolle=Rolle.NETZWERK,
    details=(
        "Im Raum des Netzwerks. Spricht ein anderes Netzwerk derselben, einer umfassenden oder "
        f"einer enthaltenen Region dieselbe Institution oder Person innerhalb von {FENSTER.days} "
        "Tagen an (auch über eine Kontaktanfrage an die Geschäftsstelle), warnt der Bot und "
        "benachrichtigt den Raum des anderen Netzwerks."
    ),
    beispiele=("ansprache Handwerkskammer Hamburg", "ansprache IHK – Erika Musterfrau"),
)
def ansprache(ctx: Kontext, institution: str, person: str | None) -> list[Reply]:
    p = praefix(ctx)
    netzwerk_id = ctx.akteur.raum_netzwerk_id
    netzwerk = ctx.uow.netzwerke.get(netzwerk_id) if netzwerk_id is not None else None
    if netzwerk is None:
        raise UsageError(
            "Eine Ansprache hält die Koordination eines Netzwerks in dessen Raum fest; dieser "
            f"Raum ist mit keinem Netzwerk verknüpft. Zuerst verknüpfen: „{p} raum <Netzwerk>“.",
            usage=f"{p} raum <Netzwerk>",
            beispiel=f"{p} raum Hamburg",
        )
    tz = ctx.dienste.tz
    erfasst = ansprachen.festhalten(
        aufruf(ctx), netzwerk, institution=institution, person=person or ""
    )
    neu, parallel = erfasst.ansprache, erfasst.parallel
    ziel = neu.institution + (f" ({neu.person})" if neu.person else "")
    msg = Msg().line(
        "Notiert: ", B(netzwerk.name), f" spricht {ziel} an ({datum_text(neu.zeit, tz)})."
    )
    ansprache_warnung(msg, [ansprachen.beschreibung(a) for a in parallel], tz)
    replies = [msg.reply()]
    for a in parallel:
        notiz = hinweis(ansprachen.beschreibung(neu), ansprachen.beschreibung(a), tz).reply()
        # A warning for the other network: notifying, mentioning its coordinators.
        replies += benachrichtigend(
            ctx,
            (
                notiz.to(r.room_id)
                for r in ctx.uow.raeume.fuer_netzwerk(a.netzwerk_id)
                if r.room_id != ctx.nachricht.room_id
            ),
        )
    return replies
