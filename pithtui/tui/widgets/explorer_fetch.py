"""What the explorer lists, and how a worker fetches its rows: which blocks, from which edge, when
they are counted, and a slow query's rows in view first. No widget here: a worker runs
:class:`BlockFetch` and it posts what it finds through the callables it is given."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pithtui.errors import Cancelled
from pithtui.models import Filters, Page, SortKey
from pithtui.store import HubRepository
from pithtui.tui.widgets.row_cache import Edges, fetch_order, fetch_plan, joined
from pithtui.tui.workers import stopped_with_worker

HEAD_DRAWN_WAIT = 0.2
"""Seconds at most that the rest of a first block waits for its head to be drawn."""


@dataclass(frozen=True, slots=True)
class ExplorerQuery:
    """What the explorer lists: one hub's citing papers under filters, in one order."""

    hub_id: int
    filters: Filters
    sort: SortKey
    descending: bool

    def page(self, repo: HubRepository, **window: Any) -> Page:
        """A window of this listing's rows (``window``: ``HubRepository.page``'s keywords)."""
        return repo.page(self.hub_id, self.filters, self.sort, self.descending, **window)

    def first_block(self, repo: HubRepository) -> Page:
        """This listing's first block of rows, counted: what ``CitingExplorer.show`` may be
        given (call it from a worker: it queries the store)."""
        return self.page(repo, **fetch_plan(0, None, {}).kwargs)


@dataclass(frozen=True, slots=True)
class BlockFetch:
    """One worker's fetch of blocks of ``query``'s rows, each posted as it comes."""

    repo: HubRepository
    query: ExplorerQuery
    head_rows: int
    """How many rows :meth:`head_first` fetches first: a screenful and a few more."""
    loaded: Callable[[int, Page, threading.Event | None], object]
    """Post a block's page; given an event (a first block's head, the rest to come), the
    poster sets it once the page is drawn."""
    totaled: Callable[[int], object]
    """Post the number of the query's rows."""

    def blocks(self, blocks: list[int], total: int | None, edges: dict[int, Edges]) -> None:
        """Fetch ``blocks`` (counting the rows too when ``total`` is unknown), each from the
        nearest known edge; ``edges`` is this thread's own copy of the fetched blocks' edges.
        A new query's first block, when its rows are not counted at once (a search), comes
        rows in view first (:meth:`head_first`). Runs in a worker."""
        repo, query = self.repo, self.query
        order = blocks if total is None else fetch_order(blocks, total, edges)
        with stopped_with_worker(repo) as worker:
            try:
                for block in order:
                    if worker.is_cancelled:
                        return
                    plan = fetch_plan(block, total, edges)
                    # With the first block, the count when it costs nothing; otherwise the rows
                    # first, then the count (under a search most papers match, counting them takes
                    # longer than finding the first block).
                    at_once = repo.counts_at_once(query.filters)
                    together = total is None and at_once
                    if block == 0 and block not in edges and not at_once:
                        page = self.head_first(plan.limit)
                    else:
                        page = query.page(repo, with_total=together, **plan.kwargs)
                    edges[block] = Edges(page.first, page.last)
                    self.loaded(block, page, None)
                    if total is None:
                        total = (
                            page.total
                            if together
                            else len(page.rows)
                            if not page.has_after
                            else repo.count(query.hub_id, query.filters)
                        )
                        if not together:
                            self.totaled(total)
            except Cancelled:
                return

    def head_first(self, limit: int) -> Page:
        """The first ``limit`` rows of a query whose rows take a while to find (a search: a rare
        word walks far for each row), those in view first, posted as soon as found, then, once
        they are drawn, the rest after them; returned whole. Runs in a worker.

        The rest waits for that frame because drawing it and fetching rows in a thread share one
        interpreter lock: side by side, each slows the other."""
        head = self.query.page(self.repo, limit=min(self.head_rows, limit), with_total=False)
        if not head.has_after or len(head.rows) >= limit:
            return head
        drawn = threading.Event()
        self.loaded(0, head, drawn)
        drawn.wait(HEAD_DRAWN_WAIT)
        rest = self.query.page(self.repo, limit=limit - len(head.rows), after=head.last, with_total=False)
        return joined(head, rest)
