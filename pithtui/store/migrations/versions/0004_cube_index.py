"""``ix_cit_hub_cube``: a hub's citations in facet-cell order (polarity, verdict, category, year,
roles), then the citing paper, novelty and date. Facet counts under a filter the cells cannot
answer (a minimum novelty, a date range within a year) count a cube of cells from the citations
that pass it: walked through this index the groups form as it goes, where another order must
sort every passing citation first.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_cit_hub_cube",
        "citations",
        [
            "cited_id",
            "polarity_key",
            "citing_verdict",
            "citing_category",
            "citing_year",
            "roles_key",
            "citing_id",
            "citing_novelty",
            "citing_date",
        ],
    )


def downgrade() -> None:
    raise NotImplementedError("pithtui never downgrades a store")
