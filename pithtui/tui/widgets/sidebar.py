"""The filter sidebar: checkable facet lists with live counts, "new since last visit", a year
range, a minimum novelty, a text search and "clear filters".

The values listed come from the hub's data (its facets with no filter), in a fixed order so
that ticking a box never moves the others; their counts follow the other filters. The sidebar
turns its widgets into one :class:`~pithtui.models.Filters` and posts it whenever any changes.
"""

from __future__ import annotations

import datetime as dt

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.validation import Function
from textual.widgets import Button, Input, Label

from pithtui.dates import parse_bound
from pithtui.hub_text import facet_label
from pithtui.models import Facets, FacetValue, Filters
from pithtui.tui.labels import local_time
from pithtui.tui.safe import literal
from pithtui.tui.widgets.strips import LineScrollView, text_strip
from pithtui.tui.widgets.vim import VIM_LIST_BINDINGS

FACETS = ("role", "polarity", "verdict", "category")
"""The checkable facets, by their name in :class:`~pithtui.models.Facets`."""

MINE = "mine"
"""The list of the reader's own marks (starred, unread, noted): ``Filters.mine``, all of them."""
MY_VERDICT = "my-verdict"
"""The list of the reader's own verdicts: ``Filters.my_verdicts``, any of them."""
MINE_SHOWN = ("starred", "unread", "noted")
"""The marks offered, in their order (``Facets.mine`` counts each)."""

NEW = "new"
"""The list of one value, ticked for the citing papers first stored since the last visit.
Its count is the hub's, not under the other filters (counting it again with every change
would add a count to each; "Showing N of M" says how many pass them all)."""

TYPING_PAUSE = 0.25
"""Seconds of no typing before a text filter applies (Enter applies it at once)."""


def _live_search(text: str) -> str:
    """The search to apply while typing: ``text`` without a last word of one character."""
    words = text.split()
    if words and len(words[-1]) == 1:
        words.pop()
    return " ".join(words)


def _valid_bound(text: str) -> bool:
    try:
        parse_bound(text, end=False)
    except ValueError:
        return False
    return True


def _valid_novelty(text: str) -> bool:
    try:
        return not text.strip() or 0 <= float(text) <= 10
    except ValueError:
        return False


class FacetList(LineScrollView, can_focus=True):
    """One facet's values with their counts, a line each (``[x] cs.LG  12``); the ticked values
    filter the citing papers. ``space`` or ``enter`` (or a click) ticks or unticks the value
    under the cursor.

    Drawn on the line API rather than as a SelectionList: a line per value, so its height is
    known before it is first laid out. A SelectionList learns its height only while it is drawn
    and has the screen laid out again, once for each of the four while a hub opens."""

    BINDINGS = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("home", "first", "Top", show=False),
        Binding("end", "last", "End", show=False),
        *VIM_LIST_BINDINGS,
        Binding("space,enter", "toggle_value", "Tick or untick a filter value", show=False),
    ]

    COMPONENT_CLASSES = {"facet-list--cursor"}

    class Changed(Message):
        """The user ticked or unticked a value."""

    def __init__(self, facet: str) -> None:
        super().__init__(id=f"facet-{facet}", classes="facet")
        self.facet = facet
        self.values: list[str | None] = []
        """The values listed, in their fixed order."""
        self._counts: list[int] = []
        self._counting = False
        """Whether the counts drawn are being counted again (drawn as "…")."""
        self._ticked: set[str | None] = set()
        self.cursor = 0
        self.add_class("-empty")  # until values come

    def set_values(self, values: tuple[FacetValue, ...]) -> None:
        """List ``values`` (the hub's, unfiltered); those ticked before (a refresh) stay ticked."""
        self.values = [v.value for v in values]
        self._counts = [v.count for v in values]
        self._ticked &= set(self.values)
        self.cursor = min(self.cursor, max(len(values) - 1, 0))
        self.virtual_size = Size(0, len(values))
        self.set_class(not values, "-empty")
        self.refresh()

    def show_counts(self, values: tuple[FacetValue, ...]) -> None:
        """Update the counts in place (values missing under the filters count 0)."""
        counts = {v.value: v.count for v in values}
        shown = [counts.get(value, 0) for value in self.values]
        if shown != self._counts or self._counting:  # a facet's own values keep their counts as it is ticked
            self._counts = shown
            self._counting = False
            self.refresh()

    def counting(self) -> None:
        """Draw "…" for every count until :meth:`show_counts` gives the new ones."""
        if not self._counting:
            self._counting = True
            self.refresh()

    @property
    def chosen(self) -> frozenset[str | None]:
        return frozenset(self._ticked)

    def tick_only(self, values: frozenset[str] | frozenset[str | None]) -> None:
        """Tick the values listed that are in ``values``, untick the rest (posts no message)."""
        self._ticked = {value for value in self.values if value in values}
        self.refresh()

    def untick_all(self) -> None:
        """Untick every value (posts no message: the caller says what changed)."""
        self._ticked.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        style = self.line_style
        if index >= len(self.values):
            return Strip.blank(width, style)
        value = self.values[index]
        line = literal(f"[{'x' if value in self._ticked else ' '}] {facet_label(value)}")
        line.append(f"  {'…' if self._counting else self._counts[index]}", style="dim")
        if index == self.cursor:
            style += self.get_component_rich_style("facet-list--cursor")
        return text_strip(line, width, style, self.app.console)

    def _move(self, index: int) -> None:
        if self.values:
            self.cursor = max(0, min(index, len(self.values) - 1))
            self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, immediate=True)
            self.refresh()

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.values) - 1)

    def action_toggle_value(self) -> None:
        if self.values:
            self._ticked ^= {self.values[self.cursor]}
            self.refresh()
            self.post_message(self.Changed())

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_y) + event.y
        if index < len(self.values):
            self._move(index)
            self.action_toggle_value()


class FilterSidebar(VerticalScroll):
    """Every filter of the explorer, in one column."""

    class Changed(Message):
        """The user changed a filter; ``filters`` is the whole new set."""

        def __init__(self, filters: Filters) -> None:
            super().__init__()
            self.filters = filters

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._typing: Timer | None = None
        self.last_visit: dt.datetime | None = None
        """The hub's visit before this one (stored time, UTC): what "new" is new since; None
        until :meth:`show_new` (a first visit)."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search titles, summaries", id="search", compact=True)
        for facet in FACETS:
            yield Label(facet, classes="facet-title", id=f"title-{facet}")
            yield FacetList(facet)
        yield Label("yours", classes="facet-title", id=f"title-{MINE}")
        yield FacetList(MINE)
        yield FacetList(MY_VERDICT)
        yield Label("new since your last visit", classes="facet-title -empty", id=f"title-{NEW}")
        yield FacetList(NEW)
        yield Label("year", classes="facet-title")
        with Horizontal(id="years"):
            for bound in ("since", "until"):
                yield Input(
                    placeholder=bound,
                    id=bound,
                    max_length=10,
                    compact=True,
                    validators=[Function(_valid_bound, "YYYY[-MM[-DD]]")],
                )
        yield Label("minimum novelty", classes="facet-title")
        yield Input(
            placeholder="0–10", id="min-novelty", max_length=5, compact=True, validators=[Function(_valid_novelty, "0 to 10")]
        )
        yield Button("clear filters", id="clear", compact=True)

    # ------------------------------------------------------------------ facts in

    def load(self, base: Facets, verdicts: tuple[str, ...]) -> None:
        """Show the hub's own values (``base`` is its facets with no filter) and the reader's
        marks, with ``verdicts`` (their vocabulary) offered whether used yet or not."""
        for facet in FACETS:
            values = getattr(base, facet)
            self.query_one(f"#facet-{facet}", FacetList).set_values(values)
            self.query_one(f"#title-{facet}", Label).update(facet if values else f"{facet} · none recorded")
        marks = {v.value: v.count for v in base.mine}
        self.query_one(f"#facet-{MINE}", FacetList).set_values(tuple(FacetValue(m, marks.get(m, 0)) for m in MINE_SHOWN))
        given = {v.value: v.count for v in base.my_verdict}
        offered = [*verdicts, *(v for v in given if v is not None and v not in verdicts)]
        self.query_one(f"#facet-{MY_VERDICT}", FacetList).set_values(tuple(FacetValue(v, given.get(v, 0)) for v in offered))
        years = [v.value for v in base.year if v.value is not None]
        if years:
            self.query_one("#since", Input).placeholder = f"since {min(years)}"
            self.query_one("#until", Input).placeholder = f"until {max(years)}"

    def show_new(self, last_visit: dt.datetime) -> None:
        """Offer the citing papers first stored since ``last_visit`` ("…" until
        :meth:`new_counted` says how many)."""
        self.last_visit = last_visit
        new = self.query_one(f"#facet-{NEW}", FacetList)
        new.set_values((FacetValue(local_time(last_visit), 0),))
        new.counting()
        self.query_one(f"#title-{NEW}", Label).remove_class("-empty")

    def new_counted(self, count: int) -> None:
        new = self.query_one(f"#facet-{NEW}", FacetList)
        new.show_counts(tuple(FacetValue(value, count) for value in new.values))

    def toggle_new(self) -> None:
        """Tick "new since your last visit", or untick it (which posts the filters)."""
        self.query_one(f"#facet-{NEW}", FacetList).action_toggle_value()

    def focus_first(self) -> None:
        """Focus the first facet list that has values (the search box when none has)."""
        lists = [facet for facet in self.query(FacetList) if not facet.has_class("-empty")]
        (lists[0] if lists else self.query_one("#search", Input)).focus()

    def show_counts(self, facets: Facets) -> None:
        for facet in FACETS:
            self.query_one(f"#facet-{facet}", FacetList).show_counts(getattr(facets, facet))
        self.query_one(f"#facet-{MINE}", FacetList).show_counts(facets.mine)
        self.query_one(f"#facet-{MY_VERDICT}", FacetList).show_counts(facets.my_verdict)

    def counting(self) -> None:
        """The counts are being counted again under new filters: "…" until they come."""
        for facet in (*FACETS, MINE, MY_VERDICT):
            self.query_one(f"#facet-{facet}", FacetList).counting()

    def set_filters(self, filters: Filters) -> Filters:
        """Tick and fill the widgets as ``filters`` say (a saved view), posting nothing; values
        this hub does not list are left out, and so is "new since your last visit". Returns the
        filters the widgets say now."""
        if self._typing is not None:
            self._typing.stop()
            self._typing = None
        ticked: dict[str, frozenset[str] | frozenset[str | None]] = {
            "role": filters.roles,
            "polarity": filters.polarities,
            "verdict": filters.verdicts,
            "category": filters.categories,
            MINE: filters.mine,
            MY_VERDICT: filters.my_verdicts,
            NEW: frozenset(),
        }
        for facet, values in ticked.items():
            self.query_one(f"#facet-{facet}", FacetList).tick_only(values)
        fields = {
            "#search": filters.search,
            "#since": filters.since.isoformat() if filters.since else "",
            "#until": filters.until.isoformat() if filters.until else "",
            "#min-novelty": "" if filters.min_novelty is None else f"{filters.min_novelty:g}",
        }
        with self.prevent(Input.Changed):
            for selector, value in fields.items():
                self.query_one(selector, Input).value = value
        return self.filters()

    # ------------------------------------------------------------------ filters out

    def filters(self, *, live: bool = False) -> Filters:
        """The filters the widgets say now (a text field that does not parse is left out).

        ``live`` (applied while the user types): a search's last word of one character is left
        out until a second is typed; it would match nearly every paper, and a one-letter prefix
        is the costliest search there is. Enter applies the search as typed."""
        lists = {facet: self.query_one(f"#facet-{facet}", FacetList).chosen for facet in FACETS}
        return Filters(
            roles=frozenset(v for v in lists["role"] if v is not None),
            polarities=lists["polarity"],
            verdicts=frozenset(v for v in lists["verdict"] if v is not None),
            categories=frozenset(v for v in lists["category"] if v is not None),
            since=self._bound("#since", end=False),
            until=self._bound("#until", end=True),
            min_novelty=self._novelty(),
            new_since=self.last_visit if self.query_one(f"#facet-{NEW}", FacetList).chosen else None,
            mine=frozenset(v for v in self.query_one(f"#facet-{MINE}", FacetList).chosen if v is not None),
            my_verdicts=frozenset(v for v in self.query_one(f"#facet-{MY_VERDICT}", FacetList).chosen if v is not None),
            search=_live_search(self.query_one("#search", Input).value)
            if live
            else self.query_one("#search", Input).value.strip(),
        )

    def _bound(self, selector: str, *, end: bool) -> dt.date | None:
        try:
            return parse_bound(self.query_one(selector, Input).value, end=end)
        except ValueError:
            return None

    def _novelty(self) -> float | None:
        text = self.query_one("#min-novelty", Input).value
        return float(text) if text.strip() and _valid_novelty(text) else None

    def _changed(self, *, live: bool = False) -> None:
        if self._typing is not None:
            self._typing.stop()
            self._typing = None
        self.post_message(self.Changed(self.filters(live=live)))

    def typed_pause(self) -> None:
        """The user stopped typing for TYPING_PAUSE: apply what the text fields say."""
        self._changed(live=True)

    @on(FacetList.Changed)
    def _ticked(self, event: FacetList.Changed) -> None:
        event.stop()
        self._changed()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._typing is not None:
            self._typing.stop()
        self._typing = self.set_timer(TYPING_PAUSE, self.typed_pause)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Apply at once; the event goes on up so the screen can move on from the field."""
        self._changed()

    @on(Button.Pressed, "#clear")
    def _clear_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.clear()

    def clear(self) -> None:
        """Untick every value and empty every field; posts the empty filters."""
        with self.prevent(Input.Changed):
            for facet_list in self.query(FacetList):
                facet_list.untick_all()
            for field in self.query(Input):
                field.clear()
        self._changed()
