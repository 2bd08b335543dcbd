"""The configured limits as a value (`[grenzen]`): what `om_bot.services.limits` enforces."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Grenzwerte:
    """The configured limits (`[grenzen]`); 0 switches one off."""

    schreiben_je_minute: int = 20
    schreiben_je_tag: int = 200
    kontakt_je_stunde: int = 10
    offene_anfragen_je_netzwerk: int = 5
    verweigert_protokoll_je_stunde: int = 10

    @classmethod
    def keine(cls) -> Grenzwerte:
        """No limits at all (the router's default for tests that are not about limits)."""
        return cls(0, 0, 0, 0, 0)
