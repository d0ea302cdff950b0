"""The Python test of a search against one paper's text says what SQLite's full-text index says.

A page under a search is first looked for by walking the hub and testing each paper's own title
and summary (pithtui.store.textmatch); the count beside it comes from the full-text index. Were
the two to disagree, the explorer would list rows its "Showing N of M" does not count, or miss
rows it does. So both are asked about the same random texts and searches, and every page found
by walking is held to the page the full-text index gives.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pithtui.models import Citation, Filters, Paper, SortKey
from pithtui.store import HubRepository
from pithtui.store import search as walking
from pithtui.store.schema import FTS_TOKENIZER
from pithtui.store.search import fts_phrase
from pithtui.store.textmatch import text_matcher
from pithtui.text import search_terms

# Letters with and without accents in several scripts, digits, separators and look-alikes:
# where a tokenizer's idea of a word or of a letter's plain form could differ.
ALPHABET = (
    "abcdeklmnostuxyzABCKMSXZ0123456789"
    "éèêëÉàâäÄçÇñÑøØåÅßẞüÜİıœŒ"  # Latin with diacritics, ß, dotted and dotless i
    "ΣσςάΆωΩ"  # Greek, final sigma, tonos
    "ДдйЙёЁ"  # Cyrillic
    "中文日本"  # CJK
    "\u0301\u0308"  # combining acute, diaeresis
    "ＡａＺ"  # full-width
    "½²ⅢⅯ"  # numbers that are not digits
    "ﬁ"  # a ligature
    "\u19b0\u19b5"  # letters to Python, separators to FTS5 (a word of them only is no term)
    "  -_.,:;'\"()/+*%&@#!?\t\n"
)

words = st.text(alphabet=ALPHABET, min_size=1, max_size=8)
texts = st.lists(words, max_size=8).map(" ".join)
papers = st.lists(st.tuples(texts, st.one_of(st.none(), texts)), min_size=1, max_size=12)


def fts_answers(rows: list[tuple[str, str | None]], query: str) -> set[int]:
    """The papers (by position) an FTS5 table of the store's own tokenizer lists for ``query``."""
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(title, summary, tokenize={FTS_TOKENIZER!r})")
    db.executemany("INSERT INTO t(rowid, title, summary) VALUES (?, ?, ?)", [(i, *row) for i, row in enumerate(rows)])
    return {rowid for (rowid,) in db.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts_phrase(query),))}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=papers, data=st.data())
def test_the_text_test_lists_what_the_full_text_index_lists(rows: list[tuple[str, str | None]], data: st.DataObject) -> None:
    # Searches built from the texts' own pieces (so that they match something), or random.
    pieces = [piece for title, summary in rows for piece in f"{title} {summary or ''}".split()]
    query = data.draw(
        st.one_of(st.lists(st.sampled_from(pieces), min_size=1, max_size=3).map(" ".join), texts) if pieces else texts
    )
    terms = tuple(tuple(term) for term in search_terms(query))
    if not terms:
        return  # nothing to search for: no filter at all
    matches = text_matcher(terms)
    assert {i for i, (title, summary) in enumerate(rows) if matches(title, summary)} == fts_answers(rows, query), query


WORDS = ("model", "models", "collapse", "collapsed", "tails", "Modèle", "ÉCOLE", "data", "gpt-4", "synthetic", "zebra")


@pytest.fixture
def searched_hub(store: HubRepository) -> int:
    """A SQLite hub (the walk is SQLite's: PostgreSQL searches its word indexes) of 80 citing
    papers whose titles and summaries are random runs of WORDS."""
    pick = random.Random(5)
    hub = Paper(title="The hub", arxiv_id="2301.00001")
    records: list[Paper | Citation] = [hub]
    for i in range(80):
        citing = Paper(
            title=" ".join(pick.choices(WORDS, k=pick.randint(1, 5))),
            summary=" ".join(pick.choices(WORDS, k=4)) if i % 3 else None,
            arxiv_id=f"2401.{i:05d}",
            date=dt.date(2020, 1 + i % 12, 1) if i % 5 else None,
            novelty=float(i % 7),
        )
        records.append(Citation(citing=citing, cited=hub))
    store.upsert(records)
    return store.resolve("2301.00001").id


@pytest.mark.parametrize("sort", [SortKey.DATE, SortKey.TITLE, SortKey.NOVELTY])
@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("search", ["model", "collapse tails", "modele", "ecole data", "gpt 4", "zebr", "tails collapse"])
def test_pages_found_by_walking_are_the_full_text_index_pages(
    store: HubRepository, searched_hub: int, sort: SortKey, descending: bool, search: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    searched = Filters(search=search)

    def pages(walk: bool) -> list[tuple[list[int], bool, bool]]:
        # Small chunks, so that a page takes several of them; or no walk at all.
        monkeypatch.setattr(walking, "WALK_CHUNK", 2)
        monkeypatch.setattr(walking, "WALK_LIMIT", 10_000 if walk else -1)
        seen = []
        cursor = None
        while True:  # forwards page by page, as an export and the explorer read
            page = store.page(searched_hub, searched, sort, descending, limit=4, after=cursor, with_total=False)
            seen.append(([row.paper.id for row in page.rows], page.has_before, page.has_after))
            if not page.has_after:
                break
            cursor = page.last
        cursor = None
        for _ in range(3):  # backwards from the end
            page = store.page(
                searched_hub, searched, sort, descending, limit=4, before=cursor, from_end=cursor is None, with_total=False
            )
            seen.append(([row.paper.id for row in page.rows], page.has_before, page.has_after))
            cursor = page.first
        return seen

    walked, indexed = pages(True), pages(False)
    assert walked == indexed
    assert sum(len(ids) for ids, _, _ in walked[:-3]) == store.count(searched_hub, searched) > 0


def test_a_word_the_full_text_index_does_not_count_is_left_out_as_it_leaves_it_out(
    store: HubRepository, searched_hub: int
) -> None:
    # U+19B0: a letter to Python's search_terms, a separator to FTS5, which drops the phrase.
    alone, beside = Filters(search="\u19b0"), Filters(search="model \u19b0")
    assert store.page(searched_hub, alone, limit=100).rows == () and store.count(searched_hub, alone) == 0
    model = store.page(searched_hub, Filters(search="model"), limit=100)
    assert store.page(searched_hub, beside, limit=100).rows == model.rows and model.rows
