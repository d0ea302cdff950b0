"""The reader's own layer in the store: marks of papers and saved views, each row its owner's.

The owner is PostgreSQL's ``current_user`` (so each role of a shared store has its own layer,
which row-level security keeps from the others) or, on SQLite, the operating system user. Every
question here names the owner in SQL, so that a store's owner, whom PostgreSQL lets past the
row-level policy, still sees only their own layer in pithtui.

A mark records when each of its fields last changed: merging two layers (two stored records
of one paper found to be one, or a layer imported from another store) keeps, field by field,
the newer change.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import os
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, String, case, func, literal, literal_column, select, text

from pithtui.models import Filters, Mine, MineChange
from pithtui.store.bulk import dialect_insert
from pithtui.store.schema import KEEP_NEWER, MARK_NAMES, MOVE_MARKS, citations, marks

MINE_COLUMNS = (marks.c.starred, marks.c.read, marks.c.note, marks.c.verdict, marks.c.changed_at)
"""The columns of a mark that a citing paper's row carries (see paging.rows_query)."""


@functools.cache
def os_user() -> str:
    """The operating system user, the owner of a layer on SQLite."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return f"uid {os.getuid()}"


def owner(dialect: str) -> ColumnElement[Any]:
    """The owner of the layer being read or written, as SQL."""
    if dialect == "postgresql":
        return literal_column("current_user", String)
    return literal(os_user(), String)


def owner_name(conn: Connection) -> str:
    """The owner of the layer, as a name to show."""
    return str(conn.execute(select(owner(conn.dialect.name))).scalar_one())


def mine_of(row: Any) -> Mine:
    """The Mine of a row's MINE_COLUMNS values (all None: never marked)."""
    starred, read, note, verdict, changed_at = row
    if changed_at is None:
        return Mine()
    if isinstance(changed_at, str):
        changed_at = dt.datetime.fromisoformat(changed_at)
    return Mine(bool(starred), bool(read), note or "", verdict, changed_at)


def joined(query: Any, dialect: str) -> Any:
    """``query`` (FROM citations …) joined with the owner's marks of each citing paper."""
    on = (marks.c.paper_id == citations.c.citing_id) & (marks.c.owner == owner(dialect))
    return query.outerjoin(marks, on)


def conditions(dialect: str, f: Filters) -> list[ColumnElement[bool]]:
    """WHERE clauses on ``citations`` for the filters on the reader's own layer."""
    m, c = marks.c, citations.c

    def having(*conds: ColumnElement[bool]) -> Any:
        return select(m.paper_id).where(m.owner == owner(dialect), *conds)

    conds: list[ColumnElement[bool]] = []
    if "starred" in f.mine:
        conds.append(c.citing_id.in_(having(m.starred.is_(True))))
    if "read" in f.mine:
        conds.append(c.citing_id.in_(having(m.read.is_(True))))
    if "unread" in f.mine:
        conds.append(c.citing_id.not_in(having(m.read.is_(True))))
    if "noted" in f.mine:
        conds.append(c.citing_id.in_(having(m.note != "")))
    if f.my_verdicts:
        conds.append(c.citing_id.in_(having(m.verdict.in_(sorted(f.my_verdicts)))))
    return conds


def _cited_passing(hub_id: int, conds: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """Whether a mark's paper cites the hub passing ``conds``: asked of each of the owner's
    marks (one look-up in the hub's key each), so that counting them never walks the hub."""
    c = citations.c
    return select(literal(1)).select_from(citations).where(c.cited_id == hub_id, c.citing_id == marks.c.paper_id, *conds).exists()


def has_marks(conn: Connection) -> bool:
    """Whether the owner has marked any paper (one look-up): a reader who has not pays nothing
    for the yours-counts."""
    return conn.execute(select(marks.c.paper_id).where(marks.c.owner == owner(conn.dialect.name)).limit(1)).first() is not None


def flag_counts(conn: Connection, hub_id: int, conds: list[ColumnElement[bool]]) -> dict[str, int]:
    """How many of the hub's citations passing ``conds`` the owner starred, read and noted:
    counted over the owner's marks, which are few beside a hub's citations."""
    m = marks.c
    query = select(
        func.coalesce(func.sum(case((m.starred.is_(True), 1), else_=0)), 0),
        func.coalesce(func.sum(case((m.read.is_(True), 1), else_=0)), 0),
        func.coalesce(func.sum(case((m.note != "", 1), else_=0)), 0),
    ).where(m.owner == owner(conn.dialect.name), _cited_passing(hub_id, conds))
    starred, read, noted = conn.execute(query).one()
    return {"starred": int(starred), "read": int(read), "noted": int(noted)}


def verdict_counts(conn: Connection, hub_id: int, conds: list[ColumnElement[bool]]) -> dict[str, int]:
    """How many of the hub's citations passing ``conds`` carry each of the owner's verdicts."""
    m = marks.c
    query = (
        select(m.verdict, func.count())
        .where(m.owner == owner(conn.dialect.name), m.verdict.is_not(None), _cited_passing(hub_id, conds))
        .group_by(m.verdict)
    )
    return {verdict: int(n) for verdict, n in conn.execute(query)}


def read_mark(conn: Connection, paper_id: int) -> Mine:
    """The owner's mark of one paper."""
    row = conn.execute(
        select(*MINE_COLUMNS).where(marks.c.owner == owner(conn.dialect.name), marks.c.paper_id == paper_id)
    ).first()
    return Mine() if row is None else mine_of(row)


def write_mark(conn: Connection, paper_id: int, change: MineChange, now: dt.datetime) -> None:
    """Apply ``change`` to the owner's mark of a paper in one statement: only the fields it
    names are written, so two programs marking the same paper at once each keep their fields
    (the last write of a field wins)."""
    values: dict[str, Any] = {}
    if change.starred is not None:
        values |= {"starred": change.starred, "starred_at": now}
    if change.read is not None:
        values |= {"read": change.read, "read_at": now}
    if change.note is not None:
        values |= {"note": change.note, "note_at": now}
    if change.verdict is not None:
        values |= {"verdict": change.verdict or None, "verdict_at": now}
    if not values:
        return
    row = {"starred": False, "read": False, "note": "", "verdict": None, **values, "changed_at": now}
    statement = dialect_insert(conn)(marks).values(owner=owner(conn.dialect.name), paper_id=paper_id, **row)
    changed = {name: statement.excluded[name] for name in (*values, "changed_at")}
    conn.execute(statement.on_conflict_do_update(index_elements=["owner", "paper_id"], set_=changed))


def move(conn: Connection, old_id: int, new_id: int) -> None:
    """Merge every owner's marks and views of paper ``old_id`` into ``new_id`` (two stored
    records found to be one paper), before ``old_id`` is deleted."""
    ids = {"old_id": old_id, "new_id": new_id}
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pithtui_move_marks(:old_id, :new_id)"), ids)
        return
    for statement in MOVE_MARKS.split("; "):
        conn.execute(text(statement), ids)


def merge_marks(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Merge marks (MARK_NAMES but the owner, for the owner's layer) into the store, field by
    field the newer change winning: a layer imported from another store."""
    names = MARK_NAMES[1:]
    statement = text(
        f"INSERT INTO marks ({', '.join(MARK_NAMES)}) VALUES (:owner, {', '.join(':' + n for n in names)}) "
        f"ON CONFLICT (owner, paper_id) DO UPDATE SET {KEEP_NEWER}"
    )
    me = owner_name(conn)
    processors = {name: marks.c[name].type.bind_processor(conn.dialect) for name in MARK_NAMES}

    def bound(name: str, value: Any) -> Any:
        process = processors[name]
        return value if value is None or process is None else process(value)

    batch = [{name: bound(name, value) for name, value in {"owner": me, **row}.items()} for row in rows]
    if batch:
        conn.execute(statement, batch)
