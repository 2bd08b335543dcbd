"""The yearly obligations of recognised OM networks (seed 001, seed 003) as reminders.

Part of the reminder rules (`om_bot.domain.erinnerungen`); plain Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from om_bot.domain.dates import datum_text
from om_bot.domain.erinnerungen.grundlagen import (
    Art,
    Einstellungen,
    GeplanteErinnerung,
    _anzahl,
    jahre_spaeter,
    tage_spaeter,
    wandzeit,
)
from om_bot.text.format import B, Code, I, Msg

QUELLE_KRITERIEN = (
    "Kriterien für die Bildung und die Arbeit von Netzwerken und Fachgruppen der Offensive "
    "Mittelstand, Plenum vom 31.10.2014"
)
QUELLE_SELBSTERKLAERUNG = "Vollständigkeitskriterien Selbsterklärung der OM-Praxis-Checks"


@dataclass(frozen=True)
class NetzwerkPflichten:
    """What the yearly obligations of one network depend on."""

    netzwerk_id: int
    name: str
    letzter_bericht: date | None = None
    letzte_selbsterklaerung: date | None = None
    # Netzwerktreffen registered in the current calendar year; None when nobody counts them.
    treffen: int | None = None


def _ende_des_tages(tag: date, tz: ZoneInfo) -> datetime:
    return wandzeit(tag + timedelta(days=1), time(0, 0), tz).astimezone(UTC)


def treffen_erinnerungen(
    n: NetzwerkPflichten, raeume: Sequence[str], jetzt: datetime, e: Einstellungen
) -> list[GeplanteErinnerung]:
    """On each configured day, a network with fewer meetings than required this year.

    Each reminder is useful until the next such day (the last one until the year ends); an
    unknown count (no events feature) reminds nobody.
    """
    if n.treffen is None:
        return []
    jahr = jetzt.astimezone(e.tz).year
    stichtage = sorted(e.treffen_stichtage, key=lambda s: (s.monat, s.tag))
    ergebnis = []
    for index, stichtag in enumerate(stichtage):
        if n.treffen >= stichtag.mindestens:
            continue
        faellig = wandzeit(stichtag.datum(jahr), e.pflichten_uhrzeit, e.tz).astimezone(UTC)
        if index + 1 < len(stichtage):
            bis = wandzeit(stichtage[index + 1].datum(jahr), e.pflichten_uhrzeit, e.tz)
        else:
            bis = wandzeit(date(jahr + 1, 1, 1), time(0, 0), e.tz)
        bisher = (
            "noch kein Netzwerktreffen"
            if n.treffen == 0
            else (f"erst {_anzahl(n.treffen, 'Netzwerktreffen', 'Netzwerktreffen')}")
        )
        for room_id in raeume:
            msg = Msg().line("📅 ", B(n.name), f": Für {jahr} ist {bisher} eingetragen.")
            msg.line("Die Kriterien sagen: Das Netzwerk „tagt mindestens zweimal im Jahr.“")
            msg.line(I(f"Quelle: {QUELLE_KRITERIEN}"))
            msg.line(
                "Treffen eintragen: ",
                Code(f"{e.prefix} termin Netzwerktreffen am <Datum> um <Uhrzeit>"),
            )
            reply = msg.reply()
            ergebnis.append(
                GeplanteErinnerung(
                    schluessel=(
                        f"treffen:{n.netzwerk_id}:{jahr}:{stichtag.monat:02}-{stichtag.tag:02}:"
                        f"{room_id}"
                    ),
                    art=Art.TREFFEN,
                    room_id=room_id,
                    faellig=faellig,
                    gueltig_bis=bis.astimezone(UTC),
                    titel=f"{n.name}: weniger als {stichtag.mindestens} Netzwerktreffen {jahr}",
                    text=reply.text,
                    html=reply.html,
                    gruppe=f"treffen:{n.netzwerk_id}:{jahr}:{room_id}",
                )
            )
    return ergebnis


def bericht_erinnerungen(
    n: NetzwerkPflichten, raeume: Sequence[str], e: Einstellungen
) -> list[GeplanteErinnerung]:
    """The yearly report to the Plenum: due a year after the last one, reminded before."""
    if n.letzter_bericht is None:
        return []
    frist = jahre_spaeter(n.letzter_bericht, 1)
    ergebnis = []
    for tage in sorted(set(e.bericht_vorlauf_tage), reverse=True):
        for room_id in raeume:
            msg = Msg().line(
                "📝 ",
                B(n.name),
                f": Der jährliche Bericht an das Plenum ist am {datum_text(frist)} fällig "
                f"(letzter Bericht: {datum_text(n.letzter_bericht)}).",
            )
            msg.line(
                "Die Kriterien sagen: Das Netzwerk „informiert das Plenum der Offensive "
                "Mittelstand einmal jährlich über die Aktivitäten des Netzwerkes (persönlich "
                "durch Partner oder schriftlich)“."
            )
            msg.line(I(f"Quelle: {QUELLE_KRITERIEN}"))
            msg.line(
                "Nach dem Bericht eintragen: ",
                Code(f"{e.prefix} netzwerk {n.name} bericht <Datum>"),
            )
            reply = msg.reply()
            ergebnis.append(
                GeplanteErinnerung(
                    schluessel=f"bericht:{n.netzwerk_id}:{frist.isoformat()}:{tage}:{room_id}",
                    art=Art.BERICHT,
                    room_id=room_id,
                    faellig=tage_spaeter(frist, e.pflichten_uhrzeit, -tage, e.tz),
                    gueltig_bis=_ende_des_tages(frist, e.tz),
                    titel=f"{n.name}: Bericht an das Plenum fällig am {datum_text(frist)}",
                    text=reply.text,
                    html=reply.html,
                    gruppe=f"bericht:{n.netzwerk_id}:{frist.isoformat()}:{room_id}",
                )
            )
    return ergebnis


def selbsterklaerung_erinnerungen(
    n: NetzwerkPflichten, raeume: Sequence[str], e: Einstellungen
) -> list[GeplanteErinnerung]:
    """The Selbsterklärung expires two years after it was made; reminded before (60/14 days)."""
    if n.letzte_selbsterklaerung is None:
        return []
    ablauf = jahre_spaeter(n.letzte_selbsterklaerung, 2)
    ergebnis = []
    for tage in sorted(set(e.selbsterklaerung_vorlauf_tage), reverse=True):
        for room_id in raeume:
            msg = Msg().line(
                "📋 ",
                B(n.name),
                f": Die Selbsterklärung des OM-Praxis-Checks vom "
                f"{datum_text(n.letzte_selbsterklaerung)} gilt bis {datum_text(ablauf)}.",
            )
            msg.line(
                "„Die Selbsterklärung gilt für zwei Jahre. Die Selbstbewertung sollte dann den "
                "Vollständigkeitskriterien entsprechend erneut durchgeführt werden …“"
            )
            msg.line(I(f"Quelle: {QUELLE_SELBSTERKLAERUNG}"))
            msg.line(
                "Neue Selbsterklärung eintragen: ",
                Code(f"{e.prefix} netzwerk {n.name} selbsterklärung <Datum>"),
            )
            reply = msg.reply()
            ergebnis.append(
                GeplanteErinnerung(
                    schluessel=(
                        f"selbsterklaerung:{n.netzwerk_id}:{ablauf.isoformat()}:{tage}:{room_id}"
                    ),
                    art=Art.SELBSTERKLAERUNG,
                    room_id=room_id,
                    faellig=tage_spaeter(ablauf, e.pflichten_uhrzeit, -tage, e.tz),
                    gueltig_bis=_ende_des_tages(ablauf, e.tz),
                    titel=f"{n.name}: Selbsterklärung läuft am {datum_text(ablauf)} ab",
                    text=reply.text,
                    html=reply.html,
                    gruppe=f"selbsterklaerung:{n.netzwerk_id}:{ablauf.isoformat()}:{room_id}",
                )
            )
    return ergebnis


def pflicht_erinnerungen(
    n: NetzwerkPflichten, raeume: Sequence[str], jetzt: datetime, e: Einstellungen
) -> list[GeplanteErinnerung]:
    """All yearly obligations of one network, in the rooms linked to it."""
    if not e.jahrespflichten or not raeume:
        return []
    return [
        *treffen_erinnerungen(n, raeume, jetzt, e),
        *bericht_erinnerungen(n, raeume, e),
        *selbsterklaerung_erinnerungen(n, raeume, e),
    ]


# --- contact requests (seed 002) -------------------------------------------------------------
