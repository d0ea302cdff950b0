"""Facet counts that stay instant however many papers cite a hub.

Counting a million citations for each of five facets on every filter change costs seconds.
So the store keeps ``facet_cells``: for each hub, how many citations share one combination of
(roles, polarity, verdict, category, year). A hub of a million citations has a few thousand
cells, and facet counts, "Showing N of M" and the still-indexing count under any filters on
those dimensions are sums over cells, or over ``facet_rollups``: the cells summed over some
dimensions, and split by novelty band (half a point), which answers a minimum novelty on a
whole or half point (and most of any other: :class:`NoveltySplit`). Filters neither can answer
(a minimum novelty together with a role or year filter, text search, "new since", a date range
that does not start and end on whole years) fall back to the same queries over ``citations``
itself. Both paths share one definition of each filter.

Every write keeps the cells in step (store/cells.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    true,
    union_all,
)

from pithtui.models import Filters
from pithtui.store.schema import (
    BANDS_PER_POINT,
    NO_NOVELTY_BAND,
    ROLLUP_LEVELS,
    citations,
    facet_cells,
    facet_rollups,
    role_sets,
)
from pithtui.text import printable, search_terms

ROLE_SEPARATOR = "\x1f"
"""Joins the roles of a citation in ``roles_key``; roles are cleaned of control characters."""

FACETS = ("role", "polarity", "verdict", "category", "year")
NO_YEAR = 0
"""``facet_cells.year`` of undated citations (a key column cannot be NULL)."""


def clean_roles(roles: Iterable[str]) -> tuple[str, ...]:
    """The distinct, printable, non-empty roles, sorted: what a citation's role set is."""
    return tuple(sorted({printable(role).strip() for role in roles} - {""}))


@functools.lru_cache(maxsize=4096)
def roles_key(roles: tuple[str, ...]) -> str:
    """A citation's roles as stored (``citations.roles_key``). Remembered: an import asks for
    each of its citations, and a source uses few combinations of roles."""
    return ROLE_SEPARATOR.join(clean_roles(roles))


def roles_from_key(key: str) -> tuple[str, ...]:
    return tuple(key.split(ROLE_SEPARATOR)) if key else ()


@dataclass(frozen=True)
class Source:
    """A table that can answer facet questions: the citations, the cells that count them, or
    a hub's cells counted on the fly from the citations that pass the other filters (a cube)."""

    table: Any
    hub: Any
    roles_key: Any
    polarity_key: Any
    verdict: Any
    category: Any
    year: Any
    weight: Any
    """The count of citations a row stands for: ``count(*)`` or ``sum(n)``."""
    is_cells: bool
    in_range: Any = None
    """A cube's 1/0 column telling whether its citations are in a date range that is not whole
    years (what the year dimension cannot say); None otherwise."""
    level: Any = None
    """The rollup level a ``facet_rollups`` source reads (its rows of other levels are left out)."""
    novelty: Any = None
    """The novelty band column of a rollup level that keeps it; None otherwise."""

    def dimension(self, name: str) -> Any:
        """The column of a dimension: a facet's, or "novelty" (the band, where the source keeps it)."""
        columns = {"polarity": self.polarity_key, "verdict": self.verdict, "category": self.category, "year": self.year}
        return self.novelty if name == "novelty" else columns[name]


CITATIONS = Source(
    table=citations,
    hub=citations.c.cited_id,
    roles_key=citations.c.roles_key,
    polarity_key=citations.c.polarity_key,
    verdict=citations.c.citing_verdict,
    category=citations.c.citing_category,
    year=citations.c.citing_year,
    weight=func.count(),
    is_cells=False,
)


def _counted(table: Any, hub: Any, **extra: Any) -> Source:
    """A source whose rows are counts (columns named as in ``facet_cells``, the count ``n``)."""
    c = table.c
    return Source(
        table=table,
        hub=hub,
        roles_key=c.roles_key,
        polarity_key=c.polarity_key,
        verdict=c.verdict,
        category=c.category,
        year=c.year,
        weight=func.coalesce(func.sum(c.n), 0),
        is_cells=True,
        **extra,
    )


CELLS = _counted(facet_cells, facet_cells.c.hub_id)


def _rollup(level: int) -> Source:
    r = facet_rollups.c
    return _counted(facet_rollups, r.hub_id, level=level, novelty=r.novelty if "novelty" in ROLLUP_LEVELS[level] else None)


ROLLUPS = {level: _rollup(level) for level in ROLLUP_LEVELS}


def cells_for(dimensions: set[str]) -> Source | None:
    """The smallest stored cells that keep ``dimensions`` (facet names, and "novelty"): a
    rollup unless both the year and the roles are needed, the cells then (None when the
    novelty is needed too: nothing stored keeps all three)."""
    for level, kept in sorted(ROLLUP_LEVELS.items(), key=lambda item: len(item[1])):
        if dimensions <= set(kept):
            return ROLLUPS[level]
    return None if "novelty" in dimensions else CELLS


def dimensions(f: Filters) -> set[str]:
    """The dimensions the filters of ``f`` constrain: facet names, and "novelty"."""
    active = {"role": f.roles, "polarity": f.polarities, "verdict": f.verdicts, "category": f.categories}
    found = {name for name, values in active.items() if values}
    if f.since is not None or f.until is not None:
        found.add("year")
    if f.min_novelty is not None:
        found.add("novelty")
    return found


def novelty_band(novelty: float | None) -> int:
    """The novelty band a score falls in: its half points (``NO_NOVELTY_BAND`` without one)."""
    return NO_NOVELTY_BAND if novelty is None or novelty < 0 else math.floor(novelty * BANDS_PER_POINT)


def novelty_band_sql(column: Any, dialect: str) -> Any:
    """:func:`novelty_band` of a ``citing_novelty`` column in SQL. SQLite's CAST truncates,
    which is the floor of the non-negative scores it is given; PostgreSQL's rounds."""
    scaled = column * BANDS_PER_POINT
    band = cast(scaled, Integer) if dialect == "sqlite" else cast(func.floor(scaled), Integer)
    return case((column < 0, NO_NOVELTY_BAND), else_=band)


def band_edge(minimum: float) -> bool:
    """Whether a minimum novelty falls on the edge of a band (a whole or half point), so that
    the rollups answer it: every band from its own up."""
    scaled = minimum * BANDS_PER_POINT
    return minimum >= 0 and scaled == int(scaled)


def first_band(minimum: float) -> int:
    """The lowest band whose every score is at least ``minimum`` (the band it starts, on an edge)."""
    return math.ceil(minimum * BANDS_PER_POINT)


def band_range(band: int) -> tuple[float, float]:
    """The scores of a novelty band: from (inclusive) and to (exclusive)."""
    return band / BANDS_PER_POINT, (band + 1) / BANDS_PER_POINT


def whole_years(f: Filters) -> bool:
    return (f.since is None or (f.since.month, f.since.day) == (1, 1)) and (
        f.until is None or (f.until.month, f.until.day) == (12, 31)
    )


def cells_answer(f: Filters) -> bool:
    """True when every active filter is one the stored cells know, and some stored cells keep
    every dimension the total and each facet's counts need (so counts come from them)."""
    banded = f.min_novelty is None or band_edge(f.min_novelty)
    if not (banded and f.new_since is None and not search_terms(f.search) and whole_years(f)) or f.of_mine:
        return False
    needed = dimensions(f)
    return all(cells_for(needed | {facet}) is not None for facet in FACETS)


@dataclass(frozen=True)
class NoveltySplit:
    """A minimum novelty ``low`` off a band's edge counted in two parts: the scores from the
    next edge ``high`` up, which the rollups split by novelty band answer (``whole``: the
    filters with that minimum), and the citations scoring from ``low`` up to ``high``, a narrow
    range of the novelty index (``rest``: the filters without a minimum, to apply beside that
    range), rather than reading every citation from ``low`` up. A minimum on a half point,
    such as 6.5, needs no split: the bands are half points."""

    whole: Filters
    rest: Filters
    low: float
    high: float


def novelty_split(f: Filters) -> NoveltySplit | None:
    """How ``f`` is counted in two parts (see :class:`NoveltySplit`); None unless its minimum
    novelty is off a band's edge and the rollups answer the rest of its filters."""
    low = f.min_novelty
    if low is None or low < 0 or band_edge(low):
        return None
    high = band_range(first_band(low))[0]
    whole = replace(f, min_novelty=high)
    return NoveltySplit(whole, replace(f, min_novelty=None), low, high) if cells_answer(whole) else None


def indexed(query: Any, index: str | None) -> Any:
    """``query`` reading ``citations`` through ``index`` on SQLite (unchanged when None)."""
    return query if index is None else query.with_hint(citations, f"INDEXED BY {index}", "sqlite")


def cube(hub_id: int, f: Filters, passing: Sequence[ColumnElement[bool]], index: str | None = None) -> Source:
    """The hub's cells counted now from its citations that pass ``passing`` (the filters the
    stored cells cannot answer): one scan of the citations, after which every facet and the
    total are sums over the cube exactly as over the stored cells. A date range that is not
    whole years becomes a 1/0 column of the cube, so that the year facet can leave it out."""
    c = citations.c
    year = func.coalesce(c.citing_year, NO_YEAR)
    # Grouped by the columns themselves, in the cells' order (an undated citation's NULL year
    # is a group of its own, named NO_YEAR like the cells'), so that read through an index in
    # that order the groups are made as it is walked, with no sorting.
    dims: list[ColumnElement[Any]] = [c.polarity_key, c.citing_verdict, c.citing_category, c.citing_year, c.roles_key]
    columns = [
        c.polarity_key.label("polarity_key"),
        c.citing_verdict.label("verdict"),
        c.citing_category.label("category"),
        year.label("year"),
        c.roles_key.label("roles_key"),
    ]
    dated = not whole_years(f)
    if dated:
        flag = case((and_(true(), *_date_conditions(CITATIONS, f.since, f.until)), 1), else_=0)
        dims.append(flag)
        columns.append(flag.label("in_range"))
    counted = indexed(select(*columns, func.count().label("n")).where(c.cited_id == hub_id, *passing).group_by(*dims), index).cte(
        "cube"
    )
    return _counted(counted, None, in_range=counted.c.in_range if dated else None)


def conditions(source: Source, hub_id: int, f: Filters, skip: str | None = None) -> list[ColumnElement[bool]]:
    """The WHERE clauses of ``f`` on ``source`` that both tables understand; ``skip`` leaves out
    one facet's own filter (each facet's counts apply every other filter)."""
    conds: list[ColumnElement[bool]] = [source.hub == hub_id] if source.hub is not None else []
    if source.level is not None:
        conds.append(source.table.c.level == source.level)
    if f.roles and skip != "role":
        with_role = select(role_sets.c.roles_key).where(role_sets.c.role.in_(sorted(f.roles)))
        conds.append(source.roles_key.in_(with_role))
    if f.polarities and skip != "polarity":
        conds.append(source.polarity_key.in_(sorted(p or "" for p in f.polarities)))
    if f.verdicts and skip != "verdict":
        conds.append(source.verdict.in_(sorted(f.verdicts)))
    if f.categories and skip != "category":
        conds.append(source.category.in_(sorted(v or "" for v in f.categories)))
    if source.novelty is not None and f.min_novelty is not None:
        conds.append(source.novelty >= first_band(f.min_novelty))
    if skip != "year":
        if source.in_range is not None:
            conds.append(source.in_range == 1)
        else:
            conds.extend(_date_conditions(source, f.since, f.until))
    return conds


def _date_conditions(source: Source, since: dt.date | None, until: dt.date | None) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if source.is_cells:
        if since is not None:
            conds.append(source.year >= since.year)
        if until is not None:
            conds.append(and_(source.year != NO_YEAR, source.year <= until.year))
        return conds
    if since is not None:
        conds.append(citations.c.citing_date >= since.isoformat())
    if until is not None:
        conds.append(and_(citations.c.citing_date != "", citations.c.citing_date <= until.isoformat()))
    return conds


def facet_query(source: Source, facet: str, conds: Sequence[ColumnElement[bool]]) -> Any:
    """(facet, value, count) rows of one facet under ``conds`` (already without the facet's own
    filter); values as text, so that the facets of one hub come back in one UNION ALL."""
    name = literal(facet, String).label("facet")
    if facet == "role":
        # Count per role set first (a handful of groups), then spread each over its roles.
        per_set = (
            select(source.roles_key.label("roles_key"), source.weight.label("n"))
            .select_from(source.table)
            .where(*conds)
            .group_by(source.roles_key)
            .subquery()
        )
        joined = per_set.join(role_sets, role_sets.c.roles_key == per_set.c.roles_key)
        return (
            select(name, cast(role_sets.c.role, String).label("value"), func.sum(per_set.c.n).label("n"))
            .select_from(joined)
            .group_by(role_sets.c.role)
        )
    column = source.dimension(facet)
    return (
        select(name, cast(column, String).label("value"), source.weight.label("n"))
        .select_from(source.table)
        .where(*conds)
        .group_by(column)
    )


def facets_query(sources: Callable[[str], Source], hub_id: int, f: Filters) -> Any:
    """Every facet's (facet, value, count) rows in one statement: each facet from the source
    ``sources(facet)`` names, under every filter of ``f`` but its own."""
    parts = [facet_query(sources(facet), facet, conditions(sources(facet), hub_id, f, facet)) for facet in FACETS]
    return union_all(*parts)


def total_query(source: Source, conds: Sequence[ColumnElement[bool]]) -> Any:
    return select(source.weight).select_from(source.table).where(*conds)


def cells_counted(hub_id: int, f: Filters) -> tuple[Source, list[ColumnElement[bool]]]:
    """The stored cells that count a hub's citations under ``f`` (filters the cells answer:
    :func:`cells_answer`), with the conditions that pick them."""
    cells = cells_for(dimensions(f))
    assert cells is not None  # cells_answer(f): stored cells keep what each facet needs
    return cells, conditions(cells, hub_id, f)


def cells_total(conn: Connection, hub_id: int, f: Filters) -> int:
    """How many of a hub's citations pass ``f`` (filters the cells answer), summed over cells."""
    return int(conn.execute(total_query(*cells_counted(hub_id, f))).scalar_one())
