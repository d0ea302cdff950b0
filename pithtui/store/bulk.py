"""Many new rows into one table at the speed of the database driver.

An import inserts tens of thousands of papers and citations. Through ``conn.execute(insert(t),
rows)`` SQLAlchemy builds a parameter dict per row and runs each value through its type's
processor one by one, which at 50,000 citations costs more than the database's own work. Here
the INSERT is compiled once per backend, each column's processor is applied down the column
(a value repeated down it, such as the import's timestamp or an empty list, is converted once),
and the rows go to the driver's own executemany as they are, in the form its parameter style
asks for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.engine import Dialect


@dataclass(frozen=True)
class RowInsert:
    """An INSERT of the columns ``names`` of a table, compiled for one backend."""

    sql: str
    names: tuple[str, ...]
    positional: bool
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    """(position in a row, the column type's bind processor) for each column that has one."""

    @classmethod
    def compile(cls, dialect: Dialect, table: Table, names: Sequence[str]) -> RowInsert:
        """Rows give the columns in the order of ``names``: the table's order, and every column
        that has a default (SQLAlchemy would fill those in, the driver does not)."""
        compiled = insert(table).compile(dialect=dialect, column_keys=list(names))
        taken = tuple(compiled.bind_names.values())
        if taken != tuple(names):
            raise ValueError(f"{table.name}: the INSERT takes {taken}, not {tuple(names)}")
        processors = []
        for index, name in enumerate(names):
            processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors.append((index, processor))
        return cls(compiled.string, tuple(names), bool(compiled.positional), tuple(processors))

    def run(self, conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
        """Insert ``rows`` (tuples of Python values in the order of ``names``) in one executemany."""
        if not rows:
            return
        if self.processors:
            columns = list(zip(*rows))
            for index, processor in self.processors:
                values = columns[index]
                try:
                    converted = {value: processor(value) for value in set(values)}
                except TypeError:  # unhashable values (lists given for a JSON column)
                    columns[index] = tuple(map(processor, values))
                else:
                    columns[index] = tuple(map(converted.__getitem__, values))
            rows = list(zip(*columns))
        if self.positional:
            conn.exec_driver_sql(self.sql, rows)
        else:
            conn.exec_driver_sql(self.sql, [dict(zip(self.names, row)) for row in rows])


def dialect_insert(conn: Connection) -> Callable[[Any], Any]:
    """The backend's own ``insert`` (with ON CONFLICT), imported on first use: importing the
    PostgreSQL dialect costs tens of milliseconds that a SQLite store's start need not pay."""
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert

    return postgresql_insert
