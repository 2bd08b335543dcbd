"""Long lists in pages, and replies that stay far below Matrix's event size limit.

A Matrix event may be at most 65,536 bytes – the whole event as the homeserver stores it
(canonical JSON with room id, sender, hashes, signatures, auth and previous events around the
content). A longer reply is refused by the homeserver and the user gets nothing. So lists come
in pages of a fixed size, long fields are cut, and `groesse` measures a reply's content the way
it travels (JSON with non-ASCII escaped: the larger of the two encodings, 12 bytes for an emoji
in a name) so that callers can check it against `BUDGET`, half of the limit.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from om_bot.text.messages import Reply

EREIGNIS_GRENZE = 65_536
# Half the limit: the rest of the event (ids, hashes, signatures, the reply relation) is a few
# kilobytes; the margin keeps any reply of ours acceptable whatever else a server adds.
BUDGET = EREIGNIS_GRENZE // 2
# Entries per page of a list (`/om anfragen seite 2`).
SEITENGROESSE = 20


def kuerzen(text: str, zeichen: int) -> str:
    """`text` cut to `zeichen` characters, marked with "…" when cut."""
    return text if len(text) <= zeichen else text[: max(zeichen - 1, 0)].rstrip() + "…"


def groesse(reply: Reply) -> int:
    """Bytes of the reply's event content as the adapter sends it (an `m.notice` with HTML,
    as a reply to a command whose event id is as long as Matrix allows)."""
    content = {
        "msgtype": "m.notice",
        "body": reply.text,
        "format": "org.matrix.custom.html",
        "formatted_body": reply.html,
        "m.mentions": {},
        "m.relates_to": {"m.in_reply_to": {"event_id": "$" + "x" * 254}},
    }
    return len(json.dumps(content, ensure_ascii=True).encode("utf-8"))


@dataclass(frozen=True)
class Seite:
    """Page `nummer` (from 1) of `gesamt` entries in pages of `groesse`."""

    nummer: int
    gesamt: int
    groesse: int = SEITENGROESSE

    @property
    def anzahl(self) -> int:
        """How many pages there are (at least one, even for an empty list)."""
        return max(1, math.ceil(self.gesamt / self.groesse))

    @property
    def ab(self) -> int:
        """Offset of the page's first entry."""
        return (self.nummer - 1) * self.groesse

    @property
    def gibt_es(self) -> bool:
        return 1 <= self.nummer <= self.anzahl

    @property
    def letzte(self) -> bool:
        return self.nummer >= self.anzahl
