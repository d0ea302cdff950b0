"""A store never loses data: an import killed at any moment leaves the store exactly as it was
before that file, and a damaged, read-only or locked database file is refused in one line that
names it and says what to do, without a byte of it being written.

The kills are real: ``pithtui import`` of a large file runs as a process and gets SIGKILL at
several moments (while starting, while parsing, and at several points after it has begun
writing, found by asking the database whether a writer is inside a transaction).
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from workload import finish, snapshot, start_import, wait_until, write_s2_file, writer_active

from pithtui.sources.importer import import_path
from pithtui.sources.sample import SAMPLE_REF, load_sample_hub
from pithtui.store import open_repository

SIZE = 10_000
RNG = random.Random(20261126)
MOMENTS = {
    # Seconds after the importer has begun writing at which it is killed, and seconds after it
    # starts (starting, parsing or writing: whatever it is doing by then).
    "sqlite": [("writing", d) for d in (0.0, 0.15, 0.4, 0.8)] + [("anytime", round(RNG.uniform(0.1, 3.0), 2)) for _ in range(3)],
    "postgresql": [("writing", d) for d in (0.0, 0.4)] + [("anytime", round(RNG.uniform(0.1, 3.0), 2))],
}


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _checked(url: str) -> None:
    """SQLite's own checks of the file and of the full-text index (no-op on PostgreSQL)."""
    if not url.startswith("sqlite"):
        return
    conn = sqlite3.connect(_sqlite_path(url))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')")
    finally:
        conn.close()


@pytest.fixture
def pristine(db_url: str, request: pytest.FixtureRequest, tmp_path: Path):
    """A function giving a fresh store holding the sample hub and an earlier import."""
    earlier = write_s2_file(tmp_path / "earlier.json", 300, start=10 * SIZE, tag=" (earlier)")
    repo = open_repository(db_url)
    repo.upsert(load_sample_hub())
    repo.close()
    assert finish(start_import(db_url, earlier, env=request.getfixturevalue("cli_env")))[0] == 0
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(_sqlite_path(db_url))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        original = _sqlite_path(db_url).read_bytes()
        copies = iter(range(1000))

        def fresh() -> str:
            path = tmp_path / f"store-{next(copies)}.db"
            path.write_bytes(original)
            return f"sqlite:///{path}"

        return fresh
    server = request.getfixturevalue("postgres_server")

    def fresh_pg() -> str:
        url = server.create_database()
        request.addfinalizer(lambda: server.drop_database(url))
        repo = open_repository(url)
        repo.upsert(load_sample_hub())
        import_path(repo, str(earlier))
        repo.close()
        return url

    return fresh_pg


def test_an_import_killed_at_any_moment_leaves_the_store_as_it_was(
    pristine, backend: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    big = write_s2_file(tmp_path / "big.json", SIZE)
    before = snapshot(pristine())
    reference = pristine()
    code, _out, err = finish(start_import(reference, big, env=cli_env))
    assert code == 0, err
    after = snapshot(reference)
    assert after["info"]["citations"] == before["info"]["citations"] + SIZE

    interrupted = 0  # kills that caught the import inside its transaction
    for number, (kind, delay) in enumerate(MOMENTS[backend]):
        url = pristine()
        writing = writer_active(url)
        proc = start_import(url, big, env=cli_env)
        if kind == "writing":
            assert wait_until(writing, proc), "the import never began writing"
        time.sleep(delay)
        was_writing = proc.poll() is None and writing()
        proc.kill()
        proc.wait()
        _checked(url)
        state = snapshot(url)
        # Nothing of the file, or (killed after its commit, on its way out) all of it.
        assert state == before or state == after, (kind, delay)
        if proc.returncode == 0:
            assert state == after, (kind, delay)
        interrupted += was_writing and state == before
        if number == 0:  # then the store takes the same file whole, as if nothing had happened
            code, _out, err = finish(start_import(url, big, env=cli_env))
            assert code == 0, err
            _checked(url)
            assert snapshot(url) == after
    assert interrupted >= 2, "the kills never caught the import inside its transaction"


# --------------------------------------------------------------------------- damaged files


def _store_with_data(path: Path) -> None:
    repo = open_repository(str(path))
    repo.upsert(load_sample_hub())
    repo.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


COMMANDS = {
    "show": ("show", SAMPLE_REF),
    "papers": ("papers",),
    "db info": ("db", "info"),
    "import": ("import", "{file}"),
    "tui": (),
}


def _assert_one_line(done, *fragments: str) -> str:
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("damage", ["cut in half", "pages overwritten"])
def test_a_damaged_store_is_refused_in_one_line_and_never_written(run_cli, tmp_path: Path, damage: str, command: str) -> None:
    store = tmp_path / "store.db"
    _store_with_data(store)
    data = store.read_bytes()
    if damage == "cut in half":
        damaged = data[: len(data) // 2]
    else:  # the header survives, every page after the first is noise
        page = int.from_bytes(data[16:18], "big")
        damaged = data[:page] + bytes((i * 131 + 7) % 256 for i in range(len(data) - page))
    store.write_bytes(damaged)
    upload = write_s2_file(tmp_path / "upload.json", 20)
    args = [part.format(file=upload) for part in COMMANDS[command]]
    done = run_cli(*args, "--db", str(store))
    line = _assert_one_line(done, str(store))
    assert "corrupt" in line or "not a database" in line, line
    assert "move it aside or choose another store with --db" in line
    assert store.read_bytes() == damaged
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("store")) == ["store.db"]


def test_an_import_into_a_locked_store_says_so_and_stores_nothing_then_succeeds(
    run_cli, cli_env: dict[str, str], tmp_path: Path
) -> None:
    store = tmp_path / "store.db"
    _store_with_data(store)
    url = f"sqlite:///{store}"
    before = snapshot(url)
    upload = write_s2_file(tmp_path / "upload.json", 20)
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO meta (key, value) VALUES ('held', 'by another program')")
    try:
        env = {**cli_env, "PITHTUI_BUSY_TIMEOUT_MS": "100"}
        line = _assert_one_line(run_cli("import", str(upload), "--db", str(store), env=env), str(store), str(upload))
        assert "locked by another program" in line and "try again" in line and "nothing of it was stored" in line
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert snapshot(url) == before
    done = run_cli("import", str(upload), "--db", str(store))
    assert done.returncode == 0, done.stderr
    assert snapshot(url)["info"]["citations"] == before["info"]["citations"] + 20


def test_an_import_into_a_read_only_store_says_so_and_writes_nothing(run_cli, tmp_path: Path) -> None:
    import os
    import subprocess

    if os.geteuid() == 0:
        probe = (
            subprocess.run(["unshare", "--user", "true"], capture_output=True, check=False) if shutil.which("unshare") else None
        )
        if probe is None or probe.returncode != 0:
            pytest.skip("running as root and cannot drop the right to override file permissions (unshare --user)")
        prefix: tuple[str, ...] = ("unshare", "--user")
    else:
        prefix = ()
    store = tmp_path / "store.db"
    _store_with_data(store)
    upload = write_s2_file(tmp_path / "upload.json", 20)
    store.chmod(0o444)
    try:
        before = store.read_bytes()
        line = _assert_one_line(run_cli("import", str(upload), "--db", str(store), prefix=prefix), str(store))
        assert "read-only" in line and "make it writable or choose another store with --db" in line
        assert store.read_bytes() == before
    finally:
        store.chmod(0o644)
