"""The rollups split by novelty band (levels 4-6 of ``facet_rollups``) count half points of the
score, not whole ones, so that a minimum novelty of 6.5 is a sum over them as 6 is, not a count
of the citations scoring from 6.5 to 7 (sorted into cells at each such filter change). The band is ``floor(2 × score)``, -1
without a score; the rows of those levels are counted again from the citations. Written out as
it was at this revision (a revision never follows schema.py).
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Per level split by novelty band: what it keeps of (year, roles), or the value it holds instead.
LEVELS = {4: ("-1", "roles_key"), 5: ("coalesce(citing_year, 0)", "''"), 6: ("-1", "''")}


def upgrade() -> None:
    floor = (
        "CAST(citing_novelty * 2 AS INTEGER)"
        if op.get_bind().dialect.name == "sqlite"
        else "CAST(floor(citing_novelty * 2) AS INTEGER)"
    )
    band = f"CASE WHEN citing_novelty < 0 THEN -1 ELSE {floor} END"
    op.execute("DELETE FROM facet_rollups WHERE level IN (4, 5, 6)")
    for level, (year, roles) in LEVELS.items():
        kept = "".join(f", {value}" for value in (year, roles) if value not in ("-1", "''"))
        op.execute(
            "INSERT INTO facet_rollups (hub_id, level, polarity_key, verdict, category, year, roles_key, novelty, n) "
            f"SELECT cited_id, {level}, polarity_key, citing_verdict, citing_category, {year}, {roles}, {band}, count(*) "
            f"FROM citations GROUP BY cited_id, polarity_key, citing_verdict, citing_category{kept}, {band}"
        )


def downgrade() -> None:
    raise NotImplementedError("pithtui never downgrades a store")
