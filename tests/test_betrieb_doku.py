"""docs/betrieb.md names every metric `/metrics` serves, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from om_bot.app.metriken import Metriken

BETRIEB = Path(__file__).resolve().parent.parent / "docs" / "betrieb.md"


def test_the_metrics_table_lists_exactly_the_served_metrics() -> None:
    text = BETRIEB.read_text(encoding="utf-8")
    abschnitt = text.split("## Metriken", 1)[1].split("\n## ", 1)[0]
    dokumentiert = set(re.findall(r"^\| `(om_bot_[a-z_]+)` \|", abschnitt, re.MULTILINE))
    geliefert = {
        f"{familie.name}_total" if familie.type == "counter" else familie.name
        for familie in Metriken().registry.collect()
    }
    assert dokumentiert == geliefert
