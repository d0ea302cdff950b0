"""What the store remembers of the reader: when each hub was last opened, and the last hub."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from pithtui.store.bulk import dialect_insert
from pithtui.store.schema import meta, visits


def put(conn: Connection, table: Any, values: dict[str, Any]) -> None:
    """Insert a row of ``table`` (keyed by its first column), or update the row with that key:
    one statement, so it never fails on a row another program put there meanwhile."""
    key = next(iter(values))
    statement = dialect_insert(conn)(table).values(values)
    update_values = {name: statement.excluded[name] for name in values if name != key}
    conn.execute(statement.on_conflict_do_update(index_elements=[key], set_=update_values))


def record_visit(conn: Connection, hub_id: int, when: dt.datetime) -> dt.datetime | None:
    """Note that the hub was opened at ``when``; returns the previous visit (None the first time)."""
    previous = last_visit(conn, hub_id)
    put(conn, visits, {"paper_id": hub_id, "last_opened": when})
    put(conn, meta, {"key": "last_hub", "value": str(hub_id)})
    return previous


def last_visit(conn: Connection, hub_id: int) -> dt.datetime | None:
    """When the hub was last opened; None if never."""
    return conn.execute(select(visits.c.last_opened).where(visits.c.paper_id == hub_id)).scalar()


def last_hub_id(conn: Connection) -> int | None:
    """The id of the hub opened most recently (which may since have left the store)."""
    value = conn.execute(select(meta.c.value).where(meta.c.key == "last_hub")).scalar()
    return int(value) if value is not None and value.isdigit() else None
