"""The weekly „Regelmäßiger Infodienst für Partner“ (seed 004): editions and their content.

Part of the reminder rules (`om_bot.domain.erinnerungen`); plain Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from om_bot.domain.dates import datum_text
from om_bot.domain.erinnerungen.grundlagen import Art, Einstellungen, GeplanteErinnerung, wandzeit
from om_bot.domain.erinnerungen.termine import TerminVorkommen, _stempel, _termin_zeile
from om_bot.text.format import B, Code, I, Msg


def ausgaben(jetzt: datetime, e: Einstellungen) -> tuple[datetime, datetime]:
    """The info service's latest edition at or before `jetzt` and the next one after it."""
    lokal = jetzt.astimezone(e.tz)
    tage = (lokal.weekday() - e.infodienst_wochentag) % 7
    vorige = wandzeit(lokal.date() - timedelta(days=tage), e.infodienst_uhrzeit, e.tz)
    if vorige > jetzt:
        vorige = wandzeit(vorige.date() - timedelta(days=7), e.infodienst_uhrzeit, e.tz)
    naechste = wandzeit(vorige.date() + timedelta(days=7), e.infodienst_uhrzeit, e.tz)
    return vorige.astimezone(UTC), naechste.astimezone(UTC)


@dataclass(frozen=True)
class NetzwerkNeuigkeit:
    """A new network or a status change (from the audit log), for the info service."""

    zeit: datetime
    netzwerk: str
    region_id: int | None
    neu: bool  # True: newly registered; False: status change
    vorher: str = ""
    nachher: str = ""


@dataclass(frozen=True)
class Abo:
    """A room that subscribed to the info service, for all regions or one (and its nesting)."""

    room_id: str
    seit: datetime
    region_id: int | None = None
    region: str = ""
    # The region ids whose events and networks the room gets (None: all).
    regionen: frozenset[int] | None = None


def _passt(region_id: int | None, abo: Abo) -> bool:
    return abo.regionen is None or (region_id is not None and region_id in abo.regionen)


def infodienst_inhalt(
    abo: Abo,
    ausgabe: datetime,
    termine: Sequence[TerminVorkommen],
    neuigkeiten: Sequence[NetzwerkNeuigkeit],
    e: Einstellungen,
) -> Msg:
    """The digest for `abo` as of edition `ausgabe`: the coming weeks' events by region, then
    new networks and status changes of the past week. Cancelled events are left out."""
    bis = ausgabe + timedelta(weeks=e.infodienst_wochen)
    von_neu = ausgabe - timedelta(days=7)
    kommend = sorted(
        (
            t
            for t in termine
            if t.abgesagt is None and ausgabe <= t.beginn < bis and _passt(t.region_id, abo)
        ),
        key=lambda t: (t.beginn, t.titel),
    )
    neu = [x for x in neuigkeiten if von_neu <= x.zeit < ausgabe and _passt(x.region_id, abo)]
    lokal = ausgabe.astimezone(e.tz)
    titel = f"📰 OM-Infodienst vom {datum_text(lokal.date())}"
    if abo.region:
        titel += f" – {abo.region}"
    msg = Msg(titel)
    wochen = {4: "vier"}.get(e.infodienst_wochen, str(e.infodienst_wochen))
    if kommend:
        msg.line(B(f"Termine der nächsten {wochen} Wochen"))
        nach_region: dict[str, list[TerminVorkommen]] = defaultdict(list)
        for t in kommend:
            nach_region[t.region or "ohne Region"].append(t)
        for region in sorted(nach_region):
            msg.line(B(region))
            for t in nach_region[region]:
                zeile = f"{_termin_zeile(t, e.tz)} – {t.titel}"
                if t.netzwerk:
                    zeile += f" ({t.netzwerk})"
                if t.ueberschneidung:
                    zeile += " ⚠ Terminüberschneidung"
                msg.bullet(zeile)
    else:
        msg.line(f"Keine Termine in den nächsten {wochen} Wochen.")
    neue = [x for x in neu if x.neu]
    wechsel = [x for x in neu if not x.neu]
    if neue:
        msg.line(B("Neue Netzwerke"))
        for x in sorted(neue, key=lambda x: x.zeit):
            msg.bullet(x.netzwerk + (f" (Status: {x.nachher})" if x.nachher else ""))
    if wechsel:
        msg.line(B("Statusänderungen"))
        for x in sorted(wechsel, key=lambda x: x.zeit):
            msg.bullet(f"{x.netzwerk}: {x.vorher} → {x.nachher}")
    msg.line(
        I("Regelmäßiger Infodienst für Partner (Konzept regionale Netzwerke, Plenum 08.11.2018)."),
    )
    msg.line("Abbestellen: ", Code(f"{e.prefix} infodienst aus"))
    return msg


def infodienst_ausgaben(
    abo: Abo,
    jetzt: datetime,
    termine: Sequence[TerminVorkommen],
    neuigkeiten: Sequence[NetzwerkNeuigkeit],
    e: Einstellungen,
) -> list[GeplanteErinnerung]:
    """The latest and the next edition for one subscribed room.

    The latest is useful until the next one comes (so a downtime over the edition's time sends
    it late) but exists only since the subscription: subscribing on a Tuesday does not send
    Monday's edition.
    """
    vorige, naechste = ausgaben(jetzt, e)
    danach = naechste + timedelta(days=7)
    ergebnis = []
    for ausgabe, bis in ((vorige, naechste), (naechste, danach)):
        reply = infodienst_inhalt(abo, ausgabe, termine, neuigkeiten, e).reply()
        ergebnis.append(
            GeplanteErinnerung(
                schluessel=f"infodienst:{abo.room_id}:{_stempel(ausgabe)}",
                art=Art.INFODIENST,
                room_id=abo.room_id,
                faellig=ausgabe,
                gueltig_bis=bis,
                titel="OM-Infodienst" + (f" ({abo.region})" if abo.region else ""),
                text=reply.text,
                html=reply.html,
                gruppe=f"infodienst:{abo.room_id}",
                seit=abo.seit,
                abschaltbar=False,
            )
        )
    return ergebnis


# --- catch-up --------------------------------------------------------------------------------
