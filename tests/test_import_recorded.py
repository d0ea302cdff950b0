"""Every recorded response in ../shared/data imports, and what is stored matches the file
field by field. Expected values are read from the files here, never typed in."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from sources_support import bodies, cassette

from pithtui.errors import InputError
from pithtui.identifiers import normalize_arxiv, normalize_doi
from pithtui.models import Paper
from pithtui.sources.document import load
from pithtui.sources.importer import hub_paper, import_document, import_path
from pithtui.store import HubRepository

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"


def _import_json(repo: HubRepository, value: object, name: str, hub: str | None = None):
    doc = load(json.dumps(value).encode(), name)
    return import_document(repo, doc, hub=hub_paper(repo, hub) if hub else None)


def _s2_expected(record: dict) -> dict:
    """What a Semantic Scholar paper object says, in Paper's terms."""
    ids = record.get("externalIds") or {}
    fields_of_study = list(
        dict.fromkeys((record.get("fieldsOfStudy") or []) + [f["category"] for f in record.get("s2FieldsOfStudy") or []])
    )
    return {
        "title": record.get("title") or "",
        "s2_id": record["paperId"],
        "doi": normalize_doi(ids.get("DOI")),
        "arxiv_id": ids.get("ArXiv"),
        "corpus_id": ids.get("CorpusId"),
        "date": record.get("publicationDate"),
        "venue": record.get("venue"),
        "authors": tuple(a["name"] for a in record.get("authors") or ()),
        "abstract": record.get("abstract"),
        "categories": tuple(fields_of_study),
        "cited_by_reported": record.get("citationCount"),
        "url": record.get("url"),
    }


def _as_dict(paper: Paper) -> dict:
    return {
        "title": paper.title,
        "s2_id": paper.s2_id,
        "doi": paper.doi,
        "arxiv_id": paper.arxiv_id,
        "corpus_id": paper.corpus_id,
        "date": paper.date.isoformat() if paper.date else None,
        "venue": paper.venue,
        "authors": paper.authors,
        "abstract": paper.abstract,
        "categories": paper.categories,
        "cited_by_reported": paper.cited_by_reported,
        "url": paper.url,
    }


def _key(s2_id: str | None, title: str) -> tuple[str | None, str]:
    return s2_id, " ".join(title.split())


def _intents(edge: dict) -> set[str]:
    found = set(edge.get("intents") or ())
    for item in edge.get("contextsWithIntent") or ():
        found.update(item.get("intents") or ())
    as_roles = {"methodology": "uses", "result": "compares"}  # Semantic Scholar's intents as roles
    return {as_roles.get(i.lower(), i.lower()) for i in found}


# ---------------------------------------------------------------- Semantic Scholar files


def test_citation_edge_is_stored_field_by_field(shared_data: Path, store: HubRepository) -> None:
    path = shared_data / "semantic-scholar" / "Citation.json"
    edge = json.loads(path.read_text(encoding="utf-8"))
    result = import_path(store, str(path), hub=hub_paper(store, "CorpusId:1"))
    assert (result.format, result.result.citations_added) == ("s2", 1)

    hub = store.resolve("CorpusId:1")
    [row] = store.iter_citing(hub.id)
    assert _as_dict(row.paper) == _s2_expected(edge["citingPaper"])
    assert row.paper.category == _s2_expected(edge["citingPaper"])["categories"][0]
    assert set(row.roles) == _intents(edge)
    assert row.roles_by == "semantic_scholar"
    assert row.contexts == tuple(dict.fromkeys(edge["contexts"]))
    # No source gives polarity: pithtui's classifier labels each citing sentence on import.
    assert row.polarity in ("supporting", "contrasting", "neutral")
    assert row.polarity_by == f"pithtui:{row.model_id}"
    assert len(row.context_labels) == len(row.contexts) and all(row.context_labels)
    summary = store.hub(hub.id)
    assert summary.polarity_unclassified == 0
    assert row.influential is edge["isInfluential"]
    assert row.source == "semantic-scholar"
    assert store.resolve(edge["citingPaper"]["paperId"]).id == row.paper.id


def test_reference_edge_makes_the_hub_the_citing_paper(shared_data: Path, store: HubRepository) -> None:
    path = shared_data / "semantic-scholar" / "Reference.json"
    edge = json.loads(path.read_text(encoding="utf-8"))
    import_path(store, str(path), hub=hub_paper(store, "CorpusId:2"))

    cited = store.resolve(edge["citedPaper"]["paperId"])
    assert _as_dict(cited) == _s2_expected(edge["citedPaper"])
    assert store.resolve(edge["citedPaper"]["externalIds"]["ArXiv"]).id == cited.id
    [row] = store.iter_citing(cited.id)
    assert row.paper.corpus_id == 2
    assert set(row.roles) == _intents(edge)
    assert row.contexts == tuple(edge["contexts"])
    assert row.influential is edge["isInfluential"]


def test_paper_with_null_values_imports_by_its_id(shared_data: Path, store: HubRepository) -> None:
    path = shared_data / "semantic-scholar" / "PaperWithNullValues.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    done = import_path(store, str(path))
    assert done.result.papers_added == 1
    paper = store.resolve(record["paperId"])
    assert (paper.title, paper.authors, paper.s2_id) == ("", (), record["paperId"])


def test_citation_pages_of_a_recorded_session(shared_data: Path, store: HubRepository) -> None:
    recorded = cassette(shared_data / "semantic-scholar" / "test_get_paper_citations.yaml")
    hub_ref = unquote(urlsplit(recorded[0]["url"]).path).split("/paper/")[1].split("/")[0]
    pages = [json.loads(item["body"]) for item in recorded]
    for index, page in enumerate(pages):
        _import_json(store, page, f"page{index}.json", hub=hub_ref)

    hub = store.resolve(hub_ref)
    # Papers without a paperId (the service sends some) are kept by their title; titles are
    # stored with their runs of whitespace (line breaks, no-break spaces) folded.
    expected = {_key(e["citingPaper"]["paperId"], e["citingPaper"]["title"]) for page in pages for e in page["data"]}
    stored = {_key(row.paper.s2_id, row.paper.title) for row in store.iter_citing(hub.id)}
    assert stored == expected
    assert store.count(hub.id) == len(expected)


def test_citation_pages_as_json_lines_are_one_file(shared_data: Path, store: HubRepository) -> None:
    pages = bodies(shared_data / "semantic-scholar" / "test_get_paper_citations.yaml")
    text = "\n".join(json.dumps(page) for page in pages).encode()
    hub = hub_paper(store, "CorpusId:14514057")
    first = import_document(store, load(text, "pages.jsonl"), hub=hub)
    distinct = {_key(e["citingPaper"]["paperId"], e["citingPaper"]["title"]) for page in pages for e in page["data"]}
    assert first.result.citations_added == len(distinct)
    again = import_document(store, load(text, "pages.jsonl"), hub=hub_paper(store, "CorpusId:14514057"))
    assert not again.result.changed


def test_reference_pages_of_a_recorded_session(shared_data: Path, store: HubRepository) -> None:
    recorded = cassette(shared_data / "semantic-scholar" / "test_get_paper_references.yaml")
    hub_ref = unquote(urlsplit(recorded[0]["url"]).path).split("/paper/")[1].rsplit("/references", 1)[0]
    for index, item in enumerate(recorded):
        _import_json(store, json.loads(item["body"]), f"refs{index}.json", hub=hub_ref)

    hub = store.resolve(hub_ref)
    assert hub.doi == normalize_doi(hub_ref)
    for item in recorded:
        for edge in json.loads(item["body"])["data"]:
            if edge["citedPaper"]["paperId"] is None:
                continue  # kept by title, which need not be unique
            cited = store.resolve(edge["citedPaper"]["paperId"])
            assert cited.title == " ".join(edge["citedPaper"]["title"].split())
            assert [row.paper.id for row in store.iter_citing(cited.id)] == [hub.id]
    expected = {
        _key(e["citedPaper"]["paperId"], e["citedPaper"]["title"]) for i in recorded for e in json.loads(i["body"])["data"]
    }
    assert store.info()["citations"] == len(expected)


def test_paper_and_batch_answers_of_recorded_sessions(shared_data: Path, store: HubRepository) -> None:
    [paper] = bodies(shared_data / "semantic-scholar" / "test_get_paper.yaml")
    _import_json(store, paper, "paper.json")
    assert store.resolve(paper["paperId"]).title == paper["title"]

    [batch] = bodies(shared_data / "semantic-scholar" / "test_get_papers.yaml")
    done = _import_json(store, batch, "batch.json")
    assert done.result.papers_added == len(batch)
    for record in batch:
        assert store.resolve(record["paperId"]).authors == tuple(a["name"] for a in record["authors"])


def test_recorded_not_found_answers_fail_with_their_message(shared_data: Path, store: HubRepository) -> None:
    for index, answer in enumerate(bodies(shared_data / "semantic-scholar" / "test_not_found.yaml")):
        with pytest.raises(InputError, match=answer["error"]):
            _import_json(store, answer, f"nf{index}.json")
    assert store.info()["papers"] == 0


# ---------------------------------------------------------------- arXiv files


def _feed_entries(path: Path) -> list[ET.Element]:
    return ET.fromstring(json.loads(path.read_text(encoding="utf-8"))["body"]).findall(f"{ATOM}entry")


def _fold(text: str | None) -> str | None:
    return " ".join(text.split()) if text else None


@pytest.mark.parametrize(
    "name",
    [
        "id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json",
        "id_1605.08386_s0_m100_199195aa31ad.json",
        "q_testing_s0_m10_bc5a6c384fe9.json",
    ],
)
def test_arxiv_feed_is_stored_field_by_field(shared_data: Path, store: HubRepository, name: str) -> None:
    path = shared_data / "arxiv" / name
    entries = _feed_entries(path)
    done = import_path(store, str(path))
    assert (done.format, done.result.papers_added) == ("arxiv", len(entries))
    for entry in entries:
        arxiv_id = normalize_arxiv(entry.findtext(f"{ATOM}id"))
        paper = store.resolve(arxiv_id)
        primary = entry.find(f"{ARXIV}primary_category").get("term")
        assert paper.title == _fold(entry.findtext(f"{ATOM}title"))
        assert paper.abstract == _fold(entry.findtext(f"{ATOM}summary"))
        assert paper.date.isoformat() == entry.findtext(f"{ATOM}published")[:10]
        assert paper.authors == tuple(a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author"))
        assert paper.category == primary
        assert set(paper.categories) == {primary} | {c.get("term") for c in entry.findall(f"{ATOM}category")}
        assert paper.doi == normalize_doi(entry.findtext(f"{ARXIV}doi"))
        assert paper.venue == _fold(entry.findtext(f"{ARXIV}journal_ref"))


def test_arxiv_error_answer_is_one_line_and_stores_nothing(shared_data: Path, store: HubRepository) -> None:
    path = shared_data / "arxiv" / "id_abc_s0_m100_b79c8dcf6bc3.json"
    message = _feed_entries(path)[0].findtext(f"{ATOM}summary")
    with pytest.raises(InputError, match=message) as caught:
        import_path(store, str(path))
    assert "\n" not in str(caught.value) and path.name in str(caught.value)
    assert store.info()["papers"] == 0
