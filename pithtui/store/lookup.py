"""Finding papers: the paper a reference names, and the papers listing under a search."""

from __future__ import annotations

from sqlalchemy import Connection, case, select

from pithtui.errors import UnknownPaper
from pithtui.identifiers import parse_reference
from pithtui.models import Paper, PaperListing
from pithtui.store.planner import LISTING_INDEX, PAPERS_LISTING, Planner
from pithtui.store.rows import PAPER_COLUMNS, paper_from
from pithtui.store.schema import papers
from pithtui.store.search import text_match, walk
from pithtui.text import search_terms, title_key


def resolve(conn: Connection, ref: str) -> Paper:
    """The paper ``ref`` names: an arXiv id, DOI, Semantic Scholar or OpenAlex id, or title
    words (the exact title first, then the most cited paper whose title has every word)."""
    parsed = parse_reference(ref)
    if parsed.column is None and not str(parsed.value):
        raise UnknownPaper(ref)
    if parsed.column is not None:
        query = select(*PAPER_COLUMNS).where(papers.c[parsed.column] == parsed.value)
    else:
        exact = case((papers.c.title_key == title_key(str(parsed.value)), 0), else_=1)
        query = (
            select(*PAPER_COLUMNS)
            .where(text_match(conn.dialect.name, str(parsed.value), title_only=True))
            .order_by(exact, papers.c.citing_count.desc(), papers.c.id)
            .limit(1)
        )
    row = conn.execute(query).first()
    if row is None:
        raise UnknownPaper(ref)
    return paper_from(row)


def list_papers(conn: Connection, plan: Planner, search: str, limit: int | None) -> list[PaperListing]:
    """Papers in the store, most cited first; ``search`` matches an identifier exactly or
    words in titles and summaries."""
    listing = select(*PAPER_COLUMNS, papers.c.citing_count).order_by(
        papers.c.citing_count.desc(), papers.c.title_key, papers.c.id
    )
    query, words = listing, ""
    if search.strip():
        parsed = parse_reference(search)
        if parsed.column is not None:
            query = query.where(papers.c[parsed.column] == parsed.value)
        else:
            words = str(parsed.value)
            query = query.where(text_match(conn.dialect.name, words))
    if limit is not None:
        query = query.limit(limit)
    if conn.dialect.name == "sqlite" and (not search.strip() or search_terms(words)):
        # The listing order is an index (most cited first). Under a search it is first walked
        # testing each paper's text (store/search.py) until a page of matches; if they come too
        # seldom, or with no search, it is read in order through its index, where sorting every
        # matching paper would not give the first page at once; a search that few papers match
        # is quicker from those papers (by rowid), then sorted.
        in_order = listing.with_hint(papers, f"INDEXED BY {LISTING_INDEX}", "sqlite")
        if limit is not None and search_terms(words) and not plan.walk_gave_up(PAPERS_LISTING, words):
            walked = walk(conn, words, lambda _last, size, skip: in_order.limit(size).offset(skip), limit)
            if walked is not None:
                return [PaperListing(paper_from(row), row.citing_count) for row in walked]
            plan.note_gave_up(PAPERS_LISTING, words)
        few = bool(search_terms(words)) and plan.few_matches(conn, words)
        hint = "NOT INDEXED" if few else f"INDEXED BY {LISTING_INDEX}"
        query = query.with_hint(papers, hint, "sqlite")
    return [PaperListing(paper_from(row), row.citing_count) for row in conn.execute(query)]
