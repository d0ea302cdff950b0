"""The reader's saved views: named filters, search and sort, for one hub or every hub."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, delete, select

from pithtui.filter_codec import filters_from_json, filters_to_json
from pithtui.models import SavedView, SortKey
from pithtui.store.bulk import dialect_insert
from pithtui.store.mine import owner
from pithtui.store.schema import saved_views

EVERY_HUB = 0
"""``saved_views.hub_key`` of a view for every hub."""


def _view(row: Any) -> SavedView | None:
    """The SavedView of a row; None for one this pithtui cannot read (a newer one wrote it)."""
    try:
        stored = json.loads(row.filters) if isinstance(row.filters, str) else row.filters
        return SavedView(row.name, filters_from_json(stored), SortKey(row.sort), bool(row.descending), row.hub_key or None)
    except ValueError:
        return None


def views_of(conn: Connection, hub_id: int | None) -> list[SavedView]:
    """The owner's views of a hub and those for every hub (all of them when ``hub_id`` is
    None), this hub's first, each kind by name."""
    v = saved_views.c
    query = select(v.name, v.filters, v.sort, v.descending, v.hub_key).where(v.owner == owner(conn.dialect.name))
    if hub_id is not None:
        query = query.where(v.hub_key.in_([hub_id, EVERY_HUB]))
    found = [view for view in map(_view, conn.execute(query.order_by(v.hub_key.desc(), v.name))) if view is not None]
    return found


def save(conn: Connection, view: SavedView, now: dt.datetime) -> None:
    """Keep ``view`` under its name (for its hub, or every hub), replacing one of that name."""
    values = {
        "owner": owner(conn.dialect.name),
        "hub_key": view.hub_id or EVERY_HUB,
        "name": view.name,
        "filters": filters_to_json(view.filters),
        "sort": view.sort.value,
        "descending": view.descending,
        "changed_at": now,
    }
    statement = dialect_insert(conn)(saved_views).values(values)
    kept = {name: statement.excluded[name] for name in ("filters", "sort", "descending", "changed_at")}
    conn.execute(statement.on_conflict_do_update(index_elements=["owner", "hub_key", "name"], set_=kept))


def remove(conn: Connection, name: str, hub_id: int | None) -> bool:
    """Forget the owner's view ``name`` of a hub (or for every hub); whether there was one."""
    v = saved_views.c
    done = conn.execute(
        delete(saved_views).where(v.owner == owner(conn.dialect.name), v.hub_key == (hub_id or EVERY_HUB), v.name == name)
    )
    return bool(done.rowcount)
