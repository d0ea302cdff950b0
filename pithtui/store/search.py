"""Text search: the full-text index's query for a search box, and the walk that tests texts.

A search is answered two ways. The backend's full-text index (FTS5 on SQLite, tsvector on
PostgreSQL) lists every paper that matches; :func:`walk` instead reads a listing in its own
order and tests each paper's title and summary in Python (store/textmatch.py answers as FTS5
does), which finds the first page of a common word long before the index's list of every
match is merged. Which of the two answers a question is the planner's choice (store/planner.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnClause, ColumnElement, Connection, and_, column, func, literal_column, or_, select, table, true

from pithtui.store.schema import UNACCENT, WORD_COLUMNS, citations, papers
from pithtui.store.textmatch import text_matcher
from pithtui.text import search_terms

PAPERS_FTS = table("papers_fts", column("rowid"))
_FTS_MATCH: ColumnClause[Any] = literal_column("papers_fts")

WALK_CHUNK = 128
WALK_CHUNK_MAX = 2_048
WALK_LIMIT = 4_096
WALK_PAGE = 101
"""A walk reads a first chunk of WALK_CHUNK rows (or twice the rows wanted), then chunks sized
by the rate of matches so far (half as much again as that rate needs, up to WALK_CHUNK_MAX), so
that a page a few rows short takes a few more rows, not a doubled chunk. As soon as the matches
found so far say that the page would take more than WALK_LIMIT rows for WALK_PAGE matches, or
as many times fewer for fewer, the walk gives up and the full-text index answers instead: a
rare word then costs one chunk more, once (the planner remembers the walk that gave up). A
common word costs the few hundred rows walked, where the index must list (and, for a word
being typed, merge from every word it starts) every match in the store."""


def fts_phrase(query: str) -> str:
    """The FTS5 query for a search box's text: each term (see ``pithtui.text.search_terms``) a
    phrase whose last word is a prefix, every phrase required. Quoted, so never syntax."""
    return " ".join('"' + " ".join(term) + '"*' for term in search_terms(query))


def text_match(dialect: str, query: str, *, title_only: bool = False) -> ColumnElement[bool]:
    """Papers whose title (and, unless ``title_only``, summary) matches every term of
    ``query`` (see :func:`pithtui.text.search_terms`), from the full-text index of the
    backend ``dialect``. The query is always a bound parameter."""
    terms = search_terms(query)
    if not terms:
        return true()
    if dialect == "sqlite":
        return papers.c.id.in_(matching_ids(dialect, query, title_only=title_only))
    # PostgreSQL: each text as words the way search_terms splits the query (its own parser
    # would keep "GPT-4" as "gpt" and "-4", "1.5B" as "1.5" and "b"), accents folded as FTS5
    # folds them, and every term found within the title or within the summary.
    # The documents are the stored words of schema.WORD_COLUMNS, which GIN indexes hold.
    simple: ColumnClause[Any] = literal_column("'simple'")
    documents: list[ColumnClause[Any]] = [
        literal_column(f"papers.{WORD_COLUMNS[name]}") for name in (("title",) if title_only else ("title", "summary"))
    ]
    matches = []
    for term in terms:
        words = [word.translate(UNACCENT) for word in term]
        tsquery = func.to_tsquery(simple, " <-> ".join(words[:-1] + [words[-1] + ":*"]))
        matches.append(or_(*(document.op("@@")(tsquery) for document in documents)))
    return and_(*matches)


def matching_ids(dialect: str, query: str, *, title_only: bool = False) -> Any:
    """SELECT of the ids of the papers matching ``query`` (see :func:`text_match`): on SQLite
    straight from the FTS5 index, with no detour through ``papers``."""
    if dialect != "sqlite":
        return select(papers.c.id).where(text_match(dialect, query, title_only=title_only))
    phrase = fts_phrase(query)
    if title_only:
        phrase = f"title : ({phrase})"
    return select(PAPERS_FTS.c.rowid).where(_FTS_MATCH.op("MATCH")(phrase))


def matcher(search: str) -> Callable[[str | None, str | None], bool]:
    """Whether a paper's title and summary match ``search``, as the full-text index answers."""
    return text_matcher(tuple(tuple(term) for term in search_terms(search)))


def with_texts(*columns: Any) -> Any:
    """SELECT of ``columns`` of ``citations`` with each citing paper's title and summary: what
    a search tests in Python (a walk, a small hub's papers)."""
    return select(*columns, papers.c.title, papers.c.summary).select_from(
        citations.join(papers, papers.c.id == citations.c.citing_id)
    )


def walk(conn: Connection, search: str, chunk_after: Callable[[Any, int, int], Any], wanted: int) -> list[Any] | None:
    """The first ``wanted`` rows of a listing whose ``title`` and ``summary`` match ``search``,
    walked in chunks sized by the matches so far (``chunk_after(last row walked or None, size,
    rows walked)``: the query of the next ``size`` rows) and tested in Python. None as soon as
    the matches come too seldom to find them within WALK_LIMIT rows for WALK_PAGE (a rare
    word), for the full-text index to answer instead."""
    matches = matcher(search)
    found: list[Any] = []
    walked, chunk, last = 0, max(wanted * 2, WALK_CHUNK), None
    limit = WALK_LIMIT * wanted // WALK_PAGE  # as sparse as WALK_LIMIT allows a page of 100
    while True:
        rows = conn.execute(chunk_after(last, chunk, walked)).all()
        found += [row for row in rows if matches(row.title, row.summary)]
        walked += len(rows)
        if len(found) >= wanted or len(rows) < chunk:
            return found[:wanted]  # a page, or the listing's end
        if walked >= limit or len(found) * (limit - walked) < (wanted - len(found)) * walked:
            return None  # at this rate the rows would need more than ``limit`` rows walked
        last = rows[-1]
        at_this_rate = (wanted - len(found)) * walked // len(found)  # rows still to walk
        chunk = min(at_this_rate * 3 // 2 + 1, WALK_CHUNK_MAX)
