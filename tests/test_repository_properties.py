"""The repository's answers checked against a plain Python computation over generated stores.

Each example builds a store of several hubs whose citing papers carry random categories,
verdicts, novelty scores, dates, summaries (any of them possibly missing), role sets and
polarities (possibly unclassified), then asks for facet counts, "Showing N of M" totals and
pages in every sort order, and compares them with what the same question gives when answered
in Python over the records that were stored. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pithtui.models import UNVERDICTED, Citation, Cursor, Facets, FacetValue, Filters, Paper, SortKey
from pithtui.store import planner
from pithtui.store import search as walking

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Small pools so that values (and so sort keys) repeat; mixed case and non-ASCII on purpose:
# a backend that orders or folds text differently from the others shows up here.
CATEGORIES = ["cs.LG", "cs.CL", "stat.ML", "Cs.AI", "éco.X", "math.ST"]
VERDICTS = [UNVERDICTED, "ACCEPT", "REJECT", "Minor", "élite"]
ROLES = ["background", "baseline", "Method", "method", "data", "Évaluation"]
POLARITIES = ["positive", "negative", "Neutral", "mixed", "Ärger"]
NOVELTIES = [0.0, 2.5, 5.0, 6.5, 7.0, 10.0]
TEXT_ALPHABET = "abcxyzABCXYZ éÉüÜωΩß019%_\\-"
DAY = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))
SOME_DAYS = [dt.date(2023, 5, 27), dt.date(2023, 6, 1), dt.date(2024, 1, 1), dt.date(2026, 5, 19)]


def _optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


titles = st.text(TEXT_ALPHABET, min_size=1, max_size=20).filter(lambda t: t.strip())
summaries = _optional(st.text(TEXT_ALPHABET, max_size=30))
dates = _optional(st.sampled_from(SOME_DAYS) | DAY)
novelties = _optional(st.sampled_from(NOVELTIES) | st.floats(0, 10, allow_nan=False))


@st.composite
def papers(draw: st.DrawFn, index: int) -> Paper:
    return Paper(
        title=draw(titles),
        date=draw(dates),
        category=draw(_optional(st.sampled_from(CATEGORIES))),
        verdict=draw(st.sampled_from(VERDICTS)),
        novelty=draw(novelties),
        summary=draw(summaries),
        authors=tuple(draw(st.lists(st.sampled_from(["A. Author", "B. Écrivain", "C. Ω"]), max_size=2))),
        arxiv_id=f"2401.{index:05d}",
    )


@dataclass(frozen=True)
class Link:
    hub: int
    citing: int
    roles: tuple[str, ...]
    polarity: str | None
    influential: bool


@dataclass(frozen=True)
class Dataset:
    papers: tuple[Paper, ...]
    links: tuple[Link, ...]
    hubs: int

    def records(self) -> list[Paper | Citation]:
        records: list[Paper | Citation] = list(self.papers)
        for link in self.links:
            records.append(
                Citation(
                    citing=self.papers[link.citing],
                    cited=self.papers[link.hub],
                    roles=link.roles,
                    polarity=link.polarity,
                    influential=link.influential,
                    source="test",
                )
            )
        return records


@st.composite
def datasets(draw: st.DrawFn, max_papers: int = 16) -> Dataset:
    """Several hubs in one store (so the hub filter matters); hubs may cite each other."""
    count = draw(st.integers(2, max_papers))
    pool = tuple(draw(papers(i)) for i in range(count))
    hubs = draw(st.integers(1, min(3, count - 1)))
    links = []
    for hub in range(hubs):
        others = [i for i in range(count) if i != hub]
        for citing in draw(st.lists(st.sampled_from(others), unique=True, max_size=len(others))):
            links.append(
                Link(
                    hub=hub,
                    citing=citing,
                    roles=tuple(draw(st.lists(st.sampled_from(ROLES), max_size=3))),
                    polarity=draw(_optional(st.sampled_from(POLARITIES))),
                    influential=draw(st.booleans()),
                )
            )
    return Dataset(pool, tuple(links), hubs)


search_words = st.text(TEXT_ALPHABET.replace(" ", ""), min_size=1, max_size=2)
filters = st.builds(
    Filters,
    roles=st.frozensets(st.sampled_from([*ROLES, "absent"]), max_size=2),
    polarities=st.frozensets(_optional(st.sampled_from(POLARITIES)), max_size=2),
    verdicts=st.frozensets(st.sampled_from(VERDICTS), max_size=2),
    categories=st.frozensets(st.sampled_from([*CATEGORIES, "absent"]), max_size=2),
    since=dates,
    until=dates,
    min_novelty=_optional(st.sampled_from(NOVELTIES) | st.floats(0, 10, allow_nan=False)),
    search=st.just("") | st.lists(search_words, min_size=1, max_size=2).map(" ".join),
)


# --------------------------------------------------------------------------- the Python answers


@dataclass(frozen=True)
class Row:
    """One citing paper of one hub, as the test stored it."""

    paper: Paper  # with its store id
    roles: frozenset[str]
    polarity: str | None
    influential: bool


def store(repo, data: Dataset) -> tuple[list[int], dict[int, list[Row]]]:
    """Upsert ``data``; the store ids of its papers and, per hub id, its rows."""
    repo.upsert(data.records())
    by_arxiv = {listing.paper.arxiv_id: listing.paper.id for listing in repo.list_papers(limit=None)}
    ids = [by_arxiv[p.arxiv_id] for p in data.papers]
    rows: dict[int, list[Row]] = {ids[h]: [] for h in range(data.hubs)}
    for link in data.links:
        paper = replace(data.papers[link.citing], id=ids[link.citing])
        rows[ids[link.hub]].append(Row(paper, frozenset(link.roles), link.polarity, link.influential))
    return ids, rows


def _words(text: str | None) -> list[str]:
    """The words of ``text`` as search sees them: runs of letters and digits, lower case, accents
    folded (é is e)."""
    plain = unicodedata.normalize("NFD", (text or "").lower())
    return re.findall(r"[^\W_]+", "".join(c for c in plain if not unicodedata.combining(c)))


def term_in(term: list[str], *texts: str | None) -> bool:
    """Search semantics: the term's words stand in a row in one text, the last as a prefix."""
    for text in texts:
        words = _words(text)
        for start in range(len(words) - len(term) + 1):
            window = words[start : start + len(term)]
            if window[:-1] == term[:-1] and window[-1].startswith(term[-1]):
                return True
    return False


def matches(row: Row, f: Filters, skip: str | None = None) -> bool:
    p = row.paper
    if f.roles and skip != "role" and not row.roles & f.roles:
        return False
    if f.polarities and skip != "polarity" and row.polarity not in f.polarities:
        return False
    if f.verdicts and skip != "verdict" and p.verdict not in f.verdicts:
        return False
    if f.categories and skip != "category" and p.category not in f.categories:
        return False
    if skip != "year":
        if f.since is not None and (p.date is None or p.date < f.since):
            return False
        if f.until is not None and (p.date is None or p.date > f.until):
            return False
    if f.min_novelty is not None and (p.novelty is None or p.novelty < f.min_novelty):
        return False
    terms = [_words(chunk) for chunk in f.search.split()]
    return all(term_in(term, p.title, p.summary) for term in terms if term)


def facet(counts: Counter, selected=(), *, by_year: bool = False) -> tuple[FacetValue, ...]:
    counts = Counter(counts)
    for value in selected:
        counts.setdefault(value, 0)
    if by_year:
        order = sorted(counts.items(), key=lambda kv: (kv[0] is None, -(kv[0] or 0)))
    else:
        order = sorted(counts.items(), key=lambda kv: (kv[0] is None, -kv[1], str(kv[0])))
    return tuple(FacetValue(value, n) for value, n in order)


def expected_facets(rows: list[Row], f: Filters) -> Facets:
    def under(skip: str) -> list[Row]:
        return [r for r in rows if matches(r, f, skip)]

    return Facets(
        role=facet(Counter(role for r in under("role") for role in r.roles), f.roles),
        polarity=facet(Counter(r.polarity for r in under("polarity")), f.polarities),
        verdict=facet(Counter(r.paper.verdict for r in under("verdict")), f.verdicts),
        category=facet(Counter(r.paper.category for r in under("category")), f.categories),
        year=facet(Counter(r.paper.date.year if r.paper.date else None for r in under("year")), by_year=True),
        # Nothing is marked here: every paper under the filters is unread.
        mine=(FacetValue("starred", 0), FacetValue("unread", len(under("mine"))), FacetValue("noted", 0)),
    )


def sort_value(row: Row, key: SortKey) -> str | float:
    """What the explorer sorts on; missing values sort below every present one."""
    p = row.paper
    return {
        SortKey.DATE: p.date.isoformat() if p.date else "",
        SortKey.NOVELTY: p.novelty if p.novelty is not None else -1.0,
        SortKey.TITLE: " ".join(p.title.casefold().split()),
        SortKey.CATEGORY: p.category or "",
        SortKey.VERDICT: p.verdict,
        SortKey.POLARITY: row.polarity or "",
        SortKey.CONTRAST: (1.0 if row.polarity == "contrasting" else 0.0) if row.polarity else -1.0,
    }[key]


def expected_order(rows: list[Row], f: Filters, key: SortKey, descending: bool) -> list[Row]:
    chosen = [r for r in rows if matches(r, f)]
    return sorted(chosen, key=lambda r: (sort_value(r, key), r.paper.id), reverse=descending)


def cursor_of(row: Row, key: SortKey) -> Cursor:
    return Cursor(sort_value(row, key), row.paper.id)


def ids(rows) -> list[int]:
    return [r.paper.id for r in rows]


# --------------------------------------------------------------------------- the properties


@PROPERTY_SETTINGS
@given(data=datasets(), f=filters, hub_pick=st.integers(0, 2))
def test_facets_and_counts_match_python(fresh_repo, data: Dataset, f: Filters, hub_pick: int) -> None:
    repo = fresh_repo()
    paper_ids, rows = store(repo, data)
    hub = paper_ids[hub_pick % data.hubs]
    assert repo.facets(hub, f) == expected_facets(rows[hub], f)
    assert repo.count(hub, f) == sum(matches(r, f) for r in rows[hub])
    summary = repo.hub(hub)
    assert summary.citing_count == len(rows[hub])
    assert summary.polarity_unclassified == sum(r.polarity is None for r in rows[hub])


@PROPERTY_SETTINGS
@given(
    data=datasets(),
    f=filters | st.just(Filters()),
    key=st.sampled_from(SortKey),
    descending=st.booleans(),
    limit=st.integers(1, 6),
    hub_pick=st.integers(0, 2),
)
def test_keyset_paging_visits_every_row_once_in_order(
    fresh_repo, data: Dataset, f: Filters, key: SortKey, descending: bool, limit: int, hub_pick: int
) -> None:
    repo = fresh_repo()
    paper_ids, rows = store(repo, data)
    hub = paper_ids[hub_pick % data.hubs]
    expected = expected_order(rows[hub], f, key, descending)

    # Forwards, page after page from the first.
    seen, cursor, pages = [], None, 0
    while True:
        page = repo.page(hub, f, key, descending, limit=limit, after=cursor)
        assert page.total == len(expected)
        assert page.has_before == (cursor is not None)
        assert len(page.rows) <= limit
        seen += page.rows
        pages += 1
        if page.rows:
            assert page.first == cursor_of(expected[len(seen) - len(page.rows)], key)
            assert page.last == cursor_of(expected[len(seen) - 1], key)
        assert page.has_after == (len(seen) < len(expected))
        if not page.has_after:
            break
        cursor = page.last
        assert pages <= len(expected) + 1, "paging does not end"
    assert ids(seen) == ids(expected)
    by_id = {r.paper.id: r for r in expected}
    for got in seen:
        want = by_id[got.paper.id]
        assert got.paper == want.paper
        assert got.roles == tuple(sorted(want.roles))
        assert got.polarity == want.polarity
        assert got.influential == want.influential

    # Backwards, page before page from the end.
    seen_back: list = []
    page = repo.page(hub, f, key, descending, limit=limit, from_end=True)
    assert not page.has_after
    while True:
        seen_back = list(page.rows) + seen_back
        assert ids(page.rows) == ids(expected[len(expected) - len(seen_back) : len(expected) - len(seen_back) + len(page.rows)])
        assert page.has_before == (len(seen_back) < len(expected))
        if not page.has_before:
            break
        page = repo.page(hub, f, key, descending, limit=limit, before=page.first)
        assert page.has_after
    assert ids(seen_back) == ids(expected)


@PROPERTY_SETTINGS
@given(
    data=datasets(),
    f=filters | st.just(Filters()),
    key=st.sampled_from(SortKey),
    descending=st.booleans(),
    limit=st.integers(1, 6),
    position=st.integers(0, 40),
    hub_pick=st.integers(0, 2),
)
def test_pages_around_any_row_and_at_any_offset(
    fresh_repo, data: Dataset, f: Filters, key: SortKey, descending: bool, limit: int, position: int, hub_pick: int
) -> None:
    repo = fresh_repo()
    paper_ids, rows = store(repo, data)
    hub = paper_ids[hub_pick % data.hubs]
    expected = expected_order(rows[hub], f, key, descending)

    offset = position % (len(expected) + 2)
    page = repo.page(hub, f, key, descending, limit=limit, offset=offset)
    assert ids(page.rows) == ids(expected[offset : offset + limit])
    assert page.has_before == (offset > 0)
    assert page.has_after == (offset + limit < len(expected))

    if not expected:
        return
    middle = expected[position % len(expected)]
    index = position % len(expected)
    after = repo.page(hub, f, key, descending, limit=limit, after=cursor_of(middle, key))
    assert ids(after.rows) == ids(expected[index + 1 : index + 1 + limit])
    assert after.has_after == (index + 1 + limit < len(expected))
    before = repo.page(hub, f, key, descending, limit=limit, before=cursor_of(middle, key))
    assert ids(before.rows) == ids(expected[max(0, index - limit) : index])
    assert before.has_before == (index - limit > 0)


@PROPERTY_SETTINGS
@given(data=datasets(max_papers=10), f=filters, key=st.sampled_from(SortKey), descending=st.booleans())
def test_iter_citing_streams_what_paging_shows(fresh_repo, data: Dataset, f: Filters, key: SortKey, descending: bool) -> None:
    repo = fresh_repo()
    paper_ids, rows = store(repo, data)
    hub = paper_ids[0]
    expected = expected_order(rows[hub], f, key, descending)
    assert ids(repo.iter_citing(hub, f, key, descending, batch=3)) == ids(expected)
    assert ids(repo.iter_citing(hub, f, key, descending, limit=2, batch=1)) == ids(expected[:2])


@PROPERTY_SETTINGS
@given(data=datasets(max_papers=10))
def test_storing_the_same_records_again_changes_nothing(fresh_repo, data: Dataset) -> None:
    repo = fresh_repo()
    first = repo.upsert(data.records())
    assert first.papers_added == len(data.papers)
    assert first.citations_added == len(data.links)
    before = snapshot(repo)
    again = repo.upsert(data.records())
    assert not again.changed, again
    assert snapshot(repo) == before


def snapshot(repo) -> tuple:
    """Everything a user can see of a store: its papers and each hub's citing papers."""
    listings = repo.list_papers(limit=None)
    hubs = []
    for listing in listings:
        if listing.citing_count:
            page = repo.page(listing.paper.id, limit=1000)
            hubs.append((listing.paper.id, repo.hub(listing.paper.id), page.rows))
    return tuple(listings), tuple(hubs)


@PROPERTY_SETTINGS
@given(
    data=datasets(),
    search=st.lists(search_words, min_size=1, max_size=2).map(" ".join),
    limit=st.integers(1, 6),
    chunk=st.integers(1, 4),
)
def test_papers_searched_by_words_are_the_most_cited_that_match(
    fresh_repo, monkeypatch: pytest.MonkeyPatch, data: Dataset, search: str, limit: int, chunk: int
) -> None:
    """Whether the listing is walked testing each paper's text (chunk by chunk, giving up when
    matches are rare) or read from the full-text index, it lists the papers that match."""
    monkeypatch.setattr(walking, "WALK_CHUNK", chunk)
    repo = fresh_repo()
    store(repo, data)
    terms = [_words(chunk) for chunk in search.split()]
    everything = repo.list_papers(limit=None)
    expected = [item for item in everything if all(term_in(term, item.paper.title, item.paper.summary) for term in terms if term)]
    assert repo.list_papers(search, limit=limit) == expected[:limit]


@PROPERTY_SETTINGS
@given(
    data=datasets(),
    f=filters,
    key=st.sampled_from(SortKey),
    hub_pick=st.integers(0, 2),
    offset=st.integers(0, 6),
    word=st.tuples(st.integers(0, 15), st.integers(1, 2)),
)
def test_a_small_hubs_matches_tested_in_python_count_and_list_as_python(
    fresh_repo,
    monkeypatch: pytest.MonkeyPatch,
    data: Dataset,
    f: Filters,
    key: SortKey,
    hub_pick: int,
    offset: int,
    word: tuple[int, int],
) -> None:
    """A small hub under a search many papers of the store match (here: any, in a store of any
    size) finds its matches by testing its own papers' texts (SQLite; PostgreSQL always asks its word indexes). The
    search starts a word of one of the papers, so that it matches."""
    monkeypatch.setattr(planner, "FEW_MATCHES", 0)
    monkeypatch.setattr(planner, "SMALL_SHARE", 0)  # however few papers the store holds
    paper, length = word
    words = _words(data.papers[paper % len(data.papers)].title)
    f = replace(f, search=" ".join(filter(None, [f.search, words[0][:length] if words else ""])))
    repo = fresh_repo()
    repo.planner.forget()
    paper_ids, rows = store(repo, data)
    hub = paper_ids[hub_pick % data.hubs]
    assert repo.facets(hub, f) == expected_facets(rows[hub], f)
    assert repo.count(hub, f) == sum(matches(r, f) for r in rows[hub])
    expected = expected_order(rows[hub], f, key, True)
    page = repo.page(hub, f, key, True, limit=3, offset=offset)
    assert ids(page.rows) == ids(expected[offset : offset + 3])
    assert page.total == len(expected)
