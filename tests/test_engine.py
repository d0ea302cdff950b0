"""Opening a store: where it is, what is refused before a byte is written, and SQLite tuning."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from refusals import assert_refused
from sqlalchemy import text

from pithtui.store import default_db_path, open_repository, resolve_url
from pithtui.store.engine import BUSY_TIMEOUT_MS


def pragma(repo, name: str):
    with repo.engine.connect() as conn:
        return conn.execute(text(f"PRAGMA {name}")).scalar()


def test_the_default_store_is_under_the_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("PITHTUI_DB", raising=False)
    assert default_db_path() == tmp_path / "pithtui" / "pithtui.db"
    assert resolve_url() == (f"sqlite:///{tmp_path / 'pithtui' / 'pithtui.db'}", True)


def test_db_option_wins_over_the_environment_which_wins_over_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("PITHTUI_DB", "postgresql+psycopg://u@h/env")
    assert resolve_url() == ("postgresql+psycopg://u@h/env", False)
    assert resolve_url("sqlite:///x.db") == ("sqlite:///x.db", False)
    assert resolve_url(str(tmp_path / "plain.db")) == (f"sqlite:///{tmp_path / 'plain.db'}", False)
    monkeypatch.setenv("PITHTUI_DB", "~/stores/mine.db")
    assert resolve_url() == (f"sqlite:///{Path('~/stores/mine.db').expanduser()}", False)


def test_a_new_store_gets_its_tables_and_folders(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "store.db"
    repo = open_repository(str(path))
    try:
        assert repo.is_empty()
        assert repo.info()["schema_version"] >= 1
        assert pragma(repo, "journal_mode") == "wal"
        assert pragma(repo, "foreign_keys") == 1
    finally:
        repo.close()
    assert path.exists()


def test_an_empty_file_is_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "touched.db"
    path.touch()
    repo = open_repository(str(path))
    assert repo.is_empty()
    repo.close()


def test_busy_timeout_defaults_to_ten_seconds_and_can_be_shortened(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PITHTUI_BUSY_TIMEOUT_MS", raising=False)
    repo = open_repository(str(tmp_path / "a.db"))
    assert pragma(repo, "busy_timeout") == BUSY_TIMEOUT_MS == 10_000
    repo.close()
    monkeypatch.setenv("PITHTUI_BUSY_TIMEOUT_MS", "250")
    repo = open_repository(str(tmp_path / "a.db"))
    assert pragma(repo, "busy_timeout") == 250
    repo.close()
    monkeypatch.setenv("PITHTUI_BUSY_TIMEOUT_MS", "soon")
    repo = open_repository(str(tmp_path / "a.db"))
    assert pragma(repo, "busy_timeout") == BUSY_TIMEOUT_MS
    repo.close()


def writing_a_new_file(path: Path) -> sqlite3.Connection:
    """Another program's first write to a new database, still in SQLite's default journal mode
    (as a second ``pithtui import`` creating the same new store holds it for a moment)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_a_new_store_another_program_is_writing_opens_once_that_write_ends(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    other = writing_a_new_file(path)
    threading.Timer(0.3, other.rollback).start()
    repo = open_repository(str(path))  # SQLite alone fails the switch to WAL at once here
    assert pragma(repo, "journal_mode") == "wal"
    assert repo.is_empty()
    repo.close()
    other.close()


def test_a_new_store_written_longer_than_the_busy_timeout_is_refused_as_locked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PITHTUI_BUSY_TIMEOUT_MS", "200")
    path = tmp_path / "new.db"
    other = writing_a_new_file(path)
    assert_refused(str(path), str(path), "is locked by another program", "nothing was changed")
    other.rollback()
    assert other.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    other.close()


def test_what_is_refused_before_a_byte_is_written(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    assert_refused(str(notes), str(notes), "not a SQLite database")
    assert notes.read_text() == "not a database"
    assert_refused(str(tmp_path), "is a directory")
    assert_refused("nosuch://x/y", "nosuch")


def test_a_database_of_another_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    assert_refused(str(path), "not a pithtui store")
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["t"]
    conn.close()
