"""Pages of a hub's citing papers: keyset windows in a sort order, jumps, and rows as papers.

Every page is a window of (sort column, citing paper id) order read by keyset position, so a
page costs the rows it skips, not the hub. A jump far into a listing starts from the facet
cells' count of each group before it (:func:`jump_start`); a page under a search may be found
by walking the sort order (store/search.py) when the planner allows it.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, String, and_, select, tuple_

from pithtui.models import CitingPaper, Cursor, Filters, Page, SortKey
from pithtui.store import counting, mine
from pithtui.store.facets import NO_YEAR, band_range, cells_answer, conditions, indexed, roles_from_key
from pithtui.store.labels import context_labels, labeller
from pithtui.store.mine import MINE_COLUMNS, mine_of
from pithtui.store.planner import SORT_COLUMNS, SORT_INDEXES, Planner
from pithtui.store.rows import PAPER_COLUMNS, as_stored, as_tuple, paper_from
from pithtui.store.schema import NO_NOVELTY_BAND, citations, papers
from pithtui.store.search import walk, with_texts

JUMP_GROUPS = {
    SortKey.DATE: "year",
    SortKey.NOVELTY: "novelty",
    SortKey.CATEGORY: "category",
    SortKey.VERDICT: "verdict",
    SortKey.POLARITY: "polarity",
}
"""The dimension of the facet cells whose groups follow each sort order, for jumps (see
:func:`jump_start`); the title and contrast orders have none."""

HOW_CITED = (
    citations.c.roles_key,
    citations.c.polarity_key,
    citations.c.influential,
    citations.c.representative,
    as_stored(citations.c.contexts),
    citations.c.source,
    as_stored(citations.c.first_seen, String),
    citations.c.source_roles_key,
    citations.c.polarity,
    citations.c.label_model,
    as_stored(citations.c.model_roles),
    citations.c.model_score,
    as_stored(citations.c.model_contexts),
)
"""The citation columns of a citing paper's row, after its paper's (:func:`rows_query`)."""
_how_cited = operator.itemgetter(*range(len(PAPER_COLUMNS), len(PAPER_COLUMNS) + len(HOW_CITED)))
"""A row's HOW_CITED values, taken by position."""
_MINE_AT = len(PAPER_COLUMNS) + len(HOW_CITED)
"""Where a row's MINE_COLUMNS start."""


def moment(value: Any) -> dt.datetime | None:
    """A stored timestamp as the backend returns it (ISO text on SQLite) as a datetime."""
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def citing_paper_of(row: Any) -> CitingPaper:
    """The CitingPaper of a row of :func:`rows_query`, its citation's columns taken by position
    (by name, the look-ups would cost a third of building it)."""
    (
        roles, polarity, influential, representative, contexts, source, first_seen,
        source_roles, source_polarity, model_id, model_roles, model_score, model_contexts,
    ) = _how_cited(row)  # fmt: skip
    if source_roles or not model_roles:
        roles_of, roles_by = roles_from_key(roles), labeller(source, model_id, by_source=bool(source_roles))
    else:  # the model's, most likely first
        roles_of, roles_by = tuple(role for role, _ in as_tuple(model_roles)), labeller(source, model_id, by_source=False)
    by_source = bool(source_polarity)
    return CitingPaper(
        paper_from(row),
        roles_of,
        polarity or None,
        bool(influential),
        bool(representative),
        as_tuple(contexts),
        source,
        moment(first_seen),
        roles_by if roles_of else None,
        labeller(source, model_id, by_source=by_source) if polarity else None,
        None if by_source else model_score,
        context_labels(as_tuple(model_contexts)),
        model_id,
        mine_of(row[_MINE_AT : _MINE_AT + len(MINE_COLUMNS)]),
    )


def citing_papers(rows: Sequence[Any]) -> list[CitingPaper]:
    return [citing_paper_of(row) for row in rows]


@functools.cache
def rows_query(dialect: str) -> Any:
    """The citing papers' rows with the reader's marks of each, to be narrowed by the caller:
    built once a backend (its thirty-odd columns cost a tenth of a page to build)."""
    c = citations.c
    return select(
        *PAPER_COLUMNS,
        *HOW_CITED,
        *MINE_COLUMNS,
        c.id.label("citation_id"),
        *(col.label(f"sort_{key.value}") for key, col in SORT_COLUMNS.items()),
    ).select_from(mine.joined(citations.join(papers, papers.c.id == c.citing_id), dialect))


def ordered(column: Any, descending: bool) -> tuple[Any, Any]:
    """ORDER BY a sort column, then the paper id (which breaks its ties): the keyset order of
    every page of citations."""
    paper_id = citations.c.citing_id
    return (column.desc(), paper_id.desc()) if descending else (column, paper_id)


def past(column: Any, value: Any, paper_id: int, descending: bool) -> ColumnElement[bool]:
    """The citations after (``value``, ``paper_id``) in the keyset order of ``column``."""
    key, bound = tuple_(column, citations.c.citing_id), tuple_(value, paper_id)
    return key < bound if descending else key > bound


def page(
    conn: Connection,
    plan: Planner,
    hub_id: int,
    filters: Filters,
    sort: SortKey,
    descending: bool,
    *,
    limit: int,
    after: Cursor | None,
    before: Cursor | None,
    from_end: bool,
    offset: int,
    with_total: bool,
) -> Page:
    """A window of citing papers (see :meth:`~pithtui.store.repository.HubRepository.page`)."""
    column = SORT_COLUMNS[sort]
    unsearched = replace(filters, search="")
    backwards = before is not None or from_end
    reverse = descending != backwards
    order = ordered(column, reverse)
    conds = counting.citation_conditions(conn, plan, hub_id, unsearched)  # the search's own condition comes below
    if after is not None:
        conds.append(past(column, after.value, after.paper_id, descending))
    if before is not None:
        conds.append(past(column, before.value, before.paper_id, not descending))
    fetched = None
    listing = (hub_id, unsearched, sort, reverse)
    if not offset and plan.may_walk(conn, listing, filters):
        fetched = walked(conn, hub_id, filters.search, conds, column, reverse, SORT_INDEXES[sort], limit + 1)
        if fetched is None:
            plan.note_gave_up(listing, filters.search)
    if fetched is None:
        conds += counting.searched(conn, plan, hub_id, filters.search)
    index = plan.page_index(conn, hub_id, sort, filters) if fetched is None else None
    past_the_end = False
    if fetched is None and offset:
        # A jump: find the row just before the window (in the direction read) by walking
        # the index alone (no row is read), then take the window next to it by keyset.
        within, skip = jump_start(conn, hub_id, filters, sort, reverse, offset - 1)
        skipped = select(column, citations.c.citing_id).where(*conds, *within).order_by(*order).offset(skip).limit(1)
        mark = conn.execute(indexed(skipped, index)).first()
        if mark is None:
            past_the_end = True
        else:
            conds.append(past(column, mark[0], mark[1], reverse))
    if fetched is None:
        query = indexed(rows_query(conn.dialect.name).where(*conds).order_by(*order).limit(limit + 1), index)
        # Result.all() is a list (SQLAlchemy's annotation says Sequence).
        fetched = [] if past_the_end else cast(list[Any], conn.execute(query).all())
    more = len(fetched) > limit
    fetched = fetched[:limit]
    if backwards:
        fetched.reverse()
    rows = citing_papers(fetched)
    found = counting.total(conn, plan, hub_id, filters) if with_total else -1
    sort_label = f"sort_{sort.value}"
    first = Cursor(getattr(fetched[0], sort_label), fetched[0].id) if fetched else None
    last = Cursor(getattr(fetched[-1], sort_label), fetched[-1].id) if fetched else None
    if backwards:
        has_before, has_after = more, before is not None or offset > 0
    else:
        has_before, has_after = after is not None or offset > 0, more
    return Page(tuple(rows), found, first, last, has_before, has_after)


def jump_start(
    conn: Connection, hub_id: int, f: Filters, sort: SortKey, reverse: bool, row: int
) -> tuple[list[ColumnElement[bool]], int]:
    """Where the walk to row ``row`` of a listing (in ``sort`` order, descending if
    ``reverse``) starts. The facet cells count the citations of each year, novelty band,
    category, verdict and polarity under the filters they answer, so in those orders the
    walk starts at the group the row falls in, and skips that group's rows before it, not
    every row before it; in title order, or under other filters, it skips ``row`` rows from
    the start. Returns the range to walk (WHERE clauses on ``citations``) and the rows to
    skip in it. Each kind of group sorts as its citations do: the undated, the unscored, the
    uncategorised and the unclassified lowest."""
    dimension = JUMP_GROUPS.get(sort)
    if dimension is None or not cells_answer(f):
        return [], row
    cells = counting.stored_cells(f)(dimension)
    if cells is None:
        return [], row
    group = cells.dimension(dimension)
    counted = select(group, cells.weight).select_from(cells.table).where(*conditions(cells, hub_id, f)).group_by(group)
    counts = {value: int(n) for value, n in conn.execute(counted)}
    before = 0
    for value in sorted(counts, reverse=reverse):
        if row < before + counts[value]:
            return [in_group(sort, value)], row - before
        before += counts[value]
    return [], row  # past the end: the walk finds nothing


def in_group(sort: SortKey, value: Any) -> ColumnElement[bool]:
    """The citations of one group the cells count (see :func:`jump_start`), as a range of
    ``sort``'s column: a year of ISO dates compared as text, a novelty band, or one value."""
    c = citations.c
    if sort is SortKey.DATE:
        return (
            c.citing_date == "" if value == NO_YEAR else and_(c.citing_date >= f"{value:04d}", c.citing_date < f"{value + 1:04d}")
        )
    if sort is SortKey.NOVELTY:
        return c.citing_novelty < 0 if value == NO_NOVELTY_BAND else and_(*counting.scored_between(*band_range(value)))
    return SORT_COLUMNS[sort] == value


def walked(
    conn: Connection,
    hub_id: int,
    search: str,
    conds: list[ColumnElement[bool]],
    column: Any,
    reverse: bool,
    index: str,
    wanted: int,
) -> list[Any] | None:
    """The rows of the first ``wanted`` citations passing ``conds`` whose paper matches
    ``search``, in the order of ``column`` (descending if ``reverse``), then the paper id.

    Walks the sort index (:func:`~pithtui.store.search.walk`), a key range a chunk, read with
    each paper's title and summary. None as soon as the matches come too seldom (a rare word,
    or one rare in this hub), for the full-text index to answer instead."""
    c = citations.c
    order = ordered(column, reverse)
    texts = with_texts(column, c.citing_id)

    def chunk_after(last: Any, size: int, _done: int) -> Any:
        beyond = [] if last is None else [past(column, last[0], last.citing_id, reverse)]
        return indexed(texts.where(*conds, *beyond).order_by(*order).limit(size), index)

    found = walk(conn, search, chunk_after, wanted)
    if not found:
        return found
    ids = [row.citing_id for row in found]
    rows = conn.execute(rows_query(conn.dialect.name).where(c.cited_id == hub_id, c.citing_id.in_(ids)).order_by(*order)).all()
    return cast(list[Any], rows)  # Result.all() is a list (SQLAlchemy's annotation says Sequence)


def representatives(conn: Connection, hub_id: int, limit: int) -> list[CitingPaper]:
    """The citing papers to show first: those the source flagged, else the most novel, then
    the newest."""
    c = citations.c
    order = (c.citing_novelty.desc(), c.citing_date.desc(), c.citing_id)
    base = rows_query(conn.dialect.name).where(c.cited_id == hub_id)
    rows = conn.execute(base.where(c.representative.is_(True)).order_by(*order).limit(limit)).all()
    if not rows:  # nothing flagged, so every row has representative false: same index
        rows = conn.execute(base.where(c.representative.is_(False)).order_by(*order).limit(limit)).all()
    return citing_papers(rows)


def citing_paper(conn: Connection, hub_id: int, paper_id: int) -> CitingPaper | None:
    """One citing paper of a hub with how it cites it (contexts included); None if it does not cite it."""
    c = citations.c
    row = conn.execute(rows_query(conn.dialect.name).where(c.cited_id == hub_id, c.citing_id == paper_id)).first()
    return None if row is None else citing_paper_of(row)
