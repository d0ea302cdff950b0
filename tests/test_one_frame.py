"""A change of filters drawn in one frame (pithtui.tui.screens.one_frame), without an app.

A fake screen stands for the hub screen: it records what the change draws into the frame
being built, its ``refresh`` ends that frame (and runs what was asked for after it), and its
``elapse`` lets ROWS_AWAITED pass.
"""

from __future__ import annotations

from collections.abc import Callable

from pithtui.models import Facets, FacetValue, Filters, Page
from pithtui.tui.screens.one_frame import ROWS_AWAITED, OneFrame

SEARCH = Filters(search="paper")
SOUND = Filters(verdicts=frozenset({"SOUND"}))
CL = Filters(categories=frozenset({"cs.CL"}))


def page(name: str) -> Page:
    """A page told apart by its ``total`` (the rows themselves are never looked at)."""
    return Page(rows=(), total=len(name))


def facets(count: int) -> Facets:
    return Facets(category=(FacetValue("cs.LG", count),))


class Timer:
    def __init__(self, delay: float, callback: Callable[[], object]) -> None:
        self.delay, self.callback, self.stopped = delay, callback, False

    def stop(self) -> None:
        self.stopped = True


class Screen:
    """What :class:`OneFrame` draws on and asks of, frame by frame."""

    def __init__(self) -> None:
        self.frames: list[list[tuple[str, object]]] = []
        self.frame: list[tuple[str, object]] = []
        self.after_refresh: list[Callable[[], object]] = []
        self.timers: list[Timer] = []
        self.counted: list[Filters] = []
        self.change = OneFrame(
            self,
            rows=lambda first: self.frame.append(("rows", first)),
            counts=lambda counts: self.frame.append(("counts", counts)),
            showing_counting=lambda: self.frame.append(("showing", "…")),
            sidebar_counting=lambda: self.frame.append(("sidebar", "…")),
            count=self.counted.append,
        )

    def set_timer(self, delay: float, callback: Callable[[], object]) -> Timer:
        timer = Timer(delay, callback)
        self.timers.append(timer)
        return timer

    def call_after_refresh(self, callback: Callable[[], object]) -> bool:
        self.after_refresh.append(callback)
        return True

    def refresh(self) -> list[tuple[str, object]]:
        """Draw a frame of what was drawn since the last one (if anything) and return it."""
        drawn, self.frame = self.frame, []
        if drawn:
            self.frames.append(drawn)
        callbacks, self.after_refresh = self.after_refresh, []
        for callback in callbacks:
            callback()
        return drawn

    def elapse(self) -> None:
        """ROWS_AWAITED passes: the timers not stopped go off."""
        for timer in self.timers:
            if not timer.stopped:
                timer.stopped = True
                timer.callback()

    @property
    def running_timers(self) -> list[Timer]:
        return [timer for timer in self.timers if not timer.stopped]


def test_counts_at_once_rows_first_then_counts_are_drawn_together() -> None:
    screen = Screen()
    screen.change.start(SOUND, counts_after_rows=False)
    assert [timer.delay for timer in screen.timers] == [ROWS_AWAITED]
    screen.change.rows_fetched(SOUND, page("sound"))
    assert screen.refresh() == [], "the rows wait for the counts"
    screen.change.counts_arrived(SOUND, facets(1))
    assert screen.refresh() == [("counts", facets(1)), ("rows", page("sound"))]
    assert screen.running_timers == []
    screen.elapse()
    assert screen.refresh() == [] and screen.counted == []


def test_counts_at_once_counts_first_then_rows_are_drawn_together() -> None:
    screen = Screen()
    screen.change.start(SOUND, counts_after_rows=False)
    screen.change.counts_arrived(SOUND, facets(1))
    assert screen.refresh() == [], "the counts wait for the rows"
    screen.change.rows_fetched(SOUND, page("sound"))
    assert screen.refresh() == [("counts", facets(1)), ("rows", page("sound"))]
    screen.change.rows_arrived(SOUND)  # the explorer lists them: nothing more to draw
    assert screen.refresh() == [] and screen.frames == [[("counts", facets(1)), ("rows", page("sound"))]]


def test_once_the_wait_is_over_what_came_is_drawn_and_the_rest_as_it_comes() -> None:
    screen = Screen()
    screen.change.start(SOUND, counts_after_rows=False)
    screen.change.counts_arrived(SOUND, facets(1))
    screen.elapse()
    assert screen.refresh() == [("counts", facets(1))]
    screen.change.rows_fetched(SOUND, page("sound"))
    assert screen.refresh() == [("rows", page("sound"))]


def test_counts_not_in_when_the_wait_is_over_are_dots_never_the_counts_before() -> None:
    screen = Screen()
    screen.change.start(SOUND, counts_after_rows=False)
    screen.change.rows_fetched(SOUND, page("sound"))
    screen.elapse()
    assert screen.refresh() == [("showing", "…"), ("rows", page("sound"))]
    assert screen.refresh() == [("sidebar", "…")], "the sidebar's dots come a frame after the rows"
    screen.change.counts_arrived(SOUND, facets(1))
    assert screen.refresh() == [("counts", facets(1))]


def test_counts_that_come_before_the_sidebars_dots_are_drawn_leave_them_out() -> None:
    screen = Screen()
    screen.change.start(SOUND, counts_after_rows=False)
    screen.elapse()
    screen.change.counts_arrived(SOUND, facets(1))
    assert screen.refresh() == [("showing", "…"), ("counts", facets(1))]
    assert screen.refresh() == []


def test_a_searchs_dots_are_drawn_with_its_rows_and_its_counts_asked_after_that_frame() -> None:
    screen = Screen()
    screen.change.start(SEARCH, counts_after_rows=True)
    assert screen.refresh() == [] and screen.counted == [], "until the rows come, what was drawn stays"
    screen.change.rows_arrived(SEARCH)
    assert screen.running_timers == []
    assert screen.counted == []
    assert screen.refresh() == [("showing", "…")], "the rows' frame (the explorer draws the rows in it)"
    assert screen.counted == [SEARCH]
    assert screen.refresh() == [("sidebar", "…")]
    screen.change.counts_arrived(SEARCH, facets(2))
    assert screen.refresh() == [("counts", facets(2))]
    screen.change.rows_arrived(SEARCH)  # another order of the same rows
    assert screen.refresh() == [] and screen.counted == [SEARCH]


def test_a_search_whose_rows_are_slow_gives_the_counts_before_up_for_dots() -> None:
    screen = Screen()
    screen.change.start(SEARCH, counts_after_rows=True)
    screen.elapse()
    assert screen.refresh() == [("showing", "…")]
    assert screen.refresh() == [("sidebar", "…")]
    assert screen.counted == [], "counted once the rows are drawn"
    screen.change.rows_arrived(SEARCH)
    screen.refresh()
    assert screen.counted == [SEARCH]


def test_a_newer_change_drops_what_is_still_to_come_of_the_one_before() -> None:
    screen = Screen()
    screen.change.start(SEARCH, counts_after_rows=True)
    screen.change.rows_arrived(SEARCH)
    screen.change.start(CL, counts_after_rows=False)  # before the search's frame is drawn
    assert screen.timers[0].stopped and not screen.timers[1].stopped
    assert screen.refresh() == [("showing", "…")]
    assert screen.counted == [], "neither the search's counts are asked nor its dots drawn"
    screen.change.counts_arrived(SEARCH, facets(2))
    screen.change.rows_fetched(SEARCH, page("search"))
    screen.change.rows_arrived(SEARCH)
    screen.timers[0].callback()  # a timer already going off as it was stopped
    assert screen.refresh() == []
    screen.change.rows_fetched(CL, page("cl"))
    screen.change.counts_arrived(CL, facets(0))
    assert screen.refresh() == [("counts", facets(0)), ("rows", page("cl"))]


def test_with_no_change_under_way_counts_are_drawn_as_they_come() -> None:
    """A refresh counts the facets again under the filters the hub opened with."""
    screen = Screen()
    screen.change.counts_arrived(Filters(), facets(3))
    screen.change.rows_arrived(Filters())
    assert screen.refresh() == [("counts", facets(3))]
    assert screen.timers == [] and screen.counted == []
