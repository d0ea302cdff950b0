"""Which rows of a hub's citing papers are at hand, and how to fetch the ones that are not.

The explorer shows a window onto ``Page.total`` rows without ever loading them all. Rows are
fetched in fixed blocks of ``BLOCK`` rows (block ``b`` holds rows ``b*BLOCK`` to
``(b+1)*BLOCK - 1``) and a few blocks are kept. A block next to a kept one is fetched by keyset
(``after`` the last row of the block before it, ``before`` the first row of the block after
it), the last block with ``from_end``, and any other block by ``offset`` (counted from the
nearer end): keyset is the fast path, an offset is only paid on a big jump (the scrollbar
dragged half-way down), and walks at most half the rows' index entries.

No Textual here: the widget keeps a :class:`RowCache` and hands :func:`fetch_plan` to a worker.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from pithtui.models import CitingPaper, Cursor, Mine, Page

BLOCK = 50
"""Rows per repository call. A page down that runs into rows not at hand fetches the next
block beside its frame: a small block keeps that fetch short, and KEEP_BLOCKS of them still
hold many screens of rows."""

HEAD_MARGIN = 10
"""Rows fetched beyond the viewport's when a slow query's first rows are fetched on their own
(see :func:`joined`)."""

KEEP_BLOCKS = 24
"""Blocks kept in memory (1,200 rows); the ones farthest from the viewport go first, never the
first or the last block (where Home and End go)."""


@dataclass(frozen=True, slots=True)
class Edges:
    """The cursors of a fetched block's first and last rows (what keyset paging starts from)."""

    first: Cursor | None
    last: Cursor | None


@dataclass(frozen=True, slots=True)
class Fetch:
    """How to ask the repository for one block: keyword arguments of ``HubRepository.page``."""

    block: int
    limit: int
    after: Cursor | None = None
    before: Cursor | None = None
    from_end: bool = False
    offset: int = 0

    @property
    def kwargs(self) -> dict[str, object]:
        return {
            "limit": self.limit,
            "after": self.after,
            "before": self.before,
            "from_end": self.from_end,
            "offset": self.offset,
        }


def block_of(row: int) -> int:
    return row // BLOCK


def block_size(block: int, total: int) -> int:
    """How many rows block ``block`` holds when ``total`` rows match."""
    return max(0, min(BLOCK, total - block * BLOCK))


def fetch_plan(block: int, total: int | None, edges: dict[int, Edges]) -> Fetch:
    """The cheapest way to fetch ``block`` given the edges of the blocks already fetched.

    With ``total`` unknown (the first fetch after the filters changed) only offset paging can
    place the block.
    """
    if total is None:
        return Fetch(block, BLOCK, offset=block * BLOCK)
    limit = block_size(block, total)
    before_it = edges.get(block - 1)
    if before_it is not None and before_it.last is not None:
        return Fetch(block, limit, after=before_it.last)
    after_it = edges.get(block + 1)
    if after_it is not None and after_it.first is not None:
        return Fetch(block, limit, before=after_it.first)
    if block == block_of(total - 1):
        return Fetch(block, limit, from_end=True)
    start = block * BLOCK
    behind = total - start - limit
    if behind < start:  # nearer the end: the jump walks back from there
        return Fetch(block, limit, from_end=True, offset=behind)
    return Fetch(block, limit, offset=start)


def joined(head: Page, rest: Page) -> Page:
    """The first block of a query as one page: its ``head`` (the rows in view and a few more,
    fetched first so that they are drawn as soon as found, when finding rows takes a while: a
    rare word walks far for each one) and the ``rest`` of the block, fetched after it."""
    return Page(head.rows + rest.rows, rest.total, head.first, rest.last or head.last, head.has_before, rest.has_after)


def fetch_order(blocks: Iterable[int], total: int, edges: dict[int, Edges]) -> list[int]:
    """``blocks`` in an order where each can start from an edge fetched before it if possible:
    outward from a known block or from the end, offset jumps only where nothing is near."""
    todo = sorted(set(blocks))
    known = set(edges)
    last = block_of(total - 1) if total else 0
    order: list[int] = []
    while todo:
        reachable = [b for b in todo if b - 1 in known or b + 1 in known or b == last]
        chosen = reachable[0] if reachable else todo[0]
        order.append(chosen)
        todo.remove(chosen)
        known.add(chosen)
    return order


class RowCache:
    """The blocks fetched for one query (hub, filters, sort), newest kept, oldest dropped."""

    def __init__(self) -> None:
        self.total: int | None = None
        self._rows: dict[int, tuple[CitingPaper, ...]] = {}
        self.edges: dict[int, Edges] = {}

    def clear(self) -> None:
        self.total = None
        self._rows.clear()
        self.edges.clear()

    def row(self, index: int) -> CitingPaper | None:
        """Row ``index``, or None while its block is not fetched."""
        rows = self._rows.get(block_of(index))
        offset = index - block_of(index) * BLOCK
        if rows is None or offset >= len(rows):
            return None
        return rows[offset]

    def first_rows(self) -> int:
        """How many rows the first block holds (what can be shown before the count arrives)."""
        return len(self._rows.get(0, ()))

    def missing(self, start: int, end: int) -> list[int]:
        """The blocks holding rows ``start``..``end`` (inclusive) that are not fetched yet."""
        if self.total is None or self.total == 0:
            return []
        start, end = max(start, 0), min(end, self.total - 1)
        return [b for b in range(block_of(start), block_of(end) + 1) if b not in self._rows] if start <= end else []

    def store(self, block: int, page: Page, near: int, *, partial: bool = False) -> None:
        """Keep ``page`` as block ``block``, dropping the blocks farthest from row ``near`` (but
        the first and the last). A ``partial`` page (the block's first rows, the rest to come)
        is drawn but no other block is fetched from its edges, which are not the block's."""
        if page.total >= 0:
            self.total = page.total
        self._rows[block] = page.rows
        if partial:
            self.edges.pop(block, None)
            return
        self.edges[block] = Edges(page.first, page.last)
        centre = block_of(near)
        ends = self.ends()
        droppable = sorted((b for b in self._rows if b not in ends), key=lambda b: abs(b - centre), reverse=True)
        for stale in droppable[: max(0, len(self._rows) - KEEP_BLOCKS)]:
            del self._rows[stale]
            del self.edges[stale]

    def remark(self, paper_id: int, mine: Mine) -> list[int]:
        """Give the rows of paper ``paper_id`` the reader's marks ``mine`` (a mark changed: the
        sort and the filters of this query do not read them); returns the indices of the rows
        whose marks changed."""
        changed: list[int] = []
        for block, rows in self._rows.items():
            if any(row.paper.id == paper_id and row.mine != mine for row in rows):
                self._rows[block] = tuple(replace(row, mine=mine) if row.paper.id == paper_id else row for row in rows)
                changed += [block * BLOCK + i for i, row in enumerate(rows) if row.paper.id == paper_id]
        return changed

    def ends(self) -> set[int]:
        """The first and the last block (where Home and End go), kept however far the viewport
        moves (the first alone until the rows are counted)."""
        return {0, block_of(self.total - 1)} if self.total else {0}

    def __contains__(self, block: int) -> bool:
        return block in self._rows
