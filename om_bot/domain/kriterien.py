"""The criteria catalogue, the automatic checks of a network and its Umsetzungsstadium.

Plain Python without database or Matrix: the catalogue is data (`om_bot/data/kriterien.toml`,
quoted from the seeds), the checks are functions of a `NetzwerkStand` (a snapshot of one
network) and an `Umfeld` (today's date, the meetings counted this year, the other networks for
the one-network rule), and the stage follows from the check results by `stadium_ableiten`.

The checks never guess: a yes/no fact the register does not hold is ❔ (unbekannt), and so is
the number of meetings as long as nobody counts them (`Umfeld.treffen is None`). The events
feature plugs its count in through `om_bot.services.pruefung.TreffenQuelle`.

The derivation of the stage (seed 003, "Formale Kriterien: Vier Umsetzungsstadien") is a
ladder; each stage needs the one below:

1. otherwise – "wissen wir gar nicht, wie sie die Kriterien erfüllen";
2. Koordination and Moderation are both named – "die Ansprechpartner [sind] aktiv";
3. and the network's work is known (a report to the Plenum in the last 12 months or two
   meetings this year) and at least three intermediary organisations are partners – "aktiv,
   haben intermediäre Organisationen als Partner";
4. and every check is ✅ – "erfüllen alle Anforderungen". A ❔ only passes where the bot has
   no source at all (`OHNE_QUELLE`: meetings before events are recorded).
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from om_bot.domain.dates import datum_text
from om_bot.domain.matching import fold, suggest
from om_bot.domain.netzwerk import Art, Dach, KontaktRolle, MitgliedTyp, Status
from om_bot.domain.regions import ueberlappen

# --- the catalogue --------------------------------------------------------------------------


class _Daten(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Abschnitt(_Daten):
    id: str
    titel: str
    quelle: str
    beschluss: str


class Kriterium(_Daten):
    id: str
    abschnitt: str
    text: str
    stichworte: tuple[str, ...] = ()
    pruefung: str = ""
    pruefbar: str = Field(pattern=r"^(daten|termine|nein)$")


class StadiumText(_Daten):
    nummer: int = Field(ge=1, le=4)
    text: str
    beispiele: tuple[str, ...] = ()


class Katalog(_Daten):
    abschnitt: tuple[Abschnitt, ...]
    kriterium: tuple[Kriterium, ...]
    stadium: tuple[StadiumText, ...]

    def abschnitt_von(self, kriterium: Kriterium) -> Abschnitt:
        return next(a for a in self.abschnitt if a.id == kriterium.abschnitt)

    def kriterien_in(self, abschnitt: Abschnitt) -> list[Kriterium]:
        return [k for k in self.kriterium if k.abschnitt == abschnitt.id]

    def zur_pruefung(self, pruefung: str) -> Kriterium:
        return next(k for k in self.kriterium if k.pruefung == pruefung)

    def stadium_text(self, nummer: int) -> StadiumText:
        return next(s for s in self.stadium if s.nummer == nummer)

    def finde_abschnitt(self, suche: str) -> Abschnitt | None:
        """The section `suche` names: its id, its title, or (4+ letters) the start of its id."""
        key = fold(suche)
        for a in self.abschnitt:
            if key in {fold(a.id), fold(a.titel)}:
                return a
        if len(key) >= 4:
            for a in self.abschnitt:
                if fold(a.id).startswith(key):
                    return a
        return None

    def suche(self, suche: str) -> list[Kriterium]:
        """Criteria matching a keyword, best first: id or keyword, keyword prefix, text."""
        key = fold(suche)
        if not key:
            return []
        wort = re.compile(r"\b" + re.escape(key))
        treffer: list[tuple[int, int, Kriterium]] = []
        for index, k in enumerate(self.kriterium):
            stichworte = [fold(s) for s in k.stichworte]
            if key == fold(k.id) or key in stichworte:
                rang = 0
            elif len(key) >= 4 and any(s.startswith(key) for s in stichworte):
                rang = 1
            elif wort.search(fold(k.text)):
                rang = 2
            else:
                continue
            treffer.append((rang, index, k))
        return [k for _, _, k in sorted(treffer, key=lambda t: (t[0], t[1]))]

    def vorschlaege(self, suche: str) -> list[str]:
        woerter = [s for k in self.kriterium for s in k.stichworte]
        woerter += [a.titel for a in self.abschnitt] + [a.id for a in self.abschnitt]
        return suggest(suche, woerter, cutoff=0.6)


@lru_cache(maxsize=1)
def katalog() -> Katalog:
    """The catalogue shipped with om-bot (read once; it is immutable data)."""
    text = resources.files("om_bot").joinpath("data/kriterien.toml").read_text(encoding="utf-8")
    return Katalog.model_validate(tomllib.loads(text))


# --- what the checks look at -----------------------------------------------------------------


class Ergebnis(enum.StrEnum):
    ERFUELLT = "erfuellt"
    NICHT_ERFUELLT = "nicht_erfuellt"
    UNBEKANNT = "unbekannt"

    @property
    def symbol(self) -> str:
        return {"erfuellt": "✅", "nicht_erfuellt": "❌", "unbekannt": "❔"}[self.value]

    @property
    def text(self) -> str:
        return {"erfuellt": "erfüllt", "nicht_erfuellt": "nicht erfüllt", "unbekannt": "unbekannt"}[
            self.value
        ]


@dataclass(frozen=True)
class MitgliedStand:
    name: str
    typ: MitgliedTyp


@dataclass(frozen=True)
class KontaktStand:
    rolle: KontaktRolle
    name: str
    organisation: str = ""
    oeffentlich: bool = True


@dataclass(frozen=True)
class NetzwerkStand:
    """One network as the checks see it (built from the register by `om_bot.services.pruefung`)."""

    id: int
    name: str
    region_id: int
    region: str
    dach: Dach = Dach.OM
    art: Art = Art.REGIONAL
    thema: str = ""
    status: Status = Status.BEANTRAGT
    offen: bool | None = None
    beitragsfrei: bool | None = None
    teilnetz: bool = False
    letzter_bericht: date | None = None
    letzte_selbsterklaerung: date | None = None
    mitglieder: tuple[MitgliedStand, ...] = ()
    kontakte: tuple[KontaktStand, ...] = ()


@dataclass(frozen=True)
class Umfeld:
    """Everything a check needs besides the network itself."""

    heute: date
    # Meetings of the network in the current calendar year; None: nobody counts them (yet).
    treffen: int | None = None
    # All networks of the register (the network itself may be among them).
    netzwerke: tuple[NetzwerkStand, ...] = ()
    # (region, containing region) pairs, for "lies inside".
    kanten: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Pruefergebnis:
    pruefung: str
    ergebnis: Ergebnis
    begruendung: str

    @property
    def titel(self) -> str:
        return TITEL[self.pruefung]


def jahre_spaeter(d: date, jahre: int) -> date:
    """The same calendar day `jahre` later (29 February becomes 28 February)."""
    try:
        return d.replace(year=d.year + jahre)
    except ValueError:
        return d.replace(year=d.year + jahre, day=28)


def _anzahl(n: int, einzahl: str, mehrzahl: str) -> str:
    return f"{n} {einzahl if n == 1 else mehrzahl}"


def _intermediaere(n: NetzwerkStand) -> list[MitgliedStand]:
    return [m for m in n.mitglieder if m.typ is MitgliedTyp.INTERMEDIAER]


# --- the checks -------------------------------------------------------------------------------


def drei_partner_davon_oeffentlich(n: NetzwerkStand, u: Umfeld) -> Pruefergebnis:
    oeffentlich = [m.name for m in n.mitglieder if m.typ is MitgliedTyp.OEFFENTLICH]
    anzahl = _anzahl(len(n.mitglieder), "Partner", "Partner")
    if len(n.mitglieder) >= 3 and oeffentlich:
        return _ok(
            "drei_partner_davon_oeffentlich",
            f"{anzahl}, öffentliche Institution: {', '.join(oeffentlich)}",
        )
    fehlt = []
    if len(n.mitglieder) < 3:
        fehlt.append(f"nur {anzahl} eingetragen")
    if not oeffentlich:
        fehlt.append("keine öffentliche Institution")
    return _nein("drei_partner_davon_oeffentlich", "; ".join(fehlt))


def drei_intermediaere(n: NetzwerkStand, u: Umfeld) -> Pruefergebnis:
    namen = [m.name for m in _intermediaere(n)]
    liste = f": {', '.join(namen)}" if namen else ""
    text = _anzahl(len(namen), "intermediäre Organisation", "intermediäre Organisationen") + liste
    if len(namen) >= 3:
        return _ok("drei_intermediaere", text)
    return _nein(
        "drei_intermediaere", f"nur {text}" if namen else "keine intermediäre Organisation"
    )


def zwei_ansprechpartner_einer_intermediaer(n: NetzwerkStand, u: Umfeld) -> Pruefergebnis:
    pid = "zwei_ansprechpartner_einer_intermediaer"
    fehlend = [r.value for r in KontaktRolle if r not in {k.rolle for k in n.kontakte}]
    if fehlend:
        return _nein(pid, "nicht benannt: " + " und ".join(fehlend))
    intermediaer = {fold(m.name) for m in _intermediaere(n)}
    aus_intermediaer = [k for k in n.kontakte if fold(k.organisation) in intermediaer]
    genannt = [k for k in aus_intermediaer if k.oeffentlich]
    if genannt:
        k = genannt[0]
        return _ok(pid, f"Koordination und Moderation benannt; {k.rolle.value}: {k.organisation}")
    if aus_intermediaer:
        # Seed 003, stage 3: the intermediary does not want to be named (not public here).
        return _nein(
            pid,
            "die Ansprechperson aus einer intermediären Organisation möchte nicht genannt werden",
        )
    return _nein(pid, "keine Ansprechperson gehört einer intermediären Organisation an")


def ansprechpartner_benannt(n: NetzwerkStand, u: Umfeld) -> Pruefergebnis:
    if not n.kontakte:
        return _nein("ansprechpartner_benannt", "keine Ansprechperson eingetragen")
    oeffentlich = sum(1 for k in n.kontakte if k.oeffentlich)
    text = _anzahl(len(n.kontakte), "Ansprechperson", "Ansprechpersonen")
    if oeffentlich < len(n.kontakte):
        text += f", davon {oeffentlich} öffentlich"
    return _ok("ansprechpartner_benannt", text)


def offen_beitragsfrei(n: NetzwerkStand, u: Umfeld) -> Pruefergebnis:
    pid = "offen_beitragsfrei"
    if n.offen is False or n.beitragsfrei is False:
        gruende = []
        if n.offen is False:
            gruende.append("nicht für alle Partner offen")
        if n.beitragsfrei is False:
            gruende.append("erhebt Mitgliedsbeiträge")
        return _nein(pid, " und ".join(gruende))
    if n.offen is None or n.beitragsfrei is None:
        fehlt = [w for w, v in (("offen", n.offen), ("beitragsfrei", n.beitragsfrei)) if v is None]
        return _unbekannt(
            pid, "im Register fehlt die Angabe " + " und ".join(f"„{w}“" for w in fehlt)
        )
    return _ok(pid, "offen für alle Partner, keine Mitgliedsbeiträge")


def zwei_treffen_pro_jahr(n: NetzwerkStand, u: Umfeld) -> Pruefergebnis:
    pid = "zwei_treffen_pro_jahr"
    if u.treffen is None:
        return _unbekannt(pid, "noch keine Termine des Netzwerks eingetragen")
    text = f"{_anzahl(u.treffen, 'Treffen', 'Treffen')} im Jahr {u.heute.year} eingetragen"
    return _ok(pid, text) if u.treffen >= 2 else _nein(pid, text)


def bericht_plenum_jaehrlich(n: NetzwerkStand, u: Umfeld) -> Pruefergebnis:
    pid = "bericht_plenum_jaehrlich"
    d = n.letzter_bericht
    if d is None:
        return _nein(pid, "kein Bericht an das Plenum eingetragen")
    if d > u.heute:
        return _unbekannt(pid, f"das eingetragene Datum {datum_text(d)} liegt in der Zukunft")
    faellig = jahre_spaeter(d, 1)
    if u.heute <= faellig:
        return _ok(
            pid, f"letzter Bericht am {datum_text(d)}, nächster fällig bis {datum_text(faellig)}"
        )
    return _nein(pid, f"letzter Bericht am {datum_text(d)}, war fällig bis {datum_text(faellig)}")


def selbsterklaerung_zwei_jahre(n: NetzwerkStand, u: Umfeld) -> Pruefergebnis:
    pid = "selbsterklaerung_zwei_jahre"
    d = n.letzte_selbsterklaerung
    if d is None:
        return _nein(pid, "keine Selbsterklärung eingetragen")
    if d > u.heute:
        return _unbekannt(pid, f"das eingetragene Datum {datum_text(d)} liegt in der Zukunft")
    ablauf = jahre_spaeter(d, 2)
    if u.heute < ablauf:
        return _ok(pid, f"Selbsterklärung vom {datum_text(d)}, gilt bis {datum_text(ablauf)}")
    return _nein(pid, f"Selbsterklärung vom {datum_text(d)}, abgelaufen am {datum_text(ablauf)}")


def ueberschneidungen(
    n: NetzwerkStand, andere: Sequence[NetzwerkStand], kanten: Sequence[tuple[int, int]]
) -> list[NetzwerkStand]:
    """Networks of the same umbrella and kind for the same region/topic as `n`.

    Regional networks overlap when one region lies inside the other (or they are the same);
    Fachgruppen when their topics are the same. Revoked networks and `n` itself never count.
    """
    treffer = []
    for o in andere:
        if o.id == n.id or o.status is Status.ENTZOGEN or (o.dach, o.art) != (n.dach, n.art):
            continue
        if n.art is Art.FACHGRUPPE:
            gleich = fold(o.thema) == fold(n.thema)
        else:
            gleich = ueberlappen(o.region_id, n.region_id, kanten)
        if gleich:
            treffer.append(o)
    return treffer


def konflikte(
    n: NetzwerkStand, andere: Sequence[NetzwerkStand], kanten: Sequence[tuple[int, int]]
) -> list[NetzwerkStand]:
    """Overlapping networks that break the one-network rule: neither side is an agreed
    sub-network (`teilnetz`, seed 001: "Im Konsens und in Abstimmung …")."""
    if n.teilnetz:
        return []
    return [o for o in ueberschneidungen(n, andere, kanten) if not o.teilnetz]


def _gebiet(n: NetzwerkStand) -> str:
    return f"zum Thema „{n.thema}“" if n.art is Art.FACHGRUPPE else f"in {n.region}"


def ein_netzwerk_pro_region(n: NetzwerkStand, u: Umfeld) -> Pruefergebnis:
    pid = "ein_netzwerk_pro_region"
    neben = ueberschneidungen(n, u.netzwerke, u.kanten)
    streit = konflikte(n, u.netzwerke, u.kanten)
    if streit:
        namen = ", ".join(f"{o.name} ({o.region})" for o in streit)
        return _nein(pid, f"überschneidet sich mit {namen}; keines ist als Teilnetz vereinbart")
    if neben:
        namen = ", ".join(o.name for o in neben)
        return _ok(pid, f"im Konsens vereinbartes Teilnetz neben {namen}")
    art = "Fachgruppe" if n.art is Art.FACHGRUPPE else "Netzwerk"
    return _ok(pid, f"kein anderes {n.dach.value}-{art} {_gebiet(n)}")


def _ok(pruefung: str, text: str) -> Pruefergebnis:
    return Pruefergebnis(pruefung, Ergebnis.ERFUELLT, text)


def _nein(pruefung: str, text: str) -> Pruefergebnis:
    return Pruefergebnis(pruefung, Ergebnis.NICHT_ERFUELLT, text)


def _unbekannt(pruefung: str, text: str) -> Pruefergebnis:
    return Pruefergebnis(pruefung, Ergebnis.UNBEKANNT, text)


Pruefung = Callable[[NetzwerkStand, Umfeld], Pruefergebnis]

# In the order `/om prüfen` lists them; keys are the `pruefung` ids of kriterien.toml.
PRUEFUNGEN: dict[str, Pruefung] = {
    "drei_partner_davon_oeffentlich": drei_partner_davon_oeffentlich,
    "drei_intermediaere": drei_intermediaere,
    "zwei_ansprechpartner_einer_intermediaer": zwei_ansprechpartner_einer_intermediaer,
    "ansprechpartner_benannt": ansprechpartner_benannt,
    "offen_beitragsfrei": offen_beitragsfrei,
    "zwei_treffen_pro_jahr": zwei_treffen_pro_jahr,
    "bericht_plenum_jaehrlich": bericht_plenum_jaehrlich,
    "selbsterklaerung_zwei_jahre": selbsterklaerung_zwei_jahre,
    "ein_netzwerk_pro_region": ein_netzwerk_pro_region,
}

TITEL = {
    "drei_partner_davon_oeffentlich": "Mindestens drei Partner, davon eine öffentliche Institution",
    "drei_intermediaere": "Mindestens drei intermediäre Organisationen",
    "zwei_ansprechpartner_einer_intermediaer": (
        "Zwei Ansprechpartner (Koordination, Moderation), einer aus einer intermediären "
        "Organisation"
    ),
    "ansprechpartner_benannt": "Ansprechpartner benannt",
    "offen_beitragsfrei": "Offen für alle Partner, keine Mitgliedsbeiträge",
    "zwei_treffen_pro_jahr": "Tagt mindestens zweimal im Jahr",
    "bericht_plenum_jaehrlich": "Bericht an das Plenum in den letzten 12 Monaten",
    "selbsterklaerung_zwei_jahre": "Selbsterklärung jünger als zwei Jahre",
    "ein_netzwerk_pro_region": "Einziges Netzwerk seiner Region bzw. seines Themas",
}

# Checks whose ❔ means "the bot has no source for this", not "the register lacks an entry".
OHNE_QUELLE = frozenset({"zwei_treffen_pro_jahr"})


def pruefe(n: NetzwerkStand, u: Umfeld) -> list[Pruefergebnis]:
    return [pruefung(n, u) for pruefung in PRUEFUNGEN.values()]


# --- the stage ------------------------------------------------------------------------------

# What a network lacks for the next stage besides failed checks (see `Stadium.fehlt`).
ROLLEN_BENANNT = "rollen_benannt"
AKTIV = "aktiv"


@dataclass(frozen=True)
class Stadium:
    nummer: int
    erklaerung: str
    # What is missing for the next stage: `ROLLEN_BENANNT`, `AKTIV` or check ids; () at 4.
    fehlt: tuple[str, ...]


def stadium_ableiten(ergebnisse: Mapping[str, Ergebnis], *, rollen_benannt: bool) -> Stadium:
    """The Umsetzungsstadium (seed 003) from the check results; see the module docstring."""
    if not rollen_benannt:
        return Stadium(
            1,
            "Koordination und Moderation sind nicht beide benannt – wie das Netzwerk die "
            "Kriterien erfüllt, wissen wir nicht.",
            (ROLLEN_BENANNT,),
        )
    aktiv = Ergebnis.ERFUELLT in (
        ergebnisse.get("bericht_plenum_jaehrlich"),
        ergebnisse.get("zwei_treffen_pro_jahr"),
    )
    intermediaer = ergebnisse.get("drei_intermediaere") is Ergebnis.ERFUELLT
    if not (aktiv and intermediaer):
        fehlt = ((AKTIV,) if not aktiv else ()) + (
            ("drei_intermediaere",) if not intermediaer else ()
        )
        gruende = []
        if not aktiv:
            gruende.append(
                "die Netzwerkarbeit kennen wir nicht (kein Bericht an das Plenum in den letzten "
                "12 Monaten, keine zwei Treffen im Jahr)"
            )
        if not intermediaer:
            gruende.append("weniger als drei intermediäre Organisationen sind Partner")
        return Stadium(
            2,
            "Koordination und Moderation sind benannt, aber " + " und ".join(gruende) + ".",
            fehlt,
        )
    offen = tuple(
        pid
        for pid, ergebnis in ergebnisse.items()
        if ergebnis is Ergebnis.NICHT_ERFUELLT
        or (ergebnis is Ergebnis.UNBEKANNT and pid not in OHNE_QUELLE)
    )
    if offen:
        titel = "; ".join(TITEL.get(pid, pid) for pid in offen)
        return Stadium(
            3,
            "Aktiv und mit mindestens drei intermediären Organisationen, aber noch nicht "
            f"erfüllt: {titel}.",
            offen,
        )
    ohne = [pid for pid, e in ergebnisse.items() if e is Ergebnis.UNBEKANNT]
    zusatz = (
        " (Ohne Daten, daher nicht bewertet: " + "; ".join(TITEL.get(p, p) for p in ohne) + ".)"
        if ohne
        else ""
    )
    return Stadium(4, "Alle prüfbaren Kriterien sind erfüllt." + zusatz, ())


@dataclass(frozen=True)
class Bewertung:
    ergebnisse: tuple[Pruefergebnis, ...]
    stadium: Stadium


def bewerte(n: NetzwerkStand, u: Umfeld) -> Bewertung:
    """All checks of `n` and the stage that follows from them."""
    ergebnisse = tuple(pruefe(n, u))
    rollen = {k.rolle for k in n.kontakte} >= set(KontaktRolle)
    stadium = stadium_ableiten({e.pruefung: e.ergebnis for e in ergebnisse}, rollen_benannt=rollen)
    return Bewertung(ergebnisse, stadium)
