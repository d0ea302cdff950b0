"""The rules that make records of one paper, or of one citation, one: no database needed."""

from __future__ import annotations

import datetime as dt

from pithtui.merge import BatchPapers, merge_citation, merge_papers
from pithtui.models import UNVERDICTED, Citation, Paper


def test_new_values_win_but_nothing_is_blanked_out() -> None:
    base = Paper(title="Old title", arxiv_id="2401.00001", summary="A summary", date=dt.date(2024, 1, 2))
    new = Paper(title="New title", doi="10.1/x", summary="", date=None)
    merged = merge_papers(base, new)
    assert (merged.title, merged.arxiv_id, merged.doi) == ("New title", "2401.00001", "10.1/x")
    assert (merged.summary, merged.date) == ("A summary", dt.date(2024, 1, 2))


def test_an_unverdicted_record_does_not_undo_a_verdict() -> None:
    assert merge_papers(Paper(title="T", verdict="SOUND"), Paper(title="T", verdict=UNVERDICTED)).verdict == "SOUND"
    assert merge_papers(Paper(title="T", verdict="SOUND"), Paper(title="T", verdict="RETRACTED")).verdict == "RETRACTED"


def test_an_arxiv_category_is_not_replaced_by_a_field_of_study() -> None:
    arxiv = Paper(title="T", category="cs.CL", categories=("cs.CL", "cs.LG"))
    assert merge_papers(arxiv, Paper(title="T", category="Computer Science")).category == "cs.CL"
    assert merge_papers(arxiv, Paper(title="T", categories=("Computer Science",))).categories == ("cs.CL", "cs.LG")
    assert merge_papers(arxiv, Paper(title="T", category="cs.CV")).category == "cs.CV"
    assert merge_papers(Paper(title="T", category="Physics"), Paper(title="T", category="cs.CL")).category == "cs.CL"


def test_merging_what_changes_nothing_returns_the_same_record() -> None:
    base = Paper(title="T", arxiv_id="2401.00001")
    assert merge_papers(base, Paper(title="T")) is base


def test_records_of_one_paper_unite_through_any_shared_identifier() -> None:
    batch = BatchPapers()
    a = batch.add(Paper(title="A", arxiv_id="2401.00001"))
    b = batch.add(Paper(title="B", doi="10.1/b"))
    assert a != b
    joined = batch.add(Paper(title="A, published", arxiv_id="2401.00001", doi="10.1/b"))
    assert batch.find(a) == batch.find(b) == joined
    assert batch.roots() == [joined]
    merged = batch.merged[joined]
    assert (merged.title, merged.arxiv_id, merged.doi) == ("A, published", "2401.00001", "10.1/b")


def test_records_without_identifiers_unite_on_their_title_whatever_its_case_and_spacing() -> None:
    batch = BatchPapers()
    first = batch.add(Paper(title="Attention  is all you need"))
    assert batch.add(Paper(title="attention is ALL you need")) == first
    assert batch.add(Paper(title="Attention is not all you need")) != first


def test_the_same_record_added_again_is_its_own_group() -> None:
    batch = BatchPapers()
    hub = Paper(title="Hub", arxiv_id="2301.00001")
    assert batch.add(hub) == batch.add(hub)
    assert len(batch.roots()) == 1


def test_two_records_of_one_citation_keep_what_either_knows() -> None:
    hub, citing = Paper(title="Hub"), Paper(title="Citing")
    a = Citation(citing=citing, cited=hub, roles=("background",), contexts=("one", ""), polarity="supporting", influential=True)
    b = Citation(citing=citing, cited=hub, roles=("uses", "background"), contexts=("two", "one"), source="s2")
    merged = merge_citation(a, b)
    assert merged.roles == ("background", "uses")
    assert merged.contexts == ("one", "two")
    assert (merged.polarity, merged.influential, merged.source) == ("supporting", True, "s2")
    assert merge_citation(b, a).source == "s2"  # the later record wins ties, but blanks lose
