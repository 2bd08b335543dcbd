"""Places (issue 11) against the real Synapse: a postcode, an ambiguous name asked back, a place
without a network answered with the nearest ones, and `region <Ort>`."""

from __future__ import annotations

import pytest

from tests.conftest import ask, room_with_bot

pytestmark = pytest.mark.matrix


async def test_networks_for_places_through_the_homeserver(make_bot, chat) -> None:
    bot = await make_bot()
    alice = await chat("alice")
    room = await room_with_bot(alice, bot)

    plz = await ask(alice, room, "!om netzwerke 21073")
    assert plz.sender == bot.user_id
    assert "Netzwerke für PLZ 21073 (Hamburg)" in plz.body
    assert "OM-Netzwerk Hamburg" in plz.body
    assert "Region Hamburg = Land Hamburg" in plz.body
    assert "<li><b>OM-Netzwerk Hamburg</b>" in plz.formatted_body

    harburg = await ask(alice, room, "!om netzwerke Harburg")
    assert "„Harburg“ ist mehrdeutig" in harburg.body
    for befehl in ("Landkreis Harburg", "Hamburg-Harburg", "Harburg (Schwaben)"):
        assert f"!om netzwerke {befehl}" in harburg.body
    assert "<code>!om netzwerke Landkreis Harburg</code>" in harburg.formatted_body

    kiel = await ask(alice, room, "!om netzwerke Kiel")
    assert "Für Kiel ist kein Netzwerk eingetragen" in kiel.body
    assert "OM-Netzwerk Lübeck-West-Mecklenburg, ca. 60 km" in kiel.body
    assert "Köln" not in kiel.body

    region = await ask(alice, room, "!om region Kreis Steinfurt")
    assert "Land: Nordrhein-Westfalen" in region.body
    assert "Region Münsterland umfasst Kreis Steinfurt" in region.body

    # Known regions keep their answer.
    hamburg = await ask(alice, room, "!om netzwerke Hamburg")
    assert "Netzwerke in Hamburg (3)" in hamburg.body
