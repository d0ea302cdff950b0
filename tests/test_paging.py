"""Jumps: a window by offset from the start or from the end is the same slice of the sort
order that walking it page by page gives, in every sort order and direction, on SQLite and
PostgreSQL (the explorer jumps to a block past the middle by counting from the end)."""

from __future__ import annotations

import datetime as dt

import pytest

from pithtui.models import Citation, Filters, Paper, SortKey
from pithtui.store import HubRepository, planner

N = 57


@pytest.fixture
def hub(repo: HubRepository) -> int:
    hub = Paper(title="The hub", arxiv_id="2301.00001")
    records: list[Paper | Citation] = [hub]
    for i in range(N):
        citing = Paper(
            title=f"Paper {i % 9}",  # repeated values: ties are broken by the paper id
            arxiv_id=f"2401.{i:05d}",
            date=dt.date(2018 + i % 4, 1 + i % 3, 1) if i % 5 else None,  # years apart, and undated
            category=("cs.LG", "cs.CL", None)[i % 3],
            novelty=None if i % 4 == 0 else i % 7 + (0.0, 0.5, 0.25)[i % 3],  # whole, half and quarter points
        )
        records.append(Citation(citing=citing, cited=hub, polarity=("supporting", None)[i % 2]))
    repo.upsert(records)
    return repo.resolve("2301.00001").id


@pytest.mark.parametrize("sort", list(SortKey))
@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("filters", [Filters(), Filters(categories=frozenset({"cs.LG", "cs.CL"}))])
def test_offsets_from_either_end_are_slices_of_the_order(
    repo: HubRepository, hub: int, sort: SortKey, descending: bool, filters: Filters
) -> None:
    order = [row.paper.id for row in repo.iter_citing(hub, filters, sort, descending, batch=7)]
    n = len(order)
    for offset in (1, 5, n // 2, n - 10, n - 1, n, n + 3):
        for limit in (1, 10):
            ahead = repo.page(hub, filters, sort, descending, limit=limit, offset=offset, with_total=False)
            assert [r.paper.id for r in ahead.rows] == order[offset : offset + limit]
            assert ahead.has_before and ahead.has_after == (offset + limit < n)
            back = repo.page(hub, filters, sort, descending, limit=limit, from_end=True, offset=offset, with_total=False)
            assert [r.paper.id for r in back.rows] == order[max(0, n - offset - limit) : max(0, n - offset)]
            assert back.has_after and back.has_before == (n - offset - limit > 0)


@pytest.mark.parametrize("sort", list(SortKey))
@pytest.mark.parametrize("descending", [True, False])
def test_a_rare_filter_read_through_its_own_index_pages_as_the_sort_order_walk(
    repo: HubRepository, hub: int, sort: SortKey, descending: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A category, verdict or polarity that keeps few citations is read through its own index
    and sorted (Planner.narrowing_index): every page, jump and page from the end must
    be what walking the sort order gives."""
    rare = Filters(categories=frozenset({None}), polarities=frozenset({"supporting"}))

    def pages(narrow: bool) -> list[list[int]]:
        monkeypatch.setattr(planner, "NARROW_SHARE", 1)
        monkeypatch.setattr(planner, "FEW_TO_SORT", 1000 if narrow else -1)
        repo.planner.forget()
        ids = [[row.paper.id for row in repo.iter_citing(hub, rare, sort, descending, batch=3)]]
        for kwargs in ({"from_end": True}, {"offset": 4}, {"from_end": True, "offset": 2}):
            ids.append([row.paper.id for row in repo.page(hub, rare, sort, descending, limit=3, with_total=False, **kwargs).rows])
        return ids

    narrowed, walked = pages(True), pages(False)
    assert narrowed == walked and len(walked[0]) == 10
    if repo.engine.dialect.name == "sqlite":
        with repo.sessions.read() as conn:
            assert repo.planner.narrowing_index(conn, hub, rare) is None
            pages(True)
            assert repo.planner.narrowing_index(conn, hub, rare) == planner.SORT_INDEXES[SortKey.CATEGORY]
