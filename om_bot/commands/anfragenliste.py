"""The lists of the contact procedure: `anfragen [alle] [seite N]` and the list a network sees
when it already has as many open requests as it may (`kontakt`).

Kept out of `om_bot/commands/anfragen.py` (the commands themselves, long enough). Pages have a fixed
size (`om_bot.chat.seiten.SEITENGROESSE`); names are cut so that a page stays far below Matrix's
event size limit even with the longest names the register allows, and the finished reply is
measured: should it still be too large (names of emoji only), it is rebuilt with shorter names.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from om_bot.chat.registry import UsageError
from om_bot.chat.router import Kontext
from om_bot.chat.seiten import BUDGET, SEITENGROESSE, Seite, groesse, kuerzen
from om_bot.domain import kontaktverfahren as kv
from om_bot.domain.roles import Rolle
from om_bot.storage.models import Anfrage, Netzwerk
from om_bot.text.format import B, Code, Msg
from om_bot.text.messages import Reply

# Characters of a network's or partner's name in a list line; the shorter set is the fallback
# for names whose characters are large in JSON (emoji: 12 bytes each).
NAMEN = (60, 20)
PARTNER = (20, 12)


def _alter(jetzt: datetime, seit: datetime) -> str:
    tage = (jetzt - seit).days
    return "seit heute" if tage < 1 else "seit 1 Tag" if tage == 1 else f"seit {tage} Tagen"


def _zeilen(ctx: Kontext, msg: Msg, anfragen: Sequence[Anfrage], name: int, partner: int) -> None:
    jetzt = ctx.now()
    for a in anfragen:
        uebergang = kv.naechster(a.status)
        msg.bullet(
            B(f"Nr. {a.id}"),
            f" · {kuerzen(a.partner.kurz, partner)} · {kuerzen(a.netzwerk.name, name)} · ",
            B(a.status.value),
            f" · {_alter(jetzt, a.erstellt)}",
            f" · als Nächstes: {uebergang.schritt}" if uebergang else "",
        )


def _gemessen(bauen: Sequence[Reply]) -> Reply:
    """The first of the replies (longest names first) that fits the budget."""
    for reply in bauen:
        if groesse(reply) <= BUDGET:
            return reply
    raise AssertionError("a page of requests does not fit into one Matrix event")


def liste(ctx: Kontext, alle: bool, nummer: int | None) -> Reply:
    """`anfragen`/`anfragen alle`, page `nummer` (None: the first)."""
    p = ctx.dienste.prefix
    uow = ctx.uow
    befehl = f"{p} anfragen alle" if alle else f"{p} anfragen"
    seite = Seite(1 if nummer is None else nummer, 0)
    if seite.nummer < 1:
        raise UsageError(
            "Seiten zählen ab 1.", usage=f"{befehl} [seite <Nr>]", beispiel=f"{befehl} seite 2"
        )
    raum_netzwerk = ctx.akteur.raum_netzwerk_id
    if raum_netzwerk is not None:
        # In a network's room only that network's requests, whoever asks: the room reads along.
        netzwerk = uow.netzwerke.get(raum_netzwerk)
        name = kuerzen(netzwerk.name, NAMEN[0]) if netzwerk else "diesem Netzwerk"
        titel = f"Anfragen von {name}"
        anfragen, gesamt = uow.anfragen.seite(
            netzwerke=[raum_netzwerk], ab=seite.ab, anzahl=seite.groesse
        )
    elif ctx.dienste.rollen.darf(ctx.akteur, Rolle.GESCHAEFTSSTELLE):
        titel = "Alle Anfragen (neueste zuerst)" if alle else "Offene Anfragen (älteste zuerst)"
        anfragen, gesamt = uow.anfragen.seite(
            nur_offen=not alle, aelteste_zuerst=not alle, ab=seite.ab, anzahl=seite.groesse
        )
    else:
        titel = "Ihre Anfragen"
        anfragen, gesamt = uow.anfragen.seite(
            netzwerke=uow.anfragen.netzwerk_ids_von(ctx.akteur.user_id),
            partner_offen=[x.id for x in uow.anfragen.partner_von(ctx.akteur.user_id)],
            ab=seite.ab,
            anzahl=seite.groesse,
        )
        if not gesamt:
            return (
                Msg()
                .line("Für Sie gibt es hier keine Anfragen.")
                .line(
                    "Eine Anfrage stellt die Koordination eines Netzwerks in dessen Raum, z. B. ",
                    Code(f"{p} kontakt IHK"),
                    "; die Geschäftsstelle sieht hier alle offenen.",
                )
                .reply()
            )
    if not gesamt:
        return Msg().line(f"{titel}: keine.").reply()
    seite = Seite(seite.nummer, gesamt)
    if not seite.gibt_es:
        raise UsageError(
            f"{titel}: Seite {seite.nummer} gibt es nicht, es gibt "
            + ("nur 1 Seite." if seite.anzahl == 1 else f"{seite.anzahl} Seiten."),
            usage=f"{befehl} [seite <Nr>]",
            beispiel=f"{befehl} seite {seite.anzahl}" if seite.anzahl > 1 else befehl,
        )

    def bauen(name: int, partner: int) -> Reply:
        msg = Msg(f"{titel} ({gesamt})")
        _zeilen(ctx, msg, anfragen, name, partner)
        if seite.anzahl > 1:
            msg.line(
                f"Seite {seite.nummer} von {seite.anzahl}",
                *(
                    ()
                    if seite.letzte
                    else (" – weiter: ", Code(f"{befehl} seite {seite.nummer + 1}"))
                ),
            )
        msg.line("Einzelheiten und Verlauf: ", Code(f"{p} anfrage <Nr>"))
        return msg.reply()

    return _gemessen([bauen(NAMEN[0], PARTNER[0]), bauen(NAMEN[1], PARTNER[1])])


def zu_viele_offene(
    ctx: Kontext, netzwerk: Netzwerk, offene: Sequence[Anfrage], hoechstens: int
) -> Reply:
    """The answer when `netzwerk` already has `hoechstens` open requests: nothing created."""
    p = ctx.dienste.prefix

    def bauen(name: int, partner: int) -> Reply:
        msg = Msg().line(
            "⚠ ",
            B(kuerzen(netzwerk.name, name)),
            f" hat schon {len(offene)} offene Kontaktanfragen; mehr als {hoechstens} "
            "gleichzeitig nimmt die Geschäftsstelle nicht an. Es wurde keine neue angelegt. "
            "Sobald eine davon abgeschlossen ist (freigegeben oder abgelehnt), geht es wieder.",
        )
        _zeilen(ctx, msg, offene[:SEITENGROESSE], name, partner)
        msg.line("Stand und Verlauf: ", Code(f"{p} anfrage <Nr>"))
        return msg.reply()

    return _gemessen([bauen(NAMEN[0], PARTNER[0]), bauen(NAMEN[1], PARTNER[1])])
