"""Keeping the facet cells in step with the citations they count (see store/facets.py).

Every write gathers count deltas (:class:`CellDeltas`) for the citations it adds, moves
between cells or relabels, and applies them at its end; a hub's cells are rebuilt from its
citations where a write is too tangled for deltas (papers found to be one and merged).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, Integer, String, delete, func, insert, literal, select

from pithtui.store.bulk import dialect_insert
from pithtui.store.facets import NO_YEAR, novelty_band, novelty_band_sql, roles_from_key
from pithtui.store.schema import (
    ROLLED_NOVELTY,
    ROLLED_ROLES,
    ROLLED_YEAR,
    ROLLUP_LEVELS,
    citations,
    facet_cells,
    facet_rollups,
    role_sets,
)

CellKey = tuple[int, str, str, str, int, str, int]
"""(hub id, polarity key, verdict, category, year, roles key, novelty band): the cell a
citation counts in, with the novelty band the rollups split it by."""


def cell_key(hub_id: int, values: dict[str, Any] | Any) -> CellKey:
    """The cell a citation row (a dict of citations columns, or a Row) counts in."""
    get: Callable[[str], Any] = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    return (
        hub_id,
        get("polarity_key") or "",
        get("citing_verdict"),
        get("citing_category") or "",
        get("citing_year") or NO_YEAR,
        get("roles_key") or "",
        novelty_band(get("citing_novelty")),
    )


CELL_COLUMNS = (
    citations.c.cited_id,
    citations.c.polarity_key,
    citations.c.citing_verdict,
    citations.c.citing_category,
    citations.c.citing_year,
    citations.c.roles_key,
    citations.c.citing_novelty,
)
"""What a citation's cell is made of: select these to move it between cells."""


class CellDeltas:
    """Changes to cell counts gathered during one write, applied at its end."""

    def __init__(self) -> None:
        self.counts: Counter[CellKey] = Counter()
        self.rebuild: set[int] = set()

    def add(self, key: CellKey, by: int = 1) -> None:
        self.counts[key] += by

    def move(self, old: CellKey, new: CellKey) -> None:
        if old != new:
            self.counts[old] -= 1
            self.counts[new] += 1

    def apply(self, conn: Connection) -> None:
        """Add the deltas to the cells and their rollups (creating rows as needed), drop emptied
        rows, then rebuild the hubs marked for it."""
        counts = {k: n for k, n in self.counts.items() if n and k[0] not in self.rebuild}
        _ensure_role_sets(conn, {k[5] for k in self.counts})
        if counts:
            cells: Counter[tuple[Any, ...]] = Counter()
            rolled: Counter[tuple[Any, ...]] = Counter()
            for (hub, polarity, verdict, category, year, roles, band), n in counts.items():
                cells[(hub, polarity, verdict, category, year, roles)] += n
                for level, kept in ROLLUP_LEVELS.items():
                    rolled[
                        (
                            hub, level, polarity, verdict, category,
                            year if "year" in kept else ROLLED_YEAR,
                            roles if "role" in kept else ROLLED_ROLES,
                            band if "novelty" in kept else ROLLED_NOVELTY,
                        )
                    ] += n  # fmt: skip
            _add(conn, facet_cells, [dict(zip(CELL_NAMES, key), n=n) for key, n in cells.items() if n])
            _add(conn, facet_rollups, [dict(zip(ROLLUP_NAMES, key), n=n) for key, n in rolled.items() if n])
        if self.rebuild:
            rebuild_cells(conn, self.rebuild)


CELL_NAMES = ("hub_id", "polarity_key", "verdict", "category", "year", "roles_key")
ROLLUP_NAMES = ("hub_id", "level", "polarity_key", "verdict", "category", "year", "roles_key", "novelty")


def _add(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Add each row's ``n`` to the row of ``table`` with its key (created at 0 if missing),
    then drop the rows of those hubs that came to 0."""
    if not rows:
        return
    statement = dialect_insert(conn)(table)
    statement = statement.on_conflict_do_update(
        index_elements=[col.name for col in table.primary_key.columns],
        set_={"n": table.c.n + statement.excluded.n},
    )
    conn.execute(statement, rows)
    hubs = sorted({row["hub_id"] for row in rows})
    conn.execute(delete(table).where(table.c.hub_id.in_(hubs), table.c.n <= 0))


def rebuild_cells(conn: Connection, hub_ids: Iterable[int]) -> None:
    """Recount the cells of these hubs from their citations, and their rollups: from the cells,
    or from the citations for the levels split by novelty band (which the cells do not keep)."""
    hubs = sorted(set(hub_ids))
    if not hubs:
        return
    c = citations.c
    year = func.coalesce(c.citing_year, NO_YEAR)
    band = novelty_band_sql(c.citing_novelty, conn.dialect.name)
    counted = (
        select(c.cited_id, c.polarity_key, c.citing_verdict, c.citing_category, year, c.roles_key, func.count())
        .where(c.cited_id.in_(hubs))
        .group_by(c.cited_id, c.polarity_key, c.citing_verdict, c.citing_category, year, c.roles_key)
    )
    conn.execute(delete(facet_cells).where(facet_cells.c.hub_id.in_(hubs)))
    conn.execute(insert(facet_cells).from_select([*CELL_NAMES, "n"], counted))
    conn.execute(delete(facet_rollups).where(facet_rollups.c.hub_id.in_(hubs)))
    f = facet_cells.c
    # (hub, polarity, verdict, category, year, roles, novelty band, count) of each source.
    from_cells = (f.hub_id, f.polarity_key, f.verdict, f.category, f.year, f.roles_key, None, func.sum(f.n))
    from_citations = (c.cited_id, c.polarity_key, c.citing_verdict, c.citing_category, year, c.roles_key, band, func.count())
    for level, kept in ROLLUP_LEVELS.items():
        hub, polarity, verdict, category, year_of, roles, band_of, n = from_citations if "novelty" in kept else from_cells
        # (column, kept, its rolled-up value): the column is None only where it is not kept
        # (the cells have no novelty band; the levels that keep it read the citations).
        split: list[tuple[Any, bool, ColumnElement[Any]]] = [
            (year_of, "year" in kept, literal(ROLLED_YEAR, Integer)),
            (roles, "role" in kept, literal(ROLLED_ROLES, String)),
            (band_of, "novelty" in kept, literal(ROLLED_NOVELTY, Integer)),
        ]
        rolled = (
            select(
                hub,
                literal(level, Integer),
                polarity,
                verdict,
                category,
                *(col if keep else rolled for col, keep, rolled in split),
                n,
            )
            .where(hub.in_(hubs))
            .group_by(hub, polarity, verdict, category, *(col for col, keep, _ in split if keep))
        )
        conn.execute(insert(facet_rollups).from_select([*ROLLUP_NAMES, "n"], rolled))
    keys = conn.execute(select(c.roles_key).where(c.cited_id.in_(hubs)).distinct()).scalars()
    _ensure_role_sets(conn, set(keys))


def _ensure_role_sets(conn: Connection, keys: set[str]) -> None:
    """Record which roles each role set holds, for the role sets not yet known."""
    keys.discard("")
    if not keys:
        return
    known = set(conn.execute(select(role_sets.c.roles_key).where(role_sets.c.roles_key.in_(sorted(keys)))).scalars())
    rows = [{"roles_key": key, "role": role} for key in sorted(keys - known) for role in roles_from_key(key)]
    if rows:
        conn.execute(insert(role_sets), rows)
