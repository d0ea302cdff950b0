"""Counting a hub's citing papers under filters: "Showing N of M" and every facet's counts.

Counts come from the facet cells when they can answer the filters (store/facets.py), else from
a cube of cells counted in one scan of the citations that pass them; the planner names the
index that scan reads through. A search's own condition is built here too, for counts and pages
alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection

from pithtui.models import Facets, FacetValue, Filters
from pithtui.store import mine
from pithtui.store.facets import (
    CITATIONS,
    FACETS,
    Source,
    cells_answer,
    cells_for,
    cells_total,
    conditions,
    cube,
    dimensions,
    facets_query,
    indexed,
    novelty_split,
    total_query,
)
from pithtui.store.planner import Planner, novelty_index
from pithtui.store.schema import citations
from pithtui.store.search import matcher, matching_ids, with_texts
from pithtui.text import search_terms


def searched(conn: Connection, plan: Planner, hub_id: int, search: str) -> list[ColumnElement[bool]]:
    """The WHERE clause on ``citations`` of a search (none when it has no words): the papers
    the full-text index lists, or, for a small hub and a common word, those of the hub's
    that match, tested in Python (see planner.SMALL_HUB)."""
    if not search_terms(search):
        return []
    c = citations.c
    if plan.tested_here(conn, hub_id, search):
        matches = matcher(search)
        texts = with_texts(c.citing_id).where(c.cited_id == hub_id)
        return [c.citing_id.in_([row.citing_id for row in conn.execute(texts) if matches(row.title, row.summary)])]
    return [c.citing_id.in_(matching_ids(conn.dialect.name, search))]


def passing(conn: Connection, plan: Planner, hub_id: int, f: Filters) -> list[ColumnElement[bool]]:
    """WHERE clauses on ``citations`` for the filters the facet cells cannot answer (minimum
    novelty, new since, search)."""
    c = citations.c
    conds = []
    if f.min_novelty is not None:
        conds.append(c.citing_novelty >= f.min_novelty)
    if f.new_since is not None:
        conds.append(c.first_seen > f.new_since)
    return conds + mine.conditions(conn.dialect.name, f) + searched(conn, plan, hub_id, f.search)


def citation_conditions(
    conn: Connection, plan: Planner, hub_id: int, f: Filters, skip: str | None = None
) -> list[ColumnElement[bool]]:
    """WHERE clauses on ``citations`` for ``f``; ``skip`` names a facet whose own filter is left
    out (each facet's counts apply every other filter)."""
    return conditions(CITATIONS, hub_id, f, skip) + passing(conn, plan, hub_id, f)


def scored_between(low: float, high: float) -> list[ColumnElement[bool]]:
    """The citations whose citing paper's novelty score is from ``low`` up to ``high``."""
    c = citations.c
    return [c.citing_novelty >= low, c.citing_novelty < high]


def _unread_apart(f: Filters) -> tuple[Filters, Filters] | None:
    """Under "unread", the filters without it and those with "read" instead: the unread are
    the difference, counted over the reader's marks (few) rather than the hub (many)."""
    if "unread" not in f.mine:
        return None
    every = replace(f, mine=f.mine - {"unread"})
    return every, replace(every, mine=every.mine | {"read"})


def total(conn: Connection, plan: Planner, hub_id: int, f: Filters) -> int:
    """How many of the hub's citing papers pass ``f``."""
    apart = _unread_apart(f)
    if apart is not None:
        return total(conn, plan, hub_id, apart[0]) - total(conn, plan, hub_id, apart[1])
    split = novelty_split(f)
    if split is not None:
        between = total_query(
            CITATIONS, citation_conditions(conn, plan, hub_id, split.rest) + scored_between(split.low, split.high)
        )
        in_between = int(conn.execute(indexed(between, novelty_index(conn))).scalar_one())
        return total(conn, plan, hub_id, split.whole) + in_between
    if cells_answer(f):
        return cells_total(conn, hub_id, f)
    query = total_query(CITATIONS, citation_conditions(conn, plan, hub_id, f))
    return int(conn.execute(indexed(query, plan.counting_index(conn, hub_id, f))).scalar_one())


def stored_cells(f: Filters) -> Callable[[str], Source | None]:
    """Which stored cells answer each facet's counts under ``f`` (filters they answer)."""
    needed = dimensions(f)
    return lambda facet: cells_for(needed | {facet})


def facets(conn: Connection, plan: Planner, hub_id: int, filters: Filters) -> Facets:
    """Counts of each role, polarity, verdict, category and year under the other filters,
    in one statement: sums over the hub's facet cells, or, under filters the cells cannot
    answer, over a cube of cells counted in one scan of the citations that pass them. A
    fractional minimum novelty takes two, added up (see ``facets.NoveltySplit``).

    Values the user has selected stay listed (with 0) even when nothing carries them now.
    """
    counted = _counted(conn, plan, hub_id, filters)
    mine_counts = _mine_counted(conn, plan, hub_id, filters, counted)

    def values(found: dict[Any, int], selected: Iterable[Any] = (), *, by_value: bool = False) -> tuple[FacetValue, ...]:
        counts = dict(found)
        for chosen in selected:
            counts.setdefault(chosen, 0)
        if by_value:
            ordered = sorted(counts.items(), key=lambda kv: (kv[0] is None, -(kv[0] or 0)))
        else:
            ordered = sorted(counts.items(), key=lambda kv: (kv[0] is None, -kv[1], str(kv[0])))
        return tuple(FacetValue(v, n) for v, n in ordered)

    return Facets(
        role=values(counted["role"], filters.roles),
        polarity=values(counted["polarity"], filters.polarities),
        verdict=values(counted["verdict"], filters.verdicts),
        category=values(counted["category"], filters.categories),
        year=values(counted["year"], by_value=True),
        mine=tuple(FacetValue(flag, mine_counts["mine"][flag]) for flag in ("starred", "unread", "noted")),
        my_verdict=values(mine_counts["my_verdict"], filters.my_verdicts),
    )


def _mine_counted(
    conn: Connection, plan: Planner, hub_id: int, f: Filters, counted: dict[str, dict[Any, int]]
) -> dict[str, dict[Any, int]]:
    """The "yours" facets: how many citing papers the reader starred, left unread and noted
    under every other filter but those flags, and how many carry each of their verdicts under
    every other filter but the verdicts. Counted over the reader's marks; the unread are the
    papers passing the other filters less those read. Without a filter on the flags, the papers
    passing the filters are the verdict facet's ``counted`` (every paper has one verdict)."""
    flags_apart = replace(f, mine=frozenset())
    marked = mine.has_marks(conn)
    flags = (
        mine.flag_counts(conn, hub_id, citation_conditions(conn, plan, hub_id, flags_apart))
        if marked
        else dict.fromkeys(("starred", "read", "noted"), 0)
    )
    if f.mine:
        passing = total(conn, plan, hub_id, flags_apart)
    else:
        passing = sum(n for verdict, n in counted["verdict"].items() if not f.verdicts or verdict in f.verdicts)
    flags["unread"] = passing - flags["read"]
    verdicts_apart = replace(f, my_verdicts=frozenset())
    verdicts = mine.verdict_counts(conn, hub_id, citation_conditions(conn, plan, hub_id, verdicts_apart)) if marked else {}
    return {"mine": dict(flags), "my_verdict": dict(verdicts)}


def _counted(conn: Connection, plan: Planner, hub_id: int, filters: Filters) -> dict[str, dict[Any, int]]:
    """Each regular facet's counts (value → citing papers) under ``filters``."""
    apart = _unread_apart(filters)
    if apart is not None:
        every, read = (_counted(conn, plan, hub_id, part) for part in apart)
        return {facet: {v: n - read[facet].get(v, 0) for v, n in every[facet].items()} for facet in FACETS}
    counted: dict[str, dict[Any, int]] = {facet: {} for facet in FACETS}
    split = novelty_split(filters)
    parts: list[tuple[Callable[[str], Source | None], Filters]]
    if cells_answer(filters):
        parts = [(stored_cells(filters), filters)]
    elif split is not None:  # the cells from the next whole score up, and the scores below it
        below = cube(hub_id, split.rest, scored_between(split.low, split.high), novelty_index(conn))
        parts = [(stored_cells(split.whole), split.whole), (lambda _facet: below, split.rest)]
    else:
        index = plan.counting_index(conn, hub_id, filters, grouped=True)
        counted_now = cube(hub_id, filters, passing(conn, plan, hub_id, filters), index)
        parts = [(lambda _facet: counted_now, filters)]
    for sources, part in parts:
        # Each facet's cells are stored (cells_answer, or the cube): none is None here.
        every_facet = cast(Callable[[str], Source], sources)
        for facet, value, n in conn.execute(facets_query(every_facet, hub_id, part)):
            if facet == "year":
                value = int(value) if value is not None else None
            value = value or None
            counted[facet][value] = counted[facet].get(value, 0) + int(n)
    return counted
