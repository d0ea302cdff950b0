"""A change of filters drawn in one frame: its first rows, "Showing N of M" and its facet counts.

Textual draws a second frame one to two frame intervals after the first, so a change drawn in
parts takes longer on screen than its queries take. Its parts therefore wait for each other,
ROWS_AWAITED at most, and until they are drawn the rows and counts from before stay (a frame
drawn meanwhile would also slow the workers fetching them: one interpreter lock).

:class:`OneFrame` holds what of the last change has come and decides what is drawn when; the
hub screen asks the store and draws what it is told to. No Textual here: the screen is the
:class:`Clock` and gives the drawing as callables, so the rule is tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from pithtui.models import Facets, Filters, Page

ROWS_AWAITED = 0.1
"""Seconds after a filter change that its rows and its counts (or "…" while they are counted)
wait for each other, to be drawn in one frame; then each is drawn as it comes."""


class Stoppable(Protocol):
    def stop(self) -> None: ...


class Clock(Protocol):
    """What times a change: a Textual screen (its ``set_timer`` and ``call_after_refresh``)."""

    def set_timer(self, delay: float, callback: Callable[[], object], /) -> Stoppable: ...

    def call_after_refresh(self, callback: Callable[[], object], /) -> object: ...


@dataclass(slots=True)
class _Change:
    """A change of filters while its parts come in."""

    filters: Filters
    counts_after_rows: bool
    """Its counts take longer than its rows (a search): they are asked once the rows are drawn."""
    waiting: bool = True
    """Within ROWS_AWAITED, and not drawn: what comes is held, to be drawn with the rest."""
    rows_in: bool = False
    counts_in: bool = False
    held_counts: Facets | None = None
    held_rows: Page | None = None


class OneFrame:
    """The last change of filters, drawn in one frame when its parts come within ROWS_AWAITED
    of each other, and each part as it comes after that.

    Counts the store answers at once are asked beside the first rows (:meth:`rows_fetched`,
    :meth:`counts_arrived`): whichever comes first is held until the other comes. A search's
    rows are listed by the explorer as they are found and its counts are asked only once those
    are drawn (so that the rows, asked first, do not share the two cores with them):
    :meth:`rows_arrived` draws "…" for the counts in the frame of the rows. Once ROWS_AWAITED
    has passed, what has come is drawn, and "…" for counts not yet in (never the counts from
    before). A newer change drops what is still to come of the one before it.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        rows: Callable[[Page], object],
        counts: Callable[[Facets], object],
        showing_counting: Callable[[], object],
        sidebar_counting: Callable[[], object],
        count: Callable[[Filters], object],
    ) -> None:
        """``rows``: list the first rows given (and "Showing N of M" with them); ``counts``:
        show the facet counts; ``showing_counting``: "Showing … of M"; ``sidebar_counting``:
        "…" for every facet count; ``count``: ask for the facet counts of the filters given."""
        self._clock = clock
        self._rows, self._counts, self._count = rows, counts, count
        self._showing_counting, self._sidebar_counting = showing_counting, sidebar_counting
        self._change = _Change(Filters(), counts_after_rows=False, waiting=False, rows_in=True, counts_in=True)
        """The last change of filters, while (and after) its parts come in; at first none."""
        self._timer: Stoppable | None = None
        """When the last change stops waiting (ROWS_AWAITED)."""

    def start(self, filters: Filters, *, counts_after_rows: bool) -> None:
        """The filters changed to ``filters`` (``counts_after_rows``: a search, whose counts
        are asked once its rows are drawn): until its parts come, what is drawn stays."""
        if self._timer is not None:
            self._timer.stop()
        change = self._change = _Change(filters, counts_after_rows)
        self._timer = self._clock.set_timer(ROWS_AWAITED, partial(self._waited, change))

    def rows_fetched(self, filters: Filters, first: Page) -> None:
        """The first rows of ``filters``, fetched beside their counts: drawn with the counts."""
        change = self._change
        if filters != change.filters:
            return
        change.held_rows = first
        if change.held_counts is not None or not change.waiting:
            self._draw()

    def counts_arrived(self, filters: Filters, facets: Facets) -> None:
        """The facet counts of ``filters``: drawn with the rows while the change waits."""
        change = self._change
        if filters != change.filters:
            return
        if change.waiting:
            change.held_counts = facets
            if change.held_rows is not None:
                self._draw()
        else:
            self._counts(facets)
            change.counts_in = True

    def rows_arrived(self, filters: Filters) -> None:
        """The explorer's first rows of ``filters`` are at hand (called before they are drawn).
        A search's change is drawn with them, and its counts are asked once that frame is drawn:
        counting beside the drawing would slow both (one interpreter lock)."""
        change = self._change
        if filters != change.filters or change.rows_in:
            return
        change.rows_in = True
        if change.counts_after_rows:
            self._draw()
            self._clock.call_after_refresh(partial(self._count_if_last, change))

    def _waited(self, change: _Change) -> None:
        self._timer = None
        if change is self._change and change.waiting:
            self._draw()

    def _draw(self) -> None:
        """Draw what of the last change has come (each part as it comes from now on), or "…"
        while its counts are counted."""
        change = self._change
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        change.waiting = False
        counts, change.held_counts = change.held_counts, None
        rows, change.held_rows = change.held_rows, None
        if counts is not None:
            self._counts(counts)
            change.counts_in = True
        elif not change.counts_in:
            self._showing_counting()
            # The sidebar's "…" a frame later: drawn with the rows, the frame would span the
            # screen and redraw every widget on it.
            self._clock.call_after_refresh(partial(self._sidebar_counting_if_last, change))
        if rows is not None:
            self._rows(rows)

    def _sidebar_counting_if_last(self, change: _Change) -> None:
        if change is self._change and not change.counts_in:
            self._sidebar_counting()

    def _count_if_last(self, change: _Change) -> None:
        """Ask for the counts of ``change`` unless the filters have changed since."""
        if change is self._change:
            self._count(change.filters)
