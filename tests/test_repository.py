"""HubRepository on SQLite and PostgreSQL: resolving references, hub headers, representatives,
upserts that merge records of one paper, visits, search, and values of any size."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import text as sql_text

from pithtui.errors import UnknownPaper
from pithtui.models import UNVERDICTED, Citation, Filters, Paper, SortKey
from pithtui.sources.sample import SAMPLE_REF, load_sample_hub
from pithtui.store import HubRepository, upsert

HUB = Paper(title="The Hub Paper", arxiv_id="2301.00001", cited_by_reported=40)


def cite(citing: Paper, cited: Paper = HUB, **how) -> Citation:
    return Citation(citing=citing, cited=cited, **how)


def citing_papers(n: int, **fields) -> list[Paper]:
    return [Paper(title=f"Citing paper {i}", arxiv_id=f"2402.{i:05d}", **fields) for i in range(n)]


def hub_id(repo: HubRepository, ref: str = HUB.arxiv_id) -> int:
    return repo.resolve(ref).id


def everything(repo: HubRepository) -> tuple:
    """What a user can see of the whole store."""
    listings = tuple(repo.list_papers(limit=None))
    hubs = tuple(
        (item.paper.id, repo.hub(item.paper.id), repo.facets(item.paper.id), repo.page(item.paper.id, limit=10_000).rows)
        for item in listings
        if item.citing_count
    )
    return listings, hubs


# --------------------------------------------------------------------------- the sample hub


def test_sample_hub_as_the_seed_page_shows_it(repo: HubRepository) -> None:
    result = repo.upsert(load_sample_hub())
    records = load_sample_hub()
    citing = [r for r in records if isinstance(r, Citation)]
    assert (result.papers_added, result.citations_added) == (len(citing) + 1, len(citing))
    hub = repo.resolve(SAMPLE_REF)
    summary = repo.hub(hub.id)
    assert summary.paper.title == "The Curse of Recursion: Training on Generated Data Makes Models Forget"
    assert summary.cited_by == 30
    assert summary.citing_count == len(citing)
    assert summary.still_indexing and summary.polarity_unclassified == len(citing)
    assert repo.count(hub.id) == len(citing)
    assert [r.paper.title for r in repo.representatives(hub.id)] == [c.citing.title for c in citing]


def test_storing_the_sample_again_changes_nothing(repo: HubRepository) -> None:
    repo.upsert(load_sample_hub())
    before = everything(repo)
    again = repo.upsert(load_sample_hub())
    assert not again.changed
    assert (again.papers_added, again.papers_updated, again.citations_added, again.citations_updated) == (0, 0, 0, 0)
    assert everything(repo) == before


# --------------------------------------------------------------------------- resolving references


@pytest.mark.parametrize(
    "ref",
    [
        "2305.17493",
        "arXiv:2305.17493v2",
        "https://arxiv.org/abs/2305.17493v1",
        "https://arxiv.org/pdf/2305.17493.pdf",
        "10.48550/arXiv.2305.17493",
        "https://doi.org/10.48550/arxiv.2305.17493",
    ],
)
def test_arxiv_reference_forms(repo: HubRepository, ref: str) -> None:
    repo.upsert([Paper(title="Curse", arxiv_id="2305.17493")])
    assert repo.resolve(ref).arxiv_id == "2305.17493"


def test_every_identifier_kind_resolves(repo: HubRepository) -> None:
    paper = Paper(
        title="Identified",
        doi="10.1000/xyz.123",
        s2_id="0123456789abcdef0123456789abcdef01234567",
        corpus_id=3_000_000_001,  # beyond a 32-bit integer
        openalex_id="W4385245566",
    )
    repo.upsert([paper])
    for ref in (
        "10.1000/XYZ.123",
        "https://doi.org/10.1000/xyz.123",
        "0123456789ABCDEF0123456789ABCDEF01234567",
        "CorpusId:3000000001",
        "https://openalex.org/W4385245566",
        "w4385245566",
    ):
        found = repo.resolve(ref)
        assert (found.title, found.corpus_id) == ("Identified", 3_000_000_001), ref


def test_title_words_prefer_the_exact_title_then_the_most_cited(repo: HubRepository) -> None:
    exact = Paper(title="Model Collapse", arxiv_id="2401.00001")
    longer = Paper(title="Model Collapse in Language Models", arxiv_id="2401.00002")
    other = Paper(title="Collapse of Models, Revisited", arxiv_id="2401.00003")
    repo.upsert([exact, longer, other, *(cite(p, longer) for p in citing_papers(3))])
    assert repo.resolve("model collapse").arxiv_id == exact.arxiv_id
    assert repo.resolve("  MODEL   collapse ").arxiv_id == exact.arxiv_id
    assert repo.resolve("collapse models").arxiv_id == longer.arxiv_id  # most cited of those with both words


@pytest.mark.parametrize("ref", ["9999.99999", "10.1000/none", "CorpusId:1", "no such words", "", "   "])
def test_unknown_reference(repo: HubRepository, ref: str) -> None:
    repo.upsert(load_sample_hub())
    with pytest.raises(UnknownPaper):
        repo.resolve(ref)


def test_unknown_paper_ids(repo: HubRepository) -> None:
    repo.upsert(load_sample_hub())
    missing = max(item.paper.id for item in repo.list_papers(limit=None)) + 1
    with pytest.raises(UnknownPaper):
        repo.paper(missing)
    with pytest.raises(UnknownPaper):
        repo.hub(missing)
    with pytest.raises(UnknownPaper):
        repo.citing_paper(hub_id(repo, SAMPLE_REF), missing)


# --------------------------------------------------------------------------- listing and the header


def test_papers_most_cited_first_and_searchable(repo: HubRepository) -> None:
    small = Paper(title="A Smaller Hub", arxiv_id="2301.00002")
    repo.upsert([*(cite(p) for p in citing_papers(3)), cite(citing_papers(1)[0], small)])
    listings = repo.list_papers(limit=None)
    counts = [item.citing_count for item in listings]
    assert counts == sorted(counts, reverse=True)
    assert (listings[0].paper.title, listings[0].citing_count) == (HUB.title, 3)
    assert [i.paper.title for i in repo.list_papers("smaller")] == [small.title]
    assert [i.paper.title for i in repo.list_papers("2301.00002")] == [small.title]
    assert len(repo.list_papers(limit=2)) == 2


def test_header_counts_what_is_stored_and_what_waits_for_polarity(repo: HubRepository) -> None:
    papers = citing_papers(5)
    repo.upsert([cite(p, polarity="supporting" if i < 2 else None) for i, p in enumerate(papers)])
    summary = repo.hub(hub_id(repo))
    assert (summary.citing_count, summary.polarity_unclassified) == (5, 3)
    assert summary.cited_by == 40  # the source reports more than the store holds
    repo.upsert([cite(p, polarity="contrasting") for p in papers[2:]])
    summary = repo.hub(hub_id(repo))
    assert (summary.polarity_unclassified, summary.still_indexing) == (0, False)


def test_representatives_flagged_first_else_most_novel_then_newest(repo: HubRepository) -> None:
    day = dt.date(2024, 1, 1)
    papers = [
        Paper(title="old novel", arxiv_id="2402.00001", novelty=9.0, date=day),
        Paper(title="new novel", arxiv_id="2402.00002", novelty=9.0, date=day + dt.timedelta(days=30)),
        Paper(title="dull", arxiv_id="2402.00003", novelty=1.0, date=day),
        Paper(title="unscored", arxiv_id="2402.00004", date=day),
    ]
    repo.upsert([cite(p) for p in papers])
    assert [r.paper.title for r in repo.representatives(hub_id(repo))] == ["new novel", "old novel", "dull", "unscored"]
    assert [r.paper.title for r in repo.representatives(hub_id(repo), limit=1)] == ["new novel"]
    repo.upsert([cite(papers[2], representative=True)])
    assert [r.paper.title for r in repo.representatives(hub_id(repo))] == ["dull"]


def test_citing_paper_carries_how_it_cites(repo: HubRepository) -> None:
    paper = citing_papers(1)[0]
    repo.upsert(
        [
            cite(
                paper,
                roles=("baseline", "background"),
                polarity="supporting",
                influential=True,
                contexts=("As [3] shows",),
                source="s2",
            )
        ]
    )
    row = repo.citing_paper(hub_id(repo), repo.resolve(paper.arxiv_id).id)
    assert row.roles == ("background", "baseline")
    assert (row.polarity, row.influential, row.contexts, row.source) == ("supporting", True, ("As [3] shows",), "s2")


def test_selected_values_stay_listed_with_zero(repo: HubRepository) -> None:
    repo.upsert([cite(p, roles=("background",)) for p in citing_papers(2, category="cs.LG")])
    hub = hub_id(repo)
    by_role = repo.facets(hub, Filters(roles=frozenset({"method"})))
    assert {v.value: v.count for v in by_role.role} == {"background": 2, "method": 0}
    assert by_role.category == ()
    by_category = repo.facets(hub, Filters(categories=frozenset({"cs.CL"}), polarities=frozenset({None})))
    assert {v.value: v.count for v in by_category.category} == {"cs.LG": 2, "cs.CL": 0}
    assert {v.value: v.count for v in by_category.polarity} == {None: 0}
    assert repo.count(hub, Filters(categories=frozenset({"cs.CL"}))) == 0


# --------------------------------------------------------------------------- merging


def test_a_record_with_a_shared_identifier_updates_the_same_paper(repo: HubRepository) -> None:
    repo.upsert([Paper(title="preprint title", arxiv_id="2402.00001", verdict="SOUND", novelty=6.0)])
    result = repo.upsert([Paper(title="Published Title", arxiv_id="2402.00001", doi="10.1000/pub", verdict=UNVERDICTED)])
    assert (result.papers_added, result.papers_updated) == (0, 1)
    by_doi, by_arxiv = repo.resolve("10.1000/pub"), repo.resolve("2402.00001")
    assert by_doi == by_arxiv
    # New values win, nothing known is blanked out, and UNVERDICTED does not undo a verdict.
    assert (by_doi.title, by_doi.verdict, by_doi.novelty) == ("Published Title", "SOUND", 6.0)
    assert len(repo.list_papers(limit=None)) == 1


def test_two_stored_papers_found_to_be_one_are_merged_with_their_citations(repo: HubRepository) -> None:
    as_preprint = Paper(title="Hub (preprint)", arxiv_id="2301.00009")
    as_article = Paper(title="Hub (article)", doi="10.1000/hub")
    papers = citing_papers(4)
    repo.upsert([cite(papers[0], as_preprint), cite(papers[1], as_preprint, polarity="supporting")])
    repo.upsert([cite(papers[1], as_article, roles=("method",)), cite(papers[2], as_article)])
    assert len(repo.list_papers(limit=None)) == 2 + 3
    repo.upsert([cite(papers[3], as_article), Paper(title="Hub", arxiv_id="2301.00009", doi="10.1000/hub")])
    merged = repo.resolve("10.1000/hub")
    assert merged == repo.resolve("2301.00009")
    assert (merged.title, merged.arxiv_id, merged.doi) == ("Hub", "2301.00009", "10.1000/hub")
    assert len(repo.list_papers(limit=None)) == 1 + 4
    rows = repo.page(merged.id, limit=100).rows
    assert sorted(r.paper.arxiv_id for r in rows) == sorted(p.arxiv_id for p in papers)  # each once
    assert repo.hub(merged.id).citing_count == 4
    assert repo.count(merged.id) == 4
    assert sum(v.count for v in repo.facets(merged.id).verdict) == 4
    assert [i.citing_count for i in repo.list_papers(limit=None)][0] == 4


def test_citations_of_a_merged_paper_sort_and_filter_by_its_merged_values(repo: HubRepository) -> None:
    """Paper Y (arXiv) and paper X (DOI) are one paper; each cited a different hub first."""
    other_hub = Paper(title="Other Hub", arxiv_id="2301.00002")
    y = Paper(title="Y", arxiv_id="2402.00001", novelty=5.0, category="cs.LG", date=dt.date(2024, 5, 1))
    x = Paper(title="X", doi="10.1000/x", novelty=3.0, category="cs.CL", date=dt.date(2020, 1, 1))
    repo.upsert([cite(y, other_hub)])
    repo.upsert([cite(x, HUB)])
    repo.upsert([Paper(title="Y", arxiv_id="2402.00001", doi="10.1000/x")])
    merged = repo.resolve("10.1000/x")
    hub = hub_id(repo)
    [row] = repo.page(hub).rows
    assert row.paper == merged
    wanted = Filters(min_novelty=merged.novelty, categories=frozenset({merged.category}), since=merged.date)
    assert repo.count(hub, wanted) == 1
    assert [r.paper.id for r in repo.page(hub, wanted).rows] == [merged.id]
    assert {v.value: v.count for v in repo.facets(hub).category} == {merged.category: 1}
    assert repo.page(hub, sort=SortKey.NOVELTY).first.value == merged.novelty


def test_records_of_one_paper_in_one_batch_unite_through_any_identifier(repo: HubRepository) -> None:
    result = repo.upsert(
        [
            Paper(title="A", arxiv_id="2402.00001"),
            Paper(title="A", doi="10.1000/a"),
            Paper(title="A", doi="10.1000/a", corpus_id=77),
            Paper(title="A, final", corpus_id=77, arxiv_id="2402.00001"),
        ]
    )
    assert result.papers_added == 1
    assert repo.resolve("CorpusId:77") == repo.resolve("10.1000/a") == repo.resolve("2402.00001")


def test_papers_without_identifiers_merge_on_their_title(repo: HubRepository) -> None:
    repo.upsert([cite(Paper(title="An  Untitled   Preprint"))])
    repo.upsert([cite(Paper(title="an untitled preprint", summary="Now with a summary."))])
    assert repo.hub(hub_id(repo)).citing_count == 1
    [row] = repo.page(hub_id(repo)).rows
    assert row.paper.summary == "Now with a summary."


def test_a_paper_citing_itself_is_skipped(repo: HubRepository) -> None:
    result = repo.upsert([cite(HUB), cite(replace(HUB, doi="10.1000/same"))])
    assert result.skipped >= 1 and result.citations_added == 0
    assert repo.hub(hub_id(repo)).citing_count == 0


def test_a_changed_citing_paper_moves_in_sorts_and_facets(repo: HubRepository) -> None:
    papers = citing_papers(3, category="cs.CL", novelty=5.0)
    repo.upsert([cite(p) for p in papers])
    repo.upsert([replace(papers[1], novelty=9.5, category="cs.LG", date=dt.date(2025, 2, 3), verdict="SOUND")])
    hub = hub_id(repo)
    top = repo.page(hub, sort=SortKey.NOVELTY, limit=1).rows[0]
    assert (top.paper.arxiv_id, top.paper.novelty) == (papers[1].arxiv_id, 9.5)
    facets = repo.facets(hub)
    assert {v.value: v.count for v in facets.category} == {"cs.CL": 2, "cs.LG": 1}
    assert {v.value: v.count for v in facets.verdict} == {UNVERDICTED: 2, "SOUND": 1}
    assert {v.value: v.count for v in facets.year} == {2025: 1, None: 2}
    assert repo.count(hub, Filters(since=dt.date(2025, 1, 1))) == 1
    assert repo.count(hub, Filters(categories=frozenset({"cs.LG"}), min_novelty=9.0)) == 1


def test_a_later_record_without_polarity_does_not_unclassify(repo: HubRepository) -> None:
    paper = citing_papers(1)[0]
    repo.upsert([cite(paper, polarity="contrasting", roles=("baseline",))])
    repo.upsert([cite(paper)])
    [row] = repo.page(hub_id(repo)).rows
    assert (row.polarity, row.roles) == ("contrasting", ("baseline",))
    assert repo.hub(hub_id(repo)).polarity_unclassified == 0


def test_an_empty_polarity_is_stored_as_not_yet_classified(repo: HubRepository) -> None:
    repo.upsert([cite(citing_papers(1)[0], polarity="")])
    [row] = repo.page(hub_id(repo)).rows
    assert row.polarity is None
    assert repo.count(hub_id(repo), Filters(polarities=frozenset({None}))) == 1


def test_a_large_import_refreshes_the_planner_statistics(repo: HubRepository, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plans of a store that grew by a large import are chosen from its new size: the
    import ends by analysing its tables (on PostgreSQL the papers by their plain columns)."""
    monkeypatch.setattr(upsert, "ANALYZE_AFTER", 40)
    if repo.engine.dialect.name == "sqlite":
        query = "SELECT tbl || ':' || idx FROM sqlite_stat1 WHERE tbl IN ('citations', 'papers')"
    else:
        query = "SELECT tablename || ':' || attname FROM pg_stats WHERE tablename IN ('citations', 'papers')"

    def statistics() -> set[str]:
        with repo.engine.connect() as conn:
            if (
                repo.engine.dialect.name == "sqlite"
                and not conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first()
            ):
                return set()  # made by the first ANALYZE
            return set(conn.exec_driver_sql(query).scalars())

    repo.upsert([cite(paper) for paper in citing_papers(10)])
    assert statistics() == set()  # a small import leaves them alone
    repo.upsert([cite(paper) for paper in citing_papers(50)])
    found = statistics()
    if repo.engine.dialect.name == "sqlite":
        assert {"citations:ix_cit_hub_date", "papers:ix_papers_listing"} <= found
    else:
        assert {"citations:cited_id", "papers:citing_count"} <= found


# --------------------------------------------------------------------------- visits and facts


def test_stored_lists_read_back_whatever_their_spacing(repo: HubRepository) -> None:
    """Lists are read straight from the JSON text pithtui writes; text another writer left with
    whitespace around it (a hand-edited store) still reads."""
    repo.upsert([cite(p) for p in citing_papers(2)])
    paper = repo.resolve("2402.00001")
    for stored in ('["Ada Lovelace", "Alan Turing"]', '  ["Ada Lovelace", "Alan Turing"]  ', '\n["Ada Lovelace","Alan Turing"]'):
        with repo.engine.begin() as conn:
            conn.execute(sql_text("UPDATE papers SET authors = :stored WHERE id = :id"), {"stored": stored, "id": paper.id})
        assert repo.paper(paper.id).authors == ("Ada Lovelace", "Alan Turing"), stored
        row = repo.page(hub_id(repo), Filters(), limit=5).rows
        assert [r.paper.authors for r in row if r.paper.id == paper.id] == [("Ada Lovelace", "Alan Turing")]


def test_visits_and_the_last_hub(repo: HubRepository) -> None:
    repo.upsert(load_sample_hub())
    assert repo.last_hub() is None
    hub = hub_id(repo, SAMPLE_REF)
    first = dt.datetime(2026, 1, 2, 3, 4, 5)
    assert repo.last_visit(hub) is None
    assert repo.record_visit(hub, first) is None
    assert repo.last_visit(hub) == first
    assert repo.record_visit(hub, first + dt.timedelta(days=1)) == first
    assert repo.last_visit(hub) == first + dt.timedelta(days=1)
    assert repo.last_hub().id == hub


def test_new_since_counts_only_citations_stored_later(repo: HubRepository) -> None:
    papers = citing_papers(5)
    repo.upsert([cite(p) for p in papers[:3]])
    hub = hub_id(repo)
    seen = max(r.first_seen for r in repo.page(hub).rows)
    repo.upsert([cite(p) for p in papers[3:]])
    later = repo.page(hub, Filters(new_since=seen)).rows
    assert sorted(r.paper.arxiv_id for r in later) == [p.arxiv_id for p in papers[3:]]
    assert repo.count(hub, Filters(new_since=seen)) == 2


def test_info(repo: HubRepository) -> None:
    repo.upsert(load_sample_hub())
    info = repo.info()
    assert (info["papers"], info["citations"], info["hubs"]) == (9, 8, 1)
    assert info["backend"] in ("sqlite", "postgresql")
    assert info["schema_version"] >= 1


# --------------------------------------------------------------------------- search


@pytest.mark.parametrize(
    ("title", "query"),
    [
        ("Die Straße der Modelle", "Straße"),
        ("Die Straße der Modelle", "straße modelle"),
        ("École Normale and Models", "école"),
        ("École Normale and Models", "ÉCOLE norm"),
        ("École Normale and Models", "ecole"),
        ("Ωmega: Greek Letters", "ωmega"),
        ("GPT-4 Technical Report", "gpt-4"),
        ("GPT-4 Technical Report", "gpt 4 tech"),
        ("Data_Sets and 100% Recall", "100 recall"),
        ("Scaling to 1.5B Parameters", "1.5b"),
        ("Over-fitting, Revisited", "over fit"),
    ],
)
def test_search_finds_a_title_by_its_own_words(repo: HubRepository, title: str, query: str) -> None:
    papers = [Paper(title=title, arxiv_id="2402.00001"), Paper(title="Unrelated Work", arxiv_id="2402.00002")]
    repo.upsert([cite(p) for p in papers])
    assert [r.paper.title for r in repo.page(hub_id(repo), Filters(search=query)).rows] == [title]
    assert [i.paper.title for i in repo.list_papers(query)] == [title]


@pytest.mark.parametrize("query", ["%", "_", "\\", "' OR 1=1 --", '"', "*", "title:x", "NEAR(a b)", "a AND b", "(", "-x"])
def test_search_text_is_never_syntax(repo: HubRepository, query: str) -> None:
    repo.upsert([cite(p) for p in citing_papers(3)])
    # Punctuation only separates words: a query of none finds everything, never an error.
    rows = repo.page(hub_id(repo), Filters(search=query)).rows
    assert len(rows) in (0, 3)
    repo.list_papers(query)


# --------------------------------------------------------------------------- values of any size


def test_long_open_vocabulary_values_are_stored_whole(repo: HubRepository) -> None:
    long = "x" * 300
    paper = Paper(
        title="T" * 2000,
        arxiv_id="2402.00001",
        category="cat." + long,
        verdict="VERDICT " + long,
        venue="V" * 1000,
    )
    roles = tuple(f"role {i} {long}" for i in range(6))
    repo.upsert([cite(paper, roles=roles, polarity="polarity " + long, source="source " + long)])
    hub = hub_id(repo)
    [row] = repo.page(hub, Filters(categories=frozenset({paper.category}), roles=frozenset({roles[3]}))).rows
    assert row.paper == replace(paper, id=row.paper.id)
    assert (row.roles, row.polarity, row.source) == (roles, "polarity " + long, "source " + long)
    assert {v.value for v in repo.facets(hub).role} == set(roles)
