"""HubRepository: every question the faces ask of the store, and the only door to it.

It speaks domain types only (``pithtui.models``): callers never see a row, a Session or a
Connection. Each method opens a read or a write (store/session.py) and hands the connection to
the module that holds its concern: finding papers (lookup.py), counts and facets
(counting.py), pages of citing papers (paging.py), the index each reads through (planner.py),
visits (visits.py), the classifier's labels (relabel.py) and imports (upsert.py). Facet counts,
"Showing N of M", sorting, keyset paging and search are all done by the database; nothing loads
every citing paper of a hub to count or filter it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from pithtui.errors import UnknownPaper
from pithtui.merge import BatchPapers
from pithtui.models import (
    Citation,
    CitingPaper,
    Cursor,
    Facets,
    Filters,
    HubSummary,
    ImportResult,
    Mine,
    MineChange,
    Page,
    Paper,
    PaperListing,
    SavedView,
    SortKey,
)
from pithtui.store import counting, layer, lookup, mine, paging, relabel, views, visits
from pithtui.store.bulk import RowInsert
from pithtui.store.facets import cells_answer, cells_total
from pithtui.store.planner import Planner, use_index_hints
from pithtui.store.rows import PAPER_COLUMNS, paper_from
from pithtui.store.schema import SCHEMA_REVISION, citations, papers, utcnow, version_table
from pithtui.store.session import Sessions, guarded
from pithtui.store.upsert import Upsert

if TYPE_CHECKING:  # the scoring code is loaded only where it runs
    from pithtui.classifier import Classifier


class HubRepository:
    """The only door to a pithtui store. Thread-safe: the TUI calls it from worker threads."""

    def __init__(self, engine: Engine, *, label: str = "the store", is_default: bool = False) -> None:
        self.engine = engine
        self.label = label
        self.is_default = is_default
        use_index_hints(engine)
        self.sessions = Sessions(engine)
        self.planner = Planner()
        self._inserts: dict[tuple[str, tuple[str, ...]], RowInsert] = {}
        """The bulk INSERT of each table's new rows (by table and columns), compiled for this
        engine on first use."""

    def cancel_when(self, cancelled: Callable[[], bool]) -> AbstractContextManager[None]:
        """Make the calls this thread makes inside stop soon after ``cancelled()`` turns true,
        raising :class:`~pithtui.errors.Cancelled` (see :meth:`Sessions.cancel_when`). For
        callers that may be overtaken by a newer question, such as the TUI's workers while the
        user types a search."""
        return self.sessions.cancel_when(cancelled)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ papers

    @guarded
    def is_empty(self) -> bool:
        with self.sessions.read() as conn:
            return conn.execute(select(papers.c.id).limit(1)).first() is None

    @guarded
    def paper(self, paper_id: int) -> Paper:
        with self.sessions.read() as conn:
            row = conn.execute(select(*PAPER_COLUMNS).where(papers.c.id == paper_id)).first()
        if row is None:
            raise UnknownPaper(f"#{paper_id}")
        return paper_from(row)

    @guarded
    def resolve(self, ref: str) -> Paper:
        """The paper ``ref`` names: an arXiv id, DOI, Semantic Scholar or OpenAlex id, or title
        words (the exact title first, then the most cited paper whose title has every word)."""
        with self.sessions.read() as conn:
            return lookup.resolve(conn, ref)

    @guarded
    def list_papers(self, search: str = "", *, limit: int | None = 100) -> list[PaperListing]:
        """Papers in the store, most cited first; ``search`` matches an identifier exactly or
        words in titles and summaries."""
        with self.sessions.read() as conn:
            return lookup.list_papers(conn, self.planner, search, limit)

    # ------------------------------------------------------------------ the hub and its counts

    @guarded
    def hub(self, paper_id: int) -> HubSummary:
        """The hub header: the paper, its stored citing count (kept on the paper row at import)
        and how many of its citations wait for polarity (summed from its facet cells)."""
        with self.sessions.read() as conn:
            row = conn.execute(select(*PAPER_COLUMNS, papers.c.citing_count).where(papers.c.id == paper_id)).first()
            if row is None:
                raise UnknownPaper(f"#{paper_id}")
            pending = cells_total(conn, paper_id, Filters(polarities=frozenset({None})))
        return HubSummary(paper=paper_from(row), citing_count=row.citing_count, polarity_unclassified=pending)

    @staticmethod
    def counts_at_once(filters: Filters) -> bool:
        """True when counting the rows under ``filters`` costs next to nothing (the facet cells
        answer it), so that it can come with a page; otherwise it is worth asking apart."""
        return cells_answer(filters)

    @guarded
    def count(self, hub_id: int, filters: Filters = Filters()) -> int:
        """How many citing papers of the hub match ``filters`` (the M of "Showing N of M")."""
        with self.sessions.read() as conn:
            return counting.total(conn, self.planner, hub_id, filters)

    @guarded
    def facets(self, hub_id: int, filters: Filters = Filters()) -> Facets:
        """Counts of each role, polarity, verdict, category and year under the other filters
        (see :func:`pithtui.store.counting.facets`). Values the user has selected stay listed
        (with 0) even when nothing carries them now."""
        with self.sessions.read() as conn:
            return counting.facets(conn, self.planner, hub_id, filters)

    # ------------------------------------------------------------------ pages of citing papers

    @guarded
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
        with self.sessions.read() as conn:
            return paging.page(
                conn,
                self.planner,
                hub_id,
                filters,
                sort,
                descending,
                limit=limit,
                after=after,
                before=before,
                from_end=from_end,
                offset=offset,
                with_total=with_total,
            )

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

    @guarded
    def representatives(self, hub_id: int, limit: int = 8) -> list[CitingPaper]:
        """The citing papers to show first: those the source flagged, else the most novel, then
        the newest."""
        with self.sessions.read() as conn:
            return paging.representatives(conn, hub_id, limit)

    @guarded
    def citing_paper(self, hub_id: int, paper_id: int) -> CitingPaper:
        """One citing paper of a hub with how it cites it (contexts included)."""
        with self.sessions.read() as conn:
            found = paging.citing_paper(conn, hub_id, paper_id)
        if found is None:
            raise UnknownPaper(f"#{paper_id} citing #{hub_id}")
        return found

    # ------------------------------------------------------------------ visits and store facts

    @guarded
    def record_visit(self, hub_id: int, when: dt.datetime | None = None) -> dt.datetime | None:
        """Note that the hub was opened now; returns the previous visit (None the first time)."""
        # Not serialized behind imports on PostgreSQL: each row is put in one statement.
        with self.sessions.write(serialize=False) as conn:
            return visits.record_visit(conn, hub_id, when or utcnow())

    @guarded
    def last_visit(self, hub_id: int) -> dt.datetime | None:
        """When the hub was last opened (as :meth:`record_visit` noted it); None if never."""
        with self.sessions.read() as conn:
            return visits.last_visit(conn, hub_id)

    @guarded
    def last_hub(self) -> Paper | None:
        """The hub opened most recently, if it is still in the store."""
        with self.sessions.read() as conn:
            hub_id = visits.last_hub_id(conn)
        if hub_id is None:
            return None
        try:
            return self.paper(hub_id)
        except UnknownPaper:
            return None

    @guarded
    def info(self) -> dict[str, Any]:
        """Facts about the store for ``pithtui db info``."""
        with self.sessions.read() as conn:
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

    # ------------------------------------------------------------------ the reader's own layer

    @guarded
    def owner(self) -> str:
        """Whose layer this repository reads and writes (see store/mine.py)."""
        with self.sessions.read() as conn:
            return mine.owner_name(conn)

    @guarded
    def mine(self, paper_id: int) -> Mine:
        """The reader's marks of a paper."""
        with self.sessions.read() as conn:
            return mine.read_mark(conn, paper_id)

    @guarded
    def mark(self, paper_id: int, change: MineChange) -> Mine:
        """Apply ``change`` to the reader's marks of a stored paper; returns them as they are now.
        Only the fields the change names are written (see :func:`pithtui.store.mine.write_mark`)."""
        self.paper(paper_id)  # UnknownPaper for a paper that is not stored
        if not change.empty:
            # Not serialized behind imports on PostgreSQL: the mark is written in one statement.
            with self.sessions.write(serialize=False) as conn:
                mine.write_mark(conn, paper_id, change, utcnow())
        return self.mine(paper_id)

    @guarded
    def saved_views(self, hub_id: int | None = None) -> list[SavedView]:
        """The reader's saved views of a hub and those for every hub (every view without ``hub_id``)."""
        with self.sessions.read() as conn:
            return views.views_of(conn, hub_id)

    @guarded
    def save_view(self, view: SavedView) -> None:
        """Keep ``view`` under its name, replacing a view of that name for the same hub(s)."""
        with self.sessions.write(serialize=False) as conn:
            views.save(conn, view, utcnow())

    @guarded
    def delete_view(self, name: str, hub_id: int | None = None) -> bool:
        """Forget a saved view; whether there was one."""
        with self.sessions.write(serialize=False) as conn:
            return views.remove(conn, name, hub_id)

    @guarded
    def export_mine(self) -> dict[str, Any]:
        """The reader's layer as JSON values, papers named by identifiers (see store/layer.py)."""
        with self.sessions.read() as conn:
            return layer.export_layer(conn)

    @guarded
    def import_mine(self, data: Any) -> tuple[int, int, int]:
        """Merge a layer (JSON values of :meth:`export_mine`) into the reader's, the newer change
        of each field winning. Papers it names that the store lacks are added, bare. Returns
        (marks merged, views kept, papers added); ValueError for a file that is not a layer."""
        read = layer.read_layer(data)
        with self.sessions.read() as conn:
            missing = [paper for paper in read.papers if id(paper) not in layer.paper_ids(conn, [paper])]
        if missing:
            self.upsert(missing)
        with self.sessions.write() as conn:
            ids = layer.paper_ids(conn, [paper for paper, _ in read.marks] + [hub for hub, _, _ in read.views if hub])
            merged, kept = layer.merge_layer(conn, read, ids)
        return merged, kept, len(missing)

    # ------------------------------------------------------------------ the classifier's labels

    @guarded
    def unlabelled_without_context(self, hub_id: int) -> int:
        """How many citations of the hub have no polarity and nothing to label it from: no citing
        sentence, or none the model that looked at them could read (only a marker, say)."""
        with self.sessions.read() as conn:
            return relabel.without_context(conn, hub_id)

    @guarded
    def to_label(self, classifier: Classifier, hub_id: int | None = None, *, force: bool = False) -> int:
        """How many citations (of the hub, or of every hub) :meth:`classify` would label."""
        with self.sessions.read() as conn:
            return relabel.count_pending(conn, relabel.pending(conn, classifier.model_id, hub_id, force))

    @guarded
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
            with self.sessions.write() as conn:
                conds = relabel.pending(conn, classifier.model_id, hub_id, force)
                done = relabel.label_batch(conn, classifier, conds, after_id, batch)
            if not done.taken:
                return taken, labelled, changed
            after_id = done.last_id
            taken, labelled, changed = taken + done.taken, labelled + done.labelled, changed + done.changed
            if progress is not None:
                progress(taken, labelled)

    # ------------------------------------------------------------------ writing

    @guarded
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
        with self.sessions.write() as conn:
            return Upsert(conn, self._inserts, classifier).store(batch, pending)
