"""Several programs on one store: importers side by side, and readers beside a writer.

What a user sees: two ``pithtui import`` runs of overlapping files at the same time both
succeed and leave one copy of each paper and citation (as one import would); a reader (the TUI's
worker, another ``pithtui show``) keeps answering while an import writes, sees the store as it
was until the import commits, and the new data once it has.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import sqlite3
import time
from pathlib import Path

import pytest
from workload import finish, s2_hub_document, snapshot, start_import, wait_until, write_s2_file, writer_active

from pithtui.hub_text import facet_label
from pithtui.models import Filters
from pithtui.sources.sample import SAMPLE_REF, load_sample_hub
from pithtui.store import HubRepository, open_repository
from pithtui.tui import compat

SIZE = 4000


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    """The CLI's environment; an importer waits up to two minutes for another's turn to end
    (what is tested is that both succeed, not how long SQLite's default 10 s allows)."""
    return {**cli_env, "PITHTUI_BUSY_TIMEOUT_MS": "120000"}


def test_two_importers_of_overlapping_files_end_with_one_copy_of_each(db_url: str, env: dict[str, str], tmp_path: Path) -> None:
    first = write_s2_file(tmp_path / "first.json", SIZE)
    second = write_s2_file(tmp_path / "second.json", SIZE, start=SIZE // 2)
    procs = [start_import(db_url, first, env=env), start_import(db_url, second, env=env)]
    results = [finish(p) for p in procs]
    for code, out, err in results:
        assert code == 0, err
        assert err == ""
        assert "citations added" in out
    together = snapshot(db_url)
    # One importer after the other into a new store gives the same store.
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    for path in (first, second):
        assert finish(start_import(reference, path, env=env))[0] == 0
    assert together == snapshot(reference)
    assert together["info"]["papers"] == SIZE + SIZE // 2 + 1
    assert together["info"]["citations"] == SIZE + SIZE // 2


def test_two_importers_of_the_same_file_add_it_once(db_url: str, env: dict[str, str], tmp_path: Path) -> None:
    path = write_s2_file(tmp_path / "same.json", SIZE)
    procs = [start_import(db_url, path, env=env) for _ in range(3)]
    outputs = [finish(p) for p in procs]
    assert [code for code, _, _ in outputs] == [0, 0, 0], [err for _, _, err in outputs]
    added = [out for _, out, _ in outputs if f"{SIZE} citations added" in out]
    unchanged = [out for _, out, _ in outputs if "(nothing new)" in out]
    assert (len(added), len(unchanged)) == (1, 2), outputs
    info = snapshot(db_url)["info"]
    assert (info["papers"], info["citations"]) == (SIZE + 1, SIZE)


def test_a_reader_keeps_answering_while_an_import_writes(
    db_url: str, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = open_repository(db_url)
    seeded.upsert(load_sample_hub())
    seeded.close()
    path = write_s2_file(tmp_path / "big.json", 2 * SIZE)
    # The reader gives up on a lock after 50 ms: any wait for the writer would be an error here.
    monkeypatch.setenv("PITHTUI_BUSY_TIMEOUT_MS", "50")
    reader: HubRepository = open_repository(db_url)
    try:
        hub = reader.resolve(SAMPLE_REF)
        before = (reader.hub(hub.id).citing_count, reader.count(hub.id, Filters()), len(reader.list_papers(limit=None)))
        proc = start_import(db_url, path, env=env)
        writing = writer_active(db_url)
        assert wait_until(writing, proc), "the import never wrote"
        reads = 0
        while proc.poll() is None and writing():
            # What the TUI asks when a hub opens and its explorer scrolls, during the write.
            seen = (reader.hub(hub.id).citing_count, reader.count(hub.id, Filters()), len(reader.list_papers(limit=None)))
            reader.facets(hub.id)
            reader.page(hub.id, Filters(search="collapse"))
            if writing():  # still uncommitted when the answer came: the old store
                assert seen == before
                reads += 1
        code, out, err = finish(proc)
        assert code == 0, err
        assert reads > 0, "no read happened while the import was writing"
        # The same open repository sees the committed import at once (what a refresh shows).
        assert reader.hub(hub.id).citing_count == before[0] + 2 * SIZE
        assert reader.count(hub.id, Filters(search="loadgen")) == 2 * SIZE
    finally:
        reader.close()


def test_an_import_waits_for_another_writer_instead_of_failing(tmp_path: Path, env: dict[str, str]) -> None:
    """A short write by someone else (another import committing, a visit being noted) is waited
    for within the busy timeout; the import then goes through whole."""
    store = tmp_path / "store.db"
    repo = open_repository(str(store))
    repo.upsert(load_sample_hub())
    repo.close()
    path = write_s2_file(tmp_path / "small.json", 50)
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO meta (key, value) VALUES ('held', 'briefly')")
    proc = start_import(f"sqlite:///{store}", path, env=env)
    time.sleep(0.5)  # the importer is now waiting on the lock (not an assertion on timing)
    holder.execute("ROLLBACK")
    holder.close()
    code, out, err = finish(proc)
    assert code == 0, err
    assert "50 citations added" in out
    assert snapshot(f"sqlite:///{store}")["info"]["citations"] == 8 + 50


# --------------------------------------------------------------------------- the TUI beside an import


def headless(test):
    """Run an async test on its own event loop (pytest sees the wrapped test's fixtures)."""

    @functools.wraps(test)
    def run(*args: object, **kwargs: object) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def screen_text(app) -> str:
    return compat.screen_text(app.screen)


def showing(app) -> tuple[int, int]:
    found = re.search(r"Showing (\d+) of (\d+) citing papers? after filters", screen_text(app))
    assert found, screen_text(app)
    return int(found[1]), int(found[2])


async def tick(pilot, facet: str, label: str) -> None:
    from scenes import settle

    facet_list = pilot.app.screen.query_one(f"#facet-{facet}")
    facet_list.focus()
    await pilot.press("g", *["j"] * [facet_label(value) for value in facet_list.values].index(label), "space")
    await settle(pilot)


@headless
async def test_the_tui_shows_what_an_import_added_on_refresh(db_url: str, env: dict[str, str], tmp_path: Path) -> None:
    from scenes import settle

    from pithtui.tui.app import PithApp

    repo = open_repository(db_url)
    repo.upsert(load_sample_hub())
    app = PithApp(repo, ref=SAMPLE_REF)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await tick(pilot, "category", "cs.LG")
        assert showing(app) == (2, 8)
        assert "8 in the store" in screen_text(app)
        # Another program imports 30 citing papers of this hub while the app is open; 5 are cs.LG.
        document = s2_hub_document(30)
        for edge in document["citations"][:5]:
            edge["citingPaper"]["fieldsOfStudy"] = ["cs.LG"]
        path = tmp_path / "more.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        code, out, err = await asyncio.to_thread(finish, start_import(db_url, path, env=env))
        assert code == 0, err
        await pilot.press("ctrl+r")
        await settle(pilot)
        text = screen_text(app)
        assert showing(app) == (7, 38), text  # the tick kept, the counts anew
        assert app.screen.query_one("#facet-category").chosen == {"cs.LG"}
        assert "38 papers cite this work" in text  # 30 reported, more than that stored now
        assert "Computer Science" in text  # a category the import brought is listed
        await pilot.press("f5")
        await settle(pilot)
        assert showing(app) == (7, 38)
    repo.close()


@headless
async def test_the_tui_stays_usable_while_another_program_holds_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a hub notes the visit, a write: when an import holds the store longer than the
    busy timeout, the hub still opens and answers, without an error."""
    from scenes import settle

    from pithtui.tui.app import PithApp

    store = tmp_path / "store.db"
    repo = open_repository(str(store))
    repo.upsert(load_sample_hub())
    repo.close()
    monkeypatch.setenv("PITHTUI_BUSY_TIMEOUT_MS", "100")
    repo = open_repository(str(store))
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO meta (key, value) VALUES ('held', 'by an import')")
    try:
        app = PithApp(repo, ref=SAMPLE_REF)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert showing(app) == (8, 8)
            assert "The Curse of Recursion" in screen_text(app)
            await tick(pilot, "category", "cs.CL")
            assert showing(app) == (6, 8)
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert showing(app) == (6, 8)
            assert "locked" not in screen_text(app)
            assert not compat.notifications(app), compat.notifications(app)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        repo.close()
