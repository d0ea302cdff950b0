"""Jumps: a window by offset from the start or from the end is the same slice of the sort
order that walking it page by page gives, in every sort order and direction, on SQLite and
PostgreSQL (the explorer jumps to a block past the middle by counting from the end)."""

from __future__ import annotations

import datetime as dt

import pytest

from pithtui.models import Citation, Filters, Paper, SortKey
from pithtui.store import HubRepository

N = 57


@pytest.fixture
def hub(repo: HubRepository) -> int:
    hub = Paper(title="The hub", arxiv_id="2301.00001")
    records: list[Paper | Citation] = [hub]
    for i in range(N):
        citing = Paper(
            title=f"Paper {i % 9}",  # repeated values: ties are broken by the paper id
            arxiv_id=f"2401.{i:05d}",
            date=dt.date(2020, 1 + i % 3, 1) if i % 5 else None,
            category=("cs.LG", "cs.CL", None)[i % 3],
            novelty=None if i % 4 == 0 else float(i % 7),
        )
        records.append(Citation(citing=citing, cited=hub, polarity=("supporting", None)[i % 2]))
    repo.upsert(records)
    return repo.resolve("2301.00001").id


@pytest.mark.parametrize("sort", list(SortKey))
@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("filters", [Filters(), Filters(categories=frozenset({"cs.LG", "cs.CL"}))])
def test_offsets_from_either_end_are_slices_of_the_order(repo: HubRepository, hub: int, sort: SortKey, descending: bool, filters: Filters) -> None:
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
