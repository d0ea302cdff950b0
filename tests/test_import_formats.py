"""Import formats without recorded samples (OpenAlex, Pith, BibTeX), format detection, merging
across sources, and every way a file can be wrong: one-line errors or counted skips, and the
store untouched by a failed file."""

from __future__ import annotations

import io
import json

import bibtexparser
import pytest
from sources_support import BIBTEX

from pithtui.errors import InputError
from pithtui.export import build_report, write_bibtex
from pithtui.models import Citation, Paper
from pithtui.sources import formats
from pithtui.sources.document import load
from pithtui.sources.importer import hub_paper, import_document
from pithtui.sources.sample import load_sample_hub
from pithtui.store import HubRepository

OPENALEX_WORK = {
    "id": "https://openalex.org/W4378771755",
    "doi": "https://doi.org/10.48550/arxiv.2305.17493",
    "title": "The Curse of Recursion:\n Training on Generated Data Makes Models Forget",
    "display_name": "The Curse of Recursion",
    "publication_date": "2023-05-27",
    "publication_year": 2023,
    "ids": {"openalex": "https://openalex.org/W4378771755", "doi": "https://doi.org/10.48550/arxiv.2305.17493"},
    "authorships": [{"author": {"display_name": "Ilia Shumailov"}}, {"author": {"display_name": "Zakhar Shumaylov"}}],
    "primary_location": {
        "landing_page_url": "https://arxiv.org/abs/2305.17493",
        "source": {"display_name": "arXiv (Cornell University)"},
    },
    "locations": [{"landing_page_url": "https://arxiv.org/abs/2305.17493", "pdf_url": None}],
    "primary_topic": {"display_name": "Topic Modeling"},
    "topics": [{"display_name": "Topic Modeling"}, {"display_name": "Natural Language Processing Techniques"}],
    "cited_by_count": 120,
    "abstract_inverted_index": {"Stable": [0], "Diffusion": [1], "revolutionised": [2], "image": [3], "creation.": [4]},
}


def _citing_work(n: int) -> dict:
    return {
        "id": f"https://openalex.org/W{1000 + n}",
        "doi": f"https://doi.org/10.1000/citing.{n}",
        "title": f"Citing work {n}",
        "publication_year": 2024,
        "locations": [{"landing_page_url": f"https://arxiv.org/abs/2401.{10000 + n}"}],
        "abstract_inverted_index": None,
        "cited_by_count": n,
    }


def _import(repo: HubRepository, text: str | bytes, name: str = "input", fmt: str = "auto", hub: str | None = None):
    data = text.encode() if isinstance(text, str) else text
    return import_document(repo, load(data, name), fmt, hub_paper(repo, hub) if hub else None)


def _snapshot(repo: HubRepository) -> tuple:
    return repo.info()["papers"], repo.info()["citations"], [(p.paper, p.citing_count) for p in repo.list_papers(limit=None)]


# ---------------------------------------------------------------- OpenAlex


def test_openalex_work_maps_every_field(store: HubRepository) -> None:
    done = _import(store, json.dumps(OPENALEX_WORK), "work.json")
    assert done.format == "openalex"
    paper = store.resolve("W4378771755")
    assert paper.arxiv_id == "2305.17493"  # from the arXiv DOI
    assert paper.doi == "10.48550/arxiv.2305.17493"
    assert paper.title == " ".join(OPENALEX_WORK["title"].split())
    assert paper.abstract == "Stable Diffusion revolutionised image creation."
    assert paper.authors == ("Ilia Shumailov", "Zakhar Shumaylov")
    assert paper.date.isoformat() == OPENALEX_WORK["publication_date"]
    assert paper.cited_by_reported == OPENALEX_WORK["cited_by_count"]
    assert paper.category == "Topic Modeling"
    assert paper.venue == "arXiv (Cornell University)"


def test_openalex_cites_page_needs_a_hub_to_become_citations(store: HubRepository) -> None:
    page = {"meta": {"count": 3, "page": 1, "per_page": 25}, "results": [_citing_work(n) for n in range(3)]}
    plain = _import(store, json.dumps(page), "page.json")
    assert (plain.result.papers_added, plain.result.citations_added) == (3, 0)
    linked = _import(store, json.dumps(page), "page.json", hub="W4378771755")
    assert linked.result.citations_added == 3
    hub = store.resolve("W4378771755")
    rows = list(store.iter_citing(hub.id))
    assert {r.paper.arxiv_id for r in rows} == {f"2401.{10000 + n}" for n in range(3)}  # from the landing page
    assert {r.source for r in rows} == {"openalex"}


# ---------------------------------------------------------------- Pith records


PITH_RECORD = {
    "paper": {
        "title": "When Does Model Collapse Occur?",
        "primary_cat": "cs.LG",
        "cross_cats": ["stat.ML", "cs.AI"],
        "authors_text": "Ada Lovelace, Alan Turing and Grace Hopper",
        "submitted_at": "2026-05-19T12:00:00Z",
        "abstract_excerpt": "We study collapse.",
    },
    "source": {"kind": "arxiv", "id": "2605.01234"},
    "verdict": {"one_line_summary": "Collapse happens when the graph has a cycle."},
}


def test_pith_records_single_and_list(store: HubRepository) -> None:
    done = _import(store, json.dumps(PITH_RECORD), "pith.json")
    assert done.format == "pith"
    paper = store.resolve("2605.01234")
    body = PITH_RECORD["paper"]
    assert paper.title == body["title"]
    assert (paper.category, paper.categories) == (body["primary_cat"], (body["primary_cat"], *body["cross_cats"]))
    assert paper.authors == ("Ada Lovelace", "Alan Turing", "Grace Hopper")
    assert paper.date.isoformat() == body["submitted_at"][:10]
    assert paper.abstract == body["abstract_excerpt"]
    assert paper.summary == PITH_RECORD["verdict"]["one_line_summary"]

    other = {**PITH_RECORD, "source": {"kind": "doi", "id": "10.1000/xyz"}, "paper": {**body, "title": "Another"}}
    listed = _import(store, json.dumps([PITH_RECORD, other]), "pith-list.json", hub="2305.17493")
    assert listed.result.citations_added == 2
    assert store.resolve("10.1000/xyz").title == "Another"


def test_pith_record_with_a_bad_field_names_it(store: HubRepository) -> None:
    bad = {**PITH_RECORD, "paper": {**PITH_RECORD["paper"], "submitted_at": "yesterday"}}
    with pytest.raises(InputError, match=r"bad\.json\[1\]: paper: field 'submitted_at' is not a date"):
        _import(store, json.dumps([PITH_RECORD, bad]), "bad.json")
    assert store.is_empty()


# ---------------------------------------------------------------- BibTeX


def test_bibtex_entries_map_and_decode_latex(store: HubRepository) -> None:
    done = _import(store, BIBTEX, "refs.bib")
    assert (done.format, done.result.papers_added) == ("bibtex", 2)
    curse = store.resolve("2305.17493")
    assert curse.title == "The Curse of Recursion: Training on Generated Data Makes Models Forget"
    assert curse.authors == ("Ilia Shumailov", "Zakhar Shumaylov")
    assert (curse.date.isoformat(), curse.category) == ("2023-05-01", "cs.LG")
    muller = store.resolve("10.1000/abc.1")
    assert (muller.title, muller.authors, muller.venue) == ("Straße und Müller", ("J. Müller",), "Journal of Tests")


def test_bibtex_export_parses_back_with_bibtexparser(tmp_path) -> None:
    from pithtui.store import open_repository

    repo = open_repository(f"sqlite:///{tmp_path / 'b.db'}")
    repo.upsert(load_sample_hub())
    hub = repo.resolve("2305.17493")
    out = io.StringIO()
    write_bibtex(build_report(repo, hub.id), out)
    library = bibtexparser.parse_string(out.getvalue())
    assert not library.failed_blocks
    rows = list(repo.iter_citing(hub.id))
    assert len(library.entries) == len(rows)
    assert len({e.key for e in library.entries}) == len(rows)

    again = open_repository(f"sqlite:///{tmp_path / 'c.db'}")
    done = import_document(again, load(out.getvalue().encode(), "export.bib"), hub=hub_paper(again, "2305.17493"))
    assert done.result.citations_added == len(rows)
    titles = {r.paper.title for r in again.iter_citing(again.resolve("2305.17493").id)}
    assert titles == {r.paper.title for r in rows}


def test_bibtex_duplicate_key_is_a_counted_skip_and_broken_entry_an_error(store: HubRepository) -> None:
    dup = BIBTEX + "\n@misc{shumailov2023curse, title = {Again}}\n"
    done = _import(store, dup, "dup.bib")
    assert done.result.skipped == 1 and any("duplicate key" in n for n in done.result.notes)
    before = _snapshot(store)
    with pytest.raises(InputError, match=r"broken\.bib: line \d+: cannot parse"):
        _import(store, "@article{ok, title={Fine}}\n@article{broken, title = {unclosed\n", "broken.bib")
    assert _snapshot(store) == before


# ---------------------------------------------------------------- detection and bad input


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (json.dumps({"format": "pithtui", "version": 1, "paper": {"title": "x"}}), "pithtui"),
        (json.dumps(OPENALEX_WORK), "openalex"),
        (json.dumps({"meta": {}, "results": []}), "openalex"),
        (json.dumps(PITH_RECORD), "pith"),
        (json.dumps({"paperId": "a" * 40, "title": "t"}), "s2"),
        (json.dumps({"offset": 0, "data": []}), "s2"),
        (BIBTEX, "bibtex"),
        ("<?xml version='1.0'?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>", "arxiv"),
    ],
)
def test_auto_detects_by_content(text: str, expected: str) -> None:
    assert formats.detect(load(text.encode(), "whatever.txt")).name == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"paperId": "abc", "title": ', r"x\.json: not valid JSON .*truncated"),
        (b'{"paperId": "abc" "title": "t"}', r"x\.json: not valid JSON \(Expecting ',' delimiter"),
        (b'{"paperId": "a"}\n{"paperId": "b"}\n{"paperId": ', r"x\.json: line 3 is not valid JSON .*truncated"),
        (b'{"colour": "blue"}', r"x\.json: cannot tell the format of this JSON"),
        (b"just words", r"x\.json: cannot tell the format of this text"),
        (b"", r"x\.json: the file is empty"),
        (b"\xff\xfe\x00garbage", r"x\.json: not UTF-8 text"),
        (b'{"error": "Paper with id 0 not found"}', r"error answer from a service.*Paper with id 0 not found"),
        (
            b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "b">]><feed xmlns="http://www.w3.org/2005/Atom"/>',
            r"refused: the XML declares a DTD",
        ),
        (b'{"paperId": "x", "externalIds": {"DOI": "not a doi"}}', r"x\.json: externalIds: field 'DOI' is not a DOI"),
        (b'{"paperId": "x", "authors": "nobody"}', r"x\.json: field 'authors' should be a list"),
    ],
)
def test_bad_input_is_one_line_and_stores_nothing(store: HubRepository, data: bytes, message: str) -> None:
    store.upsert(load_sample_hub())
    before = _snapshot(store)
    fmt = "arxiv" if b"DOCTYPE" in data else "auto"
    with pytest.raises(InputError, match=message) as caught:
        import_document(store, load(data, "x.json"), fmt)
    assert "\n" not in str(caught.value)
    assert _snapshot(store) == before


def test_wrong_forced_format_is_an_error(store: HubRepository) -> None:
    with pytest.raises(InputError, match="not an OpenAlex work or result page"):
        _import(store, json.dumps({"paperId": "a" * 40}), "x.json", fmt="openalex")
    with pytest.raises(InputError, match="not BibTeX"):
        _import(store, json.dumps(OPENALEX_WORK), "x.json", fmt="bibtex")
    with pytest.raises(InputError, match="unknown format"):
        _import(store, json.dumps(OPENALEX_WORK), "x.json", fmt="yaml")


def test_a_file_failing_half_way_stores_nothing_of_itself(store: HubRepository) -> None:
    good = [{"citingPaper": {"paperId": f"{n:040x}", "title": f"Paper {n}"}, "intents": ["background"]} for n in range(50)]
    bad = {"citingPaper": {"paperId": "f" * 40, "title": "Bad", "year": "soon"}}
    page = {"offset": 0, "data": [*good, bad]}
    with pytest.raises(InputError, match=r"x\.json: data\[50\]: citingPaper: field 'year' is not a date"):
        _import(store, json.dumps(page), "x.json", hub="CorpusId:7")
    assert store.is_empty()


def test_missing_citing_paper_and_repeats_are_counted_skips(store: HubRepository) -> None:
    edge = {"citingPaper": {"paperId": "a" * 40, "title": "A"}, "intents": ["Methodology"], "isInfluential": True}
    page = {"offset": 0, "data": [edge, edge, {"citingPaper": None}, {"citingPaper": {"paperId": None, "title": None}}]}
    done = _import(store, json.dumps(page), "x.json", hub="CorpusId:7")
    assert (done.result.citations_added, done.result.skipped) == (1, 3)
    [row] = store.iter_citing(store.resolve("CorpusId:7").id)
    assert (row.roles, row.influential) == (("uses",), True)


def test_bare_edges_without_a_hub_are_refused_but_one_paper_in_the_file_is_the_hub(store: HubRepository) -> None:
    edge = {"citingPaper": {"paperId": "a" * 40, "title": "A"}}
    with pytest.raises(InputError, match="name the paper with --hub REF"):
        _import(store, json.dumps(edge), "x.json")
    hub = {"paperId": "b" * 40, "title": "The hub", "citationCount": 9, "tldr": {"text": "Short."}}
    lines = "\n".join(json.dumps(v) for v in (hub, edge))
    done = _import(store, lines, "x.jsonl")
    assert done.result.citations_added == 1
    stored = store.resolve("b" * 40)
    assert (stored.title, stored.cited_by_reported, stored.summary) == ("The hub", 9, "Short.")


def test_paper_with_embedded_citations_and_references(store: HubRepository) -> None:
    paper = {
        "paperId": "c" * 40,
        "title": "Hub",
        "citations": [{"paperId": "d" * 40, "title": "Citer"}],
        "references": [{"paperId": "e" * 40, "title": "Cited"}, None],
    }
    done = _import(store, json.dumps(paper), "x.json")
    assert (done.result.citations_added, done.result.skipped) == (2, 1)
    hub = store.resolve("c" * 40)
    assert [r.paper.title for r in store.iter_citing(hub.id)] == ["Citer"]
    assert [r.paper.title for r in store.iter_citing(store.resolve("e" * 40).id)] == ["Hub"]


def test_records_from_different_sources_merge_and_reimport_changes_nothing(store: HubRepository) -> None:
    s2 = {
        "paperId": "f" * 40,
        "externalIds": {"ArXiv": "2305.17493", "CorpusId": 258987224},
        "title": "The Curse of Recursion",
        "citationCount": 300,
    }
    for name, text in (("s2.json", json.dumps(s2)), ("oa.json", json.dumps(OPENALEX_WORK)), ("refs.bib", BIBTEX)):
        assert _import(store, text, name).result.changed
        before = _snapshot(store)
        assert not _import(store, text, name).result.changed  # the same file again
        assert _snapshot(store) == before
    assert store.info()["papers"] == 2  # the curse paper once, and Müller
    merged = store.resolve("CorpusId:258987224")
    assert (merged.s2_id, merged.openalex_id, merged.arxiv_id) == ("f" * 40, "W4378771755", "2305.17493")
    assert merged.cited_by_reported == OPENALEX_WORK["cited_by_count"]  # the latest source to say wins


def test_hub_given_by_title_words_must_be_in_the_store(store: HubRepository) -> None:
    with pytest.raises(InputError, match="--hub 'some title words'"):
        hub_paper(store, "some title words")
    store.upsert([Paper(title="Some title words", doi="10.1/x")])
    assert hub_paper(store, "some title words").doi == "10.1/x"


def test_a_stored_hub_takes_the_newer_values_its_file_brings(store: HubRepository) -> None:
    store.upsert([Paper(title="Old title", corpus_id=5, venue="Old venue")])
    hub = {"paperId": "b" * 40, "externalIds": {"CorpusId": 5}, "title": "New title"}
    edge = {"citingPaper": {"paperId": "a" * 40, "title": "A"}}
    _import(store, "\n".join(json.dumps(v) for v in (hub, edge)), "x.jsonl", hub="CorpusId:5")
    stored = store.resolve("CorpusId:5")
    assert (stored.title, stored.venue, stored.s2_id) == ("New title", "Old venue", "b" * 40)


def test_hub_record_in_the_file_keeps_its_title(store: HubRepository) -> None:
    hub = {"paperId": "b" * 40, "externalIds": {"CorpusId": 5}, "title": "Real title"}
    edge = {"citingPaper": {"paperId": "a" * 40, "title": "A"}}
    done = _import(store, "\n".join(json.dumps(v) for v in (edge, hub, edge)), "x.jsonl", hub="CorpusId:5")
    assert done.result.citations_added == 1
    assert store.resolve("CorpusId:5").title == "Real title"
    assert isinstance(formats.parse(load(json.dumps(edge).encode(), "e"), "s2", Paper(title="", corpus_id=5))[1][0], Citation)


def test_an_arxiv_category_is_not_replaced_by_a_field_of_study(store: HubRepository) -> None:
    s2 = {"paperId": "f" * 40, "externalIds": {"ArXiv": "2305.17493"}, "title": "T", "fieldsOfStudy": ["Computer Science"]}
    _import(store, json.dumps(s2), "s2.json")
    assert store.resolve("2305.17493").category == "Computer Science"  # no arXiv category yet
    _import(store, BIBTEX, "refs.bib")
    assert store.resolve("2305.17493").category == "cs.LG"
    _import(store, json.dumps(s2), "s2.json")
    _import(store, json.dumps(OPENALEX_WORK), "oa.json")
    paper = store.resolve("2305.17493")
    assert (paper.category, paper.categories) == ("cs.LG", ("cs.LG",))


# ---------------------------------------------------------------- numbers out of range

PITH_PAPER = {"title": "T", "primary_cat": "cs.LG", "submitted_at": "2024-01-02"}
OUT_OF_RANGE = [
    ({"paper": {**PITH_PAPER, "submitted_at": 2147483648}, "source": {"kind": "arxiv", "id": "2401.00001"}}, "submitted_at"),
    ({"paper": {**PITH_PAPER, "submitted_at": 0}, "source": {"kind": "arxiv", "id": "2401.00001"}}, "submitted_at"),
    ({"paper": {**PITH_PAPER, "submitted_at": -2023}, "source": {"kind": "arxiv", "id": "2401.00001"}}, "submitted_at"),
    ({"paperId": "a" * 40, "title": "T", "year": 10_000}, "year"),
    ({"paperId": "a" * 40, "title": "T", "year": 2**64}, "year"),
    ({"paperId": "a" * 40, "title": "T", "publicationDate": "99999-01-01"}, "publicationDate"),
    ({"paperId": "a" * 40, "title": "T", "citationCount": 2**64}, "citationCount"),
    ({"paperId": "a" * 40, "title": "T", "externalIds": {"CorpusId": 2**70}}, "CorpusId"),
    ({**OPENALEX_WORK, "publication_date": None, "publication_year": 2147483648}, "publication_year"),
    ({**OPENALEX_WORK, "cited_by_count": -1}, "cited_by_count"),
    ({"format": "pithtui", "paper": {"title": "T", "date": 99999}}, "date"),
    ({"format": "pithtui", "paper": {"title": "T", "novelty": 1e308 * 10}}, "novelty"),
    ({"format": "pithtui", "paper": {"title": "T", "novelty": 11}}, "novelty"),
    ({"format": "pithtui", "paper": {"title": "T", "cited_by_reported": 2**40}}, "cited_by_reported"),
]


@pytest.mark.parametrize(("record", "field"), OUT_OF_RANGE, ids=[f"{f}-{i}" for i, (_, f) in enumerate(OUT_OF_RANGE)])
def test_a_number_out_of_range_is_refused_naming_its_field(store: HubRepository, record: dict, field: str) -> None:
    store.upsert(load_sample_hub())
    before = _snapshot(store)
    with pytest.raises(InputError, match=field) as caught:
        _import(store, json.dumps(record), "x.json")
    assert "\n" not in str(caught.value)
    assert _snapshot(store) == before


def test_a_bibtex_year_out_of_range_is_refused(store: HubRepository) -> None:
    with pytest.raises(InputError, match="year"):
        _import(store, "@misc{k, title={T}, year={2147483648}}", "x.bib")


@pytest.mark.parametrize("depth", [200, 1000, 5000])
def test_deeply_nested_json_is_one_line_and_stores_nothing(store: HubRepository, depth: int) -> None:
    store.upsert(load_sample_hub())
    before = _snapshot(store)
    for text in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        with pytest.raises(InputError) as caught:
            _import(store, text, "deep.json")
        assert str(caught.value).startswith("deep.json: ") and "\n" not in str(caught.value)
    assert _snapshot(store) == before


def test_a_lone_surrogate_is_replaced_and_the_report_says_so(store: HubRepository) -> None:
    done = _import(store, '{"paperId": "%s", "title": "T\\ud800x", "abstract": "\\udfff \\ud83d\\ude00"}' % ("a" * 40), "s.json")
    assert done.result.notes == ("replaced 2 unpaired UTF-16 surrogates with U+FFFD",)
    paper = store.resolve("a" * 40)
    assert (paper.title, paper.abstract) == ("T\ufffdx", "\ufffd \U0001f600")


def test_a_bibtex_entry_whose_braces_do_not_balance_is_reported_not_cut_short(store: HubRepository) -> None:
    done = _import(store, "@misc{k, title={Unbalanced }} braces}, year={2020}}\n@misc{j, title={Fine}, year=2021}\n", "x.bib")
    assert (done.result.papers_added, done.result.skipped) == (1, 1)
    assert done.result.notes == ("skipped x.bib: @misc{k} (line 1): its braces do not balance, so it cannot be read whole",)
    assert [listing.paper.title for listing in store.list_papers()] == ["Fine"]
    with pytest.raises(InputError, match="no BibTeX entry could be read whole"):
        _import(store, "@misc{k, title={Unbalanced }} braces}, year={2020}}\n", "y.bib")
    multi_line = "@article{m,\n  title = {A {nested} title},\n  author = {X},\n}\n% a comment\n"
    assert _import(store, multi_line, "z.bib").result.papers_added == 1  # a well-formed entry is not taken for one


def test_nested_json_and_lone_surrogates_on_every_backend(repo: HubRepository) -> None:
    """The two faults of a JSON file's values, on SQLite and PostgreSQL alike: too deep a nest is
    one line and stores nothing; a lone surrogate is stored as U+FFFD."""
    with pytest.raises(InputError, match="nested too deeply"):
        _import(repo, "[" * 5000 + "]" * 5000, "deep.json")
    assert repo.info()["papers"] == 0
    done = _import(repo, '{"paperId": "%s", "title": "Lone \\udc80 half"}' % ("c" * 40), "s.json")
    assert done.result.papers_added == 1 and repo.resolve("c" * 40).title == "Lone \ufffd half"
