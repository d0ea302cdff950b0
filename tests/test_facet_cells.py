"""The pre-counted facet cells always agree with counting the citations themselves.

Facet counts and totals come from ``facet_cells`` whenever the filters allow, and those cells
are kept up by deltas on every write. These tests write random sequences of overlapping
records (new citations, changed roles and polarities, papers whose verdict, category or date
change, records of one paper from two sources that merge, novelty scores that move a
citation between novelty bands), then ask every hub for its facets
and totals twice: as the UI asks (answered by the cells) and with a filter that excludes
nothing but which the cells cannot answer (so the citations are counted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pithtui.models import Citation, Filters, Paper

EVERYTHING_NEW = dt.datetime(1900, 1, 1)
"""A "new since" that every citation passes: forces counting over the citations."""

ROLES = ["background", "baseline", "method"]
POLARITIES = [None, "supporting", "contrasting"]
VERDICTS = ["UNVERDICTED", "SOUND", "FLAWED"]
CATEGORIES = [None, "cs.LG", "cs.CL"]
DATES = [None, dt.date(2021, 3, 1), dt.date(2022, 7, 9), dt.date(2023, 1, 1)]
NOVELTIES = [None, 0.0, 4.99, 5.0, 6.5, 6.75, 10.0]

paper_numbers = st.integers(0, 7)


@st.composite
def papers(draw: st.DrawFn) -> Paper:
    n = draw(paper_numbers)
    # An odd paper is known by its arXiv id; an even one by its arXiv id, its DOI or both, so
    # records that first stored two papers can later turn out to be one (and merge).
    known_by = draw(st.sampled_from(["arxiv", "doi", "both"])) if n % 2 == 0 else "arxiv"
    return Paper(
        title=f"paper {n}",
        arxiv_id=f"2101.{n:05d}" if known_by in ("arxiv", "both") else None,
        doi=f"10.1000/p{n}" if known_by in ("doi", "both") else None,
        verdict=draw(st.sampled_from(VERDICTS)),
        category=draw(st.sampled_from(CATEGORIES)),
        date=draw(st.sampled_from(DATES)),
        novelty=draw(st.sampled_from(NOVELTIES)),
    )


citations = st.builds(
    Citation,
    citing=papers(),
    cited=papers(),
    roles=st.lists(st.sampled_from(ROLES), max_size=2).map(tuple),
    polarity=st.sampled_from(POLARITIES),
)
writes = st.lists(st.lists(citations | papers(), min_size=1, max_size=6), min_size=1, max_size=5)
filters = st.builds(
    Filters,
    roles=st.frozensets(st.sampled_from(ROLES), max_size=1),
    polarities=st.frozensets(st.sampled_from(POLARITIES), max_size=1),
    verdicts=st.frozensets(st.sampled_from(VERDICTS), max_size=1),
    categories=st.frozensets(st.sampled_from(CATEGORIES), max_size=1),
    since=st.sampled_from([None, dt.date(2022, 1, 1)]),
    until=st.sampled_from([None, dt.date(2022, 12, 31)]),
    # Whole numbers are answered by the rollups split by novelty band; a fractional one by the
    # rollups from the next whole number up and the citations scoring below it.
    min_novelty=st.sampled_from([None, None, 0.0, 5.0, 6.0, 6.5, 0.5, 4.99, 5.5, 9.5, 6.25, 0.3]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=writes, f=filters)
def test_cells_agree_with_counting_citations(fresh_repo, batches, f) -> None:
    repo = fresh_repo()
    for batch in batches:
        repo.upsert(batch)
    for listing in repo.list_papers(limit=None):
        hub = listing.paper.id
        counted = replace(f, new_since=EVERYTHING_NEW)
        assert repo.facets(hub, f) == repo.facets(hub, counted)
        assert repo.count(hub, f) == repo.count(hub, counted)
        summary = repo.hub(hub)
        assert summary.citing_count == repo.count(hub, Filters(new_since=EVERYTHING_NEW))
        assert summary.polarity_unclassified == repo.count(hub, Filters(polarities=frozenset({None}), new_since=EVERYTHING_NEW))


def test_two_hubs_found_to_be_one_paper_keep_every_citation_counted(repo) -> None:
    by_arxiv = Paper(title="The hub", arxiv_id="2101.00001")
    by_doi = Paper(title="The hub (journal version)", doi="10.1000/hub")
    citing = [Paper(title=f"citing {n}", arxiv_id=f"2202.{n:05d}", verdict=VERDICTS[n % 3]) for n in range(3)]
    repo.upsert([Citation(citing=citing[0], cited=by_arxiv, roles=("background",)), Citation(citing=citing[1], cited=by_arxiv)])
    repo.upsert([Citation(citing=citing[1], cited=by_doi, polarity="supporting"), Citation(citing=citing[2], cited=by_doi)])
    assert len(repo.list_papers(limit=None)) == 5

    repo.upsert([Paper(title="The hub", arxiv_id="2101.00001", doi="10.1000/hub")])

    hub = repo.resolve("10.1000/hub")
    assert repo.resolve("2101.00001").id == hub.id
    counted = Filters(new_since=EVERYTHING_NEW)
    assert repo.count(hub.id) == repo.count(hub.id, counted) == 3
    assert repo.hub(hub.id).citing_count == 3
    assert repo.facets(hub.id) == repo.facets(hub.id, counted)
    assert {v.value: v.count for v in repo.facets(hub.id).verdict} == {"UNVERDICTED": 1, "SOUND": 1, "FLAWED": 1}


def test_a_minimum_novelty_counts_each_score_in_its_band(repo) -> None:
    hub = Paper(title="The hub", arxiv_id="2101.00001")
    scores = [None, 0.0, 4.99, 5.0, 5.5, 9.99, 10.0]
    citing = [Paper(title=f"citing {n}", arxiv_id=f"2202.{n:05d}", novelty=score) for n, score in enumerate(scores)]
    repo.upsert([Citation(citing=paper, cited=hub) for paper in citing])
    hub_id = repo.resolve("2101.00001").id

    def shown(minimum: float) -> tuple[int, int]:
        f = Filters(min_novelty=minimum)
        return repo.count(hub_id, f), sum(v.count for v in repo.facets(hub_id, f).verdict)

    assert shown(0) == (6, 6)
    assert shown(5) == (4, 4)
    assert shown(10) == (1, 1)
    # A fractional minimum: the scores of the band it falls in from it up, and every band above.
    assert shown(4.99) == (5, 5)
    assert shown(5.5) == (3, 3)
    assert shown(9.5) == (2, 2)
    assert shown(0.5) == (5, 5)
    assert shown(5.25) == (3, 3)  # off a band's edge (bands are half points)
    assert shown(9.75) == (2, 2)
    # A score that changes moves its citation to its new band.
    repo.upsert([replace(citing[2], novelty=5.01), replace(citing[3], novelty=1.0)])
    assert shown(5) == (4, 4)
    assert shown(6) == (2, 2)
    assert shown(0) == (6, 6)
