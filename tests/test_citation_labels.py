"""The classifier's labels in the store: who says how a citation cites, on SQLite and PostgreSQL.

A source's labels (Semantic Scholar's intents, a Pith record's polarity) are stored as given and
win; the classifier's are stored beside them with the model's id, fill what no source said, and
are redone for a new model. Every count, filter and sort reads the effective labels, and the
facet cells agree with the citations after every write.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from pithtui.classifier import Classifier
from pithtui.errors import PithError
from pithtui.models import Citation, Filters, Paper, SortKey
from pithtui.sources.citation_model import DEFAULT_MODEL, load_classifier
from pithtui.sources.document import load
from pithtui.sources.importer import import_document
from pithtui.store import HubRepository
from pithtui.store.schema import citations, facet_cells

HUB = Paper(title="The hub", arxiv_id="2305.17493")
CONTRASTING = "Unlike [3], our method does not require labelled data, and their approach fails to scale."
USES = "We use the parser of (Smith et al., 2019) to tag every sentence."
SUPPORTING = "Our results are consistent with those of [4], confirming the effect."


def edge(n: int, contexts: list[str], intents: list[str] | None = None) -> dict[str, Any]:
    return {
        "citingPaper": {"paperId": f"{n:040x}", "title": f"Citing paper {n}", "year": 2020 + n % 5},
        "contexts": contexts,
        "intents": intents or [],
    }


def import_edges(repo: HubRepository, edges: list[dict[str, Any]]) -> Any:
    page = {"offset": 0, "data": edges}
    return import_document(repo, load(json.dumps(page).encode(), "page.json"), "auto", HUB).result


def hub_id(repo: HubRepository) -> int:
    return repo.resolve(HUB.arxiv_id).id


def rows(repo: HubRepository, **filters: Any) -> dict[str, Any]:
    return {row.paper.title: row for row in repo.iter_citing(hub_id(repo), Filters(**filters))}


def assert_cells_agree(repo: HubRepository) -> None:
    """The facet cells count exactly the citations of each (polarity, roles) the citations hold."""
    c, f = citations.c, facet_cells.c
    with repo.engine.connect() as conn:
        counted = conn.execute(select(c.polarity_key, c.roles_key, func.count()).group_by(c.polarity_key, c.roles_key)).all()
        celled = conn.execute(select(f.polarity_key, f.roles_key, func.sum(f.n)).group_by(f.polarity_key, f.roles_key)).all()
    assert {(p, r): n for p, r, n in counted} == {(p, r): int(n) for p, r, n in celled if n}


def retrained(classifier: Classifier, model_id: str) -> Classifier:
    """The shipped model under another id: what a new release's model looks like to a store."""
    data = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    data["model_id"] = model_id
    other = Classifier.from_dict(data)
    assert other.model_id == model_id != classifier.model_id
    return other


def test_an_import_labels_the_contexts_no_source_labelled(repo: HubRepository) -> None:
    model = load_classifier()
    import_edges(repo, [edge(1, [CONTRASTING]), edge(2, [USES]), edge(3, [SUPPORTING]), edge(4, [])])
    found = rows(repo)
    contrasting, uses, supporting, bare = (found[f"Citing paper {n}"] for n in (1, 2, 3, 4))
    assert contrasting.polarity == "contrasting"
    assert supporting.polarity == "supporting"
    assert uses.roles[0] == "uses"
    for row in (contrasting, uses, supporting):
        assert row.polarity_by == row.roles_by == f"pithtui:{model.model_id}"
        assert row.model_id == model.model_id
        assert 0.0 < (row.polarity_score or 0) <= 1.0
        [label] = row.context_labels
        assert label is not None and label.polarity == row.polarity
    assert contrasting.context_labels[0].cues  # the words that weighed most
    # No citing sentence: nothing to label, and the hub says so.
    assert (bare.polarity, bare.roles, bare.polarity_by, bare.context_labels) == (None, (), None, ())
    summary = repo.hub(hub_id(repo))
    assert summary.polarity_unclassified == 1
    assert repo.unlabelled_without_context(hub_id(repo)) == 1
    facets = repo.facets(hub_id(repo))
    counts = {v.value: v.count for v in facets.polarity if v.count}
    assert (counts["contrasting"], counts["supporting"], counts[None]) == (1, 1, 1)
    assert rows(repo, polarities=frozenset({"contrasting"})).keys() == {"Citing paper 1"}
    assert "Citing paper 2" in rows(repo, roles=frozenset({"uses"}))
    assert_cells_agree(repo)


def test_a_sources_labels_win_and_are_kept_as_given(repo: HubRepository) -> None:
    model = load_classifier()
    import_edges(repo, [edge(1, [CONTRASTING], ["methodology"]), edge(2, [USES], ["background", "result"])])
    pith_record = Citation(citing=Paper(title="Pith citing", arxiv_id="2401.00001"), cited=HUB, polarity="supporting",
                           contexts=(CONTRASTING,), source="pith")  # fmt: skip
    repo.upsert([pith_record], model)
    found = rows(repo)
    one, two, pith = found["Citing paper 1"], found["Citing paper 2"], found["Pith citing"]
    assert (one.roles, one.roles_by) == (("uses",), "semantic_scholar")  # methodology, mapped
    assert (one.polarity, one.polarity_by) == ("contrasting", f"pithtui:{model.model_id}")
    assert (two.roles, two.roles_by) == (("background", "compares"), "semantic_scholar")
    assert (pith.polarity, pith.polarity_by, pith.polarity_score) == ("supporting", "pith", None)
    assert pith.context_labels[0] is not None and pith.context_labels[0].polarity == "contrasting"  # kept apart
    assert_cells_agree(repo)


def test_most_contrasting_first(repo: HubRepository) -> None:
    import_edges(repo, [edge(1, [USES]), edge(2, [CONTRASTING]), edge(3, [SUPPORTING]), edge(4, [])])
    page = repo.page(hub_id(repo), Filters(), SortKey.CONTRAST, True)
    titles = [row.paper.title for row in page.rows]
    assert titles[0] == "Citing paper 2" and titles[-1] == "Citing paper 4"
    ascending = repo.page(hub_id(repo), Filters(), SortKey.CONTRAST, False)
    assert [row.paper.title for row in ascending.rows] == titles[::-1]


def test_a_new_model_relabels_and_the_same_model_does_not(repo: HubRepository) -> None:
    model = load_classifier()
    import_edges(repo, [edge(n, [CONTRASTING if n % 2 else USES]) for n in range(1, 8)] + [edge(9, [])])
    hub = hub_id(repo)
    assert repo.to_label(model, hub) == 0  # the import labelled them all
    assert repo.classify(model, hub) == (0, 0, 0)
    newer = retrained(model, "test-model-2")
    assert repo.to_label(newer, hub) == 7
    taken, labelled, changed = repo.classify(newer, hub, batch=3)
    assert (taken, labelled, changed) == (7, 7, 0)  # same weights: same labels, now by the new id
    assert {row.polarity_by for row in rows(repo).values() if row.polarity} == {"pithtui:test-model-2"}
    assert repo.classify(newer, hub) == (0, 0, 0)
    assert repo.classify(newer, hub, force=True)[0] == 7
    assert_cells_agree(repo)


def test_labels_of_stored_citations_fill_the_hub_and_an_interrupted_run_keeps_its_batches(repo: HubRepository) -> None:
    records = [
        Citation(citing=Paper(title=f"Old {n}", arxiv_id=f"2401.{n:05d}"), cited=HUB, contexts=(CONTRASTING,)) for n in range(10)
    ]
    repo.upsert(records)  # stored before the classifier existed: nothing labelled
    hub = hub_id(repo)
    assert repo.hub(hub).polarity_unclassified == 10
    model = load_classifier()

    def stop_after_two(taken: int, _labelled: int) -> None:
        if taken >= 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        repo.classify(model, hub, batch=2, progress=stop_after_two)
    assert repo.hub(hub).polarity_unclassified == 6  # two batches of two kept
    assert_cells_agree(repo)
    assert repo.classify(model, hub)[0] == 6
    assert repo.hub(hub).polarity_unclassified == 0
    assert {v.value: v.count for v in repo.facets(hub).polarity if v.count} == {"contrasting": 10}
    assert_cells_agree(repo)


@pytest.mark.parametrize(
    "context",
    ["x" * 100_000, "", "   ", "这是一个中文句子，引用了文献[3]。", "[b]bold[/b] <script>alert(1)</script> [12]",
     "\x1b[31mred\x1b[0m \x00\x07 [4] \u202e reversed"],
    ids=["100k", "empty", "blank", "chinese", "markup", "control"],
)  # fmt: skip
def test_hostile_contexts_are_labelled_or_left_and_never_crash(repo: HubRepository, context: str) -> None:
    import_edges(repo, [edge(1, [context])])
    [row] = rows(repo).values()
    assert row.polarity in (None, "neutral", "supporting", "contrasting")
    if row.polarity is not None:
        assert row.context_labels and row.polarity_by.startswith("pithtui:")
    else:  # nothing the model could read: not "still indexing" for ever
        assert repo.unlabelled_without_context(hub_id(repo)) == 1
    assert_cells_agree(repo)


def test_without_a_usable_model_an_import_stores_citations_unlabelled(
    repo: HubRepository, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "model.json"
    broken.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("PITHTUI_MODEL", str(broken))
    done = import_edges(repo, [edge(1, [CONTRASTING])])
    assert done.citations_added == 1
    assert any("unclassified" in note and str(broken) in note for note in done.notes)
    [row] = rows(repo).values()
    assert (row.polarity, row.context_labels) == (None, ())
    with pytest.raises(PithError, match="citation model"):
        load_classifier()
    monkeypatch.delenv("PITHTUI_MODEL")
    assert repo.classify(load_classifier(), hub_id(repo))[1] == 1  # a usable model labels it later
