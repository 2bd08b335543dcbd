"""The chat world for calendar-feed tests: the sample register, the bot as `runtime.build`
composes it with ``[http]`` on (any free port, a public URL), on a fake clock; the rooms of
Hamburg and München linked to their networks.

`feed_abo(welt, raum_oder_text)` reads the token out of the bot's answer; `abruf(welt, token)`
is what the HTTP route serves (`om_bot.services.kalender.abrufen`), without the server.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from om_bot.config import HttpConfig
from om_bot.services.kalender import Feedinhalt, abrufen
from tests.chat import Welt, baue_welt, welt_config
from tests.conftest import sqlite_kopie
from tests.uhr import FakeClock

B = ZoneInfo("Europe/Berlin")
# Wednesday 18.11.2026, 09:30 in Berlin (as the events' command tests).
JETZT = datetime(2026, 11, 18, 9, 30, tzinfo=B)
URL = "https://bot.example.org"
GS, ADMIN, EVE = "@gs:test", "@admin:test", "@eve:test"
MAX, PETRA = "@max.mustermann:om.example", "@petra.beispiel:om.example"
MORITZ, INA = "@moritz.modell:om.example", "@ina.platzhalter:om.example"
HH, MUC, GS_RAUM, FREI, DM = "!hh", "!muc", "!gs", "!frei", "!dm"
HAMBURG, MUENCHEN = "OM-Netzwerk Hamburg", "OM-Netzwerk München"
LINK = re.compile(r"webcal://bot\.example\.org/kalender/([A-Za-z0-9_-]{43})\.ics")


def abo_welt(
    vorlage: Path, ziel: Path, http: dict[str, Any] | None = None, jetzt: datetime = JETZT
) -> Welt:
    """A world on a copy of `vorlage` (the `beispiel_vorlage` fixture) at `ziel`; `http`
    replaces the ``[http]`` settings (default: on, port 0, `URL`)."""
    config = welt_config(
        sqlite_kopie(vorlage, ziel), bot={"geschaeftsstelle_users": [GS], "admins": [ADMIN]}
    )
    einstellung = {"enabled": True, "port": 0, "public_url": URL} if http is None else http
    config = config.model_copy(update={"http": HttpConfig(**einstellung)})
    welt = baue_welt(config, FakeClock(jetzt))
    welt.raum(HH, HAMBURG)
    welt.raum(MUC, MUENCHEN)
    return welt


def token_aus(antwort: str) -> str:
    """The token of the one webcal:// link in `antwort` (and the https:// one agrees)."""
    [token] = LINK.findall(antwort)
    assert f"{URL}/kalender/{token}.ics" in antwort, antwort
    return token


def abruf(welt: Welt, token: str) -> Feedinhalt | None:
    with welt.uow() as uow:
        return abrufen(uow, token, welt.uhr(), B)
