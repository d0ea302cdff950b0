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
import unicodedata

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
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
    text,
)

from pithtui.text import TITLE_KEY_LENGTH

SCHEMA_REVISION = "0010"
"""The Alembic revision these tables are (pithtui/store/migrations/versions holds each one);
a store records its own in ``alembic_version``. Changing the tables means a new revision and
bumping this (see pithtui/store/migrations/__init__.py).

0002: new papers enter the SQLite full-text index from the repository, not from an insert trigger.
0003: the sort indexes of ``citations`` cover every filter column; ``facet_rollups``.
0004: ``ix_cit_hub_cube``, a hub's citations in facet-cell order.
0005: on PostgreSQL, GIN indexes of the title and summary words (``pg_words``).
0006: ``facet_rollups`` by novelty band (levels 4-6).
0007: on PostgreSQL, the title and summary words stored (``WORD_COLUMNS``), GIN-indexed.
0008: ``facet_rollups`` by half-point novelty band (``BANDS_PER_POINT``).
0009: the citation classifier's labels beside the source's (``source_roles_key``, ``label_model``,
``model_*``, ``contrast``) and ``ix_cit_hub_contrast``.
0010: the reader's own layer (``marks``, ``saved_views``), each row its owner's.
"""

SCHEMA_VERSION = int(SCHEMA_REVISION)
"""The revision as a number, also written to ``meta`` under ``schema_version``: pithtui releases
from before migrations read it there, and refuse a store whose number is above their own."""

NO_NOVELTY = -1.0
"""``citing_novelty`` of a paper without a novelty score: sorts below every real score."""

NO_CONTRAST = -1.0
"""``citations.contrast`` of a citation nobody has labelled: sorts below every real score."""


def sort_text(length: int | None = None) -> String:
    """A string column that compares and sorts by code point on every backend.

    SQLite compares text byte by byte; PostgreSQL would use the database's collation (often a
    linguistic one such as en_US), which orders differently. The explorer's sort columns and
    keyset cursors must give the same order everywhere, so on PostgreSQL they use "C".
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base:
    """Where the tables are declared: ``Base.metadata`` (Core tables, no ORM: pithtui maps no
    classes, and not importing SQLAlchemy's ORM takes a tenth of a second off every start)."""

    metadata = MetaData()


def _cascade() -> ForeignKey:
    return ForeignKey("papers.id", ondelete="CASCADE")


meta = Table(
    "meta",
    Base.metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
"""Key/value facts about the store itself (schema version, last hub opened)."""

papers = Table(
    "papers",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("title_key", sort_text(TITLE_KEY_LENGTH), nullable=False, index=True),
    Column("authors", JSON, nullable=False, default=list),
    Column("date", Date),
    Column("category", String),
    Column("categories", JSON, nullable=False, default=list),
    Column("venue", Text),
    Column("url", Text),
    Column("abstract", Text),
    Column("summary", Text),
    Column("verdict", String, nullable=False, default="UNVERDICTED"),
    Column("novelty", Float),
    Column("arxiv_id", String(64), unique=True),
    Column("doi", String(255), unique=True),
    Column("s2_id", String(64), unique=True),
    Column("corpus_id", BigInteger, unique=True),
    Column("openalex_id", String(32), unique=True),
    Column("cited_by_reported", Integer),
    # How many citations in the store point at this paper; kept by the repository on import.
    Column("citing_count", Integer, nullable=False, default=0),
    Column("created_at", DateTime, nullable=False, default=utcnow),
    Column("updated_at", DateTime, nullable=False, default=utcnow),
)
Index("ix_papers_listing", papers.c.citing_count.desc(), papers.c.title_key)
"""The papers list's order (most cited first, then by title; the id follows on SQLite)."""

FILTER_COLUMNS = (
    "citing_date",
    "citing_novelty",
    "citing_category",
    "citing_verdict",
    "polarity_key",
    "roles_key",
    "citing_year",
)
"""The ``citations`` columns that every filter and the facet dimensions read."""

CUBE_COLUMNS = ("polarity_key", "citing_verdict", "citing_category", "citing_year", "roles_key")
"""The ``citations`` columns a facet cell is made of, in the order of the cells' key."""

SORT_INDEX_NAMES = {
    "citing_date": "ix_cit_hub_date",
    "citing_novelty": "ix_cit_hub_novelty",
    "citing_title": "ix_cit_hub_title",
    "citing_category": "ix_cit_hub_category",
    "citing_verdict": "ix_cit_hub_verdict",
    "polarity_key": "ix_cit_hub_polarity",
    "contrast": "ix_cit_hub_contrast",
}
"""The index that keeps each sortable column's order, by column."""


def sort_index(column: str) -> Index:
    """The index a hub's citations are paged through in ``column`` order: (hub, sort value,
    citing paper), then every filter column, so that a page walks the index in order and tests
    each filter on the index entry itself, reading a row only for what it shows."""
    covered = [name for name in FILTER_COLUMNS if name != column]
    return Index(SORT_INDEX_NAMES[column], "cited_id", column, "citing_id", *covered)


citations = Table(
    "citations",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("cited_id", Integer, _cascade(), nullable=False),
    Column("citing_id", Integer, _cascade(), nullable=False),
    # What the source said: its polarity (None: it said none) and its roles (below).
    Column("polarity", String),
    Column("influential", Boolean, nullable=False, default=False),
    Column("representative", Boolean, nullable=False, default=False),
    Column("contexts", JSON, nullable=False, default=list),
    Column("source", String),
    Column("first_seen", DateTime, nullable=False, default=utcnow),
    # Copies of the citing paper's attributes, kept in step by the repository (see module doc).
    # roles_key: the citation's effective roles, sorted and joined (see store/facets.py); '' for none.
    Column("roles_key", String, nullable=False, default=""),
    Column("polarity_key", sort_text(), nullable=False, default=""),
    Column("citing_date", sort_text(10), nullable=False, default=""),
    Column("citing_year", Integer),
    Column("citing_novelty", Float, nullable=False, default=NO_NOVELTY),
    Column("citing_title", sort_text(TITLE_KEY_LENGTH), nullable=False, default=""),
    Column("citing_category", sort_text(), nullable=False, default=""),
    Column("citing_verdict", sort_text(), nullable=False, default="UNVERDICTED"),
    # Who says how it cites (see pithtui/store/labels.py): the source's roles, and the labels of
    # pithtui's classifier with the id of the model that gave them (None: not labelled; a model
    # that found no context to label leaves its id and no polarity). ``roles_key``,
    # ``polarity_key`` and ``contrast`` hold the effective values every filter, facet and sort
    # reads: the source's where it gave one, else the model's.
    Column("source_roles_key", String, nullable=False, default="", server_default=text("''")),
    Column("label_model", String),
    Column("model_roles", JSON(none_as_null=True)),
    Column("model_polarity", String),
    Column("model_score", Float),
    Column("model_contexts", JSON(none_as_null=True)),
    Column("contrast", Float, nullable=False, default=NO_CONTRAST, server_default=str(NO_CONTRAST)),
    UniqueConstraint("cited_id", "citing_id", name="uq_citation_pair"),
    # One index per sort key the explorer offers, covering the filters (see sort_index).
    *(sort_index(column) for column in SORT_INDEX_NAMES),
    Index("ix_cit_hub_roles", "cited_id", "roles_key"),
    Index("ix_cit_hub_seen", "cited_id", "first_seen"),
    Index("ix_cit_hub_representative", "cited_id", "representative", "citing_novelty", "citing_date"),
    # A hub's citations in facet-cell order, with the filters the cells cannot answer: counting
    # the cells of the citations that pass those filters walks this in order, grouping as it
    # goes instead of sorting (see facets.cube).
    Index("ix_cit_hub_cube", "cited_id", *CUBE_COLUMNS, "citing_id", "citing_novelty", "citing_date"),
    Index("ix_cit_citing", "citing_id"),
)

role_sets = Table(
    "role_sets",
    Base.metadata,
    Column("roles_key", String, primary_key=True),
    Column("role", String, primary_key=True),
    Index("ix_role_sets_role", "role", "roles_key"),
    sqlite_with_rowid=False,
)
"""Which roles a role set holds. A citation's roles are stored as one key (its sorted roles
joined), so that role filters and role facet counts work on citations and cells alike."""


def _counts(*leading: Column) -> list[Column]:
    """The columns of a table of citation counts: ``leading`` key columns, then the facet values
    every such table is keyed by, then the count."""
    return [
        *leading,
        Column("polarity_key", String, primary_key=True),
        Column("verdict", String, primary_key=True),
        Column("category", String, primary_key=True),
        Column("year", Integer, primary_key=True),
        Column("roles_key", String, primary_key=True),
        Column("n", Integer, nullable=False),
    ]


facet_cells = Table(
    "facet_cells",
    Base.metadata,
    *_counts(Column("hub_id", Integer, _cascade(), primary_key=True)),
    # Clustered on the key on SQLite: a hub's cells are read in one range scan, no row lookups.
    sqlite_with_rowid=False,
)
"""How many citations of a hub share one combination of facet values (see store/facets.py)."""

ROLLUP_LEVELS = {
    1: ("polarity", "verdict", "category", "role"),
    2: ("polarity", "verdict", "category", "year"),
    3: ("polarity", "verdict", "category"),
    4: ("polarity", "verdict", "category", "role", "novelty"),
    5: ("polarity", "verdict", "category", "year", "novelty"),
    6: ("polarity", "verdict", "category", "novelty"),
}
"""The facet dimensions each level of ``facet_rollups`` keeps (the cells keep all five but
novelty). Levels 4-6 add the novelty band, so that a minimum novelty on a half point is a sum
over rollups too, unless a role or year filter asks for both of those at once."""
ROLLED_YEAR = -1
ROLLED_ROLES = ""
ROLLED_NOVELTY = -2
"""What a rollup level that drops the year (the roles, the novelty) holds in that column."""
NO_NOVELTY_BAND = -1
"""The novelty band of a citing paper without a novelty score (``NO_NOVELTY``)."""
BANDS_PER_POINT = 2
"""Novelty bands per point of the score: a band is half a point (band ``floor(2 × score)``), so
that a minimum novelty on a whole or half point (6, 6.5) is a sum over the rollups."""

facet_rollups = Table(
    "facet_rollups",
    Base.metadata,
    *_counts(
        Column("hub_id", Integer, _cascade(), primary_key=True),
        Column("level", Integer, primary_key=True),
        # Next in the key: a minimum novelty reads a range of a level's rows, not all of them.
        Column("novelty", Integer, primary_key=True),
    ),
    sqlite_with_rowid=False,
)
"""The facet cells of a hub summed over the year, over the roles, or over both (levels 1, 2
and 3 of ROLLUP_LEVELS): a few hundred to a few thousand rows where a hub of a million
citations has tens of thousands of cells, so that counts needing neither dimension are sums
over these (see store/facets.py); levels 4-6 are the same split by novelty band (the half
points of the novelty score: BANDS_PER_POINT; ``NO_NOVELTY_BAND`` without one), some tens of
thousands of rows at 1M. Kept by the same deltas as the cells."""

visits = Table(
    "visits",
    Base.metadata,
    Column("paper_id", Integer, _cascade(), primary_key=True),
    Column("last_opened", DateTime, nullable=False),
)
"""When each hub was last opened, for "new since last visit"."""


OWNER_LENGTH = 128
"""Room for an owner's name: a PostgreSQL role (at most 63 bytes) or an operating system user."""

marks = Table(
    "marks",
    Base.metadata,
    Column("owner", String(OWNER_LENGTH), primary_key=True),
    Column("paper_id", Integer, _cascade(), primary_key=True),
    Column("starred", Boolean, nullable=False, default=False),
    Column("starred_at", DateTime, nullable=True),
    Column("read", Boolean, nullable=False, default=False),
    Column("read_at", DateTime, nullable=True),
    Column("note", Text, nullable=False, default=""),
    Column("note_at", DateTime, nullable=True),
    Column("verdict", String(64), nullable=True),
    Column("verdict_at", DateTime, nullable=True),
    Column("changed_at", DateTime, nullable=False),
    sqlite_with_rowid=False,
)
"""The reader's own layer of each paper (store/mine.py): a star, a read mark, a note and their
own verdict, each with when it last changed (the newer change of a field wins when layers are
merged). Keyed by the owner (PostgreSQL's ``current_user``, else the operating system user) and
the paper, apart from everything a source writes; on PostgreSQL each role sees only its own rows
(row-level security). Nothing an import does changes a row; merging two papers moves it."""

saved_views = Table(
    "saved_views",
    Base.metadata,
    Column("owner", String(OWNER_LENGTH), primary_key=True),
    Column("hub_key", Integer, primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("filters", JSON, nullable=False),
    Column("sort", String(32), nullable=False),
    Column("descending", Boolean, nullable=False),
    Column("changed_at", DateTime, nullable=False),
)
"""Filters, search and sort the reader named, for one hub (``hub_key``, its paper id) or for
every hub (``hub_key`` 0), each row its owner's like ``marks``."""

MARK_FIELDS = ("starred", "read", "note", "verdict")
"""The fields of a mark, each with its own ``<field>_at``."""


def _newer(field: str) -> str:
    """SQL for an ON CONFLICT update of one field of ``marks``: the incoming value when it
    changed later than the stored one."""
    at = f"{field}_at"
    wins = f"excluded.{at} IS NOT NULL AND (marks.{at} IS NULL OR excluded.{at} > marks.{at})"
    return f"{field} = CASE WHEN {wins} THEN excluded.{field} ELSE marks.{field} END"


KEEP_NEWER = ", ".join(
    [_newer(field) for field in MARK_FIELDS]
    + [f"{field}_at = CASE WHEN marks.{field}_at IS NULL OR excluded.{field}_at > marks.{field}_at "
       f"THEN excluded.{field}_at ELSE marks.{field}_at END" for field in MARK_FIELDS]
    + ["changed_at = CASE WHEN excluded.changed_at > marks.changed_at THEN excluded.changed_at ELSE marks.changed_at END"]
)  # fmt: skip
"""The SET list that merges an incoming mark into a stored one, field by field."""

MARK_NAMES = ("owner", "paper_id", *MARK_FIELDS, *(f"{field}_at" for field in MARK_FIELDS), "changed_at")

MOVE_MARKS = (
    f"INSERT INTO marks ({', '.join(MARK_NAMES)}) "
    f"SELECT owner, :new_id, {', '.join(MARK_NAMES[2:])} FROM marks WHERE paper_id = :old_id AND true "
    f"ON CONFLICT (owner, paper_id) DO UPDATE SET {KEEP_NEWER}; "
    "DELETE FROM marks WHERE paper_id = :old_id; "
    "UPDATE saved_views SET hub_key = :new_id WHERE hub_key = :old_id AND NOT EXISTS "
    "(SELECT 1 FROM saved_views AS s WHERE s.owner = saved_views.owner AND s.hub_key = :new_id "
    "AND s.name = saved_views.name)"
)
"""Every owner's marks and views of paper ``old_id`` merged into theirs of ``new_id``, three
statements (the ``AND true`` keeps SQLite from reading ON CONFLICT as a join's ON)."""

MOVE_MARKS_FUNCTION = (
    "CREATE FUNCTION pithtui_move_marks(old_id integer, new_id integer) RETURNS void "
    "LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS $$ "
    + MOVE_MARKS.replace(":new_id", "new_id").replace(":old_id", "old_id")
    + " $$"
)
"""PostgreSQL: :data:`MOVE_MARKS` as a function run as the store's owner, whom row-level
security lets past: a role merging two papers would see only its own marks."""


OWN_ROWS = ("marks", "saved_views")
"""The tables whose rows belong to one owner each."""

_OWN_ROWS_DDL = tuple(
    statement
    for name in OWN_ROWS
    for statement in (
        f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY {name}_own ON {name} USING (owner = current_user) WITH CHECK (owner = current_user)",
    )
)
"""PostgreSQL: each role reads and writes only its own rows of the reader's tables. The tables'
owner (who created the store) is let past, so that :data:`MOVE_MARKS_FUNCTION` can move every
role's marks; pithtui's own questions name the owner of the layer, so it sees only its own."""

for _statement in (*_OWN_ROWS_DDL, MOVE_MARKS_FUNCTION):
    event.listen(Base.metadata, "after_create", DDL(_statement.replace("%", "%%")).execute_if(dialect="postgresql"))


def _accent_table() -> dict[int, str]:
    """Latin letters with diacritics → the plain letter (é → e), as FTS5's remove_diacritics folds."""
    table: dict[int, str] = {}
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        plain = "".join(c for c in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(c))
        if len(plain) == 1 and plain != chr(code):
            table[code] = plain
    return table


UNACCENT = _accent_table()
"""What PostgreSQL's search folds (as ``str.translate`` takes it), like FTS5 on SQLite."""
_PG_ACCENTS = ("".join(map(chr, UNACCENT)), "".join(UNACCENT.values()))
_PG_SEPARATORS = r"[[:space:][:punct:]!-/:-@[-`{-~]+"
"""Runs of spaces, punctuation and ASCII symbols: what separates words in a search."""


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def pg_words(column: str) -> str:
    """PostgreSQL's full-text document of the text column ``column``, as SQL: its words the way
    ``pithtui.text.search_terms`` splits a query (its own parser would keep "GPT-4" as "gpt" and
    "-4"), accents folded as FTS5 folds them. A text with no letter beyond ASCII skips the folding:
    ``translate`` with the accent table looks each character up in the whole table, which every
    import and every rewrite of the table would pay for nothing."""
    text = f"coalesce({column}, '')"
    spaced = f"regexp_replace({text}, {_sql_text(_PG_SEPARATORS)}, ' ', 'g')"
    folded = f"translate({spaced}, {_sql_text(_PG_ACCENTS[0])}, {_sql_text(_PG_ACCENTS[1])})"
    return f"to_tsvector('simple', CASE WHEN {text} ~ '[^\\x01-\\x7f]' THEN {folded} ELSE {spaced} END)"


WORD_COLUMNS = {"title": "title_words", "summary": "summary_words"}
"""PostgreSQL's stored word documents of titles and summaries (``pg_words``), by text column:
generated columns that PostgreSQL keeps in step, with a GIN index each. A search tests a paper
against these as often as it meets one (walking a hub in date order), where computing the
expressions for each paper would cost hundreds of times more. Made by DDL of their own (below), like SQLite's FTS5 table: they are not
columns ``papers`` declares, so nothing but PostgreSQL ever writes or reads them by accident."""

_PG_WORDS_DDL = tuple(
    f"ALTER TABLE papers ADD COLUMN {words} tsvector GENERATED ALWAYS AS ({pg_words(text)}) STORED"
    for text, words in WORD_COLUMNS.items()
) + tuple(f"CREATE INDEX ix_papers_{words} ON papers USING gin ({words})" for words in WORD_COLUMNS.values())
for _statement in _PG_WORDS_DDL:
    event.listen(Base.metadata, "after_create", DDL(_statement.replace("%", "%%")).execute_if(dialect="postgresql"))


# Full-text search on SQLite: an external-content FTS5 table over titles and summaries (words
# folded to lower case without accents, with prefix indexes so that a word typed so far matches
# at once). Triggers keep it in step when papers change or go; new papers are added to it by
# the repository in one executemany after inserting them (FTS_INSERT), which is ten times
# faster than a per-row insert trigger. PostgreSQL uses stored tsvectors (WORD_COLUMNS).
FTS_INSERT = "INSERT INTO papers_fts(rowid, title, summary) VALUES (:id, :title, :summary)"
"""Adds new papers to the SQLite full-text index (bound by name: id, title, summary)."""

FTS_TOKENIZER = "unicode61 remove_diacritics 2"
"""How the SQLite full-text index splits and folds words (store/textmatch.py does the same)."""

_FTS_DDL = (
    "CREATE VIRTUAL TABLE papers_fts USING fts5("
    "title, summary, content='papers', content_rowid='id', "
    f"tokenize='{FTS_TOKENIZER}', prefix='2 3')",
    "CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN "
    "INSERT INTO papers_fts(papers_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary); END",
    "CREATE TRIGGER papers_fts_update AFTER UPDATE OF title, summary ON papers BEGIN "
    "INSERT INTO papers_fts(papers_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary); "
    "INSERT INTO papers_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary); END",
)
for _statement in _FTS_DDL:
    event.listen(Base.metadata, "after_create", DDL(_statement).execute_if(dialect="sqlite"))

version_table = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)
"""Where a store records its revision: Alembic's own table (kept out of ``Base.metadata``)."""
