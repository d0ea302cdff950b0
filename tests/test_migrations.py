"""Schema migrations: stores written by an older pithtui open and upgrade themselves, newer
ones are refused, nothing is dropped, and a migrated store is exactly a new store.

The old store is built the way it really was: revision 0001's DDL, then every row of a store
that pithtui wrote at schema version 1, before migrations existed (tests/data/store_0001.json,
generated once from the records of :func:`fixture_records` and frozen like the revision).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from refusals import assert_refused, unprivileged
from sqlalchemy import MetaData, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from workload import snapshot

from pithtui.models import Citation, Filters, Paper
from pithtui.sources.sample import load_sample_hub
from pithtui.store import migrate, open_repository
from pithtui.store.engine import make_engine
from pithtui.store.schema import SCHEMA_REVISION, SCHEMA_VERSION, WORD_COLUMNS, Base
from pithtui.store.session import begin_writing

FIXTURE = Path(__file__).with_name("data") / "store_0001.json"
PG_WORDS = {*WORD_COLUMNS.values(), *(f"ix_papers_{words}" for words in WORD_COLUMNS.values())}
"""PostgreSQL's stored words of papers and their GIN indexes (columns schema.py does not declare)."""


def fixture_records() -> list[Paper | Citation]:
    """What the store of tests/data/store_0001.json was given, by pithtui at schema version 1
    (then a visit of the second hub on 2026-01-02 03:04:05)."""
    sample = load_sample_hub()
    second = Paper(
        title="Self-Consuming Generative Models Go MAD", arxiv_id="2307.01850", category="cs.LG",
        date=dt.date(2023, 7, 4), summary="Autophagous loops lose quality or diversity.",
    )  # fmt: skip
    citing = [
        Paper(
            title="Towards a Theory of Model Collapse",
            arxiv_id="2402.07712",
            doi="10.5555/theory.1",
            category="stat.ML",
            date=dt.date(2024, 2, 12),
            novelty=7.5,
            verdict="SOUND",
            summary="A statistical account of collapse.",
        ),  # fmt: skip
        Paper(
            title="École des données synthétiques",
            openalex_id="W4000000001",
            category="cs.CL",
            date=dt.date(2025, 1, 1),
            summary="Accents and Straße in a title.",
        ),
        Paper(title="A paper known only by its title"),
    ]
    return [
        *sample,
        Citation(
            citing=citing[0],
            cited=second,
            roles=("background", "method"),
            polarity="supporting",
            contexts=("As MAD shows.",),
            source="test",
            influential=True,
        ),
        Citation(citing=citing[1], cited=second, roles=("baseline",), polarity=None, contexts=(), source="test"),
        Citation(citing=citing[2], cited=second, roles=(), polarity="contrasting", source="test", representative=True),
        Citation(citing=second, cited=sample[0], roles=("background",), polarity="neutral", source="test"),
    ]


def _value(column: Any, value: Any) -> Any:
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return value
    if value is not None and kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if value is not None and kind is dt.date:
        return dt.date.fromisoformat(value)
    return value


def build_0001(url: str, *, legacy: bool) -> None:
    """A store at revision 0001 holding the fixture's rows. ``legacy``: as pithtui wrote it
    before migrations (no ``alembic_version``, ``meta.schema_version`` 1)."""
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))["tables"]
    engine = make_engine(url)
    with engine.begin() as conn:
        begin_writing(conn)
        migrate.upgrade(conn, "0001")
        tables = MetaData()
        tables.reflect(conn, only=list(rows))
        for table in tables.sorted_tables:
            if rows[table.name]:
                conn.execute(insert(table), [{k: _value(table.c[k], v) for k, v in row.items()} for row in rows[table.name]])
        if conn.dialect.name == "postgresql":  # rows came with their ids: move the id sequences past them
            for name in ("papers", "citations"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"))
        if legacy:
            conn.execute(text("DROP TABLE alembic_version"))
    engine.dispose()


def stored_revision(url: str) -> tuple[str | None, str | None]:
    """(alembic_version, meta.schema_version) as stored."""
    engine = create_engine(url)
    with engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        number = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar()
    engine.dispose()
    return revision, number


def schema_of(url: str) -> Any:
    """The whole schema as the database itself spells it: sqlite_master (its statements with
    their white space folded: a column added by ALTER TABLE is spliced into the text without a
    line break of its own), or pg_dump."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(make_url(url).database)
        try:
            rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
            return sorted(((*row[:3], " ".join((row[3] or "").split())) for row in rows), key=str)
        finally:
            conn.close()
    from conftest import find_pg_bindir

    parsed = make_url(url)
    bindir = find_pg_bindir()
    assert bindir is not None
    dump = subprocess.run(
        [str(bindir / "pg_dump"), "--schema-only", "--no-owner", "-h", parsed.host, "-p", str(parsed.port), "-U", parsed.username, parsed.database],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [line for line in dump.stdout.splitlines() if line.strip() and not line.startswith("--") and "restrict" not in line]


def table_dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (FTS shadow tables included), to see that nothing changed;
    PostgreSQL's stored words of papers left out (made from their titles and summaries, which
    are compared)."""
    engine = create_engine(url)
    tables = MetaData()
    with engine.connect() as conn:
        tables.reflect(conn)
        out = {
            t.name: sorted(map(tuple, conn.execute(select(*(c for c in t.c if c.name not in PG_WORDS))).all()), key=repr)
            for t in tables.sorted_tables
        }
    engine.dispose()
    return out


def second_url(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Another fresh, empty database on the same backend."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'other.db'}"
    server = request.getfixturevalue("postgres_server")
    url = server.create_database()
    request.addfinalizer(lambda: server.drop_database(url))
    return url


# --------------------------------------------------------------------------- the revisions


def test_the_schema_revision_is_the_newest_of_a_straight_line_of_revisions() -> None:
    known = migrate.revisions()
    assert known[0] == "0001"
    assert known == [f"{n:04d}" for n in range(1, len(known) + 1)]
    assert SCHEMA_REVISION == known[-1]
    assert SCHEMA_VERSION == len(known)


def test_the_revisions_ship_inside_the_package() -> None:
    from setuptools import find_packages

    root = Path(migrate.__file__).parents[2]
    packages = find_packages(root, include=["pithtui*"])
    assert {"pithtui.store.migrations", "pithtui.store.migrations.versions"} <= set(packages)
    files = {p.name for p in migrate.MIGRATIONS.joinpath("versions").glob("*.py")}
    assert {f"{rev}_" for rev in migrate.revisions()} <= {name[:5] for name in files}
    assert migrate.MIGRATIONS.joinpath("env.py").is_file()


# --------------------------------------------------------------------------- new and upgraded stores


def test_a_new_store_is_created_at_the_newest_revision(db_url: str) -> None:
    repo = open_repository(db_url)
    assert repo.info()["schema_version"] == SCHEMA_VERSION
    repo.close()
    assert stored_revision(db_url) == (SCHEMA_REVISION, str(SCHEMA_VERSION))


@pytest.mark.parametrize("legacy", [True, False], ids=["written-before-migrations", "stamped-0001"])
def test_a_store_at_the_first_revision_upgrades_and_keeps_every_row(
    db_url: str, legacy: bool, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    build_0001(db_url, legacy=legacy)
    before = table_dump(db_url)
    repo = open_repository(db_url)  # upgrades
    try:
        assert stored_revision(db_url) == (SCHEMA_REVISION, str(SCHEMA_VERSION))
        after = table_dump(db_url)
        for name, rows in before.items():
            if name not in ("meta", "alembic_version"):  # every row kept, columns added after
                assert [row[: len(old)] for row, old in zip(after[name], rows)] == rows, name
                assert len(after[name]) == len(rows), name
        # What a user sees is what the same records give in a store created today.
        fresh = second_url(db_url, request, tmp_path)
        today = open_repository(fresh)
        today.upsert(fixture_records())
        today.close()
        assert snapshot(db_url) == snapshot(fresh)
        assert repo.last_hub().arxiv_id == "2307.01850"
        # The full-text index came along, and stays right when the upgraded store is written.
        hub = repo.resolve("2307.01850").id
        # The rollups by novelty band (half points) were filled: a minimum novelty on a whole or
        # half point, answered by them, agrees with counting the citations (a "new since" that
        # every citation passes).
        for minimum in (0.0, 7.0, 7.5, 8.0):
            banded, counted = Filters(min_novelty=minimum), Filters(min_novelty=minimum, new_since=dt.datetime(1900, 1, 1))
            assert repo.facets(hub, banded) == repo.facets(hub, counted)
            assert repo.count(hub, banded) == repo.count(hub, counted)
        assert repo.count(hub, Filters(min_novelty=7.5)) >= 1
        assert [r.paper.title for r in repo.page(hub, Filters(search="ecole")).rows] == ["École des données synthétiques"]
        repo.upsert(
            [
                Citation(
                    citing=Paper(title="Alpha Beta Gamma", arxiv_id="2501.00001"), cited=Paper(title="", arxiv_id="2307.01850")
                )
            ]
        )
        repo.upsert([Paper(title="Delta Epsilon", arxiv_id="2501.00001")])  # the title changes
        assert [r.paper.title for r in repo.page(hub, Filters(search="delta")).rows] == ["Delta Epsilon"]
        assert repo.page(hub, Filters(search="alpha")).rows == ()
        assert repo.count(hub, Filters()) == 4
    finally:
        repo.close()
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(make_url(db_url).database)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')")  # raises if the index is off
        conn.close()


def test_a_store_upgraded_from_0001_has_exactly_the_schema_of_a_new_store(
    db_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    build_0001(db_url, legacy=True)
    open_repository(db_url).close()
    fresh = second_url(db_url, request, tmp_path)
    open_repository(fresh).close()
    assert schema_of(db_url) == schema_of(fresh)


def test_a_migrated_store_has_the_schema_schema_py_describes(db_url: str) -> None:
    """Anyone changing pithtui/store/schema.py without a revision fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    build_0001(db_url, legacy=True)
    open_repository(db_url).close()
    engine = create_engine(db_url)
    with engine.connect() as conn:

        def ours(name: str | None, kind: str, _parent: Any) -> bool:
            # The FTS5 table and its shadow tables are SQLite's, the stored words and their
            # indexes PostgreSQL's, made by DDL schema.py spells out.
            if kind == "table" and name is not None and name.startswith("papers_fts"):
                return False
            return not (kind in ("column", "index") and name in PG_WORDS)

        context = MigrationContext.configure(
            conn, opts={"include_name": ours, "compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


# --------------------------------------------------------------------------- refused, unchanged


def _refused_and_left_alone(url: str, *fragments: str) -> None:
    before = table_dump(url)
    assert_refused(url, *fragments)
    assert table_dump(url) == before


def test_a_store_from_a_newer_pithtui_is_refused_and_left_alone(db_url: str) -> None:
    repo = open_repository(db_url)
    repo.upsert(load_sample_hub())
    repo.close()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    _refused_and_left_alone(db_url, "newer pithtui", "0099", "upgrade pithtui")


def test_a_store_from_before_migrations_with_an_unknown_version_is_refused(db_url: str) -> None:
    build_0001(db_url, legacy=True)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE meta SET value = '57' WHERE key = 'schema_version'"))
    engine.dispose()
    _refused_and_left_alone(db_url, "newer pithtui")


def test_an_upgrade_that_fails_half_way_changes_nothing(tmp_path: Path) -> None:
    """Revision 0002 drops the insert trigger; a store whose trigger is already gone makes it
    fail after alembic has begun: the store stays at 0001 with all its rows."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    build_0001(url, legacy=True)
    conn = sqlite3.connect(tmp_path / "store.db")
    conn.execute("DROP TRIGGER papers_fts_insert")
    conn.commit()
    conn.close()
    schema = schema_of(url)
    _refused_and_left_alone(url, str(tmp_path / "store.db"), "papers_fts_insert")
    assert schema_of(url) == schema  # not even the alembic_version table it began with


def test_several_programs_opening_one_old_store_upgrade_it_once(db_url: str) -> None:
    url = db_url
    build_0001(url, legacy=True)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "pithtui", "db", "info", "--db", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err for _, err in outputs]
    assert all(f"schema_version: {SCHEMA_VERSION}" in out for out, _ in outputs)
    assert stored_revision(url) == (SCHEMA_REVISION, str(SCHEMA_VERSION))


def test_a_read_only_old_store_says_it_needs_upgrading(run_cli, tmp_path: Path) -> None:
    prefix = unprivileged()
    folder = tmp_path / "shared"
    folder.mkdir()
    store = folder / "old.db"
    build_0001(f"sqlite:///{store}", legacy=True)
    store.chmod(0o444)
    try:
        before = store.read_bytes()
        done = run_cli("papers", "--db", str(store), prefix=prefix)
        assert done.returncode == 1
        [line] = done.stderr.splitlines()
        assert str(store) in line and "older pithtui" in line and "read-only" in line, line
        assert store.read_bytes() == before
    finally:
        store.chmod(0o644)


# --------------------------------------------------------------------------- opening stays fast


def test_opening_a_store_at_the_newest_revision_never_loads_alembic(tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    code = (
        "import sys; from pithtui.store import open_repository; "
        f"open_repository({str(store)!r}).close(); open_repository({str(store)!r}).close(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
