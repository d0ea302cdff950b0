"""Labelling stored citations with the classifier, batch by batch (``pithtui classify``).

Each batch is one write transaction: the citations it takes are read in id order from where the
last batch ended, labelled, written with their effective values, and the facet cells they move
between are brought along, so that an interrupted run keeps every batch it finished and the
store agrees with itself after each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, String, and_, bindparam, cast, func, or_, select, update

from pithtui.store.cells import CELL_COLUMNS, CellDeltas, cell_key
from pithtui.store.labels import labelled
from pithtui.store.rows import as_stored, as_tuple
from pithtui.store.schema import citations
from pithtui.store.upsert import IMPORT_CACHE_KIB, page_cache

if TYPE_CHECKING:  # the scoring code is loaded only where it runs
    from pithtui.classifier import Classifier


@dataclass(frozen=True)
class Batch:
    """What one batch did: the last citation id it took, how many it took and labelled (those
    with a context to go on), and how many changed their effective label."""

    last_id: int
    taken: int
    labelled: int
    changed: int


def contexts_text(conn: Connection) -> ColumnElement[Any]:
    """``citations.contexts`` as its JSON text, to compare with ``"[]"`` (no context) on every
    backend (PostgreSQL compares no JSON value with text)."""
    return citations.c.contexts if conn.dialect.name == "sqlite" else cast(citations.c.contexts, String)


def pending(conn: Connection, model_id: str, hub_id: int | None, force: bool) -> list[ColumnElement[bool]]:
    """The conditions on the citations a run labels: those with a context, of one hub or all,
    that this model has not labelled yet (every one with ``force``)."""
    c = citations.c
    conds = [contexts_text(conn) != "[]"]
    if hub_id is not None:
        conds.append(c.cited_id == hub_id)
    if not force:
        conds.append(or_(c.label_model.is_(None), c.label_model != model_id))
    return conds


def count_pending(conn: Connection, conds: list[ColumnElement[bool]]) -> int:
    return int(conn.execute(select(func.count()).select_from(citations).where(*conds)).scalar_one())


def without_context(conn: Connection, hub_id: int) -> int:
    """How many citations of the hub have no polarity and nothing to label it from: no citing
    sentence, or none the model that looked at them could read (only a marker, say)."""
    c = citations.c
    unreadable = and_(c.label_model.is_not(None), c.model_polarity.is_(None))
    query = select(func.count()).where(c.cited_id == hub_id, c.polarity_key == "", or_(contexts_text(conn) == "[]", unreadable))
    return int(conn.execute(query).scalar_one())


def label_batch(conn: Connection, classifier: Classifier, conds: list[ColumnElement[bool]], after_id: int, size: int) -> Batch:
    """Label the next ``size`` citations meeting ``conds`` after id ``after_id``, in ``conn``'s
    transaction, with the page cache of an import (each citation's new label moves its entries
    in every covering index of ``citations``)."""
    with page_cache(conn, IMPORT_CACHE_KIB):
        return _label_batch(conn, classifier, conds, after_id, size)


def _label_batch(conn: Connection, classifier: Classifier, conds: list[ColumnElement[bool]], after_id: int, size: int) -> Batch:
    c = citations.c
    rows = conn.execute(
        select(c.id, as_stored(c.contexts), c.source_roles_key, c.polarity, c.contrast, *CELL_COLUMNS)
        .where(*conds, c.id > after_id)
        .order_by(c.id)
        .limit(size)
    ).all()
    if not rows:
        return Batch(after_id, 0, 0, 0)
    deltas = CellDeltas()
    updates: list[dict[str, Any]] = []
    labelled_here = changed = 0
    for row in rows:
        values, found = labelled(classifier, as_tuple(row.contexts), row.source_roles_key, row.polarity)
        labelled_here += found
        now = {**row._mapping, **values}
        if (row.roles_key, row.polarity_key, row.contrast) != (values["roles_key"], values["polarity_key"], values["contrast"]):
            changed += 1
            deltas.move(cell_key(row.cited_id, row._mapping), cell_key(row.cited_id, now))
        updates.append({**values, "_id": row.id})
    conn.execute(update(citations).where(c.id == bindparam("_id")), updates)
    deltas.apply(conn)
    return Batch(rows[-1].id, len(rows), labelled_here, changed)
