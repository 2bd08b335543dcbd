"""German formatting of dates and spans: how the bot writes what it read.

`datum_text` („12.03.2027“, the one way the bot writes a date), `format_zeitraum` („Fr,
12.03.2027, 14:00–16:00 Uhr“) and `beschreibe_rrule` („jeden 2. Dienstag im Monat“).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from om_bot.domain.dates.tokens import _KURZ, _NAMEN, _RRULE_TAGE, _Frequenz
from om_bot.domain.dates.zeitraum import Zeitraum


def datum_text(wann: date | datetime, tz: tzinfo | None = None) -> str:
    """„12.03.2027“ – the one way the bot writes a date (a datetime in `tz`, if given)."""
    if isinstance(wann, datetime) and tz is not None:
        wann = wann.astimezone(tz)
    return wann.strftime("%d.%m.%Y")


def _tag_mit_name(tag: date) -> str:
    return f"{_NAMEN[tag.weekday()]}, {datum_text(tag)}"


def format_zeitraum(z: Zeitraum) -> str:
    """German one-line form: „Fr, 12.03.2027, 14:00–16:00 Uhr“.

    All-day: „Fr, 12.03.2027 (ganztägig)“; across days: „Fr, 12.03.2027, 22:00 –
    Sa, 13.03.2027, 01:00 Uhr“.  Recurring spans get the rule in parentheses.
    """

    def tag(d: date) -> str:
        return f"{_KURZ[d.weekday()]}, {datum_text(d)}"

    s, e = z.start, z.end
    if z.ganztaegig:
        letzter = e.date() - timedelta(days=1) if e.time() == time() else e.date()
        if letzter <= s.date():
            text = f"{tag(s.date())} (ganztägig)"
        else:
            text = f"{tag(s.date())} – {tag(letzter)} (ganztägig)"
    elif s.date() == e.date():
        text = f"{tag(s.date())}, {s:%H:%M}–{e:%H:%M} Uhr"
    else:
        text = f"{tag(s.date())}, {s:%H:%M} – {tag(e.date())}, {e:%H:%M} Uhr"
    if z.rrule:
        text += f" ({beschreibe_rrule(z.rrule)})"
    return text


_ORDINAL_TEXT = {
    1: "ersten", 2: "zweiten", 3: "dritten", 4: "vierten", 5: "fünften",
    -1: "letzten", -2: "vorletzten",
}  # fmt: skip


_FREQUENZEN = frozenset(f.value for f in _Frequenz)


def beschreibe_rrule(rrule: str) -> str:
    """German description of the RRULEs this module produces, e.g. „jeden 2. Dienstag im Monat“."""
    teile = dict(teil.partition("=")[::2] for teil in rrule.split(";"))
    intervall = int(teile.get("INTERVAL", "1"))
    freq = _Frequenz(teile["FREQ"]) if teile.get("FREQ") in _FREQUENZEN else None
    byday = teile.get("BYDAY", "")
    if freq == _Frequenz.TAEGLICH:
        return "täglich" if intervall == 1 else f"alle {intervall} Tage"
    if freq == _Frequenz.WOECHENTLICH and byday:
        if byday == "MO,TU,WE,TH,FR" and intervall == 1:
            return "werktags"
        namen = [_NAMEN[_RRULE_TAGE.index(t)] for t in byday.split(",")]
        liste = " und ".join(namen) if len(namen) <= 2 else ", ".join(namen)
        return f"jeden {liste}" if intervall == 1 else f"alle {intervall} Wochen am {liste}"
    if freq == _Frequenz.MONATLICH:
        wann = ""
        if "BYMONTHDAY" in teile:
            wann = f"am {teile['BYMONTHDAY']}."
        elif byday:
            n = int(byday[:-2])
            name = _NAMEN[_RRULE_TAGE.index(byday[-2:])]
            nummer = _ORDINAL_TEXT.get(n, f"{n}.")
            wann = f"am {nummer} {name}"
            if intervall == 1:
                return f"jeden {nummer} {name} im Monat"
        if wann:
            return f"monatlich {wann}" if intervall == 1 else f"alle {intervall} Monate {wann}"
    return f"Wiederholung: {rrule}"
