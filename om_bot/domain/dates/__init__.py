"""German date and time phrases (a package; the parts are being split out of `grammar`)."""

from om_bot.domain.dates.grammar import (
    MAX_LAENGE,
    MAX_PHRASE,
    STANDARD_BEISPIEL,
    DatumFehler,
    Zeitraum,
    beschreibe_rrule,
    datum_text,
    find_when,
    format_zeitraum,
    parse_dauer,
    parse_when,
)

__all__ = [
    "MAX_LAENGE",
    "MAX_PHRASE",
    "STANDARD_BEISPIEL",
    "DatumFehler",
    "Zeitraum",
    "beschreibe_rrule",
    "datum_text",
    "find_when",
    "format_zeitraum",
    "parse_dauer",
    "parse_when",
]
