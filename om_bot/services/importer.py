"""Import and export of the register (regions, networks, partners) as TOML.

The file format is a contract (README, `data/netzwerke.toml`). Import is all-or-nothing and
idempotent: the whole file is validated first, then applied in one unit of work that upserts by
name; a second run changes nothing. An error names the entry and the field
(``netzwerk Nr. 40 („OM-Netzwerk X“), Feld mitglied[2].typ: …``). `export_register` writes the
same format, so exporting and importing again reproduces the register.

What the import shares with the chat (`om_bot.services.register_pflege`): the validated values
(`KontaktDaten`, `MitgliedDaten`, `MAX_NAME` from `om_bot.services.register_daten`), a new
network's row and key (`neues_netzwerk`), and how a partner (folded name) and a contact person
(role and folded name) are found and taken over (`mitglied_uebernehmen`, `kontakt_uebernehmen`);
a file that names one partner or person twice under that rule is refused, as the chat refuses
a second entry. What it does not go through, and why: the use cases check the chat sender's
right, walk the recognition procedure step by step, refuse a second network for a region, a
report dated in the future, and write one audit row per change. The import is the operator's
bulk load from the shell (no Matrix sender, no role to check); it restores the register as the
Geschäftsstelle keeps it – status `anerkannt`, agreed sub-networks, overlaps that the criteria
check reports (❌ `ein_netzwerk_pro_region`, a warning at `status anerkannt`) rather than
refuses, dates as recorded –, so the procedure's steps and the creation rules would make a valid
register unimportable; and it is idempotent and silent, so an unchanged file writes nothing,
not a row per field in every network's `verlauf` ("Seit dem Import hat sich nichts geändert").
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Callable, Hashable, Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, Field, ValidationError, field_validator

from om_bot.domain.matching import fold
from om_bot.domain.netzwerk import Art, Dach, RegionArt, Status
from om_bot.services.orte import gebiete_aufloesen, gebiete_setzen, ort_als_region
from om_bot.services.register_daten import (
    MAX_NAME,
    Eintrag,
    KontaktDaten,
    MatrixId,
    MitgliedDaten,
)
from om_bot.services.register_pflege import (
    kontakt_uebernehmen,
    mitglied_uebernehmen,
    neues_netzwerk,
)
from om_bot.storage.models import (
    Netzwerk,
    Partner,
    Region,
    RegionAlias,
    RegionNachbar,
    RegionTeil,
)
from om_bot.storage.uow import UnitOfWork


class ImportFehler(ValueError):
    """The file cannot be imported; the message names the entry and the field."""


class RegionDaten(Eintrag):
    name: str = Field(min_length=1, max_length=120)
    art: RegionArt = RegionArt.REGION
    teil_von: tuple[str, ...] = ()
    bundesland: str = Field(default="", pattern=r"^([A-Z]{2})?$")
    aliase: tuple[str, ...] = ()
    nachbarn: tuple[str, ...] = ()
    # Units of the place table the region consists of: ids ("kreis:05566") or unambiguous
    # names ("Kreis Steinfurt"), stored and exported as ids (issue 11).
    gebiete: tuple[str, ...] = ()

    @field_validator("gebiete")
    @classmethod
    def _gebiete(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        ids, fehler = gebiete_aufloesen(value)
        if fehler:
            raise ValueError("; ".join(fehler))
        return tuple(sorted(ids))


def _einmal(werte: Sequence[Any], key: Callable[[Any], Hashable], was: str) -> None:
    """Raise unless no two of `werte` have the same `key` (their names for the message)."""
    seen: dict[Hashable, int] = {}
    for index, wert in enumerate(werte, start=1):
        k = key(wert)
        if k in seen:
            raise ValueError(f"Nr. {index} „{wert.name}“ steht schon als Nr. {seen[k]} {was}")
        seen[k] = index


class NetzwerkDaten(Eintrag):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    region: str = Field(min_length=1)
    dach: Dach = Dach.OM
    art: Art = Art.REGIONAL
    thema: str = ""
    status: Status = Status.BEANTRAGT
    stadium: int | None = Field(default=None, ge=1, le=4)
    offen: bool | None = None
    beitragsfrei: bool | None = None
    teilnetz: bool = False
    letzter_bericht: date | None = None
    letzte_selbsterklaerung: date | None = None
    # The application (seed 001): goals and approach, free text.
    ziele: str = ""
    vorgehen: str = ""
    mitglied: tuple[MitgliedDaten, ...] = ()
    kontakt: tuple[KontaktDaten, ...] = ()

    # The chat's rule (`register_pflege.mitglied_uebernehmen`, `kontakt_uebernehmen`): one
    # partner per folded name, one contact person per role and folded name.
    @field_validator("mitglied")
    @classmethod
    def _ein_partner(cls, value: tuple[MitgliedDaten, ...]) -> tuple[MitgliedDaten, ...]:
        _einmal(value, lambda m: fold(m.name), "unter den Partnern")
        return value

    @field_validator("kontakt")
    @classmethod
    def _eine_person(cls, value: tuple[KontaktDaten, ...]) -> tuple[KontaktDaten, ...]:
        _einmal(value, lambda k: (k.rolle, fold(k.name)), "in dieser Rolle")
        return value


class PartnerDaten(Eintrag):
    kurz: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=MAX_NAME)
    nationaler_kontakt: MatrixId = ""
    nationaler_kontakt_name: str = ""


class RegisterDatei(Eintrag):
    region: tuple[RegionDaten, ...] = ()
    netzwerk: tuple[NetzwerkDaten, ...] = ()
    partner: tuple[PartnerDaten, ...] = ()

    @field_validator("netzwerk")
    @classmethod
    def _unique(cls, value: tuple[NetzwerkDaten, ...]) -> tuple[NetzwerkDaten, ...]:
        seen: dict[str, int] = {}
        for index, netzwerk in enumerate(value, start=1):
            key = fold(netzwerk.name)
            if key in seen:
                raise ValueError(
                    f"Nr. {index} „{netzwerk.name}“ steht schon als Nr. {seen[key]} in der Datei"
                )
            seen[key] = index
        return value


def _where(data: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """'netzwerk Nr. 40 („Name“), Feld mitglied[2].typ' for a pydantic error location."""
    if len(loc) >= 2 and isinstance(loc[1], int):
        kind, index = str(loc[0]), loc[1]
        try:
            name = data[kind][index].get("kurz") or data[kind][index].get("name") or ""
        except (KeyError, IndexError, AttributeError):
            name = ""
        field = ""
        for part in loc[2:]:
            field += f"[{part + 1}]" if isinstance(part, int) else f".{part}"
        label = f"{kind} Nr. {index + 1}" + (f" („{name}“)" if name else "")
        return label + (f", Feld {field.lstrip('.')}" if field else "")
    return ".".join(str(p) for p in loc)


def lies(text: str, quelle: str = "Datei") -> RegisterDatei:
    """Parse and validate an import file's text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ImportFehler(f"{quelle} ist kein gültiges TOML: {exc}") from None
    try:
        return RegisterDatei.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{_where(data, tuple(e['loc']))}: {str(e['msg']).removeprefix('Value error, ')}"
            for e in exc.errors()
        ]
        raise ImportFehler(f"{quelle}: " + "\n  ".join(lines)) from None


def eingebaute_regionen() -> RegisterDatei:
    """The region table shipped with om-bot (Bundesländer and the regions the seeds name)."""
    text = resources.files("om_bot").joinpath("data/regionen.toml").read_text(encoding="utf-8")
    return lies(text, "regionen.toml")


class _Anwender:
    """Applies a validated file to the database inside one unit of work."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.regionen: dict[str, Region] = {r.schluessel: r for r in uow.regionen.alle()}
        for region in list(self.regionen.values()):
            for alias in region.aliase:
                self.regionen.setdefault(alias.schluessel, region)

    def region(self, name: str, wo: str) -> Region:
        found = self.regionen.get(fold(name))
        if found is None:
            # Any real place is a region (issue 11): "Oldenburg" becomes one, in Niedersachsen.
            ort = ort_als_region(self.uow, name)
            if isinstance(ort, str):
                raise ImportFehler(
                    f"{wo}: Region „{name}“ ist unbekannt: {ort} (oder als [[region]] anlegen)"
                )
            found = self.regionen.setdefault(fold(name), ort)
            self.regionen.setdefault(ort.schluessel, ort)
        return found

    def regionen_anwenden(self, daten: tuple[RegionDaten, ...]) -> None:
        for d in daten:
            region = self.regionen.get(fold(d.name))
            if region is None:
                region = Region(name=d.name, schluessel=fold(d.name), art=d.art)
                self.uow.regionen.add(region)
                self.regionen[region.schluessel] = region
            region.art = d.art
            region.bundesland = d.bundesland
            gebiete_setzen(region, d.gebiete)
            alias_keys = {fold(a): a for a in d.aliase if fold(a) != region.schluessel}
            region.aliase = [a for a in region.aliase if a.schluessel in alias_keys]
            for key, alias in alias_keys.items():
                if key not in {a.schluessel for a in region.aliase}:
                    region.aliase.append(RegionAlias(name=alias, schluessel=key))
                    self.regionen.setdefault(key, region)
        self.uow.flush()
        for index, d in enumerate(daten, start=1):
            region = self.regionen[fold(d.name)]
            wo = f"region Nr. {index} („{d.name}“)"
            eltern = [self.region(n, wo + ", Feld teil_von") for n in d.teil_von]
            if {e.id for e in eltern} != {t.teil_von_id for t in region.eltern}:
                region.eltern = [RegionTeil(teil_von_id=e.id) for e in eltern]
            nachbarn = [self.region(n, wo + ", Feld nachbarn") for n in d.nachbarn]
            if {n.id for n in nachbarn} != {n.nachbar_id for n in region.nachbarn}:
                region.nachbarn = [RegionNachbar(nachbar_id=n.id) for n in nachbarn]

    def netzwerke_anwenden(self, daten: tuple[NetzwerkDaten, ...]) -> None:
        for index, d in enumerate(daten, start=1):
            wo = f"netzwerk Nr. {index} („{d.name}“)"
            region = self.region(d.region, wo + ", Feld region")
            netzwerk = self.uow.netzwerke.nach_schluessel(fold(d.name))
            if netzwerk is None:
                netzwerk = neues_netzwerk(
                    self.uow,
                    name=d.name,
                    region=region,
                    dach=d.dach,
                    art=d.art,
                    thema=d.thema,
                    status=d.status,
                    teilnetz=d.teilnetz,
                )
            _set(netzwerk, name=d.name, region_id=region.id, dach=d.dach, art=d.art)
            _set(netzwerk, thema=d.thema, status=d.status, stadium=d.stadium, offen=d.offen)
            _set(netzwerk, beitragsfrei=d.beitragsfrei, teilnetz=d.teilnetz)
            _set(netzwerk, letzter_bericht=d.letzter_bericht)
            _set(netzwerk, letzte_selbsterklaerung=d.letzte_selbsterklaerung)
            _set(netzwerk, ziele=d.ziele, vorgehen=d.vorgehen)
            # Rows the file no longer names go; the others are taken over as in the chat,
            # each in the file's spelling.
            partner = {fold(m.name) for m in d.mitglied}
            for weg in [m for m in netzwerk.mitglieder if fold(m.name) not in partner]:
                netzwerk.mitglieder.remove(weg)
            for m in d.mitglied:
                mitglied, _ = mitglied_uebernehmen(netzwerk, m.name, m.typ)
                _set(mitglied, name=m.name)
            personen = {(k.rolle, fold(k.name)) for k in d.kontakt}
            for alt in [k for k in netzwerk.kontakte if (k.rolle, fold(k.name)) not in personen]:
                netzwerk.kontakte.remove(alt)
            for k in d.kontakt:
                kontakt_uebernehmen(netzwerk, k)

    def partner_anwenden(self, daten: tuple[PartnerDaten, ...]) -> None:
        for d in daten:
            partner = self.uow.partner.nach_kurz(d.kurz)
            if partner is None:
                partner = Partner(kurz=d.kurz)
                self.uow.partner.add(partner)
            _set(partner, **d.model_dump())


def _set(row: Any, **values: Any) -> None:
    # Only assign what differs, so an unchanged import leaves the session clean.
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)


def importiere(uow_factory: Callable[[], UnitOfWork], datei: RegisterDatei) -> dict[str, int]:
    """Apply the built-in regions and `datei` in one transaction; counts of what the file held."""
    with uow_factory() as uow:
        anwender = _Anwender(uow)
        anwender.regionen_anwenden(eingebaute_regionen().region)
        anwender.regionen_anwenden(datei.region)
        anwender.netzwerke_anwenden(datei.netzwerk)
        anwender.partner_anwenden(datei.partner)
        uow.commit()
    return {
        "regionen": len(datei.region),
        "netzwerke": len(datei.netzwerk),
        "partner": len(datei.partner),
    }


def importiere_datei(uow_factory: Callable[[], UnitOfWork], path: Path) -> dict[str, int]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ImportFehler(f"{path} kann nicht gelesen werden: {exc.strerror}") from None
    return importiere(uow_factory, lies(text, str(path)))


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _eintrag(daten: BaseModel, *immer: str) -> dict[str, Any]:
    """`daten` as a file entry: fields in model order, defaults left out except `immer`.

    Dumping the very models the import validates with keeps the two directions in step: a new
    field of the import format is exported without touching this function.
    """
    werte = daten.model_dump(exclude_defaults=True, exclude_none=True)
    return {
        name: _plain(werte[name] if name in werte else getattr(daten, name))
        for name in type(daten).model_fields
        if name in werte or name in immer
    }


def _region_daten(region: Region, namen: dict[int, str], eltern: list[str]) -> RegionDaten:
    return RegionDaten(
        name=region.name,
        art=region.art,
        teil_von=tuple(sorted(eltern)),
        bundesland=region.bundesland,
        aliase=tuple(a.name for a in region.aliase),
        nachbarn=tuple(sorted(namen[n.nachbar_id] for n in region.nachbarn)),
        gebiete=tuple(sorted(g.gebiet_id for g in region.gebiete)),
    )


def _netzwerk_daten(n: Netzwerk) -> NetzwerkDaten:
    return NetzwerkDaten(
        name=n.name,
        region=n.region.name,
        dach=n.dach,
        art=n.art,
        thema=n.thema,
        status=n.status,
        stadium=n.stadium,
        offen=n.offen,
        beitragsfrei=n.beitragsfrei,
        teilnetz=n.teilnetz,
        letzter_bericht=n.letzter_bericht,
        letzte_selbsterklaerung=n.letzte_selbsterklaerung,
        ziele=n.ziele,
        vorgehen=n.vorgehen,
        mitglied=tuple(MitgliedDaten(name=m.name, typ=m.typ) for m in n.mitglieder),
        kontakt=tuple(
            KontaktDaten(
                rolle=k.rolle,
                name=k.name,
                organisation=k.organisation,
                email=k.email,
                matrix=k.matrix,
                oeffentlich=k.oeffentlich,
            )
            for k in n.kontakte
        ),
    )


def export_register(uow_factory: Callable[[], UnitOfWork], nur_eigene_regionen: bool = True) -> str:
    """The register in the import format; importing it into an empty database and exporting
    again gives the same text. Built-in regions are left out unless changed."""
    eingebaut = {
        fold(r.name): r.model_copy(
            update={"teil_von": tuple(sorted(r.teil_von)), "nachbarn": tuple(sorted(r.nachbarn))}
        )
        for r in eingebaute_regionen().region
    }
    out: dict[str, list[dict[str, Any]]] = {"region": [], "netzwerk": [], "partner": []}
    with uow_factory() as uow:
        regionen = uow.regionen.alle()
        namen = {r.id: r.name for r in regionen}
        eltern: dict[int, list[str]] = {}
        for child, parent in uow.regionen.kanten():
            eltern.setdefault(child, []).append(namen[parent])
        for r in regionen:
            daten = _region_daten(r, namen, eltern.get(r.id, []))
            if nur_eigene_regionen and eingebaut.get(r.schluessel) == daten:
                continue
            out["region"].append(_eintrag(daten, "name", "art", "teil_von"))
        for n in uow.netzwerke.alle():
            out["netzwerk"].append(
                _eintrag(_netzwerk_daten(n), "name", "region", "dach", "art", "status")
            )
        for p in uow.partner.alle():
            partner = PartnerDaten(
                kurz=p.kurz,
                name=p.name,
                nationaler_kontakt=p.nationaler_kontakt,
                nationaler_kontakt_name=p.nationaler_kontakt_name,
            )
            out["partner"].append(_eintrag(partner, "kurz", "name"))
    return tomli_w.dumps({k: v for k, v in out.items() if v})
