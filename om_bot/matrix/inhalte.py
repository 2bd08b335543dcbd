"""The content of the bot's ``m.room.message`` events: an answer, or a message that notifies.

Plain functions over a `Reply`, called by the adapter (`om_bot.matrix.adapter.notice_content`)
and by tests directly. What the homeserver makes of it is decided by the push rules of the
spec (docs/benachrichtigung.md): ``.m.rule.suppress_notices`` is an override rule that comes
*before* ``.m.rule.is_user_mention``, so an ``m.notice`` never notifies, even with an
intentional mention. Hence:

* an answer is ``m.notice`` – nobody is pinged, and other bots do not answer it. It carries an
  empty ``m.mentions`` only where the legacy push rules, which look into the body, could match
  it for a member of the room (`textregeln_moeglich`): those rules only apply without
  ``m.mentions``, and only for someone who let bot messages notify (``.m.rule.suppress_notices``
  switched off, Element: "Messages sent by bots"). Elsewhere it is left out, because Synapse
  (1.163) checks the JSON schema itself on every event that has ``m.mentions``
  (``jsonschema.validate``): about 4 ms of its CPU per event, more than the rest of storing
  the answer (benchmarks/README.md, "m.mentions");
* a message meant to reach people is ``m.text`` with ``m.mentions.user_ids`` naming them
  (``.m.rule.is_user_mention``: notify, highlight, sound) and a line "An: …" that shows each as
  a pill in the HTML and by name in the plain body; ``m.mentions.room`` (``@room``,
  ``.m.rule.is_room_mention``) only when asked for and the bot's power level allows it.

Replies carry ``m.relates_to.m.in_reply_to`` only: reply fallbacks (the quoted body, the
``<mx-reply>`` block) were removed from the spec in v1.13.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from om_bot.text.messages import Erwaehnung, Reply

HTML_FORMAT = "org.matrix.custom.html"
RAUMRUF = "@room"


def permalink(user_id: str) -> str:
    """The matrix.to link of a user, as Matrix clients turn into a pill."""
    return "https://matrix.to/#/" + quote(user_id, safe="@:")


def pill(person: Erwaehnung) -> str:
    """The HTML pill of `person` (escaped: names come from the register)."""
    href = html.escape(permalink(person.user_id), quote=True)
    return f'<a href="{href}">{html.escape(person.anzeige)}</a>'


def _eindeutig(personen: tuple[Erwaehnung, ...]) -> list[Erwaehnung]:
    gesehen: set[str] = set()
    ergebnis = []
    for p in personen:
        if p.user_id and p.user_id not in gesehen:
            gesehen.add(p.user_id)
            ergebnis.append(p)
    return ergebnis


def adresszeile(personen: list[Erwaehnung], raum: bool) -> tuple[str, str]:
    """The line that names whom the message is meant for: plain text and HTML ("" if none)."""
    if not personen and not raum:
        return "", ""
    namen = [RAUMRUF] if raum else []
    pills = [RAUMRUF] if raum else []
    namen += [" ".join(p.anzeige.split()) for p in personen]
    pills += [pill(p) for p in personen]
    return "An: " + ", ".join(namen), "<p>An: " + ", ".join(pills) + "</p>"


def textregeln_moeglich(body: str, namen: Iterable[str] | None) -> bool:
    """Whether a legacy push rule could find something in `body` for a member whose display
    name or user-id localpart is among `namen`: ``.m.rule.roomnotif`` ("@room"),
    ``.m.rule.contains_display_name``, ``.m.rule.contains_user_name``. Those rules match
    whole words regardless of case; this asks for a substring of the case-folded text, so it
    may say yes where they would not, never the other way round. `namen` None (the members are
    not known): yes."""
    if namen is None:
        return True
    text = body.casefold()
    return RAUMRUF in text or any(name and name.casefold() in text for name in namen)


def inhalt(
    reply: Reply,
    in_reply_to: str | None,
    raumruf_erlaubt: bool = False,
    namen: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The event content for `reply`; a reply to `in_reply_to` when given.

    `raumruf_erlaubt`: the bot's power level in the target room reaches
    ``notifications.room`` (default 50); without it an asked-for ``@room`` is left out – the
    homeserver would not notify for it anyway (``sender_notification_permission``).
    `namen`: the display names and localparts of the room's other members, for an answer's
    ``m.mentions`` (`textregeln_moeglich`; None: not known, so it is sent).
    """
    if not reply.benachrichtigen:
        content: dict[str, Any] = {
            "msgtype": "m.notice",
            "body": reply.text,
            "format": HTML_FORMAT,
            "formatted_body": reply.html,
        }
        if textregeln_moeglich(reply.text, namen):
            # Answers ping nobody (not even the sender of the command), even for someone who
            # let bot messages notify: present, m.mentions switches the legacy rules off.
            content["m.mentions"] = {}
    else:
        personen = _eindeutig(reply.erwaehnt)
        raum = reply.raumruf and raumruf_erlaubt
        mentions: dict[str, Any] = {}
        if personen:
            mentions["user_ids"] = [p.user_id for p in personen]
        if raum:
            mentions["room"] = True
        text, markup = adresszeile(personen, raum)
        content = {
            "msgtype": "m.text",
            "body": reply.text + (f"\n{text}" if text else ""),
            "format": HTML_FORMAT,
            "formatted_body": reply.html + markup,
            # Present even when empty: then nobody is mentioned, and the legacy rules that look
            # for names or "@room" in the body do not apply either.
            "m.mentions": mentions,
        }
    if in_reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": in_reply_to}}
    return content
