"""Instant at a million citing papers (issue 5).

- The six sort indexes of ``citations`` (hub, sort value, citing paper) also hold every filter
  column, so that a page walks its sort order testing each filter on the index entry, a jump
  counts index entries only, and a cube of cells for filters the cells cannot answer is read
  from an index alone. ``ix_cit_hub_year`` goes: nothing reads it any more.
- ``facet_rollups``: the facet cells of each hub summed over the year (level 1), over the
  roles (level 2) and over both (level 3), filled from the cells.
- ``ix_papers_listing`` (citing count descending, title key) replaces ``ix_papers_citing_count``:
  the papers list is that order, so its first page is read, not sorted out of every paper.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FILTERS = ("citing_date", "citing_novelty", "citing_category", "citing_verdict", "polarity_key", "roles_key", "citing_year")
SORTS = {
    "ix_cit_hub_date": "citing_date",
    "ix_cit_hub_novelty": "citing_novelty",
    "ix_cit_hub_title": "citing_title",
    "ix_cit_hub_category": "citing_category",
    "ix_cit_hub_verdict": "citing_verdict",
    "ix_cit_hub_polarity": "polarity_key",
}
LEVELS = {
    1: ("polarity_key", "verdict", "category", "-1", "roles_key"),
    2: ("polarity_key", "verdict", "category", "year", "''"),
    3: ("polarity_key", "verdict", "category", "-1", "''"),
}


def upgrade() -> None:
    op.drop_index("ix_papers_citing_count", table_name="papers")
    op.create_index("ix_papers_listing", "papers", [sa.text("citing_count DESC"), "title_key"])
    op.drop_index("ix_cit_hub_year", table_name="citations")
    for name, column in SORTS.items():
        op.drop_index(name, table_name="citations")
        op.create_index(name, "citations", ["cited_id", column, "citing_id", *(f for f in FILTERS if f != column)])
    op.create_table(
        "facet_rollups",
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("polarity_key", sa.String(), nullable=False),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("roles_key", sa.String(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["hub_id"], ["papers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("hub_id", "level", "polarity_key", "verdict", "category", "year", "roles_key"),
        sqlite_with_rowid=False,
    )
    for level, values in LEVELS.items():
        kept = ", ".join(value for value in values if value.isidentifier())
        op.execute(
            "INSERT INTO facet_rollups (hub_id, level, polarity_key, verdict, category, year, roles_key, n) "
            f"SELECT hub_id, {level}, {', '.join(values)}, sum(n) FROM facet_cells GROUP BY hub_id, {kept}"
        )


def downgrade() -> None:
    raise NotImplementedError("pithtui never downgrades a store")
