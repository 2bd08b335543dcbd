"""The wording of events: an event described (time, kind, network, holidays, next dates of a
series), clash warnings for the sender and the notices to the other networks' rooms."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from om_bot.chat.router import Kontext
from om_bot.commands.termine.basis import (
    Umfeld,
    kurz,
    netzwerk_name,
    praefix,
    regeln_von,
    wann_text,
)
from om_bot.commands.zustellung import benachrichtigend
from om_bot.domain.dates import Zeitraum, datum_text, format_zeitraum
from om_bot.domain.roles import Rolle
from om_bot.domain.termine import SEED_000, SEED_001_TREFFEN, naechste
from om_bot.services import terminverwaltung as tv
from om_bot.services.register import rollen_von
from om_bot.storage.models import Termin
from om_bot.text.format import B, Code, I, Msg, Part
from om_bot.text.messages import Reply


def nach_termin(treffer: Sequence[tv.Kollision]) -> dict[int, list[tv.Kollision]]:
    gruppen: dict[int, list[tv.Kollision]] = defaultdict(list)
    for k in treffer:
        gruppen[k.anderes.termin_id].append(k)
    return gruppen


def kollisionszeile(k: tv.Kollision, anzahl: int, serie: bool, u: Umfeld) -> tuple[Part, ...]:
    t = k.termin
    teile: list[Part] = [
        f"„{t.titel}“ (Nr. {t.id}, {t.art.text}) – ",
        B(netzwerk_name(t)),
        f" – {wann_text(k.anderes.start, k.anderes.ende, t.ganztaegig, u.tz)} – {t.region.name}",
    ]
    if anzahl > 1:
        teile.append(f" ({anzahl} Überschneidungen, die erste oben)")
    elif serie:
        teile.append(f" (mit Ihrem Termin am {datum_text(k.eigenes.start, u.tz)})")
    return tuple(teile)


def kollisionen_melden(
    msg: Msg, termin: Termin, treffer: Sequence[tv.Kollision], u: Umfeld, benachrichtigt: bool
) -> None:
    if not treffer:
        return
    msg.line(
        B("⚠ Terminüberschneidung"),
        " – in derselben, einer umfassenden oder einer enthaltenen Region ist schon etwas geplant:",
    )
    for ks in nach_termin(treffer).values():
        msg.bullet(*kollisionszeile(ks[0], len(ks), bool(termin.rrule), u))
    msg.line(
        "Der Termin ist trotzdem eingetragen und als Überschneidung markiert. Bitte stimmen Sie "
        "sich ab",
        "; die betroffenen Netzwerke haben einen Hinweis bekommen. " if benachrichtigt else ". ",
        I(SEED_000),
        " (Vereinbarung der INQA-Netzwerke)",
    )


def wer_eintraegt(termin: Termin) -> str:
    return termin.netzwerk.name if termin.netzwerk is not None else "Die Geschäftsstelle"


def wer_handelt(ctx: Kontext, termin: Termin) -> str:
    """Who changed or cancelled an event, as notices name it: the network when one of its
    coordinators did, the Geschäftsstelle when it acted for the network."""
    netzwerk = termin.netzwerk
    if netzwerk is not None and ctx.nachricht.sender in rollen_von(ctx.uow, netzwerk).koordinatoren:
        return netzwerk.name
    if ctx.dienste.rollen.darf(ctx.akteur, Rolle.GESCHAEFTSSTELLE):
        return "Die Geschäftsstelle"
    return wer_eintraegt(termin)


def hinweise_an_andere(
    ctx: Kontext,
    termin: Termin,
    treffer: Sequence[tv.Kollision],
    u: Umfeld,
    *,
    was: str,
    wer: str,
    nur_neue: set[int] | None = None,
) -> list[Reply]:
    """Notices to the rooms of the networks whose events clash (network-less ones: the
    Geschäftsstelle room), one per room; never to the room the command came from."""
    ziele: dict[str, list[list[tv.Kollision]]] = defaultdict(list)
    for termin_id, ks in nach_termin(treffer).items():
        if nur_neue is not None and termin_id not in nur_neue:
            continue
        anderer = ks[0].termin
        if anderer.netzwerk_id is not None:
            raeume = [r.room_id for r in ctx.uow.raeume.fuer_netzwerk(anderer.netzwerk_id)]
        else:
            raeume = (
                [ctx.dienste.geschaeftsstelle_room] if ctx.dienste.geschaeftsstelle_room else []
            )
        for raum in raeume:
            if raum != ctx.nachricht.room_id:
                ziele[raum].append(ks)
    replies = []
    for raum, gruppen in ziele.items():
        msg = Msg().line(
            B("⚠ Terminüberschneidung"),
            f" – {wer} hat einen Termin {was}, der sich mit Ihrem überschneidet:",
        )
        erste = gruppen[0][0].eigenes
        msg.bullet(
            "Neu: ",
            B(kurz(termin)),
            f", {termin.art.text} – {wann_text(erste.start, erste.ende, termin.ganztaegig, u.tz)}"
            f" – {termin.region.name}",
        )
        for ks in gruppen:
            k = ks[0]
            msg.bullet(
                "Ihr Termin: ",
                kurz(k.termin),
                f" – {wann_text(k.anderes.start, k.anderes.ende, k.termin.ganztaegig, u.tz)}",
                f" ({len(ks)} Überschneidungen)" if len(ks) > 1 else "",
            )
        msg.line(
            "Bitte stimmen Sie sich ab. ",
            I(SEED_000),
            " Details: ",
            Code(f"{praefix(ctx)} termin {termin.id}"),
        )
        replies.append(msg.reply(raum))
    # Meant to reach the other network: notifying, mentioning its coordinators.
    return benachrichtigend(ctx, replies)


def an_eigenes_netzwerk(ctx: Kontext, termin: Termin, msg: Msg) -> list[Reply]:
    """A notice to the rooms of the event's network (or the Geschäftsstelle), not this room."""
    if termin.netzwerk_id is not None:
        raeume = [r.room_id for r in ctx.uow.raeume.fuer_netzwerk(termin.netzwerk_id)]
    else:
        raeume = [ctx.dienste.geschaeftsstelle_room] if ctx.dienste.geschaeftsstelle_room else []
    reply = msg.reply()
    return [reply.to(r) for r in dict.fromkeys(raeume) if r and r != ctx.nachricht.room_id]


def _art_zeile(termin: Termin) -> tuple[Part, ...]:
    if termin.art.zaehlt_als_treffen:
        return (termin.art.text, I(f" (zählt für {SEED_001_TREFFEN})"))
    return (termin.art.text,)


def beschreibe(msg: Msg, ctx: Kontext, termin: Termin, u: Umfeld, zeitraum: Zeitraum) -> None:
    tz = u.tz
    wann = format_zeitraum(zeitraum)
    # A typo read as a name („Mitwoch“) is said, so that a wrong correction is seen at once.
    for falsch, richtig in zeitraum.korrekturen:
        wann += f" – „{falsch}“ (gelesen als {richtig})"
    if termin.ohne_ende:
        dauer = regeln_von(ctx).standard_dauer
        stunden = dauer.total_seconds() / 3600
        wann += f" (kein Ende angegeben: {stunden:g} Std. angenommen)"
    msg.bullet("Wann: ", B(wann))
    msg.bullet("Art: ", *_art_zeile(termin))
    msg.bullet("Netzwerk: ", netzwerk_name(termin), f" · Region: {termin.region.name}")
    if termin.ort:
        msg.bullet("Ort: ", termin.ort)
    ausnahmen = [a.tag for a in termin.ausnahmen]
    kommende = (
        []
        if termin.abgesagt is not None
        else naechste(termin, ctx.now(), 5 if termin.rrule else 1, ausnahmen)
    )
    if termin.rrule and kommende:
        msg.bullet("Nächste Termine:")
    for beginn, ende in kommende:
        zeile = wann_text(beginn, ende, termin.ganztaegig, tz)
        feier = u.feiertage(termin.region_id, beginn, ende)
        if termin.rrule:
            msg.bullet("  ", zeile, *(f" – ⚑ {f}" for f in feier))
        else:
            for f in feier:
                msg.bullet("⚑ ", B(f))
    if ausnahmen:
        msg.bullet("Abgesagt: ", ", ".join(datum_text(a) for a in ausnahmen))


def zeitraum_von(termin: Termin, tz: ZoneInfo) -> Zeitraum:
    return Zeitraum(
        termin.start.astimezone(tz),
        termin.ende.astimezone(tz),
        termin.ganztaegig,
        termin.rrule or None,
        termin.ohne_ende,
    )


def befehlszeile(ctx: Kontext, termin: Termin) -> tuple[Part, ...]:
    p = praefix(ctx)
    return (
        "Ändern: ",
        Code(f"{p} termin ändern {termin.id} …"),
        " · Absagen: ",
        Code(f"{p} termin absagen {termin.id}" + (" [<Datum>]" if termin.rrule else "")),
    )
