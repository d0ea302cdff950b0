"""One measured process of the benchmark: started by ``bench.run``, prints one JSON line.

    python -m bench.probe trivial   --t0 EPOCH
    python -m bench.probe hub       --t0 EPOCH --db URL --ref REF [--interact]
    python -m bench.probe datatable --t0 EPOCH --db URL --ref REF

``--t0`` is the wall-clock time at which the parent started this process, so "first frame"
covers everything a user waits for: the interpreter starting, imports, opening the store, the
queries and the first render. Apps run headless (Textual does everything but write the escape
codes to a terminal) at 120×40.

``hub`` starts pithtui exactly as the ``pithtui`` command does (``pithtui.cli.main``), with
Textual's ``App.run`` wrapped to run headless under an autopilot. The frame counts as complete
when the hub pane, the sidebar's facets, "Showing N of M" and every visible row of the
explorer are drawn. With ``--interact`` it then changes filters, pages down, jumps, and applies
searches as they are typed, timing each from the change to the next frame showing all of its
results (wall clock and CPU time of the whole process, worker threads included).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

SIZE = (120, 40)
POLL = 0.0005
"""Seconds between checks of a condition (the resolution of the interactive timings)."""
IDLE = 0.05
"""Seconds between one timed action's last frame and the next action (see ``timed``)."""

results: dict[str, Any] = {}


def peak_rss_mb() -> float:
    """This process's peak resident set size. Linux's VmHWM, not ``ru_maxrss``: that one keeps
    the high-water mark of the parent the process was forked from (the benchmark itself)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def until(condition: Any, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(POLL)


async def next_frame(app: Any) -> None:
    """Wait until the screen has been refreshed once more (what was changed is drawn)."""
    done = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: done.done() or done.set_result(None))
    await done


def run_headless(autopilot: Any) -> None:
    """Make every ``App.run`` of this process headless at SIZE, driven by ``autopilot``."""
    from textual.app import App

    original = App.run

    def run(self: Any, **kwargs: Any) -> Any:
        kwargs.update(headless=True, size=SIZE, auto_pilot=autopilot)
        return original(self, **kwargs)

    App.run = run  # type: ignore[method-assign]


# --------------------------------------------------------------------------- trivial


def trivial(t0: float) -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Static

    class Trivial(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("Hello, terminal.")
            yield Footer()

    async def autopilot(pilot: Any) -> None:
        app = pilot.app
        await until(lambda: app.screen.is_mounted and app.screen.query(Static))
        await next_frame(app)
        results["first_frame_s"] = time.time() - t0
        app.exit()

    Trivial().run(headless=True, size=SIZE, auto_pilot=autopilot)


# --------------------------------------------------------------------------- datatable


def datatable(t0: float, url: str, ref: str) -> None:
    """Textual's DataTable holding every citing paper of the hub (rows read by plain sqlite3)."""
    import sqlite3

    from sqlalchemy.engine import make_url
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    path = make_url(url).database
    conn = sqlite3.connect(path)
    hub_id = conn.execute("SELECT id FROM papers WHERE arxiv_id = ?", (ref,)).fetchone()[0]

    class Table(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("title", "category", "date", "verdict", "novelty", "roles", "polarity")
            rows = conn.execute(
                "SELECT p.title, p.category, p.date, p.verdict, p.novelty, c.roles_key, c.polarity "
                "FROM citations c JOIN papers p ON p.id = c.citing_id WHERE c.cited_id = ? "
                "ORDER BY c.citing_date DESC, c.citing_id DESC",
                (hub_id,),
            ).fetchall()
            table.add_rows([tuple("" if v is None else str(v) for v in row) for row in rows])
            results["rows"] = len(rows)

    async def autopilot(pilot: Any) -> None:
        app = pilot.app
        await until(lambda: app.screen.is_mounted and app.screen.query(DataTable) and app.screen.query_one(DataTable).row_count)
        await next_frame(app)
        results["first_frame_s"] = time.time() - t0
        app.exit()

    Table().run(headless=True, size=SIZE, auto_pilot=autopilot)


# --------------------------------------------------------------------------- pithtui


class Watch:
    """What the hub screen has finished showing (the probe's only hooks into pithtui)."""

    def __init__(self) -> None:
        self.counts_shown = 0
        self.rows_drawn: tuple[Any, float] | None = None
        """The query whose first rows a frame drew first, and when that frame was done."""

    def install(self) -> None:
        from textual.screen import Screen

        from pithtui.tui import compat
        from pithtui.tui.widgets.sidebar import FilterSidebar

        original = FilterSidebar.show_counts
        watch = self

        def show_counts(sidebar: Any, facets: Any) -> None:
            original(sidebar, facets)
            watch.counts_shown += 1

        FilterSidebar.show_counts = show_counts  # type: ignore[method-assign]

        # Not by hooking the explorer's class: importing it here, before pithtui's own start,
        # would import the store and SQLAlchemy outside the start's garbage-collection pause,
        # making the start measured slower than the one a user waits for.
        def frame(screen: Any, compose: Callable[[], None]) -> None:
            shown = watch.top_row_at_hand(screen)
            compose()
            if shown is not None and (watch.rows_drawn is None or watch.rows_drawn[0] != shown):
                watch.rows_drawn = (shown, time.perf_counter())

        compat.hook_frames(Screen, frame)

    @staticmethod
    def top_row_at_hand(screen: Any) -> Any:
        """The explorer's query when the row at its top is at hand (a frame then draws it)."""
        found = screen.query("CitingExplorer")
        explorer = found.first() if found else None
        if explorer is None or explorer._stale is not None or explorer._query is None:
            return None
        return explorer._query if explorer._cache.row(int(explorer.scroll_y)) is not None else None


def hub(t0: float, url: str, ref: str, interact: bool, searches: list[str]) -> None:
    watch = Watch()

    async def autopilot(pilot: Any) -> None:
        from pithtui.tui.screens.hub import HubScreen
        from pithtui.tui.widgets.explorer import ENDS_GROUP, CitingExplorer

        app = pilot.app

        def screen() -> Any:
            return app.screen

        def explorer() -> Any:
            return screen().query_one(CitingExplorer)

        def rows_drawn() -> bool:
            """The explorer knows its total and holds every row it shows."""
            widget = explorer()
            total = widget.total
            if total is None:
                return False
            top = int(widget.scroll_y)
            visible = range(top, min(total, top + max(widget.size.height - 1, 1)))
            return all(widget._cache.row(i) is not None for i in visible)

        def settled() -> bool:
            """Everything shown is there, and no worker is still fetching for it (the explorer's
            fetch of the first and last blocks ahead of a jump there draws nothing: it is not
            waited for, and what it costs falls on whatever it runs beside)."""
            s = screen()
            return (
                isinstance(s, HubScreen)
                and s._summary is not None
                and s._matching is not None
                and rows_drawn()
                and s._matching == explorer().total
                and not any(w.is_running for w in app.workers if w.group != ENDS_GROUP)
            )

        await until(lambda: isinstance(screen(), HubScreen) and screen().is_mounted and settled())
        await next_frame(app)
        results["first_frame_s"] = time.time() - t0
        results["total"] = explorer().total
        results["rss_after_first_frame_mb"] = peak_rss_mb()
        if interact:
            await interactions(app, screen(), explorer, settled, rows_drawn)
        results["peak_rss_mb"] = peak_rss_mb()
        app.exit()

    async def timed(app: Any, action: Any, done: Any, idle: float = IDLE) -> dict[str, float]:
        """wall_ms: from the action to the next frame drawn after everything it changes is
        there (Textual draws at most 60 frames a second: a second frame of an action comes one
        to two frame intervals after its first); state_ms: until everything is there, before
        that frame; cpu_ms: of the process. The action comes ``idle`` after the last frame, as a
        user's does: right after one, its first frame would wait for the next."""
        await asyncio.sleep(idle)
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        await until(done)
        state = time.perf_counter()
        await next_frame(app)
        return {
            "wall_ms": (time.perf_counter() - wall) * 1000,
            "state_ms": (state - wall) * 1000,
            "cpu_ms": (time.process_time() - cpu) * 1000,
        }

    async def interactions(app: Any, hub_screen: Any, explorer: Any, settled: Any, rows_drawn_now: Any) -> None:

        from pithtui.models import Filters

        widget = explorer()
        base = Filters()
        changes = [
            ("category cs.CL", Filters(categories=frozenset({"cs.CL"}))),
            ("category cs.CL + cs.CV", Filters(categories=frozenset({"cs.CL", "cs.CV"}))),
            ("+ verdict SOUND", Filters(categories=frozenset({"cs.CL", "cs.CV"}), verdicts=frozenset({"SOUND"}))),
            ("role dataset", Filters(roles=frozenset({"dataset"}))),
            ("polarity unclassified", Filters(polarities=frozenset({None}))),
            ("years 2019-2020", Filters(since=_date(2019, 1, 1), until=_date(2020, 12, 31))),
            ("min novelty 6", Filters(min_novelty=6.0)),
            ("min novelty 6.5", Filters(min_novelty=6.5)),
            ("yours: starred", Filters(mine=frozenset({"starred"}))),
            ("yours: unread", Filters(mine=frozenset({"unread"}))),
            ("clear", base),
        ]
        filter_times = []
        for label, filters in changes:
            shown = watch.counts_shown

            def change(filters: Any = filters) -> None:
                hub_screen.filters = filters

            timing = await timed(app, change, lambda shown=shown: watch.counts_shown > shown and settled())
            filter_times.append({"change": label, **timing, "matching": widget.total})
        results["filter_change"] = filter_times

        widget.focus()
        pages = []
        for _ in range(30):
            pages.append(await timed(app, widget.action_page_down, settled))
        results["page_down"] = pages
        results["jump_end"] = [await timed(app, widget.action_last, settled)]
        results["jump_top"] = [await timed(app, widget.action_first, settled)]
        jumps = []
        total = widget.total or 1
        for fraction in (0.5, 0.25, 0.9):

            def jump(fraction: float = fraction) -> None:
                widget.cursor = int(total * fraction)

            jumps.append({"row": int(total * fraction), **await timed(app, jump, settled)})
        results["jump_row"] = jumps
        results["jump_end"].append(await timed(app, widget.action_last, settled))

        # Typing a search: each key as the sidebar applies it once the user pauses (the pause
        # itself, TYPING_PAUSE, is not counted): from then until the rows, "Showing N of M" and
        # the facet counts are drawn; rows_ms: until the first rows of the results are at hand;
        # drawn_ms: until the frame that first draws them is done.
        from textual.widgets import Input

        from pithtui.tui.widgets.sidebar import TYPING_PAUSE, FilterSidebar

        sidebar = hub_screen.query_one(FilterSidebar)
        box = sidebar.query_one("#search", Input)
        search_runs = []
        for query in searches:
            keystrokes = []
            for length in range(1, len(query) + 1):
                typed = query[:length]
                with sidebar.prevent(Input.Changed):
                    box.value = typed
                await next_frame(app)  # the key drawn in the box,
                await asyncio.sleep(TYPING_PAUSE)  # and the pause: no frame is due when it ends
                expected = sidebar.filters(live=True)
                if expected == hub_screen.filters:
                    keystrokes.append(
                        {"typed": typed, "wall_ms": 0.0, "cpu_ms": 0.0, "rows_ms": 0.0, "drawn_ms": 0.0, "query": False}
                    )
                    continue  # nothing new to search for (a space, or a one-letter last word)
                shown = watch.counts_shown
                rows_at: list[float] = []
                started = time.perf_counter()

                def complete(
                    shown: int = shown, rows_at: list[float] = rows_at, started: float = started, expected: Any = expected
                ) -> bool:
                    current = widget._query is not None and widget._query.filters == expected
                    if not rows_at and current and (widget.total == 0 or widget._cache.row(int(widget.scroll_y)) is not None):
                        rows_at.append((time.perf_counter() - started) * 1000)
                    return watch.counts_shown > shown and settled()

                timing = await timed(app, sidebar.typed_pause, complete, idle=0.0)
                rows_ms = rows_at[0] if rows_at else timing["wall_ms"]
                drawn = watch.rows_drawn
                drawn_ms = (
                    (drawn[1] - started) * 1000 if drawn is not None and drawn[0].filters == expected else timing["wall_ms"]
                )
                keystrokes.append(
                    {"typed": typed, **timing, "rows_ms": rows_ms, "drawn_ms": drawn_ms, "query": True, "matching": widget.total}
                )
            search_runs.append({"query": query, "keystrokes": keystrokes})
            with sidebar.prevent(Input.Changed):
                box.value = ""
            shown = watch.counts_shown
            await timed(app, sidebar.typed_pause, lambda shown=shown: watch.counts_shown > shown and settled())
        results["search"] = search_runs

    watch.install()
    run_headless(autopilot)
    from pithtui.cli import main

    status = main([ref, "--db", url])
    results["exit_status"] = status


def _date(year: int, month: int, day: int) -> Any:
    import datetime as dt

    return dt.date(year, month, day)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("trivial", "hub", "datatable"))
    parser.add_argument("--t0", type=float, required=True)
    parser.add_argument("--db")
    parser.add_argument("--ref")
    parser.add_argument("--interact", action="store_true")
    parser.add_argument("--search", action="append", default=[])
    args = parser.parse_args()
    if args.mode == "trivial":
        trivial(args.t0)
    elif args.mode == "datatable":
        datatable(args.t0, args.db, args.ref)
    else:
        hub(args.t0, args.db, args.ref, args.interact, args.search)
    results["peak_rss_mb"] = max(results.get("peak_rss_mb", 0.0), peak_rss_mb())
    sys.stdout.write(json.dumps(results) + "\n")


if __name__ == "__main__":
    main()
