"""``facet_rollups`` split by novelty band (levels 4-6), so that a whole-number minimum novelty
is a sum over rollups, not a count of the citations.

The table gains ``novelty`` in its key, next after the level (so that a minimum novelty reads
a range of a level): the whole part of the citing paper's novelty score,
-1 without one, -2 in the levels that do not keep it. Rollups hold nothing that cannot be
counted again, so the table is made anew and filled: levels 1-3 from the cells, as revision
0003 did, levels 4-6 from the citations (the cells have no novelty). Written out as it was at
this revision (a revision never follows schema.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Per level: what it keeps of (year, roles), or the value it holds instead.
FROM_CELLS = {1: ("-1", "roles_key"), 2: ("year", "''"), 3: ("-1", "''")}
FROM_CITATIONS = {4: ("-1", "roles_key"), 5: ("coalesce(citing_year, 0)", "''"), 6: ("-1", "''")}


def _kept(*values: str) -> str:
    return "".join(f", {value}" for value in values if value not in ("-1", "''"))


def upgrade() -> None:
    floor = (
        "CAST(citing_novelty AS INTEGER)" if op.get_bind().dialect.name == "sqlite" else "CAST(floor(citing_novelty) AS INTEGER)"
    )
    band = f"CASE WHEN citing_novelty < 0 THEN -1 ELSE {floor} END"
    op.drop_table("facet_rollups")
    op.create_table(
        "facet_rollups",
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("novelty", sa.Integer(), nullable=False),
        sa.Column("polarity_key", sa.String(), nullable=False),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("roles_key", sa.String(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["hub_id"], ["papers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("hub_id", "level", "novelty", "polarity_key", "verdict", "category", "year", "roles_key"),
        sqlite_with_rowid=False,
    )
    into = "INSERT INTO facet_rollups (hub_id, level, polarity_key, verdict, category, year, roles_key, novelty, n) "
    for level, (year, roles) in FROM_CELLS.items():
        op.execute(
            into + f"SELECT hub_id, {level}, polarity_key, verdict, category, {year}, {roles}, -2, sum(n) "
            f"FROM facet_cells GROUP BY hub_id, polarity_key, verdict, category{_kept(year, roles)}"
        )
    for level, (year, roles) in FROM_CITATIONS.items():
        op.execute(
            into + f"SELECT cited_id, {level}, polarity_key, citing_verdict, citing_category, {year}, {roles}, {band}, count(*) "
            f"FROM citations GROUP BY cited_id, polarity_key, citing_verdict, citing_category{_kept(year, roles)}, {band}"
        )


def downgrade() -> None:
    raise NotImplementedError("pithtui never downgrades a store")
