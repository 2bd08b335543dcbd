"""Events in the database: stored occurrences, the clash query, the change hook, the readers.

The seam between the pure rules of `om_bot.domain.termine` and the tables `termin`,
`termin_vorkommen` and `termin_ausnahme`, like `om_bot.services.pruefung` is for the criteria.
The use cases (`om_bot.services.termine`: permissions, audit, commit) and every other writer
(the benchmarks) call only these functions to write events, so the stored occurrences, the
clash marks, the hook and the invariants stay consistent:

* `anlegen`, `aendern`, `absagen`, `vorkommen_absagen` write an event and its occurrences (a
  series up to the horizon, ``[termine] horizont_tage``), find the clashes with one indexed
  query and keep the clash marks (`TerminVorkommen.kollision`) of both sides right.
* `anlegen` and `aendern` (when the time changes) refuse an event in the past, longer than
  `MAX_DAUER` or beyond the horizon (`om_bot.domain.termine.pruefe_zeitraum`): no caller can
  store one.
* `auffuellen` extends running series when the horizon moves on (called before every clash
  check and listing; the scheduler may call it too).
* `termin_geaendert` is **the hook** every write ends with, inside the caller's unit of work
  and before its commit: the place for reminders (issue 6) to (re)plan or cancel what belongs
  to an event.
* `DatenbankTerminLeser` answers what the reminders
  (`om_bot.services.erinnerungsquellen.TerminLeser`) and the criteria
  (`om_bot.services.pruefung.TreffenQuelle`, via `treffen`) read of the events.

Occurrences that have ended are history: changes and cancellations leave them alone, so the
meetings of the past still count for „tagt mindestens zweimal im Jahr“.
"""

from __future__ import annotations

import bisect
import enum
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import inspect

from om_bot.domain import erinnerungen
from om_bot.domain.dates import Zeitraum
from om_bot.domain.termine import (
    LANG_AB,
    MAX_DAUER,
    Regeln,
    TerminArt,
    TerminZeitFehler,
    Zeitspanne,
    kollidiert,
    pruefe_zeitraum,
    suchfenster,
    ueberlappende_regionen,
    vorkommen,
)
from om_bot.storage.models import Termin, TerminAusnahme, TerminVorkommen
from om_bot.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# How far back the clash query looks for occurrences that began before a window: the longest
# allowed occurrence plus a day for the zone offsets of all-day events.
RUECKBLICK = MAX_DAUER + timedelta(days=1)


class Aenderung(enum.StrEnum):
    """What happened to an event (passed to the hook and written to the audit log)."""

    ANGELEGT = "angelegt"
    GEAENDERT = "geaendert"
    ABGESAGT = "abgesagt"  # the whole event or series
    VORKOMMEN_ABGESAGT = "vorkommen_abgesagt"  # one occurrence of a series (`tag`)
    FORTGESCHRIEBEN = "fortgeschrieben"  # a series got occurrences further ahead


def termin_geaendert(
    uow: UnitOfWork, termin: Termin, aenderung: Aenderung, jetzt: datetime, tag: date | None = None
) -> None:
    """THE hook: an event was created, changed, cancelled (or one occurrence of it, `tag`) or
    extended. Called inside the command's unit of work after its occurrences are written and
    before the commit; whatever it writes commits with the event or not at all.

    The place for anything that must follow an event's changes in the same transaction:
    reminders before every occurrence of `uow.termine.vorkommen_von(termin.id, jetzt)`, moved
    when the event changed, dropped (or the cancellation announced) when it was cancelled. The
    reminder scheduler (`om_bot.app.planer`) currently re-reads all events through
    `DatenbankTerminLeser` when the router wakes it after each committed command, so it needs
    nothing from this hook yet.
    """
    log.debug("termin %s %s (tag %s)", termin.id, aenderung.value, tag)


# --------------------------------------------------------------------------
# Occurrences
# --------------------------------------------------------------------------


def zone(termin: Termin) -> ZoneInfo:
    return ZoneInfo(termin.zeitzone)


def zeitraum(termin: Termin) -> Zeitraum:
    """The event's first occurrence (and rule) as a `Zeitraum` in its own zone."""
    tz = zone(termin)
    return Zeitraum(
        termin.start.astimezone(tz),
        termin.ende.astimezone(tz),
        bool(termin.ganztaegig),
        termin.rrule or None,
        bool(termin.ohne_ende),
    )


def _pruefe(termin: Termin, jetzt: datetime, regeln: Regeln) -> None:
    """The invariants of a stored event (`pruefe_zeitraum`), for whoever writes it."""
    if termin.ende.astimezone(UTC) <= termin.start.astimezone(UTC):
        raise TerminZeitFehler(
            "Ein Termin muss nach seinem Beginn enden. Es wurde nichts gespeichert."
        )
    pruefe_zeitraum(zeitraum(termin), jetzt, regeln)


_ZEITFELDER = ("start", "ende", "ganztaegig", "rrule")


def _zeit_geaendert(termin: Termin) -> bool:
    """Whether the event's time was set to something else in this unit of work."""
    felder = inspect(termin).attrs
    return any(felder[name].history.has_changes() for name in _ZEITFELDER)


def _bauen(
    uow: UnitOfWork, termin: Termin, von: datetime, bis: datetime, *, laufende: bool
) -> list[TerminVorkommen]:
    """The occurrence rows of `termin` in [von, bis) (cancelled days flagged). `laufende`:
    also the one that already runs at `von` (all-day today); not when extending a series,
    where it is stored already."""
    tz = zone(termin)
    # Only series have cancelled days (and a new single event no loaded collection yet).
    ausnahmen = {a.tag: a.abgesagt for a in termin.ausnahmen} if termin.rrule else {}
    rows = []
    for beginn, ende in vorkommen(termin, von, bis):
        if beginn.astimezone(UTC) < von and not laufende:
            continue
        rows.append(
            TerminVorkommen(
                termin_id=termin.id,
                region_id=termin.region_id,
                # UTC like the rows read back, so comparisons never mix wall clocks.
                start=beginn.astimezone(UTC),
                ende=ende.astimezone(UTC),
                abgesagt=termin.abgesagt or ausnahmen.get(beginn.astimezone(tz).date()),
                kollision=False,
                lang=ende.astimezone(UTC) - beginn.astimezone(UTC) > LANG_AB,
            )
        )
    return rows


def _alle_bauen(
    uow: UnitOfWork, termin: Termin, jetzt: datetime, regeln: Regeln
) -> list[TerminVorkommen]:
    """The occurrences of `termin` that have not ended at `jetzt`, up to the horizon (not yet
    added: the caller first checks them for clashes, so they are inserted with their mark)."""
    bis = jetzt + regeln.horizont
    rows = _bauen(uow, termin, jetzt, bis, laufende=True)
    neu = bis if termin.rrule else None
    if termin.expandiert_bis != neu:
        termin.expandiert_bis = neu
    return rows


# --------------------------------------------------------------------------
# Clashes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Kollision:
    """An occurrence of the event at hand (`eigenes`) clashes with one of another (`anderes`)."""

    eigenes: TerminVorkommen
    anderes: TerminVorkommen

    @property
    def termin(self) -> Termin:
        return self.anderes.termin


def _verschmolzen(fenster: Iterable[Zeitspanne]) -> list[Zeitspanne]:
    """Overlapping or touching windows as one (daily series: one range instead of 730)."""
    ergebnis: list[Zeitspanne] = []
    for von, bis in sorted(fenster):
        if ergebnis and von <= ergebnis[-1][1]:
            ergebnis[-1] = (ergebnis[-1][0], max(ergebnis[-1][1], bis))
        else:
            ergebnis.append((von, bis))
    return ergebnis


def _finde(
    uow: UnitOfWork,
    rows: Sequence[TerminVorkommen],
    *,
    termin_id: int,
    tz: ZoneInfo,
    regeln: Regeln,
    kanten: Sequence[tuple[int, int]],
) -> list[Kollision]:
    """Clashes of these occurrences (of one event) with occurrences of other events."""
    aktiv = sorted((r for r in rows if r.abgesagt is None), key=lambda r: r.start)
    if not aktiv:
        return []
    fenster = [suchfenster(r.start, r.ende, regeln, tz) for r in aktiv]
    nah = {r: ueberlappende_regionen(r, kanten) for r in {row.region_id for row in aktiv}}
    regionen = set().union(*nah.values())
    kandidaten = uow.termine.kandidaten(
        _verschmolzen(fenster),
        regionen,
        kurz=LANG_AB,
        rueckblick=RUECKBLICK,
        ohne_termin_id=termin_id,
    )
    # Match candidates to own occurrences by window (sorted by start): a bisection instead of
    # comparing every pair, so a daily series in a busy region stays fast.
    anfaenge = [von for von, _ in fenster]
    laengste = max(bis - von for von, bis in fenster)
    ergebnis = []
    for anderes in kandidaten:
        k = bisect.bisect_left(anfaenge, anderes.ende) - 1
        while k >= 0 and anfaenge[k] + laengste > anderes.start:
            eigenes = aktiv[k]
            if anderes.region_id in nah[eigenes.region_id] and kollidiert(
                (eigenes.start, eigenes.ende), (anderes.start, anderes.ende), regeln, tz
            ):
                ergebnis.append(Kollision(eigenes, anderes))
            k -= 1
    ergebnis.sort(key=lambda k: (k.eigenes.start, k.anderes.start, k.anderes.id))
    # The names for the answer, for the actual clashes only (one query).
    uow.termine.lade({k.anderes.termin_id for k in ergebnis})
    return ergebnis


def kollisionen(
    uow: UnitOfWork,
    termin: Termin,
    regeln: Regeln,
    rows: Sequence[TerminVorkommen] | None = None,
    ab: datetime | None = None,
) -> list[Kollision]:
    """The current clashes of `termin` (of `rows`, or of its occurrences not ended at `ab`)."""
    if rows is None:
        rows = uow.termine.vorkommen_von(termin.id, ab)
    return _finde(
        uow, rows, termin_id=termin.id, tz=zone(termin), regeln=regeln, kanten=uow.regionen.kanten()
    )


def _markieren(
    uow: UnitOfWork, rows: Iterable[TerminVorkommen], regeln: Regeln, tz: ZoneInfo
) -> None:
    """Recompute the clash mark of other events' occurrences (after one of their partners
    moved or was cancelled)."""
    kanten = uow.regionen.kanten()
    for row in rows:
        row.kollision = row.abgesagt is None and bool(
            _finde(uow, [row], termin_id=row.termin_id, tz=tz, regeln=regeln, kanten=kanten)
        )


def _setze_marken(treffer: Sequence[Kollision], rows: Iterable[TerminVorkommen]) -> None:
    betroffen = {id(k.eigenes) for k in treffer}
    for row in rows:
        row.kollision = id(row) in betroffen
    for k in treffer:
        k.anderes.kollision = True


def _partner(
    uow: UnitOfWork, termin: Termin, rows: Sequence[TerminVorkommen], regeln: Regeln
) -> list[TerminVorkommen]:
    """Occurrences of other events marked as clashing with these rows (before they go)."""
    markiert = [r for r in rows if r.kollision and r.abgesagt is None]
    if not markiert:
        return []
    gesehen: dict[int, TerminVorkommen] = {}
    kanten = uow.regionen.kanten()
    for k in _finde(
        uow, markiert, termin_id=termin.id, tz=zone(termin), regeln=regeln, kanten=kanten
    ):
        gesehen.setdefault(k.anderes.id, k.anderes)
    return list(gesehen.values())


# --------------------------------------------------------------------------
# Writing events
# --------------------------------------------------------------------------


def auffuellen(uow: UnitOfWork, jetzt: datetime, regeln: Regeln) -> int:
    """Extend running series to `jetzt` + horizon (a week early, so it runs rarely); new
    occurrences get their clash marks. Returns how many series were extended."""
    bis = jetzt + regeln.horizont
    serien = uow.termine.zum_auffuellen(bis - timedelta(days=7))
    for termin in serien:
        assert termin.expandiert_bis is not None
        rows = _bauen(uow, termin, termin.expandiert_bis, bis, laufende=False)
        termin.expandiert_bis = bis
        _setze_marken(kollisionen(uow, termin, regeln, rows), rows)
        uow.termine.add_vorkommen(rows)
        termin_geaendert(uow, termin, Aenderung.FORTGESCHRIEBEN, jetzt)
    return len(serien)


def anlegen(uow: UnitOfWork, termin: Termin, jetzt: datetime, regeln: Regeln) -> list[Kollision]:
    """Store a new event with its occurrences; its clashes (it is stored anyway, marked).

    Raises `om_bot.domain.termine.TerminZeitFehler` (nothing added) for an event in the past,
    longer than `MAX_DAUER` or beyond the horizon.
    """
    try:
        _pruefe(termin, jetzt, regeln)
    except TerminZeitFehler:
        # Added by the caller already, it would go in with the next flush if the caller
        # carried on.
        if termin in uow.session:
            uow.session.expunge(termin)
        raise
    auffuellen(uow, jetzt, regeln)
    # Set before the INSERT, so it goes with it (no UPDATE right after).
    termin.expandiert_bis = jetzt + regeln.horizont if termin.rrule else None
    uow.termine.add(termin)
    uow.flush()
    rows = _alle_bauen(uow, termin, jetzt, regeln)
    treffer = kollisionen(uow, termin, regeln, rows)
    _setze_marken(treffer, rows)
    uow.termine.add_vorkommen(rows)
    uow.flush()
    termin_geaendert(uow, termin, Aenderung.ANGELEGT, jetzt)
    return treffer


def aendern(uow: UnitOfWork, termin: Termin, jetzt: datetime, regeln: Regeln) -> list[Kollision]:
    """Rewrite the occurrences of `termin` after its fields were changed; its clashes now.

    Occurrences that have ended stay as they were; the clash marks of events that clashed
    with the old times are recomputed. A new time must obey the invariants of `anlegen`
    (`TerminZeitFehler` otherwise); an unchanged one (a series that began long ago, an event
    running now) is left as it is.
    """
    if _zeit_geaendert(termin):
        _pruefe(termin, jetzt, regeln)
    auffuellen(uow, jetzt, regeln)
    alte = uow.termine.vorkommen_von(termin.id, jetzt)
    frueher = _partner(uow, termin, alte, regeln)
    uow.termine.loesche_vorkommen(alte)
    uow.flush()
    termin.sequenz += 1
    termin.geaendert = jetzt
    rows = _alle_bauen(uow, termin, jetzt, regeln)
    treffer = kollisionen(uow, termin, regeln, rows)
    _setze_marken(treffer, rows)
    uow.termine.add_vorkommen(rows)
    uow.flush()
    jetzt_partner = {k.anderes.id for k in treffer}
    _markieren(uow, [r for r in frueher if r.id not in jetzt_partner], regeln, zone(termin))
    termin_geaendert(uow, termin, Aenderung.GEAENDERT, jetzt)
    return treffer


def absagen(uow: UnitOfWork, termin: Termin, jetzt: datetime, regeln: Regeln) -> int:
    """Cancel the whole event or series (its occurrences from now on); how many occurrences."""
    rows = uow.termine.vorkommen_von(termin.id, jetzt)
    partner = _partner(uow, termin, rows, regeln)
    offen = [r for r in rows if r.abgesagt is None]
    for row in offen:
        row.abgesagt = jetzt
        row.kollision = False
    termin.abgesagt = jetzt
    termin.sequenz += 1
    termin.geaendert = jetzt
    uow.flush()
    _markieren(uow, partner, regeln, zone(termin))
    termin_geaendert(uow, termin, Aenderung.ABGESAGT, jetzt)
    return len(offen)


def vorkommen_am(uow: UnitOfWork, termin: Termin, tag: date) -> TerminVorkommen | None:
    """The stored occurrence of `termin` that starts on local day `tag`."""
    tz = zone(termin)
    for row in uow.termine.vorkommen_von(termin.id):
        if row.start.astimezone(tz).date() == tag:
            return row
    return None


def vorkommen_absagen(
    uow: UnitOfWork,
    termin: Termin,
    row: TerminVorkommen,
    jetzt: datetime,
    regeln: Regeln,
    *,
    von: str,
) -> None:
    """Cancel one occurrence of a series (EXDATE); the series goes on."""
    tz = zone(termin)
    tag = row.start.astimezone(tz).date()
    partner = _partner(uow, termin, [row], regeln)
    termin.ausnahmen.append(TerminAusnahme(tag=tag, abgesagt=jetzt, von=von))
    row.abgesagt = jetzt
    row.kollision = False
    termin.sequenz += 1
    termin.geaendert = jetzt
    uow.flush()
    _markieren(uow, partner, regeln, tz)
    termin_geaendert(uow, termin, Aenderung.VORKOMMEN_ABGESAGT, jetzt, tag)


# --------------------------------------------------------------------------
# Reading: reminders, criteria
# --------------------------------------------------------------------------


def jahresgrenzen(jahr: int, tz: ZoneInfo) -> Zeitspanne:
    return (
        datetime.combine(date(jahr, 1, 1), time(), tz),
        datetime.combine(date(jahr + 1, 1, 1), time(), tz),
    )


@dataclass(frozen=True)
class DatenbankTerminLeser:
    """The events as the reminders (`om_bot.services.erinnerungsquellen.TerminLeser`) and the
    criteria
    (`om_bot.services.pruefung.TreffenQuelle`: pass `leser.treffen`) read them."""

    tz: ZoneInfo

    def vorkommen(
        self, uow: UnitOfWork, von: datetime, bis: datetime
    ) -> Sequence[erinnerungen.TerminVorkommen]:
        """Occurrences that end after `von` and begin before `bis`, cancelled ones included."""
        ergebnis = []
        for row in uow.termine.im_zeitraum(von, bis, RUECKBLICK, abgesagte=True):
            t = row.termin
            ergebnis.append(
                erinnerungen.TerminVorkommen(
                    termin_id=t.id,
                    titel=t.titel,
                    beginn=row.start,
                    ende=row.ende,
                    ganztaegig=t.ganztaegig,
                    netzwerk_id=t.netzwerk_id,
                    netzwerk=t.netzwerk.name if t.netzwerk is not None else "",
                    region_id=t.region_id,
                    region=t.region.name,
                    ort=t.ort,
                    art=t.art.text,
                    ueberschneidung=row.kollision,
                    abgesagt=row.abgesagt,
                    geaendert=t.geaendert,
                    vorkommen=str(row.id),
                )
            )
        return ergebnis

    def treffen(self, uow: UnitOfWork, netzwerk_id: int, jahr: int) -> int | None:
        """Netzwerktreffen of the network in calendar year `jahr` (held or planned, not
        cancelled): the count for „tagt mindestens zweimal im Jahr“ (seed 001).

        None for a network that has never recorded an event in the bot: it may well meet
        without using the calendar here, so the check stays „unknown“ instead of „not met“.
        """
        if not uow.termine.hat_termine(netzwerk_id):
            return None
        arten = [a.value for a in TerminArt if a.zaehlt_als_treffen]
        return uow.termine.zaehle(netzwerk_id, arten, *jahresgrenzen(jahr, self.tz))
