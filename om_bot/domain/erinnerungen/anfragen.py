"""Reminders in the Geschäftsstelle room about contact requests without a step for a while.

Part of the reminder rules (`om_bot.domain.erinnerungen`); plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from om_bot.domain.erinnerungen.grundlagen import (
    Art,
    Einstellungen,
    GeplanteErinnerung,
    tage_spaeter,
    zeitpunkt_text,
)
from om_bot.domain.erinnerungen.termine import _stempel
from om_bot.text.format import B, Code, Msg


@dataclass(frozen=True)
class OffeneAnfrage:
    """An open contact request and its last step."""

    id: int
    netzwerk: str
    partner: str
    status: str
    letzter_schritt: datetime
    naechster_befehl: str = ""  # e.g. "anfrage 3 weiterleiten"
    naechster_wer: str = ""  # e.g. "die Geschäftsstelle"


def anfrage_erinnerungen(
    a: OffeneAnfrage, room_id: str, jetzt: datetime, e: Einstellungen
) -> list[GeplanteErinnerung]:
    """A request with no step for N days reminds the Geschäftsstelle room, then every N days.

    The k-th reminder is due k·N days after the last step (at the obligations' time of day)
    and useful until the next one; only the current and the next are planned. A new step
    changes the keys, so the stored ones of the old step are dropped.
    """
    if not room_id or e.anfrage_nach_tagen <= 0:
        return []
    n = e.anfrage_nach_tagen
    start = a.letzter_schritt.astimezone(e.tz).date()

    def faellig(k: int) -> datetime:
        return tage_spaeter(start, e.pflichten_uhrzeit, k * n, e.tz)

    # The latest reminder that is already due (or the first one), counted in whole steps.
    k = max(1, (jetzt.astimezone(e.tz).date() - start).days // n)
    while k > 1 and faellig(k) > jetzt:
        k -= 1
    while faellig(k + 1) <= jetzt:
        k += 1
    ergebnis = []
    for nummer in (k, k + 1):
        msg = Msg().line(
            "⏳ ",
            B(f"Anfrage {a.id}"),
            f" ({a.netzwerk} → {a.partner}) steht seit dem "
            f"{zeitpunkt_text(a.letzter_schritt, e.tz)} auf „{a.status}“ – ohne weiteren Schritt.",
        )
        if a.naechster_befehl:
            msg.line(
                "Nächster Schritt",
                f" ({a.naechster_wer})" if a.naechster_wer else "",
                ": ",
                Code(f"{e.prefix} {a.naechster_befehl}"),
            )
        msg.line("Alle offenen Anfragen: ", Code(f"{e.prefix} anfragen"))
        reply = msg.reply()
        ergebnis.append(
            GeplanteErinnerung(
                schluessel=f"anfrage:{a.id}:{_stempel(a.letzter_schritt)}:{nummer}:{room_id}",
                art=Art.ANFRAGE,
                room_id=room_id,
                faellig=faellig(nummer),
                gueltig_bis=faellig(nummer + 1),
                titel=f"Anfrage {a.id} ({a.netzwerk} → {a.partner}) ohne Schritt",
                text=reply.text,
                html=reply.html,
                gruppe=f"anfrage:{a.id}:{room_id}",
            )
        )
    return ergebnis


# --- the info service (seed 004) -------------------------------------------------------------
