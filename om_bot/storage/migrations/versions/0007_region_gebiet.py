"""Regionen als Orte: the units of the place table each region consists of

Revision ID: 0007
Revises: 0001
Create Date: 2026-12-02

Issue 11: `!om netzwerke Kiel` finds the networks whose region contains a place. A region gets
its place identity as rows of `region_gebiet`: Bayern is "land:BY", München the kreisfreie
Stadt "kreis:09162", Münsterland the five Kreise of its Kreise and Münster. Ids are those of
`om_bot/data/orte.json.gz` (`om_bot.domain.orte.gebiet`). The built-in regions already in a
database get the Gebiete that `om_bot/data/regionen.toml` gave them when this revision was
written (`EINGEBAUT`, frozen here; the next import keeps them in step with the table).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None

# regionen.toml as of this revision: region name → Gebiete (a test checks they agree).
EINGEBAUT: dict[str, tuple[str, ...]] = {
    "Baden-Württemberg": ("land:BW",),
    "Bayern": ("land:BY",),
    "Berlin": ("land:BE",),
    "Brandenburg": ("land:BB",),
    "Bremen": ("land:HB",),
    "Hamburg": ("land:HH",),
    "Hessen": ("land:HE",),
    "Mecklenburg-Vorpommern": ("land:MV",),
    "Niedersachsen": ("land:NI",),
    "Nordrhein-Westfalen": ("land:NW",),
    "Rheinland-Pfalz": ("land:RP",),
    "Saarland": ("land:SL",),
    "Sachsen": ("land:SN",),
    "Sachsen-Anhalt": ("land:ST",),
    "Schleswig-Holstein": ("land:SH",),
    "Thüringen": ("land:TH",),
    "Münsterland": ("kreis:05515", "kreis:05554", "kreis:05558", "kreis:05566", "kreis:05570"),
    "OWL": ("rb:057",),
    "Franken": ("rb:094", "rb:095", "rb:096"),
    "Oberbayern": ("rb:091",),
    "Harz": ("kreis:03153", "kreis:03159", "kreis:15085", "kreis:15087", "kreis:16062"),
    "Hannover": ("gn:2910831", "kreis:03241"),
    "Mainz/Wiesbaden": ("kreis:06414", "kreis:07315"),
    "Lübeck-West-Mecklenburg": ("kreis:01003", "kreis:13004", "kreis:13074", "kreis:13076"),
    "Westmecklenburg": ("kreis:13004", "kreis:13074", "kreis:13076"),
    "München": ("kreis:09162",),
    "Nürnberg": ("kreis:09564",),
    "Stuttgart": ("kreis:08111",),
    "Kaiserslautern": ("kreis:07312",),
    "Mainz": ("kreis:07315",),
    "Wiesbaden": ("kreis:06414",),
    "Frankfurt am Main": ("kreis:06412",),
    "Köln": ("kreis:05315",),
    "Düsseldorf": ("kreis:05111",),
    "Münster": ("kreis:05515",),
    "Bielefeld": ("kreis:05711",),
    "Osnabrück": ("kreis:03404",),
    "Lüneburg": ("gn:2875115",),
    "Goslar": ("gn:2918840",),
    "Wernigerode": ("gn:2810808",),
    "Bremerhaven": ("kreis:04012",),
    "Lübeck": ("kreis:01003",),
    "Schwerin": ("kreis:13004",),
    "Dresden": ("kreis:14612",),
    "Leipzig": ("kreis:14713",),
}


def upgrade() -> None:
    op.create_table(
        "region_gebiet",
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("gebiet_id", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_region_gebiet_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("region_id", "gebiet_id", name=op.f("pk_region_gebiet")),
    )
    op.create_index(
        op.f("ix_region_gebiet_gebiet_id"), "region_gebiet", ["gebiet_id"], unique=False
    )
    einfuegen = sa.text(
        "INSERT INTO region_gebiet (region_id, gebiet_id)"
        " SELECT id, :gebiet FROM region WHERE name = :name"
    )
    connection = op.get_bind()
    for name, gebiete in EINGEBAUT.items():
        for gebiet in gebiete:
            connection.execute(einfuegen, {"name": name, "gebiet": gebiet})


def downgrade() -> None:
    op.drop_index(op.f("ix_region_gebiet_gebiet_id"), table_name="region_gebiet")
    op.drop_table("region_gebiet")
