"""Query plans: which index each question reads through, and what the choice remembers.

SQLite's planner cannot know that a page wants only the first rows of a sort order, that a
search matches few papers or most, or that a filter keeps a handful of a hub's citations. The
:class:`Planner` chooses for it and names the index with ``INDEXED BY``; on PostgreSQL every
choice is the database's own (each method answers None). Its memos (counts of matches, hub
sizes, the walk that gave up) only ever choose a plan, so one that another program's import
has since made stale costs time, never a wrong answer.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Engine

from pithtui.models import Filters, SortKey
from pithtui.store.facets import cells_total
from pithtui.store.schema import SORT_INDEX_NAMES, citations, papers
from pithtui.store.search import matching_ids
from pithtui.text import search_terms

T = TypeVar("T")

SORT_COLUMNS = {
    SortKey.DATE: citations.c.citing_date,
    SortKey.NOVELTY: citations.c.citing_novelty,
    SortKey.TITLE: citations.c.citing_title,
    SortKey.CATEGORY: citations.c.citing_category,
    SortKey.VERDICT: citations.c.citing_verdict,
    SortKey.POLARITY: citations.c.polarity_key,
    SortKey.CONTRAST: citations.c.contrast,
}
"""The column of ``citations`` each sort order sorts on (then the citing paper's id)."""

SORT_INDEXES = {key: SORT_INDEX_NAMES[column.name] for key, column in SORT_COLUMNS.items()}
"""The index of ``citations`` that keeps each sort order (see schema.sort_index)."""

CITING_INDEX = "ix_cit_citing"
SEEN_INDEX = "ix_cit_hub_seen"
CUBE_INDEX = "ix_cit_hub_cube"
LISTING_INDEX = "ix_papers_listing"

PAPERS_LISTING = ("papers",)
"""The papers listing (most cited first), as the listing a walk under a search gave up on."""

FEW_MATCHES = 2_000
"""A search matching at most this many papers lists them from the matching papers (their
citations by ``citing_id``, sorted); one matching more walks the sort order testing each
citation against the matches, which finds a page sooner."""
SMALL_HUB = 5_000
SMALL_SHARE = 20
"""Under a search that more than FEW_MATCHES papers of the store match, the matches among the
citing papers of a hub of at most SMALL_HUB, in a store of more than SMALL_SHARE times as many
papers, are found by testing those papers' texts in Python rather than from the full-text
index's list of every match in the store (a short prefix such as "co" matches most papers)."""
FEW_MATCHES_TO_GROUP = 150_000
"""Up to this many matching papers, facet counts under a search group the matching papers'
citations (by ``citing_id``); past it, walking the whole hub in cell order is cheaper."""
FEW_TO_SORT = 20_000
NARROW_SHARE = 20
"""A page under a category, verdict or polarity filter whose values hold at most FEW_TO_SORT
of the hub's citations, and under one in NARROW_SHARE of them, reads those citations through
that column's own index and sorts them, instead of walking the sort order past every citation
the filter leaves out."""
NARROWING_FACETS = {"categories": SortKey.CATEGORY, "verdicts": SortKey.VERDICT, "polarities": SortKey.POLARITY}
"""The filters (by Filters field) whose column leads an index of its own: its sort index."""

MEMO_SIZE = 256
"""Entries each of the planner's memos keeps before it is emptied."""


class _SQLiteCompiler(SQLiteCompiler):
    """SQLite's compiler, rendering table hints (``INDEXED BY``) after the table they name."""

    def get_from_hint_text(self, table: Any, text: str | None) -> str | None:
        return text


def use_index_hints(engine: Engine) -> None:
    """Make ``engine`` (if SQLite) render the planner's ``INDEXED BY`` hints; no other engine
    is touched."""
    if engine.dialect.name == "sqlite":
        engine.dialect.statement_compiler = _SQLiteCompiler


def _remember(memo: dict[Any, T], key: Any, value: T) -> T:
    """Keep ``value`` under ``key`` in one of the memos (emptied when full)."""
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value
    return value


def marked_few(f: Filters) -> bool:
    """Whether ``f`` keeps only papers the reader marked (starred, read, noted, a verdict of
    theirs), which are few beside a hub: read through their citations by ``citing_id``."""
    return bool(f.my_verdicts or f.mine & {"starred", "read", "noted"})


def novelty_index(conn: Connection) -> str | None:
    """The index a range of novelty scores is read through on SQLite (None: the planner's)."""
    return SORT_INDEXES[SortKey.NOVELTY] if conn.dialect.name == "sqlite" else None


class Planner:
    """The query plans of one repository, with the memos that choose them. Thread-safe in the
    way the memos need: each is a dict whose worst race recounts a plan."""

    def __init__(self) -> None:
        self._match_counts: dict[str, tuple[int, int]] = {}
        """Papers matching a search and how far they were counted (see :meth:`match_count`), by search text."""
        self._hub_sizes: dict[int, int] = {}
        """How many citing papers each hub had when first asked (see SMALL_HUB)."""
        self._papers_held: int | None = None
        """About how many papers the store held when first asked (see SMALL_SHARE)."""
        self._narrowest: dict[tuple[int, Filters], str | None] = {}
        """The index a page under some facet filters reads through (see :meth:`narrowing_index`),
        by hub and those filters."""
        self._gave_up: tuple[tuple[Any, ...], str] | None = None
        """The last listing whose walk gave up (see :meth:`walk_gave_up`): what it listed but the
        search (hub, other filters, sort, order; or PAPERS_LISTING), and the search in lower case
        (as its terms are)."""

    def forget(self) -> None:
        """Drop every memo: the next question chooses its plan afresh."""
        self._match_counts.clear()
        self._hub_sizes.clear()
        self._narrowest.clear()
        self._papers_held = None
        self._gave_up = None

    # ------------------------------------------------------------------ what the memos keep

    def match_count(self, conn: Connection, query: str, up_to: int) -> int:
        """How many papers match ``query``, counted up to ``up_to`` + 1: a count past ``up_to``
        only says "more". Remembered, so that the next question about the same search (a page,
        then its facets) seldom counts again."""
        found, counted_to = self._match_counts.get(query, (0, -1))
        if found > counted_to and up_to > counted_to:  # not counted, or not far enough
            bounded = matching_ids(conn.dialect.name, query).limit(up_to + 1).subquery()
            found = int(conn.execute(select(func.count()).select_from(bounded)).scalar_one())
            _remember(self._match_counts, query, (found, up_to))
        return min(found, up_to + 1)

    def papers_in_store(self, conn: Connection) -> int:
        """About how many papers the store holds (the highest id), as first asked."""
        if self._papers_held is None:
            self._papers_held = int(conn.execute(select(func.max(papers.c.id))).scalar_one() or 0)
        return self._papers_held

    def hub_size(self, conn: Connection, hub_id: int) -> int:
        """How many citing papers the hub has, as first asked (a sum over its facet cells)."""
        size = self._hub_sizes.get(hub_id)
        return size if size is not None else _remember(self._hub_sizes, hub_id, cells_total(conn, hub_id, Filters()))

    def walk_gave_up(self, listing: tuple[Any, ...], search: str) -> bool:
        """Whether the walk of ``listing`` gave up under a search that ``search`` extends (a
        word typed further, a word more: no more matches, so it would give up again)."""
        gave_up = self._gave_up
        return gave_up is not None and gave_up[0] == listing and search.lower().startswith(gave_up[1])

    def note_gave_up(self, listing: tuple[Any, ...], search: str) -> None:
        """Remember that the walk of ``listing`` under ``search`` gave up (see :meth:`walk_gave_up`)."""
        self._gave_up = (listing, search.lower())

    # ------------------------------------------------------------------ choices

    def few_matches(self, conn: Connection, search: str) -> bool:
        """Whether few enough papers match ``search`` (FEW_MATCHES) to start from them."""
        return self.match_count(conn, search, FEW_MATCHES) <= FEW_MATCHES

    def tested_here(self, conn: Connection, hub_id: int, search: str) -> bool:
        """Whether a search's matches among a hub's citing papers are tested in Python (see
        SMALL_HUB)."""
        if conn.dialect.name != "sqlite":
            return False
        size = self.hub_size(conn, hub_id)
        if size > SMALL_HUB or self.papers_in_store(conn) <= size * SMALL_SHARE:
            return False
        return self.match_count(conn, search, FEW_MATCHES) > FEW_MATCHES

    def counting_index(self, conn: Connection, hub_id: int, f: Filters, *, grouped: bool = False) -> str | None:
        """The index to count the citations passing ``f`` through on SQLite, when the cells
        cannot answer (None: the planner's choice).

        A search is counted from the matching papers' ids, looked up in the (hub, citing paper)
        key, which is the planner's own choice; grouped into a cube of cells, a rare search (or
        a small hub's matches, tested in Python) reads the matching papers' citations by
        ``citing_id``. The citations first seen lately come from their own index. Grouped into a
        cube, anything else walks the hub in cell order (``ix_cit_hub_cube``: no sorting);
        counted, a range of a sort index holding every filter column (minimum novelty, date
        range), so that no row is read.
        """
        if conn.dialect.name != "sqlite":
            return None
        if marked_few(f):
            return CITING_INDEX
        if search_terms(f.search):
            few = (
                self.tested_here(conn, hub_id, f.search)
                or self.match_count(conn, f.search, FEW_MATCHES_TO_GROUP) <= FEW_MATCHES_TO_GROUP
            )
            return CITING_INDEX if grouped and few else None
        if f.new_since is not None:
            return SEEN_INDEX
        if grouped:
            return CUBE_INDEX
        return SORT_INDEXES[SortKey.NOVELTY if f.min_novelty is not None else SortKey.DATE]

    def page_index(self, conn: Connection, hub_id: int, sort: SortKey, f: Filters) -> str | None:
        """The index a page of citations is read through on SQLite (None: the planner's choice).

        Normally the sort key's own index, walked in order, every filter tested on the index
        entry (the filter columns are in it) until the page is full: a page costs the rows it
        skips, not the hub. A search that few papers match instead starts from the matching
        papers (their citations by ``citing_id``), so that a rare word does not walk the hub;
        a rare category, verdict or polarity starts from its own index (see FEW_TO_SORT).
        """
        if conn.dialect.name != "sqlite":
            return None
        if marked_few(f) or (search_terms(f.search) and self.few_matches(conn, f.search)):
            return CITING_INDEX
        return self.narrowing_index(conn, hub_id, f) or SORT_INDEXES[sort]

    def may_walk(self, conn: Connection, listing: tuple[Any, ...], f: Filters) -> bool:
        """Whether a page of ``listing`` (hub, filters but the search, sort, order) under ``f`` may
        be found by walking it (store/search.py): on SQLite, under a search, unless a rare
        category, verdict or polarity is read through its own index instead, or the walk of the
        same listing gave up under a search this one extends."""
        if conn.dialect.name != "sqlite" or not search_terms(f.search):
            return False
        return not self.walk_gave_up(listing, f.search) and self.narrowing_index(conn, listing[0], f) is None

    def narrowing_index(self, conn: Connection, hub_id: int, f: Filters) -> str | None:
        """The index of the active category, verdict or polarity filter that keeps the fewest
        of the hub's citations, when it keeps few enough to sort (FEW_TO_SORT); else None.
        Each count is a sum over the facet cells."""
        narrowing = {name: getattr(f, name) for name in NARROWING_FACETS}
        key = (hub_id, Filters(**narrowing))
        if key not in self._narrowest:
            kept = {name: cells_total(conn, hub_id, Filters(**{name: values})) for name, values in narrowing.items() if values}
            found = None
            if kept:
                name = min(kept, key=kept.__getitem__)
                if kept[name] <= FEW_TO_SORT and kept[name] * NARROW_SHARE < self.hub_size(conn, hub_id):
                    found = SORT_INDEXES[NARROWING_FACETS[name]]
            _remember(self._narrowest, key, found)
        return self._narrowest[key]
