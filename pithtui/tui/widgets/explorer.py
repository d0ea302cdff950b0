"""The citing-papers explorer: a windowed table on Textual's line API.

A hub may have a million citing papers, so this is no DataTable holding every row. The
virtual height is the number of matching rows (``Page.total``) plus the header line;
``render_line`` draws only the lines in view, from a small :class:`RowCache` of blocks that a
thread worker fetches from the repository around the viewport (keyset paging while
scrolling, ``from_end`` for the end, ``offset`` for big jumps: see ``row_cache``). What a
worker asks the repository is in ``explorer_fetch``; the columns and their lines, in
``explorer_columns``.
"""

from __future__ import annotations

import threading

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.signal import Signal
from textual.strip import Strip
from textual.timer import Timer

from pithtui.errors import Cancelled
from pithtui.models import CitingPaper, Mine, Page, SortKey
from pithtui.store import HubRepository
from pithtui.tui.compat import update_scrollbars
from pithtui.tui.widgets.explorer_columns import Layout, header_text, layout, row_text, sort_at
from pithtui.tui.widgets.explorer_fetch import BlockFetch, ExplorerQuery
from pithtui.tui.widgets.row_cache import BLOCK, HEAD_MARGIN, Edges, RowCache, block_of
from pithtui.tui.widgets.strips import LineScrollView, text_strip
from pithtui.tui.workers import ReportsWorkerErrors, stopped_with_worker

PAGES_GROUP = "explorer-pages"
"""The worker group fetching the rows in view or about to be (a newer fetch stops an older)."""
FIRST_GROUP = "explorer-first"
"""The worker group of :meth:`CitingExplorer.fetch_first` (the rows shown meanwhile may still
fetch what scrolls into view)."""
ENDS_GROUP = "explorer-ends"
"""The worker group fetching the first and last blocks ahead of a jump there (drawing nothing)."""
ENDS_DELAY = 0.3
"""Seconds after a query's rows in view are all at hand before its ends are fetched ahead."""


class CitingExplorer(ReportsWorkerErrors, LineScrollView, can_focus=True):
    """The hub's citing papers as a table that pages through the repository."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="explorer.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="explorer.up"),
        Binding("pagedown,ctrl+d", "page_down", "Page down", show=False, id="explorer.page_down"),
        Binding("pageup,ctrl+u", "page_up", "Page up", show=False, id="explorer.page_up"),
        Binding("home,g", "first", "Top", show=False, id="explorer.top"),
        Binding("end,G", "last", "End", show=False, id="explorer.end"),
        Binding("enter", "open", "Open", id="explorer.open"),
        Binding("asterisk", "mark('star')", "Star", id="explorer.star"),
        Binding("m,space", "mark('read')", "Read", id="explorer.toggle_read"),
        Binding("N", "mark('note')", "Write your note", show=False, id="explorer.note"),
        Binding("y", "mark('verdict')", "Your verdict", show=False, id="explorer.verdict"),
    ]

    COMPONENT_CLASSES = {
        "explorer--header",
        "explorer--sorted",
        "explorer--cursor",
        "explorer--pending",
        "explorer--unread",
    }

    cursor: reactive[int] = reactive(0, init=False)
    """The highlighted row (an index into the matching rows)."""

    class PageLoaded(Message, bubble=False):
        """A block of rows arrived from the worker (for the query of ``epoch``); ``drawn``, given
        for a block's first rows only (the rest to come: see :meth:`BlockFetch.head_first`), is
        set once they are drawn."""

        def __init__(self, epoch: int, block: int, page: Page, *, drawn: threading.Event | None = None) -> None:
            super().__init__()
            self.epoch, self.block, self.page, self.drawn = epoch, block, page, drawn

    class Totaled(Message, bubble=False):
        """The rows of the query of ``epoch`` were counted (in the worker)."""

        def __init__(self, epoch: int, total: int) -> None:
            super().__init__()
            self.epoch, self.total = epoch, total

    class Fetched(Message):
        """The first block of ``query`` (see :meth:`fetch_first`), ready for :meth:`show`."""

        def __init__(self, query: ExplorerQuery, first: Page) -> None:
            super().__init__()
            self.query, self.first = query, first

    class Opened(Message):
        """The user asked to open a row."""

        def __init__(self, row: CitingPaper) -> None:
            super().__init__()
            self.row = row

    class MarkAsked(Message):
        """The user asked to mark a row: ``what`` is ``star`` or ``read`` (toggled), ``note`` or
        ``verdict`` (chosen in a dialog)."""

        def __init__(self, row: CitingPaper, what: str) -> None:
            super().__init__()
            self.row, self.what = row, what

    class SortClicked(Message):
        """A sortable column header was clicked."""

        def __init__(self, sort: SortKey) -> None:
            super().__init__()
            self.sort = sort

    def __init__(self, repo: HubRepository, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._repo = repo
        self._query: ExplorerQuery | None = None
        self._epoch = 0
        self._cache = RowCache()
        self._inflight: set[int] = set()
        self._texts: dict[int, str] = {}
        self._texts_width = 0
        self._stale: tuple[RowCache, dict[int, str]] | None = None
        """The rows (and their lines) of the query before, drawn until the new query's arrive."""
        self._arrived = False
        """Whether the current query's first rows arrived (``rows_arrived`` was published)."""
        # Signals, not messages: a subscriber called at once changes what the frame that draws
        # the rows draws beside them. A message could come after that frame, and Textual draws
        # the next frame one to two frame intervals later.
        self.rows_arrived: Signal[ExplorerQuery] = Signal(self, "rows-arrived")
        """Published with the query when its first rows are at hand, before they are drawn."""
        self.counted: Signal[int] = Signal(self, "counted")
        """Published with the number of rows of the current query once they are counted."""
        self._to_top = False
        """Whether the current query's first rows are shown from the top (not at the cursor's row)."""
        self._ends_timer: Timer | None = None
        """When the current query's first and last blocks will be fetched ahead (once a query)."""
        self._head_rows = BLOCK
        """How many rows :meth:`BlockFetch.head_first` fetches first: a screenful and a few more
        (taken when the query changes, where the worker that fetches them cannot ask the layout)."""
        self._head_drawn: threading.Event | None = None
        """Set once a frame has drawn the rows :meth:`BlockFetch.head_first` posted (its worker
        waits)."""

    # ------------------------------------------------------------------ what to show

    @property
    def total(self) -> int | None:
        """How many rows match (None until counted)."""
        return self._cache.total

    @property
    def current_row(self) -> CitingPaper | None:
        return self._cache.row(self.cursor)

    def show(
        self, query: ExplorerQuery, first: Page | None = None, *, keep_place: bool = False, total: int | None = None
    ) -> None:
        """List ``query``'s rows from the top, counting them afresh (unless their ``total`` is
        known: the same rows in another order), or, given ``first`` (from
        :meth:`ExplorerQuery.first_block`), starting from it; ``keep_place`` (a refresh of the
        same query) stays at the cursor's row instead. Until its first rows arrive the rows
        shown before stay drawn where they are: no frame of placeholders (or of the old rows
        scrolled to the top) in between, which would cost a redraw (and hold up the worker
        fetching the new rows) only to be redrawn at once."""
        self._query = query
        self._epoch += 1
        self._head_rows = self.size.height + HEAD_MARGIN if self.size.height else BLOCK
        if self._stale is None and self._cache.total is not None:
            self._stale = (self._cache, self._texts)
        self._cache = RowCache()
        self._texts = {}
        self._inflight = {0}
        self._arrived = False
        if self._head_drawn is not None:  # the query before's head, not drawn: no longer wanted
            self._head_drawn.set()
            self._head_drawn = None
        if self._ends_timer is not None:  # the ends of the query before
            self._ends_timer.stop()
            self._ends_timer = None
        for group in (ENDS_GROUP, FIRST_GROUP, PAGES_GROUP):  # for the query before
            self.workers.cancel_group(self, group)
        if not keep_place:  # to the top once the rows come (no frame of the old rows there)
            self.set_reactive(CitingExplorer.cursor, 0)
        self._to_top = not keep_place
        if first is None:
            self._cache.total = total
            self._fetch(query, self._epoch, [0], total, {})
        else:
            self._page_loaded(self.PageLoaded(self._epoch, 0, first))

    def remark(self, paper_id: int, mine: Mine) -> bool:
        """Show the reader's new marks of paper ``paper_id`` on its rows at hand, in place (no
        fetch); whether any row changed."""
        changed = self._cache.remark(paper_id, mine)
        for index in changed:
            self._texts.pop(index, None)
        if changed:
            self.refresh()
        return bool(changed)

    def fetch_first(self, query: ExplorerQuery) -> None:
        """Fetch ``query``'s first block, counted, and post it (:class:`Fetched`) for the owner
        to :meth:`show` when it chooses (with what else changes in the same frame); the rows
        shown meanwhile stay."""
        self._fetch_first(query)

    @work(thread=True, exclusive=True, group=FIRST_GROUP, exit_on_error=False)
    def _fetch_first(self, query: ExplorerQuery) -> None:
        try:
            with stopped_with_worker(self._repo):
                first = query.first_block(self._repo)
        except Cancelled:
            return
        self.post_message(self.Fetched(query, first))

    @work(thread=True, exclusive=True, group=PAGES_GROUP, exit_on_error=False)
    def _fetch(self, query: ExplorerQuery, epoch: int, blocks: list[int], total: int | None, edges: dict[int, Edges]) -> None:
        """The blocks in view or about to be (see :meth:`BlockFetch.blocks`)."""
        self._block_fetch(query, epoch).blocks(blocks, total, edges)

    @work(thread=True, exclusive=True, group=ENDS_GROUP, exit_on_error=False)
    def _fetch_ends(
        self, query: ExplorerQuery, epoch: int, blocks: list[int], total: int | None, edges: dict[int, Edges]
    ) -> None:
        """The first and last blocks, fetched ahead (see :meth:`_ensure_loaded`): a group of
        their own, so that a fetch of what is in view neither waits for them nor stops them."""
        self._block_fetch(query, epoch).blocks(blocks, total, edges)

    def _block_fetch(self, query: ExplorerQuery, epoch: int) -> BlockFetch:
        """A fetch of ``query``'s blocks that posts what it finds for the query of ``epoch``."""

        def loaded(block: int, page: Page, drawn: threading.Event | None) -> None:
            self.post_message(self.PageLoaded(epoch, block, page, drawn=drawn))

        return BlockFetch(self._repo, query, self._head_rows, loaded, lambda total: self.post_message(self.Totaled(epoch, total)))

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        partial = message.drawn is not None
        if message.epoch != self._epoch:
            if message.drawn is not None:
                message.drawn.set()  # nothing to draw: let the worker go on (to be cancelled)
            return
        if message.drawn is not None:  # the worker fetches the rest once a frame draws these
            self._head_drawn = message.drawn
        self._stale = None
        if not self._arrived:
            self._arrived = True
            if self._to_top:
                self.scroll_to(y=0, animate=False, immediate=True)
            assert self._query is not None  # set by show(), before any page of it is fetched
            self.rows_arrived.publish(self._query)
        counted = self._cache.total is None
        self._cache.store(message.block, message.page, near=int(self.scroll_y), partial=partial)
        if not partial:
            self._inflight.discard(message.block)
        if counted and self.total is not None:
            self._size_to_total()
            self.counted.publish(self.total)
        top = int(self.scroll_y)
        if counted or block_of(top) <= message.block <= block_of(top + self.size.height):
            self.refresh()  # not for a block out of view (the last one, fetched ahead)
        self._ensure_loaded()

    @on(Totaled)
    def _totaled(self, message: Totaled) -> None:
        if message.epoch != self._epoch or self._cache.total is not None:
            return
        self._cache.total = message.total
        self._size_to_total()
        self.counted.publish(message.total)
        self.refresh()
        self._ensure_loaded()

    def _size_to_total(self) -> None:
        """Size the scrolled area to the count, and keep the cursor within it (a refresh that
        keeps the place may find fewer rows).

        Where the scroll bar stays (or stays away), only it is updated: assigning
        ``virtual_size`` lays out the whole screen again, and the scroll bar the layout moves is
        drawn a frame later, one or two frame intervals after the rows."""
        size = Size(self.size.width, (self.total or 0) + 1)
        if size != self.virtual_size:
            shown = self.styles.overflow_y == "scroll" or size.height > self.container_size.height
            if self.container_size and shown == self.show_vertical_scrollbar:
                self.set_reactive(CitingExplorer.virtual_size, size)
                update_scrollbars(self, size)
                self.refresh()
            else:
                self.virtual_size = size
        self.cursor = self.validate_cursor(self.cursor)

    def _ensure_loaded(self) -> None:
        """Ask for the blocks around the viewport (a screen above and below) not yet at hand;
        once those are, ENDS_DELAY later, for the first and the last block (where Home and End
        go, kept once fetched), so that a jump to either end is drawn at once."""
        if self._query is None or self.total is None:
            return
        top, rows = int(self.scroll_y), max(self.size.height - 1, 1)
        wanted = set(self._cache.missing(top - rows, top + 2 * rows))
        if wanted:
            if not wanted <= self._inflight:
                self._inflight = wanted
                self._fetch(self._query, self._epoch, sorted(wanted), self.total, dict(self._cache.edges))
        elif self._ends_timer is None:
            self._ends_timer = self.set_timer(ENDS_DELAY, self._fetch_ends_ahead)

    def _fetch_ends_ahead(self) -> None:
        """Fetch the first and last blocks if they are not at hand (ENDS_DELAY after the rows
        of a query were all in view: not beside its counts or the next key's query)."""
        if self._query is None or not self.total:
            return
        ends = {block for block in self._cache.ends() if block not in self._cache} - self._inflight
        if ends:
            self._inflight |= ends
            self._fetch_ends(self._query, self._epoch, sorted(ends), self.total, dict(self._cache.edges))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._ensure_loaded()

    def on_resize(self, event: events.Resize) -> None:
        self._size_to_total()
        self._ensure_loaded()

    # ------------------------------------------------------------------ drawing

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines of a frame. A worker waiting for its head of rows to be drawn hears so
        after this frame: asked for when the rows were stored, "after the refresh" could come
        before any frame (the screen may go idle before it learns the explorer needs drawing)."""
        lines = super().render_lines(crop)
        if self._head_drawn is not None:
            self.call_after_refresh(self._head_drawn.set)
            self._head_drawn = None
        return lines

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.line_style
        columns = layout(width)
        if y == 0:
            query = self._query
            sorted_style = self.get_component_rich_style("explorer--sorted")
            line = header_text(
                columns, None if query is None else query.sort, query is not None and query.descending, sorted_style
            )
            return self._strip(line, width, base + self.get_component_rich_style("explorer--header"))
        index = int(self.scroll_y) + y - 1
        cache, texts = self._stale if self._stale is not None else (self._cache, self._texts)
        total = cache.total
        if total is None:  # still counting: the first block's rows are drawn already
            total = cache.first_rows()
        if index >= total:
            if cache.total == 0 and index == 0:
                return self._strip(Text("No citing papers match these filters."), width, base)
            return Strip.blank(width, base)
        row = cache.row(index)
        if row is None:
            pending = self.get_component_rich_style("explorer--pending")
            return self._strip(Text("…"), width, base + pending)
        style = base
        if not row.mine.read:
            style += self.get_component_rich_style("explorer--unread")
        if index == self.cursor:
            style += self.get_component_rich_style("explorer--cursor")
        return Strip([Segment(self._row_text(index, row, columns, width, texts), style)], width)

    def _row_text(self, index: int, row: CitingPaper, columns: Layout, width: int, texts: dict[int, str]) -> str:
        """Row ``index`` as one line (:func:`row_text`), kept until the rows or the width change."""
        if self._texts_width != width:
            texts.clear()
            self._texts.clear()
            self._texts_width = width
        text = texts.get(index)
        if text is None:
            text = row_text(row, columns, width)
            if len(texts) >= 4 * BLOCK:
                texts.clear()
            texts[index] = text
        return text

    def _strip(self, line: Text, width: int, style: Style) -> Strip:
        return text_strip(line, width, style, self.app.console)

    # ------------------------------------------------------------------ moving

    @property
    def _page_rows(self) -> int:
        return max(self.size.height - 2, 1)

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, (self.total or 1) - 1))

    def watch_cursor(self) -> None:
        top, rows = int(self.scroll_y), self._page_rows + 1
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, immediate=True)
        self.refresh()

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_page_down(self) -> None:
        self.cursor += self._page_rows

    def action_page_up(self) -> None:
        self.cursor -= self._page_rows

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = (self.total or 1) - 1

    def action_open(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Opened(row))

    def action_mark(self, what: str) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.MarkAsked(row, what))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            sort = sort_at(event.x, self.size.width)
            if sort is not None:
                self.post_message(self.SortClicked(sort))
            return
        index = int(self.scroll_y) + event.y - 1
        if self.total and index < self.total:
            self.cursor = index
            if event.chain > 1:
                self.action_open()
