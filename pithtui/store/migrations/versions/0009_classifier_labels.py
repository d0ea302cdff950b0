"""The citation classifier's labels, stored beside the source's and never over them.

``citations`` gains the source's own roles (``source_roles_key``: ``roles_key`` becomes the
effective roles, the source's else the model's, which is what every filter and facet reads),
the model's labels with its id (``label_model``, ``model_roles``, ``model_polarity``,
``model_score``, ``model_contexts``), and ``contrast``, the effective score of "contrasting"
that the explorer sorts by, with its covering sort index. Every stored role came from a
source, so ``source_roles_key`` starts as ``roles_key``; a source's "contrasting" scores 1,
another polarity of a source's 0, and the rest -1 until the classifier labels them. Written
out as it was at this revision (a revision never follows schema.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

FILTER_COLUMNS = (
    "citing_date",
    "citing_novelty",
    "citing_category",
    "citing_verdict",
    "polarity_key",
    "roles_key",
    "citing_year",
)


def upgrade() -> None:
    for column in (  # ALTER TABLE ADD COLUMN on both backends: no table is copied
        sa.Column("source_roles_key", sa.String(), nullable=False, server_default=sa.text("''")),
        sa.Column("label_model", sa.String(), nullable=True),
        sa.Column("model_roles", sa.JSON(), nullable=True),
        sa.Column("model_polarity", sa.String(), nullable=True),
        sa.Column("model_score", sa.Float(), nullable=True),
        sa.Column("model_contexts", sa.JSON(), nullable=True),
        sa.Column("contrast", sa.Float(), nullable=False, server_default="-1.0"),
    ):
        op.add_column("citations", column)
    op.execute("UPDATE citations SET source_roles_key = roles_key")
    op.execute(
        "UPDATE citations SET contrast = CASE WHEN polarity = 'contrasting' THEN 1.0 ELSE 0.0 END WHERE polarity IS NOT NULL"
    )
    op.create_index("ix_cit_hub_contrast", "citations", ["cited_id", "contrast", "citing_id", *FILTER_COLUMNS])


def downgrade() -> None:
    raise NotImplementedError("pithtui never downgrades a store")
