"""HubRepository: every question the faces ask of the store, answered in SQL.

It speaks domain types only (``pithtui.models``): callers never see a row, a Session or a
Connection. Facet counts, "Showing N of M", sorting, keyset paging and search are all done by
the database; nothing here loads every citing paper of a hub to count or filter it.

An import is stored through :meth:`HubRepository.upsert`, whose writing is in store/upsert.py;
how papers map to rows and back, which both sides need, is in store/rows.py.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Connection,
    String,
    and_,
    case,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    true,
    tuple_,
)
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from pithtui.errors import Cancelled, StoreError, UnknownPaper
from pithtui.identifiers import parse_reference
from pithtui.models import (
    Citation,
    CitingPaper,
    Cursor,
    Facets,
    FacetValue,
    Filters,
    HubSummary,
    ImportResult,
    Page,
    Paper,
    PaperListing,
    SortKey,
)
from pithtui.store.bulk import RowInsert
from pithtui.store.facets import (
    CITATIONS,
    FACETS,
    NO_YEAR,
    Source,
    band_range,
    cells_answer,
    cells_for,
    conditions,
    cube,
    dialect_insert,
    dimensions,
    facets_query,
    indexed,
    novelty_split,
    roles_from_key,
    total_query,
)
from pithtui.store.labels import context_labels, labeller
from pithtui.store.relabel import contexts_text, count_pending, label_batch, pending
from pithtui.store.rows import PAPER_COLUMNS, as_stored, as_tuple, paper_from, title_key
from pithtui.store.schema import (
    NO_NOVELTY_BAND,
    SCHEMA_REVISION,
    SORT_INDEX_NAMES,
    UNACCENT,
    WORD_COLUMNS,
    citations,
    meta,
    papers,
    utcnow,
    version_table,
    visits,
)
from pithtui.store.textmatch import text_matcher
from pithtui.store.upsert import BatchPapers, Upsert
from pithtui.text import search_terms

PAPERS_FTS = table("papers_fts", column("rowid"))
_FTS_MATCH: ColumnClause[Any] = literal_column("papers_fts")

if TYPE_CHECKING:  # the scoring code is loaded only where it runs
    from pithtui.classifier import Classifier


IDENTIFIER_COLUMNS = ("arxiv_id", "doi", "s2_id", "corpus_id", "openalex_id")

SORT_COLUMNS = {
    SortKey.DATE: citations.c.citing_date,
    SortKey.NOVELTY: citations.c.citing_novelty,
    SortKey.TITLE: citations.c.citing_title,
    SortKey.CATEGORY: citations.c.citing_category,
    SortKey.VERDICT: citations.c.citing_verdict,
    SortKey.POLARITY: citations.c.polarity_key,
    SortKey.CONTRAST: citations.c.contrast,
}

SORT_INDEXES = {key: SORT_INDEX_NAMES[column.name] for key, column in SORT_COLUMNS.items()}
"""The index of ``citations`` that keeps each sort order (see schema.sort_index)."""

JUMP_GROUPS = {
    SortKey.DATE: "year",
    SortKey.NOVELTY: "novelty",
    SortKey.CATEGORY: "category",
    SortKey.VERDICT: "verdict",
    SortKey.POLARITY: "polarity",
}
"""The dimension of the facet cells whose groups follow each sort order, for jumps (see
``HubRepository._jump_start``); the title order has none."""
CITING_INDEX = "ix_cit_citing"
SEEN_INDEX = "ix_cit_hub_seen"
CUBE_INDEX = "ix_cit_hub_cube"
LISTING_INDEX = "ix_papers_listing"
PAPERS_LISTING = ("papers",)
"""The papers listing (most cited first), as the listing a walk under a search gave up on."""
FEW_MATCHES = 2_000
"""A search matching at most this many papers lists them from the matching papers (their
citations by ``citing_id``, sorted); one matching more walks the sort order testing each
citation against the matches, which finds a page sooner (see ``HubRepository._page_index``).
Measured at 1M citing papers: 4k matches 18 ms vs 11 ms, 70k matches 225 ms vs 17 ms."""
SMALL_HUB = 5_000
SMALL_SHARE = 20
"""Under a search that more than FEW_MATCHES papers of the store match, the matches among the
citing papers of a hub of at most SMALL_HUB, in a store of more than SMALL_SHARE times as many
papers, are found by testing those papers' texts in Python (~4 µs each, as a walk does) rather
than from the full-text index's list of every match in the store (~0.3 µs a match; "co" matches
669k of 1.2M papers). At 124k papers, a hub of 500 under "co": count 43 -> 5 ms, facets 70 ->
7.5 ms."""
FEW_MATCHES_TO_GROUP = 150_000
"""Up to this many matching papers, facet counts under a search group the matching papers'
citations (by ``citing_id``); past it, walking the whole hub in cell order is cheaper (at 1M:
12k matches 49 ms vs 318 ms, 323k matches 921 ms vs 775 ms)."""
WALK_CHUNK = 128
WALK_CHUNK_MAX = 2_048
WALK_LIMIT = 4_096
WALK_PAGE = 101
"""A page under a search is first looked for by walking the sort order and testing each paper's
text (``_walk``): a first chunk of WALK_CHUNK citations (or twice the rows wanted), then chunks
sized by the rate of matches so far (half as much again as that rate needs, up to
WALK_CHUNK_MAX), so that a page a few rows short takes a few more rows, not a doubled chunk (a
word in ~45 % of the papers, a page of 100: the papers search 6 -> 3.6 ms at 1k, 7 -> 4.4 ms at
1M). As soon as the matches found so far say that the page
would take more than WALK_LIMIT citations for WALK_PAGE rows (~30 ms), or as many times fewer
for fewer rows (the explorer's first rows in view, 32 with the one after, give up past 1,297:
at 100k citing papers a word in 1-2 % of them had walked 25-60 ms for those, where the full-text
index answers in ~8), the full-text index lists the matching
papers instead: a rare word costs one chunk more, once (~1 ms for the explorer's first rows: a
first chunk of 128, not 256, put a rare word's rows on screen at 1M 19 -> 16 ms), and never again
for the same search typed further (it matches no more papers, and goes to the index at once:
``HubRepository._gave_up``). A common
one costs the few hundred citations walked, where the index's list of every match costs ~0.3 µs
a match and a word being typed must first be merged from every word it starts (at 1M,
"collapse", 543k matches: 170 ms -> 8 ms for a page of 100)."""
FEW_TO_SORT = 20_000
NARROW_SHARE = 20
"""A page under a category, verdict or polarity filter whose values hold at most FEW_TO_SORT
of the hub's citations, and under one in NARROW_SHARE of them, reads those citations through
that column's own index and sorts them, instead of walking the sort order past every citation
the filter leaves out. At 1M, cs.CV + RETRACTED (10k RETRACTED): 640 ms -> 2 ms for a page."""
NARROWING_FACETS = {"categories": SortKey.CATEGORY, "verdicts": SortKey.VERDICT, "polarities": SortKey.POLARITY}
"""The filters (by Filters field) whose column leads an index of its own: its sort index."""


class _SQLiteCompiler(SQLiteCompiler):
    """SQLite's compiler, rendering table hints (``INDEXED BY``) after the table they name."""

    def get_from_hint_text(self, table: Any, text: str | None) -> str | None:
        return text


HOW_CITED = (
    citations.c.roles_key,
    citations.c.polarity_key,
    citations.c.influential,
    citations.c.representative,
    as_stored(citations.c.contexts),
    citations.c.source,
    as_stored(citations.c.first_seen, String),
    citations.c.source_roles_key,
    citations.c.polarity,
    citations.c.label_model,
    as_stored(citations.c.model_roles),
    citations.c.model_score,
    as_stored(citations.c.model_contexts),
)
"""The citation columns of a citing paper's row, after its paper's (``HubRepository._rows_query``)."""
_how_cited = operator.itemgetter(*range(len(PAPER_COLUMNS), len(PAPER_COLUMNS) + len(HOW_CITED)))
"""A row's HOW_CITED values, taken by position."""


def _citing_paper(row: Any) -> CitingPaper:
    """The CitingPaper of a row of ``HubRepository._rows_query``, its citation's columns taken
    by position (by name, the look-ups cost ~5 µs a row, a third of building it)."""
    (
        roles, polarity, influential, representative, contexts, source, first_seen,
        source_roles, source_polarity, model_id, model_roles, model_score, model_contexts,
    ) = _how_cited(row)  # fmt: skip
    if source_roles or not model_roles:
        roles_of, roles_by = roles_from_key(roles), labeller(source, model_id, by_source=bool(source_roles))
    else:  # the model's, most likely first
        roles_of, roles_by = tuple(role for role, _ in as_tuple(model_roles)), labeller(source, model_id, by_source=False)
    by_source = bool(source_polarity)
    return CitingPaper(
        paper_from(row),
        roles_of,
        polarity or None,
        bool(influential),
        bool(representative),
        as_tuple(contexts),
        source,
        _moment(first_seen),
        roles_by if roles_of else None,
        labeller(source, model_id, by_source=by_source) if polarity else None,
        None if by_source else model_score,
        context_labels(as_tuple(model_contexts)),
        model_id,
    )


def _moment(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


T = TypeVar("T")

WRITE_LOCK = 0x7069_7468_7475_6901
"""The PostgreSQL advisory lock pithtui's writers take in turn (``pithtui`` in ASCII, then 1)."""


def begin_writing(conn: Connection, *, serialize: bool = True) -> None:
    """Make the transaction just begun on ``conn`` a writer's from its first statement.

    SQLite: take the store's write lock now (``BEGIN IMMEDIATE``, waiting up to the busy
    timeout), so that nothing the transaction reads can change before it writes; otherwise two
    imports read "not stored yet" side by side and the second fails on the first's papers.
    PostgreSQL (``serialize``): wait until no other pithtui writer is in a transaction (an
    advisory lock held to commit), for the same reason. Readers are never blocked on either.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif serialize and conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(WRITE_LOCK)))


def fts_phrase(query: str) -> str:
    """The FTS5 query for a search box's text: each term (see ``pithtui.text.search_terms``) a
    phrase whose last word is a prefix, every phrase required. Quoted, so never syntax."""
    return " ".join('"' + " ".join(term) + '"*' for term in search_terms(query))


def _ordered(column: Any, descending: bool) -> tuple[Any, Any]:
    """ORDER BY a sort column, then the paper id (which breaks its ties): the keyset order of
    every page of citations."""
    paper_id = citations.c.citing_id
    return (column.desc(), paper_id.desc()) if descending else (column, paper_id)


def _past(column: Any, value: Any, paper_id: int, descending: bool) -> ColumnElement[bool]:
    """The citations after (``value``, ``paper_id``) in the keyset order of ``column``."""
    key, bound = tuple_(column, citations.c.citing_id), tuple_(value, paper_id)
    return key < bound if descending else key > bound


def _with_texts(*columns: Any) -> Any:
    """SELECT of ``columns`` of ``citations`` with each citing paper's title and summary: what
    a search tests in Python (a walk, a small hub's papers)."""
    return select(*columns, papers.c.title, papers.c.summary).select_from(
        citations.join(papers, papers.c.id == citations.c.citing_id)
    )


MEMO_SIZE = 256
"""Entries each of the repository's memos of query plans keeps before it is emptied."""


def _remember(memo: dict[Any, T], key: Any, value: T) -> T:
    """Keep ``value`` under ``key`` in one of the repository's memos (emptied when full)."""
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value
    return value


def _matcher(search: str) -> Callable[[str | None, str | None], bool]:
    """Whether a paper's title and summary match ``search``, as the full-text index answers."""
    return text_matcher(tuple(tuple(term) for term in search_terms(search)))


def _walk(conn: Connection, search: str, chunk_after: Callable[[Any, int, int], Any], wanted: int) -> list[Any] | None:
    """The first ``wanted`` rows of a listing whose ``title`` and ``summary`` match ``search``,
    walked in chunks sized by the matches so far (``chunk_after(last row walked or None, size, rows walked)``: the
    query of the next ``size`` rows) and tested in Python (store/textmatch.py), which answers as
    the full-text index does. None as soon as the matches come too seldom to find them within
    WALK_LIMIT rows for WALK_PAGE (a rare word), for the full-text index to answer instead."""
    matches = _matcher(search)
    found: list[Any] = []
    walked, chunk, last = 0, max(wanted * 2, WALK_CHUNK), None
    limit = WALK_LIMIT * wanted // WALK_PAGE  # as sparse as WALK_LIMIT allows a page of 100
    while True:
        rows = conn.execute(chunk_after(last, chunk, walked)).all()
        found += [row for row in rows if matches(row.title, row.summary)]
        walked += len(rows)
        if len(found) >= wanted or len(rows) < chunk:
            return found[:wanted]  # a page, or the listing's end
        if walked >= limit or len(found) * (limit - walked) < (wanted - len(found)) * walked:
            return None  # at this rate the rows would need more than ``limit`` rows walked
        last = rows[-1]
        at_this_rate = (wanted - len(found)) * walked // len(found)  # rows still to walk
        chunk = min(at_this_rate * 3 // 2 + 1, WALK_CHUNK_MAX)


def describe_db_error(exc: DBAPIError, label: str) -> str:
    """One line a user can act on, for a database error on the store called ``label``."""
    text = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    low = text.lower()
    if "locked" in low or "busy" in low:
        return f"{label} is locked by another program; nothing was changed, try again when it finishes"
    if "readonly" in low or "read-only" in low:
        return f"{label} is read-only; nothing was written (make it writable or choose another store with --db)"
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return f"{label} is corrupt ({text}); move it aside or choose another store with --db"
    if "unable to open" in low:
        return f"cannot open {label} ({text}); check the path and its permissions"
    if "connection" in low or "could not connect" in low or "password" in low:
        return f"cannot connect to {label}: {text}"
    if "permission denied" in low:
        return f"{label}: {text}; ask the database's owner for access, or choose another store with --db"
    return f"{label}: {text}"


_caller = threading.local()
"""Per thread: ``cancelled``, the predicate set by :meth:`HubRepository.cancel_when`."""

PROGRESS_STEPS = 20_000
"""SQLite virtual machine steps between two checks of a cancellable query (well under a ms)."""


def _cancelled() -> bool:
    predicate = getattr(_caller, "cancelled", None)
    return predicate is not None and bool(predicate())


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Turn any database error raised by ``method`` into a one-line StoreError (or Cancelled,
    when a cancellable call was interrupted because its caller gave up on it)."""

    @functools.wraps(method)
    def wrapper(self: HubRepository, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except DBAPIError as exc:
            if _cancelled() and "interrupt" in str(exc.orig).lower():
                raise Cancelled() from None
            raise StoreError(describe_db_error(exc, self.label)) from None

    return wrapper


class HubRepository:
    """The only door to a pithtui store. Thread-safe: the TUI calls it from worker threads."""

    def __init__(self, engine: Engine, *, label: str = "the store", is_default: bool = False) -> None:
        self.engine = engine
        self.label = label
        self.is_default = is_default
        if engine.dialect.name == "sqlite":
            engine.dialect.statement_compiler = _SQLiteCompiler  # this engine's only
        self._inserts: dict[tuple[str, tuple[str, ...]], RowInsert] = {}
        """The bulk INSERT of each table's new rows (by table and columns), compiled for this
        engine on first use."""
        self._match_counts: dict[str, tuple[int, int]] = {}
        """Papers matching a search and how far they were counted (see :meth:`_match_count`), by search text:
        only ever used to choose a query plan, so a count another program's import has since changed costs time,
        never a wrong answer."""
        self._hub_sizes: dict[int, int] = {}
        """How many citing papers each hub had when first asked (see SMALL_HUB): a choice of plan."""
        self._papers_held: int | None = None
        """About how many papers the store held when first asked (see SMALL_SHARE): a choice of plan."""
        self._narrowest: dict[tuple[int, Filters], str | None] = {}
        """The index a page under some facet filters reads through (see :meth:`_narrowing_index`),
        by hub and those filters; like the match counts, only ever a choice of plan."""
        self._gave_up: tuple[tuple[Any, ...], str] | None = None
        """The last listing whose walk gave up (see :meth:`_walk_gave_up`): what it listed but the
        search (hub, other filters, sort, order; or PAPERS_LISTING), and the search in lower case
        (as its terms are)."""

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        if _cancelled():
            raise Cancelled()
        with self.engine.connect() as conn:
            if getattr(_caller, "cancelled", None) is None or conn.dialect.name != "sqlite":
                yield conn
                return
            raw = conn.connection.dbapi_connection
            assert raw is not None  # an open connection has its DBAPI connection
            raw.set_progress_handler(_cancelled, PROGRESS_STEPS)  # a true answer interrupts the query
            try:
                yield conn
            finally:
                raw.set_progress_handler(None, 0)

    @contextmanager
    def cancel_when(self, cancelled: Callable[[], bool]) -> Iterator[None]:
        """Make the calls this thread makes inside stop soon after ``cancelled()`` turns true,
        raising :class:`~pithtui.errors.Cancelled`: a running SQLite query is interrupted (the
        predicate is asked every few thousand steps), on other backends the next query is not
        started. For callers that may be overtaken by a newer question, such as the TUI's
        workers while the user types a search."""
        previous = getattr(_caller, "cancelled", None)
        _caller.cancelled = cancelled
        try:
            yield
        finally:
            _caller.cancelled = previous

    @contextmanager
    def _write(self, *, serialize: bool = True) -> Iterator[Connection]:
        """One transaction that writes, committed at the end (see :func:`begin_writing`)."""
        with self.engine.begin() as conn:
            begin_writing(conn, serialize=serialize)
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ papers

    @_guarded
    def is_empty(self) -> bool:
        with self._read() as conn:
            return conn.execute(select(papers.c.id).limit(1)).first() is None

    @_guarded
    def paper(self, paper_id: int) -> Paper:
        with self._read() as conn:
            row = conn.execute(select(*PAPER_COLUMNS).where(papers.c.id == paper_id)).first()
        if row is None:
            raise UnknownPaper(f"#{paper_id}")
        return paper_from(row)

    @_guarded
    def resolve(self, ref: str) -> Paper:
        """The paper ``ref`` names: an arXiv id, DOI, Semantic Scholar or OpenAlex id, or title
        words (the exact title first, then the most cited paper whose title has every word)."""
        parsed = parse_reference(ref)
        if parsed.column is None and not str(parsed.value):
            raise UnknownPaper(ref)
        with self._read() as conn:
            if parsed.column is not None:
                column = papers.c[parsed.column]
                query = select(*PAPER_COLUMNS).where(column == parsed.value)
            else:
                exact = case((papers.c.title_key == title_key(str(parsed.value)), 0), else_=1)
                query = (
                    select(*PAPER_COLUMNS)
                    .where(self._text_match(str(parsed.value), title_only=True))
                    .order_by(exact, papers.c.citing_count.desc(), papers.c.id)
                    .limit(1)
                )
            row = conn.execute(query).first()
        if row is None:
            raise UnknownPaper(ref)
        return paper_from(row)

    @_guarded
    def list_papers(self, search: str = "", *, limit: int | None = 100) -> list[PaperListing]:
        """Papers in the store, most cited first; ``search`` matches an identifier exactly or
        words in titles and summaries."""
        listing = select(*PAPER_COLUMNS, papers.c.citing_count).order_by(
            papers.c.citing_count.desc(), papers.c.title_key, papers.c.id
        )
        query, words = listing, ""
        if search.strip():
            parsed = parse_reference(search)
            if parsed.column is not None:
                query = query.where(papers.c[parsed.column] == parsed.value)
            else:
                words = str(parsed.value)
                query = query.where(self._text_match(words))
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            if conn.dialect.name == "sqlite" and (not search.strip() or search_terms(words)):
                # The listing order is an index (most cited first). Under a search it is first
                # walked testing each paper's text (see WALK_LIMIT) until a page of matches (at
                # 1.2M papers, "collapse": 140 -> 3.5 ms); if they come too seldom, or with no
                # search, it is read in order through its index, where sorting every matching
                # paper would not give the first page at once; a search that few papers match
                # is quicker from those papers (by rowid), then sorted.
                in_order = listing.with_hint(papers, f"INDEXED BY {LISTING_INDEX}", "sqlite")
                if limit is not None and search_terms(words) and not self._walk_gave_up(PAPERS_LISTING, words):
                    walked = _walk(conn, words, lambda last, size, skip: in_order.limit(size).offset(skip), limit)
                    if walked is not None:
                        return [PaperListing(paper_from(row), row.citing_count) for row in walked]
                    self._gave_up = (PAPERS_LISTING, words.lower())
                few = bool(search_terms(words)) and self._match_count(conn, words, FEW_MATCHES) <= FEW_MATCHES
                hint = "NOT INDEXED" if few else f"INDEXED BY {LISTING_INDEX}"
                query = query.with_hint(papers, hint, "sqlite")
            return [PaperListing(paper_from(row), row.citing_count) for row in conn.execute(query)]

    # ------------------------------------------------------------------ hub header

    @_guarded
    def hub(self, paper_id: int) -> HubSummary:
        """The hub header: the paper, its stored citing count (kept on the paper row at import)
        and how many of its citations wait for polarity (summed from its facet cells)."""
        with self._read() as conn:
            row = conn.execute(select(*PAPER_COLUMNS, papers.c.citing_count).where(papers.c.id == paper_id)).first()
            if row is None:
                raise UnknownPaper(f"#{paper_id}")
            cells = cells_for({"polarity"})
            assert cells is not None  # the rollups keep the polarity
            unclassified = conditions(cells, paper_id, Filters(polarities=frozenset({None})))
            pending = conn.execute(total_query(cells, unclassified)).scalar_one()
        return HubSummary(paper=paper_from(row), citing_count=row.citing_count, polarity_unclassified=pending)

    def _text_match(self, query: str, *, title_only: bool = False) -> ColumnElement[bool]:
        """Papers whose title (and, unless ``title_only``, summary) matches every term of
        ``query`` (see :func:`pithtui.text.search_terms`), from the full-text index of the
        backend: FTS5 on SQLite, a tsvector on PostgreSQL. The query is always a bound parameter."""
        terms = search_terms(query)
        if not terms:
            return true()
        if self.engine.dialect.name == "sqlite":
            return papers.c.id.in_(self._matching_ids(query, title_only=title_only))
        # PostgreSQL: each text as words the way search_terms splits the query (its own parser
        # would keep "GPT-4" as "gpt" and "-4", "1.5B" as "1.5" and "b"), accents folded as FTS5
        # folds them, and every term found within the title or within the summary.
        # The documents are the stored words of schema.WORD_COLUMNS, which GIN indexes hold.
        simple: ColumnClause[Any] = literal_column("'simple'")
        documents: list[ColumnClause[Any]] = [
            literal_column(f"papers.{WORD_COLUMNS[name]}") for name in (("title",) if title_only else ("title", "summary"))
        ]
        matches = []
        for term in terms:
            words = [word.translate(UNACCENT) for word in term]
            tsquery = func.to_tsquery(simple, " <-> ".join(words[:-1] + [words[-1] + ":*"]))
            matches.append(or_(*(document.op("@@")(tsquery) for document in documents)))
        return and_(*matches)

    def _matching_ids(self, query: str, *, title_only: bool = False) -> Any:
        """SELECT of the ids of the papers matching ``query`` (see :meth:`_text_match`): on SQLite
        straight from the FTS5 index, with no detour through ``papers``."""
        if self.engine.dialect.name != "sqlite":
            return select(papers.c.id).where(self._text_match(query, title_only=title_only))
        phrase = fts_phrase(query)
        if title_only:
            phrase = f"title : ({phrase})"
        return select(PAPERS_FTS.c.rowid).where(_FTS_MATCH.op("MATCH")(phrase))

    # ------------------------------------------------------------------ filters and facets

    def _passing(self, conn: Connection, hub_id: int, f: Filters) -> list[ColumnElement[bool]]:
        """WHERE clauses on ``citations`` for the filters the facet cells cannot answer (minimum
        novelty, new since, search)."""
        c = citations.c
        conds = []
        if f.min_novelty is not None:
            conds.append(c.citing_novelty >= f.min_novelty)
        if f.new_since is not None:
            conds.append(c.first_seen > f.new_since)
        return conds + self._searched(conn, hub_id, f.search)

    def _searched(self, conn: Connection, hub_id: int, search: str) -> list[ColumnElement[bool]]:
        """The WHERE clause on ``citations`` of a search (none when it has no words): the papers
        the full-text index lists, or, for a small hub and a common word, those of the hub's
        that match, tested in Python (see SMALL_HUB)."""
        if not search_terms(search):
            return []
        if self._tested_here(conn, hub_id, search):
            c = citations.c
            matches = _matcher(search)
            texts = _with_texts(c.citing_id).where(c.cited_id == hub_id)
            return [c.citing_id.in_([row.citing_id for row in conn.execute(texts) if matches(row.title, row.summary)])]
        return [citations.c.citing_id.in_(self._matching_ids(search))]

    def _tested_here(self, conn: Connection, hub_id: int, search: str) -> bool:
        """Whether a search's matches among a hub's citing papers are tested in Python (see
        SMALL_HUB)."""
        if conn.dialect.name != "sqlite":
            return False
        size = self._hub_size(conn, hub_id)
        if size > SMALL_HUB or self._papers_in_store(conn) <= size * SMALL_SHARE:
            return False
        return self._match_count(conn, search, FEW_MATCHES) > FEW_MATCHES

    def _papers_in_store(self, conn: Connection) -> int:
        """About how many papers the store holds (the highest id), as first asked: a choice of plan."""
        if self._papers_held is None:
            self._papers_held = int(conn.execute(select(func.max(papers.c.id))).scalar_one() or 0)
        return self._papers_held

    def _hub_size(self, conn: Connection, hub_id: int) -> int:
        size = self._hub_sizes.get(hub_id)
        return size if size is not None else _remember(self._hub_sizes, hub_id, self._total(conn, hub_id, Filters()))

    def _conditions(self, conn: Connection, hub_id: int, f: Filters, skip: str | None = None) -> list[ColumnElement[bool]]:
        """WHERE clauses on ``citations`` for ``f``; ``skip`` names a facet whose own filter is left
        out (each facet's counts apply every other filter)."""
        return conditions(CITATIONS, hub_id, f, skip) + self._passing(conn, hub_id, f)

    def _counting(
        self, conn: Connection, hub_id: int, f: Filters, skip: str | None = None
    ) -> tuple[Any, list[ColumnElement[bool]]]:
        """Where counts under ``f`` come from: the facet cells when they can answer, else the
        citations; with the conditions for that source."""
        if cells_answer(f):
            cells = cells_for(dimensions(f) | ({skip} if skip else set()))
            assert cells is not None  # cells_answer(f): stored cells keep what each facet needs
            return cells, conditions(cells, hub_id, f, skip)
        return CITATIONS, self._conditions(conn, hub_id, f, skip)

    def _counting_index(self, conn: Connection, hub_id: int, f: Filters, *, grouped: bool = False) -> str | None:
        """The index to count the citations passing ``f`` through on SQLite, when the cells
        cannot answer (None: the planner's choice).

        A search is counted from the matching papers' ids, looked up in the (hub, citing paper)
        key, which is the planner's own choice; grouped into a cube of cells, a rare search (or
        a small hub's matches, tested in Python) reads the matching papers' citations by
        ``citing_id``. The citations first seen lately
        come from their own index. Grouped into a cube, anything else walks the hub in cell
        order (``ix_cit_hub_cube``: no sorting); counted, a range of a sort index holding every
        filter column (minimum novelty, date range), so that no row is read.
        """
        if conn.dialect.name != "sqlite":
            return None
        if search_terms(f.search):
            few = (
                self._tested_here(conn, hub_id, f.search)
                or self._match_count(conn, f.search, FEW_MATCHES_TO_GROUP) <= FEW_MATCHES_TO_GROUP
            )
            return CITING_INDEX if grouped and few else None
        if f.new_since is not None:
            return SEEN_INDEX
        if grouped:
            return CUBE_INDEX
        return SORT_INDEXES[SortKey.NOVELTY if f.min_novelty is not None else SortKey.DATE]

    def _total(self, conn: Connection, hub_id: int, f: Filters) -> int:
        split = novelty_split(f)
        if split is not None:
            between = total_query(
                CITATIONS, self._conditions(conn, hub_id, split.rest) + self._scored_between(split.low, split.high)
            )
            return self._total(conn, hub_id, split.whole) + int(
                conn.execute(indexed(between, self._novelty_index(conn))).scalar_one()
            )
        source, conds = self._counting(conn, hub_id, f)
        query = total_query(source, conds)
        if source is CITATIONS:
            query = indexed(query, self._counting_index(conn, hub_id, f))
        return int(conn.execute(query).scalar_one())

    @staticmethod
    def _scored_between(low: float, high: float) -> list[ColumnElement[bool]]:
        """The citations whose citing paper's novelty score is from ``low`` up to ``high``."""
        c = citations.c
        return [c.citing_novelty >= low, c.citing_novelty < high]

    @staticmethod
    def _novelty_index(conn: Connection) -> str | None:
        """The index a range of novelty scores is read through on SQLite (None: the planner's)."""
        return SORT_INDEXES[SortKey.NOVELTY] if conn.dialect.name == "sqlite" else None

    @staticmethod
    def _stored_cells(f: Filters) -> Callable[[str], Source | None]:
        """Which stored cells answer each facet's counts under ``f`` (filters they answer)."""
        needed = dimensions(f)
        return lambda facet: cells_for(needed | {facet})

    @staticmethod
    def counts_at_once(filters: Filters) -> bool:
        """True when counting the rows under ``filters`` costs next to nothing (the facet cells
        answer it), so that it can come with a page; otherwise it is worth asking apart."""
        return cells_answer(filters)

    @_guarded
    def count(self, hub_id: int, filters: Filters = Filters()) -> int:
        """How many citing papers of the hub match ``filters`` (the M of "Showing N of M")."""
        with self._read() as conn:
            return self._total(conn, hub_id, filters)

    @_guarded
    def facets(self, hub_id: int, filters: Filters = Filters()) -> Facets:
        """Counts of each role, polarity, verdict, category and year under the other filters,
        in one statement: sums over the hub's facet cells, or, under filters the cells cannot
        answer, over a cube of cells counted in one scan of the citations that pass them. A
        fractional minimum novelty takes two, added up (see ``facets.NoveltySplit``).

        Values the user has selected stay listed (with 0) even when nothing carries them now.
        """
        counted: dict[str, dict[Any, int]] = {facet: {} for facet in FACETS}
        with self._read() as conn:
            split = novelty_split(filters)
            parts: list[tuple[Callable[[str], Source | None], Filters]]
            if cells_answer(filters):
                parts = [(self._stored_cells(filters), filters)]
            elif split is not None:  # the cells from the next whole score up, and the scores below it
                below = cube(hub_id, split.rest, self._scored_between(split.low, split.high), self._novelty_index(conn))
                parts = [(self._stored_cells(split.whole), split.whole), (lambda _facet: below, split.rest)]
            else:
                counted_now = cube(
                    hub_id,
                    filters,
                    self._passing(conn, hub_id, filters),
                    self._counting_index(conn, hub_id, filters, grouped=True),
                )
                parts = [(lambda _facet: counted_now, filters)]
            for sources, part in parts:
                # Each facet's cells are stored (cells_answer, or the cube): none is None here.
                every_facet = cast(Callable[[str], Source], sources)
                for facet, value, n in conn.execute(facets_query(every_facet, hub_id, part)):
                    if facet == "year":
                        value = int(value) if value is not None else None
                    value = value or None
                    counted[facet][value] = counted[facet].get(value, 0) + int(n)

        def values(facet: str, selected: Iterable[Any] = (), *, by_value: bool = False) -> tuple[FacetValue, ...]:
            counts = dict(counted[facet])
            for chosen in selected:
                counts.setdefault(chosen, 0)
            if by_value:
                ordered = sorted(counts.items(), key=lambda kv: (kv[0] is None, -(kv[0] or 0)))
            else:
                ordered = sorted(counts.items(), key=lambda kv: (kv[0] is None, -kv[1], str(kv[0])))
            return tuple(FacetValue(v, n) for v, n in ordered)

        return Facets(
            role=values("role", filters.roles),
            polarity=values("polarity", filters.polarities),
            verdict=values("verdict", filters.verdicts),
            category=values("category", filters.categories),
            year=values("year", by_value=True),
        )

    # ------------------------------------------------------------------ pages of citing papers

    @staticmethod
    @functools.cache
    def _rows_query() -> Any:
        """The citing papers' rows, to be narrowed by the caller: built once (its thirty-odd
        columns cost ~0.3 ms to build, a tenth of a page)."""
        c = citations.c
        return select(
            *PAPER_COLUMNS,
            *HOW_CITED,
            c.id.label("citation_id"),
            *(col.label(f"sort_{key.value}") for key, col in SORT_COLUMNS.items()),
        ).select_from(citations.join(papers, papers.c.id == c.citing_id))

    @staticmethod
    def _citing_papers(rows: Sequence[Any]) -> list[CitingPaper]:
        return [_citing_paper(row) for row in rows]

    @_guarded
    def page(
        self,
        hub_id: int,
        filters: Filters = Filters(),
        sort: SortKey = SortKey.DATE,
        descending: bool = True,
        *,
        limit: int = 50,
        after: Cursor | None = None,
        before: Cursor | None = None,
        from_end: bool = False,
        offset: int = 0,
        with_total: bool = True,
    ) -> Page:
        """A window of citing papers in (sort key, paper id) order, by keyset position.

        ``after``/``before`` give the rows just after/before a cursor, ``from_end`` the last
        ``limit`` rows; ``offset`` skips rows (for jumps; keyset is the fast path): that many
        rows from the start, or, with ``before`` or ``from_end``, that many back from the end
        (a jump past the middle walks the shorter way).
        """
        column = SORT_COLUMNS[sort]
        unsearched = replace(filters, search="")
        backwards = before is not None or from_end
        reverse = descending != backwards
        order = _ordered(column, reverse)
        with self._read() as conn:
            conds = self._conditions(conn, hub_id, unsearched)  # the search's own condition comes below
            if after is not None:
                conds.append(_past(column, after.value, after.paper_id, descending))
            if before is not None:
                conds.append(_past(column, before.value, before.paper_id, not descending))
            fetched = None
            listing = (hub_id, unsearched, sort, reverse)
            if not offset and self._may_walk(conn, listing, filters):
                fetched = self._walked(conn, hub_id, filters.search, conds, column, reverse, SORT_INDEXES[sort], limit + 1)
                if fetched is None:
                    self._gave_up = (listing, filters.search.lower())
            if fetched is None:
                conds += self._searched(conn, hub_id, filters.search)
            index = self._page_index(conn, hub_id, sort, filters) if fetched is None else None
            past_the_end = False
            if fetched is None and offset:
                # A jump: find the row just before the window (in the direction read) by walking
                # the index alone (no row is read), then take the window next to it by keyset.
                within, skip = self._jump_start(conn, hub_id, filters, sort, reverse, offset - 1)
                skipped = select(column, citations.c.citing_id).where(*conds, *within).order_by(*order).offset(skip).limit(1)
                mark = conn.execute(indexed(skipped, index)).first()
                if mark is None:
                    past_the_end = True
                else:
                    conds.append(_past(column, mark[0], mark[1], reverse))
            if fetched is None:
                query = indexed(self._rows_query().where(*conds).order_by(*order).limit(limit + 1), index)
                # Result.all() is a list (SQLAlchemy's annotation says Sequence).
                fetched = [] if past_the_end else cast(list[Any], conn.execute(query).all())
            more = len(fetched) > limit
            fetched = fetched[:limit]
            if backwards:
                fetched.reverse()
            rows = self._citing_papers(fetched)
            total = self._total(conn, hub_id, filters) if with_total else -1
        sort_label = f"sort_{sort.value}"
        first = Cursor(getattr(fetched[0], sort_label), fetched[0].id) if fetched else None
        last = Cursor(getattr(fetched[-1], sort_label), fetched[-1].id) if fetched else None
        if backwards:
            has_before, has_after = more, before is not None or offset > 0
        else:
            has_before, has_after = after is not None or offset > 0, more
        return Page(tuple(rows), total, first, last, has_before, has_after)

    def _jump_start(
        self, conn: Connection, hub_id: int, f: Filters, sort: SortKey, reverse: bool, row: int
    ) -> tuple[list[ColumnElement[bool]], int]:
        """Where the walk to row ``row`` of a listing (in ``sort`` order, descending if
        ``reverse``) starts. The facet cells count the citations of each year, novelty band,
        category, verdict and polarity under the filters they answer, so in those orders the
        walk starts at the group the row falls in, and skips that group's rows before it, not
        every row before it; in title order, or under other filters, it skips ``row`` rows from
        the start. Returns the range to walk (WHERE clauses on ``citations``) and the rows to
        skip in it.

        At 1M citing papers over eleven years, a jump to the middle in date order walks ~45k
        index entries, not 500k. Each kind of group sorts as its citations do: the undated, the
        unscored, the uncategorised and the unclassified lowest."""
        dimension = JUMP_GROUPS.get(sort)
        if dimension is None or not cells_answer(f):
            return [], row
        cells = self._stored_cells(f)(dimension)
        if cells is None:
            return [], row
        group = cells.dimension(dimension)
        counted = select(group, cells.weight).select_from(cells.table).where(*conditions(cells, hub_id, f)).group_by(group)
        counts = {value: int(n) for value, n in conn.execute(counted)}
        before = 0
        for value in sorted(counts, reverse=reverse):
            if row < before + counts[value]:
                return [self._in_group(sort, value)], row - before
            before += counts[value]
        return [], row  # past the end: the walk finds nothing

    @staticmethod
    def _in_group(sort: SortKey, value: Any) -> ColumnElement[bool]:
        """The citations of one group the cells count (see :meth:`_jump_start`), as a range of
        ``sort``'s column: a year of ISO dates compared as text, a novelty band, or one value."""
        c = citations.c
        if sort is SortKey.DATE:
            return (
                c.citing_date == ""
                if value == NO_YEAR
                else and_(c.citing_date >= f"{value:04d}", c.citing_date < f"{value + 1:04d}")
            )
        if sort is SortKey.NOVELTY:
            return c.citing_novelty < 0 if value == NO_NOVELTY_BAND else and_(*HubRepository._scored_between(*band_range(value)))
        return SORT_COLUMNS[sort] == value

    def _page_index(self, conn: Connection, hub_id: int, sort: SortKey, f: Filters) -> str | None:
        """The index a page of citations is read through on SQLite (None: the planner's choice).

        Normally the sort key's own index, walked in order, every filter tested on the index
        entry (the filter columns are in it) until the page is full: a page costs the rows it
        skips, not the hub. A search that few papers match instead starts from the matching
        papers (their citations by ``citing_id``), so that a rare word does not walk the hub;
        a rare category, verdict or polarity starts from its own index (see FEW_TO_SORT).
        """
        if conn.dialect.name != "sqlite":
            return None
        if search_terms(f.search) and self._match_count(conn, f.search, FEW_MATCHES) <= FEW_MATCHES:
            return CITING_INDEX
        return self._narrowing_index(conn, hub_id, f) or SORT_INDEXES[sort]

    def _may_walk(self, conn: Connection, listing: tuple[Any, ...], f: Filters) -> bool:
        """Whether a page of ``listing`` (hub, filters but the search, sort, order) under ``f`` may
        be found by :meth:`_walked`: on SQLite, under a search, unless a rare category, verdict or
        polarity is read through its own index instead, or the walk of the same listing gave up
        under a search this one extends (a word typed further, a word more: no more matches, so
        the walk would give up again)."""
        if conn.dialect.name != "sqlite" or not search_terms(f.search):
            return False
        return not self._walk_gave_up(listing, f.search) and self._narrowing_index(conn, listing[0], f) is None

    def _walk_gave_up(self, listing: tuple[Any, ...], search: str) -> bool:
        """Whether the walk of ``listing`` gave up under a search that ``search`` extends (a
        word typed further, a word more: no more matches, so it would give up again)."""
        gave_up = self._gave_up
        return gave_up is not None and gave_up[0] == listing and search.lower().startswith(gave_up[1])

    def _narrowing_index(self, conn: Connection, hub_id: int, f: Filters) -> str | None:
        """The index of the active category, verdict or polarity filter that keeps the fewest
        of the hub's citations, when it keeps few enough to sort (FEW_TO_SORT); else None.
        Each count is a sum over the facet cells."""
        narrowing = {name: getattr(f, name) for name in NARROWING_FACETS}
        key = (hub_id, Filters(**narrowing))
        if key not in self._narrowest:
            kept = {name: self._total(conn, hub_id, Filters(**{name: values})) for name, values in narrowing.items() if values}
            found = None
            if kept:
                name = min(kept, key=kept.__getitem__)
                if kept[name] <= FEW_TO_SORT and kept[name] * NARROW_SHARE < self._hub_size(conn, hub_id):
                    found = SORT_INDEXES[NARROWING_FACETS[name]]
            _remember(self._narrowest, key, found)
        return self._narrowest[key]

    def _match_count(self, conn: Connection, query: str, up_to: int) -> int:
        """How many papers match ``query``, counted up to ``up_to`` + 1: a count past ``up_to``
        only says "more". Remembered, so that the next question about the same search (a page,
        then its facets) seldom counts again."""
        found, counted_to = self._match_counts.get(query, (0, -1))
        if found > counted_to and up_to > counted_to:  # not counted, or not far enough
            bounded = self._matching_ids(query).limit(up_to + 1).subquery()
            found = int(conn.execute(select(func.count()).select_from(bounded)).scalar_one())
            _remember(self._match_counts, query, (found, up_to))
        return min(found, up_to + 1)

    def _walked(
        self,
        conn: Connection,
        hub_id: int,
        search: str,
        conds: list[ColumnElement[bool]],
        column: Any,
        reverse: bool,
        index: str,
        wanted: int,
    ) -> list[Any] | None:
        """The rows of the first ``wanted`` citations passing ``conds`` whose paper matches
        ``search``, in the order of ``column`` (descending if ``reverse``), then the paper id.

        Walks the sort index (:func:`_walk`), a key range a chunk, read with each paper's title
        and summary. None as soon as the matches come too seldom (a rare word, or one rare in
        this hub), for the full-text index to answer instead."""
        c = citations.c
        order = _ordered(column, reverse)
        texts = _with_texts(column, c.citing_id)

        def chunk_after(last: Any, size: int, walked: int) -> Any:
            past = [] if last is None else [_past(column, last[0], last.citing_id, reverse)]
            return indexed(texts.where(*conds, *past).order_by(*order).limit(size), index)

        found = _walk(conn, search, chunk_after, wanted)
        if not found:
            return found
        ids = [row.citing_id for row in found]
        rows = conn.execute(self._rows_query().where(c.cited_id == hub_id, c.citing_id.in_(ids)).order_by(*order)).all()
        return cast(list[Any], rows)  # Result.all() is a list (SQLAlchemy's annotation says Sequence)

    def iter_citing(
        self,
        hub_id: int,
        filters: Filters = Filters(),
        sort: SortKey = SortKey.DATE,
        descending: bool = True,
        *,
        limit: int | None = None,
        batch: int = 500,
    ) -> Iterator[CitingPaper]:
        """Every matching citing paper in order, fetched page by page (for exports)."""
        cursor: Cursor | None = None
        left = limit
        while left is None or left > 0:
            size = batch if left is None else min(batch, left)
            page = self.page(hub_id, filters, sort, descending, limit=size, after=cursor, with_total=False)
            yield from page.rows
            if left is not None:
                left -= len(page.rows)
            if not page.has_after:
                return
            cursor = page.last

    @_guarded
    def representatives(self, hub_id: int, limit: int = 8) -> list[CitingPaper]:
        """The citing papers to show first: those the source flagged, else the most novel, then
        the newest."""
        c = citations.c
        order = (c.citing_novelty.desc(), c.citing_date.desc(), c.citing_id)
        with self._read() as conn:
            base = self._rows_query().where(c.cited_id == hub_id)
            rows = conn.execute(base.where(c.representative.is_(True)).order_by(*order).limit(limit)).all()
            if not rows:  # nothing flagged, so every row has representative false: same index
                rows = conn.execute(base.where(c.representative.is_(False)).order_by(*order).limit(limit)).all()
            return self._citing_papers(rows)

    @_guarded
    def citing_paper(self, hub_id: int, paper_id: int) -> CitingPaper:
        """One citing paper of a hub with how it cites it (contexts included)."""
        c = citations.c
        with self._read() as conn:
            row = conn.execute(self._rows_query().where(c.cited_id == hub_id, c.citing_id == paper_id)).first()
            if row is None:
                raise UnknownPaper(f"#{paper_id} citing #{hub_id}")
            return self._citing_papers([row])[0]

    # ------------------------------------------------------------------ visits and store facts

    @_guarded
    def record_visit(self, hub_id: int, when: dt.datetime | None = None) -> dt.datetime | None:
        """Note that the hub was opened now; returns the previous visit (None the first time)."""
        when = when or utcnow()
        # Not serialized behind imports on PostgreSQL: each row is put in one statement.
        with self._write(serialize=False) as conn:
            previous = conn.execute(select(visits.c.last_opened).where(visits.c.paper_id == hub_id)).scalar()
            self._put(conn, visits, {"paper_id": hub_id, "last_opened": when})
            self._put(conn, meta, {"key": "last_hub", "value": str(hub_id)})
        return previous

    @_guarded
    def last_visit(self, hub_id: int) -> dt.datetime | None:
        """When the hub was last opened (as :meth:`record_visit` noted it); None if never."""
        with self._read() as conn:
            return conn.execute(select(visits.c.last_opened).where(visits.c.paper_id == hub_id)).scalar()

    @_guarded
    def last_hub(self) -> Paper | None:
        """The hub opened most recently, if it is still in the store."""
        with self._read() as conn:
            value = conn.execute(select(meta.c.value).where(meta.c.key == "last_hub")).scalar()
        if value is None or not value.isdigit():
            return None
        try:
            return self.paper(int(value))
        except UnknownPaper:
            return None

    @staticmethod
    def _put(conn: Connection, table: Any, values: dict[str, Any]) -> None:
        """Insert a row of ``table`` (keyed by its first column), or update the row with that key:
        one statement, so it never fails on a row another program put there meanwhile."""
        key = next(iter(values))
        statement = dialect_insert(conn)(table).values(values)
        update_values = {name: statement.excluded[name] for name in values if name != key}
        conn.execute(statement.on_conflict_do_update(index_elements=[key], set_=update_values))

    @_guarded
    def info(self) -> dict[str, Any]:
        """Facts about the store for ``pithtui db info``."""
        with self._read() as conn:
            n_papers = conn.execute(select(func.count()).select_from(papers)).scalar_one()
            n_citations = conn.execute(select(func.count()).select_from(citations)).scalar_one()
            n_hubs = conn.execute(select(func.count(func.distinct(citations.c.cited_id)))).scalar_one()
            revision = conn.execute(select(version_table.c.version_num)).scalar()
        return {
            "database": self.label,
            "backend": self.engine.dialect.name,
            "schema_version": int(revision or SCHEMA_REVISION),
            "papers": n_papers,
            "citations": n_citations,
            "hubs": n_hubs,
        }

    # ------------------------------------------------------------------ the classifier's labels

    @_guarded
    def unlabelled_without_context(self, hub_id: int) -> int:
        """How many citations of the hub have no polarity and nothing to label it from: no citing
        sentence, or none the model that looked at them could read (only a marker, say)."""
        c = citations.c
        with self._read() as conn:
            unreadable = and_(c.label_model.is_not(None), c.model_polarity.is_(None))
            query = select(func.count()).where(
                c.cited_id == hub_id, c.polarity_key == "", or_(contexts_text(conn) == "[]", unreadable)
            )
            return int(conn.execute(query).scalar_one())

    @_guarded
    def to_label(self, classifier: Classifier, hub_id: int | None = None, *, force: bool = False) -> int:
        """How many citations (of the hub, or of every hub) :meth:`classify` would label."""
        with self._read() as conn:
            return count_pending(conn, pending(conn, classifier.model_id, hub_id, force))

    @_guarded
    def classify(
        self,
        classifier: Classifier,
        hub_id: int | None = None,
        *,
        force: bool = False,
        batch: int = 2_000,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[int, int, int]:
        """Label with ``classifier`` the citations with contexts (of the hub, or of every hub)
        that this model has not labelled (all of them with ``force``), one transaction per
        ``batch`` citations: an interrupted run keeps each batch it finished. ``progress`` is
        told (citations taken, labelled) after each batch. Returns (taken, labelled, changed:
        whose effective label changed)."""
        after_id, taken, labelled, changed = 0, 0, 0, 0
        while True:
            with self._write() as conn:
                done = label_batch(conn, classifier, pending(conn, classifier.model_id, hub_id, force), after_id, batch)
            if not done.taken:
                return taken, labelled, changed
            after_id = done.last_id
            taken, labelled, changed = taken + done.taken, labelled + done.labelled, changed + done.changed
            if progress is not None:
                progress(taken, labelled)

    # ------------------------------------------------------------------ writing

    @_guarded
    def upsert(self, records: Iterable[Paper | Citation], classifier: Classifier | None = None) -> ImportResult:
        """Store papers and citations in one transaction, merging records of the same paper by
        any shared identifier, the contexts of new or changed citations labelled by
        ``classifier`` when one is given. Idempotent: storing the same records again (with the
        same classifier) changes nothing."""
        batch = BatchPapers()
        pending: list[tuple[int, int, Citation]] = []
        for record in records:
            if isinstance(record, Citation):
                pending.append((batch.add(record.citing), batch.add(record.cited), record))
            else:
                batch.add(record)
        with self._write() as conn:
            return Upsert(conn, self._inserts, classifier).store(batch, pending)
