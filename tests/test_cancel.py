"""A query whose caller gave up stops: the TUI cancels the counting of a search already retyped.

``HubRepository.cancel_when(predicate)`` makes the calls of the thread inside raise
``Cancelled`` once the predicate turns true: at once if it already is, and on SQLite in the
middle of a running query (SQLite asks a progress handler every few thousand steps). Calls
outside, and on other threads, are not affected.
"""

from __future__ import annotations

import itertools

import pytest

from pithtui.errors import Cancelled
from pithtui.models import Citation, Filters, Paper
from pithtui.store import HubRepository, open_repository


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> HubRepository:
    repo = open_repository(f"sqlite:///{tmp_path_factory.mktemp('cancel') / 'store.db'}")
    hub = Paper(title="The hub", arxiv_id="2301.00001")
    repo.upsert(
        [hub]
        + [
            Citation(
                citing=Paper(
                    title=f"Paper {i} on collapse", arxiv_id=f"2401.{i:05d}", novelty=float(i % 10), category=f"c{i % 7}"
                ),
                cited=hub,
                roles=(f"r{i % 5}",),
            )
            for i in range(5000)
        ]
    )
    yield repo
    repo.close()


def hub(repo: HubRepository) -> int:
    return repo.resolve("2301.00001").id


def test_a_call_whose_caller_already_gave_up_is_not_started(store: HubRepository) -> None:
    with store.cancel_when(lambda: True), pytest.raises(Cancelled):
        store.facets(hub(store))


def test_a_running_query_stops_when_its_caller_gives_up(store: HubRepository) -> None:
    asked = itertools.count()
    hub_id = hub(store)
    # True from the third time it is asked: once before the query, then by SQLite while it runs.
    with store.cancel_when(lambda: next(asked) >= 2), pytest.raises(Cancelled):
        store.facets(hub_id, Filters(min_novelty=1.0, search="collapse"))
    assert next(asked) >= 3


def test_calls_outside_or_not_cancelled_answer_as_usual(store: HubRepository) -> None:
    hub_id = hub(store)
    expected = store.facets(hub_id, Filters(min_novelty=1.0))
    with store.cancel_when(lambda: False):
        assert store.facets(hub_id, Filters(min_novelty=1.0)) == expected
        assert store.count(hub_id, Filters(search="collapse")) == 5000
    assert store.facets(hub_id, Filters(min_novelty=1.0)) == expected
