"""Many new rows into one table at the speed of the database driver.

An import inserts tens of thousands of papers and citations. Through ``conn.execute(insert(t),
rows)`` SQLAlchemy builds a parameter dict per row and runs each value through its type's
processor one by one, which at 50,000 citations costs more than the database's own work. Here
the INSERT is compiled once per backend, each column's processor is applied down the column
(a value repeated down it, such as the import's timestamp, is converted once), and the rows go
to the driver's own executemany as they are, in the form its parameter style asks for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Connection, Table, insert
from sqlalchemy.engine import Dialect


@dataclass(frozen=True)
class RowInsert:
    """An INSERT of the columns ``names`` of a table, compiled for one backend."""

    sql: str
    names: tuple[str, ...]
    positional: bool
    processors: tuple[tuple[int, Callable[[Any], Any], bool], ...]
    """(position in a row, the column type's bind processor, whether the column's values can
    be converted once per distinct value) for each column that has a processor."""

    @classmethod
    def compile(cls, dialect: Dialect, table: Table, names: Sequence[str]) -> RowInsert:
        """Rows give the columns in the order of ``names``."""
        compiled = insert(table).compile(dialect=dialect, column_keys=list(names))
        if compiled.positional and tuple(compiled.positiontup or ()) != tuple(names):
            # The VALUES list follows the table's column order: ask for the columns in it.
            raise ValueError(f"{table.name}: give the columns in the table's order, not {names}")
        processors = []
        for index, name in enumerate(names):
            kind = table.c[name].type
            processor = kind.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors.append((index, processor, not isinstance(kind, JSON)))
        return cls(compiled.string, tuple(names), bool(compiled.positional), tuple(processors))

    def run(self, conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
        """Insert ``rows`` (tuples of Python values in the order of ``names``) in one executemany."""
        if not rows:
            return
        if self.processors:
            columns = list(zip(*rows))
            for index, processor, hashable in self.processors:
                values = columns[index]
                if hashable:
                    converted = {value: processor(value) for value in set(values)}
                    columns[index] = tuple(map(converted.__getitem__, values))
                else:
                    columns[index] = tuple(map(processor, values))
            rows = list(zip(*columns))
        if self.positional:
            conn.exec_driver_sql(self.sql, rows)
        else:
            conn.exec_driver_sql(self.sql, [dict(zip(self.names, row)) for row in rows])
