"""Several programs on one store: importers side by side, and readers beside a writer.

What a user sees: two ``pithtui import`` runs of overlapping files at the same time both
succeed and leave one copy of each paper and citation (as one import would); a reader (the TUI's
worker, another ``pithtui show``) keeps answering while an import writes, sees the store as it
was until the import commits, and the new data once it has.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from workload import snapshot, write_s2_file

from pithtui.models import Filters
from pithtui.sources.sample import SAMPLE_REF, load_sample_hub
from pithtui.store import HubRepository, open_repository

SIZE = 4000


def start_import(url: str, *paths: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pithtui", "import", *map(str, paths), "--db", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def writer_active(url: str) -> Callable[[], bool]:
    """A probe: is some other program inside a write transaction on the store right now?"""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")

        def probe() -> bool:
            conn = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                assert "locked" in str(exc)
                return True
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                conn.close()
            return False

        return probe
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")

    def probe() -> bool:
        with engine.connect() as conn:
            query = (
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            )
            return conn.execute(text(query)).scalar_one() > 0

    return probe


def wait_until(condition: Callable[[], bool], proc: subprocess.Popen[str]) -> bool:
    """Poll ``condition`` until it holds (True) or ``proc`` has ended (False)."""
    while proc.poll() is None:
        if condition():
            return True
        time.sleep(0.002)
    return False


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    return cli_env


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


def test_a_reader_keeps_answering_while_an_import_writes(db_url: str, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeded = open_repository(db_url)
    seeded.upsert(load_sample_hub())
    seeded.close()
    path = write_s2_file(tmp_path / "big.json", 5 * SIZE)
    # The reader gives up on a lock after 50 ms: any wait for the writer would be an error here.
    monkeypatch.setenv("PITHTUI_BUSY_TIMEOUT_MS", "50")
    reader: HubRepository = open_repository(db_url)
    try:
        hub = reader.resolve(SAMPLE_REF)
        before = (reader.hub(hub.id).citing_count, reader.count(hub.id, Filters()), len(reader.list_papers(limit=None)))
        proc = start_import(db_url, path, env=env)
        assert wait_until(writer_active(db_url), proc), "the import never wrote"
        reads = 0
        while proc.poll() is None and writer_active(db_url)():
            # What the TUI asks when a hub opens and its explorer scrolls, during the write.
            seen = (reader.hub(hub.id).citing_count, reader.count(hub.id, Filters()), len(reader.list_papers(limit=None)))
            reader.facets(hub.id)
            reader.page(hub.id, Filters(search="collapse"))
            if writer_active(db_url)():  # still uncommitted when the answer came: the old store
                assert seen == before
                reads += 1
        code, out, err = finish(proc)
        assert code == 0, err
        assert reads > 0, "no read happened while the import was writing"
        # The same open repository sees the committed import at once (what a refresh shows).
        assert reader.hub(hub.id).citing_count == before[0] + 5 * SIZE
        assert reader.count(hub.id, Filters(search="loadgen")) == 5 * SIZE
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
