"""The first schema: papers, citations (with copies of the citing paper's sort and filter
values), role sets, facet cells, visits and meta; on SQLite, the FTS5 index of titles and
summaries with the triggers that kept it in step.

Frozen: this is what stores written before migrations existed hold (``meta.schema_version``
1). It never follows schema.py; later changes are later revisions.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _sort_text(length: int | None = None) -> sa.String:
    """Text that sorts by code point on every backend ("C" collation on PostgreSQL)."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


FTS = (
    "CREATE VIRTUAL TABLE papers_fts USING fts5("
    "title, summary, content='papers', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    "CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN "
    "INSERT INTO papers_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary); END",
    "CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN "
    "INSERT INTO papers_fts(papers_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary); END",
    "CREATE TRIGGER papers_fts_update AFTER UPDATE OF title, summary ON papers BEGIN "
    "INSERT INTO papers_fts(papers_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary); "
    "INSERT INTO papers_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary); END",
)


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "papers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_key", _sort_text(120), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("venue", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("abstract", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("novelty", sa.Float(), nullable=True),
        sa.Column("arxiv_id", sa.String(length=64), nullable=True),
        sa.Column("doi", sa.String(length=255), nullable=True),
        sa.Column("s2_id", sa.String(length=64), nullable=True),
        sa.Column("corpus_id", sa.BigInteger(), nullable=True),
        sa.Column("openalex_id", sa.String(length=32), nullable=True),
        sa.Column("cited_by_reported", sa.Integer(), nullable=True),
        sa.Column("citing_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("arxiv_id"),
        sa.UniqueConstraint("doi"),
        sa.UniqueConstraint("s2_id"),
        sa.UniqueConstraint("corpus_id"),
        sa.UniqueConstraint("openalex_id"),
    )
    op.create_index("ix_papers_title_key", "papers", ["title_key"])
    op.create_index("ix_papers_citing_count", "papers", ["citing_count"])
    op.create_table(
        "citations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cited_id", sa.Integer(), nullable=False),
        sa.Column("citing_id", sa.Integer(), nullable=False),
        sa.Column("polarity", sa.String(), nullable=True),
        sa.Column("influential", sa.Boolean(), nullable=False),
        sa.Column("representative", sa.Boolean(), nullable=False),
        sa.Column("contexts", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("roles_key", sa.String(), nullable=False),
        sa.Column("polarity_key", _sort_text(), nullable=False),
        sa.Column("citing_date", _sort_text(10), nullable=False),
        sa.Column("citing_year", sa.Integer(), nullable=True),
        sa.Column("citing_novelty", sa.Float(), nullable=False),
        sa.Column("citing_title", _sort_text(120), nullable=False),
        sa.Column("citing_category", _sort_text(), nullable=False),
        sa.Column("citing_verdict", _sort_text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cited_id", "citing_id", name="uq_citation_pair"),
        sa.ForeignKeyConstraint(["cited_id"], ["papers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["citing_id"], ["papers.id"], ondelete="CASCADE"),
    )
    for name, columns in (
        ("ix_cit_hub_date", ["cited_id", "citing_date", "citing_id"]),
        ("ix_cit_hub_novelty", ["cited_id", "citing_novelty", "citing_id"]),
        ("ix_cit_hub_title", ["cited_id", "citing_title", "citing_id"]),
        ("ix_cit_hub_category", ["cited_id", "citing_category", "citing_id"]),
        ("ix_cit_hub_verdict", ["cited_id", "citing_verdict", "citing_id"]),
        ("ix_cit_hub_polarity", ["cited_id", "polarity_key", "citing_id"]),
        ("ix_cit_hub_year", ["cited_id", "citing_year"]),
        ("ix_cit_hub_roles", ["cited_id", "roles_key"]),
        ("ix_cit_hub_seen", ["cited_id", "first_seen"]),
        ("ix_cit_hub_representative", ["cited_id", "representative", "citing_novelty", "citing_date"]),
        ("ix_cit_citing", ["citing_id"]),
    ):
        op.create_index(name, "citations", columns)
    op.create_table(
        "role_sets",
        sa.Column("roles_key", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("roles_key", "role"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_role_sets_role", "role_sets", ["role", "roles_key"])
    op.create_table(
        "facet_cells",
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("polarity_key", sa.String(), nullable=False),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("roles_key", sa.String(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["hub_id"], ["papers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("hub_id", "polarity_key", "verdict", "category", "year", "roles_key"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "visits",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("last_opened", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("paper_id"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS:
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("pithtui never downgrades a store")
