"""A PostgreSQL store shared by several people: what a database role that may only read can
do (everything but write), and what it is told when it tries to write."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from workload import snapshot, write_s2_file

from pithtui.sources.sample import SAMPLE_REF, load_sample_hub
from pithtui.store import open_repository

_roles = itertools.count()


@pytest.fixture
def shared(postgres_server) -> tuple[str, str]:
    """(owner URL, reader URL) of a store holding the sample hub; the reader may only SELECT."""
    url = postgres_server.create_database()
    repo = open_repository(url)
    repo.upsert(load_sample_hub())
    repo.close()
    role = f"reader_{os.getpid()}_{next(_roles)}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
    engine.dispose()
    yield url, url.replace("postgres@", f"{role}@")
    postgres_server.drop_database(url)
    admin = create_engine(postgres_server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP ROLE "{role}"'))
    admin.dispose()


def test_a_role_that_may_only_read_reads_everything(run_cli, shared: tuple[str, str]) -> None:
    owner, reader = shared
    as_owner = run_cli("show", SAMPLE_REF, "--db", owner, "--format", "json")
    as_reader = run_cli("show", SAMPLE_REF, "--db", reader, "--format", "json")
    assert as_reader.returncode == 0, as_reader.stderr
    assert as_reader.stdout == as_owner.stdout
    assert json.loads(as_reader.stdout)["citing_count"] == 8
    assert run_cli("papers", "--db", reader).returncode == 0


def test_a_role_that_may_only_read_is_told_so_when_it_imports(run_cli, shared: tuple[str, str], tmp_path: Path) -> None:
    owner, reader = shared
    before = snapshot(owner)
    upload = write_s2_file(tmp_path / "upload.json", 10)
    done = run_cli("import", str(upload), "--db", reader)
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1, done.stderr
    [line] = done.stderr.splitlines()
    assert "permission denied" in line and "ask the database's owner for access" in line, line
    assert str(upload) in line and "nothing of it was stored" in line
    assert snapshot(owner) == before


def test_a_role_that_may_only_read_is_refused_an_import_that_would_only_update(
    run_cli, shared: tuple[str, str], tmp_path: Path
) -> None:
    owner, reader = shared
    assert run_cli("import", str(write_s2_file(tmp_path / "first.json", 10)), "--db", owner).returncode == 0
    before = snapshot(owner)
    again = run_cli("import", str(write_s2_file(tmp_path / "same.json", 10)), "--db", reader)
    assert again.returncode == 0 and "nothing new" in again.stdout  # adds and changes nothing: fine
    changed = write_s2_file(tmp_path / "retitled.json", 10, tag=" (revised)")  # the same papers, new titles
    done = run_cli("import", str(changed), "--db", reader)
    assert done.returncode == 1
    [line] = done.stderr.splitlines()
    assert "permission denied" in line and "nothing of it was stored" in line, line
    assert snapshot(owner) == before
