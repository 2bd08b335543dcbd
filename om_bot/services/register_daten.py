"""The register's values as validated data: what the import file and the chat commands check.

A partner (`MitgliedDaten`) and a contact person (`KontaktDaten`) are checked by the same
models whether they come from a `[[netzwerk]]` of the import file (`om_bot.services.importer`)
or from `netzwerk … kontakt …` in the chat (`om_bot.services.register_pflege`): Matrix ids and
e-mail addresses have one format, names one maximum length (`MAX_NAME`, the column's).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from om_bot.domain.netzwerk import KontaktRolle, MitgliedTyp

# The longest name of a network, a partner, a contact person or a topic (`String(200)`).
MAX_NAME = 200

_MATRIX_ID = re.compile(r"^@[^\s:]+:[A-Za-z0-9.\-]+(:\d+)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _matrix_id(value: str) -> str:
    if value and not _MATRIX_ID.match(value):
        raise ValueError(f"„{value}“ ist keine Matrix-ID wie „@name:example.org“")
    return value


def _email(value: str) -> str:
    if value and not _EMAIL.match(value):
        raise ValueError(f"„{value}“ ist keine E-Mail-Adresse wie „name@example.org“")
    return value


MatrixId = Annotated[str, AfterValidator(_matrix_id)]
Email = Annotated[str, AfterValidator(_email)]


class Eintrag(BaseModel):
    """An entry of the import format: unknown fields are errors, text is stripped."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class MitgliedDaten(Eintrag):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    typ: MitgliedTyp


class KontaktDaten(Eintrag):
    rolle: KontaktRolle
    name: str = Field(min_length=1, max_length=MAX_NAME)
    organisation: str = ""
    email: Email = ""
    matrix: MatrixId = ""
    oeffentlich: bool = True
