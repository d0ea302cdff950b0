"""Every hot query reads through an index, never a full scan of the citations (SQLite).

A hub of a million citing papers stays instant only if each question the app asks is answered
from an index range: the hub header, counts and facets (from the facet cells, and from the
citations when the cells cannot answer), a page in every sort order in both directions under
every filter (first page, keyset after and before, from the end, a jump by offset), the
representatives, search, the paper list and resolving a reference. Each repository call is
run on a small store with the statements it sends captured, and SQLite's ``EXPLAIN QUERY
PLAN`` of each is checked:

* ``citations`` is only ever SEARCHed through an index whose first column is constrained
  (``cited_id=?`` for a hub, ``citing_id=?`` for a search matching few papers), never SCANned;
* ``papers`` is read by its primary key, by an identifier's index, in ``citing_count`` order,
  or through the full-text index; ``facet_cells`` and the rollups by their key's hub prefix;
* a page walks the index of its sort key in order (no sorting step), unless it is a search
  matching few papers, which starts from those papers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from pithtui.models import Citation, Cursor, Filters, Paper, SortKey
from pithtui.store import HubRepository, open_repository, planner, upsert
from pithtui.store import search as walking
from pithtui.store.planner import CITING_INDEX, SORT_INDEXES

CATEGORIES = ("cs.LG", "cs.CL", "stat.ML", "cs.CV")
VERDICTS = ("UNVERDICTED", "SOUND", "FLAWED")
ROLES = ((), ("background",), ("method", "baseline"))
POLARITIES = (None, "supporting", "contrasting")


def _store(path: Path) -> HubRepository:
    repo = open_repository(f"sqlite:///{path}")
    for hub_number in range(3):
        hub = Paper(title=f"Hub number {hub_number}", arxiv_id=f"2301.{hub_number:05d}")
        records: list[Paper | Citation] = [hub]
        for i in range(120):
            citing = Paper(
                title=f"Citing paper {i} about model collapse" if i % 3 else f"Paper {i} on rare zebras",
                arxiv_id=f"2401.{hub_number * 1000 + i:05d}",
                date=dt.date(2015 + i % 10, 1 + i % 12, 1) if i % 7 else None,
                category=CATEGORIES[i % 4],
                verdict=VERDICTS[i % 3],
                novelty=None if i % 5 == 0 else float(i % 10),
                summary=f"Summary {i} of a paper that cites the hub.",
            )
            records.append(
                Citation(citing=citing, cited=hub, roles=ROLES[i % 3], polarity=POLARITIES[i % 3], representative=i % 40 == 0)
            )
        repo.upsert(records)
    return repo


@pytest.fixture(scope="module", params=["no statistics", "analyzed"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubRepository]:
    """The store as a small import leaves it, and with the planner statistics a large import
    leaves (the same plans must hold either way)."""
    repo = _store(tmp_path_factory.mktemp("plans") / "store.db")
    if request.param == "analyzed":
        with repo.engine.begin() as conn:
            upsert._analyze(conn)
    yield repo
    repo.close()


def statements_sent(repo: HubRepository, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Each statement ``call`` sends to the database, with its parameters."""
    sent: list[tuple[str, Any]] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append((statement, parameters))

    event.listen(repo.engine, "before_cursor_execute", seen)
    try:
        call()
    finally:
        event.remove(repo.engine, "before_cursor_execute", seen)
    return sent


def plans(repo: HubRepository, call: Callable[[], Any]) -> list[tuple[str, list[str]]]:
    """Each statement ``call`` sends, with its query plan (one line per plan step)."""
    sent = statements_sent(repo, call)
    out = []
    raw = repo.engine.raw_connection()
    try:
        for statement, parameters in sent:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            rows = raw.cursor().execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            out.append((statement, [row[-1] for row in rows]))
    finally:
        raw.close()
    return out


FULL_SCAN = re.compile(r"^SCAN (citations|papers|facet_cells|facet_rollups)\b(?! USING (COVERING )?INDEX ix_papers_listing)")
"""A step reading a whole table (a SCAN of citations through an index also reads every hub; the
papers list walks its order's index, stopping at the page's end)."""


def assert_indexed(steps: list[str], statement: str) -> None:
    for step in steps:
        assert not FULL_SCAN.search(step), f"full scan: {step}\n{statement}"
        if "citations" in step and step.startswith("SEARCH"):
            assert re.search(r"\((cited_id|citing_id)=\?", step), f"citations without hub or paper: {step}\n{statement}"


def check(repo: HubRepository, call: Callable[[], Any]) -> list[tuple[str, list[str]]]:
    found = plans(repo, call)
    assert found, "no statement was sent"
    for statement, steps in found:
        assert_indexed(steps, statement)
    return found


def hub_id(repo: HubRepository) -> int:
    return repo.resolve("2301.00001").id


FILTERS = {
    "none": Filters(),
    "role": Filters(roles=frozenset({"method"})),
    "polarity": Filters(polarities=frozenset({None, "supporting"})),
    "verdict": Filters(verdicts=frozenset({"SOUND"})),
    "category": Filters(categories=frozenset({"cs.CL", "cs.CV"})),
    "years": Filters(since=dt.date(2017, 1, 1), until=dt.date(2020, 12, 31)),
    "dates": Filters(since=dt.date(2017, 3, 5), until=dt.date(2020, 6, 30)),
    "novelty": Filters(min_novelty=5.0),
    "fractional novelty": Filters(min_novelty=5.25),
    "half-point novelty": Filters(min_novelty=5.5),
    "novelty and years": Filters(min_novelty=5.0, since=dt.date(2017, 1, 1)),
    "new since": Filters(new_since=dt.datetime(2000, 1, 1)),
    "search": Filters(search="model coll"),
    "rare search": Filters(search="paper 3 on"),  # one citing paper of each hub
    "everything": Filters(
        roles=frozenset({"background"}),
        polarities=frozenset({"supporting"}),
        verdicts=frozenset({"SOUND", "FLAWED"}),
        categories=frozenset({"cs.LG"}),
        since=dt.date(2016, 1, 1),
        min_novelty=1.0,
        search="paper",
    ),
}


def test_hub_header_and_representatives(store: HubRepository) -> None:
    hub = hub_id(store)
    check(store, lambda: store.hub(hub))
    check(store, lambda: store.representatives(hub))


@pytest.mark.parametrize("name", list(FILTERS))
def test_counts_and_facets(store: HubRepository, name: str) -> None:
    hub = hub_id(store)
    check(store, lambda: store.count(hub, FILTERS[name]))
    found = check(store, lambda: store.facets(hub, FILTERS[name]))
    # The reader's own counts go over their marks, each looked up in the hub's key: never a walk.
    yours = [steps for statement, steps in found if "FROM marks" in statement]
    assert yours and all(steps[0].startswith("SEARCH marks") for steps in yours), yours
    assert all(
        ("SEARCH citations" in step and "(cited_id=? AND citing_id=?)" in step) or "citations" not in step
        for steps in yours
        for step in steps
    ), yours
    found = [(statement, steps) for statement, steps in found if "FROM marks" not in statement]
    if name in ("novelty", "half-point novelty"):  # a band's edge: the rollups by novelty band answer, not the citations
        assert not any("citations" in step for _, steps in found for step in steps), found
    if name == "fractional novelty":  # the rollups from 5.5 up, and the scores from 5.25 to 5.5: a range
        ranges = [step for _, steps in found for step in steps if "citations" in step]
        assert ranges and all(
            "INDEX ix_cit_hub_novelty (cited_id=? AND citing_novelty>? AND citing_novelty<?)" in step for step in ranges
        ), found
        counted = check(store, lambda: store.count(hub, FILTERS[name]))
        assert [step for _, steps in counted for step in steps if "citations" in step] == [ranges[0]], counted
    if name == "novelty and years":  # a cube walked in cell order, grouped as it goes
        steps = found[-1][1]
        at = next(i for i, step in enumerate(steps) if "citations" in step)
        assert "INDEX ix_cit_hub_cube " in steps[at], steps
        assert "GROUP BY" not in steps[at + 1], steps


def _ordered(found: list[tuple[str, list[str]]]) -> list[list[str]]:
    """The plans of the statements that read citations in a sort order (the page's rows, and
    the walk to a jump's first row)."""
    ordered = [steps for statement, steps in found if "ORDER BY citations." in statement]
    assert ordered, [s for s, _ in found]
    return ordered


def assert_walks(found: list[tuple[str, list[str]]], index: str, *, sorted_after: bool = False) -> None:
    for steps in _ordered(found):
        assert any(f"INDEX {index} " in step for step in steps), steps
        if not sorted_after:
            assert not any("TEMP B-TREE FOR ORDER BY" in step for step in steps), steps


WALK = re.compile(r"^SELECT citations\.\w+, citations\.citing_id, papers\.title, papers\.summary\s")
"""A chunk of a search's walk: citations in sort order, with their papers' texts to test."""
FOUND = re.compile(r"citations\.citing_id IN \(\?")
"""The rows of the papers a walk found, by their ids."""


@pytest.mark.parametrize("sort", list(SortKey))
@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("name", list(FILTERS))
def test_pages_walk_the_sort_index(
    store: HubRepository, sort: SortKey, descending: bool, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = hub_id(store)
    f = FILTERS[name]
    # This store is small, so every search matches few papers, and many of the hub's: make
    # the common ones many, and the walk give up on the rare one after its first chunk.
    few = name == "rare search"
    monkeypatch.setattr(planner, "FEW_MATCHES", 1000 if few else 0)
    monkeypatch.setattr(walking, "WALK_CHUNK", 8)
    monkeypatch.setattr(walking, "WALK_LIMIT", 1 if few else 10_000)
    store.planner.forget()
    first = store.page(hub, f, sort, descending, limit=10)
    cursor = first.last or Cursor("", 0)
    for kwargs in ({}, {"after": cursor}, {"before": cursor}, {"from_end": True}, {"offset": 15}, {"offset": 10_000}):
        store.planner.forget()  # each call its own first try (a walk that gave up is not tried again)
        found = check(store, lambda kwargs=kwargs: store.page(hub, f, sort, descending, limit=10, with_total=False, **kwargs))
        walks = [(statement, steps) for statement, steps in found if WALK.match(statement)]
        rest = [(statement, steps) for statement, steps in found if not WALK.match(statement)]
        # A search first walks the sort order testing papers' texts (not for a jump by offset):
        # a common word fills the page so, a rare one gives up after a chunk.
        assert bool(walks) == (bool(f.search) and "offset" not in kwargs), [s for s, _ in found]
        if walks:
            assert_walks(walks, SORT_INDEXES[sort])
        if any(FOUND.search(statement) for statement, _ in rest):
            # The walk found the page (a rare word only at the hub's end, within the chunk
            # read): only its rows are read, by key.
            assert not few or kwargs, "a rare word's first page comes from its matches"
            continue
        if walks and not any("ORDER BY citations." in statement for statement, _ in rest):
            continue  # the walk reached the end and found no row: nothing more to read
        assert_walks(rest, CITING_INDEX if few else SORT_INDEXES[sort], sorted_after=few)


def test_a_search_typed_further_after_its_walk_gave_up_is_not_walked_again(
    store: HubRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its matches are among the matches of the search before, so the walk would give up again
    (a chunk read per key typed); the same rows come from the full-text index."""
    hub = hub_id(store)
    monkeypatch.setattr(planner, "FEW_MATCHES", 0)
    monkeypatch.setattr(walking, "WALK_CHUNK", 8)
    monkeypatch.setattr(walking, "WALK_LIMIT", 1)  # gives up after the first chunk
    store.planner.forget()

    def walked(search: str, sort: SortKey = SortKey.DATE) -> tuple[bool, list[int]]:
        """Whether a page under ``search`` walked, and the papers it lists."""
        pages: list[Any] = []
        found = plans(store, lambda: pages.append(store.page(hub, Filters(search=search), sort, limit=10, with_total=False)))
        return any(WALK.match(statement) for statement, _ in found), [row.paper.id for row in pages[0].rows]

    assert walked("paper 3 o")[0]  # walked, and gave up: few papers match
    further = walked("paper 3 on")
    assert not further[0] and further[1]
    store.planner.forget()
    assert walked("paper 3 on") == (True, further[1])  # walking gives the same rows
    assert walked("zebra")[0]  # another search walks again
    assert walked("paper 3 on", SortKey.TITLE)[0]  # and so does the same one in another order


@pytest.mark.parametrize(("walk_limit", "walks"), [(33, False), (60, True)])
def test_the_walk_gives_up_at_the_same_sparseness_for_a_few_rows_as_for_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, walk_limit: int, walks: bool
) -> None:
    """The explorer's first rows in view (a few) and a page (WALK_PAGE rows) walk the hub for a
    word as common, and give up on one as rare: WALK_LIMIT citations per WALK_PAGE rows. One
    newest paper in four has "zebra"; with WALK_PAGE 11 and WALK_LIMIT 33 a page gives up (a
    match in three at least), and so do 2 rows, which would have found theirs within 12 of the
    33; with WALK_LIMIT 60 both walk."""
    repo = open_repository(f"sqlite:///{tmp_path / 'zebras.db'}")
    hub = Paper(title="The hub", arxiv_id="2301.00001")
    repo.upsert(
        [hub]
        + [
            Citation(
                citing=Paper(
                    title=f"Paper {i}" + (" on zebras" if i % 4 == 3 else ""),
                    arxiv_id=f"2401.{i:05d}",
                    date=dt.date(2000, 1, 1) + dt.timedelta(days=i),
                ),
                cited=hub,
            )
            for i in range(60)
        ]
    )
    hub_number = repo.resolve("2301.00001").id
    monkeypatch.setattr(planner, "FEW_MATCHES", 0)
    monkeypatch.setattr(planner, "SMALL_HUB", 0)  # the index's answer when the walk gives up
    monkeypatch.setattr(walking, "WALK_CHUNK", 8)
    monkeypatch.setattr(walking, "WALK_PAGE", 11)
    monkeypatch.setattr(walking, "WALK_LIMIT", walk_limit)

    def walked_to_its_rows(limit: int) -> bool:
        repo.planner.forget()
        pages: list[Any] = []
        found = plans(repo, lambda: pages.append(repo.page(hub_number, Filters(search="zebras"), limit=limit, with_total=False)))
        assert [row.paper.title for row in pages[0].rows] == [f"Paper {i} on zebras" for i in range(59, -1, -4)][:limit]
        return any(FOUND.search(statement) for statement, _ in found)  # the walk's rows, read by key

    try:
        assert walked_to_its_rows(10) is walks
        assert walked_to_its_rows(2) is walks
    finally:
        repo.close()


@pytest.mark.parametrize("sort", [key for key in SortKey if key not in (SortKey.TITLE, SortKey.CONTRAST)])
@pytest.mark.parametrize("filters", [Filters(), Filters(categories=frozenset({"cs.CL", "cs.CV"}))])
def test_a_jump_walks_only_the_group_its_row_lands_in(store: HubRepository, sort: SortKey, filters: Filters) -> None:
    """The facet cells count each year's (novelty band's, category's, verdict's, polarity's)
    citations, so the walk to the row before a jump's window starts at that row's group: a
    range of the sort index, not the hub's order from the top."""
    hub = hub_id(store)
    column = planner.SORT_COLUMNS[sort].name
    walk = re.compile(rf"SELECT citations\.{column}, citations\.citing_id\s+FROM")
    group = re.compile(rf"INDEX {SORT_INDEXES[sort]} \(cited_id=\? AND {column}[<>=]")
    for kwargs in ({"offset": 60}, {"offset": 30, "from_end": True}):
        found = check(store, lambda kwargs=kwargs: store.page(hub, filters, sort, limit=10, with_total=False, **kwargs))
        walks = [steps for statement, steps in found if walk.match(statement)]
        assert walks and all(group.search(" ".join(steps)) for steps in walks), found


def test_a_rare_category_or_verdict_is_read_through_its_own_index(store: HubRepository, monkeypatch: pytest.MonkeyPatch) -> None:
    hub = hub_id(store)
    rare = Filters(categories=frozenset({"cs.CV"}), verdicts=frozenset({"SOUND"}))  # 30 and 40 of 120
    monkeypatch.setattr(planner, "NARROW_SHARE", 1)  # this store is small: call 30 of 120 few
    store.planner.forget()
    try:
        for sort in SortKey:
            found = check(store, lambda sort=sort: store.page(hub, rare, sort, limit=10))
            assert_walks(found, SORT_INDEXES[SortKey.CATEGORY], sorted_after=True)
    finally:
        store.planner.forget()


def test_a_small_hub_counts_a_common_word_from_its_own_papers(store: HubRepository, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its count and facets test its own citing papers' texts and use their ids, rather than
    the full-text index's list of every paper in the store with the word (here every match
    counts as common, and the store as big: FEW_MATCHES and SMALL_SHARE 0)."""
    monkeypatch.setattr(planner, "FEW_MATCHES", 0)
    monkeypatch.setattr(planner, "SMALL_SHARE", 0)
    store.planner.forget()
    hub = hub_id(store)
    search = Filters(search="model")
    try:
        for call in (lambda: store.count(hub, search), lambda: store.facets(hub, search)):
            found = check(store, call)
            counted = [(statement, steps) for statement, steps in found if "count(" in statement and "citations" in statement]
            assert counted and all("papers_fts" not in statement and FOUND.search(statement) for statement, _ in counted), found
            assert any(statement.startswith("SELECT citations.citing_id, papers.title, papers.summary") for statement, _ in found)
        monkeypatch.setattr(planner, "SMALL_HUB", 0)  # a big hub: the index's list
        assert all(
            "papers_fts" in statement for statement, _ in check(store, lambda: store.count(hub, search)) if "count(" in statement
        )
    finally:
        store.planner.forget()


def test_search_and_papers(store: HubRepository, monkeypatch: pytest.MonkeyPatch) -> None:
    for _statement, steps in check(store, lambda: store.list_papers("")):
        assert not any("TEMP B-TREE" in step for step in steps), steps
    check(store, lambda: store.list_papers("model collapse"))  # few matches: from them, sorted
    monkeypatch.setattr(planner, "FEW_MATCHES", 0)
    store.planner.forget()
    for statement, steps in check(store, lambda: store.list_papers("model collapse")):  # many: in order
        if "ORDER BY papers.citing_count" in statement:
            assert any("INDEX ix_papers_listing" in step for step in steps), steps
            assert not any("TEMP B-TREE" in step for step in steps), steps
    check(store, lambda: store.list_papers("2401.00005"))


def test_resolve(store: HubRepository) -> None:
    check(store, lambda: store.resolve("2301.00001"))
    check(store, lambda: store.resolve("hub number 1"))
    check(store, lambda: store.resolve("2401.00005"))


# --------------------------------------------------------------------------- PostgreSQL search


def test_postgresql_search_reads_the_word_indexes(postgres_server: Any) -> None:
    """On PostgreSQL a search matches schema.pg_words of titles and summaries: the GIN indexes
    of those expressions answer it (sequential scans are priced out so that a small table
    still shows which plan the index allows)."""
    url = postgres_server.create_database()
    repo = open_repository(url)
    try:
        hub = Paper(title="Hub number 1", arxiv_id="2301.00001")
        repo.upsert(
            [hub]
            + [
                Citation(
                    citing=Paper(title=f"Paper {i} on model collapse", arxiv_id=f"2401.{i:05d}", summary=f"Summary {i}"),
                    cited=hub,
                )
                for i in range(200)
            ]
        )
        hub_number = hub_id(repo)
        for call, across_the_store in (
            (lambda: repo.list_papers("model collapse"), True),
            (lambda: repo.resolve("hub number"), True),
            (lambda: repo.count(hub_number, Filters(search="coll")), False),  # or from the hub's citations
        ):
            statement, parameters = statements_sent(repo, call)[-1]
            with repo.engine.connect() as conn:
                conn.exec_driver_sql("SET enable_seqscan = off")
                plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))
            assert "Seq Scan on papers" not in plan, plan
            if across_the_store:
                assert "ix_papers_title_words" in plan, plan
    finally:
        repo.close()
        postgres_server.drop_database(url)
