"""The one error for bad input: a German message, the usage line and an example.

Raised by lookups and rules in every layer; the chat router turns it into the German answer
("⚠ …", "So geht’s: …", "Beispiel: …"). Defined here, at the bottom, so services and domain
rules can raise it without knowing the chat framework.
"""

from __future__ import annotations


class UsageError(ValueError):
    """A command was used wrongly: a German message plus the usage line and an example."""

    def __init__(self, meldung: str, usage: str = "", beispiel: str = "") -> None:
        super().__init__(meldung)
        self.meldung = meldung
        self.usage = usage
        self.beispiel = beispiel


# The longest free text a record keeps (an event's title or place, an institution, a person).
MAX_TEXT = 200


def kurz_genug(text: str, was: str, hoechstens: int = MAX_TEXT) -> str:
    """`text` itself if it has at most `hoechstens` characters; otherwise a `UsageError` that
    names `was` („Der Titel ist zu lang (230 Zeichen, höchstens 200). Es wurde nichts
    gespeichert.“)."""
    if len(text) > hoechstens:
        raise UsageError(
            f"{was} ist zu lang ({len(text)} Zeichen, höchstens {hoechstens}). Es wurde nichts "
            "gespeichert."
        )
    return text
