"""Papers as rows of the schema, and back: what reading and writing a store both need.

The repository's questions read papers out of ``papers`` rows, and an import reads the stored
papers it merges into the same way (store/upsert.py), so both take a paper's columns and decode
them here: by position and from the backend's own values, which costs less than SQLAlchemy's
per-row and per-value work on the pages the UI reads and on the tens of thousands of papers an
import looks up.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import String, Text, type_coerce

from pithtui.models import PAPER_FIELDS, Paper
from pithtui.store.schema import papers


def as_stored(column: Any, kind: Any = Text) -> Any:
    """``column`` read as the backend returns it, decoded by :func:`as_tuple` / :func:`_day` /
    :func:`~pithtui.store.paging.moment` instead of SQLAlchemy's per-value processors: on
    SQLite, JSON lists and dates are text, and a page of a hundred rows decoded value by value
    through regular expressions costs more than the query."""
    return type_coerce(column, kind).label(column.name)


_json_list = json.JSONDecoder().raw_decode
"""The value of stored JSON text: it is what the store itself wrote (``json.dumps``), so there is
no whitespace around it to skip, and ``raw_decode`` costs a third of ``json.loads`` (two or
three values a row, on every page)."""


def as_tuple(value: Any) -> tuple[Any, ...]:
    """A JSON list column's value (text on SQLite, already a list on PostgreSQL) as a tuple."""
    if not value:
        return ()
    if isinstance(value, str):
        if value == "[]":
            return ()
        try:
            return tuple(_json_list(value)[0])
        except ValueError:  # text some other writer left with whitespace first: the slow way
            return tuple(json.loads(value))
    return tuple(value)


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


_DECODED = {"authors": (Text, as_tuple), "date": (String, _day), "categories": (Text, as_tuple)}
"""The paper columns read as stored text (see :func:`as_stored`), and how each is decoded."""
PAPER_COLUMNS = tuple(
    as_stored(papers.c[name], _DECODED[name][0]) if name in _DECODED else papers.c[name] for name in PAPER_FIELDS
)
"""A paper's columns in the order of Paper's fields (the first columns of every paper query)."""
_DECODERS = tuple((PAPER_FIELDS.index(name), decode) for name, (_, decode) in _DECODED.items())


def paper_from(row: Any) -> Paper:
    """The Paper of a row that starts with PAPER_COLUMNS, taken by position: by name, the
    eighteen look-ups cost more than the paper (re-importing 50,000 papers reads each)."""
    values = list(row[: len(PAPER_FIELDS)])
    for index, decode in _DECODERS:
        values[index] = decode(values[index])
    return Paper(*values)
