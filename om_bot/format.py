"""Building replies that are HTML for clients and plain text for everyone else.

Every string a handler passes in is escaped; only the markup this module adds is HTML. So a
network named ``<script>`` shows up as text, never as markup.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from om_bot.messages import Attachment, Reply


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


def _html(part: Part) -> str:
    if isinstance(part, B):
        return f"<b>{html.escape(part.text)}</b>"
    if isinstance(part, I):
        return f"<i>{html.escape(part.text)}</i>"
    if isinstance(part, Code):
        return f"<code>{html.escape(part.text)}</code>"
    return html.escape(part)


def _text(part: Part) -> str:
    if isinstance(part, Code):
        return f"`{part.text}`"
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
        self._html.append("<p><b>" + "".join(_html(p) for p in parts) + "</b></p>")
        self._text.append("".join(_text(p) for p in parts))
        return self

    def line(self, *parts: Part) -> Msg:
        self._close_list()
        self._html.append("<p>" + "".join(_html(p) for p in parts) + "</p>")
        self._text.append("".join(_text(p) for p in parts))
        return self

    def bullet(self, *parts: Part) -> Msg:
        if not self._in_list:
            self._html.append("<ul>")
            self._in_list = True
        self._html.append("<li>" + "".join(_html(p) for p in parts) + "</li>")
        self._text.append("• " + "".join(_text(p) for p in parts))
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
