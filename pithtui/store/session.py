"""Reading and writing a store: cancellable reads, serialized writes, errors as one line.

Every call of :class:`~pithtui.store.repository.HubRepository` runs in a :class:`Sessions`
read or write, wrapped by :func:`guarded`, which turns a database error into a
:class:`~pithtui.errors.StoreError` a user can act on, or, when the caller gave up on the
call (see :meth:`Sessions.cancel_when`), into :class:`~pithtui.errors.Cancelled`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from pithtui.errors import Cancelled, StoreError

T = TypeVar("T")

WRITE_LOCK = 0x7069_7468_7475_6901
"""The PostgreSQL advisory lock pithtui's writers take in turn (``pithtui`` in ASCII, then 1)."""

PROGRESS_STEPS = 20_000
"""SQLite virtual machine steps between two checks of a cancellable query (well under a ms)."""

_caller = threading.local()
"""Per thread: ``cancelled``, the predicate set by :meth:`Sessions.cancel_when`."""


def begin_writing(conn: Connection, *, serialize: bool = True) -> None:
    """Make the transaction just begun on ``conn`` a writer's from its first statement.

    SQLite: take the store's write lock now (``BEGIN IMMEDIATE``, waiting up to the busy
    timeout), so that nothing the transaction reads can change before it writes; otherwise two
    imports read "not stored yet" side by side and the second fails on the first's papers.
    PostgreSQL (``serialize``): wait until no other pithtui writer is in a transaction (an
    advisory lock held to commit), for the same reason. Readers are never blocked on either.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif serialize and conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(WRITE_LOCK)))


def describe_db_error(exc: DBAPIError, label: str) -> str:
    """One line a user can act on, for a database error on the store called ``label``."""
    text = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    low = text.lower()
    if "locked" in low or "busy" in low:
        return f"{label} is locked by another program; nothing was changed, try again when it finishes"
    if "readonly" in low or "read-only" in low:
        return f"{label} is read-only; nothing was written (make it writable or choose another store with --db)"
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return f"{label} is corrupt ({text}); move it aside or choose another store with --db"
    if "unable to open" in low:
        return f"cannot open {label} ({text}); check the path and its permissions"
    if "connection" in low or "could not connect" in low or "password" in low:
        return f"cannot connect to {label}: {text}"
    if "permission denied" in low:
        return f"{label}: {text}; ask the database's owner for access, or choose another store with --db"
    return f"{label}: {text}"


def cancelled() -> bool:
    """Whether this thread's caller has given up on the call it is making."""
    predicate = getattr(_caller, "cancelled", None)
    return predicate is not None and bool(predicate())


class Labelled(Protocol):
    label: str


def guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Turn any database error raised by ``method`` (of an object with the store's ``label``)
    into a one-line StoreError, or Cancelled when a cancellable call was interrupted because
    its caller gave up on it."""

    @functools.wraps(method)
    def wrapper(self: Labelled, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except DBAPIError as exc:
            if cancelled() and "interrupt" in str(exc.orig).lower():
                raise Cancelled() from None
            raise StoreError(describe_db_error(exc, self.label)) from None

    return wrapper


class Sessions:
    """Connections to one store's engine: reads that a caller may cancel, writes in turn."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection to read with; on SQLite, a cancellable caller's query is interrupted
        soon after it gives up."""
        if cancelled():
            raise Cancelled()
        with self.engine.connect() as conn:
            if getattr(_caller, "cancelled", None) is None or conn.dialect.name != "sqlite":
                yield conn
                return
            raw = conn.connection.dbapi_connection
            assert raw is not None  # an open connection has its DBAPI connection
            raw.set_progress_handler(cancelled, PROGRESS_STEPS)  # a true answer interrupts the query
            try:
                yield conn
            finally:
                raw.set_progress_handler(None, 0)

    @contextmanager
    def write(self, *, serialize: bool = True) -> Iterator[Connection]:
        """One transaction that writes, committed at the end (see :func:`begin_writing`)."""
        with self.engine.begin() as conn:
            begin_writing(conn, serialize=serialize)
            yield conn

    @staticmethod
    @contextmanager
    def cancel_when(predicate: Callable[[], bool]) -> Iterator[None]:
        """Make the calls this thread makes inside stop soon after ``predicate()`` turns true,
        raising :class:`~pithtui.errors.Cancelled`: a running SQLite query is interrupted (the
        predicate is asked every few thousand steps), on other backends the next query is not
        started."""
        previous = getattr(_caller, "cancelled", None)
        _caller.cancelled = predicate
        try:
            yield
        finally:
            _caller.cancelled = previous
