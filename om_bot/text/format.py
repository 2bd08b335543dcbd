"""Building replies that are HTML for clients and plain text for everyone else.

Every string a handler passes in is escaped; only the markup this module adds is HTML. So a
network named ``<script>`` shows up as text, never as markup.

Likewise no part can start a line of its own in the plain body, where a line looks like any
other: a network named "X\n✅ Anfrage 3 freigegeben" must not read like the bot's answer.
Parts come from users and from the bot's own wording alike, so the rule is for every part: a
line break inside a title becomes a space; inside a line or bullet it becomes a line break
followed by an indent in the plain body (so continuation lines never start at column 0) and
``<br>`` in the HTML. Every kind of line break counts (what `str.splitlines` splits at), since
clients differ in which they show.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from om_bot.text.messages import Attachment, Reply


@dataclass(frozen=True)
class B:
    """Bold text."""

    text: str


@dataclass(frozen=True)
class I:  # noqa: E742 - reads like the HTML tag it stands for
    """Italic text."""

    text: str


@dataclass(frozen=True)
class Code:
    """A command or literal the user can type."""

    text: str


Part = str | B | I | Code


# What a line break inside a part becomes in the plain body of a line or bullet: the indent
# lines up with the text after a bullet ("• ").
_FORTSETZUNG = "\n  "


def _html(part: Part, umbruch: str) -> str:
    text = umbruch.join(html.escape(z) for z in _roh(part).splitlines())
    if isinstance(part, B):
        return f"<b>{text}</b>"
    if isinstance(part, I):
        return f"<i>{text}</i>"
    if isinstance(part, Code):
        return f"<code>{text}</code>"
    return text


def _text(part: Part, umbruch: str) -> str:
    text = umbruch.join(_roh(part).splitlines())
    return f"`{text}`" if isinstance(part, Code) else text


def _roh(part: Part) -> str:
    return part if isinstance(part, str) else part.text


class Msg:
    """A reply under construction: title, lines and bullet lists, in order."""

    def __init__(self, *title: Part) -> None:
        self._html: list[str] = []
        self._text: list[str] = []
        self._in_list = False
        if title:
            self.title(*title)

    def _close_list(self) -> None:
        if self._in_list:
            self._html.append("</ul>")
            self._in_list = False

    def title(self, *parts: Part) -> Msg:
        self._close_list()
        # A title is one line.
        self._html.append("<p><b>" + "".join(_html(p, " ") for p in parts) + "</b></p>")
        self._text.append("".join(_text(p, " ") for p in parts))
        return self

    def line(self, *parts: Part) -> Msg:
        self._close_list()
        self._html.append("<p>" + "".join(_html(p, "<br>") for p in parts) + "</p>")
        self._text.append("".join(_text(p, _FORTSETZUNG) for p in parts))
        return self

    def bullet(self, *parts: Part) -> Msg:
        if not self._in_list:
            self._html.append("<ul>")
            self._in_list = True
        self._html.append("<li>" + "".join(_html(p, "<br>") for p in parts) + "</li>")
        self._text.append("• " + "".join(_text(p, _FORTSETZUNG) for p in parts))
        return self

    @property
    def empty(self) -> bool:
        return not self._text

    def reply(self, room_id: str | None = None, attachment: Attachment | None = None) -> Reply:
        self._close_list()
        return Reply("\n".join(self._text), "".join(self._html), room_id, attachment)


def say(*parts: Part, room_id: str | None = None) -> Reply:
    """A one-line reply."""
    return Msg().line(*parts).reply(room_id)
