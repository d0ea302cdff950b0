"""Bringing a store to the schema this pithtui knows, with Alembic (pithtui/store/migrations).

Imported only when a store is not already at ``SCHEMA_REVISION`` (see
:func:`pithtui.store.engine.open_repository`, which checks that in one small query), and
Alembic itself only when there are revisions to run or to look up, so that opening a store as
usual, or creating a new one, never loads it.

Under the store's write lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL pithtui's advisory lock:
two programs opening one old store at once take turns, and the second finds the work done) and
in one transaction, :func:`prepare`

- creates the tables of a new, empty database from schema.py and stamps it ``SCHEMA_REVISION``;
- upgrades a store at an older revision through every revision since;
- adopts a store written before migrations existed (``meta.schema_version`` N, no
  ``alembic_version``) as revision N, then upgrades it;
- refuses, changing nothing, a store at a revision it does not know (a newer pithtui wrote it)
  and a database that is not a pithtui store.

``meta.schema_version`` keeps the revision's number too, so that a pithtui from before
migrations refuses a newer store with its own "written by a newer pithtui" message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, insert, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from pithtui.errors import StoreError
from pithtui.store.schema import SCHEMA_REVISION, SCHEMA_VERSION, Base, meta, version_table
from pithtui.store.session import begin_writing, describe_db_error

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD = "head"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for pithtui's revisions, running on ``connection``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def revisions() -> list[str]:
    """Every revision, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def upgrade(conn: Connection, target: str = HEAD) -> None:
    """Run the revisions from the store's to ``target`` on ``conn``, inside its transaction."""
    from alembic import command

    command.upgrade(alembic_config(conn), target)


@dataclass(frozen=True)
class Found:
    """What a database holds, as far as migrating it goes."""

    tables: frozenset[str]
    revision: str | None
    """From ``alembic_version``; for a store from before migrations, from ``meta``."""
    legacy: bool
    """True for a store from before migrations (no ``alembic_version``)."""


def _look(conn: Connection) -> Found:
    tables = frozenset(inspect(conn).get_table_names())
    if version_table.name in tables:
        return Found(tables, conn.execute(select(version_table.c.version_num)).scalar(), False)
    if meta.name in tables:
        number = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
        revision = f"{int(number):04d}" if number is not None and number.isdigit() else None
        return Found(tables, revision, True)
    return Found(tables, None, False)


def _refusal(found: Found, label: str) -> StoreError | None:
    """Why a database cannot be used (None when it can, after upgrading if need be)."""
    if not found.tables or found.revision == SCHEMA_REVISION:
        return None
    if found.revision is None:
        if version_table.name in found.tables or meta.name in found.tables:
            return StoreError(f"{label} has no schema version; it was not written by pithtui")
        return StoreError(f"{label} is a database but not a pithtui store; choose another with --db")
    known = revisions()
    if found.revision not in known[: known.index(SCHEMA_REVISION) + 1]:
        return StoreError(
            f"{label} was written by a newer pithtui (schema {found.revision}, this one knows {SCHEMA_REVISION}); upgrade pithtui"
        )
    return None


def prepare(engine: Engine, label: str) -> None:
    """Make the database behind ``engine`` a store at ``SCHEMA_REVISION``, or refuse it."""
    try:
        with engine.connect() as conn:
            found = _look(conn)
    except DBAPIError as exc:
        raise StoreError(describe_db_error(exc, label)) from None
    if (refusal := _refusal(found, label)) is not None:
        raise refusal
    if found.revision == SCHEMA_REVISION and not found.legacy:
        return
    try:
        with engine.begin() as conn:
            begin_writing(conn)
            found = _look(conn)  # again, now that no other program can be doing the same
            if (refusal := _refusal(found, label)) is not None:
                raise refusal
            if not found.tables:
                Base.metadata.create_all(conn)
                version_table.create(conn)
                conn.execute(insert(version_table).values(version_num=SCHEMA_REVISION))
            elif found.revision != SCHEMA_REVISION or found.legacy:
                if found.legacy:
                    version_table.create(conn)
                    conn.execute(insert(version_table).values(version_num=found.revision))
                upgrade(conn, SCHEMA_REVISION)
            else:
                return  # another program did it while this one waited for the lock
            conn.execute(delete(meta).where(meta.c.key == "schema_version"))
            conn.execute(insert(meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
    except DBAPIError as exc:
        message = describe_db_error(exc, label)
        if found.tables and "read-only" in message:
            message = (
                f"{label} was written by an older pithtui (schema {found.revision}) and must be upgraded to "
                f"schema {SCHEMA_REVISION} once, but it is read-only; make it writable, or choose another store with --db"
            )
        raise StoreError(message) from None
    except SQLAlchemyError as exc:
        raise StoreError(f"{label}: {exc}") from None
