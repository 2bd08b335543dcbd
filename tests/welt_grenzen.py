"""The world of the limit, paging and retention tests: the shared chat world
(`tests/chat.py`) with configurable limits and rooms linked directly in the database (so these
tests do not depend on how `raum` links a room)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from om_bot.domain.grenzwerte import Grenzwerte
from om_bot.storage.models import Netzwerk
from om_bot.storage.uow import UnitOfWork
from tests.chat import Welt

GS = "@gs:test"
MAX = "@max.mustermann:om.example"  # Koordination OM-Netzwerk Hamburg
OLAF = "@olaf.mustermann:om.example"  # Koordination OGB-Netzwerk Hamburg
MARTINA = "@martina.muster:om.example"  # nationale Ansprechperson IHK
EVE = "@eve:test"
GS_RAUM, HH, OGB, DM_NK = "!gs", "!hh", "!ogb", "!dm-martina"
ERIKA = "Erika Musterfrau, erika@example.org, 0421 123456"
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

__all__ = ["Welt", "netzwerk_id", "welt"]


def netzwerk_id(u: UnitOfWork, name: str) -> int:
    nid = u.session.scalar(select(Netzwerk.id).where(Netzwerk.name == name))
    assert nid is not None, name
    return nid


def welt(
    neue_welt: Callable[..., Welt], werte: Grenzwerte | None = None, db_url: str | None = None
) -> Welt:
    """A world at `T0` with the limits `werte` (default: none), on `db_url` if given (default:
    a copy of the SQLite template)."""
    w = neue_welt(jetzt=T0, bot={"geschaeftsstelle_users": [GS]}, grenzen=werte, db_url=db_url)
    w.raum(HH, "OM-Netzwerk Hamburg")
    w.raum(OGB, "OGB-Netzwerk Hamburg")
    w.direkt(DM_NK, MARTINA)
    return w
