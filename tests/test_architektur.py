"""The architecture is checked, not only described: the import-linter contracts hold, and the
picture in docs/architektur.md is the contract's layer list (so neither can drift)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(config["tool"]["importlinter"]["contracts"])


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_picture_in_the_docs_is_the_contract() -> None:
    [layers] = [c["layers"] for c in _contracts() if c["type"] == "layers"]
    assert isinstance(layers, list)
    doc = (ROOT / "docs" / "architektur.md").read_text()
    start = doc.index("<!-- layers -->")
    end = doc.index("<!-- /layers -->")
    picture = []
    for line in doc[start:end].splitlines():
        words = line.split()
        if words and words[0].startswith("om_bot"):
            # The layer's modules (siblings joined by "|"); the rest of the line describes it.
            layer = [words[0]]
            while len(words) > len(layer) + 1 and words[len(layer)] == "|":
                layer += words[len(layer) : len(layer) + 2]
            picture.append(" ".join(layer))
    assert picture == [" ".join(layer.split()) for layer in layers]
