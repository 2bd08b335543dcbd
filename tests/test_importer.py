"""Import of the register: idempotent, all-or-nothing, errors that name entry and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from om_bot.chat.registry import UsageError
from om_bot.services.importer import ImportFehler, importiere, importiere_datei, lies
from om_bot.services.register import finde_netzwerk, finde_region, netzwerke_in
from om_bot.storage.uow import UnitOfWork
from tests.conftest import SAMPLE_DATA


def _snapshot(uow: Callable[[], UnitOfWork]) -> list[tuple[object, ...]]:
    with uow() as u:
        return [
            (
                n.name,
                n.region.name,
                n.status,
                tuple((m.name, m.typ) for m in n.mitglieder),
                tuple((k.rolle, k.name, k.email) for k in n.kontakte),
            )
            for n in u.netzwerke.alle()
        ] + [(p.kurz, p.name, p.nationaler_kontakt) for p in u.partner.alle()]


def test_sample_import_is_idempotent(uow: Callable[[], UnitOfWork]) -> None:
    importiere_datei(uow, SAMPLE_DATA)
    first = _snapshot(uow)
    importiere_datei(uow, SAMPLE_DATA)
    assert _snapshot(uow) == first
    assert len([row for row in first if len(row) == 5]) >= 12


def test_an_error_in_a_late_row_changes_nothing(uow: Callable[[], UnitOfWork]) -> None:
    text = SAMPLE_DATA.read_text(encoding="utf-8")
    broken = text + '\n[[netzwerk]]\nname = "Kaputt"\nregion = "Atlantis"\n'
    with pytest.raises(ImportFehler) as error:
        importiere(uow, lies(broken))
    assert "netzwerk Nr. 19 („Kaputt“), Feld region" in str(error.value)
    assert "Atlantis" in str(error.value)
    assert _snapshot(uow) == []


def test_validation_errors_name_entry_and_field() -> None:
    text = """
[[netzwerk]]
name = "A"
region = "Hamburg"
  [[netzwerk.mitglied]]
  name = "X"
  typ = "intermediaer"
  [[netzwerk.mitglied]]
  name = "Y"
  typ = "verein"
"""
    with pytest.raises(ImportFehler) as error:
        lies(text)
    assert "netzwerk Nr. 1 („A“), Feld mitglied[2].typ" in str(error.value)


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ('[[netzwerk]]\nname = "A"\nregion = "Hamburg"\ndach = "XYZ"\n', "Feld dach"),
        ('[[netzwerk]]\nname = "A"\nregion = "Hamburg"\nstadium = 5\n', "Feld stadium"),
        ('[[netzwerk]]\nname = "A"\nregion = "Hamburg"\nfarbe = "rot"\n', "Feld farbe"),
        (
            '[[partner]]\nkurz = "IHK"\nname = "x"\nnationaler_kontakt = "ihk"\n',
            "partner Nr. 1 („IHK“), Feld nationaler_kontakt",
        ),
        (
            '[[netzwerk]]\nname = "A"\nregion = "H"\n[[netzwerk]]\nname = "a"\nregion = "H"\n',
            "steht schon",
        ),
        ("[[netzwerk]\n", "kein gültiges TOML"),
        (
            '[[partner]]\nkurz = "IHK"\nname = "x"\nnationaler_kontakt = "ihk"\n',
            "„ihk“ ist keine Matrix-ID",
        ),
    ],
)
def test_bad_files(snippet: str, message: str) -> None:
    with pytest.raises(ImportFehler) as error:
        lies(snippet)
    assert message in str(error.value)


def test_unreadable_file(uow: Callable[[], UnitOfWork], tmp_path: Path) -> None:
    with pytest.raises(ImportFehler, match="kann nicht gelesen werden"):
        importiere_datei(uow, tmp_path / "fehlt.toml")


def test_custom_regions_extend_the_table(uow: Callable[[], UnitOfWork]) -> None:
    text = """
[[region]]
name = "Emsland"
art = "region"
teil_von = ["Niedersachsen"]
bundesland = "NI"
aliase = ["Landkreis Emsland"]

[[netzwerk]]
name = "OM-Netzwerk Emsland"
region = "Emsland"
"""
    importiere(uow, lies(text))
    with uow() as u:
        assert finde_region(u, "landkreis emsland").name == "Emsland"
        namen = [n.name for n in netzwerke_in(u, finde_region(u, "Niedersachsen"))]
        assert namen == ["OM-Netzwerk Emsland"]


def test_lookups_fold_and_suggest(sample_uow: Callable[[], UnitOfWork]) -> None:
    with sample_uow() as u:
        assert finde_region(u, "muenchen").name == "München"
        bayern = {n.name for n in netzwerke_in(u, finde_region(u, "Bayern"))}
        assert "OM-Netzwerk München" in bayern and "OM-Netzwerk Hamburg" not in bayern
        # "München" has an OM and a DDN network: the OM one is meant.
        assert finde_netzwerk(u, "München").name == "OM-Netzwerk München"
        assert finde_netzwerk(u, "DDN-Netzwerk München").name == "DDN-Netzwerk München"
        with pytest.raises(UsageError, match="Meinten Sie „Hamburg“"):
            finde_region(u, "Hamberg")
        with pytest.raises(UsageError, match="kenne ich nicht"):
            finde_netzwerk(u, "Atlantis")
