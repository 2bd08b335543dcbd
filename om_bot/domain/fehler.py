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
