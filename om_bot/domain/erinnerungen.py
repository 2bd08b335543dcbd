"""Reminder planning as plain Python: which reminders are wanted, when they are due, what they say.

Nothing here touches the database, Matrix or the clock; every function gets ``jetzt`` and the
time zone passed in, so every rule is a unit test. The sources in
`om_bot.services.erinnerungsquellen`
read the database and call these functions; the scheduler (`om_bot.app.planer`) reconciles the
result with the stored reminders and sends what is due.

A wanted reminder is a `GeplanteErinnerung` with a stable, unique key (`schluessel`): the same
data gives the same key, so the scheduler can tell new reminders from changed and obsolete ones
and never sends one key twice. Besides the due time each reminder says how long it is useful
(`gueltig_bis`: an event reminder is useless once the event is over) and since when it exists in
this form (`seit`: a reminder first planned after its due time – an event registered 30 minutes
ahead with a "1 hour before" offset – is not sent late, while one missed during downtime is).

Time rules:

* Due times are computed on the wall clock of the configured zone and stored in UTC. An offset
  is split into whole days, counted on the calendar (same wall-clock time, `faellig_vor`), and
  the rest, counted as elapsed time. "1 day before" an event at 10:00 on the Sunday the clocks
  change is 10:00 on Saturday, not 09:00 or 11:00.
* A wall-clock time that does not exist (02:30 on the last Sunday of March) moves forward by the
  gap (03:30); an ambiguous one (02:30 on the last Sunday of October) is the first of the two.

Yearly obligations come from the criteria (seed 001, decided by the Plenum on 31.10.2014): a
network "tagt mindestens zweimal im Jahr" and "informiert das Plenum … einmal jährlich"; the
Selbsterklärung of the OM-Praxis-Check "gilt für zwei Jahre" (seed 003). The info service is the
"Regelmäßiger Infodienst für Partner" of seed 004.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from om_bot.domain.dates import DatumFehler, Zeitraum, datum_text, format_zeitraum, parse_dauer
from om_bot.text.format import B, Code, I, Msg

# --- what the scheduler stores ---------------------------------------------------------------


class Art(enum.StrEnum):
    """The kind of a reminder (stored with it; `/om erinnerungen` groups by it)."""

    TERMIN = "termin"
    TREFFEN = "treffen"
    BERICHT = "bericht"
    SELBSTERKLAERUNG = "selbsterklaerung"
    ANFRAGE = "anfrage"
    INFODIENST = "infodienst"


@dataclass(frozen=True)
class GeplanteErinnerung:
    """A reminder a source wants: where, when, until when it is useful, and what it says."""

    schluessel: str  # stable and unique: same data, same key
    art: Art
    room_id: str  # a room, or a user ("@…") who gets it as a direct message
    faellig: datetime  # timezone-aware; stored in UTC
    gueltig_bis: datetime  # after this the reminder is useless: dropped, never sent
    titel: str  # one line for `/om erinnerungen`
    text: str
    html: str
    # Of several overdue reminders in one group (the 1-day and the 1-hour reminder of the same
    # occurrence in the same room) only the latest is sent after a downtime.
    gruppe: str = ""
    # Since when the reminder exists in this form; one first planned after its due time is not
    # sent (None: always catch up while useful).
    seit: datetime | None = None
    # `/om erinnerungen aus` silences it (the info service has its own switch).
    abschaltbar: bool = True

    def __post_init__(self) -> None:
        for name in ("faellig", "gueltig_bis"):
            if getattr(self, name).tzinfo is None:
                raise ValueError(f"{name} muss zeitzonenbehaftet sein")
        if len(self.schluessel) > SCHLUESSEL_MAX:
            raise ValueError(f"Schlüssel zu lang: {self.schluessel[:60]}…")

    def verpasst(self) -> bool:
        """First planned only after it was due (and so not to be sent late)?"""
        return self.seit is not None and self.seit > self.faellig


SCHLUESSEL_MAX = 500


@dataclass(frozen=True)
class Stichtag:
    """On `tag`.`monat` a network with fewer than `mindestens` meetings this year is reminded."""

    monat: int
    tag: int
    mindestens: int

    def datum(self, jahr: int) -> date:
        return date(jahr, self.monat, self.tag)


@dataclass(frozen=True)
class Einstellungen:
    """The reminder settings (from `[reminders]` in the configuration)."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Berlin"))
    prefix: str = "!om"
    vor_termin: tuple[timedelta, ...] = (timedelta(days=1), timedelta(hours=1))
    jahrespflichten: bool = True
    treffen_stichtage: tuple[Stichtag, ...] = (Stichtag(6, 1, 1), Stichtag(9, 1, 2))
    bericht_vorlauf_tage: tuple[int, ...] = (30,)
    selbsterklaerung_vorlauf_tage: tuple[int, ...] = (60, 14)
    pflichten_uhrzeit: time = time(9, 0)
    anfrage_nach_tagen: int = 7
    geschaeftsstelle_room: str = ""
    # Without a Geschäftsstelle room its members get request reminders as direct messages.
    geschaeftsstelle_users: tuple[str, ...] = ()
    infodienst_wochentag: int = 0  # Monday
    infodienst_uhrzeit: time = time(8, 0)
    infodienst_wochen: int = 4
    # How far ahead event reminders are planned beyond the largest offset; the scheduler
    # re-plans at least hourly, so a day is plenty. `/om erinnerungen` looks further ahead.
    vorschau: timedelta = timedelta(days=1)


# --- parsing settings (config and commands) --------------------------------------------------

WOCHENTAGE = ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag")
WOCHENTAG_NAMEN = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
_KURZ = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
_STICHTAG = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.?\s*:\s*(\d{1,2})\s*$")
_UHRZEIT = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
MAX_VERSAETZE = 5
MAX_VERSATZ = timedelta(days=30)


def lies_stichtag(text: str) -> Stichtag:
    """``"01.06.:1"`` → on 1 June, remind networks with fewer than one meeting this year."""
    match = _STICHTAG.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a day with a minimum like '01.06.:1'")
    tag, monat, mindestens = (int(g) for g in match.groups())
    try:
        date(2024, monat, tag)  # a leap year, so 29.02. is allowed
    except ValueError:
        raise ValueError(f"'{text}': {tag}.{monat}. is not a day of the year") from None
    if monat == 2 and tag == 29:
        raise ValueError(f"'{text}': 29.02. does not exist every year")
    if not 1 <= mindestens <= 12:
        raise ValueError(f"'{text}': the minimum must be between 1 and 12")
    return Stichtag(monat, tag, mindestens)


def lies_wochentag(text: str) -> int:
    """``"montag"`` (or ``"Mo"``) → 0."""
    wort = text.strip().lower()
    for nummer, name in enumerate(WOCHENTAGE):
        if wort in (name, name[:2]):
            return nummer
    raise ValueError(f"'{text}' is not a German weekday like 'montag'")


def lies_uhrzeit(text: str) -> time:
    """``"08:00"`` or ``"08:00:30"`` (seconds, so tests can schedule precisely)."""
    match = _UHRZEIT.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a time like '08:00'")
    stunde, minute, sekunde = (int(g) if g else 0 for g in match.groups())
    if stunde > 23 or minute > 59 or sekunde > 59:
        raise ValueError(f"'{text}' is not a time of day")
    return time(stunde, minute, sekunde)


def lies_versaetze(text: str) -> tuple[timedelta, ...]:
    """The offsets of `/om erinnerungen 2h 1d`: largest first, without duplicates.

    Compact tokens are separated by spaces (``2h 1d``, ``1h30m 15m``); written-out ones by
    commas (``2 Stunden, 1 Tag``). A chunk with one number may be written out (``90 min``); a
    chunk with several numbers that are not each a compact token (``2 Stunden 1 Tag``) is
    refused, because adding them up silently could be a wrong reading.
    """
    teile = [t.strip() for t in re.split(r",|;|\bund\b", text) if t.strip()]
    if not teile:
        raise ValueError("Bitte geben Sie mindestens einen Zeitpunkt an, z. B. „2h 1d“.")
    ergebnis: set[timedelta] = set()
    for teil in teile:
        woerter = teil.split()
        try:
            werte = [parse_dauer(w) for w in woerter]
        except DatumFehler:
            if len(re.findall(r"\d+(?:[.,]\d+)?", teil)) > 1:
                raise ValueError(
                    f"„{teil[:60]}“ verstehe ich nicht sicher. Mehrere Zeitpunkte bitte mit "
                    "Komma trennen („2 Stunden, 1 Tag“) oder kurz schreiben („2h 1d“)."
                ) from None
            try:
                werte = [parse_dauer(teil)]
            except DatumFehler as fehler:
                raise ValueError(fehler.meldung) from None
        ergebnis.update(werte)
    for wert in ergebnis:
        if wert > MAX_VERSATZ:
            raise ValueError(
                f"{versatz_text(wert)} vorher ist zu früh; höchstens {versatz_text(MAX_VERSATZ)}."
            )
    if len(ergebnis) > MAX_VERSAETZE:
        raise ValueError(f"Höchstens {MAX_VERSAETZE} Erinnerungen je Termin.")
    return tuple(sorted(ergebnis, reverse=True))


def _anzahl(n: int, einzahl: str, mehrzahl: str) -> str:
    return f"{n} {einzahl if n == 1 else mehrzahl}"


def versatz_text(versatz: timedelta) -> str:
    """German: „1 Tag“, „2 Stunden“, „1 Tag 12 Stunden“, „1 Stunde 30 Minuten“."""
    minuten = int(versatz.total_seconds() // 60)
    tage, rest = divmod(minuten, 24 * 60)
    stunden, minuten = divmod(rest, 60)
    teile = []
    if tage:
        teile.append(_anzahl(tage, "Tag", "Tage"))
    if stunden:
        teile.append(_anzahl(stunden, "Stunde", "Stunden"))
    if minuten or not teile:
        teile.append(_anzahl(minuten, "Minute", "Minuten"))
    return " ".join(teile)


def versaetze_text(versaetze: Iterable[timedelta]) -> str:
    return ", ".join(versatz_text(v) for v in versaetze)


# --- time arithmetic on the wall clock -------------------------------------------------------


def wandzeit(tag: date, uhrzeit: time, tz: ZoneInfo) -> datetime:
    """The instant the clocks in `tz` show `uhrzeit` on `tag`.

    A time in the spring-forward gap moves forward by the gap; of the two instants of an
    ambiguous autumn time the first is taken (``fold=0``).
    """
    lokal = datetime.combine(tag, uhrzeit.replace(tzinfo=None, fold=0), tzinfo=tz)
    # The round trip through UTC normalises a non-existent 02:30 to 03:30 summer time.
    return lokal.astimezone(UTC).astimezone(tz)


def faellig_vor(beginn: datetime, versatz: timedelta, tz: ZoneInfo) -> datetime:
    """When a reminder `versatz` before `beginn` is due, in UTC.

    Whole days go back on the calendar of `tz` to the same wall-clock time, the remainder
    (hours, minutes) is elapsed time: "2 hours before" is 120 minutes even across a DST change.
    """
    lokal = beginn.astimezone(tz)
    tage = timedelta(days=versatz.days)
    tag = wandzeit(lokal.date() - tage, lokal.time(), tz)
    # In UTC: arithmetic on two times of one ZoneInfo would be wall-clock arithmetic.
    return tag.astimezone(UTC) - (versatz - tage)


def tage_spaeter(tag: date, uhrzeit: time, tage: int, tz: ZoneInfo) -> datetime:
    """`uhrzeit` on the day `tage` days after `tag`, in UTC."""
    return wandzeit(tag + timedelta(days=tage), uhrzeit, tz).astimezone(UTC)


def jahre_spaeter(tag: date, jahre: int) -> date:
    """The same calendar day `jahre` later; 29 February becomes 28 February."""
    try:
        return tag.replace(year=tag.year + jahre)
    except ValueError:
        return tag.replace(year=tag.year + jahre, day=28)


def zeitpunkt_text(wann: datetime, tz: ZoneInfo) -> str:
    """„Fr, 12.03.2027, 14:00 Uhr“ (seconds only when they are not zero)."""
    lokal = wann.astimezone(tz)
    uhr = f"{lokal:%H:%M:%S}" if lokal.second else f"{lokal:%H:%M}"
    return f"{_KURZ[lokal.weekday()]}, {datum_text(lokal.date())}, {uhr} Uhr"


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TerminVorkommen:
    """One occurrence of an event, as the reminders need it (read by a `TerminLeser`)."""

    termin_id: int
    titel: str
    beginn: datetime
    ende: datetime
    ganztaegig: bool = False
    netzwerk_id: int | None = None
    netzwerk: str = ""
    region_id: int | None = None
    region: str = ""
    ort: str = ""
    art: str = ""  # e.g. "Netzwerktreffen"
    ueberschneidung: bool = False
    # When this occurrence (or its whole series) was cancelled; None while it takes place.
    abgesagt: datetime | None = None
    # Last change of the event: reminders it makes overdue are not sent late.
    geaendert: datetime | None = None
    # Identifies the occurrence within a series when its start can move (e.g. an occurrence
    # row id); the start time is part of the key anyway.
    vorkommen: str = ""


@dataclass(frozen=True)
class RaumPlan:
    """A room's reminder settings: the offsets before events and since when they hold."""

    room_id: str
    versaetze: tuple[timedelta, ...]
    seit: datetime | None = None
    eigene: bool = False  # the room set its own offsets (`/om erinnerungen 2h 1d`)


def _stempel(wann: datetime) -> str:
    return f"{wann.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _minuten(versatz: timedelta) -> int:
    return int(versatz.total_seconds() // 60)


def _termin_zeile(v: TerminVorkommen, tz: ZoneInfo) -> str:
    z = Zeitraum(v.beginn.astimezone(tz), v.ende.astimezone(tz), v.ganztaegig)
    return format_zeitraum(z)


def _termin_teile(v: TerminVorkommen, tz: ZoneInfo) -> list[str]:
    teile = [_termin_zeile(v, tz)]
    wo = v.ort or v.region
    if wo:
        teile.append(wo)
    if v.netzwerk:
        teile.append(v.netzwerk)
    return teile


def _max_zeit(*werte: datetime | None) -> datetime | None:
    vorhanden = [w for w in werte if w is not None]
    return max(vorhanden) if vorhanden else None


def termin_erinnerungen(
    v: TerminVorkommen, raeume: Sequence[RaumPlan], tz: ZoneInfo
) -> list[GeplanteErinnerung]:
    """The reminders of one occurrence in the rooms of its network, at each room's offsets.

    A cancelled occurrence gets none: its stored ones are dropped by the scheduler. The notice
    instead comes from the events feature, which announces a cancellation in every room of the
    network at once (`om_bot/commands/termine.py`); a second one from here would only repeat it.
    """
    if v.abgesagt is not None:
        return []
    ergebnis = []
    for raum in raeume:
        gruppe = f"termin:{v.termin_id}:{v.vorkommen}:{_stempel(v.beginn)}:{raum.room_id}"
        for versatz in raum.versaetze:
            msg = Msg().line("⏰ Erinnerung: ", B(v.titel))
            msg.line(" · ".join(_termin_teile(v, tz)))
            if v.ueberschneidung:
                msg.line(
                    "⚠ Terminüberschneidung: zur selben Zeit ist in der Region ein weiterer "
                    "Termin eingetragen."
                )
            ergebnis.append(
                GeplanteErinnerung(
                    schluessel=f"{gruppe}:{_minuten(versatz)}m",
                    art=Art.TERMIN,
                    room_id=raum.room_id,
                    faellig=faellig_vor(v.beginn, versatz, tz),
                    gueltig_bis=v.ende.astimezone(UTC),
                    titel=f"{v.titel} ({_termin_zeile(v, tz)}) – {versatz_text(versatz)} vorher",
                    text=(reply := msg.reply()).text,
                    html=reply.html,
                    gruppe=gruppe,
                    seit=_max_zeit(v.geaendert, raum.seit),
                )
            )
    return ergebnis


def groesster_versatz(raeume: Iterable[RaumPlan], standard: Sequence[timedelta]) -> timedelta:
    return max([*standard, *(v for r in raeume for v in r.versaetze)], default=timedelta(0))


# --- yearly obligations (seed 001, seed 003) -------------------------------------------------

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


@dataclass(frozen=True)
class Faellig:
    """A stored reminder that is due: what the scheduler needs to decide and to send it."""

    id: int
    schluessel: str
    gruppe: str
    room_id: str
    faellig: datetime
    gueltig_bis: datetime
    text: str
    html: str


@dataclass(frozen=True)
class Auswahl:
    senden: list[Faellig]
    abgelaufen: list[Faellig]
    ueberholt: list[Faellig]


def auswaehlen(faellige: Iterable[Faellig], jetzt: datetime) -> Auswahl:
    """Of the due reminders: which to send, which are no longer useful, which are superseded.

    Several due reminders of one group (after a downtime: the 1-day and the 1-hour reminder of
    the same occurrence) are sent once – the latest; the earlier ones are superseded.
    """
    abgelaufen: list[Faellig] = []
    nach_gruppe: dict[str, list[Faellig]] = defaultdict(list)
    einzeln: list[Faellig] = []
    for f in faellige:
        if f.gueltig_bis <= jetzt:
            abgelaufen.append(f)
        elif f.gruppe:
            nach_gruppe[f.gruppe].append(f)
        else:
            einzeln.append(f)
    senden = list(einzeln)
    ueberholt: list[Faellig] = []
    for gruppe in nach_gruppe.values():
        gruppe.sort(key=lambda f: (f.faellig, f.id))
        senden.append(gruppe[-1])
        ueberholt.extend(gruppe[:-1])
    senden.sort(key=lambda f: (f.faellig, f.id))
    return Auswahl(senden, abgelaufen, ueberholt)
