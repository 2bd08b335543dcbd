"""`termine [<auswahl>]` and `termine export [<auswahl>]`: which events (region, network,
period) and the list or the calendar file (`om_bot.domain.kalender`, the rows from
`om_bot.services.kalender.kalender_termine` – the same as the subscribed feeds')."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from om_bot.chat.registry import UsageError
from om_bot.chat.router import Kontext
from om_bot.commands.termine.basis import (
    BEISPIEL,
    Umfeld,
    familie,
    netzwerk_name,
    praefix,
    regeln_von,
    umfeld,
    wann_text,
)
from om_bot.domain.dates import MONATSNAMEN, DatumFehler, parse_when
from om_bot.domain.kalender import MIMETYPE, kalender
from om_bot.domain.matching import fold
from om_bot.domain.termine import ueberlappende_regionen
from om_bot.services import terminverwaltung as tv
from om_bot.services.kalender import auswahl_titel, kalender_termine
from om_bot.services.register import finde_netzwerk
from om_bot.storage.models import Netzwerk, Region, TerminVorkommen
from om_bot.text.format import B, Code, I, Msg, Part
from om_bot.text.messages import Attachment, Reply

LISTE_MAX = 25
EXPORT_RUECKBLICK = timedelta(days=90)


@dataclass(frozen=True)
class _Auswahl:
    von: datetime
    bis: datetime
    region: Region | None = None
    # The region and every region inside or around it: everything that can clash there.
    region_ids: frozenset[int] | None = None
    netzwerk: Netzwerk | None = None
    zeitraum_text: str = ""
    zeitraum_gesetzt: bool = False

    @property
    def titel(self) -> str:
        return auswahl_titel(self.netzwerk, self.region)


_MONATSNAMEN = MONATSNAMEN  # the one table, in om_bot.domain.dates
_MONATE = {fold(n): i for i, n in enumerate(_MONATSNAMEN, start=1)} | {"maerz": 3}


def _tagesbeginn(tag: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(tag, time(), tz)


def _monat(jahr: int, monat: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    naechster = date(jahr + monat // 12, monat % 12 + 1, 1)
    return _tagesbeginn(date(jahr, monat, 1), tz), _tagesbeginn(naechster, tz)


def _zeitraum_filter(text: str, jetzt: datetime, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """A period for `termine`: „heute“, „nächste Woche“, „März 2027“, „2027“, a date or a range
    („vom 1. bis 15.03.2027“); None if `text` is none."""
    w = fold(text.strip())
    heute = jetzt.astimezone(tz).date()
    montag = heute - timedelta(days=heute.weekday())
    feste = {
        "heute": (heute, heute + timedelta(days=1)),
        "morgen": (heute + timedelta(days=1), heute + timedelta(days=2)),
        "diese woche": (heute, montag + timedelta(days=7)),
        "naechste woche": (montag + timedelta(days=7), montag + timedelta(days=14)),
        "kommende woche": (montag + timedelta(days=7), montag + timedelta(days=14)),
    }
    if w in feste:
        a, b = feste[w]
        return max(_tagesbeginn(a, tz), jetzt), _tagesbeginn(b, tz)
    if w in ("diesen monat", "dieser monat"):
        return jetzt, _monat(heute.year, heute.month, tz)[1]
    if w in ("naechsten monat", "naechster monat", "kommenden monat"):
        j, m = divmod(heute.year * 12 + heute.month, 12)
        return _monat(j, m + 1, tz)
    teile = w.split()
    if teile and teile[0] in _MONATE and len(teile) <= 2:
        monat = _MONATE[teile[0]]
        if len(teile) == 2:
            if not (teile[1].isdigit() and len(teile[1]) == 4):
                return None
            jahr = int(teile[1])
        else:
            jahr = heute.year if monat >= heute.month else heute.year + 1
        return _monat(jahr, monat, tz)
    if w.isdigit() and len(w) == 4:
        return _tagesbeginn(date(int(w), 1, 1), tz), _tagesbeginn(date(int(w) + 1, 1, 1), tz)
    try:
        z = parse_when(text, jetzt, tz)
    except DatumFehler:
        return None
    if z.rrule:
        return None
    if z.ganztaegig:
        return z.start, z.end
    return _tagesbeginn(z.start.astimezone(tz).date(), tz), z.end


_ZEITRAUM_WOERTER = 8


def _auswahl(ctx: Kontext, text: str | None, usage: str) -> _Auswahl:
    """`[<Region|Netzwerk>] [<Zeitraum>]` → what to list; the period is the longest tail of
    words that reads as one."""
    jetzt, tz = ctx.now(), ctx.dienste.tz
    standard = (jetzt, jetzt + timedelta(days=366))
    woerter = (text or "").split()
    # A period is a few words ("ab nächster Woche", "im März 2027"): trying only the last few
    # tails keeps this linear in the input, however many words someone sends.
    for k in range(max(0, len(woerter) - _ZEITRAUM_WOERTER), len(woerter) + 1):
        zeit_text = " ".join(woerter[k:])
        zeit = _zeitraum_filter(zeit_text, jetzt, tz) if zeit_text else None
        if zeit_text and zeit is None:
            continue
        ort_text = " ".join(woerter[:k])
        von, bis = zeit or standard
        if not ort_text:
            return _Auswahl(von, bis, zeitraum_text=zeit_text, zeitraum_gesetzt=zeit is not None)
        region = ctx.uow.regionen.nach_schluessel(fold(ort_text))
        if region is not None:
            ids = ueberlappende_regionen(region.id, ctx.uow.regionen.kanten())
            return _Auswahl(
                von,
                bis,
                region=region,
                region_ids=frozenset(ids),
                zeitraum_text=zeit_text,
                zeitraum_gesetzt=zeit is not None,
            )
        try:
            netzwerk = finde_netzwerk(ctx.uow, ort_text)
        except UsageError as fehler:
            raise UsageError(
                f"„{ort_text[:80]}“ ist weder eine Region noch ein Netzwerk, das ich kenne. "
                + fehler.meldung.split(". ", 1)[-1],
                usage=usage,
                beispiel=f"{praefix(ctx)} termine Hamburg nächsten Monat",
            ) from None
        return _Auswahl(
            von, bis, netzwerk=netzwerk, zeitraum_text=zeit_text, zeitraum_gesetzt=zeit is not None
        )
    raise AssertionError("unreachable: the last split has no period")


@familie.befehl(
    "termine [<auswahl>]",
    hilfe="Kommende Termine zeigen – mit ⚠ für Überschneidungen und ⚑ für Feiertage",
    details=(
        "Auswahl: eine Region (zeigt auch Termine in enthaltenen und umfassenden Regionen, also "
        "alles, was sich überschneiden kann), ein Netzwerk und/oder ein Zeitraum: „heute“, "
        "„morgen“, „diese Woche“, „nächste Woche“, „diesen Monat“, „nächsten Monat“, „März "
        "2027“, „2027“, ein Datum oder „vom 1. bis 15.03.2027“. Ohne Zeitraum: die nächsten "
        f"12 Monate, höchstens {LISTE_MAX} Termine."
    ),
    beispiele=(
        "termine",
        "termine Hamburg",
        "termine Bayern nächsten Monat",
        "termine OM-Netzwerk München März 2027",
    ),
)
def termine(ctx: Kontext, auswahl: str | None) -> Reply:
    p = praefix(ctx)
    jetzt, regeln = ctx.now(), regeln_von(ctx)
    if tv.auffuellen(ctx.uow, jetzt, regeln):
        ctx.uow.commit()
    a = _auswahl(ctx, auswahl, f"{p} termine [<Region|Netzwerk>] [<Zeitraum>]")
    rows = ctx.uow.termine.im_zeitraum(
        max(a.von, jetzt) if not a.zeitraum_gesetzt else a.von,
        a.bis,
        tv.RUECKBLICK,
        region_ids=a.region_ids,
        netzwerk_id=a.netzwerk.id if a.netzwerk is not None else None,
        limit=LISTE_MAX + 1,
    )
    zeitraum = f" ({a.zeitraum_text})" if a.zeitraum_text else ""
    if not rows:
        return (
            Msg()
            .line(f"Keine Termine {a.titel}{zeitraum}.")
            .line("Eintragen: ", Code(f"{p} {BEISPIEL}"))
            .reply()
        )
    u = umfeld(ctx)
    mehr = len(rows) > LISTE_MAX
    msg = Msg(f"Termine {a.titel}{zeitraum}" + ("" if mehr else f" – {len(rows)}"))
    for row in rows[:LISTE_MAX]:
        msg.bullet(*_listenzeile(row, u))
    if mehr:
        msg.line(
            I(f"Nur die ersten {LISTE_MAX}. Enger auswählen, z. B. "),
            Code(f"{p} termine {a.region.name if a.region else 'Hamburg'} nächsten Monat"),
        )
    if any(r.kollision for r in rows):
        msg.line(
            "⚠ = Terminüberschneidung in der Region – Einzelheiten: ", Code(f"{p} termin <Nr>")
        )
    msg.line(
        "Kalenderdatei: ",
        Code(f"{p} termine export" + (f" {auswahl}" if auswahl else "")),
    )
    return msg.reply()


@familie.befehl(
    "termine export [<auswahl>]",
    hilfe="Die Termine als Kalenderdatei (.ics) in den Raum laden (Outlook, Thunderbird …)",
    details=(
        "Auswahl wie bei „termine“ (Region, Netzwerk, Zeitraum). Die Datei enthält Serien mit "
        "ihrer Regel, abgesagte Einzeltermine einer Serie als Ausnahme und abgesagte Termine "
        "der letzten 90 Tage als abgesagt. Jeder Termin hat eine feste Kennung: ein erneuter "
        "Import aktualisiert die Termine, statt sie zu verdoppeln."
    ),
    beispiele=("termine export", "termine export Hamburg", "termine export OM-Netzwerk Bremen"),
)
def termine_export(ctx: Kontext, auswahl: str | None) -> Reply:
    p = praefix(ctx)
    jetzt, tz, regeln = ctx.now(), ctx.dienste.tz, regeln_von(ctx)
    if tv.auffuellen(ctx.uow, jetzt, regeln):
        ctx.uow.commit()
    a = _auswahl(ctx, auswahl, f"{p} termine export [<Region|Netzwerk>] [<Zeitraum>]")
    seit = a.von if a.zeitraum_gesetzt else jetzt - EXPORT_RUECKBLICK
    termine = list(
        ctx.uow.termine.fuer_export(
            seit,
            region_ids=a.region_ids,
            netzwerk_id=a.netzwerk.id if a.netzwerk is not None else None,
        )
    )
    if a.zeitraum_gesetzt:
        im_fenster = {
            r.termin_id
            for r in ctx.uow.termine.im_zeitraum(a.von, a.bis, tv.RUECKBLICK, abgesagte=True)
        }
        termine = [t for t in termine if t.id in im_fenster]
    if not termine:
        return (
            Msg()
            .line(f"Keine Termine {a.titel} – es gibt nichts zu exportieren.")
            .line("Eintragen: ", Code(f"{p} {BEISPIEL}"))
            .reply()
        )
    eintraege = kalender_termine(ctx.uow, termine, jetzt)
    name = f"OM-Termine {a.titel}"
    daten = kalender(eintraege, jetzt, name, tz.key)
    endung = fold(a.netzwerk.name if a.netzwerk else a.region.name if a.region else "alle")
    dateiname = "om-termine-" + re.sub(r"[^a-z0-9]+", "-", endung).strip("-") + ".ics"
    return (
        Msg()
        .line(
            f"📅 Kalenderdatei mit {len(eintraege)} Termin{'en' if len(eintraege) != 1 else ''} "
            f"{a.titel}: ",
            Code(dateiname),
        )
        .line(
            "In Outlook, Thunderbird, Apple- oder Google-Kalender importieren; ein späterer "
            "Import derselben Termine aktualisiert sie (abgesagte werden entfernt)."
        )
        .reply(attachment=Attachment(dateiname, MIMETYPE, daten))
    )


def _listenzeile(row: TerminVorkommen, u: Umfeld) -> tuple[Part, ...]:
    t = row.termin
    teile: list[Part] = [
        wann_text(row.start, row.ende, t.ganztaegig, u.tz),
        " – ",
        B(f"„{t.titel}“"),
        f" (Nr. {t.id}, {t.art.text}) – {netzwerk_name(t)} – {t.region.name}",
    ]
    if t.ort:
        teile.append(f" – {t.ort}")
    if row.kollision:
        teile.append(" ⚠ Überschneidung")
    for f in u.feiertage(t.region_id, row.start, row.ende):
        teile.append(f" ⚑ {f}")
    return tuple(teile)
