"""The register's value types: umbrella, kind, recognition status, member and contact roles.

Enums of the network register (seed 001, seed 003), stored by value by `om_bot.storage.models`;
defined here so the pure rules (`anerkennung`, `kriterien`) need no database.
"""

from __future__ import annotations

import enum


class Dach(enum.StrEnum):
    OM = "OM"
    DDN = "DDN"
    OGB = "OGB"


class Art(enum.StrEnum):
    REGIONAL = "regional"
    FACHGRUPPE = "fachgruppe"


class Status(enum.StrEnum):
    BEANTRAGT = "beantragt"
    LEITUNGSKREIS = "leitungskreis"
    AG_TRANSFER = "ag_transfer"
    PLENUM = "plenum"
    ANERKANNT = "anerkannt"
    ENTZOGEN = "entzogen"


class MitgliedTyp(enum.StrEnum):
    INTERMEDIAER = "intermediaer"
    OEFFENTLICH = "oeffentlich"
    UNTERNEHMEN = "unternehmen"
    BERATER = "berater"
    SONSTIGE = "sonstige"


class KontaktRolle(enum.StrEnum):
    KOORDINATION = "Koordination"
    MODERATION = "Moderation"


class RegionArt(enum.StrEnum):
    LAND = "land"
    GROSSREGION = "grossregion"
    BUNDESLAND = "bundesland"
    REGION = "region"
    STADT = "stadt"
