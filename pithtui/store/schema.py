"""The SQLAlchemy 2.x schema of a pithtui store.

Papers are stored once whatever cites what; a citation row links a citing paper to a cited
paper (the hub). The citation row also carries copies of the citing paper's sortable and
filterable attributes (``citing_*`` columns) so that every filter + sort the explorer offers
is answered from one composite index on ``citations`` without touching ``papers``: that is
what keeps a hub of a million citing papers instant. The repository keeps the copies in step
whenever a paper changes.

Open-vocabulary values (categories, verdicts, roles, polarities, sources) come from outside
and have no natural bound (an OpenAlex topic name can run past 64 characters), so their
columns have no length: PostgreSQL would refuse a longer value that SQLite stores.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    DDL,
    BigInteger,
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_REVISION = "0002"
"""The Alembic revision these tables are (pithtui/store/migrations/versions holds each one);
a store records its own in ``alembic_version``. Changing the tables means a new revision and
bumping this (see pithtui/store/migrations/__init__.py).

0002: new papers enter the SQLite full-text index from the repository, not from an insert trigger.
"""

SCHEMA_VERSION = int(SCHEMA_REVISION)
"""The revision as a number, also written to ``meta`` under ``schema_version``: pithtui releases
from before migrations read it there, and refuse a store whose number is above their own."""

NO_NOVELTY = -1.0
"""``citing_novelty`` of a paper without a novelty score: sorts below every real score."""

TITLE_KEY_LENGTH = 120
"""How much of a casefolded title the sort column keeps (enough to order, small to index)."""


def sort_text(length: int | None = None) -> String:
    """A string column that compares and sorts by code point on every backend.

    SQLite compares text byte by byte; PostgreSQL would use the database's collation (often a
    linguistic one such as en_US), which orders differently. The explorer's sort columns and
    keyset cursors must give the same order everywhere, so on PostgreSQL they use "C".
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """Key/value facts about the store itself (schema version, last hub opened)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class PaperRow(Base):
    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    title_key: Mapped[str] = mapped_column(sort_text(TITLE_KEY_LENGTH), index=True)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    date: Mapped[dt.date | None] = mapped_column(Date)
    category: Mapped[str | None] = mapped_column(String)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    venue: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    abstract: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String, default="UNVERDICTED")
    novelty: Mapped[float | None] = mapped_column(Float)
    arxiv_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    doi: Mapped[str | None] = mapped_column(String(255), unique=True)
    s2_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    corpus_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    openalex_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    cited_by_reported: Mapped[int | None] = mapped_column(Integer)
    citing_count: Mapped[int] = mapped_column(Integer, default=0, index=True)
    """How many citations in the store point at this paper; kept by the repository on import."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CitationRow(Base):
    __tablename__ = "citations"
    __table_args__ = (
        UniqueConstraint("cited_id", "citing_id", name="uq_citation_pair"),
        # One index per sort key the explorer offers; filters on the same columns use them too.
        Index("ix_cit_hub_date", "cited_id", "citing_date", "citing_id"),
        Index("ix_cit_hub_novelty", "cited_id", "citing_novelty", "citing_id"),
        Index("ix_cit_hub_title", "cited_id", "citing_title", "citing_id"),
        Index("ix_cit_hub_category", "cited_id", "citing_category", "citing_id"),
        Index("ix_cit_hub_verdict", "cited_id", "citing_verdict", "citing_id"),
        Index("ix_cit_hub_polarity", "cited_id", "polarity_key", "citing_id"),
        Index("ix_cit_hub_year", "cited_id", "citing_year"),
        Index("ix_cit_hub_roles", "cited_id", "roles_key"),
        Index("ix_cit_hub_seen", "cited_id", "first_seen"),
        Index("ix_cit_hub_representative", "cited_id", "representative", "citing_novelty", "citing_date"),
        Index("ix_cit_citing", "citing_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cited_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    citing_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    polarity: Mapped[str | None] = mapped_column(String)
    influential: Mapped[bool] = mapped_column(Boolean, default=False)
    representative: Mapped[bool] = mapped_column(Boolean, default=False)
    contexts: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str | None] = mapped_column(String)
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Copies of the citing paper's attributes, kept in step by the repository (see module doc).
    roles_key: Mapped[str] = mapped_column(String, default="")
    """The citation's roles, sorted and joined (see store/facets.py); '' when it has none."""
    polarity_key: Mapped[str] = mapped_column(sort_text(), default="")
    citing_date: Mapped[str] = mapped_column(sort_text(10), default="")
    citing_year: Mapped[int | None] = mapped_column(Integer)
    citing_novelty: Mapped[float] = mapped_column(Float, default=NO_NOVELTY)
    citing_title: Mapped[str] = mapped_column(sort_text(TITLE_KEY_LENGTH), default="")
    citing_category: Mapped[str] = mapped_column(sort_text(), default="")
    citing_verdict: Mapped[str] = mapped_column(sort_text(), default="UNVERDICTED")


class RoleSetRow(Base):
    """Which roles a role set holds. A citation's roles are stored as one key (its sorted roles
    joined), so that role filters and role facet counts work on citations and cells alike."""

    __tablename__ = "role_sets"
    __table_args__ = (Index("ix_role_sets_role", "role", "roles_key"), {"sqlite_with_rowid": False})

    roles_key: Mapped[str] = mapped_column(String, primary_key=True)
    role: Mapped[str] = mapped_column(String, primary_key=True)


class FacetCellRow(Base):
    """How many citations of a hub share one combination of facet values (see store/facets.py)."""

    __tablename__ = "facet_cells"
    # Clustered on the key on SQLite: a hub's cells are read in one range scan, no row lookups.
    __table_args__ = {"sqlite_with_rowid": False}

    hub_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    polarity_key: Mapped[str] = mapped_column(String, primary_key=True)
    verdict: Mapped[str] = mapped_column(String, primary_key=True)
    category: Mapped[str] = mapped_column(String, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    roles_key: Mapped[str] = mapped_column(String, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class VisitRow(Base):
    """When each hub was last opened, for "new since last visit"."""

    __tablename__ = "visits"

    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    last_opened: Mapped[dt.datetime] = mapped_column(DateTime)


# Full-text search on SQLite: an external-content FTS5 table over titles and summaries (words
# folded to lower case without accents, with prefix indexes so that a word typed so far matches
# at once). Triggers keep it in step when papers change or go; new papers are added to it by
# the repository in one executemany after inserting them (FTS_INSERT), which is ten times
# faster than a per-row insert trigger. PostgreSQL uses a tsvector expression.
FTS_INSERT = "INSERT INTO papers_fts(rowid, title, summary) VALUES (:id, :title, :summary)"
"""Adds new papers to the SQLite full-text index (bound by name: id, title, summary)."""

_FTS_DDL = (
    "CREATE VIRTUAL TABLE papers_fts USING fts5("
    "title, summary, content='papers', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    "CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN "
    "INSERT INTO papers_fts(papers_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary); END",
    "CREATE TRIGGER papers_fts_update AFTER UPDATE OF title, summary ON papers BEGIN "
    "INSERT INTO papers_fts(papers_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary); "
    "INSERT INTO papers_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary); END",
)
for _statement in _FTS_DDL:
    event.listen(Base.metadata, "after_create", DDL(_statement).execute_if(dialect="sqlite"))

papers = PaperRow.__table__
citations = CitationRow.__table__
role_sets = RoleSetRow.__table__
facet_cells = FacetCellRow.__table__
meta = Meta.__table__
visits = VisitRow.__table__


version_table = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)
"""Where a store records its revision: Alembic's own table (kept out of ``Base.metadata``)."""
