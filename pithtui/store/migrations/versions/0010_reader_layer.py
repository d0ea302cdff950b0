"""The reader's own layer: ``marks`` (a star, a read mark, a note and the reader's verdict of a
paper, each with when it changed) and ``saved_views`` (named filters, search and sort), keyed by
their owner. On PostgreSQL each role reads and writes only its own rows (row-level security);
the tables' owner is let past, to move every role's marks when two papers are merged. Written out as it was at this revision (a revision never
follows schema.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


MOVE_MARKS_FUNCTION = (
    "CREATE FUNCTION pithtui_move_marks(old_id integer, new_id integer) RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS $$ INSERT INTO marks (owner, paper_id, starred, read, note, verdict, starred_at, read_at, note_at, verdict_at, changed_at) SELECT owner, new_id, starred, read, note, verdict, starred_at, read_at, note_at, verdict_at, changed_at FROM marks WHERE paper_id = old_id AND true ON CONFLICT (owner, paper_id) DO UPDATE SET starred = CASE WHEN excluded.starred_at IS NOT NULL AND (marks.starred_at IS NULL OR excluded.starred_at > marks.starred_at) THEN excluded.starred ELSE marks.starred END, read = CASE WHEN excluded.read_at IS NOT NULL AND (marks.read_at IS NULL OR excluded.read_at > marks.read_at) THEN excluded.read ELSE marks.read END, note = CASE WHEN excluded.note_at IS NOT NULL AND (marks.note_at IS NULL OR excluded.note_at > marks.note_at) THEN excluded.note ELSE marks.note END, verdict = CASE WHEN excluded.verdict_at IS NOT NULL AND (marks.verdict_at IS NULL OR excluded.verdict_at > marks.verdict_at) THEN excluded.verdict ELSE marks.verdict END, starred_at = CASE WHEN marks.starred_at IS NULL OR excluded.starred_at > marks.starred_at THEN excluded.starred_at ELSE marks.starred_at END, read_at = CASE WHEN marks.read_at IS NULL OR excluded.read_at > marks.read_at THEN excluded.read_at ELSE marks.read_at END, note_at = CASE WHEN marks.note_at IS NULL OR excluded.note_at > marks.note_at THEN excluded.note_at ELSE marks.note_at END, verdict_at = CASE WHEN marks.verdict_at IS NULL OR excluded.verdict_at > marks.verdict_at THEN excluded.verdict_at ELSE marks.verdict_at END, changed_at = CASE WHEN excluded.changed_at > marks.changed_at THEN excluded.changed_at ELSE marks.changed_at END; "
    "DELETE FROM marks WHERE paper_id = old_id; "
    "UPDATE saved_views SET hub_key = new_id WHERE hub_key = old_id AND NOT EXISTS (SELECT 1 FROM saved_views AS s WHERE s.owner = saved_views.owner AND s.hub_key = new_id AND s.name = saved_views.name) $$"
)
"""Every role's marks and views of a paper merged into another's (two records found to be one
paper), run as the store's owner, whom row-level security lets past."""


def upgrade() -> None:
    op.create_table(
        "marks",
        sa.Column("owner", sa.String(128), primary_key=True),
        sa.Column("paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("starred", sa.Boolean, nullable=False),
        sa.Column("starred_at", sa.DateTime, nullable=True),
        sa.Column("read", sa.Boolean, nullable=False),
        sa.Column("read_at", sa.DateTime, nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("note_at", sa.DateTime, nullable=True),
        sa.Column("verdict", sa.String(64), nullable=True),
        sa.Column("verdict_at", sa.DateTime, nullable=True),
        sa.Column("changed_at", sa.DateTime, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "saved_views",
        sa.Column("owner", sa.String(128), primary_key=True),
        sa.Column("hub_key", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("filters", sa.JSON, nullable=False),
        sa.Column("sort", sa.String(32), nullable=False),
        sa.Column("descending", sa.Boolean, nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
    )
    if op.get_context().dialect.name == "postgresql":
        for name in ("marks", "saved_views"):
            op.execute(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY {name}_own ON {name} USING (owner = current_user) WITH CHECK (owner = current_user)")
        op.execute(MOVE_MARKS_FUNCTION)


def downgrade() -> None:
    raise NotImplementedError("pithtui never downgrades a store")
