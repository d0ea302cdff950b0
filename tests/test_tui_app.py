"""The hub in the terminal, driven headlessly as a user would: keys in, screen text out.

Most tests run against a generated hub of 10,000 citing papers whose attributes follow
simple rules (category by ``i % 4``, verdict by ``i % 10``, …), so the expected counts are
computed here from the same rules and compared with what the screen says.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import replace
from pathlib import Path

import pytest
from scenes import SENTENCES_HUB, sample_store, sentences_store, settle

from pithtui.hub_text import facet_label
from pithtui.models import UNVERDICTED, Citation, Filters, Paper
from pithtui.sources.citation_model import load_classifier
from pithtui.sources.sample import open_store
from pithtui.store import HubRepository
from pithtui.tui import compat, wants_ansi
from pithtui.tui.app import PithApp
from pithtui.tui.screens import one_frame
from pithtui.tui.screens.detail import DetailScreen
from pithtui.tui.screens.help import HelpScreen
from pithtui.tui.screens.hub import HubScreen
from pithtui.tui.screens.picker import PickerScreen
from pithtui.tui.widgets import explorer_fetch
from pithtui.tui.widgets.explorer import CitingExplorer
from pithtui.tui.widgets.explorer_columns import COLUMNS, GAP
from pithtui.tui.widgets.row_cache import BLOCK

N = 10_000
CATEGORIES = ("cs.LG", "cs.CL", "cs.AI", "stat.ML")
ROLES = (("background",), ("baseline", "method"), ())
POLARITIES = (None, "supporting", "supporting", "contrasting", "neutral")
HUB = Paper(
    title="A Hub With Ten Thousand Citing Papers",
    arxiv_id="2301.00001",
    category="cs.LG",
    date=dt.date(2023, 1, 1),
    abstract="What a large hub looks like.",
    cited_by_reported=12_000,
)


def date_of(i: int) -> dt.date:
    return dt.date(2000, 1, 1) + dt.timedelta(days=i)


def novelty_of(i: int) -> float | None:
    return None if i % 11 == 10 else float(i % 11)


def citing(i: int) -> Paper:
    return Paper(
        title=f"Citing paper {i:05d}",
        arxiv_id=f"2401.{i:05d}",
        authors=(f"Author {i}",),
        date=date_of(i),
        category=CATEGORIES[i % 4],
        verdict="SOUND" if i % 10 == 0 else UNVERDICTED,
        novelty=novelty_of(i),
        summary=f"Summary of work number {i}.",
    )


def generated_hub() -> list[Paper | Citation]:
    records: list[Paper | Citation] = [HUB]
    for i in range(N):
        records.append(
            Citation(
                citing=citing(i),
                cited=HUB,
                roles=ROLES[i % 3],
                polarity=POLARITIES[i % 5],
                contexts=(f"We build on the hub in work {i}.",),
                source="test",
            )
        )
    # Paper 00000 is a hub of its own: three follow-ups cite it.
    for letter in "ABC":
        records.append(
            Citation(citing=Paper(title=f"Follow-up {letter}", arxiv_id=f"2501.0000{ord(letter) - 64}"), cited=citing(0))
        )
    return records


def matching(predicate: Callable[[int], bool]) -> int:
    return sum(1 for i in range(N) if predicate(i))


@pytest.fixture(scope="module")
def big_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('big') / 'hub.db'}"
    repo = open_store(url)
    repo.upsert(generated_hub())
    repo.close()
    return url


@pytest.fixture
def big(big_url: str) -> HubRepository:
    repo = open_store(big_url)
    yield repo
    repo.close()


@pytest.fixture(autouse=True)
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The settings file the app reads and writes: a test's own, never the user's; no $EDITOR."""
    path = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("PITHTUI_CONFIG", str(path))
    monkeypatch.delenv("EDITOR", raising=False)
    return path


@pytest.fixture
def sample(tmp_path: Path) -> HubRepository:
    repo = sample_store(tmp_path)
    yield repo
    repo.close()


def headless(test: Callable[..., Coroutine[object, object, None]]) -> Callable[..., None]:
    """Run an async test on its own event loop (pytest sees the wrapped test's fixtures)."""

    @functools.wraps(test)
    def run(*args: object, **kwargs: object) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


# ------------------------------------------------------------------ what the user sees


@contextlib.asynccontextmanager
async def opened(repo: HubRepository, *, size: tuple[int, int] = (120, 40), **options: object):
    """The app on ``repo``, running headless at ``size`` with its first hub (or picker) shown."""
    app = PithApp(repo, **options)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield app, pilot


async def eventually(pilot, condition: Callable[[], bool], timeout: float = 10) -> None:
    """Wait (for a debounce, the palette's search) until ``condition`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await pilot.pause(0.05)
        await settle(pilot)


def screen_text(app: PithApp) -> str:
    return compat.screen_text(app.screen)


def showing(app: PithApp) -> tuple[int, int]:
    found = re.search(r"Showing (\d+) of (\d+) citing papers? after filters", screen_text(app))
    assert found, screen_text(app)
    return int(found[1]), int(found[2])


def current_umask() -> int:
    """The process's umask (read by setting it, and setting it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def explorer(app: PithApp) -> CitingExplorer:
    return app.screen.query_one(CitingExplorer)


MARKS = COLUMNS[0].width + GAP
"""Cells of the explorer's first column (the reader's marks) and the gap after it."""
assert COLUMNS[0].label == "marks"


def table_lines(app: PithApp, *, marks: bool = False) -> list[str]:
    """The explorer's header and rows as drawn (without the marks column unless ``marks``)."""
    widget = explorer(app)
    return [widget.render_line(y).text[0 if marks else MARKS :].rstrip() for y in range(widget.size.height)]


def cursor_line(app: PithApp) -> str:
    widget = explorer(app)
    return widget.render_line(widget.cursor - int(widget.scroll_y) + 1).text[MARKS:].rstrip()


async def tick(pilot, facet: str, label: str) -> None:
    """Tick ``label`` in a facet list with the keys: g, j…, space."""
    facet_list = pilot.app.screen.query_one(f"#facet-{facet}")
    facet_list.focus()
    await pilot.press("g", *["j"] * [facet_label(value) for value in facet_list.values].index(label), "space")
    await settle(pilot)


async def type_into(pilot, selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector).focus()
    await pilot.press(*text, "enter")
    await settle(pilot)


# ------------------------------------------------------------------ opening


@headless
async def test_opens_the_sample_hub_like_the_hub_page(sample: HubRepository) -> None:
    async with opened(sample, size=(200, 60)) as (app, pilot):
        text = screen_text(app)
        assert isinstance(app.screen, HubScreen)
        assert "The Curse of Recursion: Training on Generated Data Makes Models Forget" in text
        assert "arXiv 2305.17493 · cs.LG · 2023-05-27" in text
        assert "30 papers cite this work · 8 in the store" in text
        assert "Polarity: 0 of 8 classified; the other 8 have no citing sentence to classify." in text
        assert "UNVERDICTED 8" in text
        assert "When Does Model Collapse Occur in Structured Interactive Learning?" in text
        assert "cs.LG · 2026-05-19 · unverdicted · novelty 7.0" in text
        assert showing(app) == (8, 8)
        assert app.screen.query_one("#sidebar").display
    assert sample.last_hub().arxiv_id == "2305.17493"


@headless
async def test_ref_on_the_command_line_opens_that_hub(big: HubRepository) -> None:
    for ref in ("2301.00001", "ten thousand citing"):
        async with opened(big, ref=ref) as (app, pilot):
            assert "A Hub With Ten Thousand Citing Papers" in screen_text(app)
            assert showing(app) == (N, N)
            assert "12000 papers cite this work · 10000 in the store" in screen_text(app)


@headless
async def test_an_empty_store_opens_the_picker_saying_how_to_fill_it(tmp_path: Path) -> None:
    repo = open_store(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        async with opened(repo) as (app, pilot):
            assert isinstance(app.screen, PickerScreen)
            assert "The store is empty: try `pithtui import FILE` or `pithtui fetch REF`" in screen_text(app)
            await pilot.press(*"collapse")
            await eventually(pilot, lambda: "No paper in the store matches" in screen_text(app))
    finally:
        repo.close()


@headless
async def test_unknown_ref_opens_the_picker_with_the_words_typed(big: HubRepository) -> None:
    async with opened(big, ref="no such paper anywhere") as (app, pilot):
        assert isinstance(app.screen, PickerScreen)
        assert app.screen.query_one("#picker-search").value == "no such paper anywhere"
        assert "No paper in the store matches" in screen_text(app)


@headless
async def test_no_ref_opens_the_last_hub(big: HubRepository) -> None:
    big.record_visit(big.resolve("2401.00000").id)
    async with opened(big) as (app, pilot):
        assert "Citing paper 00000" in screen_text(app)
        assert showing(app) == (3, 3)
    big.record_visit(big.resolve("2301.00001").id)


# ------------------------------------------------------------------ filters


@pytest.mark.parametrize(
    ("facet", "label", "predicate"),
    [
        ("role", "background", lambda i: i % 3 == 0),
        ("polarity", "unclassified", lambda i: i % 5 == 0),
        ("polarity", "supporting", lambda i: i % 5 in (1, 2)),
        ("verdict", "SOUND", lambda i: i % 10 == 0),
        ("category", "cs.CL", lambda i: i % 4 == 1),
    ],
)
@headless
async def test_ticking_a_facet_value_filters_and_recounts(big: HubRepository, facet: str, label: str, predicate) -> None:
    async with opened(big, ref="2301.00001") as (app, pilot):
        await tick(pilot, facet, label)
        assert showing(app) == (matching(predicate), N)
        rows = table_lines(app)[1:]
        assert all(row.startswith("Citing paper") for row in rows if row)
        # The other facets now count within the filter: e.g. how many SOUND among them.
        if facet != "verdict":
            sound = matching(lambda i: predicate(i) and i % 10 == 0)
            assert f"SOUND  {sound}" in screen_text(app)


@headless
async def test_facets_count_each_value_under_the_other_filters(big: HubRepository) -> None:
    async with opened(big, ref="2301.00001") as (app, pilot):
        text = screen_text(app)
        for category in CATEGORIES:
            assert f"{category}  {N // 4}" in text
        await tick(pilot, "category", "cs.LG")
        await tick(pilot, "category", "cs.AI")
        assert showing(app) == (N // 2, N)
        text = screen_text(app)
        assert f"cs.CL  {N // 4}" in text  # its own facet ignores the category filter
        assert f"unclassified  {matching(lambda i: i % 5 == 0 and i % 4 in (0, 2))}" in text


@headless
async def test_year_range_and_minimum_novelty(big: HubRepository) -> None:
    async with opened(big, ref="2301.00001") as (app, pilot):
        await type_into(pilot, "#since", "2020")
        await type_into(pilot, "#until", "2021-06")
        in_range = lambda i: dt.date(2020, 1, 1) <= date_of(i) <= dt.date(2021, 6, 30)
        assert showing(app) == (matching(in_range), N)
        await type_into(pilot, "#min-novelty", "8")
        assert showing(app) == (matching(lambda i: in_range(i) and (novelty_of(i) or -1) >= 8), N)


@headless
async def test_search_and_clear_filters(big: HubRepository) -> None:
    async with opened(big, ref="2301.00001") as (app, pilot):
        await tick(pilot, "verdict", "SOUND")
        await pilot.press("slash", *"00042", "enter")
        await settle(pilot)
        assert isinstance(app.screen.focused, CitingExplorer)  # enter hands the keys to the table
        assert showing(app) == (0, N)
        assert "No citing papers match these filters." in table_lines(app, marks=True)[1]
        await pilot.press("slash")
        assert app.screen.focused.id == "search"
        await pilot.press("escape")  # leaves the search field for the explorer
        assert isinstance(app.screen.focused, CitingExplorer)
        await pilot.press("x")
        await settle(pilot)
        assert showing(app) == (N, N)
        assert app.screen.query_one("#search").value == ""
        await pilot.press("slash", *"paper 00042")  # typing applies once the user pauses
        await eventually(pilot, lambda: showing(app) == (1, N))
        assert table_lines(app)[1].startswith("Citing paper 00042")
        await pilot.press("enter", "enter")  # the quick lookup: search, enter, enter on the row
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)


@headless
async def test_a_searchs_rows_come_before_its_facet_counts_are_asked_for(big: HubRepository, monkeypatch) -> None:
    """Counting a search's matches takes longer than finding its first rows: the facets are
    counted once the rows are in, so the two do not share the cores; a category's counts,
    answered by the stored cells, are asked for beside its rows."""
    events: list[tuple[str, str]] = []
    real_page, real_facets = big.page, big.facets

    def page(hub_id, filters=Filters(), *args, **kwargs):
        found = real_page(hub_id, filters, *args, **kwargs)
        events.append(("rows", filters.search))
        return found

    def facets(hub_id, filters=Filters()):
        events.append(("facets asked", filters.search))
        return real_facets(hub_id, filters)

    monkeypatch.setattr(big, "page", page)
    monkeypatch.setattr(big, "facets", facets)
    async with opened(big, ref="2301.00001") as (app, pilot):
        await pilot.press("slash", *"paper 0004", "enter")
        await settle(pilot)
        searched = [event for event, words in events if words == "paper 0004"]
        assert searched[:2] == ["rows", "facets asked"], events
        assert showing(app) == (10, N)
        assert "cs.LG  3" in screen_text(app) and "cs.AI  2" in screen_text(app)  # counted under the search
        events.clear()
        await tick(pilot, "category", "cs.CL")
        await settle(pilot)
        assert ("facets asked", "paper 0004") in events


@headless
async def test_while_a_search_is_counted_the_counts_from_before_are_not_shown_nor_an_old_order(
    big: HubRepository, monkeypatch
) -> None:
    counted = threading.Event()
    real_count, real_facets = big.count, big.facets

    counts: list[Filters] = []

    def count(hub_id, filters=Filters()):
        counts.append(filters)
        counted.wait(10)
        return real_count(hub_id, filters)

    def facets(hub_id, filters=Filters()):
        if filters.search:
            counted.wait(10)
        return real_facets(hub_id, filters)

    monkeypatch.setattr(big, "count", count)
    monkeypatch.setattr(big, "facets", facets)
    async with opened(big, ref="2301.00001") as (app, pilot):
        assert f"cs.LG  {N // 4}" in screen_text(app)
        await pilot.press("slash", *"paper 01", "enter")  # 1,000 of them: more than a block, counted apart
        for _ in range(200):  # the rows come; the counts are held back (so no waiting for workers)
            await pilot.pause(0.02)
            if table_lines(app)[1].startswith("Citing paper 01999"):
                break
        text = screen_text(app)
        assert f"Showing … of {N} citing papers after filters" in text
        assert "cs.LG  …" in text and f"cs.LG  {N // 4}" not in text
        counted.set()
        await settle(pilot)
        assert showing(app) == (1000, N)
        assert "cs.LG  250" in screen_text(app)
        counted.clear()
        asked = len(counts)
        await pilot.press("s")  # another order of the same rows: its count stays, its order is said
        await pilot.pause()
        assert "Showing 1000 of 10000 citing papers after filters · sorted by novelty" in screen_text(app)
        counted.set()
        await settle(pilot)
        assert len(counts) == asked, "the same rows are not counted again"
        assert table_lines(app)[1].startswith("Citing paper 01") and "novelty▼" in table_lines(app)[0]


@headless
async def test_a_searchs_rows_in_view_are_drawn_before_the_rest_of_its_first_rows_are_found(
    big: HubRepository, monkeypatch
) -> None:
    """Under a rare word each row is found far down the hub: the rows in view are asked for
    first and drawn, then the rest of the first block, which joins on where they end."""
    found_rest = threading.Event()
    real_page = big.page
    asked: list[int] = []

    def page(hub_id, filters=Filters(), *args, **kwargs):
        if filters.search == "paper 01":  # not a word cut short by a typing pause on a loaded machine
            asked.append(kwargs["limit"])
            if kwargs.get("after") is not None:
                found_rest.wait(10)
        return real_page(hub_id, filters, *args, **kwargs)

    monkeypatch.setattr(big, "page", page)
    async with opened(big, ref="2301.00001", size=(120, 40)) as (app, pilot):
        await pilot.press("slash", *"paper 01", "enter")  # 1,000 of them, in date order 01999 down
        await eventually(pilot, lambda: table_lines(app)[1].startswith("Citing paper 01999"))
        in_view = explorer(app).size.height - 1
        assert in_view < asked[0] < BLOCK, asked  # a screenful and a few more, not a whole block
        assert all(line.startswith(f"Citing paper {1999 - i:05d}") for i, line in enumerate(table_lines(app)[1:]))
        assert "Showing … of" in screen_text(app)
        found_rest.set()
        await settle(pilot)
        assert asked[1] == BLOCK - asked[0]
        for _ in range(3):
            await pilot.press("pagedown")
        await settle(pilot)
        top = 1999 - int(explorer(app).scroll_y)
        assert int(explorer(app).scroll_y) > asked[0]  # past the first rows asked for
        assert all(line.startswith(f"Citing paper {top - i:05d}") for i, line in enumerate(table_lines(app)[1:]))
        assert showing(app) == (1000, N)


@pytest.mark.parametrize("slower", ["page", "facets"])
@headless
async def test_a_filter_changes_rows_showing_and_counts_are_drawn_in_one_frame(
    big: HubRepository, monkeypatch, slower: str
) -> None:
    """Whichever comes first waits for the other: no frame mixes the rows, "Showing N of M"
    and the counts of two sets of filters (and Textual draws a second frame one to two frame
    intervals after the first)."""
    monkeypatch.setattr(one_frame, "ROWS_AWAITED", 10)  # no deadline within the test
    real = getattr(big, slower)

    def slowed(hub_id, filters=Filters(), *args, **kwargs):
        if filters.verdicts:
            time.sleep(0.05)
        return real(hub_id, filters, *args, **kwargs)

    monkeypatch.setattr(big, slower, slowed)
    frames: list[tuple[bool, bool, bool]] = []

    def refresh(screen: HubScreen) -> None:
        text = screen_text(screen.app)
        first_row = table_lines(screen.app)[1]
        # (rows, Showing, counts) of the new filters (SOUND: every tenth paper, none in cs.CL;
        # the reader's own counts too: all of them unread)?
        counts = "cs.CL  0" in text and re.search(r"unread  1000\b", text) is not None
        frames.append(("09990" in first_row, "Showing 1000 of" in text, counts))

    with compat.frames(HubScreen, refresh):
        async with opened(big, ref="2301.00001") as (app, pilot):
            assert "Citing paper 09999" in table_lines(app)[1] and "cs.CL  2500" in screen_text(app)
            frames.clear()
            await tick(pilot, "verdict", "SOUND")
            assert frames[-1] == (True, True, True)
            assert set(frames) == {(False, False, False), (True, True, True)}, frames


@headless
async def test_a_filter_change_that_empties_the_explorer_is_drawn_in_one_frame(big: HubRepository, monkeypatch) -> None:
    """No frame after the one that shows the new rows: the scroll bar does not come or go with
    the count (which would lay the screen out again and draw it twice more)."""
    frames: list[str] = []
    with compat.frames(HubScreen, lambda screen: frames.append(screen_text(screen.app))):
        async with opened(big, ref="2301.00001") as (app, pilot):
            await tick(pilot, "verdict", "SOUND")
            frames.clear()
            await tick(pilot, "category", "cs.CL")  # no SOUND paper is in cs.CL
            await pilot.pause(0.2)
            shown = [i for i, text in enumerate(frames) if "Showing 0 of" in text]
            assert shown and shown[0] == len(frames) - 1, [text.splitlines()[-3:] for text in frames]


def held_search_pages(repo: HubRepository, monkeypatch) -> threading.Event:
    """Hold every page asked for under a search until the event returned is set."""
    release = threading.Event()
    real_page = repo.page

    def page(hub_id, filters=Filters(), *args, **kwargs):
        if filters.search:
            release.wait(10)
        return real_page(hub_id, filters, *args, **kwargs)

    monkeypatch.setattr(repo, "page", page)
    return release


@headless
async def test_until_a_searchs_rows_come_the_rows_and_counts_before_stay_where_they_were(big: HubRepository, monkeypatch) -> None:
    """No frame of the old rows scrolled to the top, nor of "…" on its own, while the worker
    looks for the new rows: both are drawn with them (and a frame beside the worker slows it)."""
    monkeypatch.setattr(one_frame, "ROWS_AWAITED", 60)
    release = held_search_pages(big, monkeypatch)
    async with opened(big, ref="2301.00001") as (app, pilot):
        for _ in range(3):
            await pilot.press("pagedown")
        await settle(pilot)
        before, top = table_lines(app), int(explorer(app).scroll_y)
        assert top > 0
        await pilot.press("slash", *"paper 01", "enter")
        await pilot.pause(0.2)
        assert table_lines(app) == before and int(explorer(app).scroll_y) == top
        assert f"cs.LG  {N // 4}" in screen_text(app)
        release.set()
        await eventually(pilot, lambda: table_lines(app)[1].startswith("Citing paper 01999"))
        assert int(explorer(app).scroll_y) == 0
        await eventually(pilot, lambda: "cs.LG  250" in screen_text(app))


@headless
async def test_when_a_searchs_rows_are_slow_the_counts_before_give_way_to_dots(big: HubRepository, monkeypatch) -> None:
    monkeypatch.setattr(one_frame, "ROWS_AWAITED", 0.05)
    release = held_search_pages(big, monkeypatch)
    async with opened(big, ref="2301.00001") as (app, pilot):
        await pilot.press("slash", *"paper 01", "enter")
        await eventually(pilot, lambda: "cs.LG  …" in screen_text(app))
        assert f"Showing … of {N} citing papers after filters" in screen_text(app)
        assert not table_lines(app)[1].startswith("Citing paper 01")  # the rows have not come
        release.set()
        await eventually(pilot, lambda: "cs.LG  250" in screen_text(app))
        assert showing(app) == (1000, N)


@headless
async def test_the_rest_of_a_searchs_first_rows_is_looked_for_once_those_in_view_are_drawn(
    big: HubRepository, monkeypatch
) -> None:
    """The worker waits for the frame: drawing and looking share one interpreter lock."""
    monkeypatch.setattr(explorer_fetch, "HEAD_DRAWN_WAIT", 10)  # not given up on, however loaded the machine
    drawn: list[str] = []
    real_render = CitingExplorer.render_lines

    def render_lines(self, crop):
        lines = real_render(self, crop)
        drawn.extend(strip.text for strip in lines)
        return lines

    monkeypatch.setattr(CitingExplorer, "render_lines", render_lines)
    real_page = big.page
    rest_asked: list[bool] = []

    def page(hub_id, filters=Filters(), *args, **kwargs):
        # Only the search typed: on a loaded machine a typing pause can fall mid-word, and the
        # rows of "pap" are not those this test watches for.
        if filters.search == "paper 01" and kwargs.get("after") is not None and not rest_asked:
            rest_asked.append(any(line[MARKS:].startswith("Citing paper 01999") for line in drawn))
        return real_page(hub_id, filters, *args, **kwargs)

    monkeypatch.setattr(big, "page", page)
    async with opened(big, ref="2301.00001") as (app, pilot):
        for attempt in range(5):  # a race lost once in a while would show in one of these
            drawn.clear()
            rest_asked.clear()
            await pilot.press("slash", "ctrl+u", *"paper 01", "enter")
            await settle(pilot)
            assert rest_asked == [True], attempt
            await pilot.press("slash", "ctrl+u", "enter")
            await settle(pilot)


# ------------------------------------------------------------------ sorting and paging


@headless
async def test_sort_keys_cycle_and_reverse(big: HubRepository) -> None:
    async with opened(big, ref="2301.00001") as (app, pilot):
        assert "date▼" in table_lines(app)[0]
        assert table_lines(app)[1].startswith("Citing paper 09999")
        await pilot.press("s")
        await settle(pilot)
        assert "novelty▼" in table_lines(app)[0]
        assert "9.0" in table_lines(app)[1]
        await pilot.press("s")
        await settle(pilot)
        assert "title▼" in table_lines(app)[0]
        assert table_lines(app)[1].startswith("Citing paper 09999")
        await pilot.press("r")
        await settle(pilot)
        assert "title▲" in table_lines(app)[0]
        assert table_lines(app)[1].startswith("Citing paper 00000")
        assert "sorted by title, ascending" in screen_text(app)


def page_calls(repo: HubRepository, monkeypatch) -> list[dict]:
    """The keyword arguments of each ``repo.page`` call made from now on (the block asked for)."""
    calls: list[dict] = []
    real_page = repo.page

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real_page(*args, **kwargs)

    monkeypatch.setattr(repo, "page", spy)
    return calls


@headless
async def test_paging_through_ten_thousand_rows_asks_only_for_pages(big: HubRepository, monkeypatch) -> None:
    calls = page_calls(big, monkeypatch)
    async with opened(big, ref="2301.00001") as (app, pilot):
        for _ in range(8):
            await pilot.press("pagedown")
            await settle(pilot)
        assert any(call["after"] is not None for call in calls), "scrolling down pages by keyset"
        await pilot.press("G")
        await settle(pilot)
        assert cursor_line(app).startswith("Citing paper 00000")
        assert any(call["from_end"] for call in calls), "the end is fetched from the end"
        await pilot.press(*["pageup"] * 6)
        await settle(pilot)
        assert any(call["before"] is not None for call in calls), "scrolling up from the end by keyset"
        up = 6 * (explorer(app).size.height - 2)  # rows moved by six pages
        assert cursor_line(app).startswith(f"Citing paper {up:05d}")
        await pilot.press("k", "k")
        assert cursor_line(app).startswith(f"Citing paper {up + 2:05d}")
        explorer(app).scroll_to(y=N // 2, animate=False, immediate=True)  # the scrollbar dragged half-way
        await settle(pilot)
        assert any(call["offset"] >= N // 2 - BLOCK for call in calls), "a big jump uses an offset"
        assert "…" not in "\n".join(table_lines(app))
        await pilot.press("g")
        await settle(pilot)
        assert cursor_line(app).startswith("Citing paper 09999")
    assert all(call["limit"] <= BLOCK for call in calls)
    assert len(calls) < 20


@headless
async def test_the_last_rows_are_fetched_ahead_so_the_end_is_drawn_at_once(big: HubRepository, monkeypatch) -> None:
    calls = page_calls(big, monkeypatch)
    async with opened(big, ref="2301.00001") as (app, pilot):
        # After the first rows and a moment (not beside the counts), the last ones.
        await eventually(pilot, lambda: bool(calls) and calls[-1]["from_end"])
        asked = len(calls)
        await pilot.press("G")
        await pilot.pause()
        assert cursor_line(app).startswith("Citing paper 00000")
        assert "…" not in "\n".join(table_lines(app))
        assert len(calls) == asked
        await pilot.press(*["pageup"] * 12)  # up from the end: by keyset, next to the last block
        await settle(pilot)
        assert len(calls) > asked and all(call["before"] is not None for call in calls[asked:])
        asked = len(calls)
        await pilot.press("g")  # and the top, kept all along
        await pilot.pause()
        assert cursor_line(app).startswith("Citing paper 09999")
        assert len(calls) == asked


# ------------------------------------------------------------------ detail and navigation


@headless
async def test_detail_shows_the_paper_and_copies_and_opens(big: HubRepository, monkeypatch) -> None:
    browsed: list[str] = []
    monkeypatch.setattr(PithApp, "open_url", lambda app, url, **_: browsed.append(url))
    async with opened(big, ref="2301.00001") as (app, pilot):
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        for expected in (
            "Citing paper 09997",
            "Author 9997",
            "arXiv: 2401.09997",
            "roles: baseline, method",
            "polarity: supporting",
            "We build on the hub in work 9997.",
            "Summary of work number 9997.",
            "arXiv: https://arxiv.org/abs/2401.09997",
            "no papers citing it in the store",
        ):
            assert expected in text
        await pilot.press("c")
        assert app.clipboard == "2401.09997"
        await pilot.press("b")
        assert app.clipboard.startswith("@misc{") and "eprint = {2401.09997}" in app.clipboard
        await pilot.press("u")
        assert browsed == ["https://arxiv.org/abs/2401.09997"]
        assert "Copied 2401.09997 to the clipboard" in compat.notifications(app)
        await pilot.press("escape")
        assert isinstance(app.screen, HubScreen)


@headless
async def test_a_citing_papers_hub_opens_and_back_restores_filters_and_position(big: HubRepository) -> None:
    async with opened(big, ref="2301.00001") as (app, pilot):
        await tick(pilot, "category", "cs.LG")
        await pilot.press("e", "s", "s", "r")  # to the explorer; sort by title, ascending
        await settle(pilot)
        await pilot.press("j", "j", "k")
        assert cursor_line(app).startswith("Citing paper 00004")
        await pilot.press("k", "enter")
        await settle(pilot)
        assert "3 citing papers in the store — press h to open it" in screen_text(app)
        await pilot.press("h")
        await settle(pilot)
        assert "Citing paper 00000" in screen_text(app)
        assert showing(app) == (3, 3)
        assert "Follow-up A" in "\n".join(table_lines(app))
        await pilot.press("escape")
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert showing(app) == (N // 4, N)
        assert "title▲" in table_lines(app)[0]
        assert cursor_line(app).startswith("Citing paper 00000")
        assert app.screen.query_one("#facet-category").chosen


@headless
async def test_refresh_shows_what_an_import_added_and_keeps_the_row(tmp_path: Path) -> None:
    repo = open_store(f"sqlite:///{tmp_path / 'growing.db'}")
    first = [Citation(citing=citing(i), cited=HUB) for i in range(300)]
    repo.upsert([HUB, *first])
    async with opened(repo, ref="2301.00001") as (app, pilot):
        await pilot.press("e", "pagedown", "pagedown", "j")
        await settle(pilot)
        row, before = explorer(app).cursor, cursor_line(app)
        assert row > 20 and showing(app) == (300, 300)
        # Another program imports more citing papers, all older than those listed.
        repo.upsert([Citation(citing=replace(citing(i), date=dt.date(1990, 1, 1)), cited=HUB) for i in range(300, 340)])
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert showing(app) == (340, 340)
        assert "12000 papers cite this work · 340 in the store" in screen_text(app)
        assert explorer(app).cursor == row and cursor_line(app) == before
    repo.close()


def notes(app: PithApp) -> list[str]:
    """The notifications shown, oldest first."""
    return compat.notifications(app)


@headless
async def test_export_writes_the_explorer_as_filtered_and_sorted(big: HubRepository, tmp_path: Path) -> None:
    async with opened(big, ref="2301.00001") as (app, pilot):
        await tick(pilot, "category", "cs.CL")
        await pilot.press("r")  # oldest first
        await settle(pilot)
        shown = matching(lambda i: i % 4 == 1)
        assert showing(app) == (shown, N)
        await pilot.press("w")
        await settle(pilot)
        assert f"Export the {shown} citing papers shown" in screen_text(app)
        await pilot.press("down")  # from CSV to pithtui JSON: the file's ending follows
        path_field = app.screen.query_one("#export-path")
        assert path_field.value.endswith("2301.00001-citing.json")
        path_field.value = str(tmp_path / "cl.json")
        path_field.focus()
        await pilot.press("enter")
        target = tmp_path / "cl.json"
        await eventually(pilot, lambda: any(str(target) in note for note in notes(app)))
        assert f"Wrote {shown} citing papers (json) to {target}" in notes(app)
        written = json.loads(target.read_text(encoding="utf-8"))
        titles = [row["title"] for row in written["citing"]]
        assert titles == [f"Citing paper {i:05d}" for i in range(N) if i % 4 == 1]
        assert target.stat().st_mode & 0o077 == 0o644 & ~current_umask() & 0o077  # as any new file


@headless
async def test_an_export_that_cannot_be_written_says_why_and_leaves_nothing(sample: HubRepository, tmp_path: Path) -> None:
    async with opened(sample) as (app, pilot):
        await pilot.press("w")
        await settle(pilot)
        field = app.screen.query_one("#export-path")
        field.value = str(tmp_path / "no such folder" / "out.csv")
        field.focus()
        await pilot.press("enter")
        await eventually(pilot, lambda: any("cannot write" in note for note in notes(app)))
        assert [note for note in notes(app) if "cannot write" in note] == [
            f"cannot write {tmp_path / 'no such folder' / 'out.csv'}: No such file or directory"
        ]
        assert not (tmp_path / "no such folder").exists()
        await pilot.press("w", "escape")  # and escape writes nothing
        await settle(pilot)
        assert isinstance(app.screen, HubScreen)


@headless
async def test_new_since_last_visit_lists_what_was_stored_since(tmp_path: Path) -> None:
    repo = open_store(f"sqlite:///{tmp_path / 'visits.db'}")
    repo.upsert([HUB, *(Citation(citing=citing(i), cited=HUB) for i in range(30))])
    try:
        async with opened(repo, ref="2301.00001") as (app, pilot):
            await eventually(pilot, lambda: repo.last_hub() is not None)  # the first visit is noted
            await pilot.press("n")
            assert "Nothing is new: this is the first visit of this hub" in notes(app)
            assert showing(app) == (30, 30)
        # Another program stores five more citing papers; the next visit tells and lists them.
        repo.upsert([Citation(citing=citing(i), cited=HUB) for i in range(30, 35)])
        async with opened(repo, ref="2301.00001") as (app, pilot):
            await eventually(pilot, lambda: any("new since your last visit" in note for note in notes(app)))
            assert "5 citing papers new since your last visit" in " ".join(notes(app))
            assert "new since your last visit" in screen_text(app)  # the sidebar's list
            await pilot.press("n")
            await eventually(pilot, lambda: showing(app) == (5, 35))
            assert [line.split()[2] for line in table_lines(app)[1:6]] == [f"{i:05d}" for i in range(34, 29, -1)]
            await pilot.press("n")
            await eventually(pilot, lambda: showing(app) == (35, 35))
            await pilot.press("n", "x")  # clear filters clears it too
            await eventually(pilot, lambda: showing(app) == (35, 35))
            assert app.screen.filters == Filters()
    finally:
        repo.close()


@headless
async def test_a_labelled_hub_shows_its_polarity_sorts_contrasting_first_and_the_evidence(tmp_path: Path) -> None:
    repo = sentences_store(tmp_path)
    try:
        async with opened(repo, ref=SENTENCES_HUB.arxiv_id, size=(160, 50)) as (app, pilot):
            text = screen_text(app)
            assert "Polarity: 10 of 11 classified; the other 1 has no citing sentence to classify." in text
            assert "contrasting" in text and "supporting" in text
            await pilot.press("c")  # most contrasting first
            await settle(pilot)
            assert "sorted by contrast, descending" in screen_text(app)
            first = explorer(app).current_row
            assert first is not None and first.polarity == "contrasting"
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            detail = screen_text(app)
            model = load_classifier().model_id
            assert f"polarity: contrasting {first.polarity_score:.2f} (by pithtui:{model})" in detail
            assert f"sentences labelled by pithtui:{model}" in detail
            assert "· contrasting " in detail and "cues: " in detail
    finally:
        repo.close()


@headless
async def test_representative_opens_its_detail(sample: HubRepository) -> None:
    async with opened(sample) as (app, pilot):
        app.screen.query_one("#representatives").focus()
        await pilot.press("g", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert "When Does Model Collapse Occur in Structured Interactive Learning?" in screen_text(app)


@headless
async def test_picker_finds_a_paper_and_opens_its_hub(big: HubRepository) -> None:
    async with opened(big, ref="2301.00001") as (app, pilot):
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        assert "10000 citing papers in the store" in screen_text(app)
        await pilot.press(*"2401.00000")
        await settle(pilot)
        assert "2401.00000 · 3 citing papers in the store" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HubScreen)
        assert showing(app) == (3, 3)
        await pilot.press("escape")
        await settle(pilot)
        assert showing(app) == (N, N)


@headless
async def test_help_lists_the_keys_and_closes(sample: HubRepository) -> None:
    async with opened(sample) as (app, pilot):
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for row in ("/ ", "Search", "Filters", "Clear", "Sort", "Reverse", "Papers", "Quit", "↓, j", "home, g", "end, G"):
            assert row in text
        await pilot.press("escape")
        assert isinstance(app.screen, HubScreen)


@headless
async def test_command_palette_runs_the_same_actions(big: HubRepository) -> None:
    async with opened(big, ref="2301.00001") as (app, pilot):
        await pilot.press("ctrl+p", *"Reverse")
        await eventually(pilot, lambda: "Reverse" in screen_text(app) and "key: r" in screen_text(app))
        await pilot.press("enter")
        await settle(pilot)
        assert "date▲" in table_lines(app)[0]
        assert table_lines(app)[1].startswith("Citing paper 00000")
        # The two actions that have no place in the footer are in the palette too.
        for words, key in (("Export", "w"), ("New since", "n")):
            await pilot.press("ctrl+p", *words)
            await eventually(pilot, lambda key=key: f"key: {key}" in screen_text(app))
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("ctrl+p", *"Export to a file")
        await eventually(pilot, lambda: "key: w" in screen_text(app))
        await pilot.press("enter")
        await eventually(pilot, lambda: "Export the 10000 citing papers shown" in screen_text(app))


@headless
async def test_q_quits(sample: HubRepository) -> None:
    async with opened(sample) as (app, pilot):
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


# ------------------------------------------------------------------ looks


@headless
async def test_narrow_terminal_starts_without_the_sidebar(sample: HubRepository) -> None:
    async with opened(sample, size=(80, 24)) as (app, pilot):
        sidebar = app.screen.query_one("#sidebar")
        assert not sidebar.display
        assert "Showing 8 of 8" in screen_text(app)
        await pilot.press("f")
        assert sidebar.display
        await pilot.press("f", "slash")
        assert sidebar.display and app.screen.focused.id == "search"


@headless
async def test_f_moves_to_the_filters_so_the_next_keys_tick_values(sample: HubRepository) -> None:
    async with opened(sample, size=(80, 24)) as (app, pilot):
        sidebar = app.screen.query_one("#sidebar")
        await pilot.press("f")
        facet = app.screen.focused
        # The sample hub records no roles: the first list with values is the polarities'.
        assert sidebar.display and facet.id == "facet-polarity"
        await pilot.press("j", "k", "space")
        await settle(pilot)
        assert app.screen.filters.polarities == {facet.values[0]}
        assert f"Showing {facet._counts[0]} of 8" in screen_text(app)
        await pilot.press("f")  # from within the filters: hidden, the explorer takes the keys
        assert not sidebar.display and app.screen.focused.id == "explorer"


@headless
async def test_hostile_titles_show_literally_and_never_reach_the_terminal_as_codes(tmp_path: Path) -> None:
    hostile = "[bold red]x[/]\x1b[31m\u202eevil"
    hub = Paper(title=f"Hub {hostile}", arxiv_id="2301.99999")
    repo = open_store(f"sqlite:///{tmp_path / 'h.db'}")
    repo.upsert([Citation(citing=Paper(title=hostile, summary=hostile, arxiv_id="2401.99999"), cited=hub, roles=("[i]r[/i]",))])
    async with opened(repo, ref="2301.99999") as (app, pilot):
        screens = [app.screen.query_one("#explorer").render_line(1).text, screen_text(app)]
        await pilot.press("enter")
        await settle(pilot)
        screens.append(screen_text(app))
        strips = compat.screen_strips(app.screen)
        await pilot.press("escape", "o")
        await settle(pilot)
        screens.append(screen_text(app))
    for text in screens:
        assert "[bold red]x[/][31mevil" in text
    assert "Hub [bold red]x[/][31mevil" in screens[1]
    assert "[i]r[/i]" in screens[2]
    for text in [*screens, *(segment.text for strip in strips for segment in strip)]:
        assert "\x1b" not in text and "\u202e" not in text
    repo.close()


@headless
async def test_ansi_flag_uses_the_terminals_own_colours(sample: HubRepository) -> None:
    async with opened(sample, ansi=True, size=(80, 24)) as (app, pilot):
        assert app.theme == "ansi-dark" and app.ansi_color
        assert "Showing 8 of 8" in screen_text(app)


def test_sixteen_colour_environments_are_detected() -> None:
    assert wants_ansi({"TERM": "linux"})
    assert wants_ansi({"TEXTUAL_COLOR_SYSTEM": "standard", "TERM": "xterm-256color"})
    assert not wants_ansi({"TERM": "xterm-256color"})


def test_importing_the_tui_package_does_not_import_textual() -> None:
    code = "import sys, pithtui.tui; assert callable(pithtui.tui.run); print(any(m.startswith('textual') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
