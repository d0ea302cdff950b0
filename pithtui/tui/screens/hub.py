"""The hub screen: the hub pane, the filter sidebar and the citing-papers explorer.

Its state (which hub, the filters, the sort key and direction) is held in reactives; changing
any of them reloads what depends on it. Opening a citing paper's hub pushes another hub
screen, so going back pops to this one with its filters and position as they were.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static

from pithtui.errors import Cancelled, StoreError
from pithtui.models import Filters, HubSummary, Mine, MineChange, Page, SavedView, SortKey
from pithtui.settings import DEFAULTS, Settings
from pithtui.store import HubRepository
from pithtui.text import counted
from pithtui.tui.labels import SORT_WORDS, local_time
from pithtui.tui.screens.hub_messages import (
    FacetsCounted,
    HeaderLoaded,
    Marked,
    NewCounted,
    ViewsRead,
    WithoutContextCounted,
)
from pithtui.tui.screens.hub_opening import HubHeader, Opening
from pithtui.tui.screens.mine import ask_note, ask_verdict
from pithtui.tui.screens.one_frame import OneFrame
from pithtui.tui.widgets.explorer import CitingExplorer
from pithtui.tui.widgets.explorer_fetch import ExplorerQuery
from pithtui.tui.widgets.footer import KeysFooter
from pithtui.tui.widgets.hub_pane import HubPane
from pithtui.tui.widgets.sidebar import FilterSidebar
from pithtui.tui.workers import ReportsWorkerErrors, stopped_with_worker

if TYPE_CHECKING:
    from pithtui.tui.screens.export import ExportChoice

SIDEBAR_MIN_WIDTH = 100
"""Narrower terminals open a hub with the sidebar hidden (``f`` shows it)."""


def _views_provider() -> type:
    """The command palette's saved views (imported when the palette opens)."""
    from pithtui.tui.screens.views import SavedViewsProvider

    return SavedViewsProvider


class HubScreen(ReportsWorkerErrors, Screen[None]):
    """One hub: who cites the paper and how."""

    COMMANDS = {_views_provider}
    BINDINGS = [
        Binding("slash", "search", "Search", id="hub.search"),
        Binding("f", "toggle_sidebar", "Filters", id="hub.filters"),
        Binding("x", "clear_filters", "Clear", id="hub.clear"),
        Binding("s", "cycle_sort", "Sort", id="hub.sort"),
        Binding("r", "reverse_sort", "Reverse", id="hub.reverse"),
        Binding("c", "most_contrasting", "Most contrasting first", show=False, id="hub.contrasting"),
        Binding("n", "toggle_new", "New since last visit", show=False, id="hub.new"),
        Binding("w", "export", "Export to a file", show=False, id="hub.export"),
        Binding("v", "save_view", "Save the filters as a view", show=False, id="hub.save_view"),
        Binding("V", "views", "Saved views", show=False, id="hub.views"),
        Binding("a", "toggle_abstract", "Abstract", show=False, id="hub.abstract"),
        Binding("e", "focus_explorer", "Explorer", show=False, id="hub.explorer"),
        Binding("ctrl+r,f5", "reload", "Refresh", show=False, id="hub.refresh"),
        Binding("escape", "back", "Back", id="hub.back"),
    ]

    AUTO_FOCUS = "#explorer"
    """Focus starts in the explorer (set once while the screen is composed: focusing another
    widget first and moving focus after mount would restyle the screen twice more)."""

    # State, not looks: a change reloads what depends on it, and only what changes is redrawn
    # (repaint=False: the screen itself draws nothing, and repainting it redraws every widget).
    hub_id: reactive[int] = reactive(0, init=False, repaint=False)
    filters: reactive[Filters] = reactive(Filters, init=False, repaint=False)
    sort: reactive[SortKey] = reactive(DEFAULTS.sort, init=False, repaint=False)
    descending: reactive[bool] = reactive(True, init=False, repaint=False)
    show_sidebar: reactive[bool] = reactive(True, init=False, repaint=False)

    class SidebarToggled(Message):
        """The user showed or hid the filters (a setting the app remembers)."""

        def __init__(self, shown: bool) -> None:
            super().__init__()
            self.shown = shown

    def __init__(
        self, repo: HubRepository, hub_id: int, opening: Opening | None = None, *, settings: Settings = DEFAULTS
    ) -> None:
        """``opening``: what the screen shows first, fetched already (else it asks on mount) in
        the order ``settings`` open a hub in."""
        super().__init__()
        self._repo = repo
        self._opening = opening
        self._settings = settings
        self._opened: tuple[int, Mine | None] | None = None
        """The paper whose detail was opened last, with its marks then (None: not known)."""
        self.saved_views: list[SavedView] = []
        """This hub's saved views, then those for every hub (for ``V`` and the command palette)."""
        self._summary: HubSummary | None = None
        self._matching: int | None = None
        self._change = OneFrame(
            self,
            rows=self._reload_rows,
            counts=lambda facets: self.query_one(FilterSidebar).show_counts(facets),
            showing_counting=partial(self._update_showing, counting=True),
            sidebar_counting=lambda: self.query_one(FilterSidebar).counting(),
            count=lambda filters: self._count_facets(self.hub_id, filters),
        )
        """The last change of filters, drawn in one frame."""
        self._visit_noted = False
        """Whether this screen has noted its visit (the first header it shows does)."""
        self.set_reactive(HubScreen.hub_id, hub_id)
        self.set_reactive(HubScreen.sort, settings.sort)
        self.set_reactive(HubScreen.descending, settings.descending)

    def compose(self) -> ComposeResult:
        with Horizontal(id="hub-body"):
            yield FilterSidebar(id="sidebar")
            with Vertical(id="hub-main"):
                yield HubPane(id="hub-pane")
                yield Static(id="showing")
                yield CitingExplorer(self._repo, id="explorer")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.set_reactive(HubScreen.show_sidebar, self._settings.show_sidebar and self.app.size.width >= SIDEBAR_MIN_WIDTH)
        self.watch_show_sidebar(self.show_sidebar)
        explorer = self.query_one(CitingExplorer)
        explorer.rows_arrived.subscribe(self, lambda query: self._change.rows_arrived(query.filters), immediate=True)
        explorer.counted.subscribe(self, self._rows_counted, immediate=True)
        opening, self._opening = self._opening, None
        if opening is None:
            self._load_header(self.hub_id)
            self._reload_rows()
        else:
            self._show_header(opening.header)
            self._reload_rows(opening.rows)

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="hub-header", exit_on_error=False)
    def _load_header(self, hub_id: int) -> None:
        """The hub's summary, unfiltered facets and representatives."""
        self.post_message(HeaderLoaded(hub_id, HubHeader.fetch(self._repo, hub_id)))

    @work(thread=True, exclusive=True, group="hub-visit", exit_on_error=False)
    def _record_visit(self, hub_id: int, before: dt.datetime | None) -> None:
        """Note the visit (what ``pithtui`` with no ref opens next time), then count what is
        new since the one ``before`` it, and say so."""
        try:
            self._repo.record_visit(hub_id)
        except StoreError:
            pass  # the store is read-only, or an import holds it longer than the busy timeout: not worth a word
        if before is not None:
            self._post_new_count(hub_id, before, tell=True)

    @work(thread=True, exclusive=True, group="hub-unlabelled", exit_on_error=False)
    def _count_without_context(self, hub_id: int, summary: HubSummary) -> None:
        """How many of the hub's unclassified citations have no citing sentence: the rest of
        the still-indexing sentence, which reads the citations themselves (after the first frame)."""
        counted = replace(summary, without_context=self._repo.unlabelled_without_context(hub_id))
        self.post_message(WithoutContextCounted(hub_id, counted))

    @work(thread=True, exclusive=True, group="hub-new", exit_on_error=False)
    def _count_new(self, hub_id: int, since: dt.datetime) -> None:
        """Count again what is new since ``since`` (the store may have changed: a refresh)."""
        self._post_new_count(hub_id, since, tell=False)

    def _post_new_count(self, hub_id: int, since: dt.datetime, *, tell: bool) -> None:
        """How many citing papers were first stored since ``since`` (``tell``: say so, if any).
        Runs in a worker."""
        self.post_message(NewCounted(hub_id, since, self._repo.count(hub_id, Filters(new_since=since)), tell=tell))

    @work(thread=True, exclusive=True, group="hub-export", exit_on_error=False)
    def _export(self, choice: ExportChoice, query: ExplorerQuery) -> None:
        """Write the citing papers of ``query`` to the chosen file (streamed from the store)."""
        from pithtui.export import export_file

        written = export_file(self._repo, query.hub_id, query.filters, query.sort, query.descending, choice.format, choice.path)
        message = f"Wrote {counted(written, 'citing paper')} ({choice.format}) to {choice.path}"
        self.app.notify(message, title="Exported", timeout=10, markup=False)

    @work(thread=True, exclusive=True, group="hub-facets", exit_on_error=False)
    def _count_facets(self, hub_id: int, filters: Filters) -> None:
        try:  # counting for filters already changed again is stopped, not finished
            with stopped_with_worker(self._repo):
                facets = self._repo.facets(hub_id, filters)
        except Cancelled:
            return
        self.post_message(FacetsCounted(filters, facets))

    @work(thread=True, group="hub-mark", exit_on_error=False)
    def _mark(self, paper_id: int, change: MineChange) -> None:
        """Write the reader's ``change`` to a paper (a read-only store fails: one notification)."""
        self.post_message(Marked(paper_id, self._repo.mark(paper_id, change)))

    @work(thread=True, group="hub-mark", exit_on_error=False)
    def _reread_mine(self, paper_id: int, known: Mine | None) -> None:
        """Read the marks of a paper again (its detail may have marked it read)."""
        mine = self._repo.mine(paper_id)
        if mine != known:
            self.post_message(Marked(paper_id, mine))

    @work(thread=True, exclusive=True, group="hub-views", exit_on_error=False)
    def _read_views(self, hub_id: int) -> None:
        self.post_message(ViewsRead(hub_id, self._repo.saved_views(hub_id)))

    @work(thread=True, group="hub-views-write", exit_on_error=False)
    def _save_view(self, view: SavedView) -> None:
        self._repo.save_view(view)
        self.app.notify(f"Saved the view {view.name!r} for {'every hub' if view.hub_id is None else 'this hub'}", markup=False)
        self.post_message(ViewsRead(self.hub_id, self._repo.saved_views(self.hub_id)))

    @work(thread=True, group="hub-views-write", exit_on_error=False)
    def _delete_view(self, view: SavedView) -> None:
        self._repo.delete_view(view.name, view.hub_id)
        self.post_message(ViewsRead(self.hub_id, self._repo.saved_views(self.hub_id)))

    @on(ViewsRead)
    def _views_read(self, message: ViewsRead) -> None:
        if message.hub_id == self.hub_id:
            self.saved_views = message.views

    @on(Marked)
    def _marked(self, message: Marked) -> None:
        """The row shows the new marks in place, and the sidebar counts the reader's marks again;
        under a filter of the reader's marks the row may no longer belong: the rows are listed
        again, at the same place."""
        self.query_one(CitingExplorer).remark(message.paper_id, message.mine)
        if self.filters.of_mine:
            self._reload_rows(keep_place=True)
        self._count_facets(self.hub_id, self.filters)

    @on(HeaderLoaded)
    def _header_loaded(self, message: HeaderLoaded) -> None:
        if message.hub_id == self.hub_id:
            self._show_header(message.header)

    def _show_header(self, header: HubHeader) -> None:
        """Fill the hub pane and the sidebar's values. The first time, the visit is noted once
        that is drawn (a write, which need not compete with drawing it), and what is new since
        the one before is counted then ("…" until it is)."""
        self._summary = header.summary
        self.query_one(HubPane).show(header.summary, header.base, header.representatives)
        sidebar = self.query_one(FilterSidebar)
        sidebar.load(header.base, self._settings.verdicts)
        if self.filters.active:
            self._count_facets(self.hub_id, self.filters)
        self._update_showing()
        if header.summary.still_indexing:
            self.call_after_refresh(self._count_without_context, self.hub_id, header.summary)
        if not self._visit_noted:
            self._visit_noted = True
            if header.last_visit is not None:
                sidebar.show_new(header.last_visit)
            self.call_after_refresh(self._record_visit, self.hub_id, header.last_visit)
            self.call_after_refresh(self._read_views, self.hub_id)

    @on(WithoutContextCounted)
    def _without_context_counted(self, message: WithoutContextCounted) -> None:
        if message.hub_id == self.hub_id:
            self._summary = message.summary
            self.query_one(HubPane).show_count(message.summary)

    @on(NewCounted)
    def _new_counted(self, message: NewCounted) -> None:
        if message.hub_id != self.hub_id or message.since != self.query_one(FilterSidebar).last_visit:
            return
        self.query_one(FilterSidebar).new_counted(message.count)
        if message.tell and message.count:
            self.notify(
                f"{counted(message.count, 'citing paper')} new since your last visit ({local_time(message.since)}): n lists them",
                title="New", timeout=8, markup=False,
            )  # fmt: skip

    @on(FacetsCounted)
    def _facets_counted(self, message: FacetsCounted) -> None:
        if message.filters == self.filters:
            self._change.counts_arrived(message.filters, message.facets)

    @on(CitingExplorer.Fetched)
    def _rows_fetched(self, message: CitingExplorer.Fetched) -> None:
        if message.query == self._query():
            self._change.rows_fetched(message.query.filters, message.first)

    def _query(self) -> ExplorerQuery:
        return ExplorerQuery(self.hub_id, self.filters, self.sort, self.descending)

    def _reload_rows(self, first: Page | None = None, *, keep_place: bool = False, same_rows: bool = False) -> None:
        """List the rows of the current query (``first``: its first block, fetched already;
        ``keep_place``: at the row the cursor is on, for a refresh; ``same_rows``: in another
        order, not counted again, so that "Showing N of M" keeps its N and says the new order
        at once)."""
        if same_rows:
            self._update_showing()
        else:
            self._matching = None
        self.query_one(CitingExplorer).show(
            self._query(), first, keep_place=keep_place, total=self._matching if same_rows else None
        )

    def _rows_counted(self, total: int) -> None:
        self._matching = total
        self._update_showing()

    def _update_showing(self, *, counting: bool = False) -> None:
        """``Showing N of M citing papers after filters · sorted by date, descending``; while
        the rows are ``counting`` (a search), ``Showing … of M``: never the count from before."""
        if self._summary is None or (self._matching is None and not counting):
            return
        stored = counted(self._summary.citing_count, "citing paper")
        shown = "…" if self._matching is None else self._matching
        text = f"Showing {shown} of {stored} after filters · sorted by {self.sort.value}, {SORT_WORDS[self.descending]}"
        # One line of fixed height: no layout to redo (which would redraw every widget it moves).
        self.query_one("#showing", Static).update(text, layout=False)

    # ------------------------------------------------------------------ state changes

    def watch_filters(self) -> None:
        """New filters: their rows, "Showing N of M" and the facet counts (or "…" while they
        are counted) are drawn in one frame (see :class:`OneFrame`)."""
        counts_after_rows = not self._repo.counts_at_once(self.filters)
        self._change.start(self.filters, counts_after_rows=counts_after_rows)
        self._matching = None
        if counts_after_rows:
            # A search (or a fractional minimum novelty): the explorer finds its rows, those in
            # view first, and the counts, which take longer, are asked once the rows are drawn.
            self._reload_rows()
        else:  # counts the stored cells answer: asked beside the rows
            self.query_one(CitingExplorer).fetch_first(self._query())
            self._count_facets(self.hub_id, self.filters)

    def watch_sort(self) -> None:
        self._reload_rows(same_rows=True)

    def watch_descending(self) -> None:
        self._reload_rows(same_rows=True)

    def watch_show_sidebar(self, show: bool) -> None:
        sidebar = self.query_one(FilterSidebar)
        sidebar.display = show
        if not show and sidebar.has_focus_within:
            self.query_one(CitingExplorer).focus()

    @on(FilterSidebar.Changed)
    def _filters_changed(self, message: FilterSidebar.Changed) -> None:
        self.filters = message.filters

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        """Enter in the search box: the narrowed explorer takes the keys (enter opens a row)."""
        self.query_one(CitingExplorer).focus()

    @on(CitingExplorer.SortClicked)
    def _sort_clicked(self, message: CitingExplorer.SortClicked) -> None:
        if message.sort is self.sort:
            self.descending = not self.descending
        else:
            self.sort = message.sort

    @on(CitingExplorer.Opened)
    def _row_opened(self, message: CitingExplorer.Opened) -> None:
        self._open_detail(message.row.paper.id, message.row.mine)

    @on(OptionList.OptionSelected, "#representatives")
    def _representative_chosen(self, message: OptionList.OptionSelected) -> None:
        if message.option.id is not None:
            self._open_detail(int(message.option.id))

    def _open_detail(self, paper_id: int | None, mine: Mine | None = None) -> None:
        if paper_id is not None:
            from pithtui.tui.screens.detail import DetailScreen  # not needed for the first frame

            self._opened = (paper_id, mine)
            self.app.push_screen(DetailScreen(self._repo, self.hub_id, paper_id, mark_read=self._settings.mark_read_on_open))

    def on_screen_resume(self) -> None:
        """Back from a paper's detail: its marks as they are now (opening it may mark it read)."""
        if self._opened is not None:
            paper_id, known = self._opened
            self._opened = None
            self._reread_mine(paper_id, known)

    # ------------------------------------------------------------------ the reader's marks

    @on(CitingExplorer.MarkAsked)
    def _mark_asked(self, message: CitingExplorer.MarkAsked) -> None:
        row = message.row
        paper_id = row.paper.id
        if paper_id is None:
            return
        if message.what == "star":
            self._mark(paper_id, MineChange(starred=not row.mine.starred))
        elif message.what == "read":
            self._mark(paper_id, MineChange(read=not row.mine.read))
        elif message.what == "note":
            ask_note(self, row, lambda text: self._mark(paper_id, MineChange(note=text)))
        elif message.what == "verdict":
            ask_verdict(self, row, self._settings.verdicts, lambda verdict: self._mark(paper_id, MineChange(verdict=verdict)))

    # ------------------------------------------------------------------ actions

    def action_search(self) -> None:
        self.show_sidebar = True
        self.query_one("#search", Input).focus()

    def action_toggle_sidebar(self) -> None:
        """Show the filters and move to them (the first facet list with values), so that the
        keys that follow tick values; pressed from within them, hide them."""
        sidebar = self.query_one(FilterSidebar)
        if self.show_sidebar and sidebar.has_focus_within:
            self.show_sidebar = False
        else:
            self.show_sidebar = True
            sidebar.focus_first()
        self.post_message(self.SidebarToggled(self.show_sidebar))

    def action_clear_filters(self) -> None:
        self.query_one(FilterSidebar).clear()

    def action_cycle_sort(self) -> None:
        keys = list(SortKey)
        self.sort = keys[(keys.index(self.sort) + 1) % len(keys)]

    def action_most_contrasting(self) -> None:
        """Sort by how contrasting each citation is: a source's "contrasting", then the
        classifier's probability of it, highest first."""
        self.sort, self.descending = SortKey.CONTRAST, True

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending

    def action_toggle_new(self) -> None:
        """Show only the citing papers first stored since the last visit, or all again."""
        if self.query_one(FilterSidebar).last_visit is None:
            self.notify("Nothing is new: this is the first visit of this hub", timeout=4)
        else:
            self.query_one(FilterSidebar).toggle_new()

    def action_export(self) -> None:
        """Choose a format and a file, then write the explorer's citing papers to it."""
        from pithtui.tui.screens.export import ExportScreen

        ref = self._summary.paper.best_ref if self._summary is not None else str(self.hub_id)
        query = self._query()

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                self._export(choice, query)

        self.app.push_screen(ExportScreen(ref, self._matching), chosen)

    def action_save_view(self) -> None:
        """Name the filters, search and sort shown (for this hub or every hub) and keep them."""
        from pithtui.tui.screens.views import ask_view_name

        ask_view_name(
            self, SavedView("", replace(self.filters, new_since=None), self.sort, self.descending, self.hub_id), self._save_view
        )

    def action_views(self) -> None:
        """List the saved views: enter applies one, d forgets it."""
        from pithtui.tui.screens.views import ViewsScreen

        self.app.push_screen(ViewsScreen(self.saved_views, self._delete_view), self._view_chosen)

    def _view_chosen(self, view: SavedView | None) -> None:
        if view is not None:
            self.apply_view(view)

    def apply_view(self, view: SavedView) -> None:
        """Show ``view``'s filters, search and sort (values this hub does not have are left out)."""
        filters = self.query_one(FilterSidebar).set_filters(view.filters)
        if filters == self.filters:
            self.sort, self.descending = view.sort, view.descending
        else:  # one reload, in the view's order
            self.set_reactive(HubScreen.sort, view.sort)
            self.set_reactive(HubScreen.descending, view.descending)
            self.filters = filters

    def action_toggle_abstract(self) -> None:
        self.query_one(HubPane).toggle_abstract()

    def action_reload(self) -> None:
        """Ask the store again, as it is now (``pithtui import`` or ``fetch`` may have added to
        it): the header, the facet counts and the explorer, under the same filters and sort,
        at the same row."""
        self._load_header(self.hub_id)
        self._reload_rows(keep_place=True)
        last_visit = self.query_one(FilterSidebar).last_visit
        if last_visit is not None:
            self._count_new(self.hub_id, last_visit)

    def action_focus_explorer(self) -> None:
        self.query_one(CitingExplorer).focus()

    def action_back(self) -> None:
        """Leave a text field for the explorer; otherwise go back to the previous screen."""
        if isinstance(self.focused, Input):
            self.query_one(CitingExplorer).focus()
        elif self.can_go_back:
            self.app.pop_screen()

    @property
    def can_go_back(self) -> bool:
        return len(self.app.screen_stack) > 2

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.can_go_back or isinstance(self.focused, Input)
        return True
