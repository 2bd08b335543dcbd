"""Where notices go that are not the reply: the Geschäftsstelle, a network's rooms, a person.

Shared by the command families so every feature reaches the same places the same way. A notice
meant to reach people (a clash warning, a request to act) goes through `benachrichtigend`: it
notifies and mentions whom its target calls for (`om_bot.services.benachrichtigung`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from om_bot.chat.router import Kontext
from om_bot.services.benachrichtigung import Geschaeftsstelle, alle_adressieren
from om_bot.text.format import Msg
from om_bot.text.messages import Reply

log = logging.getLogger(__name__)


def geschaeftsstelle(ctx: Kontext) -> Geschaeftsstelle:
    return Geschaeftsstelle(
        ctx.dienste.geschaeftsstelle_room, tuple(sorted(ctx.dienste.rollen.geschaeftsstelle))
    )


def benachrichtigend(ctx: Kontext, replies: Iterable[Reply]) -> list[Reply]:
    """`replies` as messages meant to reach people: notifying, with the mentions of their
    targets (the network's coordinators, the Geschäftsstelle, the DM's recipient) as the
    target rooms' settings allow."""
    return alle_adressieren(ctx.uow, replies, geschaeftsstelle(ctx))


def an_geschaeftsstelle(ctx: Kontext, msg: Msg) -> list[Reply]:
    """A notice for the Geschäftsstelle: to its room, or – without one configured – as a direct
    message to each of its members (nobody misses a request); none when already there."""
    raum = ctx.dienste.geschaeftsstelle_room
    if raum:
        return [] if raum == ctx.nachricht.room_id else [msg.reply(raum)]
    reply = msg.reply()
    mitglieder = sorted(ctx.dienste.rollen.geschaeftsstelle - {ctx.nachricht.sender})
    if not mitglieder and not ctx.dienste.rollen.geschaeftsstelle:
        log.warning("no Geschäftsstelle configured (bot.geschaeftsstelle_room/_users)")
    return [reply.direkt_an(user) for user in mitglieder]


def an_netzwerk(ctx: Kontext, netzwerk_id: int, msg: Msg, auch_hier: bool = False) -> list[Reply]:
    """A notice to every room linked to the network (except this one, which gets the reply)."""
    reply = msg.reply()
    return [
        reply.to(raum.room_id)
        for raum in ctx.uow.raeume.fuer_netzwerk(netzwerk_id)
        if auch_hier or raum.room_id != ctx.nachricht.room_id
    ]


def an_personen(ctx: Kontext, user_ids: set[str] | frozenset[str], msg: Msg) -> list[Reply]:
    """A direct message to each of `user_ids` except the sender (who gets the reply)."""
    reply = msg.reply()
    return [reply.direkt_an(user) for user in sorted(user_ids - {ctx.nachricht.sender})]
