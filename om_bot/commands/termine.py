"""`termin`, `termine`, `termine export`, `ansprache`: events with clash warnings, calendar export
and Parallelansprachen (seed 000).

Registering: ``termin [<Art>] <Titel> <Datum> [in <Region>] [für <Netzwerk>] [art:<Art>]
[ort:<Ort>]``. The date phrase is read by `om_bot.domain.dates.find_when` (German, refuses instead
of
guessing); the text before it is the title, after it come region and network. In a room linked
to a network that network and its region are the default; elsewhere ``in <Region>`` names the
region and the event belongs to the region's network if it has exactly one, otherwise to none
(an event of the Geschäftsstelle or a partner) unless ``für <Netzwerk>`` names one. The kind is
the first word of the title when that is a kind („Netzwerktreffen …“, „Infostand …“), else a
Veranstaltung; ``art:`` overrides it.

Who may, the invariants (no past date, at most 14 days long, at most ``horizont_tage`` ahead),
the audit and the commit are the use cases' (`om_bot.services.termine`, on top of
`om_bot.services.terminverwaltung`: occurrences, clash marks, the change hook); reading the input
and the wording of answers, warnings and notices are here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from om_bot.chat.registry import Familie, UsageError
from om_bot.chat.router import Kontext
from om_bot.domain.ansprachen import FENSTER, hinweis
from om_bot.domain.ansprachen import warnung as ansprache_warnung
from om_bot.domain.dates import (
    DatumFehler,
    Zeitraum,
    datum_text,
    find_when,
    format_zeitraum,
    parse_when,
)
from om_bot.domain.fehler import kurz_genug
from om_bot.domain.kalender import MIMETYPE, KalenderTermin, kalender
from om_bot.domain.matching import fold
from om_bot.domain.roles import Rolle
from om_bot.domain.termine import (
    ART_WOERTER,
    SEED_000,
    SEED_001_TREFFEN,
    TerminArt,
    TerminVergangen,
    TerminZeitFehler,
    TerminZuLang,
    art_aus_titel,
    feiertag_text,
    feiertage,
    laender_der_region,
    lies_art,
    naechste,
    pruefe_zeitraum,
    tage,
    ueberlappende_regionen,
)
from om_bot.services import ansprachen
from om_bot.services import termine as svc
from om_bot.services import terminverwaltung as tv
from om_bot.services.register import finde_netzwerk, finde_region, rollen_von
from om_bot.storage.models import Netzwerk, Region, Termin, TerminVorkommen
from om_bot.text.format import B, Code, I, Msg, Part
from om_bot.text.messages import Attachment, Reply

familie = Familie(
    "termine",
    "Termine, Terminüberschneidungen, Kalender und Parallelansprachen",
    aliase=("termin", "kalender", "ansprache", "ueberschneidung"),
)

SYNTAX = "termin [<Art>] <Titel> <Datum> [in <Region>] [für <Netzwerk>] [art:<Art>] [ort:<Ort>]"
BEISPIEL = "termin Netzwerktreffen am 12.03.2027 um 14:00 bis 16:00 in Hamburg"
LISTE_MAX = 25
EXPORT_RUECKBLICK = timedelta(days=90)

_OPTION_RE = re.compile(r"(?<!\S)(art|ort|titel)\s*:\s*", re.IGNORECASE)
_REST_RE = re.compile(
    r"(?:(?:in|im)\s+(?P<r1>.+?)(?:\s+(?:für|fuer)\s+(?P<n1>.+))?"
    r"|(?:für|fuer)\s+(?P<n2>.+?)(?:\s+(?:in|im)\s+(?P<r2>.+))?)",
    re.IGNORECASE | re.DOTALL,
)
_IN_RE = re.compile(r"\s(?:in|im)\s", re.IGNORECASE)
_ARTEN_TEXT = ", ".join(
    f"{a.text} ({', '.join(w for w, x in ART_WOERTER.items() if x is a and w != fold(a.text))})"
    if any(x is a and w != fold(a.text) for w, x in ART_WOERTER.items())
    else a.text
    for a in TerminArt
)


# --- small helpers -----------------------------------------------------------------------------


def _p(ctx: Kontext) -> str:
    return ctx.dienste.prefix


def _handelnde(ctx: Kontext) -> svc.Handelnde:
    return svc.Handelnde(ctx.akteur, ctx.dienste.rollen, ctx.now(), ctx.dienste.termine)


def _wann(start: datetime, ende: datetime, ganztaegig: bool, tz: ZoneInfo) -> str:
    """„Fr, 12.03.2027, 14:00–16:00 Uhr“ for one occurrence, in the configured zone."""
    return format_zeitraum(Zeitraum(start.astimezone(tz), ende.astimezone(tz), ganztaegig))


def _datum(zeit: datetime, tz: ZoneInfo) -> str:
    return datum_text(zeit, tz)


def _netzwerk_name(termin: Termin) -> str:
    return termin.netzwerk.name if termin.netzwerk is not None else "ohne Netzwerk"


def _kurz(termin: Termin) -> str:
    return f"„{termin.titel}“ (Nr. {termin.id})"


@dataclass
class _Umfeld:
    """What several messages of one command need: zone, region nesting, Bundesland codes."""

    tz: ZoneInfo
    kanten: list[tuple[int, int]]
    codes: dict[int, str]
    _laender: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def feiertage(self, region_id: int, start: datetime, ende: datetime) -> list[str]:
        """„Feiertag in Bayern: Fronleichnam“ for every holiday the occurrence touches."""
        if region_id not in self._laender:
            self._laender[region_id] = laender_der_region(region_id, self.kanten, self.codes)
        laender = self._laender[region_id]
        if not laender:
            return []
        treffer = feiertage(tage(start, ende, self.tz), laender)
        mehrtaegig = len(tage(start, ende, self.tz)) > 1
        return [feiertag_text(f, mit_datum=mehrtaegig) for f in treffer]


def _umfeld(ctx: Kontext) -> _Umfeld:
    regionen = ctx.uow.regionen.alle()
    return _Umfeld(
        ctx.dienste.tz, ctx.uow.regionen.kanten(), {r.id: r.bundesland for r in regionen}
    )


def _optionen(text: str) -> tuple[str, dict[str, str]]:
    """Split ``… art:treffen ort:Handelskammer`` into the main text and the options."""
    treffer = list(_OPTION_RE.finditer(text))
    if not treffer:
        return text.strip(), {}
    werte: dict[str, str] = {}
    for i, m in enumerate(treffer):
        ende = treffer[i + 1].start() if i + 1 < len(treffer) else len(text)
        schluessel = m.group(1).lower()
        if schluessel in werte:
            raise UsageError(
                f"„{schluessel}:“ steht zweimal im Befehl. Es wurde nichts gespeichert."
            )
        werte[schluessel] = text[m.end() : ende].strip()
    return text[: treffer[0].start()].strip(), werte


def _rest(ctx: Kontext, rest: str, usage: str) -> tuple[str | None, str | None]:
    """``in <Region>`` and/or ``für <Netzwerk>`` after the date phrase."""
    if not rest:
        return None, None
    m = _REST_RE.fullmatch(rest.strip())
    if m is None:
        raise UsageError(
            f"„{rest[:80]}“ nach dem Datum verstehe ich nicht. Nach dem Datum stehen nur "
            "„in <Region>“ und „für <Netzwerk>“; einen Ort bitte mit „ort:“ angeben. Es wurde "
            "nichts gespeichert.",
            usage=usage,
            beispiel=f"{_p(ctx)} {BEISPIEL} ort:Handelskammer, Raum 3",
        )
    return m["r1"] or m["r2"], m["n1"] or m["n2"]


def _region(ctx: Kontext, text: str, usage: str) -> Region:
    try:
        return finde_region(ctx.uow, text.strip())
    except UsageError as fehler:
        raise UsageError(
            f"{fehler.meldung} Es wurde nichts gespeichert.", usage=usage, beispiel=fehler.beispiel
        ) from None


def _netzwerk(ctx: Kontext, text: str, usage: str) -> Netzwerk:
    try:
        return finde_netzwerk(ctx.uow, text.strip())
    except UsageError as fehler:
        raise UsageError(
            f"{fehler.meldung} Es wurde nichts gespeichert.", usage=usage, beispiel=fehler.beispiel
        ) from None


def _titel_mit_region(ctx: Kontext, titel: str) -> tuple[str, Region | None]:
    """„Treffen in Hamburg am …“: a title ending in ``in <Region>`` (exact name) names it."""
    for m in _IN_RE.finditer(titel):
        region = ctx.uow.regionen.nach_schluessel(fold(titel[m.end() :].strip()))
        if region is not None and titel[: m.start()].strip():
            return titel[: m.start()].strip(), region
    return titel, None


def _datumfehler(ctx: Kontext, fehler: DatumFehler, usage: str, titel: str = "") -> UsageError:
    beispiel = fehler.beispiel
    if not beispiel.startswith("Netzwerktreffen"):
        beispiel = f"{titel[:40] or 'Netzwerktreffen'} {beispiel}"
    return UsageError(
        f"{fehler.meldung} Es wurde nichts gespeichert.",
        usage=usage,
        beispiel=f"{_p(ctx)} termin {beispiel}",
    )


def _art(ctx: Kontext, text: str) -> TerminArt:
    art = lies_art(text)
    if art is None:
        raise UsageError(
            f"Die Art „{text[:40]}“ kenne ich nicht. Arten: {_ARTEN_TEXT}. Es wurde nichts "
            "gespeichert.",
            beispiel=f"{_p(ctx)} {BEISPIEL} art:treffen",
        )
    return art


def _laenge(text: str, was: str) -> str:
    return kurz_genug(text, was)


def _zeitfehler(ctx: Kontext, fehler: TerminZeitFehler, usage: str) -> UsageError:
    """An invariant of the event's time (`pruefe_zeitraum`), with this command's example."""
    p = _p(ctx)
    if isinstance(fehler, TerminVergangen):
        beispiel = f"{p} termin Netzwerktreffen nächsten Dienstag um 14 Uhr"
    elif isinstance(fehler, TerminZuLang):
        beispiel = f"{p} termin Aktionswoche vom 12. bis 16.04.2027"
    else:
        beispiel = f"{p} {BEISPIEL}"
    return UsageError(fehler.meldung, usage=usage, beispiel=beispiel)


@contextmanager
def _im_wortlaut(ctx: Kontext, usage: str) -> Iterator[None]:
    """The use cases' refusals and invariant errors in this command's words."""
    try:
        yield
    except svc.OhneNetzwerkVerweigert as nein:
        raise svc.TerminVerweigert(
            f"{nein.args[0]} Für Ihr Netzwerk: im Raum des Netzwerks eintragen oder „für "
            f"<Netzwerk>“ anhängen, z. B. „{_p(ctx)} {BEISPIEL} für OM-Netzwerk Hamburg“.",
            Rolle.GESCHAEFTSSTELLE,
        ) from None
    except TerminZeitFehler as fehler:
        raise _zeitfehler(ctx, fehler, usage) from None


def _zeit_pruefen(ctx: Kontext, z: Zeitraum, usage: str) -> None:
    """Refuse a past date, an over-long event and one beyond the horizon (nothing stored) –
    here already, so the answer names the first problem of the input; the use case checks
    again."""
    with _im_wortlaut(ctx, usage):
        pruefe_zeitraum(z, ctx.now(), ctx.dienste.termine)


# --- wording of clashes ------------------------------------------------------------------------


def _nach_termin(treffer: Sequence[tv.Kollision]) -> dict[int, list[tv.Kollision]]:
    gruppen: dict[int, list[tv.Kollision]] = defaultdict(list)
    for k in treffer:
        gruppen[k.anderes.termin_id].append(k)
    return gruppen


def _kollisionszeile(k: tv.Kollision, anzahl: int, serie: bool, u: _Umfeld) -> tuple[Part, ...]:
    t = k.termin
    teile: list[Part] = [
        f"„{t.titel}“ (Nr. {t.id}, {t.art.text}) – ",
        B(_netzwerk_name(t)),
        f" – {_wann(k.anderes.start, k.anderes.ende, t.ganztaegig, u.tz)} – {t.region.name}",
    ]
    if anzahl > 1:
        teile.append(f" ({anzahl} Überschneidungen, die erste oben)")
    elif serie:
        teile.append(f" (mit Ihrem Termin am {_datum(k.eigenes.start, u.tz)})")
    return tuple(teile)


def _kollisionen_melden(
    msg: Msg, termin: Termin, treffer: Sequence[tv.Kollision], u: _Umfeld, benachrichtigt: bool
) -> None:
    if not treffer:
        return
    msg.line(
        B("⚠ Terminüberschneidung"),
        " – in derselben, einer umfassenden oder einer enthaltenen Region ist schon etwas geplant:",
    )
    for ks in _nach_termin(treffer).values():
        msg.bullet(*_kollisionszeile(ks[0], len(ks), bool(termin.rrule), u))
    msg.line(
        "Der Termin ist trotzdem eingetragen und als Überschneidung markiert. Bitte stimmen Sie "
        "sich ab",
        "; die betroffenen Netzwerke haben einen Hinweis bekommen. " if benachrichtigt else ". ",
        I(SEED_000),
        " (Vereinbarung der INQA-Netzwerke)",
    )


def _wer(termin: Termin) -> str:
    return termin.netzwerk.name if termin.netzwerk is not None else "Die Geschäftsstelle"


def _wer_handelt(ctx: Kontext, termin: Termin) -> str:
    """Who changed or cancelled an event, as notices name it: the network when one of its
    coordinators did, the Geschäftsstelle when it acted for the network."""
    netzwerk = termin.netzwerk
    if netzwerk is not None and ctx.nachricht.sender in rollen_von(ctx.uow, netzwerk).koordinatoren:
        return netzwerk.name
    if ctx.dienste.rollen.darf(ctx.akteur, Rolle.GESCHAEFTSSTELLE):
        return "Die Geschäftsstelle"
    return _wer(termin)


def _hinweise(
    ctx: Kontext,
    termin: Termin,
    treffer: Sequence[tv.Kollision],
    u: _Umfeld,
    *,
    was: str,
    wer: str,
    nur_neue: set[int] | None = None,
) -> list[Reply]:
    """Notices to the rooms of the networks whose events clash (network-less ones: the
    Geschäftsstelle room), one per room; never to the room the command came from."""
    ziele: dict[str, list[list[tv.Kollision]]] = defaultdict(list)
    for termin_id, ks in _nach_termin(treffer).items():
        if nur_neue is not None and termin_id not in nur_neue:
            continue
        anderer = ks[0].termin
        if anderer.netzwerk_id is not None:
            raeume = [r.room_id for r in ctx.uow.raeume.fuer_netzwerk(anderer.netzwerk_id)]
        else:
            raeume = (
                [ctx.dienste.geschaeftsstelle_room] if ctx.dienste.geschaeftsstelle_room else []
            )
        for raum in raeume:
            if raum != ctx.nachricht.room_id:
                ziele[raum].append(ks)
    replies = []
    for raum, gruppen in ziele.items():
        msg = Msg().line(
            B("⚠ Terminüberschneidung"),
            f" – {wer} hat einen Termin {was}, der sich mit Ihrem überschneidet:",
        )
        erste = gruppen[0][0].eigenes
        msg.bullet(
            "Neu: ",
            B(_kurz(termin)),
            f", {termin.art.text} – {_wann(erste.start, erste.ende, termin.ganztaegig, u.tz)}"
            f" – {termin.region.name}",
        )
        for ks in gruppen:
            k = ks[0]
            msg.bullet(
                "Ihr Termin: ",
                _kurz(k.termin),
                f" – {_wann(k.anderes.start, k.anderes.ende, k.termin.ganztaegig, u.tz)}",
                f" ({len(ks)} Überschneidungen)" if len(ks) > 1 else "",
            )
        msg.line(
            "Bitte stimmen Sie sich ab. ",
            I(SEED_000),
            " Details: ",
            Code(f"{_p(ctx)} termin {termin.id}"),
        )
        replies.append(msg.reply(raum))
    return replies


# --- describing an event ---------------------------------------------------------------------


def _art_zeile(termin: Termin) -> tuple[Part, ...]:
    if termin.art.zaehlt_als_treffen:
        return (termin.art.text, I(f" (zählt für {SEED_001_TREFFEN})"))
    return (termin.art.text,)


def _details(msg: Msg, ctx: Kontext, termin: Termin, u: _Umfeld, zeitraum: Zeitraum) -> None:
    tz = u.tz
    wann = format_zeitraum(zeitraum)
    if termin.ohne_ende:
        dauer = ctx.dienste.termine.standard_dauer
        stunden = dauer.total_seconds() / 3600
        wann += f" (kein Ende angegeben: {stunden:g} Std. angenommen)"
    msg.bullet("Wann: ", B(wann))
    msg.bullet("Art: ", *_art_zeile(termin))
    msg.bullet("Netzwerk: ", _netzwerk_name(termin), f" · Region: {termin.region.name}")
    if termin.ort:
        msg.bullet("Ort: ", termin.ort)
    ausnahmen = [a.tag for a in termin.ausnahmen]
    kommende = (
        []
        if termin.abgesagt is not None
        else naechste(termin, ctx.now(), 5 if termin.rrule else 1, ausnahmen)
    )
    if termin.rrule and kommende:
        msg.bullet("Nächste Termine:")
    for beginn, ende in kommende:
        zeile = _wann(beginn, ende, termin.ganztaegig, tz)
        feier = u.feiertage(termin.region_id, beginn, ende)
        if termin.rrule:
            msg.bullet("  ", zeile, *(f" – ⚑ {f}" for f in feier))
        else:
            for f in feier:
                msg.bullet("⚑ ", B(f))
    if ausnahmen:
        msg.bullet("Abgesagt: ", ", ".join(datum_text(a) for a in ausnahmen))


def _zeitraum_von(termin: Termin, tz: ZoneInfo) -> Zeitraum:
    return Zeitraum(
        termin.start.astimezone(tz),
        termin.ende.astimezone(tz),
        termin.ganztaegig,
        termin.rrule or None,
        termin.ohne_ende,
    )


def _befehle(ctx: Kontext, termin: Termin) -> tuple[Part, ...]:
    p = _p(ctx)
    return (
        "Ändern: ",
        Code(f"{p} termin ändern {termin.id} …"),
        " · Absagen: ",
        Code(f"{p} termin absagen {termin.id}" + (" [<Datum>]" if termin.rrule else "")),
    )


# --- looking up ------------------------------------------------------------------------------


def _termin(ctx: Kontext, nr: int) -> Termin:
    termin = ctx.uow.termine.get(nr)
    if termin is None:
        raise UsageError(
            f"Einen Termin Nr. {nr} gibt es nicht.",
            usage=f"{_p(ctx)} termine",
            beispiel=f"{_p(ctx)} termine Hamburg",
        )
    return termin


# --- commands --------------------------------------------------------------------------------


@familie.befehl(
    "termin <text>",
    hilfe="Einen Termin oder ein Netzwerktreffen eintragen – mit Warnung bei Überschneidungen",
    rolle=Rolle.NETZWERK,
    details=(
        f"Form: {SYNTAX}. Das Datum auf Deutsch: „am 12.03.2027 um 14:00 bis 16:00“, "
        "„nächsten Freitag um 18 Uhr“, „morgen 10:00“, „übermorgen“, „in zwei Wochen“, "
        "„jeden zweiten Dienstag im Monat um 10 Uhr“; ohne Ende dauert ein Termin 2 Stunden "
        "(einstellbar). "
        "Mehrdeutiges (z. B. „um 3 Uhr“) fragt der Bot nach. Im Raum eines Netzwerks gehört der "
        "Termin zu diesem Netzwerk und seiner Region; sonst bestimmt „in <Region>“ die Region "
        "und das Netzwerk, wenn es dort genau eines gibt (sonst „für <Netzwerk>“). Die Art "
        f"ergibt sich aus dem ersten Wort des Titels oder aus „art:“ – {_ARTEN_TEXT}; nur "
        "Netzwerktreffen zählen für „tagt mindestens zweimal im Jahr“. Eintragen dürfen die "
        "Koordination des Netzwerks, die Geschäftsstelle und Admins; "
        "Termine ohne Netzwerk nur Geschäftsstelle und Admins. Überschneidet sich der Termin "
        "in derselben oder einer umfassenden bzw. enthaltenen Region (auch am selben Tag), "
        "warnt der Bot und benachrichtigt die Räume der anderen Netzwerke; eingetragen wird "
        "trotzdem."
    ),
    beispiele=(
        "termin Netzwerktreffen am 12.03.2027 um 14:00 bis 16:00 in Hamburg",
        "termin Sommerfest nächsten Freitag um 18 Uhr in Bremen",
        "termin Netzwerktreffen jeden zweiten Dienstag im Monat um 10 Uhr in Hamburg",
        "termin Infostand Messe am 12. März 2027 ganztägig ort:Halle 3",
    ),
)
def termin(ctx: Kontext, text: str) -> list[Reply]:
    p = _p(ctx)
    usage = f"{p} {SYNTAX}"
    jetzt, tz, regeln = ctx.now(), ctx.dienste.tz, ctx.dienste.termine
    haupt, optionen = _optionen(text)
    try:
        titel, zeitraum, nachher = find_when(haupt, jetzt, tz, regeln.standard_dauer)
    except DatumFehler as fehler:
        raise _datumfehler(ctx, fehler, usage) from None
    region_text, netzwerk_text = _rest(ctx, nachher, usage)
    region: Region | None = None
    if region_text is None:
        titel, region = _titel_mit_region(ctx, titel)
    if "titel" in optionen:
        titel = f"{titel} {optionen['titel']}".strip() if titel else optionen["titel"]
    if not titel.strip():
        raise UsageError(
            "Bitte geben Sie dem Termin einen Titel (vor dem Datum). Es wurde nichts gespeichert.",
            usage=usage,
            beispiel=f"{p} {BEISPIEL}",
        )
    titel = _laenge(" ".join(titel.split()), "Der Titel")
    art = _art(ctx, optionen["art"]) if "art" in optionen else art_aus_titel(titel)
    ort = _laenge(" ".join(optionen.get("ort", "").split()), "Der Ort")
    _zeit_pruefen(ctx, zeitraum, usage)

    # Which network and region (see the module docstring).
    if region_text is not None:
        region = _region(ctx, region_text, usage)
    netzwerk: Netzwerk | None = None
    hinweis_netzwerk = ""
    if netzwerk_text is not None:
        netzwerk = _netzwerk(ctx, netzwerk_text, usage)
    elif ctx.akteur.raum_netzwerk_id is not None:
        netzwerk = ctx.uow.netzwerke.get(ctx.akteur.raum_netzwerk_id)
    if netzwerk is None and region is None:
        raise UsageError(
            "In welcher Region findet der Termin statt? Dieser Raum ist mit keinem Netzwerk "
            "verknüpft; bitte „in <Region>“ angeben (oder den Raum verknüpfen: "
            f"„{p} raum <Netzwerk>“). Es wurde nichts gespeichert.",
            usage=usage,
            beispiel=f"{p} {BEISPIEL}",
        )
    if netzwerk is None and region is not None and netzwerk_text is None:
        dort = [n for n in ctx.uow.netzwerke.in_regionen([region.id]) if n.region_id == region.id]
        if len(dort) == 1:
            netzwerk = dort[0]
        elif dort:
            hinweis_netzwerk = (
                f"In {region.name} gibt es {len(dort)} Netzwerke ("
                + ", ".join(n.name for n in dort)
                + "); der Termin gehört keinem davon. Für ein Netzwerk: „für <Netzwerk>“."
            )
    if region is None:
        assert netzwerk is not None
        region = netzwerk.region
    with _im_wortlaut(ctx, usage):
        ergebnis = svc.eintragen(
            ctx.uow,
            _handelnde(ctx),
            svc.NeuerTermin(titel, art, zeitraum, region, netzwerk, tz.key, ort),
        )
    neu, treffer = ergebnis.termin, ergebnis.kollisionen

    u = _umfeld(ctx)
    hinweise = _hinweise(ctx, neu, treffer, u, was="eingetragen", wer=_wer(neu))
    msg = Msg(f"✅ Termin Nr. {neu.id} eingetragen: „{neu.titel}“")
    _details(msg, ctx, neu, u, zeitraum)
    if hinweis_netzwerk:
        msg.line(I(hinweis_netzwerk))
    _kollisionen_melden(msg, neu, treffer, u, bool(hinweise))
    msg.line(*_befehle(ctx, neu))
    return [msg.reply(), *hinweise]


@familie.befehl(
    "termin <nr:zahl>",
    hilfe="Einen Termin ansehen: Zeit, nächste Termine einer Serie, Feiertage, Überschneidungen",
    beispiele=("termin 7",),
)
def termin_zeigen(ctx: Kontext, nr: int) -> Reply:
    termin = _termin(ctx, nr)
    jetzt, tz, regeln = ctx.now(), ctx.dienste.tz, ctx.dienste.termine
    u = _umfeld(ctx)
    abgesagt = f" – abgesagt am {_datum(termin.abgesagt, tz)}" if termin.abgesagt else ""
    msg = Msg(f"Termin Nr. {termin.id}: „{termin.titel}“{abgesagt}")
    _details(msg, ctx, termin, u, _zeitraum_von(termin, tz))
    if termin.abgesagt is None:
        treffer = tv.kollisionen(ctx.uow, termin, regeln, ab=jetzt)
        if treffer:
            msg.line(B("⚠ Terminüberschneidung"), ":")
            for ks in _nach_termin(treffer).values():
                msg.bullet(*_kollisionszeile(ks[0], len(ks), bool(termin.rrule), u))
            msg.line("Bitte stimmen Sie sich ab. ", I(SEED_000))
    msg.line(
        I(
            f"Eingetragen am {_datum(termin.erstellt, tz)}"
            + (f", zuletzt geändert am {_datum(termin.geaendert, tz)}" if termin.sequenz else "")
            + "."
        )
    )
    if termin.abgesagt is None:
        msg.line(*_befehle(ctx, termin))
    return msg.reply()


@familie.befehl(
    "termin ändern <nr:zahl> <text>",
    hilfe="Einen Termin ändern: Datum/Uhrzeit, Titel, Region, Netzwerk, Art oder Ort",
    rolle=Rolle.NETZWERK,
    details=(
        "Nach der Nummer steht, was sich ändert – wie beim Eintragen: ein neues Datum (davor "
        "optional ein neuer Titel), „in <Region>“, „für <Netzwerk>“, „art:“, „ort:“, "
        "„titel:“. Bei einer Serie gilt die neue Zeit für alle künftigen Termine. Ändern dürfen "
        "die Koordination des Netzwerks, wer den Termin eingetragen hat, die Geschäftsstelle "
        "und Admins. Überschneidungen werden neu geprüft."
    ),
    beispiele=(
        "termin ändern 7 am 13.03.2027 um 15 Uhr",
        "termin ändern 7 in Bremen",
        "termin ändern 7 titel:Frühjahrstreffen ort:Handelskammer",
    ),
)
def termin_aendern(ctx: Kontext, nr: int, text: str) -> list[Reply]:
    p = _p(ctx)
    usage = f"{p} termin ändern <Nr> [<Titel>] [<Datum>] [in <Region>] [für <Netzwerk>] [art:…]"
    termin = _termin(ctx, nr)
    wer = _handelnde(ctx)
    svc.darf_aendern(ctx.uow, wer, termin)
    jetzt, tz, regeln = wer.jetzt, ctx.dienste.tz, wer.regeln
    try:
        svc.pruefe_aenderbar(termin, jetzt)
    except svc.NichtAenderbar as fehler:
        raise UsageError(fehler.meldung, usage=usage) from None
    haupt, optionen = _optionen(text)
    zeitraum: Zeitraum | None = None
    titel: str | None = None
    region_text = netzwerk_text = None
    if haupt:
        if _REST_RE.fullmatch(haupt):
            region_text, netzwerk_text = _rest(ctx, haupt, usage)
        else:
            try:
                vorher, zeitraum, nachher = find_when(haupt, jetzt, tz, regeln.standard_dauer)
            except DatumFehler as fehler:
                raise _datumfehler(ctx, fehler, usage, termin.titel) from None
            titel = vorher or None
            region_text, netzwerk_text = _rest(ctx, nachher, usage)
    if "titel" in optionen:
        if titel is not None:
            raise UsageError("Zwei neue Titel – vor dem Datum und „titel:“. Welcher gilt?")
        titel = optionen["titel"]
    if titel is not None and not titel.strip():
        raise UsageError("Der Titel darf nicht leer sein.", usage=usage)
    if not (haupt or optionen):
        raise UsageError(
            "Was soll sich ändern?", usage=usage, beispiel=f"{p} termin ändern {nr} in Bremen"
        )

    netzwerk = _netzwerk(ctx, netzwerk_text, usage) if netzwerk_text is not None else None
    if netzwerk is not None:
        svc.darf_eintragen(ctx.uow, wer, netzwerk)
    aenderungen = svc.Aenderungen(
        netzwerk=netzwerk,
        region=_region(ctx, region_text, usage) if region_text is not None else None,
        titel=_laenge(" ".join(titel.split()), "Der Titel") if titel is not None else None,
        art=_art(ctx, optionen["art"]) if "art" in optionen else None,
        ort=_laenge(" ".join(optionen["ort"].split()), "Der Ort") if "ort" in optionen else None,
        zeitraum=zeitraum,
    )
    with _im_wortlaut(ctx, usage):
        ergebnis = svc.aendern(ctx.uow, wer, termin, aenderungen)
    treffer = ergebnis.kollisionen
    u = _umfeld(ctx)
    hinweise = _hinweise(
        ctx,
        termin,
        treffer,
        u,
        was="geändert",
        wer=_wer_handelt(ctx, termin),
        nur_neue=set(ergebnis.neue_partner),
    )
    msg = Msg(f"✏ Termin Nr. {termin.id} geändert: „{termin.titel}“")
    _details(msg, ctx, termin, u, _zeitraum_von(termin, tz))
    _kollisionen_melden(msg, termin, treffer, u, bool(hinweise))
    msg.line(*_befehle(ctx, termin))
    return [msg.reply(), *hinweise]


@familie.befehl(
    "termin absagen <nr:zahl> [<datum>]",
    hilfe="Einen Termin absagen – bei einer Serie einen einzelnen Termin (mit Datum) oder alle",
    rolle=Rolle.NETZWERK,
    details=(
        "Ohne Datum wird der Termin bzw. die ganze Serie abgesagt (vergangene Termine bleiben "
        "stehen), mit Datum nur dieser eine Termin der Serie. Absagen dürfen die Koordination "
        "des Netzwerks, wer den Termin eingetragen hat, die Geschäftsstelle und Admins."
    ),
    beispiele=("termin absagen 7", "termin absagen 7 am 13.04.2027"),
)
def termin_absagen(ctx: Kontext, nr: int, datum: str | None) -> list[Reply]:
    p = _p(ctx)
    usage = f"{p} termin absagen <Nr> [<Datum>]"
    termin = _termin(ctx, nr)
    wer = _handelnde(ctx)
    svc.darf_aendern(ctx.uow, wer, termin)
    jetzt, tz = wer.jetzt, ctx.dienste.tz
    if termin.abgesagt is not None:
        return [
            Msg()
            .line(f"Termin Nr. {nr} ist schon abgesagt (am {_datum(termin.abgesagt, tz)}).")
            .reply()
        ]
    u = _umfeld(ctx)
    if datum:
        try:
            tag = parse_when(datum, jetzt, tz).start.astimezone(tz).date()
        except DatumFehler as fehler:
            raise UsageError(
                f"{fehler.meldung} Es wurde nichts abgesagt.",
                usage=usage,
                beispiel=f"{p} termin absagen {nr} am 13.04.2027",
            ) from None
        if termin.rrule:
            return _vorkommen_absagen(ctx, wer, termin, tag, u)
        if tag != termin.start.astimezone(tz).date():
            raise UsageError(
                f"Termin Nr. {nr} ist am {_datum(termin.start, tz)}, nicht am "
                f"{tag:%d.%m.%Y}. Es wurde nichts abgesagt.",
                usage=usage,
                beispiel=f"{p} termin absagen {nr}",
            )
    # Over already: `NichtAenderbar` ("… ist schon vorbei; absagen geht nicht mehr.").
    abgesagt = svc.absagen(ctx.uow, wer, termin)
    anzahl = abgesagt.vorkommen
    was = f"die Serie „{termin.titel}“ (Nr. {nr})" if termin.rrule else _kurz(termin)
    msg = Msg().line(f"🚫 Abgesagt: {was}.")
    if termin.rrule:
        msg.line(f"{anzahl} künftige Termine fallen weg; vergangene bleiben im Verlauf.")
    replies = [msg.reply()]
    handelnd = _wer_handelt(ctx, termin)
    info = Msg().line(
        f"🚫 {handelnd} hat {was} abgesagt",
        f" ({_wann(termin.start, termin.ende, termin.ganztaegig, tz)})."
        if not termin.rrule
        else ".",
    )
    replies += _an_netzwerk(ctx, termin, info)
    erledigt: dict[int, list[tv.Kollision]] = defaultdict(list)
    for k in abgesagt.frueher:
        erledigt[k.anderes.termin_id].append(k)
    for ks in erledigt.values():
        notiz = Msg().line(
            f"✅ {handelnd} hat {was} abgesagt – die Terminüberschneidung mit Ihrem Termin ",
            _kurz(ks[0].termin),
            " entfällt.",
        )
        replies += _an_netzwerk(ctx, ks[0].termin, notiz)
    return replies


def _an_netzwerk(ctx: Kontext, termin: Termin, msg: Msg) -> list[Reply]:
    """A notice to the rooms of the event's network (or the Geschäftsstelle), not this room."""
    if termin.netzwerk_id is not None:
        raeume = [r.room_id for r in ctx.uow.raeume.fuer_netzwerk(termin.netzwerk_id)]
    else:
        raeume = [ctx.dienste.geschaeftsstelle_room] if ctx.dienste.geschaeftsstelle_room else []
    reply = msg.reply()
    return [reply.to(r) for r in dict.fromkeys(raeume) if r and r != ctx.nachricht.room_id]


def _vorkommen_absagen(
    ctx: Kontext, wer: svc.Handelnde, termin: Termin, tag: date, u: _Umfeld
) -> list[Reply]:
    p = _p(ctx)
    jetzt, tz = wer.jetzt, u.tz
    try:
        row = svc.vorkommen_absagen(ctx.uow, wer, termin, tag)
    except svc.KeinVorkommen as fehler:
        kommende = naechste(termin, jetzt, 3, [a.tag for a in termin.ausnahmen])
        liste = "; ".join(_wann(s, e, termin.ganztaegig, tz) for s, e in kommende)
        raise UsageError(
            f"Die Serie Nr. {termin.id} {fehler.grund}. Die nächsten Termine: {liste or 'keine'}. "
            "Es wurde nichts abgesagt.",
            usage=f"{p} termin absagen <Nr> [<Datum>]",
            beispiel=f"{p} termin absagen {termin.id} am {kommende[0][0]:%d.%m.%Y}"
            if kommende
            else f"{p} termin absagen {termin.id}",
        ) from None
    wann = _wann(row.start, row.ende, termin.ganztaegig, tz)
    kommende = naechste(termin, jetzt, 1, [a.tag for a in termin.ausnahmen])
    msg = Msg().line(f"🚫 Abgesagt: {_kurz(termin)} am {wann}. Die Serie läuft weiter.")
    if kommende:
        msg.line(f"Nächster Termin: {_wann(*kommende[0], termin.ganztaegig, tz)}")
    info = Msg().line(f"🚫 {_wer_handelt(ctx, termin)}: {_kurz(termin)} fällt am {wann} aus.")
    return [msg.reply(), *_an_netzwerk(ctx, termin, info)]


# --- listing and export ------------------------------------------------------------------------


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
        if self.netzwerk is not None:
            return f"von {self.netzwerk.name}"
        if self.region is not None:
            return f"in {self.region.name}"
        return "in allen Regionen"


_MONATSNAMEN = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
)  # fmt: skip
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
                beispiel=f"{_p(ctx)} termine Hamburg nächsten Monat",
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
    p = _p(ctx)
    jetzt, regeln = ctx.now(), ctx.dienste.termine
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
    u = _umfeld(ctx)
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
    p = _p(ctx)
    jetzt, tz, regeln = ctx.now(), ctx.dienste.tz, ctx.dienste.termine
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
    eintraege = []
    for t in termine:
        laufend = ctx.uow.termine.vorkommen_von(t.id, jetzt)
        eintraege.append(
            KalenderTermin(
                id=t.id,
                titel=t.titel,
                art=t.art.text,
                start=t.start,
                ende=t.ende,
                ganztaegig=t.ganztaegig,
                zeitzone=t.zeitzone,
                erstellt=t.erstellt,
                geaendert=t.geaendert,
                sequenz=t.sequenz,
                rrule=t.rrule,
                ausnahmen=tuple(x.tag for x in t.ausnahmen),
                ort=t.ort,
                region=t.region.name,
                netzwerk=t.netzwerk.name if t.netzwerk is not None else "",
                abgesagt=t.abgesagt is not None,
                ueberschneidung=any(r.kollision for r in laufend),
            )
        )
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


def _listenzeile(row: TerminVorkommen, u: _Umfeld) -> tuple[Part, ...]:
    t = row.termin
    teile: list[Part] = [
        _wann(row.start, row.ende, t.ganztaegig, u.tz),
        " – ",
        B(f"„{t.titel}“"),
        f" (Nr. {t.id}, {t.art.text}) – {_netzwerk_name(t)} – {t.region.name}",
    ]
    if t.ort:
        teile.append(f" – {t.ort}")
    if row.kollision:
        teile.append(" ⚠ Überschneidung")
    for f in u.feiertage(t.region_id, row.start, row.ende):
        teile.append(f" ⚑ {f}")
    return tuple(teile)


# --- Parallelansprachen ----------------------------------------------------------------------


@familie.befehl(
    "ansprache <institution> [–|-|— <person>]",
    hilfe="Festhalten, dass Ihr Netzwerk eine Institution (und Person) anspricht – mit Warnung "
    "bei Parallelansprachen",
    rolle=Rolle.NETZWERK,
    details=(
        "Im Raum des Netzwerks. Spricht ein anderes Netzwerk derselben, einer umfassenden oder "
        f"einer enthaltenen Region dieselbe Institution oder Person innerhalb von {FENSTER.days} "
        "Tagen an (auch über eine Kontaktanfrage an die Geschäftsstelle), warnt der Bot und "
        "benachrichtigt den Raum des anderen Netzwerks."
    ),
    beispiele=("ansprache Handwerkskammer Hamburg", "ansprache IHK – Erika Musterfrau"),
)
def ansprache(ctx: Kontext, institution: str, person: str | None) -> list[Reply]:
    p = _p(ctx)
    netzwerk_id = ctx.akteur.raum_netzwerk_id
    netzwerk = ctx.uow.netzwerke.get(netzwerk_id) if netzwerk_id is not None else None
    if netzwerk is None:
        raise UsageError(
            "Eine Ansprache hält die Koordination eines Netzwerks in dessen Raum fest; dieser "
            f"Raum ist mit keinem Netzwerk verknüpft. Zuerst verknüpfen: „{p} raum <Netzwerk>“.",
            usage=f"{p} raum <Netzwerk>",
            beispiel=f"{p} raum Hamburg",
        )
    jetzt, tz = ctx.now(), ctx.dienste.tz
    erfasst = ansprachen.festhalten(
        ctx.uow,
        ctx.akteur,
        ctx.dienste.rollen,
        netzwerk,
        institution=institution,
        person=person or "",
        jetzt=jetzt,
    )
    neu, parallel = erfasst.ansprache, erfasst.parallel
    ziel = neu.institution + (f" ({neu.person})" if neu.person else "")
    msg = Msg().line("Notiert: ", B(netzwerk.name), f" spricht {ziel} an ({_datum(jetzt, tz)}).")
    ansprache_warnung(msg, [ansprachen.beschreibung(a) for a in parallel], tz)
    replies = [msg.reply()]
    for a in parallel:
        notiz = hinweis(ansprachen.beschreibung(neu), ansprachen.beschreibung(a), tz).reply()
        replies += [
            notiz.to(r.room_id)
            for r in ctx.uow.raeume.fuer_netzwerk(a.netzwerk_id)
            if r.room_id != ctx.nachricht.room_id
        ]
    return replies
