"""Where the store lives and how to open it: a SQLAlchemy URL → a ready HubRepository.

The one place that knows the default database location (a SQLite file under platformdirs'
user data dir) and the environment variable that overrides it.
"""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from pithtui.errors import StoreError
from pithtui.store.repository import HubRepository
from pithtui.store.schema import SCHEMA_REVISION, version_table
from pithtui.store.session import describe_db_error
from pithtui.text import masked_url

if TYPE_CHECKING:
    import sqlite3

ENV_VAR = "PITHTUI_DB"
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000
BUSY_TIMEOUT_ENV = "PITHTUI_BUSY_TIMEOUT_MS"


def busy_timeout_ms() -> int:
    """How long to wait for a SQLite store another program is writing before giving up:
    ``PITHTUI_BUSY_TIMEOUT_MS`` milliseconds if set to a whole number, else 10 seconds."""
    value = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    return int(value) if value.isdigit() else BUSY_TIMEOUT_MS


def default_db_path() -> Path:
    """The embedded default store: ``pithtui.db`` in the user's data directory."""
    return platformdirs.user_data_path("pithtui") / "pithtui.db"


_URL_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*(?::|//)|@")
"""What makes text look like a database URL (a scheme, or a user@host) rather than a path."""


def resolve_url(url: str | None = None) -> tuple[str, bool]:
    """The database URL to use and whether it is the embedded default.

    ``--db`` wins over ``PITHTUI_DB``, which wins over the default SQLite file. A bare path is
    taken as a SQLite file; text that looks like a URL but is not one (``postgresql//…``, a
    missing colon) is refused, its password masked, rather than taken for a file's name.
    """
    chosen = url or os.environ.get(ENV_VAR) or None
    if chosen is None:
        return f"sqlite:///{default_db_path()}", True
    if "://" not in chosen:
        if _URL_LIKE.search(chosen):
            raise StoreError(
                f"not a database URL: {masked_url(chosen)!r} (e.g. sqlite:///path/to.db or postgresql+psycopg://user@host/db)"
            )
        return f"sqlite:///{Path(chosen).expanduser()}", False
    return chosen, False


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _check_sqlite_file(path: Path, create: bool) -> None:
    """Refuse, without writing a byte, a file that is not a SQLite database, and (unless
    ``create``) a path where no store is yet: a mistyped path must not look like an empty store."""
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a database file; pass a file path with --db")
    if not path.exists() and not create:
        raise StoreError(f"no store at {path} (pithtui import or fetch makes one there, or pithtui db init {path})")
    if not path.exists() or path.stat().st_size == 0:
        parent = path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder {parent} for the store: {exc.strerror}") from None
        if not os.access(parent, os.W_OK):
            raise StoreError(f"cannot create {path}: the folder {parent} is not writable; choose another with --db")
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None
    if header != SQLITE_MAGIC:
        raise StoreError(
            f"{path} is not a SQLite database (corrupt or another kind of file); move it aside or choose another store with --db"
        )


def _tune_sqlite(engine: Engine, path: Path | None) -> None:
    """Foreign keys on, WAL for readers beside a writer, and a busy timeout instead of errors."""
    writable = path is None or not path.exists() or os.access(path, os.W_OK)
    timeout = busy_timeout_ms()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={timeout}")
        if writable and path is not None:
            _switch_to_wal(cursor, timeout)
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


WAL_RETRY_S = 0.02
"""How long to wait before asking again for WAL mode while another program writes a new store."""


def _switch_to_wal(cursor: sqlite3.Cursor, timeout_ms: int) -> None:
    """Put the store in WAL mode, waiting up to ``timeout_ms`` for another program that is
    writing it meanwhile.

    SQLite itself does not wait here: on a store still in its first (rollback-journal) write,
    such as a new store another ``pithtui import`` is creating at the same moment, the switch
    reads the file, then needs the write lock, and fails at once with "database is locked"
    whatever the busy timeout (the busy handler is not called inside a read). So ask again until
    the other program's write ends; once the store is in WAL mode the switch writes nothing."""
    from sqlite3 import OperationalError  # loaded already: this is SQLite's connection

    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(WAL_RETRY_S)


def make_engine(url: str, *, create: bool = True) -> Engine:
    """A SQLAlchemy engine for ``url``, with SQLite tuned; bad URLs become a StoreError, and so
    does a SQLite file that does not exist unless ``create``."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is no number, a broken host
        raise StoreError(
            f"not a database URL: {masked_url(url)!r} (e.g. sqlite:///path/to.db or postgresql+psycopg://…)"
        ) from None
    path = _sqlite_file(url)
    if path is not None:
        _check_sqlite_file(path, create)
    try:
        engine = create_engine(parsed)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use {parsed.render_as_string(hide_password=True)}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        _tune_sqlite(engine, path)
    elif parsed.get_backend_name() == "postgresql":
        # psycopg logs a warning of its own ("error ignored terminating <Pipeline>") beside an
        # error it raises from a batch of statements; the error is reported, in one line, already.
        driver_log = logging.getLogger("psycopg")
        if not driver_log.handlers:
            driver_log.addHandler(logging.NullHandler())
    return engine


def _stored_revision(engine: Engine) -> str | None:
    """The store's schema revision, in one small query; None when it records none (a new
    database, a store from before migrations, another program's database)."""
    with engine.connect() as conn:
        try:
            return conn.execute(select(version_table.c.version_num)).scalar()
        except DBAPIError as exc:
            orig = exc.orig
            if "no such table" in str(orig) or getattr(orig, "sqlstate", None) == "42P01":  # undefined table
                return None
            raise


def _prepare_schema(engine: Engine, label: str) -> None:
    """A store at this pithtui's schema revision opens at once. Anything else (a new database,
    an older store to upgrade, a newer one or another program's database to refuse) is
    :func:`pithtui.store.migrate.prepare`'s, which loads Alembic: only then."""
    try:
        if _stored_revision(engine) == SCHEMA_REVISION:
            return
    except DBAPIError as exc:
        raise StoreError(describe_db_error(exc, label)) from None
    except SQLAlchemyError as exc:
        raise StoreError(f"{label}: {exc}") from None
    from pithtui.store.migrate import prepare

    prepare(engine, label)


def open_repository(url: str | None = None, *, create: bool = True) -> HubRepository:
    """Open (creating the tables if needed) the store at ``url`` and return its repository.
    A new SQLite file is made only at the default location or with ``create``.

    Seeding the embedded default with the sample hub is the sources floor's job
    (:func:`pithtui.sources.sample.open_store`), since the store knows no file formats.
    """
    resolved, is_default = resolve_url(url)
    engine = make_engine(resolved, create=create or is_default)
    path = _sqlite_file(resolved)
    label = str(path) if path is not None else make_url(resolved).render_as_string(hide_password=True)
    _prepare_schema(engine, label)
    return HubRepository(engine, label=label, is_default=is_default)
